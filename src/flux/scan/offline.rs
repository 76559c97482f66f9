//! What the trust material alone decides, with nothing fetched (`scan --offline`,
//! `policy check --ocirepository`).

use super::plan::SharedStages;
use super::row::RowResult;
use crate::trust::policy::Action;
use crate::verify::outcome::VerifyError;
use crate::verify::signature::StoreKind;
use crate::verify::ValidationType;

/// The placeholder digest of an offline check: only the repository part of the artifact
/// reference takes part in scope matching.
const UNRESOLVED_DIGEST: &str =
    "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// What the trust material alone decides about `repository` (matched as `repository@digest`):
/// `Some(row)` when Flux would fail (or ignore) whatever the registry holds.
pub(super) fn offline_verdict(
    stages: &Result<SharedStages, VerifyError>,
    repository: &str,
    digest: Option<&str>,
    unresolved: &str,
) -> Result<Option<(RowResult, String)>, String> {
    match stages {
        Ok(s) => offline_check(s.as_ref(), repository, digest, unresolved),
        Err(e) => Err(e.to_string()),
    }
}

/// What trust stages alone decide for artifacts of `repository` (matched as
/// `repository@digest`; `unresolved` stands for the digest in messages when it is not known):
/// `Err(message)` when no statement applies (notation-go's message), `Some((result, reason))`
/// when Flux fails or ignores every artifact whatever the registry holds (no usable
/// certificate under an enforced authenticity check; a `skip` statement), `None` when only the
/// registry can tell. `scan --offline` and `policy check --ocirepository` decide with this.
pub fn offline_check<S: crate::verify::signature::Stages + ?Sized>(
    stages: &S,
    repository: &str,
    digest: Option<&str>,
    unresolved: &str,
) -> Result<Option<(RowResult, String)>, String> {
    let reference = format!("{repository}@{}", digest.unwrap_or(UNRESOLVED_DIGEST));
    match stages.applicable_statement(&reference) {
        Err(message) => Err(message.replace(UNRESOLVED_DIGEST, unresolved)),
        Ok(statement) if statement.level.is_skip() => Ok(Some((
            RowResult::Ignored,
            format!(
                "trust policy statement {:?} has level skip: Flux accepts the artifact without verifying it",
                statement.name
            ),
        ))),
        Ok(statement) => {
            // With authenticity enforced, a signature can only pass through a trusted
            // certificate: if no store of the statement yields one, every signature fails.
            if statement.level.action(ValidationType::Authenticity) != Action::Enforce {
                return Ok(None);
            }
            let mut errors = Vec::new();
            let mut usable = false;
            for entry in &statement.trust_stores {
                let kind = match entry.split_once(':').map(|(p, _)| p) {
                    Some("ca") => StoreKind::Ca,
                    Some("signingAuthority") => StoreKind::SigningAuthority,
                    _ => continue,
                };
                let name = entry.split_once(':').map_or("", |(_, n)| n);
                match stages.trusted_certificates(kind, name) {
                    Ok(certs) if !certs.is_empty() => usable = true,
                    Ok(_) => {}
                    Err(e) => errors.push(e.message),
                }
            }
            match (usable, errors.first()) {
                (false, Some(e)) => Ok(Some((
                    RowResult::Failed,
                    format!("every signature will fail authenticity: {e}"),
                ))),
                _ => Ok(None),
            }
        }
    }
}
