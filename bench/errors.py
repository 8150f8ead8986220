"""Exceptions raised by mmnas-bench.

Each subclasses the builtin a caller would naturally catch, so ``except ValueError``
or ``except LookupError`` keeps working.
"""

from __future__ import annotations


class ConfigError(ValueError):
    """A genotype (config) is malformed; the message names the field and value."""


class DataError(ValueError):
    """A data directory or data file is missing, corrupt or unexpected."""


class UnknownNameError(ValueError):
    """An unknown registry name (device, task, example) was asked for."""


class NoKernelError(ValueError):
    """A runtime has no kernel for what a config asks (e.g. int4 convolution); its latency is missing, never guessed."""


class NotMeasuredError(LookupError):
    """A measured device was asked for a config its table holds no measurement of; never guessed."""

    def __str__(self) -> str:  # LookupError would quote the whole message
        return self.args[0]


class LutKeyError(LookupError):
    """A layer has no entry in a hardware look-up table; never guessed."""

    def __init__(self, key: str, table: str) -> None:
        super().__init__(f"no entry {key!r} in look-up table {table}")
        self.key = key
        self.table = table

    def __str__(self) -> str:  # LookupError would quote the whole message
        return self.args[0]


class MissingExtraError(ImportError):
    """A feature needs a package that the installed extras leave out; the message names the extra to install."""
