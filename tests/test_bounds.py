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
        ("upscale", [48, 32, None, "exact", "standard", LONG, "#000000", None], "Fit"),
        ("upscale", [48, 32, None, LONG, "standard", "stretch", "#000000", None], "Precision"),
        ("upscale", [48, 32, None, "exact", LONG, "stretch", "#000000", None], "Sharpness"),
        ("upscale", [48, 32, LONG, "exact", "standard", "stretch", "#000000", None], "Model"),
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


@pytest.mark.slow
def test_a_render_whose_client_went_away_stops_within_seconds(app_url, tmp_path, monkeypatch):
    """Five renders whose clients had gone once ran to the end (45 s of a core, a PNG nobody fetched): the API's
    Upscale now streams its progress, and Gradio ends it at the next step once the stream is closed."""
    import time
    import urllib.request

    from test_hardening import _uploaded

    import liif.pipeline.run as pipeline_run

    bands, real_rows = [], pipeline_run.iter_rows

    def counted(*args, **kwargs):
        for band in real_rows(*args, **kwargs):
            bands.append(time.monotonic())
            yield band

    monkeypatch.setattr(pipeline_run, "iter_rows", counted)
    source = tmp_path / "p.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (100, 140, 3), np.uint8)).save(source)
    data = [_uploaded(source), 1400, 1000, "edsr-baseline-liif", "exact", "standard", "stretch", "#000000", None]
    request = urllib.request.Request(f"{app_url}gradio_api/call/upscale", data=json.dumps({"data": data}).encode(),
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        event_id = json.loads(response.read())["event_id"]
    stream = urllib.request.urlopen(f"{app_url}gradio_api/call/upscale/{event_id}", timeout=60)
    deadline = time.monotonic() + 60
    while len(bands) < 3 and time.monotonic() < deadline:  # the render is running
        stream.read1(1024)
    stream.close()  # the client goes away
    gone = time.monotonic()
    time.sleep(10)
    late = [t for t in bands if t > gone + 4]
    assert len(bands) >= 3 and late == [], f"{len(late)} bands rendered more than 4 s after the client left"


def test_an_out_of_range_colour_is_clipped_on_the_live_canvas_too(tmp_path):
    from demo.config import AppConfig
    from demo.events import Events
    from demo.events.live import Live
    from demo.workbench import Workbench
    from liif.pipeline.layout import pad_colour

    wild = "hsl(99999,999%,999%)"  # Pillow reads it as (-4322, 25449, -20353)
    assert pad_colour(wild) == (0.0, 1.0, 0.0)
    source = tmp_path / "wide.png"
    Image.fromarray(np.full((10, 40, 3), 120, np.uint8)).save(source)
    events = Events.over(Workbench(AppConfig()))
    live = Live()
    live.preview(events.context.request(str(source), 40, 40, None, "exact", "standard", "fit", wild))
    assert live.canvas[0, 0].tolist() == [0, 255, 0]  # a margin, in the clipped colour (it wrapped to garbage)


def test_a_click_with_no_data_or_an_infinite_layout_moves_nothing():
    from demo.components import ViewerClick
    from demo.events.photo import from_page
    from demo.page.result import viewer_point

    layout = {"width": 100, "height": 50, "render": [100, 50], "box": [0, 0, 100, 50], "at": [0, 0]}
    assert viewer_point([0.5, 0.5], layout) == (50.5, 25.5)
    for data in (None, "x", 42, {"value": 1}):
        assert viewer_point(ViewerClick(None, data).index, layout) is None
    for width in (float("inf"), 1e400, float("nan"), -1):
        assert (
            from_page({**layout, "width": width}) is None
            and viewer_point([0.5, 0.5], {**layout, "width": width}) is None
        )


def test_an_example_photo_named_by_its_install_path_is_refused_as_any_other_path(tmp_path):
    import gradio as gr

    from demo.components import NOT_AN_UPLOAD, PhotoInput

    component = PhotoInput(type="filepath")
    meta = {"_type": "gradio.FileData"}
    for path in (ROOT / "examples" / "dandelions.jpg", ROOT / "examples" / "no-such.jpg", tmp_path / "x.png"):
        with pytest.raises(gr.Error, match=NOT_AN_UPLOAD.split(":")[0]):
            component.check_payload({"path": str(path), "meta": meta})


@pytest.mark.slow
def test_a_refused_inline_photo_leaves_nothing_behind(tiny_app_url):
    import base64

    from gradio.utils import get_upload_folder
    from test_hardening import DEFAULTS, FIT, _raw_call

    inline = get_upload_folder()
    folder = Path(inline) / "liif-inline"
    before = set(folder.iterdir()) if folder.is_dir() else set()
    data = {"url": "data:image/png;base64," + base64.b64encode(b"not a png at all").decode(),
            "meta": {"_type": "gradio.FileData"}}  # fmt: skip
    stream = _raw_call(tiny_app_url, "upscale", [data, 10, 10, *DEFAULTS, *FIT])
    assert "event: error" in stream
    after = set(folder.iterdir()) if folder.is_dir() else set()
    assert after <= before  # removed when the call ended, not an hour later


def test_a_decoder_outside_the_photo_formats_is_never_tried():
    from liif.errors import ImageError
    from liif.io.images import load_picture

    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n"  # Pillow would hand it to Ghostscript
    with pytest.raises(ImageError, match="not an image"):
        load_picture(eps)


def test_an_animations_declared_frame_count_is_not_quoted(tmp_path):
    import io
    import struct
    import zlib

    from liif.io.images import load_picture

    out = io.BytesIO()
    frames = [Image.new("RGB", (8, 8), c) for c in ("red", "blue")]
    frames[0].save(out, format="PNG", save_all=True, append_images=frames[1:])
    data = bytearray(out.getvalue())
    at = data.index(b"acTL")
    data[at + 4 : at + 8] = struct.pack(">I", 2_147_483_647)  # the frame count a file may claim
    data[at + 12 : at + 16] = struct.pack(">I", zlib.crc32(bytes(data[at : at + 12])))
    picture = load_picture(bytes(data))
    assert any("animation: only its first frame" in n for n in picture.notes)
    assert not any("2147483647" in n for n in picture.notes)


def test_the_input_limit_says_by_how_much(tmp_path):
    from liif.errors import ImageError
    from liif.io.images import load_picture

    source = tmp_path / "big.png"
    Image.new("L", (2001, 2000)).save(source)
    with pytest.raises(ImageError, match=r"2001x2000 is 4\.002 MP, over the input limit of 4\.000 MP"):
        load_picture(source, max_pixels=4_000_000)


@pytest.mark.slow
def test_the_cli_names_special_files_degenerate_scales_and_dropped_transparency(tmp_path):
    import os

    from test_cli import run_cli

    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    for special in (fifo, Path("/dev/zero")):
        done = run_cli("upscale", special, "-o", tmp_path / "o.png", "--scale", "2")
        assert done.returncode == 2 and "not a regular file" in done.stderr
    photo = tmp_path / "p.png"
    Image.fromarray(np.full((16, 24, 3), 90, np.uint8)).save(photo)
    done = run_cli("upscale", photo, "-o", tmp_path / "o.png", "--scale", "1e-300")
    assert done.returncode == 2 and "gives a side under one pixel" in done.stderr
    assert not (tmp_path / "o.png").exists()
    done = run_cli("upscale", photo, "-o", tmp_path / "o.npy", "--size", "40x40", "--fit", "fit", "--pad",
                   "transparent", "--photo", "clean")  # fmt: skip
    assert done.returncode == 0 and "NPY holds RGB only, transparency is dropped" in done.stderr
