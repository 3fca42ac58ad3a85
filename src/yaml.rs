//! Located YAML: reads a YAML mapping key by key so that every problem is reported at
//! once, each at its line and column in the file, in plain words. Front matter and
//! config files both read YAML through here, so serde_yaml is used in this module and
//! nowhere else. Uses `error` for positions and suggestions.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_yaml::{Mapping, Value};

use crate::error::{Position, did_you_mean};

/// A problem in a YAML block, with its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub position: Position,
    pub message: String,
    pub hint: Option<String>,
}

/// What could be read from a YAML block: a value made of every key that was valid,
/// where each key was written, and every problem found.
#[derive(Debug)]
pub struct Parsed<T> {
    pub value: T,
    pub key_positions: BTreeMap<String, Position>,
    pub errors: Vec<YamlError>,
    /// False when the block was not a readable YAML mapping at all, so no key in it
    /// can be trusted to be missing.
    pub readable: bool,
    /// Known keys suggested for misspelt ones, so the caller need not also report
    /// them as missing.
    pub suggested_keys: Vec<String>,
}

/// Reads `text`, a YAML mapping whose first line is line `first_line` of its file,
/// into `T`. `T` must give every field a default, so that a value can be made from
/// the keys that were valid; the caller checks which fields are required. Keys not in
/// `known_keys` are errors with a suggestion; `what` names the block in messages
/// ("front matter", "site.yaml").
pub fn parse_mapping<T: DeserializeOwned + Default>(
    text: &str,
    first_line: usize,
    known_keys: &[&str],
    what: &str,
) -> Parsed<T> {
    let mut parsed = Parsed {
        value: T::default(),
        key_positions: BTreeMap::new(),
        errors: Vec::new(),
        readable: true,
        suggested_keys: Vec::new(),
    };
    let at_line = |line: usize, col: usize| Position {
        line: first_line + line.max(1) - 1,
        col: col.max(1),
    };
    let mapping = match serde_yaml::from_str::<Value>(text) {
        Ok(Value::Mapping(mapping)) => mapping,
        Ok(Value::Null) => return parsed,
        Ok(_) => {
            parsed.errors.push(YamlError {
                position: at_line(1, 1),
                message: format!("the {what} must be a list of `key: value` lines"),
                hint: Some("write each setting on its own line, such as `title: Crying`".into()),
            });
            parsed.readable = false;
            return parsed;
        }
        Err(error) => {
            let (line, col) = duplicate_key_line(text, &error.to_string())
                .map(|line| (line, 1))
                .or_else(|| error.location().map(|l| (l.line(), l.column())))
                .unwrap_or((1, 1));
            parsed.errors.push(YamlError {
                position: at_line(line, col),
                message: format!("the {what} is not valid YAML: {}", plain_message(&error)),
                hint: syntax_hint(&error.to_string()),
            });
            parsed.readable = false;
            return parsed;
        }
    };

    let key_lines = top_level_key_lines(text);
    let mut valid = Mapping::new();
    for (key, value) in mapping {
        let Some(name) = key.as_str().map(str::to_owned) else {
            parsed.errors.push(YamlError {
                position: at_line(1, 1),
                message: format!(
                    "the {what} has a key that is not a word: {}",
                    describe(&key)
                ),
                hint: None,
            });
            continue;
        };
        let found = key_lines.iter().position(|k| k.key == name);
        let (position, block) = match found {
            Some(index) => {
                let key_line = &key_lines[index];
                let end = key_lines
                    .get(index + 1)
                    .map(|next| next.offset)
                    .unwrap_or(text.len());
                (
                    at_line(key_line.line, 1),
                    Some((key_line.line, &text[key_line.offset..end])),
                )
            }
            None => (at_line(1, 1), None),
        };
        parsed.key_positions.insert(name.clone(), position);

        if !known_keys.contains(&name.as_str()) {
            let hint = match did_you_mean(&name, known_keys.iter().copied()) {
                Some(suggestion) => {
                    parsed.suggested_keys.push(suggestion.to_owned());
                    format!("did you mean '{suggestion}'?")
                }
                None => format!("the keys you can use are: {}", known_keys.join(", ")),
            };
            parsed.errors.push(YamlError {
                position,
                message: format!("unknown key '{name}'"),
                hint: Some(hint),
            });
            continue;
        }

        let checked = match block {
            Some((line, block)) => serde_yaml::from_str::<T>(block).map_err(|error| {
                let (l, c) = error
                    .location()
                    .map(|l| (l.line(), l.column()))
                    .unwrap_or((1, 1));
                (at_line(line + l - 1, c), error)
            }),
            None => {
                let mut single = Mapping::new();
                single.insert(Value::String(name.clone()), value.clone());
                serde_yaml::from_value::<T>(Value::Mapping(single)).map_err(|e| (position, e))
            }
        };
        match checked {
            Ok(_) => {
                valid.insert(Value::String(name), value);
            }
            Err((position, error)) => parsed.errors.push(YamlError {
                position,
                message: field_message(&name, &error),
                hint: field_hint(&error.to_string()),
            }),
        }
    }

    match serde_yaml::from_value::<T>(Value::Mapping(valid)) {
        Ok(value) => parsed.value = value,
        Err(error) => parsed.errors.push(YamlError {
            position: at_line(1, 1),
            message: format!("the {what} could not be read: {}", plain_message(&error)),
            hint: None,
        }),
    }
    parsed
}

/// A key written at the start of a line, outside any nesting.
struct KeyLine {
    key: String,
    /// 1-based line within the block.
    line: usize,
    /// Byte offset of the line within the block.
    offset: usize,
}

fn top_level_key_lines(text: &str) -> Vec<KeyLine> {
    let mut keys = Vec::new();
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let starts_key = line
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace() && !matches!(c, '#' | '-' | '[' | '{' | '}' | ']'));
        if starts_key {
            if let Some(key) = key_of(line) {
                keys.push(KeyLine {
                    key,
                    line: index + 1,
                    offset,
                });
            }
        }
        offset += line.len();
    }
    keys
}

fn key_of(line: &str) -> Option<String> {
    let line = line.trim_end();
    for quote in ['"', '\''] {
        if let Some(rest) = line.strip_prefix(quote) {
            let (key, after) = rest.split_once(quote)?;
            return after.trim_start().starts_with(':').then(|| key.to_owned());
        }
    }
    let colon = line
        .match_indices(':')
        .find(|&(i, _)| line[i + 1..].is_empty() || line[i + 1..].starts_with([' ', '\t']))?
        .0;
    Some(line[..colon].trim_end().to_owned())
}

/// serde_yaml places a duplicate key at the start of its mapping; the line worth
/// showing is the second time the key is written.
fn duplicate_key_line(text: &str, message: &str) -> Option<usize> {
    let key = message
        .split("duplicate entry with key \"")
        .nth(1)?
        .split('"')
        .next()?;
    top_level_key_lines(text)
        .iter()
        .filter(|k| k.key == key)
        .nth(1)
        .map(|k| k.line)
}

/// serde_yaml's message without the "at line N column M" it adds.
fn plain_message(error: &serde_yaml::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(i) if text[i..].contains(" column ") => text[..i].to_owned(),
        _ => text,
    }
}

/// A message about the value of `key`, in words an editor knows.
fn field_message(key: &str, error: &serde_yaml::Error) -> String {
    let raw = plain_message(error);
    // serde_yaml names the field it was reading before a colon: `sources[1].url: ...`.
    let (path, detail) = match raw.split_once(": ") {
        Some((path, detail))
            if path.starts_with(key)
                && path
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']')) =>
        {
            (path.to_owned(), detail.to_owned())
        }
        _ => (key.to_owned(), raw.clone()),
    };
    if let Some(rest) = detail.strip_prefix("invalid type: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            return format!(
                "'{path}' must be {}, but it is {}",
                type_name(expected),
                found_name(found)
            );
        }
    }
    if let Some(rest) = detail.strip_prefix("missing field `") {
        let field = rest.trim_end_matches('`');
        return format!("'{path}' is missing its '{field}'");
    }
    if let Some(rest) = detail.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return format!("unknown key '{field}' in '{path}'");
    }
    if let Some(rest) = detail.strip_prefix("invalid value: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            return format!(
                "'{path}' must be {}, but it is {}",
                type_name(expected),
                found_name(found)
            );
        }
    }
    format!("'{path}': {detail}")
}

fn field_hint(raw: &str) -> Option<String> {
    let rest = raw.split("unknown field `").nth(1)?;
    let (field, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    did_you_mean(field, candidates.iter().copied())
        .map(|s| format!("did you mean '{s}'?"))
        .or_else(|| {
            Some(format!(
                "the keys you can use here are: {}",
                candidates.join(", ")
            ))
        })
}

fn syntax_hint(raw: &str) -> Option<String> {
    if raw.contains("mapping values are not allowed") {
        Some("a value that contains ': ' needs quotes around it, such as title: \"Crying: what it means\"".into())
    } else if raw.contains("found character that cannot start any token") {
        Some(
            "a value that starts with a special character such as @ or ` needs quotes around it"
                .into(),
        )
    } else if raw.contains("duplicate entry") {
        Some("each key can be given only once: remove one of them".into())
    } else if raw.contains("did not find expected") || raw.contains("could not find expected") {
        Some("check the indentation and that every quote is closed".into())
    } else {
        None
    }
}

fn type_name(expected: &str) -> String {
    let expected = expected.trim_start_matches("a ").trim_start_matches("an ");
    match expected {
        "string" => "text".into(),
        "i64" | "i32" | "u32" | "u64" | "integer" => "a whole number".into(),
        "boolean" | "bool" => "true or false".into(),
        "sequence" => "a list".into(),
        "map" => "a set of `key: value` lines".into(),
        other if other.starts_with("struct ") => "a set of `key: value` lines".into(),
        other => other.to_owned(),
    }
}

fn found_name(found: &str) -> String {
    let (kind, literal) = found.split_once(' ').unwrap_or((found, ""));
    let kind = match kind {
        "string" => "text",
        "integer" => "a number",
        "floating" => "a number",
        "boolean" => "true or false",
        "sequence" => "a list",
        "map" => "a set of `key: value` lines",
        "unit" => "empty",
        other => other,
    };
    let literal = literal
        .trim_start_matches("point ")
        .trim_start_matches("value");
    if literal.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind} ({})", literal.trim_matches('`'))
    }
}

fn describe(value: &Value) -> String {
    serde_yaml::to_string(value)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct Sample {
        title: Option<String>,
        order: Option<i64>,
        tags: Option<Vec<String>>,
    }

    const KEYS: &[&str] = &["title", "order", "tags"];

    #[test]
    fn every_bad_key_is_reported_at_its_own_line() {
        let parsed: Parsed<Sample> = parse_mapping(
            "titel: A\norder: first\ntags: [a]\n",
            2,
            KEYS,
            "front matter",
        );
        let found: Vec<_> = parsed
            .errors
            .iter()
            .map(|e| (e.position.line, e.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (2, "unknown key 'titel'"),
                (
                    3,
                    "'order' must be a whole number, but it is text (\"first\")"
                )
            ]
        );
        assert_eq!(
            parsed.errors[0].hint.as_deref(),
            Some("did you mean 'title'?")
        );
        assert_eq!(parsed.value.tags, Some(vec!["a".to_owned()]));
    }

    #[test]
    fn syntax_errors_point_into_the_file() {
        let parsed: Parsed<Sample> =
            parse_mapping("title: A\norder: [1\n", 5, KEYS, "front matter");
        assert_eq!(parsed.errors.len(), 1);
        assert!(parsed.errors[0].position.line >= 6, "{:?}", parsed.errors);
    }

    #[test]
    fn quoted_keys_and_values_with_colons_are_found() {
        assert_eq!(key_of("\"title\": x").as_deref(), Some("title"));
        assert_eq!(key_of("title: a: b").as_deref(), Some("title"));
        assert_eq!(key_of("url:https://x").as_deref(), None);
    }
}
