//! Where a built object came from, as kustomize's build metadata says (`buildMetadata:
//! [originAnnotations, transformerAnnotations]`, asked for by [`super::generate`]): the file of
//! its document, or the generator that made it, and the kustomizations whose patches changed
//! it. The annotations are taken off the object here, so nothing downstream sees them.

use serde_json::Value;

/// kustomize's origin annotation.
const ORIGIN: &str = "config.kubernetes.io/origin";
/// kustomize's transformer annotation.
const TRANSFORMATIONS: &str = "alpha.config.kubernetes.io/transformations";

/// Where a built object's document came from. Paths are relative to the directory that was
/// built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A document of this file.
    File(String),
    /// Made by a generator (`SecretGenerator`, `ConfigMapGenerator`, ...) configured in this
    /// kustomization file.
    Generator {
        /// `SecretGenerator`, ...
        kind: String,
        /// The kustomization file.
        configured_in: String,
    },
    /// A remote base.
    Remote(String),
    /// kustomize did not say.
    Unknown,
}

/// What the annotations said of one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// Its origin.
    pub origin: Origin,
    /// The kustomization files whose patch transformers changed it, in order.
    pub patched_in: Vec<String>,
}

/// Cuts kustomize's output into its documents' texts (kustomize separates them with `---`
/// lines of their own).
pub fn split_documents(output: &str) -> Vec<String> {
    let mut documents = Vec::new();
    let mut current = String::new();
    for line in output.split_inclusive('\n') {
        if line.trim_end() == "---" {
            if !current.trim().is_empty() {
                documents.push(std::mem::take(&mut current));
            }
            current.clear();
            continue;
        }
        current.push_str(line);
    }
    if !current.trim().is_empty() {
        documents.push(current);
    }
    documents
}

fn annotation_text(value: &str) -> Value {
    crate::limits::yaml(value).unwrap_or(Value::Null)
}

/// Takes kustomize's build annotations off `object` and reads them.
pub fn take_provenance(object: &mut Value) -> Provenance {
    let mut provenance = Provenance {
        origin: Origin::Unknown,
        patched_in: Vec::new(),
    };
    let Some(annotations) = object
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
        .and_then(Value::as_object_mut)
    else {
        return provenance;
    };
    if let Some(Value::String(text)) = annotations.remove(ORIGIN) {
        let origin = annotation_text(&text);
        let str_of = |key: &str| origin.get(key).and_then(Value::as_str).map(str::to_owned);
        provenance.origin = if let Some(repo) = str_of("repo") {
            Origin::Remote(match str_of("path") {
                Some(path) => format!("{repo}//{path}"),
                None => repo,
            })
        } else if let Some(path) = str_of("path") {
            Origin::File(path)
        } else if let (Some(configured_in), Some(kind)) = (
            str_of("configuredIn"),
            origin
                .get("configuredBy")
                .and_then(|b| b.get("kind"))
                .and_then(Value::as_str),
        ) {
            Origin::Generator {
                kind: kind.to_owned(),
                configured_in,
            }
        } else {
            Origin::Unknown
        };
    }
    if let Some(Value::String(text)) = annotations.remove(TRANSFORMATIONS) {
        if let Value::Array(steps) = annotation_text(&text) {
            for step in steps {
                let kind = step
                    .get("configuredBy")
                    .and_then(|b| b.get("kind"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if !kind.starts_with("Patch") {
                    continue;
                }
                if let Some(file) = step.get("configuredIn").and_then(Value::as_str) {
                    if !provenance.patched_in.iter().any(|f| f == file) {
                        provenance.patched_in.push(file.to_owned());
                    }
                }
            }
        }
    }
    if annotations.is_empty() {
        if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            metadata.remove("annotations");
        }
    }
    provenance
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_and_annotations() {
        let output = "apiVersion: v1\nkind: Secret\nmetadata:\n  annotations:\n    config.kubernetes.io/origin: |\n      configuredIn: ../base/kustomization.yaml\n      configuredBy:\n        apiVersion: builtin\n        kind: SecretGenerator\n  name: s-abc\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    keep: me\n    alpha.config.kubernetes.io/transformations: |\n      - configuredIn: kustomization.yaml\n        configuredBy:\n          apiVersion: builtin\n          kind: PatchTransformer\n      - configuredIn: ../base/kustomization.yaml\n        configuredBy:\n          kind: NamespaceTransformer\n    config.kubernetes.io/origin: |\n      path: ../base/cm.yaml\n  name: c\n";
        let docs = split_documents(output);
        assert_eq!(docs.len(), 2);
        let mut secret: Value = serde_norway::from_str(&docs[0]).unwrap();
        let p = take_provenance(&mut secret);
        assert_eq!(
            p.origin,
            Origin::Generator {
                kind: "SecretGenerator".into(),
                configured_in: "../base/kustomization.yaml".into()
            }
        );
        assert!(secret["metadata"].get("annotations").is_none());
        let mut cm: Value = serde_norway::from_str(&docs[1]).unwrap();
        let p = take_provenance(&mut cm);
        assert_eq!(p.origin, Origin::File("../base/cm.yaml".into()));
        assert_eq!(p.patched_in, vec!["kustomization.yaml".to_owned()]);
        assert_eq!(
            cm["metadata"]["annotations"],
            serde_json::json!({"keep": "me"})
        );
    }
}
