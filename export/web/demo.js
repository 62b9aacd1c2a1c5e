// Runs a keras-gan-zoo ONNX generator with onnxruntime-web and draws what it makes.
//
// The controls come from the ports the model's metadata record declares
// (models/NAME.json, written by prepare.py, or a zoo entry's metadata.json
// when the page is opened with ?entry=NAME): noise is drawn from a seed,
// a categorical port gets a picker, a uniform one a slider per dimension,
// noise maps a seed (and a width factor where their size is free, SinGAN's),
// a truncation psi a slider, an image port a file upload. window.kgz lets a test (or a console) run
// the model on given inputs and read back the canvas.
"use strict";

// served beside the page (an absolute URL: the runtime imports its .mjs from there)
ort.env.wasm.wasmPaths = new URL("node_modules/onnxruntime-web/dist/", location.href).href;
ort.env.wasm.numThreads = 1; // threads need a cross-origin-isolated page

const $ = (id) => document.getElementById(id);
const state = { name: null, meta: null, session: null, image: null, lastFeeds: null,
                entries: {} };

// Where zoo entries are fetched from, as the package's KERAS_GAN_ZOO_SOURCE says it; the
// page takes another with ?source= (a URL with {name} and {file}, or a folder of entries).
const ZOO_SOURCE = "https://huggingface.co/keras-gan-zoo/{name}/resolve/main/{file}";
// The exports an entry may carry that this page runs, the first carried one is used.
const PAGE_SPECS = ["onnx", "onnx-int8", "onnx-float16"];

function status(text, isError = false) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

// ------------------------------------------------------------------ noise
function mulberry32(seed) { // a small seeded generator: the same seed, the same noise
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normals(count, random) { // Box-Muller
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    out[i] = r * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = r * Math.sin(angle);
  }
  return out;
}

// --------------------------------------------------------------- controls
function field(html) {
  const span = document.createElement("span");
  span.innerHTML = html;
  $("controls").appendChild(span);
  return span;
}

function buildControls(meta) {
  const box = $("controls");
  box.replaceChildren(Object.assign(document.createElement("legend"), { textContent: "Inputs" }));
  if (meta.kind === "sampler") {
    field('<label>Samples <input id="count" type="number" min="1" max="64" value="8"></label>');
  }
  for (const port of meta.inputs) {
    const size = port.shape.slice(1).reduce((a, b) => a * b, 1);
    if (port.kind === "normal") {
      field(`<label>Noise seed (${port.name}, ${size} values) <input id="port-${port.name}" ` +
            'type="number" value="0"></label>');
    } else if (port.kind === "categorical") {
      const options = ['<option value="cycle">each sample its own</option>'];
      for (let c = 0; c < port.classes; c++) options.push(`<option value="${c}">${c}</option>`);
      field(`<label>${port.name} <select id="port-${port.name}">${options.join("")}</select></label>`);
    } else if (port.kind === "uniform") {
      const [low, high] = port.range;
      for (let d = 0; d < size; d++) {
        const id = `port-${port.name}-${d}`;
        field(`<label>${port.name} ${d} <input id="${id}" type="range" min="${low}" ` +
              `max="${high}" step="0.05" value="${(low + high) / 2}"> ` +
              `<output id="${id}-value">${(low + high) / 2}</output></label>`);
        $(id).addEventListener("input", (e) => { $(`${id}-value`).value = e.target.value; });
      }
    } else if (port.kind === "noise_map" && !$("port-noise-maps")) {
      // one seed draws every noise map; free-size maps (SinGAN) can be made wider
      field('<label>Noise maps seed <input id="port-noise-maps" type="number" value="0"></label>');
      if (port.shape[1] === null) {
        field('<label>Width x <input id="port-noise-width" type="number" min="0.5" max="4" ' +
              'step="0.25" value="1"></label>');
      }
    } else if (port.kind === "text") {
      field(`<label>Text <input id="port-${port.name}" type="text" size="28" ` +
            `value="${port.examples[0]}"></label>`);
    } else if (port.kind === "truncation") {
      const id = `port-${port.name}`;
      field(`<label>Truncation ${port.name} <input id="${id}" type="range" min="0" max="1" ` +
            `step="0.05" value="1"> <output id="${id}-value">1</output></label>`);
      $(id).addEventListener("input", (e) => { $(`${id}-value`).value = e.target.value; });
    } else if (port.kind === "image") {
      const channels = port.shape[port.shape.length - 1];
      if (channels !== 1 && channels !== 3) {
        field(`<em>This model takes ${channels}-channel inputs, which no image file holds: ` +
              "translate them in Python.</em>");
      } else {
        field(`<label>Image <input id="port-${port.name}" type="file" accept="image/*"></label>`);
        $(`port-${port.name}`).addEventListener("change", (e) => readImage(e.target.files[0], port));
      }
    }
  }
}

async function readImage(file, port) {
  // The image at the size the model was trained on, as the command line reads it.
  const [h, w, c] = state.meta.trained_image_shape || port.shape.slice(1);
  const bitmap = await createImageBitmap(file, { colorSpaceConversion: "none",
                                                 premultiplyAlpha: "none" });
  const source = $("source");
  source.width = w;
  source.height = h;
  source.hidden = false;
  const ctx = source.getContext("2d");
  ctx.drawImage(bitmap, 0, 0, w, h);
  const rgba = ctx.getImageData(0, 0, w, h).data;
  const data = new Float32Array(h * w * c);
  for (let i = 0; i < h * w; i++) {
    if (c === 1) { // ITU-R 601 luma, as Pillow's convert("L")
      const luma = (rgba[4 * i] * 299 + rgba[4 * i + 1] * 587 + rgba[4 * i + 2] * 114) / 1000;
      data[i] = luma / 127.5 - 1;
    } else {
      for (let k = 0; k < 3; k++) data[3 * i + k] = rgba[4 * i + k] / 127.5 - 1;
    }
  }
  state.image = { data, dims: [1, h, w, c] };
  $("draw").disabled = false;
  status(`${file.name}: ${w}x${h}; press Draw`);
}

function tokens(text, vocabulary, length) {
  const index = new Map(vocabulary.map((word, i) => [word, i]));
  const words = text.toLowerCase().match(/[a-z0-9]+/g) || [];
  const ids = new Int32Array(length);
  words.slice(0, length).forEach((word, i) => { ids[i] = index.has(word) ? index.get(word) : 1; });
  return ids;
}

function feedsFromControls() {
  const meta = state.meta;
  const n = meta.kind === "sampler" ? Math.max(1, Math.min(64, +$("count").value || 1)) : 1;
  const feeds = {};
  for (const port of meta.inputs) {
    const shape = port.shape.slice(1);
    const size = shape.reduce((a, b) => a * b, 1);
    if (port.kind === "normal") {
      feeds[port.name] = { data: normals(n * size, mulberry32(+$(`port-${port.name}`).value)),
                           dims: [n, ...shape] };
    } else if (port.kind === "categorical") {
      const chosen = $(`port-${port.name}`).value;
      const data = new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = chosen === "cycle" ? i % port.classes : +chosen;
      feeds[port.name] = { data, dims: [n] };
    } else if (port.kind === "uniform") {
      const data = new Float32Array(n * size);
      for (let i = 0; i < n * size; i++) data[i] = +$(`port-${port.name}-${i % size}`).value;
      feeds[port.name] = { data, dims: [n, ...shape] };
    } else if (port.kind === "noise_map") {
      // the trained size; a free-size map is widened by the page's "Width x" (retargeting)
      const [h, trainedW, c] = port.trained_shape || shape;
      const w = shape[1] === null ? Math.max(11, Math.round(trainedW * (+$("port-noise-width").value || 1)))
        : trainedW;
      const seed = +$("port-noise-maps").value * 1000 + meta.inputs.indexOf(port);
      feeds[port.name] = { data: normals(n * h * w * c, mulberry32(seed)), dims: [n, h, w, c] };
    } else if (port.kind === "text") {
      // the exported vocabulary's word ids, as Port.tokens: lower-case runs of letters and
      // digits, unknown words 1, cut to the length and 0-padded; one text for every sample
      const ids = tokens($(`port-${port.name}`).value, port.vocabulary, shape[0]);
      if (!ids.some((id) => id > 1)) {
        throw new Error(`no word of "${$(`port-${port.name}`).value}" is in the model's vocabulary`);
      }
      const data = new Int32Array(n * shape[0]);
      for (let i = 0; i < n; i++) data.set(ids, i * shape[0]);
      feeds[port.name] = { data, dims: [n, shape[0]] };
    } else if (port.kind === "truncation") {
      feeds[port.name] = { data: new Float32Array(n).fill(+$(`port-${port.name}`).value), dims: [n] };
    } else if (port.kind === "image") {
      if (!state.image) throw new Error("choose an image first");
      feeds[port.name] = state.image;
    }
  }
  return feeds;
}

// -------------------------------------------------------------- run, draw
async function run(feeds, columns) {
  const tensors = {};
  for (const port of state.meta.inputs) {
    const given = feeds[port.name];
    if (!given) throw new Error(`missing input ${port.name}`);
    const data = port.dtype === "int32" ? Int32Array.from(given.data) : Float32Array.from(given.data);
    tensors[port.name] = new ort.Tensor(port.dtype, data, given.dims);
  }
  const started = performance.now();
  const outputs = await state.session.run(tensors);
  const output = outputs[state.meta.outputs[0].name];
  const ms = performance.now() - started;
  state.lastFeeds = feeds;
  draw(output, columns);
  status(`${state.name}: ${output.dims[0]} image(s) of ${output.dims.slice(1, 3).join("x")} ` +
         `in ${ms.toFixed(0)} ms`);
  return output;
}

function draw(output, columns) {
  // Tiles side by side, no gaps, one canvas pixel per image pixel: (x + 1) * 127.5.
  const [n, h, w, c] = output.dims;
  const cols = Math.min(n, columns || Math.ceil(Math.sqrt(n)));
  const rows = Math.ceil(n / cols);
  const canvas = $("canvas");
  canvas.width = cols * w;
  canvas.height = rows * h;
  canvas.style.width = `${Math.min(4, Math.max(1, Math.floor(512 / (cols * w)))) * cols * w}px`;
  const ctx = canvas.getContext("2d");
  const picture = ctx.createImageData(cols * w, rows * h);
  const values = output.data;
  const pixel = (v) => Math.min(255, Math.max(0, Math.round((v + 1) * 127.5)));
  for (let s = 0; s < n; s++) {
    const top = Math.floor(s / cols) * h;
    const left = (s % cols) * w;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const at = 4 * ((top + y) * cols * w + left + x);
        const from = ((s * h + y) * w + x) * c;
        for (let k = 0; k < 3; k++) picture.data[at + k] = pixel(values[from + (c === 1 ? 0 : k)]);
        picture.data[at + 3] = 255;
      }
    }
  }
  ctx.putImageData(picture, 0, 0);
}

function canvasPixels() {
  const canvas = $("canvas");
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  return { width: canvas.width, height: canvas.height, pixels: Array.from(data) };
}

// ------------------------------------------------------------------ models
async function fetched(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: the server answered ${response.status}`);
  return response;
}

function entryUrl(source, name, file) {
  return source.includes("{name}") ? source.replace("{name}", name).replace("{file}", file)
    : `${source.replace(/\/$/, "")}/${name}/${file}`;
}

async function sha256(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

// A zoo entry by name: its metadata.json says which exports it carries and their hashes;
// the first ONNX file of PAGE_SPECS is fetched and checked against its SHA-256.
async function entryModel(name, source) {
  const preset = await (await fetched(entryUrl(source, name, "metadata.json"))).json();
  const carried = (preset.exports || []).filter((r) => r.file);
  const record = PAGE_SPECS.map((spec) => carried.find((r) => r.spec === spec)).find(Boolean);
  if (!record) {
    throw new Error(`${name} carries no ONNX export (${carried.map((r) => r.spec).join(", ")
      || "none"}): export one with prepare.py`);
  }
  const bytes = await (await fetched(entryUrl(source, name, record.file))).arrayBuffer();
  const digest = await sha256(bytes);
  if (digest !== record.sha256) {
    throw new Error(`${record.file} of ${name} fails its hash check (sha256 ` +
                    `${digest.slice(0, 12)}..., metadata says ${record.sha256.slice(0, 12)}...)`);
  }
  const generator = preset.generators.find((g) => (g.direction || null) === record.direction);
  return { meta: { ...generator, name, spec: record.spec,
                   quantization: record.quantize ? { mode: record.quantize } : null },
           model: new Uint8Array(bytes) };
}

async function load(name) {
  status(`Loading ${name}...`);
  $("draw").disabled = true;
  let meta, model;
  if (name in state.entries) {
    ({ meta, model } = await entryModel(name, state.entries[name]));
  } else {
    meta = await (await fetched(`models/${name}.json`)).json();
    model = `models/${meta.file}`;
  }
  state.session = await ort.InferenceSession.create(model, { executionProviders: ["wasm"] });
  state.name = name;
  state.meta = meta;
  state.image = null;
  $("source").hidden = true;
  $("about").textContent = `${meta.variant} ${meta.kind}` +
    (meta.quantization ? `, ${meta.quantization.mode}` : "");
  buildControls(meta);
  $("draw").disabled = meta.kind !== "sampler";
  status(meta.kind === "sampler" ? `${name} is ready: press Draw` : `${name}: choose an image`);
}

async function drawFromControls() {
  try {
    await run(feedsFromControls(), state.meta.kind === "sampler" ? 8 : 1);
  } catch (error) {
    status(String(error.message || error), true);
  }
}

async function start() {
  const params = new URLSearchParams(location.search);
  const entry = params.get("entry");
  const listed = await fetch("models/index.json");
  let names = listed.ok ? await listed.json() : [];
  if (entry) {
    state.entries[entry] = params.get("source") || ZOO_SOURCE;
    names = [entry, ...names.filter((n) => n !== entry)];
  }
  if (!names.length) {
    throw new Error("no models: open the page with ?entry=NAME (a zoo entry) or run " +
                    "prepare.py first (see README.md)");
  }
  for (const name of names) $("model").add(new Option(name, name));
  $("model").addEventListener("change", (e) => load(e.target.value).catch(
    (error) => status(String(error.message || error), true)));
  $("draw").addEventListener("click", drawFromControls);
  const wanted = entry || params.get("model");
  const first = names.includes(wanted) ? wanted : names[0];
  $("model").value = first;
  await load(first);
}

// For tests and the console: run on given inputs, draw, read the canvas back.
window.kgz = {
  ready: null,
  load,
  draw: drawFromControls,
  lastFeeds: () => state.lastFeeds && Object.fromEntries(Object.entries(state.lastFeeds).map(
    ([k, v]) => [k, { data: Array.from(v.data), dims: v.dims }])),
  async run(feeds, columns) {
    await run(feeds, columns);
    return canvasPixels();
  },
  canvas: canvasPixels,
};
window.kgz.ready = start().catch((error) => { status(String(error.message || error), true); throw error; });
