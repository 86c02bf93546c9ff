"""The stage that turns planned slots into distinct prompts."""

from __future__ import annotations

from prefect import task

from scenegen.backends import prompt_diversifier
from scenegen.config import load_archetype_config
from scenegen.models import HistoryRecord, PromptBatch
from scenegen.settings import Settings
from tasks.retry import RETRIES


@task(name="diversify-prompts", **RETRIES)
def diversify_prompts(
    slots: list[str], history: list[HistoryRecord], settings: Settings, seed: int
) -> PromptBatch:
    diversifier = prompt_diversifier(settings, load_archetype_config(settings.archetype_config))
    return diversifier.diversify(slots, history, seed)
