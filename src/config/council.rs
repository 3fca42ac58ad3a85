//! A council's file, `councils/<slug>.yaml`: its name, address, brand, labels and
//! local services. It is read key by key and checked value by value (phone numbers,
//! email and web addresses, opening times, postcodes), so every mistake is reported
//! at once, each at its line. The result is what templates show on the
//! getting-support page and in the footer. The field names follow Open Referral UK
//! where it has one. Uses `yaml`, `calendar`, `domains` and `error`.

use serde::{Deserialize, Serialize};

use super::ConfigError;
use super::site::RawBrand;
use crate::support::calendar::Date;
use crate::support::calendar::{self, ShownDate};
use crate::support::domains;
use crate::support::error::{Position, did_you_mean};
use crate::support::yaml::{self, Part, Scalar, Unknown};

/// The keys a council file may have.
pub const KEYS: &[&str] = &[
    "name",
    "base_url",
    "last_checked",
    "brand",
    "labels",
    "offer_url",
    "health_visiting",
    "urgent_mental_health",
    "hubs",
    "services",
];
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
    pub description: String,
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
    pub brand: RawBrand,
    /// The date the details were last checked, and where it is written.
    pub last_checked: Option<(Date, Position)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawCouncil {
    name: Option<Scalar>,
    base_url: Option<Scalar>,
    last_checked: Option<Scalar>,
    brand: Option<RawBrand>,
    labels: Option<Part<RawLabels>>,
    offer_url: Option<Scalar>,
    health_visiting: Option<Part<RawContact>>,
    urgent_mental_health: Option<Part<RawContact>>,
    hubs: Option<Vec<Part<RawHub>>>,
    services: Option<Vec<Part<RawService>>>,
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

/// Reads a council file's `text`; `slug` is its name. Every mistake is returned;
/// the settings are made from what could be read.
pub fn parse(slug: &str, text: &str) -> (CouncilSettings, Vec<ConfigError>) {
    let parsed = yaml::parse_mapping::<RawCouncil>(text, 1, KEYS, "council file");
    let mut checker = Checker {
        text,
        errors: parsed
            .errors
            .into_iter()
            .map(|e| ConfigError::Yaml {
                position: e.position,
                message: e.message,
                hint: e.hint,
            })
            .collect(),
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

    let labels = raw
        .labels
        .as_ref()
        .and_then(|part| checker.part(part, "labels"))
        .map(|labels| checker.labels(labels))
        .unwrap_or_else(|| checker.labels(&RawLabels::default()));
    let offer_url = raw
        .offer_url
        .as_ref()
        .and_then(|url| checker.web_address(url, "offer_url"));
    let health_visiting = raw
        .health_visiting
        .as_ref()
        .and_then(|part| checker.part(part, "health_visiting"))
        .map(|contact| checker.contact_line(contact, "health_visiting"));
    let urgent_mental_health = raw
        .urgent_mental_health
        .as_ref()
        .and_then(|part| checker.part(part, "urgent_mental_health"))
        .map(|contact| checker.contact_line(contact, "urgent_mental_health"));

    let mut hubs = Vec::new();
    for (index, part) in raw.hubs.iter().flatten().enumerate() {
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
    let mut services: Vec<(&'static str, Service)> = Vec::new();
    for (index, part) in raw.services.iter().flatten().enumerate() {
        let path = format!("services[{index}]");
        if let Some(service) = checker.part(part, &path) {
            if let Some(service) = checker.service(service, &path, &hub_names) {
                services.push(service);
            }
        }
    }
    let tiers = TIERS
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
        .collect();

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
        brand: raw.brand.unwrap_or_default(),
        last_checked: last_checked.map(|date| (date, checker.at("last_checked"))),
    };
    (settings, checker.errors)
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

/// Checks values one at a time, keeping every mistake.
struct Checker<'a> {
    text: &'a str,
    errors: Vec<ConfigError>,
}

impl Checker<'_> {
    /// Where the value at `path` is written.
    fn at(&self, path: &str) -> Position {
        yaml::locate(self.text, path).unwrap_or(Position { line: 1, col: 1 })
    }

    /// The part's value, or `None` after noting what was wrong with it.
    fn part<'p, T>(&mut self, part: &'p Part<T>, path: &str) -> Option<&'p T> {
        match part {
            Part::Read(value) => Some(value),
            Part::Failed(error) => {
                let (full, message, hint) = error.describe(path);
                self.errors.push(ConfigError::Yaml {
                    position: self.at(&full),
                    message,
                    hint,
                });
                None
            }
        }
    }

    fn unknown_keys(&mut self, unknown: &Unknown, path: &str, known: &[&str]) {
        for key in unknown.keys() {
            let hint = match did_you_mean(key, known.iter().copied()) {
                Some(suggestion) => format!("did you mean '{suggestion}'?"),
                None => format!("the keys you can use here are: {}", known.join(", ")),
            };
            let position = yaml::locate_key(self.text, &yaml::join_path(path, key));
            self.errors.push(ConfigError::Yaml {
                position: position.unwrap_or(Position { line: 1, col: 1 }),
                message: format!("unknown key '{key}' in {}", yaml::path_in_words(path)),
                hint: Some(hint),
            });
        }
    }

    fn missing(&mut self, within: &str, path: &str, key: &'static str) {
        self.errors.push(ConfigError::MissingField {
            within: within.to_owned(),
            key,
            position: self.at(path),
        });
    }

    /// The value as trimmed text, or `None` if it is missing or empty.
    fn text(&self, value: &Option<Scalar>) -> Option<String> {
        value
            .as_ref()
            .map(|v| v.text.trim().to_owned())
            .filter(|t| !t.is_empty())
    }

    /// A value `path` must have: noted as missing if it is not there.
    fn required(
        &mut self,
        value: &Option<Scalar>,
        path: &str,
        key: &'static str,
    ) -> Option<String> {
        let found = self.text(value);
        if found.is_none() {
            self.missing(&yaml::path_in_words(path), path, key);
        }
        found
    }

    fn date(&mut self, value: &str, path: &str) -> Option<Date> {
        let date = calendar::parse_date(value);
        if date.is_none() {
            self.errors.push(ConfigError::BadDate {
                key: path.to_owned(),
                value: value.to_owned(),
                position: self.at(path),
            });
        }
        date
    }

    fn labels(&mut self, raw: &RawLabels) -> Labels {
        self.unknown_keys(&raw.unknown, "labels", LABEL_KEYS);
        let hub_term = self
            .text(&raw.hub_term)
            .unwrap_or_else(|| "family hub".to_owned());
        Labels {
            offer_name: self
                .text(&raw.offer_name)
                .unwrap_or_else(|| "Start for Life offer".to_owned()),
            hub_term_plural: self
                .text(&raw.hub_term_plural)
                .unwrap_or_else(|| format!("{hub_term}s")),
            hub_term,
        }
    }

    /// A line or team such as the health visiting duty line: it needs a phone number.
    fn contact_line(&mut self, raw: &RawContact, path: &str) -> Contact {
        self.unknown_keys(&raw.unknown, path, CONTACT_KEYS);
        if raw.phone.is_none() {
            self.missing(&yaml::path_in_words(path), path, "phone");
        }
        Contact {
            name: self.text(&raw.name),
            description: self.text(&raw.description),
            ..self.contact(
                [&raw.phone, &raw.email, &raw.url],
                raw.schedule.as_deref(),
                path,
            )
        }
    }

    fn contact(
        &mut self,
        [phone, email, url]: [&Option<Scalar>; 3],
        schedule: Option<&[Part<RawOpening>]>,
        path: &str,
    ) -> Contact {
        let at = |key: &str| yaml::join_path(path, key);
        Contact {
            name: None,
            description: None,
            phone: phone.as_ref().and_then(|p| self.phone(p, &at("phone"))),
            email: email.as_ref().and_then(|e| self.email(e, &at("email"))),
            url: url.as_ref().and_then(|u| self.web_address(u, &at("url"))),
            opening_times: self.schedule(schedule.unwrap_or_default(), &at("schedule")),
        }
    }

    fn hub(&mut self, raw: &RawHub, path: &str) -> Hub {
        self.unknown_keys(&raw.unknown, path, HUB_KEYS);
        let name = self.required(&raw.name, path, "name").unwrap_or_default();
        let address_path = yaml::join_path(path, "address");
        let address = match &raw.address {
            None => {
                self.missing(&yaml::path_in_words(path), path, "address");
                Vec::new()
            }
            Some(part) => match self.part(part, &address_path) {
                Some(address) => self.address(address, &address_path),
                None => Vec::new(),
            },
        };
        let contact = self.contact(
            [&raw.phone, &raw.email, &raw.url],
            raw.schedule.as_deref(),
            path,
        );
        Hub {
            contact: Contact {
                name: Some(name.clone()),
                ..contact
            },
            name,
            address,
            accessibility: self.text(&raw.accessibility),
        }
    }

    fn address(&mut self, raw: &RawAddress, path: &str) -> Vec<String> {
        self.unknown_keys(&raw.unknown, path, ADDRESS_KEYS);
        let mut lines = Vec::new();
        lines.extend(self.required(&raw.address_1, path, "address_1"));
        lines.extend(self.text(&raw.address_2));
        lines.extend(self.required(&raw.city, path, "city"));
        let postcode_path = yaml::join_path(path, "postal_code");
        if let Some(written) = self.required(&raw.postal_code, path, "postal_code") {
            match postcode(&written) {
                Some(postcode) => lines.push(postcode),
                None => self.errors.push(ConfigError::BadPostcode {
                    value: written,
                    position: self.at(&postcode_path),
                }),
            }
        }
        lines
    }

    fn service(
        &mut self,
        raw: &RawService,
        path: &str,
        hubs: &[&str],
    ) -> Option<(&'static str, Service)> {
        self.unknown_keys(&raw.unknown, path, SERVICE_KEYS);
        let name = self.required(&raw.name, path, "name");
        let description = self.required(&raw.description, path, "description");
        let tier = self.choice(&raw.tier, path, "tier", &TIERS);
        let access = self.choice(&raw.access, path, "access", &ACCESS);
        let mut locations = Vec::new();
        for (index, location) in raw.locations.iter().flatten().enumerate() {
            let hub = location.text.trim();
            if hubs.contains(&hub) {
                locations.push(hub.to_owned());
            } else {
                self.errors.push(ConfigError::UnknownHub {
                    name: hub.to_owned(),
                    suggestion: did_you_mean(hub, hubs.iter().copied()).map(str::to_owned),
                    position: self.at(&format!("{path}.locations[{index}]")),
                });
            }
        }
        let contact = self.contact(
            [&raw.phone, &raw.email, &raw.url],
            raw.schedule.as_deref(),
            path,
        );
        let ((tier, _), (access, access_description)) = (tier?, access?);
        let name = name?;
        Some((
            tier,
            Service {
                contact: Contact {
                    name: Some(name.clone()),
                    ..contact
                },
                name,
                description: description?,
                eligibility_description: self.text(&raw.eligibility_description),
                access,
                access_description,
                locations,
            },
        ))
    }

    /// One of `choices`, by its name.
    fn choice(
        &mut self,
        value: &Option<Scalar>,
        path: &str,
        key: &'static str,
        choices: &[(&'static str, &'static str)],
    ) -> Option<(&'static str, &'static str)> {
        let written = self.required(value, path, key)?;
        let names = || choices.iter().map(|(name, _)| *name);
        let found = choices.iter().find(|(name, _)| *name == written).copied();
        if found.is_none() {
            self.errors.push(ConfigError::UnknownChoice {
                key,
                value: written.clone(),
                choices: names().collect::<Vec<_>>().join(", "),
                suggestion: did_you_mean(&written, names()).map(str::to_owned),
                position: self.at(&yaml::join_path(path, key)),
            });
        }
        found
    }

    fn phone(&mut self, value: &Scalar, path: &str) -> Option<Phone> {
        let written = value.text.trim();
        // YAML reads +441632960000 as a number and drops its +.
        let phone = phone(written).or_else(|| {
            (!value.is_text)
                .then(|| phone(&format!("+{written}")))
                .flatten()
        });
        if phone.is_none() {
            self.errors.push(ConfigError::BadPhone {
                value: written.to_owned(),
                read_as_number: !value.is_text,
                position: self.at(path),
            });
        }
        phone
    }

    fn email(&mut self, value: &Scalar, path: &str) -> Option<String> {
        let written = value.text.trim();
        let valid = is_email_address(written);
        if !valid {
            self.errors.push(ConfigError::BadEmail {
                value: written.to_owned(),
                position: self.at(path),
            });
        }
        valid.then(|| written.to_owned())
    }

    fn web_address(&mut self, value: &Scalar, path: &str) -> Option<String> {
        let written = value.text.trim();
        match web_address_problem(written) {
            None => Some(written.to_owned()),
            Some(reason) => {
                self.errors.push(ConfigError::BadWebAddress {
                    value: written.to_owned(),
                    reason,
                    position: self.at(path),
                });
                None
            }
        }
    }

    /// Each opening in words.
    fn schedule(&mut self, schedule: &[Part<RawOpening>], path: &str) -> Vec<String> {
        let mut lines = Vec::new();
        for (index, part) in schedule.iter().enumerate() {
            let path = format!("{path}[{index}]");
            let Some(raw) = self.part(part, &path) else {
                continue;
            };
            self.unknown_keys(&raw.unknown, &path, SCHEDULE_KEYS);
            lines.extend(self.opening(raw, &path));
        }
        lines
    }

    fn opening(&mut self, raw: &RawOpening, path: &str) -> Option<String> {
        let at = |key: &str| yaml::join_path(path, key);
        let description = self.text(&raw.description);
        let days = match self.text(&raw.byday) {
            Some(written) => {
                let days = days_in_words(&written);
                if days.is_none() {
                    self.errors.push(ConfigError::BadDays {
                        value: written,
                        position: self.at(&at("byday")),
                    });
                }
                days
            }
            None if description.is_some() => None,
            None => {
                self.missing(&yaml::path_in_words(path), path, "byday");
                None
            }
        };
        let mut time = |key: &'static str, value: &Option<Scalar>| {
            let written = self.text(value)?;
            let minutes = minutes(&written);
            if minutes.is_none() {
                self.errors.push(ConfigError::BadTime {
                    value: written,
                    position: self.at(&at(key)),
                });
            }
            minutes
        };
        let opens = time("opens_at", &raw.opens_at);
        let closes = time("closes_at", &raw.closes_at);
        for (key, given, other) in [
            ("closes_at", &raw.closes_at, &raw.opens_at),
            ("opens_at", &raw.opens_at, &raw.closes_at),
        ] {
            if given.is_none() && other.is_some() {
                self.missing(&yaml::path_in_words(path), path, key);
            }
        }
        let hours = match (opens, closes) {
            (Some(opens), Some(closes)) if closes <= opens => {
                self.errors.push(ConfigError::TimesOutOfOrder {
                    opens: clock(opens),
                    closes: clock(closes),
                    position: self.at(&at("closes_at")),
                });
                return None;
            }
            (Some(opens), Some(closes)) => Some(format!("{} to {}", clock(opens), clock(closes))),
            _ => None,
        };
        let words: Vec<String> = [days, hours, description].into_iter().flatten().collect();
        (!words.is_empty()).then(|| words.join(", "))
    }
}

/// A UK phone number, checked and tidied; `None` if it is not one. It may be written
/// with spaces, hyphens or brackets, and with +44 in place of the first 0.
pub fn phone(written: &str) -> Option<Phone> {
    if !written
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '+'))
    {
        return None;
    }
    let digits: String = written.chars().filter(char::is_ascii_digit).collect();
    let national = match written.trim_start().strip_prefix('+') {
        Some(_) => {
            let rest = digits.strip_prefix("44")?;
            format!("0{}", rest.strip_prefix('0').unwrap_or(rest))
        }
        None => digits,
    };
    let valid = match national.len() {
        // 999, 111, 119
        3 => matches!(national.as_str(), "999" | "111" | "119"),
        // Helplines of social value: 116 123.
        6 => national.starts_with("116"),
        10 | 11 => national.starts_with('0') && !national.starts_with("00"),
        _ => false,
    };
    valid.then(|| Phone {
        display: written.split_whitespace().collect::<Vec<_>>().join(" "),
        tel: national,
    })
}

/// Whether `written` looks like an email address: one `@`, a name before it and a
/// domain with a dot after it, and no spaces.
pub fn is_email_address(written: &str) -> bool {
    let Some((name, domain)) = written.split_once('@') else {
        return false;
    };
    !name.is_empty()
        && !name.contains(char::is_whitespace)
        && !name.contains(['<', '>', '(', ')', ',', ';', ':', '"', '@'])
        && domains::is_domain(domain)
}

/// What is wrong with a web address for people to visit, if anything.
pub fn web_address_problem(written: &str) -> Option<&'static str> {
    let Some(rest) = written
        .strip_prefix("https://")
        .or_else(|| written.strip_prefix("http://"))
    else {
        return Some("does not start with https://");
    };
    if written.contains(char::is_whitespace) {
        return Some("has a space in it");
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once(':').map_or(host, |(host, _port)| host);
    let host_ok = host.contains('.')
        && host.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    (!host_ok).then_some("has no site name, such as www.example.gov.uk")
}

/// A UK postcode written in capitals with one space before its last 3 characters;
/// `None` if it is not a postcode's shape.
pub fn postcode(written: &str) -> Option<String> {
    let compact: String = written
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
        return None;
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    let inward_ok = {
        let b = inward.as_bytes();
        b[0].is_ascii_digit() && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphabetic()
    };
    let letters = outward.bytes().take_while(u8::is_ascii_alphabetic).count();
    let rest = &outward.as_bytes()[letters..];
    let outward_ok = (1..=2).contains(&letters)
        && match rest {
            [d] => d.is_ascii_digit(),
            [d, x] => d.is_ascii_digit() && x.is_ascii_alphanumeric(),
            _ => false,
        };
    (inward_ok && outward_ok).then(|| format!("{outward} {inward}"))
}

/// Minutes after midnight for a time written `HH:MM` on the 24-hour clock;
/// `24:00` is the end of the day.
pub fn minutes(written: &str) -> Option<u32> {
    let (hours, mins) = written.split_once(':')?;
    if hours.len() != 2 || mins.len() != 2 {
        return None;
    }
    let (hours, mins): (u32, u32) = (hours.parse().ok()?, mins.parse().ok()?);
    let valid = (hours < 24 && mins < 60) || (hours == 24 && mins == 0);
    valid.then_some(hours * 60 + mins)
}

/// A time as people say it: "9am", "5:30pm", "midday", "midnight".
pub fn clock(minutes: u32) -> String {
    let (hours, mins) = (minutes / 60, minutes % 60);
    match (hours, mins) {
        (0 | 24, 0) => "midnight".into(),
        (12, 0) => "midday".into(),
        _ => {
            let suffix = if (12..24).contains(&hours) {
                "pm"
            } else {
                "am"
            };
            let hour = match hours % 12 {
                0 => 12,
                h => h,
            };
            if mins == 0 {
                format!("{hour}{suffix}")
            } else {
                format!("{hour}:{mins:02}{suffix}")
            }
        }
    }
}

const DAYS: [(&str, &str); 7] = [
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
];

/// Days written as in Open Referral UK's `byday` ("MO,TU,WE,TH,FR"), in words:
/// "Monday to Friday". `None` if a day is not one of the seven.
pub fn days_in_words(written: &str) -> Option<String> {
    let mut on = [false; 7];
    for code in written.split(',').map(str::trim) {
        let index = DAYS
            .iter()
            .position(|(short, _)| short.eq_ignore_ascii_case(code))?;
        on[index] = true;
    }
    if on.iter().all(|day| *day) {
        return Some("every day".into());
    }
    // Runs of 3 or more days in a row read as "Monday to Friday".
    let mut parts = Vec::new();
    let mut index = 0;
    while index < 7 {
        if !on[index] {
            index += 1;
            continue;
        }
        let start = index;
        while index < 7 && on[index] {
            index += 1;
        }
        let end = index - 1;
        match end - start {
            0 => parts.push(DAYS[start].1.to_owned()),
            1 => {
                parts.push(DAYS[start].1.to_owned());
                parts.push(DAYS[end].1.to_owned());
            }
            _ => parts.push(format!("{} to {}", DAYS[start].1, DAYS[end].1)),
        }
    }
    Some(match parts.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => return None,
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
";
        let (_, errors) = parse("test", text);
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
