//! Support: the leaves that the stages, the checks and the settings all use, and
//! that use nothing of theirs: diagnostics and how they are printed, YAML read with
//! positions, site paths, dates, escaping, keys, web addresses, colours, the marks
//! of shared parts, names read back from disk, running processes, QR codes,
//! interface messages in each language, files read again only when they
//! changed, what a thread keeps from one use to the next, bytes the cache keeps
//! apart, read only when wanted, an element's attributes read at once, a
//! page's words as a search index reads them, and text split at a byte. Uses
//! nothing itself.

pub mod attributes;
pub mod brand;
pub mod cache_key;
pub mod calendar;
pub mod domains;
pub mod error;
pub mod escape;
pub mod file_cache;
pub mod kept_by_thread;
pub mod language;
pub mod messages;
pub mod paths;
pub mod processes;
pub mod qr_code;
pub mod search_reading;
pub mod shared_parts;
pub mod split;
pub mod static_names;
pub mod stored;
pub(crate) mod yaml;
