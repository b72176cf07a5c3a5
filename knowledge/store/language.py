"""What English text says beyond its words, read the same way for a claim when the store is
built and for a question when it is answered: what a question asks for (a time, a count, a
price, a place; whose words), what a claim can supply, who gives to whom, who speaks, and
whether a text is about the one asking or the one asked."""

from __future__ import annotations

import re

from knowledge.store.text import STOPWORDS, normalize, stem, terms, visible, words

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
# Verbs of saying and of reporting what was found, in every form a "what did X …?" takes:
# "what did the report find?", "what has the minister announced?".
_ASKING_VERBS = (
    "say|says|said|tell|tells|told|claim|claims|claimed|think|thinks|thought|announce|announced|state|stated|"
    "warn|warned|believe|believed|argue|argued|insist|insisted|find|found|report|reported|write|wrote|written|"
    "conclude|concluded|estimate|estimated|predict|predicted|suggest|suggested|reveal|revealed|explain|explained|"
    "confirm|confirmed|deny|denied"
)
_ASKS_SPEAKER = re.compile(rf"\bwhat\s+(?:did|does|do|has|have|had|will|would)\s+(.+?)\s+(?:{_ASKING_VERBS})\b")
# Their stems: what a question says besides whose words it asks for ("say" in "what did X say?").
ASKING_VERBS = frozenset(terms(_ASKING_VERBS.replace("|", " ")))


_TOPIC_LEAD = re.compile(r"^\W*(?:(?:about|on|of|regarding|concerning|over|in)\b)?")


def whose_words(question: str) -> tuple[tuple[str, ...], str]:
    """For a "What did X say about Y?" question: the words naming X (whose words it asks
    for), and Y, what it asks about, as written ("" when it asks only what X said);
    ((), "") for any other question."""
    text = normalize(question)
    found = _ASKS_SPEAKER.search(text)
    if not found:
        return (), ""
    speaker = tuple(w for w in words(found.group(1)) if w not in STOPWORDS)
    # As written where normalising kept the length (ASCII without controls), for its capitals.
    rest = (question if len(question) == len(text) else text)[found.end() :]
    return speaker, _TOPIC_LEAD.sub("", rest).strip(" ?!.")


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
