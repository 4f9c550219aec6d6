"""Tiny stand-ins for the checkpoints a file loads by itself, for real: real torch and transformers,
tiny models built offline, a user hub cache that must stay untouched.

The user's hub cache (`HF_HOME`) holds a broken `bert-base-uncased`: a lookup that reached it would
fail to load, and the test checks that nothing in it changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hflint.cli import cli

# Builds tiny models and runs a warm worker: seconds each.
pytestmark = [pytest.mark.exec, pytest.mark.slow]


@pytest.fixture
def tiny_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny models of the whole test session (test_exec_run and test_tiny_models use it too)."""
    return tmp_path_factory.getbasetemp() / "tiny"


@pytest.fixture
def user_home(tmp_path: Path) -> Path:
    """An `HF_HOME` whose hub cache holds a broken copy of `bert-base-uncased`."""
    home = tmp_path / "hf-home"
    repo = home / "hub" / "models--bert-base-uncased"
    commit = "0" * 40
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text('{"model_type": "not a model"}')
    return home


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under `root` -> (size, mtime in ns): what a write would change."""
    return {
        str(path.relative_to(root)): (path.lstat().st_size, path.lstat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
    }


CHILD = """\
import json
import os
import sys

# Imported before the stand-ins are installed, as the warm worker imports them before forking.
import huggingface_hub.constants
import transformers

from hflint.exec import standins

job = json.loads(sys.argv[1])
report = standins.install(job["standins"], job["workdir"], job["model_cache"])
tokenizer = transformers.AutoTokenizer.from_pretrained("bert-base-uncased")
model = transformers.AutoModel.from_pretrained("bert-base-uncased")
fill = transformers.pipeline("fill-mask", model="bert-base-uncased")
predictions = fill("paris is the " + tokenizer.mask_token + " of france")
generator = transformers.pipeline("text-generation", model="gpt2")
generated = generator("hello", max_new_tokens=2)
try:
    transformers.AutoConfig.from_pretrained("acme/unheard-of")
    unknown = "loaded"
except OSError as error:
    unknown = type(error).__name__
print(json.dumps({
    "report": report,
    "cache": huggingface_hub.constants.HF_HUB_CACHE,
    "offline": huggingface_hub.constants.HF_HUB_OFFLINE,
    "bert": [model.config.model_type, type(tokenizer).__name__, len(predictions)],
    "gpt2": [generator.model.config.model_type, len(generated)],
    "unknown": unknown,
}))
"""


def test_the_child_side_resolves_ids_offline_into_a_private_cache(
    tmp_path: Path, tiny_cache: Path, user_home: Path
) -> None:
    """`standins.install` in a fresh process that imported huggingface_hub first, then
    `from_pretrained("id")`, `AutoTokenizer` and `pipeline(model="id")`."""
    workdir = tmp_path / "scratch"
    workdir.mkdir()
    job = {
        "workdir": str(workdir),
        "model_cache": str(tiny_cache),
        "standins": [
            {"id": "bert-base-uncased", "model_type": "bert", "tasks": ["fill-mask"]},
            {"id": "gpt2", "model_type": "gpt2", "tasks": ["text-generation"], "origin": "x"},
            {"id": "acme/unheard-of", "reason": "no model type known for 'acme/unheard-of'"},
        ],
    }
    before = tree(user_home)
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("HF_", "HUGGING"))
    }
    environment.update(HF_HOME=str(user_home), TOKENIZERS_PARALLELISM="false")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(job)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["bert"] == ["bert", "BertTokenizer", 5]
    assert found["gpt2"] == ["gpt2", 1]
    assert found["unknown"] == "OSError"
    report = found["report"]
    assert report["bert-base-uncased"]["task"] == "fill-mask"
    assert report["gpt2"]["origin"] == "x"
    assert report["acme/unheard-of"] == {"reason": "no model type known for 'acme/unheard-of'"}

    # Offline, in a cache of its own under the scratch directory, holding links and no download.
    assert found["offline"] is True
    cache = Path(found["cache"])
    assert cache.parent == workdir
    repo = cache / "models--bert-base-uncased"
    commit = (repo / "refs" / "main").read_text()
    files = list((repo / "snapshots" / commit).rglob("*"))
    links = [path for path in files if path.is_symlink()]
    assert links and all(path.is_dir() for path in files if path not in links)
    tiny = Path(report["bert-base-uncased"]["path"])
    assert all(path.resolve().is_relative_to(tiny.resolve()) for path in links)
    assert not list(cache.rglob("blobs"))
    assert sorted(path.name for path in cache.iterdir()) == [
        "models--bert-base-uncased",
        "models--gpt2",
    ]
    assert tree(user_home) == before


FILE = '''\
import os

import huggingface_hub.constants
import transformers

MODEL_ID = "bert-base-uncased"


def model_and_tokenizer():
    """What a pytest module fixture does: load the checkpoint by name."""
    tokenizer = transformers.AutoTokenizer.from_pretrained(MODEL_ID)
    model = transformers.AutoModel.from_pretrained(MODEL_ID)
    return model, tokenizer


class TestBertModels:
    def __init__(self, model_id=None, device=None):
        self.model_id = model_id
        self.device = device

    def test_fixture(self):
        model, tokenizer = model_and_tokenizer()
        output = model(**tokenizer("hello world", return_tensors="pt"))
        width = output.last_hidden_state.shape[-1]
        return {"success": model.config.model_type == "bert" and width == model.config.hidden_size}

    def test_another_type(self):
        generator = transformers.pipeline("text-generation", model="gpt2")
        return {"success": generator.model.config.model_type == "gpt2"}

    def test_unknown(self):
        try:
            transformers.AutoModel.from_pretrained("acme/unheard-of")
        except OSError:
            return {"success": True}
        return {"success": False, "error": "acme/unheard-of loaded"}

    def test_private_cache(self):
        cache = os.path.realpath(huggingface_hub.constants.HF_HUB_CACHE)
        scratch = os.path.realpath(os.getcwd())
        return {"success": cache.startswith(scratch + os.sep), "error": cache}

    def run_tests(self):
        names = ("test_fixture", "test_another_type", "test_unknown", "test_private_cache")
        return {"results": {name: getattr(self, name)() for name in names}, "metadata": {}}
'''

# A file that names no checkpoint, run by the same worker: its hub lookups are the user's.
UNTOUCHED = """\
import os

import huggingface_hub.constants


class TestGpt2Models:
    def __init__(self, model_id=None, device=None):
        pass

    def run_tests(self):
        expected = os.path.join(os.environ["HF_HOME"], "hub")
        cache = huggingface_hub.constants.HF_HUB_CACHE
        return {"results": {"cache": {"success": cache == expected, "error": cache}}}
"""


def test_exec_runs_a_file_that_loads_checkpoints_itself(
    tmp_path: Path, tiny_cache: Path, user_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_hf_bert.py").write_text(FILE)
    (suite / "test_hf_gpt2.py").write_text(UNTOUCHED)
    for name in [name for name in os.environ if name.startswith(("HF_", "HUGGING"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HF_HOME", str(user_home))
    monkeypatch.setenv("HFLINT_TINY_CACHE", str(tiny_cache))
    monkeypatch.chdir(tmp_path)
    before = tree(user_home)
    output = tmp_path / "exec.json"
    arguments = ["exec", "--no-lint-gate", "--jobs", "1", "--timeout", "300"]
    result = CliRunner().invoke(
        cli, [*arguments, "--format", "json", "-o", str(output), "suite"], catch_exceptions=False
    )
    records = {r["file"]: r for r in json.loads(output.read_text())["records"]}
    bert = records["suite/test_hf_bert.py"]
    assert bert["status"] == "passed", (bert["reason"], bert["output"])
    assert result.exit_code == 0
    standins = bert["standins"]
    assert list(standins) == [
        "bert-base-uncased",
        "acme/unheard-of",
        "gpt2",
    ]  # calls, then pipelines
    assert {
        key: standins["bert-base-uncased"][key] for key in ("model_type", "task", "origin")
    } == {
        "model_type": "bert",
        "task": "fill-mask",
        "origin": "catalog checkpoint",
    }
    assert Path(standins["bert-base-uncased"]["path"]).is_relative_to(tiny_cache)
    assert (standins["gpt2"]["model_type"], standins["gpt2"]["task"]) == ("gpt2", "text-generation")
    assert standins["acme/unheard-of"] == {
        "reason": "no model type known for 'acme/unheard-of': no catalog checkpoint, and no model "
        "type in its name"
    }
    assert records["suite/test_hf_gpt2.py"]["status"] == "passed"
    assert records["suite/test_hf_gpt2.py"]["standins"] == {}
    assert tree(user_home) == before


# A pytest module, as real suites write them: a module fixture loads the checkpoint by name.
PYTEST_FILE = """\
import pytest
import transformers


@pytest.fixture(scope="module")
def model_and_tokenizer():
    tokenizer = transformers.AutoTokenizer.from_pretrained("bert-base-uncased")
    model = transformers.AutoModel.from_pretrained("bert-base-uncased")
    return model, tokenizer


class TestInference:
    def test_forward(self, model_and_tokenizer):
        model, tokenizer = model_and_tokenizer
        output = model(**tokenizer("hello world", return_tensors="pt"))
        assert output.last_hidden_state.shape[-1] == model.config.hidden_size

    def test_model_type(self, model_and_tokenizer):
        assert model_and_tokenizer[0].config.model_type == "bert"
"""


def test_a_pytest_file_runs_on_the_stand_ins_of_its_fixtures(
    tmp_path: Path, tiny_cache: Path, user_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_hf_bert_improved.py").write_text(PYTEST_FILE)
    for name in [name for name in os.environ if name.startswith(("HF_", "HUGGING"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HF_HOME", str(user_home))
    monkeypatch.setenv("HFLINT_TINY_CACHE", str(tiny_cache))
    monkeypatch.chdir(tmp_path)
    before = tree(user_home)
    output = tmp_path / "exec.json"
    arguments = ["exec", "--jobs", "1", "--timeout", "300", "--format", "json", "-o", str(output)]
    result = CliRunner().invoke(cli, [*arguments, "suite"], catch_exceptions=False)
    (record,) = json.loads(output.read_text())["records"]
    assert (record["style"], record["status"]) == ("pytest", "passed"), record["reason"]
    assert result.exit_code == 0
    assert record["model_source"] == "synth"
    assert sorted(record["tests"]) == [
        "TestInference::test_forward",
        "TestInference::test_model_type",
    ]
    assert record["standins"]["bert-base-uncased"]["model_type"] == "bert"
    assert tree(user_home) == before
