//! Review dates: every page says when it was last reviewed, when it is next due and
//! where its facts come from. A review date that has passed fails the build; one
//! that is close is a warning. Uses `config`, `page`, `calendar` and `error`.

use crate::config::CheckSettings;
use crate::model::page::Page;
use crate::support::calendar;
use crate::support::calendar::Date;
use crate::support::calendar::format_date;
use crate::support::error::{Diagnostic, Position, Severity, StageError};

/// What can be wrong with a page's review dates and sources.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("this page was due for review on {due}, {days} day{s} ago", s = if *days == 1 { "" } else { "s" })]
    Overdue {
        due: String,
        days: i64,
        position: Position,
    },
    #[error("this page is due for review on {due}, in {days} day{s}", s = if *days == 1 { "" } else { "s" })]
    DueSoon {
        due: String,
        days: i64,
        position: Position,
    },
    #[error("this page has no '{key}'")]
    Missing {
        key: &'static str,
        severity: Severity,
        today: String,
        a_year_on: String,
    },
}

impl StageError for ReviewError {
    fn position(&self) -> Option<Position> {
        match self {
            ReviewError::Overdue { position, .. } | ReviewError::DueSoon { position, .. } => {
                Some(*position)
            }
            // The front matter's first line, where the key would be added.
            ReviewError::Missing { .. } => Some(Position { line: 1, col: 1 }),
        }
    }

    fn severity(&self) -> Severity {
        match self {
            ReviewError::Overdue { .. } => Severity::Error,
            ReviewError::DueSoon { .. } => Severity::Warning,
            ReviewError::Missing { severity, .. } => *severity,
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            ReviewError::Overdue { .. } | ReviewError::DueSoon { .. } => {
                "check the page against its sources, then set `reviewed` to the day you checked it and `next_review` to a date no more than a year on".into()
            }
            ReviewError::Missing { key: "reviewed", today, .. } => {
                format!("add the day the page was last checked, such as `reviewed: {today}`")
            }
            ReviewError::Missing { key: "next_review", a_year_on, .. } => {
                format!("add when it is next due, such as `next_review: {a_year_on}`")
            }
            ReviewError::Missing { .. } => {
                "list the documents its facts come from under `sources:`, each with a `title:` and a `url:`".into()
            }
        })
    }
}

/// Checks one page's review dates against `today`.
pub fn check(page: &Page, today: Date, settings: &CheckSettings) -> Vec<Diagnostic> {
    let front = &page.front;
    let mut errors = Vec::new();
    let mut missing = |key| {
        if let Some(severity) = settings.missing_review {
            errors.push(ReviewError::Missing {
                key,
                severity,
                today: format_date(today),
                a_year_on: format_date(calendar::a_year_after(today)),
            });
        }
    };
    // A value that could not be read has been reported where it is written.
    if front.reviewed.is_none() && front.knows("reviewed") {
        missing("reviewed");
    }
    if front.sources.is_empty() && front.knows("sources") {
        missing("sources");
    }
    match front.next_review {
        None if front.knows("next_review") => missing("next_review"),
        None => {}
        Some(due) => {
            let days = calendar::days_between(today, due);
            let position = front
                .key_positions
                .get("next_review")
                .copied()
                .unwrap_or(Position { line: 1, col: 1 });
            let due = calendar::in_words(due);
            if days < 0 {
                errors.push(ReviewError::Overdue {
                    due,
                    days: -days,
                    position,
                });
            } else if days <= settings.review_warning_days {
                errors.push(ReviewError::DueSoon {
                    due,
                    days,
                    position,
                });
            }
        }
    }
    errors
        .iter()
        .map(|e| e.to_diagnostic(&page.source.display_path, Some(&page.source.text)))
        .collect()
}
