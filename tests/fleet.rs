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

/// The sample's `expected.json`.
fn expected(sample: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(sample.join("expected.json")).unwrap()).unwrap()
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
#[cfg_attr(
    feature = "skip-kustomize-tests",
    ignore = "needs kustomize: left out by FLUXVERIFY_SKIP_KUSTOMIZE_TESTS=1"
)]
fn each_cluster_of_the_fleet_sample_gets_the_rows_flux_creates() {
    require_kustomize();
    let sample = sample();
    let expected = expected(&sample);
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
#[cfg_attr(
    feature = "skip-kustomize-tests",
    ignore = "needs kustomize: left out by FLUXVERIFY_SKIP_KUSTOMIZE_TESTS=1"
)]
fn the_root_of_the_fleet_sample_scans_every_cluster_with_its_name() {
    require_kustomize();
    let sample = sample();
    let expected = expected(&sample);
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

/// One expected row of the project's fleet fixture.
struct Want {
    id: &'static str,
    kustomization: &'static str,
    result: &'static str,
    /// A piece of the reason (or of the condition message, for a failure).
    says: &'static str,
    file: &'static str,
    patched_by: &'static [&'static str],
}

fn check_fixture_cluster(cluster: &str, wants: &[Want], kustomizations: &[(&str, bool)]) -> Value {
    let fleet = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fleet");
    let (code, report, stderr) = scan_json(&fleet, &[&format!("clusters/{cluster}")]);
    let rows = report["resources"].as_array().unwrap();
    let id = |r: &Value| {
        format!(
            "{}/{}/{}",
            r["namespace"].as_str().unwrap(),
            r["kind"].as_str().unwrap(),
            r["name"].as_str().unwrap()
        )
    };
    let ids: BTreeSet<String> = rows.iter().map(id).collect();
    let want_ids: BTreeSet<String> = wants.iter().map(|w| w.id.to_owned()).collect();
    assert_eq!(ids, want_ids, "{cluster}: {stderr}\n{report:#}");
    for w in wants {
        let row = rows.iter().find(|r| id(r) == w.id).unwrap();
        assert_eq!(row["result"], w.result, "{cluster} {}: {row:#}", w.id);
        assert_eq!(row["kustomization"], w.kustomization, "{cluster} {}", w.id);
        assert_eq!(row["cluster"], format!("clusters/{cluster}"));
        assert_eq!(row["file"], w.file, "{cluster} {}", w.id);
        let said = format!(
            "{} {}",
            row["reason"].as_str().unwrap_or_default(),
            row["condition"]["message"].as_str().unwrap_or_default()
        );
        assert!(said.contains(w.says), "{cluster} {}: {said}", w.id);
        let patched: Vec<&str> = row["patched_by"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert_eq!(patched, w.patched_by, "{cluster} {}", w.id);
    }
    let met: Vec<(String, bool)> = report["kustomizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                format!(
                    "{}/{}",
                    k["namespace"].as_str().unwrap(),
                    k["name"].as_str().unwrap()
                ),
                k["built"].as_bool().unwrap(),
            )
        })
        .collect();
    let want_met: Vec<(String, bool)> = kustomizations
        .iter()
        .map(|(k, b)| ((*k).to_owned(), *b))
        .collect();
    assert_eq!(
        met.iter().cloned().collect::<BTreeSet<_>>(),
        want_met.into_iter().collect::<BTreeSet<_>>(),
        "{cluster}: Kustomizations"
    );
    let expected_code = if wants.iter().any(|w| w.result == "failed") {
        1
    } else if wants.iter().any(|w| w.result == "error") {
        2
    } else {
        0
    };
    assert_eq!(code, expected_code, "{cluster}: {stderr}");
    report
}

#[test]
#[cfg_attr(
    feature = "skip-kustomize-tests",
    ignore = "needs kustomize: left out by FLUXVERIFY_SKIP_KUSTOMIZE_TESTS=1"
)]
fn the_fixture_fleet_staging_cluster() {
    require_kustomize();
    let report = check_fixture_cluster(
        "staging",
        &[
            // base HelmRelease, substituted and patched by the overlay's values file
            Want {
                id: "podinfo/HelmRelease/podinfo",
                kustomization: "flux-system/apps",
                result: "skipped",
                says: "offline",
                file: "apps/base/podinfo/release.yaml",
                patched_by: &["apps/staging/podinfo-values.yaml"],
            },
            // the Component adds verify; staging has no platform-trust Secret
            Want {
                id: "flux-system/OCIRepository/policies",
                kustomization: "flux-system/infra-configs",
                result: "error",
                says: "Secret flux-system/platform-trust not found",
                file: "infrastructure/configs/policies.yaml",
                patched_by: &["components/verify/kustomization.yaml"],
            },
            // a generated kustomization: every YAML below the path
            Want {
                id: "flux-system/OCIRepository/cert-manager",
                kustomization: "flux-system/infra-controllers",
                result: "skipped",
                says: "verification not configured",
                file: "infrastructure/controllers/cert-manager.yaml",
                patched_by: &[],
            },
            Want {
                id: "flux-system/OCIRepository/ingress-nginx",
                kustomization: "flux-system/infra-controllers",
                result: "skipped",
                says: "verification not configured",
                file: "infrastructure/controllers/sources/ingress.yaml",
                patched_by: &[],
            },
            // targetNamespace overrides metadata.namespace
            Want {
                id: "team-a/OCIRepository/app",
                kustomization: "flux-system/team-a",
                result: "skipped",
                says: "offline",
                file: "tenants/team-a/app.yaml",
                patched_by: &[],
            },
        ],
        &[
            ("flux-system/flux-system", true),
            ("flux-system/apps", true),
            ("flux-system/infra-configs", true),
            ("flux-system/infra-controllers", true),
            ("flux-system/team-a", true),
        ],
    );
    let rows = report["resources"].as_array().unwrap();
    let url = |name: &str| rows.iter().find(|r| r["name"] == name).unwrap()["url"].clone();
    // postBuild substitution from the cluster's ConfigMap
    assert_eq!(
        url("ingress-nginx"),
        "oci://registry.staging.example/charts/ingress-nginx"
    );
    assert_eq!(
        url("podinfo"),
        "oci://registry.staging.example/charts/podinfo"
    );
    let typo = rows.iter().find(|r| r["name"] == "cert-manager").unwrap();
    assert!(
        typo["warnings"][0]
            .as_str()
            .unwrap()
            .contains("unknown field \"spec.verfiy\" (did you mean \"verify\"?)"),
        "{typo:#}"
    );
}

#[test]
#[cfg_attr(
    feature = "skip-kustomize-tests",
    ignore = "needs kustomize: left out by FLUXVERIFY_SKIP_KUSTOMIZE_TESTS=1"
)]
fn the_fixture_fleet_from_its_root() {
    require_kustomize();
    let fleet = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fleet");
    let (code, report, stderr) = scan_json(&fleet, &["."]);
    assert_eq!(code, 1, "{stderr}");
    let clusters: BTreeSet<&str> = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cluster"].as_str().unwrap())
        .collect();
    assert_eq!(
        clusters,
        ["clusters/edge", "clusters/production", "clusters/staging"]
            .into_iter()
            .collect()
    );
    // nothing applies attic/: no row, counted and named
    assert_eq!(report["summary"]["not_applied"], 1);
    assert_eq!(report["not_applied"][0]["file"], "attic/old-web.yaml");
    assert!(!report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["name"] == "old-web"));
}

#[test]
#[cfg_attr(
    feature = "skip-kustomize-tests",
    ignore = "needs kustomize: left out by FLUXVERIFY_SKIP_KUSTOMIZE_TESTS=1"
)]
fn the_fixture_fleet_production_cluster() {
    require_kustomize();
    let report = check_fixture_cluster(
        "production",
        &[
            Want { id: "flux-system/OCIRepository/platform-bundle", kustomization: "flux-system/flux-system", result: "skipped", says: "offline", file: "clusters/production/platform.yaml", patched_by: &[] },
            // a JSON6902 patch with a target
            Want { id: "podinfo/HelmRelease/podinfo", kustomization: "flux-system/apps", result: "skipped", says: "offline", file: "apps/base/podinfo/release.yaml", patched_by: &["apps/production/version.yaml"] },
            // the hash-suffix trap
            Want { id: "podinfo/OCIRepository/web", kustomization: "flux-system/apps", result: "failed", says: "failed to verify the signature using provider 'notation': secrets \"web-trust\" not found", file: "apps/production/web.yaml", patched_by: &[] },
            Want { id: "flux-system/OCIRepository/policies", kustomization: "flux-system/infra-configs", result: "skipped", says: "offline", file: "infrastructure/configs/policies.yaml", patched_by: &["components/verify/kustomization.yaml"] },
            Want { id: "flux-system/OCIRepository/cert-manager", kustomization: "flux-system/infra-controllers", result: "skipped", says: "verification not configured", file: "infrastructure/controllers/cert-manager.yaml", patched_by: &[] },
            Want { id: "flux-system/OCIRepository/ingress-nginx", kustomization: "flux-system/infra-controllers", result: "skipped", says: "verification not configured", file: "infrastructure/controllers/sources/ingress.yaml", patched_by: &[] },
        ],
        &[("flux-system/flux-system", true), ("flux-system/apps", true), ("flux-system/infra-configs", true), ("flux-system/infra-controllers", true), ("flux-system/platform", false)],
    );
    let platform = report["kustomizations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "platform")
        .unwrap();
    assert_eq!(
        platform["reason"],
        "applies the contents of OCIRepository flux-system/platform-bundle"
    );
    let web = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "web")
        .unwrap();
    assert_eq!(web["condition"]["reason"], "VerificationError");
    let hint = web["hints"][0].as_str().unwrap();
    assert!(
        hint.contains("web-trust-") && hint.contains("apps/production/kustomization.yaml"),
        "{hint}"
    );
}

#[test]
#[cfg_attr(
    feature = "skip-kustomize-tests",
    ignore = "needs kustomize: left out by FLUXVERIFY_SKIP_KUSTOMIZE_TESTS=1"
)]
fn the_fixture_fleet_edge_cluster_builds_through_an_artifact_generator() {
    require_kustomize();
    let report = check_fixture_cluster(
        "edge",
        &[Want {
            id: "podinfo/HelmRelease/podinfo",
            kustomization: "flux-system/apps",
            result: "skipped",
            says: "offline",
            file: "apps/base/podinfo/release.yaml",
            patched_by: &["apps/staging/podinfo-values.yaml"],
        }],
        &[
            ("flux-system/flux-system", true),
            ("flux-system/apps", true),
        ],
    );
    assert_eq!(
        report["resources"][0]["url"],
        "oci://registry.edge.example/charts/podinfo"
    );
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const SOURCE: &str = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: app\n  namespace: apps\nspec:\n  interval: 5m\n  url: oci://${registry}/app\n  ref:\n    tag: v1\n";

#[test]
#[cfg_attr(
    feature = "skip-kustomize-tests",
    ignore = "needs kustomize: left out by FLUXVERIFY_SKIP_KUSTOMIZE_TESTS=1"
)]
fn builds_that_fail_are_error_rows_and_the_others_go_on() {
    require_kustomize();
    let d = tempfile::tempdir().unwrap();
    let ks = |name: &str, path: &str, extra: &str| {
        format!("---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {name}\n  namespace: flux-system\nspec:\n  path: {path}\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n{extra}")
    };
    write(
        d.path(),
        "clusters/a/sync.yaml",
        &[
            ks("flux-system", "./clusters/a", ""),
            ks("good", "./good", "  postBuild:\n    substitute:\n      registry: r.example\n"),
            ks("missing-path", "./nowhere", ""),
            ks("broken", "./broken", ""),
            ks("escapes", "./escapes", ""),
            ks(
                "escaping-component",
                "./good",
                "  components:\n    - ../../../../../../../etc\n",
            ),
            ks("no-vars", "./good", "  postBuild:\n    substituteFrom:\n      - kind: ConfigMap\n        name: absent\n"),
        ]
        .concat(),
    );
    write(d.path(), "good/app.yaml", SOURCE);
    write(
        d.path(),
        "broken/kustomization.yaml",
        "resources:\n  - missing.yaml\n",
    );
    write(
        d.path(),
        "escapes/kustomization.yaml",
        "secretGenerator:\n  - name: s\n    files:\n      - k=../../../../../../etc/hostname\n",
    );
    std::fs::create_dir(d.path().join(".git")).unwrap();
    let (code, report, stderr) = scan_json(d.path(), &["clusters/a"]);
    assert_eq!(code, 2, "{stderr}\n{report:#}");
    let rows = report["resources"].as_array().unwrap();
    let reason = |name: &str| {
        rows.iter()
            .find(|r| r["kind"] == "Kustomization" && r["name"] == name)
            .unwrap_or_else(|| panic!("no row for {name}: {report:#}"))["reason"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        reason("missing-path"),
        "kustomization path not found: stat nowhere: no such file or directory"
    );
    assert!(
        reason("broken").starts_with("kustomize build failed: "),
        "{}",
        reason("broken")
    );
    assert!(
        reason("broken").contains("missing.yaml"),
        "{}",
        reason("broken")
    );
    assert!(
        !reason("broken").contains("fluxverify-build-"),
        "no temporary paths: {}",
        reason("broken")
    );
    assert!(
        reason("escaping-component").contains("is not in or below the repository root"),
        "{}",
        reason("escaping-component")
    );
    assert!(
        reason("escapes").contains("is not in or below the repository root"),
        "{}",
        reason("escapes")
    );
    assert_eq!(
        reason("no-vars"),
        "post build failed for 'app': substitute from 'ConfigMap/absent' error: configmaps \"absent\" not found"
    );
    let app = rows.iter().find(|r| r["name"] == "app").unwrap();
    assert_eq!(app["url"], "oci://r.example/app");
    assert_eq!(app["kustomization"], "flux-system/good");
    assert_eq!(app["file"], "good/app.yaml");
    // Nothing was written into the tree.
    assert!(!d.path().join("good/kustomization.yaml").exists());
}

#[test]
#[cfg_attr(
    feature = "skip-kustomize-tests",
    ignore = "needs kustomize: left out by FLUXVERIFY_SKIP_KUSTOMIZE_TESTS=1"
)]
fn empty_results_files_mode_and_bad_paths_explain_themselves() {
    require_kustomize();
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
    );
    let out = fluxverify(vec!["scan".into(), "--strict".into(), ".".into()])
        .current_dir(d.path())
        .output_blocking();
    assert_eq!(
        out.code, 1,
        "an empty result fails under --strict: {}",
        out.stderr
    );
    assert!(
        out.stderr.contains("no verifiable sources"),
        "{}",
        out.stderr
    );
    let out = fluxverify(vec!["scan".into(), ".".into()])
        .current_dir(d.path())
        .output_blocking();
    assert_eq!(out.code, 0);
    let out = fluxverify(vec!["scan".into(), "-".into()])
        .stdin("")
        .output_blocking();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("stdin is empty"), "{}", out.stderr);
    let out = fluxverify(vec!["scan".into(), "cm.yaml".into()])
        .current_dir(d.path())
        .output_blocking();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("cm.yaml: a file; scan builds directories"),
        "{}",
        out.stderr
    );
    // --files says what it gave up, in every format.
    write(d.path(), "src.yaml", SOURCE);
    for format in ["json", "text", "junit", "github"] {
        let out = fluxverify(vec![
            "scan".into(),
            "--files".into(),
            "--offline".into(),
            "-o".into(),
            format.into(),
            ".".into(),
        ])
        .current_dir(d.path())
        .output_blocking();
        assert!(
            out.stdout.contains("not built as Flux builds them"),
            "{format}: {}",
            out.stdout
        );
    }
}
