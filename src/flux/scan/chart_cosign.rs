//! A chart of an OCI `HelmRepository` with `verify.provider: cosign`, verified as
//! source-controller v1.9.1's helmchart_controller verifies it. `makeVerifiers` builds a
//! verifier a `.pub` key of the `secretRef` Secret (`no public keys found in secret 'ns/name'`
//! without one; a key that does not load stops it, as `failed to verify the signature using
//! provider 'cosign': <err>`), or, without a `secretRef`, one keyless verifier with the
//! `matchOIDCIdentity` identities (HelmChart has no `trustedRootSecretRef`: the public-good
//! root, or `--trusted-root`). The OCI chart repository's `VerifyChart` returns the first
//! verifier error as `failed to verify <chart URL>: <cosign's error>` (the condition: `chart
//! verification error: ...`), or `verified signature of version <version>`
//! ([`helmchart::cosign_keys_verdict`] for several keys).

use super::row::{chart_failure, RowResult, ScanRow};
use super::run::{chart_client, chart_version, ChartVersion};
use super::ScanSettings;
use crate::cosign::keyless::{KeylessPolicy, KeylessStatus, NEEDS_ONLINE_LOG};
use crate::cosign::{keys_from_secret, load_verifier, verify_source, CosignRequest, Keys};
use crate::flux::helmchart::{self, ChartVerdict, CosignKeysVerdict, HelmChart, HelmRepository};
use crate::source::registry::pool::ClientPool;
use crate::source::SignatureSource as _;

/// Why there are no keys to verify with.
enum NoKeys {
    /// `makeVerifiers` failed: Flux's verdict.
    Verifier(ChartVerdict),
    /// The trusted root of a keyless chart does not load.
    Root(String),
}

/// The keys `makeVerifiers` builds verifiers of.
fn chart_keys(
    chart: &HelmChart,
    secret: Option<&crate::trust::secret::Secret>,
    settings: &ScanSettings,
) -> Result<Keys, NoKeys> {
    let Some(secret) = secret else {
        let identities = chart
            .verify
            .as_ref()
            .map(|v| v.identities.clone())
            .unwrap_or_default();
        let root = match &settings.default_root.root {
            Ok(r) => r.clone(),
            Err(e) => return Err(NoKeys::Root(e.clone())),
        };
        return Ok(Keys::Keyless(KeylessPolicy {
            identities,
            root,
            root_source: settings.default_root.source.clone(),
        }));
    };
    let verifier_error =
        |error: String| Err(NoKeys::Verifier(ChartVerdict::CosignVerifierError(error)));
    let keys = keys_from_secret(secret);
    if keys.is_empty() {
        return verifier_error(format!(
            "no public keys found in secret '{}'",
            secret.namespaced_name()
        ));
    }
    // NewCosignVerifier of each key, before anything is fetched (an empty key is a keyless
    // verifier and loads).
    if let Some(error) = keys
        .iter()
        .filter(|k| !k.pem.is_empty())
        .find_map(|k| load_verifier(&k.pem).err())
    {
        return verifier_error(error.to_string());
    }
    Ok(Keys::Static(keys))
}

/// Verifies the chart (see the module docs).
pub(super) async fn run_chart_cosign(
    row: ScanRow,
    chart: HelmChart,
    repository: HelmRepository,
    secret: Option<&crate::trust::secret::Secret>,
    pool: &ClientPool,
    settings: &ScanSettings,
) -> ScanRow {
    let keys = match chart_keys(&chart, secret, settings) {
        Ok(keys) => keys,
        Err(NoKeys::Verifier(verdict)) => return chart_failure(row, &verdict),
        Err(NoKeys::Root(error)) => return row.with(RowResult::Error, error),
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
    let work = async {
        let ChartVersion { version, url, tag } =
            chart_version(&client, &chart, &chart_base, &repository).await?;
        let tag = match tag {
            Ok(tag) => tag,
            Err(e) => return Ok((version, url, Err(e))),
        };
        let artifact = client.resolve(&tag).await.map_err(|e| e.to_string())?;
        let base = chart_base.strip_prefix("oci://").unwrap_or(&chart_base);
        let request = CosignRequest {
            artifact_reference: format!("{base}@{}", artifact.digest),
            artifact,
            keys,
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
            let verdict = match &outcome.keyless {
                Some(keyless) => match &keyless.status {
                    KeylessStatus::NeedsOnlineLog => CosignKeysVerdict::NeedsOnlineLog,
                    KeylessStatus::Failed(error) => CosignKeysVerdict::Decided(
                        ChartVerdict::Failed(helmchart::verify_failure(&url, error)),
                    ),
                    KeylessStatus::Verified => CosignKeysVerdict::Decided(ChartVerdict::Verified),
                },
                None => {
                    let (verdict, warnings) = helmchart::cosign_keys_verdict(&url, &outcome.keys);
                    row.warnings.extend(warnings);
                    verdict
                }
            };
            match verdict {
                CosignKeysVerdict::NeedsOnlineLog => row.with(RowResult::Error, NEEDS_ONLINE_LOG),
                CosignKeysVerdict::Decided(ChartVerdict::Verified) => {
                    row.condition = helmchart::condition(&ChartVerdict::Verified, &version);
                    if let Some(lax) = outcome.lax.as_ref().filter(|_| settings.check_claims) {
                        // Flux's condition stays; the claim check refuses it.
                        let refusal =
                            crate::flux::cosign::claims_refusal(lax, &outcome.artifact.digest);
                        return row.with(RowResult::Failed, refusal);
                    }
                    let reason = row
                        .condition
                        .as_ref()
                        .map(|c| c.message.clone())
                        .unwrap_or_default();
                    row.with(RowResult::Verified, reason)
                }
                CosignKeysVerdict::Decided(failed) => chart_failure(row, &failed),
            }
        }
    }
}
