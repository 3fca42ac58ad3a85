//! What can be wrong with the settings, a council's file or how tellyou was run,
//! each with where it is and a hint that shows the fix. Uses `error`, `yaml` and
//! `council` for what a web address is.

use crate::config::council::web_address_problem;
use crate::support::error::{Position, Severity, StageError, did_you_mean};
use crate::support::yaml::YamlError;

/// What can be wrong with the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {file}: {reason}")]
    Unreadable { file: String, reason: String },
    #[error("{message}")]
    Yaml {
        position: Position,
        message: String,
        hint: Option<String>,
    },
    #[error("site.yaml has no '{key}'")]
    MissingKey { key: &'static str },
    #[error("the base URL {value:?} {reason}")]
    BadBaseUrl {
        value: String,
        reason: &'static str,
        position: Option<Position>,
    },
    #[error("the language {value:?} is not a language tag")]
    BadLanguage { value: String, position: Position },
    #[error("{own} is the site's own language, so it is not translated into")]
    OwnLanguage { own: String, position: Position },
    #[error("the language {code} is listed twice")]
    LanguageTwice { code: String, position: Position },
    #[error("tellyou does not know the name of the language {code} in itself")]
    LanguageWithoutName { code: String, position: Position },
    #[error("the direction {value:?} is not ltr or rtl")]
    BadLanguageDirection { value: String, position: Position },
    #[error("the brand colour {value:?} is not a colour")]
    BadColour { value: String, position: Position },
    #[error(
        "white text on the brand colour {colour} has a contrast of {ratio}; it needs at least 4.5:1"
    )]
    LowContrast {
        colour: String,
        ratio: String,
        suggestion: String,
        position: Position,
    },
    #[error("the brand logo has no alt text")]
    LogoWithoutAlt { position: Position },
    #[error("there is no file {path:?} in static/ for the brand logo")]
    LogoNotFound {
        path: String,
        position: Position,
        /// The council's own folder of files, for a council's logo.
        council_static: Option<String>,
    },
    #[error("{key} is {value:?}; it can be 'warning', 'error' or 'off'")]
    BadSeverity {
        key: &'static str,
        value: String,
        position: Position,
    },
    #[error("{key} cannot be negative or zero")]
    BadThreshold {
        key: &'static str,
        position: Position,
    },
    #[error("{value:?} in {key} is not a domain")]
    BadDomain {
        key: &'static str,
        value: String,
        /// The domain of `value`, when it is a web address.
        suggestion: Option<String>,
        position: Position,
    },
    #[error("there is no site.yaml here, so this folder is not a tellyou project")]
    NoProject,
    #[error("there are no council files in councils/")]
    NoCouncils,
    #[error("there is no council file councils/{slug}.yaml")]
    UnknownCouncil { slug: String, known: Vec<String> },
    #[error("{within} has no '{key}'")]
    MissingField {
        within: String,
        key: &'static str,
        position: Position,
    },
    #[error("{value:?} is not a date written as YYYY-MM-DD")]
    BadDate {
        key: String,
        value: String,
        position: Position,
    },
    #[error("{}", if *read_as_number { format!("the phone number {value} was read as a number, not as it is written") } else { format!("{value:?} is not a UK phone number") })]
    BadPhone {
        value: String,
        read_as_number: bool,
        position: Position,
    },
    #[error("{value:?} is not an email address")]
    BadEmail { value: String, position: Position },
    #[error("the web address {value:?} {reason}")]
    BadWebAddress {
        value: String,
        reason: &'static str,
        position: Position,
    },
    #[error("{value:?} is not a time written as HH:MM")]
    BadTime { value: String, position: Position },
    #[error("it closes at {closes}, which is not after it opens at {opens}")]
    TimesOutOfOrder {
        opens: String,
        closes: String,
        position: Position,
    },
    #[error("{value:?} is not a list of days")]
    BadDays { value: String, position: Position },
    #[error("{value:?} is not a UK postcode")]
    BadPostcode { value: String, position: Position },
    #[error("'{key}' is {value:?}; it can be {choices}")]
    UnknownChoice {
        key: &'static str,
        value: String,
        choices: String,
        suggestion: Option<String>,
        position: Position,
    },
    #[error("there is no hub called {name:?} in 'hubs'")]
    UnknownHub {
        name: String,
        suggestion: Option<String>,
        position: Position,
    },
    #[error("{file} has no '{key}', which the {key} statement is made from")]
    StatementMissing {
        file: String,
        key: &'static str,
        needs: String,
        position: Position,
    },
    #[error("{value:?} in '{key}' is not a whole number above 0")]
    BadCount {
        key: &'static str,
        value: String,
        position: Position,
    },
    #[error("{within} has no email, phone or url, so no one could reach it")]
    ContactWithoutWay { within: String, position: Position },
    #[error("there is no snapshot councils/{slug}/services.json to take the service {id:?} from")]
    NoSnapshot {
        slug: String,
        id: String,
        position: Position,
    },
    #[error("there is no service with the id {id:?} in the snapshot of the feed")]
    UnknownOrukId {
        id: String,
        suggestion: Option<String>,
        position: Position,
    },
    #[error("the service {id:?} ({name}) is {status:?} in the feed, not active")]
    InactiveOrukId {
        id: String,
        name: String,
        status: String,
        position: Position,
    },
    #[error("no service in the snapshot of the feed is filed under {term:?}")]
    NothingFiledUnder { term: String, position: Position },
    #[error("'{key}' would give every service of this entry the same {key}")]
    OverrideInBulk {
        key: &'static str,
        position: Position,
    },
    #[error("two hubs are called {name:?}")]
    DuplicateHub { name: String, position: Position },
    #[error(
        "the local services were last checked on {checked}; they were due to be checked again by {due}"
    )]
    LocalDetailsOutOfDate {
        checked: String,
        due: String,
        position: Position,
    },
}

impl From<YamlError> for ConfigError {
    fn from(error: YamlError) -> ConfigError {
        ConfigError::Yaml {
            position: error.position,
            message: error.message,
            hint: error.hint,
        }
    }
}

impl StageError for ConfigError {
    fn position(&self) -> Option<Position> {
        match self {
            ConfigError::Yaml { position, .. }
            | ConfigError::BadLanguage { position, .. }
            | ConfigError::OwnLanguage { position, .. }
            | ConfigError::LanguageTwice { position, .. }
            | ConfigError::LanguageWithoutName { position, .. }
            | ConfigError::BadLanguageDirection { position, .. }
            | ConfigError::BadColour { position, .. }
            | ConfigError::LowContrast { position, .. }
            | ConfigError::LogoWithoutAlt { position }
            | ConfigError::LogoNotFound { position, .. }
            | ConfigError::BadSeverity { position, .. }
            | ConfigError::BadThreshold { position, .. }
            | ConfigError::BadDomain { position, .. }
            | ConfigError::MissingField { position, .. }
            | ConfigError::BadDate { position, .. }
            | ConfigError::BadPhone { position, .. }
            | ConfigError::BadEmail { position, .. }
            | ConfigError::BadWebAddress { position, .. }
            | ConfigError::BadTime { position, .. }
            | ConfigError::TimesOutOfOrder { position, .. }
            | ConfigError::BadDays { position, .. }
            | ConfigError::BadPostcode { position, .. }
            | ConfigError::UnknownChoice { position, .. }
            | ConfigError::UnknownHub { position, .. }
            | ConfigError::DuplicateHub { position, .. }
            | ConfigError::StatementMissing { position, .. }
            | ConfigError::BadCount { position, .. }
            | ConfigError::ContactWithoutWay { position, .. }
            | ConfigError::NoSnapshot { position, .. }
            | ConfigError::UnknownOrukId { position, .. }
            | ConfigError::InactiveOrukId { position, .. }
            | ConfigError::NothingFiledUnder { position, .. }
            | ConfigError::OverrideInBulk { position, .. }
            | ConfigError::LocalDetailsOutOfDate { position, .. } => Some(*position),
            ConfigError::BadBaseUrl { position, .. } => *position,
            ConfigError::Unreadable { .. }
            | ConfigError::MissingKey { .. }
            | ConfigError::UnknownCouncil { .. }
            | ConfigError::NoProject
            | ConfigError::NoCouncils => None,
        }
    }

    fn severity(&self) -> Severity {
        match self {
            ConfigError::LocalDetailsOutOfDate { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    fn hint(&self) -> Option<String> {
        self.settings_hint().or_else(|| self.council_hint())
    }
}

impl ConfigError {
    /// `written`, trimmed, if it is a web address; or else the error that says why
    /// not, at `position`.
    pub(crate) fn web_address(written: &str, position: Position) -> Result<String, ConfigError> {
        let value = written.trim();
        match web_address_problem(value) {
            None => Ok(value.to_owned()),
            Some(reason) => Err(ConfigError::BadWebAddress {
                value: value.to_owned(),
                reason,
                position,
            }),
        }
    }

    /// The hint for a mistake in the settings, or in how tellyou was run.
    fn settings_hint(&self) -> Option<String> {
        match self {
            ConfigError::Unreadable { .. } => Some(
                "run tellyou in the project folder, the one that holds site.yaml and content/"
                    .into(),
            ),
            ConfigError::Yaml { hint, .. } => hint.clone(),
            ConfigError::MissingKey { key: "base_url" } => Some(
                "add the address the site will live at, such as `base_url: https://www.example.gov.uk/start-for-life/`".into(),
            ),
            ConfigError::MissingKey { key } => Some(format!("add a line `{key}: ...`")),
            ConfigError::BadBaseUrl { .. } => Some(
                "write the full address, such as https://www.example.gov.uk/start-for-life/".into(),
            ),
            ConfigError::BadLanguage { .. } => Some("use a tag such as en-GB or cy".into()),
            ConfigError::OwnLanguage { .. } => Some(
                "remove it from languages: pages in the site's own language are the ones without a language in their file name".into(),
            ),
            ConfigError::LanguageTwice { .. } => Some("remove one of them".into()),
            ConfigError::LanguageWithoutName { code, .. } => Some(format!(
                "write it with its name, as its readers write it: `- {{ code: {code}, name: ... }}`"
            )),
            ConfigError::BadLanguageDirection { .. } => Some(
                "write `direction: rtl` for a script written right to left, or leave it out to have it found from the language".into(),
            ),
            ConfigError::BadColour { .. } => {
                Some("write it as a hex code in quotes, such as colour: \"#005eb8\"".into())
            }
            ConfigError::LowContrast { suggestion, .. } => Some(format!(
                "the nearest colour that passes is {suggestion}: use colour: \"{suggestion}\""
            )),
            ConfigError::LogoWithoutAlt { .. } => Some(
                "add a line such as `logo_alt: Example Council` that says what the logo shows".into(),
            ),
            ConfigError::LogoNotFound { council_static: Some(folder), .. } => Some(format!(
                "put the logo in {folder} (or static/ to share it) and give its path from there"
            )),
            ConfigError::LogoNotFound { .. } => {
                Some("put the logo in the static/ folder and give its path from there".into())
            }
            ConfigError::BadSeverity { key: "missing_review", .. } => Some("write `missing_review: error` to make a page without review dates or sources fail the build".into()),
            ConfigError::BadSeverity { key, .. } => Some(format!("write `{key}: error` to make it fail the build, or `{key}: off` to say nothing")),
            ConfigError::BadThreshold { .. } => Some("leave it out to use the default".into()),
            ConfigError::BadDomain { suggestion: Some(domain), .. } => Some(format!(
                "write just the site's domain, without https:// or a /, such as {domain}"
            )),
            ConfigError::BadDomain { .. } => Some(
                "write just the site's domain, such as scribd.com: its name with the dots, without https:// or a /".into(),
            ),
            ConfigError::NoProject => Some(
                "run tellyou in the project folder, the one that holds site.yaml and content/".into(),
            ),
            ConfigError::NoCouncils => Some(
                "write a council's file, such as councils/brackenford.yaml: docs/councils.md shows how".into(),
            ),
            ConfigError::UnknownCouncil { known, .. } if known.is_empty() => Some(
                "make a folder called councils next to site.yaml and write the council's file in it, such as councils/brackenford.yaml".into(),
            ),
            ConfigError::UnknownCouncil { slug, known } => Some(match did_you_mean(slug, known.iter().map(String::as_str)) {
                Some(suggestion) => format!("did you mean {suggestion}?"),
                None => format!("the councils are: {}", known.join(", ")),
            }),
            _ => None,
        }
    }

    /// The hint for a mistake in a council's file.
    fn council_hint(&self) -> Option<String> {
        match self {
            ConfigError::MissingField { key, .. } => Some(format!("add a line `{key}: ...`")),
            ConfigError::BadDate { .. } => Some("write the date as year, month and day, such as 2026-11-23".into()),
            ConfigError::BadPhone { read_as_number: true, .. } => Some(
                "put the number in quotes, as it is dialled in the UK: phone: \"01632 960000\"".into(),
            ),
            ConfigError::BadPhone { .. } => Some(
                "write the number as you would dial it in the UK, with its area code, such as 01632 960000".into(),
            ),
            ConfigError::BadEmail { .. } => Some("write the whole address, such as familyhubs@example.gov.uk".into()),
            ConfigError::BadWebAddress { .. } => Some(
                "write the full address, as your browser shows it, such as https://www.example.gov.uk/family-hubs".into(),
            ),
            ConfigError::BadTime { .. } => Some(
                "use the 24-hour clock, with 2 digits for hours and minutes, in quotes: \"09:00\" or \"17:30\"".into(),
            ),
            ConfigError::TimesOutOfOrder { .. } => Some(
                "check the times are on the 24-hour clock; a line open until midnight closes at \"24:00\"".into(),
            ),
            ConfigError::BadDays { .. } => Some(
                "write the days as two-letter codes with commas, such as MO,TU,WE,TH,FR".into(),
            ),
            ConfigError::BadPostcode { .. } => Some("write the full postcode, such as SW1A 1AA".into()),
            ConfigError::UnknownChoice { suggestion: Some(s), .. } => Some(format!("did you mean '{s}'?")),
            ConfigError::UnknownChoice { .. } => None,
            ConfigError::UnknownHub { suggestion: Some(s), .. } => Some(format!("did you mean {s:?}?")),
            ConfigError::UnknownHub { .. } => Some(
                "use the name of a hub exactly as it is written in 'hubs'".into(),
            ),
            ConfigError::DuplicateHub { .. } => Some(
                "give each hub its own name, so that services can say which one they are at".into(),
            ),
            ConfigError::StatementMissing { key, needs, .. } => Some(format!(
                "add `{key}:` with {needs}; docs/councils.md shows each line"
            )),
            ConfigError::BadCount { .. } => Some("write a number, such as 10".into()),
            ConfigError::ContactWithoutWay { .. } => Some(
                "add at least one of `email:`, `phone:` or `url:` (the address of a contact form)".into(),
            ),
            ConfigError::NoSnapshot { slug, .. } => Some(format!(
                "run `tellyou services pull --council {slug}` to take a snapshot of the council's feed, then commit it"
            )),
            ConfigError::UnknownOrukId { suggestion: Some(s), .. } => Some(format!("did you mean {s:?}?")),
            ConfigError::UnknownOrukId { .. } => Some(
                "copy the id from the council's directory, or pull the feed again if the service is new".into(),
            ),
            ConfigError::InactiveOrukId { .. } => Some(
                "check with the service, then take it out of the council file or wait until the directory shows it as active".into(),
            ),
            ConfigError::NothingFiledUnder { .. } => Some(
                "use a term's id or its words exactly as the feed writes them".into(),
            ),
            ConfigError::OverrideInBulk { .. } => Some(
                "pick the service on its own with `oruk_id:` to give it its own words".into(),
            ),
            ConfigError::LocalDetailsOutOfDate { .. } => Some(
                "check each phone number, address and opening time with the services, then set last_checked to the date you checked".into(),
            ),
            _ => None,
        }
    }
}
