"""Hostile and broken knowledge files: one clear file:line:col problem each, within 2 s and
200 MB, from `check` (inspect) and from loading a KnowledgeBase alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge import KnowledgeBase, KnowledgeError
from knowledge.store.loader import Limits, inspect, read_claims
from knowledge.store.yaml_reading import ALIAS_MESSAGE
from tests.knowledge.test_loader import GOOD, problems, write
from tests.unprivileged import as_nobody

ROOT = Path(__file__).resolve().parents[2]

# Loads the path both ways in a fresh interpreter and reports the problems, the time taken
# and how much the peak RSS grew (ru_maxrss is in KiB on Linux).
PROBE = r"""
import json, resource, sys, time
from knowledge import KnowledgeBase, KnowledgeError
from knowledge.store.loader import inspect
path = sys.argv[1].encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
found = [str(p) for p in inspect(path).problems]
try:
    KnowledgeBase.load(path).close()
    loaded = []
except KnowledgeError as err:
    loaded = [str(p) for p in err.problems]
print(json.dumps({
    "check": found, "load": loaded, "seconds": time.perf_counter() - start,
    "extra_mib": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024,
}))
"""


def probe(path: Path | bytes) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, os.fsdecode(path)],
        cwd=path.parent if isinstance(path, Path) else None,
        capture_output=True,
        text=True,
        timeout=60,
        errors="surrogateescape",
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def assert_one_problem(path: Path | bytes, expected: str) -> None:
    found = probe(path)
    assert found["check"] == found["load"], "check and load disagree"
    assert len(found["check"]) == 1 and expected in found["check"][0], found["check"]
    assert found["seconds"] < 2, found
    assert found["extra_mib"] < 200, found


def alias_bomb(levels: int) -> str:
    """The classic "billion laughs": ten aliases of the level below on each level."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghij"
    for n in range(1, levels):
        me, below = names[n], names[n - 1]
        lines.append(f"{me}: &{me} [" + ",".join([f"*{below}"] * 10) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels,size", [(6, 512), (7, 564)])
def test_an_alias_bomb_is_refused_at_its_first_anchor_cheaply(tmp_path: Path, levels: int, size: int) -> None:
    text = alias_bomb(levels)
    # Padded to the sizes measured in the issue: 10**6 and 10**7 strings once expanded.
    text = text + "#" * (size - len(text.encode()) - 1) + "\n"
    assert len(text.encode()) == size
    path = write(tmp_path, "bomb.yaml", text)
    assert_one_problem(path, f"bomb.yaml:1:4: {ALIAS_MESSAGE}")


def test_an_alias_in_a_real_file_names_its_place(tmp_path: Path) -> None:
    text = GOOD.replace("attributed_to: General Alpha", "attributed_to: &who General Alpha") + (
        "  - id: second\n    statement: Another.\n    attributed_to: *who\n    questions: [Why?]\n"
    )
    path = write(tmp_path, "a.yaml", text)
    assert problems(path) == [f"a.yaml:10:20: {ALIAS_MESSAGE}"]


def test_600_deep_nesting_is_one_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "deep.yaml", "a: " + "[" * 600 + "]" * 600 + "\n")
    assert_one_problem(path, "deep.yaml:1:35: nested more than 32 levels deep")


def test_600_deep_block_mappings_are_one_problem(tmp_path: Path) -> None:
    text = "".join("  " * i + "a:\n" for i in range(600))
    path = write(tmp_path, "deep.yaml", text)
    assert_one_problem(path, "deep.yaml:33:65: nested more than 32 levels deep")


def test_a_file_name_that_is_not_utf8_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/bad-\xff.yaml"
    with open(name, "wb") as handle:
        handle.write(GOOD.encode())
    assert_one_problem(tmp_path, "bad-\\xff.yaml:1:1: the file name is not UTF-8 text")


def check_and_load_as_nobody(path: Path) -> tuple[list[str], list[str]]:
    """The problems `check` (inspect) and a load find at ``path``, seen by the unprivileged user."""

    def look() -> tuple[list[str], list[str]]:
        checked = [str(p) for p in inspect(path).problems]
        try:
            KnowledgeBase.load(path).close()
        except KnowledgeError as err:
            return checked, [str(p) for p in err.problems]
        return checked, []

    return as_nobody(look)


# Root reads any file whatever its mode (and CI runs as root): these run as `nobody`.
def test_an_unreadable_file_is_a_problem(shared_dir: Path) -> None:
    write(shared_dir, "b.yaml", GOOD.replace("id: ", "id: other-"))
    path = write(shared_dir, "a.yaml", GOOD)
    path.chmod(0)
    checked, loaded = check_and_load_as_nobody(shared_dir)
    assert checked == loaded and len(checked) == 1, checked
    assert checked[0].endswith("a.yaml:1:1: cannot read the file: permission denied")


def test_an_unlistable_directory_is_a_problem(shared_dir: Path) -> None:
    write(shared_dir, "b.yaml", GOOD)
    (shared_dir / "inner").mkdir(mode=0o700)
    write(shared_dir / "inner", "c.yaml", GOOD.replace("id: ", "id: inner-"))
    checked, loaded = check_and_load_as_nobody(shared_dir)
    assert checked == loaded and len(checked) == 1, checked
    assert checked[0].endswith("inner:1:1: cannot list the directory: permission denied")


def test_a_broken_link_named_like_a_knowledge_file_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / "gone.yaml")
    assert_one_problem(tmp_path, "a.yaml:1:1: broken symbolic link")


def test_a_fifo_named_like_a_knowledge_file_is_a_problem_and_never_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "a.yaml")
    assert_one_problem(tmp_path, "a.yaml:1:1: not a regular file")


def test_a_file_larger_than_the_limit_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", GOOD)
    with pytest.raises(KnowledgeError) as caught:
        list(read_claims(path, limits=Limits(max_file_bytes=100)))
    (problem,) = caught.value.problems
    assert problem.message == "file is larger than 100 bytes"


def test_a_file_with_too_many_values_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", GOOD)
    with pytest.raises(KnowledgeError) as caught:
        list(read_claims(path, limits=Limits(max_nodes=10)))
    (problem,) = caught.value.problems
    assert problem.message == "more than 10 YAML values in one file"


def test_a_file_deleted_mid_load_is_a_problem(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD.replace("id: briefing", "id: other").replace("first-claim", "second"))
    claims = read_claims(tmp_path)
    next(claims)  # a.yaml is read; b.yaml was listed but not yet opened
    (tmp_path / "b.yaml").unlink()
    with pytest.raises(KnowledgeError) as caught:
        list(claims)
    assert [str(p).split(": ", 1)[1] for p in caught.value.problems] == ["the file vanished while it was being read"]
