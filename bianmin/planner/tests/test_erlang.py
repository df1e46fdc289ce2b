"""Erlang C against published values, and its edges (an unstable load, no demand)."""

import math

import pytest

from bianmin.planner import erlang


def test_erlang_b_matches_the_published_table():
    # Erlang B tables (1 % grade of service): 5 trunks carry 1.36 E, 10 trunks 4.46 E.
    assert erlang.erlang_b(5, 1.36) == pytest.approx(0.01, abs=0.0002)
    assert erlang.erlang_b(10, 4.46) == pytest.approx(0.01, abs=0.0002)
    assert erlang.erlang_b(10, 5.0) == pytest.approx(0.018385, abs=1e-6)


def test_erlang_c_matches_the_call_centre_worked_example():
    # 10 erlangs (100 calls in 30 min × 180 s), 11 agents: P(wait) 68.21 %, 20 s service
    # level 39.0 %; 14 agents are the first to answer 80 % within 20 s (88.83 %).
    assert erlang.erlang_c(11, 10.0) == pytest.approx(0.6821, abs=5e-5)
    assert erlang.share_within(11, 10.0, mean_service_minutes=3, t_minutes=1 / 3) == pytest.approx(
        0.3896, abs=5e-4
    )
    answer = erlang.officers_needed(
        arrivals_per_hour=200, mean_service_minutes=3, target_wait_minutes=1 / 3, target_share=0.8
    )
    assert answer.officers == 14
    assert answer.share_within_target == pytest.approx(0.8883, abs=5e-4)
    assert answer.utilisation == pytest.approx(10 / 14)


def test_erlang_c_equals_the_closed_form_of_three_servers():
    # M/M/3 at load 2: P(wait) = 4/9 exactly; E[W] = C·s/(c−a) = 4/9 · s.
    assert erlang.erlang_c(3, 2.0) == pytest.approx(4 / 9, rel=1e-12)
    assert erlang.mean_wait_minutes(3, 2.0, mean_service_minutes=9.0) == pytest.approx(4.0)


@pytest.mark.parametrize("servers", [0, 1, 5, 10])
def test_load_at_or_above_the_servers_is_unstable_without_dividing_by_zero(servers):
    load = 10.0
    assert erlang.erlang_c(servers, load) == 1.0
    assert erlang.share_within(servers, load, mean_service_minutes=5, t_minutes=10) == 0.0
    assert erlang.mean_wait_minutes(servers, load, mean_service_minutes=5) == math.inf


def test_an_integer_load_needs_more_officers_than_the_load():
    answer = erlang.officers_needed(
        arrivals_per_hour=60, mean_service_minutes=10, target_wait_minutes=60, target_share=0.01
    )
    assert answer.officers == 11  # 10 erlangs: 10 officers would never catch up


def test_no_demand_needs_nobody():
    answer = erlang.officers_needed(
        arrivals_per_hour=0, mean_service_minutes=8, target_wait_minutes=10, target_share=0.8
    )
    assert (answer.officers, answer.share_within_target, answer.mean_wait_minutes) == (0, 1.0, 0.0)


def test_a_province_sized_load_stays_finite():
    answer = erlang.officers_needed(
        arrivals_per_hour=6000, mean_service_minutes=5, target_wait_minutes=1, target_share=0.9
    )
    assert 500 < answer.officers < 560
    assert 0.9 <= answer.share_within_target < 1
    assert math.isfinite(answer.mean_wait_minutes)


def test_the_answer_is_the_smallest_count_meeting_the_target():
    for arrivals in (5, 17, 42, 80, 133):
        answer = erlang.officers_needed(
            arrivals_per_hour=arrivals,
            mean_service_minutes=8,
            target_wait_minutes=10,
            target_share=0.8,
        )
        load = arrivals * 8 / 60
        below = erlang.share_within(answer.officers - 1, load, mean_service_minutes=8, t_minutes=10)
        assert answer.share_within_target >= 0.8 > below


@pytest.mark.parametrize("share", [0, 1, 1.2, -0.1])
def test_a_share_outside_zero_to_one_is_refused(share):
    with pytest.raises(ValueError, match="target_share"):
        erlang.officers_needed(
            arrivals_per_hour=10, mean_service_minutes=8, target_wait_minutes=10, target_share=share
        )


def test_pooling_never_needs_more_officers_than_separate_queues():
    # Same service time everywhere: one pooled queue versus one queue per category.
    for rates in ([30, 30], [50, 10, 5], [12, 12, 12, 12, 12, 12], [80, 3]):
        pooled = erlang.officers_needed(
            arrivals_per_hour=sum(rates),
            mean_service_minutes=8,
            target_wait_minutes=10,
            target_share=0.8,
        ).officers
        separate = sum(
            erlang.officers_needed(
                arrivals_per_hour=r,
                mean_service_minutes=8,
                target_wait_minutes=10,
                target_share=0.8,
            ).officers
            for r in rates
        )
        assert pooled <= separate
