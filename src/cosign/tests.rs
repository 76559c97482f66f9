//! Flux's key loop ([`super::decide`]) with an empty key whose keyless verification needs
//! Rekor online: it decides only when no key after it does.

use super::*;

fn key(name: &str, status: KeyStatus) -> KeyOutcome {
    KeyOutcome {
        name: name.into(),
        kind: None,
        status,
        signatures: Vec::new(),
        tried_by_flux: false,
    }
}

fn verdict_of(mut keys: Vec<KeyOutcome>) -> CosignOutcome {
    let request = CosignRequest {
        artifact_reference: "r.example/app@sha256:aa".into(),
        artifact: Descriptor {
            digest: "sha256:aa".into(),
            ..Descriptor::default()
        },
        keys: Keys::Static(Vec::new()),
    };
    decide(&request, Discovery::default(), &mut keys)
}

#[test]
fn an_empty_key_needing_rekor_decides_only_when_no_later_key_does() {
    let online = |name: &str| {
        CosignVerdict::NeedsOnlineLog(format!(
            "{} (the Secret's key '{name}' is empty, so Flux verifies keyless with it)",
            keyless::NEEDS_ONLINE_LOG
        ))
    };
    let failed = || KeyStatus::Failed("no matching signatures: x".into());
    // Alone, or before keys that fail: Rekor's answer decides.
    let outcome = verdict_of(vec![
        key("empty.pub", KeyStatus::Keyless),
        key("b.pub", failed()),
    ]);
    assert_eq!(outcome.verdict, online("empty.pub"));
    assert!(outcome.keys.iter().all(|k| k.tried_by_flux));
    // A later key that verifies wins whatever Rekor says (Flux swallows the keyless error).
    let outcome = verdict_of(vec![
        key("empty.pub", KeyStatus::Keyless),
        key("good.pub", KeyStatus::Verified),
    ]);
    assert_eq!(
        outcome.verdict,
        CosignVerdict::Verified {
            key: "good.pub".into()
        }
    );
    // A later key that does not load stops Flux only if Rekor did not verify: undecided.
    let outcome = verdict_of(vec![
        key("empty.pub", KeyStatus::Keyless),
        key("bad.pub", KeyStatus::Invalid(KeyError::PemDecoding)),
    ]);
    assert_eq!(outcome.verdict, online("empty.pub"));
    // Before the empty key, a key that does not load ends the loop.
    let outcome = verdict_of(vec![
        key("bad.pub", KeyStatus::Invalid(KeyError::PemDecoding)),
        key("empty.pub", KeyStatus::Keyless),
    ]);
    assert_eq!(
        outcome.verdict,
        CosignVerdict::Failed(CosignFailure::Key(KeyError::PemDecoding))
    );
    assert!(!outcome.keys[1].tried_by_flux);
    // No empty key, nothing verified: Flux's own error.
    let outcome = verdict_of(vec![key("b.pub", failed())]);
    assert_eq!(
        outcome.verdict,
        CosignVerdict::Failed(CosignFailure::NoMatch {
            reference: "r.example/app@sha256:aa".into()
        })
    );
}
