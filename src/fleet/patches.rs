//! Which patch files changed a built object. kustomize's transformer annotation names only the
//! kustomization file whose patches ran; the patches listed there are matched against the
//! object here (a strategic-merge patch by its kind and name, any patch by its `target`).

use crate::gitops::documents::parse_yaml_stream;
use serde_json::Value;
use std::path::Path;

fn str_at<'v>(value: &'v Value, path: &[&str]) -> Option<&'v str> {
    let mut v = value;
    for key in path {
        v = v.get(key)?;
    }
    v.as_str()
}

/// Does a patch `target` select `kind`/`name`? kustomize reads `name` as a regular
/// expression matched against the whole name.
pub fn target_selects(target: &Value, kind: &str, name: &str) -> bool {
    let kind_ok = str_at(target, &["kind"]).is_none_or(|k| k == kind);
    let name_ok = str_at(target, &["name"]).is_none_or(|n| {
        regex::Regex::new(&format!("^(?:{n})$")).map_or(n == name, |r| r.is_match(name))
    });
    kind_ok && name_ok
}

/// Do the documents of a patch name `kind`/`name`?
fn documents_select(text: &str, kind: &str, name: &str) -> bool {
    parse_yaml_stream(text).is_ok_and(|documents| {
        documents.iter().any(|d| {
            str_at(&d.value, &["kind"]) == Some(kind)
                && str_at(&d.value, &["metadata", "name"])
                    .is_some_and(|n| n == name || name.contains(n))
        })
    })
}

/// Do the Flux Kustomization's own `spec.patches` select `kind`/`name` (by `target`, or by the
/// patch document's kind and name)?
pub fn spec_patches_select(spec: &Value, kind: &str, name: &str) -> bool {
    spec.get("patches")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|p| match p.get("target") {
            Some(t) => target_selects(t, kind, name),
            None => str_at(p, &["patch"]).is_some_and(|t| documents_select(t, kind, name)),
        })
}

/// The patches of the kustomization file `kustomization` that select `kind`/`name`, named by
/// `describe` (an inline patch by the kustomization file itself); none when no patch there
/// selects it.
pub fn patch_files(
    kustomization: &Path,
    kind: &str,
    name: &str,
    describe: &dyn Fn(&Path) -> String,
) -> Vec<String> {
    let dir = kustomization.parent().unwrap_or(Path::new("."));
    let Ok(text) = crate::limits::read_text(kustomization) else {
        return Vec::new();
    };
    let Ok(k) = crate::limits::yaml::<Value>(&text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut push = |entry: String| {
        if !out.contains(&entry) {
            out.push(entry);
        }
    };
    let mut selected = |patch_path: Option<&str>, inline: Option<&str>, target: Option<&Value>| {
        let text = match (patch_path, inline) {
            (Some(p), _) => crate::limits::read_text(&dir.join(p)).ok(),
            (None, Some(i)) => Some(i.to_owned()),
            (None, None) => None,
        };
        let hit = match target {
            Some(t) => target_selects(t, kind, name),
            None => text
                .as_deref()
                .is_some_and(|t| documents_select(t, kind, name)),
        };
        if hit {
            push(match patch_path {
                Some(p) => describe(&dir.join(p)),
                None => describe(kustomization),
            });
        }
    };
    let entries = |key: &str| k.get(key).and_then(Value::as_array).into_iter().flatten();
    // In kustomize's order: `patches`, `patchesStrategicMerge`, `patchesJson6902`.
    for (path, inline, target) in entries("patches").map(patch_fields) {
        selected(path, inline, target);
    }
    for patch in entries("patchesStrategicMerge") {
        match patch.as_str() {
            // An entry is a file name, or a patch written inline.
            Some(p) if !p.contains('\n') && dir.join(p).is_file() => selected(Some(p), None, None),
            Some(inline) => selected(None, Some(inline), None),
            None => {}
        }
    }
    for (path, inline, target) in entries("patchesJson6902").map(patch_fields) {
        selected(path, inline, target);
    }
    // kustomize marks every object a patch transformer ran over, matched or not: an object
    // no patch selects was not changed.
    out
}

/// A `patches` or `patchesJson6902` entry: its file, its inline patch, its target.
fn patch_fields(patch: &Value) -> (Option<&str>, Option<&str>, Option<&Value>) {
    (
        str_at(patch, &["path"]),
        str_at(patch, &["patch"]),
        patch.get("target"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_are_matched_to_the_object() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join("kustomization.yaml"),
            "resources: [../base]\npatches:\n  - path: pin.yaml\n  - path: other.yaml\n  - path: ops.yaml\n    target: {kind: OCIRepository, name: 'sh.*'}\n",
        )
        .unwrap();
        std::fs::write(
            d.path().join("pin.yaml"),
            "apiVersion: v1\nkind: OCIRepository\nmetadata: {name: shop}\n",
        )
        .unwrap();
        std::fs::write(
            d.path().join("other.yaml"),
            "apiVersion: v1\nkind: OCIRepository\nmetadata: {name: web}\n",
        )
        .unwrap();
        std::fs::write(
            d.path().join("ops.yaml"),
            "- op: replace\n  path: /spec/url\n  value: x\n",
        )
        .unwrap();
        let describe = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            patch_files(
                &d.path().join("kustomization.yaml"),
                "OCIRepository",
                "shop",
                &describe
            ),
            vec!["pin.yaml".to_owned(), "ops.yaml".to_owned()]
        );
        assert_eq!(
            patch_files(
                &d.path().join("kustomization.yaml"),
                "HelmRelease",
                "shop",
                &describe
            ),
            Vec::<String>::new()
        );
    }
}
