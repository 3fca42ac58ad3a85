//! Located YAML: reads a YAML mapping key by key so that every problem is reported at
//! once, each at its line and column in the file, in plain words, and gives the
//! [`Places`] of everything written in it, by path, for the checks of its values.
//! Front matter, `site.yaml` and council files all read YAML through here, so
//! serde_yaml is used in this module and nowhere else. Uses `error` for positions
//! and suggestions.

use std::collections::{BTreeMap, BTreeSet};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_yaml::{Mapping, Value};

use crate::support::error::{Position, did_you_mean};

mod locate;
mod mistakes;
mod places;

use locate::*;
pub use mistakes::path_in_words;
use mistakes::*;
pub use places::Places;

/// A problem in a YAML block, with its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub position: Position,
    pub message: String,
    pub hint: Option<String>,
}

/// What could be read from a YAML block: a value made of every key that was valid,
/// where each thing in it is written, and every problem found.
#[derive(Debug)]
pub struct Parsed<'t, T> {
    pub value: T,
    pub places: Places<'t>,
    pub errors: Vec<YamlError>,
    /// False when the block was not a readable YAML mapping at all, so no key in it
    /// can be trusted to be missing.
    pub readable: bool,
    /// Known keys suggested for misspelt ones, so the caller need not also report
    /// them as missing.
    pub suggested_keys: Vec<String>,
    /// Keys that are written but whose values could not be read. Their mistakes are
    /// reported, and their fields are left empty: a caller must not also report them
    /// as missing, or check what they would have said.
    pub unread_keys: BTreeSet<String>,
}

/// Reads `text`, a YAML mapping whose first line is line `first_line` of its file,
/// into `T`. `T` must give every field a default, so that a value can be made from
/// the keys that were valid; the caller checks which fields are required. Keys not in
/// `known_keys` are errors with a suggestion; `what` names the block in messages
/// ("front matter", "site.yaml").
pub fn parse_mapping<'t, T: DeserializeOwned + Default>(
    text: &'t str,
    first_line: usize,
    known_keys: &[&str],
    what: &str,
) -> Parsed<'t, T> {
    let mut reading = Reading {
        text,
        first_line,
        known_keys,
        what,
        value: T::default(),
        key_positions: BTreeMap::new(),
        errors: Vec::new(),
        readable: true,
        suggested_keys: Vec::new(),
        unread_keys: BTreeSet::new(),
    };
    if let Some(mapping) = reading.mapping() {
        reading.read(mapping);
    }
    Parsed {
        value: reading.value,
        places: Places::new(text, first_line, reading.key_positions),
        errors: reading.errors,
        readable: reading.readable,
        suggested_keys: reading.suggested_keys,
        unread_keys: reading.unread_keys,
    }
}

/// Line `line` and column `col` of a block whose first line is line `first_line` of
/// its file, as a place in the file.
fn in_file(first_line: usize, line: usize, col: usize) -> Position {
    Position {
        line: first_line + line.max(1) - 1,
        col: col.max(1),
    }
}

/// A YAML block being read, with what has been found so far.
struct Reading<'t, 'k, T> {
    text: &'t str,
    first_line: usize,
    known_keys: &'k [&'k str],
    what: &'k str,
    value: T,
    key_positions: BTreeMap<String, Position>,
    errors: Vec<YamlError>,
    readable: bool,
    suggested_keys: Vec<String>,
    unread_keys: BTreeSet<String>,
}

impl<T: DeserializeOwned + Default> Reading<'_, '_, T> {
    /// Line `line` and column `col` of the block as a place in the file.
    fn at(&self, line: usize, col: usize) -> Position {
        in_file(self.first_line, line, col)
    }

    /// The block as a YAML mapping, with any key that could not be read left out
    /// and its mistake kept; `None` if there is nothing to read.
    fn mapping(&mut self) -> Option<Mapping> {
        match serde_yaml::from_str::<Value>(self.text) {
            Ok(Value::Mapping(mapping)) => Some(mapping),
            Ok(Value::Null) => None,
            Ok(_) => {
                self.errors.push(YamlError {
                    position: self.at(1, 1),
                    message: format!("the {} must be a list of `key: value` lines", self.what),
                    hint: Some(
                        "write each setting on its own line, such as `title: Crying`".into(),
                    ),
                });
                self.readable = false;
                None
            }
            // Each key is read on its own, so that one slip does not hide the others,
            // and each mistake is found at its own line.
            Err(_) => Some(read_key_by_key(self)),
        }
    }

    /// Reads `mapping` into the value: at once if it is right as it is, or else a
    /// key at a time, keeping each key that reads well.
    fn read(&mut self, mapping: Mapping) {
        let key_lines = top_level_key_lines(self.text);
        // Most blocks are right as they are: reading the whole once is enough. Only a
        // block with a mistake is read again a key at a time, to find each mistake.
        let all_known = (mapping.keys()).all(|key| {
            key.as_str()
                .is_some_and(|name| self.known_keys.contains(&name))
        });
        let whole = Value::Mapping(mapping);
        if all_known
            && self.errors.is_empty()
            && let Ok(value) = T::deserialize(&whole)
        {
            for key in whole.as_mapping().into_iter().flat_map(Mapping::keys) {
                if let Some(key) = key.as_str() {
                    let position = self.key_position(&key_lines, key);
                    self.key_positions.insert(key.to_owned(), position);
                }
            }
            self.value = value;
            return;
        }
        let Value::Mapping(mapping) = whole else {
            return;
        };
        let mut valid = Mapping::new();
        for (key, value) in mapping {
            if let Some((name, value)) = self.read_key(&key_lines, key, value) {
                valid.insert(Value::String(name), value);
            }
        }
        match serde_yaml::from_value::<T>(Value::Mapping(valid)) {
            Ok(value) => self.value = value,
            Err(error) => self.errors.push(YamlError {
                position: self.at(1, 1),
                message: format!(
                    "the {} could not be read: {}",
                    self.what,
                    plain_message(&error)
                ),
                hint: None,
            }),
        }
    }

    /// Where the top-level key `name` is written.
    fn key_position(&self, key_lines: &[KeyLine], name: &str) -> Position {
        match key_lines.iter().find(|k| k.key == name) {
            Some(key_line) => self.at(key_line.line, 1),
            None => self.at(1, 1),
        }
    }

    /// The key `key` and its value, if they can be kept: a known key whose value
    /// reads well, perhaps without a misspelt key inside it. Each mistake is kept.
    fn read_key(
        &mut self,
        key_lines: &[KeyLine],
        key: Value,
        value: Value,
    ) -> Option<(String, Value)> {
        let Some(name) = key.as_str().map(str::to_owned) else {
            self.errors.push(YamlError {
                position: self.at(1, 1),
                message: format!(
                    "the {} has a key that is not a word: {}",
                    self.what,
                    describe(&key)
                ),
                hint: None,
            });
            return None;
        };
        let position = self.key_position(key_lines, &name);
        self.key_positions.insert(name.clone(), position);
        if !self.known_keys.contains(&name.as_str()) {
            self.unknown_key(&name, position);
            return None;
        }
        let block = key_lines.iter().position(|k| k.key == name).map(|index| {
            (
                key_lines[index].line,
                key_block(self.text, key_lines, index),
            )
        });
        let checked = match block {
            Some((line, block)) => serde_yaml::from_str::<T>(block).map_err(|error| {
                let (l, c) = error
                    .location()
                    .map(|l| (l.line(), l.column()))
                    .unwrap_or((1, 1));
                (self.at(line + l - 1, c), error)
            }),
            None => {
                let mut single = Mapping::new();
                single.insert(Value::String(name.clone()), value.clone());
                serde_yaml::from_value::<T>(Value::Mapping(single)).map_err(|e| (position, e))
            }
        };
        let (position, error) = match checked {
            Ok(_) => return Some((name, value)),
            Err(found) => found,
        };
        let (message, hint) = field_message(&name, &error);
        self.errors.push(YamlError {
            position,
            message,
            hint,
        });
        // A misspelt key inside the value is that one mistake: the rest of the value
        // is kept, if it reads well without it.
        let Some((value, more)) = without_unknown_keys::<T>(&name, value, &error) else {
            self.unread_keys.insert(name);
            return None;
        };
        for (path, detail) in more {
            let (message, hint) = problem(&path, &detail);
            let field = detail.split('`').nth(1).unwrap_or("");
            let position = locate_key(self.text, &join_path(&path, field))
                .map_or(position, |p| self.at(p.line, p.col));
            self.errors.push(YamlError {
                position,
                message,
                hint,
            });
        }
        Some((name, value))
    }

    /// Notes the key `name`, written at `position`, as one that is not known.
    fn unknown_key(&mut self, name: &str, position: Position) {
        let hint = match did_you_mean(name, self.known_keys.iter().copied()) {
            Some(suggestion) => {
                self.suggested_keys.push(suggestion.to_owned());
                format!("did you mean '{suggestion}'?")
            }
            None => format!("the keys you can use are: {}", self.known_keys.join(", ")),
        };
        self.errors.push(YamlError {
            position,
            message: format!("unknown key '{name}'"),
            hint: Some(hint),
        });
    }
}

/// `value`, the value of the key `name`, without the keys inside it that `T` does
/// not know, if it then reads as `T`; `error` is the first mistake found in it.
/// Also gives each unknown key found after the first: its mapping's path, and
/// serde's words for it.
fn without_unknown_keys<T: DeserializeOwned>(
    name: &str,
    mut value: Value,
    error: &serde_yaml::Error,
) -> Option<(Value, Vec<(String, String)>)> {
    let mut error = plain_message(error);
    let mut more = Vec::new();
    // A few rounds at most: each removes one unknown key.
    for _ in 0..8 {
        let (path, detail) = error.split_once(": ")?;
        let field = detail.strip_prefix("unknown field `")?.split('`').next()?;
        let inner = path.strip_prefix(name)?;
        let mut place = &mut value;
        for step in path_steps(inner) {
            place = match step {
                Step::Key(key) => place.get_mut(key)?,
                Step::Index(index) => place.get_mut(index)?,
            };
        }
        place.as_mapping_mut()?.remove(field)?;
        let mut single = Mapping::new();
        single.insert(Value::String(name.to_owned()), value.clone());
        match serde_path_to_error::deserialize::<_, T>(Value::Mapping(single)) {
            Ok(_) => return Some((value, more)),
            Err(next) => {
                let detail = plain_message(next.inner());
                let mapping = named_path(&next.path().to_string(), &detail);
                error = format!("{mapping}: {detail}");
                more.push((mapping, detail));
            }
        }
    }
    None
}

/// The text of the key at `key_lines[index]` and its value, up to the next key,
/// without any tabs before the key (reported on their own).
fn key_block<'t>(text: &'t str, key_lines: &[KeyLine], index: usize) -> &'t str {
    let key_line = &key_lines[index];
    let end = key_lines
        .get(index + 1)
        .map(|next| next.offset)
        .unwrap_or(text.len());
    text[key_line.offset..end].trim_start_matches('\t')
}

/// Reads a block that is not valid YAML as a whole one key at a time: each key
/// that can be read is kept, and each that cannot is reported at its mistake.
fn read_key_by_key<T: DeserializeOwned + Default>(parsed: &mut Reading<T>) -> Mapping {
    let text = parsed.text;
    let first_line = parsed.first_line;
    let at_line = |line, col| in_file(first_line, line, col);
    let key_lines = top_level_key_lines(text);
    let mut mapping = Mapping::new();
    let mut first_line: BTreeMap<&str, usize> = BTreeMap::new();
    let before_first_key = &text[..key_lines.first().map_or(text.len(), |k| k.offset)];
    let stray = before_first_key
        .split('\n')
        .position(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'));
    if let Some(index) = stray {
        let mistake = find_mistake(before_first_key, None).unwrap_or(Mistake::Unreadable {
            line: index + 1,
            col: 1,
        });
        parsed.errors.push(mistake.at(at_line));
    }
    for (index, key_line) in key_lines.iter().enumerate() {
        let name = key_line.key.as_str();
        let written = &text[key_line.offset..];
        if written.starts_with('\t') {
            parsed.errors.push(
                Mistake::Tab {
                    line: key_line.line,
                    col: 1,
                }
                .at(at_line),
            );
        }
        if let Some(&first) = first_line.get(name) {
            parsed.errors.push(YamlError {
                position: at_line(key_line.line, 1),
                message: format!(
                    "'{name}' is written twice: it is on line {} too",
                    at_line(first, 1).line
                ),
                hint: Some("keep one of them and remove the other".into()),
            });
            continue;
        }
        first_line.insert(name, key_line.line);
        let block = key_block(text, &key_lines, index);
        match serde_yaml::from_str::<Value>(block) {
            Ok(Value::Mapping(single)) => mapping.extend(single),
            Ok(_) => {}
            Err(error) => {
                let mistake = find_mistake(block, Some(&error))
                    .unwrap_or(Mistake::Unreadable { line: 1, col: 1 });
                let mistake = mistake.shifted(key_line.line - 1);
                parsed.errors.push(mistake.at(at_line));
                parsed.unread_keys.insert(name.to_owned());
                parsed
                    .key_positions
                    .insert(name.to_owned(), at_line(key_line.line, 1));
            }
        }
    }
    mapping
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
        let (message, hint) = problem(&named_path(&full, &self.detail), &self.detail);
        (full, message, hint)
    }
}

/// The path a message about serde's `detail` at `path` names: for an unknown key,
/// whose path ends with the key, the mapping it is in.
fn named_path(path: &str, detail: &str) -> String {
    let unknown = detail
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next());
    match unknown.and_then(|key| path.strip_suffix(key)) {
        Some(mapping) => mapping.trim_end_matches('.').to_owned(),
        None => path.to_owned(),
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

/// Where the value of the key written at `key_position` starts.
pub fn value_position(text: &str, key_position: Position) -> Position {
    let line = crate::support::error::line_text(text, key_position.line).unwrap_or("");
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

    /// Each error's line and message.
    fn lines_and_messages<'p, T>(parsed: &'p Parsed<'_, T>) -> Vec<(usize, &'p str)> {
        parsed
            .errors
            .iter()
            .map(|e| (e.position.line, e.message.as_str()))
            .collect()
    }

    #[test]
    fn every_bad_key_is_reported_at_its_own_line() {
        let parsed: Parsed<Sample> = parse_mapping(
            "titel: A\norder: first\ntags: [a]\n",
            2,
            KEYS,
            "front matter",
        );
        assert_eq!(
            lines_and_messages(&parsed),
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
        let at = |path| locate_in(text, path, false).map(|p| (p.line, p.col));
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
                Some(
                    "'order' in the second item must be a whole number, but it is text (\"x\")"
                        .to_owned()
                ),
                Some("unknown key 'titel' in the third item".to_owned()),
            ]
        );
    }

    /// The first error `text` gives: its line, column, message and hint.
    fn first_error(text: &str) -> (usize, usize, String, String) {
        let parsed: Parsed<Sample> = parse_mapping(text, 2, KEYS, "front matter");
        let error = parsed.errors.first().expect("an error").clone();
        (
            error.position.line,
            error.position.col,
            error.message,
            error.hint.unwrap_or_default(),
        )
    }

    #[test]
    fn each_slip_in_yaml_has_its_own_message_at_its_place_and_a_hint_with_the_fix() {
        let tab = first_error("title: A\n\torder: 1\n");
        assert_eq!((tab.0, tab.1), (3, 1));
        assert!(tab.2.contains("tab"), "{tab:?}");

        let colon = first_error("title: Crying: what it means\norder: 1\n");
        assert_eq!((colon.0, colon.1), (2, 14));
        assert!(
            colon.3.contains("title: \"Crying: what it means\""),
            "{colon:?}"
        );

        let quote = first_error("title: \"Crying\norder: 1\n");
        assert_eq!(
            (quote.0, quote.1, quote.2.as_str()),
            (2, 8, "the quote that starts here is never closed")
        );
        assert!(quote.3.contains("title: \"Crying\""), "{quote:?}");

        let indent = first_error("tags:\n  - a: 1\n   b: 2\n");
        assert_eq!(indent.0, 4, "{indent:?}");
        assert_eq!(
            indent.2,
            "this line is not lined up with the lines above it"
        );

        let twice = first_error("title: A\norder: 1\ntitle: B\n");
        assert_eq!(
            (twice.0, twice.2.as_str()),
            (4, "'title' is written twice: it is on line 2 too")
        );

        let list = first_error("title: [A, B]\n");
        assert_eq!(list.2, "'title' must be text, but it is a list");
        assert!(list.3.contains("no [ ]"), "{list:?}");

        let not_a_list = first_error("tags: one\n");
        assert_eq!(
            not_a_list.2,
            "'tags' must be a list, but it is text (\"one\")"
        );
        assert_eq!(
            not_a_list.3,
            "write a list in square brackets, such as tags: [one]"
        );
    }

    #[test]
    fn a_misspelt_key_inside_a_setting_does_not_lose_the_keys_beside_it() {
        #[derive(Debug, Default, serde::Deserialize)]
        #[serde(default, deny_unknown_fields)]
        struct Outer {
            check: Option<Inner>,
        }
        #[derive(Debug, Default, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Inner {
            words: Option<usize>,
            review: Option<String>,
        }
        let parsed: Parsed<Outer> = parse_mapping(
            "check:\n  wrods: 20\n  revew: x\n  review: \"off\"\n  words: 12\n",
            1,
            &["check"],
            "site.yaml",
        );
        assert_eq!(
            lines_and_messages(&parsed),
            [
                (2, "unknown key 'wrods' in 'check'"),
                (3, "unknown key 'revew' in 'check'")
            ]
        );
        let check = parsed.value.check.expect("the rest of check is read");
        assert_eq!(check.review.as_deref(), Some("off"));
        assert_eq!(check.words, Some(12));
        assert!(parsed.unread_keys.is_empty());
    }

    #[test]
    fn keys_after_a_slip_are_still_read() {
        let parsed: Parsed<Sample> = parse_mapping(
            "title: Crying: why\norder: 2\ntags: [a]\n",
            2,
            KEYS,
            "front matter",
        );
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        assert_eq!(parsed.value.order, Some(2));
        assert_eq!(parsed.value.tags, Some(vec!["a".to_owned()]));
        assert!(parsed.unread_keys.contains("title"));
    }

    #[test]
    fn paths_are_said_as_an_editor_would_say_them() {
        assert_eq!(path_in_words("title"), "'title'");
        assert_eq!(path_in_words("sources[0].url"), "'url' in the first source");
        assert_eq!(
            path_in_words("hubs[1].address.city"),
            "'city' in 'address' in the second hub"
        );
        assert_eq!(path_in_words("sources[0]"), "the first source");
        assert_eq!(
            path_in_words("hubs[11].address"),
            "'address' in the 12th hub"
        );
        assert_eq!(path_in_words("aliases[2]"), "the third alias");
    }

    #[test]
    fn quoted_keys_and_values_with_colons_are_found() {
        assert_eq!(key_of("\"title\": x").as_deref(), Some("title"));
        assert_eq!(key_of("title: a: b").as_deref(), Some("title"));
        assert_eq!(key_of("url:https://x").as_deref(), None);
    }
}
