"""Publishing a reviewed knowledge file into the knowledge directory, safely.

The file is validated exactly as `groundbot check` does (every problem as file:line:col),
then against the rest of the knowledge (claim ids unique across files), and only then
written: atomically (a temporary file beside the target, renamed over it), replacing the
file with the same ``source.id`` if there is one, whose previous version is kept under
``history/`` with a timestamp. Nothing here reloads the bot; the caller does.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from knowledge.store.loader import KnowledgeError, Problem, knowledge_files, load_claims, parse_file


@dataclass(frozen=True)
class Published:
    """Where a file went, what it replaced, and where the replaced version is kept."""

    path: Path
    source_id: str
    claims: int
    replaced: Path | None = None
    history: Path | None = None


def _existing_file(knowledge_dir: Path, source_id: str) -> Path | None:
    for file in knowledge_files(knowledge_dir):
        try:
            model, _ = parse_file(file)
        except KnowledgeError:
            continue
        if model.source.id == source_id:
            return file
    return None


def publish(raw: bytes, name: str, knowledge_dir: Path, history_dir: Path, *, max_claims: int) -> Published:
    """Validate ``raw`` (a knowledge file's bytes, shown as ``name`` in problems) and write it
    into ``knowledge_dir``. Raises KnowledgeError with every problem, writing nothing."""
    if not knowledge_dir.is_dir():
        raise KnowledgeError(
            [Problem(str(knowledge_dir), 1, 1, "publishing needs the knowledge path to be a directory")]
        )
    with tempfile.TemporaryDirectory() as scratch:
        candidate = Path(scratch) / "upload.yaml"
        candidate.write_bytes(raw)
        model, positions = parse_file(candidate, name)  # raises with file:line:col
    if len(model.claims) > max_claims:
        raise KnowledgeError([Problem(name, 1, 1, f"{len(model.claims)} claims: at most {max_claims} per file")])
    target = _existing_file(knowledge_dir, model.source.id)
    others = [c for c in load_claims(knowledge_dir) if c.source.id != model.source.id]
    taken = {c.id: f"{c.file}:{c.line}" for c in others}
    clashes = [
        Problem(name, *positions[("claims", i, "id")], f"claim id '{claim.id}' is already used at {taken[claim.id]}")
        for i, claim in enumerate(model.claims)
        if claim.id in taken
    ]
    if clashes:
        raise KnowledgeError(clashes)

    history = None
    if target is None:
        target = knowledge_dir / f"{model.source.id}.yaml"
        n = 2
        while target.exists():
            target = knowledge_dir / f"{model.source.id}-{n}.yaml"
            n += 1
    else:
        history_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
        history = history_dir / f"{target.stem}-{stamp}{target.suffix}"
        history.write_bytes(target.read_bytes())
    # Beside the target, with a suffix the loader ignores, then renamed over it: readers
    # (a reload, the watcher) see the old file or the new one, never half of one.
    fd, tmp = tempfile.mkstemp(dir=knowledge_dir, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Published(target, model.source.id, len(model.claims), target if history else None, history)
