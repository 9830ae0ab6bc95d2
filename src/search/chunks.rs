//! Documents → the chunked index files of one version.
//!
//! Every section is an entry (`page << 8 | section`). Its words are counted
//! by field: the page title (first section only), the heading, the words of
//! an explicit heading id (a protocol's `one-member-one-vote`), the text.
//! Each stem's score in an entry is BM25 over the text plus fixed bonuses
//! for a title, heading or id match, so titles and headings rank above
//! text. A stem in more entries than [`MAX_POSTINGS`] keeps only its best
//! and is marked partial: the browser then does not require it of a result
//! (it behaves as a stop word, found by frequency, in any language).
//!
//! Files, under `search/`: `meta.json` (counts, the first form of every
//! words chunk and the first stem of every postings chunk, a version stamp
//! for cache-busting), `w/N.json` (sorted folded forms, each with its stem
//! number), `p/N.json` (per stem: partial flag, then entry deltas and
//! scores), `d/N.json` (page N's document). Chunks are cut by size, so a
//! query's download stays small however large the handbook.

use super::Document;
use super::words::{Casing, Stemmer, fold, lowercase, tokens};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashMap as StdHashMap;

/// Word maps hash with foldhash: several times faster than SipHash on
/// short words, and output never depends on their order.
type HashMap<K, V> = StdHashMap<K, V, foldhash::fast::FixedState>;
use std::fmt::Write as _;

/// A posting list longer than this keeps its best entries and is partial.
const MAX_POSTINGS: usize = 1500;
/// Target size of a words chunk, in bytes.
const WORDS_CHUNK: usize = 12 * 1024;
/// Target size of a postings chunk, in bytes.
const POSTINGS_CHUNK: usize = 24 * 1024;
/// The file format, which `search.js` checks.
const FORMAT: u32 = 1;

/// BM25 saturation and length normalisation.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// Bonuses (in units of a saturated text match) for where a word occurs.
const IN_TITLE: f64 = 3.0;
const IN_HEADING: f64 = 2.0;
const IN_ID: f64 = 1.0;

/// Field flags packed above a count.
const TITLE: u32 = 1 << 31;
const HEADING: u32 = 1 << 30;
const ID: u32 = 1 << 29;
const COUNT: u32 = (1 << 29) - 1;

/// The index files of one version, by path under its folder.
pub fn index(documents: &[Document], language: &str) -> Vec<(String, String)> {
    let (terms, lengths) = count_all(documents, Casing::for_language(language));
    let total = lengths.per_page.iter().map(Vec::len).sum::<usize>();
    let stems = group_by_stem(terms, &Stemmer::for_language(language));
    let scored: Vec<(bool, Vec<(u32, u32)>)> = stems
        .postings
        .into_par_iter()
        .map(|postings| score(postings, total, &lengths))
        .collect();
    let mut chunks = Vec::new();
    let words = chunk_words(&stems.forms, &mut chunks);
    let postings = chunk_postings(&scored, &mut chunks);
    let stamp = stamp(&chunks, documents);
    let mut files: Vec<(String, String)> = chunks
        .into_iter()
        .map(|(path, inner)| (path, format!("{{\"v\":\"{stamp}\",{inner}}}")))
        .collect();
    files.par_extend(documents.par_iter().enumerate().map(|(i, doc)| {
        let stamped = Stamped {
            v: &stamp,
            u: &doc.url,
            t: &doc.title,
            c: &doc.crumbs,
            s: &doc.sections,
        };
        (format!("{}/d/{i}.json", super::FOLDER), json(&stamped))
    }));
    let meta = Meta {
        format: FORMAT,
        language,
        pages: documents.len(),
        entries: total,
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
    s: &'a [super::Section],
}

#[derive(serde::Serialize)]
struct Meta<'a> {
    format: u32,
    language: &'a str,
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

/// Lowercased word → postings (entry, flags | count), entries ascending.
type Terms<'a> = HashMap<Cow<'a, str>, Vec<(u32, u32)>>;

/// Every page counted: the words' postings and each entry's length. The
/// pages are cut into one run per thread, counted in parallel, and the
/// runs' postings joined in page order.
fn count_all(documents: &[Document], casing: Casing) -> (Terms<'_>, Lengths) {
    let size = documents
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(1);
    let runs: Vec<(Terms<'_>, Vec<Vec<u32>>)> = documents
        .par_chunks(size)
        .enumerate()
        .map(|(run, pages)| {
            let mut counter = Counter {
                terms: Terms::default(),
                casing,
            };
            let lengths = pages
                .iter()
                .enumerate()
                .map(|(i, doc)| counter.page(run * size + i, doc))
                .collect();
            (counter.terms, lengths)
        })
        .collect();
    let mut terms = Terms::default();
    let mut per_page = Vec::with_capacity(documents.len());
    for (run, lengths) in runs {
        per_page.extend(lengths);
        if terms.is_empty() {
            terms = run;
            continue;
        }
        for (word, mut postings) in run {
            terms.entry(word).or_default().append(&mut postings);
        }
    }
    (terms, Lengths::new(per_page))
}

/// Counts pages into one map of postings.
struct Counter<'a> {
    terms: Terms<'a>,
    casing: Casing,
}

impl<'a> Counter<'a> {
    /// Counts a page's sections (the title in the first); gives their
    /// lengths in words.
    fn page(&mut self, page: usize, doc: &'a Document) -> Vec<u32> {
        let base = u32::try_from(page).unwrap_or(u32::MAX >> 8) << 8;
        let mut lengths = Vec::with_capacity(doc.sections.len());
        for (s, section) in doc.sections.iter().enumerate() {
            let entry = base | u32::try_from(s).unwrap_or(255);
            if s == 0 {
                self.field(&doc.title, entry, TITLE);
            }
            self.field(&section.heading, entry, HEADING);
            if let Some(key) = section.anchor.as_deref().map(id_words) {
                if !same_words(key, &section.heading) {
                    self.field(key, entry, ID);
                }
            }
            let mut length = 0;
            for word in tokens(&section.text) {
                length += 1;
                self.add(word, entry, 1, false);
            }
            lengths.push(length);
        }
        lengths
    }

    /// Marks every word of a title, heading or id with the field's flag.
    fn field(&mut self, text: &'a str, entry: u32, flag: u32) {
        for word in tokens(text) {
            self.add(word, entry, flag, true);
        }
    }

    /// Adds one occurrence (a count, or a field's flag) of `word` in `entry`:
    /// entries come in order, so the entry's posting is its list's last.
    fn add(&mut self, word: &'a str, entry: u32, value: u32, flag: bool) {
        let key = lowercase(word, self.casing);
        let postings = match self.terms.get_mut(key.as_ref()) {
            Some(postings) => postings,
            None => self.terms.entry(key).or_default(),
        };
        match postings.last_mut() {
            Some(last) if last.0 == entry => {
                last.1 = if flag { last.1 | value } else { last.1 + value };
            }
            _ => postings.push((entry, value)),
        }
    }
}

/// The last segment of a heading id (a derived protocol id is a path).
fn id_words(anchor: &str) -> &str {
    anchor.rsplit('/').next().unwrap_or(anchor)
}

fn same_words(a: &str, b: &str) -> bool {
    tokens(a).map(fold).eq(tokens(b).map(fold))
}

/// Each page's entry lengths, by section, and their average.
struct Lengths {
    per_page: Vec<Vec<u32>>,
    average: f64,
}

impl Lengths {
    fn new(per_page: Vec<Vec<u32>>) -> Self {
        let (sum, n) = per_page
            .iter()
            .flatten()
            .fold((0u64, 0u64), |(s, n), &l| (s + u64::from(l), n + 1));
        let average = if n == 0 {
            1.0
        } else {
            (sum as f64 / n as f64).max(1.0)
        };
        Self { per_page, average }
    }

    fn of(&self, entry: u32) -> u32 {
        let page = (entry >> 8) as usize;
        let section = (entry & 255) as usize;
        self.per_page[page][section]
    }
}

/// Folded forms (sorted, each with its stem's number) and each stem's
/// postings, stems numbered in sorted order.
struct Stems {
    forms: Vec<(String, usize)>,
    postings: Vec<Vec<(u32, u32)>>,
}

/// (entry, flags | count) or (entry, points), entries ascending.
type Postings = Vec<(u32, u32)>;

/// The folded forms of one stem and their postings.
type Group = (Vec<String>, Postings);

fn group_by_stem(terms: Terms<'_>, stemmer: &Stemmer) -> Stems {
    // Stemming and folding each word is the work; it runs in parallel.
    let stemmed: Vec<(String, String, Postings)> = terms
        .into_par_iter()
        .map(|(word, postings)| (stemmer.stem(&word), fold(&word).into_owned(), postings))
        .collect();
    let mut by_stem: HashMap<String, Group> = HashMap::default();
    for (stem, form, postings) in stemmed {
        let group = by_stem.entry(stem).or_default();
        group.0.push(form);
        if group.1.is_empty() {
            group.1 = postings;
        } else {
            group.1.extend(postings);
        }
    }
    let mut stems: Vec<(String, Group)> = by_stem.into_iter().collect();
    stems.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut forms = Vec::new();
    let mut postings = Vec::with_capacity(stems.len());
    for (number, (_, (words, list))) in stems.into_iter().enumerate() {
        forms.extend(words.into_iter().map(|w| (w, number)));
        postings.push(list);
    }
    forms.sort_unstable();
    forms.dedup();
    Stems { forms, postings }
}

/// A stem's postings merged by entry and scored; partial (only the best
/// [`MAX_POSTINGS`]) when it is in more entries. Entries ascending.
fn score(
    mut postings: Vec<(u32, u32)>,
    total: usize,
    lengths: &Lengths,
) -> (bool, Vec<(u32, u32)>) {
    // One word's postings come sorted; a stem of several words' do not.
    if !postings.is_sorted_by_key(|p| p.0) {
        postings.sort_unstable_by_key(|p| p.0);
    }
    postings.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            let count = (kept.1 & COUNT) + (later.1 & COUNT);
            kept.1 = (kept.1 | later.1) & !COUNT | count.min(COUNT);
        }
        same
    });
    let df = postings.len() as f64;
    let idf = (1.0 + (total as f64 - df + 0.5) / (df + 0.5)).ln();
    let mut scored: Vec<(u32, u32)> = postings
        .into_iter()
        .map(|(entry, value)| {
            let tf = f64::from(value & COUNT);
            let norm = 1.0 - B + B * f64::from(lengths.of(entry)) / lengths.average;
            let text = tf * (K1 + 1.0) / (tf + K1 * norm);
            let bonus = [(TITLE, IN_TITLE), (HEADING, IN_HEADING), (ID, IN_ID)]
                .iter()
                .filter(|(flag, _)| value & flag != 0)
                .map(|(_, bonus)| bonus)
                .sum::<f64>();
            let points = (idf * (text + bonus) * 10.0).round().clamp(1.0, 65_535.0);
            (entry, points as u32)
        })
        .collect();
    let partial = scored.len() > MAX_POSTINGS;
    if partial {
        scored.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(MAX_POSTINGS);
        scored.sort_unstable_by_key(|p| p.0);
    }
    (partial, scored)
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
fn chunk_postings(
    stems: &[(bool, Vec<(u32, u32)>)],
    files: &mut Vec<(String, String)>,
) -> Vec<usize> {
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

/// `[partial, delta, score, delta, score, ..]`.
fn write_postings(out: &mut String, partial: bool, postings: &[(u32, u32)]) {
    let mut buffer = itoa::Buffer::new();
    out.push('[');
    out.push(if partial { '1' } else { '0' });
    let mut previous = 0;
    for &(entry, points) in postings {
        out.push(',');
        out.push_str(buffer.format(entry - previous));
        out.push(',');
        out.push_str(buffer.format(points));
        previous = entry;
    }
    out.push(']');
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

    fn file<'a>(files: &'a [(String, String)], path: &str) -> &'a str {
        files
            .iter()
            .find(|(p, _)| p == &format!("search/{path}"))
            .map(|(_, body)| body.as_str())
            .unwrap_or_else(|| panic!("no search/{path}"))
    }

    /// Entry → points of `form`'s stem, read back from the files.
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
        let mut entry = 0;
        let postings = list[1..]
            .chunks(2)
            .map(|pair| {
                entry += pair[0];
                (entry, pair[1])
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
        assert_eq!(entries, [0, 1 << 8 | 1, 2 << 8], "page << 8 | section");
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
            postings.iter().any(|p| p.0 == 7 << 8),
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
}
