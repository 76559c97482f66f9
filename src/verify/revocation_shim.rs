//! Until the revocation stage is available, decides honestly what can be decided without it.
//!
//! notation-core-go treats a certificate with neither an OCSP server (AIA) nor CRL distribution
//! points as non-revokable and the chain's root as non-revokable, so a chain without any of
//! them is "OK" without a network call. Any chain that names a revocation service is reported
//! as not checked, which never counts as passed.

use super::signature::{ChainPurpose, RevocationStatus};
use crate::pki::cert::Certificate;
use const_oid::ObjectIdentifier;

const AUTHORITY_INFO_ACCESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1");
const CRL_DISTRIBUTION_POINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.31");
const ACCESS_METHOD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");

/// Whether `cert` names an OCSP responder or a CRL distribution point.
fn names_revocation_service(cert: &Certificate) -> bool {
    use der::Decode as _;
    let ocsp = cert
        .extension(&AUTHORITY_INFO_ACCESS)
        .map(|e| {
            x509_cert::ext::pkix::AuthorityInfoAccessSyntax::from_der(e.extn_value.as_bytes())
                // An undecodable extension is treated as naming a service: fail closed.
                .map_or(true, |aia| {
                    aia.0.iter().any(|d| d.access_method == ACCESS_METHOD_OCSP)
                })
        })
        .unwrap_or(false);
    ocsp || cert.extension(&CRL_DISTRIBUTION_POINTS).is_some()
}

/// The revocation status when no revocation checker is available.
pub fn without_checker(chain: &[Certificate], purpose: ChainPurpose) -> RevocationStatus {
    let Some((_root, rest)) = chain.split_last() else {
        return RevocationStatus::Error("chain does not contain any certificates".into());
    };
    match rest.iter().find(|c| names_revocation_service(c)) {
        None => RevocationStatus::Ok,
        Some(cert) => RevocationStatus::NotChecked(format!(
            "{} certificate {:?} names a revocation service and revocation checking is not available in this build",
            match purpose {
                ChainPurpose::CodeSigning => "signing",
                ChainPurpose::Timestamping => "timestamping",
            },
            cert.subject()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem(path: &str) -> Certificate {
        let bytes = std::fs::read(format!(
            "{}/tests/vectors/upstream/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let (_, der) = der::pem::decode_vec(&bytes).unwrap();
        Certificate::from_der(&der).unwrap()
    }

    #[test]
    fn self_signed_chain_needs_no_network() {
        let cert = pem("notation/test/e2e/testdata/config/localkeys/e2e.crt");
        assert_eq!(
            without_checker(&[cert], ChainPurpose::CodeSigning),
            RevocationStatus::Ok
        );
    }

    #[test]
    fn chain_with_crl_is_not_checked() {
        let bytes = std::fs::read(format!(
            "{}/tests/vectors/upstream/notation/test/e2e/testdata/config/crl/certchain_with_crl.pem",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let chain: Vec<Certificate> = text
            .split_inclusive("-----END CERTIFICATE-----")
            .filter(|b| b.contains("BEGIN"))
            .map(|b| {
                Certificate::from_der(&der::pem::decode_vec(b.trim().as_bytes()).unwrap().1)
                    .unwrap()
            })
            .collect();
        assert!(chain.len() >= 2);
        assert!(matches!(
            without_checker(&chain, ChainPurpose::CodeSigning),
            RevocationStatus::NotChecked(_)
        ));
    }
}
