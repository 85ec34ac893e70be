"""The page: what a person sees, and which event function each control calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from demo.components import GuardedBlocks, NumberInput, PhotoInput, upload_limit
from demo.config import AppConfig
from demo.handlers import AUTO, PRECISIONS, QUALITIES, STANDARD, Handlers
from demo.memory import keep_large_blocks_mapped
from demo.plots import CHANNEL_CHOICES, LUMINANCE
from demo.text import HOW_IT_WORKS
from demo.tilegate import SmallBodies, TileGate
from demo.workbench import Workbench
from liif.explain import DIFFERENCE_GAIN
from liif.sources import MODEL_NAMES

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
CONTROLS_JS = HERE / "controls.js"
DEEPZOOM_JS = HERE / "deepzoom.js"
OPENSEADRAGON = HERE / "vendor" / "openseadragon"  # vendored by tools/vendor_openseadragon.py, never a CDN
CROP_CENTRE, LINE_ENDS, EXPLAIN = "move the crop", "set the line's ends", "explain a point"
SCALE_RANGE = (0.25, 8)  # keep in step with SLIDER in controls.js

INTRO = """
# Look at a photo at any size
Upscale a photo to an **exact** width × height with **LIIF** (Local Implicit Image Function, CVPR 2021):
the photo becomes a grid of latent codes, and a small network returns the colour at *any* continuous
point, so any size works, even a different scale across and down. Compare it with bicubic up close,
and follow the colour signal along a line.
"""

HOW_TO_ADD_RDN = (
    "*RDN-LIIF (slower, a little sharper) is not installed here: a Space owner adds it by publishing its "
    "weights and setting `LIIF_HUB_REPO` (README, “Publishing weights for a Space”).*"
)

VIEWER = """
<div class="dz">
  <div class="dz-bar">
    <button class="dz-fit" type="button">Fit</button>
    <label>Compare <select class="dz-swipe">
      <option value="off">off: LIIF only</option>
      <option value="bicubic">bicubic ◀ ▶ LIIF</option>
      <option value="nearest">nearest ◀ ▶ LIIF</option>
    </select></label>
    <span class="dz-info"></span>
  </div>
  <div class="dz-stage">
    <div class="dz-view"></div>
    <canvas class="dz-overlay"></canvas>
    <div class="dz-divider" hidden><span>◀ ▶</span></div>
  </div>
  <div class="dz-where"></div>
</div>
"""
DEEP_ZOOM_HINT = (
    "Scroll or pinch to zoom down to ×32 of the photo, drag to pan. LIIF renders only the tiles in view, "
    "from the photo's latent grid; the photo itself shows until they arrive. Pick *Compare* to put bicubic "
    "or nearest beside LIIF under a divider you can drag; a click sets the crop or the line, as on the result."
)

COMPARE_HINT = (
    "The same crop three ways: drag the divider between bicubic and LIIF, nearest shows the photo's own "
    "pixels. Look at leaf edges and twigs: bicubic turns them into soft halos, LIIF keeps them as lines."
)
LINE_HINT = (
    "Solid: LIIF; dashed: bicubic; circles: the photo's own pixels where the line crosses them. The steeper "
    "the rise across the edge, the sharper it is; the edge width under the plot says by how much."
)
SWEEP_HINT = (
    "The crop's spot at ever higher zoom, as a window of a render that large. LIIF was trained on ×1–×4; "
    "beyond that it extrapolates, yet it stays continuous: edges stay edges, where nearest turns them into "
    "blocks and bicubic into blur."
)
CELL_HINT = (
    "LIIF is told how large an output pixel is (its *cell*). Here a region of the photo is shrunk, brought "
    "back with the true cell and with a smaller one, and both are scored against the original; the map shows "
    "where the cell changes the colour (×10): at edges and fine texture, most at ×2–×6, hardly at ×12."
)

CSS = """
.status p { margin: 0.2em 0; }
.status progress { width: 12em; vertical-align: middle; }
.caption p { margin: 0; font-weight: 600; }
.hint p { margin: 0.3em 0; color: var(--body-text-color-subdued); }
#point-table { overflow-x: auto; }
#point-table th, #point-table td { white-space: nowrap; }
#compare-views img { object-fit: contain; }
#cell-difference img { width: 100%; height: 100%; object-fit: contain; image-rendering: pixelated; }
.dz-bar { display: flex; flex-wrap: wrap; gap: 0.4em 1em; align-items: center; margin-bottom: 0.4em; }
.dz-bar button, .dz-bar select { border: 1px solid var(--border-color-primary); border-radius: 6px;
  padding: 0.2em 0.7em; background: var(--background-fill-secondary); color: var(--body-text-color); }
.dz-info, .dz-where { font-size: 0.9em; color: var(--body-text-color-subdued); }
.dz-where { min-height: 1.4em; }
.dz-stage { position: relative; height: clamp(300px, 80vw, min(64vh, 620px)); background: #111;
  border-radius: 8px; overflow: hidden; touch-action: none; }
.dz-view, .dz-overlay { position: absolute; inset: 0; width: 100%; height: 100%; }
.dz-overlay { pointer-events: none; }
.dz-divider { position: absolute; top: 0; bottom: 0; width: 0; border-left: 2px solid #fff;
  box-shadow: 0 0 3px #000; }
.dz-divider[hidden] { display: none; }
.dz-divider span { position: absolute; top: 50%; left: -1.4em; width: 2.8em; transform: translateY(-50%);
  padding: 0.3em 0; border-radius: 1em; background: #fff; color: #111; text-align: center; cursor: ew-resize;
  font-size: 0.8em; user-select: none; touch-action: none; }
"""


def launch_options(config: AppConfig) -> dict[str, Any]:
    """What ``launch()`` needs besides host and port; shared by app.py and the tests."""
    return {
        "max_file_size": config.max_upload,
        "theme": gr.themes.Soft(),
        "css": CSS,
        "js": CONTROLS_JS.read_text(),
        "app_kwargs": {"middleware": [Middleware(SmallBodies)]},  # the viewer's calls are small (demo/tilegate.py)
    }


try:  # On a Hugging Face ZeroGPU Space, heavy events ask for a GPU; elsewhere this is a no-op.
    import spaces

    on_gpu = spaces.GPU
except ImportError:  # pragma: no cover - depends on the host

    def on_gpu(fn: Any) -> Any:
        return fn


def _route_click(mode: str, stage: str, x: float, y: float, width: float, height: float) -> tuple[Any, ...]:
    """Route a click at output point (x, y): move the crop, set the line's start then its end, or pick a point.

    Outputs: crop centre x, y and as fractions of the output; line x0, y0, x1, y1; line stage; explained
    pixel x, y; whether the person chose the line (then renders keep it).
    """
    keep = gr.skip()
    if mode == CROP_CENTRE:
        return x, y, x / width, y / height, *(keep,) * 8
    if mode == EXPLAIN:
        return *(keep,) * 9, int(x), int(y), keep
    if stage == "start":
        return *(keep,) * 4, x, y, keep, keep, "end", keep, keep, True
    return *(keep,) * 6, x, y, "start", keep, keep, True


def _click(mode: str, stage: str, width: float, height: float, evt: gr.SelectData) -> tuple[Any, ...]:
    """A click on the result, at pixel (column, row): its centre is the point."""
    col, row = evt.index[0], evt.index[1]
    return _route_click(mode, stage, col + 0.5, row + 0.5, width, height)


def _pick(mode: str, stage: str, width: float | None, height: float | None, evt: gr.EventData) -> tuple[Any, ...]:
    """A click on the deep-zoom viewer, sent as fractions (fx, fy) of the photo: the same point of the output."""
    fx, fy = evt._data.get("fx"), evt._data.get("fy")
    numbers = all(isinstance(v, int | float) and 0 <= v <= 1 for v in (fx, fy))
    if not numbers or not width or not height:
        return (gr.skip(),) * 12
    return _route_click(mode, stage, fx * width, fy * height, width, height)


def _in_browser(call: str) -> dict[str, Any]:
    """An event that runs only in the browser (controls.js): instant, in order, never dropped while busy."""
    return {"fn": None, "js": f"(...a) => window.liifControls.{call}(...a)", "queue": False, "trigger_mode": "multiple"}


def _captioned_image(caption: str, **options: Any) -> gr.Image:
    """An output image with its caption above it, not a label drawn over the picture."""
    gr.Markdown(caption, elem_classes="caption")
    return gr.Image(show_label=False, format="png", type="pil", interactive=False, **options)


def build(config: AppConfig | None = None) -> gr.Blocks:
    config = config or AppConfig()
    bench = Workbench(config)
    bench.model(config.default_model)  # load (and resolve the weights' source) before the first request
    bench.calibrate()  # this machine's speed, for the time estimate beside the size
    events = Handlers(bench)
    gate = TileGate()  # tile calls wait in the event loop, never on a server thread
    keep_large_blocks_mapped()  # big buffers go back to the system when freed (demo/memory.py)
    gr.set_static_paths([OPENSEADRAGON])
    examples = sorted(str(p) for p in EXAMPLES.glob("*.jpg"))
    models = bench.available_models()

    with GuardedBlocks(title="LIIF: look at a photo at any size", delete_cache=(3600, 3600)) as app:
        gr.Markdown(INTRO)
        with gr.Row():
            with gr.Column(scale=1, min_width=300):
                photo = PhotoInput(
                    label="Photo", elem_id="photo", type="filepath", image_mode=None, sources=["upload", "clipboard"],
                    format="png", height=320,
                )  # fmt: skip
                photo.max_bytes = upload_limit(config.max_upload)  # every way a photo arrives, inline ones too
                photo.examples = EXAMPLES  # besides uploads, the only photos a request may name
                gr.Examples(examples=[[p] for p in examples], inputs=[photo], label="Landscapes with leaves")
            with gr.Column(scale=1, min_width=300):
                with gr.Row():
                    width = NumberInput(label="Width (px)", precision=0, minimum=1, elem_id="width", min_width=120)
                    height = NumberInput(label="Height (px)", precision=0, minimum=1, elem_id="height", min_width=120)
                scale = gr.Slider(*SCALE_RANGE, value=2, step=0.05, label="Scale", elem_id="scale")
                keep_aspect = gr.Checkbox(value=True, label="Keep aspect (editing one side updates the other)")
                size_info = gr.Markdown("No photo yet: upload, paste or pick one.", elem_classes="status",
                                        elem_id="size-info")  # fmt: skip
                photo_w = gr.Number(visible="hidden", elem_id="photo-w")
                photo_h = gr.Number(visible="hidden", elem_id="photo-h")
                speed = gr.Number(lambda: bench.speed(), visible="hidden")  # output px/s here, for estimates
                crop_fx = gr.Number(0.5, visible="hidden")  # the crop centre as a fraction of the output
                crop_fy = gr.Number(0.5, visible="hidden")
                with gr.Row():
                    model = gr.Dropdown(models, value=models[0], label="Model", elem_id="model", min_width=240)
                    precision = gr.Radio(PRECISIONS, value=AUTO, label="Precision", min_width=240)
                quality = gr.Radio(
                    QUALITIES, value=STANDARD, label="Quality", elem_id="quality",
                    info="best: LIIF+, the photo's 8 flips and turns averaged, a little sharper",
                )  # fmt: skip
                if any(name not in models for name in MODEL_NAMES):
                    gr.Markdown(HOW_TO_ADD_RDN, elem_id="model-hint")
                with gr.Row():
                    run = gr.Button("Upscale", variant="primary", elem_id="run", interactive=False, scale=3)
                    stop = gr.Button("Stop", variant="stop", elem_id="stop", scale=1, min_width=80)
        gr.Markdown("### Result · click it to pick a crop centre, a line's ends or a point to explain",
                    elem_classes="caption")  # fmt: skip
        result = gr.Image(
            show_label=False,
            elem_id="result",
            format="png",
            type="filepath",
            interactive=False,
            buttons=["download", "fullscreen"],
        )
        status = gr.Markdown(elem_classes="status", elem_id="status")
        click_mode = gr.Radio(
            [CROP_CENTRE, LINE_ENDS, EXPLAIN],
            value=CROP_CENTRE,
            label="A click on the result or the deep zoom will",
            elem_id="click-mode",
        )

        with gr.Tabs():
            with gr.Tab("Deep zoom", elem_id="deep-zoom-tab") as viewer_tab:

                async def viewer_tile(request: Any) -> dict[str, str]:
                    return await gate.run(events.viewer_tile, request)

                def viewer_drop(request: Any) -> dict[str, int]:
                    return events.viewer_drop(request)

                viewer = gr.HTML(
                    "", html_template=VIEWER, js_on_load=DEEPZOOM_JS.read_text(), elem_id="deep-zoom",
                    head=f'<script src="gradio_api/file={OPENSEADRAGON / "openseadragon.min.js"}"></script>',
                    server_functions=[viewer_tile, viewer_drop],
                )  # fmt: skip
                gr.Markdown(DEEP_ZOOM_HINT, elem_classes="hint")
            with gr.Tab("Compare") as compare_tab:
                with gr.Row():
                    crop = gr.Slider(16, 256, value=64, step=8, label="Crop size (output px)", elem_id="crop")
                    zoom = gr.Slider(1, 16, value=2, step=0.5, label="Zoom (× the output)", elem_id="zoom")
                with gr.Row():
                    centre_x = NumberInput(label="Crop centre x", value=0, min_width=120)
                    centre_y = NumberInput(label="Crop centre y", value=0, min_width=120)
                    compare_btn = gr.Button("Compare", elem_id="compare", interactive=False)
                with gr.Row(elem_id="compare-views", equal_height=True):
                    with gr.Column(min_width=280):
                        gr.Markdown("Bicubic ◀ drag ▶ LIIF", elem_classes="caption")
                        slider = gr.ImageSlider(
                            show_label=False, elem_id="slider", format="png", type="pil", max_height=360
                        )
                    with gr.Column(min_width=280):
                        nearest = _captioned_image("Nearest: the input's own pixels", elem_id="nearest", height=360)
                compare_status = gr.Markdown(elem_classes="status", elem_id="compare-status")
                gr.Markdown(COMPARE_HINT, elem_classes="hint")
            with gr.Tab("Line") as line_tab:
                gr.Markdown("Choose *set the line's ends* under the result and click it twice, or type the ends.")
                with gr.Row():
                    x0 = NumberInput(label="Start x", value=0, min_width=100)
                    y0 = NumberInput(label="Start y", value=0, min_width=100)
                    x1 = NumberInput(label="End x", value=0, min_width=100)
                    y1 = NumberInput(label="End y", value=0, min_width=100)
                    profile_btn = gr.Button("Plot", elem_id="plot-button", interactive=False)
                channels = gr.CheckboxGroup(CHANNEL_CHOICES, value=[LUMINANCE], label="Show", elem_id="channels")
                gr.Markdown("The colour along the line", elem_classes="caption")
                plot = gr.Plot(show_label=False, elem_id="plot")  # a label would cover the plot's own toolbar
                profile_status = gr.Markdown(elem_classes="status", elem_id="profile-status")
                gr.Markdown(LINE_HINT, elem_classes="hint")
                csv = gr.File(label="Samples (CSV)")
            with gr.Tab("Sweep") as sweep_tab:
                sweep_btn = gr.Button("Sweep the crop's spot", elem_id="sweep-button", interactive=False)
                sweep_picture = _captioned_image("Nearest, bicubic and LIIF at ×2 … ×32 of the photo",
                                                 elem_id="sweep")  # fmt: skip
                sweep_status = gr.Markdown(elem_classes="status", elem_id="sweep-status")
                gr.Markdown(SWEEP_HINT, elem_classes="hint")
            with gr.Tab("How it works", elem_id="how-tab") as how_tab:
                with gr.Row():
                    show_grid = gr.Button("Show the latent grid", elem_id="show-grid", interactive=False)
                    explain_x = NumberInput(label="Explain output pixel x", value=0, precision=0, min_width=120)
                    explain_y = NumberInput(label="Explain output pixel y", value=0, precision=0, min_width=120)
                    explain_btn = gr.Button("Explain this pixel", interactive=False)
                with gr.Row():
                    with gr.Column(min_width=280):
                        grid_input = _captioned_image("Input photo")
                    with gr.Column(min_width=280):
                        grid_picture = _captioned_image("Its latent grid (64 numbers per pixel, PCA to RGB)",
                                                        elem_id="latent-grid")  # fmt: skip
                grid_status = gr.Markdown(elem_classes="status", elem_id="grid-status")
                with gr.Row():
                    with gr.Column(min_width=280):
                        point_picture = _captioned_image("The 4 latent cells behind the point (red), with weights",
                                                         elem_id="point-picture")  # fmt: skip
                    point_table = gr.Markdown(elem_id="point-table")
                gr.Markdown("### Cell decoding: does the pixel size matter?")
                with gr.Row():
                    cell_scale = gr.Radio([2, 3, 4, 6, 12], value=2, label="Shrink the region by", elem_id="cell-scale")
                    pretend = gr.Slider(1, 8, value=4, step=0.5, label="Smaller cell: as if the output were ×k larger")
                    cell_btn = gr.Button("Compare the cells", elem_id="cell-button", interactive=False)
                with gr.Row():
                    with gr.Column(min_width=280):
                        gr.Markdown("True cell ◀ drag ▶ smaller cell", elem_classes="caption")
                        cell_slider = gr.ImageSlider(
                            show_label=False, elem_id="cell-slider", format="png", type="pil", max_height=360
                        )
                    with gr.Column(min_width=280):
                        cell_difference = _captioned_image(
                            f"Difference ×{DIFFERENCE_GAIN}", elem_id="cell-difference", height=360
                        )
                cell_status = gr.Markdown(elem_classes="status", elem_id="cell-status")
                gr.Markdown(CELL_HINT, elem_classes="hint")
                gr.Markdown(HOW_IT_WORKS, elem_id="how-text")
        stage = gr.State("start")
        line_chosen = gr.Checkbox(False, visible=False)  # the person set the line's ends: renders keep it
        ticket = gr.State(0)
        # The API's /upscale returns only the finished PNG; the page's button streams (upscale_live).
        api_upscale = gr.Button(visible=False)
        api_tile = gr.Button(visible=False)  # /tile: one deep-zoom tile, for programs

        common = [photo, width, height, model, precision, quality]
        # Two slots: whole renders in one, everything short (crops, lines, explanations) in the other, so a
        # long render never makes a crop wait for it.
        renders: dict[str, Any] = {"concurrency_limit": config.concurrency, "concurrency_id": "render"}
        quick: dict[str, Any] = {"concurrency_limit": config.concurrency, "concurrency_id": "quick"}
        private: dict[str, Any] = {"api_visibility": "private", **quick}  # the page's own short events
        actions = [run, compare_btn, profile_btn, sweep_btn, show_grid, explain_btn, cell_btn]

        # --- sizes: the photo's size from the server, everything else in the browser (controls.js) -------
        def photo_changed(image: str | None, chosen_scale: float) -> tuple[Any, ...]:
            sizes = events.photo_changed(image, chosen_scale)
            ready = gr.update(interactive=bool(image))
            return (*sizes, False, *(ready for _ in actions))  # a new photo's line is placed, not chosen

        estimate = [speed, quality]  # what the time estimate beside the size needs
        photo_outputs = [photo_w, photo_h, width, height, size_info, centre_x, centre_y, crop_fx, crop_fy, zoom,
                         x0, y0, x1, y1, line_chosen, *actions]  # fmt: skip
        photo_set = photo.change(photo_changed, [photo, scale], photo_outputs, api_visibility="private")
        photo_set.then(inputs=[photo_w, width, height, *estimate, size_info], outputs=[size_info],
                       **_in_browser("photoSet"))  # fmt: skip
        reads = [width, height, photo_w, photo_h, crop_fx, crop_fy, *estimate]  # what every size update reads
        centre = [centre_x, centre_y]
        width.input(inputs=[keep_aspect, *reads], outputs=[height, scale, size_info, *centre],
                    **_in_browser("fromWidth"))  # fmt: skip
        height.input(inputs=[keep_aspect, *reads], outputs=[width, scale, size_info, *centre],
                     **_in_browser("fromHeight"))  # fmt: skip
        gr.on([scale.input, scale.release], inputs=[scale, *reads],
              outputs=[width, height, scale, size_info, *centre], **_in_browser("fromScale"))  # fmt: skip
        keep_aspect.input(inputs=[keep_aspect, *reads], outputs=[height, scale, size_info, *centre],
                          **_in_browser("fromKeep"))  # fmt: skip
        gr.on([centre_x.input, centre_y.input], inputs=[*centre, width, height], outputs=[crop_fx, crop_fy],
              **_in_browser("fromCentre"))  # fmt: skip

        # --- upscale: a new click or Stop supersedes the render in progress -----------------------------
        started = run.click(events.start, None, [ticket], queue=False, trigger_mode="multiple",
                            api_visibility="private")  # fmt: skip
        rendered = started.then(on_gpu(events.upscale_live), [*common, ticket], [result, status, speed],
                                show_progress="minimal", trigger_mode="always_last", api_visibility="private",
                                **renders)  # fmt: skip
        gr.on([speed.change, quality.input], inputs=[width, height, photo_w, photo_h, *estimate],
              outputs=[size_info], **_in_browser("fromSpeed"))  # fmt: skip
        stop.click(events.stop, None, None, queue=False, api_visibility="private")
        api_upscale.click(on_gpu(events.upscale), common, [result, status], api_name="upscale", **renders)

        # --- compare, profile, explain -------------------------------------------------------------------
        compare_inputs = [*common, centre_x, centre_y, crop, zoom]
        compare_outputs = [slider, nearest, compare_status]
        compare = on_gpu(events.compare)
        compare_btn.click(compare, compare_inputs, compare_outputs, api_name="compare", **quick)
        gr.on([crop.release, zoom.release], compare, compare_inputs, compare_outputs, trigger_mode="always_last",
              **private)  # fmt: skip
        profile_inputs = [*common, x0, y0, x1, y1, channels]
        profile_outputs = [plot, csv, profile_status]
        profile = on_gpu(events.profile)
        profile_btn.click(profile, profile_inputs, profile_outputs, api_name="profile", **quick)
        channels.input(profile, profile_inputs, profile_outputs, **private)
        gr.on([x0.input, y0.input, x1.input, y1.input], fn=None, js="() => true", outputs=[line_chosen], queue=False)

        grid_outputs = [grid_input, grid_picture, grid_status]
        show_grid.click(events.latent_grid, [photo, model], grid_outputs, api_name="latent_grid", **quick)
        explain_inputs = [photo, width, height, model, explain_x, explain_y]
        explain_outputs = [point_picture, point_table]
        explain_btn.click(events.explain_point, explain_inputs, explain_outputs, api_name="explain", **quick)
        cell_inputs = [photo, width, height, model, centre_x, centre_y, cell_scale, pretend]
        cell_outputs = [cell_slider, cell_difference, cell_status]
        cell_btn.click(events.explain_cell, cell_inputs, cell_outputs, api_name="cell", **quick)
        sweep_inputs = [*common, centre_x, centre_y]
        sweep_outputs = [sweep_picture, sweep_status]
        sweep_btn.click(events.sweep, sweep_inputs, sweep_outputs, api_name="sweep", **quick)

        # After a render every view follows, so each shows something without another click: the crop, the
        # line (placed across an edge near the crop unless the person chose it), the sweep, the cell study.
        rendered.success(compare, compare_inputs, compare_outputs, **private)
        placed = rendered.success(events.place_line, [photo, width, height, centre_x, centre_y, line_chosen],
                                  [x0, y0, x1, y1], **private)  # fmt: skip
        placed.then(profile, profile_inputs, profile_outputs, **private)
        # The sweep and the cell study take seconds: they follow a render only while their tab is open, and
        # are made when their tab is opened.
        open_tab = gr.State(viewer_tab.label)
        for tab in (viewer_tab, compare_tab, line_tab, sweep_tab, how_tab):
            tab.select(lambda name=tab.label: name, None, open_tab, queue=False, api_visibility="private")

        def while_open(fn: Any, name: str | None, skipped: int) -> Any:
            def follow(shown: str, *args: Any) -> Any:
                return fn(*args) if shown == name else (gr.skip(),) * skipped

            return follow

        for tab, fn, inputs, outputs in (
            (sweep_tab, events.sweep, sweep_inputs, sweep_outputs),
            (how_tab, events.explain_cell, cell_inputs, cell_outputs),
        ):
            rendered.success(while_open(fn, tab.label, len(outputs)), [open_tab, *inputs], outputs, **private)
            tab.select(fn, inputs, outputs, **private)

        skip3 = (gr.skip(),) * 3

        def compare_after_click(mode: str, *args: Any) -> tuple[Any, ...]:
            return events.compare(*args) if mode == CROP_CENTRE else skip3

        def sweep_after_click(mode: str, shown: str, *args: Any) -> tuple[Any, ...]:
            return events.sweep(*args) if mode == CROP_CENTRE and shown == sweep_tab.label else skip3[:2]

        def profile_after_click(mode: str, stage: str, *args: Any) -> tuple[Any, ...]:
            # The click that set the line's end has turned the stage back to "start".
            return events.profile(*args) if mode == LINE_ENDS and stage == "start" else skip3

        def explain_after_click(mode: str, *args: Any) -> tuple[Any, ...]:
            return events.explain_point(*args) if mode == EXPLAIN else (gr.skip(),) * 2

        # A click on the result or on the deep-zoom viewer moves the crop, sets a line end or picks a point.
        click_outputs = [centre_x, centre_y, crop_fx, crop_fy, x0, y0, x1, y1, stage, explain_x, explain_y,
                         line_chosen]  # fmt: skip
        for clicked in (
            result.select(_click, [click_mode, stage, width, height], click_outputs, api_visibility="private"),
            viewer.pick(_pick, [click_mode, stage, width, height], click_outputs, api_visibility="private"),
        ):
            clicked.then(compare_after_click, [click_mode, *compare_inputs], compare_outputs, **private)
            clicked.then(profile_after_click, [click_mode, stage, *profile_inputs], profile_outputs, **private)
            clicked.then(explain_after_click, [click_mode, *explain_inputs], explain_outputs, **private)
            clicked.then(sweep_after_click, [click_mode, open_tab, *sweep_inputs], sweep_outputs, **private)

        # --- deep zoom: the viewer follows the photo, model and precision, and shows the crop and line ----
        show = {"fn": events.viewer_source, "inputs": [photo, model, precision], "outputs": [viewer], **private}
        photo_set.then(**show).then(events.warm, [photo, model], None, api_visibility="private")
        gr.on([model.change, precision.change], **show)
        marked: list[Any] = [centre_x, centre_y, crop, x0, y0, x1, y1, width, height]
        gr.on([c.change for c in marked], inputs=marked, outputs=None, **_in_browser("marks"))
        tile_inputs = [NumberInput(label=name, visible=False) for name in ("Zoom", "Column", "Row", "Tile size")]
        api_tile.click(events.tile, [photo, *tile_inputs, model, precision], [gr.Image(visible=False, format="png")],
                       api_name="tile", **quick)  # fmt: skip
    app.queue(max_size=config.queue_size, default_concurrency_limit=config.concurrency)
    return app
