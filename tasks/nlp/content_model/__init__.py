"""A learned check that accepts or vetoes the quote rules' candidate quotes (issue 30).

The rules (newsflow.tasks.nlp.quotes) propose quotes; a small gradient-boosted model over
features of each candidate (features.py: its type, cue and cue class, speaker and how it was
found, length, clause shape, quotation marks, position, negation, hedges, ...) gives the
probability that it is a quote, and the quote component drops those below a threshold chosen
on the dev sets (check.py). Trained by `python -m newsflow.tasks.nlp.content_model.train`
(train.py) on PolNeAR's train split; the model ships as package data (model.joblib, README.md).

Handled: vetoing candidates. Not handled: proposing quotes the rules miss, or changing a
quote's span or speaker.
"""

from newsflow.tasks.nlp.content_model.check import ContentCheck, load_check

__all__ = ["ContentCheck", "load_check"]
