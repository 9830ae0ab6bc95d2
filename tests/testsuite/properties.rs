//! Never-panics properties: whatever text an editor (or a broken export)
//! puts in a page, a SUMMARY, front matter or a link, the stages give values
//! and diagnostics, never a panic.
//!
//! Whole-build properties: a project made of the same steering pieces — a
//! `handbook.yaml` (minimal, with title, language and edit URL, spaces with
//! multibyte ids, `search: false`, two editions, now and then a line of
//! broken YAML or of the wrong type), one to six pages (front matter,
//! GitBook blocks, "Derive protocols" notes, links between the pages and to
//! their anchors, `space:` links, code, tables, footnotes, bytes that are
//! not UTF-8) and a SUMMARY.md listing some, all or none of them, or none
//! at all — is written to a temporary folder and built in-process, five
//! times: fresh, over a previous site, and with the build cache cold, warm
//! in place and warm into another folder. Half the projects are tidy
//! (every link lands, every note is well formed) and must build; the others
//! may be wrong anywhere. Each build: does not panic; when it fails, leaves
//! the output folder as it was (absent, or the previous site byte for
//! byte) and no staging folder beside it; when it succeeds, writes the
//! marker and a front page that leads to a page of the site; names in each
//! diagnostic a file of the project that is there, at a line and column in
//! it (only the configuration, a SUMMARY.md or a derived `protocols/` file
//! may be named whole while absent); and says and writes exactly what the
//! first, fresh build did.
//!
//! The whole-build property runs 48 projects by default (some seconds);
//! a long run sets the count:
//! `PROPTEST_CASES=500 cargo test --test testsuite -- properties::any_project`.

use crate::harness::tree;
use handbook::config::ConfigError;
use handbook::diagnostic::Diagnostic;
use handbook::load::SourcePage;
use handbook::output::MARKER;
use handbook::parse::{Options, parse_page};
use handbook::{BuildOptions, Report};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::path::Path;

/// Text made of the pieces that steer the parsers, in any order.
fn handbook_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "# ",
        "## ",
        "> ",
        "- ",
        "  ",
        "* ",
        "1. ",
        "**",
        "`",
        "```",
        "\n",
        "\n\n",
        "[",
        "](",
        ")",
        "#",
        "{#x}",
        "Note: Derive protocols",
        "status: adopted",
        "id: x",
        "---\n",
        "{% hint %}",
        "{% endhint %}",
        "{% tabs %}",
        "{% tab title=\"a\" %}",
        "xxx",
        "[^1]",
        "[^1]: n",
        "<img src=\"a.png\">",
        "../",
        "README.md",
        "a.md",
        "\u{0}",
        "\u{FEFF}",
        "é",
        "|",
        "|---|",
        "&#x20;",
        "Updated: 19jul2021",
        "<!--",
        "-->",
    ]);
    prop::collection::vec(pieces, 0..80).prop_map(|parts| parts.concat())
}

fn page(text: String) -> SourcePage {
    SourcePage {
        path: "a/b.md".into(),
        file: "handbook/a/b.md".into(),
        text,
        summary_title: None,
        listed: true,
        includes: Default::default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_page_parses(text in handbook_text()) {
        let legacy = vec!["https://old.example/trial/".to_string()];
        let (parsed, _) = parse_page(&page(text), Options { legacy: &legacy, highlight: false, spaces: &[], highlights: Default::default(), markdown: &Default::default() });
        // Every slot in the body names a link that exists.
        let body = handbook::cache::pages::markup(&parsed.body).unwrap().fill(|_| "");
        prop_assert!(!body.contains(char::from(0)), "a marker leaked into the body");
    }

    #[test]
    fn any_bytes_parse_as_a_page(text in "\\PC{0,400}") {
        let (_, _) = parse_page(&page(text), Options { legacy: &[], highlight: true, spaces: &[], highlights: Default::default(), markdown: &Default::default() });
    }

    #[test]
    fn any_summary_parses(text in handbook_text()) {
        let pages = ["README.md", "a.md"].iter().map(|s| s.to_string()).collect();
        let (_, problems) = handbook::load::summary::parse(&text, "SUMMARY.md", &pages);
        prop_assert!(problems.iter().all(|p| p.line as usize <= text.lines().count() + 1));
    }

    #[test]
    fn any_link_target_parses(raw in "\\PC{0,60}") {
        let _ = handbook::parse::link::parse_target(&raw, "a/b/c.md", &["https://old.example/x/".to_string()]);
    }

    #[test]
    fn any_front_matter_reads(yaml in "\\PC{0,200}") {
        let (_, _) = handbook::parse::front_matter::parse(&yaml, 2, "a.md");
    }
}

// Whole builds: a project made of the same steering pieces, written to a
// temporary folder and built in-process, checked against what a build
// promises whatever the project holds.

/// How many whole projects each run builds: few by default (each is built
/// five times), `PROPTEST_CASES` for a long run. Read here because a
/// `cases` written in the configuration would beat the variable.
fn project_cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(48)
}

/// Where pages may be, in the source folder (`handbook/`).
const PAGE_PATHS: [&str; 6] = [
    "README.md",
    "a.md",
    "b/c.md",
    "b/README.md",
    "ü/ß.md",
    "d/e/f.md",
];

/// The spaces a configuration may declare, multibyte ids among them.
const SPACES: &str = "spaces:
  - id: forum
    title: The forum
    kind: media
    url: https://forum.example
    access: https://forum.example/signup
    open-to: public
  - id: forüm
    title: Das Forüm
    kind: platform
    url: https://forüm.example
  - id: 日本
    title: 会議室
    kind: venue
    url: https://rooms.example/jp
    schedule: Every Monday
";

/// How pages link into the spaces above.
const SPACE_LINKS: [&str; 5] = [
    "space:forum",
    "space:forum/t/some-thread",
    "space:forum?join",
    "space:forüm",
    "space:日本",
];

/// Two editions: the working tree, and a snapshot of its pages.
const VERSIONS: &str = "versions:
  default: now
  editions:
    - name: now
      working-tree: true
      status: in-force
    - name: old
      path: editions/old
      status: superseded
      date: 2021-07-19
";

/// A configuration: one of a few bases and some optional sections; in a
/// messy project, now and then a line that is not YAML, not the right type
/// or not a key at all.
fn config_text(messy: bool) -> impl Strategy<Value = String> {
    let base = prop::sample::select(vec![
        "title: T\n",
        "title: Ü handbook\nlanguage: fr\ndescription: Wie wir arbeiten.\n\
         base-url: https://handbook.example\nedit-url: https://git.example/h/src/{path}\n",
        "base-url: https://coop.example/handbook\n\
         legacy-urls:\n  - https://meet-coop-1.gitbook.io/handbook-trial/\n",
    ]);
    let mut sections = vec![SPACES, "search: false\n", "broken-links: warn\n", VERSIONS];
    if messy {
        sections.push("protocols:\n  drift: error\n");
    }
    let broken = prop::sample::select(vec![
        "title: [unclosed\n",
        "search: maybe\n",
        "spaces: 3\n",
        "titel: T\n",
        "\ttitle: T\n",
        "language: [en]\n",
        "base-url: ftp://x\n",
        "description: ⟨FF⟩\n",
        "output: ../elsewhere\n",
        "spaces:\n  - id: Forum\n    kind: forum\n    url: x\n",
    ]);
    let broken = if messy {
        prop::option::weighted(0.3, broken).boxed()
    } else {
        Just(None).boxed()
    };
    let count = sections.len();
    (base, prop::sample::subsequence(sections, 0..=count), broken).prop_map(
        |(base, sections, broken)| base.to_string() + &sections.concat() + broken.unwrap_or(""),
    )
}

/// One piece of a page's body. Links are kept as what they point at and
/// written once the project's pages and spaces are known (see
/// [`Project::assemble`]), so that a tidy project's links all land.
#[derive(Debug, Clone)]
enum Piece {
    /// Text as it is.
    Text(&'static str),
    /// A link to the project's n-th page (modulo their number), to its
    /// title's anchor when `true`.
    Page(usize, bool),
    /// A link into a space (the n-th way of [`SPACE_LINKS`]); plain text in
    /// a tidy project that declares none.
    Space(usize),
    /// The image `images/x.png`.
    Image,
    /// A well-formed "Derive protocols" note: for each protocol its fields,
    /// and maybe a link to the n-th page in its statement.
    Note(Vec<(Vec<&'static str>, Option<usize>)>),
}

/// Pieces no project gets wrong: GitBook blocks closed, code fenced, tables,
/// footnotes with their definitions, export debris, multibyte text.
fn tidy_text() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "\n## Section é\n",
        "\n### Sub\n",
        "Some words here. ",
        "\n\n",
        "xxx ",
        "\n{% hint style=\"info\" %}\nA hint.\n{% endhint %}\n",
        "\n{% tabs %}\n{% tab title=\"One\" %}\nFirst.\n{% endtab %}\n\
         {% tab title=\"Two\" %}\nSecond.\n{% endtab %}\n{% endtabs %}\n",
        "\n{% embed url=\"https://video.example/v/1\" %}\n",
        "[ext](https://example.org/x) ",
        "<https://example.org> ",
        "\n```rust\nfn main() {}\n```\n",
        "\n```plantuml\n@startuml\nA --> B\n@enduml\n```\n",
        "`inline` ",
        "\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        "A claim.[^n]\n\n[^n]: A footnote.\n",
        "\n<details><summary>S</summary>\n\nInside.\n\n</details>\n",
        "<!-- comment --> ",
        "&#x20;",
        "\n> Updated: 19jul2021\n",
        "\n> Placeholder: to be expanded\n",
        "日本語 ",
        "👩‍👩‍👧 ",
        "\t",
        "\r\n",
    ])
}

/// Pieces that steer the parsers into their corners: blocks opened and not
/// closed, links to nothing, unknown spaces and anchors, custom ids.
fn messy_text() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "\n# Title\n",
        "\n### Sub {#custom}\n",
        "{% hint style=\"info\" %}\n",
        "{% endhint %}\n",
        "{% tabs %}\n{% tab title=\"One\" %}\n",
        "{% endtab %}\n",
        "{% endtabs %}\n",
        "{% content-ref url=\"a.md\" %}\n[a](a.md)\n{% endcontent-ref %}\n",
        "[a](a.md) ",
        "[c](b/c.md#section-é) ",
        "[up](../a.md) ",
        "[gone](missing.md) ",
        "[here](#title) ",
        "[nowhere](#nope) ",
        "[readme](README.md#sub) ",
        "[typo](space:froum) ",
        "[old](https://meet-coop-1.gitbook.io/handbook-trial/a) ",
        "/handbook-trial/a.md ",
        "![diagram](images/x.png) ",
        "\n```\nunclosed fence\n",
        "[^1] ",
        "\n[^1]: A footnote.\n",
        "[^missing] ",
        "<details><summary>S</summary>\n",
        "</details>\n",
        "<!-- comment ",
        "--> ",
        "\u{FEFF}",
        "\n> `Note: Derive protocols`\n\n",
    ])
}

/// A note as an editor may get it wrong: the tag in its variants, then
/// protocols and fields in any order, well formed or not.
fn messy_note() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "\n> `Note: Derive protocols`\n",
        "\n> Note: Derive protocols\n",
        "\n> note: derive protocol:\n",
        ">\n",
        "> - **Circles report monthly** — Each circle posts a report every month.\n",
        "> - **Consent** - Decisions are made by consent.\n",
        "> - **Ünïcödé rule**: A statement with [a link](a.md).\n",
        "> - **No statement** —\n",
        "> - just text\n",
        ">   - id: circle-monthly-report\n",
        ">   - id: Bad Id\n",
        ">   - status: maybe\n",
        ">   - space: forum\n",
        ">   - space: forüm\n",
        ">   - unknown-key: x\n",
        ">     - too: deep\n",
    ])
}

/// Fields a well-formed protocol may carry, each at most once.
const FIELDS: [&str; 8] = [
    "status: adopted",
    "status: trial",
    "kind: principle",
    "kind: obligation",
    "applies-to: circles",
    "applies-to: Circles",
    "rationale: Consent keeps small groups moving.",
    "space: forum",
];

fn tidy_note() -> impl Strategy<Value = Piece> {
    let fields =
        prop::sample::subsequence(FIELDS.to_vec(), 0..=3).prop_filter("each key once", |fields| {
            ["status", "kind", "applies-to"]
                .iter()
                .all(|key| fields.iter().filter(|f| f.starts_with(key)).count() < 2)
        });
    let protocol = (fields, prop::option::of(0..6usize));
    prop::collection::vec(protocol, 1..4).prop_map(Piece::Note)
}

fn tidy_piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        12 => tidy_text().prop_map(Piece::Text),
        3 => (0..6usize, any::<bool>()).prop_map(|(n, title)| Piece::Page(n, title)),
        1 => (0..SPACE_LINKS.len()).prop_map(Piece::Space),
        1 => Just(Piece::Image),
        2 => tidy_note(),
    ]
}

/// In a messy project, most pieces are still tidy: a page is rarely all
/// broken. Bytes that are not UTF-8 (`⟨FF⟩`, `⟨C3⟩`, see [`bytes_of`])
/// come seldom, or they would hide every other problem.
fn messy_piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        120 => tidy_piece(),
        50 => messy_text().prop_map(Piece::Text),
        30 => messy_note().prop_map(Piece::Text),
        1 => prop::sample::select(vec!["⟨FF⟩", "⟨C3⟩"]).prop_map(Piece::Text),
    ]
}

/// A page's front matter, when it has one.
fn front_matter(messy: bool) -> impl Strategy<Value = Option<&'static str>> {
    let mut blocks = vec![
        "---\ntitle: Ünïcode title\ndescription: d\n---\n",
        "---\nupdated: 2021-07-19\nstatus: Draft\n---\n",
        "---\nhidden: true\naliases: [old.md]\n---\n",
        "---\nextra:\n  k: [1, 2]\n---\n",
    ];
    if messy {
        blocks.extend([
            "---\nspaces: [forum]\n---\n",
            "---\nspaces:\n  - forüm\n---\n",
            "---\nupdated: 2021-13-45\n---\n",
            "---\ntitle: [unclosed\n---\n",
            "---\nbogus: 1\n---\n",
            "---\ntitle: no closing fence\n",
        ]);
    }
    prop::option::weighted(0.3, prop::sample::select(blocks))
}

/// A page as generated: its front matter and body pieces.
type PageParts = (Option<&'static str>, Vec<Piece>);

fn page_parts(messy: bool) -> BoxedStrategy<PageParts> {
    let piece = if messy {
        messy_piece().boxed()
    } else {
        tidy_piece().boxed()
    };
    (front_matter(messy), prop::collection::vec(piece, 0..25)).boxed()
}

/// What SUMMARY.md says of the pages there are: nothing (no file), or some
/// of them (`listed` by page), then extra lines: a part heading, a draft,
/// and in a messy project a missing page, a line that is not a link, a
/// page outside the source folder or listed again, a byte not in UTF-8.
#[derive(Debug, Clone)]
enum SummaryShape {
    Absent,
    Listing(Vec<bool>, Vec<&'static str>),
}

fn summary_shape(messy: bool) -> impl Strategy<Value = SummaryShape> {
    let mut extras = vec!["\n## Part Ü\n\n", "* [Draft]()\n"];
    if messy {
        extras.extend([
            "* [Missing](missing.md)\n",
            "- not a link\n",
            "* [Out](../x.md)\n",
            "* [Again](a.md)\n",
            "* [Not UTF-8 ⟨FF⟩](a.md)\n",
        ]);
    }
    prop_oneof![
        1 => Just(SummaryShape::Absent),
        4 => (
            prop::collection::vec(prop::bool::weighted(if messy { 0.7 } else { 0.9 }), 6),
            prop::collection::vec(prop::sample::select(extras), 0..3),
        )
            .prop_map(|(listed, extra)| SummaryShape::Listing(listed, extra)),
    ]
}

/// A whole project, as text; `⟨FF⟩` and `⟨C3⟩` become raw bytes when written.
#[derive(Debug, Clone)]
struct Project {
    /// Whether anything may be wrong in it (else it should build).
    messy: bool,
    config: String,
    /// Each page's path under `handbook/` and its text.
    pages: Vec<(&'static str, String)>,
    summary: Option<String>,
    /// Whether `handbook/images/x.png` exists.
    image: bool,
}

/// A project tidy (every page links what there is: it should build) or
/// messy (anything may be wrong), half the time each.
fn project() -> impl Strategy<Value = Project> {
    any::<bool>().prop_flat_map(|messy| {
        let pages =
            prop::sample::subsequence(PAGE_PATHS.to_vec(), 1..=6).prop_flat_map(move |paths| {
                let n = paths.len();
                (Just(paths), prop::collection::vec(page_parts(messy), n))
            });
        let image = if messy {
            any::<bool>().boxed()
        } else {
            Just(true).boxed()
        };
        (config_text(messy), pages, summary_shape(messy), image).prop_map(
            move |(config, (paths, parts), shape, image)| {
                Project::assemble(messy, config, (&paths, parts), &shape, image)
            },
        )
    })
}

/// A link from the page at `from` to the path `to` in the source folder.
fn link_from(from: &str, to: &str) -> String {
    "../".repeat(from.matches('/').count()) + to
}

/// Every tidy page opens with this title; links to a title use its anchor.
const TITLE: &str = "Über uns";
const TITLE_ANCHOR: &str = "über-uns";

impl Project {
    fn assemble(
        messy: bool,
        config: String,
        (paths, parts): (&[&'static str], Vec<PageParts>),
        shape: &SummaryShape,
        image: bool,
    ) -> Self {
        let spaces = config.contains(SPACES);
        let pages = paths
            .iter()
            .zip(parts)
            .map(|(&path, (front, pieces))| {
                let mut text = front.unwrap_or_default().to_string();
                if !messy {
                    text.push_str(&format!("# {TITLE}\n\n"));
                }
                let place = Place {
                    path,
                    paths,
                    spaces,
                    messy,
                };
                let mut protocols = 0;
                for piece in &pieces {
                    text.push_str(&place.write(piece, &mut protocols));
                }
                (path, text)
            })
            .collect();
        Project {
            messy,
            config,
            pages,
            summary: summary_text(paths, shape),
            image,
        }
    }

    /// Writes the project under `root`; a versioned configuration gets its
    /// snapshot edition (`editions/old/`, the same pages).
    fn write(&self, root: &Path) {
        put(&root.join("handbook.yaml"), &bytes_of(&self.config));
        let mut sources = vec![root.join("handbook")];
        if self.config.contains("editions/old") {
            sources.push(root.join("editions/old"));
        }
        for source in &sources {
            for (path, text) in &self.pages {
                put(&source.join(path), &bytes_of(text));
            }
            if let Some(summary) = &self.summary {
                put(&source.join("SUMMARY.md"), &bytes_of(summary));
            }
            if self.image {
                put(&source.join("images/x.png"), b"\x89PNG\r\n\x1a\n");
            }
        }
    }
}

/// Where a piece is written: on which page, among which pages, and whether
/// spaces are declared.
struct Place<'a> {
    path: &'a str,
    paths: &'a [&'a str],
    spaces: bool,
    messy: bool,
}

impl Place<'_> {
    fn page(&self, n: usize) -> String {
        link_from(self.path, self.paths[n % self.paths.len()])
    }

    /// The piece's markdown; `protocols` numbers the protocols of the page,
    /// so that their titles (and the ids derived from them) differ.
    fn write(&self, piece: &Piece, protocols: &mut usize) -> String {
        match piece {
            Piece::Text(text) => (*text).to_string(),
            Piece::Page(n, false) => format!("[a page]({}) ", self.page(*n)),
            Piece::Page(n, true) => format!("[its title]({}#{TITLE_ANCHOR}) ", self.page(*n)),
            Piece::Space(n) if self.spaces || self.messy => {
                format!("[a space]({}) ", SPACE_LINKS[*n])
            }
            Piece::Space(_) => "a space ".into(),
            Piece::Image => format!("![diagram]({}) ", link_from(self.path, "images/x.png")),
            Piece::Note(items) => {
                let mut note = "\n> `Note: Derive protocols`\n>\n".to_string();
                for (fields, link) in items {
                    *protocols += 1;
                    let n = *protocols;
                    note.push_str(&format!("> - **Rule {n}** — Members keep rule {n}."));
                    if let Some(page) = link {
                        note.push_str(&format!(" See [the page]({}).", self.page(*page)));
                    }
                    note.push('\n');
                    for field in fields {
                        if self.spaces || !field.starts_with("space") {
                            note.push_str(&format!(">   - {field}\n"));
                        }
                    }
                }
                note + "\n"
            }
        }
    }
}

fn summary_text(paths: &[&str], shape: &SummaryShape) -> Option<String> {
    let SummaryShape::Listing(listed, extra) = shape else {
        return None;
    };
    let mut text = "# Summary\n\n".to_string();
    for (path, _) in paths.iter().zip(listed).filter(|(_, listed)| **listed) {
        text.push_str(&format!("* [{path}]({path})\n"));
    }
    text.push_str(&extra.concat());
    Some(text)
}

/// A file's bytes: its text with each `⟨FF⟩` (a byte never in UTF-8) and
/// `⟨C3⟩` (a character begun and not finished) written as that raw byte.
fn bytes_of(text: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    for (i, part) in text.split("⟨FF⟩").enumerate() {
        if i > 0 {
            bytes.push(0xFF);
        }
        for (j, piece) in part.split("⟨C3⟩").enumerate() {
            if j > 0 {
                bytes.push(0xC3);
            }
            bytes.extend_from_slice(piece.as_bytes());
        }
    }
    bytes
}

fn put(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

/// A site's files with their bytes, by path.
type Site = Vec<(String, Vec<u8>)>;

/// Builds `root` into `out`, in this process, as `handbook build` does.
fn build_into(root: &Path, out: &Path, cache: bool) -> anyhow::Result<Report> {
    handbook::build(&BuildOptions {
        root: root.to_path_buf(),
        config: None,
        out: Some(out.to_path_buf()),
        write: true,
        progress: None,
        versions: None,
        cache,
    })
}

/// The diagnostics of a build: the report's, or those of a configuration
/// error.
fn diagnostics_of(result: &anyhow::Result<Report>) -> Vec<Diagnostic> {
    match result {
        Ok(report) => report.diagnostics.clone(),
        Err(error) => error
            .downcast_ref::<ConfigError>()
            .map(|e| e.0.clone())
            .unwrap_or_default(),
    }
}

/// What a build said, to compare builds by: every diagnostic and count, or
/// the error.
#[derive(Debug, PartialEq)]
enum Said {
    Report(Vec<Diagnostic>, usize, usize, usize),
    Error(String),
}

fn said(result: &anyhow::Result<Report>) -> Said {
    match result {
        Ok(r) => Said::Report(r.diagnostics.clone(), r.pages, r.versions, r.todos),
        Err(error) => Said::Error(format!("{error:#}")),
    }
}

/// Each diagnostic names a file of the project that is there, at a line
/// and column inside it; a file that is not there is named only as a whole
/// (line 0), and only when it is the configuration, a SUMMARY.md or a
/// derived file in `protocols/`.
fn check_places(root: &Path, result: &anyhow::Result<Report>) -> Result<(), TestCaseError> {
    for d in diagnostics_of(result) {
        let path = Path::new(&d.file);
        let Ok(inside) = path.strip_prefix(root) else {
            return Err(TestCaseError::fail(format!(
                "{}: not a file of the project",
                d.headline()
            )));
        };
        let Ok(bytes) = std::fs::read(path) else {
            let known = inside == Path::new("handbook.yaml")
                || inside.ends_with("SUMMARY.md")
                || inside.starts_with("protocols");
            prop_assert!(
                d.line == 0 && known,
                "{}: names a place in a file that is not there",
                d.headline()
            );
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let lines: Vec<&str> = text.lines().collect();
        prop_assert!(
            d.line as usize <= lines.len() + 1,
            "{}: the file has {} lines",
            d.headline(),
            lines.len()
        );
        if d.line > 0 && d.column > 0 {
            let width = lines
                .get(d.line as usize - 1)
                .map_or(0, |l| l.chars().count());
            prop_assert!(
                d.column as usize <= width + 1,
                "{}: the line has {width} characters",
                d.headline()
            );
        }
    }
    Ok(())
}

/// No staging folder of the build is left beside the output folder.
fn check_no_leftovers(out: &Path) -> Result<(), TestCaseError> {
    let parent = out.parent().expect("a parent");
    let name = out.file_name().expect("a name").to_string_lossy();
    let (new, old) = (format!(".{name}.new-"), format!(".{name}.old-"));
    for entry in std::fs::read_dir(parent).expect("read outs") {
        let entry = entry.expect("entry").file_name();
        let entry = entry.to_string_lossy();
        prop_assert!(
            !entry.starts_with(&new) && !entry.starts_with(&old),
            "{entry} was left beside the site"
        );
    }
    Ok(())
}

/// The invariants of one build into `out`, where `before` is the site that
/// was there (`None`: there was no folder): a failed build leaves it as it
/// was; a successful one writes a whole site. Gives the site written.
fn check_build(
    root: &Path,
    out: &Path,
    result: &anyhow::Result<Report>,
    before: Option<&Site>,
) -> Result<Option<Site>, TestCaseError> {
    check_places(root, result)?;
    check_no_leftovers(out)?;
    let report = match result {
        Ok(report) if !report.failed() => report,
        _ => {
            match before {
                None => prop_assert!(!out.exists(), "a failed build made {}", out.display()),
                Some(site) => same_site("a failed build over a previous site", site, &tree(out))?,
            }
            return Ok(None);
        }
    };
    prop_assert_eq!(report.written.as_deref(), Some(out));
    prop_assert!(out.join(MARKER).is_file(), "no {} marker", MARKER);
    check_front_page(out)?;
    Ok(Some(tree(out)))
}

/// The site has a front page: `index.html`, and when it only leads to
/// another page (no README.md; a versioned site's `latest/`), that page too.
fn check_front_page(out: &Path) -> Result<(), TestCaseError> {
    let index = std::fs::read_to_string(out.join("index.html"));
    prop_assert!(index.is_ok(), "no index.html");
    let index = index.unwrap_or_default();
    let Some((_, after)) = index.split_once("http-equiv=\"refresh\" content=\"0; url=") else {
        return Ok(());
    };
    let target = after.split('"').next().unwrap_or_default();
    let target = handbook::model::path::percent_decode(target);
    prop_assert!(
        out.join(&target).is_file(),
        "index.html leads to {target}, which is not in the site"
    );
    Ok(())
}

/// Two sites are byte for byte the same; else names the first difference.
fn same_site(what: &str, expected: &Site, got: &Site) -> Result<(), TestCaseError> {
    let paths = |site: &Site| site.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    prop_assert_eq!(paths(expected), paths(got), "{}: the same files", what);
    for ((path, expected), (_, got)) in expected.iter().zip(got) {
        prop_assert!(
            expected == got,
            "{what}: {path} differs:\n{}\n---\n{}",
            String::from_utf8_lossy(expected),
            String::from_utf8_lossy(got)
        );
    }
    Ok(())
}

/// A build agrees with the first: it says the same and writes the same site.
fn agree(
    what: &str,
    (first, first_site): (&anyhow::Result<Report>, &Option<Site>),
    (other, other_site): (&anyhow::Result<Report>, &Option<Site>),
) -> Result<(), TestCaseError> {
    prop_assert_eq!(said(first), said(other), "{}: says the same", what);
    match (first_site, other_site) {
        (Some(a), Some(b)) => same_site(what, a, b),
        (None, None) => Ok(()),
        _ => Err(TestCaseError::fail(format!("{what}: one build failed"))),
    }
}

/// A previous site at `out`: the marker and files this build does not make.
fn previous_site(out: &Path) -> Site {
    put(&out.join(MARKER), b"made by an earlier build\n");
    put(&out.join("index.html"), b"<p>the previous site</p>\n");
    put(
        &out.join("gone/page.html"),
        b"<p>a page since removed</p>\n",
    );
    tree(out)
}

/// Every invariant, on one project: built fresh, over a previous site, and
/// with the cache cold, warm in place and warm into another folder.
fn check_project(project: &Project) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("temp dir");
    let outs = tempfile::tempdir().expect("temp dir");
    let (root, outs) = (dir.path(), outs.path());
    project.write(root);
    let fresh = outs.join("fresh");
    let first = build_into(root, &fresh, false);
    let site = check_build(root, &fresh, &first, None)?;
    if !project.messy && site.is_none() {
        let problems: Vec<String> = diagnostics_of(&first)
            .iter()
            .map(Diagnostic::headline)
            .collect();
        return Err(TestCaseError::fail(format!(
            "a tidy project failed to build: {:?}\n{}",
            first.as_ref().err(),
            problems.join("\n")
        )));
    }
    let previous = outs.join("previous");
    let old = previous_site(&previous);
    let over = build_into(root, &previous, false);
    let over_site = check_build(root, &previous, &over, Some(&old))?;
    agree("over a previous site", (&first, &site), (&over, &over_site))?;
    let cached = outs.join("cached");
    let cold = build_into(root, &cached, true);
    let cold_site = check_build(root, &cached, &cold, None)?;
    agree("cache cold", (&first, &site), (&cold, &cold_site))?;
    let warm = build_into(root, &cached, true);
    let warm_site = check_build(root, &cached, &warm, cold_site.as_ref())?;
    agree("cache warm, in place", (&first, &site), (&warm, &warm_site))?;
    let elsewhere = outs.join("warm");
    let moved = build_into(root, &elsewhere, true);
    let moved_site = check_build(root, &elsewhere, &moved, None)?;
    agree(
        "cache warm, elsewhere",
        (&first, &site),
        (&moved, &moved_site),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: project_cases(), ..ProptestConfig::default() })]

    #[test]
    fn any_project_builds_as_promised(project in project()) {
        check_project(&project)?;
    }
}
