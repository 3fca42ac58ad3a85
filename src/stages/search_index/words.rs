//! The words of a page as its search index holds them: each word the page shows is
//! kept lower case, without marks on its letters and cut to its stem, so that the
//! browser, which does the same to what a parent types, finds "feeding" for
//! "feeds" and "creche" for "crèche". A word joined from parts, such as
//! "face-to-face" or "baby's", is also kept as its parts. These are Pagefind's
//! rules, which its search in the browser expects; the scripts that Pagefind
//! segments into words (Chinese, Japanese, Thai) are not among the site's
//! languages. Uses pagefind_stem, convert_case, unicode-normalization and
//! rustc-hash, and `kept_by_thread`.

use rustc_hash::FxHashMap;

use convert_case::{Case, Casing};
use pagefind_stem::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

use crate::support::kept_by_thread::with_known;

/// Characters that Pagefind counts as part of a word besides letters and digits:
/// the Unicode "connector punctuation" such as `_`.
pub const WORD_SYMBOLS: [char; 10] = ['_', '‿', '⁀', '⁔', '︳', '︴', '﹍', '﹎', '﹏', '＿'];

/// The longest tail after a dot that is kept as a word of its own.
const LONGEST_DOTTED_TAIL: usize = 64;

/// One word to index for a word of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexWord {
    /// The word as the index keys it: lower case, without marks, stemmed.
    pub stem: String,
    /// The word as written, lower case, if it had marks that the stem lost, so
    /// that a search with the same marks ranks it first.
    pub with_marks: Option<String>,
    /// Whether this is a part of a joined word rather than the whole word.
    pub is_part: bool,
}

/// What a thread keeps of the words it found, by language and word
/// ([`with_known`]).
type Kept<V> = std::cell::RefCell<FxHashMap<String, FxHashMap<String, V>>>;

thread_local! {
    /// The stem of each word cut to its stem on this thread.
    static STEMS: Kept<String> = Kept::default();
    /// The words to index for each word as written, found on this thread.
    static INDEXED: Kept<Vec<IndexWord>> = Kept::default();
}

/// Calls `use_known` with what this thread keeps in `kept` for `language`.
fn with_language<V: 'static, R>(
    kept: &'static std::thread::LocalKey<Kept<V>>,
    language: &str,
    use_known: impl FnOnce(&mut FxHashMap<String, V>) -> R,
) -> R {
    kept.with_borrow_mut(|kept| {
        if !kept.contains_key(language) {
            kept.insert(language.to_owned(), FxHashMap::default());
        }
        use_known(kept.get_mut(language).expect("just added"))
    })
}

/// The words to index for words written in one language, found again where this
/// thread found them before: a page's words are looked for among those of its
/// language without finding its language again for each.
pub struct IndexWords<'k> {
    known: &'k mut FxHashMap<String, Vec<IndexWord>>,
    stemming: &'k Stemming,
}

impl IndexWords<'_> {
    /// Calls `use_words` with the words to index for `written`, as [`index_words`]
    /// gives them.
    pub fn with<R>(&mut self, written: &str, use_words: impl FnOnce(&[IndexWord]) -> R) -> R {
        let stemming = self.stemming;
        let make = || index_words(written, stemming);
        with_known(self.known, written, make, |words| use_words(words))
    }
}

/// Calls `use_them` with the words to index in `stemming`'s language that this
/// thread keeps. `use_them` may not ask for them again.
pub fn with_index_words<R>(stemming: &Stemming, use_them: impl FnOnce(&mut IndexWords) -> R) -> R {
    with_language(&INDEXED, &stemming.language, |known| {
        use_them(&mut IndexWords { known, stemming })
    })
}

/// The stemmer for a language tag, if Pagefind's search has one for its language.
fn stemmer(language: &str) -> Option<Stemmer> {
    let algorithm = match language.split('-').next().unwrap_or_default() {
        "ar" => Algorithm::Arabic,
        "hy" => Algorithm::Armenian,
        "eu" => Algorithm::Basque,
        "ca" => Algorithm::Catalan,
        "da" => Algorithm::Danish,
        "nl" => Algorithm::Dutch,
        "en" => Algorithm::English,
        "eo" => Algorithm::Esperanto,
        "et" => Algorithm::Estonian,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "el" => Algorithm::Greek,
        "hi" => Algorithm::Hindi,
        "hu" => Algorithm::Hungarian,
        "id" => Algorithm::Indonesian,
        "ga" => Algorithm::Irish,
        "it" => Algorithm::Italian,
        "lt" => Algorithm::Lithuanian,
        "nb" | "nn" | "no" => Algorithm::Norwegian,
        "ne" => Algorithm::Nepali,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "sr" => Algorithm::Serbian,
        "pl" => Algorithm::Polish,
        "es" => Algorithm::Spanish,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        "yi" => Algorithm::Yiddish,
        _ => return None,
    };
    Some(Stemmer::create(algorithm))
}

/// The words to index for `written`, one word of a page as it is written between
/// spaces: the whole word, then its parts if it is joined from parts, then the
/// parts after each dot of a dotted name.
pub fn index_words(written: &str, stemming: &Stemming) -> Vec<IndexWord> {
    let mut words = Vec::new();
    let whole = letters_and_digits(written);
    if !whole.is_empty() {
        words.push(stemmed(&whole, stemming, false));
    }
    let may_be_joined = written.chars().any(|c| !c.is_alphanumeric())
        || written.chars().skip(1).any(char::is_uppercase);
    if !may_be_joined || is_one_word(written) {
        return words;
    }
    let parts = parts_of(written);
    if !whole.is_empty() && (parts.contains(char::is_whitespace) || !whole.starts_with(&parts)) {
        for part in parts.split_whitespace().filter(|part| part.len() > 1) {
            let without_marks = without_marks(part);
            let bare = without_marks.as_deref().unwrap_or(part);
            words.push(IndexWord {
                stem: stemming.stem(bare),
                with_marks: without_marks.map(|_| part.to_owned()),
                is_part: true,
            });
        }
    }
    let tails = dotted_tails(written, stemming, &words);
    words.extend(tails);
    words
}

/// Whether `written` is a plain word with punctuation only around it, such as
/// `baby,` or `(Crying`: its parts would be the word itself, so it has none.
fn is_one_word(written: &str) -> bool {
    let word = written.trim_matches(|c: char| c.is_ascii_punctuation());
    let mut letters = word.chars();
    letters.next().is_some_and(char::is_alphabetic)
        && letters.all(|c| c.is_alphabetic() && !c.is_uppercase())
}

/// The letters, digits and word symbols of `written`, lower case.
fn letters_and_digits(written: &str) -> String {
    let mut word = String::with_capacity(written.len());
    for c in written.chars() {
        if c.is_alphanumeric() || WORD_SYMBOLS.contains(&c) {
            word.extend(c.to_lowercase());
        }
    }
    word
}

fn stemmed(word: &str, stemming: &Stemming, is_part: bool) -> IndexWord {
    let without = without_marks(word);
    let bare = without.as_deref().unwrap_or(word);
    IndexWord {
        stem: stemming.stem(bare),
        with_marks: without.map(|_| word.to_owned()),
        is_part,
    }
}

/// How the words of one language are cut to their stems.
pub struct Stemming {
    language: String,
    stemmer: Option<Stemmer>,
}

impl Stemming {
    /// The stemming of a language tag's language: none if Pagefind's search has
    /// no stemmer for it.
    pub fn of(language: &str) -> Stemming {
        Stemming {
            language: language.to_owned(),
            stemmer: stemmer(language),
        }
    }

    fn stem(&self, bare: &str) -> String {
        let Some(stemmer) = &self.stemmer else {
            return bare.to_owned();
        };
        let make = || stemmer.stem(bare).into_owned();
        with_language(&STEMS, &self.language, |known| {
            with_known(known, bare, make, String::clone)
        })
    }
}

/// The parts of a joined word, lower case and separated by spaces: split at
/// punctuation and where a small letter meets a capital.
fn parts_of(written: &str) -> String {
    written
        .replace(|c: char| c.is_ascii_punctuation(), " ")
        .to_case(Case::Lower)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// After each dot of a dotted name, the rest of it, where that is itself joined
/// from parts and not already indexed: `nhs.uk/conditions` gives `ukconditions`.
fn dotted_tails(written: &str, stemming: &Stemming, indexed: &[IndexWord]) -> Vec<IndexWord> {
    let mut tails: Vec<IndexWord> = Vec::new();
    for (at, _) in written.match_indices('.') {
        let rest = &written[at + 1..];
        let tail = match rest.char_indices().nth(LONGEST_DOTTED_TAIL) {
            Some((end, _)) => &rest[..end],
            None => rest,
        };
        let tail_is_joined = tail.chars().any(|c| !c.is_alphanumeric())
            || tail.chars().skip(1).any(char::is_uppercase);
        let letters = letters_and_digits(tail);
        if !tail_is_joined || letters.chars().count() < 2 {
            continue;
        }
        let word = stemmed(&letters, stemming, true);
        let known = |w: &IndexWord| w.stem == word.stem;
        if !indexed.iter().any(known) && !tails.iter().any(known) {
            tails.push(word);
        }
    }
    tails
}

/// `word` without the marks on its letters, if it had any: "crèche" is "creche".
fn without_marks(word: &str) -> Option<String> {
    if word.is_ascii() || !has_marks(word) {
        return None;
    }
    // The kana sound marks tell words apart, so they stay.
    let stripped: String = word
        .nfd()
        .filter(|c| {
            !unicode_normalization::char::is_combining_mark(*c)
                || matches!(*c, '\u{3099}' | '\u{309A}')
        })
        .collect();
    let bare = match stripped
        .chars()
        .any(|c| matches!(c, '\u{3099}' | '\u{309A}'))
    {
        true => stripped.nfc().collect(),
        false => stripped,
    };
    (bare != word).then_some(bare)
}

fn has_marks(word: &str) -> bool {
    word.chars().any(|c| {
        let mut decomposes = unicode_normalization::char::is_combining_mark(c);
        unicode_normalization::char::decompose_canonical(c, |part| decomposes |= part != c);
        decomposes
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(written: &str, language: &str) -> Vec<(String, bool)> {
        index_words(written, &Stemming::of(language))
            .into_iter()
            .map(|w| (w.stem, w.is_part))
            .collect()
    }

    #[test]
    fn words_found_again_are_the_words_found_first_in_their_own_language() {
        let words = |written: &str, stemming: &Stemming| {
            with_index_words(stemming, |words| words.with(written, <[IndexWord]>::to_vec))
        };
        let english = Stemming::of("en");
        for written in [
            "Feeding,",
            "face-to-face",
            "crèche",
            "nhs.uk/CareCards",
            "x",
        ] {
            let first = words(written, &english);
            assert_eq!(first, index_words(written, &english), "{written}");
            assert_eq!(words(written, &english), first, "{written}");
        }
        let french = Stemming::of("fr");
        assert_eq!(words("feeding", &english)[0].stem, "feed");
        assert_eq!(words("feeding", &french), index_words("feeding", &french));
        assert_ne!(words("feeding", &french)[0].stem, "feed");
    }

    #[test]
    fn a_plain_word_is_lower_case_and_stemmed() {
        assert_eq!(stems("Feeding,", "en-GB"), [("feed".to_owned(), false)]);
        assert_eq!(stems("feeds", "en"), [("feed".to_owned(), false)]);
    }

    #[test]
    fn a_joined_word_is_kept_whole_and_in_parts() {
        let words = stems("face-to-face", "en");
        assert_eq!(words[0], ("facetofac".to_owned(), false));
        let parts: Vec<&str> = words[1..].iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(parts, ["face", "to", "face"]);
        let words = stems("baby's", "en");
        assert_eq!(
            words,
            [("babi".to_owned(), false), ("babi".to_owned(), true)]
        );
    }

    #[test]
    fn marks_are_taken_off_and_remembered() {
        let words = index_words("Crèche", &Stemming::of("fr"));
        assert_eq!(words[0].stem, "crech");
        assert_eq!(words[0].with_marks.as_deref(), Some("crèche"));
    }

    #[test]
    fn a_language_without_a_stemmer_keeps_whole_words() {
        assert!(stemmer("cy").is_none());
        assert_eq!(stems("Babanod", "cy"), [("babanod".to_owned(), false)]);
    }

    #[test]
    fn a_dotted_name_keeps_its_joined_tail() {
        let stems: Vec<String> = stems("111.nhs.uk/start", "en")
            .into_iter()
            .map(|(w, _)| w)
            .collect();
        assert!(stems.contains(&"nhsukstart".to_owned()), "{stems:?}");
        assert!(stems.contains(&"ukstart".to_owned()), "{stems:?}");
    }

    #[test]
    fn a_word_with_punctuation_only_around_it_is_its_own_only_part() {
        for written in ["baby,", "(Crying", "Ćwiczenia.", "sleep?\""] {
            assert!(is_one_word(written), "{written}");
            let (whole, parts) = (letters_and_digits(written), parts_of(written));
            assert!(
                !parts.contains(' ') && whole.starts_with(&parts),
                "{written}"
            );
        }
        for written in [
            "face-to-face",
            "NHS111",
            "baby's",
            "a.b",
            "iPhone",
            "“night”",
        ] {
            assert!(!is_one_word(written), "{written}");
        }
    }

    #[test]
    fn punctuation_alone_is_no_word() {
        assert!(stems("—", "en").is_empty());
    }
}
