//! Stage: parsed pages → protocol records, the `protocols/` folder, and the
//! register, code of practice and constitution pages.
//!
//! Takes the pages (in SUMMARY order) and the SUMMARY; gives validated
//! [`ProtocolRecord`]s with diagnostics for every bad note ([`derive`]), the
//! expected content of `protocols/` and its drift ([`files`]), and the markdown
//! of the generated pages ([`pages`], with the statements' links [`moved`]
//! to them), which then go through parse, links and render like any page.
//! The handbook is the single source of truth: `protocols/` is derived from
//! it, never read back into it.

pub mod derive;
pub mod files;

pub mod moved;
pub mod pages;

pub use crate::model::protocol::ProtocolRecord;
pub use derive::{Context, derive};
