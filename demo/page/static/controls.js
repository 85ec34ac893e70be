// The size controls, run in the browser: width, height, scale and "keep aspect" update each other
// synchronously on every keystroke or slider move, so what the boxes show is what Upscale sends.
// Only the photo's own size comes from the server (when a photo is chosen). Loaded by launch(js=...).
// The page wraps this function so SETTINGS holds the numbers and words it shares with Python (demo/page/shell.py).
() => {
  const L = liifLogic; // static/logic.js: the arithmetic, tested under node
  const MAX_SIDE = SETTINGS.maxSide; // the library's largest side (liif.sizes.MAX_SIDE)
  const whole = (v) => (typeof v === "number" && Number.isFinite(v) ? v : NaN);
  const valid = (v) => L.isSide(v, MAX_SIDE);
  const clampScale = (s) => L.clampScale(s, SETTINGS.scaleRange);
  // What a render costs here: LIIF+ renders 8 views no further than x4, auto no further than its detail scale.
  function estimate(w, h, iw, ih, rate, quality, precision) {
    const best = quality === SETTINGS.best;
    const cap = best ? SETTINGS.bestScale : precision === SETTINGS.exact ? Infinity : SETTINGS.detailScale;
    return L.estimate(L.liifPixels(w, h, iw, ih, cap, best ? SETTINGS.bestViews : 1), rate);
  }

  function describe(w, h, iw, ih, rate, quality, precision) {
    const { label, text } = L.describe(w, h, iw, ih, MAX_SIDE);
    if (text === null) return [label, SETTINGS.noPhoto];
    const limit = L.sizeLimit(w, h, MAX_SIDE, SETTINGS.maxPixels);
    if (limit) return [label, valid(w) && valid(h) ? `${text}\n\n**${limit}**` : `**${limit}**`];
    return [label, text + estimate(w, h, iw, ih, rate, quality, precision)];
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

  function info(w, h, iw, ih, rate, quality, precision) {
    return describe(w, h, iw, ih, rate, quality, precision)[1];
  }

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

  // The crop centre is kept as a fraction of the output (fx, fy), so it stays on the same spot of the
  // photo when the size changes; the boxes show it in output pixels.
  const tenth = (v) => Math.round(v * 10) / 10; // the boxes show a tenth of a pixel
  const centre = (w, h, fx, fy) =>
    valid(w) && valid(h) && Number.isFinite(fx) && Number.isFinite(fy) ? [tenth(fx * w), tenth(fy * h)] : [undefined, undefined];

  // Marks over pictures: the crop (orange) and the line (teal) on the result, the line on the compare
  // crops, and the point of the line the plot is hovered at. Each picture gets a canvas laid exactly over
  // the picture as shown (images are scaled to fit their box), redrawn when the page changes.
  let shown = null; // crop box, its centre x, its side, x0, y0, x1, y1, width, height: output pixels of the W x H
  let hovered = null; // the hovered point of the line, [x, y] in output pixels, or null
  let queued = false;

  function cropBox() {
    // The compare crop in output pixels, [left, top, width, height]: the window the server renders (Compare.box).
    const [box] = shown;
    return Array.isArray(box) && box.length === 4 ? box : [0, 0, 0, 0];
  }

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

  function drawLine(ctx) {
    const [, , , x0, y0, x1, y1] = shown;
    if (![x0, y0, x1, y1].every(Number.isFinite) || (x0 === x1 && y0 === y1)) return;
    ctx.strokeStyle = "#2ec4b6";
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    ctx.stroke();
  }

  function drawPoint(ctx) {
    if (!hovered) return;
    const radius = 4 * ctx.lineWidth; // 8 screen pixels
    ctx.fillStyle = "#2ec4b6";
    ctx.strokeStyle = "#ffffff";
    ctx.beginPath();
    ctx.arc(hovered[0], hovered[1], radius, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }

  function drawMarks() {
    queued = false;
    document.querySelectorAll("canvas.liif-marks").forEach((c) => c.getContext("2d").clearRect(0, 0, c.width, c.height));
    if (!shown || !(shown[7] > 0 && shown[8] > 0)) return;
    const [, , , , , , , ow, oh] = shown;
    const result = document.querySelector("#result img");
    if (result && result.naturalWidth === ow && result.naturalHeight === oh) { // a result of another size: no marks
      const ctx = overlay(result, [0, 0, ow, oh]);
      if (ctx) {
        ctx.strokeStyle = "#ff9f1c";
        ctx.strokeRect(...cropBox());
        drawLine(ctx);
        drawPoint(ctx);
      }
    }
    for (const img of document.querySelectorAll("#slider img, #nearest img")) {
      const ctx = overlay(img, cropBox());
      if (ctx) {
        drawLine(ctx);
        drawPoint(ctx);
      }
    }
  }

  function redraw() {
    if (!queued) {
      queued = true;
      requestAnimationFrame(drawMarks);
    }
  }

  function watchPlot() {
    const graph = document.querySelector("#plot .js-plotly-plot");
    if (!graph || graph.liifHover || typeof graph.on !== "function") return;
    graph.liifHover = true;
    graph.on("plotly_hover", (event) => {
      if (!shown || !event.points.length) return;
      const [, , , x0, y0, x1, y1] = shown;
      const length = Math.hypot(x1 - x0, y1 - y0) || 1;
      const t = Math.min(Math.max(event.points[0].x / length, 0), 1);
      hovered = [x0 + t * (x1 - x0), y0 + t * (y1 - y0)];
      redraw();
    });
    graph.on("plotly_unhover", () => {
      hovered = null;
      redraw();
    });
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
    photoSet(iw, ih, w, h, rate, quality, precision, text) {
      if (!valid(whole(iw))) {
        setTimeout(blankSizes, 0);
        return [text];
      }
      const [first, ...notes] = text.split("\n\n");
      const limit = L.sizeLimit(w, h, MAX_SIDE, SETTINGS.maxPixels);
      const line = limit ? `${first}\n\n**${limit}**` : first + estimate(w, h, iw, ih, rate, quality, precision);
      return [[line, ...notes].join("\n\n"), run(w, h, iw)];
    },
    // Width typed or pasted: with "keep aspect" the height follows.
    fromWidth(keep, w, h, iw, ih, fx, fy, rate, quality, precision) {
      w = whole(w);
      if (keep && valid(w) && valid(iw)) h = L.keepAspect(w, iw, ih);
      return [h, slider(w, h, iw, ih), info(w, h, iw, ih, rate, quality, precision), ...centre(w, h, fx, fy), run(w, h, iw)];
    },
    fromHeight(keep, w, h, iw, ih, fx, fy, rate, quality, precision) {
      h = whole(h);
      if (keep && valid(h) && valid(ih)) w = L.keepAspect(h, ih, iw);
      return [w, slider(w, h, iw, ih), info(w, h, iw, ih, rate, quality, precision), ...centre(w, h, fx, fy), run(w, h, iw)];
    },
    // The slider moved (drag, click or arrow keys): both sides from the photo's size.
    fromScale(s, w, h, iw, ih, fx, fy, rate, quality, precision) {
      if (valid(iw) && valid(ih) && Number.isFinite(s) && s > 0) {
        w = Math.max(1, Math.round(iw * s));
        h = Math.max(1, Math.round(ih * s));
      }
      const label = { __type__: "update", label: describe(w, h, iw, ih)[0] };
      return [w, h, label, info(w, h, iw, ih, rate, quality, precision), ...centre(w, h, fx, fy), run(w, h, iw)];
    },
    // "Keep aspect" switched on: the height follows the width again.
    fromKeep(keep, w, h, iw, ih, fx, fy, rate, quality, precision) {
      if (keep) return window.liifControls.fromWidth(keep, w, h, iw, ih, fx, fy, rate, quality, precision);
      return [h, slider(w, h, iw, ih), info(w, h, iw, ih, rate, quality, precision), ...centre(w, h, fx, fy), run(w, h, iw)];
    },
    // The measured speed (after a render) or the quality changed: renew the estimate for the sizes shown.
    fromSpeed(w, h, iw, ih, rate, quality, precision) {
      return [info(whole(w), whole(h), iw, ih, rate, quality, precision)];
    },
    // The crop centre typed: remember it as a fraction of the output.
    fromCentre(cx, cy, w, h) {
      return valid(w) && valid(h) && Number.isFinite(cx) && Number.isFinite(cy) ? [cx / w, cy / h] : [undefined, undefined];
    },
    // The crop or the line moved, or the output size changed: draw them on the result and the deep zoom.
    // `box` is the crop's window as the server renders it (output pixels: left, top, width, height).
    marks(box, x0, y0, x1, y1, width, height) {
      const drawn = Array.isArray(box) && box.length === 4 ? box : [NaN, NaN, NaN, NaN];
      shown = [drawn, drawn[0] + drawn[2] / 2, drawn[2], x0, y0, x1, y1, width, height];
      redraw();
      if (window.liifDeepZoom) window.liifDeepZoom.marks(shown[1], drawn[1] + drawn[3] / 2, ...shown.slice(2), ...drawn.slice(0, 3));
      return [];
    },
  };
}
