//! The search index as a build and the dev server make it: from the
//! version's pages and navigation, through `search::documents` and
//! `search::index`, to output files. With the build cache on, the files are
//! keyed by everything the index reads, and the previous site's files of the
//! same key are handed on (linked) instead of being made again.

use crate::{cache, config, output, parse, render, search};
use anyhow::Result;
use rayon::prelude::*;
use std::path::PathBuf;

/// The version's search index made from its pages, unless the
/// configuration turns search off. With the build cache on (`reuse`), its
/// files are keyed by everything the index is made from, and when the
/// previous site holds the files of the same key they are linked again.
pub(crate) fn search_index(
    config: &config::Config,
    pages: &[parse::Page],
    navigation: &render::nav::Navigation,
    reuse: render::Reuse<'_>,
) -> Result<Vec<output::OutFile>> {
    if !config.search {
        return Ok(Vec::new());
    }
    let sources = search::sources(pages, navigation);
    let Some(previous) = reuse else {
        return Ok(made(config, sources)?
            .into_iter()
            .map(|(path, json)| output::OutFile::text(path, json))
            .collect());
    };
    let key = search_key(config, &sources);
    if let Some(kept) = previous.all(key) {
        return Ok(kept_index(key, kept));
    }
    Ok(made(config, sources)?
        .into_iter()
        .map(|(path, json)| output::OutFile {
            path,
            contents: output::Contents::Keyed(key, json),
        })
        .collect())
}

/// The index files made from the documents of `sources`.
fn made(
    config: &config::Config,
    sources: Vec<search::Source<'_>>,
) -> Result<Vec<(String, String)>> {
    let documents = search::documents(sources)?;
    Ok(search::index(&documents, &config.site.language))
}

/// The key of everything a version's search index reads: the language, and
/// each searched page's whole document source.
fn search_key(config: &config::Config, sources: &[search::Source<'_>]) -> cache::Key {
    let each: Vec<cache::Key> = sources.par_iter().map(cache::key_of).collect();
    cache::key_of(&("search", &config.site.language, each))
}

/// The previous site's index files of the same key, at their places in the
/// version's `search/` folder (the previous site may hold them in a
/// version's folder and again under `latest/`).
fn kept_index(key: cache::Key, kept: Vec<(String, PathBuf)>) -> Vec<output::OutFile> {
    let marker = format!("{}/", search::FOLDER);
    let mut files: Vec<output::OutFile> = kept
        .into_iter()
        .filter_map(|(path, file)| {
            let (_, inside) = path.rsplit_once(&marker)?;
            Some(output::OutFile {
                path: format!("{marker}{inside}"),
                contents: output::Contents::Kept(key, file),
            })
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    files
}

/// The version's search index (`search/`), unless the configuration turns
/// search off.
pub(crate) fn search_files(
    config: &config::Config,
    documents: &[search::Document],
) -> Vec<output::OutFile> {
    if !config.search {
        return Vec::new();
    }
    let files = search::index(documents, &config.site.language).into_iter();
    files
        .map(|(path, json)| output::OutFile::text(path, json))
        .collect()
}
