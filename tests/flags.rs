//! Each flag means one thing, in every command that takes it: `--flux-version` (one parser, one
//! accepted set, the same refusals, the same completion list), `--provider` (Flux's
//! `spec.provider`) apart from `--verify-provider` (`spec.verify.provider`), `--strict` (the
//! source must be verified) apart from `--check-claims` (cosign's claim check); each command's
//! help in its own terms, and a man page per command with EXIT STATUS and EXAMPLES. All through
//! the binary, offline (OCI layouts, `scan --files --offline`).

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn path(relative: &str) -> String {
    root().join(relative).display().to_string()
}

/// The binary, without the machine's credentials and log settings.
fn bin() -> Command {
    let mut command = Command::cargo_bin("fluxverify").unwrap();
    for name in [
        "FLUXVERIFY_USERNAME",
        "FLUXVERIFY_PASSWORD",
        "FLUXVERIFY_LOG",
        "RUST_LOG",
        "AZURE_ACCESS_TOKEN",
    ] {
        command.env_remove(name);
    }
    command
}

/// Exit code, stdout, stderr.
fn run(args: &[String]) -> (i32, String, String) {
    let out = bin().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// The shipped example: a layout signed by a test CA and the Secret that trusts it.
fn example(extra: &[&str]) -> Vec<String> {
    let mut args = strings(&["verify", "--oci-layout"]);
    args.push(path("fixtures/example/layout"));
    args.extend(strings(&["--scope", "registry.example/app", "-o", "json"]));
    args.extend(strings(extra));
    args
}

const EXAMPLE_DIGEST: &str =
    "sha256:f576734ce02f1b6257d4bd911a64f80e82e69be51bf2a874bbd7020ca9eb61b8";

/// A tree `scan` reads offline: one OCIRepository verified with the example Secret.
fn scan_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("fixtures/example/secret.yaml"),
        dir.path().join("secret.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("source.yaml"),
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: app, namespace: flux-system}\nspec:\n  url: oci://registry.example/app\n  ref: {tag: v1}\n  verify: {provider: notation, secretRef: {name: notation-config}}\n",
    )
    .unwrap();
    dir
}

/// Every command that takes `--flux-version`, as a command line that runs to a decision
/// offline, with `{}` where the version goes; and the exit code it has then.
fn flux_version_commands(tree: &Path) -> Vec<(Vec<String>, i32)> {
    let secret = path("fixtures/example/secret.yaml");
    let with = |args: &[&str]| -> Vec<String> { strings(args) };
    let mut verify = example(&["--secret", &secret, "v1"]);
    verify.extend(with(&["--flux-version", "{}"]));
    let mut scan = with(&["scan", "--files", "--offline", "-o", "json"]);
    scan.push(tree.display().to_string());
    scan.extend(with(&["--flux-version", "{}"]));
    let reference = format!("registry.example/app@{EXAMPLE_DIGEST}");
    vec![
        (verify, 0),
        (scan, 0),
        (
            with(&[
                "policy",
                "check",
                "--secret",
                &secret,
                "--flux-version",
                "{}",
            ]),
            0,
        ),
        (
            with(&[
                "policy",
                "show",
                "--secret",
                &secret,
                "--flux-version",
                "{}",
            ]),
            0,
        ),
        (
            with(&[
                "policy",
                "explain",
                "--secret",
                &secret,
                &reference,
                "--flux-version",
                "{}",
            ]),
            0,
        ),
        (
            // No such envelope: the command gets past its flags and stops at the file.
            with(&[
                "envelope",
                "verify",
                "/nonexistent/signature.jws",
                "--reference",
                &reference,
                "--subject",
                "{}",
                "--secret",
                &secret,
                "--flux-version",
                "{}",
            ]),
            2,
        ),
    ]
}

fn with_version(args: &[String], version: &str) -> Vec<String> {
    // The last `{}` is the version (envelope's `--subject {}` comes before it).
    let at = args.iter().rposition(|a| a == "{}").unwrap();
    let mut args = args.to_vec();
    args[at] = version.to_owned();
    args
}

/// The values a bad `--flux-version` error lists.
fn listed_values(stderr: &str) -> BTreeSet<String> {
    let line = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("[possible values: "))
        .unwrap_or_else(|| panic!("no possible values in {stderr}"));
    line.trim_end_matches(']')
        .split(", ")
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_command_takes_the_same_flux_versions_and_refuses_the_same() {
    let tree = scan_tree();
    let commands = flux_version_commands(tree.path());
    let controllers = ["1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "1.9"];
    let fluxes = ["2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9"];
    let listed: BTreeSet<String> = controllers
        .iter()
        .chain(&fluxes)
        .map(|s| s.to_string())
        .collect();
    let patch_forms = ["1.9.1", "v1.4", "v2.8.3", "2.3.0", "1.7.4"];
    for (args, code) in &commands {
        for version in listed.iter().map(String::as_str).chain(patch_forms) {
            let (got, _, stderr) = run(&with_version(args, version));
            assert_eq!(got, *code, "{args:?} {version}: {stderr}");
            assert!(!stderr.contains("--flux-version"), "{version}: {stderr}");
        }
        for bad in [
            "1.2", "1.10", "2.2", "2.10", "3.0", "latest", "1.9-rc.1", "1.9.x", " 1.9",
        ] {
            let (got, stdout, stderr) = run(&with_version(args, bad));
            assert_eq!(got, 2, "{args:?} {bad}: {stderr}");
            assert!(stdout.is_empty(), "{bad}: {stdout}");
            assert!(
                stderr.contains(&format!(
                    "invalid value '{bad}' for '--flux-version <VERSION>'"
                )),
                "{args:?} {bad}: {stderr}"
            );
            assert_eq!(listed_values(&stderr), listed, "{args:?} {bad}");
        }
    }
}

#[test]
fn a_flux_release_is_the_source_controller_it_ships_wherever_it_is_given() {
    let secret = path("fixtures/example/secret.yaml");
    for (given, controller) in [
        ("2.3", "1.3"),
        ("v1.4.2", "1.4"),
        ("2.5", "1.5"),
        ("2.8.1", "1.6"),
        ("1.9.1", "1.9"),
        ("2.9", "1.9"),
    ] {
        let (code, stdout, stderr) = run(&example(&[
            "--secret",
            &secret,
            "--flux-version",
            given,
            "v1",
        ]));
        assert_eq!(code, 0, "{given}: {stderr}");
        let json: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(json["fluxVersion"], controller, "{given}");
    }
}

/// The completion scripts offer, for every command's `--flux-version`, the values its error
/// lists.
#[test]
fn completion_offers_the_accepted_flux_versions_for_every_command() {
    let (_, _, stderr) = run(&strings(&["scan", "--flux-version", "0.0"]));
    let listed = listed_values(&stderr);
    let (code, script, _) = run(&strings(&["completions", "fish"]));
    assert_eq!(code, 0);
    // Each `-l flux-version` completion's values: `-a "1.3\t'help'\n1.4\t'help'..."`.
    let blocks: Vec<&str> = script
        .split(" -l flux-version ")
        .skip(1)
        .map(|rest| {
            rest.split_once(" -a \"")
                .unwrap()
                .1
                .split('"')
                .next()
                .unwrap()
        })
        .collect();
    // verify, scan, policy check/show/explain, envelope verify.
    assert_eq!(blocks.len(), 6, "{blocks:#?}");
    for block in blocks {
        let offered: BTreeSet<String> = block
            .lines()
            .map(|v| v.split("\\t").next().unwrap().to_owned())
            .collect();
        assert_eq!(offered, listed, "{block}");
    }
    let (_, zsh, _) = run(&strings(&["completions", "zsh"]));
    // `'--flux-version=[help]:VERSION:((1.3\:"help"\n1.4\:"help"...))'`
    let blocks: Vec<&str> = zsh
        .split("'--flux-version=[")
        .skip(1)
        .map(|rest| {
            rest.split_once(":VERSION:((")
                .unwrap()
                .1
                .split("))")
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(blocks.len(), 6, "{blocks:#?}");
    for block in blocks {
        let offered: BTreeSet<String> = block
            .lines()
            .map(|v| v.split("\\:").next().unwrap().to_owned())
            .collect();
        assert_eq!(offered, listed, "{block}");
    }
}

/// A layout of the cosign sample with its key Secret.
fn cosign_layout(extra: &[&str]) -> Vec<String> {
    let mut args = strings(&["verify", "--oci-layout"]);
    args.push(path("tests/vectors/cosign/layouts/ecdsa-bundle"));
    args.extend(strings(&[
        "--scope",
        "registry.example/cosign/app",
        "--secret",
    ]));
    args.push(path(
        "tests/vectors/cosign/cases/ecdsa-bundle--tag/secret.yaml",
    ));
    args.extend(strings(&["-o", "json", "v1"]));
    args.extend(strings(extra));
    args
}

#[test]
fn verify_provider_and_provider_are_two_flags() {
    // --verify-provider picks the signatures; --provider only the registry credentials.
    let (code, stdout, stderr) = run(&cosign_layout(&["--verify-provider", "cosign"]));
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["provider"], "cosign");
    assert!(stderr.is_empty(), "{stderr}");
    let (code, stdout, stderr) = run(&cosign_layout(&[
        "--verify-provider",
        "cosign",
        "--provider",
        "aws",
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        serde_json::from_str::<Value>(&stdout).unwrap()["provider"],
        "cosign"
    );
    // The old spelling still selects the verification provider, and says what it is now.
    let (code, old_stdout, stderr) = run(&cosign_layout(&["--provider", "cosign"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        serde_json::from_str::<Value>(&old_stdout).unwrap()["provider"],
        "cosign"
    );
    assert!(
        stderr.starts_with(
            "Warning: --provider cosign is the old spelling of --verify-provider cosign"
        ),
        "{stderr}"
    );
    // ... and cannot contradict the new one.
    let (code, _, stderr) = run(&cosign_layout(&[
        "--provider",
        "cosign",
        "--verify-provider",
        "notation",
    ]));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--provider cosign and --verify-provider notation disagree"),
        "{stderr}"
    );
    // Without either, the sample's cosign signature is not what notation verifies.
    let (code, stdout, _) = run(&cosign_layout(&[]));
    assert_eq!(code, 1);
    assert_eq!(
        serde_json::from_str::<Value>(&stdout).unwrap()["mode"],
        "flux"
    );
    for bad in [&["--verify-provider", "aws"][..], &["--provider", "oci"]] {
        let (code, _, stderr) = run(&cosign_layout(bad));
        assert_eq!(code, 2, "{bad:?}");
        assert!(stderr.contains("invalid value"), "{bad:?}: {stderr}");
    }
}

#[test]
fn only_verify_reads_the_old_spelling_of_the_verification_provider() {
    let tree = scan_tree();
    let layout = path("fixtures/example/layout");
    let tree = tree.path().display().to_string();
    for args in [
        vec!["scan", "--files", "--offline", &tree],
        vec![
            "ls",
            "--oci-layout",
            &layout,
            "--scope",
            "registry.example/app",
            "v1",
        ],
        vec![
            "inspect",
            "--oci-layout",
            &layout,
            "--scope",
            "registry.example/app",
            "v1",
        ],
    ] {
        let mut with = strings(&args);
        with.extend(strings(&["--provider", "cosign"]));
        let (code, stdout, stderr) = run(&with);
        assert_eq!(code, 2, "{args:?}");
        assert!(stdout.is_empty());
        assert!(
            stderr.contains("invalid value 'cosign' for '--provider <PROVIDER>'")
                && stderr.contains("[possible values: generic, aws, azure, gcp]")
                && stderr.contains("verification providers (Flux's spec.verify.provider)"),
            "{args:?}: {stderr}"
        );
        let mut with = strings(&args);
        with.extend(strings(&["--verify-provider", "cosign"]));
        assert_eq!(run(&with).0, 2, "{args:?}: --verify-provider is verify's");
        // A registry provider is taken by every one of them.
        let mut with = strings(&args);
        with.extend(strings(&["--provider", "generic"]));
        assert_eq!(run(&with).0, 0, "{args:?}");
    }
}

/// A trust policy whose level is `level`, trusting a root that did not sign the example.
fn policy_of_level(dir: &Path, level: &str) -> (String, String) {
    let file = dir.join(format!("{level}.json"));
    let stores = if level == "skip" {
        String::new()
    } else {
        r#","trustStores":["ca:other"],"trustedIdentities":["*"]"#.to_owned()
    };
    std::fs::write(
        &file,
        format!(
            r#"{{"version":"1.0","trustPolicies":[{{"name":"p","registryScopes":["*"],"signatureVerification":{{"level":"{level}"}}{stores}}}]}}"#
        ),
    )
    .unwrap();
    let other_root =
        path("tests/vectors/corpus/cases/m-rsa2048-c2-jws--strict/truststore/x509/ca/corpus/root-rsa2048.crt");
    (file.display().to_string(), other_root)
}

#[test]
fn strict_means_the_source_must_be_verified_on_verify_as_on_scan() {
    let dir = tempfile::tempdir().unwrap();
    let (audit, other_root) = policy_of_level(dir.path(), "audit");
    let (skip, _) = policy_of_level(dir.path(), "skip");
    let audited = ["--trust-policy", &audit, "--certs", &other_root, "v1"];
    // Flux accepts it without SourceVerified: exit 3; --strict fails it.
    let (code, stdout, _) = run(&example(&audited));
    assert_eq!(code, 3);
    assert_eq!(
        serde_json::from_str::<Value>(&stdout).unwrap()["result"],
        "ignored"
    );
    let mut strict = audited.to_vec();
    strict.push("--strict");
    let (code, stdout, stderr) = run(&example(&strict));
    assert_eq!(code, 1, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["result"], "failed");
    assert_eq!(
        json["error"],
        "--strict: the artifact must be verified (ignored: Flux sets no SourceVerified condition)"
    );
    assert_eq!(json["condition"], Value::Null, "Flux's condition stays");
    // Text output says it on stderr as an error.
    let text: Vec<String> = example(&strict)
        .into_iter()
        .filter(|a| a != "-o" && a != "json")
        .collect();
    let (code, _, stderr) = run(&text);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("Error: --strict: the artifact must be verified (ignored: "),
        "{stderr}"
    );
    // notation mode: level skip is exit 0, and a failure under --strict.
    let skipped = ["--mode", "notation", "--trust-policy", &skip, "v1"];
    let (code, stdout, _) = run(&example(&skipped));
    assert_eq!(code, 0);
    assert_eq!(
        serde_json::from_str::<Value>(&stdout).unwrap()["result"],
        "skipped"
    );
    let mut strict = skipped.to_vec();
    strict.push("--strict");
    let (code, stdout, _) = run(&example(&strict));
    assert_eq!(code, 1);
    assert_eq!(
        serde_json::from_str::<Value>(&stdout).unwrap()["error"],
        "--strict: the artifact must be verified (skipped: the trust policy's level is skip)"
    );
    // A verified artifact stays verified.
    let secret = path("fixtures/example/secret.yaml");
    assert_eq!(run(&example(&["--secret", &secret, "v1", "--strict"])).0, 0);

    // scan --strict: the same rule for each source (offline, nothing is verified).
    let tree = scan_tree();
    let mut scan = strings(&["scan", "--files", "--offline", "-o", "json"]);
    scan.push(tree.path().display().to_string());
    let (code, stdout, _) = run(&scan);
    assert_eq!(code, 0);
    let row = serde_json::from_str::<Value>(&stdout).unwrap()["resources"][0].clone();
    assert_eq!(row["result"], "skipped");
    scan.push("--strict".into());
    let (code, stdout, _) = run(&scan);
    assert_eq!(code, 1);
    let row = serde_json::from_str::<Value>(&stdout).unwrap()["resources"][0].clone();
    assert_eq!(row["result"], "failed");
    assert_eq!(
        row["reason"],
        "--strict: every source must be verified (skipped: offline)"
    );
}

#[test]
fn the_claim_check_is_a_flag_of_its_own() {
    // verify: cosign's; refused with the notation provider rather than ignored.
    let secret = path("fixtures/example/secret.yaml");
    let (code, _, stderr) = run(&example(&["--secret", &secret, "v1", "--check-claims"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--check-claims belongs to the cosign provider (--verify-provider cosign)"),
        "{stderr}"
    );
    // With cosign it is reported as what it is.
    let (code, stdout, stderr) = run(&cosign_layout(&[
        "--verify-provider",
        "cosign",
        "--check-claims",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["checkClaims"], true);
    assert!(json.get("strict").is_none(), "{json}");
    // scan: alone it is accepted and changes nothing --strict decides (an offline scan
    // checks no claims: its rows stay skipped); with --strict those rows fail.
    let tree = scan_tree();
    let dir = tree.path().display().to_string();
    let (code, _, stderr) = run(&strings(&[
        "scan",
        "--files",
        "--offline",
        &dir,
        "--check-claims",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(&strings(&[
        "scan",
        "--files",
        "--offline",
        &dir,
        "--check-claims",
        "--strict",
    ]));
    assert_eq!(code, 1, "{stderr}");
}

fn help(command: &[&str]) -> String {
    let mut args = strings(command);
    args.push("--help".into());
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

/// The options part of a help text (the command's description may name other commands).
fn options(help: &str) -> &str {
    help.split_once("\nOptions:\n").map_or(help, |(_, o)| o)
}

#[test]
fn each_command_s_help_speaks_of_that_command() {
    let verify_terms = [
        "--ocirepository",
        "REFERENCE",
        "verify only",
        "notation or cosign",
        "spec.verify.provider",
        "--verify-provider",
    ];
    let scan = help(&["scan"]);
    for term in verify_terms.iter().chain(&["the whole run", "(flux mode)"]) {
        assert!(
            !options(&scan).contains(term),
            "scan --help says {term:?}:\n{scan}"
        );
    }
    for wanted in [
        "every source",
        "each source's `spec.provider`",
        "spec.timeout",
    ] {
        assert!(scan.contains(wanted), "scan --help lacks {wanted:?}");
    }
    for command in ["ls", "inspect"] {
        let text = help(&[command]);
        // REFERENCE is their own argument's name too.
        for term in verify_terms.iter().filter(|t| **t != "REFERENCE").chain(&[
            "scan",
            "each source",
            "trust policy scopes",
            "--strict",
        ]) {
            assert!(
                !options(&text).contains(term),
                "{command} --help says {term:?}:\n{text}"
            );
        }
    }
    // policy evaluates no signature: it takes no signature limit or user metadata.
    for command in ["check", "show", "explain"] {
        let text = help(&["policy", command]);
        for term in [
            "--max-signatures",
            "--user-metadata",
            "signatures to evaluate",
        ] {
            assert!(
                !text.contains(term),
                "policy {command} --help says {term:?}"
            );
        }
    }
    let verify = help(&["verify"]);
    for term in ["scan:", "each source", "every source"] {
        assert!(
            !options(&verify).contains(term),
            "verify --help says {term:?}"
        );
    }
    for wanted in [
        "--verify-provider",
        "--check-claims",
        "--strict",
        "with --ocirepository",
    ] {
        assert!(verify.contains(wanted), "verify --help lacks {wanted:?}");
    }
    // The help of --flux-version is the same text in every command that takes it.
    let flux_version = |text: &str| -> String {
        let start = text.find("      --flux-version <VERSION>").unwrap();
        let rest = &text[start..];
        let end = rest[1..].find("\n  -").map_or(rest.len(), |e| e + 1);
        let block = &rest[..end];
        block[..block.rfind("\n\n").unwrap_or(block.len())].to_owned()
    };
    let reference = flux_version(&verify);
    assert!(
        reference.contains("Flux 2.9 = source-controller 1.9"),
        "{reference}"
    );
    for command in [
        &["scan"][..],
        &["policy", "check"],
        &["policy", "show"],
        &["policy", "explain"],
        &["envelope", "verify"],
    ] {
        assert_eq!(
            flux_version(&help(command)).trim_end(),
            reference.trim_end(),
            "{command:?}"
        );
    }
    // The top-level description names both signature formats.
    let top = help(&[]);
    assert!(
        top.lines().next().unwrap().contains("notation") && top.contains("cosign"),
        "{top}"
    );
}

/// The subcommands `fluxverify --help` lists (without `help`).
fn subcommands(help: &str, command: &str) -> Vec<String> {
    let listed = help
        .split_once("Commands:\n")
        .map(|(_, rest)| rest.split("\n\n").next().unwrap())
        .unwrap_or_default();
    listed
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(|name| format!("{command}-{name}"))
        .collect()
}

#[test]
fn man_writes_a_page_per_command_with_exit_status_and_examples() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(&[
        "man".to_owned(),
        "--dir".to_owned(),
        dir.path().display().to_string(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let mut wanted = vec!["fluxverify".to_owned()];
    for top in subcommands(&help(&[]), "fluxverify") {
        let name = top.trim_start_matches("fluxverify-").to_owned();
        wanted.extend(subcommands(&help(&[&name]), &top));
        wanted.push(top);
    }
    assert!(wanted.len() >= 15, "{wanted:?}");
    let written: BTreeSet<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(written.len(), wanted.len(), "{written:?} {wanted:?}");
    for name in &wanted {
        let page = std::fs::read_to_string(dir.path().join(format!("{name}.1")))
            .unwrap_or_else(|e| panic!("{name}.1: {e}"));
        assert!(page.contains(&format!(".TH {name} 1")), "{name}");
        let exit = page
            .find(".SH \"EXIT STATUS\"")
            .unwrap_or_else(|| panic!("{name}"));
        let examples = page
            .find(".SH EXAMPLES")
            .unwrap_or_else(|| panic!("{name}"));
        assert!(exit < examples, "{name}");
        assert!(page[exit..examples].contains(".TP\n\\fB0\\fR"), "{name}");
        assert!(page[examples..].contains("fluxverify"), "{name}");
        if let Some(version) = page.find(".SH VERSION") {
            assert!(examples < version, "{name}");
        }
    }
    // The exit codes are those of the contract: verify has 3, scan does not.
    let verify = std::fs::read_to_string(dir.path().join("fluxverify-verify.1")).unwrap();
    assert!(verify.contains("\\fB3\\fR"));
    let scan = std::fs::read_to_string(dir.path().join("fluxverify-scan.1")).unwrap();
    assert!(!scan.contains("\\fB3\\fR"));
    let top = std::fs::read_to_string(dir.path().join("fluxverify.1")).unwrap();
    let name_line = top
        .split(".SH NAME\n")
        .nth(1)
        .unwrap()
        .lines()
        .next()
        .unwrap();
    assert!(
        name_line.contains("notation") && name_line.contains("cosign"),
        "{name_line}"
    );
}
