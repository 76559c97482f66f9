//! The messages a user debugging a trust setup reads, through the binary: warnings about what
//! Flux does not read wherever the material is used (most of all when it fails), `policy
//! explain` errors once and with the scope hints `verify` gives, the `Policy:` line saying why
//! no statement was evaluated, and flux mode speaking Flux (notation's tag warning only in
//! notation mode). Runs on the shipped example (`fixtures/example/`) and variants of its Secret.

// The shared test helpers (their own `allow(dead_code)`): only the PKI is used here.
mod support;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn example_secret() -> String {
    std::fs::read_to_string(root().join("fixtures/example/secret.yaml")).unwrap()
}

/// The example Secret with `from` replaced by `to`, written into `dir`.
fn variant(dir: &Path, name: &str, from: &str, to: &str) -> String {
    let text = example_secret();
    assert!(text.contains(from), "{from} not in the example Secret");
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, text.replace(from, to)).unwrap();
    path.display().to_string()
}

/// Runs the binary: exit code, stdout, stderr.
fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("fluxverify")
        .unwrap()
        .current_dir(root())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn verify_layout(secret: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "verify",
        "--oci-layout",
        "fixtures/example/layout",
        "--scope",
        "registry.example/app",
        "--secret",
        secret,
    ];
    args.extend_from_slice(extra);
    args.push("v1");
    run(&args)
}

const TYPO: &str = "unknown key \"trustStore\" at trustPolicies[0].trustStore in trustpolicy.json is ignored (Go's encoding/json, and so Flux, skips it): did you mean \"trustStores\"?";
const RENAMED: &str = "keys ignored by Flux (neither trustpolicy.json nor *.crt / *.pem, case-sensitive): trust-policy.json";

#[test]
fn what_flux_does_not_read_is_said_wherever_the_material_fails() {
    let dir = tempfile::tempdir().unwrap();
    let typo = variant(dir.path(), "typo", "\"trustStores\"", "\"trustStore\"");
    let renamed = variant(
        dir.path(),
        "renamed",
        "trustpolicy.json:",
        "trust-policy.json:",
    );
    let missing_stores = "trust policy: trust policy statement \"example\" is either missing trust stores or trusted identities, both must be specified";
    let missing_policy = "'trustpolicy.json' not found in secret 'flux-system/notation-config'";
    for (secret, warning, error) in [
        (&typo, TYPO, missing_stores),
        (&renamed, RENAMED, missing_policy),
    ] {
        // policy check: stdout says the material is not valid and lists the warning; stderr
        // is exactly the error Flux reports.
        let (code, stdout, stderr) = run(&["policy", "check", "--secret", secret]);
        assert_eq!(code, 1, "{stdout}{stderr}");
        assert!(
            stdout.contains(
                "is not valid (flux mode): Flux fails verification with the error below.\n"
            ),
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!("Warning: {warning}\n")),
            "{stdout}"
        );
        assert_eq!(stderr, format!("Error: {error}\n"));
        let (code, stdout, _) = run(&["policy", "check", "--secret", secret, "-o", "json"]);
        assert_eq!(code, 1);
        let json: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(json["valid"], false);
        assert_eq!(json["error"], error);
        assert_eq!(json["warnings"], serde_json::json!([warning]));

        // verify: the same warning above the report, and in the JSON.
        let (code, stdout, _) = verify_layout(secret, &[]);
        assert_eq!(code, 1, "{stdout}");
        assert!(
            stdout.starts_with(&format!("Warning: {warning}\n")),
            "{stdout}"
        );
        let (_, stdout, _) = verify_layout(secret, &["-o", "json"]);
        let json: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(json["warnings"], serde_json::json!([warning]));
        assert_eq!(json["error"], error);

        // policy explain: the warning before the error.
        let (code, _, stderr) = run(&[
            "policy",
            "explain",
            "--secret",
            secret,
            "registry.example/app:v1",
        ]);
        assert_eq!(code, 1);
        assert_eq!(stderr, format!("Warning: {warning}\nError: {error}\n"));
    }
}

#[test]
fn policy_explain_errors_once_and_hints_at_the_scopes() {
    let dir = tempfile::tempdir().unwrap();
    let bad_level = variant(dir.path(), "level", "\"strict\"", "\"strictt\"");
    let (code, stdout, stderr) = run(&[
        "policy",
        "explain",
        "--secret",
        &bad_level,
        "registry.example/app:v1",
    ]);
    assert_eq!(code, 1, "{stdout}");
    // The validation error once, not followed by itself as its cause.
    assert_eq!(
        stderr,
        "Error: trust policy: trust policy statement \"example\" has invalid signatureVerification: invalid signature verification level \"strictt\"\n"
    );

    let digest = format!("sha256:{}", "a".repeat(64));
    let reference = format!("registry.example/ap@{digest}");
    let secret = root()
        .join("fixtures/example/secret.yaml")
        .display()
        .to_string();
    let scopes = "Hint: no registryScopes entry is \"registry.example/ap\"; the policy's statements and scopes: \"example\" [registry.example/app]\n";
    let nearest = "Hint: the nearest scope is \"registry.example/app\" (statement \"example\"); a scope must equal registry/repository exactly: add \"registry.example/ap\" to a statement's registryScopes, or \"*\" for every repository\n";
    let (code, _, stderr) = run(&["policy", "explain", "--secret", &secret, &reference]);
    assert_eq!(code, 1);
    assert!(stderr.starts_with(&format!("{scopes}{nearest}Error: artifact \"{reference}\" has no applicable trust policy statement.")), "{stderr}");
    let (_, stdout, _) = run(&[
        "policy", "explain", "--secret", &secret, &reference, "-o", "json",
    ]);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        json["hints"],
        serde_json::json!([
            scopes.trim_start_matches("Hint: ").trim_end(),
            nearest.trim_start_matches("Hint: ").trim_end()
        ])
    );

    // policy check --ocirepository gives them too.
    let source = dir.path().join("source.yaml");
    std::fs::write(
        &source,
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: app, namespace: flux-system}\nspec:\n  url: oci://registry.example/ap\n  ref: {tag: v1}\n  verify: {provider: notation, secretRef: {name: notation-config}}\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(&[
        "policy",
        "check",
        "--ocirepository",
        source.to_str().unwrap(),
        "--secret",
        &secret,
    ]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains(scopes), "{stdout}");
    assert!(stdout.contains(nearest), "{stdout}");
    assert!(
        stderr.contains("has no applicable trust policy statement"),
        "{stderr}"
    );

    // A valid policy's explanation: a store type no statement lists is not an error.
    let (code, stdout, _) = run(&[
        "policy",
        "explain",
        "--secret",
        &secret,
        "registry.example/app:v1",
    ]);
    assert_eq!(code, 0);
    assert!(stdout.contains("  signingAuthority: (none listed) (for signing scheme notary.x509.signingAuthority)\n    not needed unless a signature uses signing scheme notary.x509.signingAuthority; one that does fails authenticity (\"no trusted certificates are found to verify authenticity\")\n"), "{stdout}");
    assert!(!stdout.contains("    none: authenticity fails"), "{stdout}");
}

#[test]
fn the_policy_line_says_why_no_statement_was_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let typo = variant(dir.path(), "typo", "\"trustStores\"", "\"trustStore\"");
    let renamed = variant(
        dir.path(),
        "renamed",
        "trustpolicy.json:",
        "trust-policy.json:",
    );
    let other_scope = variant(
        dir.path(),
        "scope",
        "\"registry.example/app\"",
        "\"registry.example/other\"",
    );
    for (secret, line) in [
        (
            &typo,
            "Policy:     not evaluated (the trust policy is invalid: see the error below)\n",
        ),
        (
            &renamed,
            "Policy:     not evaluated (the trust material cannot be used: see the error below)\n",
        ),
        (&other_scope, "Policy:     no statement applies\n"),
    ] {
        let (code, stdout, _) = verify_layout(secret, &[]);
        assert_eq!(code, 1, "{stdout}");
        assert!(stdout.contains(line), "{secret}: {stdout}");
        assert_eq!(stdout.matches("Policy:").count(), 1, "{stdout}");
    }
}

#[test]
fn flux_mode_speaks_flux() {
    let secret = root()
        .join("fixtures/example/secret.yaml")
        .display()
        .to_string();
    let warning = "Always verify the artifact using digest(@sha256:...) rather than a tag(:v1)";
    let (code, stdout, stderr) = verify_layout(&secret, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        !stdout.contains(warning) && !stderr.contains(warning),
        "{stdout}{stderr}"
    );
    let (_, stdout, _) = verify_layout(&secret, &["-o", "json"]);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["warnings"], serde_json::json!([]));
    // The notation CLI prints it.
    let (code, stdout, stderr) = verify_layout(&secret, &["--mode", "notation"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains(&format!("Warning: {warning}")), "{stdout}");
    // A certificate that names no OCSP responder and no CRL: said plainly.
    assert!(
        stdout.contains("not revocable (NonRevokable): the certificate names no OCSP responder and no CRL distribution point, so there is nothing to ask"),
        "{stdout}"
    );
    let (_, stdout, _) = verify_layout(&secret, &["--mode", "notation", "-o", "json"]);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        json["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().starts_with(warning)),
        "{json}"
    );
}

#[test]
fn a_policy_json_syntax_error_keeps_gos_words_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let syntax = variant(
        dir.path(),
        "syntax",
        "\"level\": \"strict\"",
        "\"level\": \"strict\",",
    );
    let error = "error occurred while parsing trustpolicy.json: invalid character '}' looking for beginning of object key string";
    let hint = "the JSON syntax error in trustpolicy.json is at line 11, column 7: }, (JSON allows no comma before a closing bracket: remove the one before it)";
    let (code, stdout, stderr) = run(&["policy", "check", "--secret", &syntax]);
    assert_eq!(code, 1);
    assert_eq!(stderr, format!("Error: {error}\n"));
    assert!(stdout.contains(&format!("Hint: {hint}\n")), "{stdout}");
    let (_, stdout, _) = run(&["policy", "check", "--secret", &syntax, "-o", "json"]);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["hints"], serde_json::json!([hint]));

    let (code, stdout, _) = verify_layout(&syntax, &[]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains(&format!("Error:      {error}\n")),
        "{stdout}"
    );
    assert!(stdout.ends_with(&format!("Hint: {hint}\n")), "{stdout}");
    let (_, stdout, _) = verify_layout(&syntax, &["-o", "json"]);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["hints"], serde_json::json!([hint]));
    // The condition is Flux's alone.
    assert_eq!(
        json["condition"]["message"],
        format!("failed to verify the signature using provider 'notation': {error}")
    );

    let (code, _, stderr) = run(&[
        "policy",
        "explain",
        "--secret",
        &syntax,
        "registry.example/app:v1",
    ]);
    assert_eq!(code, 1);
    assert_eq!(stderr, format!("Hint: {hint}\nError: {error}\n"));
}

#[test]
fn an_ocirepository_with_a_layout_is_refused_with_the_command_that_works() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.yaml");
    std::fs::write(
        &file,
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: app, namespace: flux-system}\nspec:\n  url: oci://registry.example/app\n  ref: {tag: v1}\n  verify: {provider: notation, secretRef: {name: notation-config}}\n",
    )
    .unwrap();
    let file = file.display().to_string();
    let secret = "fixtures/example/secret.yaml";
    let args = [
        "verify",
        "--ocirepository",
        &file,
        "--oci-layout",
        "fixtures/example/layout",
        "--secret",
        secret,
    ];
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 2, "{stdout}{stderr}");
    let suggested = "fluxverify verify --oci-layout fixtures/example/layout --scope registry.example/app --secret fixtures/example/secret.yaml v1";
    assert_eq!(
        stderr,
        format!("Error: --oci-layout cannot be combined with --ocirepository: OCIRepository flux-system/app is read from its registry (oci://registry.example/app); to verify the layout as Flux would verify that source, run `{suggested}`\n")
    );
    // The suggested command works.
    let suggested: Vec<&str> = suggested.split(' ').skip(1).collect();
    let (code, stdout, _) = run(&suggested);
    assert_eq!(code, 0, "{stdout}");
    // JSON: one object saying so.
    let (code, stdout, _) = run(&[&args[..], &["-o", "json"]].concat());
    assert_eq!(code, 2);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["result"], "error");
    assert!(json["error"]
        .as_str()
        .unwrap()
        .starts_with("--oci-layout cannot be combined with --ocirepository"));
}

#[test]
fn secret_shape_mistakes_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let head = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: notation-config\n  namespace: flux-system\n";
    let not_found = "Error: 'trustpolicy.json' not found in secret 'flux-system/notation-config'\n";
    for (name, body, warning) in [
        ("case", "stringdata:\n  trustpolicy.json: '{}'\n", "Secret 'flux-system/notation-config': 'stringdata:' is not 'stringData:' (Kubernetes field names are case-sensitive): the keys under it are dropped"),
        ("dedented", "stringData:\ntrustpolicy.json: '{}'\nca.crt: x\n", "Secret 'flux-system/notation-config': 'trustpolicy.json', 'ca.crt' are at the top level of the manifest, not under stringData: or data: (indented too little?): Kubernetes drops them"),
        ("undermeta", "  stringData:\n    trustpolicy.json: '{}'\n", "Secret 'flux-system/notation-config': 'stringData:' is under metadata: (indented too far): move it to the top level of the manifest, or its keys are not in the Secret"),
    ] {
        let file = write(&format!("{name}.yaml"), &format!("{head}{body}"));
        let (code, stdout, stderr) = run(&["policy", "check", "--secret", &file]);
        assert_eq!(code, 1, "{name}: {stdout}{stderr}");
        assert!(stdout.contains(&format!("Warning: {warning}\n")), "{name}: {stdout}");
        assert_eq!(stderr, not_found, "{name}");
        // verify says the same above its report.
        let (code, stdout, _) = verify_layout(&file, &["-o", "json"]);
        assert_eq!(code, 1, "{name}");
        let json: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(json["warnings"], serde_json::json!([warning]), "{name}");
    }
    // Plain text under data: the base64 error says to use stringData.
    let file = write(
        "plain.yaml",
        &format!("{head}data:\n  trustpolicy.json: '{{\"version\": \"1.0\"}}'\n"),
    );
    let (code, _, stderr) = run(&["policy", "check", "--secret", &file]);
    assert_eq!(code, 2);
    assert!(stderr.starts_with(&format!("Error: {file}: Secret 'flux-system/notation-config': data key 'trustpolicy.json' is not valid base64: ")), "{stderr}");
    assert!(
        stderr.ends_with(" (values under data: are base64; use stringData: for plain text)\n"),
        "{stderr}"
    );
    // A bare trust policy given to --secret.
    let file = write(
        "policy.json",
        "{\"version\": \"1.0\", \"trustPolicies\": []}",
    );
    let (code, _, stderr) = run(&["policy", "check", "--secret", &file]);
    assert_eq!(code, 2);
    assert_eq!(stderr, format!("Error: {file} holds no Kubernetes Secret (kind: Secret); found: <no kind>; it is a trust policy document: give it with --trust-policy FILE (and the certificates with --certs PATH)\n"));
}

#[test]
fn a_private_key_in_a_certificate_value_is_named_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let key = std::fs::read_to_string(root().join("fixtures/keys/p256-leaf.pem")).unwrap();
    let indented: String = key.lines().map(|l| format!("    {l}\n")).collect();
    let file = dir.path().join("leak.yaml");
    std::fs::write(
        &file,
        format!("{}  leaked.crt: |\n{indented}", example_secret()),
    )
    .unwrap();
    let file = file.display().to_string();
    let warning = "key 'leaked.crt' of secret 'flux-system/notation-config' holds a private key (PEM PRIVATE KEY), not a certificate: remove it, and rotate the key — it is in your repository";
    let (code, stdout, stderr) = run(&["policy", "check", "--secret", &file]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("Warning: {warning}\n")),
        "{stdout}"
    );
    // Flux's own error stays as it is, with the key it came from.
    assert!(
        stderr.starts_with("Error: failed to parse certificate 'example': x509: "),
        "{stderr}"
    );
    assert!(stderr.contains("(from key 'leaked.crt')"), "{stderr}");
    let (_, stdout, _) = verify_layout(&file, &["-o", "json"]);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["warnings"], serde_json::json!([warning]));
    // A file given with --certs.
    let pem = dir.path().join("key.pem");
    std::fs::write(&pem, &key).unwrap();
    let policy = dir.path().join("trustpolicy.json");
    std::fs::write(
        &policy,
        r#"{"version":"1.0","trustPolicies":[{"name":"example","registryScopes":["registry.example/app"],"signatureVerification":{"level":"strict"},"trustStores":["ca:example"],"trustedIdentities":["*"]}]}"#,
    )
    .unwrap();
    let (code, stdout, stderr) = run(&[
        "policy",
        "check",
        "--trust-policy",
        &policy.display().to_string(),
        "--certs",
        &pem.display().to_string(),
    ]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("Warning: {} holds a private key (PEM PRIVATE KEY), not a certificate: remove it from the trust material, and rotate the key if the file was shared\n", pem.display())),
        "{stdout}"
    );
}

#[test]
fn expired_and_not_yet_valid_certificates_are_policy_check_warnings() {
    use support::pki::{CertSpec, KeyKind, PrivateKey, TestCert};
    let dir = tempfile::tempdir().unwrap();
    let now = chrono::Utc::now();
    let mut expired = CertSpec::ca("CN=old root,O=Notary", None);
    expired.not_before = now - chrono::Duration::days(400);
    expired.not_after = now - chrono::Duration::days(35);
    let mut early = CertSpec::ca("CN=future root,O=Notary", None);
    early.not_before = now + chrono::Duration::days(10);
    early.not_after = now + chrono::Duration::days(400);
    let key = || PrivateKey::load(KeyKind::P256, "root");
    let expired_cert = TestCert::issue(expired.clone(), key(), None);
    let early_cert = TestCert::issue(early.clone(), key(), None);
    let indent = |pem: &str| -> String { pem.lines().map(|l| format!("    {l}\n")).collect() };
    let text = example_secret().replace("\"level\": \"strict\"", "\"level\": \"permissive\"")
        + &format!(
            "  old.crt: |\n{}  future.crt: |\n{}",
            indent(&expired_cert.pem()),
            indent(&early_cert.pem())
        );
    let file = dir.path().join("validity.yaml");
    std::fs::write(&file, text).unwrap();
    let file = file.display().to_string();
    let (code, stdout, stderr) = run(&["policy", "check", "--secret", &file]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let day = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d").to_string();
    let expired_line = stdout
        .lines()
        .find(|l| {
            l.starts_with(
                "Warning: certificate \"CN=old root,O=Notary\" (key 'old.crt') expired at ",
            )
        })
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        expired_line.contains(&day(expired.not_after)),
        "{expired_line}"
    );
    assert!(expired_line.ends_with(": signatures whose chain includes it and that carry no RFC 3161 timestamp fail authenticTimestamp (statement 'example' logs authenticTimestamp: the failure is only logged)"), "{expired_line}");
    let early_line = stdout
        .lines()
        .find(|l| l.starts_with("Warning: certificate \"CN=future root,O=Notary\" (key 'future.crt') is not valid until "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(early_line.contains(&day(early.not_before)), "{early_line}");
    // With strict, enforced: Flux fails such signatures.
    let strict = std::fs::read_to_string(&file)
        .unwrap()
        .replace("\"level\": \"permissive\"", "\"level\": \"strict\"");
    std::fs::write(&file, strict).unwrap();
    let (_, stdout, _) = run(&["policy", "check", "--secret", &file, "-o", "json"]);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let warnings: Vec<&str> = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings
            .iter()
            .all(|w| w
                .ends_with("(statement 'example' enforces authenticTimestamp: Flux fails them)"))
    );
}

#[test]
fn a_chart_of_an_http_helm_repository_shows_the_repository_and_the_chart() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("helm.yaml"),
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: stable, namespace: apps}\nspec:\n  interval: 10m\n  url: https://charts.example.com/stable\n---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata: {name: podinfo, namespace: apps}\nspec:\n  chart: podinfo\n  version: 6.5.0\n  interval: 10m\n  sourceRef: {kind: HelmRepository, name: stable}\n  verify: {provider: notation, secretRef: {name: notation-trust}}\n",
    )
    .unwrap();
    let tree = dir.path().display().to_string();
    let reason = "chart 'podinfo' from HelmRepository apps/stable (not type oci): Flux verifies charts of OCI HelmRepositories only";
    let (code, stdout, stderr) = run(&["scan", "--offline", "-o", "json", &tree]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let row = &json["resources"][0];
    // The repository's URL, not one made up from it and the chart name (an HTTP repository's
    // chart URL comes from its index.yaml).
    assert_eq!(row["url"], "https://charts.example.com/stable");
    assert_eq!(row["result"], "skipped");
    assert_eq!(row["reason"], reason);
    let (_, stdout, _) = run(&["scan", "--offline", &tree]);
    assert!(
        stdout.contains("https://charts.example.com/stable  skipped"),
        "{stdout}"
    );
    assert!(stdout.contains(reason), "{stdout}");
}
