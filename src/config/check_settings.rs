//! The settings of the editorial checks, from the `check:` block of `site.yaml`,
//! and their defaults: the words the NHS content style avoids and the
//! document-sharing sites that sources do not link to. Uses `memo`, `cache_key`
//! and `error`.

use crate::memo::MemoKey;
use crate::support::error::Severity;

/// Words and phrases the NHS content style avoids, with what to write instead.
pub const DEFAULT_WORDS_TO_AVOID: &[(&str, &str)] = &[
    (
        "should",
        "say what to do: 'do this', 'try to' or 'you need to'",
    ),
    ("don't", "write 'do not'"),
    ("doesn't", "write 'does not'"),
    ("didn't", "write 'did not'"),
    ("can't", "write 'cannot'"),
    ("couldn't", "write 'could not'"),
    ("won't", "write 'will not'"),
    ("wouldn't", "write 'would not'"),
    ("shouldn't", "say what not to do: 'do not'"),
    ("isn't", "write 'is not'"),
    ("aren't", "write 'are not'"),
    ("wasn't", "write 'was not'"),
    ("weren't", "write 'were not'"),
    ("haven't", "write 'have not'"),
    ("hasn't", "write 'has not'"),
    ("hadn't", "write 'had not'"),
    ("mustn't", "write 'must not'"),
    ("needn't", "write 'do not need to'"),
    ("fever", "write 'high temperature'"),
    ("perinatal", "write 'during pregnancy and the first year'"),
    (
        "clinician",
        "name the role, such as doctor, nurse or health visitor",
    ),
];

/// Document-sharing sites: they keep copies of other people's leaflets and reports,
/// which may be out of date or changed, so a page's sources link to the
/// publisher's own page instead. A domain blocks its subdomains too.
pub const DEFAULT_BLOCKED_SOURCE_DOMAINS: &[&str] = &[
    "fdocuments.us",
    "fdocuments.in",
    "fdocuments.net",
    "vdocuments.mx",
    "vdocuments.net",
    "scribd.com",
    "issuu.com",
    "yumpu.com",
    "pdfslide.net",
    "documents.pub",
    "dokumen.tips",
    "dokumen.pub",
    "slideshare.net",
    "studylib.net",
    "docplayer.net",
    "pdfcoffee.com",
    "kupdf.net",
    "idoc.pub",
    "silo.tips",
];

/// What the editorial checks allow, from the `check:` block of `site.yaml`.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckSettings {
    /// Longer sentences get a warning.
    pub max_sentence_words: usize,
    /// A page with a higher SMOG grade gets a warning.
    pub max_smog_grade: f64,
    /// A page with a lower Flesch reading ease gets a warning.
    pub min_reading_ease: f64,
    /// A `next_review` this many days away or fewer gets a warning.
    pub review_warning_days: i64,
    /// A translation whose English page has changed is an error once it has been
    /// out of step this many days, and a warning until then.
    pub stale_translation_days: i64,
    /// How a page without `reviewed`, `next_review` or `sources` is reported;
    /// `None` when the site does not ask for them.
    pub missing_review: Option<Severity>,
    /// How a page that the A to Z cannot list is reported, if at all.
    pub not_in_a_z: Option<Severity>,
    /// Lowercase words or phrases, each with what to write instead.
    pub words_to_avoid: Vec<(String, String)>,
    /// Lowercase domains that a page's sources may not be on, nor on their
    /// subdomains.
    pub blocked_source_domains: Vec<String>,
}

impl Default for CheckSettings {
    fn default() -> Self {
        CheckSettings {
            max_sentence_words: 20,
            max_smog_grade: 7.0,
            min_reading_ease: 80.0,
            review_warning_days: 30,
            stale_translation_days: 30,
            missing_review: Some(Severity::Warning),
            not_in_a_z: Some(Severity::Warning),
            words_to_avoid: DEFAULT_WORDS_TO_AVOID
                .iter()
                .map(|(word, instead)| ((*word).to_owned(), (*instead).to_owned()))
                .collect(),
            blocked_source_domains: DEFAULT_BLOCKED_SOURCE_DOMAINS
                .iter()
                .map(|domain| (*domain).to_owned())
                .collect(),
        }
    }
}

/// A setting's severity as one byte of a memo key.
fn severity_byte(severity: &Option<Severity>) -> u8 {
    match severity {
        None => 0,
        Some(Severity::Warning) => 1,
        Some(Severity::Error) => 2,
    }
}

impl MemoKey for CheckSettings {
    fn memo_key(&self) -> blake3::Hash {
        // Every field, by name, so that a new one cannot be left out of the key.
        let CheckSettings {
            max_sentence_words,
            max_smog_grade,
            min_reading_ease,
            review_warning_days,
            stale_translation_days,
            missing_review,
            not_in_a_z,
            words_to_avoid,
            blocked_source_domains,
        } = self;
        let mut key = crate::support::cache_key::Key::new();
        key.field(max_sentence_words.to_le_bytes())
            .field(max_smog_grade.to_le_bytes())
            .field(min_reading_ease.to_le_bytes())
            .field(review_warning_days.to_le_bytes())
            .field(stale_translation_days.to_le_bytes())
            .field([severity_byte(missing_review), severity_byte(not_in_a_z)]);
        for (word, instead) in words_to_avoid {
            key.field(word).field(instead);
        }
        key.field(blocked_source_domains.len().to_le_bytes());
        for domain in blocked_source_domains {
            key.field(domain);
        }
        key.finish()
    }
}
