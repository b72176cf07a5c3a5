"""What is wrong with a knowledge file, and where: ``Problem`` (file:line:col: message) and ``KnowledgeError``.

Every stage of reading knowledge (the YAML, the schema, the ids across files) reports in
these terms, so a moderator sees each problem at its place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# A value's place in a file's data: keys and list indexes from the top, e.g. ("claims", 3, "id").
Loc = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a knowledge file, printed as ``file:line:col: message``."""

    file: str
    line: int
    col: int
    message: str
    hint: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge could not be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
