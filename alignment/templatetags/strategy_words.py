"""`{% load strategy_words %}`: a strategy test's stored result in plain words
(alignment/verdict_words.py), for the Strategy test page."""

from django import template

from ..verdict_words import candidate_sentence, verdict_sentence

register = template.Library()


@register.simple_tag
def verdict_in_words(result, max_lag=6):
    """`{% verdict_in_words result run.max_lag %}`: what the test found about an arrow."""
    return verdict_sentence(
        verdict=result.verdict,
        cause=result.cause.name,
        effect=result.effect.name,
        lag=result.lag,
        frequency=result.frequency,
        r=result.effect_size,
        periods=result.periods,
        units=result.units,
        max_lag=max_lag,
    )


@register.simple_tag
def candidate_in_words(result):
    """`{% candidate_in_words result %}`: how the two objectives of a candidate moved."""
    return candidate_sentence(
        cause=result.cause.name,
        effect=result.effect.name,
        lag=result.lag,
        frequency=result.frequency,
        r=result.effect_size,
    )
