from pathlib import Path

import yaml
from prefect.flows import load_flow_from_entrypoint

REPO = Path(__file__).resolve().parents[2]
DEPLOYMENTS = {d["name"]: d for d in yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]}


def test_the_daily_deployment_runs_on_cloud_run_on_a_paused_schedule():
    daily = DEPLOYMENTS["daily"]
    assert daily["schedules"] == [{"cron": "0 8 * * *", "timezone": "America/Los_Angeles", "active": False}]
    pool = daily["work_pool"]
    assert pool["name"] == "scenegen-cloud-run"
    # the key comes from Secret Manager into the job's environment, never from the deployment itself
    assert "GEMINI_API_KEY" not in pool["job_variables"]["env"]
    assert pool["job_variables"]["env_from_secrets"]["GEMINI_API_KEY"]["secret"] == "gemini-api-key"


def test_every_entrypoint_loads_and_accepts_its_parameters():
    assert set(DEPLOYMENTS) == {"daily", "rerun-failed", "local"}
    for deployment in DEPLOYMENTS.values():
        flow = load_flow_from_entrypoint(f"{REPO}/{deployment['entrypoint']}")
        assert flow.name in {"generate-scenes", "rerun-failed-scenes"}
        flow.validate_parameters(deployment["parameters"])
