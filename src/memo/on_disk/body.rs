//! The body of a file of the cache folder: records in chunks of about [`CHUNK`]
//! bytes. A chunk holds its records, compressed together, and then the bytes its
//! values store apart, compressed on their own, so that they are decompressed only
//! when a value wants them (`stored`). It starts with the length of each, and each
//! one's length once decompressed. A record is a key, the length of its value and
//! of the bytes it stores apart, and the value. A chunk's records are
//! decompressed into a buffer the thread keeps. Uses lz4_flex, rayon and blake3,
//! and `kept_by_thread` and `stored`.

use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use crate::support::kept_by_thread::with_kept;
use crate::support::stored;

/// About how many bytes of values are compressed together.
pub(super) const CHUNK: usize = 1 << 20;

/// Appends the value of the record at a place to a chunk's bytes, and the bytes it
/// stores apart to the chunk's bytes apart; says whether it could.
pub(super) type Append<'a> = dyn Fn(usize, &mut Vec<u8>, &mut Vec<u8>) -> bool + Sync + 'a;

/// A chunk of a file's body, as written.
pub(super) struct Chunk<'a> {
    /// The records, compressed, and how long they are once decompressed.
    pub records: (&'a [u8], usize),
    /// Where in the file the bytes stored apart are, compressed, and how long they
    /// are once decompressed.
    pub apart: (Range<usize>, usize),
}

/// A record of a chunk: its key, its value, and where the bytes it stores apart
/// are among the chunk's, and how many.
pub(super) struct Record<'a> {
    pub key: blake3::Hash,
    pub value: &'a [u8],
    pub apart: (usize, usize),
}

/// Each chunk of the body of `file`, which is the bytes of `body`.
pub(super) fn split_chunks(file: &[u8], body: Range<usize>) -> Option<Vec<Chunk<'_>>> {
    let mut chunks = Vec::new();
    let mut at = body.start;
    while at < body.end {
        let mut lengths = [0usize; 4];
        for (place, length) in lengths.iter_mut().enumerate() {
            let start = at.checked_add(place * 8)?;
            let bytes = file.get(start..start + 8)?.try_into().ok()?;
            *length = usize::try_from(u64::from_le_bytes(bytes)).ok()?;
        }
        let [length, raw_length, apart_length, apart_raw_length] = lengths;
        let records = at + 32..(at + 32).checked_add(length)?;
        let apart = records.end..records.end.checked_add(apart_length)?;
        if apart.end > body.end {
            return None;
        }
        at = apart.end;
        chunks.push(Chunk {
            records: (&file[records], raw_length),
            apart: (apart, apart_raw_length),
        });
    }
    Some(chunks)
}

/// Each record of a chunk's records, `records`, whose bytes stored apart are
/// `apart_length` in all.
pub(super) fn split_records(records: &[u8], apart_length: usize) -> Option<Vec<Record<'_>>> {
    // Counted first, so that the list is made once, at its size: a chunk can
    // hold many thousands.
    let mut split = Vec::with_capacity(each_record(records).count());
    let mut apart_at = 0usize;
    for record in each_record(records) {
        let (key, value, apart) = record?;
        split.push(Record {
            key: blake3::Hash::from_bytes(key),
            value,
            apart: (apart_at, apart),
        });
        apart_at = apart_at.checked_add(apart)?;
    }
    (apart_at == apart_length).then_some(split)
}

/// Each record of `records`, as its key, its value and how many bytes it stores
/// apart; `None`, last, where one is cut short.
fn each_record(mut records: &[u8]) -> impl Iterator<Item = Option<([u8; 32], &[u8], usize)>> {
    let length_at = |bytes: &[u8], at: usize| {
        let bytes = bytes.get(at..at + 8)?.try_into().ok()?;
        usize::try_from(u64::from_le_bytes(bytes)).ok()
    };
    std::iter::from_fn(move || {
        if records.is_empty() {
            return None;
        }
        let record = (|| {
            let key: [u8; 32] = records.get(..32)?.try_into().ok()?;
            let (length, apart) = (length_at(records, 32)?, length_at(records, 40)?);
            let end = 48usize.checked_add(length)?;
            let value = records.get(48..end)?;
            records = &records[end..];
            Some((key, value, apart))
        })();
        if record.is_none() {
            records = &[];
        }
        Some(record)
    })
}

/// The body of a file holding a record for each of `keys`, whose value `append`
/// writes: chunks of about [`CHUNK`] bytes of records and of bytes stored apart,
/// so that pages that have much in common are compressed together, and chunks are
/// read in parallel. The records are encoded and compressed a run at a time on
/// rayon's threads, each into buffers that the thread keeps for the next run, so
/// that no more than a chunk of each run is held uncompressed.
pub(super) fn compressed_chunks(keys: &[&blake3::Hash], append: &Append) -> Vec<Vec<u8>> {
    let run = keys.len().div_ceil(4 * rayon::current_num_threads()).max(1);
    let runs: Vec<Vec<Vec<u8>>> = (keys.par_chunks(run).enumerate())
        .map(|(number, keys)| {
            with_kept(&CHUNK_BUFFERS, |buffers| {
                encoded_run(buffers, keys, |place, raw, apart| {
                    append(number * run + place, raw, apart)
                })
            })
        })
        .collect();
    match runs.is_empty() {
        true => vec![compressed_chunk((&[], &[]), &mut Default::default())],
        false => runs.into_iter().flatten().collect(),
    }
}

/// The compressed chunks of a run of records for `keys`, whose values `append`
/// writes by their place in the run, made in `buffers`.
fn encoded_run(
    buffers: &mut ChunkBuffers,
    keys: &[&blake3::Hash],
    append: impl Fn(usize, &mut Vec<u8>, &mut Vec<u8>) -> bool,
) -> Vec<Vec<u8>> {
    buffers.make_room();
    let ChunkBuffers {
        raw,
        apart,
        compressed,
    } = buffers;
    let mut chunks = Vec::new();
    for (place, key) in keys.iter().enumerate() {
        raw.extend_from_slice(key.as_bytes());
        let length_at = raw.len();
        raw.extend_from_slice(&[0; 16]);
        let apart_at = apart.len();
        // A value that cannot be written is written empty, and not read as one.
        if !append(place, raw, apart) {
            raw.truncate(length_at + 16);
            apart.truncate(apart_at);
        }
        let length = (raw.len() - length_at - 16) as u64;
        let apart_length = (apart.len() - apart_at) as u64;
        raw[length_at..length_at + 8].copy_from_slice(&length.to_le_bytes());
        raw[length_at + 8..length_at + 16].copy_from_slice(&apart_length.to_le_bytes());
        if raw.len() + apart.len() >= CHUNK || place + 1 == keys.len() {
            chunks.push(compressed_chunk((raw, apart), compressed));
            raw.clear();
            apart.clear();
        }
    }
    chunks
}

/// The buffers a thread encodes a chunk's records and bytes stored apart into and
/// compresses them into, kept by the thread from one run to the next and from one
/// stage's file to the next.
#[derive(Default)]
struct ChunkBuffers {
    raw: Vec<u8>,
    apart: Vec<u8>,
    compressed: [Vec<u8>; 2],
}

thread_local! {
    static CHUNK_BUFFERS: std::cell::Cell<ChunkBuffers> = std::cell::Cell::default();
}

impl ChunkBuffers {
    /// Empties the buffers, with room for all but the largest values at once, so
    /// that they are not moved as they grow to their size.
    fn make_room(&mut self) {
        for buffer in [&mut self.raw, &mut self.apart] {
            buffer.clear();
            buffer.reserve(CHUNK + CHUNK / 4);
        }
        let compressed = lz4_flex::block::get_maximum_output_size(CHUNK + CHUNK / 4);
        for buffer in &mut self.compressed {
            buffer.reserve(compressed.saturating_sub(buffer.len()));
        }
    }
}

/// The chunk of the records `raw` and the bytes stored apart `apart`, each
/// compressed, after their lengths, using `buffers` to compress into: made to its
/// size, as a chunk is held until its file is written.
fn compressed_chunk((raw, apart): (&[u8], &[u8]), buffers: &mut [Vec<u8>; 2]) -> Vec<u8> {
    let [for_raw, for_apart] = buffers;
    let (raw_compressed, apart_compressed) =
        (compressed(raw, for_raw), compressed(apart, for_apart));
    let mut chunk = Vec::with_capacity(32 + raw_compressed.len() + apart_compressed.len());
    for (bytes, compressed) in [(raw, raw_compressed), (apart, apart_compressed)] {
        chunk.extend_from_slice(&(compressed.len() as u64).to_le_bytes());
        chunk.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    }
    chunk.extend_from_slice(raw_compressed);
    chunk.extend_from_slice(apart_compressed);
    chunk
}

/// `bytes` compressed, in `buffer`; nothing for no bytes.
fn compressed<'b>(bytes: &[u8], buffer: &'b mut Vec<u8>) -> &'b [u8] {
    if bytes.is_empty() {
        return &[];
    }
    buffer.resize(lz4_flex::block::get_maximum_output_size(bytes.len()), 0);
    match lz4_flex::block::compress_into(bytes, buffer) {
        Ok(length) => &buffer[..length],
        Err(_) => {
            *buffer = lz4_flex::block::compress(bytes);
            &buffer[..]
        }
    }
}

/// Calls `read` with `chunk`'s records, decompressed into a buffer the thread
/// keeps; `None` if they do not decompress to their length.
pub(super) fn with_records<R>(chunk: &Chunk, read: impl FnOnce(&[u8]) -> R) -> Option<R> {
    stored::with_decompressed(chunk.records, read)
}

/// The block of a chunk's bytes stored apart, in `file`, for its values to find
/// them in; `None` if it holds none.
pub(super) fn apart_block(chunk: &Chunk, file: &Arc<Vec<u8>>) -> Option<Arc<stored::Block>> {
    let (compressed, length) = &chunk.apart;
    (*length > 0).then(|| Arc::new(stored::Block::new(file, compressed.clone(), *length)))
}
