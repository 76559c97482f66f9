//! Step 3, authenticity: the trust stores of the signing scheme's type, a chain certificate
//! byte-equal to a trusted one, then the trusted identities (whose error replaces the store's).

use super::{
    Stages, StatementView, StoreKind, VerifiedEnvelope, SCHEME_SIGNING_AUTHORITY, SCHEME_X509,
};
use crate::pki::cert::Certificate;
use crate::trust::store::NotationStoreError;
use crate::verify::outcome::{SignatureFacts, UntrustedChain, ValidationError};
use crate::verify::{Action, ValidationType};

/// The authenticity result. An enforced store or chain failure is final (the identities are not
/// checked, as notation-go returns there); the store error that failed the signature is kept in
/// `facts` for the notation CLI's wording.
pub(super) fn check<S: Stages>(
    stages: &S,
    statement: &StatementView,
    envelope: &VerifiedEnvelope,
    facts: &mut SignatureFacts,
) -> Option<ValidationError> {
    let store_kind = match envelope.signing_scheme.as_str() {
        SCHEME_X509 => Ok(StoreKind::Ca),
        SCHEME_SIGNING_AUTHORITY => Ok(StoreKind::SigningAuthority),
        other => Err(format!(
            "error while loading the trust store, unrecognized signing scheme {other:?}"
        )),
    };
    let mut store_failure = None;
    let trusted = store_kind.and_then(|kind| {
        load_stores(stages, statement, kind).map_err(|e| {
            let message = e.message.clone();
            store_failure = Some(e);
            message
        })
    });
    let mut authenticity = trusted
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|trusted| chain_contains_trusted(&envelope.chain, trusted))
        .err()
        .map(ValidationError::Authenticity);
    // What the hints show when no trusted certificate is in the chain.
    if let (Ok(trusted), Some(_), Some(root)) = (&trusted, &authenticity, envelope.chain.last()) {
        if !trusted.is_empty() {
            facts.untrusted_chain = Some(UntrustedChain {
                root_subject: root.subject(),
                root_sha256: root.sha256_fingerprint(),
                trusted_subjects: trusted.iter().map(Certificate::subject).collect(),
            });
        }
    }
    let authenticity_action = statement.level.action(ValidationType::Authenticity);
    if authenticity.is_some() && authenticity_action == Action::Enforce {
        facts.trust_store_error = store_failure;
        return authenticity;
    }
    let identities = match envelope.chain.first() {
        Some(leaf) => stages.check_trusted_identities(statement, leaf),
        // Integrity rejects an empty chain; should one get here, nothing can match.
        None => Err("certificate chain is not present".to_string()),
    };
    if let Err(message) = identities {
        authenticity = Some(ValidationError::TrustedIdentity(message));
    }
    authenticity
}

/// The certificates of every policy store of `kind`, each entry loaded once, in policy order.
pub(super) fn load_stores<S: Stages>(
    stages: &S,
    statement: &StatementView,
    kind: StoreKind,
) -> Result<Vec<Certificate>, NotationStoreError> {
    let mut seen: Vec<&str> = Vec::new();
    let mut certificates = Vec::new();
    for entry in &statement.trust_stores {
        let Some((prefix, name)) = entry.split_once(':') else {
            continue;
        };
        if prefix != kind.prefix() || seen.contains(&entry.as_str()) {
            continue;
        }
        seen.push(entry);
        certificates.extend(stages.trusted_certificates(kind, name)?);
    }
    Ok(certificates)
}

/// notation-core-go `VerifyAuthenticity`: any chain certificate byte-equal to a trusted one.
fn chain_contains_trusted(chain: &[Certificate], trusted: &[Certificate]) -> Result<(), String> {
    if trusted.is_empty() {
        return Err("no trusted certificates are found to verify authenticity".into());
    }
    let found = chain
        .iter()
        .any(|c| trusted.iter().any(|t| t.der() == c.der()));
    if found {
        Ok(())
    } else {
        Err("the signature's certificate chain does not contain any trusted certificate".into())
    }
}
