//! Readability: how easy a page's text is to read, measured on the text a reader sees
//! (paragraphs and list items; headings are labels, not sentences). Counts words and
//! sentences, and works out the SMOG grade and the Flesch reading ease. Warns about each
//! sentence longer than the site allows, at its own line, and about a page outside the
//! thresholds. Uses `page`, `config`, `error` and `kept_by_thread`, memchr and
//! rustc-hash.

use std::cell::Cell;
use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::config::CheckSettings;
use crate::model::page::{Page, RenderedPage, TextBlock, TextRole};
use crate::support::error::{Diagnostic, Position};
use crate::support::kept_by_thread::{with_kept, with_known};

/// A page needs this many sentences before its grade means anything; SMOG was made
/// for samples of 30.
pub const MIN_SENTENCES_TO_SCORE: usize = 10;

/// One page's figures.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Readability {
    pub words: usize,
    pub sentences: usize,
    pub average_sentence_words: f64,
    pub longest_sentence_words: usize,
    /// Words of three syllables or more.
    pub polysyllables: usize,
    pub syllables: usize,
    pub smog_grade: f64,
    pub flesch_reading_ease: f64,
}

/// A sentence found in a block of text: its byte range in the block, and how many
/// words and syllables it has.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    pub words: usize,
    pub syllables: usize,
    /// Words of three syllables or more.
    pub polysyllables: usize,
}

/// Measures a page and returns its figures and the warnings about it.
pub fn check(
    page: &Page,
    rendered: &RenderedPage,
    settings: &CheckSettings,
    scored: bool,
) -> (Readability, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut totals = Totals::default();
    for block in rendered.text.iter().filter(|b| counts_as_prose(b)) {
        for sentence in sentences(block.text) {
            totals.add(&sentence);
            if sentence.words > settings.max_sentence_words {
                let position = block
                    .position_of(sentence.start)
                    .unwrap_or(Position { line: 1, col: 1 });
                diagnostics.push(
                    Diagnostic::warning(
                        &page.source.display_path,
                        format!(
                            "this sentence has {} words; keep sentences to {} words or fewer",
                            sentence.words, settings.max_sentence_words
                        ),
                    )
                    .at(&page.source.text, position)
                    .with_hint("split it into two sentences, or make a list"),
                );
            }
        }
    }
    let figures = totals.figures();
    if scored && figures.sentences >= MIN_SENTENCES_TO_SCORE {
        let title_at = page.front.key_positions.get("title").copied();
        let mut page_warning = |message: String, hint: &str| {
            let diagnostic =
                Diagnostic::warning(&page.source.display_path, message).with_hint(hint);
            diagnostics.push(match title_at {
                Some(position) => diagnostic.at(&page.source.text, position),
                None => diagnostic,
            });
        };
        if figures.smog_grade > settings.max_smog_grade {
            page_warning(
                format!(
                    "this page is hard to read: its SMOG grade is {:.1}, above {:.1} (a reading age of about {:.0})",
                    figures.smog_grade,
                    settings.max_smog_grade,
                    figures.smog_grade + 5.0
                ),
                &long_words_hint(rendered),
            );
        }
        if figures.flesch_reading_ease < settings.min_reading_ease {
            page_warning(
                format!(
                    "this page is hard to read: its Flesch reading ease is {:.1}, below {:.1}",
                    figures.flesch_reading_ease, settings.min_reading_ease
                ),
                "use shorter sentences and shorter words",
            );
        }
    }
    (figures, diagnostics)
}

/// A hint that names the page's most used long words, so the writer knows where to
/// start. Worked out only for a page that gets the warning.
fn long_words_hint(rendered: &RenderedPage) -> String {
    let mut uses: BTreeMap<String, usize> = BTreeMap::new();
    for block in rendered.text.iter().filter(|b| counts_as_prose(b)) {
        for word in words_of(block.text).filter(|w| syllables(w) >= 3) {
            *uses.entry(word.to_lowercase()).or_default() += 1;
        }
    }
    let mut by_use: Vec<(&String, &usize)> = uses.iter().collect();
    by_use.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let named: Vec<String> = by_use
        .iter()
        .take(LONG_WORDS_NAMED)
        .map(|&(word, &count)| match count {
            1 => format!("'{word}'"),
            _ => format!("'{word}' ({count} times)"),
        })
        .collect();
    format!(
        "use shorter words, such as 'help' rather than 'assistance'; the long words used most here are {}",
        named.join(", ")
    )
}

fn counts_as_prose(block: &TextBlock<'_>) -> bool {
    matches!(
        block.role,
        TextRole::Paragraph | TextRole::ListItem | TextRole::TableCell
    )
}

#[derive(Debug, Default)]
struct Totals {
    words: usize,
    sentences: usize,
    longest: usize,
    syllables: usize,
    polysyllables: usize,
}

/// How many of a page's most used long words a SMOG warning names.
const LONG_WORDS_NAMED: usize = 5;

impl Totals {
    fn add(&mut self, sentence: &Sentence) {
        self.words += sentence.words;
        self.sentences += 1;
        self.longest = self.longest.max(sentence.words);
        self.syllables += sentence.syllables;
        self.polysyllables += sentence.polysyllables;
    }

    fn figures(&self) -> Readability {
        let (words, sentences) = (self.words as f64, self.sentences as f64);
        let (average, smog, flesch) = if self.sentences == 0 {
            (0.0, 0.0, 0.0)
        } else {
            (
                words / sentences,
                smog_grade(self.polysyllables, self.sentences),
                flesch_reading_ease(self.words, self.sentences, self.syllables),
            )
        };
        Readability {
            words: self.words,
            sentences: self.sentences,
            average_sentence_words: round1(average),
            longest_sentence_words: self.longest,
            polysyllables: self.polysyllables,
            syllables: self.syllables,
            smog_grade: round1(smog),
            flesch_reading_ease: round1(flesch),
        }
    }
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// McLaughlin's SMOG grade: 1.0430 × √(polysyllables × 30 / sentences) + 3.1291.
pub fn smog_grade(polysyllables: usize, sentences: usize) -> f64 {
    1.0430 * (polysyllables as f64 * 30.0 / sentences as f64).sqrt() + 3.1291
}

/// Flesch reading ease: 206.835 − 1.015 × words per sentence − 84.6 × syllables per word.
pub fn flesch_reading_ease(words: usize, sentences: usize, syllables: usize) -> f64 {
    let (words, sentences, syllables) = (words as f64, sentences as f64, syllables as f64);
    206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words)
}

/// Abbreviations whose full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "e.g.", "i.e.", "etc.", "dr.", "mr.", "mrs.", "ms.", "st.", "no.", "approx.", "a.m.", "p.m.",
    "vs.",
];

/// Marks that end a sentence in scripts other than the Latin: the Arabic full stop
/// and question mark (Urdu, Arabic, Persian), the danda (Hindi, Bengali, Panjabi),
/// and the full-width marks of Chinese.
const OTHER_SENTENCE_ENDS: [char; 6] = [
    '\u{06D4}', '\u{061F}', '\u{0964}', '\u{3002}', '\u{FF01}', '\u{FF1F}',
];

/// Splits a block of text into sentences. A block's end always ends a sentence, so a
/// list item is a sentence of its own.
pub fn sentences(text: &str) -> Vec<Sentence> {
    let mut found = Vec::new();
    let mut start = 0;
    // The three marks of English are ASCII, so each is found as a byte and is a whole
    // character. Text in other scripts can end sentences with marks of its own.
    let mut marks: Vec<(usize, usize)> = memchr::memchr3_iter(b'.', b'!', b'?', text.as_bytes())
        .map(|offset| (offset, 1))
        .collect();
    if !text.is_ascii() {
        marks.extend(
            text.char_indices()
                .filter(|(_, c)| OTHER_SENTENCE_ENDS.contains(c))
                .map(|(offset, c)| (offset, c.len_utf8())),
        );
        marks.sort_unstable();
    }
    for (offset, length) in marks {
        let end = offset + length;
        let mut after = text[end..].chars();
        let next = after.next();
        let closes = matches!(next, None | Some(' ' | '\u{a0}' | '\n'))
            || (matches!(next, Some('"' | '\u{201d}' | '\u{2019}' | ')'))
                && after.next().is_none_or(char::is_whitespace));
        if !closes {
            continue;
        }
        let word_start = text[..offset]
            .rfind(char::is_whitespace)
            .map(|w| w + 1)
            .unwrap_or(0);
        let last_word = &text[word_start..end];
        if text.as_bytes()[offset] == b'.'
            && ABBREVIATIONS
                .iter()
                .any(|abbreviation| abbreviation.eq_ignore_ascii_case(last_word))
        {
            continue;
        }
        push_sentence(text, start, end, &mut found);
        start = end;
    }
    push_sentence(text, start, text.len(), &mut found);
    found
}

fn push_sentence(text: &str, start: usize, end: usize, found: &mut Vec<Sentence>) {
    let piece = &text[start..end];
    let trimmed_start = start + (piece.len() - piece.trim_start().len());
    let (mut words, mut syllables, mut polysyllables) = (0, 0, 0);
    with_kept(&COUNTED, |counted| {
        for word in words_of(&text[trimmed_start..end]) {
            let count = with_known(counted, word, || self::syllables(word), |&count| count);
            words += 1;
            syllables += count;
            polysyllables += usize::from(count >= 3);
        }
    });
    if words > 0 {
        found.push(Sentence {
            start: trimmed_start,
            end,
            words,
            syllables,
            polysyllables,
        });
    }
}

thread_local! {
    /// The syllables of each word this thread counted, by the word as written:
    /// most of a site's words are ones it has read before.
    static COUNTED: Cell<FxHashMap<String, usize>> = Cell::default();
}

/// The words of a piece of text: runs between spaces that hold a letter or a digit,
/// without the punctuation around them. "face-to-face" and "111" are one word each.
pub fn words_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || c == '/' || c == '\u{2013}' || c == '\u{2014}')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        // Trimmed, a word that is not empty starts with a letter or a digit.
        .filter(|w| !w.is_empty())
}

/// Guesses how many syllables an English word has, from its groups of vowels, with
/// the common exceptions of English spelling. It is right for most everyday words,
/// which is what readability formulas need.
pub fn syllables(word: &str) -> usize {
    // The rules read only English letters: every other letter is the same to them,
    // so each is held as one byte that is none of those, and most words fit on the
    // stack.
    const OTHER_LETTER: u8 = 0xFF;
    let mut short = [0u8; 32];
    let mut long = Vec::new();
    let mut length = 0;
    let mut push = |letter: u8| {
        if length < short.len() {
            short[length] = letter;
        } else {
            if long.is_empty() {
                long.extend_from_slice(&short);
            }
            long.push(letter);
        }
        length += 1;
    };
    if word.is_ascii() {
        (word.bytes())
            .filter(u8::is_ascii_alphabetic)
            .for_each(|b| push(b.to_ascii_lowercase()));
    } else {
        // A letter can lower-case to an English one: the Kelvin sign to "k".
        (word.chars())
            .filter(|c| c.is_alphabetic())
            .flat_map(char::to_lowercase)
            .for_each(|c| {
                push(
                    u8::try_from(c)
                        .ok()
                        .filter(u8::is_ascii)
                        .unwrap_or(OTHER_LETTER),
                )
            });
    }
    let letters = if long.is_empty() {
        &short[..length]
    } else {
        &long[..]
    };
    count_syllables(letters)
}

/// Endings that keep the silent e of the word they follow: "safe-ly", "move-ment".
const SUFFIXES_AFTER_SILENT_E: &[&[u8]] = &[b"ly", b"ment", b"ful", b"ness", b"less"];

/// Counts the syllables of a word given as its lowercase letters.
fn count_syllables(letters: &[u8]) -> usize {
    if letters.len() <= 3 {
        return 1;
    }
    // "some-thing", "some-times", "some-one": the e of "some" is silent.
    if let Some(rest) = letters.strip_prefix(b"some") {
        if rest.len() >= 3 {
            return 1 + count_syllables(rest);
        }
    }
    for suffix in SUFFIXES_AFTER_SILENT_E {
        if let Some(stem) = letters.strip_suffix(*suffix) {
            if stem.len() >= 3 && stem.ends_with(b"e") && ends_in_silent_e(stem) {
                return count_syllables(stem) + 1;
            }
        }
    }
    let is_plain_vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    let is_vowel = |i: usize| {
        let c = letters[i];
        // y is a vowel after a consonant ("cry", "crying", "baby"), not before a
        // vowel that follows a vowel or starts the word ("yellow", "player").
        is_plain_vowel(c)
            || (c == b'y'
                && i > 0
                && !(is_plain_vowel(letters[i - 1])
                    && letters.get(i + 1).is_some_and(|&n| is_plain_vowel(n))))
    };
    let mut count = 0;
    for i in 0..letters.len() {
        if !is_vowel(i) {
            continue;
        }
        if i == 0 || !is_vowel(i - 1) || splits_vowel_pair(letters, i) {
            count += 1;
        }
    }
    let n = letters.len();
    if ends_in_silent_e(letters) {
        count -= 1;
    }
    // "-es" and "-ed" are silent after most consonants: "comes", "calmed"; not in
    // "wanted", "needed", "kisses", "changes".
    let consonant = |c: u8| !matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
    if letters[n - 1] == b's'
        && letters[n - 2] == b'e'
        && consonant(letters[n - 3])
        && !matches!(letters[n - 3], b's' | b'x' | b'z' | b'c' | b'g')
        && !(letters[n - 3] == b'h' && matches!(letters[n - 4], b'c' | b's'))
        && !(letters[n - 3] == b'l' && consonant(letters[n - 4]))
    {
        count -= 1;
    }
    if letters[n - 1] == b'd'
        && letters[n - 2] == b'e'
        && consonant(letters[n - 3])
        && !matches!(letters[n - 3], b't' | b'd')
        && !(letters[n - 3] == b'l' && consonant(letters[n - 4]))
    {
        count -= 1;
    }
    count.max(1)
}

/// A final silent e, as in "close" or "time", but not "-le" as in "cuddle".
fn ends_in_silent_e(letters: &[u8]) -> bool {
    let n = letters.len();
    let consonant = |c: u8| !matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
    n >= 3
        && letters[n - 1] == b'e'
        && consonant(letters[n - 2])
        && !(letters[n - 2] == b'l' && consonant(letters[n - 3]))
}

/// Whether the vowel at `i` starts a syllable of its own although a vowel comes just
/// before it: "ser-i-ous", "us-u-al", but not "na-tion", "spe-cial" or "lan-guage".
fn splits_vowel_pair(letters: &[u8], i: usize) -> bool {
    let before = if i >= 2 { letters[i - 2] } else { b' ' };
    match (letters[i - 1], letters[i]) {
        (b'i', b'a' | b'o' | b'u') => !matches!(before, b't' | b's' | b'c' | b'g' | b'x'),
        (b'u', b'a') => !matches!(before, b'q' | b'g'),
        (b'y', _) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_of_everyday_words() {
        let words = [
            ("baby", 2),
            ("cry", 1),
            ("cries", 1),
            ("crying", 2),
            ("close", 1),
            ("time", 1),
            ("cuddle", 2),
            ("cuddles", 2),
            ("calmed", 1),
            ("wanted", 2),
            ("needed", 2),
            ("changes", 2),
            ("kisses", 2),
            ("temperature", 4),
            ("appointment", 3),
            ("emergency", 4),
            ("comfort", 2),
            ("the", 1),
            ("you", 1),
            ("every", 3),
            ("yellow", 2),
            ("tired", 1),
            ("face", 1),
            ("faces", 2),
            ("happy", 2),
            ("family", 3),
            ("something", 2),
            ("safely", 2),
            ("movement", 2),
            ("completely", 3),
            ("immediately", 5),
            ("seriously", 4),
            ("usually", 4),
            ("especially", 4),
            ("nation", 2),
            ("language", 2),
            ("appointment", 3),
        ];
        let wrong: Vec<String> = words
            .iter()
            .filter(|(word, expected)| syllables(word) != *expected)
            .map(|(word, expected)| format!("{word}: {} not {expected}", syllables(word)))
            .collect();
        assert!(wrong.is_empty(), "{wrong:?}");
    }

    #[test]
    fn syllables_of_words_with_other_letters_and_long_words() {
        // Letters outside English are consonants to the rules.
        assert_eq!(syllables("café"), 1);
        assert_eq!(syllables("naïve"), 1);
        // The Kelvin sign lower-cases to "k".
        assert_eq!(syllables("\u{212A}isses"), syllables("kisses"));
        let long = "supercalifragilisticexpialidocious".repeat(2);
        assert_eq!(syllables(&long), 2 * 14);
    }

    #[test]
    fn sentences_end_at_the_full_stops_of_other_scripts() {
        let text = "اپنے بچے کو قریب رکھیں۔ کیا وہ بیمار ہے؟ ہاں";
        assert_eq!(sentences(text).len(), 3);
        assert_eq!(sentences("बच्चा रो रहा है। मदद लें").len(), 2);
    }

    #[test]
    fn sentences_end_at_full_stops_but_not_inside_addresses_or_abbreviations() {
        let text = "Go to 111.nhs.uk today. Try songs, e.g. lullabies! Is it 38.5C? Yes";
        let found: Vec<&str> = sentences(text)
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect();
        assert_eq!(
            found,
            [
                "Go to 111.nhs.uk today.",
                "Try songs, e.g. lullabies!",
                "Is it 38.5C?",
                "Yes"
            ]
        );
        assert_eq!(sentences(text)[0].words, 4);
    }

    #[test]
    fn words_ignore_punctuation_and_keep_hyphenated_words_whole() {
        let words: Vec<&str> = words_of("Face-to-face play – it's fun (really)!").collect();
        assert_eq!(words, ["Face-to-face", "play", "it's", "fun", "really"]);
    }

    /// Worked by hand: "The cat sat on the mat. It was a happy cat." has 11 words,
    /// 2 sentences and 12 syllables (happy has 2), no polysyllables.
    /// Flesch = 206.835 − 1.015 × 5.5 − 84.6 × 12/11 = 206.835 − 5.583 − 92.291 = 109.0.
    /// SMOG = 1.0430 × √0 + 3.1291 = 3.1.
    #[test]
    fn formulas_match_values_worked_by_hand() {
        let mut totals = Totals::default();
        for s in sentences("The cat sat on the mat. It was a happy cat.") {
            totals.add(&s);
        }
        let figures = totals.figures();
        assert_eq!(
            (figures.words, figures.sentences, figures.syllables),
            (11, 2, 12)
        );
        assert_eq!(figures.flesch_reading_ease, 109.0);
        assert_eq!(figures.smog_grade, 3.1);
        assert_eq!(figures.average_sentence_words, 5.5);
        assert_eq!(figures.longest_sentence_words, 6);
    }

    /// Worked by hand: 3 sentences, 20 words, 6 polysyllables (temperature twice,
    /// emergency, appointment, immediately, nobody) and 39 syllables.
    /// SMOG = 1.0430 × √(6 × 30 / 3) + 3.1291 = 1.0430 × 7.746 + 3.1291 = 11.2.
    /// Flesch = 206.835 − 1.015 × 20/3 − 84.6 × 39/20 = 206.835 − 6.767 − 164.97 = 35.1.
    #[test]
    fn polysyllables_raise_the_smog_grade() {
        let text = "Your baby has a high temperature. Ask for an emergency appointment immediately. \
                    Nobody worries when a temperature goes up fast.";
        let mut totals = Totals::default();
        for s in sentences(text) {
            totals.add(&s);
        }
        let figures = totals.figures();
        assert_eq!((figures.sentences, figures.words), (3, 20));
        assert_eq!(figures.polysyllables, 6);
        assert_eq!(figures.syllables, 39);
        assert_eq!(figures.smog_grade, 11.2);
        assert_eq!(figures.flesch_reading_ease, 35.1);
    }
}
