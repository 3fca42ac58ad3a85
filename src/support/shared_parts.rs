//! Parts of a page that many pages have, such as the header and the footer. A
//! template marks each with the `shared` filter; this module cuts the marked parts
//! out of a page as rendered, so that each distinct part is minified once and read
//! once by the HTML check, and finds where each goes back once the rest of the page
//! is minified, with any list of parts made elsewhere, such as a guide's contents.
//! A file made so is a [`Body::Parted`], whose parts are known by their [`PartId`].
//! The cache keeps each part once, as a [`Shared`], and a file there names its
//! parts by their ids: a file is read after the parts it names. It works on text
//! and bytes alone, with memchr and blake3, and serde to keep them on disk. Uses
//! nothing else in the crate.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, RwLock, Weak};

/// Which part a part is: a hash of what made it, the same in every file that has
/// it, so that each part is found and read once however many files hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PartId(pub blake3::Hash);

impl std::hash::Hash for PartId {
    /// The first eight bytes of the hash are as good as all of it for a hash table,
    /// which then compares ids whole.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let bytes = self.0.as_bytes();
        state.write_u64(u64::from_le_bytes([
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
        ]));
    }
}

/// Values by the id of a part. Pages hold many parts each, so they are found by a
/// multiplication of part of the id, not by SipHash.
pub type PartMap<V> = HashMap<PartId, V, std::hash::BuildHasherDefault<PartHasher>>;

/// Hashes a part's id, or where a part is held ([`DistinctParts`]), by a
/// multiplication.
#[derive(Default)]
pub struct PartHasher(u64);

impl std::hash::Hasher for PartHasher {
    /// Fibonacci hashing spreads the low bits into the high ones; the high bits
    /// are folded back into the low, as hashbrown picks a bucket by the low bits
    /// and tells entries apart by the high.
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0 ^ value).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    /// An address: its low bits, which every allocation's has in common, are
    /// dropped.
    fn write_usize(&mut self, address: usize) {
        self.write_u64((address as u64) >> 4);
    }
}

/// A part of a file that other files have too, made once and held once: files
/// hold it in an `Arc`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Part {
    pub id: PartId,
    #[serde(with = "serde_bytes")]
    pub bytes: Box<[u8]>,
}

/// A part as the cache keeps it: once, for all the files that have it. Reading one
/// makes it known, so that the files read after it, which name it by its id, hold
/// this one copy of it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Shared(pub Arc<Part>);

impl<'de> serde::Deserialize<'de> for Shared {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Shared, D::Error> {
        let part = Part::deserialize(deserializer)?;
        let mut known = KNOWN.write().unwrap_or_else(|p| p.into_inner());
        // A part read twice, as two files of the cache may hold it, is held once:
        // were the copy named here let go of for the other, what names it could not
        // be read.
        if let Some(held) = known.get(&part.id).and_then(Weak::upgrade) {
            return Ok(Shared(held));
        }
        // Parts no longer held are let go of now and then, so that the map does not
        // grow with every part a long preview ever read.
        if known.len() >= 1024 && known.len().is_power_of_two() {
            known.retain(|_, part| part.strong_count() > 0);
        }
        let part = Arc::new(part);
        known.insert(part.id, Arc::downgrade(&part));
        Ok(Shared(part))
    }
}

/// Every part read from the cache that is still held, by its id.
static KNOWN: LazyLock<RwLock<PartMap<Weak<Part>>>> = LazyLock::new(RwLock::default);

/// What a file read from the cache is told when it names a part that was not read,
/// and so cannot be read either: it is made again.
pub const UNKNOWN_PART: &str = "the file names a shared part that was not read";

/// What a file holds: its bytes whole, or its own bytes with the parts that other
/// files have too, each where it goes in them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Body {
    Whole(#[serde(with = "shared_bytes")] Arc<[u8]>),
    Parted {
        #[serde(with = "shared_bytes")]
        own: Arc<[u8]>,
        /// The parts in order, each with where it goes in `own`; kept by their ids.
        #[serde(with = "part_ids")]
        parts: Placed,
    },
}

/// Parts, each with where it goes in a file's own bytes.
pub type Placed = Arc<[(usize, Arc<Part>)]>;

impl Body {
    /// The file's own bytes: all of them for a whole file.
    pub fn own(&self) -> &[u8] {
        match self {
            Body::Whole(bytes) | Body::Parted { own: bytes, .. } => bytes,
        }
    }

    /// The parts of the file that other files have too, each with where it goes.
    pub fn parts(&self) -> &[(usize, Arc<Part>)] {
        match self {
            Body::Whole(_) => &[],
            Body::Parted { parts, .. } => parts,
        }
    }

    /// The file's bytes in order, in pieces: its own, with its parts in place.
    pub fn pieces(&self) -> Vec<&[u8]> {
        let own = self.own();
        let mut pieces = Vec::with_capacity(self.parts().len() * 2 + 1);
        let mut done = 0;
        for (at, part) in self.parts() {
            if *at > done {
                pieces.push(&own[done..*at]);
                done = *at;
            }
            pieces.push(&part.bytes[..]);
        }
        pieces.push(&own[done..]);
        pieces
    }

    /// The whole file.
    pub fn contents(&self) -> Cow<'_, [u8]> {
        match self {
            Body::Whole(bytes) => Cow::Borrowed(bytes),
            Body::Parted { .. } => Cow::Owned(self.pieces().concat()),
        }
    }

    /// The file whole, its parts put in its own bytes.
    pub fn into_whole(self) -> Body {
        match self {
            Body::Whole(_) => self,
            Body::Parted { .. } => Body::Whole(Arc::from(self.contents())),
        }
    }

    /// A body of `own` and `parts`: whole if there are no parts.
    fn of(own: Vec<u8>, parts: Vec<(usize, Arc<Part>)>) -> Body {
        if parts.is_empty() {
            Body::Whole(Arc::from(own))
        } else {
            Body::Parted {
                own: Arc::from(own),
                parts: Arc::from(parts),
            }
        }
    }
}

/// The distinct parts of many files. A part is held once however many files have
/// it, so where it is held says which it is, without reading its id: a site of
/// many pages has a hundred parts a page, most of them the same. A part held twice
/// is noted twice.
#[derive(Default)]
pub struct DistinctParts {
    seen: HashSet<usize, std::hash::BuildHasherDefault<PartHasher>>,
    parts: Vec<Arc<Part>>,
}

impl DistinctParts {
    /// Notes the parts of `body` not noted yet.
    pub fn note(&mut self, body: &Body) {
        for (_, part) in body.parts() {
            if self.seen.insert(Arc::as_ptr(part) as usize) {
                self.parts.push(Arc::clone(part));
            }
        }
    }

    /// Each part noted, once.
    pub fn into_parts(self) -> Vec<Arc<Part>> {
        self.parts
    }
}

/// Opens a shared part in a rendered page. U+FDD1 and U+FDD2 are noncharacters:
/// text has no use for them.
const START: char = '\u{FDD1}';
/// Closes a shared part.
const END: char = '\u{FDD2}';
/// Holds a shared part's place in the rest of the page while that is minified. It is
/// an element so that the minifier treats the space around it as it treats the space
/// around the part's own first and last elements.
const PLACEHOLDER: &str = "<tellyou-shared>\u{FDD1}</tellyou-shared>";

/// Where each mark is in `page`, and whether it opens a part. The marks are found by
/// the first two bytes they share in UTF-8, with memchr, which is many times as fast
/// as looking at each character.
fn marks(page: &str) -> impl Iterator<Item = (usize, bool)> + '_ {
    const fn utf8(mark: char) -> [u8; 3] {
        let mut bytes = [0; 3];
        mark.encode_utf8(&mut bytes);
        bytes
    }
    const OPEN: [u8; 3] = utf8(START);
    const CLOSE: [u8; 3] = utf8(END);
    let bytes = page.as_bytes();
    memchr::memmem::find_iter(bytes, &OPEN[..2]).filter_map(move |at| {
        match bytes.get(at..at + 3)? {
            mark if mark == OPEN => Some((at, true)),
            mark if mark == CLOSE => Some((at, false)),
            _ => None,
        }
    })
}

/// Whether `text` has a mark in it.
fn has_marks(text: &str) -> bool {
    marks(text).next().is_some()
}

/// The `shared` filter: marks `text` as a part that other pages have too.
pub fn mark(text: &str) -> String {
    let mut marked = String::with_capacity(text.len() + 2 * START.len_utf8());
    marked.push(START);
    marked.push_str(text);
    marked.push(END);
    marked
}

/// The page with its shared parts left in place, unmarked.
pub fn unmark(page: String) -> String {
    if has_marks(&page) {
        page.replace([START, END], "")
    } else {
        page
    }
}

/// A page cut apart: the rest of the page, with a placeholder for each part, and the
/// parts in order.
#[derive(Debug, PartialEq, Eq)]
pub struct Cut<'a> {
    pub rest: String,
    pub parts: Vec<Cow<'a, str>>,
}

/// Cuts the shared parts out of `page`; `None` if it has none. A part marked inside
/// another stays in it. A page whose marks do not pair up, which only text with
/// noncharacters in it could cause, is not cut.
pub fn cut(page: &str) -> Option<Cut<'_>> {
    if !has_marks(page) {
        return None;
    }
    let mut rest = String::with_capacity(page.len());
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut outside_from = 0;
    let mut part_from = 0;
    for (at, opens) in marks(page) {
        if opens {
            if depth == 0 {
                rest.push_str(&page[outside_from..at]);
                part_from = at + START.len_utf8();
            }
            depth += 1;
        } else {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                let part = &page[part_from..at];
                parts.push(if has_marks(part) {
                    Cow::Owned(part.replace([START, END], ""))
                } else {
                    Cow::Borrowed(part)
                });
                rest.push_str(PLACEHOLDER);
                outside_from = at + END.len_utf8();
            }
        }
    }
    if depth != 0 {
        return None;
    }
    rest.push_str(&page[outside_from..]);
    Some(Cut { rest, parts })
}

/// A list of parts made elsewhere, such as the items of a guide's contents, that go
/// wherever `mark` is in a page.
pub struct PartList<'a> {
    pub mark: &'a str,
    pub parts: Vec<Arc<Part>>,
}

/// Puts `parts` back where the placeholders are in `rest`, the rest of a page after
/// minifying, and `list` wherever its mark is: the one place where parts go back
/// into a page. `None` if the placeholders and the parts do not pair up.
pub fn put_back(rest: &[u8], parts: Vec<Arc<Part>>, list: Option<&PartList>) -> Option<Body> {
    let placeholder = PLACEHOLDER.as_bytes();
    // Where each placeholder and each list mark is, in order, with its length and
    // whether it is a list.
    let mut places: Vec<(usize, usize, bool)> = memchr::memmem::find_iter(rest, placeholder)
        .map(|at| (at, placeholder.len(), false))
        .collect();
    if let Some(list) = list {
        let mark = list.mark.as_bytes();
        places.extend(memchr::memmem::find_iter(rest, mark).map(|at| (at, mark.len(), true)));
        places.sort_unstable();
    }
    let lists = places.iter().filter(|(_, _, is_list)| *is_list).count();
    let list_length = list.map_or(0, |list| list.parts.len());
    // A page holds its parts until it is written: made to size, as every page has
    // about a hundred.
    let mut placed = Vec::with_capacity(places.len() - lists + lists * list_length);
    let mut own = Vec::with_capacity(rest.len());
    let mut parts = parts.into_iter();
    let mut from = 0;
    for (at, length, is_list) in places {
        own.extend_from_slice(&rest[from..at]);
        match list.filter(|_| is_list) {
            Some(list) => {
                placed.extend(list.parts.iter().map(|part| (own.len(), Arc::clone(part))))
            }
            None => placed.push((own.len(), parts.next()?)),
        }
        from = at + length;
    }
    if parts.next().is_some() {
        return None;
    }
    own.extend_from_slice(&rest[from..]);
    Some(Body::of(own, placed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(text: &str) -> Arc<Part> {
        Arc::new(Part {
            id: PartId(blake3::hash(text.as_bytes())),
            bytes: Box::from(text.as_bytes()),
        })
    }

    #[test]
    fn the_parts_of_many_files_are_each_noted_once() {
        let (header, footer) = (part("<header>"), part("<footer>"));
        let page = |parts: &[&Arc<Part>]| Body::Parted {
            own: Arc::from(&b"<main></main>"[..]),
            parts: parts.iter().map(|part| (0, Arc::clone(part))).collect(),
        };
        let mut distinct = DistinctParts::default();
        distinct.note(&page(&[&header, &footer]));
        distinct.note(&page(&[&header]));
        distinct.note(&Body::Whole(Arc::from(&b"a whole file"[..])));
        distinct.note(&page(&[&footer, &header]));
        let ids: Vec<PartId> = distinct.into_parts().iter().map(|p| p.id).collect();
        assert_eq!(ids, [header.id, footer.id]);
    }

    #[test]
    fn a_page_without_marks_is_not_cut() {
        assert_eq!(cut("<p>Hello</p>"), None);
        assert_eq!(unmark("<p>Hello</p>".into()), "<p>Hello</p>");
    }

    #[test]
    fn marked_parts_are_cut_out_and_put_back_in_order() {
        let page = format!(
            "<body>{}<main>Own</main>{}</body>",
            mark("<header>H</header>"),
            mark("<footer>F</footer>")
        );
        let cut = cut(&page).unwrap();
        assert_eq!(cut.parts, ["<header>H</header>", "<footer>F</footer>"]);
        assert_eq!(
            cut.rest,
            format!("<body>{PLACEHOLDER}<main>Own</main>{PLACEHOLDER}</body>")
        );
        let parts = cut.parts.iter().map(|p| part(p)).collect();
        let body = put_back(cut.rest.as_bytes(), parts, None).unwrap();
        assert_eq!(body.own(), b"<body><main>Own</main></body>");
        assert_eq!(body.parts().len(), 2);
        assert_eq!(body.contents().as_ref(), unmark(page.clone()).as_bytes());
        assert_eq!(
            body.into_whole(),
            Body::Whole(Arc::from(unmark(page).as_bytes()))
        );
    }

    #[test]
    fn a_part_marked_inside_another_stays_in_it() {
        let page = mark(&format!("<header>{}</header>", mark("<nav>N</nav>")));
        let cut = cut(&page).unwrap();
        assert_eq!(cut.parts, ["<header><nav>N</nav></header>"]);
        assert_eq!(cut.rest, PLACEHOLDER);
    }

    #[test]
    fn marks_that_do_not_pair_up_leave_the_page_whole() {
        assert_eq!(cut("\u{FDD1}<header>"), None);
        assert_eq!(cut("</header>\u{FDD2}"), None);
        assert_eq!(unmark("a\u{FDD1}b\u{FDD2}c".into()), "abc");
    }

    #[test]
    fn placeholders_that_do_not_match_the_parts_are_refused() {
        let one = || vec![part("<p>x</p>")];
        assert_eq!(put_back(b"<body></body>", one(), None), None);
        let two = format!("{PLACEHOLDER}{PLACEHOLDER}");
        assert_eq!(put_back(two.as_bytes(), one(), None), None);
    }

    #[test]
    fn a_file_kept_names_its_parts_and_is_read_back_with_the_one_copy_read() {
        let header = part("<header>kept</header>");
        let body = Body::Parted {
            own: Arc::from(&b"<body></body>"[..]),
            parts: Arc::from([(6, Arc::clone(&header))]),
        };
        let kept = postcard::to_stdvec(&body).unwrap();
        let named = kept
            .windows(header.bytes.len())
            .any(|w| w == &header.bytes[..]);
        assert!(!named, "the part's bytes are not in the file");
        // Its part not read yet: the file cannot be read, and is made again.
        let unread: Result<Body, _> = postcard::from_bytes(&kept);
        assert_eq!(unread, Err(postcard::Error::SerdeDeCustom));
        let read: Shared =
            postcard::from_bytes(&postcard::to_stdvec(&Shared(header)).unwrap()).unwrap();
        let body: Body = postcard::from_bytes(&kept).unwrap();
        assert!(Arc::ptr_eq(&body.parts()[0].1, &read.0));
        assert_eq!(
            body.contents().as_ref(),
            b"<body><header>kept</header></body>"
        );
    }

    #[test]
    fn a_part_read_twice_is_held_once_and_what_names_it_reads_after_either_is_let_go() {
        let kept = postcard::to_stdvec(&Shared(part("<footer>twice</footer>"))).unwrap();
        let first: Shared = postcard::from_bytes(&kept).unwrap();
        let second: Shared = postcard::from_bytes(&kept).unwrap();
        assert!(Arc::ptr_eq(&first.0, &second.0));
        let body = Body::Parted {
            own: Arc::from(&b"<body></body>"[..]),
            parts: Arc::from([(6, Arc::clone(&first.0))]),
        };
        let named = postcard::to_stdvec(&body).unwrap();
        drop(first);
        let read: Body = postcard::from_bytes(&named).unwrap();
        assert!(Arc::ptr_eq(&read.parts()[0].1, &second.0));
    }

    #[test]
    fn a_list_goes_wherever_its_mark_is_among_the_parts() {
        let list = PartList {
            mark: "<!--list-->",
            parts: vec![part("<li>1</li>"), part("<li>2</li>")],
        };
        let rest = format!("<ul><!--list--></ul>{PLACEHOLDER}<ol><!--list--></ol>");
        let footer = part("<footer>F</footer>");
        let body = put_back(rest.as_bytes(), vec![footer], Some(&list)).unwrap();
        assert_eq!(body.own(), b"<ul></ul><ol></ol>");
        let placed: Vec<(usize, &[u8])> = body
            .parts()
            .iter()
            .map(|(at, part)| (*at, &part.bytes[..]))
            .collect();
        assert_eq!(
            placed,
            [
                (4, &b"<li>1</li>"[..]),
                (4, b"<li>2</li>"),
                (9, b"<footer>F</footer>"),
                (13, b"<li>1</li>"),
                (13, b"<li>2</li>"),
            ]
        );
    }
}

/// Bytes held in an `Arc`, written and read as bytes, not as a list of numbers.
mod shared_bytes {
    use std::sync::Arc;

    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &Arc<[u8]>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Arc<[u8]>, D::Error> {
        let bytes: serde_bytes::ByteBuf = serde::Deserialize::deserialize(deserializer)?;
        Ok(Arc::from(bytes.into_vec()))
    }
}

/// A file's parts, each written as where it goes and the part's id, and read back
/// as the part read from the cache by that id. A page may have a hundred parts, so
/// their ids are written as one run of bytes, read an id at a time rather than a
/// byte at a time.
mod part_ids {

    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{KNOWN, PartId, Placed, UNKNOWN_PART};

    pub fn serialize<S: Serializer>(parts: &Placed, serializer: S) -> Result<S::Ok, S::Error> {
        let places: Vec<usize> = parts.iter().map(|(at, _)| *at).collect();
        let ids: Vec<u8> = (parts.iter())
            .flat_map(|(_, part)| *part.id.0.as_bytes())
            .collect();
        (places, serde_bytes::Bytes::new(&ids)).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Placed, D::Error> {
        let (places, ids): (Vec<usize>, &[u8]) = Deserialize::deserialize(deserializer)?;
        if ids.len() != places.len() * blake3::OUT_LEN {
            return Err(D::Error::invalid_length(ids.len(), &"an id for each place"));
        }
        let known = KNOWN.read().unwrap_or_else(|p| p.into_inner());
        (places.into_iter())
            .zip(ids.chunks_exact(blake3::OUT_LEN))
            .map(|(at, id)| {
                let id = PartId(blake3::Hash::from_slice(id).map_err(D::Error::custom)?);
                match known.get(&id).and_then(|part| part.upgrade()) {
                    Some(part) => Ok((at, part)),
                    None => Err(D::Error::custom(UNKNOWN_PART)),
                }
            })
            .collect()
    }
}
