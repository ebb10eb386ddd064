"""The base model: strict, frozen, unknown keys refused, sites remembered outside equality."""

from __future__ import annotations

import sys
from typing import Literal

import pytest
from pydantic import ValidationError

from typedseg.config.base import ConfigModel, Seq, UserConfig
from typedseg.config.loops import IterBasedTrainLoop
from typedseg.problems import ConfigError


class Sample(ConfigModel):
    type: Literal["Sample"] = "Sample"
    count: int = 1
    rate: float = 0.5
    flag: bool = False
    items: Seq[int] = ()


def test_strict_types_refuse_coercion() -> None:
    for bad in ({"count": "3"}, {"count": 3.0}, {"flag": 1}, {"flag": "true"}, {"rate": "0.1"}):
        with pytest.raises(ValidationError):
            Sample.model_validate(bad)


def test_an_int_is_a_valid_float() -> None:
    assert Sample(rate=1).rate == 1.0


def test_sequences_are_stored_as_tuples() -> None:
    sample = Sample(items=[1, 2])
    assert sample.items == (1, 2)
    assert isinstance(sample.items, tuple)


def test_models_are_frozen() -> None:
    sample = Sample()
    with pytest.raises(ValidationError):
        sample.count = 2  # type: ignore[misc]


def test_unknown_keys_are_refused_with_a_suggestion() -> None:
    with pytest.raises(ConfigError) as info:
        Sample(cuont=3)  # type: ignore[call-arg]
    [problem] = info.value.problems
    assert (problem.code, problem.path) == ("unknown-key", ("cuont",))
    assert problem.hint == "Did you mean 'count'?"


def test_equality_ignores_where_an_object_was_built() -> None:
    first = IterBasedTrainLoop(max_iters=10)
    second = IterBasedTrainLoop(max_iters=10)
    assert first.site is not None and second.site is not None
    assert first.site.lineno != second.site.lineno
    assert first == second
    assert hash(first) == hash(second)
    assert first != IterBasedTrainLoop(max_iters=11)


def test_site_is_the_callers_line_and_span() -> None:
    loop = IterBasedTrainLoop(
        max_iters=10,
    )
    line = sys._getframe().f_lineno - 3
    assert loop.site is not None
    assert loop.site.filename == __file__
    assert (loop.site.lineno, loop.site.end_lineno) == (line, line + 2)


def test_objects_validated_from_data_have_no_site() -> None:
    assert IterBasedTrainLoop.model_validate({"max_iters": 10}).site is None


def test_construction_errors_collect_every_problem() -> None:
    with pytest.raises(ConfigError) as info:
        IterBasedTrainLoop(max_iters="80k", val_interval=0)  # type: ignore[arg-type]
    assert [(p.code, p.path) for p in info.value.problems] == [
        ("invalid-value", ("max_iters",)),
        ("invalid-value", ("val_interval",)),
    ]
    assert info.value.construction is not None
    assert info.value.construction.class_name == "IterBasedTrainLoop"


class GradAlarm(UserConfig):
    threshold: float = 10.0


def test_user_config_type_is_its_dotted_path() -> None:
    assert GradAlarm().type == f"{__name__}.GradAlarm"
    assert GradAlarm.model_validate({"threshold": 3}).type == f"{__name__}.GradAlarm"
