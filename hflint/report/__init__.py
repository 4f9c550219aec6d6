"""`hflint report`: one document for a suite's health (lint, coverage, execution), its renderings
(summary.md, report.html), merging the documents of many workers, and their history over runs.

The document (`report.json`) is plain JSON data built in `hflint.report.document`, whose schema is
versioned (`SCHEMA_VERSION`, README "report.json"); everything else reads it, never the files.
"""
