//! The verification pipeline on the project's own fixtures, through the real binary: each level
//! × each validation failing, overrides, identity subsets, a signature for another digest, both
//! signature manifest forms, the CLI's exit codes and JSON shape, and the shipped example.

mod support;

use assert_cmd::Command;
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use support::envelope::{self as env, EnvelopeSpec, Format};
use support::layout::{write_layout, ManifestForm, SignatureEntry, Subject};
use support::pki::{self, CertSpec, KeyKind, TestCert};

const SCOPE: &str = "registry.example/app";

/// A signed layout with its trust material, in a temporary directory.
struct Fixture {
    dir: tempfile::TempDir,
    digest: String,
}

impl Fixture {
    fn layout(&self) -> PathBuf {
        self.dir.path().join("layout")
    }

    fn policy(&self) -> PathBuf {
        self.dir.path().join("trustpolicy.json")
    }

    fn cert(&self) -> PathBuf {
        self.dir.path().join("root.crt")
    }

    fn write_policy(&self, statement: Value) {
        let doc = json!({"version": "1.0", "trustPolicies": [statement]});
        std::fs::write(self.policy(), serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    }

    /// `fluxverify verify ... -o json` in `mode`; returns (exit code, JSON).
    fn verify(&self, mode: &str, extra: &[&str]) -> (i32, Value) {
        let mut cmd = Command::cargo_bin("fluxverify").unwrap();
        cmd.args(["verify", "--oci-layout"])
            .arg(self.layout())
            .args(["--scope", SCOPE, "--trust-policy"])
            .arg(self.policy())
            .arg("--certs")
            .arg(self.cert())
            .args(["--mode", mode, "-o", "json"])
            .args(extra)
            .arg(format!("@{}", self.digest));
        let out = cmd.output().unwrap();
        let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap_or(-1), json)
    }
}

fn statement(level: &str, overrides: Value, identities: Value) -> Value {
    let mut verification = json!({ "level": level });
    if overrides.as_object().is_some_and(|o| !o.is_empty()) {
        verification["override"] = overrides;
    }
    if level == "skip" {
        return json!({"name": "fixture", "registryScopes": [SCOPE], "signatureVerification": verification});
    }
    json!({
        "name": "fixture",
        "registryScopes": [SCOPE],
        "signatureVerification": verification,
        "trustStores": ["ca:fixture"],
        "trustedIdentities": identities,
    })
}

/// How a fixture's signature is made.
#[derive(Clone)]
struct Make {
    format: Format,
    form: ManifestForm,
    tamper_signature: bool,
    expired_signature: bool,
    expired_leaf: bool,
    other_digest: bool,
    trust_other_root: bool,
}

impl Default for Make {
    fn default() -> Self {
        Self {
            format: Format::Jws,
            form: ManifestForm::ArtifactType,
            tamper_signature: false,
            expired_signature: false,
            expired_leaf: false,
            other_digest: false,
            trust_other_root: false,
        }
    }
}

fn make(m: &Make) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let subject = Subject::new(b"fluxverify fixture\n");
    let expired_leaf = m.expired_leaf;
    let chain: Vec<TestCert> = pki::chain_with(KeyKind::P256, 2, |i, spec: &mut CertSpec| {
        if i == 0 && expired_leaf {
            spec.not_after = Utc::now() - Duration::days(1);
        }
    });
    let mut target = subject.descriptor.clone();
    if m.other_digest {
        target.digest = format!("sha256:{}", "0".repeat(64));
    }
    let mut spec = EnvelopeSpec::new(m.format, &target);
    if m.expired_signature {
        spec.signing_time = (Utc::now() - Duration::days(2)).fixed_offset();
        spec.expiry = Some((Utc::now() - Duration::days(1)).fixed_offset());
    }
    let envelope = if m.tamper_signature {
        let mut parts = env::sign_jws_parts(&chain, &spec);
        let mut sig = parts.signature.into_bytes();
        sig[5] = if sig[5] == b'A' { b'B' } else { b'A' };
        parts.signature = String::from_utf8(sig).unwrap();
        parts.to_bytes()
    } else {
        env::sign(&chain, &spec)
    };
    write_layout(
        &dir.path().join("layout"),
        &subject,
        "v1",
        &[SignatureEntry {
            envelope,
            media_type: m.format.media_type().to_string(),
            form: m.form,
            thumbprints: env::thumbprints(&chain),
        }],
    )
    .unwrap();
    let trusted = if m.trust_other_root {
        pki::chain(KeyKind::Rsa2048, 2).pop().unwrap()
    } else {
        chain.last().unwrap().clone()
    };
    std::fs::write(dir.path().join("root.crt"), trusted.pem()).unwrap();
    Fixture {
        dir,
        digest: subject.descriptor.digest.clone(),
    }
}

fn validation<'a>(json: &'a Value, t: &str) -> Option<&'a Value> {
    json["signatures"][0]["validations"]
        .as_array()?
        .iter()
        .find(|v| v["type"] == t)
}

/// Each level × each validation failing: what Flux and notation conclude.
#[test]
fn levels_by_failing_validation() {
    // (failure, level) -> (flux result, flux exit, notation result, notation exit)
    let failures: Vec<(&str, Make)> = vec![
        (
            "integrity",
            Make {
                tamper_signature: true,
                ..Make::default()
            },
        ),
        (
            "authenticity",
            Make {
                trust_other_root: true,
                ..Make::default()
            },
        ),
        (
            "expiry",
            Make {
                expired_signature: true,
                ..Make::default()
            },
        ),
        (
            "authenticTimestamp",
            Make {
                expired_leaf: true,
                ..Make::default()
            },
        ),
    ];
    for (failing, m) in failures {
        let fixture = make(&m);
        for level in ["strict", "permissive", "audit", "skip"] {
            fixture.write_policy(statement(level, json!({}), json!(["*"])));
            let enforced = match (failing, level) {
                (_, "skip") => false,
                ("integrity", _) => true,
                ("authenticity", "strict" | "permissive") => true,
                (_, "strict") => true,
                _ => false,
            };
            let (flux_exit, flux) = fixture.verify("flux", &[]);
            let (notation_exit, notation) = fixture.verify("notation", &[]);
            let context = format!("{failing} failing at {level}: flux {flux:#}");
            if level == "skip" {
                assert_eq!(
                    (flux_exit, flux["result"].as_str()),
                    (3, Some("ignored")),
                    "{context}"
                );
                assert_eq!(
                    (notation_exit, notation["result"].as_str()),
                    (0, Some("skipped")),
                    "{context}"
                );
                assert!(
                    flux["signatures"].as_array().unwrap().is_empty(),
                    "skip reads nothing"
                );
                continue;
            }
            if enforced {
                assert_eq!(
                    (flux_exit, flux["result"].as_str()),
                    (1, Some("failed")),
                    "{context}"
                );
                assert_eq!(notation_exit, 1, "{context}");
                assert_eq!(flux["condition"]["status"], "False", "{context}");
                let v = validation(&flux, failing).unwrap_or_else(|| panic!("{context}"));
                assert_eq!(v["action"], "enforce");
                assert!(v["error"].is_string(), "{context}");
            } else {
                let logged = validation(&flux, failing).unwrap_or_else(|| panic!("{context}"));
                assert_eq!(logged["action"], "log", "{context}");
                assert!(logged["error"].is_string(), "{context}");
                let (want_exit, want) = if failing == "authenticity" {
                    (3, "ignored")
                } else {
                    (0, "verified")
                };
                assert_eq!(
                    (flux_exit, flux["result"].as_str()),
                    (want_exit, Some(want)),
                    "{context}"
                );
                assert_eq!(
                    (notation_exit, notation["result"].as_str()),
                    (0, Some("verified")),
                    "{context}"
                );
                let warning =
                    format!("Warning: {failing} was set to \"log\" and failed with error: ");
                assert!(
                    notation["warnings"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|w| w.as_str().unwrap().starts_with(&warning)),
                    "{context}"
                );
            }
        }
    }
}

#[test]
fn overrides_change_the_verdict() {
    let expired = make(&Make {
        expired_signature: true,
        ..Make::default()
    });
    expired.write_policy(statement(
        "permissive",
        json!({"expiry": "enforce"}),
        json!(["*"]),
    ));
    let (code, out) = expired.verify("flux", &[]);
    assert_eq!(code, 1, "{out:#}");
    assert_eq!(out["policy"]["level"], "custom");
    assert_eq!(out["policy"]["scope"], SCOPE);
    assert!(out["error"]
        .as_str()
        .unwrap()
        .contains("digital signature has expired on"));
    let mut wildcard = statement("permissive", json!({"expiry": "enforce"}), json!(["*"]));
    wildcard["registryScopes"] = json!(["*"]);
    expired.write_policy(wildcard);
    let (_, out) = expired.verify("flux", &[]);
    assert_eq!(out["policy"]["scope"], "*", "{out:#}");

    let untrusted = make(&Make {
        trust_other_root: true,
        ..Make::default()
    });
    untrusted.write_policy(statement(
        "strict",
        json!({"authenticity": "log"}),
        json!(["*"]),
    ));
    let (code, out) = untrusted.verify("flux", &[]);
    assert_eq!(
        (code, out["result"].as_str()),
        (3, Some("ignored")),
        "{out:#}"
    );
    let (code, out) = untrusted.verify("notation", &[]);
    assert_eq!(
        (code, out["result"].as_str()),
        (0, Some("verified")),
        "{out:#}"
    );

    let valid = make(&Make::default());
    valid.write_policy(statement(
        "strict",
        json!({"revocation": "skip"}),
        json!(["*"]),
    ));
    let (code, out) = valid.verify("flux", &[]);
    assert_eq!(code, 0, "{out:#}");
    assert!(
        validation(&out, "revocation").is_none(),
        "skipped revocation leaves no result"
    );
}

#[test]
fn trusted_identity_subsets() {
    let fixture = make(&Make::default());
    // The test leaf is CN=fluxverify test leaf,O=Notary,L=Seattle,ST=WA,C=US.
    for (identities, ok) in [
        (json!(["x509.subject: C=US, ST=WA, O=Notary"]), true),
        (
            json!(["x509.subject: CN=fluxverify test leaf,O=Notary,L=Seattle,ST=WA,C=US"]),
            true,
        ),
        (
            json!([
                "x509.subject: C=US, ST=WA, O=Other",
                "x509.subject: C=US, ST=WA, O=Notary, L=Seattle"
            ]),
            true,
        ),
        (json!(["x509.subject: C=US, ST=CA, O=Notary"]), false),
        (
            json!(["x509.subject: C=US, ST=WA, O=Notary, OU=Missing"]),
            false,
        ),
    ] {
        fixture.write_policy(statement("strict", json!({}), identities.clone()));
        let (code, out) = fixture.verify("flux", &[]);
        if ok {
            assert_eq!(code, 0, "{identities}: {out:#}");
        } else {
            assert_eq!(code, 1, "{identities}: {out:#}");
            assert!(
                out["error"].as_str().unwrap().contains(
                    "signing certificate from the digital signature does not match the X.509 trusted identities"
                ),
                "{out:#}"
            );
        }
    }
}

#[test]
fn a_signature_for_another_digest_fails_payload_binding() {
    let fixture = make(&Make {
        other_digest: true,
        ..Make::default()
    });
    fixture.write_policy(statement("strict", json!({}), json!(["*"])));
    // Listed as a signature of the subject (its manifest's subject says so), but the signed
    // payload names another artifact.
    for mode in ["flux", "notation"] {
        let (code, out) = fixture.verify(mode, &[]);
        assert_eq!(code, 1, "{out:#}");
        assert_eq!(out["signatures"][0]["error"], "content descriptor mismatch");
        assert!(out["signatures"][0]["validations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["error"].is_null()));
    }
}

#[test]
fn both_manifest_forms_and_both_envelope_formats_verify() {
    for format in Format::ALL {
        for form in [ManifestForm::ArtifactType, ManifestForm::ConfigMediaType] {
            let fixture = make(&Make {
                format,
                form,
                ..Make::default()
            });
            fixture.write_policy(statement("strict", json!({}), json!(["*"])));
            let (code, out) = fixture.verify("flux", &[]);
            assert_eq!(code, 0, "{format:?} {form:?}: {out:#}");
            assert_eq!(out["signatures"][0]["mediaType"], format.media_type());
            assert_eq!(
                out["condition"]["message"],
                format!("verified signature of revision {}", fixture.digest)
            );
        }
    }
}

#[test]
fn json_has_the_contract_fields() {
    let fixture = make(&Make::default());
    fixture.write_policy(statement("strict", json!({}), json!(["*"])));
    let (code, out) = fixture.verify("flux", &["--flux-version", "1.6"]);
    assert_eq!(code, 0, "{out:#}");
    let keys: Vec<&str> = out
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "mode",
            "fluxVersion",
            "reference",
            "artifactReference",
            "artifact",
            "revision",
            "policy",
            "result",
            "error",
            "signatures",
            "condition",
            "warnings",
            // Additive: where registry credentials came from, and hints under the error.
            "credentials",
            "hints"
        ]
    );
    assert_eq!(out["fluxVersion"], "1.6");
    assert_eq!(
        out["artifactReference"],
        format!("{SCOPE}@{}", fixture.digest)
    );
    assert!(out["artifact"]["size"].as_u64().is_some());
    assert_eq!(out["signatures"][0]["result"], "verified");
    // Additive per-signature fields: the revocation methods of 1.6 and the checks that ran.
    assert_eq!(out["signatures"][0]["revocationMode"], "OCSP, CRL fallback");
    assert!(out["signatures"][0]["revocation"].is_array(), "{out:#}");
    let types: Vec<&str> = out["signatures"][0]["validations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "integrity",
            "authenticity",
            "expiry",
            "authenticTimestamp",
            "revocation"
        ]
    );
}

#[test]
fn exit_code_2_when_the_command_cannot_run() {
    let fixture = make(&Make::default());
    fixture.write_policy(statement("strict", json!({}), json!(["*"])));
    let mut cmd = Command::cargo_bin("fluxverify").unwrap();
    cmd.args([
        "verify",
        "--oci-layout",
        "/nonexistent/layout",
        "--scope",
        SCOPE,
        "--trust-policy",
    ])
    .arg(fixture.policy())
    .arg("--certs")
    .arg(fixture.cert())
    .arg("v1");
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("Error: "));

    // A tag that is not in the layout.
    let mut cmd = Command::cargo_bin("fluxverify").unwrap();
    cmd.args(["verify", "--oci-layout"])
        .arg(fixture.layout())
        .args(["--scope", SCOPE, "--trust-policy"])
        .arg(fixture.policy())
        .arg("--certs")
        .arg(fixture.cert())
        .arg("missing-tag");
    assert_eq!(cmd.output().unwrap().status.code(), Some(2));
}

#[test]
fn invalid_policy_fails_verification_with_flux_text() {
    let fixture = make(&Make::default());
    fixture.write_policy(json!({"name": "fixture", "registryScopes": [SCOPE],
        "signatureVerification": {"level": "strict", "override": {"integrity": "log"}},
        "trustStores": ["ca:fixture"], "trustedIdentities": ["*"]}));
    let (code, out) = fixture.verify("flux", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        out["condition"]["message"],
        "failed to verify the signature using provider 'notation': trust policy: trust policy statement \"fixture\" has invalid signatureVerification: \"integrity\" verification can not be overridden in custom signature verification"
    );
}

#[test]
fn malformed_envelopes_do_not_panic() {
    let fixture = make(&Make::default());
    fixture.write_policy(statement("strict", json!({}), json!(["*"])));
    let subject = json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": fixture.digest, "size": 1}).to_string();
    let garbage: Vec<(&str, Vec<u8>)> = vec![
        ("bad base64", br####"{"payload":"!!!","protected":"@@@","signature":"%%%","header":{"x5c":["***"]}}"####.to_vec()),
        ("deep json", format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes()),
        ("cbor wrong types", vec![0xd2, 0x84, 0x01, 0x02, 0x03, 0x04]),
        ("truncated cbor", vec![0xd2, 0x84, 0x58]),
        ("empty", Vec::new()),
    ];
    for (what, bytes) in garbage {
        let path = fixture.dir.path().join("envelope.sig");
        std::fs::write(&path, &bytes).unwrap();
        for media in ["application/jose+json", "application/cose"] {
            let mut cmd = Command::cargo_bin("fluxverify").unwrap();
            cmd.args(["envelope", "verify"])
                .arg(&path)
                .args([
                    "--reference",
                    &format!("{SCOPE}@{}", fixture.digest),
                    "--subject",
                    &subject,
                ])
                .args(["--media-type", media, "--trust-policy"])
                .arg(fixture.policy())
                .arg("--certs")
                .arg(fixture.cert())
                .args(["-o", "json"]);
            let out = cmd.output().unwrap();
            let code = out.status.code();
            assert_eq!(
                code,
                Some(1),
                "{what} as {media}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let json: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(json["signatures"][0]["validations"][0]["type"], "integrity");
            assert!(
                json["error"]
                    .as_str()
                    .unwrap()
                    .starts_with("unable to parse the digital signature")
                    || json["error"].as_str().unwrap().starts_with("signature"),
                "{what}: {json:#}"
            );
        }
    }
}

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example")
}

/// Writes fixtures/example: an OCI layout signed by the test signer, and the Flux Secret that
/// trusts its root. Run with `FLUXVERIFY_WRITE_EXAMPLE=1` to regenerate; the subject (and so
/// the README's digest) is the same every time.
fn write_example(dir: &Path) -> String {
    let subject = Subject::new(b"fluxverify example artifact\n");
    let chain = pki::chain(KeyKind::Rsa3072, 3);
    let spec = EnvelopeSpec::new(Format::Jws, &subject.descriptor);
    let envelope = env::sign(&chain, &spec);
    let _ = std::fs::remove_dir_all(dir.join("layout"));
    write_layout(
        &dir.join("layout"),
        &subject,
        "v1",
        &[SignatureEntry {
            envelope,
            media_type: Format::Jws.media_type().to_string(),
            form: ManifestForm::ArtifactType,
            thumbprints: env::thumbprints(&chain),
        }],
    )
    .unwrap();
    let policy = json!({"version": "1.0", "trustPolicies": [{
        "name": "example",
        "registryScopes": [SCOPE],
        "signatureVerification": {"level": "strict"},
        "trustStores": ["ca:example"],
        "trustedIdentities": ["x509.subject: C=US, ST=WA, O=Notary"],
    }]});
    let root = chain.last().unwrap().pem();
    let secret = support::secret::string_data(
        "notation-config",
        "flux-system",
        &[
            (
                "trustpolicy.json",
                &serde_json::to_string_pretty(&policy).unwrap(),
            ),
            ("example-root.crt", &root),
        ],
    );
    std::fs::write(dir.join("secret.yaml"), secret).unwrap();
    subject.descriptor.digest.clone()
}

#[test]
fn shipped_example_verifies_and_prints_the_condition() {
    let dir = example_dir();
    if std::env::var_os("FLUXVERIFY_WRITE_EXAMPLE").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        write_example(&dir);
    }
    // The README's first command, with the digest the example was made for.
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| {
            l.starts_with("cargo run --release -- verify --oci-layout fixtures/example/layout")
        })
        .expect("README set-up command");
    let args: Vec<&str> = line.split_whitespace().skip(4).collect();
    let digest = Subject::new(b"fluxverify example artifact\n")
        .descriptor
        .digest;
    assert!(
        line.ends_with(&format!("@{digest}")),
        "README digest is stale: {line}"
    );
    let out = Command::cargo_bin("fluxverify")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(&args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for validation in [
        "integrity",
        "authenticity",
        "expiry",
        "authenticTimestamp",
        "revocation",
    ] {
        assert!(
            stdout.contains(&format!("] {validation}")),
            "{validation} missing:\n{stdout}"
        );
    }
    assert!(stdout.contains("Type:     SourceVerified"), "{stdout}");
    assert!(stdout.contains("Status:   True"), "{stdout}");
    assert!(
        stdout.contains(&format!("verified signature of revision {digest}")),
        "{stdout}"
    );
}

fn upstream(path: &str) -> PathBuf {
    support::upstream::upstream("notation/test/e2e/testdata").join(path)
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn ls_prints_notations_tree() {
    let layout = upstream("registry/oci_layout/e2e-valid-signature");
    let out = Command::cargo_bin("fluxverify")
        .unwrap()
        .args(["ls", "--oci-layout"])
        .arg(&layout)
        .args(["--scope", "localhost:5000/e2e", "v1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "{}@sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9\n└── application/vnd.cncf.notary.signature\n    └── sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f\n",
            layout.display()
        )
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn inspect_prints_notations_tree_and_json() {
    let layout = upstream("registry/oci_layout/e2e-with-invalid-timestamped-signature");
    let run = |output: &str| {
        Command::cargo_bin("fluxverify")
            .unwrap()
            .args(["inspect", "--oci-layout"])
            .arg(&layout)
            .args([
                "--scope",
                "localhost:5000/e2e-inspect-invalid-timstamped",
                "v1",
                "-o",
                output,
            ])
            .output()
            .unwrap()
    };
    let text = run("text");
    assert_eq!(text.status.code(), Some(0));
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.starts_with("Inspecting all signatures for signed artifact\nlocalhost:5000/e2e-inspect-invalid-timstamped@sha256:f1da8cd70d6d851fa2313c8d6618f79508cf1e86877edf1c0bfe49a1b0a6467a\n"), "{text}");
    assert!(
        text.contains(
            "│       └── error: failed to parse timestamp countersignature: cms: syntax error"
        ),
        "{text}"
    );
    let json = run("json");
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        json["signatures"][0]["signatureAlgorithm"],
        "RSASSA-PSS-SHA-256"
    );
    assert_eq!(
        json["signatures"][0]["certificates"][0]["issuedTo"],
        "CN=testcert7,O=Notary,L=Seattle,ST=WA,C=US"
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn envelope_verify_and_inspect_on_an_upstream_envelope() {
    let vectors = support::upstream::upstream_vectors();
    let envelope = vectors.join("notation-go/internal/mock/testdata/ca_valid_sig_env.json");
    let store = vectors.join(
        "notation-go/verifier/testdata/truststore/x509/ca/valid-trust-store/NotationTestRoot.pem",
    );
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("trustpolicy.json");
    let subject = r#"{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e","size":528}"#;
    let reference = "registry.acme-rockets.io/software/net-monitor@sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e";
    let verify = |level: &str, subject: &str| {
        let doc = json!({"version": "1.0", "trustPolicies": [{"name": "t", "registryScopes": ["*"],
            "signatureVerification": {"level": level}, "trustStores": ["ca:valid-trust-store"],
            "trustedIdentities": ["*"]}]});
        std::fs::write(&policy, doc.to_string()).unwrap();
        let out = Command::cargo_bin("fluxverify")
            .unwrap()
            .args(["envelope", "verify"])
            .arg(&envelope)
            .args([
                "--reference",
                reference,
                "--subject",
                subject,
                "--trust-policy",
            ])
            .arg(&policy)
            .arg("--certs")
            .arg(&store)
            .args(["-o", "json"])
            .output()
            .unwrap();
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code(), json)
    };
    let (code, json) = verify("strict", subject);
    assert_eq!(code, Some(0), "{json:#}");
    assert_eq!(json["signatures"].as_array().unwrap().len(), 1);
    let other = subject.replace("\"size\":528", "\"size\":529");
    let (code, json) = verify("strict", &other);
    assert_eq!(code, Some(1));
    assert_eq!(json["error"], "content descriptor mismatch");

    let out = Command::cargo_bin("fluxverify")
        .unwrap()
        .args(["envelope", "inspect"])
        .arg(&envelope)
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["signedArtifact"]["size"], 528);
    assert_eq!(json["signedAttributes"]["signingScheme"], "notary.x509");
}

#[test]
fn flux_1_3_has_no_timestamp_stores() {
    let fixture = make(&Make::default());
    let mut st = statement("strict", json!({}), json!(["*"]));
    st["trustStores"] = json!(["ca:fixture", "tsa:fixture"]);
    fixture.write_policy(st);
    let (code, out) = fixture.verify("flux", &["--flux-version", "1.3"]);
    assert_eq!(code, 1, "{out:#}");
    assert!(
        out["error"]
            .as_str()
            .unwrap()
            .contains("unsupported trust store type \"tsa\""),
        "{out:#}"
    );
    // 1.4 and later understand tsa stores; this signature has no countersignature.
    let (code, out) = fixture.verify("flux", &["--flux-version", "1.4"]);
    assert_eq!(code, 1);
    assert_eq!(
        validation(&out, "authenticTimestamp").unwrap()["error"],
        "no timestamp countersignature was found in the signature envelope"
    );
}

#[test]
fn notation_mode_prints_notations_last_lines() {
    let fixture = make(&Make {
        expired_signature: true,
        ..Make::default()
    });
    fixture.write_policy(statement("permissive", json!({}), json!(["*"])));
    let out = Command::cargo_bin("fluxverify")
        .unwrap()
        .args(["verify", "--mode", "notation", "--oci-layout"])
        .arg(fixture.layout())
        .args(["--scope", SCOPE, "--trust-policy"])
        .arg(fixture.policy())
        .arg("--certs")
        .arg(format!("ca:fixture={}", fixture.cert().display()))
        .arg(format!("@{}", fixture.digest))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.ends_with(&format!(
            "Successfully verified signature for {SCOPE}@{}\n",
            fixture.digest
        )),
        "{stdout}"
    );
    assert!(stderr.starts_with("Warning: expiry was set to \"log\" and failed with error: digital signature has expired on"), "{stderr}");
}

#[test]
fn envelope_verify_condition_is_what_flux_would_write_for_that_signature() {
    let fixture = make(&Make {
        expired_signature: true,
        ..Make::default()
    });
    fixture.write_policy(statement("strict", json!({}), json!(["*"])));
    let layout = fixture.layout();
    let index: Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    // index.json lists the subject, then the signature manifest.
    let manifest_digest = index["manifests"][1]["digest"]
        .as_str()
        .unwrap()
        .trim_start_matches("sha256:")
        .to_string();
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(layout.join("blobs/sha256").join(manifest_digest)).unwrap(),
    )
    .unwrap();
    let envelope_digest = manifest["layers"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let envelope = layout
        .join("blobs/sha256")
        .join(envelope_digest.trim_start_matches("sha256:"));
    let subject_size = std::fs::metadata(
        layout
            .join("blobs/sha256")
            .join(fixture.digest.trim_start_matches("sha256:")),
    )
    .unwrap()
    .len();
    let descriptor = json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": fixture.digest, "size": subject_size}).to_string();
    let out = Command::cargo_bin("fluxverify")
        .unwrap()
        .args(["envelope", "verify"])
        .arg(&envelope)
        .args([
            "--reference",
            &format!("{SCOPE}@{}", fixture.digest),
            "--subject",
            &descriptor,
            "--trust-policy",
        ])
        .arg(fixture.policy())
        .arg("--certs")
        .arg(fixture.cert())
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let own = json["error"].as_str().unwrap();
    assert!(
        own.starts_with("digital signature has expired on"),
        "{json:#}"
    );
    assert_eq!(json["signatures"][0]["digest"], envelope_digest);
    assert_eq!(
        json["condition"]["message"],
        format!("failed to verify the signature using provider 'notation': signature verification failed\nfailed to verify signature with digest {envelope_digest}, {own}")
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn inspect_skips_unreadable_signatures_like_notation() {
    let layout = upstream("registry/oci_layout/e2e-invalid-signature");
    let out = Command::cargo_bin("fluxverify")
        .unwrap()
        .args(["inspect", "--oci-layout"])
        .arg(&layout)
        .args(["--scope", "localhost:5000/e2e", "v1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("Warning: Skipping signature sha256:321fcc674d6771dd0e5bd21e599f2df3a482de99a400fd3a3fe371221b97a9c9 because of error: unable to parse the digital signature"), "{stderr}");
    assert!(
        stderr.ends_with("Error: at least one signature was skipped and not displayed\n"),
        "{stderr}"
    );
}

/// Runs the CLI; returns (exit code, stdout, stderr).
fn run(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let out = Command::cargo_bin("fluxverify")
        .unwrap()
        .args(args)
        .write_stdin(stdin.to_vec())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn json_output_is_one_object_whenever_the_command_got_past_its_arguments() {
    let fixture = make(&Make::default());
    fixture.write_policy(statement("strict", json!({}), json!(["*"])));
    let policy = fixture.policy().display().to_string();
    let cert = fixture.cert().display().to_string();
    let layout = fixture.layout().display().to_string();
    let at_digest = format!("@{}", fixture.digest);
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        // No layout there: could not decide.
        (
            vec![
                "verify",
                "--oci-layout",
                "/nonexistent/layout",
                "--scope",
                SCOPE,
                "--trust-policy",
                &policy,
                "--certs",
                &cert,
                "-o",
                "json",
                "v1",
            ],
            2,
            "error",
        ),
        // A tag the layout does not hold.
        (
            vec![
                "verify",
                "--oci-layout",
                &layout,
                "--scope",
                SCOPE,
                "--trust-policy",
                &policy,
                "--certs",
                &cert,
                "-o",
                "json",
                "missing-tag",
            ],
            2,
            "error",
        ),
        // Neither --secret nor --trust-policy.
        (
            vec![
                "verify",
                "--oci-layout",
                &layout,
                "--scope",
                SCOPE,
                "-o",
                "json",
                &at_digest,
            ],
            2,
            "error",
        ),
        (
            vec![
                "ls",
                "--oci-layout",
                "/nonexistent/layout",
                "--scope",
                SCOPE,
                "-o",
                "json",
                "v1",
            ],
            2,
            "error",
        ),
        (
            vec![
                "inspect",
                "--oci-layout",
                "/nonexistent",
                "--scope",
                SCOPE,
                "-o",
                "json",
                "v1",
            ],
            2,
            "error",
        ),
        (
            vec![
                "policy",
                "check",
                "--trust-policy",
                "/nonexistent.json",
                "-o",
                "json",
            ],
            2,
            "error",
        ),
        (
            vec!["certs", "--trust-policy", "/nonexistent.json", "-o", "json"],
            2,
            "error",
        ),
        (
            vec!["envelope", "inspect", "/nonexistent.sig", "-o", "json"],
            2,
            "error",
        ),
    ];
    for (args, code, result) in cases {
        let (got, stdout, stderr) = run(&args, b"");
        assert_eq!(got, code, "{args:?}: {stdout} {stderr}");
        let json: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not one JSON object ({e}): {stdout}"));
        assert_eq!(json["result"], result, "{args:?}: {json}");
        let error = json["error"].as_str().unwrap();
        assert!(!error.is_empty(), "{args:?}");
        // A verification report carries its error itself; other failures also go to stderr.
        if json.get("mode").is_none() {
            assert!(stderr.starts_with("Error: "), "{args:?}: {stderr}");
        }
    }
}

#[test]
fn oci_layout_takes_the_repository_of_a_full_reference_as_the_scope() {
    let fixture = make(&Make::default());
    fixture.write_policy(statement("strict", json!({}), json!(["*"])));
    let policy = fixture.policy().display().to_string();
    let cert = fixture.cert().display().to_string();
    let layout = fixture.layout().display().to_string();
    let full = format!("{SCOPE}@{}", fixture.digest);
    let (code, stdout, stderr) = run(
        &[
            "verify",
            "--oci-layout",
            &layout,
            "--trust-policy",
            &policy,
            "--certs",
            &cert,
            "-o",
            "json",
            &full,
        ],
        b"",
    );
    assert_eq!(code, 0, "{stdout} {stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["artifactReference"], full.as_str());
    assert_eq!(json["policy"]["scope"], SCOPE);
    // The same --scope is allowed; another one is a usage error.
    let (code, _, _) = run(
        &[
            "verify",
            "--oci-layout",
            &layout,
            "--scope",
            SCOPE,
            "--trust-policy",
            &policy,
            "--certs",
            &cert,
            &full,
        ],
        b"",
    );
    assert_eq!(code, 0);
    let (code, _, stderr) = run(
        &[
            "verify",
            "--oci-layout",
            &layout,
            "--scope",
            "registry.example/other",
            "--trust-policy",
            &policy,
            "--certs",
            &cert,
            &full,
        ],
        b"",
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("is not the repository of"), "{stderr}");
    // A short reference still needs --scope.
    let (code, _, stderr) = run(
        &[
            "verify",
            "--oci-layout",
            &layout,
            "--trust-policy",
            &policy,
            "--certs",
            &cert,
            "v1",
        ],
        b"",
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("--oci-layout needs --scope"), "{stderr}");
    let (code, stdout, _) = run(&["ls", "--oci-layout", &layout, &full], b"");
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with(&format!("{layout}@{}", fixture.digest)),
        "{stdout}"
    );
}

#[test]
fn messages_name_stdin_and_layout_errors_once() {
    let fixture = make(&Make::default());
    let layout = fixture.layout().display().to_string();
    let (code, _, stderr) = run(
        &[
            "verify",
            "--secret",
            "-",
            "--oci-layout",
            &layout,
            "--scope",
            SCOPE,
            "v1",
        ],
        b"kind: [",
    );
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("Error: <stdin> is not a YAML or JSON manifest"),
        "{stderr}"
    );
    fixture.write_policy(statement("strict", json!({}), json!(["*"])));
    let policy = fixture.policy().display().to_string();
    let (_, _, stderr) = run(
        &[
            "verify",
            "--oci-layout",
            "/nonexistent/layout",
            "--scope",
            SCOPE,
            "--trust-policy",
            &policy,
            "v1",
        ],
        b"",
    );
    assert_eq!(
        stderr,
        "Error: cannot open OCI layout: /nonexistent/layout/oci-layout: No such file or directory (os error 2)\n"
    );
}

/// What a missing external program does to a test: fail with the install command and the way
/// to leave its tests out, whatever the environment says (a test never skips itself).
#[test]
fn a_missing_external_program_fails_the_test() {
    use support::external::Program;
    const MISSING: Program = Program {
        name: "/nonexistent/fluxverify-test-program",
        package: "fluxverify-test-package",
        skip_var: "FLUXVERIFY_SKIP_TEST_ONLY_PROGRAM",
    };
    for opted_out in [false, true] {
        if opted_out {
            std::env::set_var("FLUXVERIFY_SKIP_TEST_ONLY_PROGRAM", "1");
        }
        let failure = std::panic::catch_unwind(|| MISSING.require()).unwrap_err();
        let message = failure.downcast_ref::<String>().unwrap();
        assert!(
            message.contains("apt-get install -y fluxverify-test-package")
                && message.contains("`FLUXVERIFY_SKIP_TEST_ONLY_PROGRAM=1 scripts/test`"),
            "{message}"
        );
    }
    std::env::remove_var("FLUXVERIFY_SKIP_TEST_ONLY_PROGRAM");
}
