//! notation mode through a registry words trust store errors as the notation CLI does
//! (`checkVerificationFailure`: the store error itself, not the generic line), and exactly as the
//! same artifact read from its OCI layout: one code path for both sources.

use super::distribution::{self, Distribution, Layout, Pusher};
use super::{fluxverify, vectors};
use serde_json::json;
use std::path::{Path, PathBuf};

const CASE: &str = "m-rsa2048-c2-jws";

fn case_dir() -> PathBuf {
    vectors().join(format!("corpus/cases/{CASE}--strict"))
}

fn root_cert() -> String {
    case_dir()
        .join("truststore/x509/ca/corpus/root-rsa2048.crt")
        .display()
        .to_string()
}

/// A certificate that is neither a CA nor self-signed (notation-go's own test data).
fn leaf_cert() -> String {
    super::upstream::upstream(
        "notation-go/verifier/testdata/truststore/x509/ca/trust-store-with-leaf-certs/non-ca.crt",
    )
    .display()
    .to_string()
}

fn write_policy(dir: &Path, stores: &[&str]) -> String {
    let path = dir.join(format!(
        "trustpolicy-{}.json",
        stores.join("-").replace(':', "_")
    ));
    let doc = json!({"version": "1.0", "trustPolicies": [{
        "name": "corpus", "registryScopes": ["*"],
        "signatureVerification": {"level": "strict"},
        "trustStores": stores, "trustedIdentities": ["*"],
    }]});
    std::fs::write(&path, doc.to_string()).unwrap();
    path.display().to_string()
}

/// notation's last stderr line for `verify --mode notation` with `source` arguments.
async fn notation_error_line(source: &[String], policy: &str, certs: &str) -> (i32, String) {
    let mut args: Vec<String> = vec!["verify".into(), "--mode".into(), "notation".into()];
    args.extend(source.iter().cloned());
    args.extend([
        "--trust-policy".into(),
        policy.into(),
        "--certs".into(),
        certs.into(),
    ]);
    let (code, stdout, stderr) = fluxverify(args).await;
    let line = stderr
        .lines()
        .rfind(|l| l.starts_with("Error: "))
        .unwrap_or_else(|| panic!("no Error line: {stdout}\n{stderr}"))
        .to_string();
    (code, line)
}

#[tokio::test]
#[cfg_attr(
    any(feature = "skip-registry-tests", not(feature = "upstream-vectors")),
    ignore = "needs docker-registry: left out by FLUXVERIFY_SKIP_REGISTRY_TESTS=1; and ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
async fn notation_mode_words_trust_store_errors_as_notation_through_registry_and_layout() {
    let bin = distribution::binary();
    let reg = Distribution::start(&bin, false);
    let layout_dir = vectors().join("corpus/layouts").join(CASE);
    let layout = Layout::open(&layout_dir);
    let repo = format!("corpus/{CASE}");
    layout
        .push(&Pusher::new(&reg.addr, None), &repo, "v1")
        .await;
    let digest = layout.tagged("v1")["digest"].as_str().unwrap().to_owned();
    let registry_source = vec![
        "--plain-http".to_string(),
        format!("{}/{repo}@{digest}", reg.addr),
    ];
    let layout_source = vec![
        "--oci-layout".to_string(),
        layout_dir.display().to_string(),
        format!("{}/{repo}@{digest}", reg.addr),
    ];
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            write_policy(dir.path(), &["ca:missing"]),
            format!("ca:corpus={}", root_cert()),
            "Error: the trust store \"missing\" of type \"ca\" does not exist. Use command 'notation cert add' to create and add trusted certificates to the trust store".to_string(),
        ),
        (
            write_policy(dir.path(), &["ca:corpus"]),
            format!("ca:corpus={}", leaf_cert()),
            "Error: failed to validate the trusted certificate non-ca.crt in trust store corpus of type ca. certificate with subject \"CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US\" is not a CA certificate or self-signed signing certificate".to_string(),
        ),
    ];
    for (policy, certs, want) in &cases {
        let (code, through_registry) = notation_error_line(&registry_source, policy, certs).await;
        assert_eq!(code, 1, "{through_registry}");
        assert_eq!(&through_registry, want);
        let (code, from_layout) = notation_error_line(&layout_source, policy, certs).await;
        assert_eq!(code, 1);
        assert_eq!(from_layout, through_registry);
    }
    // The same set-up with the right store verifies: the errors above are the stores'.
    let policy = write_policy(dir.path(), &["ca:corpus"]);
    let mut args: Vec<String> = vec!["verify".into(), "--mode".into(), "notation".into()];
    args.extend(registry_source.iter().cloned());
    args.extend([
        "--trust-policy".into(),
        policy,
        "--certs".into(),
        format!("ca:corpus={}", root_cert()),
    ]);
    let (code, stdout, stderr) = fluxverify(args).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
}
