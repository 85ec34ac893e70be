// The size controls, run in the browser: width, height, scale and "keep aspect" update each other
// synchronously on every keystroke or slider move, so what the boxes show is what Upscale sends.
// Only the photo's own size comes from the server (when a photo is chosen). Loaded by launch(js=...).
() => {
  const MAX_SIDE = 65535; // the library's largest side (liif.sizes.MAX_SIDE)
  const SLIDER = [0.25, 8]; // the scale slider's range (demo/layout.py)
  const whole = (v) => (typeof v === "number" && Number.isFinite(v) ? v : NaN);
  const valid = (v) => Number.isInteger(v) && v >= 1 && v <= MAX_SIDE;
  const fmt = (s) => s.toFixed(2);
  // The slider shows the scale to its step (0.05 would hide 1.82, so two decimals, as the label shows).
  const clampScale = (s) => Math.round(100 * Math.min(SLIDER[1], Math.max(SLIDER[0], s))) / 100;

  // "about T s here": the render alone, from this machine's measured speed (output pixels per second).
  // LIIF+ ("best") renders the photo's 8 views: 8 times the work.
  function estimate(w, h, rate, quality) {
    if (!(rate > 0)) return "";
    const seconds = ((w * h) / rate) * (String(quality).startsWith("best") ? 8 : 1);
    if (seconds < 1) return " · under a second to render here";
    return ` · about ${seconds < 90 ? Math.round(seconds) + " s" : Math.round(seconds / 60) + " min"} to render here`;
  }

  function describe(w, h, iw, ih, rate, quality) {
    if (!valid(iw) || !valid(ih)) return ["Scale", "No photo yet: upload, paste or pick one."];
    if (!valid(w) || !valid(h)) {
      return ["Scale", `Input ${iw}×${ih}. Width and height must be whole numbers from 1 to ${MAX_SIDE}.`];
    }
    const sx = w / iw;
    const sy = h / ih;
    const uniform = Math.round(w * ih / iw) === h || Math.round(h * iw / ih) === w;
    const scale = uniform ? `×${fmt(sx)}` : `custom: ×${fmt(sx)} across, ×${fmt(sy)} down`;
    return [`Scale ${scale}`, `Input ${iw}×${ih} → output ${w}×${h} · ${scale}${estimate(w, h, rate, quality)}`];
  }

  // What the scale slider shows: the width's scale, with a label that says "custom" when the sides differ.
  function slider(w, h, iw, ih) {
    const [label] = describe(w, h, iw, ih);
    const update = { __type__: "update", label };
    if (valid(w) && valid(iw)) update.value = clampScale(w / iw);
    return update;
  }

  function info(w, h, iw, ih, rate, quality) {
    return describe(w, h, iw, ih, rate, quality)[1];
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
  const centre = (w, h, fx, fy) =>
    valid(w) && valid(h) && Number.isFinite(fx) && Number.isFinite(fy) ? [fx * w, fy * h] : [undefined, undefined];

  // The crop (orange) and the line (teal) over the result, on a canvas laid exactly over the picture as
  // shown (the image is scaled to fit its box). Redrawn when the result, the marks or the page size change.
  let shown = null; // cx, cy, crop, x0, y0, x1, y1, width, height: output pixels of the chosen W x H
  let watching = null;
  function drawOnResult() {
    const box = document.querySelector("#result");
    const img = box && box.querySelector("img");
    if (box && watching !== box) {
      watching = box;
      new MutationObserver(drawOnResult).observe(box, { subtree: true, childList: true, attributeFilter: ["src"] });
      window.addEventListener("resize", drawOnResult);
    }
    if (!img || !img.naturalWidth) return;
    let canvas = img.parentElement.querySelector("canvas.liif-marks");
    if (!canvas) {
      canvas = document.createElement("canvas");
      canvas.className = "liif-marks";
      img.parentElement.style.position = "relative";
      img.parentElement.appendChild(canvas);
      img.addEventListener("load", drawOnResult);
    }
    const frame = img.getBoundingClientRect();
    const parent = img.parentElement.getBoundingClientRect();
    const fit = Math.min(frame.width / img.naturalWidth, frame.height / img.naturalHeight);
    const w = img.naturalWidth * fit;
    const h = img.naturalHeight * fit;
    Object.assign(canvas.style, {
      position: "absolute", pointerEvents: "none", width: `${w}px`, height: `${h}px`,
      left: `${frame.left - parent.left + (frame.width - w) / 2}px`, top: `${frame.top - parent.top + (frame.height - h) / 2}px`,
    });
    const ratio = window.devicePixelRatio;
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
    const ctx = canvas.getContext("2d");
    if (!shown) return;
    const [cx, cy, crop, x0, y0, x1, y1, ow, oh] = shown;
    if (!(ow > 0 && oh > 0) || img.naturalWidth !== ow || img.naturalHeight !== oh) return; // another size
    ctx.setTransform((w / ow) * ratio, 0, 0, (h / oh) * ratio, 0, 0);
    ctx.lineWidth = 2 / (w / ow);
    const side = Math.min(crop, ow, oh);
    if (side > 0 && Number.isFinite(cx) && Number.isFinite(cy)) {
      ctx.strokeStyle = "#ff9f1c";
      ctx.strokeRect(Math.min(Math.max(cx - side / 2, 0), ow - side), Math.min(Math.max(cy - side / 2, 0), oh - side), side, side);
    }
    if ([x0, y0, x1, y1].every(Number.isFinite) && (x0 !== x1 || y0 !== y1)) {
      ctx.strokeStyle = "#2ec4b6";
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
      ctx.stroke();
    }
  }

  // Hovering the line's plot marks that point of the line on the result and on the compare crops.
  let hovered = null; // [x, y] in output pixels, or null
  function cropBox() {
    const [cx, cy, crop, , , , , ow, oh] = shown;
    const side = Math.min(crop, ow, oh);
    return [Math.min(Math.max(cx - side / 2, 0), ow - side), Math.min(Math.max(cy - side / 2, 0), oh - side), side];
  }
  function dotOn(img, fx, fy) {
    const holder = img.parentElement;
    let dot = holder.querySelector(".liif-dot");
    if (!dot) {
      dot = document.createElement("div");
      dot.className = "liif-dot";
      holder.style.position = "relative";
      holder.appendChild(dot);
    }
    const frame = img.getBoundingClientRect();
    const parent = holder.getBoundingClientRect();
    const fit = Math.min(frame.width / img.naturalWidth, frame.height / img.naturalHeight);
    const w = img.naturalWidth * fit;
    const h = img.naturalHeight * fit;
    const inside = fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1;
    dot.hidden = !inside;
    dot.style.left = `${frame.left - parent.left + (frame.width - w) / 2 + fx * w}px`;
    dot.style.top = `${frame.top - parent.top + (frame.height - h) / 2 + fy * h}px`;
  }
  function showHover() {
    document.querySelectorAll(".liif-dot").forEach((dot) => { dot.hidden = true; });
    if (!hovered || !shown) return;
    const [x, y] = hovered;
    const [, , , , , , , ow, oh] = shown;
    const result = document.querySelector("#result img");
    if (result && result.naturalWidth) dotOn(result, x / ow, y / oh);
    const [left, top, side] = cropBox();
    for (const img of document.querySelectorAll("#slider img, #nearest img")) {
      if (img.naturalWidth) dotOn(img, (x - left) / side, (y - top) / side);
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
      showHover();
    });
    graph.on("plotly_unhover", () => {
      hovered = null;
      showHover();
    });
  }
  new MutationObserver(watchPlot).observe(document.body, { subtree: true, childList: true });

  window.liifControls = {
    // After the photo changed: blank the boxes again if it was removed, else add the time estimate.
    photoSet(iw, w, h, rate, quality, text) {
      if (!valid(whole(iw))) {
        setTimeout(blankSizes, 0);
        return [text];
      }
      const [first, ...notes] = text.split("\n\n");
      return [[first + estimate(w, h, rate, quality), ...notes].join("\n\n")];
    },
    // Width typed or pasted: with "keep aspect" the height follows.
    fromWidth(keep, w, h, iw, ih, fx, fy, rate, quality) {
      w = whole(w);
      if (keep && valid(w) && valid(iw)) h = Math.max(1, Math.round(w * ih / iw));
      return [h, slider(w, h, iw, ih), info(w, h, iw, ih, rate, quality), ...centre(w, h, fx, fy)];
    },
    fromHeight(keep, w, h, iw, ih, fx, fy, rate, quality) {
      h = whole(h);
      if (keep && valid(h) && valid(ih)) w = Math.max(1, Math.round(h * iw / ih));
      return [w, slider(w, h, iw, ih), info(w, h, iw, ih, rate, quality), ...centre(w, h, fx, fy)];
    },
    // The slider moved (drag, click or arrow keys): both sides from the photo's size.
    fromScale(s, w, h, iw, ih, fx, fy, rate, quality) {
      if (valid(iw) && valid(ih) && Number.isFinite(s) && s > 0) {
        w = Math.max(1, Math.round(iw * s));
        h = Math.max(1, Math.round(ih * s));
      }
      const label = { __type__: "update", label: describe(w, h, iw, ih)[0] };
      return [w, h, label, info(w, h, iw, ih, rate, quality), ...centre(w, h, fx, fy)];
    },
    // "Keep aspect" switched on: the height follows the width again.
    fromKeep(keep, w, h, iw, ih, fx, fy, rate, quality) {
      if (keep) return window.liifControls.fromWidth(keep, w, h, iw, ih, fx, fy, rate, quality);
      return [h, slider(w, h, iw, ih), info(w, h, iw, ih, rate, quality), ...centre(w, h, fx, fy)];
    },
    // The measured speed (after a render) or the quality changed: renew the estimate for the sizes shown.
    fromSpeed(w, h, iw, ih, rate, quality) {
      return [info(whole(w), whole(h), iw, ih, rate, quality)];
    },
    // The crop centre typed: remember it as a fraction of the output.
    fromCentre(cx, cy, w, h) {
      return valid(w) && valid(h) && Number.isFinite(cx) && Number.isFinite(cy) ? [cx / w, cy / h] : [undefined, undefined];
    },
    // The crop or the line moved, or the output size changed: draw them on the result and the deep zoom.
    marks(...values) {
      shown = values;
      drawOnResult();
      if (window.liifDeepZoom) window.liifDeepZoom.marks(...values);
      return [];
    },
  };
}
