//! X.509 distinguished names, read and rendered exactly as Go's `crypto/x509` and
//! `crypto/x509/pkix` do.
//!
//! Notation compares and prints subjects in Go's `pkix.Name.String()` form (error messages such
//! as `certificate with subject "CN=e2e,O=Notary,L=Seattle,ST=WA,C=US" ...` and trusted identity
//! matching both depend on it). That form is not RFC 4514: Go regroups the attributes it knows
//! into a fixed order, keeps only the last common name, and hex-encodes everything else after
//! re-marshalling the value. `x509-cert` decodes `SET OF` by sorting it (and rejects duplicates),
//! which loses the encoded order Go works from, so names are read here from the raw DER with a
//! small order-preserving TLV reader.

use crate::golang::cryptobyte::Oid;
use std::fmt;

/// An attribute type as Go decodes it (`asn1.ObjectIdentifier`): arcs below 2^31, which the
/// `const-oid` type cannot always hold (a second arc above 47 under `2`, say), so names with
/// such types still parse and print as in Go.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttributeType(Vec<u64>);

impl AttributeType {
    /// The arcs.
    pub fn arcs(&self) -> &[u64] {
        &self.0
    }
}

impl fmt::Display for AttributeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arc) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{arc}")?;
        }
        Ok(())
    }
}

/// Why a name could not be read; `Display` gives Go's `crypto/x509` error text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The outer `SEQUENCE` or an RDN `SET` is malformed.
    #[error("x509: invalid RDNSequence")]
    Sequence,
    /// An attribute is not a `SEQUENCE`.
    #[error("x509: invalid RDNSequence: invalid attribute")]
    Attribute,
    /// An attribute type is not an OID.
    #[error("x509: invalid RDNSequence: invalid attribute type")]
    AttributeType,
    /// An attribute value is not a TLV.
    #[error("x509: invalid RDNSequence: invalid attribute value")]
    AttributeValue,
    /// An attribute value is not a string type Go accepts, or not valid for its type.
    #[error("x509: invalid RDNSequence: invalid attribute value: {0}")]
    AttributeString(String),
}

/// One attribute of a name, with its value decoded to text as Go does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Attribute type.
    pub oid: AttributeType,
    /// Decoded string value.
    pub value: String,
}

/// A distinguished name in encoded order: RDNs, each a list of attributes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Name {
    rdns: Vec<Vec<Attribute>>,
}

const OID_CN: u32 = 3;
const OID_SERIALNUMBER: u32 = 5;
const OID_C: u32 = 6;
const OID_L: u32 = 7;
const OID_ST: u32 = 8;
const OID_STREET: u32 = 9;
const OID_O: u32 = 10;
const OID_OU: u32 = 11;
const OID_POSTALCODE: u32 = 17;

/// The last arc of `oid` when it is one of Go's nine named `2.5.4.x` attributes.
fn named_arc(oid: &AttributeType) -> Option<u32> {
    match oid.arcs() {
        [2, 5, 4, arc @ (3 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 17)] => u32::try_from(*arc).ok(),
        _ => None,
    }
}

/// Go's `attributeTypeNames`.
fn short_name(arc: u32) -> &'static str {
    match arc {
        OID_C => "C",
        OID_O => "O",
        OID_OU => "OU",
        OID_CN => "CN",
        OID_SERIALNUMBER => "SERIALNUMBER",
        OID_L => "L",
        OID_ST => "ST",
        OID_STREET => "STREET",
        _ => "POSTALCODE",
    }
}

impl Name {
    /// Parses a DER `Name` (`RDNSequence`), the complete TLV.
    pub fn from_der(der: &[u8]) -> Result<Self, NameError> {
        let mut outer = Tlv::reader(der);
        let seq = outer.read_expect(TAG_SEQUENCE).ok_or(NameError::Sequence)?;
        let mut rdn_reader = Tlv::reader(seq.value);
        let mut rdns = Vec::new();
        while !rdn_reader.is_empty() {
            let set = rdn_reader.read_expect(TAG_SET).ok_or(NameError::Sequence)?;
            let mut atv_reader = Tlv::reader(set.value);
            let mut rdn = Vec::new();
            while !atv_reader.is_empty() {
                let atv = atv_reader
                    .read_expect(TAG_SEQUENCE)
                    .ok_or(NameError::Attribute)?;
                let mut fields = Tlv::reader(atv.value);
                let oid = fields
                    .read_expect(TAG_OID)
                    .and_then(|t| Oid::parse(t.value))
                    .map(|oid| AttributeType(oid.arcs))
                    .ok_or(NameError::AttributeType)?;
                let value = fields.read().ok_or(NameError::AttributeValue)?;
                let value = parse_asn1_string(value.tag, value.value)
                    .map_err(NameError::AttributeString)?;
                rdn.push(Attribute { oid, value });
            }
            rdns.push(rdn);
        }
        Ok(Self { rdns })
    }

    /// The RDNs in encoded order.
    pub fn rdns(&self) -> &[Vec<Attribute>] {
        &self.rdns
    }

    /// Every attribute in encoded order (Go's `pkix.Name.Names`).
    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.rdns.iter().flatten()
    }

    /// Values of one of the named attributes, as Go's `pkix.Name` fields hold them
    /// (`Country`, `Organization`, ...), in encoded order.
    fn values(&self, arc: u32) -> Vec<&str> {
        self.attributes()
            .filter(|a| named_arc(&a.oid) == Some(arc))
            .map(|a| a.value.as_str())
            .collect()
    }

    /// Go's `pkix.Name.String()` for a name parsed by `crypto/x509`.
    pub fn go_string(&self) -> String {
        // Go builds an RDNSequence and prints it in reverse: first the attributes it has no
        // field for (one RDN each, so they end up last), then its fields in a fixed order.
        let mut seq: Vec<Vec<(&AttributeType, &str)>> = self
            .attributes()
            .filter(|a| named_arc(&a.oid).is_none())
            .map(|a| vec![(&a.oid, a.value.as_str())])
            .collect();
        let oid_of = |arc: u32| -> Option<&AttributeType> {
            self.attributes()
                .map(|a| &a.oid)
                .find(|oid| named_arc(oid) == Some(arc))
        };
        for arc in [
            OID_C,
            OID_ST,
            OID_L,
            OID_STREET,
            OID_POSTALCODE,
            OID_O,
            OID_OU,
        ] {
            let values = self.values(arc);
            if let (false, Some(oid)) = (values.is_empty(), oid_of(arc)) {
                seq.push(values.into_iter().map(|v| (oid, v)).collect());
            }
        }
        // CommonName and SerialNumber are single strings in Go: the last value wins, and an
        // empty one is dropped.
        for arc in [OID_CN, OID_SERIALNUMBER] {
            if let (Some(last), Some(oid)) = (self.values(arc).last().copied(), oid_of(arc)) {
                if !last.is_empty() {
                    seq.push(vec![(oid, last)]);
                }
            }
        }

        let mut out = String::new();
        for (i, rdn) in seq.iter().rev().enumerate() {
            if i > 0 {
                out.push(',');
            }
            for (j, (oid, value)) in rdn.iter().enumerate() {
                if j > 0 {
                    out.push('+');
                }
                match named_arc(oid) {
                    Some(arc) => {
                        out.push_str(short_name(arc));
                        out.push('=');
                        escape_value(value, &mut out);
                    }
                    None => {
                        out.push_str(&oid.to_string());
                        out.push_str("=#");
                        out.push_str(&hex::encode(go_marshal_string(value)));
                    }
                }
            }
        }
        out
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.go_string())
    }
}

/// Go's value escaping in `RDNSequence.String()`.
fn escape_value(value: &str, out: &mut String) {
    let last = value.len().saturating_sub(1);
    for (k, c) in value.char_indices() {
        let escape = match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' => true,
            ' ' => k == 0 || k == last,
            '#' => k == 0,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Go's `asn1.Marshal` of a Go `string`: a PrintableString when every character is printable
/// (`*` and `&` excluded), otherwise a UTF8String.
fn go_marshal_string(value: &str) -> Vec<u8> {
    let printable = value.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b'\'' | b'(' | b')' | b'+' | b',' | b'-' | b'.' | b'/' | b':' | b'=' | b'?'
            )
    });
    let tag = if printable { 0x13 } else { 0x0c };
    let mut out = vec![tag];
    push_length(value.len(), &mut out);
    out.extend_from_slice(value.as_bytes());
    out
}

fn push_length(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let significant = bytes.get(skip..).unwrap_or_default();
    out.push(0x80 | significant.len() as u8);
    out.extend_from_slice(significant);
}

/// Go's `parseASN1String` (crypto/x509/parser.go): the string types a certificate name may use.
fn parse_asn1_string(tag: u8, value: &[u8]) -> Result<String, String> {
    match tag {
        // T61String: Go treats it as Latin-1.
        0x14 => Ok(value.iter().map(|b| char::from(*b)).collect()),
        // PrintableString, with the `*` and `&` Go tolerates.
        0x13 => {
            if value.iter().all(|b| is_printable(*b)) {
                Ok(value.iter().map(|b| char::from(*b)).collect())
            } else {
                Err("invalid PrintableString".into())
            }
        }
        0x0c => String::from_utf8(value.to_vec()).map_err(|_| "invalid UTF-8 string".into()),
        0x1e => parse_bmp_string(value).ok_or_else(|| "invalid BMPString".into()),
        0x16 => {
            if value.is_ascii() {
                Ok(value.iter().map(|b| char::from(*b)).collect())
            } else {
                Err("invalid IA5String".into())
            }
        }
        0x12 => {
            if value.iter().all(|b| b.is_ascii_digit() || *b == b' ') {
                Ok(value.iter().map(|b| char::from(*b)).collect())
            } else {
                Err("invalid NumericString".into())
            }
        }
        other => Err(format!("unsupported string type: {other}")),
    }
}

fn is_printable(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || (b'\''..=b')').contains(&b)
        || (b'+'..=b'/').contains(&b)
        || matches!(b, b' ' | b':' | b'=' | b'?' | b'*' | b'&')
}

fn parse_bmp_string(value: &[u8]) -> Option<String> {
    if value.len() % 2 != 0 {
        return None;
    }
    let value = match value {
        [rest @ .., 0, 0] => rest,
        _ => value,
    };
    let mut units = Vec::with_capacity(value.len() / 2);
    for pair in value.chunks_exact(2) {
        let point = match pair {
            [hi, lo] => u16::from_be_bytes([*hi, *lo]),
            _ => return None,
        };
        if point == 0xfffe
            || point == 0xffff
            || (0xfdd0..=0xfdef).contains(&point)
            || (0xd800..=0xdfff).contains(&point)
        {
            return None;
        }
        units.push(point);
    }
    String::from_utf16(&units).ok()
}

pub(crate) const TAG_SEQUENCE: u8 = 0x30;
pub(crate) const TAG_SET: u8 = 0x31;
pub(crate) const TAG_OID: u8 = 0x06;

/// One DER TLV: its tag byte, the whole encoding and the contents.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) raw: &'a [u8],
    pub(crate) value: &'a [u8],
}

/// An order-preserving reader over consecutive DER TLVs, with the length rules of Go's
/// `cryptobyte` (definite, minimal lengths; single-byte tags).
#[derive(Debug, Clone)]
pub(crate) struct TlvReader<'a> {
    rest: &'a [u8],
}

impl<'a> Tlv<'a> {
    pub(crate) fn reader(input: &'a [u8]) -> TlvReader<'a> {
        TlvReader { rest: input }
    }
}

impl<'a> TlvReader<'a> {
    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Bytes not read yet.
    pub(crate) fn remaining(&self) -> &'a [u8] {
        self.rest
    }

    /// Reads the next TLV, or `None` (leaving the reader unchanged) when it is malformed.
    pub(crate) fn read(&mut self) -> Option<Tlv<'a>> {
        let (&tag, after_tag) = self.rest.split_first()?;
        // High tag numbers (0x1f) are not used by anything read here.
        if tag & 0x1f == 0x1f {
            return None;
        }
        let (&first, after_len) = after_tag.split_first()?;
        let (len, header_len) = if first < 0x80 {
            (usize::from(first), 2)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 {
                return None;
            }
            let bytes = after_len.get(..n)?;
            if bytes.first() == Some(&0) {
                return None;
            }
            let len = bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            if len < 0x80 {
                return None;
            }
            (len, 2 + n)
        };
        let total = header_len.checked_add(len)?;
        let raw = self.rest.get(..total)?;
        let value = raw.get(header_len..)?;
        self.rest = self.rest.get(total..)?;
        Some(Tlv { tag, raw, value })
    }

    /// Reads the next TLV if it has tag `tag`.
    pub(crate) fn read_expect(&mut self, tag: u8) -> Option<Tlv<'a>> {
        let mut probe = self.clone();
        let tlv = probe.read()?;
        if tlv.tag != tag {
            return None;
        }
        *self = probe;
        Some(tlv)
    }

    /// Reads the next TLV if it has tag `tag`; `Some(None)` when absent, `None` when malformed.
    pub(crate) fn read_optional(&mut self, tag: u8) -> Option<Option<Tlv<'a>>> {
        match self.rest.first() {
            Some(&t) if t == tag => self.read().map(Some),
            _ => Some(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atv(oid: &str, tag: u8, value: &[u8]) -> Vec<u8> {
        let oid = const_oid::ObjectIdentifier::new_unwrap(oid);
        let oid_bytes = oid.as_bytes();
        let mut inner = vec![TAG_OID, oid_bytes.len() as u8];
        inner.extend_from_slice(oid_bytes);
        inner.push(tag);
        push_length(value.len(), &mut inner);
        inner.extend_from_slice(value);
        let mut out = vec![TAG_SEQUENCE];
        push_length(inner.len(), &mut out);
        out.extend(inner);
        out
    }

    fn wrap(tag: u8, parts: &[Vec<u8>]) -> Vec<u8> {
        let inner: Vec<u8> = parts.concat();
        let mut out = vec![tag];
        push_length(inner.len(), &mut out);
        out.extend(inner);
        out
    }

    fn name(rdns: &[Vec<Vec<u8>>]) -> Name {
        let sets: Vec<Vec<u8>> = rdns.iter().map(|r| wrap(TAG_SET, r)).collect();
        Name::from_der(&wrap(TAG_SEQUENCE, &sets)).unwrap()
    }

    #[test]
    fn go_order_and_reverse_rendering() {
        let n = name(&[
            vec![atv("2.5.4.6", 0x13, b"US")],
            vec![atv("2.5.4.8", 0x13, b"WA")],
            vec![atv("2.5.4.7", 0x13, b"Seattle")],
            vec![atv("2.5.4.10", 0x13, b"Notary")],
            vec![atv("2.5.4.3", 0x0c, b"e2e")],
        ]);
        assert_eq!(n.go_string(), "CN=e2e,O=Notary,L=Seattle,ST=WA,C=US");
        // Encoded order does not matter for named attributes: Go regroups them.
        let n = name(&[
            vec![atv("2.5.4.3", 0x0c, b"x")],
            vec![atv("2.5.4.6", 0x13, b"US")],
            vec![atv("2.5.4.10", 0x13, b"B")],
        ]);
        assert_eq!(n.go_string(), "CN=x,O=B,C=US");
    }

    #[test]
    fn multi_values_join_last_cn_wins_unknown_hex() {
        let n = name(&[
            vec![atv("2.5.4.11", 0x13, b"A"), atv("2.5.4.3", 0x13, b"first")],
            vec![atv("2.5.4.11", 0x13, b"B")],
            vec![atv("2.5.4.3", 0x13, b"second")],
            vec![atv("1.2.840.113549.1.9.1", 0x16, b"a@b.c")],
            vec![atv("2.5.4.4", 0x13, b"Doe")],
        ]);
        assert_eq!(
            n.go_string(),
            "CN=second,OU=A+OU=B,2.5.4.4=#1303446f65,1.2.840.113549.1.9.1=#0c05614062 2e63"
                .replace(' ', "")
        );
    }

    #[test]
    fn escaping() {
        let n = name(&[vec![atv("2.5.4.3", 0x0c, b"#a,b+c\"d\\e<f>g;h ")]]);
        assert_eq!(n.go_string(), "CN=\\#a\\,b\\+c\\\"d\\\\e\\<f\\>g\\;h\\ ");
        let n = name(&[vec![atv("2.5.4.3", 0x0c, b" x#y ")]]);
        assert_eq!(n.go_string(), "CN=\\ x#y\\ ");
        let n = name(&[vec![atv("2.5.4.3", 0x0c, b"Bad=#CN")]]);
        assert_eq!(n.go_string(), "CN=Bad=#CN");
    }

    #[test]
    fn empty_common_name_dropped_empty_country_kept() {
        let n = name(&[
            vec![atv("2.5.4.6", 0x13, b"")],
            vec![atv("2.5.4.3", 0x13, b"")],
        ]);
        assert_eq!(n.go_string(), "C=");
    }

    #[test]
    fn string_types() {
        assert_eq!(parse_asn1_string(0x14, &[0xe9]).unwrap(), "é");
        assert_eq!(
            parse_asn1_string(0x1e, &[0, b'h', 0, b'i', 0, 0]).unwrap(),
            "hi"
        );
        assert!(parse_asn1_string(0x13, b"a@b").is_err());
        assert_eq!(parse_asn1_string(0x13, b"*.x&y").unwrap(), "*.x&y");
        assert_eq!(
            Name::from_der(&wrap(
                TAG_SEQUENCE,
                &[wrap(TAG_SET, &[atv("2.5.4.3", 0x04, b"x")])]
            ))
            .unwrap_err()
            .to_string(),
            "x509: invalid RDNSequence: invalid attribute value: unsupported string type: 4"
        );
        assert_eq!(
            Name::from_der(&[0x30, 0x02, 0x30, 0x00]).unwrap_err(),
            NameError::Sequence
        );
    }

    #[test]
    fn marshal_prefers_printable() {
        assert_eq!(go_marshal_string("ab"), vec![0x13, 2, b'a', b'b']);
        assert_eq!(go_marshal_string("a*"), vec![0x0c, 2, b'a', b'*']);
        assert_eq!(go_marshal_string(&"x".repeat(200))[..3], [0x13, 0x81, 200]);
    }
}
