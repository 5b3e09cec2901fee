"""Cell sources of the notebooks written by ``scripts/make_notebooks.py`` (one module per notebook).

Each module defines ``CELLS``: a list of ``("md" | "code", source)`` pairs.
"""
