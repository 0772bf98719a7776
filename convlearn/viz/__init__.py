"""Plotting, animations and ipywidgets explorers for the book (kept apart from the maths).

Import the submodule you need, e.g. ``from convlearn.viz import explorers``; importing
``convlearn.viz`` itself does not import matplotlib or ipywidgets.
"""
