//! One `fluxverify verify` process against a registry on loopback, against a floor measured in
//! the same run: the same requests made by the same HTTP client (the library's registry client,
//! fresh, in this process) with no verification, plus the start-up of the binary doing nothing
//! (`fluxverify --version`). Prints wall-time medians, the ratio to the floor, the process's CPU
//! time (user + system, from `wait4`) against its target and the CPU of `--version` alone, and
//! its peak RSS. The CPU time of `true` (a small C program) measured the same way shows what
//! the system charges any process for `execve`, the loader and exit.
//!
//! Two artifacts, each with one JWS signature by a chain of three (leaf, intermediate, root):
//! ECDSA P-256 and RSA-3072, signed with the test keys of `fixtures/keys/` through the test
//! signer of `tests/support/`. The registry is the in-process test registry
//! (`tests/registry/testreg.rs`, referrers API on), plain HTTP on 127.0.0.1.
//!
//! `-- --compare PATH` also runs another fluxverify binary (an older build, say), interleaved
//! run by run with this one so that both see the same machine load; `-- --runs N` (default 31).
//!
//! `-- --serve` seeds the registry, prints one `fluxverify verify` command line per artifact and
//! keeps the registry up until interrupted, for profiling a single process (callgrind, perf).
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

use child::{median, ms, run};
use fluxverify::source::registry::{CredentialSource, RegistryClient, RegistryOptions};
use fluxverify::source::SignatureSource;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::envelope::{self as env, EnvelopeSpec, Format};
use support::layout::Subject;
use support::pki::{self, KeyKind};
use testreg::TestRegistry;

/// One artifact in the registry, with the trust material that verifies it.
struct Case {
    name: &'static str,
    /// The per-process CPU target (docs/benchmarks.md).
    cpu_target_ms: u32,
    repo: String,
    digest: String,
    dir: tempfile::TempDir,
}

fn seed(reg: &TestRegistry, kind: KeyKind, name: &'static str, cpu_target_ms: u32) -> Case {
    let repo = format!("bench/{name}");
    let subject = Subject::new(format!("fluxverify benchmark {name}\n").as_bytes());
    reg.put_blob(b"{}");
    reg.put_blob(&subject.layer);
    reg.put_manifest(&repo, testreg::OCI_MANIFEST, &subject.manifest, Some("v1"));
    let chain = pki::chain(kind, 3);
    let envelope = env::sign(&chain, &EnvelopeSpec::new(Format::Jws, &subject.descriptor));
    let layer = reg.put_blob(&envelope);
    let manifest = serde_json::json!({
        "schemaVersion": 2, "mediaType": testreg::OCI_MANIFEST, "artifactType": testreg::NOTARY,
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": testreg::sha256(b"{}"), "size": 2},
        "layers": [{"mediaType": "application/jose+json", "digest": layer, "size": envelope.len()}],
        "subject": {"mediaType": testreg::OCI_MANIFEST, "digest": subject.descriptor.digest, "size": subject.manifest.len()},
        "annotations": {"io.cncf.notary.x509chain.thumbprint#S256": env::thumbprints(&chain)}
    })
    .to_string();
    let mut d = reg.put_manifest(&repo, testreg::OCI_MANIFEST, manifest.as_bytes(), None);
    d["artifactType"] = testreg::NOTARY.into();
    reg.add_referrer(&repo, &subject.descriptor.digest, d);

    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("certs")).unwrap();
    std::fs::write(
        dir.path().join("certs/root.crt"),
        chain.last().unwrap().pem(),
    )
    .unwrap();
    let policy = serde_json::json!({"version": "1.0", "trustPolicies": [{
        "name": name, "registryScopes": [format!("{}/{repo}", reg.host())],
        "signatureVerification": {"level": "strict"},
        "trustStores": ["ca:bench"], "trustedIdentities": ["*"],
    }]});
    std::fs::write(
        dir.path().join("trustpolicy.json"),
        serde_json::to_vec(&policy).unwrap(),
    )
    .unwrap();
    Case {
        name,
        cpu_target_ms,
        repo,
        digest: subject.descriptor.digest.clone(),
        dir,
    }
}

fn verify_command(bin: &Path, reg: &TestRegistry, case: &Case) -> Command {
    let mut c = Command::new(bin);
    c.args(["verify", "--plain-http", "--trust-policy"])
        .arg(case.dir.path().join("trustpolicy.json"))
        .arg("--certs")
        .arg(case.dir.path().join("certs"))
        .arg(format!("{}/{}@{}", reg.host(), case.repo, case.digest));
    c
}

/// The requests `verify` makes (resolve, referrers, signature manifest, envelope blob) by a
/// fresh registry client, as one verification makes them.
async fn requests_only(reg: &TestRegistry, case: &Case) -> Duration {
    let start = Instant::now();
    let options = RegistryOptions {
        plain_http: true,
        credentials: CredentialSource::Anonymous,
        ..Default::default()
    };
    let client = RegistryClient::new(&reg.host(), &case.repo, options).unwrap();
    let artifact = client.resolve(&case.digest).await.unwrap();
    let pages = client.list_signatures(&artifact, 3).await.unwrap();
    let manifest = &pages[0][0];
    client.fetch_signature(manifest).await.unwrap();
    start.elapsed()
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
    let this = PathBuf::from(env!("CARGO_BIN_EXE_fluxverify"));
    let mut binaries = vec![("this build".to_string(), this.clone())];
    if let Some(other) = value("--compare") {
        binaries.push((format!("compare ({other})"), PathBuf::from(other)));
    }

    let reg = TestRegistry::start().await;
    let cases = [
        seed(&reg, KeyKind::P256, "p256-chain3", 3),
        seed(&reg, KeyKind::Rsa3072, "rsa3072-chain3", 4),
    ];
    if args.iter().any(|a| a == "--serve") {
        for case in &cases {
            println!("{:?}", verify_command(&this, &reg, case));
        }
        println!("serving on {}; interrupt to stop", reg.host());
        std::future::pending::<()>().await;
    }
    println!(
        "one verify on loopback (plain HTTP, flux mode, one JWS signature), {runs} runs, medians"
    );
    for case in &cases {
        // Warm-up: page cache, connection set-up in the registry.
        for (_, bin) in &binaries {
            run(verify_command(bin, &reg, case));
        }
        requests_only(&reg, case).await;
        let mut startup = vec![Vec::new(); binaries.len()];
        let mut verify = vec![Vec::new(); binaries.len()];
        let mut requests = Vec::new();
        let mut exec_floor = Vec::new();
        for _ in 0..runs {
            requests.push(requests_only(&reg, case).await);
            exec_floor.push(run(Command::new("true")));
            for (i, (_, bin)) in binaries.iter().enumerate() {
                let mut version = Command::new(bin);
                version.arg("--version");
                startup[i].push(run(version));
                verify[i].push(run(verify_command(bin, &reg, case)));
            }
        }
        let requests = median(requests);
        let exec_cpu = median(exec_floor.iter().map(|r| r.cpu).collect());
        println!();
        println!(
            "{}: requests alone {:.2} ms; `true` (the system's exec floor) {:.2} ms CPU",
            case.name,
            ms(requests),
            ms(exec_cpu)
        );
        for (i, (label, _)) in binaries.iter().enumerate() {
            let start_up = median(startup[i].iter().map(|r| r.wall).collect());
            let start_up_cpu = median(startup[i].iter().map(|r| r.cpu).collect());
            let floor = requests + start_up;
            let wall = median(verify[i].iter().map(|r| r.wall).collect());
            let cpu = median(verify[i].iter().map(|r| r.cpu).collect());
            let rss = verify[i].iter().map(|r| r.max_rss_kib).max().unwrap_or(0);
            println!(
                "  {label}: verify {:.2} ms wall, floor {:.2} ms (start-up {:.2} ms), ratio {:.2}x; \
                 process CPU {:.2} ms (target {} ms; --version alone {:.2} ms, ratio {:.2}x); \
                 peak RSS {:.1} MiB (target 20 MB)",
                ms(wall),
                ms(floor),
                ms(start_up),
                wall.as_secs_f64() / floor.as_secs_f64(),
                ms(cpu),
                case.cpu_target_ms,
                ms(start_up_cpu),
                cpu.as_secs_f64() / start_up_cpu.as_secs_f64().max(1e-6),
                rss as f64 / 1024.0
            );
        }
    }
}
