"""A learned speaker ranker over candidate mentions (issue 30): scores each quote's candidate
speakers and changes the rules' choice where it measured better (see README.md). The
`newsflow_quotes` component takes it from its config (`newsflow.speaker_ranker.v1`)."""
