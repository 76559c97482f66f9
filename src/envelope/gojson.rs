//! Just enough of Go's `encoding/json` and `encoding/base64` to read JWS envelopes and payloads
//! the way notation-go does, with Go's error texts.
//!
//! Why by hand: notation's messages embed Go's decoder errors verbatim (`invalid character 'i'
//! looking for beginning of value`, `illegal base64 data at input byte 242`), and Go's JSON
//! rules differ from serde_json's (case-insensitive field names, last duplicate wins, nesting up
//! to 10000, invalid UTF-8 replaced rather than refused). The scanner below validates a whole
//! document first, as Go's `checkValid` does, and never recurses, so deep nesting cannot
//! overflow the stack. Values are then read lazily from validated byte ranges.

/// Go's nesting limit (`maxNestingDepth`).
const MAX_DEPTH: usize = 10_000;

/// Go's `quoteChar`: how a byte is shown in a syntax error.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        _ => {
            let q = crate::pki::chain::go_quote(&char::from(c).to_string());
            let inner = q.get(1..q.len().saturating_sub(1)).unwrap_or_default();
            format!("'{inner}'")
        }
    }
}

fn invalid(c: u8, context: &str) -> String {
    format!("invalid character {} {context}", quote_char(c))
}

const UNEXPECTED_END: &str = "unexpected end of JSON input";

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

struct Scanner<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
    }

    fn next_or_end(&mut self) -> Result<u8, String> {
        let c = self.peek().ok_or(UNEXPECTED_END)?;
        self.pos += 1;
        Ok(c)
    }

    /// After the opening quote.
    fn string(&mut self) -> Result<(), String> {
        loop {
            match self.next_or_end()? {
                b'"' => return Ok(()),
                b'\\' => match self.next_or_end()? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                    b'u' => {
                        for _ in 0..4 {
                            let h = self.next_or_end()?;
                            if !h.is_ascii_hexdigit() {
                                return Err(invalid(h, "in \\u hexadecimal character escape"));
                            }
                        }
                    }
                    c => return Err(invalid(c, "in string escape code")),
                },
                c if c < 0x20 => return Err(invalid(c, "in string literal")),
                _ => {}
            }
        }
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    /// At the first byte of a number.
    fn number(&mut self) -> Result<(), String> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
            match self.peek() {
                None => return Err(UNEXPECTED_END.into()),
                Some(c) if !c.is_ascii_digit() => return Err(invalid(c, "in numeric literal")),
                _ => {}
            }
        }
        if self.peek() == Some(b'0') {
            self.pos += 1;
        } else {
            self.digits();
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            match self.peek() {
                None => return Err(UNEXPECTED_END.into()),
                Some(c) if !c.is_ascii_digit() => {
                    return Err(invalid(c, "after decimal point in numeric literal"))
                }
                _ => self.digits(),
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            match self.peek() {
                None => return Err(UNEXPECTED_END.into()),
                Some(c) if !c.is_ascii_digit() => {
                    return Err(invalid(c, "in exponent of numeric literal"))
                }
                _ => self.digits(),
            }
        }
        Ok(())
    }

    fn literal(&mut self, word: &'static str) -> Result<(), String> {
        for expected in word.bytes() {
            let c = self.next_or_end()?;
            if c != expected {
                let wanted = char::from(expected);
                return Err(invalid(
                    c,
                    &format!("in literal {word} (expecting '{wanted}')"),
                ));
            }
        }
        Ok(())
    }

    /// Validates one value starting at `pos` (after leading space), iteratively.
    fn value(&mut self) -> Result<(), String> {
        #[derive(PartialEq)]
        enum Frame {
            Object,
            Array,
        }
        let mut stack: Vec<Frame> = Vec::new();
        'value: loop {
            self.skip_space();
            let c = self.peek().ok_or(UNEXPECTED_END)?;
            match c {
                b'{' | b'[' => {
                    self.pos += 1;
                    stack.push(if c == b'{' {
                        Frame::Object
                    } else {
                        Frame::Array
                    });
                    if stack.len() > MAX_DEPTH {
                        return Err(invalid(c, "exceeded max depth"));
                    }
                    self.skip_space();
                    let next = self.peek().ok_or(UNEXPECTED_END)?;
                    if c == b'{' {
                        match next {
                            b'}' => {
                                self.pos += 1;
                                stack.pop();
                            }
                            b'"' => {
                                self.pos += 1;
                                self.key_and_colon()?;
                                continue 'value;
                            }
                            other => {
                                return Err(invalid(
                                    other,
                                    "looking for beginning of object key string",
                                ))
                            }
                        }
                    } else if next == b']' {
                        self.pos += 1;
                        stack.pop();
                    } else {
                        continue 'value;
                    }
                }
                b'"' => {
                    self.pos += 1;
                    self.string()?;
                }
                b'-' | b'0'..=b'9' => self.number()?,
                b't' => self.literal("true")?,
                b'f' => self.literal("false")?,
                b'n' => self.literal("null")?,
                other => return Err(invalid(other, "looking for beginning of value")),
            }
            // After a complete value: close containers or move to the next element.
            loop {
                let Some(top) = stack.last() else {
                    return Ok(());
                };
                self.skip_space();
                let c = self.peek().ok_or(UNEXPECTED_END)?;
                match (top, c) {
                    (Frame::Object, b',') => {
                        self.pos += 1;
                        self.skip_space();
                        match self.peek() {
                            None => return Err(UNEXPECTED_END.into()),
                            Some(b'"') => {
                                self.pos += 1;
                                self.key_and_colon()?;
                                continue 'value;
                            }
                            Some(other) => {
                                return Err(invalid(
                                    other,
                                    "looking for beginning of object key string",
                                ))
                            }
                        }
                    }
                    (Frame::Object, b'}') | (Frame::Array, b']') => {
                        self.pos += 1;
                        stack.pop();
                    }
                    (Frame::Array, b',') => {
                        self.pos += 1;
                        continue 'value;
                    }
                    (Frame::Object, other) => {
                        return Err(invalid(other, "after object key:value pair"))
                    }
                    (Frame::Array, other) => return Err(invalid(other, "after array element")),
                }
            }
        }
    }

    fn key_and_colon(&mut self) -> Result<(), String> {
        self.string()?;
        self.skip_space();
        match self.next_or_end()? {
            b':' => Ok(()),
            other => Err(invalid(other, "after object key")),
        }
    }
}

/// Go's `json.Unmarshal` syntax check (`checkValid`): the whole input must be one value.
pub(crate) fn check_valid(data: &[u8]) -> Result<(), String> {
    let mut s = Scanner { data, pos: 0 };
    s.value()?;
    s.skip_space();
    match s.peek() {
        None => Ok(()),
        Some(c) => Err(invalid(c, "after top-level value")),
    }
}

/// Go's `json.Decoder.Decode` for the first value of `data` (what golang-jwt uses for claims):
/// trailing input is ignored; empty input is `EOF`, a cut-off value `unexpected EOF`.
pub(crate) fn decoder_first_value(data: &[u8]) -> Result<&[u8], String> {
    let mut s = Scanner { data, pos: 0 };
    s.skip_space();
    if s.peek().is_none() {
        return Err("EOF".into());
    }
    let start = s.pos;
    match s.value() {
        Ok(()) => Ok(data.get(start..s.pos).unwrap_or_default()),
        Err(e) if e == UNEXPECTED_END => Err("unexpected EOF".into()),
        Err(e) => Err(e),
    }
}

/// A JSON value already checked by [`check_valid`]: a byte range of the document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Raw<'a>(pub(crate) &'a [u8]);

/// The kinds Go names in `cannot unmarshal <kind> into …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    pub(crate) fn go_name(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "bool",
            Kind::Number => "number",
            Kind::String => "string",
            Kind::Array => "array",
            Kind::Object => "object",
        }
    }
}

impl<'a> Raw<'a> {
    fn trimmed(self) -> &'a [u8] {
        let start = self
            .0
            .iter()
            .position(|c| !is_space(*c))
            .unwrap_or(self.0.len());
        let end = self
            .0
            .iter()
            .rposition(|c| !is_space(*c))
            .map_or(start, |e| e + 1);
        self.0.get(start..end).unwrap_or_default()
    }

    pub(crate) fn kind(self) -> Kind {
        match self.trimmed().first() {
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::Array,
            Some(b'"') => Kind::String,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'n') => Kind::Null,
            _ => Kind::Number,
        }
    }

    /// Members of an object in document order, keys decoded (duplicates kept).
    pub(crate) fn members(self) -> Vec<(String, Raw<'a>)> {
        let data = self.trimmed();
        let mut out = Vec::new();
        if data.first() != Some(&b'{') {
            return out;
        }
        let mut s = Scanner { data, pos: 1 };
        loop {
            s.skip_space();
            match s.peek() {
                Some(b'"') => {}
                _ => return out,
            }
            let key_start = s.pos;
            s.pos += 1;
            if s.string().is_err() {
                return out;
            }
            let key = decode_string(data.get(key_start..s.pos).unwrap_or_default());
            s.skip_space();
            s.pos += 1; // ':'
            s.skip_space();
            let value_start = s.pos;
            if s.value().is_err() {
                return out;
            }
            out.push((key, Raw(data.get(value_start..s.pos).unwrap_or_default())));
            s.skip_space();
            if s.peek() == Some(b',') {
                s.pos += 1;
            } else {
                return out;
            }
        }
    }

    /// Elements of an array.
    pub(crate) fn elements(self) -> Vec<Raw<'a>> {
        let data = self.trimmed();
        let mut out = Vec::new();
        if data.first() != Some(&b'[') {
            return out;
        }
        let mut s = Scanner { data, pos: 1 };
        s.skip_space();
        if s.peek() == Some(b']') {
            return out;
        }
        loop {
            s.skip_space();
            let start = s.pos;
            if s.value().is_err() {
                return out;
            }
            out.push(Raw(data.get(start..s.pos).unwrap_or_default()));
            s.skip_space();
            if s.peek() == Some(b',') {
                s.pos += 1;
            } else {
                return out;
            }
        }
    }

    /// The string's value, if this is a string.
    pub(crate) fn as_str(self) -> Option<String> {
        let t = self.trimmed();
        (t.first() == Some(&b'"')).then(|| decode_string(t))
    }

    /// The number's text, if this is a number.
    pub(crate) fn as_number_text(self) -> Option<&'a str> {
        (self.kind() == Kind::Number)
            .then(|| std::str::from_utf8(self.trimmed()).ok())
            .flatten()
    }

    /// As a serde_json value (for extended attributes). Values nested beyond serde_json's
    /// limit are kept as their JSON text.
    pub(crate) fn to_value(self) -> serde_json::Value {
        let text = String::from_utf8_lossy(self.trimmed());
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text.into_owned()))
    }
}

/// Decodes a validated JSON string literal (with its quotes) as Go does: invalid UTF-8 and
/// lone surrogates become U+FFFD.
fn decode_string(quoted: &[u8]) -> String {
    let inner = quoted
        .get(1..quoted.len().saturating_sub(1))
        .unwrap_or_default();
    let mut bytes = Vec::with_capacity(inner.len());
    let mut i = 0;
    let hex4 = |at: usize| -> Option<u32> {
        let s = std::str::from_utf8(inner.get(at..at + 4)?).ok()?;
        u32::from_str_radix(s, 16).ok()
    };
    while let Some(&c) = inner.get(i) {
        if c != b'\\' {
            bytes.push(c);
            i += 1;
            continue;
        }
        let esc = inner.get(i + 1).copied().unwrap_or(b'\\');
        i += 2;
        let simple = match esc {
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            b'u' => None,
            other => Some(char::from(other)),
        };
        let ch = match simple {
            Some(ch) => ch,
            None => {
                let hi = hex4(i).unwrap_or(0xfffd);
                i += 4;
                if (0xd800..0xdc00).contains(&hi)
                    && inner.get(i) == Some(&b'\\')
                    && inner.get(i + 1) == Some(&b'u')
                {
                    match hex4(i + 2) {
                        Some(lo) if (0xdc00..0xe000).contains(&lo) => {
                            i += 6;
                            char::from_u32(0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00))
                                .unwrap_or('\u{fffd}')
                        }
                        _ => '\u{fffd}',
                    }
                } else {
                    char::from_u32(hi).unwrap_or('\u{fffd}')
                }
            }
        };
        let mut buf = [0u8; 4];
        bytes.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Go's struct field matching: exact name, else case folding (with Go's special folds of
/// U+017F to `S` and U+212A to `K`).
pub(crate) fn field_matches(key: &str, field: &str) -> bool {
    if key == field {
        return true;
    }
    let fold = |c: char| match c {
        '\u{17f}' => 'S',
        '\u{212a}' => 'K',
        c => c.to_ascii_uppercase(),
    };
    key.chars().map(fold).eq(field.chars().map(fold))
}

/// Go's `encoding/base64` decoding (non-strict): `\r` and `\n` are skipped, trailing bits are
/// ignored, and errors name the offending input byte (`illegal base64 data at input byte N`).
pub(crate) fn base64_decode(input: &[u8], url: bool, padded: bool) -> Result<Vec<u8>, String> {
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
    fn syntax_errors_read_like_go() {
        let cases: &[(&str, &str)] = &[
            (
                "invalid signature.",
                "invalid character 'i' looking for beginning of value",
            ),
            ("", "unexpected end of JSON input"),
            ("{", "unexpected end of JSON input"),
            ("{\"a\"", "unexpected end of JSON input"),
            ("{\"a\" 1}", "invalid character '1' after object key"),
            (
                "{\"a\":1 \"b\"}",
                "invalid character '\"' after object key:value pair",
            ),
            (
                "{1}",
                "invalid character '1' looking for beginning of object key string",
            ),
            ("[1 2]", "invalid character '2' after array element"),
            ("{} x", "invalid character 'x' after top-level value"),
            ("\"a\u{1}\"", "invalid character '\\x01' in string literal"),
            ("\"\\q\"", "invalid character 'q' in string escape code"),
            (
                "\"\\u12g4\"",
                "invalid character 'g' in \\u hexadecimal character escape",
            ),
            ("-x", "invalid character 'x' in numeric literal"),
            (
                "1.x",
                "invalid character 'x' after decimal point in numeric literal",
            ),
            (
                "1ex",
                "invalid character 'x' in exponent of numeric literal",
            ),
            (
                "trUe",
                "invalid character 'U' in literal true (expecting 'u')",
            ),
            ("nul", "unexpected end of JSON input"),
            ("01", "invalid character '1' after top-level value"),
            (
                "'a'",
                "invalid character '\\'' looking for beginning of value",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(
                check_valid(input.as_bytes()),
                Err(want.to_string()),
                "{input:?}"
            );
        }
        for ok in [
            "{}",
            " [1, -0.5e+3, true, false, null, \"\\u00e9\\n\"] ",
            "{\"a\":{\"b\":[]}}",
        ] {
            assert_eq!(check_valid(ok.as_bytes()), Ok(()), "{ok:?}");
        }
    }

    #[test]
    fn nesting_is_bounded_without_recursion() {
        let deep = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert_eq!(check_valid(deep.as_bytes()), Ok(()));
        let deeper = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(
            check_valid(deeper.as_bytes()),
            Err("invalid character '[' exceeded max depth".to_string())
        );
        let unclosed = "{\"a\":".repeat(200_000);
        assert_eq!(
            check_valid(unclosed.as_bytes()),
            Err("invalid character '{' exceeded max depth".into())
        );
    }

    #[test]
    fn members_strings_and_folding() {
        let doc = br#"{"a": "x\u00e9\ud83d\ude00", "B":[1,"2"], "a":null}"#;
        check_valid(doc).unwrap();
        let m = Raw(doc).members();
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].1.as_str().as_deref(), Some("x\u{e9}\u{1f600}"));
        assert_eq!(m[1].1.elements().len(), 2);
        assert_eq!(m[2].1.kind(), Kind::Null);
        assert!(field_matches("X5C", "x5c"));
        assert!(field_matches("\u{17f}ignature", "signature"));
        assert!(!field_matches("x5", "x5c"));
    }

    #[test]
    fn base64_like_go() {
        assert_eq!(
            base64_decode(b"aGVsbG8", true, false),
            Ok(b"hello".to_vec())
        );
        assert_eq!(
            base64_decode(b"aGVs\nbG8", true, false),
            Ok(b"hello".to_vec())
        );
        assert_eq!(
            base64_decode(b"aGVsbG8=", true, false),
            Err("illegal base64 data at input byte 7".into())
        );
        assert_eq!(
            base64_decode(b"aGVsbG8=", false, true),
            Ok(b"hello".to_vec())
        );
        assert_eq!(
            base64_decode(b"aGVsbG8", false, true),
            Err("illegal base64 data at input byte 4".into())
        );
        assert_eq!(
            base64_decode(b"a", true, false),
            Err("illegal base64 data at input byte 0".into())
        );
        assert_eq!(
            base64_decode(b"ab+c", true, false),
            Err("illegal base64 data at input byte 2".into())
        );
        assert_eq!(
            base64_decode(b"aGVsbA==x", false, true),
            Err("illegal base64 data at input byte 8".into())
        );
        // Non-zero trailing bits are ignored (Go's non-strict mode).
        assert_eq!(
            base64_decode(b"aGVsbG9", true, false),
            Ok(b"hello".to_vec())
        );
        assert_eq!(base64_decode(b"", true, false), Ok(Vec::new()));
    }
}
