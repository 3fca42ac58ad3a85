//! tellyou turns markdown pages with YAML front matter into an accessible static site
//! for the "If They Could Tell You" parent guidance. [`pipeline`] knows the order of
//! the stages and holds their memos; each stage is a module of [`stages`], a function
//! of one input value; [`check`] reads what the stages made and says what is wrong;
//! [`config`] reads the settings once; [`serve`] is the preview; [`support`] holds
//! the leaves everything uses: diagnostics, YAML with positions, paths and dates.
//! [`model`] holds the values that flow between the stages. These are the crate's
//! own: the command line and the tests use the public modules, [`pipeline`],
//! [`config`], [`serve`] and [`new_page`], with the diagnostics, dates, the
//! [`report`] of a check and the [`translations`] report given here; the fuzz
//! targets use [`fuzzing`]. Uses `check` for its reports, `calendar` and `error` to
//! give them.

pub(crate) mod check;
pub mod config;
pub mod fuzzing;
pub(crate) mod memo;
pub(crate) mod model;
pub mod new_page;
pub mod pipeline;
pub mod serve;
pub mod services_pull;
pub(crate) mod stages;
pub(crate) mod support;

pub use crate::check::report;
pub use crate::check::translations;
pub use crate::support::calendar::{Date, today};
pub use crate::support::error::{Diagnostic, Position, Severity, StageError};
