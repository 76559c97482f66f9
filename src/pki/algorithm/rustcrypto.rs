//! The signature checks on RustCrypto, for what AWS-LC does not take (keys and parameters
//! outside its ranges, digests shorter than the curve's half size) and for RSASSA-PSS with the
//! salt length read from the signature, which no crate verifies.

use super::{HashAlgorithm, PublicKey};
use ecdsa::signature::hazmat::PrehashVerifier;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPublicKey};
use sha2::{Sha256, Sha384, Sha512};

/// ECDSA check of a prehashed message with big-endian `r` and `s` of any length (Go's
/// `ecdsa.Verify(pub, hash, r, s)`): values that do not fit the key's scalar field fail.
pub(super) fn ecdsa_verify_raw(key: &PublicKey, digest: &[u8], r: &[u8], s: &[u8]) -> bool {
    fn fit(value: &[u8], size: usize) -> Option<Vec<u8>> {
        let start = value.iter().position(|b| *b != 0).unwrap_or(value.len());
        let trimmed = value.get(start..)?;
        if trimmed.len() > size {
            return None;
        }
        let mut out = vec![0u8; size - trimmed.len()];
        out.extend_from_slice(trimmed);
        Some(out)
    }
    // Go turns a digest shorter than the curve order into an integer as is; RustCrypto refuses
    // digests under half the field size, so pad with leading zeros (same integer).
    let padded = |size: usize| {
        let min = size.div_ceil(2);
        let mut d = vec![0u8; min.saturating_sub(digest.len())];
        d.extend_from_slice(digest);
        d
    };
    macro_rules! check {
        ($curve:ident, $vk:expr, $size:expr) => {{
            let digest = padded($size);
            let (Some(r), Some(s)) = (fit(r, $size), fit(s, $size)) else {
                return false;
            };
            let mut rs = r;
            rs.extend_from_slice(&s);
            match $curve::ecdsa::Signature::from_slice(&rs) {
                Ok(sig) => $vk.verify_prehash(&digest, &sig).is_ok(),
                Err(_) => false,
            }
        }};
    }
    match key {
        PublicKey::P256(vk) => check!(p256, vk, 32),
        PublicKey::P384(vk) => check!(p384, vk, 48),
        PublicKey::P521(vk) => check!(p521, vk, 66),
        _ => false,
    }
}

/// RSASSA-PSS with salt length = hash length (Go `PSSSaltLengthEqualsHash`), via the rsa crate.
pub(super) fn rsa_pss_verify_strict(
    key: &RsaPublicKey,
    hash: HashAlgorithm,
    digest: &[u8],
    sig: &[u8],
) -> bool {
    let scheme = match hash {
        HashAlgorithm::Sha1 => rsa::Pss::new::<sha1::Sha1>(),
        HashAlgorithm::Sha256 => rsa::Pss::new::<Sha256>(),
        HashAlgorithm::Sha384 => rsa::Pss::new::<Sha384>(),
        HashAlgorithm::Sha512 => rsa::Pss::new::<Sha512>(),
    };
    key.verify(scheme, digest, sig).is_ok()
}

/// RSASSA-PSS with the salt length read from the encoded message (Go `PSSSaltLengthAuto`, which
/// golang-jwt uses for PS*). The rsa crate only verifies a known salt length, so the
/// EMSA-PSS-VERIFY steps (RFC 8017 §9.1.2) are written out here.
pub(super) fn rsa_pss_verify_auto_salt(
    key: &RsaPublicKey,
    hash: HashAlgorithm,
    digest: &[u8],
    sig: &[u8],
) -> Result<(), ()> {
    let k = key.size();
    if sig.len() != k {
        return Err(());
    }
    let s = BigUint::from_bytes_be(sig);
    if &s >= key.n() {
        return Err(());
    }
    let m = s.modpow(key.e(), key.n());
    let em_bits = key.n().bits().checked_sub(1).ok_or(())?;
    let em_len = em_bits.div_ceil(8);
    let mut em = m.to_bytes_be();
    // Encode to the modulus size, then strip leading zero bytes down to emLen (as Go does).
    let mut full = vec![0u8; k.checked_sub(em.len()).ok_or(())?];
    full.append(&mut em);
    let cut = k.checked_sub(em_len).ok_or(())?;
    let (lead, em) = full.split_at_mut(cut);
    if lead.iter().any(|b| *b != 0) {
        return Err(());
    }
    let h_len = hash.output_len();
    if em_len < h_len + 2 || em.last() != Some(&0xbc) {
        return Err(());
    }
    let bit_mask: u8 = 0xff >> (8 * em_len - em_bits);
    if em.first().map(|b| b & !bit_mask) != Some(0) {
        return Err(());
    }
    let db_len = em_len - h_len - 1;
    let (db, rest) = em.split_at_mut(db_len);
    let h = rest.get(..h_len).ok_or(())?.to_vec();
    let mask = mgf1(hash, &h, db_len);
    for (d, m) in db.iter_mut().zip(mask) {
        *d ^= m;
    }
    if let Some(first) = db.first_mut() {
        *first &= bit_mask;
    }
    let ps_len = db.iter().position(|b| *b != 0).ok_or(())?;
    if db.get(ps_len) != Some(&0x01) {
        return Err(());
    }
    let salt = db.get(ps_len + 1..).ok_or(())?;
    let mut m_prime = vec![0u8; 8];
    m_prime.extend_from_slice(digest);
    m_prime.extend_from_slice(salt);
    if hash.digest(&m_prime) == h {
        Ok(())
    } else {
        Err(())
    }
}

/// MGF1 (RFC 8017 B.2.1).
pub(super) fn mgf1(hash: HashAlgorithm, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + hash.output_len());
    let mut counter: u32 = 0;
    while out.len() < len {
        let mut input = seed.to_vec();
        input.extend_from_slice(&counter.to_be_bytes());
        out.extend_from_slice(&hash.digest(&input));
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}
