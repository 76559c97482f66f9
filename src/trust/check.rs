//! What `policy check` finds beyond validation, so that it cannot call material valid that Flux
//! (or notation) will fail with: trust stores whose certificates cannot be read, stores with no
//! certificate at all, named stores (notation mode) the material lacks; and the keys of
//! `trustpolicy.json` that Go's `encoding/json` ignores (so Flux does too), each with the
//! nearest known key, since a misspelt `override` silently changes nothing.

use super::material::TrustMaterial;
use super::policy::{Dialect, StoreType, TrustPolicyDocument};
use super::store::{TrustStore, TrustStoreError};
use serde_json::Value;

/// The stores every non-`skip` statement uses for authenticity, and what reading each gives:
/// an error message (the store's, as Flux or notation words it) for every store that cannot
/// yield a certificate. `tsa:` stores are left out: they are read only for a timestamped
/// signature.
pub fn store_problems(
    material: &TrustMaterial,
    document: &TrustPolicyDocument,
    dialect: Dialect,
) -> Vec<String> {
    let store = material.store(dialect);
    let mut problems = Vec::new();
    let uses_stores = document
        .trust_policies
        .iter()
        .any(|s| s.verification_level().is_ok_and(|l| !l.is_skip()));
    if dialect == Dialect::Flux && material.secret.is_none() && material.cert_entries.is_empty() {
        if uses_stores {
            problems.push(
                "no certificates found in --certs: the Secret Flux reads would fail with 'no certificates found in secret'"
                    .to_owned(),
            );
        }
        return problems;
    }
    let mut seen: Vec<String> = Vec::new();
    for statement in &document.trust_policies {
        if !statement.verification_level().is_ok_and(|l| !l.is_skip()) {
            continue;
        }
        for store_type in [StoreType::Ca, StoreType::SigningAuthority] {
            for name in statement.trust_store_names(store_type) {
                let entry = format!("{}:{name}", store_type.name());
                if seen.contains(&entry) {
                    continue;
                }
                seen.push(entry.clone());
                match store.certificates(store_type, name) {
                    Err(e) => {
                        let mut text = e.to_string();
                        if let TrustStoreError::FluxParse { key, .. } = &e {
                            text.push_str(&format!(" (from key '{key}')"));
                        }
                        problems.push(text);
                    }
                    Ok(certs) if certs.is_empty() => problems.push(format!(
                        "trust store {entry} (statement {:?}) holds no certificate: every signature fails authenticity with 'no trusted certificates are found to verify authenticity'",
                        statement.name
                    )),
                    Ok(_) => {}
                }
            }
        }
    }
    problems
}

/// The keys `encoding/json` maps onto the policy types (matched case-insensitively, as Go
/// does), by the path of the object that holds them.
fn known_keys(path: &[&str]) -> &'static [&'static str] {
    match path {
        [] => &["version", "trustPolicies"],
        ["trustPolicies"] => &[
            "name",
            "registryScopes",
            "signatureVerification",
            "trustStores",
            "trustedIdentities",
        ],
        ["trustPolicies", "signatureVerification"] => &["level", "override", "verifyTimestamp"],
        _ => &[],
    }
}

/// Levenshtein distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let delete = previous.get(j + 1).copied().unwrap_or(0) + 1;
            let insert = current.get(j).copied().unwrap_or(0) + 1;
            current.push(substitute.min(delete).min(insert));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

fn check_object(value: &Value, path: &mut Vec<&'static str>, at: &str, out: &mut Vec<String>) {
    let Some(map) = value.as_object() else {
        return;
    };
    let known = known_keys(path);
    for (key, child) in map {
        let matched = known.iter().find(|k| k.eq_ignore_ascii_case(key));
        match matched {
            Some(k) => {
                let next: Option<&'static str> = match *k {
                    "trustPolicies" => Some("trustPolicies"),
                    "signatureVerification" => Some("signatureVerification"),
                    _ => None,
                };
                let Some(next) = next else { continue };
                path.push(next);
                match child {
                    Value::Array(items) => {
                        for (i, item) in items.iter().enumerate() {
                            check_object(item, path, &format!("{at}{key}[{i}]."), out);
                        }
                    }
                    other => check_object(other, path, &format!("{at}{key}."), out),
                }
                path.pop();
            }
            None => {
                let nearest = known
                    .iter()
                    .map(|k| {
                        (
                            distance(&key.to_ascii_lowercase(), &k.to_ascii_lowercase()),
                            k,
                        )
                    })
                    .min();
                let hint = match nearest {
                    Some((d, k)) if d <= 3.max(key.len() / 3) => {
                        format!(": did you mean {k:?}?")
                    }
                    _ => String::new(),
                };
                out.push(format!(
                    "unknown key {key:?} at {at}{key} in trustpolicy.json is ignored (Go's encoding/json, and so Flux, skips it){hint}"
                ));
            }
        }
    }
}

/// Every key of the policy document Go ignores, with the nearest known key where one is close.
/// A document that does not parse gives nothing here (validation reports it).
pub fn unknown_keys(policy: &[u8]) -> Vec<String> {
    let Ok(value) = serde_json::from_slice::<Value>(policy) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    check_object(&value, &mut Vec::new(), "", &mut out);
    out
}

/// For a `trustpolicy.json` Go's `encoding/json` refuses: where, as line and column, with the
/// line itself (the error keeps Go's words, which name a character but no place).
pub fn policy_syntax(policy: &[u8]) -> Option<String> {
    let (line, column) = crate::golang::json::syntax_error_position(policy)?;
    let text = String::from_utf8_lossy(policy);
    let shown = text.lines().nth(line - 1).unwrap_or_default().trim();
    // The most common cause, a comma before a closing bracket, is on the line before.
    let offending = text
        .lines()
        .nth(line - 1)
        .and_then(|l| l.chars().nth(column - 1));
    let before = text.lines().take(line - 1).collect::<Vec<_>>().join("\n")
        + &text
            .lines()
            .nth(line - 1)
            .unwrap_or_default()
            .chars()
            .take(column - 1)
            .collect::<String>();
    let trailing_comma = matches!(offending, Some('}' | ']')) && before.trim_end().ends_with(',');
    Some(format!(
        "the JSON syntax error in trustpolicy.json is at line {line}, column {column}: {shown}{}",
        if trailing_comma {
            " (JSON allows no comma before a closing bracket: remove the one before it)"
        } else {
            ""
        }
    ))
}

/// Everything the user should know about the material before any verdict, the same for
/// `verify`, `policy check` and `policy explain`: what was not read (Secret keys Flux ignores,
/// `--certs` store names Flux ignores) and the keys of `trustpolicy.json` Go skips.
pub fn material_warnings(material: &TrustMaterial) -> Vec<String> {
    let mut warnings = material.warnings.clone();
    if let Some(bytes) = &material.policy_bytes {
        warnings.extend(unknown_keys(bytes));
    }
    warnings.extend(private_keys(material));
    warnings
}

/// Trusted certificates outside their validity period at `now`, and what that does to the
/// signatures each non-`skip` statement judges: notation-go checks the signature's chain against
/// the current time when the signature carries no RFC 3161 timestamp (`authenticTimestamp`),
/// so a chain through an expired (or not yet valid) certificate fails that validation.
pub fn validity_warnings(
    material: &TrustMaterial,
    document: &TrustPolicyDocument,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<String> {
    use super::policy::{Action, ValidationType};
    let mut effects = Vec::new();
    for s in &document.trust_policies {
        let Ok(level) = s.verification_level() else {
            continue;
        };
        if level.is_skip() {
            continue;
        }
        effects.push(match level.action(ValidationType::AuthenticTimestamp) {
            Action::Enforce => format!(
                "statement '{}' enforces authenticTimestamp: Flux fails them",
                s.name
            ),
            Action::Log => format!(
                "statement '{}' logs authenticTimestamp: the failure is only logged",
                s.name
            ),
            Action::Skip => format!(
                "statement '{}' skips authenticTimestamp: not checked",
                s.name
            ),
        });
    }
    if effects.is_empty() {
        return Vec::new();
    }
    let store = super::store::FluxTrustStore::new(material.cert_entries.clone());
    let mut out = Vec::new();
    for report in store.report() {
        for cert in &report.used {
            let when = if now > cert.not_after() {
                format!(
                    "expired at {}",
                    cert.not_after().format("%Y-%m-%d %H:%M:%S UTC")
                )
            } else if now < cert.not_before() {
                format!(
                    "is not valid until {}",
                    cert.not_before().format("%Y-%m-%d %H:%M:%S UTC")
                )
            } else {
                continue;
            };
            out.push(format!(
                "certificate {:?} (key '{}') {when}: signatures whose chain includes it and that carry no RFC 3161 timestamp fail authenticTimestamp ({})",
                cert.subject(),
                report.key,
                effects.join("; ")
            ));
        }
    }
    out
}

/// Certificate values that hold a private key: Flux fails to parse them as certificates (its
/// error names the store, not the value), and the key itself is exposed wherever the material
/// is kept.
fn private_keys(material: &TrustMaterial) -> Vec<String> {
    let mut out = Vec::new();
    for entry in &material.cert_entries {
        let mut rest = entry.data.as_slice();
        let mut kinds = Vec::new();
        while let Some((block, next)) = super::pem::decode(rest) {
            if block.kind.ends_with("PRIVATE KEY") && !kinds.contains(&block.kind) {
                kinds.push(block.kind);
            }
            rest = next;
        }
        if kinds.is_empty() {
            continue;
        }
        let blocks = kinds
            .iter()
            .map(|k| format!("PEM {k}"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(match &material.secret {
            Some(secret) => format!(
                "key '{}' of secret '{}' holds a private key ({blocks}), not a certificate: remove it, and rotate the key — it is in your repository",
                entry.key,
                secret.namespaced_name()
            ),
            None => format!(
                "{} holds a private key ({blocks}), not a certificate: remove it from the trust material, and rotate the key if the file was shared",
                entry.key
            ),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_syntax_error_is_placed_by_line_and_column() {
        let policy = b"{\n  \"version\": \"1.0\",\n  \"trustPolicies\": [{\"name\": \"a\",}]\n}\n";
        assert_eq!(
            policy_syntax(policy).unwrap(),
            "the JSON syntax error in trustpolicy.json is at line 3, column 34: \"trustPolicies\": [{\"name\": \"a\",}] (JSON allows no comma before a closing bracket: remove the one before it)"
        );
        assert_eq!(
            crate::golang::json::syntax_error_position(b"{\"a\": 1"),
            Some((1, 8))
        );
        assert_eq!(
            crate::golang::json::syntax_error_position(b"{} x"),
            Some((1, 4))
        );
        assert_eq!(crate::golang::json::syntax_error_position(b"{}"), None);
    }

    #[test]
    fn unknown_keys_and_suggestions() {
        let policy = br#"{"version":"1.0","Trustpolicies":[{"name":"a","registryScopes":["*"],
            "signatureVerification":{"level":"audit","overide":{"revocation":"skip"}},
            "trustStore":["ca:x"],"trustedIdentities":["*"],"comment":"x"}],"extra":1}"#;
        let warnings = unknown_keys(policy);
        assert_eq!(
            warnings,
            vec![
                "unknown key \"overide\" at Trustpolicies[0].signatureVerification.overide in trustpolicy.json is ignored (Go's encoding/json, and so Flux, skips it): did you mean \"override\"?",
                "unknown key \"trustStore\" at Trustpolicies[0].trustStore in trustpolicy.json is ignored (Go's encoding/json, and so Flux, skips it): did you mean \"trustStores\"?",
                "unknown key \"comment\" at Trustpolicies[0].comment in trustpolicy.json is ignored (Go's encoding/json, and so Flux, skips it)",
                "unknown key \"extra\" at extra in trustpolicy.json is ignored (Go's encoding/json, and so Flux, skips it)",
            ]
        );
        assert!(unknown_keys(b"{").is_empty());
        assert_eq!(distance("overide", "override"), 1);
    }
}
