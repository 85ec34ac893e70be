"""Deep zoom: tiles of the photo at x1 ... x32, for the API and for the viewer, and the tiles it no longer wants.

The viewer (page/static/deepzoom.js) owns pan and zoom and asks for tiles by level, column and row; the
server only answers "this tile". LIIF tiles come from the cached latent grid, one at a time (each gets
every core, the one at the view's centre first) and never while something a person clicked runs.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np
from PIL import Image

import liif
from demo.components import echo, refuse
from demo.events.common import (
    AUTO,
    LARGEST_INDEX,
    Context,
    finite,
    message,
    need_image,
    save,
    user_errors,
    whole,
)
from demo.events.tilegate import DROPPED, ID_CHARS, TileGate
from demo.lru import BoundedLRU
from liif.views.tiles import MAX_ZOOM, render_tile, resample_tile, tile_box

log = logging.getLogger("liif.app")
TILE_METHODS = ("liif", "bicubic", "nearest")
TILE_NUMBERS = (("Column", "col"), ("Row", "row"), ("Tile size", "size"))  # (name in messages, request key)
DROPS_KEPT = 4096  # tile requests the viewer said it no longer wants, remembered until they come
DROPS_PER_CALL = 256  # tile ids one drop call may name (the viewer names the few it has in flight)


class _TileDroppedError(Exception):
    """The viewer no longer wants this tile: it left the view while it waited or rendered."""


def _png(image: Image.Image | np.ndarray) -> bytes:
    """PNG bytes, compressed lightly: tiles are made on demand, and speed matters more than size."""
    out = io.BytesIO()
    (image if isinstance(image, Image.Image) else Image.fromarray(image)).save(out, format="PNG", compress_level=1)
    return out.getvalue()


def _short_id(part: Any) -> str | None:
    if isinstance(part, str) and len(part) <= ID_CHARS:
        return part
    if isinstance(part, int) and not isinstance(part, bool) and -LARGEST_INDEX <= part <= LARGEST_INDEX:
        return str(part)
    return None


def _ticket(page: Any, tile: Any) -> tuple[str, str] | None:
    """A viewer's (page, tile id), only if both are short strings or numbers: ids of any size are not kept."""
    parts = _short_id(page), _short_id(tile)
    return (parts[0], parts[1]) if parts[0] is not None and parts[1] is not None else None


class DeepZoom:
    def __init__(self, context: Context) -> None:
        self.context = context
        bench = context.workbench
        self.tiles: BoundedLRU[tuple[Any, ...], bytes] = BoundedLRU(max_size=bench.config.tile_cache_bytes, size=len)
        self.gate = TileGate()  # viewer calls wait in the event loop, never on a server thread
        # (page, tile id) of tiles the viewer gave up, kept until they come (or, finished already, forgotten)
        self._dropped: BoundedLRU[tuple[str, str], bool] = BoundedLRU(DROPS_KEPT)
        # the photo's PNG the viewer shows before any tile, per digest: as many as photos are kept
        self._placeholders: BoundedLRU[str, Path] = BoundedLRU(context.workbench.config.cache_grids * 16)
        self._rendering = threading.Lock()  # held while a LIIF tile renders, for the viewer or the API

    def _tile_png(
        self, key: str, picture: liif.Picture, request: dict[str, Any], wanted: Callable[[], bool] = lambda: True
    ) -> bytes:
        """A checked tile request's PNG, from the tile cache or rendered (LIIF from the cached grid). A LIIF
        tile no longer ``wanted`` is not started, or stops at its next step, with :class:`_TileDroppedError`."""
        bench = self.context.workbench
        method = request.get("method", "liif")
        if method not in TILE_METHODS:
            raise refuse(f"Method must be one of {', '.join(TILE_METHODS)}, got {echo(method)}.")
        zoom = finite("Zoom", request.get("zoom"), 0, MAX_ZOOM)
        col, row, size = (whole(name, request.get(key)) for name, key in TILE_NUMBERS)
        try:
            tile_box(picture.width, picture.height, zoom, col, row, size)
        except ValueError as exc:
            raise refuse(f"{str(exc)[0].upper()}{str(exc)[1:]}.") from None
        model, _ = bench.choose_model(request.get("model"), key, picture)
        choice = bench.precision_choice(request.get("precision"))
        cache_key = (key, model, choice if method == "liif" else "", method, zoom, col, row, size)
        png = self.tiles.get(cache_key)
        if png is None:
            if method == "liif":
                encoded = bench.encode_picture(key, picture, model)

                def still_wanted(_done: int = 0, _total: int = 0) -> None:
                    if not wanted():
                        raise _TileDroppedError

                with self._rendering:  # one tile at a time: each gets every core, the centre's comes first
                    self.context.foreground.wait_idle()
                    still_wanted()
                    tile = render_tile(
                        encoded.model,
                        encoded.grid,
                        picture.width,
                        picture.height,
                        zoom,
                        col,
                        row,
                        size,
                        precision=choice,
                        progress=still_wanted,
                    )
                png = _png(tile)
            else:
                png = _png(resample_tile(picture.rgb_image(), zoom, col, row, size, method=method))
            self.tiles.put(cache_key, png)
        return png

    @user_errors
    def tile(
        self,
        image: str | None,
        zoom: float | None,
        col: float | None,
        row: float | None,
        size: float | None = 256,
        model: str | None = None,
        precision: str = AUTO,
    ) -> str:
        """The API's tile: the window [col*size, row*size, +size) of the photo rendered at ``zoom`` x its size."""
        key, picture = self.context.workbench.picture(need_image(image))
        request = {"zoom": zoom, "col": col, "row": row, "size": size, "model": model, "precision": precision}
        png = self._tile_png(key, picture, request)
        return save("tile.png", lambda path: path.write_bytes(png))

    def viewer_tile(self, request: Any) -> dict[str, str]:
        """A tile for the deep-zoom viewer: ``{"png": data URL}`` or ``{"error": one line}``, never an exception,
        so a bad or stale request draws nothing. The photo is named by its digest (see :meth:`source`)."""
        if not isinstance(request, dict):
            return {"error": "A tile request is a JSON object."}
        key = str(request.get("photo"))[:ID_CHARS]
        ticket = _ticket(request.get("page"), request.get("id"))  # None: a request that cannot be dropped
        try:
            picture = self.context.workbench.cached_picture(key)
            png = self._tile_png(key, picture, request, lambda: not self._gone(ticket))
        except _TileDroppedError:
            if ticket is not None:  # only a request with ids can have been dropped
                self._dropped.pop(ticket)
            return {"dropped": DROPPED}
        except KeyError:
            return {"error": "This photo is no longer in the cache: pick it again."}
        except gr.Error as exc:
            return {"error": exc.message}
        except (liif.LiifError, MemoryError) as exc:
            return {"error": message(exc)}
        except Exception:  # a bug: the server's log gets the traceback, the viewer one line
            log.exception("tile request %s failed", echo(request))
            return {"error": "This tile could not be made."}
        return {"png": "data:image/png;base64," + base64.b64encode(png).decode()}

    async def viewer_tile_when_free(self, request: Any) -> dict[str, str]:
        """:meth:`viewer_tile` through the gate: it waits without a thread, and leaves at once if dropped."""
        ticket = _ticket(request.get("page"), request.get("id")) if isinstance(request, dict) else None
        answer = await self.gate.run(self.viewer_tile, request, lambda: self._gone(ticket))
        if "dropped" in answer and ticket is not None:
            self._dropped.pop(ticket)
        return answer

    def _gone(self, ticket: tuple[str, str] | None) -> bool:
        return ticket is not None and ticket in self._dropped

    def viewer_drop(self, request: Any) -> dict[str, int]:
        """The viewer's word that tiles it asked for (``{"page": id, "tiles": [ids]}``) left the view: those still
        waiting are not rendered and one rendering stops, so the tiles now in view come sooner."""
        tiles = request.get("tiles") if isinstance(request, dict) else None
        if not isinstance(tiles, list) or len(tiles) > DROPS_PER_CALL:
            return {"dropped": 0}
        tickets = [ticket for tile in tiles if (ticket := _ticket(request.get("page"), tile))]
        if len(tickets) < len(tiles):
            return {"dropped": 0}
        for ticket in tickets:
            self._dropped.put(ticket, True)
        return {"dropped": len(tiles)}

    def warm(self, image: str | None, model: str | None) -> None:
        """Encode a new photo's grid before anyone asks, so the first tile or render does not wait for it."""
        bench = self.context.workbench
        try:
            if image:
                key, picture = bench.picture(image)
                bench.encode_picture(key, picture, bench.choose_model(model, key, picture)[0])
        except (liif.LiifError, MemoryError):
            pass  # the photo's own event has said what is wrong; a render would say it again

    def source(self, image: str | None, model: str | None, precision: str) -> str:
        """What the deep-zoom viewer shows, as JSON: the photo's digest and size, a PNG of it to show at once,
        and the model and precision its LIIF tiles use. Empty before a photo."""
        if not image:
            return ""
        bench = self.context.workbench
        try:
            key, picture = bench.picture(image)
            chosen, _ = bench.choose_model(model, key, picture)  # auto: the model the photo's renders use
        except liif.LiifError:
            return ""  # the photo's own event says what is wrong with it
        saved = self._placeholders.get(key)
        if saved is None or not saved.is_file():  # Gradio's delete_cache removes it after an hour
            saved = Path(save("photo.png", lambda path: picture.rgb_image().save(path, format="PNG")))
            self._placeholders.put(key, saved)
        source = {
            "photo": key,
            "width": picture.width,
            "height": picture.height,
            "url": f"gradio_api/file={saved}",
            "model": chosen,
            "precision": precision,
        }
        return json.dumps(source)
