//! The site the dev server serves: every file in memory, by its path under
//! the site's path prefix, and the channel that tells open tabs to reload.
//!
//! Takes whole sites ([`Site::replace`]) and changed files
//! ([`Site::publish`]); gives a file by its request path ([`Site::get`]) and
//! a stream of [`Event`]s. Files are looked up in a map, never on disk, so
//! no request path can reach a file outside the site, and a published
//! change is seen by the next request whole (the map is swapped under a lock
//! held for the length of a few inserts).

use crate::diagnostic::Diagnostic;
use bytes::Bytes;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::RwLock;
use tokio::sync::broadcast;

/// One served file.
#[derive(Debug, Clone)]
pub struct Served {
    /// Its bytes.
    pub bytes: Bytes,
    /// A strong validator of the bytes, quoted.
    pub etag: String,
}

impl Served {
    fn new(bytes: Bytes) -> Self {
        let mut hasher = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(&bytes[..], &mut hasher);
        let etag = format!(
            "\"{:016x}-{}\"",
            std::hash::Hasher::finish(&hasher),
            bytes.len()
        );
        Self { bytes, etag }
    }
}

/// What open tabs are told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// These pages (request paths) changed; `None`: every page.
    Reload(Option<Vec<String>>),
    /// The build has these problems (empty: none); the JSON for the overlay.
    Problems(String),
    /// The server is stopping: streams end.
    Stop,
}

/// A problem as the browser's overlay shows it.
#[derive(Debug, Serialize)]
struct Shown<'a> {
    place: String,
    severity: &'a str,
    message: &'a str,
    help: Option<&'a str>,
}

/// The served files and the reload channel.
#[derive(Debug)]
pub struct Site {
    files: RwLock<HashMap<String, Served>>,
    /// The site's path prefix (`/` or `/handbook/`).
    prefix: RwLock<String>,
    problems: RwLock<String>,
    events: broadcast::Sender<Event>,
}

impl Site {
    /// An empty site served under `prefix`.
    pub fn new(prefix: &str) -> Self {
        Self {
            files: RwLock::new(HashMap::new()),
            prefix: RwLock::new(prefix.to_string()),
            problems: RwLock::new("[]".into()),
            events: broadcast::channel(64).0,
        }
    }

    /// The site's path prefix.
    pub fn prefix(&self) -> String {
        let prefix = self.prefix.read();
        prefix
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Serves `files` under `prefix` instead of everything before, and
    /// reloads every tab (a new session: the configuration may have moved
    /// the site).
    pub fn replace_at(&self, prefix: &str, files: BTreeMap<String, Bytes>) {
        *self
            .prefix
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = prefix.into();
        self.replace(files);
    }

    /// The file at a site path (decoded, without the prefix).
    pub fn get(&self, path: &str) -> Option<Served> {
        let files = self
            .files
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        files.get(path).cloned()
    }

    /// Whether a site path names a folder of the site (`a` for `a/index.html`).
    pub fn has_folder_index(&self, path: &str) -> bool {
        self.get(&format!("{path}/index.html")).is_some()
    }

    /// Every served file's bytes, by site path.
    pub fn snapshot(&self) -> BTreeMap<String, Bytes> {
        let files = self
            .files
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        files
            .iter()
            .map(|(path, served)| (path.clone(), served.bytes.clone()))
            .collect()
    }

    /// Serves `files` instead of everything before, and reloads every tab.
    pub fn replace(&self, files: BTreeMap<String, Bytes>) {
        let files = files
            .into_iter()
            .map(|(path, bytes)| (path, Served::new(bytes)))
            .collect();
        *self
            .files
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = files;
        let _ = self.events.send(Event::Reload(None));
    }

    /// Serves the changed files (`None`: removed) and reloads the tabs
    /// showing a changed page (every tab when a stylesheet, script or image
    /// changed; none for data files alone).
    pub fn publish(&self, changed: BTreeMap<String, Option<Bytes>>) {
        if changed.is_empty() {
            return;
        }
        let served: Vec<(String, Option<Served>)> = changed
            .into_iter()
            .map(|(path, bytes)| (path, bytes.map(Served::new)))
            .collect();
        let prefix = self.prefix();
        let mut pages = BTreeSet::new();
        // Data files (`protocols.json`, `sitemap.xml`) are not shown by pages.
        let shown_by_pages = served
            .iter()
            .any(|(path, _)| !path.ends_with(".json") && !path.ends_with(".xml"));
        {
            let mut files = self
                .files
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for (path, file) in served {
                if path.ends_with(".html") {
                    pages.insert(format!("{prefix}{}", crate::model::path::href(&path)));
                }
                match file {
                    Some(file) => files.insert(path, file),
                    None => files.remove(&path),
                };
            }
        }
        if !pages.is_empty() {
            let _ = self
                .events
                .send(Event::Reload(Some(pages.into_iter().collect())));
        } else if shown_by_pages {
            // A stylesheet, script or image: any page may show it.
            let _ = self.events.send(Event::Reload(None));
        }
    }

    /// Tells tabs the errors that hold the site back (an empty list clears
    /// the overlay).
    pub fn show_problems(&self, diagnostics: &[Diagnostic]) {
        let shown: Vec<Shown<'_>> = diagnostics
            .iter()
            .map(|d| Shown {
                place: d.place(),
                severity: if d.is_error() { "error" } else { "warning" },
                message: &d.message,
                help: d.help.as_deref(),
            })
            .collect();
        let json = serde_json::to_string(&shown).unwrap_or_else(|_| "[]".into());
        let mut current = self
            .problems
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *current != json {
            current.clone_from(&json);
            let _ = self.events.send(Event::Problems(json));
        }
    }

    /// The problems now, as the overlay's JSON.
    pub fn problems(&self) -> String {
        self.problems
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Ends every event stream (the server is stopping).
    pub fn stop(&self) {
        let _ = self.events.send(Event::Stop);
    }

    /// A receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }
}
