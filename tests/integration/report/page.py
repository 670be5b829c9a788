"""Reads a report page as a browser would (html.parser) and its charts as XML (xml.etree), so
tests count what is drawn and see what became markup."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["Page", "read_page"]

_VOID = {"meta", "link", "br", "img", "input", "hr", "col", "source", "wbr", "area", "base"}
# Inside inline SVG, self-closed elements (<rect/>) have no end tag either.


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    classes: set[str] = field(default_factory=set)


@dataclass
class Page:
    elements: list[Element] = field(default_factory=list)
    by_id: dict[str, Element] = field(default_factory=dict)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, link text)
    svgs: dict[str, ET.Element] = field(default_factory=dict)
    style: str = ""
    text: str = ""

    def tags(self) -> set[str]:
        return {e.tag for e in self.elements}


class _Reader(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page, self.open, self.texts = page, [], []  # type: ignore[var-annotated]

    def _start(self, tag: str, attrs: list[tuple[str, str | None]]) -> Element:
        element = Element(tag, {k: v or "" for k, v in attrs})
        element.classes = set(element.attrs.get("class", "").split())
        self.page.elements.append(element)
        if "id" in element.attrs:
            assert element.attrs["id"] not in self.page.by_id, f"duplicate id {element.attrs['id']}"
            self.page.by_id[element.attrs["id"]] = element
        return element

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = self._start(tag, attrs)
        if tag not in _VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        assert self.open and self.open[-1].tag == tag, f"</{tag}> closes {self.open[-1:]}"
        element = self.open.pop()
        if tag == "a":
            self.page.links.append((element.attrs.get("href", ""), element.text))

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text += data
        if self.open and self.open[-1].tag == "style":
            self.page.style += data
        else:
            self.texts.append(data)


def read_page(html: str) -> Page:
    """The page's elements (every tag must close where it opened), its links, its text, and
    each chart parsed as XML by id (a chart that is not well-formed XML fails here)."""
    page = Page()
    reader = _Reader(page)
    reader.feed(html)
    reader.close()
    assert not reader.open, f"unclosed: {[e.tag for e in reader.open]}"
    page.text = "".join(reader.texts)
    for svg in re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL):
        chart = ET.fromstring(svg)
        page.svgs[chart.get("id", "")] = chart
    return page
