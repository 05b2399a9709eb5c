// The provincial summary: facilities' report files are read in this browser
// (nothing is uploaded), merged, shown and exported as XLSX.
(function () {
  "use strict";
  const input = document.getElementById("cp-merge-files");
  if (!input) return;
  const F = window.cpkbFinance, X = window.cpkbXlsx, R = window.cpkbReport, t = window.cpkbPlan.t;
  const lang = window.cpkbPlannerData.lang;
  const errors = document.getElementById("cp-merge-errors"), box = document.getElementById("cp-merge-table");
  const button = document.getElementById("cp-merge-xlsx"), drop = document.getElementById("cp-merge-drop");
  const reports = new Map();

  async function add(files) {
    errors.textContent = "";
    for (const file of files) {
      try {
        let sheets;
        try { sheets = await X.readXlsx(await file.arrayBuffer()); }
        catch (err) { throw new R.ReportFileError(file.name, "not_xlsx"); }
        reports.set(file.name, R.parseReport(sheets[0].rows, file.name));
      } catch (err) {
        const li = document.createElement("li");
        li.textContent = err.message;
        errors.appendChild(li);
      }
    }
    render();
  }

  function render() {
    if (!reports.size) return;
    const sheets = R.mergeReports([...reports.entries()].sort((a, b) => a[0].localeCompare(b[0])));
    const rows = sheets[0].rows;
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    for (const h of rows[0]) { const th = document.createElement("th"); th.scope = "col"; th.textContent = h; head.appendChild(th); }
    const body = table.createTBody();
    for (const r of rows.slice(1)) {
      const tr = body.insertRow();
      r.forEach((v) => { const td = tr.insertCell(); td.textContent = typeof v === "number" ? F.formatNumber(v, lang, 2) : (v ?? ""); });
    }
    const wrap = document.createElement("div");
    wrap.className = "md-typeset__table cp-plan__wrap";
    wrap.tabIndex = 0;
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", t("merge_files"));
    wrap.appendChild(table);
    box.textContent = "";
    box.appendChild(wrap);
    button.disabled = false;
    button.onclick = () => X.download(X.writeXlsx(sheets), `cp-summary-${new Date().toISOString().slice(0, 10)}.xlsx`);
  }

  input.addEventListener("change", () => { add([...input.files]); input.value = ""; });
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("cp-drop--over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("cp-drop--over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("cp-drop--over"); add([...e.dataTransfer.files]); });
})();
