//! Where a generated page goes and what it is called: the configuration
//! says it, the protocols and spaces stages write the page.

/// Where a generated page goes and what it is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSpec {
    /// Its path in the source folder's namespace (`protocols.md`).
    pub path: String,
    /// Its title.
    pub title: String,
    /// The configuration section that places it (`protocols: register:`).
    pub key: String,
    /// Line and column where the configuration set its `path`; `None` when
    /// the path is the default.
    pub path_at: Option<(u32, u32)>,
}
