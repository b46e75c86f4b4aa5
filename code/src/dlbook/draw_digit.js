// Draw a digit: preprocess the drawing like MNIST and run the book's dense network on it.
// Embedded by dlbook.draw.widget; no dependencies, no network access.
(function () {
  "use strict";
  // The block finds itself by its own id (set by dlbook.draw.widget just above this code), not
  // by where this script sits: Colab and JupyterLab may run an output's scripts elsewhere.
  const root = document.getElementById(DLBOOK_DRAW_ID);
  const noScript = root.querySelector(".dlbook-draw__nojs");
  if (noScript) noScript.remove();
  const data = JSON.parse(root.querySelector(".dlbook-draw__data").textContent);

  function decode(b64, Type) {
    const text = atob(b64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return new Type(bytes.buffer);
  }

  const layers = data.layers.map((l) => ({
    W: decode(l.weights, Float32Array), b: decode(l.bias, Float32Array),
    inputs: l.inputs, units: l.units, activation: l.activation,
  }));

  // The network: every layer computes activation(x W + b), W stored inputs x units, row-major.
  function predict(pixels) {
    let a = Float64Array.from(pixels);
    for (const L of layers) {
      const z = Float64Array.from(L.b);
      for (let i = 0; i < L.inputs; i++) {
        const xi = a[i];
        if (xi === 0) continue;
        const row = i * L.units;
        for (let j = 0; j < L.units; j++) z[j] += xi * L.W[row + j];
      }
      if (L.activation === "relu") for (let j = 0; j < z.length; j++) z[j] = Math.max(0, z[j]);
      else if (L.activation === "sigmoid") for (let j = 0; j < z.length; j++) z[j] = 1 / (1 + Math.exp(-z[j]));
      else if (L.activation === "softmax") {
        const top = Math.max(...z);
        let sum = 0;
        for (let j = 0; j < z.length; j++) { z[j] = Math.exp(z[j] - top); sum += z[j]; }
        for (let j = 0; j < z.length; j++) z[j] /= sum;
      }
      a = z;
    }
    return Array.from(a);
  }

  // MNIST's own preprocessing: the ink's bounding box scaled to fit 20 x 20 pixels (keeping the
  // aspect ratio), then placed in a 28 x 28 image so that its centre of mass is the centre.
  function preprocess(canvas) {
    const { width, height } = canvas;
    const rgba = canvas.getContext("2d").getImageData(0, 0, width, height).data;
    let top = height, left = width, bottom = -1, right = -1;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      if (rgba[4 * (y * width + x)] < 250) {
        top = Math.min(top, y); bottom = Math.max(bottom, y);
        left = Math.min(left, x); right = Math.max(right, x);
      }
    }
    const pixels = new Float64Array(784);
    if (bottom < 0) return pixels;  // nothing drawn
    const boxW = right - left + 1, boxH = bottom - top + 1;
    const scale = 20 / Math.max(boxW, boxH);
    const w = Math.max(1, Math.round(boxW * scale)), h = Math.max(1, Math.round(boxH * scale));
    // Each small pixel is the average ink of the area of the drawing it covers (area
    // averaging, as MNIST's anti-aliasing did); the browser's own image smoothing blurs more.
    const ink = new Float64Array(w * h);
    const sx = boxW / w, sy = boxH / h;
    let mass = 0, cx = 0, cy = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const x0 = x * sx, x1 = x0 + sx, y0 = y * sy, y1 = y0 + sy;
      let sum = 0;
      for (let py = Math.floor(y0); py < Math.ceil(y1); py++) {
        const wy = Math.min(py + 1, y1) - Math.max(py, y0);
        for (let px = Math.floor(x0); px < Math.ceil(x1); px++) {
          const wx = Math.min(px + 1, x1) - Math.max(px, x0);
          sum += wx * wy * (1 - rgba[4 * ((top + py) * width + left + px)] / 255);  // paper 0, ink 1
        }
      }
      const v = sum / (sx * sy);
      ink[y * w + x] = v; mass += v; cx += v * x; cy += v * y;
    }
    cx /= mass; cy /= mass;
    // MNIST's digits have their centre of mass at pixel index 14 (measured on its images), so
    // the shift aims there; aiming at 13.5 put many digits one pixel off.
    const dx = Math.round(14 - cx), dy = Math.round(14 - cy);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const tx = x + dx, ty = y + dy;
      if (tx >= 0 && tx < 28 && ty >= 0 && ty < 28) pixels[ty * 28 + tx] = ink[y * w + x];
    }
    return pixels;
  }

  const canvas = root.querySelector(".dlbook-draw__canvas");
  const ctx = canvas.getContext("2d");
  const seen = root.querySelector(".dlbook-draw__input");
  const bars = root.querySelector(".dlbook-draw__bars");
  const text = root.querySelector(".dlbook-draw__text");
  const pick = root.querySelector(".dlbook-draw__pick");

  for (let d = 0; d < 10; d++) {
    const bar = document.createElement("div");
    bar.className = "dlbook-draw__bar";
    bar.style.height = "0%";
    bar.innerHTML = `<span>${d}</span>`;
    bars.appendChild(bar);
  }

  function show(pixels) {
    const image = seen.getContext("2d").createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = Math.round(255 * (1 - Math.min(1, Math.max(0, pixels[i]))));
      image.data.set([v, v, v, 255], 4 * i);
    }
    seen.getContext("2d").putImageData(image, 0, 0);
    const p = predict(pixels);
    const order = p.map((value, digit) => [value, digit]).sort((a, b) => b[0] - a[0]);
    Array.from(bars.children).forEach((bar, d) => {
      bar.style.height = `${(100 * p[d]).toFixed(1)}%`;
      bar.classList.toggle("is-top", d === order[0][1]);
    });
    const pct = (v) => `${(100 * v).toFixed(0)}%`;
    text.textContent = `Prediction: ${order[0][1]} (${pct(order[0][0])}). ` +
      `Next: ${order[1][1]} (${pct(order[1][0])}), ${order[2][1]} (${pct(order[2][0])}).`;
    root.dataset.prediction = String(order[0][1]);
    return p;
  }

  function clear() {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  }
  clear();

  let drawing = false, last = null, pending = false;
  function position(event) {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
  }
  function update() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; show(preprocess(canvas)); });
  }
  canvas.addEventListener("pointerdown", (event) => {
    drawing = true; last = position(event);
    canvas.setPointerCapture(event.pointerId);
    pick.value = "";
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const point = position(event);
    ctx.strokeStyle = "#000"; ctx.lineWidth = 18; ctx.lineCap = "round"; ctx.lineJoin = "round";
    ctx.beginPath(); ctx.moveTo(...last); ctx.lineTo(...point); ctx.stroke();
    last = point;
    update();
  });
  const stop = () => { if (drawing) { drawing = false; update(); } };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);

  root.querySelector(".dlbook-draw__clear").addEventListener("click", () => {
    clear(); pick.value = "";
    show(new Float64Array(784));
    text.textContent = "Draw a digit, or pick a test image.";
  });

  // Keyboard and screen-reader users: pick a test image instead of drawing.
  pick.addEventListener("change", () => {
    if (pick.value === "") return;
    const example = data.examples[Number(pick.value)];
    const pixels = Array.from(decode(example.pixels, Uint8Array), (v) => v / 255);
    clear();
    const cell = canvas.width / 28;
    for (let i = 0; i < 784; i++) {
      const v = Math.round(255 * (1 - pixels[i]));
      ctx.fillStyle = `rgb(${v},${v},${v})`;
      ctx.fillRect((i % 28) * cell, Math.floor(i / 28) * cell, cell, cell);
    }
    show(pixels);
  });

  // For tests: the page's network, and the image Keras was checked on at build time.
  root.dlbookDraw = { predict, preprocess: () => preprocess(canvas), check: data.check,
                      checkPixels: () => Array.from(decode(data.check.pixels, Float32Array)) };
})();
