use super::rustcrypto::{mgf1, rsa_pss_verify_auto_salt};
use super::*;
use der::Decode;
use rsa::{BigUint, RsaPublicKey};
use spki::AlgorithmIdentifierOwned;

/// Key OIDs the tests build SPKIs with (key parsing itself lives in `pki::key`).
mod key_oid {
    use const_oid::ObjectIdentifier;
    pub(super) const EC_PUBLIC_KEY: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
    pub(super) const DSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");
    pub(super) const SECP256R1: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
    pub(super) const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
    pub(super) const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
}
use der::asn1::BitString;
use der::Encode;
use ecdsa::signature::hazmat::PrehashSigner;
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use rsa::RsaPrivateKey;

fn key_pem(name: &str) -> String {
    let path = format!("{}/fixtures/keys/{name}.pem", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap()
}

fn rsa_key(name: &str) -> RsaPrivateKey {
    RsaPrivateKey::from_pkcs8_pem(&key_pem(name)).unwrap()
}

fn rsa_spki(key: &RsaPrivateKey) -> SubjectPublicKeyInfoOwned {
    let der = key.to_public_key().to_public_key_der().unwrap();
    SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).unwrap()
}

fn ec_spki(curve: ObjectIdentifier, point: &[u8]) -> SubjectPublicKeyInfoOwned {
    SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: key_oid::EC_PUBLIC_KEY,
            parameters: Some(der::Any::from_der(&curve.to_der().unwrap()).unwrap()),
        },
        subject_public_key: BitString::from_bytes(point).unwrap(),
    }
}

fn spki_of_pem(name: &str) -> SubjectPublicKeyInfoOwned {
    // Private key PEM -> PrivateKeyInfo; the public key comes from the matching typed key.
    match name {
        n if n.starts_with("rsa") => rsa_spki(&rsa_key(n)),
        n if n.starts_with("p256") => {
            let sk = p256::SecretKey::from_pkcs8_pem(&key_pem(n)).unwrap();
            ec_spki(key_oid::SECP256R1, sk.public_key().to_sec1_bytes().as_ref())
        }
        n if n.starts_with("p384") => {
            let sk = p384::SecretKey::from_pkcs8_pem(&key_pem(n)).unwrap();
            ec_spki(key_oid::SECP384R1, sk.public_key().to_sec1_bytes().as_ref())
        }
        n if n.starts_with("p521") => {
            let sk = p521::SecretKey::from_pkcs8_pem(&key_pem(n)).unwrap();
            ec_spki(key_oid::SECP521R1, sk.public_key().to_sec1_bytes().as_ref())
        }
        // The RustCrypto stack here has no P-224 or Ed25519 arithmetic: the public keys of
        // these fixtures as `openssl pkey -pubout -outform der` writes them.
        "p224-leaf" => SubjectPublicKeyInfoOwned::from_der(&hex::decode(
            "304e301006072a8648ce3d020106052b81040021033a000443e584311408c2901c45dfeab3f0dcc9926fcd4a536be151c8f7e0af38955e48839233cdf9e429826f6ee8499ef539c8b9c66f5e2f3b1ba5",
        ).unwrap())
        .unwrap(),
        "ed25519-leaf" => SubjectPublicKeyInfoOwned::from_der(&hex::decode(
            "302a300506032b6570032100672db92d646434db542a9479280601ee0f64208288f61fecd711927aea8872de",
        ).unwrap())
        .unwrap(),
        n => panic!("no public key for {n}"),
    }
}

#[test]
fn names_ids_and_numbers_follow_notation() {
    let table = [
        ("PS256", -37, 1),
        ("PS384", -38, 2),
        ("PS512", -39, 3),
        ("ES256", -7, 4),
        ("ES384", -35, 5),
        ("ES512", -36, 6),
    ];
    for (alg, (name, id, n)) in SignatureAlgorithm::ALL.into_iter().zip(table) {
        assert_eq!(alg.jws_name(), name);
        assert_eq!(alg.cose_id(), id);
        assert_eq!(alg.number(), n);
        assert_eq!(SignatureAlgorithm::from_jws_name(name), Some(alg));
        assert_eq!(SignatureAlgorithm::from_cose_id(id), Some(alg));
    }
    assert_eq!(SignatureAlgorithm::from_jws_name("ps256"), None);
    assert_eq!(SignatureAlgorithm::from_jws_name("RS256"), None);
    assert_eq!(SignatureAlgorithm::from_cose_id(-8), None);
}

#[test]
fn key_rules_pick_the_algorithm_or_reject_with_notations_text() {
    let cases = [
        ("rsa2048-leaf", Ok(SignatureAlgorithm::Ps256)),
        ("rsa3072-leaf", Ok(SignatureAlgorithm::Ps384)),
        ("rsa4096-leaf", Ok(SignatureAlgorithm::Ps512)),
        ("p256-leaf", Ok(SignatureAlgorithm::Es256)),
        ("p384-leaf", Ok(SignatureAlgorithm::Es384)),
        ("p521-leaf", Ok(SignatureAlgorithm::Es512)),
        (
            "rsa1024-leaf",
            Err("rsa key size 1024 bits is not supported"),
        ),
        ("p224-leaf", Err("ecdsa key size 224 bits is not supported")),
        ("ed25519-leaf", Err("unsupported public key type")),
    ];
    for (name, want) in cases {
        let got = SignatureAlgorithm::for_spki(&spki_of_pem(name)).map_err(|e| e.to_string());
        assert_eq!(got, want.map_err(str::to_string), "{name}");
    }
}

#[test]
fn rsa_size_counts_modulus_bytes() {
    // A 2047-bit modulus occupies 256 bytes, so notation counts it as 2048.
    let mut rng = rand::thread_rng();
    let key = RsaPrivateKey::new(&mut rng, 2047).unwrap();
    assert_eq!(
        SignatureAlgorithm::for_spki(&rsa_spki(&key)),
        Ok(SignatureAlgorithm::Ps256)
    );
}

fn pss_sign(key: &RsaPrivateKey, hash: HashAlgorithm, msg: &[u8], salt: usize) -> Vec<u8> {
    let mut rng = rand::thread_rng();
    let digest = hash.digest(msg);
    let scheme = match hash {
        HashAlgorithm::Sha256 => rsa::Pss::new_with_salt::<Sha256>(salt),
        HashAlgorithm::Sha384 => rsa::Pss::new_with_salt::<Sha384>(salt),
        HashAlgorithm::Sha512 => rsa::Pss::new_with_salt::<Sha512>(salt),
        HashAlgorithm::Sha1 => rsa::Pss::new_with_salt::<sha1::Sha1>(salt),
    };
    key.sign_with_rng(&mut rng, scheme, &digest).unwrap()
}

#[test]
fn jws_pss_accepts_any_salt_cose_pss_only_hash_length() {
    let cases = [
        ("rsa2048-leaf", SignatureAlgorithm::Ps256),
        ("rsa3072-leaf", SignatureAlgorithm::Ps384),
        ("rsa4096-leaf", SignatureAlgorithm::Ps512),
    ];
    for (name, alg) in cases {
        let key = rsa_key(name);
        let public = PublicKey::from_spki(&rsa_spki(&key)).unwrap();
        let msg = b"protected.payload";
        let h = alg.hash().output_len();
        let max_salt = key.size() - h - 2;
        for salt in [h, 0, 20, max_salt] {
            let sig = pss_sign(&key, alg.hash(), msg, salt);
            assert_eq!(
                verify_jws_signature(alg, &public, msg, &sig),
                Ok(()),
                "{name} salt {salt}"
            );
            let cose = verify_cose_signature(alg, &public, msg, &sig);
            assert_eq!(cose.is_ok(), salt == h, "{name} salt {salt}");
            // The same signature under the ECDSA algorithm of the same hash is refused.
            let ecdsa = match alg {
                SignatureAlgorithm::Ps256 => SignatureAlgorithm::Es256,
                SignatureAlgorithm::Ps384 => SignatureAlgorithm::Es384,
                _ => SignatureAlgorithm::Es512,
            };
            assert!(verify_cose_signature(ecdsa, &public, msg, &sig).is_err());
            assert!(verify_jws_signature(ecdsa, &public, msg, &sig).is_err());
            let mut tampered = sig.clone();
            tampered[10] ^= 1;
            assert_eq!(
                verify_jws_signature(alg, &public, msg, &tampered)
                    .unwrap_err()
                    .to_string(),
                "crypto/rsa: verification error"
            );
            assert!(verify_jws_signature(alg, &public, b"protected.payloaD", &sig).is_err());
        }
        // Truncated and overlong signatures.
        let sig = pss_sign(&key, alg.hash(), msg, h);
        assert!(verify_jws_signature(alg, &public, msg, &sig[1..]).is_err());
        assert!(verify_jws_signature(alg, &public, msg, &[sig.clone(), vec![0]].concat()).is_err());
        assert!(verify_jws_signature(alg, &public, msg, &[]).is_err());
        assert!(verify_cose_signature(alg, &public, msg, &[]).is_err());
    }
}

fn ec_sign(name: &str, hash: HashAlgorithm, msg: &[u8]) -> (PublicKey, Vec<u8>, Vec<u8>) {
    let digest = hash.digest(msg);
    let spki = spki_of_pem(name);
    let pk = PublicKey::from_spki(&spki).unwrap();
    let (raw, der) = if name.starts_with("p256") {
        let sk = p256::ecdsa::SigningKey::from_pkcs8_pem(&key_pem(name)).unwrap();
        let sig: p256::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
        (sig.to_bytes().to_vec(), sig.to_der().as_bytes().to_vec())
    } else if name.starts_with("p384") {
        let sk = p384::ecdsa::SigningKey::from_pkcs8_pem(&key_pem(name)).unwrap();
        let sig: p384::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
        (sig.to_bytes().to_vec(), sig.to_der().as_bytes().to_vec())
    } else {
        let secret = p521::SecretKey::from_pkcs8_pem(&key_pem(name)).unwrap();
        let sk = p521::ecdsa::SigningKey::from_bytes(&secret.to_bytes()).unwrap();
        let sig: p521::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
        (sig.to_bytes().to_vec(), sig.to_der().as_bytes().to_vec())
    };
    (pk, raw, der)
}

#[test]
fn an_ecdsa_signature_offered_under_an_rsa_algorithm_is_refused() {
    use SignatureAlgorithm::{Es256, Es384, Es512, Ps256, Ps384, Ps512};
    let msg = b"protected.payload";
    for (name, ecdsa, rsa) in [
        ("p256-leaf", Es256, Ps256),
        ("p384-leaf", Es384, Ps384),
        ("p521-leaf", Es512, Ps512),
    ] {
        let (public, raw, _) = ec_sign(name, ecdsa.hash(), msg);
        assert_eq!(verify_cose_signature(ecdsa, &public, msg, &raw), Ok(()));
        assert!(verify_cose_signature(rsa, &public, msg, &raw).is_err());
        assert!(verify_jws_signature(rsa, &public, msg, &raw).is_err());
    }
}

/// `s^d mod n` over an encoded message of our choosing, padded to the key size.
fn raw_rsa_sign(key: &RsaPrivateKey, em: &[u8]) -> Vec<u8> {
    use rsa::traits::PrivateKeyParts;
    let s = BigUint::from_bytes_be(em).modpow(key.d(), key.n());
    let mut out = s.to_bytes_be();
    out.splice(0..0, std::iter::repeat_n(0, key.size() - out.len()));
    out
}

#[test]
fn jws_pss_encoding_rules_as_in_go() {
    let key = rsa_key("rsa2048-leaf");
    let public = key.to_public_key();
    let msg = b"protected.payload";
    let digest = HashAlgorithm::Sha256.digest(msg);
    let good = pss_sign(&key, HashAlgorithm::Sha256, msg, 32);
    assert_eq!(
        rsa_pss_verify_auto_salt(&public, HashAlgorithm::Sha256, &digest, &good),
        Ok(())
    );
    // The same encoded message with a trailer other than 0xbc.
    let mut em = BigUint::from_bytes_be(&good)
        .modpow(public.e(), public.n())
        .to_bytes_be();
    if let Some(last) = em.last_mut() {
        *last = 0xbd;
    }
    let bad_trailer = raw_rsa_sign(&key, &em);
    assert_eq!(
        rsa_pss_verify_auto_salt(&public, HashAlgorithm::Sha256, &digest, &bad_trailer),
        Err(())
    );
    // A modulus too short for the hash and the trailer (e = 1, so the signature is the
    // encoded message: a 0xbc trailer and a clear top bit).
    let tiny = RsaPublicKey::new_unchecked(BigUint::from_bytes_be(&[0xff; 32]), 1u8.into());
    let mut em = vec![0x01; 32];
    em[31] = 0xbc;
    assert_eq!(
        rsa_pss_verify_auto_salt(&tiny, HashAlgorithm::Sha256, &digest, &em),
        Err(())
    );
    // The shortest modulus PSS over SHA-256 fits: 34 bytes, so a one-byte DB and no salt
    // (e = 1 again, the encoded message built by hand).
    let mut m_prime = vec![0u8; 8];
    m_prime.extend_from_slice(&digest);
    let h = HashAlgorithm::Sha256.digest(&m_prime);
    let mut em = mgf1(HashAlgorithm::Sha256, &h, 1);
    em[0] = (em[0] ^ 0x01) & 0x7f;
    em.extend_from_slice(&h);
    em.push(0xbc);
    let shortest = RsaPublicKey::new_unchecked(BigUint::from_bytes_be(&[0xff; 34]), 1u8.into());
    assert_eq!(
        rsa_pss_verify_auto_salt(&shortest, HashAlgorithm::Sha256, &digest, &em),
        Ok(())
    );
    // A modulus of 8n + 1 bits: the encoded message is one byte shorter than the key, the
    // byte in front of it must be zero, and all 8 bits of its first byte count (pick a
    // signature whose top bit is set; a salt is random, so half of them have it).
    let odd = RsaPrivateKey::new(&mut rand::thread_rng(), 2049).unwrap();
    let top_bit_set = |signature: &[u8]| {
        let m = BigUint::from_bytes_be(signature).modpow(odd.e(), odd.n());
        m.bits() == 2048
    };
    let signature = std::iter::repeat_with(|| pss_sign(&odd, HashAlgorithm::Sha256, msg, 32))
        .find(|s| top_bit_set(s))
        .unwrap();
    assert_eq!(
        rsa_pss_verify_auto_salt(
            &odd.to_public_key(),
            HashAlgorithm::Sha256,
            &digest,
            &signature
        ),
        Ok(())
    );
}

#[test]
fn jws_and_cose_ecdsa_need_exact_raw_length() {
    let cases = [
        ("p256-leaf", SignatureAlgorithm::Es256),
        ("p384-leaf", SignatureAlgorithm::Es384),
        ("p521-leaf", SignatureAlgorithm::Es512),
    ];
    for (name, alg) in cases {
        let msg = b"header.payload";
        let (pk, raw, der) = ec_sign(name, alg.hash(), msg);
        assert_eq!(verify_jws_signature(alg, &pk, msg, &raw), Ok(()), "{name}");
        assert_eq!(verify_cose_signature(alg, &pk, msg, &raw), Ok(()), "{name}");
        let err = verify_jws_signature(alg, &pk, msg, &der).unwrap_err();
        assert_eq!(err.to_string(), "crypto/ecdsa: verification error");
        assert_eq!(
            verify_cose_signature(alg, &pk, msg, &der)
                .unwrap_err()
                .to_string(),
            "verification error"
        );
        let mut tampered = raw.clone();
        tampered[5] ^= 0x40;
        assert!(verify_jws_signature(alg, &pk, msg, &tampered).is_err());
        assert!(verify_jws_signature(alg, &pk, b"header.payloaD", &raw).is_err());
    }
}

#[test]
fn jws_key_type_errors_are_golang_jwts() {
    let rsa = PublicKey::from_spki(&spki_of_pem("rsa2048-leaf")).unwrap();
    let ec = PublicKey::from_spki(&spki_of_pem("p256-leaf")).unwrap();
    let ed = PublicKey::from_spki(&spki_of_pem("ed25519-leaf")).unwrap();
    let sig = [0u8; 64];
    assert_eq!(
        verify_jws_signature(SignatureAlgorithm::Ps256, &ec, b"x", &sig)
            .unwrap_err()
            .to_string(),
        "key is invalid"
    );
    assert_eq!(
        verify_jws_signature(SignatureAlgorithm::Es256, &rsa, b"x", &sig)
            .unwrap_err()
            .to_string(),
        "key is of invalid type"
    );
    assert_eq!(
        verify_jws_signature(SignatureAlgorithm::Es256, &ed, b"x", &sig)
            .unwrap_err()
            .to_string(),
        "key is of invalid type"
    );
}

#[test]
fn jws_es_uses_the_algorithms_hash_on_the_keys_curve() {
    // golang-jwt does not compare curve and method: ES256 with a P-384 key verifies when
    // r and s fit 32 bytes. Here they do not, which must be a clean verification error.
    let msg = b"a.b";
    let (pk, raw, _) = ec_sign("p384-leaf", HashAlgorithm::Sha256, msg);
    assert_eq!(
        verify_jws_signature(SignatureAlgorithm::Es384, &pk, msg, &raw).unwrap_err(),
        JwsSignatureError::Ecdsa
    );
}

fn alg_id(oid: ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

#[test]
fn x509_rsa_pkcs1_and_sha1_policy() {
    let key = rsa_key("rsa2048-root");
    let spki = rsa_spki(&key);
    let data = b"tbs certificate bytes";
    for (oid, hash) in [
        (oid::SHA256_WITH_RSA, HashAlgorithm::Sha256),
        (oid::SHA384_WITH_RSA, HashAlgorithm::Sha384),
        (oid::SHA512_WITH_RSA, HashAlgorithm::Sha512),
    ] {
        let digest = hash.digest(data);
        let padding = match hash {
            HashAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
            HashAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
            _ => rsa::Pkcs1v15Sign::new::<Sha512>(),
        };
        let sig = key.sign(padding, &digest).unwrap();
        assert_eq!(
            verify_x509_signature(&alg_id(oid), &spki, data, &sig),
            Ok(())
        );
        assert_eq!(
            verify_x509_signature(&alg_id(oid), &spki, b"other", &sig)
                .unwrap_err()
                .to_string(),
            "crypto/rsa: verification error"
        );
    }
    let sha1_sig = key
        .sign(
            rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
            &HashAlgorithm::Sha1.digest(data),
        )
        .unwrap();
    let sha1 = alg_id(oid::SHA1_WITH_RSA);
    assert_eq!(verify_x509_signature(&sha1, &spki, data, &sha1_sig), Ok(()));
    assert_eq!(
        verify_x509_signature_with(&sha1, &spki, data, &sha1_sig, Sha1Policy::Reject)
            .unwrap_err()
            .to_string(),
        "x509: cannot verify signature: insecure algorithm SHA1-RSA"
    );
    // Go refuses the other SHA-1 algorithms on chain links by name, before looking at keys.
    for (oid, name) in [
        (oid::ECDSA_WITH_SHA1, "ECDSA-SHA1"),
        (oid::DSA_WITH_SHA1, "DSA-SHA1"),
    ] {
        assert_eq!(
            verify_x509_signature_with(&alg_id(oid), &spki, data, &sha1_sig, Sha1Policy::Reject)
                .unwrap_err()
                .to_string(),
            format!("x509: cannot verify signature: insecure algorithm {name}")
        );
    }
    assert_eq!(
        verify_x509_signature(&alg_id(oid::MD5_WITH_RSA), &spki, data, &sha1_sig)
            .unwrap_err()
            .to_string(),
        "x509: cannot verify signature: insecure algorithm MD5-RSA"
    );
    assert_eq!(
        verify_x509_signature(
            &alg_id(ObjectIdentifier::new_unwrap("1.2.3.4")),
            &spki,
            data,
            &sha1_sig
        )
        .unwrap_err()
        .to_string(),
        "x509: cannot verify signature: algorithm unimplemented"
    );
    assert_eq!(
        verify_x509_signature(&alg_id(oid::ECDSA_WITH_SHA256), &spki, data, &sha1_sig)
            .unwrap_err()
            .to_string(),
        "x509: signature algorithm specifies an ECDSA public key, but have public key of type *rsa.PublicKey"
    );
}

#[test]
fn keys_of_other_types_are_named_by_their_go_type() {
    let ed25519 = spki_of_pem("ed25519-leaf");
    // DSA keys are only named, never used: y = 1 and p = q = g = 1 parse as Go parses them.
    let dsa = SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: key_oid::DSA,
            parameters: Some(der::Any::from_der(&[0x30, 9, 2, 1, 1, 2, 1, 1, 2, 1, 1]).unwrap()),
        },
        subject_public_key: BitString::from_bytes(&[2, 1, 1]).unwrap(),
    };
    for (spki, go_type) in [(ed25519, "ed25519.PublicKey"), (dsa, "*dsa.PublicKey")] {
        let err = verify_x509_signature(&alg_id(oid::SHA256_WITH_RSA), &spki, b"tbs", b"sig")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("x509: signature algorithm specifies an RSA public key, but have public key of type {go_type}")
        );
    }
}

#[test]
fn x509_rsassa_pss_over_each_sha2_hash_but_not_sha1() {
    let key = rsa_key("rsa3072-root");
    let spki = rsa_spki(&key);
    let data = b"tbs";
    let cases = [
        (
            HashAlgorithm::Sha256,
            rsa::pss::get_default_pss_signature_algo_id::<Sha256>(),
        ),
        (
            HashAlgorithm::Sha384,
            rsa::pss::get_default_pss_signature_algo_id::<Sha384>(),
        ),
        (
            HashAlgorithm::Sha512,
            rsa::pss::get_default_pss_signature_algo_id::<Sha512>(),
        ),
    ];
    for (hash, alg) in cases {
        let signature = pss_sign(&key, hash, data, hash.output_len());
        assert_eq!(
            verify_x509_signature(&alg.unwrap(), &spki, data, &signature),
            Ok(()),
            "{hash:?}"
        );
    }
    let sha1 = rsa::pss::get_default_pss_signature_algo_id::<sha1::Sha1>().unwrap();
    let signature = pss_sign(&key, HashAlgorithm::Sha1, data, 20);
    assert_eq!(
        verify_x509_signature(&sha1, &spki, data, &signature).unwrap_err(),
        X509SignatureError::Unsupported
    );
}

#[test]
fn x509_rsassa_pss_with_parameters() {
    let key = rsa_key("rsa3072-root");
    let spki = rsa_spki(&key);
    let data = b"tbs";
    let alg = rsa::pss::get_default_pss_signature_algo_id::<Sha384>().unwrap();
    let good = pss_sign(&key, HashAlgorithm::Sha384, data, 48);
    assert_eq!(verify_x509_signature(&alg, &spki, data, &good), Ok(()));
    // Go insists on salt = hash length.
    let short_salt = pss_sign(&key, HashAlgorithm::Sha384, data, 20);
    assert!(verify_x509_signature(&alg, &spki, data, &short_salt).is_err());
    // Parameters naming a salt other than the hash length are an unknown algorithm to Go.
    let params = rsa::pkcs1::RsaPssParams::new::<Sha384>(20);
    let odd = AlgorithmIdentifierOwned {
        oid: oid::RSASSA_PSS,
        parameters: Some(der::Any::encode_from(&params).unwrap()),
    };
    assert_eq!(
        verify_x509_signature(&odd, &spki, data, &short_salt).unwrap_err(),
        X509SignatureError::Unsupported
    );
    assert_eq!(
        verify_x509_signature(&alg_id(oid::RSASSA_PSS), &spki, data, &good).unwrap_err(),
        X509SignatureError::Unsupported
    );
}

#[test]
fn short_digests_on_large_curves_verify_as_in_go() {
    let data = b"crl bytes";
    for (name, hash, oid) in [
        ("p521-root", HashAlgorithm::Sha256, oid::ECDSA_WITH_SHA256),
        ("p384-root", HashAlgorithm::Sha1, oid::ECDSA_WITH_SHA1),
    ] {
        let digest = hash.digest(data);
        let spki = spki_of_pem(name);
        let der = if name.starts_with("p521") {
            let secret = p521::SecretKey::from_pkcs8_pem(&key_pem(name)).unwrap();
            let sk = p521::ecdsa::SigningKey::from_bytes(&secret.to_bytes()).unwrap();
            let mut padded = vec![0u8; 33 - digest.len()];
            padded.extend_from_slice(&digest);
            let sig: p521::ecdsa::Signature = sk.sign_prehash(&padded).unwrap();
            sig.to_der().as_bytes().to_vec()
        } else {
            let sk = p384::ecdsa::SigningKey::from_pkcs8_pem(&key_pem(name)).unwrap();
            let mut padded = vec![0u8; 24 - digest.len()];
            padded.extend_from_slice(&digest);
            let sig: p384::ecdsa::Signature = sk.sign_prehash(&padded).unwrap();
            sig.to_der().as_bytes().to_vec()
        };
        assert_eq!(
            verify_x509_signature(&alg_id(oid), &spki, data, &der),
            Ok(()),
            "{name}"
        );
        assert!(verify_x509_signature(&alg_id(oid), &spki, b"other", &der).is_err());
    }
}

#[test]
fn x509_ecdsa_hash_comes_from_the_oid_not_the_curve() {
    let data = b"signed attributes";
    let (_, _, der) = ec_sign("p384-root", HashAlgorithm::Sha256, data);
    let spki = spki_of_pem("p384-root");
    assert_eq!(
        verify_x509_signature(&alg_id(oid::ECDSA_WITH_SHA256), &spki, data, &der),
        Ok(())
    );
    assert_eq!(
        verify_x509_signature(&alg_id(oid::ECDSA_WITH_SHA384), &spki, data, &der)
            .unwrap_err()
            .to_string(),
        "x509: ECDSA verification failure"
    );
    for name in ["p256-root", "p521-root"] {
        let (_, raw, der) = ec_sign(name, HashAlgorithm::Sha512, data);
        let spki = spki_of_pem(name);
        let alg = alg_id(oid::ECDSA_WITH_SHA512);
        assert_eq!(
            verify_x509_signature(&alg, &spki, data, &der),
            Ok(()),
            "{name}"
        );
        // Raw r||s is not DER.
        assert!(verify_x509_signature(&alg, &spki, data, &raw).is_err());
        // Trailing bytes after the SEQUENCE are refused.
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(verify_x509_signature(&alg, &spki, data, &trailing).is_err());
    }
    let rsa_spki = spki_of_pem("rsa2048-root");
    assert_eq!(
        verify_x509_signature(&alg_id(oid::SHA256_WITH_RSA), &spki, data, &der)
            .unwrap_err()
            .to_string(),
        "x509: signature algorithm specifies an RSA public key, but have public key of type *ecdsa.PublicKey"
    );
    assert!(verify_x509_signature(&alg_id(oid::ECDSA_WITH_SHA256), &rsa_spki, data, &der).is_err());
}
