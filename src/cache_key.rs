//! Cache keys: one hash of several fields, each written with its length first so
//! that two different lists of fields never give the same bytes. The pipeline and
//! the checks find reusable work by these keys. Uses blake3 only.

/// A key built field by field.
#[derive(Default)]
pub struct Key(blake3::Hasher);

impl Key {
    pub fn new() -> Self {
        Key::default()
    }

    pub fn field(&mut self, bytes: impl AsRef<[u8]>) -> &mut Self {
        let bytes = bytes.as_ref();
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    pub fn finish(&self) -> blake3::Hash {
        self.0.finalize()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_cannot_run_into_each_other() {
        assert_ne!(of([b"ab", b"c"]), of([b"a", b"bc"]));
        assert_ne!(of([b"a", b""]), of([b"a"]));
        assert_eq!(of([b"a", b"b"]), of([b"a", b"b"]));
    }
}
