"""`typedseg import` over every leaf config of mmsegmentation 1.2.2 (681 files; `_base_/` files are only read).

Per config the outcome is one of: imported (warnings allowed), real problems reported (mistakes MMEngine keeps
silent, or typedseg's rules), or unsupported types only. The summary table is printed and written to
`<pytest tmp>/corpus-import/summary.md`; docs/cli/import.md shows it.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from typedseg.migrate.importer import ENGINE_SECTIONS, ImportResult, import_mmengine_config
from typedseg.migrate.mmengine_config import MMConfigLoader
from typedseg.migrate.to_mmengine import to_mmengine
from typedseg.problems import ConfigError, format_path

# Real problems per config: MMEngine would run these configs silently doing something else than they say.
EXPECTED_PROBLEMS: dict[str, set[str]] = {
    # MMSegmentation 0.x's `runner=dict(max_iters=320000)`: MMEngine ignores it and trains the base's 160k.
    **{
        f"mobilenet_v3/mobilenet-v3-d8{kind}_lraspp_4xb4-320k_cityscapes-512x1024.py": {"legacy-key runner"}
        for kind in ("", "-s", "-scratch", "-scratch-s")
    },
    # "amp" configs whose `fp16=dict(loss_scale=...)` MMEngine ignores: they train in full precision.
    "mae/mae-base_upernet_8xb2-amp-160k_ade20k-512x512.py": {"legacy-key fp16"},
    "mae/mae-base_upernet_8xb2-amp-160k_ade20k-512x512-ms.py": {"legacy-key fp16"},
    # `wd_mult` in custom_keys is copied into the parameter group and read by nothing.
    **{
        f"dnlnet/dnl_r{depth}-d8_4xb2-80k_cityscapes-769x769.py": {
            "unknown-key optim_wrapper.paramwise_cfg.custom_keys.theta.wd_mult",
            "unknown-key optim_wrapper.paramwise_cfg.custom_keys.phi.wd_mult",
        }
        for depth in ("50", "101")
    },
    # The learning-rate schedule ends at half of max_iters.
    "beit/beit-large_upernet_8xb1-amp-160k_ade20k-640x640.py": {"schedule-ends-early param_scheduler[1].end"},
    "beit/beit-large_upernet_8xb1-amp-160k_ade20k-640x640_ms.py": {
        "schedule-ends-early param_scheduler[1].end"
    },
    "ocrnet/ocrnet_r101-d8_8xb2-80k_cityscapes-512x1024.py": {"schedule-ends-early param_scheduler[0].end"},
    # A second `model = dict(...)` in the same file discards the ResNet-101 settings of the first.
    "sem_fpn/fpn_r101_4xb4-160k_ade20k-512x512.py": {"assigned-twice model"},
    # 640x640 K-Net: the dataloaders are assigned twice (the first ones, with the 640 pipelines, are lost).
    # Its `crop_size = (640, 640)` twice, and SETR's `crop_size = (768, 768)` twice, lose nothing: not reported.
    "knet/knet-s3_swin-l_upernet_8xb2-adamw-80k_ade20k-640x640.py": {
        "assigned-twice train_dataloader",
        "assigned-twice val_dataloader",
        "assigned-twice test_dataloader",
    },
    # `models = dict(data_preprocessor=...)`: the 1024x1024 preprocessor never reaches `model`.
    "bisenetv2/bisenetv2_fcn_4xb4-ohem-160k_cityscapes-1024x1024.py": {"ignored-key models"},
    # MMSegmentation 0.x's img_norm_cfg, ignored (normalisation is data_preprocessor's).
    **{
        f"poolformer/fpn_poolformer_{name}.py": {"legacy-key img_norm_cfg"}
        for name in (
            "s12_8xb4-40k_ade20k-512x512",
            "s24_8xb4-40k_ade20k-512x512",
            "s36_8x4_512x512_40k_ade20k",
            "m36_8xb4-40k_ade20k-512x512",
            "m48_8xb4-40k_ade20k-512x512",
        )
    },
    # Metrics logged at the epoch number under an iteration loop (typedseg's hook rule).
    **{
        f"cgnet/cgnet_fcn_4xb{batch}-60k_cityscapes-{size}.py": {
            "hook-by-epoch-mismatch default_hooks.logger.log_metric_by_epoch"
        }
        for batch, size in (("4", "680x680"), ("8", "512x1024"))
    },
}

CLEAN_SUPPORTED = (
    "fcn/fcn_r50-d8_4xb2-40k_cityscapes-512x1024.py",
    "deeplabv3/deeplabv3_r50-d8_4xb2-80k_cityscapes-512x1024.py",
    "deeplabv3plus/deeplabv3plus_r50-d8_4xb2-80k_cityscapes-512x1024.py",
    "segformer/segformer_mit-b0_8xb2-160k_ade20k-512x512.py",
    "convnext/convnext-tiny_upernet_8xb2-amp-160k_ade20k-512x512.py",
    "unet/unet-s5-d16_fcn_4xb4-160k_cityscapes-512x1024.py",
)

# Every engine-section type the corpus uses is implemented (VPD's ForceDefaultOptimWrapperConstructor too).
ENGINE_EXCEPTIONS: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class CorpusImport:
    root: Path
    results: dict[str, ImportResult]
    unreadable: dict[str, ConfigError]
    seconds: float

    def outcome(self, name: str) -> str:
        result = self.results[name]
        if result.imported:
            return "imported"
        return "real problems" if result.real_problems else "unsupported types only"


def describe(problem_code: str, path: tuple[str | int, ...]) -> str:
    return f"{problem_code} {format_path(path)}"


@pytest.fixture(scope="module")
def imported(mmseg_configs: Path, tmp_path_factory: pytest.TempPathFactory) -> CorpusImport:
    loader = MMConfigLoader()
    results: dict[str, ImportResult] = {}
    unreadable: dict[str, ConfigError] = {}
    start = time.perf_counter()
    for path in sorted(mmseg_configs.rglob("*.py")):
        name = path.relative_to(mmseg_configs).as_posix()
        if name.startswith("_base_/"):
            continue
        try:
            results[name] = import_mmengine_config(path, loader)
        except ConfigError as error:  # any other exception is a crash: the test fails
            unreadable[name] = error
    corpus = CorpusImport(mmseg_configs, results, unreadable, time.perf_counter() - start)
    summary = summary_table(corpus)
    folder = tmp_path_factory.mktemp("corpus-import")
    (folder / "summary.md").write_text(summary, encoding="utf-8")
    print(f"\n{summary}\n(written to {folder / 'summary.md'})")
    return corpus


def summary_table(corpus: CorpusImport) -> str:
    outcomes = Counter(corpus.outcome(name) for name in corpus.results)
    lines = [
        f"Importing the {len(corpus.results)} leaf configs of mmsegmentation 1.2.2 ({corpus.seconds:.1f} s).",
        "",
        "| outcome | configs |",
        "|---|---:|",
    ]
    for outcome, label in (
        ("imported", "imported (warnings allowed)"),
        ("real problems", "real problems reported"),
        ("unsupported types only", "unsupported types only"),
    ):
        lines.append(f"| {label} | {outcomes[outcome]} |")
    with_unsupported = sum(bool(result.unsupported) for result in corpus.results.values())
    lines += [
        f"| (any unsupported type) | {with_unsupported} |",
        "",
        "| config with real problems | problems |",
    ]
    lines.append("|---|---|")
    for name, result in corpus.results.items():
        if result.real_problems:
            found = sorted({describe(p.code, p.path) for p in result.real_problems})
            unsupported = " (also unsupported types)" if result.unsupported else ""
            lines.append(f"| {name} | {'; '.join(found)}{unsupported} |")
    by_section = Counter(
        section for result in corpus.results.values() for section in {u.section for u in result.unsupported}
    )
    lines += ["", "| section with an unsupported type | configs |", "|---|---:|"]
    lines += [f"| {section} | {count} |" for section, count in _by_count(by_section)]
    by_type = Counter(
        name for result in corpus.results.values() for name in {u.name for u in result.unsupported}
    )
    lines += ["", "| unsupported type (top 20) | configs |", "|---|---:|"]
    lines += [f"| {name} | {count} |" for name, count in _by_count(by_type)[:20]]
    return "\n".join(lines) + "\n"


def _by_count(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def test_every_leaf_config_is_processed_quickly(imported: CorpusImport) -> None:
    assert imported.unreadable == {}
    assert len(imported.results) == 681
    assert imported.seconds < 60, f"importing the corpus took {imported.seconds:.1f} s"


def test_the_engine_sections_import_for_every_config(imported: CorpusImport) -> None:
    found = {
        (name, item.name)
        for name, result in imported.results.items()
        for item in result.unsupported
        if item.section in ENGINE_SECTIONS
    }
    assert found == ENGINE_EXCEPTIONS


def test_the_configs_with_real_problems_are_exactly_the_known_ones(imported: CorpusImport) -> None:
    found = {
        name: {describe(p.code, p.path) for p in result.real_problems}
        for name, result in imported.results.items()
        if result.real_problems
    }
    assert found == EXPECTED_PROBLEMS


def test_the_known_mistakes_are_located_and_explained(imported: CorpusImport) -> None:
    def problem(name: str, code: str) -> tuple[str, int | None, str]:
        [found] = [p for p in imported.results[name].real_problems if p.code == code]
        assert found.file is not None
        return Path(found.file).relative_to(imported.root).as_posix(), found.line, found.message

    runner = "mobilenet_v3/mobilenet-v3-d8-s_lraspp_4xb4-320k_cityscapes-512x1024.py"
    file, line, message = problem(runner, "legacy-key")
    assert (file, line) == ("mobilenet_v3/mobilenet-v3-d8_lraspp_4xb4-320k_cityscapes-512x1024.py", 16)
    assert (
        "trains train_cfg.max_iters=160000" in message and "not the 320000 that runner.max_iters" in message
    )
    file, line, message = problem("mae/mae-base_upernet_8xb2-amp-160k_ade20k-512x512-ms.py", "legacy-key")
    assert (file, line) == ("mae/mae-base_upernet_8xb2-amp-160k_ade20k-512x512.py", 49)
    assert "AMP is not used" in message
    file, line, message = problem(
        "ocrnet/ocrnet_r101-d8_8xb2-80k_cityscapes-512x1024.py", "schedule-ends-early"
    )
    assert (file, line) == ("ocrnet/ocrnet_r101-d8_8xb2-80k_cityscapes-512x1024.py", 19)
    assert message.startswith("40000 ends before train_cfg.max_iters (80000)")
    file, line, message = problem("sem_fpn/fpn_r101_4xb4-160k_ade20k-512x512.py", "assigned-twice")
    assert (file, line) == ("sem_fpn/fpn_r101_4xb4-160k_ade20k-512x512.py", 2)
    assert "(lines 2 and 5)" in message
    [wd_mult, _] = imported.results["dnlnet/dnl_r101-d8_4xb2-80k_cityscapes-769x769.py"].real_problems
    assert Path(wd_mult.file or "").name == "dnl_r50-d8_4xb2-80k_cityscapes-769x769.py"
    assert "nothing reads `wd_mult`" in wd_mult.hint


def test_clean_configs_of_supported_families_import_with_exit_0(imported: CorpusImport) -> None:
    runner = CliRunner()
    for name in CLEAN_SUPPORTED:
        result = imported.results[name]
        assert result.imported and result.errors == [], (name, result.problems)
        cli = runner.invoke(app, ["import", str(imported.root / name), "--format", "json"])
        assert cli.exit_code == 0, cli.output
    convnext = imported.results["convnext/convnext-tiny_upernet_8xb2-amp-160k_ade20k-512x512.py"].experiment
    assert convnext.optim_wrapper.type == "AmpOptimWrapper"
    assert convnext.optim_wrapper.constructor == "LearningRateDecayOptimizerConstructor"
    assert convnext.model.backbone.type == "ConvNeXt"


def test_export_then_import_gives_every_clean_config_back_equal(imported: CorpusImport) -> None:
    clean = {name: result for name, result in imported.results.items() if result.imported}
    assert len(clean) >= 100
    loader = MMConfigLoader()
    with tempfile.TemporaryDirectory() as folder:
        for name, result in clean.items():
            path = Path(folder) / re.sub(r"[/]", "__", name)
            path.write_text(to_mmengine(result.experiment), encoding="utf-8")
            back = import_mmengine_config(path, loader)
            assert back.imported and back.experiment == result.experiment, (name, back.problems)
