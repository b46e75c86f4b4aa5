"""Which checks of a chapter read a model's results on the test set: a data-flow reading of its code.

A chapter's code cells are read in order, as the kernel runs them (``ast``, nothing executed).
A name holds *test images* when it is bound to the test half of ``data.load_prepared()`` or
``data.load_mnist()``, or computed from such a name by array arithmetic (NumPy, pandas, math,
slicing, reshaping). It holds a *test result* when test images went into anything else: a model
or a layer called on them, ``predict``, ``evaluate``, a helper that trains with them, and every
value computed from such a result afterwards (predictions, accuracies, confusion matrices, lists
appended to in a loop, a function whose body reads one). A check whose condition reads a test
result makes a test score a build gate; tests/test_test_set.py refuses it, unless it holds
whatever the model computed (an identity of arithmetic, such as a normalised column adding to 1),
and says why there.
"""

from __future__ import annotations

import ast

#: Modules whose functions compute on arrays without running a model: test images stay test
#: images through them (``np.mean(x_test)`` is a fact about the data, not a result). Keras' own
#: functions (``keras.utils.to_categorical``, ``keras.ops``) are array utilities too; a model or a
#: layer is an object, and calling it or its methods on test images gives a result.
ARRAY_MODULES = {"np", "numpy", "pd", "pandas", "math", "statistics", "keras"}
#: Built-in functions, which count, convert and arrange: they run no model either.
BUILTINS = {
    "len",
    "range",
    "enumerate",
    "zip",
    "list",
    "tuple",
    "sorted",
    "float",
    "int",
    "bool",
    "abs",
    "min",
    "max",
    "sum",
    "round",
    "str",
    "print",
    "isinstance",
    "type",
    "set",
    "dict",
    "reversed",
}
#: Array methods that reshape or summarise: called on test images, they give test images.
ARRAY_METHODS = {
    "reshape",
    "astype",
    "copy",
    "flatten",
    "ravel",
    "sum",
    "mean",
    "max",
    "min",
    "std",
    "transpose",
}
#: Methods that change the object they are called on: a test result passed to one taints it.
MUTATING = {"append", "extend", "insert", "update", "add", "setdefault", "__setitem__"}
#: The helpers that load MNIST: the last pair they return is (test images, test labels).
LOADERS = {"load_prepared", "load_mnist"}

DATA, RESULT = 1, 2


def _code(source: str) -> str:
    """A cell's Python, without IPython's magics and shell lines (kept as blank lines)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _base(node) -> str | None:
    """The variable an expression such as ``a.b[c].d`` starts from."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Starred):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _targets(node) -> set[str]:
    """The names an assignment target binds or changes (``d[k] = v`` changes d)."""
    if isinstance(node, ast.Tuple | ast.List):
        return set().union(*(_targets(e) for e in node.elts)) if node.elts else set()
    base = _base(node)
    return {base} if base else set()


class Flow:
    """Follows test images and test results through one chapter's cells."""

    def __init__(self):
        self.taint: dict[str, int] = {}
        self.modules: set[str] = set()
        self.functions: dict[str, int] = {}
        self.given_data: dict[str, int] = {}
        self.flagged: list[tuple[str, int, str]] = []

    def level(self, node) -> int:
        """DATA, RESULT or 0 for the value of an expression."""
        level = 0
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                level = max(level, self.taint.get(sub.id, 0), self.functions.get(sub.id, 0))
            if isinstance(sub, ast.Call):
                args = [*sub.args, *(k.value for k in sub.keywords)]
                given_data = any(self.level(a) == DATA for a in args)
                if isinstance(sub.func, ast.Name) and sub.func.id in self.given_data:
                    # the chapter's own function: what its body makes of test images
                    level = max(level, self.given_data[sub.func.id] if given_data else 0)
                elif given_data and _base(sub.func) not in ARRAY_MODULES | BUILTINS:
                    method = sub.func.attr if isinstance(sub.func, ast.Attribute) else None
                    if method not in ARRAY_METHODS:
                        level = RESULT
        return level

    def bind(self, names, level):
        for name in names:
            if level:
                self.taint[name] = max(self.taint.get(name, 0), level)

    def run(self, statements):
        for node in statements:
            self.statement(node)

    def statement(self, node):
        if isinstance(node, ast.Import | ast.ImportFrom):
            self.modules |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.Assign):
            value = node.value
            is_loader = isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute | ast.Name)
            name = getattr(value.func, "attr", getattr(value.func, "id", None)) if is_loader else None
            if name in LOADERS and isinstance(node.targets[0], ast.Tuple):
                test_pair = node.targets[0].elts[-1]
                if isinstance(test_pair, ast.Tuple) and test_pair.elts:
                    self.bind(_targets(test_pair.elts[0]), DATA)
                return
            for target in node.targets:
                self.bind(_targets(target), self.level(value))
        elif isinstance(node, ast.AugAssign | ast.AnnAssign) and node.value is not None:
            self.bind(_targets(node.target), self.level(node.value))
        elif isinstance(node, ast.For | ast.AsyncFor):
            self.bind(_targets(node.target), self.level(node.iter))
            for _ in range(2):  # a value can reach an earlier statement on the next pass
                self.run(node.body)
            self.run(node.orelse)
        elif isinstance(node, ast.While | ast.If):
            self.run(node.body)
            self.run(node.orelse)
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if item.optional_vars is not None:
                    self.bind(_targets(item.optional_vars), self.level(item.context_expr))
            self.run(node.body)
        elif isinstance(node, ast.Try):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
                self.run(block)
        elif isinstance(node, ast.FunctionDef):
            # A function that reads a test result, or runs anything on test images, returns one.
            # Called with test images, it returns what its body makes of them.
            outer = dict(self.taint)
            self.run(node.body)
            inside = max((self.level(s) for s in node.body), default=0)
            parameters = [a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)]
            self.bind(parameters, DATA)
            self.run(node.body)
            returns = [r.value for r in ast.walk(node) if isinstance(r, ast.Return) and r.value is not None]
            self.given_data[node.name] = max((self.level(r) for r in returns), default=0)
            self.taint = outer
            if inside:
                self.functions[node.name] = inside
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            args = [*call.args, *(k.value for k in call.keywords)]
            if isinstance(call.func, ast.Name) and call.func.id == "check" and len(args) >= 2:
                if self.level(args[1]) == RESULT:
                    name = args[0].value if isinstance(args[0], ast.Constant) else "?"
                    self.flagged.append((name, node.lineno, ast.unparse(args[1])))
            elif isinstance(call.func, ast.Attribute) and call.func.attr in MUTATING:
                self.bind(
                    {_base(call.func.value)} - {None} - self.modules, max(map(self.level, args), default=0)
                )


def checks_on_test_results(cells: list[str]) -> list[tuple[str, int, str]]:
    """(check name, line in its cell, condition) for every check of a chapter that reads a test
    result."""
    flow = Flow()
    for source in cells:
        code = _code(source)
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue  # not Python (a cell in another language): nothing to follow
        flow.run(tree.body)
    return flow.flagged
