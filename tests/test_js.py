"""The page's JavaScript arithmetic (demo/page/static/logic.js), run by node's own test runner (tests/js/)."""

import os
import shutil
import subprocess

import pytest
from conftest import ROOT

NODE = shutil.which("node")


@pytest.mark.skipif(not NODE and os.environ.get("CI", "").lower() != "true", reason="node is not installed here")
def test_the_pages_arithmetic_passes_under_node():
    assert NODE, "CI needs node for the JavaScript tests"
    done = subprocess.run([NODE, "--test", "tests/js/"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout
