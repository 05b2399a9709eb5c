// The planner's money and CO2 maths, shared by the calculator, the plan and the
// report. Mirrored line by line in scripts/cpkb/text/finance.py (cpkb report
// merge, unit tests): change both together.
(function (root) {
  "use strict";

  function simplePayback(investment, annualSaving) {
    if (!(annualSaving > 0)) return null;
    return investment / annualSaving;
  }

  // −investment now, then the same saving at the end of each year.
  function npv(rate, investment, annualSaving, years) {
    let total = -investment;
    for (let t = 1; t <= years; t++) total += annualSaving / Math.pow(1 + rate, t);
    return total;
  }

  // Bisection on [−99 %, 1000 %]: null when no rate makes the NPV zero.
  function irr(investment, annualSaving, years) {
    if (!(investment > 0) || !(annualSaving > 0) || annualSaving * years <= investment) return null;
    let lo = -0.99, hi = 10.0;
    if (npv(hi, investment, annualSaving, years) > 0) return null;
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (npv(mid, investment, annualSaving, years) > 0) lo = mid; else hi = mid;
      if (hi - lo < 1e-10) break;
    }
    return (lo + hi) / 2;
  }

  // Tonnes of CO2 a year: kWh × grid factor (t/MWh) ÷ 1000 + fuel tonnes × t CO2/t.
  function co2AvoidedT(kwhSaved, fuelTSaved, gridTPerMwh, fuelTCo2PerT) {
    return kwhSaved * gridTPerMwh / 1000 + fuelTSaved * fuelTCo2PerT;
  }

  // A fuel quantity as tonnes: kg ÷ 1000; GJ and MWh (3.6 GJ) through the net calorific value.
  const FUEL_UNITS = ["t", "kg", "GJ", "MWh"];
  function fuelTonnes(quantity, unit, ncvGjPerT) {
    const perUnit = {t: 1, kg: 0.001, GJ: 1 / ncvGjPerT, MWh: 3.6 / ncvGjPerT};
    return quantity * perUnit[unit];
  }

  // A range's worst and best case: the payback is longest with the highest
  // investment and the lowest saving, and so on; never one invented midpoint.
  function rangeResults(inv, sav, years, rate) {
    const pb = [simplePayback(inv[0], sav[1]), simplePayback(inv[1], sav[0])];
    return {
      payback: pb,
      npv: [npv(rate, inv[1], sav[0], years), npv(rate, inv[0], sav[1], years)],
      irr: [irr(inv[1], sav[0], years), irr(inv[0], sav[1], years)],
    };
  }

  const LOCALES = {vi: "vi-VN", en: "en-GB"};
  // vi: 1.234,5 · en: 1,234.5 (Intl gives both without any library).
  function formatNumber(value, lang, digits) {
    if (value === null || value === undefined || !isFinite(value)) return "–";
    const d = digits === undefined ? (Math.abs(value) >= 100 ? 0 : 1) : digits;
    return new Intl.NumberFormat(LOCALES[lang] || "en-GB", {maximumFractionDigits: d, minimumFractionDigits: d}).format(value);
  }

  function formatRange(pair, lang, digits) {
    const [a, b] = pair;
    if (a === null && b === null) return "–";
    if (a !== null && b !== null && Math.abs(a - b) < 1e-9) return formatNumber(a, lang, digits);
    return formatNumber(a, lang, digits) + " – " + formatNumber(b, lang, digits);
  }

  // Reads what a person typed in either convention ("1.234,5" or "1,234.5" or "1234.5").
  function parseNumber(text, lang) {
    if (typeof text === "number") return text;
    let s = String(text || "").trim().replace(/\s/g, "");
    if (!s) return null;
    if (lang === "vi") s = s.replace(/\./g, "").replace(",", ".");
    else s = s.replace(/,/g, "");
    const n = Number(s);
    return isFinite(n) ? n : null;
  }

  root.cpkbFinance = {simplePayback, npv, irr, co2AvoidedT, fuelTonnes, FUEL_UNITS, rangeResults, formatNumber, formatRange, parseNumber};
})(typeof window !== "undefined" ? window : globalThis);
