//! The envelope signature checks: JWS as golang-jwt v4 verifies it, COSE as go-cose v1.3 does.

use super::rustcrypto::{ecdsa_verify_raw, rsa_pss_verify_auto_salt, rsa_pss_verify_strict};
use super::{PublicKey, SignatureAlgorithm};
use crate::pki::key::go_rsa_key_check;
use crate::pki::verify_backend::{self as backend, EcdsaEncoding, RsaPadding};

/// Why a JWS signature check failed, worded as golang-jwt v4 words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsSignatureError {
    /// PS* with a non-RSA key (golang-jwt `ErrInvalidKey`).
    #[error("key is invalid")]
    InvalidKey,
    /// ES* with a non-ECDSA key (golang-jwt `ErrInvalidKeyType`).
    #[error("key is of invalid type")]
    InvalidKeyType,
    /// A key Go's `crypto/rsa` refuses to verify with (even modulus or exponent, ...).
    #[error("{0}")]
    RsaKey(String),
    /// RSASSA-PSS check failed (Go `rsa.ErrVerification`).
    #[error("crypto/rsa: verification error")]
    Rsa,
    /// ECDSA check failed, including a signature of the wrong length.
    #[error("crypto/ecdsa: verification error")]
    Ecdsa,
}

/// Verify a JWS signature as golang-jwt v4 does: PS* use RSASSA-PSS with the salt length
/// detected from the signature (`PSSSaltLengthAuto`), ES* need raw `r‖s` of exactly twice the
/// algorithm's key size (32/48/66 bytes), with the hash of the algorithm and the curve of the
/// key, which golang-jwt does not compare.
pub fn verify_jws_signature(
    alg: SignatureAlgorithm,
    key: &PublicKey,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<(), JwsSignatureError> {
    if alg.is_rsa() {
        let PublicKey::Rsa(rsa) = key else {
            return Err(JwsSignatureError::InvalidKey);
        };
        go_rsa_key_check(rsa).map_err(JwsSignatureError::RsaKey)?;
        // Salt = hash length first (what notation signs with), on AWS-LC; see verify_backend.
        if let Some(true) = backend::rsa_verify(
            rsa,
            RsaPadding::PssSaltHashLength,
            alg.hash(),
            signing_input,
            signature,
        ) {
            return Ok(());
        }
        let digest = alg.hash().digest(signing_input);
        return rsa_pss_verify_auto_salt(rsa, alg.hash(), &digest, signature)
            .map_err(|()| JwsSignatureError::Rsa);
    }
    if !key.is_ecdsa() {
        return Err(JwsSignatureError::InvalidKeyType);
    }
    let half = match alg {
        SignatureAlgorithm::Es256 => 32,
        SignatureAlgorithm::Es384 => 48,
        _ => 66,
    };
    if signature.len() != 2 * half {
        return Err(JwsSignatureError::Ecdsa);
    }
    match backend::ecdsa_verify(
        key,
        alg.hash(),
        EcdsaEncoding::Fixed,
        signing_input,
        signature,
    ) {
        Some(true) => return Ok(()),
        Some(false) => return Err(JwsSignatureError::Ecdsa),
        None => {}
    }
    let digest = alg.hash().digest(signing_input);
    let (r, s) = signature.split_at(half);
    if ecdsa_verify_raw(key, &digest, r, s) {
        Ok(())
    } else {
        Err(JwsSignatureError::Ecdsa)
    }
}

/// Why a COSE signature check failed, worded as go-cose v1.3 words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoseSignatureError {
    /// go-cose `ErrVerification`.
    #[error("verification error")]
    Verification,
}

/// Verify a COSE signature as go-cose does with a verifier built for `alg` (which notation
/// derives from the leaf key, so the key already fits): PS* with salt length = hash length,
/// ES* raw `r‖s` whose length must be twice the curve's byte size.
pub fn verify_cose_signature(
    alg: SignatureAlgorithm,
    key: &PublicKey,
    to_be_signed: &[u8],
    signature: &[u8],
) -> Result<(), CoseSignatureError> {
    let digest = || alg.hash().digest(to_be_signed);
    let ok = match key {
        PublicKey::Rsa(rsa) if alg.is_rsa() => backend::rsa_verify(
            rsa,
            RsaPadding::PssSaltHashLength,
            alg.hash(),
            to_be_signed,
            signature,
        )
        .unwrap_or_else(|| rsa_pss_verify_strict(rsa, alg.hash(), &digest(), signature)),
        PublicKey::P256(_) | PublicKey::P384(_) | PublicKey::P521(_) if !alg.is_rsa() => {
            let half = match key {
                PublicKey::P256(_) => 32,
                PublicKey::P384(_) => 48,
                _ => 66,
            };
            signature.len() == 2 * half
                && backend::ecdsa_verify(
                    key,
                    alg.hash(),
                    EcdsaEncoding::Fixed,
                    to_be_signed,
                    signature,
                )
                .unwrap_or_else(|| {
                    let (r, s) = signature.split_at(half);
                    ecdsa_verify_raw(key, &digest(), r, s)
                })
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(CoseSignatureError::Verification)
    }
}
