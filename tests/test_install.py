"""A plain, non-editable install ships both packages and every knowledge-base file."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

from tests.conftest import ROOT


def test_wheel_installs_a_working_command(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    wheel = next(wheels.glob("iamrole_bot-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=False)
    python = env_dir / "bin" / "python"
    # Dependencies come from the outer environment; the project itself only from the wheel.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--ignore-installed",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    located = subprocess.run(
        [str(python), "-c", "import bot, handlers; print(bot.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert str(env_dir) in located.stdout, located.stderr
    sample = subprocess.run(
        [str(env_dir / "bin" / "iamrole-bot"), "diagnose", "--json", "--sample", "passrole-denied"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert sample.returncode == 0, sample.stderr
    assert json.loads(sample.stdout)["diagnoses"][0]["cause"] == "passrole-denied"
    listing = subprocess.run(
        [str(env_dir / "bin" / "iamrole-bot"), "kb", "list"], capture_output=True, text=True, cwd=tmp_path
    )
    source_causes = sorted(p.stem for p in (ROOT / "bot" / "kb" / "causes").glob("*.yaml"))
    assert sorted(line.split()[0] for line in listing.stdout.splitlines()) == source_causes
