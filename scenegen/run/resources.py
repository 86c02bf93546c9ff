"""A run's resources, built once from its settings and handed to whatever needs them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING

from scenegen.catalogue import ArchetypeConfig, load_archetype_config
from scenegen.engine.memory import return_image_memory_to_the_system
from scenegen.engine.pool import WorkerPool, warm_up
from scenegen.errors import InputError
from scenegen.images import BatchBackend, ImageGenerator
from scenegen.planning.history import HistoryStore
from scenegen.planning.prompts import PromptWriter
from scenegen.prices import PriceTable, load_price_table
from scenegen.quality.review import Reviewer
from scenegen.settings import Settings
from scenegen.storage import SceneStorage

if TYPE_CHECKING:
    from google.cloud import storage

    from scenegen.backends.local.procedural import ProceduralRenderer


# What the forkserver of a run's workers imports once: numpy, Pillow, the renderer and the image checks.
WORKER_PRELOAD = ("scenegen.run.worker_boot",)


class Resources:
    """What a run works with. A plain class on purpose: handed to tasks as a parameter, it is not walked
    field by field as a dataclass or a pydantic model would be."""

    def __init__(
        self,
        settings: Settings,
        catalogue: ArchetypeConfig,
        prices: PriceTable,
        images: ImageGenerator,
        prompts: PromptWriter,
        history: HistoryStore,
        storage: SceneStorage,
        workers: WorkerPool,
        references: ProceduralRenderer,
        batches: BatchBackend | None = None,
        reviewer: Reviewer | None = None,
    ) -> None:
        self.settings = settings
        self.catalogue = catalogue
        self.prices = prices
        self.images = images
        self.prompts = prompts
        self.history = history
        self.storage = storage
        self.workers = workers  # processes for the CPU-heavy stages; started at first use
        self.references = references  # the procedural renderer that draws twins' references
        self.batches = batches  # Gemini's Batch API, where images come from Gemini
        self.reviewer = reviewer  # None: REVIEW=off

    @property
    def review_expected_cost_usd(self) -> float:
        """A typical review's price (nothing with REVIEW=off)."""
        return self.reviewer.expected_cost_usd if self.reviewer else 0.0

    @property
    def scene_expected_cost_usd(self) -> float:
        """A scene's paid calls at their typical prices, image and review: what the budget holds for it."""
        return self.images.expected_cost_usd + self.review_expected_cost_usd

    @staticmethod
    def scenes_in(root: Path) -> SceneStorage:
        """The local storage rooted at `root` (the folder of scenes/<id>), whatever this run stores into."""
        from scenegen.backends.local.folder import LocalSceneStorage

        return LocalSceneStorage(root)

    def close(self) -> None:
        """The end of a run: its worker processes stop (a later run in this process starts them again)."""
        self.workers.close()

    def collecting(self, images: ImageGenerator) -> Resources:
        """These resources with `images` in place of the image backend (a collect run's answers)."""
        collecting = copy.copy(self)
        collecting.images = images
        return collecting

    def __repr__(self) -> str:  # what Prefect shows of a task's parameters: never the key
        return f"Resources(images={self.images.model}, prompts={self.prompts.name}, {self.storage.root_uri})"


def image_backend_name(settings: Settings) -> str:
    if settings.image_backend == "auto":
        return "gemini" if settings.gemini_api_key else "procedural"
    return settings.image_backend


def prompt_backend_name(settings: Settings) -> str:
    if settings.prompt_backend == "auto":
        return "gemini" if settings.gemini_api_key else "local"
    return settings.prompt_backend


def build_resources(settings: Settings, bucket: storage.Bucket | str | None = None) -> Resources:
    """The one place a backend is built. Bad settings fail here with an InputError, before any work.

    `bucket`: the GCS bucket handle when the caller resolved BUCKET itself (a saved Prefect block).
    The Google backends are imported only when chosen: their client libraries are slow to load.
    """
    catalogue = load_archetype_config(settings.archetype_config)
    catalogue.check_names(settings.archetypes)
    for folder in (settings.output_dir, settings.output_dir / "scenes", settings.staging_dir):
        if folder.exists() and not folder.is_dir():  # staging, the cache and local scenes all live there
            raise InputError(f"OUTPUT_DIR: {folder} is a file, not a folder")
    prices = load_price_table()
    return_image_memory_to_the_system()  # a run holds many images, one after another
    workers = WorkerPool(settings.render_workers, warm_up, WORKER_PRELOAD)
    image_backend, prompt_backend = image_backend_name(settings), prompt_backend_name(settings)
    if settings.batch and image_backend != "gemini":
        raise InputError("BATCH / --batch: batch jobs are Gemini's; set GEMINI_API_KEY for the image model")
    if settings.twins and image_backend != "gemini":
        raise InputError(
            "TWINS / --twins: a twin is a Gemini photograph of a procedural room; set GEMINI_API_KEY for "
            "the image model"
        )
    if settings.views > 1 and image_backend == "gemini" and not settings.twins:
        raise InputError(
            f"VIEWS / --views: {settings.views} views need a room to pose them in: the procedural backend, "
            "or twins (TWINS / --twins); a Gemini image alone has no geometry to see from another corner"
        )
    client = None
    if "gemini" in (image_backend, prompt_backend):
        from scenegen.backends.google.gemini_client import gemini_client

        client = gemini_client(settings)

    images: ImageGenerator
    batches: BatchBackend | None = None
    reviewer: Reviewer
    from scenegen.backends.local.procedural import ProceduralRenderer
    from scenegen.render.procedural import RenderOptions

    options = RenderOptions.of(catalogue)
    references = ProceduralRenderer(workers, settings.render_timeout_seconds, options=options)
    if image_backend == "gemini":
        from scenegen.backends.google.gemini_batch import GeminiBatches
        from scenegen.backends.google.gemini_image import GeminiImageGenerator
        from scenegen.backends.google.gemini_review import GeminiReviewer

        images = GeminiImageGenerator(settings, prices, workers, client, catalogue.views)
        batches = GeminiBatches(settings, prices, client, images)
        reviewer = GeminiReviewer(settings, catalogue, prices, client)
    else:
        from scenegen.backends.local.ground_truth_review import GroundTruthReviewer

        images = references
        # The rubric's true answers, from the ground truth
        reviewer = GroundTruthReviewer(catalogue.review)

    prompts: PromptWriter
    if prompt_backend == "gemini":
        from scenegen.backends.google.gemini_prompts import GeminiPromptWriter

        prompts = GeminiPromptWriter(settings, catalogue, prices, images.model, client)
    else:
        from scenegen.planning.prompts import LocalPromptWriter

        prompts = LocalPromptWriter(catalogue, image_model=images.model)

    history: HistoryStore
    if settings.firestore_project:
        from scenegen.backends.google.firestore import FirestoreHistory

        history = FirestoreHistory(settings.firestore_project)
    else:
        from scenegen.backends.local.sqlite import SqliteHistoryStore

        history = SqliteHistoryStore(settings.history_path)

    storage_: SceneStorage
    if settings.bucket:
        from scenegen.backends.google.gcs import GcsSceneStorage

        storage_ = GcsSceneStorage(bucket or settings.bucket)
    else:
        from scenegen.backends.local.folder import LocalSceneStorage

        storage_ = LocalSceneStorage(settings.output_dir)
    return Resources(
        settings,
        catalogue,
        prices,
        images,
        prompts,
        history,
        storage_,
        workers,
        references,
        batches,
        reviewer if settings.review != "off" else None,
    )
