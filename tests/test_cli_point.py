"""`infoplane point`: CSV/NPY/NPZ columns -> FS point table or JSON.

Values are checked against closed forms of the laws the data were drawn from, with a
tolerance of 4 reported standard errors (seeded data, so the outcome is fixed).
"""

import json
import math

import numpy as np
import pytest

import infoplane as ip
from infoplane.cli import main

LOG_2PIE = math.log(2 * math.pi * math.e)

# closed forms: X = 2 Z (Z standard normal) and the standard Laplace law
TRUTH = {
    "temp": {"entropy": 0.5 * LOG_2PIE + math.log(2.0), "entropy_power": 4.0, "fisher": 0.25,
             "product": 1.0},
    "wind": {"entropy": 1.0 + math.log(2.0), "entropy_power": 2 * math.e / math.pi,
             "fisher": 1.0, "product": 2 * math.e / math.pi},
}


def _strict_json(text):
    """json.loads that refuses the non-standard NaN/Infinity literals."""
    def bad(c):
        raise AssertionError(f"non-standard JSON constant {c}")

    return json.loads(text, parse_constant=bad)


def _assert_matches_truth(rec, truth):
    for q, expected in truth.items():
        e = rec[q]
        # the tolerance must mean something: at n = 3000 every SE is below 12% of the value
        # (the Laplace J carries a term for its cusp bias, about 10%)
        assert 0 < e["stderr"] < 0.12 * abs(expected), (q, e)
        assert abs(e["value"] - expected) < 4 * e["stderr"], (q, e, expected)
        # the 95% interval is value ± 1.96 SE
        lo, hi = e["ci95"]
        assert lo == pytest.approx(e["value"] - 1.959964 * e["stderr"], rel=1e-5)
        assert hi == pytest.approx(e["value"] + 1.959964 * e["stderr"], rel=1e-5)


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


@pytest.mark.statistical
def test_json_all_columns_match_closed_forms(data, capsys):
    _, h, _, _ = data
    assert main(["point", str(h), "--json"]) == 0
    out = _strict_json(capsys.readouterr().out)
    assert [r["column"] for r in out] == ["temp", "wind"]
    for rec in out:
        assert rec["n_samples"] == 3000 and rec["dim"] == 1
        assert rec["fisher"]["method"] == "kde" and rec["entropy"]["method"] == "knn"
        _assert_matches_truth(rec, TRUTH[rec["column"]])


def test_table_all_columns_without_header(data, capsys):
    _, _, n, _ = data
    assert main(["point", str(n)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split()[0] == "column" and len(lines) == 3
    assert lines[1].split()[0] == "0" and lines[2].split()[0] == "1"


def test_npy_by_index_matches_api(data, capsys):
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


def test_nan_policy(tmp_path, capsys):
    r = np.random.default_rng(1)
    x = r.standard_normal(500)
    p = tmp_path / "gaps.csv"
    p.write_text("v\n" + "\n".join(f"{v:.17g}" for v in x) + "\nnan\n\n")
    assert main(["point", str(p)]) == 2
    err = capsys.readouterr().err
    assert "finite" in err and "line 502" in err and "--nan-policy omit" in err
    assert main(["point", str(p), "--nan-policy", "omit", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["n_samples"] == 500


@pytest.mark.statistical
def test_excel_csv_with_bom_and_semicolons(data, tmp_path, capsys):
    x, _, _, _ = data
    p = tmp_path / "excel.csv"
    rows = "\r\n".join(f"{a:.17g};{b:.17g}" for a, b in x)
    p.write_bytes(("temp;wind\r\n" + rows + "\r\n").encode("utf-8-sig"))
    assert main(["point", str(p), "--column", "temp", "--json"]) == 0
    rec = _strict_json(capsys.readouterr().out)[0]
    assert rec["column"] == "temp"
    _assert_matches_truth(rec, TRUTH["temp"])


def test_text_column_is_fine_when_not_selected(tmp_path, capsys):
    r = np.random.default_rng(2)
    p = tmp_path / "log.csv"
    p.write_text("date,v\n" + "".join(f"2024-01-{i % 28 + 1:02d},{v:.17g}\n"
                                      for i, v in enumerate(r.standard_normal(400))))
    assert main(["point", str(p), "-c", "v", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["n_samples"] == 400


@pytest.mark.statistical
def test_npz_key_selects_the_array(tmp_path, capsys):
    r = np.random.default_rng(3)
    # J = 1/σ²: 4 for σ = 0.5 and 0.25 for σ = 2 (16-fold apart, far beyond 4 SE)
    arrays = {"narrow": 0.5 * r.standard_normal(3000), "wide": 2.0 * r.standard_normal(3000)}
    p = tmp_path / "runs.npz"
    np.savez(p, **arrays)
    for key, j in (("narrow", 4.0), ("wide", 0.25)):
        assert main(["point", str(p), "--key", key, "--json"]) == 0
        f = _strict_json(capsys.readouterr().out)[0]["fisher"]
        assert abs(f["value"] - j) < 4 * f["stderr"] and f["stderr"] < 0.1 * j


def test_single_array_npz_needs_no_key_and_content_decides_format(tmp_path, capsys):
    r = np.random.default_rng(4)
    x = r.standard_normal((300, 2))
    p = tmp_path / "exported.dat"  # an .npz under another name: read by its contents
    np.savez_compressed(p.with_suffix(".npz"), only=x)
    p.with_suffix(".npz").rename(p)
    q = tmp_path / "array.bin"
    np.save(q.with_suffix(".npy"), x)
    q.with_suffix(".npy").rename(q)
    assert main(["point", str(p), "--json", "--seed", "1"]) == 0
    from_npz = json.loads(capsys.readouterr().out)
    assert main(["point", str(q), "--json", "--seed", "1"]) == 0
    assert json.loads(capsys.readouterr().out) == from_npz
    assert [r["column"] for r in from_npz] == ["0", "1"]


def test_fortran_order_and_integer_npy(tmp_path, capsys):
    r = np.random.default_rng(5)
    x = np.asfortranarray(r.integers(-1000, 1000, size=(400, 2)))
    p = tmp_path / "f.npy"
    np.save(p, x)
    assert main(["point", str(p), "-c", "1", "--json", "--seed", "2"]) == 0
    out = json.loads(capsys.readouterr().out)[0]
    # uniform integers: J = inf (written "inf" in JSON), as fs_point says
    assert float(out["fisher"]["value"]) == ip.fs_point(x[:, 1].astype(float), rng=2).fisher.value


def test_json_writes_non_finite_numbers_as_strings(monkeypatch, tmp_path, capsys):
    # the uniform law has J = inf (a jump), a closed form with a reason
    uniform = ip.fs_point(ip.Uniform())
    assert math.isinf(uniform.fisher.value) and uniform.fisher.reason
    monkeypatch.setattr(ip, "fs_point", lambda *a, **k: uniform)
    p = tmp_path / "u.csv"
    p.write_text("u\n" + "\n".join(str(v) for v in np.linspace(0, 1, 50)))
    assert main(["point", str(p), "--json"]) == 0
    f = _strict_json(capsys.readouterr().out)[0]["fisher"]
    assert f["value"] == "inf" and f["reason"] == uniform.fisher.reason
