//! Standard output that survives its reader going away.
//!
//! `println!` panics when stdout is a pipe whose reader has exited (`fluxverify … | head`).
//! Restoring the default `SIGPIPE` action is no answer: the registry client's sockets would then
//! kill the process when a peer closes a connection mid-write. So everything printed on stdout
//! (reports, man pages, completion scripts) goes through [`emit`]: a closed pipe ends the output
//! quietly (the verdict's exit code stands, as the verification itself finished), any other
//! write failure (a full disk) is reported once and turns the exit code into 2 in
//! [`super::finish`].

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};

const OPEN: u8 = 0;
const READER_GONE: u8 = 1;
const FAILED: u8 = 2;

static STATE: AtomicU8 = AtomicU8::new(OPEN);

/// Writes `args` to stdout, unless an earlier write found it closed or failing.
pub fn write(args: std::fmt::Arguments<'_>) {
    emit(|stdout| stdout.write_fmt(args));
}

/// Writes `bytes` (a generated page or script) to stdout, as [`write`] does.
pub fn write_bytes(bytes: &[u8]) {
    emit(|stdout| stdout.write_all(bytes));
}

/// The one place stdout is written: `put`, then a flush, unless an earlier write found stdout
/// closed or failing.
fn emit(put: impl FnOnce(&mut std::io::StdoutLock<'static>) -> std::io::Result<()>) {
    if STATE.load(Ordering::Relaxed) != OPEN {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = put(&mut stdout).and_then(|()| stdout.flush()) {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            STATE.store(READER_GONE, Ordering::Relaxed);
        } else {
            STATE.store(FAILED, Ordering::Relaxed);
            eprintln!("Error: cannot write to standard output: {error}");
        }
    }
}

/// Whether a write to stdout failed for another reason than its reader leaving.
pub fn failed() -> bool {
    STATE.load(Ordering::Relaxed) == FAILED
}

/// `print!` through [`write`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::output::write(format_args!($($arg)*))
    };
}

/// `println!` through [`write`].
macro_rules! outln {
    () => {
        $crate::cli::output::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::output::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}
