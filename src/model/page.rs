//! The plain data that flows between pipeline stages: source files, front matter,
//! pages, and what rendering found in them. No logic lives here; each stage owns
//! the rules for the data it makes. Uses `memo`, `cache_key`, `calendar`,
//! `shared_parts`, `static_names`, `stored`, `search_reading`, `written_elements`
//! and `error`.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use crate::memo::MemoKey;
use crate::model::written_elements::WrittenElements;
use crate::support::calendar::Date;
use crate::support::error::Position;
use crate::support::search_reading::WordsAsMade;
use crate::support::shared_parts::Body;
use crate::support::static_names::Name;
use crate::support::stored::{Apart, Stored, StoredText};

/// A markdown file read from `content/`.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to `content/`, written with `/`: `crying/soothing.md`.
    pub content_path: String,
    /// Path shown in diagnostics, relative to the project: `content/crying/soothing.md`.
    pub display_path: PathBuf,
    /// The text with any byte-order mark removed and lone carriage returns made newlines.
    pub text: StoredText,
    /// A hash of `text`, by which later stages find what they made from it before.
    pub hash: blake3::Hash,
    /// The page's URL path relative to the site root: `crying/soothing/`, or `` for home.
    pub url_path: String,
    /// Whether this is a folder's `_index.md`.
    pub is_section: bool,
    /// For a translation, the code of its language and the content path of the page
    /// it translates: `pl` and `crying/soothing.md`. `None` for a page in the site's
    /// own language.
    pub translates: Option<Translates>,
}

/// What a translated page is a translation of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translates {
    /// The code of the translation's language, as `languages:` writes it.
    pub language: String,
    /// The content path of the page in the site's own language: `crying/soothing.md`.
    pub original: String,
}

impl MemoKey for SourceFile {
    /// The address and whether it is a section follow from the content path.
    fn memo_key(&self) -> blake3::Hash {
        crate::support::cache_key::of([
            self.content_path.as_bytes(),
            self.display_path.as_os_str().as_encoded_bytes(),
            self.hash.as_bytes(),
        ])
    }
}

impl SourceFile {
    /// The file's path as a message names it, written with `/` on every system.
    pub fn shown_path(&self) -> String {
        self.display_path.to_string_lossy().replace('\\', "/")
    }
}

/// A file copied to the output as it is: theme and project static files, and images
/// or documents kept beside content pages.
#[derive(Debug, Clone)]
pub struct AssetFile {
    /// Where links find it, relative to its root (`content/`, the theme's or the
    /// project's `static/`), written with `/`: `crying/cot.jpg`, `style.css`.
    pub site_path: String,
    pub display_path: PathBuf,
    pub bytes: Arc<[u8]>,
}

/// A template file, from the theme or from the project's own `templates/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFile {
    /// The name templates use for it: `page.html`.
    pub name: String,
    pub display_path: PathBuf,
    pub text: String,
}

impl MemoKey for [TemplateFile] {
    /// Each template's name, where it was read from, and its text.
    fn memo_key(&self) -> blake3::Hash {
        let mut key = crate::support::cache_key::Key::new();
        key.field(self.len().to_le_bytes());
        for file in self {
            key.field(&file.name)
                .field(file.display_path.as_os_str().as_encoded_bytes())
                .field(&file.text);
        }
        key.finish()
    }
}

/// A document a page's facts come from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceRef {
    pub title: String,
    pub url: String,
    /// Where `url` is written in the page; set when the front matter is read.
    pub url_position: Option<Position>,
}

/// What a translation says of itself: the fingerprint of the page in the site's own
/// language it was made from, and who checked it, when.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TranslationRecord {
    pub from: Option<String>,
    /// The name or role of who checked the translation against the original.
    pub assured_by: Option<String>,
    pub assured_on: Option<Date>,
}

/// A page's validated front matter.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FrontMatter {
    pub title: String,
    pub description: String,
    pub order: Option<i64>,
    pub draft: bool,
    pub template: Option<String>,
    pub aliases: Vec<String>,
    pub reviewed: Option<Date>,
    pub next_review: Option<Date>,
    pub sources: Vec<SourceRef>,
    /// Other words a parent may use for what the page, or one of its headings, is
    /// about, for the A to Z and the search.
    pub also_known_as: Vec<AlsoKnownAs>,
    /// More words to list the page under in the A to Z, and to find it by.
    pub keywords: Vec<String>,
    /// A translation's record of what it was made from and who assured it.
    pub translation: Option<TranslationRecord>,
    /// Where each key was written, so later stages can point at it.
    pub key_positions: BTreeMap<String, Position>,
    /// Byte offset in the file's text where the markdown body starts.
    pub body_start: usize,
    /// A hash of the file's text up to where the body starts, by which the site's
    /// shape knows whether the front matter changed without reading it again;
    /// `None` only for front matter not read from a file.
    pub written: Option<blake3::Hash>,
    /// The fingerprint of the page's words, by which a translation knows whether
    /// the page changed since (see `site::fingerprint`), made as the front matter
    /// is read so that a build need not read the page's text again to know it;
    /// `None` only for front matter not read from a file.
    pub fingerprint: Option<String>,
    /// Keys whose values could not be read. Each mistake has been reported where it
    /// is; later stages treat these values as unknown, not as missing.
    pub unread_keys: std::collections::BTreeSet<String>,
}

impl FrontMatter {
    /// The words the page is to be found by in a search besides its own: its
    /// keywords and the words for the page itself, and the words for each heading,
    /// by its id.
    pub fn search_words(&self) -> (Vec<&str>, HashMap<&str, Vec<&str>>) {
        let mut for_page: Vec<&str> = self.keywords.iter().map(String::as_str).collect();
        let mut for_headings: HashMap<&str, Vec<&str>> = HashMap::new();
        for word in &self.also_known_as {
            match word.heading.as_deref() {
                Some(id) => for_headings.entry(id).or_default().push(&word.term),
                None => for_page.push(&word.term),
            }
        }
        (for_page, for_headings)
    }

    /// Whether `key`'s value is known: read, or not written at all.
    pub fn knows(&self, key: &str) -> bool {
        !self.unread_keys.contains(key)
    }
}

/// A word a parent may use for what a page or one of its headings is about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AlsoKnownAs {
    pub term: String,
    /// The id of the heading it leads to, or `None` for the page itself.
    pub heading: Option<String>,
    /// Where the word is written.
    pub position: Position,
}

/// A page whose front matter has been read.
#[derive(Debug, Clone)]
pub struct Page {
    pub source: SourceFile,
    /// Shared with the cache that keeps it for the next build.
    pub front: Arc<FrontMatter>,
}

impl Page {
    /// What tells the page's front matter as written from any other: the hash of
    /// the text up to its body, or that text where it was not read from a file.
    pub fn front_matter_written(&self) -> &[u8] {
        match &self.front.written {
            Some(written) => written.as_bytes(),
            None => &self.source.text.as_bytes()[..self.front.body_start],
        }
    }
}

/// The deepest heading the A to Z lists: deeper ones are details of a topic.
const DEEPEST_LISTED_HEADING: u8 = 3;

/// A word as the A to Z lists it: with one space between its parts.
pub fn a_z_spacing(term: &str) -> String {
    if spaced_once(term) {
        return term.to_owned();
    }
    term.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `term` has one space between its parts and none around them, as most
/// headings have: it is listed as it is.
fn spaced_once(term: &str) -> bool {
    let mut after_a_space = true;
    for character in term.chars() {
        if character.is_whitespace() {
            if character != ' ' || after_a_space {
                return false;
            }
            after_a_space = true;
        } else {
            after_a_space = false;
        }
    }
    !after_a_space || term.is_empty()
}

/// What makes two words one entry in the A to Z: words that differ only in case
/// or in spaces are the same.
pub fn a_z_entry(term: &str) -> String {
    a_z_spacing(term).to_lowercase()
}

/// A heading found in a page's body.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
    pub position: Position,
}

/// Where a link or image in the markdown points.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LinkTarget {
    /// Another page (or this one), by its path in `content/`, with an optional heading.
    Page {
        content_path: String,
        fragment: Option<String>,
    },
    /// A file that is not a page: an image, a PDF, a theme file.
    File { site_path: String },
    /// A page or file that does not exist; `written` is the link as the editor wrote it.
    Missing { written: String, resolved: String },
    /// A link off the site.
    External { url: String },
}

/// A link or image in the markdown, with the spot where it was written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    pub target: LinkTarget,
    pub position: Position,
    pub is_image: bool,
    /// The link text, or an image's alt text.
    pub text: String,
    /// An image whose alt text was written as `decorative`, so it is rendered with
    /// empty alt text on purpose.
    pub decorative: bool,
}

/// What a stretch of a page's text is, for the checks that read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TextRole {
    Heading,
    Paragraph,
    ListItem,
    TableCell,
    /// The heading of a care card or callout, written on its `:::` line.
    BlockHeading,
}

/// One block of a page's text as a reader sees it: a paragraph, a list item, a
/// heading or a table cell, without markup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextBlock<'a> {
    pub role: TextRole,
    pub text: &'a str,
    /// Where each run of `text` was written, in order.
    pub runs: &'a [TextRun],
}

/// A page's text, block by block, packed into a few buffers: a page read from the
/// cache is a few allocations, not a few for each of its blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TextBlocks {
    /// The blocks' text, one after another.
    text: String,
    /// Their runs, one after another.
    runs: Vec<TextRun>,
    /// Each block's role, and where its text and its runs end.
    blocks: Vec<(TextRole, usize, usize)>,
}

impl TextBlocks {
    /// Adds a block of `text`, whose runs are `runs`.
    pub fn push(&mut self, role: TextRole, text: &str, runs: &[TextRun]) {
        self.text.push_str(text);
        self.runs.extend_from_slice(runs);
        (self.blocks).push((role, self.text.len(), self.runs.len()));
    }

    /// Each block, in order.
    pub fn iter(&self) -> impl Iterator<Item = TextBlock<'_>> {
        let (mut text_start, mut runs_start) = (0, 0);
        self.blocks.iter().map(move |&(role, text_end, runs_end)| {
            let block = TextBlock {
                role,
                text: self.text.get(text_start..text_end).unwrap_or_default(),
                runs: self.runs.get(runs_start..runs_end).unwrap_or_default(),
            };
            (text_start, runs_start) = (text_end, runs_end);
            block
        })
    }
}

/// A run of a [`TextBlock`]'s text that was written in one place on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TextRun {
    /// Byte offset in the block's text where the run starts.
    pub text_start: usize,
    /// Where the run starts in the file.
    pub position: Position,
    /// Whether the run is the file's text unchanged, so columns can be counted in it.
    pub verbatim: bool,
}

impl TextBlock<'_> {
    /// Where the character at byte `offset` of the text was written.
    pub fn position_of(&self, offset: usize) -> Option<Position> {
        let run = self.runs.iter().rev().find(|r| r.text_start <= offset)?;
        if !run.verbatim {
            return Some(run.position);
        }
        let chars = self.text.get(run.text_start..offset)?.chars().count();
        Some(Position {
            line: run.position.line,
            col: run.position.col + chars,
        })
    }
}

/// How urgent a care card is, least urgent first, so that cards compare by urgency.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Urgency {
    /// `non-urgent`: see a GP or health visitor.
    NonUrgent,
    /// `urgent`: call 111 or get an urgent GP appointment.
    Urgent,
    /// `emergency`: call 999 or go to A&E.
    Emergency,
}

/// A care card or callout block, as the checks need to see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BlockSummary {
    /// The kind as written: `urgent`.
    #[serde(deserialize_with = "block_kind")]
    pub kind: Name,
    /// How urgent a care card is; `None` for a callout.
    pub urgency: Option<Urgency>,
    pub heading: String,
    /// Where the heading is written on the `:::` line.
    pub position: Position,
    /// Where the block's `:::` is written.
    pub opened_at: Position,
    /// Whether the block's content starts with a list.
    pub starts_with_list: bool,
}

/// The kinds of care card and callout, as written after `:::`.
pub const BLOCK_KINDS: &[&str] = &[
    "emergency",
    "urgent",
    "non-urgent",
    "warning",
    "info",
    "do",
    "dont",
];

fn block_kind<'de, D: serde::Deserializer<'de>>(read: D) -> Result<&'static str, D::Error> {
    crate::support::static_names::one_of(BLOCK_KINDS, read)
}

/// A table, as the checks need to see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableSummary {
    pub position: Position,
    /// Whether any cell of the first row has text.
    pub has_header: bool,
}

/// What a page's markdown became; kept beside the [`Page`] it came from.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RenderedPage {
    /// The key of what it was made from: the page and the addresses of the site.
    pub made_from: blake3::Hash,
    /// The body as an HTML fragment.
    pub html: StoredText,
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    /// The text a reader sees, block by block, which only the page's own checks
    /// read: the cache keeps it apart.
    pub text: Apart<TextBlocks>,
    pub blocks: Vec<BlockSummary>,
    pub tables: Vec<TableSummary>,
    /// False when part of the body was too deeply nested to be read, so that its
    /// headings are not all known.
    pub complete: bool,
    /// Its words as the search index reads them, read as the page was made.
    #[serde(skip)]
    pub words: AsMade<WordsAsMade>,
    /// The body as it is written in a page, minified, written as the page was made;
    /// `None` for a body that could not be written so.
    #[serde(skip)]
    pub minified: AsMade<Option<MinifiedBody>>,
}

/// Something made with a page, only by a build that made it: the page's words as
/// read, or its body minified. It is made from what the rest of the page is made
/// from, so two pages are the same whatever it holds: it is equal in every
/// comparison, and the cache does not keep it.
#[derive(Clone, Default)]
pub struct AsMade<T>(pub T);

impl<T> Eq for AsMade<T> {}

impl<T> std::ops::Deref for AsMade<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> PartialEq for AsMade<T> {
    fn eq(&self, _: &AsMade<T>) -> bool {
        true
    }
}

impl<T> std::fmt::Debug for AsMade<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AsMade")
    }
}

impl MemoKey for RenderedPage {
    fn memo_key(&self) -> blake3::Hash {
        self.made_from
    }
}

impl RenderedPage {
    /// Adds the page's headings, each with its level, text and id, to `key`: for
    /// the stages that read no more of a page's markdown than its headings.
    pub fn key_headings(&self, key: &mut crate::support::cache_key::Key) {
        key.field(self.headings.len().to_le_bytes());
        for heading in &self.headings {
            key.field([heading.level])
                .field(heading.text.as_bytes())
                .field(heading.id.as_bytes());
        }
    }

    /// Whether the page has a heading with the id `id`.
    pub fn has_heading(&self, id: &str) -> bool {
        self.headings.iter().any(|heading| heading.id == id)
    }

    /// The headings the A to Z lists: `##` and `###`, not the page's title.
    pub fn listed_headings(&self) -> impl Iterator<Item = &Heading> {
        (self.headings.iter()).filter(|h| (2..=DEEPEST_LISTED_HEADING).contains(&h.level))
    }
}

/// The alt text that marks an image as decorative, rendered with empty alt text.
pub const DECORATIVE: &str = "decorative";

/// A page's body written minified as the page was made, and each of its elements
/// that has attributes, or is an image, with its attributes as written there: what
/// the HTML check would read of that HTML.
#[derive(Debug, Clone)]
pub struct MinifiedBody {
    pub html: Box<str>,
    pub elements: Arc<WrittenElements>,
}

/// Where a page's body is in a file's own bytes, and its elements, for the HTML
/// check to read in place of the body's HTML.
#[derive(Debug, Clone)]
pub struct BodyInFile {
    pub at: std::ops::Range<usize>,
    pub elements: Arc<WrittenElements>,
}

/// A file to be written, relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OutputFile {
    pub path: String,
    pub body: Body,
    /// The same for two files only if their bytes are the same: a hash of the bytes,
    /// or of everything that went into making them. Later stages find the work they
    /// did for a file in an earlier build by it, without reading the bytes again.
    pub key: blake3::Hash,
    /// The page's body, where the build that made the file wrote it minified.
    #[serde(skip)]
    pub page_body: AsMade<Option<BodyInFile>>,
}

/// A file's key says all of its bytes.
impl MemoKey for OutputFile {
    fn memo_key(&self) -> blake3::Hash {
        self.key
    }
}

impl OutputFile {
    /// A file, found again by a hash of its bytes.
    pub fn from_bytes(path: &str, bytes: impl Into<Vec<u8>>) -> OutputFile {
        let bytes: Arc<[u8]> = Arc::from(bytes.into());
        let key = blake3::hash(&bytes);
        OutputFile::made(path, Body::Whole(bytes.into()), key)
    }

    /// A file of `body`, found again by `key`: a hash of all that made it.
    pub fn made(path: &str, body: Body, key: blake3::Hash) -> OutputFile {
        OutputFile {
            path: path.to_owned(),
            body,
            key,
            page_body: AsMade(None),
        }
    }

    /// The file's bytes in order, in pieces: its own, with its shared parts in place.
    pub fn pieces(&self) -> Vec<&[u8]> {
        self.body.pieces()
    }

    /// The whole file.
    pub fn contents(&self) -> std::borrow::Cow<'_, [u8]> {
        self.body.contents()
    }

    /// Puts the shared parts into the file's own bytes, for those who want it whole.
    /// Where the page's body was in them is then not known.
    pub fn make_whole(&mut self) {
        let body = std::mem::replace(&mut self.body, Body::Whole(Stored::from(Vec::new())));
        self.body = body.into_whole();
        self.page_body = AsMade(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text_start: usize, line: usize, col: usize) -> TextRun {
        TextRun {
            text_start,
            position: Position { line, col },
            verbatim: true,
        }
    }

    #[test]
    fn a_z_spacing_leaves_one_space_between_the_parts_of_a_word_and_none_around() {
        for (term, listed) in [
            ("Crying", "Crying"),
            ("Face to face play", "Face to face play"),
            ("", ""),
            (" ", ""),
            ("  Taking  a\tbreak ", "Taking a break"),
            ("Taking a break ", "Taking a break"),
            (" Taking a break", "Taking a break"),
            ("Taking\u{a0}a break", "Taking a break"),
            ("Taking\na break", "Taking a break"),
        ] {
            assert_eq!(a_z_spacing(term), listed, "{term:?}");
        }
    }

    #[test]
    fn text_blocks_read_back_each_block_with_its_own_runs() {
        let mut blocks = TextBlocks::default();
        blocks.push(TextRole::Heading, "Crying", &[run(0, 3, 4)]);
        blocks.push(
            TextRole::Paragraph,
            "Babies cry. It is normal.",
            &[run(0, 5, 1), run(12, 6, 1)],
        );
        let read: TextBlocks =
            postcard::from_bytes(&postcard::to_stdvec(&blocks).unwrap()).unwrap();
        assert_eq!(read, blocks);
        let found: Vec<(TextRole, &str, usize)> = (read.iter())
            .map(|block| (block.role, block.text, block.runs.len()))
            .collect();
        assert_eq!(
            found,
            [
                (TextRole::Heading, "Crying", 1),
                (TextRole::Paragraph, "Babies cry. It is normal.", 2),
            ]
        );
        let paragraph = read.iter().nth(1).unwrap();
        assert_eq!(
            paragraph.position_of(15),
            Some(Position { line: 6, col: 4 })
        );
    }
}
