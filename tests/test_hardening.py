"""Every class of awkward input, through the CLI and through the app's API: a clear line or a right answer."""

import base64
import concurrent.futures
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from bad_inputs import make, photo
from conftest import ROOT
from PIL import Image
from test_cli import run_cli

REFUSED = {
    "not-an-image": "not an image",
    "truncated-jpeg": "corrupt or truncated",
    "truncated-png": "corrupt or truncated",
    "corrupt-png": "corrupt or truncated",
    "corrupt-jpeg": "not an image",
    "bomb": "decompression bomb",
    "short-png": "corrupt or truncated",
}
# kind -> (output mode, note the user gets, output size for --scale 2)
ACCEPTED = {
    "sixteen-bit": ("L", None, (48, 32)),
    "float": ("L", None, (48, 32)),
    "wide-int": ("L", "scaled to 0-1 by that range", (48, 32)),
    "hdr-float": ("L", "scaled to 0-1 by that range", (48, 32)),
    "cmyk": ("RGB", None, (48, 32)),
    "palette": ("RGB", None, (48, 32)),
    "alpha": ("RGBA", None, (48, 32)),
    "grayscale": ("L", None, (48, 32)),
    "exif-rotated": ("RGB", None, (32, 48)),
    "animated-gif": ("RGB", "only its first frame is used", (48, 32)),
    "one-pixel": ("RGB", None, (2, 2)),
    "two-pixels": ("RGB", None, (4, 4)),
}


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_cli_refuses_bad_files_with_one_line(tmp_path, kind):
    out = tmp_path / "out.png"
    done = run_cli("upscale", make(kind, tmp_path), "-o", out, "--scale", "2")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and REFUSED[kind] in done.stderr
    assert not out.exists() and not list(tmp_path.glob(".*partial*"))


@pytest.mark.parametrize("kind", sorted(ACCEPTED))
def test_cli_handles_odd_modes_and_sizes(tmp_path, kind):
    mode, note, size = ACCEPTED[kind]
    out = tmp_path / "out.png"
    done = run_cli("upscale", make(kind, tmp_path), "-o", out, "--scale", "2")
    assert done.returncode == 0, done.stderr
    with Image.open(out) as img:
        assert (img.mode, img.size) == (mode, size)
        if kind == "alpha":  # the alpha ramp is upscaled too, not dropped or flattened
            alpha = np.asarray(img)[..., 3]
            assert alpha[:, 0].mean() < 30 and alpha[:, -1].mean() > 225
    said = [line for line in done.stderr.splitlines() if "This photo is" not in line]  # auto's choice, said apart
    if note:
        assert note in done.stderr
    else:
        assert said == []


def test_alpha_is_dropped_with_a_note_for_jpeg(tmp_path):
    done = run_cli("upscale", make("alpha", tmp_path), "-o", tmp_path / "out.jpg", "--scale", "2")
    assert done.returncode == 0 and "transparency is dropped" in done.stderr


def test_an_output_over_the_limit_is_refused_before_work(tmp_path, monkeypatch):
    monkeypatch.setenv("LIIF_MAX_OUTPUT_PIXELS", "1000")
    source = make("grayscale", tmp_path)
    done = run_cli("upscale", source, "-o", tmp_path / "out.png", "--scale", "3")
    assert done.returncode == 2 and "over the limit of 0.001 MP" in done.stderr


# --- the app's API ----------------------------------------------------------------------------------------


def _upscale(client, path, width=48, height=32):
    from gradio_client import handle_file

    return client.predict(image=handle_file(str(path)), width=width, height=height, api_name="/upscale")


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_app_refuses_bad_files_with_a_readable_error(client, tmp_path, kind):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as info:
        _upscale(client, make(kind, tmp_path))
    assert REFUSED[kind] in str(info.value) and "upstream Gradio app has raised" not in str(info.value)


@pytest.mark.parametrize("kind", sorted(ACCEPTED))
def test_app_handles_odd_modes_and_sizes(client, tmp_path, kind):
    mode, note, size = ACCEPTED[kind]
    out, status = _upscale(client, make(kind, tmp_path), *size)
    with Image.open(out) as img:
        assert (img.mode, img.size) == (mode, size)
    if note:
        assert note in status


@pytest.mark.parametrize(
    ("width", "height", "message"),
    [(0, 10, "Width .px.: Value 0 is less than minimum value 1"), (-5, 10, "less than minimum"),
     ("abc", 10, "is not a number"), (10, "1e", "is not a number"), (100000, 100000, "over"),
     (2000, 1500, "over the limit"), (None, 10, "must be numbers")],
)  # fmt: skip
def test_app_refuses_bad_sizes(client, tmp_path, width, height, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=message):
        _upscale(client, make("grayscale", tmp_path), width, height)


def test_app_rounds_a_fractional_size_to_whole_pixels(client, tmp_path):
    out, _ = _upscale(client, make("grayscale", tmp_path), 10.4, 12)
    with Image.open(out) as img:
        assert img.size == (10, 12)


def test_app_refuses_an_input_over_its_pixel_limit(client, tmp_path):
    from gradio_client.exceptions import AppError

    big = tmp_path / "big.png"
    Image.new("RGB", (2500, 2000)).save(big)  # 5 MP, over the app's 4 MP input limit; small as a file
    with pytest.raises(AppError, match="over the input limit"):
        _upscale(client, big, 10, 10)


def test_app_refuses_an_upload_over_the_size_limit(client, tmp_path):
    big = tmp_path / "noise.png"
    Image.fromarray(photo((1100, 1000))).save(big)  # about 3.3 MB of noise; the test app allows 2 MB
    assert big.stat().st_size > 2 * 1024 * 1024
    with pytest.raises(ValueError, match="exceeds the maximum file size"):
        _upscale(client, big, 10, 10)


DEFAULTS = [None, "exact", "standard"]  # model, precision, quality: a raw call sends every input
FIT = ["stretch", "#000000", None]  # /upscale's fit, pad and dpi, after them
VIEW_FIT = ["stretch"]  # the views' fit, after all their other inputs


def _raw_call(url, api, data):
    """An API call as raw JSON (values gradio_client would not send: NaN, inline images); the event stream."""
    request = urllib.request.Request(
        f"{url}gradio_api/call/{api}",
        data=json.dumps({"data": data}).encode(),  # json writes NaN and Infinity as JavaScript does
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        event_id = json.loads(response.read())["event_id"]
    with urllib.request.urlopen(f"{url}gradio_api/call/{api}/{event_id}", timeout=120) as response:
        return response.read().decode()


def _uploaded(path):
    """A photo as a raw call refers to an upload: by its path inside Gradio's upload folder."""
    from gradio.utils import get_upload_folder

    copy = Path(get_upload_folder()) / "liif-tests" / path.name
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(path.read_bytes())
    return {"path": str(copy), "meta": {"_type": "gradio.FileData"}}


def test_the_api_never_reads_a_server_path(tiny_app_url):
    server_file = {"path": "/etc/hostname", "meta": {"_type": "gradio.FileData"}}
    stream = _raw_call(tiny_app_url, "upscale", [server_file, 10, 10, *DEFAULTS, *FIT])
    assert "event: error" in stream and "complete" not in stream


def test_an_inline_photo_gets_the_same_upload_limit_before_it_is_decoded(tmp_path):
    from gradio.data_classes import ImageData

    from demo.components import INLINE, PhotoInput, upload_limit

    INLINE.set([])  # what GuardedBlocks.process_api sets for each call, to remove the saved photos when it ends
    component = PhotoInput(type="filepath", image_mode=None, format="png")
    component.max_bytes = upload_limit("2mb")
    big = tmp_path / "noise.png"
    Image.fromarray(photo((1100, 1000))).save(big)  # about 3.3 MB
    inline = "data:image/png;base64," + base64.b64encode(big.read_bytes()).decode()
    with pytest.raises(gr.Error, match="over the upload limit of 2 MB"):
        component.preprocess(ImageData(url=inline))
    small = tmp_path / "small.png"
    Image.fromarray(photo((24, 16))).save(small)
    saved = component.preprocess(
        ImageData(url="data:image/png;base64," + base64.b64encode(small.read_bytes()).decode())
    )
    assert Path(saved).read_bytes() == small.read_bytes()  # kept as sent: decoded later, under the pixel limit
    assert INLINE.get() == [Path(saved).parent]  # listed for removal when the call ends
    with pytest.raises(gr.Error, match="not valid base64"):
        component.preprocess(ImageData(url="data:image/png;base64,@@@@"))


@pytest.mark.parametrize(
    ("api", "values", "message"),
    [
        ("upscale", [float("nan"), 10, *DEFAULTS, *FIT], "Width (px): nan is not a number"),
        ("upscale", [float("inf"), 10, *DEFAULTS, *FIT], "Width (px): inf is not a number"),
        ("upscale", [1e20, 10, *DEFAULTS, *FIT], "over"),
        ("compare", [48, 32, *DEFAULTS, float("nan"), 10, 64, 2, *VIEW_FIT], "Crop centre x: nan is not a finite"),
        ("compare", [48, 32, *DEFAULTS, 1e308, 10, 64, 2, *VIEW_FIT], "Crop centre x must be a number from 0 to 48"),
        ("compare", [48, 32, *DEFAULTS, 10, 10, 64, float("nan"), *VIEW_FIT], "Zoom"),
        (
            "profile",
            [48, 32, *DEFAULTS, 0, float("-inf"), 5, 5, ["Luminance"], *VIEW_FIT],
            "Start y: -inf is not a finite",
        ),
        ("sweep", [48, 32, *DEFAULTS, float("inf"), 5, *VIEW_FIT], "Crop centre x: inf is not a finite"),
        ("tile", [float("nan"), 0, 0, 256, "edsr-baseline-liif", "exact"], "Zoom: nan is not a finite"),
        (
            "cell",
            [48, 32, "edsr-baseline-liif", 10, 10, 2, float("nan"), *VIEW_FIT],
            "pretended scale must be a number from 1",
        ),
    ],
)
def test_numbers_at_the_edges_get_one_clear_line(tiny_app_url, tmp_path, api, values, message):
    source = tmp_path / "p.png"
    Image.fromarray(photo((24, 16))).save(source)
    stream = _raw_call(tiny_app_url, api, [_uploaded(source), *values])
    assert "event: error" in stream and message in stream, stream[-300:]


@pytest.mark.slow
def test_a_crop_is_answered_while_a_long_render_runs(app_url, tmp_path):
    from gradio_client import Client, handle_file

    source = tmp_path / "p.png"
    Image.fromarray(photo((48, 32))).save(source)
    long_render = Client(app_url, verbose=False).submit(
        image=handle_file(str(source)), width=720, height=480, api_name="/upscale"
    )  # several seconds on 2 cores
    time.sleep(1.0)
    crop = Client(app_url, verbose=False).predict(
        image=handle_file(str(source)), width=96, height=64, centre_x=48, centre_y=32, crop=16, zoom=2,
        api_name="/compare",
    )  # fmt: skip
    assert crop[2].startswith("Crop 32×32")
    assert not long_render.done(), "the crop should not have waited for the whole render"
    long_render.result(timeout=120)


@pytest.mark.slow
def test_eight_concurrent_clients_all_get_answers(tiny_app_url, tmp_path):
    from gradio_client import Client, handle_file

    source = make("palette", tmp_path)

    def one(i):
        client = Client(tiny_app_url, verbose=False)
        out, _ = client.predict(image=handle_file(str(source)), width=30 + i, height=20, api_name="/upscale")
        with Image.open(out) as img:
            return img.size

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        sizes = list(pool.map(one, range(8)))
    assert sizes == [(30 + i, 20) for i in range(8)]


@pytest.mark.slow
def test_a_full_queue_answers_busy_clearly(tmp_path):
    from gradio_client import Client, handle_file

    from demo.config import AppConfig
    from demo.page.shell import build

    app = build(AppConfig(queue_size=1))
    _, url, _ = app.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)
    source = make("palette", tmp_path)

    def one(i):
        try:
            Client(url, verbose=False).predict(image=handle_file(str(source)), width=300 + i, height=200,
                                               api_name="/upscale")  # fmt: skip
            return "answered"
        except Exception as exc:
            return str(exc)

    try:
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            outcomes = list(pool.map(one, range(6)))
    finally:
        app.close()
    assert "answered" in outcomes
    busy = [o for o in outcomes if o != "answered"]
    assert busy and all("Queue is full" in o for o in busy)


# --- the CLI, second pass: files destroyed or left behind, names, signals, links ---------------------------


def test_an_output_never_overwrites_its_input_unless_asked(tmp_path):
    source = make("grayscale", tmp_path)  # 24x16
    before = source.read_bytes()
    done = run_cli("upscale", source, "-o", source, "--scale", "0.5")
    assert done.returncode == 2 and "would overwrite the input" in done.stderr and "--overwrite" in done.stderr
    assert source.read_bytes() == before
    folder = source.parent
    done = run_cli("upscale", folder, "-o", folder, "--scale", "0.5")
    assert done.returncode == 2 and "would overwrite the input" in done.stderr
    assert source.read_bytes() == before
    assert run_cli("upscale", source, "-o", source, "--scale", "0.5", "--overwrite").returncode == 0
    with Image.open(source) as img:
        assert img.size == (12, 8)


def test_long_output_names_work_and_refused_ones_are_one_line(tmp_path):
    source = make("grayscale", tmp_path)
    longest = tmp_path / ("x" * 251 + ".png")  # 255 bytes: the longest legal name
    done = run_cli("upscale", source, "-o", longest, "--scale", "2")
    assert done.returncode == 0, done.stderr
    assert longest.exists()
    too_long = tmp_path / ("y" * 300 + ".png")
    done = run_cli("upscale", source, "-o", too_long, "--scale", "2")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1 and "cannot write" in done.stderr
    assert not list(tmp_path.glob(".*partial*"))


@pytest.mark.slow
def test_sigterm_during_a_render_leaves_no_partial_file(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from conftest import ROOT

    source = make("grayscale", tmp_path)
    out = tmp_path / "big.npy"
    proc = subprocess.Popen(
        [sys.executable, "-m", "liif", "upscale", str(source), "-o", str(out), "--size", "3000x2000"],
        cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".*partial*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(tmp_path.glob(".*partial*")), "the render never started writing"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err
    assert not out.exists() and not list(tmp_path.glob(".*partial*"))


def test_broken_links_are_reported_and_the_batch_goes_on(tmp_path):
    good = make("grayscale", tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.png").write_bytes(good.read_bytes())
    (folder / "gone.png").symlink_to(tmp_path / "nowhere.png")
    named = tmp_path / "named.png"
    named.symlink_to(tmp_path / "also-nowhere.png")
    out = tmp_path / "out"
    done = run_cli("upscale", folder, named, "-o", out, "--scale", "2")
    assert done.returncode == 2
    assert "gone.png: a broken link" in done.stderr and "named.png: a broken link" in done.stderr
    assert "2 of 3 images failed" in done.stderr
    assert (out / "good.png").exists()


def test_eval_skips_a_flat_image_and_checks_the_plot_folder_first(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.new("RGB", (96, 96), (90, 120, 60)).save(photos / "flat.png")
    Image.fromarray(photo((96, 96))).save(photos / "noise.png")
    done = run_cli("eval", "--images", photos, "--scales", "2", "--format", "tsv")
    assert done.returncode == 0, done.stderr
    assert "skipped flat.png x2: flat" in done.stderr and "inf" not in done.stdout
    done = run_cli("eval", "--images", photos, "--scales", "2", "--plot", tmp_path / "nodir" / "gain.png")
    assert done.returncode == 2 and "does not exist" in done.stderr and done.stdout == ""


def test_weights_fetch_checks_a_path_is_a_checkpoint(tmp_path):
    text = tmp_path / "notes.pth"
    text.write_text("not weights")
    done = run_cli("weights", "fetch", text)
    assert done.returncode == 2 and "not a readable PyTorch checkpoint" in done.stderr and done.stdout == ""


MEMORY_SCRIPT = """
import sys
from pathlib import Path
from demo.memory import keep_large_blocks_mapped

def resident_mb():
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20

if sys.argv[1] == "fixed" and not keep_large_blocks_mapped():
    sys.exit(3)
big = bytearray(b"x") * (16 << 20)
del big  # glibc raises its mmap threshold past a freed 16 MB block: later big buffers come from the heap
before = resident_mb()
blocks, small = [], []
for _ in range(30):  # 30 decoded 8 MB photos, with small objects allocated between them
    blocks.append(bytearray(b"x") * (8 << 20))
    small.append(bytearray(200_000))
del blocks
print(round(resident_mb() - before))
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads Linux's /proc")
def test_big_buffers_go_back_to_the_system_once_freed():
    def held(mode):
        run = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, mode], cwd=ROOT, capture_output=True, text=True)
        if run.returncode == 3:
            pytest.skip("no glibc here: nothing to set")
        assert run.returncode == 0, run.stderr
        return int(run.stdout)

    assert held("default") > 150  # the problem: 240 MB of freed buffers stay with the process
    assert held("fixed") < 50  # with the app's setting (demo/memory.py) they are returned at once


def test_an_inline_photo_sent_over_http_gets_the_upload_limit(tiny_app_url, tmp_path):
    """The raw API accepts an image as a data: URL; the app's 2 MB test limit applies to it before decoding."""
    big, small = tmp_path / "big.png", tmp_path / "small.png"
    Image.fromarray(photo((1100, 1000))).save(big)  # about 3.3 MB
    Image.fromarray(photo((24, 16))).save(small)

    def inline(path):
        url = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()
        return {"url": url, "meta": {"_type": "gradio.FileData"}}

    refused = _raw_call(tiny_app_url, "upscale", [inline(big), 10, 10, *DEFAULTS, *FIT])
    assert "event: error" in refused and "over the upload limit of 2 MB" in refused
    answered = _raw_call(tiny_app_url, "upscale", [inline(small), 30, 20, *DEFAULTS, *FIT])
    assert "event: complete" in answered and "_30x20.png" in answered
