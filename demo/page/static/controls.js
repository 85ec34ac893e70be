// The size controls, run in the browser: width, height, preset, scale and "keep aspect" update each other
// synchronously on every keystroke or slider move, so what the boxes show is what Upscale sends. Only the
// photo's own size and the layout (where its render lies in an output of another shape) come from the server.
// Loaded by launch(js=...). The page wraps this function so SETTINGS holds the numbers and words it shares with
// Python (demo/page/shell.py).
() => {
  const L = liifLogic; // static/logic.js: the arithmetic, tested under node
  const MAX_SIDE = SETTINGS.maxSide; // the library's largest side (liif.io.sizes.MAX_SIDE)
  const whole = (v) => (typeof v === "number" && Number.isFinite(v) ? v : NaN);
  const valid = (v) => L.isSide(v, MAX_SIDE);
  const clampScale = (s) => L.clampScale(s, SETTINGS.scaleRange);
  const same = { __type__: "update" }; // an output left as it is
  // What a render costs here: LIIF+ renders 8 views no further than x4, auto no further than its detail scale;
  // a fill renders only the window it shows.
  function estimate(w, h, iw, ih, speed, quality, precision, layout) {
    const plus = quality === SETTINGS.liifPlus;
    const cap = plus ? SETTINGS.liifPlusScale : precision === SETTINGS.exact ? Infinity : SETTINGS.detailScale;
    const [views, placed] = [plus ? SETTINGS.liifPlusViews : 1, L.layoutOf(layout, w, h)];
    const work = L.liifPixels(w, h, iw, ih, cap, views, placed) + L.latentCodes(w, h, iw, ih, views, placed);
    return L.estimate(work, w * h, speed);
  }

  // The scale slider's label and the line under the size: sizes, scale, what a fill or fit does, the estimate.
  function describe(w, h, iw, ih, speed, quality, precision, layout) {
    const placed = L.layoutOf(layout, w, h);
    const { label, text } = L.describe(w, h, iw, ih, MAX_SIDE, placed && placed.render);
    if (text === null) return [label, SETTINGS.noPhoto];
    const said = placed && placed.said ? `\n\n*${placed.said}*` : "";
    const limit = L.sizeLimit(w, h, MAX_SIDE, SETTINGS.maxPixels);
    if (limit) return [label, valid(w) && valid(h) ? `${text}${said}\n\n**${limit}**` : `**${limit}**`];
    return [label, text + estimate(w, h, iw, ih, speed, quality, precision, layout) + said];
  }

  // Upscale is enabled only for a size this app renders (with a photo): too big or empty is said, not clicked.
  const run = (w, h, iw) => ({ __type__: "update", interactive: valid(iw) && !L.sizeLimit(w, h, MAX_SIDE, SETTINGS.maxPixels) });

  // What the scale slider shows: the width's scale, with a label that says "custom" when the sides differ.
  function slider(w, h, iw, ih) {
    const [label] = describe(w, h, iw, ih);
    const update = { __type__: "update", label };
    if (valid(w) && valid(iw)) update.value = clampScale(w / iw);
    return update;
  }

  const info = (...args) => describe(...args)[1];

  // Gradio's number boxes show 0 for "no value"; before a photo exists they should look empty.
  function blankSizes() {
    for (const id of ["width", "height"]) {
      const box = document.querySelector(`#${id} input`);
      if (box) box.value = "";
    }
  }
  const blankWhenReady = (tries) => {
    if (document.querySelector("#width input")) blankSizes();
    else if (tries > 0) setTimeout(() => blankWhenReady(tries - 1), 100);
  };
  blankWhenReady(100);

  // The marks (crop centre, line, explained point) in output pixels, from their anchors (fractions of the photo's
  // render), kept inside the output: a fill cuts the photo's edges off.
  const tenth = (v) => Math.round(v * 10) / 10; // the boxes show a tenth of a pixel
  function marksOf(anchors, layout) {
    const inside = ([x, y], slack) => [Math.min(Math.max(x, 0), layout.width - slack), Math.min(Math.max(y, 0), layout.height - slack)];
    const at = (pair, slack = 0) => (Array.isArray(pair) && pair.length >= 2 ? inside(L.toOutput(layout, pair[0], pair[1]), slack) : null);
    const a = anchors || {};
    const line = Array.isArray(a.line) && a.line.length === 4 ? [at(a.line.slice(0, 2)), at(a.line.slice(2))] : [null, null];
    const point = at(a.point, 1e-9);
    return [
      ...(at(a.crop) || [same, same]).map((v) => (v === same ? v : tenth(v))),
      ...line.flatMap((end) => (end ? end.map(tenth) : [same, same])),
      ...(point ? point.map(Math.floor) : [same, same]),
    ];
  }

  // Marks over the compare crops: the line and the point of it the plot is hovered at; on the result view the
  // deep zoom draws them (deepzoom.js). Each crop gets a canvas laid exactly over the picture as shown.
  let shown = null; // crop box [left, top, width, height], x0, y0, x1, y1: output pixels of the W x H
  let hovered = null; // the hovered point of the line, [x, y] in output pixels, or null
  let queued = false;

  // A canvas over what `img` shows, its context mapping `region` ([left, top, width, height] in output
  // pixels) onto the picture; null while the picture is not there.
  function overlay(img, region) {
    if (!img.naturalWidth) return null;
    const holder = img.parentElement;
    let canvas = holder.querySelector(":scope > canvas.liif-marks");
    if (!canvas) {
      canvas = document.createElement("canvas");
      canvas.className = "liif-marks";
      holder.style.position = "relative";
      holder.appendChild(canvas);
    }
    const frame = img.getBoundingClientRect();
    const parent = holder.getBoundingClientRect();
    const fit = Math.min(frame.width / img.naturalWidth, frame.height / img.naturalHeight);
    const w = img.naturalWidth * fit;
    const h = img.naturalHeight * fit;
    Object.assign(canvas.style, {
      position: "absolute", pointerEvents: "none", width: `${w}px`, height: `${h}px`, zIndex: 4,
      left: `${frame.left - parent.left + (frame.width - w) / 2}px`, top: `${frame.top - parent.top + (frame.height - h) / 2}px`,
    });
    const ratio = window.devicePixelRatio;
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
    const ctx = canvas.getContext("2d");
    const [left, top, rw, rh] = region;
    ctx.setTransform((w / rw) * ratio, 0, 0, (h / rh) * ratio, (-left * w / rw) * ratio, (-top * h / rh) * ratio);
    ctx.lineWidth = (2 * rw) / w;
    return ctx;
  }

  function drawMarks() {
    queued = false;
    document.querySelectorAll("canvas.liif-marks").forEach((c) => c.getContext("2d").clearRect(0, 0, c.width, c.height));
    if (!shown) return;
    const [box, x0, y0, x1, y1] = shown;
    if (!(Array.isArray(box) && box.length === 4 && box.every(Number.isFinite))) return;
    for (const img of document.querySelectorAll("#slider img, #nearest img")) {
      const ctx = overlay(img, box);
      if (!ctx) continue;
      if ([x0, y0, x1, y1].every(Number.isFinite) && (x0 !== x1 || y0 !== y1)) {
        ctx.strokeStyle = "#2ec4b6";
        ctx.beginPath();
        ctx.moveTo(x0, y0);
        ctx.lineTo(x1, y1);
        ctx.stroke();
      }
      if (hovered) {
        ctx.fillStyle = "#2ec4b6";
        ctx.strokeStyle = "#ffffff";
        ctx.beginPath();
        ctx.arc(hovered[0], hovered[1], 4 * ctx.lineWidth, 0, 2 * Math.PI); // 8 screen pixels
        ctx.fill();
        ctx.stroke();
      }
    }
  }

  function redraw() {
    if (!queued) {
      queued = true;
      requestAnimationFrame(drawMarks);
    }
  }

  function hover(point) {
    hovered = point;
    redraw();
    if (window.liifDeepZoom) window.liifDeepZoom.hover(point);
  }

  function watchPlot() {
    const graph = document.querySelector("#plot .js-plotly-plot");
    if (!graph || graph.liifHover || typeof graph.on !== "function") return;
    graph.liifHover = true;
    graph.on("plotly_hover", (event) => {
      if (!shown || !event.points.length) return;
      const [, x0, y0, x1, y1] = shown;
      const length = Math.hypot(x1 - x0, y1 - y0) || 1;
      const t = Math.min(Math.max(event.points[0].x / length, 0), 1);
      hover([x0 + t * (x1 - x0), y0 + t * (y1 - y0)]);
    });
    graph.on("plotly_unhover", () => hover(null));
  }

  new MutationObserver((changes) => {
    watchPlot();
    // New pictures (not this code's own canvases) are marked again.
    if (changes.some((c) => [...c.addedNodes].some((n) => !(n instanceof HTMLCanvasElement)) || c.type === "attributes")) redraw();
  }).observe(document.body, { subtree: true, childList: true, attributeFilter: ["src"] });
  window.addEventListener("resize", redraw);
  document.addEventListener("load", (event) => { if (event.target instanceof HTMLImageElement) redraw(); }, true);

  window.liifControls = {
    // After the photo changed: blank the boxes again if it was removed, else add the time estimate.
    photoSet(iw, ih, w, h, speed, quality, precision, layout, text) {
      if (!valid(whole(iw))) {
        setTimeout(blankSizes, 0);
        return [text];
      }
      // The line is made here again, not added to: Gradio may report one upload twice (the estimate was there twice).
      const [, ...notes] = text.split("\n\n").filter((part) => !part.startsWith("*fill") && !part.startsWith("*fit"));
      return [[info(w, h, iw, ih, speed, quality, precision, layout), ...notes].join("\n\n"), run(w, h, iw)];
    },
    // Width typed or pasted: with "keep aspect" the height follows; the size is the person's own now.
    fromWidth(keep, w, h, iw, ih, ...estimated) {
      w = whole(w);
      if (keep && valid(w) && valid(iw)) h = L.keepAspect(w, iw, ih);
      return [h, slider(w, h, iw, ih), info(w, h, iw, ih, ...estimated), run(w, h, iw), SETTINGS.custom];
    },
    fromHeight(keep, w, h, iw, ih, ...estimated) {
      h = whole(h);
      if (keep && valid(h) && valid(ih)) w = L.keepAspect(h, ih, iw);
      return [w, slider(w, h, iw, ih), info(w, h, iw, ih, ...estimated), run(w, h, iw), SETTINGS.custom];
    },
    // The slider moved (drag, click or arrow keys): both sides from the photo's size. A release at the scale the
    // sizes already show (Tab through its box, a click on its thumb) leaves a typed width x height as it is.
    fromScale(s, w, h, iw, ih, ...estimated) {
      const moved = !(valid(w) && valid(iw) && s === clampScale(w / iw));
      if (moved && valid(iw) && valid(ih) && Number.isFinite(s) && s > 0) {
        w = Math.max(1, Math.round(iw * s));
        h = Math.max(1, Math.round(ih * s));
      }
      const label = { __type__: "update", label: describe(w, h, iw, ih)[0] };
      return [w, h, label, info(w, h, iw, ih, ...estimated), run(w, h, iw), SETTINGS.custom];
    },
    // "Keep aspect" switched on: the height follows the width again.
    fromKeep(keep, w, h, iw, ih, ...estimated) {
      if (keep) return window.liifControls.fromWidth(keep, w, h, iw, ih, ...estimated);
      return [h, slider(w, h, iw, ih), info(w, h, iw, ih, ...estimated), run(w, h, iw), SETTINGS.custom];
    },
    // A preset: its sizes, "keep aspect" off (a preset has its own shape), and fill for another shape than the
    // photo's unless a fit is chosen (nothing is stretched unless asked for).
    fromPreset(value, fit, w, h, iw, ih, ...estimated) {
      const size = L.presetSize(value);
      if (!size) return [same, same, same, same, same, same, same];
      [w, h] = size;
      const fitted = valid(iw) ? L.presetFit(w, h, iw, ih, fit) : fit;
      return [w, h, false, fitted, slider(w, h, iw, ih), info(w, h, iw, ih, ...estimated), run(w, h, iw)];
    },
    // The measured speed (after a render), the quality or the precision changed: renew the estimate.
    fromSpeed(w, h, iw, ih, ...estimated) {
      return [info(whole(w), whole(h), iw, ih, ...estimated)];
    },
    // The layout came for a new size or fit: its words in the line under the size, and every mark on the same
    // spot of the photo as before.
    // (The slider keeps its label: an update of a slider's label makes Gradio fire its release, which would set
    // both sides from the scale again.)
    fromLayout(anchors, w, h, iw, ih, ...estimated) {
      const layout = estimated[estimated.length - 1];
      const text = info(whole(w), whole(h), iw, ih, ...estimated);
      return [text, ...(layout ? marksOf(anchors, layout) : Array(8).fill(same))];
    },
    // A mark typed in its box: kept as a spot of the photo.
    fromMarks(cx, cy, x0, y0, x1, y1, ex, ey, layout, anchors) {
      if (!layout) return [same];
      const kept = { ...(anchors || {}) };
      // Output points (x, y, x, y, ...) as flat fractions of the render, kept only when every number is one.
      const spot = (name, ...xy) => {
        if (xy.every(Number.isFinite)) kept[name] = xy.flatMap((v, i) => (i % 2 ? [] : L.toFraction(layout, v, xy[i + 1])));
      };
      spot("crop", cx, cy);
      spot("line", x0, y0, x1, y1);
      spot("point", ex + 0.5, ey + 0.5);
      return [kept];
    },
    // The fit's margins are chosen only for fit.
    fromFit(fit) {
      return [{ __type__: "update", visible: fit === "fit" }];
    },
    // The crop, the line, the layout or the margins changed: draw them on the compare crops and the result view.
    // `box` is the crop's window as the server renders it (output pixels: left, top, width, height).
    marks(box, x0, y0, x1, y1, layout, colour, transparent) {
      shown = [box, x0, y0, x1, y1];
      redraw();
      if (window.liifDeepZoom) window.liifDeepZoom.marks({ box, line: [x0, y0, x1, y1], layout, colour, transparent });
      return [];
    },
    // A frame of a render (events.upscale.shown): to the result view.
    shown(value) {
      if (window.liifDeepZoom) window.liifDeepZoom.result(value);
      return [];
    },
  };
}
