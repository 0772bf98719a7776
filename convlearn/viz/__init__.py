"""Plotting, animations and the live explorers of the book (kept apart from the maths).

``plots``, ``training`` and ``arithmetic`` draw matplotlib figures; ``animations`` turns a matplotlib
animation into self-contained HTML; ``widgets`` holds the live explorers (anywidget models whose front end,
a hand-written ES module per explorer, computes in the browser). Import the submodule you need, e.g.
``from convlearn.viz import widgets``; importing ``convlearn.viz`` itself imports neither matplotlib nor
the widget libraries.
"""
