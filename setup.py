"""Maps the repository's top-level folders under the single import package `ttsim`.

designs/, tb/, tools/ and viewer/ show the architecture at the top of the repo; installed, they are
`ttsim.designs`, `ttsim.tb`, `ttsim.tools` and `ttsim.viewer`, so a user's environment never gains a
top-level `tools` or `tb` package.
"""
from setuptools import find_packages, setup

FOLDERS = {
    "ttsim": "ttsim",
    "ttsim.designs": "designs",
    "ttsim.tb": "tb",
    "ttsim.tools": "tools",
    "ttsim.viewer": "viewer",
}

packages = []
for package, folder in FOLDERS.items():
    packages.append(package)
    packages += [f"{package}.{sub}" for sub in find_packages(folder)]

setup(packages=packages, package_dir=FOLDERS)
