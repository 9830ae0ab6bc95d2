//! Records → the markdown of three generated pages, which then parse, link
//! and render like any page (navigation, breadcrumbs, print, link checks):
//!
//! - the **register**: every protocol grouped by chapter in SUMMARY order, with
//!   counts by status, each under a heading whose anchor is its id, with its
//!   status, kind, space and a link back to its exact section; the sections
//!   still to derive listed apart;
//! - the **code of practice**: the adopted protocols, privileges, obligations
//!   and sanctions, grouped by the kind of space they apply in, then by whom
//!   they apply to, one line each;
//! - the **constitution**: the adopted principles in handbook order.

use super::moved::moved;
use crate::model::PageSpec;
use crate::model::path::relative_url;
use crate::model::protocol::{Kind, ProtocolRecord, Status};
use crate::parse::notes::{Slugger, slugify};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One generated page: its spec and markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// Path and title.
    pub spec: PageSpec,
    /// The page's markdown.
    pub markdown: String,
}

/// The kind of space a record's space is, by space id (from the configuration).
pub type SpaceKinds = BTreeMap<String, String>;

/// The three pages: register, code of practice, constitution.
pub fn generate(
    records: &[ProtocolRecord],
    specs: [&PageSpec; 3],
    spaces: &SpaceKinds,
) -> Vec<Generated> {
    let [register_spec, code_spec, constitution_spec] = specs;
    vec![
        Generated {
            spec: register_spec.clone(),
            markdown: register(records, register_spec),
        },
        Generated {
            spec: code_spec.clone(),
            markdown: code_of_practice(records, code_spec, spaces),
        },
        Generated {
            spec: constitution_spec.clone(),
            markdown: constitution(records, constitution_spec),
        },
    ]
}

fn register(records: &[ProtocolRecord], spec: &PageSpec) -> String {
    let mut md = format!("# {}\n\n", escape(&spec.title));
    let (derived, to_derive): (Vec<&ProtocolRecord>, Vec<&ProtocolRecord>) =
        records.iter().partition(|r| r.status != Status::ToDerive);
    let pages = derived
        .iter()
        .map(|r| &r.source.page)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let _ = writeln!(
        md,
        "Every protocol derived from the handbook's notes: {} on {pages} page(s), and {} section(s) whose protocols are still to be derived.\n",
        derived.len(),
        to_derive.len()
    );
    md.push_str(&status_counts(&derived));
    let mut chapter: Option<&str> = None;
    // Two chapters may have one title (two parts called "Overview"): the
    // second's anchor takes a number, as a page's repeated headings do.
    let mut anchors = Slugger::default();
    // A protocol id used twice is an error at the second note; its entry
    // here leaves the anchor to the first, so as not to say so again.
    let mut ids = std::collections::HashSet::new();
    for record in &derived {
        let this = record.source.chapter.as_deref().unwrap_or("Other pages");
        if chapter != Some(this) {
            // Prefixed, so no protocol id can take a chapter's anchor.
            let anchor = anchors.slug(&format!("chapter-{}", slugify(this)));
            let _ = writeln!(md, "## {} {{#{anchor}}}\n", escape(this));
            chapter = Some(this);
        }
        let anchored = ids.insert(record.id.as_str());
        md.push_str(&register_entry(record, spec, anchored));
    }
    if !to_derive.is_empty() {
        md.push_str("## Sections still to derive {#hb-to-derive}\n\nThese sections carry a note whose protocols are yet to be written.\n\n");
        for record in to_derive {
            let excerpt = record
                .excerpt
                .as_deref()
                .map_or_else(String::new, |e| format!(" — {}", escape(e)));
            let _ = writeln!(md, "- {}{excerpt}", source_link(record, spec, true));
        }
        md.push('\n');
    }
    md
}

fn status_counts(records: &[&ProtocolRecord]) -> String {
    let mut counts: BTreeMap<Status, usize> = BTreeMap::new();
    for record in records {
        *counts.entry(record.status).or_default() += 1;
    }
    if counts.is_empty() {
        return "No protocols are derived yet.\n\n".into();
    }
    let mut md = String::from("| Status | Protocols |\n|---|--:|\n");
    for (status, count) in counts {
        let _ = writeln!(md, "| {} | {count} |", status.as_str());
    }
    md.push('\n');
    md
}

/// One protocol's entry, under a heading whose anchor is its id when
/// `anchored`.
fn register_entry(record: &ProtocolRecord, spec: &PageSpec, anchored: bool) -> String {
    let mut facts = vec![
        format!("**{}**", record.status.as_str()),
        record.kind.as_str().to_string(),
    ];
    facts.extend(
        record
            .space
            .as_ref()
            .map(|s| format!("space: {}", escape(s))),
    );
    facts.extend(
        record
            .applies_to
            .as_ref()
            .map(|a| format!("applies to {}", escape(a))),
    );
    facts.extend(record.adopted.as_ref().map(|a| match &a.by {
        Some(by) => format!("adopted {} by {}", a.date, escape(by)),
        None => format!("adopted {}", a.date),
    }));
    facts.push(source_link(record, spec, false));
    let anchor = if anchored {
        format!(" {{#{}}}", record.id)
    } else {
        String::new()
    };
    let mut md = format!(
        "### {}{anchor}\n\n{}\n\n",
        heading(record),
        facts.join(" · ")
    );
    if !record.statement.is_empty() {
        let _ = writeln!(md, "{}\n", statement(record, spec));
    }
    if let Some(rationale) = &record.rationale {
        let _ = writeln!(md, "*Why:* {}\n", escape(rationale));
    }
    md
}

fn code_of_practice(records: &[ProtocolRecord], spec: &PageSpec, spaces: &SpaceKinds) -> String {
    let mut md = format!(
        "# {}\n\nThe protocols, privileges, obligations and sanctions in force: every adopted one, by the kind of space it applies in and by whom it applies to.\n\n",
        escape(&spec.title)
    );
    let groups = adopted_by_space_and_whom(records, spaces);
    if groups.is_empty() {
        md.push_str("No protocol is adopted yet.\n");
    }
    // Explicit anchors: `#venue-for-user-members` stays put whatever else is
    // adopted. Two ways of writing whom (`circles`, `Circles`) are two
    // groups: the second's anchor takes a number.
    let mut anchors = Slugger::default();
    for ((_, kind), by_whom) in groups {
        let title = if kind == "every" {
            "In every space".to_string()
        } else {
            format!("In {kind} spaces")
        };
        let _ = writeln!(md, "## {title} {{#{kind}}}\n");
        for (whom, list) in by_whom {
            let anchor = anchors.slug(&format!("{kind}-for-{}", slugify(&whom)));
            let _ = writeln!(md, "### For {} {{#{anchor}}}\n", escape(&whom));
            for record in list {
                let _ = writeln!(
                    md,
                    "- **{}** ({}) — {}",
                    heading(record),
                    record.kind.as_str(),
                    one_line(record, spec)
                );
            }
            md.push('\n');
        }
    }
    md
}

/// The adopted protocols, privileges, obligations and sanctions, by kind of
/// space (platform, media, venue, then every space) and then by whom.
fn adopted_by_space_and_whom<'r>(records: &'r [ProtocolRecord], spaces: &SpaceKinds) -> Groups<'r> {
    let mut groups: BTreeMap<(usize, String), BTreeMap<String, Vec<&ProtocolRecord>>> =
        BTreeMap::new();
    for record in records
        .iter()
        .filter(|r| r.status == Status::Adopted && r.kind != Kind::Principle)
    {
        let kind = record
            .space
            .as_ref()
            .and_then(|s| spaces.get(s))
            .map(String::as_str);
        let group = match kind {
            Some("platform") => (0, "platform".to_string()),
            Some("media") => (1, "media".to_string()),
            Some("venue") => (2, "venue".to_string()),
            _ => (3, "every".to_string()),
        };
        let whom = record
            .applies_to
            .clone()
            .unwrap_or_else(|| "everyone".into());
        groups
            .entry(group)
            .or_default()
            .entry(whom)
            .or_default()
            .push(record);
    }
    groups
}

/// (order, kind of space) → whom it applies to → protocols.
type Groups<'r> = BTreeMap<(usize, String), BTreeMap<String, Vec<&'r ProtocolRecord>>>;

fn constitution(records: &[ProtocolRecord], spec: &PageSpec) -> String {
    let mut md = format!(
        "# {}\n\nThe core protocols of the cooperative: every adopted principle, in the order the handbook gives them.\n\n",
        escape(&spec.title)
    );
    let principles: Vec<&ProtocolRecord> = records
        .iter()
        .filter(|r| r.status == Status::Adopted && r.kind == Kind::Principle)
        .collect();
    if principles.is_empty() {
        md.push_str("No principle is adopted yet.\n");
    }
    for (n, record) in principles.iter().enumerate() {
        let _ = writeln!(
            md,
            "{}. **{}** — {}",
            n + 1,
            heading(record),
            one_line(record, spec)
        );
    }
    md
}

/// The statement on one line, then a link to its source.
fn one_line(record: &ProtocolRecord, spec: &PageSpec) -> String {
    let statement = statement(record, spec).replace('\n', " ");
    format!("{statement} ({})", source_link(record, spec, false))
}

/// The statement as written, its links pointing from the page `spec` where
/// they pointed from the protocol's own page.
fn statement(record: &ProtocolRecord, spec: &PageSpec) -> String {
    moved(&record.statement, &record.source.page, &spec.path)
}

/// A protocol's heading: its title, or the first words of its statement.
fn heading(record: &ProtocolRecord) -> String {
    match &record.title {
        Some(title) => escape(title),
        None => {
            let words: Vec<&str> = record.statement_text.split_whitespace().take(8).collect();
            escape(&words.join(" "))
        }
    }
}

/// A link to the section the protocol is written in.
fn source_link(record: &ProtocolRecord, spec: &PageSpec, with_title: bool) -> String {
    let source = &record.source;
    let target = relative_url(&spec.path, &source.page);
    let anchor = source
        .anchor
        .as_ref()
        .map_or_else(String::new, |a| format!("#{a}"));
    let label = match (&source.section, with_title) {
        (Some(section), true) => format!("{} › {}", source.title, section),
        (Some(section), false) => format!("source: {} › {}", source.title, section),
        (None, true) => source.title.clone(),
        (None, false) => format!("source: {}", source.title),
    };
    format!("[{}](<{target}{anchor}>)", escape(&label))
}

/// Escapes text so markdown shows it as written, on one line: the text goes
/// into a heading, a list item or a table cell, which a line break would end.
pub fn escape(text: &str) -> String {
    let lines: Vec<&str> = text
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    let one_line = lines.join(" ");
    let mut out = String::with_capacity(one_line.len());
    for c in one_line.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '{' | '}' | '|' | '~' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escaping_keeps_text_as_written() {
        assert_eq!(
            escape("a *b* [c] <d> #e {f}"),
            "a \\*b\\* \\[c\\] \\<d\\> \\#e \\{f\\}"
        );
    }
}
