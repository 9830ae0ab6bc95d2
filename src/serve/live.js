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
  const events = new EventSource("/__handbook/events");
  events.addEventListener("reload", (event) => {
    const pages = JSON.parse(event.data);
    const here = normal(location.pathname);
    if (pages === null || pages.some((page) => normal(page) === here)) {
      sessionStorage.setItem(key, String(scrollY));
      location.reload();
    }
  });
  events.addEventListener("problems", (event) => show(JSON.parse(event.data)));
  events.addEventListener("stop", () => events.close());

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
      item.append(place, `: ${problem.severity}: ${problem.message}`);
      if (problem.help) {
        const help = document.createElement("div");
        help.style.color = "#444";
        help.textContent = "help: " + problem.help;
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
