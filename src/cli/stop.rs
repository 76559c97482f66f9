//! `SIGINT` and `SIGTERM` during a `scan`: the first asks the run to stop
//! ([`fluxverify::interrupt::raise`]) so that the report of the rows finished so far is still
//! written; a second one, or a run that has not ended a few seconds later, ends the process at
//! once with the signal's exit code (never a stall).

use fluxverify::interrupt::{self, StopSignal};
use std::time::Duration;
use tokio::sync::watch;

/// How long the run may take to write its report after the first signal.
const GRACE: Duration = Duration::from_secs(5);

/// The signals caught for one run.
pub struct StopListener {
    raised: watch::Receiver<Option<StopSignal>>,
}

impl StopListener {
    /// Installs the handlers (before anything long starts) and the task that waits for them on
    /// `runtime`.
    pub fn install(runtime: &tokio::runtime::Runtime) -> anyhow::Result<StopListener> {
        let (sender, raised) = watch::channel(None);
        let _entered = runtime.enter();
        let mut signals = Signals::new()?;
        runtime.spawn(async move {
            let signal = signals.next().await;
            interrupt::raise(signal);
            let _ = sender.send(Some(signal));
            tokio::select! {
                _ = signals.next() => {}
                () = tokio::time::sleep(GRACE) => {
                    eprintln!("Error: {}: the report could not be written within {} s", signal.name(), GRACE.as_secs());
                }
            }
            std::process::exit(signal.exit_code().into());
        });
        Ok(StopListener { raised })
    }

    /// Resolves when a stop signal has arrived.
    pub async fn wait(&self) -> StopSignal {
        let mut raised = self.raised.clone();
        let signal = raised.wait_for(Option::is_some).await.map(|s| *s);
        match signal {
            Ok(signal) => signal.unwrap_or(StopSignal::Interrupt),
            // The listener is gone only with the runtime: nothing will arrive.
            Err(_) => std::future::pending().await,
        }
    }
}

/// The stop signals of the platform.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    #[cfg(unix)]
    fn new() -> anyhow::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    #[cfg(not(unix))]
    fn new() -> anyhow::Result<Signals> {
        Ok(Signals {})
    }

    #[cfg(unix)]
    async fn next(&mut self) -> StopSignal {
        tokio::select! {
            _ = self.interrupt.recv() => StopSignal::Interrupt,
            _ = self.terminate.recv() => StopSignal::Terminate,
        }
    }

    /// Ctrl-C is the one stop Windows consoles send.
    #[cfg(not(unix))]
    async fn next(&mut self) -> StopSignal {
        match tokio::signal::ctrl_c().await {
            Ok(()) => StopSignal::Interrupt,
            Err(_) => std::future::pending().await,
        }
    }
}
