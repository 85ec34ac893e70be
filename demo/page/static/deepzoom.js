// The result view: the photo as a continuous image, from "fit" down to x32, on OpenSeadragon, with the render
// drawn over it.
//
// Runs as the js_on_load of the viewer's gr.HTML (demo/page/deepzoom.py): `element`, `props`, `server`,
// `trigger` and `watch` come from Gradio. The virtual image is the photo at x32 in 256-px tiles; the levels
// from x1 to x32 are LIIF renders of that size (server.viewer_tile, demo/events/deepzoom.py), below x1 the photo
// itself is shown. The photo is drawn at once under the tiles, so every zoom shows something immediately.
// Upscale's frames (events/upscale.shown) are drawn over the photo where the output lies: the bicubic preview,
// LIIF painted over it, then the finished PNG; LIIF tiles are asked for only past the render's own pixels.
// Tiles wait in a queue here: the one nearest the centre of the view goes first, and tiles that left the
// view (or are finer than the screen needs, or the viewer is off the screen) are held back, never sent,
// until they are wanted again.
(() => {
  const DEEPEST = SETTINGS.deepest; // the virtual image is the photo at this zoom (liif.views.tiles.MAX_ZOOM)
  const TILE = SETTINGS.tile; // the viewer's tile side (demo/page/deepzoom.py), set by the page
  // Under auto, LIIF's layer stops at its detail scale (liif.core.enlarge.DETAIL_SCALE): deeper, OpenSeadragon
  // enlarges that level, as the server's own renders do; LIIF adds no detail there. Exact renders every level.
  const DETAIL = SETTINGS.detail;
  const IN_FLIGHT = 2; // tile requests at once: one renders while the next travels (1 measured slower)
  const BUSY_WAIT_MS = 1000; // after the server answers "busy" (others' tiles fill its bound), ask again this late
  // A level is drawn while its pixels are at least this many screen pixels: tiles are never enlarged more
  // than 1.5x, and a view costs about as many LIIF pixels as it shows (OpenSeadragon's default 0.5: ~2.2x).
  const MIN_PIXEL_RATIO = 0.75;
  const COMPARED = ["bicubic", "nearest"]; // the classic layers a swipe can show beside LIIF
  const LAYERS = [...COMPARED, "liif"]; // tiled layers over the photo, bottom to top; hidden ones load nothing
  const CUT = "rgba(0, 0, 0, 0.6)"; // over the photo's edges a fill cuts off
  const OSD = window.OpenSeadragon;
  const REVEAL_AFTER_MS = 300; // a finished render's status and Download are on the page by then
  const REVEAL_MARGIN = 12; // pixels kept under Download when the view is brought on screen
  const root = element.querySelector(".dz");
  const stage = root.querySelector(".dz-stage");
  const view = root.querySelector(".dz-view");
  const overlay = root.querySelector(".dz-overlay");
  const divider = root.querySelector(".dz-divider");
  const info = root.querySelector(".dz-info");
  const where = root.querySelector(".dz-where");
  const swipe = root.querySelector(".dz-swipe");
  const progress = root.querySelector(".dz-progress");
  const stats = { asked: 0, sent: 0, held: 0, dropped: 0, busy: 0, drawn: 0, failed: 0, drawnAt: {}, frames: 0 }; // drawnAt: per level
  let pausedUntil = 0; // no tile is sent before this time (the server said it was busy)
  const PAGE = Math.random().toString(36).slice(2); // names this page's tile requests, for dropping them
  let tileIds = 0;
  let viewer = null;
  let source = null; // what the server said to show (viewer_source): photo digest, size, url, model, precision
  const items = {}; // tiled images by name: photo, then LAYERS, and the render ("result")
  let queue = []; // tile jobs waiting to be sent
  const flying = new Set(); // jobs sent and not answered yet
  let split = 0.5; // the swipe divider, as a fraction of the view's width
  let marks = null; // {box, line, layout, colour, transparent}: output pixels of the chosen W x H (controls.js)
  let hovered = null; // the point of the line the plot is hovered at, output pixels
  let result = null; // the render's last frame (events/upscale.shown) of this photo, or null
  let pending = null; // a frame that came before the view showed its photo: drawn once it does
  let liifFloor = null; // with a render shown: the coarsest LIIF level finer than it (null: none; NaN: no render)
  let lastError = "";
  let onScreen = false; // some of the viewer is on the screen: not in a hidden tab, not scrolled away
  let liifDrawn = false; // a tile of the current LIIF layer has arrived
  let fitted = true; // the view shows everything (the photo, the output's margins): kept so when the layout changes
  let checkers = null; // the pattern transparent margins are drawn with

  // The deepest zoom a layer has tiles for, and its levels: the classic layers and exact LIIF go to DEEPEST.
  const deepestOf = (layer) => (layer === "liif" && source.precision !== SETTINGS.exact ? DETAIL : DEEPEST);
  const levels = (layer) => liifLogic.levels(source.width, source.height, deepestOf(layer));
  const zoomOfLevel = (level, layer) => deepestOf(layer) * 2 ** (level - levels(layer).maxLevel);

  // With a render shown, LIIF adds only what is finer than its pixels: the coarsest such level, or null if
  // none is (the render is as fine as LIIF goes here); NaN without a render (every level from x1).
  function floorFor(shown) {
    if (!shown) return NaN;
    const { maxLevel, minLevel } = levels("liif");
    const level = Math.max(minLevel, Math.floor(maxLevel + Math.log2((shown.scale * 1.001) / deepestOf("liif"))) + 1);
    return level > maxLevel ? null : level;
  }

  // --- tiles ------------------------------------------------------------------------------------------
  function tileSource(name, method) {
    const { maxLevel, minLevel } = levels(name);
    const key = `${source.photo}/${source.model}/${source.precision}/${method}`;
    return {
      width: source.width * deepestOf(name),
      height: source.height * deepestOf(name),
      tileSize: TILE,
      tileOverlap: 0,
      minLevel: name === "liif" && Number.isInteger(liifFloor) ? liifFloor : minLevel,
      maxLevel,
      getTileUrl: (level, x, y) => `liif:${key}/${level}/${x}/${y}`,
      getTilePostData: (level, x, y) => ({ level, x, y, method }),
      downloadTileStart: (job) => {
        job.userData.layer = name;
        stats.asked += 1;
        queue.push(job);
        pump();
      },
      downloadTileAbort: (job) => {
        job.userData.aborted = true;
        queue = queue.filter((waiting) => waiting !== job);
      },
    };
  }

  // Where a job's tile lies in viewport coordinates, and whether the screen needs it now.
  function tileRect(job) {
    const { level, x, y } = job.postData;
    const layer = job.userData.layer;
    const span = TILE * 2 ** (levels(layer).maxLevel - level); // virtual pixels per tile side
    return items[layer].imageToViewportRectangle(x * span, y * span, span, span);
  }

  // The level a layer draws now: the finest whose pixels are at least MIN_PIXEL_RATIO screen pixels.
  // Tiles of other levels wait: a coarser one would only stand in for a while, as the photo already does.
  function neededLevel(layer = "liif") {
    const screenPerVirtual = items[layer].viewportToImageZoom(viewer.viewport.getZoom(true));
    return liifLogic.neededLevel(levels(layer), screenPerVirtual, MIN_PIXEL_RATIO);
  }

  // Whether LIIF's layer has anything to add at this zoom: with a render shown, only where the render is enlarged
  // more than a level ever is (its pixels over 1 / MIN_PIXEL_RATIO screen pixels), with levels finer than it.
  const liifAdds = () => Number.isNaN(liifFloor) ||
    (liifFloor !== null && photoZoom() * MIN_PIXEL_RATIO > result.scale && neededLevel() >= liifFloor);

  function wanted(job) {
    const layer = job.userData.layer;
    if (layer === "liif" && !liifAdds()) return false;
    const bounds = viewer.viewport.getBounds(true);
    const rect = tileRect(job);
    const inView = rect.x < bounds.x + bounds.width && rect.x + rect.width > bounds.x &&
      rect.y < bounds.y + bounds.height && rect.y + rect.height > bounds.y;
    return onScreen && inView && job.postData.level === neededLevel(layer);
  }

  function distance(job) {
    const centre = viewer.viewport.getCenter(true);
    const rect = tileRect(job);
    return Math.hypot(rect.x + rect.width / 2 - centre.x, rect.y + rect.height / 2 - centre.y);
  }

  // Tiles already sent that left the view: the server drops them (not started, or stopped mid-render) and
  // answers "dropped"; they come back to the queue, held until they are wanted again.
  function dropStale() {
    if (!items.liif) return;
    const stale = [...flying].filter((job) => job.userData.layer === "liif" && !job.userData.dropping &&
      (job.userData.asked !== source || !items.liif || job.source !== items.liif.source || !wanted(job)));
    if (!stale.length) return;
    for (const job of stale) job.userData.dropping = true;
    server.viewer_drop({ page: PAGE, tiles: stale.map((job) => job.userData.id) }).catch(() => {});
  }

  function pump() {
    if (viewer) dropStale();
    // A dropped tile's answer is only a formality: the next one goes without waiting for it.
    const busy = () => [...flying].filter((job) => !job.userData.dropping).length;
    while (viewer && busy() < IN_FLIGHT && Date.now() >= pausedUntil) {
      const live = queue.filter((job) => items[job.userData.layer] && wanted(job));
      for (const job of queue) {
        if (!live.includes(job) && !job.userData.held) {
          job.userData.held = true;
          stats.held += 1;
        }
      }
      if (!live.length) break;
      // Bicubic and nearest tiles take milliseconds: they go first, then LIIF from the centre outwards.
      const [first] = liifLogic.sendOrder(live.map((job) => ({ job, liif: job.userData.layer === "liif", distance: distance(job) })));
      const job = first.job;
      queue = queue.filter((waiting) => waiting !== job);
      send(job);
    }
    showInfo();
  }

  async function send(job) {
    const { level, x, y, method } = job.postData;
    const asked = source;
    stats.sent += 1;
    flying.add(job);
    job.userData.id = ++tileIds;
    job.userData.asked = asked;
    job.userData.dropping = false;
    try {
      const answer = await server.viewer_tile({
        photo: asked.photo, model: asked.model, precision: asked.precision, method,
        zoom: zoomOfLevel(level, job.userData.layer), col: x, row: y, size: TILE, page: PAGE, id: job.userData.id,
      });
      const layer = items[job.userData.layer];
      if (job.userData.aborted || asked !== source || !layer || layer.source !== job.source) return;
      if (answer && answer.dropped) {
        stats.dropped += 1;
        queue.push(job); // OpenSeadragon still waits for it: sent again once it is wanted
        return;
      }
      if (answer && answer.busy) {
        stats.busy += 1;
        queue.push(job);
        pausedUntil = Date.now() + BUSY_WAIT_MS;
        setTimeout(pump, BUSY_WAIT_MS);
        return;
      }
      if (!answer || !answer.png) {
        lastError = (answer && answer.error) || "no tile";
        stats.failed += 1;
        job.fail(lastError);
        return;
      }
      const img = new Image();
      img.onload = () => {
        stats.drawn += 1;
        stats.drawnAt[level] = (stats.drawnAt[level] || 0) + 1;
        job.finish(img, null, "image");
        if (job.userData.layer === "liif" && !liifDrawn) {
          liifDrawn = true;
          layers();
        }
        showInfo();
      };
      img.src = answer.png;
    } catch (err) {
      lastError = String(err);
      stats.failed += 1;
      job.fail(lastError);
    } finally {
      flying.delete(job);
      pump();
    }
  }

  // --- the render drawn over the photo ------------------------------------------------------------------
  // A render is one picture stretched over the output's rectangle in photo pixels (`shown.rect`): a fill covers
  // the photo's centre, a fit reaches past it into its margins, a stretch to another shape shows at the photo's
  // shape (a one-tile source: OpenSeadragon draws a tile over its rectangle whatever the picture's own size).
  function resultSource(shown, img) {
    const [, , rw, rh] = shown.rect;
    const width = shown.width;
    const height = Math.max(1, (width * rh) / rw);
    const level = Math.ceil(Math.log2(Math.max(width, height, 2)));
    return {
      width, height, tileSize: Math.ceil(Math.max(width, height)) + 1, tileOverlap: 0, minLevel: level, maxLevel: level,
      getTileUrl: () => `result:${shown.url.length}:${shown.url.slice(-48)}:${stats.frames}`,
      downloadTileStart: (job) => job.finish(img, null, "image"),
      downloadTileAbort: () => {},
    };
  }

  function showResult(shown, img) {
    const old = items.result;
    const index = items.liif ? viewer.world.getIndexOfItem(items.liif) : viewer.world.getItemCount();
    viewer.addTiledImage({
      tileSource: resultSource(shown, img), index,
      x: shown.rect[0] / source.width, y: shown.rect[1] / source.width, width: shown.rect[2] / source.width,
      success: (event) => {
        items.result = event.item;
        const drop = () => { if (old && viewer.world.getIndexOfItem(old) >= 0) viewer.world.removeItem(old); };
        if (event.item.getFullyLoaded()) drop();
        else event.item.addOnceHandler("fully-loaded-change", drop);
        refresh();
      },
    });
  }

  function showProgress(shown) {
    const running = shown && shown.state !== "done";
    progress.hidden = !running;
    if (!running) return;
    progress.classList.toggle("stopped", shown.state === "stopped");
    progress.classList.toggle("waiting", shown.progress === null);
    progress.querySelector(".dz-bar-done").style.width = `${Math.round(100 * (shown.progress || 0))}%`;
    progress.querySelector("span").textContent = shown.text;
  }

  function clearResult() {
    if (items.result) viewer.world.removeItem(items.result);
    delete items.result;
    result = null;
    showProgress(null);
  }

  // A new frame of the render: drawn once its picture has loaded (the old one stays until then, so there is
  // no flicker), and the LIIF layer limited to what is finer than it.
  // The view with its progress on the screen and, where the screen is tall enough, what is under it down to
  // Download (the status, the download row): scrolled as little as that takes. On the click, and again once the
  // render is done (the status has grown by then).
  function reveal() {
    const box = stage.getBoundingClientRect();
    const last = document.getElementById("download")?.getBoundingClientRect();
    const whole = last ? last.bottom - box.top + REVEAL_MARGIN : box.height;
    const want = whole <= window.innerHeight ? whole : box.height;
    const top = Math.min(Math.max(box.top, 0), Math.max(window.innerHeight - want, 0));
    if (Math.abs(box.top - top) > 1) window.scrollBy({ top: box.top - top, behavior: "smooth" });
  }

  function onResult(shown) {
    if (!shown) return;
    if (!viewer || !source || shown.photo !== source.photo || !items.liif) {
      pending = shown; // the view does not show this render's photo yet (its source comes through the queue)
      return;
    }
    pending = null;
    stats.frames += 1;
    const frame = stats.frames;
    showProgress(shown);
    const floor = floorFor(shown);
    const rebuild = !(floor === liifFloor || (Number.isNaN(floor) && Number.isNaN(liifFloor)));
    result = shown;
    if (shown.state === "done") setTimeout(reveal, REVEAL_AFTER_MS);
    if (shown.state === "stopped") return; // the preview on screen stays, marked as stopped
    const img = new Image();
    img.onload = () => {
      if (frame !== stats.frames || result !== shown) return; // a newer frame came meanwhile
      showResult(shown, img);
    };
    img.src = shown.url;
    if (rebuild) {
      liifFloor = floor;
      rebuildLiif();
    }
  }

  async function rebuildLiif() {
    if (!items.liif) return;
    const index = viewer.world.getIndexOfItem(items.liif);
    viewer.world.removeItem(items.liif);
    delete items.liif;
    queue = queue.filter((job) => job.userData.layer !== "liif");
    liifDrawn = false;
    await addTiles("liif", "liif", index);
    refresh();
  }

  // --- what the view shows ----------------------------------------------------------------------------
  function photoZoom() {
    // Screen (CSS) pixels per photo pixel.
    return items.photo ? items.photo.viewportToImageZoom(viewer.viewport.getZoom(true)) : 0;
  }

  function showInfo() {
    let text = source ? "Opening…" : "Pick or upload a photo to explore it.";
    if (source && items.liif) {
      const zoom = photoZoom();
      const waiting = queue.filter(wanted).length + flying.size;
      text = `×${zoom.toFixed(1)} of the photo`;
      if (zoom < 1 && !result) text += " · below ×1 the photo itself is shown";
      else if (zoom > deepestOf("liif") + 0.05) {
        text += ` · LIIF's ×${DETAIL} image enlarged; LIIF adds no detail past ×${DETAIL} here`;
      }
      if (result && !liifAdds()) text += result.state === "done" ? " · the result's own pixels" : "";
      else if (zoom >= 1 && waiting) text += ` · LIIF: ${waiting} tile${waiting > 1 ? "s" : ""} to render` +
        (stats.drawn ? "" : " (the first one encodes the photo)");
      else if (zoom >= 1) text += " · LIIF everywhere in view";
      const planned = marks && marks.layout;
      if (result && result.state === "done" && planned && !sameOutput(planned, result)) {
        text += ` · showing the last result, ${result.width}×${result.height}; Upscale renders ${planned.width}×${planned.height}`;
      }
      if (lastError) text += ` · ${lastError}`;
    }
    if (info.textContent !== text) info.textContent = text; // called on every frame drawn: no needless layout
  }

  function layers() {
    if (!items.liif) return;
    const below = photoZoom() < 1;
    const method = swipe.value;
    // OpenSeadragon redraws every frame while a shown layer has no tile drawn yet. So the LIIF layer loads
    // while the viewer is on the screen (preload) but is shown only once one of its tiles has arrived (the
    // photo shows until then: its first tile may wait for the photo's encoding); off the screen it neither
    // loads nor shows. With a render shown, it shows only past the render's own pixels.
    const shown = onScreen && !below && liifAdds();
    if (items.liif.getPreload() !== shown) items.liif.setPreload(shown);
    items.liif.setOpacity(shown && liifDrawn ? 1 : 0);
    const classic = onScreen && (!below || result);
    for (const name of COMPARED) items[name].setOpacity(classic && method === name ? 1 : 0);
    divider.hidden = !classic || method === "off";
    let left = null; // where the clip of LIIF (and the render) starts, in virtual pixels; null: not clipped
    if (method !== "off" && classic) {
      const edge = items.liif.viewerElementToImageCoordinates(new OSD.Point(split * view.clientWidth, 0)).x;
      left = Math.min(Math.max(edge, 0), source.width * deepestOf("liif"));
      divider.style.left = `${split * 100}%`;
    }
    // A new clip makes OpenSeadragon draw again, and each drawing calls this: set it only when it moved,
    // or an idle view redraws every frame.
    clip(items.liif, left === null ? null : left / deepestOf("liif"));
    if (items.result) clip(items.result, left === null ? null : left / deepestOf("liif"));
  }

  // Clip an item to the right of `photoX` (photo pixels; null: no clip), in its own image coordinates.
  function clip(item, photoX) {
    const size = item.getContentSize();
    const bounds = item.getBounds();
    const left = photoX === null ? null : ((photoX / source.width - bounds.x) / bounds.width) * size.x;
    const current = item.getClip();
    if (left === null ? current === null : current && Math.abs(current.x - left) <= 1e-6) return;
    item.setClip(left === null ? null : new OSD.Rect(Math.max(left, 0), 0, size.x, size.y));
  }

  // Whether the render `shown` is the output the layout plans (the same size, over the same part of the photo).
  function sameOutput(layout, shown) {
    const rect = outputRect(layout);
    return layout.width === shown.width && layout.height === shown.height && rect.every((v, i) => Math.abs(v - shown.rect[i]) < 0.01);
  }

  function toScreen(px, py) {
    // A point in photo pixels, in the view's CSS pixels.
    return items.photo.imageToViewerElementCoordinates(new OSD.Point(px, py));
  }

  // Output pixels (x, y) of the chosen W x H in photo pixels, by the layout (what a render will do).
  function outputToPhoto(layout, x, y) {
    const [fx, fy] = liifLogic.toFraction(layout, x, y);
    return [fx * source.width, fy * source.height];
  }

  // The whole output over the photo, [left, top, width, height] in photo pixels (as a render's `shown.rect`).
  function outputRect(layout) {
    const [x0, y0] = outputToPhoto(layout, 0, 0);
    const [x1, y1] = outputToPhoto(layout, layout.width, layout.height);
    return [x0, y0, x1 - x0, y1 - y0];
  }

  function pattern(ctx) {
    if (!checkers) {
      const tile = document.createElement("canvas");
      tile.width = tile.height = 16;
      const t = tile.getContext("2d");
      t.fillStyle = "#9a9a9a";
      t.fillRect(0, 0, 16, 16);
      t.fillStyle = "#cfcfcf";
      t.fillRect(0, 0, 8, 8);
      t.fillRect(8, 8, 8, 8);
      checkers = tile;
    }
    return ctx.createPattern(checkers, "repeat");
  }

  // Fill's cut (the photo outside the output, dimmed), fit's margins (the output outside the photo, in their
  // colour), and a dashed frame around the output wherever it is not the photo itself.
  function drawLayout(ctx, layout) {
    const screenRect = ([x, y, w, h]) => {
      const [a, b] = [toScreen(x, y), toScreen(x + w, y + h)];
      return [a.x, a.y, b.x - a.x, b.y - a.y];
    };
    const output = screenRect(outputRect(layout));
    const photo = screenRect([0, 0, source.width, source.height]);
    if (output.every((v, i) => Math.abs(v - photo[i]) < 0.5)) return; // a stretch: the output is the photo
    const ring = (within, fill) => {
      ctx.save();
      ctx.beginPath();
      ctx.rect(...within);
      ctx.clip();
      ctx.beginPath();
      ctx.rect(...photo);
      ctx.rect(...output);
      ctx.fillStyle = fill;
      ctx.fill("evenodd");
      ctx.restore();
    };
    ring(photo, CUT);
    if (!(result && result.state === "done" && sameOutput(layout, result))) {
      ring(output, marks.transparent ? pattern(ctx) : marks.colour || "#000000"); // a finished fit shows its own
    }
    ctx.save();
    ctx.setLineDash([6, 4]);
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 1.5;
    ctx.strokeRect(...output);
    ctx.restore();
  }

  function drawMarks() {
    const ratio = window.devicePixelRatio;
    const [width, height] = [Math.round(view.clientWidth * ratio), Math.round(view.clientHeight * ratio)];
    if (overlay.width !== width || overlay.height !== height) [overlay.width, overlay.height] = [width, height];
    const ctx = overlay.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    if (!marks || !marks.layout || !items.photo) return;
    const layout = marks.layout;
    drawLayout(ctx, layout);
    const at = (x, y) => toScreen(...outputToPhoto(layout, x, y));
    ctx.lineWidth = 2;
    const box = marks.box;
    if (Array.isArray(box) && box.length === 4 && box.every(Number.isFinite) && box[2] > 0) {
      const [a, b] = [at(box[0], box[1]), at(box[0] + box[2], box[1] + box[3])];
      ctx.strokeStyle = "#ff9f1c";
      ctx.strokeRect(a.x, a.y, b.x - a.x, b.y - a.y);
    }
    const [x0, y0, x1, y1] = marks.line;
    if ([x0, y0, x1, y1].every(Number.isFinite) && (x0 !== x1 || y0 !== y1)) {
      const [a, b] = [at(x0, y0), at(x1, y1)];
      ctx.strokeStyle = "#2ec4b6";
      ctx.beginPath();
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
      ctx.stroke();
    }
    if (hovered) {
      const c = at(...hovered);
      ctx.fillStyle = "#2ec4b6";
      ctx.strokeStyle = "#ffffff";
      ctx.beginPath();
      ctx.arc(c.x, c.y, 5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  }

  function refresh() {
    layers();
    drawMarks();
    showInfo();
  }

  // Everything in view: the photo, the output's margins and the render, with a little room around.
  function fitAll(immediately = false) {
    if (!viewer || !items.photo) return;
    let bounds = items.photo.getBounds();
    const rects = [];
    if (marks && marks.layout) rects.push(new OSD.Rect(...outputRect(marks.layout).map((v) => v / source.width)));
    if (items.result) rects.push(items.result.getBounds());
    for (const r of rects) bounds = bounds.union(r);
    viewer.viewport.fitBounds(bounds, immediately);
    fitted = true;
  }

  function addTiles(name, method, index) {
    return new Promise((resolve) => {
      viewer.addTiledImage({
        tileSource: tileSource(name, method), index, x: 0, width: 1, opacity: 0,
        success: (event) => {
          items[name] = event.item;
          resolve();
        },
      });
    });
  }

  async function replaceTiles() {
    // Another model or precision for the same photo: keep the view, swap the tiled layers.
    for (const name of LAYERS) {
      if (items[name]) viewer.world.removeItem(items[name]);
      delete items[name];
    }
    queue = [];
    liifDrawn = false;
    liifFloor = floorFor(result); // another precision has other levels
    for (const [index, name] of LAYERS.entries()) await addTiles(name, name, index + 1);
    if (items.result) viewer.world.setItemIndex(items.result, viewer.world.getIndexOfItem(items.liif));
    refresh();
    if (pending && pending.photo === source.photo) onResult(pending); // a frame that came meanwhile
  }

  function create() {
    viewer = OSD({
      element: view,
      drawer: "canvas",
      showNavigationControl: false,
      immediateRender: true,
      timeout: 24 * 3600 * 1000, // held tiles wait for the view to come back, not for a timer
      maxZoomPixelRatio: 2,
      minPixelRatio: MIN_PIXEL_RATIO,
      visibilityRatio: 0.5,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
      gestureSettingsTouch: { clickToZoom: false, dblClickToZoom: true },
    });
    viewer.addHandler("update-viewport", refresh);
    viewer.addHandler("animation-finish", pump);
    viewer.addHandler("resize", () => {
      if (fitted) setTimeout(() => fitAll(true), 0); // after OpenSeadragon keeps the old bounds' width itself
      refresh();
    });
    for (const gesture of ["canvas-drag", "canvas-scroll", "canvas-pinch", "canvas-double-click"]) {
      viewer.addHandler(gesture, () => { fitted = false; });
    }
    viewer.addHandler("canvas-click", (event) => {
      if (!event.quick || !items.photo) return;
      const p = items.photo.viewerElementToImageCoordinates(event.position);
      const fx = p.x / source.width;
      const fy = p.y / source.height;
      if (fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1) trigger("select", { index: [fx, fy], value: null, selected: true }); // gr.SelectData: index
    });
    view.addEventListener("pointermove", (event) => {
      if (!items.photo) return;
      const box = view.getBoundingClientRect();
      const p = items.photo.viewerElementToImageCoordinates(new OSD.Point(event.clientX - box.left, event.clientY - box.top));
      let text = `input (${p.x.toFixed(1)}, ${p.y.toFixed(1)})`;
      const layout = marks && marks.layout;
      if (layout) {
        const [ox, oy] = liifLogic.toOutput(layout, p.x / source.width, p.y / source.height);
        text = `output (${ox.toFixed(1)}, ${oy.toFixed(1)}) of ${layout.width}×${layout.height} · ${text}`;
      }
      where.textContent = text;
    });
  }

  function open(next) {
    const samePhoto = source && next && source.photo === next.photo;
    if (!samePhoto && viewer) clearResult();
    source = next;
    stage.classList.toggle("dz-empty", !next);
    queue = [];
    lastError = "";
    if (!next) {
      if (viewer) viewer.close();
      for (const name of Object.keys(items)) delete items[name];
      showInfo();
      return;
    }
    stage.style.setProperty("--dz-aspect", String(next.width / next.height)); // the view takes the photo's shape
    if (!viewer) create();
    if (samePhoto && items.photo) {
      replaceTiles();
      return;
    }
    for (const name of Object.keys(items)) delete items[name];
    liifFloor = NaN;
    viewer.addOnceHandler("open", () => {
      items.photo = viewer.world.getItemAt(0);
      fitAll(true);
      replaceTiles();
    });
    viewer.open({ tileSource: { type: "image", url: next.url, buildPyramid: false }, x: 0, width: 1 });
    showInfo();
  }

  // --- the swipe divider --------------------------------------------------------------------------------
  swipe.addEventListener("change", () => {
    if (source && items.liif) {
      refresh();
      viewer.forceRedraw();
    }
  });
  divider.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    event.stopPropagation();
    divider.setPointerCapture(event.pointerId);
    const move = (e) => {
      const box = stage.getBoundingClientRect();
      split = Math.min(Math.max((e.clientX - box.left) / box.width, 0), 1);
      refresh();
      viewer.forceRedraw();
    };
    const up = () => {
      divider.removeEventListener("pointermove", move);
      divider.removeEventListener("pointerup", up);
    };
    divider.addEventListener("pointermove", move);
    divider.addEventListener("pointerup", up);
  });
  root.querySelector(".dz-fit").addEventListener("click", () => fitAll());

  function parse(value) {
    try {
      return value ? JSON.parse(value) : null;
    } catch {
      return null;
    }
  }

  const sameRect = (a, b) => JSON.stringify(a && [a.width, a.height, a.render, a.offset]) === JSON.stringify(b && [b.width, b.height, b.render, b.offset]);

  window.liifDeepZoom = {
    stats,
    viewer: () => viewer,
    items,
    photoZoom,
    level: () => (items.liif ? neededLevel() : null),
    split: () => split,
    shownMarks: () => marks,
    shownResult: () => result,
    liifFloor: () => liifFloor,
    // Tiles held back (they left the view before their turn) and still unsent, as the server would be asked.
    waiting: () => queue.filter((job) => job.userData.held && !job.userData.id).map(({ postData: p, userData: u }) => (
      { method: p.method, zoom: zoomOfLevel(p.level, u.layer), col: p.x, row: p.y })),
    // The marks and the layout (controls.js): the crop's box as the server renders it, the line, where the
    // output lies over the photo and fit's margins, all in output pixels of the chosen W x H.
    marks(next) {
      const moved = !sameRect(marks && marks.layout, next && next.layout);
      marks = next;
      if (moved && fitted) fitAll();
      refresh();
    },
    hover(point) {
      hovered = point;
      drawMarks();
    },
    // A frame of Upscale (events/upscale.shown).
    result: onResult,
    // Upscale was clicked: the result view comes on the screen if it is not.
    reveal,
  };
  if (!OSD) {
    info.textContent = "The deep-zoom viewer could not load (demo/page/static/vendor/openseadragon).";
    return;
  }
  // Tiles render only while the viewer can be seen: a scroll holds them, and coming back sends them again.
  new IntersectionObserver((entries) => {
    onScreen = entries[entries.length - 1].isIntersecting;
    if (!viewer) return;
    refresh();
    if (onScreen) pump();
  }).observe(stage);
  watch("value", () => open(parse(props.value)));
  open(parse(props.value));
})();
