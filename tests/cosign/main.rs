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

mod fixtures;
mod keyless;
mod keyless_mint;
mod mint;
mod mint_tsa;
// The notation test PKI (its own `allow(dead_code)`): only certificates are used here.
#[path = "../support/mod.rs"]
mod support;
use support::external;

use assert_cmd::Command;
use distribution::{Distribution, Layout, Pusher};
use serde_json::{json, Value};
use sha2::Digest as _;
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
    // An open registry asks for no credentials, and a signature problem is no registry's.
    assert_eq!(report["credentials"], Value::Null, "{id}: credentials");
    assert_eq!(report["hints"], serde_json::json!([]), "{id}: hints");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    feature = "skip-registry-tests",
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1"
)]
async fn sample_cases_through_distribution() {
    let binary = distribution::binary();
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

/// A digest reference is not resolved before verification (source-controller's `getRevision`
/// returns a `name.Digest` as it is): a digest the registry does not have is verified all the
/// same and fails with `no matching signatures were found for '<ref>'` (exit 1), on the command
/// line and through `spec.ref.digest`; a registry that does not answer leaves it undecided
/// (exit 2) while the condition shows what Flux writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    feature = "skip-registry-tests",
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1"
)]
async fn a_digest_the_registry_does_not_have() {
    let binary = distribution::binary();
    let reg = Distribution::start(&binary, false);
    let pusher = Pusher::new(&reg.addr, None);
    for (repo, layout) in layouts() {
        push_to_distribution(&pusher, &repo, &layout).await;
    }
    let secret = sample()
        .join("cases/ecdsa-bundle--tag/secret.yaml")
        .display()
        .to_string();
    let missing = format!("sha256:{}", "0".repeat(64));
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = reg.addr.clone();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().to_owned();
    tokio::task::spawn_blocking(move || {
        let expect_failed = |code: i32, json: &Value, all: &str, reference: &str| {
            let error = format!("no matching signatures were found for '{reference}'");
            assert_eq!(code, 1, "{all}");
            assert_eq!(json["result"], "failed", "{all}");
            assert_eq!(json["error"], error, "{all}");
            assert_eq!(json["revision"], missing, "{all}");
            assert_eq!(json["artifact"], Value::Null, "{all}");
            assert_eq!(
                json["condition"],
                json!({"type": "SourceVerified", "status": "False", "reason": "VerificationError",
                       "message": format!("failed to verify the signature using provider 'cosign': {error}")}),
                "{all}"
            );
        };
        let reference = format!("{addr}/cosign/ecdsa-bundle@{missing}");
        let base = ["verify", "--verify-provider", "cosign", "--plain-http", "--secret", &secret];
        let (code, json, all) = cli(&[&base[..], &[&reference, "-o", "json"]].concat());
        expect_failed(code, &json, &all, &reference);
        assert_eq!(json["keys"][0]["result"], "failed", "{all}");

        let (code, _, text) = cli(&[&base[..], &[&reference]].concat());
        assert_eq!(code, 1, "{text}");
        assert!(text.contains("not described by the registry (Flux looks the signatures up by digest all the same)"), "{text}");
        assert!(text.contains(&format!("failed to verify the signature using provider 'cosign': no matching signatures were found for '{reference}'")), "{text}");

        // The same through an OCIRepository's spec.ref.digest.
        let file = dir.join("digest.yaml");
        std::fs::write(&file, format!("apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {{name: app, namespace: flux-system}}\nspec:\n  url: oci://{addr}/cosign/ecdsa-bundle\n  insecure: true\n  ref: {{digest: '{missing}'}}\n  verify: {{provider: cosign, secretRef: {{name: cosign-keys}}}}\n")).unwrap();
        let file = file.display().to_string();
        let (code, json, all) = cli(&["verify", "--ocirepository", &file, "--secret", &secret, "-o", "json"]);
        expect_failed(code, &json, &all, &reference);
        let (code, _, text) = cli(&["verify", "--ocirepository", &file, "--secret", &secret]);
        assert_eq!(code, 1, "{text}");
        assert!(text.contains("OCIRepository flux-system/app: SourceVerified False VerificationError: failed to verify the signature using provider 'cosign': no matching signatures"), "{text}");

        // A digest Flux's NewHash refuses stops before verification.
        std::fs::write(&file, std::fs::read_to_string(&file).unwrap().replace(&missing, "sha256:abc")).unwrap();
        let (code, _, all) = cli(&["verify", "--ocirepository", &file, "--secret", &secret]);
        assert_eq!(code, 2, "{all}");
        assert!(all.contains("failed to determine artifact digest: wrong number of hex digits for sha256: abc"), "{all}");

        // Nothing listens: undecided, with the condition Flux would still write.
        let unreachable = format!("127.0.0.1:{closed}/cosign/ecdsa-bundle@{missing}");
        let (code, json, all) = cli(&[&base[..], &[&unreachable, "-o", "json"]].concat());
        assert_eq!(code, 2, "{all}");
        assert_eq!(json["result"], "error", "{all}");
        assert_eq!(json["condition"]["status"], "False", "{all}");
        assert_eq!(json["condition"]["message"], format!("failed to verify the signature using provider 'cosign': no matching signatures were found for '{unreachable}'"));
        let (code, _, text) = cli(&[&base[..], &[&unreachable]].concat());
        assert_eq!(code, 2, "{text}");
        assert!(text.contains("Result:     error (could not decide: the registry did not answer: "), "{text}");
        assert!(text.contains("connection refused"), "{text}");
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

// ---------------------------------------------------------------------------------------------
// Generated fixtures
// ---------------------------------------------------------------------------------------------

use fixtures::{
    artifact, attach_bundle, bundle_json, classic, simple_signing, statement, Layer, Signer,
};
use fluxverify::cosign::{
    verify_source, CosignFailure, CosignOutcome, CosignRequest, CosignVerdict, KeyError, KeyStatus,
    Keys, NamedKey,
};

fn named(name: &str, signer: &Signer) -> NamedKey {
    NamedKey {
        name: name.into(),
        pem: signer.public_pem().into_bytes(),
    }
}

async fn verify_with(
    reg: &TestRegistry,
    repo: &str,
    subject: &Value,
    keys: Vec<NamedKey>,
) -> CosignOutcome {
    let client = library_client(reg, repo);
    let artifact: fluxverify::source::Descriptor = serde_json::from_value(subject.clone()).unwrap();
    let request = CosignRequest {
        artifact_reference: format!("{}/{repo}@{}", reg.host(), artifact.digest),
        artifact,
        keys: Keys::Static(keys),
    };
    verify_source(&client, &request).await
}

fn no_match(reg: &TestRegistry, repo: &str, subject: &Value) -> CosignVerdict {
    CosignVerdict::Failed(CosignFailure::NoMatch {
        reference: format!(
            "{}/{repo}@{}",
            reg.host(),
            subject["digest"].as_str().unwrap()
        ),
    })
}

/// Every key type cosign signs with, in both formats: P-256, RSA and Ed25519 verify; P-384 as
/// cosign signs it (SHA-384) never does, because Flux loads every key with SHA-256, while a
/// P-384 signature over the SHA-256 digest does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_types_in_both_formats() {
    let reg = TestRegistry::start().await;
    let cases: Vec<(&str, Signer, bool)> = vec![
        ("p256", Signer::p256(1), true),
        ("rsa", Signer::rsa(2), true),
        ("ed25519", Signer::ed25519(3), true),
        ("p384-sha384", Signer::p384(4, true), false),
        ("p384-sha256", Signer::p384(5, false), true),
    ];
    for (name, signer, verifies) in &cases {
        for format in ["classic", "bundle"] {
            let repo = format!("fx/{name}-{format}");
            let subject = artifact(&reg, &repo, "v1", name.as_bytes());
            let digest = subject["digest"].as_str().unwrap();
            if format == "classic" {
                classic(
                    &reg,
                    &repo,
                    digest,
                    vec![Layer::signed(signer, simple_signing(&repo, digest))],
                );
            } else {
                attach_bundle(
                    &reg,
                    &repo,
                    &subject,
                    &bundle_json(signer, &statement(digest)),
                );
            }
            let outcome =
                verify_with(&reg, &repo, &subject, vec![named("cosign.pub", signer)]).await;
            let key = &outcome.keys[0];
            assert_eq!(key.signatures.len(), 1, "{repo}");
            if *verifies {
                assert_eq!(key.status, KeyStatus::Verified, "{repo}: {key:?}");
                assert_eq!(
                    outcome.verdict,
                    CosignVerdict::Verified {
                        key: "cosign.pub".into()
                    },
                    "{repo}"
                );
                assert!(outcome.warnings.is_empty(), "{repo}");
            } else {
                assert_eq!(outcome.verdict, no_match(&reg, &repo, &subject), "{repo}");
                assert!(
                    key.signatures[0]
                        .error
                        .as_deref()
                        .unwrap()
                        .contains("invalid signature when validating ASN.1 encoded signature"),
                    "{repo}: {key:?}"
                );
            }
        }
    }
    // The wrong key's texts, per key type (what Flux discards, the report shows).
    let repo = "fx/p256-classic";
    let subject = artifact(&reg, repo, "v1", b"p256");
    for (other, text) in [
        (
            Signer::p256(9),
            "no matching signatures: invalid signature when validating ASN.1 encoded signature",
        ),
        (
            Signer::rsa(9),
            "no matching signatures: crypto/rsa: verification error",
        ),
        (
            Signer::ed25519(9),
            "no matching signatures: failed to verify signature",
        ),
    ] {
        let outcome = verify_with(&reg, repo, &subject, vec![named("other.pub", &other)]).await;
        assert_eq!(outcome.keys[0].status, KeyStatus::Failed(text.into()));
        assert_eq!(outcome.verdict, no_match(&reg, repo, &subject));
    }
}

/// Two classic signatures by different keys: either key verifies; a third key fails both, with
/// cosign's joined per-signature errors. The Secret's keys are tried in name order and each
/// key's reasons are kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_signatures_by_different_keys() {
    let reg = TestRegistry::start().await;
    let (a, b, c) = (Signer::p256(11), Signer::ed25519(12), Signer::rsa(13));
    let repo = "fx/two";
    let subject = artifact(&reg, repo, "v1", b"two");
    let digest = subject["digest"].as_str().unwrap();
    classic(
        &reg,
        repo,
        digest,
        vec![
            Layer::signed(&a, simple_signing(repo, digest)),
            Layer::signed(&b, simple_signing(repo, digest)),
        ],
    );
    let outcome = verify_with(
        &reg,
        repo,
        &subject,
        vec![named("c.pub", &c), named("z.pub", &b)],
    )
    .await;
    assert_eq!(
        outcome.verdict,
        CosignVerdict::Verified {
            key: "z.pub".into()
        }
    );
    assert_eq!(
        outcome.keys[0].status,
        KeyStatus::Failed("no matching signatures: crypto/rsa: verification error\n crypto/rsa: verification error".into())
    );
    let z = &outcome.keys[1];
    assert_eq!(
        z.signatures[0].error.as_deref(),
        Some("failed to verify signature")
    );
    assert_eq!(z.signatures[1].error, None);
    let only_c = verify_with(&reg, repo, &subject, vec![named("c.pub", &c)]).await;
    assert_eq!(only_c.verdict, no_match(&reg, repo, &subject));
}

/// A payload altered after signing (its layer digest updated, so the registry serves it
/// consistently), an unsigned artifact, a signature layer without its annotation and a
/// timestamped signature all fail; none is verified.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_unsigned_and_unannotated() {
    let reg = TestRegistry::start().await;
    let key = Signer::p256(21);
    let repo = "fx/tampered";
    let subject = artifact(&reg, repo, "v1", b"tampered");
    let digest = subject["digest"].as_str().unwrap();
    let mut layer = Layer::signed(&key, simple_signing(repo, digest));
    layer.payload = simple_signing("evil.example/other", digest);
    classic(&reg, repo, digest, vec![layer]);
    let outcome = verify_with(&reg, repo, &subject, vec![named("cosign.pub", &key)]).await;
    assert_eq!(outcome.verdict, no_match(&reg, repo, &subject));
    assert_eq!(
        outcome.keys[0].signatures[0].error.as_deref(),
        Some("invalid signature when validating ASN.1 encoded signature")
    );

    let repo = "fx/unsigned";
    let subject = artifact(&reg, repo, "v1", b"unsigned");
    let outcome = verify_with(&reg, repo, &subject, vec![named("cosign.pub", &key)]).await;
    assert_eq!(outcome.verdict, no_match(&reg, repo, &subject));
    assert_eq!(
        outcome.keys[0].status,
        KeyStatus::Failed("no signatures found".into())
    );
    assert!(outcome.discovery.classic_looked_up && outcome.discovery.classic.is_none());

    let repo = "fx/unannotated";
    let subject = artifact(&reg, repo, "v1", b"unannotated");
    let digest = subject["digest"].as_str().unwrap();
    let mut stamped = Layer::signed(&key, simple_signing(repo, digest));
    stamped.annotations["dev.sigstore.cosign/rfc3161timestamp"] = "{}".into();
    let bad_base64 = Layer {
        payload: simple_signing(repo, digest),
        annotations: json!({"dev.cosignproject.cosign/signature": "MEUC!"}),
    };
    let bare = Layer {
        payload: simple_signing(repo, digest),
        annotations: json!({}),
    };
    classic(&reg, repo, digest, vec![bare, bad_base64, stamped]);
    let outcome = verify_with(&reg, repo, &subject, vec![named("cosign.pub", &key)]).await;
    assert_eq!(outcome.verdict, no_match(&reg, repo, &subject));
    let errors: Vec<_> = outcome.keys[0]
        .signatures
        .iter()
        .map(|s| s.error.clone().unwrap())
        .collect();
    assert_eq!(errors, [
        "invalid signature when validating ASN.1 encoded signature",
        "illegal base64 data at input byte 4",
        "unable to verify RFC3161 timestamp bundle: no TSA root certificate(s) provided to verify timestamp",
    ]);
}

/// A signature copied from another artifact: Flux sets no claim verifier, so a classic
/// signature whose payload names another digest verifies (with a warning naming that digest);
/// a bundle's statement subject is checked, so a copied bundle does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signature_copied_from_another_digest() {
    let reg = TestRegistry::start().await;
    let key = Signer::p256(31);
    let repo = "fx/copied";
    let original = artifact(&reg, repo, "v1", b"original");
    let other = artifact(&reg, repo, "v2", b"other");
    let original_digest = original["digest"].as_str().unwrap();
    let other_digest = other["digest"].as_str().unwrap();
    classic(
        &reg,
        repo,
        other_digest,
        vec![Layer::signed(&key, simple_signing(repo, original_digest))],
    );
    let outcome = verify_with(&reg, repo, &other, vec![named("cosign.pub", &key)]).await;
    assert_eq!(
        outcome.verdict,
        CosignVerdict::Verified {
            key: "cosign.pub".into()
        }
    );
    let lax = outcome.lax.as_ref().unwrap();
    assert_eq!(lax.claimed_digest.as_deref(), Some(original_digest));
    assert_eq!(outcome.warnings.len(), 1);
    assert!(
        outcome.warnings[0].contains(&format!(
            "naming {original_digest} instead of {other_digest}"
        )),
        "{:?}",
        outcome.warnings
    );

    let repo = "fx/copied-bundle";
    let original = artifact(&reg, repo, "v1", b"original");
    let other = artifact(&reg, repo, "v2", b"other");
    let original_digest = original["digest"].as_str().unwrap();
    attach_bundle(
        &reg,
        repo,
        &other,
        &bundle_json(&key, &statement(original_digest)),
    );
    let outcome = verify_with(&reg, repo, &other, vec![named("cosign.pub", &key)]).await;
    assert_eq!(outcome.verdict, no_match(&reg, repo, &other));
    assert!(outcome.keys[0].signatures[0]
        .error
        .as_deref()
        .unwrap()
        .starts_with("provided artifact digest does not match any digest in statement"));
}

/// Keys that do not load: a malformed `.pub` ends Flux's loop with its error, even when another
/// key would verify (reported as order-dependent, since Go's map order is random); a Secret
/// without `.pub` keys looks at nothing; an empty `.pub` value means keyless for Flux.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_missing_and_empty_keys() {
    let reg = TestRegistry::start().await;
    let key = Signer::p256(41);
    let repo = "fx/keys";
    let subject = artifact(&reg, repo, "v1", b"keys");
    let digest = subject["digest"].as_str().unwrap();
    classic(
        &reg,
        repo,
        digest,
        vec![Layer::signed(&key, simple_signing(repo, digest))],
    );
    let bad = NamedKey {
        name: "a.pub".into(),
        pem: b"not a key".to_vec(),
    };
    let outcome = verify_with(
        &reg,
        repo,
        &subject,
        vec![bad.clone(), named("b.pub", &key)],
    )
    .await;
    assert_eq!(
        outcome.verdict,
        CosignVerdict::Failed(CosignFailure::Key(KeyError::PemDecoding))
    );
    assert_eq!(outcome.keys[1].status, KeyStatus::Verified);
    assert!(!outcome.keys[1].tried_by_flux);
    assert_eq!(outcome.warnings.len(), 1);
    assert!(
        outcome.warnings[0].contains("random map order"),
        "{:?}",
        outcome.warnings
    );
    let after = verify_with(
        &reg,
        repo,
        &subject,
        vec![
            named("a.pub", &key),
            NamedKey {
                name: "b.pub".into(),
                ..bad
            },
        ],
    )
    .await;
    assert_eq!(
        after.verdict,
        CosignVerdict::Verified {
            key: "a.pub".into()
        }
    );

    let der_garbage = NamedKey {
        name: "x.pub".into(),
        pem: b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".to_vec(),
    };
    let outcome = verify_with(&reg, repo, &subject, vec![der_garbage]).await;
    assert!(matches!(
        outcome.verdict,
        CosignVerdict::Failed(CosignFailure::Key(KeyError::X509(_)))
    ));

    let before = reg.requests().len();
    let outcome = verify_with(&reg, repo, &subject, vec![]).await;
    assert_eq!(outcome.verdict, no_match(&reg, repo, &subject));
    assert_eq!(reg.requests().len(), before, "no key, no signature lookup");

    let empty = NamedKey {
        name: "empty.pub".into(),
        pem: Vec::new(),
    };
    // An empty value: Flux goes keyless with it (no identities, the public-good root); the
    // static-key signatures here do not verify that way, and the error is swallowed.
    let outcome = verify_with(&reg, repo, &subject, vec![empty]).await;
    assert_eq!(outcome.verdict, no_match(&reg, repo, &subject));
    assert!(
        matches!(&outcome.keys[0].status, KeyStatus::Failed(e) if e.starts_with("no matching ")),
        "{:?}",
        outcome.keys[0].status
    );
}

fn cli(args: &[&str]) -> (i32, Value, String) {
    let out = Command::cargo_bin("fluxverify")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap(),
        json,
        format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)),
    )
}

/// The command line: `--key` (repeatable), `--check-claims` refusing the lax acceptance while
/// the condition stays Flux's (and `--strict`, which asks only for a verified source, not), a
/// Secret without `.pub` keys, and keyless OCIRepositories skipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_line_keys_strict_and_keyless() {
    let reg = TestRegistry::start().await;
    let key = Signer::p256(51);
    let repo = "fx/cli";
    let original = artifact(&reg, repo, "v1", b"original");
    let other = artifact(&reg, repo, "v2", b"other");
    let original_digest = original["digest"].as_str().unwrap().to_owned();
    let other_digest = other["digest"].as_str().unwrap().to_owned();
    classic(
        &reg,
        repo,
        &original_digest,
        vec![Layer::signed(&key, simple_signing(repo, &original_digest))],
    );
    classic(
        &reg,
        repo,
        &other_digest,
        vec![Layer::signed(&key, simple_signing(repo, &original_digest))],
    );
    let dir = tempfile::tempdir().unwrap();
    let pub_file = dir.path().join("cosign.pub");
    std::fs::write(&pub_file, key.public_pem()).unwrap();
    let wrong_file = dir.path().join("wrong.pub");
    std::fs::write(&wrong_file, Signer::p256(52).public_pem()).unwrap();
    let no_pub = dir.path().join("secret.yaml");
    std::fs::write(
        &no_pub,
        fixtures::secret_yaml(&[("cosign.key", b"private")]),
    )
    .unwrap();
    let host = reg.host();
    let (pubf, wrongf, nopub) = (
        pub_file.display().to_string(),
        wrong_file.display().to_string(),
        no_pub.display().to_string(),
    );
    let dirp = dir.path().to_owned();
    tokio::task::spawn_blocking(move || {
        let v1 = format!("{host}/{repo}:v1");
        let v2 = format!("{host}/{repo}:v2");
        let base = ["verify", "--verify-provider", "cosign", "--plain-http", "-o", "json"];
        let with = |extra: &[&str]| -> Vec<String> { base.iter().chain(extra).map(|s| s.to_string()).collect() };
        let run = |args: Vec<String>| cli(&args.iter().map(String::as_str).collect::<Vec<_>>());

        let (code, json, all) = run(with(&[&v1, "--key", &wrongf, "--key", &pubf]));
        assert_eq!(code, 0, "{all}");
        assert_eq!(json["result"], "verified");
        assert_eq!(json["keys"][0]["result"], "failed");
        assert_eq!(json["keys"][1]["result"], "verified");
        assert_eq!(json["condition"]["message"], format!("verified signature of revision v1@{original_digest}"));

        let (code, _, all) = run(with(&[&v1, "--key", &pubf, "--flux-version", "1.6"]));
        assert_eq!(code, 2, "{all}");
        assert!(all.contains("not as source-controller 1.6 (--flux-version)"), "{all}");
        // Every spelling of source-controller 1.9 is 1.9 for the cosign provider too.
        for version in ["1.9.1", "v1.9", "2.9", "2.9.0"] {
            let (code, json, all) = run(with(&[&v1, "--key", &pubf, "--flux-version", version]));
            assert_eq!(code, 0, "{version}: {all}");
            assert_eq!(json["fluxVersion"], "1.9", "{version}");
        }

        let (code, json, all) = run(with(&[&v2, "--key", &pubf]));
        assert_eq!(code, 0, "{all}");
        assert_eq!(json["result"], "verified");
        assert!(json["warnings"][0].as_str().unwrap().contains(&original_digest), "{all}");
        // --strict asks for a verified source, and Flux verified it: no claim check.
        let (code, json, all) = run(with(&[&v2, "--key", &pubf, "--strict"]));
        assert_eq!(code, 0, "{all}");
        assert_eq!(json["result"], "verified");
        assert_eq!(json["checkClaims"], false);
        let (code, json, all) = run(with(&[&v2, "--key", &pubf, "--check-claims"]));
        assert_eq!(code, 1, "{all}");
        assert_eq!(json["result"], "failed");
        assert_eq!(json["checkClaims"], true);
        assert!(json["error"].as_str().unwrap().starts_with("--check-claims: "), "{all}");
        assert!(json["error"].as_str().unwrap().contains(&format!("naming {original_digest} instead of {other_digest}")), "{all}");
        assert_eq!(json["condition"]["status"], "True", "the condition stays what Flux writes");
        // --check-claims is a flag of its own on verify's notation side too: refused there.
        let (code, _, all) = cli(&["verify", "--check-claims", "--plain-http", &v2, "--secret", &nopub]);
        assert_eq!(code, 2, "{all}");
        assert!(all.contains("--check-claims belongs to the cosign provider (--verify-provider cosign)"), "{all}");

        // scan: --strict means every source verified, as on verify; the claim check is
        // --check-claims, alone or with --strict.
        let tree = dirp.join("tree");
        std::fs::create_dir(&tree).unwrap();
        std::fs::write(tree.join("source.yaml"), format!("apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {{name: lax, namespace: flux-system}}\nspec:\n  url: oci://{host}/{repo}\n  insecure: true\n  ref: {{tag: v2}}\n  verify: {{provider: cosign, secretRef: {{name: cosign-keys}}}}\n")).unwrap();
        std::fs::write(tree.join("secret.yaml"), fixtures::secret_yaml(&[("cosign.pub", std::fs::read(&pubf).unwrap().as_slice())])).unwrap();
        let tree = tree.display().to_string();
        let scan = |extra: &[&str]| {
            let mut args = vec!["scan", "--files", "-o", "json", &tree];
            args.extend_from_slice(extra);
            let (code, json, all) = cli(&args);
            (code, json["resources"][0].clone(), all)
        };
        let (code, row, all) = scan(&["--strict"]);
        assert_eq!((code, row["result"].as_str()), (0, Some("verified")), "{all}");
        let (code, row, all) = scan(&["--strict", "--check-claims"]);
        assert_eq!((code, row["result"].as_str()), (1, Some("failed")), "{all}");
        assert!(row.to_string().contains("--check-claims: the only signatures verified"), "{all}");
        let (code, row, all) = scan(&["--check-claims"]);
        assert_eq!((code, row["result"].as_str()), (1, Some("failed")), "{all}");
        // The reason is the claim check's, not Flux's `True` condition it overrides.
        assert!(row["reason"].as_str().unwrap().starts_with("--check-claims: "), "{all}");
        assert_eq!(row["condition"]["status"], "True", "{all}");

        let (code, json, all) = run(with(&[&v1, "--secret", &nopub]));
        assert_eq!(code, 1, "{all}");
        assert_eq!(json["error"], format!("no matching signatures were found for '{host}/{repo}@{original_digest}'"));
        assert_eq!(json["keys"], json!([]));

        // Text output names every key's reason.
        let out = Command::cargo_bin("fluxverify").unwrap()
            .args(["verify", "--verify-provider", "cosign", "--plain-http", &v1, "--key", &wrongf]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1));
        assert!(text.contains("invalid signature when validating ASN.1 encoded signature"), "{text}");
        assert!(text.contains("Reason:   VerificationError"), "{text}");

        for (name, verify) in [
            ("keyless", "{provider: cosign, matchOIDCIdentity: [{issuer: '^https://token.actions.githubusercontent.com$', subject: '^https://github.com/org/.*$'}]}"),
            ("nosecret", "{provider: cosign}"),
        ] {
            let file = dirp.join(format!("{name}.yaml"));
            std::fs::write(&file, format!("apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {{name: app, namespace: flux-system}}\nspec:\n  url: oci://{host}/{repo}\n  insecure: true\n  ref: {{tag: v1}}\n  verify: {verify}\n")).unwrap();
            // Keyless now: the static-key signature carries no certificate and no Rekor
            // bundle, which cosign refuses offline before any Rekor search.
            let (code, json, all) = cli(&["verify", "--ocirepository", file.to_str().unwrap(), "-o", "json"]);
            assert_eq!(code, 1, "{name}: {all}");
            assert_eq!(json["result"], "failed", "{name}");
            assert!(json["error"].as_str().unwrap().starts_with("no matching signatures: nil certificate provided"), "{name}: {all}");
            assert!(json["condition"]["message"].as_str().unwrap().starts_with("failed to verify the signature using provider 'cosign keyless': no matching signatures: nil certificate provided"), "{name}: {all}");
        }
        let file = dirp.join("missing.yaml");
        std::fs::write(&file, format!("apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {{name: app, namespace: flux-system}}\nspec:\n  url: oci://{host}/{repo}\n  insecure: true\n  ref: {{tag: v1}}\n  verify: {{provider: cosign, secretRef: {{name: cosign-keys}}}}\n")).unwrap();
        let (code, _, all) = cli(&["verify", "--ocirepository", file.to_str().unwrap()]);
        assert_eq!(code, 1, "{all}");
        assert!(all.contains("Error: failed to verify the signature using provider 'cosign': secrets \"cosign-keys\" not found"), "{all}");
        // The same manifest with the Secret beside it in the file.
        let with_secret = format!("{}---\n{}", std::fs::read_to_string(&file).unwrap(), fixtures::secret_yaml(&[("cosign.pub", std::fs::read(&pubf).unwrap().as_slice())]));
        std::fs::write(&file, with_secret).unwrap();
        let (code, json, all) = cli(&["verify", "--ocirepository", file.to_str().unwrap(), "-o", "json"]);
        assert_eq!(code, 0, "{all}");
        assert_eq!(json["condition"]["message"], format!("verified signature of revision v1@{original_digest}"));
    })
    .await
    .unwrap();
}

/// Keys as sigstore's `UnmarshalPEMToPublicKey` reads them, through the command line: a PEM
/// `RSA PUBLIC KEY` (PKCS #1) block verifies; a certificate, a private key and truncated DER
/// end Flux's loop with Go's and sigstore's texts, in the JSON, the condition and the text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_blocks_as_sigstore_reads_them() {
    use rsa::pkcs1::EncodeRsaPublicKey as _;
    let reg = TestRegistry::start().await;
    let signer = Signer::rsa(61);
    let repo = "fx/pkcs1";
    let subject = artifact(&reg, repo, "v1", b"pkcs1");
    let digest = subject["digest"].as_str().unwrap().to_owned();
    classic(
        &reg,
        repo,
        &digest,
        vec![Layer::signed(&signer, simple_signing(repo, &digest))],
    );
    let Signer::Rsa(private) = &signer else {
        unreachable!()
    };
    let pkcs1 = private
        .to_public_key()
        .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
        .unwrap();
    let pkix = signer.public_pem();
    let der = {
        use base64::Engine as _;
        let body: String = pkix.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap()
    };
    let truncated = {
        use base64::Engine as _;
        let cut = base64::engine::general_purpose::STANDARD.encode(&der[..der.len() / 2]);
        format!("-----BEGIN PUBLIC KEY-----\n{cut}\n-----END PUBLIC KEY-----\n")
    };
    let certificate = pkix.replace("PUBLIC KEY", "CERTIFICATE");
    let private_block = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n";
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let files = [
        file("pkcs1.pub", &pkcs1),
        file("cert.pub", &certificate),
        file("private.pub", private_block),
        file("truncated.pub", &truncated),
    ];
    let host = reg.host();
    tokio::task::spawn_blocking(move || {
        let v1 = format!("{host}/{repo}:v1");
        let run = |key: &str, json: bool| {
            let mut args = vec!["verify", "--verify-provider", "cosign", "--plain-http", &v1, "--key", key];
            if json {
                args.extend(["-o", "json"]);
            }
            cli(&args)
        };
        let (code, json, all) = run(&files[0], true);
        assert_eq!(code, 0, "{all}");
        assert_eq!(json["keys"][0]["type"], "RSA 2048 bits", "{all}");
        assert_eq!(
            json["condition"]["message"],
            format!("verified signature of revision v1@{digest}")
        );
        for (key, error) in [
            (&files[1], "unknown Public key PEM file type: CERTIFICATE. Are you passing the correct public key?"),
            (&files[2], "unknown Public key PEM file type: PRIVATE KEY. Are you passing the correct public key?"),
            (&files[3], "asn1: syntax error: data truncated"),
        ] {
            let (code, json, all) = run(key, true);
            assert_eq!(code, 1, "{all}");
            assert_eq!(json["result"], "failed");
            assert_eq!(json["error"], error, "{all}");
            assert_eq!(json["keys"][0]["result"], "invalid", "{all}");
            assert_eq!(
                json["condition"],
                json!({"type": "SourceVerified", "status": "False", "reason": "VerificationError",
                       "message": format!("failed to verify the signature using provider 'cosign': {error}")})
            );
            let (code, _, text) = run(key, false);
            assert_eq!(code, 1, "{text}");
            assert!(text.contains(&format!("failed to verify the signature using provider 'cosign': {error}")), "{text}");
        }
    })
    .await
    .unwrap();
}

/// The P-384 sample signature is a valid SHA-384 signature: Flux's failure comes from its
/// SHA-256 verifier, not from a bad signature.
#[test]
fn p384_sample_verifies_with_sha384_only() {
    use ecdsa::signature::hazmat::PrehashVerifier as _;
    let layout = Layout::open(&sample().join("layouts/p384-legacy"));
    let tag = layout
        .manifests()
        .into_iter()
        .find(|d| {
            d["annotations"]["org.opencontainers.image.ref.name"]
                .as_str()
                .is_some_and(|t| t.ends_with(".sig"))
        })
        .unwrap();
    let manifest: Value =
        serde_json::from_slice(&layout.blob(tag["digest"].as_str().unwrap())).unwrap();
    let layer = &manifest["layers"][0];
    let payload = layout.blob(layer["digest"].as_str().unwrap());
    let sig = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        layer["annotations"]["dev.cosignproject.cosign/signature"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let pem = &sample_keys("p384-legacy")[0].pem;
    let key = fluxverify::cosign::load_verifier(pem).unwrap();
    assert_eq!(key.describe(), "ECDSA P-384");
    assert_eq!(
        key.verify(&payload, &sig),
        Err(fluxverify::cosign::key::ECDSA_INVALID.to_owned())
    );
    let fluxverify::cosign::VerifierKey::P384(p384) = key else {
        unreachable!()
    };
    let parsed = p384::ecdsa::Signature::from_der(&sig).unwrap();
    p384.verify_prehash(&sha2::Sha384::digest(&payload), &parsed)
        .unwrap();
}

/// `ls` keeps notation's tree and adds what cosign attached, both formats.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ls_shows_cosign_signatures() {
    let reg = TestRegistry::start().await;
    for (repo, layout) in layouts() {
        push_to_testreg(&reg, &repo, &layout);
    }
    let host = reg.host();
    tokio::task::spawn_blocking(move || {
        let digest = "sha256:6aa9442e86864b15ad89cb81d723d0d1a590a70e79778f2075206a49b82760ea";
        let out = Command::cargo_bin("fluxverify")
            .unwrap()
            .args(["ls", "--plain-http", &format!("{host}/cosign/mixed@{digest}")])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!(
                "{host}/cosign/mixed@{digest} has no associated signature\n\
                 cosign signatures of {host}/cosign/mixed@{digest}\n\
                 ├── application/vnd.dev.sigstore.bundle.v0.3+json\n\
                 │   └── sha256:e68dc8e5a8d49ee75f0d2d0fa6d028611ee095c01b8b1c95084d97911e7868ba\n\
                 └── sha256-6aa9442e86864b15ad89cb81d723d0d1a590a70e79778f2075206a49b82760ea.sig (classic)\n    \
                     └── {}\n",
                classic_layer("mixed")
            )
        );
        let unsigned = Command::cargo_bin("fluxverify")
            .unwrap()
            .args(["ls", "--plain-http", &format!("{host}/cosign/app:2.0.0")])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&unsigned.stdout);
        assert!(text.ends_with("has no associated signature\n"), "{text}");
    })
    .await
    .unwrap();
}

/// The payload layer digest of the classic signature in `layouts/<name>`.
fn classic_layer(name: &str) -> String {
    let layout = Layout::open(&sample().join(format!("layouts/{name}")));
    let tag = layout
        .manifests()
        .into_iter()
        .find(|d| {
            d["annotations"]["org.opencontainers.image.ref.name"]
                .as_str()
                .is_some_and(|t| t.ends_with(".sig"))
        })
        .unwrap();
    let manifest: Value =
        serde_json::from_slice(&layout.blob(tag["digest"].as_str().unwrap())).unwrap();
    manifest["layers"][0]["digest"].as_str().unwrap().to_owned()
}

/// The sample's reference cases offline, from the OCI layouts (`--oci-layout`, `--scope`
/// standing for the repository): the same results, errors and conditions.
#[test]
fn sample_cases_from_the_layouts() {
    let registry = "registry.example";
    let mut checked = 0;
    for case in cases().iter().filter(|c| c["kind"] == "ref") {
        let id = case["id"].as_str().unwrap();
        let artifact = case["artifact"].as_str().unwrap();
        let tag = case["ref"].as_str().unwrap().rsplit_once(':').unwrap().1;
        let layout = sample().join(case["oci_layout"].as_str().unwrap());
        let secret = sample().join(case["secret"].as_str().unwrap());
        let scope = format!("{registry}/cosign/{artifact}");
        let (code, report, all) = cli(&[
            "verify",
            "--verify-provider",
            "cosign",
            "--oci-layout",
            layout.to_str().unwrap(),
            "--scope",
            &scope,
            tag,
            "--secret",
            secret.to_str().unwrap(),
            "-o",
            "json",
        ]);
        let fill = |v: &Value| -> Value {
            serde_json::from_str(&v.to_string().replace("${REGISTRY}", registry)).unwrap()
        };
        let expected = &case["expected"];
        assert_eq!(report["result"], expected["result"], "{id}: {all}");
        assert_eq!(report["error"], fill(&expected["error"]), "{id}");
        assert_eq!(report["condition"], fill(&expected["condition"]), "{id}");
        assert_eq!(report["revision"], fill(&expected["revision"]), "{id}");
        assert_eq!(
            code,
            if expected["result"] == "verified" {
                0
            } else {
                1
            },
            "{id}"
        );
        checked += 1;
    }
    assert_eq!(checked, 5);
}

/// sigstore-go's bundle rules: exactly one DSSE signature; subject digests compared as bytes
/// (upper-case hex matches); message-signature bundles verified against the digest; a bundle
/// with a field protojson does not know does not load, so the classic signature is used.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bundle_rules_of_sigstore_go() {
    let reg = TestRegistry::start().await;
    let key = Signer::p256(61);
    let pubkey = || vec![named("cosign.pub", &key)];

    let repo = "fx/two-dsse-signatures";
    let subject = artifact(&reg, repo, "v1", b"two dsse");
    let digest = subject["digest"].as_str().unwrap();
    let mut bundle: Value = serde_json::from_slice(&bundle_json(&key, &statement(digest))).unwrap();
    let sig = bundle["dsseEnvelope"]["signatures"][0].clone();
    bundle["dsseEnvelope"]["signatures"] = json!([sig.clone(), sig]);
    attach_bundle(&reg, repo, &subject, bundle.to_string().as_bytes());
    let outcome = verify_with(&reg, repo, &subject, pubkey()).await;
    assert_eq!(outcome.verdict, no_match(&reg, repo, &subject));
    assert_eq!(
        outcome.keys[0].signatures[0].error.as_deref(),
        Some("exactly one signature is required")
    );

    let repo = "fx/upper-hex";
    let subject = artifact(&reg, repo, "v1", b"upper");
    let digest = subject["digest"].as_str().unwrap();
    let upper = String::from_utf8(statement(digest))
        .unwrap()
        .replace(&digest[7..], &digest[7..].to_uppercase());
    attach_bundle(&reg, repo, &subject, &bundle_json(&key, upper.as_bytes()));
    let outcome = verify_with(&reg, repo, &subject, pubkey()).await;
    assert_eq!(
        outcome.verdict,
        CosignVerdict::Verified {
            key: "cosign.pub".into()
        }
    );

    let repo = "fx/message-signature";
    let subject = artifact(&reg, repo, "v1", b"message");
    let other = artifact(&reg, repo, "v2", b"message other");
    let Signer::P256(signing) = &key else {
        unreachable!()
    };
    attach_bundle(
        &reg,
        repo,
        &subject,
        &fixtures::message_bundle_json(signing, subject["digest"].as_str().unwrap()),
    );
    attach_bundle(
        &reg,
        repo,
        &other,
        &fixtures::message_bundle_json(signing, subject["digest"].as_str().unwrap()),
    );
    let outcome = verify_with(&reg, repo, &subject, pubkey()).await;
    assert_eq!(
        outcome.verdict,
        CosignVerdict::Verified {
            key: "cosign.pub".into()
        }
    );
    let outcome = verify_with(&reg, repo, &other, pubkey()).await;
    assert_eq!(
        outcome.keys[0].signatures[0].error.as_deref(),
        Some("artifact does not match digest")
    );
    let outcome = verify_with(
        &reg,
        repo,
        &subject,
        vec![named("ed.pub", &Signer::ed25519(62))],
    )
    .await;
    assert!(outcome.keys[0].signatures[0]
        .error
        .as_deref()
        .unwrap()
        .contains("ed25519 signatures can only be verified with artifacts"));

    let repo = "fx/unknown-field";
    let subject = artifact(&reg, repo, "v1", b"unknown field");
    let digest = subject["digest"].as_str().unwrap();
    let mut bundle: Value = serde_json::from_slice(&bundle_json(&key, &statement(digest))).unwrap();
    bundle["comment"] = "not in the schema".into();
    attach_bundle(&reg, repo, &subject, bundle.to_string().as_bytes());
    let outcome = verify_with(&reg, repo, &subject, pubkey()).await;
    assert!(!outcome.discovery.uses_bundles() && outcome.discovery.classic_looked_up);
    assert_eq!(
        outcome.keys[0].status,
        KeyStatus::Failed("no signatures found".into())
    );
    classic(
        &reg,
        repo,
        digest,
        vec![Layer::signed(&key, simple_signing(repo, digest))],
    );
    let outcome = verify_with(&reg, repo, &subject, pubkey()).await;
    assert_eq!(
        outcome.verdict,
        CosignVerdict::Verified {
            key: "cosign.pub".into()
        }
    );
}

/// Go refuses RSA keys under 1024 bits at verification, whatever the signature.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_rsa_keys_never_verify() {
    let reg = TestRegistry::start().await;
    let small = Signer::rsa_bits(71, 768);
    let repo = "fx/rsa768";
    let subject = artifact(&reg, repo, "v1", b"rsa768");
    let digest = subject["digest"].as_str().unwrap();
    classic(
        &reg,
        repo,
        digest,
        vec![Layer::signed(&small, simple_signing(repo, digest))],
    );
    let outcome = verify_with(&reg, repo, &subject, vec![named("small.pub", &small)]).await;
    assert_eq!(outcome.verdict, no_match(&reg, repo, &subject));
    assert_eq!(
        outcome.keys[0].signatures[0].error.as_deref(),
        Some("crypto/rsa: 768-bit keys are insecure (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)")
    );
}

/// A classic signature carrying a certificate: with a static key cosign still checks the
/// certificate's validity, now, and an expired one fails the signature.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn classic_signature_with_an_expired_certificate() {
    use support::pki::{days_from_now, CertSpec, KeyKind, PrivateKey, TestCert};
    let reg = TestRegistry::start().await;
    let key = Signer::p256(81);
    let cert = |from: i64, to: i64| {
        let mut spec = CertSpec::leaf("CN=signer");
        spec.not_before = days_from_now(from);
        spec.not_after = days_from_now(to);
        TestCert::issue(spec, PrivateKey::load(KeyKind::P256, "leaf"), None).pem()
    };
    for (name, pem, verifies) in [
        ("valid", cert(-10, 10), true),
        ("expired", cert(-10, -1), false),
        ("future", cert(1, 10), false),
    ] {
        let repo = format!("fx/cert-{name}");
        let subject = artifact(&reg, &repo, "v1", name.as_bytes());
        let digest = subject["digest"].as_str().unwrap();
        let mut layer = Layer::signed(&key, simple_signing(&repo, digest));
        layer.annotations["dev.sigstore.cosign/certificate"] = pem.into();
        classic(&reg, &repo, digest, vec![layer]);
        let outcome = verify_with(&reg, &repo, &subject, vec![named("cosign.pub", &key)]).await;
        if verifies {
            assert_eq!(
                outcome.verdict,
                CosignVerdict::Verified {
                    key: "cosign.pub".into()
                },
                "{name}"
            );
        } else {
            assert_eq!(outcome.verdict, no_match(&reg, &repo, &subject), "{name}");
            assert_eq!(
                outcome.keys[0].signatures[0].error.as_deref(),
                Some("expected a signed timestamp to verify an expired certificate"),
                "{name}"
            );
        }
    }
}

/// The library entry point `scan` uses: the sample's OCIRepository case, a missing Secret and a
/// keyless object, without the command line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn library_entry_point_for_ocirepositories() {
    use fluxverify::flux::cosign::{verify_ocirepository, CosignResult};
    use fluxverify::flux::ocirepository;
    use fluxverify::source::registry::RegistryClient;
    let reg = TestRegistry::start().await;
    for (repo, layout) in layouts() {
        push_to_testreg(&reg, &repo, &layout);
    }
    let case = cases()
        .into_iter()
        .find(|c| c["kind"] == "ocirepository")
        .unwrap();
    let text = std::fs::read_to_string(sample().join(case["ocirepository"].as_str().unwrap()))
        .unwrap()
        .replace("${REGISTRY}", &reg.host());
    let parsed = ocirepository::parse(&text, "ocirepository.yaml").unwrap();
    let repo = &parsed.repository;
    let client = RegistryClient::for_reference(
        &repo.repository,
        fluxverify::source::registry::RegistryOptions {
            plain_http: repo.insecure,
            credentials: fluxverify::source::registry::CredentialSource::Anonymous,
            ..Default::default()
        },
    )
    .unwrap();
    let secret = fluxverify::trust::secret::load_secret(
        &sample().join(case["secret"].as_str().unwrap()),
        None,
    )
    .unwrap();
    let result = verify_ocirepository(repo, Some(&secret), &client, true)
        .await
        .unwrap();
    assert_eq!(result.flux.result, CosignResult::Verified);
    let expected = case["expected"]["condition"]["message"]
        .as_str()
        .unwrap()
        .replace("${REGISTRY}", &reg.host());
    assert_eq!(result.flux.condition.unwrap().message, expected);
    assert_eq!(result.selected.tag.as_deref(), Some("1.1.0"));

    let missing = verify_ocirepository(repo, None, &client, false)
        .await
        .unwrap();
    assert_eq!(missing.flux.result, CosignResult::Failed);
    assert!(missing.outcome.is_none());
    assert_eq!(
        missing.flux.condition.unwrap().message,
        "failed to verify the signature using provider 'cosign': secrets \"cosign-keys\" not found"
    );

    let keyless = ocirepository::parse(
        &text.replace(
            "secretRef:\n      name: cosign-keys",
            "matchOIDCIdentity:\n    - {issuer: x, subject: y}",
        ),
        "f",
    )
    .unwrap();
    let result = verify_ocirepository(&keyless.repository, Some(&secret), &client, false)
        .await
        .unwrap();
    // Keyless: the static-key bundle has no log entry, which sigstore-go requires.
    assert_eq!(
        result.flux.result,
        CosignResult::Failed,
        "{:?}",
        result.flux
    );
    assert_eq!(
        result.flux.error.as_deref(),
        Some("no matching attestations: failed to verify log inclusion: not enough verified log entries from transparency log: 0 < 1")
    );
    assert!(result
        .flux
        .condition
        .unwrap()
        .message
        .starts_with("failed to verify the signature using provider 'cosign keyless': "));
}

/// Static-key cosign HelmCharts in `scan`: an OCI HelmRepository's chart with
/// `verify.provider: cosign` and a `secretRef`, verified as helmchart_controller does: a
/// verifier a `.pub` key, `VerifyChart` stopping at the first that does not verify (its error
/// not swallowed, unlike the OCIRepository loop), `makeVerifiers`' own errors (no `.pub` key,
/// a key that does not load) before anything is fetched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_key_helm_charts_in_scan() {
    let reg = TestRegistry::start().await;
    let host = reg.host();
    let (signer, other) = (Signer::p256(31), Signer::p256(32));
    let repo = "charts/app";
    let subject = artifact(&reg, repo, "1.0.0", b"chart");
    let digest = subject["digest"].as_str().unwrap().to_owned();
    classic(
        &reg,
        repo,
        &digest,
        vec![Layer::signed(&signer, simple_signing(repo, &digest))],
    );
    let work = tempfile::tempdir().unwrap();
    let tree = work.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    let signer_pem = signer.public_pem();
    let other_pem = other.public_pem();
    // (chart and Secret name, the Secret's data)
    type Entries<'a> = Vec<(&'a str, &'a [u8])>;
    let secrets: [(&str, Entries); 5] = [
        ("good", vec![("cosign.pub", signer_pem.as_bytes())]),
        ("wrong", vec![("cosign.pub", other_pem.as_bytes())]),
        (
            "mixed",
            vec![
                ("a.pub", signer_pem.as_bytes()),
                ("b.pub", other_pem.as_bytes()),
            ],
        ),
        ("nopub", vec![("cosign.key", signer_pem.as_bytes())]),
        ("broken", vec![("cosign.pub", b"not a key".as_slice())]),
    ];
    let mut docs = vec![format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n  namespace: flux-system\nspec:\n  type: oci\n  url: oci://{host}/charts\n"
    )];
    for (name, entries) in &secrets {
        docs.push(
            fixtures::secret_yaml(entries)
                .replace("name: cosign-keys", &format!("name: keys-{name}")),
        );
        docs.push(format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata:\n  name: {name}\n  namespace: flux-system\nspec:\n  chart: app\n  version: 1.0.0\n  sourceRef:\n    kind: HelmRepository\n    name: charts\n  verify:\n    provider: cosign\n    secretRef:\n      name: keys-{name}\n"
        ));
    }
    std::fs::write(tree.join("charts.yaml"), docs.join("---\n")).unwrap();
    tokio::task::spawn_blocking(move || {
        let out = Command::cargo_bin("fluxverify")
            .unwrap()
            .args(["scan", "--files", "-o", "json", "--plain-http"])
            .arg(&tree)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let report: Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        let row = |name: &str| {
            report["resources"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["name"] == name && r["kind"] == "HelmChart")
                .unwrap_or_else(|| panic!("{name}: {report:#}"))
                .clone()
        };
        let r = row("good");
        assert_eq!(r["result"], "verified", "{r:#}");
        assert_eq!(r["condition"]["message"], "verified signature of version 1.0.0");
        assert_eq!(r["reference"], format!("{host}/{repo}@{digest}"));

        let url = format!("oci://{host}/charts/app:1.0.0");
        let r = row("wrong");
        assert_eq!(r["result"], "failed", "{r:#}");
        assert_eq!(
            r["condition"]["message"],
            format!("chart verification error: failed to verify {url}: no matching signatures: invalid signature when validating ASN.1 encoded signature"),
            "{r:#}"
        );

        // Go's map order decides which key Flux tries first: a failure either way.
        let r = row("mixed");
        assert_eq!(r["result"], "failed", "{r:#}");
        assert!(
            r["condition"]["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("chart verification error: failed to verify {url}: ")),
            "{r:#}"
        );
        assert!(
            r["warnings"][0].as_str().unwrap().contains("random map order"),
            "{r:#}"
        );

        let r = row("nopub");
        assert_eq!(r["result"], "failed", "{r:#}");
        assert_eq!(
            r["condition"]["message"],
            "failed to verify the signature using provider 'cosign': no public keys found in secret 'flux-system/keys-nopub'"
        );
        let r = row("broken");
        assert_eq!(r["result"], "failed", "{r:#}");
        assert_eq!(
            r["condition"]["message"],
            "failed to verify the signature using provider 'cosign': PEM decoding failed"
        );
        assert_eq!(out.status.code(), Some(1));
    })
    .await
    .unwrap();
}
