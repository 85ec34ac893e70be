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
});

test("the time estimate follows the measured rate of LIIF's own pixels", () => {
  assert.equal(L.estimate(1e6, 0), "");
  assert.equal(L.estimate(1e4, 1e6), " · under a second to render here");
  assert.equal(L.estimate(1e6, 1e5), " · about 10 s to render here");
  assert.equal(L.estimate(8e6, 1e5), " · about 80 s to render here");
  assert.equal(L.estimate(1e6, 1e4), " · about 2 min to render here");
});

test("LIIF renders no side past its cap, and LIIF+ every view", () => {
  assert.equal(L.liifPixels(3000, 2250, 100, 75, 8, 1), 800 * 600); // x30 under auto: the x8 render
  assert.equal(L.liifPixels(3000, 150, 100, 75, 8, 1), 800 * 150); // per side: x2 down stays whole
  assert.equal(L.liifPixels(3000, 2250, 100, 75, Infinity, 1), 3000 * 2250); // exact: every pixel
  assert.equal(L.liifPixels(1000, 750, 100, 75, 4, 8), 400 * 300 * 8); // LIIF+: x4, 8 views
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
