"""Which model type a test file tests: what its name means (`hflint.naming.resolve_model_name`), else,
when the name gives no type, what its code names (`hflint.analysis.modelrefs`), each hub id read as
exec's stand-ins read it (`hflint.analysis.checkpoints`): its default checkpoint, else its
registry's checkpoints, when they name one model type (for a family name such as `data2vec`, one of
the family's types). A removed type's file stays removed whatever it names.

Shared by unknown-model-type (HF503), `hflint exec`'s selection and `hflint coverage`, so the three
agree on each file's type and say the same about how it was decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from hflint.analysis.checkpoints import checkpoint_model
from hflint.analysis.modelrefs import IdLiteral, default_ids, registries
from hflint.catalog import Catalog, ModelEntry
from hflint.naming import NameMatch, expected_class_name, resolve_model_name


@dataclass(frozen=True)
class FileModel:
    """A test file's model type (`entry`, None when neither its name nor its code gives one)."""

    name: NameMatch
    entry: ModelEntry | None
    # What in the code decided the type, when the name did not: "its default checkpoint `x`".
    evidence: str | None = None
    # The types the code's checkpoints name when they name several (so none was chosen).
    named: tuple[str, ...] = ()

    @property
    def how(self) -> str:
        """How the type was decided, for records and messages."""
        if self.evidence is not None:
            return self.evidence
        return self.name.how()

    def why_none(self, transformers_version: str) -> str:
        """Why the file has no model type (when `entry` is None), in one line."""
        match = self.name
        written = f"`{match.name}`"
        if match.removed is not None:
            return (
                f"{match.removed.model_type} was removed in transformers "
                f"{match.removed.removed_in} (the file name is {written})"
            )
        if match.kind == "generic":
            why = f"{written} names a kind of model, not a model type"
        elif match.kind == "family":
            why = f"{written} names several model types ({', '.join(match.candidates)})"
        else:
            why = f"{written} is not a model type transformers {transformers_version} knows"
        if self.named:
            return f"{why}, and the file's checkpoints name several ({', '.join(self.named)})"
        return f"{why}, and the file's checkpoints name none"


def file_model(catalog: Catalog, model_name: str, module: cst.Module | None) -> FileModel:
    """The model type of the file whose name gives `model_name`; `module` is its code, None when it
    does not parse (then the name alone decides)."""
    match = resolve_model_name(catalog, model_name)
    if match.entry is not None or match.removed is not None or module is None:
        return FileModel(match, match.entry)
    allowed = set(match.candidates)
    defaults = default_ids(module, expected_class_name(match.stem))
    listed = [literal for registry in registries(module) for literal in registry.ids]
    for literals, what in ((defaults, "default checkpoint"), (listed, "registry's checkpoint")):
        types = _named_types(catalog, literals, allowed)
        if len(types) == 1:
            model_type, hub_id = next(iter(types.items()))
            evidence = f"its {what} `{hub_id}`"
            return FileModel(match, catalog.models[model_type], evidence)
        if types:
            return FileModel(match, None, named=tuple(types))
    return FileModel(match, None)


def _named_types(
    catalog: Catalog, literals: Sequence[IdLiteral], allowed: set[str]
) -> dict[str, str]:
    """Model type -> the first of `literals` naming it, in order; only `allowed` types if any."""
    found: dict[str, str] = {}
    for literal in literals:
        # The id alone decides here (no registry, no file type): the file's type is the question.
        named = checkpoint_model(catalog, literal.value, declared=(), file_model=None)
        if named is None or (allowed and named[0].model_type not in allowed):
            continue
        found.setdefault(named[0].model_type, literal.value)
    return found
