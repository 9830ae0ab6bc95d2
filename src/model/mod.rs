//! The bottom layer: plain values every stage shares, with no stage of
//! their own — dates, site paths and URLs, slugs, what a protocol is, and
//! where a generated page goes.
//!
//! Takes and gives values only: nothing here reads the disk, knows the
//! configuration or imports a stage, so any stage may use it and the stages
//! depend on one another in one direction (see ARCHITECTURE.md, "Layers").

pub mod date;
pub mod key;
pub mod path;
pub mod protocol;
pub mod slug;
pub mod spec;

pub use date::Date;
pub use spec::PageSpec;
