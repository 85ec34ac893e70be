"""How a tab reaches the events and the queue: one value handed to every tab's ``wire``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from demo.events import Events


@dataclass(frozen=True)
class Wiring:
    events: Events
    renders: dict[str, Any]  # the whole-render slot
    quick: dict[str, Any]  # the short-request slot, for API endpoints
    private: dict[str, Any]  # the short-request slot, for the page's own events (not in the API)
    on_gpu: Callable[[Any], Any]  # spaces.GPU on a ZeroGPU Space, else nothing
    clicks: list[Any]  # the click events in the result view

    def after_click(self, fn: Callable[..., Any], inputs: list[Any], outputs: list[Any]) -> None:
        """``fn`` after every click in the result view, with the inputs as that click left them. Clicks come
        quickly (a line's two ends): a follow-up asked for while one runs is not dropped, as Gradio's default
        would, but runs once it ends, with the latest values."""
        for clicked in self.clicks:
            clicked.then(fn, inputs, outputs, trigger_mode="always_last", **self.private)

    def after_render(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` as a follow-up of Upscale: it runs only after the session's newest render finished, and
        otherwise leaves its outputs as they are (one ``gr.skip()`` skips them all)."""
        upscale = self.events.upscale

        def follow(request: gr.Request, *args: Any) -> Any:
            if upscale.finished_newest(request.session_hash or ""):
                return fn(*args)
            return gr.skip()

        return follow
