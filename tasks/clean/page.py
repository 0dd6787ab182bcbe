"""HTML pages reduced to their headline and article paragraphs, before the plain-text cleaning."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser


class _ArticleText(HTMLParser):
    """Collect the <title>/<h1> and the paragraphs of an HTML page, preferring <article>."""

    SKIP = {"script", "style", "nav", "footer", "header", "aside", "figure", "figcaption", "form",
            "noscript", "button", "svg"}  # fmt: skip
    BLOCK = {"p", "h2", "h3", "blockquote", "li"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_depth = 0
        self.in_article = 0
        self.stack: list[str] = []
        self.open: Counter[str] = Counter()  # tags on the stack: a deep page asks "is it open?" often
        self.title: list[str] = []
        self.h1: list[str] = []
        self.blocks: list[tuple[bool, str]] = []
        self.current: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "hr", "meta", "link", "input"):
            return
        self.stack.append(tag)
        self.open[tag] += 1
        if tag in self.SKIP:
            self.skip_depth += 1
        elif tag == "article":
            self.in_article += 1
        elif tag in self.BLOCK and self.current is None:
            self.current = []

    def handle_endtag(self, tag):
        if not self.open[tag]:
            return
        while self.stack:
            top = self.stack.pop()
            self.open[top] -= 1
            if top in self.SKIP:
                self.skip_depth -= 1
            elif top == "article":
                self.in_article -= 1
            elif top in self.BLOCK and self.current is not None:
                text = " ".join("".join(self.current).split())
                if text:
                    self.blocks.append((self.in_article > 0, text))
                self.current = None
            if top == tag:
                break

    def handle_data(self, data):
        if self.skip_depth:
            return
        if self.open["title"]:
            self.title.append(data)
        elif self.open["h1"]:
            self.h1.append(data)
        elif self.current is not None:
            self.current.append(data)


def html_to_text(html: str) -> tuple[str | None, str]:
    """(headline, article text with paragraphs separated by blank lines) of an HTML page."""
    parser = _ArticleText()
    parser.feed(html)
    parser.close()
    in_article = [text for inside, text in parser.blocks if inside]
    paragraphs = in_article or [text for _, text in parser.blocks]
    title = " ".join("".join(parser.h1).split()) or " ".join("".join(parser.title).split()) or None
    return title, "\n\n".join(paragraphs)
