//! Words to avoid: each use of a word or phrase from the site's list is a warning at
//! its own line and column, with what to write instead. Reads the text a reader sees
//! (headings, paragraphs, list items, card headings) and the page's title and
//! description. Uses `page`, `config` and `error`; aho-corasick finds every word of
//! the list in one pass over the text.

use crate::config::CheckSettings;
use crate::model::page::{Page, RenderedPage};
use crate::support::error::{Diagnostic, Position, line_text};

/// The site's words to avoid, ready to be found in any text in one pass.
pub struct WordsToAvoid<'a> {
    words: &'a [(String, String)],
    /// Finds every word of the list at once; `None` for a list too large for it,
    /// which is then searched word by word.
    automaton: Option<aho_corasick::AhoCorasick>,
}

impl<'a> WordsToAvoid<'a> {
    pub fn new(settings: &'a CheckSettings) -> Self {
        Self::of(&settings.words_to_avoid)
    }

    /// The words of `words`, each with what to write instead.
    pub fn of(words: &'a [(String, String)]) -> Self {
        let automaton = aho_corasick::AhoCorasick::new(words.iter().map(|(word, _)| word)).ok();
        WordsToAvoid { words, automaton }
    }
}

/// Checks one page's wording.
pub fn check(page: &Page, rendered: &RenderedPage, settings: &WordsToAvoid) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut report = |word: &str, instead: &str, position: Position| {
        diagnostics.push(
            Diagnostic::warning(
                &page.source.display_path,
                format!("avoid the word {word:?}"),
            )
            .at(&page.source.text, position)
            .with_hint(instead.to_owned()),
        );
    };
    for key in ["title", "description"] {
        let Some(&key_at) = page.front.key_positions.get(key) else {
            continue;
        };
        let Some(line) = line_text(&page.source.text, key_at.line) else {
            continue;
        };
        for (offset, word, instead) in find(line, settings) {
            let col = line[..offset].chars().count() + 1;
            if col > key_at.col + key.len() {
                report(
                    word,
                    instead,
                    Position {
                        line: key_at.line,
                        col,
                    },
                );
            }
        }
    }
    for block in rendered.text.iter() {
        for (offset, word, instead) in find(block.text, settings) {
            if let Some(position) = block.position_of(offset) {
                report(word, instead, position);
            }
        }
    }
    diagnostics
}

/// Every use in `text` of a word to avoid, as whole words, ignoring case and the kind
/// of apostrophe: byte offset, the word from the list, and the advice.
pub fn find<'a>(text: &str, settings: &WordsToAvoid<'a>) -> Vec<(usize, &'a str, &'a str)> {
    // The lowercase text, and the offset in `text` of each of its bytes: the same
    // offset for ASCII text, which most text is.
    let mut lower = String::with_capacity(text.len());
    let mut origin = Vec::new();
    if text.is_ascii() {
        lower.push_str(text);
        lower.make_ascii_lowercase();
    } else {
        origin.reserve(text.len() + 1);
        for (offset, c) in text.char_indices() {
            if c.is_ascii() {
                lower.push(c.to_ascii_lowercase());
                origin.push(offset);
                continue;
            }
            let start = lower.len();
            let c = if c == '\u{2019}' { '\'' } else { c };
            lower.extend(c.to_lowercase());
            origin.extend(std::iter::repeat_n(offset, lower.len() - start));
        }
        origin.push(text.len());
    }
    let origin_of = |at: usize| origin.get(at).copied().unwrap_or(at);
    let is_word_char = |c: char| c.is_alphanumeric() || c == '\'';
    // Each place a word of the list starts, with the word's place in the list.
    let candidates: Vec<(usize, usize)> = match &settings.automaton {
        Some(automaton) => automaton
            .find_overlapping_iter(&lower)
            .map(|m| (m.start(), m.pattern().as_usize()))
            .collect(),
        None => (settings.words.iter().enumerate())
            .flat_map(|(index, (word, _))| {
                lower
                    .match_indices(word.as_str())
                    .map(move |(at, _)| (at, index))
            })
            .collect(),
    };
    let mut found = Vec::new();
    for (at, index) in candidates {
        let (word, instead) = &settings.words[index];
        let end = at + word.len();
        let before = lower[..at].chars().next_back();
        let after = lower[end..].chars().next();
        if before.is_some_and(is_word_char) || after.is_some_and(is_word_char) {
            continue;
        }
        found.push((origin_of(at), word.as_str(), instead.as_str()));
    }
    found.sort_by_key(|&(offset, ..)| offset);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_found_whole_and_whatever_their_case_or_apostrophe() {
        let settings = CheckSettings::default();
        let settings = WordsToAvoid::new(&settings);
        let text = "You Should rest. Don’t worry, it's shouldered. A fever, feverish.";
        let found: Vec<(usize, &str)> = find(text, &settings).iter().map(|f| (f.0, f.1)).collect();
        assert_eq!(found, [(4, "should"), (17, "don't"), (51, "fever")]);
        let plain: Vec<(usize, &str)> = find("A FEVER. You should.", &settings)
            .iter()
            .map(|f| (f.0, f.1))
            .collect();
        assert_eq!(plain, [(2, "fever"), (13, "should")]);
    }
}
