//! Standard output whose reader is gone or which cannot be written: the shipped example's
//! verification, run offline, with stdout a pipe closed before the process starts and with
//! stdout `/dev/full`.

use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Output, Stdio};

const EXAMPLE_DIGEST: &str =
    "@sha256:f576734ce02f1b6257d4bd911a64f80e82e69be51bf2a874bbd7020ca9eb61b8";

fn example(output: &str, stdout: Stdio) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fluxverify"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
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
        ])
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
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
