//! Located YAML: reads a YAML mapping key by key so that every problem is reported at
//! once, each at its line and column in the file, in plain words. Front matter and
//! config files both read YAML through here, so serde_yaml is used in this module and
//! nowhere else. Uses `error` for positions and suggestions.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
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
    let position_of = |name: &str| match key_lines.iter().find(|k| k.key == name) {
        Some(key_line) => at_line(key_line.line, 1),
        None => at_line(1, 1),
    };
    // Most blocks are right as they are: reading the whole once is enough. Only a
    // block with a mistake is read again a key at a time, to find each mistake.
    let all_known = mapping
        .keys()
        .all(|key| key.as_str().is_some_and(|name| known_keys.contains(&name)));
    let whole = Value::Mapping(mapping);
    if all_known && let Ok(value) = T::deserialize(&whole) {
        for key in whole.as_mapping().into_iter().flat_map(Mapping::keys) {
            if let Some(key) = key.as_str() {
                parsed
                    .key_positions
                    .insert(key.to_owned(), position_of(key));
            }
        }
        parsed.value = value;
        return parsed;
    }
    let Value::Mapping(mapping) = whole else {
        return parsed;
    };
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
        let position = position_of(&name);
        let block = key_lines.iter().position(|k| k.key == name).map(|index| {
            let key_line = &key_lines[index];
            let end = key_lines
                .get(index + 1)
                .map(|next| next.offset)
                .unwrap_or(text.len());
            (key_line.line, &text[key_line.offset..end])
        });
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

/// A part of a YAML file that is read on its own: if it is not what was expected,
/// the mistake is kept instead, so the rest of the file is still read and every
/// mistake can be reported at once.
#[derive(Debug, Clone)]
pub enum Part<T> {
    Read(T),
    Failed(PartError),
}

/// What was wrong with a [`Part`]: where inside it, and serde's description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartError {
    /// The path inside the part, such as `schedule[0]`; empty for the part itself.
    pub inner_path: String,
    detail: String,
}

impl PartError {
    /// The full path of the mistake, its message and a hint, for a part found at
    /// `path` (such as `hubs[1]`).
    pub fn describe(&self, path: &str) -> (String, String, Option<String>) {
        let full = join_path(path, &self.inner_path);
        // An unknown key's path ends with the key; the message names its mapping.
        let unknown = self
            .detail
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split('`').next());
        let named = match unknown.and_then(|key| full.strip_suffix(key)) {
            Some(mapping) => mapping.trim_end_matches('.').to_owned(),
            None => full.clone(),
        };
        (
            full,
            problem_message(&named, &self.detail),
            field_hint(&self.detail),
        )
    }
}

/// `outer` and `inner` paths joined: `hubs[1]` and `address.city` make
/// `hubs[1].address.city`; `hubs` and `[1]` make `hubs[1]`.
pub fn join_path(outer: &str, inner: &str) -> String {
    if inner.is_empty() {
        outer.to_owned()
    } else if outer.is_empty() || inner.starts_with('[') {
        format!("{outer}{inner}")
    } else {
        format!("{outer}.{inner}")
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Part<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Ok(match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(read) => Part::Read(read),
            Err(error) => {
                let path = error.path().to_string();
                let inner_path = if path == "." { String::new() } else { path };
                let detail = plain_message(&error.into_inner());
                Part::Failed(PartError { inner_path, detail })
            }
        })
    }
}

/// A single value as written: text, a number or true or false, kept as text so that
/// its checks can explain what is wrong with it in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    pub text: String,
    /// False when YAML read it as a number or true or false, not as text; a phone
    /// number written without quotes loses its first 0 that way.
    pub is_text: bool,
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (text, is_text) = match Value::deserialize(deserializer)? {
            Value::String(text) => (text, true),
            Value::Number(number) => (number.to_string(), false),
            Value::Bool(value) => (value.to_string(), false),
            Value::Null => (String::new(), true),
            Value::Sequence(_) => {
                return Err(serde::de::Error::custom(
                    "invalid type: sequence, expected a string",
                ));
            }
            Value::Mapping(_) | Value::Tagged(_) => {
                return Err(serde::de::Error::custom(
                    "invalid type: map, expected a string",
                ));
            }
        };
        Ok(Scalar { text, is_text })
    }
}

/// Keys of a mapping that its type does not know, collected instead of refused so
/// that the rest of the mapping is still read: `#[serde(flatten)] unknown: Unknown`.
pub type Unknown = BTreeMap<String, serde::de::IgnoredAny>;

/// Where the value at `path` (`hubs[1].address.postal_code`) is written in a YAML
/// file in block style, found from the indentation of its lines; or, if it cannot
/// be found, the nearest part of the path that can. `None` if not even the first
/// key is there. Flow style (`{a: 1}`) is not looked into.
pub fn locate(text: &str, path: &str) -> Option<Position> {
    locate_in(text, path, false)
}

/// Where the key at the end of `path` is written, as [`locate`] finds it.
pub fn locate_key(text: &str, path: &str) -> Option<Position> {
    locate_in(text, path, true)
}

fn locate_in(text: &str, path: &str, want_key: bool) -> Option<Position> {
    let lines: Vec<LineTokens> = text.lines().map(LineTokens::of).collect();
    let mut range = 0..lines.len();
    let mut found = None;
    for step in path_steps(path) {
        let located = match step {
            Step::Key(key) => find_key(&lines, range.clone(), key, want_key),
            Step::Index(index) => find_item(&lines, range.clone(), index),
        };
        let Some((position, inside)) = located else {
            break;
        };
        found = Some(position);
        range = inside;
    }
    found
}

enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn path_steps(path: &str) -> Vec<Step<'_>> {
    let mut steps = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, indexes) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            steps.push(Step::Key(key));
        }
        for index in indexes.split('[') {
            if let Ok(index) = index.trim_end_matches(']').parse() {
                steps.push(Step::Index(index));
            }
        }
    }
    steps
}

/// What starts a line of block YAML: the columns of its `- ` list markers, and the
/// key after them, if any, with the columns of the key and of its value.
#[derive(Debug, Default)]
struct LineTokens {
    dashes: Vec<usize>,
    key: Option<(String, usize, Option<usize>)>,
    /// The column of the first thing on the line; `None` for a blank or comment line.
    first: Option<usize>,
}

impl LineTokens {
    fn of(line: &str) -> LineTokens {
        let mut tokens = LineTokens::default();
        let chars: Vec<char> = line.chars().collect();
        let mut col = chars.iter().take_while(|c| **c == ' ').count();
        if col >= chars.len() || chars[col] == '#' {
            return tokens;
        }
        tokens.first = Some(col);
        while chars.get(col) == Some(&'-') && matches!(chars.get(col + 1), None | Some(' ')) {
            tokens.dashes.push(col);
            col += 1;
            col += chars[col..].iter().take_while(|c| **c == ' ').count();
        }
        let rest: String = chars[col.min(chars.len())..].iter().collect();
        if let Some(key) = key_of(&rest) {
            let after_key = rest.find(':').map(|i| i + 1).unwrap_or(rest.len());
            let gap = rest[after_key..].chars().take_while(|c| *c == ' ').count();
            let value_col = (after_key + gap < rest.trim_end().len())
                .then(|| col + rest[..after_key + gap].chars().count());
            tokens.key = Some((key, col, value_col));
        }
        tokens
    }
}

fn line_position(line: usize, col: usize) -> Position {
    Position {
        line: line + 1,
        col: col + 1,
    }
}

/// The key `key` at the indentation of the mapping in `range`: where it is written,
/// or its value (unless that is on later lines), and the lines under it.
fn find_key(
    lines: &[LineTokens],
    range: std::ops::Range<usize>,
    key: &str,
    want_key: bool,
) -> Option<(Position, std::ops::Range<usize>)> {
    let column = range
        .clone()
        .find_map(|i| lines[i].key.as_ref().map(|(_, col, _)| *col))?;
    let at = range.clone().find(|&i| {
        lines[i]
            .key
            .as_ref()
            .is_some_and(|(name, col, _)| name == key && *col == column)
    })?;
    let (_, col, value_col) = lines[at].key.as_ref()?;
    let end = (at + 1..range.end)
        .find(|&i| match lines[i].first {
            None => false,
            // A list may start at the same indentation as its key.
            Some(first) if first == *col => lines[i].dashes.first() != Some(col),
            Some(first) => first < *col,
        })
        .unwrap_or(range.end);
    let shown_col = if want_key {
        *col
    } else {
        value_col.unwrap_or(*col)
    };
    Some((line_position(at, shown_col), at + 1..end))
}

/// Item `index` of the list in `range`: where its content starts, and its lines.
fn find_item(
    lines: &[LineTokens],
    range: std::ops::Range<usize>,
    index: usize,
) -> Option<(Position, std::ops::Range<usize>)> {
    let column = range
        .clone()
        .find_map(|i| lines[i].dashes.first().copied())?;
    let starts: Vec<usize> = range
        .clone()
        .filter(|&i| lines[i].dashes.first() == Some(&column))
        .collect();
    let at = *starts.get(index)?;
    let end = (at + 1..range.end)
        .find(|&i| lines[i].first.is_some_and(|first| first <= column))
        .unwrap_or(range.end);
    let content_col = lines[at]
        .key
        .as_ref()
        .map(|(_, col, _)| *col)
        .unwrap_or(column + 2);
    // The item's own first line belongs to it, after its dash.
    Some((line_position(at, content_col), at..end))
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
    match raw.split_once(": ") {
        Some((path, detail))
            if path.starts_with(key)
                && path
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']')) =>
        {
            problem_message(path, detail)
        }
        _ => problem_message(key, &raw),
    }
}

/// serde's `detail` about the value at `path` (`hubs[1].phone`), in plain words.
fn problem_message(path: &str, detail: &str) -> String {
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
    fn nested_values_are_located_by_their_path() {
        let text = "\
name: A
hubs:
- name: North
  schedule:
    - byday: MO
      opens_at: \"09:00\"
-   name: South
    address:
      city: Town # a comment

      postal_code: ZZ1 1AA
tags: [a, b]
";
        let at = |path| locate(text, path).map(|p| (p.line, p.col));
        assert_eq!(at("name"), Some((1, 7)));
        assert_eq!(at("hubs[0].name"), Some((3, 9)));
        assert_eq!(at("hubs[0].schedule[0].opens_at"), Some((6, 17)));
        assert_eq!(at("hubs[1].name"), Some((7, 11)));
        assert_eq!(at("hubs[1].address.postal_code"), Some((11, 20)));
        assert_eq!(at("hubs[1].address"), Some((8, 5)));
        assert_eq!(
            locate_key(text, "hubs[1].address.city").map(|p| p.col),
            Some(7)
        );
        // Not there: the nearest part that is.
        assert_eq!(at("hubs[1].phone"), Some((7, 5)));
        assert_eq!(at("hubs[5].name"), Some((2, 1)));
        assert_eq!(at("tags[1]"), Some((12, 7)));
        assert_eq!(at("missing"), None);
    }

    #[test]
    fn a_part_keeps_its_mistake_and_says_where_it_is() {
        #[derive(Debug, Default, serde::Deserialize)]
        #[serde(default, deny_unknown_fields)]
        struct Outer {
            items: Vec<Part<Sample>>,
        }
        let outer: Outer =
            serde_yaml::from_str("items:\n  - title: A\n  - order: x\n  - titel: B\n").unwrap();
        let described: Vec<_> = outer
            .items
            .iter()
            .enumerate()
            .map(|(i, part)| match part {
                Part::Read(_) => None,
                Part::Failed(error) => Some(error.describe(&format!("items[{i}]")).1),
            })
            .collect();
        assert_eq!(
            described,
            [
                None,
                Some("'items[1].order' must be a whole number, but it is text (\"x\")".to_owned()),
                Some("unknown key 'titel' in 'items[2]'".to_owned()),
            ]
        );
    }

    #[test]
    fn quoted_keys_and_values_with_colons_are_found() {
        assert_eq!(key_of("\"title\": x").as_deref(), Some("title"));
        assert_eq!(key_of("title: a: b").as_deref(), Some("title"));
        assert_eq!(key_of("url:https://x").as_deref(), None);
    }
}
