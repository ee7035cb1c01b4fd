"""config/settings.py reads top to bottom: each setting is written once, where it is defined, and every environment
variable it reads is documented in the README."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "config" / "settings.py"
MUTATING_METHODS = {"append", "extend", "insert", "update", "setdefault", "pop", "remove", "clear", "__setitem__"}


def _setting_name(node) -> str | None:
    """The setting an expression starts from: `REST_FRAMEWORK` in `REST_FRAMEWORK.setdefault("X", [])[0]`."""
    while isinstance(node, ast.Subscript | ast.Attribute | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) and node.id.isupper() else None


def _module_level(statements):
    """Statements at module level, also inside module-level if/else and for (not inside functions)."""
    for statement in statements:
        yield statement
        if isinstance(statement, ast.If | ast.For | ast.With | ast.Try):
            yield from _module_level(statement.body + statement.orelse)


def _bound_names(statements) -> list[str]:
    names = []
    for statement in statements:
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names.extend(target.id for target in targets if isinstance(target, ast.Name) and target.id.isupper())
        elif isinstance(statement, ast.If):
            # the two branches are exclusive: a name set in both is still set once
            names.extend(sorted(set(_bound_names(statement.body)) | set(_bound_names(statement.orelse))))
    return names


def test_no_setting_is_changed_after_its_definition():
    tree = ast.parse(SETTINGS.read_text())
    changed = []
    for statement in _module_level(tree.body):
        if isinstance(statement, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if isinstance(target, ast.Subscript | ast.Attribute) and _setting_name(target):
                    changed.append(f"line {statement.lineno}: {ast.unparse(target)} = …")
            if isinstance(statement, ast.AugAssign) and _setting_name(statement.target):
                changed.append(f"line {statement.lineno}: {ast.unparse(statement.target)} {statement.op} …")
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            function = statement.value.func
            if isinstance(function, ast.Attribute) and function.attr in MUTATING_METHODS and _setting_name(function):
                changed.append(f"line {statement.lineno}: {ast.unparse(function)}(…)")
    bound = _bound_names(tree.body)
    twice = sorted({name for name in bound if bound.count(name) > 1})
    assert (changed, twice) == ([], [])


def test_the_checker_sees_a_setting_changed_later():
    """The check above finds the ways a later section used to extend an earlier structure."""
    source = (
        'TEMPLATES = [{"OPTIONS": {"context_processors": []}}]\n'
        'TEMPLATES[0]["OPTIONS"]["context_processors"].append("x")\n'
        'BEAT = {}\nBEAT["y"] = 1\nREST = {}\nREST.setdefault("A", []).append("z")\n'
    )
    tree = ast.parse(source)
    calls = [s for s in _module_level(tree.body) if isinstance(s, ast.Expr)]
    assert [_setting_name(call.value.func) for call in calls] == ["TEMPLATES", "REST"]
    assigned = [s.targets[0] for s in tree.body if isinstance(s, ast.Assign)]
    assert [_setting_name(t) for t in assigned if isinstance(t, ast.Subscript)] == ["BEAT"]


def _environment_variables() -> set[str]:
    """The names settings.py reads with os.environ.get(...), os.environ[...], env_bool(...) or env_list(...)."""
    found = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        argument = None
        if isinstance(node, ast.Call):
            function = ast.unparse(node.func)
            if function in ("os.environ.get", "env_bool", "env_list") and node.args:
                argument = node.args[0]
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            argument = node.slice
        if isinstance(argument, ast.Constant):
            found.add(argument.value)
        elif isinstance(argument, ast.JoinedStr):  # OIDC_{prefix}_CLIENT_ID: documented as OIDC_FEIDE_CLIENT_ID
            found.add(re.sub(r"\{[^}]*\}", "FEIDE", ast.unparse(argument)[2:-1], count=1))
    return found


def test_every_environment_variable_of_the_settings_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    configuration = readme[readme.index("## Configuration") :]
    documented = set(re.findall(r"\b[A-Z][A-Z0-9_]+\b", configuration))
    variables = _environment_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "OIDC_FEIDE_CLIENT_ID"} <= variables
    missing = {name for name in variables if name not in documented and not name.startswith("OIDC_FEIDE_{")}
    assert missing == set()
