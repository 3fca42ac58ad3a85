//! The command line: parses arguments with clap, runs the pipeline, prints what
//! happened and sets the exit status (0 success, 1 the site has errors, 2 bad usage).
//! The only module that uses anyhow.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};

use tellyou::config::{self, BuildOptions};
use tellyou::error::{Diagnostic, Severity};
use tellyou::pipeline;

#[derive(Parser)]
#[command(
    name = "tellyou",
    version,
    about = "Builds the \"If They Could Tell You\" parent guidance into an accessible static site.",
    long_about = "Builds the \"If They Could Tell You\" parent guidance into an accessible static site.\n\n\
        Run it in the project folder: the one that holds site.yaml and content/."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site from content/ into public/ (or --out).
    ///
    /// The old output is replaced only when the whole build succeeds; if anything is
    /// wrong, every problem is listed and the old output is left as it was.
    Build {
        /// Write the site to this folder instead of public/. tellyou replaces the
        /// whole folder, so it refuses a folder of files it did not write.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,

        /// The address the site will be published at, such as
        /// https://www.example.gov.uk/start-for-life/. Replaces base_url in site.yaml.
        /// It is used for the sitemap and canonical links; links between pages are
        /// relative, so they work at any address.
        #[arg(long, value_name = "URL", value_parser = parse_base_url)]
        base_url: Option<String>,

        /// Include pages marked `draft: true`, for a preview. Never publish a build
        /// made with --drafts.
        #[arg(long)]
        drafts: bool,
    },
}

fn parse_base_url(value: &str) -> Result<String, String> {
    config::parse_base_url(value, None)
        .map(|url| url.url)
        .map_err(|e| {
            format!(
                "{e}: write the full address, such as https://www.example.gov.uk/start-for-life/"
            )
        })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Build {
            out,
            base_url,
            drafts,
        } => {
            let started = Instant::now();
            let root = std::env::current_dir().context("cannot tell which folder this is")?;
            let options = BuildOptions {
                root,
                out_dir: out,
                base_url,
                drafts,
            };
            let config = match config::load(&options) {
                Ok(config) => config,
                Err(diagnostics) => return Ok(report_failure(&diagnostics, None)),
            };
            let shown_out = shown(&config.root, &config.out_dir);
            match pipeline::build(&config) {
                Ok(report) => {
                    print_diagnostics(&report.warnings);
                    let seconds = started.elapsed().as_secs_f64();
                    println!(
                        "Built {} page{} ({} files) into {shown_out} in {seconds:.2} s",
                        report.pages,
                        if report.pages == 1 { "" } else { "s" },
                        report.files,
                    );
                    if drafts {
                        println!("This build includes draft pages: do not publish it.");
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(errors) => Ok(report_failure(&errors.diagnostics, Some(&shown_out))),
            }
        }
    }
}

fn report_failure(diagnostics: &[Diagnostic], out: Option<&str>) -> ExitCode {
    print_diagnostics(diagnostics);
    let count = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let kept = out
        .map(|out| format!("; {out} was left as it was"))
        .unwrap_or_default();
    eprintln!(
        "The build failed with {count} error{}{kept}.",
        if count == 1 { "" } else { "s" }
    );
    ExitCode::from(1)
}

fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let stderr = std::io::stderr();
    let colour = stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = stderr.lock();
    for diagnostic in diagnostics {
        let text = diagnostic.to_string();
        let text = if colour {
            colourise(&text, diagnostic.severity)
        } else {
            text
        };
        let _ = writeln!(out, "{text}\n");
    }
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
