//! Manifest files as streams of documents, each with the line where it starts.
//!
//! A YAML stream is cut at its `---` separators by hand before each piece is parsed, because
//! the YAML parser reports positions in errors but not where a successfully parsed document
//! began, and a scan must point at the line of every resource (`file:line` in text output,
//! `file=F,line=L` in GitHub annotations). At column 0 a `---` can only be a document marker:
//! block scalars and flow collections of a top-level mapping are indented.

use crate::limits::{Bounded, Refusal};
use serde_json::Value;

/// One document of a manifest file.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// 1-based line of the document's first content line (after `---` and comments).
    pub line: usize,
    /// The document, as JSON values (Kubernetes manifests have string keys only).
    pub value: Value,
}

/// Why a file's documents could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {detail}")]
pub struct SyntaxError {
    /// 1-based line in the file.
    pub line: usize,
    /// The parser's message, without its own (document-relative) position.
    pub detail: String,
    /// The input limit refused the text before the parser read it (`detail` says which limit).
    pub refused: bool,
}

/// Is this line a document marker (`---`, `--- ...`) or an end marker (`...`)?
fn is_marker(line: &str) -> Option<bool> {
    let line = line.trim_end_matches('\r');
    if line == "---" || line.starts_with("--- ") || line.starts_with("---\t") {
        return Some(true);
    }
    (line == "..." || line.starts_with("... ")).then_some(false)
}

/// The first line of `chunk` (starting at `first_line`) that is neither blank, a comment nor a
/// marker: where `kubectl` and editors would say the object starts.
fn content_line(chunk: &str, first_line: usize) -> usize {
    for (i, line) in chunk.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || (i == 0 && is_marker(line).is_some()) {
            continue;
        }
        return first_line + i;
    }
    first_line
}

/// serde_norway puts ` at line L column C` (relative to the piece it parsed) at the end of its
/// messages; the file-relative line is reported instead.
fn strip_position(message: &str) -> String {
    static POSITION: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    match POSITION.get_or_init(|| regex::Regex::new(r" at line \d+ column \d+").ok()) {
        Some(re) => re.replace_all(message, "").into_owned(),
        None => message.to_owned(),
    }
}

/// A text refused by the input limit, as a syntax error at the line it names (`first_line` is
/// the line of the piece's start in the file).
fn refused(refusal: Refusal, first_line: usize) -> SyntaxError {
    SyntaxError {
        line: match &refusal {
            Refusal::TooDeep(at) => first_line + at.line.saturating_sub(1),
            Refusal::TooLarge { .. } => first_line,
        },
        detail: refusal.to_string(),
        refused: true,
    }
}

/// Splits and parses a YAML stream, each document within the input limit. Empty documents are
/// dropped.
pub fn parse_yaml_stream(text: &str) -> Result<Vec<Document>, SyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut pieces: Vec<(usize, String)> = Vec::new();
    let mut current = String::new();
    let mut start = 1usize;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        match is_marker(line.trim_end_matches('\n')) {
            Some(true) => {
                pieces.push((start, std::mem::take(&mut current)));
                start = i + 1;
                // The marker line may carry content (`--- {a: 1}`): keep it, minus the marker.
                current.push_str(&" ".repeat(3));
                current.push_str(line.get(3..).unwrap_or_default());
            }
            Some(false) => {
                pieces.push((start, std::mem::take(&mut current)));
                start = i + 2;
            }
            None => current.push_str(line),
        }
    }
    pieces.push((start, current));
    let mut documents = Vec::new();
    for (first_line, piece) in pieces {
        if piece.trim().is_empty() {
            continue;
        }
        // Each piece on its own (its lines offset to the file's): the pass is linear in the
        // whole stream all the same.
        let bounded = Bounded::new(&piece).map_err(|r| refused(r, first_line))?;
        let value: Value = bounded.yaml().map_err(|e| SyntaxError {
            line: first_line + e.location().map_or(0, |l| l.line().saturating_sub(1)),
            detail: strip_position(&e.to_string()),
            refused: false,
        })?;
        if value.is_null() {
            continue;
        }
        documents.push(Document {
            line: content_line(&piece, first_line),
            value,
        });
    }
    Ok(documents)
}

/// Parses a JSON file within the input limit: one value (an object or a `kind: List`), starting
/// where its first non-blank character is.
pub fn parse_json(text: &str) -> Result<Vec<Document>, SyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bounded = Bounded::new(text).map_err(|r| refused(r, 1))?;
    let value: Value = bounded.json().map_err(|e| SyntaxError {
        line: e.line().max(1),
        detail: strip_position(&e.to_string()),
        refused: false,
    })?;
    let line = text
        .lines()
        .position(|l| !l.trim().is_empty())
        .map_or(1, |i| i + 1);
    Ok(vec![Document { line, value }])
}

/// Expands `kind: List` (and `*List` kinds `kubectl get -o yaml` prints) into its items, each
/// at the list's line.
pub fn expand_lists(documents: Vec<Document>) -> Vec<Document> {
    let mut out = Vec::new();
    for document in documents {
        let kind = document.value.get("kind").and_then(Value::as_str);
        let is_list = kind.is_some_and(|k| k == "List" || k.ends_with("List"))
            && document.value.get("items").is_some_and(Value::is_array);
        if !is_list {
            out.push(document);
            continue;
        }
        if let Some(items) = document.value.get("items").and_then(Value::as_array) {
            out.extend(expand_lists(
                items
                    .iter()
                    .map(|item| Document {
                        line: document.line,
                        value: item.clone(),
                    })
                    .collect(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_carry_their_first_content_line() {
        let text = "# header\n---\napiVersion: v1\nkind: A\n---\n\n# c\nkind: B\n---\n--- \n...\nkind: C\n";
        let docs = parse_yaml_stream(text).unwrap();
        let lines: Vec<(usize, &str)> = docs
            .iter()
            .map(|d| (d.line, d.value["kind"].as_str().unwrap()))
            .collect();
        assert_eq!(lines, vec![(3, "A"), (8, "B"), (12, "C")]);
    }

    #[test]
    fn content_on_the_marker_line_and_block_scalars() {
        let text = "--- {kind: A}\n---\nkind: B\ndata:\n  x: |\n    ---\n    not a marker\n";
        let docs = parse_yaml_stream(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].line, 1);
        assert_eq!(docs[1].value["data"]["x"], "---\nnot a marker\n");
    }

    #[test]
    fn errors_name_the_file_line() {
        let text = "kind: A\n---\nkind: B\nmetadata:\n  name: [x\n";
        let e = parse_yaml_stream(text).unwrap_err();
        assert!(e.line >= 5, "{e:?}");
        assert!(!e.detail.contains(" at line "), "{e:?}");
        let e = parse_json("{\n  \"a\": 1,\n  \"b\": \n}").unwrap_err();
        assert_eq!(e.line, 4);
    }

    #[test]
    fn lists_are_expanded() {
        let docs = parse_json(r#"{"kind":"List","items":[{"kind":"A"},{"kind":"SecretList","items":[{"kind":"Secret"}]}]}"#).unwrap();
        let kinds: Vec<String> = expand_lists(docs)
            .iter()
            .map(|d| d.value["kind"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(kinds, vec!["A", "Secret"]);
    }
}
