"""The DistributedDataParallel settings: MMEngine's top-level `find_unused_parameters` and `model_wrapper_cfg`
(MMDistributedDataParallel) with MMEngine's and torch's defaults, the rule that the top-level key is not read
beside a model_wrapper_cfg (exit 2, FILE:LINE), and the round trips through show and export."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

import pytest
from torch.nn.parallel import DistributedDataParallel
from typer.testing import CliRunner

from cli.main import app
from typedseg.config.experiment import Experiment
from typedseg.config.model_wrapper import MMDistributedDataParallel, ddp_options
from typedseg.config.replace import replace
from typedseg.loading import load_config
from typedseg.migrate.importer import import_mmengine_config
from typedseg.migrate.to_mmengine import to_mmengine
from typedseg.problems import ConfigError, format_path

QUICKSTART = "configs/quickstart.py"
runner = CliRunner()


def test_defaults_are_mmengines_and_torchs() -> None:
    exp = Experiment()
    assert exp.find_unused_parameters is False and exp.model_wrapper_cfg is None
    wrapper = MMDistributedDataParallel()
    torch_defaults = inspect.signature(DistributedDataParallel.__init__).parameters
    for name in ("find_unused_parameters", "gradient_as_bucket_view", "static_graph", "bucket_cap_mb"):
        assert getattr(wrapper, name) == torch_defaults[name].default, name
    # torch's broadcast_buffers default: True (torch >= 2.12 spells it None, meaning forward_sync_buffers=True)
    assert wrapper.broadcast_buffers is True and torch_defaults["broadcast_buffers"].default in (None, True)
    assert wrapper.detect_anomalous_params is False  # MMDistributedDataParallel's own


def test_the_options_used_are_mmengines_runner_choice() -> None:
    # No model_wrapper_cfg: broadcast_buffers=False and the top-level find_unused_parameters.
    assert ddp_options(None, False) == MMDistributedDataParallel(broadcast_buffers=False)
    assert ddp_options(None, True) == MMDistributedDataParallel(
        broadcast_buffers=False, find_unused_parameters=True
    )
    # A model_wrapper_cfg is used as it is (torch's broadcast_buffers=True unless it says otherwise).
    given = MMDistributedDataParallel(static_graph=True)
    assert ddp_options(given, False) is given


def test_wrapper_fields_are_strict() -> None:
    with pytest.raises(ConfigError) as info:
        load_config(QUICKSTART, ["model_wrapper_cfg={find_unused_parameter: true}"])
    [problem] = info.value.problems
    assert (problem.code, format_path(problem.path)) == (
        "unknown-key",
        "model_wrapper_cfg.find_unused_parameter",
    )
    assert "find_unused_parameters" in problem.hint
    with pytest.raises(ConfigError) as info:
        load_config(QUICKSTART, ["model_wrapper_cfg={bucket_cap_mb: 0}"])
    assert [format_path(p.path) for p in info.value.problems] == ["model_wrapper_cfg.bucket_cap_mb"]


def _config(folder: Path, body: str) -> Path:
    path = folder / "cfg.py"
    path.write_text(
        "from typedseg.config.experiment import Experiment\n"
        "from typedseg.config.model_wrapper import MMDistributedDataParallel\n"
        "\n"
        "config = Experiment(\n" + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n)\n",
        encoding="utf-8",
    )
    return path


def test_find_unused_parameters_beside_a_wrapper_is_an_error_at_its_line(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        """
        model_wrapper_cfg=MMDistributedDataParallel(broadcast_buffers=False),
        find_unused_parameters=True,
        """,
    )
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    line = (
        f"{path}:6  find_unused_parameters: find_unused_parameters=True is not read when model_wrapper_cfg is set "
        "(MMEngine passes model_wrapper_cfg to DistributedDataParallel as it is): DistributedDataParallel runs "
        "with model_wrapper_cfg.find_unused_parameters=False. Set model_wrapper_cfg.find_unused_parameters=True "
        "and delete the top-level find_unused_parameters.  [find-unused-parameters-ignored]"
    )
    assert line in result.output.splitlines()
    assert "Traceback" not in result.output


def test_the_rule_in_yaml_and_where_nothing_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "cfg.yaml"
    path.write_text(
        "model_wrapper_cfg:\n  find_unused_parameters: true\nfind_unused_parameters: true\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    [problem] = info.value.problems
    assert (problem.code, problem.line) == ("find-unused-parameters-ignored", 3)
    assert "only model_wrapper_cfg.find_unused_parameters counts" in problem.message
    # nothing is dropped: the top-level key alone, the wrapper alone, or the top-level key left False beside it
    Experiment(find_unused_parameters=True)
    Experiment(model_wrapper_cfg=MMDistributedDataParallel(find_unused_parameters=True))
    Experiment(model_wrapper_cfg=MMDistributedDataParallel(), find_unused_parameters=False)


SET = MMDistributedDataParallel(
    find_unused_parameters=True, broadcast_buffers=False, bucket_cap_mb=50, detect_anomalous_params=True
)


@pytest.mark.parametrize("fmt", ["python", "yaml", "json"])
def test_show_round_trips(fmt: str, tmp_path: Path) -> None:
    quickstart = load_config(QUICKSTART).experiment
    cases = [
        (
            "model_wrapper_cfg={find_unused_parameters: true, broadcast_buffers: false, bucket_cap_mb: 50, "
            "detect_anomalous_params: true}",
            replace(quickstart, model_wrapper_cfg=SET),
        ),
        ("find_unused_parameters=true", replace(quickstart, find_unused_parameters=True)),
    ]
    for override, expected in cases:
        shown = runner.invoke(app, ["show", QUICKSTART, "--format", fmt, "--set", override])
        assert shown.exit_code == 0, shown.output
        path = tmp_path / f"shown.{'py' if fmt == 'python' else fmt}"
        path.write_text(shown.stdout, encoding="utf-8")
        assert load_config(path).experiment == expected


def test_export_writes_mmengines_keys_and_imports_back_equal(tmp_path: Path) -> None:
    quickstart = load_config(QUICKSTART).experiment
    for fields, written in (
        ({"find_unused_parameters": True}, "find_unused_parameters = True\n"),
        (
            {"model_wrapper_cfg": SET},
            "model_wrapper_cfg = dict(\n    type='MMDistributedDataParallel',\n    find_unused_parameters=True,\n"
            "    broadcast_buffers=False,\n    detect_anomalous_params=True,\n    bucket_cap_mb=50,\n)\n",
        ),
        (
            {"model_wrapper_cfg": MMDistributedDataParallel()},
            "model_wrapper_cfg = dict(type='MMDistributedDataParallel')\n",
        ),
    ):
        exp = replace(quickstart, **fields)
        text = to_mmengine(exp)
        assert written in text, text
        path = tmp_path / "exported.py"
        path.write_text(text, encoding="utf-8")
        assert import_mmengine_config(path).experiment == exp
    assert "find_unused_parameters" not in to_mmengine(quickstart)  # defaults are not written
    assert "model_wrapper_cfg" not in to_mmengine(quickstart)
