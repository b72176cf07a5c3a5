"""Text normalisation and terms, shared by indexing and querying so both see the same words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

import simplemma
import Stemmer

_stemmer = Stemmer.Stemmer("english")
K = TypeVar("K")
V = TypeVar("V")

# Unicode's default-ignorable code points (DerivedCoreProperties.txt): zero-width spaces
# and joiners, soft hyphens, bidi marks and controls, variation selectors, fillers, tags.
# They survive NFKC, show as nothing, and split a word in two ("Ko\u200drea").
_INVISIBLE = dict.fromkeys(
    [
        0x00AD,
        0x034F,
        0x061C,
        0x115F,
        0x1160,
        0x17B4,
        0x17B5,
        *range(0x180B, 0x1810),
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2070),
        0x3164,
        *range(0xFE00, 0xFE10),
        0xFEFF,
        0xFFA0,
        *range(0xFFF0, 0xFFF9),
        *range(0x1BCA0, 0x1BCA4),
        *range(0x1D173, 0x1D17B),
        *range(0xE0000, 0xE1000),
    ]
)
_URL = re.compile(r"\b(?:https?://|www\.|pic\.twitter\.com/)\S*", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@\w+")
# A number keeps its decimal point; thousands separators go ("40,000" == "40000").
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*(?:st|nd|rd|th)?|[^\W_]+", re.UNICODE)
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")
_DIGIT = re.compile(r"\d")

# Number words become digits so that "third" meets "3rd" and "twice" meets "2"; "one" and
# "first" are left alone, being more often a pronoun or an adverb than a count.
_NUMBER_WORDS = {
    **{
        w: str(i)
        for i, w in enumerate(
            "_ _ two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
            "sixteen seventeen eighteen nineteen twenty".split()
        )
        if i >= 2
    },
    **{w: str(10 * i) for i, w in enumerate("_ _ _ thirty forty fifty sixty seventy eighty ninety".split()) if i >= 3},
    **{
        w: f"{i}{'nd' if i == 2 else 'rd' if i == 3 else 'th'}"
        for i, w in enumerate("_ _ second third fourth fifth sixth seventh eighth ninth tenth".split())
        if i >= 2
    },
    "twice": "2",
    "thrice": "3",
}
SCALES = frozenset({"hundr", "hundred", "thousand", "million", "billion", "trillion", "dozen"})

STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself
    just me more most my myself no nor not now of off on once only or other our ours ourselves out
    over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves tell know please s t many much might may must shall
    ve re ll d m don doesn didn isn aren wasn weren won wouldn couldn shouldn hasn haven hadn
    """.split()
)


_ASCII_CONTROLS = dict.fromkeys([*range(9), 11, 12, *range(14, 32), 127])


def visible(text: str) -> str:
    """``text`` without its default-ignorable code points (zero-width joiners, soft hyphens…)."""
    return text if text.isascii() else text.translate(_INVISIBLE)


def normalize(text: str) -> str:
    """Casefold, strip accents and invisible characters, and fold compatibility forms."""
    if text.isascii():  # most text: one C-level check instead of the character walk below
        return text.translate(_ASCII_CONTROLS).lower()
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch) and (ch.isprintable() or ch.isspace()))


@lru_cache(maxsize=8192)  # indexing reads each text several ways in a row
def words(text: str) -> tuple[str, ...]:
    """The normalised words of ``text``; links and @handles are addresses, not words."""
    text = normalize(text)
    if "@" in text:
        text = _HANDLE.sub(" ", text)
    if "http" in text or "www." in text or "pic.twitter" in text:
        text = _URL.sub(" ", text)
    tokens = _TOKEN.findall(text)
    if _DIGIT.search(text):
        tokens = [
            (t.replace(",", "") if _THOUSANDS.match(t) else t.replace(",", ".")) if t[0].isdigit() else t
            for t in tokens
        ]
    return tuple([_NUMBER_WORDS.get(t, t) for t in tokens])


def memoised(cache: dict[K, V], key: K, make: Callable[[K], V], limit: int = 500_000) -> V:
    """``cache[key]``, made with ``make(key)`` the first time; the cache is emptied at ``limit``.

    A plain dict rather than an lru_cache: a dict of strings is never scanned by the
    garbage collector, where an lru_cache's linked-list nodes are, and a cache held by an
    object does not tie it into a reference cycle as an lru_cache of a bound method does.
    """
    found = cache.get(key)
    if found is None:
        if len(cache) >= limit:
            cache.clear()
        found = cache[key] = make(key)
    return found


_stems: dict[str, str] = {}


def _stem(word: str) -> str:
    if word[0].isdigit():
        return word
    return _stemmer.stemWord(irregular_lemma(word))


def stem(word: str) -> str:
    """The Snowball stem of one normalised word, irregular forms first taken to their lemma
    ("sent" -> "send", "bought" -> "buy"); numbers are left as they are."""
    return memoised(_stems, word, _stem)


def irregular_lemma(word: str) -> str:
    """The dictionary form of ``word`` when Snowball alone would not join them ("fought" ->
    "fight", "men" -> "man"), else ``word``.

    simplemma's English table (a maintained package, not a hand list) gives the lemma;
    it is used only where the stems differ, so regular forms keep Snowball's own families,
    and never where the lemma is a stopword ("us" is "we") or a name ("russia" is "Russia").
    """
    lemma = simplemma.lemmatize(word, lang="en")
    if lemma == word or not lemma.islower() or lemma in STOPWORDS or len(lemma) < 2:
        return word
    return lemma if _stemmer.stemWord(lemma) != _stemmer.stemWord(word) else word


def terms(text: str) -> list[str]:
    """The stemmed content terms of ``text``, stopwords removed, in order."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def analyse(text: str, repair: Callable[[str], str] | None = None) -> tuple[list[str], str]:
    """The stemmed content terms of ``text`` (as ``terms``), and ``text`` as the fuzzy scorer
    compares it: stopwords kept, content words stemmed and, for a question, passed through
    the matcher's typo ``repair``. One pass over the words."""
    content: list[str] = []
    parts: list[str] = []
    for w in words(text):
        if w in STOPWORDS:
            parts.append(w)
        else:
            term = repair(stem(w)) if repair else stem(w)
            content.append(term)
            parts.append(term)
    return content, " ".join(parts)


def is_number(term: str) -> bool:
    """Whether a term is a number or a scale word (these must match exactly, never fuzzily)."""
    return term[0].isdigit() or term in SCALES


def proper_nouns(text: str) -> set[str]:
    """Stems of the words ``text`` writes with a capital letter other than at a sentence start."""
    out = set()
    for sentence in re.split(r"(?<=[.!?:;“\"(])\s+|^", visible(text)):
        for i, match in enumerate(re.finditer(r"[^\W\d_][^\W_]*", sentence)):
            word = match.group()
            if i > 0 and word[0].isupper():
                out.add(stem(normalize(word)))
    return out


def lowercase_words(text: str) -> set[str]:
    """The words ``text`` writes in lower case (as written, before normalisation)."""
    return {normalize(w) for w in re.findall(r"(?<![\w-])[^\W\d_A-Z][\w]*", visible(text)) if w[0].islower()}
