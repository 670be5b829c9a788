"""Bands, currency, insights and the narrative fallback are set without Python, and a bad
value names the setting when settings load (never at run time)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from snapshot_adapters.settings import load_settings
from snapshot_core.domain import InvalidSettingsError


def test_band_lists_make_a_scheme_with_generated_labels() -> None:
    settings = load_settings(
        price_bands="500,1000,2500,5000,10000,25000", latency_bands="2,7,14,30"
    )
    scheme = settings.band_scheme()
    assert scheme.price_labels[-2:] == ("10k-25k", "25k+")
    assert scheme.price_edges[-1] == Decimal(25000)
    assert scheme.latency_labels == ("0-2d", "3-7d", "8-14d", "15-30d", "31d+", "pending")
    policy = settings.run_policy()
    assert policy.band_scheme == scheme and policy.currency == "USD"


def test_unset_bands_are_the_documented_defaults() -> None:
    scheme = load_settings().band_scheme()
    assert scheme.price_labels == ("<500", "500-1k", "1k-2.5k", "2.5k-5k", "5k-10k", "10k+")


def test_fallback_currency_and_insights_reach_the_policy() -> None:
    policy = load_settings(
        narrative_fallback="template", currency="EUR", max_insights=2
    ).run_policy()
    assert (policy.narrative_fallback, policy.currency, policy.max_insights) == (
        "template",
        "EUR",
        2,
    )


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"price_bands": "500,abc"}, "SNAPSHOT_PRICE_BANDS: 'abc' is not a number"),
        ({"price_bands": "1000,500"}, "strictly ascending"),
        ({"latency_bands": "2,7.5"}, "whole number of days"),
        ({"currency": "dollars"}, "SNAPSHOT_CURRENCY"),
        ({"narrative_fallback": "retry"}, "SNAPSHOT_NARRATIVE_FALLBACK"),
    ],
)
def test_a_bad_value_names_its_setting(values: dict[str, str], named: str) -> None:
    with pytest.raises(InvalidSettingsError, match=named):
        load_settings(**values)
