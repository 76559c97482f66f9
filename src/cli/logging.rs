//! Where the structured logs go and which show: `-v` (repeatable), or a filter in
//! `FLUXVERIFY_LOG` (read first) or `RUST_LOG`. Logs go to stderr only, since stdout carries
//! the text and JSON reports.

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// The environment variables read for a filter, in order: the first one set (and not empty)
/// replaces what `-v` asks for.
const FILTER_VARIABLES: [&str; 2] = ["FLUXVERIFY_LOG", "RUST_LOG"];

/// The filter for `-v` given `verbosity` times: this crate's events from warn (none) through
/// info, debug and trace; everything else (dependencies) at warn.
fn verbosity_directives(verbosity: u8) -> String {
    let level = match verbosity {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    format!("warn,fluxverify={level}")
}

/// The filter to use, from the environment or `-v`. An unparsable filter variable is an error
/// naming it: a user who set one wants those logs, and silently logging something else would
/// hide the mistake.
fn filter(verbosity: u8, var: impl Fn(&str) -> Option<String>) -> Result<EnvFilter, String> {
    let from_env = FILTER_VARIABLES.iter().find_map(|name| {
        var(name)
            .filter(|v| !v.trim().is_empty())
            .map(|v| (*name, v))
    });
    match from_env {
        Some((name, directives)) => EnvFilter::builder()
            .parse(&directives)
            .map_err(|e| {
                format!(
                    "invalid {name} {directives:?}: {e}; expected directives like `fluxverify=debug` or `warn,fluxverify::source=trace` (levels: error, warn, info, debug, trace, off)"
                )
            }),
        None => EnvFilter::builder()
            .parse(verbosity_directives(verbosity))
            .map_err(|e| format!("internal log filter: {e}")),
    }
}

/// Seconds since the logger was installed, to the millisecond: enough to see where time goes,
/// short enough to keep the lines readable.
struct Uptime(std::time::Instant);

impl tracing_subscriber::fmt::time::FormatTime for Uptime {
    fn format_time(&self, w: &mut tracing_subscriber::fmt::format::Writer<'_>) -> std::fmt::Result {
        write!(w, "{:7.3}s", self.0.elapsed().as_secs_f64())
    }
}

/// `NO_COLOR` set to anything but the empty string (no-color.org).
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Installs the stderr logger. Lines carry the time since start, the level and the target:
/// short, and no colours unless stderr is a terminal and `NO_COLOR` is not set.
pub fn init(verbosity: u8) -> anyhow::Result<()> {
    let filter = filter(verbosity, |name| std::env::var(name).ok()).map_err(anyhow::Error::msg)?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && !no_color())
        .with_timer(Uptime(std::time::Instant::now()))
        .try_init()
        .map_err(|e| anyhow::anyhow!("cannot set up logging: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn verbosity_raises_only_this_crates_level() {
        assert_eq!(verbosity_directives(0), "warn,fluxverify=warn");
        assert_eq!(verbosity_directives(1), "warn,fluxverify=info");
        assert_eq!(verbosity_directives(2), "warn,fluxverify=debug");
        assert_eq!(verbosity_directives(7), "warn,fluxverify=trace");
    }

    #[test]
    fn fluxverify_log_wins_over_rust_log_and_bad_filters_name_the_variable() {
        let both = filter(
            0,
            env(&[("FLUXVERIFY_LOG", "fluxverify=debug"), ("RUST_LOG", "off")]),
        );
        assert_eq!(both.expect("valid").to_string(), "fluxverify=debug");
        let rust = filter(
            3,
            env(&[("FLUXVERIFY_LOG", " "), ("RUST_LOG", "hyper=info")]),
        );
        assert_eq!(rust.expect("valid").to_string(), "hyper=info");
        let bad = filter(0, env(&[("RUST_LOG", "fluxverify=loud")])).unwrap_err();
        assert!(
            bad.contains("invalid RUST_LOG \"fluxverify=loud\""),
            "{bad}"
        );
        let fallback = filter(1, env(&[])).expect("valid");
        assert!(
            fallback.to_string().contains("fluxverify=info"),
            "{fallback}"
        );
    }
}
