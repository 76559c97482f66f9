//! The structured logs (`-v`, `FLUXVERIFY_LOG`, `RUST_LOG`), through the binary against the
//! in-process registry: what a request line says, that stdout stays the report, that no
//! credential reaches stderr, and what an invalid filter does.

#[path = "support/cli.rs"]
#[allow(dead_code)]
mod cli;
#[path = "support/corpus.rs"]
#[allow(dead_code)]
mod corpus;
#[path = "registry/testreg.rs"]
mod testreg;

use serde_json::Value;
use testreg::{TestRegistry, TokenAuth};

const CASE: &str = "m-rsa2048-c2-jws";
const REPO: &str = "corpus/m-rsa2048-c2-jws";
const USER: &str = "log-user";
const PASSWORD: &str = "pw-7d41c9e0";
const ACCESS_TOKEN: &str = "access-token-5be2f3";

/// Runs the binary, isolated, with `env` over its environment.
async fn run(args: Vec<String>, env: Vec<(&str, &str)>) -> (i32, String, String) {
    cli::fluxverify(args).envs(env).output().await.into()
}

fn verify_args(reference: &str, extra: &[&str]) -> Vec<String> {
    let secret = corpus::strict_secret(CASE);
    let mut args: Vec<String> = vec![
        "verify".into(),
        reference.into(),
        "--plain-http".into(),
        "--secret".into(),
        secret.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// The log lines of `stderr` whose message is `message` (the fields follow it).
fn lines_with<'a>(stderr: &'a str, message: &str) -> Vec<&'a str> {
    stderr
        .lines()
        .filter(|l| l.contains(&format!(": {message} ")) || l.ends_with(&format!(": {message}")))
        .collect()
}

/// `user:password` in base64, as a Basic `Authorization` header carries it.
fn basic(user: &str, password: &str) -> String {
    base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{user}:{password}"),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_logs_each_request_with_method_path_status_and_time() {
    let reg = TestRegistry::start().await;
    let digest = reg.serve_layout(&corpus::layout(CASE), REPO);
    let host = reg.host();
    let by_digest = format!("{host}/{REPO}@{digest}");

    // The default run logs nothing: stderr is what it always was (nothing, for a pass).
    let (code, quiet_stdout, stderr) = run(verify_args(&by_digest, &[]), vec![]).await;
    assert_eq!(code, 0, "{quiet_stdout}{stderr}");
    assert_eq!(stderr, "");

    let before = reg.requests().len();
    let (code, stdout, stderr) = run(verify_args(&by_digest, &["-v"]), vec![]).await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stdout, quiet_stdout, "-v changes stderr only");
    let requests = lines_with(&stderr, "registry request");
    let head = requests
        .iter()
        .find(|l| l.contains("method=HEAD"))
        .unwrap_or_else(|| panic!("no HEAD request line in:\n{stderr}"));
    let manifest_url = format!("url=http://{host}/v2/{REPO}/manifests/{digest}");
    assert!(head.contains(&manifest_url), "{head}");
    assert!(head.contains(" INFO "), "{head}");
    assert!(head.contains("status=200"), "{head}");
    assert!(head.contains(" ms="), "{head}");
    // Every request the registry answered has its line (the envelope blob's among them).
    assert_eq!(requests.len(), reg.requests().len() - before, "{stderr}");
    let blob = requests
        .iter()
        .find(|l| l.contains("/blobs/sha256:"))
        .unwrap_or_else(|| panic!("no blob request line in:\n{stderr}"));
    let bytes: u64 = blob
        .split(" bytes=")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no bytes field: {blob}"));
    assert!(bytes > 0, "{blob}");
    // -v stops at info: no signature checks, no auth.
    assert!(
        lines_with(&stderr, "signature check").is_empty(),
        "{stderr}"
    );
    assert!(!stderr.contains("DEBUG"), "{stderr}");
    let statement = lines_with(&stderr, "trust policy statement applies");
    assert_eq!(statement.len(), 1, "{stderr}");
    assert!(statement[0].contains("matched_scope="), "{}", statement[0]);

    // A tag: its resolution to the digest is logged; the flag works before the command too.
    let by_tag = format!("{host}/{REPO}:v1");
    let mut args = vec!["-v".to_string()];
    args.extend(verify_args(&by_tag, &[]));
    let (_, stdout, stderr) = run(args, vec![]).await;
    let resolved = lines_with(&stderr, "resolved tag");
    assert_eq!(resolved.len(), 1, "{stdout}{stderr}");
    assert!(resolved[0].contains("tag=v1"), "{}", resolved[0]);
    assert!(
        resolved[0].contains(&format!("digest={digest}")),
        "{}",
        resolved[0]
    );

    // A refused connection is a request line too, with the error.
    drop(reg);
    let (code, _, stderr) = run(verify_args(&by_digest, &["-v"]), vec![]).await;
    assert_eq!(code, 2, "{stderr}");
    let failed = lines_with(&stderr, "registry request failed");
    assert!(!failed.is_empty(), "{stderr}");
    assert!(failed[0].contains("error="), "{}", failed[0]);
}

#[tokio::test(flavor = "multi_thread")]
async fn json_on_stdout_stays_valid_under_debug_logs() {
    let reg = TestRegistry::start().await;
    let digest = reg.serve_layout(&corpus::layout(CASE), REPO);
    let reference = format!("{}/{REPO}@{digest}", reg.host());
    let (code, stdout, stderr) = run(verify_args(&reference, &["-vv", "-o", "json"]), vec![]).await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    let json: Value = serde_json::from_str(&stdout).expect("stdout is one JSON document");
    assert_eq!(json["result"], "verified", "{stdout}");
    // Each step of the signature, with its result and time, inside the signature's span.
    let steps = lines_with(&stderr, "signature check");
    for step in ["integrity", "authenticity", "expiry", "authenticTimestamp"] {
        let line = steps
            .iter()
            .find(|l| l.contains(&format!("step={step} ")))
            .unwrap_or_else(|| panic!("no {step} step in:\n{stderr}"));
        assert!(
            line.contains("result=passed") && line.contains(" ms="),
            "{line}"
        );
        assert!(line.contains("signature{manifest=sha256:"), "{line}");
    }
    assert_eq!(
        lines_with(&stderr, "signature verified").len(),
        1,
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_never_reach_stderr_even_at_trace() {
    let reg = TestRegistry::start().await;
    let digest = reg.serve_layout(&corpus::layout(CASE), REPO);
    let reference = format!("{}/{REPO}@{digest}", reg.host());
    let secrets = [
        PASSWORD.to_string(),
        basic(USER, PASSWORD),
        ACCESS_TOKEN.to_string(),
    ];

    // Basic auth on the registry itself.
    *reg.state.basic.lock().unwrap() = Some(testreg::basic_authorization(USER, PASSWORD));
    let (code, stdout, stderr) = run(
        verify_args(&reference, &["-vvv", "-u", USER, "-p", PASSWORD]),
        vec![],
    )
    .await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    let challenge = lines_with(&stderr, "auth challenge");
    assert!(
        challenge.iter().any(|l| l.contains("scheme=basic")),
        "{stderr}"
    );
    let answered = lines_with(&stderr, "answering the basic challenge");
    assert!(
        answered
            .iter()
            .any(|l| l.contains("credentials=given with -u/-p")),
        "{stderr}"
    );
    for secret in &secrets {
        assert!(
            !stderr.contains(secret.as_str()),
            "{secret} leaked:\n{stderr}"
        );
    }

    // A bearer token service that takes the same credentials.
    *reg.state.basic.lock().unwrap() = None;
    reg.require_token(TokenAuth {
        token_path: "/v2/token".into(),
        user: USER.into(),
        password: PASSWORD.into(),
        access_token: ACCESS_TOKEN.into(),
        exchange: None,
    });
    let (code, stdout, stderr) = run(
        verify_args(&reference, &["-vvv", "-u", USER, "-p", PASSWORD]),
        vec![],
    )
    .await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    let fetch = lines_with(&stderr, "token fetch");
    assert!(!fetch.is_empty(), "{stderr}");
    assert!(fetch[0].contains("status=200"), "{}", fetch[0]);
    assert!(fetch[0].contains("grant=basic"), "{}", fetch[0]);
    assert!(fetch[0].contains("scope=repository:"), "{}", fetch[0]);
    assert!(
        lines_with(&stderr, "auth challenge")
            .iter()
            .any(|l| l.contains("scheme=bearer") && l.contains("/v2/token")),
        "{stderr}"
    );
    // The token service's request line is logged like the registry's.
    assert!(
        lines_with(&stderr, "registry request")
            .iter()
            .any(|l| l.contains("/v2/token?")),
        "{stderr}"
    );
    for secret in &secrets {
        assert!(
            !stderr.contains(secret.as_str()),
            "{secret} leaked:\n{stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn filter_variables_choose_the_levels_and_a_bad_one_is_an_error() {
    let reg = TestRegistry::start().await;
    let digest = reg.serve_layout(&corpus::layout(CASE), REPO);
    let reference = format!("{}/{REPO}@{digest}", reg.host());

    // FLUXVERIFY_LOG alone turns on debug lines, without -v.
    let (code, _, stderr) = run(
        verify_args(&reference, &[]),
        vec![("FLUXVERIFY_LOG", "fluxverify=debug")],
    )
    .await;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !lines_with(&stderr, "signature check").is_empty(),
        "{stderr}"
    );
    assert!(
        !lines_with(&stderr, "registry request").is_empty(),
        "{stderr}"
    );

    // A narrower filter: only the requests. It wins over RUST_LOG and over -vv.
    let (_, _, stderr) = run(
        verify_args(&reference, &["-vv"]),
        vec![
            ("FLUXVERIFY_LOG", "fluxverify::registry=info"),
            ("RUST_LOG", "fluxverify=trace"),
        ],
    )
    .await;
    assert!(
        !lines_with(&stderr, "registry request").is_empty(),
        "{stderr}"
    );
    assert!(
        lines_with(&stderr, "signature check").is_empty(),
        "{stderr}"
    );
    assert!(
        lines_with(&stderr, "trust policy statement applies").is_empty(),
        "{stderr}"
    );

    // RUST_LOG when FLUXVERIFY_LOG is not set.
    let (_, _, stderr) = run(
        verify_args(&reference, &[]),
        vec![("RUST_LOG", "fluxverify::verify=info")],
    )
    .await;
    assert_eq!(
        lines_with(&stderr, "trust policy statement applies").len(),
        1,
        "{stderr}"
    );
    assert!(
        lines_with(&stderr, "registry request").is_empty(),
        "{stderr}"
    );

    // An invalid filter: exit 2 before anything is done, the variable named.
    let before = reg.requests().len();
    let (code, stdout, stderr) = run(
        verify_args(&reference, &[]),
        vec![("FLUXVERIFY_LOG", "fluxverify=loud")],
    )
    .await;
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.starts_with("Error: invalid FLUXVERIFY_LOG \"fluxverify=loud\""),
        "{stderr}"
    );
    assert_eq!(reg.requests().len(), before, "no request was sent");
    // With -o json the error is the one JSON object on stdout, as for any other error.
    let (code, stdout, _) = run(
        verify_args(&reference, &["-o", "json"]),
        vec![("RUST_LOG", "fluxverify=verbose")],
    )
    .await;
    assert_eq!(code, 2, "{stdout}");
    let json: Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert_eq!(json["result"], "error");
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .starts_with("invalid RUST_LOG"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_credential_helper_is_named_and_its_secret_is_not() {
    use std::os::unix::fs::PermissionsExt as _;
    let reg = TestRegistry::start().await;
    let digest = reg.serve_layout(&corpus::layout(CASE), REPO);
    let host = reg.host();
    let reference = format!("{host}/{REPO}@{digest}");
    *reg.state.basic.lock().unwrap() = Some(testreg::basic_authorization(USER, PASSWORD));
    let dir = tempfile::tempdir().unwrap();
    let helper = dir.path().join("docker-credential-logtest");
    std::fs::write(
        &helper,
        format!("#!/bin/sh\nread server\nprintf '{{\"ServerURL\":\"%s\",\"Username\":\"{USER}\",\"Secret\":\"{PASSWORD}\"}}\\n' \"$server\"\n"),
    )
    .unwrap();
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        dir.path().join("config.json"),
        format!(r#"{{"credHelpers": {{"{host}": "logtest"}}}}"#),
    )
    .unwrap();
    let path = format!("{}:/usr/bin:/bin", dir.path().display());
    let config = dir.path().display().to_string();
    let (code, stdout, stderr) = run(
        verify_args(&reference, &["-vv"]),
        vec![("PATH", &path), ("DOCKER_CONFIG", &config)],
    )
    .await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    let hit = lines_with(&stderr, "Docker config credentials");
    assert_eq!(hit.len(), 1, "{stderr}");
    assert!(
        hit[0].contains("from=credential helper docker-credential-logtest"),
        "{}",
        hit[0]
    );
    assert!(
        lines_with(&stderr, "answering the basic challenge")
            .iter()
            .any(|l| l.contains("credentials=Docker config")),
        "{stderr}"
    );
    for secret in [PASSWORD.to_string(), basic(USER, PASSWORD)] {
        assert!(!stderr.contains(&secret), "{secret} leaked:\n{stderr}");
    }
}
