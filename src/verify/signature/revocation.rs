//! Step 6, revocation of the signing chain (the timestamping chain's is part of step 5), with
//! notation's messages for each status.

use super::{ChainPurpose, RevocationStatus, Stages, VerifiedEnvelope, SCHEME_SIGNING_AUTHORITY};
use crate::golang::quote::go_quote;
use crate::verify::outcome::{SignatureFacts, ValidationError};
use crate::verify::ValidationType;
use chrono::Utc;

/// The revocation result; the per-certificate details go into `facts`, signing chain first.
pub(super) fn check<S: Stages>(
    stages: &S,
    envelope: &VerifiedEnvelope,
    facts: &mut SignatureFacts,
) -> Option<ValidationError> {
    // Only signing-authority signatures have an authentic signing time to check against.
    let authentic_time = (envelope.signing_scheme == SCHEME_SIGNING_AUTHORITY)
        .then(|| envelope.signing_time.map(|t| t.with_timezone(&Utc)))
        .flatten();
    let (status, details) =
        stages.revocation(&envelope.chain, ChainPurpose::CodeSigning, authentic_time);
    // The signing chain first, as the report lists it.
    if let Some(details) = details {
        facts.revocation.insert(0, details);
    }
    match status {
        RevocationStatus::Ok => None,
        RevocationStatus::Revoked(subject) => Some(ValidationError::Revocation(format!(
            "signing certificate with subject {} is revoked",
            go_quote(&subject)
        ))),
        RevocationStatus::Unknown(subject) => Some(ValidationError::Revocation(format!(
            "signing certificate with subject {} revocation status is unknown",
            go_quote(&subject)
        ))),
        RevocationStatus::Error(message) => Some(ValidationError::Revocation(format!(
            "unable to check revocation status, err: {message}"
        ))),
        RevocationStatus::NotChecked(reason) => Some(ValidationError::NotChecked {
            validation: ValidationType::Revocation,
            reason,
        }),
    }
}
