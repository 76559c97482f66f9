//! `fluxverify policy check|show|explain`.
use super::{stages, Exit, ExitError};
use crate::{Mode, OutputFormat, Reproduce, TrustArgs};
use clap::Args;
use fluxverify::flux::condition::PROVIDER_ERROR_PREFIX;
use fluxverify::flux::scan::{offline_check, RowResult};
use fluxverify::source::reference::{Normalisation, Reference};
use fluxverify::trust::material::{LoadedPolicy, Store, TrustError, TrustInput, TrustMaterial};
use fluxverify::trust::policy::{
    Dialect, Match, SelectError, StoreType, TrustPolicyDocument, TrustPolicyStatement,
    ValidationType,
};
use fluxverify::trust::store::TrustStore;
use fluxverify::verify::signature::Stages as _;
use serde_json::json;

/// Arguments of `policy check` and `policy show`.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    #[command(flatten)]
    pub trust: TrustArgs,
    #[command(flatten)]
    pub mode: Reproduce,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = crate::OutputFormat::Text)]
    pub output: crate::OutputFormat,
}

/// Arguments of `policy check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// An OCIRepository manifest whose url the material is checked against, offline (its
    /// verify.secretRef is taken from the file when no --secret / --trust-policy is given).
    #[arg(long, value_name = "FILE")]
    pub ocirepository: Option<std::path::PathBuf>,
}

/// Arguments of `policy explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Artifact reference to explain, `registry/repository@sha256:...` (a tag or an `oci://`
    /// URL as in an OCIRepository also works: scopes are matched on `registry/repository`).
    pub reference: String,
}

/// The trust material flags as the library's input.
pub fn trust_input(args: &TrustArgs) -> TrustInput {
    TrustInput {
        secret: args.secret.clone(),
        secret_name: args.secret_name.clone(),
        trust_policy: args.trust_policy.clone(),
        certs: args.certs.clone(),
    }
}

/// The policy dialect of a mode.
pub fn dialect(mode: Mode) -> Dialect {
    match mode {
        Mode::Flux => Dialect::Flux,
        Mode::Notation => Dialect::Notation,
    }
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Flux => "flux",
        Mode::Notation => "notation",
    }
}

/// Turns a trust material error into the command's exit: 1 when Flux/notation would reject the
/// material (verification fails), 2 when it could not be read at all.
pub fn trust_exit(error: TrustError) -> anyhow::Error {
    let (exit, error) = if error.is_verification_failure() {
        // The text is Flux's / notation's whole error already (a wrapped Go error included):
        // printed once, not followed by its own cause again.
        (Exit::Failed, anyhow::anyhow!("{error}"))
    } else {
        (Exit::Usage, anyhow::Error::new(error))
    };
    ExitError {
        exit,
        error,
        reported: false,
    }
    .into()
}

fn print_json(value: &serde_json::Value) -> anyhow::Result<()> {
    outln!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Advice about a valid policy: things that validate but will not do what the author likely
/// wants.
fn lint(doc: &TrustPolicyDocument, mode: Mode) -> Vec<String> {
    let mut hints = Vec::new();
    for s in &doc.trust_policies {
        let level = s.verification_level().ok();
        for scope in &s.registry_scopes {
            if scope == "*" {
                if level.is_some_and(|l| l.is_skip()) {
                    hints.push(format!(
                        "statement '{}' skips verification for every artifact ('*'); the Notary Project specification forbids this, notation-go accepts it",
                        s.name
                    ));
                }
                continue;
            }
            if mode == Mode::Flux {
                if let Ok(reference) = Reference::parse(scope, Normalisation::Flux) {
                    if reference.repository_name() != *scope {
                        hints.push(format!(
                            "statement '{}': scope '{}' never matches under Flux, which normalises that name to '{}'",
                            s.name,
                            scope,
                            reference.repository_name()
                        ));
                    }
                }
            }
        }
        if level.is_some_and(|l| !l.is_skip())
            && s.trust_store_names(StoreType::Ca).is_empty()
            && s.trust_store_names(StoreType::SigningAuthority).is_empty()
        {
            hints.push(format!(
                "statement '{}' lists no ca: or signingAuthority: trust store; every signature will fail authenticity (no trusted certificates are found to verify authenticity)",
                s.name
            ));
        }
        if mode == Mode::Flux && level.is_some_and(|l| l.name() == "audit") {
            hints.push(format!(
                "statement '{}' is audit: under Flux an authenticity failure is only logged and the artifact is accepted without SourceVerified (Ignored)",
                s.name
            ));
        }
    }
    hints
}

fn load(args: &PolicyArgs) -> anyhow::Result<TrustMaterial> {
    TrustMaterial::read(&trust_input(&args.trust), dialect(args.mode.mode)).map_err(trust_exit)
}

pub fn run_check(check: CheckArgs) -> anyhow::Result<Exit> {
    let mut args = check.policy;
    let source = match &check.ocirepository {
        Some(file) => Some(ocirepository_source(file, &mut args)?),
        None => None,
    };
    let mode = args.mode.mode;
    let material = load(&args)?;
    let result = match material.policy(dialect(mode)) {
        Err(e) if !e.is_verification_failure() => return Err(trust_exit(e)),
        other => other,
    };
    let warnings = fluxverify::trust::check::material_warnings(&material);
    let mut warnings = warnings;
    if let Ok(loaded) = &result {
        warnings.extend(fluxverify::trust::check::validity_warnings(
            &material,
            &loaded.document,
            chrono::Utc::now(),
        ));
    }
    let (mut errors, cleanup, hints) = match &result {
        Ok(loaded) => (
            // A policy file alone (no certificates given) is checked as a document only.
            if material.secret.is_some() || !args.trust.certs.is_empty() {
                fluxverify::trust::check::store_problems(&material, &loaded.document, dialect(mode))
            } else {
                Vec::new()
            },
            loaded.cleanup_warnings.clone(),
            lint(&loaded.document, mode),
        ),
        Err(e) => (
            vec![e.to_string()],
            Vec::new(),
            match (e, &material.policy_bytes) {
                (TrustError::Parse(_), Some(bytes)) => {
                    fluxverify::trust::check::policy_syntax(bytes)
                        .into_iter()
                        .collect()
                }
                _ => Vec::new(),
            },
        ),
    };
    let mut source_lines = Vec::new();
    let mut scope_misses = Vec::new();
    if let (Some((label, repository, digest, unresolved)), Ok(_), true) =
        (&source, &result, errors.is_empty())
    {
        let settings = stages::Settings::reproducing(&args.mode);
        let built = fluxverify::verify::stages::stages_from_material(
            Ok(material.clone()),
            settings.common(),
        )
        .map_err(trust_exit)?;
        match &built.stages {
            Err(e) => errors.push(format!("{PROVIDER_ERROR_PREFIX}{e}")),
            Ok(stages) => match offline_check(stages, repository, digest.as_deref(), unresolved) {
                Err(e) => {
                    errors.push(format!("{PROVIDER_ERROR_PREFIX}{e}"));
                    if let Ok(loaded) = &result {
                        scope_misses.extend(fluxverify::report::hints::no_applicable_statement(
                            &loaded.document,
                            repository,
                        ));
                    }
                }
                Ok(Some((RowResult::Failed, reason))) => errors.push(reason),
                Ok(Some((_, reason))) => source_lines.push(format!("{label}: {reason}")),
                Ok(None) => {
                    let statement = stages
                        .applicable_statement(&format!(
                            "{repository}@{}",
                            digest.as_deref().unwrap_or(UNRESOLVED)
                        ))
                        .map(|s| s.name)
                        .unwrap_or_default();
                    source_lines.push(format!(
                        "{label}: statement {statement:?} applies to {repository}"
                    ));
                }
            },
        }
    }
    let valid = errors.is_empty();
    let error = (!valid).then(|| errors.join("\n"));
    let mut hints = hints;
    hints.extend(scope_misses);
    match args.output {
        OutputFormat::Json => {
            print_json(&json!({
                "mode": mode_name(mode),
                "source": material.origin,
                "valid": valid,
                "error": error,
                "fluxWarnings": cleanup,
                "hints": hints,
                "warnings": warnings,
                "ocirepository": source_lines,
            }))?;
        }
        OutputFormat::Text => {
            // On failure stderr carries exactly the error Flux / notation reports; stdout says
            // so and lists what Flux does not read (often the reason: a typo'd key).
            if let Some(error) = &error {
                outln!(
                    "Trust policy in {} is not valid ({} mode): {} fails verification with the error below.",
                    material.origin,
                    mode_name(mode),
                    match mode {
                        Mode::Flux => "Flux",
                        Mode::Notation => "notation",
                    }
                );
                for w in &warnings {
                    outln!("Warning: {w}");
                }
                for line in &source_lines {
                    outln!("{line}");
                }
                for h in &hints {
                    outln!("Hint: {h}");
                }
                eprintln!("Error: {error}");
            } else {
                for w in &warnings {
                    eprintln!("Warning: {w}");
                }
                outln!(
                    "Trust policy in {} is valid ({} mode).",
                    material.origin,
                    mode_name(mode)
                );
                // The report lists what Flux will not read, not only stderr.
                for w in &warnings {
                    outln!("Warning: {w}");
                }
                for line in &source_lines {
                    outln!("{line}");
                }
                for w in &cleanup {
                    outln!("Flux logs: {w}");
                }
                for h in &hints {
                    outln!("Hint: {h}");
                }
            }
        }
    }
    Ok(if valid { Exit::Ok } else { Exit::Failed })
}

/// A placeholder digest: only the repository takes part in scope matching.
const UNRESOLVED: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// The OCIRepository of `policy check --ocirepository`: its label, repository, digest (when the
/// ref is one) and how messages name an unresolved digest. Its Secret becomes the trust
/// material when no other is given.
fn ocirepository_source(
    file: &std::path::Path,
    args: &mut PolicyArgs,
) -> anyhow::Result<(String, String, Option<String>, String)> {
    use anyhow::Context as _;
    use fluxverify::flux::ocirepository::{self, ArtifactRef};
    let text = fluxverify::limits::read_text(file)?;
    let parsed = ocirepository::parse(&text, &file.display().to_string())?;
    let repo = &parsed.repository;
    if args.trust.secret.is_none() && args.trust.trust_policy.is_none() {
        let name = repo
            .verify
            .as_ref()
            .and_then(|v| v.secret_name.clone())
            .with_context(|| {
                format!(
                    "{}: OCIRepository {}/{} has no spec.verify.secretRef and no --secret was given",
                    file.display(),
                    repo.namespace,
                    repo.name
                )
            })?;
        if parsed.secret_document.is_none() {
            anyhow::bail!(
                "secrets \"{name}\" not found (not in {} and no --secret given)",
                file.display()
            );
        }
        args.trust.secret = Some(file.to_path_buf());
        args.trust.secret_name = Some(name);
    }
    let (digest, unresolved) = match &repo.artifact {
        ArtifactRef::Digest(d) => (Some(d.clone()), d.clone()),
        ArtifactRef::Tag(t) => (None, format!("<digest of tag {t}>")),
        ArtifactRef::Semver { expr, .. } => (None, format!("<digest of semver {expr}>")),
    };
    Ok((
        format!("OCIRepository {}/{}", repo.namespace, repo.name),
        repo.repository.repository_name(),
        digest,
        unresolved,
    ))
}

pub fn run_show(args: PolicyArgs) -> anyhow::Result<Exit> {
    let mode = args.mode.mode;
    let material = load(&args)?;
    let document = material.parsed_policy(dialect(mode)).map_err(trust_exit)?;
    let validity = material.policy(dialect(mode)).map(|_| ());
    match args.output {
        OutputFormat::Json => print_json(&serde_json::to_value(&document)?)?,
        OutputFormat::Text => {
            outln!("Trust policy in {}", material.origin);
            outln!("version: {}", document.version);
            for s in &document.trust_policies {
                out!("{}", render_statement(s));
            }
        }
    }
    if let Err(e) = validity {
        eprintln!("Error: {e}");
        eprintln!("The trust policy is invalid; Flux and notation reject it.");
        return Ok(Exit::Failed);
    }
    Ok(Exit::Ok)
}

fn render_statement(s: &TrustPolicyStatement) -> String {
    let mut out = format!("statement {:?}\n", s.name);
    let sv = &s.signature_verification;
    out.push_str(&format!(
        "├── registryScopes: {}\n",
        s.registry_scopes.join(", ")
    ));
    let level = match s.verification_level() {
        Ok(l) => format!(
            "{} ({})",
            l.name(),
            l.actions()
                .map(|(t, a)| format!("{t}: {a}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Err(e) => format!("{:?} (invalid: {e})", sv.level),
    };
    out.push_str(&format!("├── level: {level}\n"));
    if !sv.overrides.is_empty() {
        let o: Vec<String> = sv
            .overrides
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        out.push_str(&format!("├── override: {}\n", o.join(", ")));
    }
    if !sv.verify_timestamp.is_empty() {
        out.push_str(&format!("├── verifyTimestamp: {}\n", sv.verify_timestamp));
    }
    out.push_str(&format!("├── trustStores: {}\n", s.trust_stores.join(", ")));
    out.push_str(&format!(
        "└── trustedIdentities: {}\n",
        s.trusted_identities.join(" | ")
    ));
    out
}

/// Which signatures consult a store type.
fn store_purpose(t: StoreType) -> &'static str {
    match t {
        StoreType::Ca => "signing scheme notary.x509",
        StoreType::SigningAuthority => "signing scheme notary.x509.signingAuthority",
        StoreType::Tsa => "RFC 3161 timestamp countersignatures",
    }
}

pub fn run_explain(args: ExplainArgs) -> anyhow::Result<Exit> {
    let mode = args.policy.mode.mode;
    let normalisation = match mode {
        Mode::Flux => Normalisation::Flux,
        Mode::Notation => Normalisation::Notation,
    };
    let reference = Reference::parse(&args.reference, normalisation).map_err(|e| ExitError {
        exit: Exit::Usage,
        error: anyhow::anyhow!("invalid reference {:?}: {e}", args.reference),
        reported: false,
    })?;
    let material = load(&args.policy)?;
    let mut warnings = fluxverify::trust::check::material_warnings(&material);
    let LoadedPolicy {
        document,
        cleanup_warnings,
    } = match material.policy(dialect(mode)) {
        Ok(loaded) => loaded,
        Err(e) => {
            // What Flux does not read is often why the policy fails: said before the error.
            if args.policy.output == OutputFormat::Text {
                for w in &warnings {
                    eprintln!("Warning: {w}");
                }
                if let (TrustError::Parse(_), Some(bytes)) = (&e, &material.policy_bytes) {
                    if let Some(hint) = fluxverify::trust::check::policy_syntax(bytes) {
                        eprintln!("Hint: {hint}");
                    }
                }
            }
            return Err(trust_exit(e));
        }
    };

    let digest_known = reference.digest.is_some();
    let digest = reference
        .digest
        .clone()
        .unwrap_or_else(|| format!("sha256:{}", "0".repeat(64)));
    let artifact = reference.artifact_reference(&digest);
    let shown_artifact = if digest_known {
        artifact.clone()
    } else {
        format!(
            "{}@<digest of {}>",
            reference.repository_name(),
            reference.tag.as_deref().unwrap_or("latest")
        )
    };
    let hints = scope_hints(&document, &reference, mode);
    let selected = document.applicable_statement(&artifact);
    let (statement, matched) = match selected {
        Ok(found) => found,
        Err(e) => {
            // The hints `verify` gives for the same miss: the statements, their scopes and
            // the nearest one.
            let mut hints = hints;
            if matches!(e, SelectError::NoApplicable(_)) {
                hints.extend(fluxverify::report::hints::no_applicable_statement(
                    &document,
                    &reference.repository_name(),
                ));
            }
            let text = match (&e, digest_known) {
                (SelectError::NoApplicable(_), false) => {
                    e.to_string().replace(&artifact, &shown_artifact)
                }
                _ => e.to_string(),
            };
            match args.policy.output {
                OutputFormat::Json => print_json(&json!({
                    "mode": mode_name(mode),
                    "reference": args.reference,
                    "artifactReference": shown_artifact,
                    "statement": null,
                    "error": text,
                    "hints": hints,
                    "warnings": warnings,
                }))?,
                OutputFormat::Text => {
                    for w in &warnings {
                        eprintln!("Warning: {w}");
                    }
                    for h in &hints {
                        eprintln!("Hint: {h}");
                    }
                    eprintln!("Error: {text}");
                }
            }
            return Ok(Exit::Failed);
        }
    };
    let level = statement
        .verification_level()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let store = material.store(dialect(mode));
    let consulted = consulted_certificates(statement, &store, level.is_skip());
    let matched_scope = match matched {
        Match::Exact => reference.repository_name(),
        Match::Wildcard => "*".to_string(),
    };
    if !digest_known {
        warnings.push(format!(
            "no digest given: verification resolves the tag '{}' first; scopes match on '{}' either way",
            reference.tag.as_deref().unwrap_or("latest"),
            reference.repository_name()
        ));
    }
    if mode == Mode::Flux {
        if let Store::Flux(flux) = &store {
            warnings.extend(flux.warnings());
        }
    }

    match args.policy.output {
        OutputFormat::Json => {
            let actions: serde_json::Map<String, serde_json::Value> = ValidationType::ALL
                .iter()
                .map(|t| (t.name().to_string(), json!(level.action(*t).name())))
                .collect();
            let stores: Vec<serde_json::Value> = consulted
                .iter()
                .map(|c| {
                    json!({
                        "store": c.store,
                        "purpose": c.purpose,
                        "error": c.error,
                        "certificates": c.certificates.iter().map(|(key, subject, fp)| json!({"key": key, "subject": subject, "sha256": fp})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            print_json(&json!({
                "mode": mode_name(mode),
                "reference": args.reference,
                "artifactReference": shown_artifact,
                "statement": {"name": statement.name, "match": match matched { Match::Exact => "exact", Match::Wildcard => "wildcard" }, "scope": matched_scope},
                "level": level.name(),
                "actions": actions,
                "verifyTimestamp": if statement.signature_verification.verify_timestamp.is_empty() { "always" } else { statement.signature_verification.verify_timestamp.as_str() },
                "trustStores": statement.trust_stores,
                "trustedIdentities": statement.trusted_identities,
                "stores": stores,
                "fluxWarnings": cleanup_warnings,
                "hints": hints,
                "warnings": warnings,
            }))?;
        }
        OutputFormat::Text => {
            outln!("Reference:  {}", args.reference);
            outln!("Artifact:   {shown_artifact}");
            if reference.was_normalised() {
                outln!(
                    "            ({} normalised '{}' to '{}')",
                    if mode == Mode::Flux {
                        "Flux"
                    } else {
                        "notation"
                    },
                    reference.as_typed,
                    reference.repository_name()
                );
            }
            match matched {
                Match::Exact => outln!(
                    "Statement:  {:?}, its registry scope {:?} equals the artifact's repository (an exact scope wins over '*')",
                    statement.name, matched_scope
                ),
                Match::Wildcard => outln!(
                    "Statement:  {:?}, through the wildcard scope \"*\" (no statement lists {:?})",
                    statement.name,
                    reference.repository_name()
                ),
            }
            outln!("Level:      {}", level.name());
            if level.is_skip() {
                outln!(
                    "            signatures are not read; {}",
                    match mode {
                        Mode::Flux => "Flux accepts the artifact without setting SourceVerified",
                        Mode::Notation => "notation reports the verification as skipped",
                    }
                );
            } else {
                outln!("Actions:");
                for (t, a) in level.actions() {
                    outln!("  {:<20}{a}", t.name());
                }
                outln!(
                    "Timestamp:  verifyTimestamp {}",
                    if statement.signature_verification.verify_timestamp.is_empty() {
                        "always (default)"
                    } else {
                        statement.signature_verification.verify_timestamp.as_str()
                    }
                );
                outln!("Trusted identities:");
                for i in &statement.trusted_identities {
                    outln!("  {i}");
                }
                outln!(
                    "Certificates consulted{}:",
                    if mode == Mode::Flux {
                        " (Flux: every certificate of the trust material answers for every store name)"
                    } else {
                        ""
                    }
                );
                for c in &consulted {
                    outln!("  {} (for {})", c.store, c.purpose);
                    if let Some(e) = &c.error {
                        outln!("    error: {e}");
                    } else if !c.listed {
                        // Not a problem in itself: only signatures of that scheme need it.
                        outln!("    not needed unless a signature uses {}; one that does fails authenticity (\"no trusted certificates are found to verify authenticity\")", c.purpose);
                    } else if c.certificates.is_empty() {
                        outln!("    none: authenticity fails with \"no trusted certificates are found to verify authenticity\"");
                    }
                    for (key, subject, fp) in &c.certificates {
                        outln!("    {key}: {subject} (sha256 {fp})");
                    }
                }
            }
            for w in &cleanup_warnings {
                outln!("Flux logs: {w}");
            }
            for h in &hints {
                outln!("Hint: {h}");
            }
            for w in &warnings {
                eprintln!("Warning: {w}");
            }
        }
    }
    Ok(Exit::Ok)
}

/// Certificates a store lookup returns, for one `type:name` (or a type no entry names).
struct Consulted {
    store: String,
    purpose: &'static str,
    certificates: Vec<(String, String, String)>,
    error: Option<String>,
    /// Whether the statement lists a store of this type at all.
    listed: bool,
}

fn consulted_certificates(
    statement: &TrustPolicyStatement,
    store: &Store,
    skip: bool,
) -> Vec<Consulted> {
    let mut out = Vec::new();
    if skip {
        return out;
    }
    for t in StoreType::ALL {
        let names = statement.trust_store_names(t);
        if names.is_empty() {
            if t != StoreType::Tsa {
                out.push(Consulted {
                    store: format!("{t}: (none listed)"),
                    purpose: store_purpose(t),
                    certificates: Vec::new(),
                    error: None,
                    listed: false,
                });
            }
            continue;
        }
        for name in names {
            let (certificates, error) = match store.certificates(t, name) {
                Ok(certs) => (
                    certs
                        .iter()
                        .map(|c| (key_of(store, c), c.subject(), c.sha256_fingerprint()))
                        .collect(),
                    None,
                ),
                Err(e) => {
                    let mut text = e.to_string();
                    if let fluxverify::trust::store::TrustStoreError::FluxParse { key, .. } = &e {
                        text.push_str(&format!(" (from key '{key}')"));
                    }
                    (Vec::new(), Some(text))
                }
            };
            out.push(Consulted {
                store: format!("{t}:{name}"),
                purpose: store_purpose(t),
                certificates,
                error,
                listed: true,
            });
        }
    }
    out
}

/// The Secret key or file a certificate came from (Flux store), else its subject's store.
fn key_of(store: &Store, cert: &fluxverify::pki::cert::Certificate) -> String {
    if let Store::Flux(flux) = store {
        for report in flux.report() {
            if report.used.iter().any(|c| c == cert) {
                return report.key;
            }
        }
    }
    "certificate".to_string()
}

/// Hints when a scope would only have matched under the other reading of the reference.
fn scope_hints(doc: &TrustPolicyDocument, reference: &Reference, mode: Mode) -> Vec<String> {
    let mut hints = Vec::new();
    let name = reference.repository_name();
    let other = match mode {
        Mode::Flux => Some(reference.as_typed.clone()),
        Mode::Notation => Reference::parse(&reference.as_typed, Normalisation::Flux)
            .ok()
            .map(|r| r.repository_name()),
    };
    let Some(other) = other.filter(|o| *o != name) else {
        return hints;
    };
    for s in doc.statements_with_scope(&other) {
        hints.push(match mode {
            Mode::Flux => format!(
                "statement '{}' lists scope '{other}', which matches the reference as typed, but Flux normalises it to '{name}'; use '{name}' as the scope",
                s.name
            ),
            Mode::Notation => format!(
                "statement '{}' lists scope '{other}', which is what Flux would match for this reference; the notation CLI matches '{name}'",
                s.name
            ),
        });
    }
    hints
}
