"""The project's own rules, checked where CI runs them."""

import subprocess
import sys

from conftest import ROOT

# Gradio writes a .pyi stub beside a module with component subclasses the first time it is imported and
# later refreshes only the class bodies, so a stub can lack what the module gained since; mypy would read
# the stub instead of the module. They are generated (git-ignored): remove them before mypy looks.
for _stub in (ROOT / "demo").glob("*.pyi"):
    _stub.unlink()

# mypy needs about 40 s from a cold cache (as in CI): start it when this module is collected, so it runs
# beside the rest of the suite, and read its verdict in the test.
_MYPY = subprocess.Popen(
    [sys.executable, "-m", "mypy"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
)


def test_ruff_lint_and_format_are_clean():
    for args in (["check", "."], ["format", "--check", "."]):
        done = subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_types_check_clean():
    output, _ = _MYPY.communicate(timeout=600)
    assert _MYPY.returncode == 0, output


def test_the_library_never_imports_gradio():
    offenders = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "liif").rglob("*.py")
        if any(line.lstrip().startswith(("import gradio", "from gradio")) for line in path.read_text().splitlines())
    ]
    assert offenders == []
