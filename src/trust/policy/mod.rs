//! The trust policy document (`trustpolicy.json`, version 1.0).
//!
//! - [`TrustPolicyDocument::parse`] reads the bytes with Go `encoding/json` semantics, the way
//!   Flux (`json.Unmarshal`) or the notation CLI (`json.Decoder`) does, with their error texts.
//! - [`TrustPolicyDocument::validate`] is notation-go v1.3.2's `Validate`, checks in its order
//!   and with its messages.
//! - [`TrustPolicyDocument::applicable_statement`] is `GetApplicableTrustPolicy`.
//! - [`TrustPolicyStatement::verification_level`] applies `override` to give the `custom` level.

pub mod clean;
pub mod level;

pub use level::{verification_level, Action, LevelError, ValidationType, VerificationLevel};

use crate::golang::json::{self, Kind, Raw, Wording};
use crate::pki::chain::go_quote;
use crate::trust::dn::{self, DnError, DnMap};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where the notation docs explain how to write a trust policy (part of several messages).
pub const TRUST_POLICY_LINK: &str =
    "https://notaryproject.dev/docs/quickstart/#create-a-trust-policy";

/// Which reader's rules and messages to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Flux: `json.Unmarshal`, errors prefixed `error occurred while parsing trustpolicy.json: `.
    Flux,
    /// notation CLI: `json.NewDecoder(f).Decode` (trailing data ignored), one generic message.
    Notation,
}

/// The trust policy document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustPolicyDocument {
    /// `version`; only `1.0` is valid.
    pub version: String,
    /// `trustPolicies`, the statements.
    pub trust_policies: Vec<TrustPolicyStatement>,
}

/// One trust policy statement.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustPolicyStatement {
    /// `name`.
    pub name: String,
    /// `registryScopes`: `registry/repository` values or `*`.
    pub registry_scopes: Vec<String>,
    /// `signatureVerification`.
    pub signature_verification: SignatureVerification,
    /// `trustStores`: `type:name` values.
    pub trust_stores: Vec<String>,
    /// `trustedIdentities`: `*`, `x509.subject:<DN>` or other `prefix:value` values.
    pub trusted_identities: Vec<String>,
}

/// `signatureVerification` of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureVerification {
    /// `level`.
    pub level: String,
    /// `override`: validation type name to action name, as written.
    #[serde(rename = "override", skip_serializing_if = "BTreeMap::is_empty")]
    pub overrides: BTreeMap<String, String>,
    /// `verifyTimestamp`: `""`, `always` or `afterCertExpiry`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub verify_timestamp: String,
}

/// When the timestamp countersignature is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampVerification {
    /// Always (the default, also for an empty value).
    Always,
    /// Only when the signing certificate chain has expired.
    AfterCertExpiry,
}

/// Trust store types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum StoreType {
    /// `ca`.
    #[serde(rename = "ca")]
    Ca,
    /// `signingAuthority`.
    #[serde(rename = "signingAuthority")]
    SigningAuthority,
    /// `tsa`.
    #[serde(rename = "tsa")]
    Tsa,
}

impl StoreType {
    /// All types.
    pub const ALL: [StoreType; 3] = [Self::Ca, Self::SigningAuthority, Self::Tsa];

    /// notation's name of the type.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ca => "ca",
            Self::SigningAuthority => "signingAuthority",
            Self::Tsa => "tsa",
        }
    }

    /// Parses the exact (case-sensitive) name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

impl std::fmt::Display for StoreType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The document could not be read; `Display` is what Flux or notation prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Flux's wrapping of the `encoding/json` error.
    #[error("error occurred while parsing trustpolicy.json: {0}")]
    Flux(String),
    /// notation's generic message; the `encoding/json` error is kept in the field.
    #[error("malformed trust policy. To create a trust policy, see: {TRUST_POLICY_LINK}")]
    Notation(String),
}

impl ParseError {
    /// Go's `encoding/json` error text.
    pub fn json_error(&self) -> &str {
        match self {
            ParseError::Flux(e) | ParseError::Notation(e) => e,
        }
    }
}

/// Why a document is invalid; `Display` is notation-go v1.3.2's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// `version` missing.
    #[error("trust policy document has empty version, version must be specified")]
    EmptyVersion,
    /// `version` other than `1.0`.
    #[error("trust policy document uses unsupported version {}", go_quote(.0))]
    UnsupportedVersion(String),
    /// No statements.
    #[error("trust policy document can not have zero trust policy statements")]
    NoStatements,
    /// Two statements share a name.
    #[error("multiple trust policy statements use the same name {}, statement names must be unique", go_quote(.0))]
    DuplicateName(String),
    /// A statement's own rules.
    #[error("trust policy: {0}")]
    Statement(#[from] StatementError),
    /// No scopes.
    #[error("trust policy statement {} has zero registry scopes, it must specify registry scopes with at least one value", go_quote(.0))]
    ZeroScopes(String),
    /// `*` with other scopes.
    #[error("trust policy statement {} uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values", go_quote(.0))]
    WildcardScopeMixed(String),
    /// A malformed scope.
    #[error(transparent)]
    Scope(#[from] ScopeError),
    /// A scope in more than one statement (or twice in one).
    #[error("registry scope {} is present in multiple trust policy statements, one registry scope value can only be associated with one statement", go_quote(.0))]
    ScopeInMultiple(String),
}

/// `validatePolicyCore` errors (wrapped in `trust policy: `).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    /// `name` missing.
    #[error("a trust policy statement is missing a name, every statement requires a name")]
    MissingName,
    /// Level or override invalid.
    #[error("trust policy statement {} has invalid signatureVerification: {}", go_quote(.0), .1)]
    SignatureVerification(String, LevelError),
    /// `verifyTimestamp` invalid.
    #[error("trust policy statement {} has invalid signatureVerification: verifyTimestamp must be \"always\" or \"afterCertExpiry\", but got {}", go_quote(.0), go_quote(.1))]
    VerifyTimestamp(String, String),
    /// `skip` with stores or identities.
    #[error("trust policy statement {} is set to skip signature verification but configured with trust stores and/or trusted identities, remove them if signature verification needs to be skipped", go_quote(.0))]
    SkipWithTrust(String),
    /// Not `skip` and stores or identities missing.
    #[error("trust policy statement {} is either missing trust stores or trusted identities, both must be specified", go_quote(.0))]
    MissingTrust(String),
    /// A store value without `:`.
    #[error("trust policy statement {} has malformed trust store value {}. The required format is <TrustStoreType>:<TrustStoreName>", go_quote(.0), go_quote(.1))]
    MalformedStore(String, String),
    /// Unknown store type.
    #[error("trust policy statement {} uses an unsupported trust store type {} in trust store value {}", go_quote(.0), go_quote(.1), go_quote(.2))]
    StoreType(String, String, String),
    /// Bad store name.
    #[error("trust policy statement {} uses an unsupported trust store name {} in trust store value {}. Named store name needs to follow [a-zA-Z0-9_.-]+ format", go_quote(.0), go_quote(.1), go_quote(.2))]
    StoreName(String, String, String),
    /// `*` with other identities.
    #[error("trust policy statement {} uses a wildcard trusted identity '*', a wildcard identity cannot be used in conjunction with other values", go_quote(.0))]
    WildcardIdentity(String),
    /// `""` identity.
    #[error("trust policy statement {} has an empty trusted identity", go_quote(.0))]
    EmptyIdentity(String),
    /// Identity without `:`.
    #[error("trust policy statement {} has trusted identity {} missing separator", go_quote(.0), go_quote(.1))]
    IdentitySeparator(String, String),
    /// `x509.subject:` with nothing after it.
    #[error("trust policy statement {} has trusted identity {} without an identity value", go_quote(.0), go_quote(.1))]
    IdentityNoValue(String, String),
    /// Bad DN.
    #[error("trust policy statement {} has trusted identity {} with invalid identity value: {}", go_quote(.0), go_quote(.1), .2)]
    IdentityInvalid(String, String, DnError),
    /// One DN is a subset of another.
    #[error("trust policy statement {} has overlapping x509 trustedIdentities, {} overlaps with {}", go_quote(.0), go_quote(.1), go_quote(.2))]
    OverlappingIdentities(String, String, String),
}

/// `validateRegistryScopeFormat` errors (also raised for an artifact's path).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// Contains `*` (and is longer than one character).
    #[error("registry scope {} with wild card(s) is not valid, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout", go_quote(.0))]
    Wildcard(String),
    /// Not `domain/repository`.
    #[error("registry scope {} is not valid, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout", go_quote(.0))]
    Invalid(String),
}

/// Why no statement was selected for an artifact.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// No `@` in the reference.
    #[error("artifact URI {} could not be parsed, make sure it is the fully qualified oci artifact URI without the scheme/protocol. e.g domain.com:80/my/repository@sha256:digest", go_quote(.0))]
    Unparsable(String),
    /// The path before `@` is not a valid scope.
    #[error(transparent)]
    Scope(#[from] ScopeError),
    /// No exact scope and no `*`.
    #[error("artifact {} has no applicable trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: {TRUST_POLICY_LINK}", go_quote(.0))]
    NoApplicable(String),
}

/// How a statement was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// A scope equal to the artifact's `registry/repository`.
    Exact,
    /// The `*` statement, no exact scope existing.
    Wildcard,
}

// notation-go checks these three with regular expressions; compiling them cost a one-shot
// `verify` about a tenth of its instructions, so they are matched by hand here. The tests
// compare each matcher with notation-go's pattern over every short string of the characters
// that matter.

/// notation-go's store name pattern `^[a-zA-Z0-9_.-]+$`.
fn is_store_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// notation-go's domain pattern [`DOMAIN_PATTERN`]: dot-separated labels of letters and digits
/// with hyphens inside, then an optional `:port` of digits.
fn is_domain(domain: &str) -> bool {
    let (host, port) = match domain.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (domain, None),
    };
    let label = |label: &str| {
        let b = label.as_bytes();
        b.first().is_some_and(u8::is_ascii_alphanumeric)
            && b.last().is_some_and(u8::is_ascii_alphanumeric)
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
    };
    host.split('.').all(label)
        && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// notation-go's repository pattern [`REPOSITORY_PATTERN`]: `/`-separated components, each
/// runs of `[a-z0-9]` joined by `.`, `_`, `__` or any number of `-`.
fn is_repository(repository: &str) -> bool {
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    repository.split('/').all(|component| {
        let b = component.as_bytes();
        b.first().is_some_and(alnum)
            && b.last().is_some_and(alnum)
            && b.split(alnum).all(|separator| {
                matches!(separator, b"." | b"_" | b"__") || separator.iter().all(|c| *c == b'-')
            })
    })
}

/// The pattern [`is_domain`] matches (notation-go's, tests only).
#[cfg(test)]
const DOMAIN_PATTERN: &str = r"^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?$";
/// The pattern [`is_repository`] matches (notation-go's, tests only).
#[cfg(test)]
const REPOSITORY_PATTERN: &str = r"^[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$";

/// Whether `name` is a valid trust store name (`[a-zA-Z0-9_.-]+`).
pub fn is_valid_store_name(name: &str) -> bool {
    is_store_name(name)
}

/// notation-go `validateRegistryScopeFormat`.
pub fn validate_scope_format(scope: &str) -> Result<(), ScopeError> {
    if scope.len() > 1 && scope.contains('*') {
        return Err(ScopeError::Wildcard(scope.to_string()));
    }
    let valid = scope.split_once('/').is_some_and(|(domain, repository)| {
        !domain.is_empty()
            && !repository.is_empty()
            && is_domain(domain)
            && is_repository(repository)
    });
    if valid {
        Ok(())
    } else {
        Err(ScopeError::Invalid(scope.to_string()))
    }
}

impl TrustPolicyDocument {
    /// Reads `trustpolicy.json` bytes as Flux or the notation CLI does.
    pub fn parse(bytes: &[u8], dialect: Dialect) -> Result<Self, ParseError> {
        let value = match dialect {
            // Flux's `json.Unmarshal`: one value and nothing after it.
            Dialect::Flux => json::check_valid_worded(bytes, Wording::Go127)
                .map(|()| Raw(bytes))
                .map_err(ParseError::Flux)?,
            // The notation CLI's `json.NewDecoder(file).Decode`: the first value only.
            Dialect::Notation => {
                json::first_value(bytes, Wording::Go127).map_err(ParseError::Notation)?
            }
        };
        let mut doc = Self::default();
        let mut decoder = Decoder::default();
        decoder.document(value, &mut doc);
        match (decoder.error, dialect) {
            (Some(e), Dialect::Flux) => Err(ParseError::Flux(e)),
            (Some(e), Dialect::Notation) => Err(ParseError::Notation(e)),
            (None, _) => Ok(doc),
        }
    }

    /// notation-go v1.3.2 `Document.Validate`.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.version.is_empty() {
            return Err(PolicyError::EmptyVersion);
        }
        if self.version != "1.0" {
            return Err(PolicyError::UnsupportedVersion(self.version.clone()));
        }
        if self.trust_policies.is_empty() {
            return Err(PolicyError::NoStatements);
        }
        let mut names: Vec<&str> = Vec::new();
        for statement in &self.trust_policies {
            if names.contains(&statement.name.as_str()) {
                return Err(PolicyError::DuplicateName(statement.name.clone()));
            }
            statement.validate_core()?;
            names.push(&statement.name);
        }
        self.validate_registry_scopes()
    }

    fn validate_registry_scopes(&self) -> Result<(), PolicyError> {
        // Go counts scopes in a map and reports "a" duplicate in random order; the first
        // duplicated scope in document order is one notation could report.
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for statement in &self.trust_policies {
            let scopes = &statement.registry_scopes;
            if scopes.is_empty() {
                return Err(PolicyError::ZeroScopes(statement.name.clone()));
            }
            if scopes.len() > 1 && scopes.iter().any(|s| s == "*") {
                return Err(PolicyError::WildcardScopeMixed(statement.name.clone()));
            }
            for scope in scopes {
                if scope != "*" {
                    validate_scope_format(scope)?;
                }
                match counts.iter_mut().find(|(s, _)| s == scope) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((scope, 1)),
                }
            }
        }
        match counts.into_iter().find(|(_, n)| *n > 1) {
            Some((scope, _)) => Err(PolicyError::ScopeInMultiple(scope.to_string())),
            None => Ok(()),
        }
    }

    /// notation-go `GetApplicableTrustPolicy`: the statement for `artifact_reference`
    /// (`registry/repository@sha256:...`) and how it matched.
    pub fn applicable_statement(
        &self,
        artifact_reference: &str,
    ) -> Result<(&TrustPolicyStatement, Match), SelectError> {
        let path = artifact_path(artifact_reference)?;
        let mut wildcard = None;
        let mut exact = None;
        for statement in &self.trust_policies {
            if statement.registry_scopes.iter().any(|s| s == "*") {
                wildcard = Some(statement);
            } else if statement.registry_scopes.iter().any(|s| s == path) {
                exact = Some(statement);
            }
        }
        match (exact, wildcard) {
            (Some(s), _) => Ok((s, Match::Exact)),
            (None, Some(s)) => Ok((s, Match::Wildcard)),
            (None, None) => Err(SelectError::NoApplicable(artifact_reference.to_string())),
        }
    }

    /// Statements (other than `*` ones) that list `scope` exactly.
    pub fn statements_with_scope(&self, scope: &str) -> Vec<&TrustPolicyStatement> {
        self.trust_policies
            .iter()
            .filter(|s| s.registry_scopes.iter().any(|x| x == scope))
            .collect()
    }
}

/// notation-go `getArtifactPathFromReference`.
pub fn artifact_path(artifact_reference: &str) -> Result<&str, SelectError> {
    let (path, _) = artifact_reference
        .rsplit_once('@')
        .ok_or_else(|| SelectError::Unparsable(artifact_reference.to_string()))?;
    validate_scope_format(path)?;
    Ok(path)
}

impl TrustPolicyStatement {
    /// The effective level (`custom` when `override` changes it).
    pub fn verification_level(&self) -> Result<VerificationLevel, LevelError> {
        verification_level(
            &self.signature_verification.level,
            &self.signature_verification.overrides,
        )
    }

    /// `verifyTimestamp`, with the empty value meaning `always`. `None` for an invalid value
    /// (which [`TrustPolicyDocument::validate`] rejects).
    pub fn verify_timestamp(&self) -> Option<TimestampVerification> {
        match self.signature_verification.verify_timestamp.as_str() {
            "" | "always" => Some(TimestampVerification::Always),
            "afterCertExpiry" => Some(TimestampVerification::AfterCertExpiry),
            _ => None,
        }
    }

    /// The names of the stores of `store_type` the statement lists, each once, in order (what
    /// notation-go's `loadX509TrustStores` asks the trust store for).
    pub fn trust_store_names(&self, store_type: StoreType) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for entry in &self.trust_stores {
            if let Some((t, name)) = entry.split_once(':') {
                if t == store_type.name() && !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    }

    /// notation-go `validatePolicyCore`.
    pub fn validate_core(&self) -> Result<(), StatementError> {
        let name = &self.name;
        if name.is_empty() {
            return Err(StatementError::MissingName);
        }
        let level = self
            .verification_level()
            .map_err(|e| StatementError::SignatureVerification(name.clone(), e))?;
        if self.verify_timestamp().is_none() {
            return Err(StatementError::VerifyTimestamp(
                name.clone(),
                self.signature_verification.verify_timestamp.clone(),
            ));
        }
        if level.is_skip() {
            if !self.trust_stores.is_empty() || !self.trusted_identities.is_empty() {
                return Err(StatementError::SkipWithTrust(name.clone()));
            }
            return Ok(());
        }
        if self.trust_stores.is_empty() || self.trusted_identities.is_empty() {
            return Err(StatementError::MissingTrust(name.clone()));
        }
        for entry in &self.trust_stores {
            let Some((store_type, store_name)) = entry.split_once(':') else {
                return Err(StatementError::MalformedStore(name.clone(), entry.clone()));
            };
            if StoreType::from_name(store_type).is_none() {
                return Err(StatementError::StoreType(
                    name.clone(),
                    store_type.to_string(),
                    entry.clone(),
                ));
            }
            if !is_valid_store_name(store_name) {
                return Err(StatementError::StoreName(
                    name.clone(),
                    store_name.to_string(),
                    entry.clone(),
                ));
            }
        }
        self.validate_trusted_identities().map(|_| ())
    }

    /// notation-go `validateTrustedIdentities`; returns the parsed `x509.subject` DNs.
    pub fn validate_trusted_identities(&self) -> Result<Vec<(String, DnMap)>, StatementError> {
        let name = &self.name;
        let identities = &self.trusted_identities;
        if identities.len() > 1 && identities.iter().any(|i| i == "*") {
            return Err(StatementError::WildcardIdentity(name.clone()));
        }
        let mut parsed: Vec<(String, DnMap)> = Vec::new();
        for identity in identities {
            if identity.is_empty() {
                return Err(StatementError::EmptyIdentity(name.clone()));
            }
            if identity == "*" {
                continue;
            }
            let Some((prefix, value)) = identity.split_once(':') else {
                return Err(StatementError::IdentitySeparator(
                    name.clone(),
                    identity.clone(),
                ));
            };
            if prefix == X509_SUBJECT {
                if value.is_empty() {
                    return Err(StatementError::IdentityNoValue(
                        name.clone(),
                        identity.clone(),
                    ));
                }
                let dn = dn::parse_distinguished_name(value).map_err(|e| {
                    StatementError::IdentityInvalid(name.clone(), identity.clone(), e)
                })?;
                parsed.push((identity.clone(), dn));
            }
        }
        for (i, (raw1, dn1)) in parsed.iter().enumerate() {
            for (j, (raw2, dn2)) in parsed.iter().enumerate() {
                if i != j && dn::is_subset(dn1, dn2) {
                    return Err(StatementError::OverlappingIdentities(
                        name.clone(),
                        raw1.clone(),
                        raw2.clone(),
                    ));
                }
            }
        }
        Ok(parsed)
    }
}

/// The identity prefix notation understands natively.
pub const X509_SUBJECT: &str = "x509.subject";

/// Decodes the value tree into the document with Go's rules: fields matched case-insensitively,
/// unknown keys ignored, `null` leaves a field as it is (an array becomes empty), duplicates
/// decode again into what is there, and the first type error is kept while decoding goes on.
#[derive(Default)]
struct Decoder {
    error: Option<String>,
    /// JSON names of the fields being decoded (Go's `errorContext.FieldStack`).
    path: Vec<&'static str>,
    /// Go type name of the innermost struct (Go's `errorContext.Struct`).
    go_struct: &'static str,
}

/// Finds which of `fields` a key names: an exact match first, then Go's case folding.
fn field_for(key: &str, fields: &[&'static str]) -> Option<&'static str> {
    fields
        .iter()
        .find(|f| **f == key)
        .or_else(|| fields.iter().find(|f| json::field_matches(key, f)))
        .copied()
}

impl Decoder {
    fn type_error(&mut self, value: Raw<'_>, go_type: &str) {
        if self.error.is_none() {
            self.error = Some(json::unmarshal_type_error(
                value.kind().go_name(),
                self.go_struct,
                &self.path.join("."),
                go_type,
            ));
        }
    }

    /// Runs `f` for each known field of an object, with Go's error context.
    fn object<T>(
        &mut self,
        members: &[(String, Raw<'_>)],
        go_struct: &'static str,
        fields: &[&'static str],
        target: &mut T,
        mut f: impl FnMut(&mut Self, &'static str, Raw<'_>, &mut T),
    ) {
        let saved_struct = self.go_struct;
        let depth = self.path.len();
        for (key, value) in members {
            if let Some(field) = field_for(key, fields) {
                self.go_struct = go_struct;
                self.path.push(field);
                f(self, field, *value, target);
                self.path.truncate(depth);
                self.go_struct = saved_struct;
            }
        }
    }

    fn document(&mut self, value: Raw<'_>, doc: &mut TrustPolicyDocument) {
        match value.kind() {
            Kind::Null => {}
            Kind::Object => self.object(
                &value.members(),
                "OCIDocument",
                &["version", "trustPolicies"],
                doc,
                |d, field, v, doc| match field {
                    "version" => d.string(v, &mut doc.version, "string"),
                    _ => d.statements(v, &mut doc.trust_policies),
                },
            ),
            _ => self.type_error(value, "trustpolicy.OCIDocument"),
        }
    }

    fn string(&mut self, value: Raw<'_>, target: &mut String, go_type: &str) {
        match value.kind() {
            Kind::Null => {}
            Kind::String => *target = value.as_str().unwrap_or_default(),
            _ => self.type_error(value, go_type),
        }
    }

    fn strings(&mut self, value: Raw<'_>, target: &mut Vec<String>) {
        match value.kind() {
            Kind::Null => target.clear(),
            Kind::Array => {
                let items = value.elements();
                target.resize(items.len().max(target.len()), String::new());
                for (slot, item) in target.iter_mut().zip(items.iter().copied()) {
                    self.string(item, slot, "string");
                }
                target.truncate(items.len());
            }
            _ => self.type_error(value, "[]string"),
        }
    }

    fn statements(&mut self, value: Raw<'_>, target: &mut Vec<TrustPolicyStatement>) {
        match value.kind() {
            Kind::Null => target.clear(),
            Kind::Array => {
                let items = value.elements();
                target.resize(
                    items.len().max(target.len()),
                    TrustPolicyStatement::default(),
                );
                for (slot, item) in target.iter_mut().zip(items.iter().copied()) {
                    self.statement(item, slot);
                }
                target.truncate(items.len());
            }
            _ => self.type_error(value, "[]trustpolicy.OCITrustPolicy"),
        }
    }

    fn statement(&mut self, value: Raw<'_>, target: &mut TrustPolicyStatement) {
        match value.kind() {
            Kind::Null => {}
            Kind::Object => self.object(
                &value.members(),
                "OCITrustPolicy",
                &[
                    "name",
                    "registryScopes",
                    "signatureVerification",
                    "trustStores",
                    "trustedIdentities",
                ],
                target,
                |d, field, v, s| match field {
                    "name" => d.string(v, &mut s.name, "string"),
                    "registryScopes" => d.strings(v, &mut s.registry_scopes),
                    "signatureVerification" => {
                        d.signature_verification(v, &mut s.signature_verification)
                    }
                    "trustStores" => d.strings(v, &mut s.trust_stores),
                    _ => d.strings(v, &mut s.trusted_identities),
                },
            ),
            _ => self.type_error(value, "trustpolicy.OCITrustPolicy"),
        }
    }

    fn signature_verification(&mut self, value: Raw<'_>, target: &mut SignatureVerification) {
        match value.kind() {
            Kind::Null => {}
            Kind::Object => self.object(
                &value.members(),
                "SignatureVerification",
                &["level", "override", "verifyTimestamp"],
                target,
                |d, field, v, sv| match field {
                    "level" => d.string(v, &mut sv.level, "string"),
                    "override" => d.overrides(v, &mut sv.overrides),
                    _ => d.string(
                        v,
                        &mut sv.verify_timestamp,
                        "trustpolicy.TimestampVerificationOption",
                    ),
                },
            ),
            _ => self.type_error(value, "trustpolicy.SignatureVerification"),
        }
    }

    fn overrides(&mut self, value: Raw<'_>, target: &mut BTreeMap<String, String>) {
        match value.kind() {
            Kind::Null => target.clear(),
            // Go decodes into the existing map: a repeated `override` adds to it.
            Kind::Object => {
                for (key, v) in value.members() {
                    let mut action = String::new();
                    self.string(v, &mut action, "trustpolicy.ValidationAction");
                    target.insert(key.clone(), action);
                }
            }
            _ => self.type_error(
                value,
                "map[trustpolicy.ValidationType]trustpolicy.ValidationAction",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flux(s: &str) -> Result<TrustPolicyDocument, ParseError> {
        TrustPolicyDocument::parse(s.as_bytes(), Dialect::Flux)
    }

    const VALID: &str = r#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["ghcr.io/org/app"],
        "signatureVerification":{"level":"strict"},"trustStores":["ca:s"],"trustedIdentities":["*"]}]}"#;

    #[test]
    fn go_json_semantics() {
        let doc =
            flux(r#"{"VERSION":"1.0","TrustPolicies":[{"NAME":"a","unknown":1}],"version":"1.0"}"#)
                .unwrap();
        assert_eq!(doc.version, "1.0");
        assert_eq!(doc.trust_policies[0].name, "a");
        let doc = flux(r#"{"version":"1.0","trust_policies":[]}"#).unwrap();
        assert!(doc.trust_policies.is_empty());
        assert_eq!(
            doc.validate().unwrap_err().to_string(),
            "trust policy document can not have zero trust policy statements"
        );
        // Last duplicate wins; objects merge.
        let doc = flux(r#"{"version":"0.1","version":"1.0","trustPolicies":[{"name":"a","signatureVerification":{"level":"strict"}}],
            "trustPolicies":[{"signatureVerification":{"override":{"expiry":"log"}}}]}"#)
            .unwrap();
        assert_eq!(doc.version, "1.0");
        let sv = &doc.trust_policies[0].signature_verification;
        assert_eq!(doc.trust_policies[0].name, "a");
        assert_eq!(sv.level, "strict");
        assert_eq!(sv.overrides.get("expiry").map(String::as_str), Some("log"));
        let doc = flux(r#"{"version":"1.0","trustPolicies":[{"registryScopes":null}]}"#).unwrap();
        assert!(doc.trust_policies[0].registry_scopes.is_empty());
        assert_eq!(flux("null").unwrap(), TrustPolicyDocument::default());
    }

    #[test]
    fn go_json_errors() {
        let e = |s: &str| flux(s).unwrap_err().to_string();
        assert_eq!(
            e(""),
            "error occurred while parsing trustpolicy.json: unexpected end of JSON input"
        );
        assert_eq!(
            e(&format!("{VALID} {{}}")),
            "error occurred while parsing trustpolicy.json: invalid character '{' after top-level value"
        );
        assert_eq!(
            e("version: \"1.0\"\n"),
            "error occurred while parsing trustpolicy.json: invalid character 'v' looking for beginning of value"
        );
        assert_eq!(
            e(r#"{"version":1}"#),
            "error occurred while parsing trustpolicy.json: json: cannot unmarshal number into Go struct field OCIDocument.version of type string"
        );
        assert_eq!(
            e(r#"{"version":"1.0","trustPolicies":[{"name":"a","signatureVerification":{"level":3}}]}"#),
            "error occurred while parsing trustpolicy.json: json: cannot unmarshal number into Go struct field SignatureVerification.trustPolicies.signatureVerification.level of type string"
        );
        assert_eq!(
            e(r#"{"trustPolicies":"x"}"#),
            "error occurred while parsing trustpolicy.json: json: cannot unmarshal string into Go struct field OCIDocument.trustPolicies of type []trustpolicy.OCITrustPolicy"
        );
        assert_eq!(
            e("[]"),
            "error occurred while parsing trustpolicy.json: json: cannot unmarshal array into Go value of type trustpolicy.OCIDocument"
        );
        // Go's nesting limit of 10000 levels, counting the document object; an unknown field
        // may nest up to it without changing the result.
        let nested = |n: usize| {
            format!(
                r#"{{"version":"1.0","x":{}{}}}"#,
                "[".repeat(n),
                "]".repeat(n)
            )
        };
        assert_eq!(flux(&nested(9_999)).map(|d| d.version), Ok("1.0".into()));
        for n in [10_000, 100_000] {
            assert_eq!(
                e(&nested(n)),
                "error occurred while parsing trustpolicy.json: invalid character '[' exceeded max depth"
            );
        }
        let n =
            TrustPolicyDocument::parse(nested(10_000).as_bytes(), Dialect::Notation).unwrap_err();
        assert_eq!(n.json_error(), "invalid character '[' exceeded max depth");
        assert_eq!(
            e("{\"version\": \"1.0\n\"}"),
            "error occurred while parsing trustpolicy.json: invalid character '\\n' in string"
        );
        // The notation CLI ignores trailing data and prints one generic message.
        let n =
            TrustPolicyDocument::parse(format!("{VALID} trailing").as_bytes(), Dialect::Notation);
        assert!(n.is_ok());
        let n = TrustPolicyDocument::parse(b"{", Dialect::Notation).unwrap_err();
        assert_eq!(
            n.to_string(),
            "malformed trust policy. To create a trust policy, see: https://notaryproject.dev/docs/quickstart/#create-a-trust-policy"
        );
        assert_eq!(n.json_error(), "unexpected end of JSON input");
    }

    #[test]
    fn selection() {
        let doc = flux(r#"{"version":"1.0","trustPolicies":[
            {"name":"w","registryScopes":["*"],"signatureVerification":{"level":"audit"},"trustStores":["ca:s"],"trustedIdentities":["*"]},
            {"name":"e","registryScopes":["ghcr.io/org/app"],"signatureVerification":{"level":"strict"},"trustStores":["ca:s"],"trustedIdentities":["*"]}]}"#)
            .unwrap();
        doc.validate().unwrap();
        let d = "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";
        let (s, m) = doc
            .applicable_statement(&format!("ghcr.io/org/app@{d}"))
            .unwrap();
        assert_eq!((s.name.as_str(), m), ("e", Match::Exact));
        let (s, m) = doc
            .applicable_statement(&format!("ghcr.io/org/other@{d}"))
            .unwrap();
        assert_eq!((s.name.as_str(), m), ("w", Match::Wildcard));
        assert!(matches!(
            doc.applicable_statement("ghcr.io/org/app:v1"),
            Err(SelectError::Unparsable(_))
        ));
        assert!(matches!(
            doc.applicable_statement(&format!("ghcr.io/org/app:v1@{d}")),
            Err(SelectError::Scope(_))
        ));
        let exact_only = flux(VALID).unwrap();
        assert_eq!(
            exact_only.applicable_statement(&format!("ghcr.io/x/y@{d}")).unwrap_err().to_string(),
            format!("artifact \"ghcr.io/x/y@{d}\" has no applicable trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: https://notaryproject.dev/docs/quickstart/#create-a-trust-policy")
        );
    }

    #[test]
    fn validation_order_and_messages() {
        let base = flux(VALID).unwrap();
        base.validate().unwrap();
        let check = |f: &dyn Fn(&mut TrustPolicyDocument), want: &str| {
            let mut d = base.clone();
            f(&mut d);
            assert_eq!(d.validate().unwrap_err().to_string(), want);
        };
        check(
            &|d| d.version = "2.0".into(),
            "trust policy document uses unsupported version \"2.0\"",
        );
        check(&|d| { let s = d.trust_policies[0].clone(); d.trust_policies.push(s) },
            "multiple trust policy statements use the same name \"p\", statement names must be unique");
        check(&|d| d.trust_policies[0].name.clear(),
            "trust policy: a trust policy statement is missing a name, every statement requires a name");
        check(&|d| d.trust_policies[0].signature_verification.verify_timestamp = "never".into(),
            "trust policy: trust policy statement \"p\" has invalid signatureVerification: verifyTimestamp must be \"always\" or \"afterCertExpiry\", but got \"never\"");
        check(&|d| d.trust_policies[0].signature_verification.level = "skip".into(),
            "trust policy: trust policy statement \"p\" is set to skip signature verification but configured with trust stores and/or trusted identities, remove them if signature verification needs to be skipped");
        check(&|d| d.trust_policies[0].trust_stores = vec!["ca".into()],
            "trust policy: trust policy statement \"p\" has malformed trust store value \"ca\". The required format is <TrustStoreType>:<TrustStoreName>");
        check(&|d| d.trust_policies[0].trust_stores = vec!["CA:x".into()],
            "trust policy: trust policy statement \"p\" uses an unsupported trust store type \"CA\" in trust store value \"CA:x\"");
        check(&|d| d.trust_policies[0].trusted_identities = vec!["x509.subject:".into()],
            "trust policy: trust policy statement \"p\" has trusted identity \"x509.subject:\" without an identity value");
        check(&|d| d.trust_policies[0].registry_scopes = vec!["*".into(), "a.io/b".into()],
            "trust policy statement \"p\" uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values");
        check(&|d| d.trust_policies[0].registry_scopes = vec!["a.io/b*".into()],
            "registry scope \"a.io/b*\" with wild card(s) is not valid, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout");
        check(&|d| d.trust_policies[0].registry_scopes = vec!["a.io/b".into(), "a.io/b".into()],
            "registry scope \"a.io/b\" is present in multiple trust policy statements, one registry scope value can only be associated with one statement");
        // A statement error comes before any scope error.
        check(&|d| { d.trust_policies[0].registry_scopes.clear(); d.trust_policies[0].trusted_identities.clear() },
            "trust policy: trust policy statement \"p\" is either missing trust stores or trusted identities, both must be specified");
    }

    #[test]
    fn scope_format() {
        for ok in [
            "localhost:5000/e2e",
            "a.io/b/c",
            "local/myOCILayout".to_lowercase().as_str(),
            "a-b.io:1/x__y",
        ] {
            assert!(validate_scope_format(ok).is_ok(), "{ok}");
        }
        for bad in [
            "a.io",
            "/b",
            "a.io/",
            "a.io/B",
            "https://a.io/b",
            "a.io/b:tag",
            "-a.io/b",
            "a.io/b\n",
        ] {
            assert!(validate_scope_format(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn store_names_by_type() {
        let mut s = flux(VALID).unwrap().trust_policies[0].clone();
        s.trust_stores = vec!["ca:a".into(), "tsa:t".into(), "ca:b".into(), "ca:a".into()];
        assert_eq!(s.trust_store_names(StoreType::Ca), vec!["a", "b"]);
        assert_eq!(s.trust_store_names(StoreType::Tsa), vec!["t"]);
        assert!(s.trust_store_names(StoreType::SigningAuthority).is_empty());
    }

    /// Every string of up to `max` characters drawn from `alphabet`.
    fn every_string(alphabet: &[char], max: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..max {
            last = last
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    fn agrees(pattern: &str, matcher: fn(&str) -> bool, alphabet: &[char], max: usize) {
        let re = regex::Regex::new(pattern).expect("notation-go's pattern compiles");
        let mut matched = 0;
        for s in every_string(alphabet, max) {
            assert_eq!(matcher(&s), re.is_match(&s), "{s:?} against {pattern}");
            matched += usize::from(re.is_match(&s));
        }
        // The alphabet reaches both answers, so the comparison means something.
        assert!(matched > 0);
    }

    #[test]
    fn domain_matcher_is_notation_gos_pattern() {
        agrees(
            DOMAIN_PATTERN,
            is_domain,
            &['a', 'Z', '0', '-', '.', ':', '/', 'é'],
            6,
        );
    }

    #[test]
    fn repository_matcher_is_notation_gos_pattern() {
        agrees(
            REPOSITORY_PATTERN,
            is_repository,
            &['a', '0', '.', '_', '-', '/', 'A'],
            7,
        );
    }

    #[test]
    fn store_name_matcher_is_notation_gos_pattern() {
        agrees(
            r"^[a-zA-Z0-9_.-]+$",
            is_store_name,
            &['a', 'Z', '0', '_', '.', '-', '/', ' '],
            4,
        );
    }
}
