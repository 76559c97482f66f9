//! The one input limit (`src/limits`, docs/hardening.md) through the real binary: a megabyte of
//! hostile nesting, flow or block, YAML or JSON, and a file over 64 MiB, on every way a
//! manifest comes in (`scan --files`, `scan -`, `verify --ocirepository`), each refused naming
//! the input and the limit, with a non-zero exit.

mod support;

use serde_json::Value;
use support::cli;

/// A megabyte of each kind of nesting, with the line and column of the 129th collection.
fn hostile() -> Vec<(&'static str, String, usize, usize)> {
    const MIB: usize = 1 << 20;
    let staircase: String = (0..1_500)
        .map(|d| format!("{}a:\n", " ".repeat(d)))
        .collect();
    vec![
        ("brackets.yaml", "[".repeat(MIB), 1, 129),
        ("objects.json", r#"{"a":"#.repeat(MIB / 5), 1, 5 * 128 + 1),
        ("entries.yaml", "- ".repeat(MIB / 2), 1, 257),
        ("keys.yaml", "? ".repeat(MIB / 2), 1, 257),
        ("staircase.yaml", staircase, 129, 129),
    ]
}

fn limit_message(line: usize, column: usize) -> String {
    format!(
        "nesting deeper than 128 levels at line {line} column {column} (refused before parsing)"
    )
}

fn scan_json(args: &[&str], stdin: Option<&str>) -> (i32, Value, String) {
    let mut run = cli::fluxverify(args.iter().map(|s| s.to_string()).collect());
    if let Some(text) = stdin {
        run = run.stdin(text.as_bytes().to_vec());
    }
    let out = run.output_blocking();
    let json = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}\n{}", out.stdout, out.stderr));
    (out.code, json, out.stderr)
}

#[test]
fn hostile_nesting_in_a_tree_is_one_error_row_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let cases = hostile();
    for (name, text, _, _) in &cases {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let tree = dir.path().to_str().unwrap();
    let (code, json, stderr) = scan_json(&["scan", "--files", tree, "-o", "json"], None);
    assert_eq!(code, 2, "{stderr}");
    let rows = json["resources"].as_array().unwrap();
    assert_eq!(rows.len(), cases.len(), "{json:#}");
    for (name, _, line, column) in &cases {
        let row = rows
            .iter()
            .find(|r| r["file"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("no row for {name}: {json:#}"));
        assert_eq!(row["result"], "error");
        assert_eq!(row["line"], *line as u64, "{name}");
        assert_eq!(
            row["reason"],
            format!("line {line}: {}", limit_message(*line, *column)),
            "{name}"
        );
    }
    assert_eq!(json["summary"]["error"], cases.len() as u64);
}

#[test]
fn hostile_nesting_on_stdin_is_refused() {
    for (name, text, line, column) in hostile() {
        let (code, json, stderr) = scan_json(&["scan", "-", "-o", "json"], Some(&text));
        assert_eq!(code, 2, "{name}: {stderr}");
        let row = &json["resources"][0];
        assert_eq!(row["file"], "-", "{name}");
        assert_eq!(
            row["reason"],
            format!("line {line}: {}", limit_message(line, column)),
            "{name}"
        );
    }
}

#[test]
fn an_ocirepository_file_nested_too_deep_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repo.yaml");
    std::fs::write(&path, "- ".repeat(1 << 19)).unwrap();
    let out = cli::fluxverify(vec![
        "verify".into(),
        "--ocirepository".into(),
        path.display().to_string(),
    ])
    .output_blocking();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(
        out.stderr.lines().next().unwrap(),
        format!(
            "Error: {}: document 1: {}",
            path.display(),
            limit_message(1, 257)
        )
    );
}

/// A file over 64 MiB (sparse: announced, never written) is refused from its size: in a tree it
/// is an error row and the other files are still read; given as a file, the command stops.
#[test]
fn a_file_over_the_size_limit_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.yaml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(64 * 1024 * 1024 + 1)
        .unwrap();
    std::fs::write(
        dir.path().join("repo.yaml"),
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: app, namespace: apps}\nspec: {url: oci://registry.example/app, ref: {tag: v1}}\n",
    )
    .unwrap();
    let tree = dir.path().to_str().unwrap();
    let (code, json, stderr) = scan_json(&["scan", "--files", tree, "-o", "json"], None);
    assert_eq!(code, 2, "{stderr}");
    let rows = json["resources"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{json:#}");
    let refused = rows
        .iter()
        .find(|r| r["file"].as_str().unwrap().ends_with("big.yaml"))
        .unwrap();
    assert_eq!(
        refused["reason"],
        "line 1: larger than the input limit of 64 MiB (67108865 bytes; refused before parsing)"
    );
    assert!(rows.iter().any(|r| r["name"] == "app"), "{json:#}");
    let out = cli::fluxverify(vec![
        "verify".into(),
        "--ocirepository".into(),
        big.display().to_string(),
    ])
    .output_blocking();
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr.lines().next().unwrap(),
        format!(
            "Error: {} is larger than the input limit of 64 MiB (67108865 bytes; refused before parsing)",
            big.display()
        )
    );
}
