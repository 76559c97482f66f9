//! A command's registry work under one time limit (`--timeout`, else the manifest's
//! `spec.timeout`, else Flux's 60s), with a spinner on stderr when the work takes a while.
use super::{with_hints, Exit, ExitError};
use crate::{OutputFormat, RegistryArgs};
use fluxverify::flux::ocirepository::DEFAULT_TIMEOUT;
use fluxverify::inflight::{Budget, LimitOrigin, TimeLimit, Tracker};
use std::cell::RefCell;
use std::future::Future;
use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

/// How long the work runs before the spinner shows: quick runs print nothing extra.
const SPINNER_DELAY: Duration = Duration::from_secs(1);

/// The time limit: `--timeout` when given, else `spec.timeout` of the manifest (`object` names
/// it) when it sets one, else Flux's default (60s).
pub fn time_limit(args: &RegistryArgs, manifest: Option<(Option<Duration>, String)>) -> TimeLimit {
    if let Some(duration) = args.timeout {
        return TimeLimit {
            duration,
            origin: LimitOrigin::Flag,
        };
    }
    match manifest {
        Some((Some(duration), object)) => TimeLimit {
            duration,
            origin: LimitOrigin::Manifest(object),
        },
        _ => TimeLimit {
            duration: DEFAULT_TIMEOUT,
            origin: LimitOrigin::Default,
        },
    }
}

/// Whether to show the spinner: only for a person watching a terminal. Off when stderr is not
/// a terminal, with `-o json` (a machine reads the run), and when logging is asked for (`-v`,
/// `FLUXVERIFY_LOG`, `RUST_LOG`), whose lines a spinner would garble.
pub fn spinner_enabled(
    stderr_is_terminal: bool,
    output: OutputFormat,
    verbose: bool,
    env: impl Fn(&str) -> Option<String>,
) -> bool {
    let logging = verbose
        || ["FLUXVERIFY_LOG", "RUST_LOG"]
            .iter()
            .any(|name| env(name).is_some_and(|v| !v.is_empty()));
    stderr_is_terminal && output == OutputFormat::Text && !logging
}

/// The runtime, the started time limit and the spinner of one command.
pub struct TimedRun {
    runtime: tokio::runtime::Runtime,
    budget: Budget,
    spinner: Option<Spinner>,
}

impl TimedRun {
    /// Starts the clock for a command with these flags and output format.
    pub fn start(limit: TimeLimit, output: OutputFormat) -> anyhow::Result<TimedRun> {
        // Info lines (`-v`) or more are being written to the same stderr.
        let verbose = tracing::level_filters::LevelFilter::current()
            >= tracing::level_filters::LevelFilter::INFO;
        let show = spinner_enabled(std::io::stderr().is_terminal(), output, verbose, |name| {
            std::env::var(name).ok()
        });
        Ok(TimedRun {
            runtime: super::runtime()?,
            budget: Budget::start(limit),
            spinner: show.then(Spinner::new),
        })
    }

    /// Runs `future` within what is left of the time limit. An expired limit is an error that
    /// ends the command with exit 2 ("could not decide"), naming what was waited for. The
    /// spinner is cleared before this returns, so the caller may print.
    pub fn block_on<F: Future>(&self, future: F) -> anyhow::Result<F::Output> {
        let work = self.budget.run(future);
        let result = match &self.spinner {
            None => self.runtime.block_on(work),
            Some(spinner) => {
                let result = self.runtime.block_on(async {
                    tokio::pin!(work);
                    let mut ticks = tokio::time::interval(Duration::from_millis(100));
                    loop {
                        tokio::select! {
                            result = &mut work => break result,
                            _ = ticks.tick() => spinner.update(self.budget.tracker()),
                        }
                    }
                });
                spinner.clear();
                result
            }
        };
        result.map_err(|expired| {
            let error = anyhow::Error::new(ExitError {
                exit: Exit::Usage,
                error: expired.into(),
                reported: false,
            });
            with_hints(
                error,
                vec!["the registry did not answer in time: check that it is reachable, or allow longer with --timeout (an OCIRepository's spec.timeout)".into()],
            )
        })
    }
}

/// `⠋ 3.2s waiting for GET https://... (no response headers yet)` on stderr.
struct Spinner {
    started: Instant,
    bar: RefCell<Option<indicatif::ProgressBar>>,
}

impl Spinner {
    fn new() -> Spinner {
        Spinner {
            started: Instant::now(),
            bar: RefCell::new(None),
        }
    }

    fn update(&self, tracker: &Tracker) {
        let elapsed = self.started.elapsed();
        if elapsed < SPINNER_DELAY {
            return;
        }
        let mut bar = self.bar.borrow_mut();
        let bar = bar.get_or_insert_with(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {wide_msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar
        });
        let doing = match tracker.oldest() {
            Some(waiting) => format!("waiting for {}", waiting.description),
            None => "working".to_owned(),
        };
        bar.set_message(format!("{:.1}s {doing}", elapsed.as_secs_f64()));
        bar.tick();
    }

    fn clear(&self) {
        if let Some(bar) = self.bar.borrow_mut().take() {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn spinner_only_for_a_terminal_with_text_output_and_no_logging() {
        assert!(spinner_enabled(true, OutputFormat::Text, false, no_env));
        assert!(!spinner_enabled(false, OutputFormat::Text, false, no_env));
        assert!(!spinner_enabled(true, OutputFormat::Json, false, no_env));
        let logging = |name: &str| (name == "RUST_LOG").then(|| "debug".to_owned());
        assert!(!spinner_enabled(true, OutputFormat::Text, false, logging));
        let empty = |_: &str| Some(String::new());
        assert!(spinner_enabled(true, OutputFormat::Text, false, empty));
        assert!(!spinner_enabled(true, OutputFormat::Text, true, no_env));
    }

    #[test]
    fn the_flag_wins_over_the_manifest_which_wins_over_the_default() {
        let mut args = RegistryArgs::default();
        let manifest = || Some((Some(Duration::from_secs(3)), "OCIRepository ns/app".into()));
        assert_eq!(
            time_limit(&args, manifest()),
            TimeLimit {
                duration: Duration::from_secs(3),
                origin: LimitOrigin::Manifest("OCIRepository ns/app".into())
            }
        );
        assert_eq!(time_limit(&args, None).duration, DEFAULT_TIMEOUT);
        assert_eq!(
            time_limit(&args, Some((None, "OCIRepository ns/app".into()))).origin,
            LimitOrigin::Default
        );
        args.timeout = Some(Duration::from_millis(500));
        assert_eq!(
            time_limit(&args, manifest()),
            TimeLimit {
                duration: Duration::from_millis(500),
                origin: LimitOrigin::Flag
            }
        );
    }
}
