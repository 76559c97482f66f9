//! `spec.postBuild`, as kustomize-controller runs it after the build (`fluxcd/pkg/kustomize`
//! `SubstituteVariables`): the variables come from the `substituteFrom` ConfigMaps and Secrets
//! in order, each later one overriding, then from `substitute`, which overrides them all;
//! values lose their newlines; each object's YAML is substituted by [`super::envsubst`] unless
//! the object opts out with the `kustomize.toolkit.fluxcd.io/substitute: disabled` annotation
//! or label.
//!
//! The controller reads the ConfigMaps and Secrets from the cluster; a scan looks for them
//! among the objects the cluster's Kustomizations apply, after the `--secret` files.

use super::spec::{FluxKustomization, PostBuild};
use crate::gitops::Object;
use serde_json::Value;
use std::collections::BTreeMap;

/// Why the substitution could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostBuildError {
    /// A `substituteFrom` object that is not optional is not among the cluster's objects
    /// (Flux's words).
    #[error("{0}")]
    Missing(String),
    /// A `substituteFrom` Secret is SOPS-encrypted: its values are ciphertext here.
    #[error("substitute from 'Secret/{name}': Secret {namespace}/{name} ({file}) is encrypted with SOPS; kustomize-controller decrypts it in the cluster: pass the decrypted Secret with --secret")]
    Sops {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
        /// Where it is.
        file: String,
    },
    /// A `substituteFrom` Secret's `data` is not base64.
    #[error("substitute from 'Secret/{name}' error: data.{key}: illegal base64 data")]
    Base64 {
        /// The Secret.
        name: String,
        /// The key.
        key: String,
    },
    /// A variable name Flux refuses, or the substitution failed (Flux's words).
    #[error("{0}")]
    Substitution(String),
}

/// The variables of one Kustomization.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Variables(pub BTreeMap<String, String>);

fn str_at<'v>(value: &'v Value, path: &[&str]) -> Option<&'v str> {
    let mut v = value;
    for key in path {
        v = v.get(key)?;
    }
    v.as_str()
}

/// The controller's variable names (`varsubRegex`).
const VAR_NAME: &str = "^[_[:alpha:]][_[:alpha:][:digit:]]*$";

/// Collects the variables of `k`'s `postBuild` from `objects` (searched in order: the first
/// object of a kind and name in the Kustomization's namespace is the one the cluster has).
pub fn variables(
    k: &FluxKustomization,
    post_build: &PostBuild,
    objects: &[&Object],
) -> Result<Variables, PostBuildError> {
    let mut vars = BTreeMap::new();
    for reference in &post_build.substitute_from {
        let found = objects.iter().find(|o| {
            o.kind == reference.kind
                && o.api_version == "v1"
                && o.name == reference.name
                && o.namespace == k.namespace
        });
        let Some(object) = found else {
            if reference.optional {
                continue;
            }
            let plural = if reference.kind == "Secret" {
                "secrets"
            } else {
                "configmaps"
            };
            return Err(PostBuildError::Missing(format!(
                "substitute from '{}/{}' error: {plural} \"{}\" not found",
                reference.kind, reference.name, reference.name
            )));
        };
        if reference.kind == "Secret" {
            if object.value.get("sops").is_some() {
                return Err(PostBuildError::Sops {
                    namespace: object.namespace.clone(),
                    name: object.name.clone(),
                    file: object.file.clone(),
                });
            }
            if let Some(Value::Object(data)) = object.value.get("data") {
                for (key, v) in data {
                    let decoded = v
                        .as_str()
                        .and_then(|s| {
                            use base64::Engine as _;
                            base64::engine::general_purpose::STANDARD
                                .decode(s.trim())
                                .ok()
                        })
                        .ok_or_else(|| PostBuildError::Base64 {
                            name: object.name.clone(),
                            key: key.clone(),
                        })?;
                    vars.insert(
                        key.clone(),
                        String::from_utf8_lossy(&decoded).replace('\n', ""),
                    );
                }
            }
            // The API server folds stringData into data.
            if let Some(Value::Object(data)) = object.value.get("stringData") {
                for (key, v) in data {
                    vars.insert(
                        key.clone(),
                        v.as_str().unwrap_or_default().replace('\n', ""),
                    );
                }
            }
        } else if let Some(Value::Object(data)) = object.value.get("data") {
            for (key, v) in data {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                vars.insert(key.clone(), text.replace('\n', ""));
            }
        }
    }
    for (key, value) in &post_build.substitute {
        vars.insert(key.clone(), value.replace('\n', ""));
    }
    let name =
        regex::Regex::new(VAR_NAME).map_err(|e| PostBuildError::Substitution(e.to_string()))?;
    if let Some(bad) = vars.keys().find(|k| !name.is_match(k)) {
        return Err(PostBuildError::Substitution(format!(
            "'{bad}' var name is invalid, must match '{VAR_NAME}'"
        )));
    }
    Ok(Variables(vars))
}

/// The opt-out: `kustomize.toolkit.fluxcd.io/substitute: disabled` as an annotation or label.
pub fn substitution_enabled(object: &Value) -> bool {
    const KEY: &str = "kustomize.toolkit.fluxcd.io/substitute";
    !["annotations", "labels"]
        .iter()
        .any(|field| str_at(object, &["metadata", field, KEY]) == Some("disabled"))
}

/// Substitutes one object's YAML.
pub fn substitute(text: &str, vars: &Variables) -> Result<String, PostBuildError> {
    super::envsubst::eval(text, &|name: &str| vars.0.get(name).cloned(), false)
        .map_err(|e| PostBuildError::Substitution(format!("variable substitution failed: {e}")))
}
