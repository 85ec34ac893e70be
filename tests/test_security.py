"""What a client can and cannot make the server do (README, Security), each through the route it comes in by:
the HTTP API, the viewer's server functions as the page calls them, or the CLI."""

import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

import numpy as np
import pytest
from bad_inputs import photo
from conftest import ROOT
from PIL import Image
from test_cli import run_cli
from test_hardening import DEFAULTS, FIT, VIEW_FIT, _raw_call, _uploaded

from demo.components import NOT_AN_UPLOAD
from demo.config import AppConfig
from demo.events import Events
from demo.workbench import Workbench

EXAMPLE = ROOT / "examples" / "dandelions.jpg"
# Every endpoint that takes a photo, with the rest of its inputs (a raw call sends every input).
PHOTO_APIS = {
    "latent_grid": [None],
    "upscale": [10, 10, *DEFAULTS, *FIT],
    "compare": [48, 32, *DEFAULTS, 10, 10, 16, 2, *VIEW_FIT],
    "profile": [48, 32, *DEFAULTS, 0, 0, 5, 5, ["Luminance"], *VIEW_FIT],
    "sweep": [48, 32, *DEFAULTS, 10, 10, *VIEW_FIT],
    "cell": [48, 32, None, 10, 10, 2, 4, *VIEW_FIT],
    "explain": [48, 32, None, 1, 1, *VIEW_FIT],
    "tile": [2, 0, 0, 64, None, "exact"],
}


def _error_line(stream: str) -> str:
    """The message of a raw call's error event ('' if it did not fail; a streamed call may say more first)."""
    if "event: error" not in stream:
        return ""
    line = stream.split("event: error", 1)[1].strip().splitlines()[0]
    payload = json.loads(line.removeprefix("data:"))
    return payload.get("error") or "" if isinstance(payload, dict) else ""


def _alive(url: str) -> None:
    with urllib.request.urlopen(f"{url}config", timeout=10) as response:
        assert response.status == 200


def _config(url: str) -> dict:
    """The page's config as Gradio serves it (its components, their props)."""
    with urllib.request.urlopen(f"{url}config", timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def secret(tmp_path_factory):
    """A real image that no client uploaded (outside Gradio's upload folder), and its pixels."""
    path = tmp_path_factory.mktemp("server-files") / "secret.png"
    pixels = photo((24, 16))
    Image.fromarray(pixels).save(path)
    return path


@pytest.mark.parametrize("api", sorted(PHOTO_APIS))
def test_no_endpoint_reads_a_photo_named_by_a_server_path(tiny_app_url, secret, api):
    for payload in ({"path": str(secret)}, {"path": str(secret), "meta": {"_type": "other"}}):
        stream = _raw_call(tiny_app_url, api, [payload, *PHOTO_APIS[api]])
        assert _error_line(stream) == NOT_AN_UPLOAD, stream[-300:]
    _alive(tiny_app_url)


def test_every_path_outside_the_uploads_gets_the_same_line(tiny_app_url, secret, tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    elsewhere = [secret, tmp_path, tmp_path / "missing.png", text, "/etc/hostname", "/proc/self/environ", "x" * 5000,
                 f"{secret}\0.png", str(ROOT / "examples" / ".." / "README.md")]  # fmt: skip
    payloads = [{"path": str(p), **meta} for p in elsewhere for meta in ({}, {"meta": {"_type": "gradio.FileData"}})]
    payloads += [{"path": 5, "meta": {"_type": "gradio.FileData"}}, {"path": str(secret), "meta": None},
                 {"path": f"data:image/png;base64,{'A' * 40}", "meta": {"_type": "gradio.FileData"}},
                 {"path": "http://example.invalid/x.png", "meta": {"_type": "gradio.FileData"}},
                 {"url": "http://example.invalid/x.png"}, str(secret), [str(secret)], 7]  # fmt: skip
    answers = {_error_line(_raw_call(tiny_app_url, "latent_grid", [payload, None])) for payload in payloads}
    assert answers == {NOT_AN_UPLOAD}
    _alive(tiny_app_url)


def _example_copies(url: str) -> list[dict]:
    """The example photos as the page offers them: Gradio's copies in its upload folder, named in the config."""
    samples = [c["props"]["samples"] for c in _config(url)["components"] if c.get("type") == "dataset"]
    return [row[0] for rows in samples for row in rows]


def test_uploads_and_the_apps_own_examples_are_read(tiny_app_url, secret):
    examples = _example_copies(tiny_app_url)
    assert any(e["orig_name"] == EXAMPLE.name for e in examples)
    for payload in (_uploaded(secret), *examples):
        stream = _raw_call(tiny_app_url, "latent_grid", [payload, None])
        assert "event: complete" in stream, stream[-300:]
    stream = _raw_call(tiny_app_url, "latent_grid", [{"path": str(EXAMPLE)}, None])  # the install folder's file
    assert _error_line(stream) == NOT_AN_UPLOAD


# --- the viewer's server functions, called as the page calls them -------------------------------------------


def _viewer_id(url: str) -> int:
    return next(c["id"] for c in _config(url)["components"] if c.get("props", {}).get("elem_id") == "deep-zoom")


def _server_call(url: str, fn_name: str, data, body: bytes | None = None, timeout: float = 60):
    """POST /gradio_api/component_server as the page's ``server.<fn_name>(data)`` does; (status, answer)."""
    body = (
        body
        or json.dumps(
            {"data": data, "component_id": _viewer_id(url), "session_hash": "tests", "fn_name": fn_name}
        ).encode()
    )
    request = urllib.request.Request(
        f"{url}gradio_api/component_server", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


@pytest.fixture(scope="module")
def digest(tiny_app_url, secret):
    """A photo the page has opened (so the viewer may name it by its digest), as the page would open it."""
    stream = _raw_call(tiny_app_url, "latent_grid", [_uploaded(secret), None])
    assert "event: complete" in stream
    return Workbench(AppConfig()).picture(secret)[0]


BAD_TILES = [
    ({"col": 10**400}, "Column must be a whole number"),
    ({"col": 1e308}, "Column must be a whole number"),
    ({"zoom": True}, "Zoom must be a number"),
    ({"precision": " "}, "Precision must be one of auto, exact"),
    ({"precision": 5}, "Precision must be one of"),
    ({"model": 123}, "is not offered here"),
    ({"model": ["edsr-baseline-liif"]}, "is not offered here"),
    ({"model": {"a": 1}}, "is not offered here"),
    ({"model": "/etc/passwd"}, "is not offered here"),
    ({"model": "/proc/self/environ"}, "is not offered here"),
    ({"model": "owner/evil-weights"}, "is not offered here"),
    ({"model": "m" * 50_000}, "is not offered here"),
    ({"photo": ["x"]}, "no longer in the cache"),
]


@pytest.mark.parametrize(("change", "message"), BAD_TILES)
def test_a_bad_tile_request_is_one_line_not_a_traceback(tiny_app_url, digest, change, message):
    request = {"photo": digest, "zoom": 2, "col": 0, "row": 0, "size": 64, "page": "p", "id": 1, **change}
    status, answer = _server_call(tiny_app_url, "viewer_tile", request)
    assert status == 200 and set(answer) == {"error"}, answer
    assert message in answer["error"] and "\n" not in answer["error"] and len(answer["error"]) < 200


def test_requests_never_resolve_weights_beyond_the_offered_models(monkeypatch, tmp_path):
    import demo.workbench

    resolved = []
    real = demo.workbench.resolve
    monkeypatch.setattr(demo.workbench, "resolve", lambda name, **kw: resolved.append(name) or real(name, **kw))
    events = Events.over(Workbench(AppConfig()))
    source = tmp_path / "p.png"
    Image.fromarray(photo((24, 16))).save(source)
    key, _ = events.workbench.picture(source)
    offered = events.workbench.available_models()
    before = list(resolved)
    for model in ("/proc/self/environ", "owner/evil-weights", *(f"{ROOT}/liif/bundled/edsr-baseline-liif{'/' * n}"
                                                                 for n in range(1, 4))):  # fmt: skip
        answer = events.deepzoom.viewer_tile({"photo": key, "zoom": 1, "col": 0, "row": 0, "size": 64, "model": model})
        assert "is not offered here" in answer["error"]
    assert resolved == before and set(events.workbench._models) <= set(offered)


@pytest.mark.slow
def test_tile_calls_never_hold_the_servers_threads(tiny_app_url, digest):
    """60 heavy tiles at once (more than the 40 threads of the server's pool): the page, its config and a drop
    still answer at once, calls past the bound are told "busy", and dropping the rest frees the server."""
    requests = [
        {
            "photo": digest,
            "zoom": 32 - i / 8,
            "col": i % 3,
            "row": i // 3 % 2,
            "size": 256,
            "page": f"page-{i % 4}",
            "id": i,
            "method": "liif",
            "precision": "exact",
        }
        for i in range(60)
    ]  # each zoom its own tile: none comes from the tile cache
    with concurrent.futures.ThreadPoolExecutor(60) as pool:
        calls = [pool.submit(_server_call, tiny_app_url, "viewer_tile", r, None, 300) for r in requests]
        while sum(call.done() for call in calls) < 60 - 32:  # those past the bound are told "busy" at once
            time.sleep(0.05)
        _alive(tiny_app_url)
        with urllib.request.urlopen(tiny_app_url, timeout=10) as page:
            assert page.status == 200
        waiting = sum(not call.done() for call in calls)
        for page_id in range(4):
            status, answer = _server_call(
                tiny_app_url, "viewer_drop", {"page": f"page-{page_id}", "tiles": list(range(60))}
            )
            assert status == 200 and answer == {"dropped": 60}
        answers = [call.result(timeout=120) for call in calls]
    assert waiting > 0  # the page and its config answered while tile calls still waited
    kinds = [next(iter(answer)) for status, answer in answers if status == 200]
    assert len(kinds) == 60 and kinds.count("busy") >= 60 - 32 and "error" not in kinds, kinds


def test_drop_calls_keep_only_short_ids(tiny_app_url):
    events = Events.over(Workbench(AppConfig()))
    assert events.deepzoom.viewer_drop({"page": "p", "tiles": ["x" * 65]}) == {"dropped": 0}
    assert events.deepzoom.viewer_drop({"page": "p" * 65, "tiles": [1]}) == {"dropped": 0}
    assert events.deepzoom.viewer_drop({"page": "p", "tiles": list(range(257))}) == {"dropped": 0}
    assert events.deepzoom.viewer_drop({"page": "p", "tiles": [1, "two"]}) == {"dropped": 2}
    assert len(events.deepzoom._dropped) == 2
    status, _ = _server_call(tiny_app_url, "viewer_drop", None, body=b'{"data": "' + b"x" * 100_000 + b'"}')
    assert status == 413  # over 64 KB: refused before it is parsed or kept
    try:  # 50 MB: the server answers 413 and closes without reading it, so the sender may see a broken pipe
        status, _ = _server_call(tiny_app_url, "viewer_drop", None, body=b"x" * (50 << 20))
        assert status == 413
    except urllib.error.URLError:
        pass
    _alive(tiny_app_url)


# --- values Gradio itself cannot decode ----------------------------------------------------------------------


@pytest.mark.parametrize("api", ["upscale", "compare", "profile", "sweep"])
def test_a_null_precision_means_the_default(tiny_app_url, secret, api):
    values = list(PHOTO_APIS[api])
    values[3] = None  # width, height, model, precision, ...
    stream = _raw_call(tiny_app_url, api, [_uploaded(secret), *values])
    assert "event: complete" in stream, stream[-300:]


def test_an_input_gradio_cannot_decode_gets_one_line(tiny_app_url, secret):
    stream = _raw_call(tiny_app_url, "upscale", [_uploaded(secret), 10, 10, None, "exact", ["standard"], *FIT])
    message = _error_line(stream)
    assert message and "\n" not in message and len(message) < 200, stream[-300:]
    stream = _raw_call(tiny_app_url, "upscale", [_uploaded(secret), 10, 10, None, "fast", "standard", *FIT])
    assert _error_line(stream) == "Precision must be one of auto, exact; got 'fast'."


def test_the_picture_of_a_refused_photo_never_comes_back(tiny_app_url, secret):
    stream = _raw_call(tiny_app_url, "latent_grid", [{"path": str(secret)}, None])
    assert "event: complete" not in stream and np.asarray(Image.open(secret)).size > 0


# --- the CLI: one line for every bad argument, nothing left behind on a full or read-only disk ----------------

ALONE_MOUNTS = shutil.which("unshare") and os.geteuid() == 0  # a private tmpfs per test needs root


def _on_small_disk(tmp_path, command: str, options: str = "size=64k") -> subprocess.CompletedProcess:
    """``command`` with ``$DISK`` a fresh tmpfs (mounted with ``options``) in a mount namespace of its own; it
    prints what is left on the disk afterwards after a line '--- left:'."""
    disk = tmp_path / "disk"
    disk.mkdir()
    script = f'mount -t tmpfs -o {options} tmpfs "$DISK" && {command}; status=$?; echo "--- left:"; ls -A "$DISK"; '
    script += "exit $status"
    env = {**os.environ, "DISK": str(disk), "PYTHONPATH": str(ROOT)}
    return subprocess.run(["unshare", "-m", "sh", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)  # fmt: skip


@pytest.mark.slow
@pytest.mark.skipif(not ALONE_MOUNTS, reason="needs root and unshare for a private tmpfs")
@pytest.mark.parametrize("suffix", [".npy", ".png"])
def test_a_full_disk_is_one_line_and_leaves_no_partial_file(tmp_path, suffix):
    source = tmp_path / "in.png"
    Image.fromarray(photo((24, 16))).save(source)
    done = _on_small_disk(tmp_path, f'{sys.executable} -m liif upscale {source} -o "$DISK/out{suffix}" --size 480x320')
    errors = [line for line in done.stderr.strip().splitlines() if not line.startswith("liif: note:")]
    assert done.returncode == 2 and len(errors) == 1 and "No space left on device" in errors[0], done.stderr
    assert done.stdout.split("--- left:")[1].strip() == "", done.stdout  # no output, no partial file


@pytest.mark.skipif(not ALONE_MOUNTS, reason="needs root and unshare for a private tmpfs")
@pytest.mark.parametrize(
    "command",
    [
        'upscale {source} -o "$DISK/out.png" --scale 2',
        'upscale {source} {source} -o "$DISK/batch" --scale 2',
        'eval --images {folder} --scales 2 --plot "$DISK/gain.png"',
        'weights export edsr-baseline-liif --out "$DISK/hub"',
    ],
)
@pytest.mark.slow
def test_a_read_only_folder_is_refused_before_any_work(tmp_path, command):
    source = tmp_path / "in" / "in.png"
    source.parent.mkdir()
    Image.fromarray(photo((96, 96))).save(source)
    line = command.format(source=source, folder=source.parent)
    done = _on_small_disk(tmp_path, f"{sys.executable} -m liif {line}", options="ro")
    assert done.returncode == 2 and "read-only file system" in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1  # one line, before any work: no progress bar, no note


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["weights", "fetch", "/etc/passwd"], "not a readable PyTorch checkpoint"),
        (["upscale", "{source}", "-o", "{out}", "--scale", "2", "--model", "/etc/passwd"], "not a readable PyTorch"),
        (["upscale", "{source}", "-o", "{out}", "--scale", "2", "--model", "m" * 5000], "neither a model name"),
        (["weights", "fetch", "m" * 5000], "neither a model name"),
        (["upscale", "{source}", "-o", "{out}", "--scale", "1e308"], "gives a side over 65535"),
        (["upscale", "{source}", "-o", "{out}", "--scale", "1e200"], "gives a side over 65535"),
    ],
)
def test_cli_arguments_at_the_edges_are_one_short_line(tmp_path, args, message):
    source, out = tmp_path / "in.png", tmp_path / "out.png"
    Image.fromarray(photo((24, 16))).save(source)
    done = run_cli(*(a.format(source=source, out=out) for a in args))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and message in lines[0] and len(lines[0]) < 300, done.stderr
    assert not out.exists()


# --- what a photo's bytes can do ----------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "high"), [("wide-int", 1_000_000), ("hdr-float", 4)])
def test_values_past_8_and_16_bits_keep_their_shades(tmp_path, kind, high):
    from bad_inputs import make

    import liif

    picture = liif.load_picture(make(kind, tmp_path))
    ramp = picture.rgb[0].flatten().numpy()  # the file holds a ramp from 0 to ``high``
    assert ramp[0] == 0 and ramp[-1] == 1 and abs(ramp[len(ramp) // 2] - 0.5) < 0.01  # not all white, nor /255
    assert f"0 to {high:g}" in picture.notes[0]


def test_a_non_finite_float_image_is_refused(tmp_path):
    import liif

    values = np.ones((8, 8), dtype=np.float32)
    values[3, 3] = np.nan
    Image.fromarray(values, "F").save(tmp_path / "nan.tiff")
    with pytest.raises(liif.LiifError, match="not finite"):
        liif.load_picture(tmp_path / "nan.tiff")


def test_app_errors_about_the_photo_start_the_same_way(tiny_app_url, tmp_path):
    from bad_inputs import make

    for kind in ("not-an-image", "truncated-png", "short-png"):
        message = _error_line(_raw_call(tiny_app_url, "latent_grid", [_uploaded(make(kind, tmp_path)), None]))
        assert message.startswith("The photo: "), message


def test_best_quality_takes_photos_only_up_to_its_grid_budget(tiny_app_url, tmp_path):
    big = tmp_path / "big.png"
    Image.fromarray(photo((800, 700))).save(big)  # 0.56 MP: 8 grids would be 1.1 GB, over the 1 GB budget
    values = list(PHOTO_APIS["compare"])
    values[4] = "liif+"
    message = _error_line(_raw_call(tiny_app_url, "compare", [_uploaded(big), *values]))
    assert message.startswith("LIIF+ takes photos up to 0.52 MP here") and "0.56 MP" in message, message
    assert AppConfig().max_best_input_pixels * 8 * 64 * 4 <= AppConfig().grid_cache_bytes


def test_a_zoom_of_true_and_a_cell_study_on_a_thin_photo_are_refused_in_words(tiny_app_url, tmp_path):
    thin = tmp_path / "thin.png"
    Image.fromarray(photo((400, 1))).save(thin)
    values = list(PHOTO_APIS["compare"])
    values[-2] = True  # zoom
    assert "Zoom must be a number from 0.015625 to 16, got True." in _error_line(
        _raw_call(tiny_app_url, "compare", [_uploaded(thin), *values])
    )
    message = _error_line(_raw_call(tiny_app_url, "cell", [_uploaded(thin), 800, 2, None, 10, 1, 12, 4, *VIEW_FIT]))
    assert message == "The cell study shrinks the photo by ×12: this 400×1 photo needs at least 12 px on each side."


FULL_CACHE_SCRIPT = """
import base64, json, os, sys
from pathlib import Path
sys.path.insert(0, "tests")
from test_hardening import DEFAULTS, FIT, _raw_call, _uploaded
from demo.config import AppConfig
from demo.page.shell import build, launch_options
app = build(AppConfig())
app.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True, **launch_options(AppConfig()))
photo = _uploaded(Path(sys.argv[1]))  # uploaded while there is room
filler = Path(os.environ["DISK"]) / "filler"
with filler.open("wb") as out:  # then the disk fills up
    try:
        while True:
            out.write(bytes(1 << 20))
            out.flush()
    except OSError:
        pass
calls = {"upscale": [48, 32, *DEFAULTS, *FIT], "tile": [2, 0, 0, 64, None, "exact"],
         "profile": [48, 32, *DEFAULTS, 0, 0, 40, 30, ["Luminance"], "stretch"],
         "compare": [48, 32, *DEFAULTS, 24, 16, 16, 2, "stretch"], "sweep": [48, 32, *DEFAULTS, 24, 16, "stretch"],
         "explain": [48, 32, None, 24, 16, "stretch"]}
answers = {api: _raw_call(app.local_url, api, [photo, *values]) for api, values in calls.items()}
inline = {"url": "data:image/png;base64," + base64.b64encode(Path(sys.argv[1]).read_bytes()).decode(),
          "meta": {"_type": "gradio.FileData"}}
answers["inline"] = _raw_call(app.local_url, "upscale", [inline, 48, 32, *DEFAULTS, *FIT])
print("ANSWERS", json.dumps(answers))
app.close()
"""


@pytest.mark.slow
@pytest.mark.skipif(not ALONE_MOUNTS, reason="needs root and unshare for a private tmpfs")
def test_a_full_cache_disk_is_one_line_without_the_servers_paths(tmp_path):
    source = tmp_path / "p.png"
    Image.fromarray(photo((24, 16))).save(source)
    script = tmp_path / "full_cache.py"
    script.write_text(FULL_CACHE_SCRIPT)
    done = _on_small_disk(tmp_path, f'GRADIO_TEMP_DIR="$DISK" {sys.executable} {script} {source}', "size=8m")
    assert done.returncode == 0, done.stderr[-2000:]
    answers = json.loads(done.stdout.split("ANSWERS", 1)[1].splitlines()[0])
    for api, stream in answers.items():
        message = _error_line(stream)
        said = "could not keep the photo" if api == "inline" else "could not save the result"
        assert said in message and str(tmp_path) not in message and "\n" not in message, (api, message)
