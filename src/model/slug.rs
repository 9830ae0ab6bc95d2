//! The slug of a heading or title: the id an anchor and a protocol id are
//! made from. Pure: any text gives a non-empty slug of lowercase letters,
//! digits (of any script), `-` and `_`.

/// Lowercase letters and digits of any script, `-` for spaces, other
/// punctuation dropped; `section` when nothing is left.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            slug.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            slug.push('-');
        }
    }
    if slug.is_empty() {
        "section".into()
    } else {
        slug
    }
}
