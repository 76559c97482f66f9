//! The CLI's exit-code and output contract through registries: 0 verified, 1 Flux would fail
//! it because of the signatures, policy or trust material, 2 could not decide (the registry
//! could not be reached, refused access or broke, whichever step it happened in), and with
//! `-o json` exactly one JSON object on stdout in every case.

use super::distribution::{self, Distribution, Layout, Pusher};
use super::testreg::{Hostile, TestRegistry};
use super::{fluxverify, multi4_in_docker_registry, vectors};
use serde_json::Value;

const CASE: &str = "m-rsa2048-c2-jws";

fn secret() -> String {
    vectors()
        .join(format!("corpus/cases/{CASE}--strict/secret.yaml"))
        .display()
        .to_string()
}

fn subject_digest() -> String {
    Layout::open(&vectors().join("corpus/layouts").join(CASE)).tagged("v1")["digest"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A port on 127.0.0.1 nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `verify` in `mode` with `-o json`; the exit code and the one JSON object stdout holds.
async fn verify_json(mode: &str, reference: &str, extra: &[&str]) -> (i32, Value) {
    let mut args: Vec<String> = ["verify", "--plain-http", "--mode", mode, "--secret"]
        .iter()
        .map(ToString::to_string)
        .collect();
    args.push(secret());
    args.extend(extra.iter().map(ToString::to_string));
    args.extend(["-o".into(), "json".into(), reference.into()]);
    let (code, stdout, stderr) = fluxverify(args).await;
    let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{mode} {reference}: stdout is not one JSON object ({e}): {stdout}\nstderr: {stderr}"
        )
    });
    assert!(json.is_object(), "{stdout}");
    (code, json)
}

#[tokio::test]
async fn an_unreachable_registry_is_undecided_for_digest_and_tag_references() {
    let host = format!("127.0.0.1:{}", closed_port());
    let digest = subject_digest();
    for (reference, is_digest) in [
        (format!("{host}/corpus/{CASE}@{digest}"), true),
        (format!("{host}/corpus/{CASE}:v1"), false),
    ] {
        for mode in ["flux", "notation"] {
            let (code, json) = verify_json(mode, &reference, &[]).await;
            assert_eq!(code, 2, "{mode} {reference}: {json}");
            assert_eq!(json["result"], "error", "{mode} {reference}: {json}");
            let error = json["error"].as_str().unwrap();
            assert!(error.contains(&host), "{mode} {reference}: {error}");
            if mode == "flux" && is_digest {
                // getRevision sends nothing for a digest: notation-go's own resolve fails
                // inside verification, and Flux writes it into SourceVerified.
                assert_eq!(
                    json["condition"],
                    serde_json::json!({"type": "SourceVerified", "status": "False", "reason": "VerificationError",
                        "message": format!("failed to verify the signature using provider 'notation': {error}")}),
                    "{reference}"
                );
                assert!(error.contains("connect: connection refused"), "{error}");
            } else {
                // Flux fails in getRevision, before verification: SourceVerified is not written.
                assert_eq!(json["condition"], Value::Null, "{mode} {reference}");
            }
        }
        let (code, stdout, _) = fluxverify(vec![
            "verify".into(),
            "--plain-http".into(),
            "--secret".into(),
            secret(),
            reference.clone(),
        ])
        .await;
        assert_eq!(code, 2, "{stdout}");
        assert!(stdout.contains("Result:     error"), "{stdout}");
        assert_eq!(
            stdout.contains("SourceVerified is not set (Flux stops before verification"),
            !is_digest,
            "{stdout}"
        );
        assert_eq!(
            stdout.contains("Message:  failed to verify the signature using provider 'notation': "),
            is_digest,
            "{stdout}"
        );
    }
}

/// A digest the registry does not have: Flux's `getRevision` returns a digest reference as it
/// is, notation-go's resolve gets oras-go's 404 text, and Flux writes `SourceVerified=False`
/// with it: a definite failure (exit 1), on the command line and through `spec.ref.digest`.
#[tokio::test]
#[cfg_attr(
    feature = "skip-registry-tests",
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1"
)]
async fn a_digest_the_registry_does_not_have_fails_verification() {
    let bin = distribution::binary();
    let reg = Distribution::start(&bin, false);
    let layout = Layout::open(&vectors().join("corpus/layouts").join(CASE));
    layout
        .push(
            &Pusher::new(&reg.addr, None),
            &format!("corpus/{CASE}"),
            "v1",
        )
        .await;
    let missing = format!("sha256:{}", "0".repeat(64));
    let reference = format!("{}/corpus/{CASE}@{missing}", reg.addr);
    let error = format!("{reference}: not found");
    let condition = serde_json::json!({"type": "SourceVerified", "status": "False", "reason": "VerificationError",
        "message": format!("failed to verify the signature using provider 'notation': {error}")});
    let (code, json) = verify_json("flux", &reference, &[]).await;
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["result"], "failed");
    assert_eq!(json["error"], error);
    assert_eq!(json["revision"], missing);
    assert_eq!(json["condition"], condition);

    let (code, stdout, _) = fluxverify(vec![
        "verify".into(),
        "--plain-http".into(),
        "--secret".into(),
        secret(),
        reference.clone(),
    ])
    .await;
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("Result:     failed\n"), "{stdout}");
    assert!(
        stdout.contains(&format!("Error:      {error}\n")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "Message:  failed to verify the signature using provider 'notation': {error}"
        )),
        "{stdout}"
    );

    // spec.ref.digest: the same condition, and the object's status line.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.yaml");
    std::fs::write(&file, format!("apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {{name: app, namespace: flux-system}}\nspec:\n  url: oci://{}/corpus/{CASE}\n  insecure: true\n  ref: {{digest: '{missing}'}}\n  verify: {{provider: notation, secretRef: {{name: notation-config}}}}\n", reg.addr)).unwrap();
    let args = |json: bool| {
        let mut a = vec![
            "verify".to_string(),
            "--ocirepository".into(),
            file.display().to_string(),
            "--secret".into(),
            secret(),
        ];
        if json {
            a.extend(["-o".into(), "json".into()]);
        }
        a
    };
    let (code, stdout, stderr) = fluxverify(args(true)).await;
    assert_eq!(code, 1, "{stdout}{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["condition"], condition);
    assert_eq!(json["revision"], missing);
    let (code, stdout, _) = fluxverify(args(false)).await;
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains(&format!("OCIRepository flux-system/app: SourceVerified False VerificationError: failed to verify the signature using provider 'notation': {error}")),
        "{stdout}"
    );
}

#[tokio::test]
#[cfg_attr(
    feature = "skip-registry-tests",
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1"
)]
async fn a_registry_refusing_credentials_is_undecided_and_the_same_setup_decides_with_them() {
    let bin = distribution::binary();
    let reg = Distribution::start(&bin, true);
    let layout = Layout::open(&vectors().join("corpus/layouts").join(CASE));
    layout
        .push(
            &Pusher::new(&reg.addr, reg.basic.clone()),
            &format!("corpus/{CASE}"),
            "v1",
        )
        .await;
    let digest = subject_digest();
    for reference in [
        format!("{}/corpus/{CASE}@{digest}", reg.addr),
        format!("{}/corpus/{CASE}:v1", reg.addr),
    ] {
        let (code, json) = verify_json("flux", &reference, &[]).await;
        assert_eq!(code, 2, "{reference}: {json}");
        assert_eq!(json["result"], "error");
        assert!(
            json["error"].as_str().unwrap().contains("401"),
            "{reference}: {json}"
        );
        let (code, json) = verify_json("flux", &reference, &["-u", "alice", "-p", "s3cret"]).await;
        assert_eq!(code, 0, "{reference}: {json}");
        assert_eq!(json["result"], "verified");
        assert_eq!(json["condition"]["status"], "True");
    }
}

#[tokio::test]
async fn a_broken_registry_while_fetching_signatures_is_undecided_and_shows_the_condition() {
    let reg = TestRegistry::start().await;
    let (subject, _) = reg.seed("corpus/app", 2, |i| format!("envelope {i}").into_bytes());
    reg.hostile(Hostile {
        blob_status: Some(503),
        ..Hostile::default()
    });
    let reference = format!(
        "{}/corpus/app@{}",
        reg.host(),
        subject["digest"].as_str().unwrap()
    );
    let (code, json) = verify_json("flux", &reference, &[]).await;
    assert_eq!(code, 2, "{json}");
    assert_eq!(json["result"], "error");
    let error = json["error"].as_str().unwrap();
    assert!(
        error.starts_with("unable to retrieve digital signature") && error.contains("503"),
        "{error}"
    );
    // Past getRevision, Flux writes the failure into SourceVerified.
    assert_eq!(json["condition"]["status"], "False");
    assert!(json["condition"]["message"]
        .as_str()
        .unwrap()
        .ends_with(error));

    // The same artifact with envelopes that do not parse: the signatures are bad, exit 1.
    reg.hostile(Hostile::default());
    let (code, json) = verify_json("flux", &reference, &[]).await;
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["result"], "failed");
}

#[tokio::test]
#[cfg_attr(
    feature = "skip-registry-tests",
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1"
)]
async fn ls_prints_one_json_object_listing_or_failing() {
    let bin = distribution::binary();
    let (reg, layout, subject) = multi4_in_docker_registry(&bin).await;
    let expected: Vec<Value> = layout
        .referrers_of(&subject)
        .iter()
        .map(|d| d["digest"].clone())
        .collect();
    let reference = format!("{}/corpus/multi4@{subject}", reg.addr);
    let (code, stdout, stderr) = fluxverify(vec![
        "ls".into(),
        "--plain-http".into(),
        "-o".into(),
        "json".into(),
        reference.clone(),
    ])
    .await;
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["reference"], reference);
    assert_eq!(json["artifact"]["digest"], subject.as_str());
    let listed: Vec<Value> = json["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["digest"].clone())
        .collect();
    assert_eq!(listed, expected);
    assert_eq!(json["limitExceeded"], false);

    let (code, stdout, _) = fluxverify(vec![
        "ls".into(),
        "--plain-http".into(),
        "-o".into(),
        "json".into(),
        format!("127.0.0.1:{}/corpus/multi4@{subject}", closed_port()),
    ])
    .await;
    assert_eq!(code, 2);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["result"], "error");
    assert!(json["error"]
        .as_str()
        .unwrap()
        .starts_with("failed to resolve"));
}
