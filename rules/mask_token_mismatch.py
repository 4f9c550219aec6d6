from __future__ import annotations

from hflint.rules._pipeline_task import PipelineTaskRule

from hflint.analysis.task_policy import foreign_mask_inputs, pipeline_holder
from hflint.analysis.tasks import TaskAnalysis
from hflint.catalog import Catalog, ModelEntry
from hflint.diagnostics import Applicability
from hflint.rule import CodemodFix, Invalid, Valid


class MaskTokenMismatch(PipelineTaskRule):
    """A fill-mask pipeline is fed a text whose mask is not its tokenizer's mask token.

    ## What it does
    Follows each `fill-mask` pipeline to the calls that feed it and reports a text that marks its
    mask with a token other than the mask token of the file's model type's tokenizer, and not with
    that token itself: `<mask>` (RoBERTa's, BART's) in a BERT file, whose tokenizer's mask token is
    `[MASK]`, or `[MASK]` in a RoBERTa file. The text is followed through constants, locals and
    attributes set in the class (`self.test_text = "The <mask> sat on the mat."`); only string
    literals are judged (an f-string reading `tokenizer.mask_token` is right by construction). The
    mask token of each model type's tokenizer class comes from hflint's catalog (`hflint catalog
    sync` reads it from transformers); types whose tokenizer has none or that have no fill-mask
    task (HF202 reports those pipelines), and files whose model the catalog does not know, are not
    checked. Tokens the rule recognises as masks: `[MASK]`,
    `<mask>`, `[mask]`, `<MASK>`, `<special1>`.

    ## Why it matters
    The tokenizer splits a foreign marker into ordinary tokens, so the input holds no mask and the
    pipeline raises `No mask_token ([MASK]) found on the input` on every run: the test fails
    whatever the model does. Template generators write one marker for every masked-LM model.

    ## Example
    ```python
    # test_hf_bert.py
    self.test_text = "The capital of France is <mask>."
    ...
    outputs = pipe(self.test_text)
    ```
    Use instead:
    ```python
    outputs = pipe(self.test_text.replace("<mask>", pipe.tokenizer.mask_token))
    ```

    ## Fix safety
    Unsafe: the text the test feeds changes (its mask becomes the one the pipeline's tokenizer
    has, read at run time, so it fits whichever checkpoint the test loads). A literal written in
    the call becomes an f-string (`f"The {pipe.tokenizer.mask_token} sat."`); any other input gets
    `.replace("<mask>", pipe.tokenizer.mask_token)` where it is fed, and keeps its value everywhere
    else (a recorded example still shows the text as written). A use that does not name the
    pipeline object (`pipeline(...)(text)`) gets no fix.
    """

    code = "HF206"
    name = "mask-token-mismatch"
    MESSAGE = "The fill-mask input's mask is not its tokenizer's mask token"
    FIX_APPLICABILITY = Applicability.UNSAFE
    GATE = True

    VALID = (
        Valid(
            "class TestBertModels:\n    def test_pipeline(self):\n"
            '        pipe = transformers.pipeline("fill-mask", model=self.model_id)\n'
            '        return pipe("The capital of France is [MASK].")\n'
        ),
        Valid(
            "class TestRobertaModels:\n    def test_pipeline(self):\n"
            '        pipe = transformers.pipeline("fill-mask", model=self.model_id)\n'
            '        return pipe(f"The capital of France is {pipe.tokenizer.mask_token}.")\n',
            path="test_hf_roberta.py",
        ),
        Valid(
            # Not a fill-mask pipeline: a text generator may be fed any text.
            "class TestGpt2Models:\n    def test_pipeline(self):\n"
            '        pipe = transformers.pipeline("text-generation", model=self.model_id)\n'
            '        return pipe("The capital of France is <mask>.")\n',
            path="test_hf_gpt2.py",
        ),
    )
    INVALID = (
        Invalid(
            "class TestBertModels:\n    def __init__(self):\n"
            '        self.test_text = "The capital of France is <mask>."\n\n'
            "    def test_pipeline(self):\n"
            '        pipe = transformers.pipeline("fill-mask", model=self.model_id)\n'
            "        return pipe(self.test_text), self.test_text\n",
            fixed=(
                "class TestBertModels:\n    def __init__(self):\n"
                '        self.test_text = "The capital of France is <mask>."\n\n'
                "    def test_pipeline(self):\n"
                '        pipe = transformers.pipeline("fill-mask", model=self.model_id)\n'
                '        return pipe(self.test_text.replace("<mask>", pipe.tokenizer.mask_token)), '
                "self.test_text\n"
            ),
        ),
        Invalid(
            "class TestRobertaModels:\n    def test_pipeline(self):\n"
            '        self.pipe = transformers.pipeline("fill-mask", model=self.model_id)\n'
            "        return self.pipe('A {placeholder} [MASK] here.')\n",
            path="test_hf_roberta.py",
            fixed=(
                "class TestRobertaModels:\n    def test_pipeline(self):\n"
                '        self.pipe = transformers.pipeline("fill-mask", model=self.model_id)\n'
                "        return self.pipe(f'A {{placeholder}} {self.pipe.tokenizer.mask_token} "
                "here.')\n"
            ),
        ),
        Invalid(
            # The pipeline object is not named where it is fed: no fix.
            "class TestBertModels:\n    def test_pipeline(self):\n"
            '        return transformers.pipeline("fill-mask")("Paris is the <mask> of France.")\n'
        ),
    )

    def check(self, analysis: TaskAnalysis, model: ModelEntry, catalog: Catalog) -> None:
        for _, use, markers in foreign_mask_inputs(analysis, model, catalog):
            written = ", ".join(f"`{marker}`" for marker in markers)
            message = (
                f"The fill-mask input marks its mask with {written}, but the mask token of "
                f"`{model.model_type}`'s tokenizer is `{model.mask_token}`: the pipeline finds no mask "
                "and fails"
            )
            fix = None
            if pipeline_holder(use) is not None:
                fix = CodemodFix(
                    title="Feed the pipeline's own mask token (`pipe.tokenizer.mask_token`)",
                    applicability=Applicability.UNSAFE,
                    command="use_mask_token.UseMaskTokenCommand",
                    arguments={},
                )
            self.report(use.node, message, fix=fix)
