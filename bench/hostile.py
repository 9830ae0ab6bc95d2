#!/usr/bin/env python3
"""A hostile run: mutated projects and the largest pages against a handbook binary.

Takes: a handbook binary (default target/release/handbook), the repository's
example project (handbook.yaml, handbook/, editions/, protocols/), `handbook new`
and projects of tests/fixtures/ that have no handbook.yaml (an mdBook book, a
Git Sync repository, a GitBook export) as starting projects, a seed and a
case count.

Does, in a work folder on tmpfs (default /dev/shm/handbook-hostile):
  1. for each case, copies a starting project, builds it once (the "previous
     site"), then mutates it: bytes flipped, inserted, cut or repeated in
     pages, SUMMARY.md and handbook.yaml; pieces that steer the parsers
     (GitBook blocks, protocol notes, `space:` links ending in multibyte
     characters, YAML anchors and aliases, `..` links, NUL, invalid UTF-8,
     very long lines, mdBook's `{{#include}}` forms, math, hosted files;
     `book.toml` pieces); links to the project root, a hidden folder and outside
     the project; and builds again, with the cache and with --no-cache;
  2. checks each build: no panic (exit 101 or "panicked" on stderr), no hang
     (60 s), exit 0, 1 or 2 only; exit 1 or 2 leaves the previous site byte
     for byte; exit 0 gives site/index.html and the marker; no staging or
     `.old` folder is left; nothing under a hidden folder is published; the
     cached and --no-cache builds give the same site; every "error:" line
     names a place (counted, not failed: some errors are about the run);
  3. builds pages of many short lines (1 MiB, 4 MiB: just under the limit,
     and 32 MiB: over it) and records peak RSS and time;
  4. prints a summary (and --json FILE writes every figure).

Guarantees: every build has a timeout and is stopped through its process
group; nothing is written outside the work folder and the JSON file; the
same seed and count give the same cases.
"""

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 60
MARKER = ".handbook-site"

PIECES = [
    "# ", "## ", "> ", "- ", "* ", "1. ", "**", "`", "```\n", "```rust\n", "\n", "\n\n",
    "[x](", "](", ")", "{#id}", "[^1]", "[^1]: note\n", "|a|b|\n|---|---|\n", "<img src=\"a.png\">",
    "{% hint style=\"info\" %}\n", "{% endhint %}\n", "{% tabs %}\n", "{% tab title=\"t\" %}\n",
    "{% endtab %}\n", "{% endtabs %}\n", "{% embed url=\"https://x.example\" %}\n",
    "Note: Derive protocols\n", "> **Derive protocols**\n", "status: adopted\n", "id: p\n",
    "---\n", "title: t\n", "[r](space:forum)", "[r](space:éabcd)", "[r](space:ab€)",
    "[u](../../../etc/passwd)", "[a](README.md#)", "[a](#x)", "\u0000", "\ufeff", "é", "€",
    "\U0001F600", "&#x20;", "Updated: 19jul2021", "<!--", "-->", "<script>x</script>",
    "javascript:alert(1)", "&a: [*a, *a, *a]\n", "*a", "x" * 5000, "\t", "\r\n", "\\",
    "{{#include ", "{{#include parts/shared.md", "{{#rustdoc_include ", "{{#playground ",
    "{{#title ", "\\{{#include x}}", "}}", ":", "::", "10", "0", "99999999999999999999",
    "ANCHOR: a", "ANCHOR_END: a", "/etc/passwd", ".git/config", "$x$", "\\\\(", "\\\\)",
    "$$", "\\frac{", "[x](index.html)", "[y](../x/index.html#a)", "![a](/files/abc)",
    "> Updated: 10dec21\n>\n> Draft xxx\n",
]
TOML_PIECES = [
    "[book]\n", "title = 3\n", "src = \"..\"\n", "[output.html]\n", "site-url = \"x\"\n",
    "mathjax-support = true\n", "[output.html.redirect]\n", "\"/a.html\" = \"../b.html\"\n",
    "[preprocessor.x]\n", "[", "]", "=", "\"", "\n", "smart-punctuation = \"yes\"\n",
    "[output.html.code.hidelines]\n", "python = \"\"\n",
]
CONFIG_PIECES = [
    "title: ", "language: ", "edit-url: ", "search: false\n", "spaces:\n", "  forum:\n",
    "    url: https://forum.example/{slug}\n", "versions:\n", "  default: x\n", "tags: \"[\"\n",
    "output: ../x\n", "output: .\n", "&a [*a, *a]\n", "*a", "'", "\"", ": ", "- ", "\n", "  ",
    "\u0000", "é", "javascript:x", "123\n", "{", "}", "[", "]",
]


def tree_digest(folder):
    """A digest of every path and file below `folder` (None when absent)."""
    if not folder.exists():
        return None
    digest = hashlib.blake2b()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def run(binary, args, cwd, stderr_path=None):
    """Runs the binary in its own process group; gives (exit code, or None after a hang and
    a kill; its stderr; its peak RSS in KiB, through wait4; seconds)."""
    start = time.monotonic()
    errors = stderr_path or (Path(cwd) / ".stderr")
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            devnull = os.open(os.devnull, os.O_WRONLY)
            err = os.open(errors, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(devnull, 1)
            os.dup2(err, 2)
            os.execv(str(binary), [str(binary), *args])
        finally:
            os._exit(127)
    deadline = start + TIMEOUT
    code = None
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() > deadline:
            os.killpg(pid, signal.SIGKILL)
            _, _, usage = os.wait4(pid, 0)
            break
        time.sleep(0.005)
    text = Path(errors).read_bytes()
    return code, text, usage.ru_maxrss, time.monotonic() - start


def mutate_bytes(data, rng, gentle):
    """`data` with one to five random changes (`gentle`: pieces put in, text cut or
    repeated at character boundaries, so the file stays UTF-8)."""
    if gentle:
        return mutate_text(data.decode(errors="replace"), rng).encode()
    data = bytearray(data)
    for _ in range(rng.randint(1, 5)):
        kind = rng.randrange(6)
        at = rng.randint(0, len(data))
        if kind == 0 and data:
            data[min(at, len(data) - 1)] ^= 1 << rng.randrange(8)
        elif kind == 1:
            data[at:at] = rng.choice(PIECES).encode()
        elif kind == 2:
            data[at:at] = bytes([rng.choice([0x80, 0xC3, 0xE2, 0xFF, 0xF0])])
        elif kind == 3:
            del data[at:at + rng.randint(1, 200)]
        elif kind == 4 and data:
            end = min(len(data), at + rng.randint(1, 400))
            data[at:at] = data[at:end] * rng.randint(1, 20)
        else:
            data[at:at] = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 30))).encode()
    return bytes(data)


def mutate_text(text, rng):
    """`text` with one to five changes at character boundaries."""
    for _ in range(rng.randint(1, 5)):
        at = rng.randint(0, len(text))
        kind = rng.randrange(3)
        if kind == 0:
            text = text[:at] + "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 30))) + text[at:]
        elif kind == 1:
            text = text[:at] + text[at + rng.randint(1, 200):]
        else:
            text = text[:at] + text[at:at + rng.randint(1, 400)] * rng.randint(1, 20) + text[at:]
    return text


def mutate_config(data, rng, pieces):
    """The configuration with hostile keys or pieces put in."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        at = rng.randint(0, len(data))
        data[at:at] = rng.choice(pieces).encode()
    return bytes(data)


def add_links(project, rng):
    """Symlinks that lead where pages may not come from."""
    summary = next(iter(sorted(project.rglob("SUMMARY.md"))), None)
    source = summary.parent if summary is not None else project / "handbook"
    if not source.is_dir():
        source = project
    targets = ["..", "../.git", "/etc", "../site", "../.handbook-cache", "README.md", "loop"]
    (project / ".git").mkdir(exist_ok=True)
    (project / ".git" / "config").write_text("[http]\n\textraheader = token SECRET-TOKEN\n")
    for _ in range(rng.randint(1, 3)):
        name = f"link{rng.randrange(1000)}"
        if not (source / name).exists():
            os.symlink(rng.choice(targets), source / name)


def mutate(project, rng):
    """Changes a project in place; gives what was done, for the record."""
    pages = sorted(p for p in project.rglob("*.md") if not p.is_symlink() and "site" not in p.parts)
    gentle = rng.random() < 0.5
    done = ["gentle"] if gentle else []
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        if choice < 0.06:
            config = next((project / n for n in ("handbook.yaml", "book.toml", ".gitbook.yaml")
                           if (project / n).exists()), None)
            if config is not None:
                mutate_with = TOML_PIECES if config.name == "book.toml" else CONFIG_PIECES
                config.write_bytes(mutate_config(config.read_bytes(), rng, mutate_with))
                done.append(config.name)
        elif choice < 0.16:
            add_links(project, rng)
            done.append("links")
        elif choice < 0.26:
            summary = next(iter(sorted(project.rglob("SUMMARY.md"))), None)
            if summary is not None:
                summary.write_bytes(mutate_bytes(summary.read_bytes(), rng, gentle))
                done.append("summary")
        elif pages:
            page = rng.choice(pages)
            page.write_bytes(mutate_bytes(page.read_bytes(), rng, gentle))
            done.append(f"page {page.relative_to(project)}")
    return done


def check_case(binary, base, work, case, rng):
    """One case; gives its record, with the broken promises in `broken`."""
    project = work / f"case{case}"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(base, project, symlinks=True)
    out = ["--out", str(project / "site")]
    run(binary, ["build", "-q", "--root", str(project), *out], work)
    before = tree_digest(project / "site")
    what = mutate(project, rng)
    record = {"case": case, "mutations": what, "broken": []}
    code, stderr, rss, seconds = run(binary, ["build", "-q", "--root", str(project), *out], work)
    text = stderr.decode(errors="replace")
    record.update(code=code, rss_kib=rss, seconds=round(seconds, 3))
    broken = record["broken"]
    site = project / "site"
    if code is None:
        broken.append("hang")
    elif code == 101 or "panicked" in text:
        broken.append("panic: " + text[-400:])
    elif code not in (0, 1, 2):
        broken.append(f"exit {code}")
    if code in (1, 2) and tree_digest(site) != before:
        broken.append("a failed build changed the previous site")
    if code == 0 and not ((site / "index.html").exists() and (site / MARKER).exists()):
        broken.append("exit 0 without a complete site")
    debris = [p.name for p in project.iterdir() if re.match(r"\.site\.(new|old)-", p.name)]
    if debris:
        broken.append(f"debris {debris}")
    if code == 0 and site.exists():
        leaked = [str(p) for p in site.rglob("*") if "SECRET-TOKEN" in read_text(p)]
        if leaked:
            broken.append(f"published a hidden folder: {leaked[:3]}")
        cold = work / f"nocache{case}"
        code2, _, _, _ = run(binary, ["build", "-q", "--no-cache", "--root", str(project),
                                      "--out", str(cold)], work)
        if code2 != 0 or tree_digest(cold) != tree_digest(site):
            broken.append("cached and --no-cache builds differ")
        shutil.rmtree(cold, ignore_errors=True)
    # "file:line:col: error: …", "file: error: …" or "error: …" (not a warning
    # whose words say "error").
    errors = [line for line in text.splitlines() if re.match(r"^(.*?: )?error: ", line)]
    record["errors"] = len(errors)
    record["first_error"] = errors[0][:200] if errors else None
    placeless = [line for line in errors if not re.match(r"^\S+:\d+(:\d+)?: error:", line)]
    record["errors_without_place"] = len(placeless)
    record["placeless"] = [line[:200] for line in placeless[:3]]
    # A problem reported only on a generated page is one an editor cannot open.
    record["errors_in_generated"] = [line[:300] for line in errors if "(generated)" in line][:3]
    if not broken and not record["errors_in_generated"]:
        shutil.rmtree(project, ignore_errors=True)
    return record


def read_text(path):
    """A file's text, or '' for folders and links."""
    if path.is_symlink() or not path.is_file():
        return ""
    return path.read_bytes().decode(errors="replace")


def largest_pages(binary, work):
    """Peak RSS and time of one-page handbooks of many short lines."""
    results = []
    for mib in (1, 4, 32):
        project = work / f"large{mib}"
        shutil.rmtree(project, ignore_errors=True)
        subprocess.run([str(binary), "new", str(project)], check=True, capture_output=True)
        size = mib * 1024 * 1024 - (4096 if mib == 4 else 0)
        line = b"a\n"
        (project / "handbook" / "README.md").write_bytes(b"# Big\n\n" + line * (size // len(line)))
        code, _, rss, seconds = run(binary, ["build", "-q", "--no-cache", "--root", str(project)], work)
        results.append({"page_bytes": size, "code": code, "rss_kib": rss,
                        "seconds": round(seconds, 2), "rss_per_byte": round(rss * 1024 / size, 1)})
        shutil.rmtree(project, ignore_errors=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=str(REPO / "target/release/handbook"))
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--work", default="/dev/shm/handbook-hostile")
    parser.add_argument("--json", help="write every figure here")
    parser.add_argument("--fixtures", default="mdbook-book,mdbook-markdown,gitsync-repo,gitbook-export",
                        help="tests/fixtures/ projects used as starting points too, comma-separated "
                             "(an mdBook book, a Git Sync repository, an export: no handbook.yaml)")
    args = parser.parse_args()
    binary = Path(args.binary).resolve()
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    bases = [work / "base-example", work / "base-new"]
    shutil.copytree(REPO / "handbook", bases[0] / "handbook", symlinks=True)
    shutil.copytree(REPO / "editions", bases[0] / "editions", symlinks=True)
    shutil.copytree(REPO / "protocols", bases[0] / "protocols", symlinks=True)
    shutil.copy(REPO / "handbook.yaml", bases[0] / "handbook.yaml")
    subprocess.run([str(binary), "new", str(bases[1])], check=True, capture_output=True)
    for name in filter(None, args.fixtures.split(",")):
        bases.append(work / f"base-{name}")
        shutil.copytree(REPO / "tests" / "fixtures" / name, bases[-1], symlinks=True)
    rng = random.Random(args.seed)
    records = []
    start = time.monotonic()
    for case in range(args.cases):
        records.append(check_case(binary, rng.choice(bases), work, case, rng))
        if records[-1]["broken"]:
            print(f"case {case}: {records[-1]['broken']} after {records[-1]['mutations']}", file=sys.stderr)
    large = largest_pages(binary, work)
    summary = {
        "cases": len(records),
        "seconds": round(time.monotonic() - start),
        "exit_codes": {str(k): sum(1 for r in records if r["code"] == k) for k in sorted({r["code"] for r in records}, key=str)},
        "broken": sum(1 for r in records if r["broken"]),
        "panics": sum(1 for r in records if any(b.startswith("panic") for b in r["broken"])),
        "hangs": sum(1 for r in records if "hang" in r["broken"]),
        "errors": sum(r["errors"] for r in records),
        "errors_without_place": sum(r["errors_without_place"] for r in records),
        "peak_rss_kib": max(r["rss_kib"] for r in records),
        "largest_pages": large,
    }
    print(json.dumps(summary, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "records": records}, indent=1))
    return 1 if summary["broken"] else 0


if __name__ == "__main__":
    sys.exit(main())
