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
use crate::model::path::href;
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
    /// Entries left out of this page's sidebar: "12 more".
    More,
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
    /// The section number shown before the title (`2.1.`), when numbered.
    number: Option<String>,
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
    /// The top-level entries a page sees, by the part it is in (`None`:
    /// outside every part); computed once, not per page.
    scoped_top: HashMap<Option<usize>, Vec<usize>>,
}

/// One sidebar entry as templates see it. The sidebar is a flat list in
/// reading order: `depth` says how deep an entry is, `opens` that a nested
/// list of its children follows, and `closes` how many nested lists end after
/// it — so a theme renders any depth without recursion.
#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    kind: Kind,
    title: String,
    number: Option<String>,
    url: Option<String>,
    current: bool,
    open: bool,
    has_children: bool,
    depth: usize,
    opens: bool,
    closes: usize,
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

/// Where the pages of the tree are found.
struct Lookup<'a> {
    by_path: HashMap<&'a str, usize>,
    pages: &'a [Page],
}

impl Navigation {
    /// Builds the tree. Hidden pages and their sub-chapters are left out.
    /// With `numbers`, list entries carry mdBook's section numbers: `1.`,
    /// `2.` … counted across parts, `2.1.` … below them; bare-link prefix
    /// and suffix chapters have none, and hidden pages take no number.
    pub fn new(summary: &Summary, pages: &[Page], numbers: bool) -> Self {
        let by_path = pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.path.as_str(), i))
            .collect();
        let lookup = Lookup { by_path, pages };
        let mut nav = Navigation::default();
        let mut part = None;
        let mut counted = 0;
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
                    let number = number_of(chapter, numbers.then_some(""), counted);
                    let node = nav.chapter(chapter, (None, part), number.as_deref(), &lookup);
                    if let (Some(part), Some(&page)) = (part, nav.order.get(first)) {
                        nav.part_start.entry(part).or_insert(page);
                    }
                    counted += usize::from(node.is_some() && number.is_some());
                    node
                }
            };
            nav.top.extend(node);
        }
        nav.position = nav.order.iter().enumerate().map(|(i, &p)| (p, i)).collect();
        nav.scoped_top = nav.scoped_tops();
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
            number: None,
        });
        self.nodes.len() - 1
    }

    /// Adds `chapter` (numbered `number`) under `parent` in `part`, and its
    /// sub-chapters; `None` when it is hidden.
    fn chapter(
        &mut self,
        chapter: &Chapter,
        (parent, part): (Option<usize>, Option<usize>),
        number: Option<&str>,
        lookup: &Lookup<'_>,
    ) -> Option<usize> {
        let page = chapter
            .path
            .as_deref()
            .and_then(|p| lookup.by_path.get(p).copied());
        if page.is_some_and(|p| lookup.pages[p].hidden) {
            return None;
        }
        let kind = if page.is_some() {
            Kind::Page
        } else {
            Kind::Draft
        };
        let id = self.push(kind, chapter.title.clone(), page, parent, part);
        self.nodes[id].number = number.map(str::to_string);
        if let Some(page) = page {
            self.node_of_page.insert(page, id);
            self.order.push(page);
        }
        let mut counted = 0;
        for child in &chapter.children {
            let own = number_of(child, number, counted);
            if let Some(child_id) = self.chapter(child, (Some(id), part), own.as_deref(), lookup) {
                self.nodes[id].children.push(child_id);
                counted += usize::from(own.is_some());
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
        let breadcrumbs = self.branch_links(&branch, pages);
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

    /// The titles of page `page`'s ancestors, outermost first (its part
    /// heading, then the chapters above it).
    pub fn crumbs(&self, page: usize, pages: &[Page]) -> Vec<String> {
        let branch = self
            .node_of_page
            .get(&page)
            .map(|&n| self.ancestors_and_self(n))
            .unwrap_or_default();
        let links = self.branch_links(&branch, pages);
        links.into_iter().map(|l| l.title).collect()
    }

    /// Links to a branch's part and ancestors, outermost first (`branch`
    /// runs from a node up to its top-level chapter).
    fn branch_links(&self, branch: &[usize], pages: &[Page]) -> Vec<TitledLink> {
        let mut links: Vec<TitledLink> = Vec::new();
        if let Some(&top) = branch.last() {
            links.extend(self.nodes[top].part.map(|p| self.link(p, pages)));
        }
        links.extend(branch.iter().skip(1).rev().map(|&n| self.link(n, pages)));
        links
    }

    /// The sidebar for pages outside the tree (404, unlisted pages).
    pub fn top_level(&self, pages: &[Page]) -> Vec<NavItem> {
        self.scoped(None, None, &[], pages)
    }

    /// The static sidebar of one page: the top-level entries of its own part,
    /// the chapters outside any part and every part heading (other parts
    /// collapsed to a link to their first page), then the page's branch open
    /// level by level. Each level shows at most a window of [`WINDOW`] entries
    /// either side of the branch, with "N more" for the rest, so a page's
    /// sidebar is bounded whatever the size of the book.
    fn scoped(
        &self,
        part: Option<usize>,
        current: Option<usize>,
        branch: &[usize],
        pages: &[Page],
    ) -> Vec<NavItem> {
        let top = self.scoped_top.get(&part).map_or(&[][..], Vec::as_slice);
        let mut items = Vec::new();
        let view = View {
            current,
            branch,
            pages,
            part,
        };
        self.level(top, 0, &view, &mut items);
        close_levels(&mut items);
        items
    }

    /// Appends one level's window of entries, descending into the open one.
    /// For each part (and for none), the top-level entries in its scope: every
    /// part heading, the chapters outside any part, and the part's own.
    fn scoped_tops(&self) -> HashMap<Option<usize>, Vec<usize>> {
        let parts = self
            .top
            .iter()
            .copied()
            .filter(|&id| self.nodes[id].kind == Kind::Part);
        std::iter::once(None)
            .chain(parts.map(Some))
            .map(|part| {
                let ids = self.top.iter().copied().filter(|&id| {
                    let node = &self.nodes[id];
                    node.kind == Kind::Part || node.part.is_none() || node.part == part
                });
                (part, ids.collect())
            })
            .collect()
    }

    fn level(&self, ids: &[usize], depth: usize, view: &View<'_>, out: &mut Vec<NavItem>) {
        // Node ids grow in reading order, so every list of them is sorted:
        // the branch's entry at this depth is found by binary search.
        let on_branch = view
            .branch
            .len()
            .checked_sub(depth + 1)
            .map(|i| view.branch[i]);
        let focus = on_branch.and_then(|node| ids.binary_search(&node).ok());
        let (from, to) = window(ids.len(), focus);
        if from > 0 {
            out.push(more(from, depth));
        }
        for &id in &ids[from..to] {
            out.push(self.entry(id, depth, view));
            if view.branch.contains(&id) {
                self.level(&self.nodes[id].children, depth + 1, view, out);
            }
        }
        if to < ids.len() {
            out.push(more(ids.len() - to, depth));
        }
    }

    fn entry(&self, id: usize, depth: usize, view: &View<'_>) -> NavItem {
        let node = &self.nodes[id];
        let page_url = |p: usize| Some(href(&view.pages[p].url));
        let url = match node.kind {
            // Another part's heading leads to its first page.
            Kind::Part if view.part != Some(id) => {
                self.part_start.get(&id).and_then(|&p| page_url(p))
            }
            _ => node.page.and_then(page_url),
        };
        NavItem {
            kind: node.kind,
            title: node.title.clone(),
            number: node.number.clone(),
            url,
            current: view.current == Some(id),
            open: view.branch.contains(&id),
            has_children: !node.children.is_empty(),
            depth,
            opens: false,
            closes: 0,
        }
    }

    /// `window.HANDBOOK_NAV = […]`: the complete tree, written once per site,
    /// as nested `{k: kind, t: title, n: number, u: url, c: children}` objects.
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
            Kind::Separator | Kind::More => "s",
        };
        let mut entry = serde_json::Map::new();
        entry.insert("k".into(), kind.into());
        if !node.title.is_empty() {
            entry.insert("t".into(), node.title.clone().into());
        }
        if let Some(number) = &node.number {
            entry.insert("n".into(), number.clone().into());
        }
        if let Some(page) = node.page {
            entry.insert("u".into(), href(&pages[page].url).into());
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

    fn link(&self, id: usize, pages: &[Page]) -> TitledLink {
        let node = &self.nodes[id];
        TitledLink {
            title: node.title.clone(),
            url: node.page.map(|p| href(&pages[p].url)),
        }
    }

    fn page_link(&self, page: usize, pages: &[Page]) -> TitledLink {
        let title = self.node_of_page.get(&page).map_or_else(
            || pages[page].title.clone(),
            |&n| self.nodes[n].title.clone(),
        );
        TitledLink {
            title,
            url: Some(href(&pages[page].url)),
        }
    }
}

/// The section number of `chapter` after `counted` numbered siblings, below
/// the number `above` (`""` at the top); `None` when numbers are off or it
/// is a bare-link chapter.
fn number_of(chapter: &Chapter, above: Option<&str>, counted: usize) -> Option<String> {
    above
        .filter(|_| chapter.numbered)
        .map(|above| format!("{above}{}.", counted + 1))
}

/// How many entries either side of the page's branch one sidebar level shows.
const WINDOW: usize = 12;

/// What one page's sidebar is computed for.
struct View<'a> {
    current: Option<usize>,
    branch: &'a [usize],
    pages: &'a [Page],
    part: Option<usize>,
}

/// The range of `len` entries to show around `focus` (the branch's entry).
fn window(len: usize, focus: Option<usize>) -> (usize, usize) {
    let span = 2 * WINDOW + 1;
    if len <= span {
        return (0, len);
    }
    let from = focus.unwrap_or(0).saturating_sub(WINDOW).min(len - span);
    (from, from + span)
}

fn more(count: usize, depth: usize) -> NavItem {
    NavItem {
        kind: Kind::More,
        title: format!("{count} more"),
        number: None,
        url: None,
        current: false,
        open: false,
        has_children: false,
        depth,
        opens: false,
        closes: 0,
    }
}

/// Marks where nested lists open and close in the flat list.
fn close_levels(items: &mut [NavItem]) {
    for i in 0..items.len() {
        let next = items.get(i + 1).map_or(0, |n| n.depth);
        let depth = items[i].depth;
        items[i].opens = next > depth;
        items[i].closes = depth.saturating_sub(next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_centre_on_the_branch_and_stay_in_range() {
        assert_eq!(window(10, Some(9)), (0, 10));
        assert_eq!(window(100, None), (0, 25));
        assert_eq!(window(100, Some(50)), (38, 63));
        assert_eq!(window(100, Some(99)), (75, 100));
    }

    #[test]
    fn levels_open_and_close_in_a_flat_list() {
        let mut items: Vec<NavItem> = [0, 1, 2, 2, 0, 1].iter().map(|&d| more(1, d)).collect();
        close_levels(&mut items);
        let marks: Vec<(bool, usize)> = items.iter().map(|i| (i.opens, i.closes)).collect();
        assert_eq!(
            marks,
            [
                (true, 0),
                (true, 0),
                (false, 0),
                (false, 2),
                (true, 0),
                (false, 1)
            ]
        );
    }
}
