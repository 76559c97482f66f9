//! The string operators of `fluxcd/pkg/envsubst` (`funcs.go`), on bytes as Go strings are:
//! lengths and offsets count bytes, so `${#v}` of `é` is 2 and `${v:1}` can split a character.

use super::{EnvsubstError, Release};
use crate::golang::pathmatch::{decode_rune, path_match, Separator};

/// Applies the operator `name` (with its evaluated `args`) to the value `v`.
pub(super) fn apply(
    name: &str,
    v: &[u8],
    args: &[Vec<u8>],
    release: Release,
) -> Result<Vec<u8>, EnvsubstError> {
    Ok(match name {
        "," => map_first(v, to_lower_char),
        ",," => map_all(v, to_lower_char),
        "^" => map_first(v, to_upper_char),
        "^^" => map_all(v, to_upper_char),
        "#" if args.is_empty() => v.len().to_string().into_bytes(),
        "#" => trim_prefix(v, args, Longest::No),
        "##" => trim_prefix(v, args, Longest::Yes),
        "%" => trim_suffix(v, args, Longest::No),
        "%%" => trim_suffix(v, args, Longest::Yes),
        ":" => substring(v, args, release)?,
        "/#" => replace_prefix(v, args),
        "/%" => replace_suffix(v, args),
        "/" => replace(v, args, Some(1)),
        "//" => replace(v, args, None),
        // `=`, `:=`, `:-`, `:?`, `:+` and anything else: the value, or the arguments joined
        // when the value is empty (`:?` and `:+` are not what bash makes of them).
        _ => {
            if v.is_empty() && !args.is_empty() {
                args.concat()
            } else {
                v.to_vec()
            }
        }
    })
}

/// Go's `unicode.ToLower` (simple case mapping: one rune to one rune).
fn to_lower_char(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Go's `unicode.ToUpper`.
fn to_upper_char(c: char) -> char {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

fn push_char(out: &mut Vec<u8>, c: char) {
    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
}

/// `string(f(first rune)) + s[n:]`.
fn map_first(v: &[u8], f: fn(char) -> char) -> Vec<u8> {
    if v.is_empty() {
        return Vec::new();
    }
    let (r, n) = decode_rune(v);
    let mut out = Vec::with_capacity(v.len());
    push_char(&mut out, f(r));
    out.extend_from_slice(v.get(n..).unwrap_or_default());
    out
}

/// `strings.ToLower` / `ToUpper`: every rune mapped (an invalid byte becomes U+FFFD).
fn map_all(v: &[u8], f: fn(char) -> char) -> Vec<u8> {
    if v.is_ascii() {
        return v.iter().map(|&b| f(b as char) as u8).collect();
    }
    let mut out = Vec::with_capacity(v.len());
    let mut rest = v;
    while !rest.is_empty() {
        let (r, n) = decode_rune(rest);
        push_char(&mut out, f(r));
        rest = rest.get(n..).unwrap_or_default();
    }
    out
}

/// Go's `strconv.Atoi`.
fn atoi(s: &[u8]) -> Option<i64> {
    std::str::from_utf8(s).ok()?.parse::<i64>().ok()
}

fn substring(v: &[u8], args: &[Vec<u8>], release: Release) -> Result<Vec<u8>, EnvsubstError> {
    let len = v.len() as i64;
    let Some(first) = args.first() else {
        return Ok(v.to_vec());
    };
    // bash returns the value when the offset or length is not a number.
    let Some(mut pos) = atoi(first) else {
        return Ok(v.to_vec());
    };
    if pos < 0 {
        pos = (len + pos).max(0);
    }
    let slice = |from: i64, to: i64| -> Vec<u8> {
        v.get(from as usize..to as usize)
            .unwrap_or_default()
            .to_vec()
    };
    let Some(second) = args.get(1) else {
        return Ok(if pos < len {
            slice(pos, len)
        } else {
            Vec::new()
        });
    };
    let Some(length) = atoi(second) else {
        return Ok(v.to_vec());
    };
    if length < 0 {
        match release {
            // fluxcd/pkg#1275: a negative length counts back from the end, as in bash.
            Release::Flux2_9 => {
                let end = len + length;
                return Ok(if end < pos {
                    Vec::new()
                } else {
                    slice(pos, end)
                });
            }
            // Before it, Go sliced backwards and the controller panicked.
            Release::Flux2_8 => {
                let end = pos + length;
                if end < len {
                    return Err(EnvsubstError::Panic(if end < 0 {
                        format!("runtime error: slice bounds out of range [:{end}]")
                    } else {
                        format!("runtime error: slice bounds out of range [{pos}:{end}]")
                    }));
                }
            }
        }
    }
    let end = pos.saturating_add(length);
    Ok(if end >= len {
        if pos < len {
            slice(pos, len)
        } else {
            Vec::new()
        }
    } else {
        slice(pos, end)
    })
}

/// Go's `strings.Replace(s, old, new, n)` (`None` for all); an empty `old` matches before every
/// rune and at the end.
fn go_replace(s: &[u8], old: &[u8], new: &[u8], limit: Option<usize>) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut done = 0usize;
    let mut i = 0usize;
    let under_limit = |done: usize| limit.is_none_or(|n| done < n);
    if old.is_empty() {
        while under_limit(done) {
            out.extend_from_slice(new);
            done += 1;
            if i >= s.len() {
                break;
            }
            let (_, w) = decode_rune(s.get(i..).unwrap_or_default());
            out.extend_from_slice(s.get(i..i + w).unwrap_or_default());
            i += w;
        }
        out.extend_from_slice(s.get(i..).unwrap_or_default());
        return out;
    }
    while under_limit(done) {
        let Some(at) = s
            .get(i..)
            .and_then(|rest| rest.windows(old.len()).position(|w| w == old))
        else {
            break;
        };
        out.extend_from_slice(s.get(i..i + at).unwrap_or_default());
        out.extend_from_slice(new);
        i += at + old.len();
        done += 1;
    }
    out.extend_from_slice(s.get(i..).unwrap_or_default());
    out
}

fn replace(v: &[u8], args: &[Vec<u8>], limit: Option<usize>) -> Vec<u8> {
    match args {
        [] => v.to_vec(),
        [old] => go_replace(v, old, b"", limit),
        [old, new, ..] => go_replace(v, old, new, limit),
    }
}

fn replace_prefix(v: &[u8], args: &[Vec<u8>]) -> Vec<u8> {
    match args {
        [old, new] if v.starts_with(old) => go_replace(v, old, new, Some(1)),
        _ => v.to_vec(),
    }
}

fn replace_suffix(v: &[u8], args: &[Vec<u8>]) -> Vec<u8> {
    match args {
        [old, new] if v.ends_with(old) => {
            let mut out = v.get(..v.len() - old.len()).unwrap_or_default().to_vec();
            out.extend_from_slice(new);
            out
        }
        _ => v.to_vec(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Longest {
    Yes,
    No,
}

/// The prefix of `s` to drop: prefixes are tried from the whole string down to one byte
/// (never the empty one); a malformed pattern drops nothing.
fn matched_prefix(s: &[u8], pattern: &[u8], longest: Longest) -> usize {
    let mut shortest = 0;
    for i in 0..s.len() {
        let candidate = s.get(..s.len() - i).unwrap_or_default();
        match path_match(pattern, candidate, Separator::Ignored) {
            Err(_) => return 0,
            Ok(true) if longest == Longest::Yes => return candidate.len(),
            Ok(true) => shortest = candidate.len(),
            Ok(false) => {}
        }
    }
    shortest
}

fn trim_prefix(v: &[u8], args: &[Vec<u8>], longest: Longest) -> Vec<u8> {
    let Some(pattern) = args.first() else {
        return v.to_vec();
    };
    let cut = matched_prefix(v, pattern, longest);
    v.get(cut..).unwrap_or_default().to_vec()
}

/// Reverses the runes (an invalid byte becomes U+FFFD, as Go's `[]rune(s)` does).
fn reverse(s: &[u8]) -> Vec<u8> {
    let mut runes = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let (r, n) = decode_rune(rest);
        runes.push(r);
        rest = rest.get(n..).unwrap_or_default();
    }
    let mut out = Vec::with_capacity(s.len());
    for r in runes.into_iter().rev() {
        push_char(&mut out, r);
    }
    out
}

/// `%` and `%%` trim the reversed value with the reversed pattern (so a class such as `[0-9]`
/// reads `]9-0[` and is malformed: nothing is trimmed).
fn trim_suffix(v: &[u8], args: &[Vec<u8>], longest: Longest) -> Vec<u8> {
    let Some(pattern) = args.first() else {
        return v.to_vec();
    };
    reverse(&trim_prefix(&reverse(v), &[reverse(pattern)], longest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go(name: &str, v: &str, args: &[&str]) -> String {
        let args: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        let out = apply(name, v.as_bytes(), &args, Release::Flux2_9).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn replace_with_an_empty_pattern_is_gos_strings_replace() {
        assert_eq!(go("//", "abc", &["", "-"]), "-a-b-c-");
        assert_eq!(go("/", "abc", &["", "-"]), "-abc");
        assert_eq!(go("/#", "abc", &["", "-"]), "-abc");
        assert_eq!(go("/%", "abc", &["", "-"]), "abc-");
        // `${v/#x/}`: a prefix replacement needs two arguments, so nothing is removed.
        assert_eq!(go("/#", "xab", &["x"]), "xab");
        assert_eq!(go("/", "xab", &["x"]), "ab");
    }

    #[test]
    fn substrings_count_bytes() {
        assert_eq!(go(":", "hello world", &["2", "-1"]), "llo worl");
        assert_eq!(go(":", "hello world", &["0", "-3"]), "hello wo");
        assert_eq!(go(":", "hello world", &["-4", "-1"]), "orl");
        assert_eq!(go(":", "hello world", &["8", "-8"]), "");
        assert_eq!(go(":", "hello", &["x"]), "hello");
        assert_eq!(go(":", "hello", &["1", "y"]), "hello");
        assert_eq!(go(":", "hello", &["9"]), "");
        assert_eq!(go(":", "hello", &["-9", "2"]), "he");
        assert_eq!(go(":", "hello", &["3", "9"]), "lo");
        assert_eq!(go("#", "é", &[]), "2");
        let old = apply(
            ":",
            b"hello",
            &[b"2".to_vec(), b"-1".to_vec()],
            Release::Flux2_8,
        );
        assert_eq!(
            old.unwrap_err().to_string(),
            "panic: runtime error: slice bounds out of range [2:1] [recovered]"
        );
    }

    #[test]
    fn case_mapping_is_rune_by_rune() {
        assert_eq!(go("^^", "straße", &[]), "STRAßE");
        assert_eq!(go("^", "élan", &[]), "Élan");
        assert_eq!(go(",,", "ÀB", &[]), "àb");
        assert_eq!(go(",^", "ab", &[]), "ab");
    }

    #[test]
    fn trims_with_the_forked_matcher() {
        assert_eq!(go("#", "bash.string.txt", &["*."]), "string.txt");
        assert_eq!(go("##", "bash.string.txt", &["*."]), "txt");
        assert_eq!(go("%", "bash.string.txt", &[".*"]), "bash.string");
        assert_eq!(go("%%", "bash.string.txt", &[".*"]), "bash");
        assert_eq!(go("##", "path/to/file", &["*/"]), "file");
        assert_eq!(go("#", "/path/to/file", &["*/"]), "path/to/file");
        assert_eq!(go("%", "v1.2.3", &["[0-9]"]), "v1.2.3");
        assert_eq!(go("#", "v1.2.3", &["[a-z]"]), "1.2.3");
        assert_eq!(go("#", "abc", &["["]), "abc");
        assert_eq!(go("#", "abc", &["x"]), "abc");
    }
}
