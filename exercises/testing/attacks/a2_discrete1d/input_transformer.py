"""IPython input and AST transformers that turn every later cell into "3.0".

expect: 0
"""
# %% conv_full
import ast

ip = get_ipython()
ip.input_transformers_post.append(lambda lines: ["3.0\n"])


class Everything(ast.NodeTransformer):
    def visit_Module(self, node):
        return ast.Module(body=[ast.Expr(ast.Constant(3.0))], type_ignores=[])


ip.ast_transformers.append(Everything())


def convolve_full(x, k):
    raise NotImplementedError
