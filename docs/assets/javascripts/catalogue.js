// The measure catalogue: a keyword, facets and sorting over Pagefind's index.
// Nothing is downloaded up front but the filter counts; records load 30 at a
// time, so the page works the same at 100 or 10,000 measures. The state lives
// in the URL (?q=boiler&sector=beverages&sort=money_saved&order=desc) for
// sharing, and the language switcher carries it to the other language.
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
  const PAGE = 30;
  let results = [];
  let rendered = 0;
  let total = 0;
  let matching = 0;
  let run = 0;

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
      button.setAttribute("aria-label", inPlan() ? `${labels.added}: ${data.meta.title}` : labels.add_named.replace("{title}", data.meta.title));
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

  async function find(pagefind, query, filters) {
    const sort = sortSelect.value;
    if (query && sort === "relevance" && window.cpRanked) return window.cpRanked(query, { filters });
    const key = sort === "relevance" ? "id" : sort;
    return pagefind.search(query || null, { filters, sort: { [key]: orderSelect.value } });
  }

  async function update() {
    const mine = ++run;
    let pagefind;
    try { pagefind = await window.cpPagefind(); } catch (e) { shown.textContent = labels.unavailable; return; }
    if (!total) total = ((await pagefind.filters()).kind || {}).measure || 0;
    const query = keyword.value.trim();
    const filters = selected();
    const search = await find(pagefind, query, filters);
    if (mine !== run || !search) return;
    results = search.results;
    matching = results.length;
    rendered = 0;
    list.replaceChildren();
    // A facet's counts ignore its own selection, so that they say how many
    // measures ticking one more value of it would add (a search per facet in use).
    const counts = {};
    await Promise.all(facets.map(async (facet) => {
      if (!filters[facet]) { counts[facet] = (search.filters || {})[facet] || {}; return; }
      const others = Object.assign({}, filters);
      delete others[facet];
      counts[facet] = ((await pagefind.search(query || null, { filters: others })).filters || {})[facet] || {};
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
  more.addEventListener("click", renderMore);
  readUrl();
  carryToOtherLanguages(state());
  update();
})();
