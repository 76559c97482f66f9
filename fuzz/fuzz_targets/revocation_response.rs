//! OCSP responses and CRLs: whatever a responder sends back for a real chain whose leaf names a
//! CRL distribution point and whose intermediate names an OCSP server and a CRL.
#![no_main]

use fluxverify::pki::cert::Certificate;
use fluxverify::pki::revocation::http::{Request, Response, Transport, TransportError};
use fluxverify::pki::revocation::{Purpose, RevocationConfig, Validator};
use fluxverify::trust::pem;
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};

// The upstream vectors are not in the repository; fuzz/run.sh says where they are.
#[path = "../../tests/support/upstream.rs"]
mod upstream;

/// Answers every request with the fuzz input.
struct Echo(Vec<u8>);

impl Transport for Echo {
    fn send(&self, request: &Request<'_>) -> Result<Response, TransportError> {
        let cap = usize::try_from(request.max_body).unwrap_or(usize::MAX);
        Ok(Response {
            status: 200,
            body: self.0.iter().copied().take(cap).collect(),
        })
    }
}

fn chain() -> &'static [Certificate] {
    static CHAIN: OnceLock<Vec<Certificate>> = OnceLock::new();
    CHAIN.get_or_init(|| {
        let pem = std::fs::read(upstream::upstream(
            "notation/test/e2e/testdata/config/crl/certchain_with_crl.pem",
        ))
        .expect("vector chain readable");
        let mut rest: &[u8] = &pem;
        let mut chain = Vec::new();
        while let Some((block, tail)) = pem::decode(rest) {
            chain.push(Certificate::from_der(&block.bytes).expect("vector certificate parses"));
            rest = tail;
        }
        chain
    })
}

fuzz_target!(|data: &[u8]| {
    let validator =
        Validator::with_transport(RevocationConfig::default(), Arc::new(Echo(data.to_vec())));
    for purpose in [Purpose::CodeSigning, Purpose::Timestamping] {
        let _ = validator.validate(chain(), purpose, None);
    }
});
