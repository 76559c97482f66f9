//! notation-go's `verifier.Verify` for one signature: the validations in notation's order under
//! the statement's level, then the payload binding and user metadata.
//!
//! The stages that belong to other modules (envelope parsing, trust stores and identities,
//! timestamps, revocation) are reached through [`Stages`], so the order and the enforce / log
//! logic here are one piece of code whatever provides them.

use super::outcome::{
    LevelActions, SignatureError, SignatureFacts, SignatureOutcome, UntrustedChain,
    ValidationError, ValidationResult,
};
use super::{Action, ValidationType};
use crate::golang::quote::go_quote;
use crate::pki::cert::Certificate;
use crate::pki::revocation::ChainRevocation;
use crate::settings::Mode;
use crate::source::Descriptor;
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

    /// The certificates of one named store; the error is the store's message.
    fn trusted_certificates(&self, kind: StoreKind, name: &str)
        -> Result<Vec<Certificate>, String>;

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
    ) -> Result<Vec<Certificate>, String> {
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
    let target = parse_target(&envelope.payload);
    facts.target = target.as_ref().ok().map(|t| Descriptor {
        media_type: t.media_type.clone(),
        digest: t.digest.clone(),
        size: u64::try_from(t.size).unwrap_or_default(),
        ..Descriptor::default()
    });

    // 2. verification plugin
    check_plugin(&envelope, options)?;

    // 3. authenticity: trust store, then trusted identities (which overwrite its error)
    let store_kind = match envelope.signing_scheme.as_str() {
        SCHEME_X509 => Ok(StoreKind::Ca),
        SCHEME_SIGNING_AUTHORITY => Ok(StoreKind::SigningAuthority),
        other => Err(format!(
            "error while loading the trust store, unrecognized signing scheme {other:?}"
        )),
    };
    let trusted = store_kind.and_then(|kind| load_stores(stages, statement, kind));
    let mut authenticity = trusted
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|trusted| chain_contains_trusted(&envelope.chain, trusted))
        .err()
        .map(ValidationError::Authenticity);
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
        return run.record(ValidationType::Authenticity, authenticity);
    }
    let identities = match envelope.chain.first() {
        Some(leaf) => stages.check_trusted_identities(statement, leaf),
        // Integrity rejects an empty chain; should one get here, nothing can match.
        None => Err("certificate chain is not present".to_string()),
    };
    if let Err(message) = identities {
        authenticity = Some(ValidationError::TrustedIdentity(message));
    }
    run.record(ValidationType::Authenticity, authenticity)?;

    // 4. expiry
    let expired = envelope
        .expiry
        .filter(|expiry| now >= expiry.with_timezone(&Utc));
    run.record(
        ValidationType::Expiry,
        expired.map(|e| {
            ValidationError::Expiry(format!(
                "digital signature has expired on {:?}",
                rfc1123z(&e)
            ))
        }),
    )?;

    // 5. authentic timestamp
    let timestamp_error = authentic_timestamp(stages, statement, options, &envelope, now, facts);
    run.record(ValidationType::AuthenticTimestamp, timestamp_error)?;

    // 6. revocation, unless the policy skips it
    if statement.level.action(ValidationType::Revocation) != Action::Skip {
        let authentic_time = (envelope.signing_scheme == SCHEME_SIGNING_AUTHORITY)
            .then(|| envelope.signing_time.map(|t| t.with_timezone(&Utc)))
            .flatten();
        let (status, details) =
            stages.revocation(&envelope.chain, ChainPurpose::CodeSigning, authentic_time);
        // The signing chain first, as the report lists it.
        if let Some(details) = details {
            facts.revocation.insert(0, details);
        }
        let error = match status {
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
        };
        run.record(ValidationType::Revocation, error)?;
    }

    // 7. payload binding: mediaType, digest and size only
    let target = target.map_err(SignatureError::Payload)?;
    let size = i64::try_from(artifact.size).unwrap_or(i64::MAX);
    if !target.matches(&artifact.media_type, &artifact.digest, size) {
        return Err(SignatureError::PayloadMismatch);
    }

    // 8. user metadata (the notation CLI's --user-metadata; Flux passes none)
    for (key, value) in &options.user_metadata {
        if target.annotations.get(key) != Some(value) {
            return Err(SignatureError::UserMetadata);
        }
    }
    Ok(())
}

/// `json.Unmarshal(payload.Content, &envelope.Payload)` with Go's semantics and messages.
fn parse_target(payload: &[u8]) -> Result<crate::envelope::payload::Descriptor, String> {
    crate::envelope::payload::Payload::parse(payload)
        .map(|p| p.target_artifact)
        .map_err(|e| e.to_string())
}

/// A critical string extended attribute, as notation-go's `extractCriticalStringExtendedAttribute`.
fn critical_string(envelope: &VerifiedEnvelope, key: &str) -> Option<Result<String, String>> {
    let attribute = envelope.extended_attributes.iter().find(|a| a.key == key)?;
    if !attribute.critical {
        return Some(Err(format!("{key} is not a critical Extended attribute")));
    }
    Some(match &attribute.value {
        serde_json::Value::String(s) => Ok(s.clone()),
        _ => Err(format!("{key} from extended attribute is not a string")),
    })
}

fn check_plugin(
    envelope: &VerifiedEnvelope,
    options: &SignatureOptions,
) -> Result<(), SignatureError> {
    let name = match critical_string(envelope, VERIFICATION_PLUGIN) {
        None => return Ok(()),
        Some(Err(e)) => return Err(SignatureError::Plugin(e)),
        Some(Ok(name)) if name.trim().is_empty() => {
            return Err(SignatureError::Plugin(format!(
                "{VERIFICATION_PLUGIN} from extended attribute is an empty string"
            )))
        }
        Some(Ok(name)) => name,
    };
    match critical_string(envelope, VERIFICATION_PLUGIN_MIN_VERSION) {
        None => {}
        Some(Err(e)) => {
            return Err(SignatureError::Plugin(format!(
                "error while getting plugin minimum version, error: {e}"
            )))
        }
        Some(Ok(v)) if v.trim().is_empty() => {
            return Err(SignatureError::Plugin(format!(
                "error while getting plugin minimum version, error: {VERIFICATION_PLUGIN_MIN_VERSION} from extended attribute is an empty string"
            )))
        }
        Some(Ok(v)) if semver::Version::parse(v.trim_start_matches('v')).is_err() => {
            return Err(SignatureError::Plugin(format!(
                "error while getting plugin minimum version, error: value {v:?} for attribute {VERIFICATION_PLUGIN_MIN_VERSION:?} is not a valid SemVer"
            )))
        }
        Some(Ok(_)) => {}
    }
    Err(SignatureError::Plugin(match options.mode {
        // source-controller builds its verifier with a nil plugin manager.
        Mode::Flux => "plugin unsupported due to nil verifier.pluginManager".to_string(),
        // fluxverify runs no plugins; the notation CLI with none installed says this.
        Mode::Notation => format!(
            "error while locating the verification plugin {name:?}, make sure the plugin is installed successfully before verifying the signature. error: plugin executable file is either not found or inaccessible: stat {}/{name}/notation-{name}: no such file or directory",
            options.plugin_dir
        ),
    }))
}

/// The certificates of every policy store of `kind`, each entry loaded once, in policy order.
fn load_stores<S: Stages>(
    stages: &S,
    statement: &StatementView,
    kind: StoreKind,
) -> Result<Vec<Certificate>, String> {
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

fn authentic_timestamp<S: Stages>(
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

    let mut load_roots = || load_stores(stages, statement, StoreKind::Tsa);
    let (result, tsa_revocation) = stages.verify_timestamp(
        envelope.timestamp_token.as_deref(),
        &envelope.signature,
        &envelope.chain,
        &mut load_roots,
    );
    facts.revocation.extend(tsa_revocation);
    result.err().map(ValidationError::AuthenticTimestamp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::revocation::{
        CertResult, Purpose, RevocationMethod, RevocationMode, RevocationStatus as PkiStatus,
        ServerResult,
    };
    use std::cell::RefCell;

    const KEYS: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/upstream/notation/test/e2e/testdata/config/localkeys"
    );

    fn cert(name: &str) -> Certificate {
        let pem = std::fs::read(format!("{KEYS}/{name}")).unwrap();
        let (_, der) = der::pem::decode_vec(&pem).unwrap();
        Certificate::from_der(&der).unwrap()
    }

    fn level(name: &str, actions: [Action; 4]) -> LevelActions {
        LevelActions {
            name: name.into(),
            actions: [
                (ValidationType::Integrity, Action::Enforce),
                (ValidationType::Authenticity, actions[0]),
                (ValidationType::AuthenticTimestamp, actions[1]),
                (ValidationType::Expiry, actions[2]),
                (ValidationType::Revocation, actions[3]),
            ],
        }
    }

    fn strict() -> LevelActions {
        level("strict", [Action::Enforce; 4])
    }

    fn audit() -> LevelActions {
        level("audit", [Action::Log; 4])
    }

    const ARTIFACT_DIGEST: &str =
        "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";

    fn artifact() -> Descriptor {
        Descriptor {
            media_type: "application/vnd.oci.image.manifest.v1+json".into(),
            digest: ARTIFACT_DIGEST.into(),
            size: 517,
            ..Descriptor::default()
        }
    }

    fn payload(digest: &str, annotations: &str) -> Vec<u8> {
        format!(
            r#"{{"targetArtifact":{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{digest}","size":517{annotations}}}}}"#
        )
        .into_bytes()
    }

    struct Fake {
        envelope: Result<VerifiedEnvelope, String>,
        store: Vec<Certificate>,
        identity: Result<(), String>,
        timestamp: Result<(), String>,
        revocation: RevocationStatus,
        signing_details: Option<ChainRevocation>,
        tsa_details: Option<ChainRevocation>,
        calls: RefCell<Vec<String>>,
        revocation_time: RefCell<Option<Option<DateTime<Utc>>>>,
    }

    impl Fake {
        fn new(envelope: VerifiedEnvelope) -> Self {
            Self {
                envelope: Ok(envelope),
                store: vec![cert("e2e.crt")],
                identity: Ok(()),
                timestamp: Err("no token expected".into()),
                revocation: RevocationStatus::Ok,
                signing_details: None,
                tsa_details: None,
                calls: RefCell::new(Vec::new()),
                revocation_time: RefCell::new(None),
            }
        }
    }

    impl Stages for Fake {
        fn applicable_statement(&self, _r: &str) -> Result<StatementView, String> {
            Ok(statement(strict()))
        }
        fn open_envelope(&self, _m: &str, _b: &[u8]) -> Result<VerifiedEnvelope, String> {
            self.calls.borrow_mut().push("integrity".into());
            self.envelope.clone()
        }
        fn trusted_certificates(
            &self,
            kind: StoreKind,
            name: &str,
        ) -> Result<Vec<Certificate>, String> {
            self.calls
                .borrow_mut()
                .push(format!("store {}:{name}", kind.prefix()));
            Ok(self.store.clone())
        }
        fn check_trusted_identities(
            &self,
            _s: &StatementView,
            _l: &Certificate,
        ) -> Result<(), String> {
            self.calls.borrow_mut().push("identity".into());
            self.identity.clone()
        }
        fn verify_timestamp(
            &self,
            token: Option<&[u8]>,
            _s: &[u8],
            _c: &[Certificate],
            load: &mut dyn FnMut() -> Result<Vec<Certificate>, String>,
        ) -> (Result<(), String>, Option<ChainRevocation>) {
            if token.is_none() {
                let missing = "no timestamp countersignature was found in the signature envelope";
                return (Err(missing.into()), None);
            }
            let roots = match load() {
                Ok(roots) => roots,
                Err(e) => return (Err(e), None),
            };
            self.calls
                .borrow_mut()
                .push(format!("timestamp with {} roots", roots.len()));
            (self.timestamp.clone(), self.tsa_details.clone())
        }
        fn revocation(
            &self,
            _c: &[Certificate],
            purpose: ChainPurpose,
            t: Option<DateTime<Utc>>,
        ) -> (RevocationStatus, Option<ChainRevocation>) {
            self.revocation_time.replace(Some(t));
            self.calls
                .borrow_mut()
                .push(format!("revocation {purpose:?}"));
            (self.revocation.clone(), self.signing_details.clone())
        }
    }

    fn chain_details(purpose: Purpose, subject: &str, status: PkiStatus) -> ChainRevocation {
        ChainRevocation {
            purpose,
            mode: RevocationMode::OcspWithCrlFallback,
            certificates: vec![CertResult {
                subject: subject.into(),
                status,
                method: RevocationMethod::Crl,
                servers: vec![ServerResult {
                    server: "http://localhost:10086/leaf.crl".into(),
                    method: RevocationMethod::Crl,
                    status,
                    error: None,
                    duration: std::time::Duration::from_millis(7),
                }],
                duration: std::time::Duration::from_millis(8),
            }],
            error: None,
        }
    }

    fn envelope() -> VerifiedEnvelope {
        VerifiedEnvelope {
            signing_scheme: SCHEME_X509.into(),
            signing_time: DateTime::parse_from_rfc3339("2023-06-27T13:21:21+08:00").ok(),
            expiry: None,
            chain: vec![cert("e2e.crt")],
            timestamp_token: None,
            signature: vec![1, 2, 3],
            extended_attributes: Vec::new(),
            payload_content_type: PAYLOAD_CONTENT_TYPE.into(),
            payload: payload(ARTIFACT_DIGEST, ""),
        }
    }

    fn statement(level: LevelActions) -> StatementView {
        StatementView {
            name: "e2e".into(),
            registry_scopes: vec!["*".into()],
            trust_stores: vec!["ca:e2e".into()],
            trusted_identities: vec!["*".into()],
            verify_timestamp_after_cert_expiry: false,
            level,
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-27T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn run(
        stages: &Fake,
        statement: &StatementView,
        options: &SignatureOptions,
    ) -> SignatureOutcome {
        verify_signature(
            stages,
            statement,
            options,
            &artifact(),
            "application/jose+json",
            b"x",
            now(),
        )
    }

    fn flux() -> SignatureOptions {
        SignatureOptions {
            timestamps_supported: true,
            ..SignatureOptions::default()
        }
    }

    fn types(o: &SignatureOutcome) -> Vec<String> {
        o.results
            .iter()
            .map(|r| format!("{}:{}:{}", r.validation, r.action, r.error.is_some()))
            .collect()
    }

    #[test]
    fn all_validations_in_notation_order() {
        let fake = Fake::new(envelope());
        let o = run(&fake, &statement(strict()), &flux());
        assert!(o.verified(), "{:?}", o.error);
        assert_eq!(
            types(&o),
            [
                "integrity:enforce:false",
                "authenticity:enforce:false",
                "expiry:enforce:false",
                "authenticTimestamp:enforce:false",
                "revocation:enforce:false"
            ]
        );
        assert_eq!(
            fake.calls.into_inner(),
            [
                "integrity",
                "store ca:e2e",
                "identity",
                "revocation CodeSigning"
            ]
        );
    }

    #[test]
    fn enforced_integrity_failure_stops_everything() {
        let mut fake = Fake::new(envelope());
        fake.envelope = Err("unable to parse the digital signature, error : bad".into());
        let o = run(&fake, &statement(audit()), &flux());
        assert_eq!(
            o.error.as_ref().map(|e| e.to_string()).as_deref(),
            Some("unable to parse the digital signature, error : bad")
        );
        assert_eq!(types(&o), ["integrity:enforce:true"]);
    }

    #[test]
    fn payload_content_type_is_an_integrity_failure() {
        let mut e = envelope();
        e.payload_content_type = "application/json".into();
        let o = run(&Fake::new(e), &statement(strict()), &flux());
        assert_eq!(
            o.error.as_ref().map(|e| e.to_string()).as_deref(),
            Some("payload content type \"application/json\" not supported")
        );
    }

    #[test]
    fn untrusted_chain_enforced_and_logged() {
        let mut fake = Fake::new(envelope());
        fake.store = vec![cert("new_e2e.crt")];
        let o = run(&fake, &statement(strict()), &flux());
        assert_eq!(
            o.error.as_ref().map(|e| e.to_string()).as_deref(),
            Some("the signature's certificate chain does not contain any trusted certificate")
        );
        assert_eq!(
            types(&o),
            ["integrity:enforce:false", "authenticity:enforce:true"]
        );
        assert!(!fake.calls.borrow().contains(&"identity".to_string()));

        let o = run(&fake, &statement(audit()), &flux());
        assert!(o.verified());
        assert_eq!(o.logged_failures().count(), 1);
        assert_eq!(types(&o).len(), 5);
    }

    #[test]
    fn empty_store_is_inconclusive_and_store_type_follows_the_scheme() {
        let mut fake = Fake::new(envelope());
        fake.store = Vec::new();
        let o = run(&fake, &statement(strict()), &flux());
        assert_eq!(
            o.error.as_ref().map(|e| e.to_string()).as_deref(),
            Some("no trusted certificates are found to verify authenticity")
        );
        let mut e = envelope();
        e.signing_scheme = SCHEME_SIGNING_AUTHORITY.into();
        let fake = Fake::new(e);
        let o = run(&fake, &statement(strict()), &flux());
        // The policy has only a ca: store, so a signingAuthority signature finds nothing.
        assert_eq!(
            o.error.as_ref().map(|e| e.to_string()).as_deref(),
            Some("no trusted certificates are found to verify authenticity")
        );
        assert!(!fake.calls.borrow().iter().any(|c| c.starts_with("store")));
    }

    #[test]
    fn identity_failure_replaces_authenticity_error() {
        let mut fake = Fake::new(envelope());
        fake.identity = Err("identity mismatch".into());
        let o = run(&fake, &statement(strict()), &flux());
        assert_eq!(
            o.error.as_ref().map(|e| e.to_string()).as_deref(),
            Some("identity mismatch")
        );
        let mut fake = Fake::new(envelope());
        fake.store = vec![cert("new_e2e.crt")];
        fake.identity = Err("identity mismatch".into());
        let o = run(&fake, &statement(audit()), &flux());
        assert!(o.verified());
        let errors: Vec<_> = o
            .logged_failures()
            .map(|r| r.error.clone().unwrap().to_string())
            .collect();
        assert_eq!(errors, ["identity mismatch"]);
    }

    #[test]
    fn expiry_message_keeps_the_encoded_offset() {
        let mut e = envelope();
        e.expiry = DateTime::parse_from_rfc3339("2023-06-27T13:21:21+08:00").ok();
        let o = run(&Fake::new(e.clone()), &statement(strict()), &flux());
        assert_eq!(
            o.error.as_ref().map(|e| e.to_string()).as_deref(),
            Some("digital signature has expired on \"Tue, 27 Jun 2023 13:21:21 +0800\"")
        );
        let permissive = level(
            "permissive",
            [Action::Enforce, Action::Log, Action::Log, Action::Log],
        );
        let o = run(&Fake::new(e), &statement(permissive), &flux());
        assert!(o.verified());
    }

    #[test]
    fn chain_validity_at_now_without_tsa() {
        let mut e = envelope();
        let future = DateTime::parse_from_rfc3339("2200-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        e.chain = vec![cert("e2e.crt")];
        let o = verify_signature(
            &Fake::new(e),
            &statement(strict()),
            &flux(),
            &artifact(),
            "application/jose+json",
            b"x",
            future,
        );
        let message = o.error.as_ref().map(|e| e.to_string()).unwrap();
        assert!(message.starts_with("verification time is after certificate \"CN=e2e,O=Notary,L=Seattle,ST=WA,C=US\" validity period, it was expired at \""), "{message}");
    }

    #[test]
    fn tsa_store_requires_a_countersignature() {
        let mut st = statement(strict());
        st.trust_stores.push("tsa:ts".into());
        let fake = Fake::new(envelope());
        let o = run(&fake, &st, &flux());
        assert_eq!(
            o.error.as_ref().map(|e| e.to_string()).as_deref(),
            Some("no timestamp countersignature was found in the signature envelope")
        );
        // afterCertExpiry with an unexpired chain: validity at now instead.
        st.verify_timestamp_after_cert_expiry = true;
        assert!(run(&Fake::new(envelope()), &st, &flux()).verified());
    }

    #[test]
    fn timestamp_stage_gets_the_tsa_roots_and_its_error_is_the_result() {
        let mut st = statement(strict());
        st.trust_stores.push("tsa:ts".into());
        let mut e = envelope();
        e.timestamp_token = Some(vec![0x30]);
        let mut fake = Fake::new(e);
        fake.timestamp = Err(
            "timestamping certificate with subject \"CN=TSA\" revocation status is unknown".into(),
        );
        let o = run(&fake, &st, &flux());
        assert_eq!(
            o.error.as_ref().map(|e| e.to_string()).as_deref(),
            Some("timestamping certificate with subject \"CN=TSA\" revocation status is unknown")
        );
        assert!(fake
            .calls
            .borrow()
            .contains(&"timestamp with 1 roots".to_string()));
        assert!(fake.calls.borrow().contains(&"store tsa:ts".to_string()));
    }

    #[test]
    fn revocation_details_reach_the_outcome_and_the_status_alone_decides() {
        let mut st = statement(strict());
        st.trust_stores.push("tsa:ts".into());
        let mut e = envelope();
        e.timestamp_token = Some(vec![0x30]);
        let mut fake = Fake::new(e);
        fake.timestamp = Ok(());
        fake.tsa_details = Some(chain_details(
            Purpose::Timestamping,
            "CN=TSA",
            PkiStatus::Ok,
        ));
        let leaf = "CN=a\u{1}b";
        fake.signing_details = Some(chain_details(
            Purpose::CodeSigning,
            leaf,
            PkiStatus::Revoked,
        ));
        fake.revocation = RevocationStatus::Revoked(leaf.into());
        let o = run(&fake, &st, &flux());
        // Go %q, not Rust's Debug (which would print \u{1}).
        assert_eq!(
            o.error.as_ref().map(|e| e.to_string()).as_deref(),
            Some("signing certificate with subject \"CN=a\\x01b\" is revoked")
        );
        let subjects: Vec<(Purpose, &str)> = o
            .facts
            .revocation
            .iter()
            .flat_map(|c| {
                c.certificates
                    .iter()
                    .map(move |r| (c.purpose, r.subject.as_str()))
            })
            .collect();
        assert_eq!(
            subjects,
            [
                (Purpose::CodeSigning, leaf),
                (Purpose::Timestamping, "CN=TSA")
            ]
        );

        // Details saying "revoked" do not fail a signature whose status is OK.
        fake.revocation = RevocationStatus::Ok;
        let o = run(&fake, &st, &flux());
        assert!(o.verified());
        assert_eq!(o.facts.revocation.len(), 2);

        // Skipped revocation: only the TSA chain's check (which always runs) is reported.
        let skip_revocation = level(
            "custom",
            [
                Action::Enforce,
                Action::Enforce,
                Action::Enforce,
                Action::Skip,
            ],
        );
        let mut st = statement(skip_revocation);
        st.trust_stores.push("tsa:ts".into());
        let o = run(&fake, &st, &flux());
        assert_eq!(o.facts.revocation.len(), 1);
        assert_eq!(
            o.facts.revocation.first().map(|c| c.purpose),
            Some(Purpose::Timestamping)
        );
    }

    #[test]
    fn revocation_not_checked_never_passes_when_enforced() {
        let mut fake = Fake::new(envelope());
        fake.revocation = RevocationStatus::NotChecked("no checker".into());
        let o = run(&fake, &statement(strict()), &flux());
        assert!(!o.verified());
        let skip_revocation = level(
            "custom",
            [
                Action::Enforce,
                Action::Enforce,
                Action::Enforce,
                Action::Skip,
            ],
        );
        let o = run(&fake, &statement(skip_revocation), &flux());
        assert!(o.verified());
        assert_eq!(o.results.len(), 4);
    }

    #[test]
    fn revocation_by_level() {
        let permissive = level(
            "permissive",
            [Action::Enforce, Action::Log, Action::Log, Action::Log],
        );
        for (status, message) in [
            (
                RevocationStatus::Revoked("CN=leaf".into()),
                "signing certificate with subject \"CN=leaf\" is revoked",
            ),
            (
                RevocationStatus::Unknown("CN=leaf".into()),
                "signing certificate with subject \"CN=leaf\" revocation status is unknown",
            ),
            (
                RevocationStatus::Error("boom".into()),
                "unable to check revocation status, err: boom",
            ),
        ] {
            let mut fake = Fake::new(envelope());
            fake.revocation = status;
            let o = run(&fake, &statement(strict()), &flux());
            assert_eq!(
                o.error.as_ref().map(|e| e.to_string()).as_deref(),
                Some(message)
            );
            let o = run(&fake, &statement(permissive.clone()), &flux());
            assert!(o.verified());
            let logged: Vec<_> = o.logged_failures().map(|r| r.validation).collect();
            assert_eq!(logged, [ValidationType::Revocation]);
            let o = run(&fake, &statement(audit()), &flux());
            assert!(o.verified());
        }
    }

    #[test]
    fn signature_for_another_digest_is_a_payload_mismatch() {
        let mut e = envelope();
        e.payload = payload(
            "sha256:0000000000000000000000000000000000000000000000000000000000000000",
            "",
        );
        let o = run(&Fake::new(e), &statement(strict()), &flux());
        assert_eq!(o.error, Some(SignatureError::PayloadMismatch));
        assert_eq!(o.results.len(), 5, "all validations pass first");
    }

    #[test]
    fn user_metadata_must_be_in_the_payload() {
        let mut e = envelope();
        e.payload = payload(ARTIFACT_DIGEST, r#","annotations":{"k":"v"}"#);
        let mut options = flux();
        options.mode = Mode::Notation;
        options.user_metadata.insert("k".into(), "v".into());
        assert!(run(&Fake::new(e.clone()), &statement(strict()), &options).verified());
        options.user_metadata.insert("k".into(), "w".into());
        let o = run(&Fake::new(e), &statement(strict()), &options);
        assert_eq!(
            o.error.as_ref().map(|e| e.to_string()).as_deref(),
            Some("unable to find specified metadata in the signature")
        );
    }

    #[test]
    fn plugin_signatures_fail_by_mode() {
        let mut e = envelope();
        e.extended_attributes.push(ExtendedAttribute {
            key: VERIFICATION_PLUGIN.into(),
            critical: true,
            value: serde_json::json!("plugin-name"),
        });
        let o = run(&Fake::new(e.clone()), &statement(audit()), &flux());
        assert_eq!(
            o.error.as_ref().map(|e| e.to_string()).as_deref(),
            Some("plugin unsupported due to nil verifier.pluginManager")
        );
        assert_eq!(o.results.len(), 1);
        let options = SignatureOptions {
            mode: Mode::Notation,
            plugin_dir: "<notation-plugin-dir>".into(),
            ..flux()
        };
        let o = run(&Fake::new(e.clone()), &statement(strict()), &options);
        assert_eq!(
            o.error.as_ref().map(|e| e.to_string()).as_deref(),
            Some("error while locating the verification plugin \"plugin-name\", make sure the plugin is installed successfully before verifying the signature. error: plugin executable file is either not found or inaccessible: stat <notation-plugin-dir>/plugin-name/notation-plugin-name: no such file or directory")
        );
        e.extended_attributes[0].critical = false;
        let o = run(&Fake::new(e), &statement(strict()), &flux());
        assert_eq!(
            o.error.as_ref().map(|e| e.to_string()).as_deref(),
            Some("io.cncf.notary.verificationPlugin is not a critical Extended attribute")
        );
    }

    #[test]
    fn signing_authority_uses_the_authentic_signing_time() {
        let mut e = envelope();
        e.signing_scheme = SCHEME_SIGNING_AUTHORITY.into();
        e.signing_time = DateTime::parse_from_rfc3339("2021-01-01T00:00:00+02:00").ok();
        let mut st = statement(strict());
        st.trust_stores = vec!["signingAuthority:sa".into()];
        let o = run(&Fake::new(e), &st, &flux());
        assert_eq!(
            o.error.as_ref().map(|e| e.to_string()).as_deref(),
            Some("certificate \"CN=e2e,O=Notary,L=Seattle,ST=WA,C=US\" was not valid when the digital signature was produced at \"Fri, 01 Jan 2021 00:00:00 +0200\"")
        );
    }

    fn err(o: &SignatureOutcome) -> Option<String> {
        o.error.as_ref().map(|e| e.to_string())
    }

    fn at(
        options: &SignatureOptions,
        fake: &Fake,
        st: &StatementView,
        t: DateTime<Utc>,
    ) -> SignatureOutcome {
        verify_signature(
            fake,
            st,
            options,
            &artifact(),
            "application/jose+json",
            b"x",
            t,
        )
    }

    #[test]
    fn expiry_is_reached_at_the_exact_instant() {
        // notation-go: `!time.Now().Before(expiry)`, so now == expiry has expired.
        let mut e = envelope();
        e.expiry = Some(now().fixed_offset());
        let o = run(&Fake::new(e.clone()), &statement(strict()), &flux());
        assert_eq!(
            err(&o).as_deref(),
            Some("digital signature has expired on \"Fri, 27 Nov 2026 00:00:00 +0000\"")
        );
        e.expiry = Some((now() + chrono::Duration::seconds(1)).fixed_offset());
        assert!(run(&Fake::new(e), &statement(strict()), &flux()).verified());
    }

    #[test]
    fn chain_validity_boundaries_at_now() {
        let leaf = cert("e2e.crt");
        let fake = Fake::new(envelope());
        let st = statement(strict());
        let one = chrono::Duration::seconds(1);
        assert!(at(&flux(), &fake, &st, leaf.not_before()).verified());
        assert!(at(&flux(), &fake, &st, leaf.not_after()).verified());
        assert_eq!(
            err(&at(&flux(), &fake, &st, leaf.not_before() - one)).as_deref(),
            Some("verification time is before certificate \"CN=e2e,O=Notary,L=Seattle,ST=WA,C=US\" validity period, it will be valid from \"Mon, 19 Dec 2022 02:43:39 +0000\"")
        );
        assert_eq!(
            err(&at(&flux(), &fake, &st, leaf.not_after() + one)).as_deref(),
            Some("verification time is after certificate \"CN=e2e,O=Notary,L=Seattle,ST=WA,C=US\" validity period, it was expired at \"Sat, 19 Dec 2122 02:43:39 +0000\"")
        );
    }

    #[test]
    fn signing_authority_validity_boundaries_and_missing_time() {
        let leaf = cert("e2e.crt");
        let mut st = statement(strict());
        st.trust_stores = vec!["signingAuthority:sa".into()];
        let one = chrono::Duration::seconds(1);
        let with_time = |t: Option<DateTime<Utc>>| {
            let mut e = envelope();
            e.signing_scheme = SCHEME_SIGNING_AUTHORITY.into();
            e.signing_time = t.map(|t| t.fixed_offset());
            // Far in the future: the signing time, not now, decides.
            let late = leaf.not_after() + chrono::Duration::days(400);
            at(&flux(), &Fake::new(e), &st, late)
        };
        assert!(with_time(Some(leaf.not_before())).verified());
        assert!(with_time(Some(leaf.not_after())).verified());
        assert_eq!(
            err(&with_time(Some(leaf.not_after() + one))).as_deref(),
            Some("certificate \"CN=e2e,O=Notary,L=Seattle,ST=WA,C=US\" was not valid when the digital signature was produced at \"Sat, 19 Dec 2122 02:43:40 +0000\"")
        );
        assert_eq!(
            err(&with_time(None)).as_deref(),
            Some("authentic signing time is missing from the signature")
        );
    }

    #[test]
    fn tsa_store_is_ignored_where_timestamps_are_not_supported() {
        // source-controller 1.3: no tsa stores, so validity is checked at now and no token is needed.
        let mut st = statement(strict());
        st.trust_stores.push("tsa:ts".into());
        let options = SignatureOptions {
            timestamps_supported: false,
            ..flux()
        };
        let fake = Fake::new(envelope());
        assert!(run(&fake, &st, &options).verified());
        assert!(!fake.calls.borrow().iter().any(|c| c.contains("tsa")));
    }

    #[test]
    fn after_cert_expiry_timestamp_only_once_a_certificate_expired() {
        let leaf = cert("e2e.crt");
        let mut st = statement(strict());
        st.trust_stores.push("tsa:ts".into());
        st.verify_timestamp_after_cert_expiry = true;
        let fake = Fake::new(envelope());
        // At the last valid instant nothing has expired: validity at now, no token needed.
        assert!(at(&flux(), &fake, &st, leaf.not_after()).verified());
        let o = at(
            &flux(),
            &fake,
            &st,
            leaf.not_after() + chrono::Duration::seconds(1),
        );
        assert_eq!(
            err(&o).as_deref(),
            Some("no timestamp countersignature was found in the signature envelope")
        );
    }

    #[test]
    fn stores_of_the_scheme_type_are_loaded_once_in_policy_order() {
        let mut st = statement(strict());
        st.trust_stores = vec![
            "tsa:ts".into(),
            "ca:a".into(),
            "signingAuthority:sa".into(),
            "ca:b".into(),
            "ca:a".into(),
            "malformed".into(),
        ];
        let fake = Fake::new(envelope());
        let no_tsa = SignatureOptions {
            timestamps_supported: false,
            ..flux()
        };
        assert!(run(&fake, &st, &no_tsa).verified());
        assert_eq!(
            fake.calls.into_inner(),
            [
                "integrity",
                "store ca:a",
                "store ca:b",
                "identity",
                "revocation CodeSigning"
            ]
        );
    }

    #[test]
    fn only_signing_authority_passes_an_authentic_signing_time_to_revocation() {
        let fake = Fake::new(envelope());
        run(&fake, &statement(strict()), &flux());
        assert_eq!(fake.revocation_time.take(), Some(None));
        let mut e = envelope();
        e.signing_scheme = SCHEME_SIGNING_AUTHORITY.into();
        let mut st = statement(strict());
        st.trust_stores = vec!["signingAuthority:sa".into()];
        let fake = Fake::new(e.clone());
        assert!(run(&fake, &st, &flux()).verified());
        assert_eq!(
            fake.revocation_time.take(),
            Some(e.signing_time.map(|t| t.with_timezone(&Utc)))
        );
    }

    #[test]
    fn facts_are_read_from_the_envelope() {
        let o = run(&Fake::new(envelope()), &statement(strict()), &flux());
        assert_eq!(o.facts.signing_scheme.as_deref(), Some(SCHEME_X509));
        assert_eq!(
            o.facts.signer.as_deref(),
            Some("CN=e2e,O=Notary,L=Seattle,ST=WA,C=US")
        );
        let target = o.facts.target.unwrap();
        assert_eq!(
            target.media_type,
            "application/vnd.oci.image.manifest.v1+json"
        );
        assert_eq!(target.digest, ARTIFACT_DIGEST);
        assert_eq!(target.size, 517);
    }

    fn plugin_error(attributes: &[(&str, bool, serde_json::Value)]) -> Option<String> {
        let mut e = envelope();
        e.extended_attributes = attributes
            .iter()
            .map(|(key, critical, value)| ExtendedAttribute {
                key: (*key).into(),
                critical: *critical,
                value: value.clone(),
            })
            .collect();
        err(&run(&Fake::new(e), &statement(strict()), &flux()))
    }

    #[test]
    fn plugin_attribute_rules() {
        use serde_json::json;
        let plugin = |v: serde_json::Value| (VERIFICATION_PLUGIN, true, v);
        let min =
            |critical: bool, v: serde_json::Value| (VERIFICATION_PLUGIN_MIN_VERSION, critical, v);
        assert_eq!(
            plugin_error(&[plugin(json!(7))]).as_deref(),
            Some("io.cncf.notary.verificationPlugin from extended attribute is not a string")
        );
        assert_eq!(
            plugin_error(&[plugin(json!("  "))]).as_deref(),
            Some("io.cncf.notary.verificationPlugin from extended attribute is an empty string")
        );
        assert_eq!(
            plugin_error(&[plugin(json!("p")), min(false, json!("1.0.0"))]).as_deref(),
            Some("error while getting plugin minimum version, error: io.cncf.notary.verificationPluginMinVersion is not a critical Extended attribute")
        );
        assert_eq!(
            plugin_error(&[plugin(json!("p")), min(true, json!(" "))]).as_deref(),
            Some("error while getting plugin minimum version, error: io.cncf.notary.verificationPluginMinVersion from extended attribute is an empty string")
        );
        assert_eq!(
            plugin_error(&[plugin(json!("p")), min(true, json!("1.x"))]).as_deref(),
            Some("error while getting plugin minimum version, error: value \"1.x\" for attribute \"io.cncf.notary.verificationPluginMinVersion\" is not a valid SemVer")
        );
        assert_eq!(
            plugin_error(&[plugin(json!("p")), min(true, json!("v1.0.0"))]).as_deref(),
            Some("plugin unsupported due to nil verifier.pluginManager")
        );
        // A minimum version without a plugin is not looked at.
        assert_eq!(plugin_error(&[min(false, json!(""))]), None);
    }

    #[test]
    fn verifier_takes_level_and_statement_from_the_policy() {
        use crate::verify::signatures::SignatureVerifier as _;
        let verifier = Verifier {
            stages: Fake::new(envelope()),
            options: flux(),
            now: now(),
        };
        assert_eq!(verifier.level("reg.example/app@sha256:1"), Ok(strict()));
        let signature = crate::source::FetchedSignature {
            manifest: Descriptor::default(),
            envelope: Descriptor {
                media_type: "application/jose+json".into(),
                ..Descriptor::default()
            },
            blob: b"x".to_vec(),
        };
        let o = verifier.verify(&artifact(), &signature, "reg.example/app@sha256:1");
        assert!(o.verified(), "{:?}", o.error);
        assert_eq!(o.level, strict());
        assert_eq!(o.results.len(), 5);
    }
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
