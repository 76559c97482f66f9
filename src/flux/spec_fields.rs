//! Fields of a source's `spec` that the API server does not know. With server-side apply the
//! API server drops them with a warning, so a typo'd `verfiy:` silently turns verification off:
//! the scan says so on the row.

use crate::gitops::Object;
use serde_json::Value;

/// source-controller v1's `OCIRepositorySpec` (and `OCIRepositoryVerification`, `OCIRepositoryRef`).
const OCI_REPOSITORY: &[(&str, &[&str])] = &[
    (
        "spec",
        &[
            "url",
            "ref",
            "layerSelector",
            "provider",
            "verify",
            "secretRef",
            "serviceAccountName",
            "certSecretRef",
            "proxySecretRef",
            "interval",
            "timeout",
            "ignore",
            "insecure",
            "suspend",
        ],
    ),
    (
        "spec.verify",
        &[
            "provider",
            "secretRef",
            "matchOIDCIdentity",
            "trustedRootSecretRef",
        ],
    ),
    ("spec.ref", &["tag", "semver", "semverFilter", "digest"]),
];

/// `HelmChartSpec` (and the release's `chart.spec`, which has the same fields less two).
const HELM_CHART: &[(&str, &[&str])] = &[
    (
        "spec",
        &[
            "chart",
            "version",
            "sourceRef",
            "interval",
            "reconcileStrategy",
            "valuesFiles",
            "valuesFile",
            "ignoreMissingValuesFiles",
            "suspend",
            "accessFrom",
            "verify",
        ],
    ),
    (
        "spec.verify",
        &[
            "provider",
            "secretRef",
            "matchOIDCIdentity",
            "trustedRootSecretRef",
        ],
    ),
];

const HELM_RELEASE_CHART: &[(&str, &[&str])] = &[
    (
        "spec.chart.spec",
        &[
            "chart",
            "version",
            "sourceRef",
            "interval",
            "reconcileStrategy",
            "valuesFiles",
            "valuesFile",
            "ignoreMissingValuesFiles",
            "verify",
        ],
    ),
    (
        "spec.chart.spec.verify",
        &[
            "provider",
            "secretRef",
            "matchOIDCIdentity",
            "trustedRootSecretRef",
        ],
    ),
];

fn at<'v>(value: &'v Value, dotted: &str) -> Option<&'v serde_json::Map<String, Value>> {
    dotted
        .split('.')
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_object)
}

/// Warnings for the unknown fields of a Flux source's spec.
pub fn unknown_spec_fields(object: &Object) -> Vec<String> {
    let table = match (object.kind.as_str(), object.api_version.as_str()) {
        ("OCIRepository", a) if a.starts_with("source.toolkit.fluxcd.io/") => OCI_REPOSITORY,
        ("HelmChart", a) if a.starts_with("source.toolkit.fluxcd.io/") => HELM_CHART,
        ("HelmRelease", a) if a.starts_with("helm.toolkit.fluxcd.io/") => HELM_RELEASE_CHART,
        _ => return Vec::new(),
    };
    let mut warnings = Vec::new();
    for (path, known) in table {
        let Some(map) = at(&object.value, path) else {
            continue;
        };
        for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
            let nearest = known
                .iter()
                .map(|k| (strsim::levenshtein(k, key), *k))
                .min()
                .filter(|(d, _)| *d <= 2)
                .map(|(_, k)| format!(" (did you mean \"{k}\"?)"))
                .unwrap_or_default();
            warnings.push(format!(
                "unknown field \"{path}.{key}\"{nearest}: the API server drops it, so Flux never sees it"
            ));
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_is_named_with_the_field_it_meant() {
        let value: Value =
            serde_json::json!({"spec": {"url": "oci://x", "verfiy": {"provider": "notation"}}});
        let object = Object {
            api_version: "source.toolkit.fluxcd.io/v1".into(),
            kind: "OCIRepository".into(),
            name: "a".into(),
            namespace: "n".into(),
            file: "f".into(),
            line: 1,
            value,
            applied_by: None,
            patched_by: Vec::new(),
        };
        assert_eq!(
            unknown_spec_fields(&object),
            vec!["unknown field \"spec.verfiy\" (did you mean \"verify\"?): the API server drops it, so Flux never sees it".to_owned()]
        );
    }
}
