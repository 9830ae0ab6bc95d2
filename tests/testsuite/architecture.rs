//! The layering of `src/`, checked: every `crate::…` path in the code names
//! a module of the same or an earlier layer, so the stages depend one way
//! (ARCHITECTURE.md, "Layers"). A failure names the file, the line and both
//! modules.

use std::path::{Path, PathBuf};

/// The top-level modules, bottom first. A module may use those before it;
/// the drivers (last) may also use one another and the crate root.
const LAYERS: &[&[&str]] = &[
    &["diagnostic"],
    &["fs"],
    &["html"],
    &["yaml"],
    &["model"],
    &["config"],
    &["load"],
    &["parse"],
    &["cache"],
    &["protocols"],
    &["links"],
    &["spaces"],
    &["versions"],
    &["render"],
    &["search"],
    &["output"],
    &[
        "generated",
        "prepared",
        "edition",
        "indexed",
        "import",
        "new",
        "serve",
        "lib",
        "main",
    ],
];

/// The layer of a top-level module; items of `lib.rs` itself (`crate::prepare`)
/// are the crate root's, a driver.
fn layer(module: &str) -> usize {
    let root = LAYERS.len() - 1;
    LAYERS
        .iter()
        .position(|layer| layer.contains(&module))
        .unwrap_or(root)
}

/// The top-level module a file of `src/` belongs to.
fn module_of(file: &Path, src: &Path) -> String {
    let relative = file.strip_prefix(src).expect("under src");
    let first = relative.components().next().expect("a component");
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_string()
}

/// The first path segment of every `crate::` path on a line: `crate::a::b`
/// gives `a`, `crate::{a, b::c}` gives `a` and `b`.
fn used_modules(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            found.extend(group_heads(group));
        } else {
            found.push(ident(rest).to_string());
        }
    }
    found.retain(|m| !m.is_empty());
    found
}

/// The first segment of each top-level item of `a, b::c, d::{e, f}}`.
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = vec![ident(group).to_string()];
    let mut depth = 0usize;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => heads.push(ident(group[i + 1..].trim_start()).to_string()),
            _ => {}
        }
    }
    heads
}

fn ident(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The code lines of a file (comment lines left out) with their index, a
/// `crate::{` group spread over lines joined into its first line.
fn statements(text: &str) -> Vec<(usize, String)> {
    let code: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .collect();
    let mut out = Vec::new();
    let mut lines = code.into_iter();
    while let Some((n, line)) = lines.next() {
        let mut statement = line.to_string();
        while open_group(&statement) {
            let Some((_, next)) = lines.next() else { break };
            statement.push(' ');
            statement.push_str(next.trim());
        }
        out.push((n, statement));
    }
    out
}

/// Whether `text` opens a `crate::{` group that it does not close.
fn open_group(text: &str) -> bool {
    text.find("crate::{").is_some_and(|at| {
        let group = &text[at..];
        group.matches('{').count() > group.matches('}').count()
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every import against the declared order, as `file:line: a uses b`.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut found = Vec::new();
    for file in files {
        let module = module_of(&file, src);
        let text = std::fs::read_to_string(&file).expect("read a source file");
        for (n, line) in statements(&text) {
            for used in used_modules(&line) {
                let (from, to) = (layer(&module), layer(&used));
                let drivers = from == LAYERS.len() - 1;
                if used != module && (to > from || (to == from && !drivers)) {
                    let name = file.strip_prefix(src).unwrap_or(&file).display();
                    found.push(format!(
                        "src/{name}:{}: `{module}` uses `{used}`, a later layer",
                        n + 1
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn every_module_uses_only_earlier_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(
        found.is_empty(),
        "imports against the layers:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_declared_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut undeclared: Vec<String> = std::fs::read_dir(&src)
        .expect("read src")
        .flatten()
        .map(|e| module_of(&e.path(), &src))
        .filter(|m| !LAYERS.iter().any(|layer| layer.contains(&m.as_str())))
        .collect();
    undeclared.sort();
    assert!(undeclared.is_empty(), "add to LAYERS: {undeclared:?}");
}

#[test]
fn the_checker_sees_plain_grouped_and_nested_paths() {
    assert_eq!(used_modules("use crate::parse::Page;"), ["parse"]);
    assert_eq!(
        used_modules("use crate::{config, load::{Asset, x}, parse};"),
        ["config", "load", "parse"]
    );
    assert_eq!(
        used_modules("let a = crate::links::href(&crate::model::path::x());"),
        ["links", "model"]
    );
    assert!(used_modules("use handbook::parse::Page;").is_empty());
    assert!(used_modules("let s = \"no paths here\";").is_empty());
    // A later layer's import is found with its place.
    let dir = std::env::temp_dir().join(format!("layers-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("parse")).expect("mkdir");
    std::fs::write(
        dir.join("parse/mod.rs"),
        "//! x\nuse crate::render::Page;\nuse crate::{\n    config,\n    output::Staging,\n};\n",
    )
    .expect("write");
    // A group spread over lines (rustfmt's form for long ones) is read whole.
    assert_eq!(
        violations(&dir),
        [
            "src/parse/mod.rs:2: `parse` uses `render`, a later layer",
            "src/parse/mod.rs:3: `parse` uses `output`, a later layer"
        ]
    );
    std::fs::remove_dir_all(&dir).ok();
}
