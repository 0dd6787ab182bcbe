"""Fetch the Data Docs assets newsflow ships (`assets/vendor/`), for a maintainer, never at run time:

    .venv/bin/python -m newsflow.tasks.datadocs.vendor

Each package's tarball comes from the npm registry (`npm pack NAME@VERSION`), and from it the
files `ASSETS` and `COMPANIONS` name plus its licence. Two tarballs ship no licence file (vega,
popper.js): their licence is the `copyright` file of Debian's package of the same library
(`apt-get download`). `assets/MANIFEST.json` records, per package, the version, where each file
came from and its sha256; `tests/test_datadocs.py` checks the files against it.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from newsflow.tasks.datadocs import ASSETS, ASSETS_DIR, COMPANIONS, MANIFEST

# The licence file inside each npm tarball, or ("debian", package, path) when the tarball has none.
LICENCES: dict[str, str | tuple[str, str, str]] = {
    "jquery": "LICENSE.txt",
    "bootstrap": "LICENSE",
    "popper.js": ("debian", "libjs-popper.js", "usr/share/doc/libjs-popper.js/copyright"),
    "bootstrap-table": "LICENSE",
    "bootstrap-datepicker": "LICENSE",
    "@forevolve/bootstrap-dark": "LICENSE",
    "@fortawesome/fontawesome-free": "LICENSE.txt",
    "vega": ("debian", "libjs-vega", "usr/share/doc/libjs-vega/copyright"),
    "vega-lite": "LICENSE",
    "vega-embed": "LICENSE",
}


def _npm_pack(package: str, version: str, folder: Path) -> tarfile.TarFile:
    name = subprocess.run(
        ["npm", "pack", f"{package}@{version}", "--silent"], cwd=folder, check=True, capture_output=True, text=True
    ).stdout.split()[-1]
    return tarfile.open(folder / name)


def _debian_file(package: str, path: str, folder: Path) -> bytes:
    subprocess.run(["apt-get", "download", package], cwd=folder, check=True, capture_output=True)
    deb = next(folder.glob(f"{package}_*.deb"))
    data = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return tar.extractfile(f"./{path}").read()


def vendor() -> dict:
    packages: dict[str, dict] = {}
    for asset in ASSETS:
        entry = packages.setdefault(asset.package, {"version": asset.version, "folder": asset.folder, "files": set()})
        entry["files"].add(asset.file)
    for package, files in COMPANIONS.items():
        packages[package]["files"].update(files)
    target = ASSETS_DIR / "vendor"
    shutil.rmtree(target, ignore_errors=True)
    manifest: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for package, entry in sorted(packages.items()):
            version = entry["version"]
            folder = target / entry["folder"]
            folder.mkdir(parents=True)
            record: dict = {"version": version, "registry": f"npm: {package}@{version}", "files": {}}
            with _npm_pack(package, version, Path(tmp)) as tar:
                for file in sorted(entry["files"]):
                    data = tar.extractfile(f"package/{file}").read()
                    (folder / file).parent.mkdir(parents=True, exist_ok=True)
                    (folder / file).write_bytes(data)
                    record["files"][file] = hashlib.sha256(data).hexdigest()
                licence = LICENCES[package]
                if isinstance(licence, str):
                    text = tar.extractfile(f"package/{licence}").read()
                    record["licence_from"] = f"npm: {package}@{version}, {licence}"
                else:
                    text = _debian_file(licence[1], licence[2], Path(tmp))
                    record["licence_from"] = f"Debian: {licence[1]}, /{licence[2]} (the npm tarball has none)"
                record["licence"] = json.loads(tar.extractfile("package/package.json").read()).get("license")
            (folder / "LICENSE").write_bytes(text)
            record["files"]["LICENSE"] = hashlib.sha256(text).hexdigest()
            manifest[folder.name] = record
    MANIFEST.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


if __name__ == "__main__":
    for name, record in vendor().items():
        print(f"{name}: {len(record['files'])} files, {record['licence']}", file=sys.stderr)
