"""The router answers the same, explanation and runner-up included, whatever Python's hash seed:
an operator re-reading a decision, or two replicas routing one order, must see one answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TEXTS = [
    "白沙镇中心学校食堂饭菜太差了，孩子经常吃不饱",
    "我医保卡里的钱少了四百多，是不是被人盗刷了",
    "小区广场舞音响震天响，晚上十点还不停",
    "电梯卡在七楼和八楼之间，里面关着人，物业电话打不通",
    "上班路上被车撞伤了，公司不给报医药费，能不能认定工伤",
    "村里的路灯坏了半个月没人修",
]


def _routed(seed: str, source: Path) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-m", "services.cli", "classify", str(source)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True, timeout=120)
    return done.stdout


def test_decisions_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    source = tmp_path / "appeals.jsonl"
    source.write_text("".join(json.dumps({"id": str(i), "text": t}, ensure_ascii=False) + "\n"
                              for i, t in enumerate(TEXTS)), encoding="utf-8")
    first, second = _routed("1", source), _routed("2", source)
    assert len(first.splitlines()) == len(TEXTS)
    assert first == second
