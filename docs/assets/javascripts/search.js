// Site search with Pagefind, in Material's header search box.
// Pagefind picks the index of the page's <html lang>, so Vietnamese pages
// search Vietnamese only, English pages English only.
//
// Ranking: Pagefind folds diacritics, so "bien tan" also matches every
// scattered "tan" (tân, tấn...). Each page carries hidden phrase keys
// ("zzbientancho...", cpkb/text/search_keys.py); a query is first searched as
// its keys, and the pages that have them (the words in sequence, in the title
// first) come first, then the rest of Pagefind's own results. The total counts
// every page once. The keys sort after every real word and have short
// postings, so the first hit costs Pagefind's code, its page list and one
// small index chunk per four words.
(function () {
  "use strict";
  const input = document.getElementById("cp-search-input");
  const toggle = document.getElementById("__search");
  const configEl = document.getElementById("cp-config");
  if (!input || !toggle || !configEl) return;
  const config = JSON.parse(configEl.textContent);
  const labels = config.labels;
  const meta = document.getElementById("cp-search-meta");
  const list = document.getElementById("cp-search-results");
  const rootUrl = new URL(config.root, document.baseURI);
  const PAGE = 10;
  let pagefind = null;

  async function load() {
    if (!pagefind) {
      pagefind = await import(new URL("pagefind/pagefind.js", rootUrl).href);
      // In the page, not in Pagefind's web worker: the worker is a second copy
      // of Pagefind's code to download, and a search here takes milliseconds.
      await pagefind.options({ baseUrl: rootUrl.pathname, excerptLength: 26, noWorker: true, ranking: { termSimilarity: 3 } });
    }
    return pagefind;
  }

  // The same folding and keys as cpkb/text/search_keys.py (keep in step).
  const PHRASE_PREFIX = "zz";
  const PHRASE_WORDS = 4;
  function words(text) {
    const folded = text.normalize("NFC").toLowerCase().replace(/đ/g, "d")
      .normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    return folded.match(/[a-z0-9]+/g) || [];
  }
  const stop = new Set(config.stop || []); // words a key skips ("to", "the": cp-config)
  function phraseKeys(text) {
    const w = words(text).filter((x) => !stop.has(x));
    const keys = [];
    for (let i = 0; i < w.length; i += PHRASE_WORDS) keys.push(PHRASE_PREFIX + w.slice(i, i + PHRASE_WORDS).join(""));
    return keys;
  }

  // Pagefind results for a query, pages with the words in sequence first.
  // Each item is a Pagefind result (id, data()).
  async function ranked(query) {
    const pf = await load();
    const keys = phraseKeys(query);
    const [plain, sequence] = await Promise.all([
      pf.search(query),
      keys.length ? pf.search(keys.join(" ")) : Promise.resolve(null),
    ]);
    if (!plain) return null;
    const seen = new Set();
    const out = [];
    const byId = new Map(plain.results.map((r) => [r.id, r]));
    const rank = new Map(plain.results.map((r, i) => [r.id, i]));
    // The pages with the words in sequence come first, by the score of their
    // keys (in the title first, whole words before longer ones); pages whose
    // keys score alike (within 10%) in the order of the full-text search, which
    // weighs how often the words occur. A page found by its keys shows the
    // excerpt of the plain query, or none (the excerpt would be the hidden keys).
    const group = [];
    let band = [];
    const flush = () => {
      band.sort((a, b) => (rank.has(a.id) ? rank.get(a.id) : rank.size) - (rank.has(b.id) ? rank.get(b.id) : rank.size));
      group.push(...band);
      band = [];
    };
    for (const r of (sequence ? sequence.results : [])) {
      if (band.length && r.score < 0.9 * band[0].score) flush();
      band.push(r);
    }
    flush();
    for (const r of group) {
      if (!seen.has(r.id)) { seen.add(r.id); out.push(byId.get(r.id) || Object.assign(r, { keysOnly: true })); }
    }
    for (const r of plain.results) {
      if (!seen.has(r.id)) { seen.add(r.id); out.push(r); }
    }
    return { results: out };
  }
  window.cpPhraseKeys = phraseKeys; // shared with catalogue.js

  function open() {
    if (!toggle.checked) toggle.checked = true;
    load().catch(() => { meta.textContent = labels.unavailable; });
  }
  function close() {
    toggle.checked = false;
    setActive(-1);
    input.blur();
  }
  // Material's own search code is not loaded (it would fetch a lunr index), so
  // clicking or tapping the box must open the panel here.
  input.addEventListener("focus", open);
  input.addEventListener("click", open);
  toggle.addEventListener("change", () => {
    if (toggle.checked) { open(); setTimeout(() => input.focus(), 30); }
  });
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    if (!typing && !event.ctrlKey && !event.metaKey && !event.altKey && ["/", "s", "f"].includes(event.key)) {
      event.preventDefault();
      open();
      setTimeout(() => input.focus(), 30);
    } else if (event.key === "Escape" && toggle.checked) {
      event.preventDefault();
      close();
    }
  });

  // ↓/↑ move a highlight through the results, Enter opens it.
  let active = -1;
  function links() { return Array.from(list.querySelectorAll(".md-search-result__link")); }
  function setActive(index) {
    const all = links();
    all.forEach((a, i) => {
      const on = i === index;
      a.classList.toggle("cp-search-hit--active", on);
    });
    active = index >= 0 && index < all.length ? index : -1;
    if (active >= 0) all[active].scrollIntoView({ block: "nearest" });
  }
  input.addEventListener("keydown", (event) => {
    const all = links();
    if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      open();
      setActive(active + 1 < all.length ? active + 1 : 0);
    } else if (event.key === "ArrowUp" && all.length) {
      event.preventDefault();
      setActive(active > 0 ? active - 1 : all.length - 1);
    } else if (event.key === "Enter") {
      event.preventDefault();
      const chosen = all[active >= 0 ? active : 0];
      if (chosen) location.href = chosen.href;
    }
  });

  let serial = 0;
  function item(data, withExcerpt = true) {
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    const a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = data.url;
    a.id = "cp-hit-" + (++serial);
    const article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    const h = document.createElement("h1");
    h.textContent = (data.meta.id ? data.meta.id + " · " : "") + (data.meta.title || data.url);
    article.appendChild(h);
    if (data.meta.sector || data.meta.figures) {
      const p = document.createElement("p");
      p.className = "cp-search-hit__meta";
      p.textContent = [data.meta.sector, data.meta.figures].filter(Boolean).join(" · ");
      article.appendChild(p);
    }
    if (withExcerpt) {
      const excerpt = document.createElement("p");
      excerpt.innerHTML = data.excerpt; // Pagefind escapes page text; only <mark> is markup
      article.appendChild(excerpt);
    }
    a.appendChild(article);
    li.appendChild(a);
    return li;
  }

  let results = [];
  let shown = 0;
  let latest = 0;
  const more = document.createElement("button");
  more.type = "button";
  more.className = "md-button cp-search-more";
  more.textContent = labels.more;
  const moreItem = document.createElement("li");
  moreItem.className = "cp-search-more__item";
  moreItem.appendChild(more);
  async function showMore(mine, count) {
    // The first hit is shown as soon as its fragment arrives; the rest follow.
    const start = shown;
    const slice = results.slice(shown, shown + count);
    shown += slice.length;
    const data = await Promise.all(slice.map((r) => r.data()));
    if (mine !== latest) return;
    if (start === 0) list.replaceChildren(); // the early hit gives way to the ranked list
    moreItem.remove();
    list.append(...data.map((d, i) => item(d, !slice[i].keysOnly)));
    if (shown < results.length) {
      more.textContent = labels.more_n.replace("{n}", Math.min(PAGE, results.length - shown))
        .replace("{shown}", shown).replace("{total}", results.length);
      list.appendChild(moreItem);
    }
  }
  more.addEventListener("click", async () => {
    const before = links().length;
    await showMore(latest, PAGE);
    const next = links()[before];
    if (next) next.focus();
  });

  let timer = null;
  input.addEventListener("input", () => {
    open();
    clearTimeout(timer);
    const mine = ++latest;
    const query = input.value.trim();
    setActive(-1);
    delete list.dataset.query;
    if (!query) { list.replaceChildren(); meta.textContent = ""; return; }
    meta.textContent = labels.loading;
    timer = setTimeout(async () => {
      let search;
      try {
        // The keys alone load only small index chunks (titles and leads): the
        // best hit shows before the chunks of common syllables ("nuoc") arrive.
        const keys = phraseKeys(query);
        if (keys.length) {
          const pf = await load();
          const early = await pf.search(keys.join(" "));
          if (mine !== latest) return;
          if (early && early.results.length) {
            const data = await early.results[0].data();
            if (mine !== latest) return;
            list.replaceChildren(item(data, false));
          }
        }
        search = await ranked(query);
      } catch (e) { meta.textContent = labels.unavailable; return; }
      if (search === null || mine !== latest) return;
      results = search.results;
      shown = 0;
      const n = results.length;
      if (!n) list.replaceChildren();
      meta.textContent = n ? labels.results.replace("{n}", n) : labels.none;
      if (n) {
        await showMore(mine, 1);
        if (mine === latest && shown < results.length) await showMore(mine, PAGE - 1);
      }
      if (mine === latest) list.dataset.query = query; // the list now answers this query
    }, 120);
  });
})();
