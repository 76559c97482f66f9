//! The README's commands, run as written: every `fluxverify ...` line of its `sh` blocks
//! (backslash continuations joined) runs from the repository root against the shipped fixtures
//! and must exit as the line says (`# exit N`, else 0). A comment line right under a command
//! quotes its output: that text (up to a trailing `...`) must be in what the command printed.
//!
//! Commands that need a network or the reader's own files are marked in the README: a block
//! whose introducing paragraph says "illustrative", or a line whose comment does. Those are
//! the only ones left out, and the test counts what it ran so that a README whose commands all
//! became illustrative fails here.
//!
//! The set-up commands (`cargo run ...`, `scripts/test`) are run by `tests/pipeline.rs`
//! (`shipped_example_verifies_and_prints_the_condition`) and by CI itself.

use assert_cmd::Command;
use std::path::Path;

/// One runnable README command.
#[derive(Debug)]
struct Example {
    /// 1-based README line of its first line.
    line: usize,
    /// The arguments after `fluxverify`.
    args: Vec<String>,
    /// The exit code the README gives it.
    exit: i32,
    /// Output the README quotes under it.
    quoted: Vec<String>,
}

/// The README's runnable `fluxverify` commands, in order.
fn examples(readme: &str) -> Vec<Example> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut examples: Vec<Example> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_end() != "```sh" {
            i += 1;
            continue;
        }
        // The paragraph introducing the block.
        let intro: String = lines[..i]
            .iter()
            .rev()
            .skip_while(|l| l.trim().is_empty())
            .take_while(|l| !l.trim().is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let illustrative_block = intro.to_lowercase().contains("illustrative");
        i += 1;
        let mut last_was_command = false;
        while i < lines.len() && lines[i].trim_end() != "```" {
            let start = i;
            let mut text = lines[i].to_string();
            while text.trim_end().ends_with('\\') && i + 1 < lines.len() {
                let kept = text.trim_end().trim_end_matches('\\').to_string();
                i += 1;
                text = format!("{kept} {}", lines[i].trim());
            }
            i += 1;
            let trimmed = text.trim();
            if let Some(comment) = trimmed.strip_prefix("# ") {
                if last_was_command {
                    let quoted = comment
                        .trim_end_matches("...")
                        .trim_end_matches('…')
                        .trim_end();
                    if let Some(example) = examples.last_mut() {
                        example.quoted.push(quoted.to_string());
                    }
                }
                continue;
            }
            last_was_command = false;
            let (command, comment) = match trimmed.split_once(" # ") {
                Some((c, m)) => (c.trim(), m.trim()),
                None => (trimmed, ""),
            };
            let Some(rest) = command.strip_prefix("fluxverify ") else {
                continue;
            };
            if illustrative_block || comment.to_lowercase().contains("illustrative") {
                continue;
            }
            for c in ['|', '>', '<', '"', '\'', '$', '`'] {
                assert!(
                    !rest.contains(c),
                    "README line {}: a command run as written must be plain arguments, found {c:?}: {command}",
                    start + 1
                );
            }
            let exit = comment
                .strip_prefix("exit ")
                .map(|n| {
                    n.split_whitespace()
                        .next()
                        .and_then(|n| n.parse().ok())
                        .unwrap_or_else(|| panic!("README line {}: bad exit code", start + 1))
                })
                .unwrap_or(0);
            examples.push(Example {
                line: start + 1,
                args: rest.split_whitespace().map(String::from).collect(),
                exit,
                quoted: Vec::new(),
            });
            last_was_command = true;
        }
        i += 1;
    }
    examples
}

#[test]
fn readme_commands_run_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let examples = examples(&readme);
    assert!(
        examples.len() >= 6,
        "only {} runnable commands found in the README: {examples:#?}",
        examples.len()
    );
    for example in &examples {
        let out = Command::cargo_bin("fluxverify")
            .unwrap()
            .current_dir(root)
            .env("NO_COLOR", "1")
            .args(&example.args)
            .output()
            .unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            out.status.code(),
            Some(example.exit),
            "README line {}: fluxverify {}\n{printed}",
            example.line,
            example.args.join(" ")
        );
        for quoted in &example.quoted {
            assert!(
                printed.contains(quoted.as_str()),
                "README line {}: the output does not contain the quoted {quoted:?}:\n{printed}",
                example.line
            );
        }
    }
}

#[test]
fn the_parser_finds_continuations_exits_and_quotes() {
    let readme = "Run:\n\n```sh\nfluxverify a \\\n    b   # exit 3\n# Hint: x y ...\nfluxverify c # (illustrative)\n```\n\nIllustrative:\n\n```sh\nfluxverify d\n```\n";
    let found = examples(readme);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].args, ["a", "b"]);
    assert_eq!(found[0].exit, 3);
    assert_eq!(found[0].quoted, ["Hint: x y"]);
    assert_eq!(found[0].line, 4);
}
