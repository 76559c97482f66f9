//! The certificate extensions revocation reads, decoded as Go's `crypto/x509` fills
//! `Certificate.OCSPServer` and `Certificate.CRLDistributionPoints`.

use super::crl::parse_crl_distribution_points;
use crate::pki::cert::Certificate;
use crate::pki::name::{Tlv, TAG_SEQUENCE};
use const_oid::ObjectIdentifier;

const ID_PE_AUTHORITY_INFO_ACCESS: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1");
const ID_AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
const ID_CE_CRL_DISTRIBUTION_POINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.31");
pub(super) const ID_CE_FRESHEST_CRL: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.46");

/// `uniformResourceIdentifier [6] IA5String` inside a GeneralName.
const TAG_URI: u8 = 0x86;

/// Go's `OCSPServer`: every OCSP access location that is a URI, in order.
pub(super) fn ocsp_servers(cert: &Certificate) -> Vec<String> {
    let Some(ext) = cert.extension(&ID_PE_AUTHORITY_INFO_ACCESS) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut outer = Tlv::reader(ext.extn_value.as_bytes());
    let Some(seq) = outer.read_expect(TAG_SEQUENCE) else {
        return out;
    };
    let mut descriptions = Tlv::reader(seq.value);
    while let Some(description) = descriptions.read_expect(TAG_SEQUENCE) {
        let mut fields = Tlv::reader(description.value);
        let Some(method) = fields.read_expect(0x06) else {
            continue;
        };
        let Ok(method) = ObjectIdentifier::from_bytes(method.value) else {
            continue;
        };
        if method != ID_AD_OCSP {
            continue;
        }
        if let Some(location) = fields.read_expect(TAG_URI) {
            out.push(String::from_utf8_lossy(location.value).into_owned());
        }
    }
    out
}

/// Go's `CRLDistributionPoints`: the full-name URIs of every distribution point. A malformed
/// extension makes Go refuse the certificate at parse time; here it yields no URL.
pub(super) fn crl_distribution_points(cert: &Certificate) -> Vec<String> {
    cert.extension(&ID_CE_CRL_DISTRIBUTION_POINTS)
        .and_then(|ext| parse_crl_distribution_points(ext.extn_value.as_bytes()).ok())
        .unwrap_or_default()
}

/// Whether the certificate carries a FreshestCRL (delta CRL pointer) extension.
pub(super) fn has_freshest_crl(cert: &Certificate) -> bool {
    cert.extension(&ID_CE_FRESHEST_CRL).is_some()
}
