//! Names the program writes as `&'static str`, such as the kind of a care card,
//! read back from a memo kept on disk: the name read becomes the program's own
//! name that is equal to it, so that reading one leaks nothing, and a name the
//! program does not know makes what was read a mistake. Uses serde only.

use serde::de::{Deserialize, Deserializer, Error};

/// A name the program writes. Fields of this type say so rather than
/// `&'static str`, which serde would take as borrowed from what it reads.
pub type Name = &'static str;

/// The name in `names` equal to the one `deserializer` reads.
pub fn one_of<'de, D: Deserializer<'de>>(
    names: &'static [&'static str],
    deserializer: D,
) -> Result<&'static str, D::Error> {
    let read = std::borrow::Cow::<str>::deserialize(deserializer)?;
    (names.iter().copied())
        .find(|name| *name == read)
        .ok_or_else(|| D::Error::custom(format_args!("the name {read:?} is not one of {names:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_name_is_the_programs_own_and_an_unknown_one_is_a_mistake() {
        static NAMES: &[&str] = &["link", "image"];
        let read = |bytes: &[u8]| one_of(NAMES, &mut postcard::Deserializer::from_bytes(bytes));
        let image = postcard::to_stdvec("image").unwrap();
        assert!(std::ptr::eq(read(&image).unwrap(), NAMES[1]));
        assert!(read(&postcard::to_stdvec("video").unwrap()).is_err());
    }
}
