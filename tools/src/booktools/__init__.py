"""The book's machinery: everything that builds, runs, checks and releases the book, organised by
job. Readers never need it: what the chapters import is the helper package ``dlbook`` (code/).

- :mod:`booktools.project`: the only reader of ``_config.yml``, ``_toc.yml`` and ``CITATION.cff``;
- :mod:`booktools.myst`: MyST read with MyST's own parser, for everything outside Sphinx;
- :mod:`booktools.sphinx`: the Sphinx extension (execution cache, editions, buttons and
  downloads, directives, the ``{checked}`` role, incremental builds, page weight);
- :mod:`booktools.notebooks`: MyST chapters to Colab notebooks, and running them as a reader would;
- :mod:`booktools.reading_time`: the chapters' reading times, counted from their sources;
- :mod:`booktools.release`: the pre-publish check, the release's assets, the PDF, the citations;
- :mod:`booktools.checks`: links, Colab's versions, the devices a backend sees;
- :mod:`booktools.benchmark`: the speed measurements the appendix reports;
- :mod:`booktools.cli`: the ``booktools`` command the Makefile, scripts/ and the workflows call.
"""
