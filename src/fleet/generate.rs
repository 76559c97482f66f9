//! The kustomization kustomize-controller builds for a Flux Kustomization (`fluxcd/pkg/kustomize`
//! `Generator`): the path's own kustomization file, or one generated when the path has none,
//! with the Kustomization's `targetNamespace`, `namePrefix`, `nameSuffix`, `patches`,
//! `patchesStrategicMerge`, `patchesJson6902`, `images` and `components` laid over it.
//!
//! Written into the work copy only (never the user's tree), and restored after the build as the
//! controller's `CleanDirectory` does, because other Kustomizations may build the same
//! directory as a base. One addition of our own: `buildMetadata` asks kustomize for origin and
//! transformer annotations, so that every built object can be traced back to its file and to
//! the patches that changed it (the annotations are stripped before anything else reads the
//! objects).

use crate::gitops::documents::parse_yaml_stream;
use crate::gitops::kustomize::KUSTOMIZATION_FILES;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Why the kustomization could not be prepared (the Flux Kustomization's build fails).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    /// A file the generated kustomization would list is not Kubernetes YAML (Flux's words).
    #[error("failed to decode Kubernetes YAML from {file}: {detail} <nil>")]
    NotKubernetes {
        /// The file, relative to the repository root.
        file: String,
        /// What is wrong.
        detail: String,
    },
    /// The existing kustomization file does not parse.
    #[error("{file}: {detail}")]
    Kustomization {
        /// The file, relative to the repository root.
        file: String,
        /// The parser's message.
        detail: String,
    },
    /// A field of the Flux Kustomization's spec cannot be used.
    #[error("{0}")]
    Spec(String),
    /// The work copy could not be written.
    #[error("cannot write {file}: {detail}")]
    Io {
        /// The file.
        file: String,
        /// The OS error.
        detail: String,
    },
}

/// Puts the kustomization file back as it was when dropped.
#[derive(Debug)]
pub struct Restore {
    file: PathBuf,
    original: Option<Vec<u8>>,
}

impl Drop for Restore {
    fn drop(&mut self) {
        // Best effort: the work copy is thrown away at the end of the scan anyway.
        let _ = match &self.original {
            Some(bytes) => std::fs::write(&self.file, bytes),
            None => std::fs::remove_file(&self.file),
        };
    }
}

/// The annotations asked for by [`prepare`], which [`super::origin`] reads and strips.
pub const BUILD_METADATA: [&str; 2] = ["originAnnotations", "transformerAnnotations"];

/// Is this a local relative path (`fluxcd/pkg/kustomize.IsLocalRelativePath`: not one of
/// kustomize's remote forms, not absolute, also after a `file://` prefix)?
fn is_local_relative(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let remote = [
        "git::",
        "gh:",
        "ssh://",
        "https://",
        "http://",
        "git@",
        "github.com:",
        "github.com/",
    ]
    .iter()
    .any(|p| p.len() < path.len() && lower.starts_with(p));
    !remote
        && !Path::new(path).is_absolute()
        && !Path::new(lower.trim_start_matches("file://")).is_absolute()
}

/// The files and directories of a generated kustomization: every `*.yaml`/`*.yml` below `dir`
/// (lexical order, as Go's `filepath.Walk`), a sub-directory holding a kustomization file as
/// one resource and not descended into.
fn scan_resources(
    dir: &Path,
    base: &Path,
    relative: &dyn Fn(&Path) -> String,
    out: &mut Vec<String>,
) -> Result<(), GenerateError> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| GenerateError::Io {
            file: relative(dir),
            detail: e.to_string(),
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let rel = path
            .strip_prefix(base)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        if path.is_dir() {
            if KUSTOMIZATION_FILES.iter().any(|k| path.join(k).is_file()) {
                out.push(format!("./{rel}"));
            } else {
                scan_resources(&path, base, relative, out)?;
            }
            continue;
        }
        if !path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            continue;
        }
        let text = crate::limits::read_file(&path).map_err(|e| GenerateError::Io {
            file: relative(&path),
            detail: e.detail(),
        })?;
        let not_kubernetes = |detail: String| GenerateError::NotKubernetes {
            file: relative(&path),
            detail,
        };
        let text = String::from_utf8(text).map_err(|_| not_kubernetes("not UTF-8 text".into()))?;
        let documents = parse_yaml_stream(&text)
            .map_err(|e| not_kubernetes(format!("MalformedYAMLError: yaml: {e}")))?;
        for document in documents {
            match &document.value {
                Value::Null => {}
                Value::Object(map) if map.contains_key("kind") && map.contains_key("metadata") => {}
                Value::Object(map) if map.get("kind").and_then(Value::as_str) == Some("List") => {}
                _ => return Err(not_kubernetes("missing Resource metadata".into())),
            }
        }
        out.push(format!("./{rel}"));
    }
    Ok(())
}

fn push_all(kustomization: &mut Map<String, Value>, key: &str, items: Vec<Value>) {
    if items.is_empty() {
        return;
    }
    let entry = kustomization
        .entry(key.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()));
    if !entry.is_array() {
        *entry = Value::Array(Vec::new());
    }
    if let Value::Array(list) = entry {
        list.extend(items);
    }
}

fn spec_list(spec: &Value, key: &str) -> Result<Vec<Value>, GenerateError> {
    match spec.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items.clone()),
        Some(_) => Err(GenerateError::Spec(format!("spec.{key}: must be a list"))),
    }
}

/// Writes the kustomization for `dir` (inside the work copy) as kustomize-controller would,
/// from the Flux Kustomization's `spec`. `relative` names work-copy paths as the user knows
/// them (relative to the repository root).
pub fn prepare(
    dir: &Path,
    spec: &Value,
    relative: &dyn Fn(&Path) -> String,
) -> Result<Restore, GenerateError> {
    let existing = KUSTOMIZATION_FILES
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file());
    let (file, original, mut kustomization) = match existing {
        Some(file) => {
            let bytes = crate::limits::read_file(&file).map_err(|e| GenerateError::Io {
                file: relative(&file),
                detail: e.detail(),
            })?;
            let text = String::from_utf8_lossy(&bytes);
            let value: Value = if text.trim().is_empty() {
                Value::Object(Map::new())
            } else {
                crate::limits::yaml(&text).map_err(|e| GenerateError::Kustomization {
                    file: relative(&file),
                    detail: e.to_string(),
                })?
            };
            let Value::Object(map) = value else {
                return Err(GenerateError::Kustomization {
                    file: relative(&file),
                    detail: "not a mapping".into(),
                });
            };
            (file, Some(bytes), map)
        }
        None => {
            let mut resources = Vec::new();
            scan_resources(dir, dir, relative, &mut resources)?;
            let mut map = Map::new();
            map.insert(
                "apiVersion".into(),
                Value::String("kustomize.config.k8s.io/v1beta1".into()),
            );
            map.insert("kind".into(), Value::String("Kustomization".into()));
            if resources.is_empty() {
                // As the controller does: kustomize refuses an empty kustomization.
                map.insert("namespace".into(), Value::String("_placeholder".into()));
            } else {
                map.insert(
                    "resources".into(),
                    Value::Array(resources.into_iter().map(Value::String).collect()),
                );
            }
            (dir.join("kustomization.yaml"), None, map)
        }
    };
    for (field, key) in [
        ("targetNamespace", "namespace"),
        ("namePrefix", "namePrefix"),
        ("nameSuffix", "nameSuffix"),
    ] {
        match spec.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(v)) => {
                kustomization.insert(key.into(), Value::String(v.clone()));
            }
            Some(_) => {
                return Err(GenerateError::Spec(format!(
                    "spec.{field}: must be a string"
                )))
            }
        }
    }
    push_all(&mut kustomization, "patches", spec_list(spec, "patches")?);
    let ignore_missing = spec
        .get("ignoreMissingComponents")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut components = Vec::new();
    for component in spec_list(spec, "components")? {
        let Some(path) = component.as_str() else {
            return Err(GenerateError::Spec(
                "spec.components: must be a list of paths".into(),
            ));
        };
        if !is_local_relative(path) {
            return Err(GenerateError::Spec(format!(
                "component path '{path}' must be local and relative"
            )));
        }
        if ignore_missing && !dir.join(path).exists() {
            continue;
        }
        components.push(component);
    }
    push_all(&mut kustomization, "components", components);
    push_all(
        &mut kustomization,
        "patchesStrategicMerge",
        spec_list(spec, "patchesStrategicMerge")?,
    );
    let json6902 = spec_list(spec, "patchesJson6902")?
        .into_iter()
        .map(|p| {
            // The controller hands kustomize the operations as a JSON string.
            let mut p = p;
            if let Some(ops) = p.get_mut("patch").filter(|o| !o.is_string()) {
                *ops = Value::String(ops.to_string());
            }
            p
        })
        .collect();
    push_all(&mut kustomization, "patchesJson6902", json6902);
    let images = spec_list(spec, "images")?;
    if !images.is_empty() {
        let list = kustomization
            .entry("images".to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = list {
            for image in images {
                // Same name: the Kustomization's entry replaces the file's.
                let name = image.get("name").cloned();
                match list.iter_mut().find(|i| i.get("name") == name.as_ref()) {
                    Some(slot) => *slot = image,
                    None => list.push(image),
                }
            }
        }
    }
    kustomization.insert(
        "buildMetadata".into(),
        Value::Array(
            BUILD_METADATA
                .iter()
                .map(|m| Value::String((*m).to_owned()))
                .collect(),
        ),
    );
    let text =
        serde_norway::to_string(&Value::Object(kustomization)).map_err(|e| GenerateError::Io {
            file: relative(&file),
            detail: e.to_string(),
        })?;
    let restore = Restore {
        file: file.clone(),
        original,
    };
    std::fs::write(&file, text).map_err(|e| GenerateError::Io {
        file: relative(&file),
        detail: e.to_string(),
    })?;
    Ok(restore)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn rel(p: &Path) -> String {
        p.display().to_string()
    }

    #[test]
    fn generated_lists_files_and_kustomize_dirs_and_is_removed_after() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        );
        write(
            d.path(),
            "sub/b.yml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
        );
        write(d.path(), "base/kustomization.yaml", "resources: []\n");
        write(d.path(), "base/ignored.yaml", "not: kubernetes\n");
        write(d.path(), "notes.txt", "x");
        {
            let _restore =
                prepare(d.path(), &serde_json::json!({"targetNamespace": "t"}), &rel).unwrap();
            let k: Value = serde_norway::from_str(
                &std::fs::read_to_string(d.path().join("kustomization.yaml")).unwrap(),
            )
            .unwrap();
            assert_eq!(
                k["resources"],
                serde_json::json!(["./a.yaml", "./base", "./sub/b.yml"])
            );
            assert_eq!(k["namespace"], "t");
            assert_eq!(k["buildMetadata"][0], "originAnnotations");
        }
        assert!(!d.path().join("kustomization.yaml").exists());
    }

    #[test]
    fn a_file_that_is_not_kubernetes_fails_as_in_flux() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "sops.yaml", "creation_rules: []\n");
        let e = prepare(d.path(), &Value::Null, &|p: &Path| {
            p.file_name().unwrap().to_string_lossy().into_owned()
        })
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "failed to decode Kubernetes YAML from sops.yaml: missing Resource metadata <nil>"
        );
    }

    #[test]
    fn an_existing_file_gets_the_spec_and_is_restored() {
        let d = tempfile::tempdir().unwrap();
        let original = "resources:\n  - a.yaml\nimages:\n  - {name: app, newTag: '1'}\n";
        write(d.path(), "kustomization.yml", original);
        {
            let _restore = prepare(
                d.path(),
                &serde_json::json!({
                    "namePrefix": "p-",
                    "patches": [{"patch": "x", "target": {"kind": "A"}}],
                    "images": [{"name": "app", "newTag": "2"}],
                    "components": ["https://example.com/c"],
                }),
                &rel,
            )
            .map(|_| ())
            .unwrap_err();
        }
        assert_eq!(
            std::fs::read_to_string(d.path().join("kustomization.yml")).unwrap(),
            original
        );
        {
            let _restore = prepare(
                d.path(),
                &serde_json::json!({
                    "namePrefix": "p-",
                    "patches": [{"patch": "x", "target": {"kind": "A"}}],
                    "images": [{"name": "app", "newTag": "2"}],
                }),
                &rel,
            )
            .unwrap();
            let k: Value = serde_norway::from_str(
                &std::fs::read_to_string(d.path().join("kustomization.yml")).unwrap(),
            )
            .unwrap();
            assert_eq!(k["namePrefix"], "p-");
            assert_eq!(
                k["images"],
                serde_json::json!([{"name": "app", "newTag": "2"}])
            );
            assert_eq!(k["patches"][0]["target"]["kind"], "A");
        }
        assert_eq!(
            std::fs::read_to_string(d.path().join("kustomization.yml")).unwrap(),
            original
        );
    }
}
