"""A learned proposer of contents the clause rules miss: what a verb's object reports (issue 30).
See `candidates.py` (the candidates and their features), `proposer.py` (the shipped model) and
`train.py` (how it is trained); the `newsflow_quotes` component takes it from its config
(`newsflow.object_proposer.v1`)."""
