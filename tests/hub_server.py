"""A small loopback stand-in for the Hub's write API, committing into the git repositories that olah serves.

It implements just what huggingface_hub's create_repo, create_branch, upload_folder and ModelCard.validate
call: POST /api/repos/create, /api/models/{id}/branch/{rev}, /api/models/{id}/tag/{rev},
/api/models/{id}/preupload/{rev}, /api/models/{id}/commit/{rev} (NDJSON) and /api/validate-yaml. Every file
is answered as a "regular" upload, so contents arrive base64-encoded inside the commit; the real Hub's
LFS/Xet storage and pull requests are not covered. Commits are made with git plumbing, so olah then serves
them by branch, tag or sha.
"""

import base64
import json
import os
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

import yaml

GIT_ENV = {"GIT_AUTHOR_NAME": "hub", "GIT_AUTHOR_EMAIL": "hub@localhost",
           "GIT_COMMITTER_NAME": "hub", "GIT_COMMITTER_EMAIL": "hub@localhost"}


def git(repo: Path, *args: str, input: bytes | None = None, env: dict | None = None) -> str:
    result = subprocess.run(["git", "-C", str(repo), *args], input=input, capture_output=True, check=True,
                            env={**os.environ, **GIT_ENV, **(env or {})})
    return result.stdout.decode().strip()


class HubWriteServer:
    """Serve the write API on 127.0.0.1:port for repos under mirrors/models/ORG/NAME, accepting one token."""

    def __init__(self, mirrors: Path, token: str):
        self.mirrors, self.token, self.lock = Path(mirrors), token, threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.commits = 0

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def repo_path(self, repo_id: str) -> Path:
        return self.mirrors / "models" / repo_id

    # --- operations -------------------------------------------------------------------------------------

    def create_repo(self, body: dict) -> tuple[int, dict]:
        repo_id = f"{body['organization']}/{body['name']}" if body.get("organization") else body["name"]
        path = self.repo_path(repo_id)
        if path.exists():
            return 409, {"error": "You already created this model repo", "url": f"{self.url}/{repo_id}"}
        path.mkdir(parents=True)
        git(path, "init", "-q", "--bare", "-b", "main")
        blob = git(path, "hash-object", "-w", "--stdin", input=b"*.safetensors filter=lfs diff=lfs merge=lfs -text\n")
        tree = git(path, "mktree", input=f"100644 blob {blob}\t.gitattributes\n".encode())
        commit = git(path, "commit-tree", tree, "-m", "initial commit")
        git(path, "update-ref", "refs/heads/main", commit)
        return 200, {"url": f"{self.url}/{repo_id}", "name": repo_id}

    def create_branch(self, repo_id: str, branch: str, body: dict) -> tuple[int, dict]:
        path = self.repo_path(repo_id)
        start = git(path, "rev-parse", body.get("startingPoint") or "refs/heads/main")
        if subprocess.run(["git", "-C", str(path), "rev-parse", "--verify", "-q", f"refs/heads/{branch}"],
                          capture_output=True).returncode == 0:
            return 409, {"error": f"Branch {branch} already exists"}
        git(path, "update-ref", f"refs/heads/{branch}", start)
        return 200, {}

    def create_tag(self, repo_id: str, revision: str, body: dict) -> tuple[int, dict]:
        git(self.repo_path(repo_id), "tag", body["tag"], git(self.repo_path(repo_id), "rev-parse", revision))
        return 200, {}

    def commit(self, repo_id: str, revision: str, lines: list[dict]) -> tuple[int, dict]:
        path = self.repo_path(repo_id)
        ref = f"refs/heads/{revision}"
        parent = git(path, "rev-parse", ref)
        header = next(line["value"] for line in lines if line["key"] == "header")
        with tempfile.TemporaryDirectory() as tmp:
            index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            git(path, "read-tree", parent, env=index)
            for line in lines:
                value = line["value"]
                if line["key"] == "file":
                    blob = git(path, "hash-object", "-w", "--stdin", input=base64.b64decode(value["content"]))
                    git(path, "update-index", "--add", "--cacheinfo", f"100644,{blob},{value['path']}", env=index)
                elif line["key"] == "deletedFile":
                    git(path, "update-index", "--force-remove", value["path"], env=index)
                elif line["key"] != "header":
                    return 400, {"error": f"{line['key']} operations are not supported by this test server"}
            tree = git(path, "write-tree", env=index)
        commit = git(path, "commit-tree", tree, "-p", parent, "-m", header["summary"])
        git(path, "update-ref", ref, commit, parent)
        self.commits += 1
        return 200, {"commitUrl": f"{self.url}/{repo_id}/commit/{commit}", "commitOid": commit,
                     "pullRequestUrl": None}

    @staticmethod
    def validate_yaml(body: dict) -> tuple[int, dict]:
        content = body.get("content", "")
        if not content.startswith("---\n"):
            return 200, {"warnings": [{"message": "empty or missing yaml metadata in repo card"}]}
        try:
            metadata = yaml.safe_load(content.split("---\n")[1])
        except yaml.YAMLError as e:
            return 400, {"errors": [{"message": f"invalid YAML: {e}"}]}
        errors = [f'"{key}" must be a {kind}' for key, kind in (("license", "string"), ("tags", "list"))
                  if key in metadata and not isinstance(metadata[key], str if kind == "string" else list)]
        return (400, {"errors": [{"message": e} for e in errors]}) if errors else (200, {"warnings": []})

    # --- HTTP -------------------------------------------------------------------------------------------

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def reply(self, status: int, body: dict, error_code: str | None = None):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if error_code:
                    self.send_header("X-Error-Code", error_code)
                    self.send_header("X-Error-Message", body.get("error", error_code))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                parts = [unquote(p) for p in urlparse(self.path).path.strip("/").split("/")]
                if parts == ["api", "validate-yaml"]:
                    return self.reply(*server.validate_yaml(json.loads(raw)))
                if self.headers.get("Authorization") != f"Bearer {server.token}":
                    return self.reply(401, {"error": "Invalid credentials in Authorization header"})
                with server.lock:
                    if parts == ["api", "repos", "create"]:
                        return self.reply(*server.create_repo(json.loads(raw)))
                    if len(parts) == 6 and parts[:2] == ["api", "models"]:
                        repo_id, action, revision = f"{parts[2]}/{parts[3]}", parts[4], parts[5]
                        if not server.repo_path(repo_id).exists():
                            return self.reply(404, {"error": "Repository not found"}, "RepoNotFound")
                        if action == "tag":
                            return self.reply(*server.create_tag(repo_id, revision, json.loads(raw)))
                        if action == "branch":
                            return self.reply(*server.create_branch(repo_id, revision, json.loads(raw or b"{}")))
                        if subprocess.run(["git", "-C", str(server.repo_path(repo_id)), "rev-parse", "--verify", "-q",
                                           f"refs/heads/{revision}"], capture_output=True).returncode != 0:
                            return self.reply(404, {"error": f"Invalid rev id: {revision}"}, "RevisionNotFound")
                        if action == "preupload":
                            files = json.loads(raw)["files"]
                            return self.reply(200, {"files": [{"path": f["path"], "uploadMode": "regular",
                                                               "shouldIgnore": False} for f in files]})
                        if action == "commit":
                            lines = [json.loads(line) for line in raw.decode().splitlines() if line.strip()]
                            return self.reply(*server.commit(repo_id, revision, lines))
                self.reply(404, {"error": f"not implemented by the test server: POST {self.path}"})

        return Handler
