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

/// A key built field by field. The fields are gathered and hashed in one go at the
/// end, which is much faster than feeding blake3 many short pieces.
#[derive(Default)]
pub struct Key(Vec<u8>);

impl Key {
    pub fn new() -> Self {
        Key::default()
    }

    pub fn field(&mut self, bytes: impl AsRef<[u8]>) -> &mut Self {
        let bytes = bytes.as_ref();
        self.0
            .extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        self.0.extend_from_slice(bytes);
        self
    }

    pub fn finish(&self) -> blake3::Hash {
        blake3::hash(&self.0)
    }
}

/// The key of a fixed list of fields.
pub fn of<const N: usize>(fields: [&[u8]; N]) -> blake3::Hash {
    let mut key = Key::new();
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
    fn fields_cannot_run_into_each_other() {
        assert_ne!(of([b"ab", b"c"]), of([b"a", b"bc"]));
        assert_ne!(of([b"a", b""]), of([b"a"]));
        assert_eq!(of([b"a", b"b"]), of([b"a", b"b"]));
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
