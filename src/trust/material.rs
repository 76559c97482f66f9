//! Trust material as the commands receive it: a Secret manifest, or a policy file plus
//! certificate paths, turned into a validated trust policy and a trust store, in the order and
//! with the errors of Flux (or the notation CLI).

use super::policy::clean::clean_trust_policy;
use super::policy::{Dialect, ParseError, PolicyError, StoreType, TrustPolicyDocument};
use super::secret::{self, FluxSecretError, InputError, Secret};
use super::store::{CertEntry, FluxTrustStore, NotationTrustStore, TrustStore, TrustStoreError};
use crate::pki::cert::Certificate;
use std::path::{Path, PathBuf};

/// Where the trust material comes from.
#[derive(Debug, Clone, Default)]
pub struct TrustInput {
    /// `--secret FILE` (`-` = stdin).
    pub secret: Option<PathBuf>,
    /// `--secret-name`.
    pub secret_name: Option<String>,
    /// `--trust-policy FILE`.
    pub trust_policy: Option<PathBuf>,
    /// `--certs PATH` / `TYPE:NAME=PATH`, repeatable.
    pub certs: Vec<String>,
}

/// Why trust material is unusable.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// An input file could not be read (the command cannot run).
    #[error(transparent)]
    Input(#[from] InputError),
    /// Neither `--secret` nor `--trust-policy`, or a bad `--certs` value.
    #[error("{0}")]
    Usage(String),
    /// The Secret lacks what Flux needs (Flux fails verification with this text).
    #[error(transparent)]
    Secret(#[from] FluxSecretError),
    /// `trustpolicy.json` does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The policy fails notation-go's validation.
    #[error(transparent)]
    Invalid(#[from] PolicyError),
}

impl TrustError {
    /// Whether the material is there but Flux/notation would reject it (verification fails),
    /// rather than the command being unable to read it.
    pub fn is_verification_failure(&self) -> bool {
        matches!(
            self,
            TrustError::Secret(_) | TrustError::Parse(_) | TrustError::Invalid(_)
        )
    }
}

/// Certificates read from `--certs` or the Secret, and how they are organised.
#[derive(Debug, Clone)]
pub enum Store {
    /// Flux: every value for every store.
    Flux(FluxTrustStore),
    /// notation CLI: named stores.
    Notation(NotationTrustStore),
}

impl TrustStore for Store {
    fn certificates(
        &self,
        store_type: StoreType,
        name: &str,
    ) -> Result<Vec<Certificate>, TrustStoreError> {
        match self {
            Store::Flux(s) => s.certificates(store_type, name),
            Store::Notation(s) => s.certificates(store_type, name),
        }
    }
}

/// Trust material read from disk, before the policy is judged.
#[derive(Debug, Clone)]
pub struct TrustMaterial {
    /// Where it came from, for messages (`secret 'ns/name' in FILE`, or the policy file).
    pub origin: String,
    /// The Secret, when one was read.
    pub secret: Option<Secret>,
    /// The `trustpolicy.json` bytes (`None`: the Secret lacks the key).
    pub policy_bytes: Option<Vec<u8>>,
    /// Certificate values (Secret keys ending `.crt`/`.pem`, or files).
    pub cert_entries: Vec<CertEntry>,
    /// `TYPE:NAME=PATH` values (notation mode).
    pub named_stores: Vec<(StoreType, String, PathBuf)>,
    /// Plain directories that are notation trust store roots (`<dir>/x509/...`).
    pub store_roots: Vec<PathBuf>,
    /// Things worth telling the user.
    pub warnings: Vec<String>,
}

/// A policy ready for verification.
#[derive(Debug, Clone)]
pub struct LoadedPolicy {
    /// The document, after Flux's clean-up in flux mode; it has passed validation.
    pub document: TrustPolicyDocument,
    /// Flux's clean-up warnings (its log lines).
    pub cleanup_warnings: Vec<String>,
}

fn named_store_arg(arg: &str) -> Option<(StoreType, &str, &str)> {
    let (spec, path) = arg.split_once('=')?;
    let (store_type, name) = spec.split_once(':')?;
    let store_type = StoreType::from_name(store_type)?;
    super::policy::is_valid_store_name(name).then_some((store_type, name, path))
}

/// Every `*.crt` / `*.pem` file directly in `dir`, sorted.
fn certificate_files(dir: &Path) -> Result<Vec<PathBuf>, InputError> {
    let io = |error| InputError::Io {
        path: dir.to_path_buf(),
        error,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_file() && secret::is_certificate_key(&name) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

impl TrustMaterial {
    /// Reads the inputs. `dialect` decides how `--certs` values are understood.
    pub fn read(input: &TrustInput, dialect: Dialect) -> Result<Self, TrustError> {
        let mut material = match (&input.secret, &input.trust_policy) {
            (Some(path), None) => {
                let (secret, shape) =
                    secret::load_secret_with_shape(path, input.secret_name.as_deref())?;
                let origin = format!(
                    "secret '{}' in {}",
                    secret.namespaced_name(),
                    secret::input_name(path)
                );
                let mut material = Self::from_secret(secret, origin);
                material.warnings.extend(shape);
                material
            }
            (None, Some(path)) => Self {
                origin: secret::input_name(path),
                secret: None,
                policy_bytes: Some(secret::read_input(path)?),
                cert_entries: Vec::new(),
                named_stores: Vec::new(),
                store_roots: Vec::new(),
                warnings: Vec::new(),
            },
            (Some(_), Some(_)) => {
                return Err(TrustError::Usage(
                    "--secret and --trust-policy cannot be used together".into(),
                ))
            }
            (None, None) if !input.certs.is_empty() => Self {
                origin: "--certs".to_string(),
                secret: None,
                policy_bytes: None,
                cert_entries: Vec::new(),
                named_stores: Vec::new(),
                store_roots: Vec::new(),
                warnings: Vec::new(),
            },
            (None, None) => return Err(TrustError::Usage(
                "no trust material: give --secret FILE, or --trust-policy FILE with --certs PATH"
                    .into(),
            )),
        };
        for arg in &input.certs {
            material.add_certs_arg(arg, dialect)?;
        }
        if dialect == Dialect::Notation
            && material.secret.is_some()
            && !material.cert_entries.is_empty()
        {
            material.warnings.push(
                "a Secret has no named trust stores: in notation mode its certificates answer for every store name (with notation's CA / self-signed checks); use --trust-policy with --certs TYPE:NAME=PATH for named stores"
                    .into(),
            );
        }
        Ok(material)
    }

    /// The material of one Secret already read (from a manifest tree, say); `origin` names it
    /// in messages. The Secret's keys are judged as Flux judges them, later, by [`Self::policy`].
    pub fn from_secret(secret: Secret, origin: String) -> Self {
        let policy_bytes = secret.trust_policy().ok().map(<[u8]>::to_vec);
        let cert_entries = secret.certificate_entries().unwrap_or_default();
        let mut warnings = Vec::new();
        let ignored = secret.ignored_keys();
        if !ignored.is_empty() {
            warnings.push(format!(
                "keys ignored by Flux (neither trustpolicy.json nor *.crt / *.pem, case-sensitive): {}",
                ignored.join(", ")
            ));
        }
        Self {
            origin,
            secret: Some(secret),
            policy_bytes,
            cert_entries,
            named_stores: Vec::new(),
            store_roots: Vec::new(),
            warnings,
        }
    }

    fn add_certs_arg(&mut self, arg: &str, dialect: Dialect) -> Result<(), TrustError> {
        if let Some((store_type, name, path)) = named_store_arg(arg) {
            let path = PathBuf::from(path);
            if !path.exists() {
                return Err(InputError::Io {
                    error: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "no such file or directory",
                    ),
                    path,
                }
                .into());
            }
            match dialect {
                Dialect::Notation => {
                    self.named_stores.push((store_type, name.to_string(), path));
                    return Ok(());
                }
                Dialect::Flux => {
                    self.warnings.push(format!(
                        "--certs {arg}: Flux ignores trust store types and names; the certificates are used for every store"
                    ));
                    return self.add_plain_path(&path, dialect);
                }
            }
        }
        self.add_plain_path(Path::new(arg), dialect)
    }

    fn add_plain_path(&mut self, path: &Path, dialect: Dialect) -> Result<(), TrustError> {
        if path.is_dir() {
            if dialect == Dialect::Notation && path.join("x509").is_dir() {
                self.store_roots.push(path.to_path_buf());
                return Ok(());
            }
            for file in certificate_files(path)? {
                self.push_file(&file)?;
            }
            Ok(())
        } else {
            self.push_file(path)
        }
    }

    fn push_file(&mut self, path: &Path) -> Result<(), TrustError> {
        let data = secret::read_input(path)?;
        self.cert_entries.push(CertEntry {
            key: path.display().to_string(),
            data,
        });
        Ok(())
    }

    /// Flux's (or notation's) checks on the policy, in their order: Secret key present, JSON
    /// parses, certificate keys present (Flux), clean-up (Flux), validation.
    pub fn policy(&self, dialect: Dialect) -> Result<LoadedPolicy, TrustError> {
        let mut document = self.parsed_policy(dialect)?;
        if let (Some(secret), Dialect::Flux) = (&self.secret, dialect) {
            secret.certificate_entries()?;
        }
        let cleanup_warnings = match dialect {
            Dialect::Flux => clean_trust_policy(&mut document),
            Dialect::Notation => Vec::new(),
        };
        document.validate()?;
        Ok(LoadedPolicy {
            document,
            cleanup_warnings,
        })
    }

    /// The policy as parsed, before clean-up and validation (for `policy show`).
    pub fn parsed_policy(&self, dialect: Dialect) -> Result<TrustPolicyDocument, TrustError> {
        let bytes = match (&self.policy_bytes, &self.secret) {
            (Some(bytes), _) => bytes,
            (None, Some(secret)) => {
                return Err(secret.trust_policy().map(|_| ()).err().map_or_else(
                    || TrustError::Usage("trust policy missing".into()),
                    TrustError::Secret,
                ))
            }
            (None, None) => {
                return Err(TrustError::Usage(
                    "no trust policy: give --secret FILE or --trust-policy FILE".into(),
                ))
            }
        };
        Ok(TrustPolicyDocument::parse(bytes, dialect)?)
    }

    /// The trust store this material gives in `dialect`.
    pub fn store(&self, dialect: Dialect) -> Store {
        match dialect {
            Dialect::Flux => Store::Flux(FluxTrustStore::new(self.cert_entries.clone())),
            Dialect::Notation => {
                let mut store = NotationTrustStore::new();
                for (store_type, name, path) in &self.named_stores {
                    store.add(*store_type, name, path);
                }
                for root in &self.store_roots {
                    store.add_root(root);
                }
                for entry in &self.cert_entries {
                    store.add_any(entry.clone());
                }
                Store::Notation(store)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    const POLICY: &str = r#"{"version":"1.0","trustPolicies":[{"name":"s","registryScopes":["*"],
        "signatureVerification":{"level":"skip"},"trustStores":["ca:x"],"trustedIdentities":["*"]}]}"#;

    #[test]
    fn flux_order_and_cleanup() {
        let dir = tempfile::tempdir().unwrap();
        let b64 = |s: &str| {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(s)
        };
        let no_policy = write(
            dir.path(),
            "a.yaml",
            "kind: Secret\nmetadata: {name: n, namespace: ns}\ndata: {a.crt: AA==}\n",
        );
        let m = TrustMaterial::read(
            &TrustInput {
                secret: Some(no_policy),
                ..Default::default()
            },
            Dialect::Flux,
        )
        .unwrap();
        assert_eq!(
            m.policy(Dialect::Flux).unwrap_err().to_string(),
            "'trustpolicy.json' not found in secret 'ns/n'"
        );

        let no_certs = write(dir.path(), "b.yaml", &format!("kind: Secret\nmetadata: {{name: n, namespace: ns}}\ndata: {{trustpolicy.json: {}}}\n", b64("{")));
        let m = TrustMaterial::read(
            &TrustInput {
                secret: Some(no_certs.clone()),
                ..Default::default()
            },
            Dialect::Flux,
        )
        .unwrap();
        // Parsing comes before the certificate check.
        assert_eq!(
            m.policy(Dialect::Flux).unwrap_err().to_string(),
            "error occurred while parsing trustpolicy.json: unexpected end of JSON input"
        );

        let skip = write(dir.path(), "c.yaml", &format!("kind: Secret\nmetadata: {{name: n, namespace: ns}}\ndata: {{trustpolicy.json: {}}}\n", b64(POLICY)));
        let m = TrustMaterial::read(
            &TrustInput {
                secret: Some(skip.clone()),
                ..Default::default()
            },
            Dialect::Flux,
        )
        .unwrap();
        assert_eq!(
            m.policy(Dialect::Flux).unwrap_err().to_string(),
            "no certificates found in secret 'ns/n'"
        );

        let ok = write(dir.path(), "d.yaml", &format!("kind: Secret\nmetadata: {{name: n, namespace: ns}}\ndata: {{trustpolicy.json: {}, c.pem: ''}}\n", b64(POLICY)));
        let m = TrustMaterial::read(
            &TrustInput {
                secret: Some(ok),
                ..Default::default()
            },
            Dialect::Flux,
        )
        .unwrap();
        let loaded = m.policy(Dialect::Flux).unwrap();
        assert_eq!(loaded.cleanup_warnings.len(), 1);
        assert!(m
            .policy(Dialect::Notation)
            .unwrap_err()
            .to_string()
            .contains("is set to skip signature verification but configured"));
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn certs_args() {
        let dir = tempfile::tempdir().unwrap();
        let vectors = crate::testdata::upstream("notation-core-go/x509/testdata");
        std::fs::copy(vectors.join("pem.crt"), dir.path().join("one.crt")).unwrap();
        std::fs::copy(vectors.join("der.der"), dir.path().join("ignored.der")).unwrap();
        let policy = write(dir.path(), "p.json", POLICY);
        let input = TrustInput {
            trust_policy: Some(policy),
            certs: vec![
                dir.path().display().to_string(),
                format!("ca:x={}", vectors.join("der.der").display()),
            ],
            ..Default::default()
        };
        let m = TrustMaterial::read(&input, Dialect::Flux).unwrap();
        assert_eq!(m.cert_entries.len(), 2);
        assert_eq!(m.warnings.len(), 1);
        let n = TrustMaterial::read(&input, Dialect::Notation).unwrap();
        assert_eq!(n.named_stores.len(), 1);
        assert_eq!(
            n.store(Dialect::Notation)
                .certificates(StoreType::Ca, "x")
                .unwrap()
                .len(),
            2
        );
        let missing = TrustInput {
            certs: vec!["/nonexistent/x.crt".into()],
            ..input
        };
        assert!(matches!(
            TrustMaterial::read(&missing, Dialect::Flux),
            Err(TrustError::Input(_))
        ));
    }
}
