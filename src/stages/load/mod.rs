//! Loading, in two steps around the reading of files. [`find`] walks `content/`,
//! the theme, the project's own `templates/`, `static/` and `messages/` folders and,
//! for a council's site, the council's own folders, and says which files to read;
//! [`assemble`] puts what was read together, where a later folder's file replaces
//! one of the same path, sorted by path so that builds are deterministic. The
//! pipeline reads the files between them. Page names, and the languages of
//! translations, are checked here, since they become URLs (see `pages`). Uses
//! rustc-hash, and `config`, `page`, `file_cache`, `messages`, `memo`,
//! `cache_key`, `stored` and `error`.

mod pages;
pub mod theme;
mod walk;

pub use pages::page_source;
use pages::{PageLanguages, page_source_at};
use walk::{Found, walk};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::memo::MemoKey;
use crate::model::page::{AssetFile, SourceFile, TemplateFile};
use crate::support::error::{
    Diagnostic, LineIndex, Position, StageError, display_path, plain_io_error,
};
use crate::support::file_cache::ToRead;
use crate::support::messages::MessageFile;
use crate::support::stored::StoredText;

/// Everything read from disk for one build.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Markdown pages, sorted by path.
    pub pages: Vec<SourceFile>,
    /// Files copied to the output, sorted by site path; later folders win.
    pub assets: Vec<AssetFile>,
    /// Templates by name; the project's own replace the theme's.
    pub templates: Vec<TemplateFile>,
    /// Interface messages, the theme's first, then the project's, then the
    /// council's, each replacing messages of the ones before.
    pub messages: Vec<MessageFile>,
}

impl MemoKey for Loaded {
    /// Every file's path, where it was read from, and its contents.
    fn memo_key(&self) -> blake3::Hash {
        let mut key = crate::support::cache_key::Key::new();
        key.field(self.pages.len().to_le_bytes());
        for page in &self.pages {
            key.field(page.memo_key().as_bytes());
        }
        key.field(self.templates.memo_key().as_bytes());
        key.field(self.messages.len().to_le_bytes());
        for file in &self.messages {
            key.field(&file.code)
                .field(file.display_path.as_os_str().as_encoded_bytes())
                .field(&file.text);
        }
        key.field(self.assets.len().to_le_bytes());
        for asset in &self.assets {
            key.field(&asset.site_path)
                .field(asset.display_path.as_os_str().as_encoded_bytes())
                .field(blake3::hash(&asset.bytes).as_bytes());
        }
        key.finish()
    }
}

/// What can go wrong while reading the project.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("there is no content folder")]
    NoContentFolder,
    #[error("cannot read this file: {reason}")]
    Unreadable { reason: String },
    #[error("the file is not UTF-8 text: byte {byte:#04x} cannot be read")]
    NotUtf8 { byte: u8, position: Position },
    #[error("{name:?} cannot be part of a web address")]
    BadName { name: String, suggestion: String },
    #[error("this page is a translation into {code:?}, which is not in the site's languages")]
    UnknownLanguage { code: String, known: Vec<String> },
    #[error("the theme {name:?} does not exist")]
    MissingTheme { name: String },
    #[error("this is a link to a file outside the project: {target}")]
    OutsideProject { target: String },
    #[error("this is a link to a folder that holds it, so it goes round for ever")]
    LinkLoop,
    #[error("this is a link to {target}, which does not exist")]
    LinkToNothing { target: String },
}

impl StageError for LoadError {
    fn position(&self) -> Option<Position> {
        match self {
            LoadError::NotUtf8 { position, .. } => Some(*position),
            _ => None,
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            LoadError::NoContentFolder => {
                "make a folder called content next to site.yaml and put the pages in it".into()
            }
            LoadError::Unreadable { .. } => {
                "check the file exists and you have permission to read it".into()
            }
            LoadError::NotUtf8 { .. } => {
                "open the file in your editor and save it with the UTF-8 encoding".into()
            }
            LoadError::BadName { suggestion, .. } if suggestion.is_empty() => {
                "use lowercase letters, digits and hyphens only".into()
            }
            LoadError::BadName { suggestion, .. } => format!(
                "use lowercase letters, digits and hyphens only: rename it to {suggestion:?}"
            ),
            LoadError::LinkToNothing { .. } => "point the link at a file that exists, or remove it".into(),
            LoadError::LinkLoop => {
                "remove the link, or point it at a folder that does not hold it".into()
            }
            LoadError::OutsideProject { .. } => {
                "tellyou publishes only what is inside the project's folder: copy the file in, or link to a file inside it".into()
            }
            LoadError::UnknownLanguage { code, known } => {
                match known.iter().find(|k| k.eq_ignore_ascii_case(code)) {
                    Some(known) => format!("write the code as `languages:` in site.yaml does: {known}"),
                    None if known.is_empty() => format!("add {code} to `languages:` in site.yaml, or take .{code} out of the file's name if the page is not a translation"),
                    None => format!("the site's languages are {}: add {code} to `languages:` in site.yaml, or take .{code} out of the file's name if the page is not a translation", known.join(", ")),
                }
            }
            LoadError::MissingTheme { .. } => {
                "check the theme's name in site.yaml, or remove the line to use the default theme"
                    .into()
            }
        })
    }
}

/// A text file as read: normalised, with a hash of it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Text {
    text: StoredText,
    hash: blake3::Hash,
}

/// A text file to read, and what it is.
enum Wanted {
    Page { content_path: String },
    Template { name: String },
    Messages { code: String },
}

/// The files of a project to read, in the order found: of two files with one path,
/// the later wins.
pub struct ToLoad {
    /// Files copied to the output as they are.
    assets: Vec<Found>,
    /// Pages and templates, read as text.
    texts: Vec<(Wanted, Found)>,
    /// Whether the default theme, which tellyou carries in itself, is used.
    default_theme: bool,
}

impl ToLoad {
    /// The files to read as they are.
    pub fn assets(&self) -> Vec<ToRead<'_>> {
        self.assets.iter().map(Found::to_read).collect()
    }

    /// The files to read as text.
    pub fn texts(&self) -> Vec<ToRead<'_>> {
        self.texts.iter().map(|(_, file)| file.to_read()).collect()
    }
}

/// What was read from the files of a [`ToLoad`], each in its order.
pub struct Read {
    /// Each asset's bytes, made by [`as_bytes`].
    pub assets: Vec<std::io::Result<Arc<[u8]>>>,
    /// Each page's or template's text, made by [`as_text`].
    pub texts: Vec<Result<Text, (LoadError, Option<String>)>>,
}

/// Finds the project's files. Files that cannot be reached or named as a page must
/// be are reported and left out, so the rest of the build can still find every
/// other problem.
pub fn find(config: &Config) -> (ToLoad, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let root = &config.root;
    let mut report = |path: &Path, error: LoadError, text: Option<&str>| {
        diagnostics.push(error.to_diagnostic(&display_path(root, path), text));
    };
    let project = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
    let content = config.content_dir();
    if !content.is_dir() {
        report(&content, LoadError::NoContentFolder, None);
    }
    let mut to_load = ToLoad {
        assets: Vec::new(),
        texts: Vec::new(),
        default_theme: false,
    };
    let template_files = |found: Vec<Found>| {
        found.into_iter().map(|file| {
            let name = file.relative.clone();
            (Wanted::Template { name }, file)
        })
    };
    let theme_dir = root.join("themes").join(&config.site.theme);
    // A council's own folders come after the project's, so their files win.
    let mut folders: Vec<PathBuf> = std::iter::once(root.clone())
        .chain(config.council_dir())
        .collect();
    if theme_dir.is_dir() {
        folders.insert(0, theme_dir);
    } else if config.site.theme == "default" {
        to_load.default_theme = true;
    } else {
        let name = config.site.theme.clone();
        report(
            &root.join("site.yaml"),
            LoadError::MissingTheme { name },
            None,
        );
    }
    for folder in folders {
        (to_load.assets).extend(walk(&folder.join("static"), &project, &mut report));
        let templates = walk(&folder.join("templates"), &project, &mut report);
        to_load.texts.extend(template_files(templates));
        let messages = walk(&folder.join("messages"), &project, &mut report);
        to_load
            .texts
            .extend(messages.into_iter().filter_map(|file| {
                let code = file.relative.strip_suffix(".ftl")?.to_owned();
                (!code.contains('/')).then_some((Wanted::Messages { code }, file))
            }));
    }
    let content_files = config
        .content_dirs()
        .iter()
        .flat_map(|dir| walk(dir, &project, &mut report))
        .collect::<Vec<_>>();
    let languages = PageLanguages {
        published: config
            .site
            .languages
            .iter()
            .map(|l| l.code.as_str())
            .collect(),
        unpublished: &config.site.unpublished_languages,
        unread: config.site.languages_unread,
    };
    sort_content(content_files, &languages, &mut to_load, &mut report);
    (to_load, diagnostics)
}

/// Puts the project together from what was `read` of the files `to_load` named.
/// Files that could not be read are reported and left out.
pub fn assemble(config: &Config, to_load: ToLoad, read: Read) -> (Loaded, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let root = &config.root;
    let mut report = |path: &Path, error: LoadError, text: Option<&str>| {
        diagnostics.push(error.to_diagnostic(&display_path(root, path), text));
    };
    let mut assets: BTreeMap<String, AssetFile> = BTreeMap::new();
    let mut templates: BTreeMap<String, TemplateFile> = BTreeMap::new();
    let mut messages = Vec::new();
    if to_load.default_theme {
        insert_default_theme(&mut assets, &mut templates, &mut messages);
    }
    place_assets(
        &to_load.assets,
        read.assets,
        (root, &mut assets),
        &mut report,
    );
    let pages = place_texts(
        to_load.texts,
        read.texts,
        (root, &mut templates, &mut messages),
        &mut report,
    );
    let loaded = Loaded {
        pages,
        assets: assets.into_values().collect(),
        templates: templates.into_values().collect(),
        messages,
    };
    (loaded, diagnostics)
}

/// An asset's bytes as read.
pub fn as_bytes(bytes: std::io::Result<Vec<u8>>) -> std::io::Result<Arc<[u8]>> {
    bytes.map(Arc::from)
}

fn unreadable(error: &std::io::Error) -> LoadError {
    LoadError::Unreadable {
        reason: plain_io_error(error),
    }
}

/// Puts the assets read into `assets`, where a later one replaces one at the same
/// path.
fn place_assets(
    asset_files: &[Found],
    read: Vec<std::io::Result<Arc<[u8]>>>,
    (root, assets): (&Path, &mut BTreeMap<String, AssetFile>),
    report: &mut impl FnMut(&Path, LoadError, Option<&str>),
) {
    for (file, read) in asset_files.iter().zip(read) {
        match read {
            Ok(bytes) => {
                let asset = AssetFile {
                    site_path: file.relative.clone(),
                    display_path: display_path(root, &file.path),
                    bytes,
                };
                assets.insert(file.relative.clone(), asset);
            }
            Err(e) => report(&file.path, unreadable(&e), None),
        }
    }
}

/// Sorts the files found in the content folders: pages, whose names must be able to
/// be part of an address, and the files beside them, which are copied as they are.
fn sort_content(
    content_files: Vec<Found>,
    languages: &PageLanguages,
    to_load: &mut ToLoad,
    report: &mut impl FnMut(&Path, LoadError, Option<&str>),
) {
    for file in content_files {
        let is_page = Path::new(&file.relative)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md"));
        if !is_page {
            to_load.assets.push(file);
            continue;
        }
        match languages.check_page_name(&file.relative) {
            Err(error) => report(&file.path, error, None),
            Ok(false) => {}
            Ok(true) => {
                let content_path = file.relative.clone();
                to_load.texts.push((Wanted::Page { content_path }, file));
            }
        }
    }
}

/// Puts the default theme's files, which tellyou carries in itself, among the
/// assets and templates.
fn insert_default_theme(
    assets: &mut BTreeMap<String, AssetFile>,
    templates: &mut BTreeMap<String, TemplateFile>,
    messages: &mut Vec<MessageFile>,
) {
    messages.extend(theme::message_files());
    for (site_path, bytes) in theme::STATIC_FILES {
        assets.insert(
            site_path.to_string(),
            AssetFile {
                site_path: site_path.to_string(),
                display_path: PathBuf::from("themes/default/static").join(site_path),
                bytes: Arc::from(*bytes),
            },
        );
    }
    for (name, text) in theme::TEMPLATES {
        templates.insert(
            name.to_string(),
            TemplateFile {
                name: name.to_string(),
                display_path: PathBuf::from("themes/default/templates").join(name),
                text: text.to_string(),
            },
        );
    }
}

/// Puts the text files read in place: each template into `templates`, where a
/// later one replaces one of the same name, each messages file after those before
/// it, and the pages, which it gives back. A council's page replaces the shared page
/// at the same path.
fn place_texts(
    text_files: Vec<(Wanted, Found)>,
    read: Vec<Result<Text, (LoadError, Option<String>)>>,
    (root, templates, messages): (
        &Path,
        &mut BTreeMap<String, TemplateFile>,
        &mut Vec<MessageFile>,
    ),
    report: &mut impl FnMut(&Path, LoadError, Option<&str>),
) -> Vec<SourceFile> {
    let mut pages: Vec<SourceFile> = Vec::with_capacity(text_files.len());
    let mut page_index: rustc_hash::FxHashMap<String, usize> = Default::default();
    page_index.reserve(text_files.len());
    for ((wanted, file), read) in text_files.into_iter().zip(read) {
        let Text { text, hash } = match read {
            Ok(text) => text,
            Err((error, text)) => {
                report(&file.path, error, text.as_deref());
                continue;
            }
        };
        let display_path = display_path(root, &file.path);
        match wanted {
            Wanted::Template { name } => {
                let template = TemplateFile {
                    name: name.clone(),
                    display_path,
                    text: text.to_string(),
                };
                templates.insert(name, template);
            }
            Wanted::Messages { code } => messages.push(MessageFile {
                code,
                display_path,
                text: text.to_string(),
            }),
            Wanted::Page { content_path } => {
                let page = page_source_at(content_path, display_path, (text, hash));
                // A council's page replaces the shared page at the same path.
                match page_index.get(&page.content_path) {
                    Some(&index) => pages[index] = page,
                    None => {
                        page_index.insert(page.content_path.clone(), pages.len());
                        pages.push(page);
                    }
                }
            }
        }
    }
    pages
}

/// A file's text, normalised; or what is wrong with it, with the text as far as it
/// could be read so the diagnostic can show the line.
pub fn as_text(bytes: std::io::Result<Vec<u8>>) -> Result<Text, (LoadError, Option<String>)> {
    let bytes = bytes.map_err(|e| (unreadable(&e), None))?;
    match String::from_utf8(bytes) {
        Ok(text) => {
            let text = normalise_text(text);
            let hash = blake3::hash(text.as_bytes());
            Ok(Text {
                text: text.into(),
                hash,
            })
        }
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let bytes = error.as_bytes();
            let readable = String::from_utf8_lossy(bytes).into_owned();
            let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
            let position = LineIndex::new(prefix).position(prefix, valid);
            let error = LoadError::NotUtf8 {
                byte: bytes[valid],
                position,
            };
            Err((error, Some(readable)))
        }
    }
}

/// Removes a byte-order mark and turns lone carriage returns (old Mac line endings)
/// into newlines, so that lines are counted as an editor shows them.
pub fn normalise_text(text: String) -> String {
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    };
    if !text.contains('\r') || !text.replace("\r\n", "").contains('\r') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::paths;

    #[test]
    fn editor_files_are_not_content() {
        for name in [
            ".page.md.swp",
            ".page.md.swx",
            ".page.md.swn",
            "page.md~",
            ".#page.md",
            "#page.md#",
            "4913",
            "page.md.kate-swp",
            "page.md___jb_tmp___",
            "page.md___jb_old___",
            "page.md.tmp",
            "page.md.bak",
            "page.md.crswap",
            ".DS_Store",
        ] {
            assert!(paths::is_editor_temp(name), "{name}");
        }
        for name in ["page.md", "_index.md", "style.css", "site.yaml"] {
            assert!(!paths::is_editor_temp(name), "{name}");
        }
    }

    #[test]
    fn line_endings_are_normalised() {
        assert_eq!(normalise_text("\u{feff}a\r\nb".into()), "a\r\nb");
        assert_eq!(normalise_text("a\rb\r\nc".into()), "a\nb\r\nc");
    }
}
