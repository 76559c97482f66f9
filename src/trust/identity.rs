//! Trusted identity matching (notation-go `verifyX509TrustedIdentities`).
//!
//! The leaf's subject is rendered with Go's `pkix.Name.String()` and parsed back with the same
//! DN rules as the policy's identities, so subjects that Go renders with `OID=#hex` values
//! (e.g. an e-mail address), with multi-valued RDNs (two `OU`s) or without `C`, `ST` and `O`
//! never match anything but `*`.

use crate::pki::cert::Certificate;
use crate::pki::chain::go_quote;
use crate::trust::dn::{self, DnError, DnMap};
use crate::trust::policy::{TrustPolicyStatement, X509_SUBJECT};

/// Why the leaf does not match; `Display` is notation-go's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// An identity without `:` (validation normally catches this first).
    #[error("trust policy statement {} has trusted identity {} missing separator", go_quote(.0), go_quote(.1))]
    MissingSeparator(String, String),
    /// An `x509.subject` identity that does not parse (returned as is, unwrapped).
    #[error(transparent)]
    Identity(DnError),
    /// Only non-`x509.subject` identities.
    #[error("no x509 trusted identities are configured in the trust policy {}", go_quote(.0))]
    NoX509Identities(String),
    /// The leaf's own subject does not parse under notation's rules.
    #[error("error while parsing the certificate subject from the digital signature. error : {}", go_quote(&.0.to_string()))]
    LeafSubject(DnError),
    /// No identity is a subset of the leaf's subject.
    #[error("signing certificate from the digital signature does not match the X.509 trusted identities {} defined in the trust policy {}", dn::go_quote_maps(.0), go_quote(.1))]
    NoMatch(Vec<DnMap>, String),
}

/// Checks the signing certificate against the statement's trusted identities.
pub fn verify_trusted_identities(
    statement: &TrustPolicyStatement,
    leaf: &Certificate,
) -> Result<(), IdentityError> {
    verify_identities(
        &statement.name,
        &statement.trusted_identities,
        &leaf.subject(),
    )
}

/// [`verify_trusted_identities`] on a subject already in Go's `pkix.Name.String()` form.
pub fn verify_identities(
    policy_name: &str,
    identities: &[String],
    leaf_subject: &str,
) -> Result<(), IdentityError> {
    if identities.iter().any(|i| i == "*") {
        return Ok(());
    }
    let mut trusted: Vec<DnMap> = Vec::new();
    for identity in identities {
        let Some((prefix, value)) = identity.split_once(':') else {
            return Err(IdentityError::MissingSeparator(
                policy_name.to_string(),
                identity.clone(),
            ));
        };
        if prefix == X509_SUBJECT {
            trusted.push(dn::parse_distinguished_name(value).map_err(IdentityError::Identity)?);
        }
    }
    if trusted.is_empty() {
        return Err(IdentityError::NoX509Identities(policy_name.to_string()));
    }
    let leaf = dn::parse_distinguished_name(leaf_subject).map_err(IdentityError::LeafSubject)?;
    if trusted.iter().any(|t| dn::is_subset(t, &leaf)) {
        Ok(())
    } else {
        Err(IdentityError::NoMatch(trusted, policy_name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    const LEAF: &str = "CN=SomeCN,OU=SomeOU,O=SomeOrg,L=Seattle,ST=WA,C=US";

    #[test]
    fn matching() {
        assert!(verify_identities("p", &ids(&["x509.subject:C=US,O=SomeOrg,ST=WA"]), LEAF).is_ok());
        assert!(verify_identities("p", &ids(&["*"]), LEAF).is_ok());
        assert_eq!(
            verify_identities("p", &ids(&["nonX509Prefix:x"]), LEAF)
                .unwrap_err()
                .to_string(),
            "no x509 trusted identities are configured in the trust policy \"p\""
        );
        assert_eq!(
            verify_identities("test-statement-name", &ids(&["x509.subject:CN=LOL,O=DummyOrg,L=Hyderabad,ST=TG,C=IN"]), LEAF)
                .unwrap_err()
                .to_string(),
            "signing certificate from the digital signature does not match the X.509 trusted identities [map[\"C\":\"IN\" \"CN\":\"LOL\" \"L\":\"Hyderabad\" \"O\":\"DummyOrg\" \"ST\":\"TG\"]] defined in the trust policy \"test-statement-name\""
        );
        let err = verify_identities(
            "p",
            &ids(&["x509.subject:C=US,O=a,ST=b"]),
            "CN=Bad=#CN,O=a,ST=b,C=US",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("error while parsing the certificate subject from the digital signature. error : \"unsupported distinguished name (DN) \\\"CN=Bad=#CN"), "{err}");
    }
}
