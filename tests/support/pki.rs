//! Test PKI: keys from `fixtures/keys/`, certificates built field by field (so that every rule
//! notation checks can be broken on purpose) and signed with the issuer's key.

use chrono::{DateTime, Duration, TimeZone, Utc};
use const_oid::ObjectIdentifier;
use der::asn1::{BitString, OctetString};
use der::{Decode, Encode};
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256, Sha384, Sha512};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use std::str::FromStr;
use x509_cert::certificate::{
    Certificate as CertificateInner, TbsCertificate as TbsCertificateInner, Version,
};
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

/// `fixtures/keys/` of this repository.
pub fn keys_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keys")
}

/// The key types notation signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA 2048 (PS256).
    Rsa2048,
    /// RSA 3072 (PS384).
    Rsa3072,
    /// RSA 4096 (PS512).
    Rsa4096,
    /// P-256 (ES256).
    P256,
    /// P-384 (ES384).
    P384,
    /// P-521 (ES512).
    P521,
}

impl KeyKind {
    /// All six.
    pub const ALL: [KeyKind; 6] = [
        KeyKind::Rsa2048,
        KeyKind::Rsa3072,
        KeyKind::Rsa4096,
        KeyKind::P256,
        KeyKind::P384,
        KeyKind::P521,
    ];

    /// File-name stem (`rsa2048`, `p256` …).
    pub fn stem(self) -> &'static str {
        match self {
            KeyKind::Rsa2048 => "rsa2048",
            KeyKind::Rsa3072 => "rsa3072",
            KeyKind::Rsa4096 => "rsa4096",
            KeyKind::P256 => "p256",
            KeyKind::P384 => "p384",
            KeyKind::P521 => "p521",
        }
    }

    /// The JWS algorithm notation requires for this key.
    /// The hash a CA with this key signs certificates with here (SHA-512 for P-521, whose
    /// ECDSA cannot take a 32-byte digest in RustCrypto; SHA-256 otherwise).
    pub fn cert_hash(self) -> Hash {
        match self {
            KeyKind::P521 => Hash::Sha512,
            KeyKind::P384 => Hash::Sha384,
            _ => Hash::Sha256,
        }
    }

    /// The JWS algorithm notation requires for this key.
    pub fn jws_alg(self) -> &'static str {
        match self {
            KeyKind::Rsa2048 => "PS256",
            KeyKind::Rsa3072 => "PS384",
            KeyKind::Rsa4096 => "PS512",
            KeyKind::P256 => "ES256",
            KeyKind::P384 => "ES384",
            KeyKind::P521 => "ES512",
        }
    }
}

/// Hash functions for signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    /// SHA-1 (only for negative certificate tests).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl Hash {
    /// Digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Hash::Sha256 => Sha256::digest(data).to_vec(),
            Hash::Sha384 => Sha384::digest(data).to_vec(),
            Hash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    /// The hash of a JWS/COSE algorithm name.
    pub fn of_alg(alg: &str) -> Hash {
        match &alg[alg.len().saturating_sub(3)..] {
            "384" => Hash::Sha384,
            "512" => Hash::Sha512,
            _ => Hash::Sha256,
        }
    }
}

/// A private key of any supported type.
#[derive(Clone)]
pub enum PrivateKey {
    /// RSA.
    Rsa(RsaPrivateKey),
    /// P-256.
    P256(p256::ecdsa::SigningKey),
    /// P-384.
    P384(p384::ecdsa::SigningKey),
    /// P-521.
    P521(p521::ecdsa::SigningKey),
    /// A key this signer cannot sign with (P-224, Ed25519): only its SPKI is usable.
    SpkiOnly(SubjectPublicKeyInfoOwned),
}

const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

fn ec_spki(curve: &str, point: &[u8]) -> SubjectPublicKeyInfoOwned {
    let curve = ObjectIdentifier::new_unwrap(curve);
    SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: EC_PUBLIC_KEY,
            parameters: Some(der::Any::encode_from(&curve).unwrap()),
        },
        subject_public_key: BitString::from_bytes(point).unwrap(),
    }
}

impl PrivateKey {
    /// `fixtures/keys/<name>.pem`, e.g. `rsa2048-leaf`.
    pub fn load_named(name: &str) -> PrivateKey {
        let pem = std::fs::read_to_string(keys_dir().join(format!("{name}.pem")))
            .unwrap_or_else(|e| panic!("fixtures/keys/{name}.pem: {e}"));
        if name.starts_with("rsa") {
            PrivateKey::Rsa(RsaPrivateKey::from_pkcs8_pem(&pem).unwrap())
        } else if name.starts_with("p256") {
            PrivateKey::P256(p256::ecdsa::SigningKey::from_pkcs8_pem(&pem).unwrap())
        } else if name.starts_with("p384") {
            PrivateKey::P384(p384::ecdsa::SigningKey::from_pkcs8_pem(&pem).unwrap())
        } else if name.starts_with("p521") {
            let secret = p521::SecretKey::from_pkcs8_pem(&pem).unwrap();
            PrivateKey::P521(p521::ecdsa::SigningKey::from_bytes(&secret.to_bytes()).unwrap())
        } else {
            // P-224 / Ed25519: the crates here cannot derive the public key, so read the SPKI
            // `openssl pkey -pubout` gave, kept beside the key (fixtures/keys/README.md).
            let spki_pem = std::fs::read(keys_dir().join(format!("{name}.pub.pem")))
                .unwrap_or_else(|e| panic!("fixtures/keys/{name}.pub.pem: {e}"));
            let (_, der) = der::pem::decode_vec(&spki_pem).unwrap();
            PrivateKey::SpkiOnly(SubjectPublicKeyInfoOwned::from_der(&der).unwrap())
        }
    }

    /// `fixtures/keys/<kind>-<role>.pem`; roles are `root`, `inter`, `leaf`.
    pub fn load(kind: KeyKind, role: &str) -> PrivateKey {
        Self::load_named(&format!("{}-{role}", kind.stem()))
    }

    /// The public key.
    pub fn spki(&self) -> SubjectPublicKeyInfoOwned {
        match self {
            PrivateKey::Rsa(k) => {
                let der = k.to_public_key().to_public_key_der().unwrap();
                SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).unwrap()
            }
            PrivateKey::P256(k) => ec_spki(
                "1.2.840.10045.3.1.7",
                k.verifying_key().to_encoded_point(false).as_bytes(),
            ),
            PrivateKey::P384(k) => ec_spki(
                "1.3.132.0.34",
                k.verifying_key().to_encoded_point(false).as_bytes(),
            ),
            PrivateKey::P521(k) => ec_spki(
                "1.3.132.0.35",
                p521::ecdsa::VerifyingKey::from(k)
                    .to_encoded_point(false)
                    .as_bytes(),
            ),
            PrivateKey::SpkiOnly(spki) => spki.clone(),
        }
    }

    /// Signs certificate bytes the X.509 way: RSA PKCS#1 v1.5 or DER ECDSA, with `hash`.
    pub fn sign_x509(&self, hash: Hash, data: &[u8]) -> (AlgorithmIdentifierOwned, Vec<u8>) {
        use ecdsa::signature::hazmat::PrehashSigner;
        let digest = hash.digest(data);
        let oid = |s| AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap(s),
            parameters: None,
        };
        match self {
            PrivateKey::Rsa(k) => {
                let (scheme, id) = match hash {
                    Hash::Sha1 => (
                        rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                        "1.2.840.113549.1.1.5",
                    ),
                    Hash::Sha256 => (rsa::Pkcs1v15Sign::new::<Sha256>(), "1.2.840.113549.1.1.11"),
                    Hash::Sha384 => (rsa::Pkcs1v15Sign::new::<Sha384>(), "1.2.840.113549.1.1.12"),
                    Hash::Sha512 => (rsa::Pkcs1v15Sign::new::<Sha512>(), "1.2.840.113549.1.1.13"),
                };
                let mut alg = oid(id);
                alg.parameters = Some(der::Any::null());
                (alg, k.sign(scheme, &digest).unwrap())
            }
            _ => {
                let id = match hash {
                    Hash::Sha1 => "1.2.840.10045.4.1",
                    Hash::Sha256 => "1.2.840.10045.4.3.2",
                    Hash::Sha384 => "1.2.840.10045.4.3.3",
                    Hash::Sha512 => "1.2.840.10045.4.3.4",
                };
                let der = match self {
                    PrivateKey::P256(k) => {
                        let s: p256::ecdsa::Signature = k.sign_prehash(&digest).unwrap();
                        s.to_der().as_bytes().to_vec()
                    }
                    PrivateKey::P384(k) => {
                        let s: p384::ecdsa::Signature = k.sign_prehash(&digest).unwrap();
                        s.to_der().as_bytes().to_vec()
                    }
                    PrivateKey::P521(k) => {
                        let s: p521::ecdsa::Signature = k.sign_prehash(&digest).unwrap();
                        s.to_der().as_bytes().to_vec()
                    }
                    _ => panic!("this key cannot sign"),
                };
                (oid(id), der)
            }
        }
    }

    /// Signs envelope bytes for a JWS/COSE algorithm name (`PS256` … `ES512`): RSASSA-PSS with
    /// salt = hash length, or raw `r‖s` ECDSA. The hash follows the *name*, so a mismatched
    /// name makes a signature notation must reject.
    pub fn sign_envelope(&self, alg: &str, data: &[u8]) -> Vec<u8> {
        self.sign_envelope_with_salt(alg, data, None)
    }

    /// [`PrivateKey::sign_envelope`] with an explicit PSS salt length.
    pub fn sign_envelope_with_salt(&self, alg: &str, data: &[u8], salt: Option<usize>) -> Vec<u8> {
        use ecdsa::signature::hazmat::PrehashSigner;
        let hash = Hash::of_alg(alg);
        let digest = hash.digest(data);
        match self {
            PrivateKey::Rsa(k) => {
                let mut rng = rand::thread_rng();
                let scheme = match (hash, salt) {
                    (Hash::Sha384, None) => rsa::Pss::new::<Sha384>(),
                    (Hash::Sha512, None) => rsa::Pss::new::<Sha512>(),
                    (_, None) => rsa::Pss::new::<Sha256>(),
                    (Hash::Sha384, Some(s)) => rsa::Pss::new_with_salt::<Sha384>(s),
                    (Hash::Sha512, Some(s)) => rsa::Pss::new_with_salt::<Sha512>(s),
                    (_, Some(s)) => rsa::Pss::new_with_salt::<Sha256>(s),
                };
                k.sign_with_rng(&mut rng, scheme, &digest).unwrap()
            }
            PrivateKey::P256(k) => {
                let s: p256::ecdsa::Signature = k.sign_prehash(&digest).unwrap();
                s.to_bytes().to_vec()
            }
            PrivateKey::P384(k) => {
                let s: p384::ecdsa::Signature = k.sign_prehash(&digest).unwrap();
                s.to_bytes().to_vec()
            }
            PrivateKey::P521(k) => {
                let s: p521::ecdsa::Signature = k.sign_prehash(&digest).unwrap();
                s.to_bytes().to_vec()
            }
            PrivateKey::SpkiOnly(_) => panic!("this key cannot sign"),
        }
    }
}

/// Key usage bits, numbered as in RFC 5280 (and Go): bit i = `1 << i`.
pub mod ku {
    /// digitalSignature
    pub const DIGITAL_SIGNATURE: u16 = 1 << 0;
    /// nonRepudiation / contentCommitment
    pub const NON_REPUDIATION: u16 = 1 << 1;
    /// keyEncipherment
    pub const KEY_ENCIPHERMENT: u16 = 1 << 2;
    /// dataEncipherment
    pub const DATA_ENCIPHERMENT: u16 = 1 << 3;
    /// keyAgreement
    pub const KEY_AGREEMENT: u16 = 1 << 4;
    /// keyCertSign
    pub const KEY_CERT_SIGN: u16 = 1 << 5;
    /// cRLSign
    pub const CRL_SIGN: u16 = 1 << 6;
    /// encipherOnly
    pub const ENCIPHER_ONLY: u16 = 1 << 7;
    /// decipherOnly
    pub const DECIPHER_ONLY: u16 = 1 << 8;
}

/// EKU OIDs.
pub mod eku {
    use const_oid::ObjectIdentifier;
    /// anyExtendedKeyUsage
    pub const ANY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");
    /// serverAuth
    pub const SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
    /// clientAuth
    pub const CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
    /// codeSigning
    pub const CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");
    /// emailProtection
    pub const EMAIL_PROTECTION: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4");
    /// timeStamping
    pub const TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
    /// OCSPSigning
    pub const OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");
}

/// basicConstraints as written into a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicConstraintsSpec {
    /// cA.
    pub ca: bool,
    /// pathLenConstraint.
    pub path_len: Option<u8>,
    /// Extension criticality.
    pub critical: bool,
}

/// Everything about a certificate that tests vary.
#[derive(Debug, Clone)]
pub struct CertSpec {
    /// Subject, RFC 4514 string (`CN=…,O=…,ST=…,C=…`).
    pub subject: String,
    /// Issuer name to write instead of the issuer certificate's subject.
    pub issuer_override: Option<String>,
    /// Serial number.
    pub serial: u64,
    /// notBefore.
    pub not_before: DateTime<Utc>,
    /// notAfter.
    pub not_after: DateTime<Utc>,
    /// basicConstraints, `None` = extension absent.
    pub basic_constraints: Option<BasicConstraintsSpec>,
    /// Key usage bits ([`ku`]) and criticality, `None` = extension absent.
    pub key_usage: Option<(u16, bool)>,
    /// EKU OIDs ([`eku`]) and criticality, `None` = extension absent.
    pub eku: Option<(Vec<ObjectIdentifier>, bool)>,
    /// Hash of the issuer's signature over this certificate.
    pub hash: Hash,
    /// Write an X.509 v1 certificate (no extensions at all).
    pub v1: bool,
}

/// A default validity: from 2020 to 2099.
pub fn default_validity() -> (DateTime<Utc>, DateTime<Utc>) {
    (
        Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2099, 12, 31, 23, 59, 59).unwrap(),
    )
}

impl CertSpec {
    /// A code-signing leaf: no basicConstraints, critical KU digitalSignature, EKU codeSigning.
    pub fn leaf(subject: &str) -> CertSpec {
        let (not_before, not_after) = default_validity();
        CertSpec {
            subject: subject.to_string(),
            issuer_override: None,
            serial: 3,
            not_before,
            not_after,
            basic_constraints: None,
            key_usage: Some((ku::DIGITAL_SIGNATURE, true)),
            eku: Some((vec![eku::CODE_SIGNING], false)),
            hash: Hash::Sha256,
            v1: false,
        }
    }

    /// A CA: critical basicConstraints cA=true with `path_len`, critical KU keyCertSign|cRLSign.
    pub fn ca(subject: &str, path_len: Option<u8>) -> CertSpec {
        let (not_before, not_after) = default_validity();
        CertSpec {
            subject: subject.to_string(),
            issuer_override: None,
            serial: 1,
            not_before,
            not_after,
            basic_constraints: Some(BasicConstraintsSpec {
                ca: true,
                path_len,
                critical: true,
            }),
            key_usage: Some((ku::KEY_CERT_SIGN | ku::CRL_SIGN, true)),
            eku: None,
            hash: Hash::Sha256,
            v1: false,
        }
    }

    /// A timestamping leaf: critical EKU timeStamping only.
    pub fn tsa_leaf(subject: &str) -> CertSpec {
        let mut spec = CertSpec::leaf(subject);
        spec.eku = Some((vec![eku::TIME_STAMPING], true));
        spec
    }
}

/// A certificate with its private key.
#[derive(Clone)]
pub struct TestCert {
    /// DER.
    pub der: Vec<u8>,
    /// The subject's private key.
    pub key: PrivateKey,
    /// What it was built from.
    pub spec: CertSpec,
}

fn time(t: DateTime<Utc>) -> Time {
    let d = std::time::Duration::from_secs(t.timestamp().max(0) as u64);
    let dt = der::DateTime::from_unix_duration(d).unwrap();
    if t.timestamp()
        < Utc
            .with_ymd_and_hms(2050, 1, 1, 0, 0, 0)
            .unwrap()
            .timestamp()
    {
        Time::UtcTime(der::asn1::UtcTime::from_date_time(dt).unwrap())
    } else {
        Time::GeneralTime(der::asn1::GeneralizedTime::from_date_time(dt))
    }
}

/// DER BIT STRING for Go-numbered key usage bits, minimal length, DER unused bits.
fn key_usage_der(bits: u16) -> Vec<u8> {
    let mut bytes = vec![(bits & 0xff) as u8, (bits >> 8) as u8];
    // ASN.1 bit i is the (7 - i % 8)th bit of byte i / 8.
    for b in bytes.iter_mut() {
        *b = b.reverse_bits();
    }
    while bytes.len() > 1 && bytes.last() == Some(&0) {
        bytes.pop();
    }
    let last = *bytes.last().unwrap();
    let unused = if last == 0 {
        0
    } else {
        last.trailing_zeros() as u8
    };
    BitString::new(unused, bytes).unwrap().to_der().unwrap()
}

fn extension<T: Encode>(oid: ObjectIdentifier, critical: bool, value: &T) -> Extension {
    Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der().unwrap()).unwrap(),
    }
}

impl TestCert {
    /// Builds the certificate for `spec` with public key `key`, signed by `issuer` (its
    /// subject becomes the issuer name) or by `key` itself when `issuer` is `None`.
    pub fn issue(spec: CertSpec, key: PrivateKey, issuer: Option<&TestCert>) -> TestCert {
        let subject = Name::from_str(&spec.subject).unwrap();
        let issuer_name = match (&spec.issuer_override, issuer) {
            (Some(name), _) => Name::from_str(name).unwrap(),
            (None, Some(parent)) => Name::from_str(&parent.spec.subject).unwrap(),
            (None, None) => subject.clone(),
        };
        let signing_key = issuer.map(|p| &p.key).unwrap_or(&key);
        let (sig_alg, _) = signing_key.sign_x509(spec.hash, b"probe");
        let mut extensions = Vec::new();
        if let Some(bc) = &spec.basic_constraints {
            extensions.push(extension(
                ObjectIdentifier::new_unwrap("2.5.29.19"),
                bc.critical,
                &BasicConstraints {
                    ca: bc.ca,
                    path_len_constraint: bc.path_len,
                },
            ));
        }
        if let Some((bits, critical)) = spec.key_usage {
            extensions.push(Extension {
                extn_id: ObjectIdentifier::new_unwrap("2.5.29.15"),
                critical,
                extn_value: OctetString::new(key_usage_der(bits)).unwrap(),
            });
        }
        if let Some((oids, critical)) = &spec.eku {
            extensions.push(extension(
                ObjectIdentifier::new_unwrap("2.5.29.37"),
                *critical,
                &ExtendedKeyUsage(oids.clone()),
            ));
        }
        let tbs = TbsCertificateInner {
            version: if spec.v1 { Version::V1 } else { Version::V3 },
            serial_number: SerialNumber::new(&spec.serial.to_be_bytes()).unwrap(),
            signature: sig_alg.clone(),
            issuer: issuer_name,
            validity: Validity {
                not_before: time(spec.not_before),
                not_after: time(spec.not_after),
            },
            subject,
            subject_public_key_info: key.spki(),
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: if spec.v1 || extensions.is_empty() {
                None
            } else {
                Some(extensions)
            },
        };
        let tbs_der = tbs.to_der().unwrap();
        let (_, signature) = signing_key.sign_x509(spec.hash, &tbs_der);
        let cert = CertificateInner {
            tbs_certificate: tbs,
            signature_algorithm: sig_alg,
            signature: BitString::from_bytes(&signature).unwrap(),
        };
        TestCert {
            der: cert.to_der().unwrap(),
            key,
            spec,
        }
    }

    /// PEM (`CERTIFICATE`).
    pub fn pem(&self) -> String {
        der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &self.der).unwrap()
    }

    /// SHA-256 of the DER, lower hex.
    pub fn thumbprint(&self) -> String {
        hex::encode(Sha256::digest(&self.der))
    }
}

/// Subject of the leaf in [`chain`]: has C, ST and O, so trusted identities can match it.
pub const LEAF_SUBJECT: &str = "CN=fluxverify test leaf,O=Notary,L=Seattle,ST=WA,C=US";
/// Subject of the intermediate in [`chain`].
pub const INTER_SUBJECT: &str = "CN=fluxverify test intermediate,O=Notary,ST=WA,C=US";
/// Subject of the root in [`chain`].
pub const ROOT_SUBJECT: &str = "CN=fluxverify test root,O=Notary,ST=WA,C=US";

/// A valid code-signing chain of `len` (1–3) certificates, leaf first, all of `kind`:
/// 1 = self-signed leaf; 2 = leaf + root; 3 = leaf + intermediate + root.
pub fn chain(kind: KeyKind, len: usize) -> Vec<TestCert> {
    chain_with(kind, len, |_, _| {})
}

/// [`chain`] with each spec adjusted first; `edit(i, spec)` sees position i (0 = leaf).
pub fn chain_with(kind: KeyKind, len: usize, edit: impl Fn(usize, &mut CertSpec)) -> Vec<TestCert> {
    assert!((1..=3).contains(&len), "chains of 1 to 3 certificates");
    let edit = |i: usize, spec: &mut CertSpec| {
        spec.hash = kind.cert_hash();
        edit(i, spec);
    };
    if len == 1 {
        let mut spec = CertSpec::leaf(LEAF_SUBJECT);
        edit(0, &mut spec);
        return vec![TestCert::issue(spec, PrivateKey::load(kind, "leaf"), None)];
    }
    let mut root_spec = CertSpec::ca(ROOT_SUBJECT, None);
    edit(len - 1, &mut root_spec);
    let root = TestCert::issue(root_spec, PrivateKey::load(kind, "root"), None);
    let mut issuer = root.clone();
    let mut certs = vec![root];
    if len == 3 {
        let mut spec = CertSpec::ca(INTER_SUBJECT, Some(0));
        spec.serial = 2;
        edit(1, &mut spec);
        let inter = TestCert::issue(spec, PrivateKey::load(kind, "inter"), Some(&issuer));
        issuer = inter.clone();
        certs.insert(0, inter);
    }
    let mut leaf_spec = CertSpec::leaf(LEAF_SUBJECT);
    edit(0, &mut leaf_spec);
    let leaf = TestCert::issue(leaf_spec, PrivateKey::load(kind, "leaf"), Some(&issuer));
    certs.insert(0, leaf);
    certs
}

/// A point in time for tests that need one: `now` shifted by `days`.
pub fn days_from_now(days: i64) -> DateTime<Utc> {
    Utc::now() + Duration::days(days)
}
