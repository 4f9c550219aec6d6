"""`[tool.hflint.exec]`: defaults of `hflint exec` and per-device settings, checked without torch.

Every key is shown in `EXAMPLE` (which `hflint init` writes out as comments).
Importing this module registers the table with the config code (`hflint.config_tables`):
`validate_exec_table` checks it and gives sizes in bytes, the settings keep it frozen, and
`exec_table` reads it back. `device_settings` picks the values for one device.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hflint.config import TABLE, ConfigError
from hflint.config_tables import ConfigTable, register_table
from hflint.frozen import FrozenMap, freeze
from hflint.settings import Settings

EXAMPLE = """\
[tool.hflint.exec]
device = "auto"              # auto, cpu, cuda, cuda:1, rocm, mps, xpu, xpu:0
model-source = "synth"       # synth, hub, auto
timeout = 300                # seconds per file
memory-cap = "8GiB"          # address space a file may add to the warm worker's; "none": no cap
dtype = "auto"               # auto (as the file loads it), float32, float16, bfloat16
jobs = 2                     # files run at once
output-limit = "64KiB"       # captured output kept per file (its head and its tail)
model-cache = ".hflint_cache/tiny-models"
backend = "local"            # local (a warm worker here) or ray
ray-address = "ray://head:10001"  # backend "ray": the cluster (default: a local Ray instance)

[tool.hflint.exec.devices.cuda]   # also cpu, rocm, mps, xpu, or one device: "cuda:1"
dtype = "float16"
timeout = 600
"""

MODEL_SOURCES = ("synth", "hub", "auto")
BACKENDS = ("local", "ray")
DTYPES = ("auto", "float32", "float16", "bfloat16")
DEVICE_KINDS = ("cpu", "cuda", "rocm", "mps", "xpu")
DEVICE_NAME = re.compile(r"^(auto|cpu|cuda|rocm|mps|xpu)(?::(\d+))?$")

# Keys valid both at the top of [tool.hflint.exec] and in a [tool.hflint.exec.devices.<name>] table.
_DEVICE_KEYS = ("timeout", "memory-cap", "dtype", "jobs")
_TOP_KEYS = (
    "device",
    "model-source",
    "output-limit",
    "model-cache",
    "backend",
    "ray-address",
    "devices",
    *_DEVICE_KEYS,
)

DEFAULT_TIMEOUT = 300.0
DEFAULT_OUTPUT_LIMIT = 64 * 1024
# On a CPU a file may map this much on top of the warm worker. Accelerator drivers reserve address
# space far beyond what they use (CUDA maps tens of GiB at start-up), so an RLIMIT_AS cap there
# breaks them: those devices get no cap unless one is configured.
DEFAULT_CPU_MEMORY_CAP = 8 * 1024**3
_UNCAPPED_KINDS = frozenset({"cuda", "rocm", "xpu"})
_MAX_DEFAULT_JOBS = 8

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "kib": 1024,
    "m": 1000**2,
    "mb": 1000**2,
    "mib": 1024**2,
    "g": 1000**3,
    "gb": 1000**3,
    "gib": 1024**3,
    "t": 1000**4,
    "tb": 1000**4,
    "tib": 1024**4,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


class ExecOptionError(ValueError):
    """A bad value in [tool.hflint.exec] (or of a flag): the key, and the sub-table it is in."""

    def __init__(self, key: str, reason: str, subtable: str = "") -> None:
        self.key = key
        self.reason = reason
        self.subtable = subtable  # "" or ".devices.cuda"
        super().__init__(reason)


def parse_size(value: object, key: str = "memory-cap") -> int | None:
    """`"8GiB"` -> 8589934592; `"none"` or `false` -> None (no limit). Bare numbers are bytes."""
    if value is False or (isinstance(value, str) and value.strip().lower() in ("none", "off")):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _SIZE.match(value) if isinstance(value, str) else None
    unit = _UNITS.get(match.group(2).lower()) if match else None
    if match is None or unit is None or float(match.group(1)) <= 0:
        raise ExecOptionError(
            key, f'{key!r} must be a size such as "8GiB" or "512MB", or "none"; got {value!r}'
        )
    return int(float(match.group(1)) * unit)


def format_size(size: int | None) -> str:
    if size is None:
        return "none"
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}{unit}"
    return f"{size}B"


def check_device_name(value: str, key: str = "device") -> str:
    if not DEVICE_NAME.match(value):
        raise ExecOptionError(
            key, f"{key!r} must be auto, cpu, cuda, cuda:N, rocm, mps, xpu or xpu:N; got {value!r}"
        )
    return value


def validate_exec_table(table: Mapping[str, Any]) -> dict[str, Any]:
    """The table, checked, with sizes in bytes (None: no cap); raises ExecOptionError."""
    result: dict[str, Any] = {}
    for key, value in table.items():
        if key == "device":
            result[key] = check_device_name(_string(key, value))
        elif key == "model-source":
            result[key] = _choice(key, value, MODEL_SOURCES)
        elif key == "output-limit":
            limit = parse_size(value, key)
            if limit is None:
                raise ExecOptionError(key, f'{key!r} must be a size such as "64KiB"')
            result[key] = limit
        elif key in ("model-cache", "ray-address"):
            result[key] = _string(key, value)
        elif key == "backend":
            result[key] = _choice(key, value, BACKENDS)
        elif key == "devices":
            result[key] = _devices(value)
        elif key in _DEVICE_KEYS:
            result[key] = _device_value(key, value)
        else:
            raise ExecOptionError(key, f"unknown key {key!r}{_hint(key, _TOP_KEYS)}")
    return result


def _devices(value: object) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict):
        raise ExecOptionError("devices", "'devices' must be a table of device tables")
    devices: dict[str, dict[str, Any]] = {}
    for name, table in value.items():
        where = f".devices.{name}"
        if not DEVICE_NAME.match(name) or name == "auto":
            reason = f"unknown device {name!r}: use cpu, cuda, cuda:N, rocm, mps, xpu or xpu:N"
            raise ExecOptionError(name, reason, ".devices")
        if not isinstance(table, dict):
            raise ExecOptionError(name, f"{name!r} must be a table", ".devices")
        entry: dict[str, Any] = {}
        for key, item in table.items():
            if key not in _DEVICE_KEYS:
                raise ExecOptionError(key, f"unknown key {key!r}{_hint(key, _DEVICE_KEYS)}", where)
            try:
                entry[key] = _device_value(key, item)
            except ExecOptionError as error:
                raise ExecOptionError(key, error.reason, where) from None
        devices[name] = entry
    return devices


def _device_value(key: str, value: object) -> Any:
    if key == "timeout":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ExecOptionError(
                key, f"'timeout' must be a positive number of seconds, got {value!r}"
            )
        return float(value)
    if key == "jobs":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ExecOptionError(key, f"'jobs' must be a positive integer, got {value!r}")
        return value
    if key == "dtype":
        return _choice(key, value, DTYPES)
    return parse_size(value, key)  # memory-cap


def _string(key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ExecOptionError(key, f"{key!r} must be a string, got {type(value).__name__}")
    return value


def _choice(key: str, value: object, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ExecOptionError(key, f"{key!r} must be one of {', '.join(choices)}; got {value!r}")
    assert isinstance(value, str)
    return value


def _hint(word: str, candidates: tuple[str, ...]) -> str:
    import difflib

    close = difflib.get_close_matches(word, candidates, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True)
class DeviceSettings:
    """What one device's runs get: the first of flag, [devices.<device>], [devices.<kind>],
    the top of [tool.hflint.exec], the built-in default."""

    timeout: float
    memory_cap: int | None  # bytes a file may map beyond the warm worker; None: no cap
    dtype: str | None  # None: as the file loads it
    jobs: int


def device_settings(
    table: Mapping[str, Any],
    device: str,
    kind: str,
    cpu_count: int,
    flags: Mapping[str, Any],
    slots: int | None = None,
) -> DeviceSettings:
    """`device` is what the files get (`cuda:1`); `kind` is what it is (`rocm` on a ROCm build,
    where torch still says `cuda`). `flags` holds the values given on the command line (there, a
    memory cap of None means no cap). `slots`: the backend's own default for `jobs` (a Ray
    cluster's GPUs or CPUs)."""
    devices = table.get("devices", {})
    base = device.split(":")[0]
    layers = [
        flags,
        *(devices.get(name, {}) for name in dict.fromkeys((device, kind, base))),
        table,
    ]

    def pick(key: str, default: Any) -> Any:
        for layer in layers:
            if key in layer:
                return layer[key]
        return default

    default_jobs = max(1, min(cpu_count, _MAX_DEFAULT_JOBS)) if kind == "cpu" else 1
    if slots is not None:
        default_jobs = slots
    default_cap = None if kind in _UNCAPPED_KINDS else DEFAULT_CPU_MEMORY_CAP
    dtype = pick("dtype", None)
    return DeviceSettings(
        timeout=float(pick("timeout", DEFAULT_TIMEOUT)),
        memory_cap=pick("memory-cap", default_cap),
        dtype=None if dtype in (None, "auto") else dtype,
        jobs=int(pick("jobs", default_jobs)),
    )


def exec_table(settings: Settings) -> Mapping[str, Any]:
    """The checked [tool.hflint.exec] of `settings` (empty when there is none)."""
    table: Mapping[str, Any] = settings.tables.get("exec", FrozenMap())
    return table


def _validate(value: dict[str, Any], path: Path) -> FrozenMap:
    try:
        frozen: FrozenMap = freeze(validate_exec_table(value))
    except ExecOptionError as error:
        raise ConfigError(
            path, error.key, error.reason, table=f"{TABLE}.exec{error.subtable}"
        ) from None
    return frozen


register_table(
    ConfigTable(
        name="exec",
        validate=_validate,
        heading="hflint exec: defaults and per-device settings (these are examples):",
        example=EXAMPLE,
    )
)
