//! The `scan` report in its four forms: a text table, one JSON object, JUnit XML (GitLab and
//! GitHub test reports read it), and GitHub Actions workflow commands.

use crate::fleet::cluster::KustomizationReport;
use crate::fleet::Unapplied;
use crate::flux::condition::Condition;
use crate::flux::scan::{RowResult, ScanRow, Summary};
use crate::report::cosign::CosignReport;
use crate::report::hints::{self, Diagnostics, Origin, RegistryFacts};
use crate::report::verify::VerifyReport;
use crate::settings::Settings;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::{json, Value};
use std::fmt::Write as _;

fn condition_json(c: &Condition) -> Value {
    json!({"type": c.kind, "status": c.status, "reason": c.reason, "message": c.message})
}

/// What a scan read besides its rows: the Flux Kustomizations of a fleet build, the files no
/// Kustomization applies, and how the tree was read.
#[derive(Debug, Clone, Default)]
pub struct ScanContext {
    /// Every Flux Kustomization met, with its cluster.
    pub kustomizations: Vec<(String, KustomizationReport)>,
    /// Flux sources in files no Kustomization applies.
    pub not_applied: Vec<Unapplied>,
    /// Said in every format when the tree was not built as Flux builds it (`--files`).
    pub note: Option<String>,
    /// Why the scan stopped before it finished (an interrupt, an error before any row): said
    /// in every format, the rows being those finished by then.
    pub stopped: Option<String>,
}

/// The summary line's counts as JSON.
pub fn summary_json(summary: &Summary) -> Value {
    json!({
        "verified": summary.verified,
        "failed": summary.failed,
        "ignored": summary.ignored,
        "skipped": summary.skipped,
        "error": summary.error,
    })
}

fn kustomization_json(cluster: &str, k: &KustomizationReport) -> Value {
    json!({
        "cluster": cluster,
        "namespace": k.namespace,
        "name": k.name,
        "path": k.path,
        "source": k.source,
        "built": k.built,
        "reason": k.reason,
        "file": k.file,
        "line": k.line,
        "applied": k.applied,
    })
}

/// The credential source and hints of a row, as `verify --ocirepository` gives them for the
/// same source (the no-applicable-statement hint excepted: it needs the Secret's policy, which
/// the row does not keep).
pub fn diagnostics(row: &ScanRow, settings: Settings) -> Diagnostics {
    let Some(contact) = &row.registry else {
        return Diagnostics::default();
    };
    let facts = RegistryFacts {
        registry: contact.registry.clone(),
        repository: contact.repository.clone(),
        error: contact.error.clone(),
        credentials: contact.credentials.clone(),
        provider: contact.provider,
        origin: Origin::OciRepository,
    };
    let hints = match (&row.verification, &row.cosign) {
        (Some(outcome), _) => hints::for_report(
            &VerifyReport::new(settings, outcome.clone()),
            Some(&facts),
            None,
        ),
        // As `verify --verify-provider cosign` gives them: the registry's, unless verified.
        (None, Some(_)) if row.result == RowResult::Verified => Vec::new(),
        (None, Some(_)) => hints::for_registry(&facts),
        (None, None) if row.result == RowResult::Error => hints::for_registry(&facts),
        (None, None) => Vec::new(),
    };
    Diagnostics {
        credentials: facts.credentials,
        hints,
    }
}

/// The report `verify --verify-provider cosign` prints for the same source (`None` when Flux stopped
/// before the cosign stage: no Secret).
fn cosign_report(
    row: &ScanRow,
    source: &crate::flux::cosign::CosignSourceResult,
    settings: Settings,
) -> Option<CosignReport> {
    Some(CosignReport {
        reference: row.url.clone().unwrap_or_default(),
        revision: source.selected.revision.clone(),
        flux_version: settings.flux_version.to_string(),
        check_claims: source.check_claims,
        outcome: source.outcome.clone()?,
        undecided: source.undecided.clone(),
    })
}

/// One row as JSON; `settings` are the scan's (the `verification` object is what `verify -o
/// json` prints under them).
pub fn row_json(row: &ScanRow, settings: Settings) -> Value {
    let mut object = json!({
        "kind": row.kind,
        "apiVersion": row.api_version,
        "namespace": row.namespace,
        "name": row.name,
        "file": row.file,
        "line": row.line,
        "provider": row.provider,
        "url": row.url,
        "reference": row.reference,
        "result": row.result.name(),
        "reason": row.reason,
        "condition": row.condition.as_ref().map(condition_json),
        "verification": match (&row.verification, &row.cosign) {
            (Some(r), _) => Some(VerifyReport::new(settings, r.clone()).to_json()),
            (None, Some(c)) => cosign_report(row, c, settings).map(|r| r.to_json()),
            (None, None) => None,
        },
        "warnings": row.warnings,
        "cluster": row.cluster,
        "kustomization": row.kustomization,
        "patched_by": row.patched_by,
    });
    let mut diagnostics = diagnostics(row, settings);
    diagnostics.hints.extend(row.hints.iter().cloned());
    diagnostics.add_to_json(&mut object);
    object
}

/// `{"resources": [...], "kustomizations": [...], "not_applied": [...], "summary": {...},
/// "error": ...}`; `error` is `null` unless the scan stopped before it finished.
pub fn to_json(rows: &[ScanRow], settings: Settings, context: &ScanContext) -> Value {
    let mut summary = summary_json(&Summary::of(rows));
    if let Some(counts) = summary.as_object_mut() {
        counts.insert("not_applied".into(), json!(context.not_applied.len()));
    }
    json!({
        "resources": rows.iter().map(|r| row_json(r, settings)).collect::<Vec<_>>(),
        "kustomizations": context
            .kustomizations
            .iter()
            .map(|(c, k)| kustomization_json(c, k))
            .collect::<Vec<_>>(),
        "not_applied": context
            .not_applied
            .iter()
            .map(|u| json!({"file": u.file, "line": u.line, "object": u.object}))
            .collect::<Vec<_>>(),
        "note": context.note,
        "summary": summary,
        "error": context.stopped,
    })
}

/// `N resources: a verified, b failed, c ignored, d skipped, e error`.
pub fn summary_line(rows: &[ScanRow]) -> String {
    let s = Summary::of(rows);
    format!(
        "{} resource{}: {} verified, {} failed, {} ignored, {} skipped, {} error",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        s.verified,
        s.failed,
        s.ignored,
        s.skipped,
        s.error
    )
}

/// The text table of some rows: one line a resource, the condition of every failure (and the
/// reason of every error) under it with its file and line.
fn table(out: &mut String, rows: &[&ScanRow], settings: Settings) {
    let ids: Vec<String> = rows.iter().map(|r| r.id()).collect();
    let sources: Vec<String> = rows
        .iter()
        .map(|r| r.url.clone().unwrap_or_else(|| "-".into()))
        .collect();
    let id_width = ids.iter().map(String::len).max().unwrap_or(0).max(8);
    let source_width = sources.iter().map(String::len).max().unwrap_or(0).max(6);
    let _ = writeln!(
        out,
        "{:<id_width$}  {:<source_width$}  {:<8}  REASON",
        "RESOURCE", "SOURCE", "RESULT"
    );
    for ((row, id), source) in rows.iter().zip(&ids).zip(&sources) {
        let _ = writeln!(
            out,
            "{id:<id_width$}  {source:<source_width$}  {:<8}  {}",
            row.result.name(),
            row.reason
        );
        if matches!(row.result, RowResult::Failed | RowResult::Error) {
            let _ = writeln!(out, "    at {}:{}", row.file, row.line);
            if let Some(k) = &row.kustomization {
                let _ = writeln!(out, "    applied by Kustomization {k}");
            }
            if !row.patched_by.is_empty() {
                let _ = writeln!(out, "    patched by {}", row.patched_by.join(", "));
            }
            if let Some(c) = row.condition.as_ref().filter(|c| c.status == "False") {
                let _ = writeln!(out, "    {} {} {}:", c.kind, c.status, c.reason);
                for line in c.message.lines() {
                    let _ = writeln!(out, "      {line}");
                }
            }
        }
        for warning in &row.warnings {
            let _ = writeln!(out, "    warning: {warning}");
        }
        let mut diagnostics = diagnostics(row, settings);
        diagnostics.hints.extend(row.hints.iter().cloned());
        for hint in diagnostics.hints {
            let _ = writeln!(out, "    hint: {hint}");
        }
    }
}

/// The text report: a section a cluster (its Flux Kustomizations, then its rows), the files no
/// Kustomization applies, and the summary line.
pub fn to_text(rows: &[ScanRow], settings: Settings, context: &ScanContext) -> String {
    let mut out = String::new();
    if let Some(note) = &context.note {
        let _ = writeln!(out, "note: {note}");
    }
    let mut clusters: Vec<Option<&str>> = Vec::new();
    for c in rows
        .iter()
        .map(|r| r.cluster.as_deref())
        .chain(context.kustomizations.iter().map(|(c, _)| Some(c.as_str())))
    {
        if !clusters.contains(&c) {
            clusters.push(c);
        }
    }
    if clusters.is_empty() {
        clusters.push(None);
    }
    for cluster in clusters {
        if let Some(name) = cluster {
            let _ = writeln!(out, "== cluster {name}");
            let ks: Vec<&KustomizationReport> = context
                .kustomizations
                .iter()
                .filter(|(c, _)| c == name)
                .map(|(_, k)| k)
                .collect();
            if !ks.is_empty() {
                let _ = writeln!(out, "Kustomizations:");
                for k in ks {
                    let id = if k.name.is_empty() {
                        "(entry)".to_owned()
                    } else {
                        format!("{}/{}", k.namespace, k.name)
                    };
                    let state = if k.failed {
                        "error"
                    } else if k.built {
                        "built"
                    } else {
                        "not built"
                    };
                    let _ = writeln!(
                        out,
                        "  {id}  path {}  source {}  {state}: {} ({} objects)",
                        k.path,
                        k.source,
                        k.reason,
                        k.applied.len()
                    );
                }
            }
        }
        let cluster_rows: Vec<&ScanRow> = rows
            .iter()
            .filter(|r| r.cluster.as_deref() == cluster)
            .collect();
        if cluster_rows.is_empty() {
            let _ = writeln!(out, "no verifiable sources");
        } else {
            table(&mut out, &cluster_rows, settings);
        }
        if cluster.is_some() {
            let _ = writeln!(out);
        }
    }
    for u in &context.not_applied {
        let _ = writeln!(
            out,
            "not applied by any Kustomization: {} ({}:{})",
            u.object, u.file, u.line
        );
    }
    if let Some(error) = &context.stopped {
        let _ = writeln!(out, "scan stopped: {error}");
    }
    let _ = writeln!(out, "{}", summary_line(rows));
    out
}

/// XML 1.0 cannot carry most control characters even escaped; quick-xml escapes markup but
/// leaves them, so they are replaced (a registry's error text can hold anything).
fn xml_safe(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// JUnit XML: one `<testcase>` a resource (classname `Kind/namespace`, name the resource
/// name), `<failure>` for failed, `<error>` for error, `<skipped>` for skipped and ignored; a
/// scan that stopped early ends with one more testcase (`fluxverify/scan`) holding the
/// `<error>`, so that a CI reading the report sees the run was not complete.
pub fn to_junit(rows: &[ScanRow], context: &ScanContext) -> String {
    let s = Summary::of(rows);
    let mut writer = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    let stopped = usize::from(context.stopped.is_some());
    let tests = (rows.len() + stopped).to_string();
    let failures = s.failed.to_string();
    let errors = (s.error + stopped).to_string();
    let skipped = (s.skipped + s.ignored).to_string();
    let counts = [
        ("tests", tests.as_str()),
        ("failures", failures.as_str()),
        ("errors", errors.as_str()),
        ("skipped", skipped.as_str()),
    ];
    let mut events: Vec<Event<'_>> = vec![Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None))];
    let mut suites = BytesStart::new("testsuites");
    suites.push_attribute(("name", "fluxverify scan"));
    suites.extend_attributes(counts);
    events.push(Event::Start(suites));
    let mut suite = BytesStart::new("testsuite");
    suite.push_attribute(("name", "fluxverify scan"));
    suite.extend_attributes(counts);
    events.push(Event::Start(suite));
    if let Some(note) = &context.note {
        events.push(Event::Start(BytesStart::new("properties")));
        let mut property = BytesStart::new("property");
        let note = xml_safe(note);
        property.push_attribute(("name", "note"));
        property.push_attribute(("value", note.as_str()));
        events.push(Event::Empty(property.into_owned()));
        events.push(Event::End(BytesEnd::new("properties")));
    }
    for row in rows {
        let namespace = if row.namespace.is_empty() {
            "-"
        } else {
            &row.namespace
        };
        let classname = xml_safe(&format!("{}/{namespace}", row.kind));
        let name = xml_safe(&row.name);
        let file = xml_safe(&row.file);
        let line = row.line.to_string();
        let mut case = BytesStart::new("testcase");
        case.push_attribute(("classname", classname.as_str()));
        case.push_attribute(("name", name.as_str()));
        case.push_attribute(("file", file.as_str()));
        case.push_attribute(("line", line.as_str()));
        let element = match row.result {
            RowResult::Verified => None,
            RowResult::Failed => Some("failure"),
            RowResult::Error => Some("error"),
            RowResult::Skipped | RowResult::Ignored => Some("skipped"),
        };
        let Some(element) = element else {
            events.push(Event::Empty(case.into_owned()));
            continue;
        };
        events.push(Event::Start(case.into_owned()));
        let message = xml_safe(&format!("{}: {}", row.result.name(), row.reason));
        let mut inner = BytesStart::new(element);
        inner.push_attribute(("message", message.as_str()));
        let body = row
            .condition
            .as_ref()
            .map(|c| format!("{} {} {}: {}", c.kind, c.status, c.reason, c.message))
            .unwrap_or_else(|| row.reason.clone());
        if element == "skipped" {
            events.push(Event::Empty(inner.into_owned()));
        } else {
            inner.push_attribute(("type", row.result.name()));
            events.push(Event::Start(inner.into_owned()));
            events.push(Event::Text(
                BytesText::new(&xml_safe(&format!("{body}\n{}:{}", row.file, row.line)))
                    .into_owned(),
            ));
            events.push(Event::End(BytesEnd::new(element)));
        }
        events.push(Event::End(BytesEnd::new("testcase")));
    }
    if let Some(error) = &context.stopped {
        let mut case = BytesStart::new("testcase");
        case.push_attribute(("classname", "fluxverify"));
        case.push_attribute(("name", "scan"));
        events.push(Event::Start(case));
        let message = xml_safe(error);
        let mut inner = BytesStart::new("error");
        inner.push_attribute(("message", message.as_str()));
        inner.push_attribute(("type", "error"));
        events.push(Event::Start(inner.into_owned()));
        events.push(Event::Text(BytesText::new(&message).into_owned()));
        events.push(Event::End(BytesEnd::new("error")));
        events.push(Event::End(BytesEnd::new("testcase")));
    }
    events.push(Event::End(BytesEnd::new("testsuite")));
    events.push(Event::End(BytesEnd::new("testsuites")));
    for event in events {
        // Writing to a Vec cannot fail.
        let _ = writer.write_event(event);
    }
    let mut text = String::from_utf8_lossy(&writer.into_inner()).into_owned();
    text.push('\n');
    text
}

/// GitHub's workflow-command escaping of a message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// ... and of a property value (`file=`, `title=`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: `::error` for each failure and error, `::warning` for
/// each skipped or ignored source (under `--strict` those are failures already), each with the
/// file and line of the resource; then the text table.
pub fn to_github(rows: &[ScanRow], settings: Settings, context: &ScanContext) -> String {
    let mut out = String::new();
    if let Some(note) = &context.note {
        let _ = writeln!(out, "::notice title=fluxverify scan::{}", escape_data(note));
    }
    if let Some(error) = &context.stopped {
        let _ = writeln!(out, "::error title=fluxverify scan::{}", escape_data(error));
    }
    for row in rows {
        let level = match row.result {
            RowResult::Verified => continue,
            RowResult::Failed | RowResult::Error => "error",
            RowResult::Skipped | RowResult::Ignored => "warning",
        };
        let title = format!("{} {}", row.id(), row.result.name());
        let message = match (&row.condition, row.result) {
            (Some(c), RowResult::Failed) => c.message.clone(),
            _ => row.reason.clone(),
        };
        let _ = writeln!(
            out,
            "::{level} file={},line={},title={}::{}",
            escape_property(&row.file),
            row.line,
            escape_property(&title),
            escape_data(&message)
        );
    }
    out.push_str(&to_text(rows, settings, context));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(result: RowResult, reason: &str) -> ScanRow {
        ScanRow {
            kind: "OCIRepository".into(),
            api_version: "source.toolkit.fluxcd.io/v1".into(),
            namespace: "apps".into(),
            name: "a<b>&\"c\"".into(),
            file: "apps/x,y.yaml".into(),
            line: 7,
            provider: Some("notation".into()),
            url: Some("oci://r.example/app".into()),
            reference: None,
            result,
            reason: reason.into(),
            condition: Some(Condition {
                kind: "SourceVerified".into(),
                status: "False".into(),
                reason: "VerificationError".into(),
                message: "line one\nline \u{1}two: 100%".into(),
            }),
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

    const SETTINGS: Settings = Settings {
        mode: crate::settings::Mode::Flux,
        flux_version: crate::settings::FluxVersion::V1_9,
    };

    /// An error row whose registry refused the anonymous request.
    fn unauthorized_row() -> ScanRow {
        use crate::source::registry::{Provider, RegistryError, RequestLine};
        let mut row = row(RowResult::Error, "401");
        row.condition = None;
        row.registry = Some(crate::flux::scan::RegistryContact {
            registry: "r.example".into(),
            repository: "app".into(),
            error: Some(RegistryError::Status {
                request: RequestLine {
                    method: "HEAD".into(),
                    url: "https://r.example/v2/app/manifests/v1".into(),
                },
                status: 401,
                detail: "UNAUTHORIZED".into(),
            }),
            credentials: None,
            provider: Provider::Generic,
        });
        row
    }

    #[test]
    fn a_row_carries_the_registry_hints_in_json_and_text() {
        let rows = [unauthorized_row()];
        let json = to_json(&rows, SETTINGS, &ScanContext::default());
        let hints = json["resources"][0]["hints"].as_array().unwrap();
        assert_eq!(hints.len(), 1, "{json:#}");
        let hint = hints[0].as_str().unwrap();
        assert!(hint.contains("r.example"), "{hint}");
        assert_eq!(json["resources"][0]["credentials"], Value::Null);
        let text = to_text(&rows, SETTINGS, &ScanContext::default());
        assert!(text.contains(&format!("    hint: {hint}\n")), "{text}");
    }

    /// A cosign row: the cosign report as `verification`, and the registry's hints while it
    /// is not verified.
    fn cosign_row(result: RowResult) -> ScanRow {
        use crate::cosign::{CosignFailure, CosignOutcome, CosignVerdict, Discovery};
        let digest = format!("sha256:{}", "a".repeat(64));
        let reference = format!("r.example/app@{digest}");
        let outcome = CosignOutcome {
            artifact_reference: reference.clone(),
            artifact: crate::source::Descriptor {
                media_type: "application/vnd.oci.image.manifest.v1+json".into(),
                digest: digest.clone(),
                size: 10,
                ..crate::source::Descriptor::default()
            },
            discovery: Discovery::default(),
            keys: Vec::new(),
            verdict: CosignVerdict::Failed(CosignFailure::NoMatch {
                reference: reference.clone(),
            }),
            lax: None,
            keyless: None,
            warnings: Vec::new(),
        };
        let flux = crate::flux::cosign::cosign_result(&outcome, &format!("v1@{digest}"), false);
        let mut row = unauthorized_row();
        row.result = result;
        row.provider = Some("cosign".into());
        row.condition = flux.condition.clone();
        row.cosign = Some(crate::flux::cosign::CosignSourceResult {
            selected: crate::flux::ocirepository::SelectedArtifact {
                tag: Some("v1".into()),
                descriptor: outcome.artifact.clone(),
                revision: format!("v1@{digest}"),
                artifact_reference: reference,
            },
            outcome: Some(outcome),
            flux,
            check_claims: false,
            undecided: None,
        });
        row
    }

    #[test]
    fn a_cosign_row_carries_its_report_and_the_registry_hints() {
        let json = to_json(
            &[cosign_row(RowResult::Failed)],
            SETTINGS,
            &ScanContext::default(),
        );
        let row = &json["resources"][0];
        assert_eq!(row["verification"]["provider"], "cosign", "{row:#}");
        assert_eq!(row["verification"]["result"], "failed");
        assert_eq!(row["verification"]["reference"], "oci://r.example/app");
        assert_eq!(row["verification"]["fluxVersion"], "1.9");
        assert_eq!(
            row["verification"]["condition"]["message"],
            row["condition"]["message"]
        );
        assert_eq!(row["hints"].as_array().unwrap().len(), 1, "{row:#}");
        let verified = to_json(
            &[cosign_row(RowResult::Verified)],
            SETTINGS,
            &ScanContext::default(),
        );
        assert_eq!(verified["resources"][0]["hints"], json!([]));
    }

    #[test]
    fn a_row_that_met_no_registry_has_no_hints() {
        let json = to_json(
            &[row(RowResult::Failed, "r")],
            SETTINGS,
            &ScanContext::default(),
        );
        assert_eq!(json["resources"][0]["hints"], json!([]));
        assert_eq!(json["resources"][0]["credentials"], Value::Null);
    }

    #[test]
    fn junit_escapes_and_counts() {
        let rows = vec![
            row(RowResult::Failed, "x < y"),
            row(RowResult::Skipped, "offline"),
            row(RowResult::Error, "e"),
        ];
        let xml = to_junit(&rows, &ScanContext::default());
        assert!(
            xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
            "{xml}"
        );
        assert!(
            xml.contains("tests=\"3\" failures=\"1\" errors=\"1\" skipped=\"1\""),
            "{xml}"
        );
        assert!(
            xml.contains("name=\"a&lt;b&gt;&amp;&quot;c&quot;\""),
            "{xml}"
        );
        assert!(!xml.contains('\u{1}'));
        let mut reader = quick_xml::Reader::from_str(&xml);
        let mut cases = 0;
        loop {
            match reader.read_event().unwrap() {
                Event::Eof => break,
                Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testcase" => cases += 1,
                _ => {}
            }
        }
        assert_eq!(cases, 3);
    }

    #[test]
    fn github_commands_are_escaped() {
        let text = to_github(
            &[row(RowResult::Failed, "r")],
            SETTINGS,
            &ScanContext::default(),
        );
        let first = text.lines().next().unwrap();
        assert_eq!(
            first,
            "::error file=apps/x%2Cy.yaml,line=7,title=apps/OCIRepository/a<b>&\"c\" failed::line one%0Aline \u{1}two: 100%25"
        );
        assert!(text.contains("1 resource: 0 verified, 1 failed, 0 ignored, 0 skipped, 0 error"));
    }
}
