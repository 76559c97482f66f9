//! `scan` over 1, 10 and 100 OCIRepositories behind a registry that delays every request by a
//! fixed D: wall time in units of D and requests made, cold (a fresh registry and client pool
//! for every figure), for `--jobs 100`, the default `--jobs 16`, and a baseline measured in
//! the same run: the same sources verified one after another, each with its own client, which
//! is what running `fluxverify verify --ocirepository` once per source costs.
//!
//! Every source is a digest reference to its own repository (`app-<i>`) on one in-process
//! registry, holding the corpus artifact `multi4-fourth-trusted` with its one trusted
//! signature; the Secret (the corpus case's, `*` scope) is shared by all sources and judged
//! once. One verification is HEAD and referrers together, then the signature manifest, then
//! the envelope: 3 D.
//!
//! `-- --cpu [--runs N]` measures process CPU instead, on plain loopback (no delay): one
//! `fluxverify scan` process over a file of the Secret and 100 OCIRepositories, against one
//! `fluxverify verify --ocirepository` process over a file of the Secret and one of them (the
//! same artifact, in flux mode), medians of N runs (default 11) interleaved; it prints both
//! CPU times (user + system, from `wait4`), their ratio and peak RSS.
//!
//! Run: `cargo bench --bench scan_latency` (optionally `-- <D in ms>`, default 100).

#[path = "../tests/support/corpus.rs"]
#[allow(dead_code)]
mod corpus;
#[path = "../tests/registry/testreg.rs"]
#[allow(unused_imports)]
mod testreg;

#[path = "common/child.rs"]
mod child;

use fluxverify::flux::ocirepository::{self, RunSettings};
use fluxverify::flux::outcome::{check_outcome, FluxResult};
use fluxverify::flux::scan::{scan, RowResult, ScanSettings};
use fluxverify::gitops::{self, LoadOptions, SecretContent};
use fluxverify::inflight::{LimitOrigin, TimeLimit};
use fluxverify::settings::{FluxVersion, Mode, Settings};
use fluxverify::source::registry::pool::ClientPool;
use fluxverify::source::registry::{CredentialSource, RegistryClient, RegistryOptions};
use fluxverify::trust::material::TrustMaterial;
use fluxverify::verify::signature::SignatureOptions;
use fluxverify::verify::signatures::FLUX_MAX_SIGNATURES;
use fluxverify::verify::stages::stages_from_material;
use std::path::Path;
use std::time::{Duration, Instant};
use testreg::{Hostile, TestRegistry};

const SECRET: &str = "notation-multi4-fourth-trusted--strict";

/// A registry with `n` repositories `app-<i>`, each the corpus artifact and its trusted
/// signature. Returns the registry and the artifact's digest.
async fn seeded(n: usize) -> (TestRegistry, String) {
    let reg = TestRegistry::start().await;
    let layout = corpus::layout("multi4-fourth-trusted");
    let mut subject = String::new();
    let mut signatures = Vec::new();
    for i in 0..n {
        let repo = format!("app-{i}");
        let (pushed, listed) = reg.push_layout_manifests(&layout, &repo);
        subject = pushed;
        if i == 0 {
            signatures = listed;
        }
        // Only the fourth signature chains to the Secret's root.
        reg.add_referrer(&repo, &subject, signatures[3].clone());
    }
    (reg, subject)
}

/// The tree a `kustomize build` would print: the Secret and `n` OCIRepositories.
fn stream(host: &str, digest: &str, n: usize) -> String {
    let secret = std::fs::read_to_string(corpus::strict_secret("multi4-fourth-trusted")).unwrap();
    let mut text = secret;
    for i in 0..n {
        text.push_str(&format!(
            "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: app-{i}\n  namespace: flux-system\nspec:\n  interval: 5m\n  url: oci://{host}/app-{i}\n  insecure: true\n  ref:\n    digest: {digest}\n  verify:\n    provider: notation\n    secretRef:\n      name: {SECRET}\n"
        ));
    }
    text
}

fn run_settings() -> RunSettings {
    RunSettings {
        settings: Settings {
            mode: Mode::Flux,
            flux_version: FluxVersion::V1_9,
        },
        max_signatures: FLUX_MAX_SIGNATURES,
        options: SignatureOptions {
            mode: Mode::Flux,
            user_metadata: Default::default(),
            plugin_dir: String::new(),
            timestamps_supported: true,
        },
    }
}

fn options() -> RegistryOptions {
    RegistryOptions {
        plain_http: true,
        credentials: CredentialSource::Anonymous,
        ..Default::default()
    }
}

/// One cold scan with `jobs`: (wall time, requests, verified rows).
async fn scan_once(n: usize, jobs: usize, d: Duration) -> (Duration, usize, usize) {
    let (reg, digest) = seeded(n).await;
    reg.hostile(Hostile {
        delay: d,
        ..Default::default()
    });
    let tree = gitops::load_stream(
        "-",
        &stream(&reg.host(), &digest, n),
        &LoadOptions::default(),
    )
    .unwrap();
    let pool = std::sync::Arc::new(ClientPool::new(options()));
    let settings = ScanSettings {
        run: run_settings(),
        jobs,
        offline: false,
        strict: false,
        check_claims: false,
        plain_http: false,
        now: chrono::Utc::now(),
        default_timeout: TimeLimit {
            duration: fluxverify::flux::ocirepository::DEFAULT_TIMEOUT,
            origin: LimitOrigin::Default,
        },
        default_root: fluxverify::flux::cosign::DefaultRoot::public_good(),
    };
    let start = Instant::now();
    let rows = scan(&tree, &pool, &settings, &|_| {}).await;
    let elapsed = start.elapsed();
    let verified = rows
        .iter()
        .filter(|r| r.result == RowResult::Verified)
        .count();
    (elapsed, pool.requests_sent(), verified)
}

/// The baseline: each source on its own, one after another, a fresh client each.
async fn baseline_once(n: usize, d: Duration) -> (Duration, usize, usize) {
    let (reg, digest) = seeded(n).await;
    reg.hostile(Hostile {
        delay: d,
        ..Default::default()
    });
    let tree = gitops::load_stream(
        "-",
        &stream(&reg.host(), &digest, n),
        &LoadOptions::default(),
    )
    .unwrap();
    let settings = run_settings();
    let start = Instant::now();
    let mut requests = 0;
    let mut verified = 0;
    for object in tree.objects.iter().filter(|o| o.kind == "OCIRepository") {
        let repository = ocirepository::from_document(&object.value, "-").unwrap();
        // Each `verify` run reads its Secret again.
        let secret = tree
            .secrets
            .iter()
            .find_map(|s| match &s.content {
                SecretContent::Plain(secret) => Some(secret.clone()),
                _ => None,
            })
            .unwrap();
        let built = stages_from_material(
            Ok(TrustMaterial::from_secret(secret, "bench".into())),
            settings.settings,
        )
        .unwrap();
        let client = RegistryClient::for_reference(&repository.repository, options()).unwrap();
        let selected = ocirepository::select_artifact(&repository, &client)
            .await
            .unwrap();
        let report = ocirepository::verify_selected(
            &client,
            &repository,
            &selected,
            built.stages,
            built.warnings,
            &settings,
            chrono::Utc::now(),
        )
        .await;
        requests += client.requests_sent();
        let verdict = check_outcome(&report.verification);
        verified += usize::from(verdict.result == FluxResult::Verified);
    }
    (start.elapsed(), requests, verified)
}

/// Process CPU of `scan` over 100 sources against `verify` of one, on plain loopback.
async fn process_cpu(runs: usize) {
    const SOURCES: usize = 100;
    let (reg, digest) = seeded(SOURCES).await;
    let dir = tempfile::tempdir().unwrap();
    let hundred = dir.path().join("hundred.yaml");
    let one = dir.path().join("one.yaml");
    std::fs::write(&hundred, stream(&reg.host(), &digest, SOURCES)).unwrap();
    std::fs::write(&one, stream(&reg.host(), &digest, 1)).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_fluxverify"));
    let scan_command = || {
        let mut c = std::process::Command::new(bin);
        c.arg("scan").arg(&hundred);
        c
    };
    let verify_command = || {
        let mut c = std::process::Command::new(bin);
        c.args(["verify", "--ocirepository"]).arg(&one);
        c
    };
    // Warm-up: page cache, the registry's connections.
    child::run(verify_command());
    child::run(scan_command());
    let mut scans = Vec::new();
    let mut verifies = Vec::new();
    // Blocking waits on a runtime worker: the registry serves from the other workers.
    tokio::task::block_in_place(|| {
        for _ in 0..runs {
            verifies.push(child::run(verify_command()));
            scans.push(child::run(scan_command()));
        }
    });
    let cpu = |r: &[child::Run]| child::median(r.iter().map(|r| r.cpu).collect());
    let wall = |r: &[child::Run]| child::median(r.iter().map(|r| r.wall).collect());
    let rss = |r: &[child::Run]| r.iter().map(|r| r.max_rss_kib).max().unwrap_or(0) as f64 / 1024.0;
    let (scan_cpu, verify_cpu) = (cpu(&scans), cpu(&verifies));
    println!("process CPU on plain loopback (flux mode), {runs} runs, medians");
    println!(
        "  verify --ocirepository (1 source): CPU {:.2} ms, wall {:.2} ms, peak RSS {:.1} MiB",
        child::ms(verify_cpu),
        child::ms(wall(&verifies)),
        rss(&verifies)
    );
    println!(
        "  scan ({SOURCES} sources, --jobs 16): CPU {:.2} ms, wall {:.2} ms, peak RSS {:.1} MiB",
        child::ms(scan_cpu),
        child::ms(wall(&scans)),
        rss(&scans)
    );
    println!(
        "  ratio scan / verify: {:.1}x (target <= 20x)",
        scan_cpu.as_secs_f64() / verify_cpu.as_secs_f64()
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--cpu") {
        let runs = args
            .iter()
            .position(|a| a == "--runs")
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(11);
        process_cpu(runs).await;
        return;
    }
    let d_ms: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100);
    let d = Duration::from_millis(d_ms);
    let units = |t: Duration| t.as_secs_f64() / d.as_secs_f64();
    println!("scan of N OCIRepositories, cold (D = {d_ms} ms per request; flux mode)");
    println!(
        "{:>8} | {:>22} | {:>22} | {:>22}",
        "sources", "scan --jobs 100", "scan --jobs 16", "baseline (one by one)"
    );
    let mut one = 0.0;
    for n in [1usize, 10, 100] {
        let (t100, r100, v100) = scan_once(n, 100, d).await;
        let (t16, r16, v16) = scan_once(n, 16, d).await;
        let (tb, rb, vb) = baseline_once(n, d).await;
        assert_eq!((v100, v16, vb), (n, n, n), "every source must verify");
        if n == 1 {
            one = units(t100);
        }
        println!(
            "{n:>8} | {r100:>5} req {:>9.2} D | {r16:>5} req {:>9.2} D | {rb:>5} req {:>9.2} D",
            units(t100),
            units(t16),
            units(tb)
        );
    }
    println!();
    println!(
        "targets: 100 sources at --jobs 100 within 2 x one ({:.2} D); at --jobs 16 within ceil(100/16) = 7 x one ({:.2} D)",
        2.0 * one,
        7.0 * one
    );
}
