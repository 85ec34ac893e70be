"""What one request can cost at most: work and memory follow what is rendered and drawn, never a virtual size or
the length of a list a client sends (docs/security.md, "What a request can cost")."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT
from gradio_client import handle_file
from PIL import Image

from demo.plots import CHANNEL_CHOICES, plotted_channels
from liif.pipeline.layout import layout

GB = 2**30


def peak_rss_of(code: str) -> float:
    """The peak resident memory, in bytes, of a fresh Python running ``code`` (it must exit 0)."""
    report = "import atexit, resource; atexit.register(lambda: print('PEAK', resource.getrusage(0).ru_maxrss))\n"
    done = subprocess.run([sys.executable, "-c", report + code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.split("PEAK")[-1]) * 1024


def test_a_channel_asked_for_many_times_is_drawn_once():
    assert plotted_channels(["R"] * 150) == ["R"]
    assert plotted_channels(["B", "R", "B", "Luminance", "nonsense"] * 40) == ["Luminance", "R", "B"]
    assert plotted_channels(None) == plotted_channels(["x" * 10_000]) == plotted_channels("R") == ["Luminance"]
    assert plotted_channels([1, 2]) == ["Luminance"] and len(plotted_channels(CHANNEL_CHOICES * 100)) == 4


@pytest.mark.slow
def test_a_long_line_with_a_repeated_channel_answers_a_few_megabytes(client, tmp_path):
    """A 1.1 KB request once made a 669 MB answer (150 copies of "R" on a 65,000-px line): three curves now, each
    thinned to what a chart can show (the CSV keeps every sample)."""
    photo = tmp_path / "strip.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (10, 1000, 3), np.uint8)).save(photo)
    figure, csv_path, status = client.predict(
        image=handle_file(photo), width=16_000, height=100, x0=0, y0=50, x1=15_999, y1=50, channels=["R"] * 150,
        api_name="/profile",
    )  # fmt: skip
    plot = json.loads(figure["plot"]) if isinstance(figure.get("plot"), str) else figure
    traces = plot["data"] if "data" in plot else json.loads(plot["plot"])["data"]
    assert [t["name"] for t in traces] == ["R LIIF", "R bicubic", "R input pixels"]
    assert len(json.dumps(figure)) < 4_000_000
    assert "63997 LIIF samples" in status
    assert len(Path(csv_path).read_text().splitlines()) == 63_998  # every sample, and a header


def test_a_fill_of_another_shape_computes_only_the_window():
    plan = layout(1, 4000, 4000, 1, "fill")
    assert plan.render == (4000, 16_000_000) and plan.box == (0, 7_999_999, 4000, 8_000_000)
    strip = Image.fromarray(np.arange(4000, dtype=np.uint8).reshape(4000, 1) * np.uint8(1))
    window = plan.window_of(strip)
    assert window.size == (4000, 1)
    assert plan.describe(1, 4000) == "fill: the photo's centre 1xunder 1 of 1x4000, cropped to the output's shape"


STRIP_PAGE = """
import numpy as np
from PIL import Image
from demo.config import AppConfig
from demo.events import Events
from demo.workbench import Workbench
Image.fromarray(np.full((4000, 1, 4), 200, np.uint8), "RGBA").save("/tmp/{name}.png")
events = Events.over(Workbench(AppConfig(model="{weights}")))
class Session:
    session_hash = "strip"
frames = list(events.upscale.live("/tmp/{name}.png", 4000, 1, None, "auto", "standard", events.upscale.start(Session),
                                  Session, "fill"))
assert frames[-1].result, frames[-1].status
path, status = events.upscale.render("/tmp/{name}.png", 4000, 1, fit="fill")
assert Image.open(path).size == (4000, 1) and Image.open(path).mode == "RGBA"
"""


@pytest.mark.slow
def test_the_page_and_the_api_fill_a_thin_strip_within_a_gigabyte(tiny_weights, tmp_path):
    """A 1x4000 photo with alpha filling a 4000x1 output: the preview, the alpha and the render are the window's
    (before: a 4000x16,000,000 preview and alpha, out of memory past 8 GB)."""
    code = STRIP_PAGE.format(name=f"strip-{tmp_path.name}", weights=tiny_weights)
    assert peak_rss_of(code) < 1.5 * GB


@pytest.mark.slow
def test_the_cli_fills_a_thin_strip_within_a_gigabyte_and_refuses_liif_plus_in_one_line(tmp_path):
    source, out = tmp_path / "strip.png", tmp_path / "out.png"
    Image.fromarray(np.full((4000, 1, 4), 200, np.uint8), "RGBA").save(source)
    code = (
        "import sys; from liif.cli import main; "
        f"sys.exit(main(['upscale', '{source}', '-o', '{out}', '--size', '4000x1', '--fit', 'fill']))"
    )
    assert peak_rss_of(code) < 1.5 * GB
    assert Image.open(out).size == (4000, 1)
    from test_cli import run_cli

    done = run_cli("upscale", source, "-o", tmp_path / "plus.png", "--size", "4000x1", "--fit", "fill",
                   "--liif-plus")  # fmt: skip
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "LIIF+ needs the whole photo rendered at the output's scale, 4000x16000000" in done.stderr


def test_the_app_refuses_liif_plus_on_a_fill_whose_render_is_over_the_limit(tmp_path):
    import gradio as gr

    from demo.config import AppConfig
    from demo.events import Events
    from demo.events.common import LIIF_PLUS
    from demo.workbench import Workbench

    source = tmp_path / "strip.png"
    Image.fromarray(np.full((400, 1, 3), 90, np.uint8)).save(source)
    events = Events.over(Workbench(AppConfig()))
    with pytest.raises(gr.Error, match="LIIF\\+ needs the whole photo rendered at the output's scale, 4000x1600000"):
        events.upscale.render(str(source), 4000, 1, quality=LIIF_PLUS, fit="fill")


LONG = "f" * 100_000  # once quoted back whole: a 100,089-character error and a traceback in the log


@pytest.mark.parametrize(
    ("api", "values", "name"),
    [
        ("upscale", [48, 32, None, "exact", "standard", LONG, "#000000"], "Fit"),
        ("upscale", [48, 32, None, LONG, "standard", "stretch", "#000000"], "Precision"),
        ("upscale", [48, 32, None, "exact", LONG, "stretch", "#000000"], "Quality"),
        ("upscale", [48, 32, LONG, "exact", "standard", "stretch", "#000000"], "Model"),
        ("profile", [48, 32, None, "exact", "standard", 0, 5, 30, 5, [LONG], "stretch"], "Channels"),
        ("cell", [48, 32, None, 10, 10, LONG, 2, "stretch"], "Cell scale"),
    ],
)
def test_a_long_value_is_quoted_short_and_logged_in_one_line(tiny_app_url, tmp_path, capfd, api, values, name):
    from test_hardening import _raw_call, _uploaded

    source = tmp_path / "p.png"
    Image.fromarray(np.full((16, 24, 3), 90, np.uint8)).save(source)
    capfd.readouterr()
    stream = _raw_call(tiny_app_url, api, [_uploaded(source), *values])
    error = stream.split("event: error", 1)[1]
    assert f"{name} must be one of" in error and len(error) < 400, error[:400]
    out, err = capfd.readouterr()
    assert LONG[:200] not in out + err and "Traceback" not in out + err


def _post(url: str, body: bytes) -> int:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.slow
def test_a_session_hash_longer_than_a_token_is_refused_before_gradio_keeps_it(tiny_app_url):
    """300 calls with a 1 MB session hash once added 344 MB that stayed: such a call is now answered 400."""
    import urllib.error
    import urllib.request

    from demo.middleware import SESSION_CHARS

    long = "s" * 1_000_000
    join = json.dumps({"data": [], "fn_index": 0, "session_hash": long}).encode()
    assert _post(f"{tiny_app_url}gradio_api/queue/join", join) == 400
    for path in (f"gradio_api/queue/data?session_hash={long[:5000]}", f"gradio_api/heartbeat/{long[:5000]}"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(tiny_app_url + path, timeout=30)
        assert refused.value.code == 400
    fine = json.dumps({"data": [], "fn_index": 0, "session_hash": "t" * SESSION_CHARS}).encode()
    assert _post(f"{tiny_app_url}gradio_api/queue/join", fine) != 400  # a token of the longest kind goes on


def test_per_session_records_are_bounded():
    from demo.tickets import Tickets

    tickets = Tickets(sessions=3)
    for i in range(10):
        tickets.take(f"session-{i}")
    assert [tickets.newest(f"session-{i}") for i in range(10)] == [None] * 7 + [8, 9, 10]
