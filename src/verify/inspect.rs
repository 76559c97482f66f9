//! `notation inspect`: every signature of an artifact, its envelope read without verifying.

use crate::envelope::payload::Payload;
use crate::envelope::Envelope;
use crate::pki::cert::Certificate;
use crate::pki::timestamp::{read_token, TimestampError};
use crate::source::{Descriptor, SignatureSource};
use chrono::{DateTime, FixedOffset, Utc};

/// A certificate as inspect shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectedCertificate {
    /// Lower-hex SHA-256 of the DER.
    pub sha256_fingerprint: String,
    /// Subject, Go `pkix.Name.String()`.
    pub issued_to: String,
    /// Issuer, Go `pkix.Name.String()`.
    pub issued_by: String,
    /// NotAfter.
    pub expiry: DateTime<Utc>,
}

/// The timestamp countersignature as inspect shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InspectedTimestamp {
    /// The token parsed: the time range `[genTime - accuracy, genTime + accuracy]` and its certificates.
    Parsed {
        /// Earliest time.
        earliest: DateTime<Utc>,
        /// Latest time.
        latest: DateTime<Utc>,
        /// Certificates in the token.
        certificates: Vec<InspectedCertificate>,
    },
    /// The token could not be read.
    Error(String),
}

/// One signature as `notation inspect` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectedSignature {
    /// Digest of the signature manifest.
    pub digest: String,
    /// e.g. `RSASSA-PSS-SHA-256`.
    pub signature_algorithm: String,
    /// `application/jose+json` or `application/cose`.
    pub envelope_type: String,
    /// Payload content type.
    pub content_type: String,
    /// Signing scheme.
    pub signing_scheme: String,
    /// Signing time (or authentic signing time), in the offset it was encoded with.
    pub signing_time: Option<DateTime<FixedOffset>>,
    /// Expiry, when set.
    pub expiry: Option<DateTime<FixedOffset>>,
    /// Other signed attributes: key and value text, sorted by key.
    pub extended_attributes: Vec<(String, String)>,
    /// The payload's target artifact annotations, sorted by key.
    pub user_defined: Vec<(String, String)>,
    /// Signing agent, when present.
    pub signing_agent: Option<String>,
    /// The timestamp countersignature, when present.
    pub timestamp: Option<InspectedTimestamp>,
    /// The signing chain.
    pub certificates: Vec<InspectedCertificate>,
    /// The payload's target artifact.
    pub signed_artifact: Descriptor,
}

/// Why a signature could not be shown (notation skips it with a warning and fails at the end).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InspectError {
    /// The source failed to list the signatures.
    #[error("{0}")]
    List(String),
    /// A signature could not be fetched.
    #[error("unable to fetch signature {digest} due to error: {error}")]
    Fetch {
        /// Signature manifest digest.
        digest: String,
        /// The source's error.
        error: String,
    },
    /// A signature could not be parsed.
    #[error("Skipping signature {digest} because of error: {error}")]
    Parse {
        /// Signature manifest digest.
        digest: String,
        /// The envelope error.
        error: String,
    },
}

/// What `inspect` found: the signatures it could show, and the ones it skipped.
#[derive(Debug, Clone, Default)]
pub struct Inspection {
    /// Shown signatures, in source order.
    pub signatures: Vec<InspectedSignature>,
    /// Signatures skipped with notation's warning (the command then fails).
    pub skipped: Vec<InspectError>,
}

/// Reads every signature of `subject` (up to `max`) for inspection, in source order. As
/// notation, a signature that cannot be fetched or parsed is skipped, not fatal.
pub async fn inspect<S: SignatureSource>(
    source: &S,
    subject: &Descriptor,
    max: usize,
) -> Result<Inspection, InspectError> {
    let manifests: Vec<Descriptor> = source
        .list_signatures(subject, max)
        .await
        .map_err(|e| InspectError::List(e.to_string()))?
        .into_iter()
        .flatten()
        .take(max)
        .collect();
    let mut out = Inspection::default();
    for manifest in manifests {
        let fetched = match source.fetch_signature(&manifest).await {
            Ok(fetched) => fetched,
            Err(e) => {
                out.skipped.push(InspectError::Fetch {
                    digest: manifest.digest.clone(),
                    error: e.to_string(),
                });
                continue;
            }
        };
        match read_envelope(
            &manifest.digest,
            &fetched.envelope.media_type,
            &fetched.blob,
        ) {
            Ok(signature) => out.signatures.push(signature),
            Err(error) => out.skipped.push(InspectError::Parse {
                digest: manifest.digest.clone(),
                error,
            }),
        }
    }
    Ok(out)
}

/// One envelope's contents for inspection, without verifying it.
pub fn inspect_envelope(
    digest: &str,
    media_type: &str,
    blob: &[u8],
) -> Result<InspectedSignature, String> {
    read_envelope(digest, media_type, blob)
}

fn inspected(cert: &Certificate) -> InspectedCertificate {
    InspectedCertificate {
        sha256_fingerprint: cert.sha256_fingerprint(),
        issued_to: cert.subject(),
        issued_by: cert.issuer(),
        expiry: cert.not_after(),
    }
}

fn timestamp_of(token: &[u8]) -> InspectedTimestamp {
    match read_token(token) {
        Ok(summary) => match summary.info.range() {
            Some((earliest, latest)) => InspectedTimestamp::Parsed {
                earliest,
                latest,
                certificates: summary.certificates.iter().map(inspected).collect(),
            },
            // An accuracy so large that genTime ± accuracy leaves the calendar: nothing sensible
            // to show, and the verifier refuses such a token anyway.
            None => InspectedTimestamp::Error(
                "failed to get the timestamp TSTInfo: accuracy out of range".to_string(),
            ),
        },
        // notation's inspect words these without "with error".
        Err(TimestampError::Parse(e)) => {
            InspectedTimestamp::Error(format!("failed to parse timestamp countersignature: {e}"))
        }
        Err(TimestampError::TstInfo(e)) => {
            InspectedTimestamp::Error(format!("failed to get the timestamp TSTInfo: {e}"))
        }
        Err(other) => InspectedTimestamp::Error(other.to_string()),
    }
}

/// The envelope's contents, without verifying its signature.
fn read_envelope(
    digest: &str,
    media_type: &str,
    blob: &[u8],
) -> Result<InspectedSignature, String> {
    let envelope = Envelope::parse(media_type, blob)
        .map_err(|e| format!("unable to parse the digital signature, error : {e}"))?;
    let content = envelope.content().map_err(|e| e.to_string())?;
    let payload = Payload::parse(&content.payload.content).map_err(|e| e.to_string())?;
    let info = &content.signer_info;
    let signed = &info.signed_attributes;
    let target = &payload.target_artifact;
    Ok(InspectedSignature {
        digest: digest.to_string(),
        signature_algorithm: info.signature_algorithm.display_name().to_string(),
        envelope_type: media_type.to_string(),
        content_type: content.payload.content_type.clone(),
        signing_scheme: signed.signing_scheme.as_str().to_string(),
        signing_time: Some(signed.signing_time),
        expiry: signed.expiry,
        extended_attributes: signed
            .extended_attributes
            .iter()
            .map(|a| {
                let value = match &a.value {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (a.key.clone(), value)
            })
            .collect(),
        user_defined: target
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        signing_agent: Some(info.unsigned_attributes.signing_agent.clone())
            .filter(|a| !a.is_empty()),
        timestamp: info
            .unsigned_attributes
            .timestamp_signature
            .as_deref()
            .map(timestamp_of),
        certificates: info.certificate_chain.iter().map(inspected).collect(),
        signed_artifact: Descriptor {
            media_type: target.media_type.clone(),
            digest: target.digest.clone(),
            size: u64::try_from(target.size).unwrap_or_default(),
            ..Descriptor::default()
        },
    })
}
