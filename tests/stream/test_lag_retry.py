"""Asking for the lag again: only after an error Kafka calls retriable (the group
coordinator loading after a broker restart), and only while the caller's time lasts. Pure:
the question is a plain function and the clock a counter (the real broker's case is in
test_lag.py)."""

from __future__ import annotations

from itertools import pairwise

import pytest
from kafka.errors import (
    CoordinatorLoadInProgressError,
    CoordinatorNotAvailableError,
    TopicAuthorizationFailedError,
)

from monitor.stream.lag import ask_within, worth_retrying


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_only_errors_kafka_calls_retriable_are_asked_again_and_only_until_the_deadline() -> None:
    clock = Clock()
    calls: list[float] = []

    def loading(left: float) -> dict[int, int]:
        calls.append(left)
        clock.now += 0.5
        raise CoordinatorNotAvailableError()

    with pytest.raises(CoordinatorNotAvailableError):
        ask_within(loading, 3.0, clock=clock, pause=clock.sleep)
    assert len(calls) == 4  # 0.75 s per try: the fifth would start past the deadline
    assert calls[0] == 3.0 and all(b < a for a, b in pairwise(calls))

    calls.clear()

    def refused(left: float) -> dict[int, int]:
        calls.append(left)
        raise ValueError("not Kafka's")

    with pytest.raises(ValueError):
        ask_within(refused, 3.0, clock=clock, pause=clock.sleep)
    assert len(calls) == 1


def test_an_answer_after_a_retriable_error_is_returned() -> None:
    clock = Clock()
    answers: list[BaseException | dict[int, int]] = [CoordinatorLoadInProgressError(), {0: 2}]

    def ask(_left: float) -> dict[int, int]:
        answer = answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    assert ask_within(ask, 3.0, clock=clock, pause=clock.sleep) == {0: 2}
    assert clock.now == 0.25  # one pause


def test_the_retry_decision() -> None:
    assert worth_retrying(CoordinatorNotAvailableError(), 2.0)
    assert worth_retrying(CoordinatorLoadInProgressError(), 2.0)
    assert not worth_retrying(CoordinatorNotAvailableError(), 0.1)
    assert not worth_retrying(TopicAuthorizationFailedError(), 2.0)
    assert not worth_retrying(ValueError("x"), 2.0)
