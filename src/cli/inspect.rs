//! `fluxverify ls` and `fluxverify inspect`.
use super::source::with_registry_hints;
use super::timed::{time_limit, TimedRun};
use super::{source_for, Exit, Source};
use crate::{LayoutArgs, RegistryArgs};
use anyhow::Context as _;
use clap::Args;
use fluxverify::report::tree;
use fluxverify::source::{Descriptor, SignatureSource};
use fluxverify::verify::inspect::inspect;

/// `ls --scope` / `inspect --scope`: no trust policy is read.
const SCOPE_HELP: &str = "`registry/repository` the layout's artifact belongs to (with --oci-layout; not needed when REFERENCE is a full `registry/repository@sha256:...`)";

/// Arguments of `ls`.
#[derive(Debug, Args)]
#[command(mut_arg("scope", |a| a.help(SCOPE_HELP)))]
pub struct ListArgs {
    /// Artifact reference (with --oci-layout: a tag or `@sha256:...` inside the layout).
    pub reference: String,
    #[command(flatten)]
    pub registry: RegistryArgs,
    #[command(flatten)]
    pub layout: LayoutArgs,
    /// Maximum number of signatures to list.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_signatures: usize,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = crate::OutputFormat::Text)]
    pub output: crate::OutputFormat,
}

/// Arguments of `inspect`.
#[derive(Debug, Args)]
#[command(mut_arg("max_signatures", |a| a.help("Maximum number of signatures to show")))]
pub struct InspectArgs {
    #[command(flatten)]
    pub list: ListArgs,
}

pub fn run_ls(args: ListArgs) -> anyhow::Result<Exit> {
    if args.max_signatures == 0 {
        anyhow::bail!("max-signatures value 0 must be a positive number");
    }
    let source = source_for(&args.reference, &args.layout, &args.registry)?;
    let timed = TimedRun::start(time_limit(&args.registry, None), args.output)?;
    let listed = timed.block_on(async {
        match &source {
            Source::Layout(s) => Ok((
                list(s.source(), &s.display, &s.wanted, args.max_signatures).await?,
                None,
            )),
            Source::Registry(s) => {
                if let Some(tag) = &s.tag {
                    eprintln!(
                        "Warning: {}",
                        fluxverify::source::registry::tag_warning("list", tag)
                    );
                }
                let listed = list(s.source(), &s.display, &s.wanted, args.max_signatures).await?;
                // cosign's signatures too, both formats, after notation's unchanged tree.
                let discovery = fluxverify::cosign::discover(
                    s.source(),
                    &listed.artifact.digest,
                    fluxverify::cosign::ClassicLookup::Always,
                )
                .await;
                Ok((listed, Some(discovery)))
            }
        }
    })?;
    let (listed, cosign) = listed.map_err(|e| with_registry_hints(e, &source, &args.registry))?;
    match args.output {
        crate::OutputFormat::Text => {
            out!(
                "{}",
                tree::list(
                    &listed.reference,
                    &listed.signatures,
                    Some(args.max_signatures)
                )
            );
            if let Some(text) = cosign.and_then(|discovery| {
                fluxverify::report::cosign::list_text(&listed.reference, &discovery)
            }) {
                out!("{text}");
            }
        }
        crate::OutputFormat::Json => {
            let value = tree::list_json(
                &listed.reference,
                &listed.artifact,
                &listed.signatures,
                args.max_signatures,
            );
            outln!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        }
    }
    Ok(Exit::Ok)
}

/// What `ls` found.
pub struct Listed {
    /// `<display>@<digest>`.
    pub reference: String,
    /// The artifact.
    pub artifact: Descriptor,
    /// Its signature manifests, in source order.
    pub signatures: Vec<Descriptor>,
}

/// `notation ls` over any source: resolve, list.
pub async fn list<S: SignatureSource>(
    source: &S,
    display: &str,
    wanted: &str,
    max: usize,
) -> anyhow::Result<Listed> {
    let artifact = source
        .resolve(wanted)
        .await
        .with_context(|| format!("failed to resolve {display}"))?;
    let signatures: Vec<_> = source
        .list_signatures(&artifact, max)
        .await
        .context("failed to list signatures")?
        .into_iter()
        .flatten()
        .collect();
    let reference = super::with_digest(display, &artifact.digest);
    Ok(Listed {
        reference,
        artifact,
        signatures,
    })
}

pub fn run_inspect(args: InspectArgs) -> anyhow::Result<Exit> {
    let list = &args.list;
    if list.max_signatures == 0 {
        anyhow::bail!("max-signatures value 0 must be a positive number");
    }
    let source = source_for(&list.reference, &list.layout, &list.registry)?;
    let timed = TimedRun::start(time_limit(&list.registry, None), list.output)?;
    let resolved = timed.block_on(async {
        match &source {
            Source::Layout(s) => {
                let artifact = s
                    .source()
                    .resolve(&s.wanted)
                    .await
                    .with_context(|| format!("failed to resolve {}", list.reference))?;
                let base = if s.scope.is_empty() {
                    s.display.clone()
                } else {
                    s.scope.clone()
                };
                let reference = super::with_digest(&base, &artifact.digest);
                let result = inspect(s.source(), &artifact, list.max_signatures).await;
                anyhow::Ok((artifact, reference, result))
            }
            Source::Registry(s) => {
                if let Some(tag) = &s.tag {
                    eprintln!(
                        "Warning: {}",
                        fluxverify::source::registry::tag_warning("inspect", tag)
                    );
                }
                let artifact = s
                    .source()
                    .resolve(&s.wanted)
                    .await
                    .with_context(|| format!("failed to resolve {}", list.reference))?;
                let reference = super::with_digest(&s.display, &artifact.digest);
                let result = inspect(s.source(), &artifact, list.max_signatures).await;
                anyhow::Ok((artifact, reference, result))
            }
        }
    })?;
    let hinted = |e: anyhow::Error| with_registry_hints(e, &source, &list.registry);
    let (artifact, reference, result) = resolved.map_err(hinted)?;
    let inspection = result.map_err(|e| hinted(e.into()))?;
    for skipped in &inspection.skipped {
        eprintln!("Warning: {skipped}");
    }
    let signatures = inspection.signatures;
    match list.output {
        crate::OutputFormat::Json => {
            let value = tree::inspect_json(&artifact.media_type, &signatures);
            outln!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        }
        crate::OutputFormat::Text => out!("{}", tree::inspect_text(&reference, &signatures)),
    }
    if !inspection.skipped.is_empty() {
        return Err(super::ExitError {
            exit: Exit::Failed,
            error: anyhow::anyhow!("at least one signature was skipped and not displayed"),
            reported: true,
        }
        .into());
    }
    Ok(Exit::Ok)
}
