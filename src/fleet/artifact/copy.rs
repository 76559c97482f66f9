//! One copy operation, as source-watcher's builder applies it (`applyCopyOperation` and what it
//! calls), with its error texts. Paths inside a source or the artifact are `/`-separated and
//! relative; reading never leaves the source's directory (Go's `os.Root`).

use super::glob;
use super::spec::{CopyOperation, Strategy};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// `maxGlobAlternationCommas`.
const MAX_ALTERNATION_COMMAS: usize = 20;
/// fluxcd/pkg/tar's `DefaultMaxUntarSize` (100 MiB).
const MAX_UNTAR_SIZE: u64 = 100 << 20;

/// An I/O error as Go words the common ones (`no such file or directory`, ...).
pub(super) fn io_text(e: &std::io::Error) -> String {
    let text = e.to_string();
    // Rust appends ` (os error N)`; Go does not.
    match text.find(" (os error") {
        Some(i) => text.get(..i).unwrap_or_default().to_lowercase(),
        None => text,
    }
}

/// Go's `filepath.Clean` for relative `/`-separated paths.
fn clean(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// `filepath.Join`.
fn join(a: &str, b: &str) -> String {
    clean(&format!("{a}/{b}"))
}

/// `filepath.Base`.
fn base(path: &str) -> String {
    let path = path.trim_end_matches('/');
    match path.rsplit_once('/') {
        Some((_, name)) => name.to_string(),
        None if path.is_empty() => ".".to_string(),
        None => path.to_string(),
    }
}

/// `filepath.Dir`.
fn dir(path: &str) -> String {
    match path.rsplit_once('/') {
        Some((parent, _)) => clean(parent),
        None => ".".to_string(),
    }
}

/// `containsGlobChars`.
fn contains_glob_chars(path: &str) -> bool {
    path.contains(['*', '?', '[', ']'])
}

/// `validateGlobPattern`: bounds the alternatives doublestar would try.
fn validate_alternation(pattern: &str) -> Result<(), String> {
    let bytes = pattern.as_bytes();
    let (mut commas, mut depth, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'\\') => i += 1,
            Some(b'{') => depth += 1,
            Some(b'}') => depth = depth.saturating_sub(1),
            Some(b',') if depth > 0 => commas += 1,
            _ => {}
        }
        i += 1;
    }
    if commas > MAX_ALTERNATION_COMMAS {
        return Err(format!(
            "pattern has {commas} alternatives in '{{}}' groups, at most {MAX_ALTERNATION_COMMAS} are allowed"
        ));
    }
    Ok(())
}

/// `parseCopySource`.
fn parse_source(from: &str) -> Result<(&str, &str), String> {
    let Some(rest) = from.strip_prefix('@') else {
        return Err("source must start with '@'".into());
    };
    rest.split_once('/')
        .ok_or_else(|| "source format must be '@alias/pattern'".into())
}

/// `parseCopyDestinationRelative`.
fn parse_destination(to: &str) -> Result<String, String> {
    let Some(dest) = to.strip_prefix("@artifact/") else {
        return Err("destination must start with '@artifact/'".into());
    };
    if dest.is_empty() {
        return Ok(".".into());
    }
    // `filepath.IsLocal`.
    let cleaned = clean(dest);
    if dest.starts_with('/') || cleaned == ".." || cleaned.starts_with("../") {
        return Err("destination path must stay within the artifact root".into());
    }
    if dest.split('/').any(|part| part == "..") {
        return Err("destination path must not contain '..'".into());
    }
    Ok(dest.to_string())
}

/// A source directory read as Go's `os.Root` reads it: nothing outside it is reachable.
struct Root {
    dir: PathBuf,
    canonical: PathBuf,
}

impl Root {
    fn open(dir: &Path) -> Result<Root, String> {
        let canonical = dir.canonicalize().map_err(|e| {
            format!(
                "failed to open source root '{}': {}",
                dir.display(),
                io_text(&e)
            )
        })?;
        Ok(Root {
            dir: dir.to_path_buf(),
            canonical,
        })
    }

    /// The path of `rel`, refusing one that resolves (through `..` or links) outside.
    fn resolve(&self, rel: &str) -> Result<PathBuf, std::io::Error> {
        let path = if rel == "." {
            self.dir.clone()
        } else {
            self.dir.join(rel)
        };
        match path.canonicalize() {
            Ok(real) if !real.starts_with(&self.canonical) => Err(std::io::Error::other(format!(
                "openat {rel}: path escapes from parent"
            ))),
            _ => Ok(path),
        }
    }
}

/// Applies one copy operation into `staging`.
pub(super) fn apply(
    op: &CopyOperation,
    sources: &HashMap<String, PathBuf>,
    staging: &Path,
) -> Result<(), String> {
    let (alias, pattern) =
        parse_source(&op.from).map_err(|e| format!("invalid copy source '{}': {e}", op.from))?;
    validate_alternation(pattern).map_err(|e| format!("invalid copy source '{}': {e}", op.from))?;
    let dest = parse_destination(&op.to)
        .map_err(|e| format!("invalid copy destination '{}': {e}", op.to))?;
    let Some(source_dir) = sources.get(alias) else {
        return Err(format!("source alias '{alias}' not found"));
    };
    for exclude in &op.exclude {
        validate_alternation(exclude)
            .map_err(|e| format!("invalid exclude pattern '{exclude}': {e}"))?;
        if glob::validate(exclude).is_err() {
            return Err(format!("invalid exclude pattern '{exclude}'"));
        }
    }
    let root = Root::open(source_dir)?;
    std::fs::create_dir_all(staging).map_err(|e| {
        format!(
            "failed to open staging root '{}': {}",
            staging.display(),
            io_text(&e)
        )
    })?;
    let copier = Copier {
        op,
        root: &root,
        staging,
    };
    if !contains_glob_chars(pattern) {
        return copier.single_source(pattern, &dest, op.to.ends_with('/'));
    }
    let matches = if op.strategy == Strategy::Extract {
        glob::glob(source_dir, pattern)
    } else {
        glob::fs_glob(source_dir, pattern)
    }
    .map_err(|e| format!("invalid glob pattern '{pattern}': {e}"))?;
    if matches.is_empty() {
        if op.optional {
            return Ok(());
        }
        return Err(format!(
            "no files match pattern '{pattern}' in source '{alias}'"
        ));
    }
    let exclude_base = selection_root(pattern);
    let kept: Vec<&String> = matches
        .iter()
        .filter(|m| *m != "." && *m != "..")
        .filter(|m| !excluded(m, &exclude_base, &op.exclude))
        .collect();
    if kept.is_empty() {
        if op.optional {
            return Ok(());
        }
        return Err(format!(
            "all files matching pattern '{pattern}' in source '{alias}' were excluded"
        ));
    }
    for path in kept {
        if op.strategy == Strategy::Extract {
            if !is_tarball(path) {
                continue;
            }
            copier
                .extract(path, &dest)
                .map_err(|e| format!("failed to extract tarball '{path}' to '{dest}': {e}"))?;
        } else {
            let target = glob_destination(pattern, path, &dest);
            copier
                .copy(path, &target, &exclude_base)
                .map_err(|e| format!("failed to copy file '{path}' to '{target}': {e}"))?;
        }
    }
    Ok(())
}

/// `calculateGlobDestination`: `dir/**` strips `dir/`; other globs keep the whole match path.
fn glob_destination(pattern: &str, matched: &str, dest: &str) -> String {
    if let Some(prefix) = pattern.strip_suffix("/**") {
        if let Some(rel) = matched.strip_prefix(&format!("{prefix}/")) {
            return join(dest, rel);
        }
    }
    join(dest, matched)
}

/// `sourceSelectionRoot`: the literal directories before the first glob segment.
fn selection_root(pattern: &str) -> String {
    let cleaned = clean(pattern);
    let parts: Vec<&str> = cleaned
        .split('/')
        .take_while(|part| !contains_glob_chars(part))
        .collect();
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// `shouldExcludePath`: against the path, and against it relative to `base`.
fn excluded(path: &str, base: &str, patterns: &[String]) -> bool {
    if matches_any(path, patterns) {
        return true;
    }
    let base = clean(base);
    let path = clean(path);
    if base == "." {
        return false;
    }
    match path.strip_prefix(&format!("{base}/")) {
        Some(rel) => matches_any(rel, patterns),
        None => false,
    }
}

/// `shouldExclude`: a pattern without `/` also matches the base name.
fn matches_any(path: &str, patterns: &[String]) -> bool {
    let name = base(path);
    patterns
        .iter()
        .any(|p| glob::matches(p, path) || (!p.contains('/') && glob::matches(p, &name)))
}

/// `isTarball`.
fn is_tarball(path: &str) -> bool {
    let lower = path.to_lowercase();
    lower.ends_with(".tar.gz") || lower.ends_with(".tgz")
}

struct Copier<'a> {
    op: &'a CopyOperation,
    root: &'a Root,
    staging: &'a Path,
}

impl Copier<'_> {
    fn staged(&self, rel: &str) -> PathBuf {
        if rel == "." {
            self.staging.to_path_buf()
        } else {
            self.staging.join(rel)
        }
    }

    /// `applySingleSourceCopy`: a path without glob characters.
    fn single_source(&self, pattern: &str, dest: &str, dest_is_dir: bool) -> Result<(), String> {
        let src = clean(pattern);
        let path = self.root.resolve(&src).map_err(|e| e.to_string())?;
        let info = match std::fs::metadata(&path) {
            Ok(info) => info,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if self.op.optional {
                    return Ok(());
                }
                return Err(format!("source '{src}' does not exist"));
            }
            Err(e) => return Err(format!("failed to stat source '{src}': {}", io_text(&e))),
        };
        if info.is_dir() {
            if self.op.strategy == Strategy::Extract {
                return Err(format!(
                    "extract strategy is not supported for directories, got '{src}'"
                ));
            }
            // A directory lands as a directory inside the destination.
            return self.copy(&src, &join(dest, &base(&src)), &src);
        }
        if excluded(&src, ".", &self.op.exclude) {
            return Ok(());
        }
        if self.op.strategy == Strategy::Extract {
            if !is_tarball(&src) {
                return Err(format!(
                    "extract strategy requires tarball file (.tar.gz or .tgz), got '{src}'"
                ));
            }
            return self.extract(&src, dest);
        }
        let target = if dest_is_dir || self.staged(dest).is_dir() {
            join(dest, &base(&src))
        } else {
            dest.to_string()
        };
        self.copy(&src, &target, ".")
    }

    /// `copyFileWithRoots`: a directory recursively, a file by copy or merge.
    fn copy(&self, src: &str, dest: &str, exclude_base: &str) -> Result<(), String> {
        let path = self.root.resolve(src).map_err(|e| e.to_string())?;
        let info = std::fs::metadata(&path).map_err(|e| format!("stat {src}: {}", io_text(&e)))?;
        if info.is_dir() {
            return self.copy_dir(src, dest, exclude_base);
        }
        self.copy_file(src, dest)
    }

    fn copy_file(&self, src: &str, dest: &str) -> Result<(), String> {
        if self.op.strategy == Strategy::Merge && self.staged(dest).exists() {
            return self.merge(src, dest);
        }
        let from = self.root.resolve(src).map_err(|e| e.to_string())?;
        let to = self.staged(dest);
        let parent = dir(dest);
        if parent != "." {
            std::fs::create_dir_all(self.staged(&parent)).map_err(|e| {
                format!(
                    "failed to create destination directory: mkdir {parent}: {}",
                    io_text(&e)
                )
            })?;
        }
        std::fs::copy(&from, &to).map_err(|e| format!("open {dest}: {}", io_text(&e)))?;
        Ok(())
    }

    /// `copyDirWithRoots`: walks `src` in lexical order; excluded entries (and whole excluded
    /// directories) are skipped; directories are created even when they end up empty.
    fn copy_dir(&self, src: &str, dest: &str, exclude_base: &str) -> Result<(), String> {
        std::fs::create_dir_all(self.staged(dest))
            .map_err(|e| format!("mkdir {dest}: {}", io_text(&e)))?;
        let dir_path = self.root.resolve(src).map_err(|e| e.to_string())?;
        let mut entries: Vec<(String, bool)> = std::fs::read_dir(&dir_path)
            .map_err(|e| format!("open {src}: {}", io_text(&e)))?
            .filter_map(|e| e.ok())
            .map(|e| {
                let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
                (e.file_name().to_string_lossy().into_owned(), is_dir)
            })
            .collect();
        entries.sort();
        for (name, is_dir) in entries {
            let child = join(src, &name);
            if excluded(&child, exclude_base, &self.op.exclude) {
                continue;
            }
            let target = join(dest, &name);
            if is_dir {
                self.copy_dir(&child, &target, exclude_base)?;
            } else {
                self.copy_file(&child, &target)?;
            }
        }
        Ok(())
    }

    /// `mergeFileWithRoots`: the source's documents merged into the destination's.
    fn merge(&self, src: &str, dest: &str) -> Result<(), String> {
        let from = self.root.resolve(src).map_err(|e| e.to_string())?;
        let source = load_yaml(&from)?;
        let existing = load_yaml(&self.staged(dest))?;
        let merged = merge_maps(existing, source);
        let text = serde_norway::to_string(&sorted(Value::Object(merged)))
            .map_err(|e| format!("failed to merged YAML: {e}"))?;
        std::fs::write(self.staged(dest), text).map_err(|e| format!("open {dest}: {}", io_text(&e)))
    }

    /// `extractTarball` with fluxcd/pkg/tar's `Untar`: regular files and directories only,
    /// names must stay inside, at most 100 MiB.
    fn extract(&self, src: &str, dest: &str) -> Result<(), String> {
        let from = self.root.resolve(src).map_err(|e| e.to_string())?;
        let file = std::fs::File::open(&from)
            .map_err(|e| format!("failed to open tarball \"{src}\": {}", io_text(&e)))?;
        let dest_dir = self.staged(&clean(dest));
        std::fs::create_dir_all(&dest_dir).map_err(|e| {
            format!(
                "failed to create destination directory \"{dest}\": {}",
                io_text(&e)
            )
        })?;
        let wrap = |e: String| format!("failed to extract tarball \"{src}\" to \"{dest}\": {e}");
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
        let entries = archive
            .entries()
            .map_err(|e| wrap(format!("requires gzip-compressed body: {e}")))?;
        let mut processed = 0u64;
        for entry in entries {
            let mut entry = entry.map_err(|e| wrap(format!("tar error: {e}")))?;
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            processed += entry.size();
            if processed > MAX_UNTAR_SIZE {
                return Err(wrap(format!(
                    "tar \"{name}\" is bigger than max archive size of {MAX_UNTAR_SIZE} bytes"
                )));
            }
            if name.is_empty()
                || name.contains('\\')
                || name.starts_with('/')
                || name.contains("../")
            {
                return Err(wrap(format!("tar contained invalid name error \"{name}\"")));
            }
            let target = dest_dir.join(
                Path::new(&name)
                    .components()
                    .filter(|c| matches!(c, Component::Normal(_)))
                    .collect::<PathBuf>(),
            );
            match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    if let Some(parent) = target.parent() {
                        std::fs::create_dir_all(parent).map_err(|e| wrap(io_text(&e)))?;
                    }
                    entry.unpack(&target).map_err(|e| {
                        wrap(format!(
                            "error writing to {}: {}",
                            target.display(),
                            io_text(&e)
                        ))
                    })?;
                }
                tar::EntryType::Directory => {
                    std::fs::create_dir_all(&target).map_err(|e| wrap(io_text(&e)))?;
                }
                // Go reads a hard link entry as a regular file of its size, zero.
                tar::EntryType::Link => {
                    if let Some(parent) = target.parent() {
                        std::fs::create_dir_all(parent).map_err(|e| wrap(io_text(&e)))?;
                    }
                    std::fs::write(&target, b"").map_err(|e| {
                        wrap(format!(
                            "error writing to {}: {}",
                            target.display(),
                            io_text(&e)
                        ))
                    })?;
                }
                tar::EntryType::Symlink => {
                    return Err(wrap(format!(
                        "tar file entry {name} is a symlink, which is not allowed in this context"
                    )));
                }
                other => {
                    let mode = go_file_mode(other, entry.header().mode().unwrap_or(0));
                    return Err(wrap(format!(
                        "tar file entry {name} contained unsupported file type {mode}"
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Go's `fs.FileMode.String()` for a tar entry that is neither a file nor a directory.
fn go_file_mode(kind: tar::EntryType, mode: u32) -> String {
    let letter = match kind {
        tar::EntryType::Char => "Dc",
        tar::EntryType::Block => "D",
        tar::EntryType::Fifo => "p",
        _ => "?",
    };
    let mut out = letter.to_string();
    for (i, c) in "rwxrwxrwx".chars().enumerate() {
        out.push(if mode & (1 << (8 - i)) != 0 { c } else { '-' });
    }
    out
}

/// `loadYAML`: every document of the file merged into one map.
fn load_yaml(path: &Path) -> Result<Map<String, Value>, String> {
    let text = crate::limits::read_text(path).map_err(|e| match e {
        crate::limits::ReadError::Io { error, .. } => io_text(&error),
        other => other.to_string(),
    })?;
    let bounded = crate::limits::Bounded::new(&text)
        .map_err(|e| format!("error reading YAML document: {e}"))?;
    let mut out = Map::new();
    for document in bounded.yaml_documents() {
        let value = <Value as serde::Deserialize>::deserialize(document)
            .map_err(|e| format!("error reading YAML document: {e}"))?;
        let map = match value {
            Value::Null => Map::new(),
            Value::Object(map) => map,
            other => {
                return Err(format!(
                    "cannot unmarshal YAML document: error unmarshaling JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    go_json_kind(&other)
                ))
            }
        };
        out = merge_maps(out, map);
    }
    Ok(out)
}

fn go_json_kind(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        _ => "value",
    }
}

/// `mergeMap`: maps merge recursively, the overlay wins everywhere else (lists included).
fn merge_maps(base: Map<String, Value>, overlay: Map<String, Value>) -> Map<String, Value> {
    let mut out = base;
    for (key, value) in overlay {
        let merged = match (out.remove(&key), value) {
            (Some(Value::Object(b)), Value::Object(o)) => Value::Object(merge_maps(b, o)),
            (_, v) => v,
        };
        out.insert(key, merged);
    }
    out
}

/// Keys sorted, as Go's YAML marshalling of a map writes them.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}
