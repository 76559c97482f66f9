//! The upstream timestamp vectors (`authentic-timestamp`, `authentic-timestamp-splice` and
//! `timestamping-chain` cases of the upstream vectors' cases.json), each expected to end with
//! the text notation-go v1.3.2 recorded in `observed`.

use super::*;
use crate::pki::revocation::http::{Request, Response, TransportError};
use crate::pki::revocation::{RevocationConfig, RevocationStatus, Transport};
use base64::Engine as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const TS: &str = "notation-go/verifier/testdata/timestamp/";
const CA_STORE: &str = "notation-go/verifier/testdata/truststore/x509/ca/valid-trust-store/";
const TSA_ROOT: &str =
    "notation-go/verifier/testdata/truststore/x509/tsa/test-timestamp/globalsignRoot.cer";
const TSA_MISMATCH: &str =
    "notation-go/verifier/testdata/truststore/x509/tsa/test-mismatch/DigiCertTSARootSHA384.cer";
const GLOBALSIGN_TSA_UNKNOWN: &str = "timestamping certificate with subject \"CN=Globalsign TSA for Advanced - G4 - 202311,O=GlobalSign nv-sa,C=BE\" revocation status is unknown";

fn read(path: &str) -> Vec<u8> {
    std::fs::read(crate::testdata::upstream(path)).unwrap()
}

fn certs(path: &str) -> Vec<Certificate> {
    let bytes = read(path);
    if bytes.starts_with(b"-----BEGIN") {
        x509_cert::Certificate::load_pem_chain(&bytes)
            .unwrap()
            .iter()
            .map(|c| Certificate::from_der(&c.to_der().unwrap()).unwrap())
            .collect()
    } else {
        vec![Certificate::from_der(&bytes).unwrap()]
    }
}

/// A transport for "no network": every request fails as an unresolvable host does.
#[derive(Default)]
struct Offline {
    requests: AtomicUsize,
}

impl Transport for Offline {
    fn send(&self, request: &Request<'_>) -> Result<Response, TransportError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        Err(TransportError::Failed {
            method: request.method.as_str(),
            url: request.url.to_string(),
            reason: "dial tcp: lookup: no such host".to_string(),
        })
    }
}

fn offline() -> (Validator, Arc<Offline>) {
    let transport = Arc::new(Offline::default());
    (
        Validator::with_transport(RevocationConfig::default(), transport.clone()),
        transport,
    )
}

/// What an envelope gives the timestamp step.
struct Envelope {
    token: Option<Vec<u8>>,
    signature: Vec<u8>,
    chain: Vec<Certificate>,
}

fn jws(bytes: &[u8]) -> Envelope {
    let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    let std = base64::engine::general_purpose::STANDARD;
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = &v["header"];
    Envelope {
        token: header["io.cncf.notary.timestampSignature"]
            .as_str()
            .map(|t| std.decode(t).unwrap()),
        signature: url.decode(v["signature"].as_str().unwrap()).unwrap(),
        chain: header["x5c"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| Certificate::from_der(&std.decode(c.as_str().unwrap()).unwrap()).unwrap())
            .collect(),
    }
}

fn cose(bytes: &[u8]) -> Envelope {
    use coset::{CborSerializable, Label, TaggedCborSerializable};
    let sign1 = coset::CoseSign1::from_tagged_slice(bytes)
        .or_else(|_| coset::CoseSign1::from_slice(bytes))
        .unwrap();
    let mut token = None;
    let mut chain = Vec::new();
    for (label, value) in &sign1.unprotected.rest {
        match label {
            Label::Text(t) if t == "io.cncf.notary.timestampSignature" => {
                token = value.as_bytes().cloned();
            }
            Label::Int(33) => {
                for c in value.as_array().unwrap() {
                    chain.push(Certificate::from_der(c.as_bytes().unwrap()).unwrap());
                }
            }
            _ => {}
        }
    }
    Envelope {
        token,
        signature: sign1.signature.clone(),
        chain,
    }
}

fn run(env: &Envelope, roots: Vec<Certificate>) -> Result<VerifiedTimestamp, TimestampError> {
    let (validator, _) = offline();
    verify_timestamp(
        &TimestampInput {
            token: env.token.as_deref(),
            signature: &env.signature,
            signing_chain: &env.chain,
        },
        || Ok(roots),
        &validator,
    )
}

fn with_token(mut env: Envelope, token: &str) -> Envelope {
    env.token = Some(read(token));
    env
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn jws_with_globalsign_token_fails_offline_only_on_tsa_revocation() {
    let env = jws(&read(&format!("{TS}sigEnv/jwsWithTimestamp.sig")));
    let (validator, transport) = offline();
    let err = verify_timestamp(
        &TimestampInput {
            token: env.token.as_deref(),
            signature: &env.signature,
            signing_chain: &env.chain,
        },
        || Ok(certs(TSA_ROOT)),
        &validator,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), GLOBALSIGN_TSA_UNKNOWN);
    // Every step before revocation passed: the TSA chain was built and every non-root
    // certificate was looked up (OCSP, then CRL) and came back unknown.
    let TimestampError::Revocation { details, .. } = err else {
        panic!("not a revocation failure");
    };
    assert_eq!(details.certificates.len(), 3);
    assert_eq!(
        details.certificates[0].subject,
        "CN=Globalsign TSA for Advanced - G4 - 202311,O=GlobalSign nv-sa,C=BE"
    );
    assert_eq!(details.certificates[0].status, RevocationStatus::Unknown);
    assert_eq!(
        details.certificates[2].status,
        RevocationStatus::NonRevokable
    );
    assert!(transport.requests.load(Ordering::SeqCst) >= 2);
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn cose_with_globalsign_token_fails_offline_only_on_tsa_revocation() {
    let env = cose(&read(&format!("{TS}sigEnv/coseWithTimestamp.sig")));
    let err = run(&env, certs(TSA_ROOT)).unwrap_err();
    assert_eq!(err.to_string(), GLOBALSIGN_TSA_UNKNOWN);
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn globalsign_token_verifies_up_to_revocation() {
    // GlobalSign's OCSP responses cannot be produced offline, so the steps before revocation
    // are checked one by one: the token verifies and the TSA chain is GlobalSign's.
    let env = jws(&read(&format!("{TS}sigEnv/jwsWithTimestamp.sig")));
    let der = token::normalise(env.token.as_deref().unwrap()).unwrap();
    let signed = token::parse_signed_token(&der).unwrap();
    let info = token::parse_tst_info(signed.content).unwrap();
    let (gen_time, accuracy) = info.validate(&env.signature).unwrap();
    assert_eq!(gen_time.to_rfc3339(), "2024-06-18T06:29:37+00:00");
    assert_eq!(accuracy, Duration::seconds(1));
    let chain = verify_signed_token(&signed, &certs(TSA_ROOT), gen_time).unwrap();
    let subjects: Vec<String> = chain.iter().map(Certificate::subject).collect();
    assert_eq!(
        subjects,
        [
            "CN=Globalsign TSA for Advanced - G4 - 202311,O=GlobalSign nv-sa,C=BE",
            "CN=GlobalSign Timestamping CA - SHA384 - G4,O=GlobalSign nv-sa,C=BE",
            "CN=GlobalSign,OU=GlobalSign Root CA - R6,O=GlobalSign",
        ]
    );
    validate_timestamping_chain(&chain).unwrap();
    // The same token is not valid for other bytes.
    assert_eq!(
        info.validate(b"other").unwrap_err(),
        "invalid TSTInfo: mismatched message"
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn missing_countersignature() {
    let env = jws(&read(&format!("{TS}sigEnv/withoutTimestamp.sig")));
    assert!(env.token.is_none());
    assert_eq!(
        run(&env, certs(TSA_ROOT)).unwrap_err().to_string(),
        "no timestamp countersignature was found in the signature envelope"
    );
    let empty = Envelope {
        token: Some(Vec::new()),
        ..env
    };
    assert_eq!(
        run(&empty, certs(TSA_ROOT)).unwrap_err(),
        TimestampError::Missing
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn spliced_token_with_wrong_content_type() {
    let env = with_token(
        jws(&read(&format!("{TS}sigEnv/withoutTimestamp.sig"))),
        &format!("{TS}countersignature/TimeStampTokenWithInvalideContentType.p7s"),
    );
    assert_eq!(
        run(&env, certs(TSA_ROOT)).unwrap_err().to_string(),
        "failed to parse timestamp countersignature with error: unexpected content type: 1.2.840.113549.1.7.1. Expected to be id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4)"
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn spliced_token_with_bad_tst_info() {
    let env = with_token(
        jws(&read(&format!("{TS}sigEnv/withoutTimestamp.sig"))),
        &format!("{TS}countersignature/TimeStampTokenWithInvalidTSTInfo.p7s"),
    );
    let err = run(&env, certs(TSA_ROOT)).unwrap_err().to_string();
    // The tail is Go encoding/asn1's own wording; the case matches the prefix only.
    assert!(
        err.starts_with(
            "failed to get the timestamp TSTInfo with error: cannot unmarshal TSTInfo from timestamp token: asn1: structure error: tags don't match"
        ),
        "{err}"
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn spliced_token_for_another_message() {
    let env = with_token(
        jws(&read(&format!("{TS}sigEnv/withoutTimestamp.sig"))),
        &format!("{TS}countersignature/TimeStampToken.p7s"),
    );
    assert_eq!(
        run(&env, certs(TSA_ROOT)).unwrap_err().to_string(),
        "failed to get timestamp from timestamp countersignature with error: invalid TSTInfo: mismatched message"
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn untrusted_tsa_root() {
    let env = cose(&read(&format!("{TS}sigEnv/coseWithTimestamp.sig")));
    assert_eq!(
        run(&env, certs(TSA_MISMATCH)).unwrap_err().to_string(),
        "failed to verify the timestamp countersignature with error: failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority"
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn flux_store_without_the_tsa_root() {
    // ts-tsa-store-missing under Flux: every Secret certificate is a TSA root, none of them
    // GlobalSign R6.
    let env = cose(&read(&format!("{TS}sigEnv/coseWithTimestamp.sig")));
    let roots: Vec<Certificate> = [
        "GlobalSign.der",
        "GlobalSignRootCA.crt",
        "NotationTestRoot.pem",
        "TestTimestamp.crt",
        "TestTimestampNotYetValid.crt",
        "wabbit-networks.io.crt",
    ]
    .iter()
    .flat_map(|f| certs(&format!("{CA_STORE}{f}")).into_iter().take(1))
    .collect();
    assert_eq!(
        run(&env, roots).unwrap_err().to_string(),
        "failed to verify the timestamp countersignature with error: failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority"
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn tsa_store_load_errors_and_empty_store() {
    let env = cose(&read(&format!("{TS}sigEnv/coseWithTimestamp.sig")));
    let (validator, transport) = offline();
    let input = TimestampInput {
        token: env.token.as_deref(),
        signature: &env.signature,
        signing_chain: &env.chain,
    };
    let err = verify_timestamp(
        &input,
        || Err("the trust store \"does-not-exist\" of type \"tsa\" does not exist".to_string()),
        &validator,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to load tsa trust store with error: the trust store \"does-not-exist\" of type \"tsa\" does not exist"
    );
    let err = verify_timestamp(&input, || Ok(Vec::new()), &validator).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no trusted TSA certificate found in trust store"
    );
    assert_eq!(transport.requests.load(Ordering::SeqCst), 0);
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn tsa_roots_are_loaded_only_after_the_token_matches() {
    // Upstream reads and validates the TSTInfo before loading the TSA store.
    let env = with_token(
        jws(&read(&format!("{TS}sigEnv/withoutTimestamp.sig"))),
        &format!("{TS}countersignature/TimeStampToken.p7s"),
    );
    let (validator, _) = offline();
    let err = verify_timestamp(
        &TimestampInput {
            token: env.token.as_deref(),
            signature: &env.signature,
            signing_chain: &env.chain,
        },
        || panic!("the store must not be loaded"),
        &validator,
    )
    .unwrap_err();
    assert!(matches!(err, TimestampError::Validate(_)));
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn timestamp_before_signing_certificate() {
    let env = jws(&read(&format!("{TS}sigEnv/timestampBeforeNotBefore.sig")));
    let (validator, transport) = offline();
    let err = verify_timestamp(
        &TimestampInput {
            token: env.token.as_deref(),
            signature: &env.signature,
            signing_chain: &env.chain,
        },
        || Ok(certs(TSA_ROOT)),
        &validator,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "timestamp can be before certificate \"CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US\" validity period, it will be valid from \"Fri, 18 Sep 2099 11:54:34 +0000\""
    );
    // The signing-chain check comes before TSA revocation: no request was made.
    assert_eq!(transport.requests.load(Ordering::SeqCst), 0);
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn timestamp_after_signing_certificate() {
    // The GlobalSign token (genTime 2024-06-18) against a signing chain that expired in 2023.
    let env = jws(&read(&format!("{TS}sigEnv/jwsWithTimestamp.sig")));
    let expired = jws(&read(
        "notation-go/internal/mock/testdata/sig_env_with_metadata.json",
    ))
    .chain;
    let env = Envelope {
        chain: expired,
        ..env
    };
    assert_eq!(
        run(&env, certs(TSA_ROOT)).unwrap_err().to_string(),
        "timestamp can be after certificate \"CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US\" validity period, it was expired at \"Thu, 12 Jan 2023 00:52:12 +0000\""
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn junk_token_fails_in_the_ber_converter() {
    // e2e-with-invalid-timestamped-signature: the token is the 8 bytes "invalid\n".
    let layout = "notation/test/e2e/testdata/registry/oci_layout/e2e-with-invalid-timestamped-signature/blobs/sha256/";
    let env = jws(&read(&format!(
        "{layout}8d2e70ffc2af68b7f2df6f30dfefcb7bcda1db5f9ac2566fc8c6c2248c8d4c5f"
    )));
    assert_eq!(env.token.as_deref(), Some(&b"invalid\n"[..]));
    assert_eq!(
        run(&env, certs(TSA_ROOT)).unwrap_err().to_string(),
        "failed to parse timestamp countersignature with error: cms: syntax error: invalid signed data: failed to convert from BER to DER: asn1: syntax error: decoding BER length octets: short form length octets value should be less or equal to the subsequent octets length"
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn microsoft_token_with_fractional_gen_time_reads() {
    let layout =
        "notation/test/e2e/testdata/registry/oci_layout/e2e-with-timestamped-signature/blobs/sha256/";
    let env = jws(&read(&format!(
        "{layout}603ff134e97a79cd7a15560b76137c2c4a10451daab11327a7c6f86dac250fee"
    )));
    let summary = read_token(env.token.as_deref().unwrap()).unwrap();
    assert_eq!(
        summary.info.gen_time.to_rfc3339(),
        "2025-01-21T09:17:46.641+00:00"
    );
    assert_eq!(summary.info.accuracy, (0, 500, 0));
    let (_, accuracy) = summary.info.validate(&env.signature).unwrap();
    assert_eq!(accuracy, Duration::milliseconds(500));
    assert!(!summary.certificates.is_empty());
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn every_truncation_of_a_real_token_is_an_error_not_a_panic() {
    let env = jws(&read(&format!("{TS}sigEnv/jwsWithTimestamp.sig")));
    let token = env.token.clone().unwrap();
    for cut in (0..token.len()).step_by(7) {
        let cut_env = Envelope {
            token: Some(token[..cut].to_vec()),
            signature: env.signature.clone(),
            chain: env.chain.clone(),
        };
        assert!(run(&cut_env, certs(TSA_ROOT)).is_err());
    }
    // Flipping a byte of the signed attributes breaks the CMS signature.
    let attrs_at = token
        .windows(11)
        .position(|w| {
            w == [
                0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04,
            ]
        })
        .unwrap();
    let mut tampered = token.clone();
    tampered[attrs_at + 20] ^= 0x01;
    let tampered_env = Envelope {
        token: Some(tampered),
        ..env
    };
    let err = run(&tampered_env, certs(TSA_ROOT)).unwrap_err().to_string();
    assert_eq!(
        err,
        "failed to verify the timestamp countersignature with error: failed to verify signed token: cms verification failure: crypto/rsa: verification error"
    );
}

fn chain_of(files: &[&str]) -> Vec<Certificate> {
    files
        .iter()
        .flat_map(|f| certs(&format!("notation-core-go/x509/testdata/{f}")))
        .collect()
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn timestamping_chain_vectors() {
    assert!(validate_timestamping_chain(&chain_of(&[
        "timestamp_leaf.crt",
        "timestamp_intermediate.crt",
        "timestamp_root.crt"
    ]))
    .is_ok());
    let wrap = |chain: &[&str]| {
        TimestampError::TsaChain(
            validate_timestamping_chain(&chain_of(chain))
                .unwrap_err()
                .to_string(),
        )
        .to_string()
    };
    assert_eq!(
        wrap(&["timestamp_leaf.crt"]),
        "failed to validate the timestamping certificate chain with error: invalid self-signed certificate. subject: \"CN=DigiCert Timestamp 2023,O=DigiCert\\\\, Inc.,C=US\". Error: crypto/rsa: verification error"
    );
    assert_eq!(
        wrap(&["timestamp_leaf.crt", "timestamp_intermediate.crt"]),
        "failed to validate the timestamping certificate chain with error: root certificate with subject \"CN=DigiCert Trusted G4 RSA4096 SHA256 TimeStamping CA,O=DigiCert\\\\, Inc.,C=US\" is invalid or not self-signed. Certificate chain must end with a valid self-signed root certificate. Error: crypto/rsa: verification error"
    );
    assert_eq!(
        wrap(&["timestamp_root.crt", "timestamp_root.crt"]),
        "failed to validate the timestamping certificate chain with error: leaf certificate with subject \"CN=DigiCert Trusted Root G4,OU=www.digicert.com,O=DigiCert Inc,C=US\" is self-signed. Certificate chain must not contain self-signed leaf certificate"
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn path_building_prefers_roots_and_checks_time_and_usage() {
    let env = jws(&read(&format!("{TS}sigEnv/jwsWithTimestamp.sig")));
    let der = token::normalise(env.token.as_deref().unwrap()).unwrap();
    let signed = token::parse_signed_token(&der).unwrap();
    let leaf = &signed.certificates[0];
    let roots = certs(TSA_ROOT);
    let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    let chains = path::verify(
        leaf,
        &signed.certificates,
        &roots,
        at("2024-06-18T06:29:37Z"),
    )
    .unwrap();
    assert_eq!(chains[0].len(), 3);
    assert_eq!(
        chains[0][2].der(),
        roots[0].der(),
        "the trusted root ends the chain"
    );
    let err = path::verify(
        leaf,
        &signed.certificates,
        &roots,
        at("2040-01-01T00:00:00Z"),
    )
    .unwrap_err();
    assert!(
        err.starts_with("x509: certificate has expired or is not yet valid: current time 2040-01-01T00:00:00Z is after"),
        "{err}"
    );
    // A root with the right name and another key: Go names the candidate that failed.
    let mut impostor = roots[0].der().to_vec();
    let spki = roots[0].raw_public_key();
    let at_key = impostor
        .windows(spki.len())
        .position(|w| w == spki)
        .unwrap();
    impostor[at_key + spki.len() - 20] ^= 0xff;
    let impostor = Certificate::from_der(&impostor).unwrap();
    assert_eq!(impostor.subject(), roots[0].subject());
    let err = path::verify(
        leaf,
        &signed.certificates,
        &[impostor],
        at("2024-06-18T06:29:37Z"),
    )
    .unwrap_err();
    assert_eq!(
        err,
        "x509: certificate signed by unknown authority (possibly because of \"crypto/rsa: verification error\" while trying to verify candidate authority certificate \"GlobalSign\")"
    );
    // The leaf alone as a root is trusted directly.
    let direct = path::verify(
        leaf,
        &[],
        std::slice::from_ref(leaf),
        at("2024-06-18T06:29:37Z"),
    )
    .unwrap();
    assert_eq!(direct[0].len(), 1);
}

#[test]
fn rfc1123z_matches_go() {
    let t = DateTime::parse_from_rfc3339("2099-09-18T11:54:34Z")
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(rfc1123z(t), "Fri, 18 Sep 2099 11:54:34 +0000");
}

#[test]
fn signed_attributes_are_sorted_as_a_set() {
    // Two attributes out of DER order: the longer one first.
    let a = [0x30, 0x03, 0x06, 0x01, 0x2a];
    let b = [0x30, 0x02, 0x05, 0x00];
    let raw = [&a[..], &b[..]].concat();
    let der = signed_attributes_der(&raw);
    assert_eq!(der, [&[0x31, 0x09][..], &b[..], &a[..]].concat());
}

#[test]
fn cms_algorithms_follow_go_mapping() {
    let rsa = cms_signature_algorithm(&ID_SHA384, &ID_RSA_ENCRYPTION).unwrap();
    assert_eq!(rsa.oid, ID_SHA384_WITH_RSA);
    let ec = cms_signature_algorithm(&ID_SHA512, &ID_ECDSA_WITH_SHA256).unwrap();
    assert_eq!(
        ec.oid, ID_ECDSA_WITH_SHA256,
        "the signature OID names the hash"
    );
    let pss = cms_signature_algorithm(&ID_SHA256, &ID_RSASSA_PSS).unwrap();
    assert!(pss.parameters.is_some());
    assert!(cms_signature_algorithm(&ID_SHA256, &ID_CONTENT_TYPE).is_none());
    let sha1 = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
    assert!(cms_signature_algorithm(&sha1, &ID_RSA_ENCRYPTION).is_none());
}

/// A certificate for `key` named `subject`, issued by `issuer` with `issuer_key` (fixture key
/// names: `p256-*` or `p384-*`), valid for an hour around now. CAs get basicConstraints;
/// leaves get the timeStamping EKU.
fn issue(subject: &str, key: &str, issuer: &str, issuer_key: &str, ca: bool) -> Certificate {
    use der::asn1::{BitString, OctetString};
    use der::Encode;
    use p256::pkcs8::{DecodePrivateKey, EncodePublicKey};
    use std::str::FromStr;
    use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage};
    use x509_cert::ext::Extension;
    use x509_cert::name::Name;
    use x509_cert::serial_number::SerialNumber;
    use x509_cert::time::Validity;
    let pem = |name: &str| {
        std::fs::read_to_string(format!(
            "{}/fixtures/keys/{name}.pem",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let spki_der = if key.starts_with("p256") {
        p256::SecretKey::from_pkcs8_pem(&pem(key))
            .unwrap()
            .public_key()
            .to_public_key_der()
    } else {
        p384::SecretKey::from_pkcs8_pem(&pem(key))
            .unwrap()
            .public_key()
            .to_public_key_der()
    }
    .unwrap();
    let (oid, hash_len) = if issuer_key.starts_with("p256") {
        ("1.2.840.10045.4.3.2", 32)
    } else {
        ("1.2.840.10045.4.3.3", 48)
    };
    let signature_algorithm = spki::AlgorithmIdentifierOwned {
        oid: ObjectIdentifier::new_unwrap(oid),
        parameters: None,
    };
    let extension = |oid: &str, value: Vec<u8>| Extension {
        extn_id: ObjectIdentifier::new_unwrap(oid),
        critical: false,
        extn_value: OctetString::new(value).unwrap(),
    };
    let extensions = if ca {
        let bc = BasicConstraints {
            ca: true,
            path_len_constraint: None,
        };
        vec![extension("2.5.29.19", bc.to_der().unwrap())]
    } else {
        let eku = ExtendedKeyUsage(vec![ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8")]);
        vec![extension("2.5.29.37", eku.to_der().unwrap())]
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let validity = Validity {
        not_before: x509_cert::time::Time::try_from(
            std::time::UNIX_EPOCH + now - std::time::Duration::from_secs(3600),
        )
        .unwrap(),
        not_after: x509_cert::time::Time::try_from(
            std::time::UNIX_EPOCH + now + std::time::Duration::from_secs(3600),
        )
        .unwrap(),
    };
    let tbs = x509_cert::TbsCertificate {
        version: x509_cert::Version::V3,
        serial_number: SerialNumber::new(&[1]).unwrap(),
        signature: signature_algorithm.clone(),
        issuer: Name::from_str(issuer).unwrap(),
        validity,
        subject: Name::from_str(subject).unwrap(),
        subject_public_key_info: spki::SubjectPublicKeyInfoOwned::from_der(spki_der.as_bytes())
            .unwrap(),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    let tbs_der = tbs.to_der().unwrap();
    let digest = if hash_len == 32 {
        HashAlgorithm::Sha256.digest(&tbs_der)
    } else {
        HashAlgorithm::Sha384.digest(&tbs_der)
    };
    use ecdsa::signature::hazmat::PrehashSigner;
    let signature = if issuer_key.starts_with("p256") {
        let sk = p256::ecdsa::SigningKey::from_pkcs8_pem(&pem(issuer_key)).unwrap();
        let sig: p256::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
        sig.to_der().as_bytes().to_vec()
    } else {
        let sk = p384::ecdsa::SigningKey::from_pkcs8_pem(&pem(issuer_key)).unwrap();
        let sig: p384::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
        sig.to_der().as_bytes().to_vec()
    };
    let cert = x509_cert::Certificate {
        tbs_certificate: tbs,
        signature_algorithm,
        signature: BitString::from_bytes(&signature).unwrap(),
    };
    Certificate::from_der(&cert.to_der().unwrap()).unwrap()
}

#[test]
fn path_building_skips_only_what_is_already_in_the_chain() {
    // A re-keyed CA: the leaf's issuer is "CN=CA" under a new key, certified by "CN=CA" under the
    // old key, which the root certified. Both CA certificates share a name, so the path only
    // exists if "already in the chain" compares keys as Go's alreadyInChain does.
    let root = issue("CN=Root", "p256-root", "CN=Root", "p256-root", true);
    let old_ca = issue("CN=CA", "p256-inter", "CN=Root", "p256-root", true);
    let new_ca = issue("CN=CA", "p384-inter", "CN=CA", "p256-inter", true);
    let leaf = issue("CN=TSA", "p256-leaf", "CN=CA", "p384-inter", false);
    let chains = path::verify(
        &leaf,
        &[old_ca.clone(), new_ca.clone()],
        std::slice::from_ref(&root),
        Utc::now(),
    )
    .unwrap();
    let subjects: Vec<Vec<u8>> = chains[0].iter().map(|c| c.der().to_vec()).collect();
    assert_eq!(
        subjects,
        [leaf.der(), new_ca.der(), old_ca.der(), root.der()].map(<[u8]>::to_vec)
    );
}
