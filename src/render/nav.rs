//! The navigation, computed once per version from the SUMMARY and the parsed
//! pages: a tree of nodes, reading order for previous/next, and for each page
//! the light data its template needs — its own part of the tree with its
//! branch open, its breadcrumbs, previous and next.
//!
//! A page's sidebar never holds the whole book (mdBook's 14 MB-per-page bug):
//! it lists the chapters of the page's own part, with the page's branch open,
//! plus the chapters outside any part; pages outside every part (the home
//! page, prefix and suffix chapters) also list each part, collapsed to a link
//! to its first page. The complete tree is written once per site by
//! [`Navigation::script`], which the theme's script turns into the full,
//! collapsible sidebar; without JavaScript every page still has its branch,
//! breadcrumbs and previous/next.

use crate::load::{Chapter, Summary, SummaryItem};
use crate::parse::Page;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
enum Kind {
    Part,
    Page,
    Draft,
    Separator,
}

#[derive(Debug)]
struct Node {
    kind: Kind,
    title: String,
    page: Option<usize>,
    parent: Option<usize>,
    /// The part heading this top-level node sits under.
    part: Option<usize>,
    children: Vec<usize>,
}

/// The navigation of one version.
#[derive(Debug, Default)]
pub struct Navigation {
    nodes: Vec<Node>,
    top: Vec<usize>,
    node_of_page: HashMap<usize, usize>,
    /// Page indexes in reading order (listed, not hidden).
    order: Vec<usize>,
    position: HashMap<usize, usize>,
    /// The first page in reading order of each part heading's node.
    part_start: HashMap<usize, usize>,
}

/// One sidebar entry as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    kind: Kind,
    title: String,
    url: Option<String>,
    current: bool,
    open: bool,
    has_children: bool,
    children: Vec<NavItem>,
}

/// A link with a title (breadcrumb, previous, next).
#[derive(Debug, Clone, Serialize)]
pub struct TitledLink {
    /// Label.
    pub title: String,
    /// Site-relative URL; `None` for parts and drafts.
    pub url: Option<String>,
}

/// Everything navigational one page's template receives.
#[derive(Debug, Clone, Serialize)]
pub struct PageNav {
    /// The sidebar.
    pub nav: Vec<NavItem>,
    /// Ancestors, outermost first.
    pub breadcrumbs: Vec<TitledLink>,
    /// The page before in reading order.
    pub prev: Option<TitledLink>,
    /// The page after in reading order.
    pub next: Option<TitledLink>,
}

impl Navigation {
    /// Builds the tree. Hidden pages and their sub-chapters are left out.
    pub fn new(summary: &Summary, pages: &[Page]) -> Self {
        let by_path: HashMap<&str, usize> = pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.path.as_str(), i))
            .collect();
        let mut nav = Navigation::default();
        let mut part = None;
        for item in &summary.items {
            let node = match item {
                SummaryItem::Part(title) => {
                    let id = nav.nodes.len();
                    nav.push(Kind::Part, title.clone(), None, None, Some(id));
                    part = Some(id);
                    Some(id)
                }
                SummaryItem::Separator => {
                    // A rule ends the parts: what follows are suffix chapters.
                    part = None;
                    Some(nav.push(Kind::Separator, String::new(), None, None, None))
                }
                SummaryItem::Chapter(chapter) => {
                    let first = nav.order.len();
                    let node = nav.chapter(chapter, None, part, &by_path, pages);
                    if let (Some(part), Some(&page)) = (part, nav.order.get(first)) {
                        nav.part_start.entry(part).or_insert(page);
                    }
                    node
                }
            };
            nav.top.extend(node);
        }
        nav.position = nav.order.iter().enumerate().map(|(i, &p)| (p, i)).collect();
        nav
    }

    fn push(
        &mut self,
        kind: Kind,
        title: String,
        page: Option<usize>,
        parent: Option<usize>,
        part: Option<usize>,
    ) -> usize {
        self.nodes.push(Node {
            kind,
            title,
            page,
            parent,
            part,
            children: Vec::new(),
        });
        self.nodes.len() - 1
    }

    fn chapter(
        &mut self,
        chapter: &Chapter,
        parent: Option<usize>,
        part: Option<usize>,
        by_path: &HashMap<&str, usize>,
        pages: &[Page],
    ) -> Option<usize> {
        let page = chapter
            .path
            .as_deref()
            .and_then(|p| by_path.get(p).copied());
        if page.is_some_and(|p| pages[p].hidden) {
            return None;
        }
        let kind = if page.is_some() {
            Kind::Page
        } else {
            Kind::Draft
        };
        let id = self.push(kind, chapter.title.clone(), page, parent, part);
        if let Some(page) = page {
            self.node_of_page.insert(page, id);
            self.order.push(page);
        }
        for child in &chapter.children {
            if let Some(child_id) = self.chapter(child, Some(id), part, by_path, pages) {
                self.nodes[id].children.push(child_id);
            }
        }
        Some(id)
    }

    /// The navigation data of page `page` (an index into the pages slice).
    pub fn for_page(&self, page: usize, pages: &[Page]) -> PageNav {
        let current = self.node_of_page.get(&page).copied();
        let branch = current
            .map(|n| self.ancestors_and_self(n))
            .unwrap_or_default();
        let part = branch.last().and_then(|&top| self.nodes[top].part);
        let nav = self.scoped(part, current, &branch, pages);
        let mut breadcrumbs: Vec<TitledLink> = Vec::new();
        if let Some(&top) = branch.last() {
            breadcrumbs.extend(self.nodes[top].part.map(|p| self.link(p, pages)));
        }
        breadcrumbs.extend(branch.iter().skip(1).rev().map(|&n| self.link(n, pages)));
        let at = self.position.get(&page).copied();
        let prev = at
            .and_then(|i| i.checked_sub(1))
            .map(|i| self.page_link(self.order[i], pages));
        let next = at
            .and_then(|i| self.order.get(i + 1))
            .map(|&p| self.page_link(p, pages));
        PageNav {
            nav,
            breadcrumbs,
            prev,
            next,
        }
    }

    /// The sidebar for pages outside the tree (404, unlisted pages).
    pub fn top_level(&self, pages: &[Page]) -> Vec<NavItem> {
        self.scoped(None, None, &[], pages)
    }

    /// The top level as one page sees it: inside a part, that part's heading
    /// and chapters and the chapters outside any part; outside every part,
    /// those chapters and each part collapsed to a link to its first page.
    fn scoped(
        &self,
        part: Option<usize>,
        current: Option<usize>,
        branch: &[usize],
        pages: &[Page],
    ) -> Vec<NavItem> {
        let mut items = Vec::new();
        for &id in &self.top {
            let node = &self.nodes[id];
            if node.kind == Kind::Part && part.is_none() {
                let mut item = self.item(id, current, branch, pages);
                item.url = self.part_start.get(&id).map(|&p| pages[p].url.clone());
                items.push(item);
            } else if node.part.is_none() || node.part == part {
                items.push(self.item(id, current, branch, pages));
            }
        }
        items
    }

    /// `window.HANDBOOK_NAV = […]`: the complete tree, written once per site,
    /// as nested `{k: kind, t: title, u: url, c: children}` objects.
    pub fn script(&self, pages: &[Page]) -> String {
        let tree: Vec<serde_json::Value> = self.top.iter().map(|&n| self.full(n, pages)).collect();
        format!(
            "window.HANDBOOK_NAV = {};\n",
            serde_json::Value::Array(tree)
        )
    }

    fn full(&self, id: usize, pages: &[Page]) -> serde_json::Value {
        let node = &self.nodes[id];
        let kind = match node.kind {
            Kind::Part => "h",
            Kind::Page => "p",
            Kind::Draft => "d",
            Kind::Separator => "s",
        };
        let mut entry = serde_json::Map::new();
        entry.insert("k".into(), kind.into());
        if !node.title.is_empty() {
            entry.insert("t".into(), node.title.clone().into());
        }
        if let Some(page) = node.page {
            entry.insert("u".into(), pages[page].url.clone().into());
        }
        if !node.children.is_empty() {
            let children = node.children.iter().map(|&c| self.full(c, pages)).collect();
            entry.insert("c".into(), serde_json::Value::Array(children));
        }
        serde_json::Value::Object(entry)
    }

    /// `node` and its ancestors, innermost first.
    fn ancestors_and_self(&self, node: usize) -> Vec<usize> {
        let mut chain = vec![node];
        while let Some(parent) = self.nodes[*chain.last().unwrap_or(&node)].parent {
            chain.push(parent);
        }
        chain
    }

    fn item(&self, id: usize, current: Option<usize>, branch: &[usize], pages: &[Page]) -> NavItem {
        let node = &self.nodes[id];
        let open = branch.contains(&id);
        let children = if open {
            node.children
                .iter()
                .map(|&c| self.item(c, current, branch, pages))
                .collect()
        } else {
            Vec::new()
        };
        NavItem {
            kind: node.kind,
            title: node.title.clone(),
            url: node.page.map(|p| pages[p].url.clone()),
            current: current == Some(id),
            open,
            has_children: !node.children.is_empty(),
            children,
        }
    }

    fn link(&self, id: usize, pages: &[Page]) -> TitledLink {
        let node = &self.nodes[id];
        TitledLink {
            title: node.title.clone(),
            url: node.page.map(|p| pages[p].url.clone()),
        }
    }

    fn page_link(&self, page: usize, pages: &[Page]) -> TitledLink {
        let title = self.node_of_page.get(&page).map_or_else(
            || pages[page].title.clone(),
            |&n| self.nodes[n].title.clone(),
        );
        TitledLink {
            title,
            url: Some(pages[page].url.clone()),
        }
    }
}
