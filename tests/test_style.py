"""The project's own rules, checked where CI runs them."""

import subprocess
import sys

from conftest import ROOT


def test_ruff_lint_and_format_are_clean():
    for args in (["check", "."], ["format", "--check", "."]):
        done = subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_types_check_clean():
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_library_never_imports_gradio():
    offenders = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "liif").rglob("*.py")
        if any(line.lstrip().startswith(("import gradio", "from gradio")) for line in path.read_text().splitlines())
    ]
    assert offenders == []
