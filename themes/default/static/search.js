/* handbook search. handbook.js loads this file the first time a reader uses
   the search box; it then fetches search/meta.json and, per query, only the
   chunks its words fall in and the documents of the first results.
   Words are cut and folded exactly as src/search/words.rs does (WORD, CJK,
   ACCENTS, fold); the index maps every folded form to its stem, so no
   stemming here. Every index file carries the stamp of meta.json: a file
   from a newer index (an edit, a deploy) makes this tab read the index
   afresh and ask again.
   Everything shown is set as text: nothing from the index becomes markup. */
(function () {
  "use strict";
  var doc = document, box = doc.querySelector(".search");
  if (!box || box.hasAttribute("data-ready")) return;
  box.setAttribute("data-ready", "");
  var input = box.querySelector("input"), panel = box.querySelector(".search-panel");
  var list = box.querySelector(".search-results"), status = box.querySelector(".search-status");
  var indexUrl = box.getAttribute("data-index"), root = box.getAttribute("data-root") || "./";
  var WORD = /[\p{Alphabetic}\p{N}][\p{Alphabetic}\p{M}\p{N}]*/gu;
  var CJK = "\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\u{20000}-\u{2FFFF}";
  var PIECE = new RegExp("[" + CJK + "]|[^" + CJK + "]+", "gu");
  var LEADING_MARKS = /^\p{M}+/u;
  var ACCENTS = /[\u0300-\u036F\u1AB0-\u1AFF\u1DC0-\u1DFF\u20D0-\u20FF\uFE20-\uFE2F]/g;
  var MAX_RESULTS = 10, PER_PAGE = 3, MAX_EXPANSIONS = 40, SNIPPET_WORDS = 24;
  var SECTIONS = 16384; // an entry is page * SECTIONS + section, as in the index
  var meta = null, failed = null, files = new Map(), asked = 0, active = -1, turkic = false;

  /* Words with their offsets: a letter or digit, then letters, marks and
     digits; each CJK character alone (a mark after one starts no word). */
  function words(text) {
    var out = [], run, piece;
    WORD.lastIndex = 0;
    while ((run = WORD.exec(text))) {
      PIECE.lastIndex = 0;
      while ((piece = PIECE.exec(run[0]))) {
        var marks = piece[0].match(LEADING_MARKS), skip = marks ? marks[0].length : 0;
        if (skip < piece[0].length) out.push({ text: piece[0].slice(skip), at: run.index + piece.index + skip });
      }
    }
    return out;
  }
  function fold(word) {
    var lower = turkic ? word.toLocaleLowerCase("tr") : word.toLowerCase();
    return lower.normalize("NFD").replace(ACCENTS, "").replace(/ς/g, "σ").normalize("NFC");
  }
  /* Code point order, as Rust sorts strings (JS's < compares UTF-16 units). */
  function compare(a, b) {
    var x = Array.from(a), y = Array.from(b);
    for (var i = 0; i < x.length && i < y.length; i++) {
      var d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d) return d;
    }
    return x.length - y.length;
  }
  /* The last chunk whose first key is <= key. */
  function chunkOf(firsts, key, cmp) {
    var lo = 0, hi = firsts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (cmp(firsts[mid], key) <= 0) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /* A file of the index `m` describes (none: meta.json itself), fetched
     once; a file of another index rejects with STALE. A failed fetch is
     forgotten, to be tried again. */
  var STALE = new Error("the index changed");
  function get(path, m) {
    var url = indexUrl + path + (m ? "?v=" + m.stamp : "");
    if (!files.has(url)) {
      var got = fetch(url, m ? {} : { cache: "no-cache" }).then(function (r) {
        if (!r.ok) throw new Error(r.status + " " + url);
        return r.json();
      }).then(function (data) {
        if (m && data.v !== m.stamp) throw STALE;
        return data;
      });
      got.catch(function () { if (files.get(url) === got) files.delete(url); });
      files.set(url, got);
    }
    return files.get(url);
  }
  function start() {
    if (location.protocol === "file:") {
      failed = "Search needs the published site: browsers do not let a page opened from a file load the search index. Use the contents in the sidebar, or open this handbook on the web.";
      return Promise.reject(new Error(failed));
    }
    meta = null;
    files.clear();
    return get("meta.json", null).then(function (m) {
      if (m.format !== 2) throw new Error("this search index has a format this page does not read");
      use(m);
    });
  }
  function use(m) {
    files.clear();
    meta = m;
    turkic = /^(tr|az)\b/i.test(m.language);
  }
  /* Each time the box is focused again: a newer index (the site was
     published or edited since) replaces what this tab holds. */
  function refresh() {
    var known = meta;
    if (!known) return;
    ready = fetch(indexUrl + "meta.json", { cache: "no-cache" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (m) {
        // Only over the meta it started from: a restart may have come since.
        if (m && m.format === 2 && m.stamp !== known.stamp && meta === known) use(m);
      }, function () { /* keep what we have */ });
  }
  var ready = start();
  ready.catch(function () { /* told when the reader asks */ });

  /* The stems a query word reaches: its own form's (weight 1) and those of
     forms it begins (0.5), from the words chunks its range falls in. */
  function lookup(word, m) {
    if (!m.words.length) return Promise.resolve({ stems: new Map(), forms: new Map() });
    var first = chunkOf(m.words, word, compare), chunks = [first];
    for (var i = first + 1; i < m.words.length && chunks.length < 3 && m.words[i].startsWith(word); i++) chunks.push(i);
    return Promise.all(chunks.map(function (c) { return get("w/" + c + ".json", m); })).then(function (parts) {
      var stems = new Map(), forms = new Map(), expansions = 0, prefix = Array.from(word).length > 1;
      parts.forEach(function (part) {
        part.f.forEach(function (form, i) {
          var exact = form === word;
          if (!exact && !(prefix && form.startsWith(word) && expansions++ < MAX_EXPANSIONS)) return;
          var weight = exact ? 1 : 0.5, stem = part.s[i];
          if ((stems.get(stem) || 0) < weight) stems.set(stem, weight);
        });
      });
      parts.forEach(function (part) {
        part.f.forEach(function (form, i) { if (stems.has(part.s[i])) forms.set(form, true); });
      });
      return { stems: stems, forms: forms };
    });
  }
  /* Entry → score for one word; partial when a stem kept only its best entries. */
  function postings(stems, m) {
    var wanted = Array.from(stems.keys()), byChunk = new Map();
    wanted.forEach(function (stem) {
      var c = chunkOf(m.postings, stem, function (a, b) { return a - b; });
      if (!byChunk.has(c)) byChunk.set(c, []);
      byChunk.get(c).push(stem);
    });
    var scores = new Map(), partial = false;
    return Promise.all(Array.from(byChunk.keys()).map(function (c) {
      return get("p/" + c + ".json", m).then(function (chunk) {
        byChunk.get(c).forEach(function (stem) {
          var list = chunk.p[stem - m.postings[c]], weight = stems.get(stem), page = 0;
          if (!list) return;
          if (list[0] === 1) partial = true;
          for (var i = 1; i + 2 < list.length; i += 3) {
            page += list[i];
            var entry = page * SECTIONS + list[i + 1], score = list[i + 2] * weight;
            if ((scores.get(entry) || 0) < score) scores.set(entry, score);
          }
        });
      });
    })).then(function () { return { scores: scores, partial: partial }; });
  }
  /* The document file holding an entry's section: sections of a page are
     kept meta.group to a file. */
  function documentOf(entry, m) {
    var page = Math.floor(entry / SECTIONS), section = entry % SECTIONS;
    return "d/" + page + "-" + Math.floor(section / m.group) + ".json";
  }
  /* Entries with every word (words kept partial do not filter), else the
     entries with the most words; by score, a few per page. */
  function rank(found) {
    var required = found.filter(function (f) { return !f.partial; });
    var totals = new Map();
    found.forEach(function (f) {
      f.scores.forEach(function (score, entry) {
        var t = totals.get(entry) || { entry: entry, score: 0, words: 0, required: 0 };
        t.score += score; t.words += 1; if (!f.partial) t.required += 1;
        totals.set(entry, t);
      });
    });
    var all = Array.from(totals.values());
    var every = all.filter(function (t) { return t.required === required.length; });
    var pool = every.length ? every : all;
    pool.sort(function (a, b) { return b.words - a.words || b.score - a.score || a.entry - b.entry; });
    var perPage = new Map(), out = [];
    for (var i = 0; i < pool.length && out.length < MAX_RESULTS; i++) {
      var page = Math.floor(pool[i].entry / SECTIONS), n = perPage.get(page) || 0;
      if (n < PER_PAGE) { perPage.set(page, n + 1); out.push(pool[i].entry); }
    }
    return out;
  }

  /* Answers a query, reading the index afresh once if it changed. */
  function search(query, retried) {
    var asking = ++asked;
    if (!query.trim()) { show(asking, query, [], [], null); return; }
    ready.then(function () {
      var terms = Array.from(new Set(words(query).map(function (w) { return fold(w.text); }))).slice(0, 8);
      if (!terms.length) { show(asking, query, [], [], null); return; }
      return answer(asking, query, terms);
    }).catch(function (e) {
      if (asking !== asked || failed) { if (failed && asking === asked) message(failed); return; }
      if (!retried) {
        ready = start();
        ready.catch(function () { /* told below */ });
        search(query, true);
        return;
      }
      message("Search is unavailable: " + (e === STALE ? "the index keeps changing; try again." : e.message));
    });
  }
  /* One query, read from one index throughout (`m`), even if the tab
     turns to a newer one meanwhile. */
  function answer(asking, query, terms) {
    var m = meta;
    function documentFile(entry) { return documentOf(entry, m); }
    return Promise.all(terms.map(function (t) {
        return lookup(t, m).then(function (l) {
          return postings(l.stems, m).then(function (p) { p.forms = l.forms; return p; });
        });
    })).then(function (found) {
      if (asking !== asked) return;
      var entries = rank(found), paths = Array.from(new Set(entries.map(documentFile)));
      var forms = new Map();
      found.forEach(function (f) { f.forms.forEach(function (v, k) { forms.set(k, v); }); });
      return Promise.all(paths.map(function (p) { return get(p, m); })).then(function (docs) {
        if (meta !== m) throw STALE;
        var byPath = new Map();
        paths.forEach(function (p, i) { byPath.set(p, docs[i]); });
        show(asking, query, entries.map(function (e) { return { entry: e, doc: byPath.get(documentFile(e)) }; }), terms, forms);
      });
    });
  }

  function marked(word, terms, forms) {
    var f = fold(word);
    return forms.has(f) || terms.some(function (t) { return f.startsWith(t); });
  }
  /* The part of the text around most matched words, as text and <mark> nodes. */
  function snippet(text, terms, forms) {
    var ws = words(text), span = document.createElement("span"), best = 0, from = 0;
    var hits = ws.map(function (w) { return marked(w.text, terms, forms) ? 1 : 0; });
    var sum = 0;
    for (var i = 0; i < ws.length; i++) {
      sum += hits[i] - (i >= SNIPPET_WORDS ? hits[i - SNIPPET_WORDS] : 0);
      if (sum > best) { best = sum; from = Math.max(0, i - SNIPPET_WORDS + 1); }
    }
    var to = Math.min(ws.length, from + SNIPPET_WORDS);
    if (!ws.length) return span;
    var at = from > 0 ? ws[from].at : 0, end = to < ws.length ? ws[to - 1].at + ws[to - 1].text.length : text.length;
    if (from > 0) span.appendChild(doc.createTextNode("… "));
    for (var j = from; j < to; j++) {
      if (!hits[j]) continue;
      span.appendChild(doc.createTextNode(text.slice(at, ws[j].at)));
      var mark = doc.createElement("mark");
      mark.textContent = ws[j].text;
      span.appendChild(mark);
      at = ws[j].at + ws[j].text.length;
    }
    span.appendChild(doc.createTextNode(text.slice(at, end) + (to < ws.length ? " …" : "")));
    return span;
  }
  function part(tag, cls, text) {
    var el = doc.createElement(tag);
    el.className = cls;
    if (text) el.textContent = text;
    return el;
  }
  function result(hit, i, terms, forms) {
    var section = hit.doc.s[(hit.entry % SECTIONS) % meta.group] || ["", "", ""], anchor = section[0];
    var li = part("li", "search-result"), a = doc.createElement("a");
    li.id = "hb-search-result-" + i;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    a.href = root + hit.doc.u + (anchor ? "#" + encodeURI(anchor).replace(/#/g, "%23") : "");
    a.tabIndex = -1;
    if (hit.doc.c.length) a.appendChild(part("span", "search-crumbs", hit.doc.c.join(" › ")));
    a.appendChild(part("span", "search-title", hit.doc.t));
    if (section[1]) a.appendChild(part("span", "search-heading", section[1]));
    var excerpt = part("span", "search-snippet");
    excerpt.appendChild(snippet(section[2], terms, forms));
    a.appendChild(excerpt);
    li.appendChild(a);
    return li;
  }
  function show(asking, query, hits, terms, forms) {
    if (asking !== asked) return;
    list.textContent = "";
    list.setAttribute("data-query", query);
    unselect();
    if (!query.trim()) { open(false); return; }
    hits.forEach(function (hit, i) { list.appendChild(result(hit, i, terms, forms)); });
    status.textContent = hits.length
      ? hits.length + (hits.length === 1 ? " result" : " results")
      : "No results for “" + query.trim() + "”.";
    open(true);
  }
  function message(text) {
    list.textContent = "";
    status.textContent = text;
    open(true);
  }
  function open(yes) {
    panel.hidden = !yes;
    input.setAttribute("aria-expanded", yes ? "true" : "false");
    if (!yes) unselect();
  }
  function unselect() {
    if (active >= 0 && list.children[active]) list.children[active].setAttribute("aria-selected", "false");
    active = -1;
    input.removeAttribute("aria-activedescendant");
  }
  /* Moves the selection down (+1) or up (-1), from none to the first or last. */
  function move(step) {
    var items = list.children;
    if (!items.length) return;
    if (panel.hidden) open(true);
    var i = active < 0 ? (step > 0 ? 0 : items.length - 1) : (active + step + items.length) % items.length;
    active = i;
    for (var j = 0; j < items.length; j++) items[j].setAttribute("aria-selected", j === active ? "true" : "false");
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  /* Every keystroke asks at once: chunks already fetched are reused, and
     answers to earlier keystrokes are dropped when they arrive late. */
  input.addEventListener("input", function () { search(input.value); });
  input.addEventListener("focus", function () {
    refresh();
    if (failed) message(failed);
    else if (input.value.trim()) open(true);
  });
  input.addEventListener("keydown", function (e) {
    if (e.isComposing || e.keyCode === 229) return; // an input method's own keys
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      move(e.key === "ArrowDown" ? 1 : -1);
    } else if (e.key === "Enter") {
      var pick = list.children[active < 0 ? 0 : active];
      e.preventDefault();
      if (pick && !panel.hidden) pick.querySelector("a").click();
    } else if (e.key === "Escape") {
      if (!panel.hidden) open(false); else { input.value = ""; input.blur(); }
    }
  });
  box.addEventListener("focusout", function (e) { if (!box.contains(e.relatedTarget)) open(false); });
  doc.addEventListener("click", function (e) { if (!box.contains(e.target)) open(false); });
  /* The box may hold a query typed while this file loaded; from disk, say
     at once why there are no results. */
  if (input.value.trim()) search(input.value);
  else if (failed && doc.activeElement === input) message(failed);
})();
