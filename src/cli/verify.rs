//! `fluxverify verify`.
use super::flags::{ProviderFlag, ProviderParser, VerifyProvider};
use super::source::{open_registry, registry_facts, registry_options};
use super::timed::{time_limit, TimedRun};
use super::{source_for, stages, with_hints, Exit, Source};
use crate::{LayoutArgs, ModeArgs, OutputFormat, RegistryArgs, TrustArgs};
use clap::Args;
use fluxverify::flux::ocirepository;
use fluxverify::report::hints::{self, Diagnostics, Origin, RegistryFacts};
use fluxverify::report::sarif::{self, SourceFile};
use fluxverify::report::verify::{ReportResult, VerifyReport};
use fluxverify::settings::Mode;
use fluxverify::source::reference::Normalisation;
use fluxverify::source::registry::{Provider, RegistryClient};
use fluxverify::trust::policy::TrustPolicyDocument;
use fluxverify::verify::outcome::VerifyError;
use fluxverify::verify::run::{verify, VerifyRequest};
use std::path::PathBuf;

/// `verify --provider`: the registry providers, `notation`/`cosign` still read as the old
/// spelling of `--verify-provider`, and what an `--ocirepository` file changes.
const PROVIDER_HELP: &str = "`aws`, `azure`, `gcp` or `generic`: get registry credentials from this cloud provider's CLI when none are configured (flags, Docker config), as Flux's `spec.provider` does [default: generic; with --ocirepository: its spec.provider]";

/// `verify --timeout`: what an `--ocirepository` file changes.
const TIMEOUT_HELP: &str = "Time limit of the whole run (every request, the auth round trips, the signature checks), in Go duration syntax as Flux's `spec.timeout`: `60s`, `1m30s`, `500ms`. When it expires the result is an error (exit 2) naming the request that was waiting [default: 60s; with --ocirepository: its spec.timeout, which this flag overrides]";

/// Arguments of `verify`.
#[derive(Debug, Args)]
#[command(
    mut_arg("providers", |a| a.help(PROVIDER_HELP).value_parser(ProviderParser::with_old_spelling())),
    mut_arg("timeout", |a| a.help(TIMEOUT_HELP))
)]
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
    /// Which signatures to verify, as Flux's `spec.verify.provider` [default: notation; with
    /// --ocirepository: its spec.verify.provider].
    #[arg(long, value_enum, value_name = "PROVIDER")]
    pub verify_provider: Option<VerifyProvider>,
    /// The artifact must be verified: what Flux would accept without setting `SourceVerified`
    /// (exit 3, ignored) and a `skip` level in notation mode fail instead (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// A cosign public key (PEM) to verify with; repeatable (with or instead of --secret, whose
    /// data keys ending in `.pub` are the keys).
    #[arg(long = "key", value_name = "FILE")]
    pub keys: Vec<PathBuf>,
    /// cosign: check the claims as `cosign verify` does, refusing what Flux accepts laxly: a
    /// classic signature whose payload names another digest than the artifact's.
    #[arg(long)]
    pub check_claims: bool,
    /// Keyless cosign: a Go regular expression the certificate's subject (SAN) must match;
    /// repeatable, paired in order with --certificate-oidc-issuer-regexp (as matchOIDCIdentity).
    #[arg(long = "certificate-identity-regexp", value_name = "REGEX")]
    pub identity_regexps: Vec<String>,
    /// Keyless cosign: a Go regular expression the certificate's OIDC issuer must match;
    /// repeatable, paired in order with --certificate-identity-regexp.
    #[arg(long = "certificate-oidc-issuer-regexp", value_name = "REGEX")]
    pub issuer_regexps: Vec<String>,
    /// The trusted root of keyless sources without trustedRootSecretRef.
    #[command(flatten)]
    pub root: super::root::RootArgs,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = VerifyFormat::Text)]
    pub output: VerifyFormat,
}

/// Output formats of `verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum VerifyFormat {
    /// Human-readable text.
    #[default]
    Text,
    /// One JSON object on stdout.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning): one result unless verified.
    Sarif,
}

impl VerifyFormat {
    /// The format of the common output paths: SARIF, like JSON, is one document on stdout
    /// (no spinner, no status line).
    pub fn base(self) -> OutputFormat {
        match self {
            VerifyFormat::Text => OutputFormat::Text,
            VerifyFormat::Json | VerifyFormat::Sarif => OutputFormat::Json,
        }
    }

    /// The format `cli::finish` reports an error in: the JSON error object for `-o json`;
    /// under `-o sarif` [`run`] has printed the SARIF log of the error already.
    pub fn for_errors(self) -> OutputFormat {
        match self {
            VerifyFormat::Json => OutputFormat::Json,
            VerifyFormat::Text | VerifyFormat::Sarif => OutputFormat::Text,
        }
    }
}

impl VerifyArgs {
    /// Whether a keyless cosign flag is given.
    pub fn has_keyless_flags(&self) -> bool {
        !self.identity_regexps.is_empty()
            || !self.issuer_regexps.is_empty()
            || self.root.trusted_root.is_some()
            || self.root.refresh_root
    }

    /// `--verify-provider`, or its old spelling `--provider notation|cosign` (with a warning).
    fn verification_provider(&self) -> anyhow::Result<Option<VerifyProvider>> {
        let Some(old) = self.registry.old_verify_provider() else {
            return Ok(self.verify_provider);
        };
        if self.verify_provider.is_some_and(|given| given != old) {
            anyhow::bail!(
                "--provider {} and --verify-provider {} disagree: the verification provider is --verify-provider (--provider names the registry credentials provider, Flux's spec.provider)",
                old.name(),
                self.verify_provider.map_or("", VerifyProvider::name)
            );
        }
        eprintln!(
            "Warning: --provider {0} is the old spelling of --verify-provider {0} (Flux's spec.verify.provider); --provider names spec.provider, the registry credentials provider",
            old.name()
        );
        Ok(Some(old))
    }

    /// The flags that only the cosign provider reads, as given.
    fn cosign_flags(&self) -> Vec<&'static str> {
        let mut given = Vec::new();
        if !self.keys.is_empty() {
            given.push("--key");
        }
        if self.check_claims {
            given.push("--check-claims");
        }
        if !self.identity_regexps.is_empty() {
            given.push("--certificate-identity-regexp");
        }
        if !self.issuer_regexps.is_empty() {
            given.push("--certificate-oidc-issuer-regexp");
        }
        if self.root.trusted_root.is_some() {
            given.push("--trusted-root");
        }
        if self.root.refresh_root {
            given.push("--refresh-root");
        }
        given
    }
}

pub fn run(args: VerifyArgs) -> anyhow::Result<Exit> {
    let format = args.output;
    let result = run_verify(args);
    if let (VerifyFormat::Sarif, Err(error)) = (format, &result) {
        // The log of a run that could not finish, so that a code-scanning upload still gets a
        // valid file; the error and its hints go to stderr as for every format.
        outln!(
            "{}",
            serde_json::to_string_pretty(&sarif::error_log(&format!("{error:#}")))
                .unwrap_or_default()
        );
    }
    result
}

fn run_verify(args: VerifyArgs) -> anyhow::Result<Exit> {
    let settings = stages::Settings::from_args(&args.mode)?;
    if let Some(file) = args.ocirepository.clone() {
        return run_ocirepository(args, &file, &settings);
    }
    let Some(reference) = args.reference.clone() else {
        anyhow::bail!("missing REFERENCE (or --ocirepository FILE)");
    };
    if args.verification_provider()? == Some(VerifyProvider::Cosign) {
        if settings.mode != Mode::Flux {
            anyhow::bail!("--verify-provider cosign reproduces Flux: it takes no --mode notation");
        }
        return super::cosign::run(&args, &reference);
    }
    refuse_cosign_flags(&args)?;
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
    let timed = TimedRun::start(time_limit(&args.registry, None), args.output.base())?;
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
    Ok(emit_as(
        &report,
        &diagnostics,
        args.output,
        None,
        args.strict,
    ))
}

/// The cosign flags given to a notation verification: refused rather than ignored.
fn refuse_cosign_flags(args: &VerifyArgs) -> anyhow::Result<()> {
    let given = args.cosign_flags();
    if !given.is_empty() {
        let verb = if given.len() == 1 {
            "belongs"
        } else {
            "belong"
        };
        anyhow::bail!(
            "{} {verb} to the cosign provider (--verify-provider cosign)",
            given.join(", ")
        );
    }
    Ok(())
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
        (None, true) => registry.providers.push(ProviderFlag::Registry(repo.provider)),
        (Some(secret), true) if repo.provider != Provider::Generic => eprintln!(
            "Warning: spec.provider {} is not used: Flux takes the registry credentials from spec.secretRef {secret:?}, which fluxverify does not read; give them with -u/-p or docker login",
            repo.provider
        ),
        _ => {}
    }
    let client = RegistryClient::for_reference(&repo.repository, registry_options(&registry))?;
    let wanted = match verification.provider {
        ocirepository::Provider::Notation => VerifyProvider::Notation,
        ocirepository::Provider::Cosign => VerifyProvider::Cosign,
    };
    if args.verification_provider()?.is_some_and(|p| p != wanted) {
        anyhow::bail!(
            "{}: OCIRepository {}/{} sets verify.provider {:?}, not the --verify-provider given",
            file.display(),
            repo.namespace,
            repo.name,
            wanted.name()
        );
    }
    // `spec.timeout` bounds the reconcile, and so the verification, of the object.
    let object = format!("OCIRepository {}/{}", repo.namespace, repo.name);
    let timed = TimedRun::start(
        time_limit(&args.registry, Some((repo.timeout, object))),
        args.output.base(),
    )?;
    if wanted == VerifyProvider::Cosign {
        return super::cosign::run_ocirepository(&args, file, &parsed, &client, &timed);
    }
    refuse_cosign_flags(&args)?;
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
    let location = document_location(file, &text, &repo.name);
    let exit = emit_as(
        &report,
        &diagnostics,
        args.output,
        Some(location),
        args.strict,
    );
    if args.output == VerifyFormat::Text {
        print_status_line(repo, report.condition().as_ref());
    }
    Ok(exit)
}

/// Where the OCIRepository `name` is in `file` (the line of its document), for the SARIF
/// result's location; line 0 (no region) when the document cannot be told apart.
pub(super) fn document_location(file: &std::path::Path, text: &str, name: &str) -> SourceFile {
    let line = fluxverify::gitops::documents::parse_yaml_stream(text)
        .ok()
        .and_then(|documents| {
            documents
                .into_iter()
                .find(|d| d.value["kind"] == "OCIRepository" && d.value["metadata"]["name"] == name)
        })
        .map_or(0, |d| d.line);
    SourceFile {
        file: file.display().to_string(),
        line,
    }
}

/// Prints the report in `format` (SARIF: located at `location`) and returns the exit code.
pub fn emit_as(
    report: &VerifyReport,
    diagnostics: &Diagnostics,
    format: VerifyFormat,
    location: Option<SourceFile>,
    strict: bool,
) -> Exit {
    if format != VerifyFormat::Sarif {
        return emit_with(report, diagnostics, format.base(), strict);
    }
    let refusal = strict.then(|| strict_refusal(report)).flatten();
    let finding = sarif::verify_finding(report, location);
    let finding = match &refusal {
        Some(why) => finding.map(|f| f.refused(why)),
        None => finding,
    };
    let log = sarif::verification_log(finding, &diagnostics.hints);
    outln!("{}", serde_json::to_string_pretty(&log).unwrap_or_default());
    match refusal {
        Some(_) => Exit::Failed,
        None => exit_code(report),
    }
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
    emit_with(report, &Diagnostics::default(), format, false)
}

/// `--strict`: why an artifact that Flux (or notation) accepts unverified fails, as `scan
/// --strict` words it for a source (the condition stays the one Flux writes).
fn strict_refusal(report: &VerifyReport) -> Option<String> {
    let result = report.result();
    let why = match result {
        ReportResult::Ignored => report
            .error_text()
            .unwrap_or_else(|| "Flux sets no SourceVerified condition".to_owned()),
        ReportResult::Skipped => "the trust policy's level is skip".to_owned(),
        _ => return None,
    };
    Some(format!(
        "--strict: the artifact must be verified ({}: {why})",
        result.name()
    ))
}

/// [`emit`] with the credential source and hints, and `--strict`.
pub fn emit_with(
    report: &VerifyReport,
    diagnostics: &Diagnostics,
    format: OutputFormat,
    strict: bool,
) -> Exit {
    let refusal = strict.then(|| strict_refusal(report)).flatten();
    match format {
        OutputFormat::Json => {
            let mut json = report.to_json();
            diagnostics.add_to_json(&mut json);
            if let Some(refusal) = &refusal {
                json["result"] = ReportResult::Failed.name().into();
                json["error"] = refusal.as_str().into();
            }
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
            if let Some(refusal) = &refusal {
                eprintln!("Error: {refusal}");
            }
        }
    }
    match refusal {
        Some(_) => Exit::Failed,
        None => exit_code(report),
    }
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
