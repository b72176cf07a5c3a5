"""Answer -> text. Every string from users or knowledge files is escaped here and only here.

HTML for Telegram (``card``, ``did_you_mean``, ``refusal``, ``topics``…), plain text for the
terminal (``plain``, and ``html=False`` on the listings). Every Telegram text stays under
Telegram's 4096-character limit: long fields are shortened *before* escaping, so a cut
never lands inside a tag or an entity.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from html import escape

from handlers import attribution as wording
from knowledge import Answer, KnowledgeBase, SourcedClaim
from knowledge.live import ReloadOutcome

LIMIT = 4096  # Telegram's maximum message length
BUTTON_LABEL = 60  # characters of a statement shown on a "Did you mean…" button
CALLBACK_LIMIT = 64  # bytes of callback_data Telegram accepts
MAX_IDS = 30  # claim ids listed per kind of change after a reload
MAX_MESSAGES = 3  # of problems after a failed reload; the rest is for `groundbot check`

# The one refusal, for the bot, `groundbot chat` and `groundbot ask` alike.
REFUSAL = "I have no sourced answer to that, so I won't guess."
TOPICS_HINT = "/topics shows what I can answer."


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending with … when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def attribution(claim: SourcedClaim) -> str:
    """ "according to X, via Y" (or ", speaking to Y") in plain words."""
    return wording.attribution(claim.attributed_to, claim.via, (claim.source.outlet,))


def said(claim: SourcedClaim) -> str | None:
    """ "Said in June 2024." when the claim has a ``said_on``; else its date is the source's."""
    return wording.said(claim.said_on)


def source_line(claim: SourcedClaim) -> str:
    """Title, outlet and date of the claim's source, in plain words."""
    source = claim.source
    parts = [
        f"“{source.title}”" if source.title else None,
        source.outlet,
        source.published.isoformat() if source.published else None,
    ]
    return ", ".join(p for p in parts if p)


def plain(answer: Answer) -> str:
    """The answer as plain text, for the terminal."""
    if answer.status == "answered" and answer.claim:
        return plain_cards(answer.claim, answer.also)
    if answer.status == "ambiguous":
        options = "\n".join(f"  {i}. {c.claim.statement}" for i, c in enumerate(answer.options, 1))
        return f"Did you mean…\n{options}"
    return REFUSAL


def plain_card(claim: SourcedClaim) -> str:
    """One claim as plain text: statement, attribution, quote, source and link."""
    lines = [claim.statement, f"— {attribution(claim)}"]
    if when := said(claim):
        lines.append(when)
    if claim.quote:
        lines.append(f"Quote: “{claim.quote}”")
    lines.append(f"Source: {source_line(claim)}")
    if claim.source.url:
        lines.append(claim.source.url)
    return "\n".join(lines)


def plain_cards(
    claim: SourcedClaim, also: Sequence[SourcedClaim], card: Callable[[SourcedClaim], str] = plain_card
) -> str:
    """The lead claim's card, then those of ``also`` under "Also:", each made by ``card``."""
    text = card(claim)
    return text + "\n\nAlso:\n" + "\n\n".join(map(card, also)) if also else text


# --- Telegram HTML ----------------------------------------------------------------------


def fits(text: str) -> bool:
    """Whether ``text`` fits in one Telegram message."""
    return units(text) <= LIMIT


def fit_lines(head: str, lines: Sequence[str], more: str = "…and {n} more.") -> str:
    """``head`` then as many whole ``lines`` as fit in one message; ``more`` says how many were left out."""
    out = [head]
    budget = LIMIT - units(head) - 40  # room for the ``more`` line
    for i, line in enumerate(lines):
        if units(line) + 1 > budget:
            out.append(more.format(n=len(lines) - i))
            break
        out.append(line)
        budget -= units(line) + 1
    return "\n".join(out)


def _fit(build: Callable[[float], str]) -> str:
    """``build(scale)`` at the largest scale whose result fits in one message."""
    scale = 1.0
    while True:
        text = build(scale)
        if fits(text) or scale < 0.01:
            return text
        scale *= 0.7


def card(claim: SourcedClaim, also: Sequence[SourcedClaim] = ()) -> str:
    """The answer card in Telegram HTML: statement, attribution, quote, source with its link;
    then each of ``also`` (further claims that answer on their own) the same way, under "Also:"."""

    def build(scale: float) -> str:
        blocks = [_claim_html(claim, scale)]
        if also:
            blocks.append("<i>Also:</i>")
            blocks += [_claim_html(c, scale / 2) for c in also]
        return "\n\n".join(blocks)

    return _fit(build)


def _claim_html(claim: SourcedClaim, scale: float) -> str:
    """One claim's lines of a card, each field shortened to its share of ``scale``."""

    def field(text: str, limit: int) -> str:
        return escape(shorten(text, max(int(limit * scale), 8)))

    source = claim.source
    outlets = (source.outlet,)
    who = f"according to {field(wording.who(claim.attributed_to, outlets), 300)}"
    via = f", {field(wording.relay(claim.via), 300)}" if claim.via else ""
    lines = [f"<b>{field(claim.statement, 1500)}</b>", f"— {who}{via}"]
    if when := said(claim):
        lines.append(escape(when))
    if claim.quote:
        lines.append(f"<i>“{field(claim.quote, 1200)}”</i>")
    parts = [
        f"“{field(source.title, 400)}”" if source.title else None,
        field(source.outlet, 200),
        source.published.isoformat() if source.published else None,
    ]
    where = ", ".join(p for p in parts if p)
    # A shortened URL would point somewhere else: a link too long to keep is dropped whole.
    if source.url and len(source.url) <= 1000 * scale:
        where += f'\n<a href="{escape(source.url, quote=True)}">{escape(shorten(source.url, 80))}</a>'
    lines.append(f"Source: {where}")
    return "\n".join(lines)


def did_you_mean(answer: Answer) -> str:
    """The "Did you mean…" prompt: each option numbered, with who said it."""

    def build(scale: float) -> str:
        lines = ["I'm not sure which claim you mean. Did you mean…"]
        for i, option in enumerate(answer.options, 1):
            claim = option.claim
            statement = escape(shorten(claim.statement, max(int(1000 * scale), 20)))
            name = wording.who(claim.attributed_to, (claim.source.outlet,))
            who = escape(shorten(name, max(int(200 * scale), 10)))
            lines.append(f"\n<b>{i}.</b> {statement} <i>— according to {who}</i>")
        lines.append("\nTap one to see it with its source.")
        return "\n".join(lines)

    return _fit(build)


def option_label(n: int, claim: SourcedClaim) -> str:
    """The text of the button that picks option ``n`` (1-based)."""
    return f"{n}. {shorten(claim.statement, BUTTON_LABEL)}"


def refusal(answer: Answer | None = None) -> str:
    """The reply when nothing in the store answers: plain about it, and where to look instead."""
    return f"{REFUSAL}\n{TOPICS_HINT}"


def gone(claim_id: str) -> str:
    """A button pointed at a claim that a reload removed (short: it is a callback answer)."""
    return shorten(f"That claim ({claim_id}) is no longer in the knowledge base.", 190)


def welcome(bot_username: str, *, html: bool = True) -> str:
    """/start and /help: what the bot does and every way to ask it."""
    b = (lambda s: f"<b>{s}</b>") if html else (lambda s: s)
    at = escape(bot_username) if html else bot_username
    q = "&lt;question&gt;" if html else "<question>"
    return "\n".join(
        [
            "I answer questions only from curated, sourced claims. Every answer says "
            + b("what was said")
            + ", "
            + b("who said it")
            + " and "
            + b("where it was published")
            + ". "
            "When I have no sourced answer, I say so instead of guessing.",
            "",
            "• In a private chat, just write your question.",
            f"• In a group, use /ask {q}, mention @{at}, or reply to one of my messages.",
            f"• In any chat, type @{at} and a few words to share a claim.",
            "",
            "/topics — what I can answer, by source and tag; /topics TAG — that tag's claims",
            "/sources — the documents the claims come from",
            "/claim ID — one claim by its id",
            "/help — this message",
            "",
            "Tap 👍 or 👎 under an answer to tell the moderators whether it helped.",
        ]
    )


def topics(kb: KnowledgeBase, *, html: bool = True) -> str:
    """What the store covers: claims per source, then per tag."""
    e = escape if html else (lambda s: s)
    per_source = Counter(c.source.id for c in kb.claims())
    lines = [f"I can answer from {len(kb)} claims in {len(per_source)} source(s)."]
    lines.append("<b>By source</b>" if html else "By source")
    for source_id, count in per_source.most_common():
        source = kb.sources[source_id]
        title = shorten(source.title or source.id, 120)
        lines.append(f"• {e(title)} ({e(shorten(source.outlet, 60))}): {count} claim(s)")
    tags = kb.tags()
    if tags:
        lines.append("")
        lines.append("<b>By tag</b>" if html else "By tag")
        lines.append(", ".join(f"{e(shorten(tag, 60))} ({n})" for tag, n in tags.items()))
    if not len(kb):
        lines = ["The knowledge base is empty: I have nothing to answer from yet."]
    head, *rest = lines
    return fit_lines(head, rest)


def sources(kb: KnowledgeBase, *, html: bool = True) -> str:
    """Every source document: title, outlet, date, link, and how many claims come from it."""
    e = escape if html else (lambda s: s)
    per_source = Counter(c.source.id for c in kb.claims())
    lines = []
    for source_id, source in kb.sources.items():
        title = e(shorten(source.title or source.id, 200))
        parts = [f"<b>{title}</b>" if html else title, e(shorten(source.outlet, 80))]
        if source.published:
            parts.append(source.published.isoformat())
        line = "• " + ", ".join(parts) + f" — {per_source[source_id]} claim(s), id {e(source.id)}"
        if source.url and len(source.url) <= 1000:
            line += (
                f'\n  <a href="{escape(source.url, quote=True)}">{escape(shorten(source.url, 80))}</a>'
                if html
                else f"\n  {source.url}"
            )
        lines.append(line)
    if not lines:
        return "The knowledge base has no sources yet."
    return fit_lines(f"Sources ({len(lines)}):", lines)


def unknown_claim(claim_id: str, *, html: bool = True) -> str:
    """/claim with an id the store does not have."""
    if not html:
        return f"There is no claim with id {claim_id!r}."
    return f"There is no claim with id <code>{escape(shorten(claim_id, 100))}</code>. /topics shows what I have."


def claim_usage(*, html: bool = True) -> str:
    """/claim without an id: how to use it."""
    example = "/claim russia-daily-shell-use"
    return f"Give a claim id, e.g. {f'<code>{example}</code>' if html else example}. /topics shows what I have."


# A command the bot does not have, in Telegram and in `groundbot chat`.
UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."


def tagged(kb: KnowledgeBase, tag: str, *, html: bool = True) -> str:
    """/topics TAG: the claims with that tag (case-insensitive), each with its id for /claim."""
    e = escape if html else (lambda s: s)
    wanted = tag.strip().casefold()
    claims = [c for c in kb.claims() if any(t.casefold() == wanted for t in c.tags)]
    if not claims:
        names = list(kb.tags())
        known = ", ".join(e(shorten(t, 60)) for t in names[:MAX_IDS]) or "none yet"
        more = f" …and {len(names) - MAX_IDS} more" if len(names) > MAX_IDS else ""
        return f"No claim is tagged “{e(shorten(tag.strip(), 60))}”. Tags: {known}{more}."
    lines = []
    for c in claims:
        ident = f"<code>{e(c.id)}</code>" if html else f"[{c.id}]"
        lines.append(f"• {e(shorten(c.statement, 200))} {ident}")
    head = f"Claims tagged {e(shorten(tag.strip(), 60))} ({len(claims)}); /claim ID shows one:"
    return fit_lines(f"<b>{head}</b>" if html else head, lines)


# The commands whose replies come from the store alone, the same in Telegram and in `groundbot chat`.
STORE_COMMANDS = ("topics", "sources", "claim")


def command_reply(kb: KnowledgeBase, command: str, argument: str = "", *, html: bool = True) -> str:
    """The reply to /topics [TAG], /sources or /claim ID (``STORE_COMMANDS``), in Telegram HTML or plain text.

    The one table of what these commands show, for the bot and for `groundbot chat` alike.
    """
    argument = argument.strip()
    if command == "topics":
        return tagged(kb, argument, html=html) if argument else topics(kb, html=html)
    if command == "sources":
        return sources(kb, html=html)
    if command == "claim":
        if not argument:
            return claim_usage(html=html)
        found = kb.claim(argument.split()[0])
        if found is None:
            return unknown_claim(argument, html=html)
        return card(found) if html else plain_card(found)
    raise ValueError(f"not one of {STORE_COMMANDS}: {command}")


def inline_description(claim: SourcedClaim) -> str:
    """The grey line under an inline result: who said it and where."""
    name = wording.who(claim.attributed_to, (claim.source.outlet,))
    return shorten(f"— according to {name} · {claim.source.outlet}", 200)


# --- Moderators ------------------------------------------------------------------------


def _ids(kind: str, ids: Sequence[str]) -> str:
    shown = ", ".join(f"<code>{escape(i)}</code>" for i in ids[:MAX_IDS])
    more = f" …and {len(ids) - MAX_IDS} more" if len(ids) > MAX_IDS else ""
    return f"{kind} ({len(ids)}): {shown}{more}"


def reload_messages(outcome: ReloadOutcome, *, prefix: str = "") -> list[str]:
    """The reply to a reload, in HTML: what changed, or every problem (over a few messages if need be)."""
    size = f"{outcome.claims} claim(s) from {outcome.sources} source(s)"
    if outcome.ok:
        changes = outcome.changes
        if not changes:
            return [f"{prefix}✅ Reloaded: nothing changed. Serving {size}."]
        lines = [f"{prefix}✅ Reloaded. Serving {size}."]
        for kind, ids in (("Added", changes.added), ("Removed", changes.removed), ("Edited", changes.edited)):
            if ids:
                lines.append(_ids(kind, ids))
        return ["\n".join(lines)]
    problems = [escape(str(p)) for p in outcome.problems]
    head = (
        f"{prefix}❌ Reload failed with {len(problems)} problem(s); nothing changed. "
        f"Still answering from the last good knowledge ({size})."
    )
    return _pre_messages(head, problems)


def _pre_messages(head: str, lines: list[str]) -> list[str]:
    """``head`` then ``lines`` in <pre> blocks, split to fit Telegram's limit, at most MAX_MESSAGES."""
    budget = LIMIT - 100  # room for the tags and the "…and N more" line
    chunks: list[list[str]] = [[]]
    used = units(head)
    for i, line in enumerate(lines):
        line = line if units(line) < budget // 2 else line[: budget // 2] + "…"
        if used + units(line) + 1 > budget:
            if len(chunks) == MAX_MESSAGES:
                rest = len(lines) - i
                chunks[-1].append(f"…and {rest} more. Run `groundbot check` on the server for every one.")
                break
            chunks.append([])
            used = 0
        chunks[-1].append(line)
        used += units(line) + 1
    texts = [f"<pre>{chr(10).join(chunk)}</pre>" for chunk in chunks if chunk]
    return [f"{head}\n{texts[0]}" if texts else head, *texts[1:]]


def report(text: str) -> str:
    """A plain report (``knowledge.activity.reports``) as HTML: its first line bold, everything escaped, whole lines up to one message."""
    head, *lines = text.split("\n")
    return fit_lines(f"<b>{escape(head)}</b>", [escape(line) for line in lines], "…and {n} more line(s).")
