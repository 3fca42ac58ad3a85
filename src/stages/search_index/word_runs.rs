//! A run of one language's pages with their words gathered: each word the pages
//! have, with the pages it is on and where, already in the bytes a chunk of the
//! word list writes for them. A language's word list is put together from its
//! runs, so that a build with one page changed gathers again only the run that
//! page is in, and finds each other run as an earlier build kept it, without
//! reading the words of its pages. Uses serde, serde_bytes, rustc-hash and
//! blake3, this stage's indexed pages and CBOR writing, and `cache_key` and
//! `memo`.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::cbor::{CBOR_ARRAY, CBOR_UNSIGNED, cbor_head};
use super::indexed_page::{IndexedPage, Places, form_entry};
use crate::memo::MemoKey;

/// How many pages a run holds: enough that a site's runs are few to put together,
/// few enough that a run is soon gathered again.
pub const PAGES_A_RUN: usize = 1024;

/// What a run is gathered from: its pages, each with the key of what it was
/// indexed from, the first of which is page number `first` of its language's index.
pub struct RunInput<'a> {
    pub first: usize,
    pub pages: &'a [(&'a blake3::Hash, &'a IndexedPage)],
}

impl MemoKey for RunInput<'_> {
    /// A page is indexed from what its key says, and its number follows from the
    /// first.
    fn memo_key(&self) -> blake3::Hash {
        let mut key = crate::support::cache_key::Key::new();
        key.field("a run of the word list")
            .field((self.first as u64).to_le_bytes());
        for (page, _) in self.pages {
            key.field(page.as_bytes());
        }
        key.finish()
    }
}

/// A run's words, sorted, each followed by its forms with marks, in a few buffers:
/// a run read from the cache is a few allocations, not a few for each word.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WordRun {
    /// Each word and form, one after another.
    text: String,
    /// The pages of each word and form, one after another, as [`Pages`] says.
    #[serde(with = "serde_bytes")]
    written: Vec<u8>,
    /// For each word and form, [`NUMBERS`] little-endian numbers, in the order
    /// [`Entry`] names them.
    #[serde(with = "serde_bytes")]
    entries: Vec<u8>,
}

/// What is kept of each word or form: where its text and pages end, its pages'
/// [`Pages`] numbers, and for a word, how many forms follow it.
struct Entry {
    text_end: u32,
    written_end: u32,
    pages: u32,
    first: u32,
    last: u32,
    size: u32,
    forms: u32,
}

const NUMBERS: usize = 7;
const ENTRY_BYTES: usize = NUMBERS * 4;

/// The pages of the run a word or a form is on, as a chunk writes them.
#[derive(Debug, Clone, Copy)]
pub struct Pages<'r> {
    /// How many: none for a word found only written with marks.
    pub count: u32,
    /// The numbers of the first and the last.
    pub first: u32,
    pub last: u32,
    /// How much of a chunk they fill: each page, and each of its places.
    pub size: u32,
    /// The first page's places, then each later page whole, its number written as
    /// a step from the one before.
    pub written: &'r [u8],
}

/// A word of a run, and its forms with marks.
pub struct RunWord<'r> {
    pub word: &'r str,
    pub pages: Pages<'r>,
    run: &'r WordRun,
    forms: Range<usize>,
}

impl<'r> RunWord<'r> {
    /// The pages of the run each of its forms with marks is on, in the order the
    /// run's pages first have them.
    pub fn with_marks(&self) -> impl Iterator<Item = (&'r str, Pages<'r>)> + use<'r> {
        let run = self.run;
        self.forms.clone().map(move |at| run.entry(at))
    }
}

impl WordRun {
    /// Gathers the words of `input`'s pages.
    pub fn gather(input: &RunInput) -> WordRun {
        let mut words: rustc_hash::FxHashMap<&str, Gathered> = rustc_hash::FxHashMap::default();
        for (number, (_, page)) in (input.first..).zip(input.pages) {
            let number = u32::try_from(number).unwrap_or(u32::MAX);
            for word in page.words.iter() {
                let gathered = words.entry(word.word).or_default();
                if word.places.count > 0 {
                    gathered.pages.push((number, word.places));
                }
                for (form, places) in word.with_marks() {
                    form_entry(&mut gathered.forms, form).push((number, places));
                }
            }
        }
        let mut sorted: Vec<(&str, Gathered)> = words.into_iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut run = WordRun::default();
        for (word, gathered) in &sorted {
            run.push(word, &gathered.pages, gathered.forms.len());
            for (form, pages) in &gathered.forms {
                run.push(form, pages, 0);
            }
        }
        run
    }

    /// Adds a word, or a form of the word added last, on `pages`; `forms` is how
    /// many forms of a word follow it.
    fn push(&mut self, text: &str, pages: &[(u32, Places)], forms: usize) {
        self.text.push_str(text);
        let mut last = 0;
        let mut size = 0;
        for (at, (number, places)) in pages.iter().enumerate() {
            if at > 0 {
                cbor_head(&mut self.written, CBOR_ARRAY, 3);
                cbor_head(&mut self.written, CBOR_UNSIGNED, u64::from(number - last));
            }
            self.written.extend_from_slice(places.encoded);
            last = *number;
            size += places.count + 1;
        }
        let end = |length: usize| u32::try_from(length).unwrap_or(u32::MAX);
        let numbers = [
            end(self.text.len()),
            end(self.written.len()),
            end(pages.len()),
            pages.first().map_or(0, |(number, _)| *number),
            last,
            size,
            end(forms),
        ];
        for number in numbers {
            self.entries.extend_from_slice(&number.to_le_bytes());
        }
    }

    /// Each word, in order.
    pub fn words(&self) -> impl Iterator<Item = RunWord<'_>> {
        let count = self.entries.len() / ENTRY_BYTES;
        let mut at = 0;
        std::iter::from_fn(move || {
            if at >= count {
                return None;
            }
            let (word, pages) = self.entry(at);
            let forms = at + 1..(at + 1 + self.numbers(at).forms as usize).min(count);
            at = forms.end;
            Some(RunWord {
                word,
                pages,
                run: self,
                forms,
            })
        })
    }

    fn numbers(&self, at: usize) -> Entry {
        let bytes = self.entries.get(at * ENTRY_BYTES..).unwrap_or_default();
        let number = |n: usize| {
            (bytes.get(n * 4..n * 4 + 4))
                .and_then(|b| b.try_into().ok())
                .map_or(0, u32::from_le_bytes)
        };
        Entry {
            text_end: number(0),
            written_end: number(1),
            pages: number(2),
            first: number(3),
            last: number(4),
            size: number(5),
            forms: number(6),
        }
    }

    /// The text and the pages of entry `at`. A run read from a cache file is as
    /// this build wrote it, which the file's checksum says; any other reads as
    /// empty text and pages, never out of bounds.
    fn entry(&self, at: usize) -> (&str, Pages<'_>) {
        let (text_start, written_start) = match at.checked_sub(1) {
            Some(before) => {
                let before = self.numbers(before);
                (before.text_end, before.written_end)
            }
            None => (0, 0),
        };
        let entry = self.numbers(at);
        let text = (self.text).get(text_start as usize..entry.text_end as usize);
        let written = (self.written).get(written_start as usize..entry.written_end as usize);
        let pages = Pages {
            count: entry.pages,
            first: entry.first,
            last: entry.last,
            size: entry.size,
            written: written.unwrap_or_default(),
        };
        (text.unwrap_or_default(), pages)
    }
}

/// A word's pages as gathered from a run's pages, before they are written.
#[derive(Default)]
struct Gathered<'a> {
    pages: Vec<(u32, Places<'a>)>,
    forms: Vec<(&'a str, Vec<(u32, Places<'a>)>)>,
}

/// Writes the pages of several runs a word or a form is on, in order, at the end of
/// `bytes`: each page's number a step from the one before.
pub fn write_pages<'r>(runs: impl Iterator<Item = &'r Pages<'r>> + Clone, bytes: &mut Vec<u8>) {
    let count: u64 = runs.clone().map(|run| u64::from(run.count)).sum();
    cbor_head(bytes, CBOR_ARRAY, count);
    let mut last = 0;
    for run in runs.filter(|run| run.count > 0) {
        cbor_head(bytes, CBOR_ARRAY, 3);
        cbor_head(
            bytes,
            CBOR_UNSIGNED,
            u64::from(run.first.saturating_sub(last)),
        );
        bytes.extend_from_slice(run.written);
        last = run.last;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::search_index::page_text::read;

    fn page(words: &str) -> IndexedPage {
        let html = format!("<html><body><h1>Crying</h1><p>{words}</p></body></html>");
        IndexedPage::new("/crying/", "fr", &read(&html))
    }

    fn run(pages: &[IndexedPage], first: usize) -> WordRun {
        let key = blake3::hash(b"a page");
        let pages: Vec<(&blake3::Hash, &IndexedPage)> = pages.iter().map(|p| (&key, p)).collect();
        WordRun::gather(&RunInput {
            first,
            pages: &pages,
        })
    }

    /// Each word of `run`, with the numbers of the pages it is on and its forms.
    fn listed(run: &WordRun) -> Vec<(String, u32, u32, u32, Vec<String>)> {
        (run.words())
            .map(|word| {
                let forms = word.with_marks().map(|(form, _)| form.to_owned()).collect();
                let pages = word.pages;
                (
                    word.word.to_owned(),
                    pages.count,
                    pages.first,
                    pages.last,
                    forms,
                )
            })
            .collect()
    }

    #[test]
    fn a_run_lists_its_words_in_order_with_their_pages_and_forms() {
        let pages = [page("le café"), page("un cafe"), page("le thé, le café")];
        let words = listed(&run(&pages, 10));
        let caf = words.iter().find(|(word, ..)| word == "caf").unwrap();
        // Only the second page has the word without marks.
        assert_eq!(caf, &("caf".into(), 1, 11, 11, vec!["café".into()]));
        let le = words.iter().find(|(word, ..)| word == "le").unwrap();
        assert_eq!((le.1, le.2, le.3), (2, 10, 12));
        let sorted = words.windows(2).all(|pair| pair[0].0 < pair[1].0);
        assert!(sorted, "{words:?}");
    }

    #[test]
    fn a_run_read_back_from_the_cache_is_the_run_written() {
        let pages = [page("babies cry"), page("crèche and cry")];
        let written = run(&pages, 0);
        let bytes = postcard::to_stdvec(&written).unwrap();
        let read: WordRun = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(read, written);
        assert_eq!(listed(&read), listed(&written));
    }

    #[test]
    fn a_damaged_run_reads_as_what_it_can_and_never_past_its_bytes() {
        let pages = [page("babies cry"), page("crèche and cry")];
        let mut damaged = run(&pages, 0);
        // Numbers that point past the text and the pages, and a count of forms
        // past the last entry.
        for byte in damaged.entries.iter_mut().skip(3).step_by(5) {
            *byte = 0xff;
        }
        damaged.entries.truncate(damaged.entries.len() - 3);
        let words: Vec<RunWord> = damaged.words().collect();
        let pages: Vec<Pages> = words.iter().map(|word| word.pages).collect();
        let mut bytes = Vec::new();
        write_pages(pages.iter(), &mut bytes);
        let forms = words.iter().flat_map(|word| word.with_marks()).count();
        assert!(words.len() + forms <= damaged.entries.len() / ENTRY_BYTES + 1);
    }

    #[test]
    fn a_run_is_found_again_only_with_the_same_first_page_and_pages() {
        let (one, two) = (blake3::hash(b"one"), blake3::hash(b"two"));
        let page = page("cry");
        let key = |first: usize, keys: &[&blake3::Hash]| {
            let pages: Vec<(&blake3::Hash, &IndexedPage)> =
                keys.iter().map(|key| (*key, &page)).collect();
            RunInput {
                first,
                pages: &pages,
            }
            .memo_key()
        };
        assert_eq!(key(0, &[&one, &two]), key(0, &[&one, &two]));
        assert_ne!(key(0, &[&one, &two]), key(1024, &[&one, &two]));
        assert_ne!(key(0, &[&one, &two]), key(0, &[&two, &one]));
        assert_ne!(key(0, &[&one, &two]), key(0, &[&one]));
    }
}
