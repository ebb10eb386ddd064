"""Generated config modules: class specs in, formatted module source out (templates/config_module.py.j2)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from typedseg.codegen.signature import ClassSpec
from typedseg.templating import Import, import_lines, render_template


def config_module_source(
    specs: Sequence[ClassSpec],
    *,
    module_doc: str,
    generated_by: str,
    imports: Iterable[Import] = (),
    tail: str = "",
    postponed_annotations: bool = True,
) -> str:
    """The source of a module of config models, one `ConfigModel` class per spec.

    `generated_by` names the command that regenerates the file (the header says not to edit it). `imports`
    adds the names that `tail` (source appended after the classes) or a non-default base class needs; the
    names the fields need are added here. `postponed_annotations=False` leaves out `from __future__ import
    annotations`: pydantic then reads the fields' types as objects instead of compiling each annotation string
    (typedseg's own models; about 1 ms per model saved when a config is validated).
    """
    needed: set[Import] = {("__future__", "annotations")} if postponed_annotations else set()
    needed |= set(imports)
    for spec in specs:
        if spec.type_name is not None:
            needed.add(("typing", "Literal"))
        if spec.base == "ConfigModel":
            needed.add(("typedseg.config.base", "ConfigModel"))
        for field in (*spec.settings, *spec.fields):
            needed |= field.imports
        if spec.builds is not None:
            needed.add(("typing", "Any"))
            needed.add(("typing", "TYPE_CHECKING"))
            needed.add(("typing", "ClassVar"))
    checking = sorted({spec.builds for spec in specs if spec.builds is not None})
    return render_template(
        "config_module.py.j2",
        specs=specs,
        type_checking_imports=import_lines(checking),
        module_doc=module_doc,
        generated_by=generated_by,
        import_lines=import_lines(needed),
        tail=tail.strip("\n"),
    )
