//! Documents → the chunked index files of one version.
//!
//! Files, under `search/`: `meta.json` (counts, the first form of every
//! words chunk and the first stem of every postings chunk, the index's
//! stamp), `w/N.json` (sorted folded forms, each with its stem number),
//! `p/N.json` (per stem: partial flag, then page deltas, sections and
//! points), `d/P-G.json` (page P's sections, sixteen to a file). Every file carries the stamp, so a
//! reader holding an older `meta.json` sees that the index changed. Chunks
//! are cut by size, so a query's download stays small however large the
//! handbook.

use super::Document;
use super::count::{Postings, score_all};
use rayon::prelude::*;
use std::fmt::Write as _;

/// Target size of a words chunk, in bytes.
const WORDS_CHUNK: usize = 12 * 1024;
/// Target size of a postings chunk, in bytes.
const POSTINGS_CHUNK: usize = 24 * 1024;
/// The file format, which `search.js` checks.
const FORMAT: u32 = 2;
/// Sections a document file holds (`search.js` divides by it).
const SECTIONS_PER_FILE: usize = 16;
/// How much of a section's text a document file keeps for excerpts.
const TEXT_KEPT: usize = 8 * 1024;
/// The section bits of an entry.
const SECTION_MASK: u32 = (1 << super::SECTION_BITS) - 1;

/// The index files of one version, by path under its folder.
pub fn index(documents: &[Document], language: &str) -> Vec<(String, String)> {
    let scored = score_all(documents, language);
    let mut chunks = Vec::new();
    let words = chunk_words(&scored.forms, &mut chunks);
    let postings = chunk_postings(&scored.postings, &mut chunks);
    let stamp = stamp(&chunks, documents);
    let mut files: Vec<(String, String)> = chunks
        .into_iter()
        .map(|(path, inner)| (path, format!("{{\"v\":\"{stamp}\",{inner}}}")))
        .collect();
    files.par_extend(
        documents
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, doc)| document_files(i, doc, &stamp)),
    );
    let meta = Meta {
        format: FORMAT,
        language,
        group: SECTIONS_PER_FILE,
        pages: documents.len(),
        entries: scored.entries,
        stamp,
        words,
        postings,
    };
    files.push((format!("{}/meta.json", super::FOLDER), json(&meta)));
    files
}

/// A page's document as written: its URL, title, breadcrumb titles and
/// sections (`[anchor, heading, text]`), with the index's stamp.
#[derive(serde::Serialize)]
struct Stamped<'a> {
    v: &'a str,
    u: &'a str,
    t: &'a str,
    c: &'a [String],
    s: &'a [(&'a str, &'a str, &'a str)],
}

#[derive(serde::Serialize)]
struct Meta<'a> {
    format: u32,
    language: &'a str,
    /// Sections a document file holds.
    group: usize,
    pages: usize,
    entries: usize,
    /// Changes whenever any file does; every file carries it, so a reader
    /// holding an older `meta.json` sees that the index changed.
    stamp: String,
    /// The first form of each words chunk.
    words: Vec<String>,
    /// The first stem number of each postings chunk.
    postings: Vec<usize>,
}

/// Writes the words chunks; gives the first form of each.
fn chunk_words(forms: &[(String, usize)], files: &mut Vec<(String, String)>) -> Vec<String> {
    let mut firsts = Vec::new();
    let mut start = 0;
    while start < forms.len() {
        let mut size = 0;
        let mut end = start;
        // Never between two entries of one form (it has two stems): the
        // browser reads a form's entries from one chunk.
        while end < forms.len()
            && (end == start || size < WORDS_CHUNK || forms[end].0 == forms[end - 1].0)
        {
            size += forms[end].0.len() + 12;
            end += 1;
        }
        let chunk = &forms[start..end];
        let words: Vec<&str> = chunk.iter().map(|(f, _)| f.as_str()).collect();
        let stems: Vec<usize> = chunk.iter().map(|(_, s)| *s).collect();
        let body = format!("\"f\":{},\"s\":{}", json(&words), json(&stems));
        files.push((format!("{}/w/{}.json", super::FOLDER, firsts.len()), body));
        firsts.push(forms[start].0.clone());
        start = end;
    }
    firsts
}

/// Writes the postings chunks; gives the first stem number of each.
fn chunk_postings(stems: &[(bool, Postings)], files: &mut Vec<(String, String)>) -> Vec<usize> {
    let mut firsts = Vec::new();
    let mut body = String::new();
    let mut first = 0;
    for (number, (partial, postings)) in stems.iter().enumerate() {
        if body.len() >= POSTINGS_CHUNK {
            finish_postings(&mut body, &mut firsts, first, files);
            first = number;
        }
        body.push_str(if body.is_empty() { "\"p\":[" } else { "," });
        write_postings(&mut body, *partial, postings);
    }
    if !body.is_empty() {
        finish_postings(&mut body, &mut firsts, first, files);
    }
    firsts
}

fn finish_postings(
    body: &mut String,
    firsts: &mut Vec<usize>,
    first: usize,
    files: &mut Vec<(String, String)>,
) {
    body.push(']');
    let path = format!("{}/p/{}.json", super::FOLDER, firsts.len());
    files.push((path, std::mem::take(body)));
    firsts.push(first);
}

/// `[partial, page delta, section, points, page delta, section, points, ..]`:
/// small numbers, whatever the page and section.
fn write_postings(out: &mut String, partial: bool, postings: &[(u32, u32)]) {
    let mut buffer = itoa::Buffer::new();
    out.push('[');
    out.push(if partial { '1' } else { '0' });
    let mut previous = 0;
    for &(entry, points) in postings {
        let page = entry >> super::SECTION_BITS;
        for number in [page - previous, entry & SECTION_MASK, points] {
            out.push(',');
            out.push_str(buffer.format(number));
        }
        previous = page;
    }
    out.push(']');
}

/// A page's document files: `d/P-G.json` holds sections `G * 16` to
/// `G * 16 + 15` of page P, so a result fetches only its part of a long
/// page (a register of thousands of protocols), each section's text kept
/// to [`TEXT_KEPT`] bytes for excerpts.
fn document_files(page: usize, doc: &Document, stamp: &str) -> Vec<(String, String)> {
    doc.sections
        .chunks(SECTIONS_PER_FILE)
        .enumerate()
        .map(|(group, sections)| {
            let sections: Vec<(&str, &str, &str)> = sections
                .iter()
                .map(|s| {
                    let anchor = s.anchor.as_deref().unwrap_or("");
                    (anchor, s.heading.as_str(), kept(&s.text))
                })
                .collect();
            let stamped = Stamped {
                v: stamp,
                u: &doc.url,
                t: &doc.title,
                c: &doc.crumbs,
                s: &sections,
            };
            let path = format!("{}/d/{page}-{group}.json", super::FOLDER);
            (path, json(&stamped))
        })
        .collect()
}

/// The start of a section's text an excerpt is taken from.
fn kept(text: &str) -> &str {
    if text.len() <= TEXT_KEPT {
        return text;
    }
    let mut end = TEXT_KEPT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A stamp of the chunks and documents, hex. foldhash with a fixed seed:
/// fast, and the same for the same index (a new foldhash release may
/// change stamps, which only makes browsers fetch the index again).
fn stamp(chunks: &[(String, String)], documents: &[Document]) -> String {
    use std::hash::{BuildHasher as _, Hash as _, Hasher as _};
    let mut hasher = foldhash::quality::FixedState::with_seed(0x6861_6e64_626f_6f6b).build_hasher();
    chunks.hash(&mut hasher);
    let pages: Vec<u64> = documents
        .par_iter()
        .map(|doc| foldhash::quality::FixedState::with_seed(0).hash_one(doc))
        .collect();
    pages.hash(&mut hasher);
    let mut out = String::new();
    let _ = write!(out, "{:016x}", hasher.finish());
    out
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("search data is plain strings and numbers")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Section;
    use crate::search::count::MAX_POSTINGS;

    fn doc(title: &str, sections: &[(&str, &str, &str)]) -> Document {
        Document {
            url: format!("{}.html", title.to_lowercase().replace(' ', "-")),
            title: title.into(),
            crumbs: Vec::new(),
            sections: sections
                .iter()
                .map(|(anchor, heading, text)| Section {
                    anchor: (!anchor.is_empty()).then(|| anchor.to_string()),
                    heading: heading.to_string(),
                    text: text.to_string(),
                })
                .collect(),
        }
    }

    /// A page of `count` sections: anchor `sN`, heading `Section N`, text `wN`.
    fn numbered(title: &str, count: usize) -> Document {
        Document {
            url: format!("{}.html", title.to_lowercase()),
            title: title.into(),
            crumbs: Vec::new(),
            sections: (0..count)
                .map(|i| Section {
                    anchor: Some(format!("s{i}")),
                    heading: format!("Section {i}"),
                    text: format!("w{i}"),
                })
                .collect(),
        }
    }

    fn file<'a>(files: &'a [(String, String)], path: &str) -> &'a str {
        files
            .iter()
            .find(|(p, _)| p == &format!("search/{path}"))
            .map(|(_, body)| body.as_str())
            .unwrap_or_else(|| panic!("no search/{path}"))
    }

    /// (page, section) → points of `form`'s stem, read back from the files.
    fn scores(files: &[(String, String)], form: &str) -> (bool, Vec<(u32, u32)>) {
        let meta: serde_json::Value = serde_json::from_str(file(files, "meta.json")).unwrap();
        let chunks = meta["words"].as_array().unwrap().len();
        let stem = (0..chunks)
            .find_map(|i| {
                let chunk: serde_json::Value =
                    serde_json::from_str(file(files, &format!("w/{i}.json"))).unwrap();
                let forms = chunk["f"].as_array().unwrap();
                let at = forms.iter().position(|f| f == form)?;
                chunk["s"][at].as_u64()
            })
            .unwrap_or_else(|| panic!("{form} is not indexed"));
        let firsts = meta["postings"].as_array().unwrap();
        let c = firsts
            .iter()
            .rposition(|f| f.as_u64().unwrap() <= stem)
            .unwrap();
        let chunk: serde_json::Value =
            serde_json::from_str(file(files, &format!("p/{c}.json"))).unwrap();
        assert_eq!(chunk["v"], meta["stamp"], "every file carries the stamp");
        let list: Vec<u32> = serde_json::from_value(
            chunk["p"][(stem - firsts[c].as_u64().unwrap()) as usize].clone(),
        )
        .unwrap();
        let mut page = 0;
        let postings = list[1..]
            .chunks(3)
            .map(|triple| {
                page += triple[0];
                (page << crate::search::SECTION_BITS | triple[1], triple[2])
            })
            .collect();
        (list[0] == 1, postings)
    }

    #[test]
    fn titles_outrank_headings_outrank_text() {
        let docs = [
            doc("Quorum", &[("", "", "How votes count.")]),
            doc(
                "Votes",
                &[("", "", "Intro."), ("rules", "Quorum rules", "Half.")],
            ),
            doc("Minutes", &[("", "", "The quorum was met.")]),
        ];
        let files = index(&docs, "en");
        let (partial, found) = scores(&files, "quorum");
        assert!(!partial);
        let entries: Vec<u32> = found.iter().map(|p| p.0).collect();
        assert_eq!(entries, [0, 1 << 14 | 1, 2 << 14], "page << 14 | section");
        assert!(
            found[0].1 > found[1].1 && found[1].1 > found[2].1,
            "{found:?}"
        );
    }

    #[test]
    fn forms_of_one_stem_share_postings_and_an_explicit_id_is_indexed() {
        let docs = [
            doc(
                "Register",
                &[
                    ("", "", ""),
                    (
                        "one-member-one-vote",
                        "Vote in the assembly",
                        "Every member votes.",
                    ),
                ],
            ),
            doc(
                "Derived",
                &[
                    ("", "", ""),
                    ("page/vote-in-the-assembly", "Vote in the assembly", "x"),
                ],
            ),
        ];
        let files = index(&docs, "en");
        assert_eq!(scores(&files, "votes"), scores(&files, "vote"));
        assert_eq!(
            scores(&files, "one").1.len(),
            1,
            "only the explicit id's words"
        );
        assert_eq!(scores(&files, "one").1[0].0, 1);
    }

    #[test]
    fn a_word_in_too_many_entries_keeps_its_best_and_is_partial() {
        let many: Vec<Document> = (0..MAX_POSTINGS + 10)
            .map(|i| {
                let text = if i == 7 {
                    "common common common"
                } else {
                    "common"
                };
                doc(&format!("Page {i}"), &[("", "", text)])
            })
            .collect();
        let files = index(&many, "en");
        let (partial, postings) = scores(&files, "common");
        assert!(partial);
        assert_eq!(postings.len(), MAX_POSTINGS);
        assert!(
            postings.windows(2).all(|w| w[0].0 < w[1].0),
            "entries ascending"
        );
        assert!(
            postings.iter().any(|p| p.0 == 7 << 14),
            "the best entry is kept"
        );
        let meta: serde_json::Value = serde_json::from_str(file(&files, "meta.json")).unwrap();
        assert!(
            meta["postings"].as_array().unwrap().len() > 1,
            "cut into chunks"
        );
        assert_eq!(meta["entries"], MAX_POSTINGS + 10);
    }

    #[test]
    fn the_same_documents_give_the_same_files_and_an_empty_index_is_valid() {
        let docs = [
            doc("A", &[("", "", "alpha beta")]),
            doc("B", &[("", "", "beta")]),
        ];
        assert_eq!(index(&docs, "en"), index(&docs, "en"));
        let empty = index(&[doc("", &[("", "", "")])], "en");
        let meta: serde_json::Value = serde_json::from_str(file(&empty, "meta.json")).unwrap();
        assert_eq!(meta["words"], serde_json::json!([]));
        assert_eq!(meta["postings"], serde_json::json!([]));
    }

    #[test]
    fn a_long_page_is_kept_sixteen_sections_to_a_file() {
        let files = index(&[numbered("Register", 40)], "en");
        let third: serde_json::Value = serde_json::from_str(file(&files, "d/0-2.json")).unwrap();
        assert_eq!(third["s"][3][0], "s35");
        assert!(files.iter().all(|(p, _)| p != "search/d/0-3.json"));
        let (_, found) = scores(&files, "w35");
        assert_eq!(found[0].0, 35, "section 35 of page 0");
        let long = "word ".repeat(4000);
        let kept = kept(&long);
        assert!(kept.len() <= TEXT_KEPT && long.starts_with(kept));
    }

    #[test]
    fn sections_past_the_last_an_entry_can_name_count_as_the_last() {
        let count = crate::search::MAX_SECTIONS + 3;
        let files = index(&[numbered("Huge", count)], "en");
        let last = u32::try_from(crate::search::MAX_SECTIONS - 1).unwrap();
        assert_eq!(scores(&files, &format!("w{}", count - 1)).1[0].0, last);
    }
}
