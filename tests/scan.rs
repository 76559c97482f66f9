//! `fluxverify scan` end to end: the fixture tree in `fixtures/gitops/` with its artifacts
//! signed by the test-only signer and pushed into Debian's docker-registry (no referrers API)
//! and the in-process registry (referrers API), scanned through the real binary. Every row's
//! result and message, every output format, the exit codes, stdin, `--offline`, `--strict`.

#[allow(dead_code)]
#[path = "registry/distribution.rs"]
mod distribution;
mod support;
#[path = "registry/testreg.rs"]
mod testreg;

use base64::Engine as _;
// `distribution` finds its binary through `super::external`.
use distribution::{Distribution, Layout, Pusher};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::cli;
use support::envelope::{self as env, EnvelopeSpec, Format};
use support::external;
use support::layout::{write_layout, ManifestForm, SignatureEntry, Subject};
use support::pki::{self, KeyKind, TestCert};
use testreg::TestRegistry;

/// The registries, the signed artifacts and the tree with its placeholders filled in.
struct World {
    dir: tempfile::TempDir,
    dist: Distribution,
    refs: TestRegistry,
    /// `repo:tag` → (subject digest, signature manifest digest).
    artifacts: BTreeMap<String, (String, String)>,
    root_pem: String,
}

impl World {
    fn tree(&self) -> PathBuf {
        self.dir.path().join("tree")
    }

    fn digest(&self, repo_tag: &str) -> &str {
        &self.artifacts[repo_tag].0
    }

    fn signature(&self, repo_tag: &str) -> &str {
        &self.artifacts[repo_tag].1
    }
}

/// A layout holding `content` tagged `tag`, signed by `chain`.
fn signed_layout(dir: &Path, content: &[u8], tag: &str, chain: &[TestCert]) -> (String, String) {
    let subject = Subject::new(content);
    let spec = EnvelopeSpec::new(Format::Jws, &subject.descriptor);
    let entry = SignatureEntry {
        envelope: env::sign(chain, &spec),
        media_type: Format::Jws.media_type().to_string(),
        form: ManifestForm::ArtifactType,
        thumbprints: env::thumbprints(chain),
    };
    let sigs = write_layout(dir, &subject, tag, &[entry]).unwrap();
    (subject.descriptor.digest.clone(), sigs[0].digest.clone())
}

/// Copies a layout into the in-process registry: blobs, manifests (tagged as annotated) and the
/// signatures as referrers of their subject.
fn push_to_testreg(reg: &TestRegistry, dir: &Path, repo: &str) {
    let layout = Layout::open(dir);
    for d in layout.manifests() {
        let bytes = layout.blob(d["digest"].as_str().unwrap());
        let m: Value = serde_json::from_slice(&bytes).unwrap();
        reg.put_blob(&layout.blob(m["config"]["digest"].as_str().unwrap()));
        for l in m["layers"].as_array().unwrap() {
            reg.put_blob(&layout.blob(l["digest"].as_str().unwrap()));
        }
        let tag = d["annotations"]["org.opencontainers.image.ref.name"].as_str();
        let mut descriptor = reg.put_manifest(repo, testreg::OCI_MANIFEST, &bytes, tag);
        if let Some(subject) = m["subject"]["digest"].as_str() {
            descriptor["artifactType"] = testreg::NOTARY.into();
            reg.add_referrer(repo, subject, descriptor);
        }
    }
}

fn copy_tree(from: &Path, to: &Path, replace: &[(&str, String)]) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target, replace);
        } else {
            let mut text = std::fs::read_to_string(&path).unwrap();
            for (placeholder, value) in replace {
                text = text.replace(placeholder, value);
            }
            std::fs::write(target, text).unwrap();
        }
    }
}

async fn world() -> World {
    let bin = distribution::binary();
    let dist = Distribution::start(&bin, false);
    let refs = TestRegistry::start().await;
    let trusted = pki::chain(KeyKind::P256, 3);
    let untrusted = pki::chain(KeyKind::P384, 2);
    let dir = tempfile::tempdir().unwrap();
    let pusher = Pusher::new(&dist.addr, None);
    let mut artifacts = BTreeMap::new();
    let on_dist: [(&str, &str, &[TestCert]); 9] = [
        ("apps/podinfo", "1.0.0", &trusted),
        ("apps/podinfo", "1.1.0", &trusted),
        ("apps/podinfo", "2.0.0", &trusted),
        ("apps/untrusted", "v1", &untrusted),
        ("other/app", "v1", &trusted),
        ("charts/podinfo", "6.5.0", &trusted),
        ("charts/podinfo", "6.6.0", &trusted),
        ("charts/podinfo", "6.7.0_build.1", &trusted),
        ("charts/podinfo", "5.0.0", &trusted),
    ];
    for (i, (repo, tag, chain)) in on_dist.iter().enumerate() {
        let layout = dir.path().join(format!("layout-{i}"));
        let digests = signed_layout(&layout, format!("{repo} {tag}").as_bytes(), tag, chain);
        Layout::open(&layout).push(&pusher, repo, tag).await;
        artifacts.insert(format!("{repo}:{tag}"), digests);
    }
    for (i, (repo, chain)) in [("apps/referrers", &trusted), ("apps/audited", &untrusted)]
        .iter()
        .enumerate()
    {
        let layout = dir.path().join(format!("refs-{i}"));
        let digests = signed_layout(&layout, repo.as_bytes(), "v1", chain);
        push_to_testreg(&refs, &layout, repo);
        artifacts.insert(format!("{repo}:v1"), digests);
    }
    let root_pem = trusted.last().unwrap().pem();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/gitops");
    let replace = [
        ("@@DISTRIBUTION@@", dist.addr.clone()),
        ("@@REFERRERS@@", refs.host()),
        (
            "@@DIGEST_PODINFO_1_0_0@@",
            artifacts["apps/podinfo:1.0.0"].0.clone(),
        ),
        (
            "@@ROOT_PEM_B64@@",
            base64::engine::general_purpose::STANDARD.encode(&root_pem),
        ),
    ];
    let tree = dir.path().join("tree");
    copy_tree(&fixtures, &tree, &replace);
    std::fs::remove_file(tree.join("README.md")).unwrap();
    std::fs::write(tree.join("apps/trust/root.pem"), &root_pem).unwrap();
    World {
        dir,
        dist,
        refs,
        artifacts,
        root_pem,
    }
}

/// Runs the binary, isolated, with `stdin` as its input.
async fn fluxverify(args: Vec<String>, stdin: Option<String>) -> (i32, String, String) {
    let mut run = cli::fluxverify(args);
    if let Some(input) = stdin {
        run = run.stdin(input);
    }
    run.output().await.into()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// `namespace/Kind/name` → row.
fn rows(report: &Value) -> BTreeMap<String, Value> {
    report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                format!(
                    "{}/{}/{}",
                    r["namespace"].as_str().unwrap(),
                    r["kind"].as_str().unwrap(),
                    r["name"].as_str().unwrap()
                ),
                r.clone(),
            )
        })
        .collect()
}

const PREFIX: &str = "failed to verify the signature using provider 'notation': ";

#[tokio::test]
#[cfg_attr(
    feature = "skip-registry-tests",
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1"
)]
async fn the_fixture_tree_scans_as_flux_will_verify_it() {
    let w = world().await;
    let tree = w.tree().display().to_string();
    let (code, stdout, stderr) =
        fluxverify(args(&["scan", "--files", "-o", "json", &tree]), None).await;
    assert_eq!(code, 1, "failures present: {stdout}\n{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["summary"],
        serde_json::json!({"verified": 6, "failed": 5, "ignored": 1, "skipped": 1, "error": 2, "not_applied": 0}),
        "{stdout}"
    );
    let rows = rows(&report);
    assert_eq!(rows.len(), 15, "{:?}", rows.keys().collect::<Vec<_>>());
    let d = &w.dist.addr;
    let r = w.refs.host();
    let check = |id: &str, result: &str, reason: &str, condition: Option<&str>| {
        let row = &rows[id];
        assert_eq!(row["result"], result, "{id}: {row:#}");
        assert_eq!(row["reason"], reason, "{id}");
        assert_eq!(
            row["condition"]["message"].as_str(),
            condition,
            "{id}: condition"
        );
    };

    let digest = w.digest("apps/podinfo:1.0.0");
    let verified = format!("verified signature of revision {digest}");
    check(
        "flux-system/OCIRepository/podinfo-digest",
        "verified",
        &verified,
        Some(&verified),
    );
    let row = &rows["flux-system/OCIRepository/podinfo-digest"];
    assert_eq!(row["apiVersion"], "source.toolkit.fluxcd.io/v1");
    assert_eq!(row["reference"], format!("{d}/apps/podinfo@{digest}"));
    assert_eq!(row["provider"], "notation");
    assert_eq!(row["url"], format!("oci://{d}/apps/podinfo"));
    assert!(row["file"]
        .as_str()
        .unwrap()
        .ends_with("clusters/production/sources.yaml"));
    assert_eq!(row["line"], 2);
    assert_eq!(row["verification"]["result"], "verified");
    assert_eq!(row["condition"]["status"], "True");
    // The Secret's key Flux ignores is reported (the generator's literal, on the apps side).
    let tagged = format!("verified signature of revision 1.0.0@{digest}");
    check(
        "flux-system/OCIRepository/podinfo-tag",
        "verified",
        &tagged,
        Some(&tagged),
    );
    assert_eq!(
        rows["flux-system/OCIRepository/podinfo-tag"]["apiVersion"],
        "source.toolkit.fluxcd.io/v1beta2"
    );
    let semver = format!(
        "verified signature of revision 1.1.0@{}",
        w.digest("apps/podinfo:1.1.0")
    );
    check(
        "flux-system/OCIRepository/podinfo-semver",
        "verified",
        &semver,
        Some(&semver),
    );

    let untrusted = format!(
        "{PREFIX}signature verification failed\nfailed to verify signature with digest {}, the signature's certificate chain does not contain any trusted certificate",
        w.signature("apps/untrusted:v1")
    );
    check(
        "flux-system/OCIRepository/untrusted",
        "failed",
        &format!(
            "{PREFIX}signature verification failed: failed to verify signature with digest {}, the signature's certificate chain does not contain any trusted certificate",
            w.signature("apps/untrusted:v1")
        ),
        Some(&untrusted),
    );
    let miss = format!(
        "{PREFIX}artifact \"{d}/other/app@{}\" has no applicable trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: https://notaryproject.dev/docs/quickstart/#create-a-trust-policy",
        w.digest("other/app:v1")
    );
    check(
        "flux-system/OCIRepository/scope-miss",
        "failed",
        &miss,
        Some(&miss),
    );
    check(
        "flux-system/OCIRepository/unverified",
        "skipped",
        "verification not configured",
        None,
    );
    // Keyless (no secretRef) against the public-good root: podinfo carries no cosign signature.
    let keyless =
        "failed to verify the signature using provider 'cosign keyless': no signatures found";
    check(
        "flux-system/OCIRepository/cosign-signed",
        "failed",
        keyless,
        Some(keyless),
    );
    // A static key that signed nothing here: Flux's cosign verifier finds no match.
    let no_match = format!(
        "failed to verify the signature using provider 'cosign': no matching signatures were found for '{d}/apps/podinfo@{}'",
        w.digest("apps/podinfo:1.0.0")
    );
    check(
        "flux-system/OCIRepository/cosign-keyed",
        "failed",
        &no_match,
        Some(&no_match),
    );
    assert!(rows["flux-system/OCIRepository/unverified"]["verification"].is_null());
    // A cosign row carries the report `verify --provider cosign -o json` prints for it, and the
    // registry's credential source and hints as a notation row does.
    let keyed = &rows["flux-system/OCIRepository/cosign-keyed"];
    assert_eq!(keyed["verification"]["provider"], "cosign", "{keyed:#}");
    assert_eq!(keyed["verification"]["result"], "failed");
    assert_eq!(keyed["verification"]["condition"]["message"], no_match);
    assert_eq!(
        keyed["verification"]["revision"],
        format!("1.0.0@{}", w.digest("apps/podinfo:1.0.0"))
    );
    assert_eq!(
        keyed["verification"]["keys"][0]["result"], "failed",
        "{keyed:#}"
    );
    assert_eq!(keyed["credentials"], Value::Null);
    assert_eq!(keyed["hints"], serde_json::json!([]));

    let chart = "verified signature of version 6.5.0";
    check("apps/HelmChart/podinfo", "verified", chart, Some(chart));
    assert_eq!(
        rows["apps/HelmChart/podinfo"]["reference"],
        format!("{d}/charts/podinfo@{}", w.digest("charts/podinfo:6.5.0"))
    );
    assert_eq!(
        rows["apps/HelmChart/podinfo"]["url"],
        format!("oci://{d}/charts/podinfo")
    );
    let latest = format!(
        "chart verification error: invalid chart reference: could not parse reference: {d}/charts/podinfo:6.7.0+build.1"
    );
    check(
        "apps/HelmChart/podinfo-latest",
        "failed",
        &latest,
        Some(&latest),
    );
    let release = "verified signature of version 6.6.0";
    check(
        "apps/HelmRelease/podinfo",
        "verified",
        release,
        Some(release),
    );
    assert_eq!(
        rows["apps/HelmRelease/podinfo"]["reference"],
        format!("{d}/charts/podinfo@{}", w.digest("charts/podinfo:6.6.0"))
    );
    assert!(!rows.contains_key("apps/HelmRelease/by-reference"));

    let referrers = format!(
        "verified signature of revision v1@{}",
        w.digest("apps/referrers:v1")
    );
    check(
        "apps/OCIRepository/referrers",
        "verified",
        &referrers,
        Some(&referrers),
    );
    assert_eq!(
        rows["apps/OCIRepository/referrers"]["warnings"][0],
        "keys ignored by Flux (neither trustpolicy.json nor *.crt / *.pem, case-sensitive): owner"
    );
    check(
        "apps/OCIRepository/audited",
        "ignored",
        &format!(
            "accepted without SourceVerified: verification check for type 'authenticity' failed for '{r}/apps/audited@{}' with message: 'the signature's certificate chain does not contain any trusted certificate'",
            w.digest("apps/audited:v1")
        ),
        None,
    );
    check(
        "apps/OCIRepository/missing-secret",
        "error",
        "Secret apps/does-not-exist not found: searched no --secret files, 3 Secret documents and 1 secretGenerator in 11 files",
        None,
    );
    let sops_file = w.tree().join("apps/sops.yaml").display().to_string();
    check(
        "apps/OCIRepository/sops-protected",
        "error",
        &format!(
            "Secret apps/sops-trust in {sops_file} is encrypted with SOPS; decrypt it or pass --secret"
        ),
        None,
    );
    let _ = &w.root_pem;
}

#[tokio::test]
#[cfg_attr(
    feature = "skip-registry-tests",
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1"
)]
async fn scan_rows_are_what_verify_reports() {
    // The same source through `verify --ocirepository` and through `scan`: one verification.
    let w = world().await;
    let source = w.dir.path().join("untrusted.yaml");
    let text = std::fs::read_to_string(w.tree().join("clusters/production/sources.yaml")).unwrap();
    let doc = text
        .split("\n---\n")
        .find(|d| d.contains("name: untrusted"))
        .unwrap();
    let secret =
        std::fs::read_to_string(w.tree().join("clusters/production/notation-trust.yaml")).unwrap();
    std::fs::write(&source, format!("{doc}\n---\n{secret}")).unwrap();
    let file = source.display().to_string();
    let (_, verify_out, _) = fluxverify(
        args(&["verify", "-o", "json", "--ocirepository", &file]),
        None,
    )
    .await;
    let (code, scan_out, stderr) =
        fluxverify(args(&["scan", "--files", "-o", "json", &file]), None).await;
    assert_eq!(code, 1, "{scan_out}\n{stderr}");
    let mut verify: Value = serde_json::from_str(&verify_out).unwrap();
    // `verify` adds its run's diagnostics (credential source, hints) beside the report.
    let object = verify.as_object_mut().unwrap();
    object.remove("credentials");
    object.remove("hints");
    let scan: Value = serde_json::from_str(&scan_out).unwrap();
    let row = &scan["resources"][0];
    assert_eq!(row["name"], "untrusted");
    assert_eq!(row["namespace"], "", "no kustomization: empty namespace");
    assert_eq!(row["verification"], verify);
    assert_eq!(row["condition"], verify["condition"]);
}

#[tokio::test]
#[cfg_attr(
    feature = "skip-registry-tests",
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1"
)]
async fn every_output_format() {
    let w = world().await;
    let tree = w.tree().display().to_string();
    let sources = w.tree().join("clusters/production/sources.yaml");
    let (code, junit, _) = fluxverify(args(&["scan", "--files", "-o", "junit", &tree]), None).await;
    assert_eq!(code, 1);
    let mut reader = quick_xml::Reader::from_str(&junit);
    let mut cases = Vec::new();
    let mut elements = Vec::new();
    loop {
        match reader.read_event().expect("the JUnit report is XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if name == "testcase" {
                    let attr = |k: &str| {
                        e.try_get_attribute(k)
                            .unwrap()
                            .map(|a| {
                                a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                                    .unwrap()
                                    .into_owned()
                            })
                            .unwrap()
                    };
                    cases.push((attr("classname"), attr("name")));
                } else {
                    elements.push(name);
                }
            }
            _ => {}
        }
    }
    assert_eq!(cases.len(), 15);
    assert!(cases.contains(&("OCIRepository/flux-system".into(), "untrusted".into())));
    assert!(cases.contains(&("HelmRelease/apps".into(), "podinfo".into())));
    let count = |n: &str| elements.iter().filter(|e| *e == n).count();
    assert_eq!(
        (count("failure"), count("error"), count("skipped")),
        (5, 2, 2)
    );
    assert!(junit.contains("tests=\"15\" failures=\"5\" errors=\"2\" skipped=\"2\""));

    let (code, github, _) =
        fluxverify(args(&["scan", "--files", "-o", "github", &tree]), None).await;
    assert_eq!(code, 1);
    let untrusted_line = format!(
        "::error file={},line=49,title=flux-system/OCIRepository/untrusted failed::{PREFIX}signature verification failed%0Afailed to verify signature with digest {}",
        sources.display(),
        w.signature("apps/untrusted:v1")
    );
    assert!(
        github.lines().any(|l| l.starts_with(&untrusted_line)),
        "{github}"
    );
    let commands: Vec<&str> = github.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(
        commands
            .iter()
            .filter(|l| l.starts_with("::error "))
            .count(),
        7
    );
    assert_eq!(
        commands
            .iter()
            .filter(|l| l.starts_with("::warning "))
            .count(),
        2
    );
    // Every annotation points at a file and line; the one notice says --files was used.
    assert!(commands
        .iter()
        .filter(|l| !l.starts_with("::notice "))
        .all(|l| l.contains(" file=") && l.contains(",line=")));
    assert_eq!(
        commands
            .iter()
            .filter(|l| l.starts_with("::notice "))
            .count(),
        1
    );
    assert!(github.contains("15 resources: 6 verified, 5 failed, 1 ignored, 1 skipped, 2 error"));

    let (code, text, _) = fluxverify(args(&["scan", "--files", &tree]), None).await;
    assert_eq!(code, 1);
    let line = text
        .lines()
        .find(|l| l.starts_with("flux-system/OCIRepository/untrusted "))
        .unwrap();
    assert!(line.contains(" failed "), "{line}");
    assert!(text.contains(&format!("    at {}:49", sources.display())));
    assert!(text.contains("    SourceVerified False VerificationError:\n"));
    assert!(text.ends_with("15 resources: 6 verified, 5 failed, 1 ignored, 1 skipped, 2 error\n"));
}

#[tokio::test]
#[cfg_attr(
    feature = "skip-registry-tests",
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1"
)]
async fn a_kustomize_build_stream_on_stdin() {
    // What `kustomize build clusters/production` prints: namespaces set, the Secret with its
    // own name, documents in one stream.
    let w = world().await;
    let d = &w.dist.addr;
    let policy = format!(
        r#"{{"version":"1.0","trustPolicies":[{{"name":"p","registryScopes":["{d}/apps/podinfo"],"signatureVerification":{{"level":"strict"}},"trustStores":["ca:x"],"trustedIdentities":["*"]}}]}}"#
    );
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let stream = format!(
        "apiVersion: v1\ndata:\n  root.crt: {}\n  trustpolicy.json: {}\nkind: Secret\nmetadata:\n  name: notation-trust-5t2kgk9hdb\n  namespace: flux-system\ntype: Opaque\n---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: podinfo\n  namespace: flux-system\nspec:\n  insecure: true\n  interval: 5m\n  ref:\n    tag: 1.1.0\n  url: oci://{d}/apps/podinfo\n  verify:\n    provider: notation\n    secretRef:\n      name: notation-trust-5t2kgk9hdb\n",
        b64(&w.root_pem),
        b64(&policy)
    );
    let (code, out, err) = fluxverify(args(&["scan", "-o", "json", "-"]), Some(stream)).await;
    assert_eq!(code, 0, "{out}\n{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let row = &report["resources"][0];
    assert_eq!(row["file"], "-");
    assert_eq!(row["line"], 11);
    assert_eq!(row["namespace"], "flux-system");
    assert_eq!(
        row["reason"],
        format!(
            "verified signature of revision 1.1.0@{}",
            w.digest("apps/podinfo:1.1.0")
        )
    );
    assert_eq!(report["summary"]["verified"], 1);
}

#[tokio::test]
#[cfg_attr(
    feature = "skip-registry-tests",
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1"
)]
async fn offline_decides_what_the_trust_material_decides() {
    let w = world().await;
    let tree = w.tree().display().to_string();
    let (code, out, _) = fluxverify(
        args(&["scan", "--files", "--offline", "-o", "json", &tree]),
        None,
    )
    .await;
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    let rows = rows(&report);
    let d = &w.dist.addr;
    let offline: Vec<&str> = rows
        .iter()
        .filter(|(_, r)| r["reason"] == "offline")
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(
        offline,
        vec![
            "apps/HelmChart/podinfo",
            "apps/HelmChart/podinfo-latest",
            "apps/HelmRelease/podinfo",
            "apps/OCIRepository/audited",
            "apps/OCIRepository/referrers",
            "flux-system/OCIRepository/cosign-keyed",
            "flux-system/OCIRepository/cosign-signed",
            "flux-system/OCIRepository/podinfo-digest",
            "flux-system/OCIRepository/podinfo-semver",
            "flux-system/OCIRepository/podinfo-tag",
            "flux-system/OCIRepository/untrusted",
        ]
    );
    assert!(rows.values().all(|r| r["verification"].is_null()));
    assert_eq!(
        rows["flux-system/OCIRepository/scope-miss"]["reason"],
        format!("{PREFIX}artifact \"{d}/other/app@<digest of tag v1>\" has no applicable trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: https://notaryproject.dev/docs/quickstart/#create-a-trust-policy")
    );
    // A version range needs the registry to be resolved; a missing Secret is an error anyway.
    assert_eq!(rows["apps/OCIRepository/missing-secret"]["result"], "error");
    assert_eq!(report["summary"]["failed"], 1);
    // Nothing was fetched.
    assert!(w.refs.requests().is_empty());
}

#[tokio::test]
#[cfg_attr(
    feature = "skip-registry-tests",
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1"
)]
async fn strict_refuses_every_unverified_source_and_exit_codes() {
    let w = world().await;
    let tree = w.tree().display().to_string();
    let (code, out, _) = fluxverify(
        args(&["scan", "--files", "--strict", "-o", "json", &tree]),
        None,
    )
    .await;
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["summary"],
        serde_json::json!({"verified": 6, "failed": 7, "ignored": 0, "skipped": 0, "error": 2, "not_applied": 0})
    );
    let rows = rows(&report);
    assert_eq!(
        rows["flux-system/OCIRepository/unverified"]["reason"],
        "--strict: every source must be verified (skipped: verification not configured)"
    );
    assert!(rows["apps/OCIRepository/audited"]["reason"]
        .as_str()
        .unwrap()
        .starts_with(
            "--strict: every source must be verified (ignored: accepted without SourceVerified"
        ));

    // Errors only: exit 2. Verified only: exit 0. A --secret file is searched first.
    let missing = w
        .tree()
        .join("apps/missing-secret.yaml")
        .display()
        .to_string();
    let (code, out, _) = fluxverify(args(&["scan", "--files", &missing]), None).await;
    assert_eq!(code, 2, "{out}");
    let secret = w.dir.path().join("secret.yaml");
    std::fs::write(
        &secret,
        std::fs::read_to_string(w.tree().join("clusters/production/notation-trust.yaml"))
            .unwrap()
            .replace("name: notation-trust", "name: does-not-exist"),
    )
    .unwrap();
    let (code, out, _) = fluxverify(
        args(&[
            "scan",
            "--files",
            "--secret",
            secret.to_str().unwrap(),
            "-o",
            "json",
            &missing,
        ]),
        None,
    )
    .await;
    assert_eq!(code, 0, "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["summary"]["verified"], 1);
    // A broken file is a row of its own and does not stop the scan.
    std::fs::write(w.tree().join("apps/broken.yaml"), "kind: [\n").unwrap();
    let (code, out, _) = fluxverify(
        args(&["scan", "--files", "--offline", "-o", "json", &tree]),
        None,
    )
    .await;
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    let broken = &report["resources"][0];
    assert_eq!(broken["kind"], "File");
    assert_eq!(broken["result"], "error");
    assert!(broken["reason"]
        .as_str()
        .unwrap()
        .starts_with("line 2: not valid YAML: "));
    assert_eq!(report["resources"].as_array().unwrap().len(), 16);
}

#[tokio::test]
async fn tokens_are_requested_once_per_registry_and_scope() {
    // Three sources on one registry behind a token service: two in one repository, one in
    // another. The scan's shared client asks for one token per repository scope, not one per
    // source (a fresh client per source, as Flux makes, would ask three times).
    let reg = TestRegistry::start().await;
    reg.require_token(testreg::TokenAuth {
        token_path: "/v2/token".into(),
        user: "oauth2accesstoken".into(),
        password: "s3cret".into(),
        access_token: "registry-token".into(),
        exchange: None,
    });
    let dir = tempfile::tempdir().unwrap();
    let trusted = pki::chain(KeyKind::P256, 2);
    let mut digests = Vec::new();
    for (i, (repo, tag)) in [("team/a", "v1"), ("team/a", "v2"), ("team/b", "v1")]
        .iter()
        .enumerate()
    {
        let layout = dir.path().join(format!("l{i}"));
        let (digest, _) = signed_layout(&layout, format!("{repo}{tag}").as_bytes(), tag, &trusted);
        push_to_testreg(&reg, &layout, repo);
        digests.push(digest);
    }
    let host = reg.host();
    let policy = r#"{"version":"1.0","trustPolicies":[{"name":"team","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:team"],"trustedIdentities":["*"]}]}"#;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut stream = format!(
        "apiVersion: v1\nkind: Secret\nmetadata: {{name: trust, namespace: ns}}\ndata:\n  root.crt: {}\n  trustpolicy.json: {}\n",
        b64(&trusted.last().unwrap().pem()),
        b64(policy)
    );
    for (name, repo, tag) in [
        ("a1", "team/a", "v1"),
        ("a2", "team/a", "v2"),
        ("b1", "team/b", "v1"),
    ] {
        stream.push_str(&format!("---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {{name: {name}, namespace: ns}}\nspec:\n  url: oci://{host}/{repo}\n  insecure: true\n  ref: {{tag: {tag}}}\n  verify: {{provider: notation, secretRef: {{name: trust}}}}\n"));
    }
    let (code, out, err) = fluxverify(
        args(&[
            "scan",
            "--files",
            "-u",
            "oauth2accesstoken",
            "-p",
            "s3cret",
            "-o",
            "json",
            "-",
        ]),
        Some(stream.clone()),
    )
    .await;
    assert_eq!(code, 0, "{out}\n{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["summary"]["verified"], 3, "{out}");
    let tokens = reg
        .requests()
        .iter()
        .filter(|r| r.path_and_query.starts_with("/v2/token"))
        .count();
    assert_eq!(tokens, 2, "one token per repository scope");
    // Each row says where its credentials came from, as `verify` does.
    for row in report["resources"].as_array().unwrap() {
        assert_eq!(row["credentials"]["source"], "explicit", "{row:#}");
        assert_eq!(row["hints"], serde_json::json!([]), "{row:#}");
    }
    let _ = digests;

    // Without credentials the token service refuses: every row is an error with the hint
    // `verify` gives for a 401, naming the registry, in JSON and in the text table.
    let (code, out, err) =
        fluxverify(args(&["scan", "-o", "json", "-"]), Some(stream.clone())).await;
    assert_eq!(code, 2, "{out}\n{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    for row in report["resources"].as_array().unwrap() {
        assert_eq!(row["result"], "error", "{row:#}");
        let hints = row["hints"].as_array().unwrap();
        assert!(
            hints.iter().any(|h| h.as_str().unwrap().contains(&host)),
            "{row:#}"
        );
    }
    let hint = report["resources"][0]["hints"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, text, _) = fluxverify(args(&["scan", "-"]), Some(stream)).await;
    assert!(text.contains(&format!("    hint: {hint}\n")), "{text}");
}

/// 50 sources on one host that never resolves (`.invalid`, RFC 6761): every row is an error in
/// Go's words for the failed lookup, and the name is looked up once for the run (counted in the
/// `-vv` log), not once a source.
#[tokio::test]
async fn a_host_that_does_not_resolve_is_looked_up_once_a_run() {
    let trust =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fleet/apps/base/podinfo/trust");
    let b64 = |f: &str| {
        base64::engine::general_purpose::STANDARD.encode(std::fs::read(trust.join(f)).unwrap())
    };
    let mut stream = format!(
        "apiVersion: v1\ndata:\n  ca.crt: {}\n  trustpolicy.json: {}\nkind: Secret\nmetadata:\n  name: trust\n  namespace: flux-system\n",
        b64("ca.crt"),
        b64("trustpolicy.json")
    );
    for i in 0..50 {
        stream.push_str(&format!(
            "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: app-{i}\n  namespace: flux-system\nspec:\n  interval: 5m\n  ref:\n    tag: 1.0.0\n  url: oci://registry.fluxverify.invalid/apps/app-{i}\n  verify:\n    provider: notation\n    secretRef:\n      name: trust\n"
        ));
    }
    let (code, out, err) =
        fluxverify(args(&["-vv", "scan", "-o", "json", "-"]), Some(stream)).await;
    assert_ne!(code, 0, "{out}\n{err}");
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    let resources = report["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 50, "{report:#}");
    for row in resources {
        assert_eq!(row["result"], "error", "{row:#}");
        assert!(
            row["reason"]
                .as_str()
                .unwrap()
                .contains("dial tcp: lookup registry.fluxverify.invalid: "),
            "{row:#}"
        );
    }
    let lookups = err
        .lines()
        .filter(|l| l.contains("DNS lookup") && l.contains("registry.fluxverify.invalid"))
        .count();
    assert_eq!(lookups, 1, "{err}");
}
