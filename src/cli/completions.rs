//! `fluxverify completions`.
use super::Exit;
use clap::CommandFactory;

/// Writes the completion script for `shell` to stdout (through the output function: clap's
/// generator panics when its writer fails, as a closed pipe makes stdout).
pub fn run(shell: clap_complete::Shell) -> anyhow::Result<Exit> {
    let mut command = crate::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "fluxverify", &mut script);
    super::output::write_bytes(&script);
    Ok(Exit::Ok)
}
