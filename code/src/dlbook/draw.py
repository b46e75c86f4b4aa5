"""Draw a digit and watch a trained dense network classify it, in the browser (page *Draw a digit*).

``widget(model, ...)`` returns an HTML block that holds everything it needs: the drawing canvas,
the network's weights (exported from the trained Keras model), a few test images for keyboard
and screen-reader users, and the JavaScript that preprocesses a drawing like MNIST and runs the
network. No server, no third-party code: the page works offline, in the book, in Colab and in
JupyterLab. The block has its own id, by which its script finds it; where a front end runs no
JavaScript, a line in the block says so (and a text-only front end prints that line).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from importlib import resources

import numpy as np

from .data import NUM_CLASSES, check_labels

ACTIVATIONS = ("relu", "sigmoid", "softmax", "linear")
#: Shown until the block's script runs, and as the block's plain-text form.
NO_JAVASCRIPT = (
    "The draw-a-digit block needs JavaScript, which this viewer does not run. Open the notebook "
    "in Colab, JupyterLab or Jupyter Notebook, or use the page in the online book."
)
_BLOCKS = itertools.count()


class DrawBlock:
    """The block as a notebook output: HTML where the front end shows HTML, else one text line."""

    def __init__(self, html: str, block_id: str):
        self.html, self.id = html, block_id

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return NO_JAVASCRIPT


STYLE = """
.dlbook-draw { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; margin: 1rem 0; }
.dlbook-draw__canvas { width: min(280px, 80vw); height: min(280px, 80vw); background: #fff;
  border: 2px solid #555; border-radius: 6px; touch-action: none; cursor: crosshair; }
.dlbook-draw__controls { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; margin: .5rem 0; }
.dlbook-draw__controls button, .dlbook-draw__controls select { font: inherit; padding: .2rem .6rem; }
.dlbook-draw__seen { margin: .5rem 0 0; }
.dlbook-draw__input { width: 84px; height: 84px; image-rendering: pixelated; background: #fff;
  border: 1px solid #999; }
.dlbook-draw__seen figcaption { font-size: .85rem; }
.dlbook-draw__result { flex: 1 1 240px; min-width: 220px; }
.dlbook-draw__bars { display: grid; grid-template-columns: repeat(10, 1fr); gap: 4px; align-items: end;
  height: 200px; padding: 4px 4px 1.6rem; background: #fff; border: 1px solid #ccc; border-radius: 6px; }
.dlbook-draw__bar { background: #9bb7d4; min-height: 1px; position: relative; }
.dlbook-draw__bar.is-top { background: #1f77b4; }
.dlbook-draw__bar span { position: absolute; bottom: -1.4rem; left: 0; right: 0; text-align: center;
  font-size: .85rem; color: #222; }
.dlbook-draw__text { margin-top: .6rem; font-size: 1.05rem; }
"""


def _b64(array, dtype) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode("ascii")


def export_dense(model) -> list[dict]:
    """The layers of a Keras network made only of ``Dense`` layers, as JSON-ready dictionaries.

    Weights are stored as little-endian float32 in base64, kernel row-major (inputs x units).
    """
    import keras

    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    if not layers or not all(isinstance(layer, keras.layers.Dense) for layer in layers):
        kinds = [type(layer).__name__ for layer in layers]
        raise ValueError(f"export_dense handles networks of Dense layers only; got {kinds}.")
    exported = []
    for layer in layers:
        kernel, bias = layer.kernel.numpy(), layer.bias.numpy()  # np.array(variable) is deprecated
        activation = layer.activation.__name__
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"activation {activation!r} is not supported in the browser; use one of {ACTIVATIONS}."
            )
        exported.append(
            {
                "inputs": int(kernel.shape[0]),
                "units": int(kernel.shape[1]),
                "activation": activation,
                "weights": _b64(kernel, "<f4"),
                "bias": _b64(bias, "<f4"),
            }
        )
    if exported[0]["inputs"] != 784 or exported[-1]["units"] != NUM_CLASSES:
        raise ValueError("the network must take 784 pixels and output 10 probabilities.")
    return exported


def widget(model, images, labels, check_index: int = 11):
    """The draw-a-digit block for ``model``, with test ``images`` to pick from.

    ``images`` are prepared test images (n, 784) float32 in [0, 1] and ``labels`` their digits.
    The first image of each digit becomes a choice for keyboard users; ``images[check_index]``
    is embedded with Keras' own probabilities for it, so that a test can check that the page
    computes exactly what Keras computes.
    """
    images = np.asarray(images)
    labels = check_labels(labels)
    if images.ndim != 2 or images.shape[1] != 784 or images.dtype != np.float32:
        raise ValueError(
            f"images must be prepared float32 vectors, shape (n, 784); got {images.dtype} {images.shape}."
        )
    if len(images) != len(labels):
        raise ValueError(f"got {len(images)} images but {len(labels)} labels; they must match.")
    if not 0 <= check_index < len(images):
        raise ValueError(f"check_index must be between 0 and {len(images) - 1}; got {check_index}.")
    import keras

    probabilities = keras.ops.convert_to_numpy(model(images[check_index : check_index + 1]))[0]
    examples = []
    for digit in range(NUM_CLASSES):
        index = int(np.flatnonzero(labels == digit)[0])
        examples.append({"index": index, "label": digit, "pixels": _b64(np.round(images[index] * 255), "u1")})
    payload = {
        "layers": export_dense(model),
        "examples": examples,
        "check": {
            "index": check_index,
            "label": int(labels[check_index]),
            "pixels": _b64(images[check_index], "<f4"),
            "probabilities": [float(p) for p in probabilities],
        },
    }
    script = resources.files(__package__).joinpath("draw_digit.js").read_text()
    payload_json = json.dumps(payload).replace("</", "<\\/")  # never close the script element early
    options = "\n".join(
        f'<option value="{i}">Test image {e["index"]} (a {e["label"]})</option>'
        for i, e in enumerate(examples)
    )
    digest = hashlib.sha256(payload_json.encode()).hexdigest()[:12]
    block_id = f"dlbook-draw-{digest}-{next(_BLOCKS)}"
    block = f"""<div class="dlbook-draw" id="{block_id}" data-dlbook-draw>
<style>{STYLE}</style>
<div class="dlbook-draw__panel">
  <canvas class="dlbook-draw__canvas" width="280" height="280" role="img"
    aria-label="Drawing area: draw one digit with the mouse or a finger"></canvas>
  <div class="dlbook-draw__controls">
    <button type="button" class="dlbook-draw__clear">Clear</button>
    <label>Or pick a test image:
      <select class="dlbook-draw__pick"><option value="">(choose)</option>{options}</select>
    </label>
  </div>
  <figure class="dlbook-draw__seen">
    <canvas class="dlbook-draw__input" width="28" height="28" role="img"
      aria-label="The 28 by 28 image the network receives"></canvas>
    <figcaption>What the network sees (28 × 28)</figcaption>
  </figure>
</div>
<div class="dlbook-draw__result">
  <div class="dlbook-draw__bars" aria-hidden="true"></div>
  <p class="dlbook-draw__text" aria-live="polite">Draw a digit, or pick a test image.</p>
  <p class="dlbook-draw__nojs"><strong>{NO_JAVASCRIPT}</strong></p>
</div>
<script type="application/json" class="dlbook-draw__data">{payload_json}</script>
<script>{{ const DLBOOK_DRAW_ID = "{block_id}";
{script}}}</script>
</div>"""
    return DrawBlock(block, block_id)
