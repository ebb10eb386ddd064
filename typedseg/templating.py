"""Rendering of the Jinja2 templates (the repository's `templates/` folder), and Python source formatting.

Everything typedseg writes (config exports, generated config modules) comes from a template here. Output is
written already formatted as `ruff format` would write it (double quotes, wrapped docstrings, exploded long
imports), so generated files need no formatter and committed ones can be compared as exact text. jinja2 is
imported on first use only: `typedseg validate` never renders anything.
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

LINE_LENGTH = 110
"""The project's line length (pyproject's `[tool.ruff]`)."""

Import = tuple[str, str]
"""`(module, name)`: one name that generated source needs imported."""


def python_string(value: str) -> str:
    """A string literal in the double quotes `ruff format` prefers (single quotes when the text has a `"`).

    Built from `repr`, so every character is escaped as Python reads it back: `eval(python_string(s)) == s`.
    """
    text = repr(value)
    if "'" in value or '"' in value:
        return (
            text  # repr chose the quotes (double when the text has only single quotes) and escaped the rest
        )
    return f'"{text[1:-1]}"'


def inline_text(value: str) -> str:
    """User text for one line of generated code (a comment, a docstring): every character that is not printable
    (newlines, `\\r`, form feeds, Unicode line and paragraph separators, NUL, terminal escapes) is written as its
    escape sequence (`\\n`, `\\u2028`), so the text can neither end the comment nor start a line of code."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in value)


def comment_text(value: str) -> str:
    """User text for a `#` comment of a generated file: one printable line, no `{{` (MMEngine substitutes
    `{{ fileDirname }}`-style placeholders anywhere in a config's text) and no encoding declaration (`coding:`
    on one of the first two lines would change how Python decodes the file)."""
    text = inline_text(value).replace("{{", "{ {")
    return re.sub(r"coding([:=])", r"coding \1", text)


def docstring_text(value: str) -> str:
    """User text placed inside a generated triple-quoted docstring: one printable line, backslashes and quotes
    escaped (the docstring reads back as the text shown)."""
    return inline_text(value).replace("\\", "\\\\").replace('"', '\\"')


def docstring(text: str, indent: int = 4) -> str:
    """`text` as a triple-quoted literal placed at `indent`: one line if it fits, else wrapped paragraphs.

    Backslashes and triple quotes are escaped, so text copied from rst (`\\(a,b\\)`) stays valid Python.
    """
    # Whitespace (newlines and Unicode line separators too) joins words; other unprintable characters are escaped.
    paragraphs = [inline_text(" ".join(p.split())) for p in text.split("\n\n") if p.strip()]
    paragraphs = [p.replace("\\", "\\\\").replace('"""', '\\"\\"\\"') for p in paragraphs]
    pad = " " * indent
    if len(paragraphs) == 1 and indent + len(paragraphs[0]) + 6 <= LINE_LENGTH:
        body = paragraphs[0]
        return f'"""{body[:-1]}\\""""' if _ends_with_bare_quote(body) else f'"""{body}"""'
    width = LINE_LENGTH - indent - 3
    lines: list[str] = []
    for paragraph in paragraphs:
        if lines:
            lines.append("")
        lines.extend(textwrap.wrap(paragraph, width, break_long_words=False, break_on_hyphens=False))
    body = "\n".join(f"{pad}{line}" if line and i else line for i, line in enumerate(lines))
    return f'"""{body}\n{pad}"""'


def _ends_with_bare_quote(body: str) -> bool:
    """Whether `body` ends with a `"` that is not escaped (it would merge with the closing `\"\"\"`)."""
    if not body.endswith('"'):
        return False
    before = body[:-1]
    return (len(before) - len(before.rstrip("\\"))) % 2 == 0


def _import_group(module: str) -> int:
    root = module.split(".", maxsplit=1)[0]
    if module == "__future__":
        return 0
    if root in sys.stdlib_module_names:
        return 1
    return 3 if root == "typedseg" else 2


def _name_order(name: str) -> tuple[int, str]:
    # ruff's isort `order-by-type`: CONSTANTS, then Classes, then functions/variables.
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name


def import_lines(imports: Iterable[Import]) -> list[str]:
    """`from module import a, b` lines, grouped and sorted as ruff's isort does; `""` separates the groups."""
    by_module: dict[str, set[str]] = {}
    for module, name in imports:
        by_module.setdefault(module, set()).add(name)
    lines: list[str] = []
    previous_group: int | None = None
    for module in sorted(by_module, key=lambda m: (_import_group(m), m.lower())):
        group = _import_group(module)
        if previous_group is not None and group != previous_group:
            lines.append("")
        previous_group = group
        names = sorted(by_module[module], key=_name_order)
        line = f"from {module} import {', '.join(names)}"
        if len(line) > LINE_LENGTH:
            line = f"from {module} import (\n" + "".join(f"    {n},\n" for n in names) + ")"
        lines.append(line)
    return lines


def _template_source(name: str) -> str | None:
    """A template's text (typedseg.resources finds the folder in a wheel and in a checkout alike)."""
    from typedseg.resources import data_file

    resource = data_file("templates", name)
    return None if resource is None else resource.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def environment() -> Any:
    """The one Jinja2 environment (built on first use)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Python source, not HTML
    )
    env.filters["docstring"] = docstring
    env.filters["pystr"] = python_string
    env.filters["comment"] = comment_text
    env.filters["doctext"] = docstring_text
    return env


def render_template(name: str, **context: Any) -> str:
    """Render `templates/<name>` with `context`."""
    return str(environment().get_template(name).render(**context))
