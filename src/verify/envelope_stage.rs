//! Adapters from the envelope and timestamp modules to what the validations read.
use super::signature::{VerifiedEnvelope, VerifiedTimestamp};
use crate::pki::cert::Certificate;

/// Integrity: parse and verify the envelope.
pub(crate) fn open(media_type: &str, _blob: &[u8]) -> Result<VerifiedEnvelope, String> {
    Err(format!(
        "unable to parse the digital signature, error : envelope support for {media_type:?} is not available in this build"
    ))
}

/// Parse and verify an RFC 3161 countersignature over `signature`.
pub(crate) fn timestamp(
    _token: &[u8],
    _signature: &[u8],
    _tsa_roots: &[Certificate],
) -> Result<VerifiedTimestamp, String> {
    Err("failed to parse timestamp countersignature with error: timestamp support is not available in this build".into())
}

/// The envelope's contents for `inspect`, without verifying its signature.
pub(crate) fn inspect(
    _digest: &str,
    media_type: &str,
    _blob: &[u8],
) -> Result<crate::report::tree::InspectedSignature, String> {
    Err(format!(
        "envelope support for {media_type:?} is not available in this build"
    ))
}
