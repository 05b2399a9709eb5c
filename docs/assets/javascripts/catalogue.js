// The measure catalogue: facets and sorting over Pagefind's filter index.
// Nothing is downloaded up front but the filter counts; records load 30 at a
// time, so the page works the same at 100 or 10,000 measures. The filter state
// lives in the URL (?sector=beverages&complexity=1&sort=payback) for sharing.
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
  const facets = Array.from(form.querySelectorAll("fieldset[data-facet]")).map((f) => f.dataset.facet);
  const PAGE = 30;
  let results = [];
  let rendered = 0;
  let total = 0;
  let run = 0;

  function readUrl() {
    const params = new URLSearchParams(location.search);
    form.querySelectorAll("input[type=checkbox]").forEach((box) => {
      box.checked = params.getAll(box.name).includes(box.value);
    });
    const sort = params.get("sort");
    if (sort && Array.from(sortSelect.options).some((o) => o.value === sort)) sortSelect.value = sort;
  }

  function writeUrl() {
    const params = new URLSearchParams();
    form.querySelectorAll("input[type=checkbox]:checked").forEach((box) => params.append(box.name, box.value));
    if (sortSelect.value !== "id") params.set("sort", sortSelect.value);
    const query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
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
    return li;
  }

  async function renderMore() {
    const slice = results.slice(rendered, rendered + PAGE);
    rendered += slice.length;
    const mine = run;
    const data = await Promise.all(slice.map((r) => r.data()));
    if (mine !== run) return;
    list.append(...data.map(card));
    more.hidden = rendered >= results.length;
  }

  async function update() {
    const mine = ++run;
    let pagefind;
    try { pagefind = await window.cpPagefind(); } catch (e) { shown.textContent = labels.unavailable; return; }
    if (!total) total = ((await pagefind.filters()).kind || {}).measure || 0;
    const search = await pagefind.search(null, { filters: selected(), sort: { [sortSelect.value]: "asc" } });
    if (mine !== run) return;
    results = search.results;
    rendered = 0;
    list.replaceChildren();
    // A facet's counts ignore its own selection, so that they say how many
    // measures ticking one more value of it would add (a search per facet in use).
    const filters = selected();
    const counts = {};
    await Promise.all(facets.map(async (facet) => {
      if (!filters[facet]) { counts[facet] = (search.filters || {})[facet] || {}; return; }
      const others = Object.assign({}, filters);
      delete others[facet];
      counts[facet] = ((await pagefind.search(null, { filters: others })).filters || {})[facet] || {};
    }));
    if (mine !== run) return;
    form.querySelectorAll("[data-count-for]").forEach((span) => {
      const [facet, value] = span.dataset.countFor.split(":");
      span.textContent = `(${counts[facet][value] || 0})`;
    });
    shown.textContent = results.length
      ? labels.shown.replace("{shown}", results.length).replace("{total}", total)
      : labels.none;
    await renderMore();
  }

  form.addEventListener("change", () => { writeUrl(); update(); });
  sortSelect.addEventListener("change", () => { writeUrl(); update(); });
  form.addEventListener("reset", () => setTimeout(() => { writeUrl(); update(); }, 0));
  more.addEventListener("click", renderMore);
  readUrl();
  update();
})();
