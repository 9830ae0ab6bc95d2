//! Recognising the "Derive protocols" tag and naming heading anchors.
//!
//! A protocol note is a blockquote whose first line is `Note: Derive protocols`:
//! in backticks or plain, any case, `protocol` or `protocols`, with an optional
//! trailing colon or dash. [`is_note_tag`] decides that for one line of plain
//! text; [`Slugger`] gives every heading a unique, stable id on one page.

pub use crate::model::slug::slugify;

/// Whether `line` (plain text, backticks kept or stripped) is the note tag.
pub fn is_note_tag(line: &str) -> bool {
    let text = line.trim().trim_matches('`').trim().to_lowercase();
    let Some(rest) = text.strip_prefix("note") else {
        return false;
    };
    let Some(rest) = rest.trim_start().strip_prefix(':') else {
        return false;
    };
    let mut words = rest.split_whitespace();
    if words.next() != Some("derive") {
        return false;
    }
    let tail: String = words.collect::<Vec<_>>().join(" ");
    let tail = tail.trim_end_matches([':', '-', '–', '—', '`', ' ']);
    matches!(tail, "protocol" | "protocols")
}

/// No line that is the note tag has more letters and digits than this:
/// they all belong to `note`, `derive` and `protocols` (lowercasing never
/// joins two characters into one), so a line with more is ruled out without
/// reading the rest of it.
pub const NOTE_TAG_MAX_ALPHANUMERIC: usize = 19;

/// Gives headings GitHub-style ids, unique within one page.
#[derive(Debug, Default)]
pub struct Slugger {
    used: foldhash::HashSet<String>,
    /// The next suffix to try per base slug: a page of 20,000 `## Notes`
    /// headings stays linear.
    next: foldhash::HashMap<String, usize>,
}

impl Slugger {
    /// Reserves an id the author chose (`{#custom}`); false when already taken.
    pub fn reserve(&mut self, id: &str) -> bool {
        self.used.insert(id.to_string())
    }

    /// The id for a heading's text: `Quorum and voting` → `quorum-and-voting`,
    /// a repeat → `quorum-and-voting-1`.
    pub fn slug(&mut self, text: &str) -> String {
        let base = slugify(text);
        if !self.used.contains(&base) {
            self.used.insert(base.clone());
            return base;
        }
        if !self.next.contains_key(&base) {
            self.next.insert(base.clone(), 1);
        }
        let n = self
            .next
            .get_mut(&base)
            .expect("inserted above when missing");
        loop {
            let id = format!("{base}-{n}");
            *n += 1;
            if !self.used.contains(&id) {
                self.used.insert(id.clone());
                return id;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_in_its_forms() {
        for yes in [
            "`Note: Derive protocols`",
            "Note: derive protocols:",
            "NOTE: DERIVE PROTOCOL",
            "note : derive protocols —",
            "Note: Derive protocols -",
        ] {
            assert!(is_note_tag(yes), "{yes}");
        }
        for no in [
            "Note: derive the protocols",
            "Note: protocols",
            "A note: derive protocols",
            "Note: derive",
        ] {
            assert!(!is_note_tag(no), "{no}");
        }
    }

    #[test]
    fn a_tag_line_has_at_most_the_letters_of_its_words() {
        let longest = "`Note: Derive protocols:` —";
        assert!(is_note_tag(longest));
        let letters = longest.chars().filter(|c| c.is_alphanumeric()).count();
        assert_eq!(letters, NOTE_TAG_MAX_ALPHANUMERIC);
        assert!(!is_note_tag("Note: Derive protocolss"));
    }

    #[test]
    fn many_equal_headings_stay_linear_and_unique() {
        let mut s = Slugger::default();
        let ids: std::collections::HashSet<String> = (0..20_000).map(|_| s.slug("Notes")).collect();
        assert_eq!(ids.len(), 20_000);
        assert!(ids.contains("notes-19999"));
    }

    #[test]
    fn slugs_are_github_style_and_unique() {
        let mut s = Slugger::default();
        assert_eq!(s.slug("Quorum and voting"), "quorum-and-voting");
        assert_eq!(s.slug("Quorum and voting"), "quorum-and-voting-1");
        assert_eq!(s.slug("Formación – el baile"), "formación--el-baile");
        assert_eq!(s.slug("?!"), "section");
        assert!(s.reserve("custom"));
        assert!(!s.reserve("custom"));
        assert_eq!(s.slug("custom"), "custom-1");
    }
}
