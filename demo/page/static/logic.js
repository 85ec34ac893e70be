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

  // The pixels LIIF itself renders for a w x h output of an iw x ih photo: no side past `cap` times the
  // photo's (auto: its detail scale, LIIF+: x4; Infinity: every pixel), times the views LIIF+ averages.
  const liifPixels = (w, h, iw, ih, cap, views) => Math.min(w, cap * iw) * Math.min(h, cap * ih) * views;

  // "about T s to render here", from this machine's measured speed (LIIF pixels per second).
  function estimate(pixels, rate) {
    if (!(rate > 0)) return "";
    const seconds = pixels / rate;
    if (seconds < 1) return " · under a second to render here";
    return ` · about ${seconds < 90 ? Math.round(seconds) + " s" : Math.round(seconds / 60) + " min"} to render here`;
  }

  // The scale slider's label and the line under the size, for an output w x h of a photo iw x ih.
  function describe(w, h, iw, ih, maxSide) {
    if (!isSide(iw, maxSide) || !isSide(ih, maxSide)) return { label: "Scale", text: null };
    if (!isSide(w, maxSide) || !isSide(h, maxSide)) {
      return { label: "Scale", text: `Input ${iw}×${ih}. Width and height must be whole numbers from 1 to ${maxSide}.` };
    }
    const uniform = Math.round((w * ih) / iw) === h || Math.round((h * iw) / ih) === w;
    const sx = (w / iw).toFixed(2);
    const scale = uniform ? `×${sx}` : `custom: ×${sx} across, ×${(h / ih).toFixed(2)} down`;
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

  return { isSide, sizeLimit, clampScale, liifPixels, estimate, describe, keepAspect, levels, neededLevel, sendOrder };
})();
if (typeof module !== "undefined") module.exports = liifLogic;
