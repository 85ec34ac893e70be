"""The Sweep tab: the crop's spot at x2 ... x32 of the photo, nearest, bicubic and LIIF."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from demo.page.result import CROP
from demo.page.shared import Shared, captioned_image
from demo.page.text import SWEEP_HINT
from demo.page.wiring import Wiring


@dataclass
class SweepTab:
    tab: Any
    button: Any
    picture: Any
    status: Any


def render(shared: Shared) -> SweepTab:
    with gr.Tab("Sweep") as tab:
        button = gr.Button("Sweep the crop's spot", elem_id="sweep-button", interactive=False)
        picture = captioned_image("Nearest, bicubic and LIIF at ×2 … ×32 of the photo", elem_id="sweep")
        status = gr.Markdown(elem_classes="status", elem_id="sweep-status")
        gr.Markdown(SWEEP_HINT, elem_classes="hint")
    shared.actions.append(button)
    return SweepTab(tab, button, picture, status)


def wire(view: SweepTab, shared: Shared, wiring: Wiring) -> None:
    """The sweep takes seconds: it is made when its tab is opened, and follows a render or a crop click only
    while its tab is open."""
    sweep = wiring.events.sweep
    inputs = [*shared.common, *shared.centre, shared.fit]
    outputs = [view.picture, view.status]

    def while_open(shown: str, *args: Any) -> Any:
        return sweep.sheet(*args) if shown == view.tab.label else gr.skip()

    def after_click(mode: str, shown: str, *args: Any) -> Any:
        return while_open(shown, *args) if mode == CROP else gr.skip()

    view.button.click(sweep.sheet, inputs, outputs, api_name="sweep", **wiring.quick)
    view.tab.select(sweep.sheet, inputs, outputs, **wiring.private)
    follow = wiring.after_render(while_open)
    shared.rendered.success(follow, [shared.open_tab, *inputs], outputs, **wiring.private)
    wiring.after_click(after_click, [shared.click_mode, shared.open_tab, *inputs], outputs)
