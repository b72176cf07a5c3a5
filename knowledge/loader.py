"""Read knowledge files into validated models, naming file:line:col for every problem.

PyYAML's C parser composes a node tree where every node carries its position; we walk
that tree ourselves so that duplicate keys are errors (YAML libraries silently keep the
last one) and so that pydantic's error locations can be mapped back to line and column.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

import yaml
from pydantic import ValidationError

from knowledge.schema import Claim, KnowledgeFile, Source, SourcedClaim

BUNDLED = Path(__file__).parent / "sources"
SUFFIXES = (".yaml", ".yml")

Loc = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a knowledge file, printed as ``file:line:col: message``."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge could not be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class _Positions:
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def of(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """The position of ``loc``, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        while loc:
            if loc in table:
                return table[loc]
            if not key and loc in self.keys:
                return self.keys[loc]
            loc = loc[:-1]
        return self.values.get((), (1, 1))


def _pos(mark: yaml.Mark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


_constructor = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"


def _to_python(node: yaml.Node, loc: Loc, pos: _Positions, problems: list[tuple[tuple[int, int], str]]) -> Any:
    pos.values[loc] = _pos(node.start_mark)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append((_pos(key_node.start_mark), "keys must be plain strings"))
                continue
            key = key_node.value
            if key in out:
                first = pos.keys[loc + (key,)]
                problems.append((_pos(key_node.start_mark), f"duplicate key '{key}' (first at line {first[0]})"))
                continue
            pos.keys[loc + (key,)] = _pos(key_node.start_mark)
            out[key] = _to_python(value_node, loc + (key,), pos, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, loc + (i,), pos, problems) for i, item in enumerate(node.value)]
    if node.tag == _STR:  # nearly every scalar; the constructor is slow for plain strings
        return node.value
    try:
        return _constructor.construct_object(node)
    except (ValueError, yaml.YAMLError):
        # e.g. "2023-02-30" resolves as a date and fails: let the schema say what is wrong.
        return node.value


def _decode(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n") + 1
        col = err.start - (before.rfind(b"\n") + 1) + 1
        raise KnowledgeError([Problem(name, line, col, "file is not UTF-8 text")]) from None
    return text.removeprefix("\ufeff")


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


def parse_file(path: Path, name: str | None = None) -> tuple[KnowledgeFile, dict[Loc, tuple[int, int]]]:
    """Parse and validate one knowledge file.

    Returns the model and the (line, col) of every value, keyed by its location.
    Raises KnowledgeError naming file:line:col for each problem found.
    """
    name = name or str(path)
    text = _decode(path.read_bytes(), name)
    try:
        node = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = _pos(mark) if mark else (1, 1)
        message = " ".join(str(part) for part in (err.context, err.problem) if part)
        raise KnowledgeError([Problem(name, line, col, f"not valid YAML: {message}")]) from None
    except yaml.YAMLError as err:
        raise KnowledgeError([Problem(name, 1, 1, f"not valid YAML: {err}")]) from None
    if node is None:
        raise KnowledgeError([Problem(name, 1, 1, "empty file: expected 'source' and 'claims'")])
    if not isinstance(node, yaml.MappingNode):
        line, col = _pos(node.start_mark)
        raise KnowledgeError([Problem(name, line, col, "expected a mapping with 'source' and 'claims'")])

    pos = _Positions()
    found: list[tuple[tuple[int, int], str]] = []
    data = _to_python(node, (), pos, found)
    problems = [Problem(name, line, col, msg) for (line, col), msg in found]
    try:
        model = KnowledgeFile.model_validate(data)
    except ValidationError as err:
        for error in err.errors():
            line, col = pos.of(tuple(error["loc"]), key=error["type"] == "extra_forbidden")
            problems.append(Problem(name, line, col, _describe(error)))
        raise KnowledgeError(problems) from None
    if problems:
        raise KnowledgeError(problems)
    return model, pos.values


def knowledge_files(path: Path) -> list[Path]:
    """The knowledge files at ``path``: the file itself, or every YAML file below a directory."""
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
    raise KnowledgeError([Problem(str(path), 1, 1, "no such file or directory")])


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


T = TypeVar("T")

# Below this much YAML, starting worker processes costs more than it saves.
PARALLEL_BYTES = 4_000_000


@dataclass
class _FileResult(Generic[T]):
    name: str
    problems: list[Problem]
    source: Source | None = None
    source_at: tuple[int, int] = (1, 1)
    claims: list[tuple[str, tuple[int, int], T]] = field(default_factory=list)


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside: loading allocates millions of objects that all
    stay alive, and collecting in between only rescans them (a third of a load's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_file(file: Path, prepare: Callable[[SourcedClaim], T] | None) -> _FileResult[T]:
    """Parse one file and prepare its claims; runs in a worker process for large stores."""
    with paused_gc():
        return _parse_and_prepare(file, prepare)


def _parse_and_prepare(file: Path, prepare: Callable[[SourcedClaim], T] | None) -> _FileResult[T]:
    name = _display(file)
    try:
        model, positions = parse_file(file, name)
    except KnowledgeError as err:
        return _FileResult(name, err.problems)
    result: _FileResult[T] = _FileResult(name, [], model.source, positions[("source", "id")])
    for i, claim in enumerate(model.claims):
        line, col = positions[("claims", i, "id")]
        sourced = _sourced(claim, model.source, name, line)
        result.claims.append((claim.id, (line, col), prepare(sourced) if prepare else cast(T, sourced)))
    return result


def read_claims(
    path: Path | str | None = None,
    prepare: Callable[[SourcedClaim], T] | None = None,
) -> Iterator[SourcedClaim | T]:
    """Yield every claim of the knowledge files at ``path`` (default: the bundled knowledge).

    Claims come file by file, so a large store is never held in memory twice; with
    ``prepare`` (a picklable function), each claim is passed through it, and for more
    than a few megabytes of YAML in several files the files are read and prepared in
    worker processes, one per core, while the caller consumes the results in order.
    Ids are checked across files too. After the last claim, raises KnowledgeError with
    every problem in every file, so that a moderator sees them all at once: a consumer
    must read to the end before trusting what it built.
    """
    root = Path(path) if path is not None else BUNDLED
    files = knowledge_files(root)
    if not files:
        raise KnowledgeError([Problem(str(root), 1, 1, "no .yaml knowledge files found")])
    workers = min(os.cpu_count() or 1, len(files))
    parallel = prepare is not None and workers > 1 and sum(f.stat().st_size for f in files) > PARALLEL_BYTES
    with ExitStack() as stack:
        if parallel:
            # fork is cheap but unsafe beside other threads (a reload in the running bot),
            # where spawn starts clean interpreters instead.
            method = "fork" if threading.active_count() == 1 else "spawn"
            pool = stack.enter_context(ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)))
            results: Iterator[_FileResult] = pool.map(_read_file, files, [prepare] * len(files))
        else:
            results = (_read_file(file, prepare) for file in files)
        yield from _checked(results)


def _checked(results: Iterator[_FileResult[T]]) -> Iterator[T]:
    problems: list[Problem] = []
    source_at: dict[str, str] = {}
    claim_at: dict[str, str] = {}
    for result in results:
        problems.extend(result.problems)
        if result.source is None:
            continue
        name, (line, col) = result.name, result.source_at
        if result.source.id in source_at:
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
            if not problems:  # once anything is wrong the claims will be thrown away
                yield item
    if problems:
        raise KnowledgeError(problems)


def load_claims(path: Path | str | None = None) -> list[SourcedClaim]:
    """Every claim of the knowledge files at ``path``, validated; see ``read_claims``."""
    return list(read_claims(path))


def _sourced(claim: Claim, source: Source, file: str, line: int) -> SourcedClaim:
    return SourcedClaim.model_construct(**dict(claim), source=source, file=file, line=line)
