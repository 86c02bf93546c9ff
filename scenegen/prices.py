"""Estimated spend: Gemini's usage metadata priced by the table in `scenegen/prices.json`."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scenegen.errors import InputError

PER_MILLION = 1_000_000


class ModelPrice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    input_per_million_tokens: float = Field(ge=0)
    text_output_per_million_tokens: float = Field(ge=0)
    image_output_per_million_tokens: float = Field(ge=0)
    per_request_usd: float = Field(ge=0)
    # Held against MAX_COST_USD while a call is under way, and charged when an answer carries no usage.
    typical_request_usd: float = Field(ge=0)


class PriceTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    checked: str
    note: str = ""
    models: dict[str, ModelPrice]
    batch_price_factor: float = Field(gt=0, le=1)  # what the Batch API charges, as a share of online
    batch_note: str = ""
    default_image_model: str
    default_text_model: str

    def price(self, model: str, *, image: bool) -> ModelPrice:
        """The model's price; a model missing from the table is priced like the default of its kind."""
        fallback = self.default_image_model if image else self.default_text_model
        return self.models.get(model) or self.models[fallback]

    def expected(self, model: str, *, image: bool, batch: bool = False) -> float:
        """A typical call's price: what is held against MAX_COST_USD before its answer is known."""
        factor = self.batch_price_factor if batch else 1.0
        return round(self.price(model, image=image).typical_request_usd * factor, 6)

    def input_cost(self, model: str, tokens: int, *, image: bool) -> float:
        """What `tokens` more input tokens cost on `model`."""
        return round(tokens * self.price(model, image=image).input_per_million_tokens / PER_MILLION, 6)

    def cost(self, model: str, usage: Any, *, image: bool, batch: bool = False) -> float:
        """Estimated USD of one call from its usage metadata (google-genai's `usage_metadata`); `batch`:
        made through the Batch API."""
        if batch:
            return round(self.cost(model, usage, image=image) * self.batch_price_factor, 6)
        price = self.price(model, image=image)
        if usage is None:
            return price.typical_request_usd
        image_tokens = sum(
            detail.token_count or 0
            for detail in usage.candidates_tokens_details or []
            if str(getattr(detail.modality, "value", detail.modality)).upper() == "IMAGE"
        )
        text_tokens = (usage.candidates_token_count or 0) - image_tokens + (usage.thoughts_token_count or 0)
        input_tokens = (usage.prompt_token_count or 0) + (usage.tool_use_prompt_token_count or 0)
        return round(
            price.per_request_usd
            + input_tokens * price.input_per_million_tokens / PER_MILLION
            + max(text_tokens, 0) * price.text_output_per_million_tokens / PER_MILLION
            + image_tokens * price.image_output_per_million_tokens / PER_MILLION,
            6,
        )


@functools.cache  # a packaged file: read once, not at every generator built per scene
def load_price_table() -> PriceTable:
    text = (resources.files("scenegen") / "prices.json").read_text(encoding="utf-8")
    try:
        return PriceTable.model_validate(json.loads(text))
    except (ValidationError, json.JSONDecodeError) as exc:
        raise InputError(f"scenegen/prices.json is not a valid price table: {exc}") from None
