"""The hub ids a test file names and the tiny stand-in each gets (`hflint.analysis.checkpoints`):
real LibCST parsing and the shipped catalog; no torch, no transformers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from hflint.analysis import tasks
from hflint.analysis.checkpoints import (
    FROM_CATALOG,
    FROM_FILE,
    FROM_NAME,
    FROM_REGISTRY,
    StandIn,
    checkpoint_model,
    checkpoint_uses,
    plan_stand_ins,
)
from hflint.catalog import Catalog, load_catalog
from hflint.exec import selection


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def stand_ins(catalog: Catalog, source: str, file_type: str | None = "bert") -> dict[str, StandIn]:
    analysis = tasks.analyze(cst.parse_module(textwrap.dedent(source)))
    file_model = catalog.resolve(file_type) if file_type else None
    found = plan_stand_ins(catalog, checkpoint_uses(analysis, None), file_model)
    return {standin.hub_id: standin for standin in found}


@pytest.mark.parametrize(
    ("hub_id", "model_type", "origin"),
    [
        ("bert-base-uncased", "bert", FROM_CATALOG),  # legacy id of google-bert/bert-base-uncased
        ("gpt2", "gpt2", FROM_CATALOG),
        ("google/vit-base-patch16-224", "vit", FROM_CATALOG),
        ("facebook/wav2vec2-base-960h", "wav2vec2", FROM_CATALOG),
        # The catalog beats the name: this checkpoint is maskformer, its name says maskformer-swin.
        ("facebook/maskformer-swin-base-ade", "maskformer", FROM_CATALOG),
        # Whole name parts, never substrings: hubert is not bert, xlm-roberta is not roberta.
        ("facebook/hubert-large-ls960-ft", "hubert", FROM_NAME),
        ("FacebookAI/xlm-roberta-large", "xlm-roberta", FROM_NAME),
        ("EleutherAI/gpt-neo-125M", "gpt_neo", FROM_NAME),
        ("EleutherAI/gpt-neox-20b", "gpt_neox", FROM_CATALOG),
        ("someone/gpt-neox-tuned", "gpt_neox", FROM_NAME),  # the longest run wins: not gpt_neo
        ("google/flan-t5-base", "t5", FROM_NAME),  # a family alias
        ("hf-internal-testing/tiny-random-bert", "bert", FROM_NAME),  # a run inside the name
    ],
)
def test_the_type_behind_an_id(catalog: Catalog, hub_id: str, model_type: str, origin: str) -> None:
    found = checkpoint_model(catalog, hub_id, [], None)
    assert found is not None
    assert (found[0].model_type, found[1]) == (model_type, origin)


def test_registry_metadata_and_the_files_type_come_after_the_name(catalog: Catalog) -> None:
    roberta = catalog.resolve("roberta")
    found = checkpoint_model(catalog, "acme/house-model", ["albert"], roberta)
    assert found is not None and (found[0].model_type, found[1]) == ("albert", FROM_REGISTRY)
    found = checkpoint_model(catalog, "acme/house-model", ["no-such-type"], roberta)
    assert found is not None and (found[0].model_type, found[1]) == ("roberta", FROM_FILE)
    # The name outranks what a registry declares (generators copy the file's type into it).
    found = checkpoint_model(catalog, "gpt2-medium", ["bert"], roberta)
    assert found is not None and found[0].model_type == "gpt2"
    assert checkpoint_model(catalog, "acme/house-model", [], None) is None


def test_a_fixture_loading_a_checkpoint_gets_the_head_it_loads(catalog: Catalog) -> None:
    found = stand_ins(
        catalog,
        """
        import pytest
        import transformers
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        MODEL_ID = "bert-base-uncased"

        @pytest.fixture(scope="module")
        def model_and_tokenizer():
            tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
            model = transformers.AutoModelForMaskedLM.from_pretrained(MODEL_ID)
            return model, tokenizer

        def test_other_heads():
            name = "FacebookAI/roberta-base"
            AutoModelForSequenceClassification.from_pretrained(name)
            transformers.GPT2LMHeadModel.from_pretrained(pretrained_model_name_or_path="gpt2")
        """,
    )
    assert list(found) == ["bert-base-uncased", "FacebookAI/roberta-base", "gpt2"]
    bert = found["bert-base-uncased"]
    assert (bert.model_type, bert.tasks[0], bert.origin) == ("bert", "fill-mask", FROM_CATALOG)
    roberta = found["FacebookAI/roberta-base"]
    assert roberta.model_type == "roberta" and roberta.tasks[0] == "text-classification"
    assert found["gpt2"].tasks == ("text-generation",)


def test_pipeline_ids_take_the_pipelines_task(catalog: Catalog) -> None:
    found = stand_ins(
        catalog,
        """
        from transformers import pipeline

        TASK = "token-classification"

        class TestBertModels:
            def __init__(self):
                self.checkpoint = "dslim/bert-base-NER"

            def test_pipeline(self):
                pipeline(TASK, model=self.checkpoint)
                pipeline("text-generation", "gpt2", tokenizer="gpt2")
                pipeline("fill-mask", model=self.model_id)  # a parameter: nothing to follow
        """,
    )
    assert list(found) == ["dslim/bert-base-NER", "gpt2"]
    assert found["dslim/bert-base-NER"].tasks[0] == "token-classification"
    assert found["gpt2"].tasks == ("text-generation",)


def test_registry_keys_defaults_and_constants_are_the_files_own(catalog: Catalog) -> None:
    found = stand_ins(
        catalog,
        """
        BERT_MODELS_REGISTRY = {
            "acme/house-model": {"description": "ours", "task": "text-classification"},
            "acme/other": {"model_type": "albert", "class": "AlbertForMaskedLM"},
        }
        CHECKPOINT = "acme/constant"

        class TestBertModels:
            def __init__(self, model_id="acme/default", device=None):
                self.model_id = model_id

            def test_direct(self):
                import transformers

                transformers.AutoModel.from_pretrained("acme/one-off")
        """,
    )
    assert found["acme/house-model"].model_type == "bert"
    assert found["acme/house-model"].origin == FROM_FILE
    assert found["acme/house-model"].tasks[0] == "text-classification"
    other = found["acme/other"]
    assert (other.model_type, other.origin, other.tasks[0]) == (
        "albert",
        FROM_REGISTRY,
        "fill-mask",
    )
    assert found["acme/constant"].origin == FROM_FILE
    assert found["acme/default"].origin == FROM_FILE
    # An id written only in a loading call may be any model's: no type, and the reason says so.
    one_off = found["acme/one-off"]
    assert one_off.model_type is None and one_off.tasks == ()
    assert one_off.reason is not None and "'acme/one-off'" in one_off.reason
    assert one_off.to_job() == {"id": "acme/one-off", "reason": one_off.reason}


def test_a_type_without_a_task_says_so(catalog: Catalog) -> None:
    found = stand_ins(catalog, 'MODEL_ID = "huggingface/autoformer-tourism-monthly"\n')
    autoformer = found["huggingface/autoformer-tourism-monthly"]
    assert autoformer.model_type == "autoformer" and autoformer.tasks == ()
    assert autoformer.reason == (
        "autoformer (catalog checkpoint) has no pipeline task to build a tiny model for"
    )
    assert autoformer.to_job() == {
        "id": "huggingface/autoformer-tourism-monthly",
        "model_type": "autoformer",
        "origin": FROM_CATALOG,
        "reason": autoformer.reason,
    }


def test_what_the_job_carries(catalog: Catalog) -> None:
    found = stand_ins(
        catalog, 'import transformers\ntransformers.AutoModel.from_pretrained("gpt2")\n'
    )
    assert found["gpt2"].to_job() == {
        "id": "gpt2",
        "model_type": "gpt2",
        "tasks": ["text-generation"],
        "origin": FROM_CATALOG,
    }


def test_the_exec_plan_carries_the_stand_ins(catalog: Catalog, tmp_path: Path) -> None:
    file = tmp_path / "test_hf_bert.py"
    file.write_text(
        "import transformers\n"
        'MODEL_ID = "bert-base-uncased"\n'
        "def fixture():\n"
        "    return transformers.AutoModel.from_pretrained(MODEL_ID)\n"
    )
    plan = selection.plan(file, catalog)
    assert [(s.hub_id, s.model_type, s.tasks[0]) for s in plan.standins] == [
        ("bert-base-uncased", "bert", "fill-mask")
    ]
    broken = tmp_path / "test_hf_gpt2.py"
    broken.write_text('MODEL_ID = "gpt2"\ndef broken(:\n')
    assert selection.plan(broken, catalog).standins == ()


def test_finding_stand_ins_imports_neither_torch_nor_transformers(tmp_path: Path) -> None:
    file = tmp_path / "test_hf_bert.py"
    file.write_text('import transformers\ntransformers.AutoModel.from_pretrained("gpt2")\n')
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from hflint.catalog import load_catalog\n"
        "from hflint.exec import selection\n"
        f"plan = selection.plan(Path({str(file)!r}), load_catalog())\n"
        "assert plan.standins[0].model_type == 'gpt2', plan\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]", "the parent side must stay lint-safe"
