//! Trust stores: where notation-go gets the certificates a statement's `trustStores` name.
//!
//! - [`FluxTrustStore`] is source-controller's in-memory store: every `.crt`/`.pem` value of the
//!   Secret, whatever store type and name is asked for, only the first PEM block of each value
//!   (or the whole value as DER), no checks on what the certificates are.
//! - [`NotationTrustStore`] is the notation CLI's file store: one directory per `type/name`,
//!   every file in it read (all PEM blocks, or DER), each certificate required to be a CA or
//!   self-signed, TSA certificates required to be root CAs.

use crate::pki::algorithm::verify_x509_signature;
use crate::pki::cert::{parse_certificates, Certificate, CertificateError};
use crate::pki::chain::{check_signature_from, go_quote};
use crate::trust::pem;
pub use crate::trust::policy::StoreType;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why a store lookup failed; `Display` is what Flux or notation-go reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustStoreError {
    /// Flux: one value is not a certificate. Flux names the store the policy asked for, not
    /// the Secret key; `key` says which key it was.
    #[error("failed to parse certificate '{store}': {error}")]
    FluxParse {
        /// Store name the policy asked for.
        store: String,
        /// Secret key (or file) holding the bad value.
        key: String,
        /// Go's `x509` error.
        error: CertificateError,
    },
    /// notation: no such store.
    #[error("the trust store {} of type {} does not exist", go_quote(.name), go_quote(.store_type.name()))]
    Missing {
        /// Store name.
        name: String,
        /// Store type.
        store_type: StoreType,
    },
    /// notation: the store path is not a directory (or is a symlink).
    #[error("the trust store {name} of type {store_type} with path {} is not a regular directory (symlinks are not supported)", .path.display())]
    NotADirectory {
        /// Store name.
        name: String,
        /// Store type.
        store_type: StoreType,
        /// Store path.
        path: PathBuf,
    },
    /// notation: the directory cannot be listed.
    #[error("failed to access the trust store {} of type {}", go_quote(.name), go_quote(.store_type.name()))]
    Access {
        /// Store name.
        name: String,
        /// Store type.
        store_type: StoreType,
    },
    /// notation: a directory or symlink inside the store.
    #[error("trusted certificate {file} in trust store {name} of type {store_type} is not a regular file (directories or symlinks are not supported)")]
    NotAFile {
        /// File name.
        file: String,
        /// Store name.
        name: String,
        /// Store type.
        store_type: StoreType,
    },
    /// notation: a file that does not read as PEM or DER certificates.
    #[error(
        "failed to read the trusted certificate {file} in trust store {name} of type {store_type}"
    )]
    Read {
        /// File name.
        file: String,
        /// Store name.
        name: String,
        /// Store type.
        store_type: StoreType,
        /// The underlying reason.
        reason: String,
    },
    /// notation: no certificate in a file, or a leaf that is not self-signed.
    #[error("failed to validate the trusted certificate {file} in trust store {name} of type {store_type}")]
    Validate {
        /// File name.
        file: String,
        /// Store name.
        name: String,
        /// Store type.
        store_type: StoreType,
        /// The underlying reason (`certificate with subject ... is not a CA certificate or
        /// self-signed signing certificate`).
        reason: String,
    },
    /// notation: a TSA store certificate that is not a root CA.
    #[error("trusted certificate {file} in trust store {name} of type {store_type} is invalid: {reason}")]
    NotRootCa {
        /// File name.
        file: String,
        /// Store name.
        name: String,
        /// Store type.
        store_type: StoreType,
        /// Why.
        reason: String,
    },
    /// notation: the store has no certificates.
    #[error("no x509 certificates were found in trust store {} of type {}", go_quote(.name), go_quote(.store_type.name()))]
    Empty {
        /// Store name.
        name: String,
        /// Store type.
        store_type: StoreType,
    },
}

/// Which notation-go error type a store failure is: the notation CLI looks for them in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotationStoreErrorType {
    /// `truststore.TrustStoreError` (the store itself).
    TrustStore,
    /// `truststore.CertificateError` (a file in it, or no certificates at all).
    Certificate,
}

/// A store failure as notation-go's error value carries it, for the line the notation CLI
/// prints when such an error ends a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotationStoreError {
    /// `TrustStoreError` or `CertificateError`.
    pub error_type: NotationStoreErrorType,
    /// Its `Msg` (what `Error()` returns).
    pub message: String,
    /// Its `InnerError`'s text; `None` when notation-go leaves it nil.
    pub inner: Option<String>,
    /// Whether `InnerError` is (or wraps) `fs.ErrNotExist`.
    pub not_exist: bool,
}

impl TrustStoreError {
    /// The error as notation-go v1.3.2's `truststore` package builds it (`GetCertificates`).
    pub fn notation_error(&self) -> NotationStoreError {
        use NotationStoreErrorType::{Certificate as Cert, TrustStore as Store};
        let (error_type, inner, not_exist) = match self {
            // Flux's store is not notation's; its errors never reach the notation CLI.
            Self::FluxParse { error, .. } => (Store, Some(error.to_string()), false),
            Self::Missing { .. } => (Store, None, true),
            Self::NotADirectory { .. } => (Store, None, false),
            // Go's inner error is the OS error of `os.ReadDir`, which is not kept here.
            Self::Access { .. } => (Store, None, false),
            Self::NotAFile { .. } => (Cert, None, false),
            Self::Read { reason, .. }
            | Self::Validate { reason, .. }
            | Self::NotRootCa { reason, .. } => (Cert, Some(reason.clone()), false),
            Self::Empty { .. } => (Cert, None, true),
        };
        NotationStoreError {
            error_type,
            message: self.to_string(),
            inner,
            not_exist,
        }
    }
}

/// A source of trusted certificates, asked by store type and name.
pub trait TrustStore {
    /// The certificates of store `name` of type `store_type`.
    fn certificates(
        &self,
        store_type: StoreType,
        name: &str,
    ) -> Result<Vec<Certificate>, TrustStoreError>;
}

/// A certificate value as it sits in a Secret key or a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertEntry {
    /// Secret key or file path.
    pub key: String,
    /// The raw value.
    pub data: Vec<u8>,
}

/// What Flux makes of one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FluxEntryReport {
    /// Secret key or file path.
    pub key: String,
    /// The certificates Flux uses from it (empty on error or for an empty value).
    pub used: Vec<Certificate>,
    /// Certificates in further PEM blocks, which Flux ignores.
    pub ignored: Vec<Certificate>,
    /// Number of further PEM blocks that are not certificates (also ignored).
    pub ignored_other_blocks: usize,
    /// The type of the PEM block Flux read, when the value is PEM.
    pub pem_type: Option<String>,
    /// Why the value fails the whole lookup, if it does.
    pub error: Option<CertificateError>,
}

/// Source-controller's trust store: every certificate value for every store.
#[derive(Debug, Clone, Default)]
pub struct FluxTrustStore {
    entries: Vec<CertEntry>,
}

/// Flux's reading of one value: first PEM block if there is one, else the raw bytes, then
/// `x509.ParseCertificates`.
fn flux_parse(data: &[u8]) -> (Option<String>, Result<Vec<Certificate>, CertificateError>) {
    match pem::decode(data) {
        Some((block, _)) => (Some(block.kind), parse_certificates(&block.bytes)),
        None => (None, parse_certificates(data)),
    }
}

impl FluxTrustStore {
    /// A store over these values (Flux walks a map; the order is made stable by key here, which
    /// cannot change a result since any trusted certificate may match).
    pub fn new(mut entries: Vec<CertEntry>) -> Self {
        entries.sort_by(|a, b| a.key.cmp(&b.key));
        Self { entries }
    }

    /// The values, sorted by key.
    pub fn entries(&self) -> &[CertEntry] {
        &self.entries
    }

    /// What Flux reads from each value and what it leaves unread.
    pub fn report(&self) -> Vec<FluxEntryReport> {
        self.entries
            .iter()
            .map(|entry| {
                let (pem_type, parsed) = flux_parse(&entry.data);
                let mut ignored = Vec::new();
                let mut ignored_other_blocks = 0;
                if pem_type.is_some() {
                    let mut rest = pem::decode(&entry.data).map(|(_, r)| r).unwrap_or_default();
                    while let Some((block, next)) = pem::decode(rest) {
                        match parse_certificates(&block.bytes) {
                            Ok(certs) if block.kind == "CERTIFICATE" && !certs.is_empty() => {
                                ignored.extend(certs)
                            }
                            _ => ignored_other_blocks += 1,
                        }
                        rest = next;
                    }
                }
                let (used, error) = match parsed {
                    Ok(certs) => (certs, None),
                    Err(e) => (Vec::new(), Some(e)),
                };
                FluxEntryReport {
                    key: entry.key.clone(),
                    used,
                    ignored,
                    ignored_other_blocks,
                    pem_type,
                    error,
                }
            })
            .collect()
    }

    /// Warnings about values Flux reads only partly.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for r in self.report() {
            let extra = r.ignored.len() + r.ignored_other_blocks;
            if extra > 0 {
                out.push(format!(
                    "'{}' holds {} PEM blocks; Flux uses only the first, the other {extra} {} ignored",
                    r.key,
                    extra + 1,
                    if extra == 1 { "is" } else { "are" }
                ));
            }
            if r.error.is_none() && r.used.is_empty() {
                out.push(format!(
                    "'{}' holds no certificate; Flux accepts it but it adds nothing to the trust store",
                    r.key
                ));
            }
        }
        out
    }
}

impl TrustStore for FluxTrustStore {
    fn certificates(
        &self,
        _store_type: StoreType,
        name: &str,
    ) -> Result<Vec<Certificate>, TrustStoreError> {
        let mut certs = Vec::new();
        for entry in &self.entries {
            let (_, parsed) = flux_parse(&entry.data);
            certs.extend(parsed.map_err(|error| TrustStoreError::FluxParse {
                store: name.to_string(),
                key: entry.key.clone(),
                error,
            })?);
        }
        Ok(certs)
    }
}

/// notation-core-go `ReadCertificateFile` on bytes: every PEM block parsed strictly (whatever
/// its type), or the whole input as concatenated DER when there is no PEM block.
pub fn read_certificate_file(data: &[u8]) -> Result<Vec<Certificate>, CertificateError> {
    match pem::decode(data) {
        None => parse_certificates(data),
        Some((first, mut rest)) => {
            let mut certs = vec![Certificate::from_der(&first.bytes)?];
            while let Some((block, next)) = pem::decode(rest) {
                certs.push(Certificate::from_der(&block.bytes)?);
                rest = next;
            }
            Ok(certs)
        }
    }
}

/// notation-go `ValidateCertificates`: each certificate is a CA or verifies its own signature.
pub fn validate_trust_store_certificates(certs: &[Certificate]) -> Result<(), String> {
    if certs.is_empty() {
        return Err("input certs cannot be empty".into());
    }
    for cert in certs {
        if !cert.is_ca() {
            let self_signed = verify_x509_signature(
                cert.signature_algorithm(),
                cert.public_key(),
                cert.raw_tbs(),
                cert.signature(),
            );
            if self_signed.is_err() {
                return Err(format!(
                    "certificate with subject {} is not a CA certificate or self-signed signing certificate",
                    go_quote(&cert.subject())
                ));
            }
        }
    }
    Ok(())
}

/// notation-go `isRootCACertificate`.
pub fn is_root_ca_certificate(cert: &Certificate) -> Result<(), String> {
    check_signature_from(cert, cert).map_err(|e| {
        format!(
            "certificate with subject {} is not a root CA certificate: {e}",
            go_quote(&cert.subject())
        )
    })?;
    if !cert.is_self_issued() {
        return Err(format!(
            "certificate with subject {} is not a root CA certificate: issuer ({}) and subject ({}) are not the same",
            go_quote(&cert.subject()),
            cert.issuer(),
            cert.subject()
        ));
    }
    Ok(())
}

/// One named store of a [`NotationTrustStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// A directory, read like `<config>/truststore/x509/<type>/<name>/`.
    Directory(PathBuf),
    /// Individual files given on the command line.
    Files(Vec<PathBuf>),
}

/// The notation CLI's named trust stores.
#[derive(Debug, Clone, Default)]
pub struct NotationTrustStore {
    named: BTreeMap<(StoreType, String), Vec<StoreLocation>>,
    roots: Vec<PathBuf>,
    any: Vec<CertEntry>,
}

impl NotationTrustStore {
    /// An empty store: every lookup fails with "does not exist".
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `path` (a directory or a file) to store `name` of `store_type`.
    pub fn add(&mut self, store_type: StoreType, name: &str, path: &Path) {
        let location = if path.is_dir() {
            StoreLocation::Directory(path.to_path_buf())
        } else {
            StoreLocation::Files(vec![path.to_path_buf()])
        };
        self.named
            .entry((store_type, name.to_string()))
            .or_default()
            .push(location);
    }

    /// Adds a notation trust store root (`<root>/x509/<type>/<name>/`).
    pub fn add_root(&mut self, root: &Path) {
        self.roots.push(root.to_path_buf());
    }

    /// Adds certificates that answer for every store name (e.g. from a Secret, which has no
    /// store structure). They still get notation's checks.
    pub fn add_any(&mut self, entry: CertEntry) {
        self.any.push(entry);
    }

    /// The configured named stores.
    pub fn named_stores(
        &self,
    ) -> impl Iterator<Item = (&(StoreType, String), &Vec<StoreLocation>)> {
        self.named.iter()
    }

    fn files_of(
        &self,
        store_type: StoreType,
        name: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, TrustStoreError> {
        let missing = || TrustStoreError::Missing {
            name: name.to_string(),
            store_type,
        };
        let mut locations: Vec<StoreLocation> = self
            .named
            .get(&(store_type, name.to_string()))
            .cloned()
            .unwrap_or_default();
        for root in &self.roots {
            let dir = root.join("x509").join(store_type.name()).join(name);
            if dir.symlink_metadata().is_ok() {
                locations.push(StoreLocation::Directory(dir));
            }
        }
        let mut files = Vec::new();
        for entry in &self.any {
            files.push((entry.key.clone(), entry.data.clone()));
        }
        if locations.is_empty() && files.is_empty() {
            return Err(missing());
        }
        for location in locations {
            match location {
                StoreLocation::Files(paths) => {
                    for path in paths {
                        let data =
                            crate::limits::read_file(&path).map_err(|e| TrustStoreError::Read {
                                file: file_name(&path),
                                name: name.to_string(),
                                store_type,
                                reason: e.detail(),
                            })?;
                        files.push((file_name(&path), data));
                    }
                }
                StoreLocation::Directory(dir) => {
                    files.extend(read_store_dir(&dir, store_type, name)?);
                }
            }
        }
        Ok(files)
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Reads a store directory as notation-go does (sorted, regular files only).
fn read_store_dir(
    dir: &Path,
    store_type: StoreType,
    name: &str,
) -> Result<Vec<(String, Vec<u8>)>, TrustStoreError> {
    let meta = dir
        .symlink_metadata()
        .map_err(|_| TrustStoreError::Missing {
            name: name.to_string(),
            store_type,
        })?;
    if !meta.is_dir() {
        return Err(TrustStoreError::NotADirectory {
            name: name.to_string(),
            store_type,
            path: dir.to_path_buf(),
        });
    }
    let access = || TrustStoreError::Access {
        name: name.to_string(),
        store_type,
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|_| access())?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| access())?;
    entries.sort_by_key(|e| e.file_name());
    let mut files = Vec::new();
    for entry in entries {
        let file = entry.file_name().to_string_lossy().into_owned();
        let file_type = entry.file_type().map_err(|_| access())?;
        if !file_type.is_file() {
            return Err(TrustStoreError::NotAFile {
                file,
                name: name.to_string(),
                store_type,
            });
        }
        let data = crate::limits::read_file(&entry.path()).map_err(|e| TrustStoreError::Read {
            file: file.clone(),
            name: name.to_string(),
            store_type,
            reason: e.detail(),
        })?;
        files.push((file, data));
    }
    Ok(files)
}

impl TrustStore for NotationTrustStore {
    fn certificates(
        &self,
        store_type: StoreType,
        name: &str,
    ) -> Result<Vec<Certificate>, TrustStoreError> {
        let mut certificates = Vec::new();
        for (file, data) in self.files_of(store_type, name)? {
            let certs = read_certificate_file(&data).map_err(|e| TrustStoreError::Read {
                file: file.clone(),
                name: name.to_string(),
                store_type,
                reason: e.to_string(),
            })?;
            validate_trust_store_certificates(&certs).map_err(|reason| {
                TrustStoreError::Validate {
                    file: file.clone(),
                    name: name.to_string(),
                    store_type,
                    reason,
                }
            })?;
            if store_type == StoreType::Tsa {
                for cert in &certs {
                    is_root_ca_certificate(cert).map_err(|reason| TrustStoreError::NotRootCa {
                        file: file.clone(),
                        name: name.to_string(),
                        store_type,
                        reason,
                    })?;
                }
            }
            certificates.extend(certs);
        }
        if certificates.is_empty() {
            return Err(TrustStoreError::Empty {
                name: name.to_string(),
                store_type,
            });
        }
        Ok(certificates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str) -> Vec<u8> {
        std::fs::read(crate::testdata::upstream(path)).unwrap()
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn flux_first_block_only_any_name() {
        let multi = read("notation-core-go/x509/testdata/multi-pem.crt");
        let der = read("notation-core-go/x509/testdata/der.der");
        let store = FluxTrustStore::new(vec![
            CertEntry {
                key: "b.pem".into(),
                data: multi,
            },
            CertEntry {
                key: "a.crt".into(),
                data: [der.clone(), der].concat(),
            },
        ]);
        let certs = store.certificates(StoreType::Tsa, "whatever").unwrap();
        assert_eq!(certs.len(), 3);
        let report = store.report();
        assert_eq!(report[0].key, "a.crt");
        assert_eq!(report[1].used.len(), 1);
        assert_eq!(report[1].ignored.len(), 1);
        assert_eq!(store.warnings().len(), 1);
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn flux_one_bad_value_fails_the_lookup() {
        let store = FluxTrustStore::new(vec![
            CertEntry {
                key: "good.crt".into(),
                data: read("notation-core-go/x509/testdata/pem.crt"),
            },
            CertEntry {
                key: "bad.pem".into(),
                data: read("notation-core-go/x509/testdata/invalid"),
            },
        ]);
        let err = store.certificates(StoreType::Ca, "mystore").unwrap_err();
        assert_eq!(
            err.to_string(),
            "failed to parse certificate 'mystore': x509: malformed certificate"
        );
        assert!(matches!(err, TrustStoreError::FluxParse { ref key, .. } if key == "bad.pem"));
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn notation_store_vectors() {
        let root = crate::testdata::upstream("notation-go/verifier/testdata/truststore");
        let mut store = NotationTrustStore::new();
        store.add_root(&root);
        assert_eq!(
            store
                .certificates(StoreType::Ca, "valid-trust-store")
                .unwrap()
                .len(),
            6
        );
        assert_eq!(
            store.certificates(StoreType::Ca, "trust-store-with-invalid-certs").unwrap_err().to_string(),
            "failed to read the trusted certificate invalid in trust store trust-store-with-invalid-certs of type ca"
        );
        assert_eq!(
            store
                .certificates(StoreType::Ca, "nope")
                .unwrap_err()
                .to_string(),
            "the trust store \"nope\" of type \"ca\" does not exist"
        );
    }
}
