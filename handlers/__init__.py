"""Telegram in and out, thin: parse the update, call ``knowledge``, render.

One module per concern: ``ask`` (questions), ``basics`` (/start, /help, /topics, /sources,
/claim), ``buttons``, ``inline``, ``moderation``, ``access`` (allow-lists), ``activity``,
``errors``; ``render`` is the only place that writes Telegram HTML, and ``state`` holds the
typed ``BotState`` they share. ``bot/app.py`` registers them all, in order.
"""
