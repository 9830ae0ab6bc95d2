//! The theme: templates and static files. The default theme is compiled into
//! the binary; a project's `themes/<name>/` folder overrides it file by file
//! and may add files. Templates are compiled once per build; a syntax error is
//! an environment failure naming the template, line and column.

use anyhow::{Context as _, Result, bail};
use std::collections::BTreeMap;
use std::path::Path;

/// The built-in theme's files, by path inside the theme folder.
const DEFAULT_THEME: &[(&str, &str)] = &[
    (
        "templates/base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "templates/page.html",
        include_str!("../../themes/default/templates/page.html"),
    ),
    (
        "templates/404.html",
        include_str!("../../themes/default/templates/404.html"),
    ),
    (
        "templates/nav.html",
        include_str!("../../themes/default/templates/nav.html"),
    ),
    (
        "static/handbook.css",
        include_str!("../../themes/default/static/handbook.css"),
    ),
    (
        "static/handbook.js",
        include_str!("../../themes/default/static/handbook.js"),
    ),
    (
        "static/search.js",
        include_str!("../../themes/default/static/search.js"),
    ),
    (
        "static/theme.js",
        include_str!("../../themes/default/static/theme.js"),
    ),
    (
        "static/favicon.svg",
        include_str!("../../themes/default/static/favicon.svg"),
    ),
];

/// A theme's files after overrides, by path inside the theme folder.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// `templates/…` files.
    pub templates: BTreeMap<String, String>,
    /// `static/…` files, copied to the site's `static/` folder.
    pub statics: BTreeMap<String, Vec<u8>>,
}

/// Loads the built-in theme, then the files of `themes/<name>/` under `root`.
pub fn load(root: &Path, name: &str) -> Result<Theme> {
    let mut theme = Theme::default();
    for (path, text) in DEFAULT_THEME {
        theme.add(path, text.as_bytes().to_vec())?;
    }
    let folder = root.join("themes").join(name);
    if !folder.is_dir() {
        if name != "default" {
            bail!(
                "theme `{name}` not found: there is no folder {}",
                folder.display()
            );
        }
        return Ok(theme);
    }
    let tree = crate::load::source::DirTree::new(&folder);
    for path in crate::load::source::SourceTree::files(&tree)?.files {
        if path.starts_with("templates/") || path.starts_with("static/") {
            let bytes = crate::fs::read(&folder.join(&path))?;
            theme
                .add(&path, bytes)
                .with_context(|| format!("in theme folder {}", folder.display()))?;
        }
    }
    Ok(theme)
}

impl Theme {
    fn add(&mut self, path: &str, bytes: Vec<u8>) -> Result<()> {
        if let Some(name) = path.strip_prefix("templates/") {
            let text = match crate::diagnostic::utf8_text(bytes, &format!("template {path}")) {
                (text, None) => text,
                (_, Some(problem)) => anyhow::bail!("{}", problem.headline()),
            };
            self.templates.insert(name.to_string(), text);
        } else {
            self.statics.insert(path.to_string(), bytes);
        }
        Ok(())
    }

    /// Compiles every template once.
    pub fn compile(&self) -> Result<tera::Tera> {
        let mut tera = tera::Tera::new();
        tera.autoescape_on([".html", ".xml"]);
        tera.add_raw_templates(
            self.templates
                .iter()
                .map(|(name, text)| (name.as_str(), text.as_str())),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("compiling the theme's templates")?;
        Ok(tera)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tests that copy the repository's `themes/` would hide a file missing
    /// from the compiled-in list; this compares the two.
    #[test]
    fn the_built_in_theme_has_every_file_of_themes_default() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let on_disk =
            crate::load::source::SourceTree::files(&crate::load::source::DirTree::new(&folder))
                .unwrap();
        let built_in: Vec<&str> = DEFAULT_THEME.iter().map(|(path, _)| *path).collect();
        let mut built_in = built_in.clone();
        built_in.sort_unstable();
        assert_eq!(on_disk.files, built_in);
    }

    #[test]
    fn a_project_without_a_theme_folder_builds_with_the_built_in_one() {
        let dir = tempfile::tempdir().unwrap();
        let theme = load(dir.path(), "default").unwrap();
        assert!(theme.statics.contains_key("static/favicon.svg"));
        theme.compile().unwrap();
        assert!(load(dir.path(), "missing").is_err());
    }
}
