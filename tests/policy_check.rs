//! `policy check` as a gate: it never calls material valid that Flux (or notation) will fail
//! with, checks the material against an OCIRepository's URL offline, and points at the keys of
//! `trustpolicy.json` Go ignores.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("fluxverify").unwrap()
}

#[path = "support/upstream.rs"]
mod upstream;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// A certificate Flux parses (the notation-core-go test vector).
fn cert_pem() -> String {
    std::fs::read_to_string(upstream::upstream("notation-core-go/x509/testdata/pem.crt")).unwrap()
}

const POLICY: &str = r#"{"version":"1.0","trustPolicies":[{"name":"apps","registryScopes":["registry.example/app"],"signatureVerification":{"level":"strict"},"trustStores":["ca:apps"],"trustedIdentities":["*"]}]}"#;

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

/// A file with an OCIRepository for `url` and its Secret holding `policy` and `ca.pem`.
fn source_file(dir: &Path, url: &str, policy: &str, ca: &str) -> String {
    let path = dir.join(format!(
        "source-{}.yaml",
        url.len() + ca.len() + policy.len()
    ));
    std::fs::write(
        &path,
        format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: app\n  namespace: apps\nspec:\n  url: {url}\n  ref:\n    tag: v1\n  verify:\n    provider: notation\n    secretRef:\n      name: trust\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: trust\n  namespace: apps\nstringData:\n  trustpolicy.json: '{policy}'\n  notes.txt: kept for people\n  ca.pem: |\n{}",
            indent(ca)
        ),
    )
    .unwrap();
    path.display().to_string()
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn certificates_flux_cannot_parse_fail_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let key = std::fs::read_to_string(root().join("fixtures/keys/p256-leaf.pem")).unwrap();
    let f = source_file(dir.path(), "oci://registry.example/app", POLICY, &key);
    bin()
        .args(["policy", "check", "--secret", &f])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "Error: failed to parse certificate 'apps': x509: ",
        ))
        .stderr(predicate::str::contains("(from key 'ca.pem')"));
    let f = source_file(
        dir.path(),
        "oci://registry.example/app",
        POLICY,
        "not a certificate",
    );
    bin()
        .args(["policy", "check", "--secret", &f])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "failed to parse certificate 'apps'",
        ));
    // An empty value: Flux finds the key, then no certificate in it.
    let empty = dir.path().join("empty.yaml");
    std::fs::write(&empty, format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: ns\nstringData:\n  trustpolicy.json: '{POLICY}'\n  ca.crt: ''\n")).unwrap();
    bin()
        .args(["policy", "check", "--secret"])
        .arg(&empty)
        .assert()
        .code(1)
        .stderr("Error: trust store ca:apps (statement \"apps\") holds no certificate: every signature fails authenticity with 'no trusted certificates are found to verify authenticity'\n");
    // --certs: an empty directory, a private key.
    let policy = dir.path().join("trustpolicy.json");
    std::fs::write(&policy, POLICY).unwrap();
    let certs = dir.path().join("certs");
    std::fs::create_dir(&certs).unwrap();
    bin()
        .args(["policy", "check", "--trust-policy"])
        .arg(&policy)
        .arg("--certs")
        .arg(&certs)
        .assert()
        .code(1)
        .stderr("Error: no certificates found in --certs: the Secret Flux reads would fail with 'no certificates found in secret'\n");
    bin()
        .args(["policy", "check", "--trust-policy"])
        .arg(&policy)
        .arg("--certs")
        .arg(root().join("fixtures/keys/p256-leaf.pem"))
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "Error: failed to parse certificate 'apps': x509: ",
        ));
    // A good certificate passes.
    std::fs::write(certs.join("root.crt"), cert_pem()).unwrap();
    bin()
        .args(["policy", "check", "--trust-policy"])
        .arg(&policy)
        .arg("--certs")
        .arg(&certs)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("is valid (flux mode)"));
    // Notation mode: a store the policy names and the material lacks.
    bin()
        .args(["policy", "check", "--mode", "notation", "--trust-policy"])
        .arg(&policy)
        .arg("--certs")
        .arg(format!("ca:other={}", certs.join("root.crt").display()))
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("Error: "))
        .stderr(predicate::str::contains("\"apps\""));
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn an_ocirepository_is_checked_against_its_url_offline() {
    let dir = tempfile::tempdir().unwrap();
    let ok = source_file(
        dir.path(),
        "oci://registry.example/app",
        POLICY,
        &cert_pem(),
    );
    bin()
        .args(["policy", "check", "--ocirepository", &ok])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "OCIRepository apps/app: statement \"apps\" applies to registry.example/app\n",
        ))
        // The Secret keys Flux ignores are in the report, not only on stderr.
        .stdout(predicate::str::contains(
            "Warning: keys ignored by Flux (neither trustpolicy.json nor *.crt / *.pem, case-sensitive): notes.txt",
        ));
    let miss = source_file(
        dir.path(),
        "oci://registry.example/other",
        POLICY,
        &cert_pem(),
    );
    bin()
        .args(["policy", "check", "--ocirepository", &miss])
        .assert()
        .code(1)
        .stderr("Error: failed to verify the signature using provider 'notation': artifact \"registry.example/other@<digest of tag v1>\" has no applicable trust policy statement. Trust policy applicability for a given artifact is determined by registryScopes. To create a trust policy, see: https://notaryproject.dev/docs/quickstart/#create-a-trust-policy\n");
    // A skip statement: Flux accepts without verifying, and says nothing.
    let skip = POLICY.replace(r#""level":"strict""#, r#""level":"skip""#);
    let f = source_file(dir.path(), "oci://registry.example/app", &skip, &cert_pem());
    bin()
        .args(["policy", "check", "--ocirepository", &f])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("has level skip"));
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn keys_go_ignores_are_named_with_the_nearest_known_key() {
    let dir = tempfile::tempdir().unwrap();
    let typo = POLICY.replace(
        r#""level":"strict""#,
        r#""level":"strict","overide":{"revocation":"skip"}"#,
    );
    let f = source_file(dir.path(), "oci://registry.example/app", &typo, &cert_pem());
    bin()
        .args(["policy", "check", "--secret", &f])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "Warning: unknown key \"overide\" at trustPolicies[0].signatureVerification.overide in trustpolicy.json is ignored (Go's encoding/json, and so Flux, skips it): did you mean \"override\"?",
        ))
        .stderr(predicate::str::contains("did you mean \"override\"?"));
    let out = bin()
        .args(["policy", "check", "--secret", &f, "-o", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["valid"], true);
    assert!(json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("\"overide\"")));
}

/// A megabyte of nested flow collections, YAML or JSON, from a file or stdin, is refused before
/// any parser runs (libyaml's work grows with the square of the open collections), naming the
/// input and where the limit was passed; a document at the limit still reaches the parser.
#[test]
fn hostile_nesting_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, column) in [
        ("brackets.yaml", "[".repeat(1 << 20), 129),
        ("objects.json", r#"{"a":"#.repeat(200_000), 5 * 128 + 1),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, &text).unwrap();
        let limit = format!(
            "is not a YAML or JSON manifest: nesting deeper than 128 levels at line 1 column \
             {column} (refused before parsing)\n"
        );
        bin()
            .args(["policy", "check", "--secret"])
            .arg(&path)
            .assert()
            .code(2)
            .stderr(predicate::str::ends_with(format!("{name} {limit}")));
        bin()
            .args(["policy", "check", "--secret", "-"])
            .write_stdin(text)
            .assert()
            .code(2)
            .stderr(predicate::str::ends_with(limit));
    }
    // At the limit the parser decides: not a Secret, for a sequence of empty sequences.
    let at_limit = dir.path().join("at-limit.yaml");
    std::fs::write(&at_limit, format!("{}{}", "[".repeat(128), "]".repeat(128))).unwrap();
    bin()
        .args(["policy", "check", "--secret"])
        .arg(&at_limit)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nesting deeper").not());
}
