"""mmnas-bench: a surrogate-model benchmark for hardware-aware multimodal NAS.

Importing ``bench`` loads no torch; models and training live in ``bench.models``.
"""

__version__ = "0.1.0"
