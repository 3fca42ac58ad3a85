//! The command line: parses arguments with clap, runs the pipeline, prints what
//! happened and sets the exit status (0 success, 1 the site has errors, 2 bad usage).
//! The only module that uses anyhow. Uses `pipeline`, `config`, `serve`,
//! `new_page`, `services_pull`, and the crate's `report`, dates and diagnostics.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;

mod cli;
use cli::*;

use tellyou::config::{self, BuildOptions};
use tellyou::serve::{self, ServeEvent, ServeOptions};
use tellyou::services_pull::{self, PullOptions};
use tellyou::{Diagnostic, Severity, StageError, new_page, pipeline, report};

/// Whether every finding is printed in full: `--all-findings`.
static ALL_FINDINGS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = ALL_FINDINGS.set(cli.all_findings);
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

/// Runs one subcommand in the current folder.
fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let root = std::env::current_dir().context("cannot tell which folder this is")?;
    match cli.command {
        Command::Build(args) => Ok(build(root, args)),
        Command::Check(args) => Ok(check(root, args)),
        Command::Serve(args) => preview(root, args),
        Command::New(args) => Ok(new(&root, &args.path)),
        Command::Translations(args) => Ok(translations(root, args)),
        Command::Services(ServicesCommand::Pull(args)) => Ok(pull(root, args)),
    }
}

/// `tellyou services pull`: a snapshot of a council's feed.
fn pull(root: PathBuf, args: PullArgs) -> ExitCode {
    if let Some(mistake) = config::usage_mistake(&root, Some(&args.council)) {
        return usage_failure(mistake);
    }
    let options = BuildOptions {
        root: root.clone(),
        council: Some(args.council.clone()),
        ..BuildOptions::default()
    };
    // A mistake in the council file does not stop a pull: a new snapshot may be
    // what mends it.
    let api = config::load_despite_mistakes(&options)
        .ok()
        .and_then(|(config, _)| config.council_file?.oruk_api);
    let options = PullOptions {
        root,
        council: args.council,
        from: args.from,
        timeout: std::time::Duration::from_secs(args.timeout.max(1)),
        retries: args.retries,
    };
    match services_pull::pull(&options, api.as_deref()) {
        Ok(pulled) => {
            print_diagnostics(&mut std::io::stderr(), &pulled.problems);
            print!("{}", services_pull::summary(&pulled));
            ExitCode::SUCCESS
        }
        Err(error) => {
            let council_file = Path::new("councils").join(format!("{}.yaml", options.council));
            let about = error.about(&council_file);
            print_diagnostics(&mut std::io::stderr(), &[error.to_diagnostic(&about, None)]);
            eprintln!("Nothing was written; the last snapshot is as it was.");
            ExitCode::from(1)
        }
    }
}

/// `tellyou translations`: where each translation stands against its page.
fn translations(root: PathBuf, args: TranslationsArgs) -> ExitCode {
    if let Some(mistake) = config::usage_mistake(&root, args.council.as_deref()) {
        return usage_failure(mistake);
    }
    let options = BuildOptions {
        root,
        council: args.council,
        ..BuildOptions::default()
    };
    let standings = match pipeline::translations(&options) {
        Ok(standings) => standings,
        Err(diagnostics) => return report_failure(&diagnostics, None),
    };
    match args.format {
        Format::Json => println!("{}", tellyou::translations::json(&standings)),
        Format::Human => print!("{}", tellyou::translations::human(&standings)),
    }
    let needing_work = standings.iter().any(|l| l.needing_work() > 0);
    if args.strict && needing_work {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `tellyou build`: the site, or every council's with `--all`.
fn build(root: PathBuf, args: BuildArgs) -> ExitCode {
    let started = Instant::now();
    if let Some(mistake) = config::usage_mistake(&root, args.council.as_deref()) {
        return usage_failure(mistake);
    }
    let options = BuildOptions {
        root,
        out_dir: args.out,
        base_url: args.base_url,
        drafts: args.drafts,
        today: None,
        council: args.council,
    };
    if args.all {
        return build_all_councils(&options, started);
    }
    without_huge_pages_for_a_first_build(&options.out_dir());
    let config = match config::load(&options) {
        Ok(config) => config,
        Err(diagnostics) => return report_failure(&diagnostics, None),
    };
    let shown_out = shown(&config.root, &config.out_dir);
    let report = match pipeline::build_before_the_program_ends(&config) {
        Ok(report) => report,
        Err(errors) => return report_failure(&errors.diagnostics, Some(&shown_out)),
    };
    print_diagnostics(&mut std::io::stderr(), &report.warnings);
    let seconds = started.elapsed().as_secs_f64();
    let pages = format!(
        "{} page{} ({} files)",
        report.pages,
        if report.pages == 1 { "" } else { "s" },
        report.files,
    );
    if report.unchanged {
        println!(
            "Nothing has changed since the last build, so {shown_out} was left as it is: {pages}, checked in {seconds:.2} s"
        );
    } else {
        println!("Built {pages} into {shown_out} in {seconds:.2} s");
    }
    if options.drafts {
        println!("This build includes draft pages: do not publish it.");
    }
    ExitCode::SUCCESS
}

/// Turns off transparent huge pages for the rest of a build or check of one
/// site that has no cache to start from. Such a build makes everything anew, a
/// little at a time, and each huge page it touches is zeroed whole, 2 MB where a
/// few KB were wanted: without them a first build of 1,000 pages holds half the
/// memory and takes a tenth less time. A build that reads the cache, `build
/// --all` and the preview are faster with them, so they keep them (see
/// BENCHMARKS.md). If the system says no, nothing changes.
fn without_huge_pages_for_a_first_build(out_dir: &Path) {
    if pipeline::cache_folder(out_dir).exists() {
        return;
    }
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

/// `tellyou check`: every finding, written as the format asks.
fn check(root: PathBuf, args: CheckArgs) -> ExitCode {
    if let Some(mistake) = config::usage_mistake(&root, args.council.as_deref()) {
        return usage_failure(mistake);
    }
    let options = BuildOptions {
        root,
        drafts: args.drafts,
        council: args.council,
        ..BuildOptions::default()
    };
    without_huge_pages_for_a_first_build(&options.out_dir());
    let report = pipeline::check_project(&options);
    match args.format {
        Format::Json => println!("{}", report::json(&report)),
        Format::Human => {
            print_diagnostics(&mut std::io::stdout(), &report.diagnostics);
            if !report.readability.is_empty() {
                println!("{}", report::readability_table(&report));
            }
            if args.external {
                println!("Links that leave the site (not visited):");
                println!(
                    "{}\n",
                    report::external_list(&report.external_links).trim_end()
                );
            }
            println!("{}", report::summary(&report));
        }
    }
    let failed = report.errors() > 0 || (args.strict && report.warnings() > 0);
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `tellyou serve`: the preview, until it is stopped.
fn preview(root: PathBuf, args: ServeArgs) -> anyhow::Result<ExitCode> {
    if let Some(mistake) = config::usage_mistake(&root, args.council.as_deref()) {
        return Ok(usage_failure(mistake));
    }
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: listening on {}: anyone who can reach this computer can see the preview, drafts included",
            args.bind
        );
    }
    let options = ServeOptions {
        root,
        address: SocketAddr::new(args.bind, args.port),
        drafts: args.drafts,
        council: args.council,
    };
    serve::run(options, print_serve_event)?;
    Ok(ExitCode::SUCCESS)
}

/// `tellyou new`: a page with its front matter filled in.
fn new(root: &Path, path: &Path) -> ExitCode {
    match new_page::create(root, path, tellyou::today()) {
        Ok(page) => {
            println!("Wrote {}", page.path.display());
            if let Some(original) = page.translates {
                println!(
                    "It holds the words of {}, to translate in place. It stays a draft until you remove `draft: true`.",
                    original.display()
                );
            }
            if let Some(section) = page.folder_without_section {
                println!(
                    "The folder needs a section page too: run tellyou new {}",
                    section.display()
                );
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            let diagnostic = error.to_diagnostic(path, None);
            print_diagnostics(&mut std::io::stderr(), &[diagnostic]);
            ExitCode::from(1)
        }
    }
}

/// `tellyou build --all`: every council's site, with a progress bar on a terminal
/// and a line per council otherwise.
/// Says how one council's build went, as it finishes, when no progress bar shows it.
fn print_council_outcome(root: &Path, build: &pipeline::CouncilBuild) {
    match &build.outcome {
        Ok(report) => println!(
            "Built {}: {} page{} into {}",
            build.slug,
            report.pages,
            if report.pages == 1 { "" } else { "s" },
            shown(root, &report.out_dir)
        ),
        Err(errors) => {
            let count = errors.errors().count();
            println!(
                "Failed {}: {count} error{}",
                build.slug,
                if count == 1 { "" } else { "s" }
            );
        }
    }
}

fn build_all_councils(options: &BuildOptions, started: Instant) -> ExitCode {
    let slugs = config::council_slugs(&options.root);
    if slugs.is_empty() {
        let diagnostic = config::ConfigError::NoCouncils.to_diagnostic(Path::new("councils"), None);
        return usage_failure(diagnostic);
    }
    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(slugs.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} councils {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let out_dir = options.out_dir();
    let shown_out = shown(&options.root, &out_dir);
    let finished = |build: &pipeline::CouncilBuild| match &progress {
        Some(bar) => {
            bar.set_message(build.slug.clone());
            bar.inc(1);
        }
        None => print_council_outcome(&options.root, build),
    };
    let all = match pipeline::build_councils(options, &slugs, finished) {
        Ok(all) => all,
        Err(errors) => return report_failure(&errors.diagnostics, None),
    };
    let (builds, removed) = (all.builds, all.removed);
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    print_diagnostics(&mut std::io::stderr(), &all.cache_warnings);
    for slug in &removed {
        println!(
            "Removed {}: there is no councils/{slug}.yaml any more",
            shown(&options.root, &out_dir.join(slug))
        );
    }
    let mut failed = Vec::new();
    for build in &builds {
        match &build.outcome {
            Ok(report) => print_diagnostics(&mut std::io::stderr(), &report.warnings),
            Err(errors) => {
                print_diagnostics(&mut std::io::stderr(), &errors.diagnostics);
                failed.push(build.slug.as_str());
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let built = builds.len() - failed.len();
    println!(
        "Built {built} of {} council sites into {shown_out} in {seconds:.2} s",
        builds.len()
    );
    if failed.is_empty() {
        if options.drafts {
            println!("These builds include draft pages: do not publish them.");
        }
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "These failed, and their folders were left as they were: {}.",
            failed.join(", ")
        );
        ExitCode::from(1)
    }
}

fn report_failure(diagnostics: &[Diagnostic], out: Option<&str>) -> ExitCode {
    print_diagnostics(&mut std::io::stderr(), diagnostics);
    let kept = out
        .map(|out| format!("; {out} was left as it was"))
        .unwrap_or_default();
    eprintln!("The build failed with {}{kept}.", counts(diagnostics));
    ExitCode::from(1)
}

/// "2 errors", or "2 errors and 1 warning" when there are warnings too.
fn counts(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    let plural = |count: usize, word: &str| match count {
        1 => format!("1 {word}"),
        _ => format!("{count} {word}s"),
    };
    match warnings {
        0 => plural(errors, "error"),
        _ => format!(
            "{} and {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        ),
    }
}

/// Says what was wrong with how tellyou was run, and exits with status 2.
fn usage_failure(mistake: Diagnostic) -> ExitCode {
    print_diagnostics(&mut std::io::stderr(), &[mistake]);
    ExitCode::from(2)
}

fn print_diagnostics<W: Write + IsTerminal>(out: &mut W, diagnostics: &[Diagnostic]) {
    let colour = out.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let all = ALL_FINDINGS.get().copied().unwrap_or(false);
    let shown = match all {
        true => diagnostics.len(),
        false => diagnostics.len().min(report::SHOWN_IN_FULL),
    };
    // Thousands of findings are written in large pieces, not a line at a time.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    for diagnostic in &diagnostics[..shown] {
        let text = diagnostic.to_string();
        let text = if colour {
            colourise(&text, diagnostic.severity)
        } else {
            text
        };
        let _ = writeln!(out, "{text}\n");
    }
    let rest = report::rest_by_kind(&diagnostics[shown..]);
    if !rest.is_empty() {
        let _ = writeln!(out, "{rest}");
    }
    let _ = out.flush();
}

/// Makes the severity word stand out on a terminal.
fn colourise(text: &str, severity: Severity) -> String {
    let (word, code) = match severity {
        Severity::Error => (": error: ", "1;31"),
        Severity::Warning => (": warning: ", "1;33"),
    };
    text.replacen(
        word,
        &format!(": \x1b[{code}m{}\x1b[0m: ", word.trim_matches([':', ' '])),
        1,
    )
}

fn shown(root: &std::path::Path, path: &std::path::Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let text = relative.display().to_string();
    if relative.is_relative() {
        format!("{text}/")
    } else {
        text
    }
}

/// One line per rebuild: what changed, how many pages, how long; errors as `check`
/// prints them.
fn print_serve_event(event: ServeEvent) {
    match event {
        ServeEvent::Listening { url } => {
            println!("{}{url}", serve::LISTENING);
            println!("Pages reload when you save. Press Ctrl+C to stop.");
        }
        ServeEvent::Built {
            changed,
            pages,
            took,
            warnings,
        } => {
            print_diagnostics(&mut std::io::stderr(), &warnings);
            let warned = match warnings.len() {
                0 => String::new(),
                1 => ", with 1 warning".to_owned(),
                n => format!(", with {n} warnings"),
            };
            let verb = if changed.is_empty() {
                "Built"
            } else {
                "rebuilt"
            };
            println!(
                "{}{verb} {pages} page{} in {} ms{warned}",
                changed_prefix(&changed),
                if pages == 1 { "" } else { "s" },
                took.as_millis()
            );
        }
        ServeEvent::Failed {
            changed,
            diagnostics,
        } => {
            print_diagnostics(&mut std::io::stderr(), &diagnostics);
            let the = if changed.is_empty() { "The" } else { "the" };
            eprintln!(
                "{}{the} build failed with {}; the preview keeps the last good build",
                changed_prefix(&changed),
                counts(&diagnostics)
            );
        }
    }
}

fn changed_prefix(changed: &[PathBuf]) -> String {
    match changed {
        [] => String::new(),
        [one] => format!("{} changed: ", one.display()),
        [first, rest @ ..] => format!(
            "{} and {} other file{} changed: ",
            first.display(),
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        ),
    }
}
