//! Parse time against nesting depth and input size, on the two ways a manifest is read: the scan
//! path (`gitops::load_stream`, what `scan -` and `scan --files` run on each file: the input
//! limit, then the document split and the YAML parser) and the Secret path
//! (`trust::secret::parse_documents`), beside the YAML parser alone on hostile text, where it is
//! still bearable.
//!
//! Every table prints the median time and its ratio to the first row of the same table, measured
//! in the same run, with the ratio linear growth would give: growth is linear when the two
//! ratios agree (flat in depth, proportional in size). Figures are for the shape, not for
//! comparison across machines.
//!
//! Run: `cargo bench --bench parse_depth`.

use fluxverify::gitops::{load_stream, LoadOptions};
use fluxverify::trust::secret::parse_documents;
use std::path::Path;
use std::time::{Duration, Instant};

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

/// Prints rows of (x, time) with the ratio to the first row and the ratio linear growth in `x`
/// would give (`x` the size; a constant for a table against depth, where linear means flat).
struct Table {
    baseline: Option<(f64, Duration)>,
}

impl Table {
    fn new(title: &str, x_name: &str) -> Table {
        println!();
        println!("{title}");
        println!(
            "{x_name:>10}  {:>12}  {:>8}  {:>8}",
            "median", "ratio", "linear"
        );
        Table { baseline: None }
    }

    fn row(&mut self, label: impl std::fmt::Display, x: f64, t: Duration) {
        let (x0, t0) = *self.baseline.get_or_insert((x, t));
        println!(
            "{label:>10}  {:>9.3} ms  {:>7.2}×  {:>7.2}×",
            t.as_secs_f64() * 1e3,
            t.as_secs_f64() / t0.as_secs_f64().max(1e-9),
            x / x0
        );
    }
}

/// The scan path on `text`: the tree it reads (every problem is a row of the scan).
fn scan_path(text: &str) -> fluxverify::gitops::Tree {
    load_stream("-", text, &LoadOptions::default()).expect("no --secret files to read")
}

/// A manifest stream of about `bytes` bytes: ConfigMaps of many keys, each value a flow
/// collection, and an OCIRepository now and then.
fn realistic(bytes: usize) -> String {
    let mut text = String::new();
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm{i}, namespace: apps}}\ndata:\n"
        ));
        for k in 0..20 {
            text.push_str(&format!(
                "  key{k}: \"[value {k}, {{nested: [1, 2, 3]}}]\"\n"
            ));
        }
        if i % 10 == 0 {
            text.push_str(&format!(
                "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: app{i}\n  namespace: apps\nspec:\n  url: oci://registry.example/app{i}\n  ref:\n    tag: v1\n"
            ));
        }
        i += 1;
    }
    text
}

/// About `bytes` bytes of ConfigMaps of 24 KiB each whose data is nested `depth` deep, in block
/// style (a staircase of keys) or in flow style (`[[[…]]]`), padded with flat keys: the same
/// number of documents of the same size whatever the depth.
fn nested_documents(bytes: usize, depth: usize, block: bool) -> String {
    const DOCUMENT: usize = 24 << 10;
    let mut body = if block {
        (0..depth)
            .map(|d| format!("{}k{d}:\n", " ".repeat(2 + 2 * d)))
            .collect::<String>()
            + &format!("{}leaf: x\n", " ".repeat(2 + 2 * depth))
    } else {
        format!("  k: {}x{}\n", "[".repeat(depth), "]".repeat(depth))
    };
    let mut pad = 0;
    while body.len() < DOCUMENT {
        body.push_str(&format!("  pad{pad}: value {pad}\n"));
        pad += 1;
    }
    let mut text = String::new();
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm{i}}}\ndata:\n{body}"
        ));
        i += 1;
    }
    text
}

fn main() {
    const MIB: usize = 1 << 20;
    let path = Path::new("bench.yaml");

    // Depth, at a constant 1 MiB: linear means flat (the `linear` column stays 1).
    for (style, block) in [("flow", false), ("block", true)] {
        let mut table = Table::new(
            &format!("scan path, accepted: 1 MiB of documents nested `depth` deep ({style})"),
            "depth",
        );
        // Two mappings (the document, `data`) hold the nesting: 126 more is the deepest accepted.
        for depth in [4, 16, 32, 64, 126] {
            let text = nested_documents(MIB, depth, block);
            let t = median(5, || assert!(scan_path(&text).problems.is_empty()));
            table.row(depth, 1.0, t);
        }
    }

    let mut table = Table::new("scan path, accepted: realistic manifests by size", "bytes");
    for size in [256 << 10, MIB, 4 * MIB, 16 * MIB] {
        let text = realistic(size);
        let t = median(3, || assert!(scan_path(&text).problems.is_empty()));
        table.row(size, size as f64, t);
    }

    // Hostile text: refused, in time linear in its size whatever the kind of nesting.
    for (kind, unit) in [
        ("[", "["),
        ("{\"a\":", "{\"a\":"),
        ("- (block)", "- "),
        ("? (block)", "? "),
    ] {
        let mut table = Table::new(&format!("scan path, refused: `{kind}` repeated"), "bytes");
        for size in [64 << 10, 256 << 10, MIB, 4 * MIB, 16 * MIB] {
            let text = unit.repeat(size / unit.len());
            let t = median(5, || assert_eq!(scan_path(&text).problems.len(), 1));
            table.row(size, size as f64, t);
        }
    }

    let mut table = Table::new("Secret path, refused: `[` repeated", "bytes");
    for size in [64 << 10, MIB, 16 * MIB] {
        let brackets = "[".repeat(size);
        let t = median(5, || {
            assert!(parse_documents(path, brackets.as_bytes()).is_err())
        });
        table.row(size, size as f64, t);
    }

    // What the limit spares: the parser alone grows faster than its input.
    for (kind, unit) in [("[", "["), ("- (block)", "- ")] {
        let mut table = Table::new(
            &format!("the YAML parser alone on `{kind}` repeated"),
            "bytes",
        );
        for size in [5_000, 10_000, 20_000, 40_000] {
            let text = unit.repeat(size / unit.len());
            let t = median(3, || {
                assert!(serde_norway::from_str::<serde_norway::Value>(&text).is_err())
            });
            table.row(size, size as f64, t);
        }
    }
}
