//! Authorization: the credentials for a registry, looked up once and shared by its repository
//! clients, and the answer to a registry's challenge (Basic, or a token from the token service
//! it names, requested once per scope).

use super::auth::{self, Challenge, CredentialOrigin, CredentialSource, Credentials};
use super::body::{read_capped, Excess, MAX_TOKEN_BODY};
use super::error::{RegistryError, RequestLine};
use super::transport::HttpRequest;
use super::wire::decode_first_json;
use super::{Inner, Provider};
use crate::inflight;
use reqwest::{Method, Url};
use std::sync::Arc;

impl Inner {
    pub(super) async fn credentials(&self) -> Result<Credentials, RegistryError> {
        let resolved = self
            .credentials
            .get_or_init(|| self.resolve_credentials())
            .await;
        match resolved {
            Ok((credentials, _)) => Ok(credentials.clone()),
            Err(e) => Err(RegistryError::Auth(e.clone())),
        }
    }

    /// The configured credentials for the registry; the provider's only when none are
    /// configured, as Flux asks the provider only without a `secretRef`.
    async fn resolve_credentials(&self) -> Result<(Credentials, CredentialOrigin), String> {
        let configured = match &self.options.credentials {
            CredentialSource::Explicit(c) => return Ok((c.clone(), CredentialOrigin::Explicit)),
            CredentialSource::Anonymous => {
                return Ok((Credentials::Anonymous, CredentialOrigin::Anonymous))
            }
            CredentialSource::DockerConfig => {
                let host = self.registry.clone();
                // Credential helpers are processes: keep them off the async threads.
                let _step = inflight::step("the Docker credential lookup");
                match tokio::task::spawn_blocking(move || auth::docker_config_credentials(&host))
                    .await
                {
                    Ok(result) => result?,
                    Err(e) => return Err(format!("credential lookup failed: {e}")),
                }
            }
        };
        match (configured, self.options.provider) {
            (Credentials::Anonymous, Provider::Generic) => {
                Ok((Credentials::Anonymous, CredentialOrigin::Anonymous))
            }
            (Credentials::Anonymous, provider) => self.provider_credentials(provider).await,
            (found, _) => {
                let path = auth::docker_config_path().unwrap_or_default();
                Ok((found, CredentialOrigin::DockerConfig(path)))
            }
        }
    }

    /// Where the credentials in use came from, for log lines (never the secret itself).
    pub(super) fn credential_source(&self) -> String {
        match self.credentials.get() {
            Some(Ok((_, origin))) => origin.to_string(),
            Some(Err(_)) => "none (the lookup failed)".to_owned(),
            None => "not looked up yet".to_owned(),
        }
    }

    pub(super) fn known_authorization(&self, scope: &str) -> Option<String> {
        let map = self.authorization.lock().unwrap_or_else(|e| e.into_inner());
        map.get(scope).or_else(|| map.get("")).cloned()
    }

    fn remember_authorization(&self, scope: &str, value: String) {
        let mut map = self.authorization.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(scope.to_owned(), value);
    }

    /// Obtains authorization for a challenge. Returns false when there is nothing to retry with.
    pub(super) async fn answer_challenge(
        &self,
        challenge: &Challenge,
        scope: &str,
        sent: Option<&str>,
    ) -> Result<bool, RegistryError> {
        let credentials = self.credentials().await?;
        match challenge.scheme.as_str() {
            "basic" => match credentials {
                Credentials::Basic { username, password } => {
                    use base64::Engine as _;
                    tracing::debug!(target: "fluxverify::auth",
                        credentials = %self.credential_source(),
                        "answering the basic challenge"
                    );
                    let encoded = base64::engine::general_purpose::STANDARD
                        .encode(format!("{username}:{password}"));
                    self.remember_authorization("", format!("Basic {encoded}"));
                    Ok(true)
                }
                _ => {
                    tracing::debug!(target: "fluxverify::auth",
                        credentials = %self.credential_source(),
                        "basic challenge but no user name and password to answer it with"
                    );
                    Ok(false)
                }
            },
            "bearer" => {
                // One token request per scope at a time: requests challenged together (several
                // sources of a scan in one repository) wait for the first one's token.
                let gate = {
                    let mut gates = self.token_gates.lock().unwrap_or_else(|e| e.into_inner());
                    Arc::clone(gates.entry(scope.to_owned()).or_default())
                };
                let _turn = gate.lock().await;
                if let Some(current) = self.known_authorization(scope) {
                    if Some(current.as_str()) != sent {
                        return Ok(true);
                    }
                }
                let token = self.fetch_token(challenge, scope, &credentials).await?;
                self.remember_authorization(scope, format!("Bearer {token}"));
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The token request of the distribution token flow. The token service is the one the
    /// registry names in its challenge; Basic credentials go there, as docker and oras send them.
    async fn fetch_token(
        &self,
        challenge: &Challenge,
        scope: &str,
        credentials: &Credentials,
    ) -> Result<String, RegistryError> {
        let realm = challenge
            .params
            .get("realm")
            .ok_or_else(|| RegistryError::Auth("bearer challenge without realm".into()))?;
        let mut url = Url::parse(realm)
            .map_err(|e| RegistryError::Auth(format!("invalid bearer realm {realm:?}: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(RegistryError::Auth(format!(
                "invalid bearer realm {realm:?}"
            )));
        }
        let service = challenge.params.get("service").cloned().unwrap_or_default();
        let scope = challenge
            .params
            .get("scope")
            .cloned()
            .unwrap_or_else(|| scope.to_owned());
        let request = match credentials {
            Credentials::IdentityToken(refresh) => {
                let mut r = HttpRequest::new(Method::POST, url);
                r.form = Some(vec![
                    ("grant_type".into(), "refresh_token".into()),
                    ("refresh_token".into(), refresh.clone()),
                    ("service".into(), service),
                    ("scope".into(), scope.clone()),
                    ("client_id".into(), "fluxverify".into()),
                ]);
                r
            }
            other => {
                {
                    let mut query = url.query_pairs_mut();
                    if !service.is_empty() {
                        query.append_pair("service", &service);
                    }
                    query.append_pair("scope", &scope);
                }
                let mut r = HttpRequest::new(Method::GET, url);
                if let Credentials::Basic { username, password } = other {
                    use base64::Engine as _;
                    let encoded = base64::engine::general_purpose::STANDARD
                        .encode(format!("{username}:{password}"));
                    r = r.header("Authorization", format!("Basic {encoded}"));
                }
                r
            }
        };
        let line = RequestLine::of(&request);
        let grant = match credentials {
            Credentials::Anonymous => "anonymous",
            Credentials::Basic { .. } => "basic",
            Credentials::IdentityToken(_) => "refresh_token",
        };
        let started = std::time::Instant::now();
        let response = self.send_raw(request).await?;
        tracing::debug!(target: "fluxverify::auth",
            realm = %crate::logging::redacted_url(realm),
            %scope,
            status = response.status,
            ms = crate::logging::elapsed_ms(started),
            %grant,
            credentials = %self.credential_source(),
            "token fetch"
        );
        if response.status != 200 {
            return Err(self.status_error(response, line).await);
        }
        let body = read_capped(response.body, MAX_TOKEN_BODY, Excess::Ignore, &line).await?;
        let token: auth::TokenResponse =
            decode_first_json(&body).map_err(|detail| RegistryError::Decode {
                request: line.clone(),
                detail,
            })?;
        token
            .into_token()
            .ok_or_else(|| RegistryError::Auth(format!("{line}: empty token in response")))
    }
}
