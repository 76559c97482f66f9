//! The JSON output against its published schemas (`docs/schema/*.schema.json`, JSON Schema
//! draft 2020-12): the real binary's `-o json` output for verified, failed, ignored and skipped
//! cases validates, and the schemas are strict enough to refuse that same output with a field
//! missing, mistyped, added or given a value outside its enum.

mod support;
#[path = "registry/testreg.rs"]
mod testreg;

use jsonschema::{Draft, Registry, Validator};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use support::cli;
use support::envelope::{self as env, EnvelopeSpec, Format};
use support::layout::{write_layout, ManifestForm, SignatureEntry, Subject};
use support::pki::{self, KeyKind};
use testreg::{TestRegistry, TokenAuth};

/// The `$id` base the schemas share; `ls` and `scan` refer to definitions of the verify schema
/// through it. Nothing is fetched: every schema is registered from the repository.
const SCHEMA_BASE: &str = "https://fluxverify.invalid/schema/";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read_schema(name: &str) -> Value {
    let path = root().join("docs/schema").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A validator for `docs/schema/<name>`, with the other schemas registered for its `$ref`s.
fn validator(name: &str) -> Validator {
    let names = ["verify.schema.json", "ls.schema.json", "scan.schema.json"];
    let mut registry = Registry::new();
    for other in names {
        registry = registry
            .add(format!("{SCHEMA_BASE}{other}"), read_schema(other))
            .unwrap_or_else(|e| panic!("{other}: {e}"));
    }
    let registry = registry.prepare().expect("schema registry");
    let schema = read_schema(name);
    assert_eq!(
        schema["$id"],
        format!("{SCHEMA_BASE}{name}"),
        "{name}: $id and file name disagree"
    );
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "{name}: not draft 2020-12"
    );
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .with_registry(&registry)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{name} does not compile: {e}"))
}

/// Panics with every schema error when `value` does not validate.
fn assert_valid(validator: &Validator, value: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: output does not match the schema:\n{}\n{value:#}",
        errors.join("\n")
    );
}

/// Runs the binary, isolated, from the repository root; returns (exit code, stdout as JSON).
fn run(args: &[&str]) -> (i32, Value) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let out = cli::fluxverify(args.clone())
        .current_dir(root())
        .output_blocking();
    stdout_json(&args, out)
}

/// [`run`] off the runtime's threads (the in-process registry answers on them).
async fn run_async(args: Vec<String>) -> (i32, Value) {
    let out = cli::fluxverify(args.clone())
        .current_dir(root())
        .output()
        .await;
    stdout_json(&args, out)
}

/// The exit code and stdout as one JSON value; panics, showing both streams, when stdout is not.
fn stdout_json(args: &[String], out: cli::Output) -> (i32, Value) {
    let json = serde_json::from_slice(&out.stdout_bytes).unwrap_or_else(|e| {
        panic!(
            "{args:?}: stdout is not one JSON value ({e}):\n{}\nstderr: {}",
            out.stdout, out.stderr
        )
    });
    (out.code, json)
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

const EXAMPLE_LAYOUT: &str = "fixtures/example/layout";
const EXAMPLE_SECRET: &str = "fixtures/example/secret.yaml";
const EXAMPLE_SCOPE: &str = "registry.example/app";
const FLUX_DOCS_SECRET: &str = "fixtures/trust/flux-docs-notation-config.yaml";

/// The upstream notation e2e test data.
fn e2e() -> String {
    support::upstream::upstream("notation/test/e2e/testdata")
        .display()
        .to_string()
}

/// The Flux-docs Secret with its `certificate1.crt` and trusted identity changed to the upstream
/// e2e signer's (read from the upstream vectors, never copied into the repository).
fn e2e_docs_secret() -> tempfile::TempDir {
    use base64::Engine as _;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let text = std::fs::read_to_string(root().join(FLUX_DOCS_SECRET)).unwrap();
    let e2e_cert = std::fs::read(format!("{}/config/localkeys/e2e.crt", e2e())).unwrap();
    let policy = json!({
        "version": "1.0",
        "trustPolicies": [{
            "name": "podinfo",
            "registryScopes": ["ghcr.io/stefanprodan/podinfo-deploy"],
            "signatureVerification": {"level": "strict"},
            "trustStores": ["ca:flux-notation"],
            "trustedIdentities": ["x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=e2e"],
        }]
    });
    let text: String = text
        .lines()
        .map(|line| {
            let key = line.trim_start().split(':').next().unwrap_or_default();
            match key {
                "certificate1.crt" => format!("  certificate1.crt: {}\n", b64(&e2e_cert)),
                "trustpolicy.json" => {
                    format!(
                        "  trustpolicy.json: {}\n",
                        b64(policy.to_string().as_bytes())
                    )
                }
                _ => format!("{line}\n"),
            }
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.yaml"), text).unwrap();
    dir
}

/// The shipped example's root certificate, cut out of its Secret (`example-root.crt`).
fn example_root_pem() -> String {
    let secret = std::fs::read_to_string(root().join(EXAMPLE_SECRET)).unwrap();
    let begin = secret.find("-----BEGIN CERTIFICATE-----").unwrap();
    let end = secret.find("-----END CERTIFICATE-----").unwrap() + "-----END CERTIFICATE-----".len();
    secret[begin..end]
        .lines()
        .map(|l| format!("{}\n", l.trim()))
        .collect()
}

/// Trust material in a temporary directory: a one-statement policy and a root certificate.
struct Trust {
    dir: tempfile::TempDir,
}

impl Trust {
    fn new(level: &str, scope: &str, root_pem: &str) -> Trust {
        let dir = tempfile::tempdir().unwrap();
        let mut statement = json!({
            "name": "schema",
            "registryScopes": [scope],
            "signatureVerification": {"level": level},
            "trustStores": ["ca:example"],
            "trustedIdentities": ["*"],
        });
        if level == "skip" {
            let object = statement.as_object_mut().unwrap();
            object.remove("trustStores");
            object.remove("trustedIdentities");
        }
        let doc = json!({"version": "1.0", "trustPolicies": [statement]});
        std::fs::write(dir.path().join("trustpolicy.json"), doc.to_string()).unwrap();
        std::fs::write(dir.path().join("root.crt"), root_pem).unwrap();
        Trust { dir }
    }

    fn policy(&self) -> PathBuf {
        self.dir.path().join("trustpolicy.json")
    }

    fn cert(&self) -> PathBuf {
        self.dir.path().join("root.crt")
    }

    /// `verify -o json` of the shipped example's artifact under this trust material.
    fn verify_example(&self, mode: &str, extra: &[&str]) -> (i32, Value) {
        let policy = self.policy();
        let cert = self.cert();
        let certs = if mode == "notation" {
            format!("ca:example={}", path_str(&cert))
        } else {
            path_str(&cert).to_string()
        };
        let mut args = vec![
            "verify",
            "--oci-layout",
            EXAMPLE_LAYOUT,
            "--scope",
            EXAMPLE_SCOPE,
            "--trust-policy",
            path_str(&policy),
            "--certs",
            &certs,
            "--mode",
            mode,
            "-o",
            "json",
        ];
        args.extend_from_slice(extra);
        args.push("v1");
        run(&args)
    }
}

/// A layout whose one signature has a tampered JWS signature (integrity fails), and the root
/// that signed it.
fn tampered_layout() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let subject = Subject::new(b"fluxverify schema fixture\n");
    let chain = pki::chain(KeyKind::P256, 2);
    let mut parts =
        env::sign_jws_parts(&chain, &EnvelopeSpec::new(Format::Jws, &subject.descriptor));
    let mut signature = parts.signature.into_bytes();
    signature[5] = if signature[5] == b'A' { b'B' } else { b'A' };
    parts.signature = String::from_utf8(signature).unwrap();
    write_layout(
        &dir.path().join("layout"),
        &subject,
        "v1",
        &[SignatureEntry {
            envelope: parts.to_bytes(),
            media_type: Format::Jws.media_type().to_string(),
            form: ManifestForm::ArtifactType,
            thumbprints: env::thumbprints(&chain),
        }],
    )
    .unwrap();
    let root_pem = chain.last().unwrap().pem();
    (dir, subject.descriptor.digest.clone(), root_pem)
}

/// Every verify case: (what, exit code, JSON).
fn verify_cases() -> Vec<(String, i32, Value)> {
    let mut cases = Vec::new();
    let mut add =
        |what: &str, (code, json): (i32, Value)| cases.push((what.to_string(), code, json));

    // The README's set-up command: the shipped example and its Secret.
    add(
        "shipped example, flux",
        run(&[
            "verify",
            "--oci-layout",
            EXAMPLE_LAYOUT,
            "--scope",
            EXAMPLE_SCOPE,
            "--secret",
            EXAMPLE_SECRET,
            "-o",
            "json",
            "v1",
        ]),
    );
    // A scope no statement covers: Flux fails it, no policy applies, hints name the scope.
    add(
        "scope mismatch",
        run(&[
            "verify",
            "--oci-layout",
            EXAMPLE_LAYOUT,
            "--scope",
            "registry.example/other",
            "--secret",
            EXAMPLE_SECRET,
            "-o",
            "json",
            "v1",
        ]),
    );
    let example_root = example_root_pem();
    let other_root = pki::chain(KeyKind::Rsa2048, 2).pop().unwrap().pem();
    for mode in ["flux", "notation"] {
        let trusted = Trust::new("strict", EXAMPLE_SCOPE, &example_root);
        add(
            &format!("strict, {mode}"),
            trusted.verify_example(mode, &[]),
        );
        let untrusted = Trust::new("strict", EXAMPLE_SCOPE, &other_root);
        add(
            &format!("untrusted root, strict, {mode}"),
            untrusted.verify_example(mode, &[]),
        );
        let audit = Trust::new("audit", EXAMPLE_SCOPE, &other_root);
        add(
            &format!("untrusted root, audit, {mode}"),
            audit.verify_example(mode, &[]),
        );
        let skip = Trust::new("skip", EXAMPLE_SCOPE, &example_root);
        add(&format!("skip, {mode}"), skip.verify_example(mode, &[]));
    }
    let trusted = Trust::new("strict", EXAMPLE_SCOPE, &example_root);
    add(
        "source-controller 1.3",
        trusted.verify_example("flux", &["--flux-version", "1.3"]),
    );

    // A tampered signature.
    let (dir, digest, root_pem) = tampered_layout();
    let trust = Trust::new("strict", EXAMPLE_SCOPE, &root_pem);
    let layout = dir.path().join("layout");
    let reference = format!("@{digest}");
    add(
        "tampered signature",
        run(&[
            "verify",
            "--oci-layout",
            path_str(&layout),
            "--scope",
            EXAMPLE_SCOPE,
            "--trust-policy",
            path_str(&trust.policy()),
            "--certs",
            path_str(&trust.cert()),
            "-o",
            "json",
            &reference,
        ]),
    );

    // Upstream layouts under the Secret written as the Flux docs write it, trusting the
    // upstream signer: two signatures (the second is never tried), an expired signature, an
    // invalid one.
    let e2e_secret = e2e_docs_secret();
    for (layout, what) in [
        ("e2e-valid-multiple-signatures", "two signatures"),
        ("e2e-expired-signature", "expired signature"),
        ("e2e-invalid-signature", "invalid signature"),
    ] {
        let layout = format!("{}/registry/oci_layout/{layout}", e2e());
        add(
            what,
            run(&[
                "verify",
                "--oci-layout",
                &layout,
                "--scope",
                "ghcr.io/stefanprodan/podinfo-deploy",
                "--secret",
                path_str(&e2e_secret.path().join("secret.yaml")),
                "-o",
                "json",
                "v1",
            ]),
        );
    }

    // The cosign provider, on the cosign sample's layouts: a bundle verified, a classic
    // signature by another key, a bundle hiding a classic signature, SHA-384 signatures Flux
    // checks with SHA-256, a key that is not PEM.
    let cosign = "tests/vectors/cosign";
    for (layout, case, what) in [
        ("ecdsa-bundle", "ecdsa-bundle--tag", "cosign bundle"),
        (
            "ecdsa-legacy",
            "ecdsa-legacy--wrong-key",
            "cosign wrong key",
        ),
        ("mixed", "mixed--legacy-key", "cosign bundle first"),
        ("p384-legacy", "p384-legacy", "cosign P-384"),
        (
            "ecdsa-legacy",
            "secret--malformed-not-pem",
            "cosign malformed key",
        ),
    ] {
        let layout = format!("{cosign}/layouts/{layout}");
        let secret = format!("{cosign}/cases/{case}/secret.yaml");
        add(
            what,
            run(&[
                "verify",
                "--verify-provider",
                "cosign",
                "--oci-layout",
                &layout,
                "--scope",
                "registry.example/cosign/app",
                "--secret",
                &secret,
                "-o",
                "json",
                "v1",
            ]),
        );
    }

    // Stopped before any verification: an OCI layout that is not there, a Secret that is not.
    add(
        "no such layout",
        run(&[
            "verify",
            "--oci-layout",
            "fixtures/none",
            "--scope",
            EXAMPLE_SCOPE,
            "--secret",
            EXAMPLE_SECRET,
            "-o",
            "json",
            "v1",
        ]),
    );
    add(
        "no such Secret",
        run(&[
            "verify",
            "--oci-layout",
            EXAMPLE_LAYOUT,
            "--scope",
            EXAMPLE_SCOPE,
            "--secret",
            "fixtures/none.yaml",
            "-o",
            "json",
            "v1",
        ]),
    );

    // `envelope verify` prints the same object.
    let vectors = support::upstream::upstream_vectors();
    let vectors = vectors.display();
    let envelope = format!("{vectors}/notation-go/internal/mock/testdata/ca_valid_sig_env.json");
    let store = format!(
        "{vectors}/notation-go/verifier/testdata/truststore/x509/ca/valid-trust-store/NotationTestRoot.pem"
    );
    let policy_dir = tempfile::tempdir().unwrap();
    let policy = policy_dir.path().join("trustpolicy.json");
    let doc = json!({"version": "1.0", "trustPolicies": [{"name": "t", "registryScopes": ["*"],
        "signatureVerification": {"level": "strict"}, "trustStores": ["ca:valid-trust-store"],
        "trustedIdentities": ["*"]}]});
    std::fs::write(&policy, doc.to_string()).unwrap();
    add(
        "envelope verify",
        run(&[
            "envelope",
            "verify",
            &envelope,
            "--reference",
            "registry.acme-rockets.io/software/net-monitor@sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e",
            "--subject",
            r#"{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e","size":528}"#,
            "--trust-policy",
            path_str(&policy),
            "--certs",
            &store,
            "-o",
            "json",
        ]),
    );
    cases
}

fn case<'a>(cases: &'a [(String, i32, Value)], what: &str) -> &'a (String, i32, Value) {
    cases
        .iter()
        .find(|(w, _, _)| w == what)
        .unwrap_or_else(|| panic!("no case {what}"))
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn verify_output_matches_the_schema() {
    let validator = validator("verify.schema.json");
    let cases = verify_cases();
    for (what, _, json) in &cases {
        assert_valid(&validator, json, what);
    }
    // The cases are what their names say: every result and exit code the schema allows for a
    // finished verification is among them.
    let outcome = |what: &str| {
        let (_, code, json) = case(&cases, what);
        (*code, json["result"].as_str().unwrap_or("?").to_string())
    };
    let expect = [
        ("shipped example, flux", 0, "verified"),
        ("scope mismatch", 1, "failed"),
        ("strict, flux", 0, "verified"),
        ("strict, notation", 0, "verified"),
        ("untrusted root, strict, flux", 1, "failed"),
        ("untrusted root, strict, notation", 1, "failed"),
        ("untrusted root, audit, flux", 3, "ignored"),
        ("untrusted root, audit, notation", 0, "verified"),
        ("skip, flux", 3, "ignored"),
        ("skip, notation", 0, "skipped"),
        ("source-controller 1.3", 0, "verified"),
        ("tampered signature", 1, "failed"),
        ("two signatures", 0, "verified"),
        ("expired signature", 1, "failed"),
        ("invalid signature", 1, "failed"),
        ("envelope verify", 0, "verified"),
        ("cosign bundle", 0, "verified"),
        ("cosign wrong key", 1, "failed"),
        ("cosign bundle first", 1, "failed"),
        ("cosign P-384", 1, "failed"),
        ("cosign malformed key", 1, "failed"),
        ("no such layout", 2, "error"),
        ("no such Secret", 2, "error"),
    ];
    for (what, code, result) in expect {
        assert_eq!(outcome(what), (code, result.to_string()), "{what}");
    }
    let (_, _, mismatch) = case(&cases, "scope mismatch");
    assert!(mismatch["policy"].is_null(), "{mismatch:#}");
    assert!(
        !mismatch["hints"].as_array().unwrap().is_empty(),
        "{mismatch:#}"
    );
    let (_, _, two) = case(&cases, "two signatures");
    let results: Vec<&str> = two["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["verified", "notTried"], "{two:#}");
    let (_, _, old) = case(&cases, "source-controller 1.3");
    assert_eq!(old["signatures"][0]["revocationMode"], "OCSP");
    for stopped in ["no such layout", "no such Secret"] {
        let (_, _, json) = case(&cases, stopped);
        assert_eq!(json.as_object().unwrap().len(), 3, "{stopped}: {json:#}");
    }
    let (_, _, malformed) = case(&cases, "cosign malformed key");
    assert_eq!(malformed["keys"][0]["result"], "invalid", "{malformed:#}");
    let (_, _, classic) = case(&cases, "cosign wrong key");
    assert_eq!(classic["signatures"][0]["format"], "classic", "{classic:#}");
    let (_, _, tampered) = case(&cases, "tampered signature");
    assert_eq!(
        tampered["signatures"][0]["validations"][0]["status"], "failed",
        "{tampered:#}"
    );
}

/// The schema refuses the real output once one thing about it is wrong.
#[test]
fn verify_schema_refuses_broken_output() {
    let validator = validator("verify.schema.json");
    let (code, good) = run(&[
        "verify",
        "--oci-layout",
        EXAMPLE_LAYOUT,
        "--scope",
        EXAMPLE_SCOPE,
        "--secret",
        EXAMPLE_SECRET,
        "-o",
        "json",
        "v1",
    ]);
    assert_eq!(code, 0, "{good:#}");
    assert_valid(&validator, &good, "shipped example");
    assert!(
        !good["signatures"][0]["validations"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{good:#}"
    );
    type Breakage = (&'static str, fn(&mut Value));
    let breakages: &[Breakage] = &[
        ("result missing", |v| {
            v.as_object_mut().unwrap().remove("result");
        }),
        ("hints missing", |v| {
            v.as_object_mut().unwrap().remove("hints");
        }),
        ("unknown top-level field", |v| {
            v["verdict"] = json!("verified")
        }),
        ("result outside its enum", |v| v["result"] = json!("passed")),
        ("mode outside its enum", |v| v["mode"] = json!("cosign")),
        ("fluxVersion a number", |v| v["fluxVersion"] = json!(1.9)),
        ("artifact size a string", |v| {
            v["artifact"]["size"] = json!("528")
        }),
        ("artifact digest not a digest", |v| {
            v["artifact"]["digest"] = json!("f576")
        }),
        ("policy level outside its enum", |v| {
            v["policy"]["level"] = json!("lenient")
        }),
        ("policy action outside its enum", |v| {
            v["policy"]["actions"]["integrity"] = json!("warn")
        }),
        ("policy action missing", |v| {
            v["policy"]["actions"]
                .as_object_mut()
                .unwrap()
                .remove("revocation");
        }),
        ("policy action for an unknown validation", |v| {
            v["policy"]["actions"]["signature"] = json!("enforce")
        }),
        ("signature result outside its enum", |v| {
            v["signatures"][0]["result"] = json!("ok")
        }),
        ("signature error missing", |v| {
            v["signatures"][0].as_object_mut().unwrap().remove("error");
        }),
        ("validation status outside its enum", |v| {
            v["signatures"][0]["validations"][0]["status"] = json!("ok")
        }),
        ("validation type outside its enum", |v| {
            v["signatures"][0]["validations"][0]["type"] = json!("payload")
        }),
        ("validation error a boolean", |v| {
            v["signatures"][0]["validations"][0]["error"] = json!(false)
        }),
        ("revocation mode outside its enum", |v| {
            v["signatures"][0]["revocationMode"] = json!("CRL")
        }),
        ("condition status outside its enum", |v| {
            v["condition"]["status"] = json!("Unknown")
        }),
        ("condition of another type", |v| {
            v["condition"]["type"] = json!("Ready")
        }),
        ("verified with a False condition", |v| {
            v["condition"]["status"] = json!("False");
            v["condition"]["reason"] = json!("VerificationError");
        }),
        ("verified with an error", |v| {
            v["error"] = json!("signature verification failed")
        }),
        ("flux mode skipped", |v| {
            v["result"] = json!("skipped");
            v["condition"] = Value::Null;
        }),
        ("warnings not strings", |v| v["warnings"] = json!([1])),
        ("credentials source outside its enum", |v| {
            v["credentials"] = json!({"source": "keychain", "provider": null, "detail": "x"})
        }),
    ];
    for (what, breakage) in breakages {
        let mut broken = good.clone();
        breakage(&mut broken);
        assert!(
            !validator.is_valid(&broken),
            "the schema accepts output with {what}:\n{broken:#}"
        );
    }
}

/// The exit code the CLI contract gives a verify result.
fn exit_of(result: &str) -> i32 {
    match result {
        "verified" | "skipped" => 0,
        "failed" => 1,
        "error" => 2,
        "ignored" => 3,
        other => panic!("result {other:?}"),
    }
}

/// The cosign report is held to its own fields.
#[test]
fn verify_schema_refuses_broken_cosign_output() {
    let validator = validator("verify.schema.json");
    let (code, good) = run(&[
        "verify",
        "--verify-provider",
        "cosign",
        "--oci-layout",
        "tests/vectors/cosign/layouts/ecdsa-bundle",
        "--scope",
        "registry.example/cosign/app",
        "--secret",
        "tests/vectors/cosign/cases/ecdsa-bundle--tag/secret.yaml",
        "-o",
        "json",
        "v1",
    ]);
    assert_eq!(code, 0, "{good:#}");
    assert_valid(&validator, &good, "cosign bundle");
    type Breakage = (&'static str, fn(&mut Value));
    let breakages: &[Breakage] = &[
        ("keys missing", |v| {
            v.as_object_mut().unwrap().remove("keys");
        }),
        ("checkClaims a string", |v| {
            v["checkClaims"] = json!("false")
        }),
        (
            "a notation policy",
            |v| v["policy"] = json!({"name": "x", "level": "strict", "scope": "*", "actions": {}}),
        ),
        ("ignored, which cosign never is", |v| {
            v["result"] = json!("ignored")
        }),
        ("a key result outside its enum", |v| {
            v["keys"][0]["result"] = json!("trusted")
        }),
        ("triedByFlux missing", |v| {
            v["keys"][0].as_object_mut().unwrap().remove("triedByFlux");
        }),
        ("a signature format outside its enum", |v| {
            v["signatures"][0]["format"] = json!("dsse")
        }),
        ("a bundle with a classic signature's tag", |v| {
            v["signatures"][0]["tag"] = json!("sha256-00.sig")
        }),
        ("a key's signature result notTried", |v| {
            v["keys"][0]["signatures"][0]["result"] = json!("notTried")
        }),
    ];
    for (what, breakage) in breakages {
        let mut broken = good.clone();
        breakage(&mut broken);
        assert!(
            !validator.is_valid(&broken),
            "the schema accepts cosign output with {what}:\n{broken:#}"
        );
    }
}

/// Through a registry: the credential source, and the hints of a refused login and of a TLS
/// handshake answered in plain HTTP.
#[tokio::test(flavor = "multi_thread")]
async fn verify_output_from_a_registry_matches_the_schema() {
    let validator = validator("verify.schema.json");
    let reg = TestRegistry::start().await;
    let digest = reg.serve_layout(&root().join(EXAMPLE_LAYOUT), "example/app");
    let trust = Trust::new("strict", "*", &example_root_pem());
    let reference = format!("{}/example/app@{digest}", reg.host());
    let args = |extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = vec![
            "verify".into(),
            reference.clone(),
            "--trust-policy".into(),
            path_str(&trust.policy()).into(),
            "--certs".into(),
            path_str(&trust.cert()).into(),
            "-o".into(),
            "json".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };

    let (code, anonymous) = run_async(args(&["--plain-http"])).await;
    assert_valid(&validator, &anonymous, "anonymous registry");
    assert_eq!(
        (code, anonymous["result"].as_str()),
        (0, Some("verified")),
        "{anonymous:#}"
    );

    // Plain HTTP answering a TLS handshake.
    let (code, tls) = run_async(args(&[])).await;
    assert_valid(&validator, &tls, "TLS to a plain-HTTP registry");
    assert_eq!(code, exit_of(tls["result"].as_str().unwrap()), "{tls:#}");
    assert_ne!(code, 0, "{tls:#}");
    assert!(
        tls["hints"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h.as_str().unwrap().contains("--plain-http")),
        "{tls:#}"
    );

    reg.require_token(TokenAuth {
        token_path: "/v2/token".into(),
        user: "ci".into(),
        password: "right".into(),
        access_token: "registry-access".into(),
        exchange: None,
    });
    let (code, explicit) = run_async(args(&["--plain-http", "-u", "ci", "-p", "right"])).await;
    assert_valid(&validator, &explicit, "explicit credentials");
    assert_eq!(code, 0, "{explicit:#}");
    assert_eq!(
        explicit["credentials"]["source"], "explicit",
        "{explicit:#}"
    );

    let (code, refused) = run_async(args(&["--plain-http", "-u", "ci", "-p", "wrong"])).await;
    assert_valid(&validator, &refused, "refused credentials");
    assert_eq!(
        code,
        exit_of(refused["result"].as_str().unwrap()),
        "{refused:#}"
    );
    assert_ne!(code, 0, "{refused:#}");
    assert!(
        !refused["hints"].as_array().unwrap().is_empty(),
        "{refused:#}"
    );
}

/// `ls -o json` on layouts and through the registry, and the object of an `ls` that stopped.
#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
async fn ls_output_matches_the_schema() {
    let validator = validator("ls.schema.json");
    let e2e_multiple = format!(
        "{}/registry/oci_layout/e2e-valid-multiple-signatures",
        e2e()
    );
    let mut cases = vec![
        (
            "shipped example",
            run(&[
                "ls",
                "--oci-layout",
                EXAMPLE_LAYOUT,
                "--scope",
                EXAMPLE_SCOPE,
                "-o",
                "json",
                "v1",
            ]),
        ),
        (
            "two signatures",
            run(&[
                "ls",
                "--oci-layout",
                &e2e_multiple,
                "--scope",
                "localhost:5000/e2e",
                "-o",
                "json",
                "v1",
            ]),
        ),
        (
            "over the limit",
            run(&[
                "ls",
                "--oci-layout",
                &e2e_multiple,
                "--scope",
                "localhost:5000/e2e",
                "--max-signatures",
                "1",
                "-o",
                "json",
                "v1",
            ]),
        ),
        (
            "no such layout",
            run(&[
                "ls",
                "--oci-layout",
                "fixtures/none",
                "--scope",
                EXAMPLE_SCOPE,
                "-o",
                "json",
                "v1",
            ]),
        ),
    ];
    let reg = TestRegistry::start().await;
    let digest = reg.serve_layout(&root().join(EXAMPLE_LAYOUT), "example/app");
    let reference = format!("{}/example/app@{digest}", reg.host());
    cases.push((
        "registry",
        run_async(vec![
            "ls".into(),
            reference,
            "--plain-http".into(),
            "-o".into(),
            "json".into(),
        ])
        .await,
    ));
    for (what, (_, json)) in &cases {
        assert_valid(&validator, json, what);
    }
    let get = |what: &str| &cases.iter().find(|(w, _)| *w == what).unwrap().1;
    assert_eq!(get("shipped example").0, 0);
    assert_eq!(
        get("shipped example").1["signatures"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        get("two signatures").1["signatures"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(get("two signatures").1["limitExceeded"], false);
    assert_eq!(
        get("over the limit").1["signatures"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(get("over the limit").1["limitExceeded"], true);
    assert_eq!(get("no such layout").0, 2);
    assert_eq!(get("no such layout").1["result"], "error");
    let registry = &get("registry").1;
    assert_eq!(
        registry["signatures"][0]["artifactType"], "application/vnd.cncf.notary.signature",
        "{registry:#}"
    );

    let good = &get("shipped example").1;
    type Breakage = (&'static str, fn(&mut Value));
    let breakages: &[Breakage] = &[
        ("limitExceeded missing", |v| {
            v.as_object_mut().unwrap().remove("limitExceeded");
        }),
        ("limitExceeded a string", |v| {
            v["limitExceeded"] = json!("false")
        }),
        ("another artifact type", |v| {
            v["signatureArtifactType"] = json!("application/vnd.dev.cosign.artifact.sig.v1+json")
        }),
        ("signature digest not a digest", |v| {
            v["signatures"][0]["digest"] = json!("594c")
        }),
        ("signature size negative", |v| {
            v["signatures"][0]["size"] = json!(-1)
        }),
        ("unknown descriptor field", |v| {
            v["signatures"][0]["urls"] = json!([])
        }),
        ("reference without a digest", |v| {
            v["reference"] = json!("registry.example/app:v1")
        }),
        ("unknown top-level field", |v| v["count"] = json!(1)),
    ];
    for (what, breakage) in breakages {
        let mut broken = good.clone();
        breakage(&mut broken);
        assert!(
            !validator.is_valid(&broken),
            "the schema accepts ls output with {what}:\n{broken:#}"
        );
    }
}

/// A Secret document holding a one-statement policy for every repository and `root_pem`.
fn secret_doc(name: &str, level: &str, root_pem: &str) -> String {
    let policy = json!({"version": "1.0", "trustPolicies": [{
        "name": "all", "registryScopes": ["*"], "signatureVerification": {"level": level},
        "trustStores": ["ca:scan"], "trustedIdentities": ["*"]}]});
    support::secret::string_data(
        name,
        "apps",
        &[
            ("trustpolicy.json", &policy.to_string()),
            ("root.crt", root_pem),
        ],
    )
}

/// An OCIRepository document; `verify` is the `spec.verify` block's YAML (or empty).
fn ocirepository_doc(name: &str, url: &str, digest: &str, verify: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: {name}\n  namespace: apps\nspec:\n  interval: 5m\n  url: {url}\n  insecure: true\n  ref:\n    digest: {digest}\n{verify}"
    )
}

fn notation_verify(secret: &str) -> String {
    format!("  verify:\n    provider: notation\n    secretRef:\n      name: {secret}\n")
}

/// `scan -o json` of a tree whose sources live in the in-process registry (online and
/// `--offline`), and of the committed fixture tree as it is.
#[tokio::test(flavor = "multi_thread")]
async fn scan_output_matches_the_schema() {
    let validator = validator("scan.schema.json");
    let reg = TestRegistry::start().await;
    let digest = reg.serve_layout(&root().join(EXAMPLE_LAYOUT), "example/app");
    let url = format!("oci://{}/example/app", reg.host());
    let other_root = pki::chain(KeyKind::P256, 2).pop().unwrap().pem();
    let tree = tempfile::tempdir().unwrap();
    let sources = [
        ocirepository_doc("good", &url, &digest, &notation_verify("trusted")),
        ocirepository_doc("untrusted", &url, &digest, &notation_verify("other")),
        ocirepository_doc("audited", &url, &digest, &notation_verify("audit")),
        ocirepository_doc("unverified", &url, &digest, ""),
        ocirepository_doc("missing", &url, &digest, &notation_verify("nowhere")),
        ocirepository_doc("sops-protected", &url, &digest, &notation_verify("sealed")),
    ]
    .join("---\n");
    std::fs::write(tree.path().join("sources.yaml"), sources).unwrap();
    // A cosign source with static keys: verified by the cosign stage, its row without a report.
    reg.serve_layout(
        &root().join("tests/vectors/cosign/layouts/ecdsa-bundle"),
        "cosign/ecdsa-bundle",
    );
    std::fs::write(
        tree.path().join("cosign.yaml"),
        format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: cosigned\n  namespace: flux-system\nspec:\n  interval: 5m\n  url: oci://{}/cosign/ecdsa-bundle\n  insecure: true\n  ref:\n    tag: v1\n  verify:\n    provider: cosign\n    secretRef:\n      name: cosign-keys\n---\n{}",
            reg.host(),
            std::fs::read_to_string(
                root().join("tests/vectors/cosign/cases/ecdsa-bundle--tag/secret.yaml")
            )
            .unwrap()
        ),
    )
    .unwrap();
    let secrets = [
        secret_doc("trusted", "strict", &example_root_pem()),
        secret_doc("other", "strict", &other_root),
        secret_doc("audit", "audit", &other_root),
    ]
    .join("---\n");
    std::fs::write(tree.path().join("secrets.yaml"), secrets).unwrap();
    std::fs::write(
        tree.path().join("sealed.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: sealed\n  namespace: apps\ndata:\n  trustpolicy.json: ENC[AES256_GCM,data:qJ4H,iv:abc=,tag:def=,type:str]\nsops:\n  mac: ENC[AES256_GCM,data:abc,iv:abc=,tag:abc=,type:str]\n  version: 3.8.1\n",
    )
    .unwrap();
    std::fs::write(
        tree.path().join("broken.yaml"),
        "apiVersion: v1\nkind: [unclosed\n",
    )
    .unwrap();
    let dir = path_str(tree.path()).to_string();

    let (online_code, online) = run_async(vec![
        "scan".into(),
        "--files".into(),
        dir.clone(),
        "-o".into(),
        "json".into(),
    ])
    .await;
    let (offline_code, offline) = run_async(vec![
        "scan".into(),
        "--files".into(),
        dir.clone(),
        "--offline".into(),
        "-o".into(),
        "json".into(),
    ])
    .await;
    let (_, fixtures) = run(&[
        "scan",
        "--files",
        "fixtures/gitops",
        "--offline",
        "-o",
        "json",
    ]);
    // The fleet build: clusters, Kustomizations, patched_by, not_applied.
    let (_, fleet) = run(&["scan", "fixtures/fleet", "--offline", "-o", "json"]);
    // A scan that stopped early: the same object, its `error` set (an interrupted scan's
    // object is this one with the rows finished: tests/interrupt.rs).
    let (code, stopped) = run(&["scan", "/nonexistent/fleet", "-o", "json"]);
    assert_eq!(code, 2);
    assert!(stopped["error"].is_string(), "{stopped}");
    for (what, json) in [
        ("online", &online),
        ("offline", &offline),
        ("fixtures/gitops", &fixtures),
        ("fixtures/fleet", &fleet),
        ("stopped early", &stopped),
    ] {
        assert_valid(&validator, json, what);
    }
    let result_of = |json: &Value, name: &str| -> String {
        json["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no row {name}: {json:#}"))["result"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for (name, want) in [
        ("good", "verified"),
        ("untrusted", "failed"),
        ("audited", "ignored"),
        ("unverified", "skipped"),
        ("missing", "error"),
        ("sops-protected", "error"),
        ("cosigned", "verified"),
    ] {
        assert_eq!(result_of(&online, name), want, "{name}: {online:#}");
    }
    assert_eq!(online_code, 1, "{online:#}");
    let good = online["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "good")
        .unwrap();
    assert_eq!(good["verification"]["result"], "verified", "{good:#}");
    assert!(
        online["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "File"),
        "the broken file has its row: {online:#}"
    );
    assert_eq!(result_of(&offline, "good"), "skipped", "{offline:#}");
    assert_ne!(offline_code, 0, "{offline:#}");

    type Breakage = (&'static str, fn(&mut Value));
    let breakages: &[Breakage] = &[
        ("summary missing", |v| {
            v.as_object_mut().unwrap().remove("summary");
        }),
        ("a summary count a string", |v| {
            v["summary"]["failed"] = json!("1")
        }),
        ("a row's result outside its enum", |v| {
            v["resources"][0]["result"] = json!("passed")
        }),
        ("a row's line zero", |v| {
            v["resources"][0]["line"] = json!(0)
        }),
        ("a row's kind outside its enum", |v| {
            v["resources"][0]["kind"] = json!("GitRepository")
        }),
        ("a row's file missing", |v| {
            v["resources"][0].as_object_mut().unwrap().remove("file");
        }),
        ("a row's verification not an object", |v| {
            v["resources"][0]["verification"] = json!("verified")
        }),
        ("an unknown row field", |v| {
            v["resources"][0]["status"] = json!("ok")
        }),
        ("a verification result outside its enum", |v| {
            let rows = v["resources"].as_array_mut().unwrap();
            let good = rows.iter_mut().find(|r| r["name"] == "good").unwrap();
            good["verification"]["result"] = json!("passed");
        }),
        ("a verification with credentials of another kind", |v| {
            let rows = v["resources"].as_array_mut().unwrap();
            let good = rows.iter_mut().find(|r| r["name"] == "good").unwrap();
            good["verification"]["credentials"] = json!("anonymous");
        }),
    ];
    for (what, breakage) in breakages {
        let mut broken = online.clone();
        breakage(&mut broken);
        assert!(
            !validator.is_valid(&broken),
            "the schema accepts scan output with {what}:\n{broken:#}"
        );
    }
}
