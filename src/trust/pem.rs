//! Go's `encoding/pem.Decode`, whose leniency decides which bytes Flux and notation read from
//! a certificate file or Secret value.
//!
//! The `pem` crates are stricter or laxer in different places (a `BEGIN` line that does not
//! start a line, headers, a mismatched `END` type, whitespace inside the body, missing base64
//! padding), and each of those changes whether Go sees a block or falls back to DER. So the
//! decoder is written out here following Go's algorithm.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

/// One PEM block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The type from the `BEGIN` line.
    pub kind: String,
    /// Header lines (`Key: value`), in order.
    pub headers: Vec<(String, String)>,
    /// The decoded body.
    pub bytes: Vec<u8>,
}

/// Go's `base64.StdEncoding`: padding required, non-zero trailing bits accepted.
const GO_STD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// Decodes base64 as Go's `StdEncoding.Decode` (which skips `\r` and `\n`).
pub fn go_base64_decode(data: &[u8]) -> Result<Vec<u8>, base64::DecodeError> {
    let cleaned: Vec<u8> = data
        .iter()
        .copied()
        .filter(|b| *b != b'\r' && *b != b'\n')
        .collect();
    GO_STD.decode(cleaned)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Go's `getLine`: the line without its `\r\n`/`\n` and trailing spaces/tabs, and the rest.
fn get_line(data: &[u8]) -> (&[u8], &[u8]) {
    let (mut line, rest) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (
            data.get(..i).unwrap_or_default(),
            data.get(i + 1..).unwrap_or_default(),
        ),
        None => (data, &[][..]),
    };
    if rest.len() < data.len() {
        if let Some(stripped) = line.strip_suffix(b"\r") {
            line = stripped;
        }
    }
    while let Some(stripped) = line.strip_suffix(b" ").or_else(|| line.strip_suffix(b"\t")) {
        line = stripped;
    }
    (line, rest)
}

/// Go's `pem.Decode`: the first block and the bytes after it, or `None` when there is none.
pub fn decode(data: &[u8]) -> Option<(Block, &[u8])> {
    const START: &[u8] = b"\n-----BEGIN ";
    const START_OF_INPUT: &[u8] = b"-----BEGIN ";
    const END: &[u8] = b"\n-----END ";
    const END_AT_START: &[u8] = b"-----END ";
    const EOL: &[u8] = b"-----";
    let mut rest = data;
    loop {
        if let Some(after) = rest.strip_prefix(START_OF_INPUT) {
            rest = after;
        } else if let Some(i) = find(rest, START) {
            rest = rest.get(i + START.len()..)?;
        } else {
            return None;
        }
        let (type_line, after_type) = get_line(rest);
        rest = after_type;
        let Some(kind) = type_line.strip_suffix(EOL) else {
            continue;
        };
        let mut headers = Vec::new();
        loop {
            if rest.is_empty() {
                return None;
            }
            let (line, next) = get_line(rest);
            let Some(colon) = line.iter().position(|b| *b == b':') else {
                break;
            };
            let key = String::from_utf8_lossy(line.get(..colon).unwrap_or_default())
                .trim()
                .to_string();
            let value = String::from_utf8_lossy(line.get(colon + 1..).unwrap_or_default())
                .trim()
                .to_string();
            headers.push((key, value));
            rest = next;
        }
        let (end_index, trailer_index) = if headers.is_empty() && rest.starts_with(END_AT_START) {
            (0, END.len() - 1)
        } else {
            match find(rest, END) {
                Some(i) => (i, i + END.len()),
                None => continue,
            }
        };
        let Some(trailer) = rest.get(trailer_index..) else {
            continue;
        };
        let trailer_len = kind.len() + EOL.len();
        let (Some(end_trailer), Some(rest_of_end_line)) =
            (trailer.get(..trailer_len), trailer.get(trailer_len..))
        else {
            continue;
        };
        if !end_trailer.starts_with(kind) || !end_trailer.ends_with(EOL) {
            continue;
        }
        if !get_line(rest_of_end_line).0.is_empty() {
            continue;
        }
        let body: Vec<u8> = rest
            .get(..end_index)
            .unwrap_or_default()
            .iter()
            .copied()
            .filter(|b| *b != b' ' && *b != b'\t')
            .collect();
        let Ok(bytes) = go_base64_decode(&body) else {
            continue;
        };
        let after_end = rest.get(end_index + END.len() - 1..).unwrap_or_default();
        let (_, remaining) = get_line(after_end);
        return Some((
            Block {
                kind: String::from_utf8_lossy(kind).into_owned(),
                headers,
                bytes,
            },
            remaining,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str = "-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n";

    #[test]
    fn decodes_first_block_and_rest() {
        let two = format!("junk\n{CERT}{CERT}");
        let (block, rest) = decode(two.as_bytes()).unwrap();
        assert_eq!(block.kind, "CERTIFICATE");
        assert_eq!(block.bytes, vec![1, 2, 3]);
        assert_eq!(rest, CERT.as_bytes());
        assert!(decode(rest).is_some());
    }

    #[test]
    fn go_leniency_and_strictness() {
        // BEGIN not at a line start: no block.
        assert!(decode(format!("x{CERT}").as_bytes()).is_none());
        // Mismatched END type: no block.
        assert!(decode(b"-----BEGIN A-----\nAQID\n-----END B-----\n").is_none());
        // Body with spaces, CRLF and headers.
        let (b, _) =
            decode(b"-----BEGIN X-----\r\nProc-Type: 4\r\n\r\nAQ ID\r\n-----END X-----").unwrap();
        assert_eq!(b.bytes, vec![1, 2, 3]);
        assert_eq!(b.headers, vec![("Proc-Type".to_string(), "4".to_string())]);
        // Missing padding: Go rejects the body, so no block.
        assert!(decode(b"-----BEGIN X-----\nAQI\n-----END X-----\n").is_none());
        // Empty block.
        let (b, _) = decode(b"-----BEGIN X-----\n-----END X-----\n").unwrap();
        assert!(b.bytes.is_empty());
    }
}
