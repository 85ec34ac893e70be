"""The Line tab: the colour signal along a line of the output, and the edge width across it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from demo.components import ChoiceGroup
from demo.page.result import LINE
from demo.page.shared import Shared
from demo.page.text import LINE_HINT
from demo.page.wiring import Wiring
from demo.plots import CHANNEL_CHOICES, LUMINANCE


@dataclass
class LineTab:
    tab: Any
    button: Any
    channels: Any
    plot: Any
    csv: Any
    status: Any


def render(shared: Shared) -> LineTab:
    with gr.Tab("Line") as tab:
        gr.Markdown("Choose *set the line's ends* under the result and click it twice, or type the ends.")
        with gr.Row():
            for end in shared.line_ends:
                end.render()
            button = gr.Button("Plot", elem_id="plot-button", interactive=False)
        channels = ChoiceGroup(CHANNEL_CHOICES, value=[LUMINANCE], label="Channels", elem_id="channels")
        gr.Markdown("The colour along the line", elem_classes="caption")
        plot = gr.Plot(show_label=False, elem_id="plot")  # a label would cover the plot's own toolbar
        status = gr.Markdown(elem_classes="status", elem_id="profile-status")
        gr.Markdown(LINE_HINT, elem_classes="hint")
        csv = gr.File(label="Samples (CSV)")
    shared.actions.append(button)
    return LineTab(tab, button, channels, plot, csv, status)


def wire(view: LineTab, shared: Shared, wiring: Wiring) -> None:
    """The plot follows a render (the line placed across an edge near the crop, unless the person chose its
    ends), the channels shown, and the click that sets the line's end."""
    line = wiring.events.line
    inputs = [*shared.common, *shared.line_ends, view.channels, shared.fit]
    outputs = [view.plot, view.csv, view.status]
    plot = wiring.on_gpu(line.plot)

    def after_render(anchors: Any, *args: Any) -> tuple[Any, ...]:
        drawn = line.after_render(*args)
        kept = anchors if isinstance(anchors, dict) else {}
        return drawn.figure, drawn.csv, drawn.status, *drawn.ends, {**kept, "line": drawn.anchors}

    def after_click(mode: str, start: Any, *args: Any) -> Any:
        # The click that set the line's end has forgotten its start.
        return line.plot(*args) if mode == LINE and start is None else gr.skip()

    view.button.click(plot, inputs, outputs, api_name="profile", **wiring.quick)
    view.channels.input(plot, inputs, outputs, **wiring.private)
    gr.on([end.input for end in shared.line_ends], fn=None, js="() => true", outputs=[shared.line_chosen], queue=False)
    follow = [shared.anchors, *shared.common, *shared.centre, shared.line_chosen, *shared.line_ends, view.channels]
    placed = [*outputs, *shared.line_ends, shared.anchors]
    shared.rendered.success(wiring.after_render(after_render), [*follow, shared.fit], placed, **wiring.private)
    wiring.after_click(after_click, [shared.click_mode, shared.stage, *inputs], outputs)
