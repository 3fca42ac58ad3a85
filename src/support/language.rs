//! Languages: a page's language as a BCP 47 tag (`en-GB`, `pl`, `pa-Guru`), read
//! with ICU4X, and the direction its script is written in, from ICU4X's data on
//! which script each language is most likely written in. Uses nothing else in the
//! crate.

use icu_locale::{Direction as IcuDirection, LanguageIdentifier, LocaleDirectionality};

/// The way a language's script is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Direction {
    #[serde(rename = "ltr")]
    LeftToRight,
    #[serde(rename = "rtl")]
    RightToLeft,
}

impl Direction {
    /// The value of the HTML `dir` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::LeftToRight => "ltr",
            Direction::RightToLeft => "rtl",
        }
    }
}

/// The direction of the script `tag` is written in, if `tag` is a BCP 47 language
/// tag of a language ICU4X knows: given by the tag's script if it names one
/// (`pa-Arab`), or else the script the language is most likely written in. A tag
/// can be well formed and name no language, such as `Polish`.
fn read(tag: &str) -> Option<Direction> {
    // Made once for each thread: the HTML check asks this of every page.
    thread_local! {
        static DIRECTIONALITY: LocaleDirectionality = const { LocaleDirectionality::new_extended() };
    }
    let language = LanguageIdentifier::try_from_str(tag).ok()?;
    match DIRECTIONALITY.with(|directionality| directionality.get(&language))? {
        IcuDirection::RightToLeft => Some(Direction::RightToLeft),
        _ => Some(Direction::LeftToRight),
    }
}

/// Whether `tag` is the BCP 47 tag of a language.
pub fn is_tag(tag: &str) -> bool {
    read(tag).is_some()
}

/// Whether the tags `a` and `b` name the same language, whatever region or script
/// they add: `en` and `en-GB` do.
pub fn same_language(a: &str, b: &str) -> bool {
    let language = |tag: &str| {
        LanguageIdentifier::try_from_str(tag)
            .ok()
            .map(|id| id.language)
    };
    language(a).is_some_and(|a| Some(a) == language(b))
}

/// The name a language has in itself, for the languages most spoken in England
/// and Wales after English (2021 census) and a few more, so that a site can list
/// them by code alone; any other needs its name written out. The tag's script
/// picks the name where a language is written in two.
pub fn own_name(tag: &str) -> Option<&'static str> {
    let id = LanguageIdentifier::try_from_str(tag).ok()?;
    let script = id.script.map(|s| s.to_string());
    Some(match (id.language.as_str(), script.as_deref()) {
        ("pa", Some("Arab")) => "پنجابی",
        ("pa", _) => "ਪੰਜਾਬੀ",
        ("pl", _) => "Polski",
        ("ro", _) => "Română",
        ("ur", _) => "اردو",
        ("pt", _) => "Português",
        ("es", _) => "Español",
        ("ar", _) => "العربية",
        ("bn", _) => "বাংলা",
        ("gu", _) => "ગુજરાતી",
        ("it", _) => "Italiano",
        ("cy", _) => "Cymraeg",
        ("so", _) => "Soomaali",
        ("fa", _) => "فارسی",
        ("ps", _) => "پښتو",
        ("tr", _) => "Türkçe",
        ("lt", _) => "Lietuvių",
        ("fr", _) => "Français",
        ("ta", _) => "தமிழ்",
        ("hi", _) => "हिन्दी",
        ("uk", _) => "Українська",
        ("ru", _) => "Русский",
        ("bg", _) => "Български",
        ("hu", _) => "Magyar",
        ("de", _) => "Deutsch",
        ("ti", _) => "ትግርኛ",
        ("ne", _) => "नेपाली",
        ("sq", _) => "Shqip",
        ("ku", _) => "Kurdî",
        ("zh", Some("Hant")) => "繁體中文",
        ("zh", _) => "中文",
        _ => return None,
    })
}

/// The direction `tag`'s script is written in. A tag that is not one is taken as
/// written left to right, as HTML takes it.
pub fn direction(tag: &str) -> Direction {
    read(tag).unwrap_or(Direction::LeftToRight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_direction_comes_from_the_script() {
        for tag in [
            "en-GB", "cy", "gd", "pl", "ro", "pa", "pa-Guru", "pt", "bn", "gu", "so",
        ] {
            assert_eq!(direction(tag), Direction::LeftToRight, "{tag}");
        }
        for tag in ["ar", "ur", "fa", "he", "ps", "ku-Arab", "pa-Arab", "ckb"] {
            assert_eq!(direction(tag), Direction::RightToLeft, "{tag}");
        }
    }

    #[test]
    fn languages_are_the_same_whatever_their_region() {
        assert!(same_language("en", "en-GB"));
        assert!(!same_language("pl", "en-GB"));
        assert!(!same_language("Polish", "Polish"));
    }

    #[test]
    fn common_languages_have_their_own_names() {
        assert_eq!(own_name("pl"), Some("Polski"));
        assert_eq!(own_name("pa-Arab"), Some("پنجابی"));
        assert_eq!(own_name("pa-Guru"), Some("ਪੰਜਾਬੀ"));
        assert_eq!(own_name("xh"), None);
    }

    #[test]
    fn tags_are_read_as_bcp_47() {
        for tag in ["en-GB", "cy", "gd", "pl", "pa-Guru", "zh-Hant-TW"] {
            assert!(is_tag(tag), "{tag}");
        }
        for tag in ["English (UK)", "", "en_GB!", "-pl", "Polish", "english"] {
            assert!(!is_tag(tag), "{tag}");
        }
    }
}
