//! The details of the two statements a UK public sector website must publish: the
//! accessibility statement, in the form of the GOV.UK sample statement, and the
//! privacy statement. They are read from `accessibility:` and `privacy:` in a
//! council's file, or in `site.yaml` for the site's own build, value by value,
//! with every mistake at its line. Uses `yaml`, `calendar` and `error`.

use serde::{Deserialize, Serialize};

use super::checker::Checker;
use super::{ConfigError, Contact};
use crate::support::calendar::{self, Date, ShownDate};
use crate::support::error::did_you_mean;
use crate::support::yaml::{self, Part, Places, Scalar, Unknown};

const ACCESSIBILITY_KEYS: &[&str] = &[
    "organisation",
    "contact",
    "reply_days",
    "compliance",
    "problems",
    "tested_on",
    "tested_by",
    "prepared_on",
    "reviewed_on",
];
const PRIVACY_KEYS: &[&str] = &["organisation", "contact", "notice_url"];
const STATEMENT_CONTACT_KEYS: &[&str] = &["name", "email", "phone", "url"];

/// What the accessibility statement needs, as its missing-block error names them.
pub const ACCESSIBILITY_NEEDS: &[&str] = &["contact", "tested_on", "prepared_on"];
/// What the privacy statement needs.
pub const PRIVACY_NEEDS: &[&str] = &["contact"];

/// How far the site meets WCAG 2.2 AA, in the words of the regulations. A site
/// says `fully` only when it chooses to: automated tests cannot prove it.
const COMPLIANCE: [(&str, &str); 3] = [
    ("fully", "fully compliant"),
    ("partially", "partially compliant"),
    ("not", "not compliant"),
];

/// The two statements, as templates see them (`statements` in a template).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Statements {
    pub accessibility: Option<AccessibilityStatement>,
    pub privacy: Option<PrivacyStatement>,
}

/// A page made from one of the statements: its address in the site, and the
/// theme's template that makes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatementPage {
    pub url_path: &'static str,
    pub template: &'static str,
    /// The id of the interface message that is its title, as `t` holds it.
    pub title: &'static str,
}

impl Statements {
    /// The pages of the statements the site has, in the footer's order.
    pub fn pages(&self) -> Vec<StatementPage> {
        let mut pages = Vec::new();
        if self.accessibility.is_some() {
            pages.push(StatementPage {
                url_path: "accessibility/",
                template: "accessibility.html",
                title: "accessibility_title",
            });
        }
        if self.privacy.is_some() {
            pages.push(StatementPage {
                url_path: "privacy/",
                template: "privacy.html",
                title: "privacy_title",
            });
        }
        pages
    }
}

/// The accessibility statement's details.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccessibilityStatement {
    /// Who runs the site.
    pub organisation: String,
    /// Where to ask for another format or report a problem.
    pub contact: Contact,
    /// The working days within which the organisation replies, if it says.
    pub reply_days: Option<u32>,
    /// `fully`, `partially` or `not`.
    pub compliance: &'static str,
    /// The compliance in the regulations' words: "partially compliant".
    pub compliance_words: &'static str,
    /// Each part that is not accessible, and why, in the organisation's words.
    pub problems: Vec<String>,
    pub tested_on: ShownDate,
    pub tested_by: String,
    pub prepared_on: ShownDate,
    pub reviewed_on: ShownDate,
}

/// The privacy statement's details.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrivacyStatement {
    /// Who runs the site and controls what its web server records.
    pub organisation: String,
    /// The data protection officer, or whoever answers questions about data.
    pub contact: Contact,
    /// The organisation's own privacy notice, which covers its web server.
    pub notice_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawAccessibility {
    organisation: Option<Scalar>,
    contact: Option<Part<RawStatementContact>>,
    reply_days: Option<Scalar>,
    compliance: Option<Scalar>,
    problems: Option<Vec<Scalar>>,
    tested_on: Option<Scalar>,
    tested_by: Option<Scalar>,
    prepared_on: Option<Scalar>,
    reviewed_on: Option<Scalar>,
    #[serde(flatten)]
    unknown: Unknown,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawPrivacy {
    organisation: Option<Scalar>,
    contact: Option<Part<RawStatementContact>>,
    notice_url: Option<Scalar>,
    #[serde(flatten)]
    unknown: Unknown,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawStatementContact {
    name: Option<Scalar>,
    email: Option<Scalar>,
    phone: Option<Scalar>,
    url: Option<Scalar>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// The two blocks as written, either of which may be missing.
pub struct RawStatements<'r> {
    pub accessibility: Option<&'r Part<RawAccessibility>>,
    pub privacy: Option<&'r Part<RawPrivacy>>,
}

/// The statements of `site.yaml`, whose places are `places`, for a site run by
/// `organisation`. A site without the blocks publishes no statements.
pub fn read_for_site(
    places: &Places,
    raw: RawStatements,
    organisation: &str,
) -> (Statements, Vec<ConfigError>) {
    let mut checker = Checker::without_feed(places.clone());
    let statements = checker.statements(raw, organisation, None);
    (statements, checker.errors)
}

impl Checker<'_> {
    /// The statements; when `required_in` names the file, a missing block is an
    /// error naming what it needs.
    pub(super) fn statements(
        &mut self,
        raw: RawStatements,
        organisation: &str,
        required_in: Option<&str>,
    ) -> Statements {
        if let Some(file) = required_in {
            for (key, present, needs) in [
                (
                    "accessibility",
                    raw.accessibility.is_some(),
                    ACCESSIBILITY_NEEDS,
                ),
                ("privacy", raw.privacy.is_some(), PRIVACY_NEEDS),
            ] {
                if !present {
                    self.errors.push(ConfigError::StatementMissing {
                        file: file.to_owned(),
                        key,
                        needs: needs.join(", "),
                        position: self.places.top(),
                    });
                }
            }
        }
        let accessibility = raw
            .accessibility
            .and_then(|part| self.part(part, "accessibility"))
            .and_then(|raw| self.accessibility(raw, organisation));
        let privacy = raw
            .privacy
            .and_then(|part| self.part(part, "privacy"))
            .and_then(|raw| self.privacy(raw, organisation));
        Statements {
            accessibility,
            privacy,
        }
    }

    fn accessibility(
        &mut self,
        raw: &RawAccessibility,
        organisation: &str,
    ) -> Option<AccessibilityStatement> {
        let path = "accessibility";
        self.unknown_keys(&raw.unknown, path, ACCESSIBILITY_KEYS);
        let organisation = self
            .text(&raw.organisation)
            .unwrap_or_else(|| organisation.to_owned());
        let contact = self.statement_contact(raw.contact.as_ref(), path);
        let reply_days = self.text(&raw.reply_days).and_then(|written| {
            let days = written.parse::<u32>().ok().filter(|days| *days > 0);
            if days.is_none() {
                self.errors.push(ConfigError::BadCount {
                    key: "reply_days",
                    value: written,
                    position: self.at("accessibility.reply_days"),
                });
            }
            days
        });
        let compliance = match raw.compliance {
            Some(_) => self.choice(&raw.compliance, path, "compliance", &COMPLIANCE),
            None => Some(COMPLIANCE[1]),
        };
        let problems = (raw.problems.iter().flatten())
            .map(|problem| problem.text.trim().to_owned())
            .filter(|problem| !problem.is_empty())
            .collect();
        // A key written with a typo has been reported as unknown, with its fix.
        let misspelt: Vec<&str> = (raw.unknown.keys())
            .filter_map(|key| did_you_mean(key, ACCESSIBILITY_KEYS.iter().copied()))
            .collect();
        let mut date = |value: &Option<Scalar>, key: &'static str| -> Option<Date> {
            let written = match misspelt.contains(&key) {
                true => self.text(value)?,
                false => self.required(value, path, key)?,
            };
            self.date(&written, &yaml::join_path(path, key))
        };
        let tested_on = date(&raw.tested_on, "tested_on");
        let prepared_on = date(&raw.prepared_on, "prepared_on");
        let reviewed_on = match raw.reviewed_on {
            Some(_) => date(&raw.reviewed_on, "reviewed_on"),
            None => prepared_on,
        };
        let tested_by = self
            .text(&raw.tested_by)
            .unwrap_or_else(|| organisation.clone());
        let (contact, (compliance, compliance_words)) = (contact?, compliance?);
        Some(AccessibilityStatement {
            organisation,
            contact,
            reply_days,
            compliance,
            compliance_words,
            problems,
            tested_on: calendar::shown(tested_on?),
            tested_by,
            prepared_on: calendar::shown(prepared_on?),
            reviewed_on: calendar::shown(reviewed_on?),
        })
    }

    fn privacy(&mut self, raw: &RawPrivacy, organisation: &str) -> Option<PrivacyStatement> {
        let path = "privacy";
        self.unknown_keys(&raw.unknown, path, PRIVACY_KEYS);
        let contact = self.statement_contact(raw.contact.as_ref(), path);
        let notice_url = raw
            .notice_url
            .as_ref()
            .and_then(|url| self.web_address(url, "privacy.notice_url"));
        Some(PrivacyStatement {
            organisation: self
                .text(&raw.organisation)
                .unwrap_or_else(|| organisation.to_owned()),
            contact: contact?,
            notice_url,
        })
    }

    /// A contact that a reader can reach: by email, phone or a web form.
    fn statement_contact(
        &mut self,
        part: Option<&Part<RawStatementContact>>,
        within: &str,
    ) -> Option<Contact> {
        let path = yaml::join_path(within, "contact");
        let Some(part) = part else {
            self.missing(&yaml::path_in_words(within), within, "contact");
            return None;
        };
        let raw = self.part(part, &path)?;
        self.unknown_keys(&raw.unknown, &path, STATEMENT_CONTACT_KEYS);
        if [&raw.email, &raw.phone, &raw.url]
            .iter()
            .all(|value| self.text(value).is_none())
        {
            self.errors.push(ConfigError::ContactWithoutWay {
                within: yaml::path_in_words(&path),
                position: self.at(&path),
            });
            return None;
        }
        Some(Contact {
            name: self.text(&raw.name),
            ..self.contact([&raw.phone, &raw.email, &raw.url], None, &path)
        })
    }
}
