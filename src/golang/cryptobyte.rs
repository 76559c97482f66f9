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

/// ASN.1 tags `crypto/x509` reads (cryptobyte's `asn1` package).
pub(crate) mod tag {
    pub(crate) const BIT_STRING: u8 = 0x03;
    pub(crate) const SEQUENCE: u8 = 0x30;
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

    /// `ReadASN1`: the contents of the next element, which must have tag `tag`.
    pub(crate) fn read(&mut self, tag: u8) -> Option<&'a [u8]> {
        let (t, element, header) = self.read_element()?;
        (t == tag).then(|| element.get(header..)).flatten()
    }

    /// `ReadASN1BitString`.
    pub(crate) fn read_bit_string(&mut self) -> Option<BitString<'a>> {
        let (&padding, bytes) = self.read(tag::BIT_STRING)?.split_first()?;
        BitString::checked(padding, bytes)
    }
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
        // Non-minimal long-form lengths and high tag numbers.
        assert_eq!(Input::new(&[0x04, 0x81, 0x01, 0x00]).read(0x04), None);
        assert_eq!(Input::new(&[0x04, 0x82, 0x00, 0x80]).read(0x04), None);
        assert_eq!(Input::new(&[0x1f, 0x01, 0x00]).read(0x1f), None);
        let padded = read(&[0x03, 0x03, 0x04, 0xab, 0xc0]).unwrap();
        assert_eq!(padded.bit_length, 12);
        assert_eq!(padded.right_align(), vec![0x0a, 0xbc]);
        assert_eq!(
            read(&[0x03, 0x01, 0x00]).unwrap().right_align(),
            Vec::<u8>::new()
        );
    }
}
