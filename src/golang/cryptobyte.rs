//! Go's `golang.org/x/crypto/cryptobyte` DER reader, as vendored into Go 1.26's standard library
//! and used by `crypto/x509`'s parser.
//!
//! Written by hand because what it accepts is part of what Flux shows: `crypto/x509` reports
//! every failed `Read*` with its own text (`x509: malformed signature`, ...), so the same input
//! must fail at the same read for the messages to agree. The `der` crate is stricter in some
//! places (canonical BOOLEAN defaults, string types) and laxer in others (BIT STRING padding), and
//! reports no positions Go would.
//!
//! Rules reproduced: single-byte tags only (`tag & 0x1f == 0x1f` is refused), definite minimal
//! lengths of at most four octets, minimal two's-complement INTEGERs, BOOLEAN as `0x00`/`0xff`,
//! BIT STRINGs whose padding bits are zero, OIDs with at most four octets an arc. A read that
//! fails reports `None`; like Go, the reader is not to be used after a failed read.

use chrono::{DateTime, Datelike as _, Utc};

/// ASN.1 tags `crypto/x509` reads (cryptobyte's `asn1` package).
pub(crate) mod tag {
    pub(crate) const BOOLEAN: u8 = 0x01;
    pub(crate) const INTEGER: u8 = 0x02;
    pub(crate) const BIT_STRING: u8 = 0x03;
    pub(crate) const OCTET_STRING: u8 = 0x04;
    pub(crate) const NULL: u8 = 0x05;
    pub(crate) const OBJECT_IDENTIFIER: u8 = 0x06;
    pub(crate) const UTC_TIME: u8 = 0x17;
    pub(crate) const GENERALIZED_TIME: u8 = 0x18;
    pub(crate) const SEQUENCE: u8 = 0x30;

    /// `asn1.Tag(n).ContextSpecific()`.
    pub(crate) const fn context(n: u8) -> u8 {
        0x80 | n
    }

    /// `asn1.Tag(n).Constructed().ContextSpecific()`.
    pub(crate) const fn context_constructed(n: u8) -> u8 {
        0xa0 | n
    }
}

/// Go's `encoding/asn1.BitString` as `ReadASN1BitString` fills it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BitString<'a> {
    /// The content octets after the padding count.
    pub(crate) bytes: &'a [u8],
    /// Number of bits (`len(bytes)*8 - padding`).
    pub(crate) bit_length: usize,
}

impl<'a> BitString<'a> {
    /// A BIT STRING already split into padding count and content octets (by the `der` crate,
    /// say), held to `ReadASN1BitString`'s rules: at most seven padding bits, none without
    /// content, and padding bits zero.
    pub(crate) fn checked(padding: u8, bytes: &'a [u8]) -> Option<Self> {
        if padding > 7
            || (bytes.is_empty() && padding != 0)
            || bytes
                .last()
                .is_some_and(|last| last & ((1u8 << padding) - 1) != 0)
        {
            return None;
        }
        Some(BitString {
            bytes,
            bit_length: bytes.len() * 8 - usize::from(padding),
        })
    }

    /// `BitString.At(i)`: bit `i` counted from the most significant bit of the first octet, zero
    /// past the end.
    pub(crate) fn at(&self, i: usize) -> bool {
        if i >= self.bit_length {
            return false;
        }
        self.bytes
            .get(i / 8)
            .is_some_and(|b| b >> (7 - i % 8) & 1 == 1)
    }

    /// `BitString.RightAlign()`: the bits shifted so the last bit is the last bit of the last
    /// octet (what Go uses as a signature or key value).
    pub(crate) fn right_align(&self) -> Vec<u8> {
        let shift = (8 - self.bit_length % 8) % 8;
        if shift == 0 {
            return self.bytes.to_vec();
        }
        let mut previous = 0u8;
        self.bytes
            .iter()
            .map(|&b| {
                let out = previous << (8 - shift) | b >> shift;
                previous = b;
                out
            })
            .collect()
    }
}

/// `cryptobyte.String`: the bytes not read yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Input<'a>(pub(crate) &'a [u8]);

impl<'a> Input<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self(bytes)
    }

    /// `String.Empty()`.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `readASN1`: tag, whole element, header length.
    fn read_element(&mut self) -> Option<(u8, &'a [u8], usize)> {
        let s = self.0;
        let (&tag, &len_byte) = (s.first()?, s.get(1)?);
        if tag & 0x1f == 0x1f {
            return None;
        }
        let (length, header) = if len_byte & 0x80 == 0 {
            (usize::from(len_byte) + 2, 2usize)
        } else {
            let len_len = usize::from(len_byte & 0x7f);
            if len_len == 0 || len_len > 4 {
                return None;
            }
            let len32 = s
                .get(2..2 + len_len)?
                .iter()
                .fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
            if len32 < 128 || len32 >> ((len_len - 1) * 8) == 0 {
                return None;
            }
            let header = 2 + len_len;
            (header.checked_add(usize::try_from(len32).ok()?)?, header)
        };
        let element = s.get(..length)?;
        self.0 = s.get(length..)?;
        Some((tag, element, header))
    }

    /// `ReadAnyASN1`: the next element's tag and contents.
    pub(crate) fn read_any(&mut self) -> Option<(u8, &'a [u8])> {
        let (tag, element, header) = self.read_element()?;
        Some((tag, element.get(header..)?))
    }

    /// `ReadAnyASN1Element`: the next element's tag and whole encoding.
    pub(crate) fn read_any_element(&mut self) -> Option<(u8, &'a [u8])> {
        let (tag, element, _) = self.read_element()?;
        Some((tag, element))
    }

    /// `ReadASN1`: the contents of the next element, which must have tag `tag`.
    pub(crate) fn read(&mut self, tag: u8) -> Option<&'a [u8]> {
        let (t, contents) = self.read_any()?;
        (t == tag).then_some(contents)
    }

    /// `ReadASN1Element`: the whole encoding of the next element, which must have tag `tag`.
    pub(crate) fn read_element_with(&mut self, tag: u8) -> Option<&'a [u8]> {
        let (t, element) = self.read_any_element()?;
        (t == tag).then_some(element)
    }

    /// `PeekASN1Tag`.
    pub(crate) fn peek(&self, tag: u8) -> bool {
        self.0.first() == Some(&tag)
    }

    /// `ReadOptionalASN1`: `Some(None)` when the next element does not have tag `tag`.
    pub(crate) fn read_optional(&mut self, tag: u8) -> Option<Option<&'a [u8]>> {
        if !self.peek(tag) {
            return Some(None);
        }
        self.read(tag).map(Some)
    }

    /// `SkipOptionalASN1`.
    pub(crate) fn skip_optional(&mut self, tag: u8) -> bool {
        self.read_optional(tag).is_some()
    }

    /// `ReadASN1Integer` into a `*big.Int`: the minimal two's-complement contents.
    pub(crate) fn read_big_integer(&mut self) -> Option<&'a [u8]> {
        self.read(tag::INTEGER).filter(|b| integer_is_minimal(b))
    }

    /// `ReadASN1Integer` into an `int64` (or Go `int`, 64 bits).
    pub(crate) fn read_int64(&mut self) -> Option<i64> {
        self.read_int64_with_tag(tag::INTEGER)
    }

    /// `ReadASN1Int64WithTag`.
    pub(crate) fn read_int64_with_tag(&mut self, tag: u8) -> Option<i64> {
        self.read(tag)
            .filter(|b| integer_is_minimal(b))
            .and_then(signed)
    }

    /// `ReadASN1Integer` into a `uint64` (or Go `uint`).
    pub(crate) fn read_uint64(&mut self) -> Option<u64> {
        let bytes = self.read(tag::INTEGER).filter(|b| integer_is_minimal(b))?;
        let first = bytes.first().copied().unwrap_or(0);
        if bytes.len() > 9 || (bytes.len() == 9 && first != 0) || first & 0x80 != 0 {
            return None;
        }
        Some(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    /// `ReadASN1Boolean`.
    pub(crate) fn read_boolean(&mut self) -> Option<bool> {
        match self.read(tag::BOOLEAN)? {
            [0x00] => Some(false),
            [0xff] => Some(true),
            _ => None,
        }
    }

    /// `ReadASN1ObjectIdentifier`: the arcs, and the contents octets they came from.
    pub(crate) fn read_oid(&mut self) -> Option<Oid<'a>> {
        let bytes = self.read(tag::OBJECT_IDENTIFIER)?;
        Oid::parse(bytes)
    }

    /// `ReadASN1BitString`.
    pub(crate) fn read_bit_string(&mut self) -> Option<BitString<'a>> {
        let (&padding, bytes) = self.read(tag::BIT_STRING)?.split_first()?;
        BitString::checked(padding, bytes)
    }
}

impl Input<'_> {
    /// `ReadASN1UTCTime`: `YYMMDDhhmm[ss]` and a zone, as Go's `time.Parse` reads the layouts
    /// `0601021504Z0700` then `060102150405Z0700`, re-formatted to the same text; years 50-99
    /// are 1950-1999.
    pub(crate) fn read_utc_time(&mut self) -> Option<DateTime<Utc>> {
        let text = self.read(tag::UTC_TIME)?;
        let t = parse_time(text, 2, false).or_else(|| parse_time(text, 2, true))?;
        if t.year() >= 2050 {
            return t.with_year(t.year() - 100);
        }
        Some(t)
    }

    /// `ReadASN1GeneralizedTime`: Go's layout `20060102150405Z0700`, re-formatted to the same
    /// text (so no fractional seconds and no `+0000`).
    pub(crate) fn read_generalized_time(&mut self) -> Option<DateTime<Utc>> {
        let text = self.read(tag::GENERALIZED_TIME)?;
        parse_time(text, 4, true)
    }
}

/// `time.Parse(layout, text)` followed by `Format(layout) == text` for the layouts cryptobyte
/// uses: fixed-width digit fields (year of `year_digits`, then month, day, hour, minute and,
/// when `seconds`, second), then `Z` or a non-zero `±hhmm` offset (hours up to 24, minutes
/// below 60: what formats back to the same text).
fn parse_time(text: &[u8], year_digits: usize, seconds: bool) -> Option<DateTime<Utc>> {
    let mut rest = text;
    let mut field = |width: usize| -> Option<u32> {
        let digits = rest.get(..width)?;
        rest = rest.get(width..)?;
        digits.iter().try_fold(0u32, |acc, d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    let year = field(year_digits)?;
    let year = match year_digits {
        2 if year >= 69 => 1900 + year,
        2 => 2000 + year,
        _ => year,
    };
    let (month, day, hour, minute) = (field(2)?, field(2)?, field(2)?, field(2)?);
    let second = if seconds { field(2)? } else { 0 };
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let naive = date.and_hms_opt(hour, minute, second)?;
    let offset_seconds = match rest {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), zone @ ..] if zone.len() == 4 => {
            let hh = zone.get(..2)?;
            let mm = zone.get(2..)?;
            let number = |two: &[u8]| {
                two.iter().try_fold(0i64, |acc, d| {
                    d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
                })
            };
            let (hh, mm) = (number(hh)?, number(mm)?);
            if hh > 24 || mm > 59 || (hh == 0 && mm == 0) {
                return None;
            }
            let offset = (hh * 60 + mm) * 60;
            if *sign == b'-' {
                -offset
            } else {
                offset
            }
        }
        _ => return None,
    };
    let utc = naive.checked_sub_signed(chrono::TimeDelta::seconds(offset_seconds))?;
    Some(DateTime::from_naive_utc_and_offset(utc, Utc))
}

/// cryptobyte's `checkASN1Integer`: at least one octet, no redundant leading `0x00`/`0xff`.
pub(crate) fn integer_is_minimal(bytes: &[u8]) -> bool {
    match bytes {
        [] => false,
        [_] => true,
        [0x00, next, ..] => next & 0x80 != 0,
        [0xff, next, ..] => next & 0x80 == 0,
        _ => true,
    }
}

/// cryptobyte's `asn1Signed`: at most eight octets, sign-extended.
fn signed(bytes: &[u8]) -> Option<i64> {
    if bytes.len() > 8 || bytes.is_empty() {
        return None;
    }
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let start = if negative { -1i64 } else { 0 };
    Some(
        bytes
            .iter()
            .fold(start, |acc, b| (acc << 8) | i64::from(*b)),
    )
}

/// An OBJECT IDENTIFIER as cryptobyte decodes it: arcs of Go `int`s below 2^31.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Oid<'a> {
    /// The decoded arcs.
    pub(crate) arcs: Vec<u64>,
    /// The contents octets.
    pub(crate) der: &'a [u8],
}

impl<'a> Oid<'a> {
    /// Decodes OID contents octets with cryptobyte's rules.
    pub(crate) fn parse(der: &'a [u8]) -> Option<Self> {
        if der.is_empty() {
            return None;
        }
        let mut rest = der;
        let mut arcs = Vec::with_capacity(der.len() + 1);
        let first = base128(&mut rest)?;
        if first < 80 {
            arcs.push(first / 40);
            arcs.push(first % 40);
        } else {
            arcs.push(2);
            arcs.push(first - 80);
        }
        while !rest.is_empty() {
            arcs.push(base128(&mut rest)?);
        }
        Some(Self { arcs, der })
    }

    /// Whether the arcs are exactly `arcs`.
    pub(crate) fn is(&self, arcs: &[u64]) -> bool {
        self.arcs == arcs
    }
}

/// Go's `ObjectIdentifier.String()`: arcs joined by dots.
pub(crate) fn dotted(arcs: &[u64]) -> String {
    arcs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// cryptobyte's `readBase128Int`: at most five octets, the value below 2^31 (the same on
/// every platform), and no leading `0x80` octet (X.690 §8.19.2).
fn base128(rest: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for i in 0..5 {
        if value >= 1 << (31 - 7) {
            return None;
        }
        let (&b, after) = rest.split_first()?;
        *rest = after;
        if i == 0 && b == 0x80 {
            return None;
        }
        value = (value << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_strings_as_cryptobyte_reads_them() {
        fn read(bytes: &[u8]) -> Option<BitString<'_>> {
            Input::new(bytes).read_bit_string()
        }
        assert_eq!(read(&[0x03, 0x02, 0x00, 0xff]).unwrap().bit_length, 8);
        // Padding count above 7, padding with no content, non-zero padding bits.
        assert_eq!(read(&[0x03, 0x02, 0x08, 0x00]), None);
        assert_eq!(read(&[0x03, 0x01, 0x01]), None);
        assert_eq!(read(&[0x03, 0x02, 0x01, 0x01]), None);
        assert_eq!(read(&[0x03, 0x00]), None);
        let padded = read(&[0x03, 0x03, 0x04, 0xab, 0xc0]).unwrap();
        assert_eq!(padded.bit_length, 12);
        assert_eq!(padded.right_align(), vec![0x0a, 0xbc]);
        assert!(padded.at(0) && !padded.at(1) && padded.at(2) && !padded.at(12));
        assert_eq!(
            read(&[0x03, 0x01, 0x00]).unwrap().right_align(),
            Vec::<u8>::new()
        );
    }

    #[test]
    fn times_as_go_parses_and_reformats_them() {
        fn utc(text: &str) -> Option<String> {
            let mut der = vec![tag::UTC_TIME, text.len() as u8];
            der.extend_from_slice(text.as_bytes());
            Input::new(&der).read_utc_time().map(|t| t.to_rfc3339())
        }
        fn generalized(text: &str) -> Option<String> {
            let mut der = vec![tag::GENERALIZED_TIME, text.len() as u8];
            der.extend_from_slice(text.as_bytes());
            Input::new(&der)
                .read_generalized_time()
                .map(|t| t.to_rfc3339())
        }
        assert_eq!(utc("491231235959Z").unwrap(), "2049-12-31T23:59:59+00:00");
        assert_eq!(utc("500101000000Z").unwrap(), "1950-01-01T00:00:00+00:00");
        // Minute precision and offsets are read; what does not format back is not.
        assert_eq!(utc("2601021504Z").unwrap(), "2026-01-02T15:04:00+00:00");
        assert_eq!(
            utc("260102150405+0130").unwrap(),
            "2026-01-02T13:34:05+00:00"
        );
        for bad in [
            "260102150405+0000",
            "260102150405-0000",
            "260102150405.5Z",
            "260230150405Z",
            "260102240405Z",
            "260102150460Z",
            "26010215040Z",
            "260102150405",
            "260102150405z",
            "260102150405+0160",
        ] {
            assert_eq!(utc(bad), None, "{bad}");
        }
        assert_eq!(
            generalized("20500101000000Z").unwrap(),
            "2050-01-01T00:00:00+00:00"
        );
        assert_eq!(generalized("20500101000000.1Z"), None);
        assert_eq!(generalized("500101000000Z"), None);
    }

    #[test]
    fn lengths_integers_booleans_oids() {
        // Non-minimal long-form lengths and high tag numbers.
        assert_eq!(Input::new(&[0x04, 0x81, 0x01, 0x00]).read(0x04), None);
        assert_eq!(Input::new(&[0x04, 0x82, 0x00, 0x80]).read(0x04), None);
        assert_eq!(Input::new(&[0x1f, 0x01, 0x00]).read_any(), None);
        assert_eq!(
            Input::new(&[0x02, 0x02, 0x00, 0x7f]).read_big_integer(),
            None
        );
        assert_eq!(
            Input::new(&[0x02, 0x02, 0xff, 0x80]).read_big_integer(),
            None
        );
        assert_eq!(Input::new(&[0x02, 0x01, 0x80]).read_int64(), Some(-128));
        assert_eq!(Input::new(&[0x02, 0x01, 0x80]).read_uint64(), None);
        assert_eq!(
            Input::new(&[0x02, 0x02, 0x00, 0x80]).read_uint64(),
            Some(128)
        );
        assert_eq!(Input::new(&[0x01, 0x01, 0xff]).read_boolean(), Some(true));
        assert_eq!(Input::new(&[0x01, 0x01, 0x01]).read_boolean(), None);
        let oid = Input::new(&[0x06, 0x03, 0x55, 0x1d, 0x13])
            .read_oid()
            .unwrap();
        assert_eq!(dotted(&oid.arcs), "2.5.29.19");
        assert_eq!(Input::new(&[0x06, 0x00]).read_oid(), None);
        assert_eq!(Input::new(&[0x06, 0x02, 0x55, 0x9d]).read_oid(), None);
        // Arcs of 2^31 and more, and arcs with a leading 0x80 octet.
        assert_eq!(
            Input::new(&[0x06, 0x06, 0x55, 0x88, 0x80, 0x80, 0x80, 0x00]).read_oid(),
            None
        );
        assert_eq!(
            Input::new(&[0x06, 0x06, 0x55, 0x87, 0xff, 0xff, 0xff, 0x7f])
                .read_oid()
                .map(|o| dotted(&o.arcs))
                .unwrap(),
            "2.5.2147483647"
        );
        assert_eq!(Input::new(&[0x06, 0x03, 0x55, 0x80, 0x01]).read_oid(), None);
        assert_eq!(
            Input::new(&[0x06, 0x02, 0x81, 0x00])
                .read_oid()
                .map(|o| dotted(&o.arcs))
                .unwrap(),
            "2.48"
        );
    }
}
