//! `site.yaml`: reads each setting with where it is written, keeps a setting with a
//! mistake at its default, and says what is wrong. Uses `yaml`, `brand`, `domains`,
//! `language` and `error`.

use crate::support::brand::{self, Colour};
use crate::support::domains;
use crate::support::error::{Position, Severity};
use crate::support::language;
use crate::support::yaml::{self, Part, Places};

use super::council::statements::{self, RawAccessibility, RawPrivacy, RawStatements};
use super::languages::{self, RawLanguage};
use super::{BaseUrl, Brand, CheckSettings, ConfigError, KEYS, SiteConfig};

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCheck {
    max_sentence_words: Option<usize>,
    max_smog_grade: Option<f64>,
    min_reading_ease: Option<f64>,
    review_warning_days: Option<u32>,
    stale_translation_days: Option<u32>,
    missing_review: Option<String>,
    not_in_a_z: Option<String>,
    words_to_avoid: Option<std::collections::BTreeMap<String, String>>,
    allowed_words: Option<Vec<String>>,
    blocked_source_domains: Option<Vec<String>>,
    allowed_source_domains: Option<Vec<String>>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBrand {
    name: Option<String>,
    logo: Option<String>,
    logo_alt: Option<String>,
    colour: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(super) struct RawSiteConfig {
    title: Option<String>,
    description: Option<String>,
    base_url: Option<String>,
    language: Option<String>,
    languages: Option<Vec<Part<RawLanguage>>>,
    theme: Option<String>,
    brand: Option<RawBrand>,
    check: Option<RawCheck>,
    accessibility: Option<Part<RawAccessibility>>,
    privacy: Option<Part<RawPrivacy>>,
    qr_code_url: Option<String>,
    search: Option<bool>,
}

pub fn parse_site(
    text: &str,
    base_url_override: Option<&BaseUrl>,
) -> (SiteConfig, Vec<ConfigError>) {
    let parsed = yaml::parse_mapping::<RawSiteConfig>(text, 1, KEYS, "site.yaml");
    let mut errors: Vec<ConfigError> = parsed.errors.into_iter().map(ConfigError::from).collect();
    let raw = parsed.value;
    let places = parsed.places;
    let languages_unread = parsed.unread_keys.contains("languages");

    let title = raw.title.clone().unwrap_or_default();
    if raw.title.is_none() && !places.has_key("title") {
        errors.push(ConfigError::MissingKey { key: "title" });
    }
    let base_url = match (base_url_override, raw.base_url) {
        (Some(value), _) => Ok(value.clone()),
        (None, Some(value)) => parse_base_url(&value, Some(places.key("base_url"))),
        (None, None) if places.has_key("base_url") => Ok(BaseUrl {
            url: String::new(),
            path: "/".into(),
        }),
        (None, None) => Err(ConfigError::MissingKey { key: "base_url" }),
    };
    let base_url = base_url.unwrap_or_else(|e| {
        errors.push(e);
        BaseUrl {
            url: String::new(),
            path: "/".into(),
        }
    });
    let language = raw.language.unwrap_or_else(|| "en-GB".into());
    if !language::is_tag(&language) {
        errors.push(ConfigError::BadLanguage {
            value: language.clone(),
            position: places.value("language"),
        });
    }
    let listed = languages::read(
        raw.languages.as_deref().unwrap_or_default(),
        &language,
        &places,
        &mut errors,
    );
    let brand = parse_brand(&places, raw.brand.unwrap_or_default(), &title, &mut errors);
    let check = parse_check(&places, raw.check.unwrap_or_default(), &mut errors);
    let raw_statements = RawStatements {
        accessibility: raw.accessibility.as_ref(),
        privacy: raw.privacy.as_ref(),
    };
    let (statements, found) = statements::read_for_site(&places, raw_statements, &brand.name);
    errors.extend(found);
    let qr_code_url = (raw.qr_code_url.as_deref()).and_then(|url| {
        ConfigError::web_address(url, places.value("qr_code_url"))
            .map_err(|e| errors.push(e))
            .ok()
    });
    let site = SiteConfig {
        title,
        description: raw.description.unwrap_or_default(),
        base_url,
        direction: language::direction(&language),
        language,
        languages: listed.languages,
        unpublished_languages: listed.left_out,
        languages_unread,
        theme: raw.theme.unwrap_or_else(|| "default".into()),
        brand,
        check,
        council: None,
        statements: std::sync::Arc::new(statements),
        qr_code_url,
        search: raw.search.unwrap_or(true),
    };
    (site, errors)
}

pub(super) fn parse_brand(
    places: &Places,
    raw: RawBrand,
    title: &str,
    errors: &mut Vec<ConfigError>,
) -> Brand {
    let at = |key: &str| places.value(&format!("brand.{key}"));
    let colour = raw.colour.as_deref().and_then(|value| {
        let Some(colour) = Colour::parse(value) else {
            errors.push(ConfigError::BadColour {
                value: value.to_owned(),
                position: at("colour"),
            });
            return None;
        };
        let ratio = brand::contrast(brand::WHITE, colour);
        if ratio < brand::MIN_TEXT_CONTRAST {
            errors.push(ConfigError::LowContrast {
                colour: colour.hex(),
                ratio: brand::format_ratio(ratio),
                suggestion: brand::nearest_passing_shade(colour).hex(),
                position: at("colour"),
            });
        }
        Some(colour)
    });
    let logo_alt = raw.logo_alt.unwrap_or_default().trim().to_owned();
    if raw.logo.is_some() && logo_alt.is_empty() {
        errors.push(ConfigError::LogoWithoutAlt {
            position: at("logo"),
        });
    }
    Brand {
        name: raw.name.unwrap_or_else(|| title.to_owned()),
        logo_position: raw.logo.as_ref().map(|_| at("logo")),
        logo: raw
            .logo
            .map(|l| l.trim().trim_start_matches('/').to_owned()),
        logo_alt,
        colour,
    }
}

/// How a finding is reported, as `key` says: a warning unless it says `error` or
/// `off`, which leaves `severity` empty.
fn read_severity(
    (key, written): (&'static str, Option<&str>),
    severity: &mut Option<Severity>,
    position: Position,
    errors: &mut Vec<ConfigError>,
) {
    match written.map(str::trim) {
        None | Some("warning") => {}
        Some("error") => *severity = Some(Severity::Error),
        Some("off") => *severity = None,
        Some(other) => errors.push(ConfigError::BadSeverity {
            key,
            value: other.to_owned(),
            position,
        }),
    }
}

pub(super) fn parse_check(
    places: &Places,
    raw: RawCheck,
    errors: &mut Vec<ConfigError>,
) -> CheckSettings {
    let at = |key: &str| places.value(&format!("check.{key}"));
    let mut settings = CheckSettings::default();
    // A threshold with a mistake is left at its default, so the pages can still be
    // checked.
    let mut positive = |key: &'static str, value: f64| {
        let valid = value > 0.0 && value.is_finite();
        if !valid {
            errors.push(ConfigError::BadThreshold {
                key,
                position: at(key),
            });
        }
        valid
    };
    if let Some(words) = raw.max_sentence_words {
        if positive("max_sentence_words", words as f64) {
            settings.max_sentence_words = words;
        }
    }
    if let Some(grade) = raw.max_smog_grade {
        if positive("max_smog_grade", grade) {
            settings.max_smog_grade = grade;
        }
    }
    if let Some(ease) = raw.min_reading_ease {
        settings.min_reading_ease = ease;
    }
    if let Some(days) = raw.review_warning_days {
        settings.review_warning_days = i64::from(days);
    }
    if let Some(days) = raw.stale_translation_days {
        settings.stale_translation_days = i64::from(days);
    }
    let mut severity = |key: &'static str, written: Option<String>, severity: &mut _| {
        read_severity((key, written.as_deref()), severity, at(key), errors);
    };
    severity(
        "missing_review",
        raw.missing_review,
        &mut settings.missing_review,
    );
    severity("not_in_a_z", raw.not_in_a_z, &mut settings.not_in_a_z);
    read_words(&mut settings, raw.allowed_words, raw.words_to_avoid);
    let allowed = read_domains(
        places,
        "allowed_source_domains",
        raw.allowed_source_domains,
        errors,
    );
    let blocked = read_domains(
        places,
        "blocked_source_domains",
        raw.blocked_source_domains,
        errors,
    );
    settings
        .blocked_source_domains
        .retain(|domain| !allowed.contains(domain));
    for domain in blocked {
        if !settings.blocked_source_domains.contains(&domain) {
            settings.blocked_source_domains.push(domain);
        }
    }
    settings
}

/// The words to avoid: the defaults without those `allowed`, with those the site
/// adds, each with what to write instead.
fn read_words(
    settings: &mut CheckSettings,
    allowed: Option<Vec<String>>,
    to_avoid: Option<std::collections::BTreeMap<String, String>>,
) {
    let allowed: Vec<String> = allowed
        .unwrap_or_default()
        .iter()
        .map(|w| normalise_word(w))
        .collect();
    settings
        .words_to_avoid
        .retain(|(word, _)| !allowed.contains(word));
    for (word, instead) in to_avoid.unwrap_or_default() {
        let word = normalise_word(&word);
        if word.is_empty() {
            continue;
        }
        settings.words_to_avoid.retain(|(w, _)| *w != word);
        settings
            .words_to_avoid
            .push((word, instead.trim().to_owned()));
    }
}

/// The domains listed under `check.<key>`, each made plain; a value that is not a
/// domain is reported at its line and left out.
fn read_domains(
    places: &Places,
    key: &'static str,
    written: Option<Vec<String>>,
    errors: &mut Vec<ConfigError>,
) -> Vec<String> {
    let written = written.unwrap_or_default();
    let mut valid = Vec::with_capacity(written.len());
    for (index, value) in written.into_iter().enumerate() {
        let domain = domains::normalise(&value);
        if domains::is_domain(&domain) {
            valid.push(domain);
            continue;
        }
        let item = format!("check.{key}[{index}]");
        errors.push(ConfigError::BadDomain {
            key,
            suggestion: domains::host_of(&value)
                .map(|host| host.strip_prefix("www.").unwrap_or(&host).to_owned())
                .filter(|domain| domains::is_domain(domain)),
            value,
            position: places.value(&item),
        });
    }
    valid
}

/// A word to avoid as it is matched: lowercase, with a plain apostrophe.
pub fn normalise_word(word: &str) -> String {
    word.trim().to_lowercase().replace('\u{2019}', "'")
}

/// Checks a base URL and splits off its path; adds the final `/` if it is missing.
pub fn parse_base_url(value: &str, position: Option<Position>) -> Result<BaseUrl, ConfigError> {
    let bad = |reason| ConfigError::BadBaseUrl {
        value: value.to_owned(),
        reason,
        position,
    };
    let trimmed = value.trim();
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| bad("does not start with https:// or http://"))?;
    if trimmed.contains(['?', '#', ' ', '\\']) {
        return Err(bad("cannot have spaces, a query or a fragment"));
    }
    let (host, path) = match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash..]),
        None => (rest, "/"),
    };
    if host.is_empty() || host.starts_with('.') || host.ends_with('.') {
        return Err(bad("has no host name"));
    }
    if path.split('/').any(|p| p == ".." || p == ".") {
        return Err(bad("cannot have `.` or `..` in its path"));
    }
    let path = if path.ends_with('/') {
        path.to_owned()
    } else {
        format!("{path}/")
    };
    let scheme_len = trimmed.len() - rest.len();
    Ok(BaseUrl {
        url: format!("{}{host}{path}", &trimmed[..scheme_len]),
        path,
    })
}
