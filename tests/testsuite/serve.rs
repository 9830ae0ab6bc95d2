//! `handbook serve` in-process on port 0: edits are served and announced,
//! errors keep the last good site and reach the overlay's data, traversal is
//! refused, HTTP behaves (types, HEAD, 304, 404, 405, many clients), notes
//! update the register live and `protocols/` only on request, and after a
//! burst of edits the served site equals a fresh start's. Requests are
//! written by hand over TCP so that no client tidies a path first.

use crate::harness::HandbookTest;
use handbook::BuildOptions;
use handbook::serve::http::Limits;
use handbook::serve::{ServeOptions, Server};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long anything may take to arrive.
const DEADLINE: Duration = Duration::from_secs(20);

const CONFIG: &str = "title: Live\nbase-url: https://e.org\nspaces:\n  - id: forum\n    title: Forum\n    kind: media\n    url: https://forum.example.org\n";
const RULES: &str = "# Rules\n\n## Voting\n\nWe vote.\n\n> `Note: Derive protocols`\n>\n> - **Quorum** — A vote needs half the members.\n";

/// A small unversioned project with a note and a link to a heading.
fn project() -> HandbookTest {
    HandbookTest::empty()
        .file("handbook.yaml", CONFIG)
        .file(
            "handbook/SUMMARY.md",
            "# Summary\n\n- [Home](README.md)\n- [Rules](rules.md)\n- [Other](other.md)\n",
        )
        .file(
            "handbook/README.md",
            "# Home\n\nWelcome. See [the vote](rules.md#voting).\n",
        )
        .file("handbook/rules.md", RULES)
        .file("handbook/other.md", "# Other\n\nText.\n")
        .run(&["protocols"])
        .assert_success()
}

fn options(root: &Path, write_protocols: bool) -> ServeOptions {
    ServeOptions {
        project: BuildOptions {
            root: root.to_path_buf(),
            ..BuildOptions::default()
        },
        bind: [127, 0, 0, 1].into(),
        port: 0,
        write_protocols,
    }
}

fn serve(root: &Path, write_protocols: bool) -> Server {
    Server::start(&options(root, write_protocols), Box::new(|_| {})).expect("the server starts")
}

fn write(root: &Path, path: &str, text: &str) {
    std::fs::write(root.join(path), text).expect("write a source file");
}

/// A response, read whole.
struct Response {
    status: u16,
    head: String,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_string())
        })
    }
}

/// One request written by hand (`path` exactly as given).
fn request(addr: SocketAddr, method: &str, path: &str, headers: &str) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
    let text = format!("{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{headers}\r\n");
    stream.write_all(text.as_bytes()).expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the response");
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Response {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

fn get(addr: SocketAddr, path: &str) -> Response {
    request(addr, "GET", path, "")
}

/// The live-reload event stream, as a tab sees it.
struct Events(BufReader<TcpStream>);

impl Events {
    /// Connects and reads the first event (the problems now), so that
    /// every later event is seen.
    fn open(addr: SocketAddr) -> (Self, String) {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
        let text =
            "GET /__handbook/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n";
        stream.write_all(text.as_bytes()).expect("send");
        let mut events = Self(BufReader::new(stream));
        let (kind, data) = events.next();
        assert_eq!(kind, "problems");
        (events, data)
    }

    /// The next event's kind and data (keep-alive comments skipped).
    fn next(&mut self) -> (String, String) {
        let (mut kind, mut data) = (String::new(), String::new());
        let started = Instant::now();
        loop {
            assert!(started.elapsed() < DEADLINE, "no event in time");
            let mut line = String::new();
            let read = self.0.read_line(&mut line).expect("an event in time");
            assert!(read > 0, "the event stream ended");
            let line = line.trim_end();
            if let Some(value) = line.strip_prefix("event:") {
                kind = value.trim().to_string();
            } else if let Some(value) = line.strip_prefix("data:") {
                data = value.trim().to_string();
            } else if line.is_empty() && !kind.is_empty() {
                return (kind, data);
            }
        }
    }

    /// Skips events until one of `kind` whose data satisfies `wanted`.
    fn wait_for(&mut self, kind: &str, wanted: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            assert!(started.elapsed() < DEADLINE, "no `{kind}` event as wanted");
            let (k, data) = self.next();
            if k == kind && wanted(&data) {
                return data;
            }
        }
    }
}

/// Polls until `done` holds.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < DEADLINE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[test]
fn an_edited_page_is_served_changed_and_its_tabs_are_told() {
    let test = project();
    let server = serve(test.root(), false);
    let addr = server.addr();
    let home = get(addr, "/index.html").body;
    assert!(
        home.contains("/__handbook/live.js"),
        "pages load the reload script"
    );
    let (mut events, problems) = Events::open(addr);
    assert_eq!(problems, "[]");

    write(
        test.root(),
        "handbook/other.md",
        "# Other\n\nFresh words.\n",
    );
    let reload = events.wait_for("reload", |d| d.contains("other.html"));
    assert_eq!(reload, r#"["/other.html"]"#, "only the edited page reloads");
    assert!(get(addr, "/other.html").body.contains("Fresh words."));
    assert_eq!(
        get(addr, "/index.html").body,
        home,
        "other pages are as they were"
    );
    server.stop();
}

#[test]
fn a_build_error_keeps_the_last_good_site_and_is_shown_until_fixed() {
    let test = project();
    let server = serve(test.root(), false);
    let addr = server.addr();
    let (mut events, _) = Events::open(addr);
    let home = get(addr, "/index.html").body;
    assert!(home.contains("rules.html#voting"));

    // Renaming the heading breaks the home page's link to it.
    write(
        test.root(),
        "handbook/rules.md",
        &RULES.replace("## Voting", "## Votes"),
    );
    let problems = events.wait_for("problems", |d| d != "[]");
    let shown: serde_json::Value = serde_json::from_str(&problems).expect("problems as JSON");
    let first = &shown[0];
    let place = first["place"].as_str().unwrap_or_default();
    assert!(place.ends_with("handbook/README.md:3:14"), "{problems}");
    assert_eq!(first["severity"], "error");
    assert!(
        first["message"].as_str().unwrap_or("").contains("#voting"),
        "{problems}"
    );
    assert!(
        first["help"].as_str().unwrap_or("").contains("votes"),
        "{problems}"
    );
    assert_eq!(
        get(addr, "/index.html").body,
        home,
        "the last good page stays"
    );
    assert!(get(addr, "/rules.html").body.contains("id=\"voting\""));

    write(
        test.root(),
        "handbook/README.md",
        "# Home\n\nWelcome. See [the vote](rules.md#votes).\n",
    );
    events.wait_for("problems", |d| d == "[]");
    assert!(get(addr, "/index.html").body.contains("rules.html#votes"));
    assert!(get(addr, "/rules.html").body.contains("id=\"votes\""));
    server.stop();
}

#[test]
fn a_panic_in_a_rebuild_is_shown_and_the_next_save_is_served() {
    let test = project();
    // The reporter is told from inside each rebuild: panicking there once
    // is a panic in a rebuild, as a bug in a stage would be.
    let told = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&told);
    let report = Box::new(move |_: &handbook::serve::Update| {
        // Call 0 is the first build's, before anything is watched.
        if counter.fetch_add(1, Ordering::SeqCst) == 1 {
            panic!("a bug in a rebuild");
        }
    });
    let server = Server::start(&options(test.root(), false), report).expect("the server starts");
    let addr = server.addr();
    let (mut events, _) = Events::open(addr);

    write(test.root(), "handbook/other.md", "# Other\n\nFirst save.\n");
    let problems = events.wait_for("problems", |d| d != "[]");
    assert!(problems.contains("a bug in a rebuild"), "{problems}");

    write(
        test.root(),
        "handbook/other.md",
        "# Other\n\nSecond save.\n",
    );
    events.wait_for("problems", |d| d == "[]");
    wait_until("the second save served", || {
        get(addr, "/other.html").body.contains("Second save.")
    });
    // The first build, the panicking rebuild, then at least the new
    // session's: the reporter is told again after the panic.
    assert!(
        told.load(Ordering::SeqCst) >= 3,
        "rebuilds after the panic are reported"
    );
    server.stop();
}

#[test]
fn a_template_error_keeps_the_site_and_fixing_the_theme_recovers() {
    let test = project();
    let theme = test.root().join("themes/default/templates");
    std::fs::create_dir_all(&theme).expect("theme folder");
    let page = crate::harness::repo_root().join("themes/default/templates/page.html");
    let good = std::fs::read_to_string(page).expect("the default page template");
    std::fs::write(theme.join("page.html"), &good).expect("override");
    let server = serve(test.root(), false);
    let addr = server.addr();
    let (mut events, _) = Events::open(addr);
    let before = get(addr, "/other.html").body;

    std::fs::write(theme.join("page.html"), "{% if %}broken").expect("break the theme");
    let problems = events.wait_for("problems", |d| d != "[]");
    assert!(problems.contains("page.html"), "{problems}");
    assert_eq!(get(addr, "/other.html").body, before);

    std::fs::write(
        theme.join("page.html"),
        good.replace("</article>", "<p>Theme edited.</p></article>"),
    )
    .expect("fix the theme");
    events.wait_for("problems", |d| d == "[]");
    wait_until("the new theme", || {
        get(addr, "/other.html").body.contains("Theme edited.")
    });
    server.stop();
}

#[test]
fn traversal_in_any_form_is_refused_and_links_out_are_not_served() {
    let test = project();
    let outside = tempfile::tempdir().expect("a folder outside the project");
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "SECRET-OUTSIDE").expect("secret");
    std::os::unix::fs::symlink(&secret, test.root().join("handbook/leak.txt")).expect("link");
    std::os::unix::fs::symlink(&secret, test.root().join("handbook/leak.md")).expect("link");
    let server = serve(test.root(), false);
    let addr = server.addr();
    for path in [
        "/../handbook.yaml",
        "/../../../../etc/passwd",
        "/%2e%2e/handbook.yaml",
        "/%2E%2E%2Fhandbook.yaml",
        "/a/%2e%2e/%2e%2e/handbook.yaml",
        "/..%5chandbook.yaml",
        "/%00index.html",
        "//etc/passwd",
        "/leak.txt",
        "/leak.html",
        "/handbook.yaml",
        "/handbook/rules.md",
    ] {
        let response = get(addr, path);
        assert!(
            matches!(response.status, 400 | 404),
            "{path}: {}",
            response.status
        );
        assert!(!response.body.contains("SECRET-OUTSIDE"), "{path}");
        assert!(!response.body.contains("base-url"), "{path}");
    }
    // A page replaced by a link out of the project is not read through it:
    // the SUMMARY entry now names a page left out, which proves the change
    // was handled.
    let (mut events, _) = Events::open(addr);
    std::fs::remove_file(test.root().join("handbook/other.md")).expect("remove");
    std::os::unix::fs::symlink(&secret, test.root().join("handbook/other.md")).expect("link");
    events.wait_for("problems", |d| d.contains("other.md"));
    for (path, bytes) in server.site().snapshot() {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("SECRET-OUTSIDE"),
            "{path}"
        );
    }
    server.stop();
}

#[test]
fn extensionless_urls_are_answered_as_static_hosts_answer_them() {
    let test = HandbookTest::empty()
        .file("handbook.yaml", CONFIG)
        .file(
            "handbook/SUMMARY.md",
            "# Summary\n\n- [Home](README.md)\n- [Other](other.md)\n- [Guide](guide/README.md)\n",
        )
        .file("handbook/README.md", "# Home\n\nWelcome.\n")
        .file("handbook/other.md", "# Other\n\nText.\n")
        .file("handbook/guide/README.md", "# Guide\n\nText.\n")
        .run(&["protocols"])
        .assert_success();
    let server = serve(test.root(), false);
    let addr = server.addr();
    let bookmarked = get(addr, "/other");
    assert_eq!(bookmarked.status, 200, "a GitBook reader's bookmark");
    assert_eq!(bookmarked.body, get(addr, "/other.html").body);
    assert_eq!(
        bookmarked.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let folder = get(addr, "/guide");
    assert_eq!(folder.status, 308, "a folder is redirected to its index");
    assert_eq!(folder.header("location").as_deref(), Some("/guide/"));
    assert_eq!(get(addr, "/guide/").status, 200);
    assert_eq!(get(addr, "/other/").status, 404, "a page is not a folder");
    assert_eq!(get(addr, "/nothing").status, 404);
    server.stop();
}

#[test]
fn http_types_head_validators_not_found_and_many_clients() {
    let test = project();
    let server = serve(test.root(), false);
    let addr = server.addr();
    let page = get(addr, "/other.html");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let css = get(addr, "/static/handbook.css");
    assert_eq!(
        css.header("content-type").as_deref(),
        Some("text/css; charset=utf-8")
    );
    let head = request(addr, "HEAD", "/other.html", "");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body");
    assert_eq!(
        head.header("content-length"),
        Some(page.body.len().to_string())
    );
    let etag = page.header("etag").expect("an ETag");
    let again = request(
        addr,
        "GET",
        "/other.html",
        &format!("If-None-Match: {etag}\r\n"),
    );
    assert_eq!(again.status, 304);
    let missing = get(addr, "/no/such/page.html");
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("/__handbook/live.js"),
        "the theme's 404 page"
    );
    assert_eq!(request(addr, "POST", "/other.html", "").status, 405);
    assert_eq!(get(addr, "/").status, 200, "the folder's index");

    let clients: Vec<_> = (0..32)
        .map(|_| {
            std::thread::spawn(move || {
                let _events = Events::open(addr);
                (0..10).all(|_| get(addr, "/rules.html").status == 200)
            })
        })
        .collect();
    for client in clients {
        assert!(client.join().expect("a client"), "every client is served");
    }
    server.stop();
}

#[test]
fn idle_connections_are_closed_after_the_header_timeout_and_starve_no_request() {
    let test = project();
    let limits = Limits {
        header_timeout: Duration::from_secs(1),
        connections: 128,
    };
    let server = Server::start_with(&options(test.root(), false), Box::new(|_| {}), limits)
        .expect("the server starts");
    let addr = server.addr();
    let (mut events, _) = Events::open(addr);
    // More clients than the cap, each stopped inside its request line.
    let idle: Vec<TcpStream> = (0..200)
        .map(|_| {
            let mut stream = TcpStream::connect(addr).expect("connect");
            stream
                .write_all(b"GET /other.ht")
                .expect("half a request line");
            stream
        })
        .collect();
    assert_eq!(
        get(addr, "/other.html").status,
        200,
        "a request is served despite the idle connections"
    );
    for (i, mut stream) in idle.into_iter().enumerate() {
        assert!(
            closed_by_server(&mut stream),
            "idle connection {i} is closed"
        );
    }
    // The event stream outlived the header timeout: once its headers came,
    // it is a response being sent, which no timeout cuts.
    write(
        test.root(),
        "handbook/other.md",
        "# Other\n\nAfter the flood.\n",
    );
    events.wait_for("reload", |d| d.contains("other.html"));
    assert!(get(addr, "/other.html").body.contains("After the flood."));
    server.stop();
}

/// Whether the server ends the connection (perhaps after a `408`) in time.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => true,
        Err(error) => error.kind() == ErrorKind::ConnectionReset,
    }
}

#[test]
fn a_changed_note_updates_the_register_live_and_protocols_only_on_request() {
    let test = project();
    let protocols = crate::harness::tree(&test.root().join("protocols"));
    let server = serve(test.root(), false);
    let addr = server.addr();
    let (mut events, _) = Events::open(addr);
    write(
        test.root(),
        "handbook/rules.md",
        &RULES.replace("half", "a third of"),
    );
    events.wait_for("reload", |d| d.contains("protocols.html"));
    assert!(
        get(addr, "/protocols.html")
            .body
            .contains("a third of the members")
    );
    assert!(
        get(addr, "/protocols.json")
            .body
            .contains("a third of the members")
    );
    server.stop();
    assert_eq!(
        crate::harness::tree(&test.root().join("protocols")),
        protocols,
        "protocols/ is left alone without --write-protocols"
    );

    let server = serve(test.root(), true);
    let (mut events, _) = Events::open(server.addr());
    write(
        test.root(),
        "handbook/rules.md",
        &RULES.replace("half", "two thirds of"),
    );
    events.wait_for("reload", |d| d.contains("protocols.html"));
    wait_until("protocols/ rewritten", || {
        let written = crate::harness::tree(&test.root().join("protocols"));
        let text = |bytes: &Vec<u8>| String::from_utf8_lossy(bytes).into_owned();
        written
            .iter()
            .any(|(_, bytes)| text(bytes).contains("two thirds of the members"))
    });
    server.stop();
}

#[test]
fn after_a_burst_of_edits_the_served_site_equals_a_fresh_start() {
    let test = project();
    let root = test.root();
    let server = serve(root, false);
    let started = Instant::now();
    save_a_burst(root);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "the burst took seconds"
    );
    let fresh = serve(root, false);
    let expected = fresh.site().snapshot();
    fresh.stop();
    assert!(expected.contains_key("new.html"));
    let mut served = BTreeMap::new();
    let settled = (0..200).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        served = server.site().snapshot();
        served == expected
    });
    if !settled {
        let differ: Vec<&String> = expected
            .keys()
            .chain(served.keys())
            .filter(|k| expected.get(*k) != served.get(*k))
            .collect();
        panic!("the served site differs from a fresh start in {differ:?}");
    }
    server.stop();
}

/// 1,000 saves a few milliseconds apart: pages edited, broken and mended,
/// saved by write-then-rename or deleted and made again, and mid-way a
/// page added to SUMMARY.
fn save_a_burst(root: &Path) {
    for i in 0..1000 {
        match i % 5 {
            0 => write(
                root,
                "handbook/other.md",
                &format!("# Other {i}\n\nText {i}.\n"),
            ),
            1 => write(
                root,
                "handbook/rules.md",
                &RULES.replace("half", &format!("{i} of")),
            ),
            2 => write(
                root,
                "handbook/README.md",
                "# Home\n\nSee [gone](gone.md).\n",
            ),
            3 => write(
                root,
                "handbook/README.md",
                &format!("# Home\n\nWelcome {i}. See [the vote](rules.md#voting).\n"),
            ),
            _ if i % 10 == 9 => {
                // Deleted and made again, as some tools save.
                std::fs::remove_file(root.join("handbook/other.md")).expect("delete");
                write(
                    root,
                    "handbook/other.md",
                    &format!("\u{FEFF}# Other\n\nRemade {i}, with a byte-order mark.\n"),
                );
            }
            _ => {
                let temporary = root.join("handbook/.other.md.tmp");
                std::fs::write(&temporary, format!("# Other\n\nRenamed {i}.\n")).expect("save");
                std::fs::rename(temporary, root.join("handbook/other.md")).expect("rename");
            }
        }
        if i == 500 {
            write(
                root,
                "handbook/new.md",
                "# New\n\nA page added mid-burst.\n",
            );
            let summary = "# Summary\n\n- [Home](README.md)\n- [Rules](rules.md)\n- [Other](other.md)\n- [New](new.md)\n";
            write(root, "handbook/SUMMARY.md", summary);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn the_versioned_example_serves_every_edition_and_updates_the_working_tree() {
    let test = HandbookTest::example();
    let server = serve(test.root(), false);
    let addr = server.addr();
    assert_eq!(get(addr, "/").status, 200);
    let trial = get(addr, "/2021-trial/index.html");
    assert_eq!(trial.status, 200);
    assert!(trial.body.contains("version-switcher"));
    let (mut events, _) = Events::open(addr);
    let readme = test.root().join("handbook/README.md");
    let text = std::fs::read_to_string(&readme).expect("README") + "\nEdited live.\n";
    std::fs::write(&readme, text).expect("edit");
    let reload = events.wait_for("reload", |d| d.contains("/latest/index.html"));
    assert!(reload.contains("/2022/index.html"), "{reload}");
    assert!(
        get(addr, "/latest/index.html")
            .body
            .contains("Edited live.")
    );
    assert!(get(addr, "/2022/index.html").body.contains("Edited live."));
    server.stop();
}

#[test]
fn a_built_site_never_carries_the_reload_script() {
    let test = project().build().assert_success();
    for (path, bytes) in crate::harness::tree(&test.root().join("site")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("__handbook"),
            "{path}"
        );
    }
}

#[test]
fn the_command_serves_prints_each_rebuild_and_stops_cleanly_on_ctrl_c() {
    let test = project();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handbook"))
        .args(["serve", "--port", "0"])
        .current_dir(test.root())
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start handbook serve");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut line = || lines.next().expect("a line").expect("text");
    assert!(
        line().starts_with("built in "),
        "the first build is reported"
    );
    let serving = line();
    let url = serving
        .strip_prefix("Serving http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("{serving}"));
    let addr: SocketAddr = url.parse().expect("the address it serves");
    assert!(
        addr.ip().is_loopback(),
        "loopback unless --bind says otherwise"
    );
    assert_eq!(get(addr, "/other.html").status, 200);

    write(
        test.root(),
        "handbook/other.md",
        "# Other\n\nSee [nowhere](nowhere.md).\n",
    );
    let report = (0..10)
        .map(|_| line())
        .find(|l| l.contains(" in ") && l.contains("; "))
        .unwrap_or_default();
    assert!(
        report.contains("1 error(s): the last good site stays served"),
        "{report}"
    );

    let interrupt = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("send Ctrl-C");
    assert!(interrupt.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("status") {
            break status;
        }
        assert!(started.elapsed() < DEADLINE, "serve did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
}

#[test]
fn a_renamed_section_with_a_note_is_served_without_a_passing_false_error() {
    let test = project();
    write(test.root(), "handbook/README.md", "# Home\n\nWelcome.\n");
    let server = serve(test.root(), false);
    let addr = server.addr();
    let (mut events, _) = Events::open(addr);
    // The register links to the note's section: it moves with it.
    write(
        test.root(),
        "handbook/rules.md",
        &RULES.replace("## Voting", "## Ballots"),
    );
    loop {
        let (kind, data) = events.next();
        assert!(kind != "problems" || data == "[]", "a false error: {data}");
        if kind == "reload" && data.contains("rules.html") {
            break;
        }
    }
    wait_until("the register's link to the renamed section", || {
        get(addr, "/protocols.html")
            .body
            .contains("rules.html#ballots")
    });
    server.stop();
}

#[test]
fn a_folder_removed_whole_is_no_longer_served() {
    let test = project().file("handbook/drafts/idea.md", "# Idea\n\nNot listed.\n");
    let server = serve(test.root(), false);
    let addr = server.addr();
    assert_eq!(get(addr, "/drafts/idea.html").status, 200);
    std::fs::remove_dir_all(test.root().join("handbook/drafts")).expect("remove the folder");
    wait_until("the folder's page gone", || {
        get(addr, "/drafts/idea.html").status == 404
    });
    server.stop();
}

#[test]
fn a_configuration_change_with_a_broken_page_keeps_the_last_good_site() {
    let test = project();
    // Each whole build the server makes (its first, and each new session)
    // reports "built" and whether it is served.
    let (built, reports) = std::sync::mpsc::channel();
    let reporter = Box::new(move |update: &handbook::serve::Update| {
        if update.what == "built" {
            let _ = built.send(update.published);
        }
    });
    let server = Server::start(&options(test.root(), false), reporter).expect("the server starts");
    assert_eq!(reports.recv_timeout(DEADLINE), Ok(true), "the first build");
    let addr = server.addr();
    let (mut events, _) = Events::open(addr);
    write(
        test.root(),
        "handbook/other.md",
        "# Other\n\n[Broken](nowhere.md)\n",
    );
    events.wait_for("problems", |d| d.contains("nowhere.md"));
    write(
        test.root(),
        "handbook.yaml",
        &CONFIG.replace("title: Live", "title: Renamed"),
    );
    // The new session was made, with the page still broken: not served.
    assert_eq!(reports.recv_timeout(DEADLINE), Ok(false), "the new session");
    let home = get(addr, "/index.html").body;
    assert!(
        !home.contains("Renamed"),
        "the broken new session is not served"
    );
    write(test.root(), "handbook/other.md", "# Other\n\nMended.\n");
    wait_until("the new title and the mended page", || {
        get(addr, "/index.html").body.contains("Renamed")
            && get(addr, "/other.html").body.contains("Mended.")
    });
    server.stop();
}

#[test]
fn history_dates_never_reach_the_protocol_records() {
    let test = project();
    let root = test.root();
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(root)
            .env("GIT_AUTHOR_DATE", "2021-05-04T10:00:00Z")
            .env("GIT_COMMITTER_DATE", "2021-05-04T10:00:00Z")
            .output()
            .expect("git");
        assert!(status.status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["-c", "user.name=T", "-c", "user.email=t@e.org", "add", "."]);
    git(&[
        "-c",
        "user.name=T",
        "-c",
        "user.email=t@e.org",
        "commit",
        "-qm",
        "first",
    ]);
    let server = serve(root, true);
    let addr = server.addr();
    assert!(
        get(addr, "/rules.html").body.contains("2021-05-04"),
        "dated from git"
    );
    write(root, "handbook/rules.md", &RULES.replace("half", "most of"));
    wait_until("protocols/ rewritten", || {
        let written = crate::harness::tree(&root.join("protocols"));
        written
            .iter()
            .any(|(_, b)| String::from_utf8_lossy(b).contains("most of the members"))
    });
    let fresh = serve(root, false);
    let expected = fresh.site().snapshot();
    fresh.stop();
    wait_until("the served site to equal a fresh start", || {
        server.site().snapshot() == expected
    });
    server.stop();
    assert!(!String::from_utf8_lossy(&expected["protocols.json"]).contains("2021-05-04"));
    let check = crate::harness::handbook(root, &["protocols", "--check"]);
    assert!(
        check.status.success(),
        "protocols/ as written is what the notes derive: {}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn the_search_index_follows_an_edit_and_equals_a_builds() {
    let test = project();
    let server = serve(test.root(), false);
    let addr = server.addr();
    assert!(!index_words(addr).contains("quetzal"));
    write(
        test.root(),
        "handbook/other.md",
        "# Other\n\nA quetzal nests here.\n",
    );
    wait_until("the index to hold the new word", || {
        index_words(addr).contains("\"quetzal\"")
    });
    let served = server.site().snapshot();
    server.stop();
    assert_index_as_built(&served, &test.build().assert_success());
}

/// The served search index is the same files as a build's, byte for byte.
#[track_caller]
fn assert_index_as_built(served: &BTreeMap<String, impl AsRef<[u8]>>, built: &HandbookTest) {
    let index: Vec<_> = served
        .iter()
        .filter(|(p, _)| p.starts_with("search/"))
        .collect();
    assert!(index.len() >= 7, "meta, words, postings, 3 documents");
    let built_index: Vec<String> = crate::harness::tree(&built.root().join("site"))
        .into_iter()
        .map(|(path, _)| path)
        .filter(|p| p.starts_with("search/"))
        .collect();
    let served_index: Vec<String> = index.iter().map(|(p, _)| p.to_string()).collect();
    assert_eq!(built_index, served_index, "the same files");
    for (path, body) in index {
        assert_eq!(
            built.site_file(path).as_bytes(),
            body.as_ref(),
            "{path} differs from a build's"
        );
    }
}

#[test]
fn an_edit_keeps_the_index_a_builds_with_breadcrumbs_and_a_404_page() {
    // A nested page has a breadcrumb; `404.md` is no search answer, so the
    // unlisted page after it is one place further on in the pages than in
    // the index.
    let test = project()
        .file(
            "handbook/SUMMARY.md",
            "# Summary\n\n- [Home](README.md)\n- [Rules](rules.md)\n  - [Other](other.md)\n",
        )
        .file("handbook/404.md", "# Not here\n\nNothing.\n")
        .file("handbook/zebra.md", "# Zebra\n\nStripes.\n");
    let server = serve(test.root(), false);
    let addr = server.addr();
    write(
        test.root(),
        "handbook/other.md",
        "# Other\n\nA quetzal nests.\n",
    );
    write(
        test.root(),
        "handbook/zebra.md",
        "# Zebra\n\nAn okapi grazes.\n",
    );
    wait_until("the index to hold both new words", || {
        let words = index_words(addr);
        words.contains("\"quetzal\"") && words.contains("\"okapi\"")
    });
    let served = server.site().snapshot();
    server.stop();
    assert_index_as_built(&served, &test.build().assert_success());
}

#[test]
fn changes_that_keep_coming_do_not_hold_the_index_back() {
    let test = project();
    let server = serve(test.root(), false);
    let addr = server.addr();
    write(
        test.root(),
        "handbook/other.md",
        "# Other\n\nA quetzal nests here.\n",
    );
    // Ignored files written without pause: the index is made within the
    // settle step's upper bound all the same.
    let started = Instant::now();
    let mut settled = false;
    while started.elapsed() < Duration::from_secs(4) {
        write(
            test.root(),
            "handbook/.scratch",
            &format!("{:?}", started.elapsed()),
        );
        write(
            test.root(),
            "handbook/other.md",
            "# Other\n\nA quetzal nests here.\n",
        );
        if index_words(addr).contains("\"quetzal\"") {
            settled = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(40));
    }
    assert!(
        settled,
        "the index never followed while changes kept coming"
    );
    server.stop();
}

/// Every words chunk of the served search index, as one string.
fn index_words(addr: SocketAddr) -> String {
    let meta: serde_json::Value =
        serde_json::from_str(&get(addr, "/search/meta.json").body).expect("meta is JSON");
    let chunks = meta["words"].as_array().expect("words chunks").len();
    (0..chunks)
        .map(|i| get(addr, &format!("/search/w/{i}.json")).body)
        .collect()
}

#[test]
fn the_configurations_problems_are_served_as_a_build_reports_them() {
    let broken = format!("{CONFIG}redirects:\n  old.html: gone.md\n");
    let test = project().file("handbook.yaml", &broken).run(&["check"]);
    assert!(
        test.stderr().contains("not a page here"),
        "{}",
        test.stderr()
    );
    let server = serve(test.root(), false);
    let (mut events, problems) = Events::open(server.addr());
    assert!(problems.contains("handbook.yaml:9:"), "{problems}");
    assert!(
        problems.contains("`gone.md`, which is not a page here"),
        "{problems}"
    );

    write(
        test.root(),
        "handbook.yaml",
        &broken.replace("gone.md", "other.md"),
    );
    events.wait_for("problems", |d| d == "[]");
    let redirect = get(server.addr(), "/old.html").body;
    assert!(redirect.contains("url=other.html"), "{redirect}");
    server.stop();
}

#[test]
fn serve_makes_the_files_a_build_makes_after_an_edit() {
    let test = project();
    let server = serve(test.root(), false);
    write(
        test.root(),
        "handbook/rules.md",
        &RULES.replace("We vote.", "We vote on the [forum](space:forum)."),
    );
    // `spaces.json` is made from the whole edition, after the edit settles.
    wait_until("the edit settled", || {
        let spaces = server.site().snapshot().get("spaces.json").cloned();
        spaces.is_some_and(|s| String::from_utf8_lossy(s.as_ref()).contains("rules.html"))
    });
    let served = server.site().snapshot();
    server.stop();
    let built = test.build().assert_success();
    let files: Vec<(String, Vec<u8>)> = crate::harness::tree(&built.root().join("site"))
        .into_iter()
        .filter(|(path, _)| !path.starts_with(".handbook"))
        .collect();
    let served_paths: Vec<&String> = served.keys().collect();
    let built_paths: Vec<&String> = files.iter().map(|(path, _)| path).collect();
    assert_eq!(served_paths, built_paths, "the same files");
    // Pages carry the reload script when served; every other file is the
    // build's, byte for byte.
    for (path, bytes) in files.iter().filter(|(p, _)| !p.ends_with(".html")) {
        assert_eq!(served[path].as_ref(), bytes.as_slice(), "{path} differs");
    }
}
