"""Every operator, in the order mutants are generated (an earlier operator wins a duplicate source), and the repair
templates."""

from __future__ import annotations

from bugprm.mutate.arguments import ArgumentSwap
from bugprm.mutate.arithmetic import ArithmeticSwap, AugmentedAssignSwap, BitwiseSwap
from bugprm.mutate.boolean import BooleanOperandDrop, BooleanSwap, ConditionDrop, ConditionNegate, NegationRemove
from bugprm.mutate.boundary import RangeOffByOne, SliceOffByOne
from bugprm.mutate.comparison import ComparisonBoundary, ComparisonFlip, ComparisonNegate, IdentitySwap, MembershipSwap
from bugprm.mutate.constants import BoolLiteralSwap, NumberShift, NumberZero, StringEmpty
from bugprm.mutate.handlers import HandlerReraise, HandlerSwallow
from bugprm.mutate.loops import ForZeroIteration, WhileFalse
from bugprm.mutate.operator import Operator
from bugprm.mutate.returns import ReturnNegate, ReturnNone
from bugprm.mutate.statements import BreakContinueSwap, CallStatementRemove, DecoratorRemove
from bugprm.mutate.templates import (
    DropOffset, NoneGuard, OperandNegate, OperandSwap, OperatorChoice, VariableChoice, VariableOffByOne,
)
from bugprm.mutate.variables import VariableReplace
from bugprm.parsing import Language, Site

OPERATORS: tuple[Operator, ...] = (
    ComparisonNegate(), ComparisonFlip(), ComparisonBoundary(), IdentitySwap(), MembershipSwap(),
    ArithmeticSwap(), BitwiseSwap(), AugmentedAssignSwap(),
    BooleanSwap(), BooleanOperandDrop(), ConditionNegate(), ConditionDrop(), NegationRemove(),
    NumberShift(), NumberZero(), StringEmpty(), BoolLiteralSwap(),
    ReturnNone(), ReturnNegate(), CallStatementRemove(), BreakContinueSwap(),
    RangeOffByOne(), SliceOffByOne(), ArgumentSwap(), VariableReplace(),
    HandlerSwallow(), HandlerReraise(), DecoratorRemove(), ForZeroIteration(), WhileFalse(),
)
REPAIR_TEMPLATES: tuple[Operator, ...] = (
    NoneGuard(), OperatorChoice(), OperandSwap(), DropOffset(), OperandNegate(), VariableChoice(), VariableOffByOne(),
)
# What ``bugprm repair`` proposes at a suspicious line: every mutation operator as a fix, then the templates.
REPAIR_OPERATORS: tuple[Operator, ...] = OPERATORS + REPAIR_TEMPLATES


def operators_for(site: Site, language: Language, operators: tuple[Operator, ...] = OPERATORS) -> list[Operator]:
    return [operator for operator in operators if operator.applies_to(site, language)]


def operator_named(name: str) -> Operator:
    return next(operator for operator in OPERATORS if operator.name == name)
