//! `verify --verify-provider cosign` and `verify --ocirepository` with `verify.provider: cosign`.
use super::args::{VerifyArgs, VerifyFormat};
use super::emit::{document_location, print_status_line};
use crate::cli::source::{open_layout, open_registry, registry_facts};
use crate::cli::timed::{time_limit, TimedRun};
use crate::cli::{Exit, ExitError};
use anyhow::Context as _;
use fluxverify::cosign::keyless::identity::Identity;
use fluxverify::cosign::keyless::KeylessPolicy;
use fluxverify::cosign::{keys_from_secret, verify_source, CosignRequest, Keys, NamedKey};
use fluxverify::flux::cosign::{
    describe_digest, keys_for, CosignResult, DefaultRoot, COSIGN_ERROR_PREFIX,
    COSIGN_KEYLESS_ERROR_PREFIX,
};
use fluxverify::flux::ocirepository::{self, OciRepositoryFile};
use fluxverify::report::cosign::CosignReport;
use fluxverify::report::hints::{self, Diagnostics, Origin, RegistryFacts};
use fluxverify::report::sarif::{self, SourceFile};
use fluxverify::settings::FluxVersion;
use fluxverify::source::reference::Normalisation;
use fluxverify::source::registry::RegistryClient;
use fluxverify::source::SignatureSource as _;
use fluxverify::trust::secret::{load_secret, read_input};

/// The keys the flags name: the Secret's `.pub` entries, then every `--key` file. `None` when
/// neither flag is given.
fn keys_from_flags(args: &VerifyArgs) -> anyhow::Result<Option<Vec<NamedKey>>> {
    if args.trust.secret.is_none() && args.keys.is_empty() {
        return Ok(None);
    }
    if args.trust.trust_policy.is_some() || !args.trust.certs.is_empty() {
        anyhow::bail!("--trust-policy and --certs are notation trust material; cosign takes --secret (its `.pub` keys) or --key FILE");
    }
    let mut keys = Vec::new();
    if let Some(path) = &args.trust.secret {
        let secret = load_secret(path, args.trust.secret_name.as_deref())?;
        keys.extend(keys_from_secret(&secret));
    }
    for path in &args.keys {
        let pem = read_input(path)?;
        keys.push(NamedKey {
            name: path.display().to_string(),
            pem,
        });
    }
    Ok(Some(keys))
}

/// The root keyless verification uses without a `trustedRootSecretRef` ([`super::root`]).
fn default_root(args: &VerifyArgs) -> anyhow::Result<DefaultRoot> {
    crate::cli::root::default_root(&args.root, false)
}

/// `--certificate-identity-regexp` / `--certificate-oidc-issuer-regexp`, paired in order.
fn identities_from_flags(args: &VerifyArgs) -> anyhow::Result<Vec<Identity>> {
    if args.identity_regexps.len() != args.issuer_regexps.len() {
        anyhow::bail!(
            "--certificate-identity-regexp ({} given) and --certificate-oidc-issuer-regexp ({} given) go in pairs, one identity each",
            args.identity_regexps.len(),
            args.issuer_regexps.len()
        );
    }
    Ok(args
        .identity_regexps
        .iter()
        .zip(&args.issuer_regexps)
        .map(|(subject, issuer)| Identity {
            issuer: issuer.clone(),
            subject: subject.clone(),
        })
        .collect())
}

/// Earlier source-controllers used cosign v2 (no bundles): not reproduced. The version is the
/// one `--flux-version` parsed to, so `1.9.1`, `v1.9` and Flux `2.9` are all 1.9.
fn check_flux_version(args: &VerifyArgs) -> anyhow::Result<()> {
    let version = args.mode.reproduce.release.flux_version;
    if version != FluxVersion::V1_9 {
        anyhow::bail!(
            "the cosign provider is reproduced as source-controller 1.9 verifies it (cosign v3, bundles first), not as source-controller {version} (--flux-version)",
        );
    }
    Ok(())
}

/// `verify REFERENCE --verify-provider cosign`.
pub fn run(args: &VerifyArgs, reference: &str) -> anyhow::Result<Exit> {
    check_flux_version(args)?;
    let keys = match keys_from_flags(args)? {
        Some(_) if args.has_keyless_flags() => anyhow::bail!(
            "--secret/--key verify with static keys; the keyless flags (--certificate-identity-regexp, --certificate-oidc-issuer-regexp, --trusted-root) go without them"
        ),
        Some(keys) => Keys::Static(keys),
        None => {
            let root = default_root(args)?;
            Keys::Keyless(KeylessPolicy {
                identities: identities_from_flags(args)?,
                root: root.root.map_err(|e| anyhow::anyhow!(e))?,
                root_source: root.source,
            })
        }
    };
    let timed = TimedRun::start(time_limit(&args.registry, None), args.output.base())?;
    let (outcome, revision, facts, undecided) = if let Some(dir) = &args.layout.oci_layout {
        // Offline: the layout stands for the registry, --scope for its repository name.
        let source = open_layout(dir, reference, args.layout.scope.as_deref())?;
        let (artifact, undecided) = if source.wanted.contains(':') {
            timed.block_on(describe_digest(source.source(), &source.wanted))?
        } else {
            let artifact = source
                .source()
                .resolve_now(&source.wanted)
                .map_err(|e| anyhow::anyhow!("failed to determine artifact digest: {e}"))?;
            (artifact, None)
        };
        let tag = (!source.wanted.contains(':')).then_some(source.wanted.as_str());
        let revision = ocirepository::revision(tag, &artifact.digest);
        let request = CosignRequest {
            artifact_reference: format!("{}@{}", source.scope, artifact.digest),
            artifact,
            keys: keys.clone(),
        };
        (
            timed.block_on(verify_source(source.source(), &request))?,
            revision,
            None,
            undecided,
        )
    } else {
        let source = open_registry(reference, &args.registry, Normalisation::Flux)?;
        let client = source.source();
        // A tag is resolved first (getRevision); a digest is verified whether the registry has
        // it or not (Flux resolves nothing before verifying a digest).
        let (artifact, undecided) = if source.wanted.contains(':') {
            timed.block_on(describe_digest(client, &source.wanted))?
        } else {
            let artifact = timed
                .block_on(client.resolve(&source.wanted))?
                .map_err(|e| {
                    let facts = registry_facts(client, &args.registry, Origin::Flags);
                    crate::cli::with_hints(
                        anyhow::anyhow!("failed to determine artifact digest: {e}"),
                        hints::for_registry(&facts),
                    )
                })?;
            (artifact, None)
        };
        let revision = ocirepository::revision(source.tag.as_deref(), &artifact.digest);
        let request = CosignRequest {
            artifact_reference: format!("{}@{}", source.scope, artifact.digest),
            artifact,
            keys,
        };
        let outcome = timed.block_on(verify_source(client, &request))?;
        let facts = registry_facts(client, &args.registry, Origin::Flags);
        (outcome, revision, Some(facts), undecided)
    };
    let report = CosignReport {
        reference: reference.to_owned(),
        revision,
        flux_version: args.mode.reproduce.release.flux_version.to_string(),
        check_claims: args.check_claims,
        outcome,
        undecided,
    };
    let diagnostics = diagnostics(&report, facts.as_ref());
    Ok(emit(&report, &diagnostics, args.output, None))
}

/// The credential source, and the registry's hints when the verification did not succeed (a
/// registry that refused the signature listing or a fetch).
fn diagnostics(report: &CosignReport, registry: Option<&RegistryFacts>) -> Diagnostics {
    let Some(facts) = registry else {
        return Diagnostics::default();
    };
    let hints = match report.flux().result {
        CosignResult::Verified => Vec::new(),
        _ => hints::for_registry(facts),
    };
    Diagnostics {
        credentials: facts.credentials.clone(),
        hints,
    }
}

/// `verify --ocirepository FILE` for a cosign source: the object's ref selects the artifact,
/// its `secretRef` (or `--secret`/`--key`) gives the keys; no `secretRef` means keyless.
pub fn run_ocirepository(
    args: &VerifyArgs,
    file: &std::path::Path,
    parsed: &OciRepositoryFile,
    client: &RegistryClient,
    timed: &TimedRun,
) -> anyhow::Result<Exit> {
    check_flux_version(args)?;
    let repo = &parsed.repository;
    let verification = repo
        .verify
        .as_ref()
        .context("OCIRepository has no spec.verify")?;
    let mut selected = timed.block_on(ocirepository::select_artifact(repo, client))??;
    let mut undecided = None;
    if selected.tag.is_none() {
        (selected.descriptor, undecided) =
            timed.block_on(describe_digest(client, &selected.descriptor.digest))?;
    }
    let keys = if verification.secret_name.is_none() {
        // No secretRef: keyless, whatever --secret files are given (they may hold the
        // trustedRootSecretRef Secret).
        if !args.keys.is_empty() {
            anyhow::bail!("--key verifies with static keys, but {} has no spec.verify.secretRef: Flux verifies it keyless", file.display());
        }
        let root_secret = match &verification.trusted_root_secret {
            None => None,
            Some(name) => match (&args.trust.secret, &parsed.secret_document) {
                (Some(path), _) => Some(load_secret(path, Some(name))?),
                (None, Some(_)) => Some(load_secret(file, Some(name))?),
                (None, None) => None,
            },
        };
        let mut verification = verification.clone();
        if verification.identities.is_empty() {
            verification.identities = identities_from_flags(args)?;
        }
        keys_for(
            &verification,
            None,
            root_secret.as_ref(),
            &default_root(args)?,
        )
        .map_err(|error| ExitError {
            exit: Exit::Failed,
            error: anyhow::anyhow!("{COSIGN_KEYLESS_ERROR_PREFIX}{error}"),
            reported: false,
        })?
    } else {
        match keys_from_flags(args)? {
            Some(keys) => Keys::Static(keys),
            None => {
                let secret = match (&verification.secret_name, &parsed.secret_document) {
                    (Some(name), Some(_)) => Some(load_secret(file, Some(name))?),
                    _ => None,
                };
                keys_for(
                    verification,
                    secret.as_ref(),
                    None,
                    &crate::cli::root::public_good(),
                )
                .map_err(|error| ExitError {
                    exit: Exit::Failed,
                    error: anyhow::anyhow!(
                        "{COSIGN_ERROR_PREFIX}{error} (not in {} and no --secret given)",
                        file.display()
                    ),
                    reported: false,
                })?
            }
        }
    };
    let request = CosignRequest {
        artifact_reference: selected.artifact_reference.clone(),
        artifact: selected.descriptor.clone(),
        keys,
    };
    let outcome = timed.block_on(verify_source(client, &request))?;
    let report = CosignReport {
        reference: repo.url.clone(),
        revision: selected.revision,
        flux_version: args.mode.reproduce.release.flux_version.to_string(),
        check_claims: args.check_claims,
        outcome,
        undecided,
    };
    let facts = registry_facts(client, &args.registry, Origin::OciRepository);
    let text = fluxverify::limits::read_text(file).unwrap_or_default();
    let location = document_location(file, &text, &repo.name);
    let exit = emit(
        &report,
        &diagnostics(&report, Some(&facts)),
        args.output,
        Some(location),
    );
    if args.output == VerifyFormat::Text {
        print_status_line(repo, report.flux().condition.as_ref());
    }
    Ok(exit)
}

/// Prints the report; 0 verified, 1 failed, 2 error (undecided, or a keyless signature that
/// needs Rekor online).
pub fn emit(
    report: &CosignReport,
    diagnostics: &Diagnostics,
    format: VerifyFormat,
    location: Option<SourceFile>,
) -> Exit {
    match format {
        VerifyFormat::Sarif => {
            let log = sarif::verification_log(
                sarif::cosign_finding(report, location),
                &diagnostics.hints,
            );
            outln!("{}", serde_json::to_string_pretty(&log).unwrap_or_default());
        }
        VerifyFormat::Json => {
            let mut json = report.to_json();
            diagnostics.add_to_json(&mut json);
            let text = serde_json::to_string_pretty(&json).unwrap_or_default();
            outln!("{text}");
        }
        VerifyFormat::Text => {
            let mut text = report.to_text();
            diagnostics.write_text(&mut text);
            out!("{text}");
        }
    }
    if report.is_undecided() {
        return Exit::Usage;
    }
    match report.flux().result {
        CosignResult::Verified => Exit::Ok,
        CosignResult::Failed => Exit::Failed,
        CosignResult::Error => Exit::Usage,
    }
}
