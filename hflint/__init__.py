"""hflint: a lint-and-codemod engine for suites of HuggingFace model test files."""

__version__ = "0.1.0"
