"""Interactive explorer for notebook 08 (ipywidgets).

ipywidgets is imported inside the functions that need it, so ``import helpers`` stays light and
works where ipywidgets is not installed.
"""
