//! `scan` of a fleet repository as Flux reconciles it, against the public fleet sample
//! (`../shared/fleet-sample`: a two-cluster tree and, per cluster, what Flux applies and the
//! rows a scan must give, recorded from kustomize v5 and kustomize-controller's own steps) and
//! the project's own fleet fixture (`fixtures/fleet`). Every build runs the real kustomize.

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use support::cli::fluxverify;
use support::external::require_kustomize;

fn sample() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fleet-sample");
    assert!(
        dir.join("expected.json").is_file(),
        "the shared fleet sample is missing at {}: CI always has ../shared",
        dir.display()
    );
    dir
}

fn scan_json(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let mut all = vec![
        "scan".to_owned(),
        "--offline".into(),
        "-o".into(),
        "json".into(),
    ];
    all.extend(args.iter().map(|a| (*a).to_owned()));
    let out = fluxverify(all).current_dir(dir).output_blocking();
    let json = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", out.stdout, out.stderr));
    (out.code, json, out.stderr)
}

/// Checks the rows and applied objects of one cluster against the sample's expectations.
fn check_cluster(name: &str, expected: &Value, report: &Value, cluster_field: Option<&str>) {
    let rows: Vec<&Value> = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| cluster_field.is_none_or(|c| r["cluster"] == c))
        .collect();
    let want = expected["rows"].as_array().unwrap();
    assert_eq!(rows.len(), want.len(), "{name}: {report:#}");
    for w in want {
        let row = rows
            .iter()
            .find(|r| {
                r["kind"] == w["kind"] && r["namespace"] == w["namespace"] && r["name"] == w["name"]
            })
            .unwrap_or_else(|| panic!("{name}: no row for {w}: {report:#}"));
        for key in ["kustomization", "url", "result"] {
            assert_eq!(row[key], w[key], "{name} {}: {key}: {row:#}", w["name"]);
        }
        if let Some(reasons) = w["reason_contains"].as_array() {
            for r in reasons {
                assert!(
                    row["reason"]
                        .as_str()
                        .unwrap()
                        .contains(r.as_str().unwrap()),
                    "{name} {}: reason {} lacks {r}",
                    w["name"],
                    row["reason"]
                );
            }
        }
        if !w["condition"].is_null() {
            assert_eq!(row["condition"], w["condition"], "{name} {}", w["name"]);
        }
        if let Some(hashed) = w["hashed_secret"].as_str() {
            let hints = row["hints"].as_array().unwrap();
            assert!(
                hints.iter().any(|h| {
                    let h = h.as_str().unwrap();
                    h.contains(hashed) && h.contains("disableNameSuffixHash: true")
                }),
                "{name}: no hint naming {hashed}: {row:#}"
            );
        }
        assert!(
            !row["file"].as_str().unwrap().starts_with("./")
                && !row["file"].as_str().unwrap().starts_with('/'),
            "{name}: file is relative to the root: {}",
            row["file"]
        );
    }
    let applied: BTreeSet<String> = report["kustomizations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| cluster_field.is_none_or(|c| k["cluster"] == c))
        .flat_map(|k| k["applied"].as_array().unwrap().iter())
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    let want: BTreeSet<String> = expected["applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(applied, want, "{name}: what Flux applies");
}

#[test]
fn each_cluster_of_the_fleet_sample_gets_the_rows_flux_creates() {
    if require_kustomize().is_none() {
        return;
    }
    let sample = sample();
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(sample.join("expected.json")).unwrap())
            .unwrap();
    let tree = sample.join("tree");
    for (name, cluster) in expected["clusters"].as_object().unwrap() {
        let entry = cluster["entry"].as_str().unwrap();
        let (code, report, stderr) = scan_json(&tree, &[entry]);
        let failed = cluster["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["result"] == "failed");
        assert_eq!(code, i32::from(failed), "{name}: {stderr}\n{report:#}");
        check_cluster(name, cluster, &report, None);
        for row in report["resources"].as_array().unwrap() {
            assert_eq!(row["cluster"], entry, "{name}");
        }
    }
}

#[test]
fn the_root_of_the_fleet_sample_scans_every_cluster_with_its_name() {
    if require_kustomize().is_none() {
        return;
    }
    let sample = sample();
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(sample.join("expected.json")).unwrap())
            .unwrap();
    let (code, report, stderr) = scan_json(&sample.join("tree"), &["."]);
    assert_eq!(code, 1, "{stderr}\n{report:#}");
    let clusters: BTreeSet<&str> = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cluster"].as_str().unwrap())
        .collect();
    assert_eq!(
        clusters.len(),
        expected["clusters"].as_object().unwrap().len()
    );
    for (name, cluster) in expected["clusters"].as_object().unwrap() {
        check_cluster(name, cluster, &report, cluster["entry"].as_str());
    }
    let not_applied: BTreeSet<&str> = report["not_applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["file"].as_str().unwrap())
        .collect();
    let want: BTreeSet<&str> = expected["not_applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(not_applied, want);
    assert_eq!(report["summary"]["not_applied"], want.len());
}
