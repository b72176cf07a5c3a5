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


# What a question asks for, and whether a text can supply it. A claim that gives no time
# cannot answer "when…?", however many words it shares with the question.
_ASKS = {
    "price": re.compile(
        r"\bhow\s+much\b.*\b(cost|costs|pay|paid|worth|price|charge)\b|\bwhat\s+(is\s+|does\s+)?(the\s+)?(price|cost)\b"
    ),
    "time": re.compile(r"\b(when|how\s+long|(what|which)\s+(year|date|day|days|month|time))\b"),
    "count": re.compile(r"\bhow\s+(many|much)\b"),
    # Where something happened or will happen; "where is my luggage", "where can I…" ask
    # for a service more often than for a fact, and are left to the scoring.
    "place": re.compile(
        r"\bwhere\s+(did|was|were|had|has|have|will|would)\b"
        r"|\b(in|at)\s+(which|what)\s+(country|city|town|place|region|venue|location|capital)\b"
    ),
}
_MONTHS_AND_DAYS = (
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday"
).replace(" ", "|")
_GIVES = {
    # A date proper: a year, a month or a day of the week; only it answers a "when" question
    # whose best claim gives no time at all (a fallback, so it must be unmistakable).
    "date": re.compile(rf"\b((?:19|20)\d\d|{_MONTHS_AND_DAYS})\b"),
    "price": re.compile(
        r"[$€£¥₽]|\b(dollars?|euros?|pounds|rubles?|roubles?|yuan|won|usd|eur|price[sd]?|costs?|paid|worth)\b"
    ),
    "time": re.compile(
        rf"\b(\d{{4}}s?|{_MONTHS_AND_DAYS}|yesterday|today|tomorrow|years?|months?|weeks?|days?|"
        r"decades?|ago|since|recently|now|currently|already|era)\b"
    ),
    # A count is a number that is neither a year, a measure ("122 mm") nor part of a name
    # ("BM-21", "D-30"), or a word for a quantity.
    "count": re.compile(
        r"(?<![\w-])(?!(?:19|20)\d\d\b)\d[\d,.]*(?![\w-]|\s?(?:mm|cm|km|kg|m|%)\b)|"
        r"\b(hundreds?|thousands?|millions?|billions?|dozens?|numerous|several|many|few|twice|"
        r"once|half|percent|two|three|four|five|six|seven|eight|nine|ten)\b"
    ),
}


# A place: a preposition of place before a name ("in Bakhmut", "from Pyongyang", "into
# eastern Ukraine") or before a noun for a place ("on the battlefield", "into orbit"), or a
# relative "where". Read with its capitals, so "in exchange" and "at the beginning" are not.
_PLACE_NOUNS = (
    "battlefield|front|frontline|border|city|capital|region|country|base|port|cosmodrome|territory|coast|"
    "sea|theat(?:er|re)|area|zone|province|village|town|embassy|airport|station|camp|summit"
)
_PLACE = re.compile(
    r"\b(?:[Ii]n|[Aa]t|[Nn]ear|[Ff]rom|[Ii]nside|[Oo]utside|[Ii]nto|[Aa]cross|[Aa]long|[Vv]ia|[Tt]owards?)\s+"
    r"(?:the\s+)?(?:(?:north|south|east|west)(?:ern)?\s+)?"
    rf"(?!(?:{_MONTHS_AND_DAYS.title()})\b)[A-Z]"
    rf"|\b(?:in|at|on|near|into|from)\s+(?:(?:the|a|an|its|their|his|her)\s+)?(?:[a-z-]+\s+)?(?:{_PLACE_NOUNS})\b"
    r"|\bwhere\b"
)


def asks_for(question: str) -> str | None:
    """ "time" for a when-question, "price" for what something costs, "count" for
    how-many/how-much, "place" for where something happened, else None."""
    text = normalize(question)
    return next((kind for kind, pattern in _ASKS.items() if pattern.search(text)), None)


def answer_kinds(formal: str, phrasings: list[str], statement: str | None = None) -> frozenset[str]:
    """What kinds of question a claim can answer: those its text supplies, or its phrasings ask.

    ``formal`` is the claim's text (statement, quote, attribution); a place is read from the
    ``statement`` alone (default: ``formal``), as "analyst at the Institute" in an attribution
    says where someone works, not where the claimed thing happened.
    """
    text = normalize(formal)
    asked = set(map(asks_for, phrasings))
    kinds = {kind for kind, pattern in _GIVES.items() if pattern.search(text) or kind in asked}
    if _PLACE.search(visible(statement if statement is not None else formal)) or "place" in asked:
        kinds.add("place")
    return frozenset(kinds)


# The unit a rate is counted in ("per day", "a week", "daily"): "How many shells a day?"
# is not answered by a claim that gives no figure per day.
_RATE = re.compile(
    r"\b(?:per|a|an|each|every)\s+(day|week|month|year|hour|minute)\b|\b(daily|weekly|monthly|yearly|annually|hourly)\b"
)
_RATE_ADJECTIVES = {
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "yearly": "year",
    "annually": "year",
    "hourly": "hour",
}


def rate_unit(question: str) -> tuple[str, ...]:
    """The stems a rate in the question is counted in ("day", "daili" for "per day" or
    "daily"), any of which a claim must use to give that rate; () when there is no rate."""
    found = _RATE.search(normalize(question))
    if not found:
        return ()
    unit = found.group(1) or _RATE_ADJECTIVES[found.group(2)]
    adjective = next(a for a, u in _RATE_ADJECTIVES.items() if u == unit) if unit in _RATE_ADJECTIVES.values() else unit
    return tuple(dict.fromkeys([stem(unit), stem(adjective)]))


# A time the question pins what it asks to ("this year", "last month", "yesterday").
_PINNED = re.compile(
    r"\b(?:this|last|next|past)\s+(year|month|week|weekend|night|morning|evening|summer|winter|spring|autumn)\b"
    r"|\b(today|yesterday|tomorrow|tonight)\b"
)


def pinned_time(question: str) -> str | None:
    """The phrase a question pins its time with ("this year", "yesterday"), or None."""
    found = _PINNED.search(normalize(question))
    return found.group(0) if found else None


_HOW_MANY = re.compile(r"\bhow\s+many\s+(.*)")
# Words between "how many" and the counted thing that are not the thing.
_COUNT_QUALIFIERS = frozenset("more other different new total extra additional such".split())


def counted_words(question: str) -> tuple[str, ...]:
    """The words naming what a how-many question counts ("How many artillery shells…" ->
    ("artillery", "shells"), "how many rounds of artillery" -> ("rounds", "artillery")):
    up to three content words right after "how many", as written."""
    found = _HOW_MANY.search(normalize(question))
    if not found:
        return ()
    out: list[str] = []
    following = words(found.group(1))[:5]
    if following[:1] == ("times",):  # a count of occurrences, not of a thing
        return ()
    for i, w in enumerate(following):
        if w in _COUNT_QUALIFIERS and not out:
            continue
        if w == "of" and out and i + 1 < len(following):
            continue  # "rounds of artillery": the thing may be named after "of"
        if w in STOPWORDS or w[0].isdigit():
            break
        out.append(w)
        if len(out) == 3:
            break
    return tuple(out)


# Verbs of handing something over and of getting it, as stems (irregular forms are already
# their lemma's: "sent" is "send"). "turn to X for" gets from X.
_GIVING = frozenset(terms("send supply give sell deliver ship provide transfer export lend hand smuggle"))
_GETTING = frozenset(terms("get receive buy obtain acquire import purchase seek request"))
_TURNING = frozenset(terms("turn"))


def roles(text: str, names: frozenset[str] | set[str]) -> tuple[str | None, str | None]:
    """(giver, receiver) of the first giving or getting verb in a match text (stems and
    stopwords, as ``analyse`` makes it), each a term from ``names`` or None.

    "iran give drone to russia" -> ("iran", "russia"); "russia turn to iran for drone" ->
    ("iran", "russia"); "did iran get drone from russia" -> ("russia", "iran").
    """
    tokens = text.split()
    for v, token in enumerate(tokens):
        kind = (
            "give"
            if token in _GIVING
            else "get"
            if token in _GETTING
            else "turn"
            if token in _TURNING and tokens[v + 1 : v + 2] == ["to"]
            else None
        )
        if kind is None:
            continue
        subject = next((t for t in reversed(tokens[:v]) if t in names), None)
        after = tokens[v + 1 :]
        marked = {
            prep: after[i + 1] for i, prep in enumerate(after[:-1]) if prep in ("to", "from") and after[i + 1] in names
        }
        first_after = next((t for t in after if t in names), None)
        if kind == "give":
            return subject, marked.get("to") or (first_after if "from" not in marked else None)
        if kind == "get":
            return marked.get("from"), subject
        return marked.get("to"), subject
    return None, None


_SPEECH = frozenset(terms("say tell claim think announce state warn believe argue insist"))
_ASKS_SPEAKER = re.compile(
    r"\bwhat\s+(?:did|does|do|has|have|will|would)\s+(.+?)\s+(?:say|said|tell|told|claim|think|announce|state|warn|believe|argue|insist)\b"
)


def asked_speaker(question: str) -> tuple[str, ...]:
    """The words naming whose words a "What did X say…?" question asks for (as written)."""
    found = _ASKS_SPEAKER.search(normalize(question))
    return tuple(w for w in words(found.group(1)) if w not in STOPWORDS) if found else ()


_FIRST_AND_SECOND_PERSON = frozenset("i me my mine myself you your yours yourself".split())
# Ways of asking that say "you" and "me" without being about either: "can you tell me how
# many shells…", "do you know whether…", "I'd like to know…".
_ASKING_FRAME = re.compile(
    r"\b(?:(?:can|could|would|will) you (?:please )?(?:tell|show|give|let|remind|help) me"
    r"|(?:do|did) you (?:know|have any idea|happen to know)|(?:please )?(?:tell|show|remind|let) me"
    r"|i (?:want|need|would like|d like|wish|wanted) to (?:know|understand|find out|ask)"
    r"|i (?:wonder|was wondering|am wondering|m wondering|am curious|m curious|heard|read|saw)"
    r"|help me (?:understand|find out)|what do you (?:think|know|have) (?:of|about|on)"
    r"|do you have (?:any )?(?:information|info|news|figures|data) (?:of|about|on))\b"
)


def personal(text: str) -> bool:
    """Whether ``text`` is about the one asking or the one asked ("how many days off have I
    used?", "what are your interests?", "thanks for your help"), once its ways of asking
    ("can you tell me…") are set aside."""
    tokens = words(text)
    if _FIRST_AND_SECOND_PERSON.isdisjoint(tokens):
        return False
    return not _FIRST_AND_SECOND_PERSON.isdisjoint(_ASKING_FRAME.sub(" ", " ".join(tokens)).split())


def speakers(attribution: str, statement: str) -> set[str]:
    """Stems naming who says a claim: its attribution and ``via``, and the names a statement
    puts right before a verb of saying ("Putin said…")."""
    out = set(terms(attribution))
    tokens = terms(statement)
    for i, token in enumerate(tokens):
        if token in _SPEECH:
            out.update(tokens[max(0, i - 3) : i])
    return out
