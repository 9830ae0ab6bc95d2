//! The semantic checks of `handbook.yaml`: [`validate`] turns the file's
//! raw values into a [`Config`], each bad value reported at its own line
//! and column (the [`Checker`]; the sections' own checks live beside their
//! types: `extras.rs`, `spaces.rs`, `markdown.rs`, `versions.rs`), so that
//! one run reports every problem.

use super::*;

pub(super) fn validate(
    mut raw: RawConfig,
    root: &Path,
    output: Option<&Path>,
    label: &str,
    problems: &mut Diagnostics,
) -> Config {
    let carried = extras::RawExtras::take(&mut raw);
    let mut check = Checker { label, problems };
    let source = raw
        .source
        .map_or_else(|| "handbook".into(), |s| check.relative_dir(s));
    let output_dir = output.map_or_else(
        || {
            root.join(
                raw.output
                    .map_or_else(|| "site".into(), |s| check.relative_dir(s)),
            )
        },
        Path::to_path_buf,
    );
    let (base_url, path_prefix) = check.origin_and_prefix(raw.base_url, raw.path_prefix);
    let theme = raw
        .theme
        .map_or_else(|| "default".into(), |t| check.theme(t));
    let versions = raw.versions.map(|v| check.versions(v, root, &output_dir));
    Config {
        root: root.to_path_buf(),
        file: root.join(FILE_NAME),
        source_dir: root.join(source),
        output_dir,
        theme,
        site: Site {
            title: raw.title.unwrap_or_else(|| "Handbook".into()),
            description: raw.description,
            language: raw
                .language
                .map_or_else(|| "en".into(), |l| check.language(l)),
            base_url,
            path_prefix,
        },
        legacy_urls: raw
            .legacy_urls
            .into_iter()
            .map(|u| check.legacy_url(u))
            .collect(),
        edit_url: raw.edit_url.map(|u| check.edit_url(u)),
        broken_links: level(raw.broken_links, Severity::Error),
        search: raw.search.unwrap_or(true),
        protocols: check.protocols(raw.protocols, root),
        spaces: check.spaces(raw.spaces),
        spaces_page: check.page(raw.spaces_page, ("spaces-page:", "Spaces"), "spaces.md"),
        versions,
        markdown: check.markdown(raw.markdown),
        label_prefix: String::new(),
        carried: check.carried(carried, root),
        warnings: Vec::new(),
    }
}

fn level(given: Option<LinkLevel>, default: Severity) -> Severity {
    match given {
        Some(LinkLevel::Warn) => Severity::Warning,
        Some(LinkLevel::Error) => Severity::Error,
        None => default,
    }
}

/// Semantic checks of single values, each reported at the value's position.
pub(super) struct Checker<'a> {
    pub(super) label: &'a str,
    pub(super) problems: &'a mut Diagnostics,
}

impl Checker<'_> {
    pub(super) fn fail(&mut self, at: &Spanned<String>, message: String, help: &str) {
        self.fail_at(yaml::position(at), message, help);
    }

    pub(super) fn fail_at(&mut self, (line, column): (u32, u32), message: String, help: &str) {
        self.problems
            .push(Diagnostic::error(self.label, line, column, message).with_help(help));
    }

    pub(super) fn relative_dir(&mut self, value: Spanned<String>) -> String {
        let path = Path::new(&value.value);
        let inside = path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if value.value.is_empty() || !inside {
            let message = format!("`{}` must be a folder inside the project", value.value);
            self.fail(
                &value,
                message,
                "use a relative path such as `handbook` or `site`",
            );
        }
        value.value
    }

    pub(super) fn base_url(&mut self, value: Spanned<String>) -> String {
        let url = value.value.as_str();
        if !is_web_url(url) || url.contains(['?', '#']) {
            let message = format!("base-url `{url}` is not an absolute http(s) URL");
            self.fail(
                &value,
                message,
                "write it as `https://handbook.example.org`",
            );
        }
        value.value
    }

    /// The site's origin and path prefix. A path written in `base-url`
    /// (`https://coop.org/handbook`) is the prefix when `path-prefix` is not
    /// set; saying it in both places would double it, so that is an error.
    pub(super) fn origin_and_prefix(
        &mut self,
        base: Option<Spanned<String>>,
        prefix: Option<Spanned<String>>,
    ) -> (Option<String>, String) {
        let Some(base) = base else {
            return (
                None,
                prefix.map_or_else(|| "/".into(), |p| self.path_prefix(p)),
            );
        };
        let url = self.base_url(base.clone());
        let after_scheme = url.find("://").map_or(0, |i| i + 3);
        let (origin, path) = match url[after_scheme..].find('/') {
            Some(i) => url.split_at(after_scheme + i),
            None => (url.as_str(), ""),
        };
        let path = path.trim_end_matches('/');
        match prefix {
            Some(given) if !path.is_empty() => {
                let message = format!("base-url `{url}` has a path, and path-prefix gives one too");
                self.fail(
                    &base,
                    message,
                    "give the origin in base-url and the path in path-prefix",
                );
                (Some(origin.to_string()), self.path_prefix(given))
            }
            Some(given) => (Some(origin.to_string()), self.path_prefix(given)),
            None => (Some(origin.to_string()), format!("{path}/")),
        }
    }

    pub(super) fn path_prefix(&mut self, value: Spanned<String>) -> String {
        let prefix = value.value.trim();
        if !prefix.starts_with('/')
            || prefix.contains(['?', '#', ' ', '\\'])
            || prefix.contains("//")
        {
            let message =
                format!("path-prefix `{prefix}` must be an absolute path such as `/handbook/`");
            self.fail(
                &value,
                message,
                "start it with `/`; the site's pages live under it",
            );
            return "/".into();
        }
        if prefix.ends_with('/') {
            prefix.to_string()
        } else {
            format!("{prefix}/")
        }
    }

    pub(super) fn theme(&mut self, value: Spanned<String>) -> String {
        let ok = !value.value.is_empty()
            && value
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            let message = format!("theme `{}` is not a folder name", value.value);
            self.fail(
                &value,
                message,
                "name a folder under themes/, e.g. `default`",
            );
        }
        value.value
    }

    pub(super) fn language(&mut self, value: Spanned<String>) -> String {
        // BCP 47's shape: a primary subtag of letters (2 to 8, or the `x`
        // and `i` prefixes), then subtags of 1 to 8 letters or digits.
        let mut parts = value.value.split('-');
        let primary = parts.next().unwrap_or_default();
        let primary_ok = primary.chars().all(|c| c.is_ascii_alphabetic())
            && ((2..=8).contains(&primary.len()) || matches!(primary, "x" | "i" | "X" | "I"));
        let ok = primary_ok
            && parts.all(|part| {
                (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
            });
        if !ok {
            let message = format!("language `{}` is not a language tag", value.value);
            self.fail(&value, message, "use a tag such as `en`, `es` or `pt-BR`");
        }
        value.value
    }

    pub(super) fn legacy_url(&mut self, value: Spanned<String>) -> String {
        let url = value.value.as_str();
        if !is_web_url(url) {
            let message = format!("legacy URL `{url}` is not an absolute http(s) URL");
            self.fail(
                &value,
                message,
                "give the old site's address, e.g. `https://x.gitbook.io/handbook/`",
            );
        }
        let url = value.value.trim_end_matches('/');
        format!("{url}/")
    }

    pub(super) fn protocols(&mut self, raw: RawProtocols, root: &Path) -> Protocols {
        let folder = raw
            .folder
            .map_or_else(|| "protocols".into(), |f| self.relative_dir(f));
        Protocols {
            folder: root.join(folder),
            drift: match raw.drift {
                Some(DriftLevel::Off) => None,
                Some(DriftLevel::Error) => Some(Severity::Error),
                Some(DriftLevel::Warn) | None => Some(Severity::Warning),
            },
            register: self.page(
                raw.register,
                ("protocols: register:", "Protocols"),
                "protocols.md",
            ),
            code_of_practice: self.page(
                raw.code_of_practice,
                ("protocols: code-of-practice:", "Code of practice"),
                "code-of-practice.md",
            ),
            constitution: self.page(
                raw.constitution,
                ("protocols: constitution:", "Constitution"),
                "constitution.md",
            ),
        }
    }

    /// A generated page's place: `key` the section that sets it, `title`
    /// and `path` its defaults.
    pub(super) fn page(
        &mut self,
        raw: Option<RawPage>,
        (key, title): (&str, &str),
        path: &str,
    ) -> PageSpec {
        let raw = raw.unwrap_or(RawPage {
            title: None,
            path: None,
        });
        let path_at = raw.path.as_ref().map(yaml::position);
        let path = match raw.path {
            Some(given) => match crate::model::path::normalise_target(&given.value) {
                Ok(normal) => normal,
                Err(message) => {
                    self.fail(
                        &given,
                        message,
                        "name a page path in the source folder, e.g. `protocols.md`",
                    );
                    path.to_string()
                }
            },
            None => path.to_string(),
        };
        PageSpec {
            path,
            title: raw.title.unwrap_or_else(|| title.to_string()),
            key: key.to_string(),
            path_at,
        }
    }

    pub(super) fn edit_url(&mut self, value: Spanned<String>) -> String {
        // Every page links to it: nothing but a web address may get there.
        if !is_web_url(&value.value) {
            let message = format!("edit-url `{}` is not an absolute http(s) URL", value.value);
            self.fail(
                &value,
                message,
                "e.g. `https://git.example.org/coop/handbook/edit/main/{path}`",
            );
        } else if !value.value.contains("{path}") {
            let message = "edit-url has no `{path}` placeholder".to_string();
            self.fail(
                &value,
                message,
                "e.g. `https://git.example.org/coop/handbook/edit/main/{path}`",
            );
        }
        value.value
    }
}

/// `http://` or `https://` and a host: the one test every URL in the
/// configuration must pass.
pub(super) fn is_web_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && !r.starts_with('/')
            && !r.contains(|c: char| c.is_whitespace() || c.is_control())
    })
}
