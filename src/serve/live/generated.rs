//! The pages and files a live edition makes from all its pages: the
//! protocols derived again, the register, code of practice, constitution,
//! Spaces and Changes pages made again (parsed only when their markdown
//! changed), and `protocols/` kept in step. [`Live::edit`] derives; the rest
//! waits for [`Live::settle`], unless the edit moved what those pages link
//! to. Each is made whole and compared with what there was: nothing here
//! knows which parts of a page a generated page reads.

use super::Live;
use crate::{load, protocols};
use anyhow::Result;
use std::collections::BTreeSet;

impl Live {
    /// The generated pages made again from the pages as they are (and the
    /// Changes page, with `changes`), those whose markdown changed parsed
    /// and rendered again: gives how many were parsed and rendered. `None`
    /// when they are not the pages there were (a rebuild's business).
    pub(super) fn make_generated(&mut self, changes: bool) -> Result<Option<(usize, usize)>> {
        let Some(mut made) = self.generated_again() else {
            return Ok(None);
        };
        if changes {
            made.extend(self.changes_page());
        }
        let Some(parsed) = self.take_generated(made) else {
            return Ok(None);
        };
        let count = parsed.len();
        let (rendered, _) = self.refresh(parsed)?;
        Ok(Some((count, rendered)))
    }

    /// Puts generated pages whose markdown changed in place, parsed;
    /// gives their indexes. `None` when one is not a generated page there
    /// was.
    fn take_generated(&mut self, made: Vec<load::SourcePage>) -> Option<BTreeSet<usize>> {
        let mut changed = BTreeSet::new();
        for source in made {
            let generated = &self.edition.prepared.generated;
            let j = generated.iter().position(|g| g.path == source.path)?;
            if generated[j] == source {
                continue;
            }
            let (page, problems) = self.parse(&source);
            let i = self.own + j;
            self.replace(i, page, problems);
            self.edition.prepared.generated[j] = source;
            changed.insert(i);
        }
        Some(changed)
    }

    /// The Changes page's path, in a versioned site with an older edition.
    fn changes_path(&self) -> Option<&str> {
        self.older.as_ref()?;
        let spec = &self.project.versions.as_ref()?.changes_page;
        Some(spec.path.as_str())
    }

    /// The protocols derived again from the editor's pages, with their
    /// problems; `protocols/` is to be compared again if they changed.
    /// Says whether their ids changed.
    pub(super) fn derive_again(&mut self) -> bool {
        let prepared = &mut self.edition.prepared;
        let pages = &prepared.pages[..self.own];
        let (mut records, derived) = crate::derive(&self.edition.config, &prepared.handbook, pages);
        // Records keep only the dates pages state, as in a build.
        for record in &mut records {
            if self.edition.dated.contains(&record.source.page) {
                record.updated = None;
            }
        }
        prepared.problems.derived = derived;
        self.records_changed |= prepared.records != records;
        let ids = |records: &[protocols::ProtocolRecord]| -> Vec<String> {
            records.iter().map(|r| r.id.clone()).collect()
        };
        let ids_changed = ids(&prepared.records) != ids(&records);
        prepared.records = records;
        ids_changed
    }

    /// The protocol and Spaces pages' sources made again; `None` when they
    /// are not the pages there were.
    fn generated_again(&self) -> Option<Vec<load::SourcePage>> {
        let prepared = &self.edition.prepared;
        let sources = crate::generated_sources(
            &self.edition.config,
            &prepared.handbook,
            &prepared.pages[..self.own],
            &prepared.records,
        )
        .pages;
        let changes = self.changes_path();
        let before = self
            .edition
            .prepared
            .generated
            .iter()
            .map(|g| g.path.as_str());
        let before: Vec<&str> = before.filter(|&p| Some(p) != changes).collect();
        let same = sources.iter().map(|g| g.path.as_str()).eq(before);
        same.then_some(sources)
    }

    /// The Changes page's source made again from the pages as they are.
    fn changes_page(&self) -> Option<load::SourcePage> {
        let path = self.changes_path()?;
        let older = self.older.as_ref()?;
        let generated = &self.edition.prepared.generated;
        let current = generated.iter().find(|g| g.path == path)?;
        let markdown = crate::edition::changes_markdown(&self.edition, older, &self.project)?;
        Some(load::SourcePage {
            text: markdown,
            ..current.clone()
        })
    }

    /// Keeps `protocols/` and the edition's records in step: rewrites it
    /// (with `--write-protocols`, when no note has an error), else reports
    /// its drift as a build does.
    pub(crate) fn sync_protocols(&mut self) -> Result<()> {
        self.shown.drift.clear();
        let p = &self.edition.prepared;
        if p.problems.has_errors()
            || self.edition.version.origin != crate::versions::Origin::WorkingTree
        {
            return Ok(());
        }
        let config = &self.edition.config;
        if self.write_protocols {
            let expected = protocols::files::expected(&p.records, &config.source_prefix())?;
            protocols::files::write(&config.protocols.folder, &expected)?;
        }
        self.shown.drift = crate::protocol_drift(config, &p.records, config.protocols.drift)?;
        Ok(())
    }
}
