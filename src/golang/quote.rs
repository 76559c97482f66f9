//! Go's `%q`: `strconv.Quote` for strings and `strconv.QuoteRune` for single characters, as
//! they appear inside Go error texts that notation, oras-go and `encoding/json` print.

/// Go's `strconv.Quote` (what `%q` prints for a string or a `Stringer`).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if !go_is_print(c) => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `unicode.IsPrint` for the characters that matter in names and messages: controls,
/// separators other than the ASCII space, format characters and private-use code points are
/// not printable. (Unassigned code points, which Go also escapes, are printed as they are.)
fn go_is_print(c: char) -> bool {
    let u = c as u32;
    !(c.is_control()
        || matches!(
            u,
            0xa0 | 0x1680 | 0x2000..=0x200a | 0x2028 | 0x2029 | 0x202f | 0x205f | 0x3000
        )
        || matches!(
            u,
            0xad | 0x600..=0x605
                | 0x61c
                | 0x6dd
                | 0x70f
                | 0x890..=0x891
                | 0x8e2
                | 0x180e
                | 0x200b..=0x200f
                | 0x202a..=0x202e
                | 0x2060..=0x2064
                | 0x2066..=0x206f
                | 0xfeff
                | 0xfff9..=0xfffb
                | 0x110bd
                | 0x110cd
                | 0x1bca0..=0x1bca3
                | 0x1d173..=0x1d17a
                | 0xe0001
                | 0xe0020..=0xe007f
        )
        || matches!(u, 0xe000..=0xf8ff | 0xf0000..=0xffffd | 0x100000..=0x10fffd)
        || matches!(u, 0xfffe | 0xffff))
}

/// Go's `%q` of a rune (`strconv.QuoteRune`): `'x'`, with the escapes of [`go_quote`] except
/// that the single quote is escaped and the double quote is not.
pub(crate) fn go_quote_rune(c: char) -> String {
    match c {
        '\'' => "'\\''".to_string(),
        '"' => "'\"'".to_string(),
        _ => {
            let quoted = go_quote(&c.to_string());
            let inner = quoted
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or(&quoted);
            format!("'{inner}'")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_quote_escapes_like_strconv_quote() {
        assert_eq!(go_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(go_quote("x\ny\u{1}\u{7f}é"), "\"x\\ny\\x01\\x7fé\"");
        assert_eq!(
            go_quote("\u{7}\u{8}\u{b}\u{c}\r\t"),
            "\"\\a\\b\\v\\f\\r\\t\""
        );
        assert_eq!(
            go_quote("a\u{a0}b\u{200b}\u{feff}\u{e000}\u{1f600}"),
            "\"a\\u00a0b\\u200b\\ufeff\\ue000\u{1f600}\""
        );
        assert_eq!(go_quote("\u{e0001}"), "\"\\U000e0001\"");
        assert_eq!(go_quote(""), "\"\"");
    }

    #[test]
    fn go_quote_rune_escapes_like_strconv_quote_rune() {
        assert_eq!(go_quote_rune('a'), "'a'");
        assert_eq!(go_quote_rune('\''), "'\\''");
        assert_eq!(go_quote_rune('"'), "'\"'");
        assert_eq!(go_quote_rune('\n'), "'\\n'");
        assert_eq!(go_quote_rune('\u{1}'), "'\\x01'");
        assert_eq!(go_quote_rune('\u{85}'), "'\\u0085'");
        assert_eq!(go_quote_rune('ÿ'), "'ÿ'");
    }
}
