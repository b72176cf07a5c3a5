"""Stop signals: the first SIGTERM or SIGINT stops the bot gracefully; more are ignored.

On the first signal the bot stops fetching updates, confirms the update offset to
Telegram, answers every update already in hand, and closes its files (python-telegram-bot's
run_polling and run_webhook do the rest once SystemExit ends their loop). PTB's own
handler would raise SystemExit again on a second signal, in the middle of answering the
updates whose offset is already confirmed: those questions would never be answered. So a
second Ctrl-C or `docker stop`'s signal only logs that the bot is still finishing; SIGKILL
(systemd's and Docker's last resort after their stop time-out) still ends it at once.
"""

from __future__ import annotations

import asyncio
import logging
import signal

logger = logging.getLogger("groundbot")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)


class GracefulStop:
    """The signal handler: SystemExit the first time, a log line after that."""

    def __init__(self) -> None:
        self.received: signal.Signals | None = None

    def __call__(self, sig: signal.Signals) -> None:
        if self.received is not None:
            logger.warning("Got %s while stopping: still answering the updates in hand (SIGKILL aborts).", sig.name)
            return
        self.received = sig
        logger.info("Got %s: answering the updates in hand, then stopping.", sig.name)
        raise SystemExit  # how PTB's run_polling/run_webhook expect to be told to stop


def install(loop: asyncio.AbstractEventLoop) -> GracefulStop:
    """Handle the stop signals on ``loop``; pass ``stop_signals=None`` to PTB's run_* methods."""
    handler = GracefulStop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, handler, sig)
    return handler
