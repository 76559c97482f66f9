//! `fluxverify verify`.
use super::source::{open_registry, registry_facts, registry_options};
use super::timed::{time_limit, TimedRun};
use super::{source_for, stages, with_hints, Exit, Source};
use crate::{LayoutArgs, ModeArgs, OutputFormat, RegistryArgs, TrustArgs};
use clap::Args;
use fluxverify::flux::ocirepository;
use fluxverify::report::hints::{self, Diagnostics, Origin, RegistryFacts};
use fluxverify::report::verify::{ReportResult, VerifyReport};
use fluxverify::settings::Mode;
use fluxverify::source::reference::Normalisation;
use fluxverify::source::registry::{Provider, RegistryClient};
use fluxverify::trust::policy::TrustPolicyDocument;
use fluxverify::verify::outcome::VerifyError;
use fluxverify::verify::run::{verify, VerifyRequest};
use std::path::PathBuf;

/// Arguments of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// `registry/repository:tag`, `registry/repository@sha256:...` or `registry/repository:tag@sha256:...`
    /// (with --oci-layout: a tag or `@sha256:...` inside the layout).
    pub reference: Option<String>,
    /// An OCIRepository manifest to take url, ref, insecure and verify.secretRef from.
    #[arg(long, value_name = "FILE")]
    pub ocirepository: Option<PathBuf>,
    #[command(flatten)]
    pub trust: TrustArgs,
    #[command(flatten)]
    pub mode: ModeArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
    #[command(flatten)]
    pub layout: LayoutArgs,
    /// A cosign public key (PEM) to verify with; repeatable (with or instead of --secret, whose
    /// data keys ending in `.pub` are the keys).
    #[arg(long = "key", value_name = "FILE")]
    pub keys: Vec<PathBuf>,
    /// Refuse what Flux accepts laxly: a cosign signature whose payload names another digest.
    #[arg(long)]
    pub strict: bool,
    /// Keyless cosign: a Go regular expression the certificate's subject (SAN) must match;
    /// repeatable, paired in order with --certificate-oidc-issuer-regexp (as matchOIDCIdentity).
    #[arg(long = "certificate-identity-regexp", value_name = "REGEX")]
    pub identity_regexps: Vec<String>,
    /// Keyless cosign: a Go regular expression the certificate's OIDC issuer must match;
    /// repeatable, paired in order with --certificate-identity-regexp.
    #[arg(long = "certificate-oidc-issuer-regexp", value_name = "REGEX")]
    pub issuer_regexps: Vec<String>,
    /// Keyless cosign: the Sigstore trusted_root.json to verify with instead of the public-good
    /// root shipped with fluxverify (a manifest's trustedRootSecretRef still comes first).
    #[arg(long = "trusted-root", value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = crate::OutputFormat::Text)]
    pub output: crate::OutputFormat,
}

/// The verification provider `--provider` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderArg {
    /// Notary Project signatures.
    Notation,
    /// cosign signatures with static public keys.
    Cosign,
}

impl VerifyArgs {
    /// Whether a keyless cosign flag is given.
    pub fn has_keyless_flags(&self) -> bool {
        !self.identity_regexps.is_empty()
            || !self.issuer_regexps.is_empty()
            || self.trusted_root.is_some()
    }

    /// `--provider notation|cosign`, if given.
    fn verification_provider(&self) -> Option<ProviderArg> {
        match self.registry.verification_provider()? {
            "cosign" => Some(ProviderArg::Cosign),
            _ => Some(ProviderArg::Notation),
        }
    }
}

pub fn run(args: VerifyArgs) -> anyhow::Result<Exit> {
    let settings = stages::Settings::from_args(&args.mode)?;
    if let Some(file) = args.ocirepository.clone() {
        return run_ocirepository(args, &file, &settings);
    }
    let Some(reference) = args.reference.clone() else {
        anyhow::bail!("missing REFERENCE (or --ocirepository FILE)");
    };
    if args.verification_provider() == Some(ProviderArg::Cosign) {
        if settings.mode != Mode::Flux {
            anyhow::bail!("--provider cosign reproduces Flux: it takes no --mode notation");
        }
        return super::cosign::run(&args, &reference);
    }
    if !args.keys.is_empty() || args.strict || args.has_keyless_flags() {
        anyhow::bail!("--key, --strict, --certificate-identity-regexp, --certificate-oidc-issuer-regexp and --trusted-root belong to --provider cosign");
    }
    let source = if args.layout.oci_layout.is_some() {
        source_for(&reference, &args.layout, &args.registry)?
    } else {
        // Flux reads the reference with go-containerregistry's Docker Hub normalisation.
        let normalisation = match settings.mode {
            Mode::Flux => Normalisation::Flux,
            Mode::Notation => Normalisation::Notation,
        };
        Source::Registry(open_registry(&reference, &args.registry, normalisation)?)
    };
    let (repository, wanted) = match &source {
        Source::Layout(s) => (s.scope.clone(), s.wanted.clone()),
        Source::Registry(s) => (s.scope.clone(), s.wanted.clone()),
    };
    let stages = stages::build(&args.trust, &settings)?;
    let policy = stages.stages.as_ref().ok().map(|s| s.policy().clone());
    let material_hints = stages.hints.clone();
    let request = VerifyRequest {
        reference: reference.clone(),
        repository,
        wanted,
        max_signatures: settings.max_signatures,
        warnings: stages.warnings.clone(),
    };
    let timed = TimedRun::start(time_limit(&args.registry, None), args.output)?;
    let now = chrono::Utc::now();
    let options = settings.signature_options();
    let (outcome, facts) = match &source {
        Source::Layout(s) => (
            timed.block_on(verify(s.source(), stages.stages, options, request, now))?,
            None,
        ),
        Source::Registry(s) => {
            let outcome =
                timed.block_on(verify(s.source(), stages.stages, options, request, now))?;
            let facts = registry_facts(s.source(), &args.registry, Origin::Flags);
            (outcome, Some(facts))
        }
    };
    let report = VerifyReport::new(settings.common(), outcome);
    let mut diagnostics = diagnostics(&report, facts.as_ref(), policy.as_ref());
    diagnostics.hints.extend(material_hints);
    Ok(emit_with(&report, &diagnostics, args.output))
}

fn diagnostics(
    report: &VerifyReport,
    registry: Option<&RegistryFacts>,
    policy: Option<&TrustPolicyDocument>,
) -> Diagnostics {
    Diagnostics {
        credentials: registry.and_then(|r| r.credentials.clone()),
        hints: hints::for_report(report, registry, policy),
    }
}

/// `verify --ocirepository FILE`: what source-controller does for that object. The URL, ref
/// (digest > semver > tag > latest), `insecure` (plain HTTP) and the verification Secret come
/// from the file; `--secret`/`--trust-policy` override the Secret.
fn run_ocirepository(
    mut args: VerifyArgs,
    file: &std::path::Path,
    settings: &stages::Settings,
) -> anyhow::Result<Exit> {
    let text = fluxverify::limits::read_text(file)?;
    let parsed = ocirepository::parse(&text, &file.display().to_string())?;
    let repo = &parsed.repository;
    if let Some(dir) = &args.layout.oci_layout {
        // The object names a registry; a layout is verified by reference. Refused rather than
        // silently verifying the registry instead.
        let wanted = match &repo.artifact {
            ocirepository::ArtifactRef::Digest(d) => format!("@{d}"),
            ocirepository::ArtifactRef::Tag(t) => t.clone(),
            ocirepository::ArtifactRef::Semver { .. } => "<tag>".to_owned(),
        };
        anyhow::bail!(
            "--oci-layout cannot be combined with --ocirepository: OCIRepository {}/{} is read from its registry ({}); to verify the layout as Flux would verify that source, run `fluxverify verify --oci-layout {} --scope {} --secret {} {wanted}`",
            repo.namespace,
            repo.name,
            repo.url,
            dir.display(),
            repo.repository.repository_name(),
            // The Secret given, else the file (where its secretRef is looked up).
            args.trust.secret.as_deref().unwrap_or(file).display(),
        );
    }
    let Some(verification) = &repo.verify else {
        anyhow::bail!(
            "{}: OCIRepository {}/{} has no spec.verify: Flux does not verify it",
            file.display(),
            repo.namespace,
            repo.name
        );
    };
    let mut registry = args.registry.clone();
    // Flux hands `insecure` to the notation client as PlainHTTP.
    registry.plain_http |= repo.insecure;
    // `--provider` overrides the object's `spec.provider`, which Flux asks only when
    // `spec.secretRef` names no registry credentials.
    match (&repo.registry_secret, registry.registry_provider().is_none()) {
        (None, true) => registry.providers.push(repo.provider.name().to_owned()),
        (Some(secret), true) if repo.provider != Provider::Generic => eprintln!(
            "Warning: spec.provider {} is not used: Flux takes the registry credentials from spec.secretRef {secret:?}, which fluxverify does not read; give them with -u/-p or docker login",
            repo.provider
        ),
        _ => {}
    }
    let client = RegistryClient::for_reference(&repo.repository, registry_options(&registry))?;
    let wanted = match verification.provider {
        ocirepository::Provider::Notation => ProviderArg::Notation,
        ocirepository::Provider::Cosign => ProviderArg::Cosign,
    };
    if args.verification_provider().is_some_and(|p| p != wanted) {
        anyhow::bail!(
            "{}: OCIRepository {}/{} sets verify.provider {:?}, not the --provider given",
            file.display(),
            repo.namespace,
            repo.name,
            format!("{wanted:?}").to_lowercase()
        );
    }
    // `spec.timeout` bounds the reconcile, and so the verification, of the object.
    let object = format!("OCIRepository {}/{}", repo.namespace, repo.name);
    let timed = TimedRun::start(
        time_limit(&args.registry, Some((repo.timeout, object))),
        args.output,
    )?;
    if wanted == ProviderArg::Cosign {
        return super::cosign::run_ocirepository(&args, file, &parsed, &client, &timed);
    }
    if !args.keys.is_empty() || args.strict || args.has_keyless_flags() {
        anyhow::bail!("--key, --strict and the keyless flags belong to the cosign provider");
    }
    let selected = timed
        .block_on(ocirepository::select_artifact(repo, &client))?
        .map_err(|e| {
            let facts = registry_facts(&client, &registry, Origin::OciRepository);
            with_hints(e.into(), hints::for_registry(&facts))
        })?;
    // Flux fails verification (SourceVerified=False) when it cannot get the Secret.
    let mut missing_secret = None;
    if args.trust.secret.is_none() && args.trust.trust_policy.is_none() {
        match (&verification.secret_name, &parsed.secret_document) {
            (None, _) => {
                missing_secret = Some(format!(
                    "verification secret cannot be empty: '{}'",
                    selected.artifact_reference
                ))
            }
            (Some(name), None) => {
                missing_secret = Some(format!(
                    "secrets \"{name}\" not found (not in {} and no --secret given)",
                    file.display()
                ))
            }
            (Some(name), Some(_)) => {
                args.trust.secret = Some(file.to_path_buf());
                args.trust.secret_name = Some(name.clone());
            }
        }
    }
    let stages = match missing_secret {
        Some(message) => stages::Built {
            stages: Err(VerifyError::TrustMaterial(message)),
            warnings: Vec::new(),
            hints: Vec::new(),
        },
        None => stages::build(&args.trust, settings)?,
    };
    let policy = stages.stages.as_ref().ok().map(|s| s.policy().clone());
    let material_hints = stages.hints.clone();
    let outcome = timed.block_on(ocirepository::verify_selected(
        &client,
        repo,
        &selected,
        stages.stages,
        stages.warnings,
        &settings.run_settings(),
        chrono::Utc::now(),
    ))?;
    let report = VerifyReport::new(settings.common(), outcome);
    let facts = registry_facts(&client, &registry, Origin::OciRepository);
    let mut diagnostics = diagnostics(&report, Some(&facts), policy.as_ref());
    diagnostics.hints.extend(material_hints);
    let exit = emit_with(&report, &diagnostics, args.output);
    if args.output == OutputFormat::Text {
        print_status_line(repo, report.condition().as_ref());
    }
    Ok(exit)
}

/// The object's status line, as `flux get sources oci` / `kubectl get` summarise it.
pub(super) fn print_status_line(
    repo: &ocirepository::OciRepository,
    condition: Option<&fluxverify::flux::condition::Condition>,
) {
    if let Some(c) = condition {
        let first_line = c.message.lines().next().unwrap_or_default();
        outln!(
            "OCIRepository {}/{}: {} {} {}: {first_line}",
            repo.namespace,
            repo.name,
            c.kind,
            c.status,
            c.reason
        );
    }
}

/// Prints the report and returns the exit code of the CLI contract.
pub fn emit(report: &VerifyReport, format: OutputFormat) -> Exit {
    emit_with(report, &Diagnostics::default(), format)
}

/// [`emit`] with the credential source and hints.
pub fn emit_with(report: &VerifyReport, diagnostics: &Diagnostics, format: OutputFormat) -> Exit {
    match format {
        OutputFormat::Json => {
            let mut json = report.to_json();
            diagnostics.add_to_json(&mut json);
            let text = serde_json::to_string_pretty(&json).unwrap_or_default();
            outln!("{text}");
        }
        OutputFormat::Text => {
            out!("{}", report.to_text());
            let mut under = String::new();
            diagnostics.write_text(&mut under);
            if report.mode == Mode::Flux {
                if !under.is_empty() {
                    outln!();
                }
                out!("{under}");
            } else {
                let _ = std::io::Write::flush(&mut std::io::stdout());
                // notation prints warnings and errors on stderr, the success line on stdout.
                for line in report.notation_cli_lines() {
                    if line.starts_with("Warning: ") || line.starts_with("Error: ") {
                        eprintln!("{line}");
                    } else {
                        outln!("{line}");
                    }
                }
                // Under notation's own last lines, on stderr beside its `Error:` line.
                eprint!("{under}");
            }
        }
    }
    exit_code(report)
}

/// 0 verified (or skipped in notation mode), 1 failed, 2 could not decide, 3 ignored (flux mode).
pub fn exit_code(report: &VerifyReport) -> Exit {
    match report.result() {
        ReportResult::Verified | ReportResult::Skipped => Exit::Ok,
        ReportResult::Failed => Exit::Failed,
        ReportResult::Ignored => Exit::Ignored,
        ReportResult::Error => Exit::Usage,
    }
}
