//! The adapter from the envelope module to what the validations read.

use super::signature::{ExtendedAttribute, VerifiedEnvelope};
use crate::envelope::{verify_integrity, EnvelopeContent};

fn from_content(content: EnvelopeContent) -> VerifiedEnvelope {
    let info = content.signer_info;
    let signed = info.signed_attributes;
    VerifiedEnvelope {
        signing_scheme: signed.signing_scheme.as_str().to_string(),
        signing_time: Some(signed.signing_time),
        expiry: signed.expiry,
        chain: info.certificate_chain,
        timestamp_token: info.unsigned_attributes.timestamp_signature,
        signature: info.signature,
        extended_attributes: signed
            .extended_attributes
            .into_iter()
            .map(|a| ExtendedAttribute {
                key: a.key,
                critical: a.critical,
                value: a.value,
            })
            .collect(),
        payload_content_type: content.payload.content_type,
        payload: content.payload.content,
    }
}

/// Integrity: parse and verify the envelope, with notation-go's messages.
pub(crate) fn open(media_type: &str, blob: &[u8]) -> Result<VerifiedEnvelope, String> {
    verify_integrity(media_type, blob)
        .map(from_content)
        .map_err(|e| e.to_string())
}
