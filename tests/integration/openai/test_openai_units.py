"""The adapter's small parts: Retry-After parsing, price lookup, strict-schema rules, masking."""

from __future__ import annotations

import copy
import email.utils
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from snapshot_adapters.openai import (
    KEY_REJECTED,
    OpenAIChatModel,
    check_strict_schema,
    mask_api_key,
    narrative_response_format,
    price_usd,
    retry_after_seconds,
)
from snapshot_adapters.openai.errors import error_for_status
from snapshot_adapters.openai.pricing import check_price_provider, price_provider_for
from snapshot_core.domain import InvalidSettingsError, TokenUsage, narrative_json_schema

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "20"}, 20.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "1500", "retry-after": "20"}, 1.5),  # the precise one wins
        ({"Retry-After-Ms": "0", "Retry-After": "1"}, 1.0),  # Azure, recorded: 0 ms is no wait
        ({"retry-after-ms": "0"}, 0.0),
        ({"retry-after": email.utils.formatdate(NOW + 30, usegmt=True)}, 30.0),
        ({"retry-after": email.utils.formatdate(NOW - 30, usegmt=True)}, 0.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "-5"}, None),
        ({}, None),
    ],
)
def test_retry_after(headers, seconds):
    assert retry_after_seconds(headers, now=NOW) == seconds


def test_gpt_4o_is_priced_at_list_price_with_cached_input_at_the_cache_rate():
    usage = TokenUsage(prompt_tokens=1000, completion_tokens=100, cached_tokens=200)
    # (800 x $2.50 + 200 x $1.25 + 100 x $10) per million tokens
    assert price_usd("gpt-4o-2024-08-06", usage) == Decimal("0.00325")


@pytest.mark.parametrize(
    ("model", "base_url"),
    [
        ("my-finetuned-llama", None),  # unknown model
        ("llama3.1:8b", "http://127.0.0.1:11434/v1"),  # self-hosted: no list price
    ],
)
def test_an_unknown_price_is_none_not_a_crash(model, base_url):
    assert price_usd(model, TokenUsage(prompt_tokens=10), base_url=base_url) is None


@pytest.mark.parametrize(
    ("model", "base_url", "provider_id", "expected"),
    [
        ("gpt-4o-2024-08-06", "http://gateway.internal:4000/v1", None, "openai"),  # by name
        ("openai/gpt-4o-2024-08-06", "http://litellm.internal/v1", None, "openai"),  # prefix
        ("gpt-4o-2024-08-06", "https://x.openai.azure.com", None, "azure"),  # by URL
        ("my-model", "http://gateway.internal/v1", "openai", "openai"),  # the setting decides
        ("gpt-4o-2024-08-06", None, "none", None),  # `none`: no cost at all
        ("llama3.1:8b", "http://127.0.0.1:11434/v1", None, None),  # ambiguous: no guess
    ],
)
def test_the_price_provider_comes_from_the_setting_the_url_or_an_unambiguous_model_name(
    model, base_url, provider_id, expected
):
    assert price_provider_for(model, base_url, provider_id) == expected


def test_a_gateway_in_front_of_openai_still_shows_the_list_price():
    usage = TokenUsage(prompt_tokens=1000, completion_tokens=100, cached_tokens=200)
    priced = price_usd("gpt-4o-2024-08-06", usage, base_url="http://gateway.internal:4000/v1")
    assert priced == Decimal("0.00325")


def test_an_unknown_price_provider_setting_is_refused_by_name():
    with pytest.raises(InvalidSettingsError, match="SNAPSHOT_PRICE_PROVIDER"):
        check_price_provider("not-a-provider")


def test_the_narrative_schema_passes_the_strict_rules():
    report = check_strict_schema(narrative_json_schema())
    assert report.ok, report.problems
    # one object (headline, findings); a finding is an array of strings: [text, fact ids...]
    assert (report.object_properties, report.depth, report.enum_values) == (2, 1, 0)
    assert narrative_response_format()["json_schema"]["strict"] is True


def _broken(edit) -> list[str]:
    schema = copy.deepcopy(narrative_json_schema())
    edit(schema)
    return check_strict_schema(schema).problems


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda s: s.pop("additionalProperties"), "additionalProperties must be false"),
        (lambda s: s["required"].pop(), "every property must be required"),
        (
            lambda s: s["properties"]["headline"].update(maxLength=200),
            "'maxLength' is not supported",
        ),
        (lambda s: s["properties"]["headline"].update(default="x"), "'default' is not supported"),
        (
            lambda s: s["properties"]["points"].update(
                items={"$ref": "#/properties/headline", "title": "t"}
            ),
            "$ref must stand alone",
        ),
        (
            lambda s: s["properties"]["points"].update(items={"$ref": "#/$defs/Nope"}),
            "does not resolve",
        ),
        (lambda s: s["properties"]["headline"].update(format="phone"), "format 'phone'"),
        (lambda s: s["properties"]["headline"].update(allOf=[{}]), "'allOf' is not supported"),
        (lambda s: s.update(type="array"), "root: must be a plain object schema"),
    ],
)
def test_strict_rule_violations_are_named(edit, expected):
    problems = _broken(edit)
    assert any(expected in problem for problem in problems), problems


def _nested(levels: int) -> dict:
    node: dict = {"type": "string"}
    for _ in range(levels):
        node = {
            "type": "object",
            "properties": {"a": node},
            "required": ["a"],
            "additionalProperties": False,
        }
    return node


def test_nesting_and_size_limits():
    assert check_strict_schema(_nested(10)).ok
    assert any("depth 11 exceeds 10" in p for p in check_strict_schema(_nested(11)).problems)
    wide = {
        "type": "object",
        "properties": {f"p{i}": {"type": "string", "enum": [f"v{i}"]} for i in range(1001)},
        "required": [f"p{i}" for i in range(1001)],
        "additionalProperties": False,
    }
    problems = check_strict_schema(wide).problems
    assert any("enum_values 1001 exceeds 1000" in p for p in problems)


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("sk-proj-abcdefghijklmnopqrstuvwx1234", "sk-…1234"),
        ("abcdefghijklmnop9876", "…9876"),
        ("sk-short", "…"),
        (None, "(not set)"),
    ],
)
def test_mask_api_key(key, shown):
    assert mask_api_key(key) == shown


def test_from_settings_takes_any_object_with_the_settings_fields():
    settings = SimpleNamespace(
        openai_api_key="sk-plain-string-key-0000",
        openai_base_url="http://localhost:11434/v1",
        model="llama3.1",
        temperature=0.0,
        max_tokens=500,
        llm_timeout=5.0,
    )
    model = OpenAIChatModel.from_settings(settings)
    assert (model.model_name, model.base_url) == ("llama3.1", "http://localhost:11434/v1")
    assert "sk-plain" not in repr(model)
    model.ensure_ready()  # a key is set and localhost passes the guard


def test_a_price_that_depends_on_the_hour_is_taken_at_the_reply_time_not_now():
    # genai-prices gives DeepSeek an off-peak rate (16:30-00:30 UTC): the same usage costs
    # differently by the hour, so the cost must follow when the provider answered.
    usage = TokenUsage(prompt_tokens=900, completion_tokens=30, cached_tokens=640)
    peak = price_usd(
        "deepseek-chat", usage, provider_id="deepseek", at=datetime(2025, 3, 1, 12, tzinfo=UTC)
    )
    off_peak = price_usd(
        "deepseek-chat", usage, provider_id="deepseek", at=datetime(2025, 3, 1, 18, tzinfo=UTC)
    )
    assert peak is not None and off_peak is not None
    assert off_peak < peak


def test_a_plain_text_error_page_is_shown_as_the_detail():
    text = "upstream connect error or disconnect/reset before headers. reset reason: overflow"
    error = error_for_status(503, text, {}, None, None)
    assert (error.code, error.message, error.detail) == (
        "llm_api_error",
        "OpenAI API error (503)",
        text,
    )


@pytest.mark.parametrize(
    ("status", "body", "key_rejected"),
    [
        (400, {"code": "invalid-argument", "error": "Incorrect API key provided."}, True),
        (403, {"error": {"message": "x", "code": "invalid_api_key"}}, True),
        (400, {"error": {"message": "Invalid schema for response_format 'x'"}}, False),
        (400, {"error": {"message": "the api key field is not allowed here"}}, False),
    ],
)
def test_a_key_rejected_under_another_status_is_still_named_a_rejected_key(
    status, body, key_rejected
):
    error = error_for_status(status, body, {}, None, "sk-secret")
    assert (error.detail == KEY_REJECTED) is key_rejected
