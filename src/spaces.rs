//! Stage: declared spaces + parsed pages + protocol records → what the site
//! says about the organisation's spaces.
//!
//! Gives, for each space, the pages that link to it (`space:` links, plain
//! links under its URL, front matter `spaces:`) in SUMMARY order; the markdown
//! of the generated **Spaces** page (every space by kind, with its
//! description, schedule, who may enter, its open and access links, the pages
//! that link to it and the protocols whose `space` names it, each under a
//! heading whose anchor is the space's id); and `spaces.json` for other tools.

use crate::config::{OpenTo, Space, SpaceKind};
use crate::model::PageSpec;
use crate::model::path::relative_url;
use crate::parse::{LinkTarget, Page};
use crate::protocols::ProtocolRecord;
use crate::protocols::pages::escape;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The pages linking each space, by space id, as indexes into `pages` in
/// page order (SUMMARY order), each page once; unlisted and generated pages
/// are left out.
pub fn backlinks(spaces: &[Space], pages: &[Page]) -> BTreeMap<String, Vec<usize>> {
    let mut links: BTreeMap<String, Vec<usize>> =
        spaces.iter().map(|s| (s.id.clone(), Vec::new())).collect();
    for (index, page) in pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.listed && !crate::load::is_generated(&p.file))
    {
        let from_links = page.links.iter().filter_map(|l| match &l.target {
            LinkTarget::Space { id, .. } => Some(id.as_str()),
            _ => None,
        });
        let from_front = page.spaces.iter().map(|(id, _, _)| id.as_str());
        for id in from_links.chain(from_front) {
            if let Some(list) = links.get_mut(id) {
                // Pages come in order: a repeat is always the last one.
                if list.last() != Some(&index) {
                    list.push(index);
                }
            }
        }
    }
    links
}

/// The Spaces page's markdown. `register` is the protocols register's spec,
/// for links to the protocols that apply in each space.
pub fn page(
    spaces: &[Space],
    pages: &[Page],
    records: &[ProtocolRecord],
    spec: &PageSpec,
    register: &PageSpec,
) -> String {
    let mut md = format!(
        "# {}\n\nWhere members meet, write and work: each space, how to open it and how to get access to it.\n\n",
        escape(&spec.title)
    );
    let backlinks = backlinks(spaces, pages);
    for kind in [SpaceKind::Platform, SpaceKind::Media, SpaceKind::Venue] {
        let of_kind: Vec<&Space> = spaces.iter().filter(|s| s.kind == kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        let title = match kind {
            SpaceKind::Platform => "Platform spaces",
            SpaceKind::Media => "Media spaces",
            SpaceKind::Venue => "Venue spaces",
        };
        // `hb-` ids: no space id (a simple name) can take them.
        let _ = writeln!(md, "## {title} {{#hb-kind-{}}}\n", kind.as_str());
        for space in of_kind {
            md.push_str(&entry(
                space,
                &backlinks[&space.id],
                pages,
                records,
                spec,
                register,
            ));
        }
    }
    md
}

fn entry(
    space: &Space,
    linked_from: &[usize],
    pages: &[Page],
    records: &[ProtocolRecord],
    spec: &PageSpec,
    register: &PageSpec,
) -> String {
    let mut md = format!("### {} {{#{}}}\n\n", escape(&space.title), space.id);
    let who = match space.open_to {
        OpenTo::Public => "Open to everyone",
        OpenTo::Members => "Open to members",
    };
    // `space:` links, so each names its own space (an access link on the
    // forum is still this space's door).
    let mut facts = vec![
        who.to_string(),
        format!("[Open {}](space:{})", escape(&space.title), space.id),
    ];
    facts.extend(
        space
            .access
            .as_ref()
            .map(|_| format!("[Get access](space:{}?join)", space.id)),
    );
    let _ = writeln!(md, "{}\n", facts.join(" · "));
    if let Some(schedule) = &space.schedule {
        let _ = writeln!(md, "**When:** {}\n", escape(schedule));
    }
    if !space.description.is_empty() {
        let _ = writeln!(md, "{}\n", escape(&space.description));
    }
    if !linked_from.is_empty() {
        let links: Vec<String> = linked_from
            .iter()
            .map(|&i| {
                format!(
                    "[{}](<{}>)",
                    escape(&pages[i].title),
                    relative_url(&spec.path, &pages[i].path)
                )
            })
            .collect();
        let _ = writeln!(md, "**Linked from:** {}\n", links.join(", "));
    }
    let protocols: Vec<String> = records
        .iter()
        .filter(|r| r.space.as_deref() == Some(space.id.as_str()))
        .map(|r| {
            let title = r.title.clone().unwrap_or_else(|| r.id.clone());
            format!(
                "[{}](<{}#{}>)",
                escape(&title),
                relative_url(&spec.path, &register.path),
                r.id
            )
        })
        .collect();
    if !protocols.is_empty() {
        let _ = writeln!(md, "**Protocols:** {}\n", protocols.join(", "));
    }
    md
}

#[derive(Serialize)]
struct SpaceData<'a> {
    #[serde(flatten)]
    space: &'a Space,
    /// URLs of the pages linking it, site-relative.
    pages: Vec<&'a str>,
    /// Ids of the protocols whose `space` names it.
    protocols: Vec<&'a str>,
}

/// `spaces.json`: every space with the pages that link to it and its protocols.
pub fn json(
    spaces: &[Space],
    pages: &[Page],
    records: &[ProtocolRecord],
) -> serde_json::Result<String> {
    let backlinks = backlinks(spaces, pages);
    let data: Vec<SpaceData<'_>> = spaces
        .iter()
        .map(|space| SpaceData {
            space,
            pages: backlinks[&space.id]
                .iter()
                .map(|&i| pages[i].url.as_str())
                .collect(),
            protocols: records
                .iter()
                .filter(|r| r.space.as_ref() == Some(&space.id))
                .map(|r| r.id.as_str())
                .collect(),
        })
        .collect();
    Ok(serde_json::to_string_pretty(&serde_json::json!({ "spaces": data }))? + "\n")
}
