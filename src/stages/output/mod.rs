//! Output: writes the finished site into a staging folder beside the output folder,
//! then swaps it in with one rename, so the output folder always holds a complete
//! site, the old one or the new one, never a mix. A failed write leaves the old site
//! as it was. The old site is kept beside the output, and the next build writes over
//! it only the files that differ, so that unchanged pages cost the disk nothing. A
//! manifest of what was written lets the next build see that it would write the
//! same site, and leave the output as it is. Uses `page`, `processes` and `error`;
//! rayon writes files in parallel, blake3 hashes them, and rustc-hash and memchr
//! make the maps of their paths.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::model::page::OutputFile;
use crate::support::error::{StageError, plain_io_error};
use crate::support::processes;

/// Marks a folder as one tellyou wrote, so it is safe to replace whole.
pub const MARKER: &str = ".tellyou-output";
/// Lists the files a build wrote, with their hashes and sizes.
pub const MANIFEST: &str = ".tellyou-manifest";
/// What the build that wrote the folder read and reported (see `build_record`).
pub const RECORD: &str = ".tellyou-build";
const MANIFEST_HEADER: &str = "tellyou manifest 1: blake3, bytes, path\n";
const MARKER_TEXT: &str =
    "This folder is written by tellyou build and replaced whole on every build.\n";

/// What can go wrong while writing the site.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("the output folder {out} {reason}")]
    Unsafe { out: String, reason: &'static str },
    #[error("the output folder {out} already holds files that tellyou did not write")]
    NotOurs { out: String },
    #[error("cannot {action} {path}: {reason}")]
    Io {
        action: &'static str,
        path: String,
        reason: String,
    },
    #[error("the site has a file with a path that leaves the output folder: {path}")]
    BadPath { path: String },
}

impl StageError for OutputError {
    fn hint(&self) -> Option<String> {
        match self {
            OutputError::Unsafe { .. } => Some("choose a folder outside content/, such as public".into()),
            OutputError::NotOurs { .. } => Some(
                "tellyou replaces the whole output folder: choose an empty or new folder, or empty this one first".into(),
            ),
            OutputError::Io { .. } => Some("the previous site was left as it was".into()),
            OutputError::BadPath { .. } => None,
        }
    }
}

/// Refuses an output folder that would overwrite the project itself.
pub fn check_out_dir(root: &Path, out_dir: &Path) -> Result<(), OutputError> {
    let root = normalise(root);
    let out = normalise(out_dir);
    let content = root.join("content");
    let shown = out_dir.display().to_string();
    let unsafe_because = |reason| OutputError::Unsafe {
        out: shown.clone(),
        reason,
    };
    if out == root || root.starts_with(&out) {
        return Err(unsafe_because("would replace the project folder"));
    }
    for protected in [
        "content",
        "templates",
        "themes",
        "static",
        "councils",
        "src",
        "tests",
    ] {
        let folder = root.join(protected);
        if out.starts_with(&folder) {
            return Err(if folder == content {
                unsafe_because("is inside content/")
            } else {
                unsafe_because("is inside a folder of the project's sources")
            });
        }
    }
    Ok(())
}

/// Makes `dir` ready to hold one site per council, each in its own folder: creates
/// it and marks it as tellyou's, unless it holds files tellyou did not write.
pub fn prepare_folder_of_sites(dir: &Path) -> Result<(), OutputError> {
    if dir.exists() && !is_replaceable(dir) {
        return Err(OutputError::NotOurs {
            out: dir.display().to_string(),
        });
    }
    fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e))?;
    let marker = dir.join(MARKER);
    if !marker.is_file() {
        fs::write(&marker, MARKER_TEXT).map_err(|e| io_error("write", &marker, e))?;
    }
    Ok(())
}

/// Removes from the folder of sites `dir` every site tellyou wrote whose name is not
/// in `keep`, with the site before last and the cache beside it, and gives the names
/// removed. Each
/// goes in one rename before it is removed, so it is there whole or not at all; a
/// folder tellyou did not write is left alone.
pub fn remove_sites_except(dir: &Path, keep: &[String]) -> Result<Vec<String>, OutputError> {
    let entries = fs::read_dir(dir).map_err(|e| io_error("read", dir, e))?;
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let is_folder = entry.file_type().is_ok_and(|kind| kind.is_dir());
        if name.starts_with('.')
            || keep.contains(&name)
            || !is_folder
            || !path.join(MARKER).is_file()
        {
            continue;
        }
        // Named like a staging folder, so that a later build clears it if this one dies.
        let going = staging_folder(dir, &name);
        fs::rename(&path, &going).map_err(|e| io_error("remove", &path, e))?;
        let _ = fs::remove_dir_all(&going);
        let previous = previous_site(dir, &name);
        if previous.join(MARKER).is_file() {
            let _ = fs::remove_dir_all(&previous);
        }
        let _ = fs::remove_dir_all(cache_folder(&path));
        removed.push(name);
    }
    removed.sort();
    Ok(removed)
}

/// Writes the site as [`write_site_with`] does, working out each file's
/// fingerprint: for the tests of this module.
#[cfg(test)]
fn write_site(out_dir: &Path, files: &[OutputFile], record: &str) -> Result<(), OutputError> {
    let fingerprints: Vec<String> = files.iter().map(fingerprint).collect();
    write_site_with(out_dir, (files, &fingerprints), record, None)
}

/// The site before last of an output folder, looked over ahead of the write that
/// writes over it, while the site that replaces it is made: the folder, and its
/// manifest if it holds exactly what the manifest lists. Looking it over reads the
/// stamp of each of its files and folders, twenty thousand for a site of 10,000
/// pages, so it is worth doing while a processor has little else to do. A file
/// changed in the fraction of a second between the look and the write is not
/// seen, as one changed while the write runs never was; its manifest must still
/// be the one looked over.
#[derive(Debug)]
pub struct SiteBeforeLast {
    folder: PathBuf,
    manifest: Option<String>,
}

impl SiteBeforeLast {
    /// Looks over the site before last of `out_dir` on the calling thread alone,
    /// never needing rayon's threads, which a build on one of them may be waiting
    /// with; and stops early, finding it not as written, once `stop` is set: when
    /// no build follows after all.
    pub fn look_over(out_dir: &Path, stop: &AtomicBool) -> SiteBeforeLast {
        let folder = parent_and_name(&normalise(out_dir))
            .map(|(parent, name)| previous_site(&parent, &name))
            .unwrap_or_default();
        let manifest = (folder.join(MARKER).is_file())
            .then(|| fs::read_to_string(folder.join(MANIFEST)).ok())
            .flatten()
            .filter(|text| text.starts_with(MANIFEST_HEADER))
            .filter(|text| looked_over(&folder, text, Looking::Alone { stop }));
        SiteBeforeLast { folder, manifest }
    }
}

/// The folder `out_dir` is in, and its name: none for the root of the disk.
fn parent_and_name(out_dir: &Path) -> Option<(PathBuf, String)> {
    let name = out_dir.file_name()?.to_string_lossy().into_owned();
    Some((out_dir.parent()?.to_path_buf(), name))
}

/// Writes the site to `out_dir`, with `record` beside it, replacing what was there
/// only once everything is written. Files are written in the order given, each
/// with its [`fingerprint`]. The site before last, which the write writes over, is
/// looked over now, unless it was `looked_over` already.
pub fn write_site_with(
    out_dir: &Path,
    (files, fingerprints): (&[OutputFile], &[String]),
    record: &str,
    looked_over: Option<SiteBeforeLast>,
) -> Result<(), OutputError> {
    for file in files {
        if !is_safe_relative(&file.path) {
            return Err(OutputError::BadPath {
                path: file.path.clone(),
            });
        }
    }
    let out_dir = normalise(out_dir);
    let Some((parent, name)) = parent_and_name(&out_dir) else {
        return Err(OutputError::Unsafe {
            out: out_dir.display().to_string(),
            reason: "is the root of the disk",
        });
    };
    if out_dir.exists() && !is_replaceable(&out_dir) {
        return Err(OutputError::NotOurs {
            out: out_dir.display().to_string(),
        });
    }
    fs::create_dir_all(&parent).map_err(|e| io_error("create", &parent, e))?;
    remove_leftovers(&parent, &name);

    let manifest = manifest(files, fingerprints);
    if already_written(&out_dir, &manifest) {
        return replace_record(&out_dir, record);
    }
    let staging = staging_folder(&parent, &name);
    let previous = previous_site(&parent, &name);
    let site = (files, fingerprints, &manifest[..]);
    let result = write_all(&staging, (previous.clone(), looked_over), site, record)
        .and_then(|()| swap_in(&staging, &out_dir, &previous));
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

/// The cache folder of the output folder `out_dir`: beside it, and named after it,
/// as `.public.cache` is for `public`, so that it is never published with the site.
pub fn cache_folder(out_dir: &Path) -> PathBuf {
    let (parent, name) = parent_and_name(out_dir)
        .or_else(|| parent_and_name(&normalise(out_dir)))
        .unwrap_or_else(|| (out_dir.to_owned(), "site".into()));
    parent.join(format!(".{name}.cache"))
}

/// Where this build writes the output folder `name` in `parent` before swapping it
/// in; [`remove_leftovers`] clears such folders that killed builds left.
fn staging_folder(parent: &Path, name: &str) -> PathBuf {
    parent.join(format!("{}{}", staging_prefix(name), std::process::id()))
}

fn staging_prefix(name: &str) -> String {
    format!(".{name}.staging-")
}

/// Where the site that the output folder `name` in `parent` held before its last
/// build is kept, for the next build to write over.
fn previous_site(parent: &Path, name: &str) -> PathBuf {
    parent.join(format!(".{name}.previous"))
}

/// A file's hash and size, as the manifest gives them: `<blake3> <bytes>`. Two
/// files with the same [`OutputFile::key`] have the same fingerprint.
pub fn fingerprint(file: &OutputFile) -> String {
    // blake3 hashes one long slice several blocks at a time, and many short pieces
    // a block at a time: putting a page's pieces together first is about four
    // times as fast.
    let pieces = file.pieces();
    let hash = if let [whole] = pieces[..] {
        blake3::hash(whole)
    } else {
        blake3::hash(&pieces.concat())
    };
    let length: usize = pieces.iter().map(|piece| piece.len()).sum();
    format!("{} {length}", hash.to_hex())
}

/// Lists every file of a site with its fingerprint, a line each: what a build
/// leaves in [`MANIFEST`], so that the next build can tell whether it would write
/// the same site.
fn manifest(files: &[OutputFile], fingerprints: &[String]) -> String {
    let mut text = String::from(MANIFEST_HEADER);
    for (file, fingerprint) in files.iter().zip(fingerprints) {
        text.push_str(fingerprint);
        text.push(' ');
        text.push_str(&file.path);
        text.push('\n');
    }
    text
}

/// Whether `out_dir` already holds exactly the site `manifest` describes: the same
/// manifest, and every file in it, as it was written and no other. A file changed
/// since (its time is later than the manifest's, or its size differs), removed or
/// added means the site is written again.
fn already_written(out_dir: &Path, manifest: &str) -> bool {
    let manifest_path = out_dir.join(MANIFEST);
    fs::read_to_string(&manifest_path).ok().as_deref() == Some(manifest)
        && untouched(out_dir, manifest)
}

/// What `wanted` makes of the record of the build that wrote `out_dir`, if it wants
/// it and the folder still holds exactly what that build wrote. The record is read
/// first, so that the folder is looked over only for a record that is wanted.
pub fn recorded_build<T>(out_dir: &Path, wanted: impl FnOnce(&str) -> Option<T>) -> Option<T> {
    let record = wanted(&fs::read_to_string(out_dir.join(RECORD)).ok()?)?;
    let manifest = fs::read_to_string(out_dir.join(MANIFEST)).ok()?;
    (manifest.starts_with(MANIFEST_HEADER) && untouched(out_dir, &manifest)).then_some(record)
}

/// Each file a manifest lists, as its path and its fingerprint.
fn manifest_entries(manifest: &str) -> impl Iterator<Item = (&str, &str)> {
    manifest.lines().skip(1).filter_map(|line| {
        let (hash, rest) = line.split_once(' ')?;
        let (size, path) = rest.split_once(' ')?;
        Some((path, &line[..hash.len() + 1 + size.len()]))
    })
}

/// Each file a manifest lists, by its path, with what `value` reads of its
/// fingerprint, if it reads one: in a map made at its size, as a site of many
/// pages lists tens of thousands. Paths are the build's own, so they are hashed
/// with FxHash, without a guard against chosen collisions.
fn manifest_map<'m, V>(
    manifest: &'m str,
    value: impl Fn(&'m str) -> Option<V>,
) -> FxHashMap<&'m str, V> {
    let lines = memchr::memchr_iter(b'\n', manifest.as_bytes()).count();
    let mut map = FxHashMap::with_capacity_and_hasher(lines, Default::default());
    let entries = manifest_entries(manifest);
    map.extend(entries.filter_map(|(path, fingerprint)| Some((path, value(fingerprint)?))));
    map
}

/// Whether every file `manifest` lists is in `out_dir` as it was written, and no
/// other file or folder. A file or folder that changed since the manifest was
/// written is newer than it: [`changed_at`] is a time no program can set back. A
/// file must be the size the manifest lists and older than it; one as new as it,
/// as the clock may not have moved on between the two, must have the bytes it
/// lists. A folder older than the manifest holds what it held then, as adding or
/// removing an entry makes it newer: only the folders as new as the manifest,
/// such as the folder itself, which was renamed into place, have their entries
/// read. A site of many pages has a folder for each.
fn untouched(out_dir: &Path, manifest: &str) -> bool {
    looked_over(out_dir, manifest, Looking::InParallel)
}

/// How a folder is looked over for [`untouched`].
#[derive(Clone, Copy)]
enum Looking<'s> {
    /// On rayon's threads.
    InParallel,
    /// On the calling thread alone, found not as written once `stop` is set: for
    /// a thread of its own, which a thread of rayon's may wait for while its
    /// fellows wait too, so that it must never need them.
    Alone { stop: &'s AtomicBool },
}

/// Whether `out_dir` is [`untouched`], looked over as `how` says.
fn looked_over(out_dir: &Path, manifest: &str, how: Looking<'_>) -> bool {
    let manifest_path = out_dir.join(MANIFEST);
    let Some(written_at) = fs::metadata(&manifest_path)
        .ok()
        .and_then(|m| changed_at(&m))
    else {
        return false;
    };
    let listed = manifest_map(manifest, |fingerprint| {
        let (hash, size) = fingerprint.split_once(' ')?;
        Some((hash, size.parse::<u64>().ok()?))
    });
    let folders = folders_of(listed.keys().copied());
    let holds_only_listed = |folder: &str| {
        let Ok(entries) = fs::read_dir(out_dir.join(folder)) else {
            return false;
        };
        entries.into_iter().all(|entry| {
            let Ok(name) = entry.map(|entry| entry.file_name()) else {
                return false;
            };
            let name = name.to_string_lossy();
            let path = match folder {
                "" => name.into_owned(),
                _ => format!("{folder}/{name}"),
            };
            let ours = folder.is_empty() && [MARKER, MANIFEST, RECORD].contains(&path.as_str());
            ours || listed.contains_key(path.as_str()) || folders.contains(path.as_str())
        })
    };
    let entries = OutputEntries::open(out_dir);
    let folder_as_written = |folder: &&str| {
        entries.stamp(folder).is_some_and(|stamp| {
            stamp.is_folder
                && (stamp.changed.is_some_and(|time| time < written_at)
                    || holds_only_listed(folder))
        })
    };
    let file_as_written = |(path, (hash, size)): (&&str, &(&str, u64))| {
        entries.stamp(path).is_some_and(|stamp| {
            stamp.is_file
                && stamp.size == *size
                && match stamp.changed {
                    Some(time) if time < written_at => true,
                    Some(time) if time == written_at => fs::read(out_dir.join(path))
                        .is_ok_and(|bytes| blake3::hash(&bytes).to_hex().as_str() == *hash),
                    _ => false,
                }
        })
    };
    holds_only_listed("")
        && match how {
            Looking::InParallel => {
                folders.par_iter().all(folder_as_written) && listed.par_iter().all(file_as_written)
            }
            Looking::Alone { stop } => {
                let go_on = || !stop.load(Ordering::Relaxed);
                folders.iter().all(|f| go_on() && folder_as_written(f))
                    && listed.iter().all(|f| go_on() && file_as_written(f))
            }
        }
}

/// What [`untouched`] reads of a file or folder of the output.
struct EntryStamp {
    is_folder: bool,
    is_file: bool,
    size: u64,
    /// When it last changed, as [`changed_at`] says.
    changed: Option<std::time::SystemTime>,
}

/// A folder of the output, whose entries' stamps are read by their paths in it. On
/// Linux each is looked up from the folder, opened once, and not from the root of
/// the file system: a site of many pages has twenty thousand, and looking up the
/// folders above the output was most of the time each took.
struct OutputEntries<'a> {
    folder: &'a Path,
    #[cfg(target_os = "linux")]
    opened: Option<rustix::fd::OwnedFd>,
}

impl OutputEntries<'_> {
    fn open(folder: &Path) -> OutputEntries<'_> {
        OutputEntries {
            folder,
            #[cfg(target_os = "linux")]
            opened: {
                use rustix::fs::{Mode, OFlags};
                let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
                rustix::fs::open(folder, flags, Mode::empty()).ok()
            },
        }
    }

    /// The stamp of the entry at `path` in the folder, not following a link.
    fn stamp(&self, path: &str) -> Option<EntryStamp> {
        #[cfg(target_os = "linux")]
        if let Some(opened) = &self.opened {
            use rustix::fs::{AtFlags, StatxFlags};
            let wanted = StatxFlags::TYPE | StatxFlags::SIZE | StatxFlags::CTIME;
            let found = rustix::fs::statx(opened, path, AtFlags::SYMLINK_NOFOLLOW, wanted);
            if let Some(answer) = statx_answer(found) {
                return answer;
            }
        }
        let metadata = fs::symlink_metadata(self.folder.join(path)).ok()?;
        Some(EntryStamp {
            is_folder: metadata.is_dir(),
            is_file: metadata.is_file(),
            size: metadata.len(),
            changed: changed_at(&metadata),
        })
    }
}

/// What `statx` said of an entry: its stamp, or that there is none; `None` where
/// the system could not answer, as a kernel older than 4.11 cannot, or a sandbox
/// that refuses the call, so that the entry is looked up another way.
#[cfg(target_os = "linux")]
fn statx_answer(found: rustix::io::Result<rustix::fs::Statx>) -> Option<Option<EntryStamp>> {
    use rustix::fs::{FileType, StatxFlags};
    use rustix::io::Errno;
    let found = match found {
        Ok(found) => found,
        Err(Errno::NOENT | Errno::NOTDIR | Errno::LOOP | Errno::NAMETOOLONG) => return Some(None),
        Err(_) => return None,
    };
    let kind = FileType::from_raw_mode(u32::from(found.stx_mode));
    let seconds = u64::try_from(found.stx_ctime.tv_sec).ok();
    let changed = (seconds.filter(|_| found.stx_mask & StatxFlags::CTIME.bits() != 0))
        .map(|seconds| std::time::Duration::new(seconds, found.stx_ctime.tv_nsec))
        .map(|since| std::time::UNIX_EPOCH + since);
    Some(Some(EntryStamp {
        is_folder: kind == FileType::Directory,
        is_file: kind == FileType::RegularFile,
        size: found.stx_size,
        changed,
    }))
}

/// When a file or folder last changed: where the system keeps it, the time its
/// entry last changed, which no program can set back, as copying tools set back
/// the time it was modified; elsewhere, the time it was modified.
fn changed_at(metadata: &fs::Metadata) -> Option<std::time::SystemTime> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let seconds = u64::try_from(metadata.ctime()).ok()?;
        let nanoseconds = u32::try_from(metadata.ctime_nsec()).ok()?;
        Some(std::time::UNIX_EPOCH + std::time::Duration::new(seconds, nanoseconds))
    }
    #[cfg(not(unix))]
    {
        metadata.modified().ok()
    }
}

/// Puts `record` in place of the output's record, in one rename, if it differs:
/// the same site can come with other warnings, such as a review date now due.
fn replace_record(out_dir: &Path, record: &str) -> Result<(), OutputError> {
    let path = out_dir.join(RECORD);
    if fs::read_to_string(&path).ok().as_deref() == Some(record) {
        return Ok(());
    }
    let temporary = out_dir.join(format!("{RECORD}.{}", std::process::id()));
    fs::write(&temporary, record)
        .and_then(|()| fs::rename(&temporary, &path))
        .map_err(|e| {
            let _ = fs::remove_file(&temporary);
            io_error("write", &path, e)
        })
}

/// Writes the site into `staging`: into the site before last, taken from
/// `previous`, where that is whole, so that only the files that differ from it are
/// written; else into a new folder.
fn write_all(
    staging: &Path,
    (previous, looked_over): (PathBuf, Option<SiteBeforeLast>),
    (files, fingerprints, manifest): (&[OutputFile], &[String], &str),
    record: &str,
) -> Result<(), OutputError> {
    if staging.exists() {
        fs::remove_dir_all(staging).map_err(|e| io_error("remove", staging, e))?;
    }
    let looked_over = looked_over.filter(|site| site.folder == previous);
    let kept_manifest = take_previous(&previous, staging, looked_over);
    if kept_manifest.is_none() {
        fs::create_dir(staging).map_err(|e| io_error("create", staging, e))?;
    }
    // Each file the site before last has, with its fingerprint.
    let kept: FxHashMap<&str, &str> = (kept_manifest.as_deref())
        .map(|text| manifest_map(text, Some))
        .unwrap_or_default();
    let wanted: FxHashSet<&str> = files.iter().map(|file| file.path.as_str()).collect();
    let kept_folders = folders_of(kept.keys().copied());
    let wanted_folders = folders_of(wanted.iter().copied());

    let unwanted_files: Vec<&str> = kept
        .keys()
        .copied()
        .filter(|path| !wanted.contains(path))
        .collect();
    unwanted_files.par_iter().try_for_each(|file| {
        let path = staging.join(file);
        fs::remove_file(&path).map_err(|e| io_error("remove", &path, e))
    })?;
    // The folders the new site does not have hold no files now, nor folders it has.
    let topmost_unwanted_folders: Vec<&str> = kept_folders
        .iter()
        .copied()
        .filter(|folder| !wanted_folders.contains(folder))
        .filter(|folder| {
            folder
                .rsplit_once('/')
                .is_none_or(|(parent, _)| wanted_folders.contains(parent))
        })
        .collect();
    topmost_unwanted_folders.par_iter().try_for_each(|folder| {
        let path = staging.join(folder);
        fs::remove_dir_all(&path).map_err(|e| io_error("remove", &path, e))
    })?;

    // A folder at a time, its subfolders in parallel: a site of many pages has as
    // many folders as pages.
    for level in by_depth(wanted_folders.difference(&kept_folders).copied()) {
        level.par_iter().try_for_each(|folder| {
            let path = staging.join(folder);
            fs::create_dir(&path).map_err(|e| io_error("create", &path, e))
        })?;
    }
    files
        .par_iter()
        .zip(fingerprints)
        .filter(|(file, fingerprint)| kept.get(file.path.as_str()) != Some(&fingerprint.as_str()))
        .try_for_each(|(file, _)| {
            let path = staging.join(&file.path);
            write_pieces(&path, &file.pieces()).map_err(|e| io_error("write", &path, e))
        })?;
    let marker = staging.join(MARKER);
    fs::write(&marker, MARKER_TEXT).map_err(|e| io_error("write", &marker, e))?;
    let record_path = staging.join(RECORD);
    fs::write(&record_path, record).map_err(|e| io_error("write", &record_path, e))?;
    // Written last, so that it is newer than every file it lists.
    let manifest_path = staging.join(MANIFEST);
    fs::write(&manifest_path, manifest).map_err(|e| io_error("write", &manifest_path, e))
}

/// Moves the site before last from `previous` to `staging`, and gives its manifest,
/// if it is a folder tellyou wrote and holds what its manifest lists and nothing
/// else, as it was when `looked_over`, if it was. A site that was touched since is
/// removed: the build writes a new one.
fn take_previous(
    previous: &Path,
    staging: &Path,
    looked_over: Option<SiteBeforeLast>,
) -> Option<String> {
    let is_folder = fs::symlink_metadata(previous).is_ok_and(|m| m.file_type().is_dir());
    if !is_folder || !previous.join(MARKER).is_file() {
        return None;
    }
    fs::rename(previous, staging).ok()?;
    let manifest = fs::read_to_string(staging.join(MANIFEST)).ok();
    let manifest = match looked_over {
        Some(site) => manifest.filter(|text| site.manifest.as_ref() == Some(text)),
        None => {
            manifest.filter(|text| text.starts_with(MANIFEST_HEADER) && untouched(staging, text))
        }
    };
    if manifest.is_none() {
        let _ = fs::remove_dir_all(staging);
    }
    manifest
}

/// Every folder that holds one of `paths`, and the folders those are in.
fn folders_of<'a>(paths: impl Iterator<Item = &'a str>) -> FxHashSet<&'a str> {
    // A site of many pages has a folder for each.
    let mut folders = FxHashSet::with_capacity_and_hasher(paths.size_hint().0, Default::default());
    for mut path in paths {
        while let Some((folder, _)) = path.rsplit_once('/') {
            if !folders.insert(folder) {
                break;
            }
            path = folder;
        }
    }
    folders
}

/// `folders` by depth: the top-level folders first.
fn by_depth<'a>(folders: impl Iterator<Item = &'a str>) -> Vec<Vec<&'a str>> {
    let mut levels: Vec<Vec<&str>> = Vec::new();
    for folder in folders {
        let depth = folder.matches('/').count() + 1;
        if levels.len() < depth {
            levels.resize_with(depth, Vec::new);
        }
        levels[depth - 1].push(folder);
    }
    levels
}

/// Writes a file given in pieces, without putting them together first.
fn write_pieces(path: &Path, pieces: &[&[u8]]) -> io::Result<()> {
    use std::io::{IoSlice, Write};
    let mut file = fs::File::create(path)?;
    let mut slices: Vec<IoSlice> = pieces
        .iter()
        .filter(|piece| !piece.is_empty())
        .map(|piece| IoSlice::new(piece))
        .collect();
    let mut left = &mut slices[..];
    while !left.is_empty() {
        match file.write_vectored(left) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(written) => IoSlice::advance_slices(&mut left, written),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// Puts the staging folder in the output folder's place, and keeps the old site
/// as `previous`, for the next build to write over. On Linux the two folders trade
/// places in one atomic step; elsewhere the old folder is moved aside first.
fn swap_in(staging: &Path, out_dir: &Path, previous: &Path) -> Result<(), OutputError> {
    if !out_dir.exists() {
        return fs::rename(staging, out_dir).map_err(|e| io_error("create", out_dir, e));
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, staging, CWD, out_dir, RenameFlags::EXCHANGE).is_ok() {
            // The staging path now holds the old site.
            keep_as_previous(staging, previous);
            return Ok(());
        }
    }
    // Named like a staging folder, so that a later build clears it if this one dies.
    let mut old = staging.as_os_str().to_owned();
    old.push("-old");
    let old = PathBuf::from(old);
    fs::rename(out_dir, &old).map_err(|e| io_error("replace", out_dir, e))?;
    if let Err(error) = fs::rename(staging, out_dir) {
        let _ = fs::rename(&old, out_dir);
        return Err(io_error("replace", out_dir, error));
    }
    keep_as_previous(&old, previous);
    Ok(())
}

/// Keeps the site just replaced as `previous`, or removes it if that is taken.
/// Writing the next site over it, rather than into a new folder, spares the disk
/// from making and removing a file for every page that has not changed.
fn keep_as_previous(old_site: &Path, previous: &Path) {
    if fs::rename(old_site, previous).is_err() {
        let _ = fs::remove_dir_all(old_site);
    }
}

fn io_error(action: &'static str, path: &Path, error: io::Error) -> OutputError {
    OutputError::Io {
        action,
        path: path.display().to_string(),
        reason: plain_io_error(&error),
    }
}

/// Removes the staging folders that builds killed before they finished left beside
/// `out_dir`, for a build that has nothing to write.
pub fn remove_killed_builds(out_dir: &Path) {
    if let Some((parent, name)) = parent_and_name(&normalise(out_dir)) {
        remove_leftovers(&parent, &name);
    }
}

/// Removes staging folders left by builds that were killed before they finished.
fn remove_leftovers(parent: &Path, name: &str) {
    let prefix = staging_prefix(name);
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or("");
        let ours = pid == std::process::id().to_string();
        if ours || !processes::is_running(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn is_replaceable(out_dir: &Path) -> bool {
    if out_dir.join(MARKER).is_file() {
        return true;
    }
    match fs::read_dir(out_dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(_) => false,
    }
}

fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// An absolute path with `.` and `..` worked out, without touching the disk.
fn normalise(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut result = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::ParentDir => {
                result.pop();
            }
            Component::CurDir => {}
            other => result.push(other),
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::shared_parts::{Body, Part, PartId, Piece};
    use std::sync::Arc;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile::from_bytes(path, text)
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_entry_statx_cannot_look_up_is_looked_up_another_way_with_the_same_stamp() {
        use rustix::io::Errno;
        assert!(statx_answer(Err(Errno::NOSYS)).is_none());
        assert!(statx_answer(Err(Errno::PERM)).is_none());
        assert!(matches!(statx_answer(Err(Errno::NOENT)), Some(None)));

        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("folder")).unwrap();
        fs::write(dir.path().join("folder/page.html"), "<p>Hello</p>").unwrap();
        let by_statx = OutputEntries::open(dir.path());
        assert!(by_statx.opened.is_some());
        let other_way = OutputEntries {
            folder: dir.path(),
            opened: None,
        };
        for path in ["folder", "folder/page.html"] {
            let (one, other) = (
                by_statx.stamp(path).unwrap(),
                other_way.stamp(path).unwrap(),
            );
            assert_eq!(
                (one.is_folder, one.is_file, one.changed),
                (other.is_folder, other.is_file, other.changed),
                "{path}"
            );
            assert!(one.changed.is_some());
        }
        let file = by_statx.stamp("folder/page.html").unwrap();
        assert_eq!(file.size, other_way.stamp("folder/page.html").unwrap().size);
        assert_eq!(file.size, 12);
        assert!(by_statx.stamp("missing.html").is_none());
        assert!(other_way.stamp("missing.html").is_none());
    }

    #[test]
    fn a_new_site_replaces_the_old_one_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(
            &out,
            &[file("index.html", "one"), file("old/index.html", "x")],
            "",
        )
        .unwrap();
        write_site(&out, &[file("index.html", "two")], "").unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert!(!out.join("old").exists());
        let mut names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names, [".public.previous", "public"]);
    }

    /// Every file and folder under `dir`, with the bytes of each file.
    fn tree(dir: &Path) -> Vec<(String, Option<Vec<u8>>)> {
        let mut entries: Vec<_> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(|entry| {
                let entry = entry.unwrap();
                let relative = entry.path().strip_prefix(dir).unwrap();
                let bytes = entry
                    .file_type()
                    .is_file()
                    .then(|| fs::read(entry.path()).unwrap());
                (relative.display().to_string(), bytes)
            })
            .filter(|(path, _)| path != RECORD && path != MANIFEST)
            .collect();
        entries.sort();
        entries
    }

    #[cfg(unix)]
    #[test]
    fn the_site_before_last_is_written_over_and_ends_as_a_new_site_would() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let previous = dir.path().join(".public.previous");
        let first = [
            file("index.html", "home"),
            file("kept/index.html", "kept"),
            file("changed/index.html", "before"),
            file("gone/deep/index.html", "gone"),
            file("becomes-a-folder", "file"),
            file("becomes-a-file/index.html", "folder"),
        ];
        let second = [file("index.html", "home 2")];
        let third = [
            file("index.html", "home"),
            file("kept/index.html", "kept"),
            file("changed/index.html", "after"),
            file("becomes-a-folder/index.html", "folder now"),
            file("becomes-a-file", "file now"),
            file("new/a/b/index.html", "new"),
        ];
        write_site(&out, &first, "").unwrap();
        let kept = inode(&out.join("kept/index.html"));
        write_site(&out, &second, "").unwrap();
        assert_eq!(inode(&previous.join("kept/index.html")), kept);
        write_site(&out, &third, "").unwrap();
        assert_eq!(
            inode(&out.join("kept/index.html")),
            kept,
            "not written again"
        );

        let fresh = tempfile::tempdir().unwrap();
        write_site(&fresh.path().join("public"), &third, "").unwrap();
        assert_eq!(tree(&out), tree(&fresh.path().join("public")));
        let second_alone = tempfile::tempdir().unwrap();
        write_site(&second_alone.path().join("public"), &second, "").unwrap();
        assert_eq!(tree(&previous), tree(&second_alone.path().join("public")));
        assert!(
            recorded_build(&out, |_| Some(())).is_some(),
            "the next build sees the site as written"
        );

        // A site before last that was touched by hand is not written over.
        fs::write(previous.join("index.html"), "edited").unwrap();
        fs::create_dir(previous.join("stray")).unwrap();
        write_site(&out, &first, "").unwrap();
        write_site(&out, &third, "").unwrap();
        assert_eq!(tree(&out), tree(&fresh.path().join("public")));
        // Nor is a folder of that name that tellyou did not write.
        fs::remove_dir_all(&previous).unwrap();
        fs::create_dir(&previous).unwrap();
        fs::write(previous.join("thesis.docx"), "precious").unwrap();
        write_site(&out, &first, "").unwrap();
        assert_eq!(fs::read(previous.join("thesis.docx")).unwrap(), b"precious");
    }

    #[cfg(unix)]
    #[test]
    fn a_site_before_last_looked_over_ahead_is_written_over_as_it_would_be_then() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let previous = dir.path().join(".public.previous");
        let first = [file("index.html", "home"), file("kept/index.html", "kept")];
        let second = [file("index.html", "home 2")];
        let third = [
            file("index.html", "home 3"),
            file("kept/index.html", "kept"),
        ];
        let fresh = tempfile::tempdir().unwrap();
        write_site(&fresh.path().join("public"), &third, "").unwrap();
        let write_looked_over = |site: &[OutputFile], looked_over| {
            let fingerprints: Vec<String> = site.iter().map(fingerprint).collect();
            write_site_with(&out, (site, &fingerprints), "", Some(looked_over)).unwrap();
        };
        let go_on = AtomicBool::new(false);

        write_site(&out, &first, "").unwrap();
        let kept = inode(&out.join("kept/index.html"));
        write_site(&out, &second, "").unwrap();
        write_looked_over(&third, SiteBeforeLast::look_over(&out, &go_on));
        assert_eq!(inode(&out.join("kept/index.html")), kept, "written over");
        assert_eq!(tree(&out), tree(&fresh.path().join("public")));

        // One found touched, or not looked over to the end, is not written over.
        write_site(&out, &first, "").unwrap();
        fs::write(previous.join("index.html"), "edited").unwrap();
        let touched = SiteBeforeLast::look_over(&out, &go_on);
        assert_eq!(touched.manifest, None);
        write_looked_over(&third, touched);
        assert_eq!(tree(&out), tree(&fresh.path().join("public")));
        write_site(&out, &first, "").unwrap();
        let stopped = SiteBeforeLast::look_over(&out, &AtomicBool::new(true));
        assert_eq!(stopped.manifest, None);
        // Held by a second name, so that no new file can be given its number.
        fs::hard_link(previous.join("kept/index.html"), dir.path().join("held")).unwrap();
        let kept = inode(&dir.path().join("held"));
        write_looked_over(&third, stopped);
        assert_ne!(inode(&out.join("kept/index.html")), kept, "written anew");
        assert_eq!(tree(&out), tree(&fresh.path().join("public")));
    }

    #[test]
    fn files_in_pieces_empty_files_and_deep_folders_are_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let part = |text: &str| {
            Arc::new(Part {
                id: PartId(blake3::hash(text.as_bytes())),
                bytes: Box::from(text.as_bytes()),
            })
        };
        let own = b"<body><main>M</main></body>".to_vec().into();
        let parts = [
            (6, part("<header>H</header>")),
            (6, part("")),
            (20, part("<header>H</header>")),
        ];
        let body = Body::Parted {
            own,
            parts: Arc::from(parts.map(|(at, part)| (at, Piece::One(part)))),
        };
        let page = OutputFile::made("a/b/c/index.html", body, blake3::hash(b""));
        let site = [page, file("empty.txt", ""), file("a/d/index.html", "d")];
        write_site(&out, &site, "").unwrap();
        assert_eq!(
            fs::read_to_string(out.join("a/b/c/index.html")).unwrap(),
            "<body><header>H</header><main>M</main><header>H</header></body>"
        );
        assert_eq!(fs::read(out.join("empty.txt")).unwrap(), b"");
        assert_eq!(fs::read_to_string(out.join("a/d/index.html")).unwrap(), "d");
    }

    #[cfg(unix)]
    fn inode(path: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(path).unwrap().ino()
    }

    #[cfg(unix)]
    #[test]
    fn the_same_site_again_is_not_written_again_unless_the_output_was_touched() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let site = [file("index.html", "one"), file("a/index.html", "two")];
        write_site(&out, &site, "").unwrap();
        let first = inode(&out.join("index.html"));
        write_site(&out, &site, "").unwrap();
        assert_eq!(inode(&out.join("index.html")), first, "left as it was");

        // A file edited, removed or added by hand means the site is written again.
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        let touch = |path: &Path, text: &str| {
            fs::write(path, text).unwrap();
            fs::File::options()
                .write(true)
                .open(path)
                .unwrap()
                .set_modified(later)
                .unwrap();
        };
        touch(&out.join("a/index.html"), "TWO");
        write_site(&out, &site, "").unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "two");
        fs::remove_file(out.join("index.html")).unwrap();
        write_site(&out, &site, "").unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "one");
        fs::write(out.join("extra.html"), "x").unwrap();
        write_site(&out, &site, "").unwrap();
        assert!(!out.join("extra.html").exists());
        fs::write(out.join("a/extra.html"), "x").unwrap();
        write_site(&out, &site, "").unwrap();
        assert!(!out.join("a/extra.html").exists(), "in a folder as well");
        fs::create_dir_all(out.join("a/b/c")).unwrap();
        write_site(&out, &site, "").unwrap();
        assert!(!out.join("a/b").exists(), "and a folder added");
        fs::remove_dir_all(out.join("a")).unwrap();
        write_site(&out, &site, "").unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "two");

        // Even with the times set back, as copying tools set them.
        let earlier = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        let set_back = |path: &Path| {
            let file = fs::File::open(path).unwrap();
            file.set_modified(earlier).unwrap();
        };
        fs::write(out.join("a/index.html"), "TWO").unwrap();
        set_back(&out.join("a/index.html"));
        write_site(&out, &site, "").unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "two");
        fs::write(out.join("a/restored.html"), "x").unwrap();
        set_back(&out.join("a/restored.html"));
        set_back(&out.join("a"));
        write_site(&out, &site, "").unwrap();
        assert!(!out.join("a/restored.html").exists());

        // The same site with another record keeps its files and takes the record.
        let before = inode(&out.join("index.html"));
        write_site(&out, &site, "second").unwrap();
        assert_eq!(inode(&out.join("index.html")), before);
        let record = |out: &Path| recorded_build(out, |text| Some(text.to_owned()));
        assert_eq!(record(&out).as_deref(), Some("second"));
        assert_eq!(recorded_build(&out, |_| None::<()>), None, "not wanted");
        fs::write(out.join("index.html"), "ONE!").unwrap();
        assert_eq!(record(&out), None, "the output was changed by hand");

        // A different site is written, of course.
        write_site(&out, &[file("index.html", "three")], "").unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "three");
        assert!(!out.join("a").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_file_name_with_a_line_break_is_written_whatever_the_manifest_makes_of_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let odd = [
            file("index.html", "home"),
            file("notes/odd\nname.txt", "odd"),
        ];
        write_site(&out, &odd, "").unwrap();
        write_site(&out, &[file("index.html", "home 2")], "").unwrap();
        write_site(&out, &odd, "").unwrap();
        write_site(&out, &odd, "").unwrap();
        let fresh = tempfile::tempdir().unwrap();
        write_site(&fresh.path().join("public"), &odd, "").unwrap();
        assert_eq!(tree(&out), tree(&fresh.path().join("public")));
    }

    #[test]
    fn a_folder_of_other_files_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("thesis.docx"), "precious").unwrap();
        let error = write_site(dir.path(), &[file("index.html", "x")], "").unwrap_err();
        assert!(matches!(error, OutputError::NotOurs { .. }));
        assert!(dir.path().join("thesis.docx").exists());
    }

    #[test]
    fn output_inside_the_sources_is_refused() {
        let root = Path::new("/project");
        assert!(check_out_dir(root, Path::new("/project/public")).is_ok());
        assert!(check_out_dir(root, Path::new("/elsewhere/site")).is_ok());
        assert!(check_out_dir(root, Path::new("/project")).is_err());
        assert!(check_out_dir(root, Path::new("/project/content")).is_err());
        assert!(check_out_dir(root, Path::new("/project/content/out")).is_err());
        assert!(check_out_dir(root, Path::new("/")).is_err());
    }

    #[test]
    fn paths_cannot_leave_the_output_folder() {
        assert!(is_safe_relative("a/b.html"));
        assert!(!is_safe_relative("../a.html"));
        assert!(!is_safe_relative("/etc/passwd"));
        assert!(!is_safe_relative(""));
    }
}
