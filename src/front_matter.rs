//! Front matter: splits the `---` fence from the top of a page and reads the YAML in
//! it into a validated [`FrontMatter`]. Every problem is reported at once, at its line
//! and column counted from the first line of the file. Uses `yaml` for the reading
//! and `error` and `page` for the results.

use crate::calendar::{format_date, parse_date};
use crate::error::{Diagnostic, LineIndex, Position, StageError};
use crate::page::{FrontMatter, SourceFile, SourceRef};
use crate::yaml;

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

/// Search engines cut descriptions off after about this many characters.
pub const MAX_DESCRIPTION_CHARS: usize = 160;

/// What can be wrong with a page's front matter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrontMatterError {
    #[error("the page does not start with front matter")]
    MissingFence,
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
    #[error("the description is {length} characters long; the most is {MAX_DESCRIPTION_CHARS}")]
    DescriptionTooLong { length: usize, position: Position },
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
            MissingFence | Empty => Some(Position { line: 1, col: 1 }),
            UnclosedFence { position }
            | Yaml { position, .. }
            | MissingKey { position, .. }
            | EmptyValue { position, .. }
            | DescriptionTooLong { position, .. }
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
            UnclosedFence { .. } => "add a line with just `---` after the last front matter key".into(),
            Yaml { hint, .. } => return hint.clone(),
            MissingKey { key: "title", .. } => "add a line such as `title: Soothing a crying baby`".into(),
            MissingKey { .. } => "add a line such as `description: Calm ways to comfort your baby when they cry.`".into(),
            EmptyValue { .. } => "write the text after the colon".into(),
            DescriptionTooLong { .. } => "keep the description to one short sentence: search results cut long ones off".into(),
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
    let text: &str = &source.text;
    let index = LineIndex::new(text);
    if text.trim().is_empty() {
        return Err(vec![FrontMatterError::Empty]);
    }
    let mut lines = text.split_inclusive('\n');
    if lines.next().map(is_fence) != Some(true) {
        return Err(vec![FrontMatterError::MissingFence]);
    }
    let yaml_start = index.line_start(2).min(text.len());
    let mut offset = yaml_start;
    let mut closing = None;
    for line in lines {
        if is_fence(line) {
            closing = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((yaml_end, body_start)) = closing else {
        return Err(vec![FrontMatterError::UnclosedFence {
            position: Position { line: 1, col: 1 },
        }]);
    };

    let parsed =
        yaml::parse_mapping::<RawFrontMatter>(&text[yaml_start..yaml_end], 2, KEYS, "front matter");
    let mut errors: Vec<FrontMatterError> = parsed
        .errors
        .into_iter()
        .map(|e| FrontMatterError::Yaml {
            position: e.position,
            message: e.message,
            hint: e.hint,
        })
        .collect();
    if !parsed.readable {
        return Err(errors);
    }
    let positions = parsed.key_positions;
    let suggested = parsed.suggested_keys;
    let raw = parsed.value;
    let at = |key: &str| {
        positions
            .get(key)
            .copied()
            .unwrap_or(Position { line: 1, col: 1 })
    };
    let value_at = |key: &str| {
        let key_position = at(key);
        let line = crate::error::line_text(text, key_position.line).unwrap_or("");
        let col = line
            .find(':')
            .map(|colon| {
                let after = &line[colon + 1..];
                let skipped = after.len() - after.trim_start().len();
                line[..colon + 1 + skipped].chars().count() + 1
            })
            .unwrap_or(1);
        Position {
            line: key_position.line,
            col,
        }
    };
    let closing_fence = index.position(text, yaml_end);

    let required =
        |key: &'static str, value: &Option<String>, errors: &mut Vec<FrontMatterError>| -> String {
            match value {
                Some(v) if !v.trim().is_empty() => v.trim().to_owned(),
                Some(_) => {
                    errors.push(FrontMatterError::EmptyValue {
                        key,
                        position: value_at(key),
                    });
                    String::new()
                }
                None if positions.contains_key(key) || suggested.iter().any(|s| s == key) => {
                    String::new()
                }
                None => {
                    errors.push(FrontMatterError::MissingKey {
                        key,
                        position: closing_fence,
                    });
                    String::new()
                }
            }
        };
    let title = required("title", &raw.title, &mut errors);
    let description = required("description", &raw.description, &mut errors);
    let length = description.chars().count();
    if length > MAX_DESCRIPTION_CHARS {
        let start = value_at("description");
        errors.push(FrontMatterError::DescriptionTooLong {
            length,
            position: Position {
                line: start.line,
                col: start.col + MAX_DESCRIPTION_CHARS,
            },
        });
    }

    let date = |key: &'static str, value: &Option<String>, errors: &mut Vec<FrontMatterError>| {
        let value = value.as_deref()?;
        let parsed = parse_date(value.trim());
        if parsed.is_none() {
            errors.push(FrontMatterError::BadDate {
                key,
                value: value.to_owned(),
                position: value_at(key),
            });
        }
        parsed
    };
    let reviewed = date("reviewed", &raw.reviewed, &mut errors);
    let next_review = date("next_review", &raw.next_review, &mut errors);
    if let (Some(reviewed), Some(next)) = (reviewed, next_review) {
        if next < reviewed {
            errors.push(FrontMatterError::ReviewBeforeReviewed {
                next: format_date(next),
                reviewed: format_date(reviewed),
                position: value_at("next_review"),
            });
        }
    }

    let aliases = raw.aliases.unwrap_or_default();
    for alias in &aliases {
        if !is_valid_alias(alias) {
            let position =
                list_value_position(text, at("aliases").line, alias).unwrap_or(at("aliases"));
            errors.push(FrontMatterError::BadAlias {
                alias: alias.clone(),
                position,
            });
        }
    }
    let mut sources = raw.sources.unwrap_or_default();
    let front_matter = &text[..yaml_end];
    // The sources' addresses are written in order, so each is looked for after the
    // one before: one pass over the front matter, and two sources with the same
    // address are each found at their own line.
    let mut from_line = at("sources").line;
    for source in &mut sources {
        let position =
            list_value_position(front_matter, from_line, &source.url).unwrap_or(at("sources"));
        from_line = position.line + 1;
        source.url_position = Some(position);
        if !is_web_address(&source.url) {
            errors.push(FrontMatterError::BadSourceUrl {
                url: source.url.clone(),
                position,
            });
        }
    }
    let template = raw.template.map(|t| t.trim().to_owned());
    if let Some(name) = &template {
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
            errors.push(FrontMatterError::BadTemplateName {
                name: name.clone(),
                position: value_at("template"),
            });
        }
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(FrontMatter {
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
    })
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
    use crate::page::Date;

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
    fn dates_must_exist() {}

    #[test]
    fn aliases_stay_inside_the_site() {
        assert!(is_valid_alias("/old-page/"));
        assert!(!is_valid_alias("old-page/"));
        assert!(!is_valid_alias("/../etc/"));
        assert!(!is_valid_alias("//evil.example/"));
    }
}
