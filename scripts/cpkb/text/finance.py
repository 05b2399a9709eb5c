"""The planner's money and CO2 maths, mirrored line by line in
docs/assets/javascripts/finance.js (the browser's calculator, plan and report)
so that `cpkb report merge` and the tests compute exactly what a reader sees."""

from __future__ import annotations

import math


def simple_payback(investment: float, annual_saving: float) -> float | None:
    """Years to recover the investment; None when nothing is saved."""
    if annual_saving <= 0:
        return None
    return investment / annual_saving


def npv(rate: float, investment: float, annual_saving: float, years: int) -> float:
    """Net present value: −investment now, then the same saving at the end of each year."""
    return -investment + sum(annual_saving / (1 + rate) ** t for t in range(1, years + 1))


def irr(investment: float, annual_saving: float, years: int) -> float | None:
    """Internal rate of return by bisection on [−99 %, 1000 %]; None when no
    rate makes the NPV zero (no saving, or the saving never repays the investment)."""
    if investment <= 0 or annual_saving <= 0 or annual_saving * years <= investment:
        return None
    lo, hi = -0.99, 10.0
    if npv(hi, investment, annual_saving, years) > 0:
        return None
    for _ in range(200):
        mid = (lo + hi) / 2
        if npv(mid, investment, annual_saving, years) > 0:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-10:
            break
    return (lo + hi) / 2


def co2_avoided_t(kwh_saved: float, fuel_t_saved: float, grid_t_per_mwh: float, fuel_t_co2_per_t: float) -> float:
    """Tonnes of CO2 a year: kWh × grid factor (t/MWh) ÷ 1000 + fuel tonnes × the fuel's t CO2/t."""
    return kwh_saved * grid_t_per_mwh / 1000 + fuel_t_saved * fuel_t_co2_per_t


FUEL_UNITS = ("t", "kg", "GJ", "MWh")
"""Units a reader may state fuel in. Litres and cubic metres need the fuel's
density, which varies by grade and supplier, so they are not offered."""


def fuel_tonnes(quantity: float, unit: str, ncv_gj_per_t: float) -> float:
    """`quantity` of a fuel in `unit` as tonnes, through its net calorific value for GJ and MWh."""
    per_unit = {"t": 1.0, "kg": 0.001, "GJ": 1 / ncv_gj_per_t, "MWh": 3.6 / ncv_gj_per_t}
    return quantity * per_unit[unit]


def finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)
