//! Bytes, text or values that a value holds and that the cache keeps apart from
//! the rest of it, compressed, to be decompressed only when they are first
//! wanted: a page's own bytes, which a build that finds the page unchanged never
//! reads. A value written for the cache inside [`apart`] has its stored bytes
//! added to the buffer given there, and says only where they are in it; a value
//! read inside [`reading_from`] finds them in the [`Block`] given there. Anywhere
//! else they are written with the value. Uses lz4_flex, serde, serde_bytes and
//! postcard, and `kept_by_thread`.

use std::cell::{Cell, RefCell};
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::support::kept_by_thread::with_kept;

/// Bytes, held here or in a block the cache read.
#[derive(Clone)]
pub struct Stored(Place);

#[derive(Clone)]
enum Place {
    Here(Arc<[u8]>),
    InBlock {
        block: Arc<Block>,
        at: usize,
        length: usize,
    },
}

impl Stored {
    /// The bytes, decompressing the block they are in if no value has yet.
    pub fn bytes(&self) -> &[u8] {
        match &self.0 {
            Place::Here(bytes) => bytes,
            Place::InBlock { block, at, length } => block.bytes(*at, *length),
        }
    }
}

impl From<Arc<[u8]>> for Stored {
    fn from(bytes: Arc<[u8]>) -> Stored {
        Stored(Place::Here(bytes))
    }
}

impl From<Vec<u8>> for Stored {
    fn from(bytes: Vec<u8>) -> Stored {
        Stored(Place::Here(Arc::from(bytes)))
    }
}

impl PartialEq for Stored {
    fn eq(&self, other: &Stored) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for Stored {}

impl std::fmt::Debug for Stored {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Place::Here(bytes) => write!(formatter, "Stored({} bytes)", bytes.len()),
            Place::InBlock { length, .. } => {
                write!(formatter, "Stored({length} bytes in a block)")
            }
        }
    }
}

/// Text, held here or in a block the cache read, as [`Stored`] bytes are.
#[derive(Clone)]
pub struct StoredText(TextPlace);

#[derive(Clone)]
enum TextPlace {
    Here(Arc<String>),
    /// The bytes in their block, and the text read from them once first wanted.
    InBlock(Stored, OnceLock<Arc<str>>),
}

impl std::ops::Deref for StoredText {
    type Target = str;

    fn deref(&self) -> &str {
        match &self.0 {
            TextPlace::Here(text) => text,
            // The bytes were written from text, and the file they were read from
            // passed its checksum: only a file made to pass it, which could say
            // anything, holds bytes that are not UTF-8. They are read as well as
            // they can be, never taken on trust.
            TextPlace::InBlock(bytes, text) => {
                text.get_or_init(|| Arc::from(String::from_utf8_lossy(bytes.bytes())))
            }
        }
    }
}

impl Default for StoredText {
    fn default() -> StoredText {
        StoredText(TextPlace::Here(Arc::new(String::new())))
    }
}

/// The text is kept as it is, not copied.
impl From<String> for StoredText {
    fn from(text: String) -> StoredText {
        StoredText(TextPlace::Here(Arc::new(text)))
    }
}

impl From<&str> for StoredText {
    fn from(text: &str) -> StoredText {
        StoredText(TextPlace::Here(Arc::new(text.to_owned())))
    }
}

impl PartialEq for StoredText {
    fn eq(&self, other: &StoredText) -> bool {
        **self == **other
    }
}

impl Eq for StoredText {}

impl std::fmt::Debug for StoredText {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, formatter)
    }
}

impl std::fmt::Display for StoredText {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self)
    }
}

impl Serialize for StoredText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            TextPlace::Here(text) => write_bytes(text.as_bytes(), serializer),
            TextPlace::InBlock(bytes, _) => write_bytes(bytes.bytes(), serializer),
        }
    }
}

impl<'de> Deserialize<'de> for StoredText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<StoredText, D::Error> {
        match read_place(deserializer)? {
            Place::Here(bytes) => match std::str::from_utf8(&bytes) {
                Ok(text) => Ok(StoredText(TextPlace::Here(Arc::new(text.to_owned())))),
                Err(_) => Err(serde::de::Error::custom("stored text that is not UTF-8")),
            },
            place => Ok(StoredText(TextPlace::InBlock(
                Stored(place),
                OnceLock::new(),
            ))),
        }
    }
}

/// A value that the cache keeps apart, as [`Stored`] bytes are, read only when
/// first wanted: a page's text, block by block, which only the checks of that page
/// read.
#[derive(Clone)]
pub struct Apart<T>(ApartPlace<T>);

#[derive(Clone)]
enum ApartPlace<T> {
    Here(T),
    /// The value's bytes in their block, and the value read from them once first
    /// wanted.
    InBlock(Stored, OnceLock<T>),
}

impl<T: DeserializeOwned + Default> std::ops::Deref for Apart<T> {
    type Target = T;

    fn deref(&self) -> &T {
        match &self.0 {
            ApartPlace::Here(value) => value,
            // The bytes were written from a value of this type by this build of
            // tellyou, which the file's header says, and the file passed its
            // checksum: only a file made to pass it, which could say anything,
            // holds bytes that do not read as one. They read as an empty value.
            ApartPlace::InBlock(bytes, value) => {
                value.get_or_init(|| postcard::from_bytes(bytes.bytes()).unwrap_or_default())
            }
        }
    }
}

impl<T> From<T> for Apart<T> {
    fn from(value: T) -> Apart<T> {
        Apart(ApartPlace::Here(value))
    }
}

impl<T: DeserializeOwned + Default> Default for Apart<T> {
    fn default() -> Apart<T> {
        Apart(ApartPlace::Here(T::default()))
    }
}

impl<T: DeserializeOwned + Default + PartialEq> PartialEq for Apart<T> {
    fn eq(&self, other: &Apart<T>) -> bool {
        **self == **other
    }
}

impl<T: DeserializeOwned + Default + Eq> Eq for Apart<T> {}

impl<T: DeserializeOwned + Default + std::fmt::Debug> std::fmt::Debug for Apart<T> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, formatter)
    }
}

impl<T: Serialize> Serialize for Apart<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            // Written whole, with any bytes it stores: inside [`apart`], where the
            // value's bytes go, else into a buffer the thread keeps.
            ApartPlace::Here(value) => match APART.take() {
                Some((mut buffer, start)) => {
                    let at = buffer.len();
                    let written = postcard::to_io(value, &mut buffer).map(|_| ());
                    let length = (buffer.len() - at) as u64;
                    APART.set(Some((buffer, start)));
                    written.map_err(serde::ser::Error::custom)?;
                    Written::Apart((at - start) as u64, length).serialize(serializer)
                }
                None => with_kept(&WRITTEN_WHOLE, |bytes| {
                    bytes.clear();
                    postcard::to_io(value, &mut *bytes).map_err(serde::ser::Error::custom)?;
                    Written::Here(bytes).serialize(serializer)
                }),
            },
            ApartPlace::InBlock(bytes, _) => write_bytes(bytes.bytes(), serializer),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Apart<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Apart<T>, D::Error> {
        match read_place(deserializer)? {
            Place::Here(bytes) => match postcard::from_bytes(&bytes) {
                Ok(value) => Ok(Apart(ApartPlace::Here(value))),
                Err(error) => Err(serde::de::Error::custom(error)),
            },
            place => Ok(Apart(ApartPlace::InBlock(Stored(place), OnceLock::new()))),
        }
    }
}

/// Bytes compressed together, whole once decompressed: the stored bytes of a run of
/// values the cache keeps, where they are in the file it read.
pub struct Block {
    file: Arc<Vec<u8>>,
    compressed: Range<usize>,
    length: usize,
    raw: OnceLock<Box<[u8]>>,
}

/// Calls `read` with `compressed` decompressed, in a buffer the thread keeps;
/// `None` if it does not decompress to `length` bytes.
pub fn with_decompressed<R>(
    (compressed, length): (&[u8], usize),
    read: impl FnOnce(&[u8]) -> R,
) -> Option<R> {
    if length == 0 {
        return compressed.is_empty().then(|| read(&[]));
    }
    with_kept(&DECOMPRESSED, |buffer| {
        if buffer.len() < length {
            buffer.resize(length, 0);
        }
        let raw = &mut buffer[..length];
        match lz4_flex::block::decompress_into(compressed, raw) {
            Ok(written) if written == length => Some(read(raw)),
            _ => None,
        }
    })
}

thread_local! {
    /// Where [`with_decompressed`] decompresses.
    static DECOMPRESSED: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
    /// Where a value kept apart is written before it is kept apart.
    static WRITTEN_WHOLE: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

impl Block {
    /// The block of the bytes `compressed` of `file`, `length` bytes once
    /// decompressed.
    pub fn new(file: &Arc<Vec<u8>>, compressed: Range<usize>, length: usize) -> Block {
        Block {
            file: Arc::clone(file),
            compressed,
            length,
            raw: OnceLock::new(),
        }
    }

    /// The block's bytes, decompressed the first time they are wanted.
    pub fn raw(&self) -> &[u8] {
        self.raw.get_or_init(|| {
            // The file passed its checksum, so its blocks are as this build of
            // tellyou wrote them: only a file made to pass it, which could say
            // anything, holds one that does not decompress. Its values read as
            // empty, as the bytes of a value that lie past the block's end do.
            let compressed = self.file.get(self.compressed.clone()).unwrap_or_default();
            let raw = lz4_flex::block::decompress(compressed, self.length).ok();
            let whole = raw.filter(|raw| raw.len() == self.length);
            whole.unwrap_or_default().into_boxed_slice()
        })
    }

    /// The `length` bytes of the block from `at`; none if it holds no such bytes.
    fn bytes(&self, at: usize, length: usize) -> &[u8] {
        let end = at.saturating_add(length);
        self.raw().get(at..end).unwrap_or_default()
    }
}

thread_local! {
    /// Where the stored bytes of the value being written go, and where that value's
    /// start in it.
    static APART: Cell<Option<(Vec<u8>, usize)>> = const { Cell::new(None) };
    /// The block the stored bytes of the value being read are in, with where they
    /// start in it and how many there are.
    static READING: RefCell<Option<(Arc<Block>, usize, usize)>> = const { RefCell::new(None) };
}

/// Calls `write`, which writes a value for the cache, adding the stored bytes the
/// value holds to `buffer` and not to the value.
pub fn apart<R>(buffer: &mut Vec<u8>, write: impl FnOnce() -> R) -> R {
    let start = buffer.len();
    let outer = APART.replace(Some((std::mem::take(buffer), start)));
    let result = write();
    if let Some((written, _)) = APART.replace(outer) {
        *buffer = written;
    }
    result
}

/// Calls `read`, which reads a value of the cache whose stored bytes are the
/// `length` bytes of `block` from `start`.
pub fn reading_from<R>(
    block: Option<&Arc<Block>>,
    (start, length): (usize, usize),
    read: impl FnOnce() -> R,
) -> R {
    let inside = block.map(|block| (Arc::clone(block), start, length));
    let outer = READING.replace(inside);
    let result = read();
    READING.replace(outer);
    result
}

/// The stored bytes of the value being read, as [`reading_from`] gives them: for
/// a value kept as it was written, with them.
pub fn stored_bytes_read() -> Vec<u8> {
    READING.with_borrow(|reading| match reading {
        Some((block, start, length)) => block.bytes(*start, *length).to_vec(),
        None => Vec::new(),
    })
}

/// How stored bytes are written: with the value, or where they are among the
/// value's bytes written apart.
#[derive(Serialize)]
enum Written<'a> {
    Here(#[serde(with = "serde_bytes")] &'a [u8]),
    Apart(u64, u64),
}

#[derive(Deserialize)]
enum Read {
    Here(#[serde(deserialize_with = "shared_bytes")] Arc<[u8]>),
    Apart(u64, u64),
}

impl Serialize for Stored {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        write_bytes(self.bytes(), serializer)
    }
}

impl<'de> Deserialize<'de> for Stored {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Stored, D::Error> {
        read_place(deserializer).map(Stored)
    }
}

/// Writes `bytes`: apart, inside [`apart`], else with the value.
fn write_bytes<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    match APART.take() {
        Some((mut buffer, start)) => {
            let at = (buffer.len() - start) as u64;
            buffer.extend_from_slice(bytes);
            APART.set(Some((buffer, start)));
            Written::Apart(at, bytes.len() as u64).serialize(serializer)
        }
        None => Written::Here(bytes).serialize(serializer),
    }
}

/// Reads where bytes [`write_bytes`] wrote are: here, or in the block
/// [`reading_from`] gives.
fn read_place<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Place, D::Error> {
    match Read::deserialize(deserializer)? {
        Read::Here(bytes) => Ok(Place::Here(bytes)),
        // No bytes need no block: a chunk whose values store none has none.
        Read::Apart(_, 0) => Ok(Place::Here(Arc::from([]))),
        Read::Apart(at, length) => READING.with_borrow(|reading| {
            let (block, start, held) = reading.as_ref().ok_or_else(not_held)?;
            let (at, length) = (usize::try_from(at), usize::try_from(length));
            let (Ok(at), Ok(length)) = (at, length) else {
                return Err(not_held());
            };
            match at.checked_add(length) {
                Some(end) if end <= *held => Ok(Place::InBlock {
                    block: Arc::clone(block),
                    at: start + at,
                    length,
                }),
                _ => Err(not_held()),
            }
        }),
    }
}

/// What a value is told whose stored bytes are not where it says: it is not read,
/// and what it was made from is made again.
fn not_held<E: serde::de::Error>() -> E {
    E::custom("the value's stored bytes are not where it says")
}

/// Bytes read into an `Arc` straight from where they are read: a buffer of them
/// first would copy them twice.
fn shared_bytes<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Arc<[u8]>, D::Error> {
    struct SharedBytes;

    impl serde::de::Visitor<'_> for SharedBytes {
        type Value = Arc<[u8]>;

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("bytes")
        }

        fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Arc<[u8]>, E> {
            Ok(Arc::from(bytes))
        }
    }

    deserializer.deserialize_bytes(SharedBytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_of(raw: &[u8]) -> Arc<Block> {
        let compressed = lz4_flex::block::compress(raw);
        let range = 0..compressed.len();
        Arc::new(Block::new(&Arc::new(compressed), range, raw.len()))
    }

    #[test]
    fn bytes_written_apart_are_read_from_their_block_only_when_wanted() {
        let values = [
            Stored::from(b"first page".to_vec()),
            Stored::from(b"second".to_vec()),
        ];
        let mut apart_bytes = b"an earlier value's".to_vec();
        let start = apart_bytes.len();
        let written: Vec<Vec<u8>> = (values.iter())
            .map(|value| super::apart(&mut apart_bytes, || postcard::to_stdvec(value).unwrap()))
            .collect();
        assert_eq!(&apart_bytes[start..], b"first pagesecond");
        assert!(written.iter().all(|bytes| bytes.len() < 4));

        let block = block_of(&apart_bytes);
        let read = |bytes: &[u8], from: usize, length: usize| {
            reading_from(Some(&block), (from, length), || {
                postcard::from_bytes::<Stored>(bytes)
            })
        };
        let second = read(&written[1], start + 10, 6).unwrap();
        assert!(matches!(second.0, Place::InBlock { .. }) && block.raw.get().is_none());
        assert_eq!(second.bytes(), b"second");
        assert_eq!(second, values[1]);
        // No bytes are read with no block.
        let empty = Stored::from(Vec::new());
        let written_empty = super::apart(&mut Vec::new(), || postcard::to_stdvec(&empty).unwrap());
        let read_empty = reading_from(None, (0, 0), || {
            postcard::from_bytes::<Stored>(&written_empty)
        });
        assert_eq!(read_empty.unwrap(), empty);
        // Bytes said to lie past the value's own are not read.
        assert!(read(&written[0], start, 4).is_err());
        assert!(postcard::from_bytes::<Stored>(&written[0]).is_err());
    }

    #[test]
    fn bytes_written_anywhere_else_are_written_with_the_value() {
        let value = Stored::from(b"a page".to_vec());
        let bytes = postcard::to_stdvec(&value).unwrap();
        assert_eq!(postcard::from_bytes::<Stored>(&bytes).unwrap(), value);
        let block = block_of(b"the page");
        let in_block = Stored(Place::InBlock {
            block,
            at: 4,
            length: 4,
        });
        let page = Stored::from(b"page".to_vec());
        assert_eq!(
            postcard::to_stdvec(&in_block).unwrap(),
            postcard::to_stdvec(&page).unwrap()
        );
    }

    #[test]
    fn text_written_apart_is_read_from_its_block_as_text() {
        let text = StoredText::from("Crying is how your baby talks to you.");
        let mut apart_bytes = Vec::new();
        let written = super::apart(&mut apart_bytes, || postcard::to_stdvec(&text).unwrap());
        let block = block_of(&apart_bytes);
        let read = |bytes: &[u8]| {
            reading_from(Some(&block), (0, apart_bytes.len()), || {
                postcard::from_bytes::<StoredText>(bytes)
            })
        };
        let found = read(&written).unwrap();
        assert!(matches!(found.0, TextPlace::InBlock(..)) && block.raw.get().is_none());
        assert_eq!(&*found, "Crying is how your baby talks to you.");
        assert_eq!(found, text);
        // Text written with its value must be UTF-8 to be read.
        let not_text = postcard::to_stdvec(&Stored::from(vec![0xff, 0xfe])).unwrap();
        assert!(postcard::from_bytes::<StoredText>(&not_text).is_err());
        let here = postcard::to_stdvec(&text).unwrap();
        assert_eq!(postcard::from_bytes::<StoredText>(&here).unwrap(), text);
    }

    #[test]
    fn a_value_kept_apart_is_read_from_its_block_only_when_wanted() {
        let value: Apart<(Vec<u32>, StoredText)> = (vec![1, 2, 3], StoredText::from("text")).into();
        let mut apart_bytes = Vec::new();
        let written = super::apart(&mut apart_bytes, || postcard::to_stdvec(&value).unwrap());
        let block = block_of(&apart_bytes);
        let found: Apart<(Vec<u32>, StoredText)> =
            reading_from(Some(&block), (0, apart_bytes.len()), || {
                postcard::from_bytes(&written)
            })
            .unwrap();
        assert!(matches!(found.0, ApartPlace::InBlock(..)) && block.raw.get().is_none());
        assert_eq!((*found).0, [1, 2, 3]);
        assert_eq!(found, value);
        // Written again, as when files are put together, it is the same bytes.
        let mut again = Vec::new();
        super::apart(&mut again, || postcard::to_stdvec(&found).unwrap());
        assert_eq!(again, apart_bytes);
    }

    #[test]
    fn a_block_that_does_not_decompress_to_its_length_reads_as_no_bytes() {
        let compressed = Arc::new(lz4_flex::block::compress(b"some bytes, some bytes"));
        let all = 0..compressed.len();
        let in_block = |block: Block, at, length| {
            let block = Arc::new(block);
            Stored(Place::InBlock { block, at, length })
        };
        let whole = in_block(Block::new(&compressed, all.clone(), 22), 5, 5);
        assert_eq!(whole.bytes(), b"bytes");
        for block in [
            Block::new(&compressed, all.clone(), 23),
            Block::new(&compressed, 0..all.end - 1, 22),
            Block::new(&compressed, 0..all.end + 1, 22),
            Block::new(&Arc::new(b"\xff\xff\xff".to_vec()), 0..3, 10),
        ] {
            assert!(block.raw().is_empty());
            assert!(in_block(block, 5, 5).bytes().is_empty());
        }
    }
}
