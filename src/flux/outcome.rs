//! Flux's `checkOutcome`: what source-controller makes of `notation.Verify`'s result.

use crate::verify::outcome::{Verdict, Verification, VerifyError};
use crate::verify::ValidationType;
use std::fmt;

/// The three results of Flux's notation verifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FluxResult {
    /// `SourceVerified=True`.
    Verified,
    /// The artifact is accepted but `SourceVerified` is not written: level `skip`, or an
    /// authenticity failure that was only logged.
    Ignored,
    /// `SourceVerified=False`.
    Failed,
    /// Flux never reaches verification: `getRevision` could not resolve the artifact, so the
    /// controller sets `FetchFailed` and leaves `SourceVerified` unwritten.
    FetchFailed,
}

impl fmt::Display for FluxResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Verified => "verified",
            Self::Ignored => "ignored",
            Self::Failed => "failed",
            Self::FetchFailed => "fetchFailed",
        })
    }
}

/// Flux's verdict on a verification, with the lines its controller would log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FluxVerdict {
    /// The result.
    pub result: FluxResult,
    /// The error text (without Flux's provider prefix), when it failed.
    pub error: Option<String>,
    /// `verification check for type '<type>' failed for '<url>' with message: '<err>'`, one per
    /// failed result of the verified signature, as the controller logs them.
    pub log_lines: Vec<String>,
}

/// Maps a verification to Flux's result (source-controller `checkOutcome`).
pub fn check_outcome(verification: &Verification) -> FluxVerdict {
    let url = &verification.artifact_reference;
    match &verification.verdict {
        Verdict::Failed(error @ VerifyError::Resolve(_)) => FluxVerdict {
            result: FluxResult::FetchFailed,
            error: Some(error.to_string()),
            log_lines: Vec::new(),
        },
        Verdict::Failed(error) => FluxVerdict {
            result: FluxResult::Failed,
            error: Some(error.to_string()),
            log_lines: Vec::new(),
        },
        Verdict::Skipped => FluxVerdict {
            result: FluxResult::Ignored,
            error: None,
            log_lines: Vec::new(),
        },
        Verdict::Verified(_) => {
            let Some(outcome) = verification.verified_outcome() else {
                // notation-go never reports success without an outcome; Flux calls that failure.
                return FluxVerdict {
                    result: FluxResult::Failed,
                    error: Some(format!(
                        "signature verification failed for all the signatures associated with {url}"
                    )),
                    log_lines: Vec::new(),
                };
            };
            let mut ignore = false;
            let mut log_lines = Vec::new();
            for result in &outcome.results {
                if let Some(error) = &result.error {
                    if result.validation == ValidationType::Authenticity {
                        ignore = true;
                    }
                    log_lines.push(format!(
                        "verification check for type '{}' failed for '{url}' with message: '{error}'",
                        result.validation
                    ));
                }
            }
            FluxVerdict {
                result: if ignore {
                    FluxResult::Ignored
                } else {
                    FluxResult::Verified
                },
                error: None,
                log_lines,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Descriptor;
    use crate::verify::outcome::{
        LevelActions, SignatureEntry, SignatureFacts, SignatureOutcome, SourceFailure,
        ValidationError, ValidationResult,
    };
    use crate::verify::Action;

    const URL: &str = "reg.example/app@sha256:1111";

    fn permissive() -> LevelActions {
        LevelActions {
            name: "permissive".into(),
            actions: [
                (ValidationType::Integrity, Action::Enforce),
                (ValidationType::Authenticity, Action::Enforce),
                (ValidationType::AuthenticTimestamp, Action::Log),
                (ValidationType::Expiry, Action::Log),
                (ValidationType::Revocation, Action::Log),
            ],
        }
    }

    fn verified_with(failed: Option<ValidationResult>, with_outcome: bool) -> Verification {
        let results = [ValidationResult {
            validation: ValidationType::Integrity,
            action: Action::Enforce,
            error: None,
        }]
        .into_iter()
        .chain(failed)
        .collect();
        Verification {
            artifact_reference: URL.into(),
            artifact: None,
            level: Some(permissive()),
            signatures: vec![SignatureEntry {
                manifest: Descriptor::default(),
                envelope_media_type: None,
                outcome: with_outcome.then(|| SignatureOutcome {
                    level: permissive(),
                    results,
                    error: None,
                    facts: SignatureFacts::default(),
                }),
            }],
            verdict: Verdict::Verified(0),
        }
    }

    #[test]
    fn a_logged_expiry_failure_is_still_verified_and_logged() {
        let v = verified_with(
            Some(ValidationResult {
                validation: ValidationType::Expiry,
                action: Action::Log,
                error: Some(ValidationError::Expiry("expired".into())),
            }),
            true,
        );
        let verdict = check_outcome(&v);
        assert_eq!(verdict.result, FluxResult::Verified);
        assert_eq!(verdict.error, None);
        assert_eq!(
            verdict.log_lines,
            [format!(
                "verification check for type 'expiry' failed for '{URL}' with message: 'expired'"
            )]
        );
        assert_eq!(check_outcome(&verified_with(None, true)).log_lines.len(), 0);
    }

    #[test]
    fn a_logged_authenticity_failure_is_ignored() {
        let v = verified_with(
            Some(ValidationResult {
                validation: ValidationType::Authenticity,
                action: Action::Log,
                error: Some(ValidationError::Authenticity("untrusted".into())),
            }),
            true,
        );
        let verdict = check_outcome(&v);
        assert_eq!(verdict.result, FluxResult::Ignored);
        assert_eq!(verdict.log_lines.len(), 1);
    }

    #[test]
    fn failed_skipped_and_outcomeless_verdicts() {
        let mut v = verified_with(None, true);
        v.verdict = Verdict::Failed(VerifyError::MaxAttempts(0));
        let verdict = check_outcome(&v);
        assert_eq!(verdict.result, FluxResult::Failed);
        assert_eq!(verdict.error, Some(VerifyError::MaxAttempts(0).to_string()));
        v.verdict = Verdict::Skipped;
        assert_eq!(check_outcome(&v).result, FluxResult::Ignored);
        v.verdict = Verdict::Failed(VerifyError::Resolve(SourceFailure {
            message: "connection refused".into(),
            unavailable: true,
        }));
        let verdict = check_outcome(&v);
        assert_eq!(verdict.result, FluxResult::FetchFailed);
        assert_eq!(verdict.error.as_deref(), Some("connection refused"));
        let verdict = check_outcome(&verified_with(None, false));
        assert_eq!(verdict.result, FluxResult::Failed);
        assert_eq!(
            verdict.error.as_deref(),
            Some("signature verification failed for all the signatures associated with reg.example/app@sha256:1111")
        );
    }

    #[test]
    fn result_names() {
        assert_eq!(FluxResult::Verified.to_string(), "verified");
        assert_eq!(FluxResult::Ignored.to_string(), "ignored");
        assert_eq!(FluxResult::Failed.to_string(), "failed");
        assert_eq!(FluxResult::FetchFailed.to_string(), "fetchFailed");
    }
}
