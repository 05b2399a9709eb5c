// The "My plan" page: the chosen measures with the reader's figures, status,
// responsible person and date; totals; export to XLSX/CSV and import back; print.
(function () {
  "use strict";
  const box = document.getElementById("cp-plan-table");
  if (!box) return;
  const F = window.cpkbFinance, P = window.cpkbPlan, X = window.cpkbXlsx, t = P.t, lang = P.data.lang;
  const status = document.getElementById("cp-plan-status");
  const MARKER = "cpkb-plan";
  const title = (i) => (i.title && (i.title[lang] || Object.values(i.title)[0])) || i.id;
  const fr = (p, d) => (p ? F.formatRange(p, lang, d) : "–");
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };

  function results(i) {
    return i.savings ? F.rangeResults(i.investment, i.savings, i.years || 10, i.rate ?? 0.1) : null;
  }

  function totals(items) {
    const sum = (key) => items.reduce((acc, i) => (i[key] ? [acc[0] + i[key][0], acc[1] + i[key][1]] : acc), [0, 0]);
    const inv = sum("investment"), sav = sum("savings"), co2 = sum("co2");
    return {investment: inv, savings: sav, co2, payback: [F.simplePayback(inv[0], sav[1]), F.simplePayback(inv[1], sav[0])]};
  }

  function render() {
    const items = P.load().items;
    box.textContent = "";
    if (!items.length) { box.appendChild(el("p", {}, t("plan_empty"))); return; }
    const wrap = el("div", {class: "md-typeset__table cp-plan__wrap"}), table = el("table");
    const head = el("tr");
    for (const h of ["measure", "status", "owner", "due", "investment_col", "savings_col", "payback_col", "co2_col", "remove"])
      head.appendChild(el("th", {scope: "col"}, t(h)));
    table.appendChild(el("thead")).appendChild(head);
    const body = table.appendChild(el("tbody"));
    const home = "../";  // /plan/ and /en/plan/ sit beside measures/ of their language
    for (const i of items) {
      const tr = body.appendChild(el("tr", {"data-id": i.id}));
      const th = tr.appendChild(el("th", {scope: "row"}));
      th.appendChild(el("a", {href: `${home}measures/${i.slug}/`}, title(i)));
      th.appendChild(document.createTextNode(" "));
      th.appendChild(el("span", {class: "cp-id"}, i.id));
      const sel = el("select", {"aria-label": `${t("status")}: ${title(i)}`});
      for (const s of P.STATUSES) sel.add(new Option(t("status_" + s), s, false, i.status === s));
      sel.addEventListener("change", () => { P.update(i.id, {status: sel.value}); });
      tr.appendChild(el("td")).appendChild(sel);
      const owner = el("input", {type: "text", "aria-label": `${t("owner")}: ${title(i)}`, value: i.owner || ""});
      owner.addEventListener("change", () => P.update(i.id, {owner: owner.value}));
      tr.appendChild(el("td")).appendChild(owner);
      const due = el("input", {type: "date", "aria-label": `${t("due")}: ${title(i)}`, value: i.due || ""});
      due.addEventListener("change", () => P.update(i.id, {due: due.value}));
      tr.appendChild(el("td")).appendChild(due);
      const r = results(i);
      tr.appendChild(el("td", {class: "cp-num"}, fr(i.investment, 0)));
      tr.appendChild(el("td", {class: "cp-num"}, fr(i.savings, 0)));
      tr.appendChild(el("td", {class: "cp-num"}, r ? fr(r.payback, 1) : "–"));
      tr.appendChild(el("td", {class: "cp-num"}, fr(i.co2, 2)));
      const rm = el("button", {type: "button", class: "md-button cp-no-print", "aria-label": t("remove_named", {title: title(i)})}, t("remove"));
      rm.addEventListener("click", () => { P.remove(i.id); render(); });
      tr.appendChild(el("td")).appendChild(rm);
    }
    const sum = totals(items), foot = el("tr");
    foot.appendChild(el("th", {scope: "row", colspan: "4"}, t("total")));
    for (const [v, d] of [[sum.investment, 0], [sum.savings, 0], [sum.payback, 1], [sum.co2, 2]]) foot.appendChild(el("td", {class: "cp-num"}, fr(v, d)));
    foot.appendChild(el("td"));
    table.appendChild(el("tfoot")).appendChild(foot);
    wrap.appendChild(table);
    box.appendChild(wrap);
  }

  const COLUMNS = ["ID", t("measure"), t("status"), "status", t("owner"), t("due"),
    `${t("investment_col")} ${t("min")}`, `${t("investment_col")} ${t("max")}`, `${t("savings_col")} ${t("min")}`,
    `${t("savings_col")} ${t("max")}`, `${t("payback_col")} ${t("min")}`, `${t("payback_col")} ${t("max")}`,
    `${t("co2_col")} ${t("min")}`, `${t("co2_col")} ${t("max")}`];

  function rows() {
    const items = P.load().items, out = [[MARKER, 1, lang], COLUMNS];
    const v = (p, k) => (p && p[k] !== null && isFinite(p[k]) ? Math.round(p[k] * 1000) / 1000 : "");
    for (const i of items) {
      const r = results(i);
      out.push([i.id, title(i), t("status_" + i.status), i.status, i.owner || "", i.due || "", v(i.investment, 0), v(i.investment, 1),
                v(i.savings, 0), v(i.savings, 1), v(r && r.payback, 0), v(r && r.payback, 1), v(i.co2, 0), v(i.co2, 1)]);
    }
    const s = totals(items);
    out.push(["", t("total"), "", "", "", "", v(s.investment, 0), v(s.investment, 1), v(s.savings, 0), v(s.savings, 1),
              v(s.payback, 0), v(s.payback, 1), v(s.co2, 0), v(s.co2, 1)]);
    return out;
  }

  const stamp = () => new Date().toISOString().slice(0, 10);
  document.getElementById("cp-plan-xlsx").addEventListener("click", () =>
    X.download(X.writeXlsx([{name: t("plan_title").slice(0, 31), rows: rows()}]), `cp-plan-${stamp()}.xlsx`));
  document.getElementById("cp-plan-csv").addEventListener("click", () => X.download(X.csv(rows()), `cp-plan-${stamp()}.csv`));
  document.getElementById("cp-plan-print").addEventListener("click", () => window.print());
  document.getElementById("cp-plan-date").textContent = new Date().toLocaleDateString(lang === "vi" ? "vi-VN" : "en-GB");

  function parseCsv(text) {
    const out = [[]];
    let cell = "", quoted = false;
    text = text.replace(/^\ufeff/, "");
    for (let k = 0; k < text.length; k++) {
      const c = text[k];
      if (quoted) {
        if (c === '"' && text[k + 1] === '"') { cell += '"'; k++; } else if (c === '"') quoted = false; else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") { out[out.length - 1].push(cell); cell = ""; }
      else if (c === "\n") { out[out.length - 1].push(cell.replace(/\r$/, "")); cell = ""; out.push([]); }
      else cell += c;
    }
    out[out.length - 1].push(cell);
    return out.map((r) => r.map((v) => (v !== "" && isFinite(Number(v)) ? Number(v) : v)));
  }

  // Imported cells are data, never markup or formulas: they are shown with textContent.
  function importRows(rows, name) {
    if (!rows.length || rows[0][0] !== MARKER) throw new Error(t("import_bad", {file: name, reason: t("reason_foreign")}));
    const num = (v) => (typeof v === "number" && isFinite(v) ? v : null);
    const pair = (a, b) => (num(a) === null || num(b) === null ? null : [a, b]);
    const items = [];
    for (const r of rows.slice(2)) {
      if (!/^[A-Z]+-\d+$/.test(String(r[0] || ""))) continue;
      const title = {};
      title[rows[0][2] === "en" ? "en" : "vi"] = String(r[1] || r[0]);
      items.push({id: r[0], slug: String(r[0]).toLowerCase(), title, status: P.STATUSES.includes(r[3]) ? r[3] : "planned",
                  owner: String(r[4] ?? ""), due: /^\d{4}-\d{2}-\d{2}$/.test(String(r[5])) ? r[5] : "",
                  investment: pair(r[6], r[7]) || [0, 0], savings: pair(r[8], r[9]), co2: pair(r[12], r[13]), years: 10, rate: 0.1});
    }
    const plan = P.load();
    for (const i of items) {
      const old = plan.items.find((x) => x.id === i.id);
      if (old) Object.assign(old, {status: i.status, owner: i.owner, due: i.due});
      else plan.items.push(i);
    }
    P.save(plan);
    return items.length;
  }

  document.getElementById("cp-plan-import").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    try {
      let rows;
      if (/\.csv$/i.test(file.name)) rows = parseCsv(await file.text());
      else {
        try { rows = (await X.readXlsx(await file.arrayBuffer()))[0].rows; }
        catch (err) { throw new Error(t("import_bad", {file: file.name, reason: t("reason_not_xlsx")})); }
      }
      status.textContent = t("import_done", {count: importRows(rows, file.name)});
      render();
    } catch (err) {
      status.textContent = err.message;
    }
    e.target.value = "";
  });

  render();
})();
