//! `verify`'s arguments and output formats.
use crate::cli::flags::{ProviderParser, VerifyProvider};
use crate::{LayoutArgs, ModeArgs, OutputFormat, RegistryArgs, TrustArgs};
use clap::Args;
use std::path::PathBuf;

/// `verify --provider`: the registry providers, `notation`/`cosign` still read as the old
/// spelling of `--verify-provider`, and what an `--ocirepository` file changes.
const PROVIDER_HELP: &str = "`aws`, `azure`, `gcp` or `generic`: get registry credentials from this cloud provider's CLI when none are configured (flags, Docker config), as Flux's `spec.provider` does [default: generic; with --ocirepository: its spec.provider]";

/// `verify --timeout`: what an `--ocirepository` file changes.
const TIMEOUT_HELP: &str = "Time limit of the whole run (every request, the auth round trips, the signature checks), in Go duration syntax as Flux's `spec.timeout`: `60s`, `1m30s`, `500ms`. When it expires the result is an error (exit 2) naming the request that was waiting [default: 60s; with --ocirepository: its spec.timeout, which this flag overrides]";

/// Arguments of `verify`.
#[derive(Debug, Args)]
#[command(
    mut_arg("providers", |a| a.help(PROVIDER_HELP).value_parser(ProviderParser::with_old_spelling())),
    mut_arg("timeout", |a| a.help(TIMEOUT_HELP))
)]
pub struct VerifyArgs {
    /// `registry/repository:tag`, `registry/repository@sha256:...` or `registry/repository:tag@sha256:...`
    /// (with --oci-layout: a tag or `@sha256:...` inside the layout).
    pub reference: Option<String>,
    /// An OCIRepository manifest to take url, ref, insecure and verify.secretRef from.
    #[arg(long, value_name = "FILE")]
    pub ocirepository: Option<PathBuf>,
    #[command(flatten)]
    pub trust: TrustArgs,
    #[command(flatten)]
    pub mode: ModeArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
    #[command(flatten)]
    pub layout: LayoutArgs,
    /// Which signatures to verify, as Flux's `spec.verify.provider` [default: notation; with
    /// --ocirepository: its spec.verify.provider].
    #[arg(long, value_enum, value_name = "PROVIDER")]
    pub verify_provider: Option<VerifyProvider>,
    /// The artifact must be verified: what Flux would accept without setting `SourceVerified`
    /// (exit 3, ignored) and a `skip` level in notation mode fail instead (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// A cosign public key (PEM) to verify with; repeatable (with or instead of --secret, whose
    /// data keys ending in `.pub` are the keys).
    #[arg(long = "key", value_name = "FILE")]
    pub keys: Vec<PathBuf>,
    /// cosign: check the claims as `cosign verify` does, refusing what Flux accepts laxly: a
    /// classic signature whose payload names another digest than the artifact's.
    #[arg(long)]
    pub check_claims: bool,
    /// Keyless cosign: a Go regular expression the certificate's subject (SAN) must match;
    /// repeatable, paired in order with --certificate-oidc-issuer-regexp (as matchOIDCIdentity).
    #[arg(long = "certificate-identity-regexp", value_name = "REGEX")]
    pub identity_regexps: Vec<String>,
    /// Keyless cosign: a Go regular expression the certificate's OIDC issuer must match;
    /// repeatable, paired in order with --certificate-identity-regexp.
    #[arg(long = "certificate-oidc-issuer-regexp", value_name = "REGEX")]
    pub issuer_regexps: Vec<String>,
    /// The trusted root of keyless sources without trustedRootSecretRef.
    #[command(flatten)]
    pub root: crate::cli::root::RootArgs,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = VerifyFormat::Text)]
    pub output: VerifyFormat,
}

/// Output formats of `verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum VerifyFormat {
    /// Human-readable text.
    #[default]
    Text,
    /// One JSON object on stdout.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning): one result unless verified.
    Sarif,
}

impl VerifyFormat {
    /// The format of the common output paths: SARIF, like JSON, is one document on stdout
    /// (no spinner, no status line).
    pub fn base(self) -> OutputFormat {
        match self {
            VerifyFormat::Text => OutputFormat::Text,
            VerifyFormat::Json | VerifyFormat::Sarif => OutputFormat::Json,
        }
    }

    /// The format `cli::finish` reports an error in: the JSON error object for `-o json`;
    /// under `-o sarif` [`run`] has printed the SARIF log of the error already.
    pub fn for_errors(self) -> OutputFormat {
        match self {
            VerifyFormat::Json => OutputFormat::Json,
            VerifyFormat::Text | VerifyFormat::Sarif => OutputFormat::Text,
        }
    }
}

impl VerifyArgs {
    /// Whether a keyless cosign flag is given.
    pub fn has_keyless_flags(&self) -> bool {
        !self.identity_regexps.is_empty()
            || !self.issuer_regexps.is_empty()
            || self.root.trusted_root.is_some()
            || self.root.refresh_root
    }

    /// `--verify-provider`, or its old spelling `--provider notation|cosign` (with a warning).
    pub(super) fn verification_provider(&self) -> anyhow::Result<Option<VerifyProvider>> {
        let Some(old) = self.registry.old_verify_provider() else {
            return Ok(self.verify_provider);
        };
        if self.verify_provider.is_some_and(|given| given != old) {
            anyhow::bail!(
                "--provider {} and --verify-provider {} disagree: the verification provider is --verify-provider (--provider names the registry credentials provider, Flux's spec.provider)",
                old.name(),
                self.verify_provider.map_or("", VerifyProvider::name)
            );
        }
        eprintln!(
            "Warning: --provider {0} is the old spelling of --verify-provider {0} (Flux's spec.verify.provider); --provider names spec.provider, the registry credentials provider",
            old.name()
        );
        Ok(Some(old))
    }

    /// The flags that only the cosign provider reads, as given.
    pub(super) fn cosign_flags(&self) -> Vec<&'static str> {
        let mut given = Vec::new();
        if !self.keys.is_empty() {
            given.push("--key");
        }
        if self.check_claims {
            given.push("--check-claims");
        }
        if !self.identity_regexps.is_empty() {
            given.push("--certificate-identity-regexp");
        }
        if !self.issuer_regexps.is_empty() {
            given.push("--certificate-oidc-issuer-regexp");
        }
        if self.root.trusted_root.is_some() {
            given.push("--trusted-root");
        }
        if self.root.refresh_root {
            given.push("--refresh-root");
        }
        given
    }
}
