"""Jupyter's kernel conformance suite (jupyter_kernel_test) against the workbook kernel.

Run from the notebooks/ folder so cells resolve the workspace packages, as in a notebook:
    cd notebooks && /usr/bin/python3 -m unittest -v ../kernel-helpers/test/conformance/test_workbook_kernel.py

Skipped on purpose: test_pager (TypeScript has no `?` help that opens a pager, so there
is no code that produces a "page" payload).
"""
import unittest

import jupyter_kernel_test


class WorkbookKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "database-workbook"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went to stderr")'

    completion_samples = [
        {"text": "Math.flo", "matches": {"floor"}},
        {"text": "const workbookAlpha = 1, workbookBeta = 2;\nworkbookAl", "matches": {"workbookAlpha"}},
    ]

    complete_code_samples = ["1", "console.log(1)", "const x = 1;", "function f() { return 1; }"]
    incomplete_code_samples = ["function f() {", "const a = [1,", "if (x) {\n  y();"]
    invalid_code_samples = ["const = 1;", "let x = );"]

    code_generate_error = 'throw new Error("this error is expected")'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "'work' + 'book'", "result": "'workbook'"},
        {"code": 'import { table } from "@workbook/helpers";\ntable([{ a: 1 }])', "mime": "text/html"},
    ]
    code_history_pattern = "6 * 7"
    supported_history_operations = ("tail", "range", "search")

    code_display_data = [
        {"code": 'import { display } from "@workbook/helpers";\ndisplay({ a: 1 })', "mime": "text/plain"},
        {"code": 'import * as tslab from "tslab";\ntslab.display.html("<b>bold</b>")', "mime": "text/html"},
    ]

    code_inspect_sample = "Math.floor"
    code_clear_output = 'import { clearOutput } from "@workbook/helpers";\nclearOutput()'


if __name__ == "__main__":
    unittest.main()
