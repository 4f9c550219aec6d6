"""`[tool.hflint.priorities]`: the model priorities of a project, checked against the catalog.

Importing this module registers the table with the config code (`hflint.config_tables`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hflint.catalog import load_catalog
from hflint.config import TABLE, ConfigError, check_table, string_list, suggestion
from hflint.config_tables import ConfigTable, register_table
from hflint.frozen import FrozenMap, freeze

SECTIONS = ("critical", "high", "tracked")

EXAMPLE = """\
[tool.hflint.priorities]
critical = ["bert", "gpt2", "t5", "vit", "whisper"]
high = ["gpt-j", "flan-t5"]
"""


def validate_priorities(value: dict[str, Any], path: Path) -> FrozenMap:
    """Shaped as hflint's own priorities file (`critical`, `high` and `tracked`, each family ->
    model names, or simply a list of names: one unnamed family), every name known to the catalog."""
    table = dict(value)
    catalog = load_catalog()
    where = f"{TABLE}.priorities"
    for section, families in table.items():
        if section not in SECTIONS:
            hint = suggestion(section, SECTIONS)
            raise ConfigError(path, section, f"unknown key {section!r}{hint}", table=where)
        if isinstance(families, list):  # `critical = ["bert", "gpt2"]`: one unnamed family
            families = table[section] = {"models": families}
        for family, names in check_table(families, section, path, where).items():
            for name in string_list(names, family, path, f"{where}.{section}"):
                if catalog.resolve(name) is None:
                    close = catalog.suggestions(name)
                    hint = f" (did you mean {', '.join(close)}?)" if close else ""
                    reason = f"{family!r} names unknown model {name!r}{hint}"
                    raise ConfigError(path, family, reason, table=f"{where}.{section}")
    frozen: FrozenMap = freeze(table)
    return frozen


register_table(
    ConfigTable(
        name="priorities",
        validate=validate_priorities,
        heading="Model priorities for coverage (default: hflint's own table):",
        example=EXAMPLE,
    )
)
