"""``booktools COMMAND [ARGS]``: the book's machinery from the command line (the Makefile,
scripts/ and the workflows call it). ``booktools`` alone lists the commands; each command's
own usage is in its module's docstring."""

from __future__ import annotations

import importlib
import sys

#: command -> (module, what it does)
COMMANDS = {
    "colab": ("booktools.notebooks.colab", "write the Colab notebooks (or their code cells alone)"),
    "run-notebooks": ("booktools.notebooks.run", "execute notebooks as a reader would; record run.json"),
    "try-chapter": ("booktools.notebooks.try_chapter", "run one chapter now and list its glued values"),
    "devices": ("booktools.checks.devices", "record the devices Keras sees; --require-gpu"),
    "colab-versions": ("booktools.checks.colab_versions", "compare requirements-colab.txt with Colab's"),
    "links": ("booktools.checks.links", "check the links of the built site"),
    "citation": ("booktools.release.citation", "write .zenodo.json from CITATION.cff"),
    "release-check": ("booktools.release.check", "refuse a release GitHub would not publish"),
    "assets": ("booktools.release.assets", "the versioned site, notebooks branch, numbers, archives"),
    "pdf": ("booktools.release.pdf", "print the whole book as one PDF"),
    "lock": ("booktools.locks", "compile the requirement files into hashed lock files (locks/)"),
    "benchmark": (
        "booktools.benchmark",
        "measure build and training speed (code/src/dlbook/measurements.json)",
    ),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        width = max(map(len, COMMANDS))
        lines = [f"  {name:<{width}}  {about}" for name, (_, about) in COMMANDS.items()]
        unknown = f"unknown command {argv[0]!r}\n" if argv and argv[0] not in ("-h", "--help") else ""
        print(f"{unknown}usage: booktools COMMAND [ARGS]\n" + "\n".join(lines), file=sys.stderr)
        return 2 if unknown or not argv else 0
    return importlib.import_module(COMMANDS[argv[0]][0]).main(argv[1:]) or 0


if __name__ == "__main__":
    sys.exit(main())
