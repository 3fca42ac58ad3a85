//! Diagnostics and the typed errors of each pipeline stage.
//!
//! A [`Diagnostic`] is what an editor sees: a file, a position, a plain message, the
//! source line with a caret under the spot, and a hint where one helps. Each stage has
//! its own error enum (thiserror) that knows how to turn itself into a diagnostic, so
//! the wording of every message lives beside the condition that causes it. It also
//! suggests the word a writer probably meant. Uses thiserror, strsim, memchr and
//! rustc-hash; serde lets a build record keep its warnings for the next build.

use std::fmt;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// How bad a finding is: errors fail the build, warnings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A position in a file: 1-based line and column, the column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Position {
    pub line: usize,
    pub col: usize,
}

/// One finding about the site, tied to a file and, where it has one, a spot in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The file, relative to the project folder, written with `/`.
    pub path: PathBuf,
    pub position: Option<Position>,
    pub severity: Severity,
    pub message: String,
    pub hint: Option<String>,
    /// The text of the line at `position`, shown with a caret under the column.
    pub source_line: Option<String>,
}

impl Diagnostic {
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            position: None,
            severity: Severity::Error,
            message: message.into(),
            hint: None,
            source_line: None,
        }
    }

    pub fn warning(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, message)
        }
    }

    /// Points the diagnostic at a spot in `source` (the whole file's text).
    pub fn at(mut self, source: &str, position: Position) -> Self {
        self.source_line = line_text(source, position.line).map(str::to_owned);
        self.position = Some(position);
        self
    }

    /// Points the diagnostic at a line and column without quoting the line.
    pub fn at_position(mut self, position: Position) -> Self {
        self.position = Some(position);
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_hint_opt(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    /// The diagnostics in the order they are shown, errors first, each said once.
    /// Diagnostics in that order already cost one comparison each.
    pub fn sorted(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        if !diagnostics.is_sorted_by(|a, b| a.sort_key() <= b.sort_key()) {
            diagnostics = sorted_by_path_places(diagnostics);
        }
        diagnostics.dedup();
        diagnostics
    }

    /// `diagnostics` and `more` together, as [`Diagnostic::sorted`] gives them,
    /// without copying either.
    pub fn sorted_together(
        mut diagnostics: Vec<Diagnostic>,
        more: Vec<Diagnostic>,
    ) -> Vec<Diagnostic> {
        diagnostics.extend(more);
        Diagnostic::sorted(diagnostics)
    }

    /// The order diagnostics are shown in: errors before warnings, each file by
    /// file, top to bottom.
    fn sort_key(&self) -> (Severity, &Path, Option<Position>, &str) {
        (self.severity, &self.path, self.position, &self.message)
    }
}

/// Errors first, each file's in order top to bottom, sorted stably. A path
/// compares part by part, which costs far more than a number, and a site's
/// warnings are thousands over far fewer files: each path is given its place
/// among the paths once, and the diagnostics are sorted by places.
fn sorted_by_path_places(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let places = path_places(&diagnostics);
    let mut placed: Vec<(u32, Diagnostic)> = places.into_iter().zip(diagnostics).collect();
    placed.sort_by(|a, b| placed_key(a).cmp(&placed_key(b)));
    placed.into_iter().map(|(_, d)| d).collect()
}

/// [`Diagnostic::sort_key`] with the path's place for the path.
fn placed_key((place, diagnostic): &(u32, Diagnostic)) -> (Severity, u32, Option<Position>, &str) {
    let (severity, _, position, message) = diagnostic.sort_key();
    (severity, *place, position, message)
}

/// The place of each diagnostic's path among the distinct paths of `diagnostics`,
/// in order: two paths are equal, and in order, as their places are.
fn path_places(diagnostics: &[Diagnostic]) -> Vec<u32> {
    let mut places: FxHashMap<&Path, u32> = FxHashMap::default();
    for diagnostic in diagnostics {
        places.entry(&diagnostic.path).or_default();
    }
    let mut paths: Vec<&Path> = places.keys().copied().collect();
    paths.sort_unstable();
    for (place, path) in (0..).zip(paths) {
        places.insert(path, place);
    }
    (diagnostics.iter())
        .map(|diagnostic| places[diagnostic.path.as_path()])
        .collect()
}

/// Renders like a compiler message:
///
/// ```text
/// content/crying.md:3:1: error: unknown key 'titel'
///   |
/// 3 | titel: Crying
///   | ^
///   = hint: did you mean 'title'?
/// ```
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.to_string_lossy().replace('\\', "/");
        match self.position {
            Some(Position { line, col }) => write!(f, "{path}:{line}:{col}")?,
            None => write!(f, "{path}")?,
        }
        write!(f, ": {}: {}", self.severity, self.message)?;
        let gutter = self.position.map(|p| p.line.to_string().len()).unwrap_or(1);
        let pad = " ".repeat(gutter);
        if let (Some(position), Some(text)) = (self.position, &self.source_line) {
            let (shown, caret) = shown_line(text, position.col.saturating_sub(1));
            let caret_at = " ".repeat(caret);
            write!(
                f,
                "\n{pad} |\n{} | {shown}\n{pad} | {caret_at}^",
                position.line
            )?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n{pad} = hint: {hint}")?;
        }
        Ok(())
    }
}

/// The most characters of a line a diagnostic shows.
const SHOWN_LINE_CHARS: usize = 160;

/// A line as a diagnostic shows it, with tabs as spaces; a long line is cut to the
/// part around `column` (counted from 0), with `…` where it was cut. Also gives
/// where `column` is in what is shown.
fn shown_line(text: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = text
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    if chars.len() <= SHOWN_LINE_CHARS {
        return (chars.into_iter().collect(), column);
    }
    let start = column
        .saturating_sub(SHOWN_LINE_CHARS / 2)
        .min(chars.len() - SHOWN_LINE_CHARS);
    let end = start + SHOWN_LINE_CHARS;
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, column.saturating_sub(start) + usize::from(start > 0))
}

/// The text of a 1-based line, without its line ending.
pub fn line_text(source: &str, line: usize) -> Option<&str> {
    let start = match line.checked_sub(1)? {
        0 => 0,
        lines_before => memchr::memchr_iter(b'\n', source.as_bytes()).nth(lines_before - 1)? + 1,
    };
    let rest = &source[start..];
    let line = &rest[..memchr::memchr(b'\n', rest.as_bytes()).unwrap_or(rest.len())];
    Some(line.strip_suffix('\r').unwrap_or(line))
}

/// Turns byte offsets in a file into lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(source: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', source.as_bytes()).map(|i| i + 1));
        LineIndex { line_starts }
    }

    /// The position of byte `offset` in `source` (the text this index was built from).
    pub fn position(&self, source: &str, offset: usize) -> Position {
        let offset = offset.min(source.len());
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        let col = source
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        Position { line, col }
    }
}

/// A stage's typed error that can say where in its file it happened and how to fix
/// it; every stage error enum implements this so the pipeline can report them alike.
pub trait StageError: std::error::Error {
    fn position(&self) -> Option<Position> {
        None
    }

    fn hint(&self) -> Option<String> {
        None
    }

    /// Whether this stops the build or is only a warning.
    fn severity(&self) -> Severity {
        Severity::Error
    }

    /// The diagnostic for this error in the file at `path`, quoting `source` (the
    /// file's whole text) when there is one.
    fn to_diagnostic(&self, path: &Path, source: Option<&str>) -> Diagnostic {
        let diagnostic = Diagnostic {
            severity: self.severity(),
            ..Diagnostic::error(path, self.to_string()).with_hint_opt(self.hint())
        };
        match (self.position(), source) {
            (Some(position), Some(source)) => diagnostic.at(source, position),
            (Some(position), None) => diagnostic.at_position(position),
            (None, _) => diagnostic,
        }
    }
}

/// Every finding of a build that failed, in the order they should be printed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the site has {} error(s)", self.errors().count())]
pub struct Errors {
    pub diagnostics: Vec<Diagnostic>,
}

impl Errors {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }
}

/// Writes a path relative to a folder with `/`, as diagnostics show it.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    let relative = path.strip_prefix(root).unwrap_or(path);
    PathBuf::from(relative.to_string_lossy().replace('\\', "/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters_from_one() {
        let source = "ab\ncé d\n";
        let index = LineIndex::new(source);
        assert_eq!(index.position(source, 0), Position { line: 1, col: 1 });
        assert_eq!(index.position(source, 3), Position { line: 2, col: 1 });
        let d = source.find('d').unwrap();
        assert_eq!(index.position(source, d), Position { line: 2, col: 4 });
    }

    #[test]
    fn diagnostics_sort_errors_first_then_by_path_part_by_part_and_are_said_once() {
        let at = |line| Position { line, col: 1 };
        let warning = |path: &str, line| {
            let mut d = Diagnostic::warning(path, format!("w{line}"));
            d.position = Some(at(line));
            d
        };
        let given = vec![
            warning("content/a-b.md", 1),
            warning("content/a/b.md", 9),
            warning("content/a/b.md", 2),
            Diagnostic::error("site.yaml", "bad"),
            warning("content/a/b.md", 2),
            warning("content/a.md", 3),
        ];
        let sorted = Diagnostic::sorted(given.clone());
        let shown: Vec<String> = (sorted.iter())
            .map(|d| format!("{} {}", d.path.display(), d.message))
            .collect();
        // By parts, `a` comes before `a-b`; by bytes, `a-b` would come first.
        let expected = [
            "site.yaml bad",
            "content/a/b.md w2",
            "content/a/b.md w9",
            "content/a-b.md w1",
            "content/a.md w3",
        ];
        assert_eq!(shown, expected);
        // The same order as sorting by the key itself; sorted again, unchanged.
        let mut by_key = given;
        by_key.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        by_key.dedup();
        assert_eq!(sorted, by_key);
        assert_eq!(Diagnostic::sorted(by_key.clone()), by_key);
    }

    #[test]
    fn diagnostic_shows_source_line_with_caret_and_hint() {
        let source = "---\ntitel: Crying\n---\n";
        let d = Diagnostic::error("content/a.md", "unknown key 'titel'")
            .at(source, Position { line: 2, col: 1 })
            .with_hint("did you mean 'title'?");
        assert_eq!(
            d.to_string(),
            "content/a.md:2:1: error: unknown key 'titel'\n  |\n2 | titel: Crying\n  | ^\n  = hint: did you mean 'title'?"
        );
    }

    #[test]
    fn a_long_line_is_shown_around_its_column() {
        let line = format!("{}X{}", "a".repeat(500), "b".repeat(500));
        let (shown, caret) = shown_line(&line, 500);
        assert_eq!(shown.chars().count(), SHOWN_LINE_CHARS + 2);
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(shown.chars().nth(caret), Some('X'));
        let (shown, caret) = shown_line(&line, 2);
        assert!(!shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(caret, 2);
        let (shown, caret) = shown_line("short\tline", 6);
        assert_eq!((shown.as_str(), caret), ("short line", 6));
    }

    #[test]
    fn line_text_drops_carriage_returns() {
        assert_eq!(line_text("a\r\nb\r\n", 1), Some("a"));
        assert_eq!(line_text("a\r\nb\r\n", 2), Some("b"));
        assert_eq!(line_text("a", 3), None);
        assert_eq!(line_text("a", 2), None);
        assert_eq!(line_text("a", 1), Some("a"));
        assert_eq!(line_text("a", 0), None);
        assert_eq!(line_text("a\n", 2), Some(""));
        assert_eq!(line_text("a\n", 3), None);
        assert_eq!(line_text("a\n\nc", 3), Some("c"));
        assert_eq!(line_text("", 1), Some(""));
    }
}

/// The closest of `candidates` to a misspelt `word`, if one is close enough to be what
/// the writer meant.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|candidate| {
            let distance = strsim::damerau_levenshtein(&word_lower, &candidate.to_lowercase());
            (distance, candidate)
        })
        .filter(|&(distance, _)| distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod suggestion_tests {
    use super::did_you_mean;

    #[test]
    fn close_misspellings_get_a_suggestion() {
        let keys = ["title", "description", "order"];
        assert_eq!(did_you_mean("titel", keys), Some("title"));
        assert_eq!(did_you_mean("Descripton", keys), Some("description"));
        assert_eq!(did_you_mean("colour", keys), None);
    }
}

/// An I/O error in words an editor knows, without the operating system's error code.
pub fn plain_io_error(error: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match error.kind() {
        NotFound => "the file or folder does not exist".into(),
        PermissionDenied => "permission denied".into(),
        AlreadyExists => "it already exists".into(),
        InvalidData => "it is not text in UTF-8".into(),
        StorageFull => "the disk is full".into(),
        ReadOnlyFilesystem => "the disk is read-only".into(),
        IsADirectory => "it is a folder, not a file".into(),
        NotADirectory => "a part of the path is a file, not a folder".into(),
        AddrInUse => "another program is using that port".into(),
        _ => {
            let text = error.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_lowercase(),
                None => text,
            }
        }
    }
}
