#!/usr/bin/env python3
"""Measures search on a built site: the index's size on disk, and for each
query, in headless Chromium with the HTTP cache off, the time from typing
into the box of a freshly loaded page to the first results shown, and the
bytes transferred for it (search.js and search/ files; also gzip-compressed,
as most static hosts send JSON).

    bench/search_probe.py SITE_DIR [--page PATH] [--runs N] QUERY...

Needs Debian's chromium and chromium-driver. Prints a JSON report; uses only
the standard library (WebDriver spoken over urllib).
"""

import argparse
import gzip
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

# Types a query into the search box of the page just loaded and resolves
# with the time to results and the search resources fetched.
PROBE = """
const [query, done] = [arguments[0], arguments[arguments.length - 1]];
const input = document.getElementById('hb-search');
const list = document.querySelector('.search-results');
const start = performance.now();
const finish = () => {
  const ms = performance.now() - start;
  const files = performance.getEntriesByType('resource')
    .filter(e => e.name.includes('/search/') || e.name.includes('/static/search.js'))
    .map(e => ({ url: e.name, transfer: e.transferSize, body: e.encodedBodySize, at: Math.round(e.startTime - start), took: Math.round(e.duration) }));
  const first = document.querySelector('.search-result .search-title');
  done({ ms, files, results: list.children.length, first: first && first.textContent });
};
new MutationObserver(() => { if (list.dataset.query === query) finish(); })
  .observe(list, { attributes: true, childList: true });
input.focus();
input.value = query;
input.dispatchEvent(new Event('input', { bubbles: true }));
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Quiet(SimpleHTTPRequestHandler):
    # HTTP/1.0, a connection per file: slower than a real host, never faster.
    # (Python's HTTP/1.1 keep-alive stalls on delayed ACKs: 250 ms a query.)
    def log_message(self, *args):
        pass


def serve(site):
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(Quiet, directory=site))
    Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{port}/"


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")["value"]


def session(driver, profile):
    args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--disable-quic", f"--user-data-dir={profile}"]
    caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"binary": CHROMIUM, "args": args}}}}
    sid = call(driver, "POST", "session", caps)["sessionId"]
    cdp = f"session/{sid}/goog/cdp/execute"
    call(driver, "POST", cdp, {"cmd": "Network.enable", "params": {}})
    call(driver, "POST", cdp, {"cmd": "Network.setCacheDisabled", "params": {"cacheDisabled": True}})
    call(driver, "POST", f"session/{sid}/timeouts", {"script": 30000})
    return sid


def gzip_size(site, url, root):
    path = os.path.join(site, url[len(root):].split("?")[0])
    with open(path, "rb") as f:
        return len(gzip.compress(f.read(), 6))


def disk(site):
    files, size, packed = 0, 0, 0
    for folder, _, names in os.walk(os.path.join(site, "search")):
        for name in names:
            with open(os.path.join(folder, name), "rb") as f:
                data = f.read()
            files += 1
            size += len(data)
            packed += len(gzip.compress(data, 6))
    return {"files": files, "bytes": size, "gzip_bytes": packed}


def probe(driver, sid, site, root, page, query):
    call(driver, "POST", f"session/{sid}/url", {"url": root + page})
    got = call(driver, "POST", f"session/{sid}/execute/async", {"script": PROBE, "args": [query]})
    got["bytes"] = sum(f["body"] for f in got["files"])
    got["transfer"] = sum(f["transfer"] for f in got["files"])
    got["gzip_bytes"] = sum(gzip_size(site, f["url"], root) for f in got["files"])
    return got


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site")
    parser.add_argument("queries", nargs="+")
    parser.add_argument("--page", default="index.html", help="the page the query is typed on")
    parser.add_argument("--runs", type=int, default=5, help="fresh page loads per query")
    parser.add_argument("--timeline", action="store_true", help="list when each file was fetched")
    opts = parser.parse_args()
    server, root = serve(opts.site)
    port = free_port()
    driver_process = subprocess.Popen([CHROMEDRIVER, f"--port={port}"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    driver = f"http://127.0.0.1:{port}/"
    report = {"site": opts.site, "index_on_disk": disk(opts.site), "queries": []}
    try:
        for _ in range(100):
            try:
                call(driver, "GET", "status")
                break
            except OSError:
                time.sleep(0.05)
        with tempfile.TemporaryDirectory() as profile:
            sid = session(driver, profile)
            probe(driver, sid, opts.site, root, opts.page, opts.queries[0])  # warm the browser
            for query in opts.queries:
                runs = [probe(driver, sid, opts.site, root, opts.page, query) for _ in range(opts.runs)]
                last = runs[-1]
                report["queries"].append({
                    "query": query,
                    "first_result_ms_median": round(statistics.median(r["ms"] for r in runs), 1),
                    "first_result_ms_runs": [round(r["ms"], 1) for r in runs],
                    "results": last["results"],
                    "first": last["first"],
                    "files": len(last["files"]),
                    "timeline": [(f["url"].rsplit("/", 2)[-2:], f["at"], f["took"]) for f in last["files"]] if opts.timeline else None,
                    "bytes": last["bytes"],
                    "gzip_bytes": last["gzip_bytes"],
                })
            call(driver, "DELETE", f"session/{sid}")
    finally:
        driver_process.kill()
        server.shutdown()
    json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
