"""A repair operator undoes what each invertible mutation operator did, on the mutated line (up to parentheses):
the true fix of an injected bug is among the candidate patches without being looked for."""

import ast
from collections import defaultdict

from bugprm.mutate.engine import mutate_file
from bugprm.parsing import Language, parse_file
from bugprm.repair.candidates import mutants_at

SOURCE = b'''def clamp(value, low, high):
    if value < low:
        return low
    if value >= high and not value == 7:
        return high
    return value


def total(xs, start):
    result = start
    for x in xs[1:]:
        if x is None or x in (3, 4):
            continue
        result += x * 2 - 1
    return list(range(len(xs)))[:result] and result // 2 % 5


def check(flag, items):
    while flag:
        break
    return flag != True
'''
# Operators that lose information (drop an operand, a call, a loop; zero a number) have no inverse to find.
LOSSY = {"boolean_operand_drop", "call_statement_remove", "condition_drop", "for_zero_iteration", "number_zero",
         "return_none", "while_false"}


def _applied(source: bytes, start: int, end: int, text: str) -> bytes:
    return source[:start] + text.encode() + source[end:]


def _restored_by_operator() -> dict[str, list[bool]]:
    wanted, found = ast.dump(ast.parse(SOURCE)), defaultdict(list)
    for bug in mutate_file(parse_file("m.py", SOURCE, Language.PYTHON)):
        broken = _applied(SOURCE, bug.edit.start, bug.edit.end, bug.edit.text)
        repairs = mutants_at(parse_file("m.py", broken, Language.PYTHON), bug.line)
        fixed = {ast.dump(ast.parse(_applied(broken, r.edit.start, r.edit.end, r.edit.text))) for r in repairs}
        found[bug.operator.name].append(wanted in fixed)
    return found


def test_every_invertible_bug_has_its_inverse_among_the_repairs_at_its_line():
    found = _restored_by_operator()
    invertible = {name: restored for name, restored in found.items() if name not in LOSSY}
    assert len(invertible) >= 15
    assert {name: all(restored) for name, restored in invertible.items()} == dict.fromkeys(invertible, True)
