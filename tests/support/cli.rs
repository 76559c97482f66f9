//! Running the fluxverify binary from an integration test, isolated from the machine's
//! credentials and logging settings.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Environment variables that would bring the machine's credentials into a run, or change what
/// it logs.
const REMOVED: [&str; 7] = [
    "FLUXVERIFY_USERNAME",
    "FLUXVERIFY_PASSWORD",
    "AZURE_ACCESS_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "FLUXVERIFY_LOG",
    "RUST_LOG",
];

/// What a run of the binary left behind.
#[derive(Debug)]
pub struct Output {
    /// The exit code; -1 when a signal ended the process.
    pub code: i32,
    /// Stdout as text, invalid UTF-8 replaced.
    pub stdout: String,
    /// Stdout as written, for a parser that must see invalid UTF-8 as such.
    pub stdout_bytes: Vec<u8>,
    pub stderr: String,
    /// How long the process ran.
    pub took: Duration,
}

impl From<Output> for (i32, String, String) {
    fn from(out: Output) -> Self {
        (out.code, out.stdout, out.stderr)
    }
}

impl Output {
    fn of(out: &std::process::Output, took: Duration) -> Output {
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stdout_bytes: out.stdout.clone(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            took,
        }
    }
}

/// One run of the binary with `args`, in an environment of its own: `HOME` and `DOCKER_CONFIG`
/// in a fresh empty directory, none of the [`REMOVED`] variables, then whatever
/// [`Run::env`] adds.
pub fn fluxverify(args: Vec<String>) -> Run {
    Run {
        args,
        env: Vec::new(),
        stdin: None,
        timeout: None,
        current_dir: None,
    }
}

/// A run of the binary being set up; see [`fluxverify`].
pub struct Run {
    args: Vec<String>,
    env: Vec<(OsString, OsString)>,
    stdin: Option<Vec<u8>>,
    timeout: Option<Duration>,
    current_dir: Option<PathBuf>,
}

impl Run {
    /// Sets `key` to `value`, over the isolated environment.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Run {
        self.env.push((key.into(), value.into()));
        self
    }

    /// [`Run::env`] for each of `vars`.
    pub fn envs<K: Into<OsString>, V: Into<OsString>>(
        mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Run {
        self.env
            .extend(vars.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Feeds `input` to the binary's stdin.
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Run {
        self.stdin = Some(input.into());
        self
    }

    /// Kills the process once it has run for `limit`: a hang guard.
    pub fn timeout(mut self, limit: Duration) -> Run {
        self.timeout = Some(limit);
        self
    }

    /// Runs it in `dir` instead of the test's working directory.
    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Run {
        self.current_dir = Some(dir.into());
        self
    }

    /// Runs the binary to its end off the async runtime's threads, so that an in-process
    /// registry on them keeps answering.
    pub async fn output(self) -> Output {
        tokio::task::spawn_blocking(move || self.output_blocking())
            .await
            .unwrap()
    }

    /// Runs the binary to its end on this thread.
    pub fn output_blocking(self) -> Output {
        let home = tempfile::tempdir().unwrap();
        let mut cmd = assert_cmd::Command::cargo_bin("fluxverify").unwrap();
        cmd.args(&self.args)
            .env("HOME", home.path())
            .env("DOCKER_CONFIG", home.path().join("docker"));
        for name in REMOVED {
            cmd.env_remove(name);
        }
        cmd.envs(self.env);
        if let Some(input) = self.stdin {
            cmd.write_stdin(input);
        }
        if let Some(limit) = self.timeout {
            cmd.timeout(limit);
        }
        if let Some(dir) = self.current_dir {
            cmd.current_dir(dir);
        }
        let started = Instant::now();
        let out = cmd.output().unwrap();
        Output::of(&out, started.elapsed())
    }
}

/// A run started in the background, to be signalled while it works.
pub struct Spawned {
    child: std::process::Child,
    started: Instant,
    _home: tempfile::TempDir,
}

impl Run {
    /// Starts the binary (stdout and stderr piped, stdin closed) and returns at once.
    pub fn spawn(self) -> Spawned {
        let home = tempfile::tempdir().unwrap();
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("fluxverify"));
        cmd.args(&self.args)
            .env("HOME", home.path())
            .env("DOCKER_CONFIG", home.path().join("docker"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        for name in REMOVED {
            cmd.env_remove(name);
        }
        cmd.envs(self.env);
        if let Some(dir) = self.current_dir {
            cmd.current_dir(dir);
        }
        Spawned {
            child: cmd.spawn().unwrap(),
            started: Instant::now(),
            _home: home,
        }
    }
}

impl Spawned {
    /// Sends `signal` (`libc::SIGINT`, ...) to the process.
    pub fn signal(&self, signal: i32) {
        let pid = i32::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) with a pid this test started and has not reaped.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    /// Waits for the end, at most `limit` (then kills it and panics: a hang).
    pub fn finish(mut self, limit: Duration) -> Output {
        while self.child.try_wait().unwrap().is_none() {
            if self.started.elapsed() > limit {
                let _ = self.child.kill();
                panic!("still running after {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let took = self.started.elapsed();
        let out = self.child.wait_with_output().unwrap();
        Output::of(&out, took)
    }
}
