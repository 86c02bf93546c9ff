"""A Gemini-compatible HTTP server on 127.0.0.1 for the tests: `generateContent` answers as the real API
does (shapes from DESIGN.md §3), following a script of outcomes per model that the tests set.

Run: python tests/fake_gemini.py   -> prints its port on the first line of stdout, serves until killed.
Control: POST /_fake/script {"steps": {"<model>": ["quota:2", "image", ...]}} (also clears the request log);
         GET /_fake/requests -> every generateContent request received, with its headers and JSON body.
Batch API: models/{model}:batchGenerateContent creates a PENDING job of inlined requests; batches lists the
         jobs, batches/{id} reads one, batches/{id}:cancel cancels it. POST /_fake/batches {"state":
         "SUCCEEDED" | "FAILED" | "EXPIRED" | "RUNNING", "name": optional} moves every job (or the named
         one) to that state; on SUCCEEDED each request is answered by the model's next step, and the step
         item_error makes that item fail.
Steps: image, jpeg_as_png, small_image, slow:<s>, quota:<s>, overloaded, invalid_key, echo_key, not_found,
       prompt_blocked, image_blocked, text_only, empty, prompts, prompts_partly_bad, truncated_prompts,
       answer:<text> (a text answer, verbatim), png_file:<path> (that file's bytes, as image/png),
       review (a rubric: suitable, the planned archetype), review:<json> (that rubric with these fields);
       for a twin's request (an image model shown a reference): twin (a restyled copy of the reference),
       twin_moved (seen from a moved camera), twin_painted:<left>,<top>,<right>,<bottom> (that region, in
       fractions of the frame, painted out), twin_unrelated (another room: the reference mirrored),
       twin_recoloured (a restyled copy whose things changed colour: a view that is not the first's room).
With no step left, an image model draws an image (a twin: a restyled copy of its reference), a request that
shows an image to a text model is reviewed as suitable, and a text model writes prompts.
FAKE_GEMINI_PREMADE=N: N distinct 2752x1536 pictures are drawn at start and served in turn, so that an
answer costs this server little CPU (the throughput bench).
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the tests package too

from tests.fake_answers import answer, carries_image, error

_lock = threading.Lock()
_script: dict[str, list[str]] = {}
_requests: list[dict[str, Any]] = []
_jobs: dict[str, dict[str, Any]] = {}


def batch_job(job: dict[str, Any]) -> dict[str, Any]:
    """A job as the Batch API shows it: an operation whose metadata holds the state and, once it
    succeeded, the inlined responses in request order."""
    metadata = {
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
        "model": f"models/{job['model']}",
        "displayName": job["displayName"],
        "createTime": job["createTime"],
        "state": f"BATCH_STATE_{job['state']}",
    }
    if job["responses"] is not None:
        metadata["output"] = {"inlinedResponses": {"inlinedResponses": job["responses"]}}
    return {"name": job["name"], "metadata": metadata, "done": job["state"] not in ("PENDING", "RUNNING")}


def batch_responses(job: dict[str, Any]) -> list[dict[str, Any]]:
    responses = []
    for item in job["requests"]:
        with _lock:
            queue = _script.get(job["model"]) or []
            step = queue.pop(0) if queue else "twin" if carries_image(item["request"]) else "image"
        metadata = item.get("metadata", {})
        if step == "item_error":
            failure = {"code": 13, "message": "Internal error while generating the image."}
            responses.append({"error": failure, "metadata": metadata})
            continue
        status, payload = answer(step, item["request"], job["key"])
        if status == 200:
            responses.append({"response": payload, "metadata": metadata})
        else:
            responses.append({"error": payload["error"], "metadata": metadata})
    return responses


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/_fake/requests":
            with _lock:
                self._send(200, list(_requests))
        elif re.fullmatch(r"/(v1|v1beta)/batches", path):
            with _lock:
                jobs = [batch_job(job) for job in reversed(list(_jobs.values()))]  # newest first
            self._send(200, {"operations": jobs})
        elif match := re.fullmatch(r"/(v1|v1beta)/batches/([^/:]+)", path):
            with _lock:
                job = _jobs.get(f"batches/{match.group(2)}")
                shown = batch_job(job) if job else None
            if shown is None:
                self._send(404, error(404, "NOT_FOUND", f"no batch {match.group(2)}"))
            else:
                self._send(200, shown)
        else:
            self._send(404, error(404, "NOT_FOUND", self.path))

    def _batch_post(self, body: dict[str, Any]) -> bool:
        """The Batch API's POSTs and the fake's own batch control; False when the path is none of them."""
        if self.path == "/_fake/batches":
            with _lock:
                chosen = [j for j in _jobs.values() if body.get("name") in (None, j["name"])]
            for job in chosen:
                responses = batch_responses(job) if body["state"] == "SUCCEEDED" else None
                with _lock:
                    job["state"], job["responses"] = body["state"], responses
            self._send(200, {"jobs": len(chosen)})
            return True
        if match := re.fullmatch(r"/(v1|v1beta)/batches/([^/:]+):cancel", self.path):
            with _lock:
                job = _jobs.get(f"batches/{match.group(2)}")
                if job:
                    job["state"] = "CANCELLED"
            self._send(200 if job else 404, {})
            return True
        match = re.fullmatch(r"/(v1|v1beta)/models/([^/:]+):batchGenerateContent", self.path)
        if not match:
            return False
        key = self.headers.get("x-goog-api-key", "")
        with _lock:
            _requests.append(
                {
                    "path": self.path,
                    "model": match.group(2),
                    "time": time.time(),
                    "body": body,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                }
            )
            name = f"batches/job{len(_jobs) + 1}"
            _jobs[name] = {
                "name": name,
                "model": match.group(2),
                "displayName": body["batch"].get("displayName", ""),
                "createTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "requests": body["batch"]["inputConfig"]["requests"]["requests"],
                "state": "PENDING",
                "responses": None,
                "key": key,
            }
            shown = batch_job(_jobs[name])
        self._send(200, shown)
        return True

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        if self.path == "/_fake/script":
            with _lock:
                _script.clear()
                _script.update({model: list(steps) for model, steps in body["steps"].items()})
                _requests.clear()
                _jobs.clear()
            self._send(200, {})
            return
        if self._batch_post(body):
            return
        match = re.fullmatch(r"/(v1|v1beta)/models/([^/:]+):generateContent", self.path)
        if not match:
            self._send(404, error(404, "NOT_FOUND", f"no route {self.path}"))
            return
        model = match.group(2)
        request = {
            "path": self.path,
            "model": model,
            "time": time.time(),
            "body": body,
            "headers": {k.lower(): v for k, v in self.headers.items()},
        }
        with _lock:
            _requests.append(request)
            queue = _script.get(model) or []
            if "image" in model:
                default = "twin" if carries_image(body) else "image"
            else:
                default = "review" if carries_image(body) else "prompts"
            step = queue.pop(0) if queue else default
        status, payload = answer(step, body, self.headers.get("x-goog-api-key", ""))
        self._send(status, payload)
        with _lock:
            request["answered"] = time.time()

    def _send(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
