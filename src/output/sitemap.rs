//! `sitemap.xml`: every listed page's absolute URL, from the configured base
//! URL and path prefix, in reading order, with its last-updated date when the
//! page has one. Only made when the configuration names a base URL.

use crate::html::escape;

/// One page as the sitemap lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Site-relative URL.
    pub url: String,
    /// ISO date of the last update.
    pub updated: Option<String>,
}

/// The sitemap document.
pub fn sitemap(base_url: &str, prefix: &str, entries: &[Entry]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for entry in entries {
        xml.push_str("  <url><loc>");
        xml.push_str(&escape(&format!(
            "{base_url}{prefix}{}",
            crate::model::path::href(&entry.url)
        )));
        xml.push_str("</loc>");
        if let Some(date) = &entry.updated {
            xml.push_str("<lastmod>");
            xml.push_str(date);
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_urls_under_the_prefix() {
        let entries = [
            Entry {
                url: "index.html".into(),
                updated: None,
            },
            Entry {
                url: "a/b&c.html".into(),
                updated: Some("2021-07-19".into()),
            },
        ];
        let xml = sitemap("https://e.org", "/handbook/", &entries);
        assert!(xml.contains("<loc>https://e.org/handbook/index.html</loc></url>"));
        assert!(xml.contains(
            "<loc>https://e.org/handbook/a/b%26c.html</loc><lastmod>2021-07-19</lastmod>"
        ));
    }
}
