//! The navigation, computed once per version from the SUMMARY and the parsed
//! pages: a tree of nodes, reading order for previous/next, and for each page
//! the light data its template needs — the top level of the tree with only the
//! page's own branch open, its breadcrumbs, previous and next. Nothing here
//! grows with the whole book per page, so output stays linear in page count.

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
                    let id = nav.push(Kind::Part, title.clone(), None, None, None);
                    part = Some(id);
                    Some(id)
                }
                SummaryItem::Separator => {
                    Some(nav.push(Kind::Separator, String::new(), None, None, part))
                }
                SummaryItem::Chapter(chapter) => nav.chapter(chapter, None, part, &by_path, pages),
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
        let nav = self
            .top
            .iter()
            .map(|&n| self.item(n, current, &branch, pages))
            .collect();
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
        self.top
            .iter()
            .map(|&n| self.item(n, None, &[], pages))
            .collect()
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
