//! What can be wrong with a page's front matter, each with where it is and a hint
//! that shows the fix. Uses `error`.

use crate::support::error::{Position, StageError};

/// What can be wrong with a page's front matter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrontMatterError {
    #[error("the page does not start with front matter")]
    MissingFence,
    #[error("the front matter has no `---` line above it")]
    MissingOpeningFence,
    #[error("the page is empty")]
    Empty,
    #[error("the front matter is never closed")]
    UnclosedFence { position: Position },
    #[error("{message}")]
    Yaml {
        position: Position,
        message: String,
        hint: Option<String>,
    },
    #[error("the front matter has no '{key}'")]
    MissingKey {
        key: &'static str,
        position: Position,
    },
    #[error("'{key}' is empty")]
    EmptyValue {
        key: &'static str,
        position: Position,
    },
    #[error("'{key}' is not a date: {value:?}")]
    BadDate {
        key: &'static str,
        value: String,
        position: Position,
    },
    #[error("'next_review' ({next}) is before 'reviewed' ({reviewed})")]
    ReviewBeforeReviewed {
        next: String,
        reviewed: String,
        position: Position,
    },
    #[error("the alias {alias:?} is not a path on this site")]
    BadAlias { alias: String, position: Position },
    #[error("the template name {name:?} must be a file name such as \"page.html\"")]
    BadTemplateName { name: String, position: Position },
    #[error("the source's address {url:?} is not a web address")]
    BadSourceUrl { url: String, position: Position },
    #[error("the word {term:?} in 'also_known_as' is empty or leads to an empty heading id")]
    EmptyAlsoKnownAs { term: String, position: Position },
    #[error("an entry in 'also_known_as' is {shape}, not a word")]
    AlsoKnownAsNotAWord {
        shape: &'static str,
        position: Position,
    },
    #[error("the word {term:?} in 'also_known_as' leads to {shape}, not to a heading's id")]
    AlsoKnownAsNotAHeading {
        term: String,
        shape: &'static str,
        position: Position,
    },
    #[error("only a translation has 'translation', and this page is in the site's own language")]
    TranslationOfOriginal { position: Position },
}

impl StageError for FrontMatterError {
    fn position(&self) -> Option<Position> {
        use FrontMatterError::*;
        match self {
            MissingFence | MissingOpeningFence | Empty => Some(Position { line: 1, col: 1 }),
            UnclosedFence { position }
            | Yaml { position, .. }
            | MissingKey { position, .. }
            | EmptyValue { position, .. }
            | BadDate { position, .. }
            | ReviewBeforeReviewed { position, .. }
            | BadAlias { position, .. }
            | BadTemplateName { position, .. }
            | BadSourceUrl { position, .. }
            | EmptyAlsoKnownAs { position, .. }
            | AlsoKnownAsNotAWord { position, .. }
            | AlsoKnownAsNotAHeading { position, .. }
            | TranslationOfOriginal { position } => Some(*position),
        }
    }

    fn hint(&self) -> Option<String> {
        use FrontMatterError::*;
        Some(match self {
            MissingFence => "start the file with a line `---`, then `title: ...` and `description: ...`, then another `---`".into(),
            Empty => "write the page, starting with a line `---`, then `title: ...` and `description: ...`, then another `---`; `tellyou new` writes one for you".into(),
            MissingOpeningFence => "add a line with just `---` above the first line".into(),
            UnclosedFence { .. } => "add a line with just `---` above this line, after the last front matter key".into(),
            Yaml { hint, .. } => return hint.clone(),
            MissingKey { key: "title", .. } => "add a line such as `title: Soothing a crying baby`".into(),
            MissingKey { .. } => "add a line such as `description: Calm ways to comfort your baby when they cry.`".into(),
            EmptyValue { .. } => "write the text after the colon".into(),
            BadDate { .. } => "write dates as year-month-day, such as 2026-11-22".into(),
            ReviewBeforeReviewed { .. } => "the next review comes after the last one".into(),
            BadAlias { .. } => "write an old address of this page from the site root, such as /crying-baby/".into(),
            BadTemplateName { .. } => "name a file in templates/ or the theme's templates, without a folder".into(),
            BadSourceUrl { .. } => "write the whole address of the page you used, starting with https://".into(),
            EmptyAlsoKnownAs { .. } => "write a word, such as `- colic`, or a word and the id of a heading on this page, such as `- fever: \"#high-temperature\"`".into(),
            AlsoKnownAsNotAWord { .. } => "write one word or phrase on each line, such as `- settling a baby`, or a word and the id of a heading on this page, such as `- fever: \"#high-temperature\"`".into(),
            AlsoKnownAsNotAHeading { term, .. } => format!("write the id of one heading on this page after the colon, such as `- {term}: \"#colic\"`; for a word that leads to two headings, write it twice"),
            TranslationOfOriginal { .. } => "remove it, or name the file after its language, such as soothing.pl.md for Polish".into(),
        })
    }
}
