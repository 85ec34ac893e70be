// The page's arithmetic (demo/page/static/logic.js) under node's own test runner: `node --test tests/js/`.
const test = require("node:test");
const assert = require("node:assert/strict");
const L = require("../../demo/page/static/logic.js");

test("sides are whole numbers from 1 to the largest side", () => {
  assert.ok(L.isSide(1, 65535) && L.isSide(65535, 65535));
  for (const bad of [0, -3, 1.5, 65536, NaN, Infinity, "12"]) assert.ok(!L.isSide(bad, 65535), String(bad));
});

test("the slider's scale is clamped to its range and shown to two decimals", () => {
  assert.equal(L.clampScale(1.8249, [0.25, 8]), 1.82);
  assert.equal(L.clampScale(100, [0.25, 8]), 8);
  assert.equal(L.clampScale(0.01, [0.25, 8]), 0.25);
});

test("keep aspect rounds the other side and never goes below one pixel", () => {
  assert.equal(L.keepAspect(1001, 500, 333), 667);
  assert.equal(L.keepAspect(1, 4000, 1), 1);
});

test("a uniform scale reads as one number, a stretched one as custom with both", () => {
  assert.equal(L.describe(200, 100, 100, 50, 65535).label, "Scale ×2.00");
  const custom = L.describe(300, 100, 100, 50, 65535);
  assert.equal(custom.label, "Scale custom: ×3.00 across, ×2.00 down");
  assert.match(custom.text, /^Input 100×50 → output 300×100/);
  assert.equal(L.describe(0, 100, 100, 50, 65535).text, "Input 100×50. Width and height must be whole numbers from 1 to 65535.");
  assert.equal(L.describe(10, 10, NaN, 50, 65535).text, null); // no photo yet
  assert.equal(L.describe(1920, 1080, 384, 256, 65535, [1920, 1280]).label, "Scale ×5.00"); // a fill: one scale
});

test("the time estimate is LIIF's own pixels at the rows' rate, then the output's at the finish's", () => {
  const speed = { rows: 1e5, finish: 2e6 };
  assert.equal(L.estimate(1e6, 0, null), "");
  assert.equal(L.estimate(1e6, 0, { rows: 0, finish: 1 }), "");
  assert.equal(L.estimate(1e4, 1e4, speed), " · under a second to render here");
  assert.equal(L.estimate(1e6, 1e6, speed), " · about 11 s to render here"); // 10 s of rows, 0.5 s of finish
  assert.equal(L.estimate(8e6, 0, speed), " · about 80 s to render here");
  assert.equal(L.estimate(48e4, 675e4, speed), " · about 8 s to render here"); // x30: LIIF's x8, then 6.75 MP written
  assert.equal(L.estimate(1e7, 0, speed), " · about 2 min to render here");
});

test("LIIF renders no side past its cap, LIIF+ every view, and a fill only the window it shows", () => {
  assert.equal(L.liifPixels(3000, 2250, 100, 75, 8, 1), 800 * 600); // x30 under auto: the x8 render
  assert.equal(L.liifPixels(3000, 150, 100, 75, 8, 1), 800 * 150); // per side: x2 down stays whole
  assert.equal(L.liifPixels(3000, 2250, 100, 75, Infinity, 1), 3000 * 2250); // exact: every pixel
  assert.equal(L.liifPixels(1000, 750, 100, 75, 4, 8), 400 * 300 * 8); // LIIF+: x4, 8 views
  const fill = { width: 40, height: 40, render: [60, 40], box: [10, 0, 50, 40], offset: [-10, 0] };
  assert.equal(L.liifPixels(40, 40, 48, 32, 8, 1, fill), 40 * 40); // the window, not the 60x40 render
  assert.equal(L.liifPixels(40, 40, 48, 32, 4, 8, fill), 60 * 40 * 8); // LIIF+ renders the whole photo
  const wide = { width: 3000, height: 1000, render: [3000, 2250], box: [0, 625, 3000, 1625], offset: [0, -625] };
  assert.equal(L.liifPixels(3000, 1000, 100, 75, 8, 1, wide), Math.round(800 * (1000 * 600) / 2250)); // x30 filled
});

test("LIIF reads the photo's codes under the window it renders, every view's for LIIF+", () => {
  assert.equal(L.latentCodes(3000, 2250, 100, 75, 1), 100 * 75); // a stretch reads the whole photo
  const fill = { width: 40, height: 40, render: [60, 40], box: [10, 0, 50, 40], offset: [-10, 0] };
  assert.equal(L.latentCodes(40, 40, 48, 32, 1, fill), 32 * 32); // the window's part of the photo
  assert.equal(L.latentCodes(40, 40, 48, 32, 8, fill), 48 * 32 * 8); // LIIF+ renders the whole photo, 8 times
});

test("marks kept as fractions of the photo's render come back to the same output pixels", () => {
  const fill = { width: 40, height: 40, render: [60, 40], box: [10, 0, 50, 40], offset: [-10, 0] };
  assert.deepEqual(L.toFraction(fill, 20, 20), [0.5, 0.5]);
  assert.deepEqual(L.toOutput(fill, 0.5, 0.5), [20, 20]);
  assert.deepEqual(L.toOutput(fill, 0, 0), [-10, 0]); // the photo's corner lies outside what a fill shows
  const fit = { width: 48, height: 48, render: [48, 32], box: [0, 0, 48, 32], offset: [0, 8] };
  assert.deepEqual(L.toOutput(fit, 1, 1), [48, 40]);
  assert.equal(L.layoutOf(fit, 48, 48), fit);
  assert.equal(L.layoutOf(fit, 48, 47), null); // stale: another size was typed since
  assert.equal(L.layoutOf(null, 48, 48), null);
});

test("a preset gives its size and fills another shape than the photo's unless a fit is chosen", () => {
  assert.deepEqual(L.presetSize("1920x1080"), [1920, 1080]);
  assert.deepEqual(L.presetSize("3508x2480@300"), [3508, 2480]); // a print: its dpi rides along
  for (const bad of ["custom", "", null, "12x", "1920x1080x3"]) assert.equal(L.presetSize(bad), null, String(bad));
  assert.equal(L.presetFit(1920, 1080, 384, 256, "stretch"), "fill"); // 16:9 from 3:2
  assert.equal(L.presetFit(1920, 1080, 384, 256, "fit"), "fit"); // the person's choice stays
  assert.equal(L.presetFit(900, 600, 384, 256, "stretch"), "stretch"); // the photo's own shape: nothing to fill
});

test("deep-zoom levels span x1 to the deepest zoom, and the drawn level follows the screen", () => {
  const range = L.levels(384, 256, 32);
  assert.deepEqual(range, { maxLevel: 14, minLevel: 9 });
  assert.equal(L.neededLevel(range, 1, 0.75), 14); // a virtual pixel per screen pixel: the deepest level
  assert.equal(L.neededLevel(range, 1 / 32, 0.75), 9); // the photo's own size
  assert.equal(L.neededLevel(range, 1e-6, 0.75), 9); // zoomed out further: never above the coarsest
  assert.equal(L.neededLevel(range, 0.3, 0.75), 12);
});

test("classic tiles go first, then LIIF tiles from the centre outwards", () => {
  const order = L.sendOrder([
    { name: "far liif", liif: true, distance: 5 },
    { name: "near liif", liif: true, distance: 1 },
    { name: "far bicubic", liif: false, distance: 9 },
  ]);
  assert.deepEqual(order.map((t) => t.name), ["far bicubic", "near liif", "far liif"]);
});

test("a size this app does not render is said before the click, with one of the same shape that it does", () => {
  assert.equal(L.sizeLimit(4000, 3000, 65535, 8e6), "12 MP is more than this app renders here (8 MP): try 3265×2449.");
  assert.equal(L.sizeLimit(3265, 2449, 65535, 8e6), null);
  assert.ok(3265 * 2449 <= 8e6);
  assert.equal(L.sizeLimit(0, 300, 65535, 8e6), "Width and height must be whole numbers from 1 to 65535.");
  assert.equal(L.sizeLimit(640.5, 300, 65535, 8e6), "Width and height must be whole numbers from 1 to 65535.");
  assert.equal(L.sizeLimit(2000, 1000, 65535, 2e6), null); // at the limit: allowed
});
