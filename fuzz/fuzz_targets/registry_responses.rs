//! Registry responses: the whole client (resolve, referrers API or tag-schema listing with its
//! pages, signature manifest, envelope blob; auth challenges and redirects on the way) against a
//! registry whose answers come from the fuzz input.
//!
//! Input: responses separated by `\n~~~\n`, served one per request in order (then 404). Each is
//! a status line, `Name: value` header lines, a blank line, and the body, sent in two chunks.
//! An input starting with `MANIFEST\n` instead has a well-formed registry list one signature
//! whose manifest is the rest of the input, digest and size made to match, so that mutations
//! reach the manifest parser behind the digest check.
#![no_main]

use fluxverify::source::registry::transport::{HttpRequest, HttpResponse, Transport};
use fluxverify::source::registry::{CredentialSource, RegistryClient, RegistryOptions};
use fluxverify::source::SignatureSource;
use futures::future::BoxFuture;
use libfuzzer_sys::fuzz_target;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

const SUBJECT: &[u8] = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#;
const IMAGE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn parse_reply(raw: &[u8]) -> Reply {
    let text_end = raw
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..text_end]);
    let body = raw.get(text_end + 2..).unwrap_or_default().to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(200);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body,
    }
}

/// The registry for `MANIFEST` inputs: a subject, a referrers page naming the manifest.
fn manifest_script(manifest: &[u8]) -> Vec<Reply> {
    let subject_headers = vec![
        ("Content-Type".to_owned(), IMAGE_MANIFEST.to_owned()),
        ("Docker-Content-Digest".to_owned(), sha256(SUBJECT)),
        ("Content-Length".to_owned(), SUBJECT.len().to_string()),
    ];
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"{IMAGE_MANIFEST}","digest":"{}","size":{},"artifactType":"application/vnd.cncf.notary.signature"}}]}}"#,
        sha256(manifest),
        manifest.len()
    );
    vec![
        Reply {
            status: 200,
            headers: subject_headers,
            body: Vec::new(),
        },
        Reply {
            status: 200,
            headers: vec![(
                "Content-Type".into(),
                "application/vnd.oci.image.index.v1+json".into(),
            )],
            body: index.into_bytes(),
        },
        Reply {
            status: 200,
            headers: vec![
                ("Content-Type".into(), IMAGE_MANIFEST.into()),
                ("Docker-Content-Digest".into(), sha256(manifest)),
            ],
            body: manifest.to_vec(),
        },
    ]
}

struct Scripted(Mutex<VecDeque<Reply>>);

impl Transport for Scripted {
    fn send(&self, _request: HttpRequest) -> BoxFuture<'static, Result<HttpResponse, String>> {
        let reply = self
            .0
            .lock()
            .expect("not poisoned")
            .pop_front()
            .unwrap_or(Reply {
                status: 404,
                headers: Vec::new(),
                body: Vec::new(),
            });
        Box::pin(async move {
            let mut headers = HeaderMap::new();
            for (k, v) in reply.headers {
                if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
                    headers.append(k, v);
                }
            }
            let half = reply.body.len() / 2;
            let chunks = vec![
                Ok(reply.body[..half].to_vec()),
                Ok(reply.body[half..].to_vec()),
            ];
            Ok(HttpResponse {
                status: reply.status,
                headers,
                body: Box::pin(futures::stream::iter(chunks)),
            })
        })
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    let replies: Vec<Reply> = match data.strip_prefix(b"MANIFEST\n") {
        Some(manifest) => manifest_script(manifest),
        None => {
            let mut out = Vec::new();
            let mut rest = data;
            while let Some(i) = rest.windows(5).position(|w| w == b"\n~~~\n") {
                out.push(parse_reply(&rest[..i]));
                rest = &rest[i + 5..];
            }
            out.push(parse_reply(rest));
            out
        }
    };
    let transport = Arc::new(Scripted(Mutex::new(replies.into())));
    let options = RegistryOptions {
        credentials: CredentialSource::Explicit(fluxverify::source::registry::Credentials::Basic {
            username: "fuzz".into(),
            password: "fuzz".into(),
        }),
        request_timeout: Duration::from_secs(5),
        prefetch: 0,
        ..Default::default()
    };
    let Ok(client) = RegistryClient::with_transport("registry.fuzz", "app", options, transport)
    else {
        return;
    };
    runtime().block_on(async {
        let Ok(subject) = client.resolve(&sha256(SUBJECT)).await else {
            return;
        };
        let Ok(pages) = client.list_signatures(&subject, 10).await else {
            return;
        };
        for signature in pages.concat() {
            let _ = client.fetch_signature(&signature).await;
        }
    });
});
