"""The error every `chatshop` command turns into one sentence on stderr (kept import-light)."""


class ConfigurationError(Exception):
    """A setting is missing or malformed; the message names the variable in one sentence."""
