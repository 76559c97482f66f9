//! `fluxverify completions`.
use super::Exit;
use clap::CommandFactory;

/// Writes the completion script for `shell` to stdout.
pub fn run(shell: clap_complete::Shell) -> anyhow::Result<Exit> {
    let mut command = crate::Cli::command();
    clap_complete::generate(shell, &mut command, "fluxverify", &mut std::io::stdout());
    Ok(Exit::Ok)
}
