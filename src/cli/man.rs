//! `fluxverify man`: man pages generated from the command-line definition with `clap_mangen`,
//! with the EXIT STATUS and EXAMPLES sections of [`super::man_text`] added before VERSION.
use super::man_text::{self, PageText};
use super::Exit;
use anyhow::Context as _;
use clap::CommandFactory;
use roff::{bold, roman, Roff};
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
    let sections = man_text::for_page(name)
        .with_context(|| format!("no EXIT STATUS and EXAMPLES written for the page {name}"))?;
    let text = with_sections(String::from_utf8(text)?, sections);
    pages.push((format!("{name}.1"), text.into_bytes()));
    for sub in command.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        collect(sub, &format!("{name}-{}", sub.get_name()), pages)?;
    }
    Ok(())
}

/// `page` (clap_mangen's roff) with EXIT STATUS and EXAMPLES before its VERSION section, or at
/// its end when it has none.
fn with_sections(page: String, sections: PageText) -> String {
    let mut roff = Roff::new();
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in sections.exit_status {
        roff.control("TP", []);
        roff.text([bold(code.to_string())]);
        roff.text([roman(*meaning)]);
    }
    roff.control("SH", ["EXAMPLES"]);
    for (what, command) in sections.examples {
        roff.control("PP", []);
        roff.text([roman(*what)]);
        roff.control("PP", []);
        roff.control("RS", ["4"]);
        roff.control("nf", []);
        for line in command.lines() {
            roff.text([roman(line)]);
        }
        roff.control("fi", []);
        roff.control("RE", []);
    }
    // Each rendering starts with roff's preamble (the apostrophe definition); the page has it.
    let preamble = Roff::new().render();
    let rendered = roff.render();
    let added = rendered.strip_prefix(&preamble).unwrap_or(&rendered);
    match page.find("\n.SH VERSION\n") {
        Some(at) => format!("{}\n{added}{}", &page[..at], &page[at + 1..]),
        None => format!("{page}{added}"),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command has a page, and every page its EXIT STATUS (0 first, each code once) and
    /// EXAMPLES, which run this binary.
    #[test]
    fn every_command_has_a_page_with_exit_status_and_examples() {
        let pages = pages().unwrap();
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        let mut root = crate::Cli::command();
        root.build();
        for sub in root.get_subcommands().filter(|s| s.get_name() != "help") {
            assert!(
                names.contains(&format!("fluxverify-{}.1", sub.get_name()).as_str()),
                "{names:?}"
            );
        }
        for (name, _) in &pages {
            let stem = name.trim_end_matches(".1");
            let text = man_text::for_page(stem).unwrap();
            let codes: Vec<u8> = text.exit_status.iter().map(|(c, _)| *c).collect();
            assert_eq!(codes.first(), Some(&0), "{name}");
            let mut sorted = codes.clone();
            sorted.dedup();
            assert_eq!(sorted, codes, "{name}");
            assert!(!text.examples.is_empty(), "{name}");
            for (_, command) in text.examples {
                assert!(command.contains("fluxverify "), "{name}: {command}");
            }
        }
    }
}
