"""A small evaluator of spreadsheet formulas, for the tests of the worksheet
workbook (LibreOffice is not installed here): it reads a formula the way a
spreadsheet does (operator precedence, empty cells, "" results, lazy IF) for
the functions the workbook uses, so a test can type known inputs into an
openpyxl workbook and compare the calculated cells with values worked out by hand.

Semantics follow Excel's documentation: an empty cell is 0 in arithmetic and
equal to ""; SUM and COUNT over a range skip text; text compares greater than
any number; an error propagates until IFERROR catches it.
"""

from __future__ import annotations

import math
import re

from openpyxl.utils import column_index_from_string, get_column_letter


class FormulaError(Exception):
    """#VALUE!, #DIV/0!, #NUM!: an Excel error value."""


_TOKEN = re.compile(
    r'\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>"(?:[^"]|"")*")|(?P<func>[A-Z][A-Z0-9.]*)\(|'
    r"(?P<ref>\$?[A-Z]{1,3}\$?\d+)|(?P<op><>|<=|>=|[-+*/^&=<>(),:]))"
)


def tokens(formula: str) -> list[tuple[str, str]]:
    out, pos, text = [], 0, formula.lstrip("=")
    while pos < len(text.rstrip()):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"cannot read {text[pos:]!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class Evaluator:
    """Evaluate formulas of one openpyxl worksheet; `value(ref)` follows formulas recursively."""

    def __init__(self, ws):
        self.ws = ws

    def value(self, ref: str):
        raw = self.ws[ref.replace("$", "")].value
        if isinstance(raw, str) and raw.startswith("="):
            try:
                return self.evaluate(raw)
            except FormulaError as err:
                return err
        return raw

    def evaluate(self, formula: str):
        self.toks, self.i = tokens(formula), 0
        tree = self.expr()
        if self.i != len(self.toks):
            raise ValueError(f"unread tokens in {formula}")
        return self.run(tree)

    # -- parser: a tree of tuples --

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, value=None):
        tok = self.toks[self.i]
        if value is not None and tok[1] != value:
            raise ValueError(f"expected {value}, got {tok}")
        self.i += 1
        return tok

    def binary(self, ops, lower):
        left = lower()
        while self.peek()[0] == "op" and self.peek()[1] in ops:
            op = self.take()[1]
            left = ("op", op, left, lower())
        return left

    def expr(self):
        return self.binary(
            ("=", "<>", "<", ">", "<=", ">="),
            lambda: self.binary(
                ("&",),
                lambda: self.binary(
                    ("+", "-"), lambda: self.binary(("*", "/"), lambda: self.binary(("^",), self.unary))
                ),
            ),
        )

    def unary(self):
        if self.peek() in (("op", "-"), ("op", "+")):
            sign = self.take()[1]
            return ("neg", self.unary()) if sign == "-" else self.unary()
        return self.primary()

    def primary(self):
        kind, text = self.take()
        if kind == "num":
            return ("const", float(text))
        if kind == "str":
            return ("const", text[1:-1].replace('""', '"'))
        if kind == "func":
            args = []
            while self.peek() != ("op", ")"):
                args.append(self.expr())
                if self.peek() == ("op", ","):
                    self.take()
            self.take(")")
            return ("call", text, args)
        if kind == "ref":
            if self.peek() == ("op", ":"):
                self.take()
                return ("range", text, self.take()[1])
            return ("ref", text)
        if text == "(":
            inner = self.expr()
            self.take(")")
            return inner
        raise ValueError(f"unexpected {text}")

    # -- evaluation --

    def run(self, node):
        kind = node[0]
        if kind == "const":
            return node[1]
        if kind == "ref":
            value = self.value(node[1])
            if isinstance(value, FormulaError):
                raise value
            return value
        if kind == "range":
            return self.cells(node[1], node[2])
        if kind == "neg":
            return -number(self.run(node[1]))
        if kind == "op":
            return operate(node[1], self.run(node[2]), self.run(node[3]))
        return self.call(node[1], node[2])

    def cells(self, start: str, end: str) -> list:
        (c1, r1), (c2, r2) = split(start), split(end)
        return [self.value(f"{get_column_letter(c)}{r}") for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]

    def call(self, name: str, args: list):
        if name == "IF":
            return self.run(args[1]) if truth(self.run(args[0])) else (self.run(args[2]) if len(args) > 2 else False)
        if name == "IFERROR":
            try:
                return self.run(args[0])
            except FormulaError:
                return self.run(args[1])
        values = [self.run(a) for a in args]
        flat = [v for a, v in zip(args, values) for v in (v if a[0] == "range" else [v])]
        for v in flat:
            if isinstance(v, FormulaError):
                raise v
        if name in FUNCTIONS:
            return FUNCTIONS[name](args, values, flat)
        raise ValueError(f"function {name} is not known to the test evaluator")


def split(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", ref)
    return column_index_from_string(m.group(1)), int(m.group(2))


def number(v) -> float:
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    raise FormulaError("#VALUE!")


def truth(v) -> bool:
    if isinstance(v, str):
        raise FormulaError("#VALUE!")
    return bool(number(v))


def operate(op: str, a, b):
    if op in ("=", "<>", "<", ">", "<=", ">="):
        key = lambda v: (0, number(v)) if not isinstance(v, str) else (1, v.casefold())  # noqa: E731
        ka = key("" if a is None and isinstance(b, str) else a)
        kb = key("" if b is None and isinstance(a, str) else b)
        return {"=": ka == kb, "<>": ka != kb, "<": ka < kb, ">": ka > kb, "<=": ka <= kb, ">=": ka >= kb}[op]
    if op == "&":
        return f"{'' if a is None else a}{'' if b is None else b}"
    x, y = number(a), number(b)
    if op == "/" and y == 0:
        raise FormulaError("#DIV/0!")
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    return x / y if op == "/" else x**y


def _numbers(flat) -> list[float]:
    return [float(v) for v in flat if isinstance(v, (int, float)) and not isinstance(v, bool)]


def _countif(args, values, flat):
    criterion = values[1]
    return float(sum(1 for v in values[0] if operate("=", v, criterion) and v is not None))


def _sumif(args, values, flat):
    criterion = values[1]
    return sum(
        number(s)
        for v, s in zip(values[0], values[2])
        if v is not None and operate("=", v, criterion) and isinstance(s, (int, float))
    )


def _pv(args, values, flat):
    rate, nper, pmt = (number(v) for v in values[:3])
    return -pmt * nper if rate == 0 else -pmt * (1 - (1 + rate) ** -nper) / rate


def _rate(args, values, flat):
    """The rate r with pv + pmt * (1 - (1 + r)^-nper) / r = 0, found by bisection (Excel iterates too)."""
    nper, pmt, pv = (number(v) for v in values[:3])
    f = lambda r: pv + pmt * (nper if abs(r) < 1e-12 else (1 - (1 + r) ** -nper) / r)  # noqa: E731
    low, high = -0.99, 10.0
    if f(low) * f(high) > 0:
        raise FormulaError("#NUM!")
    for _ in range(200):
        mid = (low + high) / 2
        if f(low) * f(mid) <= 0:
            high = mid
        else:
            low = mid
    if not math.isfinite(mid):
        raise FormulaError("#NUM!")
    return mid


FUNCTIONS = {
    "SUM": lambda args, values, flat: (
        sum(_numbers(flat))
        if all(a[0] == "range" for a in args)
        else sum(number(v) if a[0] != "range" else sum(_numbers(v)) for a, v in zip(args, values))
    ),
    "COUNT": lambda args, values, flat: float(len(_numbers(flat))),
    "N": lambda args, values, flat: (
        values[0] if isinstance(values[0], (int, float)) and not isinstance(values[0], bool) else 0.0
    ),
    "OR": lambda args, values, flat: any(truth(v) for v in flat if v is not None),
    "AND": lambda args, values, flat: all(truth(v) for v in flat if v is not None),
    "COUNTIF": _countif,
    "SUMIF": _sumif,
    "PV": _pv,
    "RATE": _rate,
}
