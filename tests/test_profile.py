"""The run's phase profile: phases add up to the run's wall time, start-up counted from the request."""

import time

from newsflow.flows.profile import PHASES, PhaseClock, phase_line


def test_phases_and_other_add_up_to_the_total_with_startup_from_the_request():
    clock = PhaseClock(requested_at=time.time() - 2.0)
    with clock.phase("analysis"):
        time.sleep(0.2)
    with clock.phase("validation"):
        time.sleep(0.1)
    time.sleep(0.05)  # outside every phase: counted as other
    total = clock.total()
    phases = clock.profile(total)
    assert list(phases) == [*PHASES, "other"]
    assert 2.0 <= phases["startup"] < 2.5
    assert 0.2 <= phases["analysis"] < 0.6 and 0.1 <= phases["validation"] < 0.5
    assert phases["other"] >= 0.04
    assert abs(sum(phases.values()) - total) < 0.05
    assert phase_line(phases).startswith("startup 2.")


def test_without_a_request_time_startup_is_zero_and_a_future_one_is_ignored():
    assert PhaseClock().profile(0.0)["startup"] < 0.01
    assert PhaseClock(requested_at=time.time() + 60).profile(0.0)["startup"] < 0.01
