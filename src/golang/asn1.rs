//! Go's reflection-driven `encoding/asn1.Unmarshal`, for the few structures whose parse errors
//! reach a user unchanged: `x509.ParsePKIXPublicKey` (`publicKeyInfo`) and
//! `x509.ParsePKCS1PublicKey` (`pkcs1PublicKey`) return the `asn1: syntax error: ...` /
//! `asn1: structure error: ...` of this walk as they are, and Flux puts them in the condition of
//! a cosign source whose key does not load.
//!
//! Written by hand because the texts are Go's own (`data truncated`, `sequence truncated`,
//! `tags don't match (16 vs {class:0 tag:2 length:1 isCompound:false}) {optional:false ...}
//! publicKeyInfo @2`), with the offsets and Go type names Go puts in them, which no DER crate
//! reports. Only what those structures use is reproduced: SEQUENCE-as-struct, OBJECT IDENTIFIER,
//! BIT STRING, INTEGER (into `*big.Int` or `int`) and `RawValue`; the walk checks and measures,
//! it keeps no values (the caller parses the accepted bytes with a DER crate).

/// One field of a Go struct that `encoding/asn1` fills.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    /// What the field's Go type is.
    pub kind: Kind,
    /// The `asn1:"optional"` struct tag.
    pub optional: bool,
}

/// The Go types the reproduced structures use.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    /// A struct (SEQUENCE) named `name`, with these fields (a leading `asn1.RawContent` is
    /// left out: it reads nothing).
    Struct {
        /// The Go type name, as `reflect.Type.Name()` gives it in errors.
        name: &'static str,
        /// The fields in order.
        fields: &'static [Field],
    },
    /// `asn1.ObjectIdentifier`.
    ObjectIdentifier,
    /// `asn1.BitString`.
    BitString,
    /// `*big.Int` (an unnamed pointer type: its name in errors is empty).
    BigInt,
    /// `int` (64 bits).
    Int,
    /// `asn1.RawValue`: any one element.
    RawValue,
}

const fn required(kind: Kind) -> Field {
    Field {
        kind,
        optional: false,
    }
}

/// `pkix.AlgorithmIdentifier`.
const ALGORITHM_IDENTIFIER: Kind = Kind::Struct {
    name: "AlgorithmIdentifier",
    fields: &[
        required(Kind::ObjectIdentifier),
        Field {
            kind: Kind::RawValue,
            optional: true,
        },
    ],
};

/// crypto/x509's `publicKeyInfo` (SubjectPublicKeyInfo).
pub(crate) const PUBLIC_KEY_INFO: Kind = Kind::Struct {
    name: "publicKeyInfo",
    fields: &[required(ALGORITHM_IDENTIFIER), required(Kind::BitString)],
};

/// crypto/x509's `pkcs1PublicKey` (RSAPublicKey).
pub(crate) const PKCS1_PUBLIC_KEY: Kind = Kind::Struct {
    name: "pkcs1PublicKey",
    fields: &[required(Kind::BigInt), required(Kind::Int)],
};

/// `asn1.SyntaxError`.
fn syntax(msg: &str) -> String {
    format!("asn1: syntax error: {msg}")
}

/// `asn1.StructuralError`.
fn structural(msg: &str) -> String {
    format!("asn1: structure error: {msg}")
}

/// Go's `tagAndLength`, printed with `%+v` in a tag mismatch.
struct TagAndLength {
    class: u8,
    tag: usize,
    length: usize,
    compound: bool,
}

/// `parseBase128Int`.
fn base128(bytes: &[u8], mut offset: usize) -> Result<(usize, usize), String> {
    let mut value: i64 = 0;
    let mut shifted = 0;
    while let Some(&b) = bytes.get(offset) {
        if shifted == 5 {
            return Err(structural("base 128 integer too large"));
        }
        value <<= 7;
        if shifted == 0 && b == 0x80 {
            return Err(syntax("integer is not minimally encoded"));
        }
        value |= i64::from(b & 0x7f);
        offset += 1;
        if b & 0x80 == 0 {
            if value > i64::from(i32::MAX) {
                return Err(structural("base 128 integer too large"));
            }
            return Ok((value as usize, offset));
        }
        shifted += 1;
    }
    Err(syntax("truncated base 128 integer"))
}

/// `parseTagAndLength`.
fn tag_and_length(bytes: &[u8], mut offset: usize) -> Result<(TagAndLength, usize), String> {
    let Some(&b) = bytes.get(offset) else {
        return Err("asn1: internal error in parseTagAndLength".into());
    };
    offset += 1;
    let mut t = TagAndLength {
        class: b >> 6,
        tag: usize::from(b & 0x1f),
        length: 0,
        compound: b & 0x20 == 0x20,
    };
    if t.tag == 0x1f {
        (t.tag, offset) = base128(bytes, offset)?;
        if t.tag < 0x1f {
            return Err(syntax("non-minimal tag"));
        }
    }
    let Some(&b) = bytes.get(offset) else {
        return Err(syntax("truncated tag or length"));
    };
    offset += 1;
    if b & 0x80 == 0 {
        t.length = usize::from(b & 0x7f);
        return Ok((t, offset));
    }
    let count = usize::from(b & 0x7f);
    if count == 0 {
        return Err(syntax("indefinite length found (not DER)"));
    }
    for _ in 0..count {
        let Some(&b) = bytes.get(offset) else {
            return Err(syntax("truncated tag or length"));
        };
        offset += 1;
        if t.length >= 1 << 23 {
            return Err(structural("length too large"));
        }
        t.length = (t.length << 8) | usize::from(b);
        if t.length == 0 {
            return Err(structural("superfluous leading zeros in length"));
        }
    }
    if t.length < 0x80 {
        return Err(structural("non-minimal length"));
    }
    Ok((t, offset))
}

/// `checkInteger`.
fn check_integer(bytes: &[u8]) -> Result<(), String> {
    match bytes {
        [] => Err(structural("empty integer")),
        [0x00, b, ..] if b & 0x80 == 0 => Err(structural("integer not minimally-encoded")),
        [0xff, b, ..] if b & 0x80 == 0x80 => Err(structural("integer not minimally-encoded")),
        _ => Ok(()),
    }
}

/// The universal tag and compound flag `getUniversalType` gives a kind (`None`: RawValue).
fn universal(kind: &Kind) -> Option<(usize, bool)> {
    match kind {
        Kind::Struct { .. } => Some((16, true)),
        Kind::ObjectIdentifier => Some((6, false)),
        Kind::BitString => Some((3, false)),
        Kind::BigInt | Kind::Int => Some((2, false)),
        Kind::RawValue => None,
    }
}

fn type_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Struct { name, .. } => name,
        Kind::ObjectIdentifier => "ObjectIdentifier",
        Kind::BitString => "BitString",
        Kind::BigInt => "",
        Kind::Int => "int",
        Kind::RawValue => "RawValue",
    }
}

/// `parseField` for `field` at `offset` of `bytes`: the offset after it.
fn parse_field(field: &Field, bytes: &[u8], start: usize) -> Result<usize, String> {
    if start == bytes.len() {
        return if field.optional {
            Ok(start)
        } else {
            Err(syntax("sequence truncated"))
        };
    }
    let (t, offset) = tag_and_length(bytes, start)?;
    let truncated = offset
        .checked_add(t.length)
        .is_none_or(|end| end > bytes.len());
    let Some((expected_tag, compound)) = universal(&field.kind) else {
        // RawValue: any element.
        return if truncated {
            Err(syntax("data truncated"))
        } else {
            Ok(offset + t.length)
        };
    };
    if t.class != 0 || t.tag != expected_tag || t.compound != compound {
        if field.optional {
            return Ok(start);
        }
        return Err(structural(&format!(
            "tags don't match ({expected_tag} vs {{class:{} tag:{} length:{} isCompound:{}}}) {{optional:{} explicit:false application:false private:false defaultValue:<nil> tag:<nil> stringType:0 timeType:0 set:false omitEmpty:false}} {} @{offset}",
            t.class, t.tag, t.length, t.compound, field.optional, type_name(&field.kind)
        )));
    }
    if truncated {
        return Err(syntax("data truncated"));
    }
    let inner = bytes.get(offset..offset + t.length).unwrap_or_default();
    let end = offset + t.length;
    match &field.kind {
        Kind::ObjectIdentifier => {
            if inner.is_empty() {
                return Err(syntax("zero length OBJECT IDENTIFIER"));
            }
            let mut at = 0;
            while at < inner.len() {
                (_, at) = base128(inner, at)?;
            }
        }
        Kind::BitString => {
            let Some((&padding, body)) = inner.split_first() else {
                return Err(syntax("zero length BIT STRING"));
            };
            let last = body.last().copied().unwrap_or(0);
            if padding > 7
                || (body.is_empty() && padding > 0)
                || last & ((1u16 << padding) - 1) as u8 != 0
            {
                return Err(syntax("invalid padding bits in BIT STRING"));
            }
        }
        Kind::BigInt => check_integer(inner)?,
        Kind::Int => {
            check_integer(inner)?;
            if inner.len() > 8 {
                return Err(structural("integer too large"));
            }
        }
        Kind::Struct { fields, .. } => {
            let mut at = 0;
            for f in fields.iter() {
                at = parse_field(f, inner, at)?;
            }
            // Go allows extra bytes at the end of a SEQUENCE.
        }
        Kind::RawValue => {}
    }
    Ok(end)
}

/// `asn1.Unmarshal(der, &v)` for a value of type `kind`: the bytes after it, or Go's error.
pub(crate) fn unmarshal<'a>(der: &'a [u8], kind: &Kind) -> Result<&'a [u8], String> {
    let end = parse_field(&required(*kind), der, 0)?;
    Ok(der.get(end..).unwrap_or_default())
}

/// Whether the contents of a DER INTEGER (big-endian two's complement) are above zero:
/// `big.Int.Sign() > 0`.
pub(crate) fn integer_is_positive(bytes: &[u8]) -> bool {
    bytes.first().is_some_and(|b| b & 0x80 == 0) && bytes.iter().any(|b| *b != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_and_mismatch_read_as_in_go() {
        assert_eq!(
            unmarshal(&[], &PUBLIC_KEY_INFO).unwrap_err(),
            "asn1: syntax error: sequence truncated"
        );
        assert_eq!(
            unmarshal(&[0x30, 0x59, 0x30, 0x13], &PUBLIC_KEY_INFO).unwrap_err(),
            "asn1: syntax error: data truncated"
        );
        assert_eq!(
            unmarshal(&[0x30], &PUBLIC_KEY_INFO).unwrap_err(),
            "asn1: syntax error: truncated tag or length"
        );
        assert_eq!(
            unmarshal(&[0x02, 0x01, 0x00], &PUBLIC_KEY_INFO).unwrap_err(),
            "asn1: structure error: tags don't match (16 vs {class:0 tag:2 length:1 isCompound:false}) {optional:false explicit:false application:false private:false defaultValue:<nil> tag:<nil> stringType:0 timeType:0 set:false omitEmpty:false} publicKeyInfo @2"
        );
        // SEQUENCE { SEQUENCE { OID 1.2 }, NULL } : the BIT STRING's tag is wrong.
        assert_eq!(
            unmarshal(&[0x30, 0x07, 0x30, 0x03, 0x06, 0x01, 0x2a, 0x05, 0x00], &PUBLIC_KEY_INFO)
                .unwrap_err(),
            "asn1: structure error: tags don't match (3 vs {class:0 tag:5 length:0 isCompound:false}) {optional:false explicit:false application:false private:false defaultValue:<nil> tag:<nil> stringType:0 timeType:0 set:false omitEmpty:false} BitString @7"
        );
        assert_eq!(
            unmarshal(&[0x30, 0x81, 0x05], &PUBLIC_KEY_INFO).unwrap_err(),
            "asn1: structure error: non-minimal length"
        );
    }

    #[test]
    fn accepts_with_rest() {
        let spki = [
            0x30, 0x08, 0x30, 0x03, 0x06, 0x01, 0x2a, 0x03, 0x01, 0x00, 0xff,
        ];
        assert_eq!(unmarshal(&spki, &PUBLIC_KEY_INFO).unwrap(), &[0xff]);
        let pkcs1 = [0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x03];
        assert!(unmarshal(&pkcs1, &PKCS1_PUBLIC_KEY).unwrap().is_empty());
        assert!(unmarshal(&pkcs1, &PUBLIC_KEY_INFO).is_err());
        assert_eq!(
            unmarshal(&[0x30, 0x04, 0x02, 0x00, 0x02, 0x00], &PKCS1_PUBLIC_KEY).unwrap_err(),
            "asn1: structure error: empty integer"
        );
    }
}
