"""Mutation operators and the engine that turns parsed files into validated mutants.

Operators read language-neutral sites from ``bugprm.parsing`` and never touch tree-sitter themselves.
"""

from bugprm.mutate.engine import Mutant, mutate_file
from bugprm.mutate.filters import Drop
from bugprm.mutate.operator import Example, Family, MutationContext, Operator, Replacement
from bugprm.mutate.registry import OPERATORS, operator_named, operators_for

__all__ = [
    "Drop", "Example", "Family", "Mutant", "MutationContext", "OPERATORS", "Operator", "Replacement", "mutate_file",
    "operator_named", "operators_for",
]
