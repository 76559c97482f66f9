//! Hostile registries: every way a registry can lie or stall ends in a clear error within the
//! deadline, and the client's memory stays bounded by notation's caps (4 MiB for manifests and
//! listings, 32 MiB for envelopes) whatever the server sends.
//!
//! Memory is measured by a counting global allocator, so this file is a test binary of its own
//! with one test that runs the cases one after another: nothing else allocates while a case is
//! measured except the in-process registry, whose bodies are generated as they are sent.

#[path = "registry/testreg.rs"]
mod testreg;

use fluxverify::source::registry::{
    CredentialSource, RegistryClient, RegistryError, RegistryOptions, MAX_ENVELOPE_BYTES,
    MAX_MANIFEST_BYTES,
};
use fluxverify::source::SignatureSource;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use testreg::{Generated, Hostile, TestRegistry};

/// Live heap bytes of the whole process, and the most there were since the last reset.
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

struct Counting;

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    // Counted as a move, the worst case: both blocks are live until the old one is freed.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            grew(new_size);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: u64 = 1024 * 1024;
/// Room for the HTTP stack's buffers, the runtime and the test's own bookkeeping.
const SLACK: u64 = 4 * MIB;

/// One misbehaviour: how the registry is set up, how long the client may take, how much memory
/// it may use above what it held before, and what the error must say.
struct Case {
    name: &'static str,
    hostile: Hostile,
    /// The only signature's envelope layer announces this size instead of the truth.
    announced_envelope_size: Option<u64>,
    /// Deadline of each request.
    timeout: Duration,
    /// How long the whole discovery may take.
    limit: Duration,
    /// Peak heap growth allowed.
    memory: u64,
    check: fn(&RegistryError) -> bool,
    /// Whether the client may request a blob at all.
    blob_requests: bool,
}

impl Case {
    fn new(name: &'static str, hostile: Hostile, check: fn(&RegistryError) -> bool) -> Case {
        Case {
            name,
            hostile,
            announced_envelope_size: None,
            timeout: Duration::from_millis(800),
            limit: Duration::from_secs(5),
            memory: SLACK,
            check,
            blob_requests: true,
        }
    }
}

/// Resolves, lists and fetches every signature of a seeded subject from a registry playing
/// `case`; returns the error, the time taken and the peak heap growth.
async fn run(
    case: &Case,
) -> (
    Result<usize, RegistryError>,
    Duration,
    u64,
    Vec<testreg::Logged>,
) {
    let reg = TestRegistry::start().await;
    let seeded = if case.announced_envelope_size.is_some() {
        0
    } else {
        2
    };
    let (subject, _) = reg.seed("app", seeded, |i| vec![b'x'; 100 + i]);
    if let Some(size) = case.announced_envelope_size {
        let config = reg.put_blob(b"{}");
        let envelope = reg.put_blob(b"a real envelope");
        let manifest = serde_json::json!({
            "schemaVersion": 2, "mediaType": testreg::OCI_MANIFEST, "artifactType": testreg::NOTARY,
            "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": config, "size": 2},
            "layers": [{"mediaType": "application/jose+json", "digest": envelope, "size": size}],
            "subject": subject,
        })
        .to_string();
        let mut d = reg.put_manifest("app", testreg::OCI_MANIFEST, manifest.as_bytes(), None);
        d["artifactType"] = testreg::NOTARY.into();
        reg.add_referrer("app", subject["digest"].as_str().unwrap(), d);
    }
    reg.hostile(case.hostile.clone());
    let client = RegistryClient::new(
        &reg.host(),
        "app",
        RegistryOptions {
            plain_http: true,
            credentials: CredentialSource::Anonymous,
            request_timeout: case.timeout,
            ..Default::default()
        },
    )
    .unwrap();
    let digest = subject["digest"].as_str().unwrap().to_owned();
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let start = Instant::now();
    let result = async {
        let s = client.resolve(&digest).await?;
        let listed = client.list_signatures(&s, 100).await?.concat();
        for sig in &listed {
            client.fetch_signature(sig).await?;
        }
        Ok::<_, RegistryError>(listed.len())
    }
    .await;
    let elapsed = start.elapsed();
    let peak = PEAK.load(Ordering::SeqCst).saturating_sub(before) as u64;
    (result, elapsed, peak, reg.requests())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_registries_fail_clearly_in_time_and_in_bounded_memory() {
    let cases = vec![
        Case::new(
            "Docker-Content-Digest names other content",
            Hostile {
                wrong_digest_header: true,
                ..Default::default()
            },
            |e| {
                e.to_string()
                    .contains("invalid response; digest mismatch in Docker-Content-Digest")
            },
        ),
        Case::new(
            "blob bytes differ from their digest",
            Hostile {
                tamper_blobs: true,
                ..Default::default()
            },
            |e| *e == RegistryError::MismatchedDigest,
        ),
        Case::new(
            "signature manifest body never ends (announced small, chunked)",
            Hostile {
                endless_manifests: true,
                ..Default::default()
            },
            |e| *e == RegistryError::TrailingData,
        ),
        Case::new(
            "Content-Length one byte short of the descriptor",
            Hostile {
                short_content_length: true,
                ..Default::default()
            },
            |e| e.to_string().ends_with("mismatch Content-Length"),
        ),
        Case {
            limit: Duration::from_secs(20),
            ..Case::new(
                "referrers pages link on for ever",
                Hostile {
                    endless_links: true,
                    ..Default::default()
                },
                |e| matches!(e, RegistryError::TooManyPages { .. }),
            )
        },
        Case {
            // The buffer reaches the cap; while it grows its previous half is live as well.
            memory: MAX_MANIFEST_BYTES * 3 / 2 + SLACK,
            ..Case::new(
                "referrers document never closes, body endless",
                Hostile {
                    endless_referrers_body: true,
                    ..Default::default()
                },
                |e| {
                    e.to_string()
                        .ends_with("failed to decode response: unexpected EOF")
                },
            )
        },
        Case {
            announced_envelope_size: Some(MAX_ENVELOPE_BYTES + 1),
            blob_requests: false,
            ..Case::new(
                "envelope over 32 MiB, announced honestly (and served: 40 MiB)",
                Hostile {
                    blob_body: Some(Generated {
                        bytes: 40 * MIB,
                        content_length: Some(40 * MIB),
                    }),
                    ..Default::default()
                },
                |e| *e == RegistryError::EnvelopeTooLarge(MAX_ENVELOPE_BYTES + 1),
            )
        },
        Case::new(
            "envelope announced as 100 bytes, 40 MiB served with a matching Content-Length",
            Hostile {
                blob_body: Some(Generated {
                    bytes: 40 * MIB,
                    content_length: Some(40 * MIB),
                }),
                ..Default::default()
            },
            |e| e.to_string().ends_with("mismatch Content-Length"),
        ),
        Case::new(
            "envelope announced as 100 bytes, 40 MiB served chunked",
            Hostile {
                blob_body: Some(Generated {
                    bytes: 40 * MIB,
                    content_length: None,
                }),
                ..Default::default()
            },
            |e| *e == RegistryError::TrailingData,
        ),
        Case::new(
            "envelope announced as 100 bytes, 40 MiB served under a lying Content-Length of 100",
            Hostile {
                blob_body: Some(Generated {
                    bytes: 40 * MIB,
                    content_length: Some(100),
                }),
                ..Default::default()
            },
            |e| *e == RegistryError::MismatchedDigest,
        ),
        Case::new(
            "blob requests redirect to themselves",
            Hostile {
                redirect_loop: true,
                ..Default::default()
            },
            |e| {
                matches!(e, RegistryError::Redirect { .. })
                    && e.to_string().ends_with("stopped after 10 redirects")
            },
        ),
        Case::new(
            "server never answers",
            Hostile {
                delay: Duration::from_secs(30),
                ..Default::default()
            },
            |e| {
                matches!(e, RegistryError::Timeout { host, .. } if host == "127.0.0.1")
                    && e.to_string()
                        .contains("no complete response from 127.0.0.1 within 800ms")
            },
        ),
        Case::new(
            "server drips one byte per 100 ms",
            Hostile {
                drip: Some(Duration::from_millis(100)),
                ..Default::default()
            },
            |e| matches!(e, RegistryError::Timeout { .. }),
        ),
    ];
    let mut failures = Vec::new();
    for case in &cases {
        let (result, elapsed, peak, requests) = run(case).await;
        println!(
            "{}: {elapsed:?}, peak heap +{} KiB, {} requests: {result:?}",
            case.name,
            peak / 1024,
            requests.len()
        );
        if !case.blob_requests
            && requests
                .iter()
                .any(|r| r.path_and_query.contains("/blobs/"))
        {
            failures.push(format!("{}: a blob was requested", case.name));
        }
        match &result {
            Ok(n) => failures.push(format!("{}: passed with {n} signatures", case.name)),
            Err(e) if !(case.check)(e) => failures.push(format!("{}: wrong error {e}", case.name)),
            Err(_) => {}
        }
        if elapsed >= case.limit {
            failures.push(format!("{}: took {elapsed:?}", case.name));
        }
        if peak > case.memory {
            failures.push(format!(
                "{}: peak heap grew by {peak} bytes (bound {})",
                case.name, case.memory
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
