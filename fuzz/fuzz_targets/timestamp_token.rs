//! RFC 3161 timestamp countersignatures. The input is `u16 little-endian length | envelope
//! signature bytes | token`, so that seeds taken from real timestamped envelopes get past the
//! message-imprint check and mutations reach the CMS signature, certificates and TSA chain.
#![no_main]

use fluxverify::pki::cert::Certificate;
use fluxverify::pki::revocation::http::{Request, Response, Transport, TransportError};
use fluxverify::pki::revocation::{RevocationConfig, Validator};
use fluxverify::pki::timestamp::{read_token, verify_timestamp, TimestampInput};
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};

// The upstream vectors are not in the repository; fuzz/run.sh says where they are.
#[path = "../../tests/support/upstream.rs"]
mod upstream;

/// Revocation servers are never reachable while fuzzing.
struct Offline;

impl Transport for Offline {
    fn send(&self, request: &Request<'_>) -> Result<Response, TransportError> {
        Err(TransportError::Failed {
            method: request.method.as_str(),
            url: request.url.to_string(),
            reason: "offline".to_string(),
        })
    }
}

fn tsa_root() -> &'static Certificate {
    static ROOT: OnceLock<Certificate> = OnceLock::new();
    ROOT.get_or_init(|| {
        let der = std::fs::read(upstream::upstream(
            "notation-go/verifier/testdata/truststore/x509/tsa/test-timestamp/globalsignRoot.cer",
        ))
        .expect("vector root readable");
        Certificate::from_der(&der).expect("vector root parses")
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = read_token(data);
    let Some((len, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let len = usize::from(u16::from_le_bytes(*len)).min(rest.len());
    let (signature, token) = rest.split_at(len);
    let input = TimestampInput {
        token: Some(token),
        signature,
        signing_chain: &[],
    };
    let revocation = Validator::with_transport(RevocationConfig::default(), Arc::new(Offline));
    let _ = verify_timestamp(&input, || Ok(vec![tsa_root().clone()]), &revocation);
});
