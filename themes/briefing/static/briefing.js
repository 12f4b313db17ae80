// briefing: search, previews and small enhancements. Every page works without this script:
// links go where they point, and the search form submits to the search page.
//
// The search index is a set of scripts under search/ (see docs/search.md): search/index.js
// (the manifest), search/s/N.js (terms and postings, by prefix) and search/d/N.js (document
// titles and texts). They are loaded with <script src>, never fetch(), so that search works in
// a folder opened from disk. Terms are made exactly as src/render/search.rs makes them.
(function () {
  "use strict";
  var body = document.body;
  var root = body.getAttribute("data-root") || "";
  var offline = body.getAttribute("data-offline") === "true";

  function pageUrl(path) {
    return root + path + (offline && (path === "" || path.charAt(path.length - 1) === "/") ? "index.html" : "");
  }

  // ---------------------------------------------------------------- terms
  var STOP = {};
  ("a an and are as at be by for from has have in is it its of on or that the this to was " +
    "were which will with").split(" ").forEach(function (w) { STOP[w] = true; });
  var ALNUM_RUN = /[\p{Alphabetic}\p{N}]+/gu;
  var ALNUM = /[\p{Alphabetic}\p{N}]/u;

  // src/text.rs is_cjk, for letters and digits only.
  function isCjk(ch) {
    var c = ch.codePointAt(0);
    return (c >= 0x2E80 && c <= 0x2FDF) || (c >= 0x3000 && c <= 0x303F) || (c >= 0x3040 && c <= 0x30FF) ||
      (c >= 0x3100 && c <= 0x312F) || (c >= 0x3130 && c <= 0x318F) || (c >= 0x31A0 && c <= 0x31FF) ||
      (c >= 0x3200 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
      (c >= 0xA960 && c <= 0xA97F) || (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0xF900 && c <= 0xFAFF) ||
      (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFFEF) || (c >= 0x20000 && c <= 0x2FA1F);
  }
  function isVowel(c) { return "aeiouy".indexOf(c) >= 0; }

  // The stemmer of src/render/search.rs (stem).
  function stem(word) {
    if (word.length < 4 || !/^[a-z]+$/.test(word)) return word;
    var w = word;
    if (/ies$/.test(word) && word.length > 4) w = word.slice(0, -3) + "y";
    else if (/sses$/.test(word)) w = word.slice(0, -2);
    else if (/s$/.test(word) && !/(ss|us|is)$/.test(word)) w = word.slice(0, -1);
    var cut = /ing$/.test(w) ? 3 : /ed$/.test(w) ? 2 : 0;
    if (cut) {
      var base = w.slice(0, -cut);
      if (base.length >= 3 && /[aeiouy]/.test(base)) {
        var n = base.length, last = base.charAt(n - 1);
        if (last === base.charAt(n - 2) && !isVowel(last) && "lsz".indexOf(last) < 0) base = base.slice(0, -1);
        return base;
      }
    }
    return w;
  }
  function wordTerm(w) {
    var oneLetter = Array.from(w).length < 2 && !/^[0-9]+$/.test(w);
    if (oneLetter || STOP[w]) return null;
    return stem(w);
  }
  function fold(text) { return text.normalize("NFKC").toLowerCase(); }

  // Pieces of text: {cjk: bool, text: string}, after folding.
  function pieces(text) {
    var out = [];
    var runs = fold(text).match(ALNUM_RUN) || [];
    runs.forEach(function (run) {
      var cur = "", curCjk = null;
      Array.from(run).forEach(function (ch) {
        var k = isCjk(ch);
        if (curCjk !== null && k !== curCjk) { out.push({ cjk: curCjk, text: cur }); cur = ""; }
        cur += ch; curCjk = k;
      });
      if (cur) out.push({ cjk: curCjk, text: cur });
    });
    return out;
  }

  // A query as clauses, each one term that must occur (exact or as a prefix), and phrases
  // to verify in the text (CJK runs of three characters or more).
  function parseQuery(q) {
    var clauses = [], phrases = [], words = [];
    pieces(q).forEach(function (p) {
      if (p.cjk) {
        var chars = Array.from(p.text);
        if (chars.length === 1) clauses.push({ term: chars[0], prefix: true });
        for (var i = 0; i + 1 < chars.length; i++) clauses.push({ term: chars[i] + chars[i + 1], prefix: false });
        if (chars.length >= 3) phrases.push(p.text);
        words.push({ cjk: true, text: p.text });
      } else {
        var t = wordTerm(p.text);
        if (t === null) return;
        clauses.push({ term: t, prefix: Array.from(p.text).length >= 3 });
        words.push({ cjk: false, term: t, prefix: Array.from(p.text).length >= 3 });
      }
    });
    return { clauses: clauses, phrases: phrases, words: words };
  }

  // ---------------------------------------------------------------- loading
  var S = window.briefingSearch = window.briefingSearch || {};
  var manifest = null, shards = {}, chunks = {}, loading = {};
  S.manifest = function (m) { manifest = m; };
  S.shard = function (n, data) { shards[n] = data; };
  S.docs = function (n, list) { chunks[n] = list; };
  S.downloaded = 0;

  function load(src) {
    if (!loading[src]) {
      loading[src] = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = src;
        s.async = true;
        s.onload = function () { resolve(); };
        s.onerror = function () { reject(new Error("cannot load " + src)); };
        document.head.appendChild(s);
      });
    }
    return loading[src];
  }
  function ready() { return load(root + "search/index.js"); }
  function loadShard(n) { S.downloaded += manifest.sizes[n]; return load(root + "search/s/" + n + ".js"); }
  function chunkOf(doc) {
    var lo = 0, hi = manifest.chunks.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (manifest.chunks[mid] <= doc) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
  function loadDocs(docs) {
    var need = {};
    docs.forEach(function (d) { need[chunkOf(d)] = true; });
    return Promise.all(Object.keys(need).map(function (n) { return load(root + "search/d/" + n + ".js"); }));
  }
  function doc(d) {
    var c = chunkOf(d);
    var rec = chunks[c][d - manifest.chunks[c]];
    return { title: rec[0], path: rec[1], date: rec[2], source: rec[3], units: rec[4] };
  }

  // Shards to read for a clause: the one holding the term, and for a prefix every shard whose
  // terms start with it (unless that would be too much to download).
  var PREFIX_BUDGET = 1500000;
  function shardsFor(clause) {
    var keys = manifest.shards, best = -1;
    for (var i = 0; i < keys.length; i++) {
      if (clause.term.indexOf(keys[i]) === 0 && (best < 0 || keys[i].length > keys[best].length)) best = i;
    }
    var list = best >= 0 ? [best] : [];
    if (clause.prefix) {
      var more = [], size = 0;
      for (var k = 0; k < keys.length; k++) {
        if (k !== best && keys[k].length > clause.term.length && keys[k].indexOf(clause.term) === 0) {
          more.push(k); size += manifest.sizes[k];
        }
      }
      if (size <= PREFIX_BUDGET) list = list.concat(more); else clause.prefix = false;
    }
    return list;
  }

  var DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var DIGIT = {};
  for (var di = 0; di < 64; di++) DIGIT[DIGITS.charAt(di)] = di;
  // Postings into `into`: document → {units: [...], exact: bool}.
  function decode(text, exact, into) {
    var nums = [], n = 0;
    for (var i = 0; i < text.length; i++) {
      var v = DIGIT[text.charAt(i)];
      n = n * 32 + (v & 31);
      if (v < 32) { nums.push(n); n = 0; }
    }
    var d = 0;
    for (var j = 0; j + 1 < nums.length; j += 2) {
      d += nums[j];
      var e = into.get(d);
      if (!e) { e = { units: [], exact: false }; into.set(d, e); }
      if (e.units[e.units.length - 1] !== nums[j + 1]) e.units.push(nums[j + 1]);
      e.exact = e.exact || exact;
    }
  }
  function clauseHits(clause, list) {
    var hits = new Map();
    list.forEach(function (n) {
      var shard = shards[n];
      if (!shard) return;
      if (Object.prototype.hasOwnProperty.call(shard, clause.term)) decode(shard[clause.term], true, hits);
      if (clause.prefix) {
        Object.keys(shard).forEach(function (t) {
          if (t !== clause.term && t.indexOf(clause.term) === 0) decode(shard[t], false, hits);
        });
      }
    });
    hits.forEach(function (e) { e.units.sort(function (a, b) { return a - b; }); });
    return hits;
  }

  function kindOf(d) {
    for (var i = 0; i < manifest.kinds.length; i++) {
      var k = manifest.kinds[i];
      if (d >= k[1] && d < k[2]) return k[0];
    }
    return "";
  }
  function yearOf(d) { var y = manifest.years[d]; return y ? manifest.year0 + y : null; }

  // Run a query: a promise of {groups: [{kind, items: [{doc, score, units}]}], parsed}.
  function search(q, filters) {
    return ready().then(function () {
      var parsed = parseQuery(q);
      if (!parsed.clauses.length) return { groups: [], parsed: parsed };
      var lists = parsed.clauses.map(shardsFor);
      var all = [];
      lists.forEach(function (l) { l.forEach(function (n) { if (all.indexOf(n) < 0) all.push(n); }); });
      return Promise.all(all.map(loadShard)).then(function () {
        var hits = parsed.clauses.map(function (c, i) { return clauseHits(c, lists[i]); });
        hits.sort(function (a, b) { return a.size - b.size; });
        var items = [];
        hits[0].forEach(function (first, d) {
          var per = [first];
          for (var i = 1; i < hits.length; i++) {
            var h = hits[i].get(d);
            if (!h) return;
            per.push(h);
          }
          if (!passes(d, filters)) return;
          var common = per[0].units.filter(function (u) {
            return per.every(function (p) { return p.units.indexOf(u) >= 0; });
          });
          var exact = per.filter(function (p) { return p.exact; }).length;
          var score = (common[0] === 0 ? 3000 : common.length ? 2000 : 1000) + 10 * exact + Math.min(common.length, 20);
          var units = common.length ? common : [per[0].units[0]];
          items.push({ doc: d, score: score, units: units });
        });
        items.sort(function (a, b) {
          return b.score - a.score || (yearOf(b.doc) || 0) - (yearOf(a.doc) || 0) || a.doc - b.doc;
        });
        var groups = manifest.kinds.map(function (k) { return { kind: k[0], items: [] }; });
        items.forEach(function (it) {
          var k = kindOf(it.doc);
          groups.forEach(function (g) { if (g.kind === k) g.items.push(it); });
        });
        return { groups: groups.filter(function (g) { return g.items.length; }), parsed: parsed };
      });
    });
  }
  function passes(d, f) {
    if (!f) return true;
    if (f.kind && kindOf(d) !== f.kind) return false;
    if (f.year && String(yearOf(d)) !== f.year) return false;
    if (f.source && manifest.sources[manifest.source[d]] !== f.source) return false;
    return true;
  }

  // Settle the first `count` items of a group: load their documents, check phrases (dropping
  // items whose text lacks them) and pick the unit to show.
  function settle(group, parsed, count) {
    var take = group.items.slice(0, count);
    return loadDocs(take.map(function (it) { return it.doc; })).then(function () {
      var dropped = false;
      take.forEach(function (it) {
        if (it.checked) return;
        it.checked = true;
        var d = doc(it.doc);
        it.record = d;
        var ok = it.units.filter(function (u) {
          var text = fold(d.units[u] || "");
          return parsed.phrases.every(function (p) { return text.indexOf(p) >= 0; });
        });
        if (!ok.length) { it.drop = true; dropped = true; return; }
        it.unit = ok[0];
      });
      if (dropped) {
        group.items = group.items.filter(function (it) { return !it.drop; });
        return settle(group, parsed, count);
      }
      return group.items.slice(0, count);
    });
  }

  // ---------------------------------------------------------------- snippets
  // Ranges [start, end) of `text` matching the query's words.
  function matches(text, parsed) {
    var ranges = [];
    var re = new RegExp(ALNUM_RUN.source, "gu"), m;
    while ((m = re.exec(text))) {
      var run = m[0], at = m.index;
      pieces(run).forEach(function (p) {
        if (p.cjk) return;
        var t = wordTerm(p.text);
        if (t === null) return;
        var hit = parsed.words.some(function (w) {
          return !w.cjk && (t === w.term || (w.prefix && t.indexOf(w.term) === 0));
        });
        if (hit) {
          var start = fold(run).indexOf(p.text);
          if (start >= 0 && fold(run).length === run.length) ranges.push([at + start, at + start + p.text.length]);
          else ranges.push([at, at + run.length]);
        }
      });
    }
    var lower = fold(text);
    parsed.words.forEach(function (w) {
      if (!w.cjk || lower.length !== text.length) return;
      var from = 0, i;
      while ((i = lower.indexOf(w.text, from)) >= 0) { ranges.push([i, i + w.text.length]); from = i + w.text.length; }
    });
    ranges.sort(function (a, b) { return a[0] - b[0]; });
    var merged = [];
    ranges.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]); else merged.push(r.slice());
    });
    return merged;
  }
  // Append `text` (cut to a window around the first match) to `el`, with <mark>s.
  function snippet(el, text, parsed, width) {
    var ranges = matches(text, parsed);
    var start = 0, end = text.length;
    if (text.length > width) {
      var first = ranges.length ? ranges[0][0] : 0;
      start = Math.max(0, first - Math.floor(width / 3));
      end = Math.min(text.length, start + width);
      var space = text.lastIndexOf(" ", start);
      if (start > 0 && space > start - 15 && space >= 0) start = space + 1;
      // Never cut a marked word in two.
      ranges.forEach(function (r) { if (r[0] < end && end < r[1]) end = r[1]; });
    }
    if (start > 0) el.appendChild(document.createTextNode("…"));
    var at = start;
    ranges.forEach(function (r) {
      if (r[1] <= start || r[0] >= end) return;
      var s = Math.max(r[0], start), e = Math.min(r[1], end);
      if (s > at) el.appendChild(document.createTextNode(text.slice(at, s)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(s, e);
      el.appendChild(mark);
      at = e;
    });
    if (at < end) el.appendChild(document.createTextNode(text.slice(at, end)));
    if (end < text.length) el.appendChild(document.createTextNode("…"));
  }

  function resultUrl(it) {
    var d = it.record;
    var anchor = kindOf(it.doc) === "article" && it.unit > 0 ? "#p" + it.unit : "";
    return pageUrl(d.path) + anchor;
  }

  var LABELS = { meeting: "Meetings", person: "People", topic: "Topics", organization: "Organizations", article: "Articles" };
  var NOUNS = { meeting: "meeting", person: "person", topic: "topic", organization: "organization", article: "article" };

  // A result entry: a link, what it is, and a snippet.
  function resultItem(it, parsed) {
    var d = it.record;
    var li = document.createElement("li");
    li.className = "result";
    var a = document.createElement("a");
    a.href = resultUrl(it);
    a.className = "result-link";
    snippet(a, d.title, parsed, 400);
    li.appendChild(a);
    var meta = [];
    if (d.date) meta.push(d.date);
    if (d.source) meta.push(d.source);
    if (kindOf(it.doc) === "article" && it.unit > 0) meta.push("paragraph " + it.unit);
    if (meta.length) {
      var m = document.createElement("span");
      m.className = "meta";
      m.textContent = " " + meta.join(" · ");
      li.appendChild(m);
    }
    // A name hit not in the title (an alias, a local name) shows the names; a title hit, the
    // start of the text; a body hit, the matching unit.
    var unit = it.unit;
    if (unit === 0 && matches(d.title, parsed).length) unit = d.units.length > 1 ? 1 : -1;
    var text = d.units[unit] || "";
    if (text) {
      var p = document.createElement("p");
      p.className = "snippet";
      snippet(p, text, parsed, 220);
      li.appendChild(p);
    }
    return li;
  }

  // ---------------------------------------------------------------- the search page
  var PAGE = 10;
  var results = document.getElementById("search-results");
  var pageInput = document.getElementById("search-input");
  if (results && pageInput) searchPage();

  function searchPage() {
    var form = pageInput.form;
    var selects = {
      kind: document.getElementById("search-kind"),
      year: document.getElementById("search-year"),
      source: document.getElementById("search-source"),
    };
    var params = new URLSearchParams(location.search);
    pageInput.value = params.get("q") || "";
    Object.keys(selects).forEach(function (k) {
      if (selects[k] && params.get(k)) selects[k].value = params.get(k);
    });
    var status = document.getElementById("search-status");
    var serial = 0, timer = null;
    function filters() {
      var f = {};
      Object.keys(selects).forEach(function (k) { if (selects[k] && selects[k].value) f[k] = selects[k].value; });
      return f;
    }
    function remember() {
      var p = new URLSearchParams();
      if (pageInput.value) p.set("q", pageInput.value);
      var f = filters();
      Object.keys(f).forEach(function (k) { p.set(k, f[k]); });
      try { history.replaceState(null, "", "?" + p.toString()); } catch (e) { /* file: pages may refuse */ }
    }
    function run() {
      var mine = ++serial;
      var q = pageInput.value.trim();
      remember();
      if (!q) { results.textContent = ""; status.textContent = ""; return; }
      status.textContent = "Searching…";
      search(q, filters()).then(function (r) {
        if (mine !== serial) return;
        return Promise.all(r.groups.map(function (g) { return settle(g, r.parsed, PAGE); })).then(function () {
          if (mine !== serial) return;
          show(r);
        });
      }).catch(function (e) {
        status.textContent = "The search index could not be loaded (" + e.message + ").";
      });
    }
    function show(r) {
      results.textContent = "";
      var total = 0;
      r.groups.forEach(function (g) { total += g.items.length; });
      status.textContent = total ? total + (total === 1 ? " result" : " results") +
        " in " + r.groups.map(function (g) { return g.items.length + " " + LABELS[g.kind].toLowerCase(); }).join(", ")
        : "No results for “" + pageInput.value.trim() + "”.";
      r.groups.forEach(function (g) {
        if (!g.items.length) return;
        var section = document.createElement("section");
        section.className = "result-group";
        section.setAttribute("data-kind", g.kind);
        var h = document.createElement("h2");
        h.id = "results-" + g.kind;
        h.textContent = LABELS[g.kind] + " (" + g.items.length + ")";
        section.setAttribute("aria-labelledby", h.id);
        section.appendChild(h);
        var ol = document.createElement("ol");
        ol.className = "results";
        section.appendChild(ol);
        var shown = 0;
        var more = document.createElement("button");
        more.type = "button";
        more.className = "more";
        function fill() {
          settle(g, r.parsed, shown + PAGE).then(function (items) {
            items.slice(shown).forEach(function (it) { ol.appendChild(resultItem(it, r.parsed)); });
            shown = items.length;
            h.textContent = LABELS[g.kind] + " (" + g.items.length + ")";
            more.hidden = shown >= g.items.length;
            more.textContent = "More " + LABELS[g.kind].toLowerCase() + " (" + (g.items.length - shown) + " left)";
          });
        }
        more.addEventListener("click", fill);
        section.appendChild(more);
        results.appendChild(section);
        fill();
      });
    }
    pageInput.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 120); });
    Object.keys(selects).forEach(function (k) { if (selects[k]) selects[k].addEventListener("change", run); });
    form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
    // Arrow keys move between the box and the results; Escape goes back to the box, or clears it.
    function links() { return Array.prototype.slice.call(results.querySelectorAll("a.result-link")); }
    pageInput.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && links().length) { e.preventDefault(); links()[0].focus(); }
      else if (e.key === "Escape") { pageInput.value = ""; run(); }
    });
    results.addEventListener("keydown", function (e) {
      var list = links(), i = list.indexOf(document.activeElement);
      if (e.key === "ArrowDown" && i >= 0 && i + 1 < list.length) { e.preventDefault(); list[i + 1].focus(); }
      else if (e.key === "ArrowUp" && i > 0) { e.preventDefault(); list[i - 1].focus(); }
      else if ((e.key === "ArrowUp" && i === 0) || e.key === "Escape") { e.preventDefault(); pageInput.focus(); }
    });
    S.run = run;
    if (pageInput.value) run();
  }

  // ---------------------------------------------------------------- the box on every page
  var box = document.getElementById("q");
  if (box) quickSearch(box);

  function quickSearch(input) {
    var list = document.createElement("ul");
    list.id = "q-suggestions";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Quick results");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var active = -1, serial = 0, timer = null;
    function close() {
      list.hidden = true; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function highlight(i) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) return;
      active = (i + options.length) % options.length;
      Array.prototype.forEach.call(options, function (o, k) { o.setAttribute("aria-selected", k === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", options[active].id);
    }
    function run() {
      var mine = ++serial, q = input.value.trim();
      if (!q) { close(); return; }
      search(q, null).then(function (r) {
        var top = [];
        r.groups.forEach(function (g) { g.items.slice(0, 3).forEach(function (it) { top.push(it); }); });
        top.sort(function (a, b) { return b.score - a.score; });
        top = top.slice(0, 8);
        return loadDocs(top.map(function (it) { return it.doc; })).then(function () {
          if (mine !== serial) return;
          list.textContent = "";
          top.forEach(function (it, k) {
            it.record = doc(it.doc);
            it.unit = it.units[0];
            var li = document.createElement("li");
            li.id = "q-option-" + k;
            li.setAttribute("role", "option");
            li.setAttribute("aria-selected", "false");
            var a = document.createElement("a");
            a.href = resultUrl(it);
            a.tabIndex = -1;
            snippet(a, it.record.title, r.parsed, 200);
            var kind = document.createElement("span");
            kind.className = "meta";
            kind.textContent = " " + NOUNS[kindOf(it.doc)];
            a.appendChild(kind);
            li.appendChild(a);
            list.appendChild(li);
          });
          var all = document.createElement("li");
          all.id = "q-option-all";
          all.setAttribute("role", "option");
          all.setAttribute("aria-selected", "false");
          var go = document.createElement("a");
          go.href = input.form.action.split("?")[0] + "?q=" + encodeURIComponent(q);
          go.tabIndex = -1;
          go.textContent = top.length ? "All results for “" + q + "”" : "No quick results; search the site for “" + q + "”";
          all.appendChild(go);
          list.appendChild(all);
          list.hidden = false;
          active = -1;
          input.setAttribute("aria-expanded", "true");
        });
      }).catch(close);
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 120); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (list.hidden) return;
        e.preventDefault();
        highlight(active + (e.key === "ArrowDown" ? 1 : -1));
      } else if (e.key === "Enter" && !list.hidden && active >= 0) {
        e.preventDefault();
        location.href = list.querySelectorAll("[role=option] a")[active].href;
      } else if (e.key === "Escape") {
        if (!list.hidden) close(); else { input.value = ""; input.blur(); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 200); });
  }

  // `/` focuses the search box (the search page's own, or the one in the header).
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var target = pageInput || box;
    if (target) { e.preventDefault(); target.focus(); target.select(); }
  });

  // ---------------------------------------------------------------- previews
  var data = document.getElementById("briefing-previews");
  if (data) previews(JSON.parse(data.textContent));

  function previews(p) {
    var base = new URL(root || "./", location.href).href;
    var here = keyOf(location.href).split("#")[0];
    var pop = document.createElement("div");
    pop.id = "briefing-preview";
    pop.className = "preview";
    pop.setAttribute("role", "tooltip");
    pop.hidden = true;
    body.appendChild(pop);
    var owner = null, hideTimer = null, touched = false;

    function keyOf(href) {
      if (href.indexOf(base) !== 0) return null;
      return href.slice(base.length).replace(/index\.html(?=#|$)/, "");
    }
    function content(key) {
      var path = key.split("#")[0];
      if (path === here && key.indexOf("#") >= 0) return null;
      if (p.c && p.c[key]) {
        var c = p.c[key];
        return function (el) {
          var h = document.createElement("p");
          h.className = "preview-head";
          h.textContent = c[0] + ", paragraph " + c[1];
          el.appendChild(h);
          var q = document.createElement("div");
          q.className = "preview-text";
          q.innerHTML = c[2];
          el.appendChild(q);
        };
      }
      var e = p.e && p.e[path];
      if (!e || path === here) return null;
      return function (el) {
        var h = document.createElement("p");
        h.className = "preview-head";
        h.textContent = e[1];
        var k = document.createElement("span");
        k.className = "meta";
        k.textContent = " " + e[0] + (e[2] ? " · " + e[2] : "");
        h.appendChild(k);
        el.appendChild(h);
        if (e[3]) {
          var s = document.createElement("p");
          s.className = "preview-text";
          s.textContent = e[3];
          el.appendChild(s);
        }
      };
    }
    function show(a, fill, withLink) {
      clearTimeout(hideTimer);
      pop.textContent = "";
      fill(pop);
      if (withLink) {
        var go = document.createElement("a");
        go.href = a.href;
        go.className = "preview-go";
        go.textContent = "Go to this page";
        pop.appendChild(go);
      }
      pop.setAttribute("role", withLink ? "dialog" : "tooltip");
      if (withLink) pop.setAttribute("aria-label", "Preview"); else pop.removeAttribute("aria-label");
      pop.hidden = false;
      var r = a.getBoundingClientRect();
      var left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - pop.offsetWidth - 8));
      pop.style.left = left + "px";
      pop.style.top = (r.bottom + window.scrollY + 6) + "px";
      if (owner && owner !== a) owner.removeAttribute("aria-describedby");
      owner = a;
      a.setAttribute("aria-describedby", pop.id);
    }
    function hide() {
      pop.hidden = true;
      if (owner) owner.removeAttribute("aria-describedby");
      owner = null;
    }
    function later() { clearTimeout(hideTimer); hideTimer = setTimeout(hide, 250); }
    function linkOf(t) { return t && t.closest ? t.closest("a[href]") : null; }
    function fillerFor(a) {
      if (!a || pop.contains(a)) return null;
      var key = keyOf(a.href);
      return key === null ? null : content(key);
    }
    document.addEventListener("pointerdown", function (e) { touched = e.pointerType === "touch"; }, true);
    document.addEventListener("mouseover", function (e) {
      if (touched) return;
      var a = linkOf(e.target), fill = fillerFor(a);
      if (fill) { if (owner !== a) show(a, fill, false); else clearTimeout(hideTimer); }
      else if (pop.contains(e.target)) clearTimeout(hideTimer);
    });
    document.addEventListener("mouseout", function (e) {
      var a = linkOf(e.target);
      if ((a && a === owner) || pop.contains(e.target)) later();
    });
    document.addEventListener("focusin", function (e) {
      var a = linkOf(e.target), fill = fillerFor(a);
      if (fill) show(a, fill, false);
      else if (!pop.contains(e.target)) hide();
    });
    document.addEventListener("focusout", function (e) { if (linkOf(e.target) === owner) later(); });
    // Touch: the first tap shows the preview (with a link to go), a second tap follows the link.
    document.addEventListener("click", function (e) {
      if (!touched) return;
      var a = linkOf(e.target), fill = fillerFor(a);
      if (fill && owner !== a) { e.preventDefault(); show(a, fill, true); }
      else if (!pop.contains(e.target) && !fill) hide();
    });
    document.addEventListener("keydown", function (e) { if (e.key === "Escape" && !pop.hidden) hide(); });
  }
})();
