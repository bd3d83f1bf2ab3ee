"""Assessment frameworks: their elements, checks, files and the built-in ones.

A framework (:class:`Framework`) is a tree: a root, dimensions and sub-dimensions, with
indicators as leaves, each indicator rated on a scale (rubric, numeric or binary) and tagged with
facets (level, lifecycle phase, Cairo finding, A4P+ priority). Modules, from the bottom up:

``elements``
    The pydantic models of the parts (scales, facets, nodes, indicators).
``structure``
    Structural checks on plain data (ids, tree, weights, scales, facets, text), each problem
    located by its path in the file.
``yaml_io``
    Safe YAML and JSON reading (unique keys, nesting limit) and YAML writing.
``coinr_table``
    Indicator metadata tables in the COINr layout (:meth:`Framework.from_frame`,
    :meth:`Framework.to_frame`).
``display``
    The notebook display (:meth:`Framework._repr_html_`).
``model``
    :class:`Framework` itself: navigation, fingerprint, reading and writing.
``registry``
    The built-in frameworks and their versions: :func:`list_frameworks`,
    :func:`load_framework` (``name@version``).
``translations``
    The framework's text in other languages (translation files beside the framework file,
    :meth:`Framework.text` with its English fallback, the completeness check) and the
    interface strings of templates, forms, plots and reports.
``diff``
    What changed between two frameworks (:func:`diff_frameworks`) and migration mappings
    between versions (:func:`load_migration`).

Examples
--------
>>> from missionlens.framework import load_framework
>>> load_framework("whole-of-mission").root.id
'wom'
"""

from missionlens.framework.diff import Migration, diff_frameworks, load_migration
from missionlens.framework.model import Framework, framework_json_schema
from missionlens.framework.registry import list_frameworks, load_framework

__all__ = [
    "Framework",
    "Migration",
    "diff_frameworks",
    "framework_json_schema",
    "list_frameworks",
    "load_framework",
    "load_migration",
]
