//! `fluxverify scan`: every verified source of a GitOps tree, verified as Flux will verify it.
//!
//! The tree ([`crate::gitops`]) gives the objects; this module decides, object by object, what
//! Flux does with it (the rows), and runs the verifications: concurrently, over one registry
//! client per registry ([`ClientPool`]), each bounded by its source's timeout, each through
//! the same code `verify` runs ([`ocirepository::verify_selected`], [`verify`]). Trust
//! material is judged once per Secret and shared by the sources that name it.
//!
//! Results: `verified` (`SourceVerified=True`), `failed` (Flux would set
//! `SourceVerified=False`, or `--strict` refuses an unverified source), `ignored` (Flux accepts
//! the artifact without the condition), `skipped` (nothing to verify: no `spec.verify`, a
//! provider fluxverify does not check, `--offline`), `error` (the answer depends on something
//! the scan could not see: a Secret not in the tree, a SOPS-encrypted Secret, an unreachable
//! registry, a file that does not parse).

mod chart_cosign;
mod offline;
mod plan;
mod row;
mod run;

pub use offline::offline_check;
pub use row::{RegistryContact, RowResult, ScanRow, Summary};

use super::ocirepository::RunSettings;
use crate::gitops::Tree;
use crate::inflight::{LimitOrigin, TimeLimit};
use crate::source::registry::pool::ClientPool;
use chart_cosign::run_chart_cosign;
use chrono::{DateTime, Utc};
use futures::StreamExt as _;
use plan::{Job, Planner};
use run::{run_chart, run_cosign, run_oci};
use std::sync::Arc;

/// How to scan.
#[derive(Debug, Clone)]
pub struct ScanSettings {
    /// Verification semantics (flux mode, the source-controller version).
    pub run: RunSettings,
    /// Verifications in flight at most.
    pub jobs: usize,
    /// Fetch nothing: decide what the trust material alone decides.
    pub offline: bool,
    /// Every `skipped` and `ignored` row is a failure.
    pub strict: bool,
    /// cosign sources: check the payload's claims as `cosign verify` does (`--check-claims`).
    pub check_claims: bool,
    /// `--plain-http` for every source.
    pub plain_http: bool,
    /// The verification time.
    pub now: DateTime<Utc>,
    /// The time limit of a source whose `spec.timeout` is absent (Flux's 60s, or `--timeout`).
    pub default_timeout: TimeLimit,
    /// The trusted root of keyless sources without `trustedRootSecretRef` (the public-good
    /// one, or `--trusted-root`).
    pub default_root: crate::flux::cosign::DefaultRoot,
}

impl ScanSettings {
    /// The time limit of a source: its own `spec.timeout`, else the default.
    pub(super) fn time_limit(
        &self,
        spec_timeout: Option<std::time::Duration>,
        object: String,
    ) -> TimeLimit {
        match spec_timeout {
            Some(duration) => TimeLimit {
                duration,
                origin: LimitOrigin::Manifest(object),
            },
            None => self.default_timeout.clone(),
        }
    }
}

/// Turns every `skipped` and `ignored` row into a failure (`--strict`).
pub fn apply_strict(rows: &mut [ScanRow]) {
    for row in rows {
        if matches!(row.result, RowResult::Skipped | RowResult::Ignored) {
            row.reason = format!(
                "--strict: every source must be verified ({}: {})",
                row.result.name(),
                row.reason
            );
            row.result = RowResult::Failed;
        }
    }
}

/// Scans the tree: one row per verifiable resource (and per file that did not parse), in the
/// tree's order. `done` is called as each row is finished (for a progress bar).
pub async fn scan(
    tree: &Tree,
    pool: &Arc<ClientPool>,
    settings: &ScanSettings,
    done: &(dyn Fn(&ScanRow) + Sync),
) -> Vec<ScanRow> {
    let mut planner = Planner::new(tree, settings);
    let mut rows: Vec<(usize, ScanRow)> = Vec::new();
    for problem in &tree.problems {
        rows.push((
            rows.len(),
            ScanRow::other(
                "File",
                &problem.file,
                &problem.file,
                problem.line,
                RowResult::Error,
                format!("line {}: {}", problem.line, problem.detail),
            ),
        ));
    }
    let mut jobs = Vec::new();
    for object in &tree.objects {
        if let Some(job) = planner.plan(object) {
            jobs.push((rows.len() + jobs.len(), job));
        }
    }
    for (_, row) in &rows {
        done(row);
    }
    // Each verification is its own task: the registry waits overlap, and the verifiers' CPU
    // work (envelopes, chains) runs on every worker thread rather than on one.
    let finished: Vec<(usize, ScanRow)> = futures::stream::iter(jobs)
        .map(|(i, job)| {
            let pool = Arc::clone(pool);
            let settings = settings.clone();
            let task = tokio::spawn(async move {
                match job {
                    Job::Done(row) => *row,
                    Job::Oci {
                        row,
                        repository,
                        trust,
                    } => run_oci(*row, *repository, trust, &pool, &settings).await,
                    Job::Chart {
                        row,
                        chart,
                        repository,
                        trust,
                    } => run_chart(*row, *chart, *repository, trust, &pool, &settings).await,
                    Job::ChartCosign {
                        row,
                        chart,
                        repository,
                        secret,
                    } => {
                        run_chart_cosign(
                            *row,
                            *chart,
                            *repository,
                            secret.as_deref(),
                            &pool,
                            &settings,
                        )
                        .await
                    }
                    Job::Cosign {
                        row,
                        repository,
                        secret,
                    } => run_cosign(*row, *repository, secret.as_deref(), &pool, &settings).await,
                }
            });
            async move { (i, task.await) }
        })
        .buffer_unordered(settings.jobs.max(1))
        .map(|(i, joined)| {
            let row = joined.unwrap_or_else(|e| {
                ScanRow::other(
                    "Scan",
                    &format!("task {i}"),
                    "",
                    0,
                    RowResult::Error,
                    format!("the verification task ended abnormally: {e}"),
                )
            });
            done(&row);
            (i, row)
        })
        .collect()
        .await;
    rows.extend(finished);
    rows.sort_by_key(|(i, _)| *i);
    let mut rows: Vec<ScanRow> = rows.into_iter().map(|(_, r)| r).collect();
    if settings.strict {
        apply_strict(&mut rows);
    }
    rows
}
