//! `fluxverify envelope verify|inspect`.
use super::{stages, Exit};
use crate::{ModeArgs, TrustArgs};
use anyhow::Context as _;
use clap::Args;
use fluxverify::report::tree;
use fluxverify::report::verify::VerifyReport;
use fluxverify::source::Descriptor;
use fluxverify::verify::run::{verify_envelope, EnvelopeRequest};
use std::path::{Path, PathBuf};

/// Envelope media type, when it cannot be told from the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EnvelopeMediaType {
    /// `application/jose+json`
    #[value(name = "application/jose+json")]
    Jws,
    /// `application/cose`
    #[value(name = "application/cose")]
    Cose,
}

/// Arguments of `envelope verify`.
#[derive(Debug, Args)]
pub struct EnvelopeVerifyArgs {
    /// The signature envelope file.
    pub file: PathBuf,
    /// The artifact reference the signature is verified for, `registry/repository@sha256:...`.
    #[arg(long, value_name = "REGISTRY/REPO@sha256:...")]
    pub reference: String,
    /// The signed artifact's OCI descriptor, as JSON text or `@file`.
    #[arg(long, value_name = "DESCRIPTOR")]
    pub subject: String,
    /// Envelope media type (default: from the content).
    #[arg(long, value_enum)]
    pub media_type: Option<EnvelopeMediaType>,
    #[command(flatten)]
    pub trust: TrustArgs,
    #[command(flatten)]
    pub mode: ModeArgs,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = crate::OutputFormat::Text)]
    pub output: crate::OutputFormat,
}

/// Arguments of `envelope inspect`.
#[derive(Debug, Args)]
pub struct EnvelopeInspectArgs {
    /// The signature envelope file.
    pub file: PathBuf,
    /// Envelope media type (default: from the content).
    #[arg(long, value_enum)]
    pub media_type: Option<EnvelopeMediaType>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = crate::OutputFormat::Text)]
    pub output: crate::OutputFormat,
}

/// Largest envelope file read (notation's signature blob limit).
const MAX_ENVELOPE_BYTES: u64 = 32 * 1024 * 1024;

fn read_envelope(path: &Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read as _;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_ENVELOPE_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > MAX_ENVELOPE_BYTES {
        anyhow::bail!(
            "{}: signature blob too large: more than {MAX_ENVELOPE_BYTES} bytes",
            path.display()
        );
    }
    Ok(bytes)
}

/// `--media-type`, or JSON → JWS, CBOR tag 18 → COSE.
fn media_type_of(given: Option<EnvelopeMediaType>, bytes: &[u8]) -> anyhow::Result<&'static str> {
    match given {
        Some(EnvelopeMediaType::Jws) => Ok("application/jose+json"),
        Some(EnvelopeMediaType::Cose) => Ok("application/cose"),
        None => match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Ok("application/jose+json"),
            Some(0xd2) => Ok("application/cose"),
            _ => anyhow::bail!(
                "cannot tell the envelope format from the content; give --media-type application/jose+json or application/cose"
            ),
        },
    }
}

/// `--subject` as JSON text or `@file`.
fn subject_of(arg: &str) -> anyhow::Result<Descriptor> {
    let text = match arg.strip_prefix('@') {
        Some(path) => fluxverify::limits::read_text(std::path::Path::new(path))
            .map_err(|e| anyhow::anyhow!("cannot read --subject file {path}: {}", e.detail()))?,
        None => arg.to_string(),
    };
    let subject: Descriptor = serde_json::from_str(&text)
        .context("--subject must be an OCI descriptor with mediaType, digest and size")?;
    if subject.media_type.is_empty() || !subject.digest.starts_with("sha256:") {
        anyhow::bail!("--subject must name a mediaType and a sha256: digest");
    }
    Ok(subject)
}

pub fn run_verify(args: EnvelopeVerifyArgs) -> anyhow::Result<Exit> {
    let settings = stages::Settings::from_args(&args.mode)?;
    let blob = read_envelope(&args.file)?;
    let media_type = media_type_of(args.media_type, &blob)?;
    let subject = subject_of(&args.subject)?;
    let Some((_, digest)) = args.reference.rsplit_once('@') else {
        anyhow::bail!("--reference must be registry/repository@sha256:<digest>");
    };
    if digest != subject.digest {
        anyhow::bail!(
            "--reference digest {digest} is not the --subject digest {}",
            subject.digest
        );
    }
    let built = stages::build(&args.trust, &settings)?;
    let request = EnvelopeRequest {
        artifact_reference: args.reference.clone(),
        artifact: subject,
        media_type: media_type.to_string(),
        warnings: built.warnings,
    };
    let outcome = verify_envelope(
        built.stages,
        settings.signature_options(),
        request,
        &blob,
        chrono::Utc::now(),
    );
    let report = VerifyReport::new(settings.common(), outcome);
    Ok(super::verify::emit(&report, args.output))
}

pub fn run_inspect(args: EnvelopeInspectArgs) -> anyhow::Result<Exit> {
    let blob = read_envelope(&args.file)?;
    let media_type = media_type_of(args.media_type, &blob)?;
    let digest = format!(
        "sha256:{}",
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&blob))
    );
    let signature = fluxverify::verify::inspect::inspect_envelope(&digest, media_type, &blob)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    match args.output {
        crate::OutputFormat::Json => {
            let media = signature.signed_artifact.media_type.clone();
            let value = tree::inspect_json(&media, &[signature]);
            outln!(
                "{}",
                serde_json::to_string_pretty(&value["signatures"][0]).unwrap_or_default()
            );
        }
        crate::OutputFormat::Text => {
            let text = tree::Node::branch(
                args.file.display().to_string(),
                vec![tree::signature_node(&signature)],
            )
            .render();
            out!("{text}");
        }
    }
    Ok(Exit::Ok)
}
