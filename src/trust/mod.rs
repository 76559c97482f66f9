//! Trust material: Secret manifests, trust stores and the trust policy document.

pub mod check;
pub mod dn;
pub mod identity;
pub mod material;
pub mod pem;
pub mod policy;
pub mod secret;
pub mod store;

#[cfg(test)]
mod robustness {
    //! Random and mutated inputs must give errors, never panics.
    use rand::{Rng, SeedableRng};

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn parsers_do_not_panic_on_random_or_mutated_input() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let der = std::fs::read(crate::testdata::upstream(
            "notation-core-go/x509/testdata/der.der",
        ))
        .unwrap();
        let policy = br#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["a.io/b"],"signatureVerification":{"level":"strict","override":{"expiry":"log"}},"trustStores":["ca:s"],"trustedIdentities":["x509.subject:C=US,ST=WA,O=x"]}]}"#;
        let pem = b"-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n";
        for round in 0..3000 {
            let dn = b"CN=a\\,b\\41, O=x+OU=y; C=US ,ST=\\ w\\ ";
            let seed: &[u8] = match round % 4 {
                0 => &der,
                1 => policy,
                2 => dn,
                _ => pem,
            };
            let mut input = seed.to_vec();
            for _ in 0..rng.gen_range(1..8) {
                let i = rng.gen_range(0..input.len());
                match rng.gen_range(0..3) {
                    0 => input[i] = rng.gen(),
                    1 => input.truncate(i),
                    _ => input.insert(i, rng.gen()),
                }
                if input.is_empty() {
                    input.push(0x30);
                }
            }
            let _ = crate::pki::cert::parse_certificates(&input);
            let _ = crate::trust::pem::decode(&input);
            let _ = crate::trust::store::read_certificate_file(&input);
            for dialect in [
                super::policy::Dialect::Flux,
                super::policy::Dialect::Notation,
            ] {
                if let Ok(doc) = super::policy::TrustPolicyDocument::parse(&input, dialect) {
                    let _ = doc.validate();
                    let _ = doc.applicable_statement("a.io/b@sha256:00");
                }
            }
            let text = String::from_utf8_lossy(&input);
            let _ = super::dn::parse_distinguished_name(&text);
            let _ = crate::source::reference::Reference::parse(
                &text,
                crate::source::reference::Normalisation::Flux,
            );
        }
    }
}
