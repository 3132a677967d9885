"""Build hook: ship the repository's ``models/`` folder inside the package as
``analyzer/_models``, so a fresh ``pip install .`` has the default move model and
``analyzer.moves.load_model()`` finds it from any folder; and the project's strategy codes
of CaSiNo (``corpora/casino_codes/strategies.tsv``) as ``analyzer/_codes`` and those of the
spoken sessions with their transcripts as ``analyzer/_corpora``, so ``analyzer train`` /
``evaluate`` on CaSiNo train with them from an installed package too. Everything
else about the package is in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

MODEL_FILES = {".skops", ".json", ".md", ".npz"}
#: The project's model folders (``models/casino-moves-N``).
SHIPPED_PREFIX = "casino-moves-"


class BuildPyWithModels(build_py):
    def run(self):
        super().run()
        source = Path(__file__).resolve().parent / "models"
        target = Path(self.build_lib) / "analyzer" / "_models"
        # the project's models only: one a user trains into models/ stays out of the package
        shipped = [f for f in sorted(source.iterdir()) if f.name.startswith(SHIPPED_PREFIX)]
        for path in (p for folder in shipped for p in sorted(folder.rglob("*"))):
            if path.is_file() and path.suffix in MODEL_FILES:
                out = target / path.relative_to(source)
                self.mkpath(str(out.parent))
                self.copy_file(str(path), str(out))
        codes = Path(__file__).resolve().parent / "corpora" / "casino_codes" / "strategies.tsv"
        if codes.exists():
            out = Path(self.build_lib) / "analyzer" / "_codes" / codes.name
            self.mkpath(str(out.parent))
            self.copy_file(str(codes), str(out))
        self.copy_spoken_codes()

    def copy_spoken_codes(self):
        """The spoken sessions' codes and the transcripts they name (a few hundred kB), as
        ``analyzer/_corpora``: the codes name their sessions by path under ``corpora/``."""
        corpora = Path(__file__).resolve().parent / "corpora"
        target = Path(self.build_lib) / "analyzer" / "_corpora"
        needed = set()
        for tsv in sorted((corpora / "spoken_codes").glob("*.tsv")):
            needed.add(tsv.relative_to(corpora))
            for line in tsv.read_text(encoding="utf-8").splitlines()[1:]:
                name = line.split("\t", 1)[0].partition("#")[0]
                if name:
                    needed.add(Path(name))
        for rel in sorted(needed):
            if (corpora / rel).is_file():
                self.mkpath(str((target / rel).parent))
                self.copy_file(str(corpora / rel), str(target / rel))


setup(cmdclass={"build_py": BuildPyWithModels})
