//! Where the committed test vectors are: `tests/vectors`, and in it the corpus of signed OCI
//! layouts with each case's trust material.

use std::path::{Path, PathBuf};

/// `tests/vectors`.
pub fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// `tests/vectors/corpus`.
pub fn corpus() -> PathBuf {
    vectors().join("corpus")
}

/// The OCI layout of the corpus artifact `name` (its subject tagged `v1`).
pub fn layout(name: &str) -> PathBuf {
    corpus().join("layouts").join(name)
}

/// The Secret of the corpus case `<name>--strict`: a strict trust policy for every repository
/// and the trust store holding the artifact's root.
pub fn strict_secret(name: &str) -> PathBuf {
    corpus().join(format!("cases/{name}--strict/secret.yaml"))
}
