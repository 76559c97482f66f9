//! The input limit's nesting pass against the YAML parser: whatever the text, the pass never
//! panics, never refuses a text the parser reads, and refuses every text the parser gives up on
//! for its depth; the scan path (`gitops::load_stream`) reads any text without a panic.
#![no_main]
#![allow(clippy::disallowed_methods)] // the parser alone is the oracle here

use fluxverify::gitops::{load_stream, LoadOptions};
use fluxverify::limits::check_nesting;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let checked = check_nesting(text);
    match serde_norway::from_str::<serde_norway::Value>(text) {
        Ok(_) => assert!(checked.is_ok(), "refused a text the parser reads: {checked:?}"),
        Err(e) if e.to_string().contains("recursion limit exceeded") => {
            assert!(checked.is_err(), "passed a text the parser finds too deep")
        }
        Err(_) => {}
    }
    let _ = load_stream("-", text, &LoadOptions::default());
});
