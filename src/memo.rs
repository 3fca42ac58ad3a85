//! The memo: what a stage made, kept under a key derived from the stage's input, so
//! that a rebuild redoes only the work whose input changed. A stage's input type
//! says what goes into its key by implementing [`MemoKey`] beside its definition;
//! nothing else builds keys. Only the pipeline holds memos. A memo that forgets
//! keeps nothing, for a build with no rebuild after it; a memo that keeps holds
//! what the last build used, and a stale entry is never used: it is simply not
//! found. With `TELLYOU_VERIFY_MEMO=1` every value found is made again and
//! compared, and a difference stops the program, naming the stage: it means a key
//! forgets something its stage reads. A memo may start from what earlier runs kept
//! on disk, and write there what its build used ([`on_disk`]). Uses `cache_key`,
//! rayon and serde.

mod on_disk;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use rayon::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::support::cache_key::{KeyMap, KeySet};

pub use on_disk::{CacheError, remove_killed_writes};

/// An input to a stage, which knows the key of all that the stage reads from it.
pub trait MemoKey {
    /// A hash of everything the stage reads from this input: two inputs with the
    /// same key make the same output.
    fn memo_key(&self) -> blake3::Hash;
}

impl<T: MemoKey + ?Sized> MemoKey for &T {
    fn memo_key(&self) -> blake3::Hash {
        (**self).memo_key()
    }
}

/// Whether a memo keeps what a build made for the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Nothing is kept: each value is made when asked for.
    Nothing,
    /// Each value is kept for the rest of the build and for the next, so that one
    /// input is made once however often it is asked for.
    ForRebuilds,
}

/// The values of one stage, by the key of the input each was made from.
pub struct Memo<V> {
    stage: &'static str,
    keep: Keep,
    verify: bool,
    /// What the last build used, or what the disk holds; shared by the memos of
    /// builds run side by side.
    earlier: Arc<Earlier<V>>,
    /// What this build used.
    now: Mutex<KeyMap<V>>,
    /// The keys of the inputs [`Memo::each`] was given this build, in order. The
    /// cache writes their values in this order, so that the values of inputs side
    /// by side, such as a site's pages, are read from disk together.
    order: Mutex<Vec<blake3::Hash>>,
    /// What the builds run beside this one made, where they share it: councils'
    /// sites, in `build --all`.
    beside: Option<Arc<Mutex<KeyMap<V>>>>,
}

/// What a memo may find: what the last build used, or what the disk holds, read
/// when first wanted, so that a run that does not need a stage does not read it.
struct Earlier<V> {
    found: OnceLock<on_disk::Read<V>>,
    /// The cache folder to read, and how.
    disk: Option<(PathBuf, ReadDisk<V>)>,
    /// What builds run in turns made that the disk does not hold.
    added: Mutex<Added<V>>,
}

/// What builds run in turns made that the disk did not hold when read: written
/// together once there is much of it, and by [`Memo::tidy`], so that a run that
/// made little writes one file, not one each turn.
struct Added<V> {
    /// What is still to be written.
    waiting: KeyMap<V>,
    /// What this run has written already, which a later turn does not write again.
    written: KeySet,
}

impl<V> Default for Added<V> {
    fn default() -> Added<V> {
        Added {
            waiting: KeyMap::default(),
            written: KeySet::default(),
        }
    }
}

impl<V> Added<V> {
    /// Takes what is waiting, to be written now.
    fn take_waiting(&mut self) -> KeyMap<V> {
        let waiting = std::mem::take(&mut self.waiting);
        self.written.extend(waiting.keys().copied());
        waiting
    }
}

/// How many values builds run in turns may make before they are written.
const MOST_UNWRITTEN: usize = 1024;

type ReadDisk<V> = fn(&Path, &str) -> on_disk::Read<V>;

impl<V> Earlier<V> {
    fn made(values: KeyMap<V>) -> Earlier<V> {
        Earlier {
            found: OnceLock::from(on_disk::Read::of(values)),
            disk: None,
            added: Mutex::default(),
        }
    }

    fn get(&self, stage: &str) -> &on_disk::Read<V> {
        self.found.get_or_init(|| match &self.disk {
            Some((folder, read)) => read(folder, stage),
            None => on_disk::Read::of(KeyMap::default()),
        })
    }

    fn value(&self, stage: &str, key: &blake3::Hash) -> Option<&V> {
        self.get(stage).values.get(key)
    }
}

impl<V: Clone + PartialEq + Send + Sync> Memo<V> {
    /// A memo for the stage named `stage`, which it names if a value is wrong.
    pub fn new(stage: &'static str, keep: Keep) -> Memo<V> {
        Memo {
            stage,
            keep,
            verify: verifying(),
            earlier: Arc::new(Earlier::made(KeyMap::default())),
            now: Mutex::new(KeyMap::default()),
            order: Mutex::default(),
            beside: None,
        }
    }

    /// A memo that starts from what this one started from, for a build run beside
    /// this one's: a council's, in `build --all`.
    pub fn sharing(&self) -> Memo<V> {
        Memo {
            earlier: Arc::clone(&self.earlier),
            beside: self.beside.clone(),
            ..Memo::new(self.stage, self.keep)
        }
    }

    /// Has the memos that share this one ([`Memo::sharing`]) find what each other
    /// made too, as they make it: for a stage whose values the builds run side by
    /// side have in common, and that is not kept on disk.
    pub fn share_what_is_made(&mut self) {
        self.beside.get_or_insert_default();
    }

    /// Whether this memo keeps what a build makes.
    pub fn keeps(&self) -> bool {
        self.keep == Keep::ForRebuilds
    }

    /// The value made from `input`: the one kept for its key, or else `make(input)`.
    pub fn get_or<I: MemoKey + ?Sized>(&self, input: &I, make: impl FnOnce(&I) -> V) -> V {
        if self.keep == Keep::Nothing {
            return make(input);
        }
        self.get_or_keyed(input.memo_key(), input, make)
    }

    /// [`Memo::get_or`] for an input whose key is `key`.
    fn get_or_keyed<I: ?Sized>(
        &self,
        key: blake3::Hash,
        input: &I,
        make: impl FnOnce(&I) -> V,
    ) -> V {
        let value = match self.kept(&key) {
            Some(value) if self.verify => self.verified(value, make(input)),
            Some(value) => value,
            None => make(input),
        };
        self.hold(key, value)
    }

    /// The value kept for `input`, if there is one, without making it: for a value
    /// that is made later, away from the build, and handed back with
    /// [`Memo::keep`]. When verifying, nothing is found, so that it is made again.
    pub fn find<I: MemoKey + ?Sized>(&self, input: &I) -> Option<V> {
        if self.keep == Keep::Nothing || self.verify {
            return None;
        }
        self.kept(&input.memo_key())
    }

    /// The value kept for `input`, if there is one, which this build then holds as
    /// used, as [`Memo::get_or`] would, without making it. When verifying, nothing
    /// is found, so that it is made again and handed back with [`Memo::keep`].
    pub fn find_used<I: MemoKey + ?Sized>(&self, input: &I) -> Option<V> {
        if self.keep == Keep::Nothing || self.verify {
            return None;
        }
        let key = input.memo_key();
        let value = self.kept(&key)?;
        Some(self.hold(key, value))
    }

    /// Keeps `value`, made from the input whose key is `key` away from the build,
    /// for the next build to find. When verifying, a value already kept for the
    /// same key must be the same.
    pub fn keep(&self, key: blake3::Hash, value: V) {
        if self.keep == Keep::Nothing {
            return;
        }
        let value = match self.kept(&key) {
            Some(kept) if self.verify => self.verified(kept, value),
            Some(kept) => kept,
            None => value,
        };
        self.hold(key, value);
    }

    /// Keeps `value` as this build's for `key`, and for the builds beside it, and
    /// gives the value kept.
    fn hold(&self, key: blake3::Hash, value: V) -> V {
        if let Some(beside) = &self.beside {
            lock(beside).entry(key).or_insert_with(|| value.clone());
        }
        self.lock().entry(key).or_insert(value).clone()
    }

    /// The value kept for `key`: by this build, an earlier one, or one beside it.
    fn kept(&self, key: &blake3::Hash) -> Option<V> {
        let kept = self.lock().get(key).cloned();
        let kept = kept.or_else(|| self.earlier.value(self.stage, key).cloned());
        kept.or_else(|| Some(lock(self.beside.as_ref()?).get(key)?.clone()))
    }

    /// The value made from each input, in order, made in parallel where not kept.
    pub fn each<I: MemoKey + Sync>(&self, inputs: &[I], make: impl Fn(&I) -> V + Sync) -> Vec<V> {
        if self.keep == Keep::Nothing {
            return inputs.par_iter().map(&make).collect();
        }
        self.each_keyed(inputs, make).1
    }

    /// The key of each input, and the value made from it, as [`Memo::each`] gives.
    pub fn each_keyed<I: MemoKey + Sync>(
        &self,
        inputs: &[I],
        make: impl Fn(&I) -> V + Sync,
    ) -> (Vec<blake3::Hash>, Vec<V>) {
        let keys: Vec<blake3::Hash> = inputs.par_iter().map(MemoKey::memo_key).collect();
        let values = (inputs.par_iter().zip(&keys))
            .map(|(input, key)| match self.keep {
                Keep::Nothing => make(input),
                Keep::ForRebuilds => self.get_or_keyed(*key, input, &make),
            })
            .collect();
        if self.keep == Keep::ForRebuilds {
            lock(&self.order).extend_from_slice(&keys);
        }
        (keys, values)
    }

    /// Makes room for this build to hold `more` values than it holds: for a
    /// caller about to keep many, so that the memo does not grow again and again.
    pub fn make_room(&self, more: usize) {
        if self.keep == Keep::ForRebuilds {
            self.lock().reserve(more);
        }
    }

    /// Calls `act` with each value this build used, found or made.
    pub fn for_each_used(&self, act: impl FnMut(&V)) {
        self.lock().values().for_each(act);
    }

    /// Starts a new build: what the last one used is what this one may find. A
    /// build that used nothing, such as the first after reading the disk, leaves
    /// what it could have found for the next.
    pub fn next_build(&mut self) {
        let now = std::mem::take(self.now.get_mut().unwrap_or_else(|p| p.into_inner()));
        lock(&self.order).clear();
        if !now.is_empty() {
            self.earlier = Arc::new(Earlier::made(now));
        }
    }

    fn verified(&self, kept: V, made: V) -> V {
        assert!(
            kept == made,
            "TELLYOU_VERIFY_MEMO: the memo of stage '{}' kept a value that differs from the one \
             its input makes now: the input's key leaves out something the stage reads",
            self.stage
        );
        kept
    }

    fn lock(&self) -> MutexGuard<'_, KeyMap<V>> {
        lock(&self.now)
    }
}

fn lock<T>(values: &Mutex<T>) -> MutexGuard<'_, T> {
    values
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<V> Memo<V>
where
    V: Clone + PartialEq + Send + Sync + Serialize + DeserializeOwned,
{
    /// Starts this memo from what earlier runs kept in the cache folder `folder`,
    /// read when first wanted, and has it keep what builds make.
    pub fn read_disk(&mut self, folder: &Path) {
        self.keep = Keep::ForRebuilds;
        self.earlier = Arc::new(Earlier {
            found: OnceLock::new(),
            disk: Some((folder.to_owned(), on_disk::read::<V>)),
            added: Mutex::default(),
        });
    }

    /// Reads now what the disk holds for this memo, if it has not been read: to be
    /// called before the stage runs in parallel, whose threads would otherwise
    /// each wait for the first to read it. Makes room for this build to hold as
    /// many values, as most builds use most of what the last one did.
    pub fn read_now(&self) {
        let found = self.earlier.get(self.stage).values.len();
        let held = self.lock().len();
        self.make_room(found.saturating_sub(held));
    }

    /// Writes to the cache folder `folder` what this memo's build, and those of
    /// `beside`, used, for the next run to find. Gives the files that could not be
    /// read, or written. A stage that no build used is left as it is on disk.
    pub fn save(&self, folder: &Path, beside: &[&Memo<V>]) -> Vec<CacheError> {
        let Some((used, read)) = self.used_and_read(beside) else {
            return Vec::new();
        };
        let used: Vec<(&blake3::Hash, &V)> = used.iter().collect();
        let held = |key: &blake3::Hash| read.values.contains_key(key);
        let order = lock(&self.order).clone();
        let written = on_disk::write(
            folder,
            (self.stage, true),
            &read.files,
            held,
            (&used, &order),
        );
        read.problems.iter().cloned().chain(written.err()).collect()
    }

    /// Adds to the cache folder `folder` what this memo's build, and those of
    /// `beside`, made that it does not hold, replacing nothing, for builds run in
    /// turns that [`Memo::tidy`] tidies after: once they have made much, else at
    /// the tidying. Gives the files that could not be written, and the keys the
    /// builds used.
    pub fn add(&self, folder: &Path, beside: &[&Memo<V>]) -> (Vec<CacheError>, Vec<blake3::Hash>) {
        let Some((used, read)) = self.used_and_read(beside) else {
            return (Vec::new(), Vec::new());
        };
        let keys = used.keys().copied().collect();
        let mut added = lock(&self.earlier.added);
        for (key, value) in used {
            if !read.values.contains_key(&key) && !added.written.contains(&key) {
                added.waiting.entry(key).or_insert(value);
            }
        }
        if added.waiting.len() < MOST_UNWRITTEN {
            return (Vec::new(), keys);
        }
        let values = added.take_waiting();
        drop(added);
        (
            self.write_unwritten(folder, values).into_iter().collect(),
            keys,
        )
    }

    /// Writes to `folder`, in a file of their own, the values builds run in turns
    /// made that the disk does not hold.
    fn write_unwritten(&self, folder: &Path, values: KeyMap<V>) -> Option<CacheError> {
        if values.is_empty() {
            return None;
        }
        let read = self.earlier.get(self.stage);
        let values: Vec<(&blake3::Hash, &V)> = values.iter().collect();
        on_disk::write(
            folder,
            (self.stage, false),
            &read.files,
            |_| false,
            (&values, &[]),
        )
        .err()
    }

    /// Replaces this memo's files in `folder` with one holding only what runs
    /// used, `used`, if most of what they hold went unused or they are too many;
    /// gives the files that could not be read or written.
    pub fn tidy(
        &self,
        folder: &Path,
        used: &std::collections::HashSet<blake3::Hash>,
    ) -> Vec<CacheError> {
        let waiting = lock(&self.earlier.added).take_waiting();
        let written = self.write_unwritten(folder, waiting);
        if used.is_empty() && self.earlier.found.get().is_none() {
            return written.into_iter().collect();
        }
        let read = self.earlier.get(self.stage);
        let problems = read.problems.iter().cloned().chain(written);
        let tidied = on_disk::tidy::<V>(folder, self.stage, (&read.files, &read.values), used);
        problems.chain(tidied).collect()
    }

    /// What this memo's build, and those of `beside`, used, and what the disk held
    /// for the stage; `None` when nothing was used and the disk was not read, so
    /// that there is nothing to write.
    fn used_and_read(&self, beside: &[&Memo<V>]) -> Option<(KeyMap<V>, &on_disk::Read<V>)> {
        let used = self.used_with(beside);
        if used.is_empty() && self.earlier.found.get().is_none() {
            return None;
        }
        Some((used, self.earlier.get(self.stage)))
    }

    /// What this memo's build, and those of `beside`, used: taken out first, so
    /// that no memo is locked while it is written, which runs on the threads that a
    /// build still running could lock it from.
    fn used_with(&self, beside: &[&Memo<V>]) -> KeyMap<V> {
        if beside.is_empty() {
            return self.lock().clone();
        }
        let mut used: KeyMap<V> = KeyMap::default();
        used.reserve(self.lock().len());
        for memo in std::iter::once(self).chain(beside.iter().copied()) {
            for (key, value) in memo.lock().iter() {
                used.entry(*key).or_insert_with(|| value.clone());
            }
        }
        used
    }
}

/// Whether every value found is to be made again and compared:
/// `TELLYOU_VERIFY_MEMO=1`.
pub fn verifying() -> bool {
    std::env::var_os("TELLYOU_VERIFY_MEMO").is_some_and(|v| v == "1")
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    struct Text(&'static str);

    impl MemoKey for Text {
        fn memo_key(&self) -> blake3::Hash {
            blake3::hash(self.0.as_bytes())
        }
    }

    #[test]
    fn a_kept_value_is_made_once_and_found_by_the_next_build() {
        let made = AtomicUsize::new(0);
        let upper = |text: &Text| {
            made.fetch_add(1, Ordering::Relaxed);
            text.0.to_uppercase()
        };
        let mut memo = Memo::new("upper", Keep::ForRebuilds);
        memo.verify = false;
        assert_eq!(memo.get_or(&Text("a"), upper), "A");
        assert_eq!(memo.get_or(&Text("a"), upper), "A");
        memo.next_build();
        assert_eq!(memo.each(&[Text("a"), Text("b")], upper), ["A", "B"]);
        assert_eq!(made.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn a_build_keeps_only_what_it_used() {
        let mut memo = Memo::new("upper", Keep::ForRebuilds);
        memo.get_or(&Text("a"), |t| t.0.to_uppercase());
        memo.next_build();
        memo.get_or(&Text("b"), |t| t.0.to_uppercase());
        memo.next_build();
        assert!(memo.earlier.value("upper", &Text("b").memo_key()).is_some());
        assert!(memo.earlier.value("upper", &Text("a").memo_key()).is_none());
    }

    #[test]
    fn a_value_made_away_from_the_build_is_found_by_the_next() {
        let mut memo = Memo::new("upper", Keep::ForRebuilds);
        memo.verify = false;
        assert_eq!(memo.find(&Text("a")), None);
        memo.keep(Text("a").memo_key(), "A".to_owned());
        memo.next_build();
        assert_eq!(memo.find(&Text("a")).as_deref(), Some("A"));
        assert_eq!(memo.get_or(&Text("a"), |_| unreachable!()), "A");
    }

    #[test]
    fn a_value_found_as_used_is_kept_for_the_next_build_and_one_only_found_is_not() {
        let mut memo = Memo::new("upper", Keep::ForRebuilds);
        memo.verify = false;
        memo.keep(Text("a").memo_key(), "A".to_owned());
        memo.keep(Text("b").memo_key(), "B".to_owned());
        memo.next_build();
        assert_eq!(memo.find_used(&Text("a")).as_deref(), Some("A"));
        assert_eq!(memo.find(&Text("b")).as_deref(), Some("B"));
        assert_eq!(memo.find_used(&Text("c")), None);
        memo.next_build();
        assert_eq!(memo.find(&Text("a")).as_deref(), Some("A"));
        assert_eq!(memo.find(&Text("b")), None);
    }

    #[test]
    fn memos_that_share_what_is_made_find_each_other_s_values() {
        let made = AtomicUsize::new(0);
        let upper = |text: &Text| {
            made.fetch_add(1, Ordering::Relaxed);
            text.0.to_uppercase()
        };
        let mut first = Memo::new("upper", Keep::ForRebuilds);
        first.verify = false;
        let apart = first.sharing();
        first.share_what_is_made();
        let (mut one, mut two) = (first.sharing(), first.sharing());
        (one.verify, two.verify) = (false, false);
        assert_eq!(one.get_or(&Text("a"), upper), "A");
        assert_eq!(two.get_or(&Text("a"), upper), "A");
        assert_eq!(made.load(Ordering::Relaxed), 1);
        apart.get_or(&Text("a"), upper);
        assert_eq!(
            made.load(Ordering::Relaxed),
            2,
            "a memo shared before does not"
        );
    }

    #[test]
    fn builds_in_turns_that_make_little_write_it_in_one_file_when_tidied() {
        let folder = tempfile::tempdir().unwrap();
        let files = || std::fs::read_dir(folder.path()).unwrap().count();
        let mut shared = Memo::<String>::new("upper", Keep::ForRebuilds);
        shared.read_disk(folder.path());
        let mut used = std::collections::HashSet::new();
        for text in ["a", "b", "c"] {
            let turn = shared.sharing();
            turn.get_or(&Text(text), |t| t.0.to_uppercase());
            let (problems, keys) = turn.add(folder.path(), &[]);
            assert!(problems.is_empty());
            used.extend(keys);
        }
        assert_eq!(files(), 0, "nothing is written until there is much");
        assert!(shared.tidy(folder.path(), &used).is_empty());
        assert_eq!(files(), 1);
        let mut next = Memo::<String>::new("upper", Keep::ForRebuilds);
        next.verify = false;
        next.read_disk(folder.path());
        assert_eq!(next.find(&Text("b")).as_deref(), Some("B"));
    }

    #[test]
    fn a_value_builds_in_turns_made_again_after_it_was_written_is_not_written_twice() {
        let folder = tempfile::tempdir().unwrap();
        let mut shared = Memo::<String>::new("number", Keep::ForRebuilds);
        shared.read_disk(folder.path());
        let numbers: Vec<String> = (0..=MOST_UNWRITTEN).map(|n| n.to_string()).collect();
        let mut used = std::collections::HashSet::new();
        for turn in [&numbers[..MOST_UNWRITTEN], &numbers[..]] {
            let memo = shared.sharing();
            for number in turn {
                memo.keep(blake3::hash(number.as_bytes()), number.clone());
            }
            let (problems, keys) = memo.add(folder.path(), &[]);
            assert!(problems.is_empty());
            used.extend(keys);
        }
        assert!(shared.tidy(folder.path(), &used).is_empty());
        let read = on_disk::read::<String>(folder.path(), "number");
        assert_eq!(read.values.len(), numbers.len());
        assert_eq!(
            read.files.values(),
            numbers.len(),
            "each value is written once"
        );
    }

    #[test]
    fn a_memo_that_keeps_nothing_makes_every_value() {
        let made = AtomicUsize::new(0);
        let memo = Memo::new("count", Keep::Nothing);
        for _ in 0..3 {
            memo.get_or(&Text("a"), |_| made.fetch_add(1, Ordering::Relaxed));
        }
        assert_eq!(made.load(Ordering::Relaxed), 3);
    }

    #[test]
    #[should_panic(expected = "the memo of stage 'forgetful' kept a value that differs")]
    fn verifying_finds_a_key_that_forgets_an_input() {
        let mut memo = Memo::new("forgetful", Keep::ForRebuilds);
        memo.verify = true;
        memo.get_or(&Text("a"), |_| 1);
        memo.next_build();
        memo.get_or(&Text("a"), |_| 2);
    }
}
