//! Notes as written → validated [`ProtocolRecord`]s and diagnostics.
//!
//! Each note item becomes one record; a note without items becomes one record
//! of status `to-derive` for its section. Every bad input is a diagnostic at the
//! item's or field's own line: an unknown key (with "did you mean"), a bad
//! status, kind, id or date, an empty statement, a `key: value` line with no
//! protocol above it, an unknown space, two protocols with one id (naming both
//! places), and a note on a page SUMMARY does not list.

use crate::diagnostic::Diagnostic;
use crate::load::{Summary, SummaryItem};
use crate::model::Date;
use crate::model::protocol::{
    Adoption, FIELDS, Kind, ProtocolRecord, Source, Status, to_derive_id, valid_id,
};
use crate::parse::{Field, Note, NoteItem, Page, SectionText};
use std::collections::{BTreeSet, HashMap};

/// How long an excerpt of a section still to derive may be.
const EXCERPT_CHARS: usize = 280;

/// What the records need besides the pages.
pub struct Context<'a> {
    /// The page's chapter by page path (part title, or top-level entry title).
    pub chapters: HashMap<String, String>,
    /// Space ids declared in the configuration.
    pub spaces: &'a BTreeSet<String>,
}

impl<'a> Context<'a> {
    /// Chapters from the SUMMARY; `spaces` from the configuration.
    pub fn new(summary: &Summary, spaces: &'a BTreeSet<String>) -> Self {
        Self {
            chapters: chapters(summary),
            spaces,
        }
    }
}

/// Every page's chapter: the part it is in, else its top-level entry.
fn chapters(summary: &Summary) -> HashMap<String, String> {
    let mut chapters = HashMap::new();
    let mut part: Option<&str> = None;
    for item in &summary.items {
        match item {
            SummaryItem::Part(title) => part = Some(title),
            SummaryItem::Separator => part = None,
            SummaryItem::Chapter(top) => {
                let name = part.unwrap_or(&top.title).to_string();
                let mut stack = vec![top];
                while let Some(chapter) = stack.pop() {
                    if let Some(path) = &chapter.path {
                        chapters.insert(path.clone(), name.clone());
                    }
                    stack.extend(&chapter.children);
                }
            }
        }
    }
    chapters
}

/// Derives the records of every page, in page order, with all problems.
pub fn derive(pages: &[Page], context: &Context<'_>) -> (Vec<ProtocolRecord>, Vec<Diagnostic>) {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for page in pages {
        for note in &page.notes {
            if !page.listed {
                let message = "this protocol note is on a page that SUMMARY.md does not list";
                let help = "its protocols are derived, but members find them only through the register; list the page";
                problems.push(
                    Diagnostic::warning(&page.file, note.line, note.column, message)
                        .with_help(help),
                );
            }
            let mut note_records = note_records(page, note, context, &mut problems);
            records.append(&mut note_records);
        }
    }
    problems.extend(duplicate_ids(&records, pages));
    problems.extend(unknown_related(&records, pages));
    (records, problems)
}

fn note_records(
    page: &Page,
    note: &Note,
    context: &Context<'_>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<ProtocolRecord> {
    let anchor = note
        .section
        .as_ref()
        .map(|s| s.anchor.clone())
        .or_else(|| page.title_id.clone());
    let section_text = page
        .sections
        .iter()
        .find(|s| s.anchor.as_ref() == note.section.as_ref().map(|s| &s.anchor));
    let source = |line| Source {
        page: page.path.clone(),
        title: page.title.clone(),
        chapter: context.chapters.get(&page.path).cloned(),
        section: note.section.as_ref().map(|s| s.title.clone()),
        anchor: anchor.clone(),
        line,
    };
    let terms = section_text.map(|s| s.terms.clone()).unwrap_or_default();
    if note.items.is_empty() {
        let id = to_derive_id(&page.path, note.section.as_ref().map(|s| s.anchor.as_str()));
        let title = note
            .section
            .as_ref()
            .map_or_else(|| page.title.clone(), |s| s.title.clone());
        let mut record = empty_record(id, source(note.line), page, terms);
        record.title = Some(title);
        record.status = Status::ToDerive;
        record.excerpt = section_text.and_then(excerpt);
        return vec![record];
    }
    note.items
        .iter()
        .filter_map(|item| {
            let mut record = empty_record(String::new(), source(item.line), page, terms.clone());
            read_item(item, page, context, &mut record, problems).then_some(record)
        })
        .collect()
}

fn empty_record(id: String, source: Source, page: &Page, key_terms: Vec<String>) -> ProtocolRecord {
    ProtocolRecord {
        id,
        title: None,
        statement: String::new(),
        statement_text: String::new(),
        kind: Kind::Protocol,
        status: Status::Candidate,
        space: None,
        applies_to: None,
        rationale: None,
        adopted: None,
        related: Vec::new(),
        source,
        updated: page.updated.map(|d| d.iso()),
        key_terms,
        excerpt: None,
    }
}

/// The first paragraph of a section, cut at a word near the limit.
fn excerpt(section: &SectionText) -> Option<String> {
    let text = section.excerpt.as_deref()?;
    if text.chars().count() <= EXCERPT_CHARS {
        return Some(text.to_string());
    }
    let cut: String = text.chars().take(EXCERPT_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    Some(format!("{}…", cut.trim_end_matches([',', ';', ':', ' '])))
}

/// Fills `record` from one item; false when the item is not a protocol at all.
fn read_item(
    item: &NoteItem,
    page: &Page,
    context: &Context<'_>,
    record: &mut ProtocolRecord,
    problems: &mut Vec<Diagnostic>,
) -> bool {
    let error = |line, column, message: String, help: &str| {
        Diagnostic::error(&page.file, line, column, message).with_help(help)
    };
    if item.title.is_none()
        && let Some(key) = FIELDS
            .iter()
            .find(|k| item.statement_text.starts_with(&format!("{k}:")))
    {
        let message = format!("a `{key}:` line with no protocol above it");
        problems.push(error(
            item.line,
            item.column,
            message,
            "indent it under the protocol's item it belongs to",
        ));
        return false;
    }
    if item.statement_text.trim().is_empty() {
        let message = "this protocol has no statement".to_string();
        problems.push(error(
            item.line,
            item.column,
            message,
            "write it as `**Title** — what members do`",
        ));
    }
    record.title = item.title.clone();
    record.statement = item.statement.clone();
    record.statement_text = item.statement_text.clone();
    record.id = item.id.clone();
    let mut seen: HashMap<&str, u32> = HashMap::new();
    for field in &item.fields {
        if let Some(first) = seen.insert(field.key.as_str(), field.line) {
            let message = format!(
                "`{}` is set twice for this protocol (first at line {first})",
                field.key
            );
            problems.push(error(field.line, field.column, message, "keep one"));
            continue;
        }
        if let Err((message, help)) = apply(field, record, context) {
            problems.push(error(field.line, field.column, message, &help));
        }
    }
    true
}

type Problem = (String, String);

/// Sets one field on the record, or says what is wrong with it.
fn apply(field: &Field, record: &mut ProtocolRecord, context: &Context<'_>) -> Result<(), Problem> {
    let value = field.value.trim();
    match field.key.as_str() {
        "id" if valid_id(value) => record.id = value.to_string(),
        "id" => {
            return Err((
                format!("`{value}` is not a valid id"),
                "use lowercase letters, digits and `-`, e.g. `one-member-one-vote`".into(),
            ));
        }
        "status" => {
            record.status =
                Status::parse(value).ok_or_else(|| choice("status", value, &Status::WRITTEN))?
        }
        "kind" => {
            record.kind = Kind::parse(value).ok_or_else(|| choice("kind", value, &Kind::WRITTEN))?
        }
        "space" if context.spaces.contains(value) => record.space = Some(value.to_string()),
        "space" => {
            let known: Vec<&str> = context.spaces.iter().map(String::as_str).collect();
            let help = if known.is_empty() {
                "no spaces are declared in the configuration".to_string()
            } else {
                crate::yaml::suggest(value, &known, "space")
            };
            return Err((format!("unknown space `{value}`"), help));
        }
        "applies-to" => record.applies_to = Some(value.to_string()),
        "rationale" => record.rationale = Some(value.to_string()),
        "adopted" => record.adopted = Some(adoption(value)?),
        "related" => {
            record.related = value
                .split(',')
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect();
        }
        key => {
            return Err((
                format!("unknown key `{key}`"),
                crate::yaml::suggest(key, &FIELDS, "key"),
            ));
        }
    }
    Ok(())
}

fn choice(what: &str, value: &str, allowed: &[&str]) -> Problem {
    let help = crate::yaml::suggest(value, allowed, what);
    let help = if help.starts_with("did you mean") {
        help
    } else {
        format!("a {what} is one of: {}", allowed.join(", "))
    };
    (format!("unknown {what} `{value}`"), help)
}

/// `2023-03-01 General Assembly` → the date and the adopting body.
fn adoption(value: &str) -> Result<Adoption, Problem> {
    let words: Vec<&str> = value.split_whitespace().collect();
    // A date is one word (`2023-03-01`, `19jul2021`) or three (`1 March 2023`).
    for take in [1, 3] {
        if let Some(date) = words.get(..take).and_then(|w| Date::parse(&w.join(" "))) {
            let by = words[take..].join(" ");
            return Ok(Adoption {
                date: date.iso(),
                by: (!by.is_empty()).then_some(by),
            });
        }
    }
    Err((
        format!("`{value}` does not start with a date"),
        "write when and by whom, e.g. `adopted: 2023-03-01 General Assembly`".into(),
    ))
}

/// Two records with one id, naming both places.
fn duplicate_ids(records: &[ProtocolRecord], pages: &[Page]) -> Vec<Diagnostic> {
    let file_of: HashMap<&str, &Page> = pages.iter().map(|p| (p.path.as_str(), p)).collect();
    let mut first: HashMap<&str, &ProtocolRecord> = HashMap::new();
    let mut problems = Vec::new();
    for record in records {
        let Some(page) = file_of.get(record.source.page.as_str()) else {
            continue;
        };
        if let Some(earlier) = first.get(record.id.as_str()) {
            let other = file_of
                .get(earlier.source.page.as_str())
                .map_or("", |p| p.file.as_str());
            let message = format!(
                "protocol id `{}` is also used at {other}:{}",
                record.id, earlier.source.line
            );
            let help = "give one of them its own `id:`, or its own title";
            // The item's own column: the record keeps only its line.
            let column = page
                .notes
                .iter()
                .flat_map(|n| &n.items)
                .find(|i| i.line == record.source.line)
                .map_or(0, |i| i.column);
            problems.push(
                Diagnostic::error(&page.file, record.source.line, column, message).with_help(help),
            );
        } else {
            first.insert(&record.id, record);
        }
    }
    problems
}

/// `related:` ids that name no protocol: a warning at the protocol's line.
fn unknown_related(records: &[ProtocolRecord], pages: &[Page]) -> Vec<Diagnostic> {
    let ids: std::collections::HashSet<&str> = records.iter().map(|r| r.id.as_str()).collect();
    let file_of: HashMap<&str, &str> = pages
        .iter()
        .map(|p| (p.path.as_str(), p.file.as_str()))
        .collect();
    // Sorted, so the hint is the same on every run.
    let mut known: Vec<&str> = ids.iter().copied().collect();
    known.sort_unstable();
    let mut problems = Vec::new();
    for record in records {
        for related in record.related.iter().filter(|r| !ids.contains(r.as_str())) {
            let file = file_of
                .get(record.source.page.as_str())
                .copied()
                .unwrap_or(&record.source.page);
            let message = format!("`related: {related}` names no protocol");
            let help = crate::yaml::suggest(related, &known, "id");
            problems
                .push(Diagnostic::warning(file, record.source.line, 0, message).with_help(help));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adoption_reads_a_date_and_the_body() {
        let a = adoption("2023-03-01 General Assembly").unwrap();
        assert_eq!(
            (a.date.as_str(), a.by.as_deref()),
            ("2023-03-01", Some("General Assembly"))
        );
        let a = adoption("1 March 2023 Board of stewards").unwrap();
        assert_eq!(
            (a.date.as_str(), a.by.as_deref()),
            ("2023-03-01", Some("Board of stewards"))
        );
        assert_eq!(adoption("19jul2021").unwrap().by, None);
        assert!(adoption("soon, by the assembly").is_err());
    }

    #[test]
    fn excerpts_are_cut_at_a_word() {
        let long = SectionText {
            anchor: None,
            terms: vec![],
            excerpt: Some("word ".repeat(100)),
        };
        let cut = excerpt(&long).unwrap();
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= EXCERPT_CHARS + 1);
    }

    #[test]
    fn chapters_are_parts_or_top_level_entries() {
        let text = "- [Home](README.md)\n  - [Sub](sub.md)\n\n## Governance\n\n- [Rules](rules.md)\n  - [Deep](deep.md)\n\n---\n\n- [End](end.md)\n";
        let pages: std::collections::BTreeSet<String> =
            ["README.md", "sub.md", "rules.md", "deep.md", "end.md"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        let (summary, _) = crate::load::summary::parse(text, "S.md", &pages);
        let chapters = chapters(&summary);
        assert_eq!(chapters["sub.md"], "Home");
        assert_eq!(chapters["deep.md"], "Governance");
        assert_eq!(chapters["end.md"], "End");
    }
}
