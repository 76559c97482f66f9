//! Where the upstream Notary Project test vectors are: `FLUXVERIFY_UPSTREAM_VECTORS` when set,
//! else `../shared/upstream-vectors` beside the repository. They are other projects' data, so
//! they are not in this repository (tests/vectors/PROVENANCE.md); the tests that read them are
//! ignored unless the `upstream-vectors` feature is on (`scripts/test` turns it on).
//!
//! Standalone (no other `support` module), so any test can include it by path; the library's
//! unit tests include it too, as `crate::testdata`.

#![allow(dead_code)]

use std::path::PathBuf;

/// The upstream vectors' directory. Missing, the test fails here, naming where it looked.
pub(crate) fn upstream_vectors() -> PathBuf {
    let (dir, from) = match std::env::var_os("FLUXVERIFY_UPSTREAM_VECTORS") {
        Some(dir) if !dir.is_empty() => (PathBuf::from(dir), "FLUXVERIFY_UPSTREAM_VECTORS"),
        _ => (
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../shared/upstream-vectors"
            )),
            "the default, ../shared/upstream-vectors beside the repository",
        ),
    };
    assert!(
        dir.join("cases.json").is_file(),
        "this test needs the upstream Notary Project test vectors, which are not at {} ({from}): \
         set FLUXVERIFY_UPSTREAM_VECTORS=DIR to where they are, or leave these tests out by \
         running without the upstream-vectors feature (FLUXVERIFY_SKIP_UPSTREAM_VECTORS=1 scripts/test)",
        dir.display()
    );
    dir
}

/// A path inside the upstream vectors.
pub(crate) fn upstream(rel: &str) -> PathBuf {
    upstream_vectors().join(rel)
}
