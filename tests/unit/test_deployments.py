from pathlib import Path

import yaml
from prefect.flows import load_flow_from_entrypoint

REPO = Path(__file__).resolve().parents[2]
DEPLOYMENTS = {d["name"]: d for d in yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]}


def test_the_daily_deployment_runs_on_cloud_run_on_a_paused_schedule():
    daily = DEPLOYMENTS["scene-generation-daily"]
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
    assert DEPLOYMENTS["rerun-failed-scenes"]["work_pool"]["name"] == "scenegen-cloud-run"
    assert "schedules" not in DEPLOYMENTS["rerun-failed-scenes"]


def test_every_entrypoint_loads_and_accepts_its_parameters():
    assert set(DEPLOYMENTS) == {
        "scene-generation-daily",
        "rerun-failed-scenes",
        "scene-generation-local",
        "rerun-failed-scenes-local",
    }
    for deployment in DEPLOYMENTS.values():
        flow = load_flow_from_entrypoint(f"{REPO}/{deployment['entrypoint']}")
        assert flow.name in {"generate-scenes", "rerun-failed-scenes"}
        flow.validate_parameters(deployment["parameters"])


def test_the_run_form_offers_the_archetypes_and_refuses_bad_values():
    import pytest
    from prefect.exceptions import ParameterTypeError

    generate = load_flow_from_entrypoint(f"{REPO}/flows/generate_scenes.py:generate_scenes")
    schema = generate.parameters.model_dump()
    assert set(schema["definitions"]["ArchetypeName"]["enum"]) >= {"kitchen", "loading_dock", "utility_room"}
    assert schema["properties"]["scenes"]["anyOf"][0]["maximum"] == 1000
    for bad in ({"scenes": 0}, {"archetypes": ["spaceship"]}, {"seed": -1}, {"shard_size": 0}):
        with pytest.raises(ParameterTypeError):
            generate.validate_parameters(bad)
    rerun = load_flow_from_entrypoint(f"{REPO}/flows/rerun_failed_scenes.py:rerun_failed_scenes")
    assert set(rerun.parameters.properties) == {"scene_ids", "since_days", "limit"}
    with pytest.raises(ParameterTypeError):
        rerun.validate_parameters({"scene_ids": ["Bad/Id"]})
