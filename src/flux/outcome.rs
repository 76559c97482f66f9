//! Flux's `checkOutcome`: what source-controller makes of `notation.Verify`'s result, and the
//! source-controller versions whose behaviour differs.

use crate::verify::outcome::{Verdict, Verification};
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
}

impl fmt::Display for FluxResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Verified => "verified",
            Self::Ignored => "ignored",
            Self::Failed => "failed",
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

/// A source-controller release whose notation behaviour fluxverify reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FluxVersion {
    /// v1.3 (Flux 2.3): notation-go 1.1.0, no `tsa` stores, OCSP-only revocation.
    V1_3,
    /// v1.4 (Flux 2.4): timestamps (`tsa`, `verifyTimestamp`), OCSP-only revocation.
    V1_4,
    /// v1.5 (Flux 2.5): OCSP with CRL fallback.
    V1_5,
    /// v1.6 – v1.8: notation-go 1.3.2.
    V1_6,
    /// v1.9: verification by the digest `getRevision` resolved.
    V1_9,
}

impl FluxVersion {
    /// Parses `1.3` … `1.9` (as `--flux-version` takes it); 1.7 and 1.8 behave as 1.6.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "1.3" => Self::V1_3,
            "1.4" => Self::V1_4,
            "1.5" => Self::V1_5,
            "1.6" | "1.7" | "1.8" => Self::V1_6,
            "1.9" => Self::V1_9,
            _ => return None,
        })
    }

    /// Whether `tsa:` trust stores and RFC 3161 timestamps are understood (v1.4+).
    pub fn supports_timestamps(self) -> bool {
        self >= Self::V1_4
    }

    /// Whether revocation falls back from OCSP to CRLs (v1.5+).
    pub fn crl_fallback(self) -> bool {
        self >= Self::V1_5
    }
}

impl fmt::Display for FluxVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::V1_3 => "1.3",
            Self::V1_4 => "1.4",
            Self::V1_5 => "1.5",
            Self::V1_6 => "1.6",
            Self::V1_9 => "1.9",
        })
    }
}
