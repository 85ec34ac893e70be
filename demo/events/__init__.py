"""The app's events, one module per feature; each takes plain values and returns plain values."""

from __future__ import annotations

from dataclasses import dataclass

from demo.events.common import Context
from demo.events.compare import Compare
from demo.events.deepzoom import DeepZoom
from demo.events.explain import Explain
from demo.events.line import Line
from demo.events.photo import Photo
from demo.events.sweep import Sweep
from demo.events.upscale import Upscale
from demo.workbench import Workbench


@dataclass(frozen=True)
class Events:
    """Every event of the app, by feature, over one workbench (models, photos, grids, speed)."""

    context: Context
    photo: Photo
    upscale: Upscale
    compare: Compare
    line: Line
    sweep: Sweep
    explain: Explain
    deepzoom: DeepZoom

    @classmethod
    def over(cls, workbench: Workbench) -> Events:
        context = Context(workbench)
        return cls(
            context,
            Photo(context),
            Upscale(context),
            Compare(context),
            Line(context),
            Sweep(context),
            Explain(context),
            DeepZoom(context),
        )

    @property
    def workbench(self) -> Workbench:
        return self.context.workbench
