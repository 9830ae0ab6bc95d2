//! Stage 5: a parsed [`Page`] with its [`Resolved`] links and [`PageNav`] →
//! [`RenderedPage`] through the theme's tera templates.
//!
//! A [`Renderer`] is made once per build: theme files loaded, templates
//! compiled, the highlighting stylesheet generated. Rendering a page fills the
//! body's link slots and hands the template light, already-escaped-by-tera
//! data (titles, URLs relative to the page), so one page renders on its own,
//! in parallel with the others, or alone when the dev server re-renders it.
//!
//! In a build ([`Output`]) each page's context is keyed first — the template
//! context with the body by its digest, and the links that fill it — and a
//! page whose key the previous site holds is handed on as that file
//! ([`Html::Kept`]), its body never read; a page rendered is handed to the
//! [`Sink`] (the output stage's staging folder) at once ([`Html::Staged`])
//! rather than kept in memory.

pub mod nav;
pub mod theme;

use crate::cache::site::Previous;
use crate::cache::{Key, key_of, key_of_serialized};
use crate::config::Config;
use crate::links::{Resolved, root_of};
use crate::parse::Page;
use crate::versions::switch::{Switcher, VersionContext};
use anyhow::{Context as _, Result};
use nav::{NavItem, Navigation, PageNav, TitledLink};
use rayon::prelude::*;
use serde::Serialize;
use std::path::PathBuf;

/// The generator line in every page.
pub const GENERATOR: &str = concat!("handbook ", env!("CARGO_PKG_VERSION"));

/// One page's finished HTML and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPage {
    /// Site-relative URL (`a/b.html`).
    pub url: String,
    /// The key of everything the template was given, when the build cache
    /// is on.
    pub key: Option<Key>,
    /// The complete document.
    pub html: Html,
}

/// A page's document: rendered now, or the same file of the previous site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Html {
    /// Rendered by this build.
    Made(String),
    /// The previous site's file rendered from the same inputs.
    Kept(PathBuf),
    /// Rendered by this build and written into the staging folder here.
    Staged(PathBuf),
}

impl Html {
    /// The document's text (read from the previous site when kept).
    pub fn into_text(self) -> Result<String> {
        match self {
            Self::Made(text) => Ok(text),
            Self::Kept(path) | Self::Staged(path) => crate::fs::read_to_string(&path),
        }
    }
}

/// The previous site's files, to reuse a page whose inputs are unchanged;
/// `None` when the build cache is off (nothing is keyed).
pub type Reuse<'a> = Option<&'a Previous>;

/// What a build does with the pages it renders.
#[derive(Debug, Clone, Copy, Default)]
pub struct Output<'a> {
    /// The previous site's files, with the build cache on.
    pub reuse: Reuse<'a>,
    /// Where pages go (the output stage's staging folder) and the version's
    /// folder in it: each page is written there as soon as it is rendered,
    /// not kept in memory.
    pub into: Option<(&'a dyn Sink, &'a str)>,
}

/// Where rendered pages are written as they are made: the output stage's
/// staging folder, which alone knows the disk.
pub trait Sink: Sync + std::fmt::Debug {
    /// Writes `text` at the site path `path`; gives the file it is in.
    fn put(&self, path: &str, text: &str) -> Result<std::path::PathBuf>;
}

/// Every rendered file of one version's site.
#[derive(Debug, Clone, Default)]
pub struct RenderedSite {
    /// One per page, in the pages' order.
    pub pages: Vec<RenderedPage>,
    /// Theme files and the highlighting stylesheet, by site-relative path.
    pub statics: Vec<(String, Vec<u8>)>,
}

/// Templates compiled once, with what every page of a version shares.
#[derive(Clone)]
pub struct Renderer {
    tera: std::sync::Arc<tera::Tera>,
    theme: std::sync::Arc<theme::Theme>,
    /// The key of the templates, part of every page's key.
    templates: Key,
    site: SiteInfo,
    /// Pages carry the live-reload script (`handbook serve`), never in a build.
    serving: bool,
}

/// A page's place among the versions: the switcher and which version it is in.
pub type VersionOf<'a> = Option<(&'a Switcher, usize)>;

#[derive(Debug, Clone)]
struct SiteInfo {
    title: String,
    description: String,
    language: String,
    /// The header has a search box.
    search: bool,
    /// Where the version's pages live (`/handbook/2023/`): the 404 page's root.
    path_prefix: String,
    edit_url: Option<String>,
    source_prefix: String,
    spaces: std::collections::HashMap<String, crate::config::Space>,
    repository: Option<String>,
    authors: String,
    css: Vec<String>,
    js: Vec<String>,
}

impl SiteInfo {
    fn of(config: &Config) -> Self {
        Self {
            title: config.site.title.clone(),
            description: config.site.description.clone(),
            language: config.site.language.clone(),
            search: config.search,
            path_prefix: config.site.path_prefix.clone(),
            edit_url: config.edit_url.clone(),
            source_prefix: config.source_prefix(),
            spaces: config
                .spaces
                .iter()
                .map(|s| (s.id.clone(), s.clone()))
                .collect(),
            repository: config.carried.repository_url.clone(),
            authors: config.carried.authors.join(", "),
            css: config
                .carried
                .additional_css
                .iter()
                .map(|f| crate::model::path::href(f))
                .collect(),
            js: config
                .carried
                .additional_js
                .iter()
                .map(|f| crate::model::path::href(f))
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct SiteContext<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    root: String,
    generator: &'static str,
    search: bool,
    /// The path every page lives under (`/handbook/`), for the 404 page's `<base>`.
    prefix: &'a str,
    /// The source repository, linked from the header (mdBook's `git-repository-url`).
    repository: Option<&'a str>,
    /// The authors, comma-separated (`<meta name="author">`).
    authors: &'a str,
    /// Extra stylesheets and scripts, site-relative (mdBook's `additional-css`/`-js`).
    css: &'a [String],
    js: &'a [String],
}

#[derive(Serialize)]
struct DateContext {
    iso: String,
    display: String,
}

#[derive(Serialize)]
struct TocEntry<'a> {
    level: u8,
    id: &'a str,
    title: &'a str,
}

#[derive(Serialize)]
struct PageContext<'a> {
    title: &'a str,
    /// The `<title>` an mdBook page set with `{{#title …}}`.
    head_title: Option<&'a str>,
    description: &'a str,
    html: String,
    has_h1: bool,
    title_id: Option<&'a str>,
    url: String,
    path: &'a str,
    updated: Option<DateContext>,
    status: Option<&'a str>,
    edit_url: Option<String>,
    toc: Vec<TocEntry<'a>>,
    breadcrumbs: Vec<TitledLink>,
    prev: Option<TitledLink>,
    next: Option<TitledLink>,
    extra: &'a std::collections::BTreeMap<String, serde_json::Value>,
    /// The front matter's spaces: "Where this happens".
    spaces: Vec<crate::config::Space>,
}

#[derive(Serialize)]
struct PageTemplate<'a> {
    site: SiteContext<'a>,
    page: PageContext<'a>,
    nav: Vec<NavItem>,
    /// The version switcher and banner; absent on an unversioned site.
    version: Option<VersionContext>,
    serving: bool,
}

#[derive(Serialize)]
struct NotFoundTemplate<'a> {
    site: SiteContext<'a>,
    nav: Vec<NavItem>,
    serving: bool,
    /// The absolute path of the page's folder, for `<base>`: a host serves
    /// the page at any depth.
    base: String,
}

impl Renderer {
    /// Loads the configured theme and compiles its templates.
    pub fn new(config: &Config) -> Result<Self> {
        let theme = theme::load(&config.root, &config.theme)?;
        let tera = theme.compile()?;
        Ok(Self {
            tera: std::sync::Arc::new(tera),
            templates: key_of(&theme.templates),
            theme: std::sync::Arc::new(theme),
            site: SiteInfo::of(config),
            serving: false,
        })
    }

    /// The same renderer for the dev server: every page loads its
    /// live-reload script.
    #[must_use]
    pub fn serving(self) -> Self {
        Self {
            serving: true,
            ..self
        }
    }

    /// The same templates for one version: its configuration (title,
    /// spaces…), its pages under `name/` (the site root when empty).
    pub fn for_version(&self, config: &Config, name: &str) -> Self {
        let mut site = SiteInfo::of(config);
        if !name.is_empty() {
            site.path_prefix = format!("{}{}/", site.path_prefix, crate::model::path::href(name));
        }
        Self {
            tera: std::sync::Arc::clone(&self.tera),
            theme: std::sync::Arc::clone(&self.theme),
            templates: self.templates,
            site,
            serving: self.serving,
        }
    }

    fn site_context(&self, root: String) -> SiteContext<'_> {
        SiteContext {
            title: &self.site.title,
            description: &self.site.description,
            language: &self.site.language,
            root,
            generator: GENERATOR,
            search: self.site.search,
            prefix: &self.site.path_prefix,
            repository: self.site.repository.as_deref(),
            authors: &self.site.authors,
            css: &self.site.css,
            js: &self.site.js,
        }
    }

    /// Renders every page in parallel (order kept) and gives the statics; a page whose key the previous site holds is not rendered.
    pub fn render_site(
        &self,
        pages: &[Page],
        resolved: &[Resolved],
        navigation: &Navigation,
        (version, output): (VersionOf<'_>, Output<'_>),
    ) -> Result<RenderedSite> {
        let rendered = pages
            .par_iter()
            .zip(resolved)
            .enumerate()
            .map(|(i, (page, links))| {
                let nav = navigation.for_page(i, pages);
                self.render_reusing(page, links, nav, (version, output))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(RenderedSite {
            pages: rendered,
            statics: self.static_files(),
        })
    }

    /// Renders one page.
    pub fn render_page(
        &self,
        page: &Page,
        resolved: &Resolved,
        nav: PageNav,
        version: VersionOf<'_>,
    ) -> Result<RenderedPage> {
        self.render_reusing(page, resolved, nav, (version, Output::default()))
    }

    /// Renders one page, unless the previous site holds it rendered from
    /// the same context and templates; writes it into the staging folder
    /// when there is one.
    fn render_reusing(
        &self,
        page: &Page,
        resolved: &Resolved,
        nav: PageNav,
        (version, output): (VersionOf<'_>, Output<'_>),
    ) -> Result<RenderedPage> {
        let reuse = output.reuse;
        let root = root_of(&page.url);
        let version = version.map(|(switcher, i)| switcher.context(i, page, &format!("{root}../")));
        let context = PageTemplate {
            site: self.site_context(root),
            page: self.page_context(page, nav.breadcrumbs, nav.prev, nav.next),
            nav: nav.nav,
            version,
            serving: self.serving,
        };
        // The key reads the body by its digest and the links that fill it:
        // a page rendered again reads its body, one reused never does.
        let key = reuse.and_then(|_| {
            let context = key_of_serialized(&(self.templates, "page.html", &context))?;
            Some(key_of(&(context, page.body.digest(), resolved)))
        });
        let kept = key
            .zip(reuse)
            .and_then(|(key, previous)| previous.find(key));
        let html = match kept {
            Some(file) => Html::Kept(file),
            None => {
                let mut context = context;
                context.page.html =
                    crate::cache::pages::markup(&page.body)?.fill(|slot| resolved.slot(slot));
                let html = self
                    .render("page.html", &context)
                    .with_context(|| format!("rendering {}", page.file))?;
                match output.into {
                    Some((staging, folder)) => {
                        Html::Staged(staging.put(&format!("{folder}{}", page.url), &html)?)
                    }
                    None => Html::Made(html),
                }
            }
        };
        Ok(RenderedPage {
            url: page.url.clone(),
            key,
            html,
        })
    }

    fn page_context<'p>(
        &self,
        page: &'p Page,
        breadcrumbs: Vec<TitledLink>,
        prev: Option<TitledLink>,
        next: Option<TitledLink>,
    ) -> PageContext<'p> {
        let toc = page
            .headings
            .iter()
            .filter(|h| matches!(h.level, 2 | 3))
            .map(|h| TocEntry {
                level: h.level,
                id: &h.id,
                title: &h.title,
            })
            .collect();
        PageContext {
            title: &page.title,
            head_title: page.includes.title.as_deref(),
            description: page.description.as_deref().unwrap_or(""),
            // Filled once the page is known to be rendered.
            html: String::new(),
            has_h1: page.has_h1,
            title_id: page.title_id.as_deref(),
            url: crate::model::path::href(&page.url),
            path: &page.path,
            updated: page.updated.map(|d| DateContext {
                iso: d.iso(),
                display: d.display(),
            }),
            status: page.status.as_deref(),
            // A page the build makes has no file to edit.
            edit_url: self
                .site
                .edit_url
                .as_ref()
                .filter(|_| !crate::load::is_generated(&page.file))
                .map(|t| {
                    t.replace(
                        "{path}",
                        &crate::model::path::href(&format!(
                            "{}{}",
                            self.site.source_prefix, page.path
                        )),
                    )
                }),
            toc,
            breadcrumbs,
            prev,
            next,
            extra: &page.extra,
            spaces: page
                .spaces
                .iter()
                .filter_map(|(id, _, _)| self.site.spaces.get(id).cloned())
                .collect(),
        }
    }

    /// Renders the not-found page. Its links are relative to its folder, so
    /// it reads from disk too, and a `<base>` naming the folder's path (which
    /// the page drops when opened from disk) keeps them right at any depth
    /// a host serves it.
    pub fn render_not_found(&self, nav: Vec<NavItem>) -> Result<String> {
        self.not_found(nav, self.site.path_prefix.clone(), String::new())
    }

    /// The not-found page for the root folder (`base`, `/handbook/`) of a
    /// versioned site, its links leading into the lead version's folder
    /// (`root`, `latest/`).
    pub fn render_not_found_at(
        &self,
        nav: Vec<NavItem>,
        (base, root): (String, String),
    ) -> Result<String> {
        self.not_found(nav, base, root)
    }

    fn not_found(&self, nav: Vec<NavItem>, base: String, root: String) -> Result<String> {
        let context = NotFoundTemplate {
            site: self.site_context(root),
            nav,
            serving: self.serving,
            base,
        };
        self.render("404.html", &context)
            .context("rendering the 404 page")
    }

    fn render(&self, template: &str, context: &impl Serialize) -> Result<String> {
        let context = tera::Context::from_serialize(context).map_err(|e| anyhow::anyhow!("{e}"))?;
        self.tera
            .render(template, &context)
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// The theme's static files and the generated highlighting stylesheet,
    /// by site-relative path.
    pub fn static_files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = self
            .theme
            .statics
            .iter()
            .map(|(path, bytes)| (path.clone(), bytes.clone()))
            .collect();
        files.push((
            "static/highlight.css".into(),
            crate::parse::highlight::stylesheet().into_bytes(),
        ));
        files.sort();
        files
    }
}
