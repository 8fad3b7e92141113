"""Exception handlers: swallow the error, or re-raise it after recovering."""

from __future__ import annotations

from typing import Iterator

from bugprm.mutate.operator import Example, Family, MutationContext, Operator, Replacement
from bugprm.mutate.syntax import SPELLINGS
from bugprm.parsing import Language, Site, SiteKind, Span

_PY, _JS, _JAVA = Language.PYTHON, Language.JAVASCRIPT, Language.JAVA
_WITH_HANDLERS = frozenset(Language) - {Language.GO}


class HandlerSwallow(Operator):
    name = "handler_swallow"
    family = Family.EXCEPTION
    description = "Empty an exception handler so the error is silently swallowed."
    languages = _WITH_HANDLERS
    needs = frozenset({SiteKind.HANDLER})
    EXAMPLES = (
        Example(_PY, "def f(a):\n    try:\n        g(a)\n    except KeyError:\n        a = None\n        raise\n",
                "def f(a):\n    try:\n        g(a)\n    except KeyError:\n        pass\n"),
        Example(_JAVA, "class A { void f() { try { g(); } catch (Exception e) { h(e); } } }\n",
                "class A { void f() { try { g(); } catch (Exception e) {} } }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        body, empty = site.part("body"), SPELLINGS[context.language].empty_handler
        if body is not None and "".join(body.text.split()) != empty:
            yield Replacement(body.start, body.end, empty)


class HandlerReraise(Operator):
    name = "handler_reraise"
    family = Family.EXCEPTION
    description = "Re-raise at the end of an exception handler instead of recovering."
    languages = _WITH_HANDLERS
    needs = frozenset({SiteKind.HANDLER})
    EXAMPLES = (
        Example(_PY, "def f(a):\n    try:\n        return g(a)\n    except KeyError:\n        return None\n",
                "def f(a):\n    try:\n        return g(a)\n    except KeyError:\n        return None\n        raise\n"),
        Example(_JS, "function f() {\n  try {\n    g();\n  } catch (e) {\n    h();\n  }\n}\n",
                "function f() {\n  try {\n    g();\n  } catch (e) {\n    h();\n      throw e;\n  }\n}\n"),
        Example(_JAVA, "class A { void f() { try { g(); } catch (RuntimeException e) { h(); } } }\n",
                "class A { void f() { try { g(); } catch (RuntimeException e) { h(); throw e; } } }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        body = site.part("body")
        if body is None or _ends_with_raise(body):
            return
        if context.language is Language.PYTHON:
            yield from _python_reraise(body)
        elif (name := site.part("name")) is not None:
            yield _insert_before_brace(body, f"throw {name.text};")


def _ends_with_raise(body: Span) -> bool:
    last = body.text.rstrip().rstrip("}").rstrip().splitlines()[-1:] or [""]
    return last[0].strip().startswith(("raise", "throw"))


def _python_reraise(body: Span) -> Iterator[Replacement]:
    # A body on the handler's own line (``except E: pass``) has no indentation a new line could reuse.
    if len(body.indent) == body.column:
        yield Replacement(body.end, body.end, f"\n{body.indent}raise")


def _insert_before_brace(body: Span, statement: str) -> Replacement:
    closing = body.text.rfind("\n") + 1
    if closing == 0:
        brace = body.end - 1
        return Replacement(brace, brace, f"{statement} ")
    closing_indent = body.text[closing:len(body.text) - 1]
    at = body.start + len(body.text[:closing].encode("utf-8"))
    return Replacement(at, at, f"{closing_indent}    {statement}\n")
