//! `fluxverify scan`: read the tree, scan it, render, choose the exit code.
use super::source::registry_options;
use super::stop::StopListener;
use super::{Exit, ExitError};
use crate::RegistryArgs;
use anyhow::Context as _;
use clap::{Args, ValueEnum};
use fluxverify::fleet::{self, spec::ObjectRef, FleetRequest};
use fluxverify::flux::ocirepository::RunSettings;
use fluxverify::flux::scan::{scan, RowResult, ScanRow, ScanSettings};
use fluxverify::gitops::{self, LoadOptions};
use fluxverify::interrupt::{self, Interrupted, StopSignal};
use fluxverify::report::scan::{self as render, ScanContext};
use fluxverify::settings::FluxVersion;
use fluxverify::settings::{Mode, Settings};
use fluxverify::source::registry::pool::ClientPool;
use fluxverify::verify::signatures::FLUX_MAX_SIGNATURES;
use std::io::IsTerminal as _;
use std::path::PathBuf;

/// Said in every format under `--files`.
const FILES_NOTE: &str = "--files: files read one by one, not built as Flux builds them: overlays, patches, generated kustomizations and postBuild substitutions were not applied";

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
    /// SARIF 2.1.0 (GitHub code scanning): a result per source not verified.
    Sarif,
}

/// `scan --plain-http`: every source, not one reference.
const PLAIN_HTTP_HELP: &str =
    "Use plain HTTP for every source's registry, as if each source set `insecure: true`";

/// `scan --provider`: it replaces each source's own `spec.provider`.
const PROVIDER_HELP: &str = "`aws`, `azure`, `gcp` or `generic`: get registry credentials from this cloud provider's CLI for every source, instead of each source's `spec.provider`, when none are configured (flags, Docker config) [default: each source's spec.provider]";

/// `scan --timeout`: the default of the sources' own `spec.timeout`.
const TIMEOUT_HELP: &str = "Time limit of each source whose manifest sets no `spec.timeout` (its requests, the auth round trips, the signature checks), in Go duration syntax: `60s`, `1m30s`, `500ms`. When it expires that source's row is an error naming the request that was waiting [default: 60s, as Flux]";

/// Arguments of `scan`.
#[derive(Debug, Args)]
#[command(
    mut_arg("plain_http", |a| a.help(PLAIN_HTTP_HELP)),
    mut_arg("providers", |a| a.help(PROVIDER_HELP)),
    mut_arg("timeout", |a| a.help(TIMEOUT_HELP))
)]
pub struct ScanArgs {
    /// Directories of a fleet repository, built as Flux builds them: a cluster directory (its
    /// bootstrap Kustomization and every Flux Kustomization it leads to), a repository root
    /// holding several clusters, or any kustomize directory; `-` for a stream of built documents
    /// on stdin (`kustomize build`, `flux build` output).
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Read the files one by one instead of building them (for trees kustomize cannot build):
    /// overlays, patches and substitutions are then not applied.
    #[arg(long)]
    pub files: bool,
    /// The repository root Flux Kustomization paths are relative to (default: found from the
    /// bootstrap Kustomization, else the git top level).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The GitRepository (`GitRepository/NAMESPACE/NAME`) the clusters sync this repository
    /// through (default: the one the bootstrap Kustomization names).
    #[arg(long, value_name = "REF")]
    pub source: Option<String>,
    /// The kustomize to run (`kustomize`, `kubectl`, a path; default: `kustomize`, else
    /// `kubectl kustomize`).
    #[arg(long, value_name = "CMD")]
    pub kustomize: Option<String>,
    /// A Secret manifest searched first for the sources' `verify.secretRef`; repeatable.
    #[arg(long, value_name = "FILE")]
    pub secret: Vec<PathBuf>,
    #[command(flatten)]
    pub release: crate::FluxRelease,
    /// Verifications in flight at most.
    #[arg(long, short = 'j', value_name = "N", default_value_t = 16)]
    pub jobs: usize,
    /// Fetch nothing: report only what the trust material decides whatever the registry holds.
    #[arg(long)]
    pub offline: bool,
    /// Every source must be verified: `skipped` and `ignored` are failures.
    #[arg(long)]
    pub strict: bool,
    /// cosign sources: check the claims as `cosign verify` does, refusing what Flux accepts
    /// laxly: a classic signature whose payload names another digest than the artifact's
    /// (a `failed` row).
    #[arg(long)]
    pub check_claims: bool,
    /// The trusted root of keyless sources without trustedRootSecretRef.
    #[command(flatten)]
    pub trust_root: super::root::RootArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = ScanFormat::Text)]
    pub output: ScanFormat,
}

/// The built stream on stdin, within the input limit. Read on its own thread: a stop while
/// the writer has not finished ends the wait (the thread goes with the process).
fn read_stdin() -> anyhow::Result<String> {
    let reader = std::thread::spawn(|| fluxverify::limits::read_text(std::path::Path::new("-")));
    while !reader.is_finished() {
        interrupt::check()?;
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    match reader.join() {
        Ok(read) => Ok(read?),
        Err(_) => anyhow::bail!("reading stdin ended abnormally"),
    }
}

/// The envsubst of the Flux release that ships the source-controller version asked for
/// (source-controller v1.9 is Flux 2.9); strict substitution is a controller feature gate, off
/// by default.
fn substitution_dialect(flux_version: FluxVersion) -> fleet::envsubst::Dialect {
    fleet::envsubst::Dialect {
        strict: false,
        release: if flux_version == FluxVersion::V1_9 {
            fleet::envsubst::Release::Flux2_9
        } else {
            fleet::envsubst::Release::Flux2_8
        },
    }
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

/// Runs the scan and writes its report: also when it stopped early (an error before any row,
/// `SIGINT`/`SIGTERM` during the build or the verifications), as the rows finished by then and
/// the error, in the chosen format (text: the error on stderr only when nothing ran).
pub fn run(args: ScanArgs) -> anyhow::Result<Exit> {
    // First: the stop handlers are in place before anything long starts. Several workers: the
    // registry client prefetches signatures on spawned tasks, and the listener runs on them
    // while the fleet build holds this thread.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let stop = StopListener::install(&runtime)?;
    let settings = Settings {
        mode: Mode::Flux,
        flux_version: args.release.flux_version,
    };
    let mut context = ScanContext::default();
    let mut rows = Vec::new();
    let scanned = scan_paths(&args, &runtime, &stop, &mut context, &mut rows);
    // Also the rows the fleet build made itself, outside the per-cluster scans.
    if args.strict {
        fluxverify::flux::scan::apply_strict(&mut rows);
    }
    let Err(error) = scanned else {
        write_report(args.output, &rows, settings, &context);
        if rows.is_empty() {
            eprintln!(
                "scan: no verifiable sources in what Flux applies from {}",
                args.paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if args.strict {
                return Ok(Exit::Failed);
            }
        }
        return Ok(exit_code(&rows));
    };
    // Whatever step saw the stop, the signal is why the run ended.
    let signal = interrupt::raised();
    context.stopped = Some(format!("{error:#}"));
    if signal.is_some() || args.output != ScanFormat::Text {
        write_report(args.output, &rows, settings, &context);
    }
    // Tasks still waiting on a registry are dropped, not waited for.
    runtime.shutdown_timeout(SHUTDOWN_WAIT);
    let exit = match signal {
        Some(StopSignal::Interrupt) => Exit::Interrupted,
        Some(StopSignal::Terminate) => Exit::Terminated,
        None => Exit::Usage,
    };
    Err(anyhow::Error::new(ExitError {
        exit,
        error,
        reported: true,
    }))
}

/// How long an interrupted run waits for the work in flight to let go.
const SHUTDOWN_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

/// The report of `rows` in `format`.
fn write_report(format: ScanFormat, rows: &[ScanRow], settings: Settings, context: &ScanContext) {
    match format {
        ScanFormat::Text => out!("{}", render::to_text(rows, settings, context)),
        ScanFormat::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&render::to_json(rows, settings, context))
                .unwrap_or_default()
        ),
        ScanFormat::Junit => out!("{}", render::to_junit(rows, context)),
        ScanFormat::Github => out!("{}", render::to_github(rows, settings, context)),
        ScanFormat::Sarif => outln!(
            "{}",
            serde_json::to_string_pretty(&fluxverify::report::sarif::scan_log(
                rows, settings, context
            ))
            .unwrap_or_default()
        ),
    }
}

/// Reads the paths, builds what Flux applies and verifies it, pushing the rows to `rows` as
/// they finish (so that a stop leaves the finished ones there).
fn scan_paths(
    args: &ScanArgs,
    runtime: &tokio::runtime::Runtime,
    stop: &StopListener,
    context: &mut ScanContext,
    rows: &mut Vec<ScanRow>,
) -> anyhow::Result<()> {
    if args.jobs == 0 {
        anyhow::bail!("--jobs must be at least 1");
    }
    let flux_version = args.release.flux_version;
    let options = LoadOptions {
        secret_files: args.secret.clone(),
    };
    let source = args
        .source
        .as_deref()
        .map(|s| {
            ObjectRef::parse(s)
                .with_context(|| format!("--source {s}: expected GitRepository/NAMESPACE/NAME"))
        })
        .transpose()?;
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    // One tree a cluster: (cluster, tree).
    let trees: Vec<(Option<String>, gitops::Tree)> = if stdin {
        if args.paths.len() > 1 {
            anyhow::bail!("`-` (stdin) cannot be combined with other paths");
        }
        let text = read_stdin()?;
        if text.trim().is_empty() {
            anyhow::bail!("stdin is empty: nothing to scan (pipe the output of `kustomize build` or `flux build`)");
        }
        vec![(None, gitops::load_stream("-", &text, &options)?)]
    } else if args.files {
        context.note = Some(FILES_NOTE.into());
        vec![(None, gitops::load(&args.paths, &options)?)]
    } else {
        for path in &args.paths {
            if path.is_file() {
                anyhow::bail!(
                    "{}: a file; scan builds directories as Flux does: give its directory, --files to read files one by one, or - for a built stream on stdin",
                    path.display()
                );
            }
        }
        let flags = gitops::load(&[], &options)?;
        let request = FleetRequest {
            paths: args.paths.clone(),
            root: args.root.clone(),
            source,
            kustomize: args.kustomize.clone(),
            substitution: substitution_dialect(flux_version),
        };
        let fleet = fleet::build(&request, &fleet::secret_objects(&args.secret)?)?;
        context.not_applied = fleet.not_applied.clone();
        fleet
            .clusters
            .iter()
            .map(|cluster| {
                context.kustomizations.extend(
                    cluster
                        .kustomizations
                        .iter()
                        .map(|k| (cluster.name.clone(), k.clone())),
                );
                (Some(cluster.name.clone()), cluster.tree(&flags))
            })
            .collect()
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
        check_claims: args.check_claims,
        plain_http: args.registry.plain_http,
        now: chrono::Utc::now(),
        default_timeout: super::timed::time_limit(&args.registry, None),
        default_root: super::root::default_root(&args.trust_root, args.offline)?,
    };
    let pool = std::sync::Arc::new(ClientPool::new(registry_options(&args.registry)));
    let progress = progress_bar(&trees);
    // The rows of the cluster being scanned, as they finish.
    let finished = std::sync::Mutex::new(Vec::new());
    let done = |row: &ScanRow| {
        if let Some(bar) = &progress {
            bar.inc(1);
            bar.set_message(row.id());
        }
        if let Ok(mut finished) = finished.lock() {
            finished.push(row.clone());
        }
    };
    let mut outcome = Ok(());
    for (cluster, tree) in &trees {
        rows.extend(failed_kustomizations(context, cluster.as_ref()));
        let scanned = runtime.block_on(async {
            tokio::select! {
                rows = scan(tree, &pool, &settings, &done) => Ok(rows),
                signal = stop.wait() => Err(Interrupted(signal)),
            }
        });
        let so_far = finished
            .lock()
            .map(|mut f| std::mem::take(&mut *f))
            .unwrap_or_default();
        let (mut cluster_rows, stopped) = match scanned {
            Ok(cluster_rows) => (cluster_rows, interrupt::check().err()),
            Err(stopped) => (so_far, Some(stopped)),
        };
        for row in &mut cluster_rows {
            row.cluster = cluster.clone();
        }
        rows.extend(cluster_rows);
        if let Some(stopped) = stopped {
            outcome = Err(stopped);
            break;
        }
    }
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    Ok(outcome?)
}

/// The rows of the Flux Kustomizations of `cluster` whose build failed: Flux applies none of
/// them.
fn failed_kustomizations(context: &ScanContext, cluster: Option<&String>) -> Vec<ScanRow> {
    context
        .kustomizations
        .iter()
        .filter(|(c, k)| Some(c) == cluster && k.failed)
        .map(|(_, k)| {
            let name = if k.name.is_empty() {
                k.path.clone()
            } else {
                k.name.clone()
            };
            let mut row = ScanRow::other(
                "Kustomization",
                &name,
                &k.file,
                k.line.max(1),
                RowResult::Error,
                k.reason.clone(),
            );
            row.namespace = k.namespace.clone();
            row.cluster = cluster.cloned();
            row
        })
        .collect()
}

/// A progress bar on a terminal's stderr (not under -v: it would redraw over the log lines
/// written to the same stderr).
fn progress_bar(trees: &[(Option<String>, gitops::Tree)]) -> Option<indicatif::ProgressBar> {
    let wanted = std::io::stderr().is_terminal()
        && tracing::level_filters::LevelFilter::current()
            < tracing::level_filters::LevelFilter::INFO;
    wanted.then(|| {
        // An estimate: a HelmRelease with chartRef makes no row.
        let sources: usize = trees
            .iter()
            .map(|(_, tree)| {
                tree.objects
                    .iter()
                    .filter(|o| {
                        matches!(
                            o.kind.as_str(),
                            "OCIRepository" | "HelmChart" | "HelmRelease"
                        )
                    })
                    .count()
                    + tree.problems.len()
            })
            .sum();
        let bar = indicatif::ProgressBar::new(sources as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    })
}
