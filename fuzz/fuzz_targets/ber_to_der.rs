//! The BER to DER normaliser applied to timestamp tokens.
#![no_main]

use fluxverify::pki::ber::convert_to_der;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(der) = convert_to_der(data) {
        // DER is a fixed point: normalising it again must not change it.
        assert_eq!(convert_to_der(&der).ok().as_deref(), Some(der.as_slice()));
    }
});
