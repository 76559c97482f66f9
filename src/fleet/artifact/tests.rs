use super::*;
use serde_json::{json, Value};
use std::fs;

/// A source tree in a temporary directory.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let full = dir.path().join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        if path.ends_with('/') {
            fs::create_dir_all(&full).unwrap();
        } else {
            fs::write(full, content).unwrap();
        }
    }
    dir
}

/// Every file under `dir` with its content, and every directory (as `path/`).
fn listing(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                out.push(format!("{rel}/"));
                walk(root, &path, out);
            } else {
                out.push(format!(
                    "{rel}={}",
                    fs::read_to_string(&path).unwrap_or_default()
                ));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

fn op(from: &str, to: &str) -> CopyOperation {
    CopyOperation {
        from: from.into(),
        to: to.into(),
        exclude: Vec::new(),
        strategy: Strategy::Overwrite,
        optional: false,
    }
}

fn excluding(mut op: CopyOperation, patterns: &[&str]) -> CopyOperation {
    op.exclude = patterns.iter().map(|p| p.to_string()).collect();
    op
}

fn artifact(ops: Vec<CopyOperation>) -> ArtifactSpec {
    ArtifactSpec {
        name: "test".into(),
        revision: None,
        origin_revision: None,
        copy: ops,
    }
}

/// Composes with the given sources and returns the artifact's listing or the error text.
fn run(sources: &[(&str, &Path)], ops: Vec<CopyOperation>) -> Result<Vec<String>, String> {
    let out = tempfile::tempdir().unwrap();
    let sources: HashMap<String, PathBuf> = sources
        .iter()
        .map(|(alias, dir)| (alias.to_string(), dir.to_path_buf()))
        .collect();
    stage(&artifact(ops), &sources, out.path()).map_err(|e| e.to_string())?;
    Ok(listing(out.path()))
}

#[test]
fn single_files_follow_the_destination_form() {
    let src = tree(&[
        ("config.yaml", "a"),
        ("sub/file2.txt", "2"),
        ("file1.txt", "1"),
    ]);
    let s = [("source", src.path())];
    assert_eq!(
        run(&s, vec![op("@source/config.yaml", "@artifact/")]).unwrap(),
        ["config.yaml=a"]
    );
    assert_eq!(
        run(&s, vec![op("@source/config.yaml", "@artifact/dest/")]).unwrap(),
        ["dest/", "dest/config.yaml=a"]
    );
    assert_eq!(
        run(
            &s,
            vec![op("@source/config.yaml", "@artifact/dest/other.yaml")]
        )
        .unwrap(),
        ["dest/", "dest/other.yaml=a"]
    );
    // A destination that is a directory already takes the file inside it.
    assert_eq!(
        run(
            &s,
            vec![
                op("@source/sub/", "@artifact/"),
                op("@source/file1.txt", "@artifact/sub")
            ]
        )
        .unwrap(),
        ["sub/", "sub/file1.txt=1", "sub/file2.txt=2"]
    );
}

#[test]
fn directories_land_inside_the_destination_with_or_without_slashes() {
    let src = tree(&[
        ("config/app.yaml", "app"),
        ("config/db.yaml", "db"),
        ("root.yaml", "r"),
    ]);
    let s = [("source", src.path())];
    let want = [
        "dest/",
        "dest/config/",
        "dest/config/app.yaml=app",
        "dest/config/db.yaml=db",
    ];
    assert_eq!(
        run(&s, vec![op("@source/config", "@artifact/dest")]).unwrap(),
        want
    );
    assert_eq!(
        run(&s, vec![op("@source/config/", "@artifact/dest/")]).unwrap(),
        want
    );
    // `@alias/` is the whole source.
    assert_eq!(
        run(&s, vec![op("@source/", "@artifact/")]).unwrap(),
        [
            "config/",
            "config/app.yaml=app",
            "config/db.yaml=db",
            "root.yaml=r"
        ]
    );
}

#[test]
fn globs_keep_the_match_path_except_for_dir_double_star() {
    let src = tree(&[
        ("deployment.yaml", "d"),
        ("service.yaml", "s"),
        ("notes.txt", "n"),
        ("apps/a.yaml", "a"),
        ("config/app.yaml", "app"),
        ("config/subdir/db.yaml", "db"),
    ]);
    let s = [("source", src.path())];
    assert_eq!(
        run(&s, vec![op("@source/*.yaml", "@artifact/manifests/")]).unwrap(),
        [
            "manifests/",
            "manifests/deployment.yaml=d",
            "manifests/service.yaml=s"
        ]
    );
    assert_eq!(
        run(&s, vec![op("@source/apps/*.yaml", "@artifact/x/")]).unwrap(),
        ["x/", "x/apps/", "x/apps/a.yaml=a"]
    );
    assert_eq!(
        run(&s, vec![op("@source/config/**", "@artifact/dest/")]).unwrap(),
        [
            "dest/",
            "dest/app.yaml=app",
            "dest/subdir/",
            "dest/subdir/db.yaml=db"
        ]
    );
    // `**` alone matches the top-level entries; directories among them are copied whole.
    let all = run(&s, vec![op("@source/**", "@artifact/")]).unwrap();
    assert!(
        all.contains(&"config/subdir/db.yaml=db".to_string()),
        "{all:?}"
    );
    assert!(all.contains(&"notes.txt=n".to_string()), "{all:?}");
}

#[test]
fn later_operations_overwrite_and_merge_directories() {
    let one = tree(&[
        ("config/app.yaml", "source1: app"),
        ("config/database.yaml", "source1: db"),
    ]);
    let two = tree(&[
        ("config/app.yaml", "source2: app"),
        ("config/network.yaml", "source2: net"),
    ]);
    let got = run(
        &[("source1", one.path()), ("source2", two.path())],
        vec![
            op("@source1/**", "@artifact/"),
            op("@source2/**", "@artifact/"),
        ],
    )
    .unwrap();
    assert_eq!(
        got,
        [
            "config/",
            "config/app.yaml=source2: app",
            "config/database.yaml=source1: db",
            "config/network.yaml=source2: net"
        ]
    );
}

#[test]
fn excludes_match_paths_names_and_whole_directories() {
    let src = tree(&[
        ("app.yaml", "a"),
        ("README.md", "r"),
        ("temp.tmp", "t"),
        (".hidden", "h"),
        ("docs/guide.md", "g"),
        ("tests/test.go", "t"),
        ("testdata/fixture.json", "f"),
        ("configs/prod.yaml", "p"),
    ]);
    let s = [("source", src.path())];
    let got = run(
        &s,
        vec![excluding(
            op("@source/**", "@artifact/"),
            &["*.md", "*.tmp", "**/.*", "**/tests/**", "**/testdata/**"],
        )],
    )
    .unwrap();
    // docs/ stays, empty.
    assert_eq!(
        got,
        ["app.yaml=a", "configs/", "configs/prod.yaml=p", "docs/"]
    );
    let got = run(
        &s,
        vec![excluding(
            op("@source/*.yaml", "@artifact/c/"),
            &["app.yaml"],
        )],
    );
    assert_eq!(got.unwrap_err(), "artifact 'test': failed to apply copy operations: failed to apply copy operation from '@source/*.yaml' to '@artifact/c/': all files matching pattern '*.yaml' in source 'source' were excluded");
    // A single excluded file is skipped silently.
    let got = run(
        &s,
        vec![excluding(
            op("@source/app.yaml", "@artifact/x.yaml"),
            &["app.yaml"],
        )],
    );
    assert_eq!(got.unwrap(), Vec::<String>::new());
    // Patterns also apply below the literal part of the source pattern.
    let nested = tree(&[("shop/base/a.yaml", "a"), ("shop/base/b.yaml", "b")]);
    let got = run(
        &[("repo", nested.path())],
        vec![excluding(
            op("@repo/shop/**", "@artifact/"),
            &["base/b.yaml"],
        )],
    );
    assert_eq!(got.unwrap(), ["base/", "base/a.yaml=a"]);
}

#[test]
fn errors_carry_the_builders_words() {
    let src = tree(&[("a.yaml", "a")]);
    let s = [("source", src.path())];
    let err = |o: CopyOperation| {
        let marker = format!("from '{}' to '{}': ", o.from, o.to);
        let text = run(&s, vec![o]).unwrap_err();
        text.split_once(&marker).unwrap().1.to_string()
    };
    assert_eq!(
        err(op("@source/test.yaml", "@artifact/")),
        "source 'test.yaml' does not exist"
    );
    assert_eq!(
        err(op("@source/*.json", "@artifact/")),
        "no files match pattern '*.json' in source 'source'"
    );
    assert_eq!(
        err(op("@source/[", "@artifact/")),
        "invalid glob pattern '[': syntax error in pattern"
    );
    assert_eq!(
        err(op("@missing/a.yaml", "@artifact/")),
        "source alias 'missing' not found"
    );
    assert_eq!(
        err(op("source/a.yaml", "@artifact/")),
        "invalid copy source 'source/a.yaml': source must start with '@'"
    );
    assert_eq!(
        err(op("@source", "@artifact/")),
        "invalid copy source '@source': source format must be '@alias/pattern'"
    );
    assert_eq!(err(op("@source/a.yaml", "@artifact/../x")), "invalid copy destination '@artifact/../x': destination path must stay within the artifact root");
    assert_eq!(
        err(op("@source/a.yaml", "@artifact/x/../y")),
        "invalid copy destination '@artifact/x/../y': destination path must not contain '..'"
    );
    assert_eq!(
        err(op("@source/a.yaml", "@other/")),
        "invalid copy destination '@other/': destination must start with '@artifact/'"
    );
    assert_eq!(
        err(excluding(op("@source/*.md", "@artifact/"), &["[*.md"])),
        "invalid exclude pattern '[*.md'"
    );
    let braces = format!("@source/{{{}}}", vec!["a"; 22].join(","));
    assert!(err(op(&braces, "@artifact/"))
        .ends_with("pattern has 21 alternatives in '{}' groups, at most 20 are allowed"));
    let mut optional = op("@source/*.json", "@artifact/");
    optional.optional = true;
    assert_eq!(run(&s, vec![optional]).unwrap(), Vec::<String>::new());
}

#[test]
fn merge_deep_merges_yaml_into_an_existing_file() {
    let chart = tree(&[(
        "values.yaml",
        "image:\n  tag: 1.0\n  repo: app\nlist: [1, 2]\n",
    )]);
    let env = tree(&[(
        "values-prod.yaml",
        "image:\n  tag: 2.0\nlist: [3]\n---\nextra: true\n",
    )]);
    let mut merge = op("@env/values-prod.yaml", "@artifact/values.yaml");
    merge.strategy = Strategy::Merge;
    let got = run(
        &[("chart", chart.path()), ("env", env.path())],
        vec![op("@chart/values.yaml", "@artifact/"), merge],
    )
    .unwrap();
    let text = got[0].strip_prefix("values.yaml=").unwrap();
    let merged: Value = serde_norway::from_str(text).unwrap();
    assert_eq!(
        merged,
        json!({"extra": true, "image": {"repo": "app", "tag": 2.0}, "list": [3]})
    );
    // Without an existing destination, Merge copies.
    let mut fresh = op("@env/values-prod.yaml", "@artifact/v.yaml");
    fresh.strategy = Strategy::Merge;
    let got = run(&[("env", env.path())], vec![fresh]).unwrap();
    assert!(got[0].starts_with("v.yaml=image:"), "{got:?}");
}

fn tarball(path: &Path, files: &[(&str, &str)]) {
    let file = fs::File::create(path).unwrap();
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut builder = tar::Builder::new(gz);
    for (name, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, name, content.as_bytes())
            .unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap();
}

#[test]
fn extract_unpacks_tarballs_and_refuses_other_sources() {
    let src = tree(&[("charts/", ""), ("plain.yaml", "p")]);
    tarball(
        &src.path().join("charts/app-1.0.tgz"),
        &[("app/Chart.yaml", "name: app")],
    );
    tarball(
        &src.path().join("bundle.tar.gz"),
        &[("manifests/a.yaml", "a")],
    );
    let s = [("source", src.path())];
    let extract = |from: &str, to: &str| {
        let mut o = op(from, to);
        o.strategy = Strategy::Extract;
        o
    };
    assert_eq!(
        run(&s, vec![extract("@source/**/*.tgz", "@artifact/charts/")]).unwrap(),
        ["charts/", "charts/app/", "charts/app/Chart.yaml=name: app"]
    );
    assert_eq!(
        run(&s, vec![extract("@source/bundle.tar.gz", "@artifact/")]).unwrap(),
        ["manifests/", "manifests/a.yaml=a"]
    );
    let err = run(&s, vec![extract("@source/plain.yaml", "@artifact/")]).unwrap_err();
    assert!(
        err.ends_with("extract strategy requires tarball file (.tar.gz or .tgz), got 'plain.yaml'"),
        "{err}"
    );
    let err = run(&s, vec![extract("@source/charts", "@artifact/")]).unwrap_err();
    assert!(
        err.ends_with("extract strategy is not supported for directories, got 'charts'"),
        "{err}"
    );
    let linked = tree(&[]);
    let file = fs::File::create(linked.path().join("l.tgz")).unwrap();
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        file,
        flate2::Compression::default(),
    ));
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Symlink);
    header.set_size(0);
    builder
        .append_link(&mut header, "link", "/etc/passwd")
        .unwrap();
    builder.into_inner().unwrap().finish().unwrap();
    let err = run(
        &[("source", linked.path())],
        vec![extract("@source/l.tgz", "@artifact/")],
    )
    .unwrap_err();
    assert!(
        err.ends_with("tar file entry link is a symlink, which is not allowed in this context"),
        "{err}"
    );
    let evil = tree(&[]);
    tarball(&evil.path().join("evil.tgz"), &[("ok.yaml", "x")]);
    // Rewrite the entry name to climb out (the tar builder itself refuses `..`).
    let bytes = fs::read(evil.path().join("evil.tgz")).unwrap();
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut raw).unwrap();
    raw[..10].copy_from_slice(b"../x.yaml\0");
    let mut header = tar::Header::from_byte_slice(&raw[..512]).clone();
    header.set_cksum();
    raw[..512].copy_from_slice(header.as_bytes());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &raw).unwrap();
    fs::write(evil.path().join("evil.tgz"), gz.finish().unwrap()).unwrap();
    let err = run(
        &[("source", evil.path())],
        vec![extract("@source/evil.tgz", "@artifact/")],
    )
    .unwrap_err();
    assert!(
        err.ends_with("tar contained invalid name error \"../x.yaml\""),
        "{err}"
    );
}

fn generator(spec: Value) -> Result<GeneratorSpec, String> {
    GeneratorSpec::from_object(&json!({
        "apiVersion": "source.extensions.fluxcd.io/v1beta1",
        "kind": "ArtifactGenerator",
        "metadata": {"name": "gen", "namespace": "flux-system"},
        "spec": spec,
    }))
    .map_err(|e| e.to_string())
}

#[test]
fn the_spec_is_checked_as_the_api_server_and_the_controller_check_it() {
    let source = json!({"alias": "repo", "kind": "GitRepository", "name": "flux-system"});
    let copy = json!([{"from": "@repo/a/**", "to": "@artifact/"}]);
    let ok = generator(json!({"sources": [source], "artifacts": [{"name": "a", "copy": copy}]}))
        .unwrap();
    assert_eq!(ok.artifacts[0].copy[0].strategy, Strategy::Overwrite);
    let err = |spec: Value| generator(spec).unwrap_err();
    assert_eq!(
        err(json!({"sources": [{"alias": "Repo", "kind": "GitRepository", "name": "x"}], "artifacts": [{"name": "a", "copy": copy}]})),
        "ArtifactGenerator flux-system/gen: spec.sources[0].alias: Invalid value: \"Repo\": spec.sources[0].alias in body should match '^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$'"
    );
    assert_eq!(
        err(json!({"sources": [{"alias": "r", "kind": "HelmRepository", "name": "x"}], "artifacts": [{"name": "a", "copy": copy}]})),
        "ArtifactGenerator flux-system/gen: spec.sources[0].kind: Unsupported value: \"HelmRepository\": supported values: \"Bucket\", \"GitRepository\", \"OCIRepository\""
    );
    assert_eq!(
        err(json!({"sources": [], "artifacts": [{"name": "a", "copy": copy}]})),
        "ArtifactGenerator flux-system/gen: spec.sources: Invalid value: 0: spec.sources in body should have at least 1 items"
    );
    assert_eq!(
        err(json!({"sources": [source], "artifacts": [{"name": "a"}]})),
        "ArtifactGenerator flux-system/gen: spec.artifacts[0].copy: Required value"
    );
    assert_eq!(
        err(json!({"sources": [source], "artifacts": [{"name": "a", "copy": [{"from": "@repo/x", "to": "@artifact/", "strategy": "Append"}]}]})),
        "ArtifactGenerator flux-system/gen: spec.artifacts[0].copy[0].strategy: Unsupported value: \"Append\": supported values: \"Overwrite\", \"Merge\", \"Extract\""
    );
    assert_eq!(
        err(json!({"sources": [source], "artifacts": [{"name": "a", "copy": [{"from": "repo/x", "to": "@artifact/"}]}]})),
        "ArtifactGenerator flux-system/gen: spec.artifacts[0].copy[0].from: Invalid value: \"repo/x\": spec.artifacts[0].copy[0].from in body should match '^@([a-z0-9]([a-z0-9_-]*[a-z0-9])?)/(.*)$'"
    );
    assert_eq!(
        err(json!({"sources": [source, source], "artifacts": [{"name": "a", "copy": copy}]})),
        "ArtifactGenerator flux-system/gen: duplicate source alias 'repo' found"
    );
    assert_eq!(
        err(
            json!({"sources": [source], "artifacts": [{"name": "a", "copy": copy}, {"name": "a", "copy": copy}]})
        ),
        "ArtifactGenerator flux-system/gen: duplicate artifact name 'a' found"
    );
    assert_eq!(
        err(
            json!({"sources": [source], "artifacts": [{"name": "a", "revision": "@other", "copy": copy}]})
        ),
        "ArtifactGenerator flux-system/gen: artifact a revision source alias 'other' not found"
    );
}

#[test]
fn path_patterns_expand_one_artifact_set_per_matching_directory() {
    let src = tree(&[
        ("apps/Web/envs/prod/k.yaml", "w"),
        ("apps/api/envs/dev/k.yaml", "a"),
        ("apps/api/other/", ""),
    ]);
    let spec = generator(json!({
        "pathPattern": "@repo/apps/{app}/envs/{env}",
        "sources": [{"alias": "repo", "kind": "GitRepository", "name": "r"}],
        "artifacts": [{"name": "{app}-{env}", "copy": [{"from": "@repo/apps/{app}/envs/{env}/**", "to": "@artifact/", "optional": true}]}],
    }))
    .unwrap();
    let sources: HashMap<String, PathBuf> = [("repo".to_string(), src.path().to_path_buf())].into();
    let requests = spec.artifact_requests(&sources).unwrap();
    let names: Vec<&str> = requests.iter().map(|r| r.artifact.name.as_str()).collect();
    // Directories in byte order (`Web` before `api`), as filepath.WalkDir visits them.
    assert_eq!(names, ["web-prod", "api-dev"]);
    assert_eq!(
        requests[0].labels.get("app").map(String::as_str),
        Some("web")
    );
    // Copy paths keep the directory's own case; `optional` is not carried over, as upstream.
    assert_eq!(
        requests[0].artifact.copy[0].from,
        "@repo/apps/Web/envs/prod/**"
    );
    assert!(!requests[0].artifact.copy[0].optional);
    let out = tempfile::tempdir().unwrap();
    compose(&requests[0].artifact, &sources, out.path()).unwrap();
    assert_eq!(listing(out.path()), ["k.yaml=w"]);

    let bad = |pattern: &str, name: &str| {
        let spec = generator(json!({
            "pathPattern": pattern,
            "sources": [{"alias": "repo", "kind": "GitRepository", "name": "r"}],
            "artifacts": [{"name": name, "copy": [{"from": "@repo/x", "to": "@artifact/"}]}],
        }))
        .unwrap();
        spec.artifact_requests(&sources).unwrap_err().to_string()
    };
    assert_eq!(
        bad("apps/{app}", "{app}"),
        "ArtifactGenerator flux-system/gen: invalid pathPattern format: apps/{app}"
    );
    assert_eq!(bad("@repo/apps/{app", "{app}"), "ArtifactGenerator flux-system/gen: pathPattern \"@repo/apps/{app\": invalid capture starting at offset 5: missing closing brace");
    assert_eq!(bad("@repo/apps/{a}/{a}", "{a}"), "ArtifactGenerator flux-system/gen: pathPattern \"@repo/apps/{a}/{a}\": duplicate capture variable \"a\"");
    assert_eq!(bad("@other/apps/{app}", "{app}"), "ArtifactGenerator flux-system/gen: pathPattern \"@other/apps/{app}\": source alias other not found in local sources");
    assert_eq!(bad("@repo/apps/{app}/envs/{env}", "x"), "ArtifactGenerator flux-system/gen: pathPattern \"@repo/apps/{app}/envs/{env}\": directories \"apps/Web/envs/prod\" and \"apps/api/envs/dev\" both resolve to artifact name \"x\"");
    assert!(bad("@repo/apps/{app}", "{nope}")
        .contains("capture variable \"nope\" is not defined by pathPattern"));
}

#[test]
fn the_artifact_leaves_out_what_the_archive_ignores() {
    let src = tree(&[
        ("app/k.yaml", "k"),
        ("app/.github/workflows/ci.yaml", "ci"),
        ("app/img/logo.png", "png"),
        ("app/chart.tar.gz", "tgz"),
        ("app/.gitignore", "x"),
    ]);
    let sources: HashMap<String, PathBuf> = [("s".to_string(), src.path().to_path_buf())].into();
    let spec = artifact(vec![op("@s/app/**", "@artifact/")]);
    let out = tempfile::tempdir().unwrap();
    stage(&spec, &sources, out.path()).unwrap();
    assert!(out.path().join("img/logo.png").is_file());
    let out = tempfile::tempdir().unwrap();
    compose(&spec, &sources, out.path()).unwrap();
    assert_eq!(listing(out.path()), ["img/", "k.yaml=k"]);
}

#[test]
fn the_fleet_sample_generator_composes_the_shop_tree() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fleet-sample/tree");
    let object: Value = serde_norway::from_str(
        &fs::read_to_string(root.join("clusters/us-east/artifacts.yaml")).unwrap(),
    )
    .unwrap();
    let spec = GeneratorSpec::from_object(&object).unwrap();
    assert_eq!(spec.sources[0].alias, "repo");
    // The repository as a copy with a README the generator excludes.
    let repo = tempfile::tempdir().unwrap();
    let copy_tree = |from: &Path, to: &Path| {
        for entry in walk_files(from) {
            let rel = entry.strip_prefix(from).unwrap();
            fs::create_dir_all(to.join(rel).parent().unwrap()).unwrap();
            fs::copy(&entry, to.join(rel)).unwrap();
        }
    };
    copy_tree(&root.join("shop"), &repo.path().join("shop"));
    fs::write(repo.path().join("shop/README.md"), "docs").unwrap();
    fs::write(repo.path().join("shop/base/NOTES.md"), "notes").unwrap();
    // Not excluded by the generator, but never in the stored artifact.
    fs::write(
        repo.path().join("shop/base/.sops.yaml"),
        "creation_rules: []",
    )
    .unwrap();
    fs::write(repo.path().join("shop/logo.png"), "png").unwrap();
    let sources: HashMap<String, PathBuf> =
        [("repo".to_string(), repo.path().to_path_buf())].into();
    let requests = spec.artifact_requests(&sources).unwrap();
    assert_eq!(requests.len(), 1);
    let out = tempfile::tempdir().unwrap();
    compose(&requests[0].artifact, &sources, out.path()).unwrap();
    let files: Vec<String> = listing(out.path())
        .into_iter()
        .map(|l| l.split('=').next().unwrap().to_string())
        .collect();
    assert_eq!(
        files,
        [
            "base/",
            "base/kustomization.yaml",
            "base/source.yaml",
            "base/trust/",
            "base/trust/ca.crt",
            "base/trust/trustpolicy.json",
            "eu-west/",
            "eu-west/kustomization.yaml",
            "eu-west/pin.yaml",
            "us-east/",
            "us-east/kustomization.yaml",
        ]
    );
    // The Kustomization's `path: ./us-east` is there, with what it refers to.
    assert_eq!(
        fs::read_to_string(out.path().join("base/source.yaml")).unwrap(),
        fs::read_to_string(root.join("shop/base/source.yaml")).unwrap()
    );
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk_files(&path));
        } else {
            out.push(path);
        }
    }
    out
}
