//! The repository a fleet scan reads: its root (the directory Flux Kustomization paths are
//! relative to), the cluster entry points in it, and the work copy kustomize builds in.
//!
//! - Root: `--root`, else the directory a bootstrap Kustomization's `spec.path` is relative to
//!   (a Kustomization in `clusters/a/flux-system/gotk-sync.yaml` whose path is
//!   `./clusters/a` makes the directory above `clusters/` the root), else the git top level,
//!   else the directory scanned.
//! - Entries: directories whose own Kustomization points back at them (`spec.path` is the
//!   directory, relative to the root), as `flux bootstrap` writes them.
//! - Work copy: the root copied to a temporary directory, less what source-controller leaves
//!   out of a GitRepository artifact (`.git/` and its other default ignore patterns, and what
//!   the repository's `.sourceignore` files exclude), because the controller's generated
//!   kustomization files must never be written into the user's tree.

use super::spec::{is_flux_kustomization, FluxKustomization};
use crate::gitops::Object;
use std::path::{Component, Path, PathBuf};

/// Why the repository cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// A path given does not exist or cannot be read.
    #[error("cannot read {}: {error}", .path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
    /// The scanned directory is not inside `--root`.
    #[error("{} is not inside the repository root {}", .path.display(), .root.display())]
    OutsideRoot {
        /// The directory.
        path: PathBuf,
        /// The root.
        root: PathBuf,
    },
}

/// Names source-controller leaves out of a GitRepository artifact by default (`pkg/sourceignore`:
/// `ExcludeVCS`, `ExcludeExt`, `ExcludeCI`, `ExcludeExtra`), matched on a file or directory's
/// own name: none of the default patterns has a `/` inside it, so each matches at any depth.
fn ignored_by_source_controller(name: &str, is_dir: bool) -> bool {
    const DIRS: [&str; 3] = [".git", ".github", ".circleci"];
    const FILES: [&str; 13] = [
        ".gitignore",
        ".gitmodules",
        ".gitattributes",
        ".travis.yml",
        ".gitlab-ci.yml",
        "appveyor.yml",
        ".drone.yml",
        "cloudbuild.yaml",
        "codeship-services.yml",
        "codeship-steps.yml",
        ".goreleaser.yml",
        ".sops.yaml",
        ".flux.yaml",
    ];
    const EXTENSIONS: [&str; 7] = [".jpg", ".jpeg", ".gif", ".png", ".wmv", ".flv", ".tar.gz"];
    if is_dir {
        return DIRS.contains(&name);
    }
    FILES.contains(&name) || EXTENSIONS.iter().any(|e| name.ends_with(e)) || name.ends_with(".zip")
}

/// Normalises `a/./b/../c` without touching the file system; `None` when it climbs above its
/// start.
pub fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(n) => out.push(n),
            Component::RootDir | Component::Prefix(_) => out.push(c.as_os_str()),
        }
    }
    Some(out)
}

/// A Flux Kustomization `spec.path` as a path relative to the root (`./a/b/` → `a/b`;
/// Flux joins it securely: it can never leave the root).
pub fn spec_path(path: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for c in Path::new(path).components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::ParentDir => {
                out.pop();
            }
            _ => {}
        }
    }
    out
}

/// The path of `path` relative to `root`, with `/` separators and no `./` (`.` for the root).
pub fn relative_to(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".to_owned(),
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => path.display().to_string(),
    }
}

/// The git top level above `dir` (a `.git` directory or file).
fn git_top_level(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

/// A cluster entry: a directory applied by its own bootstrap Kustomization.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The directory, relative to the root.
    pub path: String,
    /// The Kustomization that points back at it (none when the directory was scanned without
    /// one: it is then built as the path of a Kustomization with an empty spec).
    pub kustomization: Option<FluxKustomization>,
}

/// The repository and what to build in it.
#[derive(Debug)]
pub struct Repository {
    /// The root, canonical.
    pub root: PathBuf,
    /// The cluster entries to build, in path order.
    pub entries: Vec<Entry>,
    /// Flux Kustomizations of the scanned paths that could not be read.
    pub problems: Vec<String>,
}

fn canonical(path: &Path) -> Result<PathBuf, RepoError> {
    std::fs::canonicalize(path).map_err(|error| RepoError::Io {
        path: path.to_path_buf(),
        error,
    })
}

/// Finds the root and the entries for the directories scanned. `objects` are the objects of
/// their files, read one by one (for the bootstrap Kustomizations, before anything is built).
pub fn discover(
    dirs: &[PathBuf],
    explicit_root: Option<&Path>,
    objects: &[Object],
) -> Result<Repository, RepoError> {
    let dirs: Vec<PathBuf> = dirs
        .iter()
        .map(|d| canonical(d))
        .collect::<Result<_, _>>()?;
    let mut problems = Vec::new();
    // (entry directory, root it implies, the Kustomization)
    let mut candidates: Vec<(PathBuf, PathBuf, FluxKustomization)> = Vec::new();
    for object in objects.iter().filter(|o| is_flux_kustomization(o)) {
        let k = match FluxKustomization::from_object(object) {
            Ok(k) => k,
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        if k.source.kind != "GitRepository" {
            continue;
        }
        let Ok(file) = canonical(Path::new(&object.file)) else {
            continue;
        };
        let wanted = spec_path(&k.path);
        for dir in file.ancestors().skip(1) {
            if !dirs.iter().any(|d| dir.starts_with(d)) {
                break;
            }
            let implied_root = if wanted.as_os_str().is_empty() {
                Some(dir.to_path_buf())
            } else if dir.ends_with(&wanted) {
                let mut r = dir.to_path_buf();
                for _ in wanted.components() {
                    r.pop();
                }
                Some(r)
            } else {
                None
            };
            if let Some(r) = implied_root {
                if explicit_root.is_none_or(|e| canonical(e).is_ok_and(|e| e == r)) {
                    candidates.push((dir.to_path_buf(), r, k.clone()));
                }
                break;
            }
        }
    }
    let root = match explicit_root {
        Some(r) => canonical(r)?,
        None => match candidates.first() {
            Some((_, r, _)) => r.clone(),
            None => {
                let first = dirs.first().cloned().unwrap_or_default();
                git_top_level(&first).unwrap_or(first)
            }
        },
    };
    for dir in &dirs {
        if !dir.starts_with(&root) {
            return Err(RepoError::OutsideRoot {
                path: dir.clone(),
                root,
            });
        }
    }
    candidates.retain(|(_, r, _)| *r == root);
    let mut entries: Vec<Entry> = Vec::new();
    for dir in &dirs {
        // A scanned directory that is an entry is that cluster alone.
        if let Some((_, _, k)) = candidates.iter().find(|(e, _, _)| e == dir) {
            entries.push(Entry {
                path: relative_to(&root, dir),
                kustomization: Some(k.clone()),
            });
            continue;
        }
        let below: Vec<&(PathBuf, PathBuf, FluxKustomization)> = candidates
            .iter()
            .filter(|(e, _, _)| e.starts_with(dir))
            .collect();
        if below.is_empty() {
            entries.push(Entry {
                path: relative_to(&root, dir),
                kustomization: None,
            });
        }
        for (e, _, k) in below {
            entries.push(Entry {
                path: relative_to(&root, e),
                kustomization: Some(k.clone()),
            });
        }
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    entries.dedup_by(|a, b| a.path == b.path);
    Ok(Repository {
        root,
        entries,
        problems,
    })
}

/// The root copied to a temporary directory, where kustomization files may be written.
#[derive(Debug)]
pub struct WorkCopy {
    dir: tempfile::TempDir,
    root: PathBuf,
}

/// Copies the repository as source-controller archives it: without its default ignore patterns
/// and without what the repository's `.sourceignore` files exclude (gitignore syntax, each file
/// for its own directory and below, as `ignore`'s walker reads them).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    let walker = ignore::WalkBuilder::new(from)
        .standard_filters(false)
        .add_custom_ignore_filename(".sourceignore")
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            entry.depth() == 0
                || !ignored_by_source_controller(&entry.file_name().to_string_lossy(), is_dir)
        })
        .build();
    for entry in walker {
        let entry = entry.map_err(std::io::Error::other)?;
        let Ok(rel) = entry.path().strip_prefix(from) else {
            continue;
        };
        if rel.as_os_str().is_empty() {
            continue;
        }
        let target = to.join(rel);
        let Some(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            std::fs::create_dir_all(&target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
        } else if kind.is_symlink() {
            // A link is copied as the file it points to; Flux's artifact keeps no links.
            if std::fs::metadata(entry.path()).is_ok_and(|m| m.is_file()) {
                std::fs::copy(entry.path(), &target)?;
            }
        }
    }
    Ok(())
}

impl WorkCopy {
    /// Copies `root`.
    pub fn of(root: &Path) -> Result<WorkCopy, RepoError> {
        let io = |error| RepoError::Io {
            path: root.to_path_buf(),
            error,
        };
        let dir = tempfile::Builder::new()
            .prefix("fluxverify-build-")
            .tempdir()
            .map_err(io)?;
        copy_tree(root, dir.path()).map_err(io)?;
        Ok(WorkCopy {
            dir,
            root: root.to_path_buf(),
        })
    }

    /// The work copy's directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The repository root it copies.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A work-copy path as the user names it: relative to the repository root.
    pub fn relative(&self, path: &Path) -> String {
        let normal = normalize(path).unwrap_or_else(|| path.to_path_buf());
        match normal.strip_prefix(self.dir.path()) {
            Ok(rel) if rel.as_os_str().is_empty() => ".".to_owned(),
            Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
            Err(_) => path.display().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_paths_stay_in_the_root() {
        assert_eq!(spec_path("./clusters/a/"), PathBuf::from("clusters/a"));
        assert_eq!(spec_path("../../etc"), PathBuf::from("etc"));
        assert_eq!(spec_path("./"), PathBuf::new());
        assert_eq!(
            normalize(Path::new("/w/a/../b/./c")),
            Some(PathBuf::from("/w/b/c"))
        );
    }

    #[test]
    fn the_work_copy_leaves_out_what_source_controller_leaves_out() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        for (rel, text) in [
            (".sourceignore", "scripts/\n*.md\n"),
            ("apps/.sourceignore", "local.yaml\n"),
            ("apps/app.yaml", "a"),
            ("apps/local.yaml", "b"),
            ("apps/README.md", "c"),
            ("scripts/x.yaml", "d"),
            (".git/config", "e"),
            ("logo.png", "f"),
        ] {
            std::fs::create_dir_all(root.join(rel).parent().unwrap()).unwrap();
            std::fs::write(root.join(rel), text).unwrap();
        }
        let work = WorkCopy::of(root).unwrap();
        assert!(work.path().join("apps/app.yaml").is_file());
        for gone in [
            "apps/local.yaml",
            "apps/README.md",
            "scripts",
            ".git",
            "logo.png",
        ] {
            assert!(!work.path().join(gone).exists(), "{gone}");
        }
    }

    #[test]
    fn source_controller_leaves_out_vcs_and_ci_files() {
        assert!(ignored_by_source_controller(".git", true));
        assert!(ignored_by_source_controller(".sops.yaml", false));
        assert!(ignored_by_source_controller("logo.png", false));
        assert!(!ignored_by_source_controller("apps", true));
        assert!(!ignored_by_source_controller("app.yaml", false));
    }
}
