"""LibCST codemods, one per kind of fix; installed as `hflint.codemods`."""
