//! Paths and URLs inside a site: the one vocabulary every stage uses to
//! name a page or file.
//!
//! Takes paths as editors write them (relative, `%`-escaped, `./a/../b.md`,
//! `dir/`) and site paths; gives normalised source paths, percent-encoded
//! URLs and the relative URL from one page to another. Pure functions: no
//! I/O, no panics on any input; a path that would climb above the root is
//! `None` or an error, never clamped.

/// Joins `relative` onto folder `base` and resolves `.` and `..`; `None` when
/// the result would climb above the source root. A leading `/` means the root.
pub fn normalise_path(base: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = if relative.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|s| !s.is_empty()).collect()
    };
    for part in relative.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// Decodes `%XX` escapes; malformed escapes stay as written.
pub fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(value)) => {
                out.push(value);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `./a/../b.md` → `b.md`; `dir/` → `dir/README.md`. Refuses URLs, absolute
/// paths, paths that climb out of the source folder and non-markdown targets.
pub fn normalise_target(target: &str) -> Result<String, String> {
    let decoded = percent_decode(target.split(['#', '?']).next().unwrap_or(""));
    if decoded.contains("://") || decoded.starts_with('/') || decoded.starts_with("mailto:") {
        return Err(format!("`{target}` is not a page in the source folder"));
    }
    let mut path = normalise_path("", &decoded)
        .ok_or_else(|| format!("`{target}` is outside the source folder"))?;
    if path.is_empty() || decoded.ends_with('/') {
        path = if path.is_empty() {
            "README.md".into()
        } else {
            format!("{path}/README.md")
        };
    }
    if !path.ends_with(".md") {
        return Err(format!("`{target}` is not a markdown page"));
    }
    Ok(path)
}

/// A site path as it goes into a URL: every byte but ASCII letters, digits,
/// `-._~` and `/` is percent-encoded, so `über uns/café #1.html` stays one
/// path (a raw `#` would start a fragment). Paths stay identities; only URLs
/// are encoded, here, once.
pub fn href(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The URL of `to` as seen from the page at `from` (both site-relative).
pub fn relative_url(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').collect();
    let from_dirs = &from_dirs[..from_dirs.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dirs
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let common = common.min(to_parts.len() - 1);
    let mut out = "../".repeat(from_dirs.len() - common);
    out.push_str(&to_parts[common..].join("/"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_refuses_to_climb_out() {
        assert_eq!(normalise_path("a/b", "../../c").as_deref(), Some("c"));
        assert_eq!(normalise_path("a", "../../c"), None);
    }

    #[test]
    fn percent_decoding_keeps_malformed_escapes() {
        assert_eq!(percent_decode("a%20b%zz%"), "a b%zz%");
        assert_eq!(percent_decode("caf%C3%A9"), "café");
    }

    #[test]
    fn folder_targets_mean_their_readme() {
        assert_eq!(normalise_target("dir/").unwrap(), "dir/README.md");
        assert_eq!(normalise_target("./a/../b%20c.md#x").unwrap(), "b c.md");
    }

    #[test]
    fn relative_urls_between_pages() {
        assert_eq!(relative_url("a/b/c.html", "a/d.html"), "../d.html");
        assert_eq!(relative_url("index.html", "a/b.html"), "a/b.html");
        assert_eq!(relative_url("a/b.html", "index.html"), "../index.html");
        assert_eq!(relative_url("a/b.html", "a/c.html"), "c.html");
        assert_eq!(relative_url("a/x/y.html", "a/x/index.html"), "index.html");
        assert_eq!(relative_url("a/b.html", "a/b/c.png"), "b/c.png");
    }

    #[test]
    fn urls_encode_what_paths_may_hold() {
        assert_eq!(
            href("über uns/café #1.html"),
            "%C3%BCber%20uns/caf%C3%A9%20%231.html"
        );
        assert_eq!(href("a/b-c_d.e~f.html"), "a/b-c_d.e~f.html");
        assert_eq!(href("100%.png"), "100%25.png");
    }
}
