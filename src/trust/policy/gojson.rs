//! The parts of Go's `encoding/json` that decide whether a trust policy parses, and with which
//! error text.
//!
//! Flux hands `trustpolicy.json` to `json.Unmarshal`, and its error text ends up in the
//! `SourceVerified` condition. serde_json differs from Go on the points that change outcomes:
//! Go matches keys case-insensitively, lets the last duplicate key win (merging into objects it
//! already decoded), turns `null` into "leave as is", rejects a BOM and trailing data, replaces
//! invalid UTF-8 inside strings instead of failing, and words its errors differently. So the
//! input is first checked with a scanner that follows Go's state machine and messages, then read
//! into a small value tree, which the document decoder walks with Go's type rules.

use std::fmt::Write as _;

/// A JSON value as Go's decoder sees it; object members keep their order and duplicates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl Value {
    /// Go's name for the JSON kind in `UnmarshalTypeError`.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
}

/// Nesting deeper than this is refused (Go's scanner allows 10000 levels; a trust policy needs
/// 4, and the recursive reader below must not exhaust a thread's stack).
const MAX_DEPTH: usize = 512;

/// Go's `quoteChar`: how a byte is shown in a syntax error.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        _ => {
            let quoted = crate::pki::chain::go_quote(&char::from(c).to_string());
            let inner = quoted
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or(&quoted);
            format!("'{inner}'")
        }
    }
}

/// Parses one complete JSON text (`json.Unmarshal` rules: nothing but whitespace may follow).
pub(crate) fn parse(input: &[u8]) -> Result<Value, String> {
    let mut parser = Parser { input, pos: 0 };
    parser.skip_ws();
    let value = parser.value(0, Context::Top)?;
    parser.skip_ws();
    if let Some(&c) = parser.input.get(parser.pos) {
        return Err(format!(
            "invalid character {} after top-level value",
            quote_char(c)
        ));
    }
    Ok(value)
}

/// Parses the first JSON value and ignores what follows (`json.NewDecoder(r).Decode`).
pub(crate) fn parse_first(input: &[u8]) -> Result<Value, String> {
    let mut parser = Parser { input, pos: 0 };
    parser.skip_ws();
    parser.value(0, Context::Top)
}

#[derive(Clone, Copy)]
enum Context {
    Top,
    Array,
    Object,
}

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
}

const EOF: &str = "unexpected end of JSON input";

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn next(&mut self) -> Result<u8, String> {
        let c = self.peek().ok_or(EOF)?;
        self.pos += 1;
        Ok(c)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize, _ctx: Context) -> Result<Value, String> {
        let c = self.next()?;
        if (c == b'{' || c == b'[') && depth >= MAX_DEPTH {
            // Go's scanner words it like a syntax error at the opening bracket.
            return Err(format!(
                "invalid character {} exceeded max depth",
                quote_char(c)
            ));
        }
        match c {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => self.string().map(Value::String),
            b'-' | b'0'..=b'9' => self.number(c),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'n' => self.literal(b"null", Value::Null),
            _ => Err(format!(
                "invalid character {} looking for beginning of value",
                quote_char(c)
            )),
        }
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Result<Value, String> {
        let name = String::from_utf8_lossy(word).into_owned();
        for &expected in word.iter().skip(1) {
            let c = self.next()?;
            if c != expected {
                return Err(format!(
                    "invalid character {} in literal {name} (expecting {})",
                    quote_char(c),
                    quote_char(expected)
                ));
            }
        }
        Ok(value)
    }

    fn number(&mut self, first: u8) -> Result<Value, String> {
        let start = self.pos - 1;
        let mut c = first;
        if c == b'-' {
            c = self.next()?;
            if !c.is_ascii_digit() {
                return Err(format!(
                    "invalid character {} in numeric literal",
                    quote_char(c)
                ));
            }
        }
        if c != b'0' {
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            let d = self.next()?;
            if !d.is_ascii_digit() {
                return Err(format!(
                    "invalid character {} after decimal point in numeric literal",
                    quote_char(d)
                ));
            }
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            let mut d = self.next()?;
            if d == b'+' || d == b'-' {
                d = self.next()?;
            }
            if !d.is_ascii_digit() {
                return Err(format!(
                    "invalid character {} in exponent of numeric literal",
                    quote_char(d)
                ));
            }
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        let text = self.input.get(start..self.pos).unwrap_or_default();
        Ok(Value::Number(String::from_utf8_lossy(text).into_owned()))
    }

    /// Scans a string after its opening quote and decodes it as Go's `unquote` does.
    fn string(&mut self) -> Result<String, String> {
        let start = self.pos;
        loop {
            let c = self.next()?;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = self.next()?;
                    match e {
                        b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => {}
                        b'u' => {
                            for _ in 0..4 {
                                let h = self.next()?;
                                if !h.is_ascii_hexdigit() {
                                    return Err(format!(
                                        "invalid character {} in \\u hexadecimal character escape",
                                        quote_char(h)
                                    ));
                                }
                            }
                        }
                        _ => {
                            return Err(format!(
                                "invalid character {} in string escape code",
                                quote_char(e)
                            ))
                        }
                    }
                }
                // Go 1.27's encoding/json (what the reference harness ran) words this
                // "in string"; older releases said "in string literal".
                c if c < 0x20 => {
                    return Err(format!("invalid character {} in string", quote_char(c)))
                }
                _ => {}
            }
        }
        let raw = self.input.get(start..self.pos - 1).unwrap_or_default();
        Ok(unquote(raw))
    }

    fn array(&mut self, depth: usize) -> Result<Value, String> {
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth, Context::Array)?);
            self.skip_ws();
            match self.next()? {
                b',' => continue,
                b']' => return Ok(Value::Array(items)),
                c => {
                    return Err(format!(
                        "invalid character {} after array element",
                        quote_char(c)
                    ))
                }
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, String> {
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws();
            let c = self.next()?;
            if c != b'"' {
                return Err(format!(
                    "invalid character {} looking for beginning of object key string",
                    quote_char(c)
                ));
            }
            let key = self.string()?;
            self.skip_ws();
            let c = self.next()?;
            if c != b':' {
                return Err(format!(
                    "invalid character {} after object key",
                    quote_char(c)
                ));
            }
            self.skip_ws();
            let value = self.value(depth, Context::Object)?;
            members.push((key, value));
            self.skip_ws();
            match self.next()? {
                b',' => continue,
                b'}' => return Ok(Value::Object(members)),
                c => {
                    return Err(format!(
                        "invalid character {} after object key:value pair",
                        quote_char(c)
                    ))
                }
            }
        }
    }
}

/// Go's string unquoting: escapes decoded, invalid UTF-8 and lone surrogates become U+FFFD.
fn unquote(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    let hex4 = |at: usize| -> Option<u32> {
        let digits = raw.get(at..at + 4)?;
        u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    };
    while let Some(&c) = raw.get(i) {
        if c == b'\\' {
            let e = raw.get(i + 1).copied().unwrap_or(b'\\');
            i += 2;
            match e {
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let first = hex4(i).unwrap_or(0xfffd);
                    i += 4;
                    if (0xd800..0xdc00).contains(&first)
                        && raw.get(i) == Some(&b'\\')
                        && raw.get(i + 1) == Some(&b'u')
                    {
                        if let Some(second) = hex4(i + 2).filter(|s| (0xdc00..0xe000).contains(s)) {
                            let code = 0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00);
                            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                            i += 6;
                            continue;
                        }
                    }
                    out.push(char::from_u32(first).unwrap_or('\u{fffd}'));
                }
                other => out.push(char::from(other)),
            }
            continue;
        }
        // Copy the longest run of plain bytes, repairing invalid UTF-8 as Go does.
        let start = i;
        while raw.get(i).is_some_and(|b| *b != b'\\') {
            i += 1;
        }
        out.push_str(&String::from_utf8_lossy(
            raw.get(start..i).unwrap_or_default(),
        ));
    }
    out
}

/// Go's case folding of JSON keys against field names (ASCII case-insensitive, plus the
/// Unicode simple folds Go applies, such as the Kelvin sign to `k`).
pub(crate) fn fold_eq(key: &str, name: &str) -> bool {
    let fold = |s: &str| -> String {
        s.chars()
            .flat_map(|c| c.to_lowercase())
            .flat_map(|c| c.to_uppercase())
            .collect()
    };
    key == name || fold(key) == fold(name)
}

/// Go's `UnmarshalTypeError` text.
pub(crate) fn type_error(
    value: &Value,
    go_struct: &str,
    field_path: &str,
    go_type: &str,
) -> String {
    let mut out = String::new();
    if field_path.is_empty() {
        let _ = write!(
            out,
            "json: cannot unmarshal {} into Go value of type {go_type}",
            value.kind()
        );
    } else {
        let _ = write!(
            out,
            "json: cannot unmarshal {} into Go struct field {go_struct}.{field_path} of type {go_type}",
            value.kind()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> String {
        parse(s.as_bytes()).unwrap_err()
    }

    #[test]
    fn go_syntax_errors() {
        assert_eq!(err(""), "unexpected end of JSON input");
        assert_eq!(err("{\"a\":"), "unexpected end of JSON input");
        assert_eq!(
            err("\u{feff}{}"),
            "invalid character 'ï' looking for beginning of value"
        );
        assert_eq!(err("{} x"), "invalid character 'x' after top-level value");
        assert_eq!(
            err("[1,]"),
            "invalid character ']' looking for beginning of value"
        );
        assert_eq!(
            err("{\"a\":1,}"),
            "invalid character '}' looking for beginning of object key string"
        );
        assert_eq!(err("{\"a\" 1}"), "invalid character '1' after object key");
        assert_eq!(
            err("{\"a\":1 \"b\"}"),
            "invalid character '\"' after object key:value pair"
        );
        assert_eq!(err("[1}"), "invalid character '}' after array element");
        assert_eq!(err("\"a\nb\""), "invalid character '\\n' in string");
        assert_eq!(
            err("\"\\x\""),
            "invalid character 'x' in string escape code"
        );
        assert_eq!(
            err("tru "),
            "invalid character ' ' in literal true (expecting 'e')"
        );
        assert_eq!(err("-a"), "invalid character 'a' in numeric literal");
        assert_eq!(err("01"), "invalid character '1' after top-level value");
        assert_eq!(
            err("1.x"),
            "invalid character 'x' after decimal point in numeric literal"
        );
        assert_eq!(
            err("\u{1}"),
            "invalid character '\\x01' looking for beginning of value"
        );
        assert_eq!(
            err("version: 1"),
            "invalid character 'v' looking for beginning of value"
        );
        assert_eq!(
            parse(b"\xff").unwrap_err(),
            "invalid character '\u{ff}' looking for beginning of value"
        );
        assert_eq!(
            parse(b"\x85").unwrap_err(),
            "invalid character '\\u0085' looking for beginning of value"
        );
    }

    #[test]
    fn values_and_unquoting() {
        let v =
            parse(br#" {"a": [1, -2.5e3, true, null], "b": "x\u00e9\ud83d\ude00\n", "a": {}} "#)
                .unwrap();
        let Value::Object(members) = v else { panic!() };
        assert_eq!(members.len(), 3);
        assert_eq!(members[1].1, Value::String("xé😀\n".into()));
        assert_eq!(unquote(b"\xff"), "\u{fffd}");
        assert_eq!(unquote(br"\ud800x"), "\u{fffd}x");
        assert!(parse_first(b"{} trailing").is_ok());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(deep.as_bytes()).is_ok());
        let deeper = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(
            parse(deeper.as_bytes()).unwrap_err(),
            "invalid character '[' exceeded max depth"
        );
    }

    #[test]
    fn key_folding() {
        assert!(fold_eq("TRUSTPOLICIES", "trustPolicies"));
        assert!(fold_eq("\u{212a}ey", "key"));
        assert!(!fold_eq("trust_policies", "trustPolicies"));
    }
}
