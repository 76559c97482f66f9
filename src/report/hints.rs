//! Hints: what to do about a failure, printed under the error (`Hint:` lines, a `hints` array
//! in JSON). They never change the error or condition text, which stays what Flux or notation
//! would print; they are derived from typed values (registry errors, verification outcomes,
//! trust material errors), not from that text, except where noted.

use crate::source::registry::{CredentialOrigin, Provider, RegistryError};
use crate::trust::material::TrustError;
use crate::trust::policy::{StoreType, TrustPolicyDocument};
use crate::trust::secret::InputError;
use crate::verify::outcome::{Verdict, VerifyError};
use serde_json::{json, Value};
use std::fmt::Write as _;

use super::verify::VerifyReport;

/// How the registry was reached, for the hints that name flags or OCIRepository fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Origin {
    /// Settings came from command-line flags.
    #[default]
    Flags,
    /// Settings came from an OCIRepository manifest.
    OciRepository,
}

/// The registry side of a run, as far as hints need it.
#[derive(Debug, Clone, Default)]
pub struct RegistryFacts {
    /// `host[:port]`.
    pub registry: String,
    /// The repository inside it.
    pub repository: String,
    /// The last error the registry client returned.
    pub error: Option<RegistryError>,
    /// Where the credentials came from, if the registry asked for any.
    pub credentials: Option<CredentialOrigin>,
    /// The provider in force.
    pub provider: Provider,
    /// Flags or OCIRepository.
    pub origin: Origin,
}

/// What a report shows besides the verification: the credential source and the hints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// Where the registry credentials came from (`None`: no registry, or it never asked).
    pub credentials: Option<CredentialOrigin>,
    /// Hints, most specific first.
    pub hints: Vec<String>,
}

impl Diagnostics {
    /// The text lines, appended to a text report.
    pub fn write_text(&self, out: &mut String) {
        if let Some(origin) = &self.credentials {
            let _ = writeln!(out, "Credentials: {origin}");
        }
        for hint in &self.hints {
            let _ = writeln!(out, "Hint: {hint}");
        }
    }

    /// Adds `credentials` and `hints` to a JSON report object.
    pub fn add_to_json(&self, report: &mut Value) {
        let Some(object) = report.as_object_mut() else {
            return;
        };
        let credentials = self.credentials.as_ref().map(|origin| {
            let provider = match origin {
                CredentialOrigin::Provider { provider, .. } => Some(provider.name()),
                _ => None,
            };
            json!({"source": origin.kind(), "provider": provider, "detail": origin.to_string()})
        });
        object.insert("credentials".into(), credentials.unwrap_or(Value::Null));
        object.insert("hints".into(), json!(self.hints));
    }
}

/// The hints for a `verify` report.
pub fn for_report(
    report: &VerifyReport,
    registry: Option<&RegistryFacts>,
    policy: Option<&TrustPolicyDocument>,
) -> Vec<String> {
    let mut hints = Vec::new();
    if let Some(facts) = registry {
        // Only a registry failure that ended the verification deserves a hint.
        let registry_failed = matches!(
            report.verification.error(),
            Some(
                VerifyError::Resolve(_)
                    | VerifyError::ArtifactResolve(_)
                    | VerifyError::List(_)
                    | VerifyError::Retrieval { .. }
            )
        );
        if registry_failed {
            hints.extend(for_registry(facts));
        }
    }
    if let (Some(VerifyError::NoApplicablePolicy(_)), Some(policy)) =
        (report.verification.error(), policy)
    {
        let repository = report
            .verification
            .artifact_reference
            .rsplit_once('@')
            .map_or(report.verification.artifact_reference.as_str(), |(r, _)| r);
        hints.extend(no_applicable_statement(policy, repository));
    }
    if matches!(report.verification.verdict, Verdict::Failed(_)) {
        hints.extend(untrusted_chains(report));
    }
    hints
}

/// Hints for a registry failure: credentials for 401/403, `--plain-http` for a plain-HTTP
/// answer to a TLS handshake.
pub fn for_registry(facts: &RegistryFacts) -> Vec<String> {
    let Some(error) = &facts.error else {
        return Vec::new();
    };
    match error {
        RegistryError::Status { status: 401, .. } => vec![unauthorized(facts)],
        RegistryError::Status { status: 403, .. } => vec![forbidden(facts)],
        RegistryError::Send { cause, .. } if cause == crate::http::errors::SCHEME_MISMATCH => {
            vec![plain_http(facts)]
        }
        _ => Vec::new(),
    }
}

/// How to give credentials, in the order they are looked up.
fn credential_ways(facts: &RegistryFacts) -> String {
    let registry = &facts.registry;
    let mut ways = vec![
        "-u USER -p PASSWORD (or FLUXVERIFY_USERNAME / FLUXVERIFY_PASSWORD)".to_string(),
        format!("`docker login {registry}`"),
        format!(
            "a credential helper for {registry} in the Docker config (credHelpers / credsStore)"
        ),
    ];
    let provider = match facts.provider {
        Provider::Generic => Provider::for_registry(registry),
        _ => None,
    };
    if let Some(provider) = provider {
        ways.push(match facts.origin {
            Origin::Flags => format!("--provider {provider}"),
            Origin::OciRepository => {
                format!("spec.provider: {provider} (or --provider {provider})")
            }
        });
    }
    ways.join(", ")
}

fn unauthorized(facts: &RegistryFacts) -> String {
    let registry = &facts.registry;
    match &facts.credentials {
        None | Some(CredentialOrigin::Anonymous) => format!(
            "{registry} requires credentials and none are configured for it; give them with {}",
            credential_ways(facts)
        ),
        Some(origin) => format!(
            "{registry} refused the credentials ({origin}); check them, or give others with {}",
            credential_ways(facts)
        ),
    }
}

fn forbidden(facts: &RegistryFacts) -> String {
    let who = match &facts.credentials {
        None | Some(CredentialOrigin::Anonymous) => "anonymous access".to_string(),
        Some(origin) => format!("the credentials ({origin})"),
    };
    format!(
        "{} does not let {who} pull {}; use an identity with pull access, given with {}",
        facts.registry,
        facts.repository,
        credential_ways(facts)
    )
}

fn plain_http(facts: &RegistryFacts) -> String {
    let fix = match facts.origin {
        Origin::Flags => "use --plain-http".to_string(),
        Origin::OciRepository => "set spec.insecure: true (or use --plain-http)".to_string(),
    };
    format!(
        "{} answered the TLS handshake in plain HTTP: it serves HTTP, not HTTPS; {fix}",
        facts.registry
    )
}

/// The policy's scopes, and the one nearest to `repository`.
pub fn no_applicable_statement(policy: &TrustPolicyDocument, repository: &str) -> Vec<String> {
    let scopes: Vec<(&str, &str)> = policy
        .trust_policies
        .iter()
        .flat_map(|s| {
            s.registry_scopes
                .iter()
                .map(|r| (s.name.as_str(), r.as_str()))
        })
        .collect();
    let listed: Vec<String> = policy
        .trust_policies
        .iter()
        .map(|s| format!("{:?} [{}]", s.name, s.registry_scopes.join(", ")))
        .collect();
    let mut hints = vec![format!(
        "no registryScopes entry is {repository:?}; the policy's statements and scopes: {}",
        listed.join("; ")
    )];
    if let Some((statement, scope)) = nearest(&scopes, repository) {
        hints.push(format!(
            "the nearest scope is {scope:?} (statement {statement:?}); a scope must equal registry/repository exactly: add {repository:?} to a statement's registryScopes, or \"*\" for every repository"
        ));
    }
    hints
}

/// The scope with the smallest edit distance to `repository`; ties go to the longer common
/// prefix, then to policy order.
fn nearest<'a>(scopes: &[(&'a str, &'a str)], repository: &str) -> Option<(&'a str, &'a str)> {
    let common_prefix = |s: &str| {
        s.chars()
            .zip(repository.chars())
            .take_while(|(a, b)| a == b)
            .count()
    };
    scopes
        .iter()
        .filter(|(_, scope)| *scope != "*")
        .enumerate()
        .min_by_key(|(i, (_, scope))| {
            (
                strsim::levenshtein(scope, repository),
                std::cmp::Reverse(common_prefix(scope)),
                *i,
            )
        })
        .map(|(_, pair)| *pair)
}

/// One hint per signature whose chain holds no trusted certificate: its root beside what the
/// trust store held.
fn untrusted_chains(report: &VerifyReport) -> Vec<String> {
    let mut hints: Vec<String> = Vec::new();
    for entry in &report.verification.signatures {
        let Some(chain) = entry
            .outcome
            .as_ref()
            .and_then(|o| o.facts.untrusted_chain.as_ref())
        else {
            continue;
        };
        let trusted: Vec<String> = chain
            .trusted_subjects
            .iter()
            .map(|s| format!("{s:?}"))
            .collect();
        let hint = format!(
            "the signature's chain ends at {:?} (SHA-256 {}), but the trusted certificates are {}; trust that root (add it to the Secret or --certs) if it is the signer's",
            chain.root_subject,
            colon_hex(&chain.root_sha256),
            trusted.join(", ")
        );
        if !hints.contains(&hint) {
            hints.push(hint);
        }
    }
    hints
}

/// `ab12...` → `AB:12:...`, as `openssl x509 -fingerprint -sha256` prints it.
fn colon_hex(hex: &str) -> String {
    hex.as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(":")
}

/// Hints for trust material that could not be read.
pub fn for_trust_error(error: &TrustError) -> Vec<String> {
    match error {
        // A `--certs TYPE:NAME=PATH` with an unknown type is read as a plain path, which then
        // does not exist: say which types there are.
        TrustError::Input(InputError::Io { path, .. }) => {
            let arg = path.to_string_lossy();
            let Some((spec, _)) = arg.split_once('=') else {
                return Vec::new();
            };
            let Some((store_type, _)) = spec.split_once(':') else {
                return Vec::new();
            };
            if StoreType::from_name(store_type).is_some() || store_type.contains('/') {
                return Vec::new();
            }
            let valid: Vec<&str> = StoreType::ALL.iter().map(|t| t.name()).collect();
            vec![format!(
                "--certs {arg}: {store_type:?} is not a trust store type; TYPE:NAME=PATH takes one of {} (case-sensitive)",
                valid.join(", ")
            )]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_scope_by_edit_distance_then_prefix() {
        let scopes = [
            ("a", "registry.example/app"),
            ("b", "registry.example/api"),
            ("c", "other.example/app2"),
            ("w", "*"),
        ];
        assert_eq!(
            nearest(&scopes, "registry.example/apps"),
            Some(("a", "registry.example/app"))
        );
        assert_eq!(
            nearest(&scopes, "other.example/app"),
            Some(("c", "other.example/app2"))
        );
        assert_eq!(nearest(&[("w", "*")], "x/y"), None);
    }

    #[test]
    fn fingerprints_print_like_openssl() {
        assert_eq!(colon_hex("ab01ff"), "AB:01:FF");
    }

    #[test]
    fn provider_is_suggested_for_cloud_hosts_only() {
        let facts = |registry: &str| RegistryFacts {
            registry: registry.into(),
            repository: "app".into(),
            error: None,
            credentials: None,
            provider: Provider::Generic,
            origin: Origin::Flags,
        };
        assert!(credential_ways(&facts("x.azurecr.io")).ends_with("--provider azure"));
        assert!(!credential_ways(&facts("ghcr.io")).contains("--provider"));
    }
}
