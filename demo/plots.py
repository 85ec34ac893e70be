"""Plotly figures for the app."""

from __future__ import annotations

import plotly.graph_objects as go

from liif.profile import Profile

CHANNELS = (("R", "#d62728"), ("G", "#2ca02c"), ("B", "#1f77b4"))


def profile_figure(prof: Profile) -> go.Figure:
    """R, G, B along a line: LIIF as solid curves, bicubic dashed, the input's pixels as markers."""
    fig = go.Figure()
    x = prof.distance.tolist()
    for i, (name, colour) in enumerate(CHANNELS):
        fig.add_scatter(x=x, y=prof.liif[:, i].tolist(), name=f"{name} LIIF", line={"color": colour, "width": 2})
        fig.add_scatter(
            x=x, y=prof.bicubic[:, i].tolist(), name=f"{name} bicubic",
            line={"color": colour, "width": 1, "dash": "dash"}, opacity=0.7,
        )  # fmt: skip
        fig.add_scatter(
            x=prof.input_distance.tolist(), y=prof.input_rgb[:, i].tolist(), name=f"{name} input pixels",
            mode="markers", marker={"color": colour, "size": 7, "symbol": "circle-open"},
        )  # fmt: skip
    fig.update_layout(
        xaxis_title="distance along the line (output pixels)",
        yaxis_title="value (0-1)",
        yaxis_range=[-0.02, 1.02],
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 50, "r": 10, "t": 30, "b": 10},
        height=420,
    )
    return fig
