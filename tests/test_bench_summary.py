"""bench.summary's arithmetic: rounds combined by their medians, and the aim judged only on scales
1 and 100 measured together."""

from __future__ import annotations

from bench import summary


def _result(median: float, queries: int = 27) -> dict:
    page = {"median": median, "p90": median * 1.1, "sql": median / 2, "queries": queries}
    return {"houses": 2, "pages": {"/overzicht/": page}}


def test_rounds_are_combined_by_their_medians_and_the_most_queries():
    combined = summary._combined([_result(40.0), _result(70.0, queries=28), _result(44.0)])
    page = combined["pages"]["/overzicht/"]
    assert page["median"] == 44.0 and page["sql"] == 22.0 and page["queries"] == 28


def test_the_aim_is_judged_on_scales_1_and_100(capsys):
    summary.report({1: _result(50.0), 100: _result(140.0)})
    assert "140 ms, 2.8 x -> met" in capsys.readouterr().out
    summary.report({1: _result(40.0), 100: _result(140.0)})
    assert "3.5 x -> NOT met" in capsys.readouterr().out


def test_without_scale_1_the_aim_is_not_judged(capsys):
    summary.report({100: _result(140.0)})
    out = capsys.readouterr().out
    assert "not judged" in out and "-> met" not in out


def test_paired_times_give_medians_and_the_pairs_ratios():
    # Pairs taken at the same moments: the machine's speed moves both, their ratio stays at 2.5.
    low = [40.0, 80.0, 44.0, 60.0]
    high = [100.0, 200.0, 110.0, 150.0]
    result = summary.paired_result(low, high)
    assert result["low"] == 52.0 and result["high"] == 130.0
    assert result["ratio"] == 2.5 and result["pair_ratio"] == 2.5
    assert result["p10"] == 2.5 and result["p90"] == 2.5


def test_paired_ratios_show_when_the_pairs_disagree():
    result = summary.paired_result([40.0, 40.0, 40.0], [100.0, 160.0, 120.0])
    assert result["pair_ratio"] == 3.0 and result["p10"] == 2.5 and result["p90"] == 4.0
