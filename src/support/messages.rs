//! Interface messages: the words a theme puts around the content (the skip link,
//! the menu, the labels of care cards, the footer) in each language the site is
//! published in, read from Fluent files (`messages/<code>.ftl`), so that each
//! language words them its own way and counts with its own plural rules. A
//! language missing a message shows it in English. Uses `escape`, `cache_key`,
//! `language` and `error`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

use crate::support::error::{Diagnostic, LineIndex};
use crate::support::language;

/// The code the theme's own messages are written in: the language every other
/// falls back to.
pub const ENGLISH: &str = "en";

/// A file of messages, from the theme, the project or a council.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageFile {
    /// The language's code: the file's name without `.ftl`.
    pub code: String,
    pub display_path: PathBuf,
    pub text: String,
}

/// One language's messages.
struct Bundle {
    bundle: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Bundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Bundle")
    }
}

/// A value put into a message.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    /// Text, escaped when the message is written as HTML.
    Text(&'a str),
    /// A number, which can choose the message's plural form.
    Count(usize),
    /// HTML put in as it is, such as a link.
    Html(&'a str),
}

/// Every language's messages, with English under each.
#[derive(Debug)]
pub struct Catalogue {
    english: Bundle,
    /// The site's own language's, when it is not English.
    own: Option<Bundle>,
    /// By code, for the languages that have any messages of their own.
    languages: HashMap<String, Bundle>,
    /// The ids of the English messages, in order.
    ids: BTreeSet<String>,
    key: blake3::Hash,
}

/// Marks where an HTML value goes in a formatted message, until it is put in after
/// the text is escaped. U+FDD1 is a noncharacter: text has no use for it.
const HTML_MARK: char = '\u{FDD1}';

impl Catalogue {
    /// The catalogue made from `files`, each language's in order, a later message
    /// replacing an earlier one of the same id; with a diagnostic for each line
    /// that cannot be read, and a warning for each language in `codes`, and for the
    /// site's `own` language if it is not English, that lacks messages the English
    /// has.
    pub fn new(
        files: &[MessageFile],
        (own, codes): (&str, &[&str]),
    ) -> (Catalogue, Vec<Diagnostic>) {
        let mut key = crate::support::cache_key::Key::new();
        let mut diagnostics = Vec::new();
        let mut by_code: HashMap<&str, Vec<FluentResource>> = HashMap::new();
        for file in files {
            key.field(&file.code)
                .field(file.display_path.as_os_str().as_encoded_bytes())
                .field(&file.text);
            let resource = match FluentResource::try_new(file.text.clone()) {
                Ok(resource) => resource,
                Err((resource, errors)) => {
                    diagnostics.extend(errors.iter().map(|e| unreadable(file, e)));
                    resource
                }
            };
            by_code.entry(&file.code).or_default().push(resource);
        }
        let english_resources = by_code.remove(ENGLISH).unwrap_or_default();
        let ids: BTreeSet<String> = english_resources.iter().flat_map(message_ids).collect();
        let english = bundle(ENGLISH, english_resources);
        let mut languages = HashMap::new();
        let mut language_of = |code: &str, resources: Vec<FluentResource>| {
            let has: BTreeSet<String> = resources.iter().flat_map(message_ids).collect();
            let missing: Vec<&str> = ids.difference(&has).map(String::as_str).collect();
            if !missing.is_empty() {
                diagnostics.push(missing_messages(files, code, &missing, has.is_empty()));
            }
            bundle(code, resources)
        };
        for &code in codes {
            let resources = by_code.remove(code).unwrap_or_default();
            languages.insert(code.to_owned(), language_of(code, resources));
        }
        // A site in a language other than English reads its own pages' words from
        // that language's files, such as messages/cy.ftl for a site in cy-GB.
        let own = (!language::same_language(own, ENGLISH)).then(|| {
            let mut own_codes: Vec<&str> = (by_code.keys().copied())
                .filter(|code| language::same_language(code, own))
                .collect();
            own_codes.sort_unstable();
            let resources = (own_codes.iter())
                .flat_map(|code| by_code.remove(code).unwrap_or_default())
                .collect();
            language_of(own, resources)
        });
        let catalogue = Catalogue {
            english,
            own,
            languages,
            ids,
            key: key.finish(),
        };
        (catalogue, diagnostics)
    }

    /// A hash of every file the catalogue was made from.
    pub fn key(&self) -> blake3::Hash {
        self.key
    }

    /// The ids of the messages the theme has.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.ids.iter().map(String::as_str)
    }

    /// The message `id` in the language `code` (English for `None`), as plain text.
    pub fn text(&self, code: Option<&str>, id: &str, args: &[(&str, Arg)]) -> String {
        self.format(code, id, args, false)
    }

    /// The message `id` in the language `code` (English for `None`), as HTML: its
    /// text escaped, with each [`Arg::Html`] put in as it is.
    pub fn html(&self, code: Option<&str>, id: &str, args: &[(&str, Arg)]) -> String {
        self.format(code, id, args, true)
    }

    fn format(&self, code: Option<&str>, id: &str, args: &[(&str, Arg)], html: bool) -> String {
        let own = match code {
            Some(code) => self.languages.get(code),
            None => self.own.as_ref(),
        };
        let Some((bundle, message)) = own
            .and_then(|b| Some((b, b.bundle.get_message(id)?)))
            .or_else(|| Some((&self.english, self.english.bundle.get_message(id)?)))
        else {
            return id.to_owned();
        };
        let Some(pattern) = message.value() else {
            return String::new();
        };
        let mut fluent_args = FluentArgs::new();
        for (index, (name, arg)) in args.iter().enumerate() {
            let value = match arg {
                Arg::Text(text) => FluentValue::from(text.to_string()),
                Arg::Count(count) => FluentValue::from(*count),
                Arg::Html(_) => FluentValue::from(format!("{HTML_MARK}{index}{HTML_MARK}")),
            };
            fluent_args.set(name.to_string(), value);
        }
        let mut errors = Vec::new();
        let text = bundle
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !html {
            return text.into_owned();
        }
        let mut out = crate::support::escape::escape_html(&text);
        for (index, (_, arg)) in args.iter().enumerate() {
            if let Arg::Html(value) = arg {
                out = out.replace(&format!("{HTML_MARK}{index}{HTML_MARK}"), value);
            }
        }
        out
    }
}

/// The ids of the messages in `resource`.
fn message_ids(resource: &FluentResource) -> Vec<String> {
    resource
        .entries()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(message) => Some(message.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

/// A bundle of `resources`, each replacing what the ones before it say.
fn bundle(code: &str, resources: Vec<FluentResource>) -> Bundle {
    let language: LanguageIdentifier = code.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![language]);
    // Direction is set by the page; marks around each value would only get in the
    // way of the text's own.
    bundle.set_use_isolating(false);
    for resource in resources {
        bundle.add_resource_overriding(resource);
    }
    Bundle { bundle }
}

/// A line of a messages file that cannot be read.
fn unreadable(file: &MessageFile, error: &fluent_syntax::parser::ParserError) -> Diagnostic {
    let index = LineIndex::new(&file.text);
    let start = error.pos.start.min(file.text.len());
    let position = index.position(&file.text, start);
    Diagnostic::error(
        &file.display_path,
        format!("this message cannot be read: {}", error.kind),
    )
    .at(&file.text, position)
    .with_hint("write each message as `id = text` on a line of its own; docs/translations.md shows the form")
}

/// The warning for a language whose files lack the messages `missing`; `none` if it
/// has no messages at all.
fn missing_messages(files: &[MessageFile], code: &str, missing: &[&str], none: bool) -> Diagnostic {
    let path = (files.iter().rev()).find(|f| f.code == code).map_or_else(
        || Path::new("messages").join(format!("{code}.ftl")),
        |f| f.display_path.clone(),
    );
    let english = (files.iter()).find(|f| f.code == ENGLISH).map_or_else(
        || "the theme's messages/en.ftl".to_owned(),
        |f| f.display_path.display().to_string(),
    );
    if none {
        return Diagnostic::warning(
            &path,
            format!("there are no interface messages in {code}, so the menu, labels and footer of its pages are in English"),
        )
        .with_hint(format!("write {} with each message of {english}, translated", path.display()));
    }
    Diagnostic::warning(
        &path,
        format!(
            "{} interface {} in {code}, so {} shown in English: {}",
            missing.len(),
            if missing.len() == 1 {
                "message is missing"
            } else {
                "messages are missing"
            },
            if missing.len() == 1 {
                "it is"
            } else {
                "they are"
            },
            missing.join(", ")
        ),
    )
    .with_hint(format!(
        "add them to {}, translated from {english}",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(code: &str, text: &str) -> MessageFile {
        MessageFile {
            code: code.to_owned(),
            display_path: PathBuf::from(format!("messages/{code}.ftl")),
            text: text.to_owned(),
        }
    }

    const ENGLISH_FILE: &str = "menu = Menu\npages = { $count ->\n    [one] { $count } page\n   *[other] { $count } pages\n}\ncall = Call { $number } now & then\n";

    #[test]
    fn plurals_follow_each_language_s_rules() {
        let polish = "menu = Menu\npages = { $count ->\n    [one] { $count } strona\n    [few] { $count } strony\n    [many] { $count } stron\n   *[other] { $count } strony\n}\ncall = Zadzwoń { $number }\n";
        let arabic = "menu = القائمة\npages = { $count ->\n    [zero] لا صفحات\n    [one] صفحة واحدة\n    [two] صفحتان\n    [few] { $count } صفحات\n    [many] { $count } صفحة\n   *[other] { $count } صفحة\n}\ncall = اتصل { $number }\n";
        let files = [
            file("en", ENGLISH_FILE),
            file("pl", polish),
            file("ar", arabic),
        ];
        let (catalogue, found) = Catalogue::new(&files, ("en-GB", &["pl", "ar"]));
        assert!(found.is_empty(), "{found:?}");
        let pages =
            |code, count| catalogue.text(Some(code), "pages", &[("count", Arg::Count(count))]);
        assert_eq!(pages("pl", 1), "1 strona");
        assert_eq!(pages("pl", 3), "3 strony");
        assert_eq!(pages("pl", 5), "5 stron");
        assert_eq!(pages("pl", 22), "22 strony");
        assert_eq!(pages("pl", 25), "25 stron");
        assert_eq!(pages("ar", 0), "لا صفحات");
        assert_eq!(pages("ar", 2), "صفحتان");
        assert_eq!(pages("ar", 3), "3 صفحات");
        assert_eq!(pages("ar", 11), "11 صفحة");
        assert_eq!(pages("ar", 100), "100 صفحة");
        let english = catalogue.text(None, "pages", &[("count", Arg::Count(1))]);
        assert_eq!(english, "1 page");
    }

    #[test]
    fn html_is_escaped_around_the_values_put_in() {
        let (catalogue, _) = Catalogue::new(&[file("en", ENGLISH_FILE)], ("en-GB", &[]));
        let html = catalogue.html(
            None,
            "call",
            &[("number", Arg::Html("<a href=\"tel:999\">999</a>"))],
        );
        assert_eq!(html, "Call <a href=\"tel:999\">999</a> now &amp; then");
    }

    #[test]
    fn a_missing_message_is_shown_in_english_and_named() {
        let files = [
            file("en", ENGLISH_FILE),
            file("pl", "menu = Menu po polsku\n"),
        ];
        let (catalogue, found) = Catalogue::new(&files, ("en-GB", &["pl"]));
        assert_eq!(catalogue.text(Some("pl"), "menu", &[]), "Menu po polsku");
        assert_eq!(
            catalogue.text(Some("pl"), "pages", &[("count", Arg::Count(2))]),
            "2 pages"
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "2 interface messages are missing in pl, so they are shown in English: call, pages"
        );
    }

    #[test]
    fn a_site_in_another_language_shows_its_own_words_on_its_own_pages() {
        let files = [file("en", ENGLISH_FILE), file("cy", "menu = Dewislen\n")];
        let (catalogue, found) = Catalogue::new(&files, ("cy-GB", &[]));
        assert_eq!(catalogue.text(None, "menu", &[]), "Dewislen");
        assert_eq!(
            catalogue.text(None, "pages", &[("count", Arg::Count(2))]),
            "2 pages"
        );
        assert_eq!(found.len(), 1, "the missing Welsh messages are named");
        assert!(
            found[0].message.contains("missing in cy-GB"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn a_later_file_replaces_a_message() {
        let files = [file("en", ENGLISH_FILE), file("en", "menu = Site menu\n")];
        let (catalogue, _) = Catalogue::new(&files, ("en-GB", &[]));
        assert_eq!(catalogue.text(None, "menu", &[]), "Site menu");
    }

    #[test]
    fn a_line_that_cannot_be_read_is_reported_where_it_is() {
        let (_, found) = Catalogue::new(&[file("en", "menu = Menu\n\n= no id\n")], ("en-GB", &[]));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].position.map(|p| p.line), Some(3));
    }
}
