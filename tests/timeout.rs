//! The run's time limit (`--timeout`, an OCIRepository's `spec.timeout`) through the binary,
//! against the in-process registry made to hang: the run ends with "could not decide" (exit 2)
//! and names the request it was waiting for. The time bounds asserted are hang guards, far
//! above the limits set; they measure nothing.

#[path = "support/cli.rs"]
#[allow(dead_code)]
mod cli;
#[path = "support/corpus.rs"]
#[allow(dead_code)]
mod corpus;
#[path = "registry/testreg.rs"]
mod testreg;

use serde_json::Value;
use std::time::Duration;
use testreg::{Hostile, TestRegistry};

const CASE: &str = "m-rsa2048-c2-jws";
const REPO: &str = "corpus/m-rsa2048-c2-jws";
/// Far above every limit set here: a run that takes this long ignored its limit.
const HANG_GUARD: Duration = Duration::from_secs(20);

/// Runs the binary, isolated; returns the exit code, stdout, stderr and how long it took.
async fn run(args: Vec<String>) -> (i32, String, String, Duration) {
    let out = cli::fluxverify(args).timeout(HANG_GUARD * 2).output().await;
    (out.code, out.stdout, out.stderr, out.took)
}

fn verify_args(reg: &TestRegistry, digest: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "verify".into(),
        format!("{}/{REPO}@{digest}", reg.host()),
        "--plain-http".into(),
        "--secret".into(),
        corpus::strict_secret(CASE).display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

async fn never_answering() -> (TestRegistry, String) {
    TestRegistry::never_answering(&corpus::layout(CASE), REPO).await
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_against_a_registry_that_never_answers_ends_at_the_limit() {
    let (reg, digest) = never_answering().await;
    let (code, stdout, stderr, took) = run(verify_args(&reg, &digest, &["--timeout", "2s"])).await;
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        took < HANG_GUARD,
        "took {took:?}: the limit was not applied"
    );
    let manifest = format!(
        "waiting for HEAD http://{}/v2/{REPO}/manifests/{digest} (no response headers yet)",
        reg.host()
    );
    assert!(
        stderr.contains(&format!("Error: timed out after 2s (--timeout) {manifest}")),
        "{stderr}"
    );
    assert!(stderr.contains("context deadline exceeded"), "{stderr}");
    assert!(stderr.contains("\nHint: "), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    // The request really went out and was read.
    assert!(reg
        .requests()
        .iter()
        .any(|r| r.method == "HEAD" && r.path_and_query.contains("/manifests/")));

    // The same as one JSON object.
    let (code, stdout, stderr, _) = run(verify_args(
        &reg,
        &digest,
        &["--timeout", "1500ms", "-o", "json"],
    ))
    .await;
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    let json: Value = serde_json::from_str(&stdout).expect("one JSON object on stdout");
    assert_eq!(json["result"], "error");
    let error = json["error"].as_str().unwrap();
    assert!(
        error.starts_with("timed out after 1.5s (--timeout)"),
        "{error}"
    );
    assert!(error.contains(&manifest), "{error}");
    assert!(!json["hints"].as_array().unwrap().is_empty(), "{json}");
}

#[tokio::test(flavor = "multi_thread")]
async fn ls_and_inspect_obey_the_limit_too() {
    let (reg, digest) = never_answering().await;
    for command in ["ls", "inspect"] {
        let args = vec![
            command.to_string(),
            format!("{}/{REPO}@{digest}", reg.host()),
            "--plain-http".into(),
            "--timeout".into(),
            "1s".into(),
        ];
        let (code, stdout, stderr, took) = run(args).await;
        assert_eq!(code, 2, "{command}: {stdout}\n{stderr}");
        assert!(took < HANG_GUARD, "{command} took {took:?}");
        assert!(
            stderr.contains(&format!(
                "timed out after 1s (--timeout) waiting for HEAD http://{}/v2/{REPO}/manifests/",
                reg.host()
            )),
            "{command}: {stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_that_never_comes_is_named_with_its_headers_received() {
    let reg = TestRegistry::start().await;
    let digest = reg.serve_layout(&corpus::layout(CASE), REPO);
    reg.hostile(Hostile {
        stall_after_headers: true,
        ..Hostile::default()
    });
    let (code, stdout, stderr, took) = run(verify_args(&reg, &digest, &["--timeout", "2s"])).await;
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(took < HANG_GUARD, "took {took:?}");
    // The HEAD has no body; the referrers listing is the GET whose body never comes.
    assert!(
        stderr.contains(&format!(
            "waiting for GET http://{}/v2/{REPO}/referrers/{digest}",
            reg.host()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("(response headers received, 0 body bytes so far)"),
        "{stderr}"
    );
}

fn ocirepository(reg: &TestRegistry, digest: &str, timeout: Option<&str>) -> String {
    let timeout = timeout.map_or_else(String::new, |t| format!("  timeout: {t}\n"));
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: app\n  namespace: apps\nspec:\n  url: oci://{}/{REPO}\n  insecure: true\n{timeout}  ref:\n    digest: {digest}\n  verify:\n    provider: notation\n    secretRef:\n      name: notation-m-rsa2048-c2-jws--strict\n",
        reg.host()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ocirepository_spec_timeout_applies_unless_the_flag_is_given() {
    let (reg, digest) = never_answering().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ocirepository.yaml");
    std::fs::write(&file, ocirepository(&reg, &digest, Some("3s"))).unwrap();
    let args = |extra: &[&str]| {
        let mut args = vec![
            "verify".to_string(),
            "--ocirepository".into(),
            file.display().to_string(),
            "--secret".into(),
            corpus::strict_secret(CASE).display().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let (code, stdout, stderr, took) = run(args(&[])).await;
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(took < HANG_GUARD, "took {took:?}");
    assert!(
        stderr.contains(
            "timed out after 3s (spec.timeout of OCIRepository apps/app) waiting for HEAD"
        ),
        "{stderr}"
    );
    // An explicit flag overrides the manifest.
    let (code, stdout, stderr, _) = run(args(&["--timeout", "1s"])).await;
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("timed out after 1s (--timeout) waiting for HEAD"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_timeout_is_a_usage_error_naming_the_flag() {
    for bad in ["abc", "10", "0s"] {
        let args = vec![
            "verify".to_string(),
            "example.com/app@sha256:0000000000000000000000000000000000000000000000000000000000000000".into(),
            "--timeout".into(),
            bad.into(),
        ];
        let (code, stdout, stderr, _) = run(args).await;
        assert_eq!(code, 2, "{bad}: {stdout}\n{stderr}");
        assert!(stderr.contains("--timeout <DURATION>"), "{bad}: {stderr}");
        assert!(stderr.contains(bad), "{bad}: {stderr}");
    }
    let (_, _, stderr, _) = run(vec![
        "ls".into(),
        "example.com/app:v1".into(),
        "--timeout".into(),
        "abc".into(),
    ])
    .await;
    assert!(
        stderr.contains("time: invalid duration \"abc\""),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scan_row_of_a_never_answering_source_is_an_error_naming_the_request() {
    let (reg, digest) = never_answering().await;
    let tree = tempfile::tempdir().unwrap();
    std::fs::copy(corpus::strict_secret(CASE), tree.path().join("secret.yaml")).unwrap();
    let source =
        ocirepository(&reg, &digest, None).replace("namespace: apps", "namespace: flux-system");
    std::fs::write(tree.path().join("source.yaml"), source).unwrap();
    let (code, stdout, stderr, took) = run(vec![
        "scan".into(),
        tree.path().display().to_string(),
        "--timeout".into(),
        "2s".into(),
        "-o".into(),
        "json".into(),
    ])
    .await;
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(took < HANG_GUARD, "took {took:?}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let rows = json["resources"].as_array().unwrap();
    let row = rows
        .iter()
        .find(|r| r["kind"] == "OCIRepository")
        .unwrap_or_else(|| panic!("{json}"));
    assert_eq!(row["result"], "error", "{row}");
    let reason = row.to_string();
    assert!(
        reason.contains(&format!(
            "timed out after 2s (--timeout) waiting for HEAD http://{}/v2/{REPO}/manifests/{digest}",
            reg.host()
        )),
        "{reason}"
    );
}
