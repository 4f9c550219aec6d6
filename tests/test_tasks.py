"""The pipeline-task analysis (`hflint.analysis.tasks`), the input table (`hflint.task_inputs`) and the
pipeline-task fixes run on their own by LibCST's tool."""

from __future__ import annotations

import ast
import inspect
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import libcst as cst
import pytest

from hflint import task_inputs as ti
from hflint.analysis.tasks import INDIRECT, MISSING, STATED, UNRESOLVED, TaskAnalysis, analyze
from hflint.catalog import load_catalog
from hflint.linter import lint_text
from hflint.rule import all_rules

PIPELINE_CODES = ("HF201", "HF202", "HF203", "HF204", "HF205")


def analysis_of(source: str) -> TaskAnalysis:
    return analyze(cst.parse_module(source))


def only_task(source: str) -> tuple[str, tuple[str, ...]]:
    [call] = analysis_of(source).calls
    return call.task.how, call.task.tasks


REGISTRY = (
    "BERT_MODELS_REGISTRY = {\n"
    '    "a": {"description": "A", "task": "fill-mask"},\n'
    '    "b": {"description": "B", "task": "fill-mask"},\n'
    "}\n"
)


@pytest.mark.parametrize(
    ("source", "how", "tasks"),
    [
        ('pipeline("fill-mask")\n', STATED, ("fill-mask",)),
        ('transformers.pipeline(task="fill-mask", model="m")\n', STATED, ("fill-mask",)),
        ('TASK = "fill-mask"\npipeline(TASK)\n', STATED, ("fill-mask",)),
        ('def f():\n    task = "ner"\n    return pipeline(task)\n', STATED, ("ner",)),
        (
            "class T:\n    def __init__(self):\n        self.task = 'fill-mask'\n\n"
            "    def test_pipeline(self):\n        return pipeline(task=self.task)\n",
            INDIRECT,
            ("fill-mask",),
        ),
        (
            REGISTRY + "class T:\n    def test_pipeline(self):\n"
            '        return pipeline(BERT_MODELS_REGISTRY[self.model_id]["task"])\n',
            INDIRECT,
            ("fill-mask",),
        ),
        (
            REGISTRY + "class T:\n    def __init__(self, model_id):\n"
            "        self.model_info = BERT_MODELS_REGISTRY.get(model_id, {})\n"
            '        self.task = self.model_info.get("task", "fill-mask")\n\n'
            "    def test_pipeline(self):\n        return pipeline(self.task)\n",
            INDIRECT,
            ("fill-mask",),
        ),
        (
            REGISTRY.replace('"task": "fill-mask"},\n}', '"task": "text-classification"},\n}')
            + 'def f(model_id):\n    return pipeline(BERT_MODELS_REGISTRY[model_id]["task"])\n',
            INDIRECT,
            ("fill-mask", "text-classification"),
        ),
        ("pipeline(model='m')\n", MISSING, ()),
        ("pipeline(None, model='m')\n", MISSING, ()),
        ("def f(task):\n    return pipeline(task)\n", UNRESOLVED, ()),
        # A task passed through `**kwargs`: the dict's "task" entry, or `kwargs["task"] = ...`.
        (
            'def f():\n    kwargs = {"task": "fill-mask", "model": "m"}\n'
            "    return transformers.pipeline(**kwargs)\n",
            STATED,
            ("fill-mask",),
        ),
        (
            "class T:\n    def __init__(self):\n        self.task = 'fill-mask'\n\n"
            "    def test_pipeline(self):\n"
            '        kwargs = dict(model="m")\n        kwargs["task"] = self.task\n'
            "        return transformers.pipeline(**kwargs)\n",
            INDIRECT,
            ("fill-mask",),
        ),
        ('def f():\n    kwargs = {"model": "m"}\n    return pipeline(**kwargs)\n', MISSING, ()),
        ("def f(**kwargs):\n    return pipeline(**kwargs)\n", UNRESOLVED, ()),
        (
            'def f():\n    kwargs = {"model": "m"}\n    kwargs.update(extra)\n'
            "    return pipeline(**kwargs)\n",
            UNRESOLVED,
            (),
        ),
        (
            'def f(key):\n    kwargs = {"model": "m"}\n    kwargs[key] = "ner"\n'
            "    return pipeline(**kwargs)\n",
            UNRESOLVED,
            (),
        ),
        ("def f(args):\n    return pipeline(*args)\n", UNRESOLVED, ()),
        ('pipeline(os.environ.get("TASK", "fill-mask"))\n', UNRESOLVED, ()),
        ('pipeline(f"{kind}-classification")\n', UNRESOLVED, ()),
    ],
)
def test_task_forms(source: str, how: str, tasks: tuple[str, ...]) -> None:
    assert only_task(source) == (how, tasks)


def test_pipeline_aliases_and_non_pipelines() -> None:
    source = (
        "import transformers as tf\n"
        "from transformers import pipeline as make\n"
        'tf.pipeline("fill-mask")\nmake("ner")\nsklearn.pipeline("x")\nmy_pipeline("x")\n'
    )
    assert [c.task.tasks for c in analysis_of(source).calls] == [("fill-mask",), ("ner",)]


def test_a_name_holding_a_pipeline_object_is_not_transformers_pipeline() -> None:
    # A local named `pipeline` holds the pipeline object: calling it feeds the pipeline.
    source = (
        "from transformers import pipeline\n\n\n"
        "def run(text):\n"
        '    pipeline = transformers.pipeline(**{"task": "fill-mask"})\n'
        "    return pipeline(text)\n\n\n"
        "def feed(pipeline, text):\n    return pipeline(text)\n\n\n"
        "def build():\n    return pipeline('ner')\n"
    )
    analysis = analysis_of(source)
    assert [(c.task.tasks, len(c.uses)) for c in analysis.calls] == [
        (("fill-mask",), 1),
        (("ner",), 0),
    ]
    # A module-level pipeline object: functions that call it use it.
    source = 'pipeline = transformers.pipeline("ner")\n\n\ndef run():\n    return pipeline("x")\n'
    [call] = analysis_of(source).calls
    assert call.task.tasks == ("ner",) and len(call.uses) == 1
    # A fallback for a missing transformers keeps the name transformers' function.
    source = (
        "try:\n    from transformers import pipeline\nexcept ImportError:\n    pipeline = None\n\n\n"
        'def run():\n    return pipeline("ner")\n'
    )
    assert [c.task.tasks for c in analysis_of(source).calls] == [("ner",)]


def test_uses_and_input_kinds() -> None:
    source = (
        "import numpy as np\n"
        "from PIL import Image\n\n"
        'CAPTION = "a photo of a cat"\n\n\n'
        "class T:\n"
        "    def __init__(self):\n"
        '        self.test_image = Image.new("RGB", (8, 8)).convert("RGB")\n'
        "        self.test_audio = (0.1 * np.sin(np.arange(100))).astype(np.float32)\n"
        '        self.test_text = "The [MASK] sat."\n\n'
        "    def setup(self):\n"
        '        self.pipe = pipeline("image-classification")\n\n'
        "    def test_pipeline(self):\n"
        "        self.pipe(CAPTION)\n"
        "        self.pipe(self.test_image)\n"
        '        self.pipe("https://example.com/cat.png")\n'
        '        self.pipe({"raw": self.test_audio, "sampling_rate": 16000})\n'
        "        self.pipe(self.test_text)\n"
        "        self.pipe(load())\n"
        '        return pipeline("fill-mask")(f"Paris is the {x.tokenizer.mask_token}.")\n'
    )
    analysis = analysis_of(source)
    image, fill = analysis.calls
    kinds = [analysis.input_kind(use.input.value, use.scope) for use in image.uses if use.input]
    assert kinds == [
        (ti.TEXT, False),
        (ti.IMAGE, False),
        (ti.LOCATION, False),
        (ti.AUDIO, False),
        (ti.TEXT, True),
        (None, False),
    ]
    [direct] = fill.uses
    assert analysis.input_kind(direct.input.value, direct.scope) == (ti.TEXT, True)  # type: ignore[union-attr]
    class_def = image.scope.class_def
    assert class_def is not None
    assert sorted(analysis.class_inputs(class_def)) == [
        ("test_audio", ti.ARRAY, False),
        ("test_image", ti.IMAGE, False),
        ("test_text", ti.TEXT, True),
    ]


def test_the_table_covers_every_pipeline_task_of_the_catalog() -> None:
    catalog = load_catalog()
    canonical = {catalog.canonical_task(task) for task in catalog.pipeline_tasks}
    assert set(ti.TASK_INPUTS) == canonical
    assert not set(ti.TASK_INPUTS) & set(catalog.removed_tasks)


@pytest.mark.parametrize("task", sorted(ti.TASK_INPUTS))
def test_canonical_inputs_are_expressions_that_need_only_known_names(task: str) -> None:
    entry = ti.TASK_INPUTS[task]
    for source in (*entry.args, *(value for _, value in entry.keywords)):
        tree = ast.parse(source, mode="eval")
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        assert names <= {ti.PIPE, *ti.IMPORTS}, (task, names)
    assert entry.required <= {name for name, _ in entry.keywords}
    assert not entry.args or entry.modality != ti.VIDEO


def test_building_an_input_binds_the_pipeline_and_the_files_names() -> None:
    pipe = cst.parse_expression("self.pipe")
    masked = ti.build_expression(ti.MASKED_SENTENCE, pipe=pipe, names={})
    assert masked is not None
    assert cst.Module([]).code_for_node(masked) == (
        'f"Paris is the {self.pipe.tokenizer.mask_token} of France."'
    )
    assert ti.build_expression(ti.MASKED_SENTENCE, pipe=None, names={}) is None
    wave = ti.build_expression(ti.WAVEFORM, pipe=None, names={"numpy": "np"})
    assert wave is not None
    assert cst.Module([]).code_for_node(wave) == 'np.zeros(16000, dtype="float32")'
    assert ti.names_used([ti.PICTURE, ti.SENTENCE]) == ["Image"]


def test_accepted_keywords_match_the_installed_transformers() -> None:
    """`accepts` lists the keyword arguments of pipelines that reject others (no **kwargs)."""
    pipelines = pytest.importorskip("transformers.pipelines")
    import importlib

    for task, info in pipelines.SUPPORTED_TASKS.items():
        implementation = info["impl"]
        if isinstance(implementation, str):
            module, _, name = implementation.rpartition(".")
            implementation = getattr(importlib.import_module(module), name)
        parameters = inspect.signature(implementation._sanitize_parameters).parameters
        takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
        entry = ti.TASK_INPUTS[task]
        if takes_any:
            assert entry.accepts is None, task
        else:
            assert entry.accepts == frozenset(parameters) - {"self"}, task


# --- the fixes, run by LibCST's own tool -----------------------------------------------------------

CONFIG = """\
generated_code_marker: '@generated'
formatter: []
blacklist_patterns: []
modules:
- 'hflint.codemods'
repo_root: '.'
"""


TOOL = (sys.executable, "-m", "libcst.tool", "codemod", "--no-format", "--hide-progress")


def run_codemod(tmp_path: Path, name: str, source: str, command: str, *args: str) -> str:
    (tmp_path / ".libcst.codemod.yaml").write_text(CONFIG, encoding="utf-8")
    target = tmp_path / name
    target.write_text(source, encoding="utf-8")
    result = subprocess.run(
        [*TOOL, command, *args, name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert result.returncode == 0, result.stderr
    return target.read_text(encoding="utf-8")


def test_replace_pipeline_task_standalone(tmp_path: Path) -> None:
    source = (
        "import numpy as np\n\n"
        'HUBERT_MODELS_REGISTRY = {"facebook/hubert-base-ls960": {"task": "fill-mask"}}\n\n\n'
        "class TestHubertModels:\n"
        "    def test_pipeline(self):\n"
        '        pipe = transformers.pipeline("fill-mask", model=self.model_id)\n'
        '        return pipe("The [MASK] sat.", top_k=3)\n'
    )
    text = run_codemod(
        tmp_path,
        "test_hf_hubert.py",
        source,
        "replace_pipeline_task.ReplacePipelineTaskCommand",
        "--old-task",
        "fill-mask",
    )
    assert text == (
        source.replace('"fill-mask"', '"automatic-speech-recognition"').replace(
            '"The [MASK] sat.", top_k=3', 'np.zeros(16000, dtype="float32"), top_k=3'
        )
    )


def test_name_pipeline_task_standalone(tmp_path: Path) -> None:
    source = (
        "class TestConvbertModels:\n"
        "    def test_pipeline(self):\n"
        "        pipe = transformers.pipeline(model=self.model_id)\n"
        '        return pipe("hello")\n'
    )
    text = run_codemod(
        tmp_path, "test_hf_convbert.py", source, "name_pipeline_task.NamePipelineTaskCommand"
    )
    assert 'transformers.pipeline("fill-mask", model=self.model_id)' in text
    assert 'pipe(f"Paris is the {pipe.tokenizer.mask_token} of France.")' in text
    assert run_codemod(
        tmp_path,
        "test_hf_convbert.py",
        source,
        "name_pipeline_task.NamePipelineTaskCommand",
        "--task",
        "text-classification",
    ) == source.replace("(model=", '("text-classification", model=')


def test_fix_pipeline_input_standalone(tmp_path: Path) -> None:
    source = (
        '"""Tests."""\n\n'
        "try:\n"
        "    import transformers\n"
        "except ImportError:\n"
        "    transformers = MagicMock()\n"
        "from unittest.mock import MagicMock\n\n\n"
        "def test_pipeline(model_id):\n"
        '    pipe = transformers.pipeline("image-classification", model=model_id)\n'
        '    return pipe("a photo of a cat")\n'
    )
    text = run_codemod(
        tmp_path, "test_hf_vit.py", source, "fix_pipeline_input.FixPipelineInputCommand"
    )
    assert text == source.replace(
        "from unittest.mock import MagicMock\n",
        "from unittest.mock import MagicMock\n\n"
        "try:\n    from PIL import Image\nexcept ImportError:\n    Image = MagicMock()\n",
    ).replace('pipe("a photo of a cat")', 'pipe(Image.new("RGB", (64, 64), "white"))')
    assert "HF205" not in {
        f.code for f in lint_text("test_hf_vit.py", text, list(all_rules().values())).findings
    }


# --- the canonical inputs, run through real pipelines on tiny models built offline -----------------


def _tiny_text_pipelines(directory: Path) -> dict[str, object]:
    """Pipelines over a one-layer, 16-wide BERT with a 20-word WordPiece vocabulary."""
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("torch")
    words = "paris is the of france capital hflint checks that this sentence runs through model"
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", *words.split()]
    vocab_file = directory / "vocab.txt"
    vocab_file.write_text("\n".join(vocab), encoding="utf-8")
    tokenizer = transformers.BertTokenizerFast(str(vocab_file))
    config = transformers.AutoConfig.for_model(
        "bert",
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=16,
        label2id={"entailment": 0, "neutral": 1, "contradiction": 2},
        id2label={0: "entailment", 1: "neutral", 2: "contradiction"},
    )
    heads = {
        "feature-extraction": transformers.AutoModel,
        "fill-mask": transformers.AutoModelForMaskedLM,
        "text-classification": transformers.AutoModelForSequenceClassification,
        "token-classification": transformers.AutoModelForTokenClassification,
        "zero-shot-classification": transformers.AutoModelForSequenceClassification,
    }
    return {
        task: transformers.pipeline(task, model=head.from_config(config), tokenizer=tokenizer)
        for task, head in heads.items()
    }


def test_canonical_text_inputs_run_through_their_pipelines(tmp_path: Path) -> None:
    for task, pipe in _tiny_text_pipelines(tmp_path).items():
        entry = ti.TASK_INPUTS[task]
        namespace = {ti.PIPE: pipe}
        args = [eval(source, namespace) for source in entry.args]
        keywords = {name: eval(source, namespace) for name, source in entry.keywords}
        assert pipe(*args, **keywords), task  # type: ignore[operator]


def test_a_foreign_mask_fails_and_the_mask_token_fix_runs(tmp_path: Path) -> None:
    """HF206's premise and fix on a real BERT fill-mask pipeline: `<mask>` is no mask to a
    tokenizer whose mask token is `[MASK]`, and the fixed file's expressions feed one."""
    source = (
        "class TestBertModels:\n"
        "    def __init__(self):\n"
        '        self.test_text = "paris is the <mask> of france."\n\n'
        "    def test_pipeline(self):\n"
        '        pipe = transformers.pipeline("fill-mask", model=self.model_id)\n'
        '        return pipe(self.test_text), pipe("the <mask> of france.")\n'
    )
    text = run_codemod(tmp_path, "test_hf_bert.py", source, "use_mask_token.UseMaskTokenCommand")
    assert text == source.replace(
        'pipe(self.test_text), pipe("the <mask> of france.")',
        'pipe(self.test_text.replace("<mask>", pipe.tokenizer.mask_token)), '
        'pipe(f"the {pipe.tokenizer.mask_token} of france.")',
    )
    assert "HF206" not in {
        f.code for f in lint_text("test_hf_bert.py", text, list(all_rules().values())).findings
    }
    pipe = _tiny_text_pipelines(tmp_path)["fill-mask"]
    with pytest.raises(Exception, match="No mask_token"):
        pipe("paris is the <mask> of france.")  # type: ignore[operator]
    # The file's `transformers.pipeline(...)` builds the tiny pipeline.
    namespace: dict[str, object] = {"transformers": SimpleNamespace(pipeline=lambda *_, **__: pipe)}
    exec(text, namespace)
    tester = namespace["TestBertModels"]()  # type: ignore[operator]
    tester.model_id = "tiny"
    with_text, with_literal = tester.test_pipeline()
    assert with_text and with_literal


def test_canonical_audio_input_runs_through_speech_pipelines(tmp_path: Path) -> None:
    transformers = pytest.importorskip("transformers")
    numpy = pytest.importorskip("numpy")
    pytest.importorskip("torch")
    vocab = tmp_path / "vocab.json"
    vocab.write_text('{"<pad>": 0, "<unk>": 1, "|": 2, "a": 3, "b": 4}', encoding="utf-8")
    config = transformers.AutoConfig.for_model(
        "wav2vec2",
        vocab_size=5,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=16,
        conv_dim=(8, 8),
        conv_stride=(5, 5),
        conv_kernel=(10, 10),
        num_conv_pos_embeddings=4,
        num_conv_pos_embedding_groups=2,
    )
    features = transformers.Wav2Vec2FeatureExtractor(sampling_rate=16000)
    speech = transformers.pipeline(
        "automatic-speech-recognition",
        model=transformers.AutoModelForCTC.from_config(config),
        tokenizer=transformers.Wav2Vec2CTCTokenizer(str(vocab)),
        feature_extractor=features,
    )
    sounds = transformers.pipeline(
        "audio-classification",
        model=transformers.AutoModelForAudioClassification.from_config(config),
        feature_extractor=features,
    )
    for task, pipe in (("automatic-speech-recognition", speech), ("audio-classification", sounds)):
        [source] = ti.TASK_INPUTS[task].args
        assert pipe(eval(source, {"numpy": numpy})) is not None, task
