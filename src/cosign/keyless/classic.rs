//! A classic `.sig` layer verified keyless as cosign v3's `verifyInternal` verifies it with a
//! trusted root and no claim verifier (Flux sets none): the RFC 3161 timestamp against the
//! root's timestamp authorities ([`super::tsa`]), the Rekor bundle annotation (the SET, the
//! entry against the signature, certificate and payload), the certificate (chained at its
//! NotBefore, the identity, the SCT), the signature, and the certificate's validity at genTime
//! and at the integrated time.

use super::cert::{self, Signer};
use super::identity::{self, Identity};
use super::root::TrustedRoot;
use super::tlog::{self, LogSummary};
use crate::cosign::key::parse_pkix_public_key;
use crate::cosign::ClassicSignature;
use chrono::{DateTime, SecondsFormat, Utc};
use der::Encode as _;
use sha2::{Digest as _, Sha256};

/// Why a classic signature was not verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassicError {
    /// cosign's error.
    Failed(String),
    /// No `bundle` annotation: cosign would look the entry up in Rekor online.
    NeedsOnlineLog,
    /// The RFC 3161 timestamp did not verify: cosign's error, and each authority's reason.
    Timestamp(super::tsa::TimestampFailure),
}

/// A verified classic signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassicVerified {
    /// The signer.
    pub signer: Signer,
    /// The Rekor entry.
    pub log: LogSummary,
    /// What was checked, in order.
    pub checked: Vec<String>,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The PEM of a certificate, as `cryptoutils.MarshalCertificateToPEM` writes it.
fn certificate_pem(der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// cosign's `VerifyBundle` with trusted material: its errors, without the `error verifying
/// bundle: ` prefix the caller adds.
fn verify_rekor_bundle(
    sig: &ClassicSignature,
    annotation: &str,
    leaf_der: Option<&[u8]>,
    payload: &[u8],
    root: &TrustedRoot,
) -> Result<tlog::Entry, String> {
    let entry = tlog::parse_classic_bundle(annotation)?;
    let body = tlog::parse_body(&entry.body)?;
    // compareSigs: an empty signature is an attestation's.
    if !sig.signature.is_empty() {
        use base64::Engine as _;
        let recorded = base64::engine::general_purpose::STANDARD.encode(&body.signature);
        if recorded != sig.signature {
            return Err("signature in bundle does not match signature being verified".into());
        }
    }
    // comparePublicKey: the certificate's PEM against the entry's.
    let expected = leaf_der.map(certificate_pem).unwrap_or_default();
    let first = crate::trust::pem::decode(expected.as_bytes()).map(|(b, _)| b.bytes);
    let second = crate::trust::pem::decode(&body.public_key_pem).map(|(b, _)| b.bytes);
    if first.is_none() || first != second {
        return Err(format!(
            "comparing public key PEMs, expected {expected}, got {}",
            String::from_utf8_lossy(&body.public_key_pem)
        ));
    }
    let Some((alg, digest)) = &body.artifact_digest else {
        return Err("computing bundle hash: unsupported type".into());
    };
    let payload_hash = hex::encode(Sha256::digest(payload));
    if alg != "sha256" {
        return Err(format!("unexpected algorithm: {alg:?}"));
    }
    if hex::encode(digest) != payload_hash {
        return Err(format!(
            "matching bundle to payload: bundle={:?}, payload={payload_hash:?}",
            hex::encode(digest)
        ));
    }
    tlog::verify_set(&entry, root)
        .map_err(|e| format!("verifying bundle with trusted root: {e}"))?;
    Ok(entry)
}

/// cosign's `CheckExpiry` for the leaf; its words.
fn check_expiry(signer: &Signer, t: DateTime<Utc>) -> Result<(), String> {
    if signer.not_after < t {
        return Err(format!(
            "certificate expired before observed time: {} is before {}",
            rfc3339(signer.not_after),
            rfc3339(t)
        ));
    }
    if signer.not_before > t {
        return Err(format!(
            "certificate was issued after observed time: {} is after {}",
            rfc3339(signer.not_before),
            rfc3339(t)
        ));
    }
    Ok(())
}

/// Verifies one classic signature layer.
pub fn verify(
    sig: &ClassicSignature,
    root: &TrustedRoot,
    identities: &[Identity],
) -> Result<ClassicVerified, ClassicError> {
    verify_at(sig, root, identities, Utc::now())
}

/// [`verify`] with the current time given (the TSA chain is checked at it when the token has
/// no signing-time attribute).
pub fn verify_at(
    sig: &ClassicSignature,
    root: &TrustedRoot,
    identities: &[Identity],
    now: DateTime<Utc>,
) -> Result<ClassicVerified, ClassicError> {
    let failed = ClassicError::Failed;
    // cosign verifyInternal: "unable to verify RFC3161 timestamp bundle: %w", first.
    const TIMESTAMP_PREFIX: &str = "unable to verify RFC3161 timestamp bundle";
    let payload = sig.payload.as_ref().map_err(|e| failed(e.clone()))?;
    let timestamp = match &sig.rfc3161_timestamp {
        None => None,
        Some(annotation) => Some(
            super::tsa::verify_classic(annotation, &sig.signature, payload, root, now).map_err(
                |mut f| {
                    f.error = format!("{TIMESTAMP_PREFIX}: {}", f.error);
                    ClassicError::Timestamp(f)
                },
            )?,
        ),
    };
    let leaf = match &sig.certificate {
        Some(pem) => cert::certificates_from_pem(pem.as_bytes())
            .map_err(failed)?
            .into_iter()
            .next(),
        None => None,
    };
    // VerifyBundle comes before the certificate. Without a bundle cosign goes online, but
    // first marshals the certificate for the search: without one that fails offline.
    let Some(annotation) = &sig.rekor_bundle else {
        if leaf.is_none() {
            // sigstore cryptoutils.MarshalCertificateToPEM
            return Err(failed("nil certificate provided".into()));
        }
        return Err(ClassicError::NeedsOnlineLog);
    };
    let entry = verify_rekor_bundle(
        sig,
        annotation,
        leaf.as_ref().map(|c| c.der()),
        payload,
        root,
    )
    .map_err(|e| failed(format!("error verifying bundle: {e}")))?;
    let Some(leaf) = leaf else {
        return Err(failed("no certificate found on signature".into()));
    };
    // ValidateAndUnpackCertWithIntermediates with trusted material.
    let spki = leaf
        .public_key()
        .to_der()
        .map_err(|e| failed(e.to_string()))?;
    let key = parse_pkix_public_key(&spki)
        .map_err(|e| failed(format!("invalid certificate found on signature: {e}")))?;
    let (_, chain) = cert::verify_leaf(&leaf, root, leaf.not_before()).map_err(failed)?;
    let signer = cert::signer(&leaf);
    identity::check_classic(identities, &signer).map_err(failed)?;
    if leaf.extension(&super::sct::SCT_LIST).is_none() {
        return Err(failed(
            "certificate does not include required embedded SCT and no detached SCT was set".into(),
        ));
    }
    super::sct::verify(&chain, root).map_err(failed)?;
    // verifyOCISignature
    let signature =
        crate::golang::base64::decode(sig.signature.as_bytes(), false, true).map_err(failed)?;
    key.verify(payload, &signature).map_err(failed)?;
    if let Some(t) = &timestamp {
        check_expiry(&signer, t.time).map_err(|e| {
            failed(format!(
                "checking expiry on certificate with timestamp: {e}"
            ))
        })?;
    }
    check_expiry(&signer, entry.time())
        .map_err(|e| failed(format!("checking expiry on certificate with bundle: {e}")))?;
    let log = tlog::summarize(&entry, root);
    let mut checked = Vec::new();
    if let Some(t) = &timestamp {
        checked.push(format!(
            "RFC 3161 timestamp {} by the trusted root's TSA {} ({}): chain, TSA certificate, imprint of the signature, inside the TSA's validity",
            rfc3339(t.time),
            t.authority,
            t.uri
        ));
    }
    checked.extend([
        format!(
            "Rekor bundle annotation: SET of entry {} in {}; signature, certificate and payload digest match",
            log.index, log.log
        ),
        format!(
            "certificate chains to a Fulcio CA of the trusted root at its NotBefore {}",
            rfc3339(signer.not_before)
        ),
        "identity matches matchOIDCIdentity".to_owned(),
        "embedded SCT verified against a CT log of the trusted root".to_owned(),
        "signature over the simple-signing payload (its digest claim is not checked, as Flux sets no claim verifier)".to_owned(),
        match &timestamp {
            Some(t) => format!(
                "certificate valid at the timestamp {} and at the integrated time {}",
                rfc3339(t.time),
                rfc3339(entry.time())
            ),
            None => format!("certificate valid at the integrated time {}", rfc3339(entry.time())),
        },
    ]);
    Ok(ClassicVerified {
        log,
        signer,
        checked,
    })
}
