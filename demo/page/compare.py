"""The Compare tab: bicubic ◀ ▶ LIIF in an image slider, nearest beside it, on one crop of the output."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from demo.page.result import CROP
from demo.page.shared import Shared, captioned_image
from demo.page.text import COMPARE_HINT
from demo.page.wiring import Wiring


@dataclass
class CompareTab:
    tab: Any
    button: Any
    slider: Any
    nearest: Any
    status: Any


def render(shared: Shared) -> CompareTab:
    with gr.Tab("Compare") as tab:
        with gr.Row():
            shared.crop.render()
            shared.zoom.render()
        with gr.Row():
            shared.centre_x.render()
            shared.centre_y.render()
            button = gr.Button("Compare", elem_id="compare", interactive=False)
        with gr.Row(elem_id="compare-views", equal_height=True):
            with gr.Column(min_width=280):
                gr.Markdown("Bicubic ◀ drag ▶ LIIF", elem_classes="caption")
                slider = gr.ImageSlider(show_label=False, elem_id="slider", format="png", type="pil", max_height=360)
            with gr.Column(min_width=280):
                nearest = captioned_image("Nearest: the input's own pixels", elem_id="nearest", height=360)
        status = gr.Markdown(elem_classes="status", elem_id="compare-status")
        gr.Markdown(COMPARE_HINT, elem_classes="hint")
    shared.actions.append(button)
    return CompareTab(tab, button, slider, nearest, status)


def wire(view: CompareTab, shared: Shared, wiring: Wiring) -> None:
    """The crop follows a render, a crop or zoom change, and a click that moves it; the box drawn on the result
    has the side the server renders (``Compare.side``)."""
    compare = wiring.events.compare
    inputs = [*shared.common, *shared.centre, shared.crop, shared.zoom, shared.fit]
    outputs = [view.slider, view.nearest, view.status]
    crops = wiring.on_gpu(compare.crops)

    def after_click(mode: str, *args: Any) -> Any:
        return compare.crops(*args) if mode == CROP else gr.skip()

    view.button.click(crops, inputs, outputs, api_name="compare", **wiring.quick)
    gr.on(
        [shared.crop.release, shared.zoom.release], crops, inputs, outputs, trigger_mode="always_last", **wiring.private
    )
    shared.rendered.success(wiring.after_render(crops), inputs, outputs, **wiring.private)
    wiring.after_click(after_click, [shared.click_mode, *inputs], outputs)
    placed = [shared.photo, shared.width, shared.height, *shared.centre, shared.crop, shared.zoom, shared.fit]
    gr.on(
        [c.change for c in placed],
        compare.box,
        placed,
        [shared.crop_drawn],
        queue=False,
        trigger_mode="always_last",  # the centre's x and y change together: the box of both wins
        api_visibility="private",
    )
