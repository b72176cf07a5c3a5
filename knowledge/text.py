"""Text normalisation and terms, shared by indexing and querying so both see the same words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import Stemmer

_stemmer = Stemmer.Stemmer("english")

# Zero-width and bidi controls survive NFKC and split words invisibly.
_INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)
_URL = re.compile(r"\b(?:https?://|www\.|pic\.twitter\.com/)\S*", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@\w+")
# A number keeps its decimal point; thousands separators go ("40,000" == "40000").
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W_]+", re.UNICODE)
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")

STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself
    just me more most my myself no nor not now of off on once only or other our ours ourselves out
    over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves tell know please s t
    ve re ll d m don doesn didn isn aren wasn weren won wouldn couldn shouldn hasn haven hadn
    """.split()
)


def normalize(text: str) -> str:
    """Casefold, strip accents and invisible characters, and fold compatibility forms."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch) and (ch.isprintable() or ch.isspace()))


def words(text: str) -> list[str]:
    """The normalised words of ``text``; links and @handles are addresses, not words."""
    text = _HANDLE.sub(" ", _URL.sub(" ", normalize(text)))
    out = []
    for token in _TOKEN.findall(text):
        if token[0].isdigit():
            token = token.replace(",", "") if _THOUSANDS.match(token) else token.replace(",", ".")
        out.append(token)
    return out


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball stem of one normalised word; numbers are left as they are."""
    return word if word[0].isdigit() else _stemmer.stemWord(word)


def terms(text: str) -> list[str]:
    """The stemmed content terms of ``text``, stopwords removed, in order."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def match_text(text: str, stem_word: Callable[[str], str] = stem) -> str:
    """``text`` as the fuzzy scorer compares it: stopwords kept, content words stemmed."""
    return " ".join(w if w in STOPWORDS else stem_word(stem(w)) for w in words(text))


def is_number(term: str) -> bool:
    """Whether a term is a number (numbers must match exactly, never fuzzily)."""
    return term[0].isdigit()


def proper_nouns(text: str) -> set[str]:
    """Stems of the words ``text`` writes with a capital letter other than at a sentence start."""
    out = set()
    for sentence in re.split(r"(?<=[.!?:;“\"(])\s+|^", text):
        for i, match in enumerate(re.finditer(r"[^\W\d_][^\W_]*", sentence)):
            word = match.group()
            if i > 0 and word[0].isupper():
                out.add(stem(normalize(word)))
    return out


def lowercase_words(text: str) -> set[str]:
    """The words ``text`` writes in lower case (as written, before normalisation)."""
    return {normalize(w) for w in re.findall(r"(?<![\w-])[^\W\d_A-Z][\w]*", text) if w[0].islower()}
