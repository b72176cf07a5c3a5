"""Reading an article: its paragraphs as spaCy docs, its quotation marks, its header lines,
and the roles it gives people; and the text tidying every drafted statement goes through.

Everything downstream works on paragraph-relative character offsets; ``Paragraph.start``
turns them into offsets into the text as given (``read_header`` blanks a header rather than
cutting it, so that those stay offsets into the article).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from knowledge.drafting.vocabulary import CLOSE_QUOTES, LEADING, OPEN_QUOTES, PAIRED, cue_form

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

# --- the text ------------------------------------------------------------------------------


@dataclass
class Paragraph:
    """One paragraph (a non-blank line) of the article, parsed; ``start`` is where it begins in the text."""

    start: int
    doc: "Doc"


def paragraphs(nlp: "Language", text: str) -> list[Paragraph]:
    """Every non-blank line of ``text`` as a parsed paragraph, in order."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    docs = nlp.pipe(text[s:e] for s, e in spans)
    return [Paragraph(s, d) for (s, _), d in zip(spans, docs)]


def is_prose(span_text: str, doc: "Doc | Span") -> bool:
    """A sentence rather than a title, a byline or a caption: a verb, five words, a final stop."""
    words = [t for t in doc if t.is_alpha]
    has_verb = any(t.pos_ in ("VERB", "AUX") for t in doc)
    return has_verb and len(words) >= 5 and span_text.rstrip().rstrip("”\"’')").endswith((".", "!", "?"))


def quotations(text: str) -> list[tuple[int, int]]:
    """Inner (start, end) of each quotation in a paragraph. An opening mark that is never
    closed counts only at the start of the paragraph (a quote running on to the next one).
    Two apostrophes are a quotation mark too, as some wires and archives type them."""
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if text.startswith(PAIRED, i) and (i == 0 or not text[i - 1].isalnum()):
            j = text.find(PAIRED, i + 2)
            if j < 0:
                if not text[:i].strip():
                    out.append((i + 2, len(text)))
                break
            out.append((i + 2, j))
            i = j + 2
            continue
        if ch in OPEN_QUOTES and (ch != '"' or i == 0 or not text[i - 1].isalnum()):
            closer = "”" if ch == "“" else ("»" if ch == "«" else '"')
            j = text.find(closer, i + 1)
            if ch == "“" and j < 0:
                j = text.find('"', i + 1)
            if j < 0:
                if i == 0 or not text[:i].strip():
                    out.append((i + 1, len(text)))
                break
            out.append((i + 1, j))
            i = j + 1
            continue
        i += 1
    return out


def is_quote_mark(token_text: str) -> bool:
    """Whether a token is a quotation mark, opening or closing."""
    return token_text in OPEN_QUOTES or token_text in CLOSE_QUOTES or token_text == PAIRED


def clean_text(text: str) -> str:
    """``text`` on one line, without the punctuation a cut leaves at either end."""
    text = re.sub(r"\s+", " ", text).strip()
    text = text.strip(" ,;:–—-")
    return text


def as_sentence(text: str) -> str:
    """``text`` as a statement: no leading conjunction, balanced quotation marks, capital, stop."""
    # two apostrophes as quotation marks read as typographic ones in a statement
    parts = text.split(PAIRED)
    text = "".join(p + ("“" if i % 2 == 0 else "”") for i, p in enumerate(parts[:-1])) + parts[-1]
    text = clean_text(LEADING.sub("", clean_text(text)))
    text = text.rstrip(",;:–— ")
    # A quote mark left open by cutting at a clause edge would read as a typo.
    if text.count("“") > text.count("”"):
        text += "”" * (text.count("“") - text.count("”"))  # cut inside a quotation: close it
    if text.count("”") > text.count("“"):
        text = text[::-1].replace("”", "", text.count("”") - text.count("“"))[::-1]
    if not text:
        return text
    text = text[0].upper() + text[1:]
    if not text.endswith((".", "!", "?", ".”", "?”", "!”", '."', '?"', '!"')):
        text += "."
    return text


def strip_the(name: str) -> str:
    """A name as a label: cleaned, first letter capital ("the Pentagon" -> "The Pentagon")."""
    name = clean_text(name)
    return name[0].upper() + name[1:] if name else name


# --- the header ----------------------------------------------------------------------------


@dataclass
class Header:
    """What the optional "Title:/Outlet:/Date:/URL:" header lines of an article said."""

    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    url: str | None = None


_HEADER = re.compile(r"^(title|outlet|date|published|url)\s*:\s*(.*)$", re.IGNORECASE)


def read_header(text: str) -> tuple[Header, str]:
    """Split the optional header lines off; the body keeps its length (header blanked) so
    that offsets into the body are offsets into the text as given."""
    header = Header()
    out = []
    in_header = True
    for line in text.splitlines(keepends=True):
        m = _HEADER.match(line.strip()) if in_header else None
        if m and m.group(2).strip():
            key, value = m.group(1).lower(), m.group(2).strip()
            setattr(header, {"date": "published"}.get(key, key), value)
            out.append(re.sub(r"[^\n]", " ", line))
            continue
        if line.strip():
            in_header = False
        out.append(line)
    return header, "".join(out)


# --- the article ---------------------------------------------------------------------------


class Article:
    """One article being drafted: its paragraphs, who publishes it, and the roles it gives people.

    Read once, up front: the roles come from the whole article, so a speaker quoted before
    the paragraph that introduces them still gets their role. Who has spoken so far is the
    ``SpeakerResolver``'s business (``knowledge.drafting.speakers``).
    """

    def __init__(self, nlp: "Language", text: str, outlet: str) -> None:
        self.nlp = nlp
        self.text = text
        self.outlet = outlet
        self.paras = paragraphs(nlp, text)
        self.roles: dict[str, tuple[str, str]] = {}  # surname or full name -> (full name, role)
        self.titles: dict[str, set[str]] = {}  # "president" -> names titled so
        self._collect_roles()

    def _collect_roles(self) -> None:
        """Roles: "Yohann Michel, analyst at the IISS" and "Russian President Vladimir Putin"."""
        for para in self.paras:
            doc = para.doc
            for ent in doc.ents:
                if ent.label_ == "PERSON" and len(ent) == 1:
                    title = self._title(doc, ent)
                    if title:
                        # "President Obama": only to tell who "the president" is, not a role for the label
                        self.titles.setdefault(title.lower().split()[-1], set()).add(self._full_name(ent.text))
                if ent.label_ != "PERSON" or len(ent) < 2:
                    continue
                role = self.appositive(doc, ent) or self._title(doc, ent)
                if role and ent.text not in self.roles:
                    self.roles[ent.text] = (ent.text, role)
                    self.roles.setdefault(ent[-1].text, (ent.text, role))

    def start_of(self, doc: "Doc") -> int:
        """Where the paragraph parsed as ``doc`` starts in the article (0 if it is none of them)."""
        for p in self.paras:
            if p.doc is doc:
                return p.start
        return 0

    @staticmethod
    def appositive(doc: "Doc", ent: "Span") -> str | None:
        """The role set off by commas after a name: "Yohann Michel, analyst at the IISS, …"."""
        i = ent.end
        if i + 1 >= len(doc) or doc[i].text != ",":
            return None
        first = doc[i + 1]
        if not (first.is_lower or first.lower_ in ("the", "a", "an")) or cue_form(first.text):
            return None
        if first.pos_ not in ("NOUN", "ADJ", "DET", "PROPN"):
            return None
        j = i + 1
        depth = 0
        while j < len(doc):
            t = doc[j]
            if t.text == "(":
                depth += 1
            elif t.text == ")":
                depth -= 1
            elif depth == 0 and (
                t.text in (",", ".", ";", "”", "“", "–", "—") or cue_form(t.text) and t.pos_ == "VERB"
            ):
                break
            j += 1
        role = doc[i + 1 : j]
        if not 1 <= len(role) <= 16:
            return None
        return clean_text(role.text)

    @staticmethod
    def _title(doc: "Doc", ent: "Span") -> str | None:
        """The title written before a name: "Russian President" in "Russian President Vladimir Putin"."""
        j = ent.start
        while (
            j > 0
            and doc[j - 1].dep_ in ("compound", "amod")
            and doc[j - 1].head.i in range(j, ent.end)
            and doc[j - 1].is_alpha
        ):
            j -= 1
        return (
            doc[j : ent.start].text
            if j < ent.start and any(t.pos_ == "PROPN" or t.pos_ == "NOUN" for t in doc[j : ent.start])
            else None
        )

    def titled(self, noun: str) -> tuple[str, str | None] | None:
        """The person whose role or title ends with ``noun`` ("President Obama" for "president"), if only one."""
        people = {full: role for full, role in self.roles.values() if role and role.lower().split()[-1] == noun}
        for name in self.titles.get(noun, set()):
            full, role = self.roles.get(name, (name, None))
            if not any(name in known for known in people):
                people[full] = role or ""
        if len(people) != 1:
            return None
        full, role = next(iter(people.items()))
        return full, role

    def _full_name(self, surname: str) -> str:
        """The longest PERSON name in the article ending with ``surname``."""
        names = [e.text for p in self.paras for e in p.doc.ents if e.label_ == "PERSON" and e[-1].text == surname]
        return max(names, key=len) if names else surname
