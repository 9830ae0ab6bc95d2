//! Unit tests of `blocks.rs`: text in, values and problems out.

use super::super::tests::{map, messages, text};
use super::super::{Problem, preprocess};
use super::*;

// --- hints ------------------------------------------------------------------

#[test]
fn hint_styles_map_to_alert_kinds() {
    for (style, kind) in [
        ("info", "NOTE"),
        ("success", "TIP"),
        ("warning", "WARNING"),
        ("danger", "CAUTION"),
        ("Danger", "CAUTION"),
    ] {
        let body = format!("{{% hint style=\"{style}\" %}}\nx\n{{% endhint %}}\n");
        assert_eq!(text(&body), format!("> [!{kind}]\n> x\n\n"), "{style}");
    }
}

#[test]
fn hint_without_style_is_a_note() {
    assert_eq!(text("{% hint %}\nx\n{% endhint %}"), "> [!NOTE]\n> x\n");
    assert!(messages("{% hint %}\nx\n{% endhint %}").is_empty());
}

#[test]
fn unknown_hint_style_is_a_note_and_a_problem() {
    let out = preprocess("{% hint style=\"tip\" %}\nx\n{% endhint %}\n", 10);
    assert_eq!(out.text, "> [!NOTE]\n> x\n\n");
    assert_eq!(
        out.problems,
        vec![Problem {
            line: 10,
            column: 16,
            message: "unknown hint style `tip`; use info, success, warning or danger".into(),
        }]
    );
}

#[test]
fn hint_tags_may_be_indented_and_single_quoted() {
    let body = "  {% hint style='warning' %}\nx\n   {% endhint %}  \n";
    assert_eq!(text(body), "> [!WARNING]\n> x\n\n");
}

#[test]
fn hint_content_is_mapped_with_a_shift() {
    let body = "intro\n{% hint style=\"info\" %}\nfirst\n\nsecond\n{% endhint %}\nafter\n";
    let out = preprocess(body, 1);
    assert_eq!(
        out.text,
        "intro\n> [!NOTE]\n> first\n>\n> second\n\nafter\n"
    );
    assert_eq!(
        out.lines.entries(),
        vec![(1, 0), (2, 0), (3, 2), (4, 1), (5, 2), (6, 0), (7, 0)]
    );
    assert_eq!(out.lines.source_position(3, 5), (3, 3));
}

#[test]
fn text_after_a_hint_is_not_swallowed() {
    assert_eq!(
        text("{% hint %}\nin\n{% endhint %}\nout\n"),
        "> [!NOTE]\n> in\n\nout\n"
    );
}

#[test]
fn hint_wrapping_a_quote_is_flattened() {
    let body =
        "{% hint style=\"info\" %}\n> `Note: Derive protocols`\n>\n> - **A** — b\n{% endhint %}\n";
    let out = preprocess(body, 1);
    assert_eq!(
        out.text,
        "> [!NOTE]\n> `Note: Derive protocols`\n>\n> - **A** — b\n\n"
    );
    assert_eq!(
        out.lines.entries(),
        vec![(1, 0), (2, 0), (3, 0), (4, 0), (5, 0)]
    );
}

#[test]
fn hint_with_some_quoted_lines_is_not_flattened() {
    let body = "{% hint %}\n> quoted\nplain\n{% endhint %}\n";
    assert_eq!(text(body), "> [!NOTE]\n> > quoted\n> plain\n\n");
}

#[test]
fn fenced_code_inside_a_hint_is_quoted_but_not_rewritten() {
    let body = "{% hint %}\n```\n{% endhint %}\n```\n{% endhint %}\n";
    assert_eq!(text(body), "> [!NOTE]\n> ```\n> {% endhint %}\n> ```\n\n");
}

#[test]
fn nested_hint_tags_are_dropped_and_reported() {
    let body =
        "{% hint %}\na\n{% hint style=\"danger\" %}\nb\n{% endhint %}\nc\n{% endhint %}\nd\n";
    let out = preprocess(body, 1);
    assert_eq!(out.text, "> [!NOTE]\n> a\n> b\n> c\n\nd\n");
    assert_eq!(out.problems.len(), 1);
    assert_eq!(out.problems[0].line, 3);
    assert!(out.problems[0].message.contains("inside another hint"));
}

#[test]
fn unclosed_hint_runs_to_the_end_and_is_reported() {
    let out = preprocess("a\n {% hint %}\nb\n", 4);
    assert_eq!(out.text, "a\n> [!NOTE]\n> b\n\n");
    assert_eq!(
        out.problems,
        vec![Problem {
            line: 5,
            column: 2,
            message: "`{% hint %}` is never closed; add `{% endhint %}`".into(),
        }]
    );
}

#[test]
fn stray_endhint_is_dropped_and_reported() {
    let out = preprocess("a\n{% endhint %}\nb\n", 1);
    assert_eq!(out.text, "a\nb\n");
    assert_eq!(out.problems.len(), 1);
    assert_eq!(out.problems[0].line, 2);
    assert_eq!(
        out.problems[0].message,
        "`{% endhint %}` has no matching `{% hint %}`; it is dropped"
    );
}

#[test]
fn spacer_lines_inside_hints_become_empty_quote_lines() {
    assert_eq!(
        text("{% hint %}\na\n&#x20;\nb\n{% endhint %}\n"),
        "> [!NOTE]\n> a\n>\n> b\n\n"
    );
}

// --- embeds -----------------------------------------------------------------

#[test]
fn self_closing_embed_becomes_a_card() {
    let out = preprocess(
        "{% embed url=\"https://example.org/v?a=1&b=2\" %}\nText\n",
        1,
    );
    assert_eq!(
        out.text,
        "<div class=\"embed-card\"><a href=\"https://example.org/v?a=1&amp;b=2\" rel=\"noopener\">https://example.org/v?a=1&amp;b=2</a></div>\n\nText\n"
    );
    assert_eq!(out.lines.entries(), vec![(1, 0), (1, 0), (2, 0)]);
}

#[test]
fn embed_with_end_tag_is_consumed() {
    let out = preprocess("{% embed url=\"https://a.org\" %}\n{% endembed %}\nx\n", 1);
    assert_eq!(
        out.text,
        "<div class=\"embed-card\"><a href=\"https://a.org\" rel=\"noopener\">https://a.org</a></div>\n\nx\n"
    );
    assert_eq!(out.lines.entries(), vec![(1, 0), (2, 0), (3, 0)]);
}

#[test]
fn embed_caption_becomes_the_link_text() {
    let body = "{% embed url=\"https://a.org\" %}\nOur <b>talk</b> & 'Q'\n{% endembed %}\n";
    assert_eq!(
        text(body),
        "<div class=\"embed-card\"><a href=\"https://a.org\" rel=\"noopener\">Our &lt;b&gt;talk&lt;/b&gt; &amp; &#39;Q&#39;</a></div>\n\n"
    );
}

#[test]
fn embed_end_tag_too_far_away_is_not_consumed() {
    let body = "{% embed url=\"https://a.org\" %}\n1\n2\n3\n4\n5\n{% endembed %}\n";
    let out = preprocess(body, 1);
    assert!(out.text.starts_with("<div class=\"embed-card\"><a href=\"https://a.org\" rel=\"noopener\">https://a.org</a></div>\n\n1\n"));
    assert!(!out.text.contains("endembed"));
    assert_eq!(out.problems.len(), 1, "the far end tag is stray");
}

#[test]
fn embed_url_is_escaped_in_the_attribute() {
    let body = "{% embed url='https://a.org/\"x\"' %}\n";
    assert!(text(body).contains("href=\"https://a.org/&quot;x&quot;\""));
}

#[test]
fn embed_without_url_is_a_problem() {
    let out = preprocess("{% embed %}\nx\n", 1);
    assert_eq!(out.text, "\nx\n");
    assert_eq!(out.problems.len(), 1);
    assert!(out.problems[0].message.contains("has no url"));
}

#[test]
fn non_http_embed_is_text_and_a_problem() {
    let out = preprocess("{% embed url=\"javascript:alert('x')\" %}\n", 1);
    assert_eq!(
        out.text,
        "<div class=\"embed-card\">javascript:alert(&#39;x&#39;)</div>\n\n"
    );
    assert_eq!(
        out.problems,
        vec![Problem {
            line: 1,
            column: 15,
            message: "embed url must be http(s)".into()
        }]
    );
}

// --- content-ref --------------------------------------------------------------

#[test]
fn content_ref_export_form_keeps_the_link() {
    let body = "{% content-ref url=\"governance.md\" %}\n[governance.md](governance.md)\n{% endcontent-ref %}\nNext\n";
    let out = preprocess(body, 1);
    assert_eq!(
        out.text,
        "<div class=\"content-ref\">\n\n[governance.md](governance.md)\n\n</div>\n\nNext\n"
    );
    assert_eq!(
        out.lines.entries(),
        vec![(1, 0), (1, 0), (2, 0), (3, 0), (3, 0), (3, 0), (4, 0)]
    );
    assert!(out.problems.is_empty());
}

#[test]
fn content_ref_without_inner_line_links_its_url() {
    assert_eq!(
        text("{% content-ref url=\"a b.md\" %}\n\n{% endcontent-ref %}\n"),
        "<div class=\"content-ref\">\n\n[a b.md](<a b.md>)\n\n</div>\n\n"
    );
    assert_eq!(
        text("{% content-ref url=\"x/[y].md\" %}\n{% endcontent-ref %}\n"),
        "<div class=\"content-ref\">\n\n[x/\\[y\\].md](x/[y].md)\n\n</div>\n\n"
    );
}

#[test]
fn unclosed_content_ref_is_a_problem() {
    let out = preprocess("{% content-ref url=\"a.md\" %}\n[a](a.md)\n", 1);
    assert_eq!(
        out.text,
        "<div class=\"content-ref\">\n\n[a](a.md)\n\n</div>\n\n"
    );
    assert_eq!(out.problems.len(), 1);
    assert!(out.problems[0].message.contains("`{% endcontent-ref %}`"));
}

#[test]
fn content_ref_without_url_is_a_problem() {
    let out = preprocess("{% content-ref %}\n{% endcontent-ref %}\n", 1);
    assert_eq!(out.text, "<div class=\"content-ref\">\n\n\n</div>\n\n");
    assert_eq!(out.problems.len(), 1);
}

// --- tabs -----------------------------------------------------------------------

const TABS: &str = "{% tabs %}\n{% tab title=\"One & <two>\" %}\n**a**\n{% endtab %}\n\n{% tab title=\"B\" %}\nb\n{% endtab %}\n{% endtabs %}\n";

#[test]
fn tabs_become_sections() {
    assert_eq!(
        text(TABS),
        "<div class=\"tabs\">\n\n\
         <section class=\"tab\">\n\n<p class=\"tab-title\">One &amp; &lt;two&gt;</p>\n\n**a**\n\n</section>\n\n\
         \n\
         <section class=\"tab\">\n\n<p class=\"tab-title\">B</p>\n\nb\n\n</section>\n\n\
         </div>\n\n"
    );
    assert!(messages(TABS).is_empty());
}

#[test]
fn tab_lines_map_to_their_tags() {
    let entries = map(TABS);
    assert_eq!(entries[0], (1, 0));
    assert_eq!(entries[2..6], [(2, 0); 4]);
    assert_eq!(entries[6], (3, 0));
    assert_eq!(entries[7..10], [(4, 0); 3]);
    assert_eq!(entries[entries.len() - 2..], [(9, 0); 2]);
}

#[test]
fn missing_endtab_is_reported_and_the_next_tab_starts() {
    let body = "{% tabs %}\n{% tab title=\"A\" %}\na\n{% tab title=\"B\" %}\nb\n{% endtab %}\n{% endtabs %}\n";
    let out = preprocess(body, 1);
    assert_eq!(out.text.matches("<section class=\"tab\">").count(), 2);
    assert_eq!(out.text.matches("</section>").count(), 2);
    assert_eq!(
        out.problems,
        vec![Problem {
            line: 2,
            column: 1,
            message: "`{% tab %}` is never closed; add `{% endtab %}`".into()
        }]
    );
}

#[test]
fn endtabs_closes_an_open_tab_with_a_problem() {
    let body = "{% tabs %}\n{% tab title=\"A\" %}\na\n{% endtabs %}\nafter\n";
    let out = preprocess(body, 1);
    assert!(out.text.ends_with("a\n\n</section>\n\n</div>\n\nafter\n"));
    assert_eq!(out.problems.len(), 1);
}

#[test]
fn unclosed_tabs_are_reported() {
    let out = preprocess("{% tabs %}\n{% tab title=\"A\" %}\na\n", 1);
    assert!(out.text.ends_with("</section>\n\n</div>\n\n"));
    let lines: Vec<u32> = out.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![2, 1]);
}

#[test]
fn text_between_tabs_is_a_problem() {
    let messages = messages("{% tabs %}\n stray\n{% endtabs %}\n");
    assert_eq!(
        messages,
        vec!["text inside `{% tabs %}` must be inside a `{% tab %}`"]
    );
}

#[test]
fn tab_outside_tabs_and_without_title_are_problems() {
    let out = preprocess("{% tab %}\nx\n{% endtab %}\n", 1);
    assert!(out.text.contains("<p class=\"tab-title\"></p>"));
    assert_eq!(out.problems.len(), 2);
}

#[test]
fn hints_inside_tabs_are_rewritten() {
    let body = "{% tabs %}\n{% tab title=\"A\" %}\n{% hint style=\"success\" %}\nx\n{% endhint %}\n{% endtab %}\n{% endtabs %}\n";
    assert!(text(body).contains("\n> [!TIP]\n> x\n\n"));
    assert!(messages(body).is_empty());
}

#[test]
fn deep_nesting_is_cut_off() {
    let body = "{% tabs %}\n".repeat(40);
    let out = preprocess(&body, 1);
    assert_eq!(out.text.matches("{% tabs %}").count(), 40 - MAX_DEPTH);
    assert!(
        out.problems
            .iter()
            .any(|p| p.message.contains("nested too deeply"))
    );
}

// --- other tags -------------------------------------------------------------------

#[test]
fn code_tags_are_dropped() {
    let body = "{% code title=\"a.sh\" lineNumbers=\"true\" %}\n```sh\nls\n```\n{% endcode %}\n";
    let out = preprocess(body, 1);
    assert_eq!(out.text, "```sh\nls\n```\n");
    assert_eq!(out.lines.entries(), vec![(2, 0), (3, 0), (4, 0)]);
    assert!(out.problems.is_empty());
}

#[test]
fn unsupported_blocks_are_kept_and_reported_once() {
    let body = "{% swagger method=\"get\" %}\nx\n{% endswagger %}\n";
    let out = preprocess(body, 2);
    assert_eq!(out.text, body);
    assert_eq!(
        out.problems,
        vec![Problem {
            line: 2,
            column: 1,
            message: "unsupported GitBook block `{% swagger %}`; it is shown as text".into()
        }]
    );
}

#[test]
fn file_tag_is_unsupported() {
    assert_eq!(
        messages("{% file src=\"a.pdf\" %}\n"),
        vec!["unsupported GitBook block `{% file %}`; it is shown as text"]
    );
}

#[test]
fn stray_endembed_is_dropped() {
    assert_eq!(text("a\n\n{% endembed %}\n"), "a\n\n");
}
