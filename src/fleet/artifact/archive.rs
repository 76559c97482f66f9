//! What of the staging directory reaches the ExternalArtifact: source-watcher stores it with
//! `Storage.Archive(..., SourceIgnoreFilter(nil, nil))`, that is with fluxcd/pkg/sourceignore's
//! default matcher, and the archiver keeps regular files and directories only. So a consumer
//! never sees VCS files, images, zip and `.tar.gz` files, CI configuration, `.sops.yaml` and
//! the like, nor symbolic links, even where a copy operation put them.

use std::path::Path;

/// `ExcludeVCS`, `ExcludeExt`, `ExcludeCI` and `ExcludeExtra` of fluxcd/pkg/sourceignore:
/// names matched at any depth; a trailing `/` matches directories (and so everything below).
const DEFAULT_EXCLUDES: &[&str] = &[
    ".git/",
    ".gitignore",
    ".gitmodules",
    ".gitattributes",
    "*.jpg",
    "*.jpeg",
    "*.gif",
    "*.png",
    "*.wmv",
    "*.flv",
    "*.tar.gz",
    "*.zip",
    ".github/",
    ".circleci/",
    ".travis.yml",
    ".gitlab-ci.yml",
    "appveyor.yml",
    ".drone.yml",
    "cloudbuild.yaml",
    "codeship-services.yml",
    "codeship-steps.yml",
    "**/.goreleaser.yml",
    "**/.sops.yaml",
    "**/.flux.yaml",
];

/// Whether the default matcher ignores an entry called `name`.
fn ignored(name: &str, is_dir: bool) -> bool {
    DEFAULT_EXCLUDES.iter().any(|pattern| {
        let pattern = pattern.strip_prefix("**/").unwrap_or(pattern);
        match pattern.strip_suffix('/') {
            Some(dir_name) => is_dir && dir_name == name,
            None => match pattern.strip_prefix('*') {
                Some(suffix) => name.ends_with(suffix),
                None => pattern == name,
            },
        }
    })
}

/// Removes from `dir` what the archive would leave out.
pub(super) fn apply_default_ignore(dir: &Path) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let kind = entry.file_type()?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if kind.is_dir() {
            if ignored(&name, true) {
                std::fs::remove_dir_all(&path)?;
            } else {
                apply_default_ignore(&path)?;
            }
        } else if !kind.is_file() || ignored(&name, false) {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_patterns_match_names_at_any_depth() {
        for (name, is_dir, want) in [
            (".git", true, true),
            (".git", false, false),
            (".github", true, true),
            ("logo.png", false, true),
            ("chart.tar.gz", false, true),
            ("chart.tgz", false, false),
            (".sops.yaml", false, true),
            (".gitlab-ci.yml", false, true),
            ("kustomization.yaml", false, false),
            ("README.md", false, false),
        ] {
            assert_eq!(ignored(name, is_dir), want, "{name}");
        }
    }
}
