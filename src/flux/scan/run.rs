//! The jobs: each verification, run through the same code `verify` runs, bounded by its
//! source's time limit, and turned into Flux's verdict for the row.

use super::offline::offline_verdict;
use super::plan::Trust;
use super::row::{chart_failure, failed_with_condition, first_line, RowResult, ScanRow};
use super::ScanSettings;
use crate::flux::condition::{Condition, PROVIDER_ERROR_PREFIX};
use crate::flux::helmchart::{self, ChartVerdict, HelmChart, HelmRepository};
use crate::flux::ocirepository::{self, ArtifactRef, OciRepository};
use crate::flux::outcome::{check_outcome, FluxResult};
use crate::inflight::Budget;
use crate::source::registry::pool::ClientPool;
use crate::source::registry::Provider;
use crate::source::SignatureSource as _;
use crate::verify::run::RunOutcome;
use crate::verify::run::{verify, VerifyRequest};

/// Flux's result for an outcome, its condition, and the row's result and short reason.
fn judge(outcome: &RunOutcome) -> (FluxResult, Option<Condition>, RowResult, String) {
    let verdict = check_outcome(&outcome.verification);
    let condition = crate::flux::condition::source_verified(&verdict, &outcome.revision);
    // The registry could not be read: the signatures are neither good nor bad.
    if let Some(error) = outcome.verification.error().filter(|e| e.is_undecided()) {
        return (
            verdict.result,
            None,
            RowResult::Error,
            first_line(&error.to_string()),
        );
    }
    let (result, reason) = match verdict.result {
        FluxResult::Verified => (
            RowResult::Verified,
            condition
                .as_ref()
                .map(|c| c.message.clone())
                .unwrap_or_else(|| "verified".into()),
        ),
        FluxResult::Failed => (
            RowResult::Failed,
            condition
                .as_ref()
                .map(|c| first_line(&c.message))
                .unwrap_or_default(),
        ),
        FluxResult::FetchFailed => (
            RowResult::Error,
            first_line(&verdict.error.clone().unwrap_or_default()),
        ),
        FluxResult::Ignored => (
            RowResult::Ignored,
            match verdict.log_lines.first() {
                Some(line) => format!("accepted without SourceVerified: {line}"),
                None => "level skip: Flux accepts the artifact without verifying it".into(),
            },
        ),
    };
    (verdict.result, condition, result, reason)
}

pub(super) async fn run_oci(
    mut row: ScanRow,
    repository: OciRepository,
    trust: Option<Trust>,
    pool: &ClientPool,
    settings: &ScanSettings,
) -> ScanRow {
    let (stages, warnings) = match trust {
        Some(Trust::Ready { stages, warnings }) => (Some(stages), warnings),
        // Planned away: an unknown Secret is an error row before any job runs.
        Some(Trust::Unknown(reason)) => return row.with(RowResult::Error, reason),
        None => (None, Vec::new()),
    };
    row.warnings = warnings.clone();
    let repo_name = repository.repository.repository_name();
    if settings.offline {
        let (digest, unresolved) = match &repository.artifact {
            ArtifactRef::Digest(d) => (Some(d.as_str()), d.clone()),
            ArtifactRef::Tag(t) => (None, format!("<digest of tag {t}>")),
            ArtifactRef::Semver { expr, .. } => (None, format!("<digest of semver {expr}>")),
        };
        let Some(stages) = stages else {
            let message = format!(
                "{PROVIDER_ERROR_PREFIX}verification secret cannot be empty: '{repo_name}@{unresolved}'"
            );
            return failed_with_condition(row, message);
        };
        return match offline_verdict(&stages, &repo_name, digest, &unresolved) {
            Err(e) => failed_with_condition(row, format!("{PROVIDER_ERROR_PREFIX}{e}")),
            Ok(Some((result, reason))) => row.with(result, reason),
            Ok(None) => row.with(RowResult::Skipped, "offline"),
        };
    }
    let client = match client_for(&repository, pool, settings) {
        Ok(c) => c,
        Err(e) => return row.with(RowResult::Error, e.to_string()),
    };
    let budget = Budget::start(settings.time_limit(
        repository.timeout,
        format!("OCIRepository {}/{}", repository.namespace, repository.name),
    ));
    let work = async {
        let selected = ocirepository::select_artifact(&repository, &client)
            .await
            .map_err(|e| e.to_string())?;
        let Some(stages) = stages else {
            return Ok(Err(format!(
                "{PROVIDER_ERROR_PREFIX}verification secret cannot be empty: '{}'",
                selected.artifact_reference
            )));
        };
        let outcome = ocirepository::verify_selected(
            &client,
            &repository,
            &selected,
            stages,
            warnings,
            &settings.run,
            settings.now,
        )
        .await;
        Ok::<_, String>(Ok(outcome))
    };
    let row = match budget.run(work).await {
        Err(expired) => row.with(RowResult::Error, expired.to_string()),
        Ok(Err(e)) => row.with(RowResult::Error, e),
        Ok(Ok(Err(message))) => failed_with_condition(row, message),
        Ok(Ok(Ok(outcome))) => {
            row.reference = Some(outcome.verification.artifact_reference.clone());
            let (_, condition, result, reason) = judge(&outcome);
            row.condition = condition;
            row.result = result;
            row.reason = reason;
            row.verification = Some(outcome);
            row
        }
    };
    row.contacted(&client)
}

/// The pool's client for an `OCIRepository`'s registry. Flux asks `spec.provider` for
/// credentials only when `spec.secretRef` names none.
fn client_for(
    repository: &OciRepository,
    pool: &ClientPool,
    settings: &ScanSettings,
) -> Result<crate::source::registry::RegistryClient, crate::source::registry::RegistryError> {
    let provider = match repository.registry_secret {
        None => repository.provider,
        Some(_) => Provider::Generic,
    };
    pool.client(
        &repository.repository,
        repository.insecure || settings.plain_http,
        provider,
    )
}

/// A cosign source, verified by the same library call `verify --ocirepository` makes for one.
pub(super) async fn run_cosign(
    row: ScanRow,
    repository: OciRepository,
    secret: Option<&crate::trust::secret::Secret>,
    pool: &ClientPool,
    settings: &ScanSettings,
) -> ScanRow {
    if settings.offline {
        return row.with(RowResult::Skipped, "offline");
    }
    let client = match client_for(&repository, pool, settings) {
        Ok(c) => c,
        Err(e) => return row.with(RowResult::Error, e.to_string()),
    };
    let budget = Budget::start(settings.time_limit(
        repository.timeout,
        format!("OCIRepository {}/{}", repository.namespace, repository.name),
    ));
    let keyless = repository
        .verify
        .as_ref()
        .is_some_and(|v| v.secret_name.is_none());
    let (secret, root_secret) = if keyless {
        (None, secret)
    } else {
        (secret, None)
    };
    let work = crate::flux::cosign::verify_ocirepository_with(
        &repository,
        secret,
        root_secret,
        &settings.default_root,
        &client,
        settings.check_claims,
    );
    let row = match budget.run(work).await {
        Err(expired) => row.with(RowResult::Error, expired.to_string()),
        Ok(Err(e)) => row.with(RowResult::Error, first_line(&e.to_string())),
        Ok(Ok(verified)) => {
            let flux = verified.flux.clone();
            let (result, reason) = match flux.result {
                crate::flux::cosign::CosignResult::Verified => (
                    RowResult::Verified,
                    flux.condition
                        .as_ref()
                        .map_or_else(|| "verified".into(), |c| c.message.clone()),
                ),
                crate::flux::cosign::CosignResult::Failed => (
                    RowResult::Failed,
                    // Flux's failing condition; else (`--check-claims` refusing what Flux
                    // verified, under Flux's `True` condition) the check's own error.
                    flux.condition
                        .as_ref()
                        .filter(|c| c.status == "False")
                        .map(|c| first_line(&c.message))
                        .or(flux.error.clone())
                        .unwrap_or_default(),
                ),
                crate::flux::cosign::CosignResult::Error => {
                    (RowResult::Error, flux.error.clone().unwrap_or_default())
                }
            };
            // A digest reference the registry did not answer for: Flux's condition, undecided.
            let result = match &verified.undecided {
                Some(_) if result == RowResult::Failed => RowResult::Error,
                _ => result,
            };
            let mut row = row.with(result, reason);
            row.reference = Some(verified.selected.artifact_reference.clone());
            row.condition = flux.condition.clone();
            row.cosign = Some(verified);
            row
        }
    };
    row.contacted(&client)
}

pub(super) async fn run_chart(
    mut row: ScanRow,
    chart: HelmChart,
    repository: HelmRepository,
    trust: Trust,
    pool: &ClientPool,
    settings: &ScanSettings,
) -> ScanRow {
    let Trust::Ready {
        stages: Ok(stages),
        warnings,
    } = trust
    else {
        return row.with(RowResult::Error, "trust material not judged");
    };
    row.warnings = warnings.clone();
    let chart_repository = match helmchart::chart_repository(&repository, &chart.chart) {
        Ok(r) => r,
        Err(e) => return row.with(RowResult::Error, e.to_string()),
    };
    let repo_name = chart_repository.repository_name();
    let exact = helmchart::is_exact_version(&chart.version);
    if settings.offline {
        if exact {
            let url = helmchart::chart_url(&repository, &chart.chart, &chart.version);
            if let Err(e) = helmchart::verified_tag(&url) {
                return chart_failure(row, &ChartVerdict::Failed(e));
            }
        }
        let unresolved = format!("<digest of version {}>", chart.version);
        return match offline_verdict(&Ok(stages), &repo_name, None, &unresolved) {
            Err(e) => {
                let url = helmchart::chart_url(&repository, &chart.chart, &chart.version);
                chart_failure(
                    row,
                    &ChartVerdict::Failed(helmchart::verify_failure(&url, &e)),
                )
            }
            Ok(Some((result, reason))) => row.with(result, reason),
            Ok(None) => row.with(RowResult::Skipped, "offline"),
        };
    }
    let (client, chart_base, budget) =
        match chart_client(&chart_repository, &repository, &chart, pool, settings) {
            Ok(set_up) => set_up,
            Err(e) => return row.with(RowResult::Error, e.to_string()),
        };
    let work = async {
        let ChartVersion { version, url, tag } =
            chart_version(&client, &chart, &chart_base, &repository).await?;
        let tag = match tag {
            Ok(tag) => tag,
            Err(e) => return Ok((version, url, Err(e))),
        };
        // notation's own tag resolution (`repoUrlWithDigest`) before matching the policy.
        let artifact = client.resolve(&tag).await.map_err(|e| e.to_string())?;
        let request = VerifyRequest {
            reference: url.clone(),
            repository: repo_name.clone(),
            wanted: artifact.digest.clone(),
            max_signatures: settings.run.max_signatures,
            warnings: warnings.clone(),
        };
        let mut report = verify(
            &client,
            Ok(stages.clone()),
            settings.run.options.clone(),
            request,
            settings.now,
        )
        .await;
        report.revision = version.clone();
        Ok::<_, String>((version, url, Ok(report)))
    };
    let row = match budget.run(work).await {
        Err(expired) => row.with(RowResult::Error, expired.to_string()),
        Ok(Err(e)) => row.with(RowResult::Error, e),
        Ok(Ok((_, _, Err(invalid)))) => chart_failure(row, &ChartVerdict::Failed(invalid)),
        Ok(Ok((version, url, Ok(outcome)))) => {
            row.reference = Some(outcome.verification.artifact_reference.clone());
            let (flux, _, result, reason) = judge(&outcome);
            if result == RowResult::Error {
                return row.with(result, reason).contacted(&client);
            }
            let verdict = match flux {
                FluxResult::Verified => ChartVerdict::Verified,
                FluxResult::Ignored => ChartVerdict::Ignored,
                FluxResult::Failed | FluxResult::FetchFailed => {
                    ChartVerdict::Failed(helmchart::verify_failure(
                        &url,
                        &check_outcome(&outcome.verification)
                            .error
                            .unwrap_or_default(),
                    ))
                }
            };
            row.condition = helmchart::condition(&verdict, &version);
            row.result = result;
            row.reason = match (&verdict, &row.condition) {
                (ChartVerdict::Ignored, _) => reason,
                (_, Some(c)) => first_line(&c.message),
                _ => String::new(),
            };
            row.verification = Some(outcome);
            row
        }
    };
    row.contacted(&client)
}

/// The chart version a HelmChart gets and what `VerifyChart` verifies of it.
pub(super) struct ChartVersion {
    /// The version: `spec.version` when exact, else the highest listed tag it matches.
    pub(super) version: String,
    /// `<repository url>/<chart>:<version>`.
    pub(super) url: String,
    /// The tag to resolve, or why `VerifyChart` refuses the URL (see
    /// [`helmchart::verified_tag`]).
    pub(super) tag: Result<String, String>,
}

/// Picks the chart's version as the OCI chart repository's `getChartVersion` does (listing
/// the tags unless the version is exact); an error is the build error's text.
pub(super) async fn chart_version(
    client: &crate::source::registry::RegistryClient,
    chart: &HelmChart,
    chart_base: &str,
    repository: &HelmRepository,
) -> Result<ChartVersion, String> {
    let version = if helmchart::is_exact_version(&chart.version) {
        chart.version.clone()
    } else {
        let tags = client.list_tags().await.map_err(|e| {
            format!("failed to get chart version for remote reference: could not get tags for {:?}: {e}", chart.chart)
        })?;
        helmchart::select_chart_version(&tags, &chart.chart, chart_base, &chart.version)
            .map_err(|e| e.to_string())?
    };
    let url = helmchart::chart_url(repository, &chart.chart, &version);
    let tag = helmchart::verified_tag(&url);
    Ok(ChartVersion { version, url, tag })
}

/// A chart's registry client, its `oci://` base (`<url>/<chart>`) and its repository's time
/// limit, started: what the notation and the keyless chart verifications share.
pub(super) fn chart_client(
    chart_repository: &crate::source::reference::Reference,
    repository: &HelmRepository,
    chart: &HelmChart,
    pool: &ClientPool,
    settings: &ScanSettings,
) -> Result<
    (crate::source::registry::RegistryClient, String, Budget),
    crate::source::registry::RegistryError,
> {
    let client = pool.client(
        chart_repository,
        repository.insecure || settings.plain_http,
        repository.provider,
    )?;
    let chart_base = format!("{}/{}", repository.url.trim_end_matches('/'), chart.chart);
    let budget = Budget::start(settings.time_limit(
        repository.timeout,
        format!(
            "HelmRepository {}/{}",
            repository.namespace, repository.name
        ),
    ));
    Ok((client, chart_base, budget))
}
