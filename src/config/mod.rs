//! Configuration: `site.yaml`, a council's file laid over it when the build is for
//! a council, and the command line's build options, read once into an immutable
//! [`Config`] that every stage borrows. Uses `yaml`, `brand`, `calendar`,
//! `domains`, `paths`, `memo`, `cache_key` and `error`.

pub mod council;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::memo::MemoKey;
use crate::support::brand::{self, Colour};
use crate::support::calendar::Date;
use crate::support::domains;
use crate::support::error::{
    Diagnostic, Position, Severity, StageError, did_you_mean, display_path,
};
use crate::support::yaml;
use council::Council;

/// The keys `site.yaml` may have.
pub const KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "theme",
    "brand",
    "check",
];

/// The keys of the `check:` block in `site.yaml`.
pub const CHECK_KEYS: &[&str] = &[
    "max_sentence_words",
    "max_smog_grade",
    "min_reading_ease",
    "review_warning_days",
    "missing_review",
    "words_to_avoid",
    "allowed_words",
    "blocked_source_domains",
    "allowed_source_domains",
];

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

/// What a build was asked to do, before anything is read.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The project folder, which holds `site.yaml` and `content/`.
    pub root: PathBuf,
    /// Where to write the site; `public/` in the project folder if not given.
    pub out_dir: Option<PathBuf>,
    /// Replaces `base_url` from `site.yaml`.
    pub base_url: Option<BaseUrl>,
    /// Include pages marked `draft: true`.
    pub drafts: bool,
    /// The date review dates are compared with; today if not given.
    pub today: Option<Date>,
    /// Build the site of the council with the file `councils/<slug>.yaml`.
    pub council: Option<String>,
}

impl BuildOptions {
    /// Where the site is written: the output folder given, or `public/` in the
    /// project folder.
    pub fn out_dir(&self) -> PathBuf {
        self.out_dir
            .clone()
            .unwrap_or_else(|| self.default_out_dir())
    }

    fn default_out_dir(&self) -> PathBuf {
        self.root.join("public")
    }
}

/// Where the site will be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// The full address, ending in `/`: `https://example.gov.uk/start-for-life/`.
    pub url: String,
    /// Its path, starting and ending with `/`: `/start-for-life/`.
    pub path: String,
}

/// The site's settings from `site.yaml`.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub title: String,
    pub description: String,
    pub base_url: BaseUrl,
    /// The language of the pages, as a BCP 47 tag: `en-GB`.
    pub language: String,
    pub theme: String,
    pub brand: Brand,
    pub check: CheckSettings,
    /// The council the site is built for, with its local services.
    pub council: Option<Arc<Council>>,
}

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
    /// How a page without `reviewed`, `next_review` or `sources` is reported;
    /// `None` when the site does not ask for them.
    pub missing_review: Option<Severity>,
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
            missing_review: Some(Severity::Warning),
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

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    max_sentence_words: Option<usize>,
    max_smog_grade: Option<f64>,
    min_reading_ease: Option<f64>,
    review_warning_days: Option<u32>,
    missing_review: Option<String>,
    words_to_avoid: Option<std::collections::BTreeMap<String, String>>,
    allowed_words: Option<Vec<String>>,
    blocked_source_domains: Option<Vec<String>>,
    allowed_source_domains: Option<Vec<String>>,
}

/// How a council's site looks: its name, logo and colour in the header.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Brand {
    /// Shown in the header when there is no logo; the site's title if not given.
    pub name: String,
    /// The logo's path in a `static/` folder: the project's or the council's.
    pub logo: Option<String>,
    pub logo_alt: String,
    /// Where `logo` is written in site.yaml or the council's file, to report a
    /// missing file.
    pub logo_position: Option<Position>,
    /// The header's background; white text must reach 4.5:1 on it.
    pub colour: Option<Colour>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBrand {
    name: Option<String>,
    logo: Option<String>,
    logo_alt: Option<String>,
    colour: Option<String>,
}

/// Everything a build needs to know, read once.
#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    /// The text of site.yaml, to quote in diagnostics found after loading.
    pub site_yaml: String,
    pub out_dir: PathBuf,
    pub drafts: bool,
    /// The date review dates are compared with.
    pub today: Date,
    pub site: SiteConfig,
    /// The council's file, when the build is for a council.
    pub council_file: Option<CouncilFile>,
}

/// A council's file, as read.
#[derive(Debug, Clone)]
pub struct CouncilFile {
    pub slug: String,
    /// `councils/<slug>.yaml`, as diagnostics show it.
    pub display_path: PathBuf,
    pub text: String,
    /// The reminder to check the council's details again, when they are due.
    pub reminder: Option<Diagnostic>,
}

impl MemoKey for Config {
    /// The settings are read from the texts of the settings files, with the options
    /// tellyou was run with and the day. The project's folders are where files are
    /// read from, which loading reports in what it reads.
    fn memo_key(&self) -> blake3::Hash {
        let [site_yaml, council_file] = self.settings_text();
        let slug = self.council_file.as_ref().map_or("", |f| f.slug.as_str());
        let today = self.today;
        crate::support::cache_key::of([
            site_yaml.as_bytes(),
            council_file.as_bytes(),
            slug.as_bytes(),
            self.site.base_url.url.as_bytes(),
            &[u8::from(self.drafts), today.month, today.day],
            &today.year.to_le_bytes(),
        ])
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
            missing_review,
            words_to_avoid,
            blocked_source_domains,
        } = self;
        let mut key = crate::support::cache_key::Key::new();
        key.field(max_sentence_words.to_le_bytes())
            .field(max_smog_grade.to_le_bytes())
            .field(min_reading_ease.to_le_bytes())
            .field(review_warning_days.to_le_bytes())
            .field([match missing_review {
                None => 0,
                Some(Severity::Warning) => 1,
                Some(Severity::Error) => 2,
            }]);
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

impl Config {
    /// The folders pages are read from, later ones replacing pages of the same path
    /// in earlier ones: `content/`, then the council's own.
    pub fn content_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = vec![self.root.join("content")];
        dirs.extend(self.council_dir().map(|dir| dir.join("content")));
        dirs
    }

    pub fn content_dir(&self) -> PathBuf {
        self.root.join("content")
    }

    /// `councils/<slug>/`, which may hold the council's own `content/`, `templates/`
    /// and `static/`.
    pub fn council_dir(&self) -> Option<PathBuf> {
        let file = self.council_file.as_ref()?;
        Some(self.root.join(COUNCILS_DIR).join(&file.slug))
    }

    /// The file the brand is set in, and its text, to point at in diagnostics.
    pub fn brand_file(&self) -> (&Path, &str) {
        match &self.council_file {
            Some(file) => (&file.display_path, &file.text),
            None => (Path::new("site.yaml"), &self.site_yaml),
        }
    }

    /// The text of the settings files, for cache keys: what they say can change
    /// every page.
    pub fn settings_text(&self) -> [&str; 2] {
        [
            &self.site_yaml,
            self.council_file.as_ref().map_or("", |f| f.text.as_str()),
        ]
    }

    /// A reminder when the council's local details are due to be checked again.
    pub fn council_warnings(&self) -> Option<Diagnostic> {
        self.council_file.as_ref()?.reminder.clone()
    }
}

/// A mistake in how tellyou was run rather than in the site: no project in `root`,
/// or no file for the council asked for. It exits with status 2, as a bad flag does.
pub fn usage_mistake(root: &Path, council: Option<&str>) -> Option<Diagnostic> {
    if !root.join("site.yaml").exists() {
        return Some(ConfigError::NoProject.to_diagnostic(Path::new("site.yaml"), None));
    }
    council.and_then(|slug| council_file_path(root, slug).err().map(|error| *error))
}

/// Where the file of the council `slug` is, from the project folder; a diagnostic
/// naming the councils there are if it has none.
pub fn council_file_path(root: &Path, slug: &str) -> Result<PathBuf, Box<Diagnostic>> {
    let display_path = PathBuf::from(COUNCILS_DIR).join(format!("{slug}.yaml"));
    if crate::support::paths::is_valid_slug(slug) && root.join(&display_path).is_file() {
        return Ok(display_path);
    }
    let error = ConfigError::UnknownCouncil {
        slug: slug.to_owned(),
        known: council_slugs(root),
    };
    Err(Box::new(error.to_diagnostic(Path::new("--council"), None)))
}

/// The folder of council files.
pub const COUNCILS_DIR: &str = "councils";

/// The councils a project has: the names of the `.yaml` files in `councils/`,
/// sorted.
pub fn council_slugs(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join(COUNCILS_DIR)) else {
        return Vec::new();
    };
    let mut slugs: Vec<String> = entries
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".yaml").map(str::to_owned)
        })
        .filter(|slug| !slug.starts_with('.'))
        .collect();
    slugs.sort();
    slugs
}

/// What can be wrong with the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {file}: {reason}")]
    Unreadable { file: String, reason: String },
    #[error("{message}")]
    Yaml {
        position: Position,
        message: String,
        hint: Option<String>,
    },
    #[error("site.yaml has no '{key}'")]
    MissingKey { key: &'static str },
    #[error("the base URL {value:?} {reason}")]
    BadBaseUrl {
        value: String,
        reason: &'static str,
        position: Option<Position>,
    },
    #[error("the language {value:?} is not a language tag")]
    BadLanguage { value: String, position: Position },
    #[error("the brand colour {value:?} is not a colour")]
    BadColour { value: String, position: Position },
    #[error(
        "white text on the brand colour {colour} has a contrast of {ratio}; it needs at least 4.5:1"
    )]
    LowContrast {
        colour: String,
        ratio: String,
        suggestion: String,
        position: Position,
    },
    #[error("the brand logo has no alt text")]
    LogoWithoutAlt { position: Position },
    #[error("there is no file {path:?} in static/ for the brand logo")]
    LogoNotFound {
        path: String,
        position: Position,
        /// The council's own folder of files, for a council's logo.
        council_static: Option<String>,
    },
    #[error("missing_review is {value:?}; it can be 'warning', 'error' or 'off'")]
    BadSeverity { value: String, position: Position },
    #[error("{key} cannot be negative or zero")]
    BadThreshold {
        key: &'static str,
        position: Position,
    },
    #[error("{value:?} in {key} is not a domain")]
    BadDomain {
        key: &'static str,
        value: String,
        /// The domain of `value`, when it is a web address.
        suggestion: Option<String>,
        position: Position,
    },
    #[error("there is no site.yaml here, so this folder is not a tellyou project")]
    NoProject,
    #[error("there are no council files in councils/")]
    NoCouncils,
    #[error("there is no council file councils/{slug}.yaml")]
    UnknownCouncil { slug: String, known: Vec<String> },
    #[error("{within} has no '{key}'")]
    MissingField {
        within: String,
        key: &'static str,
        position: Position,
    },
    #[error("{value:?} is not a date written as YYYY-MM-DD")]
    BadDate {
        key: String,
        value: String,
        position: Position,
    },
    #[error("{}", if *read_as_number { format!("the phone number {value} was read as a number, not as it is written") } else { format!("{value:?} is not a UK phone number") })]
    BadPhone {
        value: String,
        read_as_number: bool,
        position: Position,
    },
    #[error("{value:?} is not an email address")]
    BadEmail { value: String, position: Position },
    #[error("the web address {value:?} {reason}")]
    BadWebAddress {
        value: String,
        reason: &'static str,
        position: Position,
    },
    #[error("{value:?} is not a time written as HH:MM")]
    BadTime { value: String, position: Position },
    #[error("it closes at {closes}, which is not after it opens at {opens}")]
    TimesOutOfOrder {
        opens: String,
        closes: String,
        position: Position,
    },
    #[error("{value:?} is not a list of days")]
    BadDays { value: String, position: Position },
    #[error("{value:?} is not a UK postcode")]
    BadPostcode { value: String, position: Position },
    #[error("'{key}' is {value:?}; it can be {choices}")]
    UnknownChoice {
        key: &'static str,
        value: String,
        choices: String,
        suggestion: Option<String>,
        position: Position,
    },
    #[error("there is no hub called {name:?} in 'hubs'")]
    UnknownHub {
        name: String,
        suggestion: Option<String>,
        position: Position,
    },
    #[error("two hubs are called {name:?}")]
    DuplicateHub { name: String, position: Position },
    #[error(
        "the local services were last checked on {checked}; they were due to be checked again by {due}"
    )]
    LocalDetailsOutOfDate {
        checked: String,
        due: String,
        position: Position,
    },
}

impl StageError for ConfigError {
    fn position(&self) -> Option<Position> {
        match self {
            ConfigError::Yaml { position, .. }
            | ConfigError::BadLanguage { position, .. }
            | ConfigError::BadColour { position, .. }
            | ConfigError::LowContrast { position, .. }
            | ConfigError::LogoWithoutAlt { position }
            | ConfigError::LogoNotFound { position, .. }
            | ConfigError::BadSeverity { position, .. }
            | ConfigError::BadThreshold { position, .. }
            | ConfigError::BadDomain { position, .. }
            | ConfigError::MissingField { position, .. }
            | ConfigError::BadDate { position, .. }
            | ConfigError::BadPhone { position, .. }
            | ConfigError::BadEmail { position, .. }
            | ConfigError::BadWebAddress { position, .. }
            | ConfigError::BadTime { position, .. }
            | ConfigError::TimesOutOfOrder { position, .. }
            | ConfigError::BadDays { position, .. }
            | ConfigError::BadPostcode { position, .. }
            | ConfigError::UnknownChoice { position, .. }
            | ConfigError::UnknownHub { position, .. }
            | ConfigError::DuplicateHub { position, .. }
            | ConfigError::LocalDetailsOutOfDate { position, .. } => Some(*position),
            ConfigError::BadBaseUrl { position, .. } => *position,
            ConfigError::Unreadable { .. }
            | ConfigError::MissingKey { .. }
            | ConfigError::UnknownCouncil { .. }
            | ConfigError::NoProject
            | ConfigError::NoCouncils => None,
        }
    }

    fn severity(&self) -> Severity {
        match self {
            ConfigError::LocalDetailsOutOfDate { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            ConfigError::Unreadable { .. } => Some(
                "run tellyou in the project folder, the one that holds site.yaml and content/"
                    .into(),
            ),
            ConfigError::Yaml { hint, .. } => hint.clone(),
            ConfigError::MissingKey { key: "base_url" } => Some(
                "add the address the site will live at, such as `base_url: https://www.example.gov.uk/start-for-life/`".into(),
            ),
            ConfigError::MissingKey { key } => Some(format!("add a line `{key}: ...`")),
            ConfigError::BadBaseUrl { .. } => Some(
                "write the full address, such as https://www.example.gov.uk/start-for-life/".into(),
            ),
            ConfigError::BadLanguage { .. } => Some("use a tag such as en-GB or cy".into()),
            ConfigError::BadColour { .. } => {
                Some("write it as a hex code in quotes, such as colour: \"#005eb8\"".into())
            }
            ConfigError::LowContrast { suggestion, .. } => Some(format!(
                "the nearest colour that passes is {suggestion}: use colour: \"{suggestion}\""
            )),
            ConfigError::LogoWithoutAlt { .. } => Some(
                "add a line such as `logo_alt: Example Council` that says what the logo shows".into(),
            ),
            ConfigError::LogoNotFound { council_static: Some(folder), .. } => Some(format!(
                "put the logo in {folder} (or static/ to share it) and give its path from there"
            )),
            ConfigError::LogoNotFound { .. } => {
                Some("put the logo in the static/ folder and give its path from there".into())
            }
            ConfigError::BadSeverity { .. } => Some("write `missing_review: error` to make a page without review dates or sources fail the build".into()),
            ConfigError::BadThreshold { .. } => Some("leave it out to use the default".into()),
            ConfigError::BadDomain { suggestion: Some(domain), .. } => Some(format!(
                "write just the site's domain, without https:// or a /, such as {domain}"
            )),
            ConfigError::BadDomain { .. } => Some(
                "write just the site's domain, such as scribd.com: its name with the dots, without https:// or a /".into(),
            ),
            ConfigError::NoProject => Some(
                "run tellyou in the project folder, the one that holds site.yaml and content/".into(),
            ),
            ConfigError::NoCouncils => Some(
                "write a council's file, such as councils/brackenford.yaml: docs/councils.md shows how".into(),
            ),
            ConfigError::UnknownCouncil { known, .. } if known.is_empty() => Some(
                "make a folder called councils next to site.yaml and write the council's file in it, such as councils/brackenford.yaml".into(),
            ),
            ConfigError::UnknownCouncil { slug, known } => Some(match did_you_mean(slug, known.iter().map(String::as_str)) {
                Some(suggestion) => format!("did you mean {suggestion}?"),
                None => format!("the councils are: {}", known.join(", ")),
            }),
            ConfigError::MissingField { key, .. } => Some(format!("add a line `{key}: ...`")),
            ConfigError::BadDate { .. } => Some("write the date as year, month and day, such as 2026-11-23".into()),
            ConfigError::BadPhone { read_as_number: true, .. } => Some(
                "put the number in quotes, as it is dialled in the UK: phone: \"01632 960000\"".into(),
            ),
            ConfigError::BadPhone { .. } => Some(
                "write the number as you would dial it in the UK, with its area code, such as 01632 960000".into(),
            ),
            ConfigError::BadEmail { .. } => Some("write the whole address, such as familyhubs@example.gov.uk".into()),
            ConfigError::BadWebAddress { .. } => Some(
                "write the full address, as your browser shows it, such as https://www.example.gov.uk/family-hubs".into(),
            ),
            ConfigError::BadTime { .. } => Some(
                "use the 24-hour clock, with 2 digits for hours and minutes, in quotes: \"09:00\" or \"17:30\"".into(),
            ),
            ConfigError::TimesOutOfOrder { .. } => Some(
                "check the times are on the 24-hour clock; a line open until midnight closes at \"24:00\"".into(),
            ),
            ConfigError::BadDays { .. } => Some(
                "write the days as two-letter codes with commas, such as MO,TU,WE,TH,FR".into(),
            ),
            ConfigError::BadPostcode { .. } => Some("write the full postcode, such as SW1A 1AA".into()),
            ConfigError::UnknownChoice { suggestion: Some(s), .. } => Some(format!("did you mean '{s}'?")),
            ConfigError::UnknownChoice { .. } => None,
            ConfigError::UnknownHub { suggestion: Some(s), .. } => Some(format!("did you mean {s:?}?")),
            ConfigError::UnknownHub { .. } => Some(
                "use the name of a hub exactly as it is written in 'hubs'".into(),
            ),
            ConfigError::DuplicateHub { .. } => Some(
                "give each hub its own name, so that services can say which one they are at".into(),
            ),
            ConfigError::LocalDetailsOutOfDate { .. } => Some(
                "check each phone number, address and opening time with the services, then set last_checked to the date you checked".into(),
            ),
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawSiteConfig {
    title: Option<String>,
    description: Option<String>,
    base_url: Option<String>,
    language: Option<String>,
    theme: Option<String>,
    brand: Option<RawBrand>,
    check: Option<RawCheck>,
}

/// Reads `site.yaml` and applies the command line's options to it.
pub fn load(options: &BuildOptions) -> Result<Config, Vec<Diagnostic>> {
    let (config, mut diagnostics) = load_despite_mistakes(options)?;
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        diagnostics.sort_by_key(Diagnostic::sort_key);
        return Err(diagnostics);
    }
    Ok(config)
}

/// Reads `site.yaml` and applies the command line's options to it, as well as it
/// can: a setting with a mistake is left at its default, so that the pages can still
/// be checked, and every mistake is returned beside the settings, with the council's
/// reminder to check its details, if it is due. It fails only when there is nothing
/// to read: no `site.yaml`, or no file for the council asked for.
pub fn load_despite_mistakes(
    options: &BuildOptions,
) -> Result<(Config, Vec<Diagnostic>), Vec<Diagnostic>> {
    let path = options.root.join("site.yaml");
    let shown = display_path(&options.root, &path);
    let text = read_settings(&path, &shown)?;
    let (mut site, errors) = parse_site(&text, options.base_url.as_ref());
    let mut diagnostics: Vec<Diagnostic> = errors
        .iter()
        .map(|e| match e {
            ConfigError::BadBaseUrl { position: None, .. } => {
                e.to_diagnostic(Path::new("--base-url"), None)
            }
            _ => e.to_diagnostic(&shown, Some(&text)),
        })
        .collect();
    let today = options
        .today
        .unwrap_or_else(crate::support::calendar::today);
    let council_file = match &options.council {
        None => None,
        Some(slug) => {
            let (file, errors) = load_council(options, slug, today, &mut site)?;
            diagnostics.extend(
                errors
                    .iter()
                    .map(|e| e.to_diagnostic(&file.display_path, Some(&file.text))),
            );
            diagnostics.extend(file.reminder.clone());
            Some(file)
        }
    };
    let out_dir = match &options.out_dir {
        Some(dir) if dir.is_absolute() => dir.clone(),
        Some(dir) => std::env::current_dir()
            .map(|cwd| cwd.join(dir))
            .unwrap_or_else(|_| dir.clone()),
        None => options.default_out_dir(),
    };
    let config = Config {
        root: options.root.clone(),
        site_yaml: text,
        out_dir,
        drafts: options.drafts,
        today,
        site,
        council_file,
    };
    Ok((config, diagnostics))
}

/// A settings file's text, without a byte-order mark.
fn read_settings(path: &Path, shown: &Path) -> Result<String, Vec<Diagnostic>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let error = ConfigError::Unreadable {
            file: shown.to_string_lossy().into_owned(),
            reason: crate::support::error::plain_io_error(&e),
        };
        vec![error.to_diagnostic(shown, None)]
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

/// Reads `councils/<slug>.yaml` and lays it over `site`: its address (unless the
/// command line gave one), its brand and its local details.
fn load_council(
    options: &BuildOptions,
    slug: &str,
    today: Date,
    site: &mut SiteConfig,
) -> Result<(CouncilFile, Vec<ConfigError>), Vec<Diagnostic>> {
    let display_path = council_file_path(&options.root, slug).map_err(|e| vec![*e])?;
    let path = options.root.join(&display_path);
    let text = read_settings(&path, &display_path)?;
    let (settings, mut errors) = council::parse(slug, &text);
    if options.base_url.is_none() {
        if let Some((url, position)) = &settings.base_url {
            match parse_base_url(url, Some(*position)) {
                Ok(url) => site.base_url = url,
                Err(error) => errors.push(error),
            }
        }
    }
    site.brand = parse_brand(&text, settings.brand, &settings.council.name, &mut errors);
    site.council = Some(Arc::new(settings.council));
    let reminder = settings
        .last_checked
        .and_then(|(checked, position)| council::out_of_date(checked, today, position))
        .map(|error| error.to_diagnostic(&display_path, Some(&text)));
    let file = CouncilFile {
        slug: slug.to_owned(),
        display_path,
        text,
        reminder,
    };
    Ok((file, errors))
}

pub fn parse_site(
    text: &str,
    base_url_override: Option<&BaseUrl>,
) -> (SiteConfig, Vec<ConfigError>) {
    let parsed = yaml::parse_mapping::<RawSiteConfig>(text, 1, KEYS, "site.yaml");
    let mut errors: Vec<ConfigError> = parsed
        .errors
        .into_iter()
        .map(|e| ConfigError::Yaml {
            position: e.position,
            message: e.message,
            hint: e.hint,
        })
        .collect();
    let raw = parsed.value;
    let positions = parsed.key_positions;

    let title = raw.title.clone().unwrap_or_default();
    if raw.title.is_none() && !positions.contains_key("title") {
        errors.push(ConfigError::MissingKey { key: "title" });
    }
    let base_url = match (base_url_override, raw.base_url) {
        (Some(value), _) => Ok(value.clone()),
        (None, Some(value)) => parse_base_url(&value, positions.get("base_url").copied()),
        (None, None) if positions.contains_key("base_url") => Ok(BaseUrl {
            url: String::new(),
            path: "/".into(),
        }),
        (None, None) => Err(ConfigError::MissingKey { key: "base_url" }),
    };
    let base_url = base_url.unwrap_or_else(|e| {
        errors.push(e);
        BaseUrl {
            url: String::new(),
            path: "/".into(),
        }
    });
    let language = raw.language.unwrap_or_else(|| "en-GB".into());
    let valid_language = !language.is_empty()
        && language.split('-').all(|part| {
            !part.is_empty() && part.len() <= 8 && part.chars().all(|c| c.is_ascii_alphanumeric())
        });
    if !valid_language {
        errors.push(ConfigError::BadLanguage {
            value: language.clone(),
            position: positions
                .get("language")
                .copied()
                .unwrap_or(Position { line: 1, col: 1 }),
        });
    }
    let brand = parse_brand(text, raw.brand.unwrap_or_default(), &title, &mut errors);
    let check = parse_check(text, raw.check.unwrap_or_default(), &mut errors);
    let site = SiteConfig {
        title,
        description: raw.description.unwrap_or_default(),
        base_url,
        language,
        theme: raw.theme.unwrap_or_else(|| "default".into()),
        brand,
        check,
        council: None,
    };
    (site, errors)
}

fn parse_brand(text: &str, raw: RawBrand, title: &str, errors: &mut Vec<ConfigError>) -> Brand {
    let at = |key: &str| nested_key_position(text, "brand", key);
    let colour = raw.colour.as_deref().and_then(|value| {
        let Some(colour) = Colour::parse(value) else {
            errors.push(ConfigError::BadColour {
                value: value.to_owned(),
                position: at("colour"),
            });
            return None;
        };
        let ratio = brand::contrast(brand::WHITE, colour);
        if ratio < brand::MIN_TEXT_CONTRAST {
            errors.push(ConfigError::LowContrast {
                colour: colour.hex(),
                ratio: brand::format_ratio(ratio),
                suggestion: brand::nearest_passing_shade(colour).hex(),
                position: at("colour"),
            });
        }
        Some(colour)
    });
    let logo_alt = raw.logo_alt.unwrap_or_default().trim().to_owned();
    if raw.logo.is_some() && logo_alt.is_empty() {
        errors.push(ConfigError::LogoWithoutAlt {
            position: at("logo"),
        });
    }
    Brand {
        name: raw.name.unwrap_or_else(|| title.to_owned()),
        logo_position: raw.logo.as_ref().map(|_| at("logo")),
        logo: raw
            .logo
            .map(|l| l.trim().trim_start_matches('/').to_owned()),
        logo_alt,
        colour,
    }
}

fn parse_check(text: &str, raw: RawCheck, errors: &mut Vec<ConfigError>) -> CheckSettings {
    let at = |key: &str| nested_key_position(text, "check", key);
    let mut settings = CheckSettings::default();
    // A threshold with a mistake is left at its default, so the pages can still be
    // checked.
    let mut positive = |key: &'static str, value: f64| {
        let valid = value > 0.0 && value.is_finite();
        if !valid {
            errors.push(ConfigError::BadThreshold {
                key,
                position: at(key),
            });
        }
        valid
    };
    if let Some(words) = raw.max_sentence_words {
        if positive("max_sentence_words", words as f64) {
            settings.max_sentence_words = words;
        }
    }
    if let Some(grade) = raw.max_smog_grade {
        if positive("max_smog_grade", grade) {
            settings.max_smog_grade = grade;
        }
    }
    if let Some(ease) = raw.min_reading_ease {
        settings.min_reading_ease = ease;
    }
    if let Some(days) = raw.review_warning_days {
        settings.review_warning_days = i64::from(days);
    }
    match raw.missing_review.as_deref().map(str::trim) {
        None | Some("warning") => {}
        Some("error") => settings.missing_review = Some(Severity::Error),
        Some("off") => settings.missing_review = None,
        Some(other) => errors.push(ConfigError::BadSeverity {
            value: other.to_owned(),
            position: at("missing_review"),
        }),
    }
    let allowed: Vec<String> = raw
        .allowed_words
        .unwrap_or_default()
        .iter()
        .map(|w| normalise_word(w))
        .collect();
    settings
        .words_to_avoid
        .retain(|(word, _)| !allowed.contains(word));
    for (word, instead) in raw.words_to_avoid.unwrap_or_default() {
        let word = normalise_word(&word);
        if word.is_empty() {
            continue;
        }
        settings.words_to_avoid.retain(|(w, _)| *w != word);
        settings
            .words_to_avoid
            .push((word, instead.trim().to_owned()));
    }
    let mut read_domains = |key: &'static str, written: Option<Vec<String>>| -> Vec<String> {
        let written = written.unwrap_or_default();
        let mut valid = Vec::with_capacity(written.len());
        for (index, value) in written.into_iter().enumerate() {
            let domain = domains::normalise(&value);
            if domains::is_domain(&domain) {
                valid.push(domain);
                continue;
            }
            let item = format!("check.{key}[{index}]");
            errors.push(ConfigError::BadDomain {
                key,
                suggestion: domains::host_of(&value)
                    .map(|host| host.strip_prefix("www.").unwrap_or(&host).to_owned())
                    .filter(|domain| domains::is_domain(domain)),
                value,
                position: yaml::locate(text, &item).unwrap_or_else(|| at(key)),
            });
        }
        valid
    };
    let allowed = read_domains("allowed_source_domains", raw.allowed_source_domains);
    let blocked = read_domains("blocked_source_domains", raw.blocked_source_domains);
    settings
        .blocked_source_domains
        .retain(|domain| !allowed.contains(domain));
    for domain in blocked {
        if !settings.blocked_source_domains.contains(&domain) {
            settings.blocked_source_domains.push(domain);
        }
    }
    settings
}

/// A word to avoid as it is matched: lowercase, with a plain apostrophe.
pub fn normalise_word(word: &str) -> String {
    word.trim().to_lowercase().replace('\u{2019}', "'")
}

/// Where to point at `key` of the block `block` (such as `brand`): its value, else
/// the block, else the top of the file.
fn nested_key_position(text: &str, block: &str, key: &str) -> Position {
    yaml::locate(text, &format!("{block}.{key}")).unwrap_or(Position { line: 1, col: 1 })
}

/// Checks a base URL and splits off its path; adds the final `/` if it is missing.
pub fn parse_base_url(value: &str, position: Option<Position>) -> Result<BaseUrl, ConfigError> {
    let bad = |reason| ConfigError::BadBaseUrl {
        value: value.to_owned(),
        reason,
        position,
    };
    let trimmed = value.trim();
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| bad("does not start with https:// or http://"))?;
    if trimmed.contains(['?', '#', ' ', '\\']) {
        return Err(bad("cannot have spaces, a query or a fragment"));
    }
    let (host, path) = match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash..]),
        None => (rest, "/"),
    };
    if host.is_empty() || host.starts_with('.') || host.ends_with('.') {
        return Err(bad("has no host name"));
    }
    if path.split('/').any(|p| p == ".." || p == ".") {
        return Err(bad("cannot have `.` or `..` in its path"));
    }
    let path = if path.ends_with('/') {
        path.to_owned()
    } else {
        format!("{path}/")
    };
    let scheme_len = trimmed.len() - rest.len();
    Ok(BaseUrl {
        url: format!("{}{host}{path}", &trimmed[..scheme_len]),
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_keep_their_path_and_gain_a_final_slash() {
        let url = parse_base_url("https://example.gov.uk/start-for-life", None).unwrap();
        assert_eq!(url.url, "https://example.gov.uk/start-for-life/");
        assert_eq!(url.path, "/start-for-life/");
        let root = parse_base_url("http://127.0.0.1:8000", None).unwrap();
        assert_eq!(root.url, "http://127.0.0.1:8000/");
        assert_eq!(root.path, "/");
    }

    #[test]
    fn base_urls_must_be_web_addresses() {
        for bad in ["example.gov.uk", "https://", "https://a/?x=1", "ftp://a/"] {
            assert!(parse_base_url(bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn site_settings_have_defaults() {
        let (site, errors) = parse_site("title: T\nbase_url: https://a.example/\n", None);
        assert!(errors.is_empty());
        assert_eq!(site.language, "en-GB");
        assert_eq!(site.theme, "default");
    }

    #[test]
    fn sites_add_to_and_take_from_the_blocked_source_domains() {
        let (site, errors) = parse_site(
            "title: T\nbase_url: https://a.example/\ncheck:\n  blocked_source_domains:\n    - Mirror.Example \n    - scribd.com\n  allowed_source_domains:\n    - SlideShare.net\n",
            None,
        );
        assert!(errors.is_empty(), "{errors:?}");
        let blocked = &site.check.blocked_source_domains;
        assert!(blocked.iter().any(|d| d == "mirror.example"));
        assert!(!blocked.iter().any(|d| d == "slideshare.net"));
        assert_eq!(blocked.iter().filter(|d| *d == "scribd.com").count(), 1);
        assert_eq!(
            blocked.len(),
            DEFAULT_BLOCKED_SOURCE_DOMAINS.len(),
            "one added, one taken away"
        );
    }

    #[test]
    fn a_source_domain_that_is_not_a_domain_is_an_error_at_its_own_line() {
        let text = "title: T\nbase_url: https://a.example/\ncheck:\n  blocked_source_domains:\n    - mirror.example\n    - https://www.scribd.com/doc/1\n  allowed_source_domains: [issuu]\n";
        let (_, errors) = parse_site(text, None);
        let found: Vec<(String, Option<Position>, Option<String>)> = errors
            .iter()
            .map(|e| (e.to_string(), e.position(), e.hint()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "\"issuu\" in allowed_source_domains is not a domain".to_owned(),
                    Some(Position { line: 7, col: 27 }),
                    Some(
                        "write just the site's domain, such as scribd.com: its name with the dots, without https:// or a /"
                            .to_owned()
                    ),
                ),
                (
                    "\"https://www.scribd.com/doc/1\" in blocked_source_domains is not a domain"
                        .to_owned(),
                    Some(Position { line: 6, col: 7 }),
                    Some(
                        "write just the site's domain, without https:// or a /, such as scribd.com"
                            .to_owned()
                    ),
                ),
            ]
        );
    }

    #[test]
    fn the_command_line_base_url_wins() {
        let override_url = parse_base_url("https://b.example/x/", None).unwrap();
        let (site, _) = parse_site(
            "title: T\nbase_url: https://a.example/\n",
            Some(&override_url),
        );
        assert_eq!(site.base_url.path, "/x/");
    }
}
