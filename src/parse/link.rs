//! A link destination as written → [`LinkTarget`], once, at the edge.
//!
//! Relative paths are resolved against the page's folder and normalised;
//! folder links mean the folder's README.md; links under a legacy URL prefix
//! (an old GitBook site, absolute or in GitBook's `/space/<path>.md` root form)
//! become page paths here; GitBook's hosted files (`/files/<id>`,
//! `.gitbook/assets/…`, `https://<space>.gitbook.io/…/files/<id>`) and
//! mdBook users' links to output names (`cli/index.html`) get targets of
//! their own. Whether the target exists is the links stage's question; this
//! module never touches the file system.

use crate::model::path::{normalise_path, percent_decode};

/// Where a link points.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LinkTarget {
    /// A page of this handbook, by source path; `fallback` is a second path to
    /// try (GitBook slugs name `x` for either `x.md` or `x/README.md`).
    Page {
        /// The source path tried first.
        path: String,
        /// Another source path tried when `path` is not a page.
        fallback: Option<String>,
        /// The `#anchor`, percent-decoded.
        anchor: Option<String>,
    },
    /// An anchor on the same page.
    Anchor(String),
    /// Another file of the source folder (image, PDF…), by source path.
    Asset(String),
    /// One of the organisation's spaces: `space:forum` opens it,
    /// `space:forum/t/thread` a place in it, `space:forum?join` its access
    /// (provisioning) link; a plain link under a declared space's URL is
    /// recognised as that space too.
    Space {
        /// The space id.
        id: String,
        /// A path appended to the space's URL (`/t/thread`), possibly empty.
        path: String,
        /// The access link rather than the space itself.
        join: bool,
    },
    /// A file GitBook hosts: `/files/<id>` under the site root, anything in
    /// a `.gitbook/assets/` folder, or `https://<space>.gitbook.io/…/files/<id>`.
    /// The links stage looks for a local copy; a missing one is a warning,
    /// never a broken link: the editor did not break it, the export left
    /// the file behind.
    Hosted {
        /// The id or file name GitBook gave it (`abc123`, `image (1).png`).
        name: String,
        /// The source path as written, normalised (`files/abc123`,
        /// `.gitbook/assets/image (1).png`).
        path: String,
        /// Where the reader finds it when there is no local copy: the
        /// absolute URL as written, or the file under the first legacy URL.
        web: Option<String>,
    },
    /// A link to an output file, `cli/index.html` or `page.html`, as
    /// mdBook users write them: the page whose output that is (or an HTML
    /// file of the source folder by that name).
    Output {
        /// The `.html` path, normalised.
        path: String,
        /// The `#anchor`, percent-decoded.
        anchor: Option<String>,
    },
    /// A relative path that climbs out of the source folder.
    Outside,
    /// Anything with a scheme (`https:`, `mailto:`) or protocol-relative: left as written.
    External,
}

/// Parses `raw` as written on the page at `page_path`. `legacy` holds the
/// configured legacy URL prefixes, each ending in `/`.
pub fn parse_target(raw: &str, page_path: &str, legacy: &[String]) -> LinkTarget {
    let raw = raw.trim();
    if let Some(anchor) = raw.strip_prefix('#') {
        return if anchor.is_empty() {
            LinkTarget::External
        } else {
            LinkTarget::Anchor(percent_decode(anchor))
        };
    }
    if let Some(rest) = strip_legacy(raw, legacy) {
        return legacy_target(raw, rest);
    }
    if let Some(rest) = raw.strip_prefix("space:") {
        return space_target(rest);
    }
    if has_scheme(raw) || raw.starts_with("//") {
        return gitbook_url(raw).unwrap_or(LinkTarget::External);
    }
    let (path, anchor) = split_anchor(raw);
    let path = percent_decode(path.split('?').next().unwrap_or(""));
    if path.is_empty() {
        return anchor.map_or(LinkTarget::External, LinkTarget::Anchor);
    }
    let base = if path.starts_with('/') {
        ""
    } else {
        folder_of(page_path)
    };
    let Some(normal) = normalise_path(base, &path) else {
        // Git Sync keeps `.gitbook/assets/` beside the folder pages are in.
        let beside = path.rfind(ASSETS_FOLDER).map(|at| &path[at..]);
        return beside
            .and_then(|assets| hosted_file(assets, false, legacy))
            .unwrap_or(LinkTarget::Outside);
    };
    source_target(normal, &path, anchor, legacy)
}

/// A path inside the source folder, normalised: a folder's README, a
/// hosted file, a page, an output name or an asset.
fn source_target(
    normal: String,
    path: &str,
    anchor: Option<String>,
    legacy: &[String],
) -> LinkTarget {
    if path.ends_with('/') || normal.is_empty() {
        let readme = if normal.is_empty() {
            "README.md".into()
        } else {
            format!("{normal}/README.md")
        };
        return LinkTarget::Page {
            path: readme,
            fallback: None,
            anchor,
        };
    }
    if let Some(hosted) = hosted_file(&normal, path.starts_with('/'), legacy) {
        return hosted;
    }
    if normal.ends_with(".md") {
        LinkTarget::Page {
            path: normal,
            fallback: None,
            anchor,
        }
    } else if normal.ends_with(".html") {
        LinkTarget::Output {
            path: normal,
            anchor,
        }
    } else {
        LinkTarget::Asset(normal)
    }
}

/// The folder GitBook's newer export names hosted files under, at the site root.
const HOSTED_FOLDER: &str = "files/";

/// The folder GitBook (and Git Sync) keeps uploaded files in.
pub const ASSETS_FOLDER: &str = ".gitbook/assets/";

/// `/files/<id>` (written from the root) and `….gitbook/assets/<name>`.
fn hosted_file(normal: &str, from_root: bool, legacy: &[String]) -> Option<LinkTarget> {
    if from_root
        && let Some(id) = normal.strip_prefix(HOSTED_FOLDER)
        && !id.is_empty()
        && !id.contains('/')
    {
        return Some(LinkTarget::Hosted {
            name: id.to_string(),
            path: normal.to_string(),
            web: legacy.first().map(|site| format!("{site}{normal}")),
        });
    }
    let at = normal.find(ASSETS_FOLDER)?;
    let name = &normal[at + ASSETS_FOLDER.len()..];
    let whole_folder = at == 0 || normal[..at].ends_with('/');
    (whole_folder && !name.is_empty()).then(|| LinkTarget::Hosted {
        name: name.rsplit('/').next().unwrap_or(name).to_string(),
        path: normal.to_string(),
        web: None,
    })
}

/// `https://<space>.gitbook.io/<site>/files/<id>`: kept as written unless
/// a local copy is found.
fn gitbook_url(raw: &str) -> Option<LinkTarget> {
    let rest = raw.strip_prefix("https://")?;
    let (host, path) = rest.split_once('/')?;
    if !host.to_ascii_lowercase().ends_with(".gitbook.io") {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or("");
    let (_, id) = path.rsplit_once(&format!("/{HOSTED_FOLDER}"))?;
    (!id.is_empty() && !id.contains('/')).then(|| LinkTarget::Hosted {
        name: percent_decode(id),
        path: format!("{HOSTED_FOLDER}{}", percent_decode(id)),
        web: Some(raw.to_string()),
    })
}

/// The part after a legacy prefix, for `https://old/space/x` and `/space/x.md`.
fn strip_legacy<'a>(raw: &'a str, legacy: &[String]) -> Option<&'a str> {
    legacy.iter().find_map(|prefix| {
        let bare = prefix.trim_end_matches('/');
        let path_form = bare
            .find("://")
            .and_then(|i| bare[i + 3..].find('/').map(|j| &bare[i + 3 + j..]));
        [Some(bare), path_form].into_iter().flatten().find_map(|p| {
            let rest = raw.strip_prefix(p)?;
            (rest.is_empty() || rest.starts_with(['/', '#', '?'])).then_some(rest)
        })
    })
}

/// `forum`, `forum/t/763`, `forum?join`.
fn space_target(rest: &str) -> LinkTarget {
    // `get`, not indexing: the last five bytes may start inside a character.
    let cut = rest.len().saturating_sub("?join".len());
    let join = rest
        .get(cut..)
        .is_some_and(|tail| tail.eq_ignore_ascii_case("?join"));
    let rest = if join { &rest[..cut] } else { rest };
    let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    LinkTarget::Space {
        id: rest[..split].to_string(),
        path: rest[split..].to_string(),
        join,
    }
}

/// A plain link under one of `spaces` (id, URL) is that space; the longest
/// URL wins, so `https://forum.x/c/rooms` can be a space of its own.
pub fn recognise_space(raw: &str, spaces: &[(String, String)]) -> Option<LinkTarget> {
    spaces
        .iter()
        .filter_map(|(id, url)| {
            let rest = raw.trim().strip_prefix(url.as_str())?;
            (rest.is_empty() || rest.starts_with(['/', '?', '#'])).then_some((url.len(), id, rest))
        })
        .max_by_key(|(len, _, _)| *len)
        .map(|(_, id, rest)| LinkTarget::Space {
            id: id.clone(),
            path: rest.to_string(),
            join: false,
        })
}

fn legacy_target(raw: &str, rest: &str) -> LinkTarget {
    let (path, anchor) = split_anchor(rest);
    let path = percent_decode(path.split('?').next().unwrap_or(""));
    let Some(slug) = normalise_path("", path.trim_matches('/')) else {
        return LinkTarget::Outside;
    };
    if let Some(LinkTarget::Hosted { name, path, .. }) = hosted_file(&slug, true, &[]) {
        // `https://old/site/files/x` works as written; `/site/files/x` only there.
        let web = has_scheme(raw).then(|| raw.to_string());
        return LinkTarget::Hosted { name, path, web };
    }
    if slug.is_empty() {
        return LinkTarget::Page {
            path: "README.md".into(),
            fallback: None,
            anchor,
        };
    }
    if slug.ends_with(".md") {
        return LinkTarget::Page {
            path: slug,
            fallback: None,
            anchor,
        };
    }
    LinkTarget::Page {
        path: format!("{slug}.md"),
        fallback: Some(format!("{slug}/README.md")),
        anchor,
    }
}

fn split_anchor(raw: &str) -> (&str, Option<String>) {
    match raw.split_once('#') {
        Some((path, anchor)) if !anchor.is_empty() => (path, Some(percent_decode(anchor))),
        Some((path, _)) => (path, None),
        None => (raw, None),
    }
}

fn has_scheme(raw: &str) -> bool {
    let Some((scheme, _)) = raw.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The folder part of a source path, `""` at the root.
pub fn folder_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, anchor: Option<&str>) -> LinkTarget {
        LinkTarget::Page {
            path: path.into(),
            fallback: None,
            anchor: anchor.map(Into::into),
        }
    }

    const LEGACY: &[&str] = &["https://meet-coop-1.gitbook.io/handbook-trial/"];

    fn parse(raw: &str, from: &str) -> LinkTarget {
        let legacy: Vec<String> = LEGACY.iter().map(|s| s.to_string()).collect();
        parse_target(raw, from, &legacy)
    }

    #[test]
    fn relative_page_links_resolve_against_the_page_folder() {
        assert_eq!(
            parse("../x.md#quorum", "a/b/c.md"),
            page("a/x.md", Some("quorum"))
        );
        assert_eq!(parse("./y.md", "a/c.md"), page("a/y.md", None));
        assert_eq!(parse("sub/", "a/c.md"), page("a/sub/README.md", None));
        assert_eq!(parse("/top.md", "a/c.md"), page("top.md", None));
        assert_eq!(parse("my%20page.md", "c.md"), page("my page.md", None));
    }

    #[test]
    fn anchors_assets_externals_and_escapes() {
        assert_eq!(
            parse("#voting", "a.md"),
            LinkTarget::Anchor("voting".into())
        );
        assert_eq!(
            parse("../images/x.svg", "a/b.md"),
            LinkTarget::Asset("images/x.svg".into())
        );
        assert_eq!(
            parse("https://bigbluebutton.org", "a.md"),
            LinkTarget::External
        );
        assert_eq!(parse("mailto:x@y.org", "a.md"), LinkTarget::External);
        assert_eq!(parse("../../x.md", "a/b.md"), LinkTarget::Outside);
    }

    #[test]
    fn legacy_urls_land_on_pages_here() {
        assert_eq!(
            parse(
                "https://meet-coop-1.gitbook.io/handbook-trial/2-political-economy/political-economy",
                "x.md"
            ),
            LinkTarget::Page {
                path: "2-political-economy/political-economy.md".into(),
                fallback: Some("2-political-economy/political-economy/README.md".into()),
                anchor: None
            }
        );
        assert_eq!(
            parse("/handbook-trial/4-a/circles.md#x", "q/z.md"),
            page("4-a/circles.md", Some("x"))
        );
        assert_eq!(
            parse("https://meet-coop-1.gitbook.io/handbook-trial/", "x.md"),
            page("README.md", None)
        );
        assert_eq!(
            parse("https://meet-coop-1.gitbook.io/handbook-trialx", "x.md"),
            LinkTarget::External
        );
    }

    #[test]
    fn space_links_in_their_three_forms() {
        let space = |id: &str, path: &str, join| LinkTarget::Space {
            id: id.into(),
            path: path.into(),
            join,
        };
        assert_eq!(parse("space:forum", "a.md"), space("forum", "", false));
        assert_eq!(
            parse("space:forum/t/handbook-trial/763", "a.md"),
            space("forum", "/t/handbook-trial/763", false)
        );
        assert_eq!(parse("space:forum?join", "a.md"), space("forum", "", true));
        assert_eq!(parse("space:forum?JOIN", "a.md"), space("forum", "", true));
    }

    #[test]
    fn space_targets_ending_inside_a_character_do_not_panic() {
        // The last five bytes of each start inside a multibyte character.
        for raw in [
            "space:éabcd",
            "space:\u{FFFD}abc",
            "space:a€b",
            "space:日本",
        ] {
            assert!(matches!(
                parse(raw, "a.md"),
                LinkTarget::Space { join: false, .. }
            ));
        }
        assert_eq!(
            parse("space:é?join", "a.md"),
            LinkTarget::Space {
                id: "é".into(),
                path: String::new(),
                join: true
            }
        );
    }

    #[test]
    fn links_under_a_space_url_are_that_space() {
        let spaces = vec![
            ("forum".to_string(), "https://forum.meet.coop".to_string()),
            (
                "rooms".to_string(),
                "https://forum.meet.coop/c/rooms".to_string(),
            ),
        ];
        let found = |raw| recognise_space(raw, &spaces);
        assert_eq!(
            found("https://forum.meet.coop/t/1"),
            Some(LinkTarget::Space {
                id: "forum".into(),
                path: "/t/1".into(),
                join: false
            })
        );
        assert_eq!(
            found("https://forum.meet.coop/c/rooms/2")
                .map(|t| matches!(t, LinkTarget::Space { id, .. } if id == "rooms")),
            Some(true)
        );
        assert_eq!(found("https://forum.meet.coopx/t/1"), None);
    }

    fn hosted(name: &str, path: &str, web: Option<&str>) -> LinkTarget {
        LinkTarget::Hosted {
            name: name.into(),
            path: path.into(),
            web: web.map(Into::into),
        }
    }

    #[test]
    fn gitbook_hosted_files_in_every_form() {
        let trial = "https://meet-coop-1.gitbook.io/handbook-trial/";
        assert_eq!(
            parse("/files/Xy12ab", "a/b.md"),
            hosted(
                "Xy12ab",
                "files/Xy12ab",
                Some(&format!("{trial}files/Xy12ab"))
            )
        );
        assert_eq!(
            parse_target("/files/Xy12ab", "b.md", &[]),
            hosted("Xy12ab", "files/Xy12ab", None)
        );
        assert_eq!(
            parse("../../.gitbook/assets/image%20(1).png", "a/b/c.md"),
            hosted("image (1).png", ".gitbook/assets/image (1).png", None)
        );
        assert_eq!(
            parse("../../.gitbook/assets/x.png", "a/b.md"),
            hosted("x.png", ".gitbook/assets/x.png", None)
        );
        assert_eq!(
            parse("/.gitbook/assets/sub/x.pdf", "a.md"),
            hosted("x.pdf", ".gitbook/assets/sub/x.pdf", None)
        );
        let url = "https://other.gitbook.io/site/files/Q7";
        assert_eq!(parse(url, "a.md"), hosted("Q7", "files/Q7", Some(url)));
        let legacy = format!("{trial}files/Xy12ab");
        assert_eq!(
            parse(&legacy, "a.md"),
            hosted("Xy12ab", "files/Xy12ab", Some(&legacy))
        );
    }

    #[test]
    fn near_misses_of_hosted_forms_are_ordinary_targets() {
        // A relative `files/` folder is the project's own.
        assert_eq!(
            parse("files/x.png", "a.md"),
            LinkTarget::Asset("files/x.png".into())
        );
        assert_eq!(
            parse("/files/a/b.png", "a.md"),
            LinkTarget::Asset("files/a/b.png".into())
        );
        assert_eq!(
            parse("my.gitbook/assets/x.png", "a.md"),
            LinkTarget::Asset("my.gitbook/assets/x.png".into())
        );
        assert_eq!(
            parse("https://example.org/files/x", "a.md"),
            LinkTarget::External
        );
        assert_eq!(
            parse("https://x.gitbook.io/site/page", "a.md"),
            LinkTarget::External
        );
    }

    #[test]
    fn html_links_name_an_output_file() {
        let output = |path: &str, anchor: Option<&str>| LinkTarget::Output {
            path: path.into(),
            anchor: anchor.map(Into::into),
        };
        assert_eq!(
            parse("../cli/index.html", "format/theme.md"),
            output("cli/index.html", None)
        );
        assert_eq!(
            parse("theme/index.html#x", "format/README.md"),
            output("format/theme/index.html", Some("x"))
        );
        assert_eq!(parse("page.html", "a.md"), output("page.html", None));
    }
}
