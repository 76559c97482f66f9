//! The signed payload `{"targetArtifact": <OCI descriptor>}`, decoded with Go `encoding/json`
//! semantics as notation-go decodes it (case-insensitive keys, unknown keys ignored, a missing
//! `targetArtifact` giving the zero descriptor), and the comparison notation makes with the
//! artifact: media type, digest and size only.

use crate::golang::json::{self, Kind, Raw};
use std::collections::BTreeMap;

/// The payload could not be decoded; `Display` is Go's `json.Unmarshal` error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PayloadError(String);

/// The fields of an OCI descriptor notation reads from the payload.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Descriptor {
    /// `mediaType`.
    pub media_type: String,
    /// `digest`.
    pub digest: String,
    /// `size`.
    pub size: i64,
    /// `artifactType` (not compared).
    pub artifact_type: String,
    /// `annotations` (user metadata in notation mode; not compared).
    pub annotations: BTreeMap<String, String>,
}

impl Descriptor {
    /// notation-go's `content.Equal`: media type, digest and size.
    pub fn matches(&self, media_type: &str, digest: &str, size: i64) -> bool {
        self.media_type == media_type && self.digest == digest && self.size == size
    }
}

/// The decoded payload.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Payload {
    /// `targetArtifact` (zero when absent).
    pub target_artifact: Descriptor,
}

fn type_error(kind: Kind, number: Option<&str>, field: &str, go_type: &str) -> String {
    let value = match number {
        Some(n) if go_type == "int64" => format!("number {n}"),
        _ => kind.go_name().to_string(),
    };
    // `field` is `Struct.path`, as Go's error joins them.
    let (go_struct, path) = field.split_once('.').unwrap_or(("", field));
    json::unmarshal_type_error(&value, go_struct, path, go_type)
}

impl Payload {
    /// `json.Unmarshal(content, &envelope.Payload)`.
    pub fn parse(content: &[u8]) -> Result<Payload, PayloadError> {
        json::check_valid(content).map_err(PayloadError)?;
        let root = Raw(content);
        let mut payload = Payload::default();
        match root.kind() {
            Kind::Null => return Ok(payload),
            Kind::Object => {}
            kind => {
                return Err(PayloadError(json::unmarshal_type_error(
                    kind.go_name(),
                    "",
                    "",
                    "envelope.Payload",
                )))
            }
        }
        let mut saved: Option<String> = None;
        let mut save = |e: String| {
            if saved.is_none() {
                saved = Some(e);
            }
        };
        for (key, value) in root.members() {
            if !json::field_matches(&key, "targetArtifact") {
                continue;
            }
            match value.kind() {
                Kind::Null => continue,
                Kind::Object => {}
                kind => {
                    save(type_error(
                        kind,
                        None,
                        "Payload.targetArtifact",
                        "v1.Descriptor",
                    ));
                    continue;
                }
            }
            let d = &mut payload.target_artifact;
            for (k, v) in value.members() {
                let is = |f: &str| json::field_matches(&k, f);
                let string_into = |target: &mut String, field: &str, go_type: &str| match v.kind() {
                    Kind::Null => None,
                    Kind::String => {
                        *target = v.as_str().unwrap_or_default();
                        None
                    }
                    kind => Some(type_error(
                        kind,
                        None,
                        &format!("Descriptor.targetArtifact.{field}"),
                        go_type,
                    )),
                };
                let err = if is("mediaType") {
                    string_into(&mut d.media_type, "mediaType", "string")
                } else if is("digest") {
                    string_into(&mut d.digest, "digest", "digest.Digest")
                } else if is("artifactType") {
                    string_into(&mut d.artifact_type, "artifactType", "string")
                } else if is("size") {
                    match (v.kind(), v.as_number_text()) {
                        (Kind::Null, _) => None,
                        (Kind::Number, Some(n)) => match n.parse::<i64>() {
                            Ok(size) => {
                                d.size = size;
                                None
                            }
                            Err(_) => Some(type_error(
                                Kind::Number,
                                Some(n),
                                "Descriptor.targetArtifact.size",
                                "int64",
                            )),
                        },
                        (kind, _) => Some(type_error(
                            kind,
                            None,
                            "Descriptor.targetArtifact.size",
                            "int64",
                        )),
                    }
                } else if is("annotations") {
                    match v.kind() {
                        Kind::Null => {
                            d.annotations.clear();
                            None
                        }
                        Kind::Object => {
                            let mut first = None;
                            for (ak, av) in v.members() {
                                match av.kind() {
                                    Kind::String => {
                                        d.annotations.insert(ak, av.as_str().unwrap_or_default());
                                    }
                                    Kind::Null => {
                                        d.annotations.insert(ak, String::new());
                                    }
                                    kind => {
                                        first = first.or(Some(type_error(
                                            kind,
                                            None,
                                            &format!("Descriptor.targetArtifact.annotations.{ak}"),
                                            "string",
                                        )))
                                    }
                                }
                            }
                            first
                        }
                        kind => Some(type_error(
                            kind,
                            None,
                            "Descriptor.targetArtifact.annotations",
                            "map[string]string",
                        )),
                    }
                } else {
                    None
                };
                if let Some(e) = err {
                    save(e);
                }
            }
        }
        match saved {
            Some(e) => Err(PayloadError(e)),
            None => Ok(payload),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_json_semantics() {
        let p = Payload::parse(
            br#"{"TargetArtifact":{"MEDIATYPE":"m","digest":"sha256:x","size":5,"annotations":{"a":"b"},"urls":["u"]},"other":1}"#,
        )
        .unwrap();
        assert!(p.target_artifact.matches("m", "sha256:x", 5));
        assert_eq!(
            p.target_artifact.annotations.get("a").map(String::as_str),
            Some("b")
        );
        assert_eq!(Payload::parse(b"{}").unwrap(), Payload::default());
        assert_eq!(
            Payload::parse(br#"{"targetArtifact":{"size":"5"}}"#).unwrap_err().to_string(),
            "json: cannot unmarshal string into Go struct field Descriptor.targetArtifact.size of type int64"
        );
        assert_eq!(
            Payload::parse(br#"{"targetArtifact":{"size":1.5}}"#).unwrap_err().to_string(),
            "json: cannot unmarshal number 1.5 into Go struct field Descriptor.targetArtifact.size of type int64"
        );
        // Go names the number only where it was decoding into a number type.
        assert_eq!(
            Payload::parse(br#"{"targetArtifact":{"mediaType":7}}"#).unwrap_err().to_string(),
            "json: cannot unmarshal number into Go struct field Descriptor.targetArtifact.mediaType of type string"
        );
        assert_eq!(
            Payload::parse(b"[]").unwrap_err().to_string(),
            "json: cannot unmarshal array into Go value of type envelope.Payload"
        );
        assert_eq!(
            Payload::parse(b"{").unwrap_err().to_string(),
            "unexpected end of JSON input"
        );
    }
}
