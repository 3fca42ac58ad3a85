//! How `tellyou check` reports what it found: a summary line, a readability table and
//! a list of links that leave the site for people, and a stable JSON document for CI
//! dashboards (its shape is documented in the README and versioned by
//! `format_version`). Uses serde_json, `pipeline` and `error`.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::check::{ExternalLink, Readability};
use crate::error::{Diagnostic, Severity};
use crate::pipeline::CheckReport;

/// The version of the JSON document's shape; it changes only when a field is removed
/// or changes meaning.
pub const JSON_FORMAT_VERSION: u32 = 1;

/// "2 errors and 5 warnings in 3 files", or that nothing was found.
pub fn summary(report: &CheckReport) -> String {
    if report.diagnostics.is_empty() {
        return format!("No problems found in {}.", plural(report.pages, "page"));
    }
    format!(
        "{} and {} in {}.",
        plural(report.errors(), "error"),
        plural(report.warnings(), "warning"),
        plural(files_with_findings(&report.diagnostics), "file")
    )
}

fn files_with_findings(diagnostics: &[Diagnostic]) -> usize {
    diagnostics
        .iter()
        .map(|d| &d.path)
        .collect::<BTreeSet<_>>()
        .len()
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// Each page's readability figures as a table.
pub fn readability_table(report: &CheckReport) -> String {
    let width = report
        .readability
        .iter()
        .map(|r| r.path.to_string_lossy().chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut table = format!(
        "{:width$}  {:>6}  {:>9}  {:>7}  {:>7}  {:>5}  {:>6}\n",
        "Page", "words", "sentences", "average", "longest", "SMOG", "Flesch"
    );
    for page in &report.readability {
        let f = &page.figures;
        table.push_str(&format!(
            "{:width$}  {:>6}  {:>9}  {:>7.1}  {:>7}  {:>5.1}  {:>6.1}\n",
            page.path.to_string_lossy().replace('\\', "/"),
            f.words,
            f.sentences,
            f.average_sentence_words,
            f.longest_sentence_words,
            f.smog_grade,
            f.flesch_reading_ease
        ));
    }
    table
}

/// Every link that leaves the site, where it is written.
pub fn external_list(links: &[ExternalLink]) -> String {
    let mut list = String::new();
    for link in links {
        let path = link.path.to_string_lossy().replace('\\', "/");
        match link.position {
            Some(p) => list.push_str(&format!("{path}:{}:{}: {}\n", p.line, p.col, link.url)),
            None => list.push_str(&format!("{path}: {}\n", link.url)),
        }
    }
    list
}

#[derive(Serialize)]
struct JsonReport<'a> {
    format_version: u32,
    summary: JsonSummary,
    findings: Vec<JsonFinding<'a>>,
    readability: Vec<JsonReadability<'a>>,
    external_links: Vec<JsonLink<'a>>,
}

#[derive(Serialize)]
struct JsonSummary {
    errors: usize,
    warnings: usize,
    files_with_findings: usize,
    pages: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    severity: &'static str,
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
    hint: Option<&'a str>,
    source_line: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonReadability<'a> {
    file: String,
    #[serde(flatten)]
    figures: &'a Readability,
}

#[derive(Serialize)]
struct JsonLink<'a> {
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    url: &'a str,
}

/// The report as a JSON document.
pub fn json(report: &CheckReport) -> String {
    let shown = |path: &std::path::Path| path.to_string_lossy().replace('\\', "/");
    let document = JsonReport {
        format_version: JSON_FORMAT_VERSION,
        summary: JsonSummary {
            errors: report.errors(),
            warnings: report.warnings(),
            files_with_findings: files_with_findings(&report.diagnostics),
            pages: report.pages,
        },
        findings: report
            .diagnostics
            .iter()
            .map(|d| JsonFinding {
                severity: match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                },
                file: shown(&d.path),
                line: d.position.map(|p| p.line),
                column: d.position.map(|p| p.col),
                message: &d.message,
                hint: d.hint.as_deref(),
                source_line: d.source_line.as_deref(),
            })
            .collect(),
        readability: report
            .readability
            .iter()
            .map(|r| JsonReadability {
                file: shown(&r.path),
                figures: &r.figures,
            })
            .collect(),
        external_links: report
            .external_links
            .iter()
            .map(|l| JsonLink {
                file: shown(&l.path),
                line: l.position.map(|p| p.line),
                column: l.position.map(|p| p.col),
                url: &l.url,
            })
            .collect(),
    };
    serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".into())
}
