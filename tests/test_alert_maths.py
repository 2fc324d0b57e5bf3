from mediawatch.flows.alerts.maths import SENSITIVITY_PRESETS, mean_sigma, severity_for, share_surge_test, spike_test, top_terms


def test_mean_sigma():
    assert mean_sigma([]) == (0.0, 0.0)
    mean, sigma = mean_sigma([2, 4, 4, 4, 5, 5, 7, 9])
    assert mean == 5 and sigma == 2


def test_spike_fires_above_mean_plus_k_sigma():
    baseline = [10, 12, 8, 11, 9, 10, 10, 12, 8, 10, 11, 9]
    quiet = spike_test(13, baseline, 2.0, 5)
    assert not quiet.fired and quiet.threshold > 13
    loud = spike_test(30, baseline, 2.0, 5)
    assert loud.fired and loud.z > 5 and loud.ratio == 3.0


def test_spike_presets_order_sensitivity():
    baseline = [10, 12, 8, 11, 9, 10, 10, 12, 8, 10, 11, 9]
    fired = {name: spike_test(18, baseline, k, 5).fired for name, k in SENSITIVITY_PRESETS.items()}
    assert fired == {"high": True, "medium": True, "low": False}


def test_spike_needs_min_count_and_floors_flat_baseline():
    assert not spike_test(4, [0] * 12, 2.0, 5).fired  # 4 posts from nothing: below min_count
    assert spike_test(5, [0] * 12, 2.0, 5).fired
    # A flat baseline of 5 has σ = 0; the Poisson floor √5 keeps 6 or 7 from alerting.
    assert not spike_test(7, [5] * 12, 2.0, 5).fired
    assert spike_test(11, [5] * 12, 2.0, 5).fired


def test_share_surge():
    base = share_surge_test(6, 20, 40, 200, 2.0, 5)  # 30 % vs 20 %: within noise for n=20
    assert not base.fired and base.baseline_share == 0.2
    surge = share_surge_test(15, 20, 40, 200, 2.0, 5)
    assert surge.fired and surge.share == 0.75
    assert not share_surge_test(4, 4, 0, 100, 2.0, 5).fired  # min_count
    assert not share_surge_test(0, 0, 0, 0, 2.0, 1).fired


def test_severity():
    assert severity_for(5.0, 2.0) == "high" and severity_for(3.0, 2.0) == "medium"


def test_top_terms_prefers_repeated_two_syllable_words():
    titles = ["Sạt lở đất ở Bảo Yên", "Bảo Yên: sạt lở đất vùi nhà", "Mưa lũ, sạt lở đất tại Bảo Yên"]
    terms = dict(top_terms(titles, n=4))
    assert terms["bao yen"] == 3 and terms["sat lo"] == 3 and terms["lo dat"] == 3
    assert top_terms([]) == []
