//! The A to Z, `/a-z/`, and the search page, `/search/`, of each language: every
//! word a parent may look for, each leading to the page and heading that answers
//! it. The words are each page's headings, and the other words its front matter
//! gives in `also_known_as:` and `keywords:`. A word that leads to more than one
//! place is listed once, with each place under it by its page's name. Words are
//! sorted and grouped by letter in the order of their language, by ICU's
//! collation. Uses icu_collator, icu_normalizer and icu_locale, the templates' standalone
//! context, and `site`, `page`, `memo`, `cache_key` and `error`.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

use icu_collator::options::{CollatorOptions, Strength};
use icu_collator::{Collator, CollatorBorrowed, CollatorPreferences};
use serde::Serialize;

use crate::memo::MemoKey;
use crate::model::page::{RenderedPage, a_z_entry, a_z_spacing};
use crate::model::site::Site;
use crate::support::error::Diagnostic;

use super::context;
use super::render::{SiteShape, StandalonePage};

/// Where the A to Z is published, under each language's home page.
pub const A_Z_PATH: &str = "a-z/";

/// Where the search page is published, under each language's home page.
pub const SEARCH_PATH: &str = "search/";

/// The templates that lay the two pages out; a theme without one has no such page.
const A_Z_TEMPLATE: &str = "a-z.html";
const SEARCH_TEMPLATE: &str = "search.html";

/// The words under one letter.
#[derive(Debug, Serialize, PartialEq)]
pub struct Letter {
    pub letter: String,
    /// The id of its part of the page.
    pub id: String,
    pub entries: Vec<Entry>,
}

/// One word, and every place it leads to.
#[derive(Debug, Serialize, PartialEq)]
pub struct Entry {
    pub term: String,
    pub places: Vec<Place>,
}

/// A page, or a heading on it, that a word leads to.
#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    /// The page's address under the site's, with the heading's id after a `#`.
    pub path: String,
    /// The page's title.
    pub page: String,
}

/// Where each word of one language's pages leads: the words as written, each with
/// its places, unsorted.
pub fn words(
    site: &Site,
    markdown: &[Arc<RenderedPage>],
    code: Option<&str>,
) -> Vec<(String, Place)> {
    let mut words = Vec::new();
    for (index, page) in site.pages.iter().enumerate() {
        if site.language(index) != code {
            continue;
        }
        let url = &page.source.url_path;
        let place = |fragment: Option<&str>| Place {
            path: match fragment {
                Some(id) => format!("{url}#{id}"),
                None => url.clone(),
            },
            page: page.front.title.clone(),
        };
        let rendered = &markdown[index];
        for heading in rendered.listed_headings() {
            words.push((heading.text.clone(), place(Some(&heading.id))));
        }
        for word in &page.front.also_known_as {
            match word.heading.as_deref() {
                Some(id) if rendered.has_heading(id) => {
                    words.push((word.term.clone(), place(Some(id))));
                }
                // A word that points nowhere is left out; the checks say so.
                Some(_) => {}
                None => words.push((word.term.clone(), place(None))),
            }
        }
        for word in &page.front.keywords {
            words.push((word.clone(), place(None)));
        }
    }
    words
}

/// The words of one language's pages, grouped by letter, in `language`'s order.
pub fn letters(words: Vec<(String, Place)>, language: &str) -> Vec<Letter> {
    let base_letters = collator(language, Strength::Primary);
    let collator = collator(language, Strength::Tertiary);
    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    for (term, place) in words {
        let entry = entries.entry(a_z_entry(&term)).or_insert_with(|| Entry {
            term: with_capital(&a_z_spacing(&term)),
            places: Vec::new(),
        });
        entry.places.push(place);
    }
    let mut entries: Vec<Entry> = entries.into_values().collect();
    let compare = |a: &str, b: &str| match &collator {
        Some(collator) => collator.compare(a, b),
        None => a.cmp(b),
    };
    entries.sort_by(|a, b| compare(&a.term, &b.term));
    let mut letters: Vec<Letter> = Vec::new();
    for mut entry in entries {
        // A heading many pages share has many places: they are sorted, then
        // told apart, as the same place twice is next to itself.
        entry
            .places
            .sort_by(|a, b| compare(&a.page, &b.page).then(a.cmp(b)));
        entry.places.dedup();
        let letter = letter_of(&entry.term, base_letters.as_ref());
        let same_letter = |last: &Letter| match &base_letters {
            Some(collator) => collator.compare(&last.letter, &letter) == Ordering::Equal,
            None => last.letter == letter,
        };
        match letters.last_mut() {
            // Under a letter shared by "É" and "E", the plain letter is shown.
            Some(last) if same_letter(last) => {
                if compare(&letter, &last.letter) == Ordering::Less {
                    last.id = letter_id(&letter);
                    last.letter = letter;
                }
                last.entries.push(entry);
            }
            _ => letters.push(Letter {
                id: letter_id(&letter),
                letter,
                entries: vec![entry],
            }),
        }
    }
    letters
}

/// A collator for `language` that tells words apart at `strength`, if ICU knows
/// the language.
fn collator(language: &str, strength: Strength) -> Option<CollatorBorrowed<'static>> {
    let locale = icu_locale::Locale::try_from_str(language).ok()?;
    let mut options = CollatorOptions::default();
    options.strength = Some(strength);
    Collator::try_new(CollatorPreferences::from(&locale), options).ok()
}

/// The letter a word is listed under: its first letter as a capital, or `0–9` for
/// a word that starts with a digit. A letter with a mark is listed under the letter
/// without it where its language, as `base_letters` compares, counts them as one:
/// "É" under "E" in English, but "Ś" under "Ś" in Polish.
fn letter_of(term: &str, base_letters: Option<&CollatorBorrowed>) -> String {
    let letter: String = match term.chars().find(|c| c.is_alphanumeric()) {
        Some(c) if c.is_numeric() => return "0–9".to_owned(),
        Some(c) => c.to_uppercase().collect(),
        None => return "#".to_owned(),
    };
    let nfd = icu_normalizer::DecomposingNormalizerBorrowed::new_nfd();
    let plain: String = nfd.normalize(&letter).chars().take(1).collect();
    match base_letters {
        Some(collator) if plain != letter && collator.compare(&plain, &letter).is_eq() => plain,
        _ => letter,
    }
}

/// The id of a letter's part of the page: `letter-a`.
fn letter_id(letter: &str) -> String {
    match letter {
        "0–9" => "letter-digits".to_owned(),
        "#" => "letter-other".to_owned(),
        letter => format!("letter-{}", letter.to_lowercase()),
    }
}

/// `term` with its first letter a capital, as a heading starts: "colic" is listed
/// as "Colic".
fn with_capital(term: &str) -> String {
    let mut chars = term.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What the A to Z and the search page are made from: the shape of the site, which
/// has every page's front matter, and the headings of every page's markdown.
pub struct AToZInput<'a> {
    pub shape: &'a SiteShape<'a>,
    pub markdown: &'a [Arc<RenderedPage>],
}

impl MemoKey for AToZInput<'_> {
    /// Only the headings are read from the markdown, so an edit that leaves them
    /// as they were makes the same pages. A word in `also_known_as` can lead to a
    /// heading of any level.
    fn memo_key(&self) -> blake3::Hash {
        let mut key = crate::support::cache_key::Key::new();
        key.field(self.shape.memo_key().as_bytes());
        for page in self.markdown {
            page.key_headings(&mut key);
        }
        key.finish()
    }
}

/// The A to Z and the search page of each language that has a home page, if the
/// theme has their templates and no page of the site is at their address.
pub fn pages(input: &AToZInput) -> Vec<Result<StandalonePage, Box<Diagnostic>>> {
    let (shape, markdown) = (input.shape, input.markdown);
    let (config, site) = (&shape.config.site, shape.site);
    let homes = std::iter::once((None, config.language.as_str()))
        .chain((config.languages.iter()).map(|l| (Some(l.code.as_str()), l.code.as_str())))
        .filter_map(|(code, tag)| {
            let home_path = code.map_or(String::new(), |code| format!("{code}/"));
            Some((code, tag, *site.by_url.get(&home_path)?, home_path))
        });
    let mut made = Vec::new();
    for (code, tag, home, home_path) in homes {
        let letters = letters(words(site, markdown, code), tag);
        let kinds = [
            (A_Z_TEMPLATE, A_Z_PATH, "a-z-title"),
            (SEARCH_TEMPLATE, SEARCH_PATH, "search-title"),
        ];
        for (template, path, title) in kinds {
            let path = format!("{home_path}{path}");
            let wanted = shape.templates.has(template)
                && !site.by_url.contains_key(&path)
                && (template == A_Z_TEMPLATE || config.search);
            if !wanted {
                continue;
            }
            let title = shape.messages.text(code, title, &[]);
            let messages = (config, &shape.messages);
            let mut context =
                context::standalone_context(messages, (site, Some(home)), &title, None);
            context.insert("a_z", &letters);
            let on_search_page = template == SEARCH_TEMPLATE;
            context.insert("on_search_page", &on_search_page);
            if on_search_page {
                // The search page is the only page with a script: its policy lets
                // it load Pagefind's script and WebAssembly from the site.
                context.insert("scripts", &true);
            }
            context.insert("permalink", &format!("{}{path}", config.base_url.url));
            let html = shape.templates.render(template, &context, template);
            made.push(html.map(|html| StandalonePage {
                path: format!("{path}index.html"),
                html,
            }));
        }
    }
    made
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(path: &str, page: &str) -> Place {
        Place {
            path: path.into(),
            page: page.into(),
        }
    }

    #[test]
    fn words_are_grouped_by_letter_in_their_language_order() {
        let words = vec![
            ("wind".into(), place("crying/", "Crying")),
            ("Colic".into(), place("crying/colic/", "Colic")),
            ("colic".into(), place("crying/", "Crying")),
            ("étagère".into(), place("e/", "E")),
            ("Eyes".into(), place("eyes/", "Eyes")),
            ("999 and 111".into(), place("urgent/", "Urgent")),
        ];
        let letters = letters(words, "en-GB");
        let shown: Vec<(&str, Vec<&str>)> = (letters.iter())
            .map(|l| {
                (
                    l.letter.as_str(),
                    l.entries.iter().map(|e| e.term.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("0–9", vec!["999 and 111"]),
                ("C", vec!["Colic"]),
                ("E", vec!["Étagère", "Eyes"]),
                ("W", vec!["Wind"]),
            ]
        );
        let colic = &letters[1].entries[0];
        assert_eq!(
            colic.places,
            [place("crying/colic/", "Colic"), place("crying/", "Crying")]
        );
    }

    #[test]
    fn polish_letters_with_marks_are_letters_of_their_own() {
        let words = vec![
            ("sen".into(), place("a/", "A")),
            ("śpiączka".into(), place("b/", "B")),
            ("zupa".into(), place("c/", "C")),
        ];
        let letters: Vec<String> = (super::letters(words, "pl").into_iter())
            .map(|l| l.letter)
            .collect();
        assert_eq!(letters, ["S", "Ś", "Z"]);
    }

    #[test]
    fn a_letter_with_a_mark_alone_is_under_its_plain_letter_where_its_language_says() {
        let first_letters = |word: &str, language| -> Vec<String> {
            let words = vec![(word.into(), place("a/", "A"))];
            (letters(words, language).into_iter())
                .map(|l| l.letter)
                .collect()
        };
        assert_eq!(first_letters("étagère", "en-GB"), ["E"]);
        assert_eq!(first_letters("śpiączka", "pl"), ["Ś"]);
        assert_eq!(first_letters("Ölbad", "de"), ["O"]);
        assert_eq!(first_letters("Ölbad", "sv"), ["Ö"]);
    }
}
