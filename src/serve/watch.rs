//! Watching the project for saves: notify with the full debouncer (it
//! stitches editors' write-then-rename pairs and drops duplicates), and the
//! sorting of changed paths into what they ask of the build.
//!
//! Takes the configuration; gives a [`Watch`] that sends each debounced
//! batch of paths, and [`classify`], which turns a batch into [`Changes`]:
//! pages edited, the structure changed (SUMMARY, assets, pages added or
//! removed), the configuration or theme changed, `protocols/` touched.

use crate::config::Config;
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// How long the debouncer waits for a burst of events to end: long enough
/// to see an editor's write-then-rename as one save, short enough to be
/// unnoticed.
pub const DEBOUNCE: Duration = Duration::from_millis(20);

/// What a batch of changed paths asks for.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Markdown pages edited, by path in the source folder.
    pub pages: BTreeSet<String>,
    /// SUMMARY.md or an asset changed: the edition is rebuilt.
    pub structure: bool,
    /// The configuration or the theme changed: everything is rebuilt.
    pub restart: bool,
    /// A file of `protocols/` changed: its drift is checked again.
    pub protocols: bool,
}

impl Changes {
    /// Whether the batch asks for nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The watcher; dropping it stops watching.
pub struct Watch {
    debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    /// The folders outside the source folder watched for included files.
    included: BTreeSet<PathBuf>,
    source: PathBuf,
}

impl Watch {
    /// Watches the folders of `files` (included by pages) that the source
    /// folder's watch does not cover: their folder, as editors replace a
    /// file when they save it.
    pub fn include(&mut self, files: &BTreeSet<PathBuf>) {
        for file in files {
            let Some(folder) = file.parent() else {
                continue;
            };
            if folder.starts_with(&self.source) || self.included.contains(folder) {
                continue;
            }
            if self
                .debouncer
                .watch(folder, RecursiveMode::NonRecursive)
                .is_ok()
            {
                self.included.insert(folder.to_path_buf());
            }
        }
    }
}

/// Watches the source folder, the configuration file, the project's theme
/// folder and `protocols/`; each debounced batch of changed paths goes to
/// `send`.
pub fn watch(config: &Config, send: mpsc::Sender<Vec<PathBuf>>) -> anyhow::Result<Watch> {
    let handler = move |result: DebounceEventResult| {
        let Ok(events) = result else { return };
        let paths: Vec<PathBuf> = events
            .into_iter()
            .filter(|e| !matches!(e.event.kind, EventKind::Access(_)))
            .flat_map(|e| e.event.paths)
            .collect();
        if !paths.is_empty() {
            let _ = send.send(paths);
        }
    };
    let mut debouncer = new_debouncer(DEBOUNCE, Some(DEBOUNCE / 4), handler)?;
    debouncer.watch(&config.source_dir, RecursiveMode::Recursive)?;
    if let Some(folder) = config.file.parent() {
        debouncer.watch(folder, RecursiveMode::NonRecursive)?;
    }
    for folder in [theme_folder(config), config.protocols.folder.clone()] {
        if folder.is_dir() {
            debouncer.watch(&folder, RecursiveMode::Recursive)?;
        }
    }
    let source =
        crate::fs::resolved(&config.source_dir).unwrap_or_else(|_| config.source_dir.clone());
    Ok(Watch {
        debouncer,
        included: BTreeSet::new(),
        source,
    })
}

/// The project's own theme folder (`themes/<name>/`), whether or not it exists.
fn theme_folder(config: &Config) -> PathBuf {
    config.root.join("themes").join(&config.theme)
}

/// Sorts changed paths; `known` says whether a source-folder path is a page,
/// an asset or a folder of the edition being served (a temporary file that
/// came and went is none of them, and is ignored).
pub fn classify(config: &Config, paths: &[PathBuf], known: &dyn Fn(&str) -> bool) -> Changes {
    let mut changes = Changes::default();
    // The watcher reports absolute paths; the configuration's may be relative.
    let absolute = |path: &Path| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let (file, theme) = (absolute(&config.file), absolute(&theme_folder(config)));
    let (output, protocols) = (
        absolute(&config.output_dir),
        absolute(&config.protocols.folder),
    );
    let source = absolute(&config.source_dir);
    for path in paths {
        if path == &file || path.starts_with(&theme) {
            changes.restart = true;
        } else if path.starts_with(&output) {
            continue;
        } else if path.starts_with(&protocols) {
            changes.protocols = true;
        } else if let Some(relative) = in_source(&source, path) {
            let summary = config.carried.summary_file.as_str();
            sort_source((&relative, summary), path, known, &mut changes);
        }
    }
    changes
}

/// Sorts one changed path of the source folder; `summary` is the SUMMARY file's name.
fn sort_source(
    (relative, summary): (&str, &str),
    path: &Path,
    known: &dyn Fn(&str) -> bool,
    changes: &mut Changes,
) {
    let hidden = relative
        .split('/')
        .any(|part| part.starts_with('.') && part != ".gitbook");
    if hidden {
        return;
    }
    if relative == summary {
        changes.structure = true;
        return;
    }
    let exists = path.exists();
    if !exists && !known(relative) {
        // A temporary file that came and went.
        return;
    }
    if relative.ends_with(".md") && !path.is_dir() {
        changes.pages.insert(relative.to_string());
    } else {
        // An asset, or a folder made, moved or removed whole (its files'
        // own events may never come).
        changes.structure = true;
    }
}

/// A path as the source folder names it (`a/b.md`), when it is in it.
fn in_source(source: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(source).ok()?;
    let parts: Vec<&str> = relative
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect::<Option<_>>()?;
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        for folder in ["handbook/a", "protocols", "themes/default", "site"] {
            std::fs::create_dir_all(root.join(folder)).expect("folder");
        }
        for file in [
            "handbook/a/page.md",
            "handbook/SUMMARY.md",
            "handbook/logo.png",
        ] {
            std::fs::write(root.join(file), "x").expect("file");
        }
        std::fs::write(root.join("handbook.yaml"), "title: T\n").expect("config");
        let config = crate::config::load(root, None, None).expect("config");
        (dir, config)
    }

    fn sort(config: &Config, paths: &[&str], known: &[&str]) -> Changes {
        let paths: Vec<PathBuf> = paths.iter().map(|p| config.root.join(p)).collect();
        classify(config, &paths, &|p| known.contains(&p))
    }

    #[test]
    fn pages_structure_restart_and_protocols_are_told_apart() {
        let (_dir, config) = project();
        let pages = sort(&config, &["handbook/a/page.md"], &["a/page.md"]);
        assert_eq!(pages.pages, BTreeSet::from(["a/page.md".to_string()]));
        assert!(!pages.structure && !pages.restart && !pages.protocols);
        assert!(sort(&config, &["handbook/SUMMARY.md"], &[]).structure);
        assert!(sort(&config, &["handbook/logo.png"], &[]).structure);
        assert!(sort(&config, &["handbook.yaml"], &[]).restart);
        assert!(sort(&config, &["themes/default/templates/page.html"], &[]).restart);
        assert!(sort(&config, &["protocols/x.yaml"], &[]).protocols);
    }

    #[test]
    fn output_hidden_and_vanished_temporary_files_are_ignored() {
        let (_dir, config) = project();
        for ignored in [
            "site/index.html",
            "handbook/.page.md.swp",
            "handbook/.git/index",
            "handbook/4913",
        ] {
            assert!(sort(&config, &[ignored], &[]).is_empty(), "{ignored}");
        }
        // A page that is gone is still news: it was removed.
        let removed = sort(&config, &["handbook/gone.md"], &["gone.md"]);
        assert_eq!(removed.pages, BTreeSet::from(["gone.md".to_string()]));
    }

    #[test]
    fn folders_and_a_removed_summary_change_the_structure() {
        let (_dir, config) = project();
        // A folder made or moved in whole: its files' events may never come.
        assert!(sort(&config, &["handbook/a"], &[]).structure);
        // A folder removed whole comes as one event for the folder.
        assert!(sort(&config, &["handbook/gone"], &["gone"]).structure);
        assert!(sort(&config, &["handbook/gone"], &[]).is_empty());
        std::fs::remove_file(config.source_dir.join("SUMMARY.md")).expect("remove");
        assert!(sort(&config, &["handbook/SUMMARY.md"], &[]).structure);
    }

    #[test]
    fn a_git_sync_summary_file_and_gitbook_yaml_are_watched_as_such() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("docs")).expect("folder");
        std::fs::write(root.join("docs/contents.md"), "# C\n").expect("file");
        let gitbook = "root: docs\nstructure:\n  summary: contents.md\n";
        std::fs::write(root.join(".gitbook.yaml"), gitbook).expect("config");
        let config = crate::config::load(root, None, None).expect("config");
        assert!(sort(&config, &["docs/contents.md"], &["contents.md"]).structure);
        assert!(sort(&config, &[".gitbook.yaml"], &[]).restart);
    }
}
