//! `notation inspect`: every signature of an artifact, its envelope read without verifying.

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
        match super::envelope_stage::inspect(
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
    super::envelope_stage::inspect(digest, media_type, blob)
}
