"""The layered layout: straight main path, branches side by side, few crossings, U-Net as a U,
folds of long columns, the per-project direction, and the drawing measures."""

from __future__ import annotations

import pytest

from runtime.graph import Graph
from runtime.layout import (
    LayoutDirectionError,
    layered_layout,
    layered_positions,
    project_direction,
    project_positions,
    set_project_direction,
)
from runtime.layout_metrics import NODE_H, NODE_W, measure
from runtime.project import Project, loads_project
from runtime.zoo import TEMPLATES


def _chain_of_residuals(blocks: int) -> tuple[Graph, list[str]]:
    g = Graph()
    spine = [g.add_node("input").id]
    for _ in range(blocks):
        a, b, s = g.add_node("conv2d").id, g.add_node("conv2d").id, g.add_node("add").id
        g.connect(spine[-1], a)
        g.connect(a, b)
        g.connect(b, s)
        g.connect(spine[-1], s, 1)
        spine += [a, b, s]
    return g, spine


def test_residual_main_path_runs_straight_with_the_shortcut_beside_it():
    g, spine = _chain_of_residuals(3)
    pos = layered_positions(g, fold=False)
    assert len({pos[nid][0] for nid in spine}) == 1
    assert measure(g, pos).crossings == 0


def test_inception_branches_sit_side_by_side():
    g = Graph()
    source = g.add_node("input").id
    ends = []
    for length in (1, 2, 2, 2):
        last = source
        for _ in range(length):
            node = g.add_node("conv2d").id
            g.connect(last, node)
            last = node
        ends.append(last)
    merge = g.add_node("concat").id
    for port, end in enumerate(ends):
        g.connect(end, merge, port)
    pos = layered_positions(g)
    firsts = [e.dst for e in g.edges if e.src == source]
    assert len({pos[n][1] for n in firsts}) == 1  # one row
    assert len({pos[n][0] for n in firsts}) == 4  # four places in it
    assert measure(g, pos).crossings == 0


def test_ordering_removes_crossings_the_input_order_has():
    # Wires a→d, b→c listed so that naive order (a, b | c, d) crosses.
    order = ["s", "a", "b", "c", "d", "m"]
    edges = [("s", "a", 0), ("s", "b", 0), ("a", "d", 0), ("b", "c", 0)]
    edges += [("c", "m", 0), ("d", "m", 1)]
    pos = layered_layout(order, edges, fold=False)
    assert (pos["a"][0] < pos["b"][0]) == (pos["d"][0] < pos["c"][0])


def test_unet_comes_out_as_a_u():
    project = TEMPLATES["unet"].build()
    graph = project.graph
    pos = {graph.nodes[nid].name: p for nid, p in project_positions(project).items()}
    encoder_x = {pos[n][0] for n in pos if n.startswith(("enc", "pool", "bottom"))}
    decoder_x = {pos[n][0] for n in pos if n.startswith(("dec", "up", "crop", "concat"))}
    assert len(encoder_x) == 1 and len(decoder_x) == 1 and max(encoder_x) < min(decoder_x)
    # The encoder goes down, the decoder comes back up...
    assert pos["enc1_relu2"][1] < pos["enc4_relu2"][1] < pos["bottom_relu2"][1]
    assert pos["dec4_relu2"][1] > pos["dec3_relu2"][1] > pos["dec1_relu2"][1]
    # ...and each skip runs across, between nodes of the same resolution level.
    for level in range(1, 5):
        skip_from, skip_to = pos[f"enc{level}_relu2"], pos[f"crop{level}"]
        assert abs(skip_from[1] - skip_to[1]) <= 3 * 100
        assert abs(skip_from[1] - skip_to[1]) < abs(skip_from[1] - pos["bottom_relu2"][1])


def test_a_long_chain_folds_where_the_resolution_changes():
    project = TEMPLATES["vgg16_bn"].build()
    graph = project.graph
    pos = project_positions(project)
    columns = sorted({round(p[0]) for p in pos.values()})
    assert len(columns) >= 3
    tops = [min(pos.values(), key=lambda p, x=x: (round(p[0]) != x, p[1])) for x in columns]
    firsts = [next(nid for nid, p in pos.items() if p == top) for top in tops]
    assert graph.nodes[firsts[0]].block == "input"
    assert sum(graph.nodes[nid].block == "max_pool" for nid in firsts[1:]) >= len(firsts) - 2


def test_a_short_network_stays_one_straight_column():
    project = TEMPLATES["lenet5"].build()
    pos = project_positions(project)
    assert len({p[0] for p in pos.values()}) == 1


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_no_two_boxes_overlap_and_every_template_fits_legibly(name):
    project = TEMPLATES[name].build()
    pos = list(project_positions(project).values())
    for i, (x1, y1) in enumerate(pos):
        for x2, y2 in pos[i + 1 :]:
            assert abs(x1 - x2) >= NODE_W or abs(y1 - y2) >= NODE_H
    measures = measure(project.graph, project_positions(project))
    if len(pos) <= 60:
        assert measures.fit_zoom >= 0.16  # studio.canvas.style.TITLES_FROM


def test_left_to_right_flow_runs_every_forward_wire_rightwards():
    g, spine = _chain_of_residuals(2)
    pos = layered_positions(g, "right", fold=False)
    assert all(pos[e.src][0] < pos[e.dst][0] for e in g.edges)
    assert len({pos[nid][1] for nid in spine}) == 1


def test_the_direction_is_saved_with_the_project():
    project = Project()
    assert project_direction(project) == "down"
    set_project_direction(project, "right")
    again = loads_project(project.to_json())
    assert project_direction(again) == "right"


def test_a_bad_direction_is_one_clear_error():
    project = loads_project(Project().to_json().replace('"nodes"', '"layout": 7, "nodes"', 1))
    with pytest.raises(LayoutDirectionError, match="layout direction 7 is not one of down, right"):
        project_direction(project)
    with pytest.raises(LayoutDirectionError, match="'sideways'"):
        set_project_direction(project, "sideways")


def test_the_layout_is_deterministic():
    project = TEMPLATES["googlenet"].build()
    assert project_positions(project) == project_positions(project)


def test_measures_count_a_crossing_and_a_wire_through_a_box():
    g = Graph()
    a, b, c, d = (
        g.add_node("input").id,
        g.add_node("input").id,
        g.add_node("relu").id,
        g.add_node("relu").id,
    )
    g.connect(a, d)
    g.connect(b, c)
    crossed = {a: (0.0, 0.0), b: (300.0, 0.0), c: (0.0, 200.0), d: (300.0, 200.0)}
    assert measure(g, crossed).crossings == 1
    g2 = Graph()
    ids = [g2.add_node("input").id, g2.add_node("relu").id, g2.add_node("relu").id]
    g2.connect(ids[0], ids[2])
    on_the_way = {ids[0]: (0.0, 0.0), ids[1]: (0.0, 200.0), ids[2]: (0.0, 400.0)}
    assert measure(g2, on_the_way).through_boxes == 1
    assert measure(g2, on_the_way).bends == 0
