//! The walker's handling of what points elsewhere: links and images (their
//! destinations become numbered slots the render stage fills with resolved
//! URLs), `src`/`href` values in raw HTML, and footnotes (numbered by first
//! mention, with `fn-`/`fnref-` ids that cannot collide with headings).

use super::{Walker, html};
use crate::html::escape;
use crate::parse::Link;
use crate::parse::link::{LinkTarget, parse_target, recognise_space};
use pulldown_cmark::{Event, LinkType, Tag};

impl Walker<'_, '_> {
    pub(super) fn on_link(&mut self, start: usize) -> usize {
        let end = self.end_of(start);
        let (event, range) = self.events[start].clone();
        let Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            ..
        }) = event
        else {
            return start + 1;
        };
        let title_attr = attr("title", &title);
        let raw = if link_type == LinkType::Email {
            format!("mailto:{dest_url}")
        } else {
            dest_url.to_string()
        };
        let target = self.target(&raw);
        if matches!(target, LinkTarget::Hosted { .. }) {
            // The links stage writes the opening tag: a plain `<a>` when
            // the file is missing and has nowhere to be read.
            let n = self.push_link(raw, target, range.start);
            self.out.push(html(format!("\0e{n}\0")));
            self.run_link_text(start + 1, end);
        } else if target == LinkTarget::External {
            let rel = if raw.starts_with("http") {
                " rel=\"noopener\""
            } else {
                ""
            };
            self.out.push(html(format!(
                "<a href=\"{}\"{title_attr}{rel}>",
                escape(&raw)
            )));
            self.run_link_text(start + 1, end);
        } else {
            let n = self.push_link(raw.clone(), target, range.start);
            self.walked.links[n].has_title = !title.is_empty();
            // `\0aN\0` takes the attributes a resolved link adds (a space's class).
            self.out
                .push(html(format!("<a href=\"\0{n}\0\"\0a{n}\0{title_attr}>")));
            // GitBook's content-ref and bare `<page.md>` links show the file
            // name; the target page's title reads better.
            let text = self.plain_text(start + 1, end);
            let file_name = raw
                .split(['#', '?'])
                .next()
                .unwrap_or("")
                .rsplit('/')
                .next()
                .unwrap_or("");
            if end == start + 2 && (text == raw || text == file_name) {
                self.walked.links[n].auto_title = true;
                self.out.push(html(format!("\0t{n}\0")));
            } else {
                self.run_link_text(start + 1, end);
            }
        }
        self.out.push(html("</a>".into()));
        end + 1
    }

    /// A link's text, where a hosted image's placeholder must not be a link.
    fn run_link_text(&mut self, from: usize, to: usize) {
        self.in_link += 1;
        self.run(from, to);
        self.in_link -= 1;
    }

    pub(super) fn on_image(&mut self, start: usize) -> usize {
        let end = self.end_of(start);
        let (event, range) = self.events[start].clone();
        let Event::Start(Tag::Image {
            dest_url, title, ..
        }) = event
        else {
            return start + 1;
        };
        let alt = self.plain_text(start + 1, end);
        let target = self.target(&dest_url);
        if matches!(target, LinkTarget::Hosted { .. }) {
            let n = self.push_link(dest_url.to_string(), target, range.start);
            self.walked.links[n].alt = Some(alt);
            self.walked.links[n].in_link = self.in_link > 0;
            self.out.push(html(format!("\0e{n}\0")));
            return end + 1;
        }
        let alt = escape(&alt);
        let title_attr = attr("title", &title);
        let src = if target == LinkTarget::External {
            escape(&dest_url)
        } else {
            format!(
                "\0{}\0",
                self.push_link(dest_url.to_string(), target, range.start)
            )
        };
        self.out.push(html(format!(
            "<img src=\"{src}\" alt=\"{alt}\"{title_attr} loading=\"lazy\">"
        )));
        end + 1
    }

    /// A footnote's number, given at its first mention, and its id part.
    fn footnote(&mut self, label: &str) -> (usize, String, bool) {
        let next = self.footnotes.len() + 1;
        let first = !self.footnotes.contains_key(label);
        let n = *self.footnotes.entry(label.to_string()).or_insert(next);
        (n, escape(&crate::parse::notes::slugify(label)), first)
    }

    /// Footnote ids are prefixed (`fn-`, `fnref-`) so they never collide with
    /// a heading's id, and the note links back to where it is cited.
    pub(super) fn on_footnote_reference(&mut self, label: &str) {
        let (n, id, first) = self.footnote(label);
        let back = if first {
            format!(" id=\"fnref-{id}\"")
        } else {
            String::new()
        };
        self.out.push(html(format!(
            "<sup class=\"footnote-reference\"{back}><a href=\"#fn-{id}\">{n}</a></sup>"
        )));
    }

    /// A footnote's text is walked to its end as it comes.
    pub(super) fn on_footnote_definition(&mut self, start: usize) -> usize {
        let Event::Start(Tag::FootnoteDefinition(label)) = self.events[start].0.clone() else {
            return start + 1;
        };
        let (n, id, _) = self.footnote(&label);
        self.out.push(html(format!(
            "<div class=\"footnote-definition\" id=\"fn-{id}\"><sup class=\"footnote-definition-label\">{n}</sup>\n"
        )));
        let end = self.run_to_close(start + 1);
        self.out.push(html(format!(
            "<a class=\"footnote-backref\" href=\"#fnref-{id}\" aria-label=\"Back to the text\">↩</a></div>\n"
        )));
        end + 1
    }

    /// Raw HTML's `src` and `href` values (GitBook exports images as
    /// `<figure><img src=…>`) are links like any other: checked, and given
    /// a slot for their resolved URL. External ones are left as written.
    pub(super) fn on_raw_html(&mut self, text: &str, offset: usize) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some((before, quote, value, after)) = next_url_attribute(rest) {
            out.push_str(before);
            let raw = value.replace("&amp;", "&");
            let target = self.target(&raw);
            if target == LinkTarget::External {
                out.push_str(value);
            } else {
                let at = offset + (value.as_ptr() as usize - text.as_ptr() as usize);
                let n = self.push_link(raw, target, at);
                out.push_str(&format!("\0{n}\0"));
            }
            out.push(quote);
            rest = after;
        }
        out.push_str(rest);
        out
    }

    fn push_link(&mut self, raw: String, target: LinkTarget, offset: usize) -> usize {
        let (line, column) = self.position(offset);
        self.walked.links.push(Link {
            raw,
            target,
            line,
            column,
            auto_title: false,
            has_title: false,
            alt: None,
            in_link: false,
        });
        self.walked.links.len() - 1
    }

    /// A destination as a target: a declared space's URL first, then the rest.
    fn target(&self, raw: &str) -> LinkTarget {
        recognise_space(raw, self.input.spaces)
            .unwrap_or_else(|| parse_target(raw, self.input.page_path, self.input.legacy))
    }
}

/// Splits `text` at its next ` src=` or ` href=` attribute value: what comes
/// before the value (up to and including the opening quote), the quote, the
/// value, and what follows the closing quote.
fn next_url_attribute(text: &str) -> Option<(&str, char, &str, &str)> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    loop {
        let found = ["src=", "href="]
            .iter()
            .filter_map(|name| lower[from..].find(name).map(|i| (from + i, name.len())))
            .min()?;
        let (at, len) = found;
        let preceded = at > 0 && text[..at].ends_with(|c: char| c.is_ascii_whitespace());
        let quote = text[at + len..]
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'');
        if let (true, Some(quote)) = (preceded, quote) {
            let start = at + len + 1;
            let end = start + text[start..].find(quote)?;
            return Some((&text[..start], quote, &text[start..end], &text[end + 1..]));
        }
        from = at + len;
    }
}

fn attr(name: &str, value: &str) -> String {
    if value.is_empty() {
        String::new()
    } else {
        format!(" {name}=\"{}\"", escape(value))
    }
}
