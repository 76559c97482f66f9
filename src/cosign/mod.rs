//! cosign signatures, verified as Flux source-controller v1.9 does for
//! `.spec.verify.provider: cosign`: with the static public keys of a `secretRef` (this module),
//! or keyless without one ([`keyless`]); both share the signature discovery ([`discover`]).
//!
//! What source-controller does (its `verifySignature` key loop around `internal/oci/cosign`):
//!
//! 1. The reference is resolved to a digest (by the caller; see [`crate::flux::ocirepository`]).
//! 2. For every Secret data key ending in `.pub` (Go map order): the key is loaded
//!    (`cryptoutils.UnmarshalPEMToPublicKey`, `signature.LoadVerifier(key, crypto.SHA256)`); a
//!    key that does not load ends the loop with its error. An empty value is no key at all:
//!    the verifier then goes keyless (no identities, the public-good root), its error
//!    swallowed like a key's.
//! 3. With the key: Sigstore bundles attached to the digest (referrers API, then the referrers
//!    tag schema) are looked up first; if at least one loads, only bundles are verified
//!    (`VerifyImageAttestations` in bundle mode), else the classic signature image at tag
//!    `sha256-<hex>.sig` (`VerifyImageSignatures`). Offline, transparency log ignored, and no
//!    claim verifier: a classic payload naming another digest still verifies.
//! 4. The first key that verifies anything wins; a key that fails is skipped silently. When no
//!    key wins: `no matching signatures were found for '<repo>@<digest>'`.
//!
//! fluxverify evaluates every key (the report shows why each failed), and takes Flux's verdict
//! from the keys in order. Entry point: [`verify_source`].

pub mod bundle;
pub mod key;
pub mod keyless;
pub mod source;

pub use key::{keys_from_secret, load_verifier, KeyError, NamedKey, VerifierKey};
pub use source::CosignSource;

use crate::source::Descriptor;
use bundle::Bundle;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// The layer annotation holding a classic signature (base64).
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// The layer annotation holding the signer's certificate (keyless signatures).
pub const CERTIFICATE_ANNOTATION: &str = "dev.sigstore.cosign/certificate";
/// The layer annotation holding the signer's certificate chain (keyless signatures).
pub const CHAIN_ANNOTATION: &str = "dev.sigstore.cosign/chain";
/// The layer annotation holding the Rekor bundle (SET and entry) of a classic signature.
pub const REKOR_BUNDLE_ANNOTATION: &str = "dev.sigstore.cosign/bundle";
/// The layer annotation holding an RFC 3161 timestamp of a classic signature.
pub const RFC3161_ANNOTATION: &str = "dev.sigstore.cosign/rfc3161timestamp";
/// The media type of a classic signature's payload layer.
pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";

/// The keys to verify with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keys {
    /// Static public keys, in the order they are tried.
    Static(Vec<NamedKey>),
    /// No `secretRef`: keyless verification with these identities and trust material.
    Keyless(keyless::KeylessPolicy),
}

/// What to verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignRequest {
    /// `registry/repository@sha256:...`, as Flux names the artifact in its error.
    pub artifact_reference: String,
    /// The artifact's descriptor (resolved by the caller).
    pub artifact: Descriptor,
    /// The keys.
    pub keys: Keys,
}

/// A referrer looked at as a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundBundle {
    /// The referrer's descriptor.
    pub manifest: Descriptor,
    /// The bundle, or why cosign would skip this referrer.
    pub bundle: Result<Bundle, String>,
}

impl FoundBundle {
    /// Whether this referrer is a Sigstore bundle at all (it loads, or its artifact type says
    /// so): other referrers (notation signatures, SBOMs) are skipped silently, and reports
    /// leave them out.
    pub fn is_sigstore(&self) -> bool {
        self.bundle.is_ok()
            || self
                .manifest
                .artifact_type
                .as_deref()
                .is_some_and(|t| t.starts_with("application/vnd.dev.sigstore.bundle"))
    }
}

/// One layer of a classic signature image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassicSignature {
    /// The payload layer's descriptor.
    pub layer: Descriptor,
    /// The simple-signing payload, or why it could not be read.
    pub payload: Result<Vec<u8>, String>,
    /// The base64 signature annotation (empty when absent, as cosign reads it).
    pub signature: String,
    /// `critical.image.docker-manifest-digest` of the payload, when it names one.
    pub claimed_digest: Option<String>,
    /// The RFC 3161 timestamp annotation (cosign's `RFC3161Timestamp` JSON), when present.
    pub rfc3161_timestamp: Option<String>,
    /// The certificate annotation (PEM), when present.
    pub certificate: Option<String>,
    /// The chain annotation (PEM), when present.
    pub chain: Option<String>,
    /// The Rekor bundle annotation (JSON), when present.
    pub rekor_bundle: Option<String>,
}

/// The classic signature image `sha256-<hex>.sig`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassicImage {
    /// Its tag.
    pub tag: String,
    /// Its manifest's descriptor.
    pub manifest: Descriptor,
    /// Its layers, in manifest order.
    pub signatures: Vec<ClassicSignature>,
}

/// Everything attached to the artifact, in both formats.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Discovery {
    /// Every referrer, loaded as a bundle or skipped.
    pub bundles: Vec<FoundBundle>,
    /// Listing the referrers failed (cosign then falls back to classic signatures).
    pub referrers_error: Option<String>,
    /// The classic signature image, when there is one (and it was looked up).
    pub classic: Option<ClassicImage>,
    /// Fetching the classic signature image failed (other than not found).
    pub classic_error: Option<String>,
    /// Whether the classic signature image was looked up at all.
    pub classic_looked_up: bool,
}

impl Discovery {
    /// Flux verifies bundles only when at least one referrer loads as one.
    pub fn uses_bundles(&self) -> bool {
        self.bundles.iter().any(|b| b.bundle.is_ok())
    }
}

/// A signature format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureFormat {
    /// A Sigstore bundle referrer.
    Bundle,
    /// A layer of the classic `.sig` image.
    Classic,
}

impl fmt::Display for SignatureFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Bundle => "bundle",
            Self::Classic => "classic",
        })
    }
}

/// One signature checked with one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    /// Its format.
    pub format: SignatureFormat,
    /// The bundle manifest's digest, or the classic payload layer's digest.
    pub digest: String,
    /// Why it did not verify, or `None` when it did.
    pub error: Option<String>,
    /// For a classic signature: the digest its payload names.
    pub claimed_digest: Option<String>,
}

/// What one key came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyStatus {
    /// It verified at least one signature.
    Verified,
    /// It verified none; the error cosign returns (Flux discards it).
    Failed(String),
    /// It does not load: Flux stops the loop with this error.
    Invalid(KeyError),
    /// An empty value: Flux verifies keyless with it, and that needs Rekor online.
    Keyless,
}

/// One key's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyOutcome {
    /// The Secret data key or file name.
    pub name: String,
    /// The kind of key (`ECDSA P-256`, ...), when it loads.
    pub kind: Option<String>,
    /// What it came to.
    pub status: KeyStatus,
    /// Every signature of the format Flux verifies, checked with this key.
    pub signatures: Vec<SignatureCheck>,
    /// Whether Flux gets to this key (keys after the deciding one are never tried).
    pub tried_by_flux: bool,
}

/// Flux's failure, `Display` being the error it wraps in the condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CosignFailure {
    /// A key did not load (the loop stops there).
    Key(KeyError),
    /// Keyless verification failed with cosign's error (Flux reports it as is).
    Keyless(String),
    /// No key verified anything.
    NoMatch {
        /// `registry/repository@sha256:...`.
        reference: String,
    },
}

impl fmt::Display for CosignFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CosignFailure::Key(e) => write!(f, "{e}"),
            CosignFailure::Keyless(e) => f.write_str(e),
            CosignFailure::NoMatch { reference } => {
                write!(f, "no matching signatures were found for '{reference}'")
            }
        }
    }
}

/// The verdict, as Flux reaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CosignVerdict {
    /// `SourceVerified=True`.
    Verified {
        /// The key that won.
        key: String,
    },
    /// `SourceVerified=False` with this error.
    Failed(CosignFailure),
    /// No verdict offline: Flux's rests on a Rekor search for a classic keyless signature's
    /// log entry (the reason); reported as an error, never as verified or failed.
    NeedsOnlineLog(String),
}

/// A verification Flux accepts although the signed payload names another artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaxAcceptance {
    /// The key that verified.
    pub key: String,
    /// The classic payload layer's digest.
    pub signature: String,
    /// The digest the payload names (`None`: none).
    pub claimed_digest: Option<String>,
}

/// Everything the cosign stage found and decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignOutcome {
    /// `registry/repository@sha256:...`.
    pub artifact_reference: String,
    /// The artifact's descriptor.
    pub artifact: Descriptor,
    /// What is attached to it.
    pub discovery: Discovery,
    /// Every key, in the order tried.
    pub keys: Vec<KeyOutcome>,
    /// Flux's verdict.
    pub verdict: CosignVerdict,
    /// Set when the verdict rests only on classic signatures whose payload names another
    /// digest (Flux's lax acceptance; `--strict` refuses it).
    pub lax: Option<LaxAcceptance>,
    /// Things the user should know (the lax acceptance, order-dependent Secrets).
    pub warnings: Vec<String>,
    /// Keyless verification, when the source is keyless.
    pub keyless: Option<keyless::KeylessOutcome>,
}

/// The classic signature tag of `digest`: `sha256-<hex>.sig`.
pub fn classic_tag(digest: &str) -> String {
    format!("{}.sig", digest.replacen(':', "-", 1))
}

/// The digest a simple-signing payload names (`critical.image.docker-manifest-digest`).
pub fn simple_signing_digest(payload: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Payload {
        critical: Critical,
    }
    #[derive(Deserialize)]
    struct Critical {
        image: Image,
    }
    #[derive(Deserialize)]
    struct Image {
        #[serde(rename = "docker-manifest-digest")]
        digest: String,
    }
    serde_json::from_slice::<Payload>(payload)
        .ok()
        .map(|p| p.critical.image.digest)
}

#[derive(Deserialize)]
struct RawManifest {
    #[serde(default)]
    layers: Vec<RawLayer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLayer {
    #[serde(default)]
    media_type: String,
    #[serde(default)]
    digest: String,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

impl RawLayer {
    fn descriptor(&self) -> Descriptor {
        Descriptor {
            media_type: self.media_type.clone(),
            digest: self.digest.clone(),
            size: self.size,
            artifact_type: None,
            annotations: None,
        }
    }
}

/// cosign's `ociremote.Bundle`: exactly one layer, of a bundle media type, that loads as a
/// bundle of v0.3 or later.
async fn load_bundle<S: CosignSource>(source: &S, manifest: &Descriptor) -> Result<Bundle, String> {
    let (_, bytes) = source
        .manifest(&manifest.digest)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("{}: not found", manifest.digest))?;
    let parsed: RawManifest =
        serde_json::from_slice(&bytes).map_err(|e| format!("invalid manifest: {e}"))?;
    let [layer] = parsed.layers.as_slice() else {
        return Err("expected exactly one layer".into());
    };
    if !layer
        .media_type
        .starts_with("application/vnd.dev.sigstore.bundle")
    {
        return Err("expected bundle layer".into());
    }
    let blob = source
        .blob(&layer.descriptor())
        .await
        .map_err(|e| e.to_string())?;
    bundle::parse(&blob).map_err(|e| e.to_string())
}

/// Finds what is attached to `digest`: bundles among its referrers, and the classic signature
/// image when `classic` is `Always` or no bundle loads (`WhenNoBundle`, what Flux needs).
pub async fn discover<S: CosignSource>(
    source: &S,
    digest: &str,
    classic: ClassicLookup,
) -> Discovery {
    let mut discovery = Discovery::default();
    match source.referrers(digest).await {
        Ok(referrers) => {
            for manifest in referrers {
                let bundle = load_bundle(source, &manifest).await;
                discovery.bundles.push(FoundBundle { manifest, bundle });
            }
        }
        Err(e) => discovery.referrers_error = Some(e.to_string()),
    }
    if classic == ClassicLookup::WhenNoBundle && discovery.uses_bundles() {
        return discovery;
    }
    discovery.classic_looked_up = true;
    let tag = classic_tag(digest);
    match source.manifest(&tag).await {
        Ok(None) => {}
        Err(e) => discovery.classic_error = Some(e.to_string()),
        Ok(Some((manifest, bytes))) => match serde_json::from_slice::<RawManifest>(&bytes) {
            Err(e) => discovery.classic_error = Some(format!("invalid manifest {tag}: {e}")),
            Ok(parsed) => {
                let mut signatures = Vec::new();
                for layer in &parsed.layers {
                    let descriptor = layer.descriptor();
                    let payload = source.blob(&descriptor).await.map_err(|e| e.to_string());
                    let claimed_digest = payload.as_deref().ok().and_then(simple_signing_digest);
                    signatures.push(ClassicSignature {
                        layer: descriptor,
                        claimed_digest,
                        payload,
                        signature: layer
                            .annotations
                            .get(SIGNATURE_ANNOTATION)
                            .cloned()
                            .unwrap_or_default(),
                        // cosign reads an empty annotation as none.
                        rfc3161_timestamp: layer
                            .annotations
                            .get(RFC3161_ANNOTATION)
                            .filter(|v| !v.is_empty())
                            .cloned(),
                        certificate: layer
                            .annotations
                            .get(CERTIFICATE_ANNOTATION)
                            .filter(|v| !v.is_empty())
                            .cloned(),
                        chain: layer
                            .annotations
                            .get(CHAIN_ANNOTATION)
                            .filter(|v| !v.is_empty())
                            .cloned(),
                        rekor_bundle: layer
                            .annotations
                            .get(REKOR_BUNDLE_ANNOTATION)
                            .filter(|v| !v.is_empty())
                            .cloned(),
                    });
                }
                discovery.classic = Some(ClassicImage {
                    tag,
                    manifest,
                    signatures,
                });
            }
        },
    }
    discovery
}

/// When to look up the classic signature image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassicLookup {
    /// Only when no bundle loads (Flux).
    WhenNoBundle,
    /// Always (listing).
    Always,
}

/// cosign's `verifyOCISignature` plus the checks `verifyInternal` makes before it with the
/// transparency log ignored and no TSA roots.
fn check_classic(key: &VerifierKey, sig: &ClassicSignature) -> Result<(), String> {
    if sig.rfc3161_timestamp.is_some() {
        return Err("unable to verify RFC3161 timestamp bundle: no TSA root certificate(s) provided to verify timestamp".into());
    }
    let signature = crate::golang::base64::decode(sig.signature.as_bytes(), false, true)?;
    let payload = sig.payload.as_ref().map_err(Clone::clone)?;
    key.verify(payload, &signature)?;
    // verifyInternal checks an attached certificate's validity even with a static key, at the
    // current time since neither a log entry nor a timestamp is accepted.
    if let Some(pem) = &sig.certificate {
        let certificate = first_certificate(pem.as_bytes())?;
        let now = chrono::Utc::now();
        if certificate.not_after() < now || certificate.not_before() > now {
            return Err("expected a signed timestamp to verify an expired certificate".into());
        }
    }
    Ok(())
}

/// cosign's `Cert()`: the first certificate of the annotation's PEM.
fn first_certificate(mut pem: &[u8]) -> Result<crate::pki::cert::Certificate, String> {
    while let Some((block, rest)) = crate::trust::pem::decode(pem) {
        if block.kind == "CERTIFICATE" {
            return crate::pki::cert::Certificate::from_der(&block.bytes)
                .map_err(|e| e.to_string());
        }
        pem = rest;
    }
    Err("no certificates in the certificate annotation".into())
}

/// One key against what was discovered.
fn check_key(key: &NamedKey, discovery: &Discovery, artifact_digest: &str) -> KeyOutcome {
    let mut outcome = KeyOutcome {
        name: key.name.clone(),
        kind: None,
        status: KeyStatus::Keyless,
        signatures: Vec::new(),
        tried_by_flux: false,
    };
    // NewCosignVerifier: `len(publicKey) > 0` selects the static-key path. An empty value
    // makes Flux's loop build a keyless verifier, with no identities (the loop passes none)
    // and the public-good root; its error is swallowed like a key's.
    if key.pem.is_empty() {
        let Ok(root) = keyless::root::TrustedRoot::public_good_shared() else {
            return outcome;
        };
        let policy = keyless::KeylessPolicy {
            identities: Vec::new(),
            root,
            root_source: "the public-good root shipped with fluxverify".into(),
        };
        let checked = keyless::verify(discovery, &policy, artifact_digest);
        outcome.status = match checked.status {
            keyless::KeylessStatus::Verified => KeyStatus::Verified,
            keyless::KeylessStatus::Failed(e) => KeyStatus::Failed(e),
            keyless::KeylessStatus::NeedsOnlineLog => KeyStatus::Keyless,
        };
        outcome.kind = Some("empty: keyless".into());
        outcome.signatures = checked
            .signatures
            .into_iter()
            .map(|s| SignatureCheck {
                format: s.format,
                digest: s.digest,
                error: s.error,
                claimed_digest: s.claimed_digest,
            })
            .collect();
        return outcome;
    }
    let verifier = match load_verifier(&key.pem) {
        Ok(v) => v,
        Err(e) => {
            outcome.status = KeyStatus::Invalid(e);
            return outcome;
        }
    };
    outcome.kind = Some(verifier.describe());
    if discovery.uses_bundles() {
        for found in &discovery.bundles {
            let Ok(bundle) = &found.bundle else { continue };
            outcome.signatures.push(SignatureCheck {
                format: SignatureFormat::Bundle,
                digest: found.manifest.digest.clone(),
                error: bundle::verify(bundle, &verifier, artifact_digest).err(),
                claimed_digest: None,
            });
        }
        outcome.status = status_of(&outcome.signatures, "no matching attestations");
        return outcome;
    }
    if let Some(error) = &discovery.classic_error {
        outcome.status = KeyStatus::Failed(error.clone());
        return outcome;
    }
    let signatures = discovery
        .classic
        .as_ref()
        .map(|c| c.signatures.as_slice())
        .unwrap_or_default();
    if signatures.is_empty() {
        outcome.status = KeyStatus::Failed("no signatures found".into());
        return outcome;
    }
    for sig in signatures {
        outcome.signatures.push(SignatureCheck {
            format: SignatureFormat::Classic,
            digest: sig.layer.digest.clone(),
            error: check_classic(&verifier, sig).err(),
            claimed_digest: sig.claimed_digest.clone(),
        });
    }
    outcome.status = status_of(&outcome.signatures, "no matching signatures");
    outcome
}

/// cosign's `no matching signatures: <errors joined by "\n ">` when none verified.
fn status_of(checks: &[SignatureCheck], prefix: &str) -> KeyStatus {
    if checks.iter().any(|c| c.error.is_none()) {
        return KeyStatus::Verified;
    }
    let errors: Vec<&str> = checks.iter().filter_map(|c| c.error.as_deref()).collect();
    KeyStatus::Failed(format!("{prefix}: {}", errors.join("\n ")))
}

/// Verifies `request` against `source` as source-controller does: the library entry point for
/// `verify --verify-provider cosign` and `scan`. Never fails: registry errors during signature lookup
/// are what cosign turns into a key's failure (and so into Flux's "no matching signatures").
pub async fn verify_source<S: CosignSource>(source: &S, request: &CosignRequest) -> CosignOutcome {
    let keys = match &request.keys {
        Keys::Keyless(policy) => return verify_keyless(source, request, policy).await,
        Keys::Static(keys) => keys,
    };
    let digest = &request.artifact.digest;
    let discovery = if keys
        .iter()
        .any(|k| k.pem.is_empty() || load_verifier(&k.pem).is_ok())
    {
        discover(source, digest, ClassicLookup::WhenNoBundle).await
    } else {
        // No key will look at anything: spare the registry.
        Discovery::default()
    };
    let mut outcomes: Vec<KeyOutcome> = keys
        .iter()
        .map(|k| check_key(k, &discovery, digest))
        .collect();
    decide(request, discovery, &mut outcomes)
}

/// Flux's loop over the evaluated keys, and the warnings.
fn decide(
    request: &CosignRequest,
    discovery: Discovery,
    outcomes: &mut [KeyOutcome],
) -> CosignOutcome {
    let mut verdict = None;
    // The empty key whose keyless verification needs Rekor online. Flux's loop swallows its
    // error like any key's, so it decides only when nothing after it does: verified when Rekor
    // has the entry, else the next key's turn.
    let mut needs_online: Option<String> = None;
    let online_verdict = |name: &str| {
        CosignVerdict::NeedsOnlineLog(format!(
            "{} (the Secret's key '{name}' is empty, so Flux verifies keyless with it)",
            keyless::NEEDS_ONLINE_LOG
        ))
    };
    for outcome in outcomes.iter_mut() {
        outcome.tried_by_flux = true;
        verdict = match &outcome.status {
            KeyStatus::Failed(_) => continue,
            KeyStatus::Keyless => {
                needs_online.get_or_insert_with(|| outcome.name.clone());
                continue;
            }
            KeyStatus::Verified => Some(CosignVerdict::Verified {
                key: outcome.name.clone(),
            }),
            // Flux stops here only when Rekor did not verify the empty key's signature.
            KeyStatus::Invalid(_) if needs_online.is_some() => {
                needs_online.as_deref().map(online_verdict)
            }
            KeyStatus::Invalid(e) => Some(CosignVerdict::Failed(CosignFailure::Key(e.clone()))),
        };
        break;
    }
    let verdict = verdict.unwrap_or_else(|| match &needs_online {
        Some(name) => online_verdict(name),
        None => CosignVerdict::Failed(CosignFailure::NoMatch {
            reference: request.artifact_reference.clone(),
        }),
    });
    let mut warnings = Vec::new();
    let decisive: Vec<String> = outcomes
        .iter()
        .filter_map(|o| match &o.status {
            KeyStatus::Failed(_) => None,
            KeyStatus::Verified => Some("verified".to_owned()),
            KeyStatus::Invalid(e) => Some(format!("failed: {e}")),
            KeyStatus::Keyless => Some("keyless".to_owned()),
        })
        .collect();
    let mut kinds = decisive.clone();
    kinds.sort();
    kinds.dedup();
    if kinds.len() > 1 {
        warnings.push(format!(
            "Flux ranges over the Secret's keys in Go's random map order, and with these keys its outcome depends on that order ({}); fluxverify reports the outcome for the keys in the order given (a Secret's by name)",
            outcomes
                .iter()
                .filter(|o| !matches!(o.status, KeyStatus::Failed(_)))
                .zip(&decisive)
                .map(|(o, d)| format!("'{}' {d}", o.name))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let lax = match &verdict {
        CosignVerdict::Verified { key } => lax_acceptance(outcomes, key, &request.artifact.digest),
        _ => None,
    };
    if let Some(lax) = &lax {
        warnings.push(format!(
            "classic signature {} verified with key '{}' signs a payload naming {} instead of {}: Flux sets no claim verifier and accepts it (--strict refuses it)",
            lax.signature,
            lax.key,
            lax.claimed_digest.as_deref().unwrap_or("no digest"),
            request.artifact.digest
        ));
    }
    CosignOutcome {
        artifact_reference: request.artifact_reference.clone(),
        artifact: request.artifact.clone(),
        discovery,
        keys: outcomes.to_vec(),
        verdict,
        lax,
        warnings,
        keyless: None,
    }
}

/// The keyless branch of [`verify_source`]: discovery as for keys, then [`keyless::verify`].
async fn verify_keyless<S: CosignSource>(
    source: &S,
    request: &CosignRequest,
    policy: &keyless::KeylessPolicy,
) -> CosignOutcome {
    let digest = &request.artifact.digest;
    let discovery = discover(source, digest, ClassicLookup::WhenNoBundle).await;
    let outcome = keyless::verify(&discovery, policy, digest);
    let verdict = match &outcome.status {
        keyless::KeylessStatus::Verified => CosignVerdict::Verified {
            key: "keyless".into(),
        },
        keyless::KeylessStatus::Failed(e) => {
            CosignVerdict::Failed(CosignFailure::Keyless(e.clone()))
        }
        keyless::KeylessStatus::NeedsOnlineLog => {
            CosignVerdict::NeedsOnlineLog(keyless::NEEDS_ONLINE_LOG.into())
        }
    };
    let mut warnings = Vec::new();
    if policy.identities.is_empty() {
        warnings.push("no identity is required (matchOIDCIdentity is empty): Flux then accepts a classic signature by any signer the trusted root's Fulcio certifies, and refuses every bundle".to_owned());
    }
    let verified: Vec<&keyless::KeylessSignature> = outcome
        .signatures
        .iter()
        .filter(|s| s.error.is_none())
        .collect();
    let lax = match verified.first() {
        Some(first)
            if !verified.iter().any(|s| {
                s.format == SignatureFormat::Bundle || s.claimed_digest.as_deref() == Some(digest)
            }) =>
        {
            Some(LaxAcceptance {
                key: "keyless".into(),
                signature: first.digest.clone(),
                claimed_digest: first.claimed_digest.clone(),
            })
        }
        _ => None,
    };
    if let Some(lax) = &lax {
        warnings.push(format!(
            "classic signature {} verified keyless signs a payload naming {} instead of {}: Flux sets no claim verifier and accepts it (--strict refuses it)",
            lax.signature,
            lax.claimed_digest.as_deref().unwrap_or("no digest"),
            digest
        ));
    }
    CosignOutcome {
        artifact_reference: request.artifact_reference.clone(),
        artifact: request.artifact.clone(),
        discovery,
        keys: Vec::new(),
        verdict,
        lax,
        warnings,
        keyless: Some(outcome),
    }
}

/// The winning key's verified signatures all name another digest (classic signatures only:
/// a bundle's statement subject is checked by sigstore-go).
fn lax_acceptance(outcomes: &[KeyOutcome], key: &str, digest: &str) -> Option<LaxAcceptance> {
    let outcome = outcomes.iter().find(|o| o.name == key)?;
    let verified: Vec<&SignatureCheck> = outcome
        .signatures
        .iter()
        .filter(|s| s.error.is_none())
        .collect();
    if verified
        .iter()
        .any(|s| s.format == SignatureFormat::Bundle || s.claimed_digest.as_deref() == Some(digest))
    {
        return None;
    }
    let first = verified.first()?;
    Some(LaxAcceptance {
        key: key.to_owned(),
        signature: first.digest.clone(),
        claimed_digest: first.claimed_digest.clone(),
    })
}

#[cfg(test)]
mod tests;
