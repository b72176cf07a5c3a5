"""Who says what in an article: the rules behind `groundbot draft`, over a spaCy parse.

The ``Drafter`` reads the article paragraph by paragraph and, in each sentence (a "unit":
sentences joined where a quotation runs across them), applies the rules in order:

- quotations with their reporting verb before or after them ("…,” adds X", "X told AFP:
  “…”", "PENCE: …"), in ``knowledge.drafting.quotes``;
- indirect speech ("X said that …", "…, analysts note"), a reporting noun ("Trump’s claim
  that …"), "according to X" and "in the opinion of X", in ``knowledge.drafting.reported_speech``;
- who the speaker is, with the role the article gives them anywhere in it, and "he"/"she"
  carried over from the last speaker, in ``knowledge.drafting.speakers``.

What no rule attributes is the outlet's own sentence. Everything is a finding with
character offsets into its paragraph (``knowledge.drafting.findings``);
``knowledge.drafting.draft`` turns findings into claims.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from knowledge.drafting.findings import Finding, Passage
from knowledge.drafting.quotes import QuoteFinder
from knowledge.drafting.reading import Article, is_prose, quotations
from knowledge.drafting.reported_speech import ReportedSpeechFinder
from knowledge.drafting.speakers import Speaker, SpeakerResolver, SpeakerSearch
from knowledge.drafting.vocabulary import OPEN_QUOTES, PAIRED

if TYPE_CHECKING:
    from spacy.tokens import Doc


class Drafter:
    """Finds who says what in one article: the rules over its paragraphs, in text order.

    Composes the rules, which share one ``SpeakerResolver`` (who spoke last carries over
    from one rule and one paragraph to the next): a ``QuoteFinder`` for quotations and a
    ``ReportedSpeechFinder`` for what is reported without quotation marks.
    """

    def __init__(self, article: Article) -> None:
        self.article = article
        self.speakers = SpeakerResolver(article)
        self.quotes = QuoteFinder(article, self.speakers, SpeakerSearch(article, self.speakers))
        self.reported = ReportedSpeechFinder(article, self.speakers)

    def run(self) -> list[Passage]:
        """The article's findings, and the outlet's own sentences (a passage without a finding), in text order."""
        out: list[Passage] = []
        introduced: tuple[Speaker, str | None, int] | None = None
        for index, para in enumerate(self.article.paras):
            doc = para.doc
            text = doc.text
            if introduced is not None and introduced[2] == index - 1:
                # "He said:" closed the paragraph before: this one is what he said
                speaker, via, _ = introduced
                whole = self.quotes.whole_quote(doc, speaker, via)
                if whole:
                    self.speakers.last_person = (speaker, index) if speaker.person else self.speakers.last_person
                    out += [Passage(f, para, index, (0, len(text))) for f in whole]
                    continue
            introduced = None
            signed = self.quotes.signed(doc, index)
            if signed:
                out += [Passage(f, para, index, (0, len(text))) for f in signed]
                continue
            if not is_prose(text, doc):
                announced = self.quotes.introducer(doc, index)
                introduced = (announced[0], announced[1], index) if announced else None
                continue
            transcript = self.quotes.transcript(doc, index)
            if transcript:
                out += [Passage(f, para, index, (0, len(text))) for f in transcript]
                continue
            quotes = quotations(text)
            units = self._units(doc, quotes)
            self.speakers.paragraph_speaker = None
            for unit in units:
                found: list[Finding] = []
                unit_quotes = [q for q in quotes if unit[0] <= q[0] < unit[1] and q[1] - q[0] > 0]
                found += self.quotes.quoted(doc, unit, unit_quotes, quotes, index)
                found += self.reported.indirect(doc, unit, quotes, index, found)
                found += self.reported.according(doc, unit, index, found)
                found += self.reported.noun_cued(doc, unit, quotes, index, found)
                named = [
                    f.speaker for f in found if f.speaker.span is not None and f.speaker.name != "Unresolved speaker"
                ]
                if named:
                    self.speakers.paragraph_speaker = named[-1]
                covered: set[int] = set()
                for f in found:
                    covered.update(range(*(f.footprint or f.content)))
                    if f.speaker.span:
                        covered.update(range(f.speaker.span[0] - para.start, f.speaker.span[1] - para.start))
                rest = [t for t in doc if unit[0] <= t.idx < unit[1] and t.is_alpha and t.idx not in covered]
                unit_doc = doc.char_span(unit[0], unit[1], alignment_mode="expand")
                if len(rest) >= 5 and unit_doc is not None and is_prose(unit_doc.text, unit_doc):
                    out.append(Passage(None, para, index, unit))
                for f in sorted(found, key=lambda f: f.content):
                    out.append(Passage(f, para, index, unit))
        return out

    @staticmethod
    def _units(doc: "Doc", quotes: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Sentences, joined where a quotation runs across them or a fragment was cut off."""
        units: list[list[int]] = []
        for sent in doc.sents:
            s, e = sent.start_char, sent.end_char
            inside = any(q0 <= s < q1 + 1 for q0, q1 in quotes)
            first = sent.text.lstrip()[:1]
            # "…, O'Neill said, “Not going …”": the splitter cut after a cue's comma or colon
            cut_cue = (
                bool(units)
                and doc.text[units[-1][0] : units[-1][1]].rstrip().endswith((",", ":"))
                and (first in OPEN_QUOTES or sent.text.lstrip().startswith(PAIRED))
            )
            if units and (inside or first.islower() or cut_cue):
                units[-1][1] = e
            else:
                units.append([s, e])
        return [(s, e) for s, e in units]
