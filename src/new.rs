//! `handbook new DIR`: a project that builds at once — a configuration, a
//! SUMMARY with a part and nested pages, a page with a protocol note and its
//! derived `protocols/`, and a `.gitignore` for the output and the build
//! cache. Refuses a folder that already has files, so it never overwrites
//! anyone's work.

use anyhow::{Result, bail};
use std::path::Path;

/// The files of a new project, by path.
fn files(title: &str, today: Option<crate::model::Date>) -> Vec<(&'static str, String)> {
    let header = today.map_or(String::new(), |d| format!("> Updated: {}\n\n", d.iso()));
    let config = format!(
        "# The handbook's configuration; see the README of handbook for every key.\n\
         title: {}\n\
         description: \"How we work together.\"\n\
         language: en\n\
         # base-url: https://handbook.example.org   # enables sitemap.xml\n\
         # path-prefix: /                            # e.g. /handbook/ when served under a path\n\
         source: handbook\n\
         output: site\n",
        yaml_scalar(title)
    );
    vec![
        ("handbook.yaml", config),
        (".gitignore", "/site/\n/.handbook-cache/\n".into()),
        ("handbook/SUMMARY.md", "# Summary\n\n* [Welcome](README.md)\n\n## Governance\n\n* [Assemblies](governance/README.md)\n  * [General assembly](governance/general-assembly.md)\n".into()),
        ("handbook/README.md", format!("# {title}\n\n{header}This handbook says how we work together. Start with [the general assembly](governance/general-assembly.md#quorum).\n")),
        ("handbook/governance/README.md", "# Assemblies\n\nOur assemblies and how they decide.\n".into()),
        ("handbook/governance/general-assembly.md", "---\ndescription: The yearly meeting of all members.\n---\n\n# General assembly\n\n## Quorum\n\nA general assembly is quorate when a third of the members attend.\n\n> `Note: Derive protocols`\n>\n> - **Quorum** — A general assembly needs a third of the members present.\n".into()),
    ]
}

/// Today's date (UTC), the date the first page says it was written.
fn today() -> Option<crate::model::Date> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    let seconds = now.map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    crate::model::Date::from_unix(seconds)
}

/// A title as a YAML scalar: quoted and escaped by the YAML writer.
fn yaml_scalar(text: &str) -> String {
    serde_saphyr::to_string(&text)
        .map_or_else(|_| format!("{text:?}"), |yaml| yaml.trim_end().to_string())
}

/// Creates a project in `dir` (created if missing; must be empty if present).
pub fn create(dir: &Path, title: Option<&str>) -> Result<()> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir)
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "{} already has files; `handbook new` only starts a project in a new or empty folder",
                dir.display()
            );
        }
    }
    let default_title = dir
        .file_name()
        .map(|n| n.to_string_lossy().replace(['-', '_'], " "))
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "Handbook".into());
    for (path, contents) in files(title.unwrap_or(&default_title), today()) {
        crate::fs::write(&dir.join(path), contents)?;
    }
    // protocols/ is derived from the notes: write it now, so the first build is clean.
    let options = crate::BuildOptions {
        root: dir.to_path_buf(),
        ..crate::BuildOptions::default()
    };
    crate::protocols(&options, false)?;
    Ok(())
}
