//! Headings as the walk meets them: each heading's text and id (the
//! author's `{#id}`, warned when taken twice, else a unique slug), the
//! page's leading H1 lifted out as its title, and each section's bold terms
//! and first paragraph gathered as their events arrive (`SectionText`).

use super::*;

impl Walker<'_, '_> {
    pub(super) fn on_heading(&mut self, start: usize) -> usize {
        let end = self.end_of(start);
        let Event::Start(Tag::Heading {
            level, id, classes, ..
        }) = &self.events[start].0
        else {
            return start + 1;
        };
        let (level, explicit, classes) = (*level as u8, id.clone(), classes.clone());
        let title = self
            .plain_text(start + 1, end)
            .replace('\n', " ")
            .trim()
            .to_string();
        let (line, column) = self.position(self.events[start].1.start);
        let id = self.heading_id(explicit.as_deref(), &title, line, column);
        let heading = Heading {
            level,
            id: id.clone(),
            title: title.clone(),
            line,
        };
        if level == 1 && self.walked.h1.is_none() {
            self.walked.h1 = Some(title.clone());
            if start == 0 && self.input.front_title.is_none_or(|t| t == title) {
                return self.lift_title(start, end, heading);
            }
        }
        if level >= 2 {
            self.section = Some(Section {
                title,
                anchor: id.clone(),
            });
            self.walked.sections.push(SectionText {
                anchor: Some(id.clone()),
                ..SectionText::default()
            });
        }
        let class = if classes.is_empty() {
            String::new()
        } else {
            format!(" class=\"{}\"", escape(&classes.join(" ")))
        };
        self.out
            .push(html(format!("<h{level} id=\"{}\"{class}>", escape(&id))));
        self.run(start + 1, end);
        let anchor = if level == 1 {
            String::new()
        } else {
            format!(
                "<a class=\"heading-anchor\" href=\"#{0}\" aria-label=\"Link to this section\">#</a>",
                escape(&id)
            )
        };
        self.out.push(html(format!("{anchor}</h{level}>\n")));
        self.walked.headings.push(heading);
        end + 1
    }

    /// The page's leading H1 is its title: the theme shows it, with the page
    /// status beneath. Its links and markers are still checked; its markup is
    /// not kept.
    fn lift_title(&mut self, start: usize, end: usize, heading: Heading) -> usize {
        let kept = std::mem::replace(&mut self.out, Sink::Discard);
        self.run(start + 1, end);
        self.out = kept;
        self.walked.title_id = Some(heading.id.clone());
        self.walked.headings.push(heading);
        end + 1
    }

    /// The author's `{#id}` (warned when taken twice), else a unique slug.
    fn heading_id(
        &mut self,
        explicit: Option<&str>,
        title: &str,
        line: u32,
        column: u32,
    ) -> String {
        let Some(id) = explicit else {
            return self.slugger.slug(title);
        };
        if !self.slugger.reserve(id) {
            let message = format!("heading id `{id}` is used twice on this page");
            let d = Diagnostic::warning(self.input.file, line, column, message)
                .with_help("links to it land on the first; give each heading its own id");
            self.walked.problems.push(d);
        }
        id.to_string()
    }

    /// Bold phrases are the section's key terms; its first paragraph its
    /// excerpt: their text is gathered as their events arrive.
    pub(super) fn record_section_text(&mut self, start: usize) {
        self.take_gathered();
        let section = self.walked.sections.len().saturating_sub(1);
        let Some(text) = self.walked.sections.get(section) else {
            return;
        };
        let purpose = match self.events[start].0 {
            Event::Start(Tag::Strong) => Purpose::Term(section),
            // Only a section's first paragraph is its excerpt: no text for the others.
            Event::Start(Tag::Paragraph)
                if text.excerpt.is_none() && !self.events.gathering_excerpt(section) =>
            {
                Purpose::Excerpt(section)
            }
            _ => return,
        };
        if !self.in_note {
            self.events.gather(start, purpose);
        }
    }

    /// Puts the text gathered to its end where it belongs.
    pub(super) fn take_gathered(&mut self) {
        for gathered in self.events.gathered() {
            let text = gathered.text.replace('\n', " ");
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            match gathered.purpose {
                Purpose::Term(n) => {
                    let terms = &mut self.walked.sections[n].terms;
                    if !terms.iter().any(|t| t == text) {
                        terms.push(text.to_string());
                    }
                }
                Purpose::Excerpt(n) => self.walked.sections[n].excerpt = Some(text.to_string()),
            }
        }
    }
}
