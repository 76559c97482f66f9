//! Registry credentials from a cloud provider, as a workstation has them: the provider's own CLI
//! (or, for Azure, an Entra ID token in the environment) instead of the workload identity a
//! Flux controller uses. What comes out is what Flux's providers (fluxcd/pkg `auth/aws`,
//! `auth/azure`, `auth/gcp`) hand to the registry client:
//!
//! - **aws**: `aws ecr get-login-password --region <region>` (the region is the registry
//!   host's, `public.ecr.aws` uses `aws ecr-public ... --region us-east-1`), user `AWS`;
//! - **azure**: an Entra ID access token for Azure Resource Manager (scope
//!   `https://management.azure.com/.default`, the China and US Government clouds for
//!   `*.azurecr.cn` / `*.azurecr.us`), from `AZURE_ACCESS_TOKEN` or `az account
//!   get-access-token`, exchanged at the registry's `POST /oauth2/exchange` for an ACR refresh
//!   token, which is the password of user `00000000-0000-0000-0000-000000000000`;
//! - **gcp**: `gcloud auth print-access-token`, user `oauth2accesstoken`.
//!
//! Those credentials then go through the ordinary challenge flow (`/oauth2/token` for ACR).
//!
//! Flux refuses a provider for a host that is not the provider's (`invalid Azure registry:
//! ...`); so does fluxverify, except for loopback hosts: no cloud registry is ever on
//! loopback, so letting a local stand-in (a tunnel, or the tests' fake token endpoints) take
//! the cloud's place changes nothing Flux accepts or rejects for a real host.

use super::auth::{CredentialOrigin, Credentials};
use super::body::MAX_TOKEN_BODY;
use super::body::{read_capped, Excess};
use super::provider::{host_of, pattern_regex, Provider, AWS_PATTERN, PUBLIC_ECR};
use super::transport::HttpRequest;
use super::wire::decode_first_json;
use super::Inner;
use reqwest::Method;
use std::process::{Command, Stdio};

/// The user name ACR expects with a refresh token as the password.
pub const ACR_REFRESH_TOKEN_USER: &str = "00000000-0000-0000-0000-000000000000";
/// The user name Google's registries expect with an OAuth2 access token as the password.
pub const GCP_TOKEN_USER: &str = "oauth2accesstoken";
/// The user name of an ECR login password.
pub const AWS_USER: &str = "AWS";
/// Environment variable holding an Entra ID access token for the azure provider.
pub const AZURE_ACCESS_TOKEN_ENV: &str = "AZURE_ACCESS_TOKEN";

/// The Resource Manager scope Flux asks Entra ID for, by the registry's cloud.
fn azure_scope(registry: &str) -> &'static str {
    let host = host_of(registry);
    if host.ends_with(".azurecr.cn") {
        "https://management.chinacloudapi.cn/.default"
    } else if host.ends_with(".azurecr.us") {
        "https://management.usgovcloudapi.net/.default"
    } else {
        "https://management.azure.com/.default"
    }
}

/// A provider CLI invocation, shown in errors and in the report (it holds no secret).
struct CliCall {
    provider: Provider,
    program: &'static str,
    args: Vec<String>,
    /// How to log the CLI in, for the error when it fails.
    login: &'static str,
}

impl CliCall {
    fn command_line(&self) -> String {
        std::iter::once(self.program.to_string())
            .chain(self.args.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Runs the CLI and returns its trimmed standard output (the token).
    fn run(&self) -> Result<String, String> {
        let provider = self.provider;
        let command = self.command_line();
        let output = Command::new(self.program)
            .args(&self.args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    format!(
                        "provider {provider}: cannot run `{command}`: {} is not on PATH; install it and log in ({}), or give the registry's credentials (-u/-p, docker login)",
                        self.program, self.login
                    )
                } else {
                    format!("provider {provider}: cannot run `{command}`: {e}")
                }
            })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let detail = stderr.trim();
            return Err(format!(
                "provider {provider}: `{command}` failed ({}){}; log in with {} and try again",
                output.status,
                if detail.is_empty() {
                    String::new()
                } else {
                    format!(": {detail}")
                },
                self.login
            ));
        }
        let token = String::from_utf8_lossy(&output.stdout).trim().to_string();
        if token.is_empty() || token.contains(char::is_whitespace) {
            return Err(format!(
                "provider {provider}: `{command}` did not print a single token; log in with {} and try again",
                self.login
            ));
        }
        Ok(token)
    }
}

/// Runs a CLI off the async threads (it is a process and may take seconds).
async fn run_cli(call: CliCall) -> Result<(String, String), String> {
    let provider = call.provider;
    let command = call.command_line();
    let started = std::time::Instant::now();
    let result = tokio::task::spawn_blocking(move || call.run())
        .await
        .map_err(|e| format!("provider {provider}: `{command}` did not complete: {e}"))
        .and_then(|ran| ran);
    let ms = crate::logging::elapsed_ms(started);
    match &result {
        Ok(_) => {
            tracing::debug!(target: "fluxverify::auth", %provider, %command, ms, "provider CLI gave a token")
        }
        Err(error) => {
            tracing::debug!(target: "fluxverify::auth", %provider, %command, ms, %error, "provider CLI failed")
        }
    }
    Ok((result?, command))
}

/// The `ecr get-login-password` call for an ECR host. Loopback stand-ins take the region from
/// `AWS_REGION` / `AWS_DEFAULT_REGION` as the AWS CLI would, and pass none when neither is set.
fn aws_call(registry: &str) -> CliCall {
    let (subcommand, region) = if registry == PUBLIC_ECR {
        ("ecr-public", Some("us-east-1".to_string()))
    } else {
        let from_host = pattern_regex(AWS_PATTERN)
            .and_then(|re| re.captures(registry))
            .and_then(|c| c.get(2))
            .map(|m| m.as_str().to_string())
            .filter(|r| !r.is_empty());
        let from_env = || {
            ["AWS_REGION", "AWS_DEFAULT_REGION"]
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|r| !r.is_empty()))
        };
        ("ecr", from_host.or_else(from_env))
    };
    let mut args = vec![subcommand.to_string(), "get-login-password".to_string()];
    if let Some(region) = region {
        args.push("--region".into());
        args.push(region);
    }
    CliCall {
        provider: Provider::Aws,
        program: "aws",
        args,
        login: "`aws configure` or `aws sso login`",
    }
}

impl Inner {
    /// Credentials from `provider` for this client's registry.
    pub(super) async fn provider_credentials(
        &self,
        provider: Provider,
    ) -> Result<(Credentials, CredentialOrigin), String> {
        let registry = self.registry.as_str();
        provider
            .check_registry(registry)
            .map_err(|e| format!("provider {provider}: {e}"))?;
        let basic = |username: &str, password: String| Credentials::Basic {
            username: username.to_string(),
            password,
        };
        match provider {
            Provider::Generic => Ok((Credentials::Anonymous, CredentialOrigin::Anonymous)),
            Provider::Aws => {
                let (password, command) = run_cli(aws_call(registry)).await?;
                Ok((
                    basic(AWS_USER, password),
                    CredentialOrigin::Provider {
                        provider,
                        detail: format!("`{command}` as user {AWS_USER}"),
                    },
                ))
            }
            Provider::Gcp => {
                let (token, command) = run_cli(CliCall {
                    provider,
                    program: "gcloud",
                    args: vec!["auth".into(), "print-access-token".into()],
                    login: "`gcloud auth login`",
                })
                .await?;
                Ok((
                    basic(GCP_TOKEN_USER, token),
                    CredentialOrigin::Provider {
                        provider,
                        detail: format!("`{command}` as user {GCP_TOKEN_USER}"),
                    },
                ))
            }
            Provider::Azure => {
                let (aad_token, from) = match std::env::var(AZURE_ACCESS_TOKEN_ENV)
                    .ok()
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                {
                    Some(token) => (token, AZURE_ACCESS_TOKEN_ENV.to_string()),
                    None => {
                        let (token, command) = run_cli(CliCall {
                            provider,
                            program: "az",
                            args: vec![
                                "account".into(),
                                "get-access-token".into(),
                                "--scope".into(),
                                azure_scope(registry).into(),
                                "--query".into(),
                                "accessToken".into(),
                                "--output".into(),
                                "tsv".into(),
                            ],
                            login: "`az login`",
                        })
                        .await?;
                        (token, format!("`{command}`"))
                    }
                };
                let (refresh_token, url) = self.acr_exchange(&aad_token, &from).await?;
                Ok((
                    basic(ACR_REFRESH_TOKEN_USER, refresh_token),
                    CredentialOrigin::Provider {
                        provider,
                        detail: format!(
                            "Entra ID token from {from}, exchanged at {url} for an ACR refresh token"
                        ),
                    },
                ))
            }
        }
    }

    /// ACR's `POST /oauth2/exchange` (`grant_type=access_token`): an Entra ID access token for
    /// an ACR refresh token. Returns the refresh token and the URL it came from.
    async fn acr_exchange(&self, aad_token: &str, from: &str) -> Result<(String, String), String> {
        let url = self
            .base
            .join("oauth2/exchange")
            .map_err(|e| format!("provider azure: invalid exchange URL: {e}"))?;
        let shown = url.to_string();
        let failed = |detail: String| {
            format!(
                "provider azure: token exchange at {shown} failed: {detail}; the Entra ID token (from {from}) must be current and allowed to pull from {}: `az login`, or set {AZURE_ACCESS_TOKEN_ENV}",
                self.registry
            )
        };
        let mut request = HttpRequest::new(Method::POST, url);
        request.form = Some(vec![
            ("grant_type".into(), "access_token".into()),
            ("service".into(), self.registry.clone()),
            ("access_token".into(), aad_token.to_string()),
        ]);
        let line = super::RequestLine {
            method: "POST".into(),
            url: shown.clone(),
        };
        let started = std::time::Instant::now();
        let response = self
            .send_raw(request)
            .await
            .map_err(|e| failed(e.to_string()))?;
        let status = response.status;
        tracing::debug!(target: "fluxverify::auth",
            provider = %Provider::Azure,
            url = %crate::logging::redacted_url(&shown),
            status,
            ms = crate::logging::elapsed_ms(started),
            %from,
            "ACR token exchange"
        );
        let body = read_capped(response.body, MAX_TOKEN_BODY, Excess::Ignore, &line)
            .await
            .map_err(|e| failed(e.to_string()))?;
        if status != 200 {
            let text = String::from_utf8_lossy(&body);
            return Err(failed(format!(
                "response status code {status}: {}",
                text.trim()
            )));
        }
        #[derive(serde::Deserialize)]
        struct Exchanged {
            #[serde(default)]
            refresh_token: String,
        }
        let exchanged: Exchanged = decode_first_json(&body)
            .map_err(|e| failed(format!("cannot decode the response: {e}")))?;
        if exchanged.refresh_token.is_empty() {
            return Err(failed("the response has no refresh_token".into()));
        }
        Ok((exchanged.refresh_token, shown))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_region_comes_from_the_host() {
        let call = aws_call("123456789012.dkr.ecr.eu-central-1.amazonaws.com");
        assert_eq!(
            call.command_line(),
            "aws ecr get-login-password --region eu-central-1"
        );
        assert_eq!(
            aws_call("public.ecr.aws").command_line(),
            "aws ecr-public get-login-password --region us-east-1"
        );
    }

    #[test]
    fn azure_scope_follows_the_cloud() {
        assert_eq!(
            azure_scope("a.azurecr.io"),
            "https://management.azure.com/.default"
        );
        assert_eq!(
            azure_scope("a.azurecr.cn"),
            "https://management.chinacloudapi.cn/.default"
        );
        assert_eq!(
            azure_scope("a.azurecr.us"),
            "https://management.usgovcloudapi.net/.default"
        );
    }
}
