"""Running a piece of a test as an unprivileged user, so permission tests run under root too (CI runs as root).

Root reads and writes any file whatever its mode, so "permission denied" can only be seen
as someone else. ``as_nobody(fn)`` forks; the child drops to the ``nobody`` user and runs
``fn`` with everything already imported (the interpreter's own files may sit under a
directory only root can enter); what ``fn`` returns (or raises, as text) comes back over a
pipe. Not root already: ``fn`` runs as this user, who lacks the permissions anyway.

The ``shared_dir`` fixture (tests/conftest.py) makes a directory under the system temporary directory that ``nobody``
can enter (pytest's tmp_path is inside a directory only its owner can).
"""

from __future__ import annotations

import os
import pickle
import pwd
import traceback
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


def _nobody() -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        return None


def as_nobody(fn: Callable[[], T]) -> T:
    """``fn()`` run as the unprivileged ``nobody`` user in a forked child (as this user if not root)."""
    if os.geteuid() != 0:
        return fn()
    user = _nobody()
    if user is None:
        pytest.skip("no 'nobody' user to run the permission case as")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop privileges for good, run, report, and never return into pytest
        code = 0
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
            try:
                payload = pickle.dumps(("ok", fn()))
            except BaseException:  # noqa: BLE001 - everything goes back to the parent to show
                payload = pickle.dumps(("error", traceback.format_exc()))
            with os.fdopen(write, "wb") as out:
                out.write(payload)
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as incoming:
        data = incoming.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0 and data, "the unprivileged child failed"
    kind, value = pickle.loads(data)
    if kind == "error":
        raise AssertionError(f"as nobody:\n{value}")
    return value
