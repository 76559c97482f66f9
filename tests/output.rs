//! Standard output whose reader is gone or which cannot be written: the shipped example's
//! verification, run offline, with stdout a pipe closed before the process starts and with
//! stdout `/dev/full`.

use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Output, Stdio};

const EXAMPLE_DIGEST: &str =
    "@sha256:f576734ce02f1b6257d4bd911a64f80e82e69be51bf2a874bbd7020ca9eb61b8";

fn example(output: &str, stdout: Stdio) -> Output {
    example_command(output)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

/// The shipped example's offline verification, in the `output` format.
fn example_command(output: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fluxverify"));
    command.current_dir(env!("CARGO_MANIFEST_DIR")).args([
        "verify",
        "--oci-layout",
        "fixtures/example/layout",
        "--scope",
        "registry.example/app",
        "--secret",
        "fixtures/example/secret.yaml",
        "-o",
        output,
        EXAMPLE_DIGEST,
    ]);
    command
}

/// The write end of a pipe whose read end is already closed: every write fails with `EPIPE`.
fn pipe_without_reader() -> Stdio {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors `pipe` writes; each is owned exactly once.
    let (read, write) = unsafe {
        assert_eq!(libc::pipe(fds.as_mut_ptr()), 0, "pipe(2) failed");
        (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1]))
    };
    drop(read);
    Stdio::from(write)
}

#[test]
fn a_reader_that_left_ends_the_output_not_the_process() {
    for format in ["text", "json"] {
        let out = example(format, pipe_without_reader());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
        assert_eq!(stderr, "", "{format}: nothing to say on stderr");
        // The verification finished; its verdict is the exit code.
        assert_eq!(out.status.code(), Some(0), "{format}: {stderr}");
    }
}

#[test]
fn a_full_disk_is_an_error_and_exit_2() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = example("json", Stdio::from(full));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("Error: cannot write to standard output: No space left on device"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(2), "{stderr}");
}

/// A process started with descriptor 1 closed (`fluxverify … >&-`) gets it back on `/dev/null`
/// before anything is opened, as every Rust program does (fluxverify's own entry point does it,
/// src/main.rs): the layout files the verify opens never become its stdout, so the report is
/// written nowhere instead of failing with EBADF, and the verdict is the exit code.
#[test]
fn a_closed_stdout_descriptor_is_dev_null_not_the_first_file_opened() {
    use std::os::unix::process::CommandExt;
    let mut command = example_command("text");
    command.stderr(Stdio::piped());
    // SAFETY: close(2) is async-signal-safe, and nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            libc::close(1);
            Ok(())
        });
    }
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr, "", "nothing to say on stderr");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

/// Generated pages and scripts go through the same output function: a closed pipe ends them
/// quietly with exit 0 (`fluxverify completions bash | head`), never a panic.
#[test]
fn completions_and_man_pages_end_quietly_on_a_closed_pipe() {
    for args in [&["completions", "bash"][..], &["man"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_fluxverify"))
            .args(args)
            .stdout(pipe_without_reader())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr, "", "{args:?}: nothing to say on stderr");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

/// `count` OCIRepositories without `verify` (each a `skipped` row) as a built stream.
fn unverified_sources(count: usize) -> String {
    (0..count)
        .map(|i| {
            format!(
                "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {{name: app{i}, namespace: apps}}\nspec: {{url: oci://registry.example/app{i}, ref: {{tag: v1}}}}\n"
            )
        })
        .collect()
}

/// Every command that prints something, run with a reader that left before it started and with a
/// reader: the same exit code (the command did its job), nothing on stderr about the pipe.
#[test]
fn every_command_ends_quietly_on_a_closed_pipe() {
    let digest = &EXAMPLE_DIGEST[1..];
    let layout = [
        "--oci-layout",
        "fixtures/example/layout",
        "--scope",
        "registry.example/app",
    ];
    let secret = ["--secret", "fixtures/example/secret.yaml"];
    let reference = format!("registry.example/app@{digest}");
    let mut commands: Vec<Vec<String>> = Vec::new();
    let owned = |parts: &[&str]| parts.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    for (command, with_secret) in [("ls", false), ("inspect", false), ("verify", true)] {
        let mut args = owned(&[command]);
        args.extend(owned(&layout));
        if with_secret {
            args.extend(owned(&secret));
        }
        args.push(format!("@{digest}"));
        commands.push(args);
    }
    for sub in ["show", "check"] {
        let mut args = owned(&["policy", sub]);
        args.extend(owned(&secret));
        commands.push(args);
    }
    let mut explain = owned(&["policy", "explain"]);
    explain.extend(owned(&secret));
    explain.push(reference);
    commands.push(explain);
    let mut certs = owned(&["certs"]);
    certs.extend(owned(&secret));
    commands.push(certs);
    for format in ["text", "json", "junit", "github"] {
        commands.push(owned(&["scan", "--offline", "-", "-o", format]));
    }
    let stream = unverified_sources(50);
    let run = |args: &[String], stdout: Stdio| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fluxverify"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(stdout)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // A command that reads no stdin may exit first: its closed stdin is no failure.
        let _ = std::io::Write::write_all(&mut stdin, stream.as_bytes());
        drop(stdin);
        child.wait_with_output().unwrap()
    };
    for args in &commands {
        let read = run(args, Stdio::piped());
        assert!(!read.stdout.is_empty(), "{args:?} printed nothing");
        let closed = run(args, pipe_without_reader());
        let stderr = String::from_utf8_lossy(&closed.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            !stderr.to_lowercase().contains("broken pipe"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("cannot write"), "{args:?}: {stderr}");
        assert_eq!(
            closed.status.code(),
            read.status.code(),
            "{args:?}: {stderr}"
        );
    }
}

/// `fluxverify scan -o json | head -c1` with a report larger than a pipe holds: the reader takes
/// one byte and leaves mid-write; the scan exits 0, silently.
#[test]
fn a_reader_leaving_mid_report_ends_the_scan_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let stream = dir.path().join("stream.yaml");
    std::fs::write(&stream, unverified_sources(2_000)).unwrap();
    let errors = dir.path().join("stderr");
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "'{}' scan --offline - -o json < '{}' 2>'{}' | head -c1 >/dev/null; echo ${{PIPESTATUS[0]}}",
            env!("CARGO_BIN_EXE_fluxverify"),
            stream.display(),
            errors.display()
        ))
        .output()
        .unwrap();
    let stderr = std::fs::read_to_string(&errors).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0", "{stderr}");
    assert_eq!(stderr, "", "nothing to say on stderr");
}
