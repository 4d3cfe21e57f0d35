"""The ``tour`` sub-command (under construction)."""


def add_arguments(p):
    p.set_defaults(func=run)


def run(args):
    import infoplane as ip

    for d in (ip.Gaussian(0.0, 1.0), ip.Laplace(0.0, 1.0)):
        print(d, ip.fs_point(d))
    return 0
