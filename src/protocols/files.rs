//! Records → the files of `protocols/`: one YAML file per page with notes (the
//! page's path with `.yaml`), each opening with a comment that names its page
//! and says edits belong there, plus `index.yaml` listing every record in
//! SUMMARY order. [`write`] brings the folder in line (removing the files of
//! pages whose notes are gone); [`check`] compares without writing and gives a
//! short unified diff per file that drifted.

use crate::model::protocol::ProtocolRecord;
use anyhow::Result;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The index file's name.
pub const INDEX: &str = "index.yaml";

/// How many diff lines one drifted file shows at most.
const DIFF_LINES: usize = 40;

#[derive(Serialize)]
struct PageFile<'a> {
    page: &'a str,
    title: &'a str,
    protocols: Vec<&'a ProtocolRecord>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct IndexEntry<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    status: &'static str,
    kind: &'static str,
    page: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    anchor: Option<&'a str>,
}

/// The expected content of `protocols/`, by path inside it. `source_prefix` is
/// the source folder relative to the project root (`handbook/`), for the headers.
/// A handbook without notes expects no files at all.
pub fn expected(
    records: &[ProtocolRecord],
    source_prefix: &str,
) -> Result<BTreeMap<String, String>> {
    if records.is_empty() {
        return Ok(BTreeMap::new());
    }
    let mut by_page: Vec<(&str, Vec<&ProtocolRecord>)> = Vec::new();
    for record in records {
        match by_page.last_mut() {
            Some((page, list)) if *page == record.source.page => list.push(record),
            _ => by_page.push((&record.source.page, vec![record])),
        }
    }
    let mut files = BTreeMap::new();
    for (page, list) in by_page {
        let header = format!(
            "# Derived by `handbook protocols` from the notes in {source_prefix}{page}.\n\
             # Edit the notes there, not this file: it is rewritten from them.\n"
        );
        let body = PageFile {
            page,
            title: &list[0].source.title,
            protocols: list,
        };
        let name = format!("{}.yaml", page.strip_suffix(".md").unwrap_or(page));
        files.insert(name, format!("{header}{}", to_yaml(&body)?));
    }
    let index: Vec<IndexEntry<'_>> = records
        .iter()
        .map(|r| IndexEntry {
            id: &r.id,
            title: r.title.as_deref(),
            status: r.status.as_str(),
            kind: r.kind.as_str(),
            page: &r.source.page,
            anchor: r.source.anchor.as_deref(),
        })
        .collect();
    let header = "# Every protocol derived from the handbook, in SUMMARY order.\n\
                  # Written by `handbook protocols`; checked by `handbook check`.\n";
    files.insert(INDEX.to_string(), format!("{header}{}", to_yaml(&index)?));
    Ok(files)
}

/// One line per single-line value (reviewers diff these files), literal
/// blocks for multi-line statements.
fn to_yaml(value: &impl Serialize) -> Result<String> {
    let mut options = serde_saphyr::SerializerOptions::default();
    options.folded_wrap_chars = usize::MAX;
    serde_saphyr::to_string_with_options(value, options)
        .map_err(|e| anyhow::anyhow!("writing protocol YAML: {e}"))
}

/// The `.yaml` files now in `dir`, by path inside it (none if it is missing).
fn present(dir: &Path) -> Result<BTreeMap<String, String>> {
    let mut files = BTreeMap::new();
    if !dir.is_dir() {
        return Ok(files);
    }
    let tree = crate::load::source::DirTree::new(dir);
    for path in crate::load::source::SourceTree::files(&tree)?.files {
        if path.ends_with(".yaml") {
            // Not UTF-8, it differs from what is derived: the drift says so.
            let bytes = crate::fs::read(&dir.join(&path))?;
            files.insert(path.clone(), String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok(files)
}

/// One file of `protocols/` that differs from what the handbook derives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// Path inside `protocols/`.
    pub path: String,
    /// What is wrong, as the rest of a sentence starting with the file's name.
    pub what: &'static str,
    /// A short unified diff from the file to what it should be.
    pub diff: String,
}

/// Compares `dir` with `expected` without writing.
pub fn check(dir: &Path, expected: &BTreeMap<String, String>) -> Result<Vec<Drift>> {
    let present = present(dir)?;
    let mut drifts = Vec::new();
    for (path, want) in expected {
        match present.get(path) {
            None => {
                let what = "is missing: the handbook's notes derive it";
                drifts.push(Drift {
                    path: path.clone(),
                    what,
                    diff: diff("", want),
                });
            }
            Some(have) if have != want => {
                let what = "differs from what the handbook's notes derive";
                drifts.push(Drift {
                    path: path.clone(),
                    what,
                    diff: diff(have, want),
                });
            }
            Some(_) => {}
        }
    }
    for (path, have) in &present {
        if !expected.contains_key(path) {
            let what = "is left over: no page derives it now";
            drifts.push(Drift {
                path: path.clone(),
                what,
                diff: diff(have, ""),
            });
        }
    }
    Ok(drifts)
}

/// Writes what changed and removes `.yaml` files no page derives any more.
/// Gives how many files were written and removed.
pub fn write(dir: &Path, expected: &BTreeMap<String, String>) -> Result<(usize, usize)> {
    let present = present(dir)?;
    let mut written = 0;
    for (path, want) in expected {
        if present.get(path) != Some(want) {
            crate::fs::write(&dir.join(path), want)?;
            written += 1;
        }
    }
    let mut removed = 0;
    for path in present.keys().filter(|p| !expected.contains_key(*p)) {
        let file = dir.join(path);
        std::fs::remove_file(&file)
            .map_err(|e| anyhow::anyhow!("removing {}: {e}", file.display()))?;
        removed += 1;
        // Folders left empty go too (a removed page's chapter folder).
        let mut folder = file.parent();
        while let Some(f) = folder.filter(|f| *f != dir) {
            if std::fs::remove_dir(f).is_err() {
                break;
            }
            folder = f.parent();
        }
    }
    Ok((written, removed))
}

/// A unified diff of at most [`DIFF_LINES`] lines.
fn diff(have: &str, want: &str) -> String {
    let text = similar::TextDiff::from_lines(have, want)
        .unified_diff()
        .context_radius(2)
        .header("on disk", "derived")
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= DIFF_LINES {
        return text;
    }
    format!(
        "{}\n… {} more lines\n",
        lines[..DIFF_LINES].join("\n"),
        lines.len() - DIFF_LINES
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn write_then_check_is_clean_and_stale_files_go() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("old.yaml"), "x").unwrap();
        crate::fs::write(&dir.path().join("gone/chapter/page.yaml"), "x").unwrap();
        std::fs::write(dir.path().join("README.md"), "kept").unwrap();
        let want = files(&[("a/b.yaml", "one\n"), (INDEX, "index\n")]);
        assert_eq!(write(dir.path(), &want).unwrap(), (2, 2));
        assert!(
            !dir.path().join("gone").exists(),
            "emptied folders are removed"
        );
        assert!(check(dir.path(), &want).unwrap().is_empty());
        assert!(dir.path().join("README.md").is_file());
        assert_eq!(
            write(dir.path(), &want).unwrap(),
            (0, 0),
            "nothing rewritten when in sync"
        );
    }

    #[test]
    fn a_hand_edit_is_drift_with_a_diff() {
        let dir = tempfile::tempdir().unwrap();
        let want = files(&[("a.yaml", "status: draft\nid: x\n")]);
        write(dir.path(), &want).unwrap();
        std::fs::write(dir.path().join("a.yaml"), "status: adopted\nid: x\n").unwrap();
        let drift = check(dir.path(), &want).unwrap();
        assert_eq!(drift.len(), 1);
        assert!(drift[0].what.starts_with("differs"));
        assert!(
            drift[0].diff.contains("-status: adopted\n+status: draft\n"),
            "{}",
            drift[0].diff
        );
    }

    #[test]
    fn long_diffs_are_cut() {
        let have: String = (0..200).map(|i| format!("{i}\n")).collect();
        let text = diff(&have, "");
        assert!(text.lines().count() <= DIFF_LINES + 1);
        assert!(text.ends_with("more lines\n"));
    }
}
