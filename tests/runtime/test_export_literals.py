"""Safe literals, checked identifiers and the definitions-only check guarding every export."""

import ast

import pytest

from runtime.codegen.errors import ExportError
from runtime.codegen.identifiers import NameTable, camel_case, module_stem_problem
from runtime.codegen.literals import docstring_text, literal, string_literal
from runtime.codegen.structure import module_shape_problem

HOSTILE = [
    'y"""; import os; os.system("touch /tmp/pwned") #',
    "ends with \\",
    "\\N{",
    "nul\x00byte",
    "lone \ud800 surrogate",
    "two\nlines",
    "'''",
    '"',
    '""',
    "\r\n",
    "bidi \u202e override",
    "tab\there",
    "\u2028separator",
    "\\x41",
    "{braces}",
    "emoji 🧠",
    "\U0010ffff",
    "",
]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("multiline", [False, True])
def test_docstring_text_reads_back_exactly(text, multiline):
    source = f'"""{docstring_text(text, multiline)}"""\n'
    source.encode("utf-8")  # never a lone surrogate in the file
    tree = ast.parse(source)
    shown = text.encode("utf-8", "backslashreplace").decode("utf-8")  # lone surrogates as escapes
    assert len(tree.body) == 1 and ast.literal_eval(tree.body[0].value) == shown
    if not multiline:
        assert "\n" not in source.rstrip("\n")


@pytest.mark.parametrize("text", HOSTILE)
def test_string_literal_reads_back_exactly(text):
    source = string_literal(text)
    source.encode("utf-8")
    assert ast.literal_eval(source) == text and "\n" not in source


def test_literal_values_and_refusals():
    value = (1, -2.5, True, None, "a'b", [0.1, "\\"], ())
    assert ast.literal_eval(literal(value)) == value
    assert literal((3,)) == "(3,)"
    assert literal(float("inf")) == "float('inf')" and literal(-float("inf")) == "-float('inf')"
    assert literal(float("nan")) == "float('nan')"
    with pytest.raises(ExportError, match="type object"):
        literal(object())
    assert ast.literal_eval(literal({"a'": [1, {"b": None}]})) == {"a'": [1, {"b": None}]}
    with pytest.raises(ExportError, match="dict"):
        literal({1: 1})


def test_name_table_renames_collisions_deterministically():
    def claims():
        table = NameTable({"F", "nn", "torch", "BasicBlock"})
        return [
            table.claim(n, "Model")
            for n in (
                "F",
                "nn",
                "torch",
                "BasicBlock",
                "None",
                "print",
                "match",
                "Fine",
                "FModel",
                "F",
            )
        ]

    first = claims()
    assert first == claims()
    assert first == [
        "FModel",
        "nnModel",
        "torchModel",
        "BasicBlockModel",
        "NoneModel",
        "printModel",
        "matchModel",
        "Fine",
        "FModelModel",
        "FModel2",
    ]


def test_name_table_never_hands_out_a_non_identifier():
    table = NameTable()
    for wanted in ("a-b", "1x", "", "é", "__init__", "class"):
        name = table.claim(wanted, "_out")
        assert name.isidentifier() and name.isascii() and not name.startswith("__")


def test_camel_case():
    assert camel_case("LeNet-5") == "LeNet5"
    assert camel_case("5 layers") == "Net5Layers"
    assert camel_case('"""') == "Network"


@pytest.mark.parametrize(
    "stem", ["torch", "Torch", "os", "pathlib", "safetensors", "typing", "numpy"]
)
def test_module_names_that_would_hide_an_import_are_refused(stem):
    assert "hides Python's" in module_stem_problem(stem)


def test_ordinary_module_names_pass():
    assert module_stem_problem("lenet5") is None and module_stem_problem("my_model") is None


GOOD = '''"""Doc."""
import torch
from torch import nn
SIZE = (1, 2)
NAMES = ('a', 'b')
CACHE = {}

class Net(nn.Module):
    """Doc."""

    def forward(self, x: torch.Tensor, k: int | None = None) -> torch.Tensor:
        return x


def helper(a: str = "x") -> None:
    print(a)


if __name__ == "__main__":
    helper()
'''

BAD = {
    "call": "import os\nos.system('x')\n",
    "second docstring": '"""a"""\n"""b"""\n',
    "decorator": "import functools\n@functools.lru_cache\ndef f():\n    pass\n",
    "class body": "class A:\n    print('x')\n",
    "default": "import os\ndef f(a=os.system('x')):\n    pass\n",
    "annotation": "import os\ndef f(a: os.system('x')):\n    pass\n",
    "return annotation": "def f() -> print('x'):\n    pass\n",
    "base": "class A(type('B', (), {})):\n    pass\n",
    "keyword base": "class A(metaclass=print):\n    pass\n",
    "computed constant": "X = __import__('os')\n",
    "guard else": "if __name__ == '__main__':\n    pass\nelse:\n    print(1)\n",
    "other if": "if True:\n    print(1)\n",
    "not utf-8": '"""\ud800"""\n',
    "syntax": '"""a\n',
}


def test_definitions_only_check_accepts_a_plain_module():
    assert module_shape_problem(GOOD) is None


@pytest.mark.parametrize("case", sorted(BAD))
def test_definitions_only_check_refuses(case):
    assert module_shape_problem(BAD[case]) is not None
