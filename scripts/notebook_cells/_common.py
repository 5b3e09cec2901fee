"""Cells shared by several notebooks."""

#: First code cell: imports and the output folder, relative to the notebook (git-ignored).
SETUP = '''
import logging
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import geopotential as gp

# The library never configures logging; a notebook may. Show warnings only (a run raises the
# level to INFO for its run.log while it runs; the handler's own level keeps the cells readable).
logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")
for handler in logging.getLogger().handlers:
    handler.setLevel(logging.WARNING)
pd.set_option("display.max_columns", 40)
pd.set_option("display.width", 160)

# Everything this notebook writes goes to ../outputs/notebooks/ (relative to the notebook,
# git-ignored). Jupyter runs a notebook in its own folder.
OUT = Path("..") / "outputs" / "notebooks"
OUT.mkdir(parents=True, exist_ok=True)
print("geopotential", gp.__version__, "- outputs in", OUT)
'''

#: Demo inputs (synthetic territory) read through the pipeline's readers, without running it.
DEMO_INPUTS = '''
from geopotential.demo import DEMO_FILES, generate_demo
from geopotential.pipeline.demo_run import demo_config
from geopotential.pipeline.inputs import read_inputs

INPUTS = OUT / "demo-inputs"
if not all((INPUTS / f).exists() for f in DEMO_FILES.values()):
    generate_demo(INPUTS)  # deterministic: the same seed always writes the same files (~5 s)
config = demo_config(INPUTS, OUT, show_progress=False)
data = read_inputs(config)  # canonical columns, working CRS (EPSG:2154), communes assigned
print({k: len(v) for k, v in vars(data).items() if hasattr(v, "__len__") and not isinstance(v, dict)})
'''
