"""Amounts as exports write them, never misread: `$2,068.43`, `1.234,50 €`, `CHF 1'234.50`.

The one reading that depends on the locale is a single `.` or `,` followed by exactly three
digits after one to three others: `5.250` is 5.25 with a decimal point and 5250 with a
decimal comma. Such a value is read only once the file's convention is known — from a flag
(``decimal="comma"``/``"point"``) or from another row whose reading is certain (`1.234,50`,
`12,5`, `1,234.56`, `0.250`) — and never guessed: until then ``AmountReader`` raises
``Undecided``, which the row checker holds back and settles at the end of the file.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any, Literal

from .values import ValueProblem, shape_matcher, shown

__all__ = [
    "CURRENCY_CODES",
    "MAX_DECIMAL_PLACES",
    "MAX_INTEGER_DIGITS",
    "PLAIN_AMOUNT",
    "AmountReader",
    "DecimalMark",
    "Undecided",
    "amount_from_json",
    "parse_amount",
]

DecimalMark = Literal["point", "comma"]

# Bounds every storage backend holds exactly (and that keep a huge exponent from becoming
# a billion-digit string): below 10^15, at most 10 decimal places.
MAX_INTEGER_DIGITS = 15
MAX_DECIMAL_PLACES = 10

# Written before or after the number, as `USD 12` or `12 EUR`.
CURRENCY_CODES = frozenset(
    (
        "USD", "EUR", "GBP", "CHF", "CAD", "AUD", "NZD", "JPY", "SEK", "NOK",
        "DKK", "PLN", "CZK", "HUF", "MXN", "BRL", "INR", "ZAR", "SGD", "HKD",
    )
)  # fmt: skip
_FLAG = {"point": "--decimal-point", "comma": "--decimal-comma"}
_MARK = {"point": ".", "comma": ","}
_GROUPERS = " '\u00a0\u202f"  # space, apostrophe (Swiss), no-break and narrow no-break space
# The common cases, read without the rest: plain digits, a decimal point, one `$ € £ ¥`.
PLAIN_AMOUNT = _PLAIN = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,10})?")
_plain = shape_matcher(_PLAIN)
_BODY = re.compile(r"[0-9][0-9.,' \u00a0\u202f]*|[.,][0-9]+")
_GROUPED = {g: re.compile(rf"[1-9][0-9]{{0,2}}(?:{re.escape(g)}[0-9]{{3}})+") for g in ".,'"}
_GROUPED_SPACE = re.compile(r"[1-9][0-9]{0,2}(?:[ \u00a0\u202f][0-9]{3})+")
# A whole part that could be the first groups of a number written with thousands separators.
_LEADING_GROUP = re.compile(r"[1-9][0-9]{0,2}(?:[ '\u00a0\u202f][0-9]{3})*")


class Undecided(ValueProblem):
    """A value whose reading depends on a convention the file has not shown yet; the message
    says why and names the option that decides it. If the file never settles it, the row
    is a bad row, or (``whole_file``) the whole file is refused."""

    whole_file = False


def _bounded(value: Decimal, text: str) -> Decimal:
    if value and value.adjusted() >= MAX_INTEGER_DIGITS:
        raise ValueProblem(f"too large (over {MAX_INTEGER_DIGITS} digits): {shown(text)}")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise ValueProblem(f"more than {MAX_DECIMAL_PLACES} decimal places: {shown(text)}")
    return value


def _integer(part: str, text: str) -> str:
    """The digits of a whole part, its thousands separators (one kind, groups of three) gone."""
    if part.isdigit() and part.isascii():
        return part
    if not part:
        return "0"
    for grouper in ".,'":
        if grouper in part:
            if _GROUPED[grouper].fullmatch(part) is None:
                raise ValueProblem(f"badly grouped digits: {shown(text)}")
            return part.replace(grouper, "")
    if _GROUPED_SPACE.fullmatch(part) is None:
        raise ValueProblem(f"badly grouped digits: {shown(text)}")
    return "".join(ch for ch in part if ch.isdigit())


def _strip_currency(text: str) -> tuple[str, bool]:
    """``(text without one leading or trailing currency symbol or code, found)``."""
    if text and unicodedata.category(text[0]) == "Sc":
        return text[1:].lstrip(), True
    if text[:3] in CURRENCY_CODES:
        return text[3:].lstrip(), True
    if text and unicodedata.category(text[-1]) == "Sc":
        return text[:-1].rstrip(), True
    if text[-3:] in CURRENCY_CODES:
        return text[:-3].rstrip(), True
    return text, False


class AmountReader:
    """Reads amounts (``__call__``: text to ``Decimal`` ≥ 0) under one decimal convention.

    ``decimal`` fixes the convention; without it the first row whose reading is certain
    sets it (``convention``, ``decided_by``), and a later row that contradicts it is a bad
    row. Negative amounts (`-5`, `5-`, `(5.00)`) are bad rows, as is anything malformed.
    """

    __slots__ = ("convention", "decided_by", "fixed")

    def __init__(self, decimal: DecimalMark | None = None) -> None:
        if decimal not in (None, "point", "comma"):
            raise ValueError(f"decimal must be 'point' or 'comma', not {decimal!r}")
        self.convention: DecimalMark | None = decimal
        self.fixed = decimal is not None
        self.decided_by: str | None = None  # the value that established a detected convention

    def __call__(self, text: str) -> Decimal:
        if _plain(text):  # the common case: digits, perhaps a decimal point
            dot = text.find(".")
            if dot < 0 or self.convention == "point":
                return Decimal(text)
            return self._decimal(text, "", text[:dot], ".", text[dot + 1 :])
        return self._general(text)

    def _general(self, text: str) -> Decimal:
        body, negative = text.strip(), False
        if body.startswith("(") and body.endswith(")"):
            body, negative = body[1:-1].strip(), True
        if body.startswith("-"):
            body, negative = body[1:].lstrip(), not negative or _refuse(text)
        body, currency = _strip_currency(body)
        if body.startswith("-"):  # `$-5`, `USD -5`
            body, negative = body[1:].lstrip(), not negative or _refuse(text)
        if body.endswith("-"):  # `5-`, as some accounting exports write it
            body, negative = body[:-1].rstrip(), not negative or _refuse(text)
        if not currency:
            body, _ = _strip_currency(body)
        if _BODY.fullmatch(body) is None or body[-1] in _GROUPERS:
            raise ValueProblem(f"not a number: {shown(text)}")
        value = self._body(body, text)
        if negative and value:
            raise ValueProblem(f"negative amount: {shown(text)}")
        return _bounded(value + 0 if value.is_zero() else value, text)  # -0 is 0

    def _body(self, body: str, text: str) -> Decimal:
        point, comma = body.rfind("."), body.rfind(",")
        if point >= 0 and comma >= 0:  # both: the last is the decimal mark
            mark = "." if point > comma else ","
            at = max(point, comma)
            whole, fraction = body[:at], body[at + 1 :]
            self._settle("point" if mark == "." else "comma", text)
            return _number(_integer(whole, text), fraction, text)
        if point < 0 and comma < 0:
            return _number(_integer(body, text), "", text)
        mark = "." if point >= 0 else ","
        if body.count(mark) > 1:  # repeated: thousands separators, so the other is decimal
            self._settle("comma" if mark == "." else "point", text)
            return _number(_integer(body, text), "", text)
        whole, _, fraction = body.partition(mark)
        return self._decimal(text, body, whole, mark, fraction)

    def _decimal(self, text: str, body: str, whole: str, mark: str, fraction: str) -> Decimal:
        """One `.` or `,` between ``whole`` and ``fraction``: a decimal mark, unless it could
        be a thousands separator (`5.250`), when the convention decides."""
        means: DecimalMark = "point" if mark == "." else "comma"
        ambiguous = len(fraction) == 3 and _LEADING_GROUP.fullmatch(whole) is not None
        if ambiguous:
            convention = self.convention
            if convention is None:
                other = "comma" if means == "point" else "point"
                raise Undecided(
                    f"{shown(text)} is {_reading(whole, fraction, True)} with a decimal "
                    f"{means} but {_reading(whole, fraction, False)} with a decimal {other}, "
                    "and no other amount in the file settles which: give "
                    f"{_FLAG['point']} or {_FLAG['comma']}"
                )
            if convention != means:  # the mark is a thousands separator
                return _number(_integer(whole, text) + fraction, "", text)
        else:
            self._settle(means, text)
        return _number(_integer(whole, text), fraction, text)

    def _settle(self, means: DecimalMark, text: str) -> None:
        convention = self.convention
        if convention is None:
            self.convention, self.decided_by = means, text
        elif convention != means:
            source = (
                f"the option {_FLAG[convention]}"
                if self.fixed
                else f"the file's other amounts (such as {shown(self.decided_by or '')})"
            )
            raise ValueProblem(
                f"{shown(text)} has a decimal {means}, but {source} use a decimal "
                f"{convention} ({_MARK[convention]!r}); fix the value or give {_FLAG[means]}"
            )


def _refuse(text: str) -> bool:
    raise ValueProblem(f"not a number: {shown(text)}")


def _reading(whole: str, fraction: str, as_decimal: bool) -> str:
    digits = "".join(ch for ch in whole if ch.isdigit())
    return f"{digits}.{fraction}" if as_decimal else f"{digits}{fraction}"


def _number(whole: str, fraction: str, text: str) -> Decimal:
    if fraction and not (fraction.isdigit() and fraction.isascii()):
        raise ValueProblem(f"not a number: {shown(text)}")
    if len(whole.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise ValueProblem(f"too large (over {MAX_INTEGER_DIGITS} digits): {shown(text)}")
    if len(fraction) > MAX_DECIMAL_PLACES:
        raise ValueProblem(f"more than {MAX_DECIMAL_PLACES} decimal places: {shown(text)}")
    return Decimal(f"{whole}.{fraction}" if fraction else whole)


def parse_amount(text: str, decimal: DecimalMark | None = None) -> Decimal:
    """One amount on its own: with no ``decimal`` convention, a value that needs one
    (`5.250`, `1,234`) raises ``Undecided`` (a ``ValueProblem``) naming the options."""
    return AmountReader(decimal)(text)


def amount_from_json(value: Any, read: AmountReader | None = None) -> Decimal:
    """A JSON amount: a number (exact, read with parse_float=Decimal) or text as in CSV."""
    if isinstance(value, str):
        return (read or AmountReader())(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueProblem(f"expected a number, found {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueProblem(f"not a number: {shown(str(value))}")
    if amount < 0:
        raise ValueProblem(f"negative amount: {shown(str(value))}")
    return _bounded(amount + 0 if amount.is_zero() else amount, str(value))  # -0 becomes 0
