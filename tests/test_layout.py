"""The tree explains itself: knowledge/ in rooms, imports one way, no module or class too big to read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "knowledge")
ROOMS = ("store", "answering", "drafting", "activity")
MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 300


def modules(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of its code (lazy imports too)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{alias.name}" for alias in node.names)
    return out


def room_of(path: Path) -> str:
    return path.relative_to(ROOT / "knowledge").parts[0]


def test_knowledge_is_a_few_modules_and_its_rooms():
    top = sorted(p.name for p in (ROOT / "knowledge").glob("*.py"))
    rooms = sorted(p.parent.name for p in (ROOT / "knowledge").glob("*/__init__.py"))
    assert len(top) <= 4, top
    assert rooms == sorted(ROOMS)


@pytest.mark.parametrize("path", modules(*PACKAGES), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_or_class_is_too_long_to_read(path: Path):
    source = path.read_text(encoding="utf-8")
    assert source.count("\n") <= MAX_MODULE_LINES
    classes = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ClassDef)]
    too_long = {c.name: c.end_lineno - c.lineno + 1 for c in classes if c.end_lineno - c.lineno + 1 > MAX_CLASS_LINES}
    assert not too_long


def test_knowledge_never_imports_telegram_or_the_shell():
    for path in modules("knowledge"):
        wrong = {m for m in imported(path) if m.split(".")[0] in ("telegram", "bot", "handlers")}
        assert not wrong, f"{path.relative_to(ROOT)} imports {wrong}"


def test_the_rooms_import_one_way():
    # store is the floor; answering and activity stand on it; drafting reads only the schema;
    # nothing inside knowledge/ imports activity (only the shell does).
    allowed = {
        "store": ("knowledge.store",),
        "answering": ("knowledge.store", "knowledge.answering"),
        "activity": ("knowledge.store", "knowledge.activity"),
        "drafting": ("knowledge.store.schema", "knowledge.drafting"),
    }
    for room in ROOMS:
        for path in (ROOT / "knowledge" / room).rglob("*.py"):
            ours = {m for m in imported(path) if m.startswith("knowledge.") or m == "knowledge"}
            wrong = {m for m in ours if not m.startswith(allowed[room])}
            assert not wrong, f"{path.relative_to(ROOT)} imports {wrong}"
    for path in modules("knowledge"):
        if room_of(path) != "activity":
            assert not {m for m in imported(path) if m.startswith("knowledge.activity")}, path
