//! Checking one record of a feed with the checks a council file's values get: its
//! phone number, email and web address, postcodes, opening times and days. A bad
//! value is reported and left out; the rest of the record is still used. Uses the
//! `council` file's values and `error`, with the snapshot's records and descriptions.

use super::FeedError;
use super::description::{self, Block};
use super::record::{Location, Record, Schedule, Term};
use crate::config::council::{self, Phone};
use crate::support::error::Position;

/// A record's values, each checked, as a council's site can show them.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedService {
    pub id: String,
    /// `None` when the feed gives no name.
    pub name: Option<String>,
    /// Empty when the feed gives no words.
    pub description: Vec<Block>,
    /// `active`, or what else the feed says.
    pub status: String,
    pub phone: Option<Phone>,
    pub email: Option<String>,
    pub url: Option<String>,
    pub opening_times: Vec<String>,
    pub eligibility: Option<String>,
    /// Each place, with its address, on one line.
    pub locations: Vec<String>,
    pub terms: Vec<Term>,
}

impl FeedService {
    /// A feed that says nothing of a service's status means it is running.
    pub fn is_active(&self) -> bool {
        super::record::is_active(&self.status)
    }
}

/// The record, checked; `at` finds where a value is written.
pub(super) fn record(
    record: &Record,
    at: &dyn Fn(&str) -> Position,
) -> (FeedService, Vec<FeedError>) {
    let mut problems = Vec::new();
    let id = record.id.clone();
    let shown_name = if record.name.is_empty() {
        "no name".to_owned()
    } else {
        record.name.clone()
    };
    let mut bad = |field: &'static str, value: &str, problem: &str| {
        problems.push(FeedError::BadField {
            id: id.clone(),
            name: shown_name.clone(),
            field,
            value: value.to_owned(),
            problem: problem.to_owned(),
            position: at(value),
        });
    };
    let phone = record.phones.first().and_then(|written| {
        let phone = council::phone(written);
        if phone.is_none() {
            bad("phone number", written, "is not a UK phone number");
        }
        phone
    });
    let email = record.email.as_ref().filter(|written| {
        let valid = council::is_email_address(written);
        if !valid {
            bad("email address", written, "is not an email address");
        }
        valid
    });
    let url = record.url.as_ref().filter(|written| {
        let problem = council::web_address_problem(written);
        if let Some(problem) = problem {
            bad("web address", written, problem);
        }
        problem.is_none()
    });
    let locations = (record.locations.iter())
        .map(|location| location_line(location, &mut bad))
        .filter(|line| !line.is_empty())
        .collect();
    let opening_times = (record.schedules.iter())
        .filter_map(|schedule| opening(schedule, &mut bad))
        .collect();
    let description = description::blocks(&record.description);
    let mut found = FeedService {
        id: record.id.clone(),
        name: (!record.name.is_empty()).then(|| record.name.clone()),
        description,
        status: record.status.clone(),
        phone,
        email: email.cloned(),
        url: url.cloned(),
        opening_times,
        eligibility: record.eligibility.clone(),
        locations,
        terms: record.terms.clone(),
    };
    // An eligibility written in HTML is made plain too.
    found.eligibility = (found.eligibility.as_deref())
        .map(description::blocks)
        .and_then(|blocks| {
            let words: Vec<String> = (blocks.into_iter())
                .flat_map(|b| b.paragraph.into_iter().chain(b.items))
                .collect();
            (!words.is_empty()).then(|| words.join(" "))
        });
    (found, problems)
}

/// A place on one line: its name and address, the postcode checked.
fn location_line(location: &Location, bad: &mut impl FnMut(&'static str, &str, &str)) -> String {
    let postcode = match location.postal_code.as_str() {
        "" => None,
        written => {
            let tidy = council::postcode(written);
            if tidy.is_none() {
                bad("postcode", written, "is not a UK postcode");
            }
            tidy
        }
    };
    let parts = [
        &location.name,
        &location.address_1,
        &location.address_2,
        &location.city,
    ];
    (parts.into_iter())
        .filter(|part| !part.is_empty())
        .cloned()
        .chain(postcode)
        .collect::<Vec<_>>()
        .join(", ")
}

/// An opening in words, such as "Wednesday, 10am to 11am"; `None` when it has a
/// mistake, which is reported.
fn opening(schedule: &Schedule, bad: &mut impl FnMut(&'static str, &str, &str)) -> Option<String> {
    let days = match schedule.byday.as_str() {
        "" => None,
        written => match council::days_in_words(written) {
            Some(days) => Some(days),
            None => {
                bad("list of days", written, "is not a list of days");
                return None;
            }
        },
    };
    let mut time = |written: &str| -> Result<Option<u32>, ()> {
        if written.is_empty() {
            return Ok(None);
        }
        // HSDS 3 writes seconds too: 10:00:00.
        let minutes = written
            .strip_suffix(":00")
            .filter(|short| short.len() == 5)
            .map_or_else(|| council::minutes(written), council::minutes);
        match minutes {
            Some(minutes) => Ok(Some(minutes)),
            None => {
                bad("time", written, "is not a time written as HH:MM");
                Err(())
            }
        }
    };
    let opens = time(&schedule.opens_at).ok()?;
    let closes = time(&schedule.closes_at).ok()?;
    let hours = match (opens, closes) {
        (Some(opens), Some(closes)) if closes > opens => Some((opens, closes)),
        (Some(_), Some(_)) => {
            bad("time", &schedule.closes_at, "is not after the opening time");
            return None;
        }
        _ => None,
    };
    let description = (!schedule.description.is_empty()).then(|| schedule.description.clone());
    council::opening_in_words(days, hours, description)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_with_bad_values_is_used_without_them_and_each_is_reported() {
        let record = Record {
            id: "s1".into(),
            name: "Stay and play".into(),
            description: "<p>Play</p>".into(),
            phones: vec!["01632 96".into()],
            email: Some("play.example".into()),
            url: Some("www.play.example".into()),
            locations: vec![Location {
                name: "Hub".into(),
                city: "Town".into(),
                postal_code: "ZZ1".into(),
                ..Location::default()
            }],
            schedules: vec![
                Schedule {
                    byday: "Mon".into(),
                    ..Schedule::default()
                },
                Schedule {
                    byday: "TU".into(),
                    opens_at: "10:00:00".into(),
                    closes_at: "11:30:00".into(),
                    ..Schedule::default()
                },
            ],
            ..Record::default()
        };
        let (service, problems) = super::record(&record, &|_| Position { line: 1, col: 1 });
        let fields: Vec<&str> = (problems.iter())
            .map(|p| match p {
                FeedError::BadField { field, .. } => *field,
                _ => "",
            })
            .collect();
        assert_eq!(
            fields,
            [
                "phone number",
                "email address",
                "web address",
                "postcode",
                "list of days"
            ]
        );
        assert_eq!(service.phone, None);
        assert_eq!(service.locations, ["Hub, Town"]);
        assert_eq!(service.opening_times, ["Tuesday, 10am to 11:30am"]);
        assert_eq!(service.description, [Block::paragraph("Play")]);
    }
}
