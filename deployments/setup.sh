#!/usr/bin/env bash
# One-time setup of scenegen's deployments for a GCP project, then `prefect deploy --all`.
# Needs: gcloud logged in to the project, PREFECT_API_URL (and PREFECT_API_KEY for Prefect Cloud) set,
# prefect-gcp installed where this runs, and these variables:
#   SCENEGEN_IMAGE             e.g. us-central1-docker.pkg.dev/PROJECT/scenegen/scenegen:latest (built and pushed)
#   SCENEGEN_REGION            e.g. us-central1
#   SCENEGEN_SERVICE_ACCOUNT   the runtime service account (Storage Object Admin, Datastore User, Secret Accessor)
#   SCENEGEN_BUCKET            the scenes bucket
#   SCENEGEN_FIRESTORE_PROJECT the project of the Firestore database
#   GEMINI_API_KEY             only the first time, to create the secret (read from the environment, never echoed)
#   GEMINI_IMAGE_LIMIT         optional: Gemini image calls at once across all runs (a Prefect global limit)
set -euo pipefail
: "${SCENEGEN_IMAGE:?}" "${SCENEGEN_REGION:?}" "${SCENEGEN_SERVICE_ACCOUNT:?}"
: "${SCENEGEN_BUCKET:?}" "${SCENEGEN_FIRESTORE_PROJECT:?}"

prefect work-pool inspect scenegen-cloud-run >/dev/null 2>&1 \
  || prefect work-pool create scenegen-cloud-run --type cloud-run-v2

if ! gcloud secrets describe gemini-api-key >/dev/null 2>&1; then
  : "${GEMINI_API_KEY:?set GEMINI_API_KEY once to create the gemini-api-key secret}"
  printf '%s' "$GEMINI_API_KEY" | gcloud secrets create gemini-api-key --data-file=-
fi

if [ -n "${GEMINI_IMAGE_LIMIT:-}" ]; then
  prefect gcl inspect gemini-image >/dev/null 2>&1 || prefect gcl create gemini-image --limit "$GEMINI_IMAGE_LIMIT"
fi

cd "$(dirname "$0")/.."
prefect --no-prompt deploy --all
echo "Deployed. The daily schedule is paused; resume it with:"
echo "  prefect deployment schedule resume generate-scenes/scene-generation-daily \\"
echo "    \$(prefect deployment schedule ls generate-scenes/scene-generation-daily | grep -oE '[0-9a-f-]{36}' | head -1)"
