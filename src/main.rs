//! The `handbook` command: parses arguments, runs the library's pipeline and
//! turns its outcome into output and an exit code — 0 on success, 1 when the
//! content has errors, 2 for usage, configuration and environment failures.

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use handbook::config::ConfigError;
use handbook::diagnostic::{self, Diagnostic, Severity};
use handbook::{BuildOptions, Report};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Build an organisational handbook — markdown in git — into a static site.
#[derive(Debug, Parser)]
#[command(name = "handbook", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the site into the output folder (default `site/`).
    Build {
        #[command(flatten)]
        project: Project,
        /// Write the site here instead of the configured output folder.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Neither read nor keep the build cache (`.handbook-cache/`): make everything afresh.
        #[arg(long)]
        no_cache: bool,
    },
    /// Run every check a build runs, write nothing, and list to-do markers.
    Check {
        #[command(flatten)]
        project: Project,
        /// Neither read nor keep the build cache (`.handbook-cache/`).
        #[arg(long)]
        no_cache: bool,
    },
    /// Derive protocols from the notes and write protocols/ (or --check it).
    Protocols {
        #[command(flatten)]
        project: Project,
        /// Compare protocols/ with the notes and exit 1 on any difference; write nothing.
        #[arg(long)]
        check: bool,
    },
    /// Build, serve on 127.0.0.1 and rebuild on every save: the live preview.
    Serve {
        #[command(flatten)]
        project: Project,
        /// The port to listen on (0: any free port).
        #[arg(long, short, default_value_t = 3000)]
        port: u16,
        /// The address to listen on; anything but loopback exposes the preview.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the handbook in the default browser.
        #[arg(long)]
        open: bool,
        /// Rewrite protocols/ when the notes change (else only report drift).
        #[arg(long)]
        write_protocols: bool,
    },
    /// Write a handbook.yaml saying what DIR's book.toml or .gitbook.yaml says.
    Import {
        /// The mdBook book, Git Sync repository or GitBook export.
        dir: PathBuf,
        /// Copy the project into this new folder and write the handbook.yaml
        /// there (default: write it into DIR).
        #[arg(long, value_name = "NEW")]
        out: Option<PathBuf>,
    },
    /// Start a new handbook project in DIR.
    New {
        /// The folder to create (must be new or empty).
        dir: PathBuf,
        /// The handbook's title (default: from the folder name).
        #[arg(long)]
        title: Option<String>,
    },
}

#[derive(Debug, Args)]
struct Project {
    /// The project folder.
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// The configuration file (default: ROOT/handbook.yaml).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print only diagnostics.
    #[arg(long, short)]
    quiet: bool,
    /// Build or check only these versions (names, comma-separated).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    versions: Option<Vec<String>>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Build {
            project,
            out,
            no_cache,
        } => run_build(
            &project,
            out,
            Run {
                write: true,
                cache: !no_cache,
            },
        ),
        Command::Check { project, no_cache } => run_build(
            &project,
            None,
            Run {
                write: false,
                cache: !no_cache,
            },
        ),
        Command::Protocols { project, check } => run_protocols(&project, check),
        Command::Serve {
            project,
            port,
            bind,
            open,
            write_protocols,
        } => run_serve(&project, (bind, port), open, write_protocols),
        Command::Import { dir, out } => run_import(&dir, out.as_deref()),
        Command::New { dir, title } => handbook::new::create(&dir, title.as_deref()).map(|()| {
            println!(
                "Created a handbook in {}. Build it with: handbook build --root {}",
                dir.display(),
                dir.display()
            );
            ExitCode::SUCCESS
        }),
    };
    outcome.unwrap_or_else(|error| report_failure(&error))
}

/// What a build run does.
#[derive(Debug, Clone, Copy)]
struct Run {
    /// Write the site (`build`), or only check it (`check`).
    write: bool,
    /// Use the build cache.
    cache: bool,
}

/// `build` (`write`) or `check`, with or without the build cache.
fn run_build(project: &Project, out: Option<PathBuf>, run: Run) -> Result<ExitCode> {
    let Run { write, cache } = run;
    let live = !project.quiet && std::io::stderr().is_terminal();
    if write {
        handbook::output::remove_staging_on_signal()?;
    }
    let options = BuildOptions {
        root: project.root.clone(),
        config: project.config.clone(),
        out,
        write,
        progress: live.then_some(show_stage as fn(&str)),
        versions: project.versions.clone(),
        cache,
    };
    let report = handbook::build(&options);
    if live {
        eprint!("\r\x1b[K");
    }
    let report = report?;
    print_diagnostics(&report.diagnostics, &report.texts);
    if !project.quiet {
        eprintln!("{}", summary_line(&report, write));
    }
    Ok(if report.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn run_import(dir: &Path, out: Option<&Path>) -> Result<ExitCode> {
    let imported = handbook::import::import(dir, out)?;
    println!(
        "Wrote {} from {}.",
        imported.written.display(),
        imported.from
    );
    for left_out in &imported.not_carried {
        let help = left_out.help.as_deref().unwrap_or_default();
        println!(
            "not carried over: {}:{}:{}: {} ({help})",
            left_out.file, left_out.line, left_out.column, left_out.message
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn run_serve(
    project: &Project,
    (bind, port): (std::net::IpAddr, u16),
    open: bool,
    write_protocols: bool,
) -> Result<ExitCode> {
    if !bind.is_loopback() {
        eprintln!(
            "warning: serving on {bind}: anyone who can reach this machine can read the preview"
        );
    }
    let options = handbook::serve::ServeOptions {
        project: BuildOptions {
            root: project.root.clone(),
            config: project.config.clone(),
            ..BuildOptions::default()
        },
        bind,
        port,
        write_protocols,
    };
    let quiet = project.quiet;
    let mut shown: Vec<Diagnostic> = Vec::new();
    let report = move |update: &handbook::serve::Update| {
        if update.diagnostics != shown {
            print_diagnostics(&update.diagnostics, &BTreeMap::new());
            shown.clone_from(&update.diagnostics);
        }
        if !quiet {
            eprintln!("{}", serve_line(update));
        }
    };
    let server = handbook::serve::Server::start(&options, Box::new(report))?;
    let url = server.url();
    eprintln!("Serving {url} (Ctrl-C stops)");
    if open && let Err(error) = open::that_detached(&url) {
        eprintln!("warning: could not open a browser: {error}");
    }
    server.wait_for_ctrl_c()?;
    server.stop();
    Ok(ExitCode::SUCCESS)
}

/// One line per rebuild: what, how long, and whether it is served.
fn serve_line(update: &handbook::serve::Update) -> String {
    let errors = update.diagnostics.iter().filter(|d| d.is_error()).count();
    let state = if update.published {
        "served".to_string()
    } else {
        format!("{errors} error(s): the last good site stays served")
    };
    match update.elapsed {
        Some(elapsed) => format!("{} in {}; {state}", update.what, took(elapsed)),
        None => format!("{}; {state}", update.what),
    }
}

/// A duration as a person reads it: "850 µs", "4.2 ms", "64 ms", "1.25 s".
fn took(elapsed: std::time::Duration) -> String {
    let ms = elapsed.as_secs_f64() * 1000.0;
    if ms < 1.0 {
        format!("{} µs", elapsed.as_micros())
    } else if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", elapsed.as_secs_f64())
    }
}

fn run_protocols(project: &Project, check: bool) -> Result<ExitCode> {
    let options = BuildOptions {
        root: project.root.clone(),
        config: project.config.clone(),
        ..BuildOptions::default()
    };
    let report = handbook::protocols(&options, check)?;
    print_diagnostics(&report.diagnostics, &BTreeMap::new());
    let failed = report.diagnostics.iter().any(Diagnostic::is_error);
    if !project.quiet {
        eprintln!("{}", protocols_summary(&report, check, failed));
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Pages, notes, protocols by status and kind, sections still to derive, and
/// what happened to protocols/.
fn protocols_summary(report: &handbook::ProtocolsReport, check: bool, failed: bool) -> String {
    use handbook::model::protocol::Status;
    use std::collections::BTreeMap;
    let (derived, to_derive): (Vec<_>, Vec<_>) = report
        .records
        .iter()
        .partition(|r| r.status != Status::ToDerive);
    let pages: std::collections::BTreeSet<&str> = report
        .records
        .iter()
        .map(|r| r.source.page.as_str())
        .collect();
    let count = |key: fn(&&handbook::protocols::ProtocolRecord) -> &'static str| {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        derived
            .iter()
            .for_each(|r| *counts.entry(key(r)).or_default() += 1);
        counts
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let outcome = match (check, failed, report.changed) {
        (true, false, _) => "protocols/ matches the notes".to_string(),
        (true, true, _) => "protocols/ does not match the notes (see above)".to_string(),
        (false, true, _) => "nothing was written".to_string(),
        (false, false, (0, 0)) => "protocols/ was already up to date".to_string(),
        (false, false, (written, removed)) => {
            format!("protocols/: {written} file(s) written, {removed} removed")
        }
    };
    format!(
        "{} page(s) with notes, {} note(s): {} protocol(s); {} section(s) still to derive\n  by status: {}\n  by kind: {}\n{outcome} ({})",
        pages.len(),
        report.notes,
        derived.len(),
        to_derive.len(),
        count(|r| r.status.as_str()),
        count(|r| r.kind.as_str()),
        took(report.elapsed)
    )
}

/// Overwrites one terminal line with the stage now running.
fn show_stage(stage: &str) {
    eprint!("\r\x1b[K{stage}…");
}

/// The last line: what was done, how long it took, what was found.
fn summary_line(report: &Report, write: bool) -> String {
    let errors = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = report.diagnostics.len() - errors;
    let time = took(report.elapsed);
    let found = format!("{errors} error(s), {warnings} warning(s)");
    let todos = if write && report.todos > 0 {
        format!(
            "; {} to-do marker(s), listed by `handbook check`",
            report.todos
        )
    } else {
        String::new()
    };
    let pages = if report.versions > 1 {
        format!("{} pages in {} versions", report.pages, report.versions)
    } else {
        format!("{} pages", report.pages)
    };
    match (&report.written, write) {
        (Some(out), _) => {
            let out = handbook::config::display_path(out);
            format!("Built {pages} in {time} into {out}: {found}{todos}")
        }
        (None, true) => format!("Build failed after {time}: {found}; nothing was written{todos}"),
        (None, false) => format!("Checked {pages} in {time}: {found}"),
    }
}

/// Prints each diagnostic with its source line. Styled always: anstream
/// strips the styles unless stderr is a terminal that shows them (or
/// `CLICOLOR_FORCE` asks), and honours `NO_COLOR`.
fn print_diagnostics(diagnostics: &[Diagnostic], texts: &BTreeMap<String, String>) {
    let mut stderr = anstream::stderr().lock();
    for d in diagnostics {
        let line = match texts.get(&d.file) {
            Some(text) => nth_line(text, d.line),
            None => source_line(&d.file, d.line),
        };
        let _ = write!(stderr, "{}", diagnostic::render(d, line.as_deref(), true));
    }
}

/// The diagnostic's line, read again from the file the editor sees (only
/// as far as that line: the file may be a page too large to build).
fn source_line(file: &str, line: u32) -> Option<String> {
    use std::io::BufRead as _;
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    let file = std::fs::File::open(Path::new(file)).ok()?;
    std::io::BufReader::new(file).lines().nth(index)?.ok()
}

fn nth_line(text: &str, line: u32) -> Option<String> {
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    text.lines().nth(index).map(str::to_string)
}

fn report_failure(error: &anyhow::Error) -> ExitCode {
    if let Some(config) = error.downcast_ref::<ConfigError>() {
        print_diagnostics(&config.0, &BTreeMap::new());
    } else {
        eprintln!("error: {error:#}");
    }
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::took;
    use std::time::Duration;

    #[test]
    fn a_short_rebuild_is_not_said_to_take_no_time() {
        assert_eq!(took(Duration::from_micros(40)), "40 µs");
        assert_eq!(took(Duration::from_micros(4_240)), "4.2 ms");
        assert_eq!(took(Duration::from_micros(64_400)), "64 ms");
        assert_eq!(took(Duration::from_millis(1_254)), "1.25 s");
    }
}
