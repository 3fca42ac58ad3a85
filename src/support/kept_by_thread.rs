//! What a thread keeps from one use to the next, such as a buffer: memory written
//! for the first time costs a build more than memory written again, so a buffer
//! that each piece of work fills and lets go of is better kept by its thread. A
//! thread also keeps what it made of each word, as a site writes a few thousand
//! words many times over. Uses rustc-hash, and nothing of the crate.

use std::cell::Cell;
use std::thread::LocalKey;

use rustc_hash::FxHashMap;

/// The most words a map of [`with_known`] keeps before it lets them all go.
pub const MOST_WORDS_KEPT: usize = 100_000;

/// Calls `use_value` with what `known` holds for `word`: kept from `make` the
/// first time. `known` is found by FxHash, as a word is short, and finding again
/// what was made of one costs less than making it again.
pub fn with_known<V, R>(
    known: &mut FxHashMap<String, V>,
    word: &str,
    make: impl FnOnce() -> V,
    use_value: impl FnOnce(&V) -> R,
) -> R {
    if let Some(value) = known.get(word) {
        return use_value(value);
    }
    if known.len() >= MOST_WORDS_KEPT {
        known.clear();
    }
    use_value(known.entry(word.to_owned()).or_insert_with(make))
}

/// Calls `use_it` with what this thread keeps in `kept`, and keeps it again
/// after. A call made inside `use_it` on the same thread, as rayon may make while
/// it waits, finds a new value, not the one in use.
pub fn with_kept<T: Default + 'static, R>(
    kept: &'static LocalKey<Cell<T>>,
    use_it: impl FnOnce(&mut T) -> R,
) -> R {
    let mut value = kept.take();
    let result = use_it(&mut value);
    kept.set(value);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static KEPT: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
    }

    #[test]
    fn a_word_is_made_once_and_the_words_are_let_go_past_the_most() {
        let mut known = FxHashMap::default();
        let mut made = 0;
        for word in ["baby", "cry", "baby"] {
            with_known(
                &mut known,
                word,
                || {
                    made += 1;
                    word.len()
                },
                |_| (),
            );
        }
        assert_eq!(made, 2);
        assert_eq!(with_known(&mut known, "baby", || 0, |&n| n), 4);
        for n in 0..MOST_WORDS_KEPT {
            with_known(&mut known, &format!("w{n}"), || 0, |_| ());
        }
        assert!(known.len() <= MOST_WORDS_KEPT);
        assert!(!known.contains_key("baby"));
    }

    #[test]
    fn a_thread_finds_what_it_kept_and_a_call_inside_finds_a_new_one() {
        with_kept(&KEPT, |bytes| bytes.extend_from_slice(b"kept"));
        let inside = with_kept(&KEPT, |bytes| {
            assert_eq!(bytes, b"kept");
            with_kept(&KEPT, |inner| inner.clone())
        });
        assert!(inside.is_empty());
        std::thread::spawn(|| with_kept(&KEPT, |bytes| assert!(bytes.is_empty())))
            .join()
            .unwrap();
    }
}
