//! Translations: each translated page says which version of its page it was made
//! from, and who checked it. A translation with care cards that no one has assured
//! is an error, since its advice on when to call 999 or 111 has not been checked;
//! one without care cards gets a warning. A translation made from an older version
//! of its page is out of step: a warning at once, and an error once it has been
//! out of step longer than the site allows. Also lists every translation's state
//! for `tellyou translations`. Uses `site`, `page`, `config`, `calendar` and
//! `error`.

pub use crate::model::site::fingerprint;

use crate::config::Config;
use crate::model::page::RenderedPage;
use crate::model::site::{Site, TranslationState};
use crate::support::calendar::{self, Date, format_date};
use crate::support::error::{Diagnostic, Position, Severity, StageError};

/// What can be wrong with a translation.
#[derive(Debug, thiserror::Error)]
pub enum TranslationError {
    #[error("this translation does not say which version of {original} it was made from")]
    NoRecord {
        original: String,
        fingerprint: String,
        position: Position,
    },
    #[error(
        "this translation has care cards, and no one has said they checked it against {original}"
    )]
    UnassuredCareCards {
        original: String,
        /// Warned of only, in a build with drafts.
        as_draft: bool,
        position: Position,
    },
    #[error("no one has said they checked this translation against {original}")]
    Unassured {
        original: String,
        position: Position,
    },
    #[error(
        "{original} has changed since this translation was made from it (out of step since {}, {days} days ago)",
        calendar::in_words(*since)
    )]
    OutOfStep {
        original: String,
        fingerprint: String,
        since: Date,
        days: i64,
        /// How many days a translation may be out of step before it is an error.
        allowed: i64,
        position: Position,
    },
}

impl StageError for TranslationError {
    fn position(&self) -> Option<Position> {
        match self {
            TranslationError::NoRecord { position, .. }
            | TranslationError::UnassuredCareCards { position, .. }
            | TranslationError::Unassured { position, .. }
            | TranslationError::OutOfStep { position, .. } => Some(*position),
        }
    }

    fn severity(&self) -> Severity {
        match self {
            TranslationError::UnassuredCareCards { as_draft: true, .. }
            | TranslationError::Unassured { .. } => Severity::Warning,
            TranslationError::OutOfStep { days, allowed, .. } if days <= allowed => {
                Severity::Warning
            }
            _ => Severity::Error,
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            TranslationError::NoRecord { fingerprint, .. } => format!(
                "add `translation:` to the front matter, with `from: {fingerprint}` (the page as it is now), then `assured_by:` and `assured_on:` once someone has checked it"
            ),
            TranslationError::UnassuredCareCards { as_draft: true, .. } => {
                "it is shown only because this build has drafts: a clinician checks it against the English page, then add `assured_by:` (their name or role) and `assured_on:` under `translation:`".into()
            }
            TranslationError::UnassuredCareCards { .. } => {
                "a clinician checks the translation against the English page, then add `assured_by:` (their name or role) and `assured_on:` (the date) under `translation:`; until then it is published only with --drafts".into()
            }
            TranslationError::Unassured { .. } => {
                "once someone has checked it against the English page, add `assured_by:` (their name or role) and `assured_on:` under `translation:`".into()
            }
            TranslationError::OutOfStep {
                fingerprint,
                days,
                allowed,
                ..
            } => {
                let when = if days > allowed {
                    format!("it has been out of step for more than {allowed} days, so the build stops")
                } else {
                    format!("the build stops if it is still out of step after {allowed} days")
                };
                format!(
                    "bring the translation in step with the page and have it checked again, then write `from: {fingerprint}` and the new `assured_on:`; {when}"
                )
            }
        })
    }
}

/// Checks every translation in the site: its record, its assurance, and whether it
/// is in step with its page. `rendered[i]` is page `i`'s markdown.
pub fn check(
    site: &Site,
    rendered: &[std::sync::Arc<RenderedPage>],
    config: &Config,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for (index, rendered) in rendered.iter().enumerate() {
        let Some(state) = site.translation_state(index) else {
            continue;
        };
        let page = &site.pages[index];
        let original = site.pages[state.original]
            .source
            .display_path
            .to_string_lossy()
            .into_owned();
        let at_key = page
            .front
            .key_positions
            .get("translation")
            .copied()
            .unwrap_or(Position { line: 1, col: 1 });
        let mut found = Vec::new();
        let record = page.front.translation.as_ref();
        let unrecorded = record.and_then(|r| r.from.as_ref()).is_none();
        if unrecorded && page.front.knows("translation") {
            found.push(TranslationError::NoRecord {
                original: original.clone(),
                fingerprint: state.fingerprint.clone(),
                position: at_key,
            });
        } else if !state.in_step && page.front.knows("translation") {
            let since = out_of_step_since(site, index, &state, config.today);
            found.push(TranslationError::OutOfStep {
                original: original.clone(),
                fingerprint: state.fingerprint.clone(),
                since,
                days: calendar::days_between(since, config.today),
                allowed: config.site.check.stale_translation_days,
                position: at_key,
            });
        }
        let first_card = rendered.blocks.iter().find(|b| b.urgency.is_some());
        // A translation with no record at all has been told what to add.
        // A record with a mistake has been reported where it is.
        match first_card {
            _ if state.assured || !page.front.knows("translation") => {}
            Some(card) => found.push(TranslationError::UnassuredCareCards {
                original,
                as_draft: config.drafts,
                position: card.opened_at,
            }),
            None if record.is_none() => {}
            None => found.push(TranslationError::Unassured {
                original,
                position: at_key,
            }),
        }
        diagnostics.extend(
            found
                .iter()
                .map(|e| e.to_diagnostic(&page.source.display_path, Some(&page.source.text))),
        );
    }
    diagnostics
}

/// Since when translation `index` has been out of step with its page, as far as
/// the pages tell: the page changed after the translation was checked, so no
/// earlier than `assured_on`, and most likely when the page was last reviewed, if
/// that is later. With neither date, from today.
pub fn out_of_step_since(site: &Site, index: usize, state: &TranslationState, today: Date) -> Date {
    let assured_on = (site.pages[index].front.translation.as_ref()).and_then(|r| r.assured_on);
    let reviewed = site.pages[state.original].front.reviewed;
    match (assured_on, reviewed) {
        (Some(assured), Some(reviewed)) => assured.max(reviewed),
        (Some(date), None) | (None, Some(date)) => date,
        (None, None) => today,
    }
}

/// Where a page stands in one language, for `tellyou translations`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Standing {
    /// Made from the page as it is now, and assured.
    UpToDate,
    /// Made from an older version of the page: since when, and whether for longer
    /// than the site allows.
    OutOfStep {
        since: String,
        days: i64,
        overdue: bool,
        assured: bool,
    },
    /// Made from the page as it is now, but no one has said they checked it.
    NotAssured,
    /// It does not say which version of the page it was made from.
    NoRecord,
    /// The page has no translation into this language.
    Missing,
}

/// One page of the site's own language, and its translation into one language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PageStanding {
    /// The page in the site's own language, as `content/crying/soothing.md`.
    pub page: String,
    /// Its translation, if it has one.
    pub translation: Option<String>,
    /// Whether the translation has care cards.
    pub clinical: bool,
    #[serde(flatten)]
    pub standing: Standing,
}

/// Every page's standing in one language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LanguageStanding {
    pub code: String,
    pub name: String,
    pub pages: Vec<PageStanding>,
}

impl LanguageStanding {
    /// How many pages are in each standing but up to date and missing: those that
    /// need someone to act.
    pub fn needing_work(&self) -> usize {
        (self.pages.iter())
            .filter(|p| !matches!(p.standing, Standing::UpToDate | Standing::Missing))
            .count()
    }
}

/// Where every page of the site's own language stands in each of its languages.
pub fn standings(
    site: &Site,
    rendered: &[std::sync::Arc<RenderedPage>],
    config: &Config,
) -> Vec<LanguageStanding> {
    let shown = |index: usize| site.pages[index].source.shown_path();
    let originals: Vec<usize> = (0..site.pages.len())
        .filter(|&index| site.language(index).is_none())
        .collect();
    let standing_of = |translation: usize, state: &TranslationState| {
        let record = site.pages[translation].front.translation.as_ref();
        if record.and_then(|r| r.from.as_ref()).is_none() {
            return Standing::NoRecord;
        }
        if !state.in_step {
            let since = out_of_step_since(site, translation, state, config.today);
            let days = calendar::days_between(since, config.today);
            return Standing::OutOfStep {
                since: format_date(since),
                days,
                overdue: days > config.site.check.stale_translation_days,
                assured: state.assured,
            };
        }
        if state.assured {
            Standing::UpToDate
        } else {
            Standing::NotAssured
        }
    };
    (config.site.languages.iter())
        .map(|language| {
            let pages = (originals.iter())
                .map(|&original| {
                    let translation = site.translation(original, &language.code);
                    let state = translation.and_then(|t| Some((t, site.translation_state(t)?)));
                    PageStanding {
                        page: shown(original),
                        translation: translation.map(shown),
                        clinical: translation.is_some_and(|t| {
                            rendered[t].blocks.iter().any(|b| b.urgency.is_some())
                        }),
                        standing: match &state {
                            Some((t, state)) => standing_of(*t, state),
                            None => Standing::Missing,
                        },
                    }
                })
                .collect();
            LanguageStanding {
                code: language.code.clone(),
                name: language.name.clone(),
                pages,
            }
        })
        .collect()
}

/// The standings as people read them: each language, with how many of its pages
/// are translated and need work, then each page.
pub fn human(standings: &[LanguageStanding]) -> String {
    let mut out = String::new();
    if standings.is_empty() {
        out.push_str(
            "The site has no languages besides its own: site.yaml lists none in `languages:`.\n",
        );
    }
    for language in standings {
        let translated = (language.pages.iter())
            .filter(|p| p.translation.is_some())
            .count();
        out.push_str(&format!(
            "{} ({}): {translated} of {} pages translated, {} needing work\n",
            language.name,
            language.code,
            language.pages.len(),
            language.needing_work()
        ));
        for page in &language.pages {
            let (what, note) = match &page.standing {
                Standing::UpToDate => ("up to date", String::new()),
                Standing::OutOfStep {
                    since,
                    days,
                    overdue,
                    ..
                } => (
                    "out of step",
                    format!(
                        " since {}, {days} days{}",
                        calendar::parse_date(since)
                            .map_or_else(|| since.clone(), calendar::in_words),
                        if *overdue {
                            ", too long: the build stops"
                        } else {
                            ""
                        }
                    ),
                ),
                Standing::NotAssured if page.clinical => (
                    "not assured",
                    " (it has care cards: the build stops)".to_owned(),
                ),
                Standing::NotAssured => ("not assured", String::new()),
                Standing::NoRecord => ("no record", " of the version it was made from".to_owned()),
                Standing::Missing => ("missing", String::new()),
            };
            let file = page.translation.as_deref().unwrap_or(&page.page);
            out.push_str(&format!("  {what:<12} {file}{note}\n"));
        }
        out.push('\n');
    }
    out
}

/// The standings as JSON, for dashboards.
pub fn json(standings: &[LanguageStanding]) -> String {
    let document = serde_json::json!({ "format_version": 1, "languages": standings });
    serde_json::to_string_pretty(&document).unwrap_or_default()
}
