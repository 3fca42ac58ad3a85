//! Reading files again only when they changed: what earlier builds read, kept with
//! each file's stamp (its size, times and inode), so that a rebuild reads from disk
//! only the files whose stamp is different. Uses `cache_key`, and std and rayon.
//!
//! A file that changed less than [`SETTLE`] before it was read is not kept. File
//! times move in clock ticks, so a second change within the same tick, with the same
//! size, would leave the stamp as it was; such a file is simply read again next time.
//! (Git calls such index entries "racily clean" and guards them the same way.)
//!
//! A file watcher can say what changed instead ([`Changes::Only`]); then files it did
//! not name are taken as they were without looking at them at all, except files
//! reached through a symbolic link, whose targets the watcher may not see.
//!
//! What runs before this one read may be found too ([`ReadBefore`]), by each file's
//! path and stamp ([`StampedFile`]), so that a new process need not read again the
//! files that did not change. Only where a file's stamp has the time its entry last
//! changed, which no program can set back: elsewhere every file is read.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;

/// How long a file must have been left alone before its contents are kept.
const SETTLE: Duration = Duration::from_secs(2);

/// What is known about changes on disk since the files were last read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Changes {
    /// Nothing: every file's stamp is looked at.
    #[default]
    Unknown,
    /// A watcher saw only these paths change: files, or folders with all that is in
    /// them.
    Only(HashSet<PathBuf>),
}

impl Changes {
    /// Adds what a watcher saw since; anything added to `Unknown` stays unknown.
    pub fn add(&mut self, paths: impl IntoIterator<Item = PathBuf>) {
        if let Changes::Only(known) = self {
            known.extend(paths);
        }
    }

    /// Whether the file at `path` may differ from when it was read.
    fn may_have_changed(&self, path: &Path) -> bool {
        let Changes::Only(changed) = self else {
            return true;
        };
        // Compared as bytes: a component-by-component comparison of every file with
        // every change would cost more than the stamps it saves.
        let path = path.as_os_str().as_encoded_bytes();
        changed.iter().any(|changed| {
            let changed = changed.as_os_str().as_encoded_bytes();
            path.starts_with(changed)
                && (path.len() == changed.len()
                    || std::path::is_separator(char::from(path[changed.len()])))
        })
    }
}

/// A file to read, and whether it was reached through a symbolic link.
#[derive(Debug, Clone, Copy)]
pub struct ToRead<'a> {
    pub path: &'a Path,
    pub linked: bool,
}

/// What runs before this one read, found by each file's path and stamp.
pub trait ReadBefore<T>: Sync {
    /// What was read from `file` when it had this stamp.
    fn find(&self, file: &StampedFile) -> Option<T>;
    /// Keeps what was read from `file`, for the next run to find.
    fn keep(&self, file: &StampedFile, value: &T);
}

/// A file and the stamp it had when it was read, which say what it holds.
pub struct StampedFile<'a> {
    path: &'a Path,
    stamp: Stamp,
}

impl StampedFile<'_> {
    /// A hash of the path and the stamp: the same only for the same file, unchanged.
    pub fn key(&self) -> blake3::Hash {
        let mut key = crate::support::cache_key::Key::new();
        key.field(self.path.as_os_str().as_encoded_bytes());
        self.stamp.add_to(&mut key);
        key.finish()
    }
}

/// What was read from each file, with the stamp it had when it was read.
#[derive(Debug)]
pub struct FileCache<T> {
    /// By the path as given. (A `PathBuf` key would be hashed component by
    /// component, which is slow for thousands of files.)
    kept: HashMap<OsString, (Stamp, T)>,
}

impl<T> Default for FileCache<T> {
    fn default() -> Self {
        FileCache {
            kept: HashMap::new(),
        }
    }
}

impl<T: Clone + Send + Sync> FileCache<T> {
    /// Reads every file in `files`, in parallel, and turns each file's bytes (or the
    /// error reading it) into a result with `convert`. A file kept from before is not
    /// read again if `changes` says it did not change, or else if its stamp is as it
    /// was; nor is one that runs before read with the stamp it has now, found in
    /// `before`, where what is read is kept too. Afterwards the cache keeps only
    /// these files.
    pub fn read_all<E: Send>(
        &mut self,
        files: &[ToRead],
        (changes, before): (&Changes, Option<&dyn ReadBefore<T>>),
        convert: impl Fn(std::io::Result<Vec<u8>>) -> Result<T, E> + Sync,
    ) -> Vec<Result<T, E>> {
        self.read_all_at(SystemTime::now(), files, (changes, before), convert)
    }

    /// [`FileCache::read_all`] as if it were `now`.
    fn read_all_at<E: Send>(
        &mut self,
        now: SystemTime,
        files: &[ToRead],
        (changes, before): (&Changes, Option<&dyn ReadBefore<T>>),
        convert: impl Fn(std::io::Result<Vec<u8>>) -> Result<T, E> + Sync,
    ) -> Vec<Result<T, E>> {
        // `None` first: the file is as it was kept. Else what to keep from reading it.
        type Outcome<T> = Option<Option<(Stamp, T)>>;
        let results: Vec<(Outcome<T>, Result<T, E>)> = files
            .par_iter()
            .map(|&ToRead { path, linked }| {
                let unchanged = self.kept.get(path.as_os_str()).filter(|(stamp, _)| {
                    (!linked && !changes.may_have_changed(path))
                        || std::fs::metadata(path).is_ok_and(|m| Stamp::of(&m) == *stamp)
                });
                if let Some((_, value)) = unchanged {
                    return (None, Ok(value.clone()));
                }
                if let Some((stamp, value)) = before.and_then(|before| found_before(before, path)) {
                    return (Some(Some((stamp, value.clone()))), Ok(value));
                }
                match read_stamped(path) {
                    Ok((stamp, bytes)) => {
                        let result = convert(Ok(bytes));
                        let keep = match &result {
                            Ok(value) if stamp.settled_by(now) => {
                                if let Some(before) = before.filter(|_| Stamp::SAYS_CONTENTS) {
                                    before.keep(&StampedFile { path, stamp }, value);
                                }
                                Some((stamp, value.clone()))
                            }
                            _ => None,
                        };
                        (Some(keep), result)
                    }
                    Err(error) => (Some(None), convert(Err(error))),
                }
            })
            .collect();
        // Entries move from the old map to the new, so unchanged paths are not copied.
        let mut old = std::mem::take(&mut self.kept);
        self.kept.reserve(results.len());
        let mut out = Vec::with_capacity(results.len());
        for (file, (outcome, result)) in files.iter().zip(results) {
            let path = file.path.as_os_str();
            let entry = match outcome {
                None => old.remove_entry(path),
                Some(keep) => keep.map(|entry| (path.to_owned(), entry)),
            };
            if let Some((path, entry)) = entry {
                self.kept.insert(path, entry);
            }
            out.push(result);
        }
        out
    }
}

/// What runs before this one read from the file at `path`, as it stands now.
fn found_before<T>(before: &dyn ReadBefore<T>, path: &Path) -> Option<(Stamp, T)> {
    if !Stamp::SAYS_CONTENTS {
        return None;
    }
    let stamp = Stamp::of(&std::fs::metadata(path).ok()?);
    let value = before.find(&StampedFile { path, stamp })?;
    Some((stamp, value))
}

/// Reads a file and the stamp it had before reading began, so that a change made
/// while it is read gives a new stamp next time.
fn read_stamped(path: &Path) -> std::io::Result<(Stamp, Vec<u8>)> {
    let mut file = File::open(path)?;
    let metadata = file.metadata()?;
    let stamp = Stamp::of(&metadata);
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)?;
    Ok((stamp, bytes))
}

/// What tells one version of a file from another without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    /// When the file's contents or details last changed, which no program can set
    /// back (unlike the modified time, which copying tools often keep); and the
    /// inode, which changes when an editor saves by renaming a new file over it.
    #[cfg(unix)]
    changed: (i64, i64),
    #[cfg(unix)]
    inode: (u64, u64),
}

impl Stamp {
    fn of(metadata: &Metadata) -> Stamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: metadata.len(),
            modified: metadata.modified().ok(),
            #[cfg(unix)]
            changed: (metadata.ctime(), metadata.ctime_nsec()),
            #[cfg(unix)]
            inode: (metadata.dev(), metadata.ino()),
        }
    }

    /// Whether the stamp alone may say what a file holds to a later run: only where
    /// it has the time the file's entry last changed, which no program can set
    /// back, and which a new file, even one put in an old one's place, has anew.
    const SAYS_CONTENTS: bool = cfg!(unix);

    /// Adds the stamp to `key`.
    fn add_to(&self, key: &mut crate::support::cache_key::Key) {
        key.field(self.len.to_le_bytes());
        let modified = self
            .modified
            .and_then(|m| m.duration_since(SystemTime::UNIX_EPOCH).ok());
        key.field(modified.map_or(0, |m| m.as_nanos()).to_le_bytes());
        #[cfg(unix)]
        {
            key.field(self.changed.0.to_le_bytes())
                .field(self.changed.1.to_le_bytes())
                .field(self.inode.0.to_le_bytes())
                .field(self.inode.1.to_le_bytes());
        }
    }

    /// Whether the file had been left alone for [`SETTLE`] by `now`.
    fn settled_by(&self, now: SystemTime) -> bool {
        let Some(limit) = now.checked_sub(SETTLE) else {
            return false;
        };
        #[cfg(unix)]
        {
            let (seconds, nanos) = self.changed;
            let Ok(seconds) = u64::try_from(seconds) else {
                return false;
            };
            let changed =
                SystemTime::UNIX_EPOCH + Duration::new(seconds, u32::try_from(nanos).unwrap_or(0));
            if changed > limit {
                return false;
            }
        }
        self.modified.is_some_and(|modified| modified <= limit)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Reads `paths` as if at `now`, and says how many files were read from disk.
    fn read_at(
        cache: &mut FileCache<String>,
        now: SystemTime,
        paths: &[PathBuf],
    ) -> (Vec<String>, usize) {
        read_knowing(cache, now, paths, (&Changes::Unknown, None))
    }

    /// What earlier runs read, as the cache folder would keep it.
    #[derive(Default)]
    struct Before(std::sync::Mutex<HashMap<blake3::Hash, String>>);

    impl ReadBefore<String> for Before {
        fn find(&self, file: &StampedFile) -> Option<String> {
            self.0.lock().unwrap().get(&file.key()).cloned()
        }

        fn keep(&self, file: &StampedFile, value: &String) {
            self.0.lock().unwrap().insert(file.key(), value.clone());
        }
    }

    fn read_knowing(
        cache: &mut FileCache<String>,
        now: SystemTime,
        paths: &[PathBuf],
        (changes, before): (&Changes, Option<&dyn ReadBefore<String>>),
    ) -> (Vec<String>, usize) {
        let files: Vec<ToRead> = paths
            .iter()
            .map(|path| ToRead {
                path,
                linked: path.ends_with("linked.md"),
            })
            .collect();
        let reads = AtomicUsize::new(0);
        let texts = cache
            .read_all_at(now, &files, (changes, before), |bytes| {
                reads.fetch_add(1, Ordering::Relaxed);
                bytes.map(|b| String::from_utf8(b).unwrap_or_default())
            })
            .into_iter()
            .map(|r| r.unwrap_or_else(|e| format!("error: {}", e.kind())))
            .collect();
        (texts, reads.into_inner())
    }

    #[test]
    fn a_file_just_written_is_read_again_whatever_its_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("page.md");
        std::fs::write(&page, "one").unwrap();
        let mut cache = FileCache::default();
        let now = SystemTime::now();
        assert_eq!(
            read_at(&mut cache, now, std::slice::from_ref(&page)),
            (vec!["one".into()], 1)
        );
        assert_eq!(
            read_at(&mut cache, now, std::slice::from_ref(&page)),
            (vec!["one".into()], 1)
        );
        // Same size, and perhaps within the same clock tick, so perhaps the same stamp:
        // the file is read again because it had not settled.
        std::fs::write(&page, "two").unwrap();
        assert_eq!(read_at(&mut cache, now, &[page]), (vec!["two".into()], 1));
    }

    #[test]
    fn a_settled_file_is_kept_until_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("page.md");
        let other = dir.path().join("other.md");
        std::fs::write(&page, "one").unwrap();
        std::fs::write(&other, "other").unwrap();
        let later = SystemTime::now() + Duration::from_secs(10);
        let mut cache = FileCache::default();
        let both = [page.clone(), other.clone()];
        assert_eq!(read_at(&mut cache, later, &both).1, 2);
        assert_eq!(
            read_at(&mut cache, later, &both),
            (vec!["one".into(), "other".into()], 0)
        );
        std::fs::write(&page, "three").unwrap();
        assert_eq!(
            read_at(&mut cache, later, &both),
            (vec!["three".into(), "other".into()], 1)
        );
        std::fs::remove_file(&page).unwrap();
        let (texts, _) = read_at(&mut cache, later, &both);
        assert_eq!(texts, ["error: entity not found", "other"]);
        assert_eq!(cache.kept.len(), 1, "a file no longer read is forgotten");
    }

    #[cfg(unix)]
    #[test]
    fn a_new_process_finds_what_runs_before_read_unless_the_file_changed_whatever_its_times() {
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("page.md");
        let other = dir.path().join("other.md");
        std::fs::write(&page, "one").unwrap();
        std::fs::write(&other, "other").unwrap();
        let both = [page.clone(), other.clone()];
        let before = Before::default();
        let read = |now| {
            let mut new_process = FileCache::default();
            read_knowing(
                &mut new_process,
                now,
                &both,
                (&Changes::Unknown, Some(&before)),
            )
        };
        assert_eq!(read(SystemTime::now()).1, 2);
        assert_eq!(
            read(SystemTime::now()).1,
            2,
            "files just written are not kept"
        );
        let later = SystemTime::now() + Duration::from_secs(10);
        assert_eq!(read(later).1, 2);
        assert_eq!(read(later), (vec!["one".into(), "other".into()], 0));
        // The same size, and the time it was modified set back, as a copying tool
        // may leave it: the time its entry changed still moves, once the clock has
        // ticked (which `SETTLE` waits for outside a test).
        let modified = std::fs::metadata(&page).unwrap().modified().unwrap();
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&page, "two").unwrap();
        let file = std::fs::File::options().write(true).open(&page).unwrap();
        file.set_modified(modified).unwrap();
        assert_eq!(read(later), (vec!["two".into(), "other".into()], 1));
    }

    #[test]
    fn a_file_saved_by_renaming_a_new_one_over_it_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("page.md");
        std::fs::write(&page, "one").unwrap();
        let later = SystemTime::now() + Duration::from_secs(10);
        let mut cache = FileCache::default();
        read_at(&mut cache, later, std::slice::from_ref(&page));
        let new = dir.path().join("page.md.tmp");
        std::fs::write(&new, "two").unwrap();
        std::fs::rename(&new, &page).unwrap();
        assert_eq!(read_at(&mut cache, later, &[page]), (vec!["two".into()], 1));
    }

    #[test]
    fn with_a_watcher_only_what_it_saw_and_linked_files_are_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("crying");
        std::fs::create_dir(&folder).unwrap();
        let [seen, unseen, in_folder, linked] =
            ["seen.md", "unseen.md", "crying/page.md", "linked.md"].map(|name| {
                let path = dir.path().join(name);
                std::fs::write(&path, "one").unwrap();
                path
            });
        let all = [
            seen.clone(),
            unseen.clone(),
            in_folder.clone(),
            linked.clone(),
        ];
        let later = SystemTime::now() + Duration::from_secs(10);
        let mut cache = FileCache::default();
        read_at(&mut cache, later, &all);
        for path in &all {
            std::fs::write(path, "two").unwrap();
        }
        let changes = Changes::Only([seen, folder].into_iter().collect());
        let (texts, reads) = read_knowing(&mut cache, later, &all, (&changes, None));
        assert_eq!(texts, ["two", "one", "two", "two"]);
        assert_eq!(reads, 3);
        let (texts, _) = read_at(&mut cache, later, &all);
        assert_eq!(
            texts, ["two"; 4],
            "without a watcher every stamp is looked at"
        );
    }

    #[test]
    fn a_change_names_a_file_or_everything_in_a_folder() {
        let changes = Changes::Only([PathBuf::from("/site/content/crying")].into());
        assert!(changes.may_have_changed(Path::new("/site/content/crying")));
        assert!(changes.may_have_changed(Path::new("/site/content/crying/a.md")));
        assert!(!changes.may_have_changed(Path::new("/site/content/crying-more.md")));
        assert!(!changes.may_have_changed(Path::new("/site/content/play.md")));
        assert!(Changes::Unknown.may_have_changed(Path::new("/any")));
        let mut unknown = Changes::Unknown;
        unknown.add([PathBuf::from("/site")]);
        assert_eq!(unknown, Changes::Unknown);
    }
}
