//! A page's body HTML → its sections as plain text, split at headings that
//! carry an id (what a result can link to).
//!
//! The body is the parse stage's own HTML plus whatever raw HTML the editor
//! wrote, so this reads tags loosely: every tag separates words, `script`,
//! `style` and `template` contents are skipped, entities are decoded, and
//! whitespace collapses. A heading without an id does not start a section:
//! its text stays with the section it is in.

/// One section's heading and text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RawSection {
    /// The heading's id; `None` for the text before the first heading.
    pub(crate) anchor: Option<String>,
    /// The heading's text (empty for the text before the first heading).
    pub(crate) heading: String,
    /// The text under the heading.
    pub(crate) text: String,
}

/// The sections of `html`, in order, each given to `emit` once it is
/// complete; the first holds the text before any heading with an id, and
/// is there even when empty.
pub(crate) fn each_section(html: &str, mut emit: impl FnMut(RawSection)) {
    let mut current = RawSection::default();
    let mut in_heading: Option<u8> = None;
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_text(&mut current, in_heading.is_some(), &rest[..lt]);
        if let Some(after) = after_span(&rest[lt + 1..]) {
            rest = after;
            continue;
        }
        if let Some(after) = after_comment(&rest[lt..]) {
            rest = after;
            continue;
        }
        let Some(gt) = rest[lt..].find('>') else {
            rest = &rest[lt..];
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        let name = Name::of(tag);
        if let Some(skipped) = name.skipped(tag) {
            rest = after_closing(rest, skipped);
            continue;
        }
        match (name.heading_level(), name.closing) {
            (Some(level), false) if in_heading.is_none() => {
                if let Some(id) = attribute(tag, "id") {
                    let next = RawSection {
                        anchor: Some(id),
                        ..RawSection::default()
                    };
                    emit(finished(std::mem::replace(&mut current, next)));
                    in_heading = Some(level);
                }
            }
            (Some(level), true) if in_heading == Some(level) => in_heading = None,
            _ => {}
        }
        if !name.is_inline() {
            separate(&mut current, in_heading.is_some());
        }
    }
    push_text(&mut current, in_heading.is_some(), rest);
    emit(finished(current));
}

/// A section with the whitespace at its ends dropped.
fn finished(mut section: RawSection) -> RawSection {
    trim_end(&mut section.heading);
    trim_end(&mut section.text);
    section
}

/// Appends decoded text to the current section's heading or text,
/// collapsing whitespace and dropping soft hyphens (they sit inside words).
fn push_text(section: &mut RawSection, heading: bool, raw: &str) {
    if raw.is_empty() {
        return;
    }
    let target = if heading {
        &mut section.heading
    } else {
        &mut section.text
    };
    // One scan finds whether there is anything to decode or drop (0xAD is
    // the soft hyphen's last byte); most text has neither.
    if memchr::memchr2(b'&', 0xAD, raw.as_bytes()).is_none() {
        collapse_into(target, raw);
        return;
    }
    let decoded = html_escape::decode_html_entities(raw);
    collapse_into(target, &decoded.replace('\u{AD}', ""));
}

/// Appends `text` with each run of ASCII whitespace as one space (none at
/// the start of `target`), copying the stretches between changes whole.
/// Byte-wise: slicing at ASCII bytes is always at a character boundary.
fn collapse_into(target: &mut String, text: &str) {
    let mut at = 0;
    let mut after_space = target.is_empty() || target.ends_with(' ');
    for (i, byte) in text.bytes().enumerate() {
        if !byte.is_ascii_whitespace() {
            after_space = false;
            continue;
        }
        if after_space || byte != b' ' {
            target.push_str(&text[at..i]);
            if !after_space {
                target.push(' ');
            }
            at = i + 1;
        }
        after_space = true;
    }
    target.push_str(&text[at..]);
}

/// What follows a `span` tag (highlighted code is mostly spans, and they
/// are inline): the common case, read without looking at the name twice.
fn after_span(tag: &str) -> Option<&str> {
    let name = tag.strip_prefix('/').unwrap_or(tag);
    let rest = name.strip_prefix("span")?;
    if !rest.starts_with([' ', '>']) {
        return None;
    }
    rest.find('>').map(|gt| &rest[gt + 1..])
}

/// What follows a comment, `<!…>` declaration or `<?…>` instruction that
/// `markup` starts with; none of their text is content.
fn after_comment(markup: &str) -> Option<&str> {
    if let Some(comment) = markup.strip_prefix("<!--") {
        return Some(comment.find("-->").map_or("", |end| &comment[end + 3..]));
    }
    if markup.starts_with("<!") || markup.starts_with("<?") {
        return Some(markup.find('>').map_or("", |end| &markup[end + 1..]));
    }
    None
}

/// Ends the current word: a tag that is not inline stands between words.
fn separate(section: &mut RawSection, heading: bool) {
    let target = if heading {
        &mut section.heading
    } else {
        &mut section.text
    };
    if !target.is_empty() && !target.ends_with(' ') {
        target.push(' ');
    }
}

fn trim_end(text: &mut String) {
    let len = text.trim_end().len();
    text.truncate(len);
}

/// A tag's name, lowercased, read once; names longer than 8 bytes are
/// none that matter here.
struct Name {
    closing: bool,
    bytes: [u8; 8],
    len: usize,
}

impl Name {
    fn of(tag: &str) -> Self {
        let closing = tag.starts_with('/');
        let name = tag.trim_start_matches('/');
        let end = name
            .bytes()
            .position(|b| b.is_ascii_whitespace() || b == b'/')
            .unwrap_or(name.len());
        let mut bytes = [0u8; 8];
        let len = if end > bytes.len() { 0 } else { end };
        for (to, from) in bytes.iter_mut().zip(name.bytes().take(len)) {
            *to = from.to_ascii_lowercase();
        }
        Self {
            closing,
            bytes,
            len,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// `h1`–`h6`: the level.
    fn heading_level(&self) -> Option<u8> {
        match self.as_bytes() {
            [b'h', level @ b'1'..=b'6'] => Some(level - b'0'),
            _ => None,
        }
    }

    /// `script`, `style` or `template` when `tag` opens one: its contents
    /// are not text.
    fn skipped(&self, tag: &str) -> Option<&'static str> {
        if self.closing || tag.ends_with('/') {
            return None;
        }
        ["script", "style", "template"]
            .into_iter()
            .find(|skip| self.as_bytes() == skip.as_bytes())
    }

    /// Tags inside a line of text, which do not separate words. `sup` and
    /// `sub` do: a footnote reference must not join the word before it.
    fn is_inline(&self) -> bool {
        matches!(
            self.as_bytes(),
            b"a" | b"abbr"
                | b"b"
                | b"bdi"
                | b"bdo"
                | b"cite"
                | b"code"
                | b"data"
                | b"del"
                | b"dfn"
                | b"em"
                | b"i"
                | b"ins"
                | b"kbd"
                | b"mark"
                | b"q"
                | b"s"
                | b"samp"
                | b"small"
                | b"span"
                | b"strong"
                | b"time"
                | b"u"
                | b"var"
                | b"wbr"
        )
    }
}

/// The value of a double- or single-quoted attribute, decoded.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + name.len()..].trim_start();
        rest = &rest[at + name.len()..];
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let Some(value) = after.strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let inner = &value[1..];
        let end = inner.find(quote)?;
        let id = html_escape::decode_html_entities(&inner[..end]).into_owned();
        return (!id.is_empty()).then_some(id);
    }
    None
}

/// What follows the closing tag of `name` (or nothing, when it is unclosed).
fn after_closing<'a>(rest: &'a str, name: &str) -> &'a str {
    let closing = format!("</{name}");
    match find_ignoring_case(rest, &closing) {
        Some(at) => rest[at..].find('>').map_or("", |gt| &rest[at + gt + 1..]),
        None => "",
    }
}

/// Where `needle` (ASCII) first occurs in `text`, ASCII case ignored;
/// without a lowercased copy of the rest of the page for every skipped
/// element.
fn find_ignoring_case(text: &str, needle: &str) -> Option<usize> {
    let (text, needle) = (text.as_bytes(), needle.as_bytes());
    let first = *needle.first()?;
    memchr::memchr2_iter(first.to_ascii_lowercase(), first.to_ascii_uppercase(), text).find(|&at| {
        text.get(at..at + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sections(html: &str) -> Vec<RawSection> {
        let mut all = Vec::new();
        each_section(html, |s| all.push(s));
        all
    }

    #[test]
    fn case_is_ignored_in_finding_a_closing_tag() {
        assert_eq!(find_ignoring_case("ab</SCRIPT>", "</script"), Some(2));
        assert_eq!(find_ignoring_case("</scrip", "</script"), None);
        assert_eq!(find_ignoring_case("é</Style>", "</style"), Some(2));
    }

    fn section(anchor: Option<&str>, heading: &str, text: &str) -> RawSection {
        RawSection {
            anchor: anchor.map(str::to_string),
            heading: heading.into(),
            text: text.into(),
        }
    }

    #[test]
    fn headings_with_ids_start_sections() {
        let html = "<p>Intro <em>text</em>.</p>\n<h2 id=\"votes\">Votes<a class=\"heading-anchor\" href=\"#votes\">#</a></h2>\n<p>One member,<br>one vote.</p><h3>No id</h3><p>More</p>";
        assert_eq!(
            sections(html),
            [
                section(None, "", "Intro text."),
                section(Some("votes"), "Votes#", "One member, one vote. No id More"),
            ]
        );
    }

    #[test]
    fn entities_are_decoded_and_scripts_skipped() {
        let html = "<p>Fish &amp; chips&#x20;&lt;b&gt; caf&eacute;</p><script>var x = '<h2 id=\"no\">';</script><style>p{}</style><p>end</p>";
        assert_eq!(
            sections(html),
            [section(None, "", "Fish & chips <b> café end")]
        );
    }

    #[test]
    fn broken_markup_loses_no_text_and_never_panics() {
        assert_eq!(sections("a < b"), [section(None, "", "a < b")]);
        assert_eq!(
            sections("<h2 id='x'>Open"),
            [section(None, "", ""), section(Some("x"), "Open", "")]
        );
        assert_eq!(sections("<script>never closed"), [section(None, "", "")]);
        assert_eq!(
            sections("<h2 id=\"\">Empty id</h2>"),
            [section(None, "", "Empty id")]
        );
        assert_eq!(
            sections("<header id=\"h\">x</header>"),
            [section(None, "", "x")]
        );
    }

    #[test]
    fn comments_are_not_text_and_footnote_marks_stand_apart() {
        let html = "<p>Kept<!-- <p>secret salaries</p> --> text<!DOCTYPE x><?pi?> too</p><p>assembly<sup class=\"footnote-reference\"><a href=\"#1\">1</a></sup> co\u{AD}op<wbr>erative <u>Ver</u>sion</p><!-- open";
        assert_eq!(
            sections(html),
            [section(
                None,
                "",
                "Kept text too assembly 1 cooperative Version"
            )]
        );
    }

    #[test]
    fn spans_join_and_other_tags_separate() {
        let html = "<pre><code><span class=\"k\">let</span> x<span>=</span><span>1</span>;\n</code></pre><p>a<spam>b</spam></p>";
        assert_eq!(sections(html), [section(None, "", "let x=1; a b")]);
    }

    #[test]
    fn an_id_is_read_only_as_a_whole_attribute() {
        assert_eq!(
            attribute("h2 data-id=\"a\" id=\"b\"", "id"),
            Some("b".into())
        );
        assert_eq!(attribute("h2 class=\"x\"", "id"), None);
        assert_eq!(attribute("h2 id=\"a&amp;b\"", "id"), Some("a&b".into()));
    }
}
