//! Front matter: splits the `---` fence from the top of a page and reads the YAML
//! in it into a validated [`FrontMatter`]. Every problem is reported at once, at
//! its line and column counted from the first line of the file. Uses `page`,
//! `site`, `yaml`, `calendar` and `error`.

use crate::model::page::{AlsoKnownAs, FrontMatter, SourceFile, SourceRef, TranslationRecord};
use crate::model::site::fingerprint;
use crate::support::calendar::{Date, format_date, parse_date};
use crate::support::error::{Diagnostic, LineIndex, Position, StageError, line_text};
use crate::support::yaml;

mod errors;
pub use errors::FrontMatterError;

/// The keys a page's front matter may have.
pub const KEYS: &[&str] = &[
    "title",
    "description",
    "order",
    "draft",
    "template",
    "aliases",
    "reviewed",
    "next_review",
    "sources",
    "also_known_as",
    "keywords",
    "translation",
];

/// The front matter exactly as written, before validation.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawFrontMatter {
    title: Option<String>,
    description: Option<String>,
    order: Option<i64>,
    draft: Option<bool>,
    template: Option<String>,
    aliases: Option<Vec<String>>,
    reviewed: Option<String>,
    next_review: Option<String>,
    sources: Option<Vec<RawSource>>,
    also_known_as: Option<Vec<RawAlsoKnownAs>>,
    keywords: Option<Vec<yaml::Scalar>>,
    translation: Option<RawTranslation>,
}

/// A source as written: a title and a web address.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    title: String,
    url: String,
}

/// An entry of `also_known_as`, as written: a word for the page, or words each with
/// the id of the heading it leads to. Any YAML reads as one, so that an entry of
/// the wrong shape is reported in words about the entry, at its own line, and the
/// entries around it are still read.
#[derive(Debug)]
enum RawAlsoKnownAs {
    Page(Written),
    Headings(Vec<(Written, Written)>),
}

/// A value that should be a word: the word, or else the name of its shape.
type Written = Result<String, &'static str>;

impl<'de> serde::Deserialize<'de> for RawAlsoKnownAs {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match serde_yaml::Value::deserialize(deserializer)? {
            serde_yaml::Value::Mapping(headings) => RawAlsoKnownAs::Headings(
                (headings.into_iter())
                    .map(|(term, id)| (as_word(term), as_word(id)))
                    .collect(),
            ),
            other => RawAlsoKnownAs::Page(as_word(other)),
        })
    }
}

/// `value` as a word: text, or a number such as 999 written without quotes.
fn as_word(value: serde_yaml::Value) -> Written {
    use serde_yaml::Value;
    match value {
        Value::String(text) => Ok(text),
        Value::Number(number) => Ok(number.to_string()),
        Value::Bool(value) => Ok(value.to_string()),
        Value::Null => Ok(String::new()),
        Value::Sequence(_) => Err("a list"),
        Value::Mapping(_) => Err("a set of `key: value` lines"),
        Value::Tagged(_) => Err("a value with a YAML tag"),
    }
}

/// A translation's record, as written.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawTranslation {
    /// A fingerprint can be all digits, which YAML reads as a number.
    from: Option<yaml::Scalar>,
    assured_by: Option<String>,
    assured_on: Option<String>,
}

/// Reads a page's front matter. On failure, every problem found is returned.
pub fn parse(source: &SourceFile) -> Result<FrontMatter, Vec<FrontMatterError>> {
    let (front, errors) = read(source);
    if errors.is_empty() {
        Ok(front)
    } else {
        Err(errors)
    }
}

/// Reads a page's front matter as well as it can be read, and every problem found.
/// Even with mistakes the page has front matter: what could be read, a title made
/// from the file's name if its own could not be, and the keys whose values could
/// not be read marked as such. The rest of the build can then treat the page as
/// there, so that one mistake is reported once, where it is, and not again in
/// every page that links to it.
pub fn read(source: &SourceFile) -> (FrontMatter, Vec<FrontMatterError>) {
    let text: &str = &source.text;
    if text.trim().is_empty() {
        return (
            unread_everything(source, text.len()),
            vec![FrontMatterError::Empty],
        );
    }
    let index = LineIndex::new(text);
    let Some((fences, errors)) = find_fences(text, &index) else {
        return (
            unread_everything(source, 0),
            vec![FrontMatterError::MissingFence],
        );
    };
    let first_line = index.position(text, fences.yaml_start).line;
    let parsed = yaml::parse_mapping::<RawFrontMatter>(
        &text[fences.yaml_start..fences.yaml_end],
        first_line,
        KEYS,
        "front matter",
    );
    let mut checks = Checks {
        errors,
        unread_keys: parsed.unread_keys,
        suggested: parsed.suggested_keys,
        places: parsed.places,
        closing_fence: index.position(text, fences.yaml_end),
    };
    checks
        .errors
        .extend(parsed.errors.into_iter().map(|e| FrontMatterError::Yaml {
            position: e.position,
            message: e.message,
            hint: e.hint,
        }));
    // A misspelt key has been reported with the key it was meant to be.
    checks.unread_keys.extend(checks.suggested.iter().cloned());
    if !parsed.readable {
        (checks.unread_keys).extend(KEYS.iter().map(|key| key.to_string()));
    }
    let raw = parsed.value;
    let title = checks.required("title", &raw.title);
    let description = checks.required("description", &raw.description);
    let (reviewed, next_review) = checks.review_dates(&raw);
    let aliases = checks.aliases(raw.aliases.unwrap_or_default());
    let sources = checks.sources(raw.sources.unwrap_or_default());
    let also_known_as = checks.also_known_as(raw.also_known_as.unwrap_or_default());
    let keywords = keywords(raw.keywords.unwrap_or_default());
    let template = checks.template(raw.template);
    let translation = checks.translation(raw.translation, source);
    let front = FrontMatter {
        title: title.unwrap_or_else(|| title_from_file_name(&source.content_path)),
        description: description.unwrap_or_default(),
        order: raw.order,
        draft: raw.draft.unwrap_or(false),
        template,
        aliases,
        reviewed,
        next_review,
        sources,
        also_known_as,
        keywords,
        translation,
        key_positions: checks.places.keys().clone(),
        body_start: fences.body_start,
        written: Some(written_hash(source, fences.body_start)),
        fingerprint: None,
        unread_keys: checks.unread_keys,
    };
    (with_fingerprint(front, source), checks.errors)
}

/// The words of `keywords` as written, without the spaces at their ends, leaving
/// out any that are empty.
fn keywords(written: Vec<yaml::Scalar>) -> Vec<String> {
    (written.into_iter())
        .map(|word| word.text.trim().to_owned())
        .filter(|word| !word.is_empty())
        .collect()
}

/// Front matter for a page none of whose front matter can be read: a title from
/// its file's name, and every key unread.
fn unread_everything(source: &SourceFile, body_start: usize) -> FrontMatter {
    let front = FrontMatter {
        title: title_from_file_name(&source.content_path),
        body_start,
        written: Some(written_hash(source, body_start)),
        unread_keys: KEYS.iter().map(|key| key.to_string()).collect(),
        ..FrontMatter::default()
    };
    with_fingerprint(front, source)
}

/// `front` with the fingerprint of the words of its page, whose file is `source`.
fn with_fingerprint(mut front: FrontMatter, source: &SourceFile) -> FrontMatter {
    let body = source.text.get(front.body_start..).unwrap_or("");
    front.fingerprint = Some(fingerprint(&front.title, &front.description, body));
    front
}

/// A hash of `source`'s text up to `body_start`.
fn written_hash(source: &SourceFile, body_start: usize) -> blake3::Hash {
    blake3::hash(source.text.as_bytes().get(..body_start).unwrap_or_default())
}

/// Where a page's front matter is: its YAML, between its fences, and the page's
/// body after them.
struct Fences {
    yaml_start: usize,
    yaml_end: usize,
    body_start: usize,
}

/// The front matter's fences, as written or as most likely meant, with the mistake
/// in them if there is one; `None` if the page has no front matter at all.
fn find_fences(text: &str, index: &LineIndex) -> Option<(Fences, Vec<FrontMatterError>)> {
    // Only the first two `---` lines can be fences: the body may hold more.
    let mut fence_lines = fence_offsets(text);
    let fences = |yaml_start, yaml_end, body_start| Fences {
        yaml_start,
        yaml_end,
        body_start,
    };
    Some(match fence_lines.next() {
        Some((0, after_first)) => match fence_lines.next() {
            Some((closing, body_start)) => (fences(after_first, closing, body_start), Vec::new()),
            None => {
                let end = guess_front_matter_end(text, after_first);
                let error = FrontMatterError::UnclosedFence {
                    position: index.position(text, end),
                };
                (fences(after_first, end, end), vec![error])
            }
        },
        // Keys above a `---` line are front matter without its first fence.
        Some((closing, body_start)) if starts_with_a_key(text) => (
            fences(0, closing, body_start),
            vec![FrontMatterError::MissingOpeningFence],
        ),
        _ => return None,
    })
}

/// The checks of each value read from the front matter, with every mistake found
/// and the keys that could not be read.
struct Checks<'t> {
    places: yaml::Places<'t>,
    errors: Vec<FrontMatterError>,
    unread_keys: std::collections::BTreeSet<String>,
    /// Keys suggested for misspelt ones: reported already, and not missing.
    suggested: Vec<String>,
    /// Where a missing key is reported: where it would be written.
    closing_fence: Position,
}

impl Checks<'_> {
    /// The trimmed text of `key`, which every page must have.
    fn required(&mut self, key: &'static str, value: &Option<String>) -> Option<String> {
        match value {
            Some(v) if !v.trim().is_empty() => return Some(v.trim().to_owned()),
            Some(_) => self.errors.push(FrontMatterError::EmptyValue {
                key,
                position: self.places.value(key),
            }),
            None if self.places.has_key(key)
                || self.suggested.iter().any(|s| s == key)
                || self.unread_keys.contains(key) => {}
            None => self.errors.push(FrontMatterError::MissingKey {
                key,
                position: self.closing_fence,
            }),
        }
        self.unread_keys.insert(key.to_owned());
        None
    }

    /// The date of `key`, if it is written and is a date.
    fn date(&mut self, key: &'static str, value: &Option<String>) -> Option<Date> {
        let value = value.as_deref()?;
        let parsed = parse_date(value.trim());
        if parsed.is_none() {
            self.errors.push(FrontMatterError::BadDate {
                key,
                value: value.to_owned(),
                position: self.places.value(key),
            });
            self.unread_keys.insert(key.to_owned());
        }
        parsed
    }

    /// When the page was last reviewed and when it is next due; the second is not
    /// known if it comes before the first.
    fn review_dates(&mut self, raw: &RawFrontMatter) -> (Option<Date>, Option<Date>) {
        let reviewed = self.date("reviewed", &raw.reviewed);
        let next_review = self.date("next_review", &raw.next_review);
        if let (Some(reviewed), Some(next)) = (reviewed, next_review)
            && next < reviewed
        {
            self.errors.push(FrontMatterError::ReviewBeforeReviewed {
                next: format_date(next),
                reviewed: format_date(reviewed),
                position: self.places.value("next_review"),
            });
            // Most likely a slip in the date: when the page is due is not known.
            self.unread_keys.insert("next_review".to_owned());
            return (Some(reviewed), None);
        }
        (reviewed, next_review)
    }

    /// A translation's record of what it was made from and who assured it; a page
    /// in the site's own language has none.
    fn translation(
        &mut self,
        raw: Option<RawTranslation>,
        source: &SourceFile,
    ) -> Option<TranslationRecord> {
        let raw = raw?;
        if source.translates.is_none() {
            let position = self.places.key("translation");
            self.errors
                .push(FrontMatterError::TranslationOfOriginal { position });
            return None;
        }
        let text =
            |value: Option<String>| value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        // A fingerprint YAML read as a number is taken as it is written.
        let from = raw.from.map(|from| match from.is_text {
            true => from.text,
            false => {
                let at = self.places.value("translation.from");
                let line = line_text(&source.text, at.line).unwrap_or("");
                let written: String = line.chars().skip(at.col - 1).collect();
                let written = written.split(" #").next().unwrap_or("").trim();
                written.trim_matches(['"', '\'']).to_owned()
            }
        });
        Some(TranslationRecord {
            assured_on: self.date("translation.assured_on", &raw.assured_on),
            from: text(from),
            assured_by: text(raw.assured_by),
        })
    }

    /// The aliases that are paths on the site; each other is reported.
    fn aliases(&mut self, mut aliases: Vec<String>) -> Vec<String> {
        let key = self.places.key("aliases");
        aliases.retain(|alias| {
            let valid = is_valid_alias(alias);
            if !valid {
                self.errors.push(FrontMatterError::BadAlias {
                    alias: alias.clone(),
                    position: self.places.list_item(key.line, alias).unwrap_or(key),
                });
            }
            valid
        });
        aliases
    }

    /// The sources, each with where its address is written; a source whose address
    /// is not a web address is reported, and not shown as a link.
    fn sources(&mut self, written: Vec<RawSource>) -> Vec<SourceRef> {
        let key = self.places.key("sources");
        let mut sources = Vec::with_capacity(written.len());
        // The sources' addresses are written in order, so each is looked for after
        // the one before: one pass over the front matter, and two sources with the
        // same address are each found at their own line.
        let mut from_line = key.line;
        for source in written {
            let position = self.places.list_item(from_line, &source.url).unwrap_or(key);
            from_line = position.line + 1;
            if is_web_address(&source.url) {
                sources.push(SourceRef {
                    title: source.title,
                    url: source.url,
                    url_position: Some(position),
                });
            } else {
                self.errors.push(FrontMatterError::BadSourceUrl {
                    url: source.url,
                    position,
                });
                self.unread_keys.insert("sources".to_owned());
            }
        }
        sources
    }

    /// The other words for the page and its headings, each with where it is
    /// written; an empty word or heading id, or an entry of the wrong shape, is
    /// reported.
    fn also_known_as(&mut self, written: Vec<RawAlsoKnownAs>) -> Vec<AlsoKnownAs> {
        let key = self.places.key("also_known_as");
        let mut from_line = key.line;
        let mut words = Vec::new();
        let entries = written.into_iter().enumerate().flat_map(|(index, entry)| {
            let entries: Vec<_> = match entry {
                RawAlsoKnownAs::Page(term) => vec![(term, Ok(None))],
                RawAlsoKnownAs::Headings(map) => (map.into_iter())
                    .map(|(term, id)| (term, id.map(Some)))
                    .collect(),
            };
            entries.into_iter().map(move |(term, id)| (index, term, id))
        });
        for (index, term, heading) in entries {
            let term = match term {
                Ok(term) => term.trim().to_owned(),
                Err(shape) => {
                    let position = self.places.value(&format!("also_known_as[{index}]"));
                    from_line = position.line + 1;
                    (self.errors).push(FrontMatterError::AlsoKnownAsNotAWord { shape, position });
                    continue;
                }
            };
            let position = (self.places.list_item(from_line, &term)).unwrap_or(key);
            from_line = position.line + 1;
            let heading = match heading {
                Ok(id) => id.map(|id| id.trim().trim_start_matches('#').to_owned()),
                Err(shape) => {
                    (self.errors).push(FrontMatterError::AlsoKnownAsNotAHeading {
                        term,
                        shape,
                        position,
                    });
                    continue;
                }
            };
            if term.is_empty() || heading.as_ref().is_some_and(String::is_empty) {
                self.errors
                    .push(FrontMatterError::EmptyAlsoKnownAs { term, position });
                continue;
            }
            words.push(AlsoKnownAs {
                term,
                heading,
                position,
            });
        }
        words
    }

    /// The name of the page's own template, if it is a file name.
    fn template(&mut self, written: Option<String>) -> Option<String> {
        let name = written?.trim().to_owned();
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
            self.errors.push(FrontMatterError::BadTemplateName {
                name,
                position: self.places.value("template"),
            });
            return None;
        }
        Some(name)
    }
}

/// The byte offsets of each `---` line: where it starts, and where the line after it
/// starts.
fn fence_offsets(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut offset = 0;
    text.split_inclusive('\n').filter_map(move |line| {
        let start = offset;
        offset += line.len();
        is_fence(line).then_some((start, offset))
    })
}

/// Whether the first line that says something is a `key: value` line.
fn starts_with_a_key(text: &str) -> bool {
    text.lines()
        .find(|line| !line.trim().is_empty())
        .is_some_and(|line| {
            let line = line.trim_start_matches('\u{feff}');
            line.split_once(':').is_some_and(|(key, _)| {
                !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
            })
        })
}

/// Where front matter that is never closed most likely ends: at the first line
/// after `from` that is not YAML, such as a heading or a line of prose.
fn guess_front_matter_end(text: &str, from: usize) -> usize {
    let mut offset = from;
    for line in text[from..].split_inclusive('\n') {
        let trimmed = line.trim_end();
        let is_yaml = trimmed.is_empty()
            || line.starts_with([' ', '\t', '-'])
            || trimmed.split_once(':').is_some_and(|(key, value)| {
                !key.is_empty()
                    && !key.contains(' ')
                    && !key.starts_with('#')
                    && (value.is_empty() || value.starts_with(' '))
            });
        if !is_yaml {
            return offset;
        }
        offset += line.len();
    }
    text.len()
}

/// A title for a page whose own cannot be read: its file's name in words, so that
/// the rest of the build can still show and link to it.
fn title_from_file_name(content_path: &str) -> String {
    let path = content_path.trim_end_matches(".md");
    let name = match path.rsplit_once('/') {
        Some((folder, "_index")) => folder.rsplit('/').next().unwrap_or(folder),
        Some((_, name)) => name,
        None if path == "_index" => "home",
        None => path,
    };
    let words = name.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

/// Reads a page's front matter as well as it can, with every mistake in it as a
/// diagnostic.
pub fn read_page(source: &SourceFile) -> (std::sync::Arc<FrontMatter>, Vec<Diagnostic>) {
    let (front, errors) = read(source);
    (std::sync::Arc::new(front), diagnostics(source, &errors))
}

/// Every problem with a page's front matter as diagnostics.
pub fn diagnostics(source: &SourceFile, errors: &[FrontMatterError]) -> Vec<Diagnostic> {
    errors
        .iter()
        .map(|e| e.to_diagnostic(&source.display_path, Some(&source.text)))
        .collect()
}

fn is_fence(line: &str) -> bool {
    line.trim_end() == "---"
}

fn is_valid_alias(alias: &str) -> bool {
    alias.starts_with('/')
        && !alias.starts_with("//")
        && !alias.contains(['\\', '?', '#', ':'])
        && alias
            .split('/')
            .all(|part| part != ".." && part != "." && !part.chars().any(char::is_control))
}

/// Whether a source's address is a page on the web: it is shown as a link, so an
/// address such as `javascript:` could run code in a reader's browser.
fn is_web_address(url: &str) -> bool {
    let url = url.trim();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.contains(char::is_whitespace)
        && !url.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::calendar::Date;

    fn source(text: &str) -> SourceFile {
        crate::stages::load::page_source("a.md", text)
    }

    #[test]
    fn a_fingerprint_of_digits_alone_is_read_as_it_is_written() {
        let text = "---\ntitle: A\ndescription: B\ntranslation:\n  from: 012345678901\n---\nBody\n";
        let (front, errors) = read(&crate::stages::load::page_source("a.pl.md", text));
        assert!(errors.is_empty(), "{errors:?}");
        let record = front.translation.unwrap();
        assert_eq!(record.from.as_deref(), Some("012345678901"));
    }

    #[test]
    fn the_fingerprint_of_a_page_s_words_is_kept_with_its_front_matter() {
        // Each line without the spaces at its ends: title, description, then body.
        let words = |lines: &str| {
            let hash = blake3::hash(lines.as_bytes()).to_hex();
            Some(hash[..crate::model::site::FINGERPRINT_LENGTH].to_owned())
        };
        let text = "---\ntitle: Crying \ndescription: Why babies cry.\n---\n\n  Babies cry.  \nThey settle.\n\n";
        let (front, _) = read(&source(text));
        let expected = words("Crying\nWhy babies cry.\nBabies cry.\nThey settle.\n");
        assert_eq!(front.fingerprint, expected);
        let (unreadable, errors) = read(&source("---\n: [\n---\nBody\n"));
        assert!(!errors.is_empty());
        assert_eq!(unreadable.fingerprint, words("A\n\nBody\n"));
    }

    #[test]
    fn reads_every_field() {
        let front = parse(&source(
            "---\ntitle: Crying\ndescription: Why babies cry.\norder: 2\ndraft: true\nreviewed: 2026-01-31\nnext_review: 2026-07-31\naliases: [/old/]\nsources:\n  - title: NHS\n    url: https://www.nhs.uk/\n---\nBody\n",
        ))
        .unwrap();
        assert_eq!(front.title, "Crying");
        assert_eq!(front.order, Some(2));
        assert!(front.draft);
        assert_eq!(
            front.reviewed,
            Some(Date {
                year: 2026,
                month: 1,
                day: 31
            })
        );
        assert_eq!(front.sources.len(), 1);
        assert_eq!(front.aliases, ["/old/"]);
    }

    #[test]
    fn each_source_knows_where_its_address_is_written() {
        let front = parse(&source(
            "---\ntitle: A\ndescription: B\nsources:\n  - title: One\n    url: https://www.nhs.uk/\n  - url: https://www.nhs.uk/\n    title: The same address\n  - title: Quoted\n    url: \"http://example.org/\"\n---\nBody https://www.nhs.uk/\n",
        ))
        .unwrap();
        let positions: Vec<Option<(usize, usize)>> = front
            .sources
            .iter()
            .map(|s| s.url_position.map(|p| (p.line, p.col)))
            .collect();
        assert_eq!(positions, [Some((6, 10)), Some((7, 10)), Some((10, 11))]);
    }

    #[test]
    fn numbers_are_words_and_each_misshapen_word_is_found_at_its_line() {
        let (front, errors) = read(&source(
            "---\ntitle: A\ndescription: B\nalso_known_as:\n  - 999\n  - [a, b]\n  - fits: \"#seizures\"\n  - wind: [c]\nkeywords: [111]\n---\nBody\n",
        ));
        let words: Vec<(&str, Option<&str>, usize)> = (front.also_known_as.iter())
            .map(|word| (&*word.term, word.heading.as_deref(), word.position.line))
            .collect();
        assert_eq!(words, [("999", None, 5), ("fits", Some("seizures"), 7)]);
        assert_eq!(front.keywords, ["111"]);
        let lines: Vec<usize> = errors
            .iter()
            .filter_map(|e| e.position())
            .map(|p| p.line)
            .collect();
        assert_eq!(lines, [6, 8], "{errors:?}");
    }

    #[test]
    fn body_starts_after_the_closing_fence() {
        let text = "---\r\ntitle: A\r\ndescription: B\r\n---\r\nBody";
        let front = parse(&source(text)).unwrap();
        assert_eq!(&text[front.body_start..], "Body");
    }

    #[test]
    fn missing_fields_and_bad_values_are_all_reported() {
        let errors = parse(&source("---\norder: 1\nreviewed: 2026-02-30\n---\n")).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
    }

    #[test]
    fn dates_must_exist() {
        let errors = parse(&source(
            "---\ntitle: A\ndescription: B\nreviewed: 2026-02-30\n---\nBody\n",
        ))
        .unwrap_err();
        assert!(
            matches!(
                errors[..],
                [FrontMatterError::BadDate {
                    key: "reviewed",
                    ..
                }]
            ),
            "{errors:?}"
        );
    }

    #[test]
    fn a_page_with_mistakes_keeps_what_could_be_read_and_marks_the_rest_unread() {
        let text = "---\ntitel: Crying\ndescription: Why babies cry.\nnext_review: 22/11/2027\norder: first\n---\n## Soothing\n";
        let (front, errors) = read(&source(text));
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert_eq!(front.title, "A", "the title comes from the file's name");
        assert_eq!(front.description, "Why babies cry.");
        for key in ["title", "next_review", "order"] {
            assert!(!front.knows(key), "{key}");
        }
        assert!(front.knows("reviewed"));
        assert_eq!(&text[front.body_start..], "## Soothing\n");
    }

    #[test]
    fn front_matter_left_open_ends_where_the_text_starts() {
        let text = "---\ntitle: A\ndescription: B\nsources:\n  - title: NHS\n    url: https://www.nhs.uk/\n\n## Soothing\n";
        let (front, errors) = read(&source(text));
        assert_eq!(
            errors,
            [FrontMatterError::UnclosedFence {
                position: Position { line: 8, col: 1 }
            }]
        );
        assert_eq!(&text[front.body_start..], "## Soothing\n");
        assert_eq!(front.sources.len(), 1);
    }

    #[test]
    fn front_matter_without_its_first_fence_is_still_read() {
        let text = "title: A\ndescription: B\n---\nBody\n";
        let (front, errors) = read(&source(text));
        assert_eq!(errors, [FrontMatterError::MissingOpeningFence]);
        assert_eq!(front.description, "B");
        assert_eq!(&text[front.body_start..], "Body\n");
    }

    #[test]
    fn titles_from_file_names_read_as_words() {
        assert_eq!(
            title_from_file_name("crying/when-to-get-help.md"),
            "When to get help"
        );
        assert_eq!(title_from_file_name("crying/_index.md"), "Crying");
        assert_eq!(title_from_file_name("_index.md"), "Home");
    }

    #[test]
    fn aliases_stay_inside_the_site() {
        assert!(is_valid_alias("/old-page/"));
        assert!(!is_valid_alias("old-page/"));
        assert!(!is_valid_alias("/../etc/"));
        assert!(!is_valid_alias("//evil.example/"));
    }
}
