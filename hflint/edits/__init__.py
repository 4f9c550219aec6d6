"""What fixes share: inserting imports and module definitions (`module_statements`), task edits
(`tasks`), device rewrites (`devices`) and HF402's moves and clocks (`assignment_move`). Rules (to word and
grade their fixes) and codemods (to make them) both build on these; neither imports the other.
"""
