// Site search with Pagefind, in Material's header search box.
// Pagefind picks the index of the page's <html lang>, so Vietnamese pages
// search Vietnamese only, English pages English only.
(function () {
  "use strict";
  const input = document.getElementById("cp-search-input");
  const toggle = document.getElementById("__search");
  const configEl = document.getElementById("cp-config");
  if (!input || !toggle || !configEl) return;
  const config = JSON.parse(configEl.textContent);
  const meta = document.getElementById("cp-search-meta");
  const list = document.getElementById("cp-search-results");
  const rootUrl = new URL(config.root, document.baseURI);
  let pagefind = null;

  async function load() {
    if (!pagefind) {
      pagefind = await import(new URL("pagefind/pagefind.js", rootUrl).href);
      await pagefind.options({ baseUrl: rootUrl.pathname, excerptLength: 26 });
    }
    return pagefind;
  }
  window.cpPagefind = load; // shared with catalogue.js

  function open() {
    toggle.checked = true;
    setTimeout(() => input.focus(), 30);
    load().catch(() => { meta.textContent = config.labels.unavailable; });
  }
  toggle.addEventListener("change", () => { if (toggle.checked) open(); });
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    if (!typing && !event.ctrlKey && !event.metaKey && !event.altKey && ["/", "s", "f"].includes(event.key)) {
      event.preventDefault();
      open();
    } else if (event.key === "Escape" && toggle.checked) {
      toggle.checked = false;
      input.blur();
    }
  });

  function item(data) {
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    const a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = data.url;
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
    const excerpt = document.createElement("p");
    excerpt.innerHTML = data.excerpt; // Pagefind escapes page text; only <mark> is markup
    article.appendChild(excerpt);
    a.appendChild(article);
    li.appendChild(a);
    return li;
  }

  let latest = 0;
  input.addEventListener("input", async () => {
    const query = input.value.trim();
    const mine = ++latest;
    if (!query) { list.replaceChildren(); meta.textContent = ""; return; }
    meta.textContent = config.labels.loading;
    let pf;
    try { pf = await load(); } catch (e) { meta.textContent = config.labels.unavailable; return; }
    const search = await pf.debouncedSearch(query, {}, 150);
    if (search === null || mine !== latest) return;
    const n = search.results.length;
    meta.textContent = n ? config.labels.results.replace("{n}", n) : config.labels.none;
    // The first hit is shown as soon as its fragment arrives; the rest follow.
    const first = search.results.slice(0, 1).map((r) => r.data());
    const data = await Promise.all(first);
    if (mine !== latest) return;
    list.replaceChildren(...data.map(item));
    const rest = await Promise.all(search.results.slice(1, 12).map((r) => r.data()));
    if (mine !== latest) return;
    list.append(...rest.map(item));
  });
})();
