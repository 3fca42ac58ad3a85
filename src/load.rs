//! Loading: walks `content/`, the theme and the project's own `templates/` and
//! `static/` folders, and reads every file, sorted by path so that builds are
//! deterministic. Page names are checked here, since they become URLs. Uses `config`,
//! `paths`, `theme`, `page` and `error`; walkdir does the walking.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::error::{Diagnostic, LineIndex, Position, StageError, display_path, plain_io_error};
use crate::page::{AssetFile, SourceFile, TemplateFile};
use crate::{paths, theme};

/// Everything read from disk for one build.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Markdown pages, sorted by path.
    pub pages: Vec<SourceFile>,
    /// Files copied to the output, sorted by site path; later folders win.
    pub assets: Vec<AssetFile>,
    /// Templates by name; the project's own replace the theme's.
    pub templates: Vec<TemplateFile>,
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
    #[error("the theme {name:?} does not exist")]
    MissingTheme { name: String },
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
            LoadError::MissingTheme { .. } => {
                "check the theme's name in site.yaml, or remove the line to use the default theme"
                    .into()
            }
        })
    }
}

/// Reads the project. Files that cannot be read are reported and left out, so the
/// rest of the build can still find every other problem.
pub fn load(config: &Config) -> (Loaded, Vec<Diagnostic>) {
    let mut loaded = Loaded::default();
    let mut diagnostics = Vec::new();
    let root = &config.root;
    let mut report = |path: &Path, error: LoadError, text: Option<&str>| {
        diagnostics.push(error.to_diagnostic(&display_path(root, path), text));
    };

    let content = config.content_dir();
    if !content.is_dir() {
        report(&content, LoadError::NoContentFolder, None);
    }
    let mut assets: BTreeMap<String, AssetFile> = BTreeMap::new();
    let mut templates: BTreeMap<String, TemplateFile> = BTreeMap::new();

    let theme_dir = root.join("themes").join(&config.site.theme);
    if theme_dir.is_dir() {
        for (site_path, path) in walk(&theme_dir.join("static"), &mut report) {
            add_asset(&mut assets, site_path, &path, root, &mut report);
        }
        for (name, path) in walk(&theme_dir.join("templates"), &mut report) {
            add_template(&mut templates, name, &path, root, &mut report);
        }
    } else if config.site.theme == "default" {
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
    } else {
        let name = config.site.theme.clone();
        report(
            &root.join("site.yaml"),
            LoadError::MissingTheme { name },
            None,
        );
    }
    for (site_path, path) in walk(&root.join("static"), &mut report) {
        add_asset(&mut assets, site_path, &path, root, &mut report);
    }
    for (name, path) in walk(&root.join("templates"), &mut report) {
        add_template(&mut templates, name, &path, root, &mut report);
    }

    for (content_path, path) in walk(&content, &mut report) {
        let is_page = Path::new(&content_path)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md"));
        if !is_page {
            add_asset(&mut assets, content_path, &path, root, &mut report);
            continue;
        }
        if let Some(error) = check_page_name(&content_path) {
            report(&path, error, None);
            continue;
        }
        let Some(text) = read_text(&path, &mut report) else {
            continue;
        };
        let is_section = content_path == "_index.md" || content_path.ends_with("/_index.md");
        loaded.pages.push(SourceFile {
            url_path: paths::url_path_for(&content_path),
            content_path,
            display_path: display_path(root, &path),
            text,
            is_section,
        });
    }
    loaded.assets = assets.into_values().collect();
    loaded.templates = templates.into_values().collect();
    (loaded, diagnostics)
}

/// Whether a file is one an editor keeps for itself while you work (swap files,
/// backups, lock files) rather than part of the site. Hidden files count too.
pub fn is_editor_temp(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || [
            ".swp",
            ".swo",
            ".swx",
            ".tmp",
            ".bak",
            ".crswap",
            "___jb_tmp___",
            "___jb_old___",
            ".kate-swp",
        ]
        .iter()
        .any(|suffix| name.ends_with(suffix))
}

/// The files under `dir`, as paths relative to it written with `/`, sorted.
fn walk(
    dir: &Path,
    report: &mut impl FnMut(&Path, LoadError, Option<&str>),
) -> Vec<(String, PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut files = Vec::new();
    let entries = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0 || !is_editor_temp(&entry.file_name().to_string_lossy())
        });
    for entry in entries {
        match entry {
            Ok(entry) if entry.file_type().is_file() => {
                let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
                let site_path = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                files.push((site_path, entry.into_path()));
            }
            Ok(_) => {}
            Err(error) => {
                let path = error.path().unwrap_or(dir).to_path_buf();
                let reason = if error.loop_ancestor().is_some() {
                    "it is a link to a folder that contains it".to_owned()
                } else {
                    error
                        .io_error()
                        .map(plain_io_error)
                        .unwrap_or_else(|| error.to_string())
                };
                report(&path, LoadError::Unreadable { reason }, None);
            }
        }
    }
    files
}

fn read_text(
    path: &Path,
    report: &mut impl FnMut(&Path, LoadError, Option<&str>),
) -> Option<String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            report(
                path,
                LoadError::Unreadable {
                    reason: plain_io_error(&e),
                },
                None,
            );
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Some(normalise_text(text)),
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
            report(path, error, Some(&readable));
            None
        }
    }
}

/// Removes a byte-order mark and turns lone carriage returns (old Mac line endings)
/// into newlines, so that lines are counted as an editor shows them.
fn normalise_text(text: String) -> String {
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

fn add_asset(
    assets: &mut BTreeMap<String, AssetFile>,
    site_path: String,
    path: &Path,
    root: &Path,
    report: &mut impl FnMut(&Path, LoadError, Option<&str>),
) {
    match std::fs::read(path) {
        Ok(bytes) => {
            assets.insert(
                site_path.clone(),
                AssetFile {
                    site_path,
                    display_path: display_path(root, path),
                    bytes: Arc::from(bytes),
                },
            );
        }
        Err(e) => report(
            path,
            LoadError::Unreadable {
                reason: plain_io_error(&e),
            },
            None,
        ),
    }
}

fn add_template(
    templates: &mut BTreeMap<String, TemplateFile>,
    name: String,
    path: &Path,
    root: &Path,
    report: &mut impl FnMut(&Path, LoadError, Option<&str>),
) {
    if let Some(text) = read_text(path, report) {
        templates.insert(
            name.clone(),
            TemplateFile {
                name,
                display_path: display_path(root, path),
                text,
            },
        );
    }
}

/// Every folder and file name in a page's path must be a valid slug, since each
/// becomes part of its web address; `_index.md` is the one exception.
fn check_page_name(content_path: &str) -> Option<LoadError> {
    let parts: Vec<&str> = content_path.split('/').collect();
    let (file, folders) = parts.split_last()?;
    let stem = &file[..file.len() - 3];
    let names = folders
        .iter()
        .copied()
        .chain((*file != "_index.md").then_some(stem));
    for name in names {
        if !paths::is_valid_slug(name) {
            return Some(LoadError::BadName {
                name: name.to_owned(),
                suggestion: paths::slugify(name),
            });
        }
    }
    if !file.ends_with(".md") {
        return Some(LoadError::BadName {
            name: file.to_string(),
            suggestion: format!("{}.md", paths::slugify(stem)),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_files_are_not_content() {
        for name in [
            ".page.md.swp",
            "page.md~",
            "#page.md#",
            "4913",
            "page.md___jb_tmp___",
            ".DS_Store",
        ] {
            assert!(is_editor_temp(name), "{name}");
        }
        assert!(!is_editor_temp("page.md"));
    }

    #[test]
    fn page_names_become_slugs() {
        assert!(check_page_name("crying/soothing.md").is_none());
        assert!(check_page_name("crying/_index.md").is_none());
        assert!(matches!(
            check_page_name("Crying/soothing.md"),
            Some(LoadError::BadName { name, suggestion }) if name == "Crying" && suggestion == "crying"
        ));
        assert!(check_page_name("crying/Soothing Baby.md").is_some());
        assert!(check_page_name("crying/page.MD").is_some());
    }

    #[test]
    fn line_endings_are_normalised() {
        assert_eq!(normalise_text("\u{feff}a\r\nb".into()), "a\r\nb");
        assert_eq!(normalise_text("a\rb\r\nc".into()), "a\nb\r\nc");
    }
}
