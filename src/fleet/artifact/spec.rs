//! An ArtifactGenerator object read into its spec: the CRD's schema checks (required fields,
//! patterns, lengths, enums, item counts) in the API server's words, then the controller's
//! `validateSpec` (duplicate aliases and names, `revision` naming a known alias), then
//! `pathPattern` expansion (`buildArtifactRequests`).

use super::{ArtifactError, ArtifactRequest};
use regex::Regex;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

/// The kinds a generator's source may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// `GitRepository`.
    GitRepository,
    /// `OCIRepository`.
    OciRepository,
    /// `Bucket`.
    Bucket,
}

impl SourceKind {
    /// The kind's name.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::GitRepository => "GitRepository",
            SourceKind::OciRepository => "OCIRepository",
            SourceKind::Bucket => "Bucket",
        }
    }
}

/// `spec.sources[]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceReference {
    /// The alias copy operations use (`@alias/...`).
    pub alias: String,
    /// The source's kind.
    pub kind: SourceKind,
    /// The source's name.
    pub name: String,
    /// The source's namespace; `None` for the generator's own.
    pub namespace: Option<String>,
}

/// `spec.artifacts[].copy[].strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// Later files replace earlier ones (the default).
    #[default]
    Overwrite,
    /// YAML files are deep-merged into an existing destination.
    Merge,
    /// Tarballs are unpacked into the destination.
    Extract,
}

/// `spec.artifacts[].copy[]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOperation {
    /// `@alias/<pattern>`.
    pub from: String,
    /// `@artifact/<path>`.
    pub to: String,
    /// Patterns of files and directories to leave out.
    pub exclude: Vec<String>,
    /// How files land.
    pub strategy: Strategy,
    /// Whether a source matching nothing is fine.
    pub optional: bool,
}

/// `spec.artifacts[]`: one ExternalArtifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactSpec {
    /// The ExternalArtifact's name (may hold `{capture}`s with `pathPattern`).
    pub name: String,
    /// `@alias` whose revision the artifact takes.
    pub revision: Option<String>,
    /// `@alias` whose origin revision the artifact is annotated with.
    pub origin_revision: Option<String>,
    /// The copy operations, in order.
    pub copy: Vec<CopyOperation>,
}

/// An ArtifactGenerator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratorSpec {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (empty when absent).
    pub namespace: String,
    /// `spec.sources`.
    pub sources: Vec<SourceReference>,
    /// `spec.artifacts`.
    pub artifacts: Vec<ArtifactSpec>,
    /// `spec.pathPattern` (`@alias/apps/{app}`), expanding each artifact per matching directory.
    pub path_pattern: Option<String>,
}

const ALIAS: &str = "^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$";
const NAME: &str = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$";
const NAMESPACE: &str = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
const ALIAS_REF: &str = "^@([a-z0-9]([a-z0-9_-]*[a-z0-9])?)$";
const FROM: &str = "^@([a-z0-9]([a-z0-9_-]*[a-z0-9])?)/(.*)$";
const TO: &str = "^@(artifact)/(.*)$";

/// Reads fields with the API server's messages.
struct Fields<'a> {
    generator: &'a str,
}

impl Fields<'_> {
    fn err(&self, message: String) -> ArtifactError {
        ArtifactError::Spec {
            generator: self.generator.to_string(),
            message,
        }
    }

    fn wrong_type(&self, field: &str, want: &str, got: &Value) -> ArtifactError {
        self.err(crate::fleet::api_server::wrong_type_message(
            field, want, got,
        ))
    }

    fn object<'v>(
        &self,
        v: &'v Value,
        field: &str,
    ) -> Result<&'v Map<String, Value>, ArtifactError> {
        v.as_object()
            .ok_or_else(|| self.wrong_type(field, "object", v))
    }

    fn string(
        &self,
        map: &Map<String, Value>,
        key: &str,
        field: &str,
        rule: Option<(&str, usize)>,
    ) -> Result<Option<String>, ArtifactError> {
        let path = format!("{field}.{key}");
        let s = match map.get(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) => s.clone(),
            Some(other) => return Err(self.wrong_type(&path, "string", other)),
        };
        if let Some((pattern, max)) = rule {
            if s.len() > max {
                return Err(self.err(format!(
                    "{path}: Too long: may not be more than {max} bytes"
                )));
            }
            if !Regex::new(pattern).is_ok_and(|re| re.is_match(&s)) {
                return Err(self.err(format!(
                    "{path}: Invalid value: \"{s}\": {path} in body should match '{pattern}'"
                )));
            }
        }
        Ok(Some(s))
    }

    fn required(
        &self,
        map: &Map<String, Value>,
        key: &str,
        field: &str,
        rule: Option<(&str, usize)>,
    ) -> Result<String, ArtifactError> {
        self.string(map, key, field, rule)?
            .ok_or_else(|| self.err(format!("{field}.{key}: Required value")))
    }

    fn items<'v>(
        &self,
        map: &'v Map<String, Value>,
        key: &str,
        field: &str,
        range: (usize, usize),
    ) -> Result<&'v [Value], ArtifactError> {
        let path = format!("{field}.{key}");
        let items = match map.get(key) {
            None | Some(Value::Null) if range.0 > 0 => {
                return Err(self.err(format!("{path}: Required value")))
            }
            None | Some(Value::Null) => return Ok(&[]),
            Some(Value::Array(items)) => items.as_slice(),
            Some(other) => return Err(self.wrong_type(&path, "array", other)),
        };
        if items.len() < range.0 {
            return Err(self.err(format!(
                "{path}: Invalid value: {}: {path} in body should have at least {} items",
                items.len(),
                range.0
            )));
        }
        if items.len() > range.1 {
            return Err(self.err(format!(
                "{path}: Too many: {}: must have at most {} items",
                items.len(),
                range.1
            )));
        }
        Ok(items)
    }

    fn enumerated<T: Copy>(
        &self,
        value: String,
        path: &str,
        options: &[(&str, T)],
    ) -> Result<T, ArtifactError> {
        match options.iter().find(|(name, _)| *name == value) {
            Some((_, t)) => Ok(*t),
            None => {
                let supported: Vec<String> = options
                    .iter()
                    .map(|(name, _)| format!("\"{name}\""))
                    .collect();
                Err(self.err(format!(
                    "{path}: Unsupported value: \"{value}\": supported values: {}",
                    supported.join(", ")
                )))
            }
        }
    }
}

impl GeneratorSpec {
    /// Reads an ArtifactGenerator object.
    pub fn from_object(object: &Value) -> Result<GeneratorSpec, ArtifactError> {
        let meta = |key: &str| {
            object
                .pointer(&format!("/metadata/{key}"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let (name, namespace) = (meta("name"), meta("namespace"));
        let generator = format!("{namespace}/{name}");
        let f = Fields {
            generator: &generator,
        };
        let spec = f.object(object.get("spec").unwrap_or(&Value::Null), "spec")?;
        let mut sources = Vec::new();
        for (i, item) in f
            .items(spec, "sources", "spec", (1, 1000))?
            .iter()
            .enumerate()
        {
            let field = format!("spec.sources[{i}]");
            let map = f.object(item, &field)?;
            let kind = f.required(map, "kind", &field, None)?;
            sources.push(SourceReference {
                alias: f.required(map, "alias", &field, Some((ALIAS, 63)))?,
                kind: f.enumerated(
                    kind,
                    &format!("{field}.kind"),
                    &[
                        ("Bucket", SourceKind::Bucket),
                        ("GitRepository", SourceKind::GitRepository),
                        ("OCIRepository", SourceKind::OciRepository),
                    ],
                )?,
                name: f.required(map, "name", &field, Some((NAME, 253)))?,
                namespace: f.string(map, "namespace", &field, Some((NAMESPACE, 63)))?,
            });
        }
        let mut artifacts = Vec::new();
        for (i, item) in f
            .items(spec, "artifacts", "spec", (1, 1000))?
            .iter()
            .enumerate()
        {
            let field = format!("spec.artifacts[{i}]");
            let map = f.object(item, &field)?;
            let mut copy = Vec::new();
            for (j, op) in f
                .items(map, "copy", &field, (1, usize::MAX))?
                .iter()
                .enumerate()
            {
                let field = format!("{field}.copy[{j}]");
                let op = f.object(op, &field)?;
                let mut exclude = Vec::new();
                for (k, pattern) in f.items(op, "exclude", &field, (0, 100))?.iter().enumerate() {
                    match pattern {
                        Value::String(s) => exclude.push(s.clone()),
                        other => {
                            let path = format!("{field}.exclude[{k}]");
                            return Err(f.wrong_type(&path, "string", other));
                        }
                    }
                }
                let strategy = match f.string(op, "strategy", &field, None)? {
                    None => Strategy::Overwrite,
                    Some(s) => f.enumerated(
                        s,
                        &format!("{field}.strategy"),
                        &[
                            ("Overwrite", Strategy::Overwrite),
                            ("Merge", Strategy::Merge),
                            ("Extract", Strategy::Extract),
                        ],
                    )?,
                };
                let optional = match op.get("optional") {
                    None | Some(Value::Null) => false,
                    Some(Value::Bool(b)) => *b,
                    Some(other) => {
                        return Err(f.wrong_type(&format!("{field}.optional"), "boolean", other))
                    }
                };
                copy.push(CopyOperation {
                    from: f.required(op, "from", &field, Some((FROM, 1024)))?,
                    to: f.required(op, "to", &field, Some((TO, 1024)))?,
                    exclude,
                    strategy,
                    optional,
                });
            }
            artifacts.push(ArtifactSpec {
                name: f.required(map, "name", &field, None)?,
                revision: f.string(map, "revision", &field, Some((ALIAS_REF, 64)))?,
                origin_revision: f.string(map, "originRevision", &field, Some((ALIAS_REF, 64)))?,
                copy,
            });
        }
        let path_pattern = f.string(spec, "pathPattern", "spec", None)?;
        let generator_spec = GeneratorSpec {
            name,
            namespace,
            sources,
            artifacts,
            path_pattern,
        };
        // Without a pathPattern the names are final and must be object names.
        if generator_spec.path_pattern.is_none() {
            for (i, artifact) in generator_spec.artifacts.iter().enumerate() {
                let path = format!("spec.artifacts[{i}].name");
                check_name(&f, &artifact.name, &path)?;
            }
        }
        generator_spec.validate()?;
        Ok(generator_spec)
    }

    fn generator(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// The controller's `validateSpec` (the cross-namespace lockdown aside).
    fn validate(&self) -> Result<(), ArtifactError> {
        let fail = |message: String| ArtifactError::Validation {
            generator: self.generator(),
            message,
        };
        let mut aliases = HashSet::new();
        for source in &self.sources {
            if !aliases.insert(source.alias.as_str()) {
                return Err(fail(format!(
                    "duplicate source alias '{}' found",
                    source.alias
                )));
            }
        }
        let mut names = HashSet::new();
        for artifact in &self.artifacts {
            if !names.insert(artifact.name.as_str()) {
                return Err(fail(format!(
                    "duplicate artifact name '{}' found",
                    artifact.name
                )));
            }
            if let Some(revision) = &artifact.revision {
                let alias = revision.trim_start_matches('@');
                if !aliases.contains(alias) {
                    return Err(fail(format!(
                        "artifact {} revision source alias '{alias}' not found",
                        artifact.name
                    )));
                }
            }
        }
        Ok(())
    }

    /// The artifacts to build: `spec.artifacts` as they are, or, with `pathPattern`, one set per
    /// directory of the pattern's source whose path matches, with the captures filled in
    /// (lowercased in names and labels, as written in copy paths).
    pub fn artifact_requests(
        &self,
        sources: &HashMap<String, PathBuf>,
    ) -> Result<Vec<ArtifactRequest>, ArtifactError> {
        let Some(path_pattern) = &self.path_pattern else {
            return Ok(self
                .artifacts
                .iter()
                .map(|artifact| ArtifactRequest {
                    artifact: artifact.clone(),
                    labels: BTreeMap::new(),
                })
                .collect());
        };
        let fail = |message: String| ArtifactError::PathPattern {
            generator: self.generator(),
            message,
        };
        let Some((alias, pattern)) = path_pattern
            .split_once('/')
            .and_then(|(head, pattern)| Some((head.strip_prefix('@')?, pattern)))
        else {
            return Err(fail(format!("invalid pathPattern format: {path_pattern}")));
        };
        let Some(root) = sources.get(alias) else {
            return Err(fail(format!(
                "pathPattern \"{path_pattern}\": source alias {alias} not found in local sources"
            )));
        };
        let captures = pattern_captures(path_pattern, pattern).map_err(&fail)?;
        let matcher = pattern_regex(pattern).map_err(|e| {
            fail(format!(
                "pathPattern \"{path_pattern}\": failed to compile path pattern: {e}"
            ))
        })?;
        for name in &captures {
            if name.len() > 63 {
                return Err(fail(format!(
                    "pathPattern \"{path_pattern}\": capture variable \"{name}\" is not a valid Kubernetes label key: name part must be no more than 63 characters"
                )));
            }
        }
        let mut requests = Vec::new();
        let mut seen: HashMap<String, String> = HashMap::new();
        for rel in directories(root) {
            let Some(found) = matcher.captures(&rel) else {
                continue;
            };
            let mut raw = BTreeMap::new();
            for name in &captures {
                if let Some(m) = found.name(name) {
                    raw.insert(name.clone(), m.as_str().to_string());
                }
            }
            let labels: BTreeMap<String, String> = raw
                .iter()
                .map(|(k, v)| (k.clone(), v.to_lowercase()))
                .collect();
            for (key, value) in &labels {
                if let Some(why) = label_value_problem(value) {
                    return Err(fail(format!(
                        "pathPattern \"{path_pattern}\": captured value \"{value}\" for variable \"{key}\" is not a valid Kubernetes label value: {why}"
                    )));
                }
            }
            for artifact in &self.artifacts {
                let rendered = render_artifact(artifact, &labels, &raw).map_err(|e| {
                    fail(format!(
                        "pathPattern \"{path_pattern}\": failed to render artifact {} for match {rel}: {e}",
                        artifact.name
                    ))
                })?;
                if let Some(why) = dns_subdomain_problem(&rendered.name) {
                    return Err(fail(format!(
                        "pathPattern \"{path_pattern}\": rendered artifact name \"{}\" is not a valid Kubernetes object name: {why}",
                        rendered.name
                    )));
                }
                if let Some(previous) = seen.insert(rendered.name.clone(), rel.clone()) {
                    return Err(fail(format!(
                        "pathPattern \"{path_pattern}\": directories \"{previous}\" and \"{rel}\" both resolve to artifact name \"{}\"",
                        rendered.name
                    )));
                }
                requests.push(ArtifactRequest {
                    artifact: rendered,
                    labels: labels.clone(),
                });
            }
        }
        Ok(requests)
    }
}

fn check_name(f: &Fields<'_>, name: &str, path: &str) -> Result<(), ArtifactError> {
    if name.len() > 253 {
        return Err(f.err(format!("{path}: Too long: may not be more than 253 bytes")));
    }
    if !Regex::new(NAME).is_ok_and(|re| re.is_match(name)) {
        return Err(f.err(format!(
            "{path}: Invalid value: \"{name}\": {path} in body should match '{NAME}'"
        )));
    }
    Ok(())
}

/// `content.IsLabelValue`'s complaint, if any.
fn label_value_problem(value: &str) -> Option<String> {
    const LABEL_VALUE: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
    if value.len() > 63 {
        return Some("must be no more than 63 characters".into());
    }
    let full = format!("^{LABEL_VALUE}$");
    if !Regex::new(&full).is_ok_and(|re| re.is_match(value)) {
        return Some(format!("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '{LABEL_VALUE}')"));
    }
    None
}

/// `NameIsDNSSubdomain`'s complaint, if any.
fn dns_subdomain_problem(name: &str) -> Option<String> {
    const SUBDOMAIN: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    if name.len() > 253 {
        return Some("must be no more than 253 characters".into());
    }
    let full = format!("^{SUBDOMAIN}$");
    if !Regex::new(&full).is_ok_and(|re| re.is_match(name)) {
        return Some(format!("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '{SUBDOMAIN}')"));
    }
    None
}

/// `renderArtifactRequest`: names take the lowercased captures, copy paths the raw ones. As
/// upstream, the rendered operations keep `from`, `to`, `exclude` and `strategy` only
/// (`optional` is not carried over).
fn render_artifact(
    artifact: &ArtifactSpec,
    normalized: &BTreeMap<String, String>,
    raw: &BTreeMap<String, String>,
) -> Result<ArtifactSpec, String> {
    let mut copy = Vec::new();
    for op in &artifact.copy {
        copy.push(CopyOperation {
            from: render_template(&op.from, raw)?,
            to: render_template(&op.to, raw)?,
            exclude: op.exclude.clone(),
            strategy: op.strategy,
            optional: false,
        });
    }
    Ok(ArtifactSpec {
        name: render_template(&artifact.name, normalized)?,
        revision: artifact.revision.clone(),
        origin_revision: artifact.origin_revision.clone(),
        copy,
    })
}

fn valid_capture_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// `renderTemplateString`.
fn render_template(template: &str, data: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        let offset = template.len() - rest.len() + i;
        let (before, from_brace) = rest.split_at(i);
        out.push_str(before);
        let Some(after_open) = from_brace.strip_prefix('{') else {
            return Err(format!(
                "invalid template \"{template}\": capture ending at offset {offset} is missing opening brace"
            ));
        };
        let Some((name, after)) = after_open.split_once('}') else {
            return Err(format!(
                "invalid template \"{template}\": capture starting at offset {offset} is missing closing brace"
            ));
        };
        if name.is_empty() {
            return Err(format!(
                "invalid template \"{template}\": empty capture variable"
            ));
        }
        if !valid_capture_name(name) {
            return Err(format!("invalid template \"{template}\": capture variable \"{name}\" must be a valid capture name matching [A-Za-z_][A-Za-z0-9_]*"));
        }
        let Some(value) = data.get(name) else {
            return Err(format!(
                "invalid template \"{template}\": capture variable \"{name}\" is not defined by pathPattern"
            ));
        };
        out.push_str(value);
        rest = after;
    }
    out.push_str(rest);
    Ok(out)
}

/// `validatePathPatternCaptures`: the capture names, in order.
fn pattern_captures(path_pattern: &str, pattern: &str) -> Result<Vec<String>, String> {
    let quoted = crate::golang::quote::go_quote(path_pattern);
    let mut names: Vec<String> = Vec::new();
    let mut rest = pattern;
    while let Some(i) = rest.find(['{', '}']) {
        let offset = pattern.len() - rest.len() + i;
        let from_brace = rest.get(i..).unwrap_or_default();
        let Some(after_open) = from_brace.strip_prefix('{') else {
            return Err(format!(
                "pathPattern {quoted}: invalid capture ending at offset {offset}: missing opening brace"
            ));
        };
        let Some((name, after)) = after_open.split_once('}') else {
            return Err(format!(
                "pathPattern {quoted}: invalid capture starting at offset {offset}: missing closing brace"
            ));
        };
        if name.is_empty() {
            return Err(format!("pathPattern {quoted}: empty capture variable"));
        }
        let name_quoted = crate::golang::quote::go_quote(name);
        if !valid_capture_name(name) {
            return Err(format!("pathPattern {quoted}: capture variable {name_quoted} must be a valid capture name matching [A-Za-z_][A-Za-z0-9_]*"));
        }
        if names.iter().any(|n| n == name) {
            return Err(format!(
                "pathPattern {quoted}: duplicate capture variable {name_quoted}"
            ));
        }
        names.push(name.to_string());
        rest = after;
    }
    Ok(names)
}

/// The pattern as an anchored regular expression: literal text, `{name}` as one segment.
fn pattern_regex(pattern: &str) -> Result<Regex, regex::Error> {
    let mut re = String::from("^");
    let mut rest = pattern;
    while let Some((literal, after_open)) = rest.split_once('{') {
        re.push_str(&regex::escape(literal));
        let (name, after) = after_open.split_once('}').unwrap_or((after_open, ""));
        re.push_str(&format!("(?P<{name}>[^/]+)"));
        rest = after;
    }
    re.push_str(&regex::escape(rest));
    re.push('$');
    Regex::new(&re)
}

/// Every directory below `root`, as a `/`-separated relative path, in `filepath.WalkDir`
/// order (lexical, depth first; symbolic links not followed).
fn directories(root: &std::path::Path) -> Vec<String> {
    fn walk(root: &std::path::Path, rel: &str, out: &mut Vec<String>) {
        let dir = if rel.is_empty() {
            root.to_path_buf()
        } else {
            root.join(rel)
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut names: Vec<(String, bool)> = entries
            .filter_map(|e| e.ok())
            .map(|e| {
                let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
                (e.file_name().to_string_lossy().into_owned(), is_dir)
            })
            .collect();
        names.sort();
        for (name, is_dir) in names {
            if !is_dir {
                continue;
            }
            let child = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            out.push(child.clone());
            walk(root, &child, out);
        }
    }
    let mut out = Vec::new();
    walk(root, "", &mut out);
    out
}
