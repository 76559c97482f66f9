//! Cloud registry credentials and hints, through the binary.
//!
//! The cloud providers are tested against the in-process registry's fake token services (ACR's
//! `/oauth2/exchange` + `/oauth2/token`, Artifact Registry's `/v2/token`, ECR's Basic auth) and
//! fake `az` / `aws` / `gcloud` scripts: `PATH` holds only those scripts, so the real CLIs and
//! the real clouds are never reached. The providers apply to loopback hosts for exactly this
//! reason (see `src/source/registry/cloud.rs`).

#[path = "support/cli.rs"]
#[allow(dead_code)]
mod cli;
#[path = "support/corpus.rs"]
#[allow(dead_code)]
mod corpus;
#[path = "support/external.rs"]
#[allow(dead_code)]
mod external;
#[path = "registry/testreg.rs"]
mod testreg;

use serde_json::Value;
use std::path::{Path, PathBuf};
use testreg::{Hostile, TestRegistry, TokenAuth};

const CASE: &str = "m-rsa2048-c2-jws";
const REPO: &str = "corpus/m-rsa2048-c2-jws";
const AAD_TOKEN: &str = "aad-token-4f1c";
const REFRESH_TOKEN: &str = "acr-refresh-9b7e";
const ACCESS_TOKEN: &str = "registry-access-2d5a";
const SECRETS: [&str; 3] = [AAD_TOKEN, REFRESH_TOKEN, ACCESS_TOKEN];

/// A directory for `PATH` with fake provider CLIs that log their arguments to `calls.log`.
struct FakeClis {
    dir: tempfile::TempDir,
}

impl FakeClis {
    fn new() -> FakeClis {
        FakeClis {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A script `name` that logs its arguments, prints `stdout`, and exits with `code`.
    fn script(&self, name: &str, stdout: &str, stderr: &str, code: i32) -> &Self {
        use std::os::unix::fs::PermissionsExt as _;
        let path = self.dir.path().join(name);
        let log = self.dir.path().join("calls.log");
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\nprintf '%s %s\\n' \"{name}\" \"$*\" >> '{}'\nprintf '%s\\n' '{stdout}'\nprintf '%s\\n' '{stderr}' >&2\nexit {code}\n",
                log.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        self
    }

    fn calls(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("calls.log")).unwrap_or_default()
    }
}

/// Runs the binary, isolated, with `PATH` = the fake CLIs only and `env` over its environment
/// (no Azure token unless `env` sets one).
async fn run(
    clis: &FakeClis,
    args: Vec<String>,
    env: Vec<(&str, String)>,
) -> (i32, String, String) {
    cli::fluxverify(args)
        .env("PATH", clis.dir.path())
        .envs(env)
        .output()
        .await
        .into()
}

fn verify_args(reg: &TestRegistry, digest: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "verify".into(),
        format!("{}/{REPO}@{digest}", reg.host()),
        "--plain-http".into(),
        "--secret".into(),
        corpus::strict_secret(CASE).display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn acr(reg: &TestRegistry) {
    reg.require_token(TokenAuth {
        token_path: "/oauth2/token".into(),
        user: "00000000-0000-0000-0000-000000000000".into(),
        password: REFRESH_TOKEN.into(),
        access_token: ACCESS_TOKEN.into(),
        exchange: Some((AAD_TOKEN.into(), REFRESH_TOKEN.into())),
    });
}

fn assert_no_secret(texts: &[&str]) {
    for text in texts {
        for secret in SECRETS {
            assert!(!text.contains(secret), "a secret leaked: {text}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn azure_exchanges_the_az_token_at_acr_and_says_so() {
    let reg = TestRegistry::start().await;
    let digest = reg.serve_layout(&corpus::layout(CASE), REPO);
    acr(&reg);
    let clis = FakeClis::new();
    clis.script("az", AAD_TOKEN, "", 0);

    // Without the provider the registry's challenge goes unanswered.
    let (code, stdout, _) = run(&clis, verify_args(&reg, &digest, &[]), vec![]).await;
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.contains("response status code 401"), "{stdout}");
    assert!(clis.calls().is_empty());

    let (code, stdout, stderr) = run(
        &clis,
        verify_args(&reg, &digest, &["--provider", "azure"]),
        vec![],
    )
    .await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("Result:     verified"), "{stdout}");
    let host = reg.host();
    assert!(
        stdout.contains(&format!("Credentials: provider azure: Entra ID token from `az account get-access-token --scope https://management.azure.com/.default --query accessToken --output tsv`, exchanged at http://{host}/oauth2/exchange for an ACR refresh token")),
        "{stdout}"
    );
    assert_eq!(
        clis.calls(),
        "az account get-access-token --scope https://management.azure.com/.default --query accessToken --output tsv\n"
    );
    // ACR's exchange form, as Flux's azure provider posts it.
    let exchanges = reg.state.exchanges.lock().unwrap().clone();
    assert_eq!(
        exchanges,
        vec![vec![
            ("grant_type".to_string(), "access_token".to_string()),
            ("service".to_string(), host.clone()),
            ("access_token".to_string(), AAD_TOKEN.to_string()),
        ]]
    );
    // The refresh token went to /oauth2/token as the password of the all-zero user.
    let requests = reg.requests();
    let token_request = requests
        .iter()
        .rfind(|r| r.path_and_query.starts_with("/oauth2/token"))
        .unwrap();
    assert_eq!(
        token_request.authorization.as_deref(),
        Some(
            format!(
                "Basic {}",
                base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    format!("00000000-0000-0000-0000-000000000000:{REFRESH_TOKEN}")
                )
            )
            .as_str()
        )
    );
    assert_no_secret(&[&stdout, &stderr]);

    let (code, stdout, stderr) = run(
        &clis,
        verify_args(&reg, &digest, &["--provider", "azure", "-o", "json"]),
        vec![],
    )
    .await;
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["credentials"]["source"], "provider");
    assert_eq!(json["credentials"]["provider"], "azure");
    assert_eq!(json["hints"], serde_json::json!([]));
    assert_no_secret(&[&stdout, &stderr]);
}

#[tokio::test(flavor = "multi_thread")]
async fn azure_token_from_the_environment_and_its_failures() {
    let reg = TestRegistry::start().await;
    let digest = reg.serve_layout(&corpus::layout(CASE), REPO);
    acr(&reg);
    let clis = FakeClis::new(); // no az at all

    let args = verify_args(&reg, &digest, &["--provider", "azure"]);
    let (code, stdout, stderr) = run(
        &clis,
        args.clone(),
        vec![("AZURE_ACCESS_TOKEN", AAD_TOKEN.into())],
    )
    .await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains(
            "Credentials: provider azure: Entra ID token from AZURE_ACCESS_TOKEN, exchanged at"
        ),
        "{stdout}"
    );

    // A token ACR refuses: the exchange's failure, naming the provider and what to run.
    let (code, stdout, _) = run(
        &clis,
        args.clone(),
        vec![("AZURE_ACCESS_TOKEN", "expired".into())],
    )
    .await;
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stdout.contains(&format!("provider azure: token exchange at http://{}/oauth2/exchange failed: response status code 401", reg.host())),
        "{stdout}"
    );
    assert!(
        stdout.contains("`az login`, or set AZURE_ACCESS_TOKEN"),
        "{stdout}"
    );

    // Neither the variable nor the CLI.
    let (code, stdout, _) = run(&clis, args, vec![]).await;
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stdout.contains("provider azure: cannot run `az account get-access-token --scope https://management.azure.com/.default --query accessToken --output tsv`: az is not on PATH; install it and log in (`az login`)"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ocirepository_spec_provider_is_used_only_without_configured_credentials() {
    let reg = TestRegistry::start().await;
    let digest = reg.serve_layout(&corpus::layout(CASE), REPO);
    acr(&reg);
    let clis = FakeClis::new();
    clis.script("az", AAD_TOKEN, "", 0);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ocirepository.yaml");
    std::fs::write(
        &file,
        format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: app\nspec:\n  url: oci://{}/{REPO}\n  insecure: true\n  provider: azure\n  ref:\n    digest: {digest}\n  verify:\n    provider: notation\n    secretRef:\n      name: notation-config\n",
            reg.host()
        ),
    )
    .unwrap();
    let args_for = |file: &Path| {
        vec![
            "verify".to_string(),
            "--ocirepository".into(),
            file.display().to_string(),
            "--secret".into(),
            corpus::strict_secret(CASE).display().to_string(),
        ]
    };
    let args = args_for(&file);
    let (code, stdout, stderr) = run(&clis, args.clone(), vec![]).await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("Credentials: provider azure"), "{stdout}");
    assert_eq!(reg.state.exchanges.lock().unwrap().len(), 1);

    // Credentials in the Docker config win: no CLI call, no exchange.
    let docker = tempfile::tempdir().unwrap();
    let auth = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("00000000-0000-0000-0000-000000000000:{REFRESH_TOKEN}"),
    );
    std::fs::write(
        docker.path().join("config.json"),
        serde_json::json!({"auths": {reg.host(): {"auth": auth}}}).to_string(),
    )
    .unwrap();
    let calls_before = clis.calls();
    let (code, stdout, stderr) = run(
        &clis,
        args,
        vec![("DOCKER_CONFIG", docker.path().display().to_string())],
    )
    .await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!(
            "Credentials: Docker config {}",
            docker.path().join("config.json").display()
        )),
        "{stdout}"
    );
    assert_eq!(clis.calls(), calls_before);
    assert_eq!(reg.state.exchanges.lock().unwrap().len(), 1);
    assert_no_secret(&[&stdout, &stderr]);

    // A spec.secretRef for the registry: Flux does not ask the provider, neither does
    // fluxverify (the Secret itself is not read).
    let text = std::fs::read_to_string(&file).unwrap().replace(
        "  provider: azure\n",
        "  provider: azure\n  secretRef:\n    name: acr-pull\n",
    );
    std::fs::write(&file, text).unwrap();
    let (code, stdout, stderr) = run(&clis, args_for(&file), vec![]).await;
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(stderr.starts_with("Warning: spec.provider azure is not used: Flux takes the registry credentials from spec.secretRef \"acr-pull\""), "{stderr}");
    // A digest reference: the 401 comes from verification's own resolve (Flux's getRevision
    // sends nothing for a digest), so the report shows it with the condition Flux writes.
    assert!(stdout.contains("response status code 401"), "{stdout}");
    assert!(stdout.contains("Result:     error"), "{stdout}");
    assert!(
        stdout.contains("Message:  failed to verify the signature using provider 'notation': "),
        "{stdout}"
    );
    assert!(stdout.contains("\nHint: "), "{stdout}");
    assert_eq!(clis.calls(), calls_before);
}

#[tokio::test(flavor = "multi_thread")]
async fn aws_login_password_is_basic_auth_as_user_aws() {
    let reg = TestRegistry::start().await;
    let digest = reg.serve_layout(&corpus::layout(CASE), REPO);
    *reg.state.basic.lock().unwrap() = Some(format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("AWS:{ACCESS_TOKEN}")
        )
    ));
    let clis = FakeClis::new();
    clis.script("aws", ACCESS_TOKEN, "", 0);
    let (code, stdout, stderr) = run(
        &clis,
        verify_args(&reg, &digest, &["--provider", "aws"]),
        vec![("AWS_REGION", "eu-west-1".into())],
    )
    .await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(
        clis.calls(),
        "aws ecr get-login-password --region eu-west-1\n"
    );
    assert!(
        stdout.contains(
            "Credentials: provider aws: `aws ecr get-login-password --region eu-west-1` as user AWS"
        ),
        "{stdout}"
    );
    assert_no_secret(&[&stdout, &stderr]);

    // A CLI that fails: its message, and how to log in.
    let failing = FakeClis::new();
    failing.script("aws", "", "Unable to locate credentials.", 255);
    let (code, stdout, _) = run(
        &failing,
        verify_args(&reg, &digest, &["--provider", "aws"]),
        vec![("AWS_REGION", "eu-west-1".into())],
    )
    .await;
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stdout.contains("provider aws: `aws ecr get-login-password --region eu-west-1` failed (exit status: 255): Unable to locate credentials.; log in with `aws configure` or `aws sso login`"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn gcp_access_token_goes_to_the_token_service_as_oauth2accesstoken() {
    let reg = TestRegistry::start().await;
    let digest = reg.serve_layout(&corpus::layout(CASE), REPO);
    reg.require_token(TokenAuth {
        token_path: "/v2/token".into(),
        user: "oauth2accesstoken".into(),
        password: AAD_TOKEN.into(),
        access_token: ACCESS_TOKEN.into(),
        exchange: None,
    });
    let clis = FakeClis::new();
    clis.script("gcloud", AAD_TOKEN, "", 0);
    let (code, stdout, stderr) = run(
        &clis,
        verify_args(&reg, &digest, &["--provider", "gcp", "-o", "json"]),
        vec![],
    )
    .await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(clis.calls(), "gcloud auth print-access-token\n");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        json["credentials"],
        serde_json::json!({"source": "provider", "provider": "gcp", "detail": "provider gcp: `gcloud auth print-access-token` as user oauth2accesstoken"})
    );
    assert_no_secret(&[&stdout, &stderr]);

    let failing = FakeClis::new();
    failing.script(
        "gcloud",
        "",
        "ERROR: (gcloud.auth.print-access-token) You do not currently have an active account selected.",
        1,
    );
    let (code, stdout, _) = run(
        &failing,
        verify_args(&reg, &digest, &["--provider", "gcp"]),
        vec![],
    )
    .await;
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stdout.contains("provider gcp: `gcloud auth print-access-token` failed (exit status: 1): ERROR: (gcloud.auth.print-access-token) You do not currently have an active account selected.; log in with `gcloud auth login`"),
        "{stdout}"
    );
}

// ---------------------------------------------------------------------------------------------
// Hints

#[tokio::test(flavor = "multi_thread")]
async fn unauthorized_and_forbidden_hint_at_credentials_under_the_unchanged_error() {
    let reg = TestRegistry::start().await;
    let digest = reg.serve_layout(&corpus::layout(CASE), REPO);
    *reg.state.basic.lock().unwrap() = Some(testreg::basic_authorization("u", "p"));
    let clis = FakeClis::new();
    let host = reg.host();
    let ways = format!("-u USER -p PASSWORD (or FLUXVERIFY_USERNAME / FLUXVERIFY_PASSWORD), `docker login {host}`, a credential helper for {host} in the Docker config (credHelpers / credsStore)");

    let (code, stdout, _) = run(&clis, verify_args(&reg, &digest, &[]), vec![]).await;
    assert_eq!(code, 2, "{stdout}");
    let hint = format!(
        "Hint: {host} requires credentials and none are configured for it; give them with {ways}\n"
    );
    assert!(stdout.ends_with(&hint), "{stdout}");
    let error = format!("HEAD \"http://{host}/v2/{REPO}/manifests/{digest}\": response status code 401: Unauthorized");
    assert!(
        stdout.contains(&format!("Error:      {error}\n")),
        "{stdout}"
    );

    // JSON: the same hint in `hints`; the error and the condition do not carry it.
    let (code, stdout, _) = run(&clis, verify_args(&reg, &digest, &["-o", "json"]), vec![]).await;
    assert_eq!(code, 2);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        json["hints"],
        serde_json::json!([hint.trim_start_matches("Hint: ").trim_end()])
    );
    assert_eq!(json["error"], error);
    // A digest is not resolved before verification: notation-go's resolve gets the 401 and
    // Flux writes it into SourceVerified (the run stays undecided: exit 2).
    assert_eq!(
        json["condition"]["message"],
        format!("failed to verify the signature using provider 'notation': {error}"),
        "{stdout}"
    );

    // A tag that cannot be resolved: the command cannot run (2); the hint follows `Error:`.
    let (code, stdout, stderr) = run(
        &clis,
        vec![
            "verify".into(),
            format!("{host}/{REPO}:v1"),
            "--plain-http".into(),
            "--secret".into(),
            corpus::strict_secret(CASE).display().to_string(),
        ],
        vec![],
    )
    .await;
    assert_eq!(code, 2, "{stdout}{stderr}");
    // The report, as for a digest: the error, then the hint under it.
    let error_line = stdout
        .lines()
        .position(|l| l.starts_with("Error: ") && l.contains("401"))
        .unwrap_or_else(|| panic!("no 401 error line: {stdout}{stderr}"));
    assert!(stdout.ends_with(&hint), "{stdout}");
    assert!(stdout[..stdout.len() - hint.len()].lines().count() > error_line);

    // `ls` too.
    let (code, _, stderr) = run(
        &clis,
        vec![
            "ls".into(),
            format!("{host}/{REPO}@{digest}"),
            "--plain-http".into(),
        ],
        vec![],
    )
    .await;
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.ends_with(&hint), "{stderr}");

    // Credentials the registry refuses.
    let (code, stdout, _) = run(
        &clis,
        verify_args(&reg, &digest, &["-u", "u", "-p", "wrong"]),
        vec![],
    )
    .await;
    assert_eq!(code, 2);
    assert!(
        stdout.ends_with(&format!("Hint: {host} refused the credentials (given with -u/-p); check them, or give others with {ways}\n")),
        "{stdout}"
    );

    // Accepted credentials without pull access.
    reg.hostile(Hostile {
        forbid: true,
        ..Hostile::default()
    });
    let (code, stdout, _) = run(
        &clis,
        verify_args(&reg, &digest, &["-u", "u", "-p", "p"]),
        vec![],
    )
    .await;
    assert_eq!(code, 2);
    assert!(stdout.contains("response status code 403"), "{stdout}");
    assert!(
        stdout.ends_with(&format!("Hint: {host} does not let the credentials (given with -u/-p) pull {REPO}; use an identity with pull access, given with {ways}\n")),
        "{stdout}"
    );
    assert!(stdout.contains("Credentials: given with -u/-p\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cloud_host_hint_names_the_provider() {
    // Only the host name decides the suggestion; nothing is sent to it.
    use fluxverify::report::hints::{for_registry, Origin, RegistryFacts};
    use fluxverify::source::registry::{Provider, RegistryError, RequestLine};
    let facts = |registry: &str, origin| RegistryFacts {
        registry: registry.into(),
        repository: "app".into(),
        error: Some(RegistryError::Status {
            request: RequestLine {
                method: "HEAD".into(),
                url: format!("https://{registry}/v2/app/manifests/v1"),
            },
            status: 401,
            detail: "Unauthorized".into(),
        }),
        credentials: None,
        provider: Provider::Generic,
        origin,
    };
    let hint = for_registry(&facts("myacr.azurecr.io", Origin::OciRepository));
    assert!(
        hint[0].ends_with(", spec.provider: azure (or --provider azure)"),
        "{hint:?}"
    );
    let hint = for_registry(&facts("europe-docker.pkg.dev", Origin::Flags));
    assert!(hint[0].ends_with(", --provider gcp"), "{hint:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn https_to_a_plain_http_registry_hints_at_plain_http() {
    let reg = TestRegistry::start().await;
    let digest = reg.serve_layout(&corpus::layout(CASE), REPO);
    let clis = FakeClis::new();
    let host = reg.host();
    let (code, stdout, _) = run(
        &clis,
        vec![
            "verify".into(),
            format!("{host}/{REPO}@{digest}"),
            "--secret".into(),
            corpus::strict_secret(CASE).display().to_string(),
        ],
        vec![],
    )
    .await;
    assert_eq!(code, 2, "{stdout}");
    // Go's words, as oras-go returns them: `Head "https://...": http: server gave HTTP
    // response to HTTPS client`.
    let head = format!("Head \"https://{host}/v2/{REPO}/manifests/{digest}\": http: server gave HTTP response to HTTPS client");
    assert!(stdout.contains(&head), "{stdout}");
    assert!(
        stdout.ends_with(&format!("Hint: {host} answered the TLS handshake in plain HTTP: it serves HTTP, not HTTPS; use --plain-http\n")),
        "{stdout}"
    );

    // Notation mode: under notation's own `Error:` line, on stderr.
    let (code, stdout, stderr) = run(
        &clis,
        vec![
            "verify".into(),
            format!("{host}/{REPO}@{digest}"),
            "--mode".into(),
            "notation".into(),
            "--trust-policy".into(),
            corpus::corpus()
                .join("cases/m-rsa2048-c2-jws--strict/trustpolicy.json")
                .display()
                .to_string(),
            "--certs".into(),
            rsa_root().display().to_string(),
        ],
        vec![],
    )
    .await;
    assert_eq!(code, 2, "{stdout}{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].starts_with("Error: ")
            && lines[0].ends_with("http: server gave HTTP response to HTTPS client"),
        "{stderr}"
    );
    assert_eq!(lines[1], format!("Hint: {host} answered the TLS handshake in plain HTTP: it serves HTTP, not HTTPS; use --plain-http"));
    assert!(!stdout.contains("Hint:"), "{stdout}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ocirepository.yaml");
    std::fs::write(
        &file,
        format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: app\nspec:\n  url: oci://{host}/{REPO}\n  ref:\n    tag: v1\n  verify:\n    provider: notation\n"
        ),
    )
    .unwrap();
    let (code, _, stderr) = run(
        &clis,
        vec![
            "verify".into(),
            "--ocirepository".into(),
            file.display().to_string(),
            "--secret".into(),
            corpus::strict_secret(CASE).display().to_string(),
        ],
        vec![],
    )
    .await;
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.ends_with(&format!("Hint: {host} answered the TLS handshake in plain HTTP: it serves HTTP, not HTTPS; set spec.insecure: true (or use --plain-http)\n")),
        "{stderr}"
    );
}

/// `verify --oci-layout` of the corpus layout under `scope`, with `policy` and `certs`.
fn layout_verify(
    scope: &str,
    policy: &Value,
    certs: &str,
    extra: &[&str],
) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let policy_file = dir.path().join("trustpolicy.json");
    std::fs::write(&policy_file, policy.to_string()).unwrap();
    let mut args: Vec<String> = vec![
        "verify".into(),
        "--oci-layout".into(),
        corpus::layout(CASE).display().to_string(),
        "--scope".into(),
        scope.into(),
        "--trust-policy".into(),
        policy_file.display().to_string(),
        "--certs".into(),
        certs.into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push("v1".into());
    cli::fluxverify(args).output_blocking().into()
}

fn statement(name: &str, scopes: &[&str]) -> Value {
    serde_json::json!({
        "name": name, "registryScopes": scopes,
        "signatureVerification": {"level": "strict"},
        "trustStores": ["ca:corpus"], "trustedIdentities": ["*"]
    })
}

fn rsa_root() -> PathBuf {
    corpus::corpus()
        .join("cases/m-rsa2048-c2-jws--strict/truststore/x509/ca/corpus/root-rsa2048.crt")
}

#[test]
fn no_applicable_statement_lists_the_scopes_and_the_nearest() {
    let policy = serde_json::json!({"version": "1.0", "trustPolicies": [
        statement("apps", &["registry.example/app", "registry.example/web"]),
        statement("other", &["other.example/tools"]),
    ]});
    let (code, stdout, stderr) = layout_verify(
        "registry.example/apps",
        &policy,
        &rsa_root().display().to_string(),
        &["-o", "json"],
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert!(json["error"]
        .as_str()
        .unwrap()
        .contains("has no applicable trust policy statement"));
    assert_eq!(
        json["hints"],
        serde_json::json!([
            "no registryScopes entry is \"registry.example/apps\"; the policy's statements and scopes: \"apps\" [registry.example/app, registry.example/web]; \"other\" [other.example/tools]",
            "the nearest scope is \"registry.example/app\" (statement \"apps\"); a scope must equal registry/repository exactly: add \"registry.example/apps\" to a statement's registryScopes, or \"*\" for every repository"
        ])
    );
}

#[test]
#[cfg_attr(
    feature = "skip-openssl-tests",
    ignore = "needs openssl: left out by FLUXVERIFY_SKIP_OPENSSL_TESTS=1"
)]
fn an_untrusted_chain_shows_its_root_beside_the_trusted_certificates() {
    let policy = serde_json::json!({"version": "1.0", "trustPolicies": [statement("all", &["*"])]});
    let ec_root = corpus::corpus()
        .join("cases/m-ec384-c2-cose--strict/truststore/x509/ca/corpus/root-ec384.crt");
    let (code, stdout, stderr) = layout_verify(
        "registry.example/app",
        &policy,
        &ec_root.display().to_string(),
        &[],
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout
            .contains("the signature's certificate chain does not contain any trusted certificate"),
        "{stdout}"
    );
    // The fingerprint as openssl prints it for the certificate that is the chain's root.
    let openssl = std::process::Command::new(external::OPENSSL.require())
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(rsa_root())
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&openssl.stdout);
    let fingerprint = printed.trim().rsplit('=').next().unwrap();
    assert_eq!(fingerprint.len(), 95, "{printed}");
    let hint = stdout.lines().find(|l| l.starts_with("Hint: ")).unwrap();
    assert_eq!(
        hint,
        format!("Hint: the signature's chain ends at \"CN=Corpus Root rsa2048,O=Corpus,L=Seattle,ST=WA,C=US\" (SHA-256 {fingerprint}), but the trusted certificates are \"CN=Corpus Root ec384,O=Corpus,L=Seattle,ST=WA,C=US\"; trust that root (add it to the Secret or --certs) if it is the signer's")
    );
}

#[test]
fn certs_with_an_unknown_store_type_lists_the_valid_types() {
    let policy = serde_json::json!({"version": "1.0", "trustPolicies": [statement("all", &["*"])]});
    let arg = format!("CA:corpus={}", rsa_root().display());
    let (code, stdout, stderr) = layout_verify(
        "registry.example/app",
        &policy,
        &arg,
        &["--mode", "notation"],
    );
    assert_eq!(code, 2, "{stdout}{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].starts_with(&format!("Error: cannot read {arg}")),
        "{stderr}"
    );
    assert_eq!(
        lines[1],
        format!("Hint: --certs {arg}: \"CA\" is not a trust store type; TYPE:NAME=PATH takes one of ca, signingAuthority, tsa (case-sensitive)")
    );
    // A valid type is no occasion for the hint.
    let (code, _, stderr) = layout_verify(
        "registry.example/app",
        &policy,
        &format!("ca:corpus={}", rsa_root().display()),
        &["--mode", "notation"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("Hint:"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cosign_verification_gets_the_same_registry_hints() {
    let reg = TestRegistry::start().await;
    let digest = reg.serve_layout(&corpus::layout(CASE), REPO);
    *reg.state.basic.lock().unwrap() = Some(testreg::basic_authorization("u", "p"));
    let clis = FakeClis::new();
    let host = reg.host();
    let secret = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/cosign/cases/ecdsa-bundle--tag/secret.yaml");
    let args = |extra: &[&str]| {
        let mut args: Vec<String> = vec![
            "verify".into(),
            "--verify-provider".into(),
            "cosign".into(),
            format!("{host}/{REPO}@{digest}"),
            "--plain-http".into(),
            "--secret".into(),
            secret.display().to_string(),
            "-o".into(),
            "json".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    // No credentials: the digest cannot be resolved, and the hint says how to give them.
    let (code, stdout, _) = run(&clis, args(&[]), vec![]).await;
    assert_eq!(code, 2, "{stdout}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let hints = json["hints"].as_array().unwrap();
    assert_eq!(hints.len(), 1, "{stdout}");
    assert!(
        hints[0].as_str().unwrap().starts_with(&format!(
            "{host} requires credentials and none are configured"
        )),
        "{stdout}"
    );
    // With them the report names where they came from (the artifact has no cosign signature).
    let (code, stdout, _) = run(&clis, args(&["-u", "u", "-p", "p"]), vec![]).await;
    assert_eq!(code, 1, "{stdout}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["provider"], "cosign", "{stdout}");
    assert_eq!(json["credentials"]["source"], "explicit", "{stdout}");
}
