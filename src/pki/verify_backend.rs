//! The fast path of the signature checks: aws-lc-rs (already linked as rustls' crypto provider)
//! for RSA PKCS#1 v1.5, RSASSA-PSS and ECDSA on P-256/384/521.
//!
//! The pure-Rust arithmetic of the `rsa` and `p256`/`p384`/`p521` crates was most of a
//! verification's CPU time (RSA's modular exponentiation alone 90% of an RSA chain's); AWS-LC
//! does the same mathematics in optimised code, several times faster.
//!
//! The division of labour keeps every verdict what it was:
//!
//! * the keys are parsed, and notation's and Go's rules applied (key types and sizes, curves,
//!   PSS parameters, signature encodings), by the RustCrypto code in `algorithm.rs`, before any
//!   function here is called;
//! * a function here answers `Some(valid)` only for inputs AWS-LC takes exactly as Go does: an
//!   RSA key of a size in AWS-LC's range for the scheme (1024–8192 bits; 2048 and up for
//!   SHA-384 and PSS) with an odd modulus and an odd exponent from 3 to 2³²−1, or a P-256/384/521
//!   key with a hash AWS-LC pairs with that curve. Within those bounds the only way to fail is
//!   the signature mathematics itself, where a correct implementation has no latitude;
//! * anything else is `None` (RSA under 1024 bits or over 8192, exotic exponents, ECDSA P-384
//!   with SHA-1, a JWS `ES256` signature by a P-384 key, which golang-jwt allows), and the
//!   caller runs the RustCrypto check as before. The error texts are the caller's either way.
//!
//! `tests` below cross-check both implementations on valid and corrupted signatures of every
//! scheme, and the upstream vectors, the corpus and the mutation oracle run through the whole
//! pipeline.
//!
//! RSASSA-PSS with the salt length read from the signature (Go's `PSSSaltLengthAuto`, which
//! golang-jwt uses for JWS `PS*`) has no counterpart in aws-lc-rs: its verifier takes a fixed
//! salt length (the hash length, the maximum, or a given number). notation signs with salt =
//! hash length, and a signature valid with that salt length is valid under auto-detection
//! too, so JWS tries that here first; a signature it rejects goes to the hand-written auto-salt
//! check, which alone decides (other salt lengths, and every failure).

use super::algorithm::{HashAlgorithm, PublicKey};
use aws_lc_rs::signature::{self, EcdsaVerificationAlgorithm, RsaParameters};
use rsa::traits::PublicKeyParts;
use rsa::RsaPublicKey;

/// The RSA signature padding a caller checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RsaPadding {
    /// PKCS#1 v1.5.
    Pkcs1v15,
    /// RSASSA-PSS, MGF1 with the same hash, salt length = hash length.
    PssSaltHashLength,
}

fn rsa_parameters(padding: RsaPadding, hash: HashAlgorithm) -> Option<&'static RsaParameters> {
    Some(match (padding, hash) {
        (RsaPadding::Pkcs1v15, HashAlgorithm::Sha1) => {
            &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY
        }
        (RsaPadding::Pkcs1v15, HashAlgorithm::Sha256) => {
            &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY
        }
        (RsaPadding::Pkcs1v15, HashAlgorithm::Sha384) => &signature::RSA_PKCS1_2048_8192_SHA384,
        (RsaPadding::Pkcs1v15, HashAlgorithm::Sha512) => {
            &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY
        }
        (RsaPadding::PssSaltHashLength, HashAlgorithm::Sha256) => {
            &signature::RSA_PSS_2048_8192_SHA256
        }
        (RsaPadding::PssSaltHashLength, HashAlgorithm::Sha384) => {
            &signature::RSA_PSS_2048_8192_SHA384
        }
        (RsaPadding::PssSaltHashLength, HashAlgorithm::Sha512) => {
            &signature::RSA_PSS_2048_8192_SHA512
        }
        (RsaPadding::PssSaltHashLength, HashAlgorithm::Sha1) => return None,
    })
}

/// Whether `sig` over `message` (hashed here with `hash`) is valid by `key`; `None` when the
/// key or scheme is outside what AWS-LC checks exactly as Go does.
pub(super) fn rsa_verify(
    key: &RsaPublicKey,
    padding: RsaPadding,
    hash: HashAlgorithm,
    message: &[u8],
    sig: &[u8],
) -> Option<bool> {
    let parameters = rsa_parameters(padding, hash)?;
    let bits = u32::try_from(key.n().bits()).ok()?;
    let e = key.e().to_bytes_be();
    if e.len() > 4 {
        return None;
    }
    let exponent = e.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b));
    let in_range = (parameters.min_modulus_len()..=parameters.max_modulus_len()).contains(&bits);
    let odd = |bytes: &[u8]| bytes.last().is_some_and(|b| b & 1 == 1);
    let n = key.n().to_bytes_be();
    if !in_range || !odd(&n) || exponent % 2 == 0 || !(3..=u64::from(u32::MAX)).contains(&exponent)
    {
        return None;
    }
    let components = signature::RsaPublicKeyComponents { n, e };
    Some(components.verify(parameters, message, sig).is_ok())
}

/// How an ECDSA signature is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EcdsaEncoding {
    /// `ECDSA-Sig-Value` DER (X.509, CMS, OCSP), already parsed by the caller as Go parses it.
    Der,
    /// `r‖s`, each the curve's size (JWS, COSE).
    Fixed,
}

fn ecdsa_algorithm(
    key: &PublicKey,
    hash: HashAlgorithm,
    encoding: EcdsaEncoding,
) -> Option<&'static EcdsaVerificationAlgorithm> {
    use EcdsaEncoding::{Der, Fixed};
    use HashAlgorithm::{Sha1, Sha256, Sha384, Sha512};
    Some(match (key, hash, encoding) {
        (PublicKey::P256(_), Sha1, Der) => &signature::ECDSA_P256_SHA1_ASN1,
        (PublicKey::P256(_), Sha256, Der) => &signature::ECDSA_P256_SHA256_ASN1,
        (PublicKey::P256(_), Sha384, Der) => &signature::ECDSA_P256_SHA384_ASN1,
        (PublicKey::P256(_), Sha512, Der) => &signature::ECDSA_P256_SHA512_ASN1,
        (PublicKey::P384(_), Sha256, Der) => &signature::ECDSA_P384_SHA256_ASN1,
        (PublicKey::P384(_), Sha384, Der) => &signature::ECDSA_P384_SHA384_ASN1,
        (PublicKey::P384(_), Sha512, Der) => &signature::ECDSA_P384_SHA512_ASN1,
        (PublicKey::P521(_), Sha1, Der) => &signature::ECDSA_P521_SHA1_ASN1,
        (PublicKey::P521(_), Sha256, Der) => &signature::ECDSA_P521_SHA256_ASN1,
        (PublicKey::P521(_), Sha384, Der) => &signature::ECDSA_P521_SHA384_ASN1,
        (PublicKey::P521(_), Sha512, Der) => &signature::ECDSA_P521_SHA512_ASN1,
        (PublicKey::P256(_), Sha256, Fixed) => &signature::ECDSA_P256_SHA256_FIXED,
        (PublicKey::P384(_), Sha384, Fixed) => &signature::ECDSA_P384_SHA384_FIXED,
        (PublicKey::P521(_), Sha512, Fixed) => &signature::ECDSA_P521_SHA512_FIXED,
        _ => return None,
    })
}

/// Whether `sig` over `message` (hashed here with `hash`) is valid by the EC `key`; `None`
/// for a pairing of curve, hash and encoding AWS-LC has no algorithm for.
pub(super) fn ecdsa_verify(
    key: &PublicKey,
    hash: HashAlgorithm,
    encoding: EcdsaEncoding,
    message: &[u8],
    sig: &[u8],
) -> Option<bool> {
    let algorithm = ecdsa_algorithm(key, hash, encoding)?;
    // The uncompressed point of the key the RustCrypto parser accepted, so that the parser
    // alone decides which encodings are keys.
    let point = match key {
        PublicKey::P256(vk) => vk.to_encoded_point(false).as_bytes().to_vec(),
        PublicKey::P384(vk) => vk.to_encoded_point(false).as_bytes().to_vec(),
        PublicKey::P521(vk) => vk.to_encoded_point(false).as_bytes().to_vec(),
        _ => return None,
    };
    Some(
        signature::UnparsedPublicKey::new(algorithm, point)
            .verify(message, sig)
            .is_ok(),
    )
}

#[cfg(test)]
mod tests {
    //! AWS-LC against the RustCrypto checks it stands in for, on valid signatures and on
    //! corrupted ones (every verdict must be the same, or `None`).
    use super::*;
    use ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::RsaPrivateKey;

    fn pem(name: &str) -> String {
        let path = format!("{}/fixtures/keys/{name}.pem", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path).unwrap()
    }

    /// The signature itself, then copies with one byte changed at spread-out positions, one
    /// cut short and one over another message.
    fn variants(sig: &[u8]) -> Vec<(Vec<u8>, &'static [u8])> {
        let mut out = vec![(sig.to_vec(), b"message".as_slice())];
        for i in (0..sig.len()).step_by(sig.len() / 12 + 1) {
            let mut s = sig.to_vec();
            s[i] ^= 0x01;
            out.push((s, b"message"));
        }
        out.push((sig[..sig.len() - 1].to_vec(), b"message"));
        out.push((sig.to_vec(), b"messagf"));
        out
    }

    #[test]
    fn rsa_verdicts_match_the_rsa_crate() {
        let mut rng = rand::thread_rng();
        for name in ["rsa1024-leaf", "rsa2048-leaf", "rsa3072-leaf"] {
            let private = RsaPrivateKey::from_pkcs8_pem(&pem(name)).unwrap();
            let public = private.to_public_key();
            let digest = HashAlgorithm::Sha256.digest(b"message");
            let pkcs1 = private
                .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &digest)
                .unwrap();
            let pss = private
                .sign_with_rng(&mut rng, rsa::Pss::new::<sha2::Sha256>(), &digest)
                .unwrap();
            for (padding, sig) in [
                (RsaPadding::Pkcs1v15, pkcs1),
                (RsaPadding::PssSaltHashLength, pss),
            ] {
                for (i, (s, message)) in variants(&sig).into_iter().enumerate() {
                    let d = HashAlgorithm::Sha256.digest(message);
                    let reference = match padding {
                        RsaPadding::Pkcs1v15 => public
                            .verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &d, &s)
                            .is_ok(),
                        RsaPadding::PssSaltHashLength => public
                            .verify(rsa::Pss::new::<sha2::Sha256>(), &d, &s)
                            .is_ok(),
                    };
                    let fast = rsa_verify(&public, padding, HashAlgorithm::Sha256, message, &s);
                    assert_eq!(reference, i == 0, "{name} {padding:?} variant {i}");
                    match (name, padding) {
                        // PSS needs 2048 bits in AWS-LC: the RustCrypto check answers.
                        ("rsa1024-leaf", RsaPadding::PssSaltHashLength) => {
                            assert_eq!(fast, None)
                        }
                        _ => assert_eq!(fast, Some(reference), "{name} {padding:?} variant {i}"),
                    }
                }
            }
        }
    }

    macro_rules! ecdsa_case {
        ($curve:ident, $name:literal, $variant:ident, $hash:expr) => {{
            let secret = $curve::SecretKey::from_pkcs8_pem(&pem($name)).unwrap();
            let signing = $curve::ecdsa::SigningKey::from_bytes(&secret.to_bytes()).unwrap();
            let verifying = $curve::ecdsa::VerifyingKey::from(&signing);
            let key = PublicKey::$variant(verifying.clone());
            let digest = $hash.digest(b"message");
            let sig: $curve::ecdsa::Signature = signing.sign_prehash(&digest).unwrap();
            for (encoding, bytes) in [
                (EcdsaEncoding::Fixed, sig.to_bytes().to_vec()),
                (EcdsaEncoding::Der, sig.to_der().as_bytes().to_vec()),
            ] {
                for (i, (s, message)) in variants(&bytes).into_iter().enumerate() {
                    let d = $hash.digest(message);
                    let parsed = match encoding {
                        EcdsaEncoding::Fixed => $curve::ecdsa::Signature::from_slice(&s).ok(),
                        EcdsaEncoding::Der => $curve::ecdsa::Signature::from_der(&s).ok(),
                    };
                    let reference =
                        parsed.is_some_and(|p| verifying.verify_prehash(&d, &p).is_ok());
                    assert_eq!(reference, i == 0, "{} {encoding:?} variant {i}", $name);
                    // A DER signature AWS-LC sees was parsed by Go's rules first.
                    if encoding == EcdsaEncoding::Der && parsed.is_none() {
                        continue;
                    }
                    let fast = ecdsa_verify(&key, $hash, encoding, message, &s);
                    assert_eq!(fast, Some(reference), "{} {encoding:?} variant {i}", $name);
                }
            }
        }};
    }

    #[test]
    fn ecdsa_verdicts_match_the_rustcrypto_curves() {
        use p256::pkcs8::DecodePrivateKey as _;
        ecdsa_case!(p256, "p256-leaf", P256, HashAlgorithm::Sha256);
        ecdsa_case!(p384, "p384-leaf", P384, HashAlgorithm::Sha384);
        ecdsa_case!(p521, "p521-leaf", P521, HashAlgorithm::Sha512);
    }

    #[test]
    fn pairings_without_an_aws_lc_algorithm_are_left_to_the_caller() {
        use p256::pkcs8::DecodePrivateKey as _;
        let secret = p384::SecretKey::from_pkcs8_pem(&pem("p384-leaf")).unwrap();
        let key = PublicKey::P384(p384::ecdsa::VerifyingKey::from(secret.public_key()));
        let none = |hash, encoding| ecdsa_verify(&key, hash, encoding, b"m", &[0; 64]);
        assert_eq!(none(HashAlgorithm::Sha1, EcdsaEncoding::Der), None);
        assert_eq!(none(HashAlgorithm::Sha256, EcdsaEncoding::Fixed), None);
    }
}
