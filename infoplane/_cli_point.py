"""The ``point`` sub-command (under construction)."""


def add_arguments(p):
    p.add_argument("path")
    p.set_defaults(func=run)


def run(args):
    print("`infoplane point` is not available yet.", flush=True)
    return 2
