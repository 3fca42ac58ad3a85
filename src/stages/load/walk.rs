//! Walking a folder for the files to load: each file's path relative to the folder,
//! in order, with files reached through a link that leads out of the project, or
//! to nothing, or round in a loop, reported and left out. Uses `file_cache`,
//! `paths` and `error`.

use std::path::{Path, PathBuf};

use crate::support::error::plain_io_error;
use crate::support::file_cache::ToRead;
use crate::support::paths;

use super::LoadError;

impl Found {
    pub(super) fn to_read(&self) -> ToRead<'_> {
        ToRead {
            path: &self.path,
            linked: self.linked,
        }
    }
}

/// What went wrong when the walk reached `path`: a link that goes round in a loop
/// or to nothing, or a file that cannot be read.
fn walk_error(path: &Path, error: &walkdir::Error) -> LoadError {
    if error.loop_ancestor().is_some() {
        return LoadError::LinkLoop;
    }
    if let Ok(target) = std::fs::read_link(path) {
        let target = target.display().to_string();
        return LoadError::LinkToNothing { target };
    }
    let reason = error
        .io_error()
        .map(plain_io_error)
        .unwrap_or_else(|| error.to_string());
    LoadError::Unreadable { reason }
}

/// A file found by [`walk`].
pub(super) struct Found {
    /// Its path relative to the folder walked, written with `/`.
    pub(super) relative: String,
    pub(super) path: PathBuf,
    /// Whether it was reached through a symbolic link.
    pub(super) linked: bool,
}

/// The files under `dir`, sorted.
/// Files reached through a link that leads outside `project`, the project's folder
/// as the file system names it, are reported and left out: a link must not publish
/// what is not the project's.
pub(super) fn walk(
    dir: &Path,
    project: &Path,
    report: &mut impl FnMut(&Path, LoadError, Option<&str>),
) -> Vec<Found> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut files = Vec::new();
    let entries = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0 || !paths::is_editor_temp(&entry.file_name().to_string_lossy())
        });
    // The depth of the outermost linked folder the walk is in, if any.
    let mut linked_folder: Option<usize> = None;
    for entry in entries {
        match entry {
            Ok(entry) => {
                if linked_folder.is_some_and(|depth| entry.depth() <= depth) {
                    linked_folder = None;
                }
                if entry.file_type().is_dir() {
                    if entry.path_is_symlink() && linked_folder.is_none() {
                        linked_folder = Some(entry.depth());
                    }
                    continue;
                }
                if !entry.file_type().is_file() {
                    continue;
                }
                let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
                let relative = relative.to_string_lossy();
                let relative = if cfg!(windows) {
                    relative.replace('\\', "/")
                } else {
                    relative.into_owned()
                };
                let linked = entry.path_is_symlink() || linked_folder.is_some();
                if linked {
                    match std::fs::canonicalize(entry.path()) {
                        Ok(target) if !target.starts_with(project) => {
                            let target = target.display().to_string();
                            report(entry.path(), LoadError::OutsideProject { target }, None);
                            continue;
                        }
                        _ => {}
                    }
                }
                files.push(Found {
                    relative,
                    linked,
                    path: entry.into_path(),
                });
            }
            Err(error) => {
                let path = error.path().unwrap_or(dir).to_path_buf();
                report(&path, walk_error(&path, &error), None);
            }
        }
    }
    files
}
