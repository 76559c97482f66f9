//! `scan` stopped by `SIGINT`/`SIGTERM`, and `scan` stopping on an early error: the report is
//! still one valid document in the chosen format (the rows finished so far and the error), the
//! exit code is 130/143 (2 for an error), and a kustomize child does not outlive the run.
//! The signals are sent with kill(2) to the real binary while it waits on the in-process
//! registry made to hang, or on a stand-in for kustomize that never finishes. The time bounds
//! are hang guards; they measure nothing.

#[path = "support/cli.rs"]
#[allow(dead_code)]
mod cli;
#[path = "support/corpus.rs"]
#[allow(dead_code)]
mod corpus;
#[path = "registry/testreg.rs"]
mod testreg;

use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};
use testreg::TestRegistry;

const CASE: &str = "m-rsa2048-c2-jws";
const REPO: &str = "corpus/m-rsa2048-c2-jws";
/// The name of the corpus case's Secret.
const SECRET: &str = "notation-m-rsa2048-c2-jws--strict";
/// A run still going this long after its signal ignored it.
const HANG_GUARD: Duration = Duration::from_secs(30);

/// A tree of two sources: one Flux does not verify (its row needs no request) and one signed
/// source on `reg`, which never answers.
fn tree_with_a_hanging_source(reg: &TestRegistry, digest: &str, dir: &Path) {
    std::fs::copy(corpus::strict_secret(CASE), dir.join("secret.yaml")).unwrap();
    let signed = format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: signed\n  namespace: flux-system\nspec:\n  url: oci://{}/{REPO}\n  ref:\n    digest: {digest}\n  insecure: true\n  verify:\n    provider: notation\n    secretRef:\n      name: {}\n",
        reg.host(),
        SECRET
    );
    std::fs::write(dir.join("signed.yaml"), signed).unwrap();
    let plain = format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: plain\n  namespace: flux-system\nspec:\n  url: oci://{}/plain\n  ref:\n    tag: v1\n",
        reg.host()
    );
    std::fs::write(dir.join("plain.yaml"), plain).unwrap();
}

async fn hanging_registry() -> (TestRegistry, String) {
    TestRegistry::never_answering(&corpus::layout(CASE), REPO).await
}

/// Waits until the registry has been asked something: the verifications are under way.
async fn until_requested(reg: &TestRegistry) {
    let started = Instant::now();
    while reg.requests().is_empty() {
        assert!(
            started.elapsed() < HANG_GUARD,
            "no request reached the registry"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The rows that need no request are finished by now.
    tokio::time::sleep(Duration::from_millis(300)).await;
}

/// Runs `scan TREE -o FORMAT`, sends `signal` once the registry is asked, and returns the run.
async fn interrupted_scan(format: &str, signal: i32) -> cli::Output {
    let (reg, digest) = hanging_registry().await;
    let tree = tempfile::tempdir().unwrap();
    tree_with_a_hanging_source(&reg, &digest, tree.path());
    let run = cli::fluxverify(vec![
        "scan".into(),
        tree.path().display().to_string(),
        "--timeout".into(),
        "10m".into(),
        "-o".into(),
        format.into(),
    ])
    .spawn();
    until_requested(&reg).await;
    run.signal(signal);
    tokio::task::spawn_blocking(move || run.finish(HANG_GUARD))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_json_scan_prints_one_object_with_the_finished_rows_and_the_error() {
    let out = interrupted_scan("json", libc::SIGINT).await;
    assert_eq!(out.code, 130, "{}\n{}", out.stdout, out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).expect("one JSON object on stdout");
    let rows = json["resources"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{json}");
    assert_eq!(rows[0]["name"], "plain");
    assert_eq!(rows[0]["result"], "skipped");
    assert_eq!(
        json["error"],
        "interrupted by SIGINT: the run stopped before it finished"
    );
    assert_eq!(json["summary"]["skipped"], 1);
    assert!(
        out.stderr
            .contains("Error: interrupted by SIGINT: the run stopped before it finished"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_terminated_junit_scan_ends_with_an_error_testcase() {
    let out = interrupted_scan("junit", libc::SIGTERM).await;
    assert_eq!(out.code, 143, "{}\n{}", out.stdout, out.stderr);
    let xml = &out.stdout;
    assert!(
        xml.contains(
            r#"<testsuite name="fluxverify scan" tests="2" failures="0" errors="1" skipped="1">"#
        ),
        "{xml}"
    );
    assert!(xml.contains(r#"<testcase classname="OCIRepository/flux-system" name="plain""#));
    assert!(
        xml.contains(r#"<testcase classname="fluxverify" name="scan">"#)
            && xml.contains(r#"<error message="interrupted by SIGTERM: the run stopped before it finished" type="error">"#),
        "{xml}"
    );
    assert!(xml.trim_end().ends_with("</testsuites>"), "{xml}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_sarif_and_github_scan_say_the_run_did_not_finish() {
    let out = interrupted_scan("sarif", libc::SIGINT).await;
    assert_eq!(out.code, 130, "{}", out.stderr);
    let log: Value = serde_json::from_str(&out.stdout).unwrap();
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false, "{log}");
    assert_eq!(
        invocation["toolExecutionNotifications"][0]["message"]["text"],
        "interrupted by SIGINT: the run stopped before it finished"
    );
    // The skipped row is a note.
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 1);

    let out = interrupted_scan("github", libc::SIGINT).await;
    assert_eq!(out.code, 130, "{}", out.stderr);
    assert!(
        out.stdout.starts_with(
            "::error title=fluxverify scan::interrupted by SIGINT: the run stopped before it finished\n"
        ),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("scan stopped: interrupted by SIGINT"));
}

/// A stand-in for kustomize that records its pid and never finishes: it stands for a build
/// that hangs (a remote base that never answers); it imitates nothing kustomize does.
fn never_finishing_kustomize(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt as _;
    let pid_file = dir.join("kustomize.pid");
    let script = dir.join("hanging-kustomize");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho $$ > '{}'\nexec sleep 600\n",
            pid_file.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, pid_file)
}

#[test]
fn a_sigterm_during_the_fleet_build_stops_kustomize_and_reports_the_error() {
    let work = tempfile::tempdir().unwrap();
    let (script, pid_file) = never_finishing_kustomize(work.path());
    let tree = work.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    std::fs::write(
        tree.join("kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n",
    )
    .unwrap();
    let run = cli::fluxverify(vec![
        "scan".into(),
        tree.display().to_string(),
        "--kustomize".into(),
        script.display().to_string(),
        "-o".into(),
        "json".into(),
    ])
    .spawn();
    let started = Instant::now();
    let pid = loop {
        if let Some(pid) = std::fs::read_to_string(&pid_file)
            .ok()
            .and_then(|t| t.trim().parse::<i32>().ok())
        {
            break pid;
        }
        assert!(started.elapsed() < HANG_GUARD, "kustomize was not started");
        std::thread::sleep(Duration::from_millis(20));
    };
    run.signal(libc::SIGTERM);
    let out = run.finish(HANG_GUARD);
    assert_eq!(out.code, 143, "{}\n{}", out.stdout, out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).expect("one JSON object");
    assert_eq!(json["resources"], serde_json::json!([]));
    assert_eq!(
        json["error"],
        "interrupted by SIGTERM: the run stopped before it finished"
    );
    // The child was stopped, not left behind: kill(pid, 0) finds no such process.
    // SAFETY: signal 0 only checks that the process exists.
    let alive = unsafe { libc::kill(pid, 0) } == 0;
    assert!(!alive, "kustomize (pid {pid}) outlived the run");
}

#[test]
fn an_early_error_writes_a_report_in_every_machine_format() {
    let missing = "/nonexistent/fleet";
    for format in ["json", "junit", "github", "sarif"] {
        let out = cli::fluxverify(vec![
            "scan".into(),
            missing.into(),
            "-o".into(),
            format.into(),
        ])
        .output_blocking();
        assert_eq!(out.code, 2, "{format}: {}", out.stderr);
        let error = format!("cannot read {missing}: No such file or directory (os error 2)");
        assert!(
            out.stderr.contains(&format!("Error: {error}")),
            "{}",
            out.stderr
        );
        match format {
            "json" => {
                let json: Value = serde_json::from_str(&out.stdout).unwrap();
                assert_eq!(json["error"], error.as_str());
                assert_eq!(json["resources"], serde_json::json!([]));
            }
            "junit" => {
                assert!(
                    out.stdout.contains(r#"tests="1" failures="0" errors="1""#),
                    "{}",
                    out.stdout
                );
                assert!(out
                    .stdout
                    .contains(&format!(r#"<error message="{error}" type="error">"#)));
            }
            "github" => assert!(
                out.stdout
                    .starts_with(&format!("::error title=fluxverify scan::{error}\n")),
                "{}",
                out.stdout
            ),
            _ => {
                let log: Value = serde_json::from_str(&out.stdout).unwrap();
                let invocation = &log["runs"][0]["invocations"][0];
                assert_eq!(invocation["executionSuccessful"], false);
                assert_eq!(
                    invocation["toolExecutionNotifications"][0]["message"]["text"],
                    error.as_str()
                );
            }
        }
    }
    // Text: the error on stderr, nothing on stdout.
    let out = cli::fluxverify(vec!["scan".into(), missing.into()]).output_blocking();
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}
