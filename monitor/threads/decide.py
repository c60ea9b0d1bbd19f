"""Are two stories reports of the same real-world event? One explainable decision.

``same_event(a, b)`` reads the signals of ``signals.py`` and returns a :class:`Decision`
whose ``reasons`` are the signals it looked at, so a reader sees why (for a thread page, a
log line or the evaluation's error list). The rules, in order:

1. **Time**: more than ``Rules.window_days`` apart → different events; up to
   ``Rules.preview_days`` when the earlier headline announces the act ahead ("will
   arrive", "recibirá la semana próxima": a preview is the act, labeling rule 2).
2. **Reply**: exactly one headline reports a reaction (rejects, rebuffs…) or a walk-back
   of one's own words (recua, backtracks) → different (a new development, labeling rule 3).
3. **Survey**: exactly one headline names three or more Latin American countries (not a
   vote) → different: a roundup is its own event (rule 6).
4. **Counterparts**: both name Latin American leaders, of no country in common →
   different (Zelensky–Peña is not Zelensky–Milei, rule 5).
5. **Same two leaders**: both name the same Latin American leader (by person where both
   name people, else by country) and the same Ukrainian or Russian leader → the same
   event (a call, a meeting).
6. **Same act**: the same event type (or one untyped, ``other``, beside a report of the
   same day) and a shared actor or distinctive term → the same event, **if the people
   agree**: when both stories name people (leaders, ministers), each naming someone the
   other does not → different ("other-people": Lula–Zelensky on Monday, Vieira–Kuleba on
   Tuesday); one naming more people than the other → the same only with a shared
   distinctive term or on the same day (a country alone is not enough).
7. **Terms**: whatever the types, a shared actor and ``Rules.min_terms_with_actor`` shared
   distinctive terms; or ``Rules.min_terms_alone`` shared distinctive terms → the same.
8. Otherwise different.

``related`` is the weaker verdict the grouping uses to link a new thread to an older one:
a Latin American country and the event type in common within ``Rules.related_days``, and
no different counterpart (a second meeting, a reply).
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.threads.facts import StoryFacts
from monitor.threads.signals import (
    Signal,
    days_apart,
    days_apart_or_preview,
    distinct_counterparts,
    reply_to,
    same_people,
    same_two_leaders,
    same_type,
    shared_actors,
    shared_terms,
    survey_beside_act,
    type_agrees,
)

__all__ = ["DEFAULT_RULES", "Decision", "Rules", "related", "same_event"]


@dataclass(frozen=True, slots=True)
class Rules:
    """The thresholds of the decision (tuned on the dev portion and blind set 2's half A,
    docs/threads.md)."""

    window_days: int = 2
    # A headline announcing the act ahead joins it up to a week later (labeling rule 2).
    preview_days: int = 7
    min_terms_with_actor: int = 2
    min_terms_alone: int = 3
    related_days: int = 30
    # A thread is compared through its latest reports only: enough to recognise its event
    # (its reports resemble each other), and a long thread costs no more than a short one.
    compared_members: int = 8


DEFAULT_RULES = Rules()


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict on a pair and the signals behind it, in the order they were read."""

    same: bool
    rule: str
    reasons: tuple[Signal, ...]

    def explain(self) -> str:
        """One line for people: the verdict, the deciding rule and what each signal saw."""
        seen = "; ".join(
            f"{s.name}={'yes' if s.holds else 'no'}" + (f" ({', '.join(s.detail)})" if s.detail else "")
            for s in self.reasons
        )
        return f"{'same event' if self.same else 'different events'} by {self.rule}: {seen}"


def same_event(a: StoryFacts, b: StoryFacts, rules: Rules = DEFAULT_RULES) -> Decision:
    """The decision for one pair of stories (symmetric in ``a`` and ``b``)."""
    time = days_apart_or_preview(a, b, rules.window_days, rules.preview_days)
    if not time.holds:
        return Decision(False, "time", (time,))
    reply = reply_to(a, b)
    if reply.holds:
        return Decision(False, "reply", (time, reply))
    survey = survey_beside_act(a, b)
    if survey.holds:
        return Decision(False, "survey", (time, reply, survey))
    counterparts = distinct_counterparts(a, b)
    if counterparts.holds:
        return Decision(False, "counterparts", (time, reply, survey, counterparts))
    leaders = same_two_leaders(a, b)
    if leaders.holds:
        return Decision(True, "same-leaders", (time, reply, survey, counterparts, leaders))
    actors, kind, terms = shared_actors(a, b), type_agrees(a, b), shared_terms(a, b)
    reasons = (time, reply, survey, counterparts, leaders, actors, kind, terms)
    if kind.holds and (actors.holds or terms.holds):
        people = same_people(a, b)
        if people.holds or (people.value == 1 and (terms.holds or a.day == b.day)):
            return Decision(True, "same-type", (*reasons, people))
        return Decision(False, "other-people", (*reasons, people))
    if actors.holds and terms.value >= rules.min_terms_with_actor:
        return Decision(True, "actor-and-terms", reasons)
    if terms.value >= rules.min_terms_alone:
        return Decision(True, "terms", reasons)
    return Decision(False, "no-common-act", reasons)


def related(a: StoryFacts, b: StoryFacts, rules: Rules = DEFAULT_RULES) -> bool:
    """A development of the same story: within ``related_days``, a Latin American country
    in common (a shared outside leader such as Putin is not enough), the same event type,
    and no sign of a different counterpart."""
    return (
        days_apart(a, b, rules.related_days).holds
        and bool(a.countries & b.countries)
        and same_type(a, b).holds
        and not distinct_counterparts(a, b).holds
    )
