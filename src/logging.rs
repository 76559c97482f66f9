//! What the structured logs (`-v`, `FLUXVERIFY_LOG`) may say about a request. Events are
//! emitted with `tracing` by the stage that does the work; the binary decides where they go
//! (stderr) and which levels show. Nothing here may ever put a secret in a log line: URLs lose
//! their user info and the values of query parameters that are not known to be harmless
//! (pre-signed blob redirects carry signatures and tokens there).

/// Query parameters whose values are shown: the distribution spec's and the token flow's own,
/// none of which carries a secret.
const HARMLESS_QUERY_KEYS: [&str; 8] = [
    "service",
    "scope",
    "n",
    "last",
    "artifactType",
    "digest",
    "mount",
    "from",
];

/// Removes the user name, password and fragment of `url`: what no message or log line shows.
pub fn strip_userinfo_and_fragment(url: &mut url::Url) {
    // Both fail only for URLs without a host, which carry no user info to remove.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_fragment(None);
}

/// `url` as a log line may show it: no user name or password, no fragment, and the value of
/// every query parameter outside [`HARMLESS_QUERY_KEYS`] replaced by `REDACTED`.
pub fn redacted_url(url: &str) -> String {
    let mut parsed = match url::Url::parse(url) {
        Ok(parsed) if parsed.has_host() => parsed,
        // Not a URL with a host that we can take apart: keep what cannot hold a secret.
        _ => return redacted_text(url),
    };
    strip_userinfo_and_fragment(&mut parsed);
    if parsed.query().is_some() {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(key, value)| {
                let shown = if HARMLESS_QUERY_KEYS.contains(&key.as_ref()) {
                    value.into_owned()
                } else {
                    "REDACTED".to_owned()
                };
                (key.into_owned(), shown)
            })
            .collect();
        if pairs.is_empty() {
            parsed.set_query(None);
        } else {
            parsed.query_pairs_mut().clear().extend_pairs(pairs);
        }
    }
    parsed.to_string()
}

/// [`redacted_url`] for text that is not a URL with a host: everything up to a `?` or `#`,
/// without anything before an `@` of the authority.
fn redacted_text(text: &str) -> String {
    let head = text.split(['?', '#']).next().unwrap_or_default();
    match head.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority.rsplit('@').next().unwrap_or_default();
            format!("{scheme}://{host}{path}")
        }
        None => head.rsplit('@').next().unwrap_or_default().to_owned(),
    }
}

/// Milliseconds since `start`, with a tenth of a millisecond: what the logs print as `ms`.
pub fn elapsed_ms(start: std::time::Instant) -> f64 {
    (start.elapsed().as_secs_f64() * 10_000.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_info_and_secret_query_values_are_removed() {
        assert_eq!(
            redacted_url("https://alice:s3cret@registry.example/v2/app/manifests/v1"),
            "https://registry.example/v2/app/manifests/v1"
        );
        let presigned = redacted_url(
            "https://blobs.example/x?X-Amz-Signature=abc123&X-Amz-Credential=AKIA&token=t0k",
        );
        assert!(!presigned.contains("abc123") && !presigned.contains("AKIA"));
        assert!(!presigned.contains("t0k"));
        assert!(
            presigned.contains("X-Amz-Signature=REDACTED"),
            "{presigned}"
        );
        assert_eq!(
            redacted_url("https://auth.example/token?service=reg&scope=repository%3Aapp%3Apull"),
            "https://auth.example/token?service=reg&scope=repository%3Aapp%3Apull"
        );
        assert_eq!(
            redacted_url("https://r.example/v2/a/referrers/sha256:00?artifactType=x#frag"),
            "https://r.example/v2/a/referrers/sha256:00?artifactType=x"
        );
    }

    #[test]
    fn unparsable_urls_keep_no_user_info_or_query() {
        assert_eq!(redacted_url("http://u:p@[bad/path?k=v"), "http://[bad/path");
        assert_eq!(redacted_url("u:p@host?q"), "host");
        assert_eq!(redacted_url("http://u:p@"), "http://");
    }
}
