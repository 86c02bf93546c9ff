"""The scene engine: resources built once per run, image slots that never wait on the CPU work, and an
image answer stored as it came when it already is what the pipeline needs."""

from __future__ import annotations

import functools
import json
import threading
import time
from collections import Counter

import pytest
from PIL import Image

import scenegen.run.resources
import tasks.checks
from cli.main import main
from flows.generate_scenes import generate_scenes
from scenegen.backends.google import gemini_image, gemini_review
from scenegen.backends.google.gemini_image import GeminiImageGenerator
from scenegen.backends.local.folder import LocalSceneStorage
from scenegen.backends.local.procedural import ProceduralRenderer
from scenegen.backends.local.sqlite import SqliteHistoryStore
from scenegen.catalogue import ArchetypeConfig
from scenegen.images import sha256_file
from scenegen.planning.prompts import LocalPromptWriter
from scenegen.storage import IMAGE_NAME, SCENE_JSON
from tests import hooks
from tests.integration.test_flows import scene_folders
from tests.integration.test_gemini_backends import IMAGE_MODEL, TEXT_MODEL

pytestmark = pytest.mark.usefixtures("prefect_api")


def count_constructions(monkeypatch: pytest.MonkeyPatch, *classes: type) -> Counter[str]:
    built: Counter[str] = Counter()
    for cls in classes:
        real = cls.__init__

        def counting(self, *args, _real=real, _name=cls.__name__, **kwargs):
            built[_name] += 1
            _real(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", counting)
    return built


def test_a_run_builds_each_backend_and_reads_the_catalogue_once(clean_environment, monkeypatch):
    built = count_constructions(
        monkeypatch, ProceduralRenderer, LocalPromptWriter, SqliteHistoryStore, LocalSceneStorage
    )
    real_validate = ArchetypeConfig.model_validate.__func__

    def counting_validate(cls, *args, **kwargs):
        built["catalogue"] += 1
        return real_validate(cls, *args, **kwargs)

    monkeypatch.setattr(ArchetypeConfig, "model_validate", classmethod(counting_validate))
    # The first image comes out blank: its replacement needs a fresh prompt mid-run, from the same writer.
    real_generate = ProceduralRenderer.generate
    calls: list[str] = []

    def blank_first(renderer, spec, destination):
        rendered = real_generate(renderer, spec, destination)
        calls.append(spec.scene_id)
        if len(calls) == 1:
            Image.new("RGB", (2752, 1536), (90, 90, 90)).save(destination)
            rendered = rendered.model_copy(update={"sha256": sha256_file(destination), "measures": None})
        return rendered

    monkeypatch.setattr(ProceduralRenderer, "generate", blank_first)
    # The command line checks its input and then runs the flow: both use the one set of resources.
    assert main(["generate", "--scenes", "3", "--seed", "12"]) == 0
    # the blank one replaced (and any image a check refuses by itself)
    assert len(calls) >= 4 and len(scene_folders(clean_environment)) == 3
    assert built == {
        "ProceduralRenderer": 1,
        "LocalPromptWriter": 1,
        "SqliteHistoryStore": 1,
        "LocalSceneStorage": 1,
        "catalogue": 1,
    }


def test_slow_checks_do_not_hold_an_image_slot(clean_environment, gemini, monkeypatch):
    """While checks run, image calls go on at MAX_CONCURRENCY: a slot passes on when its answer arrives."""
    monkeypatch.setenv("PROMPT_BACKEND", "local")
    monkeypatch.setenv("MAX_CONCURRENCY", "2")
    gemini.script(**{IMAGE_MODEL: ["slow:0.6"] * 8})
    lock = threading.Lock()
    in_flight = checking = 0
    in_flight_while_checking: list[int] = []
    real_generate, real_check = GeminiImageGenerator.generate, tasks.checks.check_rendered

    def generate(generator, spec, destination):
        nonlocal in_flight
        with lock:
            in_flight += 1
            if checking:
                in_flight_while_checking.append(in_flight)
        try:
            return real_generate(generator, spec, destination)
        finally:
            with lock:
                in_flight -= 1

    def slow_check(*args, **kwargs):
        nonlocal checking
        with lock:
            checking += 1
            in_flight_while_checking.append(in_flight)
        time.sleep(1.5)  # a check far slower than an image call
        with lock:
            checking -= 1
        return real_check(*args, **kwargs)

    monkeypatch.setattr(GeminiImageGenerator, "generate", generate)
    monkeypatch.setattr(tasks.checks, "check_rendered", slow_check)
    state = generate_scenes(scenes=6, seed=3, return_state=True)
    assert state.is_completed(), state.message
    assert len(gemini.requests(IMAGE_MODEL)) == 6
    assert max(in_flight_while_checking) == 2  # both slots busy while checks were under way


def test_a_png_answer_of_the_right_size_is_stored_byte_identical_and_decoded_once(
    tmp_path, clean_environment, gemini, monkeypatch
):
    monkeypatch.setenv("PROMPT_BACKEND", "local")
    answer = tmp_path / "answer.png"
    Image.effect_mandelbrot((2752, 1536), (-2.2, -1.2, 1.0, 1.2), 40).convert("RGB").save(answer)
    gemini.script(**{IMAGE_MODEL: [f"png_file:{answer}", "jpeg_as_png"]})
    # Decodes are counted in the worker processes, where they happen, and in this one, where none should.
    log = tmp_path / "decodes"
    monkeypatch.setattr(scenegen.run.resources, "warm_up", functools.partial(hooks.counting_decodes, log))
    here: Counter[str] = Counter()
    for module in (tasks.checks, gemini_review, gemini_image):
        for name in ("decode", "_decode"):
            if hasattr(module, name):
                real = getattr(module, name)

                def counting(*args, _real=real, _name=name, **kwargs):
                    here[_name] += 1
                    return _real(*args, **kwargs)

                monkeypatch.setattr(module, name, counting)

    state = generate_scenes(scenes=2, archetypes=["lab"], seed=8, return_state=True)
    assert state.is_completed(), state.message
    as_sent = answer.read_bytes()
    folders = scene_folders(clean_environment).values()
    [png_scene] = [folder for folder in folders if (folder / IMAGE_NAME).read_bytes() == as_sent]
    [jpeg_scene] = [folder for folder in folders if folder != png_scene]
    assert json.loads((png_scene / SCENE_JSON).read_text())["result"]["sha256"] == sha256_file(answer)
    with Image.open(jpeg_scene / IMAGE_NAME) as converted:
        assert converted.format == "PNG" and converted.size == (2752, 1536)
    # The PNG was decoded by its check alone; the JPEG when it was converted, and its check used that
    # decode; both reviews were shown the copy made from those pixels; nothing was decoded in this process.
    assert hooks.decodes(log) == {"decode": 1, "_decode": 1}
    assert not here
    assert len(gemini.requests(TEXT_MODEL)) == 2  # the reviews


def test_a_scene_that_fails_before_its_image_call_gives_its_slot_back(clean_environment, monkeypatch):
    monkeypatch.setenv("MAX_CONCURRENCY", "1")  # one slot: a slot kept by the failed scene stalls the run
    real_is_complete = LocalSceneStorage.is_complete
    asked: list[str] = []

    def unreachable_once(storage, scene_id):
        asked.append(scene_id)
        if len(asked) == 1:
            raise OSError("storage unreachable")
        return real_is_complete(storage, scene_id)

    monkeypatch.setattr(LocalSceneStorage, "is_complete", unreachable_once)
    ended: dict[str, object] = {}
    runner = threading.Thread(
        target=lambda: ended.update(state=generate_scenes(scenes=3, seed=5, return_state=True)), daemon=True
    )
    runner.start()
    runner.join(timeout=180)
    assert not runner.is_alive(), "the run stalled: the failed scene kept its image slot"
    assert ended["state"].is_failed() and asked[0] in ended["state"].message
    assert len(scene_folders(clean_environment)) == 2


def test_a_paid_image_rejected_again_is_replaced_only_once(tmp_path, clean_environment, gemini, monkeypatch):
    monkeypatch.setenv("PROMPT_BACKEND", "local")
    blank = tmp_path / "blank.png"
    Image.new("RGB", (2752, 1536), (90, 90, 90)).save(blank)
    gemini.script(**{IMAGE_MODEL: [f"png_file:{blank}"] * 3})
    state = generate_scenes(scenes=1, archetypes=["office"], seed=2, return_state=True)
    assert state.is_failed()
    assert len(gemini.requests(IMAGE_MODEL)) == 2  # the image and one paid replacement, no more
    assert scene_folders(clean_environment) == {}
