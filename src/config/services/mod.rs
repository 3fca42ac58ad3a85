//! A council's services from its Open Referral UK feed: the snapshot
//! `councils/<slug>/services.json` that `tellyou services pull` writes and the
//! council commits. Each record is read from whichever shape the feed uses and
//! checked as a council file's values are; a record with a mistake is reported
//! with its id, its name and the field, and is used without that field or left
//! out, never trusted. Builds read the snapshot and never the feed. Uses
//! `calendar` and `error`, with serde_json and its own modules.

pub mod changes;
mod check;
pub mod description;
pub mod record;

use serde_json::Value;

pub use check::FeedService;
use record::Record;

use crate::support::calendar::{self, Date};
use crate::support::error::{Position, Severity, StageError};

/// What the snapshot's first key says it is.
pub const FORMAT: &str = "tellyou-oruk-snapshot/1";
/// The snapshot's name in a council's folder.
pub const FILE_NAME: &str = "services.json";
/// How many months a snapshot is trusted when the council file does not say.
pub const DEFAULT_MONTHS_TRUSTED: u32 = 3;

/// A council's snapshot, as a council file's picks see it.
#[derive(Debug, Clone, Copy)]
pub enum SnapshotState<'a> {
    /// The council has none.
    Missing,
    /// It has one that cannot be read, which has been reported.
    Unreadable,
    Read(&'a Snapshot),
}

impl<'a> SnapshotState<'a> {
    pub fn read(&self) -> Option<&'a Snapshot> {
        match self {
            SnapshotState::Read(snapshot) => Some(snapshot),
            _ => None,
        }
    }
}

/// A feed as pulled: when, from where, and its services in the order of their ids.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// When it was pulled, as written: `2026-12-04T15:20:00Z`.
    pub pulled_at: String,
    pub pulled_on: Date,
    pub source: String,
    pub records: Vec<Record>,
    /// Where each record starts in the text, for diagnostics.
    starts: Vec<usize>,
    text: String,
}

/// What can be wrong with a snapshot or one of its records.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FeedError {
    #[error("the snapshot cannot be read: {message}")]
    Unreadable { message: String, position: Position },
    #[error("this is not a snapshot of services: {problem}")]
    NotASnapshot { problem: String },
    #[error("the service {name:?} has no id, so it cannot be picked")]
    WithoutId { name: String, position: Position },
    #[error("two services have the id {id:?}; the first is used")]
    DuplicateId { id: String, position: Position },
    #[error("the service {id} has no name, so it is left out")]
    WithoutName { id: String, position: Position },
    #[error("the service {id} ({name}) has no description")]
    WithoutDescription {
        id: String,
        name: String,
        position: Position,
    },
    #[error("the service {id} ({name}) is {status:?}, not active")]
    NotActive {
        id: String,
        name: String,
        status: String,
        position: Position,
    },
    #[error(
        "the service {id} ({name}) has a bad {field}: {value:?} {problem}; it is shown without it"
    )]
    BadField {
        id: String,
        name: String,
        field: &'static str,
        value: String,
        problem: String,
        position: Position,
    },
    #[error(
        "the services were pulled from the feed on {pulled}; they were due to be pulled again by {due}"
    )]
    Stale {
        pulled: String,
        due: String,
        slug: String,
        position: Position,
    },
}

impl StageError for FeedError {
    fn position(&self) -> Option<Position> {
        match self {
            FeedError::NotASnapshot { .. } => None,
            FeedError::Unreadable { position, .. }
            | FeedError::WithoutId { position, .. }
            | FeedError::DuplicateId { position, .. }
            | FeedError::WithoutName { position, .. }
            | FeedError::WithoutDescription { position, .. }
            | FeedError::NotActive { position, .. }
            | FeedError::BadField { position, .. }
            | FeedError::Stale { position, .. } => Some(*position),
        }
    }

    fn severity(&self) -> Severity {
        match self {
            FeedError::Unreadable { .. } | FeedError::NotASnapshot { .. } => Severity::Error,
            _ => Severity::Warning,
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            FeedError::Unreadable { .. } | FeedError::NotASnapshot { .. } => {
                "pull it again with `tellyou services pull`, which writes it whole".into()
            }
            FeedError::WithoutId { .. } | FeedError::DuplicateId { .. } => {
                "ask the directory's team to give every service its own id".into()
            }
            FeedError::WithoutName { .. } | FeedError::WithoutDescription { .. } => {
                "ask the directory's team to fill it in, or write it in the council file under the service's oruk_id".into()
            }
            FeedError::NotActive { .. } => {
                "check with the service; it is not shown until the directory marks it active".into()
            }
            FeedError::BadField { .. } => {
                "ask the directory's team to correct it, or write the right value in the council file under the service's oruk_id".into()
            }
            FeedError::Stale { slug, .. } => format!(
                "run `tellyou services pull --council {slug}` to bring the services up to date"
            ),
        })
    }
}

impl Snapshot {
    /// Reads a snapshot's `text`.
    pub fn read(text: &str) -> Result<Snapshot, Box<FeedError>> {
        let value: Value = serde_json::from_str(text).map_err(|error| {
            Box::new(FeedError::Unreadable {
                message: plain_json_error(&error),
                position: Position {
                    line: error.line().max(1),
                    col: error.column().max(1),
                },
            })
        })?;
        let not = |problem: &str| {
            Box::new(FeedError::NotASnapshot {
                problem: problem.to_owned(),
            })
        };
        if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
            return Err(not(&format!(
                "it does not start with \"format\": \"{FORMAT}\""
            )));
        }
        let pulled_at = (value.get("pulled_at").and_then(Value::as_str))
            .ok_or_else(|| not("it has no \"pulled_at\""))?;
        let pulled_on = (pulled_at.get(..10).and_then(calendar::parse_date))
            .ok_or_else(|| not("its \"pulled_at\" is not a date and time"))?;
        let Some(Value::Array(services)) = value.get("services") else {
            return Err(not("it has no list of \"services\""));
        };
        let records: Vec<Record> = services.iter().map(Record::read).collect();
        let starts = record_starts(text, &records);
        Ok(Snapshot {
            pulled_at: pulled_at.to_owned(),
            pulled_on,
            source: (value.get("source").and_then(Value::as_str))
                .unwrap_or_default()
                .to_owned(),
            records,
            starts,
            text: text.to_owned(),
        })
    }

    /// The record with `id`, and its index.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.records.iter().position(|record| record.id == id)
    }

    /// The records filed under the taxonomy term with this id or these words.
    pub fn filed_under(&self, term: &str) -> Vec<usize> {
        (0..self.records.len())
            .filter(|&index| {
                (self.records[index].terms.iter())
                    .any(|t| t.id == term || t.name.eq_ignore_ascii_case(term))
            })
            .collect()
    }

    /// The record at `index` as a council's site can show it, with what is wrong
    /// with it.
    pub fn checked(&self, index: usize) -> (FeedService, Vec<FeedError>) {
        check::record(&self.records[index], &|value: &str| {
            self.position_in(index, value)
        })
    }

    /// Every problem of every record: those without an id or with another's, those
    /// without a name or a description, those not active, and each bad value.
    pub fn problems(&self) -> Vec<FeedError> {
        let mut problems = Vec::new();
        for (index, record) in self.records.iter().enumerate() {
            let position = self.position_in(index, "");
            let (id, name) = (record.id.clone(), record.name.clone());
            if id.is_empty() {
                problems.push(FeedError::WithoutId { name, position });
                continue;
            }
            if self.records[..index].iter().any(|r| r.id == id) {
                problems.push(FeedError::DuplicateId { id, position });
                continue;
            }
            let (service, found) = self.checked(index);
            if name.is_empty() {
                problems.push(FeedError::WithoutName {
                    id: id.clone(),
                    position,
                });
            } else if service.description.is_empty() {
                let name = name.clone();
                problems.push(FeedError::WithoutDescription {
                    id: id.clone(),
                    name,
                    position,
                });
            }
            if !service.is_active() {
                let status = service.status;
                let name = if name.is_empty() {
                    "no name".into()
                } else {
                    name
                };
                problems.push(FeedError::NotActive {
                    id,
                    name,
                    status,
                    position,
                });
            }
            problems.extend(found);
        }
        problems
    }

    /// The reminder to pull again, when the snapshot is older than `months`.
    pub fn stale(&self, today: Date, months: u32, slug: &str) -> Option<FeedError> {
        let due = calendar::months_after(self.pulled_on, months);
        (today > due).then(|| FeedError::Stale {
            pulled: calendar::in_words(self.pulled_on),
            due: calendar::in_words(due),
            slug: slug.to_owned(),
            position: position_of(&self.text, self.text.find("\"pulled_at\"").unwrap_or(0)),
        })
    }

    /// Where the record at `index` starts.
    pub fn record_position(&self, index: usize) -> Position {
        self.position_in(index, "")
    }

    /// The snapshot's text, to quote in diagnostics.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where `value` is written in the record at `index`, or where the record
    /// starts.
    fn position_in(&self, index: usize, value: &str) -> Position {
        let start = self.starts.get(index).copied().unwrap_or(0);
        let end = self
            .starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.text.len());
        let literal = serde_json::to_string(value).unwrap_or_default();
        let found = (!value.is_empty())
            .then(|| self.text[start..end].find(&literal))
            .flatten()
            .map_or(start, |offset| start + offset);
        position_of(&self.text, found)
    }
}

/// Where each record starts: the first place its id, or else its name, is
/// written after the record before it.
fn record_starts(text: &str, records: &[Record]) -> Vec<usize> {
    let mut from = text.find("\"services\"").unwrap_or(0);
    let mut starts = Vec::with_capacity(records.len());
    for record in records {
        let key = if record.id.is_empty() {
            &record.name
        } else {
            &record.id
        };
        let literal = serde_json::to_string(key).unwrap_or_default();
        let bare = key.as_str();
        let found = (text[from..].find(&literal)).or_else(|| {
            (!bare.is_empty())
                .then(|| text[from..].find(bare))
                .flatten()
        });
        if let Some(offset) = found {
            // The record's opening brace, in the snapshot as pulled; else the line
            // its key is on.
            let at = from + offset;
            let line = text[..at].rfind('\n').map_or(0, |newline| newline + 1);
            let brace =
                (text[from.min(line)..line].rfind("\n    {\n")).map(|o| from.min(line) + o + 1);
            from = at + literal.len().min(text.len() - at);
            starts.push(brace.unwrap_or(line));
        } else {
            starts.push(from);
        }
    }
    starts
}

/// The line and column of byte `offset` in `text`.
fn position_of(text: &str, offset: usize) -> Position {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let col = before[line_start..].chars().count() + 1;
    let indent = text[line_start..].len() - text[line_start..].trim_start_matches(' ').len();
    Position {
        line,
        col: if offset == line_start {
            indent + 1
        } else {
            col
        },
    }
}

/// serde_json's message without its own "at line 3 column 5".
fn plain_json_error(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    }
}
