"""The key that hashes user and chat ids in the event log, and the hashing itself.

The key lives outside the log, in a key file (``id.key``, mode 0600) made once beside it,
so the same person hashes the same way across restarts and a copy of events.db alone
reveals no id.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

# The key file beside events.db that keys the id hashes.
KEY_FILE = "id.key"


def keyed_id(key: bytes, some_id: int) -> str:
    """``some_id`` as the log stores it: an HMAC-SHA256 under ``key``, 32 hex characters."""
    return hmac.new(key, str(some_id).encode(), hashlib.sha256).hexdigest()[:32]


def id_key_file(path: Path) -> bytes:
    """The id-hash key kept in ``path`` (mode 0600), made there first if there is none.

    Written to a private temporary file and linked into place, so two processes starting
    at once agree on one key and neither ever reads half of one.
    """
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    scratch = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(scratch, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
    finally:
        scratch.unlink(missing_ok=True)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ValueError(f"{path}: the id-hash key is too short (want 64 hex characters); delete it to make a new one")
    return key.encode()
