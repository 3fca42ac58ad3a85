//! Located YAML: reads a YAML mapping key by key so that every problem is reported at
//! once, each at its line and column in the file, in plain words. Front matter and
//! config files both read YAML through here, so serde_yaml is used in this module and
//! nowhere else. Uses `error` for positions and suggestions.

use std::collections::{BTreeMap, BTreeSet};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_yaml::{Mapping, Value};

use crate::support::error::{Position, did_you_mean};

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
        unread_keys: BTreeSet::new(),
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
        // Each key is read on its own, so that one slip does not hide the others,
        // and each mistake is found at its own line.
        Err(_) => read_key_by_key(text, &mut parsed, at_line),
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
    if all_known
        && parsed.errors.is_empty()
        && let Ok(value) = T::deserialize(&whole)
    {
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
        let block = key_lines
            .iter()
            .position(|k| k.key == name)
            .map(|index| (key_lines[index].line, key_block(text, &key_lines, index)));
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
            Err((position, error)) => {
                let (message, hint) = field_message(&name, &error);
                parsed.errors.push(YamlError {
                    position,
                    message,
                    hint,
                });
                // A misspelt key inside the value is that one mistake: the rest of
                // the value is kept, if it reads well without it.
                match without_unknown_keys::<T>(&name, value, &error) {
                    Some((value, more)) => {
                        for (path, detail) in more {
                            let (message, hint) = problem(&path, &detail);
                            let field = detail.split('`').nth(1).unwrap_or("");
                            let position = locate_key(text, &join_path(&path, field))
                                .map_or(position, |p| at_line(p.line, p.col));
                            parsed.errors.push(YamlError {
                                position,
                                message,
                                hint,
                            });
                        }
                        valid.insert(Value::String(name), value);
                    }
                    None => {
                        parsed.unread_keys.insert(name);
                    }
                }
            }
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
fn read_key_by_key<T>(
    text: &str,
    parsed: &mut Parsed<T>,
    at_line: impl Fn(usize, usize) -> Position,
) -> Mapping {
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
        parsed.errors.push(mistake.at(&at_line));
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
                .at(&at_line),
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
                parsed.errors.push(mistake.at(&at_line));
                parsed.unread_keys.insert(name.to_owned());
                parsed
                    .key_positions
                    .insert(name.to_owned(), at_line(key_line.line, 1));
            }
        }
    }
    mapping
}

/// A mistake that stops a piece of YAML being read, found by looking at its lines
/// as an editor would; lines and columns are 1-based, within the piece.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Mistake {
    Tab {
        line: usize,
        col: usize,
    },
    UnclosedQuote {
        line: usize,
        col: usize,
        fixed: String,
    },
    ColonInValue {
        line: usize,
        col: usize,
        fixed: String,
    },
    NeedsQuotes {
        line: usize,
        col: usize,
        first: char,
        fixed: String,
    },
    Indentation {
        line: usize,
        col: usize,
    },
    Unreadable {
        line: usize,
        col: usize,
    },
}

impl Mistake {
    fn place(&mut self) -> (&mut usize, &mut usize) {
        match self {
            Mistake::Tab { line, col }
            | Mistake::UnclosedQuote { line, col, .. }
            | Mistake::ColonInValue { line, col, .. }
            | Mistake::NeedsQuotes { line, col, .. }
            | Mistake::Indentation { line, col }
            | Mistake::Unreadable { line, col } => (line, col),
        }
    }

    fn shifted(mut self, lines: usize) -> Mistake {
        *self.place().0 += lines;
        self
    }

    fn at(mut self, at_line: impl Fn(usize, usize) -> Position) -> YamlError {
        let (line, col) = self.place();
        let position = at_line(*line, *col);
        let (message, hint) = match self {
            Mistake::Tab { .. } => (
                "this line is indented with a tab: indent with spaces only".to_owned(),
                "delete the tab at the start of the line and type spaces instead".to_owned(),
            ),
            Mistake::UnclosedQuote { fixed, .. } => (
                "the quote that starts here is never closed".to_owned(),
                format!("end the text with the same quote mark: {fixed}"),
            ),
            Mistake::ColonInValue { fixed, .. } => (
                "a colon followed by a space starts a new key, so this text cannot be read"
                    .to_owned(),
                format!("put quotes around the whole text: {fixed}"),
            ),
            Mistake::NeedsQuotes { first, fixed, .. } => (
                format!("text that starts with {first} cannot be read without quotes"),
                format!("put quotes around the whole text: {fixed}"),
            ),
            Mistake::Indentation { .. } => (
                "this line is not lined up with the lines above it".to_owned(),
                "start the keys of one item in the same column, using spaces, such as `  - title: NHS` then `    url: https://www.nhs.uk/`".to_owned(),
            ),
            Mistake::Unreadable { .. } => (
                "this line cannot be read".to_owned(),
                "write each setting as `key: value` on its own line; check the indentation and that every quote is closed".to_owned(),
            ),
        };
        YamlError {
            position,
            message,
            hint: Some(hint),
        }
    }
}

/// The first mistake in `text`, a piece of YAML, that an editor would see, else
/// where YAML itself gave up (`error`), if it did.
fn find_mistake(text: &str, error: Option<&serde_yaml::Error>) -> Option<Mistake> {
    for (index, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let number = index + 1;
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        if let Some(tab) = line[..indent].find('\t') {
            return Some(Mistake::Tab {
                line: number,
                col: tab + 1,
            });
        }
        let content = &line[indent..];
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        // The value after the item's dashes and its key, if any.
        let mut value_start = indent;
        let mut rest = content;
        while let Some(after) = rest.strip_prefix("- ") {
            rest = after.trim_start_matches(' ');
            value_start = line.len() - rest.len();
        }
        if let Some((_, colon)) = split_key(rest) {
            let after = &rest[colon..];
            let gap = after.len() - after.trim_start_matches(' ').len();
            value_start = line.len() - rest.len() + colon + gap;
        }
        let value = &line[value_start..];
        let col = line[..value_start].chars().count() + 1;
        let fixed = |value: &str| {
            let escaped = value.replace('"', "\\\"");
            format!("{}\"{}\"", &line[indent..value_start], escaped.trim_end())
        };
        if let Some(quote) = value.chars().next().filter(|c| matches!(c, '"' | '\'')) {
            if !closes(&value[1..], quote) {
                let inner = value[1..].trim_end();
                return Some(Mistake::UnclosedQuote {
                    line: number,
                    col,
                    fixed: format!("{}{quote}{inner}{quote}", &line[indent..value_start]),
                });
            }
            continue;
        }
        if value.starts_with(['[', '{', '|', '>', '&', '*', '!']) {
            continue;
        }
        if let Some(colon) = value.find(": ").or_else(|| {
            value
                .trim_end()
                .ends_with(':')
                .then(|| value.trim_end().len() - 1)
        }) {
            return Some(Mistake::ColonInValue {
                line: number,
                col: col + value[..colon].chars().count(),
                fixed: fixed(value),
            });
        }
        if let Some(first) = value
            .chars()
            .next()
            .filter(|c| matches!(c, '@' | '`' | '%'))
        {
            return Some(Mistake::NeedsQuotes {
                line: number,
                col,
                first,
                fixed: fixed(value),
            });
        }
    }
    let error = error?;
    let (line, col) = error
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((1, 1));
    let raw = error.to_string();
    let indentation = [
        "indicator",
        "expected key",
        "block",
        "mapping values are not allowed",
        "did not find expected",
    ];
    Some(if indentation.iter().any(|words| raw.contains(words)) {
        Mistake::Indentation { line, col }
    } else {
        Mistake::Unreadable { line, col }
    })
}

/// Whether `rest`, the text after an opening quote, closes it.
fn closes(rest: &str, quote: char) -> bool {
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            ('"', '\\') => {
                chars.next();
            }
            ('\'', '\'') if chars.peek() == Some(&'\'') => {
                chars.next();
            }
            (q, c) if q == c => return true,
            _ => {}
        }
    }
    false
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
        // A key after a tab is still a key; the tab is reported on its own.
        let untabbed = line.trim_start_matches('\t');
        let starts_key = untabbed
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace() && !matches!(c, '#' | '-' | '[' | '{' | '}' | ']'));
        if starts_key {
            if let Some(key) = key_of(untabbed) {
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
    split_key(line).map(|(key, _)| key)
}

/// The key at the start of `line`, and the byte offset just after its colon.
fn split_key(line: &str) -> Option<(String, usize)> {
    let line = line.trim_end();
    for quote in ['"', '\''] {
        if let Some(rest) = line.strip_prefix(quote) {
            let (key, after) = rest.split_once(quote)?;
            let gap = after.len() - after.trim_start().len();
            return after
                .trim_start()
                .starts_with(':')
                .then(|| (key.to_owned(), 1 + key.len() + 1 + gap + 1));
        }
    }
    let colon = line
        .match_indices(':')
        .find(|&(i, _)| line[i + 1..].is_empty() || line[i + 1..].starts_with([' ', '\t']))?
        .0;
    Some((line[..colon].trim_end().to_owned(), colon + 1))
}

/// serde_yaml's message without the "at line N column M" it adds.
fn plain_message(error: &serde_yaml::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(i) if text[i..].contains(" column ") => text[..i].to_owned(),
        _ => text,
    }
}

/// A message about the value of `key`, in words an editor knows, and a hint.
fn field_message(key: &str, error: &serde_yaml::Error) -> (String, Option<String>) {
    let raw = plain_message(error);
    // serde_yaml names the field it was reading before a colon: `sources[1].url: ...`.
    match raw.split_once(": ") {
        Some((path, detail))
            if path.starts_with(key)
                && path
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']')) =>
        {
            problem(path, detail)
        }
        _ => problem(key, &raw),
    }
}

/// serde's `detail` about the value at `path` (`hubs[1].phone`), in plain words,
/// with a hint that shows the fix where one can be given.
fn problem(path: &str, detail: &str) -> (String, Option<String>) {
    let words = path_in_words(path);
    let key = path
        .rsplit(['.', '['])
        .find(|step| !step.ends_with(']'))
        .unwrap_or(path);
    let wrong_type = detail
        .strip_prefix("invalid type: ")
        .or_else(|| detail.strip_prefix("invalid value: "))
        .and_then(|rest| rest.split_once(", expected "));
    if let Some((found, expected)) = wrong_type {
        let expected = type_name(expected);
        let found_words = found_name(found);
        let literal = found_literal(found);
        let hint = match expected.as_str() {
            "text" if found.starts_with("sequence") => Some(format!(
                "write the text on the same line, after '{key}:', with no [ ] or - before it"
            )),
            "text" if found.starts_with("map") => Some(format!(
                "write the text on the same line, after '{key}:'; if it has a colon in it, put quotes around it"
            )),
            "a list" => Some(match literal {
                Some(item) => format!("write a list in square brackets, such as {key}: [{item}]"),
                None => format!("write a list in square brackets, such as {key}: [one, two]"),
            }),
            "a whole number" => Some(format!("write a whole number, such as {key}: 2")),
            "true or false" => Some(format!("write true or false, such as {key}: true")),
            "a set of `key: value` lines" => Some(format!(
                "write its keys on the lines under '{key}:', each indented with two spaces"
            )),
            _ => None,
        };
        return (
            format!("{words} must be {expected}, but it is {found_words}"),
            hint,
        );
    }
    if let Some(rest) = detail.strip_prefix("missing field `") {
        let field = rest.trim_end_matches('`');
        return (
            format!("{} has no '{field}'", path_in_words(path)),
            Some(format!(
                "add a line `{field}: ...` to it, lined up with the keys it has"
            )),
        );
    }
    if let Some(rest) = detail.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return (
            format!("unknown key '{field}' in {}", path_in_words(path)),
            field_hint(detail),
        );
    }
    (format!("{words} cannot be read: {detail}"), None)
}

/// A path such as `hubs[1].address.city` as an editor would say it: "'city' in
/// 'address' in the second hub". Keys stay as written, as the editor sees them in
/// the file; list items are counted in words: "the first source" for `sources[0]`.
pub fn path_in_words(path: &str) -> String {
    let steps = path_steps(path);
    // From the innermost step out.
    let mut parts = Vec::new();
    let mut index = steps.len();
    while index > 0 {
        index -= 1;
        match steps[index] {
            Step::Index(item) => match index.checked_sub(1).map(|before| &steps[before]) {
                Some(Step::Key(list)) => {
                    parts.push(format!("the {} {}", ordinal(item), singular(list)));
                    index -= 1;
                }
                _ => parts.push(format!("the {} item", ordinal(item))),
            },
            Step::Key(key) => parts.push(format!("'{key}'")),
        }
    }
    parts.join(" in ")
}

/// "first" for item 0 of a list.
fn ordinal(index: usize) -> String {
    const WORDS: [&str; 10] = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth",
    ];
    match WORDS.get(index) {
        Some(word) => (*word).to_owned(),
        None => {
            let number = index + 1;
            let suffix = match (number % 10, number % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            format!("{number}{suffix}")
        }
    }
}

/// One item of a list named `list`: "source" for "sources".
fn singular(list: &str) -> String {
    let word = if list.ends_with("sses") || list == "aliases" {
        &list[..list.len() - 2]
    } else {
        list.strip_suffix('s').unwrap_or(list)
    };
    word.replace('_', " ")
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

/// The value serde found, as written, if it says: `/old/` for `string "/old/"`.
fn found_literal(found: &str) -> Option<String> {
    let (kind, literal) = found.split_once(' ')?;
    (kind == "string").then(|| literal.trim_matches('"').to_owned())
}

fn describe(value: &Value) -> String {
    serde_yaml::to_string(value)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

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
    fn lines_and_messages<T>(parsed: &Parsed<T>) -> Vec<(usize, &str)> {
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
