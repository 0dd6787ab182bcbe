"""Turn a decoded article into a clean `Document`: headline out as `title`, body text only.

The cleaned text is the document's final text: every later offset indexes into it, none into the
raw file. Plain text goes through body.py; HTML pages are first reduced to their article text and
metadata by trafilatura (page.py); bylines and datelines become `authors`, `dateline` and an
outlet hint (byline.py); scraping debris is removed by the named rules in debris.py.

Handles: the headline (first short line), photo captions with their credit line, bare photo
credits, bylines, datelines ("WASHINGTON (Reuters) -"), boilerplate lines (Advertisement,
share bars, copyright), mojibake (repaired with ftfy), Unicode (NFC), control characters, CRLF
and whitespace. Scraping debris, one rule each (debris.py):
- `embed_placeholder`: markup or placeholders of embeds ("<tweet ...>", "[Video: ...]"), dropped;
- `gallery_caption`: gallery captions and their controls ("Open this photo in gallery ...",
  "Enlarge this image", "Image 3 of 12", "hide caption"), dropped;
- `caption_credit`: a caption line ending in a credit ("Protesters march. Jane Doe/The Daily
  Planet", "... (Jane Doe/AFP)"), dropped; on a long or quoting line only the credit goes;
  whole credit lines ("JANE DOE/AFP/Getty Images", "Getty/Instagram.") go with the credits;
- `inline_photo_credit`: a credit in parentheses inside a sentence ("(John Roe/Canadian Press)",
  "( Jane Doe / The Daily Planet )", "(AP Photo/Jane Doe)"), cut out;
- `social_embed`: an embedded post's link and signature ("pic.twitter.com/AbC123 — City Hydro
  (@cityhydro) December 22, 2018", "A post shared by ...", t.co links), cut out; the post's
  words stay, and a line with nothing else goes;
- `promo_line`: promotion and navigation ("LOOK: ...", "WATCH: ...", "READ MORE: ...",
  "RELATED: ...", "See also: ...", "Read the rest here."), dropped;
- `handles_and_hashtags`: lines of only handles and hashtags, dropped. A handle inside a
  sentence stays ("said on Twitter, @cityhydro, that ..."): it is how the article names the
  account, and it may be all the article says of who spoke;
- `recipe_line`: ingredient lines ("2 tbsp olive oil", "3 large onions, finely chopped") and
  recipe headings ("Ingredients", "Serves 4", "Prep time: 15 minutes"), dropped;
- at the article's end only: `contributors` ("With files from ...", "Jane Doe contributed
  reporting.", "(Reporting by ...; Editing by ...)") and `author_bio` ("Jane Doe is a columnist
  for ...", "Follow Jane Doe on Twitter"), dropped.
Quotation marks are kept exactly as written: they carry the quotes. A sentence is not debris for
containing a slash ("the Reuters/Ipsos poll"), "Read" or "Related" ("Related charges were
filed"), a handle, or Twitter.

Does not handle: captions that carry no credit line and do not look like one; a credit run into
the caption without a sentence end ("... on Saturday Jane Doe/AFP"); one-word slash credits
without an agency ("Nasa/JPL"), while two names of two words in parentheses ("(New York/New
Jersey)") are taken for a credit; the words of an embedded post (kept: where they begin is not
marked); promo lines glued to a paragraph; author bios without a newsroom word ("Jane Doe is the
former mayor of Springfield."), bios before the article's end; a recipe's steps (sentences);
multi-article pages.
"""

from newsflow.tasks.clean.body import (
    MAX_SYMBOL_RUN,
    body_text,
    clean_body,
    clean_document,
    document_id,
    normalise_text,
    split_blocks,
)
from newsflow.tasks.clean.page import read_page
from newsflow.tasks.nlp.credits import is_credit

__all__ = [
    "MAX_SYMBOL_RUN",
    "body_text",
    "clean_body",
    "clean_document",
    "document_id",
    "is_credit",
    "read_page",
    "normalise_text",
    "split_blocks",
]
