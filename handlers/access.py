"""Who may use the bot: the allow-lists of users and chats, and the moderators.

The gate runs before every other handler (group -1). An update from outside the
allow-lists gets one polite line (a private message, a toast on a button, an empty inline
result with a note) or, in a group, silence; then ``ApplicationHandlerStop`` makes sure no
other handler, and so nothing from the store, ever sees it.

- ``GROUNDBOT_ALLOWED_USERS``: when set, only these users (and the moderators) are answered,
  in any chat.
- ``GROUNDBOT_ALLOWED_CHATS``: when set, only these groups are answered in; private chats
  are governed by the user list alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineQueryResultsButton, Message, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler, filters

from handlers.state import Context, HandlerSettings

OUTSIDER = "Sorry, I only answer members of my team."
MODERATORS_ONLY = "Sorry, that command is for moderators only."


@dataclass(frozen=True)
class Access:
    """The moderators and the allow-lists (an empty list allows everyone)."""

    moderators: frozenset[int] = frozenset()
    users: frozenset[int] = frozenset()
    chats: frozenset[int] = frozenset()

    @classmethod
    def from_settings(cls, settings: HandlerSettings) -> "Access":
        """The access rules of the settings."""
        return cls(frozenset(settings.moderators), frozenset(settings.allowed_users), frozenset(settings.allowed_chats))

    def is_moderator(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.moderators

    def allows(self, user_id: int | None, chat_id: int | None = None, chat_type: str | None = None) -> bool:
        """Whether a user (in a chat, if any) may use the bot."""
        if self.users and not (user_id in self.users or self.is_moderator(user_id)):
            return False
        in_group = chat_type not in (None, ChatType.PRIVATE, ChatType.SENDER)
        return not (self.chats and in_group and chat_id not in self.chats)


class CommandToThisBot(filters.MessageFilter):
    """A message that starts with a command addressed to this bot by name: ``/cmd@this_bot``.

    In a group a bare ``/cmd`` may be meant for another bot, so only these get the
    unknown-command pointer there.
    """

    def filter(self, message: Message) -> bool:
        text = message.text or ""
        username = message.get_bot().username
        if not text.startswith("/") or not username:
            return False
        command = text.split(maxsplit=1)[0]
        return command.casefold().endswith(f"@{username}".casefold())


COMMAND_TO_THIS_BOT = CommandToThisBot(name="CommandToThisBot")


def moderators_filter(access: Access) -> filters.BaseFilter:
    """Updates from a moderator (none at all when no moderator is configured)."""
    return filters.User(user_id=access.moderators, allow_empty=False)


def gate(access: Access) -> TypeHandler:
    """The handler that keeps the bot to the allow-lists: add it in group -1."""

    async def keep_to_team(update: Update, context: Context) -> None:
        """Let team members through; give outsiders one polite line (silence in groups) and stop."""
        user = update.effective_user
        chat = update.effective_chat
        chat_type = chat.type if chat else (update.inline_query.chat_type if update.inline_query else None)
        if access.allows(user.id if user else None, chat.id if chat else None, chat_type):
            return
        await _turn_away(update)
        raise ApplicationHandlerStop

    return TypeHandler(Update, keep_to_team)


async def _turn_away(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(OUTSIDER)
    elif update.inline_query is not None:
        await update.inline_query.answer(
            [],
            cache_time=0,
            is_personal=True,
            button=InlineQueryResultsButton(text=OUTSIDER, start_parameter="team-only"),
        )
    elif (
        update.effective_chat is not None
        and update.effective_chat.type == ChatType.PRIVATE
        and update.effective_message is not None
    ):
        await update.effective_message.reply_text(OUTSIDER)
    # In groups: silence. A bot that answers strangers in a group only invites more.


async def moderators_only(update: Update, context: Context) -> None:
    """A moderator command from someone who is not a moderator."""
    await update.effective_message.reply_text(MODERATORS_ONLY)
