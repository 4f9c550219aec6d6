"""`hflint exec` and `hflint hardware`: run lint-clean test files against tiny models.

The parent process (the CLI) never imports torch or transformers: it selects files, lints them,
and hands the work to a warm worker (`hflint.exec.worker`) that imports both once and forks one
isolated child per file (`hflint.exec.child`). `hflint.exec.tiny` builds the tiny models.
"""
