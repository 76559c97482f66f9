//! Step 5, authentic timestamp: the signing-authority scheme's authentic signing time, the
//! RFC 3161 countersignature against the `tsa:` stores when the statement asks for it, or every
//! chain certificate valid now.

use super::{
    rfc1123z, SignatureOptions, Stages, StatementView, StoreKind, VerifiedEnvelope,
    SCHEME_SIGNING_AUTHORITY,
};
use crate::verify::outcome::{SignatureFacts, ValidationError};
use crate::verify::{Action, ValidationType};
use chrono::{DateTime, Utc};

pub(super) fn check<S: Stages>(
    stages: &S,
    statement: &StatementView,
    options: &SignatureOptions,
    envelope: &VerifiedEnvelope,
    now: DateTime<Utc>,
    facts: &mut SignatureFacts,
) -> Option<ValidationError> {
    let fail = |m: String| Some(ValidationError::AuthenticTimestamp(m));
    if envelope.signing_scheme == SCHEME_SIGNING_AUTHORITY {
        // The envelope stage requires an authentic signing time for this scheme; without one
        // nothing can be checked, so fail rather than pass.
        let Some(signing_time) = envelope.signing_time else {
            return fail("authentic signing time is missing from the signature".into());
        };
        let at = signing_time.with_timezone(&Utc);
        for cert in &envelope.chain {
            if at < cert.not_before() || at > cert.not_after() {
                return fail(format!(
                    "certificate {:?} was not valid when the digital signature was produced at {:?}",
                    cert.subject(),
                    rfc1123z(&signing_time)
                ));
            }
        }
        return None;
    }

    let tsa_enabled = options.timestamps_supported
        && statement.trust_stores.iter().any(|s| s.starts_with("tsa:"));
    let mut perform = tsa_enabled;
    if perform && statement.verify_timestamp_after_cert_expiry {
        perform = envelope.chain.iter().any(|c| now > c.not_after());
    }
    if !perform {
        for cert in &envelope.chain {
            if now < cert.not_before() {
                return fail(format!(
                    "verification time is before certificate {:?} validity period, it will be valid from {:?}",
                    cert.subject(),
                    rfc1123z(&cert.not_before())
                ));
            }
            if now > cert.not_after() {
                return fail(format!(
                    "verification time is after certificate {:?} validity period, it was expired at {:?}",
                    cert.subject(),
                    rfc1123z(&cert.not_after())
                ));
            }
        }
        return None;
    }

    let mut store_failure = None;
    let mut load_roots = || {
        super::authenticity::load_stores(stages, statement, StoreKind::Tsa).map_err(|e| {
            let message = e.message.clone();
            store_failure = Some(e);
            message
        })
    };
    let (result, tsa_revocation) = stages.verify_timestamp(
        envelope.timestamp_token.as_deref(),
        &envelope.signature,
        &envelope.chain,
        &mut load_roots,
    );
    facts.revocation.extend(tsa_revocation);
    // A failed store load ends the timestamp check with that error (`pki::timestamp`).
    if result.is_err()
        && statement.level.action(ValidationType::AuthenticTimestamp) == Action::Enforce
    {
        facts.trust_store_error = store_failure;
    }
    result.err().map(ValidationError::AuthenticTimestamp)
}
