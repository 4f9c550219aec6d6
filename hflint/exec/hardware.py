"""What this machine can run tests on, and which device a `--device` value means here.

`probe()` imports torch (only `hflint hardware` and the warm worker call it). It initialises CUDA
when there is a GPU, and a process that has done so cannot use CUDA in children it forks: the warm
worker therefore probes in a throwaway child of its own (`hflint.exec.worker`). Everything else here
works on the `Hardware` record and imports nothing heavy.
"""

from __future__ import annotations

import contextlib
import os
import platform
from dataclasses import asdict, dataclass, field
from typing import Any

# What `--device` accepts, for messages.
DEVICE_CHOICES = "auto, cpu, cuda, cuda:N, rocm, rocm:N, mps, xpu, xpu:N"


class DeviceError(Exception):
    """A requested device that does not exist here; the message says what does."""


@dataclass(frozen=True)
class Accelerator:
    kind: str  # cuda, rocm, xpu or mps
    index: int
    name: str
    memory_bytes: int | None = None
    capability: str | None = None  # CUDA compute capability "9.0", or the ROCm gfx architecture

    @property
    def device(self) -> str:
        """The device string torch takes: ROCm builds of torch call AMD GPUs `cuda` too."""
        if self.kind == "mps":
            return "mps"
        return f"{'cuda' if self.kind == 'rocm' else self.kind}:{self.index}"


@dataclass(frozen=True)
class Cpu:
    model: str
    cores: int
    usable_cores: int  # what this process may run on (affinity, containers)
    memory_bytes: int | None
    available_bytes: int | None


@dataclass(frozen=True)
class Hardware:
    python: str
    platform: str
    torch: str | None
    transformers: str | None
    cuda_version: str | None  # torch.version.cuda: None on CPU-only and ROCm builds
    hip_version: str | None  # torch.version.hip: set on ROCm builds
    cpu: Cpu
    accelerators: tuple[Accelerator, ...] = ()
    mps_built: bool = False
    # Probes that failed (a broken driver must not stop the report), as "what: error".
    problems: tuple[str, ...] = field(default=())

    def of_kind(self, *kinds: str) -> list[Accelerator]:
        return [a for a in self.accelerators if a.kind in kinds]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["accelerators"] = [asdict(a) | {"device": a.device} for a in self.accelerators]
        data["problems"] = list(self.problems)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Hardware:
        accelerators = tuple(
            Accelerator(**{k: v for k, v in a.items() if k != "device"})
            for a in data.get("accelerators", ())
        )
        rest = {k: v for k, v in data.items() if k not in ("accelerators", "cpu", "problems")}
        return cls(
            cpu=Cpu(**data["cpu"]),
            accelerators=accelerators,
            problems=tuple(data.get("problems", ())),
            **rest,
        )


def probe() -> Hardware:
    """The hardware torch sees. Imports torch; each accelerator probe is fenced off."""
    import torch

    problems: list[str] = []
    accelerators: list[Accelerator] = []
    hip = getattr(torch.version, "hip", None)
    try:
        if torch.cuda.is_available():
            kind = "rocm" if hip else "cuda"
            for index in range(torch.cuda.device_count()):
                props = torch.cuda.get_device_properties(index)
                capability = getattr(props, "gcnArchName", None) if hip else None
                accelerators.append(
                    Accelerator(
                        kind,
                        index,
                        props.name,
                        int(props.total_memory),
                        capability or f"{props.major}.{props.minor}",
                    )
                )
    except Exception as error:  # a driver problem: report it, keep probing
        problems.append(f"cuda: {error}")
    try:
        xpu = getattr(torch, "xpu", None)
        if xpu is not None and xpu.is_available():
            for index in range(xpu.device_count()):
                props = xpu.get_device_properties(index)
                memory = getattr(props, "total_memory", None)
                accelerators.append(Accelerator("xpu", index, props.name, memory))
    except Exception as error:
        problems.append(f"xpu: {error}")
    mps_built = False
    try:
        mps = torch.backends.mps
        mps_built = bool(mps.is_built())
        if mps.is_available():
            accelerators.append(Accelerator("mps", 0, "Apple MPS", None))
    except Exception as error:
        problems.append(f"mps: {error}")
    return Hardware(
        python=platform.python_version(),
        platform=f"{platform.system()}-{platform.machine()}",
        torch=str(torch.__version__),
        transformers=_version("transformers"),
        cuda_version=getattr(torch.version, "cuda", None),
        hip_version=hip,
        cpu=probe_cpu(),
        accelerators=tuple(accelerators),
        mps_built=mps_built,
        problems=tuple(problems),
    )


def probe_cpu() -> Cpu:
    cores = os.cpu_count() or 1
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on macOS
        usable = cores
    total = available = None
    with contextlib.suppress(ValueError, OSError, AttributeError):
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    available = int(line.split()[1]) * 1024
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:  # not Linux
        pass
    return Cpu(model, cores, usable, total, available)


def _version(distribution: str) -> str | None:
    from importlib import metadata  # not at import: `hflint` start-up pays for every module

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


# --- which device ------------------------------------------------------------------------------


def best_device(hardware: Hardware) -> tuple[str, str]:
    """(device string, kind) of the best device: a CUDA or ROCm GPU, an XPU, MPS, else the CPU."""
    for kinds in (("cuda", "rocm"), ("xpu",), ("mps",)):
        found = hardware.of_kind(*kinds)
        if found:
            first = found[0]
            return ("mps" if first.kind == "mps" else first.device.split(":")[0]), first.kind
    return "cpu", "cpu"


def resolve_device(requested: str, hardware: Hardware) -> tuple[str, str]:
    """(device string for the files, kind) for a `--device` value; DeviceError when it is not
    here. `rocm` and `rocm:N` mean the GPUs of a ROCm build, which torch calls `cuda`."""
    name, _, index_text = requested.strip().lower().partition(":")
    if name == "auto" and not index_text:
        return best_device(hardware)
    if name == "cpu" and not index_text:
        return "cpu", "cpu"
    if name not in ("cuda", "rocm", "mps", "xpu") or (index_text and not index_text.isdigit()):
        raise DeviceError(f"unknown device {requested!r}; use one of {DEVICE_CHOICES}")
    if name == "mps":
        if index_text:
            raise DeviceError(f"unknown device {requested!r}: MPS has no device index")
        if not hardware.of_kind("mps"):
            raise DeviceError(
                f"MPS is not available: {_mps_reason(hardware)}; {_present(hardware)}"
            )
        return "mps", "mps"
    kinds = ("cuda", "rocm") if name == "cuda" else (name,)
    found = hardware.of_kind(*kinds)
    if not found:
        raise DeviceError(f"{_missing(name, hardware)}; {_present(hardware)}")
    kind = found[0].kind
    torch_name = "cuda" if kind == "rocm" else kind
    if not index_text:
        return torch_name, kind
    index = int(index_text)
    if index >= len(found):
        devices = ", ".join(a.device for a in found)
        raise DeviceError(
            f"{requested} does not exist: this machine has {len(found)} {_label(name)} "
            f"device{'s' if len(found) != 1 else ''} ({devices})"
        )
    return f"{torch_name}:{index}", kind


def _label(name: str) -> str:
    return {"cuda": "CUDA", "rocm": "ROCm", "xpu": "XPU"}.get(name, name)


def _missing(name: str, hardware: Hardware) -> str:
    torch_version = hardware.torch or "not installed"
    if hardware.torch is None:
        return f"{_label(name)} is not available: torch is not installed"
    if name == "rocm" and hardware.cuda_version:
        return f"ROCm is not available: torch {torch_version} is a CUDA build (use --device cuda)"
    if name == "rocm" and not hardware.hip_version:
        return f"ROCm is not available: torch {torch_version} is not a ROCm build"
    if name == "cuda" and not (hardware.cuda_version or hardware.hip_version):
        return (
            f"CUDA is not available: torch {torch_version} is a CPU-only build "
            "(torch.version.cuda is None)"
        )
    if name == "xpu":
        return f"XPU is not available: torch {torch_version} sees no Intel GPU"
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    hint = f" (CUDA_VISIBLE_DEVICES={visible!r})" if visible is not None else ""
    problems = [p for p in hardware.problems if p.startswith("cuda")]
    detail = f": {problems[0]}" if problems else ""
    return (
        f"{_label(name)} is not available: torch {torch_version} sees no GPU{hint}"
        f" (driver missing or not loaded?){detail}"
    )


def _mps_reason(hardware: Hardware) -> str:
    if not hardware.mps_built:
        return f"torch {hardware.torch} was built without MPS (it needs macOS on Apple silicon)"
    return "this Mac has no MPS device (macOS 12.3+ on Apple silicon is needed)"


def _present(hardware: Hardware) -> str:
    devices = ["cpu", *(f"{a.device} ({a.name})" for a in hardware.accelerators)]
    return f"devices here: {', '.join(devices)}"


# --- report ------------------------------------------------------------------------------------


def _gib(size: int | None) -> str:
    return "?" if size is None else f"{size / 1024**3:.1f} GiB"


def render_text(hardware: Hardware) -> str:
    build = (
        f"CUDA {hardware.cuda_version}"
        if hardware.cuda_version
        else f"ROCm/HIP {hardware.hip_version}"
        if hardware.hip_version
        else "CPU-only build"
    )
    cpu = hardware.cpu
    lines = [
        f"torch         {hardware.torch or 'not installed'} ({build})",
        f"transformers  {hardware.transformers or 'not installed'}",
        f"python        {hardware.python} on {hardware.platform}",
        f"cpu           {cpu.model}: {cpu.cores} cores ({cpu.usable_cores} usable), "
        f"{_gib(cpu.memory_bytes)} memory ({_gib(cpu.available_bytes)} available)",
    ]
    for kind, label in (("cuda", "cuda"), ("rocm", "rocm"), ("xpu", "xpu")):
        found = hardware.of_kind(kind)
        if not found:
            lines.append(f"{label:<14}none")
        for accelerator in found:
            capability = f", capability {accelerator.capability}" if accelerator.capability else ""
            lines.append(
                f"{label:<14}{accelerator.device}: {accelerator.name}, "
                f"{_gib(accelerator.memory_bytes)}{capability}"
            )
    mps = (
        "available"
        if hardware.of_kind("mps")
        else "built, no device"
        if hardware.mps_built
        else "none"
    )
    lines.append(f"mps           {mps}")
    lines += [f"problem       {problem}" for problem in hardware.problems]
    return "\n".join(lines) + "\n"
