"""People across the corpus: one `person_id` per person, whatever name each document gives them,
and their gender, inferred from evidence. Plain functions over the published tables
(`registry.build_registry`); the flow's `register` step (tasks/register.py) runs them.

Handled (identity, identity.py):
- the same full name is one person in every document; spellings fold together: accents, case,
  full stops ("José Núñez", "Jose Nunez"; "Donald J. Trump", "Donald J Trump");
- variants of one name are one person: a middle name or initial ("Donald John Trump", "Donald J.
  Trump", "Donald Trump"), a generational suffix ("John G. Roberts Jr.", "John Roberts"), the
  particles of a surname ("Bill de Blasio"); a nickname an article pairs with the name ('Robert C.
  "Bobby" Scott' joins "Bobby Scott" to "Robert Scott"); a hypocorism of the first name from the
  `nicknames` dataset ("Joe Biden", "Joseph R. Biden Jr."; "Vince", "Vincent Cable") when it points
  to one person only and the pairing does not set the names apart (same first letter, the short
  name no longer and without nicknames of its own, not each other's nickname, no two genders by
  the name statistic or the people's evidence);
- a one-word name ("Obama", written "Mr. Obama" or "President Obama") joins a full-name person
  only when the corpus has exactly one full-name person with that surname whose evidence fits: no
  other gender in its honorifics and role nouns, not named beside it as someone else in one document,
  and documents not told apart (an outlet in common, or dated within a year of each other, or no
  outlet or date on one side to tell them apart); otherwise it is a person of its own ("Clinton"
  when the corpus has Bill and Hillary Clinton);
- two people sharing a surname are never merged ("Bill Clinton", "Hillary Clinton"); two forms one
  document names as two different people are never one person ("Donald Trump" and "Donald Trump
  Jr." in one article), and middle initials that differ are two people ("George W. Bush",
  "George H. W. Bush"); a form that could join either of two people joins neither.
- ids: `p_` + a hash of the person's smallest "first surname" (else of its one-word name), so a
  person's id stays when a document adds a new spelling or more articles; it changes only when
  a document merges two people into one or splits one (a new "George H. W. Bush" splits "George
  Bush" off; a second full-name Obama makes "Obama" a person of its own again).

Handled (gender, gender.py): the articles' own evidence first (honorifics, pronouns resolved to
the person as a speaker, gendered role nouns next to the name, over every document naming the
person), then a first-name statistic above a confidence threshold, else `unknown`;
`gender_evidence` says which decided. The setting `infer_gender` (NEWSFLOW_INFER_GENDER=false,
`--no-gender`) makes every gender `unknown`.

Not handled: outside knowledge (no knowledge base: "Bill" and "William Clinton" stay two unless an
article pairs them, as "Ted" and "Edward Heath": hypocorisms that change the first letter are not
used), a hypocorism that is another person's name ("Jim Morrison", "James Morrison" are joined),
first-name-only mentions ("Hillary" alone),
names written surname first, transliteration variants ("Gaddafi", "Qadhafi"), titles or roles as
evidence of identity (the quotes' `speaker_title` is not compared), two different people with
one and the same full name (one person: nothing in the text tells them apart), and gender beyond
female and male (non-binary people are `unknown` unless the evidence misleads).
"""

from newsflow.tasks.people.registry import Registry, build_registry, women_share

__all__ = ["Registry", "build_registry", "women_share"]
