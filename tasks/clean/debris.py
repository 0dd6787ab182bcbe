"""Scraping debris: what a web page leaves in an article's text that is not the article.

Each rule is a small function from a line to that line without its debris ("" when the whole line
is debris). `remove_debris` runs them in order on every line; `drop_end_matter` drops contributor
lines and author bios from the end of an article only. Both record what they take as `Removal`s
when asked (benchmarks/debris.py counts them over a corpus).

Every pattern sees a bounded piece of text (a short line, the inside of parentheses, a line's last
200 characters) or cannot backtrack, so a 1 MB line costs linear time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from newsflow.tasks.nlp.credits import credit_at_end, is_inline_credit, short


class Removal(NamedTuple):
    """What one rule took from one line: `after` is "" when the whole line went."""

    rule: str
    before: str
    after: str


def embed_placeholder(line: str) -> str:
    """Markup and placeholders left where a post or a video was embedded: "<tweet ...>",
    "<iframe ...>", "[Video: ...]"."""
    return "" if _EMBED_MARKUP.match(line) or len(line) <= 400 and _PLACEHOLDER.fullmatch(line) else line


_EMBED_MARKUP = re.compile(r"<(?:tweet|blockquote|iframe|embed|script|video|figure|img)\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\[(?i:video|photo|image|audio|embed|gallery|graphic|interactive)\b[^\]\n]{0,300}\]\.?")


def gallery_caption(line: str) -> str:
    """A caption with the gallery's controls: "Open this photo in gallery ...", "Enlarge this image",
    "Image 3 of 12", "Image caption ...", "... hide caption toggle caption ..."."""
    if not short(line, 80):
        return line
    return "" if _GALLERY.match(line) or _CAPTION_CONTROL.search(line) else line


_GALLERY = re.compile(
    r"(?:open this photo in gallery|enlarge this (?:image|photo)|expand this (?:image|photo)"
    r"|(?:view|see|open) (?:the )?(?:full |photo )*gallery|(?:photo|image|slide|picture) \d+ of \d+"
    r"|swipe (?:left |right )?(?:for|to see) more|(?:image|media|video) caption|image (?:copyright|source)"
    r"|click (?:here )?to (?:enlarge|expand))\b",
    re.IGNORECASE,
)
_CAPTION_CONTROL = re.compile(r"\b(?:hide|toggle) caption\b", re.IGNORECASE)


def caption_credit(line: str) -> str:
    """A caption whose line ends in a photo credit ("Protesters march on Saturday. Jane Doe/The
    Daily Planet", "... (Jane Doe/AFP/Getty Images)") goes whole. A line that is longer than a
    caption, quotes somebody or reports speech is prose with a credit run into it: only the
    credit goes."""
    credit = credit_at_end(line)
    if credit is None:
        return line
    if short(line, 40) and not any(mark in line for mark in _QUOTE_MARKS) and not _REPORTS.search(line):
        return ""
    return (line[: credit[0]] + line[credit[1] :]).rstrip()


_QUOTE_MARKS = ('"', "“", "”")
_REPORTS = re.compile(r"\b(?:said|says|told|tells|according to)\b")


def inline_photo_credit(line: str) -> str:
    """A credit in parentheses inside a sentence: "marched (John Roe/Canadian Press) on Monday",
    "( Jane Doe / The Daily Planet )", "(AP Photo/Jane Doe)". Other parentheses stay: "(Reuters)",
    "(km/h)", "(D-Mass.)"."""
    if "(" not in line:
        return line
    return _PARENTHESES.sub(lambda m: "" if is_inline_credit(m[1]) else m[0], line).strip()


_PARENTHESES = re.compile(r" ?\(([^()\n]{1,160})\)")

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE = rf"(?:{_MONTH} \d{{1,2}},? \d{{4}}|\d{{1,2}} {_MONTH},? \d{{4}})"


def social_embed(line: str) -> str:
    """An embedded post's link and signature: "... power restored soon. pic.twitter.com/AbC123 —
    City Hydro (@cityhydro) December 22, 2018" keeps "... power restored soon."; also t.co links,
    "A post shared by Jane Doe (@janedoe) on Dec 22, 2018" and a closing "Posted by City Hydro on
    Saturday, December 22, 2018". The post's own words stay: where they begin is not marked."""
    before = line
    if "t.co/" in line or "twitter.com/" in line:
        line = _POST_LINK.sub("", line)
    if "(@" in line:
        line = _SIGNATURE.sub("", line)
    if "Posted by" in line:
        line = _POSTED_BY.sub("", line)
    return before if line == before else " ".join(line.split())


_POST_LINK = re.compile(r" ?(?:https?://|(?<![\w.-]))(?:pic\.twitter\.com|t\.co)/\w+")
_SIGNATURE = re.compile(
    rf"(?: ?[—–―]| --?) ?[^()\n—–―]{{1,60}}\(@\w{{1,30}}\) ?(?:on )?{_DATE}\.?"
    rf"| ?A post shared by [^()\n]{{1,60}}\(@[\w.]{{1,30}}\)(?: on {_DATE})?(?: at \d{{1,2}}:\d\d ?[ap]\.?m\.?)?"
    r"(?: [A-Z]{2,4})?\.?"
)
_POSTED_BY = re.compile(rf" ?Posted by [^\n]{{1,60}}? on (?:[A-Z][a-z]+day, )?{_DATE}\.?$")


def promo_line(line: str) -> str:
    """Promotion and navigation between paragraphs: "LOOK: ...", "WATCH: ...", "READ MORE: ...",
    "RELATED: ...", "See also: ...", "Read more", "Read the rest here." A sentence that starts
    with "Read" or "Related" stays ("Related charges were filed ...")."""
    return "" if short(line, 40) and _PROMO.match(line) else line


_PROMO = re.compile(
    r"(?:LOOK|WATCH|READ|RELATED|MORE|SEE ALSO|ALSO READ|ALSO SEE|LISTEN|VIDEO|PHOTOS?|GALLERY|RECOMMENDED"
    r"|TRENDING|MUST READ|DON'T MISS)(?: [A-Z'’]+){0,3} ?[:|]"
    r"|(?:Read more|Read|Related(?: stories| articles| coverage| content| links| videos?| reading)?|See also"
    r"|Also read|Watch|Listen|More|Photos|Video|Gallery) ?:"
    r"|(?i:read more(?: here| at .*| on .*)?|related(?: stories| articles| coverage| content| links| videos?)?"
    r"|continue reading\b.*)\.?$"
    r"|(?:Read|See|Watch|View|Listen to) the (?:rest|full|whole|entire|original)\b.{0,80}?"
    r"\b(?:here|below|above|online)\.?$"
)


def handles_and_hashtags(line: str) -> str:
    """A line of nothing but handles and hashtags ("@cityhydro", "#onpoli #cdnpoli"). A handle in
    a sentence stays ("said on Twitter, @cityhydro, that ..."): it is how the article names the
    account."""
    return "" if short(line, 30) and _TAGS_ONLY.fullmatch(line) else line


_TAGS_ONLY = re.compile(r"(?:[-—–•·] ?)?(?:[#@]\w+[^\w#@]{0,3})+")


def recipe_line(line: str) -> str:
    """A recipe's ingredient list and headings: "2 tbsp olive oil", "1 ½ cups flour", "3 large
    onions, finely chopped", "Salt and pepper, to taste", "Ingredients", "Serves 4", "Prep time:
    15 minutes". The method's steps are sentences and stay."""
    if not short(line, 15):
        return line
    if _RECIPE_HEADING.fullmatch(line):
        return ""
    return "" if _INGREDIENT.match(line) and not line.endswith((".", "!", "?")) else line


_QUANTITY = r"(?:\d+(?:[.,/]\d+)?(?: ?(?:-|–|to) ?\d+(?:[./]\d+)?)?(?: ?[½¼¾⅓⅔⅛])?|[½¼¾⅓⅔⅛])"
_UNIT = (
    r"(?:cups?|tablespoons?|tbsps?|tbs|teaspoons?|tsps?|g|grams?|kg|kilograms?|ml|millilit(?:er|re)s?|l"
    r"|lit(?:er|re)s?|oz|ounces?|lbs?|pounds?|pinch(?:es)?|dash(?:es)?|cloves?|cans?|tins?|sprigs?"
    r"|bunch(?:es)?|handfuls?|sticks?|slices?|packages?|stalks?|heads?|knobs?|jars?|quarts?|pints?)"
    r"\b\.?"
)
_PREPARED = (
    r"(?:(?:finely|roughly|thinly|freshly) )?(?:chopped|diced|minced|sliced|grated|peeled|crushed|melted"
    r"|softened|beaten|divided|to taste)\b"
)
_INGREDIENT = re.compile(
    rf"(?i:{_QUANTITY} ?{_UNIT} (?:of )?[^\W\d]|{_QUANTITY} [^,\n]{{1,60}}, {_PREPARED}|[^,\n]{{1,60}}, "
    r"(?:to taste|for (?:garnish|serving|dusting|frying)|optional)\b)"
)
_RECIPE_HEADING = re.compile(
    r"(?i:ingredients|method|directions|instructions|preparation|for the [a-z ]{2,30}:"
    r"|serves \d+(?: ?(?:-|–|to) ?\d+)?|makes (?:about )?\d+\b.{0,30}|yield:.{1,40}"
    r"|(?:prep|preparation|cook|cooking|baking|total|active) time:? (?:about )?\d[^.!?]{0,30})\s*:?\.?"
)


RULES: tuple[tuple[str, Callable[[str], str]], ...] = tuple(
    (rule.__name__, rule)
    for rule in (
        embed_placeholder,
        gallery_caption,
        caption_credit,
        inline_photo_credit,
        social_embed,
        promo_line,
        handles_and_hashtags,
        recipe_line,
    )
)


def remove_debris(line: str, removed: list[Removal] | None = None) -> str:
    """The line without its debris, "" when it is all debris."""
    for name, rule in RULES:
        after = rule(line)
        if after != line:
            if removed is not None:
                removed.append(Removal(name, line, after))
            line = after
            if not line:
                break
    return line


def contributors(line: str) -> bool:
    """ "With files from The Canadian Press", "--additional reporting from Jane Doe", "Jane Doe and
    John Roe contributed reporting.", "(Reporting by Jane Doe in London; Editing by John Roe)"."""
    if not short(line, 40):
        return False
    if _FILES_FROM.match(line) or _REPORTING_BY.fullmatch(line):
        return True
    match = _CONTRIBUTED.fullmatch(line)
    return bool(match) and all(w[:1].isupper() or w in _NAME_JOINS for w in match["who"].replace(",", " ").split())


_NAMES = r"[A-Z][\w.'’-]*+(?:(?:,? and |, | )[A-Z][\w.'’-]*+){0,8}"
_FILES_FROM = re.compile(r"[-—–( ]*(?i:with (?:files|reporting) from|(?:additional|further) reporting (?:by|from)) \S")
_REPORTING_BY = re.compile(
    rf"\(?(?:Reporting|Writing|Editing|Additional reporting|Compiled|Research) by {_NAMES}(?: in {_NAMES})?"
    rf"(?:[;,] (?:and )?(?i:reporting|writing|editing|additional reporting|compiled|research) by {_NAMES}"
    rf"(?: in {_NAMES})?)*\)?\.?"
)
_CONTRIBUTED = re.compile(
    r"(?P<who>[A-Z][^.!?]{0,150}?) (?:also )?contributed (?:reporting|to this (?:report|story|article))\b"
    r"[^.!?]{0,100}\.?"
)
_NAME_JOINS = {"and", "of", "the", "staff", "writer", "writers", "reporter", "reporters", "correspondent", "in"}


def author_bio(line: str) -> bool:
    """A note about the writer: "Jane Doe is a columnist for The Daily Planet.", "Jane Doe writes
    about energy for ...", "Follow Jane Doe on Twitter @janedoe", "Reach him at ...". The newsroom
    word must be what the name *is* ("is a regular commentator on"); "Jane Doe is the former mayor
    of Springfield." and "Tony Blair is likely to ..., the BBC's political editor has learned."
    are prose to this rule."""
    return short(line, 80) and bool(_FOLLOW.match(line) or _BIO.match(line))


_BIO = re.compile(
    r"[-—–* ]*[A-Z][\w.'’-]*+(?: [A-Z][\w.'’-]*+){1,3},? (?:is (?:an? |the )?(?:[\w'’-]+ ){0,4}?(?i:columnist"
    r"|correspondent|reporter|writer|editor|contributor|journalist|blogger|commentator|author|host|producer)"
    r"(?=[.,;]|$| (?:of|for|at|on|in|with|and|based)\b)"
    r"|(?:writes (?:about|for|on)|covers|reports on|can be reached at)\b)"
)
_FOLLOW = re.compile(
    r"[\"“]?(?:Follow|Reach|Contact|Email) (?:him|her|them|me|us|[A-Z][\w.'’-]*+(?: [A-Z][\w.'’-]*+){0,3})"
    r" (?:on (?:Twitter|X|Facebook|Instagram|Threads|Bluesky|Mastodon)|at|via|by email)\b"
)

END_RULES: tuple[tuple[str, Callable[[str], bool]], ...] = (("contributors", contributors), ("author_bio", author_bio))


def drop_end_matter(blocks: list[list[str]], removed: list[Removal] | None = None) -> None:
    """Drop contributor lines and author bios from the end of the article, in place."""
    while blocks:
        line = blocks[-1][-1]
        name = next((name for name, rule in END_RULES if rule(line)), None)
        if name is None:
            return
        if removed is not None:
            removed.append(Removal(name, line, ""))
        blocks[-1].pop()
        if not blocks[-1]:
            blocks.pop()
