//! cosign keyless verification, as source-controller v1.9 makes it for `provider: cosign`
//! without `secretRef`: `matchOIDCIdentity` identities, a Sigstore trusted root (the
//! `trustedRootSecretRef` Secret's `trusted_root.json`, else the public-good root shipped with
//! fluxverify), and the same signature discovery as static keys ([`super::discover`]).
//!
//! Flux's order: when at least one referrer loads as a Sigstore bundle, only bundles are
//! verified (`VerifyImageAttestations` in bundle mode, [`entity`]); else the classic
//! `sha256-<hex>.sig` image (`VerifyImageSignatures`, [`classic`]). The first signature that
//! verifies wins; when none does, cosign's joined errors are what Flux reports
//! (`no matching attestations: ...` / `no matching signatures: ...`), unlike the static-key
//! loop which swallows them.
//!
//! Offline by construction: a classic signature without its Rekor `bundle` annotation would
//! make cosign search Rekor online; when no other signature verifies, Flux's verdict rests on
//! that search, so fluxverify reports an error ("needs the transparency log online") instead of
//! a verdict.

pub mod cert;
pub mod classic;
pub mod entity;
pub mod identity;
pub mod rekor_v2;
pub mod root;
pub mod sct;
pub mod tlog;
pub mod tsa;
pub mod tuf;

use super::{Discovery, SignatureFormat};
use cert::Signer;
use identity::Identity;
use root::TrustedRoot;
use std::sync::Arc;
use tlog::LogSummary;

/// Why a keyless source gets no verdict (an `error`) when no signature verifies offline and one
/// needs Rekor online.
pub const NEEDS_ONLINE_LOG: &str = "needs the transparency log online: the classic signature carries no Rekor bundle annotation, and cosign would search Rekor for its entry";

/// What keyless verification checks against.
#[derive(Debug, Clone)]
pub struct KeylessPolicy {
    /// `matchOIDCIdentity`, in order.
    pub identities: Vec<Identity>,
    /// The trusted root.
    pub root: Arc<TrustedRoot>,
    /// Where the root comes from (`Secret ns/name`, a file, the shipped public-good snapshot).
    pub root_source: String,
}

impl PartialEq for KeylessPolicy {
    fn eq(&self, other: &Self) -> bool {
        self.identities == other.identities && self.root_source == other.root_source
    }
}
impl Eq for KeylessPolicy {}

/// One signature checked keyless.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeylessSignature {
    /// Its format.
    pub format: SignatureFormat,
    /// The bundle manifest's digest, or the classic payload layer's digest.
    pub digest: String,
    /// Who signed it, when the certificate could be read.
    pub signer: Option<Signer>,
    /// Its log entry, when verified.
    pub log: Option<LogSummary>,
    /// Why it did not verify (`None`: it did).
    pub error: Option<String>,
    /// No verdict possible offline.
    pub needs_online_log: bool,
    /// For a classic signature: the digest its payload names.
    pub claimed_digest: Option<String>,
    /// What was checked, when it verified.
    pub checked: Vec<String>,
    /// Why it failed, beyond cosign's error (each timestamp authority's reason, which cosign
    /// only logs).
    pub details: Vec<String>,
}

/// What keyless verification came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeylessStatus {
    /// Some signature verified.
    Verified,
    /// None did: cosign's error, which Flux reports.
    Failed(String),
    /// None verified offline, and one would need Rekor online: Flux's verdict rests on what
    /// Rekor answers, so there is none offline (an error, never `verified` or `failed`).
    NeedsOnlineLog,
}

/// The keyless outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeylessOutcome {
    /// The identities asked for.
    pub identities: Vec<Identity>,
    /// Where the trusted root comes from.
    pub root_source: String,
    /// Every signature of the format Flux verifies.
    pub signatures: Vec<KeylessSignature>,
    /// The result.
    pub status: KeylessStatus,
}

fn signer_of_pem(pem: Option<&str>) -> Option<Signer> {
    let pem = pem?;
    let leaf = cert::certificates_from_pem(pem.as_bytes())
        .ok()?
        .into_iter()
        .next()?;
    Some(cert::signer(&leaf))
}

/// Verifies what `discovery` found for `artifact_digest` with `policy`.
pub fn verify(
    discovery: &Discovery,
    policy: &KeylessPolicy,
    artifact_digest: &str,
) -> KeylessOutcome {
    let mut signatures = Vec::new();
    let status = if discovery.uses_bundles() {
        for found in &discovery.bundles {
            let Ok(bundle) = &found.bundle else { continue };
            let parsed = entity::parse(&bundle.raw);
            let signer = parsed
                .as_ref()
                .ok()
                .and_then(|e| e.certificate.as_ref())
                .map(cert::signer);
            let result = parsed.and_then(|e| {
                entity::verify(
                    &e,
                    &policy.root,
                    &policy.identities,
                    &entity::ArtifactPolicy::Digest(artifact_digest.to_owned()),
                )
            });
            signatures.push(KeylessSignature {
                format: SignatureFormat::Bundle,
                digest: found.manifest.digest.clone(),
                signer,
                log: result.as_ref().ok().and_then(|v| v.log.clone()),
                checked: result
                    .as_ref()
                    .map(|v| v.checked.clone())
                    .unwrap_or_default(),
                error: result.err(),
                needs_online_log: false,
                claimed_digest: None,
                details: Vec::new(),
            });
        }
        if signatures.iter().any(|s| s.error.is_none()) {
            KeylessStatus::Verified
        } else {
            // cosign: fmt.Errorf("no matching attestations: %w", errors.Join(errs...))
            let errors: Vec<&str> = signatures
                .iter()
                .filter_map(|s| s.error.as_deref())
                .collect();
            KeylessStatus::Failed(format!("no matching attestations: {}", errors.join("\n")))
        }
    } else if let Some(error) = &discovery.classic_error {
        KeylessStatus::Failed(error.clone())
    } else {
        let layers = discovery
            .classic
            .as_ref()
            .map(|c| c.signatures.as_slice())
            .unwrap_or_default();
        for sig in layers {
            let result = classic::verify(sig, &policy.root, &policy.identities);
            let (error, needs_online_log, details) = match &result {
                Ok(_) => (None, false, Vec::new()),
                Err(classic::ClassicError::Failed(e)) => (Some(e.clone()), false, Vec::new()),
                Err(classic::ClassicError::Timestamp(f)) => {
                    (Some(f.error.clone()), false, f.reasons.clone())
                }
                Err(classic::ClassicError::NeedsOnlineLog) => {
                    (Some(NEEDS_ONLINE_LOG.into()), true, Vec::new())
                }
            };
            signatures.push(KeylessSignature {
                format: SignatureFormat::Classic,
                digest: sig.layer.digest.clone(),
                signer: result
                    .as_ref()
                    .ok()
                    .map(|v| v.signer.clone())
                    .or_else(|| signer_of_pem(sig.certificate.as_deref())),
                log: result.as_ref().ok().map(|v| v.log.clone()),
                checked: result
                    .as_ref()
                    .map(|v| v.checked.clone())
                    .unwrap_or_default(),
                error,
                needs_online_log,
                claimed_digest: sig.claimed_digest.clone(),
                details,
            });
        }
        // cosign v3's verifySignatures verifies each layer on its own and keeps the ones that
        // pass: one verified signature is enough, whatever the others' errors (a Rekor search
        // that finds nothing included). So a signature that needs Rekor online decides nothing
        // when another verifies offline, and everything when none does.
        if layers.is_empty() {
            KeylessStatus::Failed("no signatures found".into())
        } else if signatures.iter().any(|s| s.error.is_none()) {
            KeylessStatus::Verified
        } else if signatures.iter().any(|s| s.needs_online_log) {
            KeylessStatus::NeedsOnlineLog
        } else {
            // cosign: fmt.Errorf("no matching signatures: %s", strings.Join(errs, "\n "))
            let errors: Vec<&str> = signatures
                .iter()
                .filter_map(|s| s.error.as_deref())
                .collect();
            KeylessStatus::Failed(format!("no matching signatures: {}", errors.join("\n ")))
        }
    };
    KeylessOutcome {
        identities: policy.identities.clone(),
        root_source: policy.root_source.clone(),
        signatures,
        status,
    }
}
