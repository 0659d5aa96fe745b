// Drawing: the 2-D plane (energy heat map, data, generator samples, chains
// with their recent trails) and grids of images. Pure canvas, no state
// beyond what the caller passes in.

// The energy colour ramp, from low energy (where the GEBM puts its mass:
// deep teal) to high energy (pale). Stops are [t, r, g, b].
const RAMP = [
  [0.0, 12, 74, 96],
  [0.2, 23, 111, 125],
  [0.4, 70, 152, 158],
  [0.6, 140, 196, 190],
  [0.8, 210, 232, 223],
  [1.0, 250, 250, 246],
];

export function ramp(t) {
  t = Math.min(1, Math.max(0, t));
  for (let i = 1; i < RAMP.length; i++) {
    if (t <= RAMP[i][0]) {
      const [t0, r0, g0, b0] = RAMP[i - 1];
      const [t1, r1, g1, b1] = RAMP[i];
      const u = (t - t0) / (t1 - t0);
      return [r0 + u * (r1 - r0), g0 + u * (g1 - g0), b0 + u * (b1 - b0)];
    }
  }
  return RAMP[RAMP.length - 1].slice(1);
}

// A CSS linear-gradient of the ramp, low energy on the left.
export function rampCSS() {
  return 'linear-gradient(to right, ' + RAMP.map(([t, r, g, b]) => `rgb(${r},${g},${b}) ${t * 100}%`).join(', ') + ')';
}

export const COLORS = {
  data: 'rgba(30, 30, 36, 0.55)',
  generator: '#f08c00',
  chain: '#d6336c',
  trail: 'rgba(214, 51, 108, 0.35)',
  axis: 'rgba(0, 0, 0, 0.18)',
  label: 'rgba(0, 0, 0, 0.55)',
};

// quantile of a sorted array
function q(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))];
}

// bounds returns a square window [xmin, xmax] × [ymin, ymax] that holds the
// central 98% of the points (n×2, row-major, in any number of arrays), with
// a margin.
export function bounds(...sets) {
  const xs = [], ys = [];
  for (const s of sets) {
    if (!s) continue;
    for (let i = 0; i + 1 < s.length; i += 2) {
      if (Number.isFinite(s[i]) && Number.isFinite(s[i + 1])) { xs.push(s[i]); ys.push(s[i + 1]); }
    }
  }
  if (xs.length === 0) return { xmin: -3, xmax: 3, ymin: -3, ymax: 3 };
  xs.sort((a, b) => a - b);
  ys.sort((a, b) => a - b);
  const x0 = q(xs, 0.005), x1 = q(xs, 0.995), y0 = q(ys, 0.005), y1 = q(ys, 0.995);
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const half = Math.max(x1 - x0, y1 - y0, 1e-3) / 2 * 1.3;
  return { xmin: cx - half, xmax: cx + half, ymin: cy - half, ymax: cy + half };
}

// energyRange is the 2nd and 98th percentile of the grid's finite values:
// a few extreme cells do not wash out the picture.
export function energyRange(grid) {
  const v = Array.from(grid).filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return { lo: 0, hi: 1 };
  let lo = q(v, 0.02), hi = q(v, 0.98);
  if (!(hi > lo)) hi = lo + 1e-6;
  return { lo, hi };
}

// heatImage turns a res×res energy grid (row j is y_j, from ymin up) into a
// canvas whose top row is ymax.
export function heatImage(grid, res, range) {
  const c = document.createElement('canvas');
  c.width = c.height = res;
  const ctx = c.getContext('2d');
  const img = ctx.createImageData(res, res);
  for (let j = 0; j < res; j++) {
    for (let i = 0; i < res; i++) {
      const v = grid[j * res + i];
      const [r, g, b] = Number.isFinite(v) ? ramp((v - range.lo) / (range.hi - range.lo)) : [255, 255, 255];
      const k = 4 * ((res - 1 - j) * res + i);
      img.data[k] = r; img.data[k + 1] = g; img.data[k + 2] = b; img.data[k + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

// Plane draws onto one canvas, resized to its CSS box times the device
// pixel ratio.
export class Plane {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
  }

  fit() {
    const r = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(r.width * dpr)), h = Math.max(1, Math.round(r.height * dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    return { w, h, dpr };
  }

  // draw paints one frame. s: {bounds, heat (canvas or null), data,
  // generator, chains, trails: [older arrays], show: {heat, data,
  // generator, chains, trails}}.
  draw(s) {
    const { w, h, dpr } = this.fit();
    const ctx = this.ctx;
    const b = s.bounds;
    const sx = w / (b.xmax - b.xmin), sy = h / (b.ymax - b.ymin);
    const px = (x) => (x - b.xmin) * sx;
    const py = (y) => (b.ymax - y) * sy;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    // The heat map and the axes change only with the model, the window
    // and the layer switch: draw them once into a cached canvas.
    const heat = s.show.heat ? s.heat : null;
    const key = [w, h, b.xmin, b.xmax, b.ymin, b.ymax].join();
    if (!this.bg || this.bgKey !== key || this.bgHeat !== heat) {
      this.bg = this.bg || document.createElement('canvas');
      this.bg.width = w;
      this.bg.height = h;
      const g = this.bg.getContext('2d');
      g.fillStyle = '#fbfbf8';
      g.fillRect(0, 0, w, h);
      if (heat) {
        g.imageSmoothingEnabled = true;
        g.imageSmoothingQuality = 'high';
        const hb = s.heatBounds;
        g.drawImage(heat, px(hb.xmin), py(hb.ymax), (hb.xmax - hb.xmin) * sx, (hb.ymax - hb.ymin) * sy);
      }
      this.axes(g, b, px, py, dpr);
      this.bgKey = key;
      this.bgHeat = heat;
    }
    ctx.drawImage(this.bg, 0, 0);
    const dots = (pts, color, r) => {
      if (!pts) return;
      ctx.fillStyle = color;
      ctx.beginPath();
      for (let i = 0; i + 1 < pts.length; i += 2) {
        const x = px(pts[i]), y = py(pts[i + 1]);
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, 2 * Math.PI);
      }
      ctx.fill();
    };
    if (s.show.generator && s.generator) {
      ctx.strokeStyle = COLORS.generator;
      ctx.lineWidth = 1.2 * dpr;
      ctx.beginPath();
      const r = 2.6 * dpr, g = s.generator;
      for (let i = 0; i + 1 < g.length; i += 2) {
        const x = px(g[i]), y = py(g[i + 1]);
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, 2 * Math.PI);
      }
      ctx.stroke();
    }
    if (s.show.chains && s.chains) {
      if (s.show.trails && s.trails.length > 0) {
        // Each chain's path over the last frames. A jump longer than a
        // tenth of the view (a move between modes through the generator's
        // thin bridges) is left out: it would only streak across the plot.
        const jump = 0.1 * w;
        ctx.strokeStyle = COLORS.trail;
        ctx.lineWidth = 1 * dpr;
        ctx.beginPath();
        const all = [...s.trails, s.chains];
        for (let i = 0; i + 1 < s.chains.length; i += 2) {
          let x0 = px(all[0][i]), y0 = py(all[0][i + 1]);
          for (let k = 1; k < all.length; k++) {
            const x1 = px(all[k][i]), y1 = py(all[k][i + 1]);
            if (Math.abs(x1 - x0) + Math.abs(y1 - y0) < jump) {
              ctx.moveTo(x0, y0);
              ctx.lineTo(x1, y1);
            }
            x0 = x1; y0 = y1;
          }
        }
        ctx.stroke();
      }
      dots(s.chains, COLORS.chain, 2.2 * dpr);
    }
    // The data last, small: the reference the chains should cover.
    if (s.show.data) dots(s.data, COLORS.data, 1.4 * dpr);
  }

  axes(ctx, b, px, py, dpr) {
    const span = b.xmax - b.xmin;
    const step = niceStep(span / 5);
    ctx.strokeStyle = COLORS.axis;
    ctx.lineWidth = 1;
    ctx.fillStyle = COLORS.label;
    ctx.font = `${11 * dpr}px system-ui, sans-serif`;
    ctx.beginPath();
    for (let v = Math.ceil(b.xmin / step) * step; v <= b.xmax; v += step) {
      ctx.moveTo(Math.round(px(v)) + 0.5, 0);
      ctx.lineTo(Math.round(px(v)) + 0.5, 6 * dpr);
      ctx.moveTo(Math.round(px(v)) + 0.5, py(b.ymin));
      ctx.lineTo(Math.round(px(v)) + 0.5, py(b.ymin) - 6 * dpr);
    }
    for (let v = Math.ceil(b.ymin / step) * step; v <= b.ymax; v += step) {
      ctx.moveTo(0, Math.round(py(v)) + 0.5);
      ctx.lineTo(6 * dpr, Math.round(py(v)) + 0.5);
    }
    ctx.stroke();
    ctx.textBaseline = 'bottom';
    for (let v = Math.ceil(b.xmin / step) * step; v <= b.xmax; v += step) {
      if (px(v) < 14 * dpr) continue;
      ctx.fillText(fmtTick(v), px(v) + 3 * dpr, py(b.ymin) - 3 * dpr);
    }
    ctx.textBaseline = 'middle';
    for (let v = Math.ceil(b.ymin / step) * step; v <= b.ymax; v += step) {
      if (py(v) > py(b.ymin) - 14 * dpr) continue;
      ctx.fillText(fmtTick(v), 9 * dpr, py(v));
    }
  }
}

function niceStep(x) {
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  const m = x / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

function fmtTick(v) {
  const r = Math.round(v * 1000) / 1000;
  return Object.is(r, -0) ? '0' : String(r);
}

// drawGrid draws n images of shape image = {channels, height, width} (each
// C·H·W values in the model's space, channel planes one after the other,
// rows within a plane: NCHW, as the sampler hands them out) as a square
// grid onto canvas, one canvas pixel per image pixel with a one-pixel
// gutter. One channel is grey; three are red, green and blue. lo and hi
// are the model-space values of black (no colour) and white (full colour).
export function drawGrid(canvas, x, n, image, lo, hi) {
  const { channels: C, height: rows, width: cols } = image;
  if (C !== 1 && C !== 3) throw new Error(`drawGrid: ${C} channels (only 1, grey, or 3, RGB, are drawn)`);
  const per = Math.ceil(Math.sqrt(n));
  const gut = 1;
  const W = per * (cols + gut) + gut, H = Math.ceil(n / per) * (rows + gut) + gut;
  if (canvas.width !== W || canvas.height !== H) {
    canvas.width = W;
    canvas.height = H;
  }
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(W, H);
  img.data.fill(255);
  const plane = rows * cols, D = C * plane;
  const scale = 255 / (hi - lo);
  // With one channel, red, green and blue all read plane 0.
  const off = C === 3 ? [0, plane, 2 * plane] : [0, 0, 0];
  for (let k = 0; k < n; k++) {
    const ox = gut + (k % per) * (cols + gut), oy = gut + Math.floor(k / per) * (rows + gut);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = k * D + r * cols + c;
        const p = 4 * ((oy + r) * W + ox + c);
        for (let ch = 0; ch < 3; ch++) img.data[p + ch] = (x[i + off[ch]] - lo) * scale; // the clamped array clamps and rounds
      }
    }
  }
  ctx.putImageData(img, 0, 0);
}

// clearedCanvas sizes the canvas's pixels to its box on screen (device
// pixels) and clears it; it returns the 2-D context, the size and the
// device pixel ratio.
export function clearedCanvas(canvas) {
  const r = canvas.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(r.width * dpr)), h = Math.max(1, Math.round(r.height * dpr));
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h, dpr };
}

// sparkline draws the values as a line in a small canvas, with the first
// value as a dashed reference.
export function sparkline(canvas, values, color) {
  const { ctx, w, h, dpr } = clearedCanvas(canvas);
  const v = values.filter(Number.isFinite);
  if (v.length < 2) return;
  let lo = Math.min(...v), hi = Math.max(...v);
  if (!(hi > lo)) { lo -= 1e-6; hi += 1e-6; }
  const X = (i) => (i / (v.length - 1)) * (w - 2 * dpr) + dpr;
  const Y = (y) => h - dpr - ((y - lo) / (hi - lo)) * (h - 2 * dpr);
  ctx.setLineDash([3 * dpr, 3 * dpr]);
  ctx.strokeStyle = 'rgba(0,0,0,0.3)';
  ctx.lineWidth = dpr;
  ctx.beginPath();
  ctx.moveTo(0, Y(v[0]));
  ctx.lineTo(w, Y(v[0]));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5 * dpr;
  ctx.beginPath();
  v.forEach((y, i) => (i ? ctx.lineTo(X(i), Y(y)) : ctx.moveTo(X(i), Y(y))));
  ctx.stroke();
}

// oncePerFrame returns a function that schedules draw for the next animation
// frame; calls before that frame add nothing, so a burst of updates draws once.
export function oncePerFrame(draw) {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  };
}
