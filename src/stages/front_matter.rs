//! Front matter: splits the `---` fence from the top of a page and reads the YAML
//! in it into a validated [`FrontMatter`]. Every problem is reported at once, at
//! its line and column counted from the first line of the file. Uses `page`,
//! `yaml`, `calendar` and `error`.

use crate::model::page::{FrontMatter, SourceFile, SourceRef};
use crate::support::calendar::{format_date, parse_date};
use crate::support::error::{Diagnostic, LineIndex, Position, StageError};
use crate::support::yaml;

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
];

/// What can be wrong with a page's front matter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrontMatterError {
    #[error("the page does not start with front matter")]
    MissingFence,
    #[error("the front matter has no `---` line above it")]
    MissingOpeningFence,
    #[error("the page is empty")]
    Empty,
    #[error("the front matter is never closed")]
    UnclosedFence { position: Position },
    #[error("{message}")]
    Yaml {
        position: Position,
        message: String,
        hint: Option<String>,
    },
    #[error("the front matter has no '{key}'")]
    MissingKey {
        key: &'static str,
        position: Position,
    },
    #[error("'{key}' is empty")]
    EmptyValue {
        key: &'static str,
        position: Position,
    },
    #[error("'{key}' is not a date: {value:?}")]
    BadDate {
        key: &'static str,
        value: String,
        position: Position,
    },
    #[error("'next_review' ({next}) is before 'reviewed' ({reviewed})")]
    ReviewBeforeReviewed {
        next: String,
        reviewed: String,
        position: Position,
    },
    #[error("the alias {alias:?} is not a path on this site")]
    BadAlias { alias: String, position: Position },
    #[error("the template name {name:?} must be a file name such as \"page.html\"")]
    BadTemplateName { name: String, position: Position },
    #[error("the source's address {url:?} is not a web address")]
    BadSourceUrl { url: String, position: Position },
}

impl StageError for FrontMatterError {
    fn position(&self) -> Option<Position> {
        use FrontMatterError::*;
        match self {
            MissingFence | MissingOpeningFence | Empty => Some(Position { line: 1, col: 1 }),
            UnclosedFence { position }
            | Yaml { position, .. }
            | MissingKey { position, .. }
            | EmptyValue { position, .. }
            | BadDate { position, .. }
            | ReviewBeforeReviewed { position, .. }
            | BadAlias { position, .. }
            | BadTemplateName { position, .. }
            | BadSourceUrl { position, .. } => Some(*position),
        }
    }

    fn hint(&self) -> Option<String> {
        use FrontMatterError::*;
        Some(match self {
            MissingFence => "start the file with a line `---`, then `title: ...` and `description: ...`, then another `---`".into(),
            Empty => "write the page, starting with a line `---`, then `title: ...` and `description: ...`, then another `---`; `tellyou new` writes one for you".into(),
            MissingOpeningFence => "add a line with just `---` above the first line".into(),
            UnclosedFence { .. } => "add a line with just `---` above this line, after the last front matter key".into(),
            Yaml { hint, .. } => return hint.clone(),
            MissingKey { key: "title", .. } => "add a line such as `title: Soothing a crying baby`".into(),
            MissingKey { .. } => "add a line such as `description: Calm ways to comfort your baby when they cry.`".into(),
            EmptyValue { .. } => "write the text after the colon".into(),
            BadDate { .. } => "write dates as year-month-day, such as 2026-11-22".into(),
            ReviewBeforeReviewed { .. } => "the next review comes after the last one".into(),
            BadAlias { .. } => "write an old address of this page from the site root, such as /crying-baby/".into(),
            BadTemplateName { .. } => "name a file in templates/ or the theme's templates, without a folder".into(),
            BadSourceUrl { .. } => "write the whole address of the page you used, starting with https://".into(),
        })
    }
}

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
    sources: Option<Vec<SourceRef>>,
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
    let index = LineIndex::new(text);
    let unread_everything = |body_start: usize| FrontMatter {
        title: title_from_file_name(&source.content_path),
        body_start,
        unread_keys: KEYS.iter().map(|key| key.to_string()).collect(),
        ..FrontMatter::default()
    };
    if text.trim().is_empty() {
        return (unread_everything(text.len()), vec![FrontMatterError::Empty]);
    }
    let fence_lines: Vec<(usize, usize)> = fence_offsets(text).collect();
    let (yaml_start, yaml_end, body_start, mut errors) = match fence_lines.first() {
        Some(&(0, after_first)) => match fence_lines.get(1) {
            Some(&(closing, body_start)) => (after_first, closing, body_start, Vec::new()),
            None => {
                let end = guess_front_matter_end(text, after_first);
                let error = FrontMatterError::UnclosedFence {
                    position: index.position(text, end),
                };
                (after_first, end, end, vec![error])
            }
        },
        // Keys above a `---` line are front matter without its first fence.
        Some(&(closing, body_start)) if starts_with_a_key(text) => (
            0,
            closing,
            body_start,
            vec![FrontMatterError::MissingOpeningFence],
        ),
        _ => {
            return (unread_everything(0), vec![FrontMatterError::MissingFence]);
        }
    };
    let first_line = index.position(text, yaml_start).line;
    let parsed = yaml::parse_mapping::<RawFrontMatter>(
        &text[yaml_start..yaml_end],
        first_line,
        KEYS,
        "front matter",
    );
    errors.extend(parsed.errors.into_iter().map(|e| FrontMatterError::Yaml {
        position: e.position,
        message: e.message,
        hint: e.hint,
    }));
    let positions = parsed.key_positions;
    let suggested = parsed.suggested_keys;
    let mut unread_keys = parsed.unread_keys;
    // A misspelt key has been reported with the key it was meant to be.
    unread_keys.extend(suggested.iter().cloned());
    if !parsed.readable {
        unread_keys.extend(KEYS.iter().map(|key| key.to_string()));
    }
    let raw = parsed.value;
    let at = |key: &str| {
        positions
            .get(key)
            .copied()
            .unwrap_or(Position { line: 1, col: 1 })
    };
    let value_at = |key: &str| yaml::value_position(text, at(key));
    let closing_fence = index.position(text, yaml_end);

    let required = |key: &'static str,
                    value: &Option<String>,
                    errors: &mut Vec<FrontMatterError>,
                    unread_keys: &mut std::collections::BTreeSet<String>|
     -> Option<String> {
        match value {
            Some(v) if !v.trim().is_empty() => Some(v.trim().to_owned()),
            Some(_) => {
                errors.push(FrontMatterError::EmptyValue {
                    key,
                    position: value_at(key),
                });
                unread_keys.insert(key.to_owned());
                None
            }
            None if positions.contains_key(key)
                || suggested.iter().any(|s| s == key)
                || unread_keys.contains(key) =>
            {
                unread_keys.insert(key.to_owned());
                None
            }
            None => {
                errors.push(FrontMatterError::MissingKey {
                    key,
                    position: closing_fence,
                });
                unread_keys.insert(key.to_owned());
                None
            }
        }
    };
    let title = required("title", &raw.title, &mut errors, &mut unread_keys)
        .unwrap_or_else(|| title_from_file_name(&source.content_path));
    let description = required(
        "description",
        &raw.description,
        &mut errors,
        &mut unread_keys,
    )
    .unwrap_or_default();

    let mut date = |key: &'static str, value: &Option<String>| {
        let value = value.as_deref()?;
        let parsed = parse_date(value.trim());
        if parsed.is_none() {
            errors.push(FrontMatterError::BadDate {
                key,
                value: value.to_owned(),
                position: value_at(key),
            });
            unread_keys.insert(key.to_owned());
        }
        parsed
    };
    let reviewed = date("reviewed", &raw.reviewed);
    let next_review = date("next_review", &raw.next_review);
    let mut next_review = next_review;
    if let (Some(reviewed), Some(next)) = (reviewed, next_review) {
        if next < reviewed {
            errors.push(FrontMatterError::ReviewBeforeReviewed {
                next: format_date(next),
                reviewed: format_date(reviewed),
                position: value_at("next_review"),
            });
            // Most likely a slip in the date: when the page is due is not known.
            next_review = None;
            unread_keys.insert("next_review".to_owned());
        }
    }

    let mut aliases = raw.aliases.unwrap_or_default();
    aliases.retain(|alias| {
        let valid = is_valid_alias(alias);
        if !valid {
            let position =
                list_value_position(text, at("aliases").line, alias).unwrap_or(at("aliases"));
            errors.push(FrontMatterError::BadAlias {
                alias: alias.clone(),
                position,
            });
        }
        valid
    });
    let written_sources = raw.sources.unwrap_or_default();
    let mut sources = Vec::with_capacity(written_sources.len());
    let front_matter = &text[..yaml_end];
    // The sources' addresses are written in order, so each is looked for after the
    // one before: one pass over the front matter, and two sources with the same
    // address are each found at their own line.
    let mut from_line = at("sources").line;
    for mut source in written_sources {
        let position =
            list_value_position(front_matter, from_line, &source.url).unwrap_or(at("sources"));
        from_line = position.line + 1;
        source.url_position = Some(position);
        if is_web_address(&source.url) {
            sources.push(source);
        } else {
            // Reported here, and not shown as a link.
            errors.push(FrontMatterError::BadSourceUrl {
                url: source.url,
                position,
            });
            unread_keys.insert("sources".to_owned());
        }
    }
    let mut template = raw.template.map(|t| t.trim().to_owned());
    if let Some(name) = &template {
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
            errors.push(FrontMatterError::BadTemplateName {
                name: name.clone(),
                position: value_at("template"),
            });
            template = None;
        }
    }

    let front = FrontMatter {
        title,
        description,
        order: raw.order,
        draft: raw.draft.unwrap_or(false),
        template,
        aliases,
        reviewed,
        next_review,
        sources,
        key_positions: positions,
        body_start,
        unread_keys,
    };
    (front, errors)
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

/// Where `value`, one of a list's values, is written from line `from_line` on: on
/// the first line that ends with it, else on the first line that holds it.
fn list_value_position(text: &str, from_line: usize, value: &str) -> Option<Position> {
    let lines = || {
        text.split('\n')
            .enumerate()
            .skip(from_line.saturating_sub(1))
    };
    let ends_with = |line: &str| {
        let line = line.trim_end().trim_end_matches(['"', '\'', ',', ']']);
        line.ends_with(value).then(|| line.len() - value.len())
    };
    lines()
        .find_map(|(i, line)| ends_with(line).map(|byte| (i, line, byte)))
        .or_else(|| lines().find_map(|(i, line)| line.find(value).map(|byte| (i, line, byte))))
        .map(|(i, line, byte)| Position {
            line: i + 1,
            col: line[..byte].chars().count() + 1,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::calendar::Date;

    fn source(text: &str) -> SourceFile {
        SourceFile {
            content_path: "a.md".into(),
            display_path: "content/a.md".into(),
            text: text.into(),
            hash: blake3::hash(text.as_bytes()),
            url_path: "a/".into(),
            is_section: false,
        }
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
