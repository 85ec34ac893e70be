"""The page: what a person sees, and which event function each control calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from demo.components import NumberInput, PhotoInput
from demo.config import AppConfig
from demo.handlers import EXACT, PRECISIONS, Handlers
from demo.text import HOW_IT_WORKS
from demo.workbench import Workbench

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CROP_CENTRE, LINE_ENDS, EXPLAIN = "move the crop", "set the line's ends", "explain a point"

INTRO = """
# Look at a photo at any size
Upscale a photo to an **exact** width × height with **LIIF** (Local Implicit Image Function, CVPR 2021):
the photo becomes a grid of latent codes, and a small network returns the colour at *any* continuous
point, so any size works, even a different scale across and down. Compare it with bicubic up close,
and follow the colour signal along a line.
"""

CSS = """
.status p { margin: 0.2em 0; }
"""


def launch_options(config: AppConfig) -> dict[str, Any]:
    """What ``launch()`` needs besides host and port; shared by app.py and the tests."""
    return {"max_file_size": config.max_upload, "theme": gr.themes.Soft(), "css": CSS}


try:  # On a Hugging Face ZeroGPU Space, heavy events ask for a GPU; elsewhere this is a no-op.
    import spaces

    on_gpu = spaces.GPU
except ImportError:  # pragma: no cover - depends on the host

    def on_gpu(fn: Any) -> Any:
        return fn


def _click(mode: str, stage: str, evt: gr.SelectData) -> tuple[Any, ...]:
    """Route a click on the result: move the crop, set the line's start then its end, or pick a point.

    Outputs: crop centre x, y; line x0, y0, x1, y1; line stage; explained pixel x, y.
    """
    col, row = evt.index[0], evt.index[1]
    x, y = col + 0.5, row + 0.5
    keep = gr.skip()
    if mode == CROP_CENTRE:
        return x, y, keep, keep, keep, keep, keep, keep, keep
    if mode == EXPLAIN:
        return keep, keep, keep, keep, keep, keep, keep, col, row
    if stage == "start":
        return keep, keep, x, y, keep, keep, "end", keep, keep
    return keep, keep, keep, keep, x, y, "start", keep, keep


def build(config: AppConfig | None = None) -> gr.Blocks:
    config = config or AppConfig()
    bench = Workbench(config)
    bench.model(config.default_model)  # load (and resolve the weights' source) before the first request
    events = Handlers(bench)
    examples = sorted(str(p) for p in EXAMPLES.glob("*.jpg"))

    with gr.Blocks(title="LIIF: look at a photo at any size", delete_cache=(3600, 3600)) as app:
        gr.Markdown(INTRO)
        with gr.Row():
            with gr.Column(scale=1):
                photo = PhotoInput(
                    label="Photo", elem_id="photo", type="filepath", image_mode=None, sources=["upload", "clipboard"],
                    format="png", height=320,
                )  # fmt: skip
                gr.Examples(examples=[[p] for p in examples], inputs=[photo], label="Landscapes with leaves")
            with gr.Column(scale=1):
                with gr.Row():
                    width = NumberInput(label="Width (px)", precision=0, minimum=1, elem_id="width")
                    height = NumberInput(label="Height (px)", precision=0, minimum=1, elem_id="height")
                scale = gr.Slider(0.25, 8, value=2, step=0.05, label="Scale (sets both from the photo's size)")
                keep_aspect = gr.Checkbox(value=True, label="Keep aspect (editing one side updates the other)")
                size_info = gr.Markdown("No photo yet.", elem_classes="status")
                with gr.Row():
                    model = gr.Dropdown(bench.available_models(), value=config.default_model, label="Model")
                    precision = gr.Radio(PRECISIONS, value=EXACT, label="Precision")
                run = gr.Button("Upscale", variant="primary", elem_id="run")
        result = gr.Image(
            label="LIIF result (click it to pick a crop centre or line ends)",
            elem_id="result",
            format="png",
            type="pil",
            interactive=False,
            buttons=["download", "fullscreen"],
        )
        status = gr.Markdown(elem_classes="status", elem_id="status")
        click_mode = gr.Radio(
            [CROP_CENTRE, LINE_ENDS, EXPLAIN],
            value=CROP_CENTRE,
            label="A click on the result will",
            elem_id="click-mode",
        )

        with gr.Tabs():
            with gr.Tab("Compare crops"):
                with gr.Row():
                    crop = gr.Slider(16, 256, value=64, step=8, label="Crop size (output px)")
                    zoom = gr.Slider(
                        1, 16, value=2, step=0.5, label="Zoom (renders the crop at this many × the output)"
                    )
                with gr.Row():
                    centre_x = NumberInput(label="Crop centre x", value=0)
                    centre_y = NumberInput(label="Crop centre y", value=0)
                    compare_btn = gr.Button("Compare")
                with gr.Row():
                    slider = gr.ImageSlider(
                        label="Bicubic ◀ ▶ LIIF", elem_id="slider", format="png", type="pil", max_height=520
                    )
                    nearest = gr.Image(label="Nearest (the input's own pixels)", format="png", type="pil")
                compare_status = gr.Markdown(elem_classes="status", elem_id="compare-status")
            with gr.Tab("RGB along a line"):
                gr.Markdown("Choose *set the line's ends* under the result and click it twice, or type the ends.")
                with gr.Row():
                    x0 = NumberInput(label="Start x", value=0)
                    y0 = NumberInput(label="Start y", value=0)
                    x1 = NumberInput(label="End x", value=0)
                    y1 = NumberInput(label="End y", value=0)
                    profile_btn = gr.Button("Plot")
                plot = gr.Plot(label="R, G, B along the line", elem_id="plot")
                csv = gr.File(label="Samples (CSV)")
                profile_status = gr.Markdown(elem_classes="status", elem_id="profile-status")
            with gr.Tab("How it works", elem_id="how-tab"):
                with gr.Row():
                    show_grid = gr.Button("Show the latent grid", elem_id="show-grid")
                    explain_x = NumberInput(label="Explain output pixel x", value=0, precision=0)
                    explain_y = NumberInput(label="Explain output pixel y", value=0, precision=0)
                    explain_btn = gr.Button("Explain this pixel")
                with gr.Row():
                    grid_input = gr.Image(label="Input photo", format="png", type="pil", interactive=False)
                    grid_picture = gr.Image(
                        label="Its latent grid (64 numbers per pixel, PCA to RGB)", elem_id="latent-grid",
                        format="png", type="pil", interactive=False,
                    )  # fmt: skip
                grid_status = gr.Markdown(elem_classes="status", elem_id="grid-status")
                with gr.Row():
                    point_picture = gr.Image(
                        label="The 4 latent cells behind the point (red), with their weights", elem_id="point-picture",
                        format="png", type="pil", interactive=False,
                    )  # fmt: skip
                    point_table = gr.Markdown(elem_id="point-table")
                with gr.Row():
                    pretend = gr.Slider(1, 8, value=4, step=0.5, label="Cell decoding: pretend the output is ×k larger")
                    cell_btn = gr.Button("Render the crop with both cells")
                cell_slider = gr.ImageSlider(
                    label="True cell ◀ ▶ smaller cell (same crop as Compare)", elem_id="cell-slider", format="png",
                    type="pil", max_height=520,
                )  # fmt: skip
                cell_status = gr.Markdown(elem_classes="status")
                gr.Markdown(HOW_IT_WORKS, elem_id="how-text")
        stage = gr.State("start")

        common = [photo, width, height, model, precision]
        limits: dict[str, Any] = {"concurrency_limit": config.concurrency, "concurrency_id": "render"}

        photo.change(events.photo_changed, [photo, scale], [width, height, size_info], api_visibility="private")
        scale.input(events.scale_changed, [photo, scale], [width, height], api_visibility="private")
        width.input(events.width_changed, [photo, width, keep_aspect], [height], api_visibility="private")
        height.input(events.height_changed, [photo, height, keep_aspect], [width], api_visibility="private")
        gr.on([width.change, height.change], events.size_info, [photo, width, height], [size_info],
              api_visibility="private")  # fmt: skip

        run.click(on_gpu(events.upscale), common, [result, status], api_name="upscale", **limits)
        compare_inputs = [*common, centre_x, centre_y, crop, zoom]
        compare_outputs = [slider, nearest, compare_status]
        compare_btn.click(on_gpu(events.compare), compare_inputs, compare_outputs, api_name="compare", **limits)
        profile_inputs = [*common, x0, y0, x1, y1]
        profile_outputs = [plot, csv, profile_status]
        profile_btn.click(on_gpu(events.profile), profile_inputs, profile_outputs, api_name="profile", **limits)

        clicked = result.select(_click, [click_mode, stage],
                                [centre_x, centre_y, x0, y0, x1, y1, stage, explain_x, explain_y],
                                api_visibility="private")  # fmt: skip
        grid_outputs = [grid_input, grid_picture, grid_status]
        show_grid.click(events.latent_grid, [photo, model], grid_outputs, api_name="latent_grid", **limits)
        explain_inputs = [photo, width, height, model, explain_x, explain_y]
        explain_outputs = [point_picture, point_table]
        explain_btn.click(events.explain_point, explain_inputs, explain_outputs, api_name="explain", **limits)
        cell_inputs = [photo, width, height, model, centre_x, centre_y, crop, zoom, pretend]
        cell_btn.click(events.explain_cell, cell_inputs, [cell_slider, cell_status], api_name="cell", **limits)

        skip3 = (gr.skip(),) * 3

        def compare_after_click(mode: str, *args: Any) -> tuple[Any, ...]:
            return events.compare(*args) if mode == CROP_CENTRE else skip3

        def profile_after_click(mode: str, stage: str, *args: Any) -> tuple[Any, ...]:
            # The click that set the line's end has turned the stage back to "start".
            return events.profile(*args) if mode == LINE_ENDS and stage == "start" else skip3

        clicked.then(compare_after_click, [click_mode, *compare_inputs], compare_outputs,
                     api_visibility="private", **limits)  # fmt: skip
        clicked.then(profile_after_click, [click_mode, stage, *profile_inputs], profile_outputs,
                     api_visibility="private", **limits)  # fmt: skip

        def explain_after_click(mode: str, *args: Any) -> tuple[Any, ...]:
            return events.explain_point(*args) if mode == EXPLAIN else (gr.skip(),) * 2

        clicked.then(explain_after_click, [click_mode, *explain_inputs], explain_outputs,
                     api_visibility="private", **limits)  # fmt: skip
    app.queue(max_size=config.queue_size, default_concurrency_limit=config.concurrency)
    return app
