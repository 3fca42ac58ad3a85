//! tellyou turns markdown pages with YAML front matter into an accessible static site
//! for the "If They Could Tell You" parent guidance. [`pipeline`] knows the order of
//! the stages and holds their memos; each stage is a module of [`stages`], a function
//! of one input value; [`check`] reads what the stages made and says what is wrong;
//! [`config`] reads the settings once; [`serve`] is the preview; [`support`] holds
//! the leaves everything uses: diagnostics, YAML with positions, paths and dates.
//! [`model`] holds the values that flow between the stages. The command line, the
//! tests and the fuzzers use what is `pub`. Uses nothing itself.

pub mod check;
pub mod config;
pub mod memo;
pub mod model;
pub mod new_page;
pub mod pipeline;
pub mod serve;
pub mod stages;
pub mod support;
