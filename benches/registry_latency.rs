//! Round trips per verification: verifies a digest reference whose artifact has 1, 3 and 20
//! signatures, against the in-process test registry with every request delayed by a fixed D,
//! and reports the requests made and the wall time in units of D, for fluxverify's client and
//! for a baseline measured in the same run (the same client with speculation off, i.e. one
//! request after another as notation-go sends them). Then the plain-loopback cost of one
//! verification.
//!
//! Flux's loop (3 attempts) runs over the registry source; the trusted signature is the last
//! one Flux tries (position min(N, 3)), so every signature Flux would fetch is fetched.
//!
//! Run: `cargo bench --bench registry_latency` (optionally `-- <D in ms>`, default 40).

#[path = "../tests/registry/testreg.rs"]
#[allow(unused_imports)]
mod testreg;

use fluxverify::source::registry::{CredentialSource, RegistryClient, RegistryOptions};
use fluxverify::source::{Descriptor, FetchedSignature};
use fluxverify::verify::outcome::{
    LevelActions, SignatureError, SignatureFacts, SignatureOutcome, ValidationError, Verdict,
};
use fluxverify::verify::signatures::{
    verify_artifact, LoopOptions, SignatureVerifier, FLUX_MAX_SIGNATURES,
};
use fluxverify::verify::{Action, ValidationType};
use std::time::{Duration, Instant};
use testreg::{Hostile, TestRegistry};

/// Accepts the envelope that reads `trusted`. The envelope cryptography is CPU work measured
/// by the engine's own tests; this benchmark is about what the registry costs.
struct StandIn;

fn strict() -> LevelActions {
    LevelActions {
        name: "strict".into(),
        actions: [
            (ValidationType::Integrity, Action::Enforce),
            (ValidationType::Authenticity, Action::Enforce),
            (ValidationType::AuthenticTimestamp, Action::Enforce),
            (ValidationType::Expiry, Action::Enforce),
            (ValidationType::Revocation, Action::Enforce),
        ],
    }
}

impl SignatureVerifier for StandIn {
    fn level(&self, _: &str) -> Result<LevelActions, fluxverify::verify::outcome::VerifyError> {
        Ok(strict())
    }
    fn verify(&self, _: &Descriptor, s: &FetchedSignature, _: &str) -> SignatureOutcome {
        SignatureOutcome {
            level: strict(),
            results: Vec::new(),
            error: (s.blob != b"trusted").then(|| {
                SignatureError::Validation(ValidationError::Authenticity("untrusted".into()))
            }),
            facts: SignatureFacts::default(),
        }
    }
}

async fn seeded(n: usize) -> (TestRegistry, String) {
    let reg = TestRegistry::start().await;
    let trusted_at = n.min(FLUX_MAX_SIGNATURES) - 1;
    let (subject, _) = reg.seed("bench/app", n, |i| {
        if i == trusted_at {
            b"trusted".to_vec()
        } else {
            format!("untrusted {i}").into_bytes()
        }
    });
    let digest = subject["digest"].as_str().unwrap().to_owned();
    (reg, digest)
}

async fn verify_once(reg: &TestRegistry, digest: &str, prefetch: usize) -> (Duration, usize, bool) {
    let options = RegistryOptions {
        plain_http: true,
        credentials: CredentialSource::Anonymous,
        prefetch,
        ..Default::default()
    };
    let client = RegistryClient::new(&reg.host(), "bench/app", options).unwrap();
    let loop_options = LoopOptions {
        artifact_reference: format!("{}/bench/app@{digest}", reg.host()),
        max_signatures: FLUX_MAX_SIGNATURES,
    };
    let start = Instant::now();
    let verification = verify_artifact(&client, &StandIn, &loop_options).await;
    let elapsed = start.elapsed();
    let verified = matches!(verification.verdict, Verdict::Verified(_));
    (elapsed, client.requests_sent(), verified)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let d_ms: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(40);
    let d = Duration::from_millis(d_ms);
    println!("registry round trips per verification (D = {d_ms} ms per request, Flux: 3 attempts)");
    println!(
        "{:>5} | {:>22} | {:>22} | {:>7}",
        "sigs", "fluxverify req / D", "baseline req / D", "ratio"
    );
    for n in [1usize, 3, 20] {
        let (reg, digest) = seeded(n).await;
        reg.hostile(Hostile {
            delay: d,
            ..Default::default()
        });
        let (fast, fast_req, ok1) = verify_once(&reg, &digest, 32).await;
        let (slow, slow_req, ok2) = verify_once(&reg, &digest, 0).await;
        assert!(ok1 && ok2, "the trusted signature must verify");
        let units = |t: Duration| t.as_secs_f64() / d.as_secs_f64();
        println!(
            "{n:>5} | {fast_req:>5} req {:>8.2} D | {slow_req:>5} req {:>8.2} D | {:>6.2}x",
            units(fast),
            units(slow),
            slow.as_secs_f64() / fast.as_secs_f64()
        );
    }
    println!();
    println!("plain loopback, mean of 200 verifications (fresh client each, as Flux does)");
    for n in [1usize, 3, 20] {
        let (reg, digest) = seeded(n).await;
        for (label, prefetch) in [("fluxverify", 32usize), ("baseline", 0)] {
            let mut total = Duration::ZERO;
            for _ in 0..200 {
                total += verify_once(&reg, &digest, prefetch).await.0;
            }
            println!(
                "{n:>5} sigs {label:>10}: {:.3} ms per verify",
                total.as_secs_f64() * 1000.0 / 200.0
            );
        }
    }
}
