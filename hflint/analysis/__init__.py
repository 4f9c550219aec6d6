"""Read-only facts about a test file, safe to compute while linting: CST helpers (`nodes`), the test
class's structure (`testclass`), scopes and name roles (`scopes`), pipeline tasks (`tasks`), device
selection and attributes (`devices`), model references (`modelrefs`), and the per-file facts the
engine hands to rules (`facts`). Nothing here changes a tree; fixes build on it in `hflint.edits`.
"""
