//! What source-controller makes of the cosign provider's outcome: `verified signature of
//! revision <revision>`, or `failed to verify the signature using provider 'cosign': <error>`
//! (reason `VerificationError`), and what fluxverify adds (`--strict`, keyless not checked).

use super::condition::Condition;
use crate::cosign::{CosignOutcome, CosignVerdict};

/// The prefix source-controller puts before every cosign verification error.
pub const COSIGN_ERROR_PREFIX: &str = "failed to verify the signature using provider 'cosign': ";

/// fluxverify's result for a cosign source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CosignResult {
    /// Flux verifies it (and `--strict` has no objection).
    Verified,
    /// Flux fails it, or `--strict` refuses what Flux accepts.
    Failed,
    /// Not reproduced (keyless): no verdict.
    Skipped,
}

impl CosignResult {
    /// The JSON / text name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }
}

/// Flux's verdict on a cosign outcome, and fluxverify's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignFlux {
    /// fluxverify's result.
    pub result: CosignResult,
    /// The error Flux wraps (without its prefix); with `--strict`, why it refuses a lax
    /// acceptance; for a skipped source, why it is not checked.
    pub error: Option<String>,
    /// The `SourceVerified` condition Flux writes (`None` when not reproduced).
    pub condition: Option<Condition>,
}

/// The keys source-controller verifies an `OCIRepository`'s cosign signatures with: no
/// `secretRef` means keyless (matchOIDCIdentity or not); otherwise every `.pub` key of the
/// Secret, which the caller found (`None`: not found, Flux's `secrets "<name>" not found`,
/// returned as the error Flux wraps).
pub fn keys_for(
    verification: &super::ocirepository::Verification,
    secret: Option<&crate::trust::secret::Secret>,
) -> Result<crate::cosign::Keys, String> {
    match (&verification.secret_name, secret) {
        (None, _) => Ok(crate::cosign::Keys::Keyless),
        (Some(name), None) => Err(format!("secrets \"{name}\" not found")),
        (Some(_), Some(secret)) => Ok(crate::cosign::Keys::Static(
            crate::cosign::keys_from_secret(secret),
        )),
    }
}

/// An `OCIRepository` with `verify.provider: cosign`, verified end to end.
#[derive(Debug, Clone)]
pub struct CosignSourceResult {
    /// What `spec.ref` selected (tag, descriptor, revision, digest reference).
    pub selected: super::ocirepository::SelectedArtifact,
    /// The cosign stage's outcome (`None` when the Secret is missing: Flux fails before).
    pub outcome: Option<CosignOutcome>,
    /// Flux's verdict and condition, and fluxverify's result.
    pub flux: CosignFlux,
    /// Whether `--strict` was on (the report recomputes the verdict with it).
    pub strict: bool,
    /// The registry did not answer for a digest reference ([`describe_digest`]): Flux's
    /// condition stands, but nothing was learnt about the signatures (undecided, exit 2).
    pub undecided: Option<String>,
}

/// For a digest reference, the artifact's descriptor as the registry has it, only to show its
/// media type and size: Flux's cosign verifier looks the signatures up by digest and never asks
/// for the manifest, so a digest the registry does not have is still verified (and fails with
/// `no matching signatures were found for '<ref>'`, the key loop swallowing each key's error).
/// The second value is the registry's error when it did not answer at all (refused, timeout,
/// TLS, 401), which leaves the verdict undecided.
pub async fn describe_digest<S: crate::source::SignatureSource>(
    source: &S,
    digest: &str,
) -> (crate::source::Descriptor, Option<String>) {
    use crate::source::SourceError as _;
    match source.resolve(digest).await {
        Ok(descriptor) => (descriptor, None),
        Err(e) => {
            let undecided = e.is_unavailable().then(|| e.to_string());
            let descriptor = crate::source::Descriptor {
                digest: digest.to_owned(),
                ..crate::source::Descriptor::default()
            };
            (descriptor, undecided)
        }
    }
}

/// What source-controller does for `repository` (whose `verify.provider` is cosign): select the
/// artifact through `client`, take the keys from `secret` (the one `secretRef` names, `None`
/// when it is not found; ignored without `secretRef`, which means keyless), verify, and map.
/// The entry point for callers that walk many sources (`scan`). `Err` is Flux's selection
/// failure (no `SourceVerified` condition is written then).
pub async fn verify_ocirepository(
    repository: &super::ocirepository::OciRepository,
    secret: Option<&crate::trust::secret::Secret>,
    client: &crate::source::registry::RegistryClient,
    strict: bool,
) -> Result<CosignSourceResult, super::ocirepository::SelectError> {
    let mut selected = super::ocirepository::select_artifact(repository, client).await?;
    let mut undecided = None;
    if selected.tag.is_none() {
        (selected.descriptor, undecided) =
            describe_digest(client, &selected.descriptor.digest).await;
    }
    let keys = match repository.verify.as_ref() {
        Some(verification) => keys_for(verification, secret),
        None => Ok(crate::cosign::Keys::Static(Vec::new())),
    };
    let keys = match keys {
        Ok(keys) => keys,
        Err(error) => {
            let flux = CosignFlux {
                result: CosignResult::Failed,
                condition: Some(Condition {
                    kind: "SourceVerified".into(),
                    status: "False".into(),
                    reason: "VerificationError".into(),
                    message: format!("{COSIGN_ERROR_PREFIX}{error}"),
                }),
                error: Some(error),
            };
            return Ok(CosignSourceResult {
                selected,
                outcome: None,
                flux,
                strict,
                undecided: None,
            });
        }
    };
    let request = crate::cosign::CosignRequest {
        artifact_reference: selected.artifact_reference.clone(),
        artifact: selected.descriptor.clone(),
        keys,
    };
    let outcome = crate::cosign::verify_source(client, &request).await;
    let flux = cosign_result(&outcome, &selected.revision, strict);
    Ok(CosignSourceResult {
        selected,
        outcome: Some(outcome),
        flux,
        strict,
        undecided,
    })
}

/// Maps `outcome` to Flux's result and condition for `revision` (`<tag>@sha256:...` or the
/// digest). `strict` refuses a verdict that rests on classic payloads naming another digest.
pub fn cosign_result(outcome: &CosignOutcome, revision: &str, strict: bool) -> CosignFlux {
    match &outcome.verdict {
        CosignVerdict::Verified { .. } => {
            let condition = Some(Condition {
                kind: "SourceVerified".into(),
                status: "True".into(),
                reason: "Succeeded".into(),
                message: format!("verified signature of revision {revision}"),
            });
            match (&outcome.lax, strict) {
                (Some(lax), true) => CosignFlux {
                    result: CosignResult::Failed,
                    error: Some(format!(
                        "--strict: the only signatures verified (key '{}', classic signature {}) sign a payload naming {} instead of {}; Flux accepts them",
                        lax.key,
                        lax.signature,
                        lax.claimed_digest.as_deref().unwrap_or("no digest"),
                        outcome.artifact.digest
                    )),
                    condition,
                },
                _ => CosignFlux {
                    result: CosignResult::Verified,
                    error: None,
                    condition,
                },
            }
        }
        CosignVerdict::Failed(failure) => CosignFlux {
            result: CosignResult::Failed,
            error: Some(failure.to_string()),
            condition: Some(Condition {
                kind: "SourceVerified".into(),
                status: "False".into(),
                reason: "VerificationError".into(),
                message: format!("{COSIGN_ERROR_PREFIX}{failure}"),
            }),
        },
        CosignVerdict::NotChecked(reason) => CosignFlux {
            result: CosignResult::Skipped,
            error: Some(reason.clone()),
            condition: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cosign::{CosignFailure, Discovery, KeyError, LaxAcceptance};
    use crate::source::Descriptor;

    fn outcome(verdict: CosignVerdict, lax: Option<LaxAcceptance>) -> CosignOutcome {
        CosignOutcome {
            artifact_reference: "r.example/app@sha256:aa".into(),
            artifact: Descriptor {
                digest: "sha256:aa".into(),
                ..Descriptor::default()
            },
            discovery: Discovery::default(),
            keys: Vec::new(),
            verdict,
            lax,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn texts_are_source_controllers() {
        let ok = cosign_result(
            &outcome(
                CosignVerdict::Verified {
                    key: "a.pub".into(),
                },
                None,
            ),
            "v1@sha256:aa",
            true,
        );
        assert_eq!(ok.result, CosignResult::Verified);
        assert_eq!(
            ok.condition.unwrap().message,
            "verified signature of revision v1@sha256:aa"
        );
        let failed = cosign_result(
            &outcome(
                CosignVerdict::Failed(CosignFailure::NoMatch {
                    reference: "r.example/app@sha256:aa".into(),
                }),
                None,
            ),
            "sha256:aa",
            false,
        );
        let c = failed.condition.unwrap();
        assert_eq!(
            (c.status.as_str(), c.reason.as_str()),
            ("False", "VerificationError")
        );
        assert_eq!(
            c.message,
            "failed to verify the signature using provider 'cosign': no matching signatures were found for 'r.example/app@sha256:aa'"
        );
        let pem = cosign_result(
            &outcome(
                CosignVerdict::Failed(CosignFailure::Key(KeyError::PemDecoding)),
                None,
            ),
            "sha256:aa",
            false,
        );
        assert_eq!(pem.error.as_deref(), Some("PEM decoding failed"));
    }

    #[test]
    fn strict_refuses_a_lax_acceptance_but_keeps_fluxs_condition() {
        let lax = LaxAcceptance {
            key: "a.pub".into(),
            signature: "sha256:cc".into(),
            claimed_digest: Some("sha256:bb".into()),
        };
        let o = outcome(
            CosignVerdict::Verified {
                key: "a.pub".into(),
            },
            Some(lax),
        );
        assert_eq!(
            cosign_result(&o, "sha256:aa", false).result,
            CosignResult::Verified
        );
        let strict = cosign_result(&o, "sha256:aa", true);
        assert_eq!(strict.result, CosignResult::Failed);
        assert!(strict
            .error
            .unwrap()
            .contains("naming sha256:bb instead of sha256:aa"));
        assert_eq!(strict.condition.unwrap().status, "True");
    }

    #[test]
    fn keyless_is_skipped_without_condition() {
        let o = outcome(
            CosignVerdict::NotChecked("cosign keyless is not checked".into()),
            None,
        );
        let r = cosign_result(&o, "sha256:aa", false);
        assert_eq!(r.result, CosignResult::Skipped);
        assert!(r.condition.is_none());
    }
}
