from __future__ import annotations

from hflint.rules._pipeline_task import PipelineTaskRule, listing

from hflint.analysis.task_policy import UNSUPPORTED, preferred_task, tasks_with_status
from hflint.analysis.tasks import TaskAnalysis
from hflint.catalog import Catalog, ModelEntry
from hflint.diagnostics import Applicability
from hflint.rule import Invalid, Valid


class UnsupportedPipelineTask(PipelineTaskRule):
    """The model type has no model class for the pipeline's task.

    ## What it does
    Reports a `pipeline(...)` call whose task (written at the call, or followed through a constant,
    `self.task` or a registry entry) is a pipeline task for which the file's model type has no
    model class in transformers' auto mappings, according to hflint's catalog: `fill-mask` on
    hubert, opt, gemma or yolos, `image-classification` on a text model. Model names resolve
    exactly (`hubert` is not `bert`), however the file name spells them.

    ## Why it matters
    `pipeline()` cannot load such a model for that task: the test fails before it runs anything,
    or, where a generic head exists, runs randomly initialised weights. This is the most common
    defect of generated suites, which matched model names to families by substring.

    ## Example
    In `test_hf_hubert.py`:
    ```python
    pipe = transformers.pipeline("fill-mask", model=self.model_id, device=device)
    outputs = pipe(self.test_text)
    ```
    Use instead:
    ```python
    pipe = transformers.pipeline("automatic-speech-recognition", model=self.model_id, device=device)
    outputs = pipe(numpy.zeros(16000, dtype="float32"))
    ```

    ## Fix safety
    The task becomes the one the file declares for its checkpoints (registry `task`, `self.task`)
    when the model supports it, else the catalog's default task for the model; the literal the
    task came from changes, and so do the file's registry entries and `self.task` values that held
    the old task. Safe when the pipeline's inputs fit the new task as they are (fill-mask to
    text-generation on a decoder); unsafe when they must change: a text input becomes an image or
    an audio array from `hflint.task_inputs` (or an attribute of the class holding one), keyword
    arguments the new pipeline rejects are dropped and required ones added. The code that reads
    the pipeline's output may need adapting by hand.
    """

    code = "HF202"
    name = "unsupported-pipeline-task"
    MESSAGE = "The model type has no model class for the pipeline's task"
    FIX_APPLICABILITY = Applicability.UNSAFE
    GATE = True

    VALID = (
        Valid(
            "class TestGpt2Models:\n    def test_pipeline(self):\n"
            '        return transformers.pipeline("text-generation", model=self.model_id)\n',
            path="test_hf_gpt2.py",
        ),
        Valid(
            "class TestHubertModels:\n    def test_pipeline(self):\n"
            '        return transformers.pipeline("automatic-speech-recognition")\n',
            path="test_hf_hubert.py",
        ),
    )
    INVALID = (
        Invalid(
            "class TestOptModels:\n    def test_pipeline(self):\n"
            '        pipe = transformers.pipeline("fill-mask", model=self.model_id)\n'
            '        return pipe("The quick brown fox [MASK] over the lazy dog.")\n',
            path="test_hf_opt.py",
            fixed=(
                "class TestOptModels:\n    def test_pipeline(self):\n"
                '        pipe = transformers.pipeline("text-generation", model=self.model_id)\n'
                '        return pipe("The quick brown fox [MASK] over the lazy dog.")\n'
            ),
        ),
        Invalid(
            "import numpy as np\n\n"
            'TASK = "fill-mask"\n\n\n'
            "class TestHubertModels:\n    def test_pipeline(self):\n"
            "        pipe = transformers.pipeline(TASK, model=self.model_id)\n"
            '        return pipe("The quick brown fox [MASK] over the lazy dog.", top_k=3)\n',
            path="test_hf_hubert.py",
            fixed=(
                "import numpy as np\n\n"
                'TASK = "automatic-speech-recognition"\n\n\n'
                "class TestHubertModels:\n    def test_pipeline(self):\n"
                "        pipe = transformers.pipeline(TASK, model=self.model_id)\n"
                '        return pipe(np.zeros(16000, dtype="float32"), top_k=3)\n'
            ),
        ),
        Invalid(
            "YOLOS_MODELS_REGISTRY = {\n"
            '    "hustvl/yolos-tiny": {"task": "fill-mask"},\n'
            "}\n\n\n"
            "class TestYolosModels:\n"
            "    def __init__(self):\n"
            '        self.model_info = YOLOS_MODELS_REGISTRY["hustvl/yolos-tiny"]\n'
            '        self.test_text = "The [MASK] sat on the mat."\n\n'
            "    def test_pipeline(self):\n"
            '        pipe = transformers.pipeline(self.model_info["task"])\n'
            "        return pipe(self.test_text)\n",
            path="test_hf_yolos.py",
            fixed=(
                "from PIL import Image\n\n"
                "YOLOS_MODELS_REGISTRY = {\n"
                '    "hustvl/yolos-tiny": {"task": "object-detection"},\n'
                "}\n\n\n"
                "class TestYolosModels:\n"
                "    def __init__(self):\n"
                '        self.model_info = YOLOS_MODELS_REGISTRY["hustvl/yolos-tiny"]\n'
                '        self.test_text = "The [MASK] sat on the mat."\n\n'
                "    def test_pipeline(self):\n"
                '        pipe = transformers.pipeline(self.model_info["task"])\n'
                '        return pipe(Image.new("RGB", (64, 64), "white"))\n'
            ),
        ),
    )

    def check(self, analysis: TaskAnalysis, model: ModelEntry, catalog: Catalog) -> None:
        for call, task in tasks_with_status(analysis, model, catalog, UNSUPPORTED):
            message = (
                f"`{model.model_type}` has no model class for the `{task}` pipeline task "
                f"(it supports {listing(model.tasks)})"
            )
            new_task = preferred_task(analysis, call, model, catalog)
            self.report_task(call, message, task, new_task, unsafe=call.task.single != task)
