//! `languages:` in `site.yaml` or a council's file: the languages a site is
//! translated into besides its own, each with its BCP 47 code, its own name and the
//! direction its script is written in, which comes from ICU4X unless the list says.
//! Uses `language` and `yaml`.

use crate::support::language::{self, Direction};
use crate::support::yaml::Places;

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
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(untagged)]
pub enum RawLanguage {
    Code(String),
    Described(DescribedLanguage),
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DescribedLanguage {
    code: String,
    name: Option<String>,
    direction: Option<String>,
    words_to_avoid: Option<std::collections::BTreeMap<String, String>>,
}

/// Reads the list at `key` (`languages`), reporting each item that cannot be used
/// and leaving it out. `own` is the tag of the site's own language, which is not
/// translated into.
pub fn read(
    raw: &[RawLanguage],
    own: &str,
    places: &Places,
    errors: &mut Vec<ConfigError>,
) -> Vec<Language> {
    let mut languages: Vec<Language> = Vec::new();
    for (index, item) in raw.iter().enumerate() {
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
            errors.push(ConfigError::BadLanguage {
                value: code.to_owned(),
                position,
            });
            continue;
        }
        if language::same_language(code, own) {
            let own = own.to_owned();
            errors.push(ConfigError::OwnLanguage { own, position });
            continue;
        }
        if languages.iter().any(|l| l.code.eq_ignore_ascii_case(code)) {
            let code = code.to_owned();
            errors.push(ConfigError::LanguageTwice { code, position });
            continue;
        }
        let Some(name) = name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .or_else(|| language::own_name(code))
        else {
            let code = code.to_owned();
            errors.push(ConfigError::LanguageWithoutName { code, position });
            continue;
        };
        let direction = match direction.map(str::trim) {
            None => language::direction(code),
            Some("ltr") => Direction::LeftToRight,
            Some("rtl") => Direction::RightToLeft,
            Some(other) => {
                errors.push(ConfigError::BadLanguageDirection {
                    value: other.to_owned(),
                    position: places.value(&format!("languages[{index}].direction")),
                });
                language::direction(code)
            }
        };
        languages.push(Language {
            code: code.to_owned(),
            name: name.to_owned(),
            direction,
            words_to_avoid,
        });
    }
    languages
}
