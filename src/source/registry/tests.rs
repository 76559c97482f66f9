//! The client against a fake transport: what it sends, and what it makes of every answer.

use super::descriptor::parse_media_type;
use super::digest::sha256_digest;
use super::error::{render_error_code, RawError};
use super::referrers::{filter_applied, parse_link};
use super::resolve::valid_tag;
use super::transport::{Body, HttpRequest, HttpResponse, Transport};
use super::wire::{OCI_ARTIFACT_MANIFEST, OCI_IMAGE_INDEX, OCI_IMAGE_MANIFEST};
use super::*;
use crate::source::NOTARY_SIGNATURE_ARTIFACT_TYPE;
use futures::future::BoxFuture;
use futures::StreamExt;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde_json::json;
use std::sync::Mutex as StdMutex;

#[derive(Clone, Default)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Never send anything (a server that hangs).
    hang: bool,
}

impl Reply {
    fn new(status: u16) -> Self {
        Reply {
            status,
            ..Default::default()
        }
    }
    fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    fn body(mut self, b: impl Into<Vec<u8>>) -> Self {
        self.body = b.into();
        self
    }
}

type Rule = Box<dyn Fn(&HttpRequest) -> Option<Reply> + Send + Sync>;

/// An in-memory registry: manifests by digest and tag, blobs, optionally the referrers API,
/// optionally auth; rules added by a test are consulted first.
#[derive(Default)]
struct Fake {
    manifests: StdMutex<HashMap<String, (String, Vec<u8>)>>,
    blobs: StdMutex<HashMap<String, Vec<u8>>>,
    referrers: StdMutex<Option<HashMap<String, Vec<serde_json::Value>>>>,
    rules: StdMutex<Vec<Rule>>,
    log: StdMutex<Vec<HttpRequest>>,
    basic: StdMutex<Option<String>>,
}

impl Fake {
    fn rule(&self, r: impl Fn(&HttpRequest) -> Option<Reply> + Send + Sync + 'static) {
        self.rules.lock().unwrap().push(Box::new(r));
    }

    fn put_manifest(&self, media_type: &str, bytes: &[u8], tag: Option<&str>) -> Descriptor {
        let digest = sha256_digest(bytes);
        let mut m = self.manifests.lock().unwrap();
        m.insert(digest.clone(), (media_type.into(), bytes.to_vec()));
        if let Some(tag) = tag {
            m.insert(tag.into(), (media_type.into(), bytes.to_vec()));
        }
        Descriptor {
            media_type: media_type.into(),
            digest,
            size: bytes.len() as u64,
            ..Default::default()
        }
    }

    fn put_blob(&self, bytes: &[u8]) -> Descriptor {
        let digest = sha256_digest(bytes);
        self.blobs
            .lock()
            .unwrap()
            .insert(digest.clone(), bytes.to_vec());
        Descriptor {
            media_type: "application/jose+json".into(),
            digest,
            size: bytes.len() as u64,
            ..Default::default()
        }
    }

    /// A signature manifest with one envelope layer, referring to `subject`.
    fn put_signature(&self, subject: &Descriptor, envelope: &[u8]) -> Descriptor {
        let layer = self.put_blob(envelope);
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": OCI_IMAGE_MANIFEST,
            "artifactType": NOTARY_SIGNATURE_ARTIFACT_TYPE,
            "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": sha256_digest(b"{}"), "size": 2},
            "layers": [{"mediaType": layer.media_type, "digest": layer.digest, "size": layer.size}],
            "subject": {"mediaType": subject.media_type, "digest": subject.digest, "size": subject.size},
        });
        let mut d = self.put_manifest(OCI_IMAGE_MANIFEST, manifest.to_string().as_bytes(), None);
        d.artifact_type = Some(NOTARY_SIGNATURE_ARTIFACT_TYPE.into());
        d
    }

    fn enable_referrers(&self) {
        *self.referrers.lock().unwrap() = Some(HashMap::new());
    }

    fn add_referrer(&self, subject: &Descriptor, d: &Descriptor) {
        let value = serde_json::to_value(d).unwrap();
        if let Some(map) = self.referrers.lock().unwrap().as_mut() {
            map.entry(subject.digest.clone()).or_default().push(value);
            return;
        }
        // Tag schema: rebuild the index for the subject.
        let tag = subject.digest.replace(':', "-");
        let mut m = self.manifests.lock().unwrap();
        let mut manifests: Vec<serde_json::Value> = m
            .get(&tag)
            .map(|(_, b)| {
                serde_json::from_slice::<serde_json::Value>(b).unwrap()["manifests"]
                    .as_array()
                    .unwrap()
                    .clone()
            })
            .unwrap_or_default();
        manifests.push(value);
        let index =
            json!({"schemaVersion": 2, "mediaType": OCI_IMAGE_INDEX, "manifests": manifests});
        m.insert(
            tag,
            (OCI_IMAGE_INDEX.into(), index.to_string().into_bytes()),
        );
    }

    fn requests(&self) -> Vec<HttpRequest> {
        self.log.lock().unwrap().clone()
    }

    fn serve(&self, req: &HttpRequest) -> Reply {
        for rule in self.rules.lock().unwrap().iter() {
            if let Some(reply) = rule(req) {
                return reply;
            }
        }
        if let Some(expected) = self.basic.lock().unwrap().as_ref() {
            let sent = req
                .headers
                .iter()
                .find(|(k, _)| *k == "Authorization")
                .map(|(_, v)| v);
            if sent != Some(expected) {
                return Reply::new(401)
                    .header("WWW-Authenticate", "Basic realm=\"fake\"")
                    .header("Content-Type", "application/json")
                    .body(r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}"#);
            }
        }
        let path = req.url.path().to_owned();
        let Some(rest) = path.strip_prefix("/v2/repo/") else {
            return Reply::new(404);
        };
        if let Some(reference) = rest.strip_prefix("manifests/") {
            let m = self.manifests.lock().unwrap();
            let Some((media_type, bytes)) = m.get(reference) else {
                return Reply::new(404)
                    .header("Content-Type", "application/json")
                    .body(
                        r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#,
                    );
            };
            let reply = Reply::new(200)
                .header("Content-Type", media_type)
                .header("Content-Length", &bytes.len().to_string())
                .header("Docker-Content-Digest", &sha256_digest(bytes));
            return if req.method == Method::HEAD {
                reply
            } else {
                reply.body(bytes.clone())
            };
        }
        if let Some(digest) = rest.strip_prefix("blobs/") {
            return match self.blobs.lock().unwrap().get(digest) {
                Some(b) => Reply::new(200)
                    .header("Content-Length", &b.len().to_string())
                    .header("Content-Type", "application/octet-stream")
                    .body(b.clone()),
                None => Reply::new(404),
            };
        }
        if let Some(digest) = rest.strip_prefix("referrers/") {
            let referrers = self.referrers.lock().unwrap();
            let Some(map) = referrers.as_ref() else {
                return Reply::new(404)
                    .header("Content-Type", "text/plain")
                    .body("404 page not found");
            };
            let manifests = map.get(digest).cloned().unwrap_or_default();
            return Reply::new(200)
                .header("Content-Type", OCI_IMAGE_INDEX)
                .body(
                json!({"schemaVersion": 2, "mediaType": OCI_IMAGE_INDEX, "manifests": manifests})
                    .to_string(),
            );
        }
        Reply::new(404)
    }
}

struct FakeTransport(Arc<Fake>);

impl Transport for FakeTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'static, Result<HttpResponse, String>> {
        self.0.log.lock().unwrap().push(request.clone());
        let reply = self.0.serve(&request);
        Box::pin(async move {
            if reply.hang {
                futures::future::pending::<()>().await;
            }
            let mut headers = HeaderMap::new();
            for (k, v) in reply.headers {
                headers.append(
                    HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    HeaderValue::from_str(&v).unwrap(),
                );
            }
            // Deliver the body in small chunks, as a network would.
            let chunks: Vec<Result<Vec<u8>, String>> =
                reply.body.chunks(7).map(|c| Ok(c.to_vec())).collect();
            let body: Body = futures::stream::iter(chunks).boxed();
            Ok(HttpResponse {
                status: reply.status,
                headers,
                body,
            })
        })
    }
}

fn client_with(fake: &Arc<Fake>, options: RegistryOptions) -> RegistryClient {
    RegistryClient::with_transport(
        "reg.example:5000",
        "repo",
        options,
        Arc::new(FakeTransport(Arc::clone(fake))),
    )
    .unwrap()
}

fn client(fake: &Arc<Fake>) -> RegistryClient {
    client_with(
        fake,
        RegistryOptions {
            credentials: CredentialSource::Anonymous,
            prefetch: 0,
            ..Default::default()
        },
    )
}

fn subject(fake: &Fake) -> Descriptor {
    fake.put_manifest(OCI_IMAGE_MANIFEST, br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}"#, Some("v1"))
}

#[tokio::test]
async fn resolves_a_digest_with_head_and_oras_accept_list() {
    let fake = Arc::new(Fake::default());
    let s = subject(&fake);
    let c = client(&fake);
    let d = c.resolve(&s.digest).await.unwrap();
    assert_eq!(d, s);
    let head = &fake.requests()[0];
    assert_eq!(head.method, Method::HEAD);
    assert_eq!(
        head.url.as_str(),
        format!("https://reg.example:5000/v2/repo/manifests/{}", s.digest)
    );
    assert!(head
        .headers
        .contains(&("Accept", MANIFEST_ACCEPT.to_owned())));
    assert_eq!(c.resolve("v1").await.unwrap(), s);
}

#[tokio::test]
async fn resolve_reports_oras_messages() {
    let fake = Arc::new(Fake::default());
    let s = subject(&fake);
    let other = sha256_digest(b"other");
    let d = s.digest.clone();
    fake.rule(move |r| {
        (r.url.path().ends_with(&d)).then(|| {
            Reply::new(200)
                .header(
                    "Content-Type",
                    "application/vnd.oci.image.manifest.v1+json; charset=utf-8",
                )
                .header("Content-Length", "10")
                .header("Docker-Content-Digest", &sha256_digest(b"other"))
        })
    });
    let err = client(&fake).resolve(&s.digest).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "HEAD \"https://reg.example:5000/v2/repo/manifests/{0}\": invalid response; digest mismatch in Docker-Content-Digest: received \"{other}\" when expecting \"{0}\"",
            s.digest
        )
    );

    let fake = Arc::new(Fake::default());
    fake.rule(|_| {
        Some(
            Reply::new(200)
                .header("Content-Type", OCI_IMAGE_MANIFEST)
                .header("Docker-Content-Digest", &sha256_digest(b"x")),
        )
    });
    let err = client(&fake).resolve("v1").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "HEAD \"https://reg.example:5000/v2/repo/manifests/v1\": unknown response Content-Length"
    );

    let fake = Arc::new(Fake::default());
    let err = client(&fake)
        .resolve(&sha256_digest(b"none"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "reg.example:5000/repo@{}: not found",
            sha256_digest(b"none")
        )
    );
    let err = client(&fake).resolve("v9").await.unwrap_err();
    assert_eq!(err.to_string(), "reg.example:5000/repo:v9: not found");

    let fake = Arc::new(Fake::default());
    fake.rule(|_| Some(Reply::new(500)));
    let err = client(&fake).resolve("v1").await.unwrap_err();
    assert_eq!(err.to_string(), "HEAD \"https://reg.example:5000/v2/repo/manifests/v1\": response status code 500: Internal Server Error");

    // oras reads an error body through an 8 KiB LimitReader with a JSON decoder: what follows
    // the first value is ignored, and a document still open at 8 KiB is no document.
    for (body, detail) in [
        (
            br#"{"errors":[{"code":"DENIED","message":"no"}]} and then some"#.to_vec(),
            "denied: no",
        ),
        (
            [
                br#"{"errors":[{"code":"DENIED","message":""#.as_slice(),
                &[b'x'; 9000],
                br#""}]}"#,
            ]
            .concat(),
            "Forbidden",
        ),
    ] {
        let fake = Arc::new(Fake::default());
        fake.rule(move |_| Some(Reply::new(403).body(body.clone())));
        let err = client(&fake).list_tags().await.unwrap_err();
        assert!(
            err.to_string()
                .ends_with(&format!("response status code 403: {detail}")),
            "{err}"
        );
    }
}

#[tokio::test]
async fn referrers_api_is_filtered_client_side_unless_the_server_says_it_filtered() {
    let fake = Arc::new(Fake::default());
    fake.enable_referrers();
    let s = subject(&fake);
    let sig = fake.put_signature(&s, b"envelope");
    let mut sbom = fake.put_manifest(OCI_IMAGE_MANIFEST, b"{\"sbom\":1}", None);
    sbom.artifact_type = Some("application/spdx+json".into());
    fake.add_referrer(&s, &sbom);
    fake.add_referrer(&s, &sig);
    let c = client(&fake);
    let pages = c.list_signatures(&s, 100).await.unwrap();
    assert_eq!(pages, vec![vec![sig.clone()]]);
    let req = fake
        .requests()
        .into_iter()
        .find(|r| r.url.path().contains("/referrers/"))
        .unwrap();
    assert_eq!(
        req.url.query(),
        Some("artifactType=application%2Fvnd.cncf.notary.signature")
    );

    // The server says it applied the filter: its answer is taken as is.
    let fake2 = Arc::new(Fake::default());
    let sbom2 = sbom.clone();
    fake2.rule(move |r| {
        r.url.path().contains("/referrers/").then(|| {
            Reply::new(200)
                .header("Content-Type", OCI_IMAGE_INDEX)
                .header("OCI-Filters-Applied", "artifactType")
                .body(json!({"schemaVersion": 2, "manifests": [serde_json::to_value(&sbom2).unwrap()]}).to_string())
        })
    });
    let pages = client(&fake2).list_signatures(&s, 100).await.unwrap();
    assert_eq!(pages, vec![vec![sbom]]);
}

#[tokio::test]
async fn referrers_pages_follow_link_and_stop_at_max_or_page_cap() {
    let s_digest = sha256_digest(b"subject");
    let s = Descriptor {
        media_type: OCI_IMAGE_MANIFEST.into(),
        digest: s_digest,
        size: 7,
        ..Default::default()
    };
    let fake = Arc::new(Fake::default());
    fake.rule(|r| {
        if !r.url.path().contains("/referrers/") {
            return None;
        }
        let page: u32 = r.url.query_pairs().find(|(k, _)| k == "page").map(|(_, v)| v.parse().unwrap()).unwrap_or(0);
        let d = json!({"mediaType": OCI_IMAGE_MANIFEST, "digest": sha256_digest(&page.to_be_bytes()), "size": 1, "artifactType": NOTARY_SIGNATURE_ARTIFACT_TYPE});
        Some(
            Reply::new(200)
                .header("Content-Type", OCI_IMAGE_INDEX)
                // relative link, rel not checked
                .header("Link", &format!("</v2/repo/referrers/x?page={}>; rel=\"next\"", page + 1))
                .body(json!({"manifests": [d]}).to_string()),
        )
    });
    let c = client(&fake);
    let pages = c.list_signatures(&s, 3).await.unwrap();
    assert_eq!(
        pages.len(),
        3,
        "stops asking once max descriptors are listed"
    );
    assert_eq!(fake.requests().len(), 3);

    let c = client_with(
        &fake,
        RegistryOptions {
            max_pages: 5,
            prefetch: 0,
            credentials: CredentialSource::Anonymous,
            ..Default::default()
        },
    );
    let err = c.list_signatures(&s, usize::MAX).await.unwrap_err();
    assert!(
        matches!(err, RegistryError::TooManyPages { limit: 5, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn falls_back_to_the_tag_schema_exactly_when_oras_does() {
    // docker-registry 2.8: text/plain 404 from the router.
    let fake = Arc::new(Fake::default());
    let s = subject(&fake);
    let sig = fake.put_signature(&s, b"env");
    fake.add_referrer(&s, &sig);
    let pages = client(&fake).list_signatures(&s, 100).await.unwrap();
    assert_eq!(pages, vec![vec![sig.clone()]]);
    let paths: Vec<String> = fake
        .requests()
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert!(paths[0].contains("/referrers/"));
    assert_eq!(
        paths[1],
        format!("/v2/repo/manifests/{}", s.digest.replace(':', "-"))
    );

    // No tag either: no signatures, no error.
    let fake = Arc::new(Fake::default());
    let s = subject(&fake);
    assert!(client(&fake)
        .list_signatures(&s, 100)
        .await
        .unwrap()
        .is_empty());

    // 200 but not an image index: unsupported, fall back.
    let fake = Arc::new(Fake::default());
    let s = subject(&fake);
    fake.rule(|r| {
        r.url.path().contains("/referrers/").then(|| {
            Reply::new(200)
                .header("Content-Type", "application/json")
                .body("{}")
        })
    });
    client(&fake).list_signatures(&s, 100).await.unwrap();
    assert!(fake
        .requests()
        .iter()
        .any(|r| r.url.path().contains("sha256-")));

    // 404 NAME_UNKNOWN: the repository is missing, an error.
    let fake = Arc::new(Fake::default());
    let s = subject(&fake);
    fake.rule(|r| {
        r.url.path().contains("/referrers/").then(|| {
            Reply::new(404).header("Content-Type", "application/json").body(r#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"repo"}}]}"#)
        })
    });
    let err = client(&fake).list_signatures(&s, 100).await.unwrap_err();
    assert!(err.to_string().ends_with("response status code 404: name unknown: repository name not known to registry: map[name:repo]"), "{err}");
    assert!(!fake
        .requests()
        .iter()
        .any(|r| r.url.path().contains("sha256-")));

    // Other statuses are errors, not fallbacks.
    let fake = Arc::new(Fake::default());
    let s = subject(&fake);
    fake.rule(|r| {
        r.url
            .path()
            .contains("/referrers/")
            .then(|| Reply::new(403))
    });
    let err = client(&fake).list_signatures(&s, 100).await.unwrap_err();
    assert!(
        err.to_string()
            .ends_with("response status code 403: Forbidden"),
        "{err}"
    );
}

#[tokio::test]
async fn tag_index_is_size_checked_and_digest_verified() {
    let fake = Arc::new(Fake::default());
    let s = subject(&fake);
    let tag = s.digest.replace(':', "-");
    let t = tag.clone();
    fake.rule(move |r| {
        r.url.path().ends_with(&t).then(|| {
            Reply::new(200)
                .header("Content-Type", OCI_IMAGE_INDEX)
                .header("Content-Length", &(5 * 1024 * 1024).to_string())
                .header("Docker-Content-Digest", &sha256_digest(b"x"))
        })
    });
    let err = client(&fake).list_signatures(&s, 100).await.unwrap_err();
    assert_eq!(err.to_string(), format!("failed to read referrers index from referrers tag {tag}: content size 5242880 exceeds MaxMetadataBytes 4194304: size exceeds limit"));

    let fake = Arc::new(Fake::default());
    let s = subject(&fake);
    let t = tag.clone();
    fake.rule(move |r| {
        r.url.path().ends_with(&t).then(|| {
            let body = br#"{"manifests":[]}"#;
            Reply::new(200)
                .header("Content-Type", OCI_IMAGE_INDEX)
                .header("Content-Length", &body.len().to_string())
                .header("Docker-Content-Digest", &sha256_digest(b"something else"))
                .body(body.to_vec())
        })
    });
    let err = client(&fake).list_signatures(&s, 100).await.unwrap_err();
    assert_eq!(err, RegistryError::MismatchedDigest);
}

fn sig_fixture() -> (Arc<Fake>, Descriptor, Descriptor) {
    let fake = Arc::new(Fake::default());
    fake.enable_referrers();
    let s = subject(&fake);
    let sig = fake.put_signature(&s, b"{\"payload\":\"...\"}");
    fake.add_referrer(&s, &sig);
    (fake, s, sig)
}

#[tokio::test]
async fn fetches_manifest_and_single_envelope_verified() {
    let (fake, _s, sig) = sig_fixture();
    let got = client(&fake).fetch_signature(&sig).await.unwrap();
    assert_eq!(got.blob, b"{\"payload\":\"...\"}");
    assert_eq!(got.envelope.media_type, "application/jose+json");
    let reqs = fake.requests();
    assert!(reqs[0]
        .headers
        .contains(&("Accept", OCI_IMAGE_MANIFEST.to_owned())));
    assert!(reqs[1].url.path().starts_with("/v2/repo/blobs/sha256:"));
}

#[tokio::test]
async fn fetch_checks_descriptor_before_any_request() {
    let (fake, _s, sig) = sig_fixture();
    let c = client(&fake);
    let mut bad = sig.clone();
    bad.media_type = "application/vnd.docker.distribution.manifest.v2+json".into();
    assert_eq!(
        c.fetch_signature(&bad).await.unwrap_err().to_string(),
        "sigManifestDesc.MediaType requires \"application/vnd.oci.artifact.manifest.v1+json\" or \"application/vnd.oci.image.manifest.v1+json\", got \"application/vnd.docker.distribution.manifest.v2+json\""
    );
    let mut big = sig.clone();
    big.size = MAX_MANIFEST_BYTES + 1;
    assert_eq!(
        c.fetch_signature(&big).await.unwrap_err().to_string(),
        "signature manifest too large: 4194305 bytes"
    );
    let mut evil = sig.clone();
    evil.digest = "sha256:../../../v2/other/blobs/x".into();
    assert!(matches!(
        c.fetch_signature(&evil).await.unwrap_err(),
        RegistryError::InvalidDigest(_)
    ));
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn fetch_rejects_lying_servers() {
    // Content-Type differs from the descriptor.
    let (fake, _s, sig) = sig_fixture();
    let d = sig.digest.clone();
    fake.rule(move |r| {
        r.url.path().ends_with(&d).then(|| {
            Reply::new(200)
                .header("Content-Type", "application/vnd.oci.image.index.v1+json")
                .body("{}")
        })
    });
    let err = client(&fake).fetch_signature(&sig).await.unwrap_err();
    assert_eq!(err.to_string(), format!("GET \"https://reg.example:5000/v2/repo/manifests/{}\": mismatch response Content-Type \"application/vnd.oci.image.index.v1+json\": expect \"application/vnd.oci.image.manifest.v1+json\"", sig.digest));

    // Content-Length differs from the descriptor.
    let (fake, _s, sig) = sig_fixture();
    let d = sig.digest.clone();
    fake.rule(move |r| {
        r.url.path().ends_with(&d).then(|| {
            Reply::new(200)
                .header("Content-Type", OCI_IMAGE_MANIFEST)
                .header("Content-Length", "3")
                .body("abc")
        })
    });
    let err = client(&fake).fetch_signature(&sig).await.unwrap_err();
    assert!(
        err.to_string().ends_with(": mismatch Content-Length"),
        "{err}"
    );

    // Body other than the digest: right size, wrong bytes.
    let (fake, _s, sig) = sig_fixture();
    let d = sig.digest.clone();
    let n = sig.size as usize;
    fake.rule(move |r| {
        r.url.path().ends_with(&d).then(|| {
            Reply::new(200)
                .header("Content-Type", OCI_IMAGE_MANIFEST)
                .body(vec![b' '; n])
        })
    });
    assert_eq!(
        client(&fake).fetch_signature(&sig).await.unwrap_err(),
        RegistryError::MismatchedDigest
    );

    // Longer body without Content-Length: trailing data, not buffered.
    let (fake, _s, sig) = sig_fixture();
    let d = sig.digest.clone();
    let n = sig.size as usize;
    fake.rule(move |r| {
        r.url.path().ends_with(&d).then(|| {
            Reply::new(200)
                .header("Content-Type", OCI_IMAGE_MANIFEST)
                .body(vec![b' '; n + 1000])
        })
    });
    assert_eq!(
        client(&fake).fetch_signature(&sig).await.unwrap_err(),
        RegistryError::TrailingData
    );

    // Short body.
    let (fake, _s, sig) = sig_fixture();
    let d = sig.digest.clone();
    fake.rule(move |r| {
        r.url.path().ends_with(&d).then(|| {
            Reply::new(200)
                .header("Content-Type", OCI_IMAGE_MANIFEST)
                .body("{}")
        })
    });
    assert_eq!(
        client(&fake)
            .fetch_signature(&sig)
            .await
            .unwrap_err()
            .to_string(),
        format!(
            "read failed: expected content size of {}, got 2, for digest {}: unexpected EOF",
            sig.size, sig.digest
        )
    );

    // Blob bytes that do not match the layer digest.
    let (fake, _s, sig) = sig_fixture();
    fake.rule(|r| {
        r.url
            .path()
            .contains("/blobs/")
            .then(|| Reply::new(200).body("{\"payload\":\"..!\"}"))
    });
    assert_eq!(
        client(&fake).fetch_signature(&sig).await.unwrap_err(),
        RegistryError::MismatchedDigest
    );
}

#[tokio::test]
async fn fetch_requires_exactly_one_small_layer() {
    let fake = Arc::new(Fake::default());
    let s = subject(&fake);
    let two = json!({"mediaType": OCI_IMAGE_MANIFEST, "layers": [
        {"mediaType": "application/jose+json", "digest": sha256_digest(b"a"), "size": 1},
        {"mediaType": "application/jose+json", "digest": sha256_digest(b"b"), "size": 1}]});
    let d = fake.put_manifest(OCI_IMAGE_MANIFEST, two.to_string().as_bytes(), None);
    assert_eq!(
        client(&fake)
            .fetch_signature(&d)
            .await
            .unwrap_err()
            .to_string(),
        "signature manifest requries exactly one signature envelope blob, got 2"
    );
    let huge = json!({"layers": [{"mediaType": "application/cose", "digest": sha256_digest(b"a"), "size": 33554433u64}]});
    let d = fake.put_manifest(OCI_IMAGE_MANIFEST, huge.to_string().as_bytes(), None);
    assert_eq!(
        client(&fake)
            .fetch_signature(&d)
            .await
            .unwrap_err()
            .to_string(),
        "signature blob too large: 33554433 bytes"
    );
    // An artifact manifest's envelope is under `blobs`.
    let blob = fake.put_blob(b"cose!");
    let art = json!({"mediaType": OCI_ARTIFACT_MANIFEST, "blobs": [{"mediaType": "application/cose", "digest": blob.digest, "size": blob.size}], "subject": s});
    let d = fake.put_manifest(OCI_ARTIFACT_MANIFEST, art.to_string().as_bytes(), None);
    let got = client(&fake).fetch_signature(&d).await.unwrap();
    assert_eq!(got.envelope.media_type, "application/cose");
    assert_eq!(got.blob, b"cose!");
}

#[tokio::test]
async fn basic_auth_answers_the_challenge_and_is_reused() {
    let (fake, s, _sig) = sig_fixture();
    *fake.basic.lock().unwrap() = Some("Basic YWxpY2U6czNjcmV0".into()); // alice:s3cret
    let c = client_with(
        &fake,
        RegistryOptions {
            credentials: CredentialSource::Explicit(Credentials::Basic {
                username: "alice".into(),
                password: "s3cret".into(),
            }),
            prefetch: 0,
            ..Default::default()
        },
    );
    c.resolve(&s.digest).await.unwrap();
    c.list_signatures(&s, 10).await.unwrap();
    let reqs = fake.requests();
    // 401, retry, then the referrers call goes out authorized at once.
    assert_eq!(reqs.len(), 3);
    assert!(!reqs[0].headers.iter().any(|(k, _)| *k == "Authorization"));
    assert!(reqs[1]
        .headers
        .contains(&("Authorization", "Basic YWxpY2U6czNjcmV0".into())));
    assert!(reqs[2]
        .headers
        .contains(&("Authorization", "Basic YWxpY2U6czNjcmV0".into())));

    // Anonymous against a Basic registry: the 401 is the answer.
    let anon = client(&fake);
    let err = anon.resolve(&s.digest).await.unwrap_err();
    assert!(
        err.to_string()
            .ends_with("response status code 401: unauthorized: authentication required"),
        "{err}"
    );
}

#[tokio::test]
async fn bearer_flow_gets_a_scoped_token() {
    let (fake, s, _sig) = sig_fixture();
    fake.rule(|r| {
        if r.url.host_str() == Some("auth.example") {
            let q: HashMap<_, _> = r.url.query_pairs().into_owned().collect();
            assert_eq!(q["scope"], "repository:repo:pull");
            assert_eq!(q["service"], "reg");
            assert!(r.headers.contains(&("Authorization", "Basic dTpw".into())));
            return Some(Reply::new(200).body(r#"{"token":"T0K"}"#));
        }
        let authorized = r.headers.contains(&("Authorization", "Bearer T0K".into()));
        (!authorized).then(|| {
            Reply::new(401).header("WWW-Authenticate", r#"Bearer realm="https://auth.example/token",service="reg",scope="repository:repo:pull""#)
        })
    });
    let c = client_with(
        &fake,
        RegistryOptions {
            credentials: CredentialSource::Explicit(Credentials::Basic {
                username: "u".into(),
                password: "p".into(),
            }),
            prefetch: 0,
            ..Default::default()
        },
    );
    assert_eq!(c.resolve(&s.digest).await.unwrap(), s);
    assert_eq!(fake.requests().len(), 3);

    // An identity token is exchanged with a refresh_token POST.
    let (fake, s, _sig) = sig_fixture();
    fake.rule(|r| {
        if r.url.host_str() == Some("auth.example") {
            assert_eq!(r.method, Method::POST);
            let form: HashMap<_, _> = r.form.clone().unwrap().into_iter().collect();
            assert_eq!(form["grant_type"], "refresh_token");
            assert_eq!(form["refresh_token"], "REFRESH");
            assert_eq!(form["scope"], "repository:repo:pull");
            return Some(Reply::new(200).body(r#"{"access_token":"ACC"}"#));
        }
        (!r.headers.contains(&("Authorization", "Bearer ACC".into()))).then(|| {
            Reply::new(401).header(
                "WWW-Authenticate",
                r#"Bearer realm="https://auth.example/token",service="reg""#,
            )
        })
    });
    let c = client_with(
        &fake,
        RegistryOptions {
            credentials: CredentialSource::Explicit(Credentials::IdentityToken("REFRESH".into())),
            prefetch: 0,
            ..Default::default()
        },
    );
    assert_eq!(c.resolve(&s.digest).await.unwrap(), s);
}

#[tokio::test]
async fn credentials_do_not_follow_a_redirect_to_another_host() {
    let (fake, _s, sig) = sig_fixture();
    *fake.basic.lock().unwrap() = Some("Basic dTpw".into());
    fake.rule(|r| {
        if r.url.host_str() == Some("blobs.example") {
            assert!(
                !r.headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("authorization")),
                "credentials leaked to blob storage"
            );
            return Some(Reply::new(200).body("{\"payload\":\"...\"}"));
        }
        let authorized = r.headers.contains(&("Authorization", "Basic dTpw".into()));
        (authorized && r.url.path().contains("/blobs/"))
            .then(|| Reply::new(307).header("Location", "https://blobs.example/data?sig=1"))
    });
    let c = client_with(
        &fake,
        RegistryOptions {
            credentials: CredentialSource::Explicit(Credentials::Basic {
                username: "u".into(),
                password: "p".into(),
            }),
            prefetch: 0,
            ..Default::default()
        },
    );
    let got = c.fetch_signature(&sig).await.unwrap();
    assert_eq!(got.blob, b"{\"payload\":\"...\"}");
    assert!(fake
        .requests()
        .iter()
        .any(|r| r.url.host_str() == Some("blobs.example")));

    // A redirect loop ends.
    let (fake, _s, sig) = sig_fixture();
    fake.rule(|r| {
        r.url
            .path()
            .contains("/blobs/")
            .then(|| Reply::new(302).header("Location", r.url.as_str()))
    });
    let err = client(&fake).fetch_signature(&sig).await.unwrap_err();
    assert!(
        err.to_string().ends_with("stopped after 10 redirects"),
        "{err}"
    );
}

#[tokio::test]
async fn a_hanging_server_ends_at_the_deadline_naming_the_host() {
    let (fake, s, _sig) = sig_fixture();
    fake.rule(|_| {
        Some(Reply {
            hang: true,
            ..Reply::new(200)
        })
    });
    let c = client_with(
        &fake,
        RegistryOptions {
            request_timeout: Duration::from_millis(150),
            credentials: CredentialSource::Anonymous,
            ..Default::default()
        },
    );
    let start = std::time::Instant::now();
    let err = c.resolve(&s.digest).await.unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(&err, RegistryError::Timeout { host, .. } if host == "reg.example"),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("no complete response from reg.example within 150ms"),
        "{err}"
    );
}

#[tokio::test]
async fn digest_resolve_overlaps_with_referrers_and_signatures_are_prefetched() {
    let fake = Arc::new(Fake::default());
    fake.enable_referrers();
    let s = subject(&fake);
    let sigs: Vec<Descriptor> = (0..3)
        .map(|i| fake.put_signature(&s, format!("env{i}").as_bytes()))
        .collect();
    for sig in &sigs {
        fake.add_referrer(&s, sig);
    }
    let c = client_with(
        &fake,
        RegistryOptions {
            credentials: CredentialSource::Anonymous,
            ..Default::default()
        },
    );
    c.resolve(&s.digest).await.unwrap();
    let pages = c.list_signatures(&s, 2).await.unwrap();
    assert_eq!(pages, vec![sigs.clone()]);
    // The two signatures that will be tried are fetched without being asked for.
    for _ in 0..100 {
        if c.requests_sent() >= 6 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        c.requests_sent(),
        6,
        "HEAD + referrers + 2 x (manifest + blob)"
    );
    let first = c.fetch_signature(&sigs[0]).await.unwrap();
    assert_eq!(first.blob, b"env0");
    c.fetch_signature(&sigs[1]).await.unwrap();
    assert_eq!(c.requests_sent(), 6, "served from the prefetch");
    c.fetch_signature(&sigs[2]).await.unwrap();
    assert_eq!(c.requests_sent(), 8);
}

#[tokio::test]
async fn a_prefetched_failure_is_returned_only_for_that_signature() {
    let fake = Arc::new(Fake::default());
    fake.enable_referrers();
    let s = subject(&fake);
    let good = fake.put_signature(&s, b"good");
    let mut bad = fake.put_signature(&s, b"bad");
    bad.size += 1; // the manifest will not match its descriptor
    fake.add_referrer(&s, &good);
    fake.add_referrer(&s, &bad);
    let c = client_with(
        &fake,
        RegistryOptions {
            credentials: CredentialSource::Anonymous,
            ..Default::default()
        },
    );
    let pages = c.list_signatures(&s, 3).await.unwrap();
    let listed: Vec<_> = pages.concat();
    assert!(c.fetch_signature(&listed[0]).await.is_ok());
    assert!(c.fetch_signature(&listed[1]).await.is_err());
}

#[test]
fn helpers_match_go() {
    assert_eq!(
        parse_media_type(Some(
            "application/vnd.oci.image.manifest.v1+json; charset=utf-8"
        ))
        .unwrap(),
        OCI_IMAGE_MANIFEST
    );
    assert_eq!(
        parse_media_type(Some("Application/JSON")).unwrap(),
        "application/json"
    );
    assert!(parse_media_type(None).is_err());
    assert!(filter_applied(Some("annotation,artifactType")));
    assert!(!filter_applied(Some("artifacttype")));
    let base = Url::parse("https://r.example/v2/a/referrers/x?artifactType=t").unwrap();
    assert_eq!(
        parse_link("<https://other.example/next>; rel=\"next\"", &base)
            .unwrap()
            .as_str(),
        "https://other.example/next"
    );
    assert!(parse_link("https://x", &base).is_err());
    assert!(parse_link("<https://x", &base).is_err());
    assert!(valid_tag("v1.2.3_x-y") && !valid_tag("-x") && !valid_tag("a/b") && !valid_tag(""));
    assert_eq!(
        render_error_code(&RawError {
            code: "MANIFEST_UNKNOWN".into(),
            message: "manifest unknown".into(),
            detail: None
        }),
        "manifest unknown: manifest unknown"
    );
}
