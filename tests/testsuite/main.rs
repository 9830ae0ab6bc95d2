//! The integration tests: one binary (it links once), a module per area.
//! `harness` holds the chainable `HandbookTest`; fixtures live in
//! `tests/fixtures/<valid|invalid>/<case>/`.

mod architecture;
mod browser;
mod build;
mod cache;
mod cli;
mod example;
mod foreign;
mod gitbook;
mod harness;
mod interrupted;
mod invalid;
mod mdbook;
mod properties;
mod protocols;
mod search;
mod serve;
mod spaces;
mod versions;
