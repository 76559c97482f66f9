//! The cosign provider end to end: the recorded Flux results of the cosign sample
//! (`tests/vectors/cosign/`, cosign v3.0.6 signatures, source-controller v1.9.1 verdicts)
//! through the real distribution registry (no referrers API: bundles found through the
//! referrers tag schema) and through the in-process registry with the referrers API; then
//! generated keys and signatures for what the sample does not cover.

#[allow(dead_code)] // shared with the registry tests; only part is used here
#[path = "../registry/distribution.rs"]
mod distribution;
#[path = "../registry/testreg.rs"]
mod testreg;

use assert_cmd::Command;
use distribution::{Distribution, Layout, Pusher};
use serde_json::Value;
use std::path::{Path, PathBuf};
use testreg::TestRegistry;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/cosign")
}

fn cases() -> Vec<Value> {
    serde_json::from_slice(&std::fs::read(sample().join("cases.json")).unwrap()).unwrap()
}

/// The layouts the cases use, by repository name (`cosign/<artifact>`).
fn layouts() -> Vec<(String, Layout)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(sample().join("layouts")).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
        out.push((format!("cosign/{name}"), Layout::open(&dir)));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Every manifest of the layout with a `subject`, grouped by subject, as referrers
/// descriptors (artifact type and annotations from the manifest).
fn referrers(layout: &Layout) -> Vec<(String, Vec<Value>)> {
    let mut by_subject: Vec<(String, Vec<Value>)> = Vec::new();
    for d in layout.manifests() {
        let m: Value = serde_json::from_slice(&layout.blob(d["digest"].as_str().unwrap())).unwrap();
        let Some(subject) = m["subject"]["digest"].as_str() else {
            continue;
        };
        let mut r = serde_json::json!({"mediaType": d["mediaType"], "digest": d["digest"], "size": d["size"], "artifactType": m["artifactType"]});
        if let Some(a) = m.get("annotations") {
            r["annotations"] = a.clone();
        }
        match by_subject.iter_mut().find(|(s, _)| s == subject) {
            Some((_, list)) => list.push(r),
            None => by_subject.push((subject.to_owned(), vec![r])),
        }
    }
    by_subject
}

/// Pushes a layout into distribution byte for byte (tags as annotated, untagged manifests by
/// digest) and, since distribution 2.8 has no referrers API, the referrers tag schema index
/// `sha256-<hex>` for every subject, as cosign (go-containerregistry) writes it there.
async fn push_to_distribution(pusher: &Pusher, repo: &str, layout: &Layout) {
    for d in layout.manifests() {
        let digest = d["digest"].as_str().unwrap();
        let media_type = d["mediaType"].as_str().unwrap();
        let bytes = layout.blob(digest);
        let parsed: Value = serde_json::from_slice(&bytes).unwrap();
        pusher
            .blob(
                repo,
                &layout.blob(parsed["config"]["digest"].as_str().unwrap()),
            )
            .await;
        for l in parsed["layers"].as_array().cloned().unwrap_or_default() {
            pusher
                .blob(repo, &layout.blob(l["digest"].as_str().unwrap()))
                .await;
        }
        pusher.manifest(repo, digest, media_type, &bytes).await;
        if let Some(tag) = d["annotations"]["org.opencontainers.image.ref.name"].as_str() {
            pusher.manifest(repo, tag, media_type, &bytes).await;
        }
    }
    for (subject, list) in referrers(layout) {
        let index = serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": list});
        pusher
            .manifest(
                repo,
                &subject.replace(':', "-"),
                "application/vnd.oci.image.index.v1+json",
                &serde_json::to_vec(&index).unwrap(),
            )
            .await;
    }
}

/// Pushes a layout into the in-process registry, bundles as referrers-API entries.
fn push_to_testreg(reg: &TestRegistry, repo: &str, layout: &Layout) {
    for entry in std::fs::read_dir(layout.dir.join("blobs/sha256")).unwrap() {
        reg.put_blob(&std::fs::read(entry.unwrap().path()).unwrap());
    }
    for d in layout.manifests() {
        let bytes = layout.blob(d["digest"].as_str().unwrap());
        let tag = d["annotations"]["org.opencontainers.image.ref.name"].as_str();
        reg.put_manifest(repo, d["mediaType"].as_str().unwrap(), &bytes, tag);
    }
    for (subject, list) in referrers(layout) {
        for r in list {
            reg.add_referrer(repo, &subject, r);
        }
    }
}

/// Runs one case's command against `registry` and checks result, error, condition and
/// revision exactly as recorded.
fn run_case(case: &Value, registry: &str, work: &Path) {
    let id = case["id"].as_str().unwrap();
    let fill = |s: &str| {
        s.replace("${REGISTRY}", registry)
            .replace("${SET}", sample().to_str().unwrap())
    };
    let mut args: Vec<String> = Vec::new();
    for a in case["command"].as_array().unwrap().iter().skip(1) {
        let a = a.as_str().unwrap();
        match a {
            "${REF}" => args.push(fill(case["ref"].as_str().unwrap())),
            _ if a.contains("ocirepository.yaml") => {
                let text = std::fs::read_to_string(fill(a)).unwrap();
                let file = work.join(format!("{id}.yaml"));
                std::fs::write(&file, fill(&text)).unwrap();
                args.push(file.display().to_string());
            }
            _ => args.push(fill(a)),
        }
    }
    let out = Command::cargo_bin("fluxverify")
        .unwrap()
        .args(&args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{id}: no JSON on stdout ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    if std::env::var("COSIGN_TEST_PRINT").is_ok() {
        eprintln!("{stdout}");
    }
    let expected = &case["expected"];
    let filled = |v: &Value| -> Value { serde_json::from_str(&fill(&v.to_string())).unwrap() };
    assert_eq!(
        report["result"], expected["result"],
        "{id}: result\n{stdout}"
    );
    assert_eq!(
        report["error"],
        filled(&expected["error"]),
        "{id}: error\n{stdout}"
    );
    assert_eq!(
        report["condition"],
        filled(&expected["condition"]),
        "{id}: condition\n{stdout}"
    );
    assert_eq!(
        report["revision"],
        filled(&expected["revision"]),
        "{id}: revision"
    );
    let code = out.status.code().unwrap();
    let want = if expected["result"] == "verified" {
        0
    } else {
        1
    };
    assert_eq!(code, want, "{id}: exit code");
    assert!(
        report["warnings"].as_array().unwrap().is_empty(),
        "{id}: warnings {stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_cases_through_distribution() {
    let Some(binary) = distribution::binary() else {
        return;
    };
    let reg = Distribution::start(&binary, false);
    let pusher = Pusher::new(&reg.addr, None);
    for (repo, layout) in layouts() {
        push_to_distribution(&pusher, &repo, &layout).await;
    }
    let work = tempfile::tempdir().unwrap();
    let addr = reg.addr.clone();
    let path = work.path().to_owned();
    tokio::task::spawn_blocking(move || {
        let all = cases();
        assert_eq!(all.len(), 6);
        for case in &all {
            run_case(case, &addr, &path);
        }
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_cases_through_the_referrers_api() {
    let reg = TestRegistry::start().await;
    for (repo, layout) in layouts() {
        push_to_testreg(&reg, &repo, &layout);
    }
    let work = tempfile::tempdir().unwrap();
    let addr = reg.host();
    let path = work.path().to_owned();
    tokio::task::spawn_blocking(move || {
        for case in &cases() {
            run_case(case, &addr, &path);
        }
    })
    .await
    .unwrap();
    // Bundles came from the referrers API: no request for the tag schema fallback.
    let log = reg.requests();
    assert!(log.iter().any(|r| r.path_and_query.contains("/referrers/")));
    assert!(!log
        .iter()
        .any(|r| r.path_and_query.contains("/manifests/sha256-")
            && !r.path_and_query.ends_with(".sig")));
}

fn library_client(reg: &TestRegistry, repo: &str) -> fluxverify::source::registry::RegistryClient {
    use fluxverify::source::registry::{CredentialSource, RegistryClient, RegistryOptions};
    RegistryClient::new(
        &reg.host(),
        repo,
        RegistryOptions {
            plain_http: true,
            credentials: CredentialSource::Anonymous,
            ..Default::default()
        },
    )
    .unwrap()
}

fn sample_keys(case: &str) -> Vec<fluxverify::cosign::NamedKey> {
    let s = fluxverify::trust::secret::load_secret(
        &sample().join(format!("cases/{case}/secret.yaml")),
        None,
    )
    .unwrap();
    fluxverify::cosign::keys_from_secret(&s)
}

/// The mixed artifact through the library: its bundle hides the classic signature by key a,
/// which is not even fetched; without the bundle, the same key verifies that classic signature.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_artifact_bundle_hides_the_classic_signature() {
    use fluxverify::cosign::{verify_source, CosignRequest, CosignVerdict, KeyStatus, Keys};
    use fluxverify::source::SignatureSource as _;
    let with_bundle = TestRegistry::start().await;
    let without_bundle = TestRegistry::start().await;
    let layout = Layout::open(&sample().join("layouts/mixed"));
    push_to_testreg(&with_bundle, "cosign/mixed", &layout);
    for entry in std::fs::read_dir(layout.dir.join("blobs/sha256")).unwrap() {
        without_bundle.put_blob(&std::fs::read(entry.unwrap().path()).unwrap());
    }
    for d in layout.manifests() {
        let bytes = layout.blob(d["digest"].as_str().unwrap());
        let tag = d["annotations"]["org.opencontainers.image.ref.name"].as_str();
        without_bundle.put_manifest(
            "cosign/mixed",
            d["mediaType"].as_str().unwrap(),
            &bytes,
            tag,
        );
    }
    for (reg, bundle_present) in [(&with_bundle, true), (&without_bundle, false)] {
        let client = library_client(reg, "cosign/mixed");
        let artifact = client.resolve("v1").await.unwrap();
        let request = CosignRequest {
            artifact_reference: format!("{}/cosign/mixed@{}", reg.host(), artifact.digest),
            artifact,
            keys: Keys::Static(sample_keys("mixed--legacy-key")),
        };
        let outcome = verify_source(&client, &request).await;
        let key = &outcome.keys[0];
        assert_eq!(key.kind.as_deref(), Some("ECDSA P-256"));
        assert_eq!(key.signatures.len(), 1);
        if bundle_present {
            assert!(outcome.discovery.uses_bundles());
            assert!(!outcome.discovery.classic_looked_up);
            assert!(!reg
                .requests()
                .iter()
                .any(|r| r.path_and_query.ends_with(".sig")));
            assert!(
                matches!(&key.status, KeyStatus::Failed(e) if e.starts_with("no matching attestations: ")),
                "{key:?}"
            );
            assert!(matches!(outcome.verdict, CosignVerdict::Failed(_)));
        } else {
            assert!(outcome.discovery.bundles.is_empty());
            assert_eq!(key.status, KeyStatus::Verified, "{key:?}");
            assert_eq!(
                key.signatures[0].claimed_digest.as_deref(),
                Some(request.artifact.digest.as_str())
            );
            assert!(matches!(outcome.verdict, CosignVerdict::Verified { .. }));
            assert!(outcome.lax.is_none() && outcome.warnings.is_empty());
        }
    }
}
