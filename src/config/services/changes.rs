//! What changed between two snapshots of a feed, service by service, as a council
//! editor reads it: services added, removed, closed or renamed, and phone numbers,
//! email addresses, addresses and opening times that changed. Uses the snapshot's
//! records only.

use std::collections::BTreeMap;

use super::record::{Location, Record};

/// One change to one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added {
        id: String,
        name: String,
    },
    Removed {
        id: String,
        name: String,
    },
    Closed {
        id: String,
        name: String,
        status: String,
    },
    Reopened {
        id: String,
        name: String,
    },
    Renamed {
        id: String,
        from: String,
        to: String,
    },
    Changed {
        id: String,
        name: String,
        what: &'static str,
        from: String,
        to: String,
    },
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Added { id, name } => write!(f, "added: {name} ({id})"),
            Change::Removed { id, name } => write!(f, "removed: {name} ({id})"),
            Change::Closed { id, name, status } => {
                write!(f, "closed: {name} ({id}) is now {status:?}")
            }
            Change::Reopened { id, name } => write!(f, "reopened: {name} ({id}) is active again"),
            Change::Renamed { id, from, to } => {
                write!(f, "renamed: {from} ({id}) is now called {to}")
            }
            Change::Changed {
                id,
                name,
                what,
                from,
                to,
            } => {
                let shown = |text: &str| {
                    if text.is_empty() {
                        "nothing".to_owned()
                    } else {
                        format!("{text:?}")
                    }
                };
                write!(
                    f,
                    "{what} changed: {name} ({id}), from {} to {}",
                    shown(from),
                    shown(to)
                )
            }
        }
    }
}

/// Every change from `before` to `after`, by service id, in id order. Services
/// without an id cannot be followed from one snapshot to the next and are left out.
pub fn between(before: &[Record], after: &[Record]) -> Vec<Change> {
    let by_id = |records: &[Record]| -> BTreeMap<String, Record> {
        (records.iter())
            .filter(|r| !r.id.is_empty())
            .rev()
            .map(|r| (r.id.clone(), r.clone()))
            .collect()
    };
    let (before, after) = (by_id(before), by_id(after));
    let mut changes = Vec::new();
    for (id, old) in &before {
        if !after.contains_key(id) {
            changes.push(Change::Removed {
                id: id.clone(),
                name: old.name.clone(),
            });
        }
    }
    for (id, new) in &after {
        match before.get(id) {
            None => changes.push(Change::Added {
                id: id.clone(),
                name: new.name.clone(),
            }),
            Some(old) => changes.extend(changed(old, new)),
        }
    }
    changes
}

/// A field that a change can be in: its name, and how to read it from a record.
type FieldOf = (&'static str, fn(&Record) -> String);

fn changed(old: &Record, new: &Record) -> Vec<Change> {
    let id = new.id.clone();
    let mut changes = Vec::new();
    match (old.is_active(), new.is_active()) {
        (true, false) => changes.push(Change::Closed {
            id: id.clone(),
            name: new.name.clone(),
            status: new.status.clone(),
        }),
        (false, true) => changes.push(Change::Reopened {
            id: id.clone(),
            name: new.name.clone(),
        }),
        _ => {}
    }
    if old.name != new.name {
        changes.push(Change::Renamed {
            id: id.clone(),
            from: old.name.clone(),
            to: new.name.clone(),
        });
    }
    let fields: [FieldOf; 4] = [
        ("phone", |r| r.phones.join(", ")),
        ("email", |r| r.email.clone().unwrap_or_default()),
        ("address", |r| {
            r.locations
                .iter()
                .map(address)
                .collect::<Vec<_>>()
                .join("; ")
        }),
        ("opening times", |r| {
            (r.schedules.iter())
                .map(|s| {
                    format!(
                        "{} {}-{} {}",
                        s.byday, s.opens_at, s.closes_at, s.description
                    )
                    .trim()
                    .to_owned()
                })
                .collect::<Vec<_>>()
                .join("; ")
        }),
    ];
    for (what, read) in fields {
        let (from, to) = (read(old), read(new));
        if from != to {
            changes.push(Change::Changed {
                id: id.clone(),
                name: new.name.clone(),
                what,
                from,
                to,
            });
        }
    }
    changes
}

fn address(location: &Location) -> String {
    [
        &location.name,
        &location.address_1,
        &location.address_2,
        &location.city,
        &location.postal_code,
    ]
    .into_iter()
    .filter(|part| !part.is_empty())
    .cloned()
    .collect::<Vec<_>>()
    .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, name: &str, phone: &str, status: &str) -> Record {
        Record {
            id: id.into(),
            name: name.into(),
            phones: vec![phone.into()],
            status: status.into(),
            ..Record::default()
        }
    }

    #[test]
    fn every_kind_of_change_is_said_once() {
        let before = [
            record("a", "Baby massage", "01632 960 402", "active"),
            record("b", "Stay and play", "01632 960 403", "active"),
            record("c", "Dads group", "01632 960 404", "active"),
        ];
        let after = [
            record("a", "Baby massage class", "01632 960 402", "active"),
            record("c", "Dads group", "01632 960 405", "inactive"),
            record("d", "Feeding café", "01632 960 406", "active"),
        ];
        let said: Vec<String> = between(&before, &after)
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(
            said,
            [
                "removed: Stay and play (b)",
                "renamed: Baby massage (a) is now called Baby massage class",
                "closed: Dads group (c) is now \"inactive\"",
                "phone changed: Dads group (c), from \"01632 960 404\" to \"01632 960 405\"",
                "added: Feeding café (d)",
            ]
        );
        assert!(between(&after, &after).is_empty());
    }
}
