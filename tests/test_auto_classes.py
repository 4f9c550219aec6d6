"""What loads a model type (`hflint.analysis.type_classes`), the loads a file makes and whether
they run (`hflint.analysis.loaders`), what a file reads of a pipeline's output
(`hflint.analysis.pipe_outputs`), and the task a task fix moves a file to
(`hflint.analysis.task_policy`): the facts HF207, HF403 and the task fixes share, on real LibCST
trees and the shipped catalog."""

from __future__ import annotations

import libcst as cst
import pytest

from hflint.analysis.loaders import Loads, failing_loads
from hflint.analysis.pipe_outputs import fits, output_reads
from hflint.analysis.task_policy import removed_task_move, running_task
from hflint.analysis.tasks import TaskAnalysis, analyze
from hflint.analysis.type_classes import class_for_task, fits_type, lacks
from hflint.catalog import Catalog, load_catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def analysis_of(source: str) -> TaskAnalysis:
    return analyze(cst.parse_module(source))


# --- what a type has ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_type", "class_name", "lacked"),
    [
        ("hubert", "AutoModelForMaskedLM", True),
        ("hubert", "AutoModelForCTC", False),
        ("hubert", "AutoTokenizer", False),  # its CTC tokenizer
        ("vit", "AutoTokenizer", True),
        ("vit", "AutoImageProcessor", False),
        ("bert", "AutoImageProcessor", True),
        ("clip", "AutoFeatureExtractor", True),  # CLIPFeatureExtractor is gone from transformers 5
        ("llava", "AutoTokenizer", False),  # a multimodal checkpoint may hold one: not certain
        ("bert", "AutoModelForPreTraining", False),  # a class no task of bert uses
        ("csm", "AutoTokenizer", False),  # text-to-speech: its checkpoints name their tokenizer
    ],
)
def test_what_a_type_lacks(
    catalog: Catalog, model_type: str, class_name: str, lacked: bool
) -> None:
    assert lacks(catalog.models[model_type], class_name) is lacked


def test_the_class_for_a_task_reads_its_input_or_runs_its_head(catalog: Catalog) -> None:
    hubert, vit = catalog.models["hubert"], catalog.models["vit"]
    asr = "automatic-speech-recognition"
    assert class_for_task(hubert, "AutoModelForMaskedLM", asr) == "AutoModelForCTC"
    assert class_for_task(hubert, "AutoTokenizer", asr) == "AutoFeatureExtractor"
    assert class_for_task(vit, "AutoTokenizer", "image-classification") == "AutoImageProcessor"
    assert class_for_task(vit, "AutoTokenizer", None) is None
    assert class_for_task(vit, "AutoModelForMaskedLM", "fill-mask") is None  # vit has no such task
    assert fits_type(catalog.models["bert"], "AutoModelForPreTraining")
    assert not fits_type(hubert, "AutoModelForMaskedLM")


# --- which loads fail ---------------------------------------------------------------------------

HUBERT = (
    "import transformers\n\n"
    'REGISTRY = {"facebook/hubert-base-ls960": {"task": "automatic-speech-recognition"}}\n\n\n'
    "class TestHubertModels:\n"
    "    def __init__(self, model_id=None):\n"
    '        self.model_id = model_id or "facebook/hubert-base-ls960"\n'
    '        self.task = REGISTRY["facebook/hubert-base-ls960"]["task"]\n\n'
    "    def test_from_pretrained(self, device):\n"
)


def failing(catalog: Catalog, body: str) -> list[str]:
    """The classes of the hubert file's loads that certainly fail, in order."""
    analysis = analysis_of(HUBERT + body)
    loads = failing_loads(Loads(analysis), catalog.models["hubert"], catalog)
    return [ref.name for load in loads for ref in load.classes]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Plain, and after an early exit on an availability flag (torch and transformers hold).
        (
            "        if not HAS_TRANSFORMERS:\n            return None\n"
            "        return transformers.AutoModelForMaskedLM.from_pretrained(self.model_id)\n",
            ["AutoModelForMaskedLM"],
        ),
        # An early exit on the device does not stop it from running on the other path.
        (
            '        if device == "mps":\n            return None\n'
            "        return transformers.AutoModelForMaskedLM.from_pretrained(self.model_id)\n",
            ["AutoModelForMaskedLM"],
        ),
        # A branch keyed on a task hflint reads from the registry: not this file's.
        (
            '        if self.task == "fill-mask":\n'
            "            return transformers.AutoModelForMaskedLM.from_pretrained(self.model_id)\n",
            [],
        ),
        # The same branch, for this file's task.
        (
            '        if self.task == "automatic-speech-recognition":\n'
            "            return transformers.AutoModelForMaskedLM.from_pretrained(self.model_id)\n",
            ["AutoModelForMaskedLM"],
        ),
        # An early exit on something about the model hflint cannot decide.
        (
            "        if not self.class_name.endswith('ForMaskedLM'):\n            return None\n"
            "        return transformers.AutoModelForMaskedLM.from_pretrained(self.model_id)\n",
            [],
        ),
        # An exception handler, a nested function, code from the hub, another model's id.
        (
            "        try:\n            pass\n        except ImportError:\n"
            "            transformers.AutoModelForMaskedLM.from_pretrained(self.model_id)\n"
            "        def later():\n"
            "            return transformers.AutoModelForMaskedLM.from_pretrained(self.model_id)\n"
            "        transformers.AutoModelForMaskedLM.from_pretrained(\n"
            "            self.model_id, trust_remote_code=True\n        )\n"
            '        return transformers.AutoModelForMaskedLM.from_pretrained("bert-base-uncased")\n',
            [],
        ),
        # A class held in a local, through both branches of an undecided condition.
        (
            "        model_class = (\n"
            "            transformers.AutoModelForMaskedLM if device else transformers.AutoModelForXVector\n"
            "        )\n"
            "        return model_class.from_pretrained(self.model_id)\n",
            ["AutoModelForMaskedLM", "AutoModelForXVector"],
        ),
        # One of the two it may be is a class hubert has: not certain to fail.
        (
            "        model_class = (\n"
            "            transformers.AutoModelForMaskedLM if device else transformers.AutoModelForCTC\n"
            "        )\n"
            "        return model_class.from_pretrained(self.model_id)\n",
            [],
        ),
    ],
)
def test_which_loads_certainly_fail(catalog: Catalog, body: str, expected: list[str]) -> None:
    assert failing(catalog, body) == expected


# --- what a file reads of a pipeline's output -------------------------------------------------------


def reads_fit(body: str, task: str) -> bool:
    source = (
        "import transformers\n\n\ndef test_pipeline():\n"
        '    pipe = transformers.pipeline("fill-mask")\n'
        "    outputs = pipe(TEXT)\n"
        f"{body}"
    )
    [call] = analysis_of(source).calls
    return fits(output_reads(call), task)


def test_reads_of_a_list_of_dicts_fit_tasks_with_those_keys() -> None:
    body = '    return [item.get("token_str", "") for item in outputs[:5]]\n'
    assert reads_fit(body, "fill-mask")
    assert not reads_fit(body, "text-classification")  # items without `token_str`
    assert not reads_fit(body, "automatic-speech-recognition")  # one dict, not a list


def test_reads_of_one_dict_fit_tasks_returning_one() -> None:
    body = '    text = outputs["text"]\n    return text, isinstance(outputs, dict)\n'
    assert reads_fit(body, "automatic-speech-recognition")
    assert not reads_fit(body, "fill-mask")


def test_code_reading_nothing_fits_every_task() -> None:
    assert reads_fit("    return outputs is not None\n", "object-detection")


# --- where a task fix moves a file ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_type", "task", "expected"),
    [
        ("gpt2", "summarization", ("text-generation", False)),  # the replacement
        # text-generation would load half of an encoder-decoder: a task keeping both halves.
        ("bart", "summarization", ("fill-mask", True)),
        ("t5", "summarization", ("text-classification", True)),
        # No task keeps both halves of Marian: the replacement, which runs its decoder.
        ("marian", "translation_en_to_de", ("text-generation", False)),
        # Nothing runs M2M100 in a pipeline.
        ("m2m_100", "translation", (None, True)),
    ],
)
def test_a_removed_task_moves_to_one_the_model_runs_whole(
    catalog: Catalog, model_type: str, task: str, expected: tuple[str | None, bool]
) -> None:
    analysis = analysis_of(f'import transformers\npipe = transformers.pipeline("{task}")\n')
    [call] = analysis.calls
    assert removed_task_move(task, analysis, call, catalog.models[model_type], catalog) == expected


def test_the_running_task_is_the_one_the_task_fixes_leave(catalog: Catalog) -> None:
    hubert = catalog.models["hubert"]

    def running(source: str) -> str | None:
        return running_task(analysis_of(source), hubert, catalog)

    built = 'import transformers\npipe = transformers.pipeline("{}")\n'
    assert running(built.format("audio-classification")) == "audio-classification"
    assert running(built.format("fill-mask")) == "automatic-speech-recognition"  # HF202's move
    declared = 'HUBERT_MODELS_REGISTRY = {"facebook/hubert-base-ls960": {"task": "%s"}}\n'
    assert running(declared % "audio-classification") == "audio-classification"
    assert running(declared % "fill-mask") == hubert.default_task
    assert running("x = 1\n") == hubert.default_task
