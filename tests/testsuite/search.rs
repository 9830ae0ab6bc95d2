//! Search: what the index holds (a snapshot of a small handbook's entries,
//! stemming by the configured language, the example's protocols and
//! spaces), and in a real browser that typing
//! a query shows the expected first result, that it leads to the section,
//! that titles are shown as text, that the site works under a path prefix
//! and from disk says search needs HTTP.

use crate::browser::{Browser, SiteServer, with_browser};
use crate::harness::HandbookTest;
use fantoccini::key::Key;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;

/// The index files of a built site, read back: every folded form with its
/// stem and that stem's postings as `page#section score` (page by URL).
fn readable_index(site: &Path) -> String {
    let read = |path: &str| -> Value {
        let text = std::fs::read_to_string(site.join("search").join(path))
            .unwrap_or_else(|e| panic!("read search/{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("search/{path} is JSON: {e}"))
    };
    let meta = read("meta.json");
    let group = meta["group"].as_u64().expect("sections a file");
    let mut documents: BTreeMap<(u64, u64), Value> = BTreeMap::new();
    let mut document = |page: u64, section: u64| -> Value {
        let key = (page, section / group);
        let file = documents
            .entry(key)
            .or_insert_with(|| read(&format!("d/{page}-{}.json", key.1)));
        assert_eq!(file["v"], meta["stamp"], "every file carries the stamp");
        let found = &file["s"][(section % group) as usize];
        json!({ "u": file["u"], "anchor": found[0] })
    };
    let mut stems: Vec<Value> = Vec::new();
    for i in 0..meta["postings"].as_array().expect("postings").len() {
        let chunk = read(&format!("p/{i}.json"));
        assert_eq!(chunk["v"], meta["stamp"], "every file carries the stamp");
        stems.extend(chunk["p"].as_array().expect("a chunk").clone());
    }
    let mut out = String::new();
    for i in 0..meta["words"].as_array().expect("words").len() {
        let chunk = read(&format!("w/{i}.json"));
        let forms = chunk["f"].as_array().expect("forms");
        for (form, stem) in forms.iter().zip(chunk["s"].as_array().expect("stems")) {
            let stem = stem.as_u64().expect("a stem number") as usize;
            let list = stems[stem].as_array().expect("postings");
            let mut page = 0;
            let mut hits = Vec::new();
            for triple in list[1..].chunks(3) {
                page += triple[0].as_u64().expect("page delta");
                let found = document(page, triple[1].as_u64().expect("section"));
                hits.push(format!(
                    "{}#{} {}",
                    found["u"].as_str().expect("url"),
                    found["anchor"].as_str().expect("anchor"),
                    triple[2]
                ));
            }
            let partial = if list[0] == 1 { " (partial)" } else { "" };
            out.push_str(&format!(
                "{} → stem {stem}{partial}: {}\n",
                form.as_str().expect("form"),
                hits.join(", ")
            ));
        }
    }
    out
}

#[test]
fn a_small_index_holds_each_section_with_weighted_words() {
    let test = HandbookTest::fixture("valid/search")
        .build()
        .assert_success();
    let site = test.root().join("site");
    insta::assert_snapshot!(readable_index(&site));
    let meta: Value = serde_json::from_str(&test.site_file("search/meta.json")).expect("JSON");
    assert_eq!(meta["format"], 2);
    assert_eq!(meta["pages"], 7);
    assert_eq!(meta["entries"], 11, "one entry per section of every page");
    let mut document: Value =
        serde_json::from_str(&test.site_file("search/d/1-0.json")).expect("a document");
    assert_eq!(document["v"], meta["stamp"]);
    document.as_object_mut().expect("an object").remove("v");
    assert_eq!(
        document,
        json!({
            "u": "governance/index.html", "t": "Governance", "c": [],
            "s": [
                ["", "", "How members decide together."],
                ["sanctions", "Sanctions", "A member who breaks a protocol may be sanctioned by the assembly, after a hearing. Sanctions are recorded in the register."],
                ["appeals", "Appeals", "Any sanctioned member may appeal to the general assembly within thirty days."],
            ]
        })
    );
}

#[test]
fn stems_follow_the_configured_language_and_search_can_be_off() {
    let spanish = HandbookTest::empty()
        .file("handbook.yaml", "title: Manual\nlanguage: es\n")
        .file(
            "handbook/SUMMARY.md",
            "# Summary\n\n- [Decisiones](README.md)\n",
        )
        .file(
            "handbook/README.md",
            "# Decisiones\n\nLa asamblea tomó una decisión. Las decisiones se publican.\n",
        )
        .build()
        .assert_success();
    let index = readable_index(&spanish.root().join("site"));
    let stem_of = |form: &str| {
        index
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{form} → stem ")))
            .and_then(|rest| rest.split(':').next())
            .unwrap_or_else(|| panic!("no form {form} in\n{index}"))
            .to_string()
    };
    assert_eq!(stem_of("decision"), stem_of("decisiones"));

    let off = HandbookTest::empty()
        .file("handbook.yaml", "title: Manual\nsearch: false\n")
        .file("handbook/SUMMARY.md", "# Summary\n\n- [Home](README.md)\n")
        .file("handbook/README.md", "# Home\n\nText.\n")
        .build()
        .assert_success();
    assert!(!off.root().join("site/search").exists());
    assert!(!off.site_file("index.html").contains("class=\"search\""));
}

/// Types `query` into the search box (focused with `/`) and waits for the
/// results; gives each result's crumbs, title, heading and snippet text.
async fn search(b: &Browser, query: &str) -> Vec<Value> {
    b.script("document.activeElement && document.activeElement.blur()")
        .await;
    b.find("main").await.send_keys("/").await.expect("press /");
    b.wait_for_script("return document.activeElement.id", |v| v == "hb-search")
        .await;
    let input = b.find("#hb-search").await;
    input.clear().await.expect("clear the box");
    input.send_keys(query).await.expect("type the query");
    let read = "return [document.querySelector('.search-results').dataset.query, \
                Array.from(document.querySelectorAll('.search-result')).map(r => ({ \
                  crumbs: (r.querySelector('.search-crumbs') || {}).textContent || '', \
                  title: r.querySelector('.search-title').textContent, \
                  heading: (r.querySelector('.search-heading') || {}).textContent || '', \
                  snippet: r.querySelector('.search-snippet').textContent, \
                  marked: Array.from(r.querySelectorAll('mark')).map(m => m.textContent), \
                  href: r.querySelector('a').href }))]";
    let found = b.wait_for_script(read, |v| v[0] == query).await;
    found[1].as_array().expect("results").clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn typing_a_query_finds_the_section_and_enter_follows_it() {
    let test = HandbookTest::fixture("valid/search")
        .build()
        .assert_success();
    let server = SiteServer::start_at(test.root().join("site"), "/deep/prefix/").await;
    let base = server.url();
    with_browser(move |b| async move {
        b.open(&format!("{base}languages/index.html")).await;
        let loaded = "return Array.from(document.scripts).some(s => s.src.endsWith('search.js'))";
        assert_eq!(
            b.script(loaded).await,
            json!(false),
            "nothing loads before first use"
        );

        let results = search(&b, "sanction").await;
        let first = &results[0];
        assert_eq!(first["title"], "Governance");
        assert_eq!(first["heading"], "Sanctions");
        assert_eq!(
            first["marked"],
            json!(["sanctioned", "Sanctions"]),
            "{first}"
        );
        assert_eq!(
            first["href"],
            format!("{base}governance/index.html#sanctions")
        );

        b.find("#hb-search")
            .await
            .send_keys(&Key::Down.to_string())
            .await
            .expect("down");
        b.find("#hb-search")
            .await
            .send_keys(&Key::Enter.to_string())
            .await
            .expect("enter");
        b.wait_for_page(&format!("{base}governance/index.html#sanctions"))
            .await;
        let target = "return document.querySelector(':target').textContent";
        assert!(
            b.script(target)
                .await
                .as_str()
                .is_some_and(|t| t.starts_with("Sanctions"))
        );

        let results = search(&b, "open sess").await;
        assert_eq!(results[0]["crumbs"], "Governance");
        assert_eq!(results[0]["title"], "Meetings");
        assert_eq!(results[0]["heading"], "Open session");
        up_chooses_the_last_and_escape_closes(&b).await;
        b.assert_no_console_errors("after searching").await;
    })
    .await;
}

/// With results shown and none chosen, Up chooses the last; Escape closes
/// the list and forgets the choice.
async fn up_chooses_the_last_and_escape_closes(b: &Browser) {
    let input = b.find("#hb-search").await;
    input.send_keys(&Key::Up.to_string()).await.expect("up");
    let chosen = "return [document.querySelector('#hb-search').getAttribute('aria-activedescendant'), \
                  document.querySelectorAll('.search-result').length]";
    let chosen = b.script(chosen).await;
    assert_eq!(
        chosen[0],
        format!("hb-search-result-{}", chosen[1].as_u64().expect("n") - 1),
        "up from none is the last"
    );
    input
        .send_keys(&Key::Escape.to_string())
        .await
        .expect("escape");
    let closed = "return [document.querySelector('.search-panel').hidden, \
                  document.querySelector('#hb-search').hasAttribute('aria-activedescendant'), \
                  document.querySelector('#hb-search').getAttribute('aria-expanded')]";
    assert_eq!(b.script(closed).await, json!([true, false, "false"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn other_languages_are_found_and_titles_are_shown_as_text() {
    let test = HandbookTest::fixture("valid/search")
        .build()
        .assert_success();
    let server = SiteServer::start(test.root().join("site")).await;
    let base = server.url();
    with_browser(move |b| async move {
        b.open(&format!("{base}index.html")).await;
        b.script("window.alerted = false; window.alert = () => { window.alerted = true; }")
            .await;
        let results = search(&b, "zebrafish").await;
        assert_eq!(results[0]["title"], "<img src=x onerror=alert(1)>");
        let markup = "return document.querySelectorAll('.search-panel img').length";
        assert_eq!(b.script(markup).await, json!(0));
        assert_eq!(b.script("return window.alerted").await, json!(false));

        let results = search(&b, "DECISION").await;
        assert_eq!(results[0]["title"], "Decisiones", "diacritics folded");
        assert_eq!(results[0]["marked"], json!(["decisión"]));
        let results = search(&b, "総会").await;
        assert_eq!(results[0]["title"], "総会");
        let none = search(&b, "xylophone").await;
        assert!(none.is_empty());
        let status = b
            .script("return document.querySelector('.search-status').textContent")
            .await;
        assert_eq!(status, json!("No results for “xylophone”."));
        b.assert_no_console_errors("after searching").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn from_disk_the_search_box_says_it_needs_http() {
    let test = HandbookTest::fixture("valid/search")
        .build()
        .assert_success();
    let site = test
        .root()
        .join("site")
        .canonicalize()
        .expect("canonical site path");
    let page = format!("file://{}/index.html", site.display());
    with_browser(move |b| async move {
        b.open(&page).await;
        b.find("#hb-search")
            .await
            .click()
            .await
            .expect("click the box");
        let status = "return document.querySelector('.search-panel').hidden ? '' : \
                      document.querySelector('.search-status').textContent";
        let said = b
            .wait_for_script(status, |v| v.as_str().is_some_and(|s| !s.is_empty()))
            .await;
        assert!(
            said.as_str()
                .is_some_and(|s| s.contains("Search needs the published site")
                    && !s.contains("handbook serve")),
            "{said}"
        );
    })
    .await;
}

/// The section ids a site's index links to, by page: proves nothing is
/// indexed twice and every entry points at an id on its page.
#[test]
fn every_entry_links_to_an_id_on_its_page() {
    let test = HandbookTest::fixture("valid/search")
        .build()
        .assert_success();
    let site = test.root().join("site");
    let meta: Value = serde_json::from_str(&test.site_file("search/meta.json")).expect("JSON");
    let mut anchors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for i in 0..meta["pages"].as_u64().expect("pages") {
        let doc: Value = serde_json::from_str(&test.site_file(&format!("search/d/{i}-0.json")))
            .expect("a document");
        let url = doc["u"].as_str().expect("url").to_string();
        let html = std::fs::read_to_string(site.join(&url)).expect("the page exists");
        for section in doc["s"].as_array().expect("sections").iter().skip(1) {
            let id = section[0].as_str().expect("anchor");
            assert!(html.contains(&format!("id=\"{id}\"")), "{url} has no #{id}");
            anchors.entry(url.clone()).or_default().push(id.to_string());
        }
    }
    assert_eq!(anchors["governance/index.html"], ["sanctions", "appeals"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_open_tab_reads_the_index_afresh_after_a_new_build() {
    let test = HandbookTest::fixture("valid/search")
        .build()
        .assert_success();
    let root = test.root().to_path_buf();
    let server = SiteServer::start(root.join("site")).await;
    let base = server.url();
    with_browser(move |b| async move {
        b.open(&format!("{base}index.html")).await;
        assert_eq!(search(&b, "sanction").await[0]["title"], "Governance");
        let page = root.join("handbook/governance/meetings.md");
        let text = std::fs::read_to_string(&page).expect("read the page");
        std::fs::write(
            &page,
            format!("{text}\n## Quetzal\n\nA quetzal visits the open session.\n"),
        )
        .expect("edit the page");
        let rebuilt = crate::harness::handbook(&root, &["build", "--quiet"]);
        assert!(rebuilt.status.success(), "the rebuild succeeds");
        // Typed without focusing again: a file of the new index arrives
        // (the Meetings document) and the tab reads the new index.
        let typed = "const i = document.querySelector('#hb-search'); \
                     i.value = 'minutes'; i.dispatchEvent(new Event('input'));";
        b.script(typed).await;
        let first = "const l = document.querySelector('.search-results'); \
                     return l.dataset.query === 'minutes' && l.querySelector('.search-title') \
                     ? l.querySelector('.search-title').textContent : null";
        b.wait_for_script(first, |v| v == "Meetings").await;
        let stamps = "return performance.getEntriesByType('resource') \
                      .filter(e => e.name.includes('meta.json')).length";
        assert_eq!(
            b.script(stamps).await,
            json!(2),
            "meta.json read again once"
        );
        // Focused again later, the box checks for a newer index first.
        let results = search(&b, "quetzal").await;
        assert_eq!(results[0]["title"], "Meetings", "{results:?}");
        assert_eq!(results[0]["heading"], "Quetzal");
        b.assert_no_console_errors("after the index changed").await;
    })
    .await;
}

#[test]
fn protocols_and_spaces_are_findable_in_the_example() {
    let test = HandbookTest::example().build().assert_success();
    let index = readable_index(&test.root().join("site/latest"));
    let entries_of = |form: &str| -> String {
        index
            .lines()
            .find(|l| l.starts_with(&format!("{form} → ")))
            .unwrap_or_else(|| panic!("{form} is not indexed"))
            .to_string()
    };
    // A protocol by its title, its statement and its explicit id.
    assert!(entries_of("floss").contains("protocols.html#floss-only"));
    assert!(entries_of("standing").contains("protocols.html#one-member-one-vote"));
    assert!(entries_of("one").contains("protocols.html#one-member-one-vote"));
    // A space by its description on the Spaces page.
    assert!(entries_of("bigbluebutton").contains("spaces.html#rooms"));
}
