// The page's arithmetic, with no page in it: sizes and scales, the time estimate, the deep zoom's levels
// and the order tiles are sent in (the crop's box comes from the server, which renders it). controls.js and deepzoom.js call these; tests/js/ runs
// them under `node --test`. The page puts this file before each script, with SETTINGS from Python.
const liifLogic = (() => {
  const isSide = (v, maxSide) => Number.isInteger(v) && v >= 1 && v <= maxSide;

  // Why a w x h output cannot be rendered here, in a person's words, or null: said before the click, with a
  // size of the same shape that can be (the server still refuses it, for API callers).
  function sizeLimit(w, h, maxSide, maxPixels) {
    if (!isSide(w, maxSide) || !isSide(h, maxSide)) return `Width and height must be whole numbers from 1 to ${maxSide}.`;
    if (w * h <= maxPixels) return null;
    const s = Math.sqrt(maxPixels / (w * h));
    const mp = (pixels) => `${+(pixels / 1e6).toFixed(1)} MP`;
    const fits = `${Math.max(1, Math.floor(w * s))}×${Math.max(1, Math.floor(h * s))}`;
    return `${mp(w * h)} is more than this app renders here (${mp(maxPixels)}): try ${fits}.`;
  }

  // The slider shows the scale to two decimals (its 0.05 step would hide 1.82), within its range.
  const clampScale = (s, [low, high]) => Math.round(100 * Math.min(high, Math.max(low, s))) / 100;

  // The layout the server sent (events.photo.placement) if it is the one of a w x h output, else null (stale).
  const layoutOf = (layout, w, h) => (layout && layout.width === w && layout.height === h ? layout : null);

  // An output point (x, y) as fractions of the photo's render, and back: marks kept as fractions stay on the
  // same spot of the photo when the size or the fit changes (liif.pipeline.layout.Layout.to_render, demo/events/common.fractions).
  const toFraction = (layout, x, y) => [(x - layout.offset[0]) / layout.render[0], (y - layout.offset[1]) / layout.render[1]];
  const toOutput = (layout, fx, fy) => [fx * layout.render[0] + layout.offset[0], fy * layout.render[1] + layout.offset[1]];

  // The pixels LIIF itself renders for a w x h output of an iw x ih photo laid out as `layout` (null: stretched):
  // the window the output shows of the render of the whole photo, no side past `cap` times the photo's (auto: its
  // detail scale; Infinity: every pixel). LIIF+ (`views` > 1) renders the whole photo no further than `cap` (x4),
  // once per view (demo/events/upscale.Upscale._liif_pixels).
  function liifPixels(w, h, iw, ih, cap, views, layout = null) {
    const [rw, rh] = layout ? layout.render : [w, h];
    const [left, top, right, bottom] = layout ? layout.box : [0, 0, w, h];
    if (views > 1) return Math.min(rw, cap * iw) * Math.min(rh, cap * ih) * views;
    return Math.round((right - left) * Math.min(1, (cap * iw) / rw) * (bottom - top) * Math.min(1, (cap * ih) / rh));
  }

  // The latent codes LIIF reads for the same render: the photo's pixels under the window (every view's for LIIF+).
  // Reading a code costs about what rendering a pixel does (demo/events/upscale.Upscale._latent_codes).
  function latentCodes(w, h, iw, ih, views, layout = null) {
    const [rw, rh] = layout ? layout.render : [w, h];
    const [left, top, right, bottom] = layout ? layout.box : [0, 0, w, h];
    if (views > 1) return iw * ih * views;
    return Math.round((((right - left) * iw) / rw) * (((bottom - top) * ih) / rh));
  }

  // "about T s to render here", from this machine's measured speed (demo/workbench.Speed): LIIF's work (its
  // pixels and the codes it reads) at the rows' rate, then the output's pixels at the finish's (writing the PNG).
  function estimate(work, output, speed) {
    if (!speed || !(speed.rows > 0) || !(speed.finish > 0)) return "";
    const seconds = work / speed.rows + output / speed.finish;
    if (seconds < 1) return " · under a second to render here";
    return ` · about ${seconds < 90 ? Math.round(seconds) + " s" : Math.round(seconds / 60) + " min"} to render here`;
  }

  // A preset's value ("1920x1080") as [w, h]; null for the person's own size.
  function presetSize(value) {
    const match = /^(\d+)x(\d+)(@\d+)?$/.exec(typeof value === "string" ? value : ""); // "@300": a print's dpi
    return match ? [Number(match[1]), Number(match[2])] : null;
  }

  // The fit a preset gets: a size of another shape than the photo's is filled (cropped), never stretched, unless
  // the person chose fill or fit already.
  const presetFit = (w, h, iw, ih, fit) => (fit === "stretch" && Math.abs((w * ih) / (h * iw) - 1) > 0.01 ? "fill" : fit);

  // The scale slider's label and the line under the size, for an output w x h of a photo iw x ih; the scale is
  // that of `render` (the render of the whole photo a fill or fit cuts or pads, [width, height]) if given.
  function describe(w, h, iw, ih, maxSide, render = null) {
    if (!isSide(iw, maxSide) || !isSide(ih, maxSide)) return { label: "Scale", text: null };
    if (!isSide(w, maxSide) || !isSide(h, maxSide)) {
      return { label: "Scale", text: `Input ${iw}×${ih}. Width and height must be whole numbers from 1 to ${maxSide}.` };
    }
    const [sw, sh] = render || [w, h];
    const uniform = Math.round((sw * ih) / iw) === sh || Math.round((sh * iw) / ih) === sw;
    const sx = (sw / iw).toFixed(2);
    const scale = uniform ? `×${sx}` : `custom: ×${sx} across, ×${(sh / ih).toFixed(2)} down`;
    return { label: `Scale ${scale}`, text: `Input ${iw}×${ih} → output ${w}×${h} · ${scale}` };
  }

  // The other side when one is typed with "keep aspect" on.
  const keepAspect = (side, photoSide, photoOther) => Math.max(1, Math.round((side * photoOther) / photoSide));

  // Deep-zoom levels of a photo w x h shown to x`deepest`: level maxLevel is the deepest render.
  function levels(w, h, deepest) {
    const maxLevel = Math.ceil(Math.log2(Math.max(w, h) * deepest));
    return { maxLevel, minLevel: maxLevel - Math.log2(deepest) };
  }

  // The level the viewer draws: the finest whose pixels are at least `minRatio` screen pixels.
  function neededLevel(range, screenPerVirtual, minRatio) {
    const level = Math.floor(range.maxLevel + Math.log2(screenPerVirtual / minRatio) + 1e-6);
    return Math.min(Math.max(level, range.minLevel), range.maxLevel);
  }

  // Which tile goes next: classic tiles (milliseconds) first, then LIIF from the view's centre outwards.
  // `tiles` are {liif: bool, distance: number}; returns them sorted, a new array.
  const sendOrder = (tiles) => [...tiles].sort((a, b) => Number(a.liif) - Number(b.liif) || a.distance - b.distance);

  return {
    isSide, sizeLimit, clampScale, layoutOf, toFraction, toOutput, liifPixels, latentCodes, estimate, presetSize,
    presetFit, describe, keepAspect, levels, neededLevel, sendOrder,
  };
})();
if (typeof module !== "undefined") module.exports = liifLogic;
