"""The book's figures, in one consistent style (used by every chapter).

Every function returns a matplotlib ``Figure``; nothing is drawn to the screen or changed
globally. A figure returned as a cell's last value is shown once; ``glue`` it to cite it.
Figures have a white background so they stay legible on the site's dark theme too.
"""

from __future__ import annotations

import contextlib

import matplotlib
import matplotlib.patches
import matplotlib.ticker
import numpy as np

from .data import NUM_CLASSES, check_labels

#: One look for all figures: readable at phone width, white card, no chart junk.
STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "legend.frameon": False,
    "image.cmap": "gray_r",
    "axes.prop_cycle": matplotlib.cycler(
        color=["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
    ),
}
TRAIN_COLOR, VAL_COLOR = "#1f77b4", "#d62728"


@contextlib.contextmanager
def style():
    """Apply the book's style inside a ``with`` block only."""
    with matplotlib.rc_context(STYLE):
        yield


def _figure(nrows=1, ncols=1, figsize=(6, 3.6), **kwargs):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, **kwargs)
    plt.close(fig)  # returned, not drawn: the caller shows or glues it once
    return fig, axes


def _check_image_batch(images, name="images"):
    images = np.asarray(images)
    if images.ndim == 2 and images.shape[1] == 784:
        images = images.reshape(-1, 28, 28)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        hint = f" Pass a batch, e.g. {name}[None]." if images.shape == (28, 28) else ""
        raise ValueError(f"{name} must have shape (n, 28, 28) or (n, 784); got {images.shape}.{hint}")
    return images


def show_digit(image, title: str | None = None, values: bool = False):
    """One 28 x 28 digit.

    ``values=True`` draws the whole image on the left and, on the right, the part that holds ink
    enlarged, with each pixel's value written in its square, large enough to read.
    """
    image = np.asarray(image)
    if image.shape == (784,):
        image = image.reshape(28, 28)
    if image.shape != (28, 28):
        raise ValueError(f"image must have shape (28, 28) or (784,); got {image.shape}.")
    vmax = image.max() if image.max() > 1 else 1
    if not values:
        with style():
            fig, ax = _figure(figsize=(3, 3))
            ax.imshow(image, vmin=0, vmax=vmax)
            ax.axis("off")
            if title:
                ax.set_title(title)
            fig.tight_layout()
        return fig
    rows, cols = np.nonzero(image)
    if rows.size == 0:
        rows, cols = np.array([13, 14]), np.array([13, 14])
    top, bottom = max(rows.min() - 1, 0), min(rows.max() + 1, 27)
    left, right = max(cols.min() - 1, 0), min(cols.max() + 1, 27)
    crop = image[top : bottom + 1, left : right + 1]
    height, width = crop.shape
    cell = 0.36  # inches per enlarged pixel: room for three digits at 8 points
    with style():
        fig, (ax_all, ax_crop) = _figure(
            1,
            2,
            figsize=(3.4 + cell * width + 0.9, max(3.6, cell * height + 1.0)),
            gridspec_kw={"width_ratios": [3.0, cell * width]},
        )
        ax_all.imshow(image, vmin=0, vmax=vmax)
        ax_all.add_patch(
            matplotlib.patches.Rectangle(
                (left - 0.5, top - 0.5), width, height, fill=False, edgecolor=VAL_COLOR, lw=1.5
            )
        )
        ax_all.set_xticks(range(0, 28, 7))
        ax_all.set_yticks(range(0, 28, 7))
        ax_all.set_xlabel("column (axis 1)")
        ax_all.set_ylabel("row (axis 0)")
        ax_all.set_title("whole image" if not title else title, fontsize=10)
        extent = (left - 0.5, right + 0.5, bottom + 0.5, top - 0.5)
        ax_crop.imshow(crop, vmin=0, vmax=vmax, extent=extent)
        threshold = vmax / 2
        for (row, col), v in np.ndenumerate(crop):
            if v:
                label = f"{v:.2f}".lstrip("0") if image.dtype.kind == "f" else str(v)
                ax_crop.text(
                    left + col,
                    top + row,
                    label,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if v > threshold else "black",
                )
        ax_crop.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax_crop.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax_crop.set_xlabel("column (axis 1)")
        ax_crop.set_title("the inked part, enlarged, with pixel values", fontsize=10)
        fig.tight_layout()
    return fig


def _panel_grid(panels, titles, ncols, cmap=None, scale=(0.9, 1.05), fontsize=9, shared=None):
    """Small images in a grid, each with an optional title; unused cells stay blank.

    ``shared=(vmin, vmax)`` draws every panel on that one colour scale and adds a colour bar;
    otherwise each digit image is drawn from 0 (paper) to its own darkest pixel.
    """
    n = len(panels)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    with style():
        size = (scale[0] * ncols + (1.1 if shared else 0.4), scale[1] * nrows + 0.3)
        fig, axes = _figure(nrows, ncols, figsize=size, squeeze=False)
        image = None
        for i, ax in enumerate(axes.flat):
            ax.axis("off")
            if i < n:
                if shared is not None:
                    vmin, vmax = shared
                else:
                    vmin, vmax = 0, panels[i].max() or 1
                image = ax.imshow(panels[i], cmap=cmap, vmin=vmin, vmax=vmax)
                if titles is not None:
                    ax.set_title(str(titles[i]), fontsize=fontsize, pad=2)
        fig.tight_layout(pad=0.3, h_pad=0.6)
        if shared is not None:
            bar = fig.colorbar(image, ax=axes.ravel().tolist(), fraction=0.03, pad=0.02)
            bar.set_label("response (one scale for all maps)", fontsize=9)
    return fig


def image_grid(images, titles=None, ncols: int = 8):
    """Digits in a grid, each with an optional title (for example its label or prediction)."""
    images = _check_image_batch(images)
    if len(images) == 0:
        raise ValueError("image_grid needs at least one image; got an empty batch.")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"got {len(images)} images but {len(titles)} titles; pass one title per image.")
    return _panel_grid(images, titles, ncols)


def feature_maps(maps, ncols: int = 8, max_maps: int = 16):
    """The channels of one layer's output for one image, shape (height, width, channels)."""
    maps = np.asarray(maps)
    if maps.ndim != 3:
        raise ValueError(
            f"maps must be one image's layer output, shape (height, width, channels); got {maps.shape}. "
            "Take one image from the batch, e.g. outputs[0]."
        )
    count = min(maps.shape[2], max_maps)
    panels = [maps[:, :, k] for k in range(count)]
    shown = maps[:, :, :count]
    return _panel_grid(
        panels,
        [f"{k}" for k in range(count)],
        ncols,
        cmap="viridis",
        scale=(1.15, 1.25),
        fontsize=9,
        shared=(float(shown.min()), float(shown.max()) or 1.0),
    )


def digit_grid(images, labels, per_class: int = 10):
    """The first ``per_class`` examples of each digit 0-9, one digit per row."""
    images = _check_image_batch(images)
    labels = check_labels(labels)
    if len(images) != len(labels):
        raise ValueError(f"got {len(images)} images but {len(labels)} labels; they must match.")
    with style():
        fig, axes = _figure(NUM_CLASSES, per_class, figsize=(0.55 * per_class + 0.6, 6.0), squeeze=False)
        for digit in range(NUM_CLASSES):
            picks = np.flatnonzero(labels == digit)[:per_class]
            for col, ax in enumerate(axes[digit]):
                ax.set_xticks([])
                ax.set_yticks([])
                for spine in ax.spines.values():
                    spine.set_visible(False)
                if col < len(picks):
                    ax.imshow(images[picks[col]])
            axes[digit, 0].set_ylabel(str(digit), rotation=0, ha="right", va="center", fontsize=11)
        fig.tight_layout(pad=0.2, h_pad=0.1, w_pad=0.1)
    return fig


def class_counts(y_train, y_test):
    """How many images of each digit the training and the test set hold."""
    y_train = check_labels(y_train, "y_train")
    y_test = check_labels(y_test, "y_test")
    train = np.bincount(y_train, minlength=NUM_CLASSES)
    test = np.bincount(y_test, minlength=NUM_CLASSES)
    digits = np.arange(NUM_CLASSES)
    with style():
        fig, (ax1, ax2) = _figure(1, 2, figsize=(7, 3.2), sharex=True)
        for ax, counts, name, color in (
            (ax1, train, "training set", TRAIN_COLOR),
            (ax2, test, "test set", VAL_COLOR),
        ):
            ax.bar(digits, counts, color=color)
            ax.set_title(f"{name} ({counts.sum():,} images)")
            ax.set_xticks(digits)
            ax.set_xlabel("digit")
            ax.axhline(counts.mean(), color="gray", lw=1, ls="--")
        ax1.set_ylabel("images")
        fig.tight_layout()
    return fig


def pixel_histogram(images, title: str = "pixel values"):
    """Histogram of all pixel values in ``images`` (log scale: most pixels are background)."""
    values = np.asarray(images).ravel()
    if values.size == 0:
        raise ValueError("pixel_histogram needs at least one pixel; got an empty array.")
    with style():
        fig, ax = _figure(figsize=(6, 3))
        ax.hist(values, bins=51, color=TRAIN_COLOR)
        ax.set_yscale("log")
        ax.set_xlabel("pixel value")
        ax.set_ylabel("pixels (log scale)")
        ax.set_title(title)
        fig.tight_layout()
    return fig


def network_diagram(
    layer_sizes=(784, 10, 10),
    labels=("input\n784 pixels", "hidden\n10 sigmoid", "output\n10 softmax"),
    max_drawn: int = 12,
):
    """A drawing of a densely connected network: every unit joined to every unit of the next layer.

    Layers with more than ``max_drawn`` units are drawn with a gap and their true size named.
    """
    if len(layer_sizes) != len(labels) or len(layer_sizes) < 2:
        raise ValueError("network_diagram needs one label per layer and at least two layers.")
    with style():
        fig, ax = _figure(figsize=(6.4, 4.2))
        ax.axis("off")
        positions = []
        for x, size in enumerate(layer_sizes):
            drawn = min(size, max_drawn)
            ys = np.linspace(1, 0, drawn) if drawn > 1 else np.array([0.5])
            if size > max_drawn:  # leave a gap in the middle for the units not drawn
                ys = np.concatenate(
                    [np.linspace(1, 0.6, drawn // 2), np.linspace(0.4, 0, drawn - drawn // 2)]
                )
            positions.append([(x, y) for y in ys])
        for left, right in zip(positions, positions[1:], strict=False):
            for x0, y0 in left:
                for x1, y1 in right:
                    ax.plot([x0, x1], [y0, y1], color="#9bb7d4", lw=0.4, zorder=1)
        for x, (pts, size, label) in enumerate(zip(positions, layer_sizes, labels, strict=True)):
            color = ["#7f7f7f", TRAIN_COLOR, VAL_COLOR][min(x, 2)]
            ax.scatter(
                [p[0] for p in pts], [p[1] for p in pts], s=90, color=color, zorder=2, edgecolor="white"
            )
            if size > max_drawn:
                ax.text(x, 0.5, "⋮", ha="center", va="center", fontsize=18)
            ax.text(x, -0.14, label, ha="center", va="top", fontsize=10)
        ax.set_xlim(-0.4, len(layer_sizes) - 0.6)
        ax.set_ylim(-0.4, 1.08)
        fig.tight_layout()
    return fig


def learning_curves(history, title: str | None = None):
    """Loss and accuracy per epoch, training and validation side by side, from a ``History``."""
    h = getattr(history, "history", history)
    for key in ("loss", "accuracy"):
        if key not in h:
            raise ValueError(
                f"history has no {key!r} values (it has {sorted(h)}); compile the model with "
                "metrics=['accuracy'] and pass the History that fit() returned."
            )
    epochs = np.arange(1, len(h["loss"]) + 1)
    with style():
        fig, axes = _figure(1, 2, figsize=(7.2, 3.2))
        for ax, key, name in ((axes[0], "loss", "loss"), (axes[1], "accuracy", "accuracy")):
            ax.plot(epochs, h[key], "o-", color=TRAIN_COLOR, label="training")
            if f"val_{key}" in h:
                ax.plot(epochs, h[f"val_{key}"], "s--", color=VAL_COLOR, label="validation")
            ax.set_xlabel("epoch")
            ax.set_ylabel(name)
            ax.set_xticks(epochs if len(epochs) <= 10 else np.linspace(1, len(epochs), 6).round().astype(int))
        axes[1].legend(loc="lower right")
        if title:
            fig.suptitle(title)
        fig.tight_layout()
    return fig


def _epoch_ticks(ends) -> list[int]:
    """Epoch ticks for runs ending at ``ends``: epoch 1, round steps up to the longest run, and
    every run's last epoch (so that ticks at 3, 6, 9 never hide runs that end at 5, 10, 20)."""
    last = max(ends)
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if last / s <= 6)
    return sorted({1, *range(step, last + 1, step), *ends})


def compare_curves(histories: dict, key: str = "val_accuracy", ylabel: str = "validation accuracy"):
    """One metric per epoch for several trainings, one line each, labelled by the dict's keys
    (chapters *Improving training* and *How learning works*).

    The legend sits beside the plot, where it hides no line; the epoch axis is ticked at every
    run's last epoch.
    """
    if not histories:
        raise ValueError("compare_curves needs at least one history.")
    with style():
        fig, ax = _figure(figsize=(7.6, 3.6))
        # Each line gets its own dash pattern and marker, and earlier lines are drawn wider and
        # underneath, so a line that runs on top of another (the same run continued, say) still
        # shows both.
        styles = ["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 2))]
        markers = ["o", "s", "^", "D", "v", "P"]
        count = len(histories)
        ends = []
        for index, (name, history) in enumerate(histories.items()):
            h = getattr(history, "history", history)
            if key not in h:
                raise ValueError(f"history {name!r} has no {key!r}; it has {sorted(h)}.")
            if len(h[key]) == 0:
                raise ValueError(f"history {name!r} has no epochs in {key!r}.")
            ends.append(len(h[key]))
            ax.plot(
                np.arange(1, len(h[key]) + 1),
                h[key],
                linestyle=styles[index % len(styles)],
                marker=markers[index % len(markers)],
                ms=3.5 + 1.5 * (count - 1 - index),
                lw=1.2 + 1.2 * (count - 1 - index),
                zorder=2 + index,
                label=name,
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.set_xticks(_epoch_ticks(ends))
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9, frameon=False)
        fig.tight_layout()
    return fig


def _percent_decimals(ticks) -> int:
    """The fewest decimals that print every tick (a fraction) exactly in percent: a step of 0.25
    points needs two (92.00, 92.25), where one would print 92.0, 92.2, 92.5, 92.8."""
    percent = 100 * np.asarray(ticks, dtype=float)
    return next((d for d in range(4) if np.allclose(percent, np.round(percent, d), rtol=0, atol=1e-6)), 3)


def spread(values, labels=None, xlabel: str = "test accuracy", reference=None, reference_label=None):
    """Several measurements of one number, one row each, with an optional shaded band.

    ``reference`` is ``(centre, half_width)``, drawn as a band behind the dots (for example the
    mean plus or minus two standard errors).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"values must be a non-empty 1-D list of numbers; got shape {values.shape}.")
    if labels is not None and len(labels) != len(values):
        raise ValueError(f"got {len(values)} values but {len(labels)} labels; pass one label per value.")
    rows = np.arange(len(values))
    with style():
        fig, ax = _figure(figsize=(6.4, 0.45 * len(values) + 1.5))
        if reference is not None:
            centre, half = reference
            ax.axvspan(
                centre - half,
                centre + half,
                color=VAL_COLOR,
                alpha=0.15,
                lw=0,
                label=reference_label or "reference",
            )
            ax.axvline(centre, color=VAL_COLOR, lw=1)
        ax.scatter(values, rows, s=50, color=TRAIN_COLOR, zorder=3, label="one training run each")
        ax.set_yticks(rows)
        ax.set_yticklabels([str(lab) for lab in labels] if labels is not None else [str(r) for r in rows])
        ax.set_ylim(len(values) - 0.5, -0.5)
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=6))
        ticks = ax.xaxis.get_major_locator().tick_values(*ax.get_xlim())
        ax.xaxis.set_major_formatter(
            matplotlib.ticker.PercentFormatter(1.0, decimals=_percent_decimals(ticks))
        )
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=2, fontsize=9)
        fig.tight_layout()
    return fig


def _bar_label(number: float) -> str:
    """A bar's value in at most three significant digits, never in exponent notation (1.1e+02)."""
    return np.format_float_positional(number, precision=3, unique=False, fractional=False, trim="-")


def bar_chart(
    values: dict,
    xlabel: str,
    reference: float | None = None,
    reference_label: str | None = None,
    log: bool = False,
    decimals: int | None = None,
):
    """Horizontal bars, one per entry of ``values`` (label -> number), top to bottom in order.

    ``reference`` draws a dashed vertical line (for example a goal or a baseline). ``log=True``
    puts the values on a logarithmic axis, for numbers that span orders of magnitude (it needs
    positive numbers). Each bar is labelled with its value: to three significant digits, or with
    ``decimals`` decimals, so that the labels read as a table beside the chart does.
    """
    if not values:
        raise ValueError("bar_chart needs at least one value.")
    if decimals is not None and (not isinstance(decimals, (int, np.integer)) or decimals < 0):
        raise ValueError(f"decimals must be None or a whole number, 0 or more; got {decimals!r}.")
    label = _bar_label if decimals is None else (lambda number: f"{number:.{decimals}f}")
    labels, numbers = list(values), np.asarray(list(values.values()), dtype=float)
    if not np.all(np.isfinite(numbers)):
        raise ValueError(f"bar_chart needs finite numbers; got {dict(zip(labels, numbers, strict=True))}.")
    if log and (np.any(numbers <= 0) or (reference is not None and reference <= 0)):
        raise ValueError(
            f"bar_chart(log=True) needs positive numbers; got {dict(zip(labels, numbers, strict=True))}."
        )
    with style():
        # Long labels take their room from the bars: the figure widens with the longest one.
        width = min(9.0, 6.4 + 0.08 * max(0, max(len(str(label)) for label in labels) - 24))
        fig, ax = _figure(figsize=(width, 0.42 * len(labels) + 1.2))
        ax.barh(range(len(labels)), numbers, color=TRAIN_COLOR, log=log)
        ax.set_yticks(range(len(labels)))
        ax.set_yticklabels(labels)
        ax.invert_yaxis()
        for row, number in enumerate(numbers):
            ax.text(number, row, f" {label(number)}", va="center", fontsize=9)
        if reference is not None:
            ax.axvline(reference, color=VAL_COLOR, ls="--", lw=1.2, label=reference_label)
            if reference_label:  # above the plot, where it covers no bar
                ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=9, frameon=False)
        top = max(numbers.max(), reference or 0)
        if log:
            # Room on the right for the largest bar's label, and below the smallest value.
            ax.set_xlim(min(numbers.min(), reference or np.inf) / 1.5, top * 2.5)
            ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: _bar_label(x)))
        else:
            ax.set_xlim(0, top * 1.15)
        ax.set_xlabel(xlabel)
        fig.tight_layout()
    return fig


#: What a normalised confusion matrix's cells are shares of, for its colour bar (scikit-learn's
#: ``normalize`` values).
_SHARE_OF = {
    "true": "% of the true digit's images",
    "pred": "% of the predicted digit's answers",
    "all": "% of all images",
}


def confusion_matrix(y_true, y_pred, normalize=None, mistakes_max=None):
    """The 10 x 10 confusion matrix drawn with scikit-learn's ``ConfusionMatrixDisplay``
    (chapter *Evaluating the network*).

    Rows are the true digit, columns the predicted digit (scikit-learn's convention). With
    ``normalize`` ("true", "pred" or "all", as in scikit-learn) the cells are shares, printed in
    percent with one decimal. The mistakes (the cells off the diagonal) get the colour scale, from 0
    to the largest mistake, or to ``mistakes_max`` where two matrices shown side by side must share
    one scale (chapter *Convolutional networks*).
    """
    from sklearn.metrics import ConfusionMatrixDisplay

    y_true = check_labels(y_true, "y_true")
    y_pred = check_labels(y_pred, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true and y_pred must have the same length; got {len(y_true)} and {len(y_pred)}.")
    if normalize is not None and normalize not in _SHARE_OF:
        raise ValueError(
            f"normalize must be None, 'true', 'pred' or 'all' (as in scikit-learn); got {normalize!r}."
        )
    if mistakes_max is not None and not (np.isfinite(mistakes_max) and mistakes_max > 0):
        raise ValueError(
            f"mistakes_max must be a positive number (the top of the colour scale); got {mistakes_max!r}."
        )
    with style():
        fig, ax = _figure(figsize=(6.8, 5.6))
        display = ConfusionMatrixDisplay.from_predictions(
            y_true,
            y_pred,
            labels=range(NUM_CLASSES),
            normalize=normalize,
            ax=ax,
            cmap="Reds",
            colorbar=False,
            values_format=".1%" if normalize else "d",  # two-decimal shares read 0.00 for most mistakes
            text_kw={"fontsize": 8},
        )
        # The diagonal (correct answers) is far larger than any mistake; on one colour scale it
        # would wash out every off-diagonal cell. So the mistakes get the colour scale, and the
        # diagonal is drawn in one pale neutral colour.
        cm = display.confusion_matrix
        mistakes = np.ma.masked_array(cm, mask=np.eye(NUM_CLASSES, dtype=bool))
        largest = float(mistakes.max()) if mistakes.count() and mistakes.max() > 0 else 1.0
        top = largest if mistakes_max is None else float(mistakes_max)
        if top < largest:
            raise ValueError(
                f"mistakes_max={mistakes_max} is below this matrix's largest mistake, {largest:g}; "
                "pass the largest mistake of all the matrices that share the scale."
            )
        cmap = matplotlib.colormaps["Reds"].with_extremes(bad="#e8eef4")
        display.im_.set_cmap(cmap)
        display.im_.set_data(mistakes)
        display.im_.set_clim(0, top)
        for (row, col), text in np.ndenumerate(display.text_):
            if normalize:
                text.set_text(text.get_text().rstrip("%"))  # the colour bar says "%" once
            dark = row != col and cm[row, col] > top / 2
            text.set_color("white" if dark else "black")
            if row == col:
                text.set_fontweight("bold")
        bar = fig.colorbar(display.im_, ax=ax, fraction=0.046, pad=0.04)
        if normalize:
            # ticks at 1, 2 or 5 times a power of ten (0.5%, 1.0%, 1.5%...: never 0.25% steps), with
            # one decimal as in the cells (0.0%, 1.0%, 2.0%), or more where a tick needs it (0.05%)
            bar.locator = matplotlib.ticker.MaxNLocator(nbins=6, steps=[1, 2, 5, 10])
            bar.update_ticks()
            decimals = max(1, _percent_decimals(bar.get_ticks()))
            bar.ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=decimals))
            bar.set_label(f"mistakes ({_SHARE_OF[normalize]})")
        else:
            bar.set_label("mistakes (images)")
        ax.set_xlabel("predicted digit (column)")
        ax.set_ylabel("true digit (row)")
        fig.tight_layout()
    return fig


def probability_bars(probabilities, true_label=None, title: str | None = None):
    """The 10 probabilities a model gave one image, as bars; the true digit's bar is marked."""
    p = np.asarray(probabilities, dtype=float)
    if p.shape != (NUM_CLASSES,):
        raise ValueError(
            f"probabilities must have shape (10,) (one image); got {p.shape}. "
            "Pick one row, e.g. predictions[11]."
        )
    colors = ["#9bb7d4"] * NUM_CLASSES
    colors[int(p.argmax())] = TRAIN_COLOR
    with style():
        fig, ax = _figure(figsize=(6, 3))
        ax.bar(range(NUM_CLASSES), p, color=colors)
        if true_label is not None:
            ax.bar(
                [true_label],
                [p[true_label]],
                fill=False,
                edgecolor=VAL_COLOR,
                lw=2,
                label=f"true digit ({true_label})",
            )
            ax.legend(loc="upper left")
        ax.set_xticks(range(NUM_CLASSES))
        ax.set_xlabel("digit")
        ax.set_ylabel("probability")
        ax.set_ylim(0, 1.05)
        if title:
            ax.set_title(title)
        fig.tight_layout()
    return fig


def validation_loss(history, marks: dict | None = None, from_epoch: int = 1):
    """The validation loss per epoch on its own axis, its lowest point marked.

    Drawn alone, the loss's rise after its minimum is visible; next to a training loss that falls
    towards zero it looks flat. ``marks`` (label -> epoch, counted from 1) adds dotted vertical
    lines, for example where early stopping stopped. ``from_epoch`` shows the epochs from that
    one on, scaled to their values, so that a high first epoch does not flatten the rest.
    Chapter *How learning works* uses it.
    """
    h = getattr(history, "history", history)
    if not hasattr(h, "get") or "val_loss" not in h:
        raise ValueError(
            "history has no 'val_loss' values; pass validation_data=(x_val, y_val) to fit() and "
            "the History that fit() returned."
        )
    losses = np.asarray(h["val_loss"], dtype=float)
    if losses.ndim != 1 or losses.size < 2 or not np.all(np.isfinite(losses)):
        raise ValueError(
            f"val_loss must hold at least two finite numbers, one per epoch; got {h['val_loss']!r}."
        )
    epochs = np.arange(1, losses.size + 1)
    best = int(np.argmin(losses))
    is_int = isinstance(from_epoch, (int, np.integer)) and not isinstance(from_epoch, bool)
    if not is_int or not 1 <= from_epoch <= best + 1:
        raise ValueError(
            f"from_epoch must be an epoch number from 1 to {best + 1}, the epoch of the lowest loss, "
            f"so that the lowest point stays in view; got {from_epoch!r}."
        )
    marks = dict(marks or {})
    for label, epoch in marks.items():
        is_int = isinstance(epoch, (int, np.integer)) and not isinstance(epoch, bool)
        if not is_int or not 1 <= epoch <= losses.size:
            raise ValueError(
                f"mark {label!r} must be an epoch number from 1 to {losses.size}; got {epoch!r}."
            )
    with style():
        fig, ax = _figure(figsize=(6.4, 3.4))
        ax.plot(epochs, losses, "s-", ms=3, color=VAL_COLOR, label="validation loss")
        ax.plot(
            [best + 1],
            [losses[best]],
            "o",
            ms=10,
            mfc="none",
            mec="black",
            mew=1.5,
            label=f"lowest: epoch {best + 1}",
        )
        for index, (label, epoch) in enumerate(marks.items()):
            ax.axvline(int(epoch), color="0.35", ls=[":", "--", "-."][index % 3], lw=1.2, label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel("validation loss")
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        if from_epoch > 1:
            shown = losses[from_epoch - 1 :]
            pad = 0.08 * (shown.max() - shown.min() or 1.0)
            ax.set_xlim(from_epoch - 0.5, losses.size + 0.5)
            ax.set_ylim(shown.min() - pad, shown.max() + pad)
        ax.legend(loc="best", fontsize=9)
        fig.tight_layout()
    return fig


def probability_cases(images, probabilities, true_labels, titles=None):
    """A few images side by side, each above the bars of the ten probabilities a model gave it.

    The predicted digit's bar is dark, the true digit's bar is outlined, and all panels share one
    probability axis from 0 to 1. Chapter *Making predictions* uses it to compare a sure right
    answer, an unsure right answer and a wrong one.
    """
    images = _check_image_batch(images)
    p = np.asarray(probabilities, dtype=float)
    if p.ndim != 2 or p.shape[1] != NUM_CLASSES:
        raise ValueError(
            f"probabilities must have shape (k, 10), one row per image; got {p.shape}. "
            "Pick the rows, e.g. predictions[[0, 5, 8]]."
        )
    true_labels = check_labels(true_labels, "true_labels")
    k = len(images)
    if not 1 <= k <= 6:
        raise ValueError(f"probability_cases draws 1 to 6 images; got {k}. Pass fewer images.")
    if len(p) != k or len(true_labels) != k:
        raise ValueError(
            f"images, probabilities and true_labels must have the same length; got {k}, {len(p)} "
            f"and {len(true_labels)}."
        )
    if titles is not None and len(titles) != k:
        raise ValueError(f"titles must have one entry per image ({k}); got {len(titles)}.")
    with style():
        fig, axes = _figure(
            2, k, figsize=(3.2 * k, 5.6), squeeze=False, gridspec_kw={"height_ratios": [1.2, 1]}
        )
        for j in range(k):
            ax_image, ax_bars = axes[0, j], axes[1, j]
            ax_image.imshow(images[j], vmin=0, vmax=images.max() or 1)
            ax_image.axis("off")
            if titles is not None:
                ax_image.set_title(titles[j], fontsize=10)
            colors = ["#9bb7d4"] * NUM_CLASSES
            colors[int(p[j].argmax())] = TRAIN_COLOR
            ax_bars.bar(range(NUM_CLASSES), p[j], color=colors)
            truth = int(true_labels[j])
            ax_bars.bar([truth], [p[j, truth]], fill=False, edgecolor=VAL_COLOR, lw=2, label="true digit")
            ax_bars.set_xticks(range(NUM_CLASSES))
            ax_bars.set_ylim(0, 1.05)
            ax_bars.set_xlabel("digit")
            if j == 0:
                ax_bars.set_ylabel("probability")
                ax_bars.legend(loc="upper left", fontsize=9)
            else:
                ax_bars.tick_params(labelleft=False)
        fig.tight_layout()
    return fig
