/* handbook: progressive enhancement. Every feature checks that its elements exist. */
(function () {
  "use strict";
  var doc = document, root = doc.documentElement, KEY = "handbook-theme";
  var darkMq = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  /* Theme toggle: light <-> dark, remembered in localStorage. */
  var toggle = doc.querySelector(".theme-toggle");
  function isDark() {
    var t = root.getAttribute("data-theme");
    return t ? t === "dark" : !!(darkMq && darkMq.matches);
  }
  function syncToggle() {
    if (toggle) toggle.setAttribute("aria-pressed", isDark() ? "true" : "false");
  }
  if (toggle) {
    syncToggle();
    toggle.addEventListener("click", function () {
      var t = isDark() ? "light" : "dark";
      root.setAttribute("data-theme", t);
      try { localStorage.setItem(KEY, t); } catch (e) { /* not persisted */ }
      syncToggle();
    });
    if (darkMq && darkMq.addEventListener) darkMq.addEventListener("change", syncToggle);
  }

  /* Sidebar drawer on narrow screens. */
  var sidebar = doc.getElementById("hb-sidebar");
  var menu = doc.querySelector(".menu-button");
  function setNav(open, focusBack) {
    root.classList.toggle("nav-open", open);
    if (menu) menu.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      var first = sidebar.querySelector("[aria-current=page]") || sidebar.querySelector("a");
      if (first) first.focus();
    } else if (focusBack && menu) menu.focus();
  }
  if (sidebar && menu) {
    menu.addEventListener("click", function () { setNav(!root.classList.contains("nav-open"), false); });
    doc.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && root.classList.contains("nav-open")) setNav(false, true);
    });
    doc.addEventListener("click", function (e) {
      if (root.classList.contains("nav-open") && !sidebar.contains(e.target) && !menu.contains(e.target)) setNav(false, false);
    });
  }
  /* The complete contents. A page's HTML lists only its own part and branch
     (so output stays linear in page count and works without JS); navigation.js
     holds the whole tree once per site, built here into a collapsible list. */
  function buildNav(tree, base, current) {
    function mark(items) {
      for (var n = 0; n < items.length; n++) {
        if (items[n].u === current || (items[n].c && mark(items[n].c))) { items[n].o = true; return true; }
      }
      return false;
    }
    function list(items) {
      var ul = doc.createElement("ul");
      items.forEach(function (item) { ul.appendChild(entry(item)); });
      return ul;
    }
    function entry(item) {
      var li = doc.createElement("li"), label;
      if (item.k === "s") { li.className = "nav-sep"; li.setAttribute("aria-hidden", "true"); return li; }
      if (item.k === "h") {
        li.className = "nav-part";
        label = doc.createElement("span"); label.textContent = item.t || ""; li.appendChild(label);
        return li;
      }
      if (item.u) {
        label = doc.createElement("a"); label.href = base + item.u;
        if (item.u === current) label.setAttribute("aria-current", "page");
      } else { label = doc.createElement("span"); label.className = "nav-draft"; }
      if (item.n) {
        var num = doc.createElement("span"); num.className = "nav-num"; num.textContent = item.n;
        label.appendChild(num); label.appendChild(doc.createTextNode(" "));
      }
      label.appendChild(doc.createTextNode(item.t || ""));
      if (!item.c) { li.appendChild(label); return li; }
      var row = doc.createElement("div"), btn = doc.createElement("button"), sub = null;
      row.className = "nav-row"; btn.type = "button"; btn.className = "nav-toggle";
      btn.setAttribute("aria-label", "Sub-pages of " + (item.t || ""));
      row.appendChild(label); row.appendChild(btn); li.appendChild(row);
      function show(open) {
        if (open && !sub) { sub = list(item.c); li.appendChild(sub); }
        if (sub) sub.hidden = !open;
        btn.setAttribute("aria-expanded", open ? "true" : "false");
        li.classList.toggle("open", open);
      }
      btn.addEventListener("click", function () { show(btn.getAttribute("aria-expanded") !== "true"); });
      show(!!item.o);
      return li;
    }
    mark(tree);
    return list(tree);
  }
  if (sidebar && window.HANDBOOK_NAV) {
    var full = buildNav(window.HANDBOOK_NAV, sidebar.getAttribute("data-root") || "", sidebar.getAttribute("data-current") || "");
    var partial = sidebar.querySelector("ul");
    if (partial) sidebar.replaceChild(full, partial); else sidebar.appendChild(full);
  }

  /* Keep the current page visible in a long sidebar. */
  var cur = sidebar && sidebar.querySelector("[aria-current=page]");
  if (cur && sidebar.scrollHeight > sidebar.clientHeight) {
    var top = cur.getBoundingClientRect().top - sidebar.getBoundingClientRect().top;
    if (top > sidebar.clientHeight * 0.7) sidebar.scrollTop = top - sidebar.clientHeight / 3;
  }

  /* "On this page": collapsed when it sits above the content (narrow screens). */
  var toc = doc.querySelector(".toc details");
  if (toc && window.matchMedia && !window.matchMedia("(min-width: 75rem)").matches) toc.open = false;

  /* Highlight the section being read in "On this page". */
  var links = doc.querySelectorAll(".toc a[href^='#']"), heads = [], ticking = false;
  for (var i = 0; i < links.length; i++) {
    var h = doc.getElementById(links[i].getAttribute("href").slice(1));
    if (h) heads.push([h, links[i]]);
  }
  function spy() {
    ticking = false;
    var on = -1;
    for (var j = 0; j < heads.length; j++) if (heads[j][0].getBoundingClientRect().top < 120) on = j;
    for (j = 0; j < heads.length; j++) heads[j][1].classList.toggle("active", j === on);
  }
  if (heads.length && window.requestAnimationFrame) {
    window.addEventListener("scroll", function () {
      if (!ticking) { ticking = true; window.requestAnimationFrame(spy); }
    }, { passive: true });
    spy();
  }

  /* Tabs: each .tabs becomes a WAI-ARIA tablist; without JS all sections show. */
  var groups = doc.querySelectorAll(".tabs");
  for (var g = 0; g < groups.length; g++) makeTabs(groups[g], g);

  function makeTabs(box, g) {
    var panels = [], tabs = [], i;
    for (i = 0; i < box.children.length; i++) {
      if (box.children[i].classList.contains("tab")) panels.push(box.children[i]);
    }
    if (!panels.length) return;
    var list = doc.createElement("div");
    list.className = "tab-list";
    list.setAttribute("role", "tablist");
    panels.forEach(function (panel, n) {
      var title = panel.querySelector(".tab-title");
      var btn = doc.createElement("button");
      var id = "tabs-" + g + "-" + n;
      btn.type = "button";
      btn.id = id;
      btn.setAttribute("role", "tab");
      btn.textContent = title ? title.textContent : "Tab " + (n + 1);
      btn.addEventListener("click", function () { select(n, false); });
      btn.addEventListener("keydown", function (e) {
        var k = e.key, to = -1;
        if (k === "ArrowRight" || k === "ArrowDown") to = (n + 1) % tabs.length;
        else if (k === "ArrowLeft" || k === "ArrowUp") to = (n - 1 + tabs.length) % tabs.length;
        else if (k === "Home") to = 0;
        else if (k === "End") to = tabs.length - 1;
        if (to < 0) return;
        e.preventDefault();
        select(to, true);
      });
      tabs.push(btn);
      list.appendChild(btn);
      panel.id = panel.id || id + "-panel";
      btn.setAttribute("aria-controls", panel.id);
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", id);
      panel.tabIndex = 0;
    });
    function select(n, focus) {
      tabs.forEach(function (t, j) {
        var on = j === n;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
        panels[j].hidden = !on;
      });
      if (focus) tabs[n].focus();
    }
    box.insertBefore(list, box.firstChild);
    box.classList.add("tabs-js");
    select(0, false);
  }

  /* Search: the box shows only with JS; search.js and the index load on
     first use, so readers who never search download nothing for it. */
  var search = doc.querySelector(".search");
  if (search) {
    var query = search.querySelector("input"), loaded = false;
    search.hidden = false;
    function loadSearch() {
      if (loaded) return;
      loaded = true;
      var script = doc.createElement("script");
      script.src = search.getAttribute("data-script");
      doc.head.appendChild(script);
    }
    query.addEventListener("focus", loadSearch);
    query.addEventListener("input", loadSearch);
    doc.addEventListener("keydown", function (e) {
      var t = e.target, typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      var slash = e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey;
      var ctrlK = (e.ctrlKey || e.metaKey) && (e.key === "k" || e.key === "K");
      if (!slash && !ctrlK) return;
      e.preventDefault();
      query.focus();
      query.select();
    });
  }
  // The edition switcher closes on Esc (focus back on it) and on a click
  // outside it, as a menu does.
  var switcher = doc.querySelector(".version-switcher");
  if (switcher) {
    doc.addEventListener("keydown", function (e) {
      if (e.key !== "Escape" || !switcher.open) return;
      switcher.open = false;
      switcher.querySelector("summary").focus();
    });
    doc.addEventListener("click", function (e) {
      if (switcher.open && !switcher.contains(e.target)) switcher.open = false;
    });
  }
})();
