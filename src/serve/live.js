// handbook serve: reloads this tab when its page changes, keeping the
// scroll position, and shows the build's problems over the page until they
// are fixed. Injected only by the dev server, never into a built site.
(() => {
  "use strict";
  const normal = (path) => {
    try { path = decodeURIComponent(path); } catch (e) { /* keep it */ }
    return path.endsWith("/") ? path + "index.html" : path;
  };
  const key = "handbook-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    addEventListener("load", () => scrollTo(0, Number(saved)));
  }
  // Chromium opens at most six connections to one host, so the site's tabs
  // share one event stream: the tab holding the lock listens and passes
  // each event to the others over a BroadcastChannel; when it closes, the
  // next tab takes the lock. A page that is hidden (closed, or kept in the
  // back/forward cache) holds nothing. Where the Web Locks API is missing
  // (a phone reaching the server over the network is not a secure
  // context), each shown page listens for itself.
  const me = Math.random().toString(36).slice(2);
  let lastProblems = null;
  let stop = null;

  function handle(kind, data) {
    if (kind === "reload") {
      const pages = JSON.parse(data);
      const here = normal(location.pathname);
      if (pages === null || pages.some((page) => normal(page) === here)) {
        sessionStorage.setItem(key, String(scrollY));
        location.reload();
      }
    } else if (kind === "problems" && data !== lastProblems) {
      lastProblems = data;
      show(JSON.parse(data));
    }
  }

  // Listens to the server; gives what closes the stream.
  function listen(each) {
    const events = new EventSource("/__handbook/events");
    for (const kind of ["reload", "problems"]) {
      events.addEventListener(kind, (event) => each(kind, event.data));
    }
    events.addEventListener("stop", () => events.close());
    return () => events.close();
  }

  function start() {
    if (!navigator.locks || typeof BroadcastChannel !== "function") {
      stop = listen(handle);
      return;
    }
    const channel = new BroadcastChannel("handbook-serve");
    const abort = new AbortController();
    let lead = null;
    channel.addEventListener("message", ({ data }) => {
      if (data.kind === "hello") {
        if (lead && lastProblems !== null) {
          channel.postMessage({ kind: "problems", data: lastProblems, to: data.from });
        }
      } else if (data.to === undefined || data.to === me) {
        handle(data.kind, data.data);
      }
    });
    navigator.locks.request("handbook-serve", { signal: abort.signal }, () =>
      new Promise((released) => {
        const close = listen((kind, data) => {
          channel.postMessage({ kind, data });
          handle(kind, data);
        });
        lead = () => { close(); released(); };
      }),
    ).catch(() => { /* the page was hidden before its turn came */ });
    channel.postMessage({ kind: "hello", from: me });
    stop = () => {
      abort.abort();
      lead?.();
      channel.close();
    };
  }

  addEventListener("pagehide", () => { stop?.(); stop = null; });
  addEventListener("pageshow", (event) => { if (event.persisted) start(); });
  start();

  // A message's `code` spans as code, the rest as text.
  function withCode(text) {
    const parts = text.split("`");
    if (parts.length % 2 === 0) return [document.createTextNode(text)];
    return parts.map((part, i) => {
      if (i % 2 === 0) return document.createTextNode(part);
      const code = document.createElement("code");
      code.textContent = part;
      return code;
    });
  }

  function show(problems) {
    document.getElementById("handbook-problems")?.remove();
    if (problems.length === 0) return;
    const box = document.createElement("section");
    box.id = "handbook-problems";
    box.setAttribute("role", "alert");
    box.style.cssText =
      "position:fixed;inset:auto 1rem 1rem 1rem;max-height:60vh;overflow:auto;z-index:2147483647;" +
      "background:#fff;color:#111;border:3px solid #b00020;border-radius:6px;padding:1rem;" +
      "font:14px/1.45 system-ui,sans-serif;box-shadow:0 4px 24px rgba(0,0,0,.3)";
    const title = document.createElement("h2");
    title.style.cssText = "margin:0 0 .5rem;font-size:1.1rem;color:#b00020";
    title.textContent = problems.length === 1
      ? "The handbook has a problem: this is the last good version"
      : `The handbook has ${problems.length} problems: this is the last good version`;
    box.append(title);
    const list = document.createElement("ul");
    list.style.cssText = "margin:0;padding-left:1.2rem";
    for (const problem of problems) {
      const item = document.createElement("li");
      const place = document.createElement("code");
      place.textContent = problem.place;
      item.append(place, `: ${problem.severity}: `, ...withCode(problem.message));
      if (problem.help) {
        const help = document.createElement("div");
        help.style.color = "#444";
        help.append("help: ", ...withCode(problem.help));
        item.append(help);
      }
      list.append(item);
    }
    box.append(list);
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Hide";
    close.style.cssText = "margin-top:.75rem";
    close.addEventListener("click", () => box.remove());
    box.append(close);
    document.body.append(box);
  }
})();
