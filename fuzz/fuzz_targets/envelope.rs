//! Signature envelopes: JWS JSON and COSE_Sign1, parsed, read and verified.
#![no_main]

use fluxverify::envelope::Envelope;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for media_type in ["application/jose+json", "application/cose"] {
        if let Ok(envelope) = Envelope::parse(media_type, data) {
            let _ = envelope.content();
            let _ = envelope.verify();
        }
    }
});
