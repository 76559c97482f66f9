//! Registry credentials and the distribution auth flow: Basic, and the Bearer token challenge
//! (anonymous, with Basic credentials, or with an identity/refresh token).
//!
//! Written here rather than taken from oci-client because oci-client's flow pings `/v2/` before
//! every new scope (one more round trip per verification), has no identity-token grant, and
//! reads token responses without a cap. The flow here is reactive: a request goes out with
//! whatever authorization is already known, and only a `401` challenge costs a token request.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Credentials for one registry host.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Credentials {
    /// No credentials: anonymous pulls, anonymous bearer tokens.
    #[default]
    Anonymous,
    /// User name and password (Basic, or sent to the token service).
    Basic {
        /// User name.
        username: String,
        /// Password or personal access token.
        password: String,
    },
    /// An OAuth2 refresh token (Docker config `identitytoken`, or a password given without a
    /// user name), exchanged at the token service with `grant_type=refresh_token`.
    IdentityToken(String),
}

impl std::fmt::Debug for Credentials {
    // Never print secrets, not even in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Anonymous => f.write_str("Anonymous"),
            Credentials::Basic { username, .. } => write!(f, "Basic({username}, ***)"),
            Credentials::IdentityToken(_) => f.write_str("IdentityToken(***)"),
        }
    }
}

impl Credentials {
    /// Credentials from `-u/--username` and `-p/--password`: both give Basic; a password alone
    /// is an identity token, as the notation CLI treats it.
    pub fn from_flags(username: Option<&str>, password: Option<&str>) -> Option<Credentials> {
        match (username, password) {
            (Some(u), p) if !u.is_empty() => Some(Credentials::Basic {
                username: u.to_owned(),
                password: p.unwrap_or_default().to_owned(),
            }),
            (_, Some(p)) if !p.is_empty() => Some(Credentials::IdentityToken(p.to_owned())),
            _ => None,
        }
    }
}

/// Where credentials come from.
#[derive(Debug, Clone, Default)]
pub enum CredentialSource {
    /// These credentials, for the registry's host only.
    Explicit(Credentials),
    /// The Docker config (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`, credential
    /// helpers and `credsStore` included), looked up on the first challenge; anonymous when it
    /// has nothing for the host.
    #[default]
    DockerConfig,
    /// Always anonymous.
    Anonymous,
}

/// Where the credentials a client used came from, for reports. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialOrigin {
    /// Given to the client ([`CredentialSource::Explicit`]: `-u/-p` or the
    /// `FLUXVERIFY_USERNAME` / `FLUXVERIFY_PASSWORD` environment on the command line).
    Explicit,
    /// The Docker config at this path (its credential helpers included).
    DockerConfig(PathBuf),
    /// None configured: anonymous.
    Anonymous,
    /// A cloud provider's credentials, and how they were obtained.
    Provider {
        /// The provider.
        provider: super::provider::Provider,
        /// The command or variable the token came from (no secret).
        detail: String,
    },
}

impl CredentialOrigin {
    /// A short machine-readable name: `explicit`, `dockerConfig`, `anonymous`, `provider`.
    pub fn kind(&self) -> &'static str {
        match self {
            CredentialOrigin::Explicit => "explicit",
            CredentialOrigin::DockerConfig(_) => "dockerConfig",
            CredentialOrigin::Anonymous => "anonymous",
            CredentialOrigin::Provider { .. } => "provider",
        }
    }
}

impl std::fmt::Display for CredentialOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CredentialOrigin::Explicit => f.write_str("given with -u/-p"),
            CredentialOrigin::DockerConfig(path) => write!(f, "Docker config {}", path.display()),
            CredentialOrigin::Anonymous => f.write_str("anonymous (no credentials configured)"),
            CredentialOrigin::Provider { provider, detail } => {
                write!(f, "provider {provider}: {detail}")
            }
        }
    }
}

/// True for the host names under which Docker Hub is reached.
pub(crate) fn is_docker_hub(host: &str) -> bool {
    matches!(
        host,
        "docker.io" | "index.docker.io" | "registry-1.docker.io"
    )
}

pub(crate) fn docker_config_path() -> Option<PathBuf> {
    std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")))
        .map(|dir| dir.join("config.json"))
}

/// Looks `host` up in the Docker config. Docker Hub's credentials live under the key
/// `https://index.docker.io/v1/` (what `docker login` writes), whichever Hub host name is used.
pub(crate) fn docker_config_credentials(host: &str) -> Result<Credentials, String> {
    match docker_config_path() {
        Some(path) => docker_config_credentials_at(&path, host),
        None => Ok(Credentials::Anonymous),
    }
}

/// [`docker_config_credentials`] with the config file given.
fn docker_config_credentials_at(path: &std::path::Path, host: &str) -> Result<Credentials, String> {
    use docker_credential::{CredentialRetrievalError as E, DockerCredential};
    let path = path.to_path_buf();
    if !path.is_file() {
        return Ok(Credentials::Anonymous);
    }
    let keys: Vec<&str> = if is_docker_hub(host) {
        vec!["https://index.docker.io/v1/", "index.docker.io"]
    } else {
        vec![host]
    };
    for key in keys {
        let config = crate::limits::read_file(&path).map_err(|e| {
            format!(
                "cannot read Docker config {}: {}",
                path.display(),
                e.detail()
            )
        })?;
        match docker_credential::get_credential_from_reader(config.as_slice(), key) {
            Ok(DockerCredential::UsernamePassword(username, password)) => {
                log_docker_config_hit(&path, key, "user name and password");
                return Ok(Credentials::Basic { username, password });
            }
            Ok(DockerCredential::IdentityToken(token)) => {
                log_docker_config_hit(&path, key, "identity token");
                return Ok(Credentials::IdentityToken(token));
            }
            Err(E::NoCredentialConfigured) => continue,
            Err(E::ConfigReadError) => {
                return Err(format!(
                    "cannot parse Docker config {}: not a valid config.json",
                    path.display()
                ))
            }
            Err(E::HelperFailure {
                helper,
                stdout,
                stderr,
            }) => {
                return Err(format!(
                    "credential helper {helper} failed for {key}: {}",
                    if stderr.trim().is_empty() {
                        stdout.trim()
                    } else {
                        stderr.trim()
                    }
                ))
            }
            Err(other) => {
                return Err(format!(
                    "cannot get credentials for {key} from Docker config {}: {other:?}",
                    path.display()
                ))
            }
        }
    }
    Ok(Credentials::Anonymous)
}

/// Logs which entry of the Docker config gave credentials: the credential helper's name when
/// one did (`credHelpers` for the key, else `credsStore`), `auths` otherwise. Never the secret.
fn log_docker_config_hit(path: &std::path::Path, key: &str, kind: &str) {
    if !tracing::enabled!(target: "fluxverify::auth", tracing::Level::DEBUG) {
        return;
    }
    let config: serde_json::Value = crate::limits::read_file(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    let helper = config
        .get("credHelpers")
        .and_then(|helpers| helpers.get(key))
        .and_then(serde_json::Value::as_str)
        .or_else(|| config.get("credsStore").and_then(serde_json::Value::as_str))
        .filter(|name| !name.is_empty());
    let from = match helper {
        Some(name) => format!("credential helper docker-credential-{name}"),
        None => "auths".to_owned(),
    };
    tracing::debug!(target: "fluxverify::auth", config = %path.display(), %key, %from, %kind, "Docker config credentials");
}

/// A parsed `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Challenge {
    /// Lower-cased scheme: `basic` or `bearer`.
    pub(crate) scheme: String,
    /// Lower-cased parameter names and their values.
    pub(crate) params: BTreeMap<String, String>,
}

/// Parses the first challenge of a `WWW-Authenticate` header (RFC 7235 auth-params, quoted
/// strings with backslash escapes).
pub(crate) fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = match header.find(|c: char| c.is_ascii_whitespace()) {
        Some(i) => (header.get(..i)?, header.get(i..)?.trim_start()),
        None => (header, ""),
    };
    if scheme.is_empty() {
        return None;
    }
    let mut params = BTreeMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while matches!(chars.peek(), Some(c) if *c == ',' || c.is_ascii_whitespace()) {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ',' || c.is_ascii_whitespace() {
                break;
            }
            name.push(c);
            chars.next();
        }
        if name.is_empty() {
            break;
        }
        while matches!(chars.peek(), Some(c) if c.is_ascii_whitespace()) {
            chars.next();
        }
        if chars.peek() != Some(&'=') {
            // token68 or a following challenge: stop at what we have.
            break;
        }
        chars.next();
        while matches!(chars.peek(), Some(c) if c.is_ascii_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(escaped) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' || c.is_ascii_whitespace() {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        params.insert(name.to_ascii_lowercase(), value);
    }
    Some(Challenge {
        scheme: scheme.to_ascii_lowercase(),
        params,
    })
}

/// The body of a token service response.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct TokenResponse {
    #[serde(default)]
    pub(crate) token: Option<String>,
    #[serde(default)]
    pub(crate) access_token: Option<String>,
}

impl TokenResponse {
    pub(crate) fn into_token(self) -> Option<String> {
        self.access_token
            .filter(|t| !t.is_empty())
            .or(self.token.filter(|t| !t.is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_challenge_with_quoted_params() {
        let c = parse_challenge(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull""#,
        )
        .unwrap();
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.params["realm"], "https://auth.example/token");
        assert_eq!(c.params["service"], "registry.example");
        assert_eq!(c.params["scope"], "repository:a/b:pull");
    }

    #[test]
    fn basic_challenge_and_escapes() {
        let c = parse_challenge(r#"Basic realm="say \"hi\", ok""#).unwrap();
        assert_eq!(c.scheme, "basic");
        assert_eq!(c.params["realm"], r#"say "hi", ok"#);
        assert!(parse_challenge("").is_none());
    }

    #[test]
    fn flags_make_basic_or_identity_token() {
        assert_eq!(
            Credentials::from_flags(Some("u"), Some("p")),
            Some(Credentials::Basic {
                username: "u".into(),
                password: "p".into()
            })
        );
        assert_eq!(
            Credentials::from_flags(None, Some("tok")),
            Some(Credentials::IdentityToken("tok".into()))
        );
        assert_eq!(Credentials::from_flags(None, None), None);
        assert!(
            !format!("{:?}", Credentials::from_flags(Some("u"), Some("secret"))).contains("secret")
        );
    }

    #[test]
    fn docker_config_lookup_maps_docker_hub_and_identity_tokens() {
        use base64::Engine as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let auth = base64::engine::general_purpose::STANDARD.encode("hubuser:hubpass");
        std::fs::write(
            &path,
            serde_json::json!({"auths": {
                "https://index.docker.io/v1/": {"auth": auth},
                "acr.example.io": {"identitytoken": "REFRESH"},
                "ghcr.io": {"username": "u", "password": "p"}
            }})
            .to_string(),
        )
        .unwrap();
        let hub = Credentials::Basic {
            username: "hubuser".into(),
            password: "hubpass".into(),
        };
        for host in ["index.docker.io", "docker.io", "registry-1.docker.io"] {
            assert_eq!(
                docker_config_credentials_at(&path, host).unwrap(),
                hub,
                "{host}"
            );
        }
        assert_eq!(
            docker_config_credentials_at(&path, "acr.example.io").unwrap(),
            Credentials::IdentityToken("REFRESH".into())
        );
        assert_eq!(
            docker_config_credentials_at(&path, "ghcr.io").unwrap(),
            Credentials::Basic {
                username: "u".into(),
                password: "p".into()
            }
        );
        assert_eq!(
            docker_config_credentials_at(&path, "quay.io").unwrap(),
            Credentials::Anonymous
        );
        assert_eq!(
            docker_config_credentials_at(&dir.path().join("missing.json"), "ghcr.io").unwrap(),
            Credentials::Anonymous
        );
        std::fs::write(&path, "{not json").unwrap();
        assert!(docker_config_credentials_at(&path, "ghcr.io")
            .unwrap_err()
            .contains("cannot parse Docker config"));
        // A credential helper that does not exist is an error naming it, not anonymous access.
        std::fs::write(
            &path,
            r#"{"credHelpers": {"ghcr.io": "fluxverify-no-such-helper"}}"#,
        )
        .unwrap();
        assert!(docker_config_credentials_at(&path, "ghcr.io").is_err());
    }

    #[test]
    fn token_response_prefers_access_token() {
        let t: TokenResponse = serde_json::from_str(r#"{"token":"a","access_token":"b"}"#).unwrap();
        assert_eq!(t.into_token().as_deref(), Some("b"));
        let t: TokenResponse = serde_json::from_str(r#"{"token":"a"}"#).unwrap();
        assert_eq!(t.into_token().as_deref(), Some("a"));
    }
}
