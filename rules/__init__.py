"""Lint rules, one per module; installed as `hflint.rules`. Each module registers its rule on import."""
