//! GitBook export syntax rewritten into plain CommonMark + GFM.
//!
//! Takes the body of one page as GitBook exported it (front matter already
//! removed) and the source line the body starts on. Gives text that
//! pulldown-cmark renders without knowing GitBook: `{% hint %}` becomes a GFM
//! alert, `{% embed %}`, `{% content-ref %}` and `{% tabs %}` become small HTML
//! blocks around ordinary markdown, GitBook's appended "Agent Instructions"
//! footer and `llms.txt` header are dropped, `&#x20;` spacer lines become blank.
//! Alongside come a [`LineMap`] from every output line back to its source line
//! and column shift, and the [`Problem`]s found on the way.
//!
//! Guarantees: nothing inside a fenced code block is rewritten; text outside
//! the constructs above passes through byte for byte (with `\r\n` turned into
//! `\n`), so a page without them comes back unchanged with an identity map;
//! every output line maps to a line of the body; and no input makes it panic.

/// Source-line mapping: for each line of the output text (0-based index), the
/// 1-based line in the original file, and how many columns the output line is
/// shifted right relative to the source (e.g. 2 when "> " was prepended).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineMap {
    /// Where an empty output points: the line the body starts on.
    first_line: u32,
    /// Per output line: (1-based source line, columns shifted right).
    entries: Vec<(u32, i32)>,
}

impl LineMap {
    /// Maps a 1-based (line, column) in the output text to the 1-based (line,
    /// column) in the source file. Lines past the end map to the last source
    /// line. Column never goes below 1.
    pub fn source_position(&self, line: u32, column: u32) -> (u32, u32) {
        let index = usize::try_from(line.saturating_sub(1)).unwrap_or(usize::MAX);
        let (source_line, shift) = self
            .entries
            .get(index)
            .or(self.entries.last())
            .copied()
            .unwrap_or((self.first_line, 0));
        let column = (i64::from(column) - i64::from(shift)).max(1);
        (source_line, u32::try_from(column).unwrap_or(u32::MAX))
    }
}

/// A problem found while rewriting: 1-based source line and column, and a
/// message for the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the source file.
    pub line: u32,
    /// 1-based column in characters.
    pub column: u32,
    /// What is wrong and, where possible, what to write instead.
    pub message: String,
}

/// The result of preprocessing one page body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preprocessed {
    /// CommonMark + GFM text, lines separated by `\n`.
    pub text: String,
    /// Where each line of `text` came from.
    pub lines: LineMap,
    /// Malformed or unsupported GitBook blocks, in the order they were found
    /// (a block left open is reported after what was found inside it).
    pub problems: Vec<Problem>,
}

/// `body` is the page text after front matter was removed; `first_line` is the
/// 1-based source line on which `body` starts (so front matter does not shift
/// reported lines).
pub fn preprocess(body: &str, first_line: u32) -> Preprocessed {
    let (raw, trailing_newline) = split_lines(body);
    let lines = classify(&raw);
    let start = header_end(&lines);
    let footer = footer_start(&lines).map(|at| {
        let blank_before = lines[..at].iter().rev().take_while(|l| is_blank(l.text));
        at - blank_before.count()
    });
    let end = footer.unwrap_or(lines.len()).max(start);
    let mut rewriter = Rewriter {
        lines: &lines,
        pos: start,
        end,
        out: Vec::new(),
        problems: Vec::new(),
        first_line,
        stack: Vec::new(),
    };
    rewriter.run_block();
    rewriter.finish(trailing_newline || footer.is_some())
}

/// Splits on `\n`, dropping a `\r` before it; the final newline is reported
/// separately so that it can be given back exactly.
fn split_lines(body: &str) -> (Vec<&str>, bool) {
    if body.is_empty() {
        return (Vec::new(), false);
    }
    let trailing_newline = body.ends_with('\n');
    let body = body.strip_suffix('\n').unwrap_or(body);
    let lines = body
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .collect();
    (lines, trailing_newline)
}

/// One source line with what the line-level scan found out about it.
struct Source<'a> {
    text: &'a str,
    /// Part of a fenced code block (fence lines included): never rewritten.
    fenced: bool,
    /// A `{% … %}` tag standing alone on the line, outside fences.
    tag: Option<Tag<'a>>,
}

/// A GitBook block tag such as `{% hint style="info" %}`.
struct Tag<'a> {
    name: &'a str,
    attrs: Vec<Attr<'a>>,
    /// 1-based character column of `{%`.
    column: u32,
}

/// One `key="value"` of a tag.
struct Attr<'a> {
    key: &'a str,
    value: &'a str,
    /// 1-based character column of the value.
    column: u32,
}

impl<'a> Tag<'a> {
    fn attr(&self, key: &str) -> Option<&Attr<'a>> {
        self.attrs.iter().find(|attr| attr.key == key)
    }
}

/// An open code fence: its character and length decide which line closes it.
struct Fence {
    marker: u8,
    len: usize,
}

fn classify<'a>(raw: &[&'a str]) -> Vec<Source<'a>> {
    let mut open: Option<Fence> = None;
    raw.iter()
        .map(|&text| {
            let fenced = match &open {
                Some(fence) => {
                    if closes(fence, text) {
                        open = None;
                    }
                    true
                }
                None => {
                    open = fence_open(text);
                    open.is_some()
                }
            };
            let tag = if fenced { None } else { parse_tag(text) };
            Source { text, fenced, tag }
        })
        .collect()
}

/// The line without up to three spaces of indentation; `None` when it is
/// indented further (then it cannot open or close a fence).
fn strip_indent(line: &str) -> Option<&str> {
    let spaces = line.bytes().take_while(|&b| b == b' ').count();
    (spaces <= 3).then(|| &line[spaces..])
}

fn fence_open(line: &str) -> Option<Fence> {
    let rest = strip_indent(line)?;
    let marker = *rest.as_bytes().first()?;
    if marker != b'`' && marker != b'~' {
        return None;
    }
    let len = rest.bytes().take_while(|&b| b == marker).count();
    // CommonMark: a backtick fence's info string may not contain a backtick.
    let info_ok = marker == b'~' || !rest[len..].contains('`');
    (len >= 3 && info_ok).then_some(Fence { marker, len })
}

fn closes(fence: &Fence, line: &str) -> bool {
    let Some(rest) = strip_indent(line) else {
        return false;
    };
    let len = rest.bytes().take_while(|&b| b == fence.marker).count();
    len >= fence.len && rest[len..].trim().is_empty()
}

fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// 1-based character column of byte offset `at` in `line`.
fn column_at(line: &str, at: usize) -> u32 {
    let chars = line.get(..at).map_or(0, |head| head.chars().count());
    u32::try_from(chars + 1).unwrap_or(u32::MAX)
}

fn indent_column(line: &str) -> u32 {
    column_at(line, line.len() - line.trim_start().len())
}

fn parse_tag(line: &str) -> Option<Tag<'_>> {
    let lead = line.len() - line.trim_start().len();
    let inner = line[lead..]
        .trim_end()
        .strip_prefix("{%")?
        .strip_suffix("%}")?;
    let inner_start = lead + 2;
    let name_at = inner.len() - inner.trim_start().len();
    let rest = &inner[name_at..];
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    let name = &rest[..name_len];
    let separated =
        rest[name_len..].is_empty() || rest[name_len..].starts_with(char::is_whitespace);
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) || !separated {
        return None;
    }
    let attrs_start = inner_start + name_at + name_len;
    Some(Tag {
        name,
        attrs: parse_attrs(line, attrs_start, inner_start + inner.len()),
        column: column_at(line, lead),
    })
}

/// Reads `key="value"`, `key='value'`, `key=value` and bare `key` pairs from
/// `line[from..to]`; anything unreadable ends the list rather than failing the
/// tag, since GitBook only ever writes the quoted form.
fn parse_attrs(line: &str, from: usize, to: usize) -> Vec<Attr<'_>> {
    let skip_space = |at: usize| at + (line[at..to].len() - line[at..to].trim_start().len());
    let mut attrs = Vec::new();
    let mut at = skip_space(from);
    while at < to {
        let rest = &line[at..to];
        let key_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        if key_len == 0 {
            break;
        }
        let key = &rest[..key_len];
        at = skip_space(at + key_len);
        let (value, value_at, next) = if line[at..to].starts_with('=') {
            attr_value(line, skip_space(at + 1), to)
        } else {
            ("", at, at)
        };
        attrs.push(Attr {
            key,
            value,
            column: column_at(line, value_at),
        });
        at = skip_space(next);
    }
    attrs
}

/// The value starting at `at`: (value, where the value starts, where reading
/// continues).
fn attr_value(line: &str, at: usize, to: usize) -> (&str, usize, usize) {
    let rest = &line[at..to];
    match rest.chars().next() {
        Some(quote @ ('"' | '\'')) => {
            let inner = &rest[1..];
            let len = inner.find(quote).unwrap_or(inner.len());
            (&inner[..len], at + 1, (at + 1 + len + 1).min(to))
        }
        _ => {
            let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
            (&rest[..len], at, at + len)
        }
    }
}

/// Where GitBook's appended footer starts: a thematic break followed (after
/// blank lines) by an "Agent Instructions" heading.
fn footer_start(lines: &[Source<'_>]) -> Option<usize> {
    (0..lines.len()).find(|&i| {
        !lines[i].fenced
            && is_thematic_break(lines[i].text)
            && lines[i + 1..]
                .iter()
                .find(|line| !is_blank(line.text))
                .is_some_and(|line| !line.fenced && is_agent_heading(line.text))
    })
}

fn is_thematic_break(line: &str) -> bool {
    let Some(rest) = strip_indent(line) else {
        return false;
    };
    let marks: Vec<char> = rest.chars().filter(|c| !c.is_whitespace()).collect();
    marks.len() >= 3 && matches!(marks[0], '-' | '*' | '_') && marks.iter().all(|&c| c == marks[0])
}

fn is_agent_heading(line: &str) -> bool {
    let Some(rest) = strip_indent(line) else {
        return false;
    };
    let hashes = rest.bytes().take_while(|&b| b == b'#').count();
    let text = &rest[hashes..];
    (1..=6).contains(&hashes)
        && text.starts_with([' ', '\t'])
        && text
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("agent instructions")
}

/// The first line to keep: past a leading blockquote that points at
/// `llms.txt`, and past the blank lines around it.
fn header_end(lines: &[Source<'_>]) -> usize {
    let Some(first) = lines.iter().position(|line| !is_blank(line.text)) else {
        return 0;
    };
    let quote_len = lines[first..]
        .iter()
        .take_while(|line| !line.fenced && quote_marker_len(line.text).is_some())
        .count();
    let quote = &lines[first..first + quote_len];
    let mentions = quote
        .iter()
        .any(|line| line.text.to_ascii_lowercase().contains("llms.txt"));
    if !mentions {
        return 0;
    }
    let after = first + quote_len;
    after
        + lines[after..]
            .iter()
            .take_while(|l| is_blank(l.text))
            .count()
}

/// Byte length of a blockquote marker (`>` with up to three spaces before and
/// one after), when the line starts with one.
fn quote_marker_len(line: &str) -> Option<usize> {
    let rest = strip_indent(line)?;
    let after = rest.strip_prefix('>')?;
    let space = usize::from(after.starts_with(' '));
    Some(line.len() - after.len() + space)
}

/// A line holding only `&#x20;` spacers (GitBook's way of keeping an empty
/// paragraph), possibly with hard-break markers.
fn is_spacer_line(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    let mut rest = lower.trim();
    let mut seen = false;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("&#x20;") {
            seen = true;
            rest = after;
        } else if let Some(after) = ["<br>", "<br/>", "<br />", "\\"]
            .iter()
            .find_map(|mark| rest.strip_prefix(mark))
        {
            rest = after;
        } else {
            return false;
        }
        rest = rest.trim_start();
    }
    seen
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `[rel](rel)`, written so that any path survives as one link.
fn markdown_link(rel: &str) -> String {
    let mut label = String::with_capacity(rel.len());
    for c in rel.chars() {
        if matches!(c, '\\' | '[' | ']') {
            label.push('\\');
        }
        label.push(c);
    }
    let needs_brackets = rel.contains(|c: char| c.is_whitespace() || "()<>".contains(c));
    if needs_brackets {
        let dest = rel.replace('<', "%3C").replace('>', "%3E");
        format!("[{label}](<{dest}>)")
    } else {
        format!("[{label}]({rel})")
    }
}

fn is_http(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["http://", "https://"]
        .iter()
        .any(|scheme| lower.len() > scheme.len() && lower.starts_with(scheme))
}

/// Blocks deeper than this are reported and shown as text, which bounds the
/// recursion whatever the input.
const MAX_DEPTH: usize = 32;

/// The GitBook blocks that enclose other lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Hint,
    /// A hint inside a hint: its tags are dropped, its lines kept.
    NestedHint,
    Tabs,
    Tab,
    ContentRef,
}

impl Block {
    fn opener(self) -> &'static str {
        match self {
            Block::Hint | Block::NestedHint => "hint",
            Block::Tabs => "tabs",
            Block::Tab => "tab",
            Block::ContentRef => "content-ref",
        }
    }

    fn closer(self) -> &'static str {
        match self {
            Block::Hint | Block::NestedHint => "endhint",
            Block::Tabs => "endtabs",
            Block::Tab => "endtab",
            Block::ContentRef => "endcontent-ref",
        }
    }
}

/// Why a block's scan ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Its own closing tag, on this line.
    Closed(usize),
    /// A closing tag of an enclosing block (not consumed), or a `{% tab %}`
    /// starting the next tab: this block was left open.
    Interrupted,
    /// The end of the body.
    End,
}

/// One output line and the source line (index into the body) it stands for.
struct Out {
    text: String,
    source: usize,
    shift: i32,
}

/// A recursive-descent pass over the classified lines; each GitBook block
/// scans its own content with `run_block` and then wraps what it produced.
struct Rewriter<'s, 'a> {
    lines: &'s [Source<'a>],
    pos: usize,
    end: usize,
    out: Vec<Out>,
    problems: Vec<Problem>,
    first_line: u32,
    stack: Vec<Block>,
}

impl<'s, 'a> Rewriter<'s, 'a> {
    fn finish(self, trailing_newline: bool) -> Preprocessed {
        let mut text = self
            .out
            .iter()
            .map(|line| line.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        if trailing_newline && !self.out.is_empty() {
            text.push('\n');
        }
        let entries = self
            .out
            .iter()
            .map(|line| (self.source_line(line.source), line.shift))
            .collect();
        Preprocessed {
            text,
            lines: LineMap {
                first_line: self.first_line,
                entries,
            },
            problems: self.problems,
        }
    }

    fn source_line(&self, index: usize) -> u32 {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        self.first_line.saturating_add(index)
    }

    fn push(&mut self, text: impl Into<String>, source: usize, shift: i32) {
        self.out.push(Out {
            text: text.into(),
            source,
            shift,
        });
    }

    fn push_all(&mut self, source: usize, texts: &[&str]) {
        for text in texts {
            self.push(*text, source, 0);
        }
    }

    fn problem(&mut self, index: usize, column: u32, message: String) {
        let line = self.source_line(index);
        self.problems.push(Problem {
            line,
            column,
            message,
        });
    }

    /// Scans lines until the end of the body or a tag that ends the innermost
    /// open block.
    fn run_block(&mut self) -> Stop {
        let lines = self.lines;
        while self.pos < self.end {
            let index = self.pos;
            match &lines[index].tag {
                Some(tag) => {
                    if let Some(stop) = self.tag_line(index, tag) {
                        return stop;
                    }
                }
                None => self.text_line(index),
            }
        }
        Stop::End
    }

    fn text_line(&mut self, index: usize) {
        let line = &self.lines[index];
        if self.stack.last() == Some(&Block::Tabs) && !is_blank(line.text) {
            let message = "text inside `{% tabs %}` must be inside a `{% tab %}`".to_string();
            self.problem(index, indent_column(line.text), message);
        }
        let text = if !line.fenced && is_spacer_line(line.text) {
            ""
        } else {
            line.text
        };
        self.push(text, index, 0);
        self.pos = index + 1;
    }

    fn tag_line(&mut self, index: usize, tag: &'s Tag<'a>) -> Option<Stop> {
        let opens = matches!(tag.name, "hint" | "tabs" | "tab" | "content-ref");
        if opens && self.stack.len() >= MAX_DEPTH {
            let message = format!(
                "`{{% {} %}}` is nested too deeply; it is shown as text",
                tag.name
            );
            self.problem(index, tag.column, message);
            self.push(self.lines[index].text, index, 0);
            self.pos = index + 1;
            return None;
        }
        match tag.name {
            "endhint" | "endtab" | "endtabs" | "endcontent-ref" => return self.closer(index, tag),
            "tab" if self.stack.last() == Some(&Block::Tab) => return Some(Stop::Interrupted),
            "hint" if self.stack.contains(&Block::Hint) => self.nested_hint(index, tag),
            "hint" => self.hint(index, tag),
            "tabs" => self.tabs(index),
            "tab" => self.tab(index, tag),
            "content-ref" => self.content_ref(index, tag),
            "embed" => self.embed(index, tag),
            // GitBook wraps fenced code in these; the fence alone renders the same.
            "code" | "endcode" => self.pos = index + 1,
            "endembed" => self.stray(index, tag),
            _ => self.unsupported(index, tag),
        }
        None
    }

    fn closer(&mut self, index: usize, tag: &Tag<'_>) -> Option<Stop> {
        if self.stack.last().is_some_and(|b| b.closer() == tag.name) {
            return Some(Stop::Closed(index));
        }
        if self.stack.iter().any(|b| b.closer() == tag.name) {
            return Some(Stop::Interrupted);
        }
        self.stray(index, tag);
        None
    }

    fn stray(&mut self, index: usize, tag: &Tag<'_>) {
        let opener = tag.name.strip_prefix("end").unwrap_or(tag.name);
        let message = format!(
            "`{{% {} %}}` has no matching `{{% {opener} %}}`; it is dropped",
            tag.name
        );
        self.problem(index, tag.column, message);
        self.pos = index + 1;
    }

    fn unsupported(&mut self, index: usize, tag: &Tag<'_>) {
        // Reporting the opening tag is enough; its end tag would repeat it.
        if !tag.name.starts_with("end") {
            let message = format!(
                "unsupported GitBook block `{{% {} %}}`; it is shown as text",
                tag.name
            );
            self.problem(index, tag.column, message);
        }
        self.push(self.lines[index].text, index, 0);
        self.pos = index + 1;
    }

    /// Scans the content of the block opened on line `open`.
    fn inner(&mut self, open: usize, block: Block) -> Stop {
        self.pos = open + 1;
        self.stack.push(block);
        let stop = self.run_block();
        self.stack.pop();
        stop
    }

    /// Ends the block opened on line `open`: reports it when left open and
    /// emits `closing`, mapped to the closing tag (or the block's last line).
    fn close(&mut self, open: usize, block: Block, stop: Stop, closing: &[&str]) {
        let at = match stop {
            Stop::Closed(line) => {
                self.pos = line + 1;
                line
            }
            Stop::Interrupted | Stop::End => {
                let message = format!(
                    "`{{% {} %}}` is never closed; add `{{% {} %}}`",
                    block.opener(),
                    block.closer()
                );
                let column = self.lines[open].tag.as_ref().map_or(1, |tag| tag.column);
                self.problem(open, column, message);
                self.out.last().map_or(open, |line| line.source)
            }
        };
        self.push_all(at, closing);
    }

    fn hint(&mut self, index: usize, tag: &Tag<'_>) {
        let kind = self.alert_kind(index, tag);
        let head = self.out.len();
        self.push(format!("> [!{kind}]"), index, 0);
        let stop = self.inner(index, Block::Hint);
        let content_end = match stop {
            Stop::Closed(line) => line,
            Stop::Interrupted | Stop::End => self.pos,
        };
        let flatten = all_quoted(&self.lines[index + 1..content_end]);
        for line in &mut self.out[head + 1..] {
            quote(line, flatten);
        }
        // A blank line for the end tag keeps the next paragraph from being
        // swallowed into the alert as a lazy continuation line.
        self.close(index, Block::Hint, stop, &[""]);
    }

    fn alert_kind(&mut self, index: usize, tag: &Tag<'_>) -> &'static str {
        let Some(style) = tag.attr("style") else {
            return "NOTE";
        };
        match style.value.to_ascii_lowercase().as_str() {
            "info" => "NOTE",
            "success" => "TIP",
            "warning" => "WARNING",
            "danger" => "CAUTION",
            _ => {
                let message = format!(
                    "unknown hint style `{}`; use info, success, warning or danger",
                    style.value
                );
                self.problem(index, style.column, message);
                "NOTE"
            }
        }
    }

    fn nested_hint(&mut self, index: usize, tag: &Tag<'_>) {
        let message = "a `{% hint %}` inside another hint is not supported; its tags are dropped";
        self.problem(index, tag.column, message.to_string());
        if let Stop::Closed(line) = self.inner(index, Block::NestedHint) {
            self.pos = line + 1;
        }
    }

    fn tabs(&mut self, index: usize) {
        self.push_all(index, &["<div class=\"tabs\">", ""]);
        let stop = self.inner(index, Block::Tabs);
        self.close(index, Block::Tabs, stop, &["</div>", ""]);
    }

    fn tab(&mut self, index: usize, tag: &Tag<'_>) {
        if self.stack.last() != Some(&Block::Tabs) {
            let message =
                "`{% tab %}` outside `{% tabs %}`; wrap the tabs in `{% tabs %}` … `{% endtabs %}`";
            self.problem(index, tag.column, message.to_string());
        }
        let title = match tag.attr("title") {
            Some(title) => escape_html(title.value),
            None => {
                let message = "`{% tab %}` has no title; add title=\"…\"".to_string();
                self.problem(index, tag.column, message);
                String::new()
            }
        };
        self.push_all(index, &["<section class=\"tab\">", ""]);
        self.push(format!("<p class=\"tab-title\">{title}</p>"), index, 0);
        self.push("", index, 0);
        let stop = self.inner(index, Block::Tab);
        self.close(index, Block::Tab, stop, &["", "</section>", ""]);
    }

    fn content_ref(&mut self, index: usize, tag: &Tag<'_>) {
        let url = tag.attr("url").map(|attr| attr.value);
        if url.is_none() {
            let message = "`{% content-ref %}` has no url; add url=\"page.md\"".to_string();
            self.problem(index, tag.column, message);
        }
        self.push_all(index, &["<div class=\"content-ref\">", ""]);
        let head = self.out.len();
        let stop = self.inner(index, Block::ContentRef);
        self.trim_blank_lines(head);
        if let (true, Some(url)) = (self.out.len() == head, url) {
            self.push(markdown_link(url), index, 0);
        }
        self.close(index, Block::ContentRef, stop, &["", "</div>", ""]);
    }

    /// Drops blank lines at both ends of `out[head..]`.
    fn trim_blank_lines(&mut self, head: usize) {
        while self.out.len() > head && self.out.last().is_some_and(|l| is_blank(&l.text)) {
            self.out.pop();
        }
        let leading = self.out[head..]
            .iter()
            .take_while(|line| is_blank(&line.text))
            .count();
        self.out.drain(head..head + leading);
    }

    fn embed(&mut self, index: usize, tag: &Tag<'_>) {
        let (caption, last) = self.embed_extent(index);
        let html = match tag.attr("url") {
            None => {
                let message = "`{% embed %}` has no url; add url=\"https://…\"".to_string();
                self.problem(index, tag.column, message);
                None
            }
            Some(url) => {
                let label = escape_html(caption.as_deref().unwrap_or(url.value));
                if is_http(url.value) {
                    let href = escape_html(url.value);
                    Some(format!(
                        "<div class=\"embed-card\"><a href=\"{href}\" rel=\"noopener\">{label}</a></div>"
                    ))
                } else {
                    let message = "embed url must be http(s)".to_string();
                    self.problem(index, url.column, message);
                    Some(format!("<div class=\"embed-card\">{label}</div>"))
                }
            }
        };
        if let Some(html) = html {
            self.push(html, index, 0);
        }
        self.push("", last, 0);
        self.pos = last + 1;
    }

    /// The caption and last line of an embed: through a `{% endembed %}`
    /// within the next five lines, or just the tag when there is none.
    fn embed_extent(&self, index: usize) -> (Option<String>, usize) {
        let mut caption: Vec<&str> = Vec::new();
        for next in index + 1..(index + 6).min(self.end) {
            let line = &self.lines[next];
            if line.fenced {
                break;
            }
            match &line.tag {
                Some(tag) if tag.name == "endembed" => {
                    let caption = (!caption.is_empty()).then(|| caption.join(" "));
                    return (caption, next);
                }
                Some(_) => break,
                None if !is_blank(line.text) => caption.push(line.text.trim()),
                None => {}
            }
        }
        (None, index)
    }
}

/// Whether a hint only wraps a quotation (every non-blank line starts with
/// `>`), in which case the quote markers are folded into the alert's.
fn all_quoted(lines: &[Source<'_>]) -> bool {
    let mut non_blank = lines.iter().filter(|line| !is_blank(line.text)).peekable();
    non_blank.peek().is_some() && non_blank.all(|line| quote_marker_len(line.text).is_some())
}

/// Puts one hint content line into the alert's blockquote.
fn quote(line: &mut Out, flatten: bool) {
    if flatten {
        if let Some(len) = quote_marker_len(&line.text) {
            line.text.drain(..len);
            line.shift -= i32::try_from(len).unwrap_or(0);
        }
    }
    if is_blank(&line.text) {
        line.text = ">".to_string();
        line.shift += 1;
    } else {
        line.text.insert_str(0, "> ");
        line.shift += 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(body: &str) -> String {
        preprocess(body, 1).text
    }

    fn messages(body: &str) -> Vec<String> {
        preprocess(body, 1)
            .problems
            .into_iter()
            .map(|p| p.message)
            .collect()
    }

    fn map(body: &str) -> Vec<(u32, i32)> {
        preprocess(body, 1).lines.entries
    }

    // --- pass-through -------------------------------------------------------

    #[test]
    fn plain_markdown_is_unchanged_with_identity_map() {
        let body = "# Title\n\nSome *text* &#x20;here.\n\n> quote\n- item\n";
        let out = preprocess(body, 7);
        assert_eq!(out.text, body);
        assert_eq!(
            out.lines.entries,
            vec![(7, 0), (8, 0), (9, 0), (10, 0), (11, 0), (12, 0)]
        );
        assert!(out.problems.is_empty());
    }

    #[test]
    fn missing_final_newline_stays_missing() {
        assert_eq!(text("a\nb"), "a\nb");
    }

    #[test]
    fn blank_lines_at_the_end_are_kept() {
        assert_eq!(text("a\n\n\n"), "a\n\n\n");
        assert_eq!(text("\n"), "\n");
    }

    #[test]
    fn empty_body_gives_empty_text() {
        let out = preprocess("", 5);
        assert_eq!(out.text, "");
        assert_eq!(out.lines.source_position(1, 1), (5, 1));
    }

    #[test]
    fn crlf_becomes_lf() {
        let out = preprocess("a\r\nb\r\n", 1);
        assert_eq!(out.text, "a\nb\n");
        assert_eq!(out.lines.entries, vec![(1, 0), (2, 0)]);
    }

    #[test]
    fn lone_carriage_returns_are_kept() {
        assert_eq!(text("a\rb\n"), "a\rb\n");
    }

    #[test]
    fn inline_tags_are_left_alone() {
        let body = "Say {% hint style=\"info\" %} here.\n";
        assert_eq!(text(body), body);
        assert!(messages(body).is_empty());
    }

    #[test]
    fn liquid_like_text_that_is_not_a_tag_stays() {
        for body in ["{%}\n", "{% %}\n", "{%1 x %}\n", "{%hint%x %}\n"] {
            assert_eq!(text(body), body, "{body:?}");
        }
    }

    // --- fences --------------------------------------------------------------

    #[test]
    fn hints_inside_backtick_fences_stay_literal() {
        let body = "```markdown\n{% hint style=\"info\" %}\nx\n{% endhint %}\n```\n";
        assert_eq!(text(body), body);
        assert!(messages(body).is_empty());
    }

    #[test]
    fn hints_inside_tilde_fences_stay_literal() {
        let body = "~~~~\n{% hint %}\n~~~\n{% endhint %}\n~~~~\n";
        assert_eq!(text(body), body);
    }

    #[test]
    fn a_shorter_or_different_fence_does_not_close() {
        let body = "````\n```\n{% tabs %}\n~~~~\n````\n{% code %}\n";
        assert_eq!(text(body), "````\n```\n{% tabs %}\n~~~~\n````\n");
    }

    #[test]
    fn indented_fences_up_to_three_spaces_count() {
        let body = "   ```\n{% hint %}\n   ```\n";
        assert_eq!(text(body), body);
    }

    #[test]
    fn four_space_indent_is_not_a_fence() {
        let body = "    ```\n{% hint %}\nx\n{% endhint %}\n";
        assert_eq!(text(body), "    ```\n> [!NOTE]\n> x\n\n");
    }

    #[test]
    fn backtick_info_with_backtick_is_not_a_fence() {
        assert_eq!(text("``` a`b\n{% code %}\n"), "``` a`b\n");
    }

    #[test]
    fn unclosed_fence_runs_to_the_end() {
        let body = "```\n{% embed url=\"https://a\" %}\n";
        assert_eq!(text(body), body);
    }

    // --- footer and header ----------------------------------------------------

    const FOOTER: &str = "---\n\n# Agent Instructions: Querying This Documentation\n\nAsk.\n";

    #[test]
    fn agent_footer_is_dropped_with_blank_lines_before() {
        let body = format!("Text.\n\n\n{FOOTER}");
        let out = preprocess(&body, 1);
        assert_eq!(out.text, "Text.\n");
        assert_eq!(out.lines.entries, vec![(1, 0)]);
    }

    #[test]
    fn agent_footer_matches_any_level_and_case_and_stars() {
        assert_eq!(text("a\n\n***\n### agent INSTRUCTIONS\nb"), "a\n");
        assert_eq!(text("a\n---\n\n\n## Agent instructions for bots\n"), "a\n");
    }

    #[test]
    fn other_sections_after_a_rule_are_kept() {
        let body = "a\n\n---\n\n# Agents of change\n";
        assert_eq!(text(body), body);
    }

    #[test]
    fn footer_inside_a_fence_is_kept() {
        let body = "```\n---\n# Agent Instructions\n```\n";
        assert_eq!(text(body), body);
    }

    #[test]
    fn llms_header_line_is_dropped() {
        let body = "> For the complete documentation index, see [llms.txt](https://x.gitbook.io/y/llms.txt)\n\n# Title\n";
        let out = preprocess(body, 3);
        assert_eq!(out.text, "# Title\n");
        assert_eq!(out.lines.entries, vec![(5, 0)]);
    }

    #[test]
    fn llms_documentation_index_block_is_dropped() {
        let body = "\n> ## Documentation Index\n> Fetch the index at: https://x.gitbook.io/llms.txt\n> Use it.\n# Title\nText\n";
        assert_eq!(text(body), "# Title\nText\n");
    }

    #[test]
    fn quotes_without_llms_or_later_in_the_page_stay() {
        let first = "> Updated: 19jul2021\n\nText\n";
        assert_eq!(text(first), first);
        let later = "# T\n\n> see llms.txt\n";
        assert_eq!(text(later), later);
    }

    // --- spacers ----------------------------------------------------------------

    #[test]
    fn spacer_lines_become_blank() {
        for line in [
            "&#x20;",
            "  &#x20;&#x20; ",
            "&#x20;\\",
            "&#x20;<br>",
            "&#X20; <br />",
        ] {
            let body = format!("a\n{line}\nb\n");
            assert_eq!(text(&body), "a\n\nb\n", "{line:?}");
        }
    }

    #[test]
    fn spacers_inside_text_stay() {
        for line in ["a &#x20;", "&#x20;a", "\\", "<br>"] {
            let body = format!("{line}\n");
            assert_eq!(text(&body), body, "{line:?}");
        }
    }

    #[test]
    fn spacer_lines_inside_fences_stay() {
        let body = "```\n&#x20;\n```\n";
        assert_eq!(text(body), body);
    }

    // --- hints ------------------------------------------------------------------

    #[test]
    fn hint_styles_map_to_alert_kinds() {
        for (style, kind) in [
            ("info", "NOTE"),
            ("success", "TIP"),
            ("warning", "WARNING"),
            ("danger", "CAUTION"),
            ("Danger", "CAUTION"),
        ] {
            let body = format!("{{% hint style=\"{style}\" %}}\nx\n{{% endhint %}}\n");
            assert_eq!(text(&body), format!("> [!{kind}]\n> x\n\n"), "{style}");
        }
    }

    #[test]
    fn hint_without_style_is_a_note() {
        assert_eq!(text("{% hint %}\nx\n{% endhint %}"), "> [!NOTE]\n> x\n");
        assert!(messages("{% hint %}\nx\n{% endhint %}").is_empty());
    }

    #[test]
    fn unknown_hint_style_is_a_note_and_a_problem() {
        let out = preprocess("{% hint style=\"tip\" %}\nx\n{% endhint %}\n", 10);
        assert_eq!(out.text, "> [!NOTE]\n> x\n\n");
        assert_eq!(
            out.problems,
            vec![Problem {
                line: 10,
                column: 16,
                message: "unknown hint style `tip`; use info, success, warning or danger".into(),
            }]
        );
    }

    #[test]
    fn hint_tags_may_be_indented_and_single_quoted() {
        let body = "  {% hint style='warning' %}\nx\n   {% endhint %}  \n";
        assert_eq!(text(body), "> [!WARNING]\n> x\n\n");
    }

    #[test]
    fn hint_content_is_mapped_with_a_shift() {
        let body = "intro\n{% hint style=\"info\" %}\nfirst\n\nsecond\n{% endhint %}\nafter\n";
        let out = preprocess(body, 1);
        assert_eq!(
            out.text,
            "intro\n> [!NOTE]\n> first\n>\n> second\n\nafter\n"
        );
        assert_eq!(
            out.lines.entries,
            vec![(1, 0), (2, 0), (3, 2), (4, 1), (5, 2), (6, 0), (7, 0)]
        );
        assert_eq!(out.lines.source_position(3, 5), (3, 3));
    }

    #[test]
    fn text_after_a_hint_is_not_swallowed() {
        assert_eq!(
            text("{% hint %}\nin\n{% endhint %}\nout\n"),
            "> [!NOTE]\n> in\n\nout\n"
        );
    }

    #[test]
    fn hint_wrapping_a_quote_is_flattened() {
        let body = "{% hint style=\"info\" %}\n> `Note: Derive protocols`\n>\n> - **A** — b\n{% endhint %}\n";
        let out = preprocess(body, 1);
        assert_eq!(
            out.text,
            "> [!NOTE]\n> `Note: Derive protocols`\n>\n> - **A** — b\n\n"
        );
        assert_eq!(
            out.lines.entries,
            vec![(1, 0), (2, 0), (3, 0), (4, 0), (5, 0)]
        );
    }

    #[test]
    fn hint_with_some_quoted_lines_is_not_flattened() {
        let body = "{% hint %}\n> quoted\nplain\n{% endhint %}\n";
        assert_eq!(text(body), "> [!NOTE]\n> > quoted\n> plain\n\n");
    }

    #[test]
    fn fenced_code_inside_a_hint_is_quoted_but_not_rewritten() {
        let body = "{% hint %}\n```\n{% endhint %}\n```\n{% endhint %}\n";
        assert_eq!(text(body), "> [!NOTE]\n> ```\n> {% endhint %}\n> ```\n\n");
    }

    #[test]
    fn nested_hint_tags_are_dropped_and_reported() {
        let body =
            "{% hint %}\na\n{% hint style=\"danger\" %}\nb\n{% endhint %}\nc\n{% endhint %}\nd\n";
        let out = preprocess(body, 1);
        assert_eq!(out.text, "> [!NOTE]\n> a\n> b\n> c\n\nd\n");
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].line, 3);
        assert!(out.problems[0].message.contains("inside another hint"));
    }

    #[test]
    fn unclosed_hint_runs_to_the_end_and_is_reported() {
        let out = preprocess("a\n {% hint %}\nb\n", 4);
        assert_eq!(out.text, "a\n> [!NOTE]\n> b\n\n");
        assert_eq!(
            out.problems,
            vec![Problem {
                line: 5,
                column: 2,
                message: "`{% hint %}` is never closed; add `{% endhint %}`".into(),
            }]
        );
    }

    #[test]
    fn stray_endhint_is_dropped_and_reported() {
        let out = preprocess("a\n{% endhint %}\nb\n", 1);
        assert_eq!(out.text, "a\nb\n");
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].line, 2);
        assert_eq!(
            out.problems[0].message,
            "`{% endhint %}` has no matching `{% hint %}`; it is dropped"
        );
    }

    #[test]
    fn spacer_lines_inside_hints_become_empty_quote_lines() {
        assert_eq!(
            text("{% hint %}\na\n&#x20;\nb\n{% endhint %}\n"),
            "> [!NOTE]\n> a\n>\n> b\n\n"
        );
    }

    // --- embeds -----------------------------------------------------------------

    #[test]
    fn self_closing_embed_becomes_a_card() {
        let out = preprocess(
            "{% embed url=\"https://example.org/v?a=1&b=2\" %}\nText\n",
            1,
        );
        assert_eq!(
            out.text,
            "<div class=\"embed-card\"><a href=\"https://example.org/v?a=1&amp;b=2\" rel=\"noopener\">https://example.org/v?a=1&amp;b=2</a></div>\n\nText\n"
        );
        assert_eq!(out.lines.entries, vec![(1, 0), (1, 0), (2, 0)]);
    }

    #[test]
    fn embed_with_end_tag_is_consumed() {
        let out = preprocess("{% embed url=\"https://a.org\" %}\n{% endembed %}\nx\n", 1);
        assert_eq!(
            out.text,
            "<div class=\"embed-card\"><a href=\"https://a.org\" rel=\"noopener\">https://a.org</a></div>\n\nx\n"
        );
        assert_eq!(out.lines.entries, vec![(1, 0), (2, 0), (3, 0)]);
    }

    #[test]
    fn embed_caption_becomes_the_link_text() {
        let body = "{% embed url=\"https://a.org\" %}\nOur <b>talk</b> & 'Q'\n{% endembed %}\n";
        assert_eq!(
            text(body),
            "<div class=\"embed-card\"><a href=\"https://a.org\" rel=\"noopener\">Our &lt;b&gt;talk&lt;/b&gt; &amp; &#39;Q&#39;</a></div>\n\n"
        );
    }

    #[test]
    fn embed_end_tag_too_far_away_is_not_consumed() {
        let body = "{% embed url=\"https://a.org\" %}\n1\n2\n3\n4\n5\n{% endembed %}\n";
        let out = preprocess(body, 1);
        assert!(out.text.starts_with("<div class=\"embed-card\"><a href=\"https://a.org\" rel=\"noopener\">https://a.org</a></div>\n\n1\n"));
        assert!(!out.text.contains("endembed"));
        assert_eq!(out.problems.len(), 1, "the far end tag is stray");
    }

    #[test]
    fn embed_url_is_escaped_in_the_attribute() {
        let body = "{% embed url='https://a.org/\"x\"' %}\n";
        assert!(text(body).contains("href=\"https://a.org/&quot;x&quot;\""));
    }

    #[test]
    fn embed_without_url_is_a_problem() {
        let out = preprocess("{% embed %}\nx\n", 1);
        assert_eq!(out.text, "\nx\n");
        assert_eq!(out.problems.len(), 1);
        assert!(out.problems[0].message.contains("has no url"));
    }

    #[test]
    fn non_http_embed_is_text_and_a_problem() {
        let out = preprocess("{% embed url=\"javascript:alert('x')\" %}\n", 1);
        assert_eq!(
            out.text,
            "<div class=\"embed-card\">javascript:alert(&#39;x&#39;)</div>\n\n"
        );
        assert_eq!(
            out.problems,
            vec![Problem {
                line: 1,
                column: 15,
                message: "embed url must be http(s)".into()
            }]
        );
    }

    // --- content-ref --------------------------------------------------------------

    #[test]
    fn content_ref_export_form_keeps_the_link() {
        let body = "{% content-ref url=\"governance.md\" %}\n[governance.md](governance.md)\n{% endcontent-ref %}\nNext\n";
        let out = preprocess(body, 1);
        assert_eq!(
            out.text,
            "<div class=\"content-ref\">\n\n[governance.md](governance.md)\n\n</div>\n\nNext\n"
        );
        assert_eq!(
            out.lines.entries,
            vec![(1, 0), (1, 0), (2, 0), (3, 0), (3, 0), (3, 0), (4, 0)]
        );
        assert!(out.problems.is_empty());
    }

    #[test]
    fn content_ref_without_inner_line_links_its_url() {
        assert_eq!(
            text("{% content-ref url=\"a b.md\" %}\n\n{% endcontent-ref %}\n"),
            "<div class=\"content-ref\">\n\n[a b.md](<a b.md>)\n\n</div>\n\n"
        );
        assert_eq!(
            text("{% content-ref url=\"x/[y].md\" %}\n{% endcontent-ref %}\n"),
            "<div class=\"content-ref\">\n\n[x/\\[y\\].md](x/[y].md)\n\n</div>\n\n"
        );
    }

    #[test]
    fn unclosed_content_ref_is_a_problem() {
        let out = preprocess("{% content-ref url=\"a.md\" %}\n[a](a.md)\n", 1);
        assert_eq!(
            out.text,
            "<div class=\"content-ref\">\n\n[a](a.md)\n\n</div>\n\n"
        );
        assert_eq!(out.problems.len(), 1);
        assert!(out.problems[0].message.contains("`{% endcontent-ref %}`"));
    }

    #[test]
    fn content_ref_without_url_is_a_problem() {
        let out = preprocess("{% content-ref %}\n{% endcontent-ref %}\n", 1);
        assert_eq!(out.text, "<div class=\"content-ref\">\n\n\n</div>\n\n");
        assert_eq!(out.problems.len(), 1);
    }

    // --- tabs -----------------------------------------------------------------------

    const TABS: &str = "{% tabs %}\n{% tab title=\"One & <two>\" %}\n**a**\n{% endtab %}\n\n{% tab title=\"B\" %}\nb\n{% endtab %}\n{% endtabs %}\n";

    #[test]
    fn tabs_become_sections() {
        assert_eq!(
            text(TABS),
            "<div class=\"tabs\">\n\n\
             <section class=\"tab\">\n\n<p class=\"tab-title\">One &amp; &lt;two&gt;</p>\n\n**a**\n\n</section>\n\n\
             \n\
             <section class=\"tab\">\n\n<p class=\"tab-title\">B</p>\n\nb\n\n</section>\n\n\
             </div>\n\n"
        );
        assert!(messages(TABS).is_empty());
    }

    #[test]
    fn tab_lines_map_to_their_tags() {
        let entries = map(TABS);
        assert_eq!(entries[0], (1, 0));
        assert_eq!(entries[2..6], [(2, 0); 4]);
        assert_eq!(entries[6], (3, 0));
        assert_eq!(entries[7..10], [(4, 0); 3]);
        assert_eq!(entries[entries.len() - 2..], [(9, 0); 2]);
    }

    #[test]
    fn missing_endtab_is_reported_and_the_next_tab_starts() {
        let body = "{% tabs %}\n{% tab title=\"A\" %}\na\n{% tab title=\"B\" %}\nb\n{% endtab %}\n{% endtabs %}\n";
        let out = preprocess(body, 1);
        assert_eq!(out.text.matches("<section class=\"tab\">").count(), 2);
        assert_eq!(out.text.matches("</section>").count(), 2);
        assert_eq!(
            out.problems,
            vec![Problem {
                line: 2,
                column: 1,
                message: "`{% tab %}` is never closed; add `{% endtab %}`".into()
            }]
        );
    }

    #[test]
    fn endtabs_closes_an_open_tab_with_a_problem() {
        let body = "{% tabs %}\n{% tab title=\"A\" %}\na\n{% endtabs %}\nafter\n";
        let out = preprocess(body, 1);
        assert!(out.text.ends_with("a\n\n</section>\n\n</div>\n\nafter\n"));
        assert_eq!(out.problems.len(), 1);
    }

    #[test]
    fn unclosed_tabs_are_reported() {
        let out = preprocess("{% tabs %}\n{% tab title=\"A\" %}\na\n", 1);
        assert!(out.text.ends_with("</section>\n\n</div>\n\n"));
        let lines: Vec<u32> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![2, 1]);
    }

    #[test]
    fn text_between_tabs_is_a_problem() {
        let messages = messages("{% tabs %}\n stray\n{% endtabs %}\n");
        assert_eq!(
            messages,
            vec!["text inside `{% tabs %}` must be inside a `{% tab %}`"]
        );
    }

    #[test]
    fn tab_outside_tabs_and_without_title_are_problems() {
        let out = preprocess("{% tab %}\nx\n{% endtab %}\n", 1);
        assert!(out.text.contains("<p class=\"tab-title\"></p>"));
        assert_eq!(out.problems.len(), 2);
    }

    #[test]
    fn hints_inside_tabs_are_rewritten() {
        let body = "{% tabs %}\n{% tab title=\"A\" %}\n{% hint style=\"success\" %}\nx\n{% endhint %}\n{% endtab %}\n{% endtabs %}\n";
        assert!(text(body).contains("\n> [!TIP]\n> x\n\n"));
        assert!(messages(body).is_empty());
    }

    #[test]
    fn deep_nesting_is_cut_off() {
        let body = "{% tabs %}\n".repeat(40);
        let out = preprocess(&body, 1);
        assert_eq!(out.text.matches("{% tabs %}").count(), 40 - MAX_DEPTH);
        assert!(
            out.problems
                .iter()
                .any(|p| p.message.contains("nested too deeply"))
        );
    }

    // --- other tags -------------------------------------------------------------------

    #[test]
    fn code_tags_are_dropped() {
        let body =
            "{% code title=\"a.sh\" lineNumbers=\"true\" %}\n```sh\nls\n```\n{% endcode %}\n";
        let out = preprocess(body, 1);
        assert_eq!(out.text, "```sh\nls\n```\n");
        assert_eq!(out.lines.entries, vec![(2, 0), (3, 0), (4, 0)]);
        assert!(out.problems.is_empty());
    }

    #[test]
    fn unsupported_blocks_are_kept_and_reported_once() {
        let body = "{% swagger method=\"get\" %}\nx\n{% endswagger %}\n";
        let out = preprocess(body, 2);
        assert_eq!(out.text, body);
        assert_eq!(
            out.problems,
            vec![Problem {
                line: 2,
                column: 1,
                message: "unsupported GitBook block `{% swagger %}`; it is shown as text".into()
            }]
        );
    }

    #[test]
    fn file_tag_is_unsupported() {
        assert_eq!(
            messages("{% file src=\"a.pdf\" %}\n"),
            vec!["unsupported GitBook block `{% file %}`; it is shown as text"]
        );
    }

    #[test]
    fn stray_endembed_is_dropped() {
        assert_eq!(text("a\n\n{% endembed %}\n"), "a\n\n");
    }

    // --- tag syntax ---------------------------------------------------------------------

    #[test]
    fn tag_attributes_are_read_in_all_forms() {
        let tag = parse_tag("  {% x a=\"1 2\" b='3' c=4 d e = \"5\" %}");
        let attrs: Vec<(&str, &str, u32)> = tag
            .iter()
            .flat_map(|t| t.attrs.iter().map(|a| (a.key, a.value, a.column)))
            .collect();
        assert_eq!(
            attrs,
            vec![
                ("a", "1 2", 11),
                ("b", "3", 19),
                ("c", "4", 24),
                ("d", "", 28),
                ("e", "5", 33)
            ]
        );
    }

    #[test]
    fn unterminated_attribute_quote_reads_to_the_end() {
        let tag = parse_tag("{% embed url=\"https://a %}");
        assert_eq!(
            tag.and_then(|t| t.attr("url").map(|a| a.value)),
            Some("https://a ")
        );
    }

    // --- line map -----------------------------------------------------------------------

    #[test]
    fn source_position_subtracts_the_shift_and_clamps() {
        let map = LineMap {
            first_line: 3,
            entries: vec![(3, 0), (4, 2), (6, -3)],
        };
        assert_eq!(map.source_position(1, 4), (3, 4));
        assert_eq!(map.source_position(2, 5), (4, 3));
        assert_eq!(map.source_position(2, 1), (4, 1));
        assert_eq!(map.source_position(3, 1), (6, 4));
    }

    #[test]
    fn source_position_past_the_end_uses_the_last_line() {
        let map = preprocess("a\nb\n", 10).lines;
        assert_eq!(map.source_position(3, 1), (11, 1));
        assert_eq!(map.source_position(u32::MAX, 2), (11, 2));
        assert_eq!(map.source_position(0, 0), (10, 1));
    }

    // --- the seed and properties ------------------------------------------------------------

    /// The last 25 lines of the seed export (seeds/001, lines 11 to 35), with
    /// the three long paragraphs shortened.
    const SEED_TAIL: &str = "This is the sense, for example, in ‘Art of hosting’, and in other facilitative traditions.

For these reasons, we try to use ‘provisioning’ when we want to refer to our FLOSS ‘hosting’ practice.

Alongside that, we also host **media spaces** and **venue spaces**: text-chat forum threads, handbooks, assemblies.

> `Note: Derive protocols`


---

# Agent Instructions: Querying This Documentation

If you need additional information that is not directly available in this page, you can query the documentation dynamically by asking a question.

Perform an HTTP GET request on the current page URL with the `ask` query parameter:

```
GET https://meet-coop-1.gitbook.io/handbook-trial/2-political-economy/commons-political-economy/provisioning-and-hosting.md?ask=<question>
```

The question should be specific, self-contained, and written in natural language.
The response will contain a direct answer to the question and relevant excerpts and sources from the documentation.

Use this mechanism when the answer is not explicitly present in the current page, you need clarification or additional context, or you want to retrieve related documentation sections.
";

    #[test]
    fn seed_loses_its_footer_but_keeps_the_note() {
        assert_eq!(SEED_TAIL.lines().count(), 25);
        let out = preprocess(SEED_TAIL, 11);
        assert!(
            out.text
                .ends_with("assemblies.\n\n> `Note: Derive protocols`\n")
        );
        assert!(!out.text.contains("Agent Instructions"));
        assert!(!out.text.contains("GET https://"));
        let expected: Vec<(u32, i32)> = (11..=17).map(|line| (line, 0)).collect();
        assert_eq!(out.lines.entries, expected);
        assert_eq!(out.lines.source_position(7, 3), (17, 3));
        assert!(out.problems.is_empty());
    }

    /// A small linear congruential generator, so the fuzz test is repeatable.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }

        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next()).unwrap_or(0) % n
        }
    }

    const PIECES: [&str; 24] = [
        "{% hint style=\"info\" %}\n",
        "{% endhint %}\n",
        "{% tabs %}\n",
        "{% tab title=\"t\" %}\n",
        "{% endtab %}\n",
        "{% endtabs %}\n",
        "{% content-ref url=\"a.md\" %}\n",
        "{% endcontent-ref %}\n",
        "{% embed url=\"https://x\" %}\n",
        "{% endembed %}\n",
        "{% code %}\n",
        "{% swagger %}\n",
        "```\n",
        "~~~~\n",
        "---\n",
        "# Agent Instructions\n",
        "> llms.txt\n",
        "> quoted\n",
        "&#x20;\n",
        "\n",
        "\r\n",
        "text ",
        "{% x a=\"",
        "é %}",
    ];

    fn check_invariants(body: &str) {
        let out = preprocess(body, 1);
        let source_lines = u32::try_from(body.split('\n').count()).unwrap_or(u32::MAX);
        let output_lines = out.text.split('\n').count();
        assert!(out.lines.entries.len() <= output_lines, "{body:?}");
        assert!(out.lines.entries.len() + 1 >= output_lines, "{body:?}");
        for &(line, _) in &out.lines.entries {
            assert!((1..=source_lines).contains(&line), "{body:?}");
        }
        for problem in &out.problems {
            assert!((1..=source_lines).contains(&problem.line), "{body:?}");
            assert!(problem.column >= 1, "{body:?}");
        }
    }

    #[test]
    fn never_panics_on_random_bytes() {
        let mut rng = Lcg(0x5eed);
        for _ in 0..2000 {
            let len = rng.below(200);
            let bytes: Vec<u8> = (0..len)
                .map(|_| match rng.below(4) {
                    0 => b"{%}\n>`~-#& "[rng.below(11)],
                    _ => u8::try_from(rng.below(256)).unwrap_or(0),
                })
                .collect();
            check_invariants(&String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn never_panics_on_random_gitbook_pieces() {
        let mut rng = Lcg(42);
        for _ in 0..3000 {
            let body: String = (0..rng.below(30))
                .map(|_| PIECES[rng.below(PIECES.len())])
                .collect();
            check_invariants(&body);
        }
    }

    #[test]
    fn bodies_without_gitbook_syntax_are_identity_mapped() {
        let mut rng = Lcg(7);
        let plain = [
            "# h\n",
            "text\n",
            "\n",
            "> q\n",
            "- i\n",
            "```\n",
            "    code\n",
            "a &#x20; b\n",
        ];
        for _ in 0..500 {
            let body: String = (0..rng.below(20))
                .map(|_| plain[rng.below(plain.len())])
                .collect();
            let out = preprocess(&body, 4);
            assert_eq!(out.text, body);
            let expected: Vec<(u32, i32)> = (0..body.lines().count())
                .map(|n| (4 + u32::try_from(n).unwrap_or(0), 0))
                .collect();
            assert_eq!(out.lines.entries, expected, "{body:?}");
        }
    }
}
