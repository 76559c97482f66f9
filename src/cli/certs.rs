//! `fluxverify certs`.
use super::policy::{dialect, trust_exit, trust_input};
use super::Exit;
use crate::{Mode, TrustArgs};
use chrono::SecondsFormat;
use clap::Args;
use fluxverify::pki::cert::Certificate;
use fluxverify::trust::material::{Store, TrustMaterial};
use fluxverify::trust::policy::StoreType;
use fluxverify::trust::store::TrustStore;
use serde_json::json;

/// Arguments of `certs`.
#[derive(Debug, Args)]
pub struct CertsArgs {
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Show the certificates as Flux (default) or the notation CLI would read them.
    #[arg(long, value_enum, default_value_t = Mode::Flux)]
    pub mode: Mode,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = crate::OutputFormat::Text)]
    pub output: crate::OutputFormat,
}

/// One certificate as shown.
struct Shown {
    source: String,
    store: Option<String>,
    cert: Certificate,
    used: bool,
    note: Option<String>,
}

fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn cert_json(s: &Shown, now: chrono::DateTime<chrono::Utc>) -> serde_json::Value {
    json!({
        "key": s.source,
        "store": s.store,
        "subject": s.cert.subject(),
        "issuer": s.cert.issuer(),
        "notBefore": time(s.cert.not_before()),
        "notAfter": time(s.cert.not_after()),
        "expired": s.cert.not_after() < now,
        "sha256": s.cert.sha256_fingerprint(),
        "isCA": s.cert.is_ca(),
        "selfIssued": s.cert.is_self_issued(),
        "used": s.used,
        "note": s.note,
    })
}

pub fn run(args: CertsArgs) -> anyhow::Result<Exit> {
    let dialect = dialect(args.mode);
    let material = TrustMaterial::read(&trust_input(&args.trust), dialect).map_err(trust_exit)?;
    let store = material.store(dialect);
    let mut shown: Vec<Shown> = Vec::new();
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut warnings = material.warnings.clone();

    match &store {
        Store::Flux(flux) => {
            if let Some(secret) = &material.secret {
                if let Err(e) = secret.certificate_entries() {
                    errors.push((secret.namespaced_name(), e.to_string()));
                }
            }
            for report in flux.report() {
                let pem = report
                    .pem_type
                    .as_ref()
                    .map(|t| format!("first PEM block, type {t}"));
                for cert in report.used {
                    shown.push(Shown {
                        source: report.key.clone(),
                        store: None,
                        cert,
                        used: true,
                        note: pem.clone(),
                    });
                }
                for cert in report.ignored {
                    shown.push(Shown {
                        source: report.key.clone(),
                        store: None,
                        cert,
                        used: false,
                        note: Some("not the first PEM block: Flux never reads it".into()),
                    });
                }
                if let Some(e) = report.error {
                    errors.push((
                        report.key.clone(),
                        format!(
                            "Flux fails every trust store lookup with: failed to parse certificate '<store name>': {e}"
                        ),
                    ));
                }
            }
            warnings.extend(flux.warnings());
        }
        Store::Notation(notation) => {
            let mut stores: Vec<(StoreType, String)> =
                notation.named_stores().map(|(k, _)| k.clone()).collect();
            if let Ok(loaded) = material.policy(dialect) {
                for s in &loaded.document.trust_policies {
                    for t in StoreType::ALL {
                        for name in s.trust_store_names(t) {
                            if !stores.iter().any(|(st, n)| *st == t && n == name) {
                                stores.push((t, name.to_string()));
                            }
                        }
                    }
                }
            }
            if stores.is_empty() && !material.cert_entries.is_empty() {
                warnings.push(
                    "no named stores: give TYPE:NAME=PATH, or a policy that names its stores"
                        .into(),
                );
            }
            for (t, name) in stores {
                match notation.certificates(t, &name) {
                    Ok(certs) => shown.extend(certs.into_iter().map(|cert| Shown {
                        source: format!("{t}:{name}"),
                        store: Some(format!("{t}:{name}")),
                        cert,
                        used: true,
                        note: None,
                    })),
                    Err(e) => errors.push((format!("{t}:{name}"), e.to_string())),
                }
            }
        }
    }

    let now = chrono::Utc::now();
    match args.output {
        crate::OutputFormat::Json => {
            let value = json!({
                "mode": match args.mode { Mode::Flux => "flux", Mode::Notation => "notation" },
                "source": material.origin,
                "certificates": shown.iter().map(|s| cert_json(s, now)).collect::<Vec<_>>(),
                "errors": errors.iter().map(|(k, e)| json!({"key": k, "error": e})).collect::<Vec<_>>(),
                "warnings": warnings,
            });
            outln!("{}", serde_json::to_string_pretty(&value)?);
        }
        crate::OutputFormat::Text => {
            outln!("Certificates in {}", material.origin);
            if shown.is_empty() && errors.is_empty() {
                outln!("(none)");
            }
            for s in &shown {
                outln!("{}", "-".repeat(80));
                match &s.store {
                    Some(store) => outln!("Store:             {store}"),
                    None => outln!("Key:               {}", s.source),
                }
                outln!("Subject:           {}", s.cert.subject());
                outln!("Issuer:            {}", s.cert.issuer());
                outln!("Valid from:        {}", time(s.cert.not_before()));
                let expired = if s.cert.not_after() < now {
                    " (expired)"
                } else {
                    ""
                };
                outln!("Valid to:          {}{expired}", time(s.cert.not_after()));
                outln!("IsCA:              {}", s.cert.is_ca());
                outln!("SHA256 Thumbprint: {}", s.cert.sha256_fingerprint());
                let used = match (args.mode, s.used) {
                    (Mode::Flux, true) => "yes, for every trust store the policy names".to_string(),
                    (Mode::Notation, true) => "yes".to_string(),
                    (_, false) => "no".to_string(),
                };
                outln!(
                    "Used by {}: {used}{}",
                    match args.mode {
                        Mode::Flux => "Flux",
                        Mode::Notation => "notation",
                    },
                    s.note
                        .as_ref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                );
            }
            for w in &warnings {
                eprintln!("Warning: {w}");
            }
            for (key, e) in &errors {
                eprintln!("Error: {key}: {e}");
            }
        }
    }
    Ok(if errors.is_empty() {
        Exit::Ok
    } else {
        Exit::Failed
    })
}
