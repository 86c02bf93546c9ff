"""The `scenegen` command and the script entry point, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main
from scenegen.storage import GROUND_TRUTH, MARKER
from tests.integration.test_flows import RenderSpy

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        (["generate", "--archetypes", "kitchen,spaceship"], {}, "unknown archetype(s) spaceship"),
        (["generate", "--scenes", "0"], {}, "SCENES_PER_RUN / --scenes"),
        (["generate", "--scenes", "1001"], {}, "less than or equal to 1000"),
        (["generate", "--scenes", "abc"], {}, "valid integer"),
        (["generate", "--scenes", "2.5"], {}, "valid integer"),
        (["generate"], {"SCENES_PER_RUN": "ten"}, "SCENES_PER_RUN"),
        (["generate"], {"VIEWS": "0"}, "VIEWS / --views: Input should be greater than or equal to 1"),
        (["generate"], {"VIEWS": "9"}, "VIEWS / --views: Input should be less than or equal to 8"),
        (["generate"], {"VIEWS": "three"}, "VIEWS / --views"),
        (["generate", "--views", "9"], {}, "VIEWS / --views"),
        (["generate", "--views", "2"], {"GEMINI_API_KEY": "k-123"}, "VIEWS / --views"),
        (["generate"], {"ARCHETYPES": "lab,moonbase"}, "moonbase"),
        (["generate"], {"DRY_RUN": "maybe"}, "DRY_RUN / --dry-run"),
        (["generate"], {"REVIEW": "sometimes"}, "REVIEW: Input should be 'required', 'advisory' or 'off'"),
        (["generate", "--seed", "x"], {}, "'x' is not a whole number"),
        (["generate", "--seed", "-1"], {}, "argument --seed: -1 is out of range: 0 to 2147483647"),
        (["rerun-failed", "--since-days", "-4"], {}, "argument --since-days: -4 is out of range"),
        (["generate", "--bogus"], {}, "unrecognized arguments: --bogus (see scenegen --help)"),
        (["generate", "--scenes"], {}, "(see scenegen generate --help)"),
        (["rerun-failed", "--scene-id", "Bad/ID"], {}, "does not match"),
        (["rerun-failed", "--scene-id", "kitchen-20260101-abc"], {}, "not in the history"),
        (["generate"], {"GEMINI_API_KEY": "k-123", "GEMINI_TIMEOUT_SECONDS": "0"}, "GEMINI_TIMEOUT_SECONDS"),
        (["generate", "--batch"], {}, "BATCH / --batch: batch jobs are Gemini's"),
        (["rerun-failed", "--batch"], {}, "BATCH / --batch: batch jobs are Gemini's"),
        (["generate"], {"BATCH": "perhaps"}, "BATCH / --batch"),
        (["generate", "--twins"], {}, "TWINS / --twins: a twin is a Gemini photograph"),
        (["generate"], {"TWINS": "true"}, "TWINS / --twins"),
        (["collect"], {}, "set GEMINI_API_KEY to collect them"),
    ],
)
def test_bad_input_is_one_line_and_exit_2_before_anything_is_written(
    argv, env, expected, clean_environment, monkeypatch, capsys
):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as caught:
        raise SystemExit(main(argv))
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1 and err.startswith("scenegen: error:")
    assert "k-123" not in err
    assert not clean_environment.exists()


def test_bad_files_and_numbers_are_refused_before_a_server_starts_or_a_file_is_written(tmp_path):
    """As a new user meets them: a shell, no Prefect API configured (so a run would start a temporary one)."""
    not_sqlite = tmp_path / "history.db"
    not_sqlite.write_text("my notes, not a database")
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    cases = [
        (["generate", "--seed", "-1"], {}, "--seed: -1 is out of range"),
        (
            ["generate"],
            {"HISTORY_DB": str(not_sqlite)},
            f"HISTORY_DB: {not_sqlite} is not an SQLite database",
        ),
        (["generate"], {"OUTPUT_DIR": str(a_file)}, f"OUTPUT_DIR: {a_file} is a file, not a folder"),
        (["rerun-failed", "--since-days", "-4"], {}, "--since-days: -4 is out of range"),
        (["generate", "--no-such-option"], {}, "(see scenegen --help)"),
    ]
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SCENES", "OUTPUT_DIR"))}
    for argv, env, expected in cases:
        output = tmp_path / "output"
        done = subprocess.run(
            [str(Path(sys.executable).with_name("scenegen")), *argv],
            env={**base, "OUTPUT_DIR": str(output), "PREFECT_HOME": str(tmp_path / "home"), **env},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, (argv, done.stderr)
        assert expected in done.stderr and done.stderr.count("\n") == 1, done.stderr
        assert "temporary" not in done.stderr and not (tmp_path / "home" / "prefect.db").exists()
        assert not output.exists()
    assert not_sqlite.read_text() == "my notes, not a database" and a_file.read_text() == "not a folder"


def test_the_temporary_api_gets_time_to_start_unless_the_user_set_it(tmp_path):
    probe = (
        "from flows.script import prefect_api_for_this_run\n"
        "from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS as wait\n"
        "with prefect_api_for_this_run():\n"
        "    print(wait.value())\n"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    base["PREFECT_HOME"] = str(tmp_path / "home")
    answers = {}
    for name, extra in (
        ("unset", {}),
        ("set", {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "7"}),
        ("an api", {"PREFECT_API_URL": "http://127.0.0.1:9/api"}),
    ):
        done = subprocess.run(
            [sys.executable, "-c", probe],
            env=base | extra,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        answers[name] = (done.stdout.strip(), "temporary local API" in done.stderr)
    assert answers == {"unset": ("120", True), "set": ("7", True), "an api": ("20", False)}


def test_a_malformed_config_file_is_refused(tmp_path, clean_environment, monkeypatch, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"archetypes": {"kitchen": {"base_weight": "lots"}}}')
    monkeypatch.setenv("ARCHETYPE_CONFIG", str(bad))
    assert main(["generate"]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "archetypes.kitchen" in err and err.count("\n") == 1
    assert not clean_environment.exists()


@pytest.mark.usefixtures("prefect_api")
def test_generate_prints_where_scenes_went_and_exits_0(clean_environment, capsys):
    assert main(["generate", "--scenes", "2", "--archetypes", "home_laundry,lab", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert f"Scenes: {clean_environment.resolve() / 'scenes'}" in out
    assert "Completed: 2 of 2 scenes stored" in out
    assert len(list((clean_environment / "scenes").glob(f"*/{MARKER}"))) == 2


@pytest.mark.usefixtures("prefect_api")
def test_a_failed_scene_makes_the_command_exit_1_and_rerun_failed_exit_0(
    clean_environment, monkeypatch, capsys
):
    spy = RenderSpy(monkeypatch, fail_first=RuntimeError)
    assert main(["generate", "--scenes", "2", "--seed", "9"]) == 1
    assert spy.failed_scene in capsys.readouterr().out
    # the spy fails only once: the rerun renders for real
    assert main(["rerun-failed", "--scene-id", spy.failed_scene]) == 0
    assert (clean_environment / "scenes" / spy.failed_scene / MARKER).is_file()


@pytest.mark.usefixtures("prefect_api")
def test_the_flow_script_runs_from_the_environment_alone(clean_environment, prefect_api):
    env = {**os.environ, "PREFECT_API_URL": prefect_api, "SCENES_PER_RUN": "1", "ARCHETYPES": "utility_room"}
    done = subprocess.run(
        [sys.executable, str(REPO / "flows" / "generate_scenes.py")],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [marker] = (clean_environment / "scenes").glob(f"utility_room-*/{MARKER}")
    assert marker.is_file()


def layout(output: Path) -> list[tuple]:
    """What a run leaves, without the ids and values: files per scene, scene.json keys, sizes, records."""
    from PIL import Image

    from tests.integration.test_flows import history

    scenes = []
    for folder in sorted((output / "scenes").iterdir()):
        document = json.loads((folder / "scene.json").read_text())
        scenes.append(
            (
                tuple(sorted(p.name for p in folder.iterdir() if p.name not in GROUND_TRUTH)),
                tuple(sorted(document["spec"])),
                tuple(sorted(document["result"])),
                Image.open(folder / "source_image.png").size,
            )
        )
    records = [(r.success, r.status, bool(r.image_uri), bool(r.sha256)) for r in history(output).values()]
    return [*scenes, *sorted(records)]


@pytest.mark.usefixtures("prefect_api")
def test_generate_on_gemini_leaves_what_the_embedded_run_leaves(tmp_path, gemini, monkeypatch, capsys):
    layouts = {}
    for run in ("gemini", "embedded"):
        if run == "embedded":
            monkeypatch.delenv("GEMINI_API_KEY")
        monkeypatch.setenv("OUTPUT_DIR", str(tmp_path / run))
        assert main(["generate", "--scenes", "2", "--seed", "5"]) == 0
        assert "Completed: 2 of 2 scenes stored" in capsys.readouterr().out
        layouts[run] = layout(tmp_path / run)
    assert len(layouts["gemini"]) == 4 and layouts["gemini"] == layouts["embedded"]
    assert len(gemini.requests()) == 5  # one prompt batch, two images, their reviews: none embedded
    # but for the ground truth, which only the procedural scenes have, and scene.json says so
    for run, available in (("gemini", False), ("embedded", True)):
        for folder in (tmp_path / run / "scenes").iterdir():
            truth = json.loads((folder / "scene.json").read_text())["ground_truth"]
            assert truth["available"] is available
            assert sorted(truth["files"]) == sorted(GROUND_TRUTH if available else [])
            assert {name for name in GROUND_TRUTH if (folder / name).is_file()} == set(truth["files"])


@pytest.mark.usefixtures("prefect_api")
def test_report_prints_the_period_and_writes_its_pictures(clean_environment, capsys):
    assert main(["report"]) == 0
    assert "0 stored scenes" in capsys.readouterr().out  # an empty history is a report too
    assert main(["generate", "--scenes", "2", "--seed", "6"]) == 0
    capsys.readouterr()
    assert main(["report", "--days", "7"]) == 0
    out = capsys.readouterr().out
    assert "Diversity of the last 7 days: 2 stored scenes" in out
    for name in ("coverage.png", "contact_sheet.png"):
        assert str(clean_environment / "reports" / "latest" / name) in out
        assert (clean_environment / "reports" / "latest" / name).is_file()
