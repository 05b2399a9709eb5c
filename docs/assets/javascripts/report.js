// The annual CP report form: kept on this device, filled from the plan or by
// hand, CO2 from the factors file, exported as XLSX in the layout that the
// provincial merge (page and `cpkb report merge`) reads.
(function () {
  "use strict";
  const form = document.getElementById("cp-report-form");
  if (!form) return;
  const F = window.cpkbFinance, P = window.cpkbPlan, X = window.cpkbXlsx, R = window.cpkbReport;
  const D = P.data, L = D.layout, t = P.t, lang = D.lang;
  const KEY = "cpkb-report-v1";
  const status = document.getElementById("cp-report-status");
  const INPUTS = ["id", "title", "investment_vnd", "savings_vnd", "electricity_kwh", "fuel_key", "fuel_t", "water_m3", "materials_t"];
  let state = load();

  function load() {
    try { const s = JSON.parse(localStorage.getItem(KEY) || "null"); if (s && s.fields && Array.isArray(s.measures)) return s; }
    catch (e) { /* a damaged entry starts an empty report */ }
    return {fields: {year: String(new Date().getFullYear())}, measures: []};
  }
  const save = () => localStorage.setItem(KEY, JSON.stringify(state));

  function co2(m) {
    const fuel = D.factors.fuels.find((f) => f.key === m.fuel_key);
    return F.co2AvoidedT(F.parseNumber(m.electricity_kwh, lang) || 0, F.parseNumber(m.fuel_t, lang) || 0,
                         D.factors.grid.t_per_mwh, fuel ? fuel.t_per_t : 0);
  }

  function renderRows(kind) {
    const box = document.getElementById("cp-report-" + kind);
    box.textContent = "";
    state.measures.forEach((m, n) => {
      if (m.kind !== kind) return;
      const group = document.createElement("fieldset");
      group.className = "cp-report__measure";
      const legend = document.createElement("legend");
      legend.textContent = `${L.kindLabels[kind]} ${state.measures.filter((x, k) => x.kind === kind && k <= n).length}`;
      group.appendChild(legend);
      for (const name of INPUTS) {
        const id = `cp-rm-${n}-${name}`, label = document.createElement("label");
        label.htmlFor = id;
        label.textContent = L.labels[name];
        let input;
        if (name === "fuel_key") {
          input = document.createElement("select");
          input.add(new Option("–", ""));
          for (const f of D.factors.fuels) input.add(new Option(f.name, f.key, false, m.fuel_key === f.key));
        } else {
          input = document.createElement("input");
          input.type = "text";
          if (!["id", "title"].includes(name)) input.inputMode = "decimal";
          input.value = m[name] ?? "";
        }
        input.id = id;
        input.addEventListener("input", () => { m[name] = input.value; save(); out.textContent = F.formatNumber(co2(m), lang, 2); });
        input.addEventListener("change", () => { m[name] = input.value; save(); out.textContent = F.formatNumber(co2(m), lang, 2); });
        const wrap = document.createElement("div");
        wrap.className = "cp-field";
        wrap.append(label, input);
        group.appendChild(wrap);
      }
      const result = document.createElement("p");
      result.append(L.labels.co2_t + ": ");
      const out = document.createElement("output");
      out.textContent = F.formatNumber(co2(m), lang, 2);
      result.appendChild(out);
      const rm = document.createElement("button");
      rm.type = "button";
      rm.className = "md-button cp-no-print";
      rm.textContent = t("remove");
      rm.setAttribute("aria-label", `${t("remove")}: ${legend.textContent}`);
      rm.addEventListener("click", () => { state.measures.splice(n, 1); save(); render(); });
      result.append(" ", rm);
      group.appendChild(result);
      box.appendChild(group);
    });
  }

  function render() {
    for (const k of L.fields) if (form.elements[k]) form.elements[k].value = state.fields[k] ?? "";
    renderRows("implemented");
    renderRows("planned");
  }

  form.addEventListener("input", (e) => { if (L.fields.includes(e.target.name)) { state.fields[e.target.name] = e.target.value; save(); } });
  const addRow = (kind, extra) => { state.measures.push(Object.assign({kind, fuel_key: ""}, extra || {})); save(); render(); };
  document.getElementById("cp-report-add").addEventListener("click", () => addRow("implemented"));
  document.getElementById("cp-report-add-planned").addEventListener("click", () => addRow("planned"));
  // Done measures of the plan become this year's rows (to be replaced by verified
  // figures); the others become next year's. Only the catalogue-independent
  // fields are carried: the report wants measured results, not estimates.
  document.getElementById("cp-report-from-plan").addEventListener("click", () => {
    for (const i of P.load().items) {
      if (state.measures.some((m) => m.id === i.id)) continue;
      const title = (i.title && (i.title[lang] || Object.values(i.title)[0])) || i.id;
      addRow(i.status === "done" ? "implemented" : "planned",
             {id: i.id, title, investment_vnd: i.investment ? F.formatNumber(i.investment[0], lang, 0) : ""});
    }
  });

  function rows() {
    const out = [[L.marker, L.version, lang]];
    for (const k of L.fields) {
      const raw = state.fields[k] ?? "";
      out.push([k, L.fieldLabels[k], L.numberFields.includes(k) ? (F.parseNumber(raw, lang) ?? "") : raw]);
    }
    out.push([L.measures].concat(L.columns.slice(1).map((c) => L.labels[c])));
    for (const m of state.measures) {
      out.push(L.columns.map((c) => {
        if (c === "kind") return m.kind;
        if (c === "co2_t") return Math.round(co2(m) * 1000) / 1000;
        if (L.amounts.includes(c)) return F.parseNumber(m[c], lang) ?? "";
        return m[c] ?? "";
      }));
    }
    return out;
  }

  const name = () => `cp-report-${(state.fields.facility || "facility").replace(/[^\p{L}\p{N}]+/gu, "-").slice(0, 40)}-${state.fields.year || ""}.xlsx`;
  document.getElementById("cp-report-xlsx").addEventListener("click", () =>
    X.download(X.writeXlsx([{name: t("report_title").slice(0, 31), rows: rows()}]), name()));
  document.getElementById("cp-report-print").addEventListener("click", () => window.print());
  document.getElementById("cp-report-import").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    try {
      let sheets;
      try { sheets = await X.readXlsx(await file.arrayBuffer()); }
      catch (err) { throw new R.ReportFileError(file.name, "not_xlsx"); }
      const report = R.parseReport(sheets[0].rows, file.name);
      const show = (v) => (typeof v === "number" ? F.formatNumber(v, lang, 3) : v);
      state = {fields: Object.fromEntries(Object.entries(report.fields).map(([k, v]) => [k, v === 0 && k !== "year" ? "" : show(v)])),
               measures: report.measures.map((m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, show(v)])))};
      save();
      render();
      status.textContent = "";
    } catch (err) {
      status.textContent = err.message;
    }
    e.target.value = "";
  });

  const g = D.factors.grid;
  document.getElementById("cp-report-factors").textContent =
    `${t("factors_used")}: ${g.name} ${F.formatNumber(g.t_per_mwh, lang, 4)} tCO₂/MWh (${g.year}; ${g.source}). ` +
    D.factors.fuels.map((f) => `${f.name} ${F.formatNumber(f.t_per_t, lang, 3)} tCO₂/t${f.note ? " (" + f.note + ")" : ""}`).join(" · ") +
    ` (${t("generic")}: ${D.factors.fuels[0].source}).`;
  render();
})();
