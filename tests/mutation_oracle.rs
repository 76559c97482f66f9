//! The mutation oracle: every single-byte mutant (XOR 0x01, 0x10, 0x80, 0xff at every position)
//! of three corpus envelopes, with the verdict and exact error notation-go v1.3.2 built with
//! Go 1.26 returned for it the way Flux source-controller v1.9 verifies
//! (`tests/vectors/mutation-oracle/`, see PROVENANCE.md).
//!
//! Every mutant goes through the library call behind `fluxverify envelope verify --mode flux
//! -o json`, and the JSON contract's `result` and `error` are compared with the record:
//! no mutant may verify that Flux rejects, none may be rejected that Flux verifies, and the error
//! texts must agree for at least [`MIN_EXACT_MESSAGES`] of the mutants both reject.

use flate2::read::GzDecoder;
use fluxverify::pki::revocation::Validator;
use fluxverify::report::verify::VerifyReport;
use fluxverify::settings::{FluxVersion, Mode, Settings};
use fluxverify::source::Descriptor;
use fluxverify::trust::material::{TrustInput, TrustMaterial};
use fluxverify::trust::policy::Dialect;
use fluxverify::verify::run::{verify_envelope, EnvelopeRequest};
use fluxverify::verify::signature::SignatureOptions;
use fluxverify::verify::stages::{revocation_config, PolicyStages};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// Mutants both sides reject whose error texts must be the same (of 48,656); measured, rounded
/// down slightly, so that a regression fails.
const MIN_EXACT_MESSAGES: usize = 48_650;

fn oracle_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/mutation-oracle")
}

/// `bases.json` names files under `corpus-sample/` of the shared data; the same files are
/// under `tests/vectors/corpus/` here.
fn vector_path(shared: &str) -> PathBuf {
    let relative = shared
        .strip_prefix("corpus-sample/")
        .unwrap_or_else(|| panic!("unexpected path {shared}"));
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/corpus")
        .join(relative)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BaseEntry {
    base: String,
    envelope: String,
    media_type: String,
    reference: String,
    subject: Descriptor,
    trust_policy: String,
    certs: Vec<String>,
    size: usize,
}

/// One base envelope, read once.
struct Base {
    entry: BaseEntry,
    envelope: Vec<u8>,
    material: TrustMaterial,
}

#[derive(Deserialize)]
struct Record {
    base: String,
    pos: usize,
    xor: u8,
    result: String,
    error: Option<String>,
}

fn bases() -> BTreeMap<String, Base> {
    let text = std::fs::read_to_string(oracle_dir().join("bases.json")).expect("bases.json");
    let entries: Vec<BaseEntry> = serde_json::from_str(&text).expect("bases.json parses");
    entries
        .into_iter()
        .map(|entry| {
            let envelope = std::fs::read(vector_path(&entry.envelope)).expect("base envelope");
            assert_eq!(envelope.len(), entry.size, "{}: size", entry.base);
            let input = TrustInput {
                trust_policy: Some(vector_path(&entry.trust_policy)),
                certs: entry
                    .certs
                    .iter()
                    .map(|c| vector_path(c).display().to_string())
                    .collect(),
                ..TrustInput::default()
            };
            let material = TrustMaterial::read(&input, Dialect::Flux).expect("trust material");
            (
                entry.base.clone(),
                Base {
                    entry,
                    envelope,
                    material,
                },
            )
        })
        .collect()
}

fn records() -> Vec<Record> {
    let file = std::fs::File::open(oracle_dir().join("flux.jsonl.gz")).expect("flux.jsonl.gz");
    std::io::BufReader::new(GzDecoder::new(file))
        .lines()
        .map(|line| serde_json::from_str(&line.expect("line reads")).expect("record parses"))
        .collect()
}

/// `result` and `error` of `envelope verify --mode flux -o json` for `blob`.
fn verify(base: &Base, blob: &[u8]) -> (String, Option<String>) {
    let settings = Settings {
        mode: Mode::Flux,
        flux_version: FluxVersion::V1_9,
    };
    let loaded = base.material.policy(Dialect::Flux).expect("policy loads");
    let stages = PolicyStages::new(
        loaded.document,
        base.material.store(Dialect::Flux),
        Validator::new(revocation_config(settings)),
        settings,
    );
    let request = EnvelopeRequest {
        artifact_reference: base.entry.reference.clone(),
        artifact: base.entry.subject.clone(),
        media_type: base.entry.media_type.clone(),
        warnings: Vec::new(),
    };
    let options = SignatureOptions {
        mode: Mode::Flux,
        user_metadata: BTreeMap::new(),
        plugin_dir: "<none>".into(),
        timestamps_supported: true,
    };
    let outcome = verify_envelope(stages, options, request, blob, chrono::Utc::now());
    let json = VerifyReport::new(settings, outcome).to_json();
    (
        json["result"].as_str().unwrap_or_default().to_string(),
        json["error"].as_str().map(str::to_string),
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Agree,
    MessageDiffers,
    WrongPass,
    FalseReject,
}

/// A message with digests and long names folded, so that mismatches group by kind.
fn shape(message: Option<&str>) -> String {
    let Some(message) = message else {
        return "<none>".into();
    };
    static HEX: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new("[0-9a-f]{64}").expect("regex"));
    static QUOTED: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new("\"[^\"]*\"").expect("regex"));
    let unhexed = HEX.replace_all(message, "<hex>");
    let folded = QUOTED.replace_all(&unhexed, "\"…\"");
    let tail: String = folded.chars().rev().take(110).collect();
    tail.chars().rev().collect()
}

#[derive(Default)]
struct Tally {
    counts: BTreeMap<Outcome, usize>,
    classes: BTreeMap<(Outcome, String, String), usize>,
    examples: BTreeMap<(Outcome, String, String), String>,
}

impl Tally {
    fn count(&self, outcome: Outcome) -> usize {
        self.counts.get(&outcome).copied().unwrap_or(0)
    }

    fn merge(&mut self, other: Tally) {
        for (k, v) in other.counts {
            *self.counts.entry(k).or_default() += v;
        }
        for (k, v) in other.classes {
            *self.classes.entry(k).or_default() += v;
        }
        for (k, v) in other.examples {
            self.examples.entry(k).or_insert(v);
        }
    }
}

/// Tallies by base.
fn run(bases: &BTreeMap<String, Base>, records: &[Record]) -> BTreeMap<String, Tally> {
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for record in records {
        let base = &bases[&record.base];
        let tally = tallies.entry(record.base.clone()).or_default();
        let mut mutant = base.envelope.clone();
        mutant[record.pos] ^= record.xor;
        let (result, error) = verify(base, &mutant);
        let outcome = match (record.result.as_str(), result.as_str()) {
            ("verified", "verified") => Outcome::Agree,
            (_, "verified") => Outcome::WrongPass,
            ("verified", _) => Outcome::FalseReject,
            _ if record.error == error => Outcome::Agree,
            _ => Outcome::MessageDiffers,
        };
        *tally.counts.entry(outcome).or_default() += 1;
        if outcome != Outcome::Agree {
            let key = (
                outcome,
                shape(record.error.as_deref()),
                shape(error.as_deref()),
            );
            *tally.classes.entry(key.clone()).or_default() += 1;
            tally.examples.entry(key).or_insert_with(|| {
                format!(
                    "{} pos {} xor {:#04x}: want {:?}, got {:?}",
                    record.base, record.pos, record.xor, record.error, error
                )
            });
        }
    }
    tallies
}

#[test]
fn every_oracle_mutant_gets_flux_verdict_and_message() {
    let started = std::time::Instant::now();
    let bases = bases();
    let records = records();
    assert_eq!(records.len(), 49_096, "the whole oracle is read");
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = records.len().div_ceil(threads);
    let mut per_base: BTreeMap<String, Tally> = BTreeMap::new();
    let tallies: Vec<BTreeMap<String, Tally>> = std::thread::scope(|scope| {
        let handles: Vec<_> = records
            .chunks(chunk)
            .map(|part| {
                let bases = &bases;
                scope.spawn(move || run(bases, part))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker"))
            .collect()
    });
    for map in tallies {
        for (name, tally) in map {
            per_base.entry(name).or_default().merge(tally);
        }
    }
    let mut total = Tally::default();
    for (name, tally) in per_base {
        let both_reject = tally.count(Outcome::Agree) + tally.count(Outcome::MessageDiffers)
            - records
                .iter()
                .filter(|r| r.base == name && r.result == "verified")
                .count();
        println!(
            "{name}: wrong passes {}, false rejects {}, exact messages {}/{} ({:.2}%)",
            tally.count(Outcome::WrongPass),
            tally.count(Outcome::FalseReject),
            both_reject - tally.count(Outcome::MessageDiffers),
            both_reject,
            100.0 * (both_reject - tally.count(Outcome::MessageDiffers)) as f64
                / both_reject as f64
        );
        total.merge(tally);
    }
    let verified = records.iter().filter(|r| r.result == "verified").count();
    let both_reject = total.count(Outcome::Agree) + total.count(Outcome::MessageDiffers) - verified;
    let exact = both_reject - total.count(Outcome::MessageDiffers);
    println!(
        "all: wrong passes {}, false rejects {}, exact messages {exact}/{both_reject} ({:.2}%), {:.1} s",
        total.count(Outcome::WrongPass),
        total.count(Outcome::FalseReject),
        100.0 * exact as f64 / both_reject as f64,
        started.elapsed().as_secs_f64()
    );
    let mut classes: Vec<_> = total.classes.iter().collect();
    classes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for ((outcome, want, got), n) in classes.iter().take(40) {
        println!("{n:6} {outcome:?}\n       want {want}\n       got  {got}");
        if let Some(example) = total.examples.get(&(*outcome, want.clone(), got.clone())) {
            println!("       e.g. {example}");
        }
    }
    assert_eq!(
        total.count(Outcome::WrongPass),
        0,
        "mutants verified that Flux rejects"
    );
    assert_eq!(
        total.count(Outcome::FalseReject),
        0,
        "mutants rejected that Flux verifies"
    );
    assert!(
        exact >= MIN_EXACT_MESSAGES,
        "exact messages {exact} < {MIN_EXACT_MESSAGES}"
    );
}
