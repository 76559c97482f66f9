//! Steps 7 and 8: the signed payload's target artifact must be the artifact verified (media
//! type, digest and size only), and carry the `--user-metadata` the notation CLI asks for.

use super::SignatureOptions;
use crate::envelope::payload::Descriptor as Target;
use crate::source::Descriptor;
use crate::verify::outcome::SignatureError;

/// `json.Unmarshal(payload.Content, &envelope.Payload)` with Go's semantics and messages.
pub(super) fn parse_target(payload: &[u8]) -> Result<Target, String> {
    crate::envelope::payload::Payload::parse(payload)
        .map(|p| p.target_artifact)
        .map_err(|e| e.to_string())
}

/// The payload binding, then the user metadata (Flux passes none).
pub(super) fn check(
    target: Result<Target, String>,
    artifact: &Descriptor,
    options: &SignatureOptions,
) -> Result<(), SignatureError> {
    let target = target.map_err(SignatureError::Payload)?;
    let size = i64::try_from(artifact.size).unwrap_or(i64::MAX);
    if !target.matches(&artifact.media_type, &artifact.digest, size) {
        return Err(SignatureError::PayloadMismatch);
    }
    for (key, value) in &options.user_metadata {
        if target.annotations.get(key) != Some(value) {
            return Err(SignatureError::UserMetadata);
        }
    }
    Ok(())
}
