//! `trustpolicy.json` bytes, in both dialects, through parsing, validation and selection.
#![no_main]

use fluxverify::trust::policy::{Dialect, TrustPolicyDocument};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for dialect in [Dialect::Flux, Dialect::Notation] {
        if let Ok(doc) = TrustPolicyDocument::parse(data, dialect) {
            if doc.validate().is_ok() {
                let _ = doc.applicable_statement("registry.example/app@sha256:0000");
            }
        }
    }
});
