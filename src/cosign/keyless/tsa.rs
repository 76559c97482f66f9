//! RFC 3161 timestamps against the trusted root's timestamp authorities, as sigstore-go's
//! `VerifySignedTimestamp` checks them (each authority in turn: its chain, its TSA
//! certificate, genTime inside its `validFor`), for cosign's `VerifyRFC3161Timestamp`.
//!
//! Where Flux meets them: only on classic signatures. cosign's `verifyInternal` verifies a
//! `dev.sigstore.cosign/rfc3161timestamp` annotation whenever it is present and then checks the
//! certificate's validity at genTime too. Bundles carry theirs in
//! `timestampVerificationData`, but the policy Flux builds (no `UseSignedTimestamps`) gives
//! sigstore-go neither `WithSignedTimestamps` nor `WithObserverTimestamps`, so a bundle's
//! timestamps are never read ([`super::entity`]).
//!
//! The RFC 3161 verification itself is the shared one ([`crate::pki::timestamp::sigstore`]).

use super::root::TrustedRoot;
use crate::pki::timestamp::sigstore::{verify_response, TsaTrust};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// cosign's error when no authority verified the timestamp (what Flux reports, whatever the
/// reason; cosign logs the reasons). cosign `pkg/cosign/verify.go` `VerifyRFC3161Timestamp`.
pub const NO_VERIFIED_TIMESTAMP: &str = "expected at least one verified timestamp";

/// A timestamp verified by one authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedTimestamp {
    /// genTime.
    pub time: DateTime<Utc>,
    /// The authority's `uri`.
    pub uri: String,
    /// The authority's subject (`O=…, CN=…`).
    pub authority: String,
}

/// Why a timestamp was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampFailure {
    /// cosign's error (after `unable to verify RFC3161 timestamp bundle: `).
    pub error: String,
    /// Each authority's reason, for the report (cosign only logs them).
    pub reasons: Vec<String>,
}

/// cosign's `bundle.RFC3161Timestamp`: `{"SignedRFC3161Timestamp": <base64 DER response>}`.
#[derive(Deserialize)]
struct Annotation {
    #[serde(rename = "SignedRFC3161Timestamp", default, with = "go_bytes")]
    signed: Vec<u8>,
}

/// Go's `encoding/json` for `[]byte`: standard base64 (null or absent: empty).
mod go_bytes {
    use base64::Engine as _;
    use serde::Deserialize as _;

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| {
            base64::engine::general_purpose::STANDARD
                .decode(t)
                .map_err(serde::de::Error::custom)
        })
        .transpose()
        .map(Option::unwrap_or_default)
    }
}

/// sigstore-go's `verifySignedTimestamp` for one response over `message`: the first authority
/// that verifies it, or every authority's reason.
pub fn verify(
    response: &[u8],
    message: &[u8],
    root: &TrustedRoot,
    now: DateTime<Utc>,
) -> Result<VerifiedTimestamp, Vec<String>> {
    let mut reasons = Vec::new();
    for tsa in &root.timestamp_authorities {
        let who = if tsa.uri.is_empty() {
            tsa.subject.clone()
        } else {
            tsa.uri.clone()
        };
        let Some(root_cert) = &tsa.root else {
            // sigstore-go pkg/root/timestamping_authority.go
            reasons.push(format!(
                "timestamping authority {who} root certificate is nil"
            ));
            continue;
        };
        let trust = TsaTrust {
            root: root_cert,
            intermediates: &tsa.intermediates,
            leaf: tsa.leaf.as_ref(),
        };
        let verified = match verify_response(response, message, &trust, now) {
            Ok(v) => v,
            Err(e) => {
                reasons.push(format!("{who}: {e}"));
                continue;
            }
        };
        if tsa.validity.start.is_some_and(|s| verified.gen_time < s) {
            reasons.push(format!(
                "{who}: timestamp is before the validity period start"
            ));
            continue;
        }
        if tsa.validity.end.is_some_and(|e| verified.gen_time > e) {
            reasons.push(format!("{who}: timestamp is after the validity period end"));
            continue;
        }
        return Ok(VerifiedTimestamp {
            time: verified.gen_time,
            uri: tsa.uri.clone(),
            authority: tsa.subject.clone(),
        });
    }
    if root.timestamp_authorities.is_empty() {
        reasons.push("the trusted root lists no timestamp authority".into());
    }
    Err(reasons)
}

/// cosign's `VerifyRFC3161Timestamp` with trusted material, for a classic signature's
/// annotation: the timestamp covers the raw signature bytes (the payload for an attestation,
/// whose signature annotation is empty).
pub fn verify_classic(
    annotation: &str,
    base64_signature: &str,
    payload: &[u8],
    root: &TrustedRoot,
    now: DateTime<Utc>,
) -> Result<VerifiedTimestamp, TimestampFailure> {
    let fail = |error: String| TimestampFailure {
        error,
        reasons: Vec::new(),
    };
    // cosign pkg/oci/internal/signature/layer.go RFC3161Timestamp
    let parsed: Annotation = serde_json::from_str(annotation)
        .map_err(|e| fail(format!("unmarshaling RFC3161 timestamp bundle: {e}")))?;
    let message = if base64_signature.is_empty() {
        payload.to_vec()
    } else {
        crate::golang::base64::decode(base64_signature.as_bytes(), false, true).map_err(fail)?
    };
    verify(&parsed.signed, &message, root, now).map_err(|reasons| TimestampFailure {
        error: NO_VERIFIED_TIMESTAMP.into(),
        reasons,
    })
}
