//! Keyless cosign: the five cases of `../shared/keyless-sample/` (artifacts signed in both
//! formats by a self-made Sigstore, results from source-controller v1.9.1's own cosign code)
//! through the real distribution registry, as `verify --ocirepository` and as `scan`; the
//! public-good bundles of `../shared/sigstore/` against the shipped root.

use super::distribution::{self, Distribution, Layout, Pusher};
use super::testreg::TestRegistry;
use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The host the sample's manifests name; replaced by the test registry's.
const SAMPLE_HOST: &str = "127.0.0.1:5098";

fn shared(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(dir)
}

fn sample() -> PathBuf {
    shared("keyless-sample")
}

fn cases() -> Vec<Value> {
    serde_json::from_slice(&std::fs::read(sample().join("cases.json")).unwrap()).unwrap()
}

/// Pushes one manifest (its config and layers first) by digest, and under `tag`.
async fn push_manifest(pusher: &Pusher, repo: &str, layout: &Layout, d: &Value) {
    let digest = d["digest"].as_str().unwrap();
    let media_type = d["mediaType"].as_str().unwrap();
    let bytes = layout.blob(digest);
    let parsed: Value = serde_json::from_slice(&bytes).unwrap();
    if media_type == "application/vnd.oci.image.index.v1+json" {
        // The registry refuses an index whose manifests it lacks.
        for child in parsed["manifests"].as_array().cloned().unwrap_or_default() {
            Box::pin(push_manifest(pusher, repo, layout, &child)).await;
        }
    } else {
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
    }
    pusher.manifest(repo, digest, media_type, &bytes).await;
    if let Some(tag) = d["annotations"]["org.opencontainers.image.ref.name"].as_str() {
        pusher.manifest(repo, tag, media_type, &bytes).await;
    }
}

/// The layouts as copied from the registry they were signed in: tags, the classic `.sig`
/// image and the referrers tag-schema index `sha256-<hex>` (distribution 2.8 has no
/// referrers API, so bundles are found through that index, as cosign finds them).
async fn push_sample(pusher: &Pusher) {
    for entry in std::fs::read_dir(sample().join("layouts")).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
        let layout = Layout::open(&dir);
        for d in layout.manifests() {
            push_manifest(pusher, &format!("keyless/{name}"), &layout, &d).await;
        }
    }
}

fn fluxverify(args: &[&str]) -> (i32, Value, String) {
    let out = Command::cargo_bin("fluxverify")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let all = format!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, all)
}

/// A copy of `file` naming `host` instead of the sample's registry.
fn retarget(file: &Path, host: &str, work: &Path, name: &str) -> PathBuf {
    let text = std::fs::read_to_string(file)
        .unwrap()
        .replace(SAMPLE_HOST, host);
    let out = work.join(name);
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    std::fs::write(&out, text).unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    feature = "skip-registry-tests",
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1"
)]
async fn keyless_sample_cases_through_distribution() {
    let binary = distribution::binary();
    let reg = Distribution::start(&binary, false);
    push_sample(&Pusher::new(&reg.addr, None)).await;
    let host = reg.addr.clone();
    tokio::task::spawn_blocking(move || {
        let work = tempfile::tempdir().unwrap();
        let all = cases();
        assert_eq!(all.len(), 5);
        for case in &all {
            let id = case["id"].as_str().unwrap();
            let dir = sample().join("cases").join(id);
            let manifest = retarget(
                &dir.join("ocirepository.yaml"),
                &host,
                work.path(),
                &format!("{id}.yaml"),
            );
            let secret = dir.join("secret.yaml");
            let (code, report, all) = fluxverify(&[
                "verify",
                "--ocirepository",
                manifest.to_str().unwrap(),
                "--secret",
                secret.to_str().unwrap(),
                "-o",
                "json",
            ]);
            let expected = &case["expected"];
            let fill = |v: &Value| -> Value {
                serde_json::from_str(&v.to_string().replace(SAMPLE_HOST, &host)).unwrap()
            };
            assert_eq!(report["result"], expected["result"], "{id}: {all}");
            assert_eq!(report["error"], fill(&expected["error"]), "{id}: {all}");
            assert_eq!(
                report["condition"],
                fill(&expected["condition"]),
                "{id}: {all}"
            );
            let want = if expected["result"] == "verified" {
                0
            } else {
                1
            };
            assert_eq!(code, want, "{id}: exit code\n{all}");
        }

        // The same cases as a repository tree, each in its namespace, through `scan`.
        let tree = work.path().join("tree");
        for case in &all {
            let id = case["id"].as_str().unwrap();
            retarget(
                &sample().join("tree").join(id).join("source.yaml"),
                &host,
                &tree,
                &format!("{id}/source.yaml"),
            );
        }
        let (code, report, all) = fluxverify(&["scan", "-o", "json", tree.to_str().unwrap()]);
        assert_eq!(code, 1, "failures present: {all}");
        let rows = report["resources"].as_array().unwrap();
        assert_eq!(rows.len(), 5, "{all}");
        for case in &all_cases_by_id() {
            let (id, expected) = case;
            let row = rows
                .iter()
                .find(|r| r["name"] == id.as_str() && r["kind"] == "OCIRepository")
                .unwrap_or_else(|| panic!("{id}: no row\n{all}"));
            assert_eq!(row["result"], expected["result"], "{id}: {row:#}");
            assert_eq!(
                row["condition"]["message"], expected["condition"]["message"],
                "{id}: {row:#}"
            );
        }
    })
    .await
    .unwrap();
}

/// The layouts in the in-process registry, bundles served by its referrers API (the
/// tag-schema index's entries become referrers of their subject; the index itself is left out).
fn push_sample_with_referrers(reg: &TestRegistry) {
    for entry in std::fs::read_dir(sample().join("layouts")).unwrap() {
        let dir = entry.unwrap().path();
        let repo = format!("keyless/{}", dir.file_name().unwrap().to_str().unwrap());
        for blob in std::fs::read_dir(dir.join("blobs/sha256")).unwrap() {
            reg.put_blob(&std::fs::read(blob.unwrap().path()).unwrap());
        }
        let layout = Layout::open(&dir);
        for d in layout.manifests() {
            let bytes = layout.blob(d["digest"].as_str().unwrap());
            let tag = d["annotations"]["org.opencontainers.image.ref.name"].as_str();
            if d["mediaType"] == "application/vnd.oci.image.index.v1+json" {
                let subject = tag.unwrap().replacen('-', ":", 1);
                let index: Value = serde_json::from_slice(&bytes).unwrap();
                for child in index["manifests"].as_array().unwrap() {
                    let child_bytes = layout.blob(child["digest"].as_str().unwrap());
                    reg.put_manifest(
                        &repo,
                        child["mediaType"].as_str().unwrap(),
                        &child_bytes,
                        None,
                    );
                    reg.add_referrer(&repo, &subject, child.clone());
                }
                continue;
            }
            reg.put_manifest(&repo, d["mediaType"].as_str().unwrap(), &bytes, tag);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyless_sample_cases_through_the_referrers_api() {
    let reg = TestRegistry::start().await;
    push_sample_with_referrers(&reg);
    let host = reg.host();
    tokio::task::spawn_blocking(move || {
        let work = tempfile::tempdir().unwrap();
        for case in &cases() {
            let id = case["id"].as_str().unwrap();
            let dir = sample().join("cases").join(id);
            let manifest = retarget(
                &dir.join("ocirepository.yaml"),
                &host,
                work.path(),
                &format!("{id}.yaml"),
            );
            let secret = dir.join("secret.yaml");
            let (code, report, all) = fluxverify(&[
                "verify",
                "--ocirepository",
                manifest.to_str().unwrap(),
                "--secret",
                secret.to_str().unwrap(),
                "-o",
                "json",
            ]);
            let expected = &case["expected"];
            assert_eq!(report["result"], expected["result"], "{id}: {all}");
            assert_eq!(report["error"], expected["error"], "{id}: {all}");
            assert_eq!(report["condition"], expected["condition"], "{id}: {all}");
            assert_eq!(
                code,
                if expected["result"] == "verified" {
                    0
                } else {
                    1
                },
                "{id}"
            );
        }
    })
    .await
    .unwrap();
    let log = reg.requests();
    assert!(log.iter().any(|r| r.path_and_query.contains("/referrers/")));
}

fn all_cases_by_id() -> Vec<(String, Value)> {
    cases()
        .into_iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c["expected"].clone()))
        .collect()
}

#[test]
fn keyless_flags_on_a_layout_give_the_cases_verdicts() {
    // `verify REF --provider cosign` with cosign's identity flags and --trusted-root, on the
    // layouts themselves (offline): the verdicts of the manifests' cases.
    let schema: Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema/verify.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let root = sample().join("roots/good/trusted_root.json");
    for case in cases() {
        let id = case["id"].as_str().unwrap();
        let artifact = case["artifact"].as_str().unwrap();
        let mut args = vec![
            "verify".to_owned(),
            "v1".into(),
            "--oci-layout".into(),
            sample()
                .join("layouts")
                .join(artifact)
                .display()
                .to_string(),
            "--scope".into(),
            format!("{SAMPLE_HOST}/keyless/{artifact}"),
            "--verify-provider".into(),
            "cosign".into(),
            "--trusted-root".into(),
            root.display().to_string(),
            "-o".into(),
            "json".into(),
        ];
        for identity in case["identities"].as_array().unwrap() {
            args.push("--certificate-identity-regexp".into());
            args.push(identity["subject"].as_str().unwrap().into());
            args.push("--certificate-oidc-issuer-regexp".into());
            args.push(identity["issuer"].as_str().unwrap().into());
        }
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, report, all) = fluxverify(&argv);
        assert!(
            validator.is_valid(&report),
            "{id}: the report does not match the schema: {all}"
        );
        let signer = &report["keyless"]["signatures"][0]["signer"];
        assert_eq!(
            signer["issuer"], "https://token.actions.githubusercontent.com",
            "{id}"
        );
        assert_eq!(
            signer["subject"],
            "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0",
            "{id}"
        );
        let expected = &case["expected"];
        assert_eq!(report["result"], expected["result"], "{id}: {all}");
        assert_eq!(report["error"], expected["error"], "{id}: {all}");
        assert_eq!(report["condition"], expected["condition"], "{id}: {all}");
        assert_eq!(
            code,
            if expected["result"] == "verified" {
                0
            } else {
                1
            },
            "{id}"
        );
    }

    // The other Sigstore's root trusts none of it.
    let other = sample().join("roots/other/trusted_root.json");
    let layout = sample().join("layouts/sample-bundle");
    let (code, report, all) = fluxverify(&[
        "verify",
        "v1",
        "--oci-layout",
        layout.to_str().unwrap(),
        "--scope",
        "r.example/keyless/sample-bundle",
        "--verify-provider",
        "cosign",
        "--trusted-root",
        other.to_str().unwrap(),
        "--certificate-identity-regexp",
        ".*",
        "--certificate-oidc-issuer-regexp",
        ".*",
        "-o",
        "json",
    ]);
    assert_eq!(code, 1, "{all}");
    assert_eq!(
        report["error"],
        "no matching attestations: failed to verify log inclusion: not enough verified log entries from transparency log: 0 < 1",
        "{all}"
    );
}

mod public_good {
    //! The real public-good bundles: chain, SCT and Rekor entry on real material.
    use super::shared;
    use fluxverify::cosign::keyless::entity::{self, ArtifactPolicy};
    use fluxverify::cosign::keyless::identity::Identity;
    use fluxverify::cosign::keyless::root::TrustedRoot;

    fn check(file: &str, issuer: &str, subject: &str) -> Result<entity::Verified, String> {
        let bytes = std::fs::read(shared("sigstore").join(file)).unwrap();
        let root = TrustedRoot::public_good().unwrap();
        let e = entity::parse(&bytes).unwrap();
        entity::verify(
            &e,
            &root,
            &[Identity {
                issuer: issuer.into(),
                subject: subject.into(),
            }],
            &ArtifactPolicy::None,
        )
    }

    const GITHUB: &str = "^https://token\\.actions\\.githubusercontent\\.com$";

    #[test]
    fn the_real_bundles_verify_against_the_shipped_root() {
        let sigstore_js = "^https://github\\.com/sigstore/sigstore-js/\\.github/workflows/release\\.yml@refs/heads/main$";
        for file in [
            "sigstore-go--examples_bundle-provenance.json",
            "sigstore-go--pkg_testing_data_bundles_sigstore.js@2.0.0-provenance.sigstore.json",
        ] {
            let v = check(file, GITHUB, sigstore_js).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(
                v.signer.issuer,
                "https://token.actions.githubusercontent.com"
            );
            assert_eq!(
                v.signer.subject,
                "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main"
            );
            assert_eq!(v.log.unwrap().log, "https://rekor.sigstore.dev");
        }
        let v = check(
            "sigstore-go--pkg_testing_data_bundles_dsse.sigstore.json",
            "^https://github\\.com/login/oauth$",
            "^brian@dehamer\\.com$",
        )
        .unwrap();
        assert_eq!(v.signer.sans, vec!["brian@dehamer.com".to_owned()]);
    }

    #[test]
    fn the_real_bundles_refuse_other_identities_and_roots() {
        let e = check(
            "sigstore-go--examples_bundle-provenance.json",
            GITHUB,
            "^https://github\\.com/other/",
        )
        .unwrap_err();
        assert_eq!(
            e,
            "failed to verify certificate identity: no matching CertificateIdentity found, last error: expected SAN value to match regex \"^https://github\\.com/other/\", got \"https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main\""
        );
        // A private Sigstore's bundle: its log is not in the public-good root.
        let e = check(
            "sigstore-go--pkg_testing_data_bundles_othername.sigstore.json",
            ".*",
            ".*",
        )
        .unwrap_err();
        assert_eq!(
            e,
            "failed to verify log inclusion: not enough verified log entries from transparency log: 0 < 1"
        );
    }
}
