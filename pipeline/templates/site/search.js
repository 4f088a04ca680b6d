// Client-side search over /search-index.json (written by `pipeline build`).
// Results are built with DOM methods and textContent only: no index text is
// ever parsed as HTML.
(function () {
  "use strict";
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var entries = [];
  // Until the index is here (or when it could not be loaded) no query has been looked for:
  // what the status says instead of "No entry matches" (said while a big index was still
  // on its way, and over the message of one that failed).
  var waiting = "Loading the index…";
  var LIMIT = 50;
  var KIND = {glossary: "term", models: "model", hardware: "hardware", tools: "tool",
              benchmarks: "benchmark", errors: "error", guides: "guide", pages: "page",
              authors: "author"};

  // NFKD first, then lower case: NFKD makes capitals of some characters ("㎓" is "GHz",
  // "™" is "TM"), which lower-casing first left in the folded text, out of every query's
  // reach.
  function fold(s) {
    return (s || "").normalize("NFKD").toLowerCase().replace(/[\u0300-\u036f]/g, "");
  }

  function prepare(e) {
    var p = {
      entry: e,
      title: fold(e.title).replace(/\s+/g, " "),
      summary: fold(e.summary),
      text: fold(e.text),
      id: fold(e.id),
      path: fold(e.url),
      parts: fold(e.url).split("/").filter(Boolean),
      // the ids it had (renamed, or named in `redirect_from`): a reader searches the
      // name they remember
      olds: (e.previous_ids || []).map(fold)
    };
    p.oldPaths = p.olds.map(function (o) { return "/" + o; }).join(" ");
    p.oldParts = p.olds.map(function (o) { return o.split("/").filter(Boolean); });
    // the places of WEIGHTS (an array: a property named in a variable took longer)
    p.places = [p.title, fold((e.aka || []).join(" ")), fold(e.message),
                fold((e.tags || []).join(" ")), p.summary, p.text];
    return p;
  }

  // What a word found in each place counts, the more telling first: the title, other
  // names, the error message, tags, the summary, the text.
  var WEIGHTS = [20, 12, 12, 8, 4, 1];
  var PATH = 8;  // the entry's path (`/glossary/exl2`) counts as its tags do
  var LETTER = /[\p{L}\p{N}]/u;

  // Where the term `t` is in `s`: 2 at the start of a word ("pen" in "a pen name",
  // "quant" in "quantization", or a term that starts with no letter), 1 only inside
  // words ("pen" in "open"), 0 nowhere. The first match mostly tells; else `t.re` looks
  // on (a loop of indexOf over every "e" of a text took four times as long).
  // `first`: the first match alone tells, a guess good enough for a place after one the
  // term was found at the start of a word in.
  function where(s, t, first) {
    var i = s.indexOf(t.text);
    if (i === -1) return 0;
    if (!t.lead || i === 0) return 2;
    var c = s.charCodeAt(i - 1);
    if (c < 128 && !(c >= 48 && c <= 57 || c >= 97 && c <= 122 || c >= 65 && c <= 90)) {
      return 2;
    }
    return !first && t.re.test(s) ? 2 : 1;
  }

  // A term of the query: its text, whether it starts with a letter or a digit (`re`
  // finds it at the start of a word then), and the parts of a path ("hardware/rtx-4090"),
  // or null.
  function term(t) {
    var parts = t.indexOf("/") === -1 ? null : t.split("/").filter(Boolean);
    var lead = LETTER.test(t[0]);
    return {text: t, lead: lead, parts: parts && parts.length ? parts : null,
            re: lead && new RegExp("(?<![\\p{L}\\p{N}])" +
                                   t.replace(/[.*+?^${}()|[\]\\\/]/g, "\\$&"), "u")};
  }

  // Whether the term is in the entry's path (`/hardware/nvidia-rtx-4090`): as `where`
  // says, or for a path, each of its parts in one of the entry's, in a row
  // ("hardware/rtx-4090").
  // An old path of the entry counts as its path.
  function inPath(p, t) {
    if (!t.parts) return Math.max(where(p.path, t), p.olds.length && where(p.oldPaths, t));
    if (inParts(p.parts, t.parts)) return 2;
    for (var n = 0; n < p.oldParts.length; n++) if (inParts(p.oldParts[n], t.parts)) return 2;
    return 0;
  }

  // Whether each of `wanted` is in one of `parts`, in a row.
  function inParts(parts, wanted) {
    for (var k = 0; k + wanted.length <= parts.length; k++) {
      for (var i = 0; i < wanted.length && parts[k + i].indexOf(wanted[i]) !== -1; i++);
      if (i === wanted.length) return true;
    }
    return false;
  }

  // The id of the entry a query names by its id, path or address ("glossary/exl2",
  // "/glossary/exl2", "https://local-ai-catalog.org/glossary/exl2.html#kernels"), or "".
  function named(query) {
    var s = fold(query).trim().replace(/^[a-z][a-z0-9+.-]*:\/\/[^\/]*/, "")
      .replace(/[?#].*$/, "").replace(/\.(html|json)$/, "").replace(/^\/+|\/+$/g, "");
    return /\s/.test(s) ? "" : s;
  }

  // The terms of a query: its words, and each phrase in double quotes (straight or curly)
  // as one term, found only as typed ("out of memory"). A quote left open (one being
  // typed, an inch mark) separates words and no more.
  function parse(query) {
    var q = fold(query).replace(/[\u201c\u201d\u201e]/g, '"');
    if ((q.match(/"/g) || []).length % 2) {
      var open = q.lastIndexOf('"');
      q = q.slice(0, open) + " " + q.slice(open + 1);
    }
    var terms = [], re = /"([^"]*)"|[^\s"]+/g, m;
    while ((m = re.exec(q))) {
      var t = m[1] === undefined ? m[0] : m[1].trim().replace(/\s+/g, " ");
      if (t) terms.push(term(t));
    }
    return terms;
  }

  // How well one term matches an entry: 0 when it is nowhere in it. A match inside a word
  // counts a quarter of one at the start of a word; `atWord` is the weight of the first
  // place it is at the start of a word in (0: none; the path, a lesser place, is not
  // one).
  var atWord = 0;
  function termScore(p, t) {
    var s = 0, w;
    atWord = 0;
    for (var f = 0; f < WEIGHTS.length; f++) {
      w = where(p.places[f], t, atWord);
      if (w === 2) {
        s += WEIGHTS[f];
        if (!atWord) atWord = WEIGHTS[f];
      } else if (w) s += WEIGHTS[f] / 4;
    }
    w = inPath(p, t);  // a short one
    if (w === 2) {
      s += PATH;
      if (!atWord) atWord = -1;
    }
    else if (w) s += PATH / 4;
    return s;
  }

  // [how many of the terms match, whether the query names the entry (its id or path:
  // first, whatever its words), how many of the terms match at the start of a word, how
  // much of the title is the query as typed, the place the query is found as typed,
  // score], or null once fewer than `need` of them can match. A title holding the query as typed
  // ("rtx 4090" in "NVIDIA GeForce RTX 4090") comes before one that has its words apart,
  // and the shorter of two such titles (more of it is the query) first: the exact title
  // is 1. Then an entry that has the query as typed anywhere, by the place (its weight).
  function score(p, terms, need, phrase, id) {
    var found = 0, words = 0, total = 0, place = 0;
    var exact = p.id === id || p.olds.indexOf(id) !== -1;  // an old id leads here too
    for (var i = 0; i < terms.length; i++) {
      var s = termScore(p, terms[i]);
      if (s) {
        found++;
        if (atWord) words++;
      } else if (!exact && terms.length - (i + 1 - found) < need) return null;
      total += s;
    }
    if (exact) return [terms.length, 1, words, 0, 0, total];
    var title = 0;
    if (terms.length === 1) place = Math.max(atWord, 0);  // the query is its one term
    else if (words === terms.length) {  // else the query as typed is nowhere
      for (var f = 0; f < WEIGHTS.length && !place; f++) {
        if (where(p.places[f], phrase) === 2) place = WEIGHTS[f];
      }
    }
    if (place === WEIGHTS[0]) title = phrase.text.length / p.title.length;
    return [found, 0, words, title, place, total];
  }

  // Entries with at least `need` of the terms (or named by `id`): [[found, named, words,
  // title, place, score], prepared entry].
  function matching(terms, need, id) {
    var hits = [], phrase = term(terms.map(function (t) { return t.text; }).join(" "));
    for (var i = 0; i < entries.length; i++) {
      var s = score(entries[i], terms, need, phrase, id);
      if (s) hits.push([s, entries[i]]);
    }
    return hits;
  }

  // Where the folded text's characters [from, to) come from in `text`: [start, end).
  // Folding changes lengths ("…" is "...", "½" is "1⁄2", "ﬁ" is "fi", a combining
  // accent is dropped), so the text is folded one character at a time, each taking as
  // many folded characters as its own fold has (together they are fold(text): the
  // case of a letter never depends on its neighbours' length, and NFKD's reordering of
  // accents changes no length). Only the text up to the match is folded again.
  function locate(text, from, to) {
    var f = 0, start = -1;
    for (var i = 0; i < text.length;) {
      var ch = String.fromCodePoint(text.codePointAt(i));
      var next = f + fold(ch).length;
      if (start < 0 && next > from) start = i;
      i += ch.length;
      if (start >= 0 && next >= to) return [start, i];
      f = next;
    }
    return null;
  }

  function lowSurrogate(text, i) {
    var c = text.charCodeAt(i);
    return c >= 0xdc00 && c <= 0xdfff;
  }

  // Some 60 characters of `text` before the first match of `term` in its folded form
  // `folded`, and some 100 from the match on, cut where the match really is.
  function snippet(text, folded, term) {
    var at = folded.indexOf(term);
    var span = at < 0 ? null : locate(text, at, at + term.length);
    if (!span) return "";
    var start = Math.max(0, span[0] - 60), end = Math.max(span[1], span[0] + 100);
    if (start > 0 && lowSurrogate(text, start)) start--;  // never half a character
    if (end < text.length && lowSurrogate(text, end)) end++;
    return (start > 0 ? "…" : "") + text.slice(start, end).trim() +
      (end < text.length ? "…" : "");
  }

  function render(query) {
    var terms = parse(query);
    list.textContent = "";
    if (waiting) {
      status.textContent = waiting;
      return;
    }
    if (!terms.length) {
      status.textContent = entries.length + " entries. Type to search.";
      return;
    }
    // Entries with every term; when none has them all, those with at least half of them,
    // most first: an error pasted as the reader saw it has numbers, paths and names of its
    // own ("Tried to allocate 20.00 MiB", model "llama3") that the catalog's message
    // does not, and found nothing.
    var id = named(query);
    var hits = matching(terms, terms.length, id), all = hits.length > 0;
    if (!all && terms.length > 1) hits = matching(terms, Math.ceil(terms.length / 2), id);
    hits.sort(function (a, b) {
      var x = a[0], y = b[0];
      return y[0] - x[0] || y[1] - x[1] || y[2] - x[2] || y[3] - x[3] || y[4] - x[4] ||
        y[5] - x[5] ||
        (a[1].entry.title < b[1].entry.title ? -1 : 1);
    });
    var shown = hits.length > LIMIT ? " Showing the first " + LIMIT + "." : "";
    if (all) {
      status.textContent = hits.length + (hits.length === 1 ? " entry matches." : " entries match.") + shown;
    } else if (hits.length) {
      status.textContent = "No entry matches every word of “" + query + "”. " + hits.length +
        (hits.length === 1 ? " entry has" : " entries have") + " at least half of them, most first." + shown;
    } else {
      status.textContent = "No entry matches “" + query + "”.";
    }
    hits.slice(0, LIMIT).forEach(function (hit) {
      var e = hit[1].entry;
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = e.url;
      a.textContent = e.title;
      var kind = document.createElement("span");
      kind.className = "muted";
      kind.textContent = " " + (KIND[e.collection] || e.collection);
      var p = document.createElement("p");
      p.textContent = e.summary || "";
      li.appendChild(a);
      li.appendChild(kind);
      li.appendChild(p);
      // around the first of the query's words the entry has (found by half of them, it
      // may lack the first, and showed no snippet at all)
      // (none, for an entry found by its id or address)
      var first = (terms.filter(function (t) { return termScore(hit[1], t) > 0; })[0]
                   || terms[0]).text;
      var more = hit[1].summary.indexOf(first) === -1 && hit[1].title.indexOf(first) === -1
        ? snippet(e.text || "", hit[1].text, first) : "";
      if (more) {
        var q = document.createElement("p");
        q.className = "snippet";
        q.textContent = more;
        li.appendChild(q);
      }
      list.appendChild(li);
    });
  }

  // The header's box, on this page too: it shows the query, and searching from it stays
  // on the page.
  var header = document.querySelector(".site-search input[name=q]");

  // Show the results of `value`, and keep it in the address (?q=) to share or go back to.
  function search(value) {
    var url = new URL(window.location.href);
    if (value) url.searchParams.set("q", value); else url.searchParams.delete("q");
    window.history.replaceState(null, "", url);
    if (input.value !== value) input.value = value;
    if (header && header.value !== value) header.value = value;
    render(value);
  }

  // The page says nothing of its own: without JavaScript it never loads anything.
  status.textContent = waiting;
  var query = new URLSearchParams(window.location.search).get("q") || "";
  input.value = query;
  if (header) header.value = query;
  input.addEventListener("input", function () { search(input.value); });
  // Enter submitted the form: the page loaded again and the box lost the focus. The
  // results are already there; Enter keeps them, and the focus where it is.
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    search(input.value);
    input.focus();
  });
  if (header) {
    header.form.addEventListener("submit", function (event) {
      event.preventDefault();
      search(header.value);
      header.focus();
    });
  }
  fetch("/search-index.json")
    .then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    })
    .then(function (index) {
      entries = index.entries.map(prepare);
      waiting = "";
      render(input.value);
    })
    .catch(function (err) {
      waiting = "The search index could not be loaded (" + err.message + ").";
      status.textContent = waiting;
    });
})();
