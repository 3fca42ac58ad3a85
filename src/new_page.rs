//! `tellyou new`: writes a new page with its front matter filled in, so an editor
//! starts from a page that has every field it needs; or, for a translation such as
//! `soothing.pl.md`, a draft with its page's words to translate in place and the
//! record of what it is made from. It never overwrites a file. Uses `pipeline` to
//! read the page a translation is made from, and `calendar`, `language`, `paths`
//! and `error`.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::support::calendar;
use crate::support::calendar::Date;
use crate::support::calendar::format_date;
use crate::support::error::{StageError, plain_io_error};
use crate::support::paths;

/// What can stop a new page being written.
#[derive(Debug, thiserror::Error)]
pub enum NewPageError {
    #[error("a new page goes in the content/ folder")]
    OutsideContent,
    #[error("a page is a markdown file whose name ends in .md")]
    NotMarkdown,
    #[error("{name:?} cannot be part of a page's address")]
    NotSlug { name: String, suggestion: String },
    #[error("there is already a page here; tellyou new never overwrites one")]
    Exists,
    #[error("this would translate {original}, which does not exist")]
    NoOriginal { original: String },
    #[error("cannot write the page: {reason}")]
    Unwritable { reason: String },
}

impl StageError for NewPageError {
    fn hint(&self) -> Option<String> {
        match self {
            NewPageError::OutsideContent | NewPageError::NotMarkdown => {
                Some("for example: tellyou new content/crying/colic.md".into())
            }
            NewPageError::NotSlug { suggestion, .. } => Some(format!(
                "use lowercase letters, digits and hyphens, such as {suggestion:?}"
            )),
            NewPageError::Exists => {
                Some("choose another name, or edit the page that is there".into())
            }
            NewPageError::NoOriginal { .. } => Some(
                "a translation has the name of its page with the language's code before .md, such as content/crying/soothing.pl.md for content/crying/soothing.md".into(),
            ),
            NewPageError::Unwritable { .. } => Some(
                "make sure each folder on the way is a folder, not a file, and that you can save files in it".into(),
            ),
        }
    }
}

/// The file, if any, at `folder` or one of the folders above it, below `root`,
/// that stops the folder being made: as the editor wrote it, from the project.
fn file_in_the_way(root: &Path, folder: &Path) -> Option<PathBuf> {
    folder
        .ancestors()
        .take_while(|path| path.starts_with(root) && *path != root)
        .find(|path| path.is_file())
        .and_then(|path| path.strip_prefix(root).ok())
        .map(Path::to_path_buf)
}

/// What `tellyou new` did.
#[derive(Debug)]
pub struct NewPage {
    /// The page's path, relative to the project.
    pub path: PathBuf,
    /// A folder on the way that has no `_index.md` yet, which the site needs.
    pub folder_without_section: Option<PathBuf>,
    /// For a translation, the page it translates, relative to the project.
    pub translates: Option<PathBuf>,
}

/// Writes a new page at `path` (relative to the project folder `root`).
pub fn create(root: &Path, path: &Path, today: Date) -> Result<NewPage, NewPageError> {
    let relative = normalise(path).ok_or(NewPageError::OutsideContent)?;
    let mut parts = relative.iter().map(|p| p.to_string_lossy().into_owned());
    if parts.next().as_deref() != Some("content") {
        return Err(NewPageError::OutsideContent);
    }
    let parts: Vec<String> = parts.collect();
    let Some(file_name) = parts.last() else {
        return Err(NewPageError::NotMarkdown);
    };
    let Some(stem) = file_name.strip_suffix(".md") else {
        return Err(NewPageError::NotMarkdown);
    };
    let folders = &parts[..parts.len() - 1];
    let translation =
        paths::split_language(file_name).filter(|(_, code)| crate::support::language::is_tag(code));
    let stem = match &translation {
        Some((original, _)) => original.strip_suffix(".md").unwrap_or(original),
        None => stem,
    };
    for name in folders.iter().map(String::as_str).chain([stem]) {
        if name != "_index" && !paths::is_valid_slug(name) {
            return Err(NewPageError::NotSlug {
                name: name.to_owned(),
                suggestion: paths::slugify(name),
            });
        }
    }
    let title_from = match (stem, folders.last()) {
        ("_index", Some(folder)) => folder.as_str(),
        ("_index", None) => "home",
        (stem, _) => stem,
    };
    let translates = (translation.as_ref()).map(|(original, _)| relative.with_file_name(original));
    let text = match &translates {
        Some(original) => translation_of(root, original)?,
        None => front_matter_for(&title(title_from), today),
    };

    let full = root.join(&relative);
    if let Some(folder) = full.parent() {
        std::fs::create_dir_all(folder).map_err(|e| NewPageError::Unwritable {
            reason: match file_in_the_way(root, folder) {
                Some(file) => format!("{} is a file, not a folder", file.display()),
                None => plain_io_error(&e),
            },
        })?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&full)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => NewPageError::Exists,
            _ => NewPageError::Unwritable {
                reason: plain_io_error(&e),
            },
        })?;
    file.write_all(text.as_bytes())
        .map_err(|e| NewPageError::Unwritable {
            reason: plain_io_error(&e),
        })?;

    let mut folder_without_section = None;
    let mut folder = PathBuf::from("content");
    for name in folders {
        folder.push(name);
        if !root.join(&folder).join("_index.md").exists() {
            folder_without_section = Some(folder.join("_index.md"));
            break;
        }
    }
    Ok(NewPage {
        path: relative,
        folder_without_section,
        translates,
    })
}

/// A new translation of the page at `original`: a draft with the page's front
/// matter and words, to translate in place, and the record of the page it is made
/// from, with where to say who checked it.
fn translation_of(root: &Path, original: &Path) -> Result<String, NewPageError> {
    let shown = || original.display().to_string().replace('\\', "/");
    let text = std::fs::read_to_string(root.join(original))
        .map_err(|_| NewPageError::NoOriginal { original: shown() })?;
    let content_path = original.strip_prefix("content").unwrap_or(original);
    let page = crate::pipeline::page_to_translate(&content_path.to_string_lossy(), &text);
    let (yaml, body, from) = (&page.front_matter, &page.body, &page.fingerprint);
    let draft = if page.says_draft { "" } else { "draft: true\n" };
    Ok(format!(
        "---\n{yaml}\n{draft}\
         # The version of {} this is translated from. Change it only when the\n\
         # translation is brought in step with the page again.\n\
         translation:\n  from: {from}\n\
         \x20 # Once someone has checked it against the page, say who and when:\n\
         \x20 # assured_by: their name or role\n\
         \x20 # assured_on: YYYY-MM-DD\n\
         ---\n{body}",
        shown()
    ))
}

/// The path without `.` parts; `None` if it is absolute or climbs with `..`.
fn normalise(path: &Path) -> Option<PathBuf> {
    let mut parts = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts)
}

/// A title from a file name: `when-to-get-help` becomes "When to get help".
fn title(slug: &str) -> String {
    let words = slug.replace('-', " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn front_matter_for(title: &str, today: Date) -> String {
    format!(
        "---\n\
         title: {title}\n\
         # One sentence of up to 160 characters, shown in search results.\n\
         description: \"\"\n\
         reviewed: {}\n\
         next_review: {}\n\
         # The documents this page's facts come from, each with a title and a url.\n\
         sources: []\n\
         ---\n\n",
        format_date(today),
        format_date(calendar::a_year_after(today)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_file_names() {
        assert_eq!(title("when-to-get-help"), "When to get help");
        assert_eq!(title("colic"), "Colic");
    }

    #[test]
    fn paths_must_stay_inside_the_project() {
        assert!(normalise(Path::new("../content/a.md")).is_none());
        assert!(normalise(Path::new("/content/a.md")).is_none());
        assert_eq!(
            normalise(Path::new("./content/a.md")),
            Some(PathBuf::from("content/a.md"))
        );
    }
}
