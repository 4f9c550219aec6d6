"""What differs between the Python versions hflint supports (3.10 and later)."""

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:
    # mypy checks this branch (python_version = 3.10) on machines that run 3.11+ and lack tomli;
    # `unused-ignore` keeps the comment harmless where tomli is installed.
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

__all__ = ["tomllib"]
