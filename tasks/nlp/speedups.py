"""Faster stand-ins for two of spaCy's rule components, with the same results, as registered spaCy
components: `newsflow_lemmatizer` and `newsflow_attribute_ruler`. `speed_up` puts them in place
of a loaded pipeline's own (same names, configs, tables and patterns).

A component profile of the medium English model over BBC news (1/7 of the corpus, 137k tokens;
see docs/performance.md) found two of the model's rule components costing more than
its parser:

- the rule **lemmatizer** (3.2 s, parser 2.3 s): for a word form it has not cached, it tests each
  candidate lemma with `form in index`, where `index` is a *list* (57,528 nouns, 20,993
  adjectives): a linear scan per candidate. `CachedLemmatizer` tests them against frozensets of
  those lists, built on first use beside the lookups (which stay lists, as spaCy saves them).
  spaCy then still spent ~5 µs a token in Python (its cache holds only the forms it had to
  derive); `CachedLemmatizer` looks every token's (form, part of speech, morphology) up at once
  and sets the lemmas with one `Doc.from_array`.
- the **attribute ruler** (2.5 s): 179 patterns run through spaCy's `Matcher` on every token,
  though almost all of them test one token's tag, lowercase form or dependency label.
  `IndexedAttributeRuler` finds the same matches by looking each token's (tag, lower, dep, ...)
  up in a table of which rules apply, built once per distinct combination, and writes the rules'
  attributes in spaCy's order through the Token's setters. Patterns it cannot read that way
  (operators, other attributes, regexes on them, extension attributes) leave the matching to
  spaCy's `Matcher`; rules that set other attributes than LEMMA, POS, TAG, MORPH, DEP and NORM
  (extension attributes, lexical flags, heads, ...) leave the Doc to spaCy's `set_annotations`.
  A regex test is run once per distinct value, not once per token.

Both leave every token attribute as spaCy sets it (checked token by token over the BBC corpus
and in tests/test_speedups.py). A sped-up pipeline saves and loads as any other
(`nlp.to_disk`, `spacy.load`): its config names the two factories, which spaCy finds through
newsflow's `spacy_factories` entry points wherever newsflow is installed, and the lookups tables
and patterns are written in spaCy's own format.

Not handled (spaCy's own component stays): lookup-mode lemmatizers; lemmatizers of another class
than the one `newsflow_lemmatizer` stands in for (English's `EnglishLemmatizer`, elsewhere spaCy's
plain `Lemmatizer`; French's, Dutch's, ... rules differ); subclasses of spaCy's `AttributeRuler`;
disabled components.
"""

from __future__ import annotations

from typing import Any

from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.pipeline import AttributeRuler, Lemmatizer

from newsflow.tasks.nlp.attribute_ruler import IndexedAttributeRuler  # noqa: F401  (registers its factory)
from newsflow.tasks.nlp.lemmatizer import CachedEnglishLemmatizer, CachedLemmatizer  # noqa: F401  (registers)


def _config(nlp: Language, name: str) -> dict[str, Any]:
    """The component's config without its factory: the settings the replacement takes."""
    return {key: value for key, value in nlp.get_pipe_config(name).items() if key != "factory"}


def speed_up(nlp: Language) -> None:
    """Replace the pipeline's rule lemmatizer and attribute ruler by newsflow's (same names,
    settings, tables and patterns; see the module doc)."""
    lemmatizer = EnglishLemmatizer if nlp.lang == "en" else Lemmatizer  # what newsflow_lemmatizer stands for here
    for name, pipe in list(nlp.pipeline):
        if type(pipe) is lemmatizer and pipe.mode == "rule":
            nlp.replace_pipe(name, "newsflow_lemmatizer", config=_config(nlp, name)).initialize(lookups=pipe.lookups)
        elif type(pipe) is AttributeRuler:
            nlp.replace_pipe(name, "newsflow_attribute_ruler", config=_config(nlp, name)).add_patterns(pipe.patterns)
