"""Publishing a reviewed knowledge file into the knowledge directory, safely.

Three steps, which ``knowledge.live.LiveKnowledge.publish`` runs under the one lock of
the knowledge directory together with the reload, so that two publishes never validate
against the same directory and both write:

- ``plan``: the file is validated exactly as `groundbot check` does (every problem as
  file:line:col), then against the rest of the knowledge (claim ids unique across files),
  and the claims it would take away from the version it replaces are counted;
- ``write``: atomically (a temporary file beside the target, renamed over it), replacing
  the file with the same ``source.id`` if there is one, whose previous version is kept
  under ``history/`` with a timestamp;
- ``undo``: the directory put back as it was (the previous version restored from its
  history copy, or the new file removed) when the knowledge no longer loads with it.

Nothing here reloads the bot; the caller does.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from knowledge.store.loader import (
    DEFAULT_LIMITS,
    KnowledgeError,
    Limits,
    Problem,
    knowledge_files,
    load_claims,
    parse_file,
)


@dataclass(frozen=True)
class Plan:
    """A validated file, where it goes, and what it takes away from the version it replaces."""

    raw: bytes
    name: str  # the name problems are reported under (the uploaded file's)
    source_id: str
    claims: int
    target: Path
    replaces: bool  # ``target`` exists: the file with the same source.id
    removed: tuple[str, ...] = ()  # claim ids of the replaced version the new one lacks


@dataclass(frozen=True)
class Published:
    """Where a file went, what it replaced, and where the replaced version is kept."""

    path: Path
    source_id: str
    claims: int
    replaced: Path | None = None
    history: Path | None = None


def _existing_file(knowledge_dir: Path, source_id: str) -> tuple[Path, list[str]] | None:
    """The file holding ``source_id`` and its claim ids, if any file does."""
    for file in knowledge_files(knowledge_dir):
        try:
            model, _ = parse_file(file)
        except KnowledgeError:
            continue
        if model.source.id == source_id:
            return file, [c.id for c in model.claims]
    return None


def plan(raw: bytes, name: str, knowledge_dir: Path, *, max_claims: int, limits: Limits = DEFAULT_LIMITS) -> Plan:
    """Validate ``raw`` (a knowledge file's bytes, shown as ``name`` in problems) against the
    knowledge in ``knowledge_dir``, within ``limits`` as a load would. Raises KnowledgeError
    with every problem; leaves the directory as it was."""
    if not knowledge_dir.is_dir():
        raise KnowledgeError(
            [Problem(str(knowledge_dir), 1, 1, "publishing needs the knowledge path to be a directory")]
        )
    # Read from a scratch file beside the knowledge (a suffix the loader ignores): where the
    # file will be written, so a directory that cannot take it is found before anything changes.
    fd, scratch = tempfile.mkstemp(dir=knowledge_dir, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
        model, positions = parse_file(Path(scratch), name, limits)  # raises with file:line:col
    finally:
        Path(scratch).unlink(missing_ok=True)
    if len(model.claims) > max_claims:
        raise KnowledgeError([Problem(name, 1, 1, f"{len(model.claims)} claims: at most {max_claims} per file")])
    existing = _existing_file(knowledge_dir, model.source.id)
    others = [c for c in load_claims(knowledge_dir) if c.source.id != model.source.id]
    taken = {c.id: f"{c.file}:{c.line}" for c in others}
    clashes = [
        Problem(name, *positions[("claims", i, "id")], f"claim id '{claim.id}' is already used at {taken[claim.id]}")
        for i, claim in enumerate(model.claims)
        if claim.id in taken
    ]
    if clashes:
        raise KnowledgeError(clashes)
    if existing is not None:
        target, before = existing
        kept = {c.id for c in model.claims}
        removed = tuple(claim_id for claim_id in before if claim_id not in kept)
        return Plan(raw, name, model.source.id, len(model.claims), target, True, removed)
    target = knowledge_dir / f"{model.source.id}.yaml"
    n = 2
    while target.exists():
        target = knowledge_dir / f"{model.source.id}-{n}.yaml"
        n += 1
    return Plan(raw, name, model.source.id, len(model.claims), target, False)


def _write_atomically(target: Path, raw: bytes) -> None:
    # Beside the target, with a suffix the loader ignores, then renamed over it: readers
    # (a reload, the watcher) see the old file or the new one, never half of one.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write(planned: Plan, history_dir: Path) -> Published:
    """Write a planned file into place, keeping the version it replaces under ``history_dir``."""
    target = planned.target
    history = None
    if planned.replaces and target.exists():
        history_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
        history = history_dir / f"{target.stem}-{stamp}{target.suffix}"
        history.write_bytes(target.read_bytes())
    _write_atomically(target, planned.raw)
    return Published(target, planned.source_id, planned.claims, target if history else None, history)


def undo(done: Published) -> None:
    """Put the directory back as it was before ``done``: the replaced version restored, or the new file removed.

    The history copy goes too: it was the version in service, and is again.
    """
    if done.history is not None:
        _write_atomically(done.path, done.history.read_bytes())
        done.history.unlink(missing_ok=True)
    else:
        done.path.unlink(missing_ok=True)


def publish(raw: bytes, name: str, knowledge_dir: Path, history_dir: Path, *, max_claims: int) -> Published:
    """Validate ``raw`` and write it into ``knowledge_dir`` (``plan`` then ``write``), with no lock and no reload.

    For a single writer only (tools, tests); the bot publishes through ``LiveKnowledge.publish``.
    Raises KnowledgeError with every problem, writing nothing.
    """
    return write(plan(raw, name, knowledge_dir, max_claims=max_claims), history_dir)
