//! The parts of a Flux `Kustomization` (`kustomize.toolkit.fluxcd.io`) the build reads: where
//! its manifests come from (`sourceRef`, `path`), what the controller changes in the
//! kustomization it builds (`targetNamespace`, `namePrefix`, `nameSuffix`, `patches`,
//! `images`, `components`, `commonMetadata`), and `postBuild`.

use super::envsubst::postbuild::PostBuild;
use crate::gitops::Object;
use serde_json::Value;

/// The API group of Flux Kustomizations.
pub const KUSTOMIZE_TOOLKIT: &str = "kustomize.toolkit.fluxcd.io/";

/// `Kind/namespace/name` of a Flux object another one refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef {
    /// `kind`.
    pub kind: String,
    /// `namespace` (the referrer's when the reference leaves it out).
    pub namespace: String,
    /// `name`.
    pub name: String,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
    }
}

impl ObjectRef {
    /// Parses `Kind/namespace/name` (`--source`).
    pub fn parse(text: &str) -> Option<ObjectRef> {
        let mut parts = text.splitn(3, '/');
        let (kind, namespace, name) = (parts.next()?, parts.next()?, parts.next()?);
        (!kind.is_empty() && !namespace.is_empty() && !name.is_empty() && !name.contains('/')).then(
            || ObjectRef {
                kind: kind.to_owned(),
                namespace: namespace.to_owned(),
                name: name.to_owned(),
            },
        )
    }
}

/// A Flux Kustomization of the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct FluxKustomization {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `spec.path` as written (`./` when absent).
    pub path: String,
    /// `spec.sourceRef`.
    pub source: ObjectRef,
    /// `spec.postBuild`, when set.
    pub post_build: Option<PostBuild>,
    /// `spec.commonMetadata` labels and annotations.
    pub common_metadata: Option<Value>,
    /// The whole `spec`: the generated kustomization reads its fields.
    pub spec: Value,
    /// Where it was found (relative to the repository root).
    pub file: String,
    /// Its line.
    pub line: usize,
}

/// Why a Flux Kustomization cannot be followed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Kustomization {namespace}/{name} ({file}:{line}): {detail}")]
pub struct SpecError {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its file.
    pub file: String,
    /// Its line.
    pub line: usize,
    /// What is wrong, naming the field.
    pub detail: String,
}

/// Is this object a Flux Kustomization?
pub fn is_flux_kustomization(object: &Object) -> bool {
    object.kind == "Kustomization" && object.api_version.starts_with(KUSTOMIZE_TOOLKIT)
}

fn string_at<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

impl FluxKustomization {
    /// `namespace/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// Reads a Flux Kustomization object.
    pub fn from_object(object: &Object) -> Result<FluxKustomization, SpecError> {
        let fail = |detail: String| SpecError {
            namespace: object.namespace.clone(),
            name: object.name.clone(),
            file: object.file.clone(),
            line: object.line,
            detail,
        };
        let spec = object.value.get("spec").cloned().unwrap_or(Value::Null);
        if !spec.is_object() {
            return Err(fail("spec: must be a mapping".into()));
        }
        let path = match spec.get("path") {
            None | Some(Value::Null) => "./".to_owned(),
            Some(Value::String(p)) => p.clone(),
            Some(_) => return Err(fail("spec.path: must be a string".into())),
        };
        let source = spec
            .get("sourceRef")
            .filter(|s| s.is_object())
            .ok_or_else(|| fail("spec.sourceRef: required".into()))?;
        let kind = string_at(source, "kind")
            .filter(|k| !k.is_empty())
            .ok_or_else(|| fail("spec.sourceRef.kind: required".into()))?;
        let name = string_at(source, "name")
            .filter(|k| !k.is_empty())
            .ok_or_else(|| fail("spec.sourceRef.name: required".into()))?;
        let source = ObjectRef {
            kind: kind.to_owned(),
            namespace: string_at(source, "namespace")
                .filter(|n| !n.is_empty())
                .unwrap_or(&object.namespace)
                .to_owned(),
            name: name.to_owned(),
        };
        let post_build =
            PostBuild::from_kustomization(&object.value).map_err(|e| fail(e.to_string()))?;
        Ok(FluxKustomization {
            namespace: object.namespace.clone(),
            name: object.name.clone(),
            path,
            source,
            post_build,
            common_metadata: spec.get("commonMetadata").cloned(),
            spec,
            file: object.file.clone(),
            line: object.line,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(yaml: &str) -> Object {
        let value: Value = serde_norway::from_str(yaml).unwrap();
        Object {
            api_version: value["apiVersion"].as_str().unwrap().to_owned(),
            kind: value["kind"].as_str().unwrap().to_owned(),
            name: value["metadata"]["name"].as_str().unwrap().to_owned(),
            namespace: value["metadata"]["namespace"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
            file: "clusters/a/apps.yaml".into(),
            line: 1,
            value,
            applied_by: None,
            patched_by: Vec::new(),
        }
    }

    #[test]
    fn reads_source_path_and_post_build() {
        let k = FluxKustomization::from_object(&object(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec:\n  path: ./apps\n  sourceRef: {kind: GitRepository, name: flux-system}\n  postBuild:\n    substitute: {a: '1'}\n    substituteFrom:\n      - {kind: ConfigMap, name: vars}\n      - {kind: Secret, name: s, optional: true}\n",
        ))
        .unwrap();
        assert_eq!(
            k.source.to_string(),
            "GitRepository/flux-system/flux-system"
        );
        assert_eq!(k.path, "./apps");
        let p = k.post_build.unwrap();
        assert_eq!(p.substitute["a"], "1");
        assert_eq!(p.substitute_from.len(), 2);
        assert!(p.substitute_from[1].optional);
    }

    #[test]
    fn bad_fields_are_named() {
        let e = FluxKustomization::from_object(&object(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec:\n  path: ./apps\n",
        ))
        .unwrap_err();
        assert!(e.to_string().contains("spec.sourceRef: required"), "{e}");
        let e = FluxKustomization::from_object(&object(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec:\n  sourceRef: {kind: GitRepository, name: x}\n  postBuild: {substituteFrom: [{kind: Map, name: v}]}\n",
        ))
        .unwrap_err();
        assert!(e.to_string().contains("substituteFrom[0].kind"), "{e}");
    }

    #[test]
    fn source_flag() {
        assert_eq!(
            ObjectRef::parse("GitRepository/flux-system/fleet")
                .unwrap()
                .name,
            "fleet"
        );
        assert!(ObjectRef::parse("GitRepository/fleet").is_none());
    }
}
