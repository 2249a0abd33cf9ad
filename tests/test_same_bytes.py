"""The dumps and the VoID description are the same bytes run after run: users diff the dumps between releases and
check them into other repositories. Each is written by two processes with different hash seeds (`PYTHONHASHSEED`
orders Python's sets, which rdflib's writers iterate) and compared byte for byte."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jaikg.export import FORMATS
from jaikg.server import create_app

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ("1", "2")
VARIANTS = {"all": ("all", True), "data-bare": ("data", False)}
"""The whole graph with its evidence, and the data part without provenance (a default graph in the quad formats)."""
UNPREFIXED = "unprefixed"
"""A graph whose predicates are in namespaces without a project prefix, for which rdflib makes prefixes up."""
VOID_EXTENSIONS = ("ttl", "nt", "jsonld", "rdf", "html")

WRITE = """
import sys
from pathlib import Path

import pyoxigraph as ox

from jaikg.export import FORMATS, export_graph
from jaikg.loading import build_store
from jaikg.server import create_app

target, variants, void_extensions = Path(sys.argv[1]), sys.argv[2].split(","), sys.argv[3].split(",")
store = build_store()
for variant in variants:
    name, part, provenance = variant.split(":")
    for fmt in FORMATS:
        (target / f"{name}.{fmt}").write_bytes(export_graph(store, fmt, part, provenance == "yes"))
unprefixed = ox.Store()
unprefixed.extend(ox.Quad(ox.NamedNode(f"http://example.org/{n}"), ox.NamedNode(f"http://{c}.example/ns#p"),
                          ox.Literal(str(n)), ox.DefaultGraph()) for n, c in enumerate("abcdefgh"))
for fmt in FORMATS:
    (target / f"unprefixed.{fmt}").write_bytes(export_graph(unprefixed, fmt))
client = create_app({"STORE": store}).test_client()
for extension in void_extensions:
    answer = client.get(f"/.well-known/void.{extension}")
    assert answer.status_code == 200, answer.status_code
    (target / f"void.{extension}").write_bytes(answer.data)
"""


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    """A folder per hash seed, each written by its own process (the two run at once): every format of each variant,
    and the VoID description (its RDF twins and its page)."""
    folders = {seed: tmp_path_factory.mktemp(f"seed{seed}") for seed in SEEDS}
    variants = ",".join(f"{name}:{part}:{'yes' if provenance else 'no'}"
                        for name, (part, provenance) in VARIANTS.items())
    processes = [subprocess.Popen([sys.executable, "-c", WRITE, str(folder), variants, ",".join(VOID_EXTENSIONS)],
                                  cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed},
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for seed, folder in folders.items()]
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    return folders


def first_difference(a: bytes, b: bytes) -> str:
    for number, (line_a, line_b) in enumerate(zip(a.splitlines(), b.splitlines()), start=1):
        if line_a != line_b:
            return f"line {number}: {line_a[:200]!r} != {line_b[:200]!r}"
    return f"one is a prefix of the other ({len(a)} and {len(b)} bytes)"


def assert_same_bytes(written: dict[str, Path], name: str) -> None:
    one, two = (written[seed] / name for seed in SEEDS)
    a, b = one.read_bytes(), two.read_bytes()
    assert a, f"{name} is empty"
    assert a == b, f"{name} differs between PYTHONHASHSEED={SEEDS[0]} and {SEEDS[1]}: {first_difference(a, b)}"


@pytest.mark.parametrize("variant", [*VARIANTS, UNPREFIXED])
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_dump_is_the_same_bytes_whatever_the_hash_seed(written, fmt: str, variant: str) -> None:
    assert_same_bytes(written, f"{variant}.{fmt}")


@pytest.mark.parametrize("extension", VOID_EXTENSIONS)
def test_the_void_description_is_the_same_bytes_whatever_the_hash_seed(written, extension: str) -> None:
    assert_same_bytes(written, f"void.{extension}")


def test_the_void_description_is_the_same_bytes_request_after_request(shipped_store) -> None:
    """Its blank nodes are named after what they describe, not drawn at random per request: its ETag holds, and a
    client revalidating it gets 304."""
    client = create_app({"STORE": shipped_store}).test_client()
    first, second = client.get("/.well-known/void.ttl"), client.get("/.well-known/void.ttl")
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    assert client.get("/.well-known/void.ttl", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
