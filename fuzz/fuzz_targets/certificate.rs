//! Certificates as read from a Secret: DER (possibly concatenated) and their Go-style names.
#![no_main]

use fluxverify::pki::cert::{parse_certificates, Certificate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cert) = Certificate::from_der(data) {
        let _ = (
            cert.subject(),
            cert.issuer(),
            cert.not_before(),
            cert.not_after(),
        );
        let _ = (
            cert.key_usage(),
            cert.basic_constraints(),
            cert.sha256_fingerprint(),
        );
    }
    let _ = parse_certificates(data);
});
