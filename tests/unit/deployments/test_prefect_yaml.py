from pathlib import Path

import pytest
import yaml
from prefect.exceptions import ParameterTypeError, SignatureMismatchError
from prefect.flows import load_flow_from_entrypoint
from prefect.utilities.callables import parameter_schema

from scenegen.catalogue import load_archetype_config

REPO = Path(__file__).resolve().parents[3]
ENTRIES = yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]


def flow_of(entry: dict):
    return load_flow_from_entrypoint(f"{REPO}/{entry['entrypoint']}")


DEPLOYMENTS = {f"{flow_of(entry).name}/{entry['name']}": entry for entry in ENTRIES}


def test_the_daily_deployment_runs_on_cloud_run_on_a_paused_schedule():
    daily = DEPLOYMENTS["generate-scenes/scene-generation-daily"]
    assert daily["parameters"] == {"scenes": 10}
    assert daily["schedules"] == [{"cron": "0 8 * * *", "timezone": "America/Los_Angeles", "active": False}]
    pool = daily["work_pool"]
    assert pool["name"] == "scenegen-cloud-run"
    # the key comes from Secret Manager into the job's environment, never from the deployment itself
    assert "GEMINI_API_KEY" not in pool["job_variables"]["env"]
    assert pool["job_variables"]["env_from_secrets"]["GEMINI_API_KEY"]["secret"] == "gemini-api-key"
    variables = pool["job_variables"]
    assert (variables["cpu"], variables["memory"], variables["timeout"]) == ("2", "4Gi", 3600)
    assert {"image", "region", "service_account_name"} <= set(variables)
    assert {"BUCKET", "FIRESTORE_PROJECT"} <= set(variables["env"])
    rerun = DEPLOYMENTS["rerun-failed-scenes/rerun-failed-scenes"]
    assert rerun["work_pool"]["name"] == "scenegen-cloud-run" and "schedules" not in rerun
    collect = DEPLOYMENTS["collect-batches/collect-batches"]
    assert collect["work_pool"]["name"] == "scenegen-cloud-run"
    assert collect["schedules"] == [
        {"cron": "*/15 * * * *", "timezone": "America/Los_Angeles", "active": False}
    ]
    assert DEPLOYMENTS["collect-batches/collect-batches-local"]["work_pool"]["name"] == "scenegen-local"


def test_every_run_that_fans_out_has_a_shard_deployment_of_the_same_name_on_the_same_pool():
    for name, entry in DEPLOYMENTS.items():
        if name.startswith("generate-scenes/"):
            shard = DEPLOYMENTS[f"generate-shard/{entry['name']}"]
            assert shard["work_pool"]["name"] == entry["work_pool"]["name"]
            assert "schedules" not in shard


def test_every_entrypoint_loads_and_accepts_its_parameters():
    assert set(DEPLOYMENTS) == {
        "generate-scenes/scene-generation-daily",
        "generate-shard/scene-generation-daily",
        "rerun-failed-scenes/rerun-failed-scenes",
        "generate-scenes/scene-generation-local",
        "generate-shard/scene-generation-local",
        "rerun-failed-scenes/rerun-failed-scenes-local",
        "hand-off-scene/scene-handoff-local",
        "collect-batches/collect-batches",
        "collect-batches/collect-batches-local",
        "score-reconstruction/score-reconstruction-local",
    }
    for entry in ENTRIES:
        if "parameters" in entry:
            flow_of(entry).validate_parameters(entry["parameters"])


def test_the_downstream_example_is_started_by_each_completed_scene_with_its_id_and_uri():
    [trigger] = DEPLOYMENTS["hand-off-scene/scene-handoff-local"]["triggers"]
    assert trigger["enabled"] and trigger["expect"] == ["scenegen.scene.completed"]
    assert trigger["match"] == {"prefect.resource.id": "scenegen.scene.*"}
    assert trigger["parameters"] == {
        "scene_id": "{{ event.payload.scene_id }}",
        "scene_uri": "{{ event.payload.scene_uri }}",
    }


def test_the_scorer_is_started_by_each_reconstruction_of_a_scene_with_its_id_and_usd():
    """The trigger's template makes the scene's id from the event's resource (rendered as Prefect renders a
    trigger's parameters), and its USD from the payload."""
    import uuid
    from datetime import UTC, datetime

    from prefect.server.events.schemas.events import ReceivedEvent
    from prefect.server.utilities.user_templates import render_user_template_sync

    [trigger] = DEPLOYMENTS["score-reconstruction/score-reconstruction-local"]["triggers"]
    assert trigger["enabled"] and trigger["expect"] == ["reconstruction.completed"]
    assert trigger["match"] == {"prefect.resource.id": "scenegen.scene.*"}
    event = ReceivedEvent(
        id=uuid.uuid4(),
        occurred=datetime.now(UTC),
        event="reconstruction.completed",
        resource={"prefect.resource.id": "scenegen.scene.office-20261203-0d65718e50"},
        payload={"usd_uri": "gs://bucket/recon/office.usda"},
    )
    rendered = {
        name: render_user_template_sync(template, {"event": event})
        for name, template in trigger["parameters"].items()
    }
    assert rendered == {"scene": "office-20261203-0d65718e50", "usd_uri": "gs://bucket/recon/office.usda"}


def test_the_run_form_shows_defaults_a_multi_select_and_a_checkbox_and_nothing_internal():
    """The schema the UI's run form is drawn from, as `prefect deploy` sends it to the API."""
    generate = load_flow_from_entrypoint(f"{REPO}/flows/generate_scenes.py:generate_scenes")
    schema = parameter_schema(generate.fn).model_dump()
    fields = schema["properties"]
    assert list(fields) == [
        "scenes",
        "archetypes",
        "dry_run",
        "seed",
        "lookback_days",
        "shard_size",
        "batch",
        "twins",
        "views",
    ]
    assert fields["scenes"] == {
        "default": 10,
        "description": "How many scenes to make (1 to 1000).",
        "maximum": 1000,
        "minimum": 1,
        "position": 0,
        "title": "scenes",
        "type": "integer",
    }
    assert fields["lookback_days"]["default"] == 30 and fields["lookback_days"]["type"] == "integer"
    assert fields["dry_run"]["type"] == "boolean" and fields["dry_run"]["default"] is False
    assert fields["batch"]["type"] == "boolean" and fields["batch"]["default"] is False
    assert fields["twins"]["type"] == "boolean" and fields["twins"]["default"] is False
    views = fields["views"]
    assert (views["default"], views["minimum"], views["maximum"]) == (1, 1, 8)
    assert views["description"].startswith("Posed views of each room (1 to 8)")
    archetypes = fields["archetypes"]
    assert archetypes["type"] == "array" and archetypes["default"] == []
    assert archetypes["items"] == {"$ref": "#/definitions/ArchetypeName"}
    assert schema["definitions"]["ArchetypeName"]["enum"] == list(load_archetype_config().names)
    # only the seed may be left empty (a new plan); no parameter shows as a choice of types but it
    assert [name for name, field in fields.items() if "anyOf" in field] == ["seed"]
    assert not schema.get("required")
    for bad in ({"scenes": 0}, {"archetypes": ["spaceship"]}, {"seed": -1}, {"shard_size": 0}, {"views": 9}):
        with pytest.raises(ParameterTypeError):
            generate.validate_parameters(bad)
    with pytest.raises(SignatureMismatchError):  # what the parent gives its shards is no parameter here
        generate.validate_parameters({"shard": []})
    rerun = load_flow_from_entrypoint(f"{REPO}/flows/rerun_failed_scenes.py:rerun_failed_scenes")
    rerun_fields = parameter_schema(rerun.fn).model_dump()["properties"]
    assert {name: field["default"] for name, field in rerun_fields.items()} == {
        "scene_ids": [],
        "since_days": 30,
        "limit": 1000,
        "batch": False,
    }
    with pytest.raises(ParameterTypeError):
        rerun.validate_parameters({"scene_ids": ["Bad/Id"]})
