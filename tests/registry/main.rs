//! The registry client against real servers: Debian's docker-registry (CNCF distribution 2.8,
//! no referrers API, so the tag-schema fallback) and an in-process registry with the referrers
//! API that can also play hostile.

#[path = "../support/cli.rs"]
#[allow(dead_code)]
mod cli;
mod contract;
#[path = "../support/corpus.rs"]
#[allow(dead_code)]
mod corpus;
mod distribution;
#[path = "../support/external.rs"]
#[allow(dead_code)]
mod external;
mod testreg;
mod trust_store_errors;
#[path = "../support/upstream.rs"]
mod upstream;

use corpus::vectors;
use distribution::{Distribution, Layout, Pusher};
use fluxverify::source::registry::{
    CredentialSource, Credentials, RegistryClient, RegistryError, RegistryOptions,
};
use fluxverify::source::{Descriptor, SignatureSource};
use std::path::{Path, PathBuf};
use std::time::Duration;
use testreg::{Hostile, TestRegistry};

fn options(credentials: CredentialSource) -> RegistryOptions {
    RegistryOptions {
        plain_http: true,
        credentials,
        request_timeout: Duration::from_secs(10),
        ..Default::default()
    }
}

fn anonymous() -> RegistryOptions {
    options(CredentialSource::Anonymous)
}

fn descriptor(v: &serde_json::Value) -> Descriptor {
    serde_json::from_value(v.clone()).unwrap()
}

/// Pushes `layout` into `repo`, then discovers through the client exactly what the layout holds:
/// the subject's descriptor, its signature manifests in order, every envelope byte for byte.
async fn push_and_discover(
    reg: &Distribution,
    creds: CredentialSource,
    dir: &Path,
    repo: &str,
) -> usize {
    let layout = Layout::open(dir);
    let pusher = Pusher::new(&reg.addr, reg.basic.clone());
    layout.push(&pusher, repo, "v1").await;
    let subject = layout.tagged("v1");
    let subject_digest = subject["digest"].as_str().unwrap();
    let client = RegistryClient::new(&reg.addr, repo, options(creds)).unwrap();

    let mut want = descriptor(&subject);
    want.annotations = None;
    want.artifact_type = None;
    assert_eq!(
        client.resolve(subject_digest).await.unwrap(),
        want,
        "{repo}: resolve by digest"
    );
    assert_eq!(
        client.resolve("v1").await.unwrap(),
        want,
        "{repo}: resolve by tag"
    );

    // What a registry without the referrers API serves: the tag index's notation entries.
    let tag_index = layout.manifests().into_iter().find(|d| {
        d["annotations"]["org.opencontainers.image.ref.name"]
            .as_str()
            .is_some_and(|t| t.starts_with("sha256-"))
    });
    let expected: Vec<serde_json::Value> = match tag_index {
        Some(d) => {
            let idx: serde_json::Value =
                serde_json::from_slice(&layout.blob(d["digest"].as_str().unwrap())).unwrap();
            idx["manifests"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| m["artifactType"] == testreg::NOTARY)
                .cloned()
                .collect()
        }
        None => layout.referrers_of(subject_digest),
    };
    let pages = client.list_signatures(&want, 100).await.unwrap();
    let listed: Vec<Descriptor> = pages.concat();
    assert_eq!(
        listed,
        expected.iter().map(descriptor).collect::<Vec<_>>(),
        "{repo}: signatures in order"
    );
    for sig in &listed {
        let fetched = client.fetch_signature(sig).await.unwrap();
        let manifest: serde_json::Value =
            serde_json::from_slice(&layout.blob(&sig.digest)).unwrap();
        let layer = &manifest["layers"][0];
        assert_eq!(fetched.envelope.digest, layer["digest"].as_str().unwrap());
        assert_eq!(
            fetched.envelope.media_type,
            layer["mediaType"].as_str().unwrap()
        );
        assert_eq!(
            fetched.blob,
            layout.blob(layer["digest"].as_str().unwrap()),
            "{repo}: envelope bytes"
        );
    }
    listed.len()
}

#[tokio::test]
#[cfg_attr(
    any(feature = "skip-registry-tests", not(feature = "upstream-vectors")),
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1; and ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
async fn upstream_and_corpus_layouts_in_docker_registry() {
    let bin = distribution::binary();
    let reg = Distribution::start(&bin, false);
    let mut total = 0;
    let upstream = upstream::upstream("notation/test/e2e/testdata/registry/oci_layout");
    let mut counts = Vec::new();
    for (layouts, namespace) in [
        (upstream, "e2e"),
        (vectors().join("corpus/layouts"), "corpus"),
    ] {
        for entry in std::fs::read_dir(&layouts).unwrap() {
            let dir = entry.unwrap().path();
            let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
            let n = push_and_discover(
                &reg,
                CredentialSource::Anonymous,
                &dir,
                &format!("{namespace}/{name}"),
            )
            .await;
            counts.push((name, n));
            total += n;
        }
    }
    counts.sort();
    let count = |n: &str| counts.iter().find(|(k, _)| k == n).unwrap().1;
    assert_eq!(count("e2e"), 0, "unsigned");
    assert_eq!(count("unsigned"), 0, "unsigned");
    assert_eq!(count("e2e-valid-signature"), 1);
    assert_eq!(count("multi4-fourth-trusted"), 4);
    assert!(total >= 10, "{counts:?}");
}

#[tokio::test]
#[cfg_attr(
    feature = "skip-registry-tests",
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1"
)]
async fn htpasswd_basic_auth_on_docker_registry() {
    let bin = distribution::binary();
    let reg = Distribution::start(&bin, true);
    let dir = vectors().join("corpus/layouts/m-rsa2048-c2-jws");
    let alice = CredentialSource::Explicit(Credentials::Basic {
        username: "alice".into(),
        password: "s3cret".into(),
    });
    assert_eq!(push_and_discover(&reg, alice, &dir, "corpus/rsa").await, 1);

    let subject = Layout::open(&dir).tagged("v1")["digest"]
        .as_str()
        .unwrap()
        .to_owned();
    let anon = RegistryClient::new(&reg.addr, "corpus/rsa", anonymous()).unwrap();
    let err = anon.resolve(&subject).await.unwrap_err();
    assert!(
        matches!(err, RegistryError::Status { status: 401, .. }),
        "{err}"
    );
    let wrong = RegistryClient::new(
        &reg.addr,
        "corpus/rsa",
        options(CredentialSource::Explicit(Credentials::Basic {
            username: "alice".into(),
            password: "nope".into(),
        })),
    )
    .unwrap();
    let err = wrong.resolve(&subject).await.unwrap_err();
    assert!(
        err.to_string().contains("response status code 401"),
        "{err}"
    );

    // The same credentials from a Docker config file.
    let home = tempfile::tempdir().unwrap();
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode("alice:s3cret");
    std::fs::write(
        home.path().join("config.json"),
        serde_json::json!({"auths": {reg.addr.clone(): {"auth": auth}}}).to_string(),
    )
    .unwrap();
    std::env::set_var("DOCKER_CONFIG", home.path());
    let from_config = RegistryClient::new(
        &reg.addr,
        "corpus/rsa",
        options(CredentialSource::DockerConfig),
    )
    .unwrap();
    let resolved = from_config.resolve(&subject).await;
    std::env::remove_var("DOCKER_CONFIG");
    assert_eq!(resolved.unwrap().digest, subject);
}

#[tokio::test]
async fn referrers_api_pages_are_followed_in_order() {
    let reg = TestRegistry::start().await;
    *reg.state.page_size.lock().unwrap() = 7;
    let (subject, sigs) = reg.seed("app", 20, |i| format!("envelope {i}").into_bytes());
    let client = RegistryClient::new(&reg.host(), "app", anonymous()).unwrap();
    let s = client
        .resolve(subject["digest"].as_str().unwrap())
        .await
        .unwrap();
    let pages = client.list_signatures(&s, 100).await.unwrap();
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![7, 7, 6]
    );
    assert_eq!(
        pages.concat(),
        sigs.iter().map(descriptor).collect::<Vec<_>>()
    );
    // Flux's three: the first page is enough, no further page is requested.
    let client = RegistryClient::new(
        &reg.host(),
        "app",
        RegistryOptions {
            prefetch: 0,
            ..anonymous()
        },
    )
    .unwrap();
    assert_eq!(
        client.list_signatures(&s, 3).await.unwrap().concat().len(),
        7
    );
    assert_eq!(client.requests_sent(), 1);
    for (i, sig) in pages.concat().iter().enumerate() {
        assert_eq!(
            client.fetch_signature(sig).await.unwrap().blob,
            format!("envelope {i}").into_bytes()
        );
    }
}

#[tokio::test]
async fn a_listing_is_its_first_json_value_within_4_mib_as_in_oras() {
    // oras decodes referrers pages with a JSON decoder over a 4 MiB LimitReader: bytes after the
    // first complete value are never read, however many the server sends.
    let reg = TestRegistry::start().await;
    let (subject, sigs) = reg.seed("app", 2, |i| vec![b'e'; 10 + i]);
    reg.hostile(Hostile {
        referrers_padded_to: Some(64 * 1024 * 1024),
        ..Default::default()
    });
    let client = RegistryClient::new(&reg.host(), "app", anonymous()).unwrap();
    let s = client
        .resolve(subject["digest"].as_str().unwrap())
        .await
        .unwrap();
    let listed = client.list_signatures(&s, 3).await.unwrap().concat();
    assert_eq!(
        listed.iter().map(|d| d.digest.as_str()).collect::<Vec<_>>(),
        sigs.iter()
            .map(|d| d["digest"].as_str().unwrap())
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn oversized_descriptors_are_refused_before_any_request() {
    let reg = TestRegistry::start().await;
    let (subject, _) = reg.seed("app", 0, |_| Vec::new());
    let digest = subject["digest"].as_str().unwrap();
    reg.add_referrer("app", digest, serde_json::json!({"mediaType": testreg::OCI_MANIFEST, "digest": testreg::sha256(b"big"), "size": 4 * 1024 * 1024 + 1, "artifactType": testreg::NOTARY}));
    let client = RegistryClient::new(
        &reg.host(),
        "app",
        RegistryOptions {
            prefetch: 0,
            ..anonymous()
        },
    )
    .unwrap();
    let s = client.resolve(digest).await.unwrap();
    let listed = client.list_signatures(&s, 3).await.unwrap().concat();
    let before = reg.requests().len();
    let e = client.fetch_signature(&listed[0]).await.unwrap_err();
    assert_eq!(e.to_string(), "signature manifest too large: 4194305 bytes");
    assert_eq!(reg.requests().len(), before);
}

#[tokio::test]
async fn credentials_never_follow_a_redirect_to_blob_storage() {
    let storage = TestRegistry::start().await;
    let reg = TestRegistry::start().await;
    let (subject, sigs) = reg.seed("app", 1, |_| b"the envelope".to_vec());
    storage.seed("app", 1, |_| b"the envelope".to_vec());
    use base64::Engine as _;
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("alice:s3cret")
    );
    *reg.state.basic.lock().unwrap() = Some(basic.clone());
    reg.hostile(Hostile {
        redirect_blobs_to: Some(format!("http://{}", storage.host())),
        ..Default::default()
    });
    let client = RegistryClient::new(
        &reg.host(),
        "app",
        options(CredentialSource::Explicit(Credentials::Basic {
            username: "alice".into(),
            password: "s3cret".into(),
        })),
    )
    .unwrap();
    let s = client
        .resolve(subject["digest"].as_str().unwrap())
        .await
        .unwrap();
    client.list_signatures(&s, 3).await.unwrap();
    let got = client.fetch_signature(&descriptor(&sigs[0])).await.unwrap();
    assert_eq!(got.blob, b"the envelope");
    let storage_requests = storage.requests();
    assert!(!storage_requests.is_empty(), "the blob came from storage");
    assert!(
        storage_requests.iter().all(|r| r.authorization.is_none()),
        "credentials leaked: {storage_requests:?}"
    );
    assert!(reg
        .requests()
        .iter()
        .filter(|r| r.path_and_query.contains("/manifests/"))
        .any(|r| r.authorization.as_deref() == Some(basic.as_str())));
}

#[tokio::test]
async fn signatures_to_try_are_fetched_concurrently() {
    // A slow server makes overlapping requests observable without measuring time: each one
    // stays in flight for `delay`, so requests sent together are answered together. With
    // speculation off (notation-go's one-after-another order) the same count of requests never
    // overlaps, which shows the measure tells the two apart.
    async fn fetch_all(prefetch: usize) -> (usize, usize) {
        let reg = TestRegistry::start().await;
        let (subject, _sigs) = reg.seed("app", 3, |i| vec![b'e'; 10 + i]);
        reg.hostile(Hostile {
            delay: Duration::from_millis(150),
            ..Default::default()
        });
        let options = RegistryOptions {
            prefetch,
            ..anonymous()
        };
        let client = RegistryClient::new(&reg.host(), "app", options).unwrap();
        let s = client
            .resolve(subject["digest"].as_str().unwrap())
            .await
            .unwrap();
        let listed = client.list_signatures(&s, 3).await.unwrap().concat();
        assert_eq!(listed.len(), 3);
        for sig in &listed {
            client.fetch_signature(sig).await.unwrap();
        }
        (client.requests_sent(), reg.max_in_flight())
    }
    // HEAD and the first referrers page, then three manifests, then three blobs.
    let (requests, overlap) = fetch_all(RegistryOptions::default().prefetch).await;
    assert_eq!(requests, 2 + 3 * 2);
    assert!(
        overlap >= 3,
        "the three signatures were fetched one after another (at most {overlap} requests at once)"
    );
    let (requests, overlap) = fetch_all(0).await;
    assert_eq!(requests, 2 + 3 * 2);
    assert_eq!(overlap, 1, "sequential fetching overlapped");
}

#[tokio::test]
#[cfg_attr(
    feature = "skip-registry-tests",
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1"
)]
async fn ls_lists_signatures_from_docker_registry_like_notation() {
    let bin = distribution::binary();
    let (reg, layout, subject) = multi4_in_docker_registry(&bin).await;
    let sigs: Vec<String> = layout
        .referrers_of(&subject)
        .iter()
        .map(|d| d["digest"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sigs.len(), 4);
    let reference = format!("{}/corpus/multi4@{subject}", reg.addr);
    let expected = format!(
        "{reference}\n└── application/vnd.cncf.notary.signature\n    ├── {}\n    ├── {}\n    ├── {}\n    └── {}\n",
        sigs[0], sigs[1], sigs[2], sigs[3]
    );
    let out = tokio::task::spawn_blocking(move || {
        assert_cmd::Command::cargo_bin("fluxverify")
            .unwrap()
            .args(["ls", "--plain-http", &reference])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        expected,
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success());

    // A tag is resolved first, with notation's warning.
    let tagged = format!("{}/corpus/multi4:v1", reg.addr);
    let out = tokio::task::spawn_blocking(move || {
        assert_cmd::Command::cargo_bin("fluxverify")
            .unwrap()
            .args(["ls", "--plain-http", &tagged])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout)
        .starts_with(&format!("{}/corpus/multi4@{subject}\n", reg.addr)));
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "Warning: Always list the artifact using digest(@sha256:...) rather than a tag(:v1)"
    ));

    // inspect reads every envelope through the registry (notation's tree and JSON).
    let reference = format!("{}/corpus/multi4@{subject}", reg.addr);
    let (code, stdout, stderr) = fluxverify(vec![
        "inspect".into(),
        "--plain-http".into(),
        reference.clone(),
    ])
    .await;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with(&format!(
            "Inspecting all signatures for signed artifact\n{reference}\n"
        )),
        "{stdout}"
    );
    for sig in &sigs {
        assert!(stdout.contains(sig.as_str()), "{stdout}");
    }
    assert!(
        stdout.contains("signature envelope type: application/jose+json"),
        "{stdout}"
    );
    let (code, stdout, _) = fluxverify(vec![
        "inspect".into(),
        "--plain-http".into(),
        "-o".into(),
        "json".into(),
        reference,
    ])
    .await;
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["signatures"].as_array().unwrap().len(), 4);

    // Without --plain-http the client speaks TLS to a plain-HTTP registry and fails (exit 2).
    let reference = format!("{}/corpus/multi4@{subject}", reg.addr);
    let out = tokio::task::spawn_blocking(move || {
        assert_cmd::Command::cargo_bin("fluxverify")
            .unwrap()
            .args(["ls", &reference])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("Error: "));
}

/// docker-registry holding the corpus' `multi4-fourth-trusted` (four signatures, only the
/// fourth trusted) as `corpus/multi4:v1`; returns the registry, the layout and the subject's
/// digest.
async fn multi4_in_docker_registry(bin: &Path) -> (Distribution, Layout, String) {
    let reg = Distribution::start(bin, false);
    let layout = Layout::open(&corpus::layout("multi4-fourth-trusted"));
    layout
        .push(&Pusher::new(&reg.addr, None), "corpus/multi4", "v1")
        .await;
    let subject = layout.tagged("v1")["digest"].as_str().unwrap().to_owned();
    (reg, layout, subject)
}

/// Runs the CLI, isolated; returns (exit code, stdout, stderr).
async fn fluxverify(args: Vec<String>) -> (i32, String, String) {
    cli::fluxverify(args).output().await.into()
}

/// The corpus, pushed into docker-registry, verifies through the registry with the verdicts and
/// error texts notation-go v1.3.2 gave (as Flux and as the notation CLI) for the same artifacts.
#[tokio::test]
#[cfg_attr(
    feature = "skip-registry-tests",
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1"
)]
async fn corpus_verdicts_through_docker_registry_match_observed() {
    let bin = distribution::binary();
    let reg = Distribution::start(&bin, false);
    let corpus = vectors().join("corpus");
    let cases: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(corpus.join("cases.json")).unwrap()).unwrap();
    assert!(cases.len() >= 6);
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let artifact = case["artifact"].as_str().unwrap();
        let layout = Layout::open(&corpus.join("layouts").join(artifact));
        layout
            .push(
                &Pusher::new(&reg.addr, None),
                &format!("corpus/{artifact}"),
                "v1",
            )
            .await;
        let reference = case["ref"]
            .as_str()
            .unwrap()
            .replace("${REGISTRY}", &reg.addr);
        let secret = corpus.join("cases").join(id).join("secret.yaml");
        for mode in ["flux", "notation"] {
            let (code, stdout, stderr) = fluxverify(vec![
                "verify".into(),
                "--plain-http".into(),
                "--mode".into(),
                mode.into(),
                "--secret".into(),
                secret.display().to_string(),
                "-o".into(),
                "json".into(),
                reference.clone(),
            ])
            .await;
            let observed = &case["observed"][mode];
            let want_error = observed["error"]
                .as_str()
                .unwrap()
                .replace("127.0.0.1:5091", &reg.addr);
            let want_code = match (mode, observed["flux_result"].as_str()) {
                ("flux", Some("Success")) => 0,
                ("flux", Some("Ignored")) => 3,
                ("flux", _) => 1,
                (_, _) if want_error.is_empty() => 0,
                _ => 1,
            };
            assert_eq!(
                code, want_code,
                "{id} ({mode}): stdout {stdout}\nstderr {stderr}"
            );
            let report: serde_json::Value = serde_json::from_str(&stdout)
                .unwrap_or_else(|e| panic!("{id} ({mode}): {e}: {stdout} {stderr}"));
            let got_error = report["error"].as_str().unwrap_or("");
            assert_eq!(got_error, want_error, "{id} ({mode})");
            assert_eq!(
                report["artifact"]["digest"], case["subject_digest"],
                "{id} ({mode})"
            );
        }
    }
}

/// The Flux docs' shape (Namespace + OCIRepository + Secret in one file) against an artifact in
/// the local registry: semver selection over the listed tags, `insecure` as plain HTTP, the
/// Secret found by `verify.secretRef` in the OCIRepository's namespace.
#[tokio::test]
#[cfg_attr(
    feature = "skip-registry-tests",
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1"
)]
async fn flux_docs_example_verifies_with_ocirepository() {
    let bin = distribution::binary();
    let reg = Distribution::start(&bin, false);
    let corpus = vectors().join("corpus");
    let layout = Layout::open(&corpus.join("layouts/m-rsa2048-c2-jws"));
    let pusher = Pusher::new(&reg.addr, None);
    layout
        .push(&pusher, "stefanprodan/manifests/podinfo", "v1")
        .await;
    let subject = layout.tagged("v1");
    let subject_bytes = layout.blob(subject["digest"].as_str().unwrap());
    for tag in ["6.5.4", "6.6.1", "6.6.3", "6.7.0", "latest"] {
        pusher
            .manifest(
                "stefanprodan/manifests/podinfo",
                tag,
                testreg::OCI_MANIFEST,
                &subject_bytes,
            )
            .await;
    }
    let secret: serde_json::Value = serde_norway::from_str(
        &std::fs::read_to_string(corpus.join("cases/m-rsa2048-c2-jws--strict/secret.yaml"))
            .unwrap(),
    )
    .unwrap();
    let data: Vec<String> = secret["data"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| format!("  {k}: {}", v.as_str().unwrap()))
        .collect();
    let example = format!(
        "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: source-system\n---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: podinfo\n  namespace: source-system\nspec:\n  interval: 5m\n  insecure: true\n  url: oci://{}/stefanprodan/manifests/podinfo\n  ref:\n    semver: \"6.6.x\"\n  verify:\n    provider: notation\n    secretRef:\n      name: notation-config\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: notation-config\n  namespace: source-system\ntype: Opaque\ndata:\n{}\n",
        reg.addr,
        data.join("\n")
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("example.yaml");
    std::fs::write(&file, example).unwrap();
    let digest = subject["digest"].as_str().unwrap();

    let (code, stdout, stderr) = fluxverify(vec![
        "verify".into(),
        "--ocirepository".into(),
        file.display().to_string(),
    ])
    .await;
    assert_eq!(code, 0, "stdout {stdout}\nstderr {stderr}");
    assert!(
        stdout.contains(&format!(
            "SourceVerified True Succeeded: verified signature of revision 6.6.3@{digest}"
        )),
        "{stdout}"
    );

    let (code, stdout, _) = fluxverify(vec![
        "verify".into(),
        "--ocirepository".into(),
        file.display().to_string(),
        "-o".into(),
        "json".into(),
    ])
    .await;
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["revision"], format!("6.6.3@{digest}"));
    assert_eq!(
        report["artifactReference"],
        format!("{}/stefanprodan/manifests/podinfo@{digest}", reg.addr)
    );

    // No matching tag: Flux's message, before any verification.
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("6.6.x", "7.x");
    std::fs::write(&file, text).unwrap();
    let (code, _, stderr) = fluxverify(vec![
        "verify".into(),
        "--ocirepository".into(),
        file.display().to_string(),
    ])
    .await;
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!("failed to determine the artifact tag for 'oci://{}/stefanprodan/manifests/podinfo': no match found for semver: 7.x", reg.addr)),
        "{stderr}"
    );
}

/// TLS is the default; `--ca-file` adds a trusted root, `--insecure-skip-tls-verify` skips the
/// check, and nothing falls back to plain HTTP.
#[tokio::test]
#[cfg_attr(
    any(feature = "skip-registry-tests", feature = "skip-openssl-tests"),
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1; and openssl: left out by FLUXVERIFY_SKIP_OPENSSL_TESTS=1"
)]
async fn tls_by_default_with_ca_file_or_skip_verify() {
    let bin = distribution::binary();
    external::OPENSSL.require();
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key) = distribution::tls_material(certs.path());
    let reg = Distribution::start_with(&bin, false, Some((&cert, &key)));
    let tls = |ca_file: Option<PathBuf>, skip: bool| RegistryOptions {
        ca_file,
        insecure_skip_tls_verify: skip,
        credentials: CredentialSource::Anonymous,
        request_timeout: Duration::from_secs(10),
        ..Default::default()
    };
    let missing = format!("sha256:{}", "0".repeat(64));
    // The registry answers 404 for an unknown manifest: reaching that answer proves the TLS
    // handshake succeeded.
    let with_ca = RegistryClient::new(&reg.addr, "app", tls(Some(ca.clone()), false)).unwrap();
    let e = with_ca.resolve(&missing).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let skip = RegistryClient::new(&reg.addr, "app", tls(None, true)).unwrap();
    assert!(skip.resolve(&missing).await.unwrap_err().is_not_found());
    let untrusted = RegistryClient::new(&reg.addr, "app", tls(None, false)).unwrap();
    let e = untrusted.resolve(&missing).await.unwrap_err();
    assert!(matches!(e, RegistryError::Send { .. }), "{e}");
    // Go's words for a chain to no trusted root, as oras-go returns them.
    assert!(
        e.to_string().ends_with(
            ": tls: failed to verify certificate: x509: certificate signed by unknown authority"
        ),
        "{e}"
    );
    assert!(e.to_string().starts_with("Head \"https://"), "{e}");
    let plain = RegistryClient::new(&reg.addr, "app", anonymous()).unwrap();
    assert!(!plain.resolve(&missing).await.unwrap_err().is_not_found());
    let bad = certs.path().join("bad.pem");
    std::fs::write(&bad, "not a certificate").unwrap();
    let e = RegistryClient::new(&reg.addr, "app", tls(Some(bad), false)).unwrap_err();
    assert!(e.to_string().contains("CA certificate file"), "{e}");
}

/// The upstream notation e2e cases (`oci-layout-verify`): each layout pushed into its own
/// docker-registry under the repository the case names, verified through the CLI with the case's trust policy
/// (scopes naming `localhost:5000` rewritten to the registry's address, in the expectation
/// too) and trust stores, in both modes: exit code and error text as observed.
#[tokio::test]
#[cfg_attr(
    any(feature = "skip-registry-tests", not(feature = "upstream-vectors")),
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1; and ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
async fn upstream_e2e_verdicts_through_docker_registry_match_observed() {
    let bin = distribution::binary();
    let upstream = upstream::upstream_vectors();
    let all: serde_json::Value =
        serde_json::from_slice(&std::fs::read(upstream.join("cases.json")).unwrap()).unwrap();
    let cases: Vec<&serde_json::Value> = all["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "oci-layout-verify")
        .collect();
    assert!(cases.len() >= 40, "{}", cases.len());
    let work = tempfile::tempdir().unwrap();
    let mut registries: std::collections::HashMap<String, Distribution> =
        std::collections::HashMap::new();
    let mut pushed = std::collections::HashSet::new();
    let mut mismatches = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let layout_path = case["verify"]["oci_layout"].as_str().unwrap().to_owned();
        if !registries.contains_key(&layout_path) {
            registries.insert(layout_path.clone(), Distribution::start(&bin, false));
        }
        let addr = registries[&layout_path].addr.clone();
        let reference = case["verify"]["reference"]
            .as_str()
            .unwrap()
            .replace("localhost:5000", &addr);
        let repo = reference
            .split_once('/')
            .unwrap()
            .1
            .split('@')
            .next()
            .unwrap()
            .to_owned();
        if pushed.insert((layout_path.clone(), repo.clone())) {
            Layout::open(&upstream.join(&layout_path))
                .push(&Pusher::new(&addr, None), &repo, "v1")
                .await;
        }
        let policy_text =
            std::fs::read_to_string(upstream.join(case["trust_policy"].as_str().unwrap()))
                .unwrap()
                .replace("localhost:5000", &addr);
        let policy = work.path().join(format!("{id}.json"));
        std::fs::write(&policy, policy_text).unwrap();
        let mut stores: Vec<(String, String)> = Vec::new();
        for (key, files) in case["trust_stores"]
            .as_object()
            .cloned()
            .unwrap_or_default()
        {
            for f in files.as_array().unwrap() {
                stores.push((
                    key.clone(),
                    upstream.join(f.as_str().unwrap()).display().to_string(),
                ));
            }
        }
        for mode in ["flux", "notation"] {
            let mut args: Vec<String> = vec![
                "verify".into(),
                "--plain-http".into(),
                "--mode".into(),
                mode.into(),
                "-o".into(),
                "json".into(),
                "--trust-policy".into(),
                policy.display().to_string(),
            ];
            let mut seen = Vec::new();
            for (key, file) in &stores {
                let value = if mode == "notation" {
                    format!("{key}={file}")
                } else {
                    file.clone()
                };
                if !seen.contains(&value) {
                    args.push("--certs".into());
                    args.push(value.clone());
                    seen.push(value);
                }
            }
            args.push(reference.clone());
            let (code, stdout, stderr) = fluxverify(args).await;
            let observed = &case["observed"][mode];
            let want_error = observed["error"]
                .as_str()
                .unwrap_or("")
                .replace("localhost:5000", &addr);
            let want_code = match (mode, observed["flux_result"].as_str()) {
                ("flux", Some("Success")) => 0,
                ("flux", Some("Ignored")) => 3,
                ("flux", _) => 1,
                _ if want_error.is_empty() => 0,
                _ => 1,
            };
            let report: Option<serde_json::Value> = serde_json::from_str(&stdout).ok();
            let got_error = report
                .as_ref()
                .and_then(|r| r["error"].as_str().map(str::to_owned))
                .unwrap_or_default();
            if code != want_code || got_error != want_error {
                mismatches.push(format!("{id} ({mode}): exit {code} want {want_code}\n  got:  {got_error}\n  want: {want_error}\n  stderr: {stderr}"));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// A registry that refuses the connection fails in Go's words, the way oras-go returns them
/// (`*url.Error` around `net.OpError`), on plain HTTP and on HTTPS alike.
#[tokio::test]
async fn a_refused_connection_reads_as_go_prints_it() {
    // A port that was just free: nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let digest = format!("sha256:{}", "0".repeat(64));
    for plain_http in [true, false] {
        let mut opts = anonymous();
        opts.plain_http = plain_http;
        let client = RegistryClient::new(&format!("127.0.0.1:{port}"), "app", opts).unwrap();
        let e = client.resolve(&digest).await.unwrap_err();
        let scheme = if plain_http { "http" } else { "https" };
        assert_eq!(
            e.to_string(),
            format!("Head \"{scheme}://127.0.0.1:{port}/v2/app/manifests/{digest}\": dial tcp 127.0.0.1:{port}: connect: connection refused")
        );
        assert!(matches!(e, RegistryError::Send { .. }), "{e:?}");
    }
}
