//! The body of a file of the cache folder: records in chunks of about [`CHUNK`]
//! bytes. A chunk holds its records, compressed together, and then the bytes its
//! values store apart, compressed on their own, so that they are decompressed only
//! when a value wants them (`stored`). It starts with the length of each, and each
//! one's length once decompressed. A record is a key, the length of its value and
//! of the bytes it stores apart, and the value. A chunk's records are
//! decompressed into a buffer the thread keeps. Uses lz4_flex, rayon and blake3,
//! and `kept_by_thread` and `stored`.

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
    /// The bytes stored apart, compressed, and how long they are once decompressed.
    pub apart: (&'a [u8], usize),
}

/// A record of a chunk: its key, its value, and where the bytes it stores apart
/// are among the chunk's, and how many.
pub(super) struct Record<'a> {
    pub key: blake3::Hash,
    pub value: &'a [u8],
    pub apart: (usize, usize),
}

/// Each chunk of a file's body.
pub(super) fn split_chunks(mut body: &[u8]) -> Option<Vec<Chunk<'_>>> {
    let mut chunks = Vec::new();
    while !body.is_empty() {
        let mut lengths = [0usize; 4];
        for (at, length) in lengths.iter_mut().enumerate() {
            let bytes = body.get(at * 8..at * 8 + 8)?.try_into().ok()?;
            *length = usize::try_from(u64::from_le_bytes(bytes)).ok()?;
        }
        let [length, raw_length, apart_length, apart_raw_length] = lengths;
        let records_end = 32usize.checked_add(length)?;
        let end = records_end.checked_add(apart_length)?;
        chunks.push(Chunk {
            records: (body.get(32..records_end)?, raw_length),
            apart: (body.get(records_end..end)?, apart_raw_length),
        });
        body = &body[end..];
    }
    Some(chunks)
}

/// Each record of a chunk's records, `records`, whose bytes stored apart are
/// `apart_length` in all.
pub(super) fn split_records(mut records: &[u8], apart_length: usize) -> Option<Vec<Record<'_>>> {
    let mut split = Vec::new();
    let mut apart_at = 0usize;
    let length_at = |bytes: &[u8], at: usize| {
        let bytes = bytes.get(at..at + 8)?.try_into().ok()?;
        usize::try_from(u64::from_le_bytes(bytes)).ok()
    };
    while !records.is_empty() {
        let key: [u8; 32] = records.get(..32)?.try_into().ok()?;
        let (length, apart) = (length_at(records, 32)?, length_at(records, 40)?);
        let end = 48usize.checked_add(length)?;
        split.push(Record {
            key: blake3::Hash::from_bytes(key),
            value: records.get(48..end)?,
            apart: (apart_at, apart),
        });
        apart_at = apart_at.checked_add(apart)?;
        records = &records[end..];
    }
    (apart_at == apart_length).then_some(split)
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

/// The block of a chunk's bytes stored apart, for its values to find them in;
/// `None` if it holds none. `Err` if they do not decompress to their length.
pub(super) fn apart_block(chunk: &Chunk) -> Result<Option<std::sync::Arc<stored::Block>>, ()> {
    match chunk.apart {
        ([], 0) => Ok(None),
        (compressed, length) => stored::Block::checked(compressed, length)
            .map(|block| Some(std::sync::Arc::new(block)))
            .ok_or(()),
    }
}
