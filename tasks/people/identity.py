"""Which PERSON entities of different documents are one person: the rules of
`newsflow.tasks.people` (see its docstring), as plain functions over names and documents.

The unit is a *form*: the folded parts of a canonical name (`names.NameForm`); every entity of
every document with that form is one node. Nodes are grouped into people in three passes:
full names by their first name and surname, nicknames the articles pair with a name, then
one-word names ("Obama") onto the one full-name person they can be. Two nodes that one document
names as two different entities are never one person.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from newsflow.tasks.nlp.lexicon import Lexicon
from newsflow.tasks.people.gender import decide
from newsflow.tasks.people.names import NameForm, compatible, compatible_but_first, fold, parse

# A one-word name joins the full-name person only if their documents are this close in time
# (when both are dated and share no outlet).
TIME_WINDOW = timedelta(days=366)
# Of several full-name people with a surname, a one-word name is the one named this many times as
# often as all the others together.
DOMINANCE = 5


@dataclass(frozen=True)
class PersonEntity:
    """One PERSON row of `entities`: its document, id, canonical name and gender evidence."""

    doc_id: str
    entity_id: str
    name: str
    cues: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocContext:
    outlet: str | None = None
    published_at: datetime | None = None


@dataclass(eq=False)  # compared by identity: one node per form
class Node:
    key: tuple  # the form's signature, or ("?", folded name) for a name without parts
    form: NameForm | None
    entities: list[PersonEntity] = field(default_factory=list)

    @property
    def docs(self) -> set[str]:
        return {e.doc_id for e in self.entities}


@dataclass(eq=False)
class Person:
    nodes: list[Node]
    person_id: str = ""

    @property
    def entities(self) -> list[PersonEntity]:
        return [e for n in self.nodes for e in n.entities]

    @property
    def docs(self) -> set[str]:
        return {e.doc_id for n in self.nodes for e in n.entities}

    @property
    def first_name(self) -> str | None:
        """The first name of its most named full form (its nickname when that form has an initial
        only: 'J. "Jim" Doe'); None for a person named by one word only."""
        full = [n for n in self.nodes if n.form is not None and n.form.full]
        if not full:
            return None
        form = max(full, key=lambda n: (len(n.docs), repr(n.key))).form
        return form.nickname if len(form.first) == 1 and form.nickname else form.first

    def names(self) -> Counter:
        """Each canonical name → the documents that give it."""
        return Counter(name for name, _ in {(e.name, e.doc_id) for e in self.entities})


def _conflicts(nodes: Iterable[Node]) -> set[frozenset]:
    """Pairs of node keys of one surname that some document names as two different entities."""
    by_doc: dict[tuple, set] = defaultdict(set)
    for node in nodes:
        surname = node.form.surname if node.form is not None else None
        for e in node.entities:
            by_doc[(e.doc_id, surname)].add(node.key)
    pairs: set[frozenset] = set()
    for keys in by_doc.values():
        if len(keys) > 1:
            keys = sorted(keys, key=repr)
            for i, a in enumerate(keys):
                pairs.update(frozenset((a, b)) for b in keys[i + 1 :])
    return pairs


def _gender(person: Person, kinds: tuple[str, ...] | None = None) -> str | None:
    """The person's gender as far as the evidence goes (`gender.decide`; with `kinds`, only cues of
    those kinds), None when unknown."""
    cues = (c for e in person.entities for c in e.cues if kinds is None or c.split(":", 1)[0] in kinds)
    gender, _ = decide(cues, person.first_name)
    return None if gender == "unknown" else gender


@functools.cache
def hypocorisms() -> Mapping[str, frozenset[str]]:
    """Short first name → the full first names it is a hypocorism of ("joe" → joseph), from the
    `nicknames` dataset (Apache-2.0, ships with the package), kept only where the pairing is
    unambiguous enough to join two people on: the short name is no longer than the full one,
    starts with the same letter, is not itself a name with nicknames of its own ("john" of
    "jonathan": two names), the two are not each other's nickname ("ian", "john"), and the
    first-name statistic does not set them apart (shares of women less than 50 points apart:
    not "andy" and "andrea")."""
    from nicknames import NickNamer

    from newsflow.tasks.people.gender import first_name_shares

    names, shares = NickNamer(), first_name_shares()
    out: dict[str, frozenset[str]] = {}
    for short, fulls in names.canonical_lookup.items():
        if len(names.nicknames_of(short)) > 1:
            continue
        kept = {
            full
            for full in fulls
            if len(short) <= len(full)
            and short[0] == full[0]
            and full not in names.nicknames_of(short)
            and abs(shares.get(short, 0.5) - shares.get(full, 0.5)) < 0.5
        }
        if kept:
            out[short] = frozenset(kept)
    return MappingProxyType(out)


def _same_or_unknown(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def _home(candidates: list[Person]) -> Person | None:
    """The person a one-word name is, of the full-name people it could be: the only one; else the
    only one without a generational suffix ("Trump" is not "Donald Trump Jr." when there is a
    Donald Trump); else the one the corpus names in at least `DOMINANCE` times as many documents
    as all the others together; else none."""
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    plain = [p for p in candidates if not any(n.form.suffix for n in p.nodes if n.form is not None)]
    if len(plain) == 1:
        return plain[0]
    pool = plain or candidates
    sizes = sorted(((len(p.docs), p) for p in pool), key=lambda x: -x[0])
    top, rest = sizes[0][0], sum(n for n, _ in sizes[1:])
    return sizes[0][1] if top >= DOMINANCE * rest else None


def _context_fits(a: set[str], b: set[str], context: Mapping[str, DocContext]) -> bool:
    """Documents of a one-word name and of a candidate person: one outlet in common, or dated within
    `TIME_WINDOW`, or nothing (no outlet or no date on one side) to tell them apart."""
    outlets_a = {context[d].outlet for d in a if d in context and context[d].outlet}
    outlets_b = {context[d].outlet for d in b if d in context and context[d].outlet}
    if outlets_a & outlets_b:
        return True
    dates_a = sorted(context[d].published_at for d in a if d in context and context[d].published_at)
    dates_b = sorted(context[d].published_at for d in b if d in context and context[d].published_at)
    if dates_a and dates_b:
        return any(abs(x - y) <= TIME_WINDOW for x in (dates_a[0], dates_a[-1]) for y in dates_b) or (
            dates_a[0] <= dates_b[-1] and dates_b[0] <= dates_a[-1]
        )
    return not (outlets_a and outlets_b)


def person_key(name: str, lex: Lexicon) -> str:
    """The registry's partition of a canonical name: the last word of its folded surname (of the
    folded name, for a name without parts). Every rule below joins names of one surname only
    (base, nickname, hypocorism, one-word name), and two people's id anchors (`_anchor`) can only
    be equal when their surnames end in the same word: the people of one key are a function of
    that key's entities alone, so a run re-clusters only the keys its documents touch."""
    form = parse(name, lex)
    words = (form.surname if form is not None else fold(name)).split()
    return words[-1] if words else ""


def _nodes(entities: Iterable[PersonEntity], lex: Lexicon) -> list[Node]:
    forms: dict[str, NameForm | None] = {}
    nodes: dict[tuple, Node] = {}
    for e in entities:
        if e.name not in forms:
            forms[e.name] = parse(e.name, lex)
        form = forms[e.name]
        key = form.signature if form is not None else ("?", fold(e.name))
        node = nodes.get(key)
        if node is None:
            node = nodes[key] = Node(key, form)
        node.entities.append(e)
    # A node's form, whatever order the entities come in: of its names, the smallest that pairs a
    # nickname with the name ('John "Johnny" Smith': the signature leaves the nickname out), else
    # the smallest. (It was the first entity's: a full rebuild and a run's update, which read the
    # rows in other orders, could differ.)
    for node in nodes.values():
        if node.form is not None:
            names = sorted({e.name for e in node.entities})
            node.form = forms[min(names, key=lambda n: (forms[n].nickname is None, n))]
    # Largest first (more documents), then by key: the order every pass below takes them in.
    return sorted(nodes.values(), key=lambda n: (-len(n.docs), repr(n.key)))


def cluster_people(entities: Iterable[PersonEntity], context: Mapping[str, DocContext], lex: Lexicon) -> list[Person]:
    """The people the PERSON entities of all documents are, each with its stable `person_id`."""
    nodes = _nodes(entities, lex)
    conflicts = _conflicts(nodes)

    def fits(node: Node, person: Person) -> bool:
        return all(frozenset((node.key, other.key)) not in conflicts for other in person.nodes)

    people: list[Person] = []
    by_base: dict[tuple, list[Person]] = defaultdict(list)
    # 1. Full names: a form joins the person of its first name and surname whose every form it is
    # compatible with; when it could be two of them it stays apart. The plain forms go first (the
    # hub of their name), then those with middle initials, then those with a suffix, each the most
    # named first: "George Bush" takes the George W. or H. W. Bush the corpus names more.
    full = [n for n in nodes if n.form is not None and n.form.full]
    for node in sorted(full, key=lambda n: (n.form.suffix is not None, bool(n.form.middles))):
        homes = [
            p
            for p in by_base[node.form.base]
            if fits(node, p) and all(compatible(node.form, other.form) for other in p.nodes)
        ]
        if len(homes) > 1:  # prefer the person of the same suffix ("Donald J. Trump": not "... Jr.")
            homes = [p for p in homes if all(o.form.suffix in (None, node.form.suffix) for o in p.nodes)] or homes
            same = [p for p in homes if any(o.form.suffix == node.form.suffix for o in p.nodes)]
            homes = same if len(same) == 1 else homes
        if len(homes) == 1:
            homes[0].nodes.append(node)
        else:
            person = Person([node])
            people.append(person)
            by_base[node.form.base].append(person)
    # 2. Nicknames the articles pair with a name ('Robert C. "Bobby" Scott'): the one person of
    # the nickname and surname joins the person of the full name.
    for person in list(people):
        for node in list(person.nodes):
            nick = node.form.nickname
            if not nick or (nick, node.form.surname) == node.form.base:
                continue
            others = [p for p in by_base[(nick, node.form.surname)] if p is not person]
            if len(others) == 1 and others[0] in people and all(fits(n, person) for n in others[0].nodes):
                other = others[0]
                person.nodes.extend(other.nodes)
                people.remove(other)
                for base, group in by_base.items():
                    by_base[base] = [person if p is other else p for p in group]
    # 2b. Hypocorisms ("Joe Biden", "Joseph R. Biden Jr."; "Bill", "William"): the one person of a
    # first name's full form and the surname takes the person of the short form, when every pair
    # of their forms is compatible but for the first name.
    short_of = hypocorisms()
    for base, group in sorted(by_base.items(), key=lambda kv: repr(kv[0])):
        first, surname = base
        if not group or first not in short_of:
            continue
        targets = {id(p): p for full in short_of[first] for p in by_base.get((full, surname), []) if p in people}
        if len(group) != 1 or len(targets) != 1:
            continue
        person, (target,) = group[0], targets.values()
        if person is target or person not in people:
            continue
        if not _same_or_unknown(_gender(person), _gender(target)):
            continue
        # A document naming both is no evidence against: its own clustering does not know hypocorisms.
        if all(compatible_but_first(n.form, o.form) for n in person.nodes for o in target.nodes):
            target.nodes.extend(person.nodes)
            people.remove(person)
            for key, members in by_base.items():
                by_base[key] = [target if p is person else p for p in members]
    # 3. One-word names: onto the one full-name person with that surname whose evidence fits
    # (see `_home`); otherwise a person alone.
    by_surname: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        for surname in {n.form.surname for n in person.nodes}:
            by_surname[surname].append(person)
    genders: dict[int, str | None] = {}

    def gender_of(person: Person) -> str | None:
        if id(person) not in genders:
            genders[id(person)] = _gender(person)
        return genders[id(person)]

    for node in nodes:
        if node.form is not None and node.form.full:
            continue
        alone = Node(node.key, node.form)
        # Each document's "Obama" on its own evidence: "Mr. Clinton" here, "Mrs. Clinton" there.
        by_doc: dict[str, list[PersonEntity]] = defaultdict(list)
        for e in node.entities:
            by_doc[e.doc_id].append(e)
        for doc_id, ents in sorted(by_doc.items()):
            piece = Node(node.key, node.form, ents)
            home = None
            if node.form is not None:
                # What the document says of this one: "Mr."/"Mrs.", a role noun (its pronouns are
                # resolved by the same rules that may have erred, so they do not count here).
                gender = _gender(Person([piece]), kinds=("honorific", "role_noun"))
                candidates = [
                    p
                    for p in by_surname.get(node.form.surname, [])
                    if doc_id not in p.docs  # named apart from it in its own document: someone else
                    and (gender is None or gender_of(p) in (None, gender))
                    and _context_fits({doc_id}, p.docs, context)
                ]
                home = _home(candidates)
            if home is not None:
                home.nodes.append(piece)
            else:
                alone.entities.extend(ents)
        if alone.entities:
            people.append(Person([alone]))
    _assign_ids(people)
    return sorted(people, key=lambda p: p.person_id)


def _anchor(person: Person) -> str:
    """What a person's id is made of: the smallest "first surname" of its full forms, else its
    one-word name. It changes only when the person merges with another or splits."""
    bases = [f"{n.form.first} {n.form.surname}" for n in person.nodes if n.form is not None and n.form.full]
    if bases:
        return min(bases)
    keys = [n.form.surname if n.form is not None else n.key[1] for n in person.nodes]
    return "surname:" + min(keys)


def _assign_ids(people: list[Person]) -> None:
    """`p_` + a hash of the anchor; people of one anchor (a name split in two: "George W. Bush",
    "George H. W. Bush") are told apart by their smallest form, except the one holding the plain
    first-name-and-surname form."""
    groups: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        groups[_anchor(person)].append(person)
    for anchor, group in groups.items():
        n_plain = sum(1 for p in group if _has_plain(p))
        for person in group:
            key = anchor
            if len(group) > 1 and not (n_plain == 1 and _has_plain(person)):
                key = anchor + "|" + min(repr(n.key) for n in person.nodes)
            person.person_id = "p_" + hashlib.sha1(key.encode()).hexdigest()[:16]


def _has_plain(person: Person) -> bool:
    return any(n.form is not None and n.form.full and not n.form.middles and not n.form.suffix for n in person.nodes)
