//! The rows of a scan: one resource, what Flux does with it, and the counts.

use crate::flux::condition::Condition;
use crate::flux::helmchart::{self, ChartVerdict};
use crate::flux::spec_fields::unknown_spec_fields;
use crate::gitops::Object;
use crate::source::registry::Provider;
use crate::verify::run::RunOutcome;

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
    pub cosign: Option<crate::flux::cosign::CosignSourceResult>,
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
    pub(super) fn new(object: &Object) -> ScanRow {
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

    pub(super) fn contacted(mut self, client: &crate::source::registry::RegistryClient) -> ScanRow {
        self.registry = Some(RegistryContact::of(client));
        self
    }

    pub(super) fn with(mut self, result: RowResult, reason: impl Into<String>) -> ScanRow {
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

pub(super) fn chart_failure(row: ScanRow, verdict: &ChartVerdict) -> ScanRow {
    let condition = helmchart::condition(verdict, "");
    let reason = condition
        .as_ref()
        .map(|c| first_line(&c.message))
        .unwrap_or_default();
    let mut row = row.with(RowResult::Failed, reason);
    row.condition = condition;
    row
}

pub(super) fn first_line(text: &str) -> String {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default().to_owned();
    match lines.next() {
        Some(second) if first.ends_with("signature verification failed") => {
            format!("{first}: {second}")
        }
        _ => first,
    }
}

pub(super) fn failed_with_condition(row: ScanRow, message: String) -> ScanRow {
    let mut row = row.with(RowResult::Failed, first_line(&message));
    row.condition = Some(Condition {
        kind: "SourceVerified".into(),
        status: "False".into(),
        reason: "VerificationError".into(),
        message,
    });
    row
}
