//! Titles and descriptions: what section pages, the home page, browser tabs and
//! search results show of a page. A title over 65 characters or a description over
//! 160 is cut off there, and a description is read like the page's own text, so its
//! sentences are held to the same length. Uses `config`, `page`, `yaml` and
//! `error`.

use crate::config::CheckSettings;
use crate::model::page::Page;
use crate::support::error::{Diagnostic, Position, Severity, StageError};
use crate::support::yaml::value_position;

use super::readability;

/// Search results and browser tabs cut titles off after about this many characters.
pub const MAX_TITLE_CHARS: usize = 65;

/// Search results cut descriptions off after about this many characters.
pub const MAX_DESCRIPTION_CHARS: usize = 160;

/// What can be wrong with how a page is listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListingError {
    #[error("the title is {length} characters long; keep it to {MAX_TITLE_CHARS} or fewer")]
    LongTitle { length: usize, position: Position },
    #[error(
        "the description is {length} characters long; keep it to {MAX_DESCRIPTION_CHARS} or fewer"
    )]
    LongDescription { length: usize, position: Position },
    #[error(
        "a sentence in the description has {words} words; keep sentences to {most} words or fewer"
    )]
    WordySentence {
        words: usize,
        most: usize,
        position: Position,
    },
}

impl StageError for ListingError {
    fn position(&self) -> Option<Position> {
        match self {
            ListingError::LongTitle { position, .. }
            | ListingError::LongDescription { position, .. }
            | ListingError::WordySentence { position, .. } => Some(*position),
        }
    }

    fn severity(&self) -> Severity {
        Severity::Warning
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            ListingError::LongTitle { .. } => {
                "browser tabs and search results cut long titles off: name the page in a few words".into()
            }
            ListingError::LongDescription { .. } => {
                "keep the description to one short sentence: section pages and search results show it".into()
            }
            ListingError::WordySentence { .. } => {
                "split it into two sentences, or say less: the page itself has room for the rest".into()
            }
        })
    }
}

/// Checks one page's title and description.
pub fn check(page: &Page, settings: &CheckSettings) -> Vec<Diagnostic> {
    let front = &page.front;
    let text = &page.source.text;
    let value_at = |key: &str| {
        front
            .key_positions
            .get(key)
            .map(|&position| value_position(text, position))
    };
    let shifted = |start: Position, chars: usize| Position {
        line: start.line,
        col: start.col + chars,
    };
    let mut errors = Vec::new();
    if let Some(start) = value_at("title").filter(|_| front.knows("title")) {
        let length = front.title.chars().count();
        if length > MAX_TITLE_CHARS {
            errors.push(ListingError::LongTitle {
                length,
                position: shifted(start, MAX_TITLE_CHARS),
            });
        }
    }
    if let Some(start) = value_at("description").filter(|_| front.knows("description")) {
        let description = &front.description;
        let length = description.chars().count();
        // A description too long to show is one mistake, however its sentences run.
        if length > MAX_DESCRIPTION_CHARS {
            errors.push(ListingError::LongDescription {
                length,
                position: shifted(start, MAX_DESCRIPTION_CHARS),
            });
        }
        let sentences = readability::sentences(description);
        for sentence in sentences.iter().filter(|_| length <= MAX_DESCRIPTION_CHARS) {
            if sentence.words > settings.max_sentence_words {
                errors.push(ListingError::WordySentence {
                    words: sentence.words,
                    most: settings.max_sentence_words,
                    position: shifted(start, description[..sentence.start].chars().count()),
                });
            }
        }
    }
    errors
        .iter()
        .map(|e| e.to_diagnostic(&page.source.display_path, Some(text)))
        .collect()
}
