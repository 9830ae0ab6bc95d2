//! `handbook serve`: the live preview. Builds every version in memory,
//! serves it over HTTP, watches the project and applies each save
//! incrementally, and tells open tabs to reload (or to show the problems
//! that keep the last good site served).
//!
//! [`Server::start`] gives a running server (on port 0 in tests); the
//! stages are [`session`] (the versions and the live edition), [`live`]
//! (incremental rebuilds), [`watch`] (notify and the debouncer), [`site`]
//! (the files in memory and the reload channel) and [`http`] (axum).

pub mod http;
mod live;
mod session;
pub mod site;
pub mod watch;

use crate::BuildOptions;
use anyhow::{Context as _, Result};
use session::Session;
pub use session::Update;
use site::Site;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long after the last change the whole edition's files are made again.
const SETTLE_AFTER: Duration = Duration::from_millis(100);

/// The longest they wait while changes keep coming.
const SETTLE_WITHIN: Duration = Duration::from_secs(1);

/// What to serve and where.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The project (its root and configuration file).
    pub project: BuildOptions,
    /// The address to listen on (loopback unless asked otherwise).
    pub bind: IpAddr,
    /// The port (0: any free one).
    pub port: u16,
    /// Rewrite `protocols/` when the notes change.
    pub write_protocols: bool,
}

/// A running dev server; [`Server::stop`] (or dropping it) stops it.
pub struct Server {
    addr: SocketAddr,
    site: Arc<Site>,
    runtime: Option<tokio::runtime::Runtime>,
    /// Tells the watch loop to stop.
    stop: mpsc::Sender<Message>,
    worker: Option<JoinHandle<()>>,
}

/// What the watch loop receives.
enum Message {
    /// A debounced batch of changed paths.
    Paths(Vec<PathBuf>),
    /// The server is stopping.
    Stop,
}

/// Told after the first build and after every batch of changes.
pub type Reporter = Box<dyn FnMut(&Update) + Send>;

impl Server {
    /// Builds the site, starts serving it and watching the project.
    /// `report` is told each build's outcome.
    pub fn start(options: &ServeOptions, report: Reporter) -> Result<Self> {
        Self::start_with(options, report, http::Limits::default())
    }

    /// [`Server::start`] with other connection limits (tests shorten the
    /// header timeout).
    pub fn start_with(
        options: &ServeOptions,
        mut report: Reporter,
        limits: http::Limits,
    ) -> Result<Self> {
        let (session, files, update) =
            Session::start(&options.project, options.write_protocols, true)?;
        let site = Arc::new(Site::new(session.prefix()));
        site.replace(files);
        site.show_problems(&update.holding);
        report(&update);
        let (addr, runtime) = listen(options, Arc::clone(&site), limits)?;
        let (send, receive) = mpsc::channel();
        let mut watch = watch_project(session.config(), &send)?;
        watch.include(&session.included_files());
        let stop = send.clone();
        let mut watching = Watching::new(session, watch, send, report);
        let worker_site = Arc::clone(&site);
        let worker = std::thread::spawn(move || watching.work(&worker_site, &receive));
        Ok(Self {
            addr,
            site,
            runtime: Some(runtime),
            stop,
            worker: Some(worker),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The site being served.
    pub fn site(&self) -> &Arc<Site> {
        &self.site
    }

    /// The home page's address.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.site.prefix())
    }

    /// Waits for Ctrl-C.
    pub fn wait_for_ctrl_c(&self) -> Result<()> {
        let runtime = self.runtime.as_ref().context("the server has stopped")?;
        runtime.block_on(tokio::signal::ctrl_c())?;
        Ok(())
    }

    /// Stops watching and serving; open event streams end.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        self.site.stop();
        let _ = self.stop.send(Message::Stop);
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(std::time::Duration::from_secs(1));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Serves `site` on the address `options` names, on a runtime of its own:
/// the address (its port chosen when asked for 0) and the runtime.
fn listen(
    options: &ServeOptions,
    site: Arc<Site>,
    limits: http::Limits,
) -> Result<(SocketAddr, tokio::runtime::Runtime)> {
    let listener = std::net::TcpListener::bind((options.bind, options.port))
        .with_context(|| format!("listening on {}:{}", options.bind, options.port))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let listener = {
        // Registering with the reactor needs the runtime entered.
        let _entered = runtime.enter();
        tokio::net::TcpListener::from_std(listener)?
    };
    runtime.spawn(http::serve(listener, http::router(site), limits));
    Ok((addr, runtime))
}

/// Watches what `config` names, sending each batch to `send`.
fn watch_project(
    config: &crate::config::Config,
    send: &mpsc::Sender<Message>,
) -> Result<watch::Watch> {
    let (paths, batches) = mpsc::channel();
    let send = send.clone();
    std::thread::spawn(move || {
        while let Ok(batch) = batches.recv() {
            if send.send(Message::Paths(batch)).is_err() {
                break;
            }
        }
    });
    watch::watch(config, paths)
}

/// The watch loop's state: the session, the watcher over what its
/// configuration names, and who is told each outcome.
struct Watching {
    session: Session,
    watch: watch::Watch,
    send: mpsc::Sender<Message>,
    report: Reporter,
    /// The last new session had errors and was not served: the next
    /// change tries again.
    restart_pending: bool,
    /// When the work edits left is to be done, if they left any.
    settle_due: Option<Instant>,
    /// When the first edit still waiting for it was applied.
    settle_first: Option<Instant>,
}

impl Watching {
    fn new(
        session: Session,
        watch: watch::Watch,
        send: mpsc::Sender<Message>,
        report: Reporter,
    ) -> Self {
        Self {
            session,
            watch,
            send,
            report,
            restart_pending: false,
            settle_due: None,
            settle_first: None,
        }
    }

    /// Each batch of changed paths applied and its files published, until
    /// the server stops.
    fn work(&mut self, site: &Site, receive: &mpsc::Receiver<Message>) {
        while let Some(Message::Paths(mut paths)) = self.next(site, receive) {
            // Batches that came while the last one was applied go together.
            while let Ok(message) = receive.try_recv() {
                match message {
                    Message::Paths(more) => paths.extend(more),
                    Message::Stop => return,
                }
            }
            self.guarded(site, |watching| watching.batch(site, &paths));
        }
    }

    /// One rebuild, run so that a panic in it (a bug) cannot end the watch
    /// loop: the panic is shown as an error in the overlay and the terminal,
    /// the last good site stays served, and since the session may be half
    /// updated, the next change starts a whole new one.
    fn guarded(&mut self, site: &Site, rebuild: impl FnOnce(&mut Self)) {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rebuild(self)));
        let Err(panic) = outcome else { return };
        self.restart_pending = true;
        self.settle_due = None;
        self.settle_first = None;
        let error = anyhow::anyhow!(
            "the rebuild stopped on an internal error (a bug in handbook; please report it): {}",
            panic_message(panic.as_ref())
        );
        self.tell(site, &failed(&error));
    }

    /// A batch of changed paths applied, or a new session started.
    fn batch(&mut self, site: &Site, paths: &[PathBuf]) {
        let session = &self.session;
        let mut changes = watch::classify(session.config(), paths, &|p| session.knows(p));
        // A file a page includes makes that page's text.
        changes.pages.extend(session.including(paths));
        if changes.is_empty() {
            return;
        }
        if changes.restart || self.restart_pending || session.is_broken() {
            self.restart(site);
        } else {
            self.apply(site, &changes);
        }
        self.watch.include(&self.session.included_files());
        self.schedule_settle(self.settle_first);
    }

    /// A new session: the configuration or the theme changed, the last
    /// rebuild failed, or a versioned site's structure changed. It is served
    /// only without errors; else the last good site stays, and the next
    /// change tries again. The watcher follows the new configuration.
    fn restart(&mut self, site: &Site) {
        let options = self.session.options().clone();
        let started = Session::start(&options, self.session.write_protocols(), false);
        let (fresh, files, update) = match started {
            Ok(started) => started,
            Err(error) => {
                self.restart_pending = true;
                return self.tell(site, &failed(&error));
            }
        };
        self.restart_pending = !update.published;
        if update.published {
            site.replace_at(fresh.prefix(), files);
            match watch_project(fresh.config(), &self.send) {
                Ok(mut watch) => {
                    watch.include(&fresh.included_files());
                    self.watch = watch;
                }
                Err(error) => self.tell(site, &failed(&error)),
            }
            self.session = fresh;
        }
        self.tell(site, &update);
    }

    /// The next message; while an edit left work for [`Session::settle`],
    /// that work is done when it is due (see [`Watching::schedule_settle`]),
    /// so a burst of saves settles once (in a large handbook, the search
    /// index alone takes half a second to make again).
    fn next(&mut self, site: &Site, receive: &mpsc::Receiver<Message>) -> Option<Message> {
        loop {
            // A session that could not be replaced waits for the next change.
            let Some(due) = self.settle_due.filter(|_| !self.restart_pending) else {
                return receive.recv().ok();
            };
            let wait = due.saturating_duration_since(Instant::now());
            match receive.recv_timeout(wait) {
                Ok(message) => return Some(message),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    self.guarded(site, |watching| watching.settle(site));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// After an edit was applied: when what it left is to be done —
    /// [`SETTLE_AFTER`] from now, but no later than [`SETTLE_WITHIN`] after
    /// the first edit still waiting.
    fn schedule_settle(&mut self, first: Option<Instant>) {
        let now = Instant::now();
        self.settle_due = self.session.unsettled().then(|| {
            let first = first.unwrap_or(now);
            (now + SETTLE_AFTER).min(first + SETTLE_WITHIN)
        });
        self.settle_first = self.settle_due.map(|_| first.unwrap_or(now));
    }

    /// The edit, published; what it left waits for [`Watching::next`].
    fn apply(&mut self, site: &Site, changes: &watch::Changes) {
        match self.session.apply(changes) {
            Ok((changed, update)) => {
                site.publish(changed);
                self.tell(site, &update);
            }
            Err(error) => return self.tell(site, &failed(&error)),
        }
        if self.session.wants_restart() {
            self.restart(site);
        }
    }

    /// What the edits left (see [`Session::settle`]), published.
    fn settle(&mut self, site: &Site) {
        self.settle_due = None;
        self.settle_first = None;
        match self.session.settle() {
            Ok(Some((changed, update))) => {
                site.publish(changed);
                self.tell(site, &update);
            }
            Ok(None) => {}
            Err(error) => self.tell(site, &failed(&error)),
        }
        if self.session.wants_restart() {
            self.restart(site);
        }
    }

    /// The overlay and the terminal are told the same.
    fn tell(&mut self, site: &Site, update: &Update) {
        site.show_problems(&update.holding);
        (self.report)(update);
    }
}

/// What a caught panic said, when it said it as text.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    if let Some(text) = panic.downcast_ref::<&str>() {
        text
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text
    } else {
        "no message"
    }
}

/// An update for a build that could not finish (a template or I/O error):
/// the last good site stays served.
fn failed(error: &anyhow::Error) -> Update {
    let message = format!("{error:#}");
    let problem = crate::diagnostic::Diagnostic::error("handbook serve", 0, 0, message);
    Update {
        what: "failed".into(),
        elapsed: None,
        diagnostics: vec![problem.clone()],
        holding: vec![problem],
        published: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A two-page project in a temporary folder.
    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let files = [
            ("handbook.yaml", "title: Live\nbase-url: https://e.org\n"),
            (
                "handbook/SUMMARY.md",
                "# Summary\n\n- [Home](README.md)\n- [Other](other.md)\n",
            ),
            ("handbook/README.md", "# Home\n\nWelcome.\n"),
            ("handbook/other.md", "# Other\n\nText.\n"),
        ];
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
            std::fs::write(path, text).expect("a source file");
        }
        dir
    }

    #[test]
    fn a_panicking_rebuild_is_shown_and_the_next_save_rebuilds_afresh() {
        let dir = project();
        let options = BuildOptions {
            root: dir.path().to_path_buf(),
            ..BuildOptions::default()
        };
        let (session, files, _) = Session::start(&options, false, true).expect("first build");
        let site = Site::new(session.prefix());
        site.replace(files);
        let (send, _receive) = mpsc::channel();
        let watch = watch_project(session.config(), &send).expect("watching");
        let told = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&told);
        let report: Reporter = Box::new(move |update: &Update| {
            let mut seen = seen.lock().expect("the reports");
            seen.push((update.what.clone(), update.published));
        });
        let mut watching = Watching::new(session, watch, send, report);
        let other = dir.path().join("handbook/other.md");

        // The edit is half applied when the bug strikes.
        std::fs::write(&other, "# Other\n\nHalf done.\n").expect("save");
        watching.guarded(&site, |w| {
            w.batch(&site, std::slice::from_ref(&other));
            panic!("a bug in parsing");
        });
        let shown = site.problems();
        assert!(shown.contains("a bug in parsing"), "{shown}");
        assert!(shown.contains("\"error\""), "{shown}");

        std::fs::write(&other, "# Other\n\nSaved after the bug.\n").expect("save");
        watching.guarded(&site, |w| w.batch(&site, std::slice::from_ref(&other)));
        assert_eq!(site.problems(), "[]");
        let page = site.get("other.html").expect("the page");
        assert!(String::from_utf8_lossy(&page.bytes).contains("Saved after the bug."));
        let last = told.lock().expect("the reports").last().cloned();
        assert_eq!(last, Some(("built".into(), true)), "a whole new session");
    }
}
