"""bench/mpc_solve.py: the repeated passes behind the solver's own worst case."""
from bench_module import load_bench


def test_each_problems_best_pass_is_never_slower_than_its_first():
    bench = load_bench("mpc_solve")
    problems = bench.load("humanoid")
    r = bench.bench_method(problems, "riccati", 0.5, every=20, passes=3)
    assert r["passes"] == 3 and r["failures"] == 0 and r["problems"] >= 10
    assert 0.0 < r["best"]["p50_ms"] <= r["total"]["p50_ms"]
    assert r["best"]["p99_ms"] <= r["total"]["p99_ms"]


def test_a_single_pass_reports_no_best_figures():
    bench = load_bench("mpc_solve")
    r = bench.bench_method(bench.load("humanoid"), "riccati", 0.5, every=50)
    assert "best" not in r and "passes" not in r
