"""Read-only facts about a test file, safe to compute while linting: the CST helpers and the one tree
walker (`nodes`), the module's and the test class's structure (`testclass`), how its tests run
(`styles`), scopes and name roles (`scopes`), pipeline tasks (`tasks`, `task_collect`,
`task_policy`, `input_kinds`), availability flags (`flags`), devices (`devices`, `device_sites`,
`device_skips`, `device_selection`), the attributes a class assigns and reads (`attributes`), the
constructor a class has (`constructors`), what `run_tests()` returns (`run_results`), model
references (`modelrefs`), and the per-file facts the engine computes once and hands to rules
(`facts`). Nothing here changes a tree; fixes build on it in `hflint.edits`.
"""
