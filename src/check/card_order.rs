//! Care cards in order of urgency: a worried parent reads the first card first, so on
//! a page with more than one care card the most urgent comes first: `emergency` (999),
//! then `urgent` (111), then `non-urgent`. A card that comes after a less urgent one
//! is a warning at its `:::` line. Callouts (`warning`, `info`, `do`, `dont`) do not
//! count. Uses `page` and `error`.

use crate::model::page::{Page, RenderedPage, Urgency};
use crate::support::error::{Diagnostic, Position, Severity, StageError};

/// What can be wrong with the order of a page's care cards.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardOrderError {
    #[error(
        "this {} care card comes after a {} care card on line {earlier_line}; put the most urgent card first",
        name(*urgency),
        less_urgent_name(*earlier)
    )]
    AfterLessUrgent {
        urgency: Urgency,
        earlier: Urgency,
        earlier_line: usize,
        position: Position,
    },
}

impl StageError for CardOrderError {
    fn position(&self) -> Option<Position> {
        match self {
            CardOrderError::AfterLessUrgent { position, .. } => Some(*position),
        }
    }

    fn severity(&self) -> Severity {
        Severity::Warning
    }

    fn hint(&self) -> Option<String> {
        match self {
            CardOrderError::AfterLessUrgent {
                urgency, earlier, ..
            } => Some(format!(
                "a worried parent reads the first card first: move the {} card above the {} one",
                kind(*urgency),
                kind(*earlier)
            )),
        }
    }
}

/// A care card's urgency as a parent knows it: by the number to call.
fn name(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::Emergency => "999",
        Urgency::Urgent => "111",
        Urgency::NonUrgent => "non-urgent",
    }
}

/// A care card's kind as an editor writes it after `:::`.
fn kind(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::Emergency => "emergency",
        Urgency::Urgent => "urgent",
        Urgency::NonUrgent => "non-urgent",
    }
}

/// [`name`], saying that it is less urgent where the name does not say so itself.
fn less_urgent_name(urgency: Urgency) -> String {
    match urgency {
        Urgency::NonUrgent => name(urgency).to_owned(),
        _ => format!("less urgent {}", name(urgency)),
    }
}

/// Checks the order of one page's care cards.
pub fn check(page: &Page, rendered: &RenderedPage) -> Vec<Diagnostic> {
    let cards: Vec<(Urgency, Position)> = rendered
        .blocks
        .iter()
        .filter_map(|block| Some((block.urgency?, block.opened_at)))
        .collect();
    let urgencies: Vec<Urgency> = cards.iter().map(|(urgency, _)| *urgency).collect();
    out_of_order(&urgencies)
        .into_iter()
        .map(|(later, earlier)| {
            let (urgency, position) = cards[later];
            let (earlier, earlier_at) = cards[earlier];
            CardOrderError::AfterLessUrgent {
                urgency,
                earlier,
                earlier_line: earlier_at.line,
                position,
            }
            .to_diagnostic(&page.source.display_path, Some(&page.source.text))
        })
        .collect()
}

/// Each card, by its place in `urgencies`, that comes after a less urgent one, with
/// the first less urgent card before it: the one it needs to move above.
fn out_of_order(urgencies: &[Urgency]) -> Vec<(usize, usize)> {
    // Where each urgency, least urgent first, is first seen.
    let mut first_seen: [Option<usize>; 3] = [None; 3];
    let mut found = Vec::new();
    for (index, &urgency) in urgencies.iter().enumerate() {
        let less_urgent = &first_seen[..urgency as usize];
        if let Some(earlier) = less_urgent.iter().flatten().min() {
            found.push((index, *earlier));
        }
        first_seen[urgency as usize].get_or_insert(index);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use Urgency::{Emergency, NonUrgent, Urgent};

    #[test]
    fn cards_from_most_to_least_urgent_are_in_order() {
        for order in [
            &[][..],
            &[Urgent],
            &[Emergency, Urgent, NonUrgent],
            &[Emergency, Emergency, Urgent, Urgent, NonUrgent],
            &[Emergency, NonUrgent],
            &[Urgent, NonUrgent, NonUrgent],
        ] {
            assert!(out_of_order(order).is_empty(), "{order:?}");
        }
    }

    #[test]
    fn a_card_after_a_less_urgent_one_is_found_with_the_first_less_urgent_card() {
        assert_eq!(out_of_order(&[Urgent, Emergency]), [(1, 0)]);
        assert_eq!(out_of_order(&[NonUrgent, Urgent]), [(1, 0)]);
        assert_eq!(out_of_order(&[NonUrgent, Emergency]), [(1, 0)]);
        // Each card that is out of order, each against the first card it must
        // move above.
        assert_eq!(
            out_of_order(&[NonUrgent, Urgent, Emergency]),
            [(1, 0), (2, 0)]
        );
        assert_eq!(
            out_of_order(&[Emergency, Urgent, NonUrgent, Emergency, Urgent]),
            [(3, 1), (4, 2)]
        );
        assert_eq!(out_of_order(&[Urgent, NonUrgent, Emergency]), [(2, 0)]);
    }

    #[test]
    fn the_message_names_the_cards_by_the_number_to_call() {
        let error = |urgency, earlier| CardOrderError::AfterLessUrgent {
            urgency,
            earlier,
            earlier_line: 12,
            position: Position { line: 20, col: 1 },
        };
        let first = error(Emergency, Urgent);
        assert_eq!(
            first.to_string(),
            "this 999 care card comes after a less urgent 111 care card on line 12; put the most urgent card first"
        );
        assert_eq!(
            first.hint().as_deref(),
            Some(
                "a worried parent reads the first card first: move the emergency card above the urgent one"
            )
        );
        assert_eq!(
            error(Urgent, NonUrgent).to_string(),
            "this 111 care card comes after a non-urgent care card on line 12; put the most urgent card first"
        );
    }
}
