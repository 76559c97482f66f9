//! The Kubernetes API server's words for a custom resource field that fails its OpenAPI schema
//! (apiextensions-apiserver's structural validation), which a Flux object in the repository
//! meets before any controller reads it.

use serde_json::Value;

/// The schema type name of a JSON value, as the validation message names it.
pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The message for `field` holding `got` where the schema wants type `want`.
pub(crate) fn wrong_type_message(field: &str, want: &str, got: &Value) -> String {
    let got = json_type(got);
    format!("{field}: Invalid value: \"{got}\": {field} in body must be of type {want}: \"{got}\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_integers_apart_from_numbers() {
        assert_eq!(
            wrong_type_message("spec.x", "string", &json!(3)),
            "spec.x: Invalid value: \"integer\": spec.x in body must be of type string: \"integer\""
        );
        assert!(wrong_type_message("f", "string", &json!(1.5)).contains("\"number\""));
        assert!(wrong_type_message("f", "string", &json!(null)).contains("\"null\""));
    }
}
