//! A table of contents from the folders, for handbooks without SUMMARY.md, as
//! GitBook does: entries sorted by name, a folder's `README.md` as the folder's
//! own page with the folder's other pages and subfolders nested under it, and
//! each title taken from the page's first `# ` heading (else its file name).

use super::summary::{Chapter, Summary, SummaryItem};
use std::collections::{BTreeMap, HashMap};

/// Builds the summary from the markdown paths (sorted) and their texts.
pub(super) fn summary(paths: &[String], texts: &HashMap<String, String>) -> Summary {
    let chapters = folder("", paths, texts);
    Summary {
        items: chapters.into_iter().map(SummaryItem::Chapter).collect(),
    }
}

/// The chapters of one folder (`prefix` is `""` or ends with `/`).
fn folder(prefix: &str, paths: &[String], texts: &HashMap<String, String>) -> Vec<Chapter> {
    let mut files = Vec::new();
    let mut folders: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for path in paths {
        let Some(rest) = path.strip_prefix(prefix) else {
            continue;
        };
        match rest.split_once('/') {
            Some((dir, _)) => folders.entry(dir).or_default().push(path.clone()),
            None => files.push(path.clone()),
        }
    }
    let readme = format!("{prefix}README.md");
    // At the root the README is the home page, listed first; in a folder it is
    // the folder's own entry (see `subfolder`).
    let mut chapters: Vec<Chapter> = files
        .iter()
        .filter(|p| prefix.is_empty() || **p != readme)
        .map(|p| leaf(p, texts))
        .collect();
    chapters.sort_by_key(|c| c.path.as_deref() != Some("README.md"));
    for (dir, inner) in folders {
        chapters.push(subfolder(&format!("{prefix}{dir}/"), dir, &inner, texts));
    }
    chapters
}

fn subfolder(
    prefix: &str,
    name: &str,
    paths: &[String],
    texts: &HashMap<String, String>,
) -> Chapter {
    let readme = format!("{prefix}README.md");
    let has_readme = paths.contains(&readme);
    let title = if has_readme {
        title_of(&readme, texts)
    } else {
        humanise(name)
    };
    Chapter {
        title,
        path: has_readme.then_some(readme),
        line: 0,
        column: 0,
        children: folder(prefix, paths, texts),
        numbered: true,
    }
}

fn leaf(path: &str, texts: &HashMap<String, String>) -> Chapter {
    Chapter {
        title: title_of(path, texts),
        path: Some(path.to_string()),
        line: 0,
        column: 0,
        children: Vec::new(),
        numbered: true,
    }
}

/// The first `# ` heading of the page, else its humanised file name.
fn title_of(path: &str, texts: &HashMap<String, String>) -> String {
    title(path, texts.get(path).map_or("", String::as_str))
}

/// The title a page has in a summary made from the folders: its first `# `
/// heading, else its humanised file name.
pub(crate) fn title(path: &str, text: &str) -> String {
    let heading = text
        .lines()
        .find_map(|line| line.strip_prefix("# "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    heading.unwrap_or_else(|| {
        let file = path.rsplit('/').next().unwrap_or(path);
        humanise(file.trim_end_matches(".md"))
    })
}

/// `commons-political-economy` → `Commons political economy`.
fn humanise(name: &str) -> String {
    let spaced = name.replace(['-', '_'], " ");
    let mut chars = spaced.trim().chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_become_nested_chapters_with_their_readme() {
        let paths: Vec<String> = [
            "README.md",
            "a.md",
            "b-dir/README.md",
            "b-dir/x.md",
            "c-dir/y.md",
        ]
        .map(String::from)
        .to_vec();
        let texts: HashMap<String, String> =
            [("b-dir/README.md".to_string(), "# Bees\n".to_string())]
                .into_iter()
                .collect();
        let summary = summary(&paths, &texts);
        let shape: Vec<(String, Option<String>, usize)> = summary
            .chapters()
            .iter()
            .map(|c| (c.title.clone(), c.path.clone(), c.children.len()))
            .collect();
        assert_eq!(
            shape,
            [
                ("README".into(), Some("README.md".into()), 0),
                ("A".into(), Some("a.md".into()), 0),
                ("Bees".into(), Some("b-dir/README.md".into()), 1),
                ("X".into(), Some("b-dir/x.md".into()), 0),
                ("C dir".into(), None, 1),
                ("Y".into(), Some("c-dir/y.md".into()), 0),
            ]
        );
    }
}
