//! fxamacker/cbor v2.9 as go-cose v1.3 configures it, for what notation shows of it: the
//! well-formedness pass every `Unmarshal` starts with (`wellformed`: heads, lengths, nesting,
//! forbidden indefinite lengths and tags, bytes left over) and the UTF-8 and duplicate-key
//! checks of decoding a header map, with fxamacker's error texts (`unexpected EOF`,
//! `cbor: invalid additional information 28 for type positive integer`, `cbor: 98 bytes of
//! extraneous data starting at index 1589`, `cbor: invalid UTF-8 string`, ...).
//!
//! Written by hand: the Rust CBOR crates decode in one pass with their own error model, so
//! neither the order of the checks (all of well-formedness first, then types and UTF-8) nor the
//! words can come from them. Values themselves are still decoded by `ciborium`, once these
//! checks have passed.

/// Major types, with fxamacker's `cborType.String()`.
fn type_name(major: u8) -> &'static str {
    match major {
        0 => "positive integer",
        1 => "negative integer",
        2 => "byte string",
        3 => "UTF-8 text string",
        4 => "array",
        5 => "map",
        6 => "tag",
        _ => "primitives",
    }
}

/// fxamacker's default limits (`MaxNestedLevels`, `MaxArrayElements`, `MaxMapPairs`).
const MAX_NESTED_LEVELS: usize = 32;
const MAX_ARRAY_ELEMENTS: u64 = 131_072;
const MAX_MAP_PAIRS: u64 = 131_072;

const UNEXPECTED_EOF: &str = "unexpected EOF";

/// One item head: major type, additional information, argument.
#[derive(Debug, Clone, Copy)]
struct Head {
    major: u8,
    ai: u8,
    value: u64,
}

/// A decoder position over `data`, as fxamacker's `decoder` keeps `off`.
struct Reader<'a> {
    data: &'a [u8],
    off: usize,
    tags_allowed: bool,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self.data.get(self.off).ok_or(UNEXPECTED_EOF)?;
        self.off += 1;
        Ok(b)
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.off).copied()
    }

    /// `wellformedHead`.
    fn head(&mut self) -> Result<Head, String> {
        let initial = self.byte()?;
        let (major, ai) = (initial >> 5, initial & 0x1f);
        let argument = |reader: &mut Self, n: usize| -> Result<u64, String> {
            let bytes = reader
                .data
                .get(reader.off..reader.off + n)
                .ok_or(UNEXPECTED_EOF)?;
            reader.off += n;
            Ok(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
        };
        let value = match ai {
            0..=23 => u64::from(ai),
            24 => {
                let v = argument(self, 1)?;
                if major == 7 && v < 32 {
                    return Err(format!(
                        "cbor: invalid simple value {v} for type {}",
                        type_name(major)
                    ));
                }
                v
            }
            25 => argument(self, 2)?,
            26 => argument(self, 4)?,
            27 => argument(self, 8)?,
            31 => match major {
                0 | 1 | 6 => {
                    return Err(format!(
                        "cbor: invalid additional information {ai} for type {}",
                        type_name(major)
                    ))
                }
                7 => return Err("cbor: unexpected \"break\" code".into()),
                _ => 0,
            },
            _ => {
                return Err(format!(
                    "cbor: invalid additional information {ai} for type {}",
                    type_name(major)
                ))
            }
        };
        Ok(Head { major, ai, value })
    }

    /// `wellformedInternal`, with go-cose's `IndefLengthForbidden`.
    fn item(&mut self, depth: usize) -> Result<(), String> {
        let head = self.head()?;
        match head.major {
            2..=5 if head.ai == 31 => Err(format!(
                "cbor: indefinite-length {} isn't allowed",
                type_name(head.major)
            )),
            2 | 3 => {
                let len = usize::try_from(head.value)
                    .ok()
                    .filter(|l| i64::try_from(*l).is_ok())
                    .ok_or_else(|| {
                        format!(
                            "cbor: {} length {} is too large, causing integer overflow",
                            type_name(head.major),
                            head.value
                        )
                    })?;
                if self.data.len() - self.off < len {
                    return Err(UNEXPECTED_EOF.into());
                }
                self.off += len;
                Ok(())
            }
            4 | 5 => {
                let depth = depth + 1;
                if depth > MAX_NESTED_LEVELS {
                    return Err(format!(
                        "cbor: exceeded max nested level {MAX_NESTED_LEVELS}"
                    ));
                }
                if i64::try_from(head.value).is_err() {
                    return Err(format!(
                        "cbor: {} length {} is too large, it would cause integer overflow",
                        type_name(head.major),
                        head.value
                    ));
                }
                let count = if head.major == 4 {
                    if head.value > MAX_ARRAY_ELEMENTS {
                        return Err(format!(
                            "cbor: exceeded max number of elements {MAX_ARRAY_ELEMENTS} for CBOR array"
                        ));
                    }
                    head.value
                } else {
                    if head.value > MAX_MAP_PAIRS {
                        return Err(format!(
                            "cbor: exceeded max number of key-value pairs {MAX_MAP_PAIRS} for CBOR map"
                        ));
                    }
                    head.value * 2
                };
                for _ in 0..count {
                    self.item(depth)?;
                }
                Ok(())
            }
            6 => {
                if !self.tags_allowed {
                    return Err("cbor: CBOR tag isn't allowed".into());
                }
                let mut depth = depth;
                loop {
                    let next = self.peek().ok_or(UNEXPECTED_EOF)?;
                    if next >> 5 != 6 {
                        break;
                    }
                    self.head()?;
                    depth += 1;
                    if depth > MAX_NESTED_LEVELS {
                        return Err(format!(
                            "cbor: exceeded max nested level {MAX_NESTED_LEVELS}"
                        ));
                    }
                }
                self.item(depth)
            }
            _ => Ok(()),
        }
    }
}

/// `decoder.wellformed(allowExtraData=false)`: `data` is exactly one well-formed item.
pub(crate) fn wellformed(data: &[u8], tags_allowed: bool) -> Result<(), String> {
    if data.is_empty() {
        return Err("EOF".into());
    }
    let mut reader = Reader {
        data,
        off: 0,
        tags_allowed,
    };
    reader.item(0)?;
    if reader.off != data.len() {
        return Err(format!(
            "cbor: {} bytes of extraneous data starting at index {}",
            data.len() - reader.off,
            reader.off
        ));
    }
    Ok(())
}

/// The whole encodings of the elements of the definite-length array `data` (well-formed).
pub(crate) fn array_items(data: &[u8]) -> Option<Vec<&[u8]>> {
    let mut reader = Reader {
        data,
        off: 0,
        tags_allowed: true,
    };
    let head = reader.head().ok()?;
    if head.major != 4 {
        return None;
    }
    let mut items = Vec::new();
    for _ in 0..head.value {
        let start = reader.off;
        reader.item(0).ok()?;
        items.push(data.get(start..reader.off)?);
    }
    Some(items)
}

/// The contents of the definite-length byte string `item`, if it is one.
pub(crate) fn byte_string(item: &[u8]) -> Option<&[u8]> {
    let mut reader = Reader {
        data: item,
        off: 0,
        tags_allowed: true,
    };
    let head = reader.head().ok()?;
    if head.major != 2 {
        return None;
    }
    item.get(reader.off..reader.off + usize::try_from(head.value).ok()?)
}

/// A decoded key as go-cose's `headerLabelValidator` holds it, printed with `%#v`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Label {
    Int(i128),
    Text(String),
}

impl Label {
    fn go_syntax(&self) -> String {
        match self {
            Label::Int(i) => format!("cose.headerLabelValidator{{value:{i}}}"),
            Label::Text(t) => format!(
                "cose.headerLabelValidator{{value:{}}}",
                super::quote::go_quote(t)
            ),
        }
    }
}

impl Reader<'_> {
    /// Decoding a well-formed item into `any`: every text string must be UTF-8.
    fn decode_any(&mut self) -> Result<(), String> {
        let head = self.head()?;
        match head.major {
            2 => {
                self.off += usize::try_from(head.value).map_err(|e| e.to_string())?;
            }
            3 => {
                let len = usize::try_from(head.value).map_err(|e| e.to_string())?;
                let text = self
                    .data
                    .get(self.off..self.off + len)
                    .ok_or(UNEXPECTED_EOF)?;
                self.off += len;
                if std::str::from_utf8(text).is_err() {
                    return Err("cbor: invalid UTF-8 string".into());
                }
            }
            4 => {
                for _ in 0..head.value {
                    self.decode_any()?;
                }
            }
            5 => {
                for _ in 0..head.value * 2 {
                    self.decode_any()?;
                }
            }
            6 => {
                // fxamacker's `validBuiltinTag`: what tags 0 to 3 may hold.
                let content = self.peek().ok_or(UNEXPECTED_EOF)?;
                let (major, ai) = (content >> 5, content & 0x1f);
                let wanted = match head.value {
                    0 if major != 3 => Some("tag number 0 must be followed by text string"),
                    1 if !(major == 0 || major == 1 || (major == 7 && (25..=27).contains(&ai))) => {
                        Some("tag number 1 must be followed by integer or floating-point number")
                    }
                    2 | 3 if major != 2 => {
                        Some("tag number 2 or 3 must be followed by byte string")
                    }
                    _ => None,
                };
                if let Some(wanted) = wanted {
                    return Err(format!("cbor: {wanted}, got {}", type_name(major)));
                }
                self.decode_any()?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Skips a well-formed item without decoding it (fxamacker's `skip`).
    fn skip(&mut self) {
        if self.item(0).is_err() {
            self.off = self.data.len();
        }
    }

    /// A header label: go-cose's `headerLabelValidator.UnmarshalCBOR`.
    fn decode_label(&mut self) -> Result<Label, String> {
        let start = self.off;
        let initial = self.peek().ok_or(UNEXPECTED_EOF)?;
        match initial >> 5 {
            0 | 1 | 3 => {}
            _ => {
                return Err("cbor: header label: require int / tstr type".into());
            }
        }
        let head = self.head()?;
        match head.major {
            0 if i64::try_from(head.value).is_err() => {
                Err("cbor: header label: int key must not be higher than 1<<63 - 1".into())
            }
            0 => Ok(Label::Int(i128::from(head.value))),
            1 => Ok(Label::Int(-1 - i128::from(head.value))),
            _ => {
                self.off = start;
                self.decode_any()?;
                let len = usize::try_from(head.value).map_err(|e| e.to_string())?;
                let text = self.data.get(self.off - len..self.off).unwrap_or_default();
                Ok(Label::Text(String::from_utf8_lossy(text).into_owned()))
            }
        }
    }
}

/// go-cose's `validateHeaderLabelCBOR`: `decMode.Unmarshal(data, &map[headerLabelValidator]any)`
/// (`DupMapKeyEnforcedAPF`, `IndefLengthForbidden`, tags allowed).
pub(crate) fn check_header_map(data: &[u8]) -> Result<(), String> {
    wellformed(data, true)?;
    let mut reader = Reader {
        data,
        off: 0,
        tags_allowed: true,
    };
    let head = reader.head()?;
    if head.major != 5 {
        return Err("cbor: cannot unmarshal into map".into());
    }
    let mut seen: Vec<Label> = Vec::new();
    let mut first_error: Option<String> = None;
    for index in 0..head.value {
        // A key that fails, or repeats, ends the decoding there; a value that fails is
        // remembered (the first one) and decoding goes on after it, so a later bad key wins.
        let key = reader.decode_label()?;
        if seen.contains(&key) {
            return Err(format!(
                "cbor: found duplicate map key {} at map element index {index}",
                key.go_syntax()
            ));
        }
        seen.push(key);
        let value_start = reader.off;
        if let Err(e) = reader.decode_any() {
            first_error.get_or_insert(e);
            reader.off = value_start;
            reader.skip();
        }
    }
    first_error.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wellformed_as_fxamacker() {
        assert_eq!(wellformed(&[0x83, 1, 2, 3], false), Ok(()));
        assert_eq!(
            wellformed(&[0x83, 1, 2], false),
            Err("unexpected EOF".into())
        );
        assert_eq!(
            wellformed(&[0x83, 1, 2, 3, 4, 5], false),
            Err("cbor: 2 bytes of extraneous data starting at index 4".into())
        );
        assert_eq!(
            wellformed(&[0x1c], false),
            Err("cbor: invalid additional information 28 for type positive integer".into())
        );
        assert_eq!(
            wellformed(&[0xdd, 0x01], true),
            Err("cbor: invalid additional information 29 for type tag".into())
        );
        assert_eq!(
            wellformed(&[0xf8, 0x1c], true),
            Err("cbor: invalid simple value 28 for type primitives".into())
        );
        assert_eq!(
            wellformed(&[0xc1, 0x01], false),
            Err("cbor: CBOR tag isn't allowed".into())
        );
        assert_eq!(wellformed(&[0xc1, 0x01], true), Ok(()));
        assert_eq!(
            wellformed(&[0x5f, 0xff], true),
            Err("cbor: indefinite-length byte string isn't allowed".into())
        );
        assert_eq!(
            wellformed(&[0xff], true),
            Err("cbor: unexpected \"break\" code".into())
        );
    }

    #[test]
    fn header_maps_as_go_cose_reads_them() {
        // {1: -35, "a": "b"}
        assert_eq!(
            check_header_map(&[0xa2, 0x01, 0x38, 0x22, 0x61, b'a', 0x61, b'b']),
            Ok(())
        );
        assert_eq!(
            check_header_map(&[0xa1, 0x01, 0x61, 0xff]),
            Err("cbor: invalid UTF-8 string".into())
        );
        assert_eq!(
            check_header_map(&[0xa1, 0x41, 0x00, 0x01]),
            Err("cbor: header label: require int / tstr type".into())
        );
        assert_eq!(
            check_header_map(&[0xa2, 0x02, 0x01, 0x02, 0x01]),
            Err(
                "cbor: found duplicate map key cose.headerLabelValidator{value:2} at map element index 1"
                    .into()
            )
        );
        assert_eq!(
            array_items(&[0x82, 0x41, 0x00, 0x01]),
            Some(vec![&[0x41, 0x00][..], &[0x01][..]])
        );
        assert_eq!(byte_string(&[0x42, 7, 8]), Some(&[7, 8][..]));
    }
}
