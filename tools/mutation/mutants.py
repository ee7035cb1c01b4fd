"""The mutants of one module: where each is, what it changes, and whether it only changes a message.

A mutant is one small change to the syntax tree of one top-level function, method or module constant
(`UPPER_CASE = ...`). It is applied by compiling the changed function and swapping its code object into the
live function (see plugin.py), so decorators, properties and references held elsewhere all see it.

Operators (the `operator` of each mutant):
- comparison: `<` ↔ `<=`, `>` ↔ `>=`, `==` ↔ `!=`, `is` ↔ `is not`, `in` ↔ `not in`
- boolean: `and` ↔ `or`; `not x` → `x`
- arithmetic: `+` ↔ `-`, `*` ↔ `/`, `//` → `/`, `%` → `/`, `**` → `*`, `|` ↔ `&` (also in `+=` and the like);
  `-x` → `x`
- number: n → n + 1, n → n - 1 (n > 0), so 0 → 1 and 1 → 0; also the text of `Decimal("0.25")`
- true/false: `True` ↔ `False`
- string: `"abc"` → `"XXabcXX"` (error codes, field names, keys)
- slice: each bound of `x[a:b]` removed
- keyword: each keyword argument of a call removed, or its value replaced by `None`
- none: the value of an assignment replaced by `None`
- return: `return x` → `return None`; a returned condition negated
- raise: `raise ...` → `pass`
- guard: `if c:` → `if False:` (the body never runs) and, with an `else`, `if True:`; `a if c else b` both ways

A mutant only changes a message when the changed node lies in the arguments of a gettext call (`_`, `gettext`,
`gettext_lazy`, `ngettext`, ...), in the `%` formatting of such a call, in a logging call, in the message
(first argument) of a raised exception, or in a docstring. Those are counted apart and not run.
"""

import ast
import copy
import re
from dataclasses import dataclass, field

GETTEXT_NAMES = frozenset(
    {
        "_",
        "gettext",
        "gettext_lazy",
        "ngettext",
        "ngettext_lazy",
        "pgettext",
        "pgettext_lazy",
        "npgettext",
        "npgettext_lazy",
        "gettext_noop",
    }
)
LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})
CONSTANT_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")

COMPARISONS = {
    ast.Lt: [ast.LtE],
    ast.LtE: [ast.Lt],
    ast.Gt: [ast.GtE],
    ast.GtE: [ast.Gt],
    ast.Eq: [ast.NotEq],
    ast.NotEq: [ast.Eq],
    ast.Is: [ast.IsNot],
    ast.IsNot: [ast.Is],
    ast.In: [ast.NotIn],
    ast.NotIn: [ast.In],
}
ARITHMETIC = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.Div,
    ast.Pow: ast.Mult,
    ast.BitOr: ast.BitAnd,
    ast.BitAnd: ast.BitOr,
}


@dataclass
class Mutant:
    """One change to one unit (a top-level function, a method or a module constant) of a module."""

    number: int  # 1-based, in source order; the same source gives the same numbers
    unit: str  # "booking_quote", "StaffLine.salary_cost" or a constant's name
    kind: str  # "function" or "constant"
    operator: str
    line: int
    before: str  # the source lines of the changed node
    after: str  # the same lines with the change
    message_only: bool
    unit_node: ast.AST = field(repr=False, default=None)  # the changed unit (a FunctionDef or an Assign)
    class_path: tuple[str, ...] = ()  # the classes around a method, outermost first

    def describe(self) -> str:
        return f"#{self.number} line {self.line} in {self.unit} ({self.operator})"

    def diff(self) -> str:
        minus = "\n".join(f"- {line}" for line in self.before.splitlines())
        plus = "\n".join(f"+ {line}" for line in self.after.splitlines())
        return f"{minus}\n{plus}"


def _is_gettext_call(node) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return name in GETTEXT_NAMES


def _is_log_call(node) -> bool:
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return False
    owner = node.func.value
    owner_name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
    return node.func.attr in LOG_METHODS and "log" in owner_name.lower()


def _is_docstring(statement) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _is_decimal_text(node, parent) -> bool:
    if not (isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id == "Decimal"):
        return False
    try:
        float(node.value)
    except ValueError:
        return False
    return True


def _negated(test) -> ast.expr:
    return ast.UnaryOp(op=ast.Not(), operand=test)


def _replacements(node, parent):
    """(operator, new node, focus, focus text) for `node`: the new node takes the place of `node`; `focus` is
    the part of `node` the change is about, shown in the diff as `focus text`."""
    if isinstance(node, ast.Compare):
        for index, op in enumerate(node.ops):
            for other in COMPARISONS.get(type(op), []):
                ops = list(node.ops)
                ops[index] = other()
                new = ast.Compare(left=node.left, ops=ops, comparators=node.comparators)
                yield "comparison", new, node, None
    elif isinstance(node, ast.BoolOp):
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield "boolean", ast.BoolOp(op=other, values=node.values), node, None
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "boolean", node.operand, node, None
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "arithmetic", node.operand, node, None
    elif isinstance(node, ast.BinOp) and type(node.op) in ARITHMETIC:
        yield "arithmetic", ast.BinOp(left=node.left, op=ARITHMETIC[type(node.op)](), right=node.right), node, None
    elif isinstance(node, ast.AugAssign) and type(node.op) in ARITHMETIC:
        new = ast.AugAssign(target=node.target, op=ARITHMETIC[type(node.op)](), value=node.value)
        yield "arithmetic", new, node, None
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            yield "true/false", ast.Constant(not value), node, None
        elif isinstance(value, int | float):
            yield "number", ast.Constant(value + 1), node, None
            if isinstance(value, int) and value > 0:
                yield "number", ast.Constant(value - 1), node, None
        elif isinstance(value, str) and _is_decimal_text(node, parent):
            bigger = str(float(value) + 1) if "." in value or "e" in value.lower() else str(int(value) + 1)
            yield "number", ast.Constant(bigger), node, None
        elif isinstance(value, str) and not isinstance(parent, ast.JoinedStr | ast.FormattedValue):
            yield "string", ast.Constant(f"XX{value}XX"), node, None
    elif isinstance(node, ast.Slice):
        if node.lower is not None:
            yield "slice", ast.Slice(lower=None, upper=node.upper, step=node.step), node, None
        if node.upper is not None:
            yield "slice", ast.Slice(lower=node.lower, upper=None, step=node.step), node, None
    elif isinstance(node, ast.Call):
        for index, keyword in enumerate(node.keywords):
            if keyword.arg is None:
                continue
            kept = node.keywords[:index] + node.keywords[index + 1 :]
            yield "keyword", ast.Call(func=node.func, args=node.args, keywords=kept), keyword, ""
            if not (isinstance(keyword.value, ast.Constant) and keyword.value.value is None):
                changed = list(node.keywords)
                changed[index] = ast.keyword(arg=keyword.arg, value=ast.Constant(None))
                yield "keyword", ast.Call(func=node.func, args=node.args, keywords=changed), keyword.value, "None"
    elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            changed = copy.copy(node)
            changed.value = ast.Constant(None)
            yield "none", changed, node.value, "None"
    elif isinstance(node, ast.Return) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            yield "return", ast.Return(value=ast.Constant(None)), node.value, "None"
        if isinstance(node.value, ast.BoolOp | ast.Compare):
            negated = _negated(node.value)
            yield "return", ast.Return(value=negated), node.value, f"not ({ast.unparse(node.value)})"
    elif isinstance(node, ast.Raise):
        yield "raise", ast.Pass(), node, "pass"
    elif isinstance(node, ast.If):
        guard_only_raises = len(node.body) == 1 and isinstance(node.body[0], ast.Raise) and not node.orelse
        if not guard_only_raises:  # `raise` → `pass` is the same change
            yield "guard", ast.If(test=ast.Constant(False), body=node.body, orelse=node.orelse), node.test, "False"
        if node.orelse:
            yield "guard", ast.If(test=ast.Constant(True), body=node.body, orelse=node.orelse), node.test, "True"
    elif isinstance(node, ast.IfExp):
        yield "guard", ast.IfExp(test=ast.Constant(True), body=node.body, orelse=node.orelse), node.test, "True"
        yield "guard", ast.IfExp(test=ast.Constant(False), body=node.body, orelse=node.orelse), node.test, "False"


# Parts of a function that are not its behaviour at call time: decorators and defaults run once when the module
# is imported (a swapped code object never sees them), annotations are not run at all.
_SKIPPED_FIELDS = {"decorator_list", "args", "returns", "annotation", "type_comment", "type_params"}


def _walk(node, path=(), message=False, parent=None):
    """Yield (node, path, parent, in a message) for `node` and everything below it, in source order."""
    if _is_gettext_call(node) or (
        isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _is_gettext_call(node.left)
    ):
        message = True
    yield node, path, parent, message
    for name, value in ast.iter_fields(node):
        if name in _SKIPPED_FIELDS and not isinstance(node, ast.Call | ast.Lambda):
            continue
        if isinstance(node, ast.AnnAssign) and name == "annotation":
            continue
        children = value if isinstance(value, list) else [value]
        for index, child in enumerate(children):
            if not isinstance(child, ast.AST):
                continue
            if (
                name == "body"
                and index == 0
                and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            ):
                if _is_docstring(child):
                    continue
            child_message = message
            if _is_gettext_call(node) and name in ("args", "keywords"):
                child_message = True
            elif _is_log_call(node) and name in ("args", "keywords"):
                child_message = True
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _is_gettext_call(node.left):
                child_message = True
            elif isinstance(node, ast.Raise) and name == "exc" and isinstance(child, ast.Call):
                child_message = message  # the call itself is behaviour; its first argument is the message
            elif isinstance(parent, ast.Raise) and isinstance(node, ast.Call) and name == "args" and index == 0:
                child_message = True
            step = (name, index) if isinstance(value, list) else (name, None)
            yield from _walk(child, (*path, step), child_message, node)


def _units(tree: ast.Module):
    """(qualified name, kind, node, class path) for each function, method and UPPER_CASE constant of a module."""

    def in_class(body, classes):
        for statement in body:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                yield ".".join((*classes, statement.name)), "function", statement, classes
            elif isinstance(statement, ast.ClassDef):
                yield from in_class(statement.body, (*classes, statement.name))

    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            yield statement.name, "function", statement, ()
        elif isinstance(statement, ast.ClassDef):
            yield from in_class(statement.body, (statement.name,))
        elif isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names = [target.id for target in targets if isinstance(target, ast.Name)]
            if names and len(names) == len(targets) and all(CONSTANT_NAME.match(name) for name in names):
                yield names[0], "constant", statement, ()


def _wanted(unit: str, functions) -> bool:
    if not functions:
        return True
    return any(unit == name or unit.startswith(f"{name}.") for name in functions)


def _replace(root, path, new):
    """A copy of `root` with the node at `path` replaced by `new`."""
    root = copy.deepcopy(root)
    if not path:
        return new
    node = root
    for name, index in path[:-1]:
        node = getattr(node, name)[index] if index is not None else getattr(node, name)
    name, index = path[-1]
    if index is None:
        setattr(node, name, new)
    else:
        getattr(node, name)[index] = new
    return root


def _source_of(lines: list[bytes], node, text: str) -> tuple[str, str]:
    """The source lines of `node`, and the same lines with `node` written as `text` (offsets are in bytes)."""
    first, last = node.lineno - 1, node.end_lineno - 1
    before = b"\n".join(lines[first : last + 1]).decode()
    prefix = lines[first][: node.col_offset].decode()
    suffix = lines[last][node.end_col_offset :].decode()
    if not text and suffix.startswith(","):  # a removed argument takes its comma along
        suffix = suffix[1:].lstrip() if prefix.strip() else suffix[1:]
    elif not text and prefix.rstrip().endswith(","):
        prefix = prefix.rstrip()[:-1]
    after = prefix + text + suffix
    return before, after if after.strip() else "(removed)"


def module_mutants(source: str, functions=()) -> list["Mutant"]:
    """Every mutant of `source`, limited to the named units (functions, `Class.method`, constants) if given."""
    tree = ast.parse(source)
    lines = source.encode().splitlines()
    mutants: list[Mutant] = []
    for unit, kind, unit_node, classes in _units(tree):
        if not _wanted(unit, functions):
            continue
        for node, path, parent, message in _walk(unit_node):
            if node is unit_node and kind == "function":
                continue  # the def itself: its decorators and defaults are not swapped in
            if not hasattr(node, "lineno"):
                continue
            for operator, new, focus, focus_text in _replacements(node, parent):
                ast.copy_location(new, node)
                ast.fix_missing_locations(new)
                changed = _replace(unit_node, path, new)
                before, after = _source_of(lines, focus, ast.unparse(new) if focus_text is None else focus_text)
                mutants.append(
                    Mutant(
                        number=len(mutants) + 1,
                        unit=unit,
                        kind=kind,
                        operator=operator,
                        line=focus.lineno,
                        before=before,
                        after=after,
                        message_only=message,
                        unit_node=changed,
                        class_path=classes,
                    )
                )
    return mutants
