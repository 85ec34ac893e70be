// The deep-zoom viewer: the photo as a continuous image, from "fit" down to x32, on OpenSeadragon.
//
// Runs as the js_on_load of the viewer's gr.HTML (demo/page/deepzoom.py): `element`, `props`, `server`,
// `trigger` and `watch` come from Gradio. The virtual image is the photo at x32 in 256-px tiles; the levels
// from x1 to x32 are LIIF renders of that size (server.viewer_tile, demo/events/deepzoom.py), below x1 the photo
// itself is shown. The photo is drawn at once under the tiles, so every zoom shows something immediately.
// Tiles wait in a queue here: the one nearest the centre of the view goes first, and tiles that left the
// view (or are finer than the screen needs, or the viewer is off the screen) are held back, never sent,
// until they are wanted again.
(() => {
  const DEEPEST = SETTINGS.deepest; // the virtual image is the photo at this zoom (liif.tiles.MAX_ZOOM)
  const TILE = SETTINGS.tile; // the viewer's tile side (demo/page/deepzoom.py), set by the page
  // Under auto, LIIF's layer stops at its detail scale (liif.enlarge.DETAIL_SCALE): deeper, OpenSeadragon
  // enlarges that level, as the server's own renders do; LIIF adds no detail there. Exact renders every level.
  const DETAIL = SETTINGS.detail;
  const IN_FLIGHT = 2; // tile requests at once: one renders while the next travels (1 measured slower)
  const BUSY_WAIT_MS = 1000; // after the server answers "busy" (others' tiles fill its bound), ask again this late
  // A level is drawn while its pixels are at least this many screen pixels: tiles are never enlarged more
  // than 1.5x, and a view costs about as many LIIF pixels as it shows (OpenSeadragon's default 0.5: ~2.2x).
  const MIN_PIXEL_RATIO = 0.75;
  const COMPARED = ["bicubic", "nearest"]; // the classic layers a swipe can show beside LIIF
  const LAYERS = [...COMPARED, "liif"]; // tiled layers over the photo, bottom to top; hidden ones load nothing
  const OSD = window.OpenSeadragon;
  const root = element.querySelector(".dz");
  const stage = root.querySelector(".dz-stage");
  const view = root.querySelector(".dz-view");
  const overlay = root.querySelector(".dz-overlay");
  const divider = root.querySelector(".dz-divider");
  const info = root.querySelector(".dz-info");
  const where = root.querySelector(".dz-where");
  const swipe = root.querySelector(".dz-swipe");
  const stats = { asked: 0, sent: 0, held: 0, dropped: 0, busy: 0, drawn: 0, failed: 0, drawnAt: {} }; // drawnAt: per level
  let pausedUntil = 0; // no tile is sent before this time (the server said it was busy)
  const PAGE = Math.random().toString(36).slice(2); // names this page's tile requests, for dropping them
  let tileIds = 0;
  let viewer = null;
  let source = null; // what the server said to show (viewer_source): photo digest, size, url, model, precision
  const items = {}; // tiled images by name: photo, then LAYERS
  let queue = []; // tile jobs waiting to be sent
  const flying = new Set(); // jobs sent and not answered yet
  let split = 0.5; // the swipe divider, as a fraction of the view's width
  let marks = null; // the crop and the line, in output pixels of the chosen W x H (from controls.js)
  let lastError = "";
  let onScreen = false; // some of the viewer is on the screen: not in a hidden tab, not scrolled away
  let liifDrawn = false; // a tile of the current LIIF layer has arrived

  // The deepest zoom a layer has tiles for, and its levels: the classic layers and exact LIIF go to DEEPEST.
  const deepestOf = (layer) => (layer === "liif" && source.precision !== SETTINGS.exact ? DETAIL : DEEPEST);
  const levels = (layer) => liifLogic.levels(source.width, source.height, deepestOf(layer));

  // --- tiles ------------------------------------------------------------------------------------------
  function tileSource(name, method) {
    const { maxLevel, minLevel } = levels(name);
    const key = `${source.photo}/${source.model}/${source.precision}/${method}`;
    return {
      width: source.width * deepestOf(name),
      height: source.height * deepestOf(name),
      tileSize: TILE,
      tileOverlap: 0,
      minLevel,
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

  function zoomOfLevel(level, layer) {
    return deepestOf(layer) * 2 ** (level - levels(layer).maxLevel);
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

  function wanted(job) {
    const bounds = viewer.viewport.getBounds(true);
    const rect = tileRect(job);
    const inView = rect.x < bounds.x + bounds.width && rect.x + rect.width > bounds.x &&
      rect.y < bounds.y + bounds.height && rect.y + rect.height > bounds.y;
    return onScreen && inView && job.postData.level === neededLevel(job.userData.layer);
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
      (job.userData.asked !== source || !wanted(job)));
    if (!stale.length) return;
    for (const job of stale) job.userData.dropping = true;
    server.viewer_drop({ page: PAGE, tiles: stale.map((job) => job.userData.id) }).catch(() => {});
  }

  function pump() {
    if (viewer) dropStale();
    // A dropped tile's answer is only a formality: the next one goes without waiting for it.
    const busy = () => [...flying].filter((job) => !job.userData.dropping).length;
    while (viewer && busy() < IN_FLIGHT && Date.now() >= pausedUntil) {
      const live = queue.filter(wanted);
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

  // --- what the view shows ----------------------------------------------------------------------------
  function photoZoom() {
    // Screen (CSS) pixels per photo pixel.
    return items.liif ? items.liif.viewportToImageZoom(viewer.viewport.getZoom(true)) * deepestOf("liif") : 0;
  }

  function showInfo() {
    let text = source ? "Opening…" : "Pick or upload a photo to explore it.";
    if (source && items.liif) {
      const zoom = photoZoom();
      const waiting = queue.filter(wanted).length + flying.size;
      text = `×${zoom.toFixed(1)} of the photo`;
      if (zoom < 1) text += " · below ×1 the photo itself is shown";
      else if (zoom > deepestOf("liif") + 0.05) {
        text += ` · LIIF's ×${DETAIL} image enlarged; LIIF adds no detail past ×${DETAIL} here`;
      }
      if (zoom >= 1 && waiting) text += ` · LIIF: ${waiting} tile${waiting > 1 ? "s" : ""} to render` +
        (stats.drawn ? "" : " (the first one encodes the photo)");
      else if (zoom >= 1) text += " · LIIF everywhere in view";
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
    // loads nor shows.
    const shown = onScreen && !below;
    if (items.liif.getPreload() !== shown) items.liif.setPreload(shown);
    items.liif.setOpacity(shown && liifDrawn ? 1 : 0);
    for (const name of COMPARED) items[name].setOpacity(shown && method === name ? 1 : 0);
    divider.hidden = below || method === "off";
    let left = null; // where the LIIF layer's clip starts, in virtual pixels; null: not clipped
    if (method !== "off" && !below) {
      const edge = items.liif.viewerElementToImageCoordinates(new OSD.Point(split * view.clientWidth, 0)).x;
      left = Math.min(Math.max(edge, 0), source.width * deepestOf("liif"));
      divider.style.left = `${split * 100}%`;
    }
    // A new clip makes OpenSeadragon draw again, and each drawing calls this: set it only when it moved,
    // or an idle view redraws every frame.
    const clip = items.liif.getClip();
    if (left === null ? clip !== null : !clip || Math.abs(clip.x - left) > 1e-6) {
      const [w, h] = [source.width * deepestOf("liif"), source.height * deepestOf("liif")];
      items.liif.setClip(left === null ? null : new OSD.Rect(left, 0, w - left, h));
    }
  }

  function toScreen(px, py) {
    // A point in photo pixels, in the view's CSS pixels.
    return items.photo.imageToViewerElementCoordinates(new OSD.Point(px, py));
  }

  function drawMarks() {
    const ratio = window.devicePixelRatio;
    const [width, height] = [Math.round(view.clientWidth * ratio), Math.round(view.clientHeight * ratio)];
    if (overlay.width !== width || overlay.height !== height) [overlay.width, overlay.height] = [width, height];
    const ctx = overlay.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    if (!marks || !items.photo) return;
    const sx = source.width / marks.width;
    const sy = source.height / marks.height;
    ctx.lineWidth = 2;
    if (marks.side > 0) {
      const { left, top, side } = marks;
      const a = toScreen(left * sx, top * sy);
      const b = toScreen((left + side) * sx, (top + side) * sy);
      ctx.strokeStyle = "#ff9f1c";
      ctx.strokeRect(a.x, a.y, b.x - a.x, b.y - a.y);
    }
    if (marks.x0 !== marks.x1 || marks.y0 !== marks.y1) {
      const a = toScreen(marks.x0 * sx, marks.y0 * sy);
      const b = toScreen(marks.x1 * sx, marks.y1 * sy);
      ctx.strokeStyle = "#2ec4b6";
      ctx.beginPath();
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
      ctx.stroke();
    }
  }

  function refresh() {
    layers();
    drawMarks();
    showInfo();
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
    for (const [index, name] of LAYERS.entries()) await addTiles(name, name, index + 1);
    refresh();
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
    viewer.addHandler("resize", refresh);
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
      if (marks) {
        const ox = (p.x * marks.width) / source.width;
        const oy = (p.y * marks.height) / source.height;
        text = `output (${ox.toFixed(1)}, ${oy.toFixed(1)}) of ${marks.width}×${marks.height} · ${text}`;
      }
      where.textContent = text;
    });
  }

  function open(next) {
    const samePhoto = source && next && source.photo === next.photo;
    source = next;
    queue = [];
    lastError = "";
    if (!next) {
      if (viewer) viewer.close();
      for (const name of Object.keys(items)) delete items[name];
      showInfo();
      return;
    }
    if (!viewer) create();
    if (samePhoto && items.photo) {
      replaceTiles();
      return;
    }
    for (const name of Object.keys(items)) delete items[name];
    viewer.addOnceHandler("open", () => {
      items.photo = viewer.world.getItemAt(0);
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
  root.querySelector(".dz-fit").addEventListener("click", () => viewer && viewer.viewport.goHome());

  function parse(value) {
    try {
      return value ? JSON.parse(value) : null;
    } catch {
      return null;
    }
  }

  window.liifDeepZoom = {
    stats,
    viewer: () => viewer,
    items,
    photoZoom,
    level: () => (items.liif ? neededLevel() : null),
    split: () => split,
    shownMarks: () => marks,
    // Tiles held back (they left the view before their turn) and still unsent, as the server would be asked.
    waiting: () => queue.filter((job) => job.userData.held && !job.userData.id).map(({ postData: p }) => (
      { method: p.method, zoom: zoomOfLevel(p.level), col: p.x, row: p.y })),
    // The crop (centre, size, and its box kept inside the output: left, top, side) and the line, in output
    // pixels of the W x H output (controls.js clamps the box, as the server does).
    marks(cx, cy, crop, x0, y0, x1, y1, width, height, left, top, side) {
      const values = [cx, cy, crop, x0, y0, x1, y1, width, height, left, top, side];
      const ok = values.every(Number.isFinite) && width > 0 && height > 0;
      marks = ok ? { cx, cy, crop, x0, y0, x1, y1, width, height, left, top, side } : null;
      drawMarks();
    },
  };
  if (!OSD) {
    info.textContent = "The deep-zoom viewer could not load (demo/page/static/vendor/openseadragon).";
    return;
  }
  // Tiles render only while the viewer can be seen: another tab or a scroll holds them, and coming back
  // sends them again.
  new IntersectionObserver((entries) => {
    onScreen = entries[entries.length - 1].isIntersecting;
    if (!viewer) return;
    refresh();
    if (onScreen) pump();
  }).observe(stage);
  watch("value", () => open(parse(props.value)));
  open(parse(props.value));
})();
