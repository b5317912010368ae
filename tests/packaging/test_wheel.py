"""The wheel is the product: built from the tracked files, installed into a fresh virtual
environment, the router it carries must load its seed appeals and decide exactly as the source tree
does (a data file left out of the package would silently give a weaker router)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from router.exceptions import ModelError
from router.learning import seed_records
from router.offline import classify_record
from router.service import Router

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("schemas", "intake", "router", "escalation", "feedback", "services")
COMPARED = ("redirect", "class", "level", "dept", "unit", "matter", "confidence", "township", "village")

# Runs inside the fresh environment, from a directory with no source tree in it.
PROBE = """
import json, sys
import router
from router.learning import SEED_PATH, seed_records
from router.offline import classify_record
from router.service import Router
texts = json.loads(sys.stdin.read())
out = {"router_file": router.__file__, "seed_path": str(SEED_PATH), "seed": len(seed_records()),
       "decisions": [classify_record(Router.default(), t) for t in texts]}
print(json.dumps(out, ensure_ascii=False))
"""


def _tracked(*paths: str) -> list[str]:
    out = subprocess.run(["git", "ls-files", *paths], cwd=ROOT, check=True, capture_output=True, text=True)
    return [line for line in out.stdout.splitlines() if line]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build from a copy of the tracked files only (what a clean checkout or image build sees)."""
    src = tmp_path_factory.mktemp("src")
    for name in [*_tracked(*PACKAGES), "pyproject.toml", "README.md"]:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, src / name)
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(dist), str(src)], check=True, capture_output=True)
    (built,) = dist.glob("hotline-*.whl")
    return built


def test_every_tracked_data_file_of_the_packages_is_in_the_wheel(wheel: Path) -> None:
    data = {n for n in _tracked(*PACKAGES) if not n.endswith(".py") and "/tests/" not in n}
    with zipfile.ZipFile(wheel) as zf:
        shipped = set(zf.namelist())
    assert "router/data/seed/labelled_appeals.jsonl" in data
    assert sorted(data - shipped) == []


def test_installed_router_loads_its_seed_and_decides_as_the_source_tree(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True)
    # The third-party dependencies come from this environment (no network in tests): a path line in
    # a .pth file adds its directory without running the editable-install hook that lives there.
    fresh_site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                check=True, capture_output=True, text=True).stdout.strip()
    Path(fresh_site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    texts = [json.loads(line) for line in (ROOT / "tests/data/appeals_fourth.jsonl").read_text("utf-8").splitlines()
             if line.strip()][:40]
    run = subprocess.run([str(python), "-c", PROBE], input=json.dumps(texts, ensure_ascii=False), cwd=tmp_path,
                         check=True, capture_output=True, text=True)
    installed = json.loads(run.stdout)

    assert installed["router_file"].startswith(str(venv)), installed["router_file"]
    assert installed["seed_path"].startswith(str(venv))
    assert installed["seed"] == len(seed_records()) > 100
    source = Router.default()
    expected = [{k: classify_record(source, t)[k] for k in COMPARED} for t in texts]
    assert [{k: d[k] for k in COMPARED} for d in installed["decisions"]] == expected


def test_a_missing_seed_file_is_an_error_not_an_empty_history(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="seed appeals"):
        seed_records(tmp_path / "labelled_appeals.jsonl")
