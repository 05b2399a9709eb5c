// The annual report file and the provincial summary, in the browser. Mirrors
// scripts/cpkb/text/report_layout.py (parse_report, merge_reports), whose layout
// arrives here as cpkbPlannerData.layout: the command `cpkb report merge` and
// the merge page write the same summary.
(function (root) {
  "use strict";
  const L = root.cpkbPlannerData.layout, t = root.cpkbPlan.t;

  class ReportFileError extends Error {
    constructor(file, reason, cell) {
      super(t("merge_bad", {file, reason: t("reason_" + reason, {cell: cell || ""})}));
    }
  }

  const col = (i) => { let s = ""; for (i += 1; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + ((i - 1) % 26)) + s; return s; };

  function number(v, file, cell) {
    if (v === null || v === undefined || v === "") return 0;
    if (typeof v !== "number" || !isFinite(v)) throw new ReportFileError(file, "number", cell);
    return v;
  }

  function parseReport(rows, file) {
    if (!rows.length || !rows[0] || rows[0][0] !== L.marker || typeof rows[0][1] !== "number") throw new ReportFileError(file, "foreign");
    if (rows[0][1] > L.version) throw new ReportFileError(file, "version");
    const fields = {}, measures = [];
    let inTable = false;
    rows.slice(1).forEach((row, n) => {
      const r = n + 2, key = row ? row[0] : null;
      if (key === L.measures) inTable = true;
      else if (!inTable && L.fields.includes(key)) {
        const v = row.length > 2 ? row[2] : null;
        fields[key] = L.numberFields.includes(key) ? number(v, file, "C" + r) : (v === null || v === undefined ? "" : String(v));
      } else if (inTable && L.kinds.includes(key)) {
        const item = {};
        L.columns.forEach((name, c) => {
          const v = row[c];
          item[name] = L.amounts.includes(name) ? number(v, file, col(c) + r) : (v === null || v === undefined ? "" : String(v));
        });
        measures.push(item);
      }
    });
    if (!("facility" in fields)) throw new ReportFileError(file, "foreign");
    return {fields, measures};
  }

  function mergeReports(reports) {
    const S = L.summaryColumns, M = L.mergedMeasureColumns, neutral = root.cpkbXlsx.neutralise;
    const cell = (v) => (typeof v === "string" ? neutral(v) : v);
    const summary = [S.map((k) => L.labels[k])], measures = [M.map((k) => L.labels[k])];
    const totals = {};
    for (const k of S) if (L.amounts.includes(k) || k === "count" || k === "resources_vnd") totals[k] = 0;
    for (const [name, report] of reports) {
      const f = report.fields, done = report.measures.filter((m) => m.kind === "implemented");
      const row = {file: name, facility: f.facility || "", province: f.province || "", sector: f.sector || "",
                   year: f.year || null, count: done.length, resources_vnd: f.resources_vnd || 0};
      for (const a of L.amounts) row[a] = done.reduce((s, m) => s + m[a], 0);
      for (const k in totals) totals[k] += row[k];
      summary.push(S.map((k) => cell(row[k])));
      for (const m of report.measures) {
        const c = Object.assign({facility: row.facility, year: row.year}, m, {kind: L.kindLabels[m.kind]});
        measures.push(M.map((k) => cell(c[k])));
      }
    }
    summary.push(S.map((k) => (k === "file" ? t("total") : (k in totals ? totals[k] : null))));
    return [{name: t("sheet_summary"), rows: summary}, {name: t("sheet_measures"), rows: measures}];
  }

  root.cpkbReport = {parseReport, mergeReports, ReportFileError};
})(window);
