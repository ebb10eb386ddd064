"""How much an MMEngine config may ask of the reader: each bound is one clear `mmconfig-limit` problem, never a hang.

The reader evaluates a config's syntax tree itself (it never runs the file), so a config can ask it for arbitrary
work: `(10**10000)**10000`, `'%0999999999d' % 1`, comprehensions nested three deep over `range(1000)`, a chain of
names each holding a list of the previous one. The 769 configs of MMSegmentation 1.2.2 stay far below every bound
here (tests/security/test_limits.py measures them when the corpus is present).
"""

from __future__ import annotations

LIMIT_HINT = "typedseg reads configs within limits that real configs stay far below; write the value out."
"""The hint of every `mmconfig-limit` problem."""

MAX_SOURCE_BYTES = 1_000_000
"""Bytes of one config file. MMSegmentation's longest is under 10 kB; a megabyte of config is a mistake or an
attack, and parsing it would already take Python's compiler seconds."""

MAX_SYNTAX_DEPTH = 100
"""Nesting of the syntax tree (`1+1+...+1`, `x[0][0]...`, `- - - 1` nest without parentheses). Real configs nest
about 15 deep; the checks walk the tree recursively and Python's own recursion limit is 1000."""

MAX_EVAL_STEPS = 100_000
"""Expressions evaluated (and distinct containers measured) for one file: bounds the time of comprehensions nested
over large ranges. The most any MMSegmentation 1.2.2 config takes is about 700; a step costs up to ~10 µs, so the
bound is about a second."""

MAX_INT_BITS = 1024
"""Bits of an integer result (`10**5000`, repeated squaring): checked before multiplying or raising to a power,
so the work is never done. A float cannot exceed 2**1024 either; no config value is larger."""

MAX_STRING_CHARS = 100_000
"""Characters of one string (`'ab' * 10**9`, `'%0999999999d' % 1`, format widths): checked before building it."""

MAX_ITEMS = 50_000
"""Entries of one list, tuple or dict, and iterations of one comprehension loop (a 150-class palette has 150)."""

MAX_VALUE_WEIGHT = 50_000
"""Size of a value as MMEngine would copy it out: every entry counts one, each string one more per 64 characters,
and a container referenced twice counts twice (`[x] * 1000` of a big `x` is a thousand copies once merged, dumped
and validated). Checked for each top-level name, and before a value is formatted, summed or substituted. The
heaviest merged MMSegmentation 1.2.2 config weighs about 1,700."""

MAX_VALUE_DEPTH = 100
"""Nesting of a value (names can nest it deeper than the syntax does: `a1 = [a0]`, `a2 = [a1]`, ...)."""
