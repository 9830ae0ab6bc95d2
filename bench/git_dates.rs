//! Times the git "last updated" walk on its own: opens the repository at
//! the given folder, lists the pages of its `handbook/` folder at HEAD and
//! dates them all from history, five times, printing each run and the median.
//!
//! `cargo run --release --example git_dates -- /dev/shm/hist-10k`

use handbook::versions::git::Repo;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let folder = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let Some(repo) = Repo::discover(std::path::Path::new(&folder)) else {
        anyhow::bail!("{folder} is not in a git repository");
    };
    let Some(head) = repo.head() else {
        anyhow::bail!("{folder} has no commits");
    };
    let files = repo.files(&head, "handbook/")?.unwrap_or_default();
    let pages: Vec<String> = files
        .blobs
        .into_keys()
        .filter(|p| p.ends_with(".md"))
        .collect();
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let dates = repo.dates(&head, "handbook/", &pages)?;
        let elapsed = started.elapsed();
        println!(
            "{} pages, {} dated in {:.0} ms",
            pages.len(),
            dates.times.len(),
            elapsed.as_secs_f64() * 1000.0
        );
        times.push(elapsed);
    }
    times.sort();
    println!("median {:.0} ms", times[2].as_secs_f64() * 1000.0);
    Ok(())
}
