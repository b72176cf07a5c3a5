"""The first stage of reading a knowledge file: its bytes, bounded, to a YAML node tree and Python data with positions.

PyYAML's C parser composes a node tree where every node carries its position; we walk
that tree ourselves so that duplicate keys are errors (YAML libraries silently keep the
last one) and so that each value's line and column is kept for the schema's problems.
A file is screened from the event stream first, so a hostile one costs little to refuse.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.store.problems import KnowledgeError, Loc, Problem


@dataclass(frozen=True)
class Limits:
    """Bounds on one knowledge file, so that a hostile or broken file costs little to refuse.

    A real knowledge file is a few levels deep (file, claims, claim, questions) and a few
    hundred kilobytes; the defaults leave ample room for that and none for a YAML bomb.
    """

    max_file_bytes: int = 10_000_000
    max_depth: int = 32
    max_nodes: int = 2_000_000


# The bounds used when a caller names none.
DEFAULT_LIMITS = Limits()

ALIAS_MESSAGE = "YAML aliases are not allowed in knowledge files"


@dataclass
class Positions:
    """Where each value of a file's data is: the (line, col) of every key and of every value, by location."""

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


def _refused(name: str, event: yaml.Event, message: str, hint: str) -> KnowledgeError:
    """A file refused at ``event``'s place before it is built (an alias, too deep, too many values)."""
    line, col = _pos(event.start_mark)
    return KnowledgeError([Problem(name, line, col, message, hint=hint)])


_constructor = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"


def to_python(node: yaml.Node, loc: Loc, pos: Positions, problems: list[tuple[tuple[int, int], str]]) -> Any:
    """The Python data of ``node`` (at ``loc``), noting every position in ``pos``.

    A key that is not a plain string, or that repeats, is left out and appended to
    ``problems`` as ((line, col), message).
    """
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
            out[key] = to_python(value_node, loc + (key,), pos, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [to_python(item, loc + (i,), pos, problems) for i, item in enumerate(node.value)]
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


def _read_bounded(path: Path, name: str, limits: Limits) -> bytes:
    # Opening a FIFO would wait for a writer for ever, and a device may never end.
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise KnowledgeError([Problem(name, 1, 1, "not a regular file (a FIFO, socket or device?)")])
    with open(path, "rb") as handle:
        raw = handle.read(limits.max_file_bytes + 1)
    if len(raw) > limits.max_file_bytes:
        raise KnowledgeError(
            [
                Problem(
                    name,
                    1,
                    1,
                    f"file is larger than {limits.max_file_bytes:,} bytes",
                    hint="split it into several files, or raise GROUNDBOT_MAX_FILE_BYTES",
                )
            ]
        )
    return raw


def _screen(text: str, name: str, limits: Limits) -> None:
    """Refuse aliases, deep nesting and too many nodes from the event stream, before any
    node tree is built: an alias bomb is refused at its first anchor, having cost nothing."""
    depth = nodes = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _refused(name, event, ALIAS_MESSAGE, "write the value out in full where it is needed")
        if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
            nodes += 1
            if nodes > limits.max_nodes:
                raise _refused(
                    name,
                    event,
                    f"more than {limits.max_nodes:,} YAML values in one file",
                    "split it into several files, or raise GROUNDBOT_MAX_NODES",
                )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > limits.max_depth:
                raise _refused(
                    name,
                    event,
                    f"nested more than {limits.max_depth} levels deep",
                    "a knowledge file needs five levels: source/claims, claim, field, list",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _yaml_problem(err: yaml.MarkedYAMLError, name: str) -> Problem:
    """A YAML syntax error, placed where the moderator has to look, with a hint if one is obvious."""
    context = str(err.context or "")
    # An unclosed quote is only noticed where the file ends: point at the opening quote.
    mark = err.context_mark if "quoted scalar" in context and err.context_mark else err.problem_mark
    mark = mark or err.context_mark
    line, col = _pos(mark) if mark else (1, 1)
    message = " ".join(str(part) for part in (err.context, err.problem) if part)
    hint = ""
    if "mapping values are not allowed" in message:
        hint = "a value that contains ': ' must be quoted: key: \"text: more text\""
    elif "quoted scalar" in context:
        hint = "this quote is never closed: add the closing quote"
    elif "found character '\\t'" in message:
        hint = "indent with spaces, not tabs"
    return Problem(name, line, col, f"not valid YAML: {message}", hint=hint)


def compose(path: Path, name: str, limits: Limits) -> yaml.Node:
    """The YAML node tree of the file at ``path`` (shown as ``name``), read within ``limits``.

    Raises KnowledgeError when the file cannot be read as one YAML mapping at all.
    """
    text = _decode(_read_bounded(path, name, limits), name)
    try:
        _screen(text, name, limits)
        node = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as err:
        raise KnowledgeError([_yaml_problem(err, name)]) from None
    except yaml.YAMLError as err:
        raise KnowledgeError([Problem(name, 1, 1, f"not valid YAML: {err}")]) from None
    if node is None:
        raise KnowledgeError([Problem(name, 1, 1, "empty file: expected 'source' and 'claims'")])
    if not isinstance(node, yaml.MappingNode):
        line, col = _pos(node.start_mark)
        raise KnowledgeError([Problem(name, line, col, "expected a mapping with 'source' and 'claims'")])
    return node
