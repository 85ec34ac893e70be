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


# The library's layers, bottom to top (liif/__init__.py): a module imports only from its own layer or lower ones,
# and core and io, side by side, not from each other.
LAYERS = {"errors": 0, "core": 1, "io": 1, "weights": 2, "pipeline": 3, "views": 4}
TOP = 5  # liif/__init__.py, __main__.py, cli.py and the batch engines (liif/batch)


def _layer(module: str) -> str:
    """``liif.core.grid`` -> "core"; a top-level module or the package itself -> itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "liif"


def test_each_layer_of_the_library_imports_only_from_below():
    import ast

    wrong = []
    for path in (ROOT / "liif").rglob("*.py"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        own = _layer(module)
        rank = LAYERS.get(own, TOP)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "liif":
                targets = [f"{node.module}.{a.name}" if node.module == "liif" else node.module for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.split(".")[0] == "liif"]
            else:
                continue
            for target in targets:
                layer = _layer(target)
                if layer == own:
                    continue
                theirs = LAYERS.get(layer, TOP)
                if theirs > rank or (theirs == rank < TOP):  # above, or beside (core and io)
                    wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_the_library_is_folders_of_layers():
    folders = sorted(
        p.name for p in (ROOT / "liif").iterdir() if p.is_dir() and p.name not in ("__pycache__", "bundled")
    )
    assert folders == sorted([*(name for name in LAYERS if name != "errors"), "batch"])
    flat = sorted(p.name for p in (ROOT / "liif").glob("*.py"))
    assert len(flat) <= 5, flat


DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]


def _anchors(markdown: str) -> set[str]:
    """The anchors GitHub makes of a page's headings: lowercase, punctuation dropped, spaces as hyphens."""
    import re

    headings = re.findall(r"^#+ (.+)$", markdown, flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def test_every_link_of_the_docs_leads_somewhere():
    import re

    broken = []
    for page in DOCS:
        text = page.read_text()
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked.read_text()):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == []


def test_the_readme_is_for_a_newcomer():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.encode()) <= 15_500  # the rest is in docs/
    assert "python3 -m venv" in readme and "pip install -r requirements.txt && python app.py" in readme
    assert "pip install --no-compile -r requirements-dev.txt && python -m pytest" in readme
