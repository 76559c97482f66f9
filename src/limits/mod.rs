//! The one input limit every file, stdin stream, Secret and kustomize build is held to before a
//! YAML or JSON parser reads it: at most [`MAX_INPUT_BYTES`], collections nested at most
//! [`MAX_NESTING`] deep.
//!
//! Reading is bounded ([`read_file`], [`read_stream`]): a file announced larger than the limit
//! is refused before a byte is read, and a stream is read no further than one byte past it, so
//! a 161 MB file (5.4 s and 650 MB of memory in the YAML parser) is refused at once. Parsing goes
//! through [`Bounded`], the only way to reach serde_norway (`clippy.toml` forbids calling it
//! directly, and `std::fs::read*` with it): the size and the nesting pass ([`nesting`]) come
//! first, so a megabyte of `[` or of `- - -` is refused in one linear pass.
//!
//! JSON read with serde_json goes through the same pass when it is user input ([`Bounded::json`]);
//! serde_json's own recursion limit is the same 128 and linear. The trust policy is read by the
//! Go `encoding/json` reader (`golang::json`), iterative and linear, with Go's own 10,000 levels:
//! Flux accepts such a policy, so refusing it earlier would be a difference from Flux.

pub mod nesting;

pub use nesting::{check_nesting, TooDeep, MAX_NESTING};

use serde::de::DeserializeOwned;
use std::io::Read;
use std::path::Path;

/// The largest input read, whatever it is: a manifest file, a stdin stream, a Secret, a Flux
/// Kustomization, a kustomize build. Kubernetes objects are at most about 1.5 MiB (etcd's request
/// limit), so this leaves room for a whole built cluster on stdin (`flux build`, `kustomize
/// build` of many Kustomizations) while bounding the parser's work to about two seconds and
/// a few hundred MiB.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// [`MAX_INPUT_BYTES`] in MiB, as messages say it.
const MAX_INPUT_MIB: u64 = MAX_INPUT_BYTES >> 20;

/// Why a text was refused before any parser read it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Over [`MAX_INPUT_BYTES`].
    #[error("larger than the input limit of {MAX_INPUT_MIB} MiB ({}; refused before parsing)", size_text(*.size))]
    TooLarge {
        /// Its size, when known; else only that it passed the limit.
        size: Option<u64>,
    },
    /// Nested deeper than [`MAX_NESTING`].
    #[error(transparent)]
    TooDeep(#[from] TooDeep),
}

fn size_text(size: Option<u64>) -> String {
    match size {
        Some(size) => format!("{size} bytes"),
        None => format!("more than {MAX_INPUT_BYTES} bytes"),
    }
}

/// Why an input could not be read (the message names it).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Open or read failure.
    #[error("cannot read {name}: {error}")]
    Io {
        /// The input (`<stdin>` for stdin).
        name: String,
        /// The OS error.
        error: std::io::Error,
    },
    /// Over [`MAX_INPUT_BYTES`]: not read further.
    #[error("{name} is {refusal}")]
    TooLarge {
        /// The input.
        name: String,
        /// The limit it passed.
        refusal: Refusal,
    },
    /// Not UTF-8 (only from [`read_text`]).
    #[error("{name} is not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 {
        /// The input.
        name: String,
        /// Offset of the first invalid byte.
        offset: usize,
    },
}

impl ReadError {
    /// What went wrong, without the input's name (for messages that name it their own way).
    pub fn detail(&self) -> String {
        match self {
            ReadError::Io { error, .. } => error.to_string(),
            ReadError::TooLarge { refusal, .. } => refusal.to_string(),
            ReadError::NotUtf8 { offset, .. } => {
                format!("not UTF-8 text (invalid byte at offset {offset})")
            }
        }
    }

    /// Whether the input was refused for its size (rather than unreadable).
    pub fn is_too_large(&self) -> bool {
        matches!(self, ReadError::TooLarge { .. })
    }
}

/// How messages name a path: `-` is stdin.
fn name_of(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Reads `reader` to its end, or up to one byte past [`MAX_INPUT_BYTES`] (then refused).
pub fn read_stream(name: &str, reader: impl Read) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| ReadError::Io {
            name: name.to_owned(),
            error,
        })?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(ReadError::TooLarge {
            name: name.to_owned(),
            refusal: Refusal::TooLarge { size: None },
        });
    }
    Ok(bytes)
}

/// Reads a file (`-`: stdin) within [`MAX_INPUT_BYTES`]; a file whose size says it is larger is
/// refused without reading it.
pub fn read_file(path: &Path) -> Result<Vec<u8>, ReadError> {
    let name = name_of(path);
    if path == Path::new("-") {
        return read_stream(&name, std::io::stdin().lock());
    }
    let io = |error| ReadError::Io {
        name: name.clone(),
        error,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_INPUT_BYTES {
        return Err(ReadError::TooLarge {
            name,
            refusal: Refusal::TooLarge { size: Some(size) },
        });
    }
    // A special file (`/dev/zero`, a FIFO) says nothing of its size: the read is bounded too.
    read_stream(&name, file)
}

/// [`read_file`], as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let bytes = read_file(path)?;
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        name: name_of(path),
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Why a text did not parse as YAML: refused by the input limit, or the parser's error.
#[derive(Debug, thiserror::Error)]
pub enum YamlError {
    /// Refused before parsing.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The parser's error.
    #[error(transparent)]
    Syntax(#[from] serde_norway::Error),
}

/// `text` as one YAML document, within the input limit.
pub fn yaml<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    Ok(Bounded::new(text)?.yaml()?)
}

/// A text within the input limit: the way to the YAML parser (and to serde_json for user
/// input).
#[derive(Debug, Clone, Copy)]
pub struct Bounded<'a>(&'a str);

impl<'a> Bounded<'a> {
    /// Checks `text`'s size, then its nesting (one linear pass).
    pub fn new(text: &'a str) -> Result<Self, Refusal> {
        if text.len() as u64 > MAX_INPUT_BYTES {
            return Err(Refusal::TooLarge {
                size: Some(text.len() as u64),
            });
        }
        check_nesting(text)?;
        Ok(Bounded(text))
    }

    /// The text.
    pub fn text(self) -> &'a str {
        self.0
    }

    /// The text as one YAML document.
    #[allow(clippy::disallowed_methods)] // the one call, behind the limits
    pub fn yaml<T: DeserializeOwned>(self) -> Result<T, serde_norway::Error> {
        serde_norway::from_str(self.0)
    }

    /// The text as a stream of YAML documents.
    #[allow(clippy::disallowed_methods)] // the one call, behind the limits
    pub fn yaml_documents(self) -> serde_norway::Deserializer<'a> {
        serde_norway::Deserializer::from_str(self.0)
    }

    /// The text as one JSON value.
    pub fn json<T: DeserializeOwned>(self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_larger_than_the_limit_is_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        // Sparse: announced as 64 MiB + 1 without writing that much.
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_INPUT_BYTES + 1).unwrap();
        let error = read_file(&path).unwrap_err();
        assert!(error.is_too_large());
        assert_eq!(
            error.to_string(),
            format!(
                "{} is larger than the input limit of 64 MiB (67108865 bytes; refused before parsing)",
                path.display()
            )
        );
        file.set_len(MAX_INPUT_BYTES).unwrap();
        assert_eq!(read_file(&path).unwrap().len() as u64, MAX_INPUT_BYTES);
    }

    #[test]
    fn a_stream_is_read_one_byte_past_the_limit_at_most() {
        let endless = std::io::repeat(b'a');
        let error = read_stream("<stdin>", endless).unwrap_err();
        assert_eq!(
            error.to_string(),
            "<stdin> is larger than the input limit of 64 MiB (more than 67108864 bytes; refused before parsing)"
        );
        assert_eq!(read_stream("x", &b"a: 1"[..]).unwrap(), b"a: 1");
        let missing = read_file(Path::new("/nonexistent/x.yaml")).unwrap_err();
        assert!(missing
            .to_string()
            .starts_with("cannot read /nonexistent/x.yaml: "));
    }

    #[test]
    fn bounded_texts_are_checked_for_size_then_nesting() {
        assert_eq!(
            Bounded::new(&"[".repeat(200)).unwrap_err(),
            Refusal::TooDeep(TooDeep {
                line: 1,
                column: 129
            })
        );
        let value: serde_json::Value = Bounded::new("a: [1]").unwrap().yaml().unwrap();
        assert_eq!(value["a"][0], 1);
    }
}
