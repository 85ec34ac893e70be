"""The page: the shell that composes the top, the result and one module per tab, and what launch() needs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from demo.components import GuardedBlocks
from demo.config import AppConfig
from demo.events import Events
from demo.events.common import EXACT, LIIF_PLUS, LIIF_PLUS_VIEWS
from demo.events.upscale import SESSIONS_KEPT
from demo.memory import keep_large_blocks_mapped
from demo.middleware import Guard
from demo.page import compare, deepzoom, how, inputs, line, result, sweep
from demo.page.presets import CUSTOM
from demo.page.shared import queues
from demo.page.text import INTRO, NO_PHOTO
from demo.page.wiring import Wiring
from demo.workbench import Workbench
from liif.core.enlarge import DETAIL_SCALE
from liif.io.sizes import MAX_SIDE
from liif.pipeline.refine import TRAINED_SCALE

STATIC = Path(__file__).resolve().parent / "static"

try:  # On a Hugging Face ZeroGPU Space, heavy events ask for a GPU; elsewhere this is a no-op.
    import spaces

    on_gpu = spaces.GPU
except ImportError:  # pragma: no cover - depends on the host

    def on_gpu(fn: Any) -> Any:
        return fn


def browser_settings(config: AppConfig) -> dict[str, Any]:
    """The numbers and words controls.js shares with Python, handed to it when the page loads."""
    return {
        "maxSide": MAX_SIDE,
        "maxPixels": config.max_output_pixels,
        "scaleRange": list(inputs.SCALE_RANGE),
        "liifPlus": LIIF_PLUS,
        "liifPlusViews": LIIF_PLUS_VIEWS,
        "liifPlusScale": TRAINED_SCALE,
        "detailScale": DETAIL_SCALE,
        "exact": EXACT,
        "noPhoto": NO_PHOTO,
        "custom": CUSTOM,
    }


def launch_options(config: AppConfig) -> dict[str, Any]:
    """What ``launch()`` needs besides host and port; shared by app.py and the tests."""
    controls, logic = (STATIC / "controls.js").read_text(), (STATIC / "logic.js").read_text()
    return {
        "max_file_size": config.max_upload,
        "theme": gr.themes.Soft(),
        "css": (STATIC / "style.css").read_text(),
        "js": f"() => {{ const SETTINGS = {json.dumps(browser_settings(config))};\n{logic}\nreturn ({controls})(); }}",
        "app_kwargs": {"middleware": [Middleware(Guard)]},  # small viewer calls, short session hashes (middleware.py)
        "state_session_capacity": SESSIONS_KEPT,  # Gradio's own per-session state, oldest dropped past it
    }


def build(config: AppConfig | None = None) -> gr.Blocks:
    config = config or AppConfig()
    bench = Workbench(config)
    bench.model(config.default_model)  # load (and resolve the weights' source) before the first request
    bench.calibrate()  # this machine's speed, for the time estimate beside the size
    events = Events.over(bench)
    keep_large_blocks_mapped()  # big buffers go back to the system when freed (demo/memory.py)
    gr.set_static_paths([deepzoom.OPENSEADRAGON])
    renders, quick, private = queues(config)

    with GuardedBlocks(title="LIIF: look at a photo at any size", delete_cache=(3600, 3600)) as app:
        gr.Markdown(INTRO)
        shared, top = inputs.render(config, events)
        with gr.Row(elem_id="workspace"):  # side by side where the screen is wide enough, else one column
            with gr.Column(scale=3, min_width=620):
                view = result.render(shared, events)
            with gr.Column(scale=2, min_width=560, elem_id="views"), gr.Tabs():
                tabs = (compare.render(shared), line.render(shared), sweep.render(shared), how.render(shared))
        result.wire_upscale(top, shared, view, events, renders, on_gpu)
        for hidden in shared.hidden:
            hidden.render()
        shared.open_tab = gr.State(tabs[0].tab.label)
        for tab in (view.tab for view in tabs):
            tab.select(lambda name=tab.label: name, None, shared.open_tab, queue=False, api_visibility="private")
        wiring = Wiring(events, renders, quick, private, on_gpu, clicks=result.wire_clicks(shared))
        photo_set = inputs.wire(top, shared, events)
        deepzoom.wire(shared, [top.pad_colour, top.transparent], wiring, photo_set)
        compare_tab, line_tab, sweep_tab, how_tab = tabs
        compare.wire(compare_tab, shared, wiring)
        line.wire(line_tab, shared, wiring)
        sweep.wire(sweep_tab, shared, wiring)
        how.wire(how_tab, shared, wiring)
    app.queue(max_size=config.queue_size, default_concurrency_limit=config.concurrency)
    return app
