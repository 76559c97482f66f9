//! What kustomize-controller does with a Kustomization's `spec.postBuild`, per built resource
//! (`SubstituteVariables` in `fluxcd/pkg/kustomize/kustomize_varsub.go`, called from the
//! controller's build step only when `spec.postBuild` is set):
//!
//! 1. A resource labelled or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled` is
//!    left alone ([`should_substitute`]), before anything else is looked at.
//! 2. The variables are assembled ([`PostBuild::variables`]): the `data` of each
//!    `substituteFrom` ConfigMap and Secret, in order (later ones win), from the
//!    Kustomization's namespace; a missing one that is `optional` is skipped; then `substitute`
//!    overrides. Every value loses its `\n` characters.
//! 3. With no variables at all, the resource is left as it is — defaults such as
//!    `${tag:=1.0}` are then not applied either.
//! 4. Each variable name must match `^[_[:alpha:]][_[:alpha:][:digit:]]*$` (ASCII), then the
//!    resource's YAML text is evaluated ([`substitute`]) and parsed back.
//!
//! [`substitute_resource`] does all four for one resource. Errors carry Flux's words; the
//! controller prefixes them with the resource's name ([`PostBuildError::in_resource`]:
//! `post build failed for 'web': envsubst error: ...`).

use super::{eval, Dialect, EnvsubstError};
use crate::fleet::api_server::json_type;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The annotation and label that turn substitution off for one resource.
pub const SUBSTITUTE_KEY: &str = "kustomize.toolkit.fluxcd.io/substitute";
/// `DisabledValue`.
const DISABLED: &str = "disabled";
/// `varsubRegex`.
pub const VAR_NAME_PATTERN: &str = "^[_[:alpha:]][_[:alpha:][:digit:]]*$";

/// Why substitution failed; `Display` is Flux's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostBuildError {
    /// A `substituteFrom` object does not exist and is not optional.
    #[error("substitute from '{kind}/{name}' error: {plural} \"{name}\" not found", kind = .kind.as_str(), plural = .kind.plural())]
    NotFound {
        /// ConfigMap or Secret.
        kind: SourceKind,
        /// Its name.
        name: String,
    },
    /// A `substituteFrom` Secret is SOPS-encrypted: its values are not known before Flux
    /// decrypts it in the cluster.
    #[error("substitute from '{kind}/{name}' error: the {kind} is SOPS-encrypted; its values are known only after Flux decrypts it", kind = .kind.as_str())]
    Encrypted {
        /// ConfigMap or Secret.
        kind: SourceKind,
        /// Its name.
        name: String,
    },
    /// A `substituteFrom` object's `data` cannot be read (the API server would refuse it).
    #[error("substitute from '{kind}/{name}' error: {detail}", kind = .kind.as_str())]
    BadData {
        /// ConfigMap or Secret.
        kind: SourceKind,
        /// Its name.
        name: String,
        /// What is wrong, naming the key.
        detail: String,
    },
    /// `spec.postBuild` does not have the shape of the CRD (the API server's words where it
    /// has some; the field is named).
    #[error("{0}")]
    Spec(String),
    /// A variable name Flux refuses.
    #[error("envsubst error: '{0}' var name is invalid, must match '{VAR_NAME_PATTERN}'")]
    VarName(String),
    /// The template does not evaluate.
    #[error("envsubst error: variable substitution failed: {0}")]
    Eval(EnvsubstError),
    /// The substituted text is not YAML (the parser's message follows Flux's prefix).
    #[error("envsubst error: YAMLToJSON: {0}")]
    Yaml(String),
}

impl PostBuildError {
    /// The error as the controller reports it for resource `name`.
    pub fn in_resource(self, name: &str) -> ResourceError {
        ResourceError {
            resource: name.to_string(),
            error: self,
        }
    }
}

/// A substitution error with the resource it happened in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("post build failed for '{resource}': {error}")]
pub struct ResourceError {
    /// `metadata.name` of the resource.
    pub resource: String,
    /// What went wrong.
    pub error: PostBuildError,
}

/// The kinds `substituteFrom` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceKind {
    /// A ConfigMap (`data`; `binaryData` is not read).
    ConfigMap,
    /// A Secret (`data`, base64, with `stringData` laid over it as the API server does).
    Secret,
}

impl SourceKind {
    /// The kind's name.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::ConfigMap => "ConfigMap",
            SourceKind::Secret => "Secret",
        }
    }

    /// The resource name in the API server's not-found message.
    fn plural(self) -> &'static str {
        match self {
            SourceKind::ConfigMap => "configmaps",
            SourceKind::Secret => "secrets",
        }
    }
}

/// One `spec.postBuild.substituteFrom` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubstituteReference {
    /// The kind.
    pub kind: SourceKind,
    /// The name, in the Kustomization's namespace.
    pub name: String,
    /// A missing object is skipped rather than an error.
    pub optional: bool,
}

/// A Kustomization's `spec.postBuild`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PostBuild {
    /// `metadata.namespace` of the Kustomization: where `substituteFrom` objects are looked up.
    pub namespace: String,
    /// `substitute`, as written.
    pub substitute: BTreeMap<String, String>,
    /// `substituteFrom`, in order.
    pub substitute_from: Vec<SubstituteReference>,
}

/// The variables for one Kustomization's resources.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Variables(pub BTreeMap<String, String>);

impl Variables {
    /// No variables: Flux then leaves resources untouched.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The API server's message for a field of the wrong type.
fn wrong_type(field: &str, want: &str, got: &Value) -> PostBuildError {
    PostBuildError::Spec(crate::fleet::api_server::wrong_type_message(
        field, want, got,
    ))
}

impl PostBuild {
    /// Reads `spec.postBuild`; `None` when it is absent or null (the controller then does not
    /// substitute at all).
    pub fn from_kustomization(kustomization: &Value) -> Result<Option<PostBuild>, PostBuildError> {
        let post_build = match kustomization.pointer("/spec/postBuild") {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Object(map)) => map,
            Some(other) => return Err(wrong_type("spec.postBuild", "object", other)),
        };
        let namespace = kustomization
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut substitute = BTreeMap::new();
        match post_build.get("substitute") {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                for (key, value) in map {
                    let Value::String(text) = value else {
                        let field = format!("spec.postBuild.substitute.{key}");
                        return Err(wrong_type(&field, "string", value));
                    };
                    substitute.insert(key.clone(), text.clone());
                }
            }
            Some(other) => return Err(wrong_type("spec.postBuild.substitute", "object", other)),
        }
        let mut substitute_from = Vec::new();
        match post_build.get("substituteFrom") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    substitute_from.push(reference(i, item)?);
                }
            }
            Some(other) => {
                return Err(wrong_type("spec.postBuild.substituteFrom", "array", other));
            }
        }
        Ok(Some(PostBuild {
            namespace,
            substitute,
            substitute_from,
        }))
    }

    /// Assembles the variables. `lookup(kind, namespace, name)` returns the object (a
    /// ConfigMap or Secret manifest) the cluster holds, if any.
    pub fn variables(
        &self,
        lookup: &dyn Fn(SourceKind, &str, &str) -> Option<Value>,
    ) -> Result<Variables, PostBuildError> {
        let mut vars = BTreeMap::new();
        for reference in &self.substitute_from {
            let Some(object) = lookup(reference.kind, &self.namespace, &reference.name) else {
                if reference.optional {
                    continue;
                }
                return Err(PostBuildError::NotFound {
                    kind: reference.kind,
                    name: reference.name.clone(),
                });
            };
            for (key, value) in object_data(reference, &object)? {
                vars.insert(key, value.replace('\n', ""));
            }
        }
        for (key, value) in &self.substitute {
            vars.insert(key.clone(), value.replace('\n', ""));
        }
        Ok(Variables(vars))
    }
}

fn reference(i: usize, item: &Value) -> Result<SubstituteReference, PostBuildError> {
    let field = |name: &str| format!("spec.postBuild.substituteFrom[{i}].{name}");
    let Value::Object(map) = item else {
        // `getSubstituteFrom`'s words (its typo included).
        return Err(PostBuildError::Spec(format!(
            "unable to get subsituteFrom: unable to convert patch {i} to map[string]interface{{}}"
        )));
    };
    let string = |name: &str| -> Result<Option<String>, PostBuildError> {
        match map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(wrong_type(&field(name), "string", other)),
        }
    };
    let required = |name: &str| PostBuildError::Spec(format!("{}: Required value", field(name)));
    let kind = match string("kind")?.ok_or_else(|| required("kind"))?.as_str() {
        "ConfigMap" => SourceKind::ConfigMap,
        "Secret" => SourceKind::Secret,
        other => {
            return Err(PostBuildError::Spec(format!(
                "{}: Unsupported value: \"{other}\": supported values: \"Secret\", \"ConfigMap\"",
                field("kind")
            )))
        }
    };
    let name = string("name")?.ok_or_else(|| required("name"))?;
    let optional = match map.get("optional") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => return Err(wrong_type(&field("optional"), "boolean", other)),
    };
    Ok(SubstituteReference {
        kind,
        name,
        optional,
    })
}

/// The string values of a ConfigMap's or Secret's `data`, as the API server holds them.
fn object_data(
    reference: &SubstituteReference,
    object: &Value,
) -> Result<Vec<(String, String)>, PostBuildError> {
    let bad = |detail: String| PostBuildError::BadData {
        kind: reference.kind,
        name: reference.name.clone(),
        detail,
    };
    let map_of = |field: &str| -> Result<Option<&Map<String, Value>>, PostBuildError> {
        match object.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map)),
            Some(other) => Err(bad(format!(
                "{field} must be a map, not {}",
                json_type(other)
            ))),
        }
    };
    let text = |field: &str, key: &str, value: &Value| -> Result<String, PostBuildError> {
        match value {
            Value::String(s) => Ok(s.clone()),
            Value::Null => Ok(String::new()),
            other => Err(bad(format!(
                "{field}.{key} must be a string, not {}",
                json_type(other)
            ))),
        }
    };
    let mut out = BTreeMap::new();
    match reference.kind {
        SourceKind::ConfigMap => {
            for (key, value) in map_of("data")?.into_iter().flatten() {
                out.insert(key.clone(), text("data", key, value)?);
            }
        }
        SourceKind::Secret => {
            if object.get("sops").is_some() {
                return Err(PostBuildError::Encrypted {
                    kind: reference.kind,
                    name: reference.name.clone(),
                });
            }
            for (key, value) in map_of("data")?.into_iter().flatten() {
                let encoded = text("data", key, value)?;
                let decoded = crate::golang::base64::decode(encoded.as_bytes(), false, true)
                    .map_err(|e| bad(format!("data.{key}: {e}")))?;
                out.insert(key.clone(), String::from_utf8_lossy(&decoded).into_owned());
            }
            for (key, value) in map_of("stringData")?.into_iter().flatten() {
                out.insert(key.clone(), text("stringData", key, value)?);
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// Whether Flux substitutes in this resource: not when its labels or annotations set
/// `kustomize.toolkit.fluxcd.io/substitute: disabled` (exactly that value).
pub fn should_substitute(object: &Value) -> bool {
    let disabled = |field: &str| {
        object
            .pointer(&format!("/metadata/{field}"))
            .and_then(|m| m.get(SUBSTITUTE_KEY))
            .and_then(Value::as_str)
            == Some(DISABLED)
    };
    !(disabled("labels") || disabled("annotations"))
}

/// `[_[:alpha:]][_[:alpha:][:digit:]]*` (ASCII classes, as in Go's RE2).
fn valid_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Substitutes the variables in one resource's YAML text. With no variables the text comes
/// back unchanged, as Flux leaves such a resource alone. Strict or not, a variable is only
/// unset when it is in none of the sources.
pub fn substitute(
    text: &str,
    vars: &Variables,
    dialect: Dialect,
) -> Result<String, PostBuildError> {
    if vars.is_empty() {
        return Ok(text.to_string());
    }
    // Go ranges over a map in random order; the first invalid name in sorted order is named.
    if let Some(bad) = vars.0.keys().find(|k| !valid_var_name(k)) {
        return Err(PostBuildError::VarName(bad.clone()));
    }
    let lookup = |name: &str| vars.0.get(name).cloned();
    eval(text, &lookup, dialect).map_err(PostBuildError::Eval)
}

/// [`substitute`], then the text parsed back into the object (Flux's `YAMLToJSON`).
pub fn substitute_object(
    text: &str,
    vars: &Variables,
    dialect: Dialect,
) -> Result<Value, PostBuildError> {
    let out = substitute(text, vars, dialect)?;
    // Substituted values can open collections: the limit again on the new text.
    crate::limits::yaml(&out).map_err(|e| PostBuildError::Yaml(e.to_string()))
}

/// The whole per-resource step: `None` when Flux leaves the resource as built (substitution
/// disabled on it, or no variables), else the substituted object. Errors name the resource as
/// the controller does. `text` is the resource as kustomize prints it.
pub fn substitute_resource(
    object: &Value,
    text: &str,
    post_build: &PostBuild,
    lookup: &dyn Fn(SourceKind, &str, &str) -> Option<Value>,
    dialect: Dialect,
) -> Result<Option<Value>, ResourceError> {
    if !should_substitute(object) {
        return Ok(None);
    }
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let vars = post_build
        .variables(lookup)
        .map_err(|e| e.in_resource(name))?;
    if vars.is_empty() {
        return Ok(None);
    }
    substitute_object(text, &vars, dialect)
        .map(Some)
        .map_err(|e| e.in_resource(name))
}

#[cfg(test)]
mod tests {
    use super::super::Release;
    use super::*;
    use serde_json::json;
    use std::path::PathBuf;

    fn yaml(text: &str) -> Value {
        serde_norway::from_str(text).unwrap()
    }

    fn objects() -> Vec<Value> {
        vec![
            yaml("kind: ConfigMap\nmetadata: {name: settings, namespace: flux-system}\ndata: {region: us, tag: \"1.0\\n\", shared: cm}\n"),
            yaml("kind: Secret\nmetadata: {name: creds, namespace: flux-system}\ndata: {token: czNjcjN0, shared: c2VjcmV0}\nstringData: {shared: overlay}\n"),
            yaml("kind: ConfigMap\nmetadata: {name: other-ns, namespace: apps}\ndata: {x: y}\n"),
        ]
    }

    fn lookup(kind: SourceKind, namespace: &str, name: &str) -> Option<Value> {
        objects().into_iter().find(|o| {
            o["kind"] == kind.as_str()
                && o["metadata"]["namespace"] == namespace
                && o["metadata"]["name"] == name
        })
    }

    fn ks(post_build: &str) -> Value {
        yaml(&format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {{name: app, namespace: flux-system}}\nspec:\n  postBuild:\n{post_build}"
        ))
    }

    fn vars_of(post_build: &str) -> Result<Variables, PostBuildError> {
        PostBuild::from_kustomization(&ks(post_build))?
            .unwrap()
            .variables(&lookup)
    }

    #[test]
    fn sources_in_order_then_inline_values_override() {
        let vars = vars_of(
            "    substitute: {region: inline, multi: \"a\\nb\"}\n    substituteFrom:\n      - {kind: ConfigMap, name: settings}\n      - {kind: Secret, name: creds}\n",
        )
        .unwrap();
        let want: BTreeMap<String, String> = [
            ("multi", "ab"),
            ("region", "inline"),
            ("shared", "overlay"),
            ("tag", "1.0"),
            ("token", "s3cr3t"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(vars.0, want);
    }

    #[test]
    fn missing_sources_fail_unless_optional_and_are_looked_up_in_the_kustomizations_namespace() {
        let err = vars_of("    substituteFrom:\n      - {kind: ConfigMap, name: other-ns}\n");
        assert_eq!(
            err.unwrap_err().to_string(),
            "substitute from 'ConfigMap/other-ns' error: configmaps \"other-ns\" not found"
        );
        let err = vars_of("    substituteFrom:\n      - {kind: Secret, name: gone}\n");
        assert_eq!(
            err.unwrap_err().in_resource("web").to_string(),
            "post build failed for 'web': substitute from 'Secret/gone' error: secrets \"gone\" not found"
        );
        let vars = vars_of(
            "    substituteFrom:\n      - {kind: Secret, name: gone, optional: true}\n      - {kind: ConfigMap, name: settings}\n",
        );
        assert_eq!(
            vars.unwrap().0.get("region").map(String::as_str),
            Some("us")
        );
    }

    #[test]
    fn spec_errors_name_the_field() {
        let err = |pb: &str| vars_of(pb).unwrap_err().to_string();
        assert_eq!(
            err("    substitute: {tag: 2.1}\n"),
            "spec.postBuild.substitute.tag: Invalid value: \"number\": spec.postBuild.substitute.tag in body must be of type string: \"number\""
        );
        assert_eq!(
            err("    substituteFrom:\n      - {kind: Bucket, name: x}\n"),
            "spec.postBuild.substituteFrom[0].kind: Unsupported value: \"Bucket\": supported values: \"Secret\", \"ConfigMap\""
        );
        assert_eq!(
            err("    substituteFrom:\n      - {kind: Secret}\n"),
            "spec.postBuild.substituteFrom[0].name: Required value"
        );
        assert_eq!(
            err("    substituteFrom: [x]\n"),
            "unable to get subsituteFrom: unable to convert patch 0 to map[string]interface{}"
        );
        assert!(PostBuild::from_kustomization(&json!({"spec": {}}))
            .unwrap()
            .is_none());
    }

    #[test]
    fn encrypted_and_undecodable_secrets_are_named() {
        let sops =
            yaml("kind: Secret\nmetadata: {name: enc}\ndata: {a: ENC}\nsops: {version: 3}\n");
        let bad = yaml("kind: Secret\nmetadata: {name: bad}\ndata: {a: \"!!\"}\n");
        let pb = PostBuild::from_kustomization(&ks(
            "    substituteFrom:\n      - {kind: Secret, name: enc}\n",
        ))
        .unwrap()
        .unwrap();
        let err = pb.variables(&|_, _, _| Some(sops.clone())).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("substitute from 'Secret/enc' error: the Secret is SOPS-encrypted"));
        let err = pb.variables(&|_, _, _| Some(bad.clone())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "substitute from 'Secret/enc' error: data.a: illegal base64 data at input byte 0"
        );
    }

    #[test]
    fn the_disable_marker_is_a_label_or_an_annotation_with_exactly_that_value() {
        assert!(should_substitute(&json!({"metadata": {"name": "a"}})));
        for field in ["labels", "annotations"] {
            let off = json!({"metadata": {field: {SUBSTITUTE_KEY: "disabled"}}});
            assert!(!should_substitute(&off));
            let other = json!({"metadata": {field: {SUBSTITUTE_KEY: "Disabled"}}});
            assert!(should_substitute(&other));
        }
    }

    #[test]
    fn no_variables_means_no_substitution_not_even_defaults() {
        let text = "tag: ${tag:=1.0}\nbad: ${\n";
        assert_eq!(
            substitute(text, &Variables::default(), Dialect::default()).unwrap(),
            text
        );
    }

    #[test]
    fn invalid_names_and_evaluation_errors_carry_flux_prefixes() {
        let vars = |pairs: &[(&str, &str)]| {
            Variables(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        };
        let err = substitute(
            "x",
            &vars(&[("ok", "1"), ("1st", "2"), ("dash-ed", "3")]),
            Dialect::default(),
        );
        assert_eq!(
            err.unwrap_err().to_string(),
            "envsubst error: '1st' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'"
        );
        assert!(substitute("x", &vars(&[("héllo", "1")]), Dialect::default()).is_err());
        let strict = Dialect {
            strict: true,
            release: Release::Flux2_9,
        };
        let err = substitute("a: ${missing}", &vars(&[("ok", "1")]), strict).unwrap_err();
        assert_eq!(
            err.in_resource("web").to_string(),
            "post build failed for 'web': envsubst error: variable substitution failed: variable not set (strict mode): \"missing\""
        );
        let err = substitute_object("a: [${ok}\n", &vars(&[("ok", "1")]), Dialect::default());
        assert!(err
            .unwrap_err()
            .to_string()
            .starts_with("envsubst error: YAMLToJSON: "));
    }

    #[test]
    fn the_per_resource_step_skips_disabled_resources_before_looking_up_sources() {
        let pb = PostBuild::from_kustomization(&ks(
            "    substituteFrom:\n      - {kind: ConfigMap, name: gone}\n",
        ))
        .unwrap()
        .unwrap();
        let text = "kind: ConfigMap\nmetadata:\n  name: dash\n  annotations: {kustomize.toolkit.fluxcd.io/substitute: disabled}\ndata: {a: '${x}'}\n";
        let object = yaml(text);
        let got = substitute_resource(&object, text, &pb, &lookup, Dialect::default());
        assert_eq!(got, Ok(None));
        let text = "kind: ConfigMap\nmetadata: {name: web}\ndata: {a: '${x}'}\n";
        let err = substitute_resource(&yaml(text), text, &pb, &lookup, Dialect::default());
        assert_eq!(
            err.unwrap_err().to_string(),
            "post build failed for 'web': substitute from 'ConfigMap/gone' error: configmaps \"gone\" not found"
        );
        let pb = PostBuild::from_kustomization(&ks("    substitute: {x: \"1\"}\n"))
            .unwrap()
            .unwrap();
        let got = substitute_resource(&yaml(text), text, &pb, &lookup, Dialect::default());
        assert_eq!(got.unwrap().unwrap()["data"]["a"], "1");
    }

    #[test]
    fn the_fleet_sample_substitutes_as_expected() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fleet-sample/tree");
        let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
        let source = read("shop/base/source.yaml");
        for (cluster, region, tag) in [("us-east", "us", "2.1.0"), ("eu-west", "eu", "2.1.0")] {
            let settings = yaml(&read(&format!("clusters/{cluster}/cluster-settings.yaml")));
            let kustomization = yaml(&read(&format!("clusters/{cluster}/shop.yaml")));
            let pb = PostBuild::from_kustomization(&kustomization)
                .unwrap()
                .unwrap();
            let vars = pb
                .variables(&|kind, ns, name| {
                    (kind == SourceKind::ConfigMap
                        && ns == settings["metadata"]["namespace"]
                        && name == settings["metadata"]["name"])
                        .then(|| settings.clone())
                })
                .unwrap();
            let object = substitute_object(&source, &vars, Dialect::default()).unwrap();
            assert_eq!(
                object["spec"]["url"],
                format!("oci://registry.{region}.example/shop/manifests")
            );
            assert_eq!(object["spec"]["ref"]["tag"], tag);
            // Without the inline value, the default applies.
            let mut inline_less = pb.clone();
            inline_less.substitute.clear();
            let vars = inline_less
                .variables(&|_, _, _| Some(settings.clone()))
                .unwrap();
            let object = substitute_object(&source, &vars, Dialect::default()).unwrap();
            assert_eq!(object["spec"]["ref"]["tag"], "2.0.0");
        }
    }
}
