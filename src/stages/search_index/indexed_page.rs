//! One page as the search index holds it: its excerpt, in the JSON Pagefind's
//! script reads, and each of its words with where the word is in its text and its
//! title, written as Pagefind's word lists write them. A page is made into one on
//! its own, so that a build indexes only the pages that changed. Uses serde,
//! serde_json and minicbor, and this stage's word rules and reading of a page.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::page_text::{Anchor, PLAIN_WEIGHT, PageText};
use super::words::{IndexWord, Stemming, index_words};

/// The one field of a page's details that the index holds: its title.
pub const TITLE_FIELD: &str = "title";

/// One page as the index holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexedPage {
    /// The language of the page, as its `lang` says, lower case.
    pub language: String,
    /// The page's excerpt: Pagefind's JSON of its address, text, title and headings.
    pub excerpt: String,
    /// How many words the page has.
    pub word_count: u32,
    /// Each word of the page, in order, and where it is.
    pub words: Vec<PageWord>,
}

/// Where one word is on a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageWord {
    pub word: String,
    pub places: Places,
    /// The places of the word as written with marks on its letters, by that form.
    pub with_marks: Vec<(String, Places)>,
}

/// Where a word is in a page's text, each place after a change of weight given
/// as a negative number, and in its title; kept as a chunk of the word list writes
/// them, so that putting the index together copies them as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Places {
    /// How many places there are, in the text and the title together.
    pub count: u32,
    /// The places in the text, then those in the title: two CBOR arrays.
    #[serde(with = "serde_bytes")]
    pub encoded: Vec<u8>,
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
    content: String,
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
        let mut found: Found = HashMap::new();
        let mut content = String::new();
        for (position, (written, weight)) in text.words.iter().enumerate() {
            let position = u32::try_from(position).unwrap_or(u32::MAX);
            if !content.is_empty() {
                content.push(' ');
            }
            content.push_str(written);
            let words = index_words(written, &stemming);
            let parts = words.iter().filter(|w| w.is_part).count();
            let part_weight = match (parts, *weight) {
                (0, _) | (_, 0) => 0,
                (parts, weight) => (weight / u8::try_from(parts).unwrap_or(u8::MAX)).max(1),
            };
            for IndexWord {
                stem,
                with_marks,
                is_part,
            } in words
            {
                let weight = if is_part { part_weight } else { *weight };
                let (plain, marked) = found.entry(stem).or_default();
                let place = Place { position, weight };
                match with_marks {
                    None => plain.push(place),
                    Some(form) => marked.entry(form).or_default().push(place),
                }
            }
        }
        let title = text.title.as_deref().unwrap_or_default();
        let words = with_title(found, title_places(title, &stemming));
        let word_count = u32::try_from(text.words.len().max(1)).unwrap_or(u32::MAX);
        let excerpt = Excerpt {
            url,
            content,
            word_count,
            filters: BTreeMap::new(),
            meta: BTreeMap::from([(TITLE_FIELD, title)]),
            anchors: text.anchors.iter().map(ExcerptAnchor::of).collect(),
        };
        IndexedPage {
            excerpt: serde_json::to_string(&excerpt).unwrap_or_default(),
            language,
            word_count,
            words,
        }
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
fn title_places(title: &str, stemming: &Stemming) -> HashMap<(String, Option<String>), Vec<i32>> {
    let mut places: HashMap<(String, Option<String>), Vec<i32>> = HashMap::new();
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

type Found = HashMap<String, (Vec<Place>, BTreeMap<String, Vec<Place>>)>;

/// The page's words from where each was found in its text and in its title,
/// sorted by word.
fn with_title(
    found: Found,
    in_title: HashMap<(String, Option<String>), Vec<i32>>,
) -> Vec<PageWord> {
    type Word = (Unwritten, Vec<(String, Unwritten)>);
    let mut words: BTreeMap<String, Word> = (found.into_iter())
        .map(|(word, (plain, marked))| {
            let with_marks = (marked.into_iter())
                .map(|(form, places)| (form, Unwritten::in_text(packed(places))))
                .collect();
            (word, (Unwritten::in_text(packed(plain)), with_marks))
        })
        .collect();
    for ((stem, form), places) in in_title {
        let (plain, with_marks) = words.entry(stem).or_default();
        let at = match form {
            None => plain,
            Some(form) => match with_marks.iter().position(|(f, _)| *f == form) {
                Some(at) => &mut with_marks[at].1,
                None => {
                    with_marks.push((form, Unwritten::default()));
                    &mut with_marks.last_mut().expect("just added").1
                }
            },
        };
        at.in_title = places;
    }
    (words.into_iter())
        .map(|(word, (plain, with_marks))| PageWord {
            word,
            places: plain.written(),
            with_marks: (with_marks.into_iter())
                .map(|(form, places)| (form, places.written()))
                .collect(),
        })
        .collect()
}

impl Unwritten {
    fn in_text(in_text: Vec<i32>) -> Unwritten {
        Unwritten {
            in_text,
            in_title: Vec::new(),
        }
    }

    fn written(self) -> Places {
        let mut encoded = Vec::with_capacity(self.in_text.len() + self.in_title.len() + 4);
        // Writing to memory cannot fail.
        let _ = minicbor::encode(&self.in_text, &mut encoded);
        let _ = minicbor::encode(&self.in_title, &mut encoded);
        Places {
            count: u32::try_from(self.in_text.len() + self.in_title.len()).unwrap_or(u32::MAX),
            encoded,
        }
    }
}

#[cfg(test)]
impl Places {
    /// The places in the text and in the title, read back.
    fn read(&self) -> (Vec<i32>, Vec<i32>) {
        let mut decoder = minicbor::Decoder::new(&self.encoded);
        (decoder.decode().unwrap(), decoder.decode().unwrap())
    }
}

/// A page's places of one word, as the index writes them: those of the usual
/// weight first, then by weight; each a step from the one before, and each change
/// of weight written as the weight's negative, less one, before a whole position.
fn packed(mut places: Vec<Place>) -> Vec<i32> {
    const USUAL: u8 = PLAIN_WEIGHT + 1;
    places.sort_by_key(|p| (if p.weight == USUAL { 0 } else { p.weight }, p.position));
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
        let words: Vec<&str> = page.words.iter().map(|w| w.word.as_str()).collect();
        assert_eq!(words, ["babi", "cri", "is", "normal"]);
        let cry = &page.words[1];
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
    fn a_word_with_marks_is_kept_under_its_bare_form() {
        let page = page("Nursery", "<p>The crèche</p>");
        let creche = page.words.iter().find(|w| w.word == "crech").unwrap();
        assert_eq!(creche.places.count, 0);
        assert_eq!(creche.with_marks[0].0, "crèche");
    }
}
