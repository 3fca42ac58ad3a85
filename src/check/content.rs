//! Accessible content: every image has alt text or is declared decorative, headings
//! go in order below the page title and are statements rather than questions, link
//! text says where the link goes, tables have a header row, and a care card's
//! heading says what to do "if:" and is followed by a list. Uses `page` and
//! `error`.

use crate::model::page::DECORATIVE;
use crate::model::page::{LinkTarget, Page, RenderedPage};
use crate::support::error::{Diagnostic, Position, Severity, StageError};

/// What can be wrong with a page's content for people who use assistive technology.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    #[error("this image has no alt text")]
    ImageWithoutAlt { position: Position },
    #[error("this page has a level 1 heading in its text; the page title is its only h1")]
    SecondH1 { position: Position },
    #[error("this heading is a question")]
    QuestionHeading { position: Position },
    #[error("this heading skips from level {from} to level {to}")]
    SkippedLevel {
        from: u8,
        to: u8,
        position: Position,
    },
    #[error("the link text {text:?} does not say where the link goes")]
    VagueLinkText { text: String, position: Position },
    #[error("the link text is a web address")]
    AddressAsLinkText { position: Position },
    #[error("this table has no header row")]
    TableWithoutHeader { position: Position },
    #[error(
        "a care card's heading says what to do and ends with \"if:\", or \"if\" and who it is about, such as \"if you:\", \"if your baby:\", \"if your child:\" or \"if they:\""
    )]
    CardHeadingNotAction {
        kind: &'static str,
        heading: String,
        position: Position,
    },
    #[error("a care card's heading is followed by a list of signs")]
    CardWithoutList { position: Position },
    #[error("this page has no text under its front matter")]
    NoText { position: Position },
}

impl StageError for ContentError {
    fn position(&self) -> Option<Position> {
        match self {
            ContentError::ImageWithoutAlt { position }
            | ContentError::SecondH1 { position }
            | ContentError::QuestionHeading { position }
            | ContentError::SkippedLevel { position, .. }
            | ContentError::VagueLinkText { position, .. }
            | ContentError::AddressAsLinkText { position }
            | ContentError::TableWithoutHeader { position }
            | ContentError::CardHeadingNotAction { position, .. }
            | ContentError::CardWithoutList { position }
            | ContentError::NoText { position } => Some(*position),
        }
    }

    fn severity(&self) -> Severity {
        match self {
            ContentError::VagueLinkText { .. }
            | ContentError::AddressAsLinkText { .. }
            | ContentError::QuestionHeading { .. }
            | ContentError::NoText { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            ContentError::ImageWithoutAlt { .. } => format!(
                "say what the image shows in the brackets: ![A dad holding his baby close](cuddle.jpg); if it only decorates, write ![{DECORATIVE}](border.png)"
            ),
            ContentError::SecondH1 { .. } => "start the page's headings at level 2: ## Heading".into(),
            ContentError::QuestionHeading { .. } => {
                "say what the section tells the reader, such as 'Signs your baby needs a break' rather than 'Does my baby need a break?'".into()
            }
            ContentError::SkippedLevel { from, .. } => format!(
                "use a level {} heading here ({}), or add the level between",
                from + 1,
                "#".repeat(usize::from(*from) + 1)
            ),
            ContentError::VagueLinkText { .. } => {
                "use the name of the page or what it is for, such as [how to soothe a crying baby](soothing.md)".into()
            }
            ContentError::AddressAsLinkText { .. } => {
                "use the name of the page, such as [the Cry-sis helpline](https://www.cry-sis.org.uk)".into()
            }
            ContentError::TableWithoutHeader { .. } => {
                "write what each column holds in the table's first row".into()
            }
            ContentError::CardHeadingNotAction { kind, heading, .. } => format!(
                "say what to do, then who the signs below are about, such as '::: {kind} {} if your baby:'",
                heading.trim_end_matches([':', ' '])
            ),
            ContentError::CardWithoutList { .. } => {
                "put the signs to look out for in a list straight after the heading, one per line starting with '- '".into()
            }
            ContentError::NoText { .. } => {
                "write the page under the front matter's closing `---`, or mark it `draft: true` until it is ready".into()
            }
        })
    }
}

/// Link text that does not make sense out of context, as a screen reader's list of
/// links reads it.
const VAGUE_LINK_TEXT: &[&str] = &[
    "here",
    "click here",
    "click",
    "read more",
    "more",
    "more info",
    "more information",
    "learn more",
    "find out more",
    "link",
    "this link",
    "this page",
    "this",
    "go",
    "see here",
];

/// How many characters the longest of [`VAGUE_LINK_TEXT`] has: they are ASCII, one
/// byte a character.
const LONGEST_VAGUE_LINK_TEXT: usize = {
    let (mut longest, mut i) = (0, 0);
    while i < VAGUE_LINK_TEXT.len() {
        if VAGUE_LINK_TEXT[i].len() > longest {
            longest = VAGUE_LINK_TEXT[i].len();
        }
        i += 1;
    }
    longest
};

/// Checks one page's content.
/// The forms of care card headings are English ones: `in_english` is false for a
/// translation, whose headings are not held to them.
pub fn check(page: &Page, rendered: &RenderedPage, in_english: bool) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    check_links(rendered, &mut errors);

    if page.front.title.trim_end().ends_with('?') {
        let position = page.front.key_positions.get("title").copied();
        errors.extend(position.map(|position| ContentError::QuestionHeading { position }));
    }
    // A section's page lists the guide's pages, so it needs no text of its own.
    // An empty file, or one too deeply nested to read, has been reported already.
    if !page.source.is_section
        && rendered.complete
        && rendered.html.trim().is_empty()
        && !page.source.text.trim().is_empty()
    {
        let line = page.source.text[..page.front.body_start.min(page.source.text.len())]
            .lines()
            .count()
            .max(1);
        errors.push(ContentError::NoText {
            position: Position { line, col: 1 },
        });
    }
    check_headings(rendered, &mut errors);

    for table in rendered.tables.iter().filter(|t| !t.has_header) {
        errors.push(ContentError::TableWithoutHeader {
            position: table.position,
        });
    }

    check_cards(rendered, in_english, &mut errors);

    errors
        .iter()
        .map(|e| e.to_diagnostic(&page.source.display_path, Some(&page.source.text)))
        .collect()
}

/// Images without alt text, and links whose text does not say where they go.
fn check_links(rendered: &RenderedPage, errors: &mut Vec<ContentError>) {
    for link in &rendered.links {
        let text = link.text.trim();
        let position = link.position;
        if link.is_image {
            if text.is_empty() && !link.decorative {
                errors.push(ContentError::ImageWithoutAlt { position });
            }
            continue;
        }
        if is_vague(text) {
            errors.push(ContentError::VagueLinkText {
                text: text.to_owned(),
                position,
            });
        } else if looks_like_address(text)
            || matches!(&link.target, LinkTarget::External { url } if url.trim_end_matches('/') == text.trim_end_matches('/'))
        {
            errors.push(ContentError::AddressAsLinkText { position });
        }
    }
}

/// Whether a link's text says nothing of where it goes, as "click here" does.
fn is_vague(text: &str) -> bool {
    let text = text.trim_end_matches(['.', ':', '!']);
    // Lowercase text has at least as many characters, so a text longer than every
    // vague one is not one of them, and is not copied to be compared.
    if text.chars().count() > LONGEST_VAGUE_LINK_TEXT {
        return false;
    }
    let plain = text.to_lowercase().replace('\u{2019}', "'");
    VAGUE_LINK_TEXT.contains(&plain.as_str())
}

/// Headings that ask questions, a second level-1 heading, and skipped levels.
fn check_headings(rendered: &RenderedPage, errors: &mut Vec<ContentError>) {
    let mut previous = 1;
    for heading in &rendered.headings {
        if heading.text.trim_end().ends_with('?') {
            errors.push(ContentError::QuestionHeading {
                position: heading.position,
            });
        }
        if heading.level == 1 {
            errors.push(ContentError::SecondH1 {
                position: heading.position,
            });
        } else if heading.level > previous + 1 {
            errors.push(ContentError::SkippedLevel {
                from: previous,
                to: heading.level,
                position: heading.position,
            });
        }
        previous = heading.level;
    }
}

/// Care cards whose heading is not a call to action, or that do not start with a
/// list.
fn check_cards(rendered: &RenderedPage, in_english: bool, errors: &mut Vec<ContentError>) {
    for block in rendered.blocks.iter().filter(|b| b.urgency.is_some()) {
        if block.heading.is_empty() {
            // Rendering has reported a card without a heading already.
            continue;
        }
        if in_english && !is_call_to_action(&block.heading) {
            errors.push(ContentError::CardHeadingNotAction {
                kind: block.kind,
                heading: block.heading.clone(),
                position: block.position,
            });
        }
        if !block.starts_with_list {
            errors.push(ContentError::CardWithoutList {
                position: block.position,
            });
        }
    }
}

/// Whether a care card's heading ends as the NHS forms do: "if:", or "if" and
/// who the list is about, such as "if you:" or "if your baby:".
fn is_call_to_action(heading: &str) -> bool {
    let Some(lead_in) = heading.trim_end().strip_suffix(':') else {
        return false;
    };
    let words: Vec<&str> = lead_in.split_whitespace().collect();
    let who_at_most = 4;
    words
        .iter()
        .rev()
        .take(who_at_most + 1)
        .any(|word| word.eq_ignore_ascii_case("if"))
}

fn looks_like_address(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.")
}

#[cfg(test)]
mod tests {
    use super::{LONGEST_VAGUE_LINK_TEXT, VAGUE_LINK_TEXT, is_call_to_action, is_vague};

    #[test]
    fn link_texts_that_say_nothing_of_where_they_go_are_vague_in_any_case() {
        for vague in [
            "here",
            "Click here.",
            "MORE INFORMATION:",
            "Find out more!",
            "ThIs PaGe",
        ] {
            assert!(is_vague(vague), "{vague}");
        }
        for clear in [
            "Feeding your baby",
            "more information about crying",
            "Here’s how",
        ] {
            assert!(!is_vague(clear), "{clear}");
        }
        let longest = VAGUE_LINK_TEXT
            .iter()
            .map(|text| text.chars().count())
            .max();
        assert_eq!(longest, Some(LONGEST_VAGUE_LINK_TEXT));
    }

    #[test]
    fn care_card_headings_end_in_if_and_who_the_list_is_about() {
        for heading in [
            "Call 999 or go to A&E now if:",
            "Call 999 or go to A&E now if you:",
            "Call 999 or go to A&E now if your baby:",
            "Ask for an urgent GP appointment or call 111 if you or your partner:",
            "Speak to a GP if: ",
            "Call 999 if your child:",
            "Call 111 if they:",
        ] {
            assert!(is_call_to_action(heading), "{heading}");
        }
        for heading in [
            "Call 999",
            "When to call 999:",
            "Call 999 if your baby has any of the signs below:",
            "If in doubt",
        ] {
            assert!(!is_call_to_action(heading), "{heading}");
        }
    }
}
