import json
from pathlib import Path

import pytest
from PIL import Image

from scenegen.backends.local.folder import LocalSceneStorage
from scenegen.images import sha256_file
from scenegen.storage import IMAGE_NAME, MARKER, SCENE_JSON


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "staged.png"
    Image.new("RGB", (32, 18), (10, 20, 30)).save(path)
    return path


def test_a_scene_is_stored_with_its_marker(tmp_path, image):
    storage = LocalSceneStorage(tmp_path / "out")
    stored = storage.put_scene("kitchen-1", image, sha256_file(image), {"spec": {"scene_id": "kitchen-1"}})
    folder = tmp_path / "out" / "scenes" / "kitchen-1"
    assert sorted(p.name for p in folder.iterdir()) == sorted([IMAGE_NAME, SCENE_JSON, MARKER])
    assert json.loads((folder / MARKER).read_text())["sha256"] == stored.sha256
    assert stored.image_uri.endswith("/scenes/kitchen-1/source_image.png")
    assert storage.is_complete("kitchen-1")


def test_a_failure_midway_leaves_no_marker_and_no_partial_files(tmp_path, image):
    storage = LocalSceneStorage(tmp_path / "out")
    with pytest.raises(TypeError):  # scene.json cannot be written: the image is already copied
        storage.put_scene("lab-1", image, sha256_file(image), {"bad": object()})
    assert not (tmp_path / "out" / "scenes" / "lab-1").exists()
    with pytest.raises(OSError, match="does not match"):
        storage.put_scene("lab-2", image, "0" * 64, {})
    assert not storage.is_complete("lab-2")
    assert not (tmp_path / "out" / "scenes" / "lab-2").exists()


def staged_truth(tmp_path) -> list:
    from scenegen.models import StagedFile
    from scenegen.storage import GROUND_TRUTH

    staged = []
    for index, name in enumerate(GROUND_TRUTH):
        path = tmp_path / f"staged.{name}"
        path.write_bytes(f"truth {index}".encode())
        staged.append(StagedFile(name=name, path=str(path), sha256=sha256_file(path)))
    return staged


def test_the_ground_truth_is_stored_beside_the_image_before_the_marker(tmp_path, image):
    from scenegen.storage import GROUND_TRUTH

    storage = LocalSceneStorage(tmp_path / "out")
    truth = staged_truth(tmp_path)
    storage.put_scene("grocery-1", image, sha256_file(image), {}, truth)
    folder = tmp_path / "out" / "scenes" / "grocery-1"
    assert sorted(p.name for p in folder.iterdir()) == sorted([IMAGE_NAME, SCENE_JSON, MARKER, *GROUND_TRUTH])
    for staged in truth:
        assert (folder / staged.name).read_bytes() == Path(staged.path).read_bytes()
    # a ground-truth file that does not match its digest: no marker, nothing left
    truth[-1] = truth[-1].model_copy(update={"sha256": "0" * 64})
    with pytest.raises(OSError, match=r"scene\.usda does not match"):
        storage.put_scene("grocery-2", image, sha256_file(image), {}, truth)
    assert not (tmp_path / "out" / "scenes" / "grocery-2").exists()
    storage.remove_scene("grocery-1")
    assert not folder.exists()
