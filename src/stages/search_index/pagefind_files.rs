//! The search index in the files Pagefind's search reads in the browser, put
//! together from the site's pages, each indexed on its own: one index for each
//! language, with the word list cut into chunks by the words they hold, the
//! pages' excerpts, in at most [`MOST_EXCERPT_FILES`] files, and the file that
//! names them all. The word list is put together from runs of pages, each with
//! its words gathered. So a build with one page changed indexes that one page
//! again, gathers again the one run it is in, and only puts the index together.
//! The files' layout is Pagefind 1.6's, which its script and WebAssembly expect.
//! Uses minicbor, flate2, serde_json, blake3, rustc-hash and rayon, this stage's
//! runs of pages, and `page`, `shared_parts`, `cache_key` and `kept_by_thread`.

use std::borrow::Cow;
use std::cell::Cell;
use std::sync::Arc;

use minicbor::Encode;
use rayon::prelude::*;

use super::cbor::{CBOR_ARRAY, cbor_head, cbor_text};
use super::indexed_page::{IndexedPage, TITLE_FIELD, form_entry};
use super::word_runs::{PAGES_A_RUN, Pages, RunInput, RunWord, WordRun, write_pages};
use crate::model::page::OutputFile;
use crate::support::cache_key::Key;
use crate::support::kept_by_thread::with_kept;
use crate::support::shared_parts::Body;

/// The most files of excerpts an index has in each language. One a page would
/// cost a large site a file to write and host for each page; past this, each file
/// holds several pages' excerpts, and a search loads a few more bytes.
pub const MOST_EXCERPT_FILES: usize = 200;

/// How much of the word list each chunk holds: at least this many places of
/// words, and at most [`LARGEST_CHUNK`].
const CHUNK_SIZE: usize = 20_000;
const LARGEST_CHUNK: usize = 4 * CHUNK_SIZE;

/// How the files of the index are compressed, given a hash that says all of a
/// file's bytes and how to make them: [`compressed`], or the same kept from an
/// earlier build, when the bytes need not be made.
pub type Compress<'a> =
    dyn for<'b> Fn(&blake3::Hash, &(dyn Fn() -> Cow<'b, [u8]> + 'b)) -> Arc<[u8]> + Sync + 'a;

/// Each compressed file of the index starts with these bytes, by which Pagefind's
/// script knows that it still has to decompress it.
const COMPRESSED_MARK: &[u8] = b"pagefind_dcd";

/// What a compressed file's key is made with, so that it is never the key of the
/// same bytes before they were compressed.
const COMPRESSED_KEY: &[u8; 32] = b"tellyou: a compressed index file";

/// The word list's chunk file: each word, the pages it is on and where, each page
/// number written as a step from the one before, and the places of the word as
/// its page keeps them written. In CBOR, as Pagefind's derived types write it.
struct WordChunk<'c, 'r> {
    words: &'c [(&'r str, SiteWord<'r>)],
}

impl WordChunk<'_, '_> {
    /// Writes the chunk at the end of `bytes`. A site has a page entry for each
    /// word of each page: the runs of them are copied as their runs wrote them.
    fn write(&self, bytes: &mut Vec<u8>) {
        cbor_head(bytes, CBOR_ARRAY, 1);
        cbor_head(bytes, CBOR_ARRAY, self.words.len() as u64);
        for (word, found) in self.words {
            cbor_head(bytes, CBOR_ARRAY, 3);
            cbor_text(bytes, word);
            write_pages(found.runs.iter(), bytes);
            cbor_head(bytes, CBOR_ARRAY, found.with_marks.len() as u64);
            for (form, runs) in &found.with_marks {
                cbor_head(bytes, CBOR_ARRAY, 2);
                cbor_text(bytes, form);
                write_pages(runs.iter(), bytes);
            }
        }
    }

    /// About how many bytes [`WordChunk::write`] writes.
    fn size(&self) -> usize {
        let runs = |found: &SiteWord| -> usize {
            let marked = found.with_marks.iter().flat_map(|(_, runs)| runs);
            (found.runs.iter().chain(marked))
                .map(|run| run.written.len() + 16)
                .sum()
        };
        (self.words.iter())
            .map(|(word, found)| word.len() + 16 + runs(found))
            .sum()
    }
}

/// The file that names all the others of one language's index.
#[derive(Encode)]
struct Meta<'a> {
    #[n(0)]
    version: &'a str,
    #[n(1)]
    pages: Vec<MetaPage>,
    #[n(2)]
    chunks: Vec<MetaChunk>,
    #[n(3)]
    filters: Vec<Named>,
    #[n(4)]
    sorts: Vec<Named>,
    #[n(5)]
    fields: Vec<&'a str>,
}

#[derive(Encode)]
struct MetaPage {
    #[n(0)]
    excerpt: String,
    #[n(1)]
    word_count: u32,
    #[n(2)]
    excerpt_file: String,
}

/// A chunk of the word list, for the words from `from` to `to`.
#[derive(Encode)]
struct MetaChunk {
    #[n(0)]
    from: String,
    #[n(1)]
    to: String,
    #[n(2)]
    file: String,
}

/// Filters and sorts, which the site's index has none of.
#[derive(Encode)]
struct Named {
    #[n(0)]
    name: String,
    #[n(1)]
    file: String,
}

/// One word of a language's index: the pages of each run that has it, in order,
/// and each of its forms with marks, in the order the pages first have it, with the
/// pages of each run that has it. The runs' pages are read where they are, not
/// copied into one list.
#[derive(Default)]
struct SiteWord<'r> {
    runs: Vec<Pages<'r>>,
    with_marks: Vec<(&'r str, Vec<Pages<'r>>)>,
}

impl SiteWord<'_> {
    /// How much of a chunk the word fills: each of its pages and their places, and
    /// each of its forms.
    fn size(&self) -> usize {
        let marked = self.with_marks.iter().flat_map(|(_, runs)| runs);
        let pages: usize = (self.runs.iter().chain(marked))
            .map(|run| run.size as usize)
            .sum();
        pages + self.with_marks.len()
    }
}

/// One language's index, made.
pub struct LanguageIndex {
    pub language: String,
    /// The name of its file of names, `pagefind.<name>.pf_meta`.
    pub meta: String,
    pub pages: usize,
    pub files: Vec<OutputFile>,
}

/// How the index's parts are made, or found again: each file compressed, as
/// [`Compress`] says, and each run of a language's pages gathered, as [`Gather`]
/// says.
pub struct Making<'a> {
    pub compress: &'a Compress<'a>,
    pub gather: &'a Gather<'a>,
}

/// How a run of pages is gathered: [`WordRun::gather`], or the same kept from an
/// earlier build, when the run's pages are the same.
pub type Gather<'a> = dyn Fn(&RunInput) -> Arc<WordRun> + Sync + 'a;

/// The index of each language of `pages`, each with the key of what it was
/// indexed from, in the order the languages first come. A page with no words is
/// left out, as it could never be found. `version` is Pagefind's, which its script
/// checks.
pub fn language_indexes(
    pages: &[(blake3::Hash, Arc<IndexedPage>)],
    version: &str,
    making: &Making<'_>,
) -> Vec<LanguageIndex> {
    type OfLanguage<'p> = Vec<(&'p blake3::Hash, &'p IndexedPage)>;
    let mut languages: Vec<(&str, OfLanguage)> = Vec::new();
    for (key, page) in pages.iter().filter(|(_, page)| page.has_words) {
        let page = (key, &**page);
        match (languages.iter_mut()).find(|(language, _)| *language == page.1.language) {
            Some((_, of_language)) => of_language.push(page),
            None => languages.push((&page.1.language, vec![page])),
        }
    }
    languages
        .into_par_iter()
        .map(|(language, pages)| language_index(language, &pages, (version, making)))
        .collect()
}

fn language_index(
    language: &str,
    pages: &[(&blake3::Hash, &IndexedPage)],
    (version, making): (&str, &Making<'_>),
) -> LanguageIndex {
    // Room for a name for each page's excerpt and a few for the word list.
    let mut names = Names::new(language, pages.len() + pages.len() / 8);
    let indexed: Vec<&IndexedPage> = pages.iter().map(|(_, page)| *page).collect();
    let (mut files, meta_pages) = excerpt_files(&indexed, &mut names, making.compress);
    let runs = gathered(pages, PAGES_A_RUN, making.gather);
    let chunks = chunked(site_words(&runs));
    let made: Vec<(Arc<[u8]>, blake3::Hash)> = chunks
        .par_iter()
        .map(|chunk| {
            let chunk = WordChunk { words: chunk };
            with_kept(&CHUNK_BUFFER, |bytes| {
                bytes.clear();
                // Made to size: a chunk copies the pages its runs wrote.
                bytes.reserve(chunk.size() + 64);
                chunk.write(bytes);
                let hash = blake3::hash(bytes);
                (
                    (making.compress)(&hash, &|| Cow::Borrowed(&bytes[..])),
                    hash,
                )
            })
        })
        .collect();
    let mut meta_chunks = Vec::with_capacity(chunks.len());
    for (chunk, (bytes, hash)) in chunks.iter().zip(made) {
        let file = names.unique(&hash.to_hex());
        files.push(index_file(&format!("index/{file}.pf_index"), bytes, &hash));
        meta_chunks.push(MetaChunk {
            from: chunk
                .first()
                .map_or_else(String::new, |(w, _)| (*w).to_owned()),
            to: chunk
                .last()
                .map_or_else(String::new, |(w, _)| (*w).to_owned()),
            file,
        });
    }
    shortened(&mut meta_chunks);
    let room = (meta_pages.iter())
        .map(|page| page.excerpt.len() + page.excerpt_file.len() + 16)
        .chain(
            meta_chunks
                .iter()
                .map(|c| c.from.len() + c.to.len() + c.file.len() + 16),
        )
        .sum::<usize>();
    let meta = cbor(
        room + 64,
        &Meta {
            version,
            pages: meta_pages,
            chunks: meta_chunks,
            filters: Vec::new(),
            sorts: Vec::new(),
            fields: vec![TITLE_FIELD],
        },
    );
    let hash = blake3::hash(&meta);
    let meta_name = format!("{language}_{}", &hash.to_hex()[..language.len() + 8]);
    files.push(index_file(
        &format!("pagefind.{meta_name}.pf_meta"),
        (making.compress)(&hash, &|| Cow::Borrowed(&meta)),
        &hash,
    ));
    LanguageIndex {
        language: language.to_owned(),
        meta: meta_name,
        pages: pages.len(),
        files,
    }
}

thread_local! {
    /// The buffer each chunk of the word list is written into, kept by its thread
    /// for the next chunk: what is kept of a chunk is its compressed bytes.
    static CHUNK_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The words of `pages`, gathered `pages_a_run` at a time by `gather`, on many
/// threads.
fn gathered(
    pages: &[(&blake3::Hash, &IndexedPage)],
    pages_a_run: usize,
    gather: &Gather<'_>,
) -> Vec<Arc<WordRun>> {
    (pages.par_chunks(pages_a_run).enumerate())
        .map(|(run, pages)| {
            gather(&RunInput {
                first: run * pages_a_run,
                pages,
            })
        })
        .collect()
}

/// Every word of `runs`, with the pages of each run it is on, in order, sorted by
/// word. Each run's words are sorted already.
fn site_words(runs: &[Arc<WordRun>]) -> Vec<(&str, SiteWord<'_>)> {
    let mut all: Vec<(usize, RunWord)> = (runs.iter().enumerate())
        .flat_map(|(at, run)| run.words().map(move |word| (at, word)))
        .collect();
    all.par_sort_unstable_by(|(a_run, a), (b_run, b)| a.word.cmp(b.word).then(a_run.cmp(b_run)));
    let mut words: Vec<(&str, SiteWord)> = Vec::new();
    for (_, word) in all {
        if words.last().is_none_or(|(last, _)| *last != word.word) {
            words.push((word.word, SiteWord::default()));
        }
        let Some((_, found)) = words.last_mut() else {
            continue;
        };
        found.runs.push(word.pages);
        for (form, pages) in word.with_marks() {
            form_entry(&mut found.with_marks, form).push(pages);
        }
    }
    words
}

/// Whether a chunk that is full enough may end at `word`: one word in 16, by its
/// letters alone, so that where chunks end moves little when a page changes, and
/// the chunks after a changed word stay as they were.
fn ends_a_chunk(word: &str) -> bool {
    let hash = (word.bytes()).fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    hash % 16 == 0
}

/// The words cut into chunks of at least [`CHUNK_SIZE`] places each, ending
/// where [`ends_a_chunk`] says, and at most [`LARGEST_CHUNK`].
fn chunked<'r>(words: Vec<(&'r str, SiteWord<'r>)>) -> Vec<Vec<(&'r str, SiteWord<'r>)>> {
    let mut chunks = Vec::new();
    let (mut chunk, mut size) = (Vec::new(), 0);
    for (word, found) in words {
        size += found.size();
        let ends_chunk = ends_a_chunk(word);
        chunk.push((word, found));
        if (size >= CHUNK_SIZE && ends_chunk) || size >= LARGEST_CHUNK {
            chunks.push(std::mem::take(&mut chunk));
            size = 0;
        }
    }
    if !chunk.is_empty() {
        chunks.push(chunk);
    }
    chunks
}

/// Each chunk's first and last words cut to the shortest start that still tells
/// it from the next chunk's, as Pagefind's search looks a word up by them.
fn shortened(chunks: &mut [MetaChunk]) {
    for at in 1..chunks.len() {
        let (before, after) = chunks.split_at_mut(at);
        let (last, next) = (&mut before[at - 1], &mut after[0]);
        let shared = (next.from.chars())
            .zip(last.to.chars())
            .take_while(|(a, b)| a == b)
            .count();
        let last_start: String = last.to.chars().take(shared + 1).collect();
        if last_start >= last.from {
            last.to = last_start;
        }
        next.from = next.from.chars().take(shared + 1).collect();
    }
}

/// The pages' excerpt files, and each page's entry in the file of names: one file
/// a page, or a page's excerpt in a file of several when there are more pages
/// than [`MOST_EXCERPT_FILES`]. A file of several is known by the names and
/// hashes of the excerpts it holds, and so found again without being put
/// together.
fn excerpt_files(
    pages: &[&IndexedPage],
    names: &mut Names,
    compress: &Compress<'_>,
) -> (Vec<OutputFile>, Vec<MetaPage>) {
    let excerpts: Vec<String> = (pages.iter())
        .map(|page| names.unique(&page.excerpt_hash.to_hex()))
        .collect();
    let per_file = pages.len().div_ceil(MOST_EXCERPT_FILES).max(1);
    let groups: Vec<(usize, &[&IndexedPage])> = pages.chunks(per_file).enumerate().collect();
    let made: Vec<(Arc<[u8]>, blake3::Hash)> = (groups.par_iter())
        .map(|(group, of_group)| {
            let names = &excerpts[group * per_file..][..of_group.len()];
            let hash = match per_file {
                1 => of_group[0].excerpt_hash,
                _ => group_hash(names, of_group),
            };
            let json = || match per_file {
                1 => Cow::Borrowed(of_group[0].excerpt.as_bytes()),
                _ => Cow::Owned(grouped(names, of_group).into_bytes()),
            };
            (compress(&hash, &json), hash)
        })
        .collect();
    let mut files = Vec::with_capacity(made.len());
    let mut meta_pages = Vec::with_capacity(pages.len());
    let mut group_names = Names::new(&format!("{}_group", names.language), made.len());
    for ((bytes, hash), (group, of_group)) in made.into_iter().zip(&groups) {
        let file = match per_file {
            1 => excerpts[*group].clone(),
            _ => group_names.unique(&hash.to_hex()),
        };
        files.push(index_file(
            &format!("fragment/{file}.pf_fragment"),
            bytes,
            &hash,
        ));
        for (at, page) in of_group.iter().enumerate() {
            meta_pages.push(MetaPage {
                excerpt: excerpts[group * per_file + at].clone(),
                word_count: page.word_count,
                excerpt_file: if per_file == 1 {
                    String::new()
                } else {
                    file.clone()
                },
            });
        }
    }
    (files, meta_pages)
}

/// What a file of several pages' excerpts holds: each excerpt's name and hash.
/// Its first field names what it is, so that it is never an excerpt's own hash.
fn group_hash(names: &[String], pages: &[&IndexedPage]) -> blake3::Hash {
    let mut key = Key::new();
    key.field("a file of excerpts");
    for (name, page) in names.iter().zip(pages) {
        key.field(name).field(page.excerpt_hash.as_bytes());
    }
    key.finish()
}

/// Several pages' excerpts in one file: a JSON object of each by its name.
fn grouped(names: &[String], pages: &[&IndexedPage]) -> String {
    let mut by_name: Vec<(&String, &&IndexedPage)> = names.iter().zip(pages).collect();
    by_name.sort_by(|a, b| a.0.cmp(b.0));
    let mut json = String::from("{");
    for (at, (name, page)) in by_name.into_iter().enumerate() {
        if at > 0 {
            json.push(',');
        }
        json.push_str(&serde_json::to_string(name).unwrap_or_default());
        json.push(':');
        json.push_str(&page.excerpt);
    }
    json.push('}');
    json
}

/// Names for the files of one language: the language and the start of the
/// file's hash, made longer where two would be the same.
struct Names {
    language: String,
    used: rustc_hash::FxHashSet<String>,
}

impl Names {
    /// Names for `language`, with room for `room` of them.
    fn new(language: &str, room: usize) -> Names {
        let mut used = rustc_hash::FxHashSet::default();
        used.reserve(room);
        Names {
            language: language.to_owned(),
            used,
        }
    }

    fn unique(&mut self, hash: &str) -> String {
        let mut length = 7;
        loop {
            let name = format!("{}_{}", self.language, &hash[..length.min(hash.len())]);
            if length >= hash.len() || self.used.insert(name.clone()) {
                return name;
            }
            length += 1;
        }
    }
}

/// `value` in CBOR, written into `room` bytes made for it at once.
fn cbor<T: Encode<()>>(room: usize, value: &T) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(room);
    // Writing to memory cannot fail.
    let _ = minicbor::encode(value, &mut bytes);
    bytes
}

/// A file of the index, compressed, found again by `hash`, which says all of its
/// bytes before they were compressed.
fn index_file(path: &str, bytes: Arc<[u8]>, hash: &blake3::Hash) -> OutputFile {
    let key = blake3::keyed_hash(COMPRESSED_KEY, hash.as_bytes());
    OutputFile::made(path, Body::Whole(bytes.into()), key)
}

thread_local! {
    /// Each thread's compressor, kept: a new one makes and clears its tables,
    /// which costs more than compressing one of the index's small files.
    static GZIP: Cell<Option<flate2::Compress>> = const { Cell::new(None) };
}

/// `bytes` gzipped, after the mark that says so.
pub fn compressed(bytes: &[u8]) -> Arc<[u8]> {
    let input = [COMPRESSED_MARK, bytes].concat();
    with_kept(&GZIP, |kept| {
        let gzip = kept.get_or_insert_with(|| {
            flate2::Compress::new_gzip(flate2::Compression::default(), GZIP_WINDOW_BITS)
        });
        gzip.reset();
        let mut gzipped = Vec::with_capacity(input.len() / 2 + 64);
        loop {
            let read = usize::try_from(gzip.total_in()).unwrap_or(input.len());
            let unread = input.get(read..).unwrap_or_default();
            match gzip.compress_vec(unread, &mut gzipped, flate2::FlushCompress::Finish) {
                Ok(flate2::Status::StreamEnd) => break,
                // Out of room: compressing in memory fails in no other way.
                Ok(_) => gzipped.reserve(gzipped.capacity().max(64)),
                Err(_) => return Arc::from(Vec::new()),
            }
        }
        // The header names the system that wrote the file, which zlib takes from
        // the one it was built for: named as unknown, as flate2's `GzEncoder`
        // names it, the same index is the same bytes on every system.
        if let Some(system) = gzipped.get_mut(GZIP_SYSTEM_BYTE) {
            *system = GZIP_UNKNOWN_SYSTEM;
        }
        Arc::from(gzipped)
    })
}

/// The size of gzip's window, as a power of two: its largest, as `gzip` uses.
const GZIP_WINDOW_BITS: u8 = 15;
/// Where a gzip header names the system that wrote it, and the name of none.
const GZIP_SYSTEM_BYTE: usize = 9;
const GZIP_UNKNOWN_SYSTEM: u8 = 255;

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::stages::search_index::page_text::read;

    fn page(url: &str, language: &str, words: &str) -> Arc<IndexedPage> {
        let html = format!("<html><body><h1>{url}</h1><p>{words}</p></body></html>");
        Arc::new(IndexedPage::new(url, language, &read(&html)))
    }

    /// The index of each language of `pages`, each run of them gathered afresh.
    fn indexes(pages: &[Arc<IndexedPage>], compress: &Compress) -> Vec<LanguageIndex> {
        let keyed: Vec<(blake3::Hash, Arc<IndexedPage>)> = (pages.iter())
            .map(|page| (page.excerpt_hash, Arc::clone(page)))
            .collect();
        let gather: &Gather = &|run| Arc::new(WordRun::gather(run));
        language_indexes(&keyed, "1.6.0", &Making { compress, gather })
    }

    fn decompressed(file: &OutputFile) -> Vec<u8> {
        let bytes = file.contents();
        let mut plain = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut plain)
            .unwrap();
        assert!(plain.starts_with(COMPRESSED_MARK));
        plain[COMPRESSED_MARK.len()..].to_vec()
    }

    #[test]
    fn a_file_is_compressed_as_gzip_writes_a_stream_whatever_was_compressed_before() {
        use std::io::Write;
        // Bytes that do not compress outgrow the room first made for them.
        let mut noise = Vec::new();
        let mut state = 1u32;
        for _ in 0..300_000 {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            noise.push((state >> 16) as u8);
        }
        let files: [&[u8]; 4] = [b"", b"babies cry babies cry babies cry", &noise, b"a"];
        for bytes in files {
            let mut gzip =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gzip.write_all(COMPRESSED_MARK).unwrap();
            gzip.write_all(bytes).unwrap();
            assert_eq!(&compressed(bytes)[..], &gzip.finish().unwrap()[..]);
        }
    }

    #[test]
    fn each_language_has_its_own_index_and_a_page_without_words_is_left_out() {
        let pages = [
            page("/one/", "en-GB", "Babies cry"),
            page("/pl/one/", "pl", "Dzieci płaczą"),
            Arc::new(IndexedPage::new("/empty/", "en-GB", &read("<html></html>"))),
            page("/two/", "en-GB", "Babies sleep"),
        ];
        let indexes = indexes(&pages, &|_, bytes| compressed(&bytes()));
        let languages: Vec<(&str, usize)> = (indexes.iter())
            .map(|index| (index.language.as_str(), index.pages))
            .collect();
        assert_eq!(languages, [("en-gb", 2), ("pl", 1)]);
        let english = &indexes[0];
        let excerpts = english
            .files
            .iter()
            .filter(|f| f.path.starts_with("fragment/"));
        assert_eq!(excerpts.count(), 2);
        let meta = (english.files.iter())
            .find(|f| f.path == format!("pagefind.{}.pf_meta", english.meta))
            .unwrap();
        let meta = decompressed(meta);
        // The file of names starts with Pagefind's version.
        let mut decoder = minicbor::Decoder::new(&meta);
        assert_eq!(decoder.array().unwrap(), Some(6));
        assert_eq!(decoder.str().unwrap(), "1.6.0");
    }

    #[test]
    fn many_pages_share_at_most_the_most_excerpt_files() {
        let pages: Vec<Arc<IndexedPage>> = (0..450)
            .map(|n| page(&format!("/p{n}/"), "en", &format!("page number {n}")))
            .collect();
        let index = &indexes(&pages, &|_, bytes| compressed(&bytes()));
        let index = &index[0];
        let excerpts: Vec<&OutputFile> = (index.files.iter())
            .filter(|f| f.path.starts_with("fragment/"))
            .collect();
        assert_eq!(excerpts.len(), 150);
        let group: serde_json::Value = serde_json::from_slice(&decompressed(excerpts[0])).unwrap();
        assert_eq!(group.as_object().unwrap().len(), 3);
    }

    #[test]
    fn a_file_of_excerpts_is_found_again_by_what_it_holds_and_made_again_when_it_changes() {
        let pages = |seventh: &str| -> Vec<Arc<IndexedPage>> {
            (0..450)
                .map(|n| match n {
                    7 => page("/p7/", "en", seventh),
                    _ => page(&format!("/p{n}/"), "en", &format!("page number {n}")),
                })
                .collect()
        };
        let kept = std::sync::Mutex::new(HashMap::<blake3::Hash, Arc<[u8]>>::new());
        let made = std::sync::atomic::AtomicUsize::new(0);
        let kept_or_made: &Compress = &|hash, bytes| {
            let mut kept = kept.lock().unwrap();
            let file = kept.entry(*hash).or_insert_with(|| {
                made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                compressed(&bytes())
            });
            Arc::clone(file)
        };
        let fragments = |pages: &[Arc<IndexedPage>], compress: &Compress| {
            let index = indexes(pages, compress).remove(0);
            (index.files.into_iter())
                .filter(|f| f.path.starts_with("fragment/"))
                .map(|f| (f.path.clone(), decompressed(&f)))
                .collect::<Vec<_>>()
        };
        let first = fragments(&pages("page number 7"), kept_or_made);
        let made_first = made.load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(fragments(&pages("page number 7"), kept_or_made), first);
        assert_eq!(made.load(std::sync::atomic::Ordering::Relaxed), made_first);

        let changed = fragments(&pages("a new seventh page"), kept_or_made);
        let fresh = fragments(&pages("a new seventh page"), &|_, bytes| {
            compressed(&bytes())
        });
        assert_eq!(changed, fresh, "as if made afresh");
        let differing = first.iter().filter(|file| !changed.contains(file)).count();
        assert_eq!(differing, 1, "only the file that holds the page");
    }

    /// Pagefind's own index of whole documents, by path.
    fn pagefind_index(documents: &[(&str, String)]) -> HashMap<String, Vec<u8>> {
        use pagefind::options::PagefindServiceConfig;
        let options = PagefindServiceConfig::builder()
            .exclude_selectors(vec![".visually-hidden".to_owned()])
            .build();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let files = runtime.block_on(async {
            let mut index = pagefind::api::PagefindIndex::new(Some(options)).unwrap();
            for (url, html) in documents {
                let url = Some((*url).to_owned());
                index.add_html_file(None, url, html.clone()).await.unwrap();
            }
            index.get_files().await.unwrap()
        });
        (files.into_iter())
            .map(|file| (file.filename.to_string_lossy().into_owned(), file.contents))
            .collect()
    }

    fn plain(bytes: &[u8]) -> Vec<u8> {
        let mut plain = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut plain).unwrap();
        plain[COMPRESSED_MARK.len()..].to_vec()
    }

    /// Each word chunk's bytes, and each page's excerpt, of one language.
    fn chunks_and_excerpts<'a>(
        files: impl Iterator<Item = (&'a str, &'a [u8])>,
        language: &str,
    ) -> (Vec<Vec<u8>>, Vec<serde_json::Value>) {
        let (mut chunks, mut excerpts) = (Vec::new(), Vec::new());
        for (path, bytes) in files {
            if path.starts_with(&format!("index/{language}_")) {
                chunks.push(plain(bytes));
            } else if path.starts_with(&format!("fragment/{language}_")) {
                excerpts.push(serde_json::from_slice(&plain(bytes)).unwrap());
            }
        }
        excerpts.sort_by_key(|excerpt: &serde_json::Value| excerpt["url"].to_string());
        (chunks, excerpts)
    }

    #[test]
    fn the_index_holds_what_pagefind_s_own_index_of_the_same_pages_would() {
        let pages = [
            (
                "/crying/",
                "en-GB",
                "<h1>Crying</h1><p data-pagefind-weight=\"5\">colic, wind</p>\
                 <p>Babies cry. A <b>crèche</b> can help, face-to-face.</p>\
                 <h2 id=\"help\">Getting <em>help</em></h2><div class=\"care-card\">\
                 <p><span class=\"visually-hidden\">Urgent:</span> Call 999 &amp; see \
                 111.nhs.uk/start. NHS111</p></div>",
            ),
            (
                "/sleep/",
                "en-GB",
                "<h1>Safe sleep</h1><nav>Menu</nav><p>Put your baby's cot in your room.<br>\
                 Never on a sofa</p><ul><li>Sofa</li><li>Bed &lt;here&gt;</li></ul>\
                 <h3 id=\"night\">At night</h3><p>“Quiet” (calm) time</p>",
            ),
            ("/pl/", "pl", "<h1>Płacz</h1><p>Dzieci płaczą. Żłobek</p>"),
        ];
        let documents: Vec<(&str, String)> = (pages.iter())
            .map(|(url, language, body)| {
                let html = format!(
                    "<!DOCTYPE html><html lang=\"{language}\"><head><title>T</title></head>\
                     <body>{body}</body></html>"
                );
                (*url, html)
            })
            .collect();
        let theirs = pagefind_index(&documents);
        let indexed: Vec<Arc<IndexedPage>> = (documents.iter().zip(&pages))
            .map(|((url, html), (_, language, _))| {
                Arc::new(IndexedPage::new(url, language, &read(html)))
            })
            .collect();
        let ours = indexes(&indexed, &|_, bytes| compressed(&bytes()));
        for language in ["en-gb", "pl"] {
            let their_files = theirs.iter().map(|(p, b)| (p.as_str(), b.as_slice()));
            let our_files = (ours.iter().flat_map(|index| &index.files))
                .map(|file| (file.path.as_str(), file.contents().into_owned()))
                .collect::<Vec<_>>();
            let our_files = our_files.iter().map(|(p, b)| (*p, b.as_slice()));
            let (their_chunks, their_excerpts) = chunks_and_excerpts(their_files, language);
            let (our_chunks, our_excerpts) = chunks_and_excerpts(our_files, language);
            let pages_in = pages
                .iter()
                .filter(|(_, l, _)| l.to_lowercase() == language);
            assert_eq!(their_excerpts.len(), pages_in.count(), "{language}");
            assert_eq!(their_chunks.len(), 1, "{language}");
            assert_eq!(our_excerpts, their_excerpts, "{language}");
            assert_eq!(our_chunks, their_chunks, "{language}");
        }
    }

    #[test]
    fn words_gathered_in_runs_are_as_gathered_at_once() {
        let pages = [
            page("/a/", "fr", "le café et la crème"),
            page("/b/", "fr", "un cafe sans creme"),
            page("/c/", "fr", "la crème du café, le thé"),
            page("/d/", "fr", "thé et café"),
            page("/e/", "fr", "crème crème cafe"),
        ];
        let keyed: Vec<(&blake3::Hash, &IndexedPage)> = (pages.iter())
            .map(|page| (&page.excerpt_hash, &**page))
            .collect();
        let gather: &Gather = &|run| Arc::new(WordRun::gather(run));
        let written = |pages_a_run: usize| {
            let runs = gathered(&keyed, pages_a_run, gather);
            let mut bytes = Vec::new();
            WordChunk {
                words: &site_words(&runs),
            }
            .write(&mut bytes);
            bytes
        };
        // With a page a run, each run's first page is the page.
        let runs = gathered(&keyed, 1, gather);
        let words = site_words(&runs);
        let numbers = |runs: &[Pages]| -> Vec<u32> {
            (runs.iter().filter(|run| run.count > 0))
                .map(|run| run.first)
                .collect()
        };
        let (_, cafe) = words.iter().find(|(word, _)| *word == "caf").unwrap();
        assert_eq!(numbers(&cafe.runs), [1, 4]);
        let forms: Vec<(&str, Vec<u32>)> = (cafe.with_marks.iter())
            .map(|(form, runs)| (*form, numbers(runs)))
            .collect();
        assert_eq!(forms, [("café", vec![0, 2, 3])]);
        let at_once = written(pages.len());
        for pages_a_run in [1, 2, 3] {
            assert_eq!(written(pages_a_run), at_once);
        }
    }

    #[test]
    fn chunks_are_named_by_the_shortest_start_that_tells_them_apart() {
        let chunk = |from: &str, to: &str| MetaChunk {
            from: from.into(),
            to: to.into(),
            file: String::new(),
        };
        let mut chunks = [
            chunk("apple", "apple"),
            chunk("apricot", "banana"),
            chunk("peach", "peach"),
        ];
        shortened(&mut chunks);
        let named: Vec<(&str, &str)> = (chunks.iter())
            .map(|c| (c.from.as_str(), c.to.as_str()))
            .collect();
        assert_eq!(named, [("apple", "apple"), ("apr", "b"), ("p", "peach")]);
    }
}
