"""Repair templates: operators that propose fixes rather than bugs (``bugprm repair`` runs them beside the mutation
operators, which double as fixes: the operator that injected a bug usually has its inverse among them)."""

from __future__ import annotations

import re
from typing import Iterator

from bugprm.mutate.operator import JS_FAMILY, PYTHON, Example, Family, MutationContext, Operator, Replacement
from bugprm.mutate.syntax import negated, shifted
from bugprm.mutate.variables import RECEIVERS, same_kind_names
from bugprm.parsing import Language, Site, SiteKind, Span

_PY, _JS = Language.PYTHON, Language.JAVASCRIPT
_DEREFERENCED = re.compile(r"\b([A-Za-z_]\w*)\s*[.\[]")
_SIMPLE_OPERAND = re.compile(r"^[\w.]+$")
_DEREFERENCING = frozenset(".[(")
_TIGHT_BEFORE = frozenset("-*/%@~")  # a left neighbour that binds tighter than +, or makes b + 1 mean -b + 1
_TIGHT_AFTER = frozenset("*/%@")


class NoneGuard(Operator):
    name = "none_guard"
    family = Family.CONDITION
    description = "Guard a return or a call statement against a parameter that is None."
    languages = PYTHON
    needs = frozenset({SiteKind.RETURN, SiteKind.CALL_STATEMENT})
    EXAMPLES = (
        Example(_PY, "def f(s):\n    return s.strip()\n", "def f(s):\n    return None if s is None else s.strip()\n"),
        Example(_PY, "def f(xs):\n    xs.sort()\n    return xs\n",
                "def f(xs):\n    if xs is not None: xs.sort()\n    return xs\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        target = site.part("value") if site.kind is SiteKind.RETURN else site.node
        if target is None:
            return
        for name in _dereferenced_parameters(target.text, context.function.parameters):
            if site.kind is SiteKind.RETURN:
                yield Replacement(target.start, target.end, f"None if {name} is None else {target.text}")
            else:
                yield Replacement(target.start, target.end, f"if {name} is not None: {target.text}")


class OperatorChoice(Operator):
    """Where arithmetic_swap maps each operator to one other (``%`` to ``//``), this proposes every one, so the
    inverse of any such swap is among them."""

    name = "operator_choice"
    family = Family.ARITHMETIC
    description = "Use each other operator of the same group: arithmetic (+ - * / // % **) or bitwise (& | ^ << >>)."
    languages = PYTHON
    needs = frozenset({SiteKind.ARITHMETIC})
    GROUPS = (("+", "-", "*", "/", "//", "%", "**"), ("&", "|", "^", "<<", ">>"))
    EXAMPLES = (
        Example(_PY, "def f(n):\n    return n // 2\n", "def f(n):\n    return n % 2\n"),
        Example(_PY, "def f(a, b):\n    return a ^ b\n", "def f(a, b):\n    return a | b\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        operator = site.part("operator")
        group = next((g for g in self.GROUPS if operator is not None and operator.text in g), ())
        for other in (o for o in group if o != operator.text):
            yield Replacement(operator.start, operator.end, other)


class DropOffset(Operator):
    name = "drop_offset"
    family = Family.BOUNDARY
    description = "Drop a +1 or -1 offset: range(n + 1) with range(n)."
    needs = frozenset({SiteKind.ARITHMETIC})
    EXAMPLES = (
        Example(_PY, "def f(n):\n    return list(range(n + 1))\n", "def f(n):\n    return list(range(n))\n"),
        Example(_JS, "function f(xs) { return xs[xs.length - 1]; }\n", "function f(xs) { return xs[xs.length]; }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        operator, node = site.part("operator"), site.node
        if operator is None or operator.text not in ("+", "-"):
            return
        if node.slice(operator.end, node.end).strip() == "1":
            yield Replacement(node.start, node.end, node.slice(node.start, operator.start).strip())


class OperandNegate(Operator):
    name = "operand_negate"
    family = Family.BOOLEAN
    description = "Negate one operand of an and/or: a and b with a and not b."
    needs = frozenset({SiteKind.BOOLEAN})
    EXAMPLES = (
        Example(_PY, "def f(a, b):\n    return a and b\n", "def f(a, b):\n    return a and not b\n"),
        Example(_JS, "function f(a, b) { return a || b; }\n", "function f(a, b) { return !a || b; }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        for side in ("left", "right"):
            operand = site.part(side)
            if operand is not None:
                yield Replacement(operand.start, operand.end, negated(context.language, operand))


class OperandSwap(Operator):
    name = "operand_swap"
    family = Family.ARITHMETIC
    description = "Swap the operands of a non-commutative arithmetic operator: a - b with b - a."
    needs = frozenset({SiteKind.ARITHMETIC})
    ORDERED = frozenset({"-", "/", "//", "%", "**", "<<", ">>"})
    EXAMPLES = (
        Example(_PY, "def f(a, b):\n    return a - b\n", "def f(a, b):\n    return b - a\n"),
        Example(_PY, "def f(a, b):\n    return a % (b + 1)\n", "def f(a, b):\n    return (b + 1) % a\n"),
        Example(_JS, "function f(a, b) { return a / b; }\n", "function f(a, b) { return b / a; }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        operator, node = site.part("operator"), site.node
        if operator is None or operator.text not in self.ORDERED:
            return
        left, right = node.slice(node.start, operator.start).strip(), node.slice(operator.end, node.end).strip()
        yield Replacement(node.start, node.end, f"{_operand(right)} {operator.text} {_operand(left)}")


class VariableOffByOne(Operator):
    """Parenthesised where a neighbour binds tighter than ``+`` (``a - (b + 1)``); never on a name read for an
    attribute, an item or a call."""

    name = "variable_off_by_one"
    family = Family.BOUNDARY
    description = "Read a parameter or local plus or minus one: xs[i] with xs[i - 1]."
    languages = PYTHON | JS_FAMILY
    needs = frozenset({SiteKind.VARIABLE})
    EXAMPLES = (
        Example(_PY, "def f(xs, i):\n    return xs[i]\n", "def f(xs, i):\n    return xs[i - 1]\n"),
        Example(_PY, "def f(a, b):\n    return a - b\n", "def f(a, b):\n    return a - (b + 1)\n"),
        Example(_JS, "function f(n) { return g(n); }\n", "function f(n) { return g(n + 1); }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        known = {*context.function.parameters, *(name for name, _ in context.function.locals)} - RECEIVERS
        before, after = _neighbours(context.function.span, site.node)
        if site.node.text not in known or after in _DEREFERENCING:
            return
        tight = before in _TIGHT_BEFORE or after in _TIGHT_AFTER
        for delta in (1, -1):
            text = shifted(site.node, delta)
            yield Replacement(site.node.start, site.node.end, f"({text})" if tight else text)


class VariableChoice(Operator):
    name = "variable_choice"
    family = Family.VARIABLE
    description = "Read each other in-scope variable of the same kind (every choice, where variable_replace picks one)."
    languages = PYTHON | JS_FAMILY
    needs = frozenset({SiteKind.VARIABLE})
    EXAMPLES = (
        Example(_PY, "def f(a, b, c):\n    return a * 2\n", "def f(a, b, c):\n    return c * 2\n"),
        Example(_PY, "def f(a, b, c):\n    return a * 2\n", "def f(a, b, c):\n    return b * 2\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        for name in same_kind_names(context.function, site.node.text, site.node.start):
            yield Replacement(site.node.start, site.node.end, name)


def _dereferenced_parameters(text: str, parameters: tuple[str, ...]) -> list[str]:
    """Parameters the text reads an attribute or item of, in order of first use."""
    used = dict.fromkeys(m.group(1) for m in _DEREFERENCED.finditer(text))
    return [name for name in used if name in parameters and name not in RECEIVERS]


def _neighbours(function: Span, node: Span) -> tuple[str, str]:
    """The nearest non-blank characters before and after the node inside its function ("" at either end)."""
    raw = function.text.encode("utf-8")
    offset = node.start - function.start
    before = raw[:offset].rstrip()[-1:].decode("utf-8", "replace")
    after = raw[offset + len(node.text.encode("utf-8")):].lstrip()[:1].decode("utf-8", "replace")
    return before, after


def _operand(text: str) -> str:
    return text if _SIMPLE_OPERAND.match(text) or _parenthesised(text) else f"({text})"


def _parenthesised(text: str) -> bool:
    """Whether the whole text is one parenthesised expression (``(a) + (b)`` is not)."""
    depth = 0
    for index, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth == 0 and index < len(text) - 1:
            return False
    return text.endswith(")") and depth == 0
