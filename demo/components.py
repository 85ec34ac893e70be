"""Inputs whose bad values reach the user as one clear line instead of a server traceback.

Gradio decodes inputs before any event function runs; a value it cannot decode would otherwise end as
"the upstream app has raised an exception". These subclasses keep Gradio's own front-end component
(``is_template``) and only translate decoding failures into :class:`gradio.Error`.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from liif.imageio import decode_error


class PhotoInput(gr.Image):
    is_template = True

    def preprocess(self, payload: Any) -> Any:
        try:
            return super().preprocess(payload)
        except gr.Error:
            raise
        except Exception as exc:  # PIL raises many types for bad files; all mean "not a usable image"
            raise gr.Error(f"The photo: {decode_error(exc)}.", print_exception=False) from None


class NumberInput(gr.Number):
    is_template = True

    def preprocess(self, payload: Any) -> Any:
        try:
            return super().preprocess(payload)
        except gr.Error as exc:  # Gradio's own range check
            raise gr.Error(f"{self.label}: {exc.message}", print_exception=False) from None
        except (TypeError, ValueError):
            raise gr.Error(f"{self.label}: {payload!r} is not a number.", print_exception=False) from None
