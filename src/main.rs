//! `fluxverify`: the command-line front end. Argument parsing lives here; each command's glue
//! (load inputs, call the library, render, choose the exit code) lives in `cli/`.
// Inputs go through the one input limit (`fluxverify::limits`, `clippy.toml`).
#![cfg_attr(not(test), deny(clippy::disallowed_methods))]
// The C library calls `main` below instead of Rust's start-up (`start` explains why).
#![cfg_attr(not(test), no_main)]

mod cli;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// `--version` (and the man pages): the version and the public-good trusted root shipped for
/// keyless cosign. Fixed text, so that the generated pages do not depend on the user's cache;
/// `fluxverify version` says which root is in use.
fn long_version() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        format!(
            "{}\nSigstore public-good trusted root shipped: {} (a newer --refresh-root in the cache replaces it: `fluxverify version`)\nSigstore TUF root shipped, where --refresh-root starts without a cached one or --tuf-root: {}",
            env!("CARGO_PKG_VERSION"),
            fluxverify::cosign::keyless::root::PUBLIC_GOOD_SOURCE,
            fluxverify::cosign::keyless::tuf::SHIPPED_TUF_ROOT_SOURCE
        )
    })
}

/// Verify Notary Project (notation) and cosign signatures on OCI artifacts exactly as Flux
/// source-controller (or the notation CLI) would.
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
    /// Print the version and the Sigstore public-good trusted root in use (shipped snapshot
    /// or cached TUF refresh).
    Version,
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
    #[command(flatten)]
    pub reproduce: Reproduce,
    /// Maximum number of signatures to evaluate (notation mode; Flux always uses 3).
    #[arg(long, value_name = "N", default_value_t = cli::stages::NOTATION_MAX_SIGNATURES)]
    pub max_signatures: usize,
    /// `key=value` that must be in the signature's user metadata (notation mode); repeatable.
    #[arg(long = "user-metadata", short = 'm', value_name = "KEY=VALUE")]
    pub user_metadata: Vec<String>,
}

/// Whose behaviour to reproduce: `--mode` and `--flux-version` (what `policy` takes of
/// [`ModeArgs`]: it evaluates no signatures).
#[derive(Debug, Args, Clone, Copy)]
pub struct Reproduce {
    /// Reproduce Flux source-controller (default; --flux-version picks the release) or the
    /// notation CLI.
    #[arg(long, value_enum, default_value_t = Mode::Flux)]
    pub mode: Mode,
    #[command(flatten)]
    pub release: FluxRelease,
}

/// `--flux-version`, one definition for every command that takes it (verify, scan, policy,
/// envelope verify).
#[derive(Debug, Args, Clone, Copy)]
pub struct FluxRelease {
    /// source-controller release to reproduce: 1.3 ... 1.9, or Flux 2.3 ... 2.9.
    #[arg(
        long,
        value_name = "VERSION",
        default_value = "1.9",
        value_parser = cli::flags::FluxVersionParser,
        hide_possible_values = true,
        long_help = fluxverify::settings::FLUX_VERSION_HELP
    )]
    pub flux_version: fluxverify::settings::FluxVersion,
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
    /// [default: generic].
    #[arg(
        long = "provider",
        value_name = "PROVIDER",
        value_parser = cli::flags::ProviderParser::registry(),
        action = clap::ArgAction::Append
    )]
    pub providers: Vec<cli::flags::ProviderFlag>,
    /// Time limit of the whole run (every request and the auth round trips), in Go duration
    /// syntax as Flux's `spec.timeout`: `60s`, `1m30s`, `500ms`. When it expires the result is
    /// an error (exit 2) naming the request that was waiting [default: 60s].
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

impl RegistryArgs {
    /// The registry credentials provider given with `--provider` (the last one wins).
    pub fn registry_provider(&self) -> Option<fluxverify::source::registry::Provider> {
        self.providers.iter().rev().find_map(|p| match p {
            cli::flags::ProviderFlag::Registry(provider) => Some(*provider),
            cli::flags::ProviderFlag::OldVerifyProvider(_) => None,
        })
    }

    /// `--provider notation|cosign` (verify's old spelling of `--verify-provider`; the last
    /// one wins).
    pub fn old_verify_provider(&self) -> Option<cli::flags::VerifyProvider> {
        self.providers.iter().rev().find_map(|p| match p {
            cli::flags::ProviderFlag::OldVerifyProvider(provider) => Some(*provider),
            cli::flags::ProviderFlag::Registry(_) => None,
        })
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
            Command::Verify(args) => args.output.for_errors(),
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
            Command::Completions { .. } | Command::Man { .. } | Command::Version => {
                OutputFormat::Text
            }
        }
    }
}

/// The process entry, called by the C library's start-up in place of Rust's (`lang_start`).
///
/// Why: Rust's start-up finds the main thread's stack, for its stack-overflow message, with
/// `pthread_getattr_np`, which glibc answers by reading and parsing `/proc/self/maps`, and maps
/// an alternate signal stack for that message: a tenth of what `--version` costs over `true`
/// (docs/benchmarks.md, seventh round). What else it does, and fluxverify relies on, is done
/// here: closed standard descriptors reopened on `/dev/null` (so that no file we open becomes
/// stdout), SIGPIPE ignored (a reader that went away is an `EPIPE` the output module reports),
/// a panic ends the process with 101 after the hook printed it, and `std::process::exit` runs
/// std's clean-up (stdout flushed). A stack overflow is still stopped by the guard page, as a plain
/// SIGSEGV without Rust's message; the input limits bound every recursion on user input.
#[cfg(not(test))]
#[no_mangle]
extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    start::standard_descriptors_open();
    start::ignore_sigpipe();
    match std::panic::catch_unwind(run) {
        // std's `exit` flushes stdout before the C library's `exit`.
        Ok(exit) => std::process::exit(exit as i32),
        Err(_) => std::process::exit(101),
    }
}

/// The parts of Rust's start-up that [`main`] keeps.
#[cfg(not(test))]
mod start {
    /// Descriptors 0–2 that are closed are opened on `/dev/null`, as Rust's start-up does.
    pub fn standard_descriptors_open() {
        let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
            fd,
            events: 0,
            revents: 0,
        });
        // SAFETY: `fds` is a valid array of three pollfd for the duration of the call.
        if unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } == -1 {
            return;
        }
        for fd in fds {
            if fd.revents & libc::POLLNVAL != 0 {
                // SAFETY: a NUL-terminated path; the lowest free descriptor is the closed one.
                let opened = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
                if opened == -1 {
                    std::process::abort();
                }
            }
        }
    }

    /// SIGPIPE ignored, as Rust's start-up does: writes to a closed pipe fail with `EPIPE`.
    pub fn ignore_sigpipe() {
        // SAFETY: setting a signal's disposition to SIG_IGN has no handler to be unsound.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    }
}

/// Everything fluxverify does, from the arguments to the exit code.
#[cfg_attr(test, allow(dead_code))]
fn run() -> cli::Exit {
    if let Some(asked) = cli::version::asked(std::env::args_os()) {
        cli::output::write(format_args!(
            "{}",
            cli::version::text(asked, long_version())
        ));
        return cli::finish(Ok(cli::Exit::Ok), OutputFormat::Text);
    }
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
        Command::Version => {
            cli::output::write(format_args!(
                "fluxverify {}\nSigstore public-good trusted root in use: {}\nTUF root a --refresh-root starts from: {}\n",
                env!("CARGO_PKG_VERSION"),
                cli::root::public_good_description(),
                cli::root::tuf_chain_start_description()
            ));
            Ok(cli::Exit::Ok)
        }
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
    fn the_version_answered_before_parsing_is_claps() {
        use clap::CommandFactory;
        let command = Cli::command();
        let short = cli::version::text(cli::version::Asked::Short, long_version());
        let long = cli::version::text(cli::version::Asked::Long, long_version());
        assert_eq!(short, command.render_version());
        assert_eq!(long, command.render_long_version());
        for (flag, text) in [("-V", &short), ("--version", &long)] {
            let shown = Cli::try_parse_from(["fluxverify", flag]).unwrap_err();
            assert_eq!(shown.kind(), clap::error::ErrorKind::DisplayVersion);
            assert_eq!(&shown.to_string(), text, "{flag}");
        }
    }

    #[test]
    fn provider_names_the_registry_provider_and_keeps_its_old_verify_spelling_on_verify() {
        use cli::flags::VerifyProvider;
        use fluxverify::source::registry::Provider;
        let both = registry_args(&["--provider", "cosign", "--provider", "aws", "x"]);
        assert_eq!(both.registry_provider(), Some(Provider::Aws));
        assert_eq!(both.old_verify_provider(), Some(VerifyProvider::Cosign));
        let one = registry_args(&["--provider", "azure", "x"]);
        assert_eq!(one.registry_provider(), Some(Provider::Azure));
        assert_eq!(one.old_verify_provider(), None);
        let last = registry_args(&["--provider", "notation", "--provider", "cosign", "x"]);
        assert_eq!(last.old_verify_provider(), Some(VerifyProvider::Cosign));
        assert!(Cli::try_parse_from(["fluxverify", "verify", "--provider", "oci", "x"]).is_err());
        // The old spelling is verify's only: elsewhere --provider is spec.provider alone.
        for command in [&["scan"][..], &["ls", "x"], &["inspect", "x"]] {
            let mut argv = vec!["fluxverify"];
            argv.extend_from_slice(command);
            argv.extend(["--provider", "cosign"]);
            assert!(Cli::try_parse_from(&argv).is_err(), "{argv:?}");
        }
    }
}
