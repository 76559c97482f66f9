//! BER → DER length normalisation for RFC 3161 timestamp tokens, as tspclient-go's
//! `internal/encoding/asn1/ber.ConvertToDER` does it.
//!
//! notation-go runs every timestamp token through that converter before parsing it, so what it
//! accepts and how it fails is part of notation's observable behaviour (the e2e suite records
//! `... failed to convert from BER to DER: asn1: syntax error: decoding BER length octets: short
//! form length octets value should be less or equal to the subsequent octets length`). The `der`
//! crate is strict DER and has no such converter, hence this module.
//!
//! What the converter does, and therefore what this one does:
//! - every length is re-encoded in the minimal definite form; identifiers (including high tag
//!   numbers) and primitive contents are copied byte for byte;
//! - constructed encodings of string types are kept constructed (not merged), `SET OF` is not
//!   re-sorted, values are not canonicalised — later DER parsing rejects what DER forbids;
//! - indefinite lengths are **rejected** (`decoding BER length octets: indefinite length not
//!   supported`), as are lengths of more than 4 octets or ≥ 2^31, and trailing bytes after the
//!   outermost value;
//! - a long-form length must be followed by at least one more octet, even when it encodes zero
//!   (upstream's `offset+n >= len` check), and an identifier must be followed by a length octet.
//!
//! The walk is iterative over an explicit stack: nesting depth is bounded only by the input size
//! (every level costs at least two octets), and no input can exhaust the call stack or panic.

use std::fmt;

/// Why a BER encoding could not be converted. `Display` is Go's text, including the
/// `asn1: syntax error: ` / `asn1: structure error: ` prefix of Go's `encoding/asn1` error types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BerError {
    kind: BerErrorKind,
    message: String,
}

/// The two `encoding/asn1` error types upstream uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BerErrorKind {
    /// `asn1.SyntaxError`: the data is malformed.
    Syntax,
    /// `asn1.StructuralError`: the data uses a form the converter does not support.
    Structural,
}

impl BerError {
    fn syntax(message: impl Into<String>) -> Self {
        Self {
            kind: BerErrorKind::Syntax,
            message: message.into(),
        }
    }

    fn structural(message: impl Into<String>) -> Self {
        Self {
            kind: BerErrorKind::Structural,
            message: message.into(),
        }
    }

    /// Syntax or structural error.
    pub fn kind(&self) -> BerErrorKind {
        self.kind
    }
}

impl fmt::Display for BerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            BerErrorKind::Syntax => write!(f, "asn1: syntax error: {}", self.message),
            BerErrorKind::Structural => write!(f, "asn1: structure error: {}", self.message),
        }
    }
}

impl std::error::Error for BerError {}

/// One decoded value: identifier octets, and either primitive content or (for constructed
/// values) the DER length of its members, filled in once they are all decoded.
struct Node<'a> {
    identifier: &'a [u8],
    primitive: Option<&'a [u8]>,
    members_len: usize,
    parent: Option<usize>,
}

impl Node<'_> {
    fn content_len(&self) -> usize {
        self.primitive.map_or(self.members_len, <[u8]>::len)
    }

    fn encoded_len(&self) -> usize {
        let len = self.content_len();
        self.identifier.len() + encoded_length_size(len) + len
    }
}

/// Converts a BER encoding to DER the way tspclient-go does (see the module docs).
pub fn convert_to_der(ber: &[u8]) -> Result<Vec<u8>, BerError> {
    if ber.is_empty() {
        return Err(BerError::syntax(
            "BER-encoded ASN.1 data structures is empty",
        ));
    }
    let (identifier, content_len, rest) = decode_metadata(ber)?;
    if rest.len() != content_len {
        return Err(BerError::syntax(format!(
            "decoding BER: length octets value {content_len} does not match with content length {}",
            rest.len()
        )));
    }

    // Pre-order (depth-first) list of values; a parent always precedes its members.
    let mut nodes: Vec<Node<'_>> = Vec::new();
    let root_primitive = is_primitive(identifier);
    nodes.push(Node {
        identifier,
        primitive: root_primitive.then_some(rest),
        members_len: 0,
        parent: None,
    });
    // Stack of (node index, undecoded content of that constructed value).
    let mut stack: Vec<(usize, &[u8])> = Vec::new();
    if !root_primitive {
        stack.push((0, rest));
    }
    while let Some(top) = stack.last_mut() {
        let (index, raw) = *top;
        if raw.is_empty() {
            stack.pop();
            continue;
        }
        let (identifier, content_len, remaining) = decode_metadata(raw)?;
        let (content, after) = remaining.split_at(content_len);
        top.1 = after;
        let child = nodes.len();
        let primitive = is_primitive(identifier);
        nodes.push(Node {
            identifier,
            primitive: primitive.then_some(content),
            members_len: 0,
            parent: Some(index),
        });
        if !primitive {
            stack.push((child, content));
        }
    }

    // Members follow their parent, so a reverse pass sees every member before its parent.
    for i in (0..nodes.len()).rev() {
        let (encoded, parent) = match nodes.get(i) {
            Some(node) => (node.encoded_len(), node.parent),
            None => continue,
        };
        if let Some(parent) = parent.and_then(|p| nodes.get_mut(p)) {
            parent.members_len += encoded;
        }
    }

    let total = nodes.first().map_or(0, Node::encoded_len);
    let mut out = Vec::with_capacity(total);
    for node in &nodes {
        out.extend_from_slice(node.identifier);
        encode_length(&mut out, node.content_len());
        if let Some(content) = node.primitive {
            out.extend_from_slice(content);
        }
    }
    Ok(out)
}

/// Identifier, content length, and everything after the length octets (ISO/IEC 8825-1 8.1.1.3).
/// The returned slice is at least `content_len` long.
fn decode_metadata(r: &[u8]) -> Result<(&[u8], usize, &[u8]), BerError> {
    let (identifier, r) = decode_identifier(r)?;
    let (len, r) = decode_length(r)?;
    Ok((identifier, len, r))
}

/// Identifier octets, low or high tag number form (8.1.2).
fn decode_identifier(r: &[u8]) -> Result<(&[u8], &[u8]), BerError> {
    let Some(&first) = r.first() else {
        return Err(BerError::syntax(
            "decoding BER identifier octets: identifier octets is empty",
        ));
    };
    let mut offset = 1;
    if first & 0x1f == 0x1f {
        while r.get(offset).is_some_and(|b| b & 0x80 == 0x80) {
            offset += 1;
        }
        if offset >= r.len() {
            return Err(BerError::syntax(
                "decoding BER identifier octets: high-tag-number form with early EOF",
            ));
        }
        offset += 1;
    }
    if offset >= r.len() {
        return Err(BerError::syntax(
            "decoding BER identifier octets: early EOF due to missing length and content octets",
        ));
    }
    Ok(r.split_at(offset))
}

/// Length octets (8.1.3); the indefinite form is not supported, as upstream.
fn decode_length(r: &[u8]) -> Result<(usize, &[u8]), BerError> {
    let Some((&first, rest)) = r.split_first() else {
        return Err(BerError::syntax(
            "decoding BER length octets: length octets is empty",
        ));
    };
    if first < 0x80 {
        let len = usize::from(first);
        if len > rest.len() {
            return Err(BerError::syntax(
                "decoding BER length octets: short form length octets value should be less or equal to the subsequent octets length",
            ));
        }
        return Ok((len, rest));
    }
    if first == 0x80 {
        return Err(BerError::structural(
            "decoding BER length octets: indefinite length not supported",
        ));
    }
    let n = usize::from(first & 0x7f);
    if n > 4 {
        return Err(BerError::structural(format!(
            "decoding BER length octets: length of encoded data ({n} bytes) cannot exceed 4 bytes"
        )));
    }
    // Upstream requires at least one octet after the length octets, even for a zero length.
    if 1 + n >= r.len() {
        return Err(BerError::syntax(
            "decoding BER length octets: long form length octets with early EOF",
        ));
    }
    let (length_octets, rest) = rest.split_at(n);
    let length = length_octets
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    if length >> 31 > 0 {
        return Err(BerError::structural(format!(
            "decoding BER length octets: length {length} does not fit the memory space of int32"
        )));
    }
    let len = usize::try_from(length).unwrap_or(usize::MAX);
    if len > rest.len() {
        return Err(BerError::syntax(
            "decoding BER length octets: long form length octets value should be less or equal to the subsequent octets length",
        ));
    }
    Ok((len, rest))
}

/// Bit 6 of the first identifier octet clear (8.1.2.5).
fn is_primitive(identifier: &[u8]) -> bool {
    identifier.first().is_some_and(|b| b & 0x20 == 0)
}

/// Appends `len` in DER: short form below 128, else the minimal long form (X.690 10.1).
fn encode_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    let significant = bytes.get(skip..).unwrap_or_default();
    out.push(0x80 | significant.len() as u8);
    out.extend_from_slice(significant);
}

fn encoded_length_size(len: usize) -> usize {
    if len < 0x80 {
        return 1;
    }
    1 + (usize::BITS - len.leading_zeros()).div_ceil(8) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn der(input: &[u8]) -> Vec<u8> {
        convert_to_der(input).unwrap()
    }

    fn err(input: &[u8]) -> String {
        convert_to_der(input).unwrap_err().to_string()
    }

    #[test]
    fn der_input_is_unchanged() {
        let input = [
            0x30, 0x0a, 0x02, 0x01, 0x01, 0x04, 0x02, 0xab, 0xcd, 0x30, 0x01, 0x05,
        ];
        // The inner 0x30 0x01 0x05 is malformed as ASN.1 but still TLV-shaped for the walk: its
        // member 0x05 has no length octet, so it must fail exactly as upstream does.
        assert_eq!(
            err(&input),
            "asn1: syntax error: decoding BER identifier octets: early EOF due to missing length and content octets"
        );
        let good = [
            0x30, 0x09, 0x02, 0x01, 0x01, 0x04, 0x02, 0xab, 0xcd, 0x05, 0x00,
        ];
        assert_eq!(der(&good), good);
    }

    #[test]
    fn non_minimal_lengths_are_shortened() {
        // SEQUENCE (long form 0x81 0x05) { INTEGER (0x82 0x00 0x01) 7 }, one byte inside padding
        let input = [0x30, 0x81, 0x05, 0x02, 0x82, 0x00, 0x01, 0x07];
        assert_eq!(der(&input), [0x30, 0x03, 0x02, 0x01, 0x07]);
    }

    #[test]
    fn long_contents_get_minimal_long_form() {
        let mut input = vec![0x04, 0x84, 0x00, 0x00, 0x01, 0x00];
        input.extend(std::iter::repeat_n(0x55, 256));
        let out = der(&input);
        assert_eq!(out.get(..4), Some(&[0x04, 0x82, 0x01, 0x00][..]));
        assert_eq!(out.len(), 4 + 256);

        let mut input = vec![0x04, 0x81, 0x80];
        input.extend(std::iter::repeat_n(0x11, 128));
        assert_eq!(der(&input).get(..3), Some(&[0x04, 0x81, 0x80][..]));
    }

    #[test]
    fn nested_lengths_propagate() {
        // SEQUENCE { SEQUENCE { OCTET STRING(200 bytes, long form 0x83) } }, all non-minimal.
        let mut input = vec![0x30, 0x83, 0x00, 0x00, 0xd2, 0x30, 0x83, 0x00, 0x00, 0xcd];
        input.extend([0x04, 0x83, 0x00, 0x00, 0xc8]);
        input.extend(std::iter::repeat_n(0xee, 200));
        let out = der(&input);
        let mut expected = vec![0x30, 0x81, 0xce, 0x30, 0x81, 0xcb, 0x04, 0x81, 0xc8];
        expected.extend(std::iter::repeat_n(0xee, 200));
        assert_eq!(out, expected);
    }

    #[test]
    fn constructed_strings_stay_constructed() {
        // Constructed OCTET STRING of two primitive pieces: kept as is, as upstream does.
        let input = [0x24, 0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x02, 0x03, 0x04];
        assert_eq!(der(&input), input);
    }

    #[test]
    fn high_tag_numbers_are_copied() {
        let input = [0x9f, 0x81, 0x00, 0x01, 0xaa];
        assert_eq!(der(&input), input);
        assert_eq!(
            err(&[0x1f, 0x81]),
            "asn1: syntax error: decoding BER identifier octets: high-tag-number form with early EOF"
        );
    }

    #[test]
    fn upstream_error_texts() {
        assert_eq!(
            err(&[]),
            "asn1: syntax error: BER-encoded ASN.1 data structures is empty"
        );
        assert_eq!(
            err(&[0x30]),
            "asn1: syntax error: decoding BER identifier octets: early EOF due to missing length and content octets"
        );
        // The notation e2e token `e2e-with-invalid-timestamped-signature` fails this way.
        assert_eq!(
            err(&[0x30, 0x05, 0x01]),
            "asn1: syntax error: decoding BER length octets: short form length octets value should be less or equal to the subsequent octets length"
        );
        assert_eq!(
            err(&[0x30, 0x80, 0x05, 0x00, 0x00, 0x00]),
            "asn1: structure error: decoding BER length octets: indefinite length not supported"
        );
        assert_eq!(
            err(&[0x04, 0x85, 0, 0, 0, 0, 1, 0]),
            "asn1: structure error: decoding BER length octets: length of encoded data (5 bytes) cannot exceed 4 bytes"
        );
        assert_eq!(
            err(&[0x04, 0x84, 0x80, 0, 0, 0, 0]),
            "asn1: structure error: decoding BER length octets: length 2147483648 does not fit the memory space of int32"
        );
        assert_eq!(
            err(&[0x04, 0x82, 0x01]),
            "asn1: syntax error: decoding BER length octets: long form length octets with early EOF"
        );
        assert_eq!(
            err(&[0x04, 0x81, 0x05, 0x00]),
            "asn1: syntax error: decoding BER length octets: long form length octets value should be less or equal to the subsequent octets length"
        );
        assert_eq!(
            err(&[0x04, 0x01, 0xaa, 0xbb]),
            "asn1: syntax error: decoding BER: length octets value 1 does not match with content length 2"
        );
        // A zero long-form length at the very end is refused, as upstream does.
        assert_eq!(
            err(&[0x30, 0x03, 0x04, 0x81, 0x00]),
            "asn1: syntax error: decoding BER length octets: long form length octets with early EOF"
        );
        let BerError { kind, .. } = convert_to_der(&[0x30, 0x80, 0, 0]).unwrap_err();
        assert_eq!(kind, BerErrorKind::Structural);
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        // 100 000 nested SEQUENCEs ending in NULL, each with a 4-octet long-form length.
        let depth = 100_000usize;
        let mut input = Vec::with_capacity(depth * 6 + 2);
        for level in 0..depth {
            let inner = (depth - level - 1) * 6 + 2;
            input.push(0x30);
            input.push(0x84);
            input.extend_from_slice(&(inner as u32).to_be_bytes());
        }
        input.extend([0x05, 0x00]);
        let out = der(&input);
        assert_eq!(out.last(), Some(&0x00));
        assert!(out.len() < input.len());
    }

    #[test]
    fn truncated_inputs_never_panic() {
        let mut base = vec![0x30, 0x82, 0x00, 0x10, 0xa0, 0x0e, 0x04, 0x81, 0x0b];
        base.extend(std::iter::repeat_n(0x41, 11));
        assert!(convert_to_der(&base).is_ok());
        for cut in 0..base.len() {
            let _ = convert_to_der(base.get(..cut).unwrap());
        }
        // Every single-byte corruption either converts or errors.
        for i in 0..base.len() {
            for v in [0x00, 0x1f, 0x3f, 0x7f, 0x80, 0x81, 0x84, 0xff] {
                let mut m = base.clone();
                m[i] = v;
                let _ = convert_to_der(&m);
            }
        }
    }

    #[test]
    fn encoded_length_size_matches_encoding() {
        for len in [
            0usize,
            1,
            127,
            128,
            255,
            256,
            65535,
            65536,
            1 << 24,
            (1 << 31) - 1,
        ] {
            let mut out = Vec::new();
            encode_length(&mut out, len);
            assert_eq!(out.len(), encoded_length_size(len), "len {len}");
        }
    }
}
