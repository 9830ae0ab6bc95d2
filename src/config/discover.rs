//! Which configuration a project has when it has no `handbook.yaml`: an
//! mdBook book (`book.toml`), a GitBook Git Sync repository
//! (`.gitbook.yaml`), or a plain GitBook export (a folder with `SUMMARY.md`
//! or `README.md` at its top, built with the defaults). Takes the project
//! folder; gives the [`Translation`] of what it found, checked in that order,
//! or `None` when the folder is none of these. A `book.toml` or
//! `.gitbook.yaml` named with `--config` is read the same way.

use super::foreign::Translation;
use super::{display_path, gitsync, mdbook, text_of};
use std::path::Path;

/// mdBook's configuration file.
pub const BOOK_TOML: &str = "book.toml";
/// GitBook Git Sync's configuration file.
pub const GITBOOK_YAML: &str = ".gitbook.yaml";

/// The project's foreign configuration, said as a `handbook.yaml`.
pub fn translation(root: &Path) -> anyhow::Result<Option<Translation>> {
    for name in [BOOK_TOML, GITBOOK_YAML] {
        let path = root.join(name);
        if path.is_file() {
            return read(root, &path);
        }
    }
    let export = [crate::config::SUMMARY_FILE, "README.md"]
        .iter()
        .any(|name| root.join(name).is_file());
    Ok(export.then(|| {
        let mut found = Translation::new(
            &display_path(&root.join(super::FILE_NAME)),
            "A GitBook export: its pages are in this folder.",
        );
        found.source(".", (0, 0));
        found.file = root.join(super::FILE_NAME);
        found
    }))
}

/// The translation of `path` when it is named `book.toml` or
/// `.gitbook.yaml` (whatever folder it is in); `None` for any other name.
pub(super) fn read(root: &Path, path: &Path) -> anyhow::Result<Option<Translation>> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let translate = match name.as_deref() {
        Some(BOOK_TOML) => mdbook::translate as fn(&str, &str) -> _,
        Some(GITBOOK_YAML) => gitsync::translate,
        _ => return Ok(None),
    };
    let label = display_path(path);
    let text = text_of(crate::fs::read(path)?, &label)?;
    let mut found = translate(text.trim_start_matches('\u{feff}'), &label)?;
    if name.as_deref() == Some(BOOK_TOML) {
        warn_of_templates(root, &mut found);
    }
    found.file = path.to_path_buf();
    Ok(Some(found))
}

/// mdBook reads templates (`*.hbs`) from the book's `theme/` folder; they
/// do not apply here, which the author should hear once.
fn warn_of_templates(root: &Path, found: &mut Translation) {
    let Ok(entries) = std::fs::read_dir(root.join("theme")) else {
        return;
    };
    let mut templates: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".hbs"))
        .collect();
    if templates.is_empty() {
        return;
    }
    templates.sort();
    let message = format!(
        "mdBook's templates in theme/ are not used: {}",
        templates.join(", ")
    );
    found.warn(
        (0, 0),
        message,
        "pages use the built-in theme; override its files under themes/default/ (see Themes in the README)",
    );
}
