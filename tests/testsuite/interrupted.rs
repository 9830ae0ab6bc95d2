//! Builds stopped part way. Killed outright (SIGKILL) at points spread over
//! a build, the output folder holds the whole previous site or the whole new
//! one — never none, never a mix — where the system exchanges folders in one
//! step (Linux); asked to stop (SIGTERM), a build removes its staging folder
//! before it ends; and the next build after a kill removes what it left.

use crate::harness::HandbookTest;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How many pages the project has: enough that a build takes a while.
const PAGES: usize = 150;

/// A project whose every page says `word`.
fn project() -> HandbookTest {
    let mut summary = String::from("# Summary\n\n- [Home](README.md)\n");
    for page in 0..PAGES {
        summary.push_str(&format!("- [Page {page}](page-{page}.md)\n"));
    }
    let test = HandbookTest::empty()
        .file("handbook.yaml", "title: Interrupted\n")
        .file("handbook/SUMMARY.md", &summary);
    write_edition(&test, "first");
    test
}

/// Every page rewritten to say `word`.
fn write_edition(test: &HandbookTest, word: &str) {
    let page = |title: &str| {
        format!("# {title}\n\nThis is the {word} edition.\n\n```rust\nfn {word}() {{}}\n```\n")
    };
    let source = test.root().join("handbook");
    std::fs::write(source.join("README.md"), page("Home")).expect("write");
    for n in 0..PAGES {
        let path = source.join(format!("page-{n}.md"));
        std::fs::write(path, page(&format!("Page {n}"))).expect("write");
    }
}

/// Every file of the site and its bytes.
fn site(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root.join("site"))
        .into_iter()
        .map(|entry| entry.expect("walk the site"))
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let path = entry.path().strip_prefix(root).expect("inside");
            let bytes = std::fs::read(entry.path()).expect("read");
            (path.to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

/// A build of `test`, started.
fn start(test: &HandbookTest) -> Child {
    Command::new(env!("CARGO_BIN_EXE_handbook"))
        .args(["build", "--quiet"])
        .current_dir(test.root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a build")
}

/// Entries beside the site that builds make while they work.
fn staging_folders(root: &Path) -> Vec<String> {
    std::fs::read_dir(root)
        .expect("read the project")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.starts_with(".site."))
        .collect()
}

/// The two sites a build may leave, and how long a build takes.
fn both_sites(test: &HandbookTest) -> [BTreeMap<String, Vec<u8>>; 2] {
    let mut sites = [BTreeMap::new(), BTreeMap::new()];
    for (site_of, word) in sites.iter_mut().zip(["second", "first"]) {
        write_edition(test, word);
        let status = start(test).wait().expect("a build");
        assert!(status.success(), "the {word} edition builds");
        *site_of = site(test.root());
    }
    assert_ne!(sites[0], sites[1]);
    sites
}

fn build_time(test: &HandbookTest) -> Duration {
    let started = Instant::now();
    assert!(start(test).wait().expect("a build").success());
    started.elapsed()
}

#[cfg(target_os = "linux")]
#[test]
fn a_build_killed_anywhere_leaves_the_old_site_or_the_new_whole() {
    let test = project();
    let sites = both_sites(&test);
    let took = build_time(&test);
    let trials = 24u32;
    for trial in 0..trials {
        // Each trial changes every page, so each build swaps a new site in.
        write_edition(&test, ["second", "first"][trial as usize % 2]);
        // Points spread from the start to a little past the usual end.
        let at = took.mul_f64(1.2 * f64::from(trial) / f64::from(trials));
        let mut build = start(&test);
        std::thread::sleep(at);
        let _ = build.kill();
        let _ = build.wait();
        let now = site(test.root());
        assert!(
            sites.contains(&now),
            "trial {trial} (killed after {at:?}): the site is neither whole edition ({} files)",
            now.len()
        );
    }
    // The next build removes what the killed ones left.
    assert!(start(&test).wait().expect("a build").success());
    assert_eq!(staging_folders(test.root()), Vec::<String>::new());
}

#[cfg(target_os = "linux")]
#[test]
fn a_build_asked_to_stop_removes_its_staging_folder() {
    let test = project();
    let sites = both_sites(&test);
    let took = build_time(&test);
    for trial in 0..6u32 {
        write_edition(&test, ["second", "first"][trial as usize % 2]);
        let at = took.mul_f64(f64::from(trial) / 6.0);
        let mut build = start(&test);
        std::thread::sleep(at);
        let pid = rustix::process::Pid::from_raw(build.id().cast_signed()).expect("a process");
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        let _ = build.wait();
        assert_eq!(
            staging_folders(test.root()),
            Vec::<String>::new(),
            "trial {trial}: left behind"
        );
        let now = site(test.root());
        assert!(sites.contains(&now), "trial {trial}: the site is whole");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_reader_never_finds_the_site_missing_while_builds_replace_it() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let test = project();
    assert!(start(&test).wait().expect("a build").success());
    let page = test.root().join("site/index.html");
    let stop = AtomicBool::new(false);
    let (reads, misses) = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let (mut reads, mut misses) = (0u64, 0u64);
            while !stop.load(Ordering::Relaxed) {
                reads += 1;
                if std::fs::metadata(&page).is_err() {
                    misses += 1;
                }
            }
            (reads, misses)
        });
        for build in 0..12 {
            write_edition(&test, ["second", "first"][build % 2]);
            assert!(start(&test).wait().expect("a build").success());
        }
        stop.store(true, Ordering::Relaxed);
        reader.join().expect("the reader")
    });
    assert_eq!(
        misses, 0,
        "the site was missing {misses} times in {reads} reads"
    );
}
