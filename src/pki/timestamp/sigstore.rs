//! RFC 3161 timestamp *responses* as Sigstore verifies them against one timestamp authority of
//! a trusted root: sigstore/timestamp-authority's `VerifyTimestampResponse` over
//! digitorus/timestamp (`ParseResponse`) and digitorus/pkcs7 (`VerifyWithOpts`), which is what
//! sigstore-go's `SigstoreTimestampingAuthority.Verify` calls for cosign.
//!
//! The token reader, the CMS signature check and the chain builder are notation's (the parent
//! module); only the policy differs, step by step:
//! 1. the response parses (`TimeStampResp`, status granted, a token present, no trailing
//!    data); a token carrying certificates must verify against its own signer certificate
//!    (digitorus `Parse` calls `p7.Verify()`);
//! 2. every SignerInfo verifies: its certificate (the token's, else the root's TSA
//!    certificate) found by issuer and serial, the message-digest attribute, a signing-time
//!    attribute inside that certificate's validity, the chain to the TSA's root through the
//!    root's intermediates (not the token's) with *any* key usage, at the signing-time
//!    attribute or, without one, at the current time (digitorus' `verifySignature`), and the
//!    signature;
//! 3. the TSA certificate (the token's first non-CA certificate, else the root's): equal to
//!    the root's when the root names one, its EKU extension critical, issuer and serial the
//!    root's, its EKU exactly `timeStamping`, and the root's intermediates allowing
//!    timestamping;
//! 4. the imprint is the hash of the message.
//!
//! The caller checks genTime against the authority's validity window. The texts are the Go
//! libraries' where they are short; cosign logs them and reports a fixed error, so none of them
//! reaches Flux's condition.

use super::path::{verify_for, KeyUsage};
use super::token::{self, SignedToken, SignerInfo};
use super::{
    attribute_value, cms_signature_algorithm, cms_time, hash_for, signed_attributes_der,
    ID_MESSAGE_DIGEST, ID_SIGNING_TIME,
};
use crate::pki::algorithm::verify_x509_signature;
use crate::pki::cert::Certificate;
use crate::pki::name::{Tlv, TAG_SEQUENCE};
use chrono::{DateTime, SecondsFormat, Utc};
use const_oid::ObjectIdentifier;
use der::Decode as _;
use x509_cert::ext::pkix::ExtendedKeyUsage;

const ID_CE_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const ID_KP_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
const ANY_EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");

/// One timestamp authority's trust material (sigstore-go's `SigstoreTimestampingAuthority`).
#[derive(Debug, Clone, Copy)]
pub struct TsaTrust<'a> {
    /// The chain's root.
    pub root: &'a Certificate,
    /// The chain's intermediates.
    pub intermediates: &'a [Certificate],
    /// The TSA's own certificate, when the trusted root lists it.
    pub leaf: Option<&'a Certificate>,
}

/// A verified response.
#[derive(Debug, Clone)]
pub struct SigstoreTimestamp {
    /// genTime.
    pub gen_time: DateTime<Utc>,
    /// The TSA certificate that signed it.
    pub tsa_certificate: Certificate,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// digitorus/timestamp `ParseResponse` up to the token: the token's DER.
fn token_of_response(response: &[u8]) -> Result<&[u8], String> {
    let mut top = Tlv::reader(response);
    let Some(resp) = top.read().filter(|t| t.tag == TAG_SEQUENCE) else {
        return Err(
            "asn1: structure error: tags don't match (16 vs not a SEQUENCE) TimeStampResp".into(),
        );
    };
    if !top.is_empty() {
        return Err("trailing data in Time-Stamp response".into());
    }
    let mut fields = Tlv::reader(resp.value);
    let Some(status) = fields.read().filter(|t| t.tag == TAG_SEQUENCE) else {
        return Err("asn1: structure error: missing PKIStatusInfo".into());
    };
    let code = Tlv::reader(status.value)
        .read()
        .filter(|t| t.tag == 0x02)
        .map(|t| token::go_int(t.value))
        .transpose()?
        .ok_or("asn1: structure error: missing PKIStatus")?;
    if code > 0 {
        return Err(format!("timestamp response status {code}: not granted"));
    }
    match fields.read() {
        Some(t) if t.tag == TAG_SEQUENCE && !t.value.is_empty() => Ok(t.raw),
        _ => Err("no pkcs7 data in Time-Stamp response".into()),
    }
}

/// The signer certificate among `certificates`, by issuer and serial (digitorus'
/// `getCertFromCertsByIssuerAndSerial`).
fn signer_certificate<'c>(
    certificates: &'c [Certificate],
    info: &SignerInfo<'_>,
) -> Result<&'c Certificate, String> {
    certificates
        .iter()
        .find(|c| c.raw_issuer() == info.sid_issuer && c.serial_number() == info.sid_serial)
        .ok_or_else(|| "pkcs7: No certificate for signer".to_owned())
}

/// digitorus' `verifySignature` for one signer: digest and signing-time attributes, the chain
/// when `trust` is given (at the signing time, else `now`), the signature.
fn verify_signer(
    signed: &SignedToken<'_>,
    info: &SignerInfo<'_>,
    certificates: &[Certificate],
    trust: Option<&TsaTrust<'_>>,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let ee = signer_certificate(certificates, info)?;
    let mut signing_time = now;
    let signed_bytes = match info.signed_attrs.filter(|a| !a.is_empty()) {
        None => signed.content.to_vec(),
        Some(raw) => {
            let digest = attribute_value(info, &ID_MESSAGE_DIGEST)
                .map_err(|_| "pkcs7: attribute type not in attributes".to_owned())?;
            let hash = hash_for(&info.digest_algorithm)
                .ok_or("pkcs7: unsupported algorithm in digestAlgorithm")?;
            if hash.digest(signed.content) != digest.value {
                return Err("pkcs7: Message digest mismatch".into());
            }
            if let Ok(value) = attribute_value(info, &ID_SIGNING_TIME) {
                let t = cms_time(value)?;
                if t > ee.not_after() || t < ee.not_before() {
                    return Err(format!(
                        "pkcs7: signing time \"{}\" is outside of certificate validity \"{}\" to \"{}\"",
                        rfc3339(t),
                        rfc3339(ee.not_before()),
                        rfc3339(ee.not_after())
                    ));
                }
                signing_time = t;
            }
            signed_attributes_der(raw)
        }
    };
    if let Some(trust) = trust {
        verify_for(
            ee,
            trust.intermediates,
            std::slice::from_ref(trust.root),
            signing_time,
            KeyUsage::Any,
        )
        .map_err(|e| format!("pkcs7: failed to verify certificate chain: {e}"))?;
    }
    let algorithm = cms_signature_algorithm(&info.digest_algorithm, &info.signature_algorithm)
        .ok_or("pkcs7: unsupported algorithm")?;
    verify_x509_signature(&algorithm, ee.public_key(), &signed_bytes, info.signature)
        .map_err(|e| e.to_string())
}

fn ekus(cert: &Certificate) -> Option<Vec<ObjectIdentifier>> {
    cert.extension(&ID_CE_EXT_KEY_USAGE).map(|e| {
        ExtendedKeyUsage::from_der(e.extn_value.as_bytes())
            .map(|eku| eku.0)
            .unwrap_or_default()
    })
}

/// timestamp-authority's `verifyLeafCert`.
fn verify_leaf(
    token_certificates: &[Certificate],
    trust: &TsaTrust<'_>,
) -> Result<Certificate, String> {
    const PREFIX: &str = "failed to verify TSA certificate";
    let leaf = if token_certificates.is_empty() {
        trust
            .leaf
            .cloned()
            .ok_or("leaf certificate must be present the in TSR or as a verify option")?
    } else {
        let leaf = token_certificates
            .iter()
            .find(|c| !c.is_ca())
            .cloned()
            .ok_or("no leaf certificate found in chain")?;
        if trust.leaf.is_some_and(|l| l.der() != leaf.der()) {
            return Err(format!(
                "{PREFIX}: certificate embedded in the TSR does not match the provided TSA certificate"
            ));
        }
        leaf
    };
    if !leaf
        .extension(&ID_CE_EXT_KEY_USAGE)
        .is_some_and(|e| e.critical)
    {
        return Err(format!("{PREFIX}: certificate must set EKU to critical"));
    }
    if let Some(expected) = trust.leaf {
        if expected.raw_issuer() != leaf.raw_issuer() {
            return Err(format!(
                "{PREFIX}: TSR cert issuer does not match provided TSA cert issuer"
            ));
        }
        if expected.serial_number() != leaf.serial_number() {
            return Err(format!(
                "{PREFIX}: TSR cert serial number does not match provided TSA cert serial number"
            ));
        }
    }
    let leaf_ekus = ekus(&leaf).unwrap_or_default();
    if leaf_ekus.len() != 1 {
        return Err(format!(
            "failed to verify EKU on leaf certificate: failed to verify EKU on leaf certificate: certificate has {} extended key usages, expected only one",
            leaf_ekus.len()
        ));
    }
    if leaf_ekus != [ID_KP_TIME_STAMPING] {
        return Err("failed to verify EKU on leaf certificate: failed to verify EKU on leaf certificate: leaf certificate EKU is not set to TimeStamping as required".into());
    }
    for intermediate in trust.intermediates {
        if let Some(list) = ekus(intermediate).filter(|l| !l.is_empty()) {
            if !list
                .iter()
                .any(|u| *u == ID_KP_TIME_STAMPING || *u == ANY_EXTENDED_KEY_USAGE)
            {
                return Err("failed to verify EKU on leaf certificate: failed to verify EKU on intermediate certificate: intermediate certificate does not allow Timestamping usage".into());
            }
        }
    }
    Ok(leaf)
}

/// Verifies the DER `response` over `message` against one authority (see the module docs);
/// `now` is the time the chain is checked at when the token has no signing-time attribute.
pub fn verify_response(
    response: &[u8],
    message: &[u8],
    trust: &TsaTrust<'_>,
    now: DateTime<Utc>,
) -> Result<SigstoreTimestamp, String> {
    let token_der =
        token_of_response(response).map_err(|e| format!("timestamp response is not valid: {e}"))?;
    let der = token::normalise(token_der)?;
    let signed = token::parse_signed_token(&der)?;
    if !signed.certificates.is_empty() {
        // digitorus/timestamp `Parse`: the token's own signature, no chain.
        for info in &signed.signer_infos {
            verify_signer(&signed, info, &signed.certificates, None, now)?;
        }
    }
    let info = token::parse_tst_info(signed.content)?;
    if info.hashed_message.is_empty() {
        return Err("Time-Stamp response contains no hashed message".into());
    }
    let hash = hash_for(&info.hash_algorithm).ok_or("unknown hash algorithm")?;
    if signed.signer_infos.is_empty() {
        return Err("error while verifying with chain: pkcs7: Message has no signers".into());
    }
    let certificates: Vec<Certificate> = if signed.certificates.is_empty() {
        trust.leaf.cloned().into_iter().collect()
    } else {
        signed.certificates.clone()
    };
    for signer in &signed.signer_infos {
        verify_signer(&signed, signer, &certificates, Some(trust), now)
            .map_err(|e| format!("error while verifying with chain: {e}"))?;
    }
    let tsa_certificate = verify_leaf(&signed.certificates, trust)?;
    if hash.digest(message) != info.hashed_message {
        return Err("hashed messages don't match".into());
    }
    Ok(SigstoreTimestamp {
        gen_time: info.gen_time,
        tsa_certificate,
    })
}
