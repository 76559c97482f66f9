//! Parse time of a manifest input against its nesting depth and its size, through
//! `trust::secret::parse_documents` (the nesting check, then the YAML/JSON parsers), beside the
//! YAML parser alone on the same hostile text, where it is still bearable.
//!
//! Figures are medians of several runs on this machine's current load; they are for the shape of
//! the growth (linear in size, flat in refused depth), not for comparison across machines.
//!
//! Run: `cargo bench --bench parse_depth`.

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

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// A Secret-bearing manifest of about `bytes` bytes: a ConfigMap of many keys, then the Secret.
fn realistic(bytes: usize) -> String {
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n");
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "  key{i}: \"[value {i}, {{nested: [1, 2, 3]}}]\"\n"
        ));
        i += 1;
    }
    text.push_str("---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: b}\n");
    text
}

fn main() {
    let path = Path::new("bench.yaml");
    println!("refused hostile inputs: `[` repeated, and `{{\"a\":` repeated (JSON)");
    println!("{:>10}  {:>14}  {:>14}", "bytes", "[ ...", "{\"a\": ...");
    for size in [64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20] {
        let brackets = "[".repeat(size);
        let objects = r#"{"a":"#.repeat(size / 5);
        let a = median(5, || {
            assert!(parse_documents(path, brackets.as_bytes()).is_err())
        });
        let b = median(5, || {
            assert!(parse_documents(path, objects.as_bytes()).is_err())
        });
        println!("{size:>10}  {:>14}  {:>14}", ms(a), ms(b));
    }
    println!();
    println!("the YAML parser alone on `[` repeated (what the check spares)");
    println!("{:>10}  {:>14}", "bytes", "serde_norway");
    for size in [2_500, 5_000, 10_000, 20_000] {
        let brackets = "[".repeat(size);
        let t = median(3, || {
            assert!(serde_norway::from_str::<serde_norway::Value>(&brackets).is_err())
        });
        println!("{size:>10}  {:>14}", ms(t));
    }
    println!();
    println!("accepted inputs: a flow collection nested `depth` deep, and manifests by size");
    println!("{:>10}  {:>14}", "depth", "parse");
    for depth in [8, 16, 32, 64, 128] {
        let text = format!("a: {}1{}\n", "[".repeat(depth), "]".repeat(depth));
        let t = median(9, || {
            let _ = parse_documents(path, text.as_bytes());
        });
        println!("{depth:>10}  {:>14}", ms(t));
    }
    println!("{:>10}  {:>14}", "bytes", "parse");
    for size in [64 << 10, 256 << 10, 1 << 20, 4 << 20] {
        let text = realistic(size);
        let t = median(3, || {
            assert_eq!(parse_documents(path, text.as_bytes()).unwrap().len(), 2)
        });
        println!("{size:>10}  {:>14}", ms(t));
    }
}
