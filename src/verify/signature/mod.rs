//! notation-go's `verifier.Verify` for one signature: the validations in notation's order under
//! the statement's level, then the payload binding and user metadata.
//!
//! The stages that belong to other modules (envelope parsing, trust stores and identities,
//! timestamps, revocation) are reached through [`Stages`], so the order and the enforce / log
//! logic here are one piece of code whatever provides them.
//!
//! This file holds the order ([`verify_signature`]) and the types the steps share; each step's
//! rules and notation's messages for it live in one module: integrity is the envelope stage's
//! (through [`Stages::open_envelope`]) plus the payload content type below, then `plugin`,
//! `authenticity` (trust stores and trusted identities), `expiry`, `timestamp` (authentic
//! timestamp), `revocation`, and `payload` (the payload binding and user metadata).

mod authenticity;
mod expiry;
mod payload;
mod plugin;
mod revocation;
#[cfg(test)]
mod tests;
mod timestamp;

use super::outcome::{
    LevelActions, SignatureError, SignatureFacts, SignatureOutcome, ValidationError,
    ValidationResult,
};
use super::{Action, ValidationType};
use crate::pki::cert::Certificate;
use crate::pki::revocation::ChainRevocation;
use crate::settings::Mode;
use crate::source::Descriptor;
use crate::trust::store::NotationStoreError;
use chrono::{DateTime, FixedOffset, Utc};
use std::collections::BTreeMap;

/// The payload content type notation accepts.
pub const PAYLOAD_CONTENT_TYPE: &str = "application/vnd.cncf.notary.payload.v1+json";
/// The signing scheme of CA-issued signatures.
pub const SCHEME_X509: &str = "notary.x509";
/// The signing scheme of signing-authority signatures.
pub const SCHEME_SIGNING_AUTHORITY: &str = "notary.x509.signingAuthority";
/// Extended attribute naming a verification plugin.
pub const VERIFICATION_PLUGIN: &str = "io.cncf.notary.verificationPlugin";
/// Extended attribute naming the plugin's minimum version.
pub const VERIFICATION_PLUGIN_MIN_VERSION: &str = "io.cncf.notary.verificationPluginMinVersion";

/// One extended (signed, non-standard) attribute of the envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtendedAttribute {
    /// Its key (COSE integer labels as decimal text).
    pub key: String,
    /// Whether it is listed in `crit`.
    pub critical: bool,
    /// Its value.
    pub value: serde_json::Value,
}

/// What integrity yields: the envelope's signer information and payload, signature checked.
#[derive(Debug, Clone)]
pub struct VerifiedEnvelope {
    /// `notary.x509` or `notary.x509.signingAuthority`.
    pub signing_scheme: String,
    /// Signing time (x509) or authentic signing time (signingAuthority), as encoded.
    pub signing_time: Option<DateTime<FixedOffset>>,
    /// Expiry, as encoded (the offset matters for notation's message).
    pub expiry: Option<DateTime<FixedOffset>>,
    /// Certificate chain, leaf first.
    pub chain: Vec<Certificate>,
    /// The RFC 3161 countersignature, when present.
    pub timestamp_token: Option<Vec<u8>>,
    /// The raw signature bytes (what the countersignature covers).
    pub signature: Vec<u8>,
    /// Extended attributes.
    pub extended_attributes: Vec<ExtendedAttribute>,
    /// Payload content type (`cty`).
    pub payload_content_type: String,
    /// Payload bytes.
    pub payload: Vec<u8>,
}

/// Store type a policy entry names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// `ca:`
    Ca,
    /// `signingAuthority:`
    SigningAuthority,
    /// `tsa:`
    Tsa,
}

impl StoreKind {
    /// The policy prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Ca => "ca",
            Self::SigningAuthority => "signingAuthority",
            Self::Tsa => "tsa",
        }
    }
}

/// The parts of the applicable trust policy statement the validations read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementView {
    /// Statement name.
    pub name: String,
    /// Its registry scopes.
    pub registry_scopes: Vec<String>,
    /// `type:name` trust store entries, in policy order.
    pub trust_stores: Vec<String>,
    /// Trusted identities, in policy order.
    pub trusted_identities: Vec<String>,
    /// `verifyTimestamp: afterCertExpiry`.
    pub verify_timestamp_after_cert_expiry: bool,
    /// The level (with overrides applied).
    pub level: LevelActions,
}

/// Which certificate chain a revocation check is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainPurpose {
    /// The signing chain.
    CodeSigning,
    /// The TSA chain of a countersignature.
    Timestamping,
}

/// The revocation verdict on a chain (notation-go's `revocationFinalResult`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevocationStatus {
    /// Every certificate is good or has no revocation method.
    Ok,
    /// This certificate (subject) is revoked.
    Revoked(String),
    /// This certificate's (subject) status could not be established.
    Unknown(String),
    /// The check itself failed (`unable to check revocation status, err: ...` text inside).
    Error(String),
    /// No revocation checker is available for a chain that names revocation services.
    NotChecked(String),
}

/// The stages other modules provide.
pub trait Stages {
    /// notation-go `GetApplicableTrustPolicy` for `artifact_reference`; the error is notation's
    /// message (e.g. `artifact "..." has no applicable trust policy statement. ...`).
    fn applicable_statement(&self, artifact_reference: &str) -> Result<StatementView, String>;

    /// Parses and verifies the envelope (integrity, except the payload content type check).
    /// The error is notation's integrity message, already prefixed where notation prefixes it.
    fn open_envelope(&self, media_type: &str, blob: &[u8]) -> Result<VerifiedEnvelope, String>;

    /// The certificates of one named store; the error is notation-go's error for it (its
    /// message is what the validation result says).
    fn trusted_certificates(
        &self,
        kind: StoreKind,
        name: &str,
    ) -> Result<Vec<Certificate>, NotationStoreError>;

    /// notation-go `verifyX509TrustedIdentities` for the leaf.
    fn check_trusted_identities(
        &self,
        statement: &StatementView,
        leaf: &Certificate,
    ) -> Result<(), String>;

    /// The timestamp branch of authenticTimestamp: parse the countersignature `token` over
    /// `signature`, verify it against the TSA roots (`load_tsa_roots` is called only once the
    /// token has been read, as notation-go orders it), check it against every certificate of
    /// `signing_chain`, and check the TSA chain's revocation. The error is notation's message;
    /// the TSA chain's revocation details, when that check ran, are for the report only.
    fn verify_timestamp(
        &self,
        token: Option<&[u8]>,
        signature: &[u8],
        signing_chain: &[Certificate],
        load_tsa_roots: &mut dyn FnMut() -> Result<Vec<Certificate>, String>,
    ) -> (Result<(), String>, Option<ChainRevocation>);

    /// Revocation status of `chain`, with the per-certificate details for the report when the
    /// stage has them. The status alone decides the verdict.
    fn revocation(
        &self,
        chain: &[Certificate],
        purpose: ChainPurpose,
        authentic_signing_time: Option<DateTime<Utc>>,
    ) -> (RevocationStatus, Option<ChainRevocation>);
}

/// Stages shared between verifications (a scan's sources that name one Secret): the trust
/// material is parsed once and every verification reads it.
impl<S: Stages + ?Sized> Stages for std::sync::Arc<S> {
    fn applicable_statement(&self, artifact_reference: &str) -> Result<StatementView, String> {
        (**self).applicable_statement(artifact_reference)
    }

    fn open_envelope(&self, media_type: &str, blob: &[u8]) -> Result<VerifiedEnvelope, String> {
        (**self).open_envelope(media_type, blob)
    }

    fn trusted_certificates(
        &self,
        kind: StoreKind,
        name: &str,
    ) -> Result<Vec<Certificate>, NotationStoreError> {
        (**self).trusted_certificates(kind, name)
    }

    fn check_trusted_identities(
        &self,
        statement: &StatementView,
        leaf: &Certificate,
    ) -> Result<(), String> {
        (**self).check_trusted_identities(statement, leaf)
    }

    fn verify_timestamp(
        &self,
        token: Option<&[u8]>,
        signature: &[u8],
        signing_chain: &[Certificate],
        load_tsa_roots: &mut dyn FnMut() -> Result<Vec<Certificate>, String>,
    ) -> (Result<(), String>, Option<ChainRevocation>) {
        (**self).verify_timestamp(token, signature, signing_chain, load_tsa_roots)
    }

    fn revocation(
        &self,
        chain: &[Certificate],
        purpose: ChainPurpose,
        authentic_signing_time: Option<DateTime<Utc>>,
    ) -> (RevocationStatus, Option<ChainRevocation>) {
        (**self).revocation(chain, purpose, authentic_signing_time)
    }
}

/// Per-verification settings of `verifier.Verify`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignatureOptions {
    /// Flux (nil plugin manager) or notation (plugin manager with no plugins).
    pub mode: Mode,
    /// `key=value` pairs that must be in the payload's annotations (notation mode).
    pub user_metadata: BTreeMap<String, String>,
    /// The notation plugin directory, shown in the plugin-not-found message.
    pub plugin_dir: String,

    /// Whether `tsa:` stores are understood (source-controller 1.4+, notation).
    pub timestamps_supported: bool,
}

pub use crate::golang::time::rfc1123z;

struct Run<'a> {
    level: &'a LevelActions,
    results: Vec<ValidationResult>,
    /// When the step being recorded started (the previous step's end), for the debug log.
    step_started: std::time::Instant,
}

impl Run<'_> {
    /// Records a result; returns the error when it is critical (enforced failure).
    fn record(
        &mut self,
        validation: ValidationType,
        error: Option<ValidationError>,
    ) -> Result<(), SignatureError> {
        let action = if validation == ValidationType::Integrity {
            Action::Enforce
        } else {
            self.level.action(validation)
        };
        let result = ValidationResult {
            validation,
            action,
            error,
        };
        let critical = result.is_critical();
        let error = result.error.clone();
        let outcome = match (&error, critical) {
            (None, _) => "passed",
            (Some(_), true) => "failed",
            (Some(_), false) => "failed, logged only",
        };
        // An `Option` field is recorded only when it is `Some`.
        tracing::debug!(target: "fluxverify::signature",
            step = %validation.name(),
            action = %action.name(),
            result = %outcome,
            error = error.as_ref().map(tracing::field::display),
            ms = crate::logging::elapsed_ms(self.step_started),
            "signature check"
        );
        self.step_started = std::time::Instant::now();
        self.results.push(result);
        match error {
            Some(e) if critical => Err(SignatureError::Validation(e)),
            _ => Ok(()),
        }
    }
}

/// `verifier.Verify` for one signature of `artifact`.
pub fn verify_signature<S: Stages>(
    stages: &S,
    statement: &StatementView,
    options: &SignatureOptions,
    artifact: &Descriptor,
    envelope_media_type: &str,
    blob: &[u8],
    now: DateTime<Utc>,
) -> SignatureOutcome {
    let mut run = Run {
        level: &statement.level,
        results: Vec::new(),
        step_started: std::time::Instant::now(),
    };
    let mut facts = SignatureFacts::default();
    let error = process(
        stages,
        statement,
        options,
        artifact,
        envelope_media_type,
        blob,
        now,
        &mut run,
        &mut facts,
    )
    .err();
    SignatureOutcome {
        level: statement.level.clone(),
        results: run.results,
        error,
        facts,
    }
}

#[allow(clippy::too_many_arguments)]
fn process<S: Stages>(
    stages: &S,
    statement: &StatementView,
    options: &SignatureOptions,
    artifact: &Descriptor,
    envelope_media_type: &str,
    blob: &[u8],
    now: DateTime<Utc>,
    run: &mut Run<'_>,
    facts: &mut SignatureFacts,
) -> Result<(), SignatureError> {
    if statement.level.is_skip() {
        return Ok(());
    }

    // 1. integrity
    let envelope = match stages.open_envelope(envelope_media_type, blob) {
        Ok(envelope) if envelope.payload_content_type != PAYLOAD_CONTENT_TYPE => {
            let message = format!(
                "payload content type {:?} not supported",
                envelope.payload_content_type
            );
            return run.record(
                ValidationType::Integrity,
                Some(ValidationError::Integrity(message)),
            );
        }
        Ok(envelope) => envelope,
        Err(message) => {
            return run.record(
                ValidationType::Integrity,
                Some(ValidationError::Integrity(message)),
            );
        }
    };
    run.record(ValidationType::Integrity, None)?;
    facts.signing_scheme = Some(envelope.signing_scheme.clone());
    facts.signer = envelope.chain.first().map(Certificate::subject);
    let target = payload::parse_target(&envelope.payload);
    facts.target = target.as_ref().ok().map(|t| Descriptor {
        media_type: t.media_type.clone(),
        digest: t.digest.clone(),
        size: u64::try_from(t.size).unwrap_or_default(),
        ..Descriptor::default()
    });

    // 2. verification plugin
    plugin::check(&envelope, options)?;

    // 3. authenticity: trust store, then trusted identities (which overwrite its error)
    let authenticity = authenticity::check(stages, statement, &envelope, facts);
    run.record(ValidationType::Authenticity, authenticity)?;

    // 4. expiry
    run.record(ValidationType::Expiry, expiry::check(&envelope, now))?;

    // 5. authentic timestamp
    let timestamp_error = timestamp::check(stages, statement, options, &envelope, now, facts);
    run.record(ValidationType::AuthenticTimestamp, timestamp_error)?;

    // 6. revocation, unless the policy skips it
    if statement.level.action(ValidationType::Revocation) != Action::Skip {
        let error = revocation::check(stages, &envelope, facts);
        run.record(ValidationType::Revocation, error)?;
    }

    // 7. payload binding and 8. user metadata
    payload::check(target, artifact, options)
}

/// notation-go's verifier over a set of [`Stages`]: `SkipVerify` and `verifier.Verify`.
#[derive(Debug, Clone)]
pub struct Verifier<S> {
    /// The stages.
    pub stages: S,
    /// Per-verification settings.
    pub options: SignatureOptions,
    /// The verification time.
    pub now: DateTime<Utc>,
}

impl<S: Stages> super::signatures::SignatureVerifier for Verifier<S> {
    fn level(&self, artifact_reference: &str) -> Result<LevelActions, super::outcome::VerifyError> {
        self.stages
            .applicable_statement(artifact_reference)
            .map(|s| s.level)
            .map_err(super::outcome::VerifyError::NoApplicablePolicy)
    }

    fn verify(
        &self,
        artifact: &Descriptor,
        signature: &crate::source::FetchedSignature,
        artifact_reference: &str,
    ) -> SignatureOutcome {
        let digest = &signature.manifest.digest;
        let short = digest.get(..19).unwrap_or(digest);
        let span =
            tracing::debug_span!(target: "fluxverify::signature", "signature", manifest = %short);
        let _entered = span.enter();
        let started = std::time::Instant::now();
        let outcome = self.verify_in_span(artifact, signature, artifact_reference);
        tracing::debug!(target: "fluxverify::signature",
            manifest = %digest,
            ms = crate::logging::elapsed_ms(started),
            error = outcome.error.as_ref().map(tracing::field::display),
            "{}",
            if outcome.error.is_none() { "signature verified" } else { "signature not verified" }
        );
        outcome
    }
}

impl<S: Stages> Verifier<S> {
    /// [`super::signatures::SignatureVerifier::verify`] inside its log span.
    fn verify_in_span(
        &self,
        artifact: &Descriptor,
        signature: &crate::source::FetchedSignature,
        artifact_reference: &str,
    ) -> SignatureOutcome {
        match self.stages.applicable_statement(artifact_reference) {
            Ok(statement) => verify_signature(
                &self.stages,
                &statement,
                &self.options,
                artifact,
                &signature.envelope.media_type,
                &signature.blob,
                self.now,
            ),
            // Unreachable after SkipVerify selected the same statement; fail closed anyway.
            Err(message) => SignatureOutcome {
                level: LevelActions {
                    name: String::new(),
                    actions: [
                        (ValidationType::Integrity, Action::Enforce),
                        (ValidationType::Authenticity, Action::Enforce),
                        (ValidationType::AuthenticTimestamp, Action::Enforce),
                        (ValidationType::Expiry, Action::Enforce),
                        (ValidationType::Revocation, Action::Enforce),
                    ],
                },
                results: Vec::new(),
                error: Some(SignatureError::Policy(message)),
                facts: SignatureFacts::default(),
            },
        }
    }
}
