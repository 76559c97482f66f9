//! `matchOIDCIdentity`: identities as `(issuer, subject)` Go regular expressions, matched the
//! two ways cosign matches them — `CheckCertificatePolicy` for classic signatures (any SAN,
//! any identity) and sigstore-go's `CertificateIdentity` for bundles (the one summarised SAN,
//! exactly one identity).
//!
//! Go's `regexp` is RE2; Rust's `regex` implements nearly the same syntax and the same
//! leftmost-first, unanchored `MatchString` semantics. Where they differ:
//! - Perl classes and word boundaries are ASCII in Go, Unicode in Rust: `\d`, `\w`, `\s`
//!   (and their negations) and `\b`/`\B` are rewritten to their ASCII forms before compiling.
//! - Rust accepts syntax Go refuses (class set operations `&&`, `--`, `~~`; `\<`, `\>`,
//!   `\b{...}`): such patterns are refused, as Go would refuse them.
//! - Go accepts `\Q...\E` quoting and `\C`, which Rust does not: refused here too (fluxverify
//!   cannot compile them), with an error saying so.
//! - Compile errors are worded by Rust's `regex`, not Go (`error parsing regexp: ...` is kept
//!   as the prefix).

use super::cert::Signer;

/// One `matchOIDCIdentity` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// `issuer` (a regular expression).
    pub issuer: String,
    /// `subject` (a regular expression).
    pub subject: String,
}

/// A Go regular expression, compiled.
#[derive(Debug, Clone)]
pub struct GoRegex {
    /// The pattern as written.
    pub source: String,
    regex: regex::Regex,
}

impl GoRegex {
    /// Go's `MatchString`: whether the pattern matches anywhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }
}

/// Rewrites Go-only semantics to Rust's and refuses what Go would refuse.
fn translate(pattern: &str) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    let mut class_depth = 0usize;
    let mut class_start = false;
    while let Some(c) = chars.next() {
        let at_class_start = std::mem::take(&mut class_start);
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    return Err("trailing backslash at end of expression".into());
                };
                let inside = class_depth > 0;
                match next {
                    'd' => out.push_str(if inside { "0-9" } else { "[0-9]" }),
                    'w' => out.push_str(if inside { "0-9A-Za-z_" } else { "[0-9A-Za-z_]" }),
                    's' => out.push_str(if inside { "\\t\\n\\x0C\\r " } else { "[\\t\\n\\x0C\\r ]" }),
                    'D' if !inside => out.push_str("[^0-9]"),
                    'W' if !inside => out.push_str("[^0-9A-Za-z_]"),
                    'S' if !inside => out.push_str("[^\\t\\n\\x0C\\r ]"),
                    'b' if !inside => {
                        if chars.peek() == Some(&'{') {
                            return Err("invalid escape sequence: `\\b{`".into());
                        }
                        out.push_str("(?-u:\\b)");
                    }
                    'B' if !inside => out.push_str("(?-u:\\B)"),
                    '<' | '>' => return Err(format!("invalid escape sequence: `\\{next}`")),
                    'Q' | 'E' | 'C' => {
                        return Err(format!(
                            "`\\{next}` (valid in Go) is not supported by fluxverify's regular expressions"
                        ))
                    }
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
            }
            '[' => {
                if class_depth > 0 && chars.peek() == Some(&':') {
                    // A POSIX class `[:alpha:]` inside a class.
                    out.push('[');
                    continue;
                }
                if class_depth > 0 {
                    // Go reads a nested `[` as a literal; Rust as a nested class.
                    out.push_str("\\[");
                    continue;
                }
                class_depth += 1;
                class_start = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    out.push(chars.next().unwrap_or('^'));
                }
                if chars.peek() == Some(&']') {
                    // A leading `]` is literal in both.
                    chars.next();
                    out.push_str("\\]");
                }
            }
            ']' if class_depth > 0 && !at_class_start => {
                class_depth -= 1;
                out.push(']');
            }
            '&' | '-' | '~' if class_depth > 0 && chars.peek() == Some(&c) => {
                // Rust's class set operators: Go reads both characters literally.
                chars.next();
                out.push('\\');
                out.push(c);
                out.push('\\');
                out.push(c);
            }
            '(' if class_depth == 0 && chars.peek() == Some(&'?') => {
                // Go's flag groups take i, m, s, U only; Rust also takes x, u, R.
                out.push('(');
                let rest: String = chars
                    .clone()
                    .skip(1)
                    .take_while(|c| *c != ')' && *c != ':')
                    .collect();
                let is_flags = !rest.starts_with('<') && !rest.starts_with('P');
                if is_flags
                    && rest
                        .chars()
                        .any(|f| !matches!(f, 'i' | 'm' | 's' | 'U' | '-'))
                {
                    return Err(format!("invalid or unsupported Perl syntax: `(?{rest}`"));
                }
            }
            '{' if class_depth == 0 => {
                // Go refuses repeat counts over 1000 (Rust's limit is its program size).
                let rest: String = chars.clone().take_while(|c| *c != '}').collect();
                let bounds: Vec<&str> = rest.split(',').collect();
                let numeric = !rest.is_empty()
                    && bounds.len() <= 2
                    && bounds.iter().all(|b| b.bytes().all(|c| c.is_ascii_digit()))
                    && !bounds.first().is_some_and(|b| b.is_empty());
                if numeric
                    && bounds
                        .iter()
                        .any(|b| b.parse::<u64>().is_ok_and(|n| n > 1000))
                {
                    return Err(format!("invalid repeat count: `{{{rest}}}`"));
                }
                if !numeric || bounds.is_empty() {
                    // Not a repetition for Go (`{,5}`, `{x}`): literal braces.
                    out.push_str("\\{");
                    continue;
                }
                out.push('{');
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// Go's `regexp.Compile`, as close as Rust's `regex` allows (see the module comment).
pub fn compile(pattern: &str) -> Result<GoRegex, String> {
    let translated = translate(pattern).map_err(|e| format!("error parsing regexp: {e}"))?;
    let regex = regex::Regex::new(&translated).map_err(|e| {
        let detail = e.to_string();
        let last = detail.lines().last().unwrap_or(&detail).trim().to_owned();
        format!("error parsing regexp: {last}: `{pattern}`")
    })?;
    Ok(GoRegex {
        source: pattern.to_owned(),
        regex,
    })
}

/// cosign's `CheckCertificatePolicy` for classic signatures: some identity whose issuer regex
/// matches the issuer and whose subject regex matches any SAN. No identity: anything passes.
pub fn check_classic(identities: &[Identity], signer: &Signer) -> Result<(), String> {
    if identities.is_empty() {
        return Ok(());
    }
    for identity in identities {
        let issuer = compile(&identity.issuer)
            .map_err(|e| format!("malformed issuer in identity: {} : {e}", identity.issuer))?;
        let issuer_matches = identity.issuer.is_empty() || issuer.is_match(&signer.issuer);
        let subject = compile(&identity.subject)
            .map_err(|e| format!("malformed subject in identity: {} : {e}", identity.subject))?;
        let subject_matches =
            identity.subject.is_empty() || signer.sans.iter().any(|s| subject.is_match(s));
        if issuer_matches && subject_matches {
            return Ok(());
        }
    }
    // cosign pkg/cosign/verify.go CheckCertificatePolicy
    Err(format!(
        "none of the expected identities matched what was in the certificate, got subjects [{}] with issuer {}",
        signer.sans.join(", "),
        signer.issuer
    ))
}

/// A bundle identity policy as cosign's `verificationOptions` builds it.
#[derive(Debug, Clone)]
pub struct BundleIdentity {
    subject: GoRegex,
    issuer: GoRegex,
}

/// cosign's `verificationOptions`: `None` for no identity (sigstore-go then refuses the
/// policy), one identity compiled, more refused.
pub fn bundle_identity(identities: &[Identity]) -> Result<Option<BundleIdentity>, String> {
    match identities {
        [] => Ok(None),
        [identity] => {
            let subject = compile(&identity.subject)?;
            let issuer = compile(&identity.issuer)?;
            if identity.subject.is_empty() {
                return Err("when verifying a certificate identity, there must be subject alternative name criteria".into());
            }
            if identity.issuer.is_empty() {
                return Err(
                    "when verifying a certificate identity, must specify Issuer criteria".into(),
                );
            }
            Ok(Some(BundleIdentity { subject, issuer }))
        }
        _ => Err("unsupported: multiple identities are not supported at this time".into()),
    }
}

impl BundleIdentity {
    /// sigstore-go's `CertificateIdentities.Verify` with this one identity.
    pub fn verify(&self, signer: &Signer) -> Result<(), String> {
        let last = if !self.subject.is_match(&signer.subject) {
            format!(
                "expected SAN value to match regex \"{}\", got \"{}\"",
                self.subject.source, signer.subject
            )
        } else if !self.issuer.is_match(&signer.issuer) {
            format!(
                "expected issuer value to match regex \"{}\", got \"{}\"",
                self.issuer.source, signer.issuer
            )
        } else {
            return Ok(());
        };
        Err(format!(
            "no matching CertificateIdentity found, last error: {last}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perl_classes_are_ascii_as_in_go() {
        assert!(!compile(r"^\d$").unwrap().is_match("٣"));
        assert!(compile(r"^\d$").unwrap().is_match("3"));
        assert!(!compile(r"^\w+$").unwrap().is_match("é"));
        assert!(compile(r"^[\w.]+$").unwrap().is_match("a.b"));
    }

    #[test]
    fn go_flag_groups_and_repeat_counts() {
        assert!(compile("(?i)^ABC$").unwrap().is_match("abc"));
        assert!(compile("(?x) a b")
            .unwrap_err()
            .contains("invalid or unsupported Perl syntax: `(?x`"));
        assert!(compile("a{1001}")
            .unwrap_err()
            .contains("invalid repeat count"));
        assert!(compile("^a{2,3}$").unwrap().is_match("aaa"));
        // Go reads `{,5}` literally.
        assert!(compile("^a{,5}$").unwrap().is_match("a{,5}"));
        assert!(compile("(?<name>x)").is_ok());
    }

    #[test]
    fn rust_only_syntax_is_refused() {
        assert!(compile(r"\<x").is_err());
        assert!(compile(r"[a&&b]").unwrap().is_match("&"));
        assert!(compile(r"(")
            .unwrap_err()
            .starts_with("error parsing regexp:"));
    }

    #[test]
    fn classic_policy_words_are_cosigns() {
        let signer = Signer {
            issuer: "https://issuer".into(),
            sans: vec!["https://a".into()],
            subject: "https://a".into(),
            ..Signer::default()
        };
        let wrong = [Identity {
            issuer: "^https://issuer$".into(),
            subject: "^https://b$".into(),
        }];
        assert_eq!(
            check_classic(&wrong, &signer).unwrap_err(),
            "none of the expected identities matched what was in the certificate, got subjects [https://a] with issuer https://issuer"
        );
        assert!(check_classic(&[], &signer).is_ok());
    }
}
