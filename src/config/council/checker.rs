//! Checking a council's file value by value: each phone number, email and web
//! address, postcode, opening time and choice, reported at its line with a hint.
//! Uses `yaml`, `calendar`, `error` and the feed's `services` snapshot.

use crate::support::calendar::Date;
use crate::support::calendar::{self};
use crate::support::error::{Position, did_you_mean};
use crate::support::yaml::{self, Part, Places, Scalar, Unknown};

use super::*;

/// Checks values one at a time, keeping every mistake.
pub(super) struct Checker<'a> {
    pub(super) places: Places<'a>,
    pub(super) errors: Vec<ConfigError>,
    /// The council's slug, and its feed's snapshot, if it has one.
    pub(super) feed: (&'a str, SnapshotState<'a>),
    /// What is wrong with the records of the feed that the site shows.
    pub(super) feed_problems: Vec<FeedError>,
}

impl<'a> Checker<'a> {
    /// A checker for a file that has no feed to pick services from.
    pub(super) fn without_feed(places: Places<'a>) -> Checker<'a> {
        Checker {
            places,
            errors: Vec::new(),
            feed: ("", SnapshotState::Missing),
            feed_problems: Vec::new(),
        }
    }

    /// Where the value at `path` is written.
    pub(super) fn at(&self, path: &str) -> Position {
        self.places.value(path)
    }

    /// The part's value, or `None` after noting what was wrong with it.
    pub(super) fn part<'p, T>(&mut self, part: &'p Part<T>, path: &str) -> Option<&'p T> {
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

    pub(super) fn unknown_keys(&mut self, unknown: &Unknown, path: &str, known: &[&str]) {
        for key in unknown.keys() {
            let hint = match did_you_mean(key, known.iter().copied()) {
                Some(suggestion) => format!("did you mean '{suggestion}'?"),
                None => format!("the keys you can use here are: {}", known.join(", ")),
            };
            let position = self.places.key_of(&yaml::join_path(path, key));
            self.errors.push(ConfigError::Yaml {
                position,
                message: format!("unknown key '{key}' in {}", yaml::path_in_words(path)),
                hint: Some(hint),
            });
        }
    }

    pub(super) fn missing(&mut self, within: &str, path: &str, key: &'static str) {
        self.errors.push(ConfigError::MissingField {
            within: within.to_owned(),
            key,
            position: self.at(path),
        });
    }

    /// The value as trimmed text, or `None` if it is missing or empty.
    pub(super) fn text(&self, value: &Option<Scalar>) -> Option<String> {
        value
            .as_ref()
            .map(|v| v.text.trim().to_owned())
            .filter(|t| !t.is_empty())
    }

    /// A value `path` must have: noted as missing if it is not there.
    pub(super) fn required(
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

    pub(super) fn date(&mut self, value: &str, path: &str) -> Option<Date> {
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

    pub(super) fn labels(&mut self, raw: &RawLabels) -> Labels {
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
    pub(super) fn contact_line(&mut self, raw: &RawContact, path: &str) -> Contact {
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

    pub(super) fn contact(
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

    pub(super) fn hub(&mut self, raw: &RawHub, path: &str) -> Hub {
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

    pub(super) fn address(&mut self, raw: &RawAddress, path: &str) -> Vec<String> {
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

    pub(super) fn service(
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
        let locations = self.hub_locations(raw, path, hubs);
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
                description: vec![Block::paragraph(&description?)],
                eligibility_description: self.text(&raw.eligibility_description),
                access,
                access_description,
                locations,
            },
        ))
    }

    /// The hubs a service is at, each of them one of `hubs`.
    pub(super) fn hub_locations(
        &mut self,
        raw: &RawService,
        path: &str,
        hubs: &[&str],
    ) -> Vec<String> {
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
        locations
    }

    /// The council's feed: where its API is and how long a snapshot is trusted.
    pub(super) fn oruk(&mut self, raw: &RawOruk) -> Oruk {
        self.unknown_keys(&raw.unknown, "oruk", ORUK_KEYS);
        let api = (raw.api.as_ref()).and_then(|url| self.web_address(url, "oruk.api"));
        let months_trusted = match self.text(&raw.max_age_months) {
            None => crate::config::services::DEFAULT_MONTHS_TRUSTED,
            Some(written) => match written.parse::<u32>() {
                Ok(months) if months > 0 => months,
                _ => {
                    self.errors.push(ConfigError::BadCount {
                        key: "max_age_months",
                        value: written,
                        position: self.at("oruk.max_age_months"),
                    });
                    crate::config::services::DEFAULT_MONTHS_TRUSTED
                }
            },
        };
        Oruk {
            api,
            months_trusted,
        }
    }

    /// One of `choices`, by its name.
    pub(super) fn choice(
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

    pub(super) fn phone(&mut self, value: &Scalar, path: &str) -> Option<Phone> {
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

    pub(super) fn email(&mut self, value: &Scalar, path: &str) -> Option<String> {
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

    pub(super) fn web_address(&mut self, value: &Scalar, path: &str) -> Option<String> {
        (ConfigError::web_address(&value.text, self.at(path)))
            .map_err(|error| self.errors.push(error))
            .ok()
    }

    /// Each opening in words.
    pub(super) fn schedule(&mut self, schedule: &[Part<RawOpening>], path: &str) -> Vec<String> {
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

    pub(super) fn opening(&mut self, raw: &RawOpening, path: &str) -> Option<String> {
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
            (Some(opens), Some(closes)) => Some((opens, closes)),
            _ => None,
        };
        opening_in_words(days, hours, description)
    }
}
