//! Keys: one hash of several fields, each written with its length first so that two
//! different lists of fields never give the same bytes. Each stage input's
//! [`MemoKey`](crate::memo::MemoKey) is made of them, and a memo keeps its values
//! in a [`KeyMap`]. Uses blake3 only.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// What made the running program: its version and a hash of the source it was
/// built from, set by `build.rs`, so that nothing one build of tellyou made and
/// kept is trusted by another.
pub fn program() -> blake3::Hash {
    of([
        env!("CARGO_PKG_VERSION").as_bytes(),
        env!("TELLYOU_SOURCE_HASH").as_bytes(),
    ])
}

/// A key built field by field: the hash of the fields one after another, each
/// after its length. Short fields are gathered and hashed in one go, which is much
/// faster than feeding blake3 many short pieces; a long one, such as a page's
/// HTML, is hashed where it is, not copied. What is gathered is hashed once it is
/// [`MOST_GATHERED`] long, so that a key of many fields, such as the front matter
/// of every page, never holds them all at once.
pub struct Key {
    gathered: Vec<u8>,
    /// What was hashed already, if a long field came: boxed, as a hasher is large
    /// and most keys never need one.
    hashed: Option<Box<blake3::Hasher>>,
}

/// How long a field is hashed where it is.
const LONG_FIELD: usize = 4096;
/// How much is gathered before it is hashed.
const MOST_GATHERED: usize = 1 << 16;
/// Room for the fields of most keys, so that gathering them grows no buffer.
const ROOM: usize = 256;
/// How long the length written before each field is.
const LENGTH_BYTES: usize = std::mem::size_of::<u64>();

impl Key {
    pub fn new() -> Self {
        Key::with_room(ROOM)
    }

    fn with_room(room: usize) -> Self {
        Key {
            gathered: Vec::with_capacity(room),
            hashed: None,
        }
    }

    /// A key made with room for all that [`Key::field`] gathers of `fields`: each
    /// one's length, and the field itself unless it is hashed where it is.
    fn with_room_for(fields: &[&[u8]]) -> Self {
        let gathered =
            |field: &&[u8]| LENGTH_BYTES + field.len() * usize::from(field.len() < LONG_FIELD);
        let room: usize = fields.iter().map(gathered).sum();
        Key::with_room(room.min(MOST_GATHERED + LONG_FIELD))
    }

    pub fn field(&mut self, bytes: impl AsRef<[u8]>) -> &mut Self {
        let bytes = bytes.as_ref();
        (self.gathered).extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        if bytes.len() < LONG_FIELD {
            self.gathered.extend_from_slice(bytes);
            if self.gathered.len() >= MOST_GATHERED {
                self.hash_gathered(&[]);
            }
        } else {
            self.hash_gathered(bytes);
        }
        self
    }

    /// Hashes what was gathered, then `more`.
    fn hash_gathered(&mut self, more: &[u8]) {
        let hashed = (self.hashed).get_or_insert_with(|| Box::new(blake3::Hasher::new()));
        hashed.update(&self.gathered).update(more);
        self.gathered.clear();
    }

    pub fn finish(&self) -> blake3::Hash {
        match &self.hashed {
            None => blake3::hash(&self.gathered),
            Some(hashed) => hashed.clone().update(&self.gathered).finalize(),
        }
    }
}

/// The key of a fixed list of fields.
pub fn of<const N: usize>(fields: [&[u8]; N]) -> blake3::Hash {
    let mut key = Key::with_room_for(&fields);
    for field in fields {
        key.field(field);
    }
    key.finish()
}

/// A map from keys to cached work. A key is already a uniform hash, so the map uses
/// its bytes as they are instead of hashing them again.
pub type KeyMap<V> = HashMap<blake3::Hash, V, BuildHasherDefault<KeyHasher>>;

/// A set of keys, hashed as [`KeyMap`] hashes them.
pub type KeySet = std::collections::HashSet<blake3::Hash, BuildHasherDefault<KeyHasher>>;

/// Hashes a key for a [`KeyMap`] by folding its bytes together.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(7) ^ u64::from_le_bytes(word);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_of_fixed_fields_is_made_with_room_for_all_it_gathers() {
        let long = [3; LONG_FIELD];
        let fields: [&[u8]; 4] = [&long, b"", b"front matter", &[2; 300]];
        let mut key = Key::with_room_for(&fields);
        let capacity = key.gathered.capacity();
        for field in fields {
            key.field(field);
        }
        // The long field is hashed where it is, with what was gathered before it.
        assert_eq!(key.gathered.len(), 3 * LENGTH_BYTES + 12 + 300);
        assert_eq!(key.gathered.capacity(), capacity);
    }

    #[test]
    fn fields_cannot_run_into_each_other() {
        assert_ne!(of([b"ab", b"c"]), of([b"a", b"bc"]));
        assert_ne!(of([b"a", b""]), of([b"a"]));
        assert_eq!(of([b"a", b"b"]), of([b"a", b"b"]));
    }

    #[test]
    fn a_key_is_the_hash_of_its_fields_one_after_another_however_long() {
        let long = vec![7_u8; LONG_FIELD * 3];
        let short = vec![3_u8; LONG_FIELD - 1];
        let many_short = std::iter::repeat_n(&short[..], 2 * MOST_GATHERED / LONG_FIELD + 1);
        let fields: Vec<&[u8]> = [b"a", &long[..], b"", &long[..LONG_FIELD]]
            .into_iter()
            .chain(many_short)
            .chain([&long[..], b"end"])
            .collect();
        let mut written = Vec::new();
        let mut key = Key::new();
        for field in &fields {
            written.extend_from_slice(&(field.len() as u64).to_le_bytes());
            written.extend_from_slice(field);
            key.field(field);
        }
        assert!(written.len() > 2 * MOST_GATHERED);
        assert_eq!(key.finish(), blake3::hash(&written));

        assert_eq!(
            of([b"a", b"b"]),
            blake3::hash(b"\x01\0\0\0\0\0\0\0a\x01\0\0\0\0\0\0\0b")
        );
    }

    #[test]
    fn a_key_map_finds_its_keys() {
        let mut map = KeyMap::default();
        for n in 0..1000_u32 {
            map.insert(of([&n.to_le_bytes()]), n);
        }
        assert_eq!(map.len(), 1000);
        assert_eq!(map.get(&of([&7_u32.to_le_bytes()])), Some(&7));
        assert_eq!(map.get(&of([b"absent"])), None);
    }
}
