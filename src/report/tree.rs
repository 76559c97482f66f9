//! notation's tree output (`notation ls`, `notation inspect`): `├── `, `└── `, `│   ` and four
//! spaces, exactly as notation's `internal/tree` prints them.

use crate::source::{Descriptor, NOTARY_SIGNATURE_ARTIFACT_TYPE};
use crate::verify::inspect::{InspectedCertificate, InspectedSignature, InspectedTimestamp};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

/// `ls -o json`: the artifact and its signature manifests (at most `max`), and whether more
/// were listed than shown.
pub fn list_json(
    reference: &str,
    artifact: &Descriptor,
    signatures: &[Descriptor],
    max: usize,
) -> Value {
    json!({
        "reference": reference,
        "artifact": artifact,
        "signatureArtifactType": NOTARY_SIGNATURE_ARTIFACT_TYPE,
        "signatures": signatures.iter().take(max).collect::<Vec<_>>(),
        "limitExceeded": signatures.len() > max,
    })
}

/// A node of a tree.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Node {
    /// The node's line.
    pub text: String,
    /// Child nodes, in order.
    pub children: Vec<Node>,
}

impl Node {
    /// A node with no children.
    pub fn leaf(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            children: Vec::new(),
        }
    }

    /// A node with children.
    pub fn branch(text: impl Into<String>, children: Vec<Node>) -> Self {
        Self {
            text: text.into(),
            children,
        }
    }

    /// Renders the tree: the root's line, then its descendants.
    pub fn render(&self) -> String {
        let mut out = format!("{}\n", self.text);
        render_children(&self.children, "", &mut out);
        out
    }
}

fn render_children(children: &[Node], prefix: &str, out: &mut String) {
    let count = children.len();
    for (i, child) in children.iter().enumerate() {
        let last = i + 1 == count;
        out.push_str(prefix);
        out.push_str(if last { "└── " } else { "├── " });
        out.push_str(&child.text);
        out.push('\n');
        let next = format!("{prefix}{}", if last { "    " } else { "│   " });
        render_children(&child.children, &next, out);
    }
}

/// `notation ls` output for `reference` and its signature manifests. `limit_hit` adds notation's
/// warning line (v1.3.2 prints it on stdout).
pub fn list(reference: &str, signatures: &[Descriptor], max: Option<usize>) -> String {
    if signatures.is_empty() {
        return format!("{reference} has no associated signature\n");
    }
    let shown = max.map_or(signatures.len(), |m| m.min(signatures.len()));
    let tree = Node::branch(
        reference,
        vec![Node::branch(
            NOTARY_SIGNATURE_ARTIFACT_TYPE,
            signatures
                .iter()
                .take(shown)
                .map(|s| Node::leaf(s.digest.clone()))
                .collect(),
        )],
    );
    let mut out = tree.render();
    if let Some(max) = max.filter(|m| signatures.len() > *m) {
        out.push_str(&format!(
            "Warning: exceeded configured limit of max signatures {max} to examine\n"
        ));
    }
    out
}

/// Go's `time.ANSIC` layout, in UTC as notation's CI prints it.
fn ansic<Tz: chrono::TimeZone>(t: &DateTime<Tz>) -> String {
    t.with_timezone(&Utc)
        .format("%a %b %e %H:%M:%S %Y")
        .to_string()
}

/// RFC 3339 in UTC with `Z`, as Go's JSON encoding of a UTC `time.Time`.
fn rfc3339<Tz: chrono::TimeZone>(t: &DateTime<Tz>) -> String {
    t.with_timezone(&Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

fn certificate_nodes(certs: &[InspectedCertificate]) -> Vec<Node> {
    certs
        .iter()
        .map(|c| {
            Node::branch(
                format!("SHA256 fingerprint: {}", c.sha256_fingerprint),
                vec![
                    Node::leaf(format!("issued to: {}", c.issued_to)),
                    Node::leaf(format!("issued by: {}", c.issued_by)),
                    Node::leaf(format!("expiry: {}", ansic(&c.expiry))),
                ],
            )
        })
        .collect()
}

/// One signature's subtree (its digest, then its attributes).
pub fn signature_node(s: &InspectedSignature) -> Node {
    let mut signed = vec![
        Node::leaf(format!("content type: {}", s.content_type)),
        Node::leaf(format!("signing scheme: {}", s.signing_scheme)),
    ];
    if let Some(t) = &s.signing_time {
        signed.push(Node::leaf(format!("signing time: {}", ansic(t))));
    }
    if let Some(t) = &s.expiry {
        signed.push(Node::leaf(format!("expiry: {}", ansic(t))));
    }
    signed.extend(
        s.extended_attributes
            .iter()
            .map(|(k, v)| Node::leaf(format!("{k}: {v}"))),
    );
    let user = if s.user_defined.is_empty() {
        vec![Node::leaf("(empty)")]
    } else {
        s.user_defined
            .iter()
            .map(|(k, v)| Node::leaf(format!("{k}: {v}")))
            .collect()
    };
    let mut unsigned = Vec::new();
    if let Some(agent) = &s.signing_agent {
        unsigned.push(Node::leaf(format!("signing agent: {agent}")));
    }
    match &s.timestamp {
        Some(InspectedTimestamp::Parsed {
            earliest,
            latest,
            certificates,
        }) => unsigned.push(Node::branch(
            "timestamp signature",
            vec![
                Node::leaf(format!(
                    "timestamp: [{}, {}]",
                    ansic(earliest),
                    ansic(latest)
                )),
                Node::branch("certificates", certificate_nodes(certificates)),
            ],
        )),
        Some(InspectedTimestamp::Error(e)) => unsigned.push(Node::branch(
            "timestamp signature",
            vec![Node::leaf(format!("error: {e}"))],
        )),
        None => {}
    }
    let mut children = vec![
        Node::leaf(format!("signature algorithm: {}", s.signature_algorithm)),
        Node::leaf(format!("signature envelope type: {}", s.envelope_type)),
        Node::branch("signed attributes", signed),
        Node::branch("user defined attributes", user),
    ];
    if !unsigned.is_empty() {
        children.push(Node::branch("unsigned attributes", unsigned));
    }
    children.push(Node::branch(
        "certificates",
        certificate_nodes(&s.certificates),
    ));
    children.push(Node::branch(
        "signed artifact",
        vec![
            Node::leaf(format!("media type: {}", s.signed_artifact.media_type)),
            Node::leaf(format!("digest: {}", s.signed_artifact.digest)),
            Node::leaf(format!("size: {}", s.signed_artifact.size)),
        ],
    ));
    Node::branch(s.digest.clone(), children)
}

/// `notation inspect` tree output.
pub fn inspect_text(reference: &str, signatures: &[InspectedSignature]) -> String {
    if signatures.is_empty() {
        return format!("{reference} has no associated signature\n");
    }
    let tree = Node::branch(
        reference,
        vec![Node::branch(
            NOTARY_SIGNATURE_ARTIFACT_TYPE,
            signatures.iter().map(signature_node).collect(),
        )],
    );
    format!(
        "Inspecting all signatures for signed artifact\n{}",
        tree.render()
    )
}

fn certificates_json(certs: &[InspectedCertificate]) -> Value {
    Value::Array(
        certs
            .iter()
            .map(|c| {
                json!({
                    "SHA256Fingerprint": c.sha256_fingerprint,
                    "issuedTo": c.issued_to,
                    "issuedBy": c.issued_by,
                    "expiry": rfc3339(&c.expiry),
                })
            })
            .collect(),
    )
}

/// `notation inspect -o json` output (key `signatures`, 2-space indentation).
pub fn inspect_json(artifact_media_type: &str, signatures: &[InspectedSignature]) -> Value {
    let sigs: Vec<Value> = signatures
        .iter()
        .map(|s| {
            let mut signed = Map::new();
            signed.insert("contentType".into(), json!(s.content_type));
            signed.insert("signingScheme".into(), json!(s.signing_scheme));
            if let Some(t) = &s.signing_time {
                signed.insert("signingTime".into(), json!(rfc3339(t)));
            }
            if let Some(t) = &s.expiry {
                signed.insert("expiry".into(), json!(rfc3339(t)));
            }
            for (k, v) in &s.extended_attributes {
                signed.insert(k.clone(), json!(v));
            }
            let user: Map<String, Value> = s
                .user_defined
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            let mut unsigned = Map::new();
            if let Some(agent) = &s.signing_agent {
                unsigned.insert("signingAgent".into(), json!(agent));
            }
            match &s.timestamp {
                Some(InspectedTimestamp::Parsed {
                    earliest,
                    latest,
                    certificates,
                }) => {
                    unsigned.insert(
                        "timestampSignature".into(),
                        json!({
                            "timestamp": format!("[{}, {}]", ansic(earliest), ansic(latest)),
                            "certificates": certificates_json(certificates),
                        }),
                    );
                }
                Some(InspectedTimestamp::Error(e)) => {
                    unsigned.insert("timestampSignature".into(), json!({ "error": e }));
                }
                None => {}
            }
            json!({
                "digest": s.digest,
                "signatureAlgorithm": s.signature_algorithm,
                "signatureEnvelopeType": s.envelope_type,
                "signedAttributes": signed,
                "userDefinedAttributes": user,
                "unsignedAttributes": unsigned,
                "certificates": certificates_json(&s.certificates),
                "signedArtifact": {
                    "mediaType": s.signed_artifact.media_type,
                    "digest": s.signed_artifact.digest,
                    "size": s.signed_artifact.size,
                },
            })
        })
        .collect();
    json!({"mediaType": artifact_media_type, "signatures": sigs})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(digest: &str) -> Descriptor {
        Descriptor {
            digest: digest.into(),
            ..Descriptor::default()
        }
    }

    #[test]
    fn list_tree_matches_notation() {
        assert_eq!(
            list("r/a@sha256:1", &[d("sha256:a"), d("sha256:b")], Some(100)),
            "r/a@sha256:1\n└── application/vnd.cncf.notary.signature\n    ├── sha256:a\n    └── sha256:b\n"
        );
        assert_eq!(
            list("r/a@sha256:1", &[], None),
            "r/a@sha256:1 has no associated signature\n"
        );
        assert_eq!(
            list("r@x", &[d("a"), d("b")], Some(1)),
            "r@x\n└── application/vnd.cncf.notary.signature\n    └── a\nWarning: exceeded configured limit of max signatures 1 to examine\n"
        );
    }

    #[test]
    fn nested_prefixes() {
        let t = Node::branch(
            "root",
            vec![
                Node::branch("a", vec![Node::leaf("a1"), Node::leaf("a2")]),
                Node::branch("b", vec![Node::leaf("b1")]),
            ],
        );
        assert_eq!(
            t.render(),
            "root\n├── a\n│   ├── a1\n│   └── a2\n└── b\n    └── b1\n"
        );
    }
}
