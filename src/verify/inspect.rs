//! `notation inspect`: every signature of an artifact, its envelope read without verifying.

use crate::report::tree::InspectedSignature;
use crate::source::{Descriptor, SignatureSource};

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
