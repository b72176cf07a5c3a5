"""Answer -> text. Every string from users or knowledge files is escaped here and only here."""

from __future__ import annotations

from html import escape

from knowledge import Answer, SourcedClaim

LIMIT = 4096  # Telegram's maximum message length


def attribution(claim: SourcedClaim) -> str:
    """"according to X, via Y" in plain words."""
    text = f"according to {claim.attributed_to}"
    return text + (f", via {claim.via}" if claim.via else "")


def source_line(claim: SourcedClaim) -> str:
    """Title, outlet and date of the claim's source, in plain words."""
    source = claim.source
    parts = [f"“{source.title}”" if source.title else None, source.outlet,
             source.published.isoformat() if source.published else None]
    return ", ".join(p for p in parts if p)


def plain(answer: Answer) -> str:
    """The answer as plain text, for the terminal."""
    if answer.status == "answered" and answer.claim:
        claim = answer.claim
        lines = [claim.statement, f"— {attribution(claim)}"]
        if claim.quote:
            lines.append(f"Quote: “{claim.quote}”")
        lines.append(f"Source: {source_line(claim)}")
        if claim.source.url:
            lines.append(claim.source.url)
        return "\n".join(lines)
    if answer.status == "ambiguous":
        options = "\n".join(f"  {i}. {c.claim.statement}" for i, c in enumerate(answer.options, 1))
        return f"Did you mean…\n{options}"
    return "I have no sourced answer to that."


def card(claim: SourcedClaim) -> str:
    """The answer card in Telegram HTML: statement, attribution, quote, source."""
    source = claim.source
    lines = [f"<b>{escape(claim.statement)}</b>", f"— {escape(attribution(claim))}"]
    if claim.quote:
        lines.append(f"<i>“{escape(claim.quote)}”</i>")
    title = escape(source_line(claim))
    if source.url:
        title = f'<a href="{escape(source.url, quote=True)}">{title}</a>'
    lines.append(f"Source: {title}")
    return "\n".join(lines)[:LIMIT]
