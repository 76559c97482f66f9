//! How `verify` prints a report (text, JSON, SARIF) and the exit code it returns.
use super::args::VerifyFormat;
use crate::cli::Exit;
use crate::OutputFormat;
use fluxverify::flux::ocirepository;
use fluxverify::report::hints::Diagnostics;
use fluxverify::report::sarif::{self, SourceFile};
use fluxverify::report::verify::{ReportResult, VerifyReport};
use fluxverify::settings::Mode;

/// Where the OCIRepository `name` is in `file` (the line of its document), for the SARIF
/// result's location; line 0 (no region) when the document cannot be told apart.
pub(super) fn document_location(file: &std::path::Path, text: &str, name: &str) -> SourceFile {
    let line = fluxverify::gitops::documents::parse_yaml_stream(text)
        .ok()
        .and_then(|documents| {
            documents
                .into_iter()
                .find(|d| d.value["kind"] == "OCIRepository" && d.value["metadata"]["name"] == name)
        })
        .map_or(0, |d| d.line);
    SourceFile {
        file: file.display().to_string(),
        line,
    }
}

/// Prints the report in `format` (SARIF: located at `location`) and returns the exit code.
pub fn emit_as(
    report: &VerifyReport,
    diagnostics: &Diagnostics,
    format: VerifyFormat,
    location: Option<SourceFile>,
    strict: bool,
) -> Exit {
    if format != VerifyFormat::Sarif {
        return emit_with(report, diagnostics, format.base(), strict);
    }
    let refusal = strict.then(|| strict_refusal(report)).flatten();
    let finding = sarif::verify_finding(report, location);
    let finding = match &refusal {
        Some(why) => finding.map(|f| f.refused(why)),
        None => finding,
    };
    let log = sarif::verification_log(finding, &diagnostics.hints);
    outln!("{}", serde_json::to_string_pretty(&log).unwrap_or_default());
    match refusal {
        Some(_) => Exit::Failed,
        None => exit_code(report),
    }
}

/// The object's status line, as `flux get sources oci` / `kubectl get` summarise it.
pub(super) fn print_status_line(
    repo: &ocirepository::OciRepository,
    condition: Option<&fluxverify::flux::condition::Condition>,
) {
    if let Some(c) = condition {
        let first_line = c.message.lines().next().unwrap_or_default();
        outln!(
            "OCIRepository {}/{}: {} {} {}: {first_line}",
            repo.namespace,
            repo.name,
            c.kind,
            c.status,
            c.reason
        );
    }
}

/// Prints the report and returns the exit code of the CLI contract.
pub fn emit(report: &VerifyReport, format: OutputFormat) -> Exit {
    emit_with(report, &Diagnostics::default(), format, false)
}

/// `--strict`: why an artifact that Flux (or notation) accepts unverified fails, as `scan
/// --strict` words it for a source (the condition stays the one Flux writes).
fn strict_refusal(report: &VerifyReport) -> Option<String> {
    let result = report.result();
    let why = match result {
        ReportResult::Ignored => report
            .error_text()
            .unwrap_or_else(|| "Flux sets no SourceVerified condition".to_owned()),
        ReportResult::Skipped => "the trust policy's level is skip".to_owned(),
        _ => return None,
    };
    Some(format!(
        "--strict: the artifact must be verified ({}: {why})",
        result.name()
    ))
}

/// [`emit`] with the credential source and hints, and `--strict`.
pub fn emit_with(
    report: &VerifyReport,
    diagnostics: &Diagnostics,
    format: OutputFormat,
    strict: bool,
) -> Exit {
    let refusal = strict.then(|| strict_refusal(report)).flatten();
    match format {
        OutputFormat::Json => {
            let mut json = report.to_json();
            diagnostics.add_to_json(&mut json);
            if let Some(refusal) = &refusal {
                json["result"] = ReportResult::Failed.name().into();
                json["error"] = refusal.as_str().into();
            }
            let text = serde_json::to_string_pretty(&json).unwrap_or_default();
            outln!("{text}");
        }
        OutputFormat::Text => {
            out!("{}", report.to_text());
            let mut under = String::new();
            diagnostics.write_text(&mut under);
            if report.mode == Mode::Flux {
                if !under.is_empty() {
                    outln!();
                }
                out!("{under}");
            } else {
                let _ = std::io::Write::flush(&mut std::io::stdout());
                // notation prints warnings and errors on stderr, the success line on stdout.
                for line in report.notation_cli_lines() {
                    if line.starts_with("Warning: ") || line.starts_with("Error: ") {
                        eprintln!("{line}");
                    } else {
                        outln!("{line}");
                    }
                }
                // Under notation's own last lines, on stderr beside its `Error:` line.
                eprint!("{under}");
            }
            if let Some(refusal) = &refusal {
                eprintln!("Error: {refusal}");
            }
        }
    }
    match refusal {
        Some(_) => Exit::Failed,
        None => exit_code(report),
    }
}

/// 0 verified (or skipped in notation mode), 1 failed, 2 could not decide, 3 ignored (flux mode).
pub fn exit_code(report: &VerifyReport) -> Exit {
    match report.result() {
        ReportResult::Verified | ReportResult::Skipped => Exit::Ok,
        ReportResult::Failed => Exit::Failed,
        ReportResult::Ignored => Exit::Ignored,
        ReportResult::Error => Exit::Usage,
    }
}
