"""50 clients at once against the development server, as ``make run`` starts it.

``python -m bench.concurrency [--clients 50] [--seconds 30]`` builds a fresh SQLite
database in a temporary folder (migrations, demo data, search index), starts
``manage.py runserver`` (threaded, the dev settings: WAL and a busy timeout), then
runs the clients for the given time. Each client acts for one of the demo's four
client people (signed in beforehand) and loops over a mix of what the portal does:
anonymous article listings, its company's catalogue with its token, searches, a
vote on an article (a write), a file download (a write: the download history) and
now and then a new sign-in (a write: a token). It prints the requests served per
kind with p50/p95 and exits non-zero on any HTTP 500, resolver failure (GraphQL
``INTERNAL``), connection error, or « database is locked » in the server's log.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from statistics import quantiles

import requests

ROOT = Path(__file__).resolve().parent.parent
CLIENT_PEOPLE = [
    "alice@durand-archi.example",
    "arnaud@durand-archi.example",
    "bruno@btp-rhone.example",
    "claire@morel-geometres.example",
]
SEARCHES = ["licence", "erreur 15.570.0", "revit plantage", "autocad hachures", "vpn"]

LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { token }
}"""
ARTICLES = "{ articles(perPage: 20) { items { id title summary } total } }"
MY_COMPANY = """{ myCompany { name subscriptions { product { name } seats endDate }
  supportContract { level } } }"""
SEARCH = """query($q: String!) { searchArticles(query: $q) {
  items { article { title } score } total } }"""
RATE = """mutation($id: ID!, $helpful: Boolean!) {
  rateArticle(articleId: $id, helpful: $helpful) { ok } }"""
DOWNLOADS = "{ downloads { items { files { id canDownload } } } }"
REQUEST_DOWNLOAD = """mutation($id: ID!) { requestDownload(fileId: $id) { url } }"""

# What a client does, with its weight in the mix.
MIX = {
    "articles (anonyme)": 30,
    "myCompany (jeton)": 25,
    "recherche": 20,
    "rateArticle": 10,
    "téléchargement": 10,
    "login": 3,
}


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    graphql_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, response, started: float) -> None:
        elapsed = time.monotonic() - started
        with self.lock:
            self.latencies[kind].append(elapsed)
            self.statuses[response.status_code] += 1
            if response.status_code >= 500:
                self.failures.append(f"{kind}: HTTP {response.status_code}")
            elif "json" in response.headers.get("Content-Type", ""):
                for error in response.json().get("errors") or []:
                    code = (error.get("extensions") or {}).get("code", "")
                    self.graphql_errors[f"{code} {error.get('message', '')[:70]}"] += 1
                    if code == "INTERNAL":  # an exception in a resolver, logged
                        self.failures.append(f"{kind}: GraphQL INTERNAL")

    @property
    def served(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def table(self, seconds: float) -> str:
        lines = [f"{'':<22}{'requêtes':>10}{'p50 ms':>9}{'p95 ms':>9}"]
        every = []
        for kind, values in sorted(self.latencies.items()):
            every += values
            lines.append(
                f"{kind:<22}{len(values):>10}{_p(values, 50):>9}{_p(values, 95):>9}"
            )
        lines.append(
            f"{'total':<22}{len(every):>10}{_p(every, 50):>9}{_p(every, 95):>9}"
        )
        lines.append(
            f"{self.served / seconds:.0f} requêtes/s ; statuts HTTP "
            + ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))
        )
        return "\n".join(lines)


def _p(values: list[float], percent: int) -> str:
    if len(values) < 2:
        return "-"
    return f"{quantiles(values, n=100)[percent - 1] * 1000:.0f}"


def say(text: str) -> None:
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DevServer:
    """``manage.py runserver`` on a fresh SQLite database with the demo data."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.log_path = folder / "runserver.log"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            "EMAIL_FILE_PATH": str(folder / "mail"),
            "MEDIA_ROOT": str(folder / "media"),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            # Fifty clients share four accounts and one address: the sign-in limits
            # (tested in tests/accounts) would refuse them, as meant.
            "LOGIN_FAILURE_LIMIT_PER_ACCOUNT": "10000",
            "LOGIN_FAILURE_LIMIT_PER_ADDRESS": "10000",
        }
        for name in ("SEARCH_URL", "SEARCH_TEST_URL"):  # the embedded default
            self.env.pop(name, None)
        self.process = None

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def prepare(self) -> None:
        self.manage("migrate", "--noinput")
        self.manage("load_demo_data")

    def start(self) -> None:
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "runserver",
                "--noreload",
                f"127.0.0.1:{self.port}",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/health/", timeout=2):
                    return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"runserver did not start:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        if self.process:
            self.log.close()

    def problems(self) -> list[str]:
        """Lines of the server's log that say a request failed."""
        return [
            line
            for line in self.log_path.read_text(errors="replace").splitlines()
            if "database is locked" in line
            or '" 500 ' in line
            or line.startswith("Traceback")
        ]


def _post(session, url, query, variables=None, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers["Connection"] = "close"  # runserver answers one request per connection
    return session.post(
        f"{url}/graphql/",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=60,
    )


def _login(session, url, email, password):
    response = _post(session, url, LOGIN, {"email": email, "password": password})
    if response.status_code != 200:
        return response, None
    return response, (response.json().get("data") or {}).get("login")


def client_loop(number, url, password, deadline, results, catalogue):
    rng = random.Random(number)
    session = requests  # a connection per request: runserver closes them
    email = CLIENT_PEOPLE[number % len(CLIENT_PEOPLE)]
    token = catalogue["tokens"][email]  # signed in already, as a portal keeps it
    kinds, weights = zip(*MIX.items(), strict=True)
    while time.monotonic() < deadline:
        kind = rng.choices(kinds, weights)[0]
        started = time.monotonic()
        try:
            response = one_request(
                kind,
                session,
                url,
                rng,
                token,
                email,
                password,
                catalogue,
                results,
                started,
            )
            if kind == "login" and response.status_code == 200:
                login = (response.json().get("data") or {}).get("login")
                token = login["token"] if login else token
        except requests.RequestException as exc:
            with results.lock:
                results.failures.append(f"{kind}: {type(exc).__name__} {exc}"[:160])
            continue
        if response is not None:
            results.record(kind, response, started)


def one_request(
    kind, session, url, rng, token, email, password, catalogue, results, started
):
    """One step of a client; None when there was nothing to do."""
    if kind == "articles (anonyme)":
        return _post(session, url, ARTICLES)
    if kind == "myCompany (jeton)":
        return _post(session, url, MY_COMPANY, token=token)
    if kind == "recherche":
        return _post(session, url, SEARCH, {"q": rng.choice(SEARCHES)})
    if kind == "rateArticle":
        variables = {
            "id": rng.choice(catalogue["articles"]),
            "helpful": rng.random() < 0.8,
        }
        return _post(session, url, RATE, variables, token=token)
    if kind == "téléchargement":
        files = catalogue["files"].get(email) or []
        if not files:
            return None
        response = _post(
            session, url, REQUEST_DOWNLOAD, {"id": rng.choice(files)}, token=token
        )
        link = ((response.json().get("data") or {}).get("requestDownload")) or {}
        if not link.get("url"):
            return response
        results.record("lien de téléchargement", response, started)
        return session.get(
            link["url"],
            headers={"Range": "bytes=0-1023", "Connection": "close"},
            timeout=60,
        )
    return _post(session, url, LOGIN, {"email": email, "password": password})


def catalogue_of(url: str, password: str) -> dict:
    """The articles to vote on, and each client person's token and the files they
    may download."""
    session = requests  # a connection per request: runserver closes them
    data = _post(session, url, ARTICLES).json()["data"]
    found = {
        "articles": [a["id"] for a in data["articles"]["items"]],
        "files": {},
        "tokens": {},
    }
    for email in CLIENT_PEOPLE:
        _response, login = _login(session, url, email, password)
        found["tokens"][email] = login["token"]
        pages = _post(session, url, DOWNLOADS, token=login["token"]).json()["data"]
        found["files"][email] = [
            f["id"]
            for page in pages["downloads"]["items"]
            for f in page["files"] or []
            if f["canDownload"]
        ]
    return found


def run(url: str, *, clients: int, seconds: float, password: str) -> Results:
    results = Results()
    catalogue = catalogue_of(url, password)
    deadline = time.monotonic() + seconds
    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [
            pool.submit(client_loop, n, url, password, deadline, results, catalogue)
            for n in range(clients)
        ]
        for future in futures:
            future.result()
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args(argv)
    password = os.environ.get("DEMO_PASSWORD", "demo1234")
    with tempfile.TemporaryDirectory(prefix="aplicit-concurrency-") as folder:
        server = DevServer(Path(folder))
        say("== base SQLite neuve, migrations et données de démo")
        begun = time.monotonic()
        server.prepare()
        server.start()
        say(f"   prête en {time.monotonic() - begun:.0f} s")
        try:
            say(
                f"== {args.clients} clients pendant {args.seconds:.0f} s "
                f"contre runserver ({server.url})"
            )
            results = run(
                server.url,
                clients=args.clients,
                seconds=args.seconds,
                password=password,
            )
        finally:
            server.stop()
        say(results.table(args.seconds))
        for message, count in sorted(results.graphql_errors.items()):
            say(f"erreur GraphQL ×{count} : {message}")
        problems = server.problems()
        say(
            f"échecs : {len(results.failures)} (HTTP 500, INTERNAL, connexion) ; "
            f"lignes du journal du serveur (« database is locked », 500, "
            f"traceback) : {len(problems)}"
        )
        for failure, count in Counter(results.failures).most_common(10):
            say(f"  ×{count} {failure}")
        for line in problems[:20]:
            say(f"  {line}")
        return 1 if results.failures or problems else 0


if __name__ == "__main__":
    sys.exit(main())
