//! mdBook's links preprocessor: `{{#include}}`, `{{#rustdoc_include}}`,
//! `{{#playground}}`, `{{#title}}` and the `\{{#…}}` escape, applied to a
//! page's text as it is read.
//!
//! Takes a page's text, its path and where included files may be read
//! from ([`files::Reach`]); gives the text with every directive replaced
//! (recursively: an included file's own directives too, as mdBook does —
//! inside code fences and inline code alike), the page's `{{#title}}`,
//! [`Origins`] mapping each line of the expanded text back to the file and
//! line it came from (so a diagnostic inside included text names the
//! included file), and a diagnostic for each broken include, bad line
//! range, unknown anchor, cycle or include beyond the repository, at the
//! directive's own file, line and column. A page without `{{` is given
//! back untouched, with no origins. Paths are relative to the including
//! file.

mod directive;
pub(crate) mod files;

use crate::diagnostic::Diagnostic;
use directive::{Directive, Found, Missing, Part};
use files::Reach;
use serde::{Deserialize, Serialize};

/// Includes nested deeper than this are an error (mdBook stops at 10).
const MAX_DEPTH: usize = 32;

/// Where each line of an expanded page came from, as runs of lines that
/// follow their source file line by line. Empty for a page with no
/// directive: its lines are its own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Origins {
    /// The files lines come from, as the editor sees them: the page first.
    files: Vec<String>,
    /// In output order: (first output line, 0-based; index in `files`;
    /// 1-based line there).
    runs: Vec<(u32, u32, u32)>,
}

impl Origins {
    /// The file and 1-based line that the expanded text's 1-based `line`
    /// came from; `None` when the page had no directive.
    pub fn place(&self, line: u32) -> Option<(&str, u32)> {
        let index = line.checked_sub(1)?;
        let at = self
            .runs
            .partition_point(|run| run.0 <= index)
            .checked_sub(1)?;
        let (start, file, first) = self.runs[at];
        let file = self.files.get(usize::try_from(file).ok()?)?;
        Some((file, first + (index - start)))
    }

    /// The files the page includes, as the editor sees them (not the page).
    pub fn included(&self) -> &[String] {
        self.files.get(1..).unwrap_or(&[])
    }

    /// Moves a diagnostic made at a line of the expanded page (named
    /// `page_file`) to the file and line that line came from.
    pub fn relocate(&self, page_file: &str, diagnostic: &mut Diagnostic) {
        if diagnostic.file != page_file || diagnostic.line == 0 {
            return;
        }
        if let Some((file, line)) = self.place(diagnostic.line) {
            diagnostic.file = file.to_string();
            diagnostic.line = line;
        }
    }
}

/// What the directives of one page gave besides its text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Includes {
    /// Where each line of the expanded text came from (empty: its own).
    pub origins: Origins,
    /// The `{{#title …}}` the page gave: its `<title>`.
    pub title: Option<String>,
}

impl Includes {
    /// Whether the page had no directive.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Expands the directives of every page in `texts` (by path in the source
/// folder) in place, in parallel; gives what each page with directives
/// had, and the problems found.
pub(crate) fn expand_all(
    config: &crate::config::Config,
    tree: &dyn super::source::SourceTree,
    texts: &mut std::collections::HashMap<String, String>,
) -> (std::collections::HashMap<String, Includes>, Vec<Diagnostic>) {
    use rayon::prelude::*;
    let source_label = config.source_label();
    let source_in_root = config.source_prefix();
    let root_label = source_label
        .strip_suffix(&source_in_root)
        .unwrap_or("")
        .to_string();
    let (reach, source_prefix, root_prefix) = match tree.disk_path("") {
        Some(source) => {
            let root = files::reach_root(&config.root);
            let inside = |folder: &std::path::Path| {
                let real = crate::fs::resolved(folder).unwrap_or_else(|_| folder.to_path_buf());
                let relative = real.strip_prefix(&root).map(crate::config::display_path);
                relative.map_or_else(
                    |_| String::new(),
                    |r| if r.is_empty() { r } else { format!("{r}/") },
                )
            };
            let (source_prefix, root_prefix) = (inside(&source), inside(&config.root));
            (Reach::Disk { root }, source_prefix, root_prefix)
        }
        None => (Reach::Tree { tree }, String::new(), String::new()),
    };
    let cx = Context {
        reach: &reach,
        source_prefix,
        source_label: source_label.clone(),
        root_prefix,
        root_label,
    };
    let done: Vec<(String, Expanded)> = texts
        .par_iter()
        // Most pages have no directive: no label is made for them.
        .filter(|(_, text)| text.contains("{{"))
        .filter_map(|(path, text)| {
            let file = format!("{source_label}{path}");
            Some((path.clone(), expand(&cx, path, &file, text)?))
        })
        .collect();
    let mut includes = std::collections::HashMap::new();
    let mut problems = Vec::new();
    for (path, expanded) in done {
        problems.extend(expanded.problems);
        texts.insert(path.clone(), expanded.text);
        let (origins, title) = (expanded.origins, expanded.title);
        includes.insert(path, Includes { origins, title });
    }
    // A part included by a page is expanded as a page too: the same
    // problem is found twice.
    problems.sort();
    problems.dedup();
    (includes, problems)
}

/// How the page's files are named and found.
pub(crate) struct Context<'r> {
    /// Where included files are read from.
    pub(crate) reach: &'r Reach<'r>,
    /// The source folder relative to the reach's root (`book/src/`, or empty).
    pub(crate) source_prefix: String,
    /// The source folder as the editor sees it (`src/`).
    pub(crate) source_label: String,
    /// The project root relative to the reach's root (`book/`, or empty).
    pub(crate) root_prefix: String,
    /// The project root as the editor sees it (empty, or `../coop/`).
    pub(crate) root_label: String,
}

/// A page's text with its directives done.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Expanded {
    pub(crate) text: String,
    pub(crate) origins: Origins,
    pub(crate) title: Option<String>,
    pub(crate) problems: Vec<Diagnostic>,
}

/// Expands the page at `path` (in the source folder) whose label is
/// `file`; `None` when its text has no directive to do.
pub(crate) fn expand(cx: &Context<'_>, path: &str, file: &str, text: &str) -> Option<Expanded> {
    if !text.contains("{{") || !text.lines().any(|l| !directive::find(l).is_empty()) {
        return None;
    }
    let reach_path = format!("{}{path}", cx.source_prefix);
    let mut walk = Walk {
        cx,
        out: String::with_capacity(text.len()),
        newlines: 0,
        origins: Origins {
            files: vec![file.to_string()],
            runs: Vec::new(),
        },
        chain: vec![reach_path],
        title: None,
        problems: Vec::new(),
        full: false,
    };
    let lines: Vec<(String, usize)> = text
        .lines()
        .zip(1..)
        .map(|(l, n)| (l.to_string(), n))
        .collect();
    walk.lines_of(0, &lines);
    if text.ends_with('\n') {
        walk.out.push('\n');
    }
    Some(Expanded {
        text: walk.out,
        origins: walk.origins,
        title: walk.title,
        problems: walk.problems,
    })
}

/// The expansion under way.
struct Walk<'c, 'r> {
    cx: &'c Context<'r>,
    out: String,
    /// Newlines in `out`: the 0-based index of the line it is on.
    newlines: u32,
    origins: Origins,
    /// The files being expanded, outermost first (reach paths).
    chain: Vec<String>,
    title: Option<String>,
    problems: Vec<Diagnostic>,
    /// The text reached the size a page may have: nothing more is included.
    full: bool,
}

impl Walk<'_, '_> {
    /// Writes `lines` of file number `file` (each with its 1-based line
    /// there), joined by newlines, doing their directives.
    fn lines_of(&mut self, file: u32, lines: &[(String, usize)]) {
        for (i, (line, n)) in lines.iter().enumerate() {
            if i > 0 {
                self.out.push('\n');
                self.newlines += 1;
            }
            self.begin_line(file, *n);
            let mut at = 0;
            for found in directive::find(line) {
                self.out.push_str(&line[at..found.range.start]);
                let column = line[..found.range.start].chars().count() + 1;
                let place = (file, *n, u32::try_from(column).unwrap_or(u32::MAX));
                self.directive(&found, &line[found.range.clone()], place);
                at = found.range.end;
            }
            self.out.push_str(&line[at..]);
        }
    }

    /// Notes where the output line about to start comes from, when the
    /// output is at a line's start.
    fn begin_line(&mut self, file: u32, line: usize) {
        if !(self.out.is_empty() || self.out.ends_with('\n')) {
            return;
        }
        let index = self.newlines;
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        let follows = self.origins.runs.last().is_some_and(|&(start, f, first)| {
            f == file && first.checked_add(index - start) == Some(line)
        });
        if !follows {
            self.origins.runs.push((index, file, line));
        }
    }

    /// Does one directive found at `place` (file number, line, column).
    fn directive(&mut self, found: &Found, written: &str, place: (u32, usize, u32)) {
        let directive = match &found.directive {
            Ok(directive) => directive,
            Err(message) => {
                let help = "mdBook's forms: `{{#include file}}`, `file:10:20`, `file:10:`, `file::20`, `file:anchor`";
                return self.problem(place, message.clone(), help, written);
            }
        };
        match directive {
            Directive::Escaped(text) => self.out.push_str(text),
            Directive::Title(title) => self.title = Some(title.clone()),
            Directive::Include { file, part } => self.include(file, part, false, place, written),
            Directive::Rustdoc { file, part } => self.include(file, part, true, place, written),
            Directive::Playground { file, attrs } => self.playground(file, attrs, place, written),
        }
    }

    /// Includes the lines `part` names of `file` (relative to the file being expanded).
    fn include(
        &mut self,
        file: &str,
        part: &Part,
        hide: bool,
        place: (u32, usize, u32),
        written: &str,
    ) {
        let Some((index, text)) = self.open(file, place, written) else {
            return;
        };
        match directive::select(&text, part, hide) {
            Ok(lines) => self.nested(index, &lines),
            Err(Missing::Anchor(known)) => {
                self.chain.pop();
                let Part::Anchor(name) = part else { return };
                let message = format!("`{file}` has no anchor `{name}`");
                let help = match crate::yaml::closest(name, known.iter().map(String::as_str)) {
                    Some(close) => format!(
                        "did you mean `{close}`? Mark the lines with `ANCHOR: {name}` and `ANCHOR_END: {name}` comments"
                    ),
                    None if known.is_empty() => format!(
                        "it has no anchors: mark the lines with `ANCHOR: {name}` and `ANCHOR_END: {name}` comments"
                    ),
                    None => format!("its anchors are {}", known.join(", ")),
                };
                self.problem(place, message, &help, written);
            }
        }
    }

    /// A Rust code block of the whole of `file`, its attributes the info string's.
    fn playground(
        &mut self,
        file: &str,
        attrs: &[String],
        place: (u32, usize, u32),
        written: &str,
    ) {
        let Some((index, text)) = self.open(file, place, written) else {
            return;
        };
        let info: String = std::iter::once("rust")
            .chain(attrs.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(",");
        let mut lines: Vec<(String, usize)> = vec![(format!("```{info}"), 1)];
        lines.extend(text.lines().zip(1..).map(|(l, n)| (l.to_string(), n)));
        let last = lines.len().saturating_sub(1).max(1);
        lines.push(("```".to_string(), last));
        self.nested(index, &lines);
    }

    /// Writes an included file's lines, its own directives done, with the
    /// file on the chain so that it cannot include itself again.
    fn nested(&mut self, index: u32, lines: &[(String, usize)]) {
        self.lines_of(index, lines);
        self.chain.pop();
        if self.out.len() as u64 > super::MAX_PAGE_BYTES {
            self.full = true;
        }
    }

    /// Reads the file an include names and puts it on the chain; gives its
    /// number in the origins and its text, or reports why it cannot be.
    fn open(
        &mut self,
        file: &str,
        place: (u32, usize, u32),
        written: &str,
    ) -> Option<(u32, String)> {
        let including = self.chain.last().map(String::as_str).unwrap_or("");
        let folder = including.rsplit_once('/').map_or("", |(folder, _)| folder);
        let target = (!file.starts_with('/'))
            .then(|| files::normalise(&format!("{folder}/{file}")))
            .flatten();
        let Some(target) = target else {
            let help = "write a path relative to this file that stays inside the repository";
            self.problem(
                place,
                format!("`{file}` is outside the repository that holds the book"),
                help,
                written,
            );
            return None;
        };
        if self.full {
            let message = format!(
                "the page is larger than {} bytes with what it includes: `{file}` was not included",
                super::MAX_PAGE_BYTES
            );
            self.problem(place, message, "include less, or split the page", written);
            return None;
        }
        if let Err(message) = self.admit(&target) {
            self.problem(
                place,
                message,
                "break the cycle: a file may not include itself, directly or through others",
                written,
            );
            return None;
        }
        let text = match self.cx.reach.read(&target, &self.cx.source_prefix) {
            Ok(text) => text,
            Err(why) => {
                let help = "the path is relative to the file that includes it";
                self.problem(
                    place,
                    format!("cannot include `{file}`: {why}"),
                    help,
                    written,
                );
                return None;
            }
        };
        self.chain.push(target.clone());
        Some((self.file_index(&target), text))
    }

    /// Whether `target` may be opened now: not on the chain, not too deep.
    fn admit(&self, target: &str) -> Result<(), String> {
        if self.chain.iter().any(|open| open == target) {
            let mut names: Vec<String> = self.chain.iter().map(|p| self.label(p)).collect();
            names.push(self.label(target));
            let from = names
                .iter()
                .position(|n| *n == self.label(target))
                .unwrap_or(0);
            return Err(format!(
                "this include makes a cycle: {}",
                names[from..].join(" → ")
            ));
        }
        if self.chain.len() > MAX_DEPTH {
            return Err(format!("includes nest more than {MAX_DEPTH} deep"));
        }
        Ok(())
    }

    /// The number of an included file in the origins, added when new.
    fn file_index(&mut self, target: &str) -> u32 {
        let label = self.label(target);
        let files = &mut self.origins.files;
        let at = files.iter().position(|f| *f == label).unwrap_or_else(|| {
            files.push(label);
            files.len() - 1
        });
        u32::try_from(at).unwrap_or(u32::MAX)
    }

    /// A reach path as the editor sees it, from where the project is.
    fn label(&self, target: &str) -> String {
        if let Some(inside) = target.strip_prefix(&self.cx.source_prefix) {
            return format!("{}{inside}", self.cx.source_label);
        }
        if let Some(inside) = target.strip_prefix(&self.cx.root_prefix) {
            return format!("{}{inside}", self.cx.root_label);
        }
        let up = "../".repeat(self.cx.root_prefix.matches('/').count());
        tidy(&format!("{}{up}{target}", self.cx.root_label))
    }

    fn problem(
        &mut self,
        (file, line, column): (u32, usize, u32),
        message: String,
        help: &str,
        written: &str,
    ) {
        // The directive stays as written: the build fails on it anyway.
        self.out.push_str(written);
        let file = self
            .origins
            .files
            .get(file as usize)
            .cloned()
            .unwrap_or_default();
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        self.problems
            .push(Diagnostic::error(file, line, column, message).with_help(help));
    }
}

/// A label with `folder/..` pairs taken out (leading `..` kept).
fn tidy(label: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in label.split('/') {
        match (part, parts.last()) {
            ("..", Some(&last)) if last != ".." && !last.is_empty() => {
                parts.pop();
            }
            (".", _) => {}
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests;
