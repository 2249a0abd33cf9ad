"""The one loading path: formats by extension, all-or-nothing loading, errors that name file, line and column."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from jaikg.loading import DataLoadError, build_store, expand_paths, parse_file
from jaikg.namespaces import MENTIONS_GRAPH, ONTOLOGY_GRAPH, RESOURCE

from .conftest import FIXTURES


def test_syntax_error_names_file_line_and_column() -> None:
    path = FIXTURES / "loading" / "syntax-error.ttl"
    with pytest.raises(DataLoadError) as caught:
        parse_file(path)
    error = caught.value
    assert error.path.endswith("syntax-error.ttl")
    assert error.line == 5
    assert error.column is not None
    assert "syntax-error.ttl, line 5" in str(error)


def test_unknown_extension_is_refused(tmp_path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("a,b\n")
    with pytest.raises(DataLoadError, match="unknown RDF file extension '.csv'"):
        parse_file(path)


def test_missing_path_is_named(tmp_path) -> None:
    with pytest.raises(DataLoadError, match="no such file or folder"):
        expand_paths([tmp_path / "absent.ttl"])


def test_a_broken_file_changes_nothing(tmp_path) -> None:
    store_dir = tmp_path / "store"
    good = FIXTURES / "loading" / "no-evidence.ttl"
    store = build_store([good], include_shipped=False, store_dir=store_dir)
    before = set(store)
    del store
    with pytest.raises(DataLoadError):
        build_store([good, FIXTURES / "loading" / "syntax-error.ttl"], include_shipped=False, store_dir=store_dir)
    assert set(ox.Store(str(store_dir))) == before


def test_ontology_and_mentions_are_in_their_own_graphs(shipped_store: ox.Store) -> None:
    graphs = {g.value for g in shipped_store.named_graphs()}
    assert ONTOLOGY_GRAPH in graphs
    assert MENTIONS_GRAPH in graphs
    swallow_sections = {row["s"].value for row in shipped_store.query(
        f"SELECT ?s WHERE {{ GRAPH <{MENTIONS_GRAPH}> {{ <{RESOURCE}swallow> ?p ?s }} }}")}
    # The report introduces Swallow in Section 2 and returns to its corpus in Section 3.
    assert {RESOURCE + "section-2", RESOURCE + "section-3"} <= swallow_sections


@pytest.mark.parametrize("in_folder", [False, True], ids=["in memory", "store folder"])
def test_a_syntax_error_in_a_later_file_names_it(tmp_path, in_folder: bool) -> None:
    with pytest.raises(DataLoadError) as caught:
        build_store([FIXTURES / "loading" / "no-evidence.ttl", FIXTURES / "loading" / "syntax-error.ttl"],
                    include_shipped=False, store_dir=tmp_path / "store" if in_folder else None)
    assert "syntax-error.ttl, line 5" in str(caught.value)


@pytest.mark.parametrize("in_folder", [False, True], ids=["in memory", "store folder"])
def test_the_same_blank_node_label_in_two_files_is_two_nodes(tmp_path, in_folder: bool) -> None:
    """RDF 1.1 Semantics, merging graphs: blank nodes are local to the document that holds them."""
    for name, value in (("a.nt", "1"), ("b.nt", "2")):
        (tmp_path / name).write_text(f'_:b <https://example.org/p> "{value}" .\n', encoding="utf-8")
    store = build_store([tmp_path / "a.nt", tmp_path / "b.nt"], include_shipped=False,
                        store_dir=tmp_path / "store" if in_folder else None)
    subjects = {quad.subject for quad in store.quads_for_pattern(None, ox.NamedNode("https://example.org/p"), None)}
    assert len(subjects) == 2


@pytest.mark.parametrize("in_folder", [False, True], ids=["in memory", "store folder"])
def test_a_statement_longer_than_the_parser_buffer_names_the_file(tmp_path, in_folder: bool) -> None:
    """Oxigraph's parsers hold one statement in a buffer of at most 16 MiB; a longer one is a file that cannot be
    loaded, named as for a syntax error, with nothing loaded."""
    path = tmp_path / "long-literal.nt"
    path.write_text(f'<https://example.org/a> <https://example.org/p> "{"x" * (17 << 20)}" .\n', encoding="utf-8")
    with pytest.raises(DataLoadError) as caught:
        build_store([path], include_shipped=False, store_dir=tmp_path / "store" if in_folder else None)
    assert caught.value.path.endswith("long-literal.nt")
    assert "too large" in caught.value.message


@pytest.mark.parametrize("in_folder", [False, True], ids=["in memory", "store folder"])
def test_a_dump_of_the_graph_loads_back_as_the_same_graph(shipped_store: ox.Store, tmp_path, in_folder: bool) -> None:
    """A dump holds the ontology's graph too, with its blank nodes (the unions of classes in domains and ranges):
    loaded back, the ontology is there once, not twice under other blank node labels."""
    dump = tmp_path / "dump.nq"
    shipped_store.dump(str(dump), format=ox.RdfFormat.N_QUADS)
    again = build_store([dump], include_shipped=False, store_dir=tmp_path / "store" if in_folder else None)
    assert len(again) == len(shipped_store)
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)
    assert len(list(again.quads_for_pattern(None, None, None, ontology))) == \
        len(list(shipped_store.quads_for_pattern(None, None, None, ontology)))


QUANTITY = '@prefix ex: <https://example.org/> .\nex:a ex:size [ ex:value {value} ] ; ex:part [ ex:value 0 ] .\n'


def blank_nodes(store: ox.Store) -> set[ox.BlankNode]:
    """The blank nodes of the loaded files (not those of the ontology's own graph)."""
    return {term for quad in store if quad.graph_name != ox.NamedNode(ONTOLOGY_GRAPH)
            for term in (quad.subject, quad.object) if isinstance(term, ox.BlankNode)}


@pytest.mark.parametrize("in_folder", [False, True], ids=["in memory", "store folder"])
def test_blank_node_labels_are_the_same_for_the_same_files_and_never_shared(tmp_path, in_folder: bool) -> None:
    """The same files give the same labels, so that two dumps of the same data are the same bytes (and their
    checksums and ETags the same); and as RDF 1.1 merges documents with their blank nodes apart, two files never
    share one: not two files of one name in two folders, nor one file given twice."""
    files = []
    for n in (1, 2):
        (tmp_path / f"f{n}").mkdir()
        files.append(tmp_path / f"f{n}" / "q.ttl")
        files[-1].write_text(QUANTITY.format(value=n), encoding="utf-8")
    stores = [build_store([*files, files[0]], include_shipped=False,
                          store_dir=tmp_path / f"store-{n}" if in_folder else None) for n in range(2)]
    assert len(blank_nodes(stores[0])) == 6
    assert set(stores[0]) == set(stores[1])


def test_a_leading_byte_order_mark_is_skipped(tmp_path) -> None:
    path = tmp_path / "bom.ttl"
    path.write_bytes(b"\xef\xbb\xbf" + QUANTITY.format(value=1).encode("utf-8"))
    assert len(parse_file(path)) == 4
