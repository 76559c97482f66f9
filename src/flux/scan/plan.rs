//! The plan: for each object of the tree, what Flux would do with it (a finished row, or a
//! verification job), with the trust material judged once per Secret.

use super::row::{chart_failure, failed_with_condition, RowResult, ScanRow};
use super::ScanSettings;
use crate::flux::helmchart::{self, ChartVerdict, HelmChart, HelmRepository};
use crate::flux::ocirepository::{self, OciRepository};
use crate::gitops::{FoundSecret, Object, SecretContent, SecretLookup, Tree};
use crate::trust::material::Store;
use crate::trust::material::TrustMaterial;
use crate::verify::outcome::VerifyError;
use crate::verify::stages::{stages_from_material, PolicyStages};
use std::collections::HashMap;
use std::sync::Arc;

/// Trust material judged once per Secret.
pub(super) type SharedStages = Arc<PolicyStages<Store>>;

#[derive(Clone)]
pub(super) enum Trust {
    /// The stages, or the error Flux reports for the material.
    Ready {
        stages: Result<SharedStages, VerifyError>,
        warnings: Vec<String>,
    },
    /// The scan cannot judge the Secret: the row is an error with this reason.
    Unknown(String),
}

/// What to do for one row.
pub(super) enum Job {
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
    /// A chart with `verify.provider: cosign`: the Secret its `secretRef` names (static keys),
    /// or `None` (no `secretRef`: keyless).
    ChartCosign {
        row: Box<ScanRow>,
        chart: Box<HelmChart>,
        repository: Box<HelmRepository>,
        secret: Option<Box<crate::trust::secret::Secret>>,
    },
    /// An `OCIRepository` with `verify.provider: cosign`, and the Secret its `secretRef` names
    /// (static keys) or its `trustedRootSecretRef` names (keyless; `None`: none named).
    Cosign {
        row: Box<ScanRow>,
        repository: Box<OciRepository>,
        secret: Option<Box<crate::trust::secret::Secret>>,
    },
}

pub(super) struct Planner<'a> {
    tree: &'a Tree,
    settings: &'a ScanSettings,
    trust: HashMap<(String, String), Trust>,
    helm_repositories: HashMap<(String, String), Result<HelmRepository, String>>,
}

const FLUX_SOURCE_APIS: [&str; 2] = [
    "source.toolkit.fluxcd.io/v1",
    "source.toolkit.fluxcd.io/v1beta2",
];

impl<'a> Planner<'a> {
    pub(super) fn new(tree: &'a Tree, settings: &'a ScanSettings) -> Planner<'a> {
        Planner {
            tree,
            settings,
            trust: HashMap::new(),
            helm_repositories: HashMap::new(),
        }
    }

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
            SecretContent::Sops => Trust::Unknown(sops_encrypted(found, namespace, name)),
            SecretContent::Invalid(detail) => {
                Trust::Unknown(unreadable(found, namespace, name, detail))
            }
            SecretContent::Plain(secret) => {
                let mut secret = secret.clone();
                // Flux reads it from the source's namespace, whatever the file said.
                secret.namespace = namespace.to_owned();
                let origin = format!("secret '{}' in {}", secret.namespaced_name(), found.origin);
                let material = TrustMaterial::from_secret(secret, origin);
                match stages_from_material(Ok(material), self.settings.run.settings) {
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

    pub(super) fn plan(&mut self, object: &Object) -> Option<Job> {
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
            Some(name) => match self.cosign_secret(&row, namespace, &name) {
                Ok(secret) => Some(secret),
                Err(job) => return *job,
            },
        };
        Job::Cosign {
            row: Box::new(row),
            repository: Box::new(repository),
            secret,
        }
    }

    /// The Secret a cosign source names, as it was found (its namespace the source's); else
    /// the row's job: a missing Secret explained or an error, a SOPS-encrypted or unreadable
    /// one an error (the notation trust material is not built for cosign).
    fn cosign_secret(
        &self,
        row: &ScanRow,
        namespace: &str,
        name: &str,
    ) -> Result<Box<crate::trust::secret::Secret>, Box<Job>> {
        let error = |reason: String| {
            Box::new(Job::Done(Box::new(
                row.clone().with(RowResult::Error, reason),
            )))
        };
        match self.tree.find_secret(namespace, name) {
            SecretLookup::Missing(message) => Err(self
                .explain_missing(row, "cosign", namespace, name, &message)
                .map_or_else(|| error(message), Box::new)),
            SecretLookup::Found(found) => match &found.content {
                SecretContent::Plain(secret) => {
                    let mut secret = secret.clone();
                    secret.namespace = namespace.to_owned();
                    Ok(Box::new(secret))
                }
                SecretContent::Sops => Err(error(sops_encrypted(found, namespace, name))),
                SecretContent::Invalid(detail) => {
                    Err(error(unreadable(found, namespace, name, detail)))
                }
            },
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
        match self.tree.find_secret(namespace, name) {
            SecretLookup::Missing(message) => {
                self.explain_missing(row, provider, namespace, name, &message)
            }
            SecretLookup::Found(_) => None,
        }
    }

    /// [`Self::missing_secret`] for a lookup already made, which said `message`.
    fn explain_missing(
        &self,
        row: &ScanRow,
        provider: &str,
        namespace: &str,
        name: &str,
        message: &str,
    ) -> Option<Job> {
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
        if verification.provider == "cosign" {
            // helmchart_controller makeVerifiers: a verifier a `.pub` key of the `secretRef`
            // Secret; without one, one keyless verifier with the matchOIDCIdentity identities
            // and the public-good root.
            let secret = match verification.secret_name.as_deref() {
                None => None,
                Some(name) => match self.cosign_secret(&row, &chart.namespace, name) {
                    Ok(secret) => Some(secret),
                    Err(job) => return *job,
                },
            };
            return Job::ChartCosign {
                row: Box::new(row),
                chart: Box::new(chart),
                repository: Box::new(repository),
                secret,
            };
        }
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

/// Why a SOPS-encrypted Secret leaves the row undecided.
fn sops_encrypted(found: &FoundSecret, namespace: &str, name: &str) -> String {
    format!(
        "Secret {namespace}/{name} in {} is encrypted with SOPS; decrypt it or pass --secret",
        found.origin.file()
    )
}

/// Why a Secret that does not parse leaves the row undecided.
fn unreadable(found: &FoundSecret, namespace: &str, name: &str, detail: &str) -> String {
    format!(
        "Secret {namespace}/{name} ({}) cannot be read: {detail}",
        found.origin
    )
}
