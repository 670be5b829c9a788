"""Typed grounding: read every number a narrative cites with its kind, and check each one
against a fact of the same kind within the fact's rounding.

What is read: whole labels first (week labels ``2026-W07``, week-start dates ``2026-02-09``,
band labels such as ``1k-2.5k``), then bare week numbers (``W14``, ``week 14``: never grounded,
a week is cited by its label), ratio words (doubled, half), number words (one ... ninety,
hundred, thousand, a dozen) and digits. A number's kind comes from what is written around it:
``%``/percent, points, a currency sign or code, days, ``x``/times; a ``k``/``m`` amount is
money; anything else is a count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from .facts import GroundingNumber

__all__ = [
    "Citation",
    "CitedKind",
    "Ungrounded",
    "check_findings",
    "grounding_fact",
    "read_citations",
    "ungrounded_citations",
]


# A fact's kind, or "ratio": a ratio word or ``3x``, checked against a percent change.
CitedKind = Literal[
    "count", "percent", "points", "money", "days", "year", "week", "date", "band", "ratio"
]


@dataclass(frozen=True)
class Citation:
    """One number as the text states it: its kind, value and precision (``unit``), and where
    the text has it (``text[start:end] == literal``; a report links it to its fact there)."""

    literal: str
    kind: CitedKind
    value: Decimal | None = None
    unit: Decimal = Decimal(1)
    label: str | None = None
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


_WEEK = re.compile(r"\b\d{4}-W\d{2}\b")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_BARE_WEEK = re.compile(r"\b(?:[Ww]|[Ww]eek\s*#?)\d{1,2}\b")
_RATIO_WORDS = {
    "doubled": 2, "double": 2, "twice": 2, "tripled": 3, "triple": 3, "trebled": 3,
    "quadrupled": 4, "halved": Decimal("0.5"), "half": Decimal("0.5"),
}  # fmt: skip
_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_WORD = "|".join(sorted([*_UNITS, *_TENS], key=len, reverse=True))
_NUMBER_WORDS = re.compile(
    rf"\b(?:(?P<a>an?)\s+(?P<dozen>dozen)|(?:an?\s+)?(?:(?P<tens>{'|'.join(_TENS)})"
    rf"(?:[-\s](?P<unit1>{'|'.join(_UNITS)}))?|(?P<unit>{_WORD}))?"
    rf"(?:\s*(?P<scale>hundred|thousand|million))?)\b",
    re.IGNORECASE,
)
# "one" as a pronoun (one of, the one, no one, each one) is not a number.
_PRONOUN_ONE = re.compile(
    r"\b(?:the|no|any|each|every|which|this|that|latest|last|first|other|new)\s+one\b"
    r"|\bone\s+of\b",
    re.IGNORECASE,
)
# The look-ahead after the currency keeps out matches with no digits (a bare "$", "k", or
# nothing at all), which the loop below would skip anyway: matching stays where it was, as
# such a match never spans the start of a number, and the scan is a fraction of the cost.
_DIGITS = re.compile(
    r"(?<![\w.,])(?P<cur>[$€£]|[A-Z]{3}\s?)?(?=\.?\d)"
    r"(?P<whole>\d{1,3}(?:,\d{3})+(?!\d)|\d+)?(?P<frac>\.\d+)?(?P<suf>[kKmM](?![a-zA-Z]))?"
)
_RATIO_WORD = {word: re.compile(rf"\b{word}\b", re.IGNORECASE) for word in _RATIO_WORDS}
_UNIT_AFTER = re.compile(
    r"\s*(?P<unit>%|per\s?cent\b|percent(?:age)?\s+points?\b|points?\b|pts?\b|pp\b|percent\b"
    r"|days?\b|x\b|times\b|dollars?\b|euros?\b|pounds?\b|(?-i:[A-Z]{3})\b)",
    re.IGNORECASE,
)


def _unit_kind(unit: str | None, money: bool) -> CitedKind:
    word = re.sub(r"\s+", "", (unit or "").casefold())
    if word.startswith("percentage") or word in {"points", "point", "pts", "pt", "pp"}:
        return "points"
    if word in {"%", "percent"}:
        return "percent"
    if word.startswith("day"):
        return "days"
    if word in {"x", "times"}:
        return "ratio"
    if money or word.rstrip("s") in {"dollar", "euro", "pound"} or re.fullmatch(r"[a-z]{3}", word):
        return "money"
    return "count"


@lru_cache(maxsize=1024)
def _label_pattern(label: str) -> re.Pattern[str]:
    """A band label standing alone (not inside a longer number or word)."""
    return re.compile(rf"(?<![\w.<]){re.escape(label)}(?![\w.])")


@lru_cache(maxsize=256)
def _digit_labels(band_labels: tuple[str, ...]) -> tuple[str, ...]:
    """The labels with a digit, longest first (a longer label is read before its parts)."""
    return tuple(sorted({b for b in band_labels if re.search(r"\d", b)}, key=len, reverse=True))


# Every word a number-word match needs (at least one of them), and the ratio words.
_NUMBER_WORD_PARTS = (*_UNITS, *_TENS, "dozen", *_SCALES)
_RATIO_WORD_TEXTS = tuple(_RATIO_WORDS)


def _folded(text: str) -> str | None:
    """``text`` lower-cased when it is ASCII, for ``_may_contain``; ``None`` otherwise."""
    return text.lower() if text.isascii() else None


def _may_contain(folded: str | None, words: tuple[str, ...]) -> bool:
    """False only when no case-insensitive pattern made of ``words`` can match the text: for
    ASCII text ``re.IGNORECASE`` is exactly ASCII case folding, so a substring test on the
    lower-cased text decides; other text (``ſ`` matches ``s`` ignoring case) is always
    searched. The number-word pattern is slow; most texts have none of its words."""
    return folded is None or any(map(folded.__contains__, words))


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def read_citations(text: str, band_labels: Iterable[str] = ()) -> list[Citation]:
    """Every number ``text`` cites, in the order found, with its kind and precision."""
    found: list[Citation] = []
    # A scan whose pattern needs a character or word the text lacks is skipped: it would find
    # nothing (blanking found numbers only takes characters away).
    folded = _folded(text)
    label_patterns: tuple[tuple[re.Pattern[str], CitedKind], ...] = (
        (_WEEK, "week"),
        (_DATE, "date"),
    )
    for pattern, label_kind in label_patterns if "-" in text else ():
        for match in pattern.finditer(text):
            found.append(_placed(Citation(match.group(0), label_kind, label=match.group(0)), match))
            text = _blank(text, *match.span())
    # Labels with digits only: "pending" is a band, and a word prose uses.
    for label in _digit_labels(tuple(band_labels)):
        if label not in text:  # the pattern is the label as written: no match without it
            continue
        for match in _label_pattern(label).finditer(text):
            found.append(_placed(Citation(label, "band", label=label), match))
            text = _blank(text, *match.span())
    for match in _BARE_WEEK.finditer(text) if "w" in text or "W" in text else ():
        found.append(_placed(Citation(match.group(0), "week", label=None), match))
        text = _blank(text, *match.span())
    for match in _PRONOUN_ONE.finditer(text) if _may_contain(folded, ("one",)) else ():
        text = _blank(text, *match.span())
    for word, ratio in _RATIO_WORDS.items() if _may_contain(folded, _RATIO_WORD_TEXTS) else ():
        for match in _RATIO_WORD[word].finditer(text):
            cited = Citation(match.group(0), "ratio", Decimal(str(ratio)), Decimal("0.1"))
            found.append(_placed(cited, match))
            text = _blank(text, *match.span())
    for match in _NUMBER_WORDS.finditer(text) if _may_contain(folded, _NUMBER_WORD_PARTS) else ():
        word_value = _word_value(match)
        if word_value is None:
            continue
        unit = _UNIT_AFTER.match(text, match.end())
        word_kind = _unit_kind(unit.group("unit") if unit else None, money=False)
        cited = Citation(match.group(0).strip(), word_kind, Decimal(word_value))
        found.append(_placed(cited, match))
        text = _blank(text, *match.span())
    for match in _DIGITS.finditer(text):
        whole, frac, suf, cur = match.group("whole", "frac", "suf", "cur")
        if not whole and not frac:
            continue
        value = Decimal((whole or "0").replace(",", "") + (frac or ""))
        precision = Decimal(1).scaleb(-len(frac) + 1) if frac else Decimal(1)
        if suf:
            multiplier = 1000 if suf.casefold() == "k" else 1_000_000
            value, precision = value * multiplier, precision * multiplier
        unit = _UNIT_AFTER.match(text, match.end())
        kind = _unit_kind(unit.group("unit") if unit else None, money=bool(cur or suf))
        end = unit.end() if unit and kind != "count" else match.end()
        cited = Citation(text[match.start() : end].strip(), kind, value, precision)
        found.append(_placed(cited, match, end))
    return found


def _placed(citation: Citation, match: re.Match[str], end: int | None = None) -> Citation:
    """The citation with where its match stands in the text (to ``end`` when its unit goes
    further), without the spaces a number-word match may take."""
    start, stop = match.start(), match.end() if end is None else end
    literal = match.string[start:stop]
    start += len(literal) - len(literal.lstrip())
    stop -= len(literal) - len(literal.rstrip())
    # The constructor rather than ``dataclasses.replace``: the same object, a third the cost.
    c = citation
    return Citation(c.literal, c.kind, c.value, c.unit, c.label, start=start, end=stop)


def _word_value(match: re.Match[str]) -> int | None:
    if match.group("dozen"):
        return 12
    tens, unit1, unit, scale = match.group("tens", "unit1", "unit", "scale")
    base = None
    if tens:
        base = _TENS[tens.casefold()] + (_UNITS[unit1.casefold()] if unit1 else 0)
    elif unit:
        base = _UNITS.get(unit.casefold()) or _TENS.get(unit.casefold())
    if scale:
        return (base or 1) * _SCALES[scale.casefold()]
    return base


def _within(citation: Citation, fact: GroundingNumber) -> bool:
    """The citation states the fact's value rounded to its own precision, never finer."""
    if fact.value is None or citation.value is None:
        return False
    if citation.unit < Decimal(1).scaleb(-fact.decimals):
        return False  # more precise than the fact is stated: invented digits
    return abs(abs(fact.value) - citation.value) * 2 <= citation.unit


def _grounds(fact: GroundingNumber, citation: Citation) -> bool:
    kind = citation.kind
    if kind in ("week", "date", "band"):
        return citation.label is not None and fact.kind == kind and fact.label == citation.label
    if kind == "ratio":
        assert citation.value is not None
        ratio = citation.value
        if fact.kind != "percent" or fact.value is None:
            return False
        if fact.change:
            return abs(1 + fact.value / 100 - ratio) * 2 <= citation.unit
        # "half of the estimates": a share of about 50 %
        return ratio == Decimal("0.5") and abs(fact.value - 50) <= 5
    return fact.kind == kind and _within(citation, fact)


def grounding_fact(citation: Citation, facts: Sequence[GroundingNumber]) -> GroundingNumber | None:
    """The first of ``facts`` that grounds the citation (a count may also be a year of a week
    label), or ``None``: the fact a report links the number to."""
    found = next((f for f in facts if _grounds(f, citation)), None)
    if found is None and citation.kind == "count":
        found = next((f for f in facts if f.kind == "year" and _within(citation, f)), None)
    return found


@dataclass(frozen=True)
class Ungrounded:
    """A citation no fact grounds: the literal as written, and why (where, which kind)."""

    literal: str
    reason: str


def ungrounded_citations(
    text: str, facts: Sequence[GroundingNumber], band_labels: Iterable[str] | None = None
) -> list[Ungrounded]:
    """Each citation in ``text`` with no fact of its kind that it rounds, once each."""
    labels = band_labels if band_labels is not None else [f.label for f in facts if f.label]
    problems: list[Ungrounded] = []
    for citation in read_citations(text, [x for x in labels if x]):
        if grounding_fact(citation, facts) is None:
            entry = Ungrounded(citation.literal, f"no {citation.kind} fact")
            if entry not in problems:
                problems.append(entry)
    return problems


def check_findings(
    headline: str,
    findings: Sequence[tuple[str, Sequence[str]]],
    facts: Sequence[GroundingNumber],
) -> list[Ungrounded]:
    """Problems of a narrative: the headline against every fact, each finding against the facts
    it names (an unknown id is a problem too). Empty when everything is grounded."""
    labels = sorted({f.label for f in facts if f.label and f.kind == "band"})
    problems = [
        Ungrounded(p.literal, f"headline: {p.reason}")
        for p in ungrounded_citations(headline, facts, labels)
    ]
    known = {f.fact for f in facts}
    for index, (text, fact_ids) in enumerate(findings, start=1):
        problems += [
            Ungrounded(f"facts:{fact_id}", f"finding {index}: unknown fact id")
            for fact_id in fact_ids
            if fact_id not in known
        ]
        ids = set(fact_ids)
        named = [f for f in facts if f.fact in ids]
        problems += [
            Ungrounded(p.literal, f"finding {index}: {p.reason} among {list(fact_ids)}")
            for p in ungrounded_citations(text, named, labels)
        ]
    return problems
