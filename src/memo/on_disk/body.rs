//! The body of a file of the cache folder: records, each a key, the length of
//! its value and the value, in chunks of about [`CHUNK`] bytes, each compressed on
//! its own and starting with its length and its length once decompressed. Uses
//! lz4_flex to compress, rayon and blake3, and `kept_by_thread`.

use rayon::prelude::*;

use crate::support::kept_by_thread::with_kept;

/// About how many bytes of values are compressed together.
pub(super) const CHUNK: usize = 1 << 20;

/// Appends the value of the record at a place to a chunk's bytes; says whether it
/// could.
pub(super) type Append<'a> = dyn Fn(usize, &mut Vec<u8>) -> bool + Sync + 'a;

/// Each chunk of a file's body, compressed on its own: how long it is once
/// decompressed, and its bytes.
pub(super) fn split_chunks(mut body: &[u8]) -> Option<Vec<(usize, &[u8])>> {
    let mut chunks = Vec::new();
    while !body.is_empty() {
        let length = usize::try_from(u64::from_le_bytes(body.get(..8)?.try_into().ok()?)).ok()?;
        let raw_length = u64::from_le_bytes(body.get(8..16)?.try_into().ok()?);
        let end = 16usize.checked_add(length)?;
        chunks.push((usize::try_from(raw_length).ok()?, body.get(16..end)?));
        body = &body[end..];
    }
    Some(chunks)
}

/// Each record of a file's body: a key, the length of its value, and the value.
pub(super) fn split_records(mut body: &[u8]) -> Option<Vec<(blake3::Hash, &[u8])>> {
    let mut records = Vec::new();
    while !body.is_empty() {
        let key: [u8; 32] = body.get(..32)?.try_into().ok()?;
        let length = u64::from_le_bytes(body.get(32..40)?.try_into().ok()?);
        let end = 40usize.checked_add(usize::try_from(length).ok()?)?;
        records.push((blake3::Hash::from_bytes(key), body.get(40..end)?));
        body = &body[end..];
    }
    Some(records)
}

/// The body of a file holding a record for each of `keys`, whose value `append`
/// writes: chunks of about [`CHUNK`] bytes of records, each compressed on its own,
/// so that pages that have much in common are compressed together, and chunks are
/// read in parallel. Each chunk starts with its length and its length once
/// decompressed. The records are encoded and compressed a run at a time on rayon's
/// threads, each into buffers that the thread keeps for the next run, so that no
/// more than a chunk of each run is held uncompressed.
pub(super) fn compressed_chunks(keys: &[&blake3::Hash], append: &Append) -> Vec<Vec<u8>> {
    let run = keys.len().div_ceil(4 * rayon::current_num_threads()).max(1);
    let runs: Vec<Vec<Vec<u8>>> = (keys.par_chunks(run).enumerate())
        .map(|(number, keys)| {
            with_kept(&CHUNK_BUFFERS, |buffers| {
                encoded_run(buffers, keys, |place, raw| {
                    append(number * run + place, raw)
                })
            })
        })
        .collect();
    match runs.is_empty() {
        true => vec![compressed_chunk(&[], &mut Vec::new())],
        false => runs.into_iter().flatten().collect(),
    }
}

/// The compressed chunks of a run of records for `keys`, whose values `append`
/// writes by their place in the run, made in `buffers`.
fn encoded_run(
    buffers: &mut ChunkBuffers,
    keys: &[&blake3::Hash],
    append: impl Fn(usize, &mut Vec<u8>) -> bool,
) -> Vec<Vec<u8>> {
    buffers.make_room();
    let ChunkBuffers { raw, compressed } = buffers;
    let mut chunks = Vec::new();
    for (place, key) in keys.iter().enumerate() {
        raw.extend_from_slice(key.as_bytes());
        let length_at = raw.len();
        raw.extend_from_slice(&0u64.to_le_bytes());
        // A value that cannot be written is written empty, and not read as one.
        if !append(place, raw) {
            raw.truncate(length_at + 8);
        }
        let length = (raw.len() - length_at - 8) as u64;
        raw[length_at..length_at + 8].copy_from_slice(&length.to_le_bytes());
        if raw.len() >= CHUNK || place + 1 == keys.len() {
            chunks.push(compressed_chunk(raw, compressed));
            raw.clear();
        }
    }
    chunks
}

/// The buffers a thread encodes a chunk's records into and compresses them into,
/// kept by the thread from one run to the next and from one stage's file to the
/// next.
#[derive(Default)]
struct ChunkBuffers {
    raw: Vec<u8>,
    compressed: Vec<u8>,
}

thread_local! {
    static CHUNK_BUFFERS: std::cell::Cell<ChunkBuffers> = std::cell::Cell::default();
}

impl ChunkBuffers {
    /// Empties the buffers, with room for all but the largest values at once, so
    /// that they are not moved as they grow to their size.
    fn make_room(&mut self) {
        self.raw.clear();
        self.raw.reserve(CHUNK + CHUNK / 4);
        let compressed = lz4_flex::block::get_maximum_output_size(CHUNK + CHUNK / 4);
        let more = compressed.saturating_sub(self.compressed.len());
        self.compressed.reserve(more);
    }
}

/// `raw` compressed, after its length and its length once decompressed, using
/// `buffer` to compress it into.
fn compressed_chunk(raw: &[u8], buffer: &mut Vec<u8>) -> Vec<u8> {
    buffer.resize(lz4_flex::block::get_maximum_output_size(raw.len()), 0);
    let compressed = match lz4_flex::block::compress_into(raw, buffer) {
        Ok(length) => &buffer[..length],
        Err(_) => {
            *buffer = lz4_flex::block::compress(raw);
            &buffer[..]
        }
    };
    let mut chunk = Vec::with_capacity(16 + compressed.len());
    chunk.extend_from_slice(&(compressed.len() as u64).to_le_bytes());
    chunk.extend_from_slice(&(raw.len() as u64).to_le_bytes());
    chunk.extend_from_slice(compressed);
    chunk
}
