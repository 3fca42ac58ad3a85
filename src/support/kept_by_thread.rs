//! What a thread keeps from one use to the next, such as a buffer: memory written
//! for the first time costs a build more than memory written again, so a buffer
//! that each piece of work fills and lets go of is better kept by its thread.
//! Uses nothing of the crate.

use std::cell::Cell;
use std::thread::LocalKey;

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
