"""The Deep zoom tab: the photo as a continuous image in an OpenSeadragon viewer, LIIF tiles on demand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gradio as gr

from demo.components import NumberInput
from demo.events.common import EXACT
from demo.page.shared import Shared, in_browser
from demo.page.text import DEEP_ZOOM_HINT, VIEWER
from demo.page.wiring import Wiring
from liif.enlarge import DETAIL_SCALE
from liif.tiles import MAX_ZOOM

STATIC = Path(__file__).resolve().parent / "static"
OPENSEADRAGON = STATIC / "vendor" / "openseadragon"  # vendored by tools/vendor_openseadragon.py, never a CDN
VIEWER_TILE = 256  # pixels of the viewer's tiles
LOGIC = (STATIC / "logic.js").read_text()  # the arithmetic both scripts share (tested under node)


def render(shared: Shared, wiring: Wiring) -> tuple[Any, Any]:
    """The tab and its viewer; the viewer's tiles and drops come through Gradio's own transport."""
    deepzoom = wiring.events.deepzoom

    async def viewer_tile(request: Any) -> dict[str, str]:
        return await deepzoom.viewer_tile_when_free(request)

    def viewer_drop(request: Any) -> dict[str, int]:
        return deepzoom.viewer_drop(request)

    settings = json.dumps({"deepest": MAX_ZOOM, "tile": VIEWER_TILE, "detail": DETAIL_SCALE, "exact": EXACT})
    with gr.Tab("Deep zoom", elem_id="deep-zoom-tab") as tab:
        viewer = gr.HTML(
            "",
            html_template=VIEWER,
            elem_id="deep-zoom",
            js_on_load=f"const SETTINGS = {settings};\n{LOGIC}\n" + (STATIC / "deepzoom.js").read_text(),
            head=f'<script src="gradio_api/file={OPENSEADRAGON / "openseadragon.min.js"}"></script>',
            server_functions=[viewer_tile, viewer_drop],
        )
        gr.Markdown(DEEP_ZOOM_HINT, elem_classes="hint")
    return tab, viewer


def wire(viewer: Any, shared: Shared, wiring: Wiring, photo_set: Any) -> None:
    """The viewer follows the photo, model and precision, and shows the crop and the line; /tile serves one tile."""
    deepzoom, s = wiring.events.deepzoom, shared
    show = {"fn": deepzoom.source, "inputs": [s.photo, s.model, s.precision], "outputs": [viewer], **wiring.private}
    photo_set.then(**show).then(deepzoom.warm, [s.photo, s.model], None, api_visibility="private")
    gr.on([s.model.change, s.precision.change], **show)
    marked: list[Any] = [s.crop_drawn, *s.line_ends, s.width, s.height]
    gr.on([c.change for c in marked], inputs=marked, outputs=None, **in_browser("marks"))
    numbers = [NumberInput(label=name, visible=False) for name in ("Zoom", "Column", "Row", "Tile size")]
    gr.Button(visible=False).click(
        deepzoom.tile,
        [s.photo, *numbers, s.model, s.precision],
        [gr.Image(visible=False, format="png")],
        api_name="tile",
        **wiring.quick,
    )  # an API-only endpoint
