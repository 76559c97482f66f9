//! A chart of an OCI `HelmRepository` with `verify.provider: cosign` and no `secretRef`,
//! verified keyless as source-controller v1.9.1's helmchart_controller verifies it:
//! `makeVerifiers` builds one keyless cosign verifier with the `matchOIDCIdentity` identities
//! (HelmChart has no `trustedRootSecretRef`: the public-good root, or `--trusted-root`), and
//! the OCI chart repository's `VerifyChart` returns the first verifier error as
//! `failed to verify <chart URL>: <cosign's error>` (the condition: `chart verification error:
//! ...`), or `verified signature of version <version>`.

use super::row::{chart_failure, RowResult, ScanRow};
use super::run::chart_client;
use super::ScanSettings;
use crate::cosign::keyless::{KeylessPolicy, KeylessStatus, NEEDS_ONLINE_LOG};
use crate::cosign::{verify_source, CosignRequest, Keys};
use crate::flux::helmchart::{self, ChartVerdict, HelmChart, HelmRepository};
use crate::source::registry::pool::ClientPool;
use crate::source::SignatureSource as _;

/// Verifies the chart (see the module docs).
pub(super) async fn run_chart_keyless(
    row: ScanRow,
    chart: HelmChart,
    repository: HelmRepository,
    pool: &ClientPool,
    settings: &ScanSettings,
) -> ScanRow {
    let identities = chart
        .verify
        .as_ref()
        .map(|v| v.identities.clone())
        .unwrap_or_default();
    let root = match &settings.default_root.root {
        Ok(r) => r.clone(),
        Err(e) => return row.with(RowResult::Error, e.clone()),
    };
    if settings.offline {
        return row.with(RowResult::Skipped, "offline");
    }
    let chart_repository = match helmchart::chart_repository(&repository, &chart.chart) {
        Ok(r) => r,
        Err(e) => return row.with(RowResult::Error, e.to_string()),
    };
    let (client, chart_base, budget) =
        match chart_client(&chart_repository, &repository, &chart, pool, settings) {
            Ok(set_up) => set_up,
            Err(e) => return row.with(RowResult::Error, e.to_string()),
        };
    let policy = KeylessPolicy {
        identities,
        root,
        root_source: settings.default_root.source.clone(),
    };
    let work = async {
        let version = if helmchart::is_exact_version(&chart.version) {
            chart.version.clone()
        } else {
            let tags = client.list_tags().await.map_err(|e| {
                format!("failed to get chart version for remote reference: could not get tags for {:?}: {e}", chart.chart)
            })?;
            helmchart::select_chart_version(&tags, &chart.chart, &chart_base, &chart.version)
                .map_err(|e| e.to_string())?
        };
        let url = helmchart::chart_url(&repository, &chart.chart, &version);
        let tag = match helmchart::verified_tag(&url) {
            Ok(tag) => tag,
            Err(e) => return Ok((version, url, Err(e))),
        };
        let artifact = client.resolve(&tag).await.map_err(|e| e.to_string())?;
        let base = chart_base.strip_prefix("oci://").unwrap_or(&chart_base);
        let request = CosignRequest {
            artifact_reference: format!("{base}@{}", artifact.digest),
            artifact,
            keys: Keys::Keyless(policy),
        };
        Ok::<_, String>((version, url, Ok(verify_source(&client, &request).await)))
    };
    match budget.run(work).await {
        Err(expired) => row.with(RowResult::Error, expired.to_string()),
        Ok(Err(e)) => row.with(RowResult::Error, e).contacted(&client),
        Ok(Ok((_, _, Err(invalid)))) => chart_failure(row, &ChartVerdict::Failed(invalid)),
        Ok(Ok((version, url, Ok(outcome)))) => {
            let mut row = row.contacted(&client);
            row.reference = Some(outcome.artifact_reference.clone());
            let Some(keyless) = &outcome.keyless else {
                return row.with(RowResult::Error, "no keyless outcome");
            };
            match &keyless.status {
                KeylessStatus::NeedsOnlineLog => row.with(RowResult::Error, NEEDS_ONLINE_LOG),
                KeylessStatus::Failed(error) => chart_failure(
                    row,
                    &ChartVerdict::Failed(helmchart::verify_failure(&url, error)),
                ),
                KeylessStatus::Verified => {
                    row.condition = helmchart::condition(&ChartVerdict::Verified, &version);
                    let reason = row
                        .condition
                        .as_ref()
                        .map(|c| c.message.clone())
                        .unwrap_or_default();
                    row.with(RowResult::Verified, reason)
                }
            }
        }
    }
}
