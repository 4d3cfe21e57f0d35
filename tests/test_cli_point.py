"""`infoplane point`: CSV/NPY columns -> FS point table or JSON."""

import json

import numpy as np
import pytest

from infoplane.cli import main


@pytest.fixture
def data(tmp_path):
    r = np.random.default_rng(0)
    x = np.c_[2.0 * r.standard_normal(3000), r.laplace(size=3000)]
    with_header = tmp_path / "h.csv"
    np.savetxt(with_header, x, delimiter=",", header="temp,wind", comments="")
    no_header = tmp_path / "n.tsv"
    np.savetxt(no_header, x, delimiter="\t")
    npy = tmp_path / "x.npy"
    np.save(npy, x)
    return x, with_header, no_header, npy


def test_json_by_name(data, capsys):
    x, h, _, _ = data
    assert main(["point", str(h), "--column", "temp", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out) == 1 and out[0]["column"] == "temp" and out[0]["n_samples"] == 3000
    f = out[0]["fisher"]
    assert f["method"] == "kde" and f["ci95"][0] < f["value"] < f["ci95"][1]
    # J of N(0, 4) is 1/4; the CLI must agree with the estimate's own 4-SE band
    assert abs(f["value"] - 0.25) < 4 * f["stderr"]
    assert out[0]["entropy"]["method"] == "knn"


def test_table_all_columns_without_header(data, capsys):
    _, _, n, _ = data
    assert main(["point", str(n)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split()[0] == "column" and len(lines) == 3
    assert lines[1].split()[0] == "0" and lines[2].split()[0] == "1"


def test_npy_by_index_matches_api(data, capsys):
    import infoplane as ip

    x, _, _, npy = data
    assert main(["point", str(npy), "-c", "1", "--json", "--seed", "4"]) == 0
    out = json.loads(capsys.readouterr().out)[0]
    p = ip.fs_point(x[:, 1], rng=4)
    assert out["fisher"]["value"] == p.fisher.value
    assert out["entropy"]["value"] == p.entropy.value
    assert out["product"]["value"] == pytest.approx(p.product.value, rel=1e-12)


def test_method_option(data, capsys):
    _, h, _, _ = data
    assert main(["point", str(h), "-c", "0", "--entropy-method", "spacing", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["entropy"]["method"] == "spacing"


def test_errors(data, tmp_path, capsys):
    _, h, _, _ = data
    assert main(["point", str(h), "-c", "nope"]) == 2
    assert "nope" in capsys.readouterr().err
    assert main(["point", str(h), "-c", "7"]) == 2
    assert main(["point", str(tmp_path / "missing.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,x\n")
    assert main(["point", str(bad)]) == 2
    assert "not numeric" in capsys.readouterr().err


def test_nan_policy(tmp_path, capsys):
    r = np.random.default_rng(1)
    x = r.standard_normal(500)
    p = tmp_path / "gaps.csv"
    p.write_text("v\n" + "\n".join(f"{v:.17g}" for v in x) + "\nnan\n\n")
    assert main(["point", str(p)]) == 2
    assert "finite" in capsys.readouterr().err
    assert main(["point", str(p), "--nan-policy", "omit", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["n_samples"] == 500
