"""Drafting (issue 14) on bench/run.sh's database: the save-and-preview
round trip of the draft's page and the version diff, as a legal officer's
browser makes them.

One round trip = POST a section of the form (the scope: a new daily quota,
so that every save is a real version), GET the draft's page it leads to
(sections, findings, versions), GET the PKS preview beside the form
(rendered from the draft). EDITORS officers save at once, each their own
draft; the p50/p90/p99 of the whole trip is printed as one JSON line, and
so is the diff of two PKS versions (GET /api/v1/agreements/{id}/versions/1/diff/2).

    python3 bench/drafting.py http://127.0.0.1:PORT PASSWORD
"""

import http.client
import json
import os
import re
import sys
import threading
import time
import urllib.parse

BASE = urllib.parse.urlparse(sys.argv[1])
PASSWORD = sys.argv[2]
EDITORS = int(os.environ.get("EDITORS", "8"))
ROUNDS = int(os.environ.get("ROUNDS", "100"))
DIFFS = int(os.environ.get("DIFFS", "400"))


def conn():
    return http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=30)


def call(c, method, path, body=None, headers=None):
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    return r.status, r.getheader, data


def api(c, token, method, path, payload=None):
    headers = {"Authorization": "Bearer " + token}
    body = None
    if payload is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(payload)
    status, _, data = call(c, method, path, body, headers)
    return status, json.loads(data) if data else None


def sign_in(c):
    """A browser session: the sign-in form's pre-session token, then the form."""
    status, header, data = call(c, "GET", "/masuk")
    pre = header("Set-Cookie").split(";")[0]
    csrf = re.search(rb'name="_csrf" value="([^"]*)"', data).group(1).decode()
    form = urllib.parse.urlencode({"_csrf": csrf, "username": "admin", "password": PASSWORD})
    status, header, _ = call(c, "POST", "/masuk", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": pre})
    assert status == 303, status
    cookies = [h for h in header("Set-Cookie").split(", ") if h.startswith("sepakat_sesi=")]
    return cookies[0].split(";")[0]


def percentiles(ms):
    ms = sorted(ms)
    at = lambda p: ms[min(len(ms) - 1, int(len(ms) * p / 100))]
    return {"n": len(ms), "p50_ms": round(at(50), 2), "p90_ms": round(at(90), 2),
            "p99_ms": round(at(99), 2), "max_ms": round(ms[-1], 2)}


def main():
    c = conn()
    status, login = api(c, "", "POST", "/api/v1/auth/login",
                        {"username": "admin", "password": PASSWORD})
    token = login["token"]
    status, page = api(c, token, "GET", "/api/v1/agreements?status=active&limit=%d&offset=5000" % EDITORS)
    drafts = []
    for item in page["items"]:
        status, d = api(c, token, "POST", "/api/v1/agreements/%d/renewal-draft" % item["id"])
        assert status == 201, (status, d)
        # A second version: the quota raised.
        access = d["access"]
        for s in access:
            s.pop("id", None)
        access[0]["daily_quota"] = (access[0].get("daily_quota") or 100) + 1
        status, d = api(c, token, "PATCH", "/api/v1/agreements/%d" % d["id"], {"access": access})
        assert status == 200, (status, d)
        drafts.append(d)
    session = sign_in(c)
    status, _, data = call(c, "GET", "/perjanjian/%d/ubah" % drafts[0]["id"], headers={"Cookie": session})
    csrf = re.search(rb'name="_csrf" value="([^"]*)"', data).group(1).decode()

    trips, lock = [], threading.Lock()
    steps = {"save": [], "page": [], "preview": []}

    def editor(d):
        c = conn()
        cookie = {"Cookie": session}
        scope = d["access"]
        for i in range(ROUNDS):
            fields = [("_csrf", csrf), ("catatan", "uji beban %d" % i)]
            for s in scope:
                m = s["method"]
                fields.append(("/access/%s" % m, "ya"))
                fields += [("/access/%s/elements" % m, e) for e in s["elements"]]
                fields.append(("/access/%s/daily_quota" % m, str(1000 + i)))
            body = urllib.parse.urlencode(fields)
            t = time.perf_counter()
            status, _, _ = call(c, "POST", "/perjanjian/%d/ubah/lingkup" % d["id"], body,
                                dict(cookie, **{"Content-Type": "application/x-www-form-urlencoded"}))
            assert status == 303, status
            t1 = time.perf_counter()
            status, _, _ = call(c, "GET", "/perjanjian/%d/ubah" % d["id"], headers=cookie)
            assert status == 200, status
            t2 = time.perf_counter()
            status, _, html = call(c, "GET", "/perjanjian/%d/pratinjau/pks.html" % d["id"], headers=cookie)
            assert status == 200 and b"PERJANJIAN" in html.upper(), status
            t3 = time.perf_counter()
            with lock:
                trips.append((t3 - t) * 1000)
                steps["save"].append((t1 - t) * 1000)
                steps["page"].append((t2 - t1) * 1000)
                steps["preview"].append((t3 - t2) * 1000)

    threads = [threading.Thread(target=editor, args=(d,)) for d in drafts]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    print(json.dumps(dict({"scenario": "save_and_preview", "editors": len(drafts)}, **percentiles(trips))))
    for name, ms in steps.items():
        print(json.dumps(dict({"scenario": "save_and_preview." + name}, **percentiles(ms))))

    diffs = []

    def differ(d, n):
        c = conn()
        for _ in range(n):
            t = time.perf_counter()
            status, body = api(c, token, "GET", "/api/v1/agreements/%d/versions/1/diff/2" % d["id"])
            assert status == 200 and body["scope"], (status, body)
            with lock:
                diffs.append((time.perf_counter() - t) * 1000)

    threads = [threading.Thread(target=differ, args=(d, DIFFS // len(drafts))) for d in drafts]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    print(json.dumps(dict({"scenario": "version_diff", "clients": len(drafts)}, **percentiles(diffs))))


main()
