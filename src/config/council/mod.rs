//! A council's file, `councils/<slug>.yaml`: its name, address, brand, labels and
//! local services. It is read key by key and checked value by value (phone numbers,
//! email and web addresses, opening times, postcodes), so every mistake is reported
//! at once, each at its line. The result is what templates show on the
//! getting-support page and in the footer. The field names follow Open Referral UK
//! where it has one. Its checker and the values it reads are modules of their own.
//! Uses `yaml`, `calendar` and `error`.

use serde::{Deserialize, Serialize};

use super::Brand;
use super::ConfigError;
use super::languages::Listed;
use super::services::description::Block;
use super::services::{FeedError, SnapshotState};
use super::site::{RawBrand, parse_brand};
use crate::support::calendar::Date;
use crate::support::calendar::{self, ShownDate};
use crate::support::error::Position;
use crate::support::yaml::{self, Part, Scalar, Unknown};

mod checker;
mod picks;
pub mod statements;
mod values;

use checker::Checker;
pub use values::*;

/// The keys a council file may have.
pub const KEYS: &[&str] = &[
    "name",
    "base_url",
    "last_checked",
    "brand",
    "languages",
    "labels",
    "offer_url",
    "health_visiting",
    "urgent_mental_health",
    "hubs",
    "services",
    "accessibility",
    "privacy",
    "oruk",
    "qr_code_url",
    "search",
];
const ORUK_KEYS: &[&str] = &["api", "max_age_months"];
const LABEL_KEYS: &[&str] = &["offer_name", "hub_term", "hub_term_plural"];
const CONTACT_KEYS: &[&str] = &["name", "description", "phone", "email", "url", "schedule"];
const HUB_KEYS: &[&str] = &[
    "name",
    "address",
    "phone",
    "email",
    "url",
    "schedule",
    "accessibility",
];
const ADDRESS_KEYS: &[&str] = &["address_1", "address_2", "city", "postal_code"];
const SERVICE_KEYS: &[&str] = &[
    "name",
    "description",
    "tier",
    "eligibility_description",
    "access",
    "phone",
    "email",
    "url",
    "schedule",
    "locations",
    "oruk_id",
    "oruk_ids",
    "oruk_taxonomy",
];
const SCHEDULE_KEYS: &[&str] = &["byday", "opens_at", "closes_at", "description"];

/// How long local details stay trusted after they were last checked.
pub const MONTHS_TRUSTED: u32 = 6;

/// A council's local details, as templates see them (`council` in a template).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Council {
    /// The file's name without `.yaml`: `brackenford`.
    pub slug: String,
    pub name: String,
    pub last_checked: Option<ShownDate>,
    pub labels: Labels,
    /// The council's own page about its offer for families, if it has one.
    pub offer_url: Option<String>,
    pub health_visiting: Option<Contact>,
    pub urgent_mental_health: Option<Contact>,
    pub hubs: Vec<Hub>,
    /// The services in the three tiers, in order; a tier with no services is left out.
    pub tiers: Vec<Tier>,
}

/// Words that differ between councils.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Labels {
    /// What the council calls its published offer: "Start for Life offer".
    pub offer_name: String,
    /// What it calls a family hub: "family hub".
    pub hub_term: String,
    pub hub_term_plural: String,
}

/// A phone number as written, and as a `tel:` link dials it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phone {
    pub display: String,
    pub tel: String,
}

/// A team or line to contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contact {
    pub name: Option<String>,
    pub description: Option<String>,
    pub phone: Option<Phone>,
    pub email: Option<String>,
    pub url: Option<String>,
    /// Each line of its opening times in words: "Monday to Friday, 9am to 5pm".
    pub opening_times: Vec<String>,
}

/// A family hub: an Open Referral UK location with its contacts and opening times.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hub {
    pub name: String,
    /// The address, a line at a time, the postcode last.
    pub address: Vec<String>,
    pub contact: Contact,
    pub accessibility: Option<String>,
}

/// The services of one tier of support.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tier {
    /// `getting_advice`, `getting_help` or `getting_more_help`.
    pub id: &'static str,
    pub title: &'static str,
    pub services: Vec<Service>,
}

/// A local service: an Open Referral UK service with how to get it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Service {
    pub name: String,
    /// Paragraphs and lists of plain text; empty when there is no description.
    pub description: Vec<Block>,
    /// Who it is for, in the service's words.
    pub eligibility_description: Option<String>,
    /// `drop_in`, `self_referral` or `referral`.
    pub access: &'static str,
    /// How to get it, in words.
    pub access_description: &'static str,
    pub contact: Contact,
    /// The hubs it is at.
    pub locations: Vec<String>,
}

const TIERS: [(&str, &str); 3] = [
    ("getting_advice", "Getting advice"),
    ("getting_help", "Getting help"),
    ("getting_more_help", "Getting more help"),
];

const ACCESS: [(&str, &str); 3] = [
    ("drop_in", "Drop in: you do not need an appointment."),
    ("self_referral", "You can contact them yourself."),
    (
        "referral",
        "Your health visitor, GP or midwife can refer you.",
    ),
];

/// What a council file sets besides its local details.
#[derive(Debug)]
pub struct CouncilSettings {
    pub council: Council,
    /// The address, as written, and where.
    pub base_url: Option<(String, Position)>,
    pub brand: Brand,
    /// The council's own list of languages, which replaces `site.yaml`'s.
    pub languages: Option<super::languages::Listed>,
    /// The date the details were last checked, and where it is written.
    pub last_checked: Option<(Date, Position)>,
    /// The accessibility and privacy statements, which replace the site's.
    pub statements: statements::Statements,
    /// Where the QR code on the printed guide leads, if not the site's home page.
    pub qr_code_url: Option<String>,
    /// Whether the council's search page searches in the browser, if it says.
    pub search: Option<bool>,
    /// Where the council's Open Referral UK feed is, and how long its snapshot is
    /// trusted.
    pub oruk: Oruk,
    /// What is wrong with the records of the feed that the council's site shows.
    pub feed_problems: Vec<FeedError>,
}

/// The council's Open Referral UK feed.
#[derive(Debug, Clone, Default)]
pub struct Oruk {
    /// The address of its API, which `tellyou services pull` reads.
    pub api: Option<String>,
    /// How many months a snapshot is trusted.
    pub months_trusted: u32,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawCouncil {
    name: Option<Scalar>,
    base_url: Option<Scalar>,
    last_checked: Option<Scalar>,
    brand: Option<RawBrand>,
    languages: Option<Vec<Part<super::languages::RawLanguage>>>,
    labels: Option<Part<RawLabels>>,
    offer_url: Option<Scalar>,
    qr_code_url: Option<Scalar>,
    search: Option<bool>,
    health_visiting: Option<Part<RawContact>>,
    urgent_mental_health: Option<Part<RawContact>>,
    hubs: Option<Vec<Part<RawHub>>>,
    services: Option<Vec<Part<RawService>>>,
    accessibility: Option<Part<statements::RawAccessibility>>,
    privacy: Option<Part<statements::RawPrivacy>>,
    oruk: Option<Part<RawOruk>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawOruk {
    api: Option<Scalar>,
    max_age_months: Option<Scalar>,
    #[serde(flatten)]
    unknown: Unknown,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawLabels {
    offer_name: Option<Scalar>,
    hub_term: Option<Scalar>,
    hub_term_plural: Option<Scalar>,
    #[serde(flatten)]
    unknown: Unknown,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawContact {
    name: Option<Scalar>,
    description: Option<Scalar>,
    phone: Option<Scalar>,
    email: Option<Scalar>,
    url: Option<Scalar>,
    schedule: Option<Vec<Part<RawOpening>>>,
    #[serde(flatten)]
    unknown: Unknown,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawHub {
    name: Option<Scalar>,
    address: Option<Part<RawAddress>>,
    phone: Option<Scalar>,
    email: Option<Scalar>,
    url: Option<Scalar>,
    schedule: Option<Vec<Part<RawOpening>>>,
    accessibility: Option<Scalar>,
    #[serde(flatten)]
    unknown: Unknown,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawAddress {
    address_1: Option<Scalar>,
    address_2: Option<Scalar>,
    city: Option<Scalar>,
    postal_code: Option<Scalar>,
    #[serde(flatten)]
    unknown: Unknown,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawService {
    name: Option<Scalar>,
    description: Option<Scalar>,
    tier: Option<Scalar>,
    eligibility_description: Option<Scalar>,
    access: Option<Scalar>,
    phone: Option<Scalar>,
    email: Option<Scalar>,
    url: Option<Scalar>,
    schedule: Option<Vec<Part<RawOpening>>>,
    locations: Option<Vec<Scalar>>,
    oruk_id: Option<Scalar>,
    oruk_ids: Option<Vec<Scalar>>,
    oruk_taxonomy: Option<Scalar>,
    #[serde(flatten)]
    unknown: Unknown,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawOpening {
    byday: Option<Scalar>,
    opens_at: Option<Scalar>,
    closes_at: Option<Scalar>,
    description: Option<Scalar>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// Reads a council file's `text`; `slug` is its name, `own_language` the tag of
/// the site's language, and `snapshot` its feed's snapshot, if it has one. Every
/// mistake is returned; the settings are made from what could be read.
pub fn parse(
    slug: &str,
    text: &str,
    own_language: &str,
    snapshot: SnapshotState,
) -> (CouncilSettings, Vec<ConfigError>) {
    let parsed = yaml::parse_mapping::<RawCouncil>(text, 1, KEYS, "council file");
    let mut checker = Checker {
        places: parsed.places,
        errors: parsed.errors.into_iter().map(ConfigError::from).collect(),
        feed: (slug, snapshot),
        feed_problems: Vec::new(),
    };
    let raw = parsed.value;
    let readable = parsed.readable;
    let top_level = |checker: &mut Checker, value: &Option<Scalar>, key: &'static str| {
        let found = checker.text(value);
        if found.is_none() && readable && !parsed.suggested_keys.iter().any(|k| k == key) {
            checker.missing("the council file", "", key);
        }
        found
    };
    let name = top_level(&mut checker, &raw.name, "name").unwrap_or_default();
    let base_url = raw
        .base_url
        .as_ref()
        .map(|url| (url.text.clone(), checker.at("base_url")));
    if base_url.is_none() {
        top_level(&mut checker, &raw.base_url, "base_url");
    }
    let last_checked = top_level(&mut checker, &raw.last_checked, "last_checked")
        .and_then(|value| checker.date(&value, "last_checked"));

    let raw_labels = (raw.labels.as_ref()).and_then(|part| checker.part(part, "labels"));
    let labels = checker.labels(raw_labels.unwrap_or(&RawLabels::default()));
    let offer_url = (raw.offer_url.as_ref()).and_then(|url| checker.web_address(url, "offer_url"));
    let health_visiting = read_line(&mut checker, &raw.health_visiting, "health_visiting");
    let urgent_mental_health = read_line(
        &mut checker,
        &raw.urgent_mental_health,
        "urgent_mental_health",
    );

    let hubs = read_hubs(&mut checker, raw.hubs.as_deref().unwrap_or_default());
    let hub_names: Vec<&str> = hubs.iter().map(|hub| hub.name.as_str()).collect();
    let services = raw.services.as_deref().unwrap_or_default();
    let tiers = read_tiers(&mut checker, services, &hub_names);

    let own = (name.as_str(), own_language);
    let site = read_site_settings(&mut checker, raw, own, readable);
    let settings = CouncilSettings {
        council: Council {
            slug: slug.to_owned(),
            name,
            last_checked: last_checked.map(calendar::shown),
            labels,
            offer_url,
            health_visiting,
            urgent_mental_health,
            hubs,
            tiers,
        },
        base_url,
        brand: site.brand,
        languages: site.languages,
        last_checked: last_checked.map(|date| (date, checker.at("last_checked"))),
        statements: site.statements,
        qr_code_url: site.qr_code_url,
        search: site.search,
        oruk: site.oruk,
        feed_problems: picks::once_each(checker.feed_problems),
    };
    (settings, checker.errors)
}

/// What a council file says of its site besides its lines and services.
struct SiteSettings {
    brand: Brand,
    statements: statements::Statements,
    oruk: Oruk,
    languages: Option<Listed>,
    qr_code_url: Option<String>,
    search: Option<bool>,
}

/// How the council's site looks, what its statements say, where its feed is, its
/// languages and where its printed guide's QR code leads; `own` is the council's
/// name and the site's language.
fn read_site_settings(
    checker: &mut Checker,
    raw: RawCouncil,
    (name, own_language): (&str, &str),
    readable: bool,
) -> SiteSettings {
    let languages = raw.languages.as_deref().map(|list| {
        super::languages::read(list, own_language, &checker.places, &mut checker.errors)
    });
    let oruk = (raw.oruk.as_ref())
        .and_then(|part| checker.part(part, "oruk"))
        .map(|oruk| checker.oruk(oruk))
        .unwrap_or_default();
    let statements = checker.statements(
        statements::RawStatements {
            accessibility: raw.accessibility.as_ref(),
            privacy: raw.privacy.as_ref(),
        },
        name,
        readable.then_some("the council file"),
    );
    let brand = parse_brand(
        &checker.places,
        raw.brand.unwrap_or_default(),
        name,
        &mut checker.errors,
    );
    let qr_code_url =
        (raw.qr_code_url.as_ref()).and_then(|url| checker.web_address(url, "qr_code_url"));
    SiteSettings {
        brand,
        statements,
        oruk,
        languages,
        qr_code_url,
        search: raw.search,
    }
}

/// The phone line at `key`, if it is written, checked.
fn read_line(checker: &mut Checker, part: &Option<Part<RawContact>>, key: &str) -> Option<Contact> {
    let contact = checker.part(part.as_ref()?, key)?;
    Some(checker.contact_line(contact, key))
}

/// The council's hubs, each checked, with any name given to two hubs reported.
fn read_hubs(checker: &mut Checker, parts: &[Part<RawHub>]) -> Vec<Hub> {
    let mut hubs = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        let path = format!("hubs[{index}]");
        if let Some(hub) = checker.part(part, &path) {
            hubs.push(checker.hub(hub, &path));
        }
    }
    let hub_names: Vec<&str> = hubs.iter().map(|hub| hub.name.as_str()).collect();
    for (index, name) in hub_names.iter().enumerate() {
        if !name.is_empty() && hub_names[..index].contains(name) {
            checker.errors.push(ConfigError::DuplicateHub {
                name: (*name).to_owned(),
                position: checker.at(&format!("hubs[{index}].name")),
            });
        }
    }
    hubs
}

/// The council's services, each checked, in the tiers that have any, in order.
fn read_tiers(checker: &mut Checker, parts: &[Part<RawService>], hub_names: &[&str]) -> Vec<Tier> {
    let mut services: Vec<(&'static str, Service)> = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        let path = format!("services[{index}]");
        if let Some(service) = checker.part(part, &path) {
            services.extend(checker.services(service, &path, hub_names));
        }
    }
    TIERS
        .iter()
        .map(|&(id, title)| Tier {
            id,
            title,
            services: services
                .iter()
                .filter(|(tier, _)| *tier == id)
                .map(|(_, service)| service.clone())
                .collect(),
        })
        .filter(|tier| !tier.services.is_empty())
        .collect()
}

/// The reminder to check a council's details again, if they were last checked on
/// `checked`, more than [`MONTHS_TRUSTED`] months before `today`.
pub fn out_of_date(checked: Date, today: Date, position: Position) -> Option<ConfigError> {
    let due = calendar::months_after(checked, MONTHS_TRUSTED);
    (today > due).then(|| ConfigError::LocalDetailsOutOfDate {
        checked: calendar::in_words(checked),
        due: calendar::in_words(due),
        position,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_phone_numbers_are_tidied_and_dialled_without_spaces() {
        let number = phone("01632  960 120").unwrap();
        assert_eq!(number.display, "01632 960 120");
        assert_eq!(number.tel, "01632960120");
        assert_eq!(phone("+44 (0)1632 960120").unwrap().tel, "01632960120");
        assert_eq!(phone("+44 1632 960120").unwrap().tel, "01632960120");
        assert_eq!(phone("111").unwrap().tel, "111");
        assert_eq!(phone("116 123").unwrap().tel, "116123");
        assert!(phone("0161 496 000").is_some(), "some areas have 10 digits");
        for bad in [
            "01632 9601",
            "1632 960120",
            "call 01632 960120",
            "00 44 1632",
            "",
            "12345",
        ] {
            assert!(phone(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn email_and_web_addresses_are_checked() {
        assert!(is_email_address("hubs@brackenford.example"));
        for bad in [
            "hubs",
            "hubs@",
            "@x.example",
            "a b@x.example",
            "a@example",
            "a@x..example",
        ] {
            assert!(!is_email_address(bad), "{bad}");
        }
        assert_eq!(web_address_problem("https://www.x.example/a?b#c"), None);
        assert_eq!(
            web_address_problem("http://localhost:8080/"),
            Some("has no site name, such as www.example.gov.uk")
        );
        assert!(web_address_problem("www.x.example").is_some());
        assert!(web_address_problem("https://x .example").is_some());
    }

    #[test]
    fn postcodes_of_every_shape_are_accepted_and_tidied() {
        for (written, tidy) in [
            ("sw1a 1aa", "SW1A 1AA"),
            ("M1 1AE", "M1 1AE"),
            ("B33 8TH", "B33 8TH"),
            ("CR2 6XH", "CR2 6XH"),
            ("DN551PT", "DN55 1PT"),
            ("W1A 0AX", "W1A 0AX"),
        ] {
            assert_eq!(postcode(written).as_deref(), Some(tidy), "{written}");
        }
        for bad in ["SW1A", "1AA SW1", "SW1A 1A1", "ABC1 1AA", "S 1AA"] {
            assert!(postcode(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn times_and_days_read_as_people_say_them() {
        assert_eq!(minutes("09:30"), Some(570));
        assert_eq!(minutes("24:00"), Some(1440));
        for bad in ["9:30", "9am", "25:00", "12:60", "24:30"] {
            assert_eq!(minutes(bad), None, "{bad}");
        }
        assert_eq!(clock(570), "9:30am");
        assert_eq!(clock(17 * 60), "5pm");
        assert_eq!(clock(12 * 60), "midday");
        assert_eq!(clock(1440), "midnight");
        assert_eq!(
            days_in_words("MO,TU,WE,TH,FR").as_deref(),
            Some("Monday to Friday")
        );
        assert_eq!(days_in_words("SA").as_deref(), Some("Saturday"));
        assert_eq!(
            days_in_words("MO,WE").as_deref(),
            Some("Monday and Wednesday")
        );
        assert_eq!(
            days_in_words("MO,TU,TH,SA,SU").as_deref(),
            Some("Monday, Tuesday, Thursday, Saturday and Sunday")
        );
        assert_eq!(
            days_in_words("SU,MO,TU,WE,TH,FR,SA").as_deref(),
            Some("every day")
        );
        assert_eq!(days_in_words("Mon-Fri"), None);
    }

    #[test]
    fn a_council_file_with_every_mistake_reports_them_all() {
        let text = "\
name: Test Council
base_url: https://www.test.example/
last_checked: 2026-02-30
hubs:
  - name: North hub
    adress: x
    phone: 01632 96
  - name: South hub
    address:
      address_1: 1 High Street
      city: Testtown
      postal_code: ZZ1
    schedule:
      - byday: MO,TU
        opens_at: \"9:00\"
        closes_at: \"17:00\"
services:
  - name: Baby group
    description: A group.
    tier: getting_advise
    access: drop_in
    locations: [North hub, West hub]
accessibility:
  contact:
    email: web@test.example
  tested_on: 2026-11-01
  prepared_on: 2026-11-01
privacy:
  contact:
    url: https://www.test.example/data-protection
";
        let (_, errors) = parse("test", text, "en-GB", SnapshotState::Missing);
        let found: Vec<(usize, String)> = errors
            .iter()
            .map(|e| {
                use crate::support::error::StageError;
                (e.position().map_or(0, |p| p.line), e.to_string())
            })
            .collect();
        let lines: Vec<usize> = found.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines.len(), 8, "{found:#?}");
        for line in [3, 5, 6, 7, 12, 15, 20, 22] {
            assert!(lines.contains(&line), "line {line}: {found:#?}");
        }
    }
}
