//! `fluxverify --version` and `-V`, answered before the command tree is built.
//!
//! clap builds every command's arguments before it looks at the first one, which for these two
//! is most of the process's own work (a third of its instructions, and the page faults of all
//! that code and heap). The answer is the same text clap prints (`main.rs` tests compare them);
//! anything else on the command line (`verify --version`, `--version --help`) goes to clap.

use std::ffi::OsString;

/// Which version text the command line asks for, if it asks for nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// `-V`: the name and version.
    Short,
    /// `--version`: the name and the long version text.
    Long,
}

/// `PROGRAM --version` or `PROGRAM -V`, exactly.
pub fn asked(argv: impl IntoIterator<Item = OsString>) -> Option<Asked> {
    let mut args = argv.into_iter().skip(1);
    let asked = match args.next()?.to_str()? {
        "--version" => Asked::Long,
        "-V" => Asked::Short,
        _ => return None,
    };
    args.next().is_none().then_some(asked)
}

/// What clap prints for `asked`: `fluxverify <version>` or `fluxverify <long version>`.
pub fn text(asked: Asked, long_version: &str) -> String {
    let version = match asked {
        Asked::Short => env!("CARGO_PKG_VERSION"),
        Asked::Long => long_version,
    };
    format!("{} {version}\n", env!("CARGO_PKG_NAME"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(args: &[&str]) -> Vec<OsString> {
        std::iter::once("fluxverify")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn only_a_lone_version_flag_is_answered_here() {
        assert_eq!(asked(argv(&["--version"])), Some(Asked::Long));
        assert_eq!(asked(argv(&["-V"])), Some(Asked::Short));
        for other in [
            &[][..],
            &["verify", "--version"],
            &["--version", "--help"],
            &["-V", "x"],
            &["--versio"],
            &["-v"],
        ] {
            assert_eq!(asked(argv(other)), None, "{other:?}");
        }
    }
}
