//! Go's `encoding/base64` decoding, with its error texts.
//!
//! Why by hand: notation prints Go's decoder errors verbatim (`illegal base64 data at input
//! byte 242`), and Go's non-strict decoding skips `\r` and `\n` and ignores non-zero trailing
//! bits where the `base64` crate refuses; the byte offset in the message is Go's.

/// Go's `encoding/base64` decoding (non-strict): `\r` and `\n` are skipped, trailing bits are
/// ignored, and errors name the offending input byte (`illegal base64 data at input byte N`).
pub(crate) fn decode(input: &[u8], url: bool, padded: bool) -> Result<Vec<u8>, String> {
    let err = |n: usize| format!("illegal base64 data at input byte {n}");
    let value = |c: u8| -> Option<u8> {
        match c {
            b'A'..=b'Z' => Some(c - b'A'),
            b'a'..=b'z' => Some(c - b'a' + 26),
            b'0'..=b'9' => Some(c - b'0' + 52),
            b'+' if !url => Some(62),
            b'/' if !url => Some(63),
            b'-' if url => Some(62),
            b'_' if url => Some(63),
            _ => None,
        }
    };
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 3);
    let mut si = 0usize;
    loop {
        // One quantum (Go's decodeQuantum).
        let mut buf = [0u8; 4];
        let mut dlen = 4;
        let mut j = 0usize;
        let mut finished = false;
        while j < 4 {
            let Some(&c) = input.get(si) else {
                if j == 0 {
                    return Ok(out);
                }
                if j == 1 || padded {
                    return Err(err(si - j));
                }
                dlen = j;
                finished = true;
                break;
            };
            si += 1;
            if let Some(v) = value(c) {
                if let Some(slot) = buf.get_mut(j) {
                    *slot = v;
                }
                j += 1;
                continue;
            }
            if c == b'\n' || c == b'\r' {
                continue;
            }
            if !padded || c != b'=' {
                return Err(err(si - 1));
            }
            // Padding.
            match j {
                0 | 1 => return Err(err(si - 1)),
                2 => {
                    while matches!(input.get(si), Some(b'\n' | b'\r')) {
                        si += 1;
                    }
                    match input.get(si) {
                        None => return Err(err(input.len())),
                        Some(b'=') => si += 1,
                        Some(_) => return Err(err(si - 1)),
                    }
                }
                _ => {}
            }
            while matches!(input.get(si), Some(b'\n' | b'\r')) {
                si += 1;
            }
            if si < input.len() {
                return Err(err(si));
            }
            dlen = j;
            finished = true;
            break;
        }
        let [a, b, c, d] = buf.map(u32::from);
        let val = (a << 18) | (b << 12) | (c << 6) | d;
        let bytes = [(val >> 16) as u8, (val >> 8) as u8, val as u8];
        out.extend_from_slice(bytes.get(..dlen.saturating_sub(1)).unwrap_or_default());
        if finished {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_like_go() {
        assert_eq!(decode(b"aGVsbG8", true, false), Ok(b"hello".to_vec()));
        assert_eq!(decode(b"aGVs\nbG8", true, false), Ok(b"hello".to_vec()));
        assert_eq!(
            decode(b"aGVsbG8=", true, false),
            Err("illegal base64 data at input byte 7".into())
        );
        assert_eq!(decode(b"aGVsbG8=", false, true), Ok(b"hello".to_vec()));
        assert_eq!(
            decode(b"aGVsbG8", false, true),
            Err("illegal base64 data at input byte 4".into())
        );
        assert_eq!(
            decode(b"a", true, false),
            Err("illegal base64 data at input byte 0".into())
        );
        assert_eq!(
            decode(b"ab+c", true, false),
            Err("illegal base64 data at input byte 2".into())
        );
        assert_eq!(
            decode(b"aGVsbA==x", false, true),
            Err("illegal base64 data at input byte 8".into())
        );
        // Non-zero trailing bits are ignored (Go's non-strict mode).
        assert_eq!(decode(b"aGVsbG9", true, false), Ok(b"hello".to_vec()));
        assert_eq!(decode(b"", true, false), Ok(Vec::new()));
    }
}
