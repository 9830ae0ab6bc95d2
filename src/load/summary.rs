//! `SUMMARY.md` → [`Summary`]: the table of contents in GitBook/mdBook syntax.
//!
//! Takes the file's text; gives the tree of parts, chapters (to any depth),
//! drafts and separators, plus a diagnostic at the SUMMARY line for each entry
//! that is not a link, points outside the source folder or at no page, is
//! listed twice, or is indented so that it is no longer an entry. Paths are
//! normalised (`./a/../b.md` → `b.md`, `dir/` → `dir/README.md`) so a page's
//! path is its identity from here on.

use crate::diagnostic::Diagnostic;
use crate::model::path::normalise_target;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

/// The table of contents of one handbook.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Top-level items in order: prefix chapters, parts with their chapters, suffix chapters.
    pub items: Vec<SummaryItem>,
}

/// One top-level line of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SummaryItem {
    /// A part heading (`## Part`): groups the chapters after it.
    Part(String),
    /// A horizontal rule (`---`), e.g. before suffix chapters.
    Separator,
    /// A page, or a draft without a page, with its sub-chapters.
    Chapter(Chapter),
}

/// An entry `- [Title](path.md)` and the entries nested under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    /// The title as written in SUMMARY.md (the navigation label).
    pub title: String,
    /// The page's path in the source folder; `None` for a draft `[Title]()`.
    pub path: Option<String>,
    /// The 1-based SUMMARY line of the entry (0 when derived from folders).
    pub line: u32,
    /// The 1-based column of the entry's link (0 when derived from folders).
    pub column: u32,
    /// Nested entries.
    pub children: Vec<Chapter>,
    /// A list entry (`- [Title](path.md)`), which mdBook numbers; `false`
    /// for a prefix or suffix chapter written as a bare link.
    pub numbered: bool,
}

impl Summary {
    /// Every chapter, depth first, in reading order.
    pub fn chapters(&self) -> Vec<&Chapter> {
        fn walk<'a>(chapter: &'a Chapter, out: &mut Vec<&'a Chapter>) {
            out.push(chapter);
            chapter.children.iter().for_each(|c| walk(c, out));
        }
        let mut out = Vec::new();
        for item in &self.items {
            if let SummaryItem::Chapter(chapter) = item {
                walk(chapter, &mut out);
            }
        }
        out
    }
}

/// Parses SUMMARY.md. `file` is its label for diagnostics; `pages` the markdown
/// files that exist in the source folder (to report missing targets).
pub fn parse(text: &str, file: &str, pages: &BTreeSet<String>) -> (Summary, Vec<Diagnostic>) {
    parse_listing(text, file, pages, &BTreeMap::new())
}

/// [`parse`], where `left_out` says why the walk of the source folder left
/// a file out (a link out of the project…): an entry for it says so rather
/// than that it does not exist.
pub fn parse_listing(
    text: &str,
    file: &str,
    pages: &BTreeSet<String>,
    left_out: &BTreeMap<String, &str>,
) -> (Summary, Vec<Diagnostic>) {
    let events: Vec<(Event<'_>, Range<usize>)> = Parser::new_ext(text, Options::empty())
        .into_offset_iter()
        .collect();
    let mut reader = Reader {
        events,
        at: 0,
        depth: 0,
        text,
        lines: LineIndex::new(text),
        file,
        problems: Vec::new(),
    };
    let items = reader.document();
    let mut summary = Summary { items };
    let mut problems = reader.problems;
    problems.extend(check_targets(&mut summary, file, (pages, left_out)));
    (summary, problems)
}

/// How deep SUMMARY entries may nest.
const MAX_DEPTH: usize = 32;

struct Reader<'a, 'f> {
    events: Vec<(Event<'a>, Range<usize>)>,
    at: usize,
    depth: usize,
    text: &'a str,
    lines: LineIndex,
    file: &'f str,
    problems: Vec<Diagnostic>,
}

impl Reader<'_, '_> {
    fn document(&mut self) -> Vec<SummaryItem> {
        let mut items = Vec::new();
        let mut first_block = true;
        while let Some((event, range)) = self.events.get(self.at).cloned() {
            match event {
                Event::Start(Tag::Heading { level, .. }) => {
                    let title = self.inline_text(TagEnd::Heading(level));
                    // A leading `# Summary` is the file's title, not a part.
                    if !(first_block && level == HeadingLevel::H1) {
                        items.push(SummaryItem::Part(title));
                    }
                }
                Event::Rule => {
                    items.push(SummaryItem::Separator);
                    self.at += 1;
                }
                // Comments (`<!-- generated -->`) are no entries, and not the first block.
                Event::Start(Tag::HtmlBlock) if self.is_comment() => {
                    self.skip_block();
                    continue;
                }
                Event::Start(Tag::List(_)) => {
                    items.extend(self.list().into_iter().map(SummaryItem::Chapter));
                }
                Event::Start(Tag::Paragraph) if self.is_link_paragraph() => {
                    items.extend(self.link_paragraph().into_iter().map(SummaryItem::Chapter));
                }
                _ => self.unexpected(&event, range.start),
            }
            first_block = false;
        }
        items
    }

    /// Reads a list starting at `self.at` (on `Start(List)`), up to its end.
    fn list(&mut self) -> Vec<Chapter> {
        if self.depth >= MAX_DEPTH {
            let (line, column) = self.lines.position(self.text, self.events[self.at].1.start);
            let message =
                format!("entries are nested more than {MAX_DEPTH} levels deep; these are left out");
            let help = "a table of contents this deep cannot be navigated; flatten it";
            self.problems
                .push(Diagnostic::error(self.file, line, column, message).with_help(help));
            self.skip_block();
            return Vec::new();
        }
        self.depth += 1;
        let chapters = self.list_items();
        self.depth -= 1;
        chapters
    }

    fn list_items(&mut self) -> Vec<Chapter> {
        self.at += 1;
        let mut chapters = Vec::new();
        while let Some((event, range)) = self.events.get(self.at).cloned() {
            match event {
                Event::End(TagEnd::List(_)) => {
                    self.at += 1;
                    break;
                }
                Event::Start(Tag::Item) => {
                    if let Some(chapter) = self.item(range.start) {
                        chapters.push(chapter);
                    }
                }
                _ => self.unexpected(&event, range.start),
            }
        }
        chapters
    }

    /// Whether the HTML block at `self.at` is only comments.
    fn is_comment(&self) -> bool {
        let end = self.events[self.at..]
            .iter()
            .position(|(e, _)| matches!(e, Event::End(TagEnd::HtmlBlock)));
        let inner = &self.events[self.at + 1..self.at + end.unwrap_or(1)];
        inner.iter().all(|(e, _)| match e {
            Event::Html(html) => {
                let html = html.trim();
                html.is_empty() || (html.starts_with("<!--") && html.ends_with("-->"))
            }
            _ => false,
        })
    }

    /// Whether the paragraph at `self.at` holds only links: mdBook's form of
    /// prefix and suffix chapters (`[Introduction](README.md)`, no list marker).
    fn is_link_paragraph(&self) -> bool {
        let mut depth = 0usize;
        for (event, _) in &self.events[self.at + 1..] {
            match event {
                Event::End(TagEnd::Paragraph) if depth == 0 => return true,
                Event::Start(Tag::Link { .. }) => depth += 1,
                Event::End(TagEnd::Link) => depth = depth.saturating_sub(1),
                Event::SoftBreak | Event::HardBreak => {}
                Event::Text(t) if depth > 0 || t.trim().is_empty() => {}
                Event::Code(_) if depth > 0 => {}
                _ => return false,
            }
        }
        false
    }

    /// Reads a paragraph of links as chapters without children.
    fn link_paragraph(&mut self) -> Vec<Chapter> {
        self.at += 1;
        let mut chapters = Vec::new();
        while let Some((event, range)) = self.events.get(self.at).cloned() {
            match event {
                Event::End(TagEnd::Paragraph) => {
                    self.at += 1;
                    break;
                }
                Event::Start(Tag::Link { dest_url, .. }) => {
                    chapters.push(self.link(&dest_url, range.start))
                }
                _ => self.at += 1,
            }
        }
        chapters
    }

    /// Reads the link at `self.at` as a chapter without children.
    fn link(&mut self, dest_url: &str, start: usize) -> Chapter {
        let (line, column) = self.lines.position(self.text, start);
        let title = self.inline_text(TagEnd::Link);
        let path = (!dest_url.trim().is_empty()).then(|| dest_url.trim().to_string());
        Chapter {
            title,
            path,
            line,
            column,
            children: Vec::new(),
            numbered: false,
        }
    }

    /// Reads one list item: a link, then optionally a nested list.
    fn item(&mut self, start: usize) -> Option<Chapter> {
        self.at += 1;
        let (line, column) = self.lines.position(self.text, start);
        let mut chapter: Option<Chapter> = None;
        let mut stray = false;
        while let Some((event, range)) = self.events.get(self.at).cloned() {
            match event {
                Event::End(TagEnd::Item) => {
                    self.at += 1;
                    break;
                }
                Event::Start(Tag::Link { dest_url, .. }) if chapter.is_none() => {
                    let (line, column) = self.lines.position(self.text, range.start);
                    let title = self.inline_text(TagEnd::Link);
                    let path = (!dest_url.trim().is_empty()).then(|| dest_url.trim().to_string());
                    chapter = Some(Chapter {
                        title,
                        path,
                        line,
                        column,
                        children: Vec::new(),
                        numbered: true,
                    });
                }
                Event::Start(Tag::List(_)) => {
                    let children = self.list();
                    match chapter.as_mut() {
                        Some(parent) => parent.children.extend(children),
                        None => stray = true,
                    }
                }
                Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) | Event::SoftBreak => {
                    self.at += 1;
                }
                Event::Text(text) if text.trim().is_empty() => self.at += 1,
                _ => {
                    if chapter.is_none() {
                        stray = true;
                        self.at += 1;
                    } else {
                        self.unexpected(&event, range.start);
                    }
                }
            }
        }
        if chapter.is_none() || stray {
            let d = Diagnostic::error(self.file, line, column, "this SUMMARY entry is not a link")
                .with_help(
                    "write entries as `- [Title](path.md)`, or `- [Title]()` for a planned page",
                );
            self.problems.push(d);
        }
        chapter
    }

    /// Collects the plain text up to `end`, consuming it.
    fn inline_text(&mut self, end: TagEnd) -> String {
        self.at += 1;
        let mut text = String::new();
        while let Some((event, _)) = self.events.get(self.at) {
            self.at += 1;
            match event {
                Event::End(e) if *e == end => break,
                Event::Text(t) | Event::Code(t) => text.push_str(t),
                Event::SoftBreak | Event::HardBreak => text.push(' '),
                _ => {}
            }
        }
        text.trim().to_string()
    }

    /// Reports an event that has no place in a SUMMARY and skips its block.
    fn unexpected(&mut self, event: &Event<'_>, offset: usize) {
        let (line, mut column) = self.lines.position(self.text, offset);
        let (message, help) = match event {
            Event::Start(Tag::CodeBlock(_)) => {
                // Point at the entry's first character, the one indented too far.
                let text = self.text.lines().nth(line as usize - 1).unwrap_or("");
                column = text.chars().take_while(|c| c.is_whitespace()).count() as u32 + 1;
                (
                    "this line is indented so far that it is read as code, not as an entry",
                    "indent nested entries by two spaces under their parent",
                )
            }
            _ => (
                "this text is not part of the table of contents",
                "SUMMARY.md holds a title, `## Part` headings, `---` rules and `- [Title](path.md)` entries",
            ),
        };
        self.problems
            .push(Diagnostic::error(self.file, line, column, message).with_help(help));
        self.skip_block();
    }

    fn skip_block(&mut self) {
        let mut depth = 0usize;
        while let Some((event, _)) = self.events.get(self.at) {
            self.at += 1;
            match event {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth == 0 {
                break;
            }
        }
    }
}

/// Normalises every target and reports those that are not pages here or are
/// listed twice.
fn check_targets(
    summary: &mut Summary,
    file: &str,
    (pages, left_out): (&BTreeSet<String>, &BTreeMap<String, &str>),
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut visit = |chapter: &mut Chapter| {
        let Some(target) = chapter.path.take() else {
            return;
        };
        match normalise_target(&target) {
            Err(message) => {
                let help = "entries point at .md files inside the source folder";
                problems.push(
                    Diagnostic::error(file, chapter.line, chapter.column, message).with_help(help),
                );
            }
            Ok(path) if left_out.contains_key(&path) => {
                let why = left_out.get(&path).copied().unwrap_or_default();
                problems.push(
                    Diagnostic::error(
                        file,
                        chapter.line,
                        chapter.column,
                        format!("`{target}` is left out of the site: {why}"),
                    )
                    .with_help("make it a file in the source folder, not a link"),
                );
            }
            Ok(path) if !pages.contains(&path) => {
                let mut d = Diagnostic::error(
                    file,
                    chapter.line,
                    chapter.column,
                    format!("`{target}` does not exist"),
                );
                if let Some(near) = crate::yaml::closest(&path, pages.iter().map(String::as_str)) {
                    d = d.with_help(format!("did you mean `{near}`?"));
                }
                problems.push(d);
            }
            Ok(path) => {
                if let Some(first) = seen.get(&path) {
                    let message = format!("`{path}` is listed twice (first at line {first})");
                    let help =
                        "a page has one place in the table of contents; link to it from the other";
                    problems.push(
                        Diagnostic::error(file, chapter.line, chapter.column, message)
                            .with_help(help),
                    );
                } else {
                    seen.insert(path.clone(), chapter.line);
                    chapter.path = Some(path);
                }
            }
        }
    };
    for item in &mut summary.items {
        if let SummaryItem::Chapter(chapter) = item {
            visit_mut(chapter, &mut visit);
        }
    }
    problems
}

fn visit_mut(chapter: &mut Chapter, f: &mut impl FnMut(&mut Chapter)) {
    f(chapter);
    for child in &mut chapter.children {
        visit_mut(child, f);
    }
}

/// Byte offset → 1-based line.
pub(crate) struct LineIndex(Vec<usize>);

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1));
        Self(starts.collect())
    }

    pub(crate) fn line(&self, offset: usize) -> u32 {
        self.0.partition_point(|&start| start <= offset) as u32
    }

    /// 1-based (line, column in characters) of a byte offset in `text`.
    pub(crate) fn position(&self, text: &str, offset: usize) -> (u32, u32) {
        let line = self.line(offset);
        let start = self.0[line as usize - 1];
        let column = text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        (line, column as u32)
    }
}

#[cfg(test)]
mod tests;
