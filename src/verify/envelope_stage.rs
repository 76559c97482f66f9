//! Adapters from the envelope and timestamp modules to what the validations and `inspect` read.
use super::inspect::{InspectedCertificate, InspectedSignature, InspectedTimestamp};
use super::signature::{ExtendedAttribute, VerifiedEnvelope};
use crate::envelope::payload::Payload;
use crate::envelope::{verify_integrity, Envelope, EnvelopeContent};
use crate::pki::cert::Certificate;
use crate::pki::timestamp::{read_token, TimestampError};
use crate::source::Descriptor;

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

/// The envelope's contents for `inspect`, without verifying its signature.
pub(crate) fn inspect(
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
