//! `fluxverify scan`: read the tree, scan it, render, choose the exit code.
use super::source::registry_options;
use super::Exit;
use crate::RegistryArgs;
use anyhow::Context as _;
use clap::{Args, ValueEnum};
use fluxverify::flux::ocirepository::RunSettings;
use fluxverify::flux::scan::{scan, RowResult, ScanRow, ScanSettings};
use fluxverify::gitops::{self, LoadOptions};
use fluxverify::report::scan as render;
use fluxverify::settings::FluxVersion;
use fluxverify::settings::Mode;
use fluxverify::source::registry::pool::ClientPool;
use fluxverify::verify::signatures::FLUX_MAX_SIGNATURES;
use std::io::{IsTerminal as _, Read as _};
use std::path::PathBuf;

/// Largest stream read from stdin.
const MAX_STDIN_BYTES: u64 = 64 * 1024 * 1024;

/// Output formats of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ScanFormat {
    /// A table, the conditions of failures, a summary line.
    #[default]
    Text,
    /// One JSON object: `resources` and `summary`.
    Json,
    /// JUnit XML (GitLab / GitHub test reports).
    Junit,
    /// GitHub Actions workflow commands, then the table.
    Github,
}

/// Arguments of `scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan (`*.yaml`, `*.yml`, `*.json`), or `-` for a stream of
    /// documents on stdin (`kustomize build`, `flux build` output).
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// A Secret manifest searched first for the sources' `verify.secretRef`; repeatable.
    #[arg(long, value_name = "FILE")]
    pub secret: Vec<PathBuf>,
    /// source-controller version whose behaviour to reproduce.
    #[arg(long, value_name = "VERSION", default_value = "1.9", value_parser = ["1.3", "1.4", "1.5", "1.6", "1.9"])]
    pub flux_version: String,
    /// Verifications in flight at most.
    #[arg(long, short = 'j', value_name = "N", default_value_t = 16)]
    pub jobs: usize,
    /// Fetch nothing: report only what the trust material decides whatever the registry holds.
    #[arg(long)]
    pub offline: bool,
    /// Every source must be verified: `skipped` and `ignored` are failures.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = ScanFormat::Text)]
    pub output: ScanFormat,
}

fn read_stdin() -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(MAX_STDIN_BYTES + 1)
        .read_to_end(&mut bytes)
        .context("cannot read stdin")?;
    if bytes.len() as u64 > MAX_STDIN_BYTES {
        anyhow::bail!("stdin is larger than {MAX_STDIN_BYTES} bytes");
    }
    String::from_utf8(bytes).context("stdin is not UTF-8 text")
}

/// 1 when any row failed, else 2 when any row is an error, else 0.
pub fn exit_code(rows: &[ScanRow]) -> Exit {
    if rows.iter().any(|r| r.result == RowResult::Failed) {
        Exit::Failed
    } else if rows.iter().any(|r| r.result == RowResult::Error) {
        Exit::Usage
    } else {
        Exit::Ok
    }
}

pub fn run(args: ScanArgs) -> anyhow::Result<Exit> {
    if args.jobs == 0 {
        anyhow::bail!("--jobs must be at least 1");
    }
    let flux_version = FluxVersion::parse(&args.flux_version)
        .with_context(|| format!("unknown --flux-version {}", args.flux_version))?;
    let options = LoadOptions {
        secret_files: args.secret.clone(),
    };
    let tree = if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            anyhow::bail!("`-` (stdin) cannot be combined with other paths");
        }
        gitops::load_stream("-", &read_stdin()?, &options)?
    } else {
        gitops::load(&args.paths, &options)?
    };
    let settings = ScanSettings {
        run: RunSettings {
            settings: fluxverify::settings::Settings {
                mode: Mode::Flux,
                flux_version,
            },
            max_signatures: FLUX_MAX_SIGNATURES,
            options: super::stages::Settings {
                mode: Mode::Flux,
                flux_version,
                max_signatures: FLUX_MAX_SIGNATURES,
                user_metadata: Default::default(),
            }
            .signature_options(),
        },
        jobs: args.jobs,
        offline: args.offline,
        strict: args.strict,
        plain_http: args.registry.plain_http,
        now: chrono::Utc::now(),
        default_timeout: super::timed::time_limit(&args.registry, None),
    };
    let pool = std::sync::Arc::new(ClientPool::new(registry_options(&args.registry)));
    // No bar under -v: it would redraw over the log lines written to the same stderr.
    let bar_wanted = std::io::stderr().is_terminal()
        && tracing::level_filters::LevelFilter::current()
            < tracing::level_filters::LevelFilter::INFO;
    let progress = bar_wanted.then(|| {
        // An estimate: a HelmRelease with chartRef makes no row.
        let sources = tree
            .objects
            .iter()
            .filter(|o| {
                matches!(
                    o.kind.as_str(),
                    "OCIRepository" | "HelmChart" | "HelmRelease"
                )
            })
            .count();
        let bar = indicatif::ProgressBar::new((sources + tree.problems.len()) as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let done = |row: &ScanRow| {
        if let Some(bar) = &progress {
            bar.inc(1);
            bar.set_message(row.id());
        }
    };
    // Several workers: the registry client prefetches signatures on spawned tasks.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let rows = runtime.block_on(scan(&tree, &pool, &settings, &done));
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    match args.output {
        ScanFormat::Text => out!("{}", render::to_text(&rows, settings.run.settings)),
        ScanFormat::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&render::to_json(&rows, settings.run.settings))
                .unwrap_or_default()
        ),
        ScanFormat::Junit => out!("{}", render::to_junit(&rows)),
        ScanFormat::Github => out!("{}", render::to_github(&rows, settings.run.settings)),
    }
    Ok(exit_code(&rows))
}
