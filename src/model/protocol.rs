//! What a protocol is: its status and kind vocabularies, its stable id, and
//! the record written to `protocols/` and `protocols.json`.
//!
//! Ids never depend on a line number or an item's position: an explicit `id`
//! wins, else the id is the page's path (without `.md`; a README is its
//! folder) joined to a slug of the protocol's title, or of the first words of
//! an untitled statement. Editing the text around a protocol keeps its id.

use super::slug::slugify;
use serde::Serialize;

/// Where a protocol stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// A section whose protocols are still to be derived (a bare note).
    ToDerive,
    /// Proposed, not yet discussed (the default).
    Candidate,
    /// Being drafted.
    Draft,
    /// Tried out for a time.
    Trial,
    /// Adopted by the body named in `adopted`.
    Adopted,
    /// Replaced by another protocol.
    Superseded,
}

/// What kind of pattern of practice a protocol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A way of doing things (the default).
    Protocol,
    /// A core protocol: the constitution is made of the adopted ones.
    Principle,
    /// Something members may do.
    Privilege,
    /// Something members must do.
    Obligation,
    /// What follows a breach.
    Sanction,
}

impl Status {
    /// The statuses an author may write.
    pub const WRITTEN: [&'static str; 5] = ["candidate", "draft", "trial", "adopted", "superseded"];

    /// Reads a status as written in a note.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "candidate" => Some(Self::Candidate),
            "draft" => Some(Self::Draft),
            "trial" => Some(Self::Trial),
            "adopted" => Some(Self::Adopted),
            "superseded" => Some(Self::Superseded),
            _ => None,
        }
    }

    /// The status as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ToDerive => "to-derive",
            Self::Candidate => "candidate",
            Self::Draft => "draft",
            Self::Trial => "trial",
            Self::Adopted => "adopted",
            Self::Superseded => "superseded",
        }
    }
}

impl Kind {
    /// The kinds an author may write.
    pub const WRITTEN: [&'static str; 5] = [
        "protocol",
        "principle",
        "privilege",
        "obligation",
        "sanction",
    ];

    /// Reads a kind as written in a note.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "protocol" => Some(Self::Protocol),
            "principle" => Some(Self::Principle),
            "privilege" => Some(Self::Privilege),
            "obligation" => Some(Self::Obligation),
            "sanction" => Some(Self::Sanction),
            _ => None,
        }
    }

    /// The kind as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Protocol => "protocol",
            Self::Principle => "principle",
            Self::Privilege => "privilege",
            Self::Obligation => "obligation",
            Self::Sanction => "sanction",
        }
    }
}

/// The keys a protocol item's nested `key: value` lines may set.
pub const FIELDS: [&str; 8] = [
    "id",
    "status",
    "kind",
    "space",
    "applies-to",
    "rationale",
    "adopted",
    "related",
];

/// The page part of every derived id: `a/b.md` → `a/b`, `a/README.md` → `a`.
pub fn page_stem(path: &str) -> &str {
    let stem = path.strip_suffix(".md").unwrap_or(path);
    match stem.strip_suffix("README") {
        Some("") => "home",
        Some(folder) if folder.ends_with('/') => folder.trim_end_matches('/'),
        _ => stem,
    }
}

/// The id of a protocol without an explicit one: the page's stem and a slug of
/// its title, or of the first six words of its statement.
pub fn derived_id(page_path: &str, title: Option<&str>, statement: &str) -> String {
    let words: String = statement
        .split_whitespace()
        .take(6)
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "{}/{}",
        page_stem(page_path),
        slugify(title.unwrap_or(&words))
    )
}

/// The id of a section still to be derived: the page's stem and the section's anchor.
pub fn to_derive_id(page_path: &str, anchor: Option<&str>) -> String {
    match anchor {
        Some(anchor) => format!("{}/{anchor}", page_stem(page_path)),
        None => page_stem(page_path).to_string(),
    }
}

/// Whether an explicit id is well formed: what derived ids are made of —
/// lowercase letters of any script, digits, `-`, `_`, `/` and `.` — so a
/// derived id can be pinned by copying it into `id:`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with(['-', '/', '.'])
        && id.chars().all(|c| {
            (c.is_alphanumeric() && !c.is_uppercase()) || matches!(c, '-' | '_' | '/' | '.')
        })
}

/// One protocol, or one section still to be derived, as written to `protocols/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ProtocolRecord {
    /// Stable id (also its anchor on the register page).
    pub id: String,
    /// The bold title, when the item has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The statement as written (markdown).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub statement: String,
    /// The statement as plain text.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub statement_text: String,
    /// What kind of practice it is.
    pub kind: Kind,
    /// Where it stands.
    pub status: Status,
    /// The space it applies in (an id from the configuration's spaces).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub space: Option<String>,
    /// Whom it applies to (`user-members`, a circle…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applies_to: Option<String>,
    /// Why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// When and by whom it was adopted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adopted: Option<Adoption>,
    /// Ids of related protocols.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// Where it is written.
    pub source: Source,
    /// The page's last-updated date (ISO).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// The section's bold phrases: the concepts its protocols name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub key_terms: Vec<String>,
    /// For a section still to derive: the start of its text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

/// When and by which body a protocol was adopted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Adoption {
    /// ISO date.
    pub date: String,
    /// The adopting body ("General Assembly"), when named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// Where a protocol is written in the handbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// The page's path in the source folder.
    pub page: String,
    /// The page's title.
    pub title: String,
    /// The chapter (part, or top-level entry) the page belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chapter: Option<String>,
    /// The section's heading, when the note is under one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// The section's anchor (or the page title's, for a page-wide note).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    /// The line of the protocol's item (or of the note).
    pub line: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_come_from_path_and_title_only() {
        assert_eq!(
            derived_id("a/sanctions.md", Some("Graduated response"), "x"),
            "a/sanctions/graduated-response"
        );
        assert_eq!(
            derived_id(
                "a/README.md",
                None,
                "Every member may vote at the assembly."
            ),
            "a/every-member-may-vote-at-the"
        );
        assert_eq!(derived_id("README.md", Some("X"), ""), "home/x");
    }

    #[test]
    fn vocabularies_round_trip() {
        for s in Status::WRITTEN {
            assert_eq!(Status::parse(s).map(Status::as_str), Some(s));
        }
        for k in Kind::WRITTEN {
            assert_eq!(Kind::parse(k).map(Kind::as_str), Some(k));
        }
        assert_eq!(Status::parse("to-derive"), None, "authors cannot write it");
    }

    #[test]
    fn explicit_ids_are_checked() {
        assert!(valid_id("one-member-one-vote"));
        assert!(valid_id("ga/quorum.2023"));
        assert!(!valid_id("Quorum"));
        assert!(!valid_id("-x"));
        assert!(!valid_id("a b"));
        assert!(valid_id("uni/café-alert"), "a derived id can be pinned");
    }
}
