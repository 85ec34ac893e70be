"""`python app.py` as a Space runs it: env host/port, --share without a network, Space front matter."""

import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import ROOT, free_port


@pytest.mark.slow
def test_app_py_honours_gradio_env_and_survives_a_failed_share_link():
    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "app.py", "--share"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    output = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            output.append(line)
            if "No public link" in line or proc.poll() is not None:
                break
        text = "".join(output)
        assert f"http://127.0.0.1:{port}" in text, text
        assert "Could not create share link" in text, text
        assert "share=True" not in text, text  # Gradio's hint for its own API, not this app's --share
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200  # still serving locally
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_readme_front_matter_makes_a_gradio_space():
    readme = (ROOT / "README.md").read_text()
    front = re.match(r"---\n(.*?)\n---\n", readme, re.S)
    assert front, "README.md must start with Space front matter"
    fields = dict(line.split(":", 1) for line in front[1].splitlines() if ":" in line and not line.startswith(" "))
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    assert fields["sdk"] == "gradio" and fields["app_file"] == "app.py"
    import gradio

    assert fields["sdk_version"] == f'"{gradio.__version__}"'
    assert fields["python_version"] == '"3.11"'
    requirements = (ROOT / "requirements.txt").read_text()
    assert f"gradio=={gradio.__version__}" in requirements and "torch==2.13.0" in requirements


def test_the_link_hint_names_the_apps_own_flag():
    from app import link_lines

    assert "python app.py --share" in link_lines("http://127.0.0.1:7860/", None, False)
    assert "No public link" in link_lines("http://127.0.0.1:7860/", None, True)
    assert "https://x.gradio.live" in link_lines("http://127.0.0.1:7860/", "https://x.gradio.live", True)
