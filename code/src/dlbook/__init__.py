"""Helpers for the executable textbook *Your first neural network with Keras*.

Importing this package does nothing but define functions: no downloads, no seeding, no
plot-style changes. Import the modules a chapter needs::

    from dlbook import data, plots, metrics, models
    from dlbook.claims import check
    from dlbook.glue import glue
"""

__version__ = "0.1.0"
