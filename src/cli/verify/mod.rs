//! `fluxverify verify`: the notation flow here, the cosign flow in [`cosign`].
use super::flags::{ProviderFlag, VerifyProvider};
use super::source::{open_registry, registry_facts, registry_options};
use super::timed::{time_limit, TimedRun};
use super::{source_for, stages, with_hints, Exit, Source};
use fluxverify::flux::ocirepository;
use fluxverify::report::hints::{self, Diagnostics, Origin, RegistryFacts};
use fluxverify::report::sarif;
use fluxverify::report::verify::VerifyReport;
use fluxverify::settings::Mode;
use fluxverify::source::reference::Normalisation;
use fluxverify::source::registry::{Provider, RegistryClient};
use fluxverify::trust::policy::TrustPolicyDocument;
use fluxverify::verify::outcome::VerifyError;
use fluxverify::verify::run::{verify, VerifyRequest};

mod args;
mod cosign;
mod emit;

pub use args::{VerifyArgs, VerifyFormat};
pub use emit::emit;
use emit::{document_location, emit_as, print_status_line};

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
        return cosign::run(&args, &reference);
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
        return cosign::run_ocirepository(&args, file, &parsed, &client, &timed);
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
