//! The real CNCF distribution registry (Debian's `docker-registry`, v2.8: no referrers API),
//! started per test on 127.0.0.1 with a free port and a temporary storage directory, killed on
//! drop. Plus a pusher that copies OCI image layouts into it byte for byte.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BINARY: &str = "/usr/bin/docker-registry";

/// `alice:s3cret`, bcrypt (`$2b$`, cost 5) made with libxcrypt's `crypt(3)`: the registry's
/// htpasswd accepts bcrypt only.
pub const HTPASSWD: &str = "alice:$2b$05$abcdefghijklmnopqrstuuLK7U1u6pVRmL7L1BBM2aS35PSZnDXlK\n";

pub struct Distribution {
    pub addr: String,
    child: Child,
    _dir: tempfile::TempDir,
    pub basic: Option<String>,
}

impl Drop for Distribution {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The registry binary. Missing, it fails the test with the install command (tests that use
/// it are marked for `scripts/test`'s `FLUXVERIFY_SKIP_REGISTRY_TESTS=1`; `external.rs`).
pub fn binary() -> PathBuf {
    let path = super::external::DOCKER_REGISTRY.require();
    assert_eq!(path, Path::new(BINARY));
    path
}

fn free_port() -> u16 {
    super::external::server_port()
}

impl Distribution {
    /// Starts the registry; with `htpasswd`, Basic auth is required.
    pub fn start(binary: &Path, htpasswd: bool) -> Distribution {
        Self::start_with(binary, htpasswd, None)
    }

    /// Starts the registry serving TLS with `(certificate, key)` PEM files when given.
    pub fn start_with(binary: &Path, htpasswd: bool, tls: Option<(&Path, &Path)>) -> Distribution {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let mut config = format!(
            "version: 0.1\nlog: {{level: error}}\nstorage:\n  filesystem: {{rootdirectory: {}}}\n  delete: {{enabled: true}}\nhttp:\n  addr: {addr}\n",
            dir.path().join("data").display()
        );
        if let Some((cert, key)) = tls {
            config.push_str(&format!(
                "  tls: {{certificate: {}, key: {}}}\n",
                cert.display(),
                key.display()
            ));
        }
        if htpasswd {
            std::fs::write(dir.path().join("htpasswd"), HTPASSWD).unwrap();
            config.push_str(&format!(
                "auth:\n  htpasswd: {{realm: fluxverify-test, path: {}}}\n",
                dir.path().join("htpasswd").display()
            ));
        }
        let cfg = dir.path().join("config.yml");
        std::fs::write(&cfg, config).unwrap();
        let child = Command::new(binary)
            .arg("serve")
            .arg(&cfg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start docker-registry");
        let basic = htpasswd.then(|| {
            use base64::Engine as _;
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("alice:s3cret")
            )
        });
        let reg = Distribution {
            addr,
            child,
            _dir: dir,
            basic,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if std::net::TcpStream::connect(&reg.addr).is_ok() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "docker-registry did not start on {}",
                reg.addr
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        reg
    }
}

/// Pushes content to a registry over plain HTTP.
pub struct Pusher {
    pub base: String,
    pub authorization: Option<String>,
    client: reqwest::Client,
}

impl Pusher {
    pub fn new(addr: &str, authorization: Option<String>) -> Pusher {
        Pusher {
            base: format!("http://{addr}"),
            authorization,
            client: reqwest::Client::new(),
        }
    }

    fn auth(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.authorization {
            Some(a) => rb.header("Authorization", a),
            None => rb,
        }
    }

    pub async fn blob(&self, repo: &str, bytes: &[u8]) {
        let digest = super::testreg::sha256(bytes);
        let head = self
            .auth(
                self.client
                    .head(format!("{}/v2/{repo}/blobs/{digest}", self.base)),
            )
            .send()
            .await
            .unwrap();
        if head.status() == 200 {
            return;
        }
        let start = self
            .auth(
                self.client
                    .post(format!("{}/v2/{repo}/blobs/uploads/", self.base)),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(start.status(), 202, "blob upload start");
        let location = start.headers()["location"].to_str().unwrap().to_owned();
        let url = if location.starts_with("http") {
            location
        } else {
            format!("{}{location}", self.base)
        };
        let sep = if url.contains('?') { '&' } else { '?' };
        let put = self
            .auth(self.client.put(format!("{url}{sep}digest={digest}")))
            .header("Content-Type", "application/octet-stream")
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(put.status(), 201, "blob upload of {digest}");
    }

    pub async fn manifest(&self, repo: &str, reference: &str, media_type: &str, bytes: &[u8]) {
        let r = self
            .auth(
                self.client
                    .put(format!("{}/v2/{repo}/manifests/{reference}", self.base)),
            )
            .header("Content-Type", media_type)
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        let status = r.status();
        assert_eq!(
            status,
            201,
            "manifest PUT {reference}: {}",
            r.text().await.unwrap_or_default()
        );
    }
}

/// An OCI image layout on disk.
pub struct Layout {
    pub dir: PathBuf,
    pub index: serde_json::Value,
}

impl Layout {
    pub fn open(dir: &Path) -> Layout {
        let index =
            serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
        Layout {
            dir: dir.to_owned(),
            index,
        }
    }

    pub fn blob(&self, digest: &str) -> Vec<u8> {
        let (alg, hex) = digest.split_once(':').unwrap();
        std::fs::read(self.dir.join("blobs").join(alg).join(hex)).unwrap()
    }

    pub fn manifests(&self) -> Vec<serde_json::Value> {
        self.index["manifests"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The descriptor tagged `tag` in `index.json`.
    pub fn tagged(&self, tag: &str) -> serde_json::Value {
        self.manifests()
            .into_iter()
            .find(|d| d["annotations"]["org.opencontainers.image.ref.name"] == tag)
            .unwrap()
    }

    /// Signature manifests of `subject` in index order, as referrers descriptors (artifactType
    /// from the manifest, else its config media type; the manifest's annotations), which is what
    /// oras-go writes into the referrers tag index.
    pub fn referrers_of(&self, subject: &str) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        for d in self.manifests() {
            if d["mediaType"] != "application/vnd.oci.image.manifest.v1+json" {
                continue;
            }
            let m: serde_json::Value =
                serde_json::from_slice(&self.blob(d["digest"].as_str().unwrap())).unwrap();
            if m["subject"]["digest"] != subject {
                continue;
            }
            let artifact_type = m["artifactType"]
                .as_str()
                .or(m["config"]["mediaType"].as_str())
                .unwrap();
            let mut r = serde_json::json!({"mediaType": d["mediaType"], "digest": d["digest"], "size": d["size"], "artifactType": artifact_type});
            if let Some(a) = m.get("annotations") {
                r["annotations"] = a.clone();
            }
            out.push(r);
        }
        out
    }

    /// Copies every blob and manifest of the layout into `repo`, byte for byte, with tags as
    /// annotated. Without a referrers tag index in the layout, writes one for `subject_tag`'s
    /// manifest, as oras-go does for a registry without the referrers API.
    pub async fn push(&self, pusher: &Pusher, repo: &str, subject_tag: &str) {
        let mut has_tag_index = false;
        // Image manifests first: the registry refuses an index whose manifests it lacks.
        let mut ordered = self.manifests();
        ordered.sort_by_key(|d| d["mediaType"] == "application/vnd.oci.image.index.v1+json");
        for d in ordered {
            let digest = d["digest"].as_str().unwrap();
            let media_type = d["mediaType"].as_str().unwrap();
            let bytes = self.blob(digest);
            let parsed: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            if media_type == "application/vnd.oci.image.manifest.v1+json" {
                pusher
                    .blob(
                        repo,
                        &self.blob(parsed["config"]["digest"].as_str().unwrap()),
                    )
                    .await;
                for l in parsed["layers"].as_array().cloned().unwrap_or_default() {
                    pusher
                        .blob(repo, &self.blob(l["digest"].as_str().unwrap()))
                        .await;
                }
            }
            let tag = d["annotations"]["org.opencontainers.image.ref.name"].as_str();
            if tag.is_some_and(|t| t.starts_with("sha256-")) {
                has_tag_index = true;
            }
            pusher
                .manifest(repo, tag.unwrap_or(digest), media_type, &bytes)
                .await;
            if tag.is_some() {
                pusher.manifest(repo, digest, media_type, &bytes).await;
            }
        }
        if !has_tag_index {
            let subject = self.tagged(subject_tag)["digest"]
                .as_str()
                .unwrap()
                .to_owned();
            let referrers = self.referrers_of(&subject);
            if !referrers.is_empty() {
                let index = serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": referrers});
                let bytes = serde_json::to_vec(&index).unwrap();
                pusher
                    .manifest(
                        repo,
                        &subject.replace(':', "-"),
                        "application/vnd.oci.image.index.v1+json",
                        &bytes,
                    )
                    .await;
            }
        }
    }
}

/// A test CA and a server certificate for 127.0.0.1 signed by it (rustls refuses a CA used as
/// the server certificate), made with `openssl`. Returns (ca.pem, server.pem, server.key).
pub fn tls_material(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let status = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl");
        assert!(status.success(), "openssl {args:?}");
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=fluxverify test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ]);
    run(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(dir.join("ext.cnf"), "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n").unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    )
}
