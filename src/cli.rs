//! The command line's words: each subcommand, its arguments and its help, as clap
//! reads them. Uses clap, and the library's reading of a base URL.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use tellyou::config::{self, BaseUrl};

#[derive(Parser)]
#[command(
    name = "tellyou",
    version,
    about = "Builds the \"If They Could Tell You\" parent guidance into an accessible static site.",
    long_about = "Builds the \"If They Could Tell You\" parent guidance into an accessible static site.\n\n\
        Run it in the project folder: the one that holds site.yaml and content/."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,

    /// Print every finding in full. Without it, after the first 200, the rest are
    /// counted by kind. `check --format json` always lists every finding.
    #[arg(long, global = true)]
    pub(crate) all_findings: bool,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Build the site from content/ into public/ (or --out).
    ///
    /// The old output is replaced only when the whole build succeeds; if anything is
    /// wrong, every problem is listed and the old output is left as it was.
    Build(BuildArgs),

    /// Check every page for problems, without building the site.
    ///
    /// Finds broken links and anchors, images without alt text, headings out of
    /// order, unclear link text, hard-to-read sentences, words to avoid and review
    /// dates that are due. Errors would stop a build; warnings would not. Exits with 1
    /// if there are errors (or, with --strict, warnings), else 0. It writes only its
    /// cache beside the output folder, `.public.cache`, which makes the next check
    /// quicker.
    Check(CheckArgs),

    /// Preview the site while you edit it.
    ///
    /// Builds the site, serves it at http://127.0.0.1:1111/ and rebuilds it each time
    /// you save, delete or rename a file. Open pages reload by themselves. If a change
    /// breaks the build, the pages show the errors, and the last good version is kept
    /// until you fix them.
    Serve(ServeArgs),

    /// Write a new page with its front matter filled in.
    ///
    /// The title comes from the file name; `reviewed` is today and `next_review` a
    /// year on. It never overwrites a page that is there.
    New(NewArgs),

    /// Show where each translation stands against its page.
    ///
    /// Lists, for each language in site.yaml, every page: up to date, out of step
    /// with its page since a date, not assured by anyone yet, or missing. Exits with
    /// 1 with --strict if any translation is out of step or not assured, else 0.
    Translations(TranslationsArgs),

    /// Work with a council's local services from its Open Referral UK feed.
    #[command(subcommand)]
    Services(ServicesCommand),
}

#[derive(Subcommand)]
pub(crate) enum ServicesCommand {
    /// Take a snapshot of a council's feed into councils/<slug>/services.json.
    ///
    /// Reads every page of the feed, and each service's details, from the API in
    /// the council file (`oruk: api:`) or from --from, and says what changed since
    /// the last snapshot. Builds read the snapshot, never the feed: commit it.
    Pull(PullArgs),
}

#[derive(clap::Args)]
pub(crate) struct PullArgs {
    /// The council whose feed to pull.
    #[arg(long, value_name = "SLUG")]
    pub(crate) council: String,
    /// A saved feed (a JSON file) or the API's address, in place of the council
    /// file's.
    #[arg(long, value_name = "FILE_OR_URL")]
    pub(crate) from: Option<String>,
    /// How many seconds to wait for each answer from the API.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub(crate) timeout: u64,
    /// How many times to try a request again after it fails.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub(crate) retries: u32,
}

#[derive(clap::Args)]
pub(crate) struct TranslationsArgs {
    /// How to write the report: `human` for people, `json` for dashboards.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,

    /// Fail if any translation is out of step with its page or not assured.
    #[arg(long)]
    pub(crate) strict: bool,

    /// Report on the languages of this council's site.
    #[arg(long, value_name = "SLUG")]
    pub(crate) council: Option<String>,
}

#[derive(clap::Args)]
pub(crate) struct BuildArgs {
    /// Write the site to this folder instead of public/. tellyou replaces the
    /// whole folder, so it refuses a folder of files it did not write.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,

    /// The address the site will be published at, such as
    /// https://www.example.gov.uk/start-for-life/. Replaces base_url in site.yaml.
    /// It is used for the sitemap and canonical links; links between pages are
    /// relative, so they work at any address.
    #[arg(long, value_name = "URL", value_parser = parse_base_url)]
    pub(crate) base_url: Option<BaseUrl>,

    /// Include pages marked `draft: true`, for a preview. Never publish a build
    /// made with --drafts.
    #[arg(long)]
    pub(crate) drafts: bool,

    /// Build the site of one council, from councils/SLUG.yaml and the council's
    /// own pages, templates and files in councils/SLUG/.
    #[arg(long, value_name = "SLUG", conflicts_with = "all")]
    pub(crate) council: Option<String>,

    /// Build the site of every council in councils/, each into its own folder:
    /// public/SLUG/ (or DIR/SLUG/ with --out).
    #[arg(long, conflicts_with = "base_url")]
    pub(crate) all: bool,
}

#[derive(clap::Args)]
pub(crate) struct CheckArgs {
    /// How to write the findings: `human` for people, `json` for CI dashboards.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,

    /// Count warnings as errors, so any finding makes the check fail.
    #[arg(long)]
    pub(crate) strict: bool,

    /// Also list every link that leaves the site, with where it is written. The
    /// links are not visited.
    #[arg(long)]
    pub(crate) external: bool,

    /// Check pages marked `draft: true` too.
    #[arg(long)]
    pub(crate) drafts: bool,

    /// Check the site of this council: its file in councils/ and its own pages.
    #[arg(long, value_name = "SLUG")]
    pub(crate) council: Option<String>,
}

#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// The port to listen on. 0 picks a free one.
    #[arg(long, default_value_t = 1111)]
    pub(crate) port: u16,

    /// The address to listen on. Only this computer can see the preview unless
    /// you choose another address, such as 0.0.0.0 to try it on a phone on the
    /// same network.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    pub(crate) bind: IpAddr,

    /// Show pages marked `draft: true` too.
    #[arg(long)]
    pub(crate) drafts: bool,

    /// Preview the site of this council, from councils/SLUG.yaml.
    #[arg(long, value_name = "SLUG")]
    pub(crate) council: Option<String>,
}

#[derive(clap::Args)]
pub(crate) struct NewArgs {
    /// Where the page goes, such as content/crying/colic.md.
    #[arg(value_name = "PATH")]
    pub(crate) path: PathBuf,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
}

pub(crate) fn parse_base_url(value: &str) -> Result<BaseUrl, String> {
    config::parse_base_url(value, None).map_err(|e| {
        format!("{e}: write the full address, such as https://www.example.gov.uk/start-for-life/")
    })
}
