//! Keyless cosign against a self-made Sigstore ([`super::mint`]): both formats signed well,
//! then broken one way each, pushed to the in-process registry (bundles through its referrers
//! API) and verified with `verify --provider cosign --trusted-root`.
//!
//! The expected texts are cosign v3's and sigstore-go's as their code words them (the
//! `VerifyNewBundle` / `verifyInternal` orders); unlike `../shared/keyless-sample/`, no
//! source-controller run produced them.

use super::mint::{attach, push_artifact, Knobs, Sigstore, GITHUB, RELEASE};
use super::testreg::TestRegistry;
use assert_cmd::Command;
use serde_json::{json, Value};

const SUBJECT_RE: &str =
    "^https://github\\.com/acme/app/\\.github/workflows/release\\.yml@refs/tags/v.*$";
const ISSUER_RE: &str = "^https://token\\.actions\\.githubusercontent\\.com$";

fn run(
    host: &str,
    repo: &str,
    root: &std::path::Path,
    identities: &[(&str, &str)],
) -> (i32, Value) {
    let mut args = vec![
        "verify".to_owned(),
        format!("{host}/{repo}:v1"),
        "--verify-provider".into(),
        "cosign".into(),
        "--plain-http".into(),
        "--trusted-root".into(),
        root.display().to_string(),
        "-o".into(),
        "json".into(),
    ];
    for (subject, issuer) in identities {
        args.extend([
            "--certificate-identity-regexp".to_owned(),
            (*subject).to_owned(),
            "--certificate-oidc-issuer-regexp".to_owned(),
            (*issuer).to_owned(),
        ]);
    }
    let out = Command::cargo_bin("fluxverify")
        .unwrap()
        .args(&args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), json)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_made_sigstore_and_its_broken_cases() {
    let reg = TestRegistry::start().await;
    let sigstore = Sigstore::new(10);
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("trusted_root.json");
    std::fs::write(&root, serde_json::to_vec(&sigstore.trusted_root()).unwrap()).unwrap();
    let later = |s: u64| Knobs {
        lifetime: Some(600),
        logged_after: Some(s),
        ..Knobs::default()
    };
    let other_digest = format!("sha256:{}", "ab".repeat(32));
    // (name, knobs, identities, bundle error, classic error); None: verified.
    let good = [(SUBJECT_RE, ISSUER_RE)];
    type Case<'a> = (
        &'a str,
        Knobs,
        Vec<(&'a str, &'a str)>,
        Option<String>,
        Option<String>,
    );
    let cases: Vec<Case> = vec![
        ("good", Knobs::default(), good.to_vec(), None, None),
        (
            "wrong-identity",
            Knobs::default(),
            vec![("^https://github\\.com/acme/other/.*$", ISSUER_RE)],
            Some(format!("no matching attestations: failed to verify certificate identity: no matching CertificateIdentity found, last error: expected SAN value to match regex \"^https://github\\.com/acme/other/.*$\", got \"{RELEASE}\"")),
            Some(format!("no matching signatures: none of the expected identities matched what was in the certificate, got subjects [{RELEASE}] with issuer {GITHUB}")),
        ),
        (
            "issuer-regex",
            Knobs::default(),
            vec![(SUBJECT_RE, "^https://accounts\\.google\\.com$")],
            Some(format!("no matching attestations: failed to verify certificate identity: no matching CertificateIdentity found, last error: expected issuer value to match regex \"^https://accounts\\.google\\.com$\", got \"{GITHUB}\"")),
            Some(format!("no matching signatures: none of the expected identities matched what was in the certificate, got subjects [{RELEASE}] with issuer {GITHUB}")),
        ),
        (
            "expired-at-signing",
            later(900),
            good.to_vec(),
            Some("no matching attestations: failed to verify log inclusion: integrated time outside certificate validity".into()),
            Some("no matching signatures: checking expiry on certificate with bundle: certificate expired before observed time: 2026-10-01T14:23:20Z is before 2026-10-01T14:28:20Z".into()),
        ),
        (
            "untrusted-ca",
            Knobs { other_ca: true, ..Knobs::default() },
            good.to_vec(),
            Some("no matching attestations: failed to verify leaf certificate: leaf certificate verification failed".into()),
            Some("no matching signatures: leaf certificate verification failed".into()),
        ),
        (
            "tampered-payload",
            Knobs { tamper: true, ..Knobs::default() },
            good.to_vec(),
            Some("no matching attestations: failed to verify log inclusion: transparency log dsse/intoto entry payload hash".into()),
            Some("no matching signatures: error verifying bundle: matching bundle to payload: bundle=".into()),
        ),
        (
            "wrong-log-key",
            Knobs { other_log: true, ..Knobs::default() },
            good.to_vec(),
            Some("no matching attestations: failed to verify log inclusion: not enough verified log entries from transparency log: 0 < 1".into()),
            Some("no matching signatures: error verifying bundle: verifying bundle with trusted root: rekor log public key not found for payload".into()),
        ),
        (
            "missing-sct",
            Knobs { no_sct: true, ..Knobs::default() },
            good.to_vec(),
            Some("no matching attestations: failed to verify signed certificate timestamp: only able to verify 0 SCT entries; unable to meet threshold of 1".into()),
            Some("no matching signatures: certificate does not include required embedded SCT and no detached SCT was set".into()),
        ),
        (
            "entry-for-another-artifact",
            Knobs { foreign_entry: true, ..Knobs::default() },
            good.to_vec(),
            Some("no matching attestations: failed to verify log inclusion: transparency log signature does not match".into()),
            Some("no matching signatures: error verifying bundle: signature in bundle does not match signature being verified".into()),
        ),
        (
            // The bundle's statement names another digest; the classic payload too, which
            // Flux accepts (no claim verifier) with a warning.
            "another-digest",
            Knobs { other_digest: Some(other_digest.clone()), ..Knobs::default() },
            good.to_vec(),
            Some("no matching attestations: failed to verify signature: provided artifact digest does not match any digest in statement".into()),
            None,
        ),
        (
            "several-identities",
            Knobs::default(),
            vec![("^x$", ISSUER_RE), (SUBJECT_RE, ISSUER_RE)],
            Some("no matching attestations: unsupported: multiple identities are not supported at this time".into()),
            None,
        ),
        (
            "no-identity",
            Knobs::default(),
            vec![],
            Some("no matching attestations: failed to build policy: can't verify identities without providing at least one identity".into()),
            None,
        ),
    ];
    for (name, knobs, _, _, _) in &cases {
        for bundle in [true, false] {
            let repo = format!(
                "keyless/{name}-{}",
                if bundle { "bundle" } else { "classic" }
            );
            let digest = push_artifact(&reg, &repo, &repo);
            let signed = sigstore.sign(&digest, knobs);
            attach(&reg, &repo, &digest, &signed, bundle);
        }
    }
    let host = reg.host();
    let root_path = root.clone();
    tokio::task::spawn_blocking(move || {
        // `ls` names the signing identity of both formats.
        for format in ["bundle", "classic"] {
            let out = Command::cargo_bin("fluxverify")
                .unwrap()
                .args(["ls", "--plain-http", &format!("{host}/keyless/good-{format}:v1")])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                text.contains(&format!("keyless: {RELEASE} (issuer {GITHUB})")),
                "{format}: {text}"
            );
        }
        for (name, _, identities, bundle_error, classic_error) in &cases {
            for (format, expected) in [("bundle", bundle_error), ("classic", classic_error)] {
                let repo = format!("keyless/{name}-{format}");
                let (code, report) = run(&host, &repo, &root_path, identities);
                let id = format!("{name} ({format})");
                match expected {
                    None => {
                        assert_eq!(report["result"], "verified", "{id}: {report:#}");
                        assert_eq!(code, 0, "{id}");
                    }
                    Some(error) => {
                        assert_eq!(report["result"], "failed", "{id}: {report:#}");
                        let got = report["error"].as_str().unwrap();
                        assert!(got.starts_with(error.as_str()), "{id}:\n got {got}\nwant {error}");
                        assert_eq!(
                            report["condition"]["message"],
                            format!("failed to verify the signature using provider 'cosign keyless': {got}"),
                            "{id}"
                        );
                        assert_eq!(code, 1, "{id}");
                    }
                }
                if *name == "another-digest" && format == "classic" {
                    let warning = report["warnings"][0].as_str().unwrap();
                    assert!(warning.contains(&format!("signs a payload naming {other_digest}")), "{warning}");
                }
            }
        }
    })
    .await
    .unwrap();
}

/// A classic keyless signature without its Rekor `bundle` annotation: cosign would search
/// Rekor for its entry, so offline there is no verdict. `verify` (with and without `--strict`),
/// `ls` and `scan` (an OCIRepository and a HelmChart) report an error, exit 2, no condition;
/// beside a signature that verifies offline it decides nothing (cosign keeps any signature
/// that verifies).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_classic_signature_without_its_log_entry_needs_rekor_online() {
    const ONLINE: &str = "needs the transparency log online: the classic signature carries no Rekor bundle annotation, and cosign would search Rekor for its entry";
    let reg = TestRegistry::start().await;
    let sigstore = Sigstore::new(20);
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("trusted_root.json");
    std::fs::write(&root, serde_json::to_vec(&sigstore.trusted_root()).unwrap()).unwrap();
    let offline = Knobs {
        no_log_annotation: true,
        ..Knobs::default()
    };
    let repo = "keyless/online";
    let digest = push_artifact(&reg, repo, repo);
    attach(
        &reg,
        repo,
        &digest,
        &sigstore.sign(&digest, &offline),
        false,
    );
    // The same, beside a signature with its annotation (and a chart tagged 1.0.0).
    let both = "keyless/online-and-logged";
    let both_digest = push_artifact(&reg, both, both);
    let (unlogged, logged) = (
        sigstore.sign(&both_digest, &offline),
        sigstore.sign(&both_digest, &Knobs::default()),
    );
    super::mint::attach_classic(&reg, both, &both_digest, &[&unlogged, &logged]);
    let chart = "charts/online";
    let chart_digest = super::mint::push_tagged(&reg, chart, chart, "1.0.0");
    attach(
        &reg,
        chart,
        &chart_digest,
        &sigstore.sign(&chart_digest, &offline),
        false,
    );
    let host = reg.host();
    let tree = work.path().join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    let identity = format!(
        "    matchOIDCIdentity:\n      - issuer: '{ISSUER_RE}'\n        subject: '{SUBJECT_RE}'\n"
    );
    std::fs::write(
        tree.join("sources.yaml"),
        format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: online\n  namespace: apps\nspec:\n  url: oci://{host}/{repo}\n  insecure: true\n  ref:\n    tag: v1\n  verify:\n    provider: cosign\n{identity}---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n  namespace: apps\nspec:\n  type: oci\n  url: oci://{host}/charts\n---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata:\n  name: online\n  namespace: apps\nspec:\n  chart: online\n  version: 1.0.0\n  sourceRef:\n    kind: HelmRepository\n    name: charts\n  verify:\n    provider: cosign\n{identity}"
        ),
    )
    .unwrap();
    tokio::task::spawn_blocking(move || {
        let (code, report) = run(&host, repo, &root, &[(SUBJECT_RE, ISSUER_RE)]);
        // Never verified offline: cosign would search Rekor for the entry.
        assert_eq!(report["result"], "error", "{report:#}");
        assert_eq!(report["error"], ONLINE, "{report:#}");
        assert_eq!(report["condition"], Value::Null);
        assert_eq!(report["keyless"]["signatures"][0]["result"], "error");
        assert_eq!(report["keyless"]["signatures"][0]["error"], ONLINE);
        assert_eq!(report["signatures"][0]["result"], "error", "{report:#}");
        assert_eq!(code, 2);

        // Text, and --strict: still an error (it is no pass either way).
        let reference = format!("{host}/{repo}:v1");
        for strict in [false, true] {
            let mut cmd = Command::cargo_bin("fluxverify").unwrap();
            cmd.args([
                "verify",
                &reference,
                "--verify-provider",
                "cosign",
                "--plain-http",
            ])
            .arg("--trusted-root")
            .arg(&root)
            .args(["--certificate-identity-regexp", SUBJECT_RE])
            .args(["--certificate-oidc-issuer-regexp", ISSUER_RE]);
            if strict {
                cmd.arg("--strict");
            }
            let out = cmd.output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("\nResult:     error\n"), "{text}");
            assert!(
                text.contains(&format!("\nError:      {ONLINE}\n")),
                "{text}"
            );
            assert!(!text.contains("--strict"), "{text}");
            assert_eq!(out.status.code(), Some(2), "strict {strict}: {text}");
        }

        // One signature verifying offline is enough: the other's Rekor search decides nothing.
        let (code, report) = run(&host, both, &root, &[(SUBJECT_RE, ISSUER_RE)]);
        assert_eq!(report["result"], "verified", "{report:#}");
        let signatures = report["keyless"]["signatures"].as_array().unwrap();
        assert_eq!(signatures.len(), 2, "{report:#}");
        assert_eq!(
            (&signatures[0]["result"], &signatures[0]["error"]),
            (&json!("error"), &json!(ONLINE))
        );
        assert_eq!(signatures[1]["result"], "verified");
        assert_eq!(code, 0);

        // ls: the signature, its signer and the error.
        let out = Command::cargo_bin("fluxverify")
            .unwrap()
            .args(["ls", "--plain-http", &reference])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .find(|l| l.contains(" keyless: "))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(
            line.ends_with(&format!(
                "(issuer https://token.actions.githubusercontent.com) [error: {ONLINE}]"
            )),
            "{line}"
        );
        assert_eq!(out.status.code(), Some(0), "{text}");
        let out = Command::cargo_bin("fluxverify")
            .unwrap()
            .args(["ls", "--plain-http", &format!("{host}/{both}:v1")])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(text.matches(" keyless: ").count(), 2, "{text}");
        assert_eq!(
            text.matches("[error: needs the transparency log online")
                .count(),
            1,
            "{text}"
        );

        // scan: both rows error, with and without --strict.
        for strict in [false, true] {
            let mut cmd = Command::cargo_bin("fluxverify").unwrap();
            cmd.args(["scan", "-o", "json", "--plain-http", "--trusted-root"])
                .arg(&root)
                .arg(&tree);
            if strict {
                cmd.arg("--strict");
            }
            let out = cmd.output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            let report: Value =
                serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
            for kind in ["OCIRepository", "HelmChart"] {
                let row = report["resources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| r["kind"] == kind)
                    .unwrap_or_else(|| panic!("{kind}: {report:#}"));
                assert_eq!(row["result"], "error", "{row:#}");
                assert_eq!(row["reason"], ONLINE, "{row:#}");
                assert_eq!(row["condition"], Value::Null, "{row:#}");
            }
            assert_eq!(report["summary"]["error"], 2, "{report:#}");
            assert_eq!(report["summary"]["failed"], 0, "{report:#}");
            assert_eq!(out.status.code(), Some(2), "strict {strict}: {stdout}");
        }
    })
    .await
    .unwrap();
}

/// RFC 3161 timestamps and Rekor v2 entries, as the policy Flux builds meets them: a classic
/// signature's timestamp is verified against the root's TSAs and bounds the certificate, a
/// bundle's is never read; a bundle logged only in a Rekor v2 log passes the log check and
/// fails the integrated-timestamp threshold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timestamps_and_rekor_v2_entries() {
    use super::mint_tsa::TsaKnob;
    let reg = TestRegistry::start().await;
    let sigstore = Sigstore::new(30);
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("trusted_root.json");
    std::fs::write(&root, serde_json::to_vec(&sigstore.trusted_root()).unwrap()).unwrap();
    // The same Sigstore with its TSA left out of the root.
    let mut without = sigstore.trusted_root();
    without
        .as_object_mut()
        .unwrap()
        .remove("timestampAuthorities");
    let no_tsa_root = work.path().join("no-tsa.json");
    std::fs::write(&no_tsa_root, serde_json::to_vec(&without).unwrap()).unwrap();

    const NO_TIMESTAMP: &str = "no matching signatures: unable to verify RFC3161 timestamp bundle: expected at least one verified timestamp";
    let tsa = |knob| Knobs {
        tsa: Some(knob),
        ..Knobs::default()
    };
    // (repo, knobs, bundle format, trusted root, expected error, a detail the report gives)
    type Case<'a> = (
        &'static str,
        Knobs,
        bool,
        &'a std::path::Path,
        Option<String>,
        Option<&'static str>,
    );
    let cases: Vec<Case> = vec![
        ("tsa-good", tsa(TsaKnob::Good), false, &root, None, None),
        (
            "tsa-not-in-root",
            tsa(TsaKnob::Good),
            false,
            &no_tsa_root,
            Some(NO_TIMESTAMP.into()),
            Some("the trusted root lists no timestamp authority"),
        ),
        (
            "tsa-untrusted",
            tsa(TsaKnob::UntrustedTsa),
            false,
            &root,
            Some(NO_TIMESTAMP.into()),
            Some("x509: certificate signed by unknown authority"),
        ),
        (
            "tsa-wrong-key",
            tsa(TsaKnob::WrongKey),
            false,
            &root,
            Some(NO_TIMESTAMP.into()),
            Some("x509: ECDSA verification failure"),
        ),
        (
            "tsa-tampered",
            tsa(TsaKnob::Tampered),
            false,
            &root,
            Some(NO_TIMESTAMP.into()),
            Some("pkcs7: Message digest mismatch"),
        ),
        (
            "tsa-after-leaf",
            tsa(TsaKnob::AfterLeaf),
            false,
            &root,
            Some("no matching signatures: checking expiry on certificate with timestamp: certificate expired before observed time: 2026-10-01T14:23:20Z is before 2026-10-01T14:25:00Z".into()),
            None,
        ),
        // A bundle's timestamps are not read under Flux's policy, broken or not.
        ("tsa-bundle-ignored", tsa(TsaKnob::Tampered), true, &root, None, None),
        (
            "rekor-v2",
            Knobs { rekor_v2: true, ..Knobs::default() },
            true,
            &root,
            Some("no matching attestations: failed to verify timestamps: threshold not met for verified log entry integrated timestamps: 0 < 1".into()),
            None,
        ),
        (
            "rekor-v2-bad-checkpoint",
            Knobs { rekor_v2: true, rekor_v2_bad_note: true, ..Knobs::default() },
            true,
            &root,
            Some("no matching attestations: failed to verify log inclusion: verifying log entry: invalid signature for key rekor.mint.test+".into()),
            None,
        ),
    ];
    for (repo, knobs, bundle, _, _, _) in &cases {
        let repo = format!("keyless/{repo}");
        let digest = push_artifact(&reg, &repo, &repo);
        attach(
            &reg,
            &repo,
            &digest,
            &sigstore.sign(&digest, knobs),
            *bundle,
        );
    }
    let host = reg.host();
    let cases: Vec<_> = cases
        .into_iter()
        .map(|(r, _, _, root, e, d)| (r, root.to_path_buf(), e, d))
        .collect();
    tokio::task::spawn_blocking(move || {
        for (name, root, expected, detail) in &cases {
            let (code, report) = run(
                &host,
                &format!("keyless/{name}"),
                root,
                &[(SUBJECT_RE, ISSUER_RE)],
            );
            let signature = &report["keyless"]["signatures"][0];
            match expected {
                None => {
                    assert_eq!(report["result"], "verified", "{name}: {report:#}");
                    assert_eq!(code, 0, "{name}");
                    let checked = signature["checked"].to_string();
                    if *name == "tsa-good" {
                        assert!(
                            checked.contains(
                                "RFC 3161 timestamp 2026-10-01T14:13:50Z by the trusted root's TSA"
                            ),
                            "{checked}"
                        );
                    }
                    if *name == "tsa-bundle-ignored" {
                        assert!(
                            checked.contains("1 RFC 3161 timestamp(s) in the bundle not read"),
                            "{checked}"
                        );
                    }
                }
                Some(error) => {
                    assert_eq!(report["result"], "failed", "{name}: {report:#}");
                    let got = report["error"].as_str().unwrap();
                    assert!(
                        got.starts_with(error.as_str()),
                        "{name}:\n got {got}\nwant {error}"
                    );
                    assert_eq!(
                        report["condition"]["message"],
                        format!(
                            "failed to verify the signature using provider 'cosign keyless': {got}"
                        ),
                        "{name}"
                    );
                    assert_eq!(code, 1, "{name}");
                }
            }
            if let Some(detail) = detail {
                let details = signature["details"].to_string();
                assert!(details.contains(detail), "{name}: {details}");
            }
        }
    })
    .await
    .unwrap();
}

/// Keyless HelmCharts in `scan`: an OCI HelmRepository's chart with `verify.provider: cosign`,
/// no `secretRef`, and `matchOIDCIdentity`, in both formats; the wrong identity fails with the
/// condition helmchart_controller writes (`VerifyChart` returns the verifier's error).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyless_helm_charts_in_scan() {
    let reg = TestRegistry::start().await;
    let sigstore = Sigstore::new(40);
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("trusted_root.json");
    std::fs::write(&root, serde_json::to_vec(&sigstore.trusted_root()).unwrap()).unwrap();
    let host = reg.host();
    let mut docs = vec![format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n  namespace: apps\nspec:\n  type: oci\n  url: oci://{host}/charts\n"
    )];
    for (chart, bundle, subject) in [
        ("bundle-good", true, SUBJECT_RE),
        ("classic-good", false, SUBJECT_RE),
        ("bundle-other", true, "^https://github\\.com/acme/other/.*$"),
    ] {
        let repo = format!("charts/{chart}");
        let digest = super::mint::push_tagged(&reg, &repo, &repo, "1.0.0");
        attach(
            &reg,
            &repo,
            &digest,
            &sigstore.sign(&digest, &Knobs::default()),
            bundle,
        );
        docs.push(format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata:\n  name: {chart}\n  namespace: apps\nspec:\n  chart: {chart}\n  version: 1.0.0\n  sourceRef:\n    kind: HelmRepository\n    name: charts\n  verify:\n    provider: cosign\n    matchOIDCIdentity:\n      - issuer: '{ISSUER_RE}'\n        subject: '{subject}'\n"
        ));
    }
    let tree = work.path().join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join("charts.yaml"), docs.join("---\n")).unwrap();
    tokio::task::spawn_blocking(move || {
        let out = Command::cargo_bin("fluxverify")
            .unwrap()
            .args(["scan", "-o", "json", "--plain-http", "--trusted-root"])
            .arg(&root)
            .arg(&tree)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        let row = |name: &str| {
            report["resources"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["name"] == name && r["kind"] == "HelmChart")
                .unwrap_or_else(|| panic!("{name}: {report:#}"))
                .clone()
        };
        for good in ["bundle-good", "classic-good"] {
            let r = row(good);
            assert_eq!(r["result"], "verified", "{r:#}");
            assert_eq!(r["condition"]["message"], "verified signature of version 1.0.0", "{r:#}");
        }
        let r = row("bundle-other");
        assert_eq!(r["result"], "failed", "{r:#}");
        let message = r["condition"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("chart verification error: failed to verify oci://{host}/charts/bundle-other:1.0.0: no matching attestations: failed to verify certificate identity: ")),
            "{message}"
        );
        assert_eq!(out.status.code(), Some(1));
    })
    .await
    .unwrap();
}
