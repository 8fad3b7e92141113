from bugprm.parsing import Language, parse_file

PYTHON = b'''\
import functools


def outer(a, b=1):
    def inner(c):
        return c
    return inner(a)


class Shop:
    @functools.cache
    def price(self, item, *, tax: float = 0.2):
        total = 0
        for x in item:
            if x > 0 and x < 10:
                while total < 100:
                    total += x
        return total


total = 0
'''


def _functions(source: bytes, language: Language, path: str = "m.py"):
    return {f.qualified_name: f for f in parse_file(path, source, language).functions}


def test_python_qualified_names_follow_qualname():
    assert set(_functions(PYTHON, Language.PYTHON)) == {"outer", "outer.<locals>.inner", "Shop.price"}


def test_python_function_facts():
    price = _functions(PYTHON, Language.PYTHON)["Shop.price"]
    assert price.complexity == 1 + 4  # for, if, and, while
    assert price.nesting == 3
    assert price.statements == 6  # assignment, for, if, while, augmented assignment, return
    assert price.lines == 8  # the decorator belongs to the function
    assert price.parameters == ("self", "item", "tax")
    assert dict(price.locals).keys() == {"total", "x"}
    assert price.signature == "def price(self, item, *, tax: float = 0.2):"


def test_nested_function_facts_stay_with_the_nested_function():
    functions = _functions(PYTHON, Language.PYTHON)
    assert functions["outer"].statements == 1
    assert functions["outer.<locals>.inner"].statements == 1
    assert functions["outer"].parameters == ("a", "b")


def test_javascript_methods_and_arrow_functions():
    source = b"class Cart { add(x) { return x; } }\nconst empty = (xs) => xs.length === 0;\nfunction f() {}\n"
    assert set(_functions(source, Language.JAVASCRIPT, "c.js")) == {"Cart.add", "empty", "f"}


def test_typescript_and_tsx_functions():
    ts = b"export class Rect { area(): number { return 1; } }\nexport function big(r: Rect): boolean { return true; }\n"
    tsx = b"export function Badge({ n }: { n: number }) { return <b>{n}</b>; }\n"
    assert set(_functions(ts, Language.TYPESCRIPT, "r.ts")) == {"Rect.area", "big"}
    assert set(_functions(tsx, Language.TSX, "b.tsx")) == {"Badge"}


def test_java_methods_and_constructors():
    source = b"class Stack { Stack() {} int pop() { return 1; } class Inner { void f() {} } }\n"
    assert set(_functions(source, Language.JAVA, "S.java")) == {"Stack.Stack", "Stack.pop", "Stack.Inner.f"}


def test_go_methods_are_qualified_by_receiver():
    source = b"package p\ntype C struct{}\nfunc (c *C) Add(a int) int { return a }\nfunc Free() {}\n"
    assert set(_functions(source, Language.GO, "c.go")) == {"C.Add", "Free"}
