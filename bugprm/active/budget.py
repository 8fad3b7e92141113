"""How much test execution a run may spend. The grammar is the config's (``bugprm.config.Budget``), defined once;
this name stays for the modules that import it from here."""

from bugprm.config import Budget

__all__ = ["Budget"]
