//! `fluxverify`: the command-line front end. Argument parsing lives here; each command's glue
//! (load inputs, call the library, render, choose the exit code) lives in `cli/`.
// Inputs go through the one input limit (`fluxverify::limits`, `clippy.toml`).
#![cfg_attr(not(test), deny(clippy::disallowed_methods))]

mod cli;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// `--version`: the version and the Sigstore trusted root shipped for keyless cosign.
fn long_version() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        format!(
            "{}\nSigstore public-good trusted root: {}",
            env!("CARGO_PKG_VERSION"),
            fluxverify::cosign::keyless::root::PUBLIC_GOOD_SOURCE
        )
    })
}

/// Verify Notary Project signatures on OCI artifacts exactly as Flux (or notation) would.
#[derive(Debug, Parser)]
#[command(
    name = "fluxverify",
    version,
    long_version = long_version(),
    about,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log what is done on stderr: -v requests, tag resolution and the trust policy statement
    /// used; -vv auth and each signature's checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG
    /// (a filter such as `fluxverify=debug`) take precedence.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Verify every signed source of a GitOps tree as Flux will (OCIRepository, OCI HelmChart,
    /// HelmRelease): one CI gate.
    Scan(Box<cli::scan::ScanArgs>),
    /// Verify an artifact's signatures the way Flux (or notation) would.
    Verify(Box<cli::verify::VerifyArgs>),
    /// List the signature manifests of an artifact (notation ls).
    Ls(cli::inspect::ListArgs),
    /// Show the signature envelopes of an artifact (notation inspect).
    Inspect(cli::inspect::InspectArgs),
    /// Check, show or explain a trust policy.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Show the certificates of the trust material as Flux will use them.
    Certs(cli::certs::CertsArgs),
    /// Verify or inspect a single signature envelope file.
    #[command(subcommand)]
    Envelope(EnvelopeCommand),
    /// Print a shell completion script.
    Completions {
        /// The shell to generate the script for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (fluxverify.1), or write every page (one per command) into DIR.
    Man {
        /// Write fluxverify.1 and fluxverify-COMMAND.1 pages into this directory.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    /// Validate the trust policy; report Flux clean-up warnings and lint hints.
    Check(cli::policy::CheckArgs),
    /// Print the decoded trust policy.
    Show(cli::policy::PolicyArgs),
    /// Explain which statement applies to REFERENCE, its effective actions and certificates.
    Explain(cli::policy::ExplainArgs),
}

#[derive(Debug, Subcommand)]
enum EnvelopeCommand {
    /// Verify one signature envelope file against the artifact it should sign.
    Verify(Box<cli::envelope::EnvelopeVerifyArgs>),
    /// Show the contents of one signature envelope file.
    Inspect(cli::envelope::EnvelopeInspectArgs),
}

/// Where trust policy and certificates come from.
#[derive(Debug, Args, Clone, Default)]
pub struct TrustArgs {
    /// Kubernetes Secret manifest (YAML or JSON, `-` for stdin) holding `trustpolicy.json` and certificates.
    #[arg(long, value_name = "FILE", conflicts_with = "trust_policy")]
    pub secret: Option<PathBuf>,
    /// Name of the Secret to use when the file holds several that carry `trustpolicy.json`.
    #[arg(long, value_name = "NAME", requires = "secret")]
    pub secret_name: Option<String>,
    /// A `trustpolicy.json` file.
    #[arg(long, value_name = "FILE")]
    pub trust_policy: Option<PathBuf>,
    /// Certificate file or directory (`*.crt`, `*.pem`); repeatable. In notation mode also `TYPE:NAME=PATH`.
    #[arg(long, value_name = "PATH")]
    pub certs: Vec<String>,
}

/// Which reference behaviour to reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Mode {
    /// Flux source-controller.
    #[default]
    Flux,
    /// The notation CLI.
    Notation,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    /// Human-readable text.
    #[default]
    Text,
    /// One JSON object on stdout.
    Json,
}

/// Verification semantics.
#[derive(Debug, Args, Clone)]
pub struct ModeArgs {
    /// Reproduce Flux source-controller (default) or the notation CLI.
    #[arg(long, value_enum, default_value_t = Mode::Flux)]
    pub mode: Mode,
    /// source-controller release to reproduce (flux mode): 1.3 ... 1.9, or Flux 2.3 ... 2.9.
    #[arg(
        long,
        value_name = "VERSION",
        default_value = "1.9",
        value_parser = parse_flux_version,
        long_help = fluxverify::settings::FLUX_VERSION_HELP
    )]
    pub flux_version: String,
    /// Maximum number of signatures to evaluate (notation mode; Flux always uses 3).
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_signatures: usize,
    /// `key=value` that must be in the signature's user metadata (notation mode); repeatable.
    #[arg(long = "user-metadata", short = 'm', value_name = "KEY=VALUE")]
    pub user_metadata: Vec<String>,
}

/// `--flux-version`: checked here so that a bad value is a usage error naming what is accepted.
fn parse_flux_version(text: &str) -> Result<String, String> {
    fluxverify::settings::FluxVersion::parse(text)
        .map(|_| text.to_string())
        .ok_or_else(|| {
            "expected a source-controller release 1.3 ... 1.9 (x.y or x.y.z) or a Flux release 2.3 ... 2.9; see --help".to_string()
        })
}

/// Registry connection settings.
#[derive(Debug, Args, Clone, Default)]
pub struct RegistryArgs {
    /// Use plain HTTP (what `insecure: true` means for Flux's signature calls).
    #[arg(long)]
    pub plain_http: bool,
    /// PEM file of CA certificates to trust for the registry's TLS.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Do not verify the registry's TLS certificate.
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,
    /// Registry user name.
    #[arg(short = 'u', long, env = "FLUXVERIFY_USERNAME", value_name = "USER")]
    pub username: Option<String>,
    /// Registry password or token.
    #[arg(
        short = 'p',
        long,
        env = "FLUXVERIFY_PASSWORD",
        value_name = "PASSWORD",
        hide_env_values = true
    )]
    pub password: Option<String>,
    /// `aws`, `azure`, `gcp` or `generic`: get registry credentials from this cloud provider's
    /// CLI when none are configured (flags, Docker config), as Flux's `spec.provider` does
    /// [default: generic; with --ocirepository: its spec.provider]. `notation` or `cosign`
    /// (verify only): the verification provider, Flux's `spec.verify.provider` [default:
    /// notation; with --ocirepository: its verify.provider]. Give the flag twice to set both.
    #[arg(
        long = "provider",
        value_name = "PROVIDER",
        value_parser = ["generic", "aws", "azure", "gcp", "notation", "cosign"],
        action = clap::ArgAction::Append
    )]
    pub providers: Vec<String>,
    /// Time limit of the whole run (every request, the auth round trips, the signature checks),
    /// in Go duration syntax as Flux's `spec.timeout`: `60s`, `1m30s`, `500ms`. When it expires
    /// the result is an error (exit 2) naming the request that was waiting [default: 60s; with
    /// --ocirepository: its spec.timeout, which this flag overrides; scan: each source's
    /// spec.timeout, this flag is the default of sources without one].
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub timeout: Option<std::time::Duration>,
}

/// `--timeout`: Go duration syntax, checked here so that a bad value is a usage error naming
/// the flag.
fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    let duration = fluxverify::flux::ocirepository::parse_timeout(text)
        .map_err(|e| format!("{e}: expected a duration such as 60s, 2m, 1m30s or 500ms"))?;
    if duration.is_zero() {
        return Err("the time limit must be longer than 0s".into());
    }
    Ok(duration)
}

/// `--provider` values naming Flux's `spec.provider` (registry credentials); the flag's
/// `value_parser` lists these and [`VERIFICATION_PROVIDERS`].
const REGISTRY_PROVIDERS: [&str; 4] = ["generic", "aws", "azure", "gcp"];
/// `--provider` values naming Flux's `spec.verify.provider`.
const VERIFICATION_PROVIDERS: [&str; 2] = ["notation", "cosign"];

impl RegistryArgs {
    /// The registry credentials provider given with `--provider` (the last one wins).
    pub fn registry_provider(&self) -> Option<&str> {
        self.providers
            .iter()
            .rev()
            .map(String::as_str)
            .find(|p| REGISTRY_PROVIDERS.contains(p))
    }

    /// The verification provider given with `--provider` (the last one wins).
    pub fn verification_provider(&self) -> Option<&str> {
        self.providers
            .iter()
            .rev()
            .map(String::as_str)
            .find(|p| VERIFICATION_PROVIDERS.contains(p))
    }
}

/// Reading the artifact from an OCI image layout instead of a registry.
#[derive(Debug, Args, Clone, Default)]
pub struct LayoutArgs {
    /// OCI image layout directory holding the artifact and its signatures.
    #[arg(long, value_name = "DIR")]
    pub oci_layout: Option<PathBuf>,
    /// `registry/repository` that trust policy scopes are matched against (with --oci-layout;
    /// not needed when REFERENCE is a full `registry/repository@sha256:...`).
    #[arg(long, value_name = "REGISTRY/REPOSITORY", requires = "oci_layout")]
    pub scope: Option<String>,
}

impl Command {
    /// The `-o` format the command was given (text for commands without one).
    fn output(&self) -> OutputFormat {
        match self {
            Command::Verify(args) => args.output,
            Command::Ls(args) => args.output,
            Command::Inspect(args) => args.list.output,
            Command::Scan(args) => match args.output {
                cli::scan::ScanFormat::Json => OutputFormat::Json,
                _ => OutputFormat::Text,
            },
            Command::Policy(PolicyCommand::Check(args)) => args.policy.output,
            Command::Policy(PolicyCommand::Show(args)) => args.output,
            Command::Policy(PolicyCommand::Explain(args)) => args.policy.output,
            Command::Certs(args) => args.output,
            Command::Envelope(EnvelopeCommand::Verify(args)) => args.output,
            Command::Envelope(EnvelopeCommand::Inspect(args)) => args.output,
            Command::Completions { .. } | Command::Man { .. } => OutputFormat::Text,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let output = cli.command.output();
    if let Err(error) = cli::logging::init(cli.verbose) {
        return cli::finish(Err(error), output);
    }
    let result = match cli.command {
        Command::Scan(args) => cli::scan::run(*args),
        Command::Verify(args) => cli::verify::run(*args),
        Command::Ls(args) => cli::inspect::run_ls(args),
        Command::Inspect(args) => cli::inspect::run_inspect(args),
        Command::Policy(PolicyCommand::Check(args)) => cli::policy::run_check(args),
        Command::Policy(PolicyCommand::Show(args)) => cli::policy::run_show(args),
        Command::Policy(PolicyCommand::Explain(args)) => cli::policy::run_explain(args),
        Command::Certs(args) => cli::certs::run(args),
        Command::Envelope(EnvelopeCommand::Verify(args)) => cli::envelope::run_verify(*args),
        Command::Envelope(EnvelopeCommand::Inspect(args)) => cli::envelope::run_inspect(args),
        Command::Completions { shell } => cli::completions::run(shell),
        Command::Man { dir } => cli::man::run(dir.as_deref()),
    };
    cli::finish(result, output)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry_args(args: &[&str]) -> RegistryArgs {
        let mut argv = vec!["fluxverify", "verify"];
        argv.extend_from_slice(args);
        match Cli::try_parse_from(argv).expect("flags parse").command {
            Command::Verify(v) => v.registry,
            _ => unreachable!("verify parses as verify"),
        }
    }

    #[test]
    fn provider_flag_sets_the_registry_and_the_verification_provider_apart() {
        let both = registry_args(&["--provider", "cosign", "--provider", "aws", "x"]);
        assert_eq!(both.registry_provider(), Some("aws"));
        assert_eq!(both.verification_provider(), Some("cosign"));
        let one = registry_args(&["--provider", "azure", "x"]);
        assert_eq!(one.registry_provider(), Some("azure"));
        assert_eq!(one.verification_provider(), None);
        let last = registry_args(&["--provider", "notation", "--provider", "cosign", "x"]);
        assert_eq!(last.verification_provider(), Some("cosign"));
        assert!(Cli::try_parse_from(["fluxverify", "verify", "--provider", "oci", "x"]).is_err());
    }
}
