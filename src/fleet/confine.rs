//! kustomize-controller builds on a file system rooted at the artifact (`fluxcd/pkg/kustomize`
//! `filesys.MakeFsOnDiskSecure`): with load restrictions off, a kustomization may name files in
//! other directories, but never outside the artifact. The kustomize binary has no such file
//! system, so before a build every local path the kustomizations reachable from the build
//! directory name is checked here to stay inside the work copy: a scan of an untrusted pull
//! request must not read the machine's files (nor does Flux).

use super::repo::normalize;
use crate::gitops::kustomize::KUSTOMIZATION_FILES;
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// A path that leaves the root.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("fs-security-constraint read {path}: path '{path}' (in {kustomization}) is not in or below the repository root")]
pub struct Escape {
    /// The kustomization file naming it, as the user knows it.
    pub kustomization: String,
    /// The path as written.
    pub path: String,
}

/// kustomize's remote forms (`IsLocalRelativePath`'s list, and URLs).
fn is_remote(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    path.contains("://")
        || ["git::", "gh:", "git@", "github.com/", "github.com:"]
            .iter()
            .any(|p| lower.starts_with(p))
}

/// The local paths a kustomization file names, and whether each may be a directory holding
/// another kustomization.
fn named_paths(k: &Value) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    for key in ["resources", "bases", "components"] {
        out.extend(strings(k.get(key)).into_iter().map(|p| (p, true)));
    }
    for key in [
        "crds",
        "configurations",
        "generators",
        "transformers",
        "validators",
    ] {
        out.extend(strings(k.get(key)).into_iter().map(|p| (p, false)));
    }
    for p in strings(k.get("patchesStrategicMerge")) {
        if !p.contains('\n') {
            out.push((p, false));
        }
    }
    for key in ["patches", "patchesJson6902", "replacements"] {
        for item in k.get(key).and_then(Value::as_array).into_iter().flatten() {
            if let Some(p) = item.get("path").and_then(Value::as_str) {
                out.push((p.to_owned(), false));
            }
        }
    }
    if let Some(p) = k
        .get("openapi")
        .and_then(|o| o.get("path"))
        .and_then(Value::as_str)
    {
        out.push((p.to_owned(), false));
    }
    for key in ["secretGenerator", "configMapGenerator"] {
        for generator in k.get(key).and_then(Value::as_array).into_iter().flatten() {
            for file in strings(generator.get("files")) {
                // `key=path` or `path`
                let path = file.split_once('=').map_or(file.as_str(), |(_, p)| p);
                out.push((path.to_owned(), false));
            }
            out.extend(
                strings(generator.get("envs"))
                    .into_iter()
                    .map(|p| (p, false)),
            );
            if let Some(env) = generator.get("env").and_then(Value::as_str) {
                out.push((env.to_owned(), false));
            }
        }
    }
    out
}

/// Checks the kustomization in `dir` and every local one it reaches; `describe` names a path
/// as the user knows it.
pub fn check(dir: &Path, root: &Path, describe: &dyn Fn(&Path) -> String) -> Result<(), Escape> {
    let mut seen = HashSet::new();
    let mut pending: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        if !seen.insert(dir.clone()) {
            continue;
        }
        let Some(file) = KUSTOMIZATION_FILES
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file())
        else {
            continue;
        };
        let Ok(text) = crate::limits::read_text(&file) else {
            continue;
        };
        // A kustomization that does not parse fails in kustomize itself, with its words.
        let Ok(k) = crate::limits::yaml::<Value>(&text) else {
            continue;
        };
        for (path, may_be_dir) in named_paths(&k) {
            if is_remote(&path) {
                continue;
            }
            let resolved = normalize(&dir.join(&path));
            let inside = resolved.as_ref().is_some_and(|r| r.starts_with(root));
            if !inside {
                return Err(Escape {
                    kustomization: describe(&file),
                    path,
                });
            }
            if let Some(r) = resolved.filter(|r| may_be_dir && r.is_dir()) {
                pending.push(r);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_outside_the_root_are_refused_and_inside_ones_followed() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("repo");
        std::fs::create_dir_all(root.join("apps/base")).unwrap();
        std::fs::create_dir_all(root.join("apps/prod")).unwrap();
        std::fs::write(
            root.join("apps/prod/kustomization.yaml"),
            "resources: [../base, https://example.com/x]\n",
        )
        .unwrap();
        std::fs::write(
            root.join("apps/base/kustomization.yaml"),
            "secretGenerator:\n  - name: s\n    files:\n      - k=../../../../etc/passwd\n",
        )
        .unwrap();
        let describe = |p: &Path| p.strip_prefix(&root).unwrap().display().to_string();
        let e = check(&root.join("apps/prod"), &root, &describe).unwrap_err();
        assert_eq!(e.kustomization, "apps/base/kustomization.yaml");
        assert_eq!(e.path, "../../../../etc/passwd");
        std::fs::write(
            root.join("apps/base/kustomization.yaml"),
            "resources: [cm.yaml]\n",
        )
        .unwrap();
        check(&root.join("apps/prod"), &root, &describe).unwrap();
    }
}
