//! X.509 certificates: parsed once, with the raw byte spans and Go-style names notation's
//! rules and messages are written against.
//!
//! Whether bytes are a certificate, and why not, is decided by [`super::x509`], a walk in the
//! order and with the checks of Go's `crypto/x509` parser, so that a malformed input fails with
//! the text Go (and hence Flux and notation) prints. The typed views other stages use
//! (`AlgorithmIdentifier`, `SubjectPublicKeyInfo`, extensions) are built from what that walk
//! read, never decoded again by a stricter or laxer parser.

use super::key::PublicKey;
use super::name::{Name, NameError};
use super::x509::{dotted, parse_certificate, AlgorithmId, ParseError, Parsed};
use chrono::{DateTime, Utc};
use const_oid::ObjectIdentifier;
use der::Decode;
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use std::fmt;

/// Why bytes are not a certificate; `Display` is Go's `crypto/x509` error text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    /// A structural error Go reports with this exact text.
    #[error("{0}")]
    Go(&'static str),
    /// A Go error text with details (key, extension and name-constraint errors).
    #[error("{0}")]
    Text(String),
    /// A name that Go's parser rejects.
    #[error(transparent)]
    Name(#[from] NameError),
    /// `ParseCertificate` on input with bytes after the certificate.
    #[error("x509: trailing data")]
    TrailingData,
}

impl From<ParseError> for CertificateError {
    fn from(e: ParseError) -> Self {
        match e {
            ParseError::Go(text) => Self::Go(text),
            ParseError::Text(text) => Self::Text(text),
            ParseError::Name(name) => Self::Name(name),
        }
    }
}

/// The basic constraints extension as Go reads it (`IsCA`, `MaxPathLen`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BasicConstraints {
    /// `cA`.
    pub ca: bool,
    /// `pathLenConstraint`, when present.
    pub path_len_constraint: Option<u64>,
}

/// A parsed X.509 certificate.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    parsed: Parsed,
    signature_algorithm: AlgorithmIdentifierOwned,
    spki: SubjectPublicKeyInfoOwned,
    extensions: Vec<x509_cert::ext::Extension>,
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}
impl Eq for Certificate {}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject())
            .field("issuer", &self.issuer())
            .field("sha256", &self.sha256_fingerprint())
            .finish()
    }
}

/// An OID the `const-oid` type can hold; others (which name nothing Go knows either) become
/// `0.0.0`, an OID no algorithm or extension has.
fn typed_oid(arcs: &[u64]) -> ObjectIdentifier {
    const UNKNOWN: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.0.0");
    ObjectIdentifier::new(&dotted(arcs)).unwrap_or(UNKNOWN)
}

fn typed_algorithm(ai: &AlgorithmId) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: typed_oid(&ai.arcs),
        parameters: der::Any::from_der(&ai.params).ok(),
    }
}

impl Certificate {
    /// Parses exactly one DER certificate (Go's `x509.ParseCertificate`).
    pub fn from_der(der: &[u8]) -> Result<Self, CertificateError> {
        let (cert, rest) = Self::parse_prefix(der)?;
        if !rest.is_empty() {
            return Err(CertificateError::TrailingData);
        }
        Ok(cert)
    }

    /// Parses the certificate at the start of `input`, returning it and the bytes after it.
    fn parse_prefix(input: &[u8]) -> Result<(Self, &[u8]), CertificateError> {
        let parsed = parse_certificate(input)?;
        let (raw, rest) = input.split_at_checked(parsed.len).unwrap_or((input, &[]));
        let subject_public_key = der::asn1::BitString::new(0, parsed.key_bits.clone())
            .map_err(|_| CertificateError::Go("x509: malformed subjectPublicKey"))?;
        let spki = SubjectPublicKeyInfoOwned {
            algorithm: typed_algorithm(&parsed.key_algorithm),
            subject_public_key,
        };
        let extensions = parsed
            .extensions
            .iter()
            .filter_map(|e| {
                Some(x509_cert::ext::Extension {
                    extn_id: ObjectIdentifier::new(&dotted(&e.arcs)).ok()?,
                    critical: e.critical,
                    extn_value: der::asn1::OctetString::new(e.value.clone()).ok()?,
                })
            })
            .collect();
        Ok((
            Self {
                der: raw.to_vec(),
                signature_algorithm: typed_algorithm(&parsed.signature_algorithm),
                spki,
                extensions,
                parsed,
            },
            rest,
        ))
    }

    fn slice(&self, (start, end): (usize, usize)) -> &[u8] {
        self.der.get(start..end).unwrap_or_default()
    }

    /// The certificate's DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The issuer's signature as Go uses it: the `signatureValue` BIT STRING right-aligned.
    pub fn signature(&self) -> &[u8] {
        &self.parsed.signature
    }

    /// The signature algorithm (Go reads it from the TBS and checks the outer copy is equal).
    pub fn signature_algorithm(&self) -> &AlgorithmIdentifierOwned {
        &self.signature_algorithm
    }

    /// The DER of `tbsCertificate` exactly as encoded (what the issuer's signature covers).
    pub fn raw_tbs(&self) -> &[u8] {
        self.slice(self.parsed.tbs)
    }

    /// The DER of the subject name exactly as encoded.
    pub fn raw_subject(&self) -> &[u8] {
        self.slice(self.parsed.subject)
    }

    /// The DER of the issuer name exactly as encoded.
    pub fn raw_issuer(&self) -> &[u8] {
        self.slice(self.parsed.issuer)
    }

    /// The DER of `subjectPublicKeyInfo` exactly as encoded.
    pub fn raw_public_key(&self) -> &[u8] {
        self.slice(self.parsed.spki)
    }

    /// The subject public key info, its key right-aligned as Go reads it.
    pub fn public_key(&self) -> &SubjectPublicKeyInfoOwned {
        &self.spki
    }

    /// The key Go parsed with the certificate; `None` for algorithms Go does not parse keys of.
    pub fn key(&self) -> Option<&PublicKey> {
        self.parsed.key.as_ref()
    }

    /// The subject name.
    pub fn subject_name(&self) -> &Name {
        &self.parsed.subject_name
    }

    /// The subject in Go's `pkix.Name.String()` form.
    pub fn subject(&self) -> String {
        self.parsed.subject_name.go_string()
    }

    /// The issuer in Go's `pkix.Name.String()` form.
    pub fn issuer(&self) -> String {
        self.parsed.issuer_name.go_string()
    }

    /// Start of the validity period.
    pub fn not_before(&self) -> DateTime<Utc> {
        self.parsed.not_before
    }

    /// End of the validity period.
    pub fn not_after(&self) -> DateTime<Utc> {
        self.parsed.not_after
    }

    /// SHA-256 of the DER encoding, lower-case hex (notation's thumbprint).
    pub fn sha256_fingerprint(&self) -> String {
        hex::encode(Sha256::digest(&self.der))
    }

    /// The serial number's big-endian bytes as encoded.
    pub fn serial_number(&self) -> &[u8] {
        &self.parsed.serial
    }

    /// The X.509 version as Go numbers it (1, 2 or 3).
    pub fn version(&self) -> u8 {
        self.parsed.version
    }

    /// The extensions, in encoded order.
    pub fn extensions(&self) -> &[x509_cert::ext::Extension] {
        &self.extensions
    }

    /// The extension with type `oid`, if present.
    pub fn extension(&self, oid: &ObjectIdentifier) -> Option<&x509_cert::ext::Extension> {
        self.extensions.iter().find(|e| &e.extn_id == oid)
    }

    /// The basic constraints extension, if present (Go's `BasicConstraintsValid`).
    pub fn basic_constraints(&self) -> Option<BasicConstraints> {
        self.parsed
            .processed
            .basic_constraints
            .map(|(ca, max_path_len)| BasicConstraints {
                ca,
                path_len_constraint: u64::try_from(max_path_len).ok(),
            })
    }

    /// Go's `Certificate.IsCA`: basic constraints present with `cA` set.
    pub fn is_ca(&self) -> bool {
        self.basic_constraints().is_some_and(|bc| bc.ca)
    }

    /// Go's `Certificate.KeyUsage` bits (bit i is `KeyUsage` bit i: 0 digitalSignature …
    /// 8 decipherOnly), if the extension is present.
    pub fn key_usage(&self) -> Option<u16> {
        self.parsed.processed.key_usage
    }

    /// Go's `len(UnhandledCriticalExtensions) > 0`: a critical extension Go does not interpret.
    pub fn has_unhandled_critical_extension(&self) -> bool {
        self.parsed.processed.unhandled_critical
    }

    /// Subject and issuer are byte-for-byte the same name.
    pub fn is_self_issued(&self) -> bool {
        self.raw_subject() == self.raw_issuer()
    }
}

/// Go's `x509.ParseCertificates`: one or more DER certificates back to back. Empty input gives
/// an empty list, as in Go.
pub fn parse_certificates(der: &[u8]) -> Result<Vec<Certificate>, CertificateError> {
    let mut certs = Vec::new();
    let mut rest = der;
    while !rest.is_empty() {
        let (cert, after) = Certificate::parse_prefix(rest)?;
        certs.push(cert);
        rest = after;
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str) -> Vec<u8> {
        std::fs::read(crate::testdata::upstream(path)).unwrap()
    }

    fn pem_body(pem: &[u8]) -> Vec<u8> {
        use base64::Engine as _;
        let text = String::from_utf8(pem.to_vec()).unwrap();
        let b64: String = text
            .lines()
            .skip_while(|l| !l.starts_with("-----BEGIN"))
            .skip(1)
            .take_while(|l| !l.starts_with("-----END"))
            .collect();
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap()
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn parses_der_vector_with_go_names() {
        let der = read("notation-core-go/x509/testdata/der.der");
        let cert = Certificate::from_der(&der).unwrap();
        assert_eq!(cert.der(), der.as_slice());
        assert_eq!(cert.raw_tbs(), &der[4..4 + cert.raw_tbs().len()]);
        assert!(!cert.subject().is_empty());
        assert_eq!(cert.sha256_fingerprint().len(), 64);
        assert!(cert.not_before() < cert.not_after());
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn signing_cert_subject_matches_go() {
        let der = pem_body(&read(
            "notation-go/verifier/testdata/verifier/signing-cert.pem",
        ));
        let cert = Certificate::from_der(&der).unwrap();
        assert_eq!(
            cert.subject(),
            "CN=SomeCN,OU=SomeOU,O=SomeOrg,L=Seattle,ST=WA,C=US"
        );
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn non_ca_leaf_is_not_ca() {
        let der = pem_body(&read(
            "notation-go/verifier/testdata/truststore/x509/ca/trust-store-with-leaf-certs/non-ca.crt",
        ));
        let cert = Certificate::from_der(&der).unwrap();
        assert!(!cert.is_ca());
        assert_eq!(
            cert.subject(),
            "CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US"
        );
    }

    /// `der` with the `old_len` bytes at `start` inside the TBS replaced by `field`, and the
    /// certificate's and TBS's SEQUENCE lengths (long form, two bytes) adjusted to match.
    fn splice_tbs_field(der: &[u8], start: usize, old_len: usize, field: &[u8]) -> Vec<u8> {
        let mut out = der[..start].to_vec();
        out.extend_from_slice(field);
        out.extend_from_slice(&der[start + old_len..]);
        for header in [0usize, 4] {
            assert_eq!(&out[header..header + 2], &[0x30, 0x82]);
            let len = u16::from_be_bytes([out[header + 2], out[header + 3]]) as usize;
            let len = (len + field.len() - old_len) as u16;
            out[header + 2..header + 4].copy_from_slice(&len.to_be_bytes());
        }
        out
    }

    /// The corpus root: self-signed RSA, its signature's last octet known from the file.
    fn corpus_root() -> Vec<u8> {
        pem_body(
            &std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/vectors/corpus/cases/m-rsa2048-c2-jws--strict/truststore/x509/ca/corpus/root-rsa2048.crt"
            ))
            .unwrap(),
        )
    }

    #[test]
    fn signature_bit_string_read_as_go_reads_it() {
        use crate::pki::algorithm::verify_x509_signature;
        let der = corpus_root();
        let verify = |cert: &Certificate| {
            verify_x509_signature(
                cert.signature_algorithm(),
                cert.public_key(),
                cert.raw_tbs(),
                cert.signature(),
            )
        };
        let cert = Certificate::from_der(&der).unwrap();
        assert_eq!(verify(&cert), Ok(()));
        // The signature is the last element: 03 82 01 01 00 <256 octets>.
        let padding_at = der.len() - 257;
        assert_eq!(&der[padding_at - 4..padding_at], &[0x03, 0x82, 0x01, 0x01]);
        let last = der[der.len() - 1];
        let with_padding = |padding: u8, last: u8| {
            let mut mutant = der.clone();
            mutant[padding_at] = padding;
            *mutant.last_mut().unwrap() = last;
            Certificate::from_der(&mutant)
        };
        // One padding bit, and the last bit zero: Go parses it, right-aligns the value and the
        // signature no longer verifies.
        let even = with_padding(0x01, last & 0xfe).unwrap();
        assert_eq!(even.signature().len(), 256);
        assert_ne!(even.signature(), cert.signature());
        assert!(verify(&even).is_err());
        // Padding bits that are not zero, and more than seven of them: not a BIT STRING.
        let malformed = Err(CertificateError::Go("x509: malformed signature"));
        assert_eq!(with_padding(0x01, last | 0x01), malformed);
        assert_eq!(with_padding(0x10, last), malformed);
        assert_eq!(with_padding(0x80, last), malformed);
        // The same rules for the subject public key.
        let key_at = der
            .windows(5)
            .position(|w| w == [0x03, 0x82, 0x01, 0x0f, 0x00])
            .unwrap()
            + 4;
        let mut key_mutant = der.clone();
        key_mutant[key_at] = 0x08;
        assert_eq!(
            Certificate::from_der(&key_mutant),
            Err(CertificateError::Go("x509: malformed subjectPublicKey"))
        );
    }

    /// One byte of the corpus root changed, and the text Go's parser fails with (offsets from
    /// `openssl asn1parse`: validity at 138, the RSA exponent at 550, extensions at 555).
    #[test]
    fn single_byte_changes_fail_with_gos_texts() {
        let der = corpus_root();
        assert_eq!(&der[555..559], &[0xa3, 0x63, 0x30, 0x61]);
        let cases: [(usize, u8, &str); 17] = [
            (138, 0x18, "x509: malformed GeneralizedTime"),
            (138, 0x19, "x509: unsupported time format"),
            (152, b'X', "x509: malformed UTCTime"),
            (140, b'a', "x509: malformed UTCTime"),
            (552, 0x00, "x509: invalid RSA public exponent"),
            (557, 0x31, "x509: malformed extensions"),
            (559, 0x31, "x509: malformed extension"),
            (561, 0x07, "x509: malformed extension OID field"),
            (568, 0x01, "x509: malformed extension critical field"),
            (569, 0x05, "x509: malformed extension value field"),
            (575, 0x01, "x509: invalid basic constraints"),
            (588, 0x04, "x509: invalid key usage"),
            (590, 0x07, "x509: invalid key usage"),
            (601, 0x05, "x509: invalid subject key identifier"),
            (632, 0x31, "x509: invalid authority key identifier"),
            (
                629,
                0x0e,
                "x509: certificate contains duplicate extension with OID \"2.5.29.14\"",
            ),
            (629, 0x24, "x509: invalid policy constraints extension"),
        ];
        for (at, byte, text) in cases {
            let mut mutant = der.clone();
            mutant[at] = byte;
            assert_eq!(
                Certificate::from_der(&mutant)
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                Err(text.to_string()),
                "byte {at} = {byte:#04x}"
            );
        }
        // Go reads what it understands of the extensions and leaves the rest.
        let cert = Certificate::from_der(&der).unwrap();
        assert_eq!(cert.key_usage(), Some(1 << 5 | 1 << 6));
        assert_eq!(
            cert.basic_constraints(),
            Some(BasicConstraints {
                ca: true,
                path_len_constraint: None
            })
        );
        assert!(!cert.has_unhandled_critical_extension());
        assert_eq!(cert.not_before().to_rfc3339(), "2026-11-27T20:57:27+00:00");
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn concatenated_der_and_errors() {
        let der = read("notation-core-go/x509/testdata/der.der");
        let two = [der.clone(), der.clone()].concat();
        assert_eq!(parse_certificates(&two).unwrap().len(), 2);
        assert_eq!(parse_certificates(&[]).unwrap().len(), 0);
        assert_eq!(
            Certificate::from_der(&two).unwrap_err(),
            CertificateError::TrailingData
        );
        let invalid = read("notation-core-go/x509/testdata/invalid");
        assert_eq!(
            parse_certificates(&invalid).unwrap_err().to_string(),
            "x509: malformed certificate"
        );
        // A PKCS#8 private key: SEQUENCE { INTEGER 0, ... }.
        let key = [0x30, 0x05, 0x02, 0x01, 0x00, 0x30, 0x00];
        assert_eq!(
            parse_certificates(&key).unwrap_err().to_string(),
            "x509: malformed tbs certificate"
        );
        // Negative serial number, and a version beyond v3.
        let at = der
            .windows(5)
            .position(|w| w == [0xa0, 0x03, 0x02, 0x01, 0x02])
            .unwrap();
        let mut negative = der.clone();
        negative[at + 7] = 0x90;
        assert_eq!(
            parse_certificates(&negative).unwrap_err().to_string(),
            "x509: negative serial number"
        );
        let mut v4 = der.clone();
        v4[at + 4] = 0x03;
        assert_eq!(
            parse_certificates(&v4).unwrap_err().to_string(),
            "x509: invalid version"
        );
        // Other version fields: a multi-byte version, and trailing data after the INTEGER.
        let with_version = |field: &[u8]| splice_tbs_field(&der, at, 5, field);
        assert_eq!(
            parse_certificates(&with_version(&[0xa0, 0x04, 0x02, 0x02, 0x01, 0x02]))
                .unwrap_err()
                .to_string(),
            "x509: invalid version"
        );
        assert_eq!(
            parse_certificates(&with_version(&[
                0xa0, 0x06, 0x02, 0x01, 0x02, 0x02, 0x01, 0x00
            ]))
            .unwrap_err()
            .to_string(),
            "x509: malformed version"
        );
        // Serial numbers as cryptobyte reads INTEGERs: minimal, and positive (Go 1.23+).
        let serial_len = usize::from(der[at + 6]);
        let with_serial = |value: &[u8]| {
            let mut field = vec![0x02, value.len() as u8];
            field.extend_from_slice(value);
            parse_certificates(&splice_tbs_field(&der, at + 5, 2 + serial_len, &field))
                .map(|c| c.len())
                .map_err(|e| e.to_string())
        };
        let malformed = Err("x509: malformed serial number".to_string());
        assert_eq!(with_serial(&[]), malformed);
        assert_eq!(with_serial(&[0x00, 0x7f]), malformed);
        assert_eq!(with_serial(&[0xff, 0x80]), malformed);
        assert_eq!(with_serial(&[0x00, 0x80]), Ok(1));
        assert_eq!(with_serial(&[0x01, 0x00]), Ok(1));
        assert_eq!(
            with_serial(&[0xff, 0x7f]),
            Err("x509: negative serial number".to_string())
        );
        assert_eq!(
            parse_certificates(&with_version(&[0xa0, 0x03, 0x02, 0x01, 0x02])).unwrap(),
            parse_certificates(&der).unwrap()
        );
        // Truncated certificate.
        assert_eq!(
            parse_certificates(&der[..der.len() - 1])
                .unwrap_err()
                .to_string(),
            "x509: malformed certificate"
        );
    }
}
