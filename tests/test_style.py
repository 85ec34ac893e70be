"""The project's own rules, checked where CI runs them."""

import subprocess
import sys

import pytest
from conftest import ROOT

# Gradio writes a .pyi stub beside a module with component subclasses the first time it is imported and
# later refreshes only the class bodies, so a stub can lack what the module gained since; mypy would read
# the stub instead of the module. They are generated (git-ignored): remove them before mypy looks.
for _stub in (ROOT / "demo").glob("*.pyi"):
    _stub.unlink()


def start_mypy() -> subprocess.Popen:
    """mypy needs about 40 s from a cold cache (as in CI): conftest starts it once collection has chosen its
    test, so it runs beside the rest of the suite, and the test reads its verdict."""
    return subprocess.Popen(
        [sys.executable, "-m", "mypy"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


MYPY: list[subprocess.Popen] = []  # the run conftest started, if this session runs the type check


def test_ruff_lint_and_format_are_clean():
    for args in (["check", "."], ["format", "--check", "."]):
        done = subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_types_check_clean():
    run = MYPY[0] if MYPY else start_mypy()
    output, _ = run.communicate(timeout=600)
    assert run.returncode == 0, output


def test_the_library_never_imports_gradio():
    offenders = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "liif").rglob("*.py")
        if any(line.lstrip().startswith(("import gradio", "from gradio")) for line in path.read_text().splitlines())
    ]
    assert offenders == []
