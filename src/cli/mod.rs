//! Per-command glue between the parsed arguments and the library. `anyhow` lives here and
//! nowhere in the library.

#[macro_use]
pub mod output;

pub mod certs;
pub mod completions;
pub mod envelope;
pub mod flags;
pub mod inspect;
pub mod logging;
pub mod man;
pub mod man_text;
pub mod policy;
pub mod root;
pub mod scan;
pub mod source;
pub mod stages;
pub mod stop;
pub mod timed;
pub mod verify;
pub mod version;

pub use source::{source_for, Source};

/// A runtime for the async source calls.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// `base@digest`.
pub fn with_digest(base: &str, digest: &str) -> String {
    format!("{base}@{digest}")
}

/// The exit codes of the CLI contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Verified, or the command did its job and found nothing wrong.
    Ok = 0,
    /// Flux (or notation) would fail it because of the signatures, the policy or the trust
    /// material; or `policy check` found the policy invalid.
    Failed = 1,
    /// Could not decide: bad flags or input, or the registry could not be read (DNS, connect,
    /// TLS, 401/403, 429, 5xx, timeout) whichever step it happened in.
    Usage = 2,
    /// Flux would accept the artifact without setting `SourceVerified`.
    Ignored = 3,
    /// `scan` stopped by `SIGINT` (128 + 2, as a shell reports it); the report holds the rows
    /// finished by then.
    Interrupted = 130,
    /// `scan` stopped by `SIGTERM` (128 + 15).
    Terminated = 143,
}

/// An error that carries the exit code it should end the process with.
#[derive(Debug)]
pub struct ExitError {
    /// Exit code to use.
    pub exit: Exit,
    /// What went wrong.
    pub error: anyhow::Error,
    /// The command already printed its output (a JSON object must then not be followed by a
    /// second one).
    pub reported: bool,
}

impl std::fmt::Display for ExitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.error)
    }
}

impl std::error::Error for ExitError {}

/// An error and the hints to print under it (the error's text is unchanged).
#[derive(Debug)]
pub struct Hinted {
    /// What went wrong.
    pub error: anyhow::Error,
    /// What to do about it.
    pub hints: Vec<String>,
}

impl std::fmt::Display for Hinted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.error)
    }
}

impl std::error::Error for Hinted {}

/// `error` with `hints` attached, unless there are none.
pub fn with_hints(error: anyhow::Error, hints: Vec<String>) -> anyhow::Error {
    if hints.is_empty() {
        error
    } else {
        anyhow::Error::new(Hinted { error, hints })
    }
}

/// Prints the error (if any) as `Error: <message>` on stderr, `Hint: ` lines under it, and
/// turns the outcome into the process exit code. Errors without an explicit [`Exit`] mean the
/// command could not run (2). With `-o json` the error is also the one JSON object on stdout:
/// `"result": "error"` when the command could not decide, `"failed"` when it decided against
/// the artifact.
pub fn finish(result: anyhow::Result<Exit>, output: crate::OutputFormat) -> Exit {
    match result {
        // The report did not reach its reader: the command did not do its job.
        Ok(_) if output::failed() => Exit::Usage,
        Ok(exit) => exit,
        Err(error) => {
            let (inner, mut hints) = match error.downcast_ref::<Hinted>() {
                Some(hinted) => (&hinted.error, hinted.hints.clone()),
                None => (&error, Vec::new()),
            };
            let (exit, reported) = inner
                .downcast_ref::<ExitError>()
                .map_or((Exit::Usage, false), |e| (e.exit, e.reported));
            if let Some(trust) = inner
                .chain()
                .find_map(|e| e.downcast_ref::<fluxverify::trust::material::TrustError>())
            {
                hints.extend(fluxverify::report::hints::for_trust_error(trust));
            }
            eprintln!("Error: {error:#}");
            for hint in &hints {
                eprintln!("Hint: {hint}");
            }
            if output == crate::OutputFormat::Json && !reported {
                outln!("{}", error_json(exit, &format!("{error:#}"), &hints));
            }
            exit
        }
    }
}

/// The JSON object of a command that stopped with `error`, and the hints printed under it.
pub fn error_json(exit: Exit, error: &str, hints: &[String]) -> String {
    let result = match exit {
        Exit::Failed => "failed",
        _ => "error",
    };
    serde_json::to_string_pretty(
        &serde_json::json!({"result": result, "error": error, "hints": hints}),
    )
    .unwrap_or_default()
}
