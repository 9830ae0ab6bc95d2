//! The floor of a markdown site build: the least work any static site
//! generator must do. `floor SRC_DIR OUT_DIR [--highlight]` finds every
//! `*.md` file under SRC_DIR, and in parallel reads it, renders it to HTML
//! with pulldown-cmark and writes it to OUT_DIR at the same relative path
//! and `.html` for `.md`. With `--highlight`, fenced code blocks that name a
//! language syntect knows are highlighted with classes, the syntax set
//! loaded once. Nothing else: no template, navigation, links or search, so
//! a real build's time divided by this one's is its distance to the limit.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd, html};
use rayon::prelude::*;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// The markdown extensions handbook turns on.
const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_HEADING_ATTRIBUTES)
    .union(Options::ENABLE_GFM);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let highlight = args.iter().any(|a| a == "--highlight");
    let paths: Vec<&String> = args.iter().filter(|a| *a != "--highlight").collect();
    let [src, out] = paths[..] else {
        eprintln!("usage: floor SRC_DIR OUT_DIR [--highlight]");
        return ExitCode::from(2);
    };
    match run(Path::new(src), Path::new(out), highlight) {
        Ok(pages) => {
            println!("{pages} pages");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("floor: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Renders every page under `src` into `out`; returns how many.
fn run(src: &Path, out: &Path, highlight: bool) -> io::Result<usize> {
    let mut pages = Vec::new();
    find_pages(src, Path::new(""), &mut pages)?;
    let syntaxes = highlight.then(SyntaxSet::load_defaults_newlines);
    pages.par_iter().try_for_each(|page| {
        let text = fs::read_to_string(src.join(page))?;
        let html = render(&text, syntaxes.as_ref());
        let target = out.join(page).with_extension("html");
        fs::create_dir_all(target.parent().unwrap_or(out))?;
        fs::write(target, html)
    })?;
    Ok(pages.len())
}

/// Adds the path (relative to the source root) of every `*.md` file under
/// `root/folder` to `pages`.
fn find_pages(root: &Path, folder: &Path, pages: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(root.join(folder))? {
        let entry = entry?;
        let path = folder.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            find_pages(root, &path, pages)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    Ok(())
}

/// Renders one page's markdown to HTML, highlighting code when given a
/// syntax set.
fn render(text: &str, syntaxes: Option<&SyntaxSet>) -> String {
    let mut html = String::with_capacity(text.len() * 3 / 2);
    let parser = Parser::new_ext(text, OPTIONS);
    match syntaxes {
        None => html::push_html(&mut html, parser),
        Some(set) => html::push_html(&mut html, Highlighted { parser, set }),
    }
    html
}

/// Events of a page with each fenced code block in a known language
/// replaced by one HTML event holding it highlighted.
struct Highlighted<'a, I> {
    parser: I,
    set: &'a SyntaxSet,
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Highlighted<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        let event = self.parser.next()?;
        let Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) = &event else {
            return Some(event);
        };
        let token = lang.split_whitespace().next().unwrap_or("");
        let Some(syntax) = self.set.find_syntax_by_token(token) else {
            return Some(event);
        };
        let mut code = String::new();
        for inner in self.parser.by_ref() {
            match inner {
                Event::Text(text) => code.push_str(&text),
                Event::End(TagEnd::CodeBlock) => break,
                _ => {}
            }
        }
        let mut generator =
            ClassedHTMLGenerator::new_with_class_style(syntax, self.set, ClassStyle::Spaced);
        for line in LinesWithEndings::from(&code) {
            if generator
                .parse_html_for_line_which_includes_newline(line)
                .is_err()
            {
                break;
            }
        }
        let body = generator.finalize();
        Some(Event::Html(
            format!("<pre><code class=\"language-{token}\">{body}</code></pre>\n").into(),
        ))
    }
}
