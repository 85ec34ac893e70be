"""Every class of awkward input, through the CLI and through the app's API: a clear line or a right answer."""

import concurrent.futures
import json
import urllib.request

import numpy as np
import pytest
from bad_inputs import make, photo
from PIL import Image
from test_cli import run_cli

REFUSED = {
    "not-an-image": "not an image",
    "truncated-jpeg": "corrupt or truncated",
    "truncated-png": "corrupt or truncated",
    "corrupt-png": "corrupt or truncated",
    "corrupt-jpeg": "not an image",
    "bomb": "decompression bomb",
}
# kind -> (output mode, note the user gets, output size for --scale 2)
ACCEPTED = {
    "sixteen-bit": ("L", None, (48, 32)),
    "float": ("L", None, (48, 32)),
    "cmyk": ("RGB", None, (48, 32)),
    "palette": ("RGB", None, (48, 32)),
    "alpha": ("RGBA", None, (48, 32)),
    "grayscale": ("L", None, (48, 32)),
    "exif-rotated": ("RGB", None, (32, 48)),
    "animated-gif": ("RGB", "only the first is used", (48, 32)),
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
    if note:
        assert note in done.stderr
    else:
        assert done.stderr == ""


def test_alpha_is_dropped_with_a_note_for_jpeg(tmp_path):
    done = run_cli("upscale", make("alpha", tmp_path), "-o", tmp_path / "out.jpg", "--scale", "2")
    assert done.returncode == 0 and "transparency is dropped" in done.stderr


def test_an_output_over_the_limit_is_refused_before_work(tmp_path, monkeypatch):
    monkeypatch.setenv("LIIF_MAX_OUTPUT_PIXELS", "1000")
    source = make("grayscale", tmp_path)
    done = run_cli("upscale", source, "-o", tmp_path / "out.png", "--scale", "3")
    assert done.returncode == 2 and "over the limit of 0.0 MP" in done.stderr


# --- the app's API ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(app_url):
    from gradio_client import Client

    return Client(app_url, verbose=False)


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


def test_the_api_never_reads_a_server_path(app_url):
    payload = {"data": [{"path": "/etc/hostname", "meta": {"_type": "gradio.FileData"}}, 10, 10, None, "exact (fp32)"]}
    request = urllib.request.Request(
        f"{app_url}gradio_api/call/upscale",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        event_id = json.loads(response.read())["event_id"]
    with urllib.request.urlopen(f"{app_url}gradio_api/call/upscale/{event_id}", timeout=60) as response:
        stream = response.read().decode()
    assert "event: error" in stream and "complete" not in stream


def test_eight_concurrent_clients_all_get_answers(app_url, tmp_path):
    from gradio_client import Client, handle_file

    source = make("palette", tmp_path)

    def one(i):
        client = Client(app_url, verbose=False)
        out, _ = client.predict(image=handle_file(str(source)), width=30 + i, height=20, api_name="/upscale")
        with Image.open(out) as img:
            return img.size

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        sizes = list(pool.map(one, range(8)))
    assert sizes == [(30 + i, 20) for i in range(8)]


def test_a_full_queue_answers_busy_clearly(tmp_path):
    from gradio_client import Client, handle_file

    from demo.config import AppConfig
    from demo.layout import build

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
