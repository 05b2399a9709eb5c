// Sortable comparison tables: click a column heading to sort by it (again: the other way).
// Cells carry data-sort with the raw number; the text is the formatted one.
(function () {
  "use strict";
  document.querySelectorAll(".cp-compare table").forEach((table) => {
    const heads = Array.from(table.tHead.rows[0].cells);
    heads.forEach((th, index) => {
      th.querySelector("button").addEventListener("click", () => {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach((h) => h.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const numeric = th.dataset.type === "num";
        const key = (row) => {
          const cell = row.cells[index];
          const raw = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
          return numeric ? parseFloat(raw) : raw;
        };
        const rows = Array.from(table.tBodies[0].rows);
        rows.sort((a, b) => {
          const x = key(a), y = key(b);
          const c = numeric ? x - y : String(x).localeCompare(String(y), document.documentElement.lang);
          return ascending ? c : -c;
        });
        table.tBodies[0].append(...rows);
      });
    });
  });
})();

// Material wraps every wide table in a scrolling box; a keyboard user must be
// able to reach it to scroll it (axe-core: scrollable-region-focusable).
(function () {
  "use strict";
  const reachable = () => document.querySelectorAll(".md-typeset__scrollwrap").forEach((box) => {
    if (!box.hasAttribute("tabindex")) box.tabIndex = 0;
  });
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(reachable);
  } else {
    document.addEventListener("DOMContentLoaded", reachable);
  }
})();
