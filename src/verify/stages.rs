//! The production [`Stages`]: the trust policy and stores of `trust`, the envelopes of
//! `envelope`, RFC 3161 timestamps and revocation of `pki`.

use super::outcome::{LevelActions, VerifyError};
use super::signature::{
    ChainPurpose, RevocationStatus, Stages, StatementView, StoreKind, VerifiedEnvelope,
};
use super::ValidationType;
use crate::pki::cert::Certificate;
use crate::pki::revocation::{
    ChainRevocation, Purpose, RevocationConfig, RevocationFailure, RevocationMode, Validator,
};
use crate::pki::timestamp::{verify_timestamp, TimestampError, TimestampInput};
use crate::settings::{Mode, Settings};
use crate::trust::identity::verify_identities;
use crate::trust::material::{Store, TrustError, TrustMaterial};
use crate::trust::policy::Dialect;
use crate::trust::policy::{
    StoreType, TimestampVerification, TrustPolicyDocument, TrustPolicyStatement,
};
use crate::trust::store::{NotationStoreError, TrustStore};
use chrono::{DateTime, Utc};

/// The stages over a validated trust policy and a trust store.
pub struct PolicyStages<T> {
    policy: TrustPolicyDocument,
    store: T,
    revocation: Validator,
    legacy_messages: bool,
}

/// notation-go 1.1.0 (source-controller 1.3) words some policy errors differently from 1.2.1+.
fn legacy_policy_message(message: &str) -> String {
    const EMPTY_VERSION: &str =
        "trust policy document has empty version, version must be specified";
    if message == EMPTY_VERSION {
        return "trust policy document is missing or has empty version, it must be specified"
            .to_string();
    }
    message
        .strip_prefix("trust policy: ")
        .unwrap_or(message)
        .replace(
            "has no applicable trust policy statement. Trust policy applicability",
            "has no applicable trust policy. Trust policy applicability",
        )
}

impl<T: std::fmt::Debug> std::fmt::Debug for PolicyStages<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyStages")
            .field("policy", &self.policy)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// The revocation settings a mode and source-controller version use.
pub fn revocation_config(settings: Settings) -> RevocationConfig {
    if settings.crl_fallback() {
        RevocationConfig::default()
    } else {
        RevocationConfig::with_mode(RevocationMode::OcspOnly)
    }
}

impl<T: TrustStore> PolicyStages<T> {
    /// Validates `policy` (notation-go `verifier.New`) and builds the stages. A rejected
    /// policy is returned as the verification error Flux and notation report.
    ///
    /// For source-controller 1.3 (notation-go 1.1.0), a `tsa:` store is an unsupported type.
    pub fn new(
        policy: TrustPolicyDocument,
        store: T,
        revocation: Validator,
        settings: Settings,
    ) -> Result<Self, VerifyError> {
        let legacy_messages = settings.legacy_policy_messages();
        let word = |m: String| {
            if legacy_messages {
                legacy_policy_message(&m)
            } else {
                m
            }
        };
        policy
            .validate()
            .map_err(|e| VerifyError::InvalidPolicy(word(e.to_string())))?;
        if !settings.timestamps_supported() {
            for statement in &policy.trust_policies {
                if let Some(entry) = statement
                    .trust_stores
                    .iter()
                    .find(|s| s.starts_with("tsa:"))
                {
                    return Err(VerifyError::InvalidPolicy(format!(
                        "trust policy statement {} uses an unsupported trust store type \"tsa\" in trust store value {}",
                        crate::pki::chain::go_quote(&statement.name),
                        crate::pki::chain::go_quote(entry)
                    )));
                }
            }
        }
        Ok(Self {
            policy,
            store,
            revocation,
            legacy_messages,
        })
    }
}

impl<T> PolicyStages<T> {
    /// The trust policy document the stages apply (for hints that name its scopes).
    pub fn policy(&self) -> &TrustPolicyDocument {
        &self.policy
    }
}

/// The stages built from trust material, or the error Flux / notation would report for it,
/// with the warnings gathered on the way (keys Flux ignores, Flux's policy clean-up).
#[derive(Debug)]
pub struct BuiltStages {
    /// The stages, or the verification error the material gives.
    pub stages: Result<PolicyStages<Store>, VerifyError>,
    /// Warnings to show with the report.
    pub warnings: Vec<String>,
    /// What to change when the material is rejected (where a policy's JSON syntax error is).
    pub hints: Vec<String>,
}

/// Judges trust material as Flux (or notation) does before any signature is fetched: the
/// Secret's keys, the policy's JSON, Flux's clean-up, notation-go's validation. Material that
/// could not be read at all stays an error (the command cannot run); material Flux or notation
/// would reject becomes the verification error the report carries. `verify` and `scan` both
/// build their stages here.
pub fn stages_from_material(
    material: Result<TrustMaterial, TrustError>,
    settings: Settings,
) -> Result<BuiltStages, TrustError> {
    let dialect = match settings.mode {
        Mode::Flux => Dialect::Flux,
        Mode::Notation => Dialect::Notation,
    };
    let rejected = |e: TrustError,
                    warnings: Vec<String>,
                    hints: Vec<String>|
     -> Result<BuiltStages, TrustError> {
        if !e.is_verification_failure() {
            return Err(e);
        }
        let error = match e {
            TrustError::Secret(_) => VerifyError::TrustMaterial(e.to_string()),
            _ => VerifyError::InvalidPolicy(e.to_string()),
        };
        Ok(BuiltStages {
            stages: Err(error),
            warnings,
            hints,
        })
    };
    let material = match material {
        Ok(material) => material,
        Err(e) => return rejected(e, Vec::new(), Vec::new()),
    };
    let mut warnings = crate::trust::check::material_warnings(&material);
    let loaded = match material.policy(dialect) {
        Ok(loaded) => loaded,
        Err(e) => {
            let hints = match (&e, &material.policy_bytes) {
                (TrustError::Parse(_), Some(bytes)) => crate::trust::check::policy_syntax(bytes)
                    .into_iter()
                    .collect(),
                _ => Vec::new(),
            };
            return rejected(e, warnings, hints);
        }
    };
    warnings.extend(loaded.cleanup_warnings.iter().cloned());
    let revocation = Validator::new(revocation_config(settings));
    let stages = PolicyStages::new(
        loaded.document,
        material.store(dialect),
        revocation,
        settings,
    );
    Ok(BuiltStages {
        stages,
        warnings,
        hints: Vec::new(),
    })
}

/// The statement as the validations read it.
pub fn statement_view(statement: &TrustPolicyStatement) -> Result<StatementView, String> {
    let level = statement.verification_level().map_err(|e| e.to_string())?;
    let actions = [
        ValidationType::Integrity,
        ValidationType::Authenticity,
        ValidationType::AuthenticTimestamp,
        ValidationType::Expiry,
        ValidationType::Revocation,
    ]
    .map(|t| (t, level.action(t)));
    Ok(StatementView {
        name: statement.name.clone(),
        registry_scopes: statement.registry_scopes.clone(),
        trust_stores: statement.trust_stores.clone(),
        trusted_identities: statement.trusted_identities.clone(),
        verify_timestamp_after_cert_expiry: statement.verify_timestamp()
            == Some(TimestampVerification::AfterCertExpiry),
        level: LevelActions {
            name: level.name().to_string(),
            actions,
        },
    })
}

fn store_type(kind: StoreKind) -> StoreType {
    match kind {
        StoreKind::Ca => StoreType::Ca,
        StoreKind::SigningAuthority => StoreType::SigningAuthority,
        StoreKind::Tsa => StoreType::Tsa,
    }
}

impl<T: TrustStore> Stages for PolicyStages<T> {
    fn applicable_statement(&self, artifact_reference: &str) -> Result<StatementView, String> {
        let (statement, _) = self
            .policy
            .applicable_statement(artifact_reference)
            .map_err(|e| {
                if self.legacy_messages {
                    legacy_policy_message(&e.to_string())
                } else {
                    e.to_string()
                }
            })?;
        statement_view(statement)
    }

    fn open_envelope(&self, media_type: &str, blob: &[u8]) -> Result<VerifiedEnvelope, String> {
        super::envelope_stage::open(media_type, blob)
    }

    fn trusted_certificates(
        &self,
        kind: StoreKind,
        name: &str,
    ) -> Result<Vec<Certificate>, NotationStoreError> {
        self.store
            .certificates(store_type(kind), name)
            .map_err(|e| e.notation_error())
    }

    fn check_trusted_identities(
        &self,
        statement: &StatementView,
        leaf: &Certificate,
    ) -> Result<(), String> {
        verify_identities(
            &statement.name,
            &statement.trusted_identities,
            &leaf.subject(),
        )
        .map_err(|e| e.to_string())
    }

    fn verify_timestamp(
        &self,
        token: Option<&[u8]>,
        signature: &[u8],
        signing_chain: &[Certificate],
        load_tsa_roots: &mut dyn FnMut() -> Result<Vec<Certificate>, String>,
    ) -> (Result<(), String>, Option<ChainRevocation>) {
        let input = TimestampInput {
            token,
            signature,
            signing_chain,
        };
        match verify_timestamp(&input, load_tsa_roots, &self.revocation) {
            Ok(verified) => (Ok(()), Some(verified.revocation)),
            Err(e) => {
                let message = e.to_string();
                match e {
                    TimestampError::Revocation { details, .. } => (Err(message), Some(*details)),
                    _ => (Err(message), None),
                }
            }
        }
    }

    fn revocation(
        &self,
        chain: &[Certificate],
        purpose: ChainPurpose,
        authentic_signing_time: Option<DateTime<Utc>>,
    ) -> (RevocationStatus, Option<ChainRevocation>) {
        let purpose = match purpose {
            ChainPurpose::CodeSigning => Purpose::CodeSigning,
            ChainPurpose::Timestamping => Purpose::Timestamping,
        };
        let checked = self
            .revocation
            .validate(chain, purpose, authentic_signing_time);
        let status = match checked.failure() {
            None => RevocationStatus::Ok,
            Some(RevocationFailure::Revoked { subject, .. }) => RevocationStatus::Revoked(subject),
            Some(RevocationFailure::Unknown { subject, .. }) => RevocationStatus::Unknown(subject),
            Some(RevocationFailure::CheckFailed { reason, .. }) => RevocationStatus::Error(reason),
        };
        (status, Some(checked))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_controller_1_3_words_policy_errors_as_notation_go_1_1() {
        assert_eq!(
            legacy_policy_message(
                "trust policy: trust policy statement \"a\" has an empty trusted identity"
            ),
            "trust policy statement \"a\" has an empty trusted identity"
        );
        assert_eq!(
            legacy_policy_message(
                "trust policy document has empty version, version must be specified"
            ),
            "trust policy document is missing or has empty version, it must be specified"
        );
        assert_eq!(
            legacy_policy_message("artifact \"r/a@sha256:1\" has no applicable trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes."),
            "artifact \"r/a@sha256:1\" has no applicable trust policy. Trust policy applicability for a given artifact is determined by registryScopes."
        );
    }
}
