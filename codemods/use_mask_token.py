"""Feed fill-mask pipelines the mask token of their tokenizer (HF206).

A text whose mask is written as another tokenizer's (`<mask>` for a BERT whose mask token is
`[MASK]`) reads the pipeline's own: a literal written at the call becomes an f-string with
`{pipe.tokenizer.mask_token}`, any other input gets `.replace("<mask>", pipe.tokenizer.mask_token)`
where it is fed, so the text stays as it was everywhere else. Which token is foreign comes from
hflint's catalog (the mask token of the file's model type's tokenizer class). Uses that do not name
the pipeline object (`pipeline(...)(text)`) are left alone.
"""

from __future__ import annotations

from hflint.codemods._pipeline_task import PipelineTaskCommand

from hflint.analysis.task_policy import foreign_mask_inputs, pipeline_holder
from hflint.catalog import Catalog, ModelEntry
from hflint.edits.tasks import TaskEditor


class UseMaskTokenCommand(PipelineTaskCommand):
    DESCRIPTION = "Feed fill-mask pipelines the mask token of their tokenizer."
    NOTHING = (
        "every fill-mask input carries its tokenizer's mask token (or is not known statically)"
    )

    def plan(self, editor: TaskEditor, model: ModelEntry, catalog: Catalog) -> None:
        for _, use, markers in foreign_mask_inputs(editor.analysis, model, catalog):
            holder = pipeline_holder(use)
            if holder is not None:
                editor.feed_mask_token(use, holder, markers)
