// The measure catalogue: a keyword, facets and sorting over Pagefind.
// The first view (first cards by id, facet counts) is in the page itself, so
// opening it downloads no index. Then everything runs on the catalogue's own
// bundle (pagefind-catalogue/, cpkb/site/search_bundle.py): one record per
// measure with its facets, sort keys, card text, and as words its title,
// summary, stage and technique with the phrase keys the header search uses
// (a keyword is ranked as there, search.js). Without a keyword it searches
// ALL_TOKEN, which every record has: Pagefind would load its whole index for a
// search without words. Records load 30 at a time, so the page works the
// same at 100 or 10,000 measures. The state lives in the URL
// (?q=boiler&sector=beverages&sort=money_saved&order=desc) for sharing, and the
// language switcher carries it to the other language.
(function () {
  "use strict";
  const root = document.getElementById("cp-catalogue");
  if (!root) return;
  const labels = JSON.parse(document.getElementById("cp-catalogue-labels").textContent);
  const form = document.getElementById("cp-filters");
  const shown = document.getElementById("cp-shown");
  const list = document.getElementById("cp-results");
  const more = document.getElementById("cp-more");
  const sortSelect = document.getElementById("cp-sort");
  const orderSelect = document.getElementById("cp-order");
  const keyword = document.getElementById("cp-keyword");
  const toggle = document.getElementById("cp-filters-toggle");
  const toggleCount = document.getElementById("cp-filters-count");
  const facets = Array.from(form.querySelectorAll("fieldset[data-facet]")).map((f) => f.dataset.facet);
  const PAGE = 30; // cpkb.site.catalogue_page.FIRST_CARDS
  const config = JSON.parse(document.getElementById("cp-config").textContent);
  const rootUrl = new URL(config.root, document.baseURI);
  let results = null; // null: the first view from the page, no search run yet
  let rendered = Number(list.dataset.firstView || 0);
  let total = 0;
  let matching = 0;
  let run = 0;
  let records = null;
  const ALL_TOKEN = "zz0"; // cpkb.site.search_bundle.ALL_TOKEN

  async function catalogueIndex() {
    if (!records) {
      records = import(new URL("pagefind-catalogue/pagefind.js", rootUrl).href).then(async (pf) => {
        await pf.options({ baseUrl: rootUrl.pathname, noWorker: true });
        return pf;
      });
    }
    return records;
  }

  function readUrl() {
    const params = new URLSearchParams(location.search);
    form.querySelectorAll("input[type=checkbox]").forEach((box) => {
      box.checked = params.getAll(box.name).includes(box.value);
    });
    keyword.value = params.get("q") || "";
    const sort = params.get("sort");
    if (sort && Array.from(sortSelect.options).some((o) => o.value === sort)) sortSelect.value = sort;
    else if (keyword.value) sortSelect.value = "relevance";
    if (params.get("order") === "desc") orderSelect.value = "desc";
  }

  function state() {
    const params = new URLSearchParams();
    if (keyword.value.trim()) params.set("q", keyword.value.trim());
    form.querySelectorAll("input[type=checkbox]:checked").forEach((box) => params.append(box.name, box.value));
    if (sortSelect.value !== "id") params.set("sort", sortSelect.value);
    if (orderSelect.value !== "asc") params.set("order", orderSelect.value);
    return params.toString();
  }

  // Material's language switcher links to the same page in the other language:
  // give those links the same filters.
  function carryToOtherLanguages(query) {
    document.querySelectorAll(".md-select a[hreflang]").forEach((a) => {
      const url = new URL(a.href, location.href);
      url.search = query ? "?" + query : "";
      a.href = url.href;
    });
  }

  function writeUrl() {
    const query = state();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    carryToOtherLanguages(query);
  }

  function selected() {
    const filters = { kind: "measure" };
    facets.forEach((facet) => {
      const values = Array.from(form.querySelectorAll(`input[name="${facet}"]:checked`)).map((b) => b.value);
      if (values.length) filters[facet] = { any: values };
    });
    return filters;
  }

  function card(data) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.className = "cp-result__title";
    a.href = data.url;
    a.textContent = data.meta.title;
    const id = document.createElement("code");
    id.textContent = data.meta.id;
    const figures = document.createElement("p");
    figures.className = "cp-result__figures";
    figures.textContent = [data.meta.sector, data.meta.figures].filter(Boolean).join(" · ");
    li.append(id, " ", a, figures);
    if (data.meta.savings) {
      const savings = document.createElement("p");
      savings.className = "cp-result__savings";
      savings.textContent = data.meta.savings;
      li.append(savings);
    }
    if (window.cpkbPlan && data.meta.plan) li.append(planButton(data));
    return li;
  }

  // "Add to plan" from a card: the measure enters "My plan" with the catalogue's
  // ranges (investment, money saved); its page's calculator refines them later.
  function planButton(data) {
    const P = window.cpkbPlan, id = data.meta.id;
    const n = data.meta.plan.split(" ").map(Number);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "md-button cp-result__plan";
    const inPlan = () => P.load().items.some((i) => i.id === id);
    const show = () => {
      button.textContent = inPlan() ? labels.added : labels.add;
      // The visible words first, then which measure (axe: label-content-name-mismatch).
      button.setAttribute("aria-label", `${inPlan() ? labels.added : labels.add}: ${data.meta.title}`);
    };
    show();
    button.addEventListener("click", () => {
      const title = {};
      title[document.documentElement.lang === "en" ? "en" : "vi"] = data.meta.title;
      // Already in the plan (perhaps with the reader's own figures): keep it as it is.
      const plan = inPlan() ? P.load() : P.upsert({id, slug: id.toLowerCase(), title, investment: [n[0], n[1]],
                             savings: n.length >= 4 ? [n[2], n[3]] : null, co2: null, kwh: null, fuelT: null,
                             fuelKey: "", water: null, years: 10, rate: 0.1});
      show();
      const note = document.getElementById("cp-plan-note");
      if (note) note.textContent = labels.added_note.replace("{count}", plan.items.length);
    });
    return button;
  }

  function announce() {
    const filtered = matching !== total;
    shown.textContent = !matching ? labels.none : (filtered ? labels.shown_filtered : labels.shown)
      .replace("{shown}", rendered).replace("{matching}", matching).replace("{total}", total);
  }

  async function renderMore() {
    const slice = results.slice(rendered, rendered + PAGE);
    const mine = run;
    const data = await Promise.all(slice.map((r) => r.data()));
    if (mine !== run) return;
    rendered += slice.length;
    list.append(...data.map(card));
    more.hidden = rendered >= results.length;
    announce();
  }

  // A keyword is searched as its phrase keys (search.js), the only words of
  // the catalogue's records: the words in sequence, in the title, summary,
  // stage, technique, sector or glossary terms. So the same measures match in
  // every order and the facet counts agree; "best match" is Pagefind's score.
  function terms() {
    const query = keyword.value.trim();
    return query ? window.cpPhraseKeys(query).join(" ") : ALL_TOKEN;
  }

  async function find(pagefind, filters) {
    const sort = sortSelect.value;
    if (sort === "relevance" && keyword.value.trim()) return pagefind.search(terms(), { filters });
    const key = sort === "relevance" ? "id" : sort;
    return pagefind.search(terms(), { filters, sort: { [key]: orderSelect.value } });
  }

  // `keep`: the cards shown stay (the first view asking for more).
  async function update(keep) {
    const mine = ++run;
    let pagefind;
    try { pagefind = await catalogueIndex(); } catch (e) { shown.textContent = labels.unavailable; return; }
    const filters = selected();
    const search = await find(pagefind, filters);
    if (mine !== run || !search) return;
    results = search.results;
    matching = results.length;
    if (keep) { await renderMore(); return; }
    rendered = 0;
    list.replaceChildren();
    // A facet's counts ignore its own selection, so that they say how many
    // measures ticking one more value of it would add (a search per facet in use).
    const counts = {};
    await Promise.all(facets.map(async (facet) => {
      if (!filters[facet]) { counts[facet] = (search.filters || {})[facet] || {}; return; }
      const others = Object.assign({}, filters);
      delete others[facet];
      counts[facet] = ((await pagefind.search(terms(), { filters: others })).filters || {})[facet] || {};
    }));
    if (mine !== run) return;
    form.querySelectorAll("[data-count-for]").forEach((span) => {
      const [facet, value] = span.dataset.countFor.split(":");
      span.textContent = `(${counts[facet][value] || 0})`;
    });
    const active = form.querySelectorAll("input[type=checkbox]:checked").length;
    toggleCount.textContent = active ? "· " + labels.active_filters.replace("{n}", active) : "";
    await renderMore();
  }

  // On a phone the filters fold behind a button, so the first results show.
  toggle.addEventListener("click", () => {
    const open = !root.classList.contains("cp-catalogue--filters-open");
    root.classList.toggle("cp-catalogue--filters-open", open);
    toggle.setAttribute("aria-expanded", String(open));
    toggle.firstChild.textContent = (open ? labels.hide_filters : labels.show_filters) + " ";
  });

  let timer = null;
  keyword.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (keyword.value.trim() && sortSelect.value === "id") sortSelect.value = "relevance";
      writeUrl(); update();
    }, 200);
  });
  form.addEventListener("change", () => { writeUrl(); update(); });
  sortSelect.addEventListener("change", () => { writeUrl(); update(); });
  orderSelect.addEventListener("change", () => { writeUrl(); update(); });
  form.addEventListener("reset", () => setTimeout(() => { keyword.value = ""; writeUrl(); update(); }, 0));
  more.addEventListener("click", () => (results ? renderMore() : update(true)));
  // The charts (most of the page's bytes) load when the reader nears them.
  const charts = document.getElementById("cp-charts");
  if (charts && charts.dataset.src) {
    const draw = async () => {
      const response = await fetch(new URL(charts.dataset.src, rootUrl));
      if (response.ok) charts.innerHTML = await response.text(); // built by cpkb, same site
    };
    if ("IntersectionObserver" in window) {
      const watch = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) { watch.disconnect(); draw(); }
      }, { rootMargin: "600px 0px" });
      watch.observe(charts);
    } else draw();
  }

  readUrl();
  carryToOtherLanguages(state());
  total = matching = Number(list.dataset.total);
  // The first view's cards come built into the page: give them their "add to plan".
  if (window.cpkbPlan) {
    for (const li of list.querySelectorAll("li[data-plan]")) {
      li.append(planButton({meta: {id: li.querySelector("code").textContent, plan: li.dataset.plan,
                                   title: li.querySelector(".cp-result__title").textContent}}));
    }
  }
  if (state()) {
    // A shared link with a keyword, filters or another order: the first view
    // built into the page is not its answer, so it goes before the search runs.
    list.replaceChildren();
    more.hidden = true;
    shown.textContent = labels.loading;
    update();
  }
})();
