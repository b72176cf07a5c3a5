"""Read knowledge files into validated models, naming file:line:col for every problem.

Each file is read to Python data with positions (``yaml_reading``), then its source and
each claim are validated on their own, with pydantic's error locations mapped back to
line and column. Then the files are read together: in worker processes for a large store,
with ids checked across files, and every problem in every file reported at once.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from pydantic import BaseModel, ValidationError

from knowledge.store.problems import KnowledgeError, Loc, Problem
from knowledge.store.schema import Claim, KnowledgeFile, Source, SourcedClaim
from knowledge.store.yaml_reading import DEFAULT_LIMITS, Limits, Positions, compose, to_python

BUNDLED = Path(__file__).parent.parent / "sources"
SUFFIXES = (".yaml", ".yml")


def _describe(error: Mapping[str, Any]) -> str:
    loc = error["loc"]
    where = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(loc))
    if error["type"] == "extra_forbidden":
        return f"unknown key '{loc[-1]}'" + (f" in {where.rsplit('.', 1)[0]}" if len(loc) > 1 else "")
    if error["type"] == "missing":
        return f"missing required field '{where}'"
    if error["type"] == "too_short" and loc and loc[-1] == "questions":
        return f"{where}: needs at least one question"
    if error["type"] == "string_pattern_mismatch":
        return f"{where}: must be a slug of lowercase letters, digits and single hyphens"
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}"


@dataclass
class Parsed:
    """One knowledge file, validated piece by piece: whatever is valid, and every problem."""

    source: Source | None
    claims: list[tuple[int, Claim]]  # (index in the file, claim) of every valid claim
    positions: dict[Loc, tuple[int, int]]
    problems: list[Problem]


def _validate(
    model: type[BaseModel], data: Any, prefix: Loc, name: str, pos: Positions, problems: list[Problem]
) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as err:
        for error in err.errors():
            error = {**error, "loc": prefix + tuple(error["loc"])}
            line, col = pos.of(tuple(error["loc"]), key=error["type"] == "extra_forbidden")
            problems.append(Problem(name, line, col, _describe(error)))
        return None


def parse(path: Path, name: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Parsed:
    """Parse one knowledge file and validate its source and each claim on its own, so that
    one bad claim hides neither the others' problems nor their ids from the duplicate check.

    Raises KnowledgeError only when the file cannot be read as YAML at all.
    """
    name = name or str(path)
    node = compose(path, name, limits)
    pos = Positions()
    found: list[tuple[tuple[int, int], str]] = []
    data = to_python(node, (), pos, found)
    problems = [Problem(name, line, col, msg) for (line, col), msg in found]
    for key in data:
        if key not in KnowledgeFile.model_fields:
            line, col = pos.of((key,), key=True)
            problems.append(Problem(name, line, col, f"unknown key '{key}'"))
    for key in KnowledgeFile.model_fields:
        if key not in data:
            problems.append(Problem(name, 1, 1, f"missing required field '{key}'"))
    source = _validate(Source, data["source"], ("source",), name, pos, problems) if "source" in data else None
    claims: list[tuple[int, Claim]] = []
    items = data.get("claims", [])
    if not isinstance(items, list):
        line, col = pos.of(("claims",))
        problems.append(Problem(name, line, col, "claims: must be a list of claims (each item starts with '- ')"))
        items = []
    for i, item in enumerate(items):
        claim = _validate(Claim, item, ("claims", i), name, pos, problems)
        if claim is not None:
            claims.append((i, claim))
    return Parsed(source, claims, pos.values, problems)


def parse_file(
    path: Path, name: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> tuple[KnowledgeFile, dict[Loc, tuple[int, int]]]:
    """Parse and validate one knowledge file.

    Returns the model and the (line, col) of every value, keyed by its location.
    Raises KnowledgeError naming file:line:col for each problem found.
    """
    parsed = parse(path, name, limits)
    if parsed.problems or parsed.source is None:
        raise KnowledgeError(parsed.problems)
    model = KnowledgeFile.model_construct(source=parsed.source, claims=[c for _, c in parsed.claims])
    return model, parsed.positions


def cores() -> int:
    """The cores this process may run on (its CPU affinity, which ``taskset`` or a cpuset narrows)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def knowledge_files(path: Path) -> list[Path]:
    """The knowledge files at ``path``: the file itself, or every YAML file below a directory.

    Anything named like a knowledge file that is not a directory is listed, even a broken
    link or a FIFO, so that reading it reports the problem instead of skipping it silently.
    """
    if path.is_dir():
        # rglob skips a directory it cannot list without a word, and its files' claims would
        # silently vanish from the store: a walk reports each one as a problem instead.
        unlisted: list[Problem] = []
        for _ in os.walk(path, onerror=lambda err: unlisted.append(_unlistable(err))):
            pass
        if unlisted:
            raise KnowledgeError(unlisted)
        return sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and not p.is_dir())
    if path.exists() or path.is_symlink():
        return [path]
    raise KnowledgeError([Problem(_display(path), 1, 1, "no such file or directory")])


def _unlistable(err: OSError) -> Problem:
    name = _display(Path(err.filename)) if err.filename is not None else "?"
    reason = "permission denied" if isinstance(err, PermissionError) else (err.strerror or type(err).__name__)
    return Problem(
        name, 1, 1, f"cannot list the directory: {reason}", hint="make it readable by the user groundbot runs as"
    )


def _display(path: Path) -> str:
    try:
        name = os.path.relpath(path)
    except ValueError:
        name = str(path)
    # A name that is not UTF-8 arrives with surrogate escapes, which no terminal, log or
    # SQLite column accepts: show the bad bytes as \xNN instead.
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _unreadable(file: Path, name: str, err: BaseException) -> Problem:
    if isinstance(err, FileNotFoundError):
        if file.is_symlink():
            return Problem(name, 1, 1, "broken symbolic link: its target does not exist")
        return Problem(name, 1, 1, "the file vanished while it was being read", hint="run the check again")
    if isinstance(err, PermissionError):
        return Problem(
            name, 1, 1, "cannot read the file: permission denied", hint="make it readable by the user groundbot runs as"
        )
    if isinstance(err, OSError):
        return Problem(name, 1, 1, f"cannot read the file: {err.strerror or type(err).__name__}")
    if isinstance(err, RecursionError):
        return Problem(name, 1, 1, "nested too deeply to read")
    if isinstance(err, MemoryError):
        return Problem(name, 1, 1, "ran out of memory reading the file", hint="split it into smaller files")
    return Problem(name, 1, 1, f"could not be read: {type(err).__name__}: {err}")


T = TypeVar("T")

# Below this much YAML, starting worker processes costs more than it saves.
PARALLEL_BYTES = 4_000_000


@dataclass
class _FileResult(Generic[T]):
    name: str
    problems: list[Problem]
    source: Source | None = None
    source_at: tuple[int, int] = (1, 1)
    # (id, position, prepared claim or None when the file's source is invalid)
    claims: list[tuple[str, tuple[int, int], T | None]] = field(default_factory=list)
    positions: dict[Loc, tuple[int, int]] | None = None


def _read_file(
    file: Path,
    prepare: Callable[[SourcedClaim], T] | None,
    limits: Limits = DEFAULT_LIMITS,
    keep_positions: bool = False,
) -> _FileResult[T]:
    """Parse one file and prepare its claims; runs in a worker process for large stores.

    Whatever goes wrong becomes a problem of this file: the caller never sees an exception.
    """
    name = _display(file)
    try:
        return _parse_and_prepare(file, name, prepare, limits, keep_positions)
    except KnowledgeError as err:
        return _FileResult(name, err.problems)
    except (OSError, RecursionError, MemoryError) as err:
        return _FileResult(name, [_unreadable(file, name, err)])
    except Exception as err:  # noqa: BLE001 - a file must never take the loader down
        return _FileResult(name, [_unreadable(file, name, err)])


def _parse_and_prepare(
    file: Path, name: str, prepare: Callable[[SourcedClaim], T] | None, limits: Limits, keep_positions: bool
) -> _FileResult[T]:
    problems: list[Problem] = []
    try:
        str(file).encode("utf-8")
    except UnicodeEncodeError:  # a name of bytes that are not UTF-8, kept as surrogate escapes
        problems.append(Problem(name, 1, 1, "the file name is not UTF-8 text", hint="rename the file"))
    parsed = parse(file, name, limits)
    positions = parsed.positions
    result: _FileResult[T] = _FileResult(
        name,
        problems + parsed.problems,
        parsed.source,
        positions.get(("source", "id"), (1, 1)),
        positions=positions if keep_positions else None,
    )
    for i, claim in parsed.claims:
        line, col = positions[("claims", i, "id")]
        item: T | None = None
        if parsed.source is not None:
            sourced = _sourced(claim, parsed.source, name, line)
            item = prepare(sourced) if prepare else cast(T, sourced)
        result.claims.append((claim.id, (line, col), item))
    return result


def read_claims(
    path: Path | str | None = None,
    prepare: Callable[[SourcedClaim], T] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[SourcedClaim | T]:
    """Yield every claim of the knowledge files at ``path`` (default: the bundled knowledge).

    Claims come file by file, so a large store is never held in memory twice; with
    ``prepare`` (a picklable function), each claim is passed through it, and for more
    than a few megabytes of YAML in several files the files are read and prepared in
    worker processes, one per core, while the caller consumes the results in order.
    Ids are checked across files too. After the last claim, raises KnowledgeError with
    every problem in every file, so that a moderator sees them all at once: a consumer
    must read to the end before trusting what it built. ``limits`` bounds each file.
    """
    root = Path(path) if path is not None else BUNDLED
    files = knowledge_files(root)
    if not files:
        raise KnowledgeError([Problem(_display(root), 1, 1, "no .yaml knowledge files found")])
    workers = min(cores(), len(files))
    parallel = prepare is not None and workers > 1 and sum(map(_size, files)) > PARALLEL_BYTES
    with ExitStack() as stack:
        if parallel:
            # fork is cheap but unsafe beside other threads (a reload in the running bot),
            # where spawn starts clean interpreters instead.
            method = "fork" if threading.active_count() == 1 else "spawn"
            # The workers are the loader's own short-lived processes: every object they make
            # lives until they exit, so cyclic collection there would only rescan them.
            context = multiprocessing.get_context(method)
            pool = stack.enter_context(ProcessPoolExecutor(workers, mp_context=context, initializer=gc.disable))
            results: Iterator[_FileResult] = pool.map(_read_file, files, [prepare] * len(files), [limits] * len(files))
        else:
            results = (_read_file(file, prepare, limits) for file in files)
        yield from _checked(results)


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError:  # reading it will say what is wrong
        return 0


@dataclass
class Inspection:
    """What ``groundbot check`` sees: every valid claim, where its values are, every problem."""

    claims: list[SourcedClaim]
    positions: dict[str, dict[Loc, tuple[int, int]]]  # file name -> value locations
    problems: list[Problem]

    @property
    def sources(self) -> set[str]:
        return {c.source.id for c in self.claims}


def inspect(path: Path | str | None = None, limits: Limits = DEFAULT_LIMITS) -> Inspection:
    """Read every knowledge file at ``path`` as ``read_claims`` does, but keep every claim
    that is valid on its own, with its positions, beside every problem in every file."""
    root = Path(path) if path is not None else BUNDLED
    try:
        files = knowledge_files(root)
    except KnowledgeError as err:
        return Inspection([], {}, err.problems)
    if not files:
        return Inspection([], {}, [Problem(_display(root), 1, 1, "no .yaml knowledge files found")])
    results: list[_FileResult[SourcedClaim]] = [_read_file(file, None, limits, keep_positions=True) for file in files]
    claims: list[SourcedClaim] = []
    try:
        claims.extend(_checked(iter(results), keep_going=True))
    except KnowledgeError as err:
        problems = err.problems
    else:
        problems = []
    positions = {r.name: r.positions for r in results if r.positions is not None}
    return Inspection(claims, positions, problems)


def _checked(results: Iterator[_FileResult[T]], keep_going: bool = False) -> Iterator[T]:
    problems: list[Problem] = []
    source_at: dict[str, str] = {}
    claim_at: dict[str, str] = {}
    for result in results:
        problems.extend(result.problems)
        name, (line, col) = result.name, result.source_at
        if result.source is None:
            pass  # its problem is listed; its valid claims still take part in the id check
        elif result.source.id in source_at:
            problems.append(
                Problem(
                    name, line, col, f"duplicate source id '{result.source.id}' (also at {source_at[result.source.id]})"
                )
            )
        else:
            source_at[result.source.id] = f"{name}:{line}:{col}"
        for claim_id, (line, col), item in result.claims:
            if claim_id in claim_at:
                problems.append(
                    Problem(name, line, col, f"duplicate claim id '{claim_id}' (also at {claim_at[claim_id]})")
                )
                continue
            claim_at[claim_id] = f"{name}:{line}:{col}"
            # Once anything is wrong a load throws the claims away; a check keeps looking.
            if item is not None and (keep_going or not problems):
                yield item
    if problems:
        raise KnowledgeError(problems)


def load_claims(path: Path | str | None = None) -> list[SourcedClaim]:
    """Every claim of the knowledge files at ``path``, validated; see ``read_claims``."""
    return list(read_claims(path))


def _sourced(claim: Claim, source: Source, file: str, line: int) -> SourcedClaim:
    return SourcedClaim.model_construct(**dict(claim), source=source, file=file, line=line)
