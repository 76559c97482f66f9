//! placeholder
#![allow(missing_docs)]
use std::collections::HashMap;
use std::path::{Path, PathBuf};
pub fn compose_named(
    _spec: &serde_json::Value,
    _name: &str,
    _sources: &HashMap<String, PathBuf>,
    _out: &Path,
) -> Result<(), String> {
    Err("not yet".into())
}
