//! `handbook import DIR [--out NEW]`: a `handbook.yaml` that says what an
//! mdBook `book.toml` or a GitBook `.gitbook.yaml` says, for a team that
//! switches for good. Takes the project folder; writes `DIR/handbook.yaml`,
//! or copies the project into the new folder `NEW` and writes it there.
//! Gives the warnings for what could not be carried over. The YAML is the
//! very translation a build without `handbook.yaml` reads, so the site is the
//! same either way. Never overwrites a `handbook.yaml`, writes nothing when
//! the foreign file has an error, and never copies the output folder, the
//! build cache or `.git`.

use crate::config::{self, FILE_NAME};
use crate::diagnostic::Diagnostic;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// What an import did.
#[derive(Debug)]
pub struct Imported {
    /// The `handbook.yaml` written.
    pub written: PathBuf,
    /// The file translated (`book.toml`, `.gitbook.yaml`, or the folder of an export).
    pub from: String,
    /// Each part not carried over.
    pub not_carried: Vec<Diagnostic>,
}

/// Imports the project in `dir`, into `out` when given.
pub fn import(dir: &Path, out: Option<&Path>) -> Result<Imported> {
    if dir.join(FILE_NAME).is_file() {
        bail!(
            "{} already has a {FILE_NAME}: there is nothing to import",
            dir.display()
        );
    }
    let Some(found) = config::translation(dir)? else {
        bail!(
            "{} has no {}, {} or SUMMARY.md to import",
            dir.display(),
            config::BOOK_TOML,
            config::GITBOOK_YAML
        );
    };
    // The translation must read as a configuration before anything is written.
    let checked = found.config(dir, None)?;
    let target = match out {
        Some(new) => {
            copy_project(dir, new, &checked.output_dir)?;
            new.join(FILE_NAME)
        }
        None => dir.join(FILE_NAME),
    };
    if target.exists() {
        bail!("{} exists; import never overwrites it", target.display());
    }
    crate::fs::write(&target, found.yaml.clone())?;
    Ok(Imported {
        written: target,
        from: found.label.clone(),
        not_carried: found.warnings,
    })
}

/// Copies the project's files into the new folder `new` (absent or empty),
/// leaving out dot-folders but `.gitbook`, the build cache and the output.
fn copy_project(dir: &Path, new: &Path, output: &Path) -> Result<()> {
    if new.join(FILE_NAME).exists() {
        bail!(
            "{} exists; import never overwrites it",
            new.join(FILE_NAME).display()
        );
    }
    if new.exists()
        && std::fs::read_dir(new)
            .with_context(|| format!("reading {}", new.display()))?
            .next()
            .is_some()
    {
        bail!(
            "{} already has files; import copies the project into a new or empty folder",
            new.display()
        );
    }
    let walk = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || kept(e, output));
    for entry in walk {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry
            .path()
            .strip_prefix(dir)
            .context("a path under the project")?;
        crate::fs::copy(entry.path(), &new.join(relative))?;
    }
    Ok(())
}

/// Whether the walk copies `entry`: not a dot-entry but GitBook's
/// `.gitbook` and `.gitbook.yaml`, not the output folder.
fn kept(entry: &walkdir::DirEntry, output: &Path) -> bool {
    let name = entry.file_name().to_string_lossy();
    let dotted = name.starts_with('.') && name != ".gitbook" && name != config::GITBOOK_YAML;
    !dotted && entry.path() != output
}
