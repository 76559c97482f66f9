//! `--refresh-root`: the TUF update of the public-good trusted root, against TUF repositories
//! made here with tough's editor and self-made keys, served over 127.0.0.1 (the hidden
//! `--tuf-url` override), the cache under a temporary XDG_CACHE_HOME.
//!
//! The served `trusted_root.json` is the keyless sample's self-made Sigstore root, so that the
//! refresh is visible: before it, the sample's classic signature fails against the shipped
//! public-good root; after it, the same command (no `--trusted-root`) verifies with the cached
//! root.

use assert_cmd::Command;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use serde_json::Value;
use std::collections::HashMap;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};
use tough::editor::signed::{PathExists, SignedRole};
use tough::editor::RepositoryEditor;
use tough::key_source::{KeySource, LocalKeySource};
use tough::schema::{KeyHolder, RoleKeys, RoleType, Root};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/keyless-sample")
}

fn days(n: i64) -> jiff::Timestamp {
    jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(24 * n))
        .unwrap()
}

/// A new P-256 key written as PKCS #8 DER, as tough's `LocalKeySource` reads it.
fn new_key(dir: &Path, name: &str) -> PathBuf {
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &SystemRandom::new())
        .unwrap();
    let path = dir.join(format!("{name}.pk8"));
    std::fs::write(&path, pkcs8.as_ref()).unwrap();
    path
}

/// The signing key sources of key files.
fn keys(paths: &[&PathBuf]) -> Vec<Box<dyn KeySource>> {
    paths
        .iter()
        .map(|p| Box::new(LocalKeySource { path: (*p).clone() }) as Box<dyn KeySource>)
        .collect()
}

/// Root `version` with `key` in every role, signed by `signers`.
async fn root(
    version: u64,
    key: &PathBuf,
    signers: &[Box<dyn KeySource>],
    holder: Option<&Root>,
) -> (Root, Vec<u8>) {
    let tuf_key = keys(&[key])[0].as_sign().await.unwrap().tuf_key();
    let id = tuf_key.key_id().unwrap();
    let role = RoleKeys {
        keyids: vec![id.clone()],
        threshold: NonZeroU64::new(1).unwrap(),
        _extra: HashMap::new(),
    };
    let root = Root {
        spec_version: "1.0.0".into(),
        consistent_snapshot: true,
        version: NonZeroU64::new(version).unwrap(),
        expires: days(365),
        keys: HashMap::from([(id, tuf_key)]),
        roles: [
            RoleType::Root,
            RoleType::Snapshot,
            RoleType::Targets,
            RoleType::Timestamp,
        ]
        .into_iter()
        .map(|r| (r, role.clone()))
        .collect(),
        _extra: HashMap::new(),
    };
    // Signed by the new root's keys, and (a rotation) by the previous root's too: tough checks
    // a new root against both.
    let mut holders = vec![root.clone()];
    holders.extend(holder.cloned());
    let mut merged: Option<serde_json::Value> = None;
    for holder in holders {
        let signed = SignedRole::new(
            root.clone(),
            &KeyHolder::Root(holder),
            signers,
            &SystemRandom::new(),
        )
        .await
        .unwrap();
        let value: serde_json::Value = serde_json::from_slice(signed.buffer()).unwrap();
        match &mut merged {
            None => merged = Some(value),
            Some(m) => {
                let more = value["signatures"].as_array().unwrap().clone();
                m["signatures"].as_array_mut().unwrap().extend(more);
            }
        }
    }
    (root, serde_json::to_vec(&merged.unwrap()).unwrap())
}

/// Writes a TUF repository into `repo`: the root chain files, then timestamp, snapshot and
/// targets signed with `keys` (the last root's), `trusted_root.json` as the one target.
async fn publish(
    work: &Path,
    repo: &Path,
    root_path: &Path,
    keys: &[Box<dyn KeySource>],
    timestamp_expires: jiff::Timestamp,
    version: u64,
) {
    let one = NonZeroU64::new(version).unwrap();
    let target = work.join("targets-in");
    std::fs::create_dir_all(&target).unwrap();
    let source = target.join("trusted_root.json");
    std::fs::copy(sample().join("roots/good/trusted_root.json"), &source).unwrap();
    let mut editor = RepositoryEditor::new(root_path).await.unwrap();
    editor
        .snapshot_version(one)
        .snapshot_expires(days(30))
        .timestamp_version(one)
        .timestamp_expires(timestamp_expires)
        .targets_version(one)
        .unwrap()
        .targets_expires(days(30))
        .unwrap();
    editor.add_target_path(&source).await.unwrap();
    let signed = editor.sign(keys).await.unwrap();
    signed.write(repo).await.unwrap();
    let targets = repo.join("targets");
    std::fs::create_dir_all(&targets).unwrap();
    signed
        .copy_targets(&target, &targets, PathExists::Replace)
        .await
        .unwrap();
}

/// Serves `dir` over 127.0.0.1; the base URL.
async fn serve(dir: PathBuf) -> String {
    use axum::extract::{Path as UrlPath, State};
    use axum::http::StatusCode;
    async fn file(
        State(dir): State<PathBuf>,
        UrlPath(path): UrlPath<String>,
    ) -> Result<Vec<u8>, StatusCode> {
        if path.contains("..") {
            return Err(StatusCode::BAD_REQUEST);
        }
        std::fs::read(dir.join(path)).map_err(|_| StatusCode::NOT_FOUND)
    }
    let app = axum::Router::new()
        .route("/{*path}", axum::routing::get(file))
        .with_state(dir);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// Runs fluxverify with the cache under `cache` (HOME too, so that no real cache is read).
fn run(cache: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("fluxverify")
        .unwrap()
        .env("XDG_CACHE_HOME", cache)
        .env("HOME", cache)
        .env_remove("FLUXVERIFY_TUF_URL")
        .env_remove("FLUXVERIFY_TUF_ROOT")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The sample's classic case, verified offline from its layout with the default root.
fn verify_sample(cache: &Path, extra: &[&str]) -> (i32, Value, String) {
    let layout = sample().join("layouts/sample-legacy");
    let mut args = vec![
        "verify",
        "v1",
        "--oci-layout",
        layout.to_str().unwrap(),
        "--scope",
        "127.0.0.1:5098/keyless/sample-legacy",
        "--provider",
        "cosign",
        "--certificate-identity-regexp",
        "^https://github\\.com/acme/app/\\.github/workflows/release\\.yml@refs/tags/v.*$",
        "--certificate-oidc-issuer-regexp",
        "^https://token\\.actions\\.githubusercontent\\.com$",
        "-o",
        "json",
    ];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(cache, &args);
    let report = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (code, report, stderr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_root_through_a_loopback_tuf_repository() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let key_a = new_key(w, "a");
    let keys_a = keys(&[&key_a]);
    let (root1, root1_bytes) = root(1, &key_a, &keys_a, None).await;
    let bootstrap = w.join("bootstrap-root.json");
    std::fs::write(&bootstrap, &root1_bytes).unwrap();

    // A good repository, then one rotated to root 2 (key B, signed by A and B).
    let good = w.join("good");
    std::fs::create_dir_all(&good).unwrap();
    publish(w, &good, &bootstrap, &keys_a, days(1), 1).await;
    let key_b = new_key(w, "b");
    let rotated = w.join("rotated");
    std::fs::create_dir_all(&rotated).unwrap();
    std::fs::write(rotated.join("1.root.json"), &root1_bytes).unwrap();
    let signers_ab = keys(&[&key_a, &key_b]);
    let (_root2, root2_bytes) = root(2, &key_b, &signers_ab, Some(&root1)).await;
    let root2_path = w.join("root2.json");
    std::fs::write(&root2_path, &root2_bytes).unwrap();
    let keys_b = keys(&[&key_b]);
    publish(w, &rotated, &root2_path, &keys_b, days(1), 2).await;
    std::fs::write(rotated.join("2.root.json"), &root2_bytes).unwrap();

    // Broken ones: a tampered target, an expired timestamp, a root 2 signed by a key root 1
    // does not name.
    let tampered = w.join("tampered");
    std::fs::create_dir_all(&tampered).unwrap();
    publish(w, &tampered, &bootstrap, &keys_a, days(1), 1).await;
    for entry in std::fs::read_dir(tampered.join("targets")).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 0x20;
        std::fs::write(&path, bytes).unwrap();
    }
    let expired = w.join("expired");
    std::fs::create_dir_all(&expired).unwrap();
    publish(w, &expired, &bootstrap, &keys_a, days(-1), 1).await;
    let wrong = w.join("wrong-root");
    std::fs::create_dir_all(&wrong).unwrap();
    let key_c = new_key(w, "c");
    let (_, root2_wrong) = root(2, &key_c, &keys(&[&key_c]), None).await;
    let wrong_root_path = w.join("root2-wrong.json");
    std::fs::write(&wrong_root_path, &root2_wrong).unwrap();
    publish(w, &wrong, &wrong_root_path, &keys(&[&key_c]), days(1), 1).await;
    std::fs::write(wrong.join("2.root.json"), &root2_wrong).unwrap();

    let base = serve(w.to_path_buf()).await;
    let work_path = w.to_path_buf();
    let bootstrap_arg = bootstrap.display().to_string();
    tokio::task::spawn_blocking(move || {
        let w = work_path.as_path();
        let tuf = |name: &str| format!("{base}/{name}");
        let refresh = |cache: &Path, repo: &str| {
            verify_sample(
                cache,
                &[
                    "--refresh-root",
                    "--tuf-url",
                    &tuf(repo),
                    "--tuf-root",
                    &bootstrap_arg,
                ],
            )
        };

        // Refused updates say why, fail before any verification, and leave no cache.
        for (repo, why) in [
            ("tampered", "TUF update from"),
            ("expired", "timestamp metadata is expired"),
            ("wrong-root", "TUF update from"),
        ] {
            let cache = w.join(format!("cache-{repo}"));
            let (code, report, _) = refresh(&cache, repo);
            assert_eq!(code, 2, "{repo}: {report:#}");
            // The run stops at the refresh: an error, no verdict.
            assert_eq!(report["result"], "error", "{repo}");
            assert_eq!(report["keyless"], Value::Null, "{repo}");
            let error = report["error"].as_str().unwrap();
            assert!(error.contains(why), "{repo}: {error}");
            assert!(
                !cache.join("fluxverify/sigstore/trusted_root.json").exists(),
                "{repo}"
            );
        }
        let (_, report, _) = refresh(&w.join("cache-tampered"), "tampered");
        let error = report["error"].as_str().unwrap();
        assert!(error.contains("Hash mismatch"), "{report:#}");
        assert!(
            error.contains("(the chain of roots started from the TUF root given with --tuf-root)"),
            "{error}"
        );
        let (_, report, _) = refresh(&w.join("cache-wrong-root"), "wrong-root");
        assert!(
            report["error"]
                .as_str()
                .unwrap()
                .contains("Signature threshold of 1 not met for role root"),
            "{report:#}"
        );

        // --offline and --refresh-root: refused.
        let cache = w.join("cache");
        let tree = w.join("tree");
        std::fs::create_dir_all(&tree).unwrap();
        let (code, _, stderr) = run(
            &cache,
            &[
                "scan",
                tree.to_str().unwrap(),
                "--offline",
                "--refresh-root",
            ],
        );
        assert_eq!(code, 2);
        assert!(stderr.contains("--offline fetches nothing"), "{stderr}");
        // Without --tuf-root or a cached root, the chain starts from the TUF root shipped with
        // fluxverify: Sigstore's, which does not sign this repository's metadata.
        let (code, report, _) =
            verify_sample(&cache, &["--refresh-root", "--tuf-url", &tuf("good")]);
        assert_eq!(code, 2);
        let error = report["error"].as_str().unwrap();
        assert!(
            error.starts_with(&format!("TUF update from {} refused (the chain of roots started from the TUF root shipped with fluxverify (Sigstore's public-good TUF root v10, sigstore/root-signing metadata/root_history/10.root.json @ 7038bd286009aa0355a116b6e4f478dbfcfc93ee)): ", tuf("good/"))),
            "{error}"
        );
        // Sigstore's root 10 has expired, and this repository has no 11.root.json to move on to.
        assert!(error.ends_with("): root metadata is expired"), "{error}");
        assert!(!cache.join("fluxverify/sigstore/trusted_root.json").exists());

        // Before any refresh: the shipped public-good root, which does not know the sample's
        // Sigstore.
        let (_, stdout, _) = run(&cache, &["version"]);
        assert!(
            stdout.contains("the snapshot shipped with fluxverify"),
            "{stdout}"
        );
        assert!(
            stdout.contains("TUF root a --refresh-root starts from: the TUF root shipped with fluxverify (Sigstore's public-good TUF root v10"),
            "{stdout}"
        );
        let (code, report, _) = verify_sample(&cache, &[]);
        assert_eq!(report["result"], "failed", "{report:#}");
        assert_eq!(code, 1);

        // The refresh, then later runs use the cache (no flag, nothing fetched).
        let (code, report, stderr) = refresh(&cache, "good");
        assert_eq!(report["result"], "verified", "{report:#}\n{stderr}");
        assert_eq!(code, 0);
        let dir = cache.join("fluxverify/sigstore");
        assert_eq!(
            std::fs::read(dir.join("trusted_root.json")).unwrap(),
            std::fs::read(sample().join("roots/good/trusted_root.json")).unwrap()
        );
        let (code, report, _) = verify_sample(&cache, &[]);
        assert_eq!(report["result"], "verified", "{report:#}");
        assert!(
            report["keyless"]["trustedRoot"]
                .as_str()
                .unwrap()
                .contains(&format!("refreshed through TUF from {}", tuf("good/"))),
            "{report:#}"
        );
        assert_eq!(code, 0);
        let (_, stdout, _) = run(&cache, &["version"]);
        assert!(stdout.contains("refreshed through TUF from"), "{stdout}");
        assert!(stdout.contains("TUF root v1, timestamp v1"), "{stdout}");
        assert!(
            stdout.contains("TUF root a --refresh-root starts from: the cached TUF root "),
            "{stdout}"
        );

        // A rotated repository: the chain goes from the cached root 1 to root 2 (no bootstrap
        // needed any more), and the cache keeps root 2.
        let (code, report, stderr) =
            verify_sample(&cache, &["--refresh-root", "--tuf-url", &tuf("rotated")]);
        assert_eq!(report["result"], "verified", "{report:#}\n{stderr}");
        assert_eq!(code, 0);
        let cached_root: Value =
            serde_json::from_slice(&std::fs::read(dir.join("root.json")).unwrap()).unwrap();
        assert_eq!(cached_root["signed"]["version"], 2);
        let (_, stdout, _) = run(&cache, &["version"]);
        assert!(stdout.contains("TUF root v2, timestamp v2"), "{stdout}");
    })
    .await
    .unwrap();
}
