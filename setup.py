"""ament_python package ``emo_perception`` (also pip-installable on its own)."""

import pathlib
import runpy
from glob import glob

from setuptools import find_packages, setup

package_name = "emo_perception"

# The node list lives in the package (emo_perception/node_list.py), read without importing it.
NODES = runpy.run_path(str(pathlib.Path(__file__).parent / package_name / "node_list.py"))["NODES"]
# Data folders (QA sets, ...) hold no Python code, but setuptools treats every folder inside
# a package as a (namespace) package and warns about each one not listed: list them, with
# their files as package data.
_DATA = pathlib.Path(__file__).parent / package_name / "data"
DATA_PACKAGES = [f"{package_name}.data"] + [
    ".".join((package_name, "data", *d.relative_to(_DATA).parts))
    for d in sorted(_DATA.rglob("*")) if d.is_dir() and d.name != "__pycache__"]

setup(
    name=package_name,
    version="0.1.0",
    packages=find_packages(include=[package_name, f"{package_name}.*"]) + DATA_PACKAGES,
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{package_name}"]),
        (f"share/{package_name}", ["package.xml"]),
        (f"share/{package_name}/launch", glob("launch/*.py")),
        (f"share/{package_name}/config", glob("config/*.yaml") + glob("config/*.xml")),
        (f"share/{package_name}/models_onnx", glob("models_onnx/*")),
    ],
    package_data={name: ["*"] for name in DATA_PACKAGES},
    include_package_data=True,
    install_requires=["setuptools", "numpy", "pyyaml"],
    # Instruments of `emo-perception privacy-audit` / `voice-audit` (requirements/audit*.txt).
    extras_require={"audit": [line.strip() for name in ("audit.txt", "audit-nodeps.txt")
                              for line in open(f"requirements/{name}")
                              if line.strip() and not line.startswith("#")]},
    zip_safe=False,
    maintainer="emo_perception developers",
    maintainer_email="emo-perception-dev@example.org",
    description="Identity-free emotion perception for robots: a ROS 2 node set.",
    license="Apache-2.0",
    python_requires=">=3.10",
    entry_points={
        "console_scripts": [
            f"{name} = {package_name}.nodes.{name}:main" for name in NODES
        ]
        + [f"emo-perception = {package_name}.cli:main"],
    },
)
