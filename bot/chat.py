"""`groundbot chat`: the bot's replies in a terminal, through the same matcher and renderings.

The store commands (/topics, /sources, /claim) come from ``render.command_reply``, the table
the Telegram handlers use; only what a terminal does differently lives here: plain text,
and a number typed to pick a "Did you mean…" option instead of a button.
"""

from __future__ import annotations

from handlers import render
from knowledge import KnowledgeBase

HELP = (
    "Ask a question in words. /topics and /sources list what I know, /claim ID shows one "
    'claim, a number picks a "Did you mean…" option, /quit (or Ctrl-D) leaves.'
)
QUIT = ("/quit", "/exit")


class TerminalChat:
    """One conversation: remembers the "Did you mean…" options last offered."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.offered: list[str] = []  # claim ids, in the order they were numbered

    def reply(self, line: str) -> str:
        """The bot's plain-text reply to one line typed."""
        command, _, rest = line.partition(" ")
        name = command.removeprefix("/")
        if command in ("/help", "/start"):
            return HELP
        if command.startswith("/") and name in render.STORE_COMMANDS:
            return render.command_reply(self.kb, name, rest.strip(), html=False)
        if line.isdigit() and self.offered:
            return self._pick(int(line))
        answer = self.kb.answer(line)
        if answer.status == "refused":
            self.offered = []
            return render.refusal(answer)
        self.offered = [c.claim.id for c in answer.options]
        return render.plain(answer) + ("\n(type a number to pick one)" if self.offered else "")

    def _pick(self, n: int) -> str:
        if not 1 <= n <= len(self.offered):
            return f"Pick a number from 1 to {len(self.offered)}."
        claim = self.kb.claim(self.offered[n - 1])
        self.offered = []
        return render.plain_card(claim) if claim else "That claim is no longer in the knowledge base."
