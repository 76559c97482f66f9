//! One `fluxverify verify` process against a registry on loopback, and the floors it is measured
//! against, all in one run and interleaved run by run so that every figure sees the same machine
//! load. Each iteration runs, per artifact:
//!
//! - `true` (a small C program): what the system charges any process for `execve`, the loader
//!   and exit;
//! - `fluxverify --version`: the binary's own start-up, doing nothing;
//! - `fluxverify verify --oci-layout`: the same artifact verified offline from an OCI layout;
//! - `fluxverify verify` against the registry, in flux mode and in `--mode notation`;
//! - `notation verify`, when a `notation` binary is on `PATH` (or given with `--notation PATH`),
//!   with the same trust policy and root in a notation configuration directory of its own;
//! - the requests alone: the HTTP requests the flux-mode verify made (recorded by the registry
//!   during the warm-up), replayed in order by one keep-alive HTTP client in this process.
//!
//! The floor of a registry verify is `--version` plus the requests alone; its ratio to `true`
//! plus the requests alone is printed too. Figures are medians: wall time, and the process's
//! CPU time (user + system, from `wait4`).
//!
//! Two artifacts, each with one JWS signature: ECDSA P-256 by a chain of three (leaf,
//! intermediate, root) and RSA-3072 by a chain of two (leaf, root), the shapes of the notation
//! corpus artifacts the project is compared on, signed with the test keys of `fixtures/keys/`
//! through the test signer of `tests/support/`. The registry is the in-process test registry
//! (`tests/registry/testreg.rs`: the referrers API, as the corpus registry serves it), plain
//! HTTP on 127.0.0.1, serving the OCI layout the offline verify reads.
//!
//! `-- --compare PATH` also runs another fluxverify binary (an older build, say), interleaved
//! with this one; `-- --this PATH` measures PATH instead of the binary `cargo bench` linked (to
//! compare builds as users get them, give both as copies of `cargo build --profile profiling`
//! outputs); `-- --runs N` (default 31); `-- --notation PATH`.
//!
//! `-- --serve` seeds the registry, prints the command lines and keeps the registry up until
//! interrupted, for profiling a single process (callgrind, perf).
//!
//! Run: `cargo bench --bench loopback [-- --runs 31 --compare /tmp/fluxverify-old]`.

#[path = "../tests/registry/testreg.rs"]
#[allow(unused_imports)]
mod testreg;

#[path = "../tests/support/mod.rs"]
#[allow(unused_imports)]
mod support;

#[path = "common/child.rs"]
mod child;

use child::{median, ms, run, Run};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::envelope::{self as env, EnvelopeSpec, Format};
use support::layout::{write_layout, ManifestForm, SignatureEntry, Subject};
use support::pki::{self, KeyKind};
use testreg::TestRegistry;

/// One artifact, as an OCI layout and in the registry, with the trust material that verifies it.
struct Case {
    name: &'static str,
    repo: String,
    digest: String,
    /// The layout, the trust policy, `certs/` and `notation/` (a notation configuration).
    dir: tempfile::TempDir,
}

impl Case {
    fn layout(&self) -> PathBuf {
        self.dir.path().join("layout")
    }
}

fn seed(reg: &TestRegistry, kind: KeyKind, chain_length: usize, name: &'static str) -> Case {
    let repo = format!("bench/{name}");
    let dir = tempfile::tempdir().unwrap();
    let subject = Subject::new(format!("fluxverify benchmark {name}\n").as_bytes());
    let chain = pki::chain(kind, chain_length);
    let envelope = env::sign(&chain, &EnvelopeSpec::new(Format::Jws, &subject.descriptor));
    let entry = SignatureEntry {
        envelope,
        media_type: Format::Jws.media_type().to_owned(),
        form: ManifestForm::ArtifactType,
        thumbprints: env::thumbprints(&chain),
    };
    let layout = dir.path().join("layout");
    write_layout(&layout, &subject, "v1", &[entry]).unwrap();
    let digest = reg.serve_layout(&layout, &repo);

    let root = chain.last().unwrap().pem();
    let policy = serde_json::json!({"version": "1.0", "trustPolicies": [{
        "name": name, "registryScopes": [format!("{}/{repo}", reg.host())],
        "signatureVerification": {"level": "strict"},
        "trustStores": ["ca:bench"], "trustedIdentities": ["*"],
    }]});
    let policy = serde_json::to_vec(&policy).unwrap();
    std::fs::create_dir(dir.path().join("certs")).unwrap();
    std::fs::write(dir.path().join("certs/root.crt"), &root).unwrap();
    std::fs::write(dir.path().join("trustpolicy.json"), &policy).unwrap();
    // `$XDG_CONFIG_HOME/notation/` as the notation CLI reads it.
    let store = dir.path().join("notation/truststore/x509/ca/bench");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::write(store.join("root.crt"), &root).unwrap();
    std::fs::write(dir.path().join("notation/trustpolicy.json"), &policy).unwrap();
    Case {
        name,
        repo,
        digest,
        dir,
    }
}

fn reference(reg: &TestRegistry, case: &Case) -> String {
    format!("{}/{}@{}", reg.host(), case.repo, case.digest)
}

fn trust_args(c: &mut Command, case: &Case) {
    c.arg("--trust-policy")
        .arg(case.dir.path().join("trustpolicy.json"))
        .arg("--certs")
        .arg(case.dir.path().join("certs"));
}

fn verify_command(bin: &Path, reg: &TestRegistry, case: &Case, mode: &str) -> Command {
    let mut c = Command::new(bin);
    c.args(["verify", "--mode", mode, "--plain-http"]);
    trust_args(&mut c, case);
    c.arg(reference(reg, case));
    c
}

fn offline_command(bin: &Path, reg: &TestRegistry, case: &Case) -> Command {
    let mut c = Command::new(bin);
    c.args(["verify", "--oci-layout"]).arg(case.layout());
    trust_args(&mut c, case);
    c.arg(reference(reg, case));
    c
}

fn version_command(bin: &Path) -> Command {
    let mut c = Command::new(bin);
    c.arg("--version");
    c
}

fn notation_command(notation: &Path, reg: &TestRegistry, case: &Case) -> Command {
    let mut c = Command::new(notation);
    c.env("XDG_CONFIG_HOME", case.dir.path())
        .args(["verify", "--insecure-registry"])
        .arg(reference(reg, case));
    c
}

/// The requests a verify made, as the registry logged them: (method, path and query).
fn requests_of(reg: &TestRegistry, verify: impl FnOnce()) -> Vec<(reqwest::Method, String)> {
    let before = reg.requests().len();
    verify();
    reg.requests()[before..]
        .iter()
        .map(|r| (r.method.parse().unwrap(), r.path_and_query.clone()))
        .collect()
}

/// `requests`, one after another, by `client` (keep-alive: the connection of the previous
/// iteration is reused), every body read to the end.
async fn replay(
    client: &reqwest::Client,
    reg: &TestRegistry,
    requests: &[(reqwest::Method, String)],
) -> Duration {
    let start = Instant::now();
    for (method, path) in requests {
        let url = format!("http://{}{path}", reg.host());
        let response = client.request(method.clone(), url).send().await.unwrap();
        assert!(
            response.status().is_success(),
            "{method} {path}: {}",
            response.status()
        );
        response.bytes().await.unwrap();
    }
    start.elapsed()
}

/// The medians of one command's runs.
struct Figures {
    wall: Duration,
    cpu: Duration,
    max_rss_kib: i64,
}

fn figures(runs: &[Run]) -> Figures {
    Figures {
        wall: median(runs.iter().map(|r| r.wall).collect()),
        cpu: median(runs.iter().map(|r| r.cpu).collect()),
        max_rss_kib: runs.iter().map(|r| r.max_rss_kib).max().unwrap_or(0),
    }
}

/// One fluxverify binary measured.
struct Binary<'a> {
    label: String,
    bin: &'a Path,
}

const ROWS: [&str; 4] = [
    "--version",
    "offline verify",
    "registry verify, flux",
    "registry verify, notation mode",
];

fn row_command(row: usize, bin: &Path, reg: &TestRegistry, case: &Case) -> Command {
    match row {
        0 => version_command(bin),
        1 => offline_command(bin, reg, case),
        2 => verify_command(bin, reg, case, "flux"),
        _ => verify_command(bin, reg, case, "notation"),
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let runs: usize = value("--runs").and_then(|v| v.parse().ok()).unwrap_or(31);
    // The binary cargo just linked starts slower than an installed copy of it (about 30 more page
    // faults and 0.3 ms more per verify: docs/benchmarks.md, seventh round), and `cargo bench`
    // builds it with the dev-dependencies' features; `--this PATH` measures a copy of a plain
    // `cargo build --profile profiling` instead.
    let this = value("--this")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_fluxverify")));
    let other = value("--compare").map(PathBuf::from);
    let mut binaries = vec![Binary {
        label: format!("this build ({})", this.display()),
        bin: &this,
    }];
    if let Some(other) = &other {
        binaries.push(Binary {
            label: format!("compare ({})", other.display()),
            bin: other,
        });
    }
    let notation = value("--notation")
        .map(PathBuf::from)
        .or_else(|| find_on_path("notation"));

    let reg = TestRegistry::start().await;
    let cases = [
        seed(&reg, KeyKind::P256, 3, "p256-chain3"),
        seed(&reg, KeyKind::Rsa3072, 2, "rsa3072-chain2"),
    ];
    if args.iter().any(|a| a == "--serve") {
        for case in &cases {
            for row in 0..ROWS.len() {
                println!("{:?}", row_command(row, &this, &reg, case));
            }
        }
        println!("serving on {}; interrupt to stop", reg.host());
        std::future::pending::<()>().await;
    }
    println!(
        "one verify on loopback (in-process registry, plain HTTP, one JWS signature), {runs} runs, medians"
    );
    match &notation {
        Some(path) => println!("notation: {}", path.display()),
        None => println!("notation: not found on PATH (give --notation PATH): not measured"),
    }
    let client = reqwest::Client::new();
    for case in &cases {
        // Warm-up (page cache, the registry's connections), recording the requests made.
        let requests = requests_of(&reg, || {
            run(verify_command(&this, &reg, case, "flux"));
        });
        for b in &binaries {
            for row in 0..ROWS.len() {
                run(row_command(row, b.bin, &reg, case));
            }
        }
        if let Some(notation) = &notation {
            run(notation_command(notation, &reg, case));
        }
        replay(&client, &reg, &requests).await;

        let mut exec_floor = Vec::new();
        let mut alone = Vec::new();
        let mut rows: Vec<Vec<Vec<Run>>> = binaries
            .iter()
            .map(|_| vec![Vec::new(); ROWS.len()])
            .collect();
        let mut notation_runs = Vec::new();
        for _ in 0..runs {
            alone.push(replay(&client, &reg, &requests).await);
            exec_floor.push(run(Command::new("true")));
            for (b, binary) in binaries.iter().enumerate() {
                for (row, runs) in rows[b].iter_mut().enumerate() {
                    runs.push(run(row_command(row, binary.bin, &reg, case)));
                }
            }
            if let Some(notation) = &notation {
                notation_runs.push(run(notation_command(notation, &reg, case)));
            }
        }
        let alone = median(alone);
        let exec = figures(&exec_floor);
        println!();
        println!(
            "{}: {} requests alone (one keep-alive client) {:.2} ms; `true` {:.2} ms wall, {:.2} ms CPU",
            case.name,
            requests.len(),
            ms(alone),
            ms(exec.wall),
            ms(exec.cpu)
        );
        let notation = (!notation_runs.is_empty()).then(|| figures(&notation_runs));
        if let Some(n) = &notation {
            println!(
                "  notation verify: {:.2} ms wall, {:.2} ms CPU, peak RSS {:.1} MiB",
                ms(n.wall),
                ms(n.cpu),
                n.max_rss_kib as f64 / 1024.0
            );
        }
        for (b, binary) in binaries.iter().enumerate() {
            println!("  {}:", binary.label);
            let measured: Vec<Figures> = rows[b].iter().map(|r| figures(r)).collect();
            let version = &measured[0];
            for (row, f) in measured.iter().enumerate() {
                let mut line = format!(
                    "    {:<31} {:>6.2} ms wall, {:>5.2} ms CPU (CPU − true {:>5.2} ms), peak RSS {:.1} MiB",
                    ROWS[row],
                    ms(f.wall),
                    ms(f.cpu),
                    ms(f.cpu.saturating_sub(exec.cpu)),
                    f.max_rss_kib as f64 / 1024.0
                );
                if row >= 2 {
                    let floor = version.wall + alone;
                    line += &format!(
                        "; wall / floor (--version + requests {:.2} ms) {:.2}x, / (true + requests) {:.2}x",
                        ms(floor),
                        f.wall.as_secs_f64() / floor.as_secs_f64(),
                        f.wall.as_secs_f64() / (exec.wall + alone).as_secs_f64()
                    );
                    if let Some(n) = &notation {
                        line += &format!(
                            "; notation / this {:.2}x",
                            n.wall.as_secs_f64() / f.wall.as_secs_f64()
                        );
                    }
                }
                println!("{line}");
            }
        }
    }
}
