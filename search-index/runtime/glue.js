/* tietopankki search: the page API and the search UI. No framework, no inline code.
   Index files are scripts that hand their data to the page (`T._data`, `T._text`): loaded
   with <script> elements, the one loader that also works when the site is opened from disk
   (file://), and over http(s) fetched and handed over by the loader itself (see `load`). */
(function () {
  "use strict";
  var T = window.tietopankki = window.tietopankki || {};
  var M = T._manifest;
  var script = document.currentScript;
  var base = script.src.replace(/[^\/]*$/, "");          // .../search/
  var siteRoot = base.replace(/search\/$/, "");
  var waiting = {}, loaded = {}, hinted = {}, engines = {}, started = {}, modulePromise = null;
  var enc = new TextEncoder(), dec = new TextDecoder();

  function fromBase64(s) {
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(s);
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function load(file, key) {
    if (loaded[key]) return Promise.resolve(loaded[key]);
    return new Promise(function (resolve, reject) {
      var list = waiting[key] = waiting[key] || [];
      list.push({ ok: resolve, fail: reject });
      if (list.length > 1) return;
      if (viaFetch) fetchFile(file, key); else scriptFile(file, key);
    });
  }

  function scriptFile(file, key) {
    var s = document.createElement("script");
    s.src = base + file;
    s.async = true;
    s.onerror = function () { failed(file, key); };
    document.head.appendChild(s);
  }

  function failed(file, key) {
    (waiting[key] || []).forEach(function (w) { w.fail(new Error("cannot load " + file)); });
    delete waiting[key];
  }

  /* Over http(s) an index file is fetched as text and its one call (`tietopankki._data(…);`,
     whose arguments are JSON) made here: a fetched response is handed over sooner than an
     async script runs. At 10,000 pages a term file that had arrived while the runtime was
     compiling ran 20-30 ms after its response ended as a script, 12-20 fetched (marks). A/B
     of the two, 9-11 runs a query: first results at the load event sooner for 8 of 10
     queries (lapsen ja perheen 196 -> 169 ms, 167 -> 160), a pasted follow-up a second later
     within 18.6-25.2 ms with scripts and 14.8-22.0 fetched. Where fetch is refused (a CSP
     whose connect-src leaves out 'self'), breaks off, or brings no such call, the file loads
     as a script after all, and so do the files after it; a file the host lacks fails at once. */
  var viaFetch = /^https?:$/.test(location.protocol) && !!window.fetch;
  var CALL = /^tietopankki\.(_data|_text|_runtime)\(/;
  function fetchFile(file, key) {
    fetch(base + file).then(function (r) {
      if (!r.ok) return failed(file, key);
      return r.text().then(function (text) {
        var call = CALL.exec(text);
        if (!call) throw new Error("not an index file");
        T[call[1]].apply(T, JSON.parse("[" + text.slice(call[0].length, text.lastIndexOf(")")) + "]"));
      });
    }).catch(function () {
      viaFetch = false;
      if (!loaded[key]) scriptFile(file, key);
    });
  }

  function arrived(key, bytes) {
    loaded[key] = bytes;
    (waiting[key] || []).forEach(function (w) { w.ok(bytes); });
    delete waiting[key];
  }
  /* A term shard may come with hints (the export's `hints`): a line "term id id…" for each of
     its terms whose plan reads other shards. */
  T._data = function (lang, kind, id, payload, hints) {
    var key = lang + "/" + kind + "/" + id;
    if (hints) hinted[key] = "\n" + hints;
    arrived(key, fromBase64(payload));
  };
  /* Texts (a page's whole text, a chunk's or a common word's first results' documents) come
     as strings: 62 % of their base64's gzip (1.6 kB a page at 10k). */
  T._text = function (lang, kind, id, text) { arrived(lang + "/" + kind + "/" + id, enc.encode(text)); };
  T._runtime = function (payload) { T._data("", "runtime", 0, payload); };

  function Engine(instance, lang) {
    this.x = instance.exports;
    this.lang = lang;
    this.have = {};
  }
  Engine.prototype.put = function (bytes) {
    var p = this.x.tp_alloc(bytes.length);
    new Uint8Array(this.x.memory.buffer, p, bytes.length).set(bytes);
    return p;
  };
  Engine.prototype.text = function (fn, s) {
    var b = enc.encode(s), p = this.put(b);
    var r = this.x[fn](p, b.length);
    this.x.tp_free(p, b.length);
    var ptr = Number(r >> BigInt(32)), len = Number(r & BigInt(0xffffffff));
    return dec.decode(new Uint8Array(this.x.memory.buffer, ptr, len));
  };
  Engine.prototype.key = function (kind, id) { return this.lang + "/" + kind + "/" + id; };
  Engine.prototype.has = function (kind, id) { return !!this.have[this.key(kind, id)]; };
  Engine.prototype.need = function (kind, id, file) {
    var self = this, key = this.key(kind, id);
    if (this.have[key]) return Promise.resolve();
    return load(file, key).then(function (bytes) {
      if (self.have[key]) return;
      var p = self.put(bytes);
      self.x.tp_add(kind.charCodeAt(0), id, p, bytes.length);
      self.x.tp_free(p, bytes.length);
      self.have[key] = true;
    });
  };

  /* Over http(s) the raw .wasm is fetched (smaller with gzip), and compiled as it streams in
     where the host serves it as application/wasm, else from its bytes. From disk, where fetch
     is blocked, or where the host does not serve .wasm files, the same bytes come
     base64-encoded in a .js. */
  function runtime() {
    if (!modulePromise) {
      var compile = function (b) { return WebAssembly.compile(b); };
      var viaScript = function () { return load(M.runtime + ".js", "/runtime/0").then(compile); };
      modulePromise = viaFetch
        ? fetch(base + M.runtime + ".wasm").then(function (r) {
            if (!r.ok) throw new Error(r.status);
            var wasm = /^application\/wasm\b/.test(r.headers.get("Content-Type") || "");
            return wasm && WebAssembly.compileStreaming ? WebAssembly.compileStreaming(r) : r.arrayBuffer().then(compile);
          }).catch(viaScript)
        : viaScript();
      modulePromise.catch(function () { modulePromise = null; });
    }
    return modulePromise;
  }

  function engine(lang) {
    if (engines[lang]) return engines[lang];
    var m = M.langs[lang];
    engines[lang] = runtime().then(function (mod) {
      return WebAssembly.instantiate(mod, {});
    }).then(function (instance) {
      var e = new Engine(instance, lang), l = enc.encode(lang), p = e.put(l);
      e.x.tp_init(p, l.length, m.docs, m.chunk);
      e.x.tp_free(p, l.length);
      started[lang] = e;
      return e;
    });
    engines[lang].catch(function () { delete engines[lang]; });
    return engines[lang];
  }

  /* Strings in code point order, as the index sorts its terms (JS's < compares UTF-16 units,
     which puts U+10000 and above before U+E000-U+FFFF). */
  function cmp(a, b) {
    for (var i = 0; i < a.length && i < b.length;) {
      var x = a.codePointAt(i), y = b.codePointAt(i);
      if (x !== y) return x < y ? -1 : 1;
      i += x > 0xffff ? 2 : 1;
    }
    return a.length - b.length;
  }

  /* Shards and position files each hold the terms [first, last] (manifest entries are
     [first, hash, last], or [first, hash] for one term); a query needs the files its key
     ranges touch and, for the words of a quoted phrase (r[2]), their position files.
     Returns {exact, rest}: the loads for exact words, which decide most of the ranking, and
     the loads only prefixes need, and `fresh`: whether any of them was not in the engine yet.
     With the query, a file of one term that only a prefix reaches is not loaded when the
     engine says no word reads it: a common word's inflected forms, whose pages the word's own
     term was lent, fill a file each on a large site (at 10,000 pages, three of the eight term
     files `perhekeskus nuorten` loaded). The one-term files of the exact words tell it which
     of those terms the index has before they are in. */
  function shardsFor(e, lang, m, ranges, query) {
    var exact = {}, rest = {}, singles = [], known = [], fresh = false;
    function touch(list, kind, r) {
      var into = r[0] === r[1] ? exact : rest;
      within(list, r[0], r[1], function (i) {
        var one = kind === "s" && list[i].length === 2;
        if (one && into === exact) known.push(list[i][0]);
        if (one && into === rest && query !== undefined && !e.has(kind, i)) {
          singles.push(i);
          return;
        }
        fresh = fresh || !e.has(kind, i);
        into[kind + i] = e.need(kind, i, file(lang, kind, i, list[i][1]));
      });
    }
    ranges.forEach(function (r) {
      touch(m.shards, "s", r);
      if (r[2]) touch(m.positions, "p", r);
    });
    singles = singles.filter(function (i, k) { return !exact["s" + i] && singles.indexOf(i) === k; });
    if (singles.length) {
      var flags = needless(e, query, singles.map(function (i) { return m.shards[i][0]; }), known);
      singles.forEach(function (i, k) {
        if (flags.charAt(k) === "1") return;
        fresh = fresh || !e.has("s", i);
        rest["s" + i] = e.need("s", i, file(lang, "s", i, m.shards[i][1]));
      });
    }
    Object.keys(exact).forEach(function (k) { delete rest[k]; });
    var values = function (o) { return Object.keys(o).map(function (k) { return o[k]; }); };
    return { exact: values(exact), rest: values(rest), fresh: fresh };
  }

  /* Which of `terms` (each a one-term file's) no word of `query` reads: "1" per term the
     runtime says need not load, else "0". */
  function needless(e, query, terms, known) {
    return e.text("tp_needless", query.replace(/\n/g, " ") + "\n" + terms.join("\n") + "\n\n" + known.join("\n"));
  }

  /* Calls f(i) for each file of `list` holding terms in [from, to]. Files hold disjoint key
     ranges in order, so a binary search finds the first; a 10,000-page site has 300 shards
     and a query a dozen ranges, which a scan compared one by one (1.4-4 ms of a first query's
     main thread, profiled). */
  function within(list, from, to, f) {
    var lo = 0, hi = list.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (cmp(list[mid].length > 2 ? list[mid][2] : list[mid][0], from) < 0) lo = mid + 1; else hi = mid;
    }
    for (var i = lo; i < list.length && cmp(list[i][0], to) <= 0; i++) f(i);
  }

  /* Before the runtime is in: the shards holding each query word as typed, lowercased and
     folded as the analyzer folds it. Every plan reads that term (it is the word's surface form,
     or its stem when the two are one), so these load beside the runtime instead of after it:
     one round trip less for a first query. Words as the analyzer splits them: letters and
     digits (with combining marks), at most 40 characters, the first twelve; not the function
     words (m.stop) outside quotes of a query with other words, which the engine leaves out.
     Once a word's file is in, the files its hint names follow (see `follow`), still before
     the runtime where that comes later than a term file (over a phone link, 40 ms round trip,
     `lapsen ja perheen`'s four hinted files were in as the runtime finished compiling; on
     loopback the runtime comes with the term files and its plan asks first). A common
     word's file, of one term on a large site, has its hint in the manifest (`follow`), so
     those files are asked for with it: at 10,000 pages `lapsen ja perheen` a second after
     load came in 73 ms instead of 87, over a phone link 197 instead of 215. Once the
     runtime is in, its plan asks for the term files.
     A word alone, being typed, without filters, whose own file is of one term (a common word
     on a large site), also gets that file's records (`r`): the documents of its first
     results, so its search names no chunk to load after it, a request round less. Returns
     that file's number, or -1. */
  var FOLD = { "ä": "a", "å": "a", "á": "a", "à": "a", "â": "a", "ã": "a", "ö": "o", "ø": "o",
    "ó": "o", "ò": "o", "ô": "o", "õ": "o", "é": "e", "è": "e", "ê": "e", "ë": "e", "ü": "u",
    "ú": "u", "ù": "u", "û": "u", "í": "i", "ì": "i", "î": "i", "ï": "i", "š": "s", "ž": "z",
    "ç": "c", "ñ": "n" };
  var WORD = null, FOLDED = /[äåáàâãöøóòôõéèêëüúùûíìîïšžçñ]/g;
  try { WORD = new RegExp("[\\p{L}\\p{N}][\\p{L}\\p{N}\\u0300-\\u036f]*", "gu"); } catch (e) { /* no guessing */ }
  function guess(lang, m, query, alone) {
    if (!WORD) return -1;
    var found = [], hit;
    WORD.lastIndex = 0;
    while ((hit = WORD.exec(query))) {
      if (Array.from(hit[0]).length <= 40) found.push(hit);
    }
    found = found.slice(0, 12).map(function (hit) {
      var t = hit[0].toLowerCase().replace(FOLDED, function (c) { return FOLD[c]; });
      var quoted = (query.slice(0, hit.index).match(/["“”„]/g) || []).length % 2 === 1;
      return { t: t, quoted: quoted, stop: !quoted && m.stop.indexOf(t) >= 0 };
    });
    var content = found.some(function (w) { return !w.stop; });
    alone = alone && found.length === 1 && !found[0].quoted && !/\s$/.test(query);
    var planned = !!started[lang], own = -1;
    if (planned && !alone) return own;
    found.forEach(function (w, k) {
      if (content && w.stop) return;
      var t = w.t;
      // The last word is also a prefix, as the engine plans it: typed on (no space after),
      // three letters or more, outside quotes.
      var prefix = k === found.length - 1 && !/\s$/.test(query) && Array.from(t).length >= 3 && !w.quoted;
      var to = prefix ? t + String.fromCodePoint(0x10ffff) : t;
      within(m.shards, t, to, function (i) {
        var one = m.shards[i].length === 2;
        // A file of one other term under the prefix may be a form of the word, which the
        // engine does not read: the runtime's plan decides.
        if (one && m.shards[i][0] !== t) return;
        if (!planned) {
          var key = lang + "/s/" + i;
          load(file(lang, "s", i, m.shards[i][1]), key).then(function () {
            // A quoted word reads neither its base forms nor prefixes, which the hint has.
            if (!w.quoted) follow(lang, m, key, t);
          }).catch(function () {});
          // A file of one term (a common word) has its hint in the manifest: those files
          // load with it, not after it.
          if (one && !w.quoted) loadAll(lang, m, followOf(m, i));
        }
        if (one && alone) {
          own = i;
          load(file(lang, "r", i, m.shards[i][1]), lang + "/r/" + i).catch(function () {});
        }
      });
    });
    return own;
  }

  /* The shards the hint of the file `key` names for the word `t`: its stem's, its base
     forms', what its stem's prefix reaches. Only while the runtime is not in yet: then its
     plan asks for them. */
  function follow(lang, m, key, t) {
    var h = hinted[key] || "", at = h.indexOf("\n" + t + " ");
    if (at < 0 || started[lang]) return;
    loadAll(lang, m, h.slice(at + 1 + t.length, h.indexOf("\n", at + 1)).split(" ").filter(Boolean).map(Number));
  }

  /* The hint of the file of one term numbered `i`, from the manifest's `follow`
     ("gap:offset,offset;…": each file's number the gap from the one before, the files its
     word's plan reads as offsets from it), read once per language. */
  function followOf(m, i) {
    if (!m.followed) {
      var at = 0;
      m.followed = {};
      (m.follow || "").split(";").forEach(function (entry) {
        var parts = entry.split(":");
        if (parts.length !== 2) return;
        at += Number(parts[0]);
        m.followed[at] = parts[1].split(",").map(function (d) { return at + Number(d); });
      });
    }
    return m.followed[i];
  }

  /* The term files numbered `ids` (the hinted ones). */
  function loadAll(lang, m, ids) {
    (ids || []).forEach(function (i) {
      if (m.shards[i]) load(file(lang, "s", i, m.shards[i][1]), lang + "/s/" + i).catch(function () {});
    });
  }

  function langOf(opts) {
    var lang = (opts && opts.lang) || document.documentElement.lang;
    return M.langs[lang] ? lang : M["default"];
  }

  /* Whether engine `e` has every facet of its language's manifest `m`: the counts are whole. */
  function facetsIn(e, m) {
    return m.facets.every(function (f, i) { return e.has("f", i); });
  }

  function file(lang, kind, id, hash) { return lang + "-" + kind + id + "." + hash + ".js"; }

  /* The page API: await tietopankki.search("lastensuojelu", {lang, filters: {teemat: ["x"]}, limit}).
     Facet counts need every facet's file; {facets: false} loads only the files of the facets
     being filtered on, so the first results can show before the counts. An excerpt is cut
     from the start of its page, which the results' own files hold; where that shows no
     matched word, {excerpts: "full"} also loads those pages' whole texts and cuts it there
     (`excerptsComplete` on the answer says whether any excerpt still waits for one). */
  T.search = function (query, opts) {
    opts = opts || {};
    var lang = langOf(opts), m = M.langs[lang], filters = opts.filters || {};
    var lines = [String(opts.limit || 10)];
    Object.keys(filters).sort().forEach(function (k) {
      [].concat(filters[k]).forEach(function (v) { lines.push(k + "=" + v); });
    });
    query = String(query || "");
    var request = lines.join("\n") + "\n\n" + query, eng = null;
    var wantFacets = opts.facets !== false, wantTexts = opts.excerpts === "full";
    busy++;
    var done = function () {
      busy--;
      if (eng && !busy) setTimeout(function () { if (!busy) warm(eng); }, 0);
    };
    // The runtime's request first: the longest of a first query's.
    var ready = engine(lang);
    var own = guess(lang, m, query, !Object.keys(filters).length);
    return ready.then(function (e) {
      eng = e;
      var files = shardsFor(e, lang, m, JSON.parse(e.text("tp_plan", query)), query);
      // A common word alone: the documents of its first results (see `guess`). Waited for
      // with its term files when those are on their way too (the search then names no chunk);
      // otherwise (a keystroke whose files earlier ones brought, with most results' pages in
      // as well) only if the search names a chunk. Without them the search still answers:
      // their chunks load after it, as for any other query.
      var records = own < 0 ? null : e.need("r", own, file(lang, "r", own, m.shards[own][1])).catch(function () {});
      if (records && files.fresh) files.exact.push(records);
      // The counts need every facet: one file of them all (the manifest's `allfacets`), not
      // a file each; a filter needs only its own facet's.
      if (wantFacets && m.allfacets && !facetsIn(e, m)) {
        var all = m.facets.length;
        files.exact.push(e.need("f", all, file(lang, "f", all, m.allfacets)).then(function () {
          m.facets.forEach(function (f, i) { e.have[e.key("f", i)] = true; });
        }));
      } else {
        m.facets.forEach(function (f, i) {
          if (wantFacets || filters[f[0]]) files.exact.push(e.need("f", i, file(lang, "f", i, f[1])));
        });
      }
      var docs = function (need) {
        return need.map(function (c) { return e.need("d", c, file(lang, "d", c, m.dochash)); });
      };
      var search = function () { return JSON.parse(e.text("tp_search", request)); };
      var all = Promise.all(files.exact.concat(files.rest)), allIn = false;
      all.then(function () { allIn = true; }, function () {});
      // When the exact words' files are in and files only prefixes need are still on their
      // way, the results are nearly final: load their documents now, so that a pasted query
      // waits for about one round trip of files, not two.
      if (files.rest.length) Promise.all(files.exact.concat(records || [])).then(function () {
        if (!allIn) docs(search().need).forEach(function (p) { p.catch(function () {}); });
      }, function () {});
      // Nothing found: the neighbourhood of each word, so a misspelling can be corrected, and
      // the last parts of an unknown compound. A word matched nothing beside others, or few
      // pages have every word: the words' last parts, and once those are in, the head and part
      // of a compound, for the pages that write them apart. The engine then answers by them,
      // so the search runs again once they are in, until a plan asks for nothing new.
      var widen = function (out, round) {
        var more = out.total === 0 && query ? "tp_plan_wide" : out.parts ? "tp_plan_parts" : null;
        if (!more || round === 3) return out;
        var extra = shardsFor(e, lang, m, JSON.parse(e.text(more, query)));
        // All of them were in for the search just run (a later keystroke of the same word, or
        // parts the first plan's shards already held): it read them, and would answer the same.
        if (!extra.fresh) return out;
        return Promise.all(extra.exact.concat(extra.rest)).then(search).then(function (next) {
          return widen(next, round + 1);
        });
      };
      return all.then(function () { return widen(search(), 0); }).then(function (out) {
        // The documents of the results shown.
        if (!out.need.length) return out;
        if (!records) return Promise.all(docs(out.need)).then(search);
        return records.then(search).then(function (out) {
          return out.need.length ? Promise.all(docs(out.need)).then(search) : out;
        });
      }).then(function (out) {
        // Their whole texts, where an excerpt needs one and the caller waits for it. A text
        // that cannot load leaves the excerpts as they were (and says so), not the search
        // failed.
        if (!wantTexts || !out.needText.length) return out;
        return Promise.all(out.needText.map(function (d) {
          return e.need("t", d, file(lang, "t", d, m.texthash));
        })).then(search, function () { return out; });
      });
    }).then(function (out) {
      out.results.forEach(function (r) { r.url = siteRoot + r.url; });
      var textsMissing = out.needText.length > 0;
      // The engine's notes to the loader, not the page's business.
      delete out.need;
      delete out.needText;
      delete out.parts;
      Object.defineProperty(out, "excerptsComplete", { value: !textsMissing });
      // Not part of the API's shape: tells the search page whether every facet was counted.
      Object.defineProperty(out, "countsComplete", { value: facetsIn(eng, m) });
      return out;
    }).then(function (out) { done(); return out; }, function (err) { done(); throw err; });
  };
  /* For the tests: term files and document chunks loaded but never handed to an engine (a
     guess the plan or the search did not need). */
  T._unused = function () {
    return Object.keys(loaded).filter(function (key) {
      return /^[sdr]$/.test(key.split("/")[1]) && !Object.keys(started).some(function (l) {
        return started[l].have[key];
      });
    });
  };

  /* V8 compiles a wasm function when it is first called, so the first query paid for
     compiling the analyzer, the planner and the scorer: its plan took 7-30 ms instead of 1
     on a 2-core machine. One plan, one search over nothing and one check of which prefix
     files a query skips compile them ahead of the reader's words: after a prefetch, while
     the reader is still typing, or, on a page that calls the API without one, once its first
     search is answered and none is running (a pasted follow-up a second later: 21 against
     25 ms at 10,000 pages). (Run while a cold query's files were on their way, it held that
     query back: the files wait for the main thread.) */
  var WARM = "lastensuojelun perheväkivalta tuki", busy = 0;
  function warm(e) {
    if (e.warm) return;
    e.warm = true;
    e.text("tp_plan", WARM);
    e.text("tp_search", "10\n\n" + WARM);
    needless(e, WARM, ["lastensuojelua"], ["lastensuojelun"]);
  }

  /* On the first focus of a search box: the runtime, compiled and ready for the first
     keystroke. Not the facet files: on a 10,000-page site they are 64 kB that, loading beside
     the query's own files, held its first results back by 150 ms (six connections per host);
     the search page asks for them with its second search, once the results show. Not the
     warming either while a search is waiting for the runtime (the search page opened with a
     query, or one pasted before the runtime is in): it would run first and hold that search's
     plan back (13-55 ms at 10,000 pages); the search warms the runtime once it is answered. */
  T.prefetch = function (lang) {
    return engine(langOf({ lang: lang })).then(function (e) { if (!busy) warm(e); });
  };

  /* ---- The UI: header boxes prefetch; the search page searches as you type. ---- */
  function ready(f) {
    if (document.readyState !== "loading") f(); else document.addEventListener("DOMContentLoaded", f);
  }

  ready(function () {
    var boxes = document.querySelectorAll("input[data-tietopankki-search]");
    Array.prototype.forEach.call(boxes, function (box) {
      box.addEventListener("focus", function () { T.prefetch().catch(function () {}); }, { once: true });
    });
    var page = document.getElementById("haku");
    if (page) searchPage(page);
  });

  function searchPage(page) {
    // Whoever opens the search page is about to search: the runtime loads now, not on focus.
    T.prefetch().catch(function () {});
    var input = page.querySelector("input[name=q]");
    var list = document.getElementById("hakutulokset");
    var status = document.getElementById("hakutila");
    var boxes = Array.prototype.slice.call(page.querySelectorAll("input[data-facet]"));
    var strings = page.dataset;
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    var chosen = params.getAll("f");
    boxes.forEach(function (b) { b.checked = chosen.indexOf(b.dataset.facet + ":" + b.value) >= 0; });
    page.hidden = false;
    var noJs = document.getElementById("haku-ilman-js");
    if (noJs) noJs.hidden = true;
    var more = document.getElementById("haku-lisaa");
    // Results come a page at a time: each shown result needs its document chunk, so fifty at
    // once cost a 10,000-page site three times the bytes of the query itself.
    var PAGE = 10, limit = PAGE;
    /* Each result needs its page's document chunk: at 10,000 pages the first ten results of
       `lapsen ja perheen` were in seven chunks, the first five in four. Those five show with
       fewer requests (the search page opened with the query, no DevTools client: first
       results 131 -> 109 ms after DOMContentLoaded, medians of 21; 96 kB fetched by then
       instead of 100), and the engine picks the ten from the same scores (`LastSearch`). */
    var FIRST = 5;
    var seq = 0;

    function filters() {
      var f = {};
      boxes.forEach(function (b) { if (b.checked) (f[b.dataset.facet] = f[b.dataset.facet] || []).push(b.value); });
      return f;
    }

    function syncUrl() {
      var p = new URLSearchParams();
      if (input.value) p.set("q", input.value);
      boxes.forEach(function (b) { if (b.checked) p.append("f", b.dataset.facet + ":" + b.value); });
      var qs = p.toString();
      // Not when the address says it already, however it spells it (the page opened with a
      // query, `%20` or `+` for a space): a replaceState took 10 ms of a first search's main
      // thread in a trace of the page's load.
      if (qs !== new URLSearchParams(location.search).toString()) history.replaceState(null, "", qs ? "?" + qs : location.pathname);
    }

    /* The list is rebuilt only when the results shown are not the start of the new ones:
       the counts or the excerpts arriving after the results, the rest of a first screenful,
       "show more", or a keystroke that changes nothing shown, must not take the focus from a
       result the reader has moved to. New excerpts replace the old in place; results after
       those shown are added. */
    var shown = [];
    function render(out, counts, partial) {
      var now = out.results.map(function (r) { return JSON.stringify([r.url, r.title, r.type, r.missing]); });
      var kept = shown.length <= now.length && shown.every(function (k, i) { return k === now[i]; });
      if (!kept) list.textContent = "";
      showExcerpts(out);
      // The results after those shown (a first screenful's rest): added, not the list rebuilt.
      out.results.slice(kept ? shown.length : 0).forEach(function (r) { list.appendChild(item(r)); });
      shown = now;
      // Screen readers wait for a list marked busy before reading it out.
      if (partial) list.setAttribute("aria-busy", "true"); else if (list.hasAttribute("aria-busy")) list.removeAttribute("aria-busy");
      renderRest(out, counts, partial);
    }

    function showExcerpts(out) {
      var texts = list.querySelectorAll("li.entry > p.excerpt");
      out.results.forEach(function (r, i) {
        var p = texts[i];
        if (p && p.dataset.excerpt !== r.excerpt) {
          p.innerHTML = r.excerpt; /* escaped by the engine; only <mark> is markup */
          p.dataset.excerpt = r.excerpt;
        }
      });
    }

    function item(r) {
      var li = document.createElement("li");
      li.className = "entry";
      var a = document.createElement("a");
      a.className = "entry-title";
      a.href = r.url;
      a.textContent = r.title;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = strings["kind" + r.type.charAt(0).toUpperCase() + r.type.slice(1)] || r.type;
      var p = document.createElement("p");
      p.className = "excerpt";
      p.innerHTML = r.excerpt; /* escaped by the engine; only <mark> is markup */
      p.dataset.excerpt = r.excerpt;
      li.appendChild(kind);
      li.appendChild(a);
      li.appendChild(p);
      // A result with only some of the words says which it lacks (struck through).
      if (r.missing) {
        var lacks = document.createElement("p");
        lacks.className = "missing";
        lacks.appendChild(document.createTextNode(strings.missing + " "));
        r.missing.forEach(function (w, i) {
          if (i) lacks.appendChild(document.createTextNode(", "));
          var s = document.createElement("s");
          s.textContent = w;
          lacks.appendChild(s);
        });
        li.appendChild(lacks);
      }
      return li;
    }

    function renderRest(out, counts, partial) {
      if (counts) boxes.forEach(function (b) {
        var n = (out.facets[b.dataset.facet] || {})[b.value] || 0;
        var count = b.parentNode.querySelector(".count");
        if (count) count.textContent = n;
        b.parentNode.hidden = n === 0 && !b.checked;
      });
      var empty = out.total === 0 && (input.value || Object.keys(filters()).length);
      if (more) more.hidden = partial || out.results.length >= out.total;
      var text = empty ? strings.none : (input.value || Object.keys(filters()).length ? strings.count.replace("{n}", out.total) : "");
      if (out.phraseRelaxed && out.total) text += " " + strings.phraseRelaxed;
      // The same words for the same search are not written again (the counts arriving after
      // the results), so a screen reader does not hear them twice.
      var said = [input.value, JSON.stringify(filters()), text, empty && out.suggestion || ""].join("\n");
      if (said === status.dataset.said) return;
      status.dataset.said = said;
      status.textContent = text;
      if (empty && out.suggestion) {
        var a = document.createElement("a");
        a.href = "?q=" + encodeURIComponent(out.suggestion);
        a.textContent = out.suggestion;
        a.addEventListener("click", function (ev) { ev.preventDefault(); input.value = out.suggestion; run(); input.focus(); });
        status.appendChild(document.createTextNode(" " + strings.didYouMean + " "));
        status.appendChild(a);
        status.appendChild(document.createTextNode("?"));
      }
    }

    /* `next` is the index of the first result "show more" asked for: it gets the focus. */
    function run(next) {
      var mine = ++seq;
      if (next === undefined) limit = PAGE;
      syncUrl();
      if (!input.value.trim() && !Object.keys(filters()).length) {
        list.textContent = "";
        shown = [];
        status.textContent = "";
        delete status.dataset.said;
        if (more) more.hidden = true;
        boxes.forEach(function (b) { b.parentNode.hidden = false; });
        return Promise.resolve();
      }
      var f = filters(), failed = function (e) {
        delete status.dataset.said;
        status.textContent = strings.error + " (" + e.message + ")";
      };
      // Results first; when the facet files are not all in yet (no prefetch), the counts
      // follow, and so do the excerpts that need their pages' whole texts. A new search
      // shows its first screenful (FIRST) as soon as those results' pages are in, then the
      // rest of its ten (see FIRST).
      var first = next === undefined && limit > FIRST ? FIRST : limit;
      return T.search(input.value, { filters: f, limit: first, facets: false }).then(function (out) {
        if (mine !== seq || first === limit || out.total <= first) return out;
        render(out, false, true);
        return T.search(input.value, { filters: f, limit: limit, facets: false });
      }).then(function (out) {
        if (mine !== seq) return;
        render(out, out.countsComplete);
        if (!out.total && !Object.keys(f).length) inDefault(mine);
        var link = next !== undefined && list.querySelectorAll("a.entry-title")[next];
        if (link) link.focus();
        // Both with whole texts: neither may put back an excerpt the other improved. The
        // texts first: loading beside the facet files (eleven then, 64 kB at 10,000 pages),
        // they waited behind them (the excerpts came 95 ms after the results instead of 30,
        // and the counts 10 ms later too).
        var later = function (facets) {
          return T.search(input.value, { filters: f, limit: limit, facets: facets, excerpts: "full" }).then(function (full) {
            if (mine === seq) render(full, full.countsComplete);
          }).catch(failed);
        };
        var counts = function () { if (!out.countsComplete) later(true); };
        if (!out.excerptsComplete) later(false).then(counts); else counts();
      }).catch(failed);
    }

    /* Nothing on a page in another language than the site's default (most of the bank is in
       Finnish; the English pages are a few): how many the default language's pages have, as a
       link to its search page with the same words. */
    function inDefault(mine) {
      var lang = M["default"], q = input.value;
      if (!q.trim() || !strings.inDefault || langOf({}) === lang) return;
      T.search(q, { lang: lang, limit: 1, facets: false }).then(function (other) {
        if (mine !== seq || !other.total) return;
        var a = document.createElement("a");
        a.href = siteRoot + "haku/" + (location.protocol === "file:" ? "index.html" : "") + "?q=" + encodeURIComponent(q);
        a.textContent = strings.inDefault.replace("{n}", other.total);
        status.appendChild(document.createTextNode(" "));
        status.appendChild(a);
      }, function () {});
    }

    /* Each keystroke searches at once when no search is running (no fixed delay: a search
       whose files are in takes about a millisecond); keystrokes during a search make one
       more search when it ends, for whatever the box then holds. */
    var busy = false, again = false;
    function typed() {
      if (busy) { again = true; return; }
      busy = true;
      run().then(function () {
        busy = false;
        if (again) { again = false; typed(); }
      });
    }

    input.addEventListener("input", typed);
    boxes.forEach(function (b) { b.addEventListener("change", function () { run(); }); });
    page.addEventListener("submit", function (ev) { ev.preventDefault(); run(); });
    if (more) more.addEventListener("click", function () {
      var next = list.querySelectorAll("a.entry-title").length;
      limit = next + PAGE;
      run(next);
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { input.value = ""; run(); }
      if (ev.key === "ArrowDown") {
        var first = list.querySelector("a");
        if (first) { ev.preventDefault(); first.focus(); }
      }
    });
    list.addEventListener("keydown", function (ev) {
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      var i = links.indexOf(document.activeElement);
      if (i < 0) return;
      if (ev.key === "ArrowDown" && i + 1 < links.length) { ev.preventDefault(); links[i + 1].focus(); }
      if (ev.key === "ArrowUp") { ev.preventDefault(); (i > 0 ? links[i - 1] : input).focus(); }
      if (ev.key === "Escape") { ev.preventDefault(); input.focus(); }
    });
    run();
  }
})();
