//! Stage 3: [`SourcePage`] → [`Page`].
//!
//! Takes one page's text; splits off front matter, rewrites GitBook export
//! conventions into plain CommonMark (keeping a map back to source lines),
//! walks the markdown once and gives the page's title, dates, status,
//! headings with unique ids, links as parsed [`LinkTarget`]s, protocol notes,
//! to-do markers and an HTML body whose link targets are slots for the links
//! stage to fill. Pure: no file system, no other page, so pages parse in
//! parallel and a changed page re-parses alone. (The build cache may hand
//! in a memo of highlighted code blocks ([`highlight::Kept`]), and may hold
//! a page's body on disk ([`Body::held`]), which the cache reads back:
//! neither changes what a page is, and nothing here reads the disk.)

pub mod dates;
pub mod front_matter;
pub mod gitbook;
pub mod highlight;
pub mod link;
mod markdown;
pub mod notes;

use crate::diagnostic::Diagnostic;
use crate::load::SourcePage;
use crate::model::key::{Key, digest_of};
use dates::Date;
pub use link::LinkTarget;
pub(crate) use markdown::options as markdown_options;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A parsed page, ready for link resolution and rendering.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page {
    /// Path in the source folder: the page's identity.
    pub path: String,
    /// The file as the editor sees it.
    pub file: String,
    /// The page's URL relative to the site root (`a/b.html`, `a/index.html`).
    pub url: String,
    /// Front matter title, else the first H1, else the SUMMARY title, else the file name.
    pub title: String,
    /// Whether the body has its own H1 (else the theme shows `title` as one).
    pub has_h1: bool,
    /// The id of the page's leading H1, lifted out of the body: the theme
    /// shows the title as the H1 with this id (links to it keep working).
    pub title_id: Option<String>,
    /// Front matter description.
    pub description: Option<String>,
    /// Front matter `updated`, else the GitBook `Updated:` line.
    pub updated: Option<Date>,
    /// Front matter `status`, else a GitBook status line.
    pub status: Option<String>,
    /// Left out of navigation and previous/next.
    pub hidden: bool,
    /// Listed in SUMMARY.md.
    pub listed: bool,
    /// Free front matter keys for themes.
    #[serde(with = "json_text")]
    pub extra: BTreeMap<String, serde_json::Value>,
    /// The front matter's `spaces:`, each with its line and column.
    pub spaces: Vec<(String, u32, u32)>,
    /// Paths the page had in earlier editions, normalised like SUMMARY's.
    pub aliases: Vec<String>,
    /// Headings in order, with their ids.
    pub headings: Vec<Heading>,
    /// Links and images to resolve, in order; body slots refer to them by index.
    pub links: Vec<Link>,
    /// "Derive protocols" notes in order.
    pub notes: Vec<Note>,
    /// Key terms and excerpts per section.
    pub sections: Vec<SectionText>,
    /// `xxx` to-do markers: (line, column) in the source file.
    pub todos: Vec<(u32, u32)>,
    /// The rendered body with link slots.
    pub body: Body,
    /// What the page's mdBook directives gave: where its lines came from
    /// (diagnostics at them name the included file) and its `<title>`.
    pub includes: crate::load::include::Includes,
}

/// A heading and its id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Unique on the page; `{#custom}` honoured.
    pub id: String,
    /// Plain text.
    pub title: String,
    /// Source line.
    pub line: u32,
}

/// A link or image whose target the links stage resolves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The destination as written.
    pub raw: String,
    /// What it points at.
    pub target: LinkTarget,
    /// Source line.
    pub line: u32,
    /// Source column.
    pub column: u32,
    /// The link text is the destination itself: show the target page's title.
    pub auto_title: bool,
    /// The author gave a `"title"`: a space link keeps it as its tooltip.
    pub has_title: bool,
    /// For an image of a hosted file, its alt text (plain): the links stage
    /// writes the whole element, a placeholder when the file is missing.
    pub alt: Option<String>,
    /// The image is inside a link: its placeholder must not be a link too.
    pub in_link: bool,
}

/// The section a note belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// The heading's text.
    pub title: String,
    /// The heading's id.
    pub anchor: String,
}

/// A "Derive protocols" note as found on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Source line of the blockquote.
    pub line: u32,
    /// Source column of the blockquote.
    pub column: u32,
    /// The nearest heading (level ≥ 2) above it; `None` means the whole page.
    pub section: Option<Section>,
    /// No protocol items: the section's protocols are still to be derived.
    pub bare: bool,
    /// The protocols it states, one per list item.
    pub items: Vec<NoteItem>,
}

/// One list item of a note: a protocol as written, not yet validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteItem {
    /// Its id: the `id` field as written, else derived from page and title.
    pub id: String,
    /// The bold title before the statement, if any.
    pub title: Option<String>,
    /// The statement as written (markdown), separator removed.
    pub statement: String,
    /// The statement as plain text.
    pub statement_text: String,
    /// The nested `key: value` lines, as written.
    pub fields: Vec<Field>,
    /// Source line of the item.
    pub line: u32,
    /// Source column of the item.
    pub column: u32,
}

/// A `key: value` line under a protocol item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// The key, as written.
    pub key: String,
    /// The value, as plain text.
    pub value: String,
    /// Source line.
    pub line: u32,
    /// Source column.
    pub column: u32,
}

/// What a section says that protocol records quote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionText {
    /// The section's heading id; `None` for the text before any `##` heading.
    pub anchor: Option<String>,
    /// Its **bold** phrases, in order, once each.
    pub terms: Vec<String>,
    /// Its first paragraph as plain text.
    pub excerpt: Option<String>,
}

/// An HTML body with slots where resolved link targets go: here, or kept
/// in the build cache and read only when a page is rendered or indexed (a
/// page whose render is reused never reads it). Two bodies are equal when
/// their digests are.
#[derive(Debug, Clone, Default)]
pub struct Body {
    /// The fingerprint of the markup and slots.
    digest: Key,
    content: Content,
}

#[derive(Debug, Clone)]
enum Content {
    Here(Markup),
    /// In this file of the build cache.
    Kept(PathBuf),
}

impl Default for Content {
    fn default() -> Self {
        Self::Here(Markup::default())
    }
}

/// The HTML and where its slots are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Markup {
    html: String,
    slots: Vec<(usize, Slot)>,
}

impl PartialEq for Body {
    fn eq(&self, other: &Self) -> bool {
        self.digest == other.digest
    }
}

impl Eq for Body {}

/// A body hashes as it compares: by the digest of its markup.
impl std::hash::Hash for Body {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.digest.hash(state);
    }
}

/// In the build cache a body is its digest; its markup is kept after the
/// page (see `cache::pages`).
impl Serialize for Body {
    fn serialize<S: serde::Serializer>(&self, to: S) -> Result<S::Ok, S::Error> {
        self.digest.serialize(to)
    }
}

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: serde::Deserializer<'de>>(from: D) -> Result<Self, D::Error> {
        Ok(Self {
            digest: Key::deserialize(from)?,
            content: Content::Kept(PathBuf::new()),
        })
    }
}

/// Where a body's markup is.
#[derive(Debug, Clone, Copy)]
pub enum Held<'b> {
    /// In memory.
    Here(&'b Markup),
    /// In this build cache file.
    Kept(&'b std::path::Path),
}

/// What fills a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Slot {
    /// The URL of link number N (already HTML-escaped by the filler).
    Href(usize),
    /// The title of the page link number N points at.
    Title(usize),
    /// Attributes the resolved link N adds (a space link's class and title).
    Attrs(usize),
    /// The element a hosted file's link or image N opens with (the whole
    /// element for an image), written by the links stage.
    Element(usize),
}

impl Page {
    /// Moves a diagnostic made at a line of this page to the file and
    /// line the page's text there came from (an included file's).
    pub fn relocate(&self, diagnostic: &mut Diagnostic) {
        self.includes.origins.relocate(&self.file, diagnostic);
    }

    /// Every anchor a link may name on this page: heading ids and protocol ids.
    pub fn anchors(&self) -> impl Iterator<Item = &str> {
        let protocols = self
            .notes
            .iter()
            .flat_map(|n| &n.items)
            .map(|i| i.id.as_str());
        self.headings.iter().map(|h| h.id.as_str()).chain(protocols)
    }
}

impl Body {
    /// Splits walked HTML at its `\0N\0` and `\0tN\0` markers, and writes
    /// each protocol's `\0iID\0` marker as its element id — unless a heading
    /// on the page has that id: the heading keeps it, and links to it land in
    /// the protocol's own section either way.
    fn from_marked(marked: &str, heading_ids: &std::collections::HashSet<&str>) -> Self {
        let mut html = String::with_capacity(marked.len());
        let mut slots = Vec::new();
        let mut parts = marked.split('\0');
        html.push_str(parts.next().unwrap_or(""));
        while let (Some(marker), Some(text)) = (parts.next(), parts.next()) {
            if let Some(id) = marker.strip_prefix('i') {
                if !heading_ids.contains(id) {
                    html.push_str(&format!(" id=\"{id}\""));
                }
                html.push_str(text);
                continue;
            }
            let slot = if let Some(n) = marker.strip_prefix('t') {
                n.parse().ok().map(Slot::Title)
            } else if let Some(n) = marker.strip_prefix('a') {
                n.parse().ok().map(Slot::Attrs)
            } else if let Some(n) = marker.strip_prefix('e') {
                n.parse().ok().map(Slot::Element)
            } else {
                marker.parse().ok().map(Slot::Href)
            };
            if let Some(slot) = slot {
                slots.push((html.len(), slot));
            }
            html.push_str(text);
        }
        Self::here(Markup { html, slots })
    }

    fn here(markup: Markup) -> Self {
        Self {
            digest: digest_of(&markup),
            content: Content::Here(markup),
        }
    }

    /// A body kept in the build cache's `file`.
    pub(crate) fn kept(digest: Key, file: PathBuf) -> Self {
        Self {
            digest,
            content: Content::Kept(file),
        }
    }

    /// The body's markup, when it is here (not kept in the cache).
    pub(crate) fn here_markup(&self) -> Option<&Markup> {
        match &self.content {
            Content::Here(markup) => Some(markup),
            Content::Kept(_) => None,
        }
    }

    /// The fingerprint of the markup and slots.
    pub fn digest(&self) -> Key {
        self.digest
    }

    /// Where the markup is: here, or in a build cache file (which the cache
    /// reads: `cache::pages::markup`).
    pub fn held(&self) -> Held<'_> {
        match &self.content {
            Content::Here(markup) => Held::Here(markup),
            Content::Kept(file) => Held::Kept(file),
        }
    }
}

impl Markup {
    /// The HTML with every slot empty: its text, without link targets.
    pub fn html(&self) -> &str {
        &self.html
    }

    /// The HTML with every slot filled by `fill`.
    pub fn fill<'s>(&self, mut fill: impl FnMut(Slot) -> &'s str) -> String {
        let mut out = String::with_capacity(self.html.len() + self.slots.len() * 24);
        let mut at = 0;
        for &(offset, slot) in &self.slots {
            out.push_str(&self.html[at..offset]);
            out.push_str(fill(slot));
            at = offset;
        }
        out.push_str(&self.html[at..]);
        out
    }
}

/// The site-relative URL of a page: `README.md` files become their folder's
/// `index.html`, other pages keep their path with `.html`.
pub fn page_url(path: &str) -> String {
    let stem = path.strip_suffix(".md").unwrap_or(path);
    match stem.strip_suffix("README") {
        Some(folder) if folder.is_empty() || folder.ends_with('/') => format!("{folder}index.html"),
        _ => format!("{stem}.html"),
    }
}

/// What parsing needs besides the page. Everything here but the memo of
/// highlighted code changes what a page parses to, so the build cache's key
/// of a parsed page is the hash of its source and the whole options: a
/// field added here is in the key without a word.
#[derive(Debug, Clone, Copy, Hash)]
pub struct Options<'a> {
    /// The configured legacy URL prefixes.
    pub legacy: &'a [String],
    /// Highlight code blocks (off when only the protocols are wanted).
    pub highlight: bool,
    /// Declared spaces as (id, URL): plain links under them are those spaces.
    pub spaces: &'a [(String, String)],
    /// Code highlighted by earlier builds, looked up before highlighting.
    pub highlights: highlight::Memo<'a>,
    /// The markdown extensions the project turned on.
    pub markdown: &'a crate::config::Markdown,
}

/// Parses one page.
pub fn parse_page(source: &SourcePage, options: Options<'_>) -> (Page, Vec<Diagnostic>) {
    let text = without_nul(&source.text);
    let split = front_matter::split(&text);
    let mut problems = Vec::new();
    let (front, updated) = read_front_matter(split.yaml, &source.file, &mut problems);
    let front_spaces = spaces_of(&front, split.yaml.map_or(1, |(_, line)| line));
    let pre = gitbook::preprocess(split.body, split.body_line);
    problems.extend(
        pre.problems
            .iter()
            .map(|p| Diagnostic::warning(&source.file, p.line, p.column, p.message.clone())),
    );
    let input = markdown::Input {
        text: &pre.text,
        lines: &pre.lines,
        file: &source.file,
        page_path: &source.path,
        legacy: options.legacy,
        highlight: options.highlight,
        highlights: options.highlights.0,
        spaces: options.spaces,
        front_title: front.title.as_deref(),
        markdown: options.markdown,
    };
    let walked = markdown::walk(&input);
    problems.extend(walked.problems);
    let title = page_title(front.title.as_ref(), walked.h1.as_ref(), source);
    let heading_ids = walked.headings.iter().map(|h| h.id.as_str()).collect();
    let body = Body::from_marked(&walked.html, &heading_ids);
    let page = Page {
        path: source.path.clone(),
        file: source.file.clone(),
        url: page_url(&source.path),
        title,
        has_h1: walked.h1.is_some() && walked.title_id.is_none(),
        title_id: walked.title_id,
        description: front.description,
        updated: updated.or(walked.meta.updated),
        status: front.status.or(walked.meta.status),
        hidden: front.hidden,
        listed: source.listed,
        spaces: front_spaces,
        aliases: front
            .aliases
            .iter()
            .filter_map(|a| crate::model::path::normalise_target(a).ok())
            .collect(),
        extra: front.extra,
        headings: walked.headings,
        links: walked.links,
        notes: walked.notes,
        sections: walked.sections,
        todos: walked.todos,
        body,
        includes: source.includes.clone(),
    };
    problems.iter_mut().for_each(|d| page.relocate(d));
    (page, problems)
}

/// Front matter title, else the first H1, else the SUMMARY title, else the file name.
fn page_title(front: Option<&String>, h1: Option<&String>, source: &SourcePage) -> String {
    let title = front.or(h1).or(source.summary_title.as_ref()).cloned();
    title.unwrap_or_else(|| file_title(&source.path))
}

/// The front matter (defaults when absent or broken) and its `updated` date;
/// problems are pushed at their page line.
fn read_front_matter(
    yaml: Option<(&str, u32)>,
    file: &str,
    problems: &mut Vec<Diagnostic>,
) -> (front_matter::FrontMatter, Option<Date>) {
    let Some((yaml, first_line)) = yaml else {
        return Default::default();
    };
    let (front, problem) = front_matter::parse(yaml, first_line, file);
    problems.extend(problem);
    let updated = front_matter::updated(&front, first_line, file).unwrap_or_else(|d| {
        problems.push(d);
        None
    });
    (front, updated)
}

/// The front matter's `spaces:` with their page line and column.
fn spaces_of(front: &front_matter::FrontMatter, first_line: u32) -> Vec<(String, u32, u32)> {
    front
        .spaces
        .iter()
        .map(|s| {
            let (line, column) = crate::yaml::position(s);
            (s.value.clone(), first_line + line - 1, column)
        })
        .collect()
}

/// The text with NUL (which the walk uses to mark link slots) replaced;
/// borrowed when there is none, as in every real page.
fn without_nul(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\0') {
        std::borrow::Cow::Owned(text.replace('\0', "\u{FFFD}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn file_title(path: &str) -> String {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.trim_end_matches(".md").replace(['-', '_'], " ")
}

#[cfg(test)]
mod tests;

/// Free front-matter values kept as JSON text in the build cache, whose
/// binary format cannot hold values of any shape.
mod json_text {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _, ser::Error as _};
    use std::collections::BTreeMap;

    type Extra = BTreeMap<String, serde_json::Value>;

    pub(super) fn serialize<S: Serializer>(extra: &Extra, to: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(extra).map_err(S::Error::custom)?;
        to.serialize_str(&text)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<Extra, D::Error> {
        let text = String::deserialize(from)?;
        serde_json::from_str(&text).map_err(D::Error::custom)
    }
}
