//! Step 4, expiry: the envelope's own expiry time, reached at the exact instant.

use super::{rfc1123z, VerifiedEnvelope};
use crate::verify::outcome::ValidationError;
use chrono::{DateTime, Utc};

/// The expiry result at `now`.
pub(super) fn check(envelope: &VerifiedEnvelope, now: DateTime<Utc>) -> Option<ValidationError> {
    let expired = envelope
        .expiry
        .filter(|expiry| now >= expiry.with_timezone(&Utc));
    expired.map(|e| {
        ValidationError::Expiry(format!(
            "digital signature has expired on {:?}",
            rfc1123z(&e)
        ))
    })
}
