//! One page as the search index holds it: its excerpt, in the JSON Pagefind's
//! script reads, and each of its words with where the word is in its text and its
//! title, written as Pagefind's word lists write them. A page is made into one on
//! its own, so that a build indexes only the pages that changed. Uses serde,
//! serde_json, blake3 and rustc-hash, this stage's word rules and CBOR writing,
//! and `search_reading` and `stored`.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::cbor::cbor_integers;
use super::words::{IndexWord, Stemming, index_words, with_index_words};
use crate::support::search_reading::{Anchor, PLAIN_WEIGHT, PageText};
use crate::support::stored::{Apart, StoredText};

/// The one field of a page's details that the index holds: its title.
pub const TITLE_FIELD: &str = "title";

/// One page as the index holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexedPage {
    /// The language of the page, as its `lang` says, lower case.
    pub language: String,
    /// The page's excerpt: Pagefind's JSON of its address, text, title and headings.
    /// The cache keeps it apart: only a file of excerpts that changed reads it.
    pub excerpt: StoredText,
    /// A hash of the excerpt, which names its file, and says what a file of several
    /// pages' excerpts holds without reading them.
    pub excerpt_hash: blake3::Hash,
    /// How many words the page has.
    pub word_count: u32,
    /// Whether the page has any word to index.
    pub has_words: bool,
    /// Each word of the page, in order, and where it is. The cache keeps them
    /// apart: a build reads them only to gather again the run of pages the page
    /// is in.
    pub words: Apart<Words>,
}

/// Each word of a page, in order, with where it is and its forms with marks on
/// its letters, packed into a few buffers: a page read from the cache is a few
/// allocations, not a few for each of its words.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Words {
    /// The words and their forms, one after another.
    text: String,
    /// The places of each, one after another, as [`Places::encoded`].
    #[serde(with = "serde_bytes")]
    places: Vec<u8>,
    /// Each word, followed by each of its forms with marks.
    #[serde(with = "packed_entries")]
    entries: Vec<Entry>,
}

/// Where a word or a form ends in [`Words::text`], and its places in
/// [`Words::places`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Entry {
    text_end: u32,
    places_end: u32,
    /// How many places it has.
    count: u32,
    /// For a word, how many of its forms with marks follow it; none for a form.
    forms: u32,
}

/// A page's entries, kept as one run of bytes, four little-endian numbers each:
/// read back at the speed of copying them, where a list of numbers is read one
/// number at a time. A site of 10,000 pages has over a million entries.
mod packed_entries {
    use serde::de::{Error, Visitor};
    use serde::{Deserializer, Serializer};

    use super::Entry;

    const NUMBERS: usize = 4;
    const LENGTH: usize = NUMBERS * 4;

    pub fn serialize<S: Serializer>(entries: &[Entry], serializer: S) -> Result<S::Ok, S::Error> {
        let mut bytes = Vec::with_capacity(entries.len() * LENGTH);
        for entry in entries {
            for number in [entry.text_end, entry.places_end, entry.count, entry.forms] {
                bytes.extend_from_slice(&number.to_le_bytes());
            }
        }
        serializer.serialize_bytes(&bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Entry>, D::Error> {
        deserializer.deserialize_bytes(Entries)
    }

    struct Entries;

    impl Visitor<'_> for Entries {
        type Value = Vec<Entry>;

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("a page's entries, 16 bytes each")
        }

        fn visit_bytes<E: Error>(self, bytes: &[u8]) -> Result<Vec<Entry>, E> {
            if bytes.len() % LENGTH != 0 {
                return Err(E::custom("a page's entries are cut short"));
            }
            let number = |bytes: &[u8], at: usize| {
                u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
            };
            let entries = bytes.chunks_exact(LENGTH).map(|entry| Entry {
                text_end: number(entry, 0),
                places_end: number(entry, 4),
                count: number(entry, 8),
                forms: number(entry, 12),
            });
            Ok(entries.collect())
        }
    }
}

/// One word of a page, read from its [`Words`].
pub struct PageWord<'a> {
    pub word: &'a str,
    pub places: Places<'a>,
    words: &'a Words,
    /// Where its forms with marks are among the entries.
    forms: std::ops::Range<usize>,
}

/// Where a word is in a page's text, each place after a change of weight given
/// as a negative number, and in its title; kept as a chunk of the word list writes
/// them, so that putting the index together copies them as they are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Places<'a> {
    /// How many places there are, in the text and the title together.
    pub count: u32,
    /// The places in the text, then those in the title: two CBOR arrays.
    pub encoded: &'a [u8],
}

impl Words {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Each word, in order.
    pub fn iter(&self) -> impl Iterator<Item = PageWord<'_>> {
        let mut at = 0;
        std::iter::from_fn(move || {
            let entry = self.entries.get(at)?;
            let (word, places) = self.entry(at);
            let forms = at + 1..(at + 1 + entry.forms as usize).min(self.entries.len());
            at = forms.end;
            Some(PageWord {
                word,
                places,
                words: self,
                forms,
            })
        })
    }

    /// The text and the places of entry `at`.
    fn entry(&self, at: usize) -> (&str, Places<'_>) {
        let (text_start, places_start) = match at.checked_sub(1) {
            Some(before) => (
                self.entries[before].text_end,
                self.entries[before].places_end,
            ),
            None => (0, 0),
        };
        let entry = &self.entries[at];
        let text = (self.text).get(text_start as usize..entry.text_end as usize);
        let encoded = (self.places).get(places_start as usize..entry.places_end as usize);
        let places = Places {
            count: entry.count,
            encoded: encoded.unwrap_or_default(),
        };
        (text.unwrap_or_default(), places)
    }

    /// Adds a word, or a form of the word added last, with its places; `forms` is
    /// how many forms of a word follow it.
    fn push(&mut self, text: &str, places: Unwritten, forms: usize) {
        self.text.push_str(text);
        let count = places.write(&mut self.places);
        let end = |length: usize| u32::try_from(length).unwrap_or(u32::MAX);
        self.entries.push(Entry {
            text_end: end(self.text.len()),
            places_end: end(self.places.len()),
            count,
            forms: end(forms),
        });
    }
}

impl<'a> PageWord<'a> {
    /// The places of the word as written with marks on its letters, by that form.
    pub fn with_marks(&self) -> impl Iterator<Item = (&'a str, Places<'a>)> + use<'a> {
        let words = self.words;
        self.forms.clone().map(move |at| words.entry(at))
    }
}

/// Where a word is, before it is written.
#[derive(Default)]
struct Unwritten {
    in_text: Vec<i32>,
    in_title: Vec<i32>,
}

/// A page's excerpt as Pagefind's script reads it.
#[derive(Serialize)]
struct Excerpt<'a> {
    url: &'a str,
    content: &'a str,
    word_count: u32,
    filters: BTreeMap<String, Vec<String>>,
    meta: BTreeMap<&'static str, &'a str>,
    anchors: Vec<ExcerptAnchor<'a>>,
}

#[derive(Serialize)]
struct ExcerptAnchor<'a> {
    element: &'a str,
    id: &'a str,
    text: &'a str,
    location: u32,
}

/// The JSON of `excerpt`, written into room made for it at once, not grown as it
/// is written.
fn excerpt_json(excerpt: &Excerpt<'_>) -> String {
    let anchors: usize = (excerpt.anchors.iter())
        .map(|anchor| anchor.id.len() + anchor.text.len() + 64)
        .sum();
    let meta: usize = excerpt.meta.values().map(|value| value.len() + 16).sum();
    // The text, its details and address, and room for escapes and the field names.
    let room = excerpt.content.len() + meta + excerpt.url.len() + anchors;
    let mut json = Vec::with_capacity(room + room / 16 + 128);
    match serde_json::to_writer(&mut json, excerpt) {
        Ok(()) => String::from_utf8(json).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// One word place: the position of the word in the page and its weight.
struct Place {
    position: u32,
    weight: u8,
}

impl IndexedPage {
    /// The page at `url`, in `language`, whose text is `text`.
    pub fn new(url: &str, language: &str, text: &PageText) -> IndexedPage {
        let language = language.to_lowercase();
        let stemming = Stemming::of(&language);
        let mut found: Found = FxHashMap::default();
        with_index_words(&stemming, |index_words| {
            for (position, (written, weight)) in text.words().enumerate() {
                let position = u32::try_from(position).unwrap_or(u32::MAX);
                index_words.with(written, |words| {
                    let parts = words.iter().filter(|w| w.is_part).count();
                    let part_weight = match (parts, weight) {
                        (0, _) | (_, 0) => 0,
                        (parts, weight) => (weight / u8::try_from(parts).unwrap_or(u8::MAX)).max(1),
                    };
                    for word in words {
                        let weight = if word.is_part { part_weight } else { weight };
                        found_at(&mut found, word, Place { position, weight });
                    }
                });
            }
        });
        let title = text.title.as_deref().unwrap_or_default();
        let words = with_title(found, title_places(title, &stemming));
        let word_count = u32::try_from(text.weights.len().max(1)).unwrap_or(u32::MAX);
        let excerpt = Excerpt {
            url,
            content: &text.content,
            word_count,
            filters: BTreeMap::new(),
            meta: BTreeMap::from([(TITLE_FIELD, title)]),
            anchors: text.anchors.iter().map(ExcerptAnchor::of).collect(),
        };
        let excerpt = excerpt_json(&excerpt);
        IndexedPage {
            excerpt_hash: blake3::hash(excerpt.as_bytes()),
            excerpt: excerpt.into(),
            language,
            word_count,
            has_words: !words.is_empty(),
            words: words.into(),
        }
    }
}

/// Notes that `word` is at `place`, keeping its stem and form only when it is
/// first found.
fn found_at(found: &mut Found, word: &IndexWord, place: Place) {
    let (plain, marked) = match found.get_mut(word.stem.as_str()) {
        Some(entry) => entry,
        None => found.entry(word.stem.clone()).or_default(),
    };
    match &word.with_marks {
        None => plain.push(place),
        Some(form) => match marked.get_mut(form.as_str()) {
            Some(places) => places.push(place),
            None => {
                marked.insert(form.clone(), vec![place]);
            }
        },
    }
}

impl<'a> ExcerptAnchor<'a> {
    fn of(anchor: &'a Anchor) -> ExcerptAnchor<'a> {
        ExcerptAnchor {
            element: &anchor.element,
            id: &anchor.id,
            text: &anchor.text,
            location: anchor.location,
        }
    }
}

/// Where each word of the title is, by its stem and its form with marks.
fn title_places(title: &str, stemming: &Stemming) -> TitlePlaces {
    let mut places = TitlePlaces::default();
    for (position, written) in title.split_whitespace().enumerate() {
        for word in index_words(written, stemming) {
            let at = places.entry((word.stem, word.with_marks)).or_default();
            // The title is field 0, written as -1 before its places.
            if at.is_empty() {
                at.push(-1);
            }
            let position = i32::try_from(position).unwrap_or(i32::MAX);
            let last: i32 = at.iter().skip(1).sum();
            at.push(position - last);
        }
    }
    places
}

/// Each word found in the text, by FxHash, as a word is short: its places, and
/// those of each of its forms with marks.
type Found = FxHashMap<String, (Vec<Place>, BTreeMap<String, Vec<Place>>)>;

/// Each word of the title, with its form with marks if it has one, and its places.
type TitlePlaces = FxHashMap<(String, Option<String>), Vec<i32>>;

/// The page's words from where each was found in its text and in its title,
/// sorted by word.
fn with_title(found: Found, in_title: TitlePlaces) -> Words {
    type Word = (Unwritten, Vec<(String, Unwritten)>);
    let mut words: Vec<(String, Word)> = (found.into_iter())
        .map(|(word, (plain, marked))| {
            let with_marks = (marked.into_iter())
                .map(|(form, places)| (form, Unwritten::in_text(packed(places))))
                .collect();
            (word, (Unwritten::in_text(packed(plain)), with_marks))
        })
        .collect();
    // Each word is found once, so the order of equal words cannot matter.
    words.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
    for ((stem, form), places) in in_title {
        let at = match words.binary_search_by(|(word, _)| word.cmp(&stem)) {
            Ok(at) => at,
            Err(at) => {
                words.insert(at, (stem, Word::default()));
                at
            }
        };
        let (plain, with_marks) = &mut words[at].1;
        let at = match form {
            None => plain,
            Some(form) => form_entry(with_marks, form),
        };
        at.in_title = places;
    }
    let mut written = Words::default();
    for (word, (plain, with_marks)) in words {
        written.push(&word, plain, with_marks.len());
        for (form, places) in with_marks {
            written.push(&form, places, 0);
        }
    }
    written
}

/// What `form` has among a word's `forms`, added after them if it is not there
/// yet: the forms stay in the order they first come.
pub fn form_entry<F: PartialEq, V: Default>(forms: &mut Vec<(F, V)>, form: F) -> &mut V {
    let at = match forms.iter().position(|(f, _)| *f == form) {
        Some(at) => at,
        None => {
            forms.push((form, V::default()));
            forms.len() - 1
        }
    };
    &mut forms[at].1
}

impl Unwritten {
    fn in_text(in_text: Vec<i32>) -> Unwritten {
        Unwritten {
            in_text,
            in_title: Vec::new(),
        }
    }

    /// Writes the places at the end of `encoded`, and gives how many they are.
    fn write(self, encoded: &mut Vec<u8>) -> u32 {
        cbor_integers(encoded, &self.in_text);
        cbor_integers(encoded, &self.in_title);
        u32::try_from(self.in_text.len() + self.in_title.len()).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
impl Places<'_> {
    /// The places in the text and in the title, read back.
    fn read(&self) -> (Vec<i32>, Vec<i32>) {
        let mut decoder = minicbor::Decoder::new(self.encoded);
        (decoder.decode().unwrap(), decoder.decode().unwrap())
    }
}

/// A page's places of one word, as the index writes them: those of the usual
/// weight first, then by weight; each a step from the one before, and each change
/// of weight written as the weight's negative, less one, before a whole position.
fn packed(mut places: Vec<Place>) -> Vec<i32> {
    const USUAL: u8 = PLAIN_WEIGHT + 1;
    let order = |p: &Place| (if p.weight == USUAL { 0 } else { p.weight }, p.position);
    // Places are found in order, and most of a word's are of the usual weight.
    if !places.is_sorted_by_key(order) {
        places.sort_by_key(order);
    }
    let mut packed = Vec::with_capacity(places.len() + 2);
    let (mut weight, mut last) = (USUAL, 0);
    for Place {
        position,
        weight: this,
    } in places
    {
        let position = i32::try_from(position).unwrap_or(i32::MAX);
        if this != weight {
            packed.push(-i32::from(this) - 1);
            packed.push(position);
            weight = this;
        } else {
            packed.push(position - last);
        }
        last = position;
    }
    packed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::search_index::page_text::read;

    fn page(title: &str, body: &str) -> IndexedPage {
        let html = format!("<html lang=\"en-GB\"><body><h1>{title}</h1>{body}</body></html>");
        IndexedPage::new("/page/", "en-GB", &read(&html))
    }

    #[test]
    fn places_are_steps_with_each_change_of_weight_marked() {
        let places = vec![
            Place {
                position: 5,
                weight: 24,
            },
            Place {
                position: 1,
                weight: 144,
            },
            Place {
                position: 3,
                weight: 24,
            },
        ];
        // The usual weight is written as 25, so a page's first place marks 24.
        assert_eq!(packed(places), [-25, 3, 2, -145, 1]);
    }

    #[test]
    fn a_page_keeps_its_words_sorted_with_their_places_and_its_excerpt() {
        let page = page("Crying", "<p>Babies cry. Crying is normal.</p>");
        let words: Vec<&str> = page.words.iter().map(|w| w.word).collect();
        assert_eq!(words, ["babi", "cri", "is", "normal"]);
        let cry = page.words.iter().nth(1).unwrap();
        // "cry" and "Crying" in the text, then "Crying" in the heading (7 × 24).
        let (in_text, in_title) = cry.places.read();
        assert_eq!(in_text, [-25, 2, 1, -169, 0]);
        assert_eq!(in_title, [-1, 0]);
        assert_eq!(page.language, "en-gb");
        assert_eq!(page.word_count, 6);
        let excerpt: serde_json::Value = serde_json::from_str(&page.excerpt).unwrap();
        assert_eq!(excerpt["content"], "Crying. Babies cry. Crying is normal.");
        assert_eq!(excerpt["meta"]["title"], "Crying");
        assert_eq!(excerpt["url"], "/page/");
    }

    #[test]
    fn a_page_s_words_and_their_forms_read_back_from_the_cache_as_they_were() {
        let page = page("Crèche", "<p>A crèche, a creche and a café.</p>");
        let listed = |page: &IndexedPage| -> Vec<(String, Vec<u8>, Vec<String>)> {
            (page.words.iter())
                .map(|w| {
                    let forms = w.with_marks().map(|(form, _)| form.to_owned()).collect();
                    (w.word.to_owned(), w.places.encoded.to_vec(), forms)
                })
                .collect()
        };
        let read: IndexedPage = postcard::from_bytes(&postcard::to_stdvec(&page).unwrap()).unwrap();
        assert_eq!(read, page);
        assert_eq!(listed(&read), listed(&page));
        let words: Vec<(String, Vec<String>)> = (listed(&page).into_iter())
            .map(|(word, _, forms)| (word, forms))
            .collect();
        assert_eq!(
            words,
            [
                ("a".into(), vec![]),
                ("and".into(), vec![]),
                ("cafe".into(), vec!["café".into()]),
                ("crech".into(), vec!["crèche".into()]),
            ]
        );
    }

    #[test]
    fn a_page_whose_entries_are_cut_short_is_not_read_from_the_cache() {
        let page = page("Crying", "<p>Babies cry.</p>");
        let mut bytes = postcard::to_stdvec(&*page.words).unwrap();
        // The entries come last, after their length, which fits one byte here.
        let packed = page.words.entries.len() * 16;
        assert!(packed > 0 && packed < 128);
        let at = bytes.len() - packed - 1;
        assert_eq!(usize::from(bytes[at]), packed);
        bytes[at] -= 1;
        bytes.pop();
        let error = postcard::from_bytes::<Words>(&bytes).unwrap_err();
        assert_eq!(error, postcard::Error::SerdeDeCustom);
    }

    #[test]
    fn a_word_with_marks_is_kept_under_its_bare_form() {
        let page = page("Nursery", "<p>The crèche</p>");
        let creche = page.words.iter().find(|w| w.word == "crech").unwrap();
        assert_eq!(creche.places.count, 0);
        let forms: Vec<&str> = creche.with_marks().map(|(form, _)| form).collect();
        assert_eq!(forms, ["crèche"]);
        assert!(creche.with_marks().all(|(_, places)| places.count > 0));
    }
}
