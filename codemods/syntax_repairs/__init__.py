"""Mechanical repairs for files that do not parse (rule HF001), one per module."""
