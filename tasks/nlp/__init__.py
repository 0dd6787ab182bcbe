"""newsflow's NLP library, apart from the flow's stages: the spaCy pipeline a run uses
(`pipeline`), its components (`entities`, `quotes`: usable in any spaCy pipeline, registered by
entry point), the learned speaker ranker the quotes component uses (`speaker_model`), their
word lists (`lexicon`), the faster stand-ins for two of spaCy's rule components (`speedups`),
the table rows built from the components' spans (`rows`), and the quote metric (`metric`,
and `scorer` for spaCy's `nlp.evaluate`). Nothing here imports Prefect, the
flow's steps or the flows package: `make lint` checks it (the contracts in pyproject.toml)."""
