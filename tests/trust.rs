//! Trust material against the upstream vectors (their `cases.json`, kinds
//! policy-validate, flux-secret, truststore-load, trusted-identity-match, certificate-file and
//! the oci-layout-verify cases that fail on the trust policy or trust store), plus the
//! `policy`, `certs` and `completions` commands driven through the binary.

use fluxverify::trust::identity::verify_identities;
use fluxverify::trust::policy::clean::clean_trust_policy;
use fluxverify::trust::policy::{Dialect, StoreType, TrustPolicyDocument};
use fluxverify::trust::secret::Secret;
use fluxverify::trust::store::{
    read_certificate_file, CertEntry, FluxTrustStore, NotationTrustStore, TrustStore,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[path = "support/upstream.rs"]
mod upstream;

fn vectors() -> PathBuf {
    upstream::upstream_vectors()
}

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(vectors().join("cases.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

fn cases_of(kind: &str) -> Vec<Value> {
    let list: Vec<Value> = cases().into_iter().filter(|c| c["kind"] == kind).collect();
    assert!(!list.is_empty(), "no cases of kind {kind}");
    list
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(vectors().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// What the policy stage says for `mode`: `Ok(())` or the exact error text. Flux runs its
/// clean-up first; `reference`, when given, also selects the statement.
fn policy_outcome(policy: &[u8], dialect: Dialect, reference: Option<&str>) -> Result<(), String> {
    let mut doc = TrustPolicyDocument::parse(policy, dialect).map_err(|e| e.to_string())?;
    if dialect == Dialect::Flux {
        clean_trust_policy(&mut doc);
    }
    doc.validate().map_err(|e| e.to_string())?;
    if let Some(reference) = reference {
        doc.applicable_statement(reference)
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn observed_error<'a>(case: &'a Value, mode: &str) -> Option<&'a str> {
    case["observed"][mode]["error"].as_str()
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn policy_validate_cases() {
    let mut checked = 0;
    for case in cases_of("policy-validate") {
        let id = case["id"].as_str().unwrap();
        let policy = read(case["verify"]["policy"].as_str().unwrap());
        for (mode, dialect) in [("notation", Dialect::Notation), ("flux", Dialect::Flux)] {
            let got = policy_outcome(&policy, dialect, None);
            match observed_error(&case, mode) {
                Some(want) => assert_eq!(got, Err(want.to_string()), "{id} ({mode})"),
                None => {
                    assert!(
                        case["observed"][mode].is_object(),
                        "{id}: no observation for {mode}"
                    );
                    assert_eq!(got, Ok(()), "{id} ({mode})");
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 16);
}

/// The oci-layout cases decided by the trust policy: validation or statement selection.
#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn layout_cases_failing_on_trust_policy() {
    let mut checked = 0;
    for case in cases_of("oci-layout-verify") {
        let failing = case["expected"]["failing_validation"].as_array().unwrap();
        if !failing.iter().any(|f| f == "trustPolicy") {
            continue;
        }
        let id = case["id"].as_str().unwrap();
        let policy = read(case["trust_policy"].as_str().unwrap());
        let reference = case["verify"]["reference"].as_str().unwrap();
        for (mode, dialect) in [("notation", Dialect::Notation), ("flux", Dialect::Flux)] {
            let want = observed_error(&case, mode).unwrap_or_else(|| panic!("{id} {mode}"));
            assert_eq!(
                policy_outcome(&policy, dialect, Some(reference)),
                Err(want.to_string()),
                "{id} ({mode})"
            );
            checked += 1;
        }
    }
    assert!(checked >= 28, "only {checked} checks");
}

fn stores_of(case: &Value) -> NotationTrustStore {
    let mut store = NotationTrustStore::new();
    for (spec, files) in case["trust_stores"].as_object().unwrap() {
        let (t, name) = spec.split_once(':').unwrap();
        let t = StoreType::from_name(t).unwrap();
        for f in files.as_array().unwrap() {
            store.add(t, name, &vectors().join(f.as_str().unwrap()));
        }
    }
    store
}

fn flux_store_of(case: &Value) -> FluxTrustStore {
    let mut entries = Vec::new();
    for files in case["trust_stores"].as_object().unwrap().values() {
        for f in files.as_array().unwrap() {
            let f = f.as_str().unwrap();
            entries.push(CertEntry {
                key: f.rsplit('/').next().unwrap().to_string(),
                data: read(f),
            });
        }
    }
    FluxTrustStore::new(entries)
}

/// The oci-layout cases decided by the trust store: notation's named store is missing, Flux's
/// any-name store answers.
#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn layout_cases_failing_on_trust_store() {
    let mut checked = 0;
    for case in cases_of("oci-layout-verify") {
        let failing = case["expected"]["failing_validation"].as_array().unwrap();
        if !failing.iter().any(|f| f == "trustStore") {
            continue;
        }
        let id = case["id"].as_str().unwrap();
        let policy = read(case["trust_policy"].as_str().unwrap());
        let reference = case["verify"]["reference"].as_str().unwrap();
        for (mode, dialect) in [("notation", Dialect::Notation), ("flux", Dialect::Flux)] {
            let mut doc = TrustPolicyDocument::parse(&policy, dialect).unwrap();
            if dialect == Dialect::Flux {
                clean_trust_policy(&mut doc);
            }
            doc.validate().unwrap();
            let (statement, _) = doc.applicable_statement(reference).unwrap();
            let names = statement.trust_store_names(StoreType::Ca);
            assert!(!names.is_empty(), "{id}");
            let lookups: Vec<Result<usize, String>> = names
                .iter()
                .map(|name| {
                    let result = match dialect {
                        Dialect::Notation => stores_of(&case).certificates(StoreType::Ca, name),
                        Dialect::Flux => flux_store_of(&case).certificates(StoreType::Ca, name),
                    };
                    result.map(|c| c.len()).map_err(|e| e.to_string())
                })
                .collect();
            match observed_error(&case, mode) {
                Some(want) => {
                    let err = lookups
                        .iter()
                        .find_map(|r| r.as_ref().err())
                        .unwrap_or_else(|| panic!("{id} ({mode}): no store error"));
                    // The verifier prefixes the signature digest; the store's own text ends it.
                    assert!(
                        want.ends_with(&format!(", {err}")),
                        "{id} ({mode}): {want:?} vs {err:?}"
                    );
                }
                None => {
                    assert_eq!(case["observed"][mode]["flux_result"], "Success", "{id}");
                    assert!(
                        lookups.iter().all(|r| matches!(r, Ok(n) if *n > 0)),
                        "{id} ({mode})"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 2);
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn truststore_load_cases() {
    for case in cases_of("truststore-load") {
        let id = case["id"].as_str().unwrap();
        let root = vectors()
            .join(case["verify"]["trust_store_root"].as_str().unwrap())
            .join("truststore");
        let mut store = NotationTrustStore::new();
        store.add_root(&root);
        let t = StoreType::from_name(case["verify"]["store_type"].as_str().unwrap()).unwrap();
        let name = case["verify"]["store_name"].as_str().unwrap();
        let got = store.certificates(t, name);
        match observed_error(&case, "notation") {
            Some(want) => assert_eq!(got.unwrap_err().to_string(), want, "{id}"),
            None => assert_eq!(
                got.unwrap_or_else(|e| panic!("{id}: {e}")).len() as u64,
                case["observed"]["notation"]["certificate_count"]
                    .as_u64()
                    .unwrap(),
                "{id}"
            ),
        }
    }
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn certificate_file_cases() {
    for case in cases_of("certificate-file") {
        let id = case["id"].as_str().unwrap();
        let files = case["verify"]["certificates"].as_array().unwrap();
        let data = read(files[0].as_str().unwrap());
        let got = read_certificate_file(&data);
        match observed_error(&case, "notation") {
            Some(want) => assert_eq!(got.unwrap_err().to_string(), want, "{id}"),
            None => assert_eq!(
                got.unwrap().len() as u64,
                case["observed"]["notation"]["certificate_count"]
                    .as_u64()
                    .unwrap(),
                "{id}"
            ),
        }
        // Flux reads only the first PEM block of a value.
        let flux = FluxTrustStore::new(vec![CertEntry {
            key: "k.crt".into(),
            data,
        }]);
        match (
            flux.certificates(StoreType::Ca, "s"),
            observed_error(&case, "notation"),
        ) {
            (Ok(certs), None) => assert_eq!(certs.len(), 1, "{id}"),
            (Err(e), Some(want)) => {
                assert_eq!(
                    e.to_string(),
                    format!("failed to parse certificate 's': {want}")
                )
            }
            (other, _) => panic!("{id}: {other:?}"),
        }
    }
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn trusted_identity_cases() {
    for case in cases_of("trusted-identity-match") {
        let id = case["id"].as_str().unwrap();
        let leaf =
            read_certificate_file(&read(case["verify"]["leaf_certificate"].as_str().unwrap()))
                .unwrap()
                .remove(0);
        let identities: Vec<String> = case["verify"]["trusted_identities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let got = verify_identities("test-statement-name", &identities, &leaf.subject());
        match case["expected"]["verdict"].as_str().unwrap() {
            "pass" => assert!(got.is_ok(), "{id}: {got:?}"),
            _ => assert!(got.is_err(), "{id}"),
        }
    }
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn flux_secret_cases() {
    for case in cases_of("flux-secret") {
        let id = case["id"].as_str().unwrap();
        let title = case["title"].as_str().unwrap();
        let mut data = BTreeMap::new();
        if title.contains("holds trustpolicy.json") {
            data.insert("trustpolicy.json".to_string(), b"{}".to_vec());
        } else {
            data.insert(
                "ca.crt".to_string(),
                read("notation-core-go/x509/testdata/pem.crt"),
            );
        }
        let secret = Secret {
            name: "notation-config".into(),
            namespace: "flux-system".into(),
            data,
            string_data_keys: Vec::new(),
        };
        let err = match secret.trust_policy() {
            Err(e) => e.to_string(),
            Ok(_) => secret.certificate_entries().unwrap_err().to_string(),
        };
        let want = case["expected"]["upstream_messages"][0]
            .as_str()
            .unwrap()
            .replace("<namespace>/<name>", "flux-system/notation-config");
        assert_eq!(
            want,
            format!("failed to verify the signature using provider 'notation': {err}"),
            "{id}"
        );
    }
}

mod cli {
    use assert_cmd::Command;
    use predicates::prelude::*;
    use std::path::Path;

    const DOCS: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/trust/flux-docs-notation-config.yaml"
    );

    fn bin() -> Command {
        Command::cargo_bin("fluxverify").unwrap()
    }

    fn url_of_ocirepository() -> String {
        let text = std::fs::read_to_string(DOCS).unwrap();
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("url: "))
            .unwrap();
        line.trim_start().trim_start_matches("url: ").to_string()
    }

    #[test]
    fn docs_secret_checks_and_explains() {
        bin()
            .args(["policy", "check", "--secret", DOCS])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("secret 'apps/notation-config'"))
            .stdout(predicate::str::contains("is valid"));
        let digest = "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";
        let url = format!("{}@{digest}", url_of_ocirepository());
        let out = bin()
            .args(["policy", "explain", "--secret", DOCS, &url])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("Statement:  \"podinfo\""), "{text}");
        assert!(text.contains("Level:      strict"), "{text}");
        assert!(text.contains("  authenticity        enforce"), "{text}");
        assert!(
            text.contains("certificate1.crt: CN=podinfo signer,O=Example,L=Seattle,ST=WA,C=US"),
            "{text}"
        );
        assert!(
            text.contains("certificate2.pem: CN=Example Test Root"),
            "{text}"
        );

        let out = bin()
            .args(["policy", "explain", "--secret", DOCS, &url, "-o", "json"])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["statement"]["name"], "podinfo");
        assert_eq!(v["statement"]["match"], "exact");
        assert_eq!(v["level"], "strict");
        assert_eq!(v["actions"]["revocation"], "enforce");
        assert_eq!(
            v["artifactReference"],
            format!("ghcr.io/stefanprodan/podinfo-deploy@{digest}")
        );
        assert_eq!(v["stores"][0]["certificates"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn explain_plain_ocirepository_url() {
        bin()
            .args([
                "policy",
                "explain",
                "--secret",
                DOCS,
                &url_of_ocirepository(),
            ])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("Statement:  \"podinfo\""))
            .stdout(predicate::str::contains("Level:      strict"))
            .stderr(predicate::str::contains("no digest given"));
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn certs_from_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        let vectors = super::vectors().join("notation-core-go/x509/testdata");
        std::fs::copy(vectors.join("multi-pem.crt"), dir.path().join("bundle.pem")).unwrap();
        std::fs::copy(vectors.join("der.der"), dir.path().join("skipped.der")).unwrap();
        let out = bin()
            .args(["certs", "--certs"])
            .arg(dir.path())
            .args(["-o", "json"])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let certs = v["certificates"].as_array().unwrap();
        // Only bundle.pem is taken; Flux reads its first block and ignores the second.
        assert_eq!(certs.len(), 2);
        assert_eq!(certs[0]["used"], true);
        assert_eq!(certs[1]["used"], false);
        assert!(v["warnings"][0]
            .as_str()
            .unwrap()
            .contains("Flux uses only the first"));
    }

    #[test]
    fn docs_secret_certs() {
        let out = bin()
            .args(["certs", "--secret", DOCS, "-o", "json"])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let certs = v["certificates"].as_array().unwrap();
        assert_eq!(certs.len(), 2);
        assert_eq!(certs[0]["key"], "certificate1.crt");
        assert_eq!(
            certs[0]["subject"],
            "CN=podinfo signer,O=Example,L=Seattle,ST=WA,C=US"
        );
        assert_eq!(certs[0]["used"], true);
        assert_eq!(certs[1]["isCA"], true);
        assert_eq!(certs[1]["sha256"].as_str().unwrap().len(), 64);
    }

    #[test]
    fn docker_hub_hint() {
        let dir = tempfile::tempdir().unwrap();
        let policy = dir.path().join("p.json");
        std::fs::write(&policy, r#"{"version":"1.0","trustPolicies":[{"name":"hub","registryScopes":["docker.io/nginx"],
            "signatureVerification":{"level":"strict"},"trustStores":["ca:x"],"trustedIdentities":["*"]}]}"#).unwrap();
        let digest = "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";
        bin()
            .args(["policy", "explain", "--trust-policy", policy.to_str().unwrap(), &format!("docker.io/nginx@{digest}")])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("Hint: statement 'hub' lists scope 'docker.io/nginx'"))
            .stderr(predicate::str::contains(format!(
                "Error: artifact \"index.docker.io/library/nginx@{digest}\" has no applicable trust policy statement."
            )));
        // The notation CLI does not normalise: the same scope matches there.
        bin()
            .args([
                "policy",
                "explain",
                "--mode",
                "notation",
                "--trust-policy",
                policy.to_str().unwrap(),
                &format!("docker.io/nginx@{digest}"),
            ])
            .assert()
            .code(0);
        bin()
            .args([
                "policy",
                "check",
                "--trust-policy",
                policy.to_str().unwrap(),
            ])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("never matches under Flux"));
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn invalid_policies_exit_1_with_exact_message() {
        let vectors = super::vectors().join("notation/test/e2e/testdata/config/trustpolicies");
        bin()
            .args(["policy", "check", "--trust-policy"])
            .arg(vectors.join("overlapped_trusted_identity_trustpolicy.json"))
            .assert()
            .code(1)
            .stderr("Error: trust policy: trust policy statement \"e2e\" has overlapping x509 trustedIdentities, \"x509.subject: CN=e2e,O=Notary,ST=WA,C=US\" overlaps with \"x509.subject: CN=e2e,O=Notary,L=Seattle,ST=WA,C=US\"\n");
        bin()
            .args(["policy", "check", "--mode", "notation", "--trust-policy"])
            .arg(vectors.join("invalid_format_trustpolicy.json"))
            .assert()
            .code(1)
            .stderr(predicate::str::contains("malformed trust policy."));
    }

    fn secret_with(dir: &Path, name: &str, data: &str) -> String {
        let path = dir.join(name);
        std::fs::write(&path, format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: ns\ndata:\n{data}")).unwrap();
        path.display().to_string()
    }

    fn b64(bytes: &[u8]) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn bad_inputs_fail_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        // Truncated base64: exit 2 naming the key.
        let f = secret_with(
            dir.path(),
            "trunc.yaml",
            "  trustpolicy.json: e30\n  a.crt: AA==\n",
        );
        bin()
            .args(["policy", "check", "--secret", &f])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "data key 'trustpolicy.json' is not valid base64",
            ));
        // trustpolicy.json holding YAML: Flux's parse error, exit 1.
        let f = secret_with(
            dir.path(),
            "yaml.yaml",
            &format!(
                "  trustpolicy.json: {}\n  a.crt: AA==\n",
                b64(b"version: '1.0'\n")
            ),
        );
        bin().args(["policy", "check", "--secret", &f]).assert().code(1)
            .stderr("Error: error occurred while parsing trustpolicy.json: invalid character 'v' looking for beginning of value\n");
        // A file over the 64 MiB input limit: exit 2, named, with the limit.
        let big = dir.path().join("big.yaml");
        let file = std::fs::File::create(&big).unwrap();
        file.set_len(64 * 1024 * 1024 + 1).unwrap();
        bin()
            .args(["policy", "check", "--secret"])
            .arg(&big)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "big.yaml is larger than the input limit of 64 MiB (67108865 bytes; refused before parsing)",
            ));
        // Invalid UTF-8: exit 2, named.
        let bad = dir.path().join("bin.yaml");
        std::fs::write(&bad, b"kind: Secret\n\xff\xfe\x00").unwrap();
        bin()
            .args(["certs", "--secret"])
            .arg(&bad)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("bin.yaml is not valid UTF-8"));
        // Not a Secret at all: exit 2, named.
        let cm = dir.path().join("cm.yaml");
        std::fs::write(
            &cm,
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
        )
        .unwrap();
        bin()
            .args(["policy", "show", "--secret"])
            .arg(&cm)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "cm.yaml holds no Kubernetes Secret",
            ));
        // Unreadable file: exit 2, named.
        bin()
            .args(["policy", "check", "--secret", "/nonexistent/s.yaml"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("cannot read /nonexistent/s.yaml"));
        // A private key as certificate: Flux's lookup error, naming the key.
        let key = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBTb3Uz5WCd5dbvvEBJbDbxgLjz4VEyPTX1O+Bx93lX9\n-----END PRIVATE KEY-----\n";
        let policy = br#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:st"],"trustedIdentities":["*"]}]}"#;
        let f = secret_with(
            dir.path(),
            "key.yaml",
            &format!(
                "  trustpolicy.json: {}\n  key.pem: {}\n",
                b64(policy),
                b64(key.as_bytes())
            ),
        );
        bin().args(["certs", "--secret", &f]).assert().code(1)
            .stderr(predicate::str::contains("key.pem: Flux fails every trust store lookup with: failed to parse certificate '<store name>': x509: malformed tbs certificate"));
        bin().args(["policy", "explain", "--secret", &f, "a.io/bb@sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9"]).assert().code(0)
            .stdout(predicate::str::contains("error: failed to parse certificate 'st': x509: malformed tbs certificate (from key 'key.pem')"));
    }

    /// Every policy case, wrapped in a Secret as Flux reads it, through `policy check` (and
    /// `policy explain` for the cases decided by statement selection), in both modes.
    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn policy_check_on_every_policy_case() {
        let dir = tempfile::tempdir().unwrap();
        let cert =
            std::fs::read(super::vectors().join("notation-core-go/x509/testdata/pem.crt")).unwrap();
        let mut runs = 0;
        for case in super::cases() {
            let layout_policy = case["kind"] == "oci-layout-verify"
                && case["expected"]["failing_validation"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f == "trustPolicy");
            if case["kind"] != "policy-validate" && !layout_policy {
                continue;
            }
            let id = case["id"].as_str().unwrap();
            let policy =
                std::fs::read(super::vectors().join(case["trust_policy"].as_str().unwrap()))
                    .unwrap();
            let secret = secret_with(
                dir.path(),
                &format!("{id}.yaml"),
                &format!(
                    "  trustpolicy.json: {}\n  ca.crt: {}\n",
                    b64(&policy),
                    b64(&cert)
                ),
            );
            for mode in ["flux", "notation"] {
                let observed = super::observed_error(&case, mode);
                let selection = observed.is_some_and(|e| e.starts_with("artifact "));
                let check = bin()
                    .args(["policy", "check", "--mode", mode, "--secret", &secret])
                    .assert();
                match observed {
                    Some(want) if !selection => {
                        check.code(1).stderr(format!("Error: {want}\n"));
                    }
                    _ => {
                        check.code(0);
                    }
                }
                if let (true, Some(want)) = (selection, observed) {
                    let reference = case["verify"]["reference"].as_str().unwrap();
                    bin()
                        .args([
                            "policy", "explain", "--mode", mode, "--secret", &secret, reference,
                        ])
                        .assert()
                        .code(1)
                        .stderr(predicate::str::ends_with(format!("Error: {want}\n")));
                }
                runs += 1;
            }
        }
        assert!(runs >= 40, "{runs}");
    }

    /// The committed man pages (`man/`) are what the binary generates, page for page, and
    /// `fluxverify man` prints the first. Refresh them with `cargo run -q -- man --dir man`.
    #[test]
    fn man_pages_are_current() {
        let committed_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
        let fresh = tempfile::tempdir().unwrap();
        bin()
            .args(["man", "--dir"])
            .arg(fresh.path())
            .assert()
            .code(0);
        let names = |dir: &Path| {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let generated = names(fresh.path());
        assert_eq!(
            names(&committed_dir),
            generated,
            "man/ has other pages than the binary generates; regenerate it (see this test's doc comment)"
        );
        assert!(generated.contains(&"fluxverify-verify.1".to_string()));
        for name in &generated {
            let want = std::fs::read(fresh.path().join(name)).unwrap();
            let text = String::from_utf8_lossy(&want);
            for section in [".SH \"EXIT STATUS\"\n.TP\n\\fB0\\fR", ".SH EXAMPLES\n.PP\n"] {
                assert!(text.contains(section), "man/{name} has no {section:?}");
            }
            let committed = std::fs::read(committed_dir.join(name)).unwrap();
            assert!(
                want == committed,
                "man/{name} is stale; regenerate it (see this test's doc comment)"
            );
        }
        let page = bin()
            .arg("man")
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        assert_eq!(
            page,
            std::fs::read(committed_dir.join("fluxverify.1")).unwrap()
        );
        let page = String::from_utf8(page).unwrap();
        assert!(
            page.starts_with(".ie") && page.contains(".TH fluxverify 1"),
            "{page}"
        );
        // The Flux release mapping is in the verify page, as in `verify --help`.
        let verify = std::fs::read_to_string(committed_dir.join("fluxverify-verify.1")).unwrap();
        assert!(
            verify.contains("Flux 2.8 = source\\-controller 1.8"),
            "verify page"
        );
    }

    /// `--flux-version` takes source-controller and Flux releases, and refuses others before
    /// anything is read.
    #[test]
    fn flux_version_takes_controller_and_flux_releases() {
        let help = bin()
            .args(["verify", "--help"])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        let help = String::from_utf8(help).unwrap();
        assert!(help.contains("Flux 2.9 = source-controller 1.9"), "{help}");
        for bad in ["2.10", "1.2", "latest"] {
            bin()
                .args(["verify", "--flux-version", bad, "registry.example/app:v1"])
                .assert()
                .code(2)
                .stderr(predicate::str::contains(format!(
                    "invalid value '{bad}' for '--flux-version"
                )));
        }
        // A Flux release gives the behaviour of the source-controller it ships: Flux 2.3 is
        // source-controller 1.3, whose notation-go has no tsa stores.
        let dir = tempfile::tempdir().unwrap();
        let policy = dir.path().join("trustpolicy.json");
        std::fs::write(&policy, r#"{"version":"1.0","trustPolicies":[{"name":"t","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:a","tsa:b"],"trustedIdentities":["*"]}]}"#).unwrap();
        let cert = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/vectors/corpus/cases/m-rsa2048-c2-jws--strict/truststore/x509/ca/corpus/root-rsa2048.crt");
        let layout = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example/layout");
        for (version, code) in [("2.3", 1), ("1.3.1", 1), ("2.4.0", 0), ("1.4", 0)] {
            let out = bin()
                .args(["verify", "--flux-version", version, "--oci-layout"])
                .arg(&layout)
                .args(["--scope", "registry.example/app", "--trust-policy"])
                .arg(&policy)
                .arg("--certs")
                .arg(&cert)
                .args(["-o", "json", "v1"])
                .output()
                .unwrap();
            let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let error = json["error"].as_str().unwrap_or_default();
            assert_eq!(
                error.contains("unsupported trust store type \"tsa\""),
                code == 1,
                "{version}: {json}"
            );
        }
    }

    /// The committed completion scripts are what the binary generates. Refresh them with
    /// `for s in bash zsh fish powershell elvish; do cargo run -q -- completions $s > completions/fluxverify.$s; done`.
    #[test]
    fn completions_are_current() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
        for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
            let out = bin()
                .args(["completions", shell])
                .assert()
                .code(0)
                .get_output()
                .stdout
                .clone();
            let committed = std::fs::read(dir.join(format!("fluxverify.{shell}")))
                .unwrap_or_else(|e| panic!("completions/fluxverify.{shell}: {e}"));
            assert!(
                out == committed,
                "completions/fluxverify.{shell} is stale; regenerate it (see this test's doc comment)"
            );
        }
    }
}
