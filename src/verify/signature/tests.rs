//! The validation order and the rules of each step, over fake stages.

use super::*;
use crate::pki::revocation::{
    CertResult, Purpose, RevocationMethod, RevocationMode, RevocationStatus as PkiStatus,
    ServerResult,
};
use std::cell::RefCell;

const KEYS: &str = "notation/test/e2e/testdata/config/localkeys";

fn cert(name: &str) -> Certificate {
    let pem = std::fs::read(crate::testdata::upstream(KEYS).join(name)).unwrap();
    let (_, der) = der::pem::decode_vec(&pem).unwrap();
    Certificate::from_der(&der).unwrap()
}

fn level(name: &str, actions: [Action; 4]) -> LevelActions {
    LevelActions {
        name: name.into(),
        actions: [
            (ValidationType::Integrity, Action::Enforce),
            (ValidationType::Authenticity, actions[0]),
            (ValidationType::AuthenticTimestamp, actions[1]),
            (ValidationType::Expiry, actions[2]),
            (ValidationType::Revocation, actions[3]),
        ],
    }
}

fn strict() -> LevelActions {
    level("strict", [Action::Enforce; 4])
}

fn audit() -> LevelActions {
    level("audit", [Action::Log; 4])
}

const ARTIFACT_DIGEST: &str =
    "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";

fn artifact() -> Descriptor {
    Descriptor {
        media_type: "application/vnd.oci.image.manifest.v1+json".into(),
        digest: ARTIFACT_DIGEST.into(),
        size: 517,
        ..Descriptor::default()
    }
}

fn payload(digest: &str, annotations: &str) -> Vec<u8> {
    format!(
        r#"{{"targetArtifact":{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{digest}","size":517{annotations}}}}}"#
    )
    .into_bytes()
}

struct Fake {
    envelope: Result<VerifiedEnvelope, String>,
    store: Vec<Certificate>,
    identity: Result<(), String>,
    timestamp: Result<(), String>,
    revocation: RevocationStatus,
    signing_details: Option<ChainRevocation>,
    tsa_details: Option<ChainRevocation>,
    calls: RefCell<Vec<String>>,
    revocation_time: RefCell<Option<Option<DateTime<Utc>>>>,
}

impl Fake {
    fn new(envelope: VerifiedEnvelope) -> Self {
        Self {
            envelope: Ok(envelope),
            store: vec![cert("e2e.crt")],
            identity: Ok(()),
            timestamp: Err("no token expected".into()),
            revocation: RevocationStatus::Ok,
            signing_details: None,
            tsa_details: None,
            calls: RefCell::new(Vec::new()),
            revocation_time: RefCell::new(None),
        }
    }
}

impl Stages for Fake {
    fn applicable_statement(&self, _r: &str) -> Result<StatementView, String> {
        Ok(statement(strict()))
    }
    fn open_envelope(&self, _m: &str, _b: &[u8]) -> Result<VerifiedEnvelope, String> {
        self.calls.borrow_mut().push("integrity".into());
        self.envelope.clone()
    }
    fn trusted_certificates(
        &self,
        kind: StoreKind,
        name: &str,
    ) -> Result<Vec<Certificate>, NotationStoreError> {
        self.calls
            .borrow_mut()
            .push(format!("store {}:{name}", kind.prefix()));
        Ok(self.store.clone())
    }
    fn check_trusted_identities(&self, _s: &StatementView, _l: &Certificate) -> Result<(), String> {
        self.calls.borrow_mut().push("identity".into());
        self.identity.clone()
    }
    fn verify_timestamp(
        &self,
        token: Option<&[u8]>,
        _s: &[u8],
        _c: &[Certificate],
        load: &mut dyn FnMut() -> Result<Vec<Certificate>, String>,
    ) -> (Result<(), String>, Option<ChainRevocation>) {
        if token.is_none() {
            let missing = "no timestamp countersignature was found in the signature envelope";
            return (Err(missing.into()), None);
        }
        let roots = match load() {
            Ok(roots) => roots,
            Err(e) => return (Err(e), None),
        };
        self.calls
            .borrow_mut()
            .push(format!("timestamp with {} roots", roots.len()));
        (self.timestamp.clone(), self.tsa_details.clone())
    }
    fn revocation(
        &self,
        _c: &[Certificate],
        purpose: ChainPurpose,
        t: Option<DateTime<Utc>>,
    ) -> (RevocationStatus, Option<ChainRevocation>) {
        self.revocation_time.replace(Some(t));
        self.calls
            .borrow_mut()
            .push(format!("revocation {purpose:?}"));
        (self.revocation.clone(), self.signing_details.clone())
    }
}

fn chain_details(purpose: Purpose, subject: &str, status: PkiStatus) -> ChainRevocation {
    ChainRevocation {
        purpose,
        mode: RevocationMode::OcspWithCrlFallback,
        certificates: vec![CertResult {
            subject: subject.into(),
            status,
            method: RevocationMethod::Crl,
            servers: vec![ServerResult {
                server: "http://localhost:10086/leaf.crl".into(),
                method: RevocationMethod::Crl,
                status,
                error: None,
                duration: std::time::Duration::from_millis(7),
            }],
            duration: std::time::Duration::from_millis(8),
        }],
        error: None,
    }
}

fn envelope() -> VerifiedEnvelope {
    VerifiedEnvelope {
        signing_scheme: SCHEME_X509.into(),
        signing_time: DateTime::parse_from_rfc3339("2023-06-27T13:21:21+08:00").ok(),
        expiry: None,
        chain: vec![cert("e2e.crt")],
        timestamp_token: None,
        signature: vec![1, 2, 3],
        extended_attributes: Vec::new(),
        payload_content_type: PAYLOAD_CONTENT_TYPE.into(),
        payload: payload(ARTIFACT_DIGEST, ""),
    }
}

fn statement(level: LevelActions) -> StatementView {
    StatementView {
        name: "e2e".into(),
        registry_scopes: vec!["*".into()],
        trust_stores: vec!["ca:e2e".into()],
        trusted_identities: vec!["*".into()],
        verify_timestamp_after_cert_expiry: false,
        level,
    }
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn run(stages: &Fake, statement: &StatementView, options: &SignatureOptions) -> SignatureOutcome {
    verify_signature(
        stages,
        statement,
        options,
        &artifact(),
        "application/jose+json",
        b"x",
        now(),
    )
}

fn flux() -> SignatureOptions {
    SignatureOptions {
        timestamps_supported: true,
        ..SignatureOptions::default()
    }
}

fn types(o: &SignatureOutcome) -> Vec<String> {
    o.results
        .iter()
        .map(|r| format!("{}:{}:{}", r.validation, r.action, r.error.is_some()))
        .collect()
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn all_validations_in_notation_order() {
    let fake = Fake::new(envelope());
    let o = run(&fake, &statement(strict()), &flux());
    assert!(o.verified(), "{:?}", o.error);
    assert_eq!(
        types(&o),
        [
            "integrity:enforce:false",
            "authenticity:enforce:false",
            "expiry:enforce:false",
            "authenticTimestamp:enforce:false",
            "revocation:enforce:false"
        ]
    );
    assert_eq!(
        fake.calls.into_inner(),
        [
            "integrity",
            "store ca:e2e",
            "identity",
            "revocation CodeSigning"
        ]
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn enforced_integrity_failure_stops_everything() {
    let mut fake = Fake::new(envelope());
    fake.envelope = Err("unable to parse the digital signature, error : bad".into());
    let o = run(&fake, &statement(audit()), &flux());
    assert_eq!(
        o.error.as_ref().map(|e| e.to_string()).as_deref(),
        Some("unable to parse the digital signature, error : bad")
    );
    assert_eq!(types(&o), ["integrity:enforce:true"]);
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn payload_content_type_is_an_integrity_failure() {
    let mut e = envelope();
    e.payload_content_type = "application/json".into();
    let o = run(&Fake::new(e), &statement(strict()), &flux());
    assert_eq!(
        o.error.as_ref().map(|e| e.to_string()).as_deref(),
        Some("payload content type \"application/json\" not supported")
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn untrusted_chain_enforced_and_logged() {
    let mut fake = Fake::new(envelope());
    fake.store = vec![cert("new_e2e.crt")];
    let o = run(&fake, &statement(strict()), &flux());
    assert_eq!(
        o.error.as_ref().map(|e| e.to_string()).as_deref(),
        Some("the signature's certificate chain does not contain any trusted certificate")
    );
    assert_eq!(
        types(&o),
        ["integrity:enforce:false", "authenticity:enforce:true"]
    );
    assert!(!fake.calls.borrow().contains(&"identity".to_string()));

    let o = run(&fake, &statement(audit()), &flux());
    assert!(o.verified());
    assert_eq!(o.logged_failures().count(), 1);
    assert_eq!(types(&o).len(), 5);
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn empty_store_is_inconclusive_and_store_type_follows_the_scheme() {
    let mut fake = Fake::new(envelope());
    fake.store = Vec::new();
    let o = run(&fake, &statement(strict()), &flux());
    assert_eq!(
        o.error.as_ref().map(|e| e.to_string()).as_deref(),
        Some("no trusted certificates are found to verify authenticity")
    );
    let mut e = envelope();
    e.signing_scheme = SCHEME_SIGNING_AUTHORITY.into();
    let fake = Fake::new(e);
    let o = run(&fake, &statement(strict()), &flux());
    // The policy has only a ca: store, so a signingAuthority signature finds nothing.
    assert_eq!(
        o.error.as_ref().map(|e| e.to_string()).as_deref(),
        Some("no trusted certificates are found to verify authenticity")
    );
    assert!(!fake.calls.borrow().iter().any(|c| c.starts_with("store")));
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn identity_failure_replaces_authenticity_error() {
    let mut fake = Fake::new(envelope());
    fake.identity = Err("identity mismatch".into());
    let o = run(&fake, &statement(strict()), &flux());
    assert_eq!(
        o.error.as_ref().map(|e| e.to_string()).as_deref(),
        Some("identity mismatch")
    );
    let mut fake = Fake::new(envelope());
    fake.store = vec![cert("new_e2e.crt")];
    fake.identity = Err("identity mismatch".into());
    let o = run(&fake, &statement(audit()), &flux());
    assert!(o.verified());
    let errors: Vec<_> = o
        .logged_failures()
        .map(|r| r.error.clone().unwrap().to_string())
        .collect();
    assert_eq!(errors, ["identity mismatch"]);
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn expiry_message_keeps_the_encoded_offset() {
    let mut e = envelope();
    e.expiry = DateTime::parse_from_rfc3339("2023-06-27T13:21:21+08:00").ok();
    let o = run(&Fake::new(e.clone()), &statement(strict()), &flux());
    assert_eq!(
        o.error.as_ref().map(|e| e.to_string()).as_deref(),
        Some("digital signature has expired on \"Tue, 27 Jun 2023 13:21:21 +0800\"")
    );
    let permissive = level(
        "permissive",
        [Action::Enforce, Action::Log, Action::Log, Action::Log],
    );
    let o = run(&Fake::new(e), &statement(permissive), &flux());
    assert!(o.verified());
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn chain_validity_at_now_without_tsa() {
    let mut e = envelope();
    let future = DateTime::parse_from_rfc3339("2200-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    e.chain = vec![cert("e2e.crt")];
    let o = verify_signature(
        &Fake::new(e),
        &statement(strict()),
        &flux(),
        &artifact(),
        "application/jose+json",
        b"x",
        future,
    );
    let message = o.error.as_ref().map(|e| e.to_string()).unwrap();
    assert!(message.starts_with("verification time is after certificate \"CN=e2e,O=Notary,L=Seattle,ST=WA,C=US\" validity period, it was expired at \""), "{message}");
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn tsa_store_requires_a_countersignature() {
    let mut st = statement(strict());
    st.trust_stores.push("tsa:ts".into());
    let fake = Fake::new(envelope());
    let o = run(&fake, &st, &flux());
    assert_eq!(
        o.error.as_ref().map(|e| e.to_string()).as_deref(),
        Some("no timestamp countersignature was found in the signature envelope")
    );
    // afterCertExpiry with an unexpired chain: validity at now instead.
    st.verify_timestamp_after_cert_expiry = true;
    assert!(run(&Fake::new(envelope()), &st, &flux()).verified());
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn timestamp_stage_gets_the_tsa_roots_and_its_error_is_the_result() {
    let mut st = statement(strict());
    st.trust_stores.push("tsa:ts".into());
    let mut e = envelope();
    e.timestamp_token = Some(vec![0x30]);
    let mut fake = Fake::new(e);
    fake.timestamp =
        Err("timestamping certificate with subject \"CN=TSA\" revocation status is unknown".into());
    let o = run(&fake, &st, &flux());
    assert_eq!(
        o.error.as_ref().map(|e| e.to_string()).as_deref(),
        Some("timestamping certificate with subject \"CN=TSA\" revocation status is unknown")
    );
    assert!(fake
        .calls
        .borrow()
        .contains(&"timestamp with 1 roots".to_string()));
    assert!(fake.calls.borrow().contains(&"store tsa:ts".to_string()));
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn revocation_details_reach_the_outcome_and_the_status_alone_decides() {
    let mut st = statement(strict());
    st.trust_stores.push("tsa:ts".into());
    let mut e = envelope();
    e.timestamp_token = Some(vec![0x30]);
    let mut fake = Fake::new(e);
    fake.timestamp = Ok(());
    fake.tsa_details = Some(chain_details(
        Purpose::Timestamping,
        "CN=TSA",
        PkiStatus::Ok,
    ));
    let leaf = "CN=a\u{1}b";
    fake.signing_details = Some(chain_details(
        Purpose::CodeSigning,
        leaf,
        PkiStatus::Revoked,
    ));
    fake.revocation = RevocationStatus::Revoked(leaf.into());
    let o = run(&fake, &st, &flux());
    // Go %q, not Rust's Debug (which would print \u{1}).
    assert_eq!(
        o.error.as_ref().map(|e| e.to_string()).as_deref(),
        Some("signing certificate with subject \"CN=a\\x01b\" is revoked")
    );
    let subjects: Vec<(Purpose, &str)> = o
        .facts
        .revocation
        .iter()
        .flat_map(|c| {
            c.certificates
                .iter()
                .map(move |r| (c.purpose, r.subject.as_str()))
        })
        .collect();
    assert_eq!(
        subjects,
        [
            (Purpose::CodeSigning, leaf),
            (Purpose::Timestamping, "CN=TSA")
        ]
    );

    // Details saying "revoked" do not fail a signature whose status is OK.
    fake.revocation = RevocationStatus::Ok;
    let o = run(&fake, &st, &flux());
    assert!(o.verified());
    assert_eq!(o.facts.revocation.len(), 2);

    // Skipped revocation: only the TSA chain's check (which always runs) is reported.
    let skip_revocation = level(
        "custom",
        [
            Action::Enforce,
            Action::Enforce,
            Action::Enforce,
            Action::Skip,
        ],
    );
    let mut st = statement(skip_revocation);
    st.trust_stores.push("tsa:ts".into());
    let o = run(&fake, &st, &flux());
    assert_eq!(o.facts.revocation.len(), 1);
    assert_eq!(
        o.facts.revocation.first().map(|c| c.purpose),
        Some(Purpose::Timestamping)
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn revocation_not_checked_never_passes_when_enforced() {
    let mut fake = Fake::new(envelope());
    fake.revocation = RevocationStatus::NotChecked("no checker".into());
    let o = run(&fake, &statement(strict()), &flux());
    assert!(!o.verified());
    let skip_revocation = level(
        "custom",
        [
            Action::Enforce,
            Action::Enforce,
            Action::Enforce,
            Action::Skip,
        ],
    );
    let o = run(&fake, &statement(skip_revocation), &flux());
    assert!(o.verified());
    assert_eq!(o.results.len(), 4);
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn revocation_by_level() {
    let permissive = level(
        "permissive",
        [Action::Enforce, Action::Log, Action::Log, Action::Log],
    );
    for (status, message) in [
        (
            RevocationStatus::Revoked("CN=leaf".into()),
            "signing certificate with subject \"CN=leaf\" is revoked",
        ),
        (
            RevocationStatus::Unknown("CN=leaf".into()),
            "signing certificate with subject \"CN=leaf\" revocation status is unknown",
        ),
        (
            RevocationStatus::Error("boom".into()),
            "unable to check revocation status, err: boom",
        ),
    ] {
        let mut fake = Fake::new(envelope());
        fake.revocation = status;
        let o = run(&fake, &statement(strict()), &flux());
        assert_eq!(
            o.error.as_ref().map(|e| e.to_string()).as_deref(),
            Some(message)
        );
        let o = run(&fake, &statement(permissive.clone()), &flux());
        assert!(o.verified());
        let logged: Vec<_> = o.logged_failures().map(|r| r.validation).collect();
        assert_eq!(logged, [ValidationType::Revocation]);
        let o = run(&fake, &statement(audit()), &flux());
        assert!(o.verified());
    }
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn signature_for_another_digest_is_a_payload_mismatch() {
    let mut e = envelope();
    e.payload = payload(
        "sha256:0000000000000000000000000000000000000000000000000000000000000000",
        "",
    );
    let o = run(&Fake::new(e), &statement(strict()), &flux());
    assert_eq!(o.error, Some(SignatureError::PayloadMismatch));
    assert_eq!(o.results.len(), 5, "all validations pass first");
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn user_metadata_must_be_in_the_payload() {
    let mut e = envelope();
    e.payload = payload(ARTIFACT_DIGEST, r#","annotations":{"k":"v"}"#);
    let mut options = flux();
    options.mode = Mode::Notation;
    options.user_metadata.insert("k".into(), "v".into());
    assert!(run(&Fake::new(e.clone()), &statement(strict()), &options).verified());
    options.user_metadata.insert("k".into(), "w".into());
    let o = run(&Fake::new(e), &statement(strict()), &options);
    assert_eq!(
        o.error.as_ref().map(|e| e.to_string()).as_deref(),
        Some("unable to find specified metadata in the signature")
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn plugin_signatures_fail_by_mode() {
    let mut e = envelope();
    e.extended_attributes.push(ExtendedAttribute {
        key: VERIFICATION_PLUGIN.into(),
        critical: true,
        value: serde_json::json!("plugin-name"),
    });
    let o = run(&Fake::new(e.clone()), &statement(audit()), &flux());
    assert_eq!(
        o.error.as_ref().map(|e| e.to_string()).as_deref(),
        Some("plugin unsupported due to nil verifier.pluginManager")
    );
    assert_eq!(o.results.len(), 1);
    let options = SignatureOptions {
        mode: Mode::Notation,
        plugin_dir: "<notation-plugin-dir>".into(),
        ..flux()
    };
    let o = run(&Fake::new(e.clone()), &statement(strict()), &options);
    assert_eq!(
        o.error.as_ref().map(|e| e.to_string()).as_deref(),
        Some("error while locating the verification plugin \"plugin-name\", make sure the plugin is installed successfully before verifying the signature. error: plugin executable file is either not found or inaccessible: stat <notation-plugin-dir>/plugin-name/notation-plugin-name: no such file or directory")
    );
    e.extended_attributes[0].critical = false;
    let o = run(&Fake::new(e), &statement(strict()), &flux());
    assert_eq!(
        o.error.as_ref().map(|e| e.to_string()).as_deref(),
        Some("io.cncf.notary.verificationPlugin is not a critical Extended attribute")
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn signing_authority_uses_the_authentic_signing_time() {
    let mut e = envelope();
    e.signing_scheme = SCHEME_SIGNING_AUTHORITY.into();
    e.signing_time = DateTime::parse_from_rfc3339("2021-01-01T00:00:00+02:00").ok();
    let mut st = statement(strict());
    st.trust_stores = vec!["signingAuthority:sa".into()];
    let o = run(&Fake::new(e), &st, &flux());
    assert_eq!(
        o.error.as_ref().map(|e| e.to_string()).as_deref(),
        Some("certificate \"CN=e2e,O=Notary,L=Seattle,ST=WA,C=US\" was not valid when the digital signature was produced at \"Fri, 01 Jan 2021 00:00:00 +0200\"")
    );
}

fn err(o: &SignatureOutcome) -> Option<String> {
    o.error.as_ref().map(|e| e.to_string())
}

fn at(
    options: &SignatureOptions,
    fake: &Fake,
    st: &StatementView,
    t: DateTime<Utc>,
) -> SignatureOutcome {
    verify_signature(
        fake,
        st,
        options,
        &artifact(),
        "application/jose+json",
        b"x",
        t,
    )
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn expiry_is_reached_at_the_exact_instant() {
    // notation-go: `!time.Now().Before(expiry)`, so now == expiry has expired.
    let mut e = envelope();
    e.expiry = Some(now().fixed_offset());
    let o = run(&Fake::new(e.clone()), &statement(strict()), &flux());
    assert_eq!(
        err(&o).as_deref(),
        Some("digital signature has expired on \"Fri, 27 Nov 2026 00:00:00 +0000\"")
    );
    e.expiry = Some((now() + chrono::Duration::seconds(1)).fixed_offset());
    assert!(run(&Fake::new(e), &statement(strict()), &flux()).verified());
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn chain_validity_boundaries_at_now() {
    let leaf = cert("e2e.crt");
    let fake = Fake::new(envelope());
    let st = statement(strict());
    let one = chrono::Duration::seconds(1);
    assert!(at(&flux(), &fake, &st, leaf.not_before()).verified());
    assert!(at(&flux(), &fake, &st, leaf.not_after()).verified());
    assert_eq!(
        err(&at(&flux(), &fake, &st, leaf.not_before() - one)).as_deref(),
        Some("verification time is before certificate \"CN=e2e,O=Notary,L=Seattle,ST=WA,C=US\" validity period, it will be valid from \"Mon, 19 Dec 2022 02:43:39 +0000\"")
    );
    assert_eq!(
        err(&at(&flux(), &fake, &st, leaf.not_after() + one)).as_deref(),
        Some("verification time is after certificate \"CN=e2e,O=Notary,L=Seattle,ST=WA,C=US\" validity period, it was expired at \"Sat, 19 Dec 2122 02:43:39 +0000\"")
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn signing_authority_validity_boundaries_and_missing_time() {
    let leaf = cert("e2e.crt");
    let mut st = statement(strict());
    st.trust_stores = vec!["signingAuthority:sa".into()];
    let one = chrono::Duration::seconds(1);
    let with_time = |t: Option<DateTime<Utc>>| {
        let mut e = envelope();
        e.signing_scheme = SCHEME_SIGNING_AUTHORITY.into();
        e.signing_time = t.map(|t| t.fixed_offset());
        // Far in the future: the signing time, not now, decides.
        let late = leaf.not_after() + chrono::Duration::days(400);
        at(&flux(), &Fake::new(e), &st, late)
    };
    assert!(with_time(Some(leaf.not_before())).verified());
    assert!(with_time(Some(leaf.not_after())).verified());
    assert_eq!(
        err(&with_time(Some(leaf.not_after() + one))).as_deref(),
        Some("certificate \"CN=e2e,O=Notary,L=Seattle,ST=WA,C=US\" was not valid when the digital signature was produced at \"Sat, 19 Dec 2122 02:43:40 +0000\"")
    );
    assert_eq!(
        err(&with_time(None)).as_deref(),
        Some("authentic signing time is missing from the signature")
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn tsa_store_is_ignored_where_timestamps_are_not_supported() {
    // source-controller 1.3: no tsa stores, so validity is checked at now and no token is needed.
    let mut st = statement(strict());
    st.trust_stores.push("tsa:ts".into());
    let options = SignatureOptions {
        timestamps_supported: false,
        ..flux()
    };
    let fake = Fake::new(envelope());
    assert!(run(&fake, &st, &options).verified());
    assert!(!fake.calls.borrow().iter().any(|c| c.contains("tsa")));
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn after_cert_expiry_timestamp_only_once_a_certificate_expired() {
    let leaf = cert("e2e.crt");
    let mut st = statement(strict());
    st.trust_stores.push("tsa:ts".into());
    st.verify_timestamp_after_cert_expiry = true;
    let fake = Fake::new(envelope());
    // At the last valid instant nothing has expired: validity at now, no token needed.
    assert!(at(&flux(), &fake, &st, leaf.not_after()).verified());
    let o = at(
        &flux(),
        &fake,
        &st,
        leaf.not_after() + chrono::Duration::seconds(1),
    );
    assert_eq!(
        err(&o).as_deref(),
        Some("no timestamp countersignature was found in the signature envelope")
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn stores_of_the_scheme_type_are_loaded_once_in_policy_order() {
    let mut st = statement(strict());
    st.trust_stores = vec![
        "tsa:ts".into(),
        "ca:a".into(),
        "signingAuthority:sa".into(),
        "ca:b".into(),
        "ca:a".into(),
        "malformed".into(),
    ];
    let fake = Fake::new(envelope());
    let no_tsa = SignatureOptions {
        timestamps_supported: false,
        ..flux()
    };
    assert!(run(&fake, &st, &no_tsa).verified());
    assert_eq!(
        fake.calls.into_inner(),
        [
            "integrity",
            "store ca:a",
            "store ca:b",
            "identity",
            "revocation CodeSigning"
        ]
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn only_signing_authority_passes_an_authentic_signing_time_to_revocation() {
    let fake = Fake::new(envelope());
    run(&fake, &statement(strict()), &flux());
    assert_eq!(fake.revocation_time.take(), Some(None));
    let mut e = envelope();
    e.signing_scheme = SCHEME_SIGNING_AUTHORITY.into();
    let mut st = statement(strict());
    st.trust_stores = vec!["signingAuthority:sa".into()];
    let fake = Fake::new(e.clone());
    assert!(run(&fake, &st, &flux()).verified());
    assert_eq!(
        fake.revocation_time.take(),
        Some(e.signing_time.map(|t| t.with_timezone(&Utc)))
    );
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn facts_are_read_from_the_envelope() {
    let o = run(&Fake::new(envelope()), &statement(strict()), &flux());
    assert_eq!(o.facts.signing_scheme.as_deref(), Some(SCHEME_X509));
    assert_eq!(
        o.facts.signer.as_deref(),
        Some("CN=e2e,O=Notary,L=Seattle,ST=WA,C=US")
    );
    let target = o.facts.target.unwrap();
    assert_eq!(
        target.media_type,
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(target.digest, ARTIFACT_DIGEST);
    assert_eq!(target.size, 517);
}

fn plugin_error(attributes: &[(&str, bool, serde_json::Value)]) -> Option<String> {
    let mut e = envelope();
    e.extended_attributes = attributes
        .iter()
        .map(|(key, critical, value)| ExtendedAttribute {
            key: (*key).into(),
            critical: *critical,
            value: value.clone(),
        })
        .collect();
    err(&run(&Fake::new(e), &statement(strict()), &flux()))
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn plugin_attribute_rules() {
    use serde_json::json;
    let plugin = |v: serde_json::Value| (VERIFICATION_PLUGIN, true, v);
    let min = |critical: bool, v: serde_json::Value| (VERIFICATION_PLUGIN_MIN_VERSION, critical, v);
    assert_eq!(
        plugin_error(&[plugin(json!(7))]).as_deref(),
        Some("io.cncf.notary.verificationPlugin from extended attribute is not a string")
    );
    assert_eq!(
        plugin_error(&[plugin(json!("  "))]).as_deref(),
        Some("io.cncf.notary.verificationPlugin from extended attribute is an empty string")
    );
    assert_eq!(
        plugin_error(&[plugin(json!("p")), min(false, json!("1.0.0"))]).as_deref(),
        Some("error while getting plugin minimum version, error: io.cncf.notary.verificationPluginMinVersion is not a critical Extended attribute")
    );
    assert_eq!(
        plugin_error(&[plugin(json!("p")), min(true, json!(" "))]).as_deref(),
        Some("error while getting plugin minimum version, error: io.cncf.notary.verificationPluginMinVersion from extended attribute is an empty string")
    );
    assert_eq!(
        plugin_error(&[plugin(json!("p")), min(true, json!("1.x"))]).as_deref(),
        Some("error while getting plugin minimum version, error: value \"1.x\" for attribute \"io.cncf.notary.verificationPluginMinVersion\" is not a valid SemVer")
    );
    assert_eq!(
        plugin_error(&[plugin(json!("p")), min(true, json!("v1.0.0"))]).as_deref(),
        Some("plugin unsupported due to nil verifier.pluginManager")
    );
    // A minimum version without a plugin is not looked at.
    assert_eq!(plugin_error(&[min(false, json!(""))]), None);
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn verifier_takes_level_and_statement_from_the_policy() {
    use crate::verify::signatures::SignatureVerifier as _;
    let verifier = Verifier {
        stages: Fake::new(envelope()),
        options: flux(),
        now: now(),
    };
    assert_eq!(verifier.level("reg.example/app@sha256:1"), Ok(strict()));
    let signature = crate::source::FetchedSignature {
        manifest: Descriptor::default(),
        envelope: Descriptor {
            media_type: "application/jose+json".into(),
            ..Descriptor::default()
        },
        blob: b"x".to_vec(),
    };
    let o = verifier.verify(&artifact(), &signature, "reg.example/app@sha256:1");
    assert!(o.verified(), "{:?}", o.error);
    assert_eq!(o.level, strict());
    assert_eq!(o.results.len(), 5);
}
