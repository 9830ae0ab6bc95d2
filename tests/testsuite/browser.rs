//! Real-browser tests: Debian's headless Chromium, driven through chromedriver,
//! opens the built example handbook, both served over HTTP (with a strict
//! `Content-Security-Policy: default-src 'self'`, so any inline script or style
//! becomes a console error) and straight from disk via `file://`. They prove that
//! the sidebar and the previous/next links lead to the right pages, that the
//! tabs and the theme toggle work, and that the browser's console stays free of
//! errors (read from chromedriver's browser log, not from an injected listener).
//! A machine without `chromium` and `chromium-driver` fails these tests.

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

use crate::harness::HandbookTest;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const INSTALL: &str = "install them with `apt-get install -y chromium chromium-driver`";
/// The header every served file carries: nothing inline may run or style,
/// except the 404 pages' one script (it drops their `<base>` on `file:`), by
/// its hash, as the guide tells a host with a strict policy to allow it.
const CSP: &str =
    "default-src 'self'; script-src 'self' 'sha256-lphB4JscMNpi5+ZuCrgZ3e2zKqKP0ytt18Jq4lNR8R4='";
/// How long to wait for chromedriver to listen, or for a page to arrive.
const DEADLINE: Duration = Duration::from_secs(10);
/// How long a whole test body may take before it is stopped, so a hang fails.
const TEST_LIMIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread")]
async fn follows_sidebar_and_previous_next_without_console_errors() {
    let test = HandbookTest::example().build().assert_success();
    let server = SiteServer::start(test.root().join("site")).await;
    // The example is versioned: `latest/` is the edition in force.
    let base = format!("{}latest/", server.url());
    with_browser(move |b| async move {
        b.open(&format!("{base}index.html")).await;
        let title = b.client.title().await.expect("title");
        assert_eq!(title, "Welcome · meet.coop handbook");
        assert_eq!(b.h1().await, "Welcome");
        assert_eq!(b.current_sidebar_entry().await, "Welcome");
        b.assert_no_console_errors("on index.html").await;

        // SUMMARY.md: "Principles" (1-principles/principles/README.md), then "Spaces".
        let principles = format!("{base}1-principles/principles/index.html");
        b.click(&b.sidebar_link("Principles").await, "the sidebar link")
            .await;
        b.wait_for_page(&principles).await;
        assert_eq!(b.h1().await, "Principles");
        assert_eq!(b.current_sidebar_entry().await, "Principles");
        b.assert_no_console_errors("after following the sidebar link")
            .await;

        b.click(&b.page_nav_link("next", "Spaces").await, "next")
            .await;
        b.wait_for_page(&format!("{base}1-principles/principles/spaces.html"))
            .await;
        assert_eq!(b.h1().await, "Spaces");
        assert_eq!(b.current_sidebar_entry().await, "Spaces");
        b.assert_no_console_errors("after following next").await;

        b.click(&b.page_nav_link("prev", "Principles").await, "previous")
            .await;
        b.wait_for_page(&principles).await;
        assert_eq!(b.h1().await, "Principles");
        assert_eq!(b.current_sidebar_entry().await, "Principles");
        b.assert_no_console_errors("after following previous").await;

        b.assert_console_errors_are_seen().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_example_page_loads_under_a_strict_csp_without_console_errors() {
    let test = HandbookTest::example().build().assert_success();
    let site = test.root().join("site");
    let mut pages: Vec<String> = walkdir::WalkDir::new(&site)
        .into_iter()
        .map(|e| e.expect("walk the site"))
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            e.path()
                .strip_prefix(&site)
                .expect("inside")
                .to_string_lossy()
                .into_owned()
        })
        // The root index.html only leads on to latest/ (a redirect).
        .filter(|page| page != "index.html")
        .collect();
    pages.sort();
    assert!(pages.len() > 20, "{pages:?}");
    let server = SiteServer::start(site).await;
    let base = server.url();
    with_browser(move |b| async move {
        for page in pages {
            b.open(&format!("{base}{page}")).await;
            b.assert_no_console_errors(&format!("on {page}")).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn page_works_from_disk() {
    let test = HandbookTest::example().build().assert_success();
    let site = test
        .root()
        .join("site")
        .canonicalize()
        .expect("canonical site path");
    let url = |path: &str| format!("file://{}/latest/{path}", site.display());
    let page = url("2-political-economy/commons-political-economy/provisioning-and-hosting.html");
    let target = url("2-political-economy/political-economy.html");
    with_browser(move |b| async move {
        b.open(&page).await;
        assert_eq!(b.h1().await, "Provisioning and hosting");
        let assets = "return document.documentElement.classList.contains('js') + ' ' + \
                      getComputedStyle(document.getElementById('hb-sidebar')).position";
        let loaded = b.script(assets).await;
        assert_eq!(
            loaded,
            json!("true sticky"),
            "theme.js ran and handbook.css applied"
        );
        b.assert_no_console_errors("on the page opened from disk")
            .await;

        let link =
            "//article[contains(@class, 'page-body')]//a[normalize-space(.) = 'Political economy']";
        let found = b.client.find(Locator::XPath(link)).await;
        let link =
            found.unwrap_or_else(|e| panic!("no link to Political economy in the body: {e}"));
        b.click(&link, "the body link").await;
        b.wait_for_page(&target).await;
        assert_eq!(b.h1().await, "Political economy");
        b.assert_no_console_errors("after following a link on disk")
            .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_root_not_found_page_is_styled_from_disk() {
    let test = HandbookTest::example().build().assert_success();
    let site = test
        .root()
        .join("site")
        .canonicalize()
        .expect("canonical site path");
    let page = format!("file://{}/404.html", site.display());
    with_browser(move |b| async move {
        b.open(&page).await;
        let styled = "return getComputedStyle(document.getElementById('hb-sidebar')).position \
                      + ' ' + document.querySelectorAll('base').length";
        assert_eq!(
            b.script(styled).await,
            json!("sticky 0"),
            "handbook.css applied and the <base> dropped on disk"
        );
        let scripts = "return typeof window.HANDBOOK_NAV";
        assert_eq!(
            b.script(scripts).await,
            json!("object"),
            "navigation.js ran"
        );
        let home = "return document.querySelector('.site-title').href";
        let home = b.script(home).await;
        let home = home.as_str().expect("a link home");
        assert!(
            home.ends_with("/site/latest/index.html"),
            "the title leads into the lead version: {home}"
        );
        // The preload scanner fetches with the `<base>` before the inline
        // script drops it (a host's strict CSP blocks that script, and there
        // the base is what the page needs); only those guesses may fail.
        let log = b.console_log().await;
        let errors: Vec<&Value> = log
            .iter()
            .filter(|e| e["level"] == "SEVERE")
            .filter(|e| {
                let message = e["message"].as_str().unwrap_or("");
                !(message.starts_with("file:///latest/") && message.contains("ERR_FILE_NOT_FOUND"))
            })
            .collect();
        assert!(
            errors.is_empty(),
            "console errors on the root 404 page: {errors:#?}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_root_not_found_page_is_styled_at_any_depth_under_a_strict_csp() {
    let test = HandbookTest::example().build().assert_success();
    let server = SiteServer::start(test.root().join("site")).await;
    let page = format!("{}no/such/deep/page", server.url());
    let home = format!("{}latest/index.html", server.url());
    with_browser(move |b| async move {
        b.open(&page).await;
        let styled = "return getComputedStyle(document.getElementById('hb-sidebar')).position";
        assert_eq!(
            b.script(styled).await,
            json!("sticky"),
            "handbook.css applied"
        );
        let link = "return document.querySelector('.site-title').href";
        assert_eq!(b.script(link).await, json!(home), "the title leads home");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_edition_switcher_closes_on_escape_and_on_a_click_outside() {
    let test = HandbookTest::example().build().assert_success();
    let server = SiteServer::start(test.root().join("site")).await;
    let page = format!("{}latest/index.html", server.url());
    with_browser(move |b| async move {
        b.open(&page).await;
        let open = "return document.querySelector('.version-switcher').open";
        let summary = b.find(".version-switcher > summary").await;
        b.click(&summary, "the switcher").await;
        assert_eq!(b.script(open).await, json!(true), "a click opens it");
        summary
            .send_keys(&fantoccini::key::Key::Escape.to_string())
            .await
            .expect("press Escape");
        assert_eq!(b.script(open).await, json!(false), "Escape closes it");
        let focused = "return document.activeElement.matches('.version-switcher > summary')";
        assert_eq!(b.script(focused).await, json!(true), "focus back on it");
        b.click(&summary, "the switcher").await;
        assert_eq!(b.script(open).await, json!(true));
        let outside = b.find("main h1").await;
        b.click(&outside, "the page's heading").await;
        assert_eq!(
            b.script(open).await,
            json!(false),
            "a click outside closes it"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tabs_and_theme_toggle_work() {
    let test = HandbookTest::example().build().assert_success();
    let server = SiteServer::start(test.root().join("site")).await;
    // handbook/contributing.md holds the example's only `{% tabs %}` block.
    let page = format!("{}latest/contributing.html", server.url());
    with_browser(move |b| async move {
        b.open(&page).await;
        let tabs = b.find_all(".tabs > [role=tablist] > [role=tab]").await;
        let mut names = Vec::new();
        for tab in &tabs {
            names.push(tab.text().await.expect("tab name"));
        }
        assert_eq!(
            names,
            ["On the forum", "In the repository", "At a commons.hour"]
        );
        let panels = b.find_all(".tabs > [role=tabpanel]").await;
        assert_eq!(
            displayed(&panels).await,
            [true, false, false],
            "the first tab is open"
        );

        b.click(&tabs[1], "the second tab").await;
        assert_eq!(
            displayed(&panels).await,
            [false, true, false],
            "the second tab is open"
        );
        let selected = tabs[1].attr("aria-selected").await.expect("aria-selected");
        assert_eq!(selected.as_deref(), Some("true"));
        let text = panels[1].text().await.expect("panel text");
        assert!(
            text.contains("git repository"),
            "the second panel's text: {text}"
        );

        let theme = "return document.documentElement.dataset.theme ?? null";
        let before = b.script(theme).await;
        let toggle = b.find(".theme-toggle").await;
        b.click(&toggle, "the theme toggle").await;
        let after = b.script(theme).await;
        assert_ne!(after, before, "the toggle changed the theme");
        let other = match after.as_str() {
            Some("dark") => "light",
            Some("light") => "dark",
            _ => panic!("the toggle set no theme: {after}"),
        };
        b.click(&toggle, "the theme toggle again").await;
        assert_eq!(b.script(theme).await, json!(other), "the toggle flips back");

        b.client.refresh().await.expect("reload");
        assert_eq!(
            b.script(theme).await,
            json!(other),
            "the choice survives a reload"
        );
        b.assert_no_console_errors("on the tabs page").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_open_tab_shows_a_saved_edit_and_the_problems_overlay_by_itself() {
    let test = HandbookTest::example();
    let root = test.root().to_path_buf();
    let server = dev_server(&root).await;
    let page = format!("{}latest/contributing.html", server.url());
    let file = root.join("handbook/contributing.md");
    with_browser(move |b| async move {
        b.open(&page).await;
        let original = std::fs::read_to_string(&file).expect("the page's source");
        std::fs::write(&file, format!("{original}\nA sentence saved just now.\n"))
            .expect("edit the page");
        b.wait_for_text("A sentence saved just now.").await;
        assert_eq!(b.h1().await, "Contributing to this handbook");

        std::fs::write(&file, format!("{original}\n[Broken](no-such-page.md)\n"))
            .expect("break a link");
        let overlay = "return document.getElementById('handbook-problems')?.innerText ?? ''";
        let shown = b
            .wait_for_script(overlay, |v| v.as_str().is_some_and(|t| !t.is_empty()))
            .await;
        let shown = shown.as_str().unwrap_or_default().to_string();
        assert!(shown.contains("handbook/contributing.md:"), "{shown}");
        assert!(shown.contains("no-such-page.md"), "{shown}");
        assert!(!shown.contains('`'), "code is shown as code: {shown}");
        assert!(
            b.body_text().await.contains("A sentence saved just now."),
            "the last good page stays"
        );

        std::fs::write(&file, format!("{original}\nFixed and saved.\n")).expect("fix the page");
        b.wait_for_text("Fixed and saved.").await;
        b.wait_for_script(overlay, |v| v == "").await;
        b.assert_no_console_errors("while reloading live").await;
    })
    .await;
    tokio::task::spawn_blocking(move || server.stop())
        .await
        .expect("stop the server");
}

/// Chromium opens at most six connections to one host, and each open page
/// of the dev server listens for reloads: pages left in one tab (kept in the
/// back/forward cache) and pages open in other tabs must not hold one each,
/// or the seventh page never loads.
#[tokio::test(flavor = "multi_thread")]
async fn serve_keeps_loading_pages_in_one_tab_and_in_eight() {
    let test = HandbookTest::example();
    let root = test.root().to_path_buf();
    let server = dev_server(&root).await;
    let base = format!("{}latest/", server.url());
    let file = root.join("handbook/contributing.md");
    with_browser(move |b| async move {
        b.open(&format!("{base}index.html")).await;
        let links = "return [...new Set([...document.querySelectorAll('#hb-sidebar a')]\
                     .map((a) => a.href.split('#')[0]))].slice(0, 10)";
        let pages: Vec<String> = serde_json::from_value(b.script(links).await).expect("links");
        assert_eq!(pages.len(), 10, "{pages:?}");
        for page in &pages {
            b.open(page).await;
        }
        let contributing = format!("{base}contributing.html");
        let mut tabs = Vec::new();
        for _ in 0..8 {
            let tab = b.client.new_window(true).await.expect("a new tab").handle;
            b.client.switch_to_window(tab.clone()).await.expect("to it");
            b.open(&contributing).await;
            tabs.push(tab);
        }
        let original = std::fs::read_to_string(&file).expect("the page's source");
        std::fs::write(&file, format!("{original}\nSeen in every tab.\n")).expect("edit");
        for tab in tabs {
            b.client.switch_to_window(tab).await.expect("to the tab");
            b.wait_for_text("Seen in every tab.").await;
        }
        b.assert_no_console_errors("with eight tabs open").await;
    })
    .await;
    tokio::task::spawn_blocking(move || server.stop())
        .await
        .expect("stop the server");
}

/// `handbook serve` on the project at `root`, on a free port.
async fn dev_server(root: &Path) -> handbook::serve::Server {
    let options = handbook::serve::ServeOptions {
        project: handbook::BuildOptions {
            root: root.to_path_buf(),
            ..handbook::BuildOptions::default()
        },
        bind: [127, 0, 0, 1].into(),
        port: 0,
        write_protocols: false,
    };
    tokio::task::spawn_blocking(move || {
        handbook::serve::Server::start(&options, Box::new(|_| {})).expect("serve")
    })
    .await
    .expect("start the server")
}

/// Whether each element is displayed.
async fn displayed(elements: &[Element]) -> Vec<bool> {
    let mut shown = Vec::new();
    for element in elements {
        shown.push(element.is_displayed().await.expect("is displayed"));
    }
    shown
}

/// Starts chromedriver and a Chromium session, runs `body`, then always ends
/// the session and chromedriver before passing on `body`'s panic, if any.
pub(crate) async fn with_browser<F, Fut>(body: F)
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let driver = Driver::start().await;
    let browser = driver.connect().await;
    let task = tokio::spawn(body(browser.clone()));
    let abort = task.abort_handle();
    let outcome = tokio::time::timeout(TEST_LIMIT, task).await;
    abort.abort();
    browser
        .client
        .close()
        .await
        .expect("end the browser session");
    driver.stop().await;
    match outcome {
        Err(_) => panic!("the browser test took longer than {TEST_LIMIT:?}"),
        Ok(Err(error)) => std::panic::resume_unwind(error.into_panic()),
        Ok(Ok(())) => {}
    }
}

/// A running chromedriver, killed when dropped, with the Chromium profile it uses.
struct Driver {
    process: Child,
    addr: SocketAddr,
    profile: tempfile::TempDir,
}

impl Driver {
    /// Starts chromedriver on a free port and waits until it accepts connections.
    async fn start() -> Self {
        for binary in [CHROMIUM, CHROMEDRIVER] {
            assert!(Path::new(binary).exists(), "{binary} not found: {INSTALL}");
        }
        let addr = free_port();
        let mut process = Command::new(CHROMEDRIVER)
            .arg(format!("--port={}", addr.port()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("start {CHROMEDRIVER}: {e}; {INSTALL}"));
        let started = Instant::now();
        while TcpStream::connect(addr).await.is_err() {
            if let Some(status) = process.try_wait().expect("chromedriver status") {
                panic!("chromedriver exited with {status} before listening on {addr}");
            }
            assert!(
                started.elapsed() < DEADLINE,
                "chromedriver did not listen on {addr}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let profile = tempfile::tempdir().expect("temp Chromium profile");
        Self {
            process,
            addr,
            profile,
        }
    }

    /// Opens a headless Chromium session that records the browser's console.
    async fn connect(&self) -> Browser {
        let user_data = format!("--user-data-dir={}", self.profile.path().display());
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-quic", user_data,
                ],
            },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("an object literal")
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://{}", self.addr))
            .await
            .unwrap_or_else(|e| panic!("start a Chromium session through chromedriver: {e}"));
        // Wide enough that the sidebar is a column, not the narrow-screen drawer.
        client
            .set_window_size(1280, 900)
            .await
            .expect("set the window size");
        Browser {
            client,
            driver: self.addr,
        }
    }

    /// Kills chromedriver and waits for it (the session is ended first).
    async fn stop(mut self) {
        self.process.kill().await.expect("kill chromedriver");
    }
}

/// A port nobody listens on right now.
fn free_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address")
}

/// A Chromium session, and where to reach its chromedriver for the console log.
#[derive(Clone)]
pub(crate) struct Browser {
    pub(crate) client: Client,
    driver: SocketAddr,
}

impl Browser {
    /// Navigates to `url` and waits for it to load.
    pub(crate) async fn open(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
        self.wait_for_page(url).await;
    }

    /// Waits until the browser shows `url`, fully loaded.
    pub(crate) async fn wait_for_page(&self, url: &str) {
        let started = Instant::now();
        loop {
            let now = self.client.current_url().await.expect("current url");
            // A script may fail while one document replaces another: not ready yet.
            let state = self.client.execute("return document.readyState", vec![]);
            let ready = state.await.unwrap_or(Value::Null);
            if now.as_str() == url && ready == "complete" {
                return;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "expected {url}, still at {now} (ready state {ready})"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Scrolls `element` to the middle of the window at once, then clicks it:
    /// the theme scrolls smoothly, and a click during the scroll may miss.
    pub(crate) async fn click(&self, element: &Element, what: &str) {
        let arg = serde_json::to_value(element).expect("an element as a script argument");
        let scroll = "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})";
        let scrolled = self.client.execute(scroll, vec![arg]).await;
        scrolled.unwrap_or_else(|e| panic!("scroll to {what}: {e}"));
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {what}: {e}"));
    }

    /// Runs `script` in the page and returns its result.
    pub(crate) async fn script(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    /// The first element matching `css`.
    pub(crate) async fn find(&self, css: &str) -> Element {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"))
    }

    /// Every element matching `css`.
    pub(crate) async fn find_all(&self, css: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"))
    }

    /// The page's visible text.
    async fn body_text(&self) -> String {
        let text = self.script("return document.body.innerText").await;
        text.as_str().unwrap_or_default().to_string()
    }

    /// Waits until the page shows `text` (the tab reloads by itself).
    async fn wait_for_text(&self, text: &str) {
        let started = Instant::now();
        loop {
            let body = self
                .client
                .execute("return document.body.innerText", vec![]);
            if body
                .await
                .is_ok_and(|v| v.as_str().is_some_and(|t| t.contains(text)))
            {
                return;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "the page never showed {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until `script` gives a value `wanted` accepts; gives it.
    pub(crate) async fn wait_for_script(
        &self,
        script: &str,
        wanted: impl Fn(&Value) -> bool,
    ) -> Value {
        let started = Instant::now();
        loop {
            let value = self
                .client
                .execute(script, vec![])
                .await
                .unwrap_or(Value::Null);
            if wanted(&value) {
                return value;
            }
            assert!(started.elapsed() < DEADLINE, "{script} gave {value}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The text of the page's H1.
    pub(crate) async fn h1(&self) -> String {
        self.find("main h1").await.text().await.expect("h1 text")
    }

    /// The sidebar link whose text is `title`.
    async fn sidebar_link(&self, title: &str) -> Element {
        let xpath = format!("//nav[@id='hb-sidebar']//a[normalize-space(.) = '{title}']");
        let found = self.client.find(Locator::XPath(&xpath)).await;
        found.unwrap_or_else(|e| panic!("no sidebar link {title:?}: {e}"))
    }

    /// The text of the sidebar entry marked `aria-current="page"`.
    async fn current_sidebar_entry(&self) -> String {
        let current = self.find("#hb-sidebar a[aria-current=page]").await;
        current.text().await.expect("current entry text")
    }

    /// The previous or next link (`rel`), checked to name `title`.
    async fn page_nav_link(&self, rel: &str, title: &str) -> Element {
        let link = self.find(&format!("nav.page-nav a[rel={rel}]")).await;
        let text = link.text().await.expect("page-nav link text");
        assert!(
            text.ends_with(title),
            "the {rel} link names {title:?}: {text:?}"
        );
        link
    }

    /// The console entries logged since the last call, from chromedriver's
    /// legacy `POST /session/{id}/se/log` (fantoccini has no log command).
    async fn console_log(&self) -> Vec<Value> {
        let id = self
            .client
            .session_id()
            .await
            .expect("session id")
            .expect("a session");
        let body = r#"{"type":"browser"}"#;
        let request = format!(
            "POST /session/{id}/se/log HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.driver,
            body.len()
        );
        let (head, body) = http_exchange(self.driver, &request).await;
        assert!(
            head.starts_with("HTTP/1.1 200"),
            "chromedriver refused the log request:\n{head}\n{body}"
        );
        let json: Value = serde_json::from_str(&body).expect("the log is JSON");
        json["value"]
            .as_array()
            .unwrap_or_else(|| panic!("no log entries in {json}"))
            .clone()
    }

    /// Asserts the console holds no SEVERE entry (errors, refused resources,
    /// CSP violations).
    pub(crate) async fn assert_no_console_errors(&self, context: &str) {
        let log = self.console_log().await;
        let errors: Vec<&Value> = log.iter().filter(|e| e["level"] == "SEVERE").collect();
        assert!(errors.is_empty(), "console errors {context}: {errors:#?}");
    }

    /// Proves the log is really read: an error logged now must come back.
    async fn assert_console_errors_are_seen(&self) {
        self.script("console.error('browser test canary')").await;
        let log = self.console_log().await;
        let seen = log.iter().any(|e| {
            e["level"] == "SEVERE"
                && e["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("browser test canary"))
        });
        assert!(seen, "a console.error was not in the browser log: {log:#?}");
    }
}

/// Sends one HTTP/1.1 request and returns the response's head and body.
/// The body is read by its Content-Length: chromedriver says `Connection: close`
/// but keeps the connection open.
async fn http_exchange(addr: SocketAddr, request: &str) -> (String, String) {
    let stream = TcpStream::connect(addr)
        .await
        .expect("connect to chromedriver");
    write_all(&stream, request.as_bytes())
        .await
        .expect("send the request");
    let mut response = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        if let Some(end) = response.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&response[..end]).into_owned();
            let length = content_length(&head).unwrap_or_else(|| panic!("no length in {head}"));
            let body = &response[end + 4..];
            if body.len() >= length {
                return (
                    head,
                    String::from_utf8(body.to_vec()).expect("a UTF-8 body"),
                );
            }
        }
        match read_some(&stream, &mut buffer)
            .await
            .expect("read the response")
        {
            0 => panic!("chromedriver closed the connection mid-response"),
            n => response.extend_from_slice(&buffer[..n]),
        }
    }
}

/// The Content-Length header's value.
fn content_length(head: &str) -> Option<usize> {
    head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        let length = name.trim().eq_ignore_ascii_case("content-length");
        length.then(|| value.trim().parse().ok()).flatten()
    })
}

/// Reads what has arrived (0 at the end of the stream). Tokio's `io-util`
/// feature is off, so this and `write_all` use the readiness API of `net`.
async fn read_some(stream: &TcpStream, buffer: &mut [u8]) -> std::io::Result<usize> {
    loop {
        stream.readable().await?;
        match stream.try_read(buffer) {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            done => return done,
        }
    }
}

/// Writes all of `bytes`.
async fn write_all(stream: &TcpStream, mut bytes: &[u8]) -> std::io::Result<()> {
    while !bytes.is_empty() {
        stream.writable().await?;
        match stream.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A static file server for a built site on 127.0.0.1, stopped when dropped.
pub(crate) struct SiteServer {
    addr: SocketAddr,
    prefix: String,
    task: JoinHandle<()>,
}

impl SiteServer {
    pub(crate) async fn start(root: PathBuf) -> Self {
        Self::start_at(root, "/").await
    }

    /// Serves the site under a path prefix (`/deep/prefix/`), as a host
    /// that publishes it below its root does.
    pub(crate) async fn start_at(root: PathBuf, prefix: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the site server");
        let addr = listener.local_addr().expect("server address");
        let mounted = prefix.to_string();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve_one(stream, root.clone(), mounted.clone()));
            }
        });
        Self {
            addr,
            prefix: prefix.to_string(),
            task,
        }
    }

    /// The site's root URL, ending in `/`.
    pub(crate) fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.prefix)
    }
}

impl Drop for SiteServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Answers one request: the file under `root` with its type, or 404.
async fn serve_one(stream: TcpStream, root: PathBuf, prefix: String) {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 65536 {
        match read_some(&stream, &mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let request = String::from_utf8_lossy(&request);
    let mut words = request.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let found = match method {
        "GET" | "HEAD" => target
            .strip_prefix(prefix.trim_end_matches('/'))
            .and_then(|target| site_file(&root, target)),
        _ => None,
    };
    let (status, content_type, body) = match found {
        Some((content_type, body)) => ("200 OK", content_type, body),
        // As GitHub Pages does: the site's own 404.html at any missing path.
        None => (
            "404 Not Found",
            "text/html; charset=utf-8",
            std::fs::read(root.join("404.html")).unwrap_or_else(|_| b"not found\n".to_vec()),
        ),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Content-Security-Policy: {CSP}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut response = head.into_bytes();
    if method == "GET" {
        response.extend_from_slice(&body);
    }
    // The browser may have gone away; there is nobody to tell.
    let _ = write_all(&stream, &response).await;
}

/// The content type and bytes of the file `target` names under `root`, if
/// it is one of the types a built site serves. Targets with `..` or
/// %-escapes are refused (the example's paths need neither).
fn site_file(root: &Path, target: &str) -> Option<(&'static str, Vec<u8>)> {
    let path = target.split(['?', '#']).next()?.strip_prefix('/')?;
    if path
        .split('/')
        .any(|part| part == ".." || part.contains('%'))
    {
        return None;
    }
    let mut file = root.join(path);
    if path.is_empty() || path.ends_with('/') {
        file.push("index.html");
    }
    let content_type = match file.extension()?.to_str()? {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "txt" => "text/plain; charset=utf-8",
        _ => return None,
    };
    Some((content_type, std::fs::read(file).ok()?))
}
