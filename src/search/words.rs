//! Text → the words the index keys on, by rules the browser repeats exactly.
//!
//! A word starts with a letter or digit (Unicode `Alphabetic`, `N*`) and
//! runs on through letters, marks and digits; each CJK ideograph or kana is
//! a word of its own, since those scripts put no spaces between words.
//! [`lowercase`] follows the language's casing (Turkish and Azeri dotted and
//! dotless i); [`fold`] then drops diacritics (NFD, the combining accent
//! blocks removed, NFC again: a dakuten or a Devanagari vowel sign is kept)
//! and writes final sigma as σ. `static/search.js` tokenises and folds a
//! query with the same rules (`WORD`, `CJK`, `ACCENTS`, `fold` there), so
//! what a reader types meets what was indexed. Stemming happens only here,
//! and only for the configured language: the index maps each folded form to
//! its stem's postings, so the browser never stems.

use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

/// The words of `text`, as slices of it, in order.
pub(crate) fn tokens(text: &str) -> impl Iterator<Item = &str> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let (start, first) = next_word_start(text, at)?;
        at = start + first.len_utf8();
        if !is_cjk(first) {
            let bytes = text.as_bytes();
            loop {
                // ASCII letters and digits run on without decoding.
                while bytes.get(at).is_some_and(u8::is_ascii_alphanumeric) {
                    at += 1;
                }
                match char_at(text, at) {
                    Some(c) if !c.is_ascii() && is_word_char(c) && !is_cjk(c) => {
                        at += c.len_utf8();
                    }
                    _ => break,
                }
            }
        }
        Some(&text[start..at])
    })
}

/// The first letter or digit at or after byte `at`, with its offset.
fn next_word_start(text: &str, mut at: usize) -> Option<(usize, char)> {
    loop {
        let c = char_at(text, at)?;
        if is_word_start(c) {
            return Some((at, c));
        }
        at += c.len_utf8();
    }
}

/// The character at byte `at`, reading ASCII without decoding.
fn char_at(text: &str, at: usize) -> Option<char> {
    let byte = *text.as_bytes().get(at)?;
    if byte.is_ascii() {
        Some(char::from(byte))
    } else {
        text[at..].chars().next()
    }
}

/// A letter, mark or digit: what a word runs on through.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    c.is_alphanumeric() || is_combining_mark(c)
}

/// A letter or digit: what a word starts with (a mark alone is no word).
fn is_word_start(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    c.is_alphanumeric()
}

/// The combining accents [`fold`] drops; `ACCENTS` in `search.js`.
fn is_accent(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// Han ideographs and kana; `CJK` in `search.js` lists the same ranges.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FFFF}')
}

/// A lowercased word without diacritics: `décidé` → `decide`.
pub(crate) fn fold(word: &str) -> Cow<'_, str> {
    if word
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return Cow::Borrowed(word);
    }
    if word.is_ascii() {
        return Cow::Owned(word.to_ascii_lowercase());
    }
    let lower = word.to_lowercase();
    let bare = lower
        .nfd()
        .filter(|c| !is_accent(*c))
        .map(|c| if c == 'ς' { 'σ' } else { c });
    Cow::Owned(bare.nfc().collect())
}

/// The stemmer of the configured language, when Snowball has one.
pub(crate) struct Stemmer(Option<rust_stemmers::Stemmer>);

impl Stemmer {
    /// The stemmer for a BCP 47 tag's primary language (`es-AR` → Spanish);
    /// none for a language Snowball lacks, so no language gets another's.
    pub(crate) fn for_language(tag: &str) -> Self {
        use rust_stemmers::Algorithm::*;
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        let algorithm = match primary.to_ascii_lowercase().as_str() {
            "ar" => Arabic,
            "da" => Danish,
            "nl" => Dutch,
            "en" => English,
            "fi" => Finnish,
            "fr" => French,
            "de" => German,
            "el" => Greek,
            "hu" => Hungarian,
            "it" => Italian,
            "no" | "nb" | "nn" => Norwegian,
            "pt" => Portuguese,
            "ro" => Romanian,
            "ru" => Russian,
            "es" => Spanish,
            "sv" => Swedish,
            "ta" => Tamil,
            "tr" => Turkish,
            _ => return Self(None),
        };
        Self(Some(rust_stemmers::Stemmer::create(algorithm)))
    }

    /// The folded stem of a lowercased word: stemmed before diacritics go,
    /// since suffix rules such as Spanish `-ación` spell them.
    pub(crate) fn stem(&self, lowercase: &str) -> String {
        match &self.0 {
            Some(stemmer) => fold(&stemmer.stem(lowercase)).into_owned(),
            None => fold(lowercase).into_owned(),
        }
    }
}

/// How a language lowercases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Casing {
    /// Unicode's default mapping.
    Default,
    /// Turkish and Azeri: `I` → `ı`, `İ` → `i`.
    Turkic,
}

impl Casing {
    /// The casing of a BCP 47 tag's primary language.
    pub(crate) fn for_language(tag: &str) -> Self {
        match tag
            .split(['-', '_'])
            .next()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("tr" | "az") => Self::Turkic,
            _ => Self::Default,
        }
    }
}

/// The word lowercased as its language does, ready for [`Stemmer::stem`]
/// and [`fold`].
pub(crate) fn lowercase(word: &str, casing: Casing) -> Cow<'_, str> {
    if word
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return Cow::Borrowed(word);
    }
    match casing {
        Casing::Default => Cow::Owned(word.to_lowercase()),
        Casing::Turkic => Cow::Owned(
            word.replace("I\u{307}", "i")
                .replace('I', "ı")
                .replace('İ', "i")
                .to_lowercase(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokens(text).collect()
    }

    #[test]
    fn words_are_runs_of_letters_and_digits() {
        assert_eq!(
            words("Don't vote twice: GA-2021, (ok)."),
            ["Don", "t", "vote", "twice", "GA", "2021", "ok"]
        );
        assert_eq!(words("  "), Vec::<&str>::new());
    }

    #[test]
    fn accented_and_combining_letters_stay_in_their_word() {
        assert_eq!(words("asamblea décidé"), ["asamblea", "décidé"]);
        // e + COMBINING ACUTE ACCENT
        assert_eq!(
            words("de\u{301}cide\u{301} x"),
            ["de\u{301}cide\u{301}", "x"]
        );
    }

    #[test]
    fn each_ideograph_and_kana_is_a_word() {
        assert_eq!(words("我的错。OK"), ["我", "的", "错", "OK"]);
        assert_eq!(words("総会で"), ["総", "会", "で"]);
        assert_eq!(words("한국어 문서"), ["한국어", "문서"]);
    }

    #[test]
    fn only_accents_go_other_marks_stay() {
        assert_eq!(fold("で"), "で");
        assert_eq!(fold("हिन्दी"), "हिन्दी");
        assert_ne!(fold("ば"), fold("は"));
        assert_eq!(
            words("❤️ ⚠️ x\u{301}"),
            ["x\u{301}"],
            "a mark alone is no word"
        );
    }

    #[test]
    fn turkish_lowercases_dotted_and_dotless_i() {
        let turkish = Casing::for_language("tr-TR");
        assert_eq!(lowercase("KİTAPLARI", turkish), "kitapları");
        assert_eq!(lowercase("BİLGİLERİ", turkish), "bilgileri");
        assert_eq!(lowercase("KİTAPLARI", Casing::Default), "ki\u{307}taplari");
        assert_eq!(fold(&lowercase("İstanbul", Casing::Default)), "istanbul");
    }

    #[test]
    fn folding_lowercases_and_drops_diacritics() {
        assert_eq!(fold("Décidé"), "decide");
        assert_eq!(fold("de\u{301}cide\u{301}"), "decide");
        assert_eq!(fold("ASAMBLEA"), "asamblea");
        assert_eq!(fold("Straße"), "straße");
        assert_eq!(
            fold("ΣΟΦΟΣ"),
            "σοφοσ",
            "final sigma is σ, so a prefix still matches"
        );
        assert_eq!(fold("한국어"), "한국어");
        assert!(matches!(fold("plain42"), Cow::Borrowed(_)));
    }

    #[test]
    fn stemming_follows_the_configured_language_only() {
        let english = Stemmer::for_language("en-GB");
        assert_eq!(english.stem("sanctions"), english.stem("sanctioned"));
        let spanish = Stemmer::for_language("es");
        assert_eq!(spanish.stem("decisiones"), spanish.stem("decisión"));
        assert_eq!(spanish.stem("decisión"), "decision");
        let none = Stemmer::for_language("ja");
        assert_eq!(none.stem("sanctions"), "sanctions");
        assert_eq!(none.stem("décidé"), "decide");
    }
}
