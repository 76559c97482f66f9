//! The certificate extensions revocation reads, decoded as Go's `crypto/x509` fills
//! `Certificate.OCSPServer` and `Certificate.CRLDistributionPoints`.

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

/// Go's `crypto/x509` CRLDistributionPoints reader (as copied into notation-core-go's fetcher
/// for FreshestCRL): the URIs of each point's full name, in order. Errors are Go's texts.
pub fn parse_crl_distribution_points(value: &[u8]) -> Result<Vec<String>, &'static str> {
    let mut urls = Vec::new();
    let mut outer = Tlv::reader(value);
    let points = outer
        .read_expect(TAG_SEQUENCE)
        .ok_or("x509: invalid CRL distribution points")?;
    let mut points = Tlv::reader(points.value);
    while !points.is_empty() {
        let point = points
            .read_expect(TAG_SEQUENCE)
            .ok_or("x509: invalid CRL distribution point")?;
        let mut fields = Tlv::reader(point.value);
        let name = fields
            .read_optional(0xa0)
            .ok_or("x509: invalid CRL distribution point")?;
        let Some(name) = name else {
            continue;
        };
        let mut name_reader = Tlv::reader(name.value);
        let full_name = name_reader
            .read_expect(0xa0)
            .ok_or("x509: invalid CRL distribution point")?;
        let mut general_names = Tlv::reader(full_name.value);
        while !general_names.is_empty() {
            if general_names.remaining().first() != Some(&0x86) {
                break;
            }
            let uri = general_names
                .read_expect(0x86)
                .ok_or("x509: invalid CRL distribution point")?;
            urls.push(String::from_utf8_lossy(uri.value).into_owned());
        }
    }
    Ok(urls)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_points() {
        // SEQUENCE { DistributionPoint { [0] { [0] { URI "http://a/x.crl", URI "http://b" } } },
        //            DistributionPoint { [1] reasons } }
        let uri1 = b"http://a/x.crl";
        let uri2 = b"http://b";
        let mut names = vec![0x86, uri1.len() as u8];
        names.extend_from_slice(uri1);
        names.push(0x86);
        names.push(uri2.len() as u8);
        names.extend_from_slice(uri2);
        let full = [vec![0xa0, names.len() as u8], names].concat();
        let dpn = [vec![0xa0, full.len() as u8], full].concat();
        let dp1 = [vec![0x30, dpn.len() as u8], dpn].concat();
        let dp2 = vec![0x30, 0x04, 0x81, 0x02, 0x06, 0x40];
        let body = [dp1, dp2].concat();
        let value = [vec![0x30, body.len() as u8], body].concat();
        assert_eq!(
            parse_crl_distribution_points(&value).unwrap(),
            vec!["http://a/x.crl".to_string(), "http://b".to_string()]
        );
        assert_eq!(
            parse_crl_distribution_points(&[0x31, 0x00]),
            Err("x509: invalid CRL distribution points")
        );
        assert_eq!(
            parse_crl_distribution_points(&[0x30, 0x02, 0x31, 0x00]),
            Err("x509: invalid CRL distribution point")
        );
    }
}
