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

/// The sections of `html`, in order; the first holds the text before any
/// heading with an id, and is there even when empty.
pub(crate) fn sections(html: &str) -> Vec<RawSection> {
    let mut out = vec![RawSection::default()];
    let mut in_heading: Option<u8> = None;
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_text(&mut out, in_heading.is_some(), &rest[..lt]);
        let Some(gt) = rest[lt..].find('>') else {
            rest = &rest[lt..];
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        if let Some(name) = skipped_element(tag) {
            rest = after_closing(rest, name);
            continue;
        }
        match heading_tag(tag) {
            Some((level, Some(id))) if in_heading.is_none() => {
                out.push(RawSection {
                    anchor: Some(id),
                    ..RawSection::default()
                });
                in_heading = Some(level);
            }
            Some((level, None)) if tag.starts_with('/') && in_heading == Some(level) => {
                in_heading = None;
            }
            _ => {}
        }
        if !is_inline(tag) {
            push_text(&mut out, in_heading.is_some(), " ");
        }
    }
    push_text(&mut out, in_heading.is_some(), rest);
    for section in &mut out {
        trim_end(&mut section.heading);
        trim_end(&mut section.text);
    }
    out
}

/// Appends decoded text to the current section's heading or text,
/// collapsing whitespace.
fn push_text(out: &mut [RawSection], heading: bool, raw: &str) {
    if raw.is_empty() {
        return;
    }
    let Some(section) = out.last_mut() else {
        return;
    };
    let target = if heading {
        &mut section.heading
    } else {
        &mut section.text
    };
    if raw.contains('&') {
        collapse_into(target, &html_escape::decode_html_entities(raw));
    } else {
        collapse_into(target, raw);
    }
}

/// Appends `text` with each run of ASCII whitespace as one space (none at
/// the start of `target`). Byte-wise: slicing at ASCII bytes is always at a
/// character boundary.
fn collapse_into(target: &mut String, text: &str) {
    let mut at = 0;
    for (i, byte) in text.bytes().enumerate() {
        if byte.is_ascii_whitespace() {
            target.push_str(&text[at..i]);
            if !target.is_empty() && !target.ends_with(' ') {
                target.push(' ');
            }
            at = i + 1;
        }
    }
    target.push_str(&text[at..]);
}

fn trim_end(text: &mut String) {
    let len = text.trim_end().len();
    text.truncate(len);
}

/// Tags inside a line of text, which do not separate words.
fn is_inline(tag: &str) -> bool {
    let name = tag.trim_start_matches('/');
    let end = name
        .find(|c: char| c.is_ascii_whitespace() || c == '/')
        .unwrap_or(name.len());
    let name = &name[..end];
    if name.len() > 6 {
        return false;
    }
    let mut lower = [0u8; 6];
    for (to, from) in lower.iter_mut().zip(name.bytes()) {
        *to = from.to_ascii_lowercase();
    }
    matches!(
        &lower[..name.len()],
        b"a" | b"abbr"
            | b"b"
            | b"bdi"
            | b"code"
            | b"del"
            | b"em"
            | b"i"
            | b"ins"
            | b"kbd"
            | b"mark"
            | b"q"
            | b"s"
            | b"small"
            | b"span"
            | b"strong"
            | b"sub"
            | b"sup"
    )
}

/// `h1`–`h6` opening (with its id, if any) or closing tag.
fn heading_tag(tag: &str) -> Option<(u8, Option<String>)> {
    let closing = tag.starts_with('/');
    let name = tag.trim_start_matches('/');
    let bytes = name.as_bytes();
    if bytes.len() < 2
        || !bytes[0].eq_ignore_ascii_case(&b'h')
        || !(b'1'..=b'6').contains(&bytes[1])
    {
        return None;
    }
    if bytes
        .get(2)
        .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'/')
    {
        return None;
    }
    let level = bytes[1] - b'0';
    let id = if closing { None } else { attribute(name, "id") };
    Some((level, id))
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

/// `script`, `style` or `template` when `tag` opens one: its contents are not text.
fn skipped_element(tag: &str) -> Option<&'static str> {
    if !tag.starts_with(['s', 't', 'S', 'T']) {
        return None;
    }
    let name = tag.split(|c: char| c.is_whitespace() || c == '/').next()?;
    ["script", "style", "template"]
        .into_iter()
        .find(|skip| name.eq_ignore_ascii_case(skip) && !tag.ends_with('/'))
}

/// What follows the closing tag of `name` (or nothing, when it is unclosed).
fn after_closing<'a>(rest: &'a str, name: &str) -> &'a str {
    let closing = format!("</{name}");
    let lower = rest.to_ascii_lowercase();
    match lower.find(&closing) {
        Some(at) => rest[at..].find('>').map_or("", |gt| &rest[at + gt + 1..]),
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn an_id_is_read_only_as_a_whole_attribute() {
        assert_eq!(
            attribute("h2 data-id=\"a\" id=\"b\"", "id"),
            Some("b".into())
        );
        assert_eq!(attribute("h2 class=\"x\"", "id"), None);
        assert_eq!(attribute("h2 id=\"a&amp;b\"", "id"), Some("a&b".into()));
    }
}
