//! One service of an Open Referral UK feed, read from either of its shapes (the UK
//! profile of 2020 and HSDS 3.0) into the fields tellyou shows, each as the feed
//! wrote it: nothing here is checked or trusted yet. Uses `serde_json` only.

use serde_json::Value;

/// A service as its feed describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// Empty when the feed gave none.
    pub id: String,
    pub name: String,
    /// As written: often HTML.
    pub description: String,
    /// `active`, or what else the feed says; empty when it says nothing.
    pub status: String,
    pub url: Option<String>,
    pub email: Option<String>,
    /// The service's phone numbers, then its contacts'.
    pub phones: Vec<String>,
    pub eligibility: Option<String>,
    pub locations: Vec<Location>,
    pub schedules: Vec<Schedule>,
    /// The taxonomy terms it is filed under.
    pub terms: Vec<Term>,
}

/// Where a service is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Location {
    pub name: String,
    pub address_1: String,
    pub address_2: String,
    pub city: String,
    pub postal_code: String,
}

/// When a service is open, in iCalendar's terms.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schedule {
    pub byday: String,
    pub opens_at: String,
    pub closes_at: String,
    pub description: String,
}

/// A taxonomy term: its id and its words.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Term {
    pub id: String,
    pub name: String,
}

/// Whether a feed's `status` means the service is running: a feed that says
/// nothing of it means so too.
pub fn is_active(status: &str) -> bool {
    let status = status.trim();
    status.is_empty() || status.eq_ignore_ascii_case("active")
}

/// The id of the service `value` holds; empty when it has none.
pub fn id_of(value: &Value) -> String {
    text(value, "id").unwrap_or_default()
}

impl Record {
    pub fn is_active(&self) -> bool {
        is_active(&self.status)
    }

    /// The record `value` holds, whichever shape it is in.
    pub fn read(value: &Value) -> Record {
        let mut phones = numbers(value.get("phones"));
        let contacts = list(value, "contacts");
        for contact in contacts {
            phones.extend(numbers(contact.get("phones")));
        }
        let email = text(value, "email")
            .or_else(|| contacts.iter().find_map(|contact| text(contact, "email")));
        let at_locations = list(value, "service_at_locations");
        let mut schedules: Vec<Schedule> = schedules(value);
        for at in at_locations {
            schedules.extend(schedules_of(at));
        }
        let eligibility = text(value, "eligibility_description").or_else(|| {
            (list(value, "eligibilitys").iter()).find_map(|item| text(item, "eligibility"))
        });
        Record {
            id: id_of(value),
            name: text(value, "name").unwrap_or_default(),
            description: text(value, "description").unwrap_or_default(),
            status: text(value, "status").unwrap_or_default(),
            url: text(value, "url"),
            email,
            phones,
            eligibility,
            locations: (at_locations.iter())
                .filter_map(|at| at.get("location"))
                .map(location)
                .collect(),
            schedules,
            terms: terms(value),
        }
    }
}

/// The value at `key` as trimmed text, when it is text or a number and not empty.
fn text(value: &Value, key: &str) -> Option<String> {
    let found = match value.get(key)? {
        Value::String(text) => text.trim().to_owned(),
        Value::Number(number) => number.to_string(),
        _ => return None,
    };
    (!found.is_empty()).then_some(found)
}

/// The list at `key`, or none.
fn list<'v>(value: &'v Value, key: &str) -> &'v [Value] {
    match value.get(key) {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

fn numbers(phones: Option<&Value>) -> Vec<String> {
    match phones {
        Some(Value::Array(items)) => items.iter().filter_map(|p| text(p, "number")).collect(),
        _ => Vec::new(),
    }
}

fn schedules(value: &Value) -> Vec<Schedule> {
    schedules_of(value)
}

/// The opening times of a service or of one of its places: HSDS 3's `schedules`,
/// or the UK profile's `regular_schedules`, which may name a `weekday` instead of
/// `byday`.
fn schedules_of(value: &Value) -> Vec<Schedule> {
    let items = list(value, "schedules")
        .iter()
        .chain(list(value, "regular_schedules"));
    items
        .map(|item| Schedule {
            byday: text(item, "byday")
                .or_else(|| text(item, "weekday").map(|day| day_code(&day)))
                .unwrap_or_default(),
            opens_at: text(item, "opens_at").unwrap_or_default(),
            closes_at: text(item, "closes_at").unwrap_or_default(),
            description: text(item, "description").unwrap_or_default(),
        })
        .collect()
}

/// The two-letter code of a day written as a word, such as `Monday`; anything
/// else as it is, for the check to report.
fn day_code(day: &str) -> String {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let lower = day.trim().to_lowercase();
    match DAYS.iter().find(|name| **name == lower) {
        Some(name) => name[..2].to_uppercase(),
        None => day.to_owned(),
    }
}

/// A place and its physical address: HSDS 3's `addresses` (the physical one first)
/// or the UK profile's `physical_addresses`.
fn location(value: &Value) -> Location {
    let addresses = list(value, "addresses");
    let address = (addresses.iter())
        .find(|a| text(a, "address_type").is_none_or(|kind| kind == "physical"))
        .or_else(|| list(value, "physical_addresses").first())
        .or_else(|| addresses.first());
    let field = |key: &str| address.and_then(|a| text(a, key)).unwrap_or_default();
    Location {
        name: text(value, "name").unwrap_or_default(),
        address_1: field("address_1"),
        address_2: field("address_2"),
        city: field("city"),
        postal_code: field("postal_code"),
    }
}

/// The terms a service is filed under: the UK profile's `service_taxonomys`, or
/// HSDS 3's `attributes` with their `taxonomy_term`.
fn terms(value: &Value) -> Vec<Term> {
    let uk = list(value, "service_taxonomys")
        .iter()
        .filter_map(|t| t.get("taxonomy"));
    let hsds = list(value, "attributes")
        .iter()
        .filter_map(|a| a.get("taxonomy_term"));
    uk.chain(hsds)
        .map(|term| Term {
            id: text(term, "id").unwrap_or_default(),
            name: text(term, "name")
                .or_else(|| text(term, "term"))
                .unwrap_or_default(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_reads_the_same_from_the_uk_profile_and_from_hsds_3() {
        let uk = serde_json::json!({
            "id": 17, "name": " Baby massage ", "description": "<p>Calm</p>", "status": "active",
            "contacts": [{ "email": "a@x.example", "phones": [{ "number": "01632 960 402" }] }],
            "eligibilitys": [{ "eligibility": "Babies under 6 months" }],
            "regular_schedules": [{ "weekday": "Wednesday", "opens_at": "10:00", "closes_at": "11:00" }],
            "service_at_locations": [{ "location": { "name": "Harbour hub",
                "physical_addresses": [{ "address_1": "Quay Street", "city": "Saltmarsh", "postal_code": "ZZ9 2LS" }] } }],
            "service_taxonomys": [{ "taxonomy": { "id": "T1", "name": "Parenting" } }]
        });
        let hsds = serde_json::json!({
            "id": "17", "name": "Baby massage", "description": "<p>Calm</p>", "status": "active",
            "email": "a@x.example", "phones": [{ "number": "01632 960 402" }],
            "eligibility_description": "Babies under 6 months",
            "schedules": [{ "byday": "WE", "opens_at": "10:00", "closes_at": "11:00" }],
            "service_at_locations": [{ "location": { "name": "Harbour hub", "addresses": [
                { "address_type": "postal", "address_1": "PO Box 1", "city": "X", "postal_code": "ZZ9 9ZZ" },
                { "address_type": "physical", "address_1": "Quay Street", "city": "Saltmarsh", "postal_code": "ZZ9 2LS" }] } }],
            "attributes": [{ "taxonomy_term": { "id": "T1", "term": "Parenting" } }]
        });
        assert_eq!(Record::read(&uk), Record::read(&hsds));
        let record = Record::read(&uk);
        assert_eq!(record.schedules[0].byday, "WE");
        assert_eq!(record.locations[0].address_1, "Quay Street");
    }

    #[test]
    fn a_record_of_the_wrong_types_reads_as_empty_fields() {
        let odd =
            serde_json::json!({ "id": null, "name": ["x"], "phones": "01632", "contacts": 3 });
        let record = Record::read(&odd);
        assert_eq!(record, Record::default());
    }
}
