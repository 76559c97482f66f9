//! The user's request to stop (`SIGINT`, `SIGTERM`), as the long steps of a run see it.
//!
//! The front end catches the signal and calls [`raise`]; the steps that can take long poll
//! [`raised`] (the kustomize runs of a fleet build stop their child, the cluster loop stops) and
//! return their error, so that the command still writes the report of what it finished. The
//! state is the process's: a signal is.

use std::sync::atomic::{AtomicU8, Ordering};

/// A signal that asks the run to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    /// `SIGINT` (Ctrl-C).
    Interrupt,
    /// `SIGTERM` (a CI runner's cancel, `kill`).
    Terminate,
}

impl StopSignal {
    /// The signal's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            StopSignal::Interrupt => "SIGINT",
            StopSignal::Terminate => "SIGTERM",
        }
    }

    /// The exit code a shell gives a process that this signal ended: 128 + the signal number.
    pub fn exit_code(self) -> u8 {
        match self {
            StopSignal::Interrupt => 130,
            StopSignal::Terminate => 143,
        }
    }
}

/// Why a step stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("interrupted by {}: the run stopped before it finished", .0.name())]
pub struct Interrupted(pub StopSignal);

/// 0: none; else 1 + the [`StopSignal`]'s index.
static RAISED: AtomicU8 = AtomicU8::new(0);

/// Records that `signal` arrived (the first one counts).
pub fn raise(signal: StopSignal) {
    let code = match signal {
        StopSignal::Interrupt => 1,
        StopSignal::Terminate => 2,
    };
    let _ = RAISED.compare_exchange(0, code, Ordering::SeqCst, Ordering::SeqCst);
}

/// The signal that asked the run to stop, if one has.
pub fn raised() -> Option<StopSignal> {
    match RAISED.load(Ordering::SeqCst) {
        1 => Some(StopSignal::Interrupt),
        2 => Some(StopSignal::Terminate),
        _ => None,
    }
}

/// `Err` once a stop was asked for.
pub fn check() -> Result<(), Interrupted> {
    raised().map_or(Ok(()), |signal| Err(Interrupted(signal)))
}
