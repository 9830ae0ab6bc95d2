//! Lexing GitBook's `{% … %}` block tags and their attributes.
//!
//! Takes one source line; gives a [`Tag`] (name, attributes, 1-based columns
//! for problems) when the line holds nothing but one tag, and `None` for
//! anything else, including tags inline in a paragraph and liquid-like text
//! that is not a tag. Never fails on odd input: an attribute list that cannot
//! be read ends early instead, and slicing stays on character boundaries.

use super::column_at;

/// A GitBook block tag such as `{% hint style="info" %}`.
pub(super) struct Tag<'a> {
    /// The tag's name: `hint`, `endhint`, `embed`, ….
    pub(super) name: &'a str,
    attrs: Vec<Attr<'a>>,
    /// 1-based character column of `{%`.
    pub(super) column: u32,
}

/// One `key="value"` of a tag.
pub(super) struct Attr<'a> {
    key: &'a str,
    /// The value without its quotes; empty for a bare `key`.
    pub(super) value: &'a str,
    /// 1-based character column of the value.
    pub(super) column: u32,
}

impl<'a> Tag<'a> {
    /// The first attribute named `key`.
    pub(super) fn attr(&self, key: &str) -> Option<&Attr<'a>> {
        self.attrs.iter().find(|attr| attr.key == key)
    }
}

/// The tag `line` consists of (surrounding whitespace aside), if any: the
/// name must start with a letter and be followed by whitespace or `%}`.
pub(super) fn parse_tag(line: &str) -> Option<Tag<'_>> {
    let lead = line.len() - line.trim_start().len();
    let inner = line[lead..]
        .trim_end()
        .strip_prefix("{%")?
        .strip_suffix("%}")?;
    let inner_start = lead + 2;
    let name_at = inner.len() - inner.trim_start().len();
    let rest = &inner[name_at..];
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    let name = &rest[..name_len];
    let separated =
        rest[name_len..].is_empty() || rest[name_len..].starts_with(char::is_whitespace);
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) || !separated {
        return None;
    }
    let attrs_start = inner_start + name_at + name_len;
    Some(Tag {
        name,
        attrs: parse_attrs(line, attrs_start, inner_start + inner.len()),
        column: column_at(line, lead),
    })
}

/// Reads `key="value"`, `key='value'`, `key=value` and bare `key` pairs from
/// `line[from..to]`; anything unreadable ends the list rather than failing the
/// tag, since GitBook only ever writes the quoted form.
fn parse_attrs(line: &str, from: usize, to: usize) -> Vec<Attr<'_>> {
    let skip_space = |at: usize| at + (line[at..to].len() - line[at..to].trim_start().len());
    let mut attrs = Vec::new();
    let mut at = skip_space(from);
    while at < to {
        let rest = &line[at..to];
        let key_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        if key_len == 0 {
            break;
        }
        let key = &rest[..key_len];
        at = skip_space(at + key_len);
        let (value, value_at, next) = if line[at..to].starts_with('=') {
            attr_value(line, skip_space(at + 1), to)
        } else {
            ("", at, at)
        };
        attrs.push(Attr {
            key,
            value,
            column: column_at(line, value_at),
        });
        at = skip_space(next);
    }
    attrs
}

/// The value starting at `at`: (value, where the value starts, where reading
/// continues).
fn attr_value(line: &str, at: usize, to: usize) -> (&str, usize, usize) {
    let rest = &line[at..to];
    match rest.chars().next() {
        Some(quote @ ('"' | '\'')) => {
            let inner = &rest[1..];
            let len = inner.find(quote).unwrap_or(inner.len());
            (&inner[..len], at + 1, (at + 1 + len + 1).min(to))
        }
        _ => {
            let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
            (&rest[..len], at, at + len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{messages, text};
    use super::*;

    #[test]
    fn inline_tags_are_left_alone() {
        let body = "Say {% hint style=\"info\" %} here.\n";
        assert_eq!(text(body), body);
        assert!(messages(body).is_empty());
    }

    #[test]
    fn liquid_like_text_that_is_not_a_tag_stays() {
        for body in ["{%}\n", "{% %}\n", "{%1 x %}\n", "{%hint%x %}\n"] {
            assert_eq!(text(body), body, "{body:?}");
        }
    }

    #[test]
    fn tag_attributes_are_read_in_all_forms() {
        let tag = parse_tag("  {% x a=\"1 2\" b='3' c=4 d e = \"5\" %}");
        let attrs: Vec<(&str, &str, u32)> = tag
            .iter()
            .flat_map(|t| t.attrs.iter().map(|a| (a.key, a.value, a.column)))
            .collect();
        assert_eq!(
            attrs,
            vec![
                ("a", "1 2", 11),
                ("b", "3", 19),
                ("c", "4", 24),
                ("d", "", 28),
                ("e", "5", 33)
            ]
        );
    }

    #[test]
    fn unterminated_attribute_quote_reads_to_the_end() {
        let tag = parse_tag("{% embed url=\"https://a %}");
        assert_eq!(
            tag.and_then(|t| t.attr("url").map(|a| a.value)),
            Some("https://a ")
        );
    }
}
