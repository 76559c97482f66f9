//! Kubernetes Secret documents, as a test writes them for `--secret`.

/// An Opaque Secret `namespace/name` whose `stringData` holds `entries` (key, text), each text
/// as a YAML block literal.
pub fn string_data(name: &str, namespace: &str, entries: &[(&str, &str)]) -> String {
    let mut out = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: {namespace}\ntype: Opaque\nstringData:\n"
    );
    for (key, text) in entries {
        out.push_str(&format!("  {key}: |\n"));
        for line in text.lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out
}
