"""The scripts the static site needs, pinned and served from the site itself (no CDN).

nbconvert's HTML pages load require.js, MathJax 2 and the Jupyter widgets' HTML manager from CDNs
by default; offline, equations stay raw TeX and widgets blank. ``copy_assets(site)`` puts pinned
copies into ``site/_static/`` instead: each npm package is fetched once with the npm client
(``npm pack``, the registry npm is configured for), checked against the sha512 integrity written
below, kept in ``.site-assets/`` and unpacked from there on later builds, so a rebuild needs no
network. ``URLS`` are the page-relative addresses to give nbconvert. ``TEST_PACKAGES`` are pinned
and checked the same way but not copied into the site: ``read_asset`` gives the browser test
axe-core's script.
"""

import base64
import fnmatch
import hashlib
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".site-assets"
STATIC = "_static"

# package, version, integrity (from `npm pack --json`), the files to copy (globs in the package)
PACKAGES = {
    "requirejs": ("2.3.8", "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+"
                           "Jd5otXKGNehIonFlyQXSowL6Mw==", ["require.js", "README.md"]),
    # MathJax 2: nbconvert's templates configure it through MathJax.Hub (the v2 API). Only what
    # TeX input with CommonHTML output loads: 2 of the package's 21 MB.
    "mathjax": ("2.7.9", "sha512-NOGEDTIM9+MrsqnjPEjVGNx4q0GQxqm61yQwSK+/5S59i26wId5IC5gNu9/bu8+"
                         "CCVl5p9G2IHcAl/wJa+5+BQ==",
                ["MathJax.js", "LICENSE", "config/TeX-AMS_CHTML-full.js", "config/Safe.js",
                 "extensions/**/*.js",
                 "jax/input/TeX/**/*", "jax/output/CommonHTML/**/*", "jax/element/**/*",
                 "localization/en/**/*", "fonts/HTML-CSS/TeX/woff/**/*"]),
    # The widget manager of ipywidgets 8 (html-manager 1.x): draws widgets from stored state.
    "@jupyter-widgets/html-manager": (
        "1.0.15", "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//"
                  "SABeNz1yp47bCrJ3CQA==",
        ["dist/embed-amd.js", "dist/*.woff", "dist/*.woff2", "dist/*.ttf", "dist/*.eot",
         "dist/*.svg", "dist/embed.js.LICENSE.txt"]),
}
# Not served by the site: what the real-browser test (tests/browser/) injects into the pages.
TEST_PACKAGES = {
    # axe-core 4: the accessibility rules (WCAG 2.0/2.1 A and AA) run on every page.
    "axe-core": ("4.14.1", "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76"
                           "ASyFNNtuFooJpZe37OgudVGtQ==", ["axe.min.js", "LICENSE"]),
}
URLS = {
    "require_js_url": f"{STATIC}/requirejs/require.js",
    "mathjax_url": f"{STATIC}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
    "widget_renderer_url": f"{STATIC}/html-manager/dist/embed-amd.js",
}


def _folder(package):
    return package.rsplit("/", 1)[-1]


def _wanted(name, patterns):
    """fnmatch, where ``*`` also crosses ``/`` and ``**/`` may match nothing."""
    return any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(name, p.replace("**/", ""))
               for p in patterns)


def _tarball(package, version, integrity):
    """The package's tarball in the cache, fetched with `npm pack` if missing; integrity checked."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{_folder(package)}-{version}.tgz"
    if not path.exists():
        if not shutil.which("npm"):
            raise SystemExit(f"`make html` fetches {package}@{version} with npm once (then keeps "
                             f"it in {CACHE.name}/): install Node.js and npm")
        out = subprocess.run(["npm", "pack", "--json", f"{package}@{version}",
                              "--pack-destination", str(CACHE)],
                             check=True, capture_output=True, text=True).stdout
        (info,) = json.loads(out)
        (CACHE / info["filename"]).rename(path)
    digest = base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()
    if f"sha512-{digest}" != integrity:
        path.unlink()
        raise SystemExit(f"{package}@{version}: the tarball's sha512 is not the pinned one; "
                         f"removed it, run again to fetch it anew")
    return path


def read_asset(package, name):
    """The text of one file of a pinned package (e.g. ``read_asset("axe-core", "axe.min.js")``)."""
    version, integrity, patterns = {**PACKAGES, **TEST_PACKAGES}[package]
    if not _wanted(name, patterns):
        raise KeyError(f"{name} is not among the files pinned for {package}")
    with tarfile.open(_tarball(package, version, integrity)) as tar:
        return tar.extractfile(f"package/{name}").read().decode("utf-8")


def copy_assets(site):
    """Unpack the pinned files into ``site/_static/<name>/``; return the number of files."""
    count = 0
    for package, (version, integrity, patterns) in PACKAGES.items():
        dest = Path(site) / STATIC / _folder(package)
        shutil.rmtree(dest, ignore_errors=True)
        with tarfile.open(_tarball(package, version, integrity)) as tar:
            for member in tar.getmembers():
                name = member.name.removeprefix("package/")
                if member.isfile() and _wanted(name, patterns):
                    target = dest / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(tar.extractfile(member).read())
                    count += 1
    return count
