//! Round trips per verification: verifies a digest reference whose artifact has 1, 3 and 20
//! signatures, in flux mode with the real verifier, against the in-process test registry with
//! every request delayed by a fixed D, and reports the requests made and the wall time in units
//! of D, for fluxverify's client and for a baseline measured in the same run (the same client
//! with speculation off: one request after another, as notation-go sends them). Then the
//! plain-loopback cost of one verification.
//!
//! The artifact and signatures are the corpus' `multi4-fourth-trusted` (notation v1.3.2
//! signatures; only the fourth chains to the Secret's root). The referrers list is arranged so
//! that the trusted signature is the last one Flux tries (position min(N, 3)): for N = 20 the
//! list continues with 17 further (repeated) untrusted entries that Flux never reaches.
//!
//! Each delayed figure is the median of 5 runs after one warm-up verification. The wall time
//! includes the verifier's CPU work (envelope, chain, policy), which is why the figures sit a
//! little above the 3 D floor.
//!
//! Run: `cargo bench --bench registry_latency` (optionally `-- <D in ms>`, default 100).

#[path = "../tests/support/corpus.rs"]
#[allow(dead_code)]
mod corpus;
#[path = "../tests/registry/testreg.rs"]
#[allow(unused_imports)]
mod testreg;

use fluxverify::pki::revocation::Validator;
use fluxverify::report::verify::{ReportResult, VerifyReport};
use fluxverify::settings::Mode;
use fluxverify::settings::{FluxVersion, Settings};
use fluxverify::source::registry::{CredentialSource, RegistryClient, RegistryOptions};
use fluxverify::trust::material::{TrustInput, TrustMaterial};
use fluxverify::trust::policy::Dialect;
use fluxverify::verify::run::{verify, VerifyRequest};
use fluxverify::verify::signature::SignatureOptions;
use fluxverify::verify::signatures::FLUX_MAX_SIGNATURES;
use fluxverify::verify::stages::{revocation_config, PolicyStages};
use std::time::{Duration, Instant};
use testreg::{Hostile, TestRegistry};

const REPO: &str = "corpus/multi4-fourth-trusted";

/// The corpus artifact and its four signature manifests, with a referrers list of `n` entries.
async fn seeded(n: usize) -> (TestRegistry, String) {
    let reg = TestRegistry::start().await;
    let (subject, signatures) =
        reg.push_layout_manifests(&corpus::layout("multi4-fourth-trusted"), REPO);
    let (untrusted, trusted) = (&signatures[..3], &signatures[3]);
    let before = n.min(FLUX_MAX_SIGNATURES) - 1;
    for i in 0..n {
        let entry = if i == before {
            trusted
        } else {
            &untrusted[i % 3]
        };
        reg.add_referrer(REPO, &subject, entry.clone());
    }
    (reg, subject)
}

fn stages() -> Result<
    PolicyStages<fluxverify::trust::material::Store>,
    fluxverify::verify::outcome::VerifyError,
> {
    let input = TrustInput {
        secret: Some(corpus::strict_secret("multi4-fourth-trusted")),
        secret_name: None,
        trust_policy: None,
        certs: Vec::new(),
    };
    let material = TrustMaterial::read(&input, Dialect::Flux).unwrap();
    let loaded = material.policy(Dialect::Flux).unwrap();
    PolicyStages::new(
        loaded.document,
        material.store(Dialect::Flux),
        Validator::new(revocation_config(Settings {
            mode: Mode::Flux,
            flux_version: FluxVersion::V1_9,
        })),
        Settings {
            mode: Mode::Flux,
            flux_version: FluxVersion::V1_9,
        },
    )
}

async fn verify_once(reg: &TestRegistry, digest: &str, prefetch: usize) -> (Duration, usize, bool) {
    let options = RegistryOptions {
        plain_http: true,
        credentials: CredentialSource::Anonymous,
        prefetch,
        ..Default::default()
    };
    let stages = stages();
    let start = Instant::now();
    let client = RegistryClient::new(&reg.host(), REPO, options).unwrap();
    let request = VerifyRequest {
        reference: format!("{}/{REPO}@{digest}", reg.host()),
        repository: format!("{}/{REPO}", reg.host()),
        wanted: digest.to_owned(),
        max_signatures: FLUX_MAX_SIGNATURES,
        warnings: Vec::new(),
    };
    let options = SignatureOptions {
        mode: Mode::Flux,
        user_metadata: Default::default(),
        plugin_dir: String::new(),
        timestamps_supported: true,
    };
    let outcome = verify(&client, stages, options, request, chrono::Utc::now()).await;
    let settings = Settings {
        mode: Mode::Flux,
        flux_version: FluxVersion::V1_9,
    };
    let report = VerifyReport::new(settings, outcome);
    let elapsed = start.elapsed();
    (
        elapsed,
        client.requests_sent(),
        report.result() == ReportResult::Verified,
    )
}

async fn median(reg: &TestRegistry, digest: &str, prefetch: usize) -> (Duration, usize, bool) {
    let mut runs = Vec::new();
    for _ in 0..5 {
        runs.push(verify_once(reg, digest, prefetch).await);
    }
    runs.sort_by_key(|r| r.0);
    runs.swap_remove(2)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let d_ms: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100);
    let d = Duration::from_millis(d_ms);
    println!(
        "registry round trips per verification (D = {d_ms} ms per request; flux mode, 3 attempts)"
    );
    println!(
        "{:>5} | {:>20} | {:>20} | {:>7}",
        "sigs", "fluxverify", "baseline", "ratio"
    );
    for n in [1usize, 3, 20] {
        let (reg, digest) = seeded(n).await;
        verify_once(&reg, &digest, 32).await;
        reg.hostile(Hostile {
            delay: d,
            ..Default::default()
        });
        let (fast, fast_req, ok1) = median(&reg, &digest, 32).await;
        let (slow, slow_req, ok2) = median(&reg, &digest, 0).await;
        assert!(ok1 && ok2, "the trusted signature must verify");
        let units = |t: Duration| t.as_secs_f64() / d.as_secs_f64();
        println!(
            "{n:>5} | {fast_req:>3} req {:>8.2} D | {slow_req:>3} req {:>8.2} D | {:>6.2}x",
            units(fast),
            units(slow),
            slow.as_secs_f64() / fast.as_secs_f64()
        );
    }
    println!();
    println!("plain loopback, mean of 100 verifications (fresh client each, as Flux does)");
    for n in [1usize, 3, 20] {
        let (reg, digest) = seeded(n).await;
        for (label, prefetch) in [("fluxverify", 32usize), ("baseline", 0)] {
            let mut total = Duration::ZERO;
            for _ in 0..100 {
                let (t, _, ok) = verify_once(&reg, &digest, prefetch).await;
                assert!(ok);
                total += t;
            }
            println!(
                "{n:>5} sigs {label:>10}: {:.3} ms per verify",
                total.as_secs_f64() * 1000.0 / 100.0
            );
        }
    }
}
