"""The evaluator: each construct the corpus uses gives Python's value; everything else is refused at its line."""

from __future__ import annotations

import pytest

from tests.migrate.conftest import Write
from typedseg.migrate.mmengine_config import MMConfigError, load_mmengine_config
from typedseg.problems import Problem


def problems(path: object) -> list[Problem]:
    with pytest.raises(MMConfigError) as info:
        load_mmengine_config(str(path))
    return info.value.problems


def only(path: object) -> Problem:
    found = problems(path)
    assert len(found) == 1, found
    return found[0]


def test_literals_keep_python_types(write: Write) -> None:
    path = write(
        "cfg.py",
        """
        '''A docstring is ignored.'''
        crop_size = (512, 1024)
        mean = [123.675, 116.28, 103.53]
        flags = dict(a=None, b=True, c=False, d=1e-4, e=-1, f='x')
        mapping = {'backbone': dict(lr_mult=0.1), 'head.norm': dict(decay_mult=0.0)}
        nested = ((1, 2), [3, (4,)])
        """,
    )
    data = load_mmengine_config(path).data
    assert data["crop_size"] == (512, 1024) and type(data["crop_size"]) is tuple
    assert data["mean"] == [123.675, 116.28, 103.53] and type(data["mean"]) is list
    assert data["flags"] == {"a": None, "b": True, "c": False, "d": 0.0001, "e": -1, "f": "x"}
    assert data["mapping"] == {"backbone": {"lr_mult": 0.1}, "head.norm": {"decay_mult": 0.0}}
    assert data["nested"] == ((1, 2), [3, (4,)])
    assert list(data) == ["crop_size", "mean", "flags", "mapping", "nested"]


def test_arithmetic_and_strings(write: Write) -> None:
    path = write(
        "cfg.py",
        """
        iters = 120000
        a = iters // 10
        b = 1 / 4.0
        c = 32 * 4
        d = len([1, 2, 3]) - 1
        e = 2 ** 10
        f = 17 % 5
        g = -iters
        h = +3
        weights = [1.0] * 3 + [0.1]
        name = 'res' + 'net'
        formatted = '%s-%d' % ('r', 50)
        fstring = f'stage{c}.{b:.2f}.{name!r}'
        channels = sum([48, 96, 192, 384])
        count = len(dict(a=1, b=2))
        scale = int(640 * 7 * 0.1)
        pair = (1, 2) + (3,)
        """,
    )
    data = load_mmengine_config(path).data
    assert data["a"] == 12000 and type(data["a"]) is int
    assert data["b"] == 0.25
    assert (data["c"], data["d"], data["e"], data["f"], data["g"], data["h"]) == (128, 2, 1024, 2, -120000, 3)
    assert data["weights"] == [1.0, 1.0, 1.0, 0.1]
    assert data["name"] == "resnet"
    assert data["formatted"] == "r-50"
    assert data["fstring"] == "stage128.0.25.'resnet'"
    assert data["channels"] == 720
    assert data["count"] == 2
    assert data["scale"] == 448
    assert data["pair"] == (1, 2, 3)


def test_comprehensions_dict_copies_and_update(write: Write) -> None:
    path = write(
        "cfg.py",
        """
        depths = [2, 3]
        norm = dict(lr_mult=0.1, decay_mult=0.0)
        custom_keys = {'backbone': dict(lr_mult=0.1)}
        optim_wrapper = dict(paramwise_cfg=dict(custom_keys=custom_keys))
        custom_keys.update({
            f'backbone.stages.{stage_id}.blocks.{block_id}.norm': norm
            for stage_id, num_blocks in enumerate(depths)
            for block_id in range(num_blocks)
        })
        scales = [int(512 * x * 0.1) for x in range(5, 8)]
        resize = [dict(type='Resize', scale_factor=r) for r in [0.5, 1.0]]
        load = dict(dict(type='LoadDepthAnnotation', depth_rescale_factor=1e-3))
        merged = dict(load, extra=1)
        first = depths[0]
        last = depths[-1]
        tail = depths[1:]
        backbone = custom_keys['backbone']
        """,
    )
    data = load_mmengine_config(path).data
    keys = [
        "backbone",
        "backbone.stages.0.blocks.0.norm",
        "backbone.stages.0.blocks.1.norm",
        "backbone.stages.1.blocks.0.norm",
        "backbone.stages.1.blocks.1.norm",
        "backbone.stages.1.blocks.2.norm",
    ]
    assert list(data["custom_keys"]) == keys
    # `update` changes the dict object, so the optim_wrapper that referenced it earlier sees the new keys (Python).
    assert list(data["optim_wrapper"]["paramwise_cfg"]["custom_keys"]) == keys
    assert data["scales"] == [256, 307, 358]
    assert data["resize"] == [
        {"type": "Resize", "scale_factor": 0.5},
        {"type": "Resize", "scale_factor": 1.0},
    ]
    assert data["load"] == {"type": "LoadDepthAnnotation", "depth_rescale_factor": 0.001}
    assert data["merged"] == {"type": "LoadDepthAnnotation", "depth_rescale_factor": 0.001, "extra": 1}
    assert "extra" not in data["load"]
    assert (data["first"], data["last"], data["tail"]) == (2, 3, [3])
    assert data["backbone"] == {"lr_mult": 0.1}


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [
        ("a = 1\nf = lambda x: x\n", 2, "a lambda"),
        ("a = 1\n\ndef f():\n    return 1\n", 3, "a function definition"),
        ("class A:\n    pass\n", 1, "a class definition"),
        ("a = 1\nif a:\n    b = 2\n", 2, "an if statement"),
        ("a = 1\nfor i in range(3):\n    a = i\n", 2, "a for loop"),
        ("a = 1\na += 1\n", 2, "augmented assignment"),
        ("a, b = 1, 2\n", 1, "only `name = value`"),
        ("a = b = 1\n", 1, "only `name = value`"),
        ("x = dict(a=1)\nx['b'] = 2\n", 2, "only `name = value`"),
        ("a = 1\nb = foo(a)\n", 2, "the call `foo(a)`"),
        ("a = 'x'\nb = a.upper()\n", 2, "the call `a.upper()`"),
        ("print(1)\n", 1, "the statement `print(1)`"),
        ("a = {1, 2}\n", 1, "a set literal"),
        ("a = 1 if True else 2\n", 1, "a conditional expression"),
        ("a = 1 < 2\n", 1, "a comparison"),
        ("a = [x for x in [1, 2] if x]\n", 1, "`if` clauses"),
        ("a = (x for x in [1])\n", 1, "a generator expression"),
        ("base = dict(a=1)\nb = dict(**base, c=2)\n", 2, "`**` unpacking"),
        ("a = [*[1], 2]\n", 1, "a starred expression"),
        ("a = 3 & 1\n", 1, "the operator `&`"),
        ("a = range(3)\n", 1, "only as the iterable of a comprehension"),
        ("a = b'x'\n", 1, "the constant b'x'"),
        ("from os.path import *\n", 1, "star imports"),
    ],
)
def test_refused_constructs_name_the_line(write: Write, source: str, line: int, words: str) -> None:
    path = write("cfg.py", source)
    found = only(path)
    assert found.code == "mmconfig-unsupported"
    assert (found.file, found.line) == (str(path), line)
    assert words in found.message


def test_every_refused_construct_of_a_file_is_reported_at_once(write: Write) -> None:
    path = write(
        "cfg.py",
        """
        a = 1
        f = lambda x: x
        g = open('x')
        model = dict(type='X')
        """,
    )
    found = problems(path)
    assert [(p.line, p.code) for p in found] == [(2, "mmconfig-unsupported"), (3, "mmconfig-unsupported")]


def test_imports_are_recorded_never_run(write: Write) -> None:
    path = write(
        "cfg.py",
        """
        import os
        from math import pi as PI
        model = dict(type='X')
        """,
    )
    result = load_mmengine_config(path)
    assert result.data == {"model": {"type": "X"}}
    assert [(record.line, record.statement, record.names) for record in result.imports] == [
        (1, "import os", ("os",)),
        (2, "from math import pi as PI", ("PI",)),
    ]
    used = write("used.py", "import os\nroot = os.getcwd\n")
    found = only(used)
    assert (found.code, found.line) == ("mmconfig-unsupported", 2)
    assert "bound by `import os` (line 1)" in found.message


def test_undefined_names_and_plain_dict_attributes_fail_as_in_mmengine(write: Write) -> None:
    found = only(write("a.py", "model = dict(num_classes=num_classes)\n"))
    assert (found.code, found.line) == ("mmconfig-eval-error", 1)
    assert "name `num_classes` is not defined" in found.message

    write("base.py", "num_classes = 19\n")
    found = only(write("b.py", "_base_ = './base.py'\nmodel = dict(num_classes=num_classes)\n"))
    assert "NameError" in found.message and "_base_.num_classes" in found.hint

    found = only(write("c.py", "norm = dict(type='BN')\nkind = norm.type\n"))
    assert (found.code, found.line) == ("mmconfig-eval-error", 2)
    assert "AttributeError" in found.message and "norm['type']" in found.hint


def test_runtime_errors_are_located(write: Write) -> None:
    assert only(write("a.py", "a = 'x' + 1\n")).code == "mmconfig-eval-error"
    assert only(write("b.py", "a = [1, 2]\nb = a[5]\n")).line == 2
    assert "ZeroDivisionError" in only(write("c.py", "a = 1 // 0\n")).message
    found = only(write("d.py", "a = 1\nb = (\n  2 +\n  )\n"))
    assert (found.code, found.line) == ("mmconfig-syntax", 4)


def test_environment_variables_are_refused(write: Write) -> None:
    found = only(write("cfg.py", "a = 1\nroot = '{{$DATA_ROOT:data/}}'\n"))
    assert (found.code, found.line) == ("mmconfig-unsupported", 2)
    assert "environment" in found.message
