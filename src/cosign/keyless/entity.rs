//! A Sigstore bundle verified keyless as cosign v3's `VerifyNewBundle` has sigstore-go verify
//! it (`SignedEntityVerifier.Verify` with `WithTransparencyLog(1)`,
//! `WithIntegratedTimestamps(1)`, `WithSignedCertificateTimestamps(1)` and one certificate
//! identity): the log entries first, then the certificate at the integrated time, its SCT, the
//! signature over the artifact digest, and last the identity. The errors are sigstore-go's.

use super::cert::{self, Signer};
use super::identity::{self, Identity};
use super::root::{proto_bytes, TrustedRoot};
use super::tlog::{self, Entry, LogSummary};
use crate::cosign::bundle::{self, BundleContent};
use crate::cosign::key::parse_pkix_public_key;
use crate::pki::cert::Certificate;
use der::Encode as _;
use sha2::{Digest as _, Sha256};

/// sigstore-go's `limits.MaxAllowedTlogEntries`.
const MAX_TLOG_ENTRIES: usize = 32;

/// A bundle's parts keyless verification needs.
#[derive(Debug, Clone)]
pub struct SignedEntity {
    /// The signing certificate (`certificate`, or the chain's first), `None` for a key hint.
    pub certificate: Option<Certificate>,
    /// The transparency log entries.
    pub entries: Vec<Entry>,
    /// The signed content.
    pub content: BundleContent,
    /// How many RFC 3161 timestamps `timestampVerificationData` carries (never verified under
    /// Flux's policy, see [`super::tsa`]).
    pub signed_timestamps: usize,
}

/// Reads the verification material and content of a bundle's JSON (any version; the OCI flow
/// checks v0.3 first through [`bundle::parse`]).
pub fn parse(bytes: &[u8]) -> Result<SignedEntity, String> {
    let parsed = bundle::parse(bytes).or_else(|e| match e {
        // Older bundles are verifiable on their own (the public-good examples).
        bundle::BundleError::Version(_) => {
            let mut value: serde_json::Value =
                serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
            if let Some(object) = value.as_object_mut() {
                object.insert(
                    "mediaType".into(),
                    "application/vnd.dev.sigstore.bundle.v0.3+json".into(),
                );
            }
            bundle::parse(value.to_string().as_bytes()).map_err(|e| e.to_string())
        }
        other => Err(other.to_string()),
    })?;
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let material = value.get("verificationMaterial");
    let raw_cert = material
        .and_then(|m| m.pointer("/certificate/rawBytes"))
        .or_else(|| {
            material.and_then(|m| m.pointer("/x509CertificateChain/certificates/0/rawBytes"))
        })
        .and_then(|v| v.as_str());
    let certificate = raw_cert
        .map(|raw| {
            let der = proto_bytes(raw)?;
            Certificate::from_der(&der).map_err(|e| format!("failed to parse certificate: {e}"))
        })
        .transpose()?;
    let entries = material
        .and_then(|m| m.get("tlogEntries"))
        .and_then(|t| t.as_array())
        .map(|a| {
            a.iter()
                .map(tlog::parse_bundle_entry)
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    let signed_timestamps = material
        .and_then(|m| m.pointer("/timestampVerificationData/rfc3161Timestamps"))
        .and_then(|t| t.as_array())
        .map_or(0, Vec::len);
    Ok(SignedEntity {
        certificate,
        entries,
        content: parsed.content,
        signed_timestamps,
    })
}

/// What a verified bundle came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The signer.
    pub signer: Signer,
    /// The log entry whose integrated time was used.
    pub log: Option<LogSummary>,
    /// The Fulcio CA the certificate chains to.
    pub authority: String,
    /// What was checked, in order.
    pub checked: Vec<String>,
}

/// What the artifact policy asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactPolicy {
    /// `WithArtifactDigest(algorithm, digest)`, given as `algorithm:hex`.
    Digest(String),
    /// `WithoutArtifactUnsafe`: the DSSE signature only.
    None,
}

fn entity_signature(content: &BundleContent) -> Vec<u8> {
    match content {
        BundleContent::Dsse(env) => env.signatures.first().cloned().unwrap_or_default(),
        BundleContent::MessageSignature { signature, .. } => signature.clone(),
    }
}

/// `VerificationContent.CompareKey` for a certificate: the entry records the same certificate
/// (PEM in a Rekor v1 body, DER in a v2 one).
fn same_certificate(body: &tlog::Body, cert: Option<&Certificate>) -> bool {
    let Some(cert) = cert else {
        return false;
    };
    if let Some(der) = &body.public_key_der {
        return der.as_slice() == cert.der();
    }
    cert::certificates_from_pem(&body.public_key_pem)
        .ok()
        .and_then(|c| c.into_iter().next())
        .is_some_and(|c| c.der() == cert.der())
}

/// sigstore-go's `VerifyTlogEntry` (threshold 1, integrated time trusted): the integrated times
/// of the verified entries with a promise, and the summary of the first verified entry.
fn verify_tlog(
    entity: &SignedEntity,
    root: &TrustedRoot,
) -> Result<(Vec<chrono::DateTime<chrono::Utc>>, Option<LogSummary>), String> {
    if entity.entries.len() > MAX_TLOG_ENTRIES {
        return Err(format!(
            "too many tlog entries: {} > {MAX_TLOG_ENTRIES}",
            entity.entries.len()
        ));
    }
    for (i, a) in entity.entries.iter().enumerate() {
        if entity
            .entries
            .iter()
            .skip(i + 1)
            .any(|b| a.log_id == b.log_id && a.log_index == b.log_index)
        {
            return Err("duplicate tlog entries found".into());
        }
    }
    let signature = entity_signature(&entity.content);
    let mut verified_logs: Vec<Vec<u8>> = Vec::new();
    let mut timestamped: Vec<Vec<u8>> = Vec::new();
    let mut times = Vec::new();
    let mut summary = None;
    for entry in &entity.entries {
        let body = tlog::parse_body(&entry.body)?;
        let Some(log) = root.tlog(&entry.log_id) else {
            // skip entries the trust root cannot verify
            continue;
        };
        if entry.set.is_none() && entry.proof.is_none() {
            return Err("entry must contain an inclusion proof and/or promise".into());
        }
        if entry.set.is_some() && tlog::verify_set(entry, root).is_err() {
            // skip entries the trust root cannot verify
            continue;
        }
        if let Some(proof) = &entry.proof {
            if tlog::is_rekor_v1_checkpoint(&proof.checkpoint) {
                tlog::verify_inclusion(entry, log)?;
            } else {
                super::rekor_v2::verify_inclusion(entry, log)?;
            }
        }
        if body.signature != signature {
            return Err("transparency log signature does not match".into());
        }
        if !same_certificate(&body, entity.certificate.as_ref()) {
            return Err("transparency log certificate does not match".into());
        }
        match &entity.content {
            BundleContent::MessageSignature { digest, .. } => {
                let Some((_alg, entry_digest)) = &body.artifact_digest else {
                    return Err(
                        "transparency log entry is not a hashedrekord or missing digest".into(),
                    );
                };
                if entry_digest != digest {
                    return Err(format!(
                        "transparency log hashedrekord entry digest {} does not match artifact {}",
                        hex::encode(entry_digest),
                        hex::encode(digest)
                    ));
                }
            }
            BundleContent::Dsse(env) => {
                let payload_hash = Sha256::digest(&env.payload);
                let Some(entry_hash) = &body.payload_hash else {
                    return Err("transparency log entry is not a dsse or intoto entry or missing payload hash".into());
                };
                if payload_hash[..] != entry_hash[..] {
                    // sigstore-go pkg/verify/tlog.go
                    return Err(format!(
                        "transparency log dsse/intoto entry payload hash {} does not match envelope payload hash {}",
                        hex::encode(payload_hash),
                        hex::encode(entry_hash)
                    ));
                }
            }
        }
        if entry.integrated_time != 0 {
            let valid = entity
                .certificate
                .as_ref()
                .is_some_and(|c| cert::valid_at(c, entry.time()));
            if !valid {
                return Err("integrated time outside certificate validity".into());
            }
        }
        if !verified_logs.contains(&entry.log_id) {
            verified_logs.push(entry.log_id.clone());
        }
        if entry.set.is_some() && !timestamped.contains(&entry.log_id) {
            timestamped.push(entry.log_id.clone());
            times.push(entry.time());
        }
        summary.get_or_insert_with(|| tlog::summarize(entry, root));
    }
    if verified_logs.is_empty() {
        return Err(format!(
            "not enough verified log entries from transparency log: {} < 1",
            verified_logs.len()
        ));
    }
    Ok((times, summary))
}

/// cosign's `VerifyNewBundle` for a keyless policy: see the module comment.
pub fn verify(
    entity: &SignedEntity,
    root: &TrustedRoot,
    identities: &[Identity],
    artifact: &ArtifactPolicy,
) -> Result<Verified, String> {
    // verificationOptions, before any verification.
    let identity = identity::bundle_identity(identities)?;
    let Some(identity) = identity else {
        return Err("failed to build policy: can't verify identities without providing at least one identity".into());
    };
    let (times, log) =
        verify_tlog(entity, root).map_err(|e| format!("failed to verify log inclusion: {e}"))?;
    if times.is_empty() {
        return Err("failed to verify timestamps: threshold not met for verified log entry integrated timestamps: 0 < 1".into());
    }
    let Some(leaf) = &entity.certificate else {
        return Err(
            "can't verify certificate identities: entity was not signed with a certificate".into(),
        );
    };
    let signer = cert::signer(leaf);
    if signer.subject.is_empty() {
        return Err("failed to summarize certificate: No Subject Alternative Name found".into());
    }
    let mut authority = String::new();
    let mut chain = Vec::new();
    for t in &times {
        let (ca, verified) = cert::verify_leaf(leaf, root, *t)
            .map_err(|e| format!("failed to verify leaf certificate: {e}"))?;
        authority = ca.subject.clone();
        chain = verified;
    }
    super::sct::verify(&chain, root)
        .map_err(|e| format!("failed to verify signed certificate timestamp: {e}"))?;
    let spki = leaf
        .public_key()
        .to_der()
        .map_err(|e| format!("failed to verify signature: {e}"))?;
    let key = parse_pkix_public_key(&spki)
        .map_err(|e| format!("failed to verify signature: invalid certificate key: {e}"))?;
    match artifact {
        ArtifactPolicy::Digest(digest) => bundle::verify_content(&entity.content, &key, digest),
        ArtifactPolicy::None => match &entity.content {
            BundleContent::Dsse(env) => {
                let [sig] = env.signatures.as_slice() else {
                    return Err("failed to verify signature: exactly one signature is required".into());
                };
                key.verify(&bundle::pae(&env.payload_type, &env.payload), sig)
                    .map_err(|e| format!("could not verify envelope: accepted signatures do not match threshold, Found: 0, Expected 1 ({e})"))
            }
            BundleContent::MessageSignature { .. } => {
                Err("message signatures can only be verified with an artifact".into())
            }
        },
    }
    .map_err(|e| format!("failed to verify signature: {e}"))?;
    identity
        .verify(&signer)
        .map_err(|e| format!("failed to verify certificate identity: {e}"))?;
    let mut checked = Vec::new();
    if let Some(l) = &log {
        checked.push(format!(
            "Rekor entry {} in {}: SET, inclusion proof and checkpoint; signature, certificate and payload match",
            l.index, l.log
        ));
    }
    checked.extend([
        format!(
            "certificate chains to Fulcio CA {authority} at the integrated time {}",
            times
                .iter()
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "embedded SCT verified against a CT log of the trusted root".to_owned(),
        match artifact {
            ArtifactPolicy::Digest(d) => format!("DSSE signature; the in-toto statement names {d}"),
            ArtifactPolicy::None => "DSSE signature".to_owned(),
        },
        "identity matches matchOIDCIdentity".to_owned(),
    ]);
    if entity.signed_timestamps > 0 {
        checked.push(format!(
            "{} RFC 3161 timestamp(s) in the bundle not read: the policy Flux builds (no UseSignedTimestamps) asks sigstore-go for none",
            entity.signed_timestamps
        ));
    }
    Ok(Verified {
        signer,
        log,
        authority,
        checked,
    })
}
