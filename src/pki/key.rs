//! Public keys as Go's `crypto/x509` parses them (`parsePublicKey` in `parser.go`, Go 1.26):
//! which algorithms get a key at all, what each accepts, and the exact error texts, which reach
//! users bare because Flux prints certificate parse errors as they are.
//!
//! Written by hand because Go checks at parse time what the RustCrypto crates check differently
//! or not at all: RSA keys are two minimal INTEGERs with nothing else checked (the `rsa` crate
//! refuses small exponents, which Go parses and only fails at verification), and EC points go
//! through `ecdsa.ParseUncompressedPublicKey` and the `nistec` field checks, whose wording
//! (`P384 point not on curve`) users see.

use crate::golang::cryptobyte::{tag, BitString, Input, Oid};
use der::Encode as _;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPublicKey};
use spki::SubjectPublicKeyInfoOwned;
use std::fmt;

/// Go's `getPublicKeyAlgorithmFromOID` OIDs, as arcs.
mod arcs {
    pub(super) const RSA: &[u64] = &[1, 2, 840, 113549, 1, 1, 1];
    pub(super) const DSA: &[u64] = &[1, 2, 840, 10040, 4, 1];
    pub(super) const ECDSA: &[u64] = &[1, 2, 840, 10045, 2, 1];
    pub(super) const ED25519: &[u64] = &[1, 3, 101, 112];
    pub(super) const P224: &[u64] = &[1, 3, 132, 0, 33];
    pub(super) const P256: &[u64] = &[1, 2, 840, 10045, 3, 1, 7];
    pub(super) const P384: &[u64] = &[1, 3, 132, 0, 34];
    pub(super) const P521: &[u64] = &[1, 3, 132, 0, 35];
}

/// A public key, parsed once from a SubjectPublicKeyInfo.
#[derive(Clone)]
pub enum PublicKey {
    /// An RSA key (`rsaEncryption`).
    Rsa(RsaPublicKey),
    /// An EC key on P-256.
    P256(p256::ecdsa::VerifyingKey),
    /// An EC key on P-384.
    P384(p384::ecdsa::VerifyingKey),
    /// An EC key on P-521.
    P521(p521::ecdsa::VerifyingKey),
    /// An EC key on a curve Go parses but notation refuses (P-224); no verification possible.
    EcdsaUnsupportedCurve {
        /// The curve's bit size.
        bits: usize,
    },
    /// Another key type (Ed25519, DSA), or none (an algorithm Go does not know, whose key Go
    /// leaves nil): no verification possible here.
    Other {
        /// Go's `%T` of such a key, used in its mismatch messages (`<nil>` for no key).
        go_type: &'static str,
    },
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublicKey::Rsa(k) => write!(f, "Rsa({} bits)", k.n().bits()),
            PublicKey::P256(_) => f.write_str("P256"),
            PublicKey::P384(_) => f.write_str("P384"),
            PublicKey::P521(_) => f.write_str("P521"),
            PublicKey::EcdsaUnsupportedCurve { bits } => write!(f, "Ecdsa({bits} bits)"),
            PublicKey::Other { go_type } => write!(f, "Other({go_type})"),
        }
    }
}

/// Why Go refuses a public key; `Display` is Go's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PublicKeyError(pub String);

fn refuse<T>(text: &str) -> Result<T, PublicKeyError> {
    Err(PublicKeyError(text.to_string()))
}

/// The NIST curves Go's `namedCurveFromOID` knows: name, field prime and `b` (`a` = -3), big
/// endian hex, and how the field element check words its error on amd64/arm64.
struct Curve {
    name: &'static str,
    bits: usize,
    p: &'static str,
    b: &'static str,
    element_error: &'static str,
}

const P224: Curve = Curve {
    name: "P224",
    bits: 224,
    p: "ffffffffffffffffffffffffffffffff000000000000000000000001",
    b: "b4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4",
    element_error: "invalid P224Element encoding",
};
const P256: Curve = Curve {
    name: "P256",
    bits: 256,
    p: "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
    b: "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
    // The assembly implementation Flux's amd64 and arm64 builds use.
    element_error: "invalid P256 element encoding",
};
const P384: Curve = Curve {
    name: "P384",
    bits: 384,
    p: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
    b: "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
    element_error: "invalid P384Element encoding",
};
const P521: Curve = Curve {
    name: "P521",
    bits: 521,
    p: "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    b: "0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00",
    element_error: "invalid P521Element encoding",
};

fn big(hex_digits: &str) -> BigUint {
    BigUint::parse_bytes(hex_digits.as_bytes(), 16).unwrap_or_default()
}

impl Curve {
    fn element_len(&self) -> usize {
        self.bits.div_ceil(8)
    }

    /// `ecdsa.ParseUncompressedPublicKey` → `nistec` `SetBytes`: the prefix, the length, each
    /// coordinate below p, then y² = x³ - 3x + b. The last check is made here for P-224 only:
    /// for the other curves the caller's `from_sec1_bytes` makes it (in constant-time field
    /// arithmetic, a fraction of big-integer arithmetic's cost), and its only refusal left, once
    /// the prefix, the length and the coordinates passed, is a point off the curve.
    fn check_point(&self, data: &[u8]) -> Result<(), PublicKeyError> {
        if data.first() != Some(&4) {
            return refuse("ecdsa: invalid uncompressed public key");
        }
        let len = self.element_len();
        if data.len() != 1 + 2 * len {
            return refuse(&format!("invalid {} point encoding", self.name));
        }
        // Equal-length big-endian byte strings compare as the numbers they encode.
        let p = hex::decode(self.p).unwrap_or_default();
        let Some((x_bytes, y_bytes)) = data.get(1..).and_then(|xy| xy.split_at_checked(len)) else {
            return refuse(&format!("invalid {} point encoding", self.name));
        };
        if x_bytes >= p.as_slice() || y_bytes >= p.as_slice() {
            return refuse(self.element_error);
        }
        if self.bits != 224 {
            return Ok(());
        }
        let p = big(self.p);
        let (x, y) = (
            BigUint::from_bytes_be(x_bytes),
            BigUint::from_bytes_be(y_bytes),
        );
        let three_x = (&x * 3u32) % &p;
        let rhs = ((&x * &x % &p) * &x + &p - three_x + big(self.b)) % &p;
        if (&y * &y) % &p != rhs {
            return refuse(&format!("{} point not on curve", self.name));
        }
        Ok(())
    }
}

impl PublicKey {
    /// Go's `parsePublicKey` on an algorithm (OID arcs and the parameters' whole encoding, empty
    /// when absent) and the right-aligned key bits. `Ok(None)`: an algorithm Go does not parse
    /// keys of (its `PublicKey` stays nil).
    pub(crate) fn parse_go(
        algorithm: &Oid<'_>,
        params: &[u8],
        data: &[u8],
    ) -> Result<Option<Self>, PublicKeyError> {
        if algorithm.is(arcs::RSA) {
            return parse_rsa(params, data).map(Some);
        }
        if algorithm.is(arcs::ECDSA) {
            let mut params = Input::new(params);
            let curve_oid = params
                .read_oid()
                .ok_or_else(|| PublicKeyError("x509: invalid ECDSA parameters".into()))?;
            let curve = [
                (arcs::P224, &P224),
                (arcs::P256, &P256),
                (arcs::P384, &P384),
                (arcs::P521, &P521),
            ]
            .into_iter()
            .find(|(arcs, _)| curve_oid.is(arcs))
            .map(|(_, curve)| curve);
            let Some(curve) = curve else {
                return refuse("x509: unsupported elliptic curve");
            };
            curve.check_point(data)?;
            let unusable = || PublicKeyError(format!("{} point not on curve", curve.name));
            let key = match curve.bits {
                256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(data)
                    .map(PublicKey::P256)
                    .map_err(|_| unusable())?,
                384 => p384::ecdsa::VerifyingKey::from_sec1_bytes(data)
                    .map(PublicKey::P384)
                    .map_err(|_| unusable())?,
                521 => p521::ecdsa::VerifyingKey::from_sec1_bytes(data)
                    .map(PublicKey::P521)
                    .map_err(|_| unusable())?,
                bits => PublicKey::EcdsaUnsupportedCurve { bits },
            };
            return Ok(Some(key));
        }
        if algorithm.is(arcs::ED25519) {
            if !params.is_empty() {
                return refuse("x509: Ed25519 key encoded with illegal parameters");
            }
            if data.len() != 32 {
                return refuse("x509: wrong Ed25519 public key size");
            }
            return Ok(Some(PublicKey::Other {
                go_type: "ed25519.PublicKey",
            }));
        }
        if algorithm.is(arcs::DSA) {
            return parse_dsa(params, data).map(Some);
        }
        Ok(None)
    }

    /// Parse a SubjectPublicKeyInfo with Go's rules; an algorithm Go does not know gives
    /// [`PublicKey::Other`] with Go type `<nil>`.
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self, PublicKeyError> {
        let bits = BitString::checked(
            spki.subject_public_key.unused_bits(),
            spki.subject_public_key.raw_bytes(),
        )
        .ok_or_else(|| PublicKeyError("x509: malformed subjectPublicKey".into()))?;
        let params = match &spki.algorithm.parameters {
            Some(any) => any
                .to_der()
                .map_err(|_| PublicKeyError("x509: malformed parameters".into()))?,
            None => Vec::new(),
        };
        let oid = Oid::parse(spki.algorithm.oid.as_bytes())
            .ok_or_else(|| PublicKeyError("x509: malformed OID".into()))?;
        Ok(Self::parse_go(&oid, &params, &bits.right_align())?
            .unwrap_or(PublicKey::Other { go_type: "<nil>" }))
    }

    /// Go's `%T` of the key, as in `x509: signature algorithm specifies an RSA public key, but
    /// have public key of type *ecdsa.PublicKey`.
    pub(crate) fn go_type(&self) -> &'static str {
        match self {
            PublicKey::Rsa(_) => "*rsa.PublicKey",
            PublicKey::P256(_)
            | PublicKey::P384(_)
            | PublicKey::P521(_)
            | PublicKey::EcdsaUnsupportedCurve { .. } => "*ecdsa.PublicKey",
            PublicKey::Other { go_type } => go_type,
        }
    }

    pub(crate) fn is_ecdsa(&self) -> bool {
        matches!(
            self,
            PublicKey::P256(_)
                | PublicKey::P384(_)
                | PublicKey::P521(_)
                | PublicKey::EcdsaUnsupportedCurve { .. }
        )
    }
}

/// The `NULL` parameters RSA keys must carry (RFC 3279 §2.3.1; Go's `asn1.NullBytes`).
const NULL_PARAMS: [u8; 2] = [tag::NULL, 0x00];

/// Go's RSA case: NULL parameters, a SEQUENCE whose first two INTEGERs (minimal; the
/// exponent a Go `int`) are positive. Nothing after them is looked at.
fn parse_rsa(params: &[u8], data: &[u8]) -> Result<PublicKey, PublicKeyError> {
    if params != NULL_PARAMS {
        return refuse("x509: RSA key missing NULL parameters");
    }
    let mut der = Input::new(data);
    let mut key = der
        .read(tag::SEQUENCE)
        .map(Input::new)
        .ok_or_else(|| PublicKeyError("x509: invalid RSA public key".into()))?;
    let n = key
        .read_big_integer()
        .ok_or_else(|| PublicKeyError("x509: invalid RSA modulus".into()))?;
    let e = key
        .read_int64()
        .ok_or_else(|| PublicKeyError("x509: invalid RSA public exponent".into()))?;
    if n.first().is_some_and(|b| b & 0x80 != 0) || n.iter().all(|b| *b == 0) {
        return refuse("x509: RSA modulus is not a positive number");
    }
    if e <= 0 {
        return refuse("x509: RSA public exponent is not a positive number");
    }
    let e = u64::try_from(e).unwrap_or_default();
    // Go checks nothing more until a signature is verified; keep every such key, even one the
    // rsa crate would refuse, so that it fails as a verification.
    Ok(PublicKey::Rsa(RsaPublicKey::new_unchecked(
        BigUint::from_bytes_be(n),
        BigUint::from(e),
    )))
}

/// The key checks Go's `crypto/rsa` makes before every verification (`checkPublicKeySize`,
/// then the FIPS module's `checkPublicKey`), with their texts.
pub(crate) fn go_rsa_key_check(key: &RsaPublicKey) -> Result<(), String> {
    let bits = key.n().bits();
    if bits < 1024 {
        return Err(format!(
            "crypto/rsa: {bits}-bit keys are insecure (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)"
        ));
    }
    let e = key.e();
    let two = BigUint::from(2u32);
    if key.n() % &two == BigUint::from(0u32) {
        return Err("crypto/rsa: public modulus is even".into());
    }
    if e < &two {
        return Err("crypto/rsa: public exponent too small or negative".into());
    }
    if e % &two == BigUint::from(0u32) {
        return Err("crypto/rsa: public exponent is even".into());
    }
    if e > &BigUint::from((1u32 << 31) - 1) {
        return Err("crypto/rsa: public exponent too large".into());
    }
    Ok(())
}

/// Go's DSA case: `y` an INTEGER, parameters `SEQUENCE { p, q, g }`, all positive.
fn parse_dsa(params: &[u8], data: &[u8]) -> Result<PublicKey, PublicKeyError> {
    let positive = |v: &[u8]| v.first().is_some_and(|b| b & 0x80 == 0) && v.iter().any(|b| *b != 0);
    let y = Input::new(data)
        .read_big_integer()
        .ok_or_else(|| PublicKeyError("x509: invalid DSA public key".into()))?;
    let mut outer = Input::new(params);
    let parsed = outer.read(tag::SEQUENCE).and_then(|seq| {
        let mut seq = Input::new(seq);
        Some([
            seq.read_big_integer()?,
            seq.read_big_integer()?,
            seq.read_big_integer()?,
        ])
    });
    let Some(pqg) = parsed else {
        return refuse("x509: invalid DSA parameters");
    };
    if !positive(y) || !pqg.iter().all(|v| positive(v)) {
        return refuse("x509: zero or negative DSA parameter");
    }
    Ok(PublicKey::Other {
        go_type: "*dsa.PublicKey",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(arcs_der: &[u8]) -> Oid<'_> {
        Oid::parse(arcs_der).unwrap()
    }

    const RSA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    const EC_OID: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    const P384_PARAMS: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];

    fn rsa(params: &[u8], data: &[u8]) -> Result<(), String> {
        PublicKey::parse_go(&oid(RSA_OID), params, data)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn rsa_keys_as_go_parses_them() {
        // SEQUENCE { INTEGER 0x00c3, INTEGER 3 }, with NULL parameters.
        let key = [0x30, 0x07, 0x02, 0x02, 0x00, 0xc3, 0x02, 0x01, 0x03];
        assert_eq!(rsa(&NULL_PARAMS, &key), Ok(()));
        let missing = Err("x509: RSA key missing NULL parameters".to_string());
        assert_eq!(rsa(&[], &key), missing);
        assert_eq!(rsa(&[0x05, 0x01, 0x00], &key), missing);
        assert_eq!(
            rsa(&NULL_PARAMS, &key[..8]),
            Err("x509: invalid RSA public key".into())
        );
        let mut non_minimal = key;
        non_minimal[5] = 0x43;
        assert_eq!(
            rsa(&NULL_PARAMS, &non_minimal),
            Err("x509: invalid RSA modulus".into())
        );
        let negative = [0x30, 0x06, 0x02, 0x01, 0x83, 0x02, 0x01, 0x03];
        assert_eq!(
            rsa(&NULL_PARAMS, &negative),
            Err("x509: RSA modulus is not a positive number".into())
        );
        let zero_e = [0x30, 0x07, 0x02, 0x02, 0x00, 0xc3, 0x02, 0x01, 0x00];
        assert_eq!(
            rsa(&NULL_PARAMS, &zero_e),
            Err("x509: RSA public exponent is not a positive number".into())
        );
        let long_e = [
            0x30, 0x0f, 0x02, 0x02, 0x00, 0xc3, 0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        assert_eq!(
            rsa(&NULL_PARAMS, &long_e),
            Err("x509: invalid RSA public exponent".into())
        );
        // An even exponent parses (Go fails it only when verifying).
        let even_e = [0x30, 0x07, 0x02, 0x02, 0x00, 0xc3, 0x02, 0x01, 0x04];
        assert_eq!(rsa(&NULL_PARAMS, &even_e), Ok(()));
    }

    #[test]
    fn p256_coordinates_are_refused_from_p_up_and_checked_on_the_curve_below() {
        // prime256v1: 1.2.840.10045.3.1.7
        const P256_PARAMS: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
        let sk = p256::SecretKey::from_slice(&[9u8; 32]).unwrap();
        let point = sk.public_key().to_sec1_bytes().to_vec();
        let parse = |data: &[u8]| {
            PublicKey::parse_go(&oid(EC_OID), P256_PARAMS, data)
                .map(|k| format!("{k:?}"))
                .map_err(|e| e.to_string())
        };
        assert_eq!(parse(&point), Ok("Some(P256)".into()));
        let p = hex::decode(P256.p).unwrap();
        let mut minus_one = p.clone();
        *minus_one.last_mut().unwrap() -= 1;
        for (x, y, want) in [
            (&p, &point[33..], "invalid P256 element encoding"),
            (
                &point[1..33].to_vec(),
                &p[..],
                "invalid P256 element encoding",
            ),
            (&minus_one, &point[33..], "P256 point not on curve"),
            (
                &point[1..33].to_vec(),
                &minus_one[..],
                "P256 point not on curve",
            ),
        ] {
            let data = [&[4u8][..], x, y].concat();
            assert_eq!(parse(&data), Err(want.into()));
        }
    }

    #[test]
    fn ec_points_checked_as_nistec_does() {
        let sk = p384::SecretKey::from_slice(&[7u8; 48]).unwrap();
        let point = sk.public_key().to_sec1_bytes().to_vec();
        let parse = |params: &[u8], data: &[u8]| {
            PublicKey::parse_go(&oid(EC_OID), params, data)
                .map(|k| format!("{k:?}"))
                .map_err(|e| e.to_string())
        };
        assert_eq!(parse(P384_PARAMS, &point), Ok("Some(P384)".into()));
        let mut off_curve = point.clone();
        off_curve[60] ^= 0x01;
        assert_eq!(
            parse(P384_PARAMS, &off_curve),
            Err("P384 point not on curve".into())
        );
        let mut big_x = point.clone();
        big_x[1..49].fill(0xff);
        assert_eq!(
            parse(P384_PARAMS, &big_x),
            Err("invalid P384Element encoding".into())
        );
        assert_eq!(
            parse(P384_PARAMS, &point[..96]),
            Err("invalid P384 point encoding".into())
        );
        let mut compressed = point.clone();
        compressed[0] = 2;
        assert_eq!(
            parse(P384_PARAMS, &compressed),
            Err("ecdsa: invalid uncompressed public key".into())
        );
        // An unknown curve, and parameters that are not an OID.
        let mut other_curve = P384_PARAMS.to_vec();
        other_curve[6] = 0x22 ^ 0x10;
        assert_eq!(
            parse(&other_curve, &point),
            Err("x509: unsupported elliptic curve".into())
        );
        assert_eq!(
            parse(&NULL_PARAMS, &point),
            Err("x509: invalid ECDSA parameters".into())
        );
        // The other curves' constants: a real key is on its curve, a changed one is not.
        let p256 = p256::SecretKey::from_slice(&[7u8; 32])
            .unwrap()
            .public_key()
            .to_sec1_bytes()
            .to_vec();
        let p256_params = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
        assert_eq!(parse(&p256_params, &p256), Ok("Some(P256)".into()));
        let mut bad = p256.clone();
        bad[40] ^= 0x10;
        assert_eq!(
            parse(&p256_params, &bad),
            Err("P256 point not on curve".into())
        );
        let mut scalar = [7u8; 66];
        scalar[0] = 0;
        let p521 = p521::SecretKey::from_slice(&scalar)
            .unwrap()
            .public_key()
            .to_sec1_bytes()
            .to_vec();
        let p521_params = [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23];
        assert_eq!(parse(&p521_params, &p521), Ok("Some(P521)".into()));
        let mut bad = p521.clone();
        bad[100] ^= 0x10;
        assert_eq!(
            parse(&p521_params, &bad),
            Err("P521 point not on curve".into())
        );
    }
}
