//! What a run is waiting for: the registry requests in flight (method, URL, since when,
//! whether the response headers arrived, body bytes so far) and the synchronous work between
//! them (signature verification). One [`Tracker`] per run (per scanned source in `scan`), made
//! current for a future with [`Budget::run`]; the registry client registers its requests in the
//! current tracker, so a run that hits its time limit can say what it was waiting for, and a
//! progress display can show it while the run goes on.
//!
//! The tracker is task-local rather than a field of the client because `scan` shares one client
//! per registry among sources that each have their own `spec.timeout`: each source's requests
//! must land in that source's tracker and obey that source's deadline.

use crate::golang::time::go_duration;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

tokio::task_local! {
    static CURRENT: Tracker;
}

/// The in-flight requests and work of one run, and the run's deadline.
#[derive(Debug, Clone, Default)]
pub struct Tracker {
    shared: Arc<Shared>,
    /// Registers for a task spawned on the run's behalf (prefetching), not for the run itself.
    background: bool,
}

#[derive(Debug, Default)]
struct Shared {
    deadline: Option<Instant>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    next_id: u64,
    entries: BTreeMap<u64, Entry>,
    /// What was running when the deadline passed, if it ended after the deadline: a
    /// synchronous step (signature checks) cannot be interrupted, so the timer fires only
    /// after it, when something else may already be in flight.
    overran: Option<String>,
}

#[derive(Debug, Clone)]
struct Entry {
    work: Work,
    /// Registered by a prefetching task: what the run waits for only when nothing else is.
    background: bool,
    started: Instant,
    headers: bool,
    bytes: u64,
}

#[derive(Debug, Clone)]
enum Work {
    Request { method: String, url: String },
    Step(&'static str),
}

impl Entry {
    fn describe(&self) -> String {
        match &self.work {
            Work::Step(name) => (*name).to_owned(),
            Work::Request { method, url } => {
                let progress = if !self.headers {
                    "no response headers yet".to_owned()
                } else {
                    format!(
                        "response headers received, {} body bytes so far",
                        self.bytes
                    )
                };
                format!("{method} {url} ({progress})")
            }
        }
    }
}

/// One in-flight item as a progress display shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// `GET http://host/v2/app/manifests/sha256:... (no response headers yet)`, or the name
    /// of a step (`signature verification`).
    pub description: String,
    /// How long it has been going on.
    pub elapsed: Duration,
}

impl Tracker {
    /// A tracker for a run that must end by `deadline` (none: no limit).
    pub fn new(deadline: Option<Instant>) -> Tracker {
        Tracker {
            shared: Arc::new(Shared {
                deadline,
                state: Mutex::default(),
            }),
            background: false,
        }
    }

    /// The run's deadline.
    pub fn deadline(&self) -> Option<Instant> {
        self.shared.deadline
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn register(&self, work: Work) -> Guard {
        let mut state = self.state();
        let id = state.next_id;
        state.next_id += 1;
        state.entries.insert(
            id,
            Entry {
                work,
                background: self.background,
                started: Instant::now(),
                headers: false,
                bytes: 0,
            },
        );
        Guard {
            tracker: self.clone(),
            id,
        }
    }

    /// Registers a request; it stays in flight until the guard is dropped.
    pub fn request(&self, method: &str, url: &url::Url) -> Guard {
        self.register(Work::Request {
            method: method.to_owned(),
            url: display_url(url),
        })
    }

    /// Registers a synchronous step (`signature verification`).
    pub fn step(&self, name: &'static str) -> Guard {
        self.register(Work::Step(name))
    }

    /// What the run is waiting for: the longest-running item in flight, one the run itself
    /// started before one a prefetching task started.
    pub fn oldest(&self) -> Option<Waiting> {
        let state = self.state();
        let now = Instant::now();
        state
            .entries
            .iter()
            .min_by_key(|(id, e)| (e.background, e.started, **id))
            .map(|(_, e)| e)
            .map(|e| Waiting {
                description: e.describe(),
                elapsed: now.saturating_duration_since(e.started),
            })
    }

    /// What the run was waiting for when its deadline passed: the step that overran it, else
    /// the longest-running item still in flight.
    pub fn waiting_at_deadline(&self) -> Option<String> {
        if let Some(overran) = self.state().overran.clone() {
            return Some(overran);
        }
        self.oldest().map(|w| w.description)
    }

    /// Whether anything is registered (for tests).
    pub fn in_flight(&self) -> usize {
        self.state().entries.len()
    }
}

/// An in-flight item; dropping it ends it.
#[derive(Debug)]
pub struct Guard {
    tracker: Tracker,
    id: u64,
}

impl Guard {
    /// The response headers arrived.
    pub fn headers_arrived(&self) {
        if let Some(entry) = self.tracker.state().entries.get_mut(&self.id) {
            entry.headers = true;
        }
    }

    /// `count` more body bytes arrived.
    pub fn add_bytes(&self, count: usize) {
        if let Some(entry) = self.tracker.state().entries.get_mut(&self.id) {
            entry.bytes = entry.bytes.saturating_add(count as u64);
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let deadline = self.tracker.deadline();
        let mut state = self.tracker.state();
        let Some(entry) = state.entries.remove(&self.id) else {
            return;
        };

        let Some(deadline) = deadline else {
            return;
        };
        let overran = entry.started < deadline && Instant::now() >= deadline;
        if overran && state.overran.is_none() && matches!(entry.work, Work::Step(_)) {
            state.overran = Some(entry.describe());
        }
    }
}

/// The URL as shown to the user: no user info, no query (a redirect to blob storage may carry
/// a signed query string, which is a credential).
fn display_url(url: &url::Url) -> String {
    let mut shown = url.clone();
    crate::logging::strip_userinfo_and_fragment(&mut shown);
    let had_query = shown.query().is_some();
    shown.set_query(None);
    let mut text = shown.to_string();
    if had_query {
        text.push_str("?...");
    }
    text
}

/// The current run's tracker, if the caller runs under one.
pub fn current() -> Option<Tracker> {
    CURRENT.try_with(Tracker::clone).ok()
}

/// Registers a request in the current tracker (none: not tracked).
pub fn request(method: &str, url: &url::Url) -> Option<Guard> {
    current().map(|t| t.request(method, url))
}

/// Registers a synchronous step in the current tracker (none: not tracked).
pub fn step(name: &'static str) -> Option<Guard> {
    current().map(|t| t.step(name))
}

/// Runs `future`, a task spawned on behalf of a run (prefetching), under the run's tracker
/// when there is one: the tracker is task-local and does not follow a spawn by itself.
pub async fn scoped<F: Future>(tracker: Option<Tracker>, future: F) -> F::Output {
    match tracker {
        Some(mut tracker) => {
            tracker.background = true;
            CURRENT.scope(tracker, future).await
        }
        None => future.await,
    }
}

/// The deadline of a request started now: `request_timeout` from now, or none when the current
/// run's own deadline comes first. The run's limit then ends the request (and reports what it
/// was waiting for); a request timer firing at the same instant would end the request first and
/// leave the run to report something else, or nothing.
pub fn request_deadline(request_timeout: Duration) -> Option<tokio::time::Instant> {
    let own = Instant::now() + request_timeout;
    match current().and_then(|t| t.deadline()) {
        Some(deadline) if deadline <= own => None,
        _ => Some(tokio::time::Instant::from_std(own)),
    }
}

/// Where a time limit came from, for the message when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitOrigin {
    /// `--timeout`.
    Flag,
    /// The default (Flux's `spec.timeout` default, 60s).
    Default,
    /// A manifest's `spec.timeout`: `OCIRepository flux-system/app`.
    Manifest(String),
}

impl std::fmt::Display for LimitOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LimitOrigin::Flag => write!(f, "--timeout"),
            LimitOrigin::Default => write!(f, "default timeout"),
            LimitOrigin::Manifest(object) => write!(f, "spec.timeout of {object}"),
        }
    }
}

/// A time limit and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeLimit {
    /// How long.
    pub duration: Duration,
    /// Who said so.
    pub origin: LimitOrigin,
}

/// A run's time limit, started: every [`Budget::run`] shares the one deadline, so the steps of
/// one verification (select the artifact, then verify it) are bounded together.
#[derive(Debug, Clone)]
pub struct Budget {
    limit: TimeLimit,
    tracker: Tracker,
}

/// The time limit expired.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct Expired {
    /// The limit.
    pub limit: TimeLimit,
    /// What was being waited for (none: nothing was registered).
    pub waiting: Option<String>,
}

impl Expired {
    fn message(&self) -> String {
        let after = format!(
            "timed out after {} ({})",
            go_duration(self.limit.duration),
            self.limit.origin
        );
        match &self.waiting {
            Some(waiting) => format!("{after} waiting for {waiting}: context deadline exceeded"),
            None => format!("{after}: context deadline exceeded"),
        }
    }
}

impl Budget {
    /// Starts the clock.
    pub fn start(limit: TimeLimit) -> Budget {
        let tracker = Tracker::new(Some(Instant::now() + limit.duration));
        Budget { limit, tracker }
    }

    /// The run's tracker (a progress display reads it).
    pub fn tracker(&self) -> &Tracker {
        &self.tracker
    }

    /// The limit.
    pub fn limit(&self) -> &TimeLimit {
        &self.limit
    }

    /// Runs `future` with the tracker current, until it ends or the deadline passes.
    pub async fn run<F: Future>(&self, future: F) -> Result<F::Output, Expired> {
        let deadline = self
            .tracker
            .deadline()
            .map_or_else(tokio::time::Instant::now, tokio::time::Instant::from_std);
        let work = CURRENT.scope(self.tracker.clone(), future);
        // The deadline is looked at first: when it has passed, the run's limit is what
        // happened, whatever the work would do next.
        // What was waited for is read before `select!` drops the work (and its requests).
        let expiry = async {
            tokio::time::sleep_until(deadline).await;
            self.tracker.waiting_at_deadline()
        };
        tokio::select! {
            biased;
            waiting = expiry => Err(Expired {
                limit: self.limit.clone(),
                waiting,
            }),
            output = work => Ok(output),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> url::Url {
        url::Url::parse(text).unwrap()
    }

    #[test]
    fn requests_register_and_deregister() {
        let tracker = Tracker::new(None);
        assert_eq!(tracker.oldest(), None);
        let first = tracker.request("HEAD", &url("http://127.0.0.1:5000/v2/app/manifests/v1"));
        let second = tracker.request("GET", &url("http://127.0.0.1:5000/v2/app/referrers/x"));
        assert_eq!(tracker.in_flight(), 2);
        let oldest = tracker.oldest().unwrap();
        assert_eq!(
            oldest.description,
            "HEAD http://127.0.0.1:5000/v2/app/manifests/v1 (no response headers yet)"
        );
        drop(first);
        second.headers_arrived();
        second.add_bytes(10);
        second.add_bytes(5);
        assert_eq!(
            tracker.oldest().unwrap().description,
            "GET http://127.0.0.1:5000/v2/app/referrers/x (response headers received, 15 body bytes so far)"
        );
        drop(second);
        assert_eq!(tracker.in_flight(), 0);

        // A prefetching task's request is named only when the run itself waits for nothing.
        let mut background = tracker.clone();
        background.background = true;
        let prefetch = background.request("GET", &url("http://r.example/v2/app/referrers/x"));
        let own = tracker.request("HEAD", &url("http://r.example/v2/app/manifests/v1"));
        assert!(tracker.oldest().unwrap().description.starts_with("HEAD "));
        drop(own);
        assert!(tracker.oldest().unwrap().description.starts_with("GET "));
        drop(prefetch);
        assert_eq!(tracker.waiting_at_deadline(), None);
    }

    #[test]
    fn urls_lose_credentials_and_signed_queries() {
        let tracker = Tracker::new(None);
        let _guard = tracker.request(
            "GET",
            &url("https://user:secret@blobs.example/x?X-Amz-Signature=abc"),
        );
        let shown = tracker.oldest().unwrap().description;
        assert!(!shown.contains("secret"), "{shown}");
        assert!(!shown.contains("abc"), "{shown}");
        assert!(
            shown.starts_with("GET https://blobs.example/x?..."),
            "{shown}"
        );
    }

    #[test]
    fn a_step_that_overran_the_deadline_is_what_was_waited_for() {
        let tracker = Tracker::new(Some(Instant::now()));
        let step = tracker.step("signature verification");
        std::thread::sleep(Duration::from_millis(5));
        // Started before the deadline? Not here: a deadline of "now" was already past.
        drop(step);
        assert_eq!(tracker.waiting_at_deadline(), None);

        let tracker = Tracker::new(Some(Instant::now() + Duration::from_millis(20)));
        let step = tracker.step("signature verification");
        std::thread::sleep(Duration::from_millis(40));
        drop(step);
        let _later = tracker.request("GET", &url("http://r.example/v2/app/blobs/sha256:1"));
        assert_eq!(
            tracker.waiting_at_deadline().as_deref(),
            Some("signature verification")
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn budget_names_the_waiting_request() {
        let budget = Budget::start(TimeLimit {
            duration: Duration::from_millis(50),
            origin: LimitOrigin::Flag,
        });
        let result = budget
            .run(async {
                let _guard = request("GET", &url("http://127.0.0.1:1/v2/app/manifests/v1"));
                std::future::pending::<()>().await
            })
            .await;
        let expired = result.unwrap_err();
        assert_eq!(
            expired.to_string(),
            "timed out after 50ms (--timeout) waiting for GET http://127.0.0.1:1/v2/app/manifests/v1 (no response headers yet): context deadline exceeded"
        );
        // Outside a run nothing is tracked.
        assert!(request("GET", &url("http://x/")).is_none());
    }

    #[tokio::test(flavor = "current_thread")]
    async fn budget_passes_results_through_and_request_deadlines_yield_to_it() {
        let budget = Budget::start(TimeLimit {
            duration: Duration::from_secs(5),
            origin: LimitOrigin::Default,
        });
        let capped = budget
            .run(async { request_deadline(Duration::from_secs(30)) })
            .await
            .unwrap();
        assert_eq!(capped, None, "the run's deadline comes first");
        let own = budget
            .run(async { request_deadline(Duration::from_millis(10)) })
            .await
            .unwrap()
            .unwrap();
        let deadline = tokio::time::Instant::from_std(budget.tracker().deadline().unwrap());
        assert!(own < deadline);
        assert!(
            request_deadline(Duration::from_secs(30)).is_some(),
            "outside a run"
        );
    }
}
