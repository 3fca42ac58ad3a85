//! The memo kept on disk, so that a run of `build` or `check` finds what the runs
//! before it made. Each stage has files of its own in the cache folder: one for
//! each run that made something new, holding only what it made, and every so often
//! one holding all that the last run used, which replaces the others. A file is
//! written whole beside its place and then renamed into it, so a run killed while
//! writing leaves no part of a file. Each file starts with the format and the
//! program that wrote it: a file another build of tellyou wrote is passed over, and
//! replaced. It ends with a hash of all before it: a file that is damaged, cut short
//! or not a memo at all is reported and passed over, never trusted. When a stage
//! has too many files, the smallest are put together and the larger left as they
//! are, so that a run with little changed writes little. Uses serde with postcard
//! to write values, its body module to lay them out in compressed chunks and to
//! decompress them, blake3 and rayon, and `cache_key`, `processes`, `stored` and
//! `error`.

mod body;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::support::cache_key::KeyMap;
use crate::support::error::{Severity, StageError, plain_io_error};
use crate::support::stored;
use body::{Append, apart_block, compressed_chunks, split_chunks, split_records, with_records};

/// How a file starts, so that any other file is known not to be a memo.
const MAGIC: &[u8; 13] = b"tellyou memo\n";
/// The layout of the file; a new layout is a new number, and older files are
/// passed over.
const FORMAT: u32 = 3;
/// Where the values start: after the magic, the format and the program.
const HEADER: usize = MAGIC.len() + 4 + 32;
const CHECKSUM: usize = 32;
/// The files a stage may have before they are put together into one.
const MOST_FILES: usize = 16;

/// A file of the cache folder that could not be used. None stops a build: what
/// the file held is made again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CacheError {
    #[error("this file in the cache folder is not one tellyou wrote, so it was not used")]
    NotAMemo { file: PathBuf },
    #[error(
        "this cache file is damaged or cut short, so it was not used: what it held is made again"
    )]
    Damaged { file: PathBuf },
    #[error("cannot read this cache file ({reason}), so it was not used")]
    Unreadable { file: PathBuf, reason: String },
    #[error("cannot write the cache here ({reason}): the next run makes again what it would hold")]
    Unwritable { file: PathBuf, reason: String },
}

impl CacheError {
    /// The file, or folder, the error is about.
    pub fn file(&self) -> &Path {
        match self {
            CacheError::NotAMemo { file }
            | CacheError::Damaged { file }
            | CacheError::Unreadable { file, .. }
            | CacheError::Unwritable { file, .. } => file,
        }
    }
}

impl StageError for CacheError {
    fn hint(&self) -> Option<String> {
        Some("the cache folder only makes runs faster: it is safe to delete at any time".into())
    }

    fn severity(&self) -> Severity {
        Severity::Warning
    }
}

/// What one stage's files held, and which files they were.
#[derive(Debug)]
pub struct Read<V> {
    pub values: KeyMap<V>,
    pub files: Files,
    pub problems: Vec<CacheError>,
}

impl<V> Read<V> {
    /// Values made in this run, read from no file.
    pub fn of(values: KeyMap<V>) -> Read<V> {
        Read {
            values,
            files: Files::default(),
            problems: Vec::new(),
        }
    }
}

/// The files a stage's values were read from, for the next write to know what is
/// on disk.
#[derive(Debug, Clone, Default)]
pub struct Files {
    /// Every file of the stage that was there, usable or not.
    paths: Vec<PathBuf>,
    /// How many values the usable files held, counting a value held twice twice.
    values: usize,
    /// Whether a file was passed over, so that the next write replaces them all.
    passed_over: bool,
}

/// What one file held, chunk by chunk, and how many values that is; `None` for a
/// file that another program or stage wrote.
type FileValues<V> = Option<(Vec<ChunkRecords<V>>, usize)>;

/// The records of one chunk of a file: `None` for a value passed over.
type ChunkRecords<V> = Vec<Option<(blake3::Hash, V)>>;

/// The name of a stage's files: its name, in lower case, with `-` between words.
fn file_stem(stage: &str) -> String {
    let words = stage.split(|c: char| !c.is_ascii_alphanumeric());
    let words: Vec<String> = words
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    words.join("-")
}

/// The program and the stage, and the type of the values, which a file must have
/// been written for to be read.
fn written_for<V>(stage: &str) -> blake3::Hash {
    crate::support::cache_key::of([
        crate::support::cache_key::program().as_bytes(),
        stage.as_bytes(),
        std::any::type_name::<V>().as_bytes(),
    ])
}

/// Reads the values of `stage` from its files in `folder`. A folder or stage with
/// no files reads as empty, with no problem.
pub fn read<V: DeserializeOwned + Send>(folder: &Path, stage: &str) -> Read<V> {
    read_files(stage_files(folder, stage), stage)
}

/// The files of `stage` in `folder`, in order.
fn stage_files(folder: &Path, stage: &str) -> Vec<PathBuf> {
    let stem = file_stem(stage);
    let mut paths: Vec<PathBuf> = fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| is_file_of(path, &stem))
        .collect();
    paths.sort();
    paths
}

/// Reads the values of `stage` from the files `paths`.
fn read_files<V: DeserializeOwned + Send>(paths: Vec<PathBuf>, stage: &str) -> Read<V> {
    read_files_as(paths, &written_for::<V>(stage), &|bytes| {
        postcard::from_bytes(bytes)
    })
}

/// The values of `stage`, of type `V`, in the files `paths`, each as it was
/// written, not read, with the bytes it stores apart.
fn read_encoded<V>(paths: Vec<PathBuf>, stage: &str) -> Read<(Vec<u8>, Vec<u8>)> {
    read_files_as(paths, &written_for::<V>(stage), &|bytes| {
        Ok((bytes.to_vec(), stored::stored_bytes_read()))
    })
}

/// The keys of the values of `stage`, of type `V`, in the files `paths`, whose
/// values are not read.
fn read_keys<V>(paths: Vec<PathBuf>, stage: &str) -> Read<()> {
    read_files_as(paths, &written_for::<V>(stage), &|_| Ok(()))
}

/// A value as it was written, and the bytes it stores apart.
type Encoded<'a> = (&'a [u8], &'a [u8]);

/// How a value is read from its bytes.
type Decode<'d, V> = dyn Fn(&[u8]) -> postcard::Result<V> + Sync + 'd;

/// Reads the values of the files `paths`, written for `expected`, each with
/// `decode`.
fn read_files_as<V: Send>(
    paths: Vec<PathBuf>,
    expected: &blake3::Hash,
    decode: &Decode<'_, V>,
) -> Read<V> {
    let files: Vec<Result<FileValues<V>, CacheError>> = paths
        .par_iter()
        .map(|path| read_file(path, expected, decode))
        .collect();
    let mut read = Read {
        values: KeyMap::default(),
        files: Files {
            paths,
            ..Files::default()
        },
        problems: Vec::new(),
    };
    let held = |chunks: &[ChunkRecords<V>]| chunks.iter().flatten().flatten().count();
    let all_held = (files.iter().flatten().flatten())
        .map(|(chunks, _)| held(chunks))
        .sum();
    read.values.reserve(all_held);
    for file in files {
        match file {
            Ok(Some((chunks, records))) => {
                let held = held(&chunks);
                read.files.values += held;
                read.files.passed_over |= held < records;
                read.values.extend(chunks.into_iter().flatten().flatten());
            }
            Ok(None) => read.files.passed_over = true,
            Err(problem) => {
                read.files.passed_over = true;
                read.problems.push(problem);
            }
        }
    }
    read
}

fn is_file_of(path: &Path, stem: &str) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.strip_prefix(stem)
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|rest| rest.ends_with(".memo"))
}

/// The values of one file, and whether any was passed over; `None` for a file that
/// another program or stage wrote.
fn read_file<V: Send>(
    path: &Path,
    expected: &blake3::Hash,
    decode: &Decode<'_, V>,
) -> Result<FileValues<V>, CacheError> {
    let file = path.to_owned();
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        // Another run put the stage's files together meanwhile.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(CacheError::Unreadable {
                file,
                reason: plain_io_error(&e),
            });
        }
    };
    if bytes.len() < HEADER + CHECKSUM || !bytes.starts_with(MAGIC) {
        return Err(CacheError::NotAMemo { file });
    }
    let format = u32::from_le_bytes(bytes[MAGIC.len()..MAGIC.len() + 4].try_into().unwrap());
    if format != FORMAT || &bytes[MAGIC.len() + 4..HEADER] != expected.as_bytes() {
        return Ok(None);
    }
    let (body, checksum) = bytes.split_at(bytes.len() - CHECKSUM);
    let damaged = || CacheError::Damaged {
        file: path.to_owned(),
    };
    if blake3::hash(body).as_bytes() != checksum {
        return Err(damaged());
    }
    let body = HEADER..body.len();
    let file = Arc::new(bytes);
    let chunks = split_chunks(&file, body).ok_or_else(damaged)?;
    let values: Option<Vec<ChunkRecords<V>>> = chunks
        .par_iter()
        .map(|chunk| {
            let block = apart_block(chunk, &file);
            with_records(chunk, |raw| {
                let records = split_records(raw, chunk.apart.1)?;
                (records.par_iter())
                    .map(|record| {
                        let read = || decode(record.value);
                        match stored::reading_from(block.as_ref(), record.apart, read) {
                            Ok(value) => Some(Some((record.key, value))),
                            Err(error) => is_passed_over(&error).then_some(None),
                        }
                    })
                    .collect()
            })?
        })
        .collect();
    let values = values.ok_or_else(damaged)?;
    let records = values.iter().map(Vec::len).sum();
    Ok(Some((values, records)))
}

/// Whether a value that could not be read is passed over, not taken as damage: a
/// value that says it cannot be read, such as a file naming a shared part that
/// was not read ([`crate::support::shared_parts::UNKNOWN_PART`]). What the stage
/// made it from is made again.
fn is_passed_over(error: &postcard::Error) -> bool {
    *error == postcard::Error::SerdeDeCustom
}

/// Writes what a run of `stage` used, `used`, to `folder`, given the `files` it
/// read and whether they hold a key (`held`): only the values no file holds yet, in
/// a file of their own; or, if `may_replace`, as [`rewrite`] says: when the files
/// hold much that was not used, all of `used` in one file that replaces them; when
/// they are too many, what the larger do not hold in one file that replaces the
/// smaller ([`to_put_together`]). The values whose keys are in `order` are
/// written in that order.
pub fn write<'v, V: Serialize + Sync + 'v>(
    folder: &Path,
    (stage, may_replace): (&str, bool),
    files: &Files,
    held: impl Fn(&blake3::Hash) -> bool,
    (used, order): (&[(&blake3::Hash, &'v V)], &[blake3::Hash]),
) -> Result<(), CacheError> {
    let used_held = used.iter().filter(|(key, _)| held(key)).count();
    let how = match may_replace {
        true => rewrite(files, used_held),
        false => Rewrite::Add,
    };
    let (to_write, replaced): (Vec<&(&blake3::Hash, &V)>, Vec<PathBuf>) = match how {
        Rewrite::Add => (
            used.iter().filter(|(key, _)| !held(key)).collect(),
            Vec::new(),
        ),
        Rewrite::PutTogether => {
            let smaller = to_put_together(&files.paths);
            // What the smaller hold is written again; what only the larger hold is
            // left in them.
            let in_smaller = read_keys::<V>(smaller.clone(), stage).values;
            let to_write = (used.iter())
                .filter(|(key, _)| !held(key) || in_smaller.contains_key(*key))
                .collect();
            (to_write, smaller)
        }
        Rewrite::Replace => (used.iter().collect(), files.paths.clone()),
    };
    if !to_write.is_empty() || how == Rewrite::Replace {
        let mut to_write = to_write;
        in_order(&mut to_write, order);
        write_file(folder, stage, &to_write)?;
    }
    for old in replaced {
        let _ = fs::remove_file(old);
    }
    Ok(())
}

/// Sorts `values` as their keys come in `order`, the others after them as they
/// were: values made from inputs side by side are then written, and read, together.
fn in_order<V>(values: &mut [&(&blake3::Hash, &V)], order: &[blake3::Hash]) {
    if order.is_empty() || values.len() < 2 {
        return;
    }
    // A map of the values' keys, not of the whole order: a run that writes a few
    // new values looks each key of the order up in a small map.
    let mut places: KeyMap<usize> = values.iter().map(|(key, _)| (**key, usize::MAX)).collect();
    for (place, key) in order.iter().enumerate() {
        if let Some(found) = places.get_mut(key) {
            *found = (*found).min(place);
        }
    }
    values.sort_by_key(|(key, _)| places.get(*key).copied().unwrap_or(usize::MAX));
}

impl Files {
    /// How many values the usable files held, counting a value held twice twice.
    #[cfg(test)]
    pub fn values(&self) -> usize {
        self.values
    }
}

/// What a write does with the files of a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rewrite {
    /// Writes the values no file holds yet in a file of their own.
    Add,
    /// Puts the smaller files together with the new values, and leaves the larger.
    PutTogether,
    /// Writes all that was used in one file, which replaces them all.
    Replace,
}

/// What a write does with a stage's `files`, of which `used` values were used:
/// replaces them when they hold more that was not used than was, or one was passed
/// over; puts the smaller together when they are too many.
fn rewrite(files: &Files, used: usize) -> Rewrite {
    let unused = files.values.saturating_sub(used);
    if files.passed_over || unused > used {
        Rewrite::Replace
    } else if files.paths.len() >= MOST_FILES {
        Rewrite::PutTogether
    } else {
        Rewrite::Add
    }
}

/// Which of a stage's files `paths` to put together when they are too many: the
/// smallest on disk now, as few as leave half as many files. The large files,
/// which hold most values, are so written again seldom.
fn to_put_together(paths: &[PathBuf]) -> Vec<PathBuf> {
    let size = |path: &PathBuf| fs::metadata(path).map_or(0, |m| m.len());
    let mut by_size: Vec<(u64, &PathBuf)> = paths.iter().map(|path| (size(path), path)).collect();
    by_size.sort();
    // Putting `count` files together into one leaves `MOST_FILES / 2`.
    let count = (paths.len() + 1).saturating_sub(MOST_FILES / 2).max(2);
    by_size.truncate(count);
    by_size.into_iter().map(|(_, path)| path.clone()).collect()
}

/// Tidies the files of `stage` in `folder` as [`rewrite`] says, keeping of what
/// they hold the keys the runs since they were read used, `used`: `files` are those
/// read, holding `values` then, and the runs since only added files. Gives the
/// files that could not be read or written.
pub fn tidy<V: Serialize + DeserializeOwned + Send + Sync>(
    folder: &Path,
    stage: &str,
    (files, values): (&Files, &KeyMap<V>),
    used: &std::collections::HashSet<blake3::Hash>,
) -> Vec<CacheError> {
    let paths_now = stage_files(folder, stage);
    let used_held = values.keys().filter(|key| used.contains(*key)).count();
    let now = Files {
        paths: paths_now.clone(),
        ..files.clone()
    };
    let to_read: Vec<PathBuf> = match rewrite(&now, used_held) {
        Rewrite::Add => return Vec::new(),
        Rewrite::PutTogether => to_put_together(&paths_now),
        Rewrite::Replace => paths_now,
    };
    // Each value is kept as it was written, not read: a page that names shared
    // parts can be read only while they are held.
    let read = read_encoded::<V>(to_read, stage);
    let kept: Vec<(&blake3::Hash, Encoded)> = (read.values.iter())
        .filter(|(key, _)| used.contains(*key))
        .map(|(key, (value, apart))| (key, (&value[..], &apart[..])))
        .collect();
    let mut problems = read.problems.clone();
    match write_encoded(folder, (stage, &written_for::<V>(stage)), &kept) {
        Ok(()) => read.files.paths.iter().for_each(|old| {
            let _ = fs::remove_file(old);
        }),
        Err(problem) => problems.push(problem),
    }
    problems
}

/// Writes `values` in a new file of `stage` in `folder`.
fn write_file<V: Serialize + Sync>(
    folder: &Path,
    stage: &str,
    values: &[&(&blake3::Hash, &V)],
) -> Result<(), CacheError> {
    let keys: Vec<&blake3::Hash> = values.iter().map(|(key, _)| *key).collect();
    let encode: &Append =
        &|index, raw, apart| stored::apart(apart, || postcard::to_io(values[index].1, raw).is_ok());
    write_records(folder, (stage, &written_for::<V>(stage)), (&keys, encode))
}

/// Writes the values `encoded`, each as written already, in a new file of `stage`,
/// whose values are written for `written_for`, in `folder`.
fn write_encoded(
    folder: &Path,
    (stage, written_for): (&str, &blake3::Hash),
    encoded: &[(&blake3::Hash, Encoded)],
) -> Result<(), CacheError> {
    let keys: Vec<&blake3::Hash> = encoded.iter().map(|(key, _)| *key).collect();
    let copy: &Append = &|index, raw, apart| {
        let (value, stored_apart) = encoded[index].1;
        raw.extend_from_slice(value);
        apart.extend_from_slice(stored_apart);
        true
    };
    write_records(folder, (stage, written_for), (&keys, copy))
}

/// Writes a new file of `stage` in `folder`, whose values are written for
/// `written_for`, with a record for each of `keys`, whose value `append` writes.
fn write_records(
    folder: &Path,
    (stage, written_for): (&str, &blake3::Hash),
    (keys, append): (&[&blake3::Hash], &Append),
) -> Result<(), CacheError> {
    let stem = file_stem(stage);
    let unwritable = |file: &Path, e: std::io::Error| CacheError::Unwritable {
        file: file.to_owned(),
        reason: plain_io_error(&e),
    };
    fs::create_dir_all(folder).map_err(|e| unwritable(folder, e))?;
    let name = format!("{stem}.{}.memo", unique_suffix());
    let path = folder.join(&name);
    let chunks = compressed_chunks(keys, append);
    let mut header = Vec::with_capacity(HEADER);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&FORMAT.to_le_bytes());
    header.extend_from_slice(written_for.as_bytes());
    let mut pieces: Vec<&[u8]> = std::iter::once(&header[..])
        .chain(chunks.iter().map(|chunk| &chunk[..]))
        .collect();
    let mut checksum = blake3::Hasher::new();
    for piece in &pieces {
        checksum.update(piece);
    }
    let checksum = checksum.finalize();
    pieces.push(checksum.as_bytes());
    let temporary = folder.join(format!(".{name}.{}.tmp", std::process::id()));
    write_whole(&temporary, &path, &pieces).map_err(|e| unwritable(&path, e))
}

/// A name no other file of the folder has: the time, the process, and a count of
/// the files this process has named.
fn unique_suffix() -> String {
    static NAMED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let count = NAMED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("{:x}-{:x}-{count:x}", since.as_nanos(), std::process::id())
}

/// Writes `pieces`, one after the other, to `temporary`, then renames it to `path`.
fn write_whole(temporary: &Path, path: &Path, pieces: &[&[u8]]) -> std::io::Result<()> {
    let result = fs::File::create(temporary)
        .and_then(|mut file| pieces.iter().try_for_each(|piece| file.write_all(piece)))
        .and_then(|()| fs::rename(temporary, path));
    if result.is_err() {
        let _ = fs::remove_file(temporary);
    }
    result
}

/// Removes the files that runs killed while writing left in `folder`.
pub fn remove_killed_writes(folder: &Path) {
    let entries = fs::read_dir(folder).into_iter().flatten().flatten();
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_suffix(".tmp").and_then(|n| n.rsplit('.').next()) else {
            continue;
        };
        if !crate::support::processes::is_running(pid) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::body::CHUNK;
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> Vec<(blake3::Hash, String)> {
        (pairs.iter())
            .map(|(k, v)| (blake3::hash(k.as_bytes()), v.to_string()))
            .collect()
    }

    fn write_all(folder: &Path, files: &Files, values: &[(blake3::Hash, String)]) {
        let used: Vec<_> = values.iter().map(|(k, v)| (k, v)).collect();
        write(folder, ("a stage", true), files, |_| false, (&used, &[])).unwrap();
    }

    /// A folder whose one file of the stage holds "a" and "b", and what it reads as.
    fn folder_holding_a_and_b() -> (tempfile::TempDir, Read<String>) {
        let folder = tempfile::tempdir().unwrap();
        let written = values(&[("a", "A"), ("b", "B")]);
        write_all(folder.path(), &Files::default(), &written);
        let read = read::<String>(folder.path(), "a stage");
        (folder, read)
    }

    /// Writes what a run that used `used` made, after the run that read `before`.
    fn write_after(folder: &Path, before: &Read<String>, used: &[(&str, &str)], replace: bool) {
        let used = values(used);
        let pairs: Vec<_> = used.iter().map(|(k, v)| (k, v)).collect();
        let held = |key: &blake3::Hash| before.values.contains_key(key);
        write(
            folder,
            ("a stage", replace),
            &before.files,
            held,
            (&pairs, &[]),
        )
        .unwrap();
    }

    fn only_file(folder: &Path) -> PathBuf {
        let files: Vec<_> = fs::read_dir(folder).unwrap().flatten().collect();
        assert_eq!(files.len(), 1);
        files[0].path()
    }

    #[test]
    fn values_are_written_in_the_order_their_inputs_came_the_rest_after() {
        let written = values(&[("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")]);
        let pairs: Vec<(&blake3::Hash, &String)> = written.iter().map(|(k, v)| (k, v)).collect();
        let mut to_write: Vec<&(&blake3::Hash, &String)> = pairs.iter().collect();
        in_order(&mut to_write, &[written[3].0, written[1].0]);
        let order: Vec<&str> = to_write.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(order, ["D", "B", "A", "C"]);
        in_order(&mut to_write, &[]);
        let unchanged: Vec<&str> = to_write.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(unchanged, order);
    }

    #[test]
    fn what_a_run_writes_the_next_reads() {
        let folder = tempfile::tempdir().unwrap();
        let written = values(&[("a", "A"), ("b", "B")]);
        write_all(folder.path(), &Files::default(), &written);
        let found = read::<String>(folder.path(), "a stage");
        assert!(found.problems.is_empty());
        assert_eq!(found.values.len(), 2);
        assert_eq!(found.values[&blake3::hash(b"a")], "A");
        assert!(
            read::<String>(folder.path(), "another stage")
                .values
                .is_empty()
        );
    }

    #[test]
    fn values_that_fill_many_chunks_are_each_read_back_and_so_is_no_value() {
        let folder = tempfile::tempdir().unwrap();
        let written: Vec<(blake3::Hash, String)> = (0..40)
            .map(|n| {
                (
                    blake3::hash(&[n]),
                    format!("{n} ").repeat(CHUNK / 6 + n as usize),
                )
            })
            .collect();
        write_all(folder.path(), &Files::default(), &written);
        let bytes = fs::read(only_file(folder.path())).unwrap();
        let body = HEADER..bytes.len() - CHECKSUM;
        assert!(split_chunks(&bytes, body).unwrap().len() > 4 * rayon::current_num_threads());
        let found = read::<String>(folder.path(), "a stage");
        assert!(found.problems.is_empty());
        assert_eq!(found.values.len(), written.len());
        for (key, value) in &written {
            assert_eq!(&found.values[key], value);
        }

        let empty = tempfile::tempdir().unwrap();
        let written_for = written_for::<String>("a stage");
        write_encoded(empty.path(), ("a stage", &written_for), &[]).unwrap();
        let found = read::<String>(empty.path(), "a stage");
        assert!(found.problems.is_empty());
        assert!(found.values.is_empty());
        assert_eq!(found.files.paths.len(), 1);
    }

    #[test]
    fn a_file_of_another_program_or_type_is_passed_over_quietly() {
        let folder = tempfile::tempdir().unwrap();
        write_all(folder.path(), &Files::default(), &values(&[("a", "A")]));
        let found = read::<Vec<u8>>(folder.path(), "a stage");
        assert!(found.values.is_empty() && found.problems.is_empty() && found.files.passed_over);
        // As if another version of tellyou had written it: the program differs.
        let path = only_file(folder.path());
        let mut bytes = fs::read(&path).unwrap();
        bytes[MAGIC.len() + 4] ^= 1;
        fs::write(&path, bytes).unwrap();
        let found = read::<String>(folder.path(), "a stage");
        assert!(found.values.is_empty() && found.problems.is_empty() && found.files.passed_over);
    }

    #[test]
    fn a_damaged_cut_short_or_foreign_file_is_a_problem_and_not_read() {
        let folder = tempfile::tempdir().unwrap();
        write_all(folder.path(), &Files::default(), &values(&[("a", "A")]));
        let path = only_file(folder.path());
        let good = fs::read(&path).unwrap();
        let mut flipped = good.clone();
        flipped[HEADER + 41] ^= 1;
        let damaged = CacheError::Damaged { file: path.clone() };
        let cases = [
            (flipped, damaged.clone()),
            (good[..good.len() - 3].to_vec(), damaged),
            (
                b"garbage".repeat(20),
                CacheError::NotAMemo { file: path.clone() },
            ),
        ];
        for (bytes, problem) in cases {
            fs::write(&path, bytes).unwrap();
            let found = read::<String>(folder.path(), "a stage");
            assert!(found.values.is_empty());
            assert_eq!(found.problems, [problem]);
        }
    }

    #[test]
    fn a_run_adds_what_it_made_and_puts_the_files_together_when_most_is_unused() {
        let (folder, first) = folder_holding_a_and_b();
        // One new value: a second file holds it alone.
        write_after(folder.path(), &first, &[("a", "A"), ("c", "C")], true);
        let second = read::<String>(folder.path(), "a stage");
        assert_eq!((second.files.paths.len(), second.values.len()), (2, 3));
        // Only one value of three used: one file holds it, and the others are gone.
        write_after(folder.path(), &second, &[("a", "A")], true);
        let third = read::<String>(folder.path(), "a stage");
        assert_eq!((third.files.paths.len(), third.values.len()), (1, 1));
    }

    #[test]
    fn tidying_after_runs_that_only_added_keeps_what_they_used_in_one_file() {
        let (folder, first) = folder_holding_a_and_b();
        write_after(folder.path(), &first, &[("c", "C")], false);
        // "a" and "c" were used: the files are worth keeping as they are.
        let used = [blake3::hash(b"a"), blake3::hash(b"c")]
            .into_iter()
            .collect();
        let on_disk = (&first.files, &first.values);
        assert!(tidy::<String>(folder.path(), "a stage", on_disk, &used).is_empty());
        assert_eq!(
            read::<String>(folder.path(), "a stage").files.paths.len(),
            2
        );
        // Only "c": most of what the first file holds went unused.
        let used = [blake3::hash(b"c")].into_iter().collect();
        assert!(tidy::<String>(folder.path(), "a stage", on_disk, &used).is_empty());
        let tidied = read::<String>(folder.path(), "a stage");
        assert_eq!((tidied.files.paths.len(), tidied.values.len()), (1, 1));
        assert_eq!(tidied.values[&blake3::hash(b"c")], "C");
    }

    /// A folder whose largest file holds "a" and "b" and the rest one new value
    /// each, from runs that each used all before and made one: as many files as
    /// a stage may have.
    fn folder_of_many_small_files(replace: bool) -> (tempfile::TempDir, PathBuf) {
        let folder = tempfile::tempdir().unwrap();
        let big = "B".repeat(1000);
        write_all(
            folder.path(),
            &Files::default(),
            &values(&[("a", "A"), ("b", &big)]),
        );
        let largest = only_file(folder.path());
        let news: Vec<String> = (1..MOST_FILES).map(|run| format!("new {run}")).collect();
        for run in 1..MOST_FILES {
            let before = read::<String>(folder.path(), "a stage");
            let mut used = vec![("a", "A"), ("b", &big[..])];
            used.extend(news[..run].iter().map(|new| (&new[..], "N")));
            write_after(folder.path(), &before, &used, replace);
        }
        (folder, largest)
    }

    #[test]
    fn too_many_files_are_put_together_smallest_first() {
        let (folder, largest) = folder_of_many_small_files(true);
        let before = read::<String>(folder.path(), "a stage");
        assert_eq!(before.files.paths.len(), MOST_FILES);

        let big = "B".repeat(1000);
        let news: Vec<String> = (2..MOST_FILES).map(|run| format!("new {run}")).collect();
        let mut used = vec![("a", "A"), ("b", &big[..]), ("c", "C")];
        used.extend(news.iter().map(|new| (&new[..], "N")));
        write_after(folder.path(), &before, &used, true);
        let after = read::<String>(folder.path(), "a stage");
        assert_eq!(after.files.paths.len(), MOST_FILES / 2);
        assert!(after.files.paths.contains(&largest));
        for (key, value) in used {
            assert_eq!(after.values[&blake3::hash(key.as_bytes())], value);
        }
    }

    #[test]
    fn tidying_puts_too_many_files_together_smallest_first() {
        let (folder, largest) = folder_of_many_small_files(false);
        let first = read::<String>(folder.path(), "a stage");
        // All but one of the runs' new values were used again.
        let mut used: std::collections::HashSet<_> = first.values.keys().copied().collect();
        used.remove(&blake3::hash(b"new 1"));
        let on_disk = (&first.files, &first.values);
        assert!(tidy::<String>(folder.path(), "a stage", on_disk, &used).is_empty());
        let tidied = read::<String>(folder.path(), "a stage");
        assert_eq!(tidied.files.paths.len(), MOST_FILES / 2);
        assert!(tidied.files.paths.contains(&largest));
        assert!(used.iter().all(|key| tidied.values.contains_key(key)));
    }

    /// A value that says it cannot be read when it is "unreadable", as a page
    /// naming a shared part that was not read does.
    #[derive(Debug, serde::Serialize)]
    struct Refusing(String);

    impl<'de> serde::Deserialize<'de> for Refusing {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Refusing, D::Error> {
            match String::deserialize(d)? {
                text if text == "unreadable" => Err(serde::de::Error::custom("cannot")),
                text => Ok(Refusing(text)),
            }
        }
    }

    /// A folder whose one file of the stage holds `pairs`, as [`Refusing`] values.
    fn folder_refusing(pairs: &[(&str, &str)]) -> tempfile::TempDir {
        let folder = tempfile::tempdir().unwrap();
        let written: Vec<_> = (values(pairs).into_iter())
            .map(|(key, text)| (key, Refusing(text)))
            .collect();
        let used: Vec<_> = written.iter().map(|(k, v)| (k, v)).collect();
        let files = Files::default();
        write(
            folder.path(),
            ("a stage", true),
            &files,
            |_| false,
            (&used, &[]),
        )
        .unwrap();
        folder
    }

    #[test]
    fn a_value_that_cannot_be_read_is_passed_over_and_the_rest_read() {
        let folder = folder_refusing(&[("a", "A"), ("b", "unreadable")]);
        let found = read::<Refusing>(folder.path(), "a stage");
        assert!(found.problems.is_empty());
        assert_eq!(found.values.len(), 1);
        assert_eq!(found.values[&blake3::hash(b"a")].0, "A");
        assert!(found.files.passed_over, "the next write replaces the file");
    }

    #[test]
    fn tidying_keeps_each_value_as_written_even_one_it_could_not_read_now() {
        let folder = folder_refusing(&[("a", "A"), ("b", "unreadable"), ("c", "C")]);
        let first = read::<Refusing>(folder.path(), "a stage");
        assert!(first.files.passed_over, "so tidying replaces the file");
        let used = [blake3::hash(b"a"), blake3::hash(b"b")]
            .into_iter()
            .collect();
        let on_disk = (&first.files, &first.values);
        assert!(tidy::<Refusing>(folder.path(), "a stage", on_disk, &used).is_empty());
        let raw = read_encoded::<Refusing>(stage_files(folder.path(), "a stage"), "a stage");
        assert_eq!(raw.files.paths.len(), 1);
        let keys: std::collections::HashSet<_> = raw.values.keys().copied().collect();
        assert_eq!(keys, used);
    }

    /// A value holding text that the cache keeps apart.
    type WithText = (u32, crate::support::stored::StoredText);

    #[test]
    fn text_kept_apart_reads_back_after_its_file_is_written_again_or_tidied() {
        let folder = tempfile::tempdir().unwrap();
        let written: Vec<(blake3::Hash, WithText)> = (0..60u8)
            .map(|n| {
                let text = format!("page {n} ").repeat(usize::from(n) * 2000);
                (blake3::hash(&[n]), (u32::from(n), text.into()))
            })
            .collect();
        let reads_as_written = |folder: &Path, count: usize| {
            let found = read::<WithText>(folder, "a stage");
            assert!(found.problems.is_empty() && !found.files.passed_over);
            assert_eq!(found.values.len(), count);
            for (key, value) in &written[..count] {
                assert_eq!(&found.values[key], value);
            }
            found
        };
        let used: Vec<_> = written.iter().map(|(k, v)| (k, v)).collect();
        write(
            folder.path(),
            ("a stage", true),
            &Files::default(),
            |_| false,
            (&used, &[]),
        )
        .unwrap();
        let first = reads_as_written(folder.path(), 60);
        // Written again from what was read, their text not yet decompressed.
        let again: Vec<_> = (written[..20].iter())
            .map(|(key, _)| (key, &first.values[key]))
            .collect();
        write(
            folder.path(),
            ("a stage", true),
            &first.files,
            |_| true,
            (&again, &[]),
        )
        .unwrap();
        let second = reads_as_written(folder.path(), 20);
        // Tidied, most unused: what was used is kept as written, with the bytes
        // it keeps apart, in one file.
        let used = written[..8].iter().map(|(key, _)| *key).collect();
        let on_disk = (&second.files, &second.values);
        assert!(tidy::<WithText>(folder.path(), "a stage", on_disk, &used).is_empty());
        assert_eq!(reads_as_written(folder.path(), 8).files.paths.len(), 1);
    }

    #[test]
    fn a_file_whose_bytes_kept_apart_are_not_as_long_as_it_says_is_damaged() {
        let folder = tempfile::tempdir().unwrap();
        let value: WithText = (1, "Crying is how your baby talks to you.".into());
        let key = blake3::hash(b"a");
        write(
            folder.path(),
            ("a stage", true),
            &Files::default(),
            |_| false,
            (&[(&key, &value)], &[]),
        )
        .unwrap();
        let path = only_file(folder.path());
        let good = fs::read(&path).unwrap();
        assert_eq!(
            read::<WithText>(folder.path(), "a stage").values[&key],
            value
        );
        // The length of the chunk's bytes kept apart, once decompressed, one more,
        // in a file whose checksum is made again to pass.
        let mut longer = good[..good.len() - CHECKSUM].to_vec();
        longer[HEADER + 24] += 1;
        let checksum = blake3::hash(&longer);
        longer.extend_from_slice(checksum.as_bytes());
        fs::write(&path, longer).unwrap();
        let found = read::<WithText>(folder.path(), "a stage");
        assert!(found.values.is_empty());
        assert_eq!(found.problems, [CacheError::Damaged { file: path }]);
    }

    #[test]
    fn stage_names_make_file_names() {
        assert_eq!(file_stem("HTML check: read pages"), "html-check-read-pages");
    }
}
