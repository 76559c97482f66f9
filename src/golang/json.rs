//! The parts of Go's `encoding/json` whose outcomes and error texts reach users: the syntax
//! scanner (`checkValid`), lazy reading of validated values, struct field matching and
//! `UnmarshalTypeError` texts. Used for trust policies (Flux's `json.Unmarshal`, the notation
//! CLI's `json.Decoder`) and for JWS envelopes and payloads (notation-go).
//!
//! Why by hand: Flux and notation print Go's decoder errors verbatim (`invalid character 'i'
//! looking for beginning of value`), and Go's rules differ from serde_json's where outcomes
//! change: keys match fields case-insensitively, the last duplicate key wins (decoding again
//! into what is there), `null` leaves a field as it is, nesting is allowed up to 10000 levels,
//! a BOM and trailing data are refused, invalid UTF-8 in strings is replaced, not refused.
//! The scanner validates a whole document first, as Go's `checkValid` does, and never
//! recurses, so deep nesting cannot exhaust the stack. Values are then read lazily from the
//! validated byte ranges ([`Raw`]); callers descend only into the fields they know.
use super::quote::go_quote_rune;

/// Which Go release's words the scanner uses where they changed. Go up to 1.26 (and Flux's
/// own tests) call a control character inside a string `in string literal`; the Go 1.27
/// build the upstream vectors were observed with says `in string` (vector "invalid character
/// in string should fail verification" in the upstream vectors' cases.json).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wording {
    /// `in string literal`.
    Go126,
    /// `in string`.
    Go127,
}

impl Wording {
    fn control_in_string(self) -> &'static str {
        match self {
            Wording::Go126 => "in string literal",
            Wording::Go127 => "in string",
        }
    }
}

/// Go's nesting limit (`maxNestingDepth`).
const MAX_DEPTH: usize = 10_000;

fn invalid(c: u8, context: &str) -> String {
    format!(
        "invalid character {} {context}",
        go_quote_rune(char::from(c))
    )
}

const UNEXPECTED_END: &str = "unexpected end of JSON input";

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

struct Scanner<'a> {
    data: &'a [u8],
    pos: usize,
    wording: Wording,
}

impl<'a> Scanner<'a> {
    fn new(data: &'a [u8], wording: Wording) -> Self {
        Scanner {
            data,
            pos: 0,
            wording,
        }
    }
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
                c if c < 0x20 => return Err(invalid(c, self.wording.control_in_string())),
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
/// Worded as Go up to 1.26 (see [`Wording`]).
pub(crate) fn check_valid(data: &[u8]) -> Result<(), String> {
    check_valid_worded(data, Wording::Go126)
}

/// [`check_valid`] with a chosen Go release's wording.
pub(crate) fn check_valid_worded(data: &[u8], wording: Wording) -> Result<(), String> {
    let mut s = Scanner::new(data, wording);
    s.value()?;
    s.skip_space();
    match s.peek() {
        None => Ok(()),
        Some(c) => Err(invalid(c, "after top-level value")),
    }
}

/// Where [`check_valid`] stops on a document it refuses: the 1-based line and column of the
/// offending byte (the end of the input for `unexpected end of JSON input`). Go's
/// `SyntaxError.Offset` counts the bytes read; users count lines.
pub(crate) fn syntax_error_position(data: &[u8]) -> Option<(usize, usize)> {
    let mut s = Scanner::new(data, Wording::Go126);
    let error = match s.value() {
        Ok(()) => {
            s.skip_space();
            s.peek()?;
            // Trailing data: the byte after the value.
            s.pos += 1;
            "invalid character".to_owned()
        }
        Err(e) => e,
    };
    // The scanner has consumed the offending character for some errors and only peeked at it
    // for others: the one the error names is the place.
    let names = |i: usize| {
        data.get(i).is_some_and(|c| {
            error.starts_with(&format!(
                "invalid character {}",
                go_quote_rune(char::from(*c))
            ))
        })
    };
    let at = if names(s.pos) || !error.starts_with("invalid character") {
        s.pos
    } else {
        s.pos.saturating_sub(1)
    };
    let before = data.get(..at.min(data.len())).unwrap_or_default();
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default())
        .chars()
        .count()
        + 1;
    Some((line, column))
}

/// The first JSON value of `data` (leading space skipped, trailing input ignored), with the
/// scanner's own errors: empty or cut-off input is `unexpected end of JSON input`.
pub(crate) fn first_value(data: &[u8], wording: Wording) -> Result<Raw<'_>, String> {
    let mut s = Scanner::new(data, wording);
    s.skip_space();
    let start = s.pos;
    s.value()?;
    Ok(Raw(data.get(start..s.pos).unwrap_or_default()))
}

/// Go's `json.Decoder.Decode` for the first value of `data` (what golang-jwt uses for claims):
/// trailing input is ignored; empty input is `EOF`, a cut-off value `unexpected EOF`.
pub(crate) fn decoder_first_value(data: &[u8]) -> Result<&[u8], String> {
    if data.iter().all(|c| is_space(*c)) {
        return Err("EOF".into());
    }
    match first_value(data, Wording::Go126) {
        Ok(raw) => Ok(raw.0),
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
        let mut s = Scanner {
            pos: 1,
            ..Scanner::new(data, Wording::Go126)
        };
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
        let mut s = Scanner {
            pos: 1,
            ..Scanner::new(data, Wording::Go126)
        };
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

/// Go's struct field matching of an object key: the exact name, else Go's case folding
/// (`foldName`: ASCII letters to upper case, other runes to the smallest rune of their
/// `unicode.SimpleFold` orbit). Field names here are ASCII, and the only non-ASCII runes
/// whose orbit holds an ASCII letter are U+017F (with `S`) and U+212A (with `K`).
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

/// Go's `UnmarshalTypeError` text. `value` is what Go names (a [`Kind::go_name`], or
/// `number 1.5` for numbers that do not fit); `go_struct` and `field` (a dotted path) are
/// empty for a value outside any struct.
pub(crate) fn unmarshal_type_error(
    value: &str,
    go_struct: &str,
    field: &str,
    go_type: &str,
) -> String {
    if go_struct.is_empty() && field.is_empty() {
        format!("json: cannot unmarshal {value} into Go value of type {go_type}")
    } else {
        format!("json: cannot unmarshal {value} into Go struct field {go_struct}.{field} of type {go_type}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str) -> Result<(), String> {
        check_valid(input.as_bytes())
    }

    #[test]
    fn syntax_errors_read_like_go() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"invalid signature.",
                "invalid character 'i' looking for beginning of value",
            ),
            (b"", "unexpected end of JSON input"),
            (b"{", "unexpected end of JSON input"),
            (b"{\"a\":", "unexpected end of JSON input"),
            (b"{\"a\"", "unexpected end of JSON input"),
            (b"{\"a\" 1}", "invalid character '1' after object key"),
            (
                b"{\"a\":1 \"b\"}",
                "invalid character '\"' after object key:value pair",
            ),
            (
                b"{1}",
                "invalid character '1' looking for beginning of object key string",
            ),
            (
                b"{\"a\":1,}",
                "invalid character '}' looking for beginning of object key string",
            ),
            (b"[1 2]", "invalid character '2' after array element"),
            (b"[1}", "invalid character '}' after array element"),
            (
                b"[1,]",
                "invalid character ']' looking for beginning of value",
            ),
            (b"{} x", "invalid character 'x' after top-level value"),
            (b"\"a\x01\"", "invalid character '\\x01' in string literal"),
            (b"\"\\q\"", "invalid character 'q' in string escape code"),
            (
                b"\"\\u12g4\"",
                "invalid character 'g' in \\u hexadecimal character escape",
            ),
            (b"-x", "invalid character 'x' in numeric literal"),
            (b"-", "unexpected end of JSON input"),
            (
                b"1.x",
                "invalid character 'x' after decimal point in numeric literal",
            ),
            (
                b"1ex",
                "invalid character 'x' in exponent of numeric literal",
            ),
            (
                b"trUe",
                "invalid character 'U' in literal true (expecting 'u')",
            ),
            (
                b"tru ",
                "invalid character ' ' in literal true (expecting 'e')",
            ),
            (b"nul", "unexpected end of JSON input"),
            (b"01", "invalid character '1' after top-level value"),
            (
                b"'a'",
                "invalid character '\\'' looking for beginning of value",
            ),
            (
                "\u{feff}{}".as_bytes(),
                "invalid character 'ï' looking for beginning of value",
            ),
            (
                b"\x01",
                "invalid character '\\x01' looking for beginning of value",
            ),
            (
                b"\xff",
                "invalid character '\u{ff}' looking for beginning of value",
            ),
            (
                b"\x85",
                "invalid character '\\u0085' looking for beginning of value",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(check_valid(input), Err(want.to_string()), "{input:?}");
        }
        for ok in [
            "{}",
            " [1, -0.5e+3, true, false, null, \"\\u00e9\\n\"] ",
            "{\"a\":{\"b\":[]}}",
            "0",
            "-0.0E-7",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok:?}");
        }
    }

    #[test]
    fn wording_of_control_characters_by_release() {
        assert_eq!(
            check_valid_worded(b"\"a\nb\"", Wording::Go127),
            Err("invalid character '\\n' in string".into())
        );
        assert_eq!(
            check_valid_worded(b"\"a\nb\"", Wording::Go126),
            Err("invalid character '\\n' in string literal".into())
        );
        assert_eq!(
            first_value(b"[\"\t\"]", Wording::Go127).map(|r| r.0),
            Err("invalid character '\\t' in string".into())
        );
    }

    #[test]
    fn nesting_is_bounded_without_recursion() {
        let deep = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert_eq!(check(&deep), Ok(()));
        let deeper = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(
            check(&deeper),
            Err("invalid character '[' exceeded max depth".to_string())
        );
        let far = "[".repeat(100_000) + &"]".repeat(100_000);
        assert_eq!(
            check(&far),
            Err("invalid character '[' exceeded max depth".to_string())
        );
        let unclosed = "{\"a\":".repeat(200_000);
        assert_eq!(
            check(&unclosed),
            Err("invalid character '{' exceeded max depth".into())
        );
        // Reading a deep validated value lazily does not recurse either.
        let raw = first_value(deep.as_bytes(), Wording::Go127).unwrap();
        assert_eq!(raw.kind(), Kind::Array);
        assert_eq!(raw.elements().len(), 1);
        assert_eq!(raw.elements()[0].elements().len(), 1);
    }

    #[test]
    fn first_value_and_decoder() {
        assert_eq!(
            first_value(b" {\"a\":1} trailing", Wording::Go127).map(|r| r.0),
            Ok(&b"{\"a\":1}"[..])
        );
        assert_eq!(
            first_value(b"  ", Wording::Go127).map(|r| r.0),
            Err("unexpected end of JSON input".into())
        );
        assert_eq!(decoder_first_value(b" \n"), Err("EOF".into()));
        assert_eq!(decoder_first_value(b"{\"a\""), Err("unexpected EOF".into()));
        assert_eq!(decoder_first_value(b"[1] [2]"), Ok(&b"[1]"[..]));
        assert_eq!(
            decoder_first_value(b"[1 2]"),
            Err("invalid character '2' after array element".into())
        );
    }

    #[test]
    fn members_strings_and_numbers() {
        let doc = br#"{"a": "x\u00e9\ud83d\ude00\n", "B":[1,"2"], "a":null, "n": -2.5e3}"#;
        check_valid(doc).unwrap();
        let m = Raw(doc).members();
        assert_eq!(m.len(), 4);
        assert_eq!(m[0].0, "a");
        assert_eq!(m[0].1.as_str().as_deref(), Some("x\u{e9}\u{1f600}\n"));
        assert_eq!(m[1].1.kind(), Kind::Array);
        assert_eq!(m[1].1.elements().len(), 2);
        assert_eq!(m[1].1.elements()[1].as_str().as_deref(), Some("2"));
        assert_eq!(m[2].1.kind(), Kind::Null);
        assert_eq!(m[3].1.as_number_text(), Some("-2.5e3"));
        assert_eq!(m[3].1.as_str(), None);
        assert!(Raw(b"[]").elements().is_empty());
        assert!(Raw(b"{}").members().is_empty());
        assert!(Raw(b"[]").members().is_empty());
    }

    #[test]
    fn strings_decode_like_go_unquote() {
        let s = |quoted: &[u8]| decode_string(quoted);
        assert_eq!(s(b"\"\xff\""), "\u{fffd}");
        assert_eq!(s(br#""\ud800x""#), "\u{fffd}x");
        assert_eq!(s(br#""\ud800\u0041""#), "\u{fffd}A");
        assert_eq!(s(br#""\udc00""#), "\u{fffd}");
        assert_eq!(s(br#""\b\f\r\t\/\\\"""#), "\u{8}\u{c}\r\t/\\\"");
    }

    #[test]
    fn field_matching_folds_like_go() {
        assert!(field_matches("X5C", "x5c"));
        assert!(field_matches("TRUSTPOLICIES", "trustPolicies"));
        assert!(field_matches("\u{17f}ignature", "signature"));
        assert!(field_matches("\u{212a}ey", "key"));
        assert!(!field_matches("x5", "x5c"));
        assert!(!field_matches("trust_policies", "trustPolicies"));
        // Go's fold orbits keep the dotless i and ligatures apart from ASCII.
        assert!(!field_matches("na\u{131}me", "name"));
        assert!(!field_matches("veri\u{fb01}cation", "verification"));
    }

    #[test]
    fn type_errors() {
        assert_eq!(
            unmarshal_type_error("array", "", "", "trustpolicy.OCIDocument"),
            "json: cannot unmarshal array into Go value of type trustpolicy.OCIDocument"
        );
        assert_eq!(
            unmarshal_type_error("number", "OCIDocument", "version", "string"),
            "json: cannot unmarshal number into Go struct field OCIDocument.version of type string"
        );
    }
}
