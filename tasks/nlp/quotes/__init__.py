"""Quotation extraction and speaker attribution.

The rules, along their seams: quotation marks (marks.py), reporting verbs and their grammar
(cues.py), indirect quotes (indirect.py), direct and mixed quotes (direct.py), speakers
(speakers.py, phrases.py, pronouns.py), all run in text order by `extract_quotes` (extract.py),
whose speakers a learned ranker may then rescore (newsflow.tasks.nlp.speaker_model, named by the
component's config);
the spaCy component `newsflow_quotes` (component.py) puts them in `doc.spans["quotes"]`. The
word lists (reporting verbs, ...) are data files in newsflow.tasks.nlp.lexicon.

Handled:
- direct quotes between straight or curly double quotation marks (also '' and `` as some
  newswires write them), over several sentences; single quotes inside them (‘global cop’) are
  part of the quote; a paragraph that leaves its quote open and a next paragraph that re-opens
  with a mark (the multi-paragraph convention) give one quote per paragraph, all with the
  speaker named in any of them; marks that pair with nothing are ignored. Each marked span is
  its own quote: '“A,” she said, “B.”' gives two, of one statement (`._.statement_id`, the
  `quote_id` of its first piece: statements.py).
- indirect quotes: a reporting verb (say, tell, warn, insist, argue, add, ...) with a clausal
  complement ("said that ...", "..., saying ...", "told reporters ...", "..., she said.",
  "told employees in a memo that ..."), cut where a new report starts (", arguing that"), and
  "according to X, ...", "As reported by X, ..." (`as-reported`, the passive only); a negated
  reporting verb ("did not say how many") and a participle said of the listener
  ("Asked whether ..., she said") are no quote; nor is a question about
  the speaker ("Who said the plan would fail?", `no-wh-speaker`), an instruction ("Tell them
  why it works.", `no-report-without-content`), or the subject-less setting a parser hangs on
  a cue whose quote is on its left ('“...,” X said in an interview aired Monday',
  `one-clause-per-cue`);
- frames other than a clause (rule `report-frames`, the lexicon's `report_frames`): "called
  for an inquiry", "called on the governor to act", "called the budget a disgrace", "suggested
  raising the fee", "is talking about building a school" (a gerund: "talked about taxes" names
  a topic), when the subject can speak (a name, a pronoun, a noun for people or organisations;
  not "you", not a relative clause about the frame's object); "confessed that";
- mixed quotes: reported speech holding a partial quote (the quote's text is the whole
  reported clause; also when the clause opens with the quote, `clause-opens-with-a-quote`:
  'said that “we need more time” before the vote', or before its cue, '“I held and hugged”
  grieving families ..., he said', `quote-opens-a-clause-before-its-cue`; also with
  two-character marks, '' or `` and '', as the New York Times' archive text writes them,
  `two-character-marks`) and partial quotes governed by a verb with a subject ("defended ... as
  “fully legitimate”", "invited the U.S. to “set a good example”": the text is the quoted
  words), but not under verbs like have/take/make (`not_cues`);
- questions: "asked whether ...", and "asked the senator if she would ..." where the parser
  hangs the if-clause on "asked" as a condition (`asked-if`);
- speakers: the subject of the cue verb (also through "..., saying" and conjoined verbs), the
  agent of a passive ("was described by X as"), "X was quoted as saying", inverted "said X"
  (also when the parser made the name the object: '“...,” tweeted Sen. X', `inverted-cue-object`;
  or gave it to a relative clause: "X, who sits on the panel, said", `subject-swallowed-by-a-clause`),
  the issuer of a statement ("X issued a statement saying", "ran a piece that noted",
  `statement-issuer`), a poll's share ("60 percent of voters said", `poll-share-speaks`) and
  "those surveyed" (`those-described`),
  a name after a dash ('“...” ― Sonya Herridge'), "Smith, who said" (speaker "who", name
  Smith), the subject's title or apposition as `speaker_title`, organisations and countries,
  nominal speakers linked only on evidence in the text ("the ministry" to an organisation whose
  name holds the word; "the company" to one the text calls a company, or to the one organisation
  named in this paragraph and the one before; "the minister" to a person with that title, an
  apposition "the minister, X" or a predicate "X is the minister"), otherwise `speaker_name`
  keeps the nominal and `speaker_entity_id` is null; a description with words about its holder
  ("the independent Oregon senator", `salient-description`) or a party noun ("the Republican",
  `partisan-description`) is the person the nearest sentences are about; a possessed
  statement ("X's statement said", "X's brief argued") quotes its owner; pronouns (he/she to a
  person of a compatible gender, preferring subjects of recent sentences, and a subject
  description the text ties to a person, "The minister toured ... She said",
  `pronoun-to-description`; a main-clause subject pronoun after a fronted
  phrase skips the names inside it, "At a dinner hosted by X, he said",
  `pronoun-after-fronted-adjunct`; they to an organisation, a country or a plural subject; it
  to an organisation or country). A quote with no cue takes the speaker of the previous quote in
  its paragraph or the one before (two before, when the paragraph between is about that
  speaker), with `speaker` null since nobody is written next to it; a different person who is
  the subject or agent of a sentence in between takes it instead, and a paragraph between
  that names another person otherwise leaves it with no speaker.

Not handled: group speakers ("A, B and C said": the quote gets A alone), frames tried and
dropped because they lowered held-out bbc-test ("accused X of V-ing", "promised to V"),
generic hypothetical speech ("some might say": dropped for the same reason), indirect questions
("asked whether ...": kept as quotes, PolNeAR and the canonical polnear-train gold count them),
a bare office with no holder written ("the senator said": no guess), quotes in single
quotation marks only (British style), guillemets as pairs only partly, block quotes without
marks, speakers named only after a quote in a later sentence ("That was the message from X"),
nominal coreference beyond title and head-word matches, cues that the parser does not attach to
the quote, and world knowledge (which coach is meant).
Dropped as not speech: numbers and ids in marks, short title-cased spans mid-sentence (“Face
the Nation”), and one- to three-word scare quotes with no verb or speaker to attach them to.
"""

from newsflow.tasks.nlp.quotes.component import QuoteExtractor, cue_lemma, quote_span
from newsflow.tasks.nlp.quotes.extract import extract_quotes
from newsflow.tasks.nlp.quotes.marks import find_marked_spans
from newsflow.tasks.nlp.quotes.records import Quote

__all__ = ["Quote", "QuoteExtractor", "cue_lemma", "extract_quotes", "find_marked_spans", "quote_span"]
