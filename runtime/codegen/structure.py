"""Check that generated source only defines things: importing it runs no code beyond definitions."""

from __future__ import annotations

import ast

_NAME_EXPRS = (ast.Name, ast.Attribute, ast.Constant, ast.Subscript, ast.Tuple, ast.BinOp, ast.Load)
"""What an annotation, a base class or a default may be made of (they run at import time)."""


def _is_literal(node: ast.expr | None) -> bool:
    if node is None:
        return True
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _is_name_expr(node: ast.expr | None) -> bool:
    """A name, dotted name, literal, subscript or `|` union of those: nothing that calls code."""
    if node is None:
        return True
    for sub in ast.walk(node):
        if not isinstance(sub, _NAME_EXPRS + (ast.expr_context, ast.operator)):
            return False
        if isinstance(sub, ast.BinOp) and not isinstance(sub.op, ast.BitOr):
            return False
    return True


def _function_problem(fn: ast.FunctionDef) -> str | None:
    if fn.decorator_list:
        return f"function {fn.name} has a decorator"
    args = fn.args
    every = (
        args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
    )
    if not all(_is_name_expr(a.annotation) for a in every) or not _is_name_expr(fn.returns):
        return f"function {fn.name} has an annotation that calls code"
    if not all(
        _is_literal(d) for d in args.defaults + [d for d in args.kw_defaults if d is not None]
    ):
        return f"function {fn.name} has a default that is not a literal"
    return None


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _is_constant(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Assign):
        return all(isinstance(t, ast.Name) for t in stmt.targets) and _is_literal(stmt.value)
    if isinstance(stmt, ast.AnnAssign):
        return (
            isinstance(stmt.target, ast.Name)
            and _is_name_expr(stmt.annotation)
            and stmt.value is not None
            and _is_literal(stmt.value)
        )
    return False


def _class_problem(cls: ast.ClassDef) -> str | None:
    if cls.decorator_list or cls.keywords:
        return f"class {cls.name} has a decorator or keywords"
    if not all(isinstance(b, (ast.Name, ast.Attribute)) and _is_name_expr(b) for b in cls.bases):
        return f"class {cls.name} has a base that is not a name"
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef):
            problem = _function_problem(stmt)
        elif _is_docstring(stmt) or _is_constant(stmt):
            problem = None
        else:
            problem = f"class {cls.name} runs a {type(stmt).__name__} statement in its body"
        if problem:
            return problem
    return None


def _is_main_guard(stmt: ast.stmt) -> bool:
    test = stmt.test if isinstance(stmt, ast.If) else None
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq)
        and len(test.comparators) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
        and not stmt.orelse
    )


def module_shape_problem(source: str) -> str | None:
    """Why `source` is not a definitions-only module, or None when it is.

    Definitions only: one docstring, imports, classes and functions (no decorators, no calls in
    annotations, bases or defaults), constants with literal values, and the `__main__` guard.
    """
    try:
        source.encode("utf-8")
        tree = ast.parse(source)
    except (SyntaxError, ValueError, UnicodeEncodeError) as exc:
        return f"not valid Python: {exc}"
    for index, stmt in enumerate(tree.body):
        if index == 0 and _is_docstring(stmt):
            continue
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(stmt, ast.ClassDef):
            problem = _class_problem(stmt)
        elif isinstance(stmt, ast.FunctionDef):
            problem = _function_problem(stmt)
        elif _is_constant(stmt) or _is_main_guard(stmt):
            problem = None
        else:
            problem = f"line {stmt.lineno} runs a {type(stmt).__name__} statement when imported"
        if problem:
            return problem
    return None
