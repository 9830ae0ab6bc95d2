//! One run of the dev server's build: every version built once at the
//! start, the working tree's kept [`Live`], and each batch of changes
//! applied to it.
//!
//! [`Session::start`] builds the whole site in memory with the serving
//! renderer (pages load the live-reload script) and gives its files.
//! [`Session::apply`] takes [`Changes`]: edited pages go to [`Live::edit`];
//! SUMMARY, assets, added or removed pages rebuild the working tree's
//! edition, parsing only the pages that changed; `protocols/` is checked
//! again. It gives the changed files of the served site, held back while the
//! edition has errors (the last good site stays served), and an [`Update`].
//! [`Session::settle`] then does what the edit left for after its pages were
//! served ([`Live::settle`]), and gives its files and update the same way.

use super::live::{Edited, Live, Rebuild, Setting, contents};
use super::watch::Changes;
use crate::diagnostic::Diagnostic;
use crate::edition::{self, Edition};
use crate::{BuildOptions, Project, config, finish_all, open_all, output, render, versions};
use anyhow::{Context as _, Result};
use bytes::Bytes;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// What one batch of changes did, for the terminal.
#[derive(Debug, Clone)]
pub struct Update {
    /// What was rebuilt ("1 page parsed, 3 rendered").
    pub what: String,
    /// How long it took (none for a build that could not finish).
    pub elapsed: Option<Duration>,
    /// Every content problem now (the working tree's and the other
    /// editions'), for the terminal.
    pub diagnostics: Vec<Diagnostic>,
    /// The errors that hold the working tree's changes back, for the
    /// browser's overlay.
    pub holding: Vec<Diagnostic>,
    /// Whether the changes are served (no errors).
    pub published: bool,
}

/// The versions being served and the working tree's live edition.
pub(crate) struct Session {
    options: BuildOptions,
    project: config::Config,
    plan: versions::Plan,
    live: Option<Live>,
    /// Where the live edition's files are served: `""`, or its folder and
    /// `latest/` when it is the default version.
    folders: Vec<String>,
    /// Live paths changed while the edition had errors: published once fixed.
    pending: BTreeSet<String>,
    /// Every other version's problems (built once).
    others: Vec<Diagnostic>,
    /// A change needs a new session (see [`Session::restructure`]).
    wants_restart: bool,
    write_protocols: bool,
}

/// The served files a change changed (`None`: removed), and its update.
pub(crate) type Applied = (BTreeMap<String, Option<Bytes>>, Update);

/// A session started: it, the whole site's files, and what the start did.
pub(crate) type Started = (Session, BTreeMap<String, Bytes>, Update);

impl Session {
    /// Builds every version; the working tree's stays live.
    /// `first`: the server's first session, published whatever its errors;
    /// a later one (a restart) is published only without them.
    pub(crate) fn start(
        options: &BuildOptions,
        write_protocols: bool,
        first: bool,
    ) -> Result<Started> {
        let started = Instant::now();
        let project = config::load(&options.root, options.config.as_deref(), None)?;
        let renderer = render::Renderer::new(&project)?.serving();
        let plan = versions::plan(&project, None)?;
        let both = Project {
            config: &project,
            plan: &plan,
        };
        let mut editions = open_all(both, None, &|_| {})?;
        let switcher = plan
            .versioned
            .then(|| edition::switcher(&editions, &project));
        let at = plan
            .versions
            .iter()
            .position(|v| v.origin == versions::Origin::WorkingTree)
            .context("no version is the working tree: there is nothing to watch")?;
        let older = editions.get(at + 1).cloned();
        let mine = editions.remove(at);
        let setting = Setting {
            renderer: renderer.clone(),
            switcher: switcher.clone().map(|s| (s, at)),
            older,
            project: project.clone(),
            write_protocols,
            files: BTreeMap::new(),
        };
        let mut live = Live::new(mine, setting)?;
        live.take_changed();
        let (mut others, files) = if plan.versioned {
            lay_out_versions((both, switcher.as_ref()), &renderer, editions, &live, at)?
        } else {
            (Vec::new(), live.files().clone())
        };
        others.extend(plan.warnings.iter().chain(&project.warnings).cloned());
        let folders = folders_of(&live);
        let mut session = Self {
            options: options.clone(),
            project,
            plan,
            live: Some(live),
            folders,
            pending: BTreeSet::new(),
            others,
            wants_restart: false,
            write_protocols,
        };
        let update = session.update("built", started, first);
        Ok((session, files, update))
    }

    /// The working tree's configuration.
    pub(crate) fn config(&self) -> &config::Config {
        self.live.as_ref().map_or(&self.project, Live::config)
    }

    /// Whether the last rebuild failed, leaving no live edition.
    pub(crate) fn is_broken(&self) -> bool {
        self.live.is_none()
    }

    /// Whether a source-folder path is a page or asset being served, or a
    /// folder holding one.
    pub(crate) fn knows(&self, path: &str) -> bool {
        self.live.as_ref().is_some_and(|live| live.knows(path))
    }

    /// The pages (by path) that include any of the `changed` files.
    pub(crate) fn including(
        &self,
        changed: &[std::path::PathBuf],
    ) -> std::collections::BTreeSet<String> {
        self.live
            .as_ref()
            .map(|live| live.including(changed))
            .unwrap_or_default()
    }

    /// Every file the live edition's pages include.
    pub(crate) fn included_files(&self) -> std::collections::BTreeSet<std::path::PathBuf> {
        self.live
            .as_ref()
            .map(|live| live.included_files())
            .unwrap_or_default()
    }

    /// The served site's path prefix.
    pub(crate) fn prefix(&self) -> &str {
        &self.project.site.path_prefix
    }

    /// Applies a batch of changes (not a restart: the caller starts a new
    /// session for that). Gives the served files that changed.
    pub(crate) fn apply(&mut self, changes: &Changes) -> Result<Applied> {
        let started = Instant::now();
        let what = self.apply_changes(changes);
        if what.is_err() {
            // Half done: the next change starts afresh.
            self.live = None;
        }
        Ok(self.applied(&what?, started))
    }

    fn apply_changes(&mut self, changes: &Changes) -> Result<String> {
        let live = self.live.as_mut().context("the last rebuild failed")?;
        let mut what = String::new();
        if changes.structure {
            what = "rebuilt the edition".into();
        } else if !changes.pages.is_empty() {
            match live.edit(&changes.pages)? {
                Edited::Done { parsed, rendered } => {
                    what = format!("{parsed} parsed, {rendered} rendered");
                }
                Edited::Restructure(why) => {
                    what = format!("rebuilt the edition: {why}");
                }
            }
        }
        if what.starts_with("rebuilt") {
            self.restructure()?;
        }
        if changes.protocols {
            if let Some(live) = self.live.as_mut() {
                live.sync_protocols()?;
            }
            if what.is_empty() {
                what = "checked protocols/".into();
            }
        }
        if self.plan.versioned && self.live.as_mut().is_some_and(Live::take_dates_changed) {
            // The root sitemap lists every edition's dates.
            self.wants_restart = true;
        }
        Ok(what)
    }

    /// A rebuild of the live edition, or in a versioned site a new session
    /// (other editions' switchers and the root files name its pages).
    fn restructure(&mut self) -> Result<()> {
        if self.plan.versioned {
            self.wants_restart = true;
            Ok(())
        } else {
            self.rebuild()
        }
    }

    /// Whether the session asks to be started again.
    pub(crate) fn wants_restart(&self) -> bool {
        self.wants_restart
    }

    /// Whether the edits left work for [`Session::settle`].
    pub(crate) fn unsettled(&self) -> bool {
        self.live.as_ref().is_some_and(Live::unsettled)
    }

    /// Does what the edits left for after their pages were served (see
    /// [`Live::settle`]): the served files that changed and an update, when
    /// there was something to do.
    pub(crate) fn settle(&mut self) -> Result<Option<Applied>> {
        let started = Instant::now();
        if !self.live.as_ref().is_some_and(Live::unsettled) {
            return Ok(None);
        }
        let what = self.settle_now();
        if what.is_err() {
            self.live = None;
        }
        Ok(Some(self.applied(&format!("then {}", what?), started)))
    }

    fn settle_now(&mut self) -> Result<String> {
        let live = self.live.as_mut().context("the last rebuild failed")?;
        Ok(match live.settle()? {
            Edited::Done { parsed, rendered } => {
                format!("the whole edition's files: {parsed} parsed, {rendered} rendered")
            }
            Edited::Restructure(why) => {
                self.restructure()?;
                format!("rebuilt the edition: {why}")
            }
        })
    }

    /// The update, and the changed files when they are served.
    fn applied(&mut self, what: &str, started: Instant) -> Applied {
        let update = self.update(what, started, false);
        let changed = if update.published {
            self.take_published()
        } else {
            BTreeMap::new()
        };
        (changed, update)
    }

    /// The working tree's edition made again from disk, reusing every page
    /// whose source did not change.
    fn rebuild(&mut self) -> Result<()> {
        let live = self.live.take().context("the last rebuild failed")?;
        let Rebuild {
            cache,
            version,
            dates,
            mut setting,
        } = live.into_rebuild();
        let both = Project {
            config: &self.project,
            plan: &self.plan,
        };
        let known = edition::Known {
            kept: None,
            parsed: cache,
            dates: Some(dates),
        };
        let opened = edition::open(both, &version, known, &|_| {})?;
        let older = setting.older.as_ref();
        let markdown = older.and_then(|o| edition::changes_markdown(&opened, o, &self.project));
        let edition = edition::with_changes_page(opened, markdown, &self.project);
        if let Some((switcher, i)) = &mut setting.switcher {
            switcher.remap(*i, &edition.prepared.pages);
        }
        self.live = Some(Live::new(edition, setting)?);
        Ok(())
    }

    /// The update's report; notes the live edition's changed files. The
    /// first build of the server is published whatever its errors: there is
    /// no last good site yet.
    fn update(&mut self, what: &str, started: Instant, first: bool) -> Update {
        let Some(live) = self.live.as_mut() else {
            return Update {
                what: what.into(),
                elapsed: Some(started.elapsed()),
                diagnostics: self.others.clone(),
                holding: Vec::new(),
                published: false,
            };
        };
        self.pending.extend(live.take_changed());
        let holding = live.holding();
        let published = first || holding.is_empty();
        let mut diagnostics = live.diagnostics();
        diagnostics.extend(self.others.iter().cloned());
        if first {
            self.pending.clear();
        }
        Update {
            what: what.into(),
            elapsed: Some(started.elapsed()),
            diagnostics,
            holding,
            published,
        }
    }

    /// The files changed since the last publication, at their served paths.
    fn take_published(&mut self) -> BTreeMap<String, Option<Bytes>> {
        let Some(live) = &self.live else {
            return BTreeMap::new();
        };
        let pending = std::mem::take(&mut self.pending);
        let mut out = BTreeMap::new();
        for path in pending {
            let bytes = live.files().get(&path).cloned();
            for folder in &self.folders {
                out.insert(format!("{folder}{path}"), bytes.clone());
            }
        }
        out
    }

    /// Whether `protocols/` is rewritten.
    pub(crate) fn write_protocols(&self) -> bool {
        self.write_protocols
    }

    /// The options this session was started with.
    pub(crate) fn options(&self) -> &BuildOptions {
        &self.options
    }
}

/// Where a live edition's files are served.
fn folders_of(live: &Live) -> Vec<String> {
    if live.name().is_empty() {
        return vec![String::new()];
    }
    let mut folders = vec![versions::folder(live.name())];
    if live.version().default {
        folders.push(versions::LATEST.into());
    }
    folders
}

/// The other versions finished, and the whole versioned site laid out with
/// the live one (at place `at`) in its place.
fn lay_out_versions(
    (project, switcher): (Project<'_>, Option<&versions::switch::Switcher>),
    renderer: &render::Renderer,
    others: Vec<Edition>,
    live: &Live,
    at: usize,
) -> Result<(Vec<Diagnostic>, BTreeMap<String, Bytes>)> {
    let places = (0..).filter(|&i| i != at);
    let others = places.zip(others).collect();
    let finished = finish_all(others, (project, switcher), renderer, (None, None), true)?;
    let edition::Gathered {
        diagnostics,
        mut sites,
        ..
    } = edition::gather(finished);
    let root_not_found = (project.root_404(at))
        .map(|root| live.root_not_found(root))
        .transpose()?;
    sites.insert(at, Some(live.version_site(root_not_found)));
    let files = output::layout::versioned(project.config, &project.plan.versions, sites)?;
    // `latest/` is the same files as its version's folder: the same bytes.
    let (same, own): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|f| matches!(f.contents, output::Contents::Same(_)));
    let mut served = own
        .into_iter()
        .map(|f| Ok((f.path, contents(f.contents)?)))
        .collect::<Result<std::collections::HashMap<_, _>>>()?;
    for file in same {
        if let output::Contents::Same(other) = &file.contents {
            let bytes = served.get(other).cloned().unwrap_or_default();
            served.insert(file.path, bytes);
        }
    }
    Ok((diagnostics.sorted(), served.into_iter().collect()))
}
