"""The result view's viewer: the photo as a continuous image in OpenSeadragon, the render drawn over it, LIIF
tiles on demand past the render's own pixels, and the marks (crop, line, fill's cut, fit's margins)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gradio as gr

from demo.components import NumberInput
from demo.events import Events
from demo.events.common import EXACT
from demo.page.shared import Shared, in_browser
from demo.page.text import VIEWER
from demo.page.wiring import Wiring
from liif.core.enlarge import DETAIL_SCALE
from liif.views.tiles import MAX_ZOOM

STATIC = Path(__file__).resolve().parent / "static"
OPENSEADRAGON = STATIC / "vendor" / "openseadragon"  # vendored by tools/vendor_openseadragon.py, never a CDN
VIEWER_TILE = 256  # pixels of the viewer's tiles
LOGIC = (STATIC / "logic.js").read_text()  # the arithmetic both scripts share (tested under node)


def viewer(events: Events) -> Any:
    """The viewer; its tiles and drops come through Gradio's own transport."""
    deepzoom = events.deepzoom

    async def viewer_tile(request: Any) -> dict[str, str]:
        return await deepzoom.viewer_tile_when_free(request)

    def viewer_drop(request: Any) -> dict[str, int]:
        return deepzoom.viewer_drop(request)

    settings = json.dumps({"deepest": MAX_ZOOM, "tile": VIEWER_TILE, "detail": DETAIL_SCALE, "exact": EXACT})
    return gr.HTML(
        "",
        html_template=VIEWER,
        elem_id="deep-zoom",
        js_on_load=f"const SETTINGS = {settings};\n{LOGIC}\n" + (STATIC / "deepzoom.js").read_text(),
        head=f'<script src="gradio_api/file={OPENSEADRAGON / "openseadragon.min.js"}"></script>',
        server_functions=[viewer_tile, viewer_drop],
    )


def wire(shared: Shared, pad: list[Any], wiring: Wiring, photo_set: Any) -> None:
    """The viewer follows the photo, model and precision, and shows the marks, fill's cut and fit's margins
    (``pad``: the margins' colour and transparency); /tile serves one tile."""
    deepzoom, s = wiring.events.deepzoom, shared
    show = {"fn": deepzoom.source, "inputs": [s.photo, s.model, s.precision], "outputs": [s.viewer], **wiring.private}
    photo_set.then(**show).then(deepzoom.warm, [s.photo, s.model], None, api_visibility="private")
    gr.on([s.model.change, s.precision.change], **show)
    marked: list[Any] = [s.crop_drawn, *s.line_ends, s.layout, *pad]
    gr.on([c.change for c in marked], inputs=marked, outputs=None, **in_browser("marks"))
    numbers = [NumberInput(label=name, visible=False) for name in ("Zoom", "Column", "Row", "Tile size")]
    gr.Button(visible=False).click(
        deepzoom.tile,
        [s.photo, *numbers, s.model, s.precision],
        [gr.Image(visible=False, format="png")],
        api_name="tile",
        **wiring.quick,
    )  # an API-only endpoint
