//! Envelope, algorithm and chain tests on the project's own test PKI (tests/support) and on the
//! upstream vectors' integrity-relevant parts.

mod support;

use fluxverify::pki::cert::Certificate;
use fluxverify::pki::chain::{validate_code_signing_chain, validate_timestamping_chain};
use support::pki::{self, eku, ku, CertSpec, KeyKind, PrivateKey, TestCert};

/// Adjusts the spec of chain position i (0 = leaf).
type Edit = Box<dyn Fn(usize, &mut CertSpec)>;

fn certs(chain: &[TestCert]) -> Vec<Certificate> {
    chain
        .iter()
        .map(|c| Certificate::from_der(&c.der).unwrap())
        .collect()
}

fn chain_err(chain: &[TestCert]) -> String {
    validate_code_signing_chain(&certs(chain))
        .map(|()| "ok".to_string())
        .unwrap_or_else(|e| e.to_string())
}

const LEAF: &str = "\"CN=fluxverify test leaf,O=Notary,L=Seattle,ST=WA,C=US\"";
const INTER: &str = "\"CN=fluxverify test intermediate,O=Notary,ST=WA,C=US\"";
const ROOT: &str = "\"CN=fluxverify test root,O=Notary,ST=WA,C=US\"";

#[test]
fn valid_chains_of_one_to_three_for_every_key_kind() {
    for kind in KeyKind::ALL {
        for len in 1..=3 {
            let chain = pki::chain(kind, len);
            assert_eq!(chain_err(&chain), "ok", "{kind:?} x {len}");
        }
    }
}

#[test]
fn leaf_rule_violations() {
    let kind = KeyKind::P256;
    let cases: Vec<(Edit, String)> = vec![
        (
            Box::new(|i, s| {
                if i == 0 {
                    s.basic_constraints = Some(pki::BasicConstraintsSpec { ca: true, path_len: None, critical: true });
                }
            }),
            format!("certificate with subject {LEAF}: if the basic constraints extension is present, the ca field must be set to false"),
        ),
        (
            Box::new(|i, s| if i == 0 { s.key_usage = None }),
            format!("certificate with subject {LEAF}: key usage extension must be present"),
        ),
        (
            Box::new(|i, s| if i == 0 { s.key_usage = Some((ku::DIGITAL_SIGNATURE, false)) }),
            format!("certificate with subject {LEAF}: key usage extension must be marked critical"),
        ),
        (
            Box::new(|i, s| if i == 0 { s.key_usage = Some((ku::NON_REPUDIATION, true)) }),
            format!("the certificate with subject {LEAF} is invalid. The key usage must have the bit positions for \"Digital Signature\" set"),
        ),
        (
            Box::new(|i, s| {
                if i == 0 {
                    s.key_usage = Some((
                        ku::DIGITAL_SIGNATURE | ku::KEY_ENCIPHERMENT | ku::DATA_ENCIPHERMENT | ku::KEY_AGREEMENT
                            | ku::KEY_CERT_SIGN | ku::CRL_SIGN | ku::ENCIPHER_ONLY | ku::DECIPHER_ONLY,
                        true,
                    ))
                }
            }),
            format!("the certificate with subject {LEAF} is invalid. The key usage must be \"Digital Signature\" only, but found \"KeyEncipherment\", \"DataEncipherment\", \"KeyAgreement\", \"CertSign\", \"CRLSign\", \"EncipherOnly\", \"DecipherOnly\""),
        ),
        (
            Box::new(|i, s| if i == 0 { s.eku = Some((vec![eku::CODE_SIGNING, eku::SERVER_AUTH], false)) }),
            format!("certificate with subject {LEAF}: extended key usage must not contain ServerAuth eku"),
        ),
        (
            Box::new(|i, s| if i == 0 { s.eku = Some((vec![eku::CLIENT_AUTH], false)) }),
            format!("certificate with subject {LEAF}: extended key usage must not contain ClientAuth eku"),
        ),
        (
            Box::new(|i, s| if i == 0 { s.eku = Some((vec![eku::EMAIL_PROTECTION], false)) }),
            format!("certificate with subject {LEAF}: extended key usage must not contain EmailProtection eku"),
        ),
        (
            Box::new(|i, s| if i == 0 { s.eku = Some((vec![eku::TIME_STAMPING], true)) }),
            format!("certificate with subject {LEAF}: extended key usage must not contain Timestamping eku"),
        ),
        (
            Box::new(|i, s| if i == 0 { s.eku = Some((vec![eku::OCSP_SIGNING], false)) }),
            format!("certificate with subject {LEAF}: extended key usage must not contain OCSPSigning eku"),
        ),
    ];
    for (len, prefix) in [
        (2usize, ""),
        (1, "invalid self-signed certificate. Error: "),
    ] {
        for (edit, want) in &cases {
            let chain = pki::chain_with(kind, len, edit);
            assert_eq!(
                chain_err(&chain),
                format!("{prefix}{want}"),
                "chain of {len}"
            );
        }
    }
}

#[test]
fn leaf_rules_kept_from_notation_not_the_spec() {
    // anyExtendedKeyUsage, unknown EKUs, no EKU, nonRepudiation: all accepted by notation.
    let edits: Vec<Edit> = vec![
        Box::new(|i, s| {
            if i == 0 {
                s.eku = Some((vec![eku::ANY], false))
            }
        }),
        Box::new(|i, s| {
            if i == 0 {
                s.eku = Some((
                    vec![const_oid::ObjectIdentifier::new_unwrap("1.2.3.4")],
                    true,
                ))
            }
        }),
        Box::new(|i, s| {
            if i == 0 {
                s.eku = None
            }
        }),
        Box::new(|i, s| {
            if i == 0 {
                s.key_usage = Some((ku::DIGITAL_SIGNATURE | ku::NON_REPUDIATION, true))
            }
        }),
        // basicConstraints criticality is not checked on CAs.
        Box::new(|i, s| {
            if let Some(bc) = s.basic_constraints.as_mut() {
                let _ = i;
                bc.critical = false;
            }
        }),
        // A leaf with basicConstraints cA=false is fine.
        Box::new(|i, s| {
            if i == 0 {
                s.basic_constraints = Some(pki::BasicConstraintsSpec {
                    ca: false,
                    path_len: None,
                    critical: false,
                });
            }
        }),
    ];
    for edit in &edits {
        assert_eq!(chain_err(&pki::chain_with(KeyKind::P256, 3, edit)), "ok");
    }
}

#[test]
fn leaf_key_rules() {
    for (name, want) in [
        ("rsa1024-leaf", "rsa key size 1024 bits is not supported"),
        ("p224-leaf", "ecdsa key size 224 bits is not supported"),
        ("ed25519-leaf", "unsupported public key type"),
    ] {
        let root = TestCert::issue(
            CertSpec::ca(pki::ROOT_SUBJECT, None),
            PrivateKey::load(KeyKind::P384, "root"),
            None,
        );
        let leaf = TestCert::issue(
            CertSpec::leaf(pki::LEAF_SUBJECT),
            PrivateKey::load_named(name),
            Some(&root),
        );
        assert_eq!(
            chain_err(&[leaf, root]),
            format!("certificate with subject {LEAF}: {want}"),
            "{name}"
        );
    }
}

#[test]
fn ca_rule_violations() {
    let kind = KeyKind::P256;
    let cases: Vec<(Edit, String)> = vec![
        (
            Box::new(|i, s| if i == 1 { s.basic_constraints = Some(pki::BasicConstraintsSpec { ca: false, path_len: None, critical: true }) }),
            // cA=false intermediate: the leaf's link fails first (Go's CheckSignatureFrom).
            format!("invalid certificates or certificate with subject {LEAF} is not issued by {INTER}. Error: x509: invalid signature: parent certificate cannot sign this kind of certificate"),
        ),
        (
            Box::new(|i, s| if i == 1 { s.key_usage = Some((ku::DIGITAL_SIGNATURE, true)) }),
            format!("invalid certificates or certificate with subject {LEAF} is not issued by {INTER}. Error: x509: invalid signature: parent certificate cannot sign this kind of certificate"),
        ),
        (
            Box::new(|i, s| if i == 1 { s.key_usage = None }),
            format!("certificate with subject {INTER}: key usage extension must be present"),
        ),
        (
            // A key usage extension with no bit set: Go's CheckSignatureFrom lets a parent
            // with KeyUsage 0 sign, so only notation's CA rule catches it.
            Box::new(|i, s| if i == 1 { s.key_usage = Some((0, true)) }),
            format!("certificate with subject {INTER}: key usage must have the bit positions for key cert sign set"),
        ),
        (
            Box::new(|i, s| if i == 1 { s.key_usage = Some((ku::KEY_CERT_SIGN, false)) }),
            format!("certificate with subject {INTER}: key usage extension must be marked critical"),
        ),
        (
            Box::new(|i, s| if i == 2 { s.basic_constraints.as_mut().unwrap().path_len = Some(0) }),
            format!("certificate with subject {ROOT}: expected path length of 1 but certificate has path length 0 instead"),
        ),
        (
            Box::new(|i, s| if i == 2 { s.key_usage = None }),
            format!("certificate with subject {ROOT}: key usage extension must be present"),
        ),
        (
            // A v3 root without basicConstraints cannot sign: the link below it fails first.
            Box::new(|i, s| if i == 2 { s.basic_constraints = None }),
            format!("invalid certificates or certificate with subject {INTER} is not issued by {ROOT}. Error: x509: invalid signature: parent certificate cannot sign this kind of certificate"),
        ),
        (
            Box::new(|i, s| if i == 0 { s.issuer_override = Some("CN=someone else,O=Notary,ST=WA,C=US".into()) }),
            format!("certificate with subject {LEAF} is not issued by {INTER}"),
        ),
        (
            Box::new(|i, s| if i == 2 { s.hash = pki::Hash::Sha1 }),
            format!("root certificate with subject {ROOT} is invalid or not self-signed. Certificate chain must end with a valid self-signed root certificate. Error: x509: cannot verify signature: insecure algorithm ECDSA-SHA1"),
        ),
        (
            Box::new(|i, s| if i == 0 { s.hash = pki::Hash::Sha1 }),
            format!("invalid certificates or certificate with subject {LEAF} is not issued by {INTER}. Error: x509: cannot verify signature: insecure algorithm ECDSA-SHA1"),
        ),
    ];
    for (edit, want) in &cases {
        assert_eq!(&chain_err(&pki::chain_with(kind, 3, edit)), want);
    }
    // pathLen 0 on the intermediate, 1 on the root: fine; 0 on the only CA of a 2-chain: fine.
    assert_eq!(
        chain_err(&pki::chain_with(kind, 3, |i, s| if i == 2 {
            s.basic_constraints.as_mut().unwrap().path_len = Some(1)
        })),
        "ok"
    );
    assert_eq!(
        chain_err(&pki::chain_with(kind, 2, |i, s| if i == 1 {
            s.basic_constraints.as_mut().unwrap().path_len = Some(0)
        })),
        "ok"
    );
}

#[test]
fn v1_root_passes_the_link_but_not_the_ca_rules() {
    let chain = pki::chain_with(KeyKind::P256, 2, |i, s| {
        if i == 1 {
            s.v1 = true
        }
    });
    assert_eq!(
        chain_err(&chain),
        format!("certificate with subject {ROOT}: ca field in basic constraints must be present, critical, and set to true")
    );
}

#[test]
fn chain_order_and_self_signed_rules() {
    let kind = KeyKind::Rsa2048;
    let chain = pki::chain(kind, 3);
    // Reversed order.
    let reversed: Vec<TestCert> = chain.iter().rev().cloned().collect();
    assert_eq!(
        chain_err(&reversed),
        format!("leaf certificate with subject {ROOT} is self-signed. Certificate chain must not contain self-signed leaf certificate")
    );
    // Root twice at the end.
    let doubled = vec![
        chain[0].clone(),
        chain[1].clone(),
        chain[2].clone(),
        chain[2].clone(),
    ];
    assert_eq!(
        chain_err(&doubled),
        format!("intermediate certificate with subject {ROOT} is self-signed. Certificate chain must not contain self-signed intermediate certificate")
    );
    // Missing root: the intermediate is the last certificate.
    assert_eq!(
        chain_err(&chain[..2]),
        format!("root certificate with subject {INTER} is invalid or not self-signed. Certificate chain must end with a valid self-signed root certificate. Error: crypto/rsa: verification error")
    );
    // Missing intermediate.
    assert_eq!(
        chain_err(&[chain[0].clone(), chain[2].clone()]),
        format!("invalid certificates or certificate with subject {LEAF} is not issued by {ROOT}. Error: crypto/rsa: verification error")
    );
    // A lone leaf issued by someone else.
    assert_eq!(
        chain_err(&chain[..1]),
        format!("invalid self-signed certificate. subject: {LEAF}. Error: crypto/rsa: verification error")
    );
    // A lone certificate signed by its own key but naming another issuer.
    let odd = TestCert::issue(
        {
            let mut s = CertSpec::leaf(pki::LEAF_SUBJECT);
            s.issuer_override = Some("CN=other,O=Notary,ST=WA,C=US".into());
            s
        },
        PrivateKey::load(kind, "leaf"),
        None,
    );
    assert_eq!(
        chain_err(&[odd]),
        format!("invalid self-signed certificate. subject: {LEAF}. Error: issuer(CN=other,O=Notary,ST=WA,C=US) and subject(CN=fluxverify test leaf,O=Notary,L=Seattle,ST=WA,C=US) are not the same")
    );
    // A lone self-signed certificate may use SHA-1 (Go's CheckSignature allows it).
    let sha1 = pki::chain_with(kind, 1, |_, s| s.hash = pki::Hash::Sha1);
    assert_eq!(chain_err(&sha1), "ok");
}

#[test]
fn huge_chain_is_handled() {
    let chain = pki::chain(KeyKind::P256, 3);
    let mut huge = vec![chain[0].clone(), chain[1].clone()];
    huge.extend(std::iter::repeat_n(chain[1].clone(), 500));
    huge.push(chain[2].clone());
    // The intermediate does not issue itself: a clean error, no panic, no blow-up.
    assert_eq!(
        chain_err(&huge),
        format!("invalid certificates or certificate with subject {INTER} is not issued by {INTER}. Error: x509: ECDSA verification failure")
    );
}

#[test]
fn timestamping_chain_rules() {
    let kind = KeyKind::P384;
    let tsa = |edit: &dyn Fn(&mut CertSpec)| {
        let root = TestCert::issue(
            CertSpec::ca(pki::ROOT_SUBJECT, None),
            PrivateKey::load(kind, "root"),
            None,
        );
        let mut spec = CertSpec::tsa_leaf(pki::LEAF_SUBJECT);
        edit(&mut spec);
        let leaf = TestCert::issue(spec, PrivateKey::load(kind, "leaf"), Some(&root));
        validate_timestamping_chain(&certs(&[leaf, root]))
            .map(|()| "ok".to_string())
            .unwrap_or_else(|e| e.to_string())
    };
    assert_eq!(tsa(&|_| {}), "ok");
    // Key usage need not be critical for timestamping.
    assert_eq!(
        tsa(&|s| s.key_usage = Some((ku::DIGITAL_SIGNATURE, false))),
        "ok"
    );
    assert_eq!(
        tsa(&|s| s.eku = Some((vec![eku::TIME_STAMPING], false))),
        format!("timestamp signing certificate with subject {LEAF} must have extended key usage extension marked as critical")
    );
    for ekus in [
        vec![],
        vec![eku::CODE_SIGNING],
        vec![eku::TIME_STAMPING, eku::CODE_SIGNING],
        vec![
            eku::TIME_STAMPING,
            const_oid::ObjectIdentifier::new_unwrap("1.2.3.4"),
        ],
    ] {
        assert_eq!(
            tsa(&|s| s.eku = Some((ekus.clone(), true))),
            format!("timestamp signing certificate with subject {LEAF} must have and only have Timestamping as extended key usage")
        );
    }
    assert_eq!(
        tsa(&|s| s.eku = None),
        format!("timestamp signing certificate with subject {LEAF} must have and only have Timestamping as extended key usage")
    );
    assert_eq!(
        tsa(&|s| s.key_usage = None),
        format!("certificate with subject {LEAF}: key usage extension must be present")
    );
}

mod signer {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use fluxverify::pki::algorithm::{
        verify_cose_signature, verify_jws_signature, PublicKey, SignatureAlgorithm,
    };
    use support::envelope::{self, EnvelopeSpec, Format};
    use support::layout::{self, ManifestForm, SignatureEntry, Subject};

    #[test]
    fn signer_output_verifies_with_the_algorithm_layer() {
        use coset::TaggedCborSerializable;
        let subject = Subject::new(b"hello");
        for kind in KeyKind::ALL {
            let chain = pki::chain(kind, 2);
            let leaf = Certificate::from_der(&chain[0].der).unwrap();
            let key = PublicKey::from_spki(leaf.public_key()).unwrap();
            let alg = SignatureAlgorithm::for_key(&key).unwrap();
            assert_eq!(alg.jws_name(), kind.jws_alg());

            let parts = envelope::sign_jws_parts(
                &chain,
                &EnvelopeSpec::new(Format::Jws, &subject.descriptor),
            );
            let sig = URL_SAFE_NO_PAD.decode(&parts.signature).unwrap();
            let input = format!("{}.{}", parts.protected, parts.payload);
            assert_eq!(
                verify_jws_signature(alg, &key, input.as_bytes(), &sig),
                Ok(()),
                "{kind:?}"
            );

            let cose = envelope::sign(
                &chain,
                &EnvelopeSpec::new(Format::Cose, &subject.descriptor),
            );
            let msg = coset::CoseSign1::from_tagged_slice(&cose).unwrap();
            let tbs = msg.tbs_data(b"");
            assert_eq!(
                verify_cose_signature(alg, &key, &tbs, &msg.signature),
                Ok(()),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn layout_writer_writes_both_manifest_forms() {
        let dir = tempfile::tempdir().unwrap();
        let subject = Subject::new(b"content");
        let chain = pki::chain(KeyKind::P256, 1);
        let entries: Vec<SignatureEntry> = [
            (Format::Jws, ManifestForm::ArtifactType),
            (Format::Cose, ManifestForm::ConfigMediaType),
        ]
        .into_iter()
        .map(|(format, form)| SignatureEntry {
            envelope: envelope::sign(&chain, &EnvelopeSpec::new(format, &subject.descriptor)),
            media_type: format.media_type().to_string(),
            form,
            thumbprints: envelope::thumbprints(&chain),
        })
        .collect();
        let descs = layout::write_layout(dir.path(), &subject, "v1", &entries).unwrap();
        let index: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("index.json")).unwrap()).unwrap();
        let manifests = index["manifests"].as_array().unwrap();
        assert_eq!(manifests.len(), 3);
        assert_eq!(manifests[0]["digest"], subject.descriptor.digest.as_str());
        for (i, desc) in descs.iter().enumerate() {
            let path = dir
                .path()
                .join("blobs/sha256")
                .join(desc.digest.trim_start_matches("sha256:"));
            let bytes = std::fs::read(path).unwrap();
            assert_eq!(layout::digest(&bytes), desc.digest);
            let m: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(m["subject"]["digest"], subject.descriptor.digest.as_str());
            if i == 0 {
                assert_eq!(m["artifactType"], layout::NOTARY_SIGNATURE);
                assert_eq!(m["config"]["mediaType"], layout::EMPTY_CONFIG);
            } else {
                assert!(m.get("artifactType").is_none());
                assert_eq!(m["config"]["mediaType"], layout::NOTARY_SIGNATURE);
            }
        }
    }
}

/// Integrity-relevant parts of the upstream vectors (their cases.json).
mod upstream {
    use fluxverify::envelope::payload::Payload;
    use fluxverify::envelope::{verify_integrity, Envelope, SigningScheme};
    use serde_json::Value;

    use crate::support::upstream::upstream;

    fn cases() -> Vec<Value> {
        let text = std::fs::read_to_string(upstream("cases.json")).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        doc["cases"].as_array().unwrap().clone()
    }

    fn read(rel: &str) -> Vec<u8> {
        std::fs::read(upstream(rel)).unwrap()
    }

    /// Every case that names an envelope and whose observed run reached integrity: the same
    /// integrity verdict and text; where nothing failed, the payload names the target.
    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn observed_integrity_results() {
        let mut checked = 0;
        for case in cases() {
            let v = &case["verify"];
            let (Some(envelope), Some(media_type)) =
                (v["envelope"].as_str(), v["media_type"].as_str())
            else {
                continue;
            };
            let id = case["id"].as_str().unwrap();
            let observed = &case["observed"]["notation"];
            let Some(integrity) = observed["results"]
                .as_array()
                .and_then(|r| r.iter().find(|r| r["type"] == "integrity"))
            else {
                continue;
            };
            let got = verify_integrity(media_type, &read(envelope));
            match integrity["error"].as_str() {
                Some(want) => assert_eq!(
                    got.err().map(|e| e.to_string()).as_deref(),
                    Some(want),
                    "{id}"
                ),
                None => {
                    let content = got.unwrap_or_else(|e| panic!("{id}: {e}"));
                    if let Some(target) = v
                        .get("target_descriptor")
                        .filter(|_| observed.get("error").is_none())
                    {
                        let payload = Payload::parse(&content.payload.content).unwrap();
                        assert!(
                            payload.target_artifact.matches(
                                target["mediaType"].as_str().unwrap(),
                                target["digest"].as_str().unwrap(),
                                target["size"].as_i64().unwrap()
                            ),
                            "{id}: payload names {:?}",
                            payload.target_artifact
                        );
                    }
                }
            }
            checked += 1;
        }
        assert!(checked >= 30, "only {checked} cases checked");
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn signing_authority_and_expiry_as_encoded() {
        let content = verify_integrity(
            "application/jose+json",
            &read("notation-go/internal/mock/testdata/sa_valid_sig_env.json"),
        )
        .unwrap();
        assert_eq!(
            content.signer_info.signed_attributes.signing_scheme,
            SigningScheme::X509SigningAuthority
        );
        let expired = verify_integrity(
            "application/jose+json",
            &read("notation-go/internal/mock/testdata/ca_expired_sig_env.json"),
        )
        .unwrap();
        let expiry = expired.signer_info.signed_attributes.expiry.unwrap();
        assert_eq!(expiry.to_rfc2822(), "Fri, 29 Jul 2022 23:59:00 +0000");
        // The e2e expired signature keeps its +08:00 offset for the RFC1123Z message.
        let layout = upstream(
            "notation/test/e2e/testdata/registry/oci_layout/e2e-expired-signature/blobs/sha256",
        );
        let blob = std::fs::read_dir(&layout)
            .unwrap()
            .filter_map(|e| std::fs::read(e.unwrap().path()).ok())
            .find(|b| b.starts_with(b"{\"payload\""))
            .unwrap();
        let content = verify_integrity("application/jose+json", &blob).unwrap();
        let expiry = content.signer_info.signed_attributes.expiry.unwrap();
        assert_eq!(
            expiry.format("%a, %d %b %Y %H:%M:%S %z").to_string(),
            "Tue, 27 Jun 2023 13:21:21 +0800"
        );
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn plugin_attribute_is_critical_extended_attribute() {
        let content = verify_integrity(
            "application/jose+json",
            &read("notation-go/internal/mock/testdata/ca_plugin_sig_env.json"),
        )
        .unwrap();
        let attr = content
            .signer_info
            .signed_attributes
            .extended_attributes
            .iter()
            .find(|a| a.key == "io.cncf.notary.verificationPlugin")
            .unwrap();
        assert!(attr.critical);
        assert_eq!(attr.value, "plugin-name");
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn conformance_jws_decoded_fields() {
        let env = Envelope::parse(
            "application/jose+json",
            &read("notation-core-go/signature/jws/testdata/conformance.json"),
        )
        .unwrap();
        // No x5c: verification cannot even start, and the common checks stop at the chain.
        assert_eq!(
            env.verify().unwrap_err().to_string(),
            "certificate chain is not present"
        );
        assert_eq!(
            env.content().unwrap_err().to_string(),
            "certificate-chain not present or is empty"
        );
        let Envelope::Jws(jws) = &env else {
            panic!("parsed as JWS")
        };
        let content = jws.content().unwrap();
        let info = &content.signer_info;
        assert_eq!(info.signature_algorithm.jws_name(), "ES256");
        assert_eq!(
            content.payload.content_type,
            "application/vnd.cncf.notary.payload.v1+json"
        );
        assert_eq!(content.payload.content, br#"{"key":"hello JWS"}"#);
        assert_eq!(
            info.signed_attributes.signing_scheme.as_str(),
            "notary.x509"
        );
        assert_eq!(
            info.signed_attributes.signing_time.to_rfc3339(),
            "2022-08-29T13:50:00+00:00"
        );
        assert_eq!(
            info.signed_attributes.expiry.unwrap().to_rfc3339(),
            "2099-08-30T13:50:00+00:00"
        );
        assert_eq!(
            info.unsigned_attributes.signing_agent,
            "NotationConformanceTest/1.0.0"
        );
        let mut attrs: Vec<(String, bool, Value)> = info
            .signed_attributes
            .extended_attributes
            .iter()
            .map(|a| (a.key.clone(), a.critical, a.value.clone()))
            .collect();
        attrs.sort_by(|a, b| a.0.cmp(&b.0));
        let want: Vec<(String, bool, Value)> = [
            ("signedCritKey1", true),
            ("signedKey1", false),
            ("signedKey2", false),
            ("signedKey3", false),
            ("signedKey4", false),
        ]
        .into_iter()
        .map(|(k, c)| {
            (
                k.to_string(),
                c,
                Value::String(if c {
                    "signedCritValue1".into()
                } else {
                    "signedValue1".into()
                }),
            )
        })
        .collect();
        assert_eq!(
            attrs.iter().map(|a| (&a.0, a.1)).collect::<Vec<_>>(),
            want.iter().map(|a| (&a.0, a.1)).collect::<Vec<_>>()
        );
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn parse_cose_signature_fields() {
        let env = Envelope::parse(
            "application/cose",
            &read("notation-go/internal/testdata/cose_signature.sig"),
        )
        .unwrap();
        let content = env.content().unwrap();
        let info = &content.signer_info;
        assert_eq!(
            info.signed_attributes.signing_scheme.as_str(),
            "notary.x509"
        );
        assert_eq!(
            info.signed_attributes.signing_time.to_rfc3339(),
            "2023-03-14T04:45:22+00:00"
        );
        assert_eq!(info.signature_algorithm.jws_name(), "PS256");
        assert_eq!(info.certificate_chain.len(), 1);
        assert_eq!(
            info.certificate_chain[0].subject(),
            "CN=alpine,O=Notary,L=Seattle,ST=WA,C=US"
        );
        let payload = Payload::parse(&content.payload.content).unwrap();
        assert!(payload.target_artifact.matches(
            "application/vnd.oci.image.manifest.v1+json",
            "sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0",
            481
        ));
        env.verify().unwrap();
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn blob_envelopes_inspect() {
        for (file, mt, leaf, agent) in [
            (
                "notation/test/e2e/testdata/signatures/blob.jws.sig",
                "application/jose+json",
                "CN=testcert2,O=Notary,L=Seattle,ST=WA,C=US",
                "notation-go/1.3.0+unreleased",
            ),
            (
                "notation/test/e2e/testdata/signatures/blob.cose.sig",
                "application/cose",
                "CN=testcert3,O=Notary,L=Seattle,ST=WA,C=US",
                "notation-go/1.3.0+unreleased",
            ),
        ] {
            let env = Envelope::parse(mt, &read(file)).unwrap();
            let content = env.verify().unwrap();
            let info = &content.signer_info;
            assert_eq!(
                info.signature_algorithm.display_name(),
                "RSASSA-PSS-SHA-256"
            );
            assert_eq!(info.certificate_chain[0].subject(), leaf);
            assert_eq!(info.unsigned_attributes.signing_agent, agent);
            assert!(info.unsigned_attributes.timestamp_signature.is_some());
            assert!(info.signed_attributes.extended_attributes.is_empty());
            let payload = Payload::parse(&content.payload.content).unwrap();
            assert!(payload.target_artifact.matches(
                "application/octet-stream",
                "sha256:c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4",
                11357
            ));
        }
        let jws = Envelope::parse(
            "application/jose+json",
            &read("notation/test/e2e/testdata/signatures/blob.jws.sig"),
        )
        .unwrap();
        assert_eq!(
            jws.content()
                .unwrap()
                .signer_info
                .signed_attributes
                .signing_time
                .to_rfc3339(),
            "2024-12-31T08:05:29+00:00"
        );
        assert_eq!(
            Envelope::parse(
                "application/jose+json",
                &read("notation/test/e2e/testdata/signatures/malformed.jws.sig")
            )
            .unwrap_err()
            .to_string(),
            "invalid character 'm' looking for beginning of value"
        );
    }
}

/// The project's own envelopes: every algorithm × format, tampering, header rules, malformed
/// input.
mod own {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use base64::Engine as _;
    use fluxverify::envelope::payload::Payload;
    use fluxverify::envelope::{verify_integrity, Envelope, SigningScheme};
    use serde_json::{json, Value};
    use support::envelope::{self, at, EnvelopeSpec, ExtendedAttribute, Format, Scheme};
    use support::layout::Subject;

    /// Edits a JWS protected header.
    type HeaderEdit = Box<dyn Fn(&mut serde_json::Map<String, Value>)>;
    /// Edits a COSE header.
    type CoseEdit = Box<dyn Fn(&mut coset::Header)>;

    fn subject() -> Subject {
        Subject::new(b"fluxverify envelope tests")
    }

    fn integrity(
        format: Format,
        bytes: &[u8],
    ) -> Result<fluxverify::envelope::EnvelopeContent, String> {
        verify_integrity(format.media_type(), bytes).map_err(|e| e.to_string())
    }

    #[test]
    fn every_algorithm_in_both_formats_and_chains_of_one_to_three() {
        let subject = subject();
        for kind in KeyKind::ALL {
            for len in 1..=3 {
                let chain = pki::chain(kind, len);
                for format in Format::ALL {
                    let mut spec = EnvelopeSpec::new(format, &subject.descriptor);
                    spec.expiry = Some(spec.signing_time + chrono::Duration::days(1));
                    spec.timestamp_token = Some(vec![1, 2, 3]);
                    let bytes = envelope::sign(&chain, &spec);
                    let content = integrity(format, &bytes)
                        .unwrap_or_else(|e| panic!("{kind:?} {len} {format:?}: {e}"));
                    let info = &content.signer_info;
                    assert_eq!(info.signature_algorithm.jws_name(), kind.jws_alg());
                    assert_eq!(info.certificate_chain.len(), len);
                    assert_eq!(info.signed_attributes.signing_scheme, SigningScheme::X509);
                    assert_eq!(info.signed_attributes.signing_time, spec.signing_time);
                    assert_eq!(info.signed_attributes.expiry, spec.expiry);
                    assert_eq!(
                        info.unsigned_attributes.timestamp_signature.as_deref(),
                        Some(&[1u8, 2, 3][..])
                    );
                    assert_eq!(
                        info.unsigned_attributes.signing_agent,
                        "fluxverify-test-signer/1.0"
                    );
                    let payload = Payload::parse(&content.payload.content).unwrap();
                    let d = &subject.descriptor;
                    assert!(payload.target_artifact.matches(
                        &d.media_type,
                        &d.digest,
                        d.size as i64
                    ));
                }
            }
        }
    }

    #[test]
    fn signing_authority_and_extended_attributes() {
        let subject = subject();
        let chain = pki::chain(KeyKind::P384, 2);
        for format in Format::ALL {
            let mut spec = EnvelopeSpec::new(format, &subject.descriptor);
            spec.scheme = Scheme::SigningAuthority;
            spec.extended.push(ExtendedAttribute {
                key: "com.example.critical".into(),
                value: json!("v"),
                critical: true,
            });
            spec.extended.push(ExtendedAttribute {
                key: "com.example.plain".into(),
                value: json!(7),
                critical: false,
            });
            let content = integrity(format, &envelope::sign(&chain, &spec)).unwrap();
            let attrs = &content.signer_info.signed_attributes;
            assert_eq!(attrs.signing_scheme, SigningScheme::X509SigningAuthority);
            let crit = attrs
                .extended_attributes
                .iter()
                .find(|a| a.key == "com.example.critical")
                .unwrap();
            assert!(crit.critical);
            assert_eq!(crit.value, json!("v"));
            let plain = attrs
                .extended_attributes
                .iter()
                .find(|a| a.key == "com.example.plain")
                .unwrap();
            assert!(!plain.critical);
            assert_eq!(plain.value, json!(7));
            // Plugin attribute is carried as a critical extended attribute.
            let spec =
                EnvelopeSpec::new(format, &subject.descriptor).with_plugin("com.example.plugin");
            let content = integrity(format, &envelope::sign(&chain, &spec)).unwrap();
            assert!(content
                .signer_info
                .signed_attributes
                .extended_attributes
                .iter()
                .any(|a| a.key == "io.cncf.notary.verificationPlugin" && a.critical));
        }
    }

    #[test]
    fn jws_tampering_fails_integrity() {
        let subject = subject();
        for kind in [KeyKind::Rsa2048, KeyKind::P256] {
            let chain = pki::chain(kind, 2);
            let spec = EnvelopeSpec::new(Format::Jws, &subject.descriptor);
            let parts = envelope::sign_jws_parts(&chain, &spec);
            let want = if kind == KeyKind::P256 {
                "signature is invalid. Error: crypto/ecdsa: verification error"
            } else {
                "signature is invalid. Error: crypto/rsa: verification error"
            };

            let mut p = parts.clone();
            let other = Subject::new(b"another artifact");
            p.payload = URL_SAFE_NO_PAD.encode(
                serde_json::to_vec(&json!({"targetArtifact": other.descriptor.to_json()})).unwrap(),
            );
            assert_eq!(
                integrity(Format::Jws, &p.to_bytes()).unwrap_err(),
                want,
                "payload"
            );

            let mut p = parts.clone();
            let mut header = envelope::jws_protected_header(kind.jws_alg(), &spec);
            header.insert(
                "io.cncf.notary.signingTime".into(),
                json!("2001-01-01T00:00:00Z"),
            );
            p.protected = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap());
            assert_eq!(
                integrity(Format::Jws, &p.to_bytes()).unwrap_err(),
                want,
                "protected"
            );

            let mut p = parts.clone();
            let mut sig = URL_SAFE_NO_PAD.decode(&p.signature).unwrap();
            sig[3] ^= 0x01;
            p.signature = URL_SAFE_NO_PAD.encode(sig);
            assert_eq!(
                integrity(Format::Jws, &p.to_bytes()).unwrap_err(),
                want,
                "signature"
            );

            // A certificate byte flipped: the leaf no longer parses or its key differs.
            let mut p = parts.clone();
            let mut der = chain[0].der.clone();
            let n = der.len();
            der[n - 40] ^= 0x01; // inside the signature of the certificate
            p.header.insert(
                "x5c".into(),
                json!([STANDARD.encode(&der), STANDARD.encode(&chain[1].der)]),
            );
            let err = integrity(Format::Jws, &p.to_bytes()).unwrap_err();
            assert!(err.starts_with("certificate-chain is invalid, invalid certificates or certificate with subject"), "{err}");

            // Swapping in another key's leaf certificate.
            let mut p = parts.clone();
            let other_chain = pki::chain_with(kind, 2, |i, s| {
                if i == 0 {
                    s.serial = 99
                }
            });
            let stranger = TestCert::issue(
                CertSpec::leaf(pki::LEAF_SUBJECT),
                PrivateKey::load(kind, "inter"),
                Some(&other_chain[1]),
            );
            p.header.insert(
                "x5c".into(),
                json!([
                    STANDARD.encode(&stranger.der),
                    STANDARD.encode(&chain[1].der)
                ]),
            );
            assert_eq!(
                integrity(Format::Jws, &p.to_bytes()).unwrap_err(),
                want,
                "leaf swapped"
            );

            // Malformed base64 in the signature.
            let mut p = parts.clone();
            p.signature.insert(5, '!');
            assert_eq!(
                integrity(Format::Jws, &p.to_bytes()).unwrap_err(),
                "signature is invalid. Error: illegal base64 data at input byte 5"
            );
            // And in x5c.
            let mut p = parts.clone();
            p.header.insert("x5c".into(), json!(["AB$C"]));
            assert_eq!(
                integrity(Format::Jws, &p.to_bytes()).unwrap_err(),
                "unable to parse the digital signature, error : illegal base64 data at input byte 2"
            );
        }
    }

    #[test]
    fn cose_tampering_fails_integrity() {
        use coset::TaggedCborSerializable;
        let subject = subject();
        let chain = pki::chain(KeyKind::Rsa3072, 2);
        let spec = EnvelopeSpec::new(Format::Cose, &subject.descriptor);
        let good = envelope::sign(&chain, &spec);
        integrity(Format::Cose, &good).unwrap();
        let want = "signature is invalid. Error: verification error";

        let mut msg = coset::CoseSign1::from_tagged_slice(&good).unwrap();
        msg.payload = Some(b"{\"targetArtifact\":{}}".to_vec());
        assert_eq!(
            integrity(Format::Cose, &msg.to_tagged_vec().unwrap()).unwrap_err(),
            want
        );

        let msg = coset::CoseSign1::from_tagged_slice(&good).unwrap();
        let mut protected = msg.protected.original_data.clone().unwrap();
        let last = protected.len() - 1;
        protected[last] ^= 0x01; // the last byte of the signing time
        let bytes = rebuild_with_protected(&good, &protected);
        assert_eq!(integrity(Format::Cose, &bytes).unwrap_err(), want);

        let mut msg = coset::CoseSign1::from_tagged_slice(&good).unwrap();
        msg.signature[10] ^= 0x80;
        assert_eq!(
            integrity(Format::Cose, &msg.to_tagged_vec().unwrap()).unwrap_err(),
            want
        );

        // PSS with a salt other than the hash length: COSE is strict.
        let alg = "PS384";
        let protected = envelope::cose_protected_header(alg, &spec);
        let unprotected = envelope::cose_unprotected_header(&chain, &spec);
        let msg = coset::CoseSign1Builder::new()
            .protected(protected)
            .unprotected(unprotected)
            .payload(spec.payload.clone())
            .create_signature(b"", |tbs| {
                chain[0].key.sign_envelope_with_salt(alg, tbs, Some(0))
            })
            .build();
        assert_eq!(
            integrity(Format::Cose, &msg.to_tagged_vec().unwrap()).unwrap_err(),
            want
        );
    }

    /// Replaces the protected bstr of a tagged COSE_Sign1 without re-encoding anything else.
    fn rebuild_with_protected(tagged: &[u8], protected: &[u8]) -> Vec<u8> {
        let value: ciborium::Value = ciborium::de::from_reader(tagged).unwrap();
        let ciborium::Value::Tag(18, inner) = value else {
            panic!("tag 18")
        };
        let ciborium::Value::Array(mut items) = *inner else {
            panic!("array")
        };
        items[0] = ciborium::Value::Bytes(protected.to_vec());
        let mut out = Vec::new();
        ciborium::ser::into_writer(
            &ciborium::Value::Tag(18, Box::new(ciborium::Value::Array(items))),
            &mut out,
        )
        .unwrap();
        out
    }

    #[test]
    fn content_without_verification_reads_a_tampered_envelope() {
        let subject = subject();
        let chain = pki::chain(KeyKind::P256, 2);
        for format in Format::ALL {
            let spec = EnvelopeSpec::new(format, &subject.descriptor);
            let bytes = if format == Format::Jws {
                let mut parts = envelope::sign_jws_parts(&chain, &spec);
                let mut sig = URL_SAFE_NO_PAD.decode(&parts.signature).unwrap();
                sig[0] ^= 0x01;
                parts.signature = URL_SAFE_NO_PAD.encode(sig);
                parts.to_bytes()
            } else {
                // The signature is the last element of the COSE array.
                let mut bytes = envelope::sign(&chain, &spec);
                let n = bytes.len();
                bytes[n - 5] ^= 0x01;
                bytes
            };
            let env = Envelope::parse(format.media_type(), &bytes).unwrap();
            assert!(
                env.verify()
                    .unwrap_err()
                    .to_string()
                    .starts_with("signature is invalid. Error: "),
                "{format:?}"
            );
            let content = env.content().unwrap();
            assert_eq!(
                content.signer_info.signed_attributes.signing_time,
                spec.signing_time
            );
            assert_eq!(env.media_type(), format.media_type());
        }
    }

    #[test]
    fn jws_salt_length_is_detected() {
        let subject = subject();
        let chain = pki::chain(KeyKind::Rsa2048, 1);
        let spec = EnvelopeSpec::new(Format::Jws, &subject.descriptor);
        let mut parts = envelope::sign_jws_parts(&chain, &spec);
        let input = format!("{}.{}", parts.protected, parts.payload);
        parts.signature = URL_SAFE_NO_PAD.encode(chain[0].key.sign_envelope_with_salt(
            "PS256",
            input.as_bytes(),
            Some(0),
        ));
        integrity(Format::Jws, &parts.to_bytes()).unwrap();
    }

    #[test]
    fn algorithm_and_key_mismatches() {
        let subject = subject();
        let rsa = pki::chain(KeyKind::Rsa2048, 1);
        // JWS: PS384 over a 2048-bit key verifies (golang-jwt does not compare key and method),
        // then notation's leaf-key rule rejects it.
        let mut spec = EnvelopeSpec::new(Format::Jws, &subject.descriptor);
        spec.alg_override = Some("PS384".into());
        assert_eq!(
            integrity(Format::Jws, &envelope::sign(&rsa, &spec)).unwrap_err(),
            "mismatch between signature algorithm derived from signing certificate (1) and signing algorithm specified (2s)"
        );
        // COSE: the verifier is built from the key, so the header alg mismatch is an integrity error.
        let mut spec = EnvelopeSpec::new(Format::Cose, &subject.descriptor);
        spec.alg_override = Some("PS384".into());
        assert_eq!(
            integrity(Format::Cose, &envelope::sign(&rsa, &spec)).unwrap_err(),
            "signature is invalid. Error: algorithm mismatch: verifier PS256: header PS384"
        );
        // ES256 header, P-384 key: r‖s is 96 bytes, not 64.
        let ec = pki::chain(KeyKind::P384, 1);
        let mut spec = EnvelopeSpec::new(Format::Jws, &subject.descriptor);
        spec.alg_override = Some("ES256".into());
        assert_eq!(
            integrity(Format::Jws, &envelope::sign(&ec, &spec)).unwrap_err(),
            "signature is invalid. Error: crypto/ecdsa: verification error"
        );
        // An EC header with an RSA key.
        let mut spec = EnvelopeSpec::new(Format::Jws, &subject.descriptor);
        spec.alg_override = Some("ES256".into());
        let mut parts = envelope::sign_jws_parts(&ec, &spec);
        parts
            .header
            .insert("x5c".into(), json!([STANDARD.encode(&rsa[0].der)]));
        assert_eq!(
            integrity(Format::Jws, &parts.to_bytes()).unwrap_err(),
            "signature is invalid. Error: key is of invalid type"
        );
        // golang-jwt's method checks.
        for (alg, want) in [
            (
                "RS256",
                "signature is invalid. Error: signing method RS256 is invalid",
            ),
            (
                "none",
                "signature is invalid. Error: signing method none is invalid",
            ),
            (
                "XYZ",
                "signature is invalid. Error: signing method (alg) is unavailable.",
            ),
        ] {
            let mut header = envelope::jws_protected_header(
                "PS256",
                &EnvelopeSpec::new(Format::Jws, &subject.descriptor),
            );
            header.insert("alg".into(), json!(alg));
            let parts = envelope::sign_jws_with_header(&rsa, "PS256", &header, &spec.payload);
            assert_eq!(integrity(Format::Jws, &parts.to_bytes()).unwrap_err(), want);
        }
        let mut header = envelope::jws_protected_header("PS256", &spec);
        header.remove("alg");
        let parts = envelope::sign_jws_with_header(&rsa, "PS256", &header, &spec.payload);
        assert_eq!(
            integrity(Format::Jws, &parts.to_bytes()).unwrap_err(),
            "signature is invalid. Error: signing method (alg) is unspecified."
        );
        // Keys notation refuses.
        let root = TestCert::issue(
            CertSpec::ca(pki::ROOT_SUBJECT, None),
            PrivateKey::load(KeyKind::P256, "root"),
            None,
        );
        let weak = TestCert::issue(
            CertSpec::leaf(pki::LEAF_SUBJECT),
            PrivateKey::load_named("rsa1024-leaf"),
            Some(&root),
        );
        let mut spec = EnvelopeSpec::new(Format::Cose, &subject.descriptor);
        spec.alg_override = Some("PS256".into());
        assert_eq!(
            integrity(
                Format::Cose,
                &envelope::sign(&[weak.clone(), root.clone()], &spec)
            )
            .unwrap_err(),
            "rsa key size 1024 bits is not supported"
        );
        let mut spec = EnvelopeSpec::new(Format::Jws, &subject.descriptor);
        spec.alg_override = Some("PS256".into());
        assert_eq!(
            integrity(Format::Jws, &envelope::sign(&[weak, root], &spec)).unwrap_err(),
            format!("certificate-chain is invalid, certificate with subject {LEAF}: rsa key size 1024 bits is not supported")
        );
    }

    fn jws_with(
        header_edit: impl Fn(&mut serde_json::Map<String, Value>),
        payload: Option<&[u8]>,
    ) -> Result<fluxverify::envelope::EnvelopeContent, String> {
        let subject = subject();
        let chain = pki::chain(KeyKind::P256, 1);
        let spec = EnvelopeSpec::new(Format::Jws, &subject.descriptor);
        let mut header = envelope::jws_protected_header("ES256", &spec);
        header_edit(&mut header);
        let parts = envelope::sign_jws_with_header(
            &chain,
            "ES256",
            &header,
            payload.unwrap_or(&spec.payload),
        );
        integrity(Format::Jws, &parts.to_bytes())
    }

    #[test]
    fn jws_header_rules() {
        let cases: Vec<(HeaderEdit, &str)> = vec![
            (Box::new(|h| { h.insert("io.cncf.notary.authenticSigningTime".into(), json!("2024-01-01T00:00:00Z")); }),
             "\"io.cncf.notary.authenticSigningTime\" header must not be present for notary.x509 signing scheme"),
            (Box::new(|h| { h.insert("io.cncf.notary.signingScheme".into(), json!("notary.x509.signingAuthority")); }),
             "\"io.cncf.notary.signingTime\" header must not be present for notary.x509.signingAuthority signing scheme"),
            (Box::new(|h| {
                h.insert("io.cncf.notary.signingScheme".into(), json!("notary.x509.signingAuthority"));
                h.remove("io.cncf.notary.signingTime");
            }), "\"io.cncf.notary.authenticSigningTime\" header must be present for notary.x509 signing scheme"),
            (Box::new(|h| { h.insert("io.cncf.notary.signingScheme".into(), json!("notary.other")); }), "unsupported SigningScheme: `notary.other`"),
            (Box::new(|h| { h.remove("crit"); }), "missing \"crit\" header"),
            (Box::new(|h| { h.insert("crit".into(), json!([])); }), "missing \"crit\" header"),
            (Box::new(|h| { h.insert("crit".into(), json!(["io.cncf.notary.signingScheme", "com.example.absent"])); }),
             "\"com.example.absent\" header is marked critical but not present"),
            (Box::new(|h| { h.insert("crit".into(), json!(["io.cncf.notary.signingScheme", "io.cncf.notary.signingScheme"])); }),
             "\"io.cncf.notary.signingScheme\" header is marked critical but not present"),
            (Box::new(|h| { h.insert("crit".into(), json!(["io.cncf.notary.signingScheme", "alg"])); }),
             "\"alg\" header is marked critical but not present"),
            (Box::new(|h| { h.insert("io.cncf.notary.expiry".into(), json!("2999-01-01T00:00:00Z")); }),
             "these required headers are not marked as critical: [io.cncf.notary.expiry]"),
            (Box::new(|h| { h.insert("crit".into(), json!(["com.example.x"])); h.insert("com.example.x".into(), json!(1)); }),
             "these required headers are not marked as critical: [io.cncf.notary.signingScheme]"),
            (Box::new(|h| { h.remove("io.cncf.notary.signingTime"); }), "signing-time not present"),
            // null leaves Go's *time.Time nil: absent.
            (Box::new(|h| { h.insert("io.cncf.notary.signingTime".into(), json!(null)); }),
             "signing-time not present"),
            // Go's zero time.Time is "absent", however it got there.
            (Box::new(|h| { h.insert("io.cncf.notary.signingTime".into(), json!("0001-01-01T00:00:00Z")); }),
             "signing-time not present"),
            (Box::new(|h| {
                h.insert("io.cncf.notary.expiry".into(), json!("2000-01-01T00:00:00Z"));
                h.insert("crit".into(), json!(["io.cncf.notary.signingScheme", "io.cncf.notary.expiry"]));
            }), "expiry cannot be equal or before the signing time"),
            (Box::new(|h| { h.insert("cty".into(), json!("application/json")); }), "payload content type \"application/json\" not supported"),
            (Box::new(|h| { h.insert("io.cncf.notary.signingTime".into(), json!(12)); }),
             "jws envelope protected header can't be decoded: Time.UnmarshalJSON: input is not a JSON string"),
            (Box::new(|h| { h.insert("crit".into(), json!("io.cncf.notary.signingScheme")); }),
             "jws envelope protected header can't be decoded: json: cannot unmarshal string into Go struct field jwsProtectedHeader.crit of type []string"),
        ];
        for (edit, want) in cases {
            assert_eq!(jws_with(edit, None).unwrap_err(), want);
        }
        // An expiry at Go's zero time is no expiry: it need not be critical and is not reported.
        let content = jws_with(
            |h| {
                h.insert(
                    "io.cncf.notary.expiry".into(),
                    json!("0001-01-01T00:00:00Z"),
                );
            },
            None,
        )
        .unwrap();
        assert_eq!(content.signer_info.signed_attributes.expiry, None);
        // Unknown critical extended attributes are accepted, as notation does.
        let content = jws_with(
            |h| {
                h.insert("com.example.unknown".into(), json!({"nested": [1, 2]}));
                h.insert(
                    "crit".into(),
                    json!(["io.cncf.notary.signingScheme", "com.example.unknown"]),
                );
            },
            None,
        )
        .unwrap();
        assert!(content
            .signer_info
            .signed_attributes
            .extended_attributes
            .iter()
            .any(|a| a.key == "com.example.unknown" && a.critical));
        // Case-insensitive keys: "ALG" sets the algorithm for notation and is an extended
        // attribute too (Go deletes only the exact key).
        let content = jws_with(
            |h| {
                let alg = h.remove("alg").unwrap();
                h.insert("ALG".into(), alg);
            },
            None,
        );
        // golang-jwt reads the exact "alg" key only.
        assert_eq!(
            content.unwrap_err(),
            "signature is invalid. Error: signing method (alg) is unspecified."
        );
        // The payload must be a JSON object for golang-jwt.
        assert_eq!(jws_with(|_| {}, Some(b"[1]")).unwrap_err(), "signature is invalid. Error: json: cannot unmarshal array into Go value of type jwt.MapClaims");
        assert_eq!(
            jws_with(|_| {}, Some(b"")).unwrap_err(),
            "signature is invalid. Error: EOF"
        );
        assert_eq!(
            jws_with(|_| {}, Some(b"{\"a\":")).unwrap_err(),
            "signature is invalid. Error: unexpected EOF"
        );
    }

    #[test]
    fn cose_header_rules_and_wrong_types() {
        use coset::{Label, TaggedCborSerializable};
        let subject = subject();
        let chain = pki::chain(KeyKind::P256, 2);
        let spec = EnvelopeSpec::new(Format::Cose, &subject.descriptor);
        let sign = |edit_p: &dyn Fn(&mut coset::Header), edit_u: &dyn Fn(&mut coset::Header)| {
            let mut p = envelope::cose_protected_header("ES256", &spec);
            let mut u = envelope::cose_unprotected_header(&chain, &spec);
            edit_p(&mut p);
            edit_u(&mut u);
            integrity(
                Format::Cose,
                &envelope::sign_cose_with_headers(&chain, "ES256", p, u, &spec.payload),
            )
        };
        let set = |h: &mut coset::Header, label: &str, v: ciborium::Value| {
            h.rest.retain(|(l, _)| *l != Label::Text(label.into()));
            h.rest.push((Label::Text(label.into()), v));
        };
        let x5chain = Label::Int(33);
        // x5chain as a single bstr, or only in the protected header: not present.
        assert_eq!(
            sign(&|_| {}, &|u| {
                let leaf = chain[0].der.clone();
                u.rest.retain(|(l, _)| *l != Label::Int(33));
                u.rest.push((Label::Int(33), ciborium::Value::Bytes(leaf)));
            })
            .unwrap_err(),
            "certificate chain is not present"
        );
        let moved = |p: &mut coset::Header| {
            p.rest.push((
                Label::Int(33),
                ciborium::Value::Array(
                    chain
                        .iter()
                        .map(|c| ciborium::Value::Bytes(c.der.clone()))
                        .collect(),
                ),
            ));
        };
        assert_eq!(
            sign(&moved, &|u| u.rest.retain(|(l, _)| *l != Label::Int(33))).unwrap_err(),
            "certificate chain is not present"
        );
        assert_eq!(
            sign(&|_| {}, &|u| {
                u.rest.retain(|(l, _)| *l != x5chain);
                u.rest.push((
                    Label::Int(33),
                    ciborium::Value::Array(vec![ciborium::Value::Text("x".into())]),
                ));
            })
            .unwrap_err(),
            "COSE envelope malformed leaf certificate"
        );
        assert_eq!(
            sign(&|_| {}, &|u| {
                u.rest.retain(|(l, _)| *l != Label::Int(33));
                u.rest.push((
                    Label::Int(33),
                    ciborium::Value::Array(vec![ciborium::Value::Bytes(vec![0x30, 0x00])]),
                ));
            })
            .unwrap_err(),
            "malformed leaf certificate"
        );
        let tag = |n: u64, v: ciborium::Value| ciborium::Value::Tag(n, Box::new(v));
        let cases: Vec<(CoseEdit, &str)> = vec![
            (
                Box::new(move |p| {
                    set(
                        p,
                        "io.cncf.notary.signingScheme",
                        ciborium::Value::Integer(1.into()),
                    )
                }),
                "invalid signingScheme",
            ),
            (
                Box::new(move |p| {
                    set(
                        p,
                        "io.cncf.notary.signingScheme",
                        ciborium::Value::Text("notary.other".into()),
                    )
                }),
                "unsupported signingScheme: notary.other",
            ),
            (
                Box::new(move |p| {
                    set(
                        p,
                        "io.cncf.notary.signingTime",
                        ciborium::Value::Integer(1_700_000_000.into()),
                    )
                }),
                "invalid signingTime: invalid timeValue type",
            ),
            (
                Box::new(move |p| {
                    set(
                        p,
                        "io.cncf.notary.signingTime",
                        tag(0, ciborium::Value::Text("2024-01-01T00:00:00Z".into())),
                    )
                }),
                "invalid signingTime: only Tag `1` Datetime CBOR object is supported",
            ),
            (
                Box::new(|p| {
                    p.rest
                        .retain(|(l, _)| *l != Label::Text("io.cncf.notary.signingTime".into()))
                }),
                "invalid signingTime: protected header \"io.cncf.notary.signingTime\" is missing",
            ),
            (
                Box::new(move |p| {
                    set(
                        p,
                        "io.cncf.notary.expiry",
                        tag(1, ciborium::Value::Integer(4_000_000_000i64.into())),
                    )
                }),
                "these required headers are not marked as critical: [io.cncf.notary.expiry]",
            ),
            (
                Box::new(|p| {
                    p.content_type = Some(coset::ContentType::Assigned(
                        coset::iana::CoapContentFormat::Json,
                    ))
                }),
                "content type should be of 'tstr' type",
            ),
            (Box::new(|p| p.content_type = None), "missing content type"),
            (
                Box::new(|p| {
                    p.content_type = Some(coset::ContentType::Text("application/json".into()))
                }),
                "payload content type \"application/json\" not supported",
            ),
        ];
        for (edit, want) in cases {
            assert_eq!(sign(&edit, &|_| {}).unwrap_err(), want);
        }
        // Unknown critical label accepted; integer labels become decimal keys.
        let content = sign(
            &|p| {
                p.rest
                    .push((Label::Int(-65537), ciborium::Value::Text("v".into())));
                p.crit
                    .push(coset::RegisteredLabelWithPrivate::PrivateUse(-65537));
            },
            &|_| {},
        )
        .unwrap();
        assert!(content
            .signer_info
            .signed_attributes
            .extended_attributes
            .iter()
            .any(|a| a.key == "-65537" && a.critical));
        // A crit label that is not in the protected header: go-cose refuses at decode.
        let err = sign(
            &|p| {
                p.crit.push(coset::RegisteredLabelWithPrivate::Text(
                    "com.example.absent".into(),
                ))
            },
            &|_| {},
        )
        .unwrap_err();
        assert_eq!(
            err,
            "unable to parse the digital signature, error : cbor: invalid protected header: protected header: header parameter: crit: missing critical header: com.example.absent"
        );
        // go-cose's other header parameter checks.
        let err = sign(
            &|p| p.content_type = Some(coset::ContentType::Text("application".into())),
            &|_| {},
        )
        .unwrap_err();
        assert_eq!(
            err,
            "unable to parse the digital signature, error : cbor: invalid protected header: protected header: header parameter: content type: require text of form type/subtype"
        );
        let err = sign(&|_| {}, &|u| {
            u.crit = vec![coset::RegisteredLabelWithPrivate::Text(
                "io.cncf.notary.signingAgent".into(),
            )]
        })
        .unwrap_err();
        assert_eq!(
            err,
            "unable to parse the digital signature, error : cbor: invalid unprotected header: unprotected header: header parameter: crit: not allowed"
        );
        // go-cose's types for alg, kid, IV and Partial IV; the right types decode.
        let parse_error = |which: &str, detail: &str| {
            format!("unable to parse the digital signature, error : cbor: invalid {which} header: {which} header: header parameter: {detail}")
        };
        let bytes = || ciborium::Value::Bytes(vec![1, 2]);
        let int = || ciborium::Value::Integer(7.into());
        let err = sign(
            &|p| {
                p.alg = None;
                p.rest.push((Label::Int(1), bytes()));
            },
            &|_| {},
        )
        .unwrap_err();
        assert_eq!(
            err,
            parse_error("protected", "alg: require int / tstr type")
        );
        for (label, name) in [(4, "kid"), (5, "IV"), (6, "Partial IV")] {
            let err = sign(&|_| {}, &|u| u.rest.push((Label::Int(label), int()))).unwrap_err();
            assert_eq!(
                err,
                parse_error("unprotected", &format!("{name}: require bstr type"))
            );
            sign(&|_| {}, &|u| u.rest.push((Label::Int(label), bytes())))
                .unwrap_or_else(|e| panic!("{name} as bytes: {e}"));
        }
        let err = sign(&|_| {}, &|u| {
            u.rest.push((Label::Int(5), bytes()));
            u.rest.push((Label::Int(6), bytes()));
        })
        .unwrap_err();
        assert_eq!(
            err,
            parse_error(
                "unprotected",
                "IV and PartialIV: parameters must not both be present"
            )
        );
        // A counter signature (label 7) only in the unprotected header.
        let err = sign(&|p| p.rest.push((Label::Int(7), bytes())), &|_| {}).unwrap_err();
        assert_eq!(
            err,
            parse_error("protected", "counter signature: not allowed")
        );
        let countersignature = || {
            ciborium::Value::Array(vec![
                ciborium::Value::Bytes(Vec::new()),
                ciborium::Value::Map(Vec::new()),
                ciborium::Value::Bytes(vec![0]),
            ])
        };
        sign(&|_| {}, &|u| {
            u.rest.push((Label::Int(7), countersignature()))
        })
        .expect("a counter signature in the unprotected header is not looked at");
        // Content types: no leading (or trailing) space, no negative integer.
        let err = sign(
            &|p| p.content_type = Some(coset::ContentType::Text(" application/x".into())),
            &|_| {},
        )
        .unwrap_err();
        assert_eq!(
            err,
            parse_error(
                "protected",
                "content type: require no leading/trailing whitespace"
            )
        );
        let err = sign(
            &|p| {
                p.content_type = None;
                p.rest
                    .push((Label::Int(3), ciborium::Value::Integer((-1).into())));
            },
            &|_| {},
        )
        .unwrap_err();
        assert_eq!(
            err,
            parse_error("protected", "content type: require tstr / uint type")
        );
        // An empty x5chain is no chain; an empty timestamp countersignature is none.
        assert_eq!(
            sign(&|_| {}, &|u| {
                u.rest.retain(|(l, _)| *l != x5chain);
                u.rest
                    .push((x5chain.clone(), ciborium::Value::Array(Vec::new())));
            })
            .unwrap_err(),
            "certificate chain is not present"
        );
        let content = sign(&|_| {}, &|u| {
            u.rest.push((
                Label::Text("io.cncf.notary.timestampSignature".into()),
                ciborium::Value::Bytes(Vec::new()),
            ))
        })
        .unwrap();
        assert_eq!(
            content.signer_info.unsigned_attributes.timestamp_signature,
            None
        );
        // Datetimes may be floats (fractional seconds kept); NaN is not a time.
        let time = |v: ciborium::Value| {
            move |p: &mut coset::Header| {
                p.rest
                    .retain(|(l, _)| *l != Label::Text("io.cncf.notary.signingTime".into()));
                p.rest.push((
                    Label::Text("io.cncf.notary.signingTime".into()),
                    ciborium::Value::Tag(1, Box::new(v.clone())),
                ));
            }
        };
        let content = sign(&time(ciborium::Value::Float(1_700_000_000.25)), &|_| {}).unwrap();
        assert_eq!(
            content
                .signer_info
                .signed_attributes
                .signing_time
                .to_rfc3339(),
            "2023-11-14T22:13:20.250+00:00"
        );
        assert_eq!(
            sign(&time(ciborium::Value::Float(f64::NAN)), &|_| {}).unwrap_err(),
            "invalid signingTime: invalid timeValue type"
        );
        // Detached payload.
        let mut msg = coset::CoseSign1::from_tagged_slice(&envelope::sign(&chain, &spec)).unwrap();
        msg.payload = None;
        assert_eq!(
            integrity(Format::Cose, &msg.to_tagged_vec().unwrap()).unwrap_err(),
            "signature is invalid. Error: missing payload"
        );
        // Untagged and empty-signature messages.
        let good = envelope::sign(&chain, &spec);
        assert_eq!(
            integrity(Format::Cose, &good[1..]).unwrap_err(),
            "unable to parse the digital signature, error : cbor: invalid COSE_Sign1_Tagged object"
        );
        let mut msg = coset::CoseSign1::from_tagged_slice(&good).unwrap();
        msg.signature.clear();
        assert_eq!(
            integrity(Format::Cose, &msg.to_tagged_vec().unwrap()).unwrap_err(),
            "unable to parse the digital signature, error : empty signature"
        );
    }

    #[test]
    fn chain_rules_apply_inside_envelopes() {
        let subject = subject();
        let chain = pki::chain_with(KeyKind::P256, 3, |i, s| {
            if i == 0 {
                s.eku = Some((vec![eku::SERVER_AUTH], false))
            }
        });
        for format in Format::ALL {
            let bytes = envelope::sign(&chain, &EnvelopeSpec::new(format, &subject.descriptor));
            assert_eq!(
                integrity(format, &bytes).unwrap_err(),
                format!("certificate-chain is invalid, certificate with subject {LEAF}: extended key usage must not contain ServerAuth eku")
            );
        }
    }

    #[test]
    fn truncated_and_garbage_inputs_never_panic() {
        let subject = subject();
        let chain = pki::chain(KeyKind::P256, 2);
        for format in Format::ALL {
            let bytes = envelope::sign(&chain, &EnvelopeSpec::new(format, &subject.descriptor));
            for cut in 0..bytes.len() {
                assert!(
                    integrity(format, &bytes[..cut]).is_err(),
                    "{format:?} cut at {cut}"
                );
            }
            for i in (0..bytes.len()).step_by(7) {
                let mut b = bytes.clone();
                b[i] ^= 0xff;
                let _ = integrity(format, &b);
                if let Ok(env) = Envelope::parse(format.media_type(), &b) {
                    let _ = env.content();
                }
            }
        }
        assert_eq!(
            integrity(Format::Jws, b"").unwrap_err(),
            "unable to parse the digital signature, error : unexpected end of JSON input"
        );
        assert_eq!(
            integrity(Format::Jws, b"null").unwrap_err(),
            "certificate chain is not present"
        );
        assert_eq!(
            integrity(Format::Cose, b"").unwrap_err(),
            "unable to parse the digital signature, error : cbor: invalid COSE_Sign1_Tagged object"
        );
        assert_eq!(
            verify_integrity("application/octet-stream", b"{}").unwrap_err().to_string(),
            "unable to parse the digital signature, error : signature envelope format with media type \"application/octet-stream\" is not supported"
        );
    }

    #[test]
    fn random_mutations_never_panic_and_never_verify() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
        let subject = subject();
        let chain = pki::chain(KeyKind::P256, 2);
        for format in Format::ALL {
            let good = envelope::sign(&chain, &EnvelopeSpec::new(format, &subject.descriptor));
            let good_content = integrity(format, &good).unwrap();
            for _ in 0..1500 {
                let mut b = good.clone();
                for _ in 0..rng.gen_range(1..=4) {
                    let i = rng.gen_range(0..b.len());
                    b[i] = rng.gen();
                }
                if rng.gen_bool(0.1) {
                    b.truncate(rng.gen_range(0..b.len()));
                }
                // A mutation may hit only unsigned or ignored bytes; anything that still
                // verifies must carry the same signed content.
                if let Ok(content) = integrity(format, &b) {
                    assert_eq!(content.payload, good_content.payload);
                    assert_eq!(
                        content.signer_info.signed_attributes,
                        good_content.signer_info.signed_attributes
                    );
                    assert_eq!(
                        content.signer_info.certificate_chain[0],
                        good_content.signer_info.certificate_chain[0]
                    );
                }
            }
        }
    }

    #[test]
    fn deep_nesting_and_huge_chains() {
        let subject = subject();
        let chain = pki::chain(KeyKind::P256, 1);
        // An extended attribute nested 5000 deep is fine for Go (limit 10000) and here.
        let content = jws_with(
            |h| {
                let deep: Value =
                    serde_json::from_str(&("[".repeat(100) + &"]".repeat(100))).unwrap();
                h.insert("com.example.deep".into(), deep);
            },
            None,
        )
        .unwrap();
        assert_eq!(
            content
                .signer_info
                .signed_attributes
                .extended_attributes
                .len(),
            1
        );
        let spec = EnvelopeSpec::new(Format::Jws, &subject.descriptor);
        let header =
            serde_json::to_string(&envelope::jws_protected_header("ES256", &spec)).unwrap();
        let deep_header = format!(
            "{},\"com.example.deep\":{}{}}}",
            &header[..header.len() - 1],
            "[".repeat(5000),
            "]".repeat(5000)
        );
        let protected = URL_SAFE_NO_PAD.encode(&deep_header);
        let payload = URL_SAFE_NO_PAD.encode(&spec.payload);
        let sig = chain[0]
            .key
            .sign_envelope("ES256", format!("{protected}.{payload}").as_bytes());
        let bytes = serde_json::to_vec(&json!({"protected": protected, "payload": payload, "signature": URL_SAFE_NO_PAD.encode(sig), "header": {"x5c": [STANDARD.encode(&chain[0].der)]}})).unwrap();
        integrity(Format::Jws, &bytes).unwrap();
        // The envelope itself nested past Go's limit.
        let too_deep = format!(
            "{{\"header\":{}{}}}",
            "[".repeat(10_001),
            "]".repeat(10_001)
        );
        assert_eq!(
            integrity(Format::Jws, too_deep.as_bytes()).unwrap_err(),
            "unable to parse the digital signature, error : invalid character '[' exceeded max depth"
        );
        // A huge x5c: a clean chain error.
        let chain = pki::chain(KeyKind::P256, 3);
        let mut parts = envelope::sign_jws_parts(&chain, &spec);
        let mut x5c = vec![json!(STANDARD.encode(&chain[0].der))];
        x5c.extend(std::iter::repeat_n(
            json!(STANDARD.encode(&chain[1].der)),
            2000,
        ));
        x5c.push(json!(STANDARD.encode(&chain[2].der)));
        parts.header.insert("x5c".into(), Value::Array(x5c));
        let err = integrity(Format::Jws, &parts.to_bytes()).unwrap_err();
        assert!(
            err.starts_with(
                "certificate-chain is invalid, invalid certificates or certificate with subject"
            ),
            "{err}"
        );
    }

    #[test]
    fn expiry_offsets_are_kept_in_jws() {
        let subject = subject();
        let chain = pki::chain(KeyKind::P256, 1);
        let mut spec = EnvelopeSpec::new(Format::Jws, &subject.descriptor);
        spec.expiry = Some(at("2099-06-27T13:21:21+08:00"));
        let content = integrity(Format::Jws, &envelope::sign(&chain, &spec)).unwrap();
        let expiry = content.signer_info.signed_attributes.expiry.unwrap();
        assert_eq!(
            expiry.format("%a, %d %b %Y %H:%M:%S %z").to_string(),
            "Sat, 27 Jun 2099 13:21:21 +0800"
        );
    }
}
