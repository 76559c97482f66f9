//! `fluxverify man`: man pages generated from the command-line definition with `clap_mangen`.
use super::Exit;
use anyhow::Context as _;
use clap::CommandFactory;
use std::path::Path;

/// Every page: `fluxverify.1` and one `fluxverify-<command>[-<subcommand>].1` per command, as
/// (file name, roff text).
pub fn pages() -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut root = crate::Cli::command();
    // Propagates the version and global settings to the subcommands first.
    root.build();
    let mut pages = Vec::new();
    collect(&root, "fluxverify", &mut pages)?;
    Ok(pages)
}

fn collect(
    command: &clap::Command,
    name: &str,
    pages: &mut Vec<(String, Vec<u8>)>,
) -> anyhow::Result<()> {
    let page = command.clone().display_name(name.to_string());
    let mut text = Vec::new();
    clap_mangen::Man::new(page).render(&mut text)?;
    pages.push((format!("{name}.1"), text));
    for sub in command.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        collect(sub, &format!("{name}-{}", sub.get_name()), pages)?;
    }
    Ok(())
}

/// Prints `fluxverify.1`, or writes every page into `dir`.
pub fn run(dir: Option<&Path>) -> anyhow::Result<Exit> {
    let pages = pages()?;
    match dir {
        None => {
            let (_, root) = pages.first().context("no man page generated")?;
            super::output::write_bytes(root);
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            for (name, text) in &pages {
                let path = dir.join(name);
                std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
    }
    Ok(Exit::Ok)
}
