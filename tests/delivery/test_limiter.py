"""The engine's limiter: the overall rate over any window, a pace per chat and group, pauses."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.delivery.limiter import GROUP_INTERVAL, SendLimiter


class FakeClock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def drive(limiter: SendLimiter, clock: FakeClock, seconds: float, lateness: list[float]) -> list:
    """Send as fast as the limiter allows, waking a little late each time; return send times."""
    sent: list[float] = []
    end = clock.now + seconds
    step = 0
    while clock.now < end:
        for _ in range(limiter.available()):
            limiter.take(len(sent) + 1)
            sent.append(clock.now)
        clock.now += limiter.overall_wait() + lateness[step % len(lateness)]
        step += 1
    return sent


@settings(max_examples=60, deadline=None)
@given(
    rate=st.sampled_from([1.0, 5.0, 25.0, 30.0]),
    lateness=st.lists(st.floats(0.0, 0.02), min_size=1, max_size=8),
)
def test_no_one_second_window_holds_more_than_rate_plus_slack(
    rate: float, lateness: list[float]
) -> None:
    clock = FakeClock()
    limiter = SendLimiter(rate, clock=clock)
    sent = drive(limiter, clock, 10.0, lateness)
    for index, start in enumerate(sent):
        in_window = sum(1 for moment in sent[index:] if moment < start + 1.0)
        assert in_window <= rate + 2 + 1
    # Late wake-ups are caught up: the long-run rate stays close to the limit.
    assert len(sent) >= rate * 10 * 0.95


def test_a_burst_is_at_most_three_then_even_spacing() -> None:
    clock = FakeClock()
    limiter = SendLimiter(30, clock=clock)
    assert limiter.available() == 3
    for chat in range(3):
        limiter.take(chat)
    assert limiter.available() == 0
    assert 0 < limiter.overall_wait() <= 1 / 30 + 1e-9


def test_one_chat_gets_at_most_one_a_second_and_a_group_twenty_a_minute() -> None:
    clock = FakeClock()
    limiter = SendLimiter(None, clock=clock)
    limiter.take(42)
    limiter.take(-100)
    assert limiter.chat_wait(42) == 1.0
    assert limiter.chat_wait(-100) == GROUP_INTERVAL == 3.0
    assert limiter.chat_wait(43) == 0.0
    clock.now += 1.0
    assert limiter.chat_wait(42) == 0.0
    assert limiter.chat_wait(-100) == 2.0


def test_a_pause_holds_everything_and_only_grows() -> None:
    clock = FakeClock()
    limiter = SendLimiter(25, clock=clock)
    limiter.pause(5)
    limiter.pause(2)
    assert limiter.paused_for() == 5
    clock.now += 5
    assert limiter.paused_for() == 0


def test_without_an_overall_rate_everything_may_go() -> None:
    limiter = SendLimiter(None, clock=FakeClock())
    assert limiter.available() >= 1000
    assert limiter.overall_wait() == 0
    assert limiter.rate_per_second is None


def test_old_chats_are_forgotten() -> None:
    clock = FakeClock()
    limiter = SendLimiter(None, clock=clock)
    for chat in range(100):
        limiter.take(chat)
    clock.now += 120
    limiter.take(1000)
    assert limiter.chat_wait(5) == 0
    assert len(limiter._next_chat) == 1
