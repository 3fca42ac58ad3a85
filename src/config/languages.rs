//! `languages:` in `site.yaml` or a council's file: the languages a site is
//! translated into besides its own, each with its BCP 47 code, its own name and the
//! direction its script is written in, which comes from ICU4X unless the list says.
//! Uses `language`, `yaml` and `error`.

use crate::support::error::did_you_mean;
use crate::support::language::{self, Direction};
use crate::support::yaml::{self, Part, Places, Unknown};

use super::ConfigError;

/// A language the site's pages are translated into.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Language {
    /// The BCP 47 tag, as written in a translation's file name: `pl`, `pa-Guru`.
    pub code: String,
    /// The language's name in itself: `Polski`, `اردو`.
    pub name: String,
    pub direction: Direction,
    /// Lowercase words or phrases the language's pages avoid, each with what to
    /// write instead. The site's own list is in its own language, so it is not
    /// used for translations.
    pub words_to_avoid: Vec<(String, String)>,
}

/// One item of `languages:`, as written: a code, or a code with a name and a
/// direction.
#[derive(Debug, Clone)]
pub enum RawLanguage {
    Code(String),
    Described(DescribedLanguage),
}

impl<'de> serde::Deserialize<'de> for RawLanguage {
    /// A mapping is read as a described language, with its mistakes named by key;
    /// anything else as a code, so that serde says plainly what it is instead.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_yaml::Value::deserialize(deserializer)?;
        if value.is_mapping() {
            return DescribedLanguage::deserialize(value)
                .map(RawLanguage::Described)
                .map_err(D::Error::custom);
        }
        String::deserialize(value)
            .map(RawLanguage::Code)
            .map_err(D::Error::custom)
    }
}

/// The languages a list names: those the site is published in, and the codes of
/// those left out for a mistake reported where it is written, whose translations
/// are then left out without a word more.
#[derive(Debug, Default)]
pub struct Listed {
    pub languages: Vec<Language>,
    pub left_out: Vec<String>,
}

/// The keys a described language may have.
const LANGUAGE_KEYS: &[&str] = &["code", "name", "direction", "words_to_avoid"];

#[derive(Debug, Clone, serde::Deserialize)]
pub struct DescribedLanguage {
    code: String,
    name: Option<String>,
    direction: Option<String>,
    words_to_avoid: Option<std::collections::BTreeMap<String, String>>,
    /// Keys it may not have, each reported while the language is still read, so
    /// that its translations are not reported too.
    #[serde(flatten)]
    unknown: Unknown,
}

/// Reads the list at `key` (`languages`), reporting each item that cannot be used
/// and leaving it out. `own` is the tag of the site's own language, which is not
/// translated into.
pub fn read(
    raw: &[Part<RawLanguage>],
    own: &str,
    places: &Places,
    errors: &mut Vec<ConfigError>,
) -> Listed {
    let mut listed = Listed::default();
    for (index, part) in raw.iter().enumerate() {
        if let Part::Read(RawLanguage::Described(described)) = part {
            for key in described.unknown.keys() {
                let hint = match did_you_mean(key, LANGUAGE_KEYS.iter().copied()) {
                    Some(suggestion) => format!("did you mean '{suggestion}'?"),
                    None => format!(
                        "the keys a language can have are: {}",
                        LANGUAGE_KEYS.join(", ")
                    ),
                };
                let path = format!("languages[{index}]");
                errors.push(ConfigError::Yaml {
                    position: places.key_of(&format!("{path}.{key}")),
                    message: format!("unknown key '{key}' in {}", yaml::path_in_words(&path)),
                    hint: Some(hint),
                });
            }
        }
        match read_item(part, index, (own, &listed.languages), places) {
            Ok(language) => listed.languages.push(language),
            Err((code, error)) => {
                errors.push(*error);
                listed.left_out.extend(code);
            }
        }
    }
    listed
}

/// Item `index` of the list, or what is wrong with it, with its code if it has one
/// that names a language. `listed` are the languages before it.
fn read_item(
    part: &Part<RawLanguage>,
    index: usize,
    (own, listed): (&str, &[Language]),
    places: &Places,
) -> Result<Language, (Option<String>, Box<ConfigError>)> {
    let item = match part {
        Part::Read(item) => item,
        Part::Failed(error) => return Err((None, Box::new(unreadable(error, index, places)))),
    };
    let (code, name, direction, at) = match item {
        RawLanguage::Code(code) => (code, None, None, format!("languages[{index}]")),
        RawLanguage::Described(described) => (
            &described.code,
            described.name.as_deref(),
            described.direction.as_deref(),
            format!("languages[{index}].code"),
        ),
    };
    let words_to_avoid = match item {
        RawLanguage::Described(described) => (described.words_to_avoid.iter().flatten())
            .map(|(word, instead)| (super::normalise_word(word), instead.trim().to_owned()))
            .filter(|(word, _)| !word.is_empty())
            .collect(),
        RawLanguage::Code(_) => Vec::new(),
    };
    let position = places.value(&at);
    let code = code.trim();
    if !language::is_tag(code) {
        let value = code.to_owned();
        return Err((None, Box::new(ConfigError::BadLanguage { value, position })));
    }
    let named = || Some(code.to_owned());
    if language::same_language(code, own) {
        let own = own.to_owned();
        return Err((None, Box::new(ConfigError::OwnLanguage { own, position })));
    }
    if listed.iter().any(|l| l.code.eq_ignore_ascii_case(code)) {
        let code = code.to_owned();
        return Err((
            None,
            Box::new(ConfigError::LanguageTwice { code, position }),
        ));
    }
    let Some(name) = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .or_else(|| language::own_name(code))
    else {
        let code = code.to_owned();
        return Err((
            named(),
            Box::new(ConfigError::LanguageWithoutName { code, position }),
        ));
    };
    let direction = match direction.map(str::trim) {
        None => language::direction(code),
        Some("ltr") => Direction::LeftToRight,
        Some("rtl") => Direction::RightToLeft,
        Some(other) => {
            let value = other.to_owned();
            let position = places.value(&format!("languages[{index}].direction"));
            let error = ConfigError::BadLanguageDirection { value, position };
            return Err((named(), Box::new(error)));
        }
    };
    Ok(Language {
        code: code.to_owned(),
        name: name.to_owned(),
        direction,
        words_to_avoid,
    })
}

/// What is wrong with item `index` of the list, which could not be read.
fn unreadable(error: &yaml::PartError, index: usize, places: &Places) -> ConfigError {
    let (full, message, hint) = error.describe(&format!("languages[{index}]"));
    ConfigError::Yaml {
        position: places.value(&full),
        message,
        hint,
    }
}
