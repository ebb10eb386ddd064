"""How problems are shown: `FILE:LINE  path: message hint  [code]`, or JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Sequence

from typedseg.problems import Problem, format_path, readable_path


def display_file(problem: Problem) -> str | None:
    """The problem's file as a person reads it: relative to the working directory when it is below it."""
    file = problem.file
    if file is None or file.startswith("--set"):
        return file
    return readable_path(file)


def _where(problem: Problem) -> str:
    file = display_file(problem)
    if file is None:
        return "<config>"
    return f"{file}:{problem.line}" if problem.line is not None else file


def format_problem(problem: Problem) -> str:
    path = format_path(problem.path)
    label = "" if problem.is_error else "warning: "
    text = f"{_where(problem)}  {label}{path + ': ' if path else ''}{problem.message}"
    if problem.hint:
        text += f" {problem.hint}"
    return f"{text}  [{problem.code}]"


MAX_SHOWN_PROBLEMS = 50
"""Problems printed for people: a config with thousands (a long list of wrong items) buries the first one, which is
usually the cause of the rest; the count of the others follows. `--format json` lists them all."""


def format_problems(problems: Sequence[Problem], limit: int = MAX_SHOWN_PROBLEMS) -> str:
    """One line per problem, the first `limit` of them, then `... and N more problems`."""
    lines = [format_problem(p) for p in problems[:limit]]
    hidden = len(problems) - limit
    if hidden > 0:
        lines.append(f"... and {hidden} more problem{'s' if hidden != 1 else ''}")
    return "\n".join(lines)


def problems_json(problems: Sequence[Problem]) -> list[dict[str, object]]:
    return [
        {
            "code": p.code,
            "severity": p.severity,
            "path": format_path(p.path),
            "message": p.message,
            "hint": p.hint,
            "file": display_file(p),
            "line": p.line,
        }
        for p in problems
    ]


def dumps(data: object) -> str:
    return json.dumps(data, indent=2)
