"""fandex's core: settings, logging, the Bot, command sync, the one error path, shared formatting."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fandex")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+local"
