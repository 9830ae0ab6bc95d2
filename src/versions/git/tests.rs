//! Tests of the git reader against real repositories made with the `git`
//! CLI in temporary folders, with a fixed identity and clock.

use super::*;
use std::io::Write as _;
use std::process::{Command, Stdio};

/// 2021-01-01T00:00:00Z in seconds since the epoch.
const JAN_1: i64 = 1_609_459_200;

/// The committer time of a commit made by `git` on January `day`, 2021.
fn day(day: i64) -> i64 {
    JAN_1 + (day - 1) * 86_400
}

/// A `git` command in `dir` with a fixed identity, dates on January `day`, and no outside config.
fn git_command(dir: &Path, day: u32) -> Command {
    let date = format!("2021-01-{day:02}T00:00:00Z");
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@e"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgSign=false",
        ])
        .args(["-c", "tag.gpgSign=false", "-c", "core.autocrlf=false"])
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    command
}

/// Runs `git args` in `dir` on January `day`, giving its trimmed output.
fn git(dir: &Path, day: u32, args: &[&str]) -> String {
    let output = git_command(dir, day).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// Writes `contents` to `path` under `root`, making folders as needed.
fn write(root: &Path, path: &str, contents: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

/// Commits everything in the work tree on January `day`.
fn commit_all(root: &Path, day: u32, message: &str) {
    git(root, day, &["add", "-A"]);
    git(root, day, &["commit", "-q", "-m", message]);
}

/// Paths as owned strings.
fn strings(paths: &[&str]) -> Vec<String> {
    paths.iter().map(ToString::to_string).collect()
}

/// A repository with a history exercising tags, branches, renames, removals and a merge:
///
/// - day 1 (tag `edition-1`): `handbook/{a,b,old,gone}.md`, `handbook/sub/c.md`, an
///   executable `handbook/run.sh`, a symlink `handbook/link.md`, `README`
/// - day 2 (annotated tag `edition-2`): `a.md` changed
/// - day 3: `old.md` renamed to `new.md`, `gone.md` removed
/// - day 4, on branch `side`: `sub/c.md` changed
/// - day 5, on `main`: `README` changed
/// - day 6 (tags `edition-3`, `edition-3a`, `other-1`): `side` merged into `main`
///
/// plus `blobtag` (a blob) and `treetag` (a tree).
fn handbook_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, 1, &["init", "-q"]);
    for (path, contents) in [
        ("handbook/a.md", "a1"),
        ("handbook/b.md", "b1"),
        ("handbook/old.md", "old"),
        ("handbook/gone.md", "gone"),
        ("handbook/sub/c.md", "c1"),
        ("handbook/run.sh", "#!/bin/sh\n"),
        ("README", "r1"),
    ] {
        write(root, path, contents);
    }
    git(root, 1, &["add", "-A"]);
    git(root, 1, &["update-index", "--chmod=+x", "handbook/run.sh"]);
    std::os::unix::fs::symlink("a.md", root.join("handbook/link.md")).unwrap();
    commit_all(root, 1, "one");
    git(root, 1, &["tag", "edition-1"]);
    write(root, "handbook/a.md", "a2");
    commit_all(root, 2, "two");
    git(root, 2, &["tag", "-a", "edition-2", "-m", "second edition"]);
    git(root, 3, &["mv", "handbook/old.md", "handbook/new.md"]);
    git(root, 3, &["rm", "-q", "handbook/gone.md"]);
    commit_all(root, 3, "three");
    git(root, 4, &["checkout", "-q", "-b", "side"]);
    write(root, "handbook/sub/c.md", "c2");
    commit_all(root, 4, "four, on side");
    git(root, 5, &["checkout", "-q", "main"]);
    write(root, "README", "r2");
    commit_all(root, 5, "five");
    git(
        root,
        6,
        &["merge", "-q", "--no-ff", "-m", "six, merge", "side"],
    );
    for tag in ["edition-3a", "edition-3", "other-1"] {
        git(root, 6, &["tag", tag]);
    }
    let blob = git(root, 6, &["hash-object", "-w", "README"]);
    git(root, 6, &["tag", "blobtag", &blob]);
    git(root, 6, &["tag", "treetag", "HEAD^{tree}"]);
    dir
}

#[test]
fn repo_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Repo>();
}

#[test]
fn discover_finds_the_repository_upwards_and_none_elsewhere() {
    let dir = handbook_repo();
    let repo = Repo::discover(&dir.path().join("handbook/sub")).unwrap();
    assert_eq!(
        repo.workdir(),
        Some(dir.path().canonicalize().unwrap().as_path())
    );
    assert!(!repo.is_shallow());
    let empty = tempfile::tempdir().unwrap();
    assert!(Repo::discover(empty.path()).is_none());
}

#[test]
fn a_fresh_repository_has_no_head_and_no_tags() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), 1, &["init", "-q"]);
    let repo = Repo::discover(dir.path()).unwrap();
    assert_eq!(repo.head(), None);
    assert_eq!(repo.commit("HEAD"), Err(RefProblem::NotFound));
    assert!(repo.tags(&pattern("*")).unwrap().is_empty());
}

#[test]
fn names_resolve_to_commits() {
    let dir = handbook_repo();
    let repo = Repo::discover(dir.path()).unwrap();
    let head = repo.head().unwrap();
    assert_eq!(head.time, day(6));
    assert_eq!(
        head.id.to_string(),
        git(dir.path(), 6, &["rev-parse", "HEAD"])
    );
    assert_eq!(repo.commit("edition-1").unwrap().time, day(1));
    let annotated = repo.commit("edition-2").unwrap();
    assert_eq!(
        annotated.id.to_string(),
        git(dir.path(), 6, &["rev-parse", "edition-2^{commit}"])
    );
    assert_eq!(annotated.time, day(2));
    assert_eq!(repo.commit("refs/tags/edition-2"), Ok(annotated));
    assert_eq!(repo.commit("side").unwrap().time, day(4));
    assert_eq!(repo.commit("refs/heads/main"), Ok(head.clone()));
    assert_eq!(repo.commit(&head.id.to_string()), Ok(head));
    assert_eq!(repo.commit("HEAD~1").unwrap().time, day(5));
}

#[test]
fn names_that_give_no_commit_say_why() {
    let dir = handbook_repo();
    let repo = Repo::discover(dir.path()).unwrap();
    assert_eq!(repo.commit("no-such-edition"), Err(RefProblem::NotFound));
    assert_eq!(repo.commit("refs/tags/nope"), Err(RefProblem::NotFound));
    assert_eq!(repo.commit("blobtag"), Err(RefProblem::NotACommit("blob")));
    assert_eq!(repo.commit("treetag"), Err(RefProblem::NotACommit("tree")));
}

#[test]
fn tags_match_the_glob_newest_first() {
    let dir = handbook_repo();
    let repo = Repo::discover(dir.path()).unwrap();
    let tags = repo.tags(&pattern("edition-*")).unwrap();
    let names: Vec<&str> = tags.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["edition-3", "edition-3a", "edition-2", "edition-1"]);
    assert_eq!(tags[2].1, repo.commit("edition-2").unwrap());
    let all: Vec<String> = repo
        .tags(&pattern("*"))
        .unwrap()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        all,
        [
            "edition-3",
            "edition-3a",
            "other-1",
            "edition-2",
            "edition-1"
        ]
    );
    assert!(repo.tags(&pattern("edition")).unwrap().is_empty());
    assert_eq!(repo.tags(&pattern("*-1")).unwrap().len(), 2);
}

#[test]
fn files_lists_a_folder_of_a_commit() {
    let dir = handbook_repo();
    let repo = Repo::discover(dir.path()).unwrap();
    let head = repo.head().unwrap();
    let listed = repo.files(&head, "handbook/").unwrap().unwrap();
    let skipped: Vec<&str> = listed.skipped.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(skipped, ["link.md"], "a symlink is listed apart");
    assert!(listed.skipped[0].1.contains("symbolic link"));
    assert_eq!(
        repo.files(&head, "handbook").unwrap().as_ref(),
        Some(&listed)
    );
    let files = listed.blobs;
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(names, ["a.md", "b.md", "new.md", "run.sh", "sub/c.md"]);
    let blob = |id| repo.blob(id, "a path").unwrap();
    assert_eq!(blob(files["a.md"]), b"a2");
    assert_eq!(blob(files["sub/c.md"]), b"c2");
    let first = repo.commit("edition-1").unwrap();
    let old = repo.files(&first, "handbook/sub/").unwrap().unwrap().blobs;
    let old: Vec<(String, Vec<u8>)> = old.into_iter().map(|(p, id)| (p, blob(id))).collect();
    assert_eq!(old, [("c.md".to_string(), b"c1".to_vec())]);
    let whole = repo.files(&head, "").unwrap().unwrap().blobs;
    assert_eq!(whole.len(), 6);
    assert_eq!(blob(whole["README"]), b"r2");
    assert_eq!(blob(whole["handbook/sub/c.md"]), b"c2");
    assert_eq!(repo.files(&head, "nope/").unwrap(), None);
    assert_eq!(repo.files(&head, "handbook/a.md").unwrap(), None);
    assert_eq!(repo.files(&first, "handbook/new.md/").unwrap(), None);
}

#[test]
fn a_blob_size_is_read_from_its_header_and_matches_its_bytes() {
    let dir = handbook_repo();
    let repo = Repo::discover(dir.path()).unwrap();
    let head = repo.head().unwrap();
    let files = repo.files(&head, "").unwrap().unwrap().blobs;
    for (path, id) in files {
        let bytes = repo.blob(id, &path).unwrap();
        assert_eq!(
            repo.blob_size(id, &path).unwrap(),
            bytes.len() as u64,
            "{path}"
        );
    }
    let missing = gix::ObjectId::null(gix::hash::Kind::Sha1);
    let error = repo.blob_size(missing, "gone.md").unwrap_err();
    assert!(format!("{error:#}").contains("gone.md"), "{error:#}");
}

#[test]
fn file_reads_one_regular_file() {
    let dir = handbook_repo();
    let repo = Repo::discover(dir.path()).unwrap();
    let head = repo.head().unwrap();
    let first = repo.commit("edition-1").unwrap();
    assert_eq!(
        repo.file(&head, "handbook/a.md").unwrap(),
        Some(b"a2".to_vec())
    );
    assert_eq!(
        repo.file(&first, "handbook/a.md").unwrap(),
        Some(b"a1".to_vec())
    );
    assert_eq!(repo.file(&head, "README").unwrap(), Some(b"r2".to_vec()));
    assert_eq!(
        repo.file(&head, "handbook/run.sh").unwrap(),
        Some(b"#!/bin/sh\n".to_vec())
    );
    assert_eq!(repo.file(&head, "handbook/old.md").unwrap(), None);
    assert_eq!(
        repo.file(&first, "handbook/old.md").unwrap(),
        Some(b"old".to_vec())
    );
    assert_eq!(repo.file(&head, "handbook/sub").unwrap(), None);
    assert_eq!(repo.file(&head, "handbook/link.md").unwrap(), None);
    assert_eq!(repo.file(&head, "handbook/missing.md").unwrap(), None);
    assert_eq!(repo.file(&head, "").unwrap(), None);
}

#[test]
fn dates_attribute_each_file_to_its_last_change() {
    let dir = handbook_repo();
    let repo = Repo::discover(dir.path()).unwrap();
    let head = repo.head().unwrap();
    let wanted = strings(&[
        "a.md",
        "b.md",
        "sub/c.md",
        "new.md",
        "old.md",
        "gone.md",
        "missing.md",
        "run.sh",
    ]);
    let dates = repo.dates(&head, "handbook/", &wanted).unwrap();
    let expected: HashMap<String, i64> = [
        ("a.md", day(2)),
        ("b.md", day(1)),
        ("sub/c.md", day(6)),
        ("new.md", day(3)),
        ("run.sh", day(1)),
    ]
    .into_iter()
    .map(|(path, time)| (path.to_string(), time))
    .collect();
    assert_eq!(
        dates,
        Dates {
            times: expected,
            truncated: false
        }
    );
    assert_eq!(repo.dates(&head, "handbook", &wanted).unwrap(), dates);
}

#[test]
fn dates_follow_the_commit_and_prefix_asked_for() {
    let dir = handbook_repo();
    let repo = Repo::discover(dir.path()).unwrap();
    let first = repo.commit("edition-1").unwrap();
    let wanted = strings(&["a.md", "old.md", "gone.md", "sub/c.md"]);
    let dates = repo.dates(&first, "handbook/", &wanted).unwrap();
    assert_eq!(dates.times.len(), 4);
    assert!(dates.times.values().all(|time| *time == day(1)));
    let head = repo.head().unwrap();
    let whole = repo
        .dates(
            &head,
            "",
            &strings(&["README", "handbook/a.md", "handbook"]),
        )
        .unwrap();
    assert_eq!(whole.times.len(), 2);
    assert_eq!(whole.times["README"], day(5));
    assert_eq!(whole.times["handbook/a.md"], day(2));
    let side = repo.commit("side").unwrap();
    let on_side = repo
        .dates(&side, "handbook/sub", &strings(&["c.md"]))
        .unwrap();
    assert_eq!(on_side.times["c.md"], day(4));
    assert_eq!(
        repo.dates(&head, "handbook/", &[]).unwrap(),
        Dates::default()
    );
}

#[test]
fn dates_settle_removed_folders_and_ignore_mode_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, 1, &["init", "-q"]);
    write(root, "docs/x/y.md", "y");
    write(root, "docs/z.md", "z1");
    commit_all(root, 1, "one");
    git(root, 2, &["rm", "-q", "-r", "docs/x"]);
    commit_all(root, 2, "two: folder removed");
    write(root, "docs/z.md", "z2");
    commit_all(root, 3, "three");
    git(root, 4, &["update-index", "--chmod=+x", "docs/z.md"]);
    git(root, 4, &["commit", "-q", "-m", "four: mode only"]);
    let repo = Repo::discover(root).unwrap();
    let wanted = strings(&["x/y.md", "z.md"]);
    let dates = repo.dates(&repo.head().unwrap(), "docs/", &wanted).unwrap();
    let times = HashMap::from([("z.md".to_string(), day(3))]);
    assert_eq!(
        dates,
        Dates {
            times,
            truncated: false
        }
    );
    let first = repo.commit("HEAD~3").unwrap();
    let dates = repo.dates(&first, "docs/", &wanted).unwrap();
    assert_eq!(dates.times.len(), 2);
}

/// A repository where day 1 adds `a.md` and `b.md`, day 2 changes `a.md`, day 3 changes `b.md`.
fn three_day_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, 1, &["init", "-q"]);
    write(root, "docs/a.md", "a1");
    write(root, "docs/b.md", "b1");
    commit_all(root, 1, "one");
    write(root, "docs/a.md", "a2");
    commit_all(root, 2, "two");
    write(root, "docs/b.md", "b2");
    commit_all(root, 3, "three");
    dir
}

/// A shallow clone of `source` with the newest `depth` commits.
fn shallow_clone(source: &Path, depth: u32) -> tempfile::TempDir {
    let dest = tempfile::tempdir().unwrap();
    let url = format!("file://{}", source.display());
    let into = dest.path().join("clone");
    let depth = depth.to_string();
    let into_str = into.to_str().unwrap();
    git(
        source,
        3,
        &["clone", "-q", "--depth", &depth, &url, into_str],
    );
    dest
}

#[test]
fn dates_stop_at_a_shallow_boundary() {
    let source = three_day_repo();
    let full = Repo::discover(source.path()).unwrap();
    let wanted = strings(&["a.md", "b.md"]);
    let head = full.head().unwrap();
    let dates = full.dates(&head, "docs", &wanted).unwrap();
    assert_eq!(
        dates.times,
        HashMap::from([("a.md".into(), day(2)), ("b.md".into(), day(3))])
    );
    assert!(!dates.truncated);

    let one = shallow_clone(source.path(), 1);
    let repo = Repo::discover(&one.path().join("clone")).unwrap();
    assert!(repo.is_shallow());
    let head = repo.head().unwrap();
    let dates = repo.dates(&head, "docs/", &wanted).unwrap();
    assert_eq!(
        dates,
        Dates {
            times: HashMap::new(),
            truncated: true
        }
    );

    let two = shallow_clone(source.path(), 2);
    let repo = Repo::discover(&two.path().join("clone")).unwrap();
    let head = repo.head().unwrap();
    let dates = repo.dates(&head, "docs/", &wanted).unwrap();
    let times = HashMap::from([("b.md".to_string(), day(3))]);
    assert_eq!(
        dates,
        Dates {
            times: times.clone(),
            truncated: true
        }
    );
    let only_b = repo.dates(&head, "docs/", &strings(&["b.md"])).unwrap();
    assert_eq!(
        only_b,
        Dates {
            times,
            truncated: false
        }
    );
}

#[test]
fn threads_share_one_repo() {
    let dir = handbook_repo();
    let repo = Repo::discover(dir.path()).unwrap();
    let head = repo.head().unwrap();
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| repo.file(&head, "handbook/a.md").unwrap());
        let b = scope.spawn(|| repo.files(&head, "handbook/").unwrap().unwrap().blobs.len());
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(a, Some(b"a2".to_vec()));
    assert_eq!(b, 5);
}

/// Writes a `git fast-import` stream of `commits` commits over `files` files in 100 folders:
/// the first adds them all, each later one changes `per_commit` of them. Gives each file's
/// expected last-change time.
fn synthetic_history(
    out: &mut impl std::io::Write,
    files: usize,
    commits: usize,
    per_commit: usize,
) -> HashMap<String, i64> {
    let path = |file: usize| format!("d{:02}/f{file:05}.md", file % 100);
    let mut expected = HashMap::new();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for commit in 0..commits {
        let time = JAN_1 + i64::try_from(commit).unwrap() * 3_600;
        writeln!(
            out,
            "commit refs/heads/main\ncommitter t <t@e> {time} +0000\ndata 1\nc"
        )
        .unwrap();
        let touched: Vec<usize> = if commit == 0 {
            (0..files).collect()
        } else {
            (0..per_commit)
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    usize::try_from(seed >> 33).unwrap() % files
                })
                .collect()
        };
        for file in touched {
            let body = format!("file {file}, revision {commit}\n");
            write!(
                out,
                "M 100644 inline handbook/{}\ndata {}\n{body}",
                path(file),
                body.len()
            )
            .unwrap();
            expected.insert(path(file), time);
        }
    }
    expected
}

/// Times `dates` (and `files`) on 10,000 files over 300 commits, as `git fast-import` packed
/// them and again after a repack; run with
/// `cargo test --release -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run in release mode"]
fn dates_timing_on_a_large_history() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), 1, &["init", "-q"]);
    let mut import = git_command(dir.path(), 1)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stream = Vec::new();
    let expected = synthetic_history(&mut stream, 10_000, 300, 20);
    import.stdin.take().unwrap().write_all(&stream).unwrap();
    assert!(import.wait().unwrap().success());
    let repo = Repo::discover(dir.path()).unwrap();
    let head = repo.commit("main").unwrap();

    let start = std::time::Instant::now();
    let files = repo.files(&head, "handbook/").unwrap().unwrap().blobs;
    let files_time = start.elapsed();
    let wanted: Vec<String> = files.into_keys().collect();
    let start = std::time::Instant::now();
    let dates = repo.dates(&head, "handbook/", &wanted).unwrap();
    let dates_time = start.elapsed();
    println!(
        "files: {} files in {files_time:?}; dates: {} files over 300 commits in {dates_time:?}",
        wanted.len(),
        dates.times.len()
    );
    assert_eq!(
        dates,
        Dates {
            times: expected,
            truncated: false
        }
    );
    git(dir.path(), 1, &["repack", "-adfq"]);
    let repacked = Repo::discover(dir.path()).unwrap();
    let start = std::time::Instant::now();
    let again = repacked.dates(&head, "handbook/", &wanted).unwrap();
    println!("dates after `git repack -adf`: {:?}", start.elapsed());
    assert_eq!(again, dates);
}

/// The matcher of a `tags:` pattern.
fn pattern(glob: &str) -> globset::GlobMatcher {
    crate::config::tag_pattern(glob).unwrap()
}
