//! `-o sarif` of `scan` and `verify`: the real binary's logs validate against the OASIS SARIF
//! 2.1.0 JSON Schema (the copy in `tests/sarif/`, formats checked too), say what the JSON report
//! says row by row (rule, level, file, line, condition), and read back with a real consumer,
//! sarif-tools (PyPI), to the same counts and locations.

mod support;

use jsonschema::{Draft, Validator};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use support::cli::fluxverify;
use support::external::{require_kustomize, SARIF_TOOLS};

/// The SHA-256 of `tests/sarif/sarif-schema-2.1.0.json` (README there).
const SCHEMA_SHA256: &str = "ddddcccbf95c7c50c037b5b07eff4140556278ca574ff374db46786b5fce7949";

const EXAMPLE_LAYOUT: &str = "fixtures/example/layout";
const EXAMPLE_SECRET: &str = "fixtures/example/secret.yaml";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> Value {
    let bytes = std::fs::read(root().join("tests/sarif/sarif-schema-2.1.0.json")).unwrap();
    assert_eq!(
        hex::encode(Sha256::digest(&bytes)),
        SCHEMA_SHA256,
        "tests/sarif/sarif-schema-2.1.0.json is not the copy its README describes"
    );
    serde_json::from_slice(&bytes).unwrap()
}

/// The schema is draft-04 (its `$schema`); every `$ref` is local, so nothing is fetched.
fn validator() -> Validator {
    let schema = schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
    jsonschema::options()
        .with_draft(Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn errors(validator: &Validator, log: &Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn assert_valid(validator: &Validator, log: &Value, what: &str) {
    let errors = errors(validator, log);
    assert!(
        errors.is_empty(),
        "{what}: not valid SARIF 2.1.0:\n{}\n{log:#}",
        errors.join("\n")
    );
}

/// Runs the binary in `dir`; (exit code, stdout parsed, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = fluxverify(args.iter().map(|a| (*a).to_owned()).collect())
        .current_dir(dir)
        .output_blocking();
    let value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: stdout is not JSON ({e}):\n{}\n{}",
            out.stdout, out.stderr
        )
    });
    (out.code, value, out.stderr)
}

fn fleet() -> PathBuf {
    root().join("fixtures/fleet")
}

/// (ruleId, level) a JSON row must become: `None` when verified.
fn expected_rule(row: &Value) -> Option<(&'static str, &'static str)> {
    let reason = row["reason"].as_str().unwrap_or_default();
    Some(match row["result"].as_str().unwrap() {
        "verified" => return None,
        "failed" if reason.starts_with("--strict: ") => ("FV002", "error"),
        "failed" => ("FV001", "error"),
        "skipped" | "ignored" => ("FV002", "note"),
        "error" if row["kind"] == "File" => ("FV004", "error"),
        "error" if row["kind"] == "Kustomization" => ("FV005", "error"),
        "error" => ("FV003", "warning"),
        other => panic!("unknown result {other}"),
    })
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().expect("results")
}

fn location(result: &Value) -> (String, u64) {
    let physical = &result["locations"][0]["physicalLocation"];
    (
        physical["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_owned(),
        physical["region"]["startLine"].as_u64().unwrap(),
    )
}

/// Checks a scan's SARIF log against its JSON report of the same tree: one result per row not
/// verified, with the row's rule, level, file, line and condition.
fn check_against_json(log: &Value, json: &Value) {
    let rows: Vec<&Value> = json["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["result"] != "verified")
        .collect();
    let results = results(log);
    assert_eq!(results.len(), rows.len(), "{log:#}");
    let rules: Vec<&str> = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let mut fingerprints = BTreeSet::new();
    // Rows and results come in the same order.
    for (row, result) in rows.iter().zip(results) {
        let (rule, level) = expected_rule(row).unwrap();
        assert_eq!(result["ruleId"], rule, "{row:#}\n{result:#}");
        assert_eq!(result["level"], level, "{row:#}\n{result:#}");
        assert_eq!(
            rules[result["ruleIndex"].as_u64().unwrap() as usize],
            rule,
            "ruleIndex"
        );
        assert_eq!(
            location(result),
            (
                row["file"].as_str().unwrap().to_owned(),
                row["line"].as_u64().unwrap()
            ),
            "{row:#}"
        );
        let text = result["message"]["text"].as_str().unwrap();
        let first = text.lines().next().unwrap();
        match row["condition"].as_object() {
            Some(c) if rule == "FV001" => assert_eq!(
                first,
                format!(
                    "{} {} {}: {}",
                    c["type"].as_str().unwrap(),
                    c["status"].as_str().unwrap(),
                    c["reason"].as_str().unwrap(),
                    c["message"].as_str().unwrap().lines().next().unwrap()
                ),
                "{text}"
            ),
            _ => assert_eq!(first, row["reason"].as_str().unwrap(), "{text}"),
        }
        let id = format!(
            "{}/{}/{}",
            row["namespace"].as_str().unwrap(),
            row["kind"].as_str().unwrap(),
            row["name"].as_str().unwrap()
        );
        assert!(text.contains(&format!("resource: {id}")), "{text}");
        assert_eq!(
            result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            id
        );
        let fingerprint = result["partialFingerprints"]["fluxverifyResource/v1"]
            .as_str()
            .unwrap();
        assert_eq!(fingerprint.len(), 64);
        assert!(
            fingerprints.insert((rule, fingerprint.to_owned())),
            "two results share a fingerprint: {result:#}"
        );
    }
}

#[test]
fn the_schema_is_the_oasis_document_the_log_names() {
    let schema = schema();
    assert_eq!(schema["id"], fluxverify::report::sarif::SCHEMA_URI);
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
}

#[test]
#[cfg_attr(
    feature = "skip-kustomize-tests",
    ignore = "needs kustomize: runs kubectl kustomize"
)]
fn a_fleet_scan_is_valid_sarif_and_says_what_the_json_report_says() {
    require_kustomize();
    let validator = validator();
    let (json_code, json, _) = run(&fleet(), &["scan", "--offline", "-o", "json", "."]);
    let (code, log, stderr) = run(&fleet(), &["scan", "--offline", "-o", "sarif", "."]);
    assert_eq!(code, json_code, "{stderr}");
    assert_eq!(code, 1, "the fixture has a failing source: {stderr}");
    assert_valid(&validator, &log, "scan of fixtures/fleet");
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["$schema"], fluxverify::report::sarif::SCHEMA_URI);
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "fluxverify");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    for rule in driver["rules"].as_array().unwrap() {
        for key in ["id", "name"] {
            assert!(rule[key].as_str().is_some_and(|s| !s.is_empty()), "{rule}");
        }
        for key in ["shortDescription", "help"] {
            assert!(
                rule[key]["text"].as_str().is_some_and(|s| !s.is_empty()),
                "{rule}"
            );
        }
    }
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    check_against_json(&log, &json);
    let levels: BTreeSet<&str> = results(&log)
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(
        levels,
        BTreeSet::from(["error", "warning", "note"]),
        "{log:#}"
    );
    // The file no Kustomization applies, as the JSON report's not_applied.
    let notifications = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    for u in json["not_applied"].as_array().unwrap() {
        assert!(
            notifications.iter().any(|n| location(n)
                == (
                    u["file"].as_str().unwrap().to_owned(),
                    u["line"].as_u64().unwrap()
                )),
            "{u} not among {notifications:#?}"
        );
    }
    assert_eq!(
        run["properties"]["summary"]["failed"],
        json["summary"]["failed"]
    );
}

#[test]
#[cfg_attr(
    feature = "skip-kustomize-tests",
    ignore = "needs kustomize: runs kubectl kustomize"
)]
fn under_strict_every_unverified_source_is_an_error() {
    require_kustomize();
    let validator = validator();
    let (_, json, _) = run(
        &fleet(),
        &["scan", "--offline", "--strict", "-o", "json", "."],
    );
    let (code, log, stderr) = run(
        &fleet(),
        &["scan", "--offline", "--strict", "-o", "sarif", "."],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_valid(&validator, &log, "strict scan of fixtures/fleet");
    check_against_json(&log, &json);
    let results = results(&log);
    assert!(results.iter().all(|r| r["level"] != "note"), "{log:#}");
    let unverified = results.iter().filter(|r| r["ruleId"] == "FV002").count();
    assert!(unverified > 0, "{log:#}");
    assert!(results
        .iter()
        .filter(|r| r["ruleId"] == "FV002")
        .all(|r| r["level"] == "error"));
}

/// One way to break a log.
type Breakage = fn(&mut Value);

#[test]
#[cfg_attr(
    feature = "skip-kustomize-tests",
    ignore = "needs kustomize: runs kubectl kustomize"
)]
fn the_schema_refuses_the_log_once_one_thing_is_wrong() {
    require_kustomize();
    let validator = validator();
    let (_, log, _) = run(&fleet(), &["scan", "--offline", "-o", "sarif", "."]);
    assert_valid(&validator, &log, "as printed");
    let breakages: [(&str, Breakage); 5] = [
        ("result without message", |l| {
            l["runs"][0]["results"][0]
                .as_object_mut()
                .unwrap()
                .remove("message");
        }),
        ("level outside the enum", |l| {
            l["runs"][0]["results"][0]["level"] = "fatal".into();
        }),
        ("line 0", |l| {
            l["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
                0.into();
        }),
        // Formats are checked: `date-time` is one draft 4 knows (`uri-reference` is not).
        ("a time that is not one", |l| {
            l["runs"][0]["invocations"][0]["startTimeUtc"] = "yesterday".into();
        }),
        ("unknown property", |l| {
            l["runs"][0]["results"][0]["severity"] = "high".into();
        }),
    ];
    for (what, breakage) in breakages {
        let mut broken = log.clone();
        breakage(&mut broken);
        assert!(!errors(&validator, &broken).is_empty(), "{what}: accepted");
    }
}

#[test]
fn a_failing_verify_is_one_error_result_and_a_verified_one_none() {
    let validator = validator();
    let (code, failed, stderr) = run(
        root(),
        &[
            "verify",
            "--oci-layout",
            EXAMPLE_LAYOUT,
            "--scope",
            "registry.example/other",
            "--secret",
            EXAMPLE_SECRET,
            "-o",
            "sarif",
            "v1",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_valid(&validator, &failed, "failing verify");
    let found = results(&failed);
    assert_eq!(found.len(), 1, "{failed:#}");
    assert_eq!(found[0]["ruleId"], "FV001");
    assert_eq!(found[0]["level"], "error");
    let text = found[0]["message"]["text"].as_str().unwrap();
    assert!(
        text.starts_with("SourceVerified False VerificationError: "),
        "{text}"
    );
    // The hints `-o json` gives, under the message.
    let (_, json, _) = run(
        root(),
        &[
            "verify",
            "--oci-layout",
            EXAMPLE_LAYOUT,
            "--scope",
            "registry.example/other",
            "--secret",
            EXAMPLE_SECRET,
            "-o",
            "json",
            "v1",
        ],
    );
    for hint in json["hints"].as_array().unwrap() {
        assert!(
            text.contains(&format!("hint: {}", hint.as_str().unwrap())),
            "{text}"
        );
    }
    assert_eq!(
        text.lines().next().unwrap(),
        format!(
            "SourceVerified False VerificationError: {}",
            json["condition"]["message"]
                .as_str()
                .unwrap()
                .lines()
                .next()
                .unwrap()
        )
    );

    let (code, verified, stderr) = run(
        root(),
        &[
            "verify",
            "--oci-layout",
            EXAMPLE_LAYOUT,
            "--scope",
            "registry.example/app",
            "--secret",
            EXAMPLE_SECRET,
            "-o",
            "sarif",
            "v1",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_valid(&validator, &verified, "verified");
    assert!(results(&verified).is_empty(), "{verified:#}");
}

#[test]
fn a_verify_that_cannot_run_still_prints_a_valid_log() {
    let validator = validator();
    let (code, log, stderr) = run(
        root(),
        &[
            "verify",
            "--oci-layout",
            "fixtures/no-such-layout",
            "--scope",
            "registry.example/app",
            "--secret",
            EXAMPLE_SECRET,
            "-o",
            "sarif",
            "v1",
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("Error: "), "{stderr}");
    assert_valid(&validator, &log, "early error");
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false, "{log:#}");
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "error");
    assert!(
        notification["message"]["text"]
            .as_str()
            .unwrap()
            .contains("no-such-layout"),
        "{notification:#}"
    );
    assert!(results(&log).is_empty());
}

/// `sarif summary`: `LEVEL: N` lines.
fn summary_counts(text: &str) -> BTreeMap<String, usize> {
    text.lines()
        .filter_map(|line| {
            let (level, count) = line.split_once(": ")?;
            if line.starts_with(' ') {
                return None;
            }
            Some((level.to_owned(), count.trim().parse().ok()?))
        })
        .collect()
}

#[test]
#[cfg_attr(
    feature = "skip-kustomize-tests",
    ignore = "needs kustomize: runs kubectl kustomize"
)]
#[cfg_attr(
    feature = "skip-ci-tool-tests",
    ignore = "needs sarif-tools: pip install sarif-tools (scripts/test does)"
)]
fn sarif_tools_reads_the_scan_back() {
    let sarif = SARIF_TOOLS.require();
    require_kustomize();
    let (_, json, _) = run(&fleet(), &["scan", "--offline", "-o", "json", "."]);
    let (_, log, _) = run(&fleet(), &["scan", "--offline", "-o", "sarif", "."]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fluxverify.sarif");
    std::fs::write(&file, serde_json::to_string_pretty(&log).unwrap()).unwrap();

    let summary = std::process::Command::new(&sarif)
        .arg("summary")
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&summary.stdout);
    assert!(summary.status.success(), "{text}\n{:?}", summary.stderr);
    let mut want: BTreeMap<String, usize> = BTreeMap::new();
    for row in json["resources"].as_array().unwrap() {
        if let Some((_, level)) = expected_rule(row) {
            *want.entry(level.to_owned()).or_default() += 1;
        }
    }
    assert_eq!(summary_counts(&text), want, "{text}");

    // Every result's rule, file and line, as the consumer reads them.
    let csv = dir.path().join("fluxverify.csv");
    let out = std::process::Command::new(&sarif)
        .arg("csv")
        .arg("-o")
        .arg(&csv)
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", out.stderr);
    let table = std::fs::read_to_string(&csv).unwrap();
    let mut reader = table.as_str();
    let header = take_csv_record(&mut reader);
    assert_eq!(
        header,
        [
            "Tool",
            "Severity",
            "Code",
            "Description",
            "Location",
            "Line"
        ]
    );
    let mut read_back = BTreeSet::new();
    while !reader.trim().is_empty() {
        let record = take_csv_record(&mut reader);
        assert_eq!(record[0], "fluxverify", "{record:?}");
        read_back.insert((record[2].clone(), record[4].clone(), record[5].clone()));
    }
    let written: BTreeSet<(String, String, String)> = results(&log)
        .iter()
        .map(|r| {
            let (file, line) = location(r);
            (
                r["ruleId"].as_str().unwrap().to_owned(),
                file,
                line.to_string(),
            )
        })
        .collect();
    assert_eq!(read_back, written);
}

/// One record of a CSV document (RFC 4180 quoting, fields with line breaks), consumed from
/// `input`.
fn take_csv_record(input: &mut &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = input.char_indices().peekable();
    let mut quoted = false;
    let mut end = input.len();
    while let Some((i, c)) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek().map(|(_, n)| *n) == Some('"') => {
                chars.next();
                fields.last_mut().unwrap().push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => fields.last_mut().unwrap().push(c),
            (false, '"') => quoted = true,
            (false, ',') => fields.push(String::new()),
            (false, '\r') => {}
            (false, '\n') => {
                end = i + 1;
                break;
            }
            (false, c) => fields.last_mut().unwrap().push(c),
        }
    }
    *input = &input[end..];
    fields
}

#[test]
fn under_strict_a_verify_flux_accepts_unverified_is_an_error_result() {
    let validator = validator();
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("trustpolicy.json");
    std::fs::write(
        &policy,
        r#"{"version":"1.0","trustPolicies":[{"name":"skip","registryScopes":["registry.example/app"],"signatureVerification":{"level":"skip"}}]}"#,
    )
    .unwrap();
    let policy = policy.display().to_string();
    let args = |strict: bool| {
        let mut args = vec![
            "verify",
            "--oci-layout",
            EXAMPLE_LAYOUT,
            "--scope",
            "registry.example/app",
            "--trust-policy",
            &policy,
            "-o",
            "sarif",
            "v1",
        ];
        if strict {
            args.push("--strict");
        }
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let call = |strict: bool| {
        let owned = args(strict);
        let borrowed: Vec<&str> = owned.iter().map(String::as_str).collect();
        run(root(), &borrowed)
    };
    let (code, lax, stderr) = call(false);
    assert_eq!(code, 3, "{stderr}");
    assert_valid(&validator, &lax, "ignored verify");
    assert_eq!(results(&lax)[0]["level"], "note", "{lax:#}");
    let (code, strict, stderr) = call(true);
    assert_eq!(code, 1, "{stderr}");
    assert_valid(&validator, &strict, "ignored verify under --strict");
    let found = results(&strict);
    assert_eq!(found.len(), 1, "{strict:#}");
    assert_eq!(found[0]["level"], "error");
    assert!(
        found[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("--strict: the artifact must be verified"),
        "{strict:#}"
    );
}
