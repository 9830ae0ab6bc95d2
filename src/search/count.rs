//! Documents → each stem's scored postings, and the folded forms that
//! lead to them.
//!
//! Every section is an entry (`page << 14 | section`). Its words are counted
//! by field: the page title (first section only), the heading, the words of
//! an explicit heading id (a protocol's `one-member-one-vote`), the text.
//! Each stem's score in an entry is BM25 over the text plus fixed bonuses
//! for a title, heading or id match, so titles and headings rank above
//! text. A stem in more entries than [`MAX_POSTINGS`] keeps only its best
//! and is marked partial: the browser then does not require it of a result
//! (it behaves as a stop word, found by frequency, in any language).

use super::Document;
use super::words::{Casing, Stemmer, fold, lowercase, tokens};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashMap as StdHashMap;

/// Word maps hash with foldhash: several times faster than SipHash on
/// short words, and output never depends on their order.
type HashMap<K, V> = StdHashMap<K, V, foldhash::fast::FixedState>;

/// A posting list longer than this keeps its best entries and is partial.
pub(super) const MAX_POSTINGS: usize = 1500;

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

/// What the index files are written from.
pub(super) struct Scored {
    /// How many entries there are.
    pub(super) entries: usize,
    /// Folded forms, sorted, each with its stem's number.
    pub(super) forms: Vec<(String, usize)>,
    /// Per stem, in number order: partial, and (entry, points) ascending.
    pub(super) postings: Vec<(bool, Postings)>,
}

/// Counts, stems and scores every page's words.
pub(super) fn score_all(documents: &[Document], language: &str) -> Scored {
    let (terms, lengths) = count_all(documents, Casing::for_language(language));
    let entries = lengths.per_page.iter().map(Vec::len).sum::<usize>();
    let stems = group_by_stem(terms, &Stemmer::for_language(language));
    let postings = stems
        .postings
        .into_par_iter()
        .map(|postings| score(postings, entries, &lengths))
        .collect();
    Scored {
        entries,
        forms: stems.forms,
        postings,
    }
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
        let Some(base) = u32::try_from(page)
            .ok()
            .filter(|_| page < super::MAX_PAGES)
            .map(|page| page << super::SECTION_BITS)
        else {
            return vec![0; doc.sections.len()];
        };
        let mut lengths: Vec<u32> = Vec::with_capacity(doc.sections.len());
        for (s, section) in doc.sections.iter().enumerate() {
            // Past the last section an entry can name, sections count as
            // the last (`search::document` has merged them already).
            let s = s.min(super::MAX_SECTIONS - 1);
            let entry = base | u32::try_from(s).unwrap_or(0);
            if s == 0 {
                self.field(&doc.title, entry, TITLE);
            }
            self.field(&section.heading, entry, HEADING);
            if let Some(key) = section.anchor.as_deref().map(id_words)
                && !same_words(key, &section.heading)
            {
                self.field(key, entry, ID);
            }
            let mut length = 0;
            for word in tokens(&section.text) {
                length += 1;
                self.add(word, entry, 1, false);
            }
            match lengths.get_mut(s) {
                Some(merged) => *merged += length,
                None => lengths.push(length),
            }
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
        let page = (entry >> super::SECTION_BITS) as usize;
        let section = (entry & ((1 << super::SECTION_BITS) - 1)) as usize;
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
pub(super) type Postings = Vec<(u32, u32)>;

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
        // The best, in linear time; ties go to the earlier entry.
        scored.select_nth_unstable_by(MAX_POSTINGS - 1, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(MAX_POSTINGS);
        scored.sort_unstable_by_key(|p| p.0);
    }
    (partial, scored)
}
