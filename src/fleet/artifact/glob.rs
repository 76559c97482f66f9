//! The two glob dialects the ArtifactGenerator builder uses, by hand because each must match
//! its Go original rather than a shell or the glob crates:
//!
//! - [`fs_glob`], Go's `io/fs.Glob` for copy sources: `path.Match` per path segment, so `*`
//!   and `**` alike stay within one directory (`shop/**` lists the entries of `shop`), hidden
//!   entries match, entries come sorted, unreadable directories are skipped.
//! - [`matches`] and [`glob`], bmatcuk/doublestar v4 for `exclude` patterns and the Extract
//!   strategy's sources: `**` as a whole segment spans any number of directories, zero
//!   included (`a/**` matches `a` itself, `**/x` matches `x`); `{a,b}` alternatives; classes
//!   with `^` or `!`; `\` escapes.

use crate::golang::pathmatch::{decode_rune, path_match, Separator, BAD_PATTERN};
use std::path::Path;

/// Entries of a directory of the source, sorted by name as Go's `fs.ReadDir` sorts them.
fn read_dir_sorted(root: &Path, dir: &str) -> Option<Vec<String>> {
    let full = if dir == "." {
        root.to_path_buf()
    } else {
        root.join(dir)
    };
    let mut names: Vec<String> = std::fs::read_dir(full)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Some(names)
}

fn join(dir: &str, name: &str) -> String {
    if dir == "." || dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// `hasMeta` of `io/fs`.
fn has_meta(path: &str) -> bool {
    path.contains(['*', '?', '[', '\\'])
}

/// Go's `fs.Glob(os.DirFS(root), pattern)`: the matching paths, relative to `root`.
pub(super) fn fs_glob(root: &Path, pattern: &str) -> Result<Vec<String>, &'static str> {
    fs_glob_depth(root, pattern, 0)
}

fn fs_glob_depth(root: &Path, pattern: &str, depth: usize) -> Result<Vec<String>, &'static str> {
    if depth > 10_000 {
        return Err(BAD_PATTERN);
    }
    path_match(pattern.as_bytes(), b"", Separator::Respected)?;
    if !has_meta(pattern) {
        let exists = std::fs::metadata(root.join(pattern)).is_ok();
        return Ok(if exists {
            vec![pattern.to_string()]
        } else {
            Vec::new()
        });
    }
    let (dir, file) = match pattern.rfind('/') {
        Some(i) => (
            pattern.get(..=i).unwrap_or_default(),
            pattern.get(i + 1..).unwrap_or_default(),
        ),
        None => ("", pattern),
    };
    // `cleanGlobPath`: the directory without its trailing separator.
    let dir = if dir.is_empty() {
        "."
    } else {
        dir.get(..dir.len() - 1).unwrap_or_default()
    };
    let dirs = if has_meta(dir) {
        if dir == pattern {
            return Err(BAD_PATTERN);
        }
        fs_glob_depth(root, dir, depth + 1)?
    } else {
        vec![dir.to_string()]
    };
    let mut out = Vec::new();
    for dir in dirs {
        // An unreadable directory (or a file) contributes nothing.
        for name in read_dir_sorted(root, &dir).unwrap_or_default() {
            if path_match(file.as_bytes(), name.as_bytes(), Separator::Respected)? {
                out.push(join(&dir, &name));
            }
        }
    }
    Ok(out)
}

/// Whether a doublestar pattern is well formed (`doublestar.Match(pattern, ".")` without an
/// error): classes and alternatives closed, no trailing `\`.
pub(super) fn validate(pattern: &str) -> Result<(), &'static str> {
    let p = pattern.as_bytes();
    let mut i = 0;
    let mut braces = 0usize;
    while i < p.len() {
        match p.get(i) {
            Some(b'\\') => {
                if i + 1 >= p.len() {
                    return Err(BAD_PATTERN);
                }
                i += 1;
            }
            Some(b'[') => match class_end(p, i) {
                Some(end) => i = end - 1,
                None => return Err(BAD_PATTERN),
            },
            Some(b'{') => braces += 1,
            Some(b'}') if braces > 0 => braces -= 1,
            _ => {}
        }
        i += 1;
    }
    if braces > 0 {
        return Err(BAD_PATTERN);
    }
    Ok(())
}

/// The index after the `]` closing the class that opens at `open`.
fn class_end(p: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    if matches!(p.get(i), Some(b'^') | Some(b'!')) {
        i += 1;
    }
    // An empty class is malformed.
    if p.get(i) == Some(&b']') {
        return None;
    }
    while i < p.len() {
        match p.get(i) {
            Some(b'\\') => i += 1,
            Some(b']') => return Some(i + 1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether the class `p[open..end]` matches `r`.
fn class_matches(p: &[u8], open: usize, end: usize, r: char) -> bool {
    let mut i = open + 1;
    let negated = matches!(p.get(i), Some(b'^') | Some(b'!'));
    if negated {
        i += 1;
    }
    let close = end - 1;
    let mut matched = false;
    let read = |i: &mut usize| -> char {
        if p.get(*i) == Some(&b'\\') {
            *i += 1;
        }
        let (c, n) = decode_rune(p.get(*i..close).unwrap_or_default());
        *i += n.max(1);
        c
    };
    while i < close {
        let lo = read(&mut i);
        let mut hi = lo;
        if p.get(i) == Some(&b'-') && i + 1 < close {
            i += 1;
            hi = read(&mut i);
        }
        if lo <= r && r <= hi {
            matched = true;
        }
    }
    matched != negated
}

/// The index after the `}` matching the `{` at `open`, and the alternatives between them.
fn alternatives(p: &[u8], open: usize) -> Option<(usize, Vec<&[u8]>)> {
    let mut depth = 0usize;
    let mut start = open + 1;
    let mut alts = Vec::new();
    let mut i = open;
    while i < p.len() {
        match p.get(i) {
            Some(b'\\') => i += 1,
            Some(b'{') => depth += 1,
            Some(b'}') => {
                depth -= 1;
                if depth == 0 {
                    alts.push(p.get(start..i).unwrap_or_default());
                    return Some((i + 1, alts));
                }
            }
            Some(b',') if depth == 1 => {
                alts.push(p.get(start..i).unwrap_or_default());
                start = i + 1;
            }
            Some(b'[') => {
                if let Some(end) = class_end(p, i) {
                    i = end - 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// `doublestar.MatchUnvalidated(pattern, name)`: a malformed part matches nothing.
pub(super) fn matches(pattern: &str, name: &str) -> bool {
    match_at(pattern.as_bytes(), 0, name.as_bytes(), 0)
}

fn at_segment_start(p: &[u8], i: usize) -> bool {
    i == 0 || p.get(i - 1) == Some(&b'/')
}

fn match_at(p: &[u8], pi: usize, n: &[u8], ni: usize) -> bool {
    if pi >= p.len() {
        return ni >= n.len();
    }
    let rest = p.get(pi..).unwrap_or_default();
    // `**` as a whole segment: any number of directories.
    if rest.starts_with(b"**") && at_segment_start(p, pi) {
        match rest.get(2) {
            None => return true,
            Some(b'/') => {
                if match_at(p, pi + 3, n, ni) {
                    return true;
                }
                return (ni..n.len())
                    .filter(|&j| n.get(j) == Some(&b'/'))
                    .any(|j| match_at(p, pi + 3, n, j + 1));
            }
            _ => {}
        }
    }
    // At the end of the name, `dir/**` and `dir/**/` also match `dir` itself
    // (doublestar's `isZeroLengthPattern`).
    if ni >= n.len() && matches!(rest, b"/**" | b"/**/" | b"**/" | b"**" | b"*") {
        return true;
    }
    let Some(&c) = rest.first() else {
        return ni >= n.len();
    };
    match c {
        b'*' => {
            let mut next = pi;
            while p.get(next) == Some(&b'*') {
                next += 1;
            }
            let segment_end = (ni..n.len())
                .find(|&j| n.get(j) == Some(&b'/'))
                .unwrap_or(n.len());
            (ni..=segment_end).any(|k| match_at(p, next, n, k))
        }
        b'?' => match n.get(ni..) {
            Some(tail) if !tail.is_empty() && tail.first() != Some(&b'/') => {
                let (_, w) = decode_rune(tail);
                match_at(p, pi + 1, n, ni + w)
            }
            _ => false,
        },
        b'[' => {
            let Some(end) = class_end(p, pi) else {
                return false;
            };
            match n.get(ni..) {
                Some(tail) if !tail.is_empty() && tail.first() != Some(&b'/') => {
                    let (r, w) = decode_rune(tail);
                    class_matches(p, pi, end, r) && match_at(p, end, n, ni + w)
                }
                _ => false,
            }
        }
        b'{' => {
            let Some((after, alts)) = alternatives(p, pi) else {
                return false;
            };
            alts.iter().any(|alt| {
                // The pattern with this alternative in place, re-entered where it starts (so
                // that a `**` inside it is seen at a segment start).
                let mut expanded = p.get(..pi).unwrap_or_default().to_vec();
                expanded.extend_from_slice(alt);
                expanded.extend_from_slice(p.get(after..).unwrap_or_default());
                match_at(&expanded, pi, n, ni)
            })
        }
        b'\\' => match p.get(pi + 1) {
            Some(&lit) => n.get(ni) == Some(&lit) && match_at(p, pi + 2, n, ni + 1),
            None => false,
        },
        lit => n.get(ni) == Some(&lit) && match_at(p, pi + 1, n, ni + 1),
    }
}

/// `doublestar.Glob(os.DirFS(root), pattern)`: every file and directory under `root` (and `.`)
/// whose relative path matches, sorted (the Extract strategy unpacks them in this order).
pub(super) fn glob(root: &Path, pattern: &str) -> Result<Vec<String>, &'static str> {
    validate(pattern)?;
    let mut out = Vec::new();
    if matches(pattern, ".") {
        out.push(".".to_string());
    }
    let mut stack = vec![".".to_string()];
    while let Some(dir) = stack.pop() {
        let mut subdirs = Vec::new();
        for name in read_dir_sorted(root, &dir).unwrap_or_default() {
            let rel = join(&dir, &name);
            if matches(pattern, &rel) {
                out.push(rel.clone());
            }
            if root.join(&rel).is_dir() && !root.join(&rel).is_symlink() {
                subdirs.push(rel);
            }
        }
        stack.extend(subdirs.into_iter().rev());
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doublestar_segments_alternatives_and_classes() {
        for (pattern, name, want) in [
            ("*.md", "README.md", true),
            ("*.md", "docs/guide.md", false),
            ("**/*.md", "docs/guide.md", true),
            ("**/*.md", "guide.md", true),
            ("**/testdata/**", "testdata", true),
            ("**/testdata/**", "a/testdata/x/y.yaml", true),
            ("**/testdata/**", "testdatax", false),
            ("**/.*", ".hidden", true),
            ("**/.*", "a/.b", true),
            ("**/.*", "a/b", false),
            ("a/**", "a", true),
            ("a/**", "a/b/c", true),
            ("a/**", "ab", false),
            ("a/**/b", "a/b", true),
            ("a/**/b", "a/x/y/b", true),
            ("a**b", "a/b", false),
            ("a**b", "axxb", true),
            ("*.{yaml,yml}", "x.yml", true),
            ("{a,b/c}/*.txt", "b/c/d.txt", true),
            ("{a,b/c}/*.txt", "c/d.txt", false),
            ("[!a]x", "bx", true),
            ("[^a]x", "ax", false),
            ("[a-c]?", "bz", true),
            ("?", "/", false),
            ("\\*", "*", true),
            ("\\*", "a", false),
            ("secret.yaml", "secret.yaml", true),
            ("**", ".", true),
            ("a/**/", "a", true),
            ("a/*", "a", false),
        ] {
            assert_eq!(matches(pattern, name), want, "{pattern} vs {name}");
        }
        assert_eq!(validate("[*.md"), Err(BAD_PATTERN));
        assert_eq!(validate("{a,b"), Err(BAD_PATTERN));
        assert_eq!(validate("a\\"), Err(BAD_PATTERN));
        assert_eq!(validate("[]a]"), Err(BAD_PATTERN));
        assert_eq!(validate("**/{a,b}/[xy]*"), Ok(()));
    }

    #[test]
    fn fs_glob_stays_within_one_directory_per_segment() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "a/x.yaml",
            "a/.hidden",
            "a/sub/y.yaml",
            "b/z.yaml",
            "top.yaml",
        ] {
            std::fs::create_dir_all(root.join(f).parent().unwrap()).unwrap();
            std::fs::write(root.join(f), "x").unwrap();
        }
        assert_eq!(
            fs_glob(root, "a/**").unwrap(),
            ["a/.hidden", "a/sub", "a/x.yaml"]
        );
        assert_eq!(fs_glob(root, "*/*.yaml").unwrap(), ["a/x.yaml", "b/z.yaml"]);
        assert_eq!(fs_glob(root, "**").unwrap(), ["a", "b", "top.yaml"]);
        assert_eq!(fs_glob(root, "top.yaml").unwrap(), ["top.yaml"]);
        assert!(fs_glob(root, "none.yaml").unwrap().is_empty());
        assert_eq!(fs_glob(root, "["), Err(BAD_PATTERN));
        assert_eq!(
            glob(root, "**/*.yaml").unwrap(),
            ["a/sub/y.yaml", "a/x.yaml", "b/z.yaml", "top.yaml"]
        );
    }
}
