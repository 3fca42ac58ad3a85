//! Parts of a page that many pages have, such as the header and the footer. A
//! template marks each with the `shared` filter; this module cuts the marked parts
//! out of a page as rendered, so that each distinct part is minified once and read
//! once by the HTML check, and finds where each goes back once the rest of the page
//! is minified, with any list of parts made elsewhere, such as a guide's contents.
//! A file made so is a [`Body::Parted`], whose parts are known by their [`PartId`].
//! A list of parts that many files have in stretches, such as the items of every
//! guide's contents, is a [`PartRun`], held once, and a file names a stretch of it
//! as one piece. The cache keeps each part once, as a [`Shared`], and each run as
//! a [`SharedRun`] that names its parts; a file there names its parts and runs by
//! their ids, and is read after them. It works on text
//! and bytes alone, with memchr and blake3, and serde to keep them on disk. Uses
//! `stored` for a file's own bytes, which the cache keeps apart, and nothing else
//! in the crate.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, RwLock, RwLockReadGuard, Weak};

use crate::support::stored::Stored;

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
        Ok(Shared(KNOWN_PARTS.hold(part.id, part)))
    }
}

/// What was read from the cache and is still held, by its id: parts, or runs.
struct Known<T>(LazyLock<RwLock<PartMap<Weak<T>>>>);

impl<T> Known<T> {
    /// `value`, read from the cache as `id`, held once: if it is held already, the
    /// copy held. A value read twice, as two files of the cache may hold it, is held
    /// once: were the copy named here let go of for the other, what names it could
    /// not be read.
    fn hold(&self, id: PartId, value: T) -> Arc<T> {
        let mut known = self.0.write().unwrap_or_else(|p| p.into_inner());
        if let Some(held) = known.get(&id).and_then(Weak::upgrade) {
            return held;
        }
        // What is no longer held is let go of now and then, so that the map does not
        // grow with every value a long preview ever read.
        if known.len() >= 1024 && known.len().is_power_of_two() {
            known.retain(|_, value| value.strong_count() > 0);
        }
        let value = Arc::new(value);
        known.insert(id, Arc::downgrade(&value));
        value
    }

    fn read(&self) -> RwLockReadGuard<'_, PartMap<Weak<T>>> {
        self.0.read().unwrap_or_else(|p| p.into_inner())
    }
}

/// Every part read from the cache that is still held, by its id.
static KNOWN_PARTS: Known<Part> = Known(LazyLock::new(RwLock::default));
/// Every run of parts read from the cache that is still held, by its id.
static KNOWN_RUNS: Known<PartRun> = Known(LazyLock::new(RwLock::default));

/// Parts that many files list, each a stretch of them, held once: every item of
/// every guide's contents list. A page names the stretches it lists, a handful of
/// pieces, not each of its hundred items.
#[derive(Debug, PartialEq, Eq)]
pub struct PartRun {
    /// A hash of the ids of its parts.
    pub id: PartId,
    pub parts: Box<[Arc<Part>]>,
}

impl PartRun {
    pub fn new(parts: Vec<Arc<Part>>) -> PartRun {
        let mut hasher = blake3::Hasher::new();
        hasher.update(b"a run of parts");
        for part in &parts {
            hasher.update(part.id.0.as_bytes());
        }
        PartRun {
            id: PartId(hasher.finalize()),
            parts: parts.into_boxed_slice(),
        }
    }
}

/// A run as the cache keeps it: by the ids of its parts, which are kept as
/// [`Shared`] and read before it. Reading one makes it known, so that the files
/// read after it, which name it by its id, hold this one copy of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedRun(pub Arc<PartRun>);

impl serde::Serialize for SharedRun {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let ids: Vec<u8> = (self.0.parts.iter())
            .flat_map(|part| *part.id.0.as_bytes())
            .collect();
        serializer.serialize_bytes(&ids)
    }
}

impl<'de> serde::Deserialize<'de> for SharedRun {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<SharedRun, D::Error> {
        use serde::de::Error;
        let ids: &[u8] = serde::Deserialize::deserialize(deserializer)?;
        let count = ids.len() / blake3::OUT_LEN;
        let ids = known_ids::<D::Error>(ids, count)?;
        let known = KNOWN_PARTS.read();
        let parts = ids
            .map(|id| known.get(&id).and_then(Weak::upgrade))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| D::Error::custom(UNKNOWN_PART))?;
        drop(known);
        let run = PartRun::new(parts);
        Ok(SharedRun(KNOWN_RUNS.hold(run.id, run)))
    }
}

/// The ids written one after the other in `bytes`, which holds `count` of them.
fn known_ids<E: serde::de::Error>(
    bytes: &[u8],
    count: usize,
) -> Result<impl Iterator<Item = PartId> + '_, E> {
    if Some(bytes.len()) != count.checked_mul(blake3::OUT_LEN) {
        return Err(E::invalid_length(bytes.len(), &"an id for each place"));
    }
    // Each chunk is an id's length: `try_from` cannot fail.
    let id = |chunk: &[u8]| <[u8; blake3::OUT_LEN]>::try_from(chunk).unwrap_or_default();
    Ok((bytes.chunks_exact(blake3::OUT_LEN))
        .map(move |chunk| PartId(blake3::Hash::from_bytes(id(chunk)))))
}

/// What a file holds in a place: one part, or the parts of a run from `from` up to
/// `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    One(Arc<Part>),
    Stretch {
        run: Arc<PartRun>,
        from: u32,
        to: u32,
    },
}

impl Piece {
    /// The parts of the piece, in order.
    pub fn parts(&self) -> &[Arc<Part>] {
        match self {
            Piece::One(part) => std::slice::from_ref(part),
            Piece::Stretch { run, from, to } => {
                (run.parts.get(*from as usize..*to as usize)).unwrap_or_default()
            }
        }
    }
}

/// What a file read from the cache is told when it names a part that was not read,
/// and so cannot be read either: it is made again.
pub const UNKNOWN_PART: &str = "the file names a shared part that was not read";

/// What a file holds: its bytes whole, or its own bytes with the parts that other
/// files have too, each where it goes in them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Body {
    Whole(Stored),
    Parted {
        own: Stored,
        /// The pieces in order, each with where it goes in `own`; kept by the ids of
        /// their parts and runs.
        #[serde(with = "placed_ids")]
        parts: Placed,
    },
}

/// Pieces, each with where it goes in a file's own bytes.
pub type Placed = Arc<[(usize, Piece)]>;

impl Body {
    /// The file's own bytes: all of them for a whole file.
    pub fn own(&self) -> &[u8] {
        match self {
            Body::Whole(bytes) | Body::Parted { own: bytes, .. } => bytes.bytes(),
        }
    }

    /// The pieces of the file that other files have too, each with where it goes.
    pub fn placed(&self) -> &[(usize, Piece)] {
        match self {
            Body::Whole(_) => &[],
            Body::Parted { parts, .. } => parts,
        }
    }

    /// The parts of the file that other files have too, in order, each with where
    /// it goes.
    pub fn parts(&self) -> impl Iterator<Item = (usize, &Arc<Part>)> {
        (self.placed().iter())
            .flat_map(|(at, piece)| piece.parts().iter().map(move |part| (*at, part)))
    }

    /// The file's bytes in order, in pieces: its own, with its parts in place.
    pub fn pieces(&self) -> Vec<&[u8]> {
        let own = self.own();
        let mut pieces = Vec::with_capacity(self.placed().len() * 2 + 1);
        let mut done = 0;
        for (at, part) in self.parts() {
            if at > done {
                pieces.push(&own[done..at]);
                done = at;
            }
            pieces.push(&part.bytes[..]);
        }
        pieces.push(&own[done..]);
        pieces
    }

    /// The whole file.
    pub fn contents(&self) -> Cow<'_, [u8]> {
        match self {
            Body::Whole(bytes) => Cow::Borrowed(bytes.bytes()),
            Body::Parted { .. } => Cow::Owned(self.pieces().concat()),
        }
    }

    /// The file whole, its parts put in its own bytes.
    pub fn into_whole(self) -> Body {
        match self {
            Body::Whole(_) => self,
            Body::Parted { .. } => Body::Whole(Stored::from(self.contents().into_owned())),
        }
    }

    /// A body of `own` and `parts`: whole if there are no parts.
    fn of(own: Vec<u8>, parts: Vec<(usize, Piece)>) -> Body {
        if parts.is_empty() {
            Body::Whole(Stored::from(own))
        } else {
            Body::Parted {
                own: Stored::from(own),
                parts: Arc::from(parts),
            }
        }
    }
}

/// The distinct parts of many files. A part or a run is held once however many
/// files have it, so where it is held says which it is, without reading its id: a
/// site of many pages has a dozen parts a page, most of them the same. A part held
/// twice is noted twice.
#[derive(Default)]
pub struct DistinctParts {
    seen: HashSet<usize, std::hash::BuildHasherDefault<PartHasher>>,
    runs_seen: HashSet<usize, std::hash::BuildHasherDefault<PartHasher>>,
    parts: Vec<Arc<Part>>,
}

impl DistinctParts {
    /// Notes the parts of `body` not noted yet: all of each run it names a stretch
    /// of, which the run names.
    pub fn note(&mut self, body: &Body) {
        for (_, piece) in body.placed() {
            match piece {
                Piece::One(part) => self.note_part(part),
                Piece::Stretch { run, .. } => self.note_run(run),
            }
        }
    }

    /// Notes the parts of `run` not noted yet.
    pub fn note_run(&mut self, run: &Arc<PartRun>) {
        if self.runs_seen.insert(Arc::as_ptr(run) as usize) {
            run.parts.iter().for_each(|part| self.note_part(part));
        }
    }

    fn note_part(&mut self, part: &Arc<Part>) {
        if self.seen.insert(Arc::as_ptr(part) as usize) {
            self.parts.push(Arc::clone(part));
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

/// Holds a page's content in its place while the rest of the page is minified; see
/// `stages::minify`.
pub const CONTENT_MARK: char = '\u{FDD3}';

/// Where each noncharacter from U+FDD0 to U+FDDF is in `text`, with the last of its
/// three bytes in UTF-8. They are found by the first two bytes they share, with
/// memchr, which is many times as fast as looking at each character.
fn noncharacters(text: &str) -> impl Iterator<Item = (usize, u8)> + '_ {
    const LEAD: [u8; 2] = [0xEF, 0xB7];
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, &LEAD)
        .filter_map(move |at| Some((at, *bytes.get(at + 2)?)))
        .filter(|&(_, last)| (0x90..=0x9F).contains(&last))
}

/// Whether `text` holds one of the noncharacters the pipeline marks places with:
/// a guide's list (U+FDD0, see `templates::context`), a shared part's start and end
/// (U+FDD1 and U+FDD2) and a page's content ([`CONTENT_MARK`]). Text made from such
/// text is made as if none of it were made apart.
pub fn has_any_mark(text: &str) -> bool {
    noncharacters(text).any(|(_, last)| (0x90..=0x93).contains(&last))
}

/// Where each mark of a shared part is in `page`, and whether it opens the part.
fn marks(page: &str) -> impl Iterator<Item = (usize, bool)> + '_ {
    const fn last_byte(mark: char) -> u8 {
        let mut bytes = [0; 3];
        mark.encode_utf8(&mut bytes);
        bytes[2]
    }
    const OPEN: u8 = last_byte(START);
    const CLOSE: u8 = last_byte(END);
    noncharacters(page).filter_map(|(at, last)| match last {
        OPEN => Some((at, true)),
        CLOSE => Some((at, false)),
        _ => None,
    })
}

/// Whether `text` has a mark of a shared part in it.
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

/// A list made elsewhere, such as a guide's contents, that goes wherever `mark` is
/// in a page: stretches of a run of parts, and bytes of the page's own between them.
pub struct PartList<'a> {
    mark: &'a str,
    run: Arc<PartRun>,
    pieces: Vec<ListPiece>,
}

enum ListPiece {
    Own(Vec<u8>),
    Stretch(u32, u32),
}

impl<'a> PartList<'a> {
    /// An empty list of stretches of `run`, to go where `mark` is.
    pub fn new(mark: &'a str, run: Arc<PartRun>) -> PartList<'a> {
        PartList {
            mark,
            run,
            pieces: Vec::new(),
        }
    }

    /// Adds the part of the run at `index`: to the stretch before if it ends there.
    pub fn push_listed(&mut self, index: usize) {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        match self.pieces.last_mut() {
            Some(ListPiece::Stretch(_, to)) if *to == index => *to = to.saturating_add(1),
            _ => self
                .pieces
                .push(ListPiece::Stretch(index, index.saturating_add(1))),
        }
    }

    /// Adds bytes of the page's own, such as its own item of the list.
    pub fn push_own(&mut self, bytes: Vec<u8>) {
        self.pieces.push(ListPiece::Own(bytes));
    }

    /// Puts the list at the end of `own`, its stretches in `placed`; `None` if a
    /// stretch is not in the run.
    fn place(&self, own: &mut Vec<u8>, placed: &mut Vec<(usize, Piece)>) -> Option<()> {
        for piece in &self.pieces {
            match *piece {
                ListPiece::Own(ref bytes) => own.extend_from_slice(bytes),
                ListPiece::Stretch(from, to) => {
                    self.run.parts.get(from as usize..to as usize)?;
                    let run = Arc::clone(&self.run);
                    placed.push((own.len(), Piece::Stretch { run, from, to }));
                }
            }
        }
        Some(())
    }
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
    let list_length = list.map_or(0, |list| list.pieces.len());
    // A page holds its pieces until it is written: made to size.
    let mut placed = Vec::with_capacity(places.len() - lists + lists * list_length);
    let mut own = Vec::with_capacity(rest.len());
    let mut parts = parts.into_iter();
    let mut from = 0;
    for (at, length, is_list) in places {
        own.extend_from_slice(&rest[from..at]);
        match list.filter(|_| is_list) {
            Some(list) => list.place(&mut own, &mut placed)?,
            None => placed.push((own.len(), Piece::One(parts.next()?))),
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

    /// A list of the parts of `run` from `from` to `to`.
    fn listing(run: &Arc<PartRun>, from: u32, to: u32) -> Body {
        let run = Arc::clone(run);
        Body::Parted {
            own: b"<ul></ul>".to_vec().into(),
            parts: Arc::from([(4, Piece::Stretch { run, from, to })]),
        }
    }

    /// `value` as the cache keeps it, read back.
    fn kept_and_read<T>(value: &T) -> Result<T, postcard::Error>
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
    {
        postcard::from_bytes(&postcard::to_stdvec(value).unwrap())
    }

    #[test]
    fn the_parts_of_many_files_are_each_noted_once() {
        let (header, footer) = (part("<header>"), part("<footer>"));
        let page = |parts: &[&Arc<Part>]| Body::Parted {
            own: b"<main></main>".to_vec().into(),
            parts: (parts.iter())
                .map(|part| (0, Piece::One(Arc::clone(part))))
                .collect(),
        };
        let mut distinct = DistinctParts::default();
        distinct.note(&page(&[&header, &footer]));
        distinct.note(&page(&[&header]));
        distinct.note(&Body::Whole(b"a whole file".to_vec().into()));
        distinct.note(&page(&[&footer, &header]));
        let (one, two) = (part("<li>1</li>"), part("<li>2</li>"));
        let run = Arc::new(PartRun::new(vec![
            Arc::clone(&one),
            Arc::clone(&header),
            two,
        ]));
        distinct.note(&listing(&run, 0, 1));
        distinct.note(&listing(&run, 2, 3));
        distinct.note_run(&run);
        let ids: Vec<PartId> = distinct.into_parts().iter().map(|p| p.id).collect();
        let all = [header.id, footer.id, one.id, run.parts[2].id];
        assert_eq!(ids, all, "each part of a run named, once, stretch or not");
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
        assert_eq!(body.parts().count(), 2);
        assert_eq!(body.contents().as_ref(), unmark(page.clone()).as_bytes());
        assert_eq!(
            body.into_whole(),
            Body::Whole(unmark(page).into_bytes().into())
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
    fn each_mark_the_pipeline_uses_is_found_and_nothing_else() {
        for mark in ["\u{FDD0}", "a\u{FDD1}", "\u{FDD2}b", "<p>\u{FDD3}</p>"] {
            assert!(has_any_mark(mark), "{mark:?}");
        }
        assert!(!has_any_mark("\u{FDD4} \u{FDCF} \u{FDF0} \u{FFFD} plain"));
        assert_eq!(
            marks("a\u{FDD0}\u{FDD1}b\u{FDD3}\u{FDD2}").collect::<Vec<_>>(),
            [(4, true), (11, false)]
        );
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
            own: b"<body></body>".to_vec().into(),
            parts: Arc::from([(6, Piece::One(Arc::clone(&header)))]),
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
        assert!(Arc::ptr_eq(body.parts().next().unwrap().1, &read.0));
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
            own: b"<body></body>".to_vec().into(),
            parts: Arc::from([(6, Piece::One(Arc::clone(&first.0)))]),
        };
        let named = postcard::to_stdvec(&body).unwrap();
        drop(first);
        let read: Body = postcard::from_bytes(&named).unwrap();
        assert!(Arc::ptr_eq(read.parts().next().unwrap().1, &second.0));
    }

    #[test]
    fn a_list_goes_wherever_its_mark_is_in_stretches_of_its_run_with_its_own_bytes() {
        let items = ["<li>1</li>", "<li>2</li>", "<li>3</li>", "<li>4</li>"];
        let run = Arc::new(PartRun::new(items.iter().map(|item| part(item)).collect()));
        let mut list = PartList::new("<!--list-->", Arc::clone(&run));
        list.push_listed(0);
        list.push_listed(1);
        list.push_own(b"<li>Mine</li>".to_vec());
        list.push_listed(3);
        let rest = format!("<ul><!--list--></ul>{PLACEHOLDER}<ol><!--list--></ol>");
        let footer = part("<footer>F</footer>");
        let body = put_back(rest.as_bytes(), vec![footer], Some(&list)).unwrap();
        assert_eq!(body.own(), b"<ul><li>Mine</li></ul><ol><li>Mine</li></ol>");
        let stretches = |body: &Body| {
            (body.placed().iter())
                .filter_map(|(at, piece)| match piece {
                    Piece::Stretch { run, from, to } => Some((*at, run.id, *from, *to)),
                    Piece::One(_) => None,
                })
                .collect::<Vec<_>>()
        };
        let id = run.id;
        assert_eq!(
            stretches(&body),
            [
                (4, id, 0, 2),
                (17, id, 3, 4),
                (26, id, 0, 2),
                (39, id, 3, 4)
            ]
        );
        let whole = "<ul><li>1</li><li>2</li><li>Mine</li><li>4</li></ul>\
                     <footer>F</footer><ol><li>1</li><li>2</li><li>Mine</li><li>4</li></ol>";
        assert_eq!(body.contents().as_ref(), whole.as_bytes());
        // Kept, it names the run, not its parts; read after the run, it holds the
        // one copy read.
        let kept = postcard::to_stdvec(&body).unwrap();
        let kept_run = postcard::to_stdvec(&SharedRun(Arc::clone(&run))).unwrap();
        assert!(
            kept.len() <= body.own().len() + 5 * (blake3::OUT_LEN + 4) + 8,
            "{} bytes",
            kept.len()
        );
        let parts: Vec<Shared> = (run.parts.iter().chain(body.parts().map(|(_, p)| p)))
            .map(|part| postcard::to_stdvec(&Shared(Arc::clone(part))).unwrap())
            .map(|kept| postcard::from_bytes(&kept).unwrap())
            .collect();
        let read_run: SharedRun = postcard::from_bytes(&kept_run).unwrap();
        assert_eq!(read_run.0.id, run.id);
        let read: Body = postcard::from_bytes(&kept).unwrap();
        assert_eq!(read, body);
        assert_eq!(stretches(&read), stretches(&body));
        let read_stretch = read.placed().iter().find_map(|(_, piece)| match piece {
            Piece::Stretch { run, .. } => Some(run),
            Piece::One(_) => None,
        });
        assert!(Arc::ptr_eq(read_stretch.unwrap(), &read_run.0));
        drop(parts);
    }

    #[test]
    fn a_stretch_of_a_run_not_read_or_beyond_its_end_cannot_be_read() {
        let run = Arc::new(PartRun::new(vec![part("<li>unread</li>")]));
        let unread = kept_and_read(&listing(&run, 0, 1));
        assert_eq!(unread, Err(postcard::Error::SerdeDeCustom));
        let part = kept_and_read(&Shared(Arc::clone(&run.parts[0]))).unwrap();
        let read = kept_and_read(&SharedRun(Arc::clone(&run))).unwrap();
        let beyond = kept_and_read(&listing(&run, 0, 2));
        assert_eq!(beyond, Err(postcard::Error::SerdeDeCustom));
        let within = kept_and_read(&listing(&run, 0, 1)).unwrap();
        assert_eq!(within.contents().as_ref(), b"<ul><li>unread</li></ul>");
        drop((part, read));
    }
}

/// A file's pieces, each written as where it goes, the stretch of a run it is if
/// it is one, and its id: the part's, or the run's. Read back as the part or run
/// read from the cache by that id. The ids are written as one run of bytes, read
/// an id at a time rather than a byte at a time.
mod placed_ids {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{KNOWN_PARTS, KNOWN_RUNS, Piece, Placed, UNKNOWN_PART, known_ids};

    pub fn serialize<S: Serializer>(placed: &Placed, serializer: S) -> Result<S::Ok, S::Error> {
        let mut places: Vec<(usize, Option<(u32, u32)>)> = Vec::with_capacity(placed.len());
        let mut ids = Vec::with_capacity(placed.len() * blake3::OUT_LEN);
        for (at, piece) in placed.iter() {
            let (stretch, id) = match piece {
                Piece::One(part) => (None, part.id),
                Piece::Stretch { run, from, to } => (Some((*from, *to)), run.id),
            };
            places.push((*at, stretch));
            ids.extend_from_slice(id.0.as_bytes());
        }
        (places, serde_bytes::Bytes::new(&ids)).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Placed, D::Error> {
        type Places = Vec<(usize, Option<(u32, u32)>)>;
        let (places, ids): (Places, &[u8]) = Deserialize::deserialize(deserializer)?;
        let ids = known_ids::<D::Error>(ids, places.len())?;
        let (parts, runs) = (KNOWN_PARTS.read(), KNOWN_RUNS.read());
        (places.into_iter().zip(ids))
            .map(|((at, stretch), id)| {
                let piece = match stretch {
                    None => Piece::One(parts.get(&id).and_then(|part| part.upgrade())?),
                    Some((from, to)) => {
                        let run = runs.get(&id).and_then(|run| run.upgrade())?;
                        run.parts.get(from as usize..to as usize)?;
                        Piece::Stretch { run, from, to }
                    }
                };
                Some((at, piece))
            })
            .collect::<Option<Placed>>()
            .ok_or_else(|| D::Error::custom(UNKNOWN_PART))
    }
}
