// The calculator on a measure page: the reader's own figures × the measure's
// ranges, low and high, never one invented number. Inputs are remembered per
// measure on this device so that a reload keeps them.
(function () {
  "use strict";
  const form = document.getElementById("cp-calc-form");
  if (!form) return;
  const F = window.cpkbFinance, P = window.cpkbPlan, t = P.t, D = P.data, lang = D.lang;
  const m = JSON.parse(document.getElementById("cp-calc-data").textContent);
  const out = document.getElementById("cp-calc-results");
  const store = "cpkb-calc-v1:" + m.id;

  const fuel = document.getElementById("cp-calc-fuel");
  if (fuel) for (const f of D.factors.fuels) fuel.add(new Option(f.name, f.key));

  try {
    const saved = JSON.parse(localStorage.getItem(store) || "{}");
    for (const [k, v] of Object.entries(saved)) if (form.elements[k]) form.elements[k].value = v;
  } catch (e) { /* a damaged entry is ignored: the form starts from its defaults */ }

  const num = (name) => (form.elements[name] ? F.parseNumber(form.elements[name].value, lang) : null);
  const pair = (r, x) => [r[0] / 100 * x, r[1] / 100 * x];

  function compute() {
    const yours = t("calc_yours"), cat = t("calc_catalogue"), derived = t("calc_derived");
    const years = Math.max(1, Math.round(num("lifetime") || 10)), rate = (num("discount") ?? 10) / 100;
    const own = num("investment");
    const inv = own !== null ? [own, own] : m.investment;
    const r = {years, rate, investment: inv, investmentBasis: own !== null ? yours : cat, rows: []};
    let money = [0, 0], moneyKnown = false, co2 = [0, 0], kwh = null, fuelT = null, fuelQty = null, water = null;
    let kwhBasis = derived;
    const fuelFactor = fuel ? (D.factors.fuels.find((f) => f.key === fuel.value) || {t_per_t: 0, ncv: 1}) : null;
    const unit = form.elements.fuel_unit ? form.elements.fuel_unit.value : "t";
    if (m.pct.energy) {
      let k = num("kwh");
      const load = num("power_kw"), hours = num("hours"), q = num("fuel_qty");
      if (k === null && load !== null && hours !== null) { k = load * hours; kwhBasis = t("calc_from_load"); }
      if (k !== null) {
        kwh = pair(m.pct.energy, k);
        const tariff = num("tariff");
        if (tariff !== null) { money = [money[0] + kwh[0] * tariff, money[1] + kwh[1] * tariff]; moneyKnown = true; }
      }
      if (q !== null) {
        // The price is per unit chosen; CO2 needs tonnes, through the calorific value.
        fuelQty = pair(m.pct.energy, q);
        fuelT = fuelQty.map((x) => F.fuelTonnes(x, unit, fuelFactor.ncv));
        const price = num("fuel_price");
        if (price !== null) { money = [money[0] + fuelQty[0] * price, money[1] + fuelQty[1] * price]; moneyKnown = true; }
      }
      co2 = [0, 1].map((i) => F.co2AvoidedT(kwh ? kwh[i] : 0, fuelT ? fuelT[i] : 0, D.factors.grid.t_per_mwh, fuelFactor.t_per_t));
    }
    if (m.pct.water) {
      const w = num("water"), price = num("water_price");
      if (w !== null) {
        water = pair(m.pct.water, w);
        if (price !== null) { money = [money[0] + water[0] * price, money[1] + water[1] * price]; moneyKnown = true; }
      }
    }
    if (m.pct.materials) {
      const cost = num("materials");
      if (cost !== null) { const s = pair(m.pct.materials, cost); money = [money[0] + s[0], money[1] + s[1]]; moneyKnown = true; }
    }
    let moneyBasis = derived;
    if (!moneyKnown && m.money) { money = m.money.slice(); moneyKnown = true; moneyBasis = cat; }
    const production = num("production");
    Object.assign(r, {money: moneyKnown ? money : null, moneyBasis, co2, kwh, kwhBasis, fuelT, fuelQty, unit, water,
                      fuelKey: fuel ? fuel.value : "", production: production > 0 ? production : null});
    if (moneyKnown) Object.assign(r, F.rangeResults(inv, money, years, rate));
    return r;
  }

  function render(r) {
    const row = (name, value, basis) => `<tr><th scope="row">${name}</th><td>${value}</td><td>${basis}</td></tr>`;
    const fr = (p, d) => F.formatRange(p, lang, d);
    const yours = t("calc_yours"), derived = t("calc_derived");
    let rows = row(t("investment"), fr(r.investment, 0), r.investmentBasis);
    if (r.kwh) rows += row(t("kwh_saved"), fr(r.kwh, 0), r.kwhBasis);
    if (r.fuelQty && r.unit !== "t") rows += row(t("fuel_saved_unit", {unit: t("unit_" + r.unit)}), fr(r.fuelQty, 1), derived);
    if (r.fuelT) rows += row(t("fuel_saved"), fr(r.fuelT, 1), derived);
    if (r.water) rows += row(t("water_saved"), fr(r.water, 0), derived);
    if (r.money) {
      rows += row(t("annual_savings"), fr(r.money, 0), r.moneyBasis);
      rows += row(t("payback"), fr(r.payback, 1), r.moneyBasis === yours ? yours : derived);
      rows += row(t("npv", {years: r.years, rate: F.formatNumber(r.rate * 100, lang, 1)}), fr(r.npv, 0), derived);
      rows += row(t("irr"), fr(r.irr.map((x) => (x === null ? null : x * 100)), 1), derived);
    }
    if (r.kwh || r.fuelT) rows += row(t("co2"), fr(r.co2, 2), derived);
    if (r.production && r.money) rows += row(t("per_unit_saving"), fr(r.money.map((x) => x / r.production), 0), derived);
    if (r.production && r.kwh) rows += row(t("per_unit_kwh"), fr(r.kwh.map((x) => x / r.production), 2), derived);
    const g = D.factors.grid;
    const fuelNote = r.fuelT ? D.factors.fuels.find((f) => f.key === r.fuelKey) : null;
    out.innerHTML = `<div class="cp-calc__table"><table class="cp-calc__grid"><caption>${t("results")}</caption><thead><tr><th scope="col">${t("result")}</th>` +
      `<th scope="col">${t("value")}</th><th scope="col">${t("basis")}</th></tr></thead><tbody>${rows}</tbody></table></div>` +
      (r.money ? "" : `<p>${t("no_saving")}</p>`) +
      `<p class="cp-factors"><strong>${t("factors_used")}:</strong> ${escapeHtml(g.name)} ${F.formatNumber(g.t_per_mwh, lang, 4)} tCO₂/MWh (${g.year}; ${escapeHtml(g.source)})` +
      (fuelNote ? ` · ${escapeHtml(fuelNote.name)} ${F.formatNumber(fuelNote.t_per_t, lang, 3)} tCO₂/t (${fuelNote.generic ? t("generic") + "; " : ""}${escapeHtml(fuelNote.source)}${fuelNote.note ? "; " + escapeHtml(fuelNote.note) : ""})` : "") + "</p>";
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
  }

  function refresh() {
    const values = {};
    for (const el of form.elements) if (el.name) values[el.name] = el.value;
    localStorage.setItem(store, JSON.stringify(values));
    render(compute());
  }

  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  form.addEventListener("submit", (e) => e.preventDefault());
  refresh();

  const add = document.getElementById("cp-plan-add"), note = document.getElementById("cp-plan-note");
  const inPlan = () => P.load().items.some((i) => i.id === m.id);
  if (inPlan()) add.textContent = t("added");
  add.addEventListener("click", () => {
    const r = compute();
    const plan = P.upsert({id: m.id, slug: m.slug, title: m.title, investment: r.investment, savings: r.money,
                           co2: r.kwh || r.fuelT ? r.co2 : null, kwh: r.kwh, fuelT: r.fuelT, fuelKey: r.fuelKey, water: r.water,
                           years: r.years, rate: r.rate});
    add.textContent = t("added");
    note.textContent = t("added_note", {count: plan.items.length});
  });
})();
