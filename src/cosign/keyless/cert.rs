//! The Fulcio certificate of a keyless signature: who signed (the OIDC issuer from the Fulcio
//! extensions, the subject from the SAN) and whether it chains to a Fulcio CA of the trusted
//! root at the signing time (sigstore-go's `VerifyLeafCertificate`: Go's `x509.Verify` with the
//! observed time as the current time and the code-signing EKU).

use super::root::{CertificateAuthority, TrustedRoot};
use crate::pki::cert::Certificate;
use chrono::{DateTime, Utc};
use const_oid::ObjectIdentifier;
use der::Decode as _;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{ExtendedKeyUsage, SubjectAltName};

const SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");
const ANY_EKU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");
/// Fulcio's otherName SAN type (`cryptoutils.UnmarshalOtherNameSAN`).
const OTHER_NAME_SAN: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.7");
/// The Fulcio extension arc: `1.3.6.1.4.1.57264.1.<n>`.
const FULCIO_ARC: &str = "1.3.6.1.4.1.57264.1.";

/// The Fulcio extensions a report shows, by their number under the arc.
const CLAIMS: &[(u32, &str)] = &[
    (2, "github workflow trigger"),
    (3, "github workflow sha"),
    (4, "github workflow name"),
    (5, "github workflow repository"),
    (6, "github workflow ref"),
    (9, "build signer URI"),
    (12, "source repository URI"),
    (13, "source repository digest"),
    (14, "source repository ref"),
    (18, "build config URI"),
    (20, "build trigger"),
    (21, "run invocation URI"),
];

/// What a Fulcio certificate says about its signer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Signer {
    /// The OIDC issuer: extension `.1.8` (a DER UTF8String) when present, else `.1.1` (raw).
    pub issuer: String,
    /// Every SAN as cosign's `GetSubjectAlternateNames` lists them: DNS names, emails, IPs,
    /// URIs, then the otherName.
    pub sans: Vec<String>,
    /// The one SAN sigstore-go's `SummarizeCertificate` takes: the first URI, else the first
    /// email, else the otherName.
    pub subject: String,
    /// Workflow claims, `(name, value)`.
    pub claims: Vec<(String, String)>,
    /// The certificate's issuer DN (Go form) and validity, for reports.
    pub certificate_issuer: String,
    /// `NotBefore`.
    pub not_before: DateTime<Utc>,
    /// `NotAfter`.
    pub not_after: DateTime<Utc>,
}

fn fulcio_extension(cert: &Certificate, n: u32) -> Option<&[u8]> {
    cert.extensions()
        .iter()
        .find(|e| e.extn_id.to_string() == format!("{FULCIO_ARC}{n}"))
        .map(|e| e.extn_value.as_bytes())
}

/// `.1.8`-style values are DER UTF8Strings; `.1.1`–`.1.6` raw bytes.
fn der_string(value: &[u8]) -> Option<String> {
    der::asn1::Utf8StringRef::from_der(value)
        .ok()
        .map(|s| s.as_str().to_owned())
}

/// Reads the signer of `cert`.
pub fn signer(cert: &Certificate) -> Signer {
    let issuer = fulcio_extension(cert, 8)
        .and_then(der_string)
        .filter(|s| !s.is_empty())
        .or_else(|| fulcio_extension(cert, 1).map(|v| String::from_utf8_lossy(v).into_owned()))
        .unwrap_or_default();
    let (mut dns, mut emails, mut ips, mut uris, mut other) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), None);
    if let Some(ext) = cert.extension(&SUBJECT_ALT_NAME) {
        if let Ok(SubjectAltName(names)) = SubjectAltName::from_der(ext.extn_value.as_bytes()) {
            for name in names {
                match name {
                    GeneralName::DnsName(n) => dns.push(n.to_string()),
                    GeneralName::Rfc822Name(n) => emails.push(n.to_string()),
                    GeneralName::UniformResourceIdentifier(n) => uris.push(n.to_string()),
                    GeneralName::IpAddress(ip) => ips.push(ip_string(ip.as_bytes())),
                    GeneralName::OtherName(o) if o.type_id == OTHER_NAME_SAN && other.is_none() => {
                        other = o
                            .value
                            .decode_as::<der::asn1::Utf8StringRef<'_>>()
                            .ok()
                            .map(|s| s.as_str().to_owned());
                    }
                    _ => {}
                }
            }
        }
    }
    let subject = uris
        .first()
        .or(emails.first())
        .cloned()
        .or_else(|| other.clone())
        .unwrap_or_default();
    let mut sans = dns;
    sans.extend(emails);
    sans.extend(ips);
    sans.extend(uris);
    sans.extend(other);
    let claims = CLAIMS
        .iter()
        .filter_map(|(n, name)| {
            let raw = fulcio_extension(cert, *n)?;
            // From .1.8 on the values are DER; the GitHub ones (.1.2–.1.6) raw.
            let value = if *n >= 8 {
                der_string(raw)?
            } else {
                String::from_utf8_lossy(raw).into_owned()
            };
            Some(((*name).to_owned(), value))
        })
        .collect();
    Signer {
        issuer,
        sans,
        subject,
        claims,
        certificate_issuer: cert.issuer(),
        not_before: cert.not_before(),
        not_after: cert.not_after(),
    }
}

fn ip_string(bytes: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
        return std::net::Ipv4Addr::from(v4).to_string();
    }
    if let Ok(v6) = <[u8; 16]>::try_from(bytes) {
        return std::net::Ipv6Addr::from(v6).to_string();
    }
    hex::encode(bytes)
}

/// Whether the certificate's validity contains `t`.
pub fn valid_at(cert: &Certificate, t: DateTime<Utc>) -> bool {
    cert.not_before() <= t && t <= cert.not_after()
}

/// Go's EKU check along the chain for `ExtKeyUsageCodeSigning`: a certificate without the
/// extension allows anything; one with it must list code signing or anyExtendedKeyUsage.
fn allows_code_signing(cert: &Certificate) -> bool {
    let Some(ext) = cert.extension(&EXT_KEY_USAGE) else {
        return true;
    };
    ExtendedKeyUsage::from_der(ext.extn_value.as_bytes())
        .map(|eku| eku.0.iter().any(|o| *o == CODE_SIGNING || *o == ANY_EKU))
        .unwrap_or(false)
}

/// Builds a chain from `cert` up to one of `roots` through `intermediates`, every certificate
/// valid at `t` and allowing code signing: Go's `Certificate.Verify` as sigstore-go calls it.
/// Returns the chain, leaf first.
pub fn build_chain(
    cert: &Certificate,
    roots: &[Certificate],
    intermediates: &[Certificate],
    t: DateTime<Utc>,
) -> Option<Vec<Certificate>> {
    fn walk(
        chain: &mut Vec<Certificate>,
        roots: &[Certificate],
        intermediates: &[Certificate],
        t: DateTime<Utc>,
    ) -> bool {
        let Some(current) = chain.last().cloned() else {
            return false;
        };
        if chain.len() > 8 {
            return false;
        }
        let issued = |parent: &Certificate| {
            parent.raw_subject() == current.raw_issuer()
                && valid_at(parent, t)
                && allows_code_signing(parent)
                && crate::pki::chain::check_signature_from(&current, parent).is_ok()
        };
        if let Some(root) = roots.iter().find(|r| issued(r)) {
            chain.push(root.clone());
            return true;
        }
        for parent in intermediates {
            if chain.iter().any(|c| c.der() == parent.der()) || !issued(parent) {
                continue;
            }
            chain.push(parent.clone());
            if walk(chain, roots, intermediates, t) {
                return true;
            }
            chain.pop();
        }
        false
    }
    if !valid_at(cert, t) || !allows_code_signing(cert) {
        return None;
    }
    // A root given as the leaf itself.
    if roots.iter().any(|r| r.der() == cert.der()) {
        return Some(vec![cert.clone()]);
    }
    let mut chain = vec![cert.clone()];
    walk(&mut chain, roots, intermediates, t).then_some(chain)
}

/// `FulcioCertificateAuthority.Verify`: the CA's window, then the chain at `t`.
pub fn verify_with_authority(
    cert: &Certificate,
    ca: &CertificateAuthority,
    t: DateTime<Utc>,
) -> Option<Vec<Certificate>> {
    if !ca.validity.contains(t) {
        return None;
    }
    build_chain(cert, std::slice::from_ref(&ca.root), &ca.intermediates, t)
}

/// sigstore-go's `VerifyLeafCertificate`: the first CA the leaf chains to at `t`, with the CA.
pub fn verify_leaf<'r>(
    cert: &Certificate,
    root: &'r TrustedRoot,
    t: DateTime<Utc>,
) -> Result<(&'r CertificateAuthority, Vec<Certificate>), String> {
    root.certificate_authorities
        .iter()
        .find_map(|ca| verify_with_authority(cert, ca, t).map(|chain| (ca, chain)))
        // sigstore-go pkg/verify/certificate.go
        .ok_or_else(|| "leaf certificate verification failed".to_owned())
}

/// The first certificate of a PEM text (cosign's `Cert()` / `Chain()` read PEM).
pub fn certificates_from_pem(mut pem: &[u8]) -> Result<Vec<Certificate>, String> {
    let mut out = Vec::new();
    while let Some((block, rest)) = crate::trust::pem::decode(pem) {
        if block.kind == "CERTIFICATE" {
            out.push(Certificate::from_der(&block.bytes).map_err(|e| e.to_string())?);
        }
        pem = rest;
    }
    Ok(out)
}
