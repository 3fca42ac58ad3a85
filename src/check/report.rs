//! How `tellyou check` reports what it found: a summary line, a readability table and
//! a list of links that leave the site for people, and a stable JSON document for CI
//! dashboards (its shape is documented in docs/reference.md and versioned by
//! `format_version`). Uses serde_json, `check` and `error`.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::check::{CheckReport, ExternalLink, Readability};
use crate::support::error::{Diagnostic, Severity};

/// The version of the JSON document's shape; it changes only when a field is removed
/// or changes meaning.
pub const JSON_FORMAT_VERSION: u32 = 1;

/// How many findings a person is shown in full; past these, the rest are counted
/// by kind, so that a site with thousands of warnings still gives a report that
/// can be read.
pub const SHOWN_IN_FULL: usize = 200;

/// What a finding says, without what changes from one finding of its kind to the
/// next: numbers, and words in quotes, become "…". "this sentence has 27 words"
/// and "this sentence has 31 words" are one kind.
pub fn kind_of(message: &str) -> String {
    let mut kind = String::with_capacity(message.len());
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        let closing = match c {
            '"' | '`' => Some(c),
            '\'' if !kind.ends_with(char::is_alphanumeric) => Some('\''),
            '“' => Some('”'),
            _ => None,
        };
        if let Some(closing) = closing
            && chars.clone().any(|later| later == closing)
        {
            chars.by_ref().find(|&later| later == closing);
            kind.push('…');
        } else if c.is_ascii_digit() {
            while chars
                .next_if(|next| next.is_ascii_digit() || *next == '.')
                .is_some()
            {}
            kind.push('…');
        } else {
            kind.push(c);
        }
    }
    kind
}

/// The findings not shown in full, counted by kind with the commonest first, as
/// lines to print after those that were; empty if every finding was shown.
pub fn rest_by_kind(rest: &[Diagnostic]) -> String {
    if rest.is_empty() {
        return String::new();
    }
    let mut counts: std::collections::HashMap<(Severity, String), usize> =
        std::collections::HashMap::new();
    for diagnostic in rest {
        let kind = kind_of(&diagnostic.message);
        *counts.entry((diagnostic.severity, kind)).or_default() += 1;
    }
    let mut counts: Vec<((Severity, String), usize)> = counts.into_iter().collect();
    counts.sort_by(|(a, a_count), (b, b_count)| b_count.cmp(a_count).then(a.cmp(b)));
    let findings = if rest.len() == 1 {
        "finding"
    } else {
        "findings"
    };
    let mut lines = format!(
        "…and {} more {findings}, by kind (`--all-findings` lists each one):\n",
        rest.len()
    );
    for ((severity, kind), count) in counts {
        let what = match severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        lines.push_str(&format!("  {}: {kind}\n", plural(count, what)));
    }
    lines
}

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

/// Each page's readability figures as a table. It is a markdown table with its
/// columns lined up, so it reads well in a terminal and can be pasted into a document.
pub fn readability_table(report: &CheckReport) -> String {
    let header = [
        "Page",
        "Words",
        "Sentences",
        "Average",
        "Longest",
        "SMOG",
        "Flesch",
    ];
    let rows: Vec<[String; 7]> = report
        .readability
        .iter()
        .map(|page| {
            let f = &page.figures;
            [
                page.path.to_string_lossy().replace('\\', "/"),
                f.words.to_string(),
                f.sentences.to_string(),
                format!("{:.1}", f.average_sentence_words),
                f.longest_sentence_words.to_string(),
                format!("{:.1}", f.smog_grade),
                format!("{:.1}", f.flesch_reading_ease),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(column, (cell, width))| match column {
                0 => format!("{cell:<width$}"),
                _ => format!("{cell:>width$}"),
            })
            .collect();
        format!("| {} |\n", padded.join(" | "))
    };
    let mut table = line(&header.map(String::from));
    let rule: Vec<String> = widths
        .iter()
        .enumerate()
        .map(|(column, &width)| match column {
            0 => format!(":{}", "-".repeat(width + 1)),
            _ => format!("{}:", "-".repeat(width + 1)),
        })
        .collect();
    table.push_str(&format!("|{}|\n", rule.join("|")));
    for row in &rows {
        table.push_str(&line(row));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::PageReadability;
    use crate::check::readability::Readability;

    #[test]
    fn a_finding_s_kind_leaves_out_its_numbers_and_quoted_words() {
        assert_eq!(
            kind_of("this sentence has 27 words; keep sentences to 20 words or fewer"),
            "this sentence has … words; keep sentences to … words or fewer"
        );
        assert_eq!(
            kind_of("avoid the word \"should\": say what to do"),
            "avoid the word …: say what to do"
        );
        assert_eq!(
            kind_of("'next_review' (2026-01-01) is before 'reviewed' (2026-02-01)"),
            "… (…-…-…) is before … (…-…-…)"
        );
        assert_eq!(
            kind_of("the baby's page is “unclear”"),
            "the baby's page is …"
        );
        assert_eq!(kind_of("a quote \" left open"), "a quote \" left open");
    }

    fn page(path: &str, words: usize, smog_grade: f64) -> PageReadability {
        PageReadability {
            path: path.into(),
            figures: Readability {
                words,
                sentences: 12,
                average_sentence_words: 9.25,
                longest_sentence_words: 18,
                polysyllables: 3,
                syllables: 140,
                smog_grade,
                flesch_reading_ease: 101.5,
            },
        }
    }

    #[test]
    fn readability_table_is_a_markdown_table_with_columns_lined_up() {
        let report = CheckReport {
            diagnostics: Vec::new(),
            pages: 2,
            readability: vec![
                page("content/a.md", 96, 6.0),
                page("content/crying/b.md", 1204, 12.5),
            ],
            external_links: Vec::new(),
        };
        assert_eq!(
            readability_table(&report),
            "\
| Page                | Words | Sentences | Average | Longest | SMOG | Flesch |
|:--------------------|------:|----------:|--------:|--------:|-----:|-------:|
| content/a.md        |    96 |        12 |     9.2 |      18 |  6.0 |  101.5 |
| content/crying/b.md |  1204 |        12 |     9.2 |      18 | 12.5 |  101.5 |
"
        );
    }
}
