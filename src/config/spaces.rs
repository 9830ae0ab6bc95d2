//! The `spaces:` section: the organisation's spaces, declared once — where
//! each is (`url`), how a member gets access to it (`access`, a provisioning
//! link: a sign-up page, a room request), who may enter, and for venues when
//! they meet. Each problem is reported at its own line: an unknown kind (with
//! "did you mean"), a missing or malformed URL, a bad or duplicate id, a
//! schedule on a space that is not a venue.

use super::Checker;
use crate::yaml::{self, Spanned};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What a space is, in the handbook's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpaceKind {
    /// Where the software runs: video rooms, the cloud, chat.
    Platform,
    /// Where things are written: forum threads, the handbook.
    Media,
    /// Where people gather: assemblies, the open session, circles.
    Venue,
}

impl SpaceKind {
    /// The kind as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Platform => "platform",
            Self::Media => "media",
            Self::Venue => "venue",
        }
    }
}

/// Who may enter a space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OpenTo {
    /// Anyone.
    Public,
    /// Members only (the default).
    #[default]
    Members,
}

/// One declared space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Space {
    /// Its id, as pages name it (`space:forum`).
    pub id: String,
    /// Its name.
    pub title: String,
    /// Platform, media or venue.
    pub kind: SpaceKind,
    /// Where it is: opening it.
    pub url: String,
    /// How a member gets access to it: the provisioning link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access: Option<String>,
    /// Who may enter.
    pub open_to: OpenTo,
    /// One or two sentences.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// For venues: when it meets ("Fourth Monday, 18:00 UTC").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawSpace {
    id: Spanned<String>,
    title: Option<String>,
    kind: SpaceKind,
    url: Spanned<String>,
    access: Option<Spanned<String>>,
    #[serde(default)]
    open_to: OpenTo,
    #[serde(default)]
    description: String,
    schedule: Option<Spanned<String>>,
}

impl Checker<'_> {
    /// Validates every space; a bad one is left out after its diagnostic.
    pub(super) fn spaces(&mut self, raw: Vec<RawSpace>) -> Vec<Space> {
        let mut seen: HashMap<String, u32> = HashMap::new();
        let mut spaces = Vec::new();
        for space in raw {
            let id = space.id.value.clone();
            if !crate::model::protocol::valid_id(&id) || id.contains(['/', '.']) {
                let message = format!("space id `{id}` is not a simple name");
                self.fail(
                    &space.id,
                    message,
                    "use lowercase letters, digits and `-`, e.g. `commons-hour`",
                );
                continue;
            }
            if let Some(first) = seen.insert(id.clone(), yaml::position(&space.id).0) {
                let message = format!("space `{id}` is declared twice (first at line {first})");
                self.fail(&space.id, message, "give each space its own id");
                continue;
            }
            let url = self.web_url(&space.url, "url");
            let access = space.access.as_ref().map(|a| self.web_url(a, "access"));
            if let (Some(schedule), false) = (&space.schedule, space.kind == SpaceKind::Venue) {
                self.fail(
                    schedule,
                    "only venue spaces have a schedule".into(),
                    "remove it, or make the space a `venue`",
                );
            }
            spaces.push(Space {
                title: space.title.unwrap_or_else(|| id.clone()),
                id,
                kind: space.kind,
                url,
                access,
                open_to: space.open_to,
                description: space.description,
                schedule: space.schedule.map(|s| s.value),
            });
        }
        spaces
    }

    /// An absolute http(s) URL, or a diagnostic at the value.
    fn web_url(&mut self, value: &Spanned<String>, key: &str) -> String {
        let url = value.value.trim();
        if !super::is_web_url(url) {
            let message = format!("{key} `{url}` is not an absolute http(s) URL");
            self.fail(value, message, "write it as `https://forum.example.org/…`");
        }
        url.trim_end_matches('/').to_string()
    }
}
