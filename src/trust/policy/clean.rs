//! Flux's `CleanTrustPolicy`, run on the document before notation-go validates it.
//!
//! It is Flux's reading of trust material, so it lives with the trust stage that reads the
//! document in Flux's dialect (as the Secret's and the parser's Flux rules do).
//!
//! For every statement whose level is exactly `skip`, Flux empties `trustStores` and
//! `trustedIdentities` (logging a warning when there was something to drop). notation would
//! reject such a statement; under Flux it validates, and it also hides malformed store or
//! identity values inside skip statements.

use super::TrustPolicyDocument;

/// Applies Flux's clean-up and returns the warnings Flux logs, in statement order.
pub fn clean_trust_policy(doc: &mut TrustPolicyDocument) -> Vec<String> {
    let mut warnings = Vec::new();
    for statement in &mut doc.trust_policies {
        if statement.signature_verification.level != "skip" {
            continue;
        }
        if !statement.trust_stores.is_empty() || !statement.trusted_identities.is_empty() {
            warnings.push(format!(
                "warning: trust policy statement '{}' is set to skip signature verification but configured with trust stores and/or trusted identities. Ignoring trust stores and trusted identities",
                statement.name
            ));
        }
        statement.trust_stores.clear();
        statement.trusted_identities.clear();
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::policy::Dialect;

    #[test]
    fn skip_statements_are_emptied_with_a_warning() {
        let text = r#"{"version":"1.0","trustPolicies":[
          {"name":"s","registryScopes":["*"],"signatureVerification":{"level":"skip"},"trustStores":["bad"],"trustedIdentities":["x"]},
          {"name":"k","registryScopes":["a.io/b"],"signatureVerification":{"level":"skip"}},
          {"name":"t","registryScopes":["a.io/c"],"signatureVerification":{"level":"strict"},"trustStores":["ca:x"],"trustedIdentities":["*"]}]}"#;
        let mut doc = TrustPolicyDocument::parse(text.as_bytes(), Dialect::Flux).unwrap();
        assert!(doc.validate().is_err());
        let warnings = clean_trust_policy(&mut doc);
        assert_eq!(warnings, vec!["warning: trust policy statement 's' is set to skip signature verification but configured with trust stores and/or trusted identities. Ignoring trust stores and trusted identities".to_string()]);
        assert!(doc.trust_policies[0].trust_stores.is_empty());
        assert_eq!(doc.trust_policies[2].trust_stores, vec!["ca:x".to_string()]);
        doc.validate().unwrap();
    }
}
