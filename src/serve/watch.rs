//! Watching a project for changes: notify with its debouncer, narrowed to what a site
//! is built from (`content/`, `templates/`, `themes/`, `councils/`, `static/` and
//! `site.yaml`). Editors' temporary and swap files and anything else in the project,
//! such as the output folder (which is never inside a watched folder), are ignored.
//! Saves by atomic rename, deletes, renames and new folders all arrive as plain "these
//! paths changed" batches. A file that an editor is still writing in place is waited
//! for until it is closed, so that a half-written page is never built. The caller
//! decides what a change means. Uses notify, and `paths` to leave out exactly the
//! files loading leaves out.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify_debouncer_full::notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};
use notify_debouncer_full::notify::{self, EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

/// The folders under the project root a site is built from.
pub const WATCHED_FOLDERS: &[&str] = &["content", "templates", "themes", "councils", "static"];
/// The files at the project root a site is built from.
pub const WATCHED_FILES: &[&str] = &["site.yaml"];

/// How long the debouncer waits for a burst of events to end. Editors write a file in
/// several steps (temporary file, rename, attributes) within a few milliseconds; a
/// burst that runs longer only costs one more rebuild.
const DEBOUNCE: Duration = Duration::from_millis(10);
/// How often the debouncer looks for bursts that have ended.
const TICK: Duration = Duration::from_millis(5);
/// How long a change waits for a file being written in place to be closed. A save
/// truncates the file, then writes it: on a busy machine the two can be further
/// apart than [`DEBOUNCE`]. A program that keeps a file open longer than this gets a
/// rebuild anyway.
const WAIT_FOR_CLOSE: Duration = Duration::from_millis(500);
/// Whether the watcher reports files being closed after writing (inotify does), so
/// that a change can wait for them.
const SEES_CLOSES: bool = cfg!(target_os = "linux");

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot watch {path} for changes: {source}")]
    Watch {
        path: PathBuf,
        source: notify::Error,
    },
    #[error("the file watcher stopped")]
    Stopped,
}

/// Watches one project and hands out batches of changed paths.
pub struct ProjectWatcher {
    root: PathBuf,
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    events: mpsc::Receiver<DebounceEventResult>,
    watched_folders: BTreeSet<PathBuf>,
    /// Files written to and not closed since, relative to the root.
    being_written: BTreeSet<PathBuf>,
}

impl ProjectWatcher {
    /// Starts watching the project folder `root`.
    pub fn new(root: &Path) -> Result<Self, WatchError> {
        let (sender, events) = mpsc::channel();
        let debouncer =
            new_debouncer(DEBOUNCE, Some(TICK), sender).map_err(|source| WatchError::Watch {
                path: root.to_path_buf(),
                source,
            })?;
        let mut watcher = ProjectWatcher {
            root: root.to_path_buf(),
            debouncer,
            events,
            watched_folders: BTreeSet::new(),
            being_written: BTreeSet::new(),
        };
        // The root itself is watched without its subfolders, to see site.yaml and
        // watched folders that are created later, without watching build folders.
        watcher
            .debouncer
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(|source| WatchError::Watch {
                path: root.to_path_buf(),
                source,
            })?;
        watcher.watch_new_folders()?;
        Ok(watcher)
    }

    /// Waits for the next change that matters and returns every path changed since
    /// the last call, relative to the project root, sorted.
    pub fn next_change(&mut self) -> Result<Vec<PathBuf>, WatchError> {
        let mut changed = BTreeSet::new();
        while changed.is_empty() {
            let batch = self.events.recv().map_err(|_| WatchError::Stopped)?;
            self.collect(batch, &mut changed)?;
        }
        // Anything that arrived while the caller was busy joins this batch.
        while let Ok(batch) = self.events.try_recv() {
            self.collect(batch, &mut changed)?;
        }
        let waiting_since = std::time::Instant::now();
        while !self.being_written.is_empty() {
            let left = WAIT_FOR_CLOSE.saturating_sub(waiting_since.elapsed());
            match self.events.recv_timeout(left) {
                Ok(batch) => self.collect(batch, &mut changed)?,
                Err(mpsc::RecvTimeoutError::Timeout) => self.being_written.clear(),
                Err(mpsc::RecvTimeoutError::Disconnected) => return Err(WatchError::Stopped),
            }
        }
        Ok(changed.into_iter().collect())
    }

    fn collect(
        &mut self,
        batch: DebounceEventResult,
        changed: &mut BTreeSet<PathBuf>,
    ) -> Result<(), WatchError> {
        // Watcher errors (a full inotify queue, say) mean events may be lost: the
        // safe answer is to treat the whole project as changed.
        let Ok(events) = batch else {
            changed.insert(PathBuf::from("."));
            self.watch_new_folders()?;
            return Ok(());
        };
        for event in events.iter() {
            let paths: Vec<PathBuf> = event
                .paths
                .iter()
                .filter_map(|path| self.relevant(path))
                .collect();
            for relative in paths {
                match event.kind {
                    EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                        self.being_written.remove(&relative);
                    }
                    // Reading a file is an event too (the build itself reads every
                    // file); only writes, creations, removals and renames change
                    // the site.
                    EventKind::Access(_) => {}
                    EventKind::Create(CreateKind::File)
                    | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any)
                        if SEES_CLOSES =>
                    {
                        self.being_written.insert(relative.clone());
                        changed.insert(relative);
                    }
                    EventKind::Remove(_) => {
                        self.being_written.remove(&relative);
                        changed.insert(relative);
                    }
                    _ => {
                        changed.insert(relative);
                    }
                }
            }
        }
        if !changed.is_empty() {
            self.watch_new_folders()?;
        }
        Ok(())
    }

    /// Starts watching any watched folder that exists but is not watched yet.
    fn watch_new_folders(&mut self) -> Result<(), WatchError> {
        for name in WATCHED_FOLDERS {
            let folder = self.root.join(name);
            if folder.is_dir() && !self.watched_folders.contains(&folder) {
                self.debouncer
                    .watch(&folder, RecursiveMode::Recursive)
                    .map_err(|source| WatchError::Watch {
                        path: folder.clone(),
                        source,
                    })?;
                self.watched_folders.insert(folder);
            }
        }
        let gone: Vec<PathBuf> = self
            .watched_folders
            .iter()
            .filter(|f| !f.is_dir())
            .cloned()
            .collect();
        for folder in gone {
            let _ = self.debouncer.unwatch(&folder);
            self.watched_folders.remove(&folder);
        }
        Ok(())
    }

    fn relevant(&self, path: &Path) -> Option<PathBuf> {
        let relative = path.strip_prefix(&self.root).ok()?;
        is_source_path(relative).then(|| relative.to_path_buf())
    }
}

/// Whether a path, relative to the project root, is something a site is built from.
pub fn is_source_path(relative: &Path) -> bool {
    let mut parts = relative.components();
    let Some(first) = parts.next() else {
        return false;
    };
    let first = first.as_os_str().to_string_lossy();
    let in_watched_folder = WATCHED_FOLDERS.contains(&first.as_ref());
    let is_watched_file = WATCHED_FILES.contains(&first.as_ref()) && parts.next().is_none();
    if !in_watched_folder && !is_watched_file {
        return false;
    }
    let name = relative
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    // Exactly what loading leaves out: a file the watcher ignored but loading read
    // would not be read again after it changed.
    !crate::support::paths::is_editor_temp(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_a_site_is_built_from_counts() {
        assert!(is_source_path(Path::new("content/crying/soothing.md")));
        assert!(is_source_path(Path::new("site.yaml")));
        assert!(is_source_path(Path::new("templates/page.html")));
        assert!(is_source_path(Path::new("councils/northshire.yaml")));
        assert!(is_source_path(Path::new("content")));
        assert!(!is_source_path(Path::new("public/index.html")));
        assert!(!is_source_path(Path::new("target/debug/tellyou")));
        assert!(!is_source_path(Path::new("README.md")));
        assert!(!is_source_path(Path::new("content/site.yaml~")));
    }
}
