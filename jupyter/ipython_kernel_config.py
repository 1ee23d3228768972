# IPython kernel settings for this project's notebooks. `make install` copies this file into
# .venv/etc/ipython/ (postBuild does the same on Binder), where every kernel of the venv reads it:
# JupyterLab's, nbval's and `make notebooks`'.
#
# Figures: PNG at twice the pixels of their displayed size, sharp on HiDPI screens. The stored
# outputs keep the displayed size as width/height metadata; nbval does not compare image data.
c = get_config()  # noqa: F821
c.InlineBackend.figure_formats = {"retina"}
