"""What fixes share: inserting imports and module definitions, task edits, device rewrites and
assignment moves. Rules and codemods both build on these; neither imports the other.
"""
