//! Go's `path.Match` (shell file name patterns: `*`, `?`, `[...]`, `\` escapes), byte for byte.
//!
//! Written by hand because the glob crates differ from Go where it shows: Go matches chunk by
//! chunk, taking the leftmost place a chunk after a `*` fits and never backtracking into an
//! earlier chunk; a malformed pattern is an error (`syntax error in pattern`) for any name;
//! classes take `^` (not `!`) for negation and no `{a,b}` alternation. Two users need it:
//! `io/fs.Glob` (ArtifactGenerator copy sources, where `*` and `?` stop at `/`) and the trim
//! operators of Flux's envsubst (`${var#pattern}`), whose fork of the matcher (drone/envsubst's
//! `path` package) lets `*` and `?` cross `/` (`${f##*/}` of `path/to/file` is `file`).

/// Go's `path.ErrBadPattern`.
pub(crate) const BAD_PATTERN: &str = "syntax error in pattern";

/// Whether `*` and `?` may match `/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Separator {
    /// `path.Match`: `*` and `?` never match `/`.
    Respected,
    /// drone/envsubst's fork: `/` is an ordinary character.
    Ignored,
}

/// Decodes one rune as Go's `utf8.DecodeRune` does: an invalid byte is U+FFFD of width 1.
pub(crate) fn decode_rune(bytes: &[u8]) -> (char, usize) {
    let Some(&first) = bytes.first() else {
        return (char::REPLACEMENT_CHARACTER, 0);
    };
    let width = match first {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return (char::REPLACEMENT_CHARACTER, 1),
    };
    match bytes.get(..width).map(std::str::from_utf8) {
        Some(Ok(s)) => s
            .chars()
            .next()
            .map_or((char::REPLACEMENT_CHARACTER, 1), |c| (c, width)),
        _ => (char::REPLACEMENT_CHARACTER, 1),
    }
}

/// `path.Match(pattern, name)`.
pub(crate) fn path_match(
    pattern: &[u8],
    name: &[u8],
    sep: Separator,
) -> Result<bool, &'static str> {
    let mut pattern = pattern;
    let mut name = name;
    'chunks: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing `*` takes the rest of the name (in Go, unless it holds a `/`).
            return Ok(sep == Separator::Ignored || !name.contains(&b'/'));
        }
        // The chunk at the current position; as the last chunk it must use up the name.
        let (t, ok) = match_chunk(chunk, name, sep)?;
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if star {
            // After a star: the leftmost position where the chunk matches.
            let mut i = 0;
            while i < name.len() && (sep == Separator::Ignored || name.get(i) != Some(&b'/')) {
                let (t, ok) = match_chunk(chunk, name.get(i + 1..).unwrap_or_default(), sep)?;
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = t;
                    continue 'chunks;
                }
                i += 1;
            }
        }
        // Not a match; Go still reports a malformed rest of the pattern.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, b"", sep)?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Splits off the leading stars and the chunk up to the next star outside a class.
fn scan_chunk(pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut pattern = pattern;
    let mut star = false;
    while pattern.first() == Some(&b'*') {
        pattern = pattern.get(1..).unwrap_or_default();
        star = true;
    }
    let mut in_range = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern.get(i) {
            // An escaped character is skipped over.
            Some(b'\\') if i + 1 < pattern.len() => i += 1,
            Some(b'[') => in_range = true,
            Some(b']') => in_range = false,
            Some(b'*') if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    let (chunk, rest) = pattern.split_at(i.min(pattern.len()));
    (star, chunk, rest)
}

/// Matches one chunk at the start of `s`: what is left of `s` and whether it matched.
fn match_chunk<'a>(
    chunk: &[u8],
    s: &'a [u8],
    sep: Separator,
) -> Result<(&'a [u8], bool), &'static str> {
    let mut chunk = chunk;
    let mut s = s;
    // Go keeps parsing after a failure so that a malformed chunk is always reported.
    let mut failed = false;
    while let Some(&c) = chunk.first() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match c {
            b'[' => {
                let mut r = '\0';
                if !failed {
                    let (rune, n) = decode_rune(s);
                    r = rune;
                    s = s.get(n..).unwrap_or_default();
                }
                chunk = chunk.get(1..).unwrap_or_default();
                let mut negated = false;
                if chunk.first() == Some(&b'^') {
                    negated = true;
                    chunk = chunk.get(1..).unwrap_or_default();
                }
                let mut matched = false;
                let mut ranges = 0;
                loop {
                    if chunk.first() == Some(&b']') && ranges > 0 {
                        chunk = chunk.get(1..).unwrap_or_default();
                        break;
                    }
                    let (lo, rest) = get_escaped(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.first() == Some(&b'-') {
                        let (h, rest) = get_escaped(chunk.get(1..).unwrap_or_default())?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    ranges += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            b'?' => {
                if !failed {
                    if sep == Separator::Respected && s.first() == Some(&b'/') {
                        failed = true;
                    }
                    let (_, n) = decode_rune(s);
                    s = s.get(n..).unwrap_or_default();
                }
                chunk = chunk.get(1..).unwrap_or_default();
            }
            _ => {
                let mut literal = c;
                if c == b'\\' {
                    chunk = chunk.get(1..).unwrap_or_default();
                    match chunk.first() {
                        Some(&next) => literal = next,
                        None => return Err(BAD_PATTERN),
                    }
                }
                if !failed {
                    if s.first() != Some(&literal) {
                        failed = true;
                    }
                    s = s.get(1..).unwrap_or_default();
                }
                chunk = chunk.get(1..).unwrap_or_default();
            }
        }
    }
    if failed {
        return Ok((b"", false));
    }
    Ok((s, true))
}

/// One possibly escaped character of a class, and the rest of the chunk.
fn get_escaped(chunk: &[u8]) -> Result<(char, &[u8]), &'static str> {
    let mut chunk = chunk;
    match chunk.first() {
        None | Some(b'-') | Some(b']') => return Err(BAD_PATTERN),
        Some(b'\\') => {
            chunk = chunk.get(1..).unwrap_or_default();
            if chunk.is_empty() {
                return Err(BAD_PATTERN);
            }
        }
        _ => {}
    }
    let (r, n) = decode_rune(chunk);
    if r == char::REPLACEMENT_CHARACTER && n == 1 {
        return Err(BAD_PATTERN);
    }
    let rest = chunk.get(n..).unwrap_or_default();
    if rest.is_empty() {
        return Err(BAD_PATTERN);
    }
    Ok((r, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, name: &str) -> Result<bool, &'static str> {
        path_match(pattern.as_bytes(), name.as_bytes(), Separator::Respected)
    }

    #[test]
    fn go_path_match_cases() {
        // The cases Go's path package documents and tests.
        for (pattern, name, want) in [
            ("abc", "abc", true),
            ("*", "abc", true),
            ("*c", "abc", true),
            ("a*", "a", true),
            ("a*", "abc", true),
            ("a*", "ab/c", false),
            ("a*/b", "abc/b", true),
            ("a*/b", "a/c/b", false),
            ("a*b*c*d*e*/f", "axbxcxdxe/f", true),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/f", true),
            ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false),
            ("a*b?c*x", "abxbbxdbxebxczzx", true),
            ("a*b?c*x", "abxbbxdbxebxczzy", false),
            ("ab[c]", "abc", true),
            ("ab[b-d]", "abc", true),
            ("ab[e-g]", "abc", false),
            ("ab[^c]", "abc", false),
            ("ab[^b-d]", "abc", false),
            ("ab[^e-g]", "abc", true),
            ("a\\*b", "a*b", true),
            ("a\\*b", "ab", false),
            ("a?b", "a☺b", true),
            ("a[^a]b", "a☺b", true),
            ("a???b", "a☺b", false),
            ("a[^a][^a][^a]b", "a☺b", false),
            ("[a-ζ]*", "α", true),
            ("*[a-ζ]", "A", false),
            ("a?b", "a/b", false),
            ("a*b", "a/b", false),
            ("[\\]a]", "]", true),
            ("[\\-]", "-", true),
            ("[x\\-]", "x", true),
            ("[x\\-]", "-", true),
            ("[x\\-]", "z", false),
            ("[\\-x]", "x", true),
            ("*x", "xxx", true),
        ] {
            assert_eq!(m(pattern, name), Ok(want), "{pattern} vs {name}");
        }
        for (pattern, name) in [
            ("[]a]", "]"),
            ("[-]", "-"),
            ("[x-]", "x"),
            ("[-x]", "x"),
            ("\\", "a"),
            ("[a-b-c]", "a"),
            ("[", "a"),
            ("[^", "a"),
            ("[^bc", "a"),
            ("a[", "a"),
            ("a[", "ab"),
            ("a[", "x"),
            ("a/b[", "x"),
            ("*x[", "xxx"),
        ] {
            assert_eq!(m(pattern, name), Err(BAD_PATTERN), "{pattern} vs {name}");
        }
    }

    #[test]
    fn the_envsubst_fork_lets_stars_cross_slashes() {
        let fork = |p: &str, n: &str| path_match(p.as_bytes(), n.as_bytes(), Separator::Ignored);
        assert_eq!(fork("*/", "path/to/"), Ok(true));
        assert_eq!(fork("a?b", "a/b"), Ok(true));
        assert_eq!(fork("a*", "ab/c"), Ok(true));
        assert_eq!(m("*/", "path/to/"), Ok(false));
    }
}
