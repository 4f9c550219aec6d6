from __future__ import annotations

from hflint.rules._pipeline_task import PipelineTaskRule

from hflint import task_inputs as ti
from hflint.analysis.task_policy import mismatched_inputs
from hflint.analysis.tasks import TaskAnalysis
from hflint.catalog import Catalog, ModelEntry
from hflint.diagnostics import Applicability
from hflint.edits.tasks import can_build_input, reusable_attribute
from hflint.rule import CodemodFix, Invalid, Valid

NEEDED = {
    ti.TEXT: "a text input",
    ti.IMAGE: "an image",
    ti.AUDIO: "an audio input",
    ti.VIDEO: "a video",
}
WHAT = {
    ti.TEXT: "A text string",
    ti.IMAGE: "An image",
    ti.AUDIO: "An audio input",
    ti.ARRAY: "A numeric array",
}


class InputModalityMismatch(PipelineTaskRule):
    """The pipeline is fed an input of the wrong modality for its task.

    ## What it does
    Follows each pipeline object (`pipe = pipeline(...)`, `self.pipe = ...`) to the calls that feed
    it, and reports a call whose main input is statically of a kind the task cannot take: a text
    string given to an image or audio pipeline (`pipe("a photo of a cat")` for
    `image-classification`), an image or an audio array given to a text pipeline. Inputs are
    followed through local variables, constants and attributes set in the class (`self.test_image =
    Image.new(...)`, `self.test_audio = np.zeros(...)`, `{"raw": ..., "sampling_rate": ...}`). Strings
    that name a URL or a file with a media extension are inputs media pipelines load, and are left
    alone; so is anything hflint cannot classify, and multimodal tasks (image-text-to-text).

    ## Why it matters
    An image pipeline reads a text string as a file name or URL: the test fails with a file-not-
    found or download error that says nothing about the model. The reverse (an image to a text
    pipeline) fails inside the tokenizer.

    ## Example
    ```python
    pipe = transformers.pipeline("image-classification", model=self.model_id)
    outputs = pipe("a photo of a cat sitting on a sofa")
    ```
    Use instead:
    ```python
    outputs = pipe(self.test_image)  # self.test_image = Image.new("RGB", (224, 224))
    ```

    ## Fix safety
    Unsafe: the input changes, and with it what the test checks. It becomes an attribute the
    class's `__init__` sets to an input of the right kind when there is one (`self.test_image`),
    else the canonical input of the task from `hflint.task_inputs` (a white 64x64 PIL image, a
    second of silence as a float32 array, a sentence), importing `PIL.Image` or `numpy` when the
    file has no name for them. Tasks without an in-memory input (video) get no fix.
    """

    code = "HF205"
    name = "input-modality-mismatch"
    MESSAGE = "The pipeline is fed an input of the wrong modality for its task"
    FIX_APPLICABILITY = Applicability.UNSAFE
    GATE = True

    VALID = (
        Valid(
            "class TestVitModels:\n    def __init__(self):\n"
            '        self.test_image = Image.new("RGB", (224, 224))\n\n'
            "    def test_pipeline(self):\n"
            '        pipe = transformers.pipeline("image-classification", model=self.model_id)\n'
            "        return pipe(self.test_image)\n",
            path="test_hf_vit.py",
        ),
        Valid(
            "class TestVitModels:\n    def test_pipeline(self):\n"
            '        pipe = transformers.pipeline("image-classification", model=self.model_id)\n'
            '        return pipe("http://images.cocodataset.org/val2017/000000039769.jpg")\n',
            path="test_hf_vit.py",
        ),
        Valid(
            "class TestWav2vec2Models:\n    def test_pipeline(self):\n"
            '        pipe = transformers.pipeline("automatic-speech-recognition")\n'
            '        return pipe({"raw": self.audio, "sampling_rate": 16000})\n',
            path="test_hf_wav2vec2.py",
        ),
    )
    INVALID = (
        Invalid(
            "class TestDinov2Models:\n    def __init__(self):\n"
            '        self.test_image = Image.new("RGB", (224, 224))\n\n'
            "    def test_pipeline(self):\n"
            '        pipe = transformers.pipeline("image-classification", model=self.model_id)\n'
            '        return pipe("a photo of a cat sitting on a sofa")\n',
            path="test_hf_dinov2.py",
            fixed=(
                "class TestDinov2Models:\n    def __init__(self):\n"
                '        self.test_image = Image.new("RGB", (224, 224))\n\n'
                "    def test_pipeline(self):\n"
                '        pipe = transformers.pipeline("image-classification", model=self.model_id)\n'
                "        return pipe(self.test_image)\n"
            ),
        ),
        Invalid(
            "import transformers\n\n"
            'TEST_TEXT = "hello world"\n\n\n'
            "def test_pipeline(model_id):\n"
            '    pipe = transformers.pipeline("automatic-speech-recognition", model=model_id)\n'
            "    return pipe(TEST_TEXT)\n",
            path="test_hf_whisper.py",
            fixed=(
                "import transformers\n"
                "import numpy\n\n"
                'TEST_TEXT = "hello world"\n\n\n'
                "def test_pipeline(model_id):\n"
                '    pipe = transformers.pipeline("automatic-speech-recognition", model=model_id)\n'
                '    return pipe(numpy.zeros(16000, dtype="float32"))\n'
            ),
        ),
        Invalid(
            "from PIL import Image\n\n\n"
            "class TestBertModels:\n    def test_pipeline(self):\n"
            '        pipe = transformers.pipeline("fill-mask", model=self.model_id)\n'
            '        return pipe(Image.new("RGB", (32, 32)))\n',
            fixed=(
                "from PIL import Image\n\n\n"
                "class TestBertModels:\n    def test_pipeline(self):\n"
                '        pipe = transformers.pipeline("fill-mask", model=self.model_id)\n'
                '        return pipe(f"Paris is the {pipe.tokenizer.mask_token} of France.")\n'
            ),
        ),
    )

    def check(self, analysis: TaskAnalysis, model: ModelEntry, catalog: Catalog) -> None:
        for call, use, entry, kind in mismatched_inputs(analysis, catalog):
            message = (
                f"{WHAT.get(kind, 'An input')} is passed to the `{call.task.single}` pipeline, "
                f"which takes {NEEDED.get(entry.modality, entry.modality)}"
            )
            fixable = reusable_attribute(analysis, use, entry) is not None or can_build_input(
                call, entry
            )
            fix = (
                CodemodFix(
                    title=f"Pass {NEEDED.get(entry.modality, 'a fitting input')} instead",
                    applicability=Applicability.UNSAFE,
                    command="fix_pipeline_input.FixPipelineInputCommand",
                    arguments={},
                )
                if fixable
                else None
            )
            self.report(use.node, message, fix=fix)
