"""Where `hflint exec` runs the files: `open_backend` picks this machine's warm worker or a Ray
cluster's. Ray is imported only when asked for, so the local backend needs no Ray installed.
"""

from __future__ import annotations

from collections.abc import Mapping

from hflint.exec.backend_protocol import Backend, BackendError
from hflint.exec.local_backend import LocalBackend


def open_backend(name: str, address: str | None, environment: Mapping[str, str]) -> Backend:
    if name == "local":
        if address is not None:
            raise BackendError("--address needs --backend ray")
        return LocalBackend(environment)
    try:
        from hflint.exec.ray_backend import RayBackend
    except ImportError as error:
        raise BackendError(
            f"--backend ray needs Ray (pip install 'hflint[ray]'): {error}"
        ) from None
    return RayBackend(address, environment)
