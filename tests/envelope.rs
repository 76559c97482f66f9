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

/// Integrity-relevant parts of the upstream vectors (tests/vectors/upstream/cases.json).
mod upstream {
    use fluxverify::envelope::payload::Payload;
    use fluxverify::envelope::{verify_integrity, Envelope, SigningScheme};
    use serde_json::Value;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/upstream/");

    fn cases() -> Vec<Value> {
        let text = std::fs::read_to_string(format!("{DIR}cases.json")).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        doc["cases"].as_array().unwrap().clone()
    }

    fn read(rel: &str) -> Vec<u8> {
        std::fs::read(format!("{DIR}{rel}")).unwrap()
    }

    /// Every case that names an envelope and whose observed run reached integrity: the same
    /// integrity verdict and text; where nothing failed, the payload names the target.
    #[test]
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
        let layout = format!("{DIR}notation/test/e2e/testdata/registry/oci_layout/e2e-expired-signature/blobs/sha256/");
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
