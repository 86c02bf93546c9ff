import pytest
from google.genai import types

from scenegen.prices import load_price_table

PRICES = load_price_table()


def usage(**counts) -> types.GenerateContentResponseUsageMetadata:
    return types.GenerateContentResponseUsageMetadata.model_validate(counts)


def test_an_image_is_priced_by_its_image_text_thought_and_input_tokens():
    metadata = usage(
        prompt_token_count=1000,
        candidates_token_count=1140,
        thoughts_token_count=100,
        candidates_tokens_details=[
            {"modality": "IMAGE", "token_count": 1120},
            {"modality": "TEXT", "token_count": 20},
        ],
    )
    expected = (1000 * 2.0 + (20 + 100) * 12.0 + 1120 * 120.0) / 1e6
    assert PRICES.cost("gemini-3-pro-image", metadata, image=True) == pytest.approx(expected)
    assert 0.13 < expected < 0.14  # the published ~$0.134 per 2K image


def test_no_usage_is_charged_a_typical_call_and_unknown_models_are_priced_like_the_default():
    typical = PRICES.models["gemini-3-pro-image"].typical_request_usd
    assert PRICES.cost("gemini-3-pro-image", None, image=True) == typical
    metadata = usage(prompt_token_count=10_000, candidates_token_count=1_000)
    assert PRICES.cost("gemini-9-text", metadata, image=False) == PRICES.cost(
        "gemini-3.1-pro-preview", metadata, image=False
    )
