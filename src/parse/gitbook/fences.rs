//! Fenced code tracking: which lines of a page are inside a fenced code block.
//!
//! Takes the page's lines one at a time, in order; gives, for each, whether it
//! belongs to a fenced code block (the opening and closing fence lines
//! included). Follows CommonMark's rules for opening and closing (backticks or
//! tildes, at least three, up to three spaces of indent, a closing fence at
//! least as long as the opening one), so that GitBook syntax shown inside code
//! is never mistaken for a tag. An unclosed fence runs to the end of the page.

use super::strip_indent;

/// Follows code fences line by line.
#[derive(Default)]
pub(super) struct Fences {
    /// The fence the previous lines opened and no line has closed yet.
    open: Option<Fence>,
}

impl Fences {
    /// Whether `line`, the next line of the page, is part of a fenced code
    /// block (fence lines included).
    pub(super) fn contains(&mut self, line: &str) -> bool {
        match &self.open {
            Some(fence) => {
                if closes(fence, line) {
                    self.open = None;
                }
                true
            }
            None => {
                self.open = fence_open(line);
                self.open.is_some()
            }
        }
    }
}

/// An open code fence: its character and length decide which line closes it.
struct Fence {
    marker: u8,
    len: usize,
}

/// The fence `line` opens, if it opens one.
fn fence_open(line: &str) -> Option<Fence> {
    let rest = strip_indent(line)?;
    let marker = *rest.as_bytes().first()?;
    if marker != b'`' && marker != b'~' {
        return None;
    }
    let len = rest.bytes().take_while(|&b| b == marker).count();
    // CommonMark: a backtick fence's info string may not contain a backtick.
    let info_ok = marker == b'~' || !rest[len..].contains('`');
    (len >= 3 && info_ok).then_some(Fence { marker, len })
}

/// Whether `line` closes `fence`.
fn closes(fence: &Fence, line: &str) -> bool {
    let Some(rest) = strip_indent(line) else {
        return false;
    };
    let len = rest.bytes().take_while(|&b| b == fence.marker).count();
    len >= fence.len && rest[len..].trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{messages, text};

    #[test]
    fn hints_inside_backtick_fences_stay_literal() {
        let body = "```markdown\n{% hint style=\"info\" %}\nx\n{% endhint %}\n```\n";
        assert_eq!(text(body), body);
        assert!(messages(body).is_empty());
    }

    #[test]
    fn hints_inside_tilde_fences_stay_literal() {
        let body = "~~~~\n{% hint %}\n~~~\n{% endhint %}\n~~~~\n";
        assert_eq!(text(body), body);
    }

    #[test]
    fn a_shorter_or_different_fence_does_not_close() {
        let body = "````\n```\n{% tabs %}\n~~~~\n````\n{% code %}\n";
        assert_eq!(text(body), "````\n```\n{% tabs %}\n~~~~\n````\n");
    }

    #[test]
    fn indented_fences_up_to_three_spaces_count() {
        let body = "   ```\n{% hint %}\n   ```\n";
        assert_eq!(text(body), body);
    }

    #[test]
    fn four_space_indent_is_not_a_fence() {
        let body = "    ```\n{% hint %}\nx\n{% endhint %}\n";
        assert_eq!(text(body), "    ```\n> [!NOTE]\n> x\n\n");
    }

    #[test]
    fn backtick_info_with_backtick_is_not_a_fence() {
        assert_eq!(text("``` a`b\n{% code %}\n"), "``` a`b\n");
    }

    #[test]
    fn unclosed_fence_runs_to_the_end() {
        let body = "```\n{% embed url=\"https://a\" %}\n";
        assert_eq!(text(body), body);
    }
}
