//! What source-controller makes of the cosign provider's outcome: `verified signature of
//! revision <revision>`, or `failed to verify the signature using provider 'cosign': <error>`
//! (reason `VerificationError`), and what fluxverify adds (`--check-claims`, an error for a
//! keyless signature whose verdict needs Rekor online).

use super::condition::Condition;
use crate::cosign::{CosignOutcome, CosignVerdict};

/// The prefix source-controller puts before every cosign verification error.
pub const COSIGN_ERROR_PREFIX: &str = "failed to verify the signature using provider 'cosign': ";
/// The prefix source-controller puts before a keyless verification error.
pub const COSIGN_KEYLESS_ERROR_PREFIX: &str =
    "failed to verify the signature using provider 'cosign keyless': ";

/// fluxverify's result for a cosign source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CosignResult {
    /// Flux verifies it (and `--check-claims` has no objection).
    Verified,
    /// Flux fails it, or `--check-claims` refuses what Flux accepts.
    Failed,
    /// No verdict offline (a keyless signature that needs Rekor online): an error, exit 2.
    Error,
}

impl CosignResult {
    /// The JSON / text name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Failed => "failed",
            Self::Error => "error",
        }
    }
}

/// Flux's verdict on a cosign outcome, and fluxverify's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignFlux {
    /// fluxverify's result.
    pub result: CosignResult,
    /// The error Flux wraps (without its prefix); with `--check-claims`, why it refuses a lax
    /// acceptance; for an error, why there is no verdict.
    pub error: Option<String>,
    /// The `SourceVerified` condition Flux writes (`None` when not reproduced).
    pub condition: Option<Condition>,
}

/// The trusted root a keyless source uses when its manifest names no `trustedRootSecretRef`:
/// the shipped public-good snapshot, or the one `--trusted-root` gives.
#[derive(Debug, Clone)]
pub struct DefaultRoot {
    /// The root, or why it does not load.
    pub root: Result<std::sync::Arc<crate::cosign::keyless::root::TrustedRoot>, String>,
    /// Where it comes from.
    pub source: String,
}

impl DefaultRoot {
    /// The public-good snapshot shipped with fluxverify (parsed once per process).
    pub fn public_good() -> Self {
        type Parsed = Result<std::sync::Arc<crate::cosign::keyless::root::TrustedRoot>, String>;
        static ROOT: std::sync::OnceLock<Parsed> = std::sync::OnceLock::new();
        let root = ROOT.get_or_init(|| {
            crate::cosign::keyless::root::TrustedRoot::public_good()
                .map(std::sync::Arc::new)
                .map_err(|e| {
                    format!(
                        "the public-good trusted root shipped with fluxverify does not load: {e}"
                    )
                })
        });
        Self {
            root: root.clone(),
            source: format!(
                "the public-good root shipped with fluxverify ({})",
                crate::cosign::keyless::root::PUBLIC_GOOD_SOURCE
            ),
        }
    }
}

/// The data key Flux reads a `trustedRootSecretRef` Secret's root from.
pub const TRUSTED_ROOT_KEY: &str = "trusted_root.json";

/// Why `--check-claims` refuses what Flux verified: the only signatures verified sign a
/// payload naming another digest than `digest`.
pub fn claims_refusal(lax: &crate::cosign::LaxAcceptance, digest: &str) -> String {
    format!(
        "--check-claims: the only signatures verified (key '{}', classic signature {}) sign a payload naming {} instead of {digest}; Flux accepts them",
        lax.key,
        lax.signature,
        lax.claimed_digest.as_deref().unwrap_or("no digest"),
    )
}

/// The keys source-controller verifies an `OCIRepository`'s cosign signatures with: no
/// `secretRef` means keyless (with `matchOIDCIdentity` and the trusted root of
/// `trustedRootSecretRef`, found by the caller, else `default_root`); otherwise every `.pub`
/// key of the Secret, which the caller found (`None`: not found, Flux's `secrets "<name>" not
/// found`, returned as the error Flux wraps).
pub fn keys_for(
    verification: &super::ocirepository::Verification,
    secret: Option<&crate::trust::secret::Secret>,
    trusted_root_secret: Option<&crate::trust::secret::Secret>,
    default_root: &DefaultRoot,
) -> Result<crate::cosign::Keys, String> {
    match (&verification.secret_name, secret) {
        (None, _) => {
            let (root, source) = match &verification.trusted_root_secret {
                None => (default_root.root.clone()?, default_root.source.clone()),
                Some(name) => {
                    let Some(found) = trusted_root_secret else {
                        return Err(format!(
                            "failed to read trusted root from secret '{name}': secrets \"{name}\" not found"
                        ));
                    };
                    let qualified = found.namespaced_name();
                    let Some(json) = found.data.get(TRUSTED_ROOT_KEY) else {
                        return Err(format!(
                            "'{TRUSTED_ROOT_KEY}' not found in secret '{qualified}'"
                        ));
                    };
                    let root = crate::cosign::keyless::root::parse(json).map_err(|e| {
                        format!("failed to read trusted root from secret '{qualified}': {e}")
                    })?;
                    (
                        std::sync::Arc::new(root),
                        format!("Secret {qualified} ({TRUSTED_ROOT_KEY})"),
                    )
                }
            };
            Ok(crate::cosign::Keys::Keyless(
                crate::cosign::keyless::KeylessPolicy {
                    identities: verification.identities.clone(),
                    root,
                    root_source: source,
                },
            ))
        }
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
    /// Whether `--check-claims` was on (the report recomputes the verdict with it).
    pub check_claims: bool,
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
    check_claims: bool,
) -> Result<CosignSourceResult, super::ocirepository::SelectError> {
    verify_ocirepository_with(
        repository,
        secret,
        None,
        &DefaultRoot::public_good(),
        client,
        check_claims,
    )
    .await
}

/// [`verify_ocirepository`] with the keyless trust material: the Secret
/// `trustedRootSecretRef` names (`None`: not found or not named) and the root used without one.
pub async fn verify_ocirepository_with(
    repository: &super::ocirepository::OciRepository,
    secret: Option<&crate::trust::secret::Secret>,
    trusted_root_secret: Option<&crate::trust::secret::Secret>,
    default_root: &DefaultRoot,
    client: &crate::source::registry::RegistryClient,
    check_claims: bool,
) -> Result<CosignSourceResult, super::ocirepository::SelectError> {
    let mut selected = super::ocirepository::select_artifact(repository, client).await?;
    let mut undecided = None;
    if selected.tag.is_none() {
        (selected.descriptor, undecided) =
            describe_digest(client, &selected.descriptor.digest).await;
    }
    let keys = match repository.verify.as_ref() {
        Some(verification) => keys_for(verification, secret, trusted_root_secret, default_root),
        None => Ok(crate::cosign::Keys::Static(Vec::new())),
    };
    let keyless = repository
        .verify
        .as_ref()
        .is_some_and(|v| v.secret_name.is_none());
    let prefix = if keyless {
        COSIGN_KEYLESS_ERROR_PREFIX
    } else {
        COSIGN_ERROR_PREFIX
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
                    message: format!("{prefix}{error}"),
                }),
                error: Some(error),
            };
            return Ok(CosignSourceResult {
                selected,
                outcome: None,
                flux,
                check_claims,
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
    let flux = cosign_result(&outcome, &selected.revision, check_claims);
    Ok(CosignSourceResult {
        selected,
        outcome: Some(outcome),
        flux,
        check_claims,
        undecided,
    })
}

/// Maps `outcome` to Flux's result and condition for `revision` (`<tag>@sha256:...` or the
/// digest). `check_claims` refuses a verdict that rests on classic payloads naming another digest.
pub fn cosign_result(outcome: &CosignOutcome, revision: &str, check_claims: bool) -> CosignFlux {
    match &outcome.verdict {
        CosignVerdict::Verified { .. } => {
            let condition = Some(Condition {
                kind: "SourceVerified".into(),
                status: "True".into(),
                reason: "Succeeded".into(),
                message: format!("verified signature of revision {revision}"),
            });
            match (&outcome.lax, check_claims) {
                (Some(lax), true) => CosignFlux {
                    result: CosignResult::Failed,
                    error: Some(claims_refusal(lax, &outcome.artifact.digest)),
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
                message: format!(
                    "{}{failure}",
                    if outcome.keyless.is_some() {
                        COSIGN_KEYLESS_ERROR_PREFIX
                    } else {
                        COSIGN_ERROR_PREFIX
                    }
                ),
            }),
        },
        // What Flux writes depends on Rekor's answer, so no condition is shown.
        CosignVerdict::NeedsOnlineLog(reason) => CosignFlux {
            result: CosignResult::Error,
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
            keyless: None,
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
    fn checking_claims_refuses_a_lax_acceptance_but_keeps_fluxs_condition() {
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
        let check_claims = cosign_result(&o, "sha256:aa", true);
        assert_eq!(check_claims.result, CosignResult::Failed);
        assert!(check_claims
            .error
            .unwrap()
            .contains("naming sha256:bb instead of sha256:aa"));
        assert_eq!(check_claims.condition.unwrap().status, "True");
    }

    #[test]
    fn needing_rekor_online_is_an_error_without_condition() {
        let o = outcome(
            CosignVerdict::NeedsOnlineLog(crate::cosign::keyless::NEEDS_ONLINE_LOG.into()),
            None,
        );
        let r = cosign_result(&o, "sha256:aa", false);
        assert_eq!(r.result, CosignResult::Error);
        assert_eq!(r.result.name(), "error");
        assert_eq!(
            r.error.as_deref(),
            Some(crate::cosign::keyless::NEEDS_ONLINE_LOG)
        );
        assert!(r.condition.is_none());
    }

    #[test]
    fn keyless_trust_material_is_read_as_flux_reads_it() {
        use crate::trust::secret::Secret;
        let manifest = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: a, namespace: apps}\nspec: {url: 'oci://r.example/app', verify: {provider: cosign, matchOIDCIdentity: [{issuer: '^i$', subject: '^s$'}], trustedRootSecretRef: {name: root}}}\n";
        let verification = super::super::ocirepository::parse(manifest, "f")
            .unwrap()
            .repository
            .verify
            .unwrap();
        assert_eq!(verification.trusted_root_secret.as_deref(), Some("root"));
        let default = DefaultRoot::public_good();
        let secret = |data: &[(&str, &[u8])]| Secret {
            name: "root".into(),
            namespace: "apps".into(),
            data: data
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.to_vec()))
                .collect(),
            string_data_keys: Vec::new(),
        };
        assert_eq!(
            keys_for(&verification, None, None, &default).unwrap_err(),
            "failed to read trusted root from secret 'root': secrets \"root\" not found"
        );
        assert_eq!(
            keys_for(
                &verification,
                None,
                Some(&secret(&[("other", b"x")])),
                &default
            )
            .unwrap_err(),
            "'trusted_root.json' not found in secret 'apps/root'"
        );
        let bad = keys_for(
            &verification,
            None,
            Some(&secret(&[(TRUSTED_ROOT_KEY, b"{}")])),
            &default,
        )
        .unwrap_err();
        assert_eq!(
            bad,
            "failed to read trusted root from secret 'apps/root': unsupported TrustedRoot media type: "
        );
        let good = crate::cosign::keyless::root::PUBLIC_GOOD_JSON.as_bytes();
        let Ok(crate::cosign::Keys::Keyless(policy)) = keys_for(
            &verification,
            None,
            Some(&secret(&[(TRUSTED_ROOT_KEY, good)])),
            &default,
        ) else {
            panic!("keyless expected");
        };
        assert_eq!(policy.root_source, "Secret apps/root (trusted_root.json)");
        assert_eq!(policy.identities.len(), 1);
        // Without trustedRootSecretRef: the default root; a secretRef still means static keys.
        let mut plain = verification.clone();
        plain.trusted_root_secret = None;
        let Ok(crate::cosign::Keys::Keyless(policy)) = keys_for(&plain, None, None, &default)
        else {
            panic!("keyless expected");
        };
        assert!(policy.root_source.starts_with("the public-good root"));
        plain.secret_name = Some("keys".into());
        assert_eq!(
            keys_for(&plain, None, None, &default).unwrap_err(),
            "secrets \"keys\" not found"
        );
    }
}
