//! The template parser of `fluxcd/pkg/envsubst` (Flux's fork of drone/envsubst): a scanner with
//! switchable token modes and per-position accept rules, and a recursive descent over it.
//!
//! Written by hand, not with a parser crate, because what a template means is decided by the
//! scanner's quirks, which a grammar would not reproduce: `$$` is removed from the buffer while
//! scanning (so `$${x}` is the text `${x}`); a `${` inside text ends the text token; the
//! position rules (`:` then one of `=-?+` as the second character) count bytes; a NUL character
//! reads as the end of the input; `${var-x}`, `${var+x}` and `${var?x}` are not forms at all
//! (only `:`, `=`, `,`, `^`, `/`, `#` and `%` may follow a name), so they fail with
//! `missing closing brace`.

use super::Release;
use crate::golang::pathmatch::decode_rune;

/// Go's `eof` rune, which a literal NUL also equals.
const EOF: char = '\0';

/// Why a template does not parse: the error texts of `envsubst/parse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// `ErrBadSubstitution`.
    #[error("bad substitution")]
    BadSubstitution,
    /// `ErrMissingClosingBrace`.
    #[error("missing closing brace")]
    MissingClosingBrace,
    /// `ErrParseVariableName`.
    #[error("unable to parse variable name")]
    VariableName,
    /// `ErrParseFuncSubstitution`.
    #[error("unable to parse substitution within function")]
    FuncSubstitution,
    /// `ErrParseDefaultFunction`.
    #[error("unable to parse default function")]
    DefaultFunction,
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Node {
    /// Literal text.
    Text(String),
    /// `${param<name>args...}`: `name` is the operator (`""` for a bare `${param}`).
    Func {
        param: String,
        name: String,
        args: Vec<Node>,
    },
    /// A sequence.
    List(Vec<Node>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Illegal,
    Eof,
    Ident,
    Lbrack,
    Rbrack,
}

const SCAN_IDENT: u8 = 1;
const SCAN_LBRACK: u8 = 2;
const SCAN_RBRACK: u8 = 4;
const SCAN_ESCAPE: u8 = 8;

const ESCAPE_DOLLAR: u8 = 1;
const ESCAPE_BACKSLASH: u8 = 2;
const ESCAPE_ALL: u8 = ESCAPE_DOLLAR | ESCAPE_BACKSLASH;

/// Which runes an identifier token takes; `i` is the byte offset after the rune from the token
/// start (so the first rune has `i == 1` when it is one byte long).
#[derive(Debug, Clone, Copy)]
enum Accept {
    Rune,
    Ident,
    Colon,
    OneHash,
    NotClosing,
    HashFunc,
    PercentFunc,
    DefaultFunc,
    ReplaceFunc,
    OneEqual,
    OneColon,
    RejectColonClose,
    Slash,
    NotSlash,
    CasingFunc,
}

impl Accept {
    fn accepts(self, r: char, i: usize) -> bool {
        match self {
            Accept::Rune => true,
            Accept::Ident => is_go_letter_or_digit(r) || r == '_',
            Accept::Colon => r == ':',
            Accept::OneHash => r == '#' && i == 1,
            Accept::NotClosing => r != '}',
            Accept::HashFunc => r == '#' && i < 3,
            Accept::PercentFunc => r == '%' && i < 3,
            Accept::DefaultFunc => {
                (i == 1 && r == ':') || (i == 2 && matches!(r, '=' | '-' | '?' | '+'))
            }
            Accept::ReplaceFunc => (i == 1 && r == '/') || (i == 2 && matches!(r, '/' | '#' | '%')),
            Accept::OneEqual => i == 1 && r == '=',
            Accept::OneColon => i == 1 && r == ':',
            Accept::RejectColonClose => r != ':' && r != '}',
            Accept::Slash => r == '/',
            Accept::NotSlash => r != '/',
            Accept::CasingFunc => (r == ',' || r == '^') && i < 3,
        }
    }
}

/// Go's `unicode.IsLetter(r) || unicode.IsDigit(r)` (categories L and Nd).
fn is_go_letter_or_digit(r: char) -> bool {
    if r.is_ascii() {
        return r.is_ascii_alphanumeric();
    }
    static LETTER_OR_DIGIT: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    LETTER_OR_DIGIT
        .get_or_init(|| regex::Regex::new(r"^[\p{L}\p{Nd}]$").ok())
        .as_ref()
        .is_some_and(|re| re.is_match(r.encode_utf8(&mut [0; 4])))
}

struct Scanner {
    buf: Vec<u8>,
    pos: usize,
    start: usize,
    width: usize,
    mode: u8,
    escape: u8,
    accept: Accept,
}

impl Scanner {
    fn read(&mut self) -> char {
        let Some(rest) = self.buf.get(self.pos..).filter(|r| !r.is_empty()) else {
            self.width = 0;
            return EOF;
        };
        let (r, w) = decode_rune(rest);
        self.width = w;
        self.pos += w;
        r
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(self.width);
    }

    /// Drops the escape character just read from the buffer: the escaped one after it becomes
    /// part of the token without being tested.
    fn skip(&mut self) {
        if self.pos > 0 && self.pos <= self.buf.len() {
            self.buf.remove(self.pos - 1);
        }
    }

    fn peek(&mut self) -> char {
        let r = self.read();
        self.unread();
        r
    }

    fn string(&self) -> String {
        String::from_utf8_lossy(self.buf.get(self.start..self.pos).unwrap_or_default()).into_owned()
    }

    fn scan(&mut self) -> Token {
        self.start = self.pos;
        let r = self.read();
        if r == EOF {
            Token::Eof
        } else if self.scan_lbrack(r) {
            Token::Lbrack
        } else if self.scan_rbrack(r) {
            Token::Rbrack
        } else if self.scan_ident(r) {
            Token::Ident
        } else {
            Token::Illegal
        }
    }

    fn scan_ident(&mut self, r: char) -> bool {
        if self.mode & SCAN_IDENT == 0 {
            return false;
        }
        if self.scan_escaped(r) {
            self.skip();
        } else if !self.accept.accepts(r, self.pos - self.start) {
            return false;
        }
        loop {
            let r = self.read();
            if r == EOF {
                self.unread();
                break;
            }
            if self.scan_lbrack(r) {
                // `${` ends the token; both runes go back.
                self.unread();
                self.unread();
                break;
            }
            if self.scan_escaped(r) {
                self.skip();
                continue;
            }
            if !self.accept.accepts(r, self.pos - self.start) {
                self.unread();
                break;
            }
        }
        true
    }

    fn scan_lbrack(&mut self, r: char) -> bool {
        if self.mode & SCAN_LBRACK == 0 {
            return false;
        }
        if r == '$' {
            if self.read() == '{' {
                return true;
            }
            self.unread();
        }
        false
    }

    fn scan_rbrack(&self, r: char) -> bool {
        self.mode & SCAN_RBRACK != 0 && r == '}'
    }

    fn scan_escaped(&mut self, r: char) -> bool {
        if self.mode & SCAN_ESCAPE == 0 {
            return false;
        }
        if r == '$' && self.escape & ESCAPE_DOLLAR != 0 && self.peek() == '$' {
            return true;
        }
        if r == '\\' && self.escape & ESCAPE_BACKSLASH != 0 {
            return matches!(self.peek(), '/' | '\\');
        }
        false
    }
}

/// Parses a template.
pub(super) fn parse(text: &str, release: Release) -> Result<Node, ParseError> {
    let mut parser = Parser {
        s: Scanner {
            buf: text.as_bytes().to_vec(),
            pos: 0,
            start: 0,
            width: 0,
            mode: 0,
            escape: 0,
            accept: Accept::Rune,
        },
        release,
    };
    Ok(parser.parse_any()?.unwrap_or(Node::Text(String::new())))
}

struct Parser {
    s: Scanner,
    release: Release,
}

impl Parser {
    fn set(&mut self, accept: Accept, mode: u8) {
        self.s.accept = accept;
        self.s.mode = mode;
    }

    /// Text and substitutions up to the end; `None` at the end of the input.
    fn parse_any(&mut self) -> Result<Option<Node>, ParseError> {
        self.set(Accept::Rune, SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE);
        self.s.escape = ESCAPE_DOLLAR;
        let left = match self.s.scan() {
            Token::Ident => Node::Text(self.s.string()),
            Token::Eof => return Ok(None),
            Token::Lbrack => self.parse_func()?,
            Token::Illegal | Token::Rbrack => return Err(ParseError::BadSubstitution),
        };
        Ok(Some(match self.parse_any()? {
            None => left,
            Some(right) => Node::List(vec![left, right]),
        }))
    }

    fn parse_func(&mut self) -> Result<Node, ParseError> {
        self.s.escape = ESCAPE_ALL;
        if self.s.peek() == '#' {
            return self.parse_len_func();
        }
        self.set(Accept::Ident, SCAN_IDENT);
        let name = match self.s.scan() {
            Token::Ident => self.s.string(),
            _ => return Err(ParseError::VariableName),
        };
        match self.s.peek() {
            ':' => return self.parse_default_or_substr(name),
            '=' => return self.parse_default_func(name),
            ',' | '^' => return self.parse_casing_func(name),
            '/' => return self.parse_replace_func(name),
            '#' => return self.parse_remove_func(name, Accept::HashFunc),
            '%' => return self.parse_remove_func(name, Accept::PercentFunc),
            _ => {}
        }
        self.set(Accept::Ident, SCAN_RBRACK);
        match self.s.scan() {
            Token::Rbrack => Ok(Node::Func {
                param: name,
                name: String::new(),
                args: Vec::new(),
            }),
            _ => Err(ParseError::MissingClosingBrace),
        }
    }

    fn parse_param(&mut self, accept: Accept, mode: u8) -> Result<Node, ParseError> {
        self.set(accept, mode | SCAN_LBRACK);
        match self.s.scan() {
            Token::Lbrack => self.parse_func(),
            Token::Ident | Token::Rbrack => Ok(Node::Text(self.s.string())),
            _ => Err(ParseError::FuncSubstitution),
        }
    }

    fn parse_default_or_substr(&mut self, param: String) -> Result<Node, ParseError> {
        // Go reads the `:`, peeks, and steps back by the width of the rune it peeked at.
        self.s.read();
        let r = self.s.peek();
        self.s.unread();
        match r {
            '=' | '-' | '?' | '+' => self.parse_default_func(param),
            _ => self.parse_substr_func(param),
        }
    }

    /// Scans the operator token with `accept`.
    fn operator(&mut self, accept: Accept, error: ParseError) -> Result<String, ParseError> {
        self.set(accept, SCAN_IDENT);
        match self.s.scan() {
            Token::Ident => Ok(self.s.string()),
            _ => Err(error),
        }
    }

    fn parse_substr_func(&mut self, param: String) -> Result<Node, ParseError> {
        let name = self.operator(Accept::OneColon, ParseError::BadSubstitution)?;
        let mut args = vec![self.parse_param(Accept::RejectColonClose, SCAN_IDENT)?];
        self.set(Accept::Colon, SCAN_IDENT | SCAN_RBRACK);
        match self.s.scan() {
            Token::Rbrack => return Ok(Node::Func { param, name, args }),
            Token::Ident => {}
            _ => return Err(ParseError::BadSubstitution),
        }
        args.push(self.parse_param(Accept::NotClosing, SCAN_IDENT)?);
        self.consume_rbrack()?;
        Ok(Node::Func { param, name, args })
    }

    fn parse_remove_func(&mut self, param: String, accept: Accept) -> Result<Node, ParseError> {
        let name = self.operator(accept, ParseError::BadSubstitution)?;
        let args = vec![self.parse_param(Accept::NotClosing, SCAN_IDENT)?];
        self.consume_rbrack()?;
        Ok(Node::Func { param, name, args })
    }

    fn parse_replace_func(&mut self, param: String) -> Result<Node, ParseError> {
        let name = self.operator(Accept::ReplaceFunc, ParseError::BadSubstitution)?;
        let mut args = Vec::new();
        if self.release == Release::Flux2_9 && self.s.peek() == '/' {
            // An empty pattern (`${v/#/prefix-}`), accepted since fluxcd/pkg#947 was fixed.
            args.push(Node::Text(String::new()));
        } else {
            args.push(self.parse_param(Accept::NotSlash, SCAN_IDENT | SCAN_ESCAPE)?);
        }
        self.set(Accept::Slash, SCAN_IDENT);
        if self.s.scan() != Token::Ident {
            return Err(ParseError::BadSubstitution);
        }
        if self.s.peek() == '}' {
            self.consume_rbrack()?;
            return Ok(Node::Func { param, name, args });
        }
        args.push(self.parse_param(Accept::NotClosing, SCAN_IDENT | SCAN_ESCAPE)?);
        self.consume_rbrack()?;
        Ok(Node::Func { param, name, args })
    }

    fn parse_default_func(&mut self, param: String) -> Result<Node, ParseError> {
        let accept = if self.s.peek() == '=' {
            Accept::OneEqual
        } else {
            Accept::DefaultFunc
        };
        let name = self.operator(accept, ParseError::DefaultFunction)?;
        let mut args = Vec::new();
        loop {
            if self.s.peek() == '}' {
                self.consume_rbrack()?;
                return Ok(Node::Func { param, name, args });
            }
            args.push(self.parse_param(Accept::NotClosing, SCAN_IDENT)?);
        }
    }

    fn parse_casing_func(&mut self, param: String) -> Result<Node, ParseError> {
        let name = self.operator(Accept::CasingFunc, ParseError::BadSubstitution)?;
        self.consume_rbrack()?;
        Ok(Node::Func {
            param,
            name,
            args: Vec::new(),
        })
    }

    fn parse_len_func(&mut self) -> Result<Node, ParseError> {
        let name = self.operator(Accept::OneHash, ParseError::BadSubstitution)?;
        let param = self.operator(Accept::Ident, ParseError::BadSubstitution)?;
        self.consume_rbrack()?;
        Ok(Node::Func {
            param,
            name,
            args: Vec::new(),
        })
    }

    fn consume_rbrack(&mut self) -> Result<(), ParseError> {
        self.s.mode = SCAN_RBRACK;
        if self.s.scan() != Token::Rbrack {
            return Err(ParseError::BadSubstitution);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Node {
        Node::Text(s.into())
    }

    fn func(param: &str, name: &str, args: Vec<Node>) -> Node {
        Node::Func {
            param: param.into(),
            name: name.into(),
            args,
        }
    }

    fn p(s: &str) -> Result<Node, ParseError> {
        parse(s, Release::Flux2_9)
    }

    #[test]
    fn text_and_escapes() {
        assert_eq!(p("text"), Ok(text("text")));
        assert_eq!(p("}text"), Ok(text("}text")));
        assert_eq!(p("http://github.com"), Ok(text("http://github.com")));
        assert_eq!(p("$${string}"), Ok(text("${string}")));
        assert_eq!(p("$$string"), Ok(text("$string")));
        assert_eq!(p(r"\\.\pipe\pipename"), Ok(text(r"\\.\pipe\pipename")));
        assert_eq!(p("$var and $"), Ok(text("$var and $")));
        assert_eq!(p(""), Ok(text("")));
    }

    #[test]
    fn operators_parse_into_their_names_and_arguments() {
        assert_eq!(p("${string}"), Ok(func("string", "", vec![])));
        for op in [",", ",,", "^", "^^"] {
            assert_eq!(p(&format!("${{s{op}}}")), Ok(func("s", op, vec![])));
        }
        assert_eq!(p("${s:pos}"), Ok(func("s", ":", vec![text("pos")])));
        assert_eq!(
            p("${s:pos:len}"),
            Ok(func("s", ":", vec![text("pos"), text("len")]))
        );
        for op in ["#", "##", "%", "%%"] {
            assert_eq!(
                p(&format!("${{s{op}sub}}")),
                Ok(func("s", op, vec![text("sub")]))
            );
        }
        for op in ["/", "//", "/#", "/%"] {
            assert_eq!(
                p(&format!("${{s{op}a/b}}")),
                Ok(func("s", op, vec![text("a"), text("b")]))
            );
        }
        for op in ["=", ":=", ":-", ":?", ":+"] {
            assert_eq!(
                p(&format!("${{s{op}default}}")),
                Ok(func("s", op, vec![text("default")]))
            );
        }
        assert_eq!(p("${#string}"), Ok(func("string", "#", vec![])));
        assert_eq!(
            p("${string#$%:*{}"),
            Ok(func("string", "#", vec![text("$%:*{")]))
        );
    }

    #[test]
    fn escaped_slashes_in_replace_arguments() {
        assert_eq!(
            p(r"${s/\/position/length}"),
            Ok(func("s", "/", vec![text("/position"), text("length")]))
        );
        assert_eq!(
            p(r"${s/\/position\\/length}"),
            Ok(func("s", "/", vec![text("/position\\"), text("length")]))
        );
        assert_eq!(
            p(r"${s/position/\/leng\\th}"),
            Ok(func("s", "/", vec![text("position"), text("/leng\\th")]))
        );
    }

    #[test]
    fn nested_substitutions() {
        assert_eq!(
            p("${s:${a:p:l}:${b,,}}"),
            Ok(func(
                "s",
                ":",
                vec![
                    func("a", ":", vec![text("p"), text("l")]),
                    func("b", ",,", vec![])
                ]
            ))
        );
        assert_eq!(
            p("${s=prefix${v} suffix}"),
            Ok(func(
                "s",
                "=",
                vec![text("prefix"), func("v", "", vec![]), text(" suffix")]
            ))
        );
        assert_eq!(
            p("${s//${a}/${b}}"),
            Ok(func(
                "s",
                "//",
                vec![func("a", "", vec![]), func("b", "", vec![])]
            ))
        );
    }

    #[test]
    fn forms_flux_does_not_have_fail_with_its_words() {
        // Only `:`, `=`, `,`, `^`, `/`, `#` and `%` may follow a name.
        assert_eq!(p("${var-default}"), Err(ParseError::MissingClosingBrace));
        assert_eq!(p("${var+x}"), Err(ParseError::MissingClosingBrace));
        assert_eq!(p("${var?x}"), Err(ParseError::MissingClosingBrace));
        assert_eq!(p("${var"), Err(ParseError::MissingClosingBrace));
        assert_eq!(p("${}"), Err(ParseError::VariableName));
        assert_eq!(p("${"), Err(ParseError::VariableName));
        assert_eq!(p("${-x}"), Err(ParseError::VariableName));
        assert_eq!(p("${#}"), Err(ParseError::BadSubstitution));
        assert_eq!(p("${a:}"), Err(ParseError::FuncSubstitution));
        assert_eq!(p("${a:-x"), Err(ParseError::FuncSubstitution));
        assert_eq!(p("${a^^^}"), Err(ParseError::BadSubstitution));
        assert_eq!(p("${a#x${b}y}"), Err(ParseError::BadSubstitution));
        assert_eq!(p("${a/x}"), Err(ParseError::BadSubstitution));
    }

    #[test]
    fn empty_replace_patterns_by_release() {
        assert_eq!(
            p("${s/#/prefix-}"),
            Ok(func("s", "/#", vec![text(""), text("prefix-")]))
        );
        assert_eq!(
            parse("${s/#/prefix-}", Release::Flux2_8),
            Err(ParseError::FuncSubstitution)
        );
    }

    #[test]
    fn a_nul_character_ends_the_template() {
        assert_eq!(p("a\0b ${x}"), Ok(text("a")));
    }
}
