//! The Changes page: what one edition changed against the one before it —
//! the governance diff members ask for at an assembly.
//!
//! Takes two editions' source pages, parsed pages and protocol records, gives
//! the page as markdown that the pipeline parses like any other page (so its
//! links are checked and it gets the navigation). Pages are matched by path;
//! a page whose front matter `aliases` names a vanished path is renamed rather
//! than added and removed — the same rule the version switcher follows.
//! Changed pages get a unified text diff (in a `diff` code block, folded
//! under `<details>`, cut after [`MAX_DIFF_LINES`]); protocols are matched by
//! id and compared by status, title and statement. Output is deterministic:
//! everything in path or id order.

use crate::html;
use crate::load::SourcePage;
use crate::model::PageSpec;
use crate::model::path::relative_url;
use crate::parse::Page;
use crate::protocols::ProtocolRecord;
use crate::protocols::pages::escape;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Lines of diff shown per page; the rest is counted, not shown.
pub const MAX_DIFF_LINES: usize = 160;

/// One edition as the comparison sees it.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// Its label ("2021 trial").
    pub label: &'a str,
    /// The editor's pages (generated pages left out).
    pub sources: &'a [SourcePage],
    /// Every parsed page, for titles and aliases.
    pub pages: &'a [Page],
    /// Its protocols.
    pub records: &'a [ProtocolRecord],
}

/// What changed between the pages of two editions.
#[derive(Debug, Default, PartialEq, Eq)]
struct PageChanges<'a> {
    added: Vec<&'a str>,
    removed: Vec<&'a str>,
    /// (old path, new path).
    renamed: Vec<(&'a str, &'a str)>,
    /// (old path, new path) of pages whose text differs.
    changed: Vec<(&'a str, &'a str)>,
}

/// The Changes page of `current` against `previous`, placed at `spec`;
/// protocols link to their entries on the register at `register`.
pub fn page(previous: Side<'_>, current: Side<'_>, spec: &PageSpec, register: &PageSpec) -> String {
    let pages = compare_pages(previous.sources, current.sources);
    let protocols = compare_protocols(previous.records, current.records);
    let mut out = format!("# {}\n\n", escape(&spec.title));
    let _ = writeln!(
        out,
        "What changed from **{}** to **{}**: {}; {}.\n",
        escape(previous.label),
        escape(current.label),
        page_counts(&pages),
        protocol_counts(&protocols),
    );
    let link = |target: &str| relative_url(&spec.path, target);
    protocols_section(&mut out, &protocols, &link(&register.path));
    pages_section(&mut out, &pages, previous, current, &link);
    out
}

fn compare_pages<'a>(old: &'a [SourcePage], new: &'a [SourcePage]) -> PageChanges<'a> {
    let old_by: BTreeMap<&str, &SourcePage> = old.iter().map(|p| (p.path.as_str(), p)).collect();
    let new_by: BTreeMap<&str, &SourcePage> = new.iter().map(|p| (p.path.as_str(), p)).collect();
    let gone: BTreeSet<&str> = old_by
        .keys()
        .copied()
        .filter(|p| !new_by.contains_key(p))
        .collect();
    let mut changes = PageChanges::default();
    let mut renamed_from = BTreeSet::new();
    for (path, page) in &new_by {
        match old_by.get(path) {
            Some(before) if before.text != page.text => changes.changed.push((path, path)),
            Some(_) => {}
            None => match rename_source(page, &gone, &renamed_from) {
                Some(from) => {
                    renamed_from.insert(from);
                    changes.renamed.push((from, path));
                    if old_by[from].text != page.text {
                        changes.changed.push((from, path));
                    }
                }
                None => changes.added.push(path),
            },
        }
    }
    changes.removed = gone.difference(&renamed_from).copied().collect();
    changes
}

/// The vanished page `page` was renamed from: the first its aliases name.
fn rename_source<'a>(
    page: &SourcePage,
    gone: &BTreeSet<&'a str>,
    taken: &BTreeSet<&'a str>,
) -> Option<&'a str> {
    aliases(&page.text).into_iter().find_map(|alias| {
        gone.get(alias.as_str())
            .copied()
            .filter(|path| !taken.contains(path))
    })
}

/// The front matter `aliases` of a page's text.
fn aliases(text: &str) -> Vec<String> {
    let split = crate::parse::front_matter::split(text);
    let Some((yaml, line)) = split.yaml else {
        return Vec::new();
    };
    let (front, _) = crate::parse::front_matter::parse(yaml, line, "");
    front
        .aliases
        .iter()
        .filter_map(|a| crate::model::path::normalise_target(a).ok())
        .collect()
}

/// What changed in one protocol.
#[derive(Debug, PartialEq, Eq)]
struct Changed<'a> {
    before: &'a ProtocolRecord,
    after: &'a ProtocolRecord,
}

#[derive(Debug, Default, PartialEq, Eq)]
struct ProtocolChanges<'a> {
    added: Vec<&'a ProtocolRecord>,
    removed: Vec<&'a ProtocolRecord>,
    changed: Vec<Changed<'a>>,
}

fn compare_protocols<'a>(
    old: &'a [ProtocolRecord],
    new: &'a [ProtocolRecord],
) -> ProtocolChanges<'a> {
    // Sections still to derive are not protocols yet.
    let by_id = |records: &'a [ProtocolRecord]| -> BTreeMap<&'a str, &'a ProtocolRecord> {
        records
            .iter()
            .filter(|r| r.excerpt.is_none())
            .map(|r| (r.id.as_str(), r))
            .collect()
    };
    let (old_by, new_by) = (by_id(old), by_id(new));
    let mut changes = ProtocolChanges::default();
    for (id, after) in &new_by {
        match old_by.get(id) {
            None => changes.added.push(after),
            Some(before) if differs(before, after) => {
                changes.changed.push(Changed { before, after })
            }
            Some(_) => {}
        }
    }
    changes.removed = old_by
        .iter()
        .filter(|(id, _)| !new_by.contains_key(*id))
        .map(|(_, r)| *r)
        .collect();
    changes
}

fn differs(a: &ProtocolRecord, b: &ProtocolRecord) -> bool {
    a.status != b.status || a.title != b.title || a.statement_text != b.statement_text
}

fn page_counts(c: &PageChanges<'_>) -> String {
    let edited = c.changed.iter().filter(|(a, b)| a == b).count();
    let counts = [
        (c.added.len(), "added"),
        (c.removed.len(), "removed"),
        (c.renamed.len(), "renamed"),
        (edited, "changed"),
    ];
    counted(("page", "pages"), &counts).unwrap_or_else(|| "no page changed".into())
}

fn protocol_counts(c: &ProtocolChanges<'_>) -> String {
    let counts = [
        (c.added.len(), "added"),
        (c.removed.len(), "removed"),
        (c.changed.len(), "changed"),
    ];
    counted(("protocol", "protocols"), &counts).unwrap_or_else(|| "no protocol changed".into())
}

/// "3 pages added, 1 removed" from the non-zero counts, the noun on the first.
fn counted((one, many): (&str, &str), parts: &[(usize, &str)]) -> Option<String> {
    let said: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .enumerate()
        .map(|(i, (n, verb))| match (i, *n) {
            (0, 1) => format!("1 {one} {verb}"),
            (0, n) => format!("{n} {many} {verb}"),
            (_, n) => format!("{n} {verb}"),
        })
        .collect();
    (!said.is_empty()).then(|| said.join(", "))
}

fn protocols_section(out: &mut String, c: &ProtocolChanges<'_>, register: &str) {
    if c.added.is_empty() && c.removed.is_empty() && c.changed.is_empty() {
        return;
    }
    out.push_str("## Protocols\n\n");
    let linked = |r: &ProtocolRecord| format!("[{}](<{register}#{}>)", protocol_name(r), r.id);
    if !c.added.is_empty() {
        out.push_str("### Protocols added\n\n");
        for r in &c.added {
            let _ = writeln!(
                out,
                "- {} — {}, {}",
                linked(r),
                r.status.as_str(),
                r.kind.as_str()
            );
        }
        out.push('\n');
    }
    if !c.changed.is_empty() {
        out.push_str("### Protocols changed\n\n");
        for change in &c.changed {
            protocol_change(out, change, &linked(change.after));
        }
        out.push('\n');
    }
    if !c.removed.is_empty() {
        out.push_str("### Protocols removed\n\n");
        for r in &c.removed {
            let _ = writeln!(
                out,
                "- {} (`{}`) — was {}",
                protocol_name(r),
                r.id,
                r.status.as_str()
            );
        }
        out.push('\n');
    }
}

fn protocol_name(r: &ProtocolRecord) -> String {
    r.title
        .as_deref()
        .map_or_else(|| format!("`{}`", r.id), |t| format!("**{}**", escape(t)))
}

fn protocol_change(out: &mut String, c: &Changed<'_>, link: &str) {
    let _ = writeln!(out, "- {link}");
    if c.before.status != c.after.status {
        let _ = writeln!(
            out,
            "  - Status: {} → **{}**",
            c.before.status.as_str(),
            c.after.status.as_str()
        );
    }
    if c.before.title != c.after.title {
        let _ = writeln!(out, "  - Title was: {}", protocol_name(c.before));
    }
    if c.before.statement_text != c.after.statement_text {
        let _ = writeln!(
            out,
            "  - Statement before: {}",
            escape(&c.before.statement_text)
        );
        let _ = writeln!(
            out,
            "  - Statement now: {}",
            escape(&c.after.statement_text)
        );
    }
}

fn pages_section(
    out: &mut String,
    c: &PageChanges<'_>,
    previous: Side<'_>,
    current: Side<'_>,
    link: &dyn Fn(&str) -> String,
) {
    let old_title = |path: &str| title_of(previous.pages, path);
    let new_title = |path: &str| title_of(current.pages, path);
    let page_link = |path: &str| format!("[{}](<{}>)", escape(&new_title(path)), link(path));
    if c.added.is_empty() && c.removed.is_empty() && c.renamed.is_empty() && c.changed.is_empty() {
        return;
    }
    out.push_str("## Pages\n\n");
    list(out, "Pages added", c.added.iter().map(|p| page_link(p)));
    list(
        out,
        "Pages renamed",
        c.renamed
            .iter()
            .map(|(from, to)| format!("`{}` → {}", escape(from), page_link(to))),
    );
    list(
        out,
        "Pages removed",
        c.removed
            .iter()
            .map(|p| format!("{} (`{}`)", escape(&old_title(p)), escape(p))),
    );
    if c.changed.is_empty() {
        return;
    }
    out.push_str("### Pages changed\n\n");
    let text = |side: Side<'_>, path: &str| {
        side.sources
            .iter()
            .find(|p| p.path == path)
            .map_or("", |p| p.text.as_str())
            .to_string()
    };
    for (from, to) in &c.changed {
        let diff = Diff::new(&text(previous, from), &text(current, to));
        page_diff(out, &new_title(to), &link(to), &diff);
    }
}

fn list(out: &mut String, heading: &str, items: impl Iterator<Item = String>) {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {heading}\n");
    for item in items {
        let _ = writeln!(out, "- {item}");
    }
    out.push('\n');
}

fn title_of(pages: &[Page], path: &str) -> String {
    pages
        .iter()
        .find(|p| p.path == path)
        .map_or_else(|| path.to_string(), |p| p.title.clone())
}

/// A unified diff of one page, with its counts.
struct Diff {
    text: String,
    added: usize,
    removed: usize,
}

impl Diff {
    fn new(old: &str, new: &str) -> Self {
        let diff = similar::TextDiff::from_lines(old, new);
        let (mut added, mut removed) = (0, 0);
        for change in diff.iter_all_changes() {
            match change.tag() {
                similar::ChangeTag::Insert => added += 1,
                similar::ChangeTag::Delete => removed += 1,
                similar::ChangeTag::Equal => {}
            }
        }
        let mut text = String::new();
        for hunk in diff.unified_diff().context_radius(2).iter_hunks() {
            let _ = write!(text, "{hunk}");
        }
        Self {
            text,
            added,
            removed,
        }
    }
}

fn page_diff(out: &mut String, title: &str, link: &str, diff: &Diff) {
    let lines: Vec<&str> = diff.text.lines().collect();
    let shown = lines.len().min(MAX_DIFF_LINES);
    let body = lines[..shown].join("\n");
    let fence = "`".repeat(longest_backtick_run(&body).max(2) + 1);
    let _ = write!(
        out,
        "<details>\n<summary>{} — {} {} added, {} removed</summary>\n\n[Open the page](<{link}>)\n\n{fence}diff\n{body}\n{fence}\n\n",
        html::escape(title),
        diff.added,
        if diff.added == 1 { "line" } else { "lines" },
        diff.removed,
    );
    if lines.len() > shown {
        let _ = writeln!(out, "And {} more lines of changes.\n", lines.len() - shown);
    }
    out.push_str("</details>\n\n");
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: &str, text: &str) -> SourcePage {
        SourcePage {
            path: path.into(),
            file: format!("h/{path}"),
            text: text.into(),
            summary_title: None,
            listed: true,
            includes: Default::default(),
        }
    }

    #[test]
    fn pages_are_added_removed_renamed_and_changed() {
        let old = [
            source("a.md", "# A\n"),
            source("b.md", "# B\n"),
            source("old-name.md", "# C\nsame\n"),
            source("gone.md", "# Gone\n"),
            source("moved.md", "# M\n"),
        ];
        let new = [
            source("a.md", "# A\nmore\n"),
            source("b.md", "# B\n"),
            source(
                "new-name.md",
                "---\naliases: [old-name.md]\n---\n# C\nsame\n",
            ),
            source("elsewhere/moved.md", "# M\n"),
            source("fresh.md", "# F\n"),
        ];
        let c = compare_pages(&old, &new);
        // A page moved without `aliases` is removed and added, as the
        // switcher sees it.
        assert_eq!(c.added, ["elsewhere/moved.md", "fresh.md"]);
        assert_eq!(c.removed, ["gone.md", "moved.md"]);
        assert_eq!(c.renamed, [("old-name.md", "new-name.md")]);
        assert_eq!(
            c.changed,
            [("a.md", "a.md"), ("old-name.md", "new-name.md")]
        );
    }

    #[test]
    fn diffs_count_lines_and_fence_longer_than_any_backticks() {
        let diff = Diff::new("a\n```\nb\n", "a\n```\nc\n");
        assert_eq!((diff.added, diff.removed), (1, 1));
        let mut out = String::new();
        page_diff(&mut out, "<T>", "t.html", &diff);
        assert!(
            out.contains("<summary>&lt;T&gt; — 1 line added, 1 removed</summary>"),
            "{out}"
        );
        assert!(out.contains("````diff\n@@"), "{out}");
        assert!(out.contains("-b\n+c\n````"), "{out}");
    }

    #[test]
    fn counts_read_as_a_sentence() {
        let c = PageChanges {
            added: vec!["a", "b"],
            removed: vec!["c"],
            ..PageChanges::default()
        };
        assert_eq!(page_counts(&c), "2 pages added, 1 removed");
        let c = PageChanges {
            removed: vec!["c"],
            ..PageChanges::default()
        };
        assert_eq!(page_counts(&c), "1 page removed");
        assert_eq!(page_counts(&PageChanges::default()), "no page changed");
    }
}
