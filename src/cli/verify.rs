//! `fluxverify verify`.
use super::{source_for, stages, Exit, Source};
use crate::{LayoutArgs, ModeArgs, OutputFormat, RegistryArgs, TrustArgs};
use clap::Args;
use fluxverify::report::verify::{ReportResult, VerifyReport};
use fluxverify::verify::run::{verify, VerifyRequest};
use fluxverify::verify::Mode;
use std::path::PathBuf;

/// Arguments of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// `registry/repository:tag`, `registry/repository@sha256:...` or `registry/repository:tag@sha256:...`
    /// (with --oci-layout: a tag or `@sha256:...` inside the layout).
    pub reference: Option<String>,
    /// An OCIRepository manifest to take url, ref, insecure and verify.secretRef from.
    #[arg(long, value_name = "FILE")]
    pub ocirepository: Option<PathBuf>,
    #[command(flatten)]
    pub trust: TrustArgs,
    #[command(flatten)]
    pub mode: ModeArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
    #[command(flatten)]
    pub layout: LayoutArgs,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = crate::OutputFormat::Text)]
    pub output: crate::OutputFormat,
}

pub fn run(args: VerifyArgs) -> anyhow::Result<Exit> {
    if args.ocirepository.is_some() {
        anyhow::bail!(
            "--ocirepository needs registry access, which is not available in this build yet"
        );
    }
    let Some(reference) = args.reference.clone() else {
        anyhow::bail!("missing REFERENCE (or --ocirepository FILE)");
    };
    let settings = stages::Settings::from_args(&args.mode)?;
    let source = source_for(&reference, &args.layout, &args.registry)?;
    let Source::Layout(layout) = &source;
    let stages = stages::build(&args.trust, &settings)?;
    let request = VerifyRequest {
        mode: settings.mode,
        flux_version: settings.flux_version,
        reference: reference.clone(),
        repository: layout.scope.clone(),
        wanted: layout.wanted.clone(),
        max_signatures: settings.max_signatures,
        warnings: stages.warnings.clone(),
    };
    let report = super::runtime()?.block_on(verify(
        layout.source(),
        stages.stages,
        settings.signature_options(),
        request,
        chrono::Utc::now(),
    ))?;
    Ok(emit(&report, args.output))
}

/// Prints the report and returns the exit code of the CLI contract.
pub fn emit(report: &VerifyReport, format: OutputFormat) -> Exit {
    match format {
        OutputFormat::Json => {
            let text = serde_json::to_string_pretty(&report.to_json()).unwrap_or_default();
            println!("{text}");
        }
        OutputFormat::Text => {
            print!("{}", report.to_text());
            if report.mode == Mode::Notation {
                let _ = std::io::Write::flush(&mut std::io::stdout());
                // notation prints warnings and errors on stderr, the success line on stdout.
                for line in report.notation_cli_lines() {
                    if line.starts_with("Warning: ") || line.starts_with("Error: ") {
                        eprintln!("{line}");
                    } else {
                        println!("{line}");
                    }
                }
            }
        }
    }
    exit_code(report)
}

/// 0 verified (or skipped in notation mode), 1 failed, 3 ignored (flux mode).
pub fn exit_code(report: &VerifyReport) -> Exit {
    match report.result() {
        ReportResult::Verified | ReportResult::Skipped => Exit::Ok,
        ReportResult::Failed => Exit::Failed,
        ReportResult::Ignored => Exit::Ignored,
    }
}
