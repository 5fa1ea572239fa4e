#!/usr/bin/env python3
"""Rebuild Sigstore reference data and MANIFEST.json from git.

Usage (from this directory, each DIR a clone or bare mirror of the repository):

    python3 extract.py sigstore/root-signing=DIR sigstore/root-signing-staging=DIR \
        sigstore/sigstore-conformance=DIR sigstore/sigstore-python=DIR \
        tkgsn/sigstore-public-good-instance-test=DIR

It writes every file listed in COPIED (current published files and bundles, at
the pinned commits) and the full release history of both TUF repositories under
history/<env>/vNN/, then MANIFEST.json describing every file. Only python3 and
git are needed. The pin test (internal/refdata) then checks the result; review
`git diff --stat` before committing: reference data only ever grows.

A release is a TUF targets version that a published snapshot on the default
branch references. Its commit is the first commit on main (first parent) whose
snapshot.json (repository/repository/ before the tuf-on-ci migration,
metadata/ after) names that targets version; its date is that commit's
committer date, the moment the release landed on main, from which the publish
workflow served it. TUF metadata records no signing time. The targets metadata
and every trust file it lists are taken from that commit's tree and must match
the metadata's length and sha256; a mismatch stops the script.
"""
import hashlib, json, os, subprocess, sys
from datetime import datetime, timezone

HEAD = {
    "sigstore/root-signing": "60cf2ce8b2e45d600dc17c4421e8c751e75772be",
    "sigstore/root-signing-staging": "ed88d5dc6c56bfdbf1a78219364e6d3e4ecfe0c9",
    "sigstore/sigstore-conformance": "a73de4970176d258e0154c530b89d20b89444e4d",
    "sigstore/sigstore-python": "27db13db157ecae5606eb22ec0be299ef348c370",
    "tkgsn/sigstore-public-good-instance-test": "888659aafba484de325ae88bac500bc194992606",
}
PROD, STAG = "sigstore/root-signing", "sigstore/root-signing-staging"
CONF = "sigstore/sigstore-conformance"


def at_head(here, repo, targets):
    """An environment's files at HEAD: its targets metadata, its v0.2 trust
    files, and the targets it lists by name (under targets/ here)."""
    return ([(here + "/targets.json", repo, None, "metadata/targets.json")]
            + [(here + "/" + n, repo, None, "targets/" + n)
               for n in ["trusted_root.json", "signing_config.v0.2.json", "signing_config_rekor_v2.v0.2.json"]]
            + [(here + "/targets/" + n, repo, None, "targets/" + n) for n in targets])


# path here, repository, commit (None: HEAD above), path in that repository.
COPIED = at_head("production", PROD, [
    "signing_config.json", "rekor.pub", "ctfe.pub", "ctfe_2022.pub", "fulcio.crt.pem",
    "fulcio_v1.crt.pem", "fulcio_intermediate_v1.crt.pem", "artifact.pub"]) + [
    ("production/history/targets-v12.trusted_root.json", PROD, "0375aad33816b8d755d093481f21abb11c872935", "targets/trusted_root.json"),
    ("production/history/targets-v12.targets.json", PROD, "0375aad33816b8d755d093481f21abb11c872935", "metadata/targets.json"),
    ("production/history/targets-v11.trusted_root.json", PROD, "f725b3181edb1cd89cb63ad27737a2181e6f1ef5", "targets/trusted_root.json"),
    ("production/history/targets-v11.targets.json", PROD, "f725b3181edb1cd89cb63ad27737a2181e6f1ef5", "metadata/targets.json"),
    ("production/history/targets-v10.trusted_root.json", PROD, "03f9c7e0023c917b60eb7431e87f47e6a636f37a", "targets/trusted_root.json"),
    ("production/history/targets-v10.targets.json", PROD, "03f9c7e0023c917b60eb7431e87f47e6a636f37a", "metadata/targets.json"),
] + at_head("staging", STAG, [
    "signing_config.json", "rekor.pub", "ctfe.pub", "ctfe_2022.pub", "ctfe_2022_2.pub",
    "ctfe_2026_1.pub", "fulcio.crt.pem", "fulcio_intermediate.crt.pem"]) + [
    ("bundles/a.txt", CONF, None, "test/assets/bundle-verify/a.txt"),
    ("bundles/production/rekor1-hashedrekord.sigstore.json", CONF, None, "test/assets/bundle-verify/happy-path-v0.3/bundle.sigstore.json"),
    ("bundles/production/rekor1-v0.2-rfc8785-0.1.2-whl.sigstore.json", "sigstore/sigstore-python", None, "test/assets/bundle_v3_github.whl.sigstore"),
    ("bundles/production/rekor2-log2025-1-tsa.sigstore.json", "tkgsn/sigstore-public-good-instance-test", None, "evidence/run-30183326061/rekor-v2-test.sigstore.json"),
    ("bundles/production/rekor2-log2025-1-tsa.subject.json", "tkgsn/sigstore-public-good-instance-test", None, "evidence/run-30183326061/rekor-v2-test-subject.json"),
    ("bundles/staging/rekor2-alpha1-tsa.sigstore.json", CONF, None, "test/assets/bundle-verify/rekor2-happy-path/bundle.sigstore.json"),
    ("bundles/staging/rekor2-alpha3-dsse-tsa.sigstore.json", CONF, None, "test/assets/bundle-verify/rekor2-dsse-happy-path/bundle.sigstore.json"),
]
ENVS = [("production", PROD), ("staging", STAG)]
SNAPSHOTS = ["repository/repository/snapshot.json", "repository/snapshot.json", "metadata/snapshot.json"]
TRUST = ["trusted_root.json", "signing_config.json", "signing_config.v0.2.json", "signing_config_rekor_v2.v0.2.json"]


class Git:
    def __init__(self, d):
        self.d = d
        self.p = subprocess.Popen(["git", "-C", d, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def cat(self, commit, path):
        self.p.stdin.write(("%s:%s\n" % (commit, path)).encode())
        self.p.stdin.flush()
        hdr = self.p.stdout.readline().decode()
        if hdr.endswith("missing\n"):
            return None
        n = int(hdr.split()[2])
        data = self.p.stdout.read(n)
        self.p.stdout.read(1)
        return data

    def log(self):
        out = subprocess.run(["git", "-C", self.d, "log", "--first-parent", "--reverse", "--format=%H %cI", "main"],
                             capture_output=True, check=True, text=True).stdout
        return [l.split() for l in out.splitlines() if l]


def utc(iso):
    return datetime.fromisoformat(iso).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sha(b):
    return hashlib.sha256(b).hexdigest()


def die(msg):
    sys.exit("extract: " + msg)


def releases(git):
    """First commit on main whose published snapshot names each targets version."""
    first = {}
    for commit, date in git.log():
        for sp in SNAPSHOTS:
            b = git.cat(commit, sp)
            if b is None:
                continue
            v = json.loads(b)["signed"]["meta"]["targets.json"]["version"]
            if v not in first:
                first[v] = (commit, date, sp)
    return first


def main():
    gits = {}
    for a in sys.argv[1:]:
        name, _, d = a.partition("=")
        gits[name] = Git(d)
    for name in HEAD:
        if name not in gits:
            die("no git directory for %s (pass %s=DIR)" % (name, name))
    files, rels, skipped = [], [], []

    def put(path, data, repo, commit, src):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        files.append({"path": path, "repository": "github.com/" + repo, "commit": commit, "source": src,
                      "length": len(data), "sha256": sha(data)})

    for path, repo, commit, src in COPIED:
        commit = commit or HEAD[repo]
        b = gits[repo].cat(commit, src)
        if b is None:
            die("%s: no %s at %s" % (repo, src, commit))
        put(path, b, repo, commit, src)

    for env, repo in ENVS:
        git = gits[repo]
        for v, (commit, date, sp) in sorted(releases(git).items()):
            meta_dir = sp.rsplit("/", 1)[0]
            tpath = meta_dir + "/targets.json"
            tj = git.cat(commit, tpath)
            if tj is None or json.loads(tj)["signed"]["version"] != v:
                die("%s v%d: %s at %s is not that version" % (env, v, tpath, commit))
            targets = json.loads(tj)["signed"]["targets"]
            if not any(t in targets for t in TRUST):
                skipped.append({"env": env, "version": v, "commit": commit, "published": utc(date),
                                "reason": "lists no trust file, only legacy keys: " + ", ".join(sorted(targets))})
                continue
            d = "history/%s/v%02d" % (env, v)
            put(d + "/targets.json", tj, repo, commit, tpath)
            names = []
            for name, t in sorted(targets.items()):
                if "/" in name:
                    continue  # a delegated role's target, not the top-level targets'
                b = git.cat(commit, "targets/" + name)
                src = "targets/" + name
                if b is None:
                    src = meta_dir + "/targets/" + t["hashes"]["sha256"] + "." + name
                    b = git.cat(commit, src)
                if b is None or len(b) != t["length"] or sha(b) != t["hashes"]["sha256"]:
                    die("%s v%d: %s at %s does not match its targets metadata" % (env, v, name, commit))
                put(d + "/" + name, b, repo, commit, src)
                names.append(name)
            rels.append({"env": env, "version": v, "dir": d, "repository": "github.com/" + repo,
                         "commit": commit, "published": utc(date), "snapshot": sp, "files": ["targets.json"] + names})

    manifest = {
        "about": "Provenance of every file below testdata/sigstore; see README.md. Written by extract.py, checked by internal/refdata.",
        "releases": rels,
        "skipped": skipped,
        "files": sorted(files, key=lambda f: f["path"]),
    }
    with open("MANIFEST.json", "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


main()
