#!/usr/bin/env python3
"""Give a generated handbook corpus a git history, for timing git dates.

Makes OUTDIR a git repository whose first commit adds every file and whose
next COMMITS-1 commits each edit PER_COMMIT pages chosen at random (seeded),
one day apart, so "last updated" must be found across a long history.

    python3 bench/git_history.py /dev/shm/corpora/handbook-10k --commits 300
"""

import argparse
import os
import random
import subprocess
from pathlib import Path

START = 1_600_000_000  # 2020-09-13, a fixed clock: the same history every run
DAY = 86_400


def git(root: Path, when: int, *args: str) -> None:
    env = dict(os.environ)
    stamp = f"{when} +0000"
    env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    subprocess.run(
        ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.org",
         "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=root, env=env, check=True, stdout=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--per-commit", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    root = args.corpus
    if (root / ".git").exists():
        raise SystemExit(f"{root} already has a git history")
    pages = sorted(p for p in (root / "handbook").rglob("*.md") if p.name != "SUMMARY.md")
    rng = random.Random(args.seed)
    git(root, START, "init", "-q")
    git(root, START, "add", "-A")
    git(root, START, "commit", "-q", "-m", "the handbook")
    for n in range(1, args.commits):
        for page in rng.sample(pages, args.per_commit):
            with page.open("a", encoding="utf-8") as f:
                f.write(f"\nRevised in change {n}.\n")
        when = START + n * DAY
        git(root, when, "commit", "-q", "-a", "-m", f"change {n}")
    print(f"{root}: {args.commits} commits over {len(pages)} pages")


if __name__ == "__main__":
    main()
