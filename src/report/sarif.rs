//! The SARIF 2.1.0 report of `scan` and `verify` (`-o sarif`), as GitHub code scanning reads it
//! (`github/codeql-action/upload-sarif`; docs/scan.md#sarif).
//!
//! One result per row that is not verified: `failed` and `error` rows, and `skipped`/`ignored`
//! rows too (as `note`s; under `--strict` they are `failed` rows already, so `error`s). Each
//! result names one of a fixed set of rules ([`Rule`]), points at the file and line of the
//! source's document, carries Flux's condition as its message and a fingerprint of the resource
//! (not of its line) so that code scanning keeps one alert per source across pushes.
//!
//! A run that stopped early (an error before or during the scan) is still one valid log: the
//! results of the rows finished so far, `invocations[0].executionSuccessful: false` and the
//! error as a `toolExecutionNotifications` entry ([`scan_log`] of a context that `stopped`).
//!
//! The object model is the `serde-sarif` crate's, generated from the SARIF schema; the values
//! are checked against the OASIS schema document itself in `tests/sarif.rs`.

use crate::flux::condition::Condition;
use crate::flux::scan::{RowResult, ScanRow, Summary};
use crate::report::cosign::CosignReport;
use crate::report::scan::ScanContext;
use crate::report::verify::{ReportResult, VerifyReport};
use crate::settings::Settings;
use serde_json::{json, Value};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;

/// The `$schema` of the log: the OASIS Standard's schema (2.1.0 with Errata 01), the document
/// `tests/sarif/sarif-schema-2.1.0.json` is a copy of.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// `tool.driver.informationUri`: where this build of fluxverify comes from. Set at build time by
/// the release workflow and the GitHub Action (`FLUXVERIFY_REPOSITORY_URL`, the repository the
/// binary was built from); a local build has no address of its own, and the log then has none
/// rather than a made-up one.
const INFORMATION_URI: Option<&str> = option_env!("FLUXVERIFY_REPOSITORY_URL");

/// The `partialFingerprints` key: a digest of the resource's identity (cluster, kind, namespace,
/// name), so the alert follows the resource when lines move.
pub const FINGERPRINT_KEY: &str = "fluxverifyResource/v1";

/// The prefix `flux::scan::apply_strict` puts before the reason of a row `--strict` refused
/// (`--strict: every source must be verified (skipped: ...)`); such a row is failed only
/// because it is not verified. Checked against `apply_strict` itself in the tests below.
const STRICT_REFUSAL_PREFIX: &str = "--strict: ";

/// The classes of finding: the rules of `tool.driver.rules`, in this order (`ruleIndex`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    /// Flux would set `SourceVerified=False`.
    VerificationFailed,
    /// Nothing verifies the source: no `spec.verify`, a provider not checked, an artifact Flux
    /// accepts without the condition, `--offline`.
    UnverifiedSource,
    /// The answer depends on something the scan could not see or reach.
    Undecided,
    /// A file or document that does not parse.
    UnreadableManifest,
    /// A Flux Kustomization whose build fails: Flux applies none of it.
    KustomizationBuildFailed,
}

impl Rule {
    /// Every rule, in `ruleIndex` order.
    pub const ALL: [Rule; 5] = [
        Rule::VerificationFailed,
        Rule::UnverifiedSource,
        Rule::Undecided,
        Rule::UnreadableManifest,
        Rule::KustomizationBuildFailed,
    ];

    /// The stable `ruleId`.
    pub fn id(self) -> &'static str {
        match self {
            Rule::VerificationFailed => "FV001",
            Rule::UnverifiedSource => "FV002",
            Rule::Undecided => "FV003",
            Rule::UnreadableManifest => "FV004",
            Rule::KustomizationBuildFailed => "FV005",
        }
    }

    /// The readable name.
    pub fn name(self) -> &'static str {
        match self {
            Rule::VerificationFailed => "SourceVerificationFailed",
            Rule::UnverifiedSource => "UnverifiedSource",
            Rule::Undecided => "VerificationUndecided",
            Rule::UnreadableManifest => "UnreadableManifest",
            Rule::KustomizationBuildFailed => "KustomizationBuildFailed",
        }
    }

    fn short_description(self) -> &'static str {
        match self {
            Rule::VerificationFailed => {
                "Flux would refuse this source: its signatures do not verify (SourceVerified=False)."
            }
            Rule::UnverifiedSource => "Flux applies this source without verifying its signatures.",
            Rule::Undecided => "Whether Flux would verify this source could not be decided.",
            Rule::UnreadableManifest => "A manifest that does not parse.",
            Rule::KustomizationBuildFailed => {
                "A Flux Kustomization whose build fails: Flux applies none of it."
            }
        }
    }

    fn help(self) -> &'static str {
        match self {
            Rule::VerificationFailed => {
                "source-controller would set SourceVerified=False on this OCIRepository or HelmChart and not fetch the artifact. The message is the condition Flux would write; fix the signature, the trust policy or the verification Secret it names, and check again with `fluxverify verify --ocirepository FILE`."
            }
            Rule::UnverifiedSource => {
                "The source has no spec.verify, names a provider fluxverify does not check, or Flux accepts the artifact without setting SourceVerified (or the scan ran with --offline). Under --strict every source must be verified and this is an error; otherwise it is a note. Add spec.verify with a notation or cosign provider and its Secret."
            }
            Rule::Undecided => {
                "The answer depends on something the scan could not see: a Secret not in the tree (give it with --secret FILE), a SOPS-encrypted Secret, or a registry that did not answer (credentials: -u/-p or docker login). The message says which."
            }
            Rule::UnreadableManifest => {
                "The file, or one of its YAML documents, does not parse; Flux would fail to apply it. The message names the line."
            }
            Rule::KustomizationBuildFailed => {
                "kustomize could not build this Flux Kustomization's path as kustomize-controller builds it, so none of its sources are applied (or checked). The message is the build error."
            }
        }
    }

    /// `defaultConfiguration.level`: the level of its results unless a result says otherwise
    /// (an unverified source is an error under `--strict`).
    fn default_level(self) -> &'static str {
        match self {
            Rule::UnverifiedSource => "note",
            Rule::Undecided => "warning",
            Rule::VerificationFailed
            | Rule::UnreadableManifest
            | Rule::KustomizationBuildFailed => "error",
        }
    }

    fn index(self) -> i64 {
        Rule::ALL
            .iter()
            .position(|r| *r == self)
            .unwrap_or_default() as i64
    }

    fn descriptor(self) -> ReportingDescriptor {
        let help = self.help();
        ReportingDescriptor::builder()
            .id(self.id())
            .name(self.name())
            .short_description(
                MultiformatMessageString::builder()
                    .text(self.short_description())
                    .build(),
            )
            .full_description(MultiformatMessageString::builder().text(help).build())
            .help(
                MultiformatMessageString::builder()
                    .text(help)
                    .markdown(help)
                    .build(),
            )
            .default_configuration(
                ReportingConfiguration::builder()
                    .level(json!(self.default_level()))
                    .build(),
            )
            .build()
    }
}

/// Where a finding is: a file (relative to the repository root, or absolute) and the 1-based
/// line of its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as the report names it elsewhere.
    pub file: String,
    /// 1-based line; 0 when unknown.
    pub line: usize,
}

/// One result to report.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Its class.
    pub rule: Rule,
    /// `error`, `warning` or `note`.
    pub level: ResultLevel,
    /// The source's document, when it is in a file.
    pub location: Option<SourceFile>,
    /// The first line is Flux's condition (or the reason when Flux sets none); more lines
    /// say what applied and patched the resource and what to do.
    pub message: String,
    /// `namespace/Kind/name` (or the reference verified): the logical location, and with the
    /// cluster the resource's identity.
    pub resource: String,
    /// The cluster of a fleet scan.
    pub cluster: Option<String>,
    /// `result`, `reason` and the like, as the JSON report names them.
    pub properties: BTreeMap<String, Value>,
}

impl Finding {
    /// The finding of a source `--strict` refuses (Flux accepted it unverified): an error,
    /// the refusal under Flux's own line.
    pub fn refused(mut self, why: &str) -> Finding {
        self.level = ResultLevel::Error;
        self.message = match self.message.split_once('\n') {
            Some((first, rest)) => format!("{first}\n{why}\n{rest}"),
            None => format!("{}\n{why}", self.message),
        };
        self
    }
}

/// `Kind Status Reason: message`, as the text report prints a condition.
fn condition_text(c: &Condition) -> String {
    format!("{} {} {}: {}", c.kind, c.status, c.reason, c.message)
}

/// The rule and level of a scan row; `None` for a verified row.
pub fn classify(row: &ScanRow) -> Option<(Rule, ResultLevel)> {
    Some(match row.result {
        RowResult::Verified => return None,
        RowResult::Failed if row.reason.starts_with(STRICT_REFUSAL_PREFIX) => {
            (Rule::UnverifiedSource, ResultLevel::Error)
        }
        RowResult::Failed => (Rule::VerificationFailed, ResultLevel::Error),
        RowResult::Skipped | RowResult::Ignored => (Rule::UnverifiedSource, ResultLevel::Note),
        RowResult::Error if row.kind == "File" => (Rule::UnreadableManifest, ResultLevel::Error),
        RowResult::Error if row.kind == "Kustomization" => {
            (Rule::KustomizationBuildFailed, ResultLevel::Error)
        }
        RowResult::Error => (Rule::Undecided, ResultLevel::Warning),
    })
}

/// The finding of a scan row (`None` for a verified row). `hints` are the ones the text report
/// prints under it.
pub fn row_finding(row: &ScanRow, hints: &[String]) -> Option<Finding> {
    let (rule, level) = classify(row)?;
    let mut lines = vec![
        match row.condition.as_ref().filter(|c| c.status == "False") {
            Some(c) if rule == Rule::VerificationFailed => condition_text(c),
            _ => row.reason.clone(),
        },
    ];
    lines.push(format!("resource: {}", row.id()));
    if let Some(url) = &row.url {
        lines.push(format!("source: {url}"));
    }
    if let Some(k) = &row.kustomization {
        lines.push(format!("applied by Kustomization {k}"));
    }
    if !row.patched_by.is_empty() {
        lines.push(format!("patched by {}", row.patched_by.join(", ")));
    }
    lines.extend(row.warnings.iter().map(|w| format!("warning: {w}")));
    lines.extend(hints.iter().map(|h| format!("hint: {h}")));
    let mut properties = BTreeMap::new();
    properties.insert("result".into(), json!(row.result.name()));
    properties.insert("reason".into(), json!(row.reason));
    properties.insert("kind".into(), json!(row.kind));
    if let Some(c) = &row.condition {
        properties.insert(
            "condition".into(),
            json!({"type": c.kind, "status": c.status, "reason": c.reason, "message": c.message}),
        );
    }
    // A row with no file of its own (a stream on stdin, a task that ended abnormally) has no
    // place in the repository to point at.
    let location = (!row.file.is_empty() && row.file != "-").then(|| SourceFile {
        file: row.file.clone(),
        line: row.line,
    });
    Some(Finding {
        rule,
        level,
        location,
        message: lines.join("\n"),
        resource: row.id(),
        cluster: row.cluster.clone(),
        properties,
    })
}

/// The finding of a `verify` report (`None` when verified); `location` is the
/// `--ocirepository` file and the line of the object's document.
pub fn verify_finding(report: &VerifyReport, location: Option<SourceFile>) -> Option<Finding> {
    let (rule, level) = match report.result() {
        ReportResult::Verified => return None,
        ReportResult::Failed => (Rule::VerificationFailed, ResultLevel::Error),
        ReportResult::Ignored | ReportResult::Skipped => {
            (Rule::UnverifiedSource, ResultLevel::Note)
        }
        ReportResult::Error => (Rule::Undecided, ResultLevel::Warning),
    };
    let condition = report.condition();
    let message = match (&condition, report.error_text()) {
        (Some(c), _) => condition_text(c),
        (None, Some(error)) => error,
        (None, None) => report.result().name().to_owned(),
    };
    let mut properties = BTreeMap::new();
    properties.insert("result".into(), json!(report.result().name()));
    properties.insert("mode".into(), json!(report.mode.name()));
    properties.insert(
        "artifactReference".into(),
        json!(report.verification.artifact_reference),
    );
    Some(Finding {
        rule,
        level,
        location,
        message: format!("{message}\nreference: {}", report.reference),
        resource: report.reference.clone(),
        cluster: None,
        properties,
    })
}

/// The finding of a `verify --provider cosign` report (`None` when verified).
pub fn cosign_finding(report: &CosignReport, location: Option<SourceFile>) -> Option<Finding> {
    let flux = report.flux();
    let (rule, level) = match report.result_name() {
        "verified" => return None,
        "error" => (Rule::Undecided, ResultLevel::Warning),
        "skipped" => (Rule::UnverifiedSource, ResultLevel::Note),
        _ => (Rule::VerificationFailed, ResultLevel::Error),
    };
    let message = match (&flux.condition, &report.undecided) {
        (_, Some(undecided)) if report.is_undecided() => undecided.clone(),
        (Some(c), _) => condition_text(c),
        (None, _) => flux
            .error
            .clone()
            .unwrap_or_else(|| report.result_name().into()),
    };
    let mut properties = BTreeMap::new();
    properties.insert("result".into(), json!(report.result_name()));
    properties.insert("provider".into(), json!("cosign"));
    Some(Finding {
        rule,
        level,
        location,
        message: format!("{message}\nreference: {}", report.reference),
        resource: report.reference.clone(),
        cluster: None,
        properties,
    })
}

/// A path as a relative URI reference (or a `file:` URI when absolute). Hand-written because
/// `url::Url` only builds absolute URLs: every byte outside RFC 3986's unreserved set and `/`
/// is percent-encoded, so a file name with a space, `#` or `%` stays one path.
fn path_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    let out = out.trim_start_matches("./").to_owned();
    if out.starts_with('/') {
        format!("file://{out}")
    } else {
        out
    }
}

fn physical_location(at: &SourceFile) -> Location {
    let artifact = ArtifactLocation::builder().uri(path_uri(&at.file)).build();
    let physical = if at.line > 0 {
        PhysicalLocation::builder()
            .artifact_location(artifact)
            .region(Region::builder().start_line(at.line as i64).build())
            .build()
    } else {
        PhysicalLocation::builder()
            .artifact_location(artifact)
            .build()
    };
    Location::builder().physical_location(physical).build()
}

fn fingerprint(finding: &Finding) -> String {
    let identity = format!(
        "{}\n{}",
        finding.cluster.as_deref().unwrap_or_default(),
        finding.resource
    );
    hex::encode(Sha256::digest(identity.as_bytes()))
}

fn result(finding: &Finding) -> SarifResult {
    let mut locations = Vec::new();
    if let Some(at) = &finding.location {
        let mut location = physical_location(at);
        location.logical_locations = Some(vec![LogicalLocation::builder()
            .fully_qualified_name(finding.resource.clone())
            .kind("resource")
            .build()]);
        locations.push(location);
    }
    let mut properties = finding.properties.clone();
    if let Some(cluster) = &finding.cluster {
        properties.insert("cluster".into(), json!(cluster));
    }
    let mut result = SarifResult::builder()
        .rule_id(finding.rule.id())
        .rule_index(finding.rule.index())
        .level(finding.level)
        .message(Message::builder().text(finding.message.clone()).build())
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_owned(),
            fingerprint(finding),
        )]))
        .properties(
            PropertyBag::builder()
                .additional_properties(properties)
                .build(),
        )
        .build();
    if !locations.is_empty() {
        result.locations = Some(locations);
    }
    result
}

fn notification(level: &str, text: &str, location: Option<&SourceFile>) -> Notification {
    let mut notification = Notification::builder()
        .level(json!(level))
        .message(Message::builder().text(text).build())
        .build();
    if let Some(at) = location {
        notification.locations = Some(vec![physical_location(at)]);
    }
    notification
}

/// What the log says besides its results.
#[derive(Debug, Clone, Default)]
pub struct RunFacts {
    /// Notes of the run (`--files` not building as Flux builds), as `note` notifications.
    pub notes: Vec<String>,
    /// Files with Flux sources no Kustomization applies, as `warning` notifications.
    pub not_applied: Vec<(String, SourceFile)>,
    /// Why the run stopped before it finished, when it did.
    pub error: Option<String>,
    /// `run.properties` (the scan's summary counts).
    pub properties: BTreeMap<String, Value>,
}

/// The SARIF log of `findings`: one run, every rule, one invocation.
pub fn log(findings: &[Finding], facts: &RunFacts) -> Value {
    let mut driver = ToolComponent::builder()
        .name("fluxverify")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(Rule::ALL.iter().map(|r| r.descriptor()).collect::<Vec<_>>())
        .build();
    driver.information_uri = INFORMATION_URI.map(str::to_owned);
    let mut notifications: Vec<Notification> = facts
        .notes
        .iter()
        .map(|n| notification("note", n, None))
        .collect();
    notifications.extend(facts.not_applied.iter().map(|(object, at)| {
        notification(
            "warning",
            &format!("not applied by any Kustomization: {object}"),
            Some(at),
        )
    }));
    if let Some(error) = &facts.error {
        notifications.push(notification("error", error, None));
    }
    let mut invocation = Invocation::builder()
        .execution_successful(facts.error.is_none())
        .build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .invocations(vec![invocation])
        .results(findings.iter().map(result).collect::<Vec<_>>())
        .build();
    if !facts.properties.is_empty() {
        run.properties = Some(
            PropertyBag::builder()
                .additional_properties(facts.properties.clone())
                .build(),
        );
    }
    let sarif = Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    // Plain data: serialising it cannot fail.
    serde_json::to_value(sarif).unwrap_or_default()
}

/// The `scan` report as SARIF: a result per row that is not verified, with the hints the text
/// report prints under it (`settings` are the scan's), and the error when the scan stopped
/// before it finished (the rows are then those finished so far).
pub fn scan_log(rows: &[ScanRow], settings: Settings, context: &ScanContext) -> Value {
    let findings: Vec<Finding> = rows
        .iter()
        .filter_map(|row| {
            let mut diagnostics = crate::report::scan::diagnostics(row, settings);
            diagnostics.hints.extend(row.hints.iter().cloned());
            row_finding(row, &diagnostics.hints)
        })
        .collect();
    let summary = Summary::of(rows);
    let facts = RunFacts {
        notes: context.note.iter().cloned().collect(),
        not_applied: context
            .not_applied
            .iter()
            .map(|u| {
                (
                    u.object.clone(),
                    SourceFile {
                        file: u.file.clone(),
                        line: u.line,
                    },
                )
            })
            .collect(),
        error: context.stopped.clone(),
        properties: BTreeMap::from([(
            "summary".to_owned(),
            json!({
                "resources": rows.len(),
                "verified": summary.verified,
                "failed": summary.failed,
                "ignored": summary.ignored,
                "skipped": summary.skipped,
                "error": summary.error,
                "not_applied": context.not_applied.len(),
            }),
        )]),
    };
    log(&findings, &facts)
}

/// The log of one verification (`verify`): its finding, if any, with `hints` under its message.
pub fn verification_log(finding: Option<Finding>, hints: &[String]) -> Value {
    let findings: Vec<Finding> = finding
        .into_iter()
        .map(|mut f| {
            for hint in hints {
                f.message.push_str("\nhint: ");
                f.message.push_str(hint);
            }
            f
        })
        .collect();
    log(&findings, &RunFacts::default())
}

/// The log of a command that stopped with `error` before it had anything to report.
pub fn error_log(error: &str) -> Value {
    log(
        &[],
        &RunFacts {
            error: Some(error.to_owned()),
            ..RunFacts::default()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flux::scan::apply_strict;

    const SETTINGS: Settings = Settings {
        mode: crate::settings::Mode::Flux,
        flux_version: crate::settings::FluxVersion::V1_9,
    };

    fn row(result: RowResult, kind: &str) -> ScanRow {
        let mut row = ScanRow::other(kind, "podinfo", "apps/podinfo.yaml", 12, result, "r".into());
        row.namespace = "apps".into();
        row
    }

    #[test]
    fn each_result_has_its_rule_and_level() {
        let cases = [
            (
                RowResult::Failed,
                "OCIRepository",
                Some((Rule::VerificationFailed, ResultLevel::Error)),
            ),
            (
                RowResult::Skipped,
                "OCIRepository",
                Some((Rule::UnverifiedSource, ResultLevel::Note)),
            ),
            (
                RowResult::Ignored,
                "HelmChart",
                Some((Rule::UnverifiedSource, ResultLevel::Note)),
            ),
            (
                RowResult::Error,
                "OCIRepository",
                Some((Rule::Undecided, ResultLevel::Warning)),
            ),
            (
                RowResult::Error,
                "File",
                Some((Rule::UnreadableManifest, ResultLevel::Error)),
            ),
            (
                RowResult::Error,
                "Kustomization",
                Some((Rule::KustomizationBuildFailed, ResultLevel::Error)),
            ),
            (RowResult::Verified, "OCIRepository", None),
        ];
        for (result, kind, want) in cases {
            assert_eq!(classify(&row(result, kind)), want, "{result:?} {kind}");
        }
    }

    #[test]
    fn a_row_strict_refused_is_an_unverified_source_at_error_level() {
        let mut rows = vec![
            row(RowResult::Skipped, "OCIRepository"),
            row(RowResult::Ignored, "HelmChart"),
        ];
        apply_strict(&mut rows);
        for row in &rows {
            assert_eq!(row.result, RowResult::Failed);
            assert_eq!(
                classify(row),
                Some((Rule::UnverifiedSource, ResultLevel::Error)),
                "{}",
                row.reason
            );
        }
    }

    #[test]
    fn the_fingerprint_follows_the_resource_not_its_line() {
        let a = row_finding(&row(RowResult::Failed, "OCIRepository"), &[]).unwrap();
        let mut moved = row(RowResult::Failed, "OCIRepository");
        moved.line = 40;
        moved.file = "apps/other.yaml".into();
        let b = row_finding(&moved, &[]).unwrap();
        assert_eq!(fingerprint(&a), fingerprint(&b));
        let mut elsewhere = row(RowResult::Failed, "OCIRepository");
        elsewhere.cluster = Some("staging".into());
        assert_ne!(
            fingerprint(&a),
            fingerprint(&row_finding(&elsewhere, &[]).unwrap())
        );
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            path_uri("clusters/prod/apps.yaml"),
            "clusters/prod/apps.yaml"
        );
        assert_eq!(path_uri("./a b/#1%.yaml"), "a%20b/%231%25.yaml");
        assert_eq!(path_uri("/tmp/x.yaml"), "file:///tmp/x.yaml");
        assert_eq!(path_uri("apps/ü.yaml"), "apps/%C3%BC.yaml");
    }

    #[test]
    fn a_row_without_a_file_has_no_location_and_line_zero_no_region() {
        let mut stdin = row(RowResult::Failed, "OCIRepository");
        stdin.file = "-".into();
        assert_eq!(row_finding(&stdin, &[]).unwrap().location, None);
        let mut no_line = row(RowResult::Failed, "OCIRepository");
        no_line.line = 0;
        let log = scan_log(&[no_line], SETTINGS, &ScanContext::default());
        let physical = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uri"], "apps/podinfo.yaml");
        assert!(physical.get("region").is_none(), "{physical}");
    }

    #[test]
    fn an_error_marks_the_invocation_unsuccessful() {
        let done = scan_log(
            &[row(RowResult::Failed, "OCIRepository")],
            SETTINGS,
            &ScanContext::default(),
        );
        assert_eq!(
            done["runs"][0]["invocations"][0]["executionSuccessful"],
            true
        );
        let stopped = scan_log(
            &[row(RowResult::Failed, "OCIRepository")],
            SETTINGS,
            &ScanContext {
                stopped: Some("interrupted".into()),
                ..ScanContext::default()
            },
        );
        let invocation = &stopped["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        assert_eq!(
            invocation["toolExecutionNotifications"][0]["level"],
            "error"
        );
        assert_eq!(
            invocation["toolExecutionNotifications"][0]["message"]["text"],
            "interrupted"
        );
        assert_eq!(stopped["runs"][0]["results"].as_array().unwrap().len(), 1);
    }
}
