//! Reading an RFC 3161 timestamp token the way tspclient-go's `ParseSignedToken` and
//! `SignedToken.Info` read it: BER normalised to DER, then `ContentInfo` → `SignedData` →
//! `TSTInfo` with Go `encoding/asn1` semantics.
//!
//! Why by hand rather than with the `cms` and `x509-tsp` types: those decode `SET OF` by sorting
//! (which reorders SignerInfos, whose order decides which error upstream reports), need the
//! exact attribute bytes re-encoded anyway, and `der`'s `GeneralizedTime` refuses fractional
//! seconds that real TSAs emit (Microsoft's `…09:17:46.641Z`) and Go accepts. The walk below
//! keeps every raw span and follows Go's rules: optional fields are skipped on a tag mismatch,
//! extra trailing fields inside a SEQUENCE are ignored.

use crate::pki::ber;
use crate::pki::cert::{parse_certificates, Certificate};
use crate::pki::name::{Tlv, TlvReader, TAG_SEQUENCE, TAG_SET};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use const_oid::ObjectIdentifier;

pub(super) const ID_SIGNED_DATA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
pub(super) const ID_CT_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// RFC 3628 baseline time-stamp policy: accuracy of at least one second.
const BASELINE_TIMESTAMP_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.2023.1.1");

const TAG_INTEGER: u8 = 0x02;
const TAG_BOOLEAN: u8 = 0x01;
const TAG_OCTET_STRING: u8 = 0x04;
const TAG_OID: u8 = 0x06;
const TAG_GENERALIZED_TIME: u8 = 0x18;

/// A syntax problem, worded like Go's `encoding/asn1` errors.
fn structure(msg: impl std::fmt::Display) -> String {
    format!("asn1: structure error: {msg}")
}

fn syntax(msg: impl std::fmt::Display) -> String {
    format!("asn1: syntax error: {msg}")
}

/// Reads the next element, which must have `tag`; `what` names the field in the error.
pub(super) fn expect<'a>(
    reader: &mut TlvReader<'a>,
    tag: u8,
    what: &str,
) -> Result<Tlv<'a>, String> {
    let mut probe = reader.clone();
    match probe.read() {
        None if reader.is_empty() => Err(syntax(format!("sequence truncated ({what})"))),
        None => Err(syntax(format!("data truncated ({what})"))),
        Some(tlv) if tlv.tag != tag => Err(structure(format!(
            "tags don't match ({} vs {}) {what}",
            tag & 0x1f,
            tlv.tag & 0x1f
        ))),
        Some(tlv) => {
            *reader = probe;
            Ok(tlv)
        }
    }
}

/// A mandatory field of a Go struct that `encoding/asn1` decodes, as far as its error text
/// shows it.
pub(super) struct GoField {
    /// The tag Go expects: the field type's universal tag (`time.Time` expects UTCTime, 23,
    /// even when tagged `generalized`, unless a GeneralizedTime is found).
    expected_tag: u8,
    /// The DER identifier byte that is accepted.
    accepted: u8,
    /// `reflect.Type.Name()` of the field (empty for pointer types such as `*big.Int`).
    type_name: &'static str,
    /// The `timeType` field parameter (24 for `asn1:"generalized"`).
    time_type: u8,
}

const TST_VERSION: GoField = GoField {
    expected_tag: 2,
    accepted: TAG_INTEGER,
    type_name: "int",
    time_type: 0,
};
const TST_POLICY: GoField = GoField {
    expected_tag: 6,
    accepted: TAG_OID,
    type_name: "ObjectIdentifier",
    time_type: 0,
};
const TST_IMPRINT: GoField = GoField {
    expected_tag: 16,
    accepted: TAG_SEQUENCE,
    type_name: "MessageImprint",
    time_type: 0,
};
const TST_SERIAL: GoField = GoField {
    expected_tag: 2,
    accepted: TAG_INTEGER,
    type_name: "",
    time_type: 0,
};
const TST_GEN_TIME: GoField = GoField {
    expected_tag: 23,
    accepted: TAG_GENERALIZED_TIME,
    type_name: "Time",
    time_type: 24,
};

/// Reads the next mandatory field of the TSTInfo SEQUENCE whose content is `sequence`. A tag
/// mismatch is worded as Go's `StructuralError`: expected tag, the found tag and length, the
/// field parameters, the type name and the offset after the found header within `sequence`.
fn expect_field<'a>(
    reader: &mut TlvReader<'a>,
    sequence: &[u8],
    field: &GoField,
) -> Result<Tlv<'a>, String> {
    let mut probe = reader.clone();
    match probe.read() {
        Some(tlv) if tlv.tag != field.accepted => {
            let offset = sequence
                .len()
                .saturating_sub(probe.remaining().len())
                .saturating_sub(tlv.value.len());
            Err(structure(format!(
                "tags don't match ({} vs {{class:{} tag:{} length:{} isCompound:{}}}) \
                 {{optional:false explicit:false application:false private:false defaultValue:<nil> \
                 tag:<nil> stringType:0 timeType:{} set:false omitEmpty:false}} {} @{offset}",
                field.expected_tag,
                tlv.tag >> 6,
                tlv.tag & 0x1f,
                tlv.value.len(),
                tlv.tag & 0x20 != 0,
                field.time_type,
                field.type_name,
            )))
        }
        _ => expect(reader, field.accepted, field.type_name),
    }
}

/// Reads the next element if it has `tag` (Go's `optional`).
pub(super) fn optional<'a>(reader: &mut TlvReader<'a>, tag: u8) -> Result<Option<Tlv<'a>>, String> {
    match reader.remaining().first() {
        Some(&t) if t == tag => reader
            .read()
            .map(Some)
            .ok_or_else(|| syntax("data truncated")),
        _ => Ok(None),
    }
}

/// Go's `int` decoding of an INTEGER: minimal, at most 64 bits.
pub(super) fn go_int(value: &[u8]) -> Result<i64, String> {
    match value {
        [] => Err(structure("empty integer")),
        [0x00, next, ..] if next & 0x80 == 0 => Err(structure("integer not minimally-encoded")),
        [0xff, next, ..] if next & 0x80 == 0x80 => Err(structure("integer not minimally-encoded")),
        v if v.len() > 8 => Err(structure("integer too large")),
        v => {
            let negative = v.first().is_some_and(|b| b & 0x80 != 0);
            let init: i64 = if negative { -1 } else { 0 };
            Ok(v.iter().fold(init, |acc, &b| (acc << 8) | i64::from(b)))
        }
    }
}

/// Go's `*big.Int` decoding: minimal encoding required; the bytes are kept.
pub(super) fn go_big_int(value: &[u8]) -> Result<&[u8], String> {
    match value {
        [] => Err(structure("empty integer")),
        [0x00, next, ..] if next & 0x80 == 0 => Err(structure("integer not minimally-encoded")),
        [0xff, next, ..] if next & 0x80 == 0x80 => Err(structure("integer not minimally-encoded")),
        v => Ok(v),
    }
}

pub(super) fn oid(value: &[u8]) -> Result<ObjectIdentifier, String> {
    ObjectIdentifier::from_bytes(value).map_err(|_| syntax("invalid object identifier"))
}

/// Go's `encoding/asn1` GeneralizedTime: layout `20060102150405.999999999Z0700`, and the value
/// must serialise back to the same text (so no trailing zeros in the fraction, no `+0000`).
pub(super) fn generalized_time(value: &[u8]) -> Result<DateTime<Utc>, String> {
    let s = std::str::from_utf8(value).map_err(|_| syntax("invalid UTF-8 in GeneralizedTime"))?;
    let bad = || syntax(format!("invalid GeneralizedTime {s:?}"));
    let digits = |range: std::ops::Range<usize>| -> Result<u32, String> {
        let part = s.get(range).ok_or_else(bad)?;
        if !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        part.parse().map_err(|_| bad())
    };
    let (year, month, day) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
    let (hour, minute, second) = (digits(8..10)?, digits(10..12)?, digits(12..14)?);
    let mut rest = s.get(14..).ok_or_else(bad)?;
    let mut nanos = 0u32;
    if let Some(fraction) = rest.strip_prefix('.') {
        let len = fraction
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count()
            .min(10);
        if len == 0 || len > 9 {
            return Err(bad());
        }
        let (frac, after) = fraction.split_at(len);
        if frac.ends_with('0') {
            return Err(syntax(format!(
                "time did not serialize back to the original value and may be invalid: given {s:?}"
            )));
        }
        nanos = frac.parse::<u32>().map_err(|_| bad())? * 10u32.pow(9 - len as u32);
        rest = after;
    }
    let offset_secs: i64 = match rest {
        "Z" => 0,
        tz if tz.len() == 5 && (tz.starts_with('+') || tz.starts_with('-')) => {
            let hh: i64 = tz.get(1..3).and_then(|v| v.parse().ok()).ok_or_else(bad)?;
            let mm: i64 = tz.get(3..5).and_then(|v| v.parse().ok()).ok_or_else(bad)?;
            if hh == 0 && mm == 0 {
                return Err(syntax(format!(
                    "time did not serialize back to the original value and may be invalid: given {s:?}"
                )));
            }
            let sign = if tz.starts_with('-') { -1 } else { 1 };
            sign * (hh * 3600 + mm * 60)
        }
        _ => return Err(bad()),
    };
    let date = NaiveDate::from_ymd_opt(year as i32, month, day).ok_or_else(bad)?;
    let local = date
        .and_hms_nano_opt(hour, minute, second, nanos)
        .ok_or_else(bad)?;
    local
        .and_utc()
        .checked_sub_signed(Duration::seconds(offset_secs))
        .ok_or_else(bad)
}

/// `SignerInfo`, with the raw spans verification needs.
#[derive(Debug, Clone)]
pub(super) struct SignerInfo<'a> {
    pub(super) version: i64,
    /// `IssuerAndSerialNumber`: issuer Name (full TLV) and serial bytes.
    pub(super) sid_issuer: &'a [u8],
    pub(super) sid_serial: &'a [u8],
    pub(super) digest_algorithm: ObjectIdentifier,
    /// Contents of `[0] IMPLICIT SignedAttributes` (the attribute TLVs), if present.
    pub(super) signed_attrs: Option<&'a [u8]>,
    /// The signature algorithm, as its full TLV and OID.
    pub(super) signature_algorithm: ObjectIdentifier,
    pub(super) signature: &'a [u8],
}

/// A parsed timestamp token (tspclient-go `SignedToken`).
#[derive(Debug, Clone)]
pub(super) struct SignedToken<'a> {
    /// The TSTInfo DER (eContent).
    pub(super) content: &'a [u8],
    pub(super) certificates: Vec<Certificate>,
    pub(super) signer_infos: Vec<SignerInfo<'a>>,
}

/// `cms.ParseSignedData` up to the TSTInfo content type check; `der` is the BER-normalised
/// token, which must outlive the result.
pub(super) fn parse_signed_token(der: &[u8]) -> Result<SignedToken<'_>, String> {
    let content_info = (|| {
        let mut top = Tlv::reader(der);
        let seq = expect(&mut top, TAG_SEQUENCE, "ContentInfo")?;
        let mut fields = Tlv::reader(seq.value);
        let content_type = oid(expect(&mut fields, TAG_OID, "ContentType")?.value)?;
        let explicit = expect(&mut fields, 0xa0, "Content")?;
        let mut inner = Tlv::reader(explicit.value);
        let content = inner
            .read()
            .ok_or_else(|| syntax("data truncated (Content)"))?;
        Ok::<_, String>((content_type, content))
    })()
    .map_err(|e| {
        format!(
            "cms: syntax error: invalid content info: failed to unmarshal DER to ContentInfo: {e}"
        )
    })?;
    let (content_type, content) = content_info;
    if content_type != ID_SIGNED_DATA {
        return Err("cms: content type is not signed-data".to_string());
    }
    let parsed = parse_signed_data(content.raw)
        .map_err(|e| format!("cms: syntax error: invalid signed data: {e}"))?;
    if parsed.version != 3 {
        return Err(format!(
            "cms: syntax error: unsupported signed data version: got {}, want 3",
            parsed.version
        ));
    }
    let certificates = parse_certificates(parsed.certificates).map_err(|e| {
        format!("cms: syntax error: failed to parse X.509 certificates from signed data. Only X.509 certificates are supported: {e}")
    })?;
    if parsed.content_type != ID_CT_TST_INFO {
        return Err(format!(
            "unexpected content type: {}. Expected to be id-ct-TSTInfo ({})",
            parsed.content_type, ID_CT_TST_INFO
        ));
    }
    Ok(SignedToken {
        content: parsed.content,
        certificates,
        signer_infos: parsed.signer_infos,
    })
}

struct SignedDataParts<'a> {
    version: i64,
    content_type: ObjectIdentifier,
    content: &'a [u8],
    certificates: &'a [u8],
    signer_infos: Vec<SignerInfo<'a>>,
}

fn parse_signed_data(raw: &[u8]) -> Result<SignedDataParts<'_>, String> {
    let mut top = Tlv::reader(raw);
    let seq = expect(&mut top, TAG_SEQUENCE, "SignedData")?;
    let mut fields = Tlv::reader(seq.value);
    let version = go_int(expect(&mut fields, TAG_INTEGER, "Version")?.value)?;
    expect(&mut fields, TAG_SET, "DigestAlgorithmIdentifiers")?;
    let encap = expect(&mut fields, TAG_SEQUENCE, "EncapsulatedContentInfo")?;
    let mut encap_fields = Tlv::reader(encap.value);
    let content_type = oid(expect(&mut encap_fields, TAG_OID, "ContentType")?.value)?;
    let content = match optional(&mut encap_fields, 0xa0)? {
        Some(explicit) => {
            let mut inner = Tlv::reader(explicit.value);
            expect(&mut inner, TAG_OCTET_STRING, "Content")?.value
        }
        None => &[][..],
    };
    let certificates = optional(&mut fields, 0xa0)?.map_or(&[][..], |c| c.value);
    // CRLs ([1]) are parsed by upstream but never used.
    optional(&mut fields, 0xa1)?;
    let infos = expect(&mut fields, TAG_SET, "SignerInfos")?;
    let mut infos_reader = Tlv::reader(infos.value);
    let mut signer_infos = Vec::new();
    while !infos_reader.is_empty() {
        let info = expect(&mut infos_reader, TAG_SEQUENCE, "SignerInfo")?;
        signer_infos.push(parse_signer_info(info.value)?);
    }
    Ok(SignedDataParts {
        version,
        content_type,
        content,
        certificates,
        signer_infos,
    })
}

fn algorithm_oid(tlv: Tlv<'_>, what: &str) -> Result<ObjectIdentifier, String> {
    let mut r = Tlv::reader(tlv.value);
    oid(expect(&mut r, TAG_OID, what)?.value)
}

fn parse_signer_info(value: &[u8]) -> Result<SignerInfo<'_>, String> {
    let mut fields = Tlv::reader(value);
    let version = go_int(expect(&mut fields, TAG_INTEGER, "Version")?.value)?;
    let sid = expect(&mut fields, TAG_SEQUENCE, "SignerIdentifier")?;
    let mut sid_fields = Tlv::reader(sid.value);
    let sid_issuer = sid_fields
        .read()
        .ok_or_else(|| syntax("data truncated (Issuer)"))?
        .raw;
    let sid_serial = go_big_int(expect(&mut sid_fields, TAG_INTEGER, "SerialNumber")?.value)?;
    let digest_algorithm = algorithm_oid(
        expect(&mut fields, TAG_SEQUENCE, "DigestAlgorithm")?,
        "DigestAlgorithm",
    )?;
    let signed_attrs = optional(&mut fields, 0xa0)?.map(|t| t.value);
    if let Some(attrs) = signed_attrs {
        // Each attribute must be SEQUENCE { OID, SET } for Go's unmarshal to succeed.
        let mut r = Tlv::reader(attrs);
        while !r.is_empty() {
            let attr = expect(&mut r, TAG_SEQUENCE, "Attribute")?;
            let mut a = Tlv::reader(attr.value);
            oid(expect(&mut a, TAG_OID, "Type")?.value)?;
            expect(&mut a, TAG_SET, "Values")?;
        }
    }
    let signature_algorithm = algorithm_oid(
        expect(&mut fields, TAG_SEQUENCE, "SignatureAlgorithm")?,
        "SignatureAlgorithm",
    )?;
    let signature = expect(&mut fields, TAG_OCTET_STRING, "Signature")?.value;
    Ok(SignerInfo {
        version,
        sid_issuer,
        sid_serial,
        digest_algorithm,
        signed_attrs,
        signature_algorithm,
        signature,
    })
}

/// The attributes of a SignedAttributes block, in encoded order: (type, raw SET of values).
pub(super) fn attributes(raw: &[u8]) -> Vec<(ObjectIdentifier, Tlv<'_>, &[u8])> {
    let mut out = Vec::new();
    let mut r = Tlv::reader(raw);
    while let Some(attr) = r.read() {
        let mut a = Tlv::reader(attr.value);
        let (Some(t), Some(values)) = (a.read(), a.read()) else {
            continue;
        };
        if let Ok(id) = ObjectIdentifier::from_bytes(t.value) {
            out.push((id, attr, values.value));
        }
    }
    out
}

/// The parts of TSTInfo notation uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TstInfo {
    /// Version (must be 1).
    pub version: i64,
    /// TSA policy.
    pub policy: ObjectIdentifier,
    /// Message imprint hash algorithm.
    pub hash_algorithm: ObjectIdentifier,
    /// Message imprint digest.
    pub hashed_message: Vec<u8>,
    /// genTime.
    pub gen_time: DateTime<Utc>,
    /// Accuracy seconds, millis, micros (0 when absent, as Go's zero values).
    pub accuracy: (i64, i64, i64),
}

/// `SignedToken.Info`: the TSTInfo in the token content.
pub(super) fn parse_tst_info(content: &[u8]) -> Result<TstInfo, String> {
    let inner = || -> Result<TstInfo, String> {
        let mut top = Tlv::reader(content);
        let seq = expect(&mut top, TAG_SEQUENCE, "TSTInfo")?;
        let mut f = Tlv::reader(seq.value);
        let fields = seq.value;
        let version = go_int(expect_field(&mut f, fields, &TST_VERSION)?.value)?;
        let policy = oid(expect_field(&mut f, fields, &TST_POLICY)?.value)?;
        let imprint = expect_field(&mut f, fields, &TST_IMPRINT)?;
        let mut imprint_fields = Tlv::reader(imprint.value);
        let hash_algorithm = algorithm_oid(
            expect(&mut imprint_fields, TAG_SEQUENCE, "HashAlgorithm")?,
            "HashAlgorithm",
        )?;
        let hashed_message = expect(&mut imprint_fields, TAG_OCTET_STRING, "HashedMessage")?
            .value
            .to_vec();
        go_big_int(expect_field(&mut f, fields, &TST_SERIAL)?.value)?;
        let gen_time = generalized_time(expect_field(&mut f, fields, &TST_GEN_TIME)?.value)?;
        let mut accuracy = (0, 0, 0);
        if let Some(acc) = optional(&mut f, TAG_SEQUENCE)? {
            let mut a = Tlv::reader(acc.value);
            if let Some(s) = optional(&mut a, TAG_INTEGER)? {
                accuracy.0 = go_int(s.value)?;
            }
            if let Some(ms) = optional(&mut a, 0x80)? {
                accuracy.1 = go_int(ms.value)?;
            }
            if let Some(us) = optional(&mut a, 0x81)? {
                accuracy.2 = go_int(us.value)?;
            }
        }
        if let Some(ordering) = optional(&mut f, TAG_BOOLEAN)? {
            if !matches!(ordering.value, [0x00] | [0xff]) {
                return Err(syntax("invalid boolean"));
            }
        }
        if let Some(nonce) = optional(&mut f, TAG_INTEGER)? {
            go_big_int(nonce.value)?;
        }
        Ok(TstInfo {
            version,
            policy,
            hash_algorithm,
            hashed_message,
            gen_time,
            accuracy,
        })
    };
    inner().map_err(|e| format!("cannot unmarshal TSTInfo from timestamp token: {e}"))
}

impl TstInfo {
    /// tspclient-go `TSTInfo.Validate(message)`: version 1, a SHA-2 imprint equal to the hash
    /// of `message`; then genTime and the accuracy (1 s under the RFC 3628 baseline policy when
    /// none is given).
    pub(super) fn validate(&self, message: &[u8]) -> Result<(DateTime<Utc>, Duration), String> {
        if self.version != 1 {
            return Err(format!(
                "invalid TSTInfo: timestamp token info version must be 1, but got {}",
                self.version
            ));
        }
        let hash = super::hash_for(&self.hash_algorithm).ok_or_else(|| {
            format!(
                "invalid TSTInfo: unrecognized hash algorithm: {}",
                self.hash_algorithm
            )
        })?;
        if hash.digest(message) != self.hashed_message {
            return Err("invalid TSTInfo: mismatched message".to_string());
        }
        let accuracy = self
            .accuracy_duration()
            .ok_or_else(|| "invalid TSTInfo: accuracy out of range".to_string())?;
        Ok((self.gen_time, accuracy))
    }

    /// The accuracy tspclient-go applies: seconds + millis + micros, or 1 s under the RFC 3628
    /// baseline policy when all are zero. `None` when it does not fit a duration (Go would
    /// wrap around; such tokens are refused here).
    pub fn accuracy_duration(&self) -> Option<Duration> {
        let (s, ms, us) = self.accuracy;
        if s == 0 && ms == 0 && us == 0 && self.policy == BASELINE_TIMESTAMP_POLICY {
            return Some(Duration::seconds(1));
        }
        Duration::try_seconds(s)
            .zip(Duration::try_milliseconds(ms))
            .and_then(|(s, ms)| s.checked_add(&ms))
            .and_then(|d| d.checked_add(&Duration::microseconds(us)))
    }

    /// genTime − accuracy and genTime + accuracy (what `inspect` shows); `None` when out of
    /// range.
    pub fn range(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let accuracy = self.accuracy_duration()?;
        Some((
            self.gen_time.checked_sub_signed(accuracy)?,
            self.gen_time.checked_add_signed(accuracy)?,
        ))
    }
}

/// Convert BER to DER with upstream's wording around the converter's error.
pub(super) fn normalise(token: &[u8]) -> Result<Vec<u8>, String> {
    ber::convert_to_der(token).map_err(|e| {
        format!("cms: syntax error: invalid signed data: failed to convert from BER to DER: {e}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generalized_times_as_go_reads_them() {
        let t = generalized_time(b"20240618062937Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-06-18T06:29:37+00:00");
        let t = generalized_time(b"20250121091746.641Z").unwrap();
        assert_eq!(t.timestamp_subsec_millis(), 641);
        let t = generalized_time(b"20250121091746+0130").unwrap();
        assert_eq!(t.to_rfc3339(), "2025-01-21T07:47:46+00:00");
        for bad in [
            &b"20250121091746.640Z"[..],
            b"20250121091746+0000",
            b"20250121091746",
            b"2025012109174Z",
            b"20251321091746Z",
            b"20250121091746.Z",
        ] {
            assert!(
                generalized_time(bad).is_err(),
                "{:?}",
                std::str::from_utf8(bad)
            );
        }
    }

    #[test]
    fn absurd_accuracy_is_an_error_not_a_panic() {
        use sha2::Digest;
        let info = TstInfo {
            version: 1,
            policy: ObjectIdentifier::new_unwrap("1.2.3"),
            hash_algorithm: ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1"),
            hashed_message: sha2::Sha256::digest(b"m").to_vec(),
            gen_time: generalized_time(b"20240618062937Z").unwrap(),
            accuracy: (i64::MAX, 0, 0),
        };
        assert_eq!(
            info.validate(b"m").unwrap_err(),
            "invalid TSTInfo: accuracy out of range"
        );
        let baseline = TstInfo {
            policy: BASELINE_TIMESTAMP_POLICY,
            accuracy: (0, 0, 0),
            ..info.clone()
        };
        assert_eq!(baseline.validate(b"m").unwrap().1, Duration::seconds(1));
        let (earliest, latest) = baseline.range().unwrap();
        assert_eq!(latest - earliest, Duration::seconds(2));
        assert_eq!(info.range(), None);
        let other = TstInfo {
            accuracy: (0, 0, 0),
            ..info.clone()
        };
        assert_eq!(other.validate(b"m").unwrap().1, Duration::zero());
        let v2 = TstInfo { version: 2, ..info };
        assert_eq!(
            v2.validate(b"m").unwrap_err(),
            "invalid TSTInfo: timestamp token info version must be 1, but got 2"
        );
    }

    #[test]
    fn go_ints() {
        assert_eq!(go_int(&[0x01]).unwrap(), 1);
        assert_eq!(go_int(&[0xff]).unwrap(), -1);
        assert_eq!(go_int(&[0x00, 0x80]).unwrap(), 128);
        assert!(go_int(&[0x00, 0x01]).is_err());
        assert!(go_int(&[]).is_err());
        assert!(go_int(&[1; 9]).is_err());
    }
}
