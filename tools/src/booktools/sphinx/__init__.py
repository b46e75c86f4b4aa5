"""The book's Sphinx extension, named in _config.yml's ``extra_extensions`` (scripts/build-book runs
the build): a cache that notices environment changes, Colab notebooks and downloads, citation and
reading-time directives, sentences bound to their checks, pages light enough for a phone.

It is split by job:

- :mod:`.configure`: execution and its cache key, the editions, the versions;
- :mod:`.buttons`: the Colab button, the notebooks and downloads, the PDF, no stray scripts;
- :mod:`.directives`: ``{citation}`` and ``{reading-times}``;
- :mod:`.checked`: the ``{checked}`` role, a sentence bound to the condition that makes it true;
- :mod:`.incremental`: incremental rebuilds that match a fresh build;
- :mod:`.page_weight`: pages that load fast on a phone.
"""

from __future__ import annotations


def setup(app):
    # imported here, not above: the converter imports .checked, and this package's import must stay light
    from booktools.sphinx import buttons, checked, configure, directives, incremental, page_weight

    for part in (page_weight, configure, buttons, incremental, directives, checked):
        part.setup(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
