//! Trusted-identity distinguished names (go-ldap syntax plus notation's rules).
#![no_main]

use fluxverify::trust::dn::parse_distinguished_name;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_distinguished_name(text);
    }
});
