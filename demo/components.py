"""Inputs whose bad values reach the user as one clear line instead of a server traceback.

Gradio decodes inputs before any event function runs; a value it cannot decode would otherwise end as
"the upstream app has raised an exception". These subclasses keep Gradio's own front-end component
(``is_template``) and only add checks: every number finite and in range, every photo an upload (or an
example) within the upload limit however it arrives (an upload, or inline as a ``data:`` URL in a raw API
call), and messages that never echo more than a few dozen characters of what was sent.

:class:`GuardedBlocks` runs the photo check before Gradio reads the payload (Gradio checks only payloads
marked as its FileData; an image sent as ``{"path": ...}`` alone would be opened wherever it points), and
turns what Gradio's own decoding refuses into one line instead of ``{"error": null}``.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import logging
import math
import os
import re
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.utils import get_upload_folder

from liif.io.images import decode_error

log = logging.getLogger("liif.app")
ECHO = 80  # characters of a sent value a message may quote


def refuse(message: str) -> gr.Error:
    """One line for the person (a toast that closes by itself) and one short line in the server's log."""
    log.info("refused: %s", message[:200])
    return gr.Error(message, duration=8, print_exception=False)


def echo(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= ECHO else f"{text[: ECHO - 1]}…"


NOT_AN_UPLOAD = "The photo: upload it as a file (gradio_client: handle_file(path)); no other path is read."
NOT_SAVED = "The server could not save the result (its disk is full or cannot be written): try again later."
NOT_KEPT = "The server could not keep the photo (its disk is full or cannot be written): try again later."
# The inline photos a call saved: removed when it ends, answered or refused, not an hour later.
INLINE: contextvars.ContextVar[list[Path]] = contextvars.ContextVar("inline_photos")
_FILE_META = {"_type": "gradio.FileData"}


class PhotoInput(gr.Image):
    is_template = True
    max_bytes: int | None = None  # set by the layout from the app's upload limit

    def check_payload(self, payload: Any) -> None:
        """Refuse a photo that is neither an upload, an example nor inline data, before anything reads it.

        The answer is the same for every other path, existing or not, so it tells nothing about the server.
        """
        if payload is None:
            return
        if not isinstance(payload, dict) or payload.get("meta", _FILE_META) != _FILE_META:
            raise refuse(NOT_AN_UPLOAD)
        path, url = payload.get("path"), payload.get("url")
        if path is None and isinstance(url, str) and url.startswith("data:"):
            return  # inline: decoded by preprocess, under the upload limit
        if not (isinstance(path, str) and self._readable(path)):
            raise refuse(NOT_AN_UPLOAD)

    @staticmethod
    def _readable(path: str) -> bool:
        """Only Gradio's own folder: uploads, and the example photos Gradio copied there to offer them (a path
        into the install folder answered otherwise than a missing one, so the folder could be probed)."""
        try:
            real = Path(os.path.realpath(path))
            return real.is_file() and real.is_relative_to(os.path.realpath(get_upload_folder()))
        except (OSError, ValueError):  # a name the file system refuses, or one with a NUL in it
            return False

    def preprocess(self, payload: Any) -> Any:
        try:
            if payload is not None and self.max_bytes:
                payload = self._within_limit(payload, self.max_bytes)
            return super().preprocess(payload)
        except gr.Error:
            raise
        except Exception as exc:  # PIL raises many types for bad files; all mean "not a usable image"
            raise refuse(f"The photo: {decode_error(exc)}.") from None

    def _within_limit(self, payload: Any, limit: int) -> Any:
        """The byte limit for a file already uploaded, and for an inline image before it is decoded."""
        url = getattr(payload, "url", None) or ""
        if url.startswith("data:"):
            encoded = url.partition(",")[2]
            if len(encoded) * 3 // 4 > limit:
                raise refuse(f"The photo is over the upload limit of {limit / 2**20:.0f} MB.")
            try:
                data = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                raise refuse("The photo: the inline data is not valid base64.") from None
            saved = Path(self.GRADIO_CACHE) / "liif-inline" / uuid.uuid4().hex / "photo"
            try:
                saved.parent.mkdir(parents=True)
                saved.write_bytes(data)  # decoded later, under the input pixel limit (liif.load_picture)
            except OSError:
                shutil.rmtree(saved.parent, ignore_errors=True)
                raise refuse(NOT_KEPT) from None
            INLINE.get().append(saved.parent)  # removed when the call ends (GuardedBlocks.process_api)
            return type(payload)(path=str(saved), orig_name="photo")
        uploaded = getattr(payload, "path", None)
        if uploaded and Path(uploaded).is_file() and Path(uploaded).stat().st_size > limit:
            raise refuse(f"The photo is over the upload limit of {limit / 2**20:.0f} MB.")
        return payload


def refuse_choice(name: str, values: Sequence[Any], value: Any) -> gr.Error:
    shown = ", ".join(str(v) for v in values)
    return refuse(f"{name} must be one of {shown}; got {echo(value)}.")


class ChoiceRadio(gr.Radio):
    """A radio whose API refuses a value outside its choices in one line, named by its label, that quotes at most
    :data:`ECHO` characters (Gradio's own check quotes the whole value, 100 KB of it if that is what was sent)."""

    is_template = True

    def preprocess(self, payload: Any) -> Any:
        values = [value for _, value in self.choices]
        if payload is not None and payload not in values:
            raise refuse_choice(str(self.label), values, payload)
        return super().preprocess(payload)


class ChoiceGroup(gr.CheckboxGroup):
    """Checkboxes whose API takes each choice once, whatever a request repeats, and refuses anything else in one
    line: the list a function gets is never longer than the choices."""

    is_template = True

    def preprocess(self, payload: Any) -> Any:
        values = [value for _, value in self.choices]
        if payload is None:
            return []
        if not isinstance(payload, list) or any(isinstance(v, list | dict) or v not in values for v in payload):
            raise refuse_choice(str(self.label), values, payload)
        return super().preprocess(list(dict.fromkeys(payload)))


class ViewerClick(gr.SelectData):
    """A click in the result view as its event arrives: a raw call may send anything (null, a string) as the
    event's data, which reads as a click on no point (the page then moves nothing), not a traceback."""

    def __init__(self, target: Any, data: Any) -> None:
        super().__init__(target, {"index": None, "value": None, **(data if isinstance(data, dict) else {})})


class NumberInput(gr.Number):
    is_template = True

    def preprocess(self, payload: Any) -> Any:
        if isinstance(payload, bool):  # JSON true is no number, though Python would count it as 1
            raise refuse(f"{self.label}: {echo(payload)} is not a number.")
        try:
            value = super().preprocess(payload)
        except gr.Error as exc:  # Gradio's own range check
            raise refuse(f"{self.label}: {exc.message}") from None
        except (TypeError, ValueError, OverflowError):
            raise refuse(f"{self.label}: {echo(payload)} is not a number.") from None
        if value is not None and not math.isfinite(value):
            raise refuse(f"{self.label}: {echo(payload)} is not a finite number.")
        return value


_UNITS = {"": 1, "b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}  # as Gradio reads max_file_size


def upload_limit(size: str) -> int:
    """The app's upload limit ("25mb") in bytes."""
    match = re.fullmatch(r"\s*(\d+)\s*([kmg]?b?)\s*", size.lower())
    if not match:
        raise ValueError(f"upload limit {size!r} is not like 25mb")
    return int(match[1]) * _UNITS[match[2] if match[2] in _UNITS else match[2] + "b"]


class GuardedBlocks(gr.Blocks):
    """Blocks whose photos are checked before Gradio reads them, whose undecodable inputs get one line, whose
    pictures that cannot be saved (a full disk) get one line, and whose inline photos last as long as the call."""

    async def process_api(self, *args: Any, **kwargs: Any) -> Any:
        saved = INLINE.set([])
        try:
            return await super().process_api(*args, **kwargs)
        finally:
            for folder in INLINE.get():
                shutil.rmtree(folder, ignore_errors=True)
            INLINE.reset(saved)

    async def postprocess_data(self, block_fn: Any, predictions: Any, state: Any) -> Any:
        try:
            return await super().postprocess_data(block_fn, predictions, state)
        except Exception as exc:  # Gradio writes an event's pictures into its cache: the disk may be full
            cause = exc if isinstance(exc, OSError) else exc.__cause__
            if not isinstance(cause, OSError):
                raise
            log.warning("could not save an event's picture: %s", cause)
            raise refuse(NOT_SAVED) from None

    async def preprocess_data(self, block_fn: Any, inputs: list[Any], state: Any, explicit_call: bool = False) -> Any:
        blocks: Sequence[Any] = block_fn.inputs
        for block, payload in zip(blocks, inputs, strict=False):
            if isinstance(block, PhotoInput):
                block.check_payload(payload)
        try:
            return await super().preprocess_data(block_fn, inputs, state, explicit_call)
        except gr.Error:
            raise
        except Exception as exc:  # Gradio's own decoding: a wrong shape or type for some input
            what = type(exc).__name__
            raise refuse(f"An input could not be read ({what}): send each one as the API page shows it.") from None
