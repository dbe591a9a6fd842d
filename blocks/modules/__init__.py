"""Plain-torch modules behind the catalogue's blocks.

Every class here imports only `torch`, `torch.nn as nn` and `torch.nn.functional as F`,
so Python export can copy its source verbatim into a standalone file.
"""
