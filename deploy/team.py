"""A team deployment of despina on one machine, with one command.

    deploy/run.sh up      # PostgreSQL database, S3 (moto unless --blob-url), 3 replicas, nginx
    deploy/run.sh status
    deploy/run.sh down    # stops everything `up` started, by its pid files

Everything listens on 127.0.0.1. The state folder (``--state-dir``, default ./.despina-team)
holds ``deploy.json`` (what was started, with which settings), ``pids/`` (one pid file per
process), ``logs/``, the generated ``nginx.conf``, each replica's data dir and
``admin-token`` (the first admin's API token). See docs/deploy.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pidfiles  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TEMPLATE = HERE / "nginx.conf.template"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/despina_team"
LOCAL_AWS = {  # moto takes any credentials; a real S3 gets boto3's usual chain
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class DeployError(Exception):
    """Something the deployment needs is missing or did not start; the message says what."""


@dataclass
class Config:
    state_dir: str
    database_url: str = DEFAULT_DATABASE_URL
    blob_url: str | None = None  # None: a moto S3 server on s3_port, bucket "despina"
    port: int = 8780  # nginx
    replica_ports: list[int] = field(default_factory=lambda: [8781, 8782, 8783])
    s3_port: int = 8790
    nginx: str = "/usr/sbin/nginx"
    python: str = sys.executable
    max_fails: int = 2
    fail_timeout: int = 5  # seconds
    create_database: bool = True

    @property
    def state(self) -> Path:
        return Path(self.state_dir).absolute()


class Deployment:
    """The processes of one deployment; each by name: ``s3``, ``replica-1``..., ``nginx``."""

    def __init__(self, config: Config):
        self.config = config
        self.state = config.state
        self.url = f"http://127.0.0.1:{config.port}"

    # ---- state ----------------------------------------------------------------------------

    @classmethod
    def load(cls, state_dir: str | Path) -> Deployment:
        path = Path(state_dir).absolute() / "deploy.json"
        try:
            return cls(Config(**json.loads(path.read_text())))
        except FileNotFoundError:
            raise DeployError(f"no deployment in {path.parent} (no deploy.json)") from None

    def pid_file(self, name: str) -> Path:
        return self.state / "pids" / f"{name}.pid"

    @property
    def replicas(self) -> list[str]:
        return [f"replica-{i + 1}" for i in range(len(self.config.replica_ports))]

    @property
    def names(self) -> list[str]:
        own_s3 = [] if self.config.blob_url else ["s3"]
        return [*own_s3, *self.replicas, "nginx"]

    @property
    def blob_url(self) -> str:
        if self.config.blob_url:
            return self.config.blob_url
        endpoint = urllib.parse.quote(f"http://127.0.0.1:{self.config.s3_port}", safe="")
        return f"s3://despina/blobs?endpoint_url={endpoint}"

    @property
    def admin_token(self) -> str | None:
        path = self.state / "admin-token"
        return path.read_text().strip() if path.exists() else None

    def status(self) -> dict[str, int | None]:
        return {name: pidfiles.running(self.pid_file(name)) for name in self.names}

    # ---- up and down ----------------------------------------------------------------------

    def up(self, timeout: float = 90.0) -> Deployment:
        """Start what is not running yet and wait until nginx answers /api/v1/health."""
        self._check_tools()
        for sub in ("pids", "logs", "nginx", "run"):
            (self.state / sub).mkdir(parents=True, exist_ok=True)
        (self.state / "deploy.json").write_text(json.dumps(asdict(self.config), indent=2) + "\n")
        deadline = time.monotonic() + timeout
        try:
            if self.config.create_database:
                create_database(self.config.database_url)
            if not self.config.blob_url:
                self.start_s3(deadline)
            for name in self.replicas:
                self.start_replica(name, wait=False)
            for name in self.replicas:
                self.wait_replica(name, deadline)
            self._copy_admin_token()
            self.start_nginx(deadline)
        except BaseException:
            self.down()
            raise
        return self

    def down(self) -> list[str]:
        """Stop everything this deployment started (nginx first); the names stopped."""
        stopped = []
        for name in reversed(self.names):
            if pidfiles.stop(self.pid_file(name)):
                stopped.append(name)
        return stopped

    def kill9(self, name: str) -> int | None:
        """kill -9 one process of the deployment (its whole process group)."""
        return pidfiles.kill9(self.pid_file(name))

    # ---- the parts ------------------------------------------------------------------------

    def _check_tools(self) -> None:
        if not os.access(self.config.nginx, os.X_OK):
            raise DeployError(
                f"nginx is not installed ({self.config.nginx} is missing): apt-get install nginx"
            )

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        if (REPO / "despina" / "__init__.py").exists():  # run from a checkout: its despina
            env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
        if not self.config.blob_url:
            env.update(LOCAL_AWS)
        for name in ("DESPINA_API_TOKEN", "NEPTUNE_API_TOKEN", "DESPINA_URL"):
            env.pop(name, None)
        return env

    def start_s3(self, deadline: float) -> None:
        pid_file = self.pid_file("s3")
        if pidfiles.running(pid_file) is None:
            port = str(self.config.s3_port)
            args = [self.config.python, "-m", "moto.server", "-H", "127.0.0.1", "-p", port]
            pidfiles.start(pid_file, args, env=self._env(), log=self.state / "logs" / "s3.log")
        endpoint = f"http://127.0.0.1:{self.config.s3_port}"
        _wait(lambda: _answers(endpoint + "/"), deadline, "the S3 server (moto)", self._log("s3"))
        import boto3

        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **_aws_keys())
        try:
            s3.create_bucket(Bucket="despina")
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass

    def start_replica(self, name: str, *, wait: bool = True, timeout: float = 60.0) -> None:
        pid_file = self.pid_file(name)
        if pidfiles.running(pid_file) is not None:
            return
        port = self.config.replica_ports[self.replicas.index(name)]
        args = [
            self.config.python,
            "-m",
            "despina",
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data-dir",
            str(self.state / name),
            "--database-url",
            self.config.database_url,
            "--blob-url",
            self.blob_url,
            "--static-dir",
            "none",
        ]
        pidfiles.start(pid_file, args, env=self._env(), log=self._log(name))
        if wait:
            self.wait_replica(name, time.monotonic() + timeout)

    def wait_replica(self, name: str, deadline: float) -> None:
        port = self.config.replica_ports[self.replicas.index(name)]
        url = f"http://127.0.0.1:{port}/api/v1/health"
        pid_file = self.pid_file(name)

        def ready() -> bool:
            if pidfiles.running(pid_file) is None:
                raise DeployError(f"{name} exited: {_tail(self._log(name))}")
            return _answers(url, 200)

        _wait(ready, deadline, name, self._log(name))

    def _copy_admin_token(self) -> None:
        for name in self.replicas:
            made = self.state / name / "admin-token"
            if made.exists():
                target = self.state / "admin-token"
                shutil.copyfile(made, target)
                target.chmod(0o600)

    def render_nginx(self) -> Path:
        servers = "\n".join(
            f"        server 127.0.0.1:{port} max_fails={self.config.max_fails} "
            f"fail_timeout={self.config.fail_timeout}s;"
            for port in self.config.replica_ports
        )
        # Run as root (a container, CI), nginx's workers would switch to "nobody", who cannot
        # enter a private state folder; a real deployment runs Debian's nginx service instead.
        user = "user root;" if os.geteuid() == 0 else ""
        text = render(
            TEMPLATE.read_text(),
            state=str(self.state),
            servers=servers,
            listen=f"127.0.0.1:{self.config.port}",
            user=user,
        )
        conf = self.state / "nginx.conf"
        conf.write_text(text)
        return conf

    def start_nginx(self, deadline: float | None = None) -> None:
        deadline = deadline or time.monotonic() + 30
        pid_file = self.pid_file("nginx")
        if pidfiles.running(pid_file) is None:
            conf = self.render_nginx()
            prefix = str(self.state / "nginx") + "/"
            check = [self.config.nginx, "-t", "-q", "-p", prefix, "-e", "stderr", "-c", str(conf)]
            result = subprocess.run(check, capture_output=True, text=True)
            if result.returncode != 0:
                raise DeployError(f"nginx refused {conf}: {result.stderr.strip()}")
            args = [self.config.nginx, "-p", prefix, "-e", "stderr", "-c", str(conf)]
            pidfiles.start(pid_file, args, env=self._env(), log=self._log("nginx"))

        def ready() -> bool:
            if pidfiles.running(pid_file) is None:
                raise DeployError(f"nginx exited: {_tail(self._log('nginx'))}")
            return _answers(self.url + "/api/v1/health", 200)

        _wait(ready, deadline, "nginx", self._log("nginx"))

    def _log(self, name: str) -> Path:
        return self.state / "logs" / f"{name}.log"


# ---- helpers ------------------------------------------------------------------------------


def render(template: str, **values: str) -> str:
    """Fill the ``{{name}}`` placeholders; every one must be given."""
    for key, value in values.items():
        template = template.replace("{{" + key + "}}", value)
    if "{{" in template:
        start = template.index("{{")
        raise DeployError(f"nginx template: no value for {template[start : start + 30]!r}")
    return template


def create_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` when it does not exist (connecting to the
    ``postgres`` database of the same server)."""
    try:
        import psycopg
    except ImportError:
        raise DeployError("psycopg is missing: pip install 'despina[server,postgres,s3]'") from None
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not parts.scheme.startswith("postgres") or not name:
        raise DeployError(f"the database URL must be postgresql://USER@HOST:PORT/NAME, not {url}")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    try:
        conn = psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.Error as e:
        raise DeployError(f"PostgreSQL cannot be reached at {parts.netloc}: {e}") from None
    with conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _aws_keys() -> dict:
    return {
        "aws_access_key_id": LOCAL_AWS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": LOCAL_AWS["AWS_SECRET_ACCESS_KEY"],
    }


def _answers(url: str, status: int | None = None) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as r:
            return status is None or r.status == status
    except urllib.error.HTTPError as e:
        return status is None or e.code == status
    except OSError:
        return False


def _wait(ready, deadline: float, what: str, log: Path) -> None:
    while not ready():
        if time.monotonic() > deadline:
            raise DeployError(f"{what} did not answer in time: {_tail(log)}")
        time.sleep(0.1)


def _tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# ---- command line -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deploy/run.sh", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("up", "down", "status"))
    parser.add_argument("--state-dir", default=".despina-team", help="default ./.despina-team")
    parser.add_argument("--database-url", default=os.environ.get("DESPINA_DATABASE_URL"))
    parser.add_argument("--blob-url", default=os.environ.get("DESPINA_BLOB_URL"))
    parser.add_argument("--port", type=int, default=8780, help="nginx's port (default 8780)")
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            if args.replicas < 1:
                parser.error("--replicas must be at least 1")
            config = Config(
                state_dir=args.state_dir,
                database_url=args.database_url or DEFAULT_DATABASE_URL,
                blob_url=args.blob_url or None,
                port=args.port,
                replica_ports=[args.port + 1 + i for i in range(args.replicas)],
                s3_port=args.port + 10,
                nginx=args.nginx,
            )
            d = Deployment(config).up()
            print(f"despina on {d.url} ({len(d.replicas)} replicas behind nginx)")
            if d.admin_token:
                print(f"  export DESPINA_URL={d.url}")
                print(f"  export DESPINA_API_TOKEN=$(cat {d.state / 'admin-token'})")
            return 0
        d = Deployment.load(args.state_dir)
        if args.command == "down":
            stopped = d.down()
            print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
            return 0
        for name, pid in d.status().items():
            print(f"{name:10} {'pid ' + str(pid) if pid else 'not running'}")
        return 0
    except DeployError as e:
        print(f"deploy: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
