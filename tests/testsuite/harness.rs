//! `HandbookTest`: a project in a temporary folder, made from a fixture or
//! file by file, built by the real `handbook` binary, with assertions on
//! the exit code, stderr and the written pages.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where Cargo.toml is).
pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The fixtures folder.
pub(crate) fn fixtures() -> PathBuf {
    repo_root().join("tests/fixtures")
}

/// A project under test, deleted when dropped.
pub(crate) struct HandbookTest {
    dir: tempfile::TempDir,
    output: Option<Output>,
}

impl HandbookTest {
    /// An empty project folder.
    pub(crate) fn empty() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            output: None,
        }
    }

    /// A copy of `tests/fixtures/<name>`.
    #[track_caller]
    pub(crate) fn fixture(name: &str) -> Self {
        let test = Self::empty();
        copy_dir(&fixtures().join(name), test.root());
        test
    }

    /// A copy of the repository's example project (handbook.yaml, handbook/,
    /// protocols/); not themes/, so the theme compiled into the binary is the
    /// one tested, as users get it.
    pub(crate) fn example() -> Self {
        let test = Self::empty();
        let repo = repo_root();
        copy_dir(&repo.join("handbook"), &test.root().join("handbook"));
        copy_dir(&repo.join("protocols"), &test.root().join("protocols"));
        copy_dir(&repo.join("editions"), &test.root().join("editions"));
        std::fs::copy(
            repo.join("handbook.yaml"),
            test.root().join("handbook.yaml"),
        )
        .expect("copy config");
        test
    }

    /// The project root.
    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating folders) and returns the test for chaining.
    #[track_caller]
    pub(crate) fn file(self, path: &str, contents: &str) -> Self {
        let target = self.root().join(path);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::write(target, contents).expect("write");
        self
    }

    /// Runs `handbook ARGS` in the project root.
    #[track_caller]
    pub(crate) fn run(mut self, args: &[&str]) -> Self {
        let output = handbook(self.root(), args);
        self.output = Some(output);
        self
    }

    /// `handbook build`.
    pub(crate) fn build(self) -> Self {
        self.run(&["build"])
    }

    /// `handbook check`.
    pub(crate) fn check(self) -> Self {
        self.run(&["check"])
    }

    fn output(&self) -> &Output {
        self.output.as_ref().expect("run the command first")
    }

    /// The command's stderr.
    pub(crate) fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output().stderr).into_owned()
    }

    /// The command's stdout.
    pub(crate) fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output().stdout).into_owned()
    }

    /// The exit code of the last command.
    pub(crate) fn exit_code(&self) -> Option<i32> {
        self.output().status.code()
    }

    /// Asserts the exit code, showing stderr when it differs.
    #[track_caller]
    pub(crate) fn assert_exit(self, code: i32) -> Self {
        assert_eq!(
            self.output().status.code(),
            Some(code),
            "stderr:\n{}",
            self.stderr()
        );
        self
    }

    /// Asserts success.
    #[track_caller]
    pub(crate) fn assert_success(self) -> Self {
        self.assert_exit(0)
    }

    /// Asserts stderr contains `text`.
    #[track_caller]
    pub(crate) fn assert_stderr(self, text: &str) -> Self {
        let stderr = self.stderr();
        assert!(stderr.contains(text), "stderr lacks {text:?}:\n{stderr}");
        self
    }

    /// The text of a built file under `site/`.
    #[track_caller]
    pub(crate) fn site_file(&self, path: &str) -> String {
        let file = self.root().join("site").join(path);
        std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
    }

    /// Asserts the built page at `url` contains every one of `texts`.
    #[track_caller]
    pub(crate) fn assert_page(self, url: &str, texts: &[&str]) -> Self {
        let html = self.site_file(url);
        for text in texts {
            assert!(html.contains(text), "{url} lacks {text:?}:\n{html}");
        }
        self
    }

    /// Asserts the built page at `url` contains none of `texts`.
    #[track_caller]
    pub(crate) fn refute_page(self, url: &str, texts: &[&str]) -> Self {
        let html = self.site_file(url);
        for text in texts {
            assert!(!html.contains(text), "{url} has {text:?}");
        }
        self
    }
}

/// Runs the real binary with `args` in `dir`, colour off.
pub(crate) fn handbook(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handbook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run handbook")
}

/// Copies a folder tree.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk fixture");
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every file under `dir` with its bytes, sorted by path.
pub(crate) fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let name = e
                .path()
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(e.path()).expect("read"))
        })
        .collect();
    files.sort();
    files
}
