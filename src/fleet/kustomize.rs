//! The real kustomize, run as kustomize-controller runs it (`fluxcd/pkg/kustomize`
//! `BuildKustomization`): load restrictions off, no exec or KRM-function plugins, no Helm
//! inflation. kustomize-controller links kustomize as a library; here it is the `kustomize`
//! binary or `kubectl kustomize`, whose defaults already leave plugins and Helm off — the flags
//! are given anyway so that a user's configuration cannot turn them on.

use crate::limits::ReadError;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The install line shown when no kustomize is on `PATH`.
pub const INSTALL_HINT: &str = "install kustomize (a `kustomize` binary, or `kubectl`, whose `kubectl kustomize` is kustomize) or name one with --kustomize CMD";

/// How long one build may take: a remote base that cannot be fetched must not stall a gate.
const BUILD_TIME_LIMIT: Duration = Duration::from_secs(120);

/// Why kustomize could not be run or refused the build.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KustomizeError {
    /// Neither `kustomize` nor `kubectl` is on `PATH` (or `--kustomize` names nothing).
    #[error("kustomize not found: {INSTALL_HINT}")]
    NotFound,
    /// The program could not be started.
    #[error("cannot run {program}: {detail}")]
    Spawn {
        /// The command.
        program: String,
        /// The OS error.
        detail: String,
    },
    /// kustomize exited non-zero; its message without the `Error: ` prefix.
    #[error("{0}")]
    Build(String),
    /// The build took longer than the limit.
    #[error("kustomize build did not finish within {} s", .0.as_secs())]
    TimedOut(Duration),
    /// kustomize printed more than the input limit (it was stopped there).
    #[error("kustomize build printed more than the input limit of {} MiB; not read further", crate::limits::MAX_INPUT_BYTES >> 20)]
    TooLarge,
    /// A stop was asked for while kustomize ran (it was stopped).
    #[error(transparent)]
    Interrupted(#[from] crate::interrupt::Interrupted),
}

/// A kustomize command: the program and the words before the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kustomize {
    program: PathBuf,
    args: Vec<String>,
}

/// The flags kustomize-controller's build options amount to.
const CONTROLLER_FLAGS: [&str; 3] = [
    "--load-restrictor=LoadRestrictionsNone",
    "--enable-helm=false",
    "--enable-alpha-plugins=false",
];

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

impl Kustomize {
    /// `--kustomize CMD` (`kustomize`, `kubectl`, a path, or `kubectl kustomize`), else
    /// `kustomize` on `PATH`, else `kubectl kustomize`.
    pub fn locate(choice: Option<&str>) -> Result<Kustomize, KustomizeError> {
        let words: Vec<&str> = choice
            .map(|c| c.split_whitespace().collect())
            .unwrap_or_default();
        let Some((first, rest)) = words.split_first() else {
            if let Some(program) = on_path("kustomize") {
                return Ok(Kustomize::of(program, &[]));
            }
            return on_path("kubectl")
                .map(|program| Kustomize::of(program, &[]))
                .ok_or(KustomizeError::NotFound);
        };
        let program = if first.contains('/') {
            let p = PathBuf::from(first);
            p.is_file().then_some(p)
        } else {
            on_path(first)
        }
        .ok_or(KustomizeError::NotFound)?;
        Ok(Kustomize::of(program, rest))
    }

    fn of(program: PathBuf, rest: &[&str]) -> Kustomize {
        let is_kubectl = program
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("kubectl"));
        let mut args: Vec<String> = rest.iter().map(|s| (*s).to_owned()).collect();
        if args.is_empty() {
            args.push(if is_kubectl { "kustomize" } else { "build" }.to_owned());
        }
        args.extend(CONTROLLER_FLAGS.iter().map(|f| (*f).to_owned()));
        Kustomize { program, args }
    }

    /// The command line, for messages and logs.
    pub fn describe(&self) -> String {
        format!("{} {}", self.program.display(), self.args.join(" "))
    }

    /// Builds `dir`; the YAML stream kustomize prints.
    pub fn build(&self, dir: &Path) -> Result<String, KustomizeError> {
        let started = Instant::now();
        tracing::debug!(command = %self.describe(), dir = %dir.display(), "kustomize build");
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .arg(dir)
            // kustomize looks for plugins under $XDG_CONFIG_HOME; none are wanted.
            .env_remove("KUSTOMIZE_PLUGIN_HOME")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| KustomizeError::Spawn {
                program: self.program.display().to_string(),
                detail: e.to_string(),
            })?;
        let mut stdout = child.stdout.take();
        let mut stderr = child.stderr.take();
        // Read within the input limit: past it the reader stops and kustomize is stopped.
        let out = std::thread::spawn(move || match stdout.as_mut() {
            Some(s) => crate::limits::read_stream("kustomize build", s),
            None => Ok(Vec::new()),
        });
        let err = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(s) = stderr.as_mut() {
                let _ = s.read_to_end(&mut bytes);
            }
            bytes
        });
        // The output, once its reader is done; a reader cut off at the limit stops the build.
        let mut out = Some(out);
        let mut printed = None;
        let status = loop {
            if let Some(reader) = out.take_if(|reader| reader.is_finished()) {
                let result = reader.join().unwrap_or(Ok(Vec::new()));
                if result.as_ref().is_err_and(ReadError::is_too_large) {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(KustomizeError::TooLarge);
                }
                printed = Some(result);
            }
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) => {
                    // Ctrl-C reaches kustomize through the terminal's process group; a SIGTERM
                    // sent to fluxverify alone does not, so the child is stopped here.
                    if let Err(stop) = crate::interrupt::check() {
                        let _ = child.kill();
                        let _ = child.wait();
                        return Err(stop.into());
                    }
                    if started.elapsed() > BUILD_TIME_LIMIT {
                        let _ = child.kill();
                        let _ = child.wait();
                        return Err(KustomizeError::TimedOut(BUILD_TIME_LIMIT));
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err(e) => {
                    return Err(KustomizeError::Spawn {
                        program: self.program.display().to_string(),
                        detail: e.to_string(),
                    })
                }
            }
        };
        let printed = match (printed, out) {
            (Some(printed), _) => printed,
            (None, Some(reader)) => reader.join().unwrap_or(Ok(Vec::new())),
            (None, None) => Ok(Vec::new()),
        };
        if printed.as_ref().is_err_and(ReadError::is_too_large) {
            return Err(KustomizeError::TooLarge);
        }
        // A failed read leaves nothing to parse: kustomize's exit status says why.
        let stdout = printed.unwrap_or_default();
        let stderr = err.join().unwrap_or_default();
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "kustomize done"
        );
        if !status.success() {
            let text = String::from_utf8_lossy(&stderr);
            let message = text
                .trim()
                .trim_start_matches("Error: ")
                .trim_start_matches("error: ")
                .to_owned();
            return Err(KustomizeError::Build(if message.is_empty() {
                format!("{} exited with {status}", self.program.display())
            } else {
                message
            }));
        }
        String::from_utf8(stdout)
            .map_err(|_| KustomizeError::Build("kustomize printed text that is not UTF-8".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_program_that_does_not_exist_is_not_found() {
        assert_eq!(
            Kustomize::locate(Some("/nonexistent/kustomize")),
            Err(KustomizeError::NotFound)
        );
        assert!(KustomizeError::NotFound.to_string().contains("--kustomize"));
    }

    #[test]
    fn kubectl_gets_its_subcommand_and_the_controller_flags() {
        let k = Kustomize::of(PathBuf::from("/usr/bin/kubectl"), &[]);
        assert_eq!(k.args[0], "kustomize");
        assert!(k
            .args
            .contains(&"--load-restrictor=LoadRestrictionsNone".to_owned()));
        let k = Kustomize::of(PathBuf::from("/usr/local/bin/kustomize"), &[]);
        assert_eq!(k.args[0], "build");
    }
}
