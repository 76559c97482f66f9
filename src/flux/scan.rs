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

use super::condition::{Condition, PROVIDER_ERROR_PREFIX};
use super::helmchart::{self, ChartVerdict, HelmChart, HelmRepository};
use super::ocirepository::{self, ArtifactRef, OciRepository, RunSettings};
use super::outcome::{check_outcome, FluxResult};
use super::spec_fields::unknown_spec_fields;
use crate::gitops::{FoundSecret, Object, SecretContent, SecretLookup, Tree};
use crate::inflight::{Budget, LimitOrigin, TimeLimit};
use crate::source::registry::pool::ClientPool;
use crate::source::registry::Provider;
use crate::source::SignatureSource as _;
use crate::trust::material::Store;
use crate::trust::material::TrustMaterial;
use crate::trust::policy::Action;
use crate::verify::outcome::VerifyError;
use crate::verify::run::RunOutcome;
use crate::verify::run::{verify, VerifyRequest};
use crate::verify::signature::StoreKind;
use crate::verify::stages::{stages_from_material, PolicyStages};
use crate::verify::ValidationType;
use chrono::{DateTime, Utc};
use futures::StreamExt as _;
use std::collections::HashMap;
use std::sync::Arc;

/// A row's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RowResult {
    /// `SourceVerified=True`.
    Verified,
    /// Flux would set `SourceVerified=False` (or `--strict` refuses the source).
    Failed,
    /// Flux accepts the artifact without setting `SourceVerified`.
    Ignored,
    /// Nothing was verified.
    Skipped,
    /// The scan could not tell.
    Error,
}

impl RowResult {
    /// The JSON / text name.
    pub fn name(self) -> &'static str {
        match self {
            RowResult::Verified => "verified",
            RowResult::Failed => "failed",
            RowResult::Ignored => "ignored",
            RowResult::Skipped => "skipped",
            RowResult::Error => "error",
        }
    }
}

/// One resource of the scan.
#[derive(Debug, Clone)]
pub struct ScanRow {
    /// `OCIRepository`, `HelmChart`, `HelmRelease`, or `File` for a file that did not parse.
    pub kind: String,
    /// `apiVersion`.
    pub api_version: String,
    /// Namespace.
    pub namespace: String,
    /// Name (the file for a `File` row).
    pub name: String,
    /// The file.
    pub file: String,
    /// 1-based line of its document.
    pub line: usize,
    /// `spec.verify.provider`, when set.
    pub provider: Option<String>,
    /// The source URL (`spec.url`; for a chart `<HelmRepository url>/<chart>`).
    pub url: Option<String>,
    /// What was verified, `registry/repository@sha256:...`.
    pub reference: Option<String>,
    /// The result.
    pub result: RowResult,
    /// A short reason.
    pub reason: String,
    /// The `SourceVerified` condition Flux would set (none when it sets none).
    pub condition: Option<Condition>,
    /// What the verification found, when anything was fetched (`report` renders it as
    /// `verify -o json` does).
    pub verification: Option<RunOutcome>,
    /// For a cosign source: what the cosign verification found (`report` renders it as
    /// `verify --provider cosign -o json` does).
    pub cosign: Option<super::cosign::CosignSourceResult>,
    /// Warnings (Flux's policy clean-up, keys it ignores, ...).
    pub warnings: Vec<String>,
    /// How the registry answered, when one was contacted (the report's credential source and
    /// hints come from it).
    pub registry: Option<RegistryContact>,
    /// The cluster (entry directory) whose build applies it, in a fleet scan.
    pub cluster: Option<String>,
    /// The Flux Kustomization (`namespace/name`) that applies it, in a fleet scan.
    pub kustomization: Option<String>,
    /// The patch files that changed it.
    pub patched_by: Vec<String>,
    /// Hints of the scan's own (a hashed Secret name, an out-of-band Secret).
    pub hints: Vec<String>,
}

/// The registry side of a row: what the report needs for the credential source and the hints.
#[derive(Debug, Clone)]
pub struct RegistryContact {
    /// `host[:port]`.
    pub registry: String,
    /// The repository inside it.
    pub repository: String,
    /// The last error the registry client returned.
    pub error: Option<crate::source::registry::RegistryError>,
    /// Where the credentials came from, if the registry asked for any.
    pub credentials: Option<crate::source::registry::CredentialOrigin>,
    /// The provider in force for this source.
    pub provider: Provider,
}

impl RegistryContact {
    fn of(client: &crate::source::registry::RegistryClient) -> RegistryContact {
        RegistryContact {
            registry: client.registry().to_owned(),
            repository: client.repository().to_owned(),
            error: client.last_error(),
            credentials: client.credential_origin(),
            provider: client.provider(),
        }
    }
}

impl ScanRow {
    fn new(object: &Object) -> ScanRow {
        ScanRow {
            kind: object.kind.clone(),
            api_version: object.api_version.clone(),
            namespace: object.namespace.clone(),
            name: object.name.clone(),
            file: object.file.clone(),
            line: object.line,
            provider: None,
            url: None,
            reference: None,
            result: RowResult::Skipped,
            reason: String::new(),
            condition: None,
            verification: None,
            cosign: None,
            warnings: unknown_spec_fields(object),
            registry: None,
            cluster: None,
            kustomization: object.applied_by.clone(),
            patched_by: object.patched_by.clone(),
            hints: Vec::new(),
        }
    }

    /// A row of its own for something that is not a source (a file, a Kustomization, a task).
    pub fn other(
        kind: &str,
        name: &str,
        file: &str,
        line: usize,
        result: RowResult,
        reason: String,
    ) -> ScanRow {
        ScanRow {
            kind: kind.into(),
            api_version: String::new(),
            namespace: String::new(),
            name: name.into(),
            file: file.into(),
            line,
            provider: None,
            url: None,
            reference: None,
            result,
            reason,
            condition: None,
            verification: None,
            cosign: None,
            warnings: Vec::new(),
            registry: None,
            cluster: None,
            kustomization: None,
            patched_by: Vec::new(),
            hints: Vec::new(),
        }
    }

    fn contacted(mut self, client: &crate::source::registry::RegistryClient) -> ScanRow {
        self.registry = Some(RegistryContact::of(client));
        self
    }

    fn with(mut self, result: RowResult, reason: impl Into<String>) -> ScanRow {
        self.result = result;
        self.reason = reason.into();
        self
    }

    /// `namespace/kind/name` as the text output names the resource.
    pub fn id(&self) -> String {
        if self.kind == "File" {
            return format!("File {}", self.name);
        }
        let ns = if self.namespace.is_empty() {
            "-"
        } else {
            &self.namespace
        };
        format!("{ns}/{}/{}", self.kind, self.name)
    }
}

/// Counts per result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Verified rows.
    pub verified: usize,
    /// Failed rows.
    pub failed: usize,
    /// Ignored rows.
    pub ignored: usize,
    /// Skipped rows.
    pub skipped: usize,
    /// Error rows.
    pub error: usize,
}

impl Summary {
    /// Counts `rows`.
    pub fn of(rows: &[ScanRow]) -> Summary {
        let mut s = Summary::default();
        for row in rows {
            match row.result {
                RowResult::Verified => s.verified += 1,
                RowResult::Failed => s.failed += 1,
                RowResult::Ignored => s.ignored += 1,
                RowResult::Skipped => s.skipped += 1,
                RowResult::Error => s.error += 1,
            }
        }
        s
    }
}

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
    /// `--plain-http` for every source.
    pub plain_http: bool,
    /// The verification time.
    pub now: DateTime<Utc>,
    /// The time limit of a source whose `spec.timeout` is absent (Flux's 60s, or `--timeout`).
    pub default_timeout: TimeLimit,
}

impl ScanSettings {
    /// The time limit of a source: its own `spec.timeout`, else the default.
    fn time_limit(&self, spec_timeout: Option<std::time::Duration>, object: String) -> TimeLimit {
        match spec_timeout {
            Some(duration) => TimeLimit {
                duration,
                origin: LimitOrigin::Manifest(object),
            },
            None => self.default_timeout.clone(),
        }
    }
}

/// Trust material judged once per Secret.
type SharedStages = Arc<PolicyStages<Store>>;

#[derive(Clone)]
enum Trust {
    /// The stages, or the error Flux reports for the material.
    Ready {
        stages: Result<SharedStages, VerifyError>,
        warnings: Vec<String>,
    },
    /// The scan cannot judge the Secret: the row is an error with this reason.
    Unknown(String),
}

/// What to do for one row.
enum Job {
    Done(Box<ScanRow>),
    Oci {
        row: Box<ScanRow>,
        repository: Box<OciRepository>,
        trust: Option<Trust>,
    },
    Chart {
        row: Box<ScanRow>,
        chart: Box<HelmChart>,
        repository: Box<HelmRepository>,
        trust: Trust,
    },
    /// An `OCIRepository` with `verify.provider: cosign`, and the Secret its `secretRef` names
    /// (static keys) or its `trustedRootSecretRef` names (keyless; `None`: none named).
    Cosign {
        row: Box<ScanRow>,
        repository: Box<OciRepository>,
        secret: Option<Box<crate::trust::secret::Secret>>,
    },
}

struct Planner<'a> {
    tree: &'a Tree,
    settings: &'a ScanSettings,
    trust: HashMap<(String, String), Trust>,
    helm_repositories: HashMap<(String, String), Result<HelmRepository, String>>,
}

const FLUX_SOURCE_APIS: [&str; 2] = [
    "source.toolkit.fluxcd.io/v1",
    "source.toolkit.fluxcd.io/v1beta2",
];

impl Planner<'_> {
    /// The trust for the Secret `namespace/name`, judged once.
    fn trust(&mut self, namespace: &str, name: &str) -> Trust {
        let key = (namespace.to_owned(), name.to_owned());
        if let Some(t) = self.trust.get(&key) {
            return t.clone();
        }
        let trust = match self.tree.find_secret(namespace, name) {
            SecretLookup::Missing(message) => Trust::Unknown(message),
            SecretLookup::Found(found) => self.judge(found, namespace, name),
        };
        self.trust.insert(key, trust.clone());
        trust
    }

    fn judge(&self, found: &FoundSecret, namespace: &str, name: &str) -> Trust {
        match &found.content {
            SecretContent::Sops => Trust::Unknown(format!(
                "Secret {namespace}/{name} in {} is encrypted with SOPS; decrypt it or pass --secret",
                found.origin.file()
            )),
            SecretContent::Invalid(detail) => Trust::Unknown(format!(
                "Secret {namespace}/{name} ({}) cannot be read: {detail}",
                found.origin
            )),
            SecretContent::Plain(secret) => {
                let mut secret = secret.clone();
                // Flux reads it from the source's namespace, whatever the file said.
                secret.namespace = namespace.to_owned();
                let origin = format!("secret '{}' in {}", secret.namespaced_name(), found.origin);
                let material = TrustMaterial::from_secret(secret, origin);
                match stages_from_material(
                    Ok(material),
                    self.settings.run.settings,
                ) {
                    Ok(built) => Trust::Ready {
                        stages: built.stages.map(Arc::new),
                        warnings: built.warnings,
                    },
                    Err(e) => Trust::Unknown(e.to_string()),
                }
            }
        }
    }

    fn helm_repository(
        &mut self,
        namespace: &str,
        name: &str,
    ) -> Option<Result<HelmRepository, String>> {
        if self.helm_repositories.is_empty() {
            for o in &self.tree.objects {
                if o.kind == "HelmRepository" && FLUX_SOURCE_APIS.contains(&o.api_version.as_str())
                {
                    self.helm_repositories.insert(
                        (o.namespace.clone(), o.name.clone()),
                        helmchart::helm_repository(&o.value, &o.namespace)
                            .map_err(|e| e.to_string()),
                    );
                }
            }
        }
        self.helm_repositories
            .get(&(namespace.to_owned(), name.to_owned()))
            .cloned()
    }

    fn plan(&mut self, object: &Object) -> Option<Job> {
        let flux_source = FLUX_SOURCE_APIS.contains(&object.api_version.as_str());
        match object.kind.as_str() {
            "OCIRepository" if flux_source => Some(self.plan_oci(object)),
            "HelmChart" if flux_source => {
                let chart = helmchart::helm_chart(&object.value, &object.namespace);
                Some(self.plan_chart(ScanRow::new(object), chart))
            }
            "HelmRelease" if object.api_version.starts_with("helm.toolkit.fluxcd.io/") => {
                // A release with spec.chartRef is covered by the row of the source it names.
                let chart = helmchart::release_chart(&object.value, &object.namespace)?;
                Some(self.plan_chart(ScanRow::new(object), chart))
            }
            _ => None,
        }
    }

    fn plan_oci(&mut self, object: &Object) -> Job {
        let mut row = ScanRow::new(object);
        row.url = object
            .value
            .get("spec")
            .and_then(|s| s.get("url"))
            .and_then(|u| u.as_str())
            .map(str::to_owned);
        let mut repository = match ocirepository::from_document(&object.value, &object.file) {
            Ok(r) => r,
            Err(e) => return Job::Done(Box::new(row.with(RowResult::Error, e.to_string()))),
        };
        repository.namespace = object.namespace.clone();
        let Some(verification) = repository.verify.clone() else {
            return Job::Done(Box::new(
                row.with(RowResult::Skipped, "verification not configured"),
            ));
        };
        let provider = match verification.provider {
            ocirepository::Provider::Notation => "notation",
            ocirepository::Provider::Cosign => "cosign",
        };
        row.provider = Some(provider.to_owned());
        if verification.provider == ocirepository::Provider::Cosign {
            return self.plan_cosign(row, repository, &object.namespace);
        }
        if let Some(job) = verification
            .secret_name
            .as_deref()
            .and_then(|name| self.missing_secret(&row, provider, &object.namespace, name))
        {
            return job;
        }
        let trust = verification
            .secret_name
            .as_deref()
            .map(|name| self.trust(&object.namespace, name));
        if let Some(Trust::Unknown(reason)) = &trust {
            return Job::Done(Box::new(row.with(RowResult::Error, reason.clone())));
        }
        Job::Oci {
            row: Box::new(row),
            repository: Box::new(repository),
            trust,
        }
    }

    /// A cosign source: its `.pub` keys come from the Secret as it was found (SOPS and missing
    /// Secrets are error rows, as for notation); the notation trust material is not built.
    fn plan_cosign(&mut self, row: ScanRow, repository: OciRepository, namespace: &str) -> Job {
        let secret_name = repository.verify.as_ref().and_then(|v| {
            // Keyless: the Secret to find is the trusted root's, if one is named.
            v.secret_name
                .clone()
                .or_else(|| v.trusted_root_secret.clone())
        });
        let secret = match secret_name {
            None => None,
            Some(name)
                if self
                    .missing_secret(&row, "cosign", namespace, &name)
                    .is_some() =>
            {
                return self
                    .missing_secret(&row, "cosign", namespace, &name)
                    .unwrap_or_else(|| Job::Done(Box::new(row)))
            }
            Some(name) => Some(match self.tree.find_secret(namespace, &name) {
                SecretLookup::Missing(message) => {
                    return Job::Done(Box::new(row.with(RowResult::Error, message)))
                }
                SecretLookup::Found(found) => match &found.content {
                    SecretContent::Plain(secret) => {
                        let mut secret = secret.clone();
                        secret.namespace = namespace.to_owned();
                        Box::new(secret)
                    }
                    SecretContent::Sops | SecretContent::Invalid(_) => {
                        let Trust::Unknown(reason) = self.judge(found, namespace, &name) else {
                            unreachable!("only a plain Secret is judged ready")
                        };
                        return Job::Done(Box::new(row.with(RowResult::Error, reason)));
                    }
                },
            }),
        };
        Job::Cosign {
            row: Box::new(row),
            repository: Box::new(repository),
            secret,
        }
    }

    /// A `secretRef` the tree cannot answer, when the tree says more than "not found": the
    /// Secret was generated under a hashed name (Flux then fails the source: source-controller
    /// reads Secrets uncached, by the name in `secretRef`), or an object creates it in the
    /// cluster.
    fn missing_secret(
        &self,
        row: &ScanRow,
        provider: &str,
        namespace: &str,
        name: &str,
    ) -> Option<Job> {
        let SecretLookup::Missing(message) = self.tree.find_secret(namespace, name) else {
            return None;
        };
        if let Some(hashed) = self.tree.hashed_generated(namespace, name) {
            let mut row = failed_with_condition(
                row.clone(),
                // source-controller's verifySignature: r.Get on the Secret, wrapped.
                format!("failed to verify the signature using provider '{provider}': secrets \"{name}\" not found"),
            );
            row.hints.push(format!(
                "kustomize named the generated Secret \"{}\" ({}), and does not rewrite a Flux source's secretRef: set `generatorOptions.disableNameSuffixHash: true` (or the generator's `options.disableNameSuffixHash: true`) so that it keeps the name \"{name}\"",
                hashed.name, hashed.origin
            ));
            return Some(Job::Done(Box::new(row)));
        }
        let creator = self.tree.created_out_of_band(namespace, name)?;
        Some(Job::Done(Box::new(row.clone().with(
            RowResult::Error,
            format!("{message}; it is created in the cluster by {creator}: its values are not in the repository, pass the Secret with --secret"),
        ))))
    }

    fn plan_chart(&mut self, mut row: ScanRow, chart: HelmChart) -> Job {
        let source = format!(
            "{} {}/{}",
            chart.source_kind, chart.namespace, chart.source_name
        );
        if chart.source_kind != "HelmRepository" {
            return Job::Done(Box::new(row.with(
                RowResult::Skipped,
                format!("chart from {source}: Flux verifies charts of OCI HelmRepositories only"),
            )));
        }
        let repository = match self.helm_repository(&chart.namespace, &chart.source_name) {
            None => {
                return Job::Done(Box::new(row.with(
                    RowResult::Error,
                    format!("{source} not found in the scanned files"),
                )))
            }
            Some(Err(e)) => return Job::Done(Box::new(row.with(RowResult::Error, e))),
            Some(Ok(r)) => r,
        };
        if !repository.oci {
            // An HTTP repository's chart URL comes from its index.yaml, which is not read: the
            // row shows the repository's URL and names the chart.
            row.url = Some(repository.url.clone());
            return Job::Done(Box::new(row.with(
                RowResult::Skipped,
                format!("chart '{}' from {source} (not type oci): Flux verifies charts of OCI HelmRepositories only", chart.chart),
            )));
        }
        row.url = Some(format!(
            "{}/{}",
            repository.url.trim_end_matches('/'),
            chart.chart
        ));
        let Some(verification) = chart.verify.clone() else {
            return Job::Done(Box::new(
                row.with(RowResult::Skipped, "verification not configured"),
            ));
        };
        row.provider = Some(verification.provider.clone());
        if verification.provider != "notation" {
            return Job::Done(Box::new(row.with(
                RowResult::Skipped,
                format!("provider {} is not checked", verification.provider),
            )));
        }
        // makeVerifiers runs before anything is fetched: its errors need no registry.
        let Some(secret) = verification.secret_name.as_deref() else {
            return Job::Done(Box::new(chart_failure(
                row,
                &ChartVerdict::VerifierError(format!(
                    "verification secret cannot be empty: '{}'",
                    chart.name
                )),
            )));
        };
        let trust = self.trust(&chart.namespace, secret);
        match &trust {
            Trust::Unknown(reason) => {
                return Job::Done(Box::new(row.with(RowResult::Error, reason.clone())))
            }
            Trust::Ready {
                stages: Err(e),
                warnings,
            } => {
                row.warnings = warnings.clone();
                return Job::Done(Box::new(chart_failure(
                    row,
                    &ChartVerdict::VerifierError(e.to_string()),
                )));
            }
            Trust::Ready { .. } => {}
        }
        Job::Chart {
            row: Box::new(row),
            chart: Box::new(chart),
            repository: Box::new(repository),
            trust,
        }
    }
}

fn chart_failure(row: ScanRow, verdict: &ChartVerdict) -> ScanRow {
    let condition = helmchart::condition(verdict, "");
    let reason = condition
        .as_ref()
        .map(|c| first_line(&c.message))
        .unwrap_or_default();
    let mut row = row.with(RowResult::Failed, reason);
    row.condition = condition;
    row
}

fn first_line(text: &str) -> String {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default().to_owned();
    match lines.next() {
        Some(second) if first.ends_with("signature verification failed") => {
            format!("{first}: {second}")
        }
        _ => first,
    }
}

/// The placeholder digest of an offline check: only the repository part of the artifact
/// reference takes part in scope matching.
const UNRESOLVED_DIGEST: &str =
    "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// What the trust material alone decides about `repository` (matched as `repository@digest`):
/// `Some(row)` when Flux would fail (or ignore) whatever the registry holds.
fn offline_verdict(
    stages: &Result<SharedStages, VerifyError>,
    repository: &str,
    digest: Option<&str>,
    unresolved: &str,
) -> Result<Option<(RowResult, String)>, String> {
    match stages {
        Ok(s) => offline_check(s.as_ref(), repository, digest, unresolved),
        Err(e) => Err(e.to_string()),
    }
}

/// What trust stages alone decide for artifacts of `repository` (matched as
/// `repository@digest`; `unresolved` stands for the digest in messages when it is not known):
/// `Err(message)` when no statement applies (notation-go's message), `Some((result, reason))`
/// when Flux fails or ignores every artifact whatever the registry holds (no usable
/// certificate under an enforced authenticity check; a `skip` statement), `None` when only the
/// registry can tell. `scan --offline` and `policy check --ocirepository` decide with this.
pub fn offline_check<S: crate::verify::signature::Stages + ?Sized>(
    stages: &S,
    repository: &str,
    digest: Option<&str>,
    unresolved: &str,
) -> Result<Option<(RowResult, String)>, String> {
    let reference = format!("{repository}@{}", digest.unwrap_or(UNRESOLVED_DIGEST));
    match stages.applicable_statement(&reference) {
        Err(message) => Err(message.replace(UNRESOLVED_DIGEST, unresolved)),
        Ok(statement) if statement.level.is_skip() => Ok(Some((
            RowResult::Ignored,
            format!(
                "trust policy statement {:?} has level skip: Flux accepts the artifact without verifying it",
                statement.name
            ),
        ))),
        Ok(statement) => {
            // With authenticity enforced, a signature can only pass through a trusted
            // certificate: if no store of the statement yields one, every signature fails.
            if statement.level.action(ValidationType::Authenticity) != Action::Enforce {
                return Ok(None);
            }
            let mut errors = Vec::new();
            let mut usable = false;
            for entry in &statement.trust_stores {
                let kind = match entry.split_once(':').map(|(p, _)| p) {
                    Some("ca") => StoreKind::Ca,
                    Some("signingAuthority") => StoreKind::SigningAuthority,
                    _ => continue,
                };
                let name = entry.split_once(':').map_or("", |(_, n)| n);
                match stages.trusted_certificates(kind, name) {
                    Ok(certs) if !certs.is_empty() => usable = true,
                    Ok(_) => {}
                    Err(e) => errors.push(e.message),
                }
            }
            match (usable, errors.first()) {
                (false, Some(e)) => Ok(Some((
                    RowResult::Failed,
                    format!("every signature will fail authenticity: {e}"),
                ))),
                _ => Ok(None),
            }
        }
    }
}

/// Flux's result for an outcome, its condition, and the row's result and short reason.
fn judge(outcome: &RunOutcome) -> (FluxResult, Option<Condition>, RowResult, String) {
    let verdict = check_outcome(&outcome.verification);
    let condition = super::condition::source_verified(&verdict, &outcome.revision);
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

async fn run_oci(
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
async fn run_cosign(
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
    let default_root = super::cosign::DefaultRoot::public_good();
    let work = super::cosign::verify_ocirepository_with(
        &repository,
        secret,
        root_secret,
        &default_root,
        &client,
        settings.strict,
    );
    let row = match budget.run(work).await {
        Err(expired) => row.with(RowResult::Error, expired.to_string()),
        Ok(Err(e)) => row.with(RowResult::Error, first_line(&e.to_string())),
        Ok(Ok(verified)) => {
            let flux = verified.flux.clone();
            let (result, reason) = match flux.result {
                super::cosign::CosignResult::Verified => (
                    RowResult::Verified,
                    flux.condition
                        .as_ref()
                        .map_or_else(|| "verified".into(), |c| c.message.clone()),
                ),
                super::cosign::CosignResult::Failed => (
                    RowResult::Failed,
                    flux.condition
                        .as_ref()
                        .map(|c| first_line(&c.message))
                        .or(flux.error.clone())
                        .unwrap_or_default(),
                ),
                super::cosign::CosignResult::Skipped => {
                    (RowResult::Skipped, flux.error.clone().unwrap_or_default())
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

fn failed_with_condition(row: ScanRow, message: String) -> ScanRow {
    let mut row = row.with(RowResult::Failed, first_line(&message));
    row.condition = Some(Condition {
        kind: "SourceVerified".into(),
        status: "False".into(),
        reason: "VerificationError".into(),
        message,
    });
    row
}

async fn run_chart(
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
    let client = match pool.client(
        &chart_repository,
        repository.insecure || settings.plain_http,
        repository.provider,
    ) {
        Ok(c) => c,
        Err(e) => return row.with(RowResult::Error, e.to_string()),
    };
    let chart_base = format!("{}/{}", repository.url.trim_end_matches('/'), chart.chart);
    let budget = Budget::start(settings.time_limit(
        repository.timeout,
        format!(
            "HelmRepository {}/{}",
            repository.namespace, repository.name
        ),
    ));
    let work = async {
        let version = if exact {
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
    let mut planner = Planner {
        tree,
        settings,
        trust: HashMap::new(),
        helm_repositories: HashMap::new(),
    };
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
