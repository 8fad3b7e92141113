"""bugprm: process reward models that learn which code changes are real bugs and which patches are right."""

__version__ = "0.1.0"
