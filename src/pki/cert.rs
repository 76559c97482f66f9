//! X.509 certificates: parsed once, with the raw byte spans and Go-style names notation's
//! rules and messages are written against.
//!
//! Decoding is done by `x509-cert`. In front of it sits a short structural walk in the order of
//! Go's `crypto/x509` parser so that a malformed input fails with the error text Go (and hence
//! Flux and notation) prints, e.g. `x509: malformed tbs certificate` for a private key handed
//! over as a certificate.

use super::name::{Name, NameError, Tlv, TAG_SEQUENCE};
use crate::golang::cryptobyte::{tag, Input};
use chrono::{DateTime, Utc};
use const_oid::db::rfc5280::{ID_CE_BASIC_CONSTRAINTS, ID_CE_KEY_USAGE};
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use std::fmt;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};

/// Why bytes are not a certificate; `Display` is Go's `crypto/x509` error text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    /// A structural error Go reports with this exact text.
    #[error("{0}")]
    Go(&'static str),
    /// A name that Go's parser rejects.
    #[error(transparent)]
    Name(#[from] NameError),
    /// Go's structure checks pass but the certificate does not decode; Go's text for this is not
    /// known, so the generic one is used and the decoder's reason is kept in `detail`.
    #[error("x509: malformed certificate")]
    Decode {
        /// What the DER decoder reported.
        detail: String,
    },
    /// `ParseCertificate` on input with bytes after the certificate.
    #[error("x509: trailing data")]
    TrailingData,
}

/// A parsed X.509 certificate.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    x509: x509_cert::Certificate,
    subject: Name,
    issuer: Name,
    spans: Spans,
    signature: Vec<u8>,
}

/// Byte ranges inside `der`.
#[derive(Debug, Clone, Copy)]
struct Spans {
    tbs: (usize, usize),
    issuer: (usize, usize),
    subject: (usize, usize),
    spki: (usize, usize),
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

fn span(outer: &[u8], inner: &[u8]) -> (usize, usize) {
    let start = (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize);
    (start, start + inner.len())
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
        let malformed = CertificateError::Go;
        let mut reader = Tlv::reader(input);
        let outer = reader
            .read_expect(TAG_SEQUENCE)
            .ok_or(malformed("x509: malformed certificate"))?;
        let rest = reader.remaining();
        let raw = outer.raw;

        let mut fields = Tlv::reader(outer.value);
        let tbs = fields
            .read_expect(TAG_SEQUENCE)
            .ok_or(malformed("x509: malformed tbs certificate"))?;
        let mut tbs_fields = Tlv::reader(tbs.value);
        let version = tbs_fields
            .read_optional(0xa0)
            .ok_or(malformed("x509: malformed version"))?;
        if let Some(version) = version {
            let mut inner = Tlv::reader(version.value);
            let value = inner
                .read_expect(0x02)
                .filter(|v| v.value.len() <= 8 && inner.is_empty())
                .and_then(|v| minimal_integer(v.value))
                .ok_or(malformed("x509: malformed version"))?;
            if value.first().is_some_and(|b| b & 0x80 != 0) {
                return Err(malformed("x509: malformed version"));
            }
            if value.iter().rev().skip(1).any(|b| *b != 0) || value.last().is_some_and(|b| *b > 2) {
                return Err(malformed("x509: invalid version"));
            }
        }
        let serial = tbs_fields
            .read_expect(0x02)
            .and_then(|v| minimal_integer(v.value))
            .ok_or(malformed("x509: malformed serial number"))?;
        // Go 1.23 and later refuse negative serial numbers (GODEBUG x509negativeserial=1 aside).
        if serial.first().is_some_and(|b| b & 0x80 != 0) {
            return Err(malformed("x509: negative serial number"));
        }
        let inner_alg = tbs_fields
            .read_expect(TAG_SEQUENCE)
            .ok_or(malformed("x509: malformed signature algorithm identifier"))?;
        let outer_alg = fields
            .read_expect(TAG_SEQUENCE)
            .ok_or(malformed("x509: malformed algorithm identifier"))?;
        if inner_alg.value != outer_alg.value {
            return Err(malformed(
                "x509: inner and outer signature algorithm identifiers don't match",
            ));
        }
        let issuer = tbs_fields
            .read_expect(TAG_SEQUENCE)
            .ok_or(malformed("x509: malformed issuer"))?;
        let issuer_name = Name::from_der(issuer.raw)?;
        tbs_fields
            .read_expect(TAG_SEQUENCE)
            .ok_or(malformed("x509: malformed validity"))?;
        // Go reports a malformed subject as "malformed issuer" too.
        let subject = tbs_fields
            .read_expect(TAG_SEQUENCE)
            .ok_or(malformed("x509: malformed issuer"))?;
        let subject_name = Name::from_der(subject.raw)?;
        let spki = tbs_fields
            .read_expect(TAG_SEQUENCE)
            .ok_or(malformed("x509: malformed spki"))?;
        let mut spki_fields = Input::new(spki.value);
        spki_fields
            .read(tag::SEQUENCE)
            .ok_or(malformed("x509: malformed public key algorithm identifier"))?;
        spki_fields
            .read_bit_string()
            .ok_or(malformed("x509: malformed subjectPublicKey"))?;

        // Go reads the signature with cryptobyte's BIT STRING rules and uses it right-aligned;
        // x509-cert accepts non-zero padding bits and hands out the bytes unshifted.
        let signature = Input::new(fields.remaining())
            .read_bit_string()
            .ok_or(malformed("x509: malformed signature"))?
            .right_align();
        let x509 = x509_cert::Certificate::from_der(raw).map_err(|e| CertificateError::Decode {
            detail: e.to_string(),
        })?;
        let spans = Spans {
            tbs: span(raw, tbs.raw),
            issuer: span(raw, issuer.raw),
            subject: span(raw, subject.raw),
            spki: span(raw, spki.raw),
        };
        Ok((
            Self {
                der: raw.to_vec(),
                x509,
                subject: subject_name,
                issuer: issuer_name,
                spans,
                signature,
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

    /// The decoded certificate.
    pub fn x509(&self) -> &x509_cert::Certificate {
        &self.x509
    }

    /// The issuer's signature as Go uses it: the `signatureValue` BIT STRING right-aligned.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The DER of `tbsCertificate` exactly as encoded (what the issuer's signature covers).
    pub fn raw_tbs(&self) -> &[u8] {
        self.slice(self.spans.tbs)
    }

    /// The DER of the subject name exactly as encoded.
    pub fn raw_subject(&self) -> &[u8] {
        self.slice(self.spans.subject)
    }

    /// The DER of the issuer name exactly as encoded.
    pub fn raw_issuer(&self) -> &[u8] {
        self.slice(self.spans.issuer)
    }

    /// The DER of `subjectPublicKeyInfo` exactly as encoded.
    pub fn raw_public_key(&self) -> &[u8] {
        self.slice(self.spans.spki)
    }

    /// The subject public key info.
    pub fn public_key(&self) -> &spki::SubjectPublicKeyInfoOwned {
        &self.x509.tbs_certificate.subject_public_key_info
    }

    /// The subject name.
    pub fn subject_name(&self) -> &Name {
        &self.subject
    }

    /// The subject in Go's `pkix.Name.String()` form.
    pub fn subject(&self) -> String {
        self.subject.go_string()
    }

    /// The issuer in Go's `pkix.Name.String()` form.
    pub fn issuer(&self) -> String {
        self.issuer.go_string()
    }

    /// Start of the validity period.
    pub fn not_before(&self) -> DateTime<Utc> {
        to_chrono(self.x509.tbs_certificate.validity.not_before)
    }

    /// End of the validity period.
    pub fn not_after(&self) -> DateTime<Utc> {
        to_chrono(self.x509.tbs_certificate.validity.not_after)
    }

    /// SHA-256 of the DER encoding, lower-case hex (notation's thumbprint).
    pub fn sha256_fingerprint(&self) -> String {
        hex::encode(Sha256::digest(&self.der))
    }

    /// The serial number's big-endian bytes as encoded.
    pub fn serial_number(&self) -> &[u8] {
        self.x509.tbs_certificate.serial_number.as_bytes()
    }

    /// The X.509 version as Go numbers it (1, 2 or 3).
    pub fn version(&self) -> u8 {
        match self.x509.tbs_certificate.version {
            x509_cert::certificate::Version::V1 => 1,
            x509_cert::certificate::Version::V2 => 2,
            x509_cert::certificate::Version::V3 => 3,
        }
    }

    /// The extension with type `oid`, if present.
    pub fn extension(
        &self,
        oid: &const_oid::ObjectIdentifier,
    ) -> Option<&x509_cert::ext::Extension> {
        self.x509
            .tbs_certificate
            .extensions
            .as_deref()
            .and_then(|exts| exts.iter().find(|e| &e.extn_id == oid))
    }

    /// The basic constraints extension, if present and decodable (Go's `BasicConstraintsValid`).
    pub fn basic_constraints(&self) -> Option<BasicConstraints> {
        self.extension(&ID_CE_BASIC_CONSTRAINTS)
            .and_then(|e| BasicConstraints::from_der(e.extn_value.as_bytes()).ok())
    }

    /// Go's `Certificate.IsCA`: basic constraints present with `cA` set.
    pub fn is_ca(&self) -> bool {
        self.basic_constraints().is_some_and(|bc| bc.ca)
    }

    /// The key usage extension, if present.
    pub fn key_usage(&self) -> Option<KeyUsage> {
        self.extension(&ID_CE_KEY_USAGE)
            .and_then(|e| KeyUsage::from_der(e.extn_value.as_bytes()).ok())
    }

    /// Subject and issuer are byte-for-byte the same name.
    pub fn is_self_issued(&self) -> bool {
        self.raw_subject() == self.raw_issuer()
    }

    /// Re-encodes the decoded certificate; equal to [`Certificate::der`] for DER input.
    pub fn reencoded(&self) -> Result<Vec<u8>, der::Error> {
        self.x509.to_der()
    }
}

/// The contents of a DER INTEGER if minimally encoded (what `cryptobyte` requires).
fn minimal_integer(value: &[u8]) -> Option<&[u8]> {
    match value {
        [] => None,
        [0x00, next, ..] if next & 0x80 == 0 => None,
        [0xff, next, ..] if next & 0x80 != 0 => None,
        _ => Some(value),
    }
}

fn to_chrono(time: x509_cert::time::Time) -> DateTime<Utc> {
    let secs = i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
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

    const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/upstream/");

    fn read(path: &str) -> Vec<u8> {
        std::fs::read(format!("{VECTORS}{path}")).unwrap()
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
    fn parses_der_vector_with_go_names() {
        let der = read("notation-core-go/x509/testdata/der.der");
        let cert = Certificate::from_der(&der).unwrap();
        assert_eq!(cert.der(), der.as_slice());
        assert_eq!(cert.reencoded().unwrap(), der);
        assert_eq!(cert.raw_tbs(), &der[4..4 + cert.raw_tbs().len()]);
        assert!(!cert.subject().is_empty());
        assert_eq!(cert.sha256_fingerprint().len(), 64);
        assert!(cert.not_before() < cert.not_after());
    }

    #[test]
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
                &cert.x509().signature_algorithm,
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

    #[test]
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
